#!/bin/bash
# make bench: syscall costs natively and under each mode, as ns per call
# and as a ratio to native measured in the same run.  Runs are interleaved
# and repeated; the table shows medians.  Saved to build/bench/.
. "$(dirname "$0")/common.sh"
REPEAT=${BENCH_REPEAT:-5}
IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1

# config name -> how to run a command
run_in() {
	local cfg=$1
	shift
	case $cfg in
	native) env "$@" ;;  # env, as the others: the same number of execs
	sud | lazy | eager)
		env LAZYPOLINE_MODE=$cfg LIBLAZYPOLINE="$B/liblazypoline.so" LD_PRELOAD="$B/libbootstrap.so" "$@" ;;
	lazy+handler)
		env LAZYPOLINE_MODE=lazy LIBLAZYPOLINE="$B/tests/libhandleall.so" LD_PRELOAD="$B/libbootstrap.so" "$@" ;;
	sud+handler)
		env LAZYPOLINE_MODE=sud LIBLAZYPOLINE="$B/tests/libhandleall.so" LD_PRELOAD="$B/libbootstrap.so" "$@" ;;
	esac
}

CONFIGS=(native sud sud+handler)
[ $IS_ROOT = 1 ] && CONFIGS=(native sud lazy eager sud+handler lazy+handler)
OPS=("getppid:2000000" "stat:500000" "open+close:300000")


declare -A samples
echo "lazypoline benchmark: $(nproc) CPUs, $(uname -r), $REPEAT interleaved runs, median shown" >&2
for ((r = 0; r < REPEAT; r++)); do
	for op in "${OPS[@]}"; do
		name=${op%%:*} n=${op##*:}
		for cfg in "${CONFIGS[@]}"; do
			iters=$n
			[[ $cfg == sud* ]] && iters=$((n / 10))  # ~2 us each: fewer
			v=$(run_in "$cfg" "$B/tests/loops" "$name" "$iters")
			samples[$name/$cfg]+="$v "
		done
	done
	echo "  run $((r + 1))/$REPEAT done" >&2
done

# start-up: 200 x /bin/true, each the first process of its own run (from
# an uninterposed shell), then 200 started by one interposed shell (later
# processes of a run: they find the red-zone verdicts kept)
for cfg in "${CONFIGS[@]}"; do
	t0=$(date +%s%N)
	for ((i = 0; i < 200; i++)); do run_in "$cfg" /bin/true; done
	t1=$(date +%s%N)
	samples[exec/$cfg]=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 200 / 1000}')
	t0=$(date +%s%N)
	run_in "$cfg" /bin/sh -c 'i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i + 1)); done'
	t1=$(date +%s%N)
	samples[inrun/$cfg]=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 200 / 1000}')
done

{
	printf '| operation |'
	for cfg in "${CONFIGS[@]}"; do printf ' %s |' "$cfg"; done
	printf '\n|---|'
	for cfg in "${CONFIGS[@]}"; do printf -- '---|'; done
	printf '\n'
	for op in "${OPS[@]}"; do
		name=${op%%:*}
		base=$(echo ${samples[$name/native]} | tr ' ' '\n' | median)
		printf '| %s (ns/call) |' "$name"
		for cfg in "${CONFIGS[@]}"; do
			m=$(echo ${samples[$name/$cfg]} | tr ' ' '\n' | median)
			awk -v m="$m" -v b="$base" -v c="$cfg" 'BEGIN {
				if (c == "native") printf " %.0f |", m; else printf " %.0f (%.2fx) |", m, m / b }'
		done
		printf '\n'
	done
	for row in "exec|start-up, /bin/true, first of a run (us/exec)" \
		"inrun|start-up, /bin/true, from an interposed shell (us/exec)"; do
		printf '| %s |' "${row#*|}"
		base=${samples[${row%%|*}/native]}
		for cfg in "${CONFIGS[@]}"; do
			awk -v m="${samples[${row%%|*}/$cfg]}" -v b="$base" -v c="$cfg" 'BEGIN {
				if (c == "native") printf " %.0f |", m; else printf " %.0f (%+.0f) |", m, m - b }'
		done
		printf '\n'
	done
} | tee "$OUT/syscalls.md"
echo "saved to $OUT/syscalls.md" >&2

# BENCH_ONLY=syscalls: this table alone (the others take minutes)
[ "${BENCH_ONLY:-}" = syscalls ] && exit 0
"$ROOT/tests/bench/view.sh"
"$ROOT/tests/bench/overlay.sh"
"$ROOT/tests/bench/tmpfs.sh"
"$ROOT/tests/bench/root.sh"
