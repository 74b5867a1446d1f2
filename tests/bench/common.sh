# Shared by the benchmark scripts (sourced): where things are, and medians.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=$ROOT/build
OUT=$B/bench
mkdir -p "$OUT"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# "a1 a2 ..." "b1 b2 ...": a1/b1, a2/b2, ... one per line
ratios() { paste <(echo $1 | tr ' ' '\n') <(echo $2 | tr ' ' '\n') | awk '{printf "%.4f\n", $1 / $2}'; }

# The first two lines of a table whose columns are "$@".
table_head() {
	printf '| operation |'
	for c; do printf ' %s |' "$c"; done
	printf '\n|---|'
	for c; do printf -- '---|'; done
	printf '\n'
}

# The cell of LABEL and CFG in ${samples[LABEL/CFG]}: the median, and for
# other configs than native the median of each run's ratio to native in
# the same run (a slow period of the machine hits both).
table_cell() {
	local m r
	m=$(echo ${samples[$1/$2]} | tr ' ' '\n' | median)
	if [ "$2" = native ]; then printf ' %.0f |' "$m"; return; fi
	r=$(ratios "${samples[$1/$2]}" "${samples[$1/native]}" | median)
	printf ' %.0f (%.2fx) |' "$m" "$r"
}
