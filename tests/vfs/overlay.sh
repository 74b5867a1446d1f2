# Differential conformance of the overlay backend (sourced by tests/run.sh).
#
# Every case (tests/vfs/ovcases/*.ops for fsops, *.sh for shell) runs on
# the same fixture: once in a private mount namespace on the kernel's
# overlayfs (lowerdir=L1:L2, upperdir=U), once under vfsrun --overlay
# L1:L2 U; then the upper layer left behind is listed (names, types,
# sizes, modes; whiteouts and opaque directories in whichever form) and
# the lower layers are checked byte for byte.  Everything must be
# identical.  Runs as nobody (vfsrun: sud mode, xattr whiteouts) and as
# root (lazy mode, the kernel's own 0/0 device whiteouts).
#
# Needs: root (mount namespaces), unshare, the overlay file system.

OV=$WORK/ov
OVCASES=$ROOT/tests/vfs/ovcases

ov_template() {
	local t=$WORK/ov-template
	[ -e "$t/done" ] && return
	rm -rf "$t"
	mkdir -p "$t/py" "$t/pkg/DEBIAN" "$t/pkg/usr/share/lp-demo"
	printf 'def f():\n    return 42\n' >"$t/py/mod.py"
	(cd "$t" && git -c init.defaultBranch=main init -q repo && cd repo && echo one >one.txt &&
		git add one.txt && GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' \
		git -c user.name=t -c user.email=t@t commit -qm first) || { echo "fixture: git failed" >&2; return 1; }
	printf 'Package: lp-demo\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@t>\nDescription: demo\n' \
		>"$t/pkg/DEBIAN/control"
	echo data >"$t/pkg/usr/share/lp-demo/file"
	dpkg-deb --root-owner-group -b "$t/pkg" "$t/demo.deb" >/dev/null || { echo "fixture: dpkg-deb failed" >&2; return 1; }
	touch "$t/done"
}

ov_fixture() {
	rm -rf "$OV"
	mkdir -p "$OV"/l1/d/sub "$OV"/l1/only1 "$OV"/l2/d/deep "$OV"/l2/only2/inner "$OV"/l2/shadow \
		"$OV"/u/d/upsub "$OV"/w "$OV"/v "$OV"/l1/tree/a/b "$OV"/l2/tree/c
	echo a1 > "$OV/l1/a"
	echo a2 > "$OV/l2/a"
	echo x1 > "$OV/l1/d/x1"
	echo x2 > "$OV/l2/d/x2"
	echo z > "$OV/l2/d/deep/z"
	echo s > "$OV/l1/d/sub/s"
	echo f > "$OV/l1/only1/f"
	echo i > "$OV/l2/only2/inner/i"
	echo "file over dir" > "$OV/l1/shadow"
	echo hidden > "$OV/l2/shadow/h"
	echo u > "$OV/u/ufile"
	echo du > "$OV/u/d/du"
	echo b > "$OV/l1/tree/a/b/leaf"
	echo c > "$OV/l2/tree/c/leaf"
	ln -s a "$OV/l1/rel-link"
	ln -s "$OV/v/d" "$OV/l1/abs-link"
	ln -s d/x2 "$OV/l2/link2"
	mkfifo "$OV/l1/fifo"
	printf '#!/bin/sh\necho "script $1"\n' > "$OV/l1/script.sh"
	chmod 755 "$OV/l1/script.sh"
	chmod 640 "$OV/l1/d/x1"
	chmod 700 "$OV/l2/only2"
	seq 1 400000 > "$OV/l2/big"  # 2.6 MB, the same every time
	# a git repository, Python sources and a .deb in the lower layers,
	# made once and copied (byte for byte the same in every run)
	ov_template
	cp -a "$WORK/ov-template/repo" "$WORK/ov-template/py" "$OV/l2/"
	cp -a "$WORK/ov-template/demo.deb" "$OV/l1/"
	chown -R 65534:65534 "$OV"
	chmod 755 "$OV"
}

# The lower layers' content, to see that nothing changed them.
ov_lower_sum() {
	(cd "$OV" && find l1 l2 -printf '%p %y %m %s %l\n' | sort && find l1 l2 -type f -print0 | sort -z |
		xargs -0 sha256sum) | sha256sum | cut -c1-16
}

# The upper layer, normalized: whiteouts and opaque marks in either form.
ov_upper_dump() {
	python3 - "$OV/u" <<'PY'
import os, stat, sys
root = sys.argv[1]
def xa(p, name):
    for pre in ("trusted.overlay.", "user.overlay."):
        try:
            return os.getxattr(p, pre + name, follow_symlinks=False)
        except OSError:
            pass
    return None
out = []
for d, dirs, files in os.walk(root):
    for n in dirs + files:
        p = os.path.join(d, n)
        st = os.lstat(p)
        rel = os.path.relpath(p, root)
        if (stat.S_ISCHR(st.st_mode) and st.st_rdev == 0) or \
           (stat.S_ISREG(st.st_mode) and st.st_size == 0 and xa(p, "whiteout") is not None):
            out.append(f"{rel} whiteout")
        elif stat.S_ISDIR(st.st_mode):
            out.append(f"{rel} dir {st.st_mode & 0o7777:o}" + (" opaque" if xa(p, "opaque") == b"y" else ""))
        elif stat.S_ISLNK(st.st_mode):
            out.append(f"{rel} link {os.readlink(p)}")
        else:
            kind = "file" if stat.S_ISREG(st.st_mode) else "fifo" if stat.S_ISFIFO(st.st_mode) else "other"
            out.append(f"{rel} {kind} {st.st_mode & 0o7777:o} size={st.st_size}")
print("\n".join(sorted(out)))
PY
}

ov_case_cmd() {
	local c=$1
	case $c in
	*.ops)
		sed "s|@W@|$OV|g" "$c" > "$WORK/ov-case.ops"
		chmod 644 "$WORK/ov-case.ops"
		echo "cd '$OV/v' && exec '$B/tests/fsops' '$WORK/ov-case.ops'" ;;
	*.sh)
		echo "cd '$OV/v' && W='$OV' B='$B' exec sh '$c'" ;;
	esac
}

