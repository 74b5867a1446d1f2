# The Debian 12 tree of the whole-root tests and benchmarks (sourced):
# debootstrap'ed once (minbase, python3, gcc, git) into a cache that
# survives runs.  guest_tree makes it if needed, or says why it cannot.
# owned by nobody, who runs it: as a tree a user unpacked (a root-owned
# one has directories no unprivileged process can enter, /root first)
GUEST_TREE=${LP_GUEST_TREE:-/var/cache/lazypoline-tests/bookworm-nobody-v2}
GUEST=$ROOT/tests/vfs/guest
GPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# The Debian tree, made once; prints why when it cannot be had.
guest_tree() {
	[ -x "$GUEST_TREE/usr/bin/dpkg" ] && [ -x "$GUEST_TREE/usr/bin/gcc" ] &&
		[ -x "$GUEST_TREE/usr/bin/git" ] && return 0
	if [ "$(id -u)" != 0 ]; then echo "building the Debian tree needs root (debootstrap)"; return 1; fi
	if ! command -v debootstrap >/dev/null; then echo "debootstrap is not installed"; return 1; fi
	# the mirror apt uses here, else Debian's
	local mirror
	mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
	[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
	[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
	mkdir -p "$(dirname "$GUEST_TREE")"
	rm -rf "$GUEST_TREE.tmp"
	if ! timeout 1200 debootstrap --variant=minbase --include=python3-minimal,gcc,libc6-dev,git bookworm \
		"$GUEST_TREE.tmp" "$mirror" >"${TMPDIR:-/tmp}/lazypoline-debootstrap.log" 2>&1; then
		echo "debootstrap from $mirror failed: $(tail -1 "${TMPDIR:-/tmp}/lazypoline-debootstrap.log")"
		rm -rf "$GUEST_TREE.tmp"
		return 1
	fi
	# chown drops set-user-ID bits: put them back
	local modes
	modes=$(cd "$GUEST_TREE.tmp" && find . -type f -perm /6000 -printf '%m %p\n')
	chown -R -h 65534:65534 "$GUEST_TREE.tmp"
	printf '%s\n' "$modes" | while read -r m p; do [ -n "$p" ] && chmod "$m" "$GUEST_TREE.tmp/$p"; done
	mv "$GUEST_TREE.tmp" "$GUEST_TREE"
}

