#!/bin/bash
# Runs every test of lazypoline and prints one line per test:
#   PASS name | FAIL name (+ details) | SKIP name: why
# A skipped test is not a passed one.  Exit status 1 when anything failed.
#
# Each interposed test runs in every mode this user can use, as root
# (sud, lazy, eager, auto) and as an unprivileged user (sud, auto; lazy
# must be refused there), and is compared with the same program run
# without the interposer.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC_B=$ROOT/build
ONLY=${1:-}   # optional filter: run only tests whose name contains it

pass=0 fail=0 skip=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL $1"
	shift
	for l in "$@"; do printf '    %s\n' "$l"; done
	fail=$((fail + 1))
}
skipped() { echo "SKIP $1: $2"; skip=$((skip + 1)); }
# same NAME WANT GOT [MIN]: passes when GOT is WANT and has at least MIN
# non-empty lines (default 1: two runs that both print nothing, or both
# fail the same way early, prove nothing); the difference shows otherwise
same() {
	local n
	n=$(printf '%s\n' "$3" | grep -c .)
	if [ "$2" = "$3" ] && [ "$n" -ge "${4:-1}" ]; then ok "$1"; else
		bad "$1" "$(diff <(echo "$2") <(echo "$3") | head -30)" "($n lines, at least ${4:-1} wanted)"; fi
}
wanted() { [ -z "$ONLY" ] || [[ "$1" == *"$ONLY"* ]]; }
# expect NAME cmd... : passes when cmd succeeds; its output shows on failure
expect() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$out"; fi
}
# the tracer demo writes its lines there, not into the compared output
export LPTRACE_OUT=/dev/null
# each run starts with no verdicts kept from earlier runs (several tests
# count who loads Capstone); the test of that cache names its own
export LAZYPOLINE_CACHE_DIR=