# ov_run kernel|view WHO CASE -> output, the upper layer, the lower check
ov_run() {
	local how=$1 who=$2 c=$3 cmd drop=() before
	ov_fixture
	before=$(ov_lower_sum)
	cmd=$(ov_case_cmd "$c")
	[ "$who" = nobody ] && drop=("${NOBODY[@]}")
	if [ "$how" = kernel ]; then
		timeout 120 unshare -m --propagation private sh -c "
			mount -t overlay overlay -o lowerdir='$OV/l1:$OV/l2',upperdir='$OV/u',workdir='$OV/w' '$OV/v' || exit 99
			exec ${drop[*]} sh -c \"\$0\"" "$cmd" 2>&1
	else
		local mode=()
		[ "$who" = me ] && mode=(--mode=lazy)
		timeout 120 "${drop[@]}" "$B/vfsrun" "${mode[@]}" --overlay "$OV/l1:$OV/l2" "$OV/u" "$OV/v" \
			-- sh -c "$cmd" 2>&1
	fi
	echo "exit status $?"
	echo "-- upper layer"
	ov_upper_dump
	[ "$(ov_lower_sum)" = "$before" ] && echo "-- lower layers unchanged" || echo "-- LOWER LAYERS CHANGED"
}

# ov_kernel_sees NAME WHO OPTIONS: after write.ops under vfsrun as WHO,
# the kernel's overlayfs mounted with OPTIONS shows the tree vfsrun shows
ov_kernel_sees() {
	local drop=() tree='find . -printf "%p %y %s %m\n" | sort'
	[ "$2" = nobody ] && drop=("${NOBODY[@]}")
	ov_run view "$2" "$OVCASES/write.ops" >/dev/null
	same "$1" "$(unshare -m sh -c "mount -t overlay overlay -o $3 '$OV/v' && cd '$OV/v' && $tree" 2>&1)" \
		"$("${drop[@]}" "$B/vfsrun" --overlay "$OV/l1:$OV/l2" "$OV/u" "$OV/v" -- sh -c "cd '$OV/v' && $tree" 2>&1)" 21
}

