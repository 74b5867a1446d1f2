#!/bin/bash
# make bench, overlays and memory: stat and open+close of a lower file,
# find -type f over the merged tree and tar x of a source tarball into it,
# with a copy of /usr/include as the lower layer -- natively (the plain
# directory), under vfsrun --overlay (lazy where page 0 can be mapped, and
# SUD), the kernel's overlayfs (root, in a private mount namespace),
# fuse-overlayfs and unionfs-fuse (root, where installed); and the same on
# a tmpfs: the kernel's and vfsrun --tmpfs.  Runs are interleaved and
# repeated; medians, and the median of each run's ratio to native.
. "$(dirname "$0")/common.sh"
REPEAT=${BENCH_REPEAT:-5}
WORK=$(mktemp -d /tmp/lazypoline-bench-ov.XXXXXX)
cleanup() {
	for m in "$WORK"/mnt-*; do fusermount3 -u "$m" 2>/dev/null || umount "$m" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
chmod 755 "$WORK"
LOWER=$WORK/lower
cp -a /usr/include "$LOWER"
nfiles=$(find "$LOWER" -type f | wc -l)
tar -C "$ROOT" -cf "$WORK/src.tar" interposer vfs mounts tests/vfs
ntar=$(tar -tf "$WORK/src.tar" | wc -l)
IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1

CONFIGS=(native)
[ $IS_ROOT = 1 ] && CONFIGS+=(vfsrun-lazy)
CONFIGS+=(vfsrun-sud)
if [ $IS_ROOT = 1 ]; then
	CONFIGS+=(kernel)
	if [ -c /dev/fuse ] && command -v fuse-overlayfs >/dev/null; then CONFIGS+=(fuse-overlayfs); else
		echo "bench: fuse-overlayfs is not installed (tests/deps.sh bench): its column is skipped" >&2; fi
	if [ -c /dev/fuse ] && command -v unionfs-fuse >/dev/null; then CONFIGS+=(unionfs-fuse); else
		echo "bench: unionfs-fuse is not installed (tests/deps.sh bench): its column is skipped" >&2; fi
else
	echo "bench: not root: no kernel overlayfs or FUSE columns" >&2
fi

# fresh layers for one measurement: UPPER (and WORK) empty, a mount point
fresh() {
	rm -rf "$WORK/upper" "$WORK/ovwork" "$WORK/view"
	mkdir -p "$WORK/upper" "$WORK/ovwork" "$WORK/view"
}
# in_cfg CFG cmd... : the command with the merged tree at $WORK/view
# (natively: the lower copy itself, written to directly)
in_cfg() {
	local cfg=$1
	shift
	case $cfg in
	native) "$@" ;;
	vfsrun-lazy) "$B/vfsrun" --mode=lazy --overlay "$LOWER" "$WORK/upper" "$WORK/view" "$@" ;;
	vfsrun-sud) "$B/vfsrun" --mode=sud --overlay "$LOWER" "$WORK/upper" "$WORK/view" "$@" ;;
	kernel) unshare -m sh -c "mount -t overlay overlay -o lowerdir=$LOWER,upperdir=$WORK/upper,workdir=$WORK/ovwork $WORK/view && exec \"\$@\"" sh "$@" ;;
	fuse-overlayfs)
		fuse-overlayfs -o lowerdir="$LOWER",upperdir="$WORK/upper",workdir="$WORK/ovwork" "$WORK/view" &&
			{ "$@"; local s=$?; fusermount3 -u "$WORK/view"; return $s; } ;;
	unionfs-fuse)
		unionfs-fuse -o cow "$WORK/upper=RW:$LOWER=RO" "$WORK/view" &&
			{ "$@"; local s=$?; fusermount3 -u "$WORK/view"; return $s; } ;;
	esac
}
where() { [ "$1" = native ] && echo "$LOWER" || echo "$WORK/view"; }
iters() {
	case $1 in
	native | vfsrun-lazy | kernel) echo $2 ;;
	*) echo $(($2 / 10)) ;;
	esac
}

OPS=("stat of a lower file (ns/op)|stat" "open+close of a lower file (ns/op)|open+close" "find -type f over the tree (ms per walk)|find"
	"tar x of $ntar entries into it (ms)|tar")
declare -A samples
find "$LOWER" >/dev/null
echo "overlay benchmark: $nfiles files in the lower /usr/include copy, $REPEAT interleaved runs" >&2
measure() {
	local label what cfg=$2 d t0 t1 n
	IFS='|' read -r label what <<<"$1"
	fresh
	d=$(where "$cfg")
	case $what in
	find)
		t0=$(date +%s%N)
		n=$(in_cfg "$cfg" sh -c 'for i in 1 2 3 4 5; do find "$1" -type f; done' sh "$d" | wc -l)
		t1=$(date +%s%N)
		[ "$n" = $((5 * nfiles)) ] || { echo "bench: find under $cfg saw $n files, not 5 x $nfiles" >&2; return 1; }
		ms "$t0" "$t1" 5 ;;
	tar)
		rm -rf "$LOWER/x"
		t0=$(date +%s%N)
		in_cfg "$cfg" sh -c 'mkdir "$1/x" && tar -C "$1/x" -xf "$2"' sh "$d" "$WORK/src.tar" ||
			{ echo "bench: tar x under $cfg failed" >&2; return 1; }
		t1=$(date +%s%N)
		rm -rf "$LOWER/x"
		ms "$t0" "$t1" ;;
	*)
		in_cfg "$cfg" "$B/tests/loops" "$what" "$(iters "$cfg" 200000)" "$d/stdio.h" ||
			{ echo "bench: $label under $cfg failed" >&2; return 1; } ;;
	esac
}
run_ops
print_table overlay
