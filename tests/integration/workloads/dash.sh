# dash: traps, background jobs, subshells, pipes, here-documents
trap 'echo "EXIT trap"' EXIT
trap 'echo "USR1 trap"' USR1
kill -USR1 $$
f() { echo "f $1"; return 3; }
f one; echo "status $?"
(sleep 0.1; echo "background 1") &
(echo "background 2") &
wait
echo "after wait"
for i in 1 2 3; do echo "loop $i"; done | sort -r
cat <<END
here $((6 * 7))
END
x=$(echo sub | tr a-z A-Z); echo "$x"
sh -c 'exit 5'; echo "child status $?"