if wanted overlay; then
	if [ $IS_ROOT != 1 ]; then
		skipped "differential conformance against kernel overlayfs" "needs root for mount namespaces"
	elif ! unshare -m sh -c "mkdir -p $WORK/ovp/l $WORK/ovp/u $WORK/ovp/w $WORK/ovp/m &&
		mount -t overlay overlay -o lowerdir=$WORK/ovp/l,upperdir=$WORK/ovp/u,workdir=$WORK/ovp/w $WORK/ovp/m" 2>/dev/null; then
		skipped "differential conformance against kernel overlayfs" "the kernel cannot mount overlayfs here"
	else
		for c in "$OVCASES"/*.ops "$OVCASES"/*.sh; do
			name=$(basename "$c")
			for who in nobody me; do
				same "view = kernel overlayfs: $name [$who]" \
					"$(ov_run kernel $who "$c")" "$(ov_run view $who "$c")" 10
			done
		done
		# the upper layer a normal user's vfsrun wrote, read by the kernel
		# as the top lower layer (userxattr: its user.overlay.* marks);
		# the one root's vfsrun wrote, as the kernel's own upperdir
		ov_kernel_sees "kernel overlayfs reads the upper layer of an unprivileged vfsrun" nobody \
			"userxattr,lowerdir='$OV/u:$OV/l1:$OV/l2'"
		ov_kernel_sees "kernel overlayfs mounts the upper layer of vfsrun as root as its upperdir" me \
			"lowerdir='$OV/l1:$OV/l2',upperdir='$OV/u',workdir='$OV/w'"
		rm -rf "$OV"
	fi
	rm -rf "$WORK/ovp"
fi

# Each process remembers overlay directories while nothing changes: a
# change made by another process of the view must show at once.
if wanted overlay; then
	newdir ov-remembered
	mkdir -p low/d/sub up && echo x >low/d/sub/f && echo y >low/d/g
	[ $IS_ROOT = 1 ] && chown -R 65534:65534 up low
	want="['f'] True
['f', 'new'] new
False False
['f'] again
False y"
	for cfg in "${CONFIGS[@]}"; do
		who=${cfg%%:*} mode=${cfg#*:}
		[ $mode = eager ] && continue
		rm -rf up/* up/.[!.]* 2>/dev/null
		drop=()
		[ $who = nobody ] && drop=("${NOBODY[@]}")
		out=$(cd / && timeout 60 "${drop[@]}" "$B/vfsrun" --mode=$mode --overlay "$RUNDIR/low" "$RUNDIR/up" /v -- \
			/usr/bin/python3 -c '
import os, subprocess
def sh(c): subprocess.run(["sh", "-c", c], check=True)
print(os.listdir("/v/d/sub"), os.path.exists("/v/d/sub/f"))
sh("echo new >/v/d/sub/new")                     # copies d and d/sub up
print(sorted(os.listdir("/v/d/sub")), open("/v/d/sub/new").read().strip())
sh("rm -rf /v/d/sub")                            # whiteouts
print(os.path.exists("/v/d/sub/f"), os.path.exists("/v/d/sub"))
sh("mkdir /v/d/sub && echo again >/v/d/sub/f")   # opaque
print(sorted(os.listdir("/v/d/sub")), open("/v/d/sub/f").read().strip())
sh("mv /v/d/g /v/d/h")
print(os.path.exists("/v/d/g"), open("/v/d/h").read().strip())' 2>&1)
		same "overlay: another process's changes show at once in one that remembers directories [$cfg]" "$want" "$out" 5
	done
fi

# Below a directory of one lower layer, find's lookups (fstatat and openat
# of a name relative to a directory fd) are the kernel's own, from the fd:
# no host path of the layer is made for them.
if wanted overlay; then
	newdir ov-fromfd
	mkdir -p low/top/a/b/c up && echo x >low/top/a/b/c/f
	[ $IS_ROOT = 1 ] && chown -R 65534:65534 up low
	if ! command -v strace >/dev/null; then
		skipped "overlay: lookups below a directory of one lower layer made from its fd" "strace is not installed"
	else
		for cfg in "${CONFIGS[@]}"; do
			who=${cfg%%:*} mode=${cfg#*:}
			[ $mode = eager ] && continue
			drop=()
			[ $who = nobody ] && drop=("${NOBODY[@]}")
			out=$(cd / && timeout 60 strace -f -qq -e trace=newfstatat,openat -o "$RUNDIR/trace" \
				"${drop[@]}" "$B/vfsrun" --mode=$mode --overlay "$RUNDIR/low" "$RUNDIR/up" /v -- find /v/top/a 2>&1)
			# the names below a: by host path (the view's own lookup) and from an fd
			by_path=$(grep -cE "\"$RUNDIR/low/top/a/(b|b/c|b/c/f)\"" "$RUNDIR/trace")
			from_fd=$(grep -cE "(newfstatat|openat)\([0-9]+, \"(b|c)\"" "$RUNDIR/trace")
			same "overlay: lookups below a directory of one lower layer made from its fd [$cfg]" \
				"$(printf '/v/top/a\n/v/top/a/b\n/v/top/a/b/c\n/v/top/a/b/c/f\nby host path: 0\nfrom an fd: yes')" \
				"$(printf '%s\nby host path: %s\nfrom an fd: %s' "$out" "$by_path" "$([ "$from_fd" -ge 4 ] && echo yes || echo "$from_fd")")" 6
		done
	fi
fi

# A directory only one layer has is listed by the kernel, with the mount
# points below it; xattr whiteouts in a lower one are listed too, as the
# kernel's overlayfs lists them (asked here where root can mount one);
# UPPER's own (a normal user's whiteouts) are hidden.
if wanted overlay; then
	newdir ov-onelayer
	mkdir -p low/plain/sub low/marked up/upmarked extra kup kwork kv
	echo f >low/plain/f && echo f >low/marked/f && : >low/marked/w && echo g >up/upmarked/g && : >up/upmarked/uw
	python3 -c 'import os
for d, w in (("low/marked", "w"), ("up/upmarked", "uw")):
    os.setxattr(d + "/" + w, "user.overlay.whiteout", b"")
    os.setxattr(d, "user.overlay.opaque", b"x")'
	lower_listed="f w"
	if [ $IS_ROOT = 1 ]; then
		lower_listed=$(unshare -m sh -c "mount -t overlay o -o userxattr,lowerdir=$RUNDIR/low,upperdir=$RUNDIR/kup,workdir=$RUNDIR/kwork $RUNDIR/kv && echo \$(ls $RUNDIR/kv/marked)" 2>&1)
		chown -R 65534:65534 up low extra
	fi
	want="f mnt sub
$lower_listed
g"
	for cfg in "${CONFIGS[@]}"; do
		who=${cfg%%:*} mode=${cfg#*:}
		[ $mode = eager ] && continue
		drop=()
		[ $who = nobody ] && drop=("${NOBODY[@]}")
		out=$(cd / && timeout 60 "${drop[@]}" "$B/vfsrun" --mode=$mode --overlay "$RUNDIR/low" "$RUNDIR/up" /v \
			-b "$RUNDIR/extra:/v/plain/mnt" -- sh -c 'echo $(ls /v/plain); echo $(ls /v/marked); echo $(ls /v/upmarked)' 2>&1)
		same "overlay: a one-layer directory listed with its mount points, a lower one's xattr whiteouts as the kernel lists them, UPPER's hidden [$cfg]" \
			"$want" "$out" 3
	done
fi
