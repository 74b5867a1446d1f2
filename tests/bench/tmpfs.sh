#!/bin/bash
# make bench, memory-backed trees: stat and open+close of a file, find
# -type f over a copy of /usr/include and tar x of the project's sources
# in a tmpfs -- the kernel's (a directory on /dev/shm, itself a tmpfs)
# against vfsrun --tmpfs (lazy where page 0 can be mapped, and SUD).  The
# tree starts empty in both: each measurement fills what it needs and
# times only its operation (find: inside the shell, after tar x).  Runs
# are interleaved and repeated; medians, and the median of each run's
# ratio to the kernel's.
. "$(dirname "$0")/common.sh"
REPEAT=${BENCH_REPEAT:-5}
SHM=/dev/shm
if [ "$(stat -f -c %T "$SHM" 2>/dev/null)" != tmpfs ]; then
	echo "bench: tmpfs skipped: $SHM is not a tmpfs here" >&2
	exit 0
fi
WORK=$(mktemp -d /tmp/lazypoline-bench-tmpfs.XXXXXX)
KDIR=$(mktemp -d "$SHM/lazypoline-bench-tmpfs.XXXXXX")
trap 'rm -rf "$WORK" "$KDIR"' EXIT
chmod 755 "$WORK"
tar -C /usr -cf "$WORK/include.tar" include
nfiles=$(find /usr/include -type f | wc -l)
tar -C "$ROOT" -cf "$WORK/src.tar" interposer vfs mounts tests/vfs
ntar=$(tar -tf "$WORK/src.tar" | wc -l)

CONFIGS=(kernel)
[ "$(id -u)" = 0 ] && CONFIGS+=(vfsrun-lazy)
CONFIGS+=(vfsrun-sud)
# in_cfg CFG cmd...: the command, given as its last argument an empty
# directory of the tmpfs
in_cfg() {
	local cfg=$1
	shift
	case $cfg in
	kernel) "$@" "$KDIR/t" ;;
	vfsrun-lazy | vfsrun-sud)
		"$B/vfsrun" --mode=${cfg#vfsrun-} --tmpfs "$WORK/view" "$@" "$WORK/view" ;;
	esac
}
iters() { [ "$1" = vfsrun-sud ] && echo $(($2 / 10)) || echo $2; }

OPS=("stat of a file (ns/op)|stat" "open+close of a file (ns/op)|open+close"
	"find -type f over /usr/include (ms per walk)|find" "tar x of $ntar entries into it (ms)|tar")
declare -A samples
echo "tmpfs benchmark: $nfiles files in the find tree, $REPEAT interleaved runs" >&2
measure() {
	local label what cfg=$2 t0 t1 times
	IFS='|' read -r label what <<<"$1"
	rm -rf "$KDIR/t" && mkdir "$KDIR/t"  # the kernel's, emptied outside the timing
	case $what in
	find)
		times=$(in_cfg "$cfg" sh -c 'd=$3; tar -C "$d" -xf "$1" && t0=$(date +%s%N) &&
			n=$(for i in 1 2 3 4 5; do find "$d" -type f; done | wc -l) && t1=$(date +%s%N) &&
			[ "$n" = $((5 * $2)) ] && echo "$t0 $t1"' sh "$WORK/include.tar" "$nfiles") ||
			{ echo "bench: find under $cfg failed (a walk saw other than $nfiles files)" >&2; return 1; }
		ms $times 5 ;;
	tar)
		t0=$(date +%s%N)
		in_cfg "$cfg" sh -c 'tar -C "$2" -xf "$1"' sh "$WORK/src.tar" ||
			{ echo "bench: tar x under $cfg failed" >&2; return 1; }
		t1=$(date +%s%N)
		ms "$t0" "$t1" ;;
	*)
		in_cfg "$cfg" sh -c ': >"$4/f" && exec "$1" "$2" "$3" "$4/f"' sh "$B/tests/loops" "$what" \
			"$(iters "$cfg" 200000)" ||
			{ echo "bench: $label under $cfg failed" >&2; return 1; } ;;
	esac
}
run_ops
REF=kernel print_table tmpfs
