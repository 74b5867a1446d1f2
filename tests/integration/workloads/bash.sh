# bash: traps, jobs, process substitution, arrays, coproc
trap 'echo "INT trap"' INT
trap 'echo "EXIT trap"' EXIT
kill -INT $$
sleep 0.1 & p1=$!
{ sleep 0.05; echo "group done"; } &
wait $p1; echo "waited $?"
wait
arr=(c a b); IFS=$'\n' sorted=($(printf '%s\n' "${arr[@]}" | sort)); echo "${sorted[*]}"
diff <(printf 'a\nb\n') <(printf 'a\nc\n'); echo "diff status $?"
coproc UPPER { tr a-z A-Z; }
echo hello >&"${UPPER[1]}"; exec {UPPER[1]}>&-; read -r line <&"${UPPER[0]}"; echo "$line"
wait
for j in 1 2 3; do (exit $j) & done; wait; echo "jobs done"
read -r -t 0.1 < <(sleep 1) || echo "read timed out"
