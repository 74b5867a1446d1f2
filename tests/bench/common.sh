# Shared by the benchmark scripts (sourced): where things are, and medians.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=$ROOT/build
OUT=$B/bench
mkdir -p "$OUT"
# red-zone verdicts kept across runs (README, Modes): the bench's own
# cache, warmed by its first runs as a user's is by earlier ones
export LAZYPOLINE_CACHE_DIR=$OUT/site-cache
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# "a1 a2 ..." "b1 b2 ...": a1/b1, a2/b2, ... one per line
ratios() { paste <(echo $1 | tr ' ' '\n') <(echo $2 | tr ' ' '\n') | awk '{printf "%.4f\n", $1 / $2}'; }

# run_ops: REPEAT interleaved runs of each of OPS ("LABEL|...") under each
# of CONFIGS.  The script's `measure OP CFG` prints the sample (nothing:
# no cell), or fails, which ends the bench.
run_ops() {
	local r op cfg v
	for ((r = 0; r < REPEAT; r++)); do
		for op in "${OPS[@]}"; do
			for cfg in "${CONFIGS[@]}"; do
				v=$(measure "$op" "$cfg") || exit 1
				[ -z "$v" ] || samples[${op%%|*}/$cfg]+="$v "
			done
		done
		echo "  run $((r + 1))/$REPEAT done" >&2
	done
}

# ms T0 T1 [N]: the milliseconds from T0 to T1 (date +%s%N), over N
ms() { awk -v a="$1" -v b="$2" -v n="${3:-1}" 'BEGIN {printf "%.3f", (b - a) / n / 1e6}'; }

# The first two lines of a table whose columns are "$@".
table_head() {
	printf '| operation |'
	for c; do printf ' %s |' "$c"; done
	printf '\n|---|'
	for c; do printf -- '---|'; done
	printf '\n'
}

# The table of the OPS ("LABEL|...") by CONFIGS, printed and saved as
# build/bench/NAME.md.
print_table() {
	{
		table_head "${CONFIGS[@]}"
		for op in "${OPS[@]}"; do
			local label=${op%%|*}
			printf '| %s |' "$label"
			for cfg in "${CONFIGS[@]}"; do table_cell "$label" "$cfg"; done
			printf '\n'
		done
	} | tee "$OUT/$1.md"
	echo "saved to $OUT/$1.md" >&2
}

# The cell of LABEL and CFG in ${samples[LABEL/CFG]}: the median, and for
# other configs than the reference (REF, native by default) the median of
# each run's ratio to it in the same run (a slow period of the machine
# hits both); CELL_FMT formats the numbers.
table_cell() {
	local m r ref=${REF:-native} f=${CELL_FMT:-%.0f}
	if [ -z "${samples[$1/$2]:-}" ]; then printf ' n/a |'; return; fi
	m=$(echo ${samples[$1/$2]} | tr ' ' '\n' | median)
	if [ "$2" = "$ref" ]; then printf " $f |" "$m"; return; fi
	r=$(ratios "${samples[$1/$2]}" "${samples[$1/$ref]}" | median)
	printf " $f (%.2fx) |" "$m" "$r"
}
