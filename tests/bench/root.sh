#!/bin/bash
# make bench, whole-root views: workloads run inside the Debian 12 test
# tree (tests/vfs/guest/tree.sh) -- find / -xdev over it, gcc -c of small
# files, git status on a repository of a few thousand files, /bin/true
# started 300 times, python3 -c pass -- under the kernel's chroot (root, in
# a private mount namespace), vfsrun --root (lazy where page 0 can be
# mapped, and SUD), PRoot (proot -r) and fakechroot (fakechroot chroot,
# for the workloads that need no bind mount).  Runs are interleaved and
# repeated; medians, and the median of each run's ratio to chroot.
. "$(dirname "$0")/common.sh"
. "$ROOT/tests/vfs/guest/tree.sh"
REPEAT=${BENCH_REPEAT:-5}
if [ "$(id -u)" != 0 ]; then
	echo "bench: whole-root views skipped: chroot, the reference, needs root" >&2
	exit 0
fi
if ! why=$(guest_tree); then
	echo "bench: whole-root views skipped: $why" >&2
	exit 0
fi
T=$GUEST_TREE
WORK=$(mktemp -d /tmp/lazypoline-bench-root.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"
# the sources to compile (at /mnt in the guest) and the repository (/opt)
mkdir -p "$WORK/src" "$WORK/repo"
for i in $(seq 1 40); do
	printf '#include <stdio.h>\n#include <string.h>\nint f%d(const char *s) { return (int)strlen(s) + %d; }\n' "$i" "$i" \
		>"$WORK/src/f$i.c"
done
cp -a /usr/include/. "$WORK/repo/"
git -C "$WORK/repo" init -q && git -C "$WORK/repo" add -A &&
	git -C "$WORK/repo" -c user.name=b -c user.email=b@example.org commit -qm all &&
	git -C "$WORK/repo" status >/dev/null ||  # the index refreshed once, before any timing
	{ echo "bench: cannot make the repository" >&2; exit 1; }
nrepo=$(git -C "$WORK/repo" ls-files | wc -l)
chmod -R a+rwX "$WORK/src" "$WORK/repo"

CONFIGS=(chroot vfsrun-lazy vfsrun-sud proot fakechroot)
command -v proot >/dev/null || { echo "bench: proot is not installed: its column is skipped" >&2; CONFIGS=("${CONFIGS[@]/proot/}"); }
command -v fakechroot >/dev/null || { echo "bench: fakechroot is not installed: its column is skipped" >&2; CONFIGS=("${CONFIGS[@]/fakechroot/}"); }
read -r -a CONFIGS <<<"${CONFIGS[*]}"
ENV=(/usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LC_ALL=C GIT_CONFIG_NOSYSTEM=1 "GIT_CONFIG_PARAMETERS='safe.directory=*'")

# in_cfg CFG CMD...: CMD run inside the tree, /mnt and /opt bound in
in_cfg() {
	local cfg=$1
	shift
	case $cfg in
	chroot) unshare -m sh -c "mount --bind '$WORK/src' '$T/mnt' && mount --bind '$WORK/repo' '$T/opt' &&
		exec chroot '$T' \"\$@\"" sh "${ENV[@]}" "$@" ;;
	vfsrun-lazy | vfsrun-sud)
		"$B/vfsrun" --mode=${cfg#vfsrun-} --root "$T" --bind "$WORK/src" /mnt --bind "$WORK/repo" /opt -- \
			"${ENV[@]}" "$@" ;;
	proot) proot -r "$T" -b "$WORK/src:/mnt" -b "$WORK/repo:/opt" "${ENV[@]}" "$@" ;;
	fakechroot) fakechroot chroot "$T" "${ENV[@]}" "$@" ;;
	esac
}

# label | what runs inside | how many times it repeats inside (time per)
OPS=("find / -xdev over the tree (ms)|find / -xdev >/dev/null|1"
	"gcc -c of 40 small files (ms)|cd /mnt && gcc -c f*.c && rm -f f*.o|1"
	"git status, $nrepo files (ms)|git -C /opt status --short >/dev/null|1"
	"/bin/true started 300 times (ms per exec)|i=0; while [ \$i -lt 300 ]; do /bin/true; i=\$((i + 1)); done|300"
	"python3 -c pass (ms per start)|for i in 1 2 3 4 5 6 7 8 9 10; do python3 -c pass; done|10")
runs_in() {  # fakechroot has no bind mounts: the workloads on /mnt and /opt are not its
	[ "$1" != fakechroot ] || [[ "$2" != *"/mnt"* && "$2" != *"/opt"* ]]
}
declare -A samples
cd /
echo "whole-root benchmark: $(find "$T" -xdev | wc -l) entries in the tree, $REPEAT interleaved runs" >&2
measure() {
	local label what per cfg=$2 t0 t1
	IFS='|' read -r label what per <<<"$1"
	runs_in "$cfg" "$what" || return 0
	t0=$(date +%s%N)
	if ! in_cfg "$cfg" /bin/sh -c "$what" >"$WORK/out" 2>&1; then
		# a peer that cannot do it gets no cell; ours must
		echo "bench: '$what' failed under $cfg: $(tail -1 "$WORK/out")" >&2
		[[ $cfg == vfsrun* || $cfg == chroot ]] && return 1
		return 0
	fi
	t1=$(date +%s%N)
	ms "$t0" "$t1" "$per"
}
run_ops
REF=chroot CELL_FMT=%.1f print_table root