WORK=$(mktemp -d /tmp/lazypoline-tests.XXXXXX)
# at the end, also after an interruption: FUSE file systems the tests
# mounted under WORK go first (a dead one would stay mounted otherwise)
cleanup() {
	awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
		fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
chmod 755 "$WORK"
# A copy of the build that an unprivileged user can read.
cp -a "$SRC_B" "$WORK/build"
chmod -R a+rX "$WORK/build"
B=$WORK/build

IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# Configurations: "who:mode"; who is "me" or "nobody".
CONFIGS=()
if [ $IS_ROOT = 1 ]; then
	CONFIGS=(me:sud me:lazy me:eager me:auto nobody:sud nobody:auto)
else
	CONFIGS=(me:sud me:auto)
	skipped "root configurations (lazy, eager, page 0)" "not running as root"
fi

# as WHO cmd... : run as that user, in a fresh directory it owns
as() {
	local who=$1
	shift
	if [ "$who" = nobody ]; then
		"${NOBODY[@]}" env HOME="$RUNDIR" "$@"
	else
		"$@"
	fi
}

# interposed CONFIG LIB cmd... : the command, interposed by LIB
interposed() {
	local who=${1%%:*} mode=${1##*:} lib=$2
	shift 2
	local m=()
	[ "$mode" != auto ] && m=(LAZYPOLINE_MODE="$mode")
	as "$who" timeout 300 env "${m[@]}" LIBLAZYPOLINE="$lib" LD_PRELOAD="$B/libbootstrap.so" "$@"
}

# site_cache CONFIG DIR: runs of sh -c grep with LAZYPOLINE_CACHE_DIR=DIR;
# each prints how many mappings of Capstone grep has
site_cache() {
	local cfg=$1 dir=$2 f n blocks unit size
	capstone_maps() {
		LAZYPOLINE_CACHE_DIR=$1 interposed "$cfg" "$B/liblazypoline.so" sh -c 'grep -c libcapstone /proc/self/maps'
	}
	n=$(capstone_maps "$dir")
	[ "${n:-0}" -ge 1 ] || { echo "first run: grep did not load Capstone ($n)"; return 1; }
	f=$(ls "$dir")
	[[ $f =~ ^sites-[0-9a-f]{40}$ ]] || { echo "the cache holds '$f', not sites-BUILDID"; return 1; }
	[ "$(stat -c %a "$dir") $(stat -c %a "$dir/$f")" = "700 600" ] ||
		{ echo "modes: $(stat -c %a "$dir") $(stat -c %a "$dir/$f"), not 700 600"; return 1; }
	# allocated, not sparse: a store into a hole of a full disk is a SIGBUS
	read -r blocks unit size < <(stat -c '%b %B %s' "$dir/$f")
	[ $((blocks * unit)) -ge "$size" ] || { echo "the table is sparse: $blocks blocks of $unit for $size bytes"; return 1; }
	n=$(capstone_maps "$dir")
	[ "$n" = 0 ] || { echo "second run: grep loaded Capstone although its verdicts were kept ($n)"; return 1; }
	n=$(capstone_maps "")
	[ "${n:-0}" -ge 1 ] || { echo "LAZYPOLINE_CACHE_DIR empty: the cache was used ($n)"; return 1; }
	cp "$dir/$f" "$WORK/sites.copy"
	chmod 666 "$dir/$f"
	n=$(capstone_maps "$dir")
	[ "${n:-0}" -ge 1 ] || { echo "a file others may write was trusted ($n)"; return 1; }
	cmp -s "$dir/$f" "$WORK/sites.copy" || { echo "a file others may write was changed"; return 1; }
	chmod 600 "$dir/$f"
	printf 'garbage!' | dd of="$dir/$f" conv=notrunc status=none
	n=$(capstone_maps "$dir")
	[ "${n:-0}" -ge 1 ] || { echo "a file that is no table of verdicts was trusted ($n)"; return 1; }
	n=$(capstone_maps "$dir")
	[ "$n" = 0 ] || { echo "the bad file was not replaced by a new table ($n)"; return 1; }
	echo ok
}

newdir() {  # [name]: a fresh directory; with a name, always the same path
	if [ $# -gt 0 ]; then
		RUNDIR=$WORK/$1
		rm -rf "$RUNDIR" && mkdir "$RUNDIR"
	else
		RUNDIR=$(mktemp -d "$WORK/run.XXXXXX")
	fi
	chmod 777 "$RUNDIR"
	cd "$RUNDIR" || exit 1
}

# ---------------------------------------------------------------- unit tests
if wanted unit; then
	newdir
	expect "unit tests (Check) as $(id -un)" "$B/tests/unit"
	[ $IS_ROOT = 1 ] && expect "unit tests (Check) as nobody" as nobody "$B/tests/unit"
	expect "unit tests of the view (Check): mounts, resolution, overlay" "$B/tests/unit-vfs"
fi

# ------------------------------------------------------- self-checking tests
for cfg in "${CONFIGS[@]}"; do
	who=${cfg%%:*} mode=${cfg##*:}
	expect_site=any
	[ "$mode" = sud ] && expect_site=expect-sud
	[ "$who:$mode" = me:lazy ] || [ "$who:$mode" = me:eager ] && expect_site=expect-rewritten

	if wanted regs; then
		newdir
		expect "register fidelity [$cfg]" \
			interposed "$cfg" "$B/liblazypoline.so" "$B/tests/regs" $expect_site
		expect "register fidelity, every syscall handled [$cfg]" \
			interposed "$cfg" "$B/demos/libtracer.so" "$B/tests/regs"
		HANDLEALL_GPR=1 expect "register fidelity, every syscall handled without saving vector state [$cfg]" \
			interposed "$cfg" "$B/tests/libhandleall.so" "$B/tests/regs"
		HANDLEALL_GPR=1 HANDLEALL_PREFILTER=1 expect "register fidelity through prefilters [$cfg]" \
			interposed "$cfg" "$B/tests/libhandleall.so" "$B/tests/regs"
		# the state size kept for the run is used only for the XCR0 it was
		# measured with (x87+SSE alone fit in 576 bytes, AVX-512 does not)
		LAZYPOLINE_XSTATE=3:576:0 expect "register fidelity, every syscall handled, another CPU's state size given [$cfg]" \
			interposed "$cfg" "$B/demos/libtracer.so" "$B/tests/regs"
	fi
	if wanted straddle; then
		newdir
		want=any
		[ "$expect_site" = expect-rewritten ] && want=expect-rewritten
		expect "sites across a page, a cache line, a qword, patched while running [$cfg]" \
			interposed "$cfg" "$B/liblazypoline.so" "$B/tests/straddle" $want
		# before Linux 5.14 no MADV_POPULATE_WRITE says whether a page is
		# writable: the write is tried first (a SIGSEGV where it is not)
		[ "$mode" = sud ] || LAZYPOLINE_TEST_NO_POPULATE=1 expect \
			"sites across a page, a cache line, a qword, patched while running, the write tried first [$cfg]" \
			interposed "$cfg" "$B/liblazypoline.so" "$B/tests/straddle" $want
	fi
	if wanted sitestore && [ "$who:$mode" = me:lazy ]; then
		newdir
		# each site runs once: rewritten at its first trap
		LAZYPOLINE_REWRITE_AFTER=1 expect "verdicts kept for the run: no Capstone where they suffice, a miss decided by the next process [$cfg]" \
			interposed "$cfg" "$B/liblazypoline.so" "$B/tests/sitestore"
	fi
	if wanted sitecache && [ "$who:$mode" = me:lazy ]; then
		newdir
		expect "verdicts kept across runs in the user's cache: Capstone once per program, an unsafe or bad file not trusted [$cfg]" \
			site_cache "$cfg" "$RUNDIR/cache"
	fi
	if wanted rewriteafter && [ "$who:$mode" = me:lazy ]; then
		newdir
		expect "a site is rewritten at its 16th trap by default [$cfg]" \
			interposed "$cfg" "$B/liblazypoline.so" "$B/tests/rewriteafter" 16
		for n in 1 7; do
			LAZYPOLINE_REWRITE_AFTER=$n expect "LAZYPOLINE_REWRITE_AFTER=$n: rewritten at trap $n [$cfg]" \
				interposed "$cfg" "$B/liblazypoline.so" "$B/tests/rewriteafter" $n
		done
		expect "a site that trapped 9 times in another process of the program: rewritten at its first trap, page 0 not filled yet; 6 times: at its first trap after the fill; 5 times: not [$cfg]" \
			interposed "$cfg" "$B/liblazypoline.so" "$B/tests/rewritehot"
	fi
	if wanted cancel; then
		newdir
		expect "pthread_cancel of threads blocked in syscalls [$cfg]" \
			interposed "$cfg" "$B/liblazypoline.so" "$B/tests/cancel"
	fi
	if wanted contexts; then
		newdir
		expect "every context interposed: threads, clone3, fork, vfork, spawn, exec, JIT, handlers [$cfg]" \
			interposed "$cfg" "$B/tests/libhooks.so" "$B/tests/contexts" 777777
	fi
	if wanted signals; then
		newdir
		expect "signal semantics [$cfg]" interposed "$cfg" "$B/liblazypoline.so" "$B/tests/signals" interposed
	fi
	if wanted sigchld; then
		newdir
		expect "dash-style SIGCHLD wait loop, 2000 children [$cfg]" \
			interposed "$cfg" "$B/liblazypoline.so" "$B/tests/sigchld-wait" 2000
		# dash itself: vfork'd commands, then background jobs that end
		# together while it waits (a vfork child once overwrote the
		# runtime's busy flag, and dash waited forever)
		out=$(interposed "$cfg" "$B/liblazypoline.so" timeout 60 /bin/dash -c '
			for r in 1 2 3 4 5 6 7 8 9 10; do
				for i in 1 2 3 4; do /bin/true; done
				for i in 1 2 3 4; do /bin/sleep 0.0$i & done
				wait
			done; echo waited' 2>&1)
		if [ "$out" = waited ]; then ok "dash: vfork then background jobs ending together, 10 rounds [$cfg]"; else
			bad "dash: vfork then background jobs ending together, 10 rounds [$cfg]" "$out"; fi
	fi
	if wanted efault; then
		newdir
		want=$(as "$who" "$B/tests/efault" 2>&1)
		for lib in liblazypoline.so demos/libtracer.so; do
			got=$(interposed "$cfg" "$B/$lib" "$B/tests/efault" 2>&1)
			if [ "$got" = "$want" ]; then ok "bad pointers give EFAULT ($lib) [$cfg]"; else
				bad "bad pointers give EFAULT ($lib) [$cfg]" "$(diff <(echo "$want") <(echo "$got"))"; fi
		done
		# every site rewritten at once: page 0 holds the trampoline
		# (before the first rewrite it is reserved, not readable)
		got=$(LAZYPOLINE_REWRITE_AFTER=1 interposed "$cfg" "$B/liblazypoline.so" "$B/tests/efault" 2>&1)
		if [ "$got" = "$want" ]; then ok "bad pointers give EFAULT, page 0 filled [$cfg]"; else
			bad "bad pointers give EFAULT, page 0 filled [$cfg]" "$(diff <(echo "$want") <(echo "$got"))"; fi
	fi
done
# the paths taken on CPUs without FSGSBASE (arch_prctl) or XSAVEC (XSAVE)
if wanted legacy-cpu; then
	newdir
	for m in sud lazy; do
		[ $m = lazy ] && [ $IS_ROOT = 0 ] && continue
		for t in "regs" "straddle" "signals interposed" "sigchld-wait 500"; do
			expect "without FSGSBASE and XSAVEC: $t [$m]" env LAZYPOLINE_TEST_NO_FSGSBASE=1 \
				LAZYPOLINE_TEST_NO_XSAVEC=1 LAZYPOLINE_MODE=$m LIBLAZYPOLINE="$B/liblazypoline.so" \
				LD_PRELOAD="$B/libbootstrap.so" "$B/tests/"$t
		done
		expect "without FSGSBASE and XSAVEC: contexts [$m]" env LAZYPOLINE_TEST_NO_FSGSBASE=1 \
			LAZYPOLINE_TEST_NO_XSAVEC=1 LAZYPOLINE_MODE=$m LIBLAZYPOLINE="$B/tests/libhooks.so" \
			LD_PRELOAD="$B/libbootstrap.so" "$B/tests/contexts" 777777
	done
fi

# in-process start while another thread runs: that thread is not the
# interposer's (its syscalls run as they are, its signals reach the
# program) -- in SUD mode it has no page 0 to read a block pointer from
if wanted inprocess-thread; then
	newdir
	for m in sud lazy; do
		if [ $m = lazy ] && [ $IS_ROOT = 0 ]; then
			skipped "in-process start beside a running thread [lazy]" "page 0 needs root"
			continue
		fi
		same "in-process start beside a running thread [$m]" \
			"this thread: fake; the other one: real real" "$("$B/tests/inprocess-thread" $m 2>&1)"
	done
fi

# native runs: the self-checking programs must pass without the interposer
if wanted native; then
	newdir
	for t in "regs" "straddle" "cancel" "contexts any" "signals native" "sigchld-wait 200"; do
		expect "native run of $t" "$B/tests/"$t
	done
fi

# ------------------------------------------------------------ real programs
run_workload() {  # native|view|CONFIG who shell script -> output, then the exit status
	local how=$1 who=$2 sh=$3 script=$4
	if [ "$how" = native ]; then
		# under timeout too: it resets the signals its caller ignored
		as "$who" timeout 300 "$sh" "$script" 2>&1
	elif [ "$how" = view ]; then
		# every path under /usr, /etc and the run's directory resolved by
		# the view (each bound onto itself: the same files, the same output)
		as "$who" timeout 300 "$B/vfsrun" --bind /usr /usr --bind /etc /etc \
			--bind "$RUNDIR" "$RUNDIR" "$sh" "$script" 2>&1
	else
		interposed "$how" "$B/liblazypoline.so" "$sh" "$script" 2>&1
	fi
	echo "exit status $?"
}

for w in "$ROOT"/tests/integration/workloads/*.sh; do
	name=$(basename "$w" .sh)
	wanted "$name" || continue
	sh=sh
	[ "$name" = bash ] && sh=bash
	[ "$name" = dash ] && sh=dash
	if [ "$name" = git ] && ! command -v git >/dev/null; then skipped "$name" "git is not installed"; continue; fi
	for cfg in "${CONFIGS[@]}"; do
		who=${cfg%%:*}
		newdir workload
		want=$(run_workload native "$who" $sh "$w")
		newdir workload
		got=$(run_workload "$cfg" "$who" $sh "$w")
		if [ "$got" = "$want" ]; then ok "$name: same as without the interposer [$cfg]"; else
			bad "$name: differs from the run without the interposer [$cfg]" \
				"$(diff <(echo "$want") <(echo "$got") | head -20)"; fi
	done
	for who in me nobody; do
		[ $IS_ROOT = 0 ] && [ $who = nobody ] && continue
		newdir workload
		want=$(run_workload native "$who" $sh "$w")
		newdir workload
		got=$(run_workload view "$who" $sh "$w")
		if [ "$got" = "$want" ]; then ok "$name: same in a view binding /usr, /etc and its directory [$who]"; else
			bad "$name: differs in a view binding /usr, /etc and its directory [$who]" \
				"$(diff <(echo "$want") <(echo "$got") | head -20)"; fi
	done
done

# ---------------------------------------------- syscall counts against strace
if wanted strace; then
	if ! command -v strace >/dev/null; then
		skipped "syscall counts against strace -f -c" "strace is not installed"
	else
		newdir
		cp "$ROOT/tests/integration/workloads/dash.sh" w.sh
		# One run, strace on top of the interposed program: a shell's wait
		# loop (wait4, rt_sigsuspend, rt_sigprocmask) depends on timing, so
		# two separate runs cannot be compared exactly.  The kernel reports a
		# syscall to strace only when it runs it (a SUD trap is dispatched
		# before ptrace sees it), so each application syscall is counted once.
		strace -f -c -o strace.out -E LPTRACE_COUNT="$RUNDIR/ours.txt" \
			-E LIBLAZYPOLINE="$B/demos/libtracer.so" -E LD_PRELOAD="$B/libbootstrap.so" \
			dash w.sh >/dev/null 2>&1
		# strace -c: "% time seconds usecs/call calls [errors] syscall"
		declare -A theirs ours
		while read -r _ _ _ calls rest; do
			set -- $rest
			name=${!#}
			[[ $calls =~ ^[0-9]+$ ]] && [ "$name" != total ] && theirs[$name]=$calls
		done < <(grep -E '^ *[0-9]' strace.out)
		while read -r name n; do ours[$name]=$((${ours[$name]:-0} + n)); done <ours.txt
		# Where strace may count more, by design:
		#  - ld.so's and libc's start-up syscalls, before libbootstrap's
		#    constructor runs;
		#  - the first execve, made by strace itself (exactly one fewer);
		#  - rt_sigreturn: handlers return through the runtime's restorer;
		#  - exit_group, which strace -c does not count (it never returns);
		#  - the syscalls the runtime and the tracer make on their own behalf
		#    (setting up, signal masks, writing the counts).
		at_most=" access arch_prctl brk mprotect munmap pread64 prlimit64 rseq set_tid_address "
		at_most+="set_robust_list getrandom statfs read mmap openat newfstatat close fstat readlink "
		at_most+="prctl rt_sigaction rt_sigprocmask sigaltstack fcntl getpid gettid write sysinfo "
		#    (the first process of a run makes the table of kept verdicts;
		#    a new thread's interposer stack is mapped in at once)
		at_most+="memfd_create ftruncate madvise "
		#    A signal held back while the runtime itself was running is
		#    delivered by re-queueing it (rt_tgsigqueueinfo), or inside a
		#    sigsuspend of the runtime's when only the wait's mask admits it.
		at_most+="rt_tgsigqueueinfo rt_sigsuspend "
		#  - a fork interrupted by a signal is restarted inside the kernel
		#    (ERESTARTNOINTR): strace counts it twice, the interposer once.
		at_most+="clone clone3 fork vfork "
		problems=()
		for name in $(printf '%s\n' "${!theirs[@]}" "${!ours[@]}" | sort -u); do
			t=${theirs[$name]:-0} o=${ours[$name]:-0}
			case "$name" in
			execve) [ "$o" = $((t - 1)) ] || problems+=("execve: ours $o, strace $t (expected one fewer)") ;;
			exit_group) [ "$t" = 0 ] && [ "$o" -gt 0 ] || problems+=("exit_group: ours $o, strace $t") ;;
			rt_sigreturn) [ "$o" = 0 ] || problems+=("rt_sigreturn: ours $o") ;;
			*)
				if [[ "$at_most" == *" $name "* ]]; then
					[ "$o" -le "$t" ] || problems+=("$name: ours $o > strace $t")
				else
					[ "$o" = "$t" ] || problems+=("$name: ours $o, strace $t")
				fi
				;;
			esac
		done
		exact=0
		for name in "${!theirs[@]}"; do [[ "$at_most" == *" $name "* ]] || exact=$((exact + 1)); done
		if [ ${#problems[@]} = 0 ] && [ $exact -ge 10 ]; then
			ok "syscall counts match strace -f -c ($exact syscalls exactly, start-up ones at most)"
		else bad "syscall counts match strace -f -c" "${problems[@]}" "exact: $exact"; fi
	fi
fi

# ---------------------------------------------- SUD traps end without a sigreturn
# A trapped syscall nobody handles returns to the program the way the
# rewritten path does (lp_sigsys_entry's quick return), not through
# rt_sigreturn: 2500 trapped getppid calls (5 rounds of 500) may not cost
# 2500 sigreturns.  Signals and clone keep theirs (signal semantics, regs,
# contexts test those paths).
if wanted quickreturn; then
	if ! command -v strace >/dev/null; then
		skipped "SUD traps end without a sigreturn" "strace is not installed"
	else
		newdir
		# strace shows each trap's SIGSYS too: they must have happened
		strace -f -q -e trace=rt_sigreturn -o sr.out env LAZYPOLINE_MODE=sud LIBLAZYPOLINE="$B/liblazypoline.so" \
			LD_PRELOAD="$B/libbootstrap.so" "$B/tests/loops" getppid 500 >/dev/null 2>&1
		n=$(grep -c 'rt_sigreturn(' sr.out) traps=$(grep -c 'si_code=SYS_USER_DISPATCH, .*si_syscall=__NR_getppid' sr.out)
		if [ "$traps" -ge 2500 ] && [ "$n" -lt 250 ] && grep -q '+++ exited with 0 +++' sr.out; then
			ok "SUD traps end without a sigreturn ($n sigreturns for $traps trapped getppid calls)"
		else bad "SUD traps end without a sigreturn" "$n sigreturns for $traps trapped getppid calls" "$(tail -3 sr.out)"; fi
	fi
fi

# ------------------------------------------- the view against the kernel
. "$ROOT/tests/vfs/differential.sh"
. "$ROOT/tests/vfs/overlay.sh"
. "$ROOT/tests/vfs/memory.sh"
. "$ROOT/tests/vfs/view.sh"
. "$ROOT/tests/fuse/faultfs.sh"
. "$ROOT/tests/fuse/overlay-faults.sh"

# -------------------------------------------------------------- vfsrun CLI
expect_exit() {  # name status cmd... : status and exactly one line on stderr
	local name=$1 want=$2
	shift 2
	local err status
	err=$("$@" 2>&1 >/dev/null)
	status=$?
	if [ "$status" = "$want" ] && [ "$(printf '%s\n' "$err" | grep -c .)" = 1 ]; then ok "$name"; else
		bad "$name" "exit status $status (expected $want), stderr:" "$err"; fi
}

if wanted cli; then
	newdir
	V=$B/vfsrun
	if $V --help | grep -q -- '--trace' && [ "$($V --version)" = "vfsrun (lazypoline) 0.1.0" ]; then
		ok "vfsrun --help and --version"; else bad "vfsrun --help and --version"; fi
	expect_exit "vfsrun: unknown option exits 125" 125 $V --bogus true
	expect_exit "vfsrun: bad --mode exits 125" 125 $V --mode=fast true
	expect_exit "vfsrun: command not found exits 127" 127 $V no-such-command-lp
	printf 'x' >notexec
	expect_exit "vfsrun: command not executable exits 126" 126 $V ./notexec
	# with a view, COMMAND is looked up in it first: by lazypoline-vfs-loader
	# where it is beside libvfs.so (a static program: not vfsrun started
	# again with the dynamic loader, the runtime and a second libc)
	expect_exit "vfsrun: command not found in a view exits 127" 127 $V -b "$RUNDIR:/mnt-lp" no-such-command-lp
	expect_exit "vfsrun: command in a view not executable exits 126" 126 $V -b "$RUNDIR:/mnt-lp" /mnt-lp/notexec
	if ! command -v strace >/dev/null; then
		skipped "vfsrun: COMMAND looked up in the view by lazypoline-vfs-loader" "strace is not installed"
	else
		strace -f -qq -e trace=execve -e signal=none -o execs.txt $V -b "$RUNDIR:/mnt-lp" true
		same "vfsrun: COMMAND looked up in the view by lazypoline-vfs-loader" "vfsrun lazypoline-vfs-loader true" \
			"$(grep -o 'execve("[^"]*"' execs.txt | sed 's/^execve("//; s/"$//; s#.*/##' | tr '\n' ' ' | sed 's/ $//')"
	fi
	if out=$($V "$B/tests/static-true" 2>&1); then ok "vfsrun: a static binary runs (started by lazypoline-loader)"
	else bad "vfsrun: a static binary runs" "$out"; fi
	# a static program has no .eh_frame_hdr (gcc -static links without it):
	# its functions come from .eh_frame, walked, so that its sites are
	# rewritten -- in the first process of a run (lazypoline-loader, which
	# loads Capstone) and in the next (lazypoline-vfs-loader, kept verdicts)
	if ! $V --mode=lazy true 2>/dev/null; then
		skipped "vfsrun: a static binary's sites are rewritten" "lazy mode needs page 0, which this user may not map"
	else
		mkdir -p static-cache
		for run in first second; do
			out=$(LAZYPOLINE_CACHE_DIR=$PWD/static-cache LAZYPOLINE_REWRITE_AFTER=1 LAZYPOLINE_DEBUG=1 \
				$V --mode=lazy "$B/tests/static-true" 2>&1)
			if [ $? = 0 ] && ! grep -q 'no-function' <<<"$out"; then
				ok "vfsrun: a static binary's sites are rewritten ($run process of the program)"
			else bad "vfsrun: a static binary's sites are rewritten ($run process)" "$out"; fi
		done
	fi
	$V sh -c 'exit 42'
	if [ $? = 42 ]; then ok "vfsrun exits with the command's status"; else bad "vfsrun exits with the command's status"; fi
	$V --trace=trace.txt sh -c 'cat /etc/hostname >/dev/null; ls -d / >/dev/null'
	if grep -q 'openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3' trace.txt &&
		grep -q 'execve("/usr/bin/ls", \["ls", "-d", "/"\], .*) = 0' trace.txt &&
		grep -q 'exit_group(0) = ?' trace.txt; then
		ok "vfsrun --trace: one decoded line per syscall, exec'd programs included"
	else bad "vfsrun --trace" "$(head -c 2000 trace.txt)"; fi
	# in a view, the paths the program gave, as strace shows them in a chroot
	echo traced >traced.txt
	$V --trace=trace-view.txt -b "$RUNDIR:/mnt-lp" cat /mnt-lp/traced.txt >/dev/null
	if grep -q 'openat(AT_FDCWD, "/mnt-lp/traced.txt", O_RDONLY) = 3' trace-view.txt &&
		! grep -q "$RUNDIR/traced.txt" trace-view.txt; then
		ok "vfsrun --trace in a view: the program's paths, not the host's"
	else bad "vfsrun --trace in a view" "$(grep traced trace-view.txt | head -c 2000)"; fi
	expect_exit "invalid LAZYPOLINE_MODE: one line, non-zero" 125 \
		env LAZYPOLINE_MODE=fast LIBLAZYPOLINE="$B/liblazypoline.so" LD_PRELOAD="$B/libbootstrap.so" true
	for v in 0 -3 4x 1000001; do
		expect_exit "invalid LAZYPOLINE_REWRITE_AFTER=$v: one line, non-zero" 125 \
			env LAZYPOLINE_REWRITE_AFTER=$v LIBLAZYPOLINE="$B/liblazypoline.so" LD_PRELOAD="$B/libbootstrap.so" true
	done
	expect_exit "missing LIBLAZYPOLINE file: one line, non-zero" 125 \
		env LIBLAZYPOLINE=/nonexistent.so LD_PRELOAD="$B/libbootstrap.so" true
	expect_exit "LIBLAZYPOLINE unset: one line, non-zero" 125 env -u LIBLAZYPOLINE LD_PRELOAD="$B/libbootstrap.so" true
	expect_exit "LIBLAZYPOLINE not an interposer: one line, non-zero" 125 \
		env LIBLAZYPOLINE="$B/libbootstrap.so" LD_PRELOAD="$B/libbootstrap.so" true
	if [ $IS_ROOT = 1 ]; then
		expect_exit "lazy mode without page 0 is refused (nobody)" 125 \
			"${NOBODY[@]}" env LAZYPOLINE_MODE=lazy LIBLAZYPOLINE="$B/liblazypoline.so" \
			LD_PRELOAD="$B/libbootstrap.so" true
	else
		skipped "lazy mode without page 0 is refused" "needs root to switch to nobody"
	fi
fi

# ------------------------------------------------------ whole-root views
. "$ROOT/tests/vfs/root.sh"

# ------------------------------------------------------------------- demos
if wanted demos; then
	newdir
	out=$(env LIBLAZYPOLINE="$B/demos/libwriteblock.so" LD_PRELOAD="$B/libbootstrap.so" \
		sh -c '{ echo x > f1; mkdir d; } 2>/dev/null; cat /etc/hostname >/dev/null && echo read-ok; ls' 2>&1)
	if [ "$out" = "read-ok" ] && [ ! -e f1 ]; then ok "demo: write blocker refuses writes, allows reads"; else
		bad "demo: write blocker" "$out"; fi
	out=$(env LPTRACE_OUT="$RUNDIR/t.txt" LIBLAZYPOLINE="$B/demos/libtracer.so" LD_PRELOAD="$B/libbootstrap.so" \
		cat /etc/hostname 2>&1 >/dev/null)
	if grep -q '\] openat(fd, "/etc/hostname", 0, 0) = 3$' t.txt && grep -q 'exit_group' t.txt; then
		ok "demo: tracer"; else bad "demo: tracer" "$(head -5 t.txt)"; fi
	for who in me nobody; do
		[ $IS_ROOT = 0 ] && [ $who = nobody ] && continue
		out=$(as $who "$B/demos/inprocess" 2>&1)
		if [[ "$out" == *"hostname: interposed-host"*"raw unlink: Operation not permitted"* ]]; then
			ok "demo: in-process interposer [$who]"; else bad "demo: in-process interposer [$who]" "$out"; fi
	done
	expect "README example runs" "$B/readme-example"
	out=$(cd "$ROOT" && "$B/readme-vfs-example" 2>&1)
	if [ "$out" = "$(cat "$ROOT/demos/fixtures/myapp/app.conf")" ] && [ ! -e /etc/myapp ]; then
		ok "README example of vfs.h runs"; else bad "README example of vfs.h runs" "$out"; fi
fi

echo
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
