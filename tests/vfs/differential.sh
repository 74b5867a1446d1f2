# Differential conformance of the view (sourced by tests/run.sh).
#
# Every case (tests/vfs/cases/*.ops for fsops, *.sh for shell) runs twice
# on the same fixture: once in a private mount namespace with the real
# kernel bind mounts (unshare -m + mount --bind), once under vfsrun with
# the same mounts given as options.  The outputs must be identical.
# Both runs are made as nobody (vfsrun then works in sud mode), and as
# root (vfsrun in lazy mode: rewritten sites and prefilters) for the
# cases that do not write into directories only the view has.
#
# Needs: root (mount namespaces), unshare, mount.

VD=$WORK/vd            # the fixture; the same path in both runs
VFSCASES=$ROOT/tests/vfs/cases

# The tree both runs start from.
vd_fixture() {
	rm -rf "$VD"
	mkdir -p "$VD"/host/src/dir/nested "$VD"/host/ro/sub "$VD"/host/other "$VD"/host/cover \
		"$VD"/view/bind "$VD"/view/ro "$VD"/view/covered "$VD"/view/plain "$VD"/top
	local s=$VD/host/src
	echo hello > "$s/file"
	echo inner > "$s/dir/inner"
	ln -s file "$s/rel-link"
	ln -s "$VD/view/bind/file" "$s/abs-link"
	ln -s ../plain "$s/up-link"
	ln -s nowhere "$s/dangling"
	ln -s loop2 "$s/loop1"
	ln -s loop1 "$s/loop2"
	ln -s dir "$s/dirlink"
	ln -s /dir "$s/root-dir-link"
	printf '#!/bin/sh\necho "script $# $1"\npwd\n' > "$s/script.sh"
	chmod 755 "$s/script.sh"
	echo ro > "$VD/host/ro/file"
	echo other > "$VD/host/other/file"
	echo cover > "$VD/host/cover/file"
	echo conf > "$VD/host/app.conf"
	echo hidden > "$VD/view/covered/hidden"
	echo original > "$VD/view/app.conf"
	echo plain > "$VD/view/plain/pfile"
	# a host directory whose path is longer than a socket address holds
	VD_LONG=$VD/host/long/$(printf 'l%.0s' $(seq 90))/$(printf 'm%.0s' $(seq 40))
	mkdir -p "$VD/s" "$VD_LONG"
	ln -s bind "$VD/view/link-to-bind"
	ln -s "$VD/view/bind/dir" "$VD/view/abs-to-bind-dir"
	chown -R 65534:65534 "$VD/host" "$VD/view"
	chmod -R go+rX "$VD"
	chmod 755 "$VD" "$VD/top"
}

# The mounts, as vfsrun options and as kernel mounts (after vd_fixture).
VD_OPTS=()
vd_opts() {
	VD_OPTS=(--bind "$VD/host/src" "$VD/view/bind"
		--ro-bind "$VD/host/ro" "$VD/view/ro"
		--bind "$VD/host/other" "$VD/top/new/deep/mnt"
		--bind "$VD/host/cover" "$VD/view/covered"
		--bind "$VD/host/app.conf" "$VD/view/app.conf"
		--bind "$VD/host/other" "$VD/view/bind/dir/nested"
		--bind "$VD_LONG" "$VD/s")
}
vd_kernel_mounts() {
	cat <<EOF
set -e
mount --bind "$VD/host/src" "$VD/view/bind"
mount --bind "$VD/host/ro" "$VD/view/ro"
mount -o remount,bind,ro "$VD/view/ro"
mkdir -p "$VD/top/new/deep/mnt"
mount --bind "$VD/host/other" "$VD/top/new/deep/mnt"
mount --bind "$VD/host/cover" "$VD/view/covered"
mount --bind "$VD/host/app.conf" "$VD/view/app.conf"
mount --bind "$VD/host/other" "$VD/view/bind/dir/nested"
mount --bind "$VD_LONG" "$VD/s"
set +e
EOF
}

# vd_case_cmd CASE: the command line that runs a case (in $VD/view)
vd_case_cmd() {
	local c=$1
	case $c in
	*.ops)
		sed "s|@W@|$VD|g" "$c" > "$WORK/vd-case.ops"
		chmod 644 "$WORK/vd-case.ops"
		echo "cd '$VD/view' && exec '$B/tests/fsops' '$WORK/vd-case.ops'" ;;
	*.sh)
		echo "cd '$VD/view' && W='$VD' B='$B' exec sh '$c'" ;;
	esac
}

# vd_run kernel|view WHO CASE -> output
vd_run() {
	local how=$1 who=$2 c=$3 cmd drop=()
	vd_fixture
	cmd=$(vd_case_cmd "$c")
	[ "$who" = nobody ] && drop=("${NOBODY[@]}")
	if [ "$how" = kernel ]; then
		timeout 120 unshare -m --propagation private sh -c "$(vd_kernel_mounts)
			exec ${drop[*]} sh -c \"\$0\"" "$cmd" 2>&1
	else
		local mode=()
		[ "$who" = me ] && mode=(--mode=lazy)
		timeout 120 "${drop[@]}" "$B/vfsrun" "${mode[@]}" "${VD_OPTS[@]}" -- sh -c "$cmd" 2>&1
	fi
	echo "exit status $?"
}

if wanted differential; then
	if [ $IS_ROOT != 1 ]; then
		skipped "differential conformance against kernel bind mounts" "needs root for mount namespaces"
	elif ! command -v unshare >/dev/null || ! unshare -m true 2>/dev/null; then
		skipped "differential conformance against kernel bind mounts" "unshare -m does not work here"
	else
		vd_fixture
		vd_opts
		for c in "$VFSCASES"/*.ops "$VFSCASES"/*.sh; do
			name=$(basename "$c")
			for who in nobody me; do
				if [ $who = me ] && grep -q '^# as nobody only' "$c"; then continue; fi
				same "view = kernel bind mounts: $name [$who]" \
					"$(vd_run kernel $who "$c")" "$(vd_run view $who "$c")" 10
			done
		done
		rm -rf "$VD"
	fi
fi
