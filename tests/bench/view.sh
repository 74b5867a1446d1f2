#!/bin/bash
# make bench, the view: stat and open+close loops on a bound path and on an
# unmounted one, and find over a bound copy of /usr/include -- natively,
# under vfsrun (lazy rewriting where page 0 can be mapped, and the SUD-only
# fallback) and under PRoot with the same bind.  Runs are interleaved and
# repeated; medians are shown, and the median of each run's ratio to the
# native run next to it.
. "$(dirname "$0")/common.sh"
REPEAT=${BENCH_REPEAT:-7}
WORK=$(mktemp -d /tmp/lazypoline-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"

# A private copy of /usr/include, bound at /lp-bench/inc in the views.
COPY=$WORK/include
cp -a /usr/include "$COPY"
DEST=/lp-bench/inc
nfiles=$(find "$COPY" -type f | wc -l)

CONFIGS=(native)
[ "$(id -u)" = 0 ] && CONFIGS+=(vfsrun-lazy)
CONFIGS+=(vfsrun-sud)
if command -v proot >/dev/null; then CONFIGS+=(proot); else
	echo "bench: proot is not installed (tests/deps.sh bench installs it): its column is skipped" >&2; fi

# in CFG BOUND-PATH cmd... : BOUND-PATH is where the copy is in that config
in_cfg() {
	local cfg=$1
	shift
	case $cfg in
	native) "$@" ;;
	vfsrun-lazy) "$B/vfsrun" --mode=lazy --bind "$COPY" "$DEST" "$@" ;;
	vfsrun-sud) "$B/vfsrun" --mode=sud --bind "$COPY" "$DEST" "$@" ;;
	proot) proot -b "$COPY:$DEST" "$@" ;;
	esac
}
bound() { [ "$1" = native ] && echo "$COPY" || echo "$DEST"; }
iters() {  # per-op loops: fewer where each op costs microseconds
	case $1 in
	native | vfsrun-lazy) echo $2 ;;
	vfsrun-sud) echo $(($2 / 5)) ;;
	proot) echo $(($2 / 50)) ;;
	esac
}

OPS=("stat, bound path|stat|B" "stat, unmounted path|stat|U" "open+close, bound path|open+close|B"
	"open+close, unmounted path|open+close|U" "find -type f over the bound copy (ms per walk)|find|B")
declare -A samples
find "$COPY" >/dev/null  # warm the caches
echo "view benchmark: $nfiles files in the /usr/include copy, $REPEAT interleaved runs, median shown" >&2
measure() {
	local label what where cfg=$2 t0 t1 n path
	IFS='|' read -r label what where <<<"$1"
	if [ "$what" = find ]; then
		# 5 walks in one shell: the view's start-up (a few ms) is
		# not what is measured
		t0=$(date +%s%N)
		n=$(in_cfg "$cfg" sh -c 'for i in 1 2 3 4 5; do find "$1" -type f; done' sh "$(bound "$cfg")" | wc -l)
		t1=$(date +%s%N)
		[ "$n" = $((5 * nfiles)) ] || { echo "bench: find under $cfg saw $n files, not 5 x $nfiles" >&2; return 1; }
		ms "$t0" "$t1" 5
	else
		path=/usr/include/stdio.h
		[ "$where" = B ] && path=$(bound "$cfg")/stdio.h
		in_cfg "$cfg" "$B/tests/loops" "$what" "$(iters "$cfg" 200000)" "$path" ||
			{ echo "bench: $label under $cfg failed" >&2; return 1; }
	fi
}
run_ops

{
	extra=()
	[[ " ${CONFIGS[*]} " == *" proot "* ]] && extra=("PRoot / vfsrun")
	table_head "${CONFIGS[@]}" "${extra[@]}"
	for op in "${OPS[@]}"; do
		IFS='|' read -r label what where <<<"$op"
		unit="ns/op"
		[ "$what" = find ] && unit=""
		printf '| %s%s |' "$label" "${unit:+ ($unit)}"
		fast=vfsrun-sud
		[[ " ${CONFIGS[*]} " == *" vfsrun-lazy "* ]] && fast=vfsrun-lazy
		for cfg in "${CONFIGS[@]}"; do table_cell "$label" "$cfg"; done
		if [[ " ${CONFIGS[*]} " == *" proot "* ]]; then
			printf ' %.0fx |' "$(ratios "${samples[$label/proot]}" "${samples[$label/$fast]}" | median)"
		fi
		printf '\n'
	done
} | tee "$OUT/view.md"
echo "saved to $OUT/view.md" >&2
