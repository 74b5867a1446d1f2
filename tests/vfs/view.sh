# The view beyond the differential suite (sourced by tests/run.sh): what
# the kernel's bind mounts cannot be compared with -- programs without
# libc, signal handlers and forks racing threads inside the view, the
# configuration reaching children through env -i, vfsrun's options and
# their errors, and the in-process API.

# view_configs: who:mode pairs to run the view in (root: sud and lazy)
VIEW_CONFIGS=(me:sud)
[ $IS_ROOT = 1 ] && VIEW_CONFIGS=(me:sud me:lazy nobody:auto)

# in_view CONFIG vfsrun-args... : vfsrun as that user, in that mode
# (under the command VIEW_WRAP holds, if any: strace)
VIEW_WRAP=()
in_view() {
	local who=${1%%:*} mode=${1##*:}
	shift
	local m=()
	[ "$mode" != auto ] && m=(--mode="$mode")
	as "$who" "${VIEW_WRAP[@]}" timeout 300 "$B/vfsrun" "${m[@]}" "$@"
}

if wanted view; then
	newdir
	mkdir -p fix/src/sub
	printf 'hello\n' >fix/src/file
	printf 'deep\n' >fix/src/sub/deep
	chmod -R a+rwX fix
	SRC=$RUNDIR/fix/src
	for cfg in "${VIEW_CONFIGS[@]}"; do
		# no libc at all: raw syscall instructions see the view
		out=$(in_view $cfg --bind "$SRC" /lp-view/d "$B/tests/rawcat" /lp-view/d/file 2>&1)
		if [ "$out" = hello ]; then ok "view: raw syscalls without libc [$cfg]"; else
			bad "view: raw syscalls without libc [$cfg]" "$out"; fi
		# the command is looked up in the view; `..` leaves the mount
		# through the directory only the view has
		out=$(in_view $cfg --bind "$B/tests" /lp-view/bin --chdir /lp-view/bin \
			/lp-view/bin/rawcat ../bin/../bin/rawcat 2>&1 | head -c 4 | od -An -c | tr -d ' \n')
		if [ "$out" = 177ELF ]; then ok "view: COMMAND and .. through a mount point [$cfg]"; else
			bad "view: COMMAND and .. through a mount point [$cfg]" "$out"; fi
		# a "#!" script whose interpreter the view moves, run 300 times by
		# a shell that vforks (dash): the argv the view builds in each
		# vfork child is in the shell's memory and must not stay there
		# (it did, 24 KiB per exec)
		printf '#!/lp-view/i/sh\n:\n' >"$SRC/moved.sh"
		chmod 755 "$SRC/moved.sh"
		out=$(in_view $cfg --bind "$SRC" /lp-view/d --bind /usr/bin /lp-view/i sh -c \
			'vm() { awk "/^VmSize:/ { print \$2 }" /proc/$$/status; }
			i=0; while [ $i -lt 320 ]; do /lp-view/d/moved.sh || exit 1
			i=$((i + 1)); [ $i = 20 ] && a=$(vm); done; echo $a $(vm)' 2>&1)
		if [[ "$out" =~ ^([0-9]+)\ ([0-9]+)$ ]] && [ $((BASH_REMATCH[2] - BASH_REMATCH[1])) -lt 1024 ]; then ok "view: 300 vfork+exec of a moved #! script leave no memory behind [$cfg]"; else
			bad "view: 300 vfork+exec of a moved #! script leave no memory behind [$cfg]" "VmSize (KiB) after 20 and after 320: $out"; fi
		# ... and the shell maps and unmaps nothing per vfork+exec: the
		# child's interposer block and view state are kept for the next
		# (they were four mappings and unmappings each time)
		if ! command -v strace >/dev/null; then
			skipped "view: a vfork+exec maps nothing in the shell [$cfg]" "strace is not installed"
		else
			maps=()
			for n in 10 40; do
				VIEW_WRAP=(strace -f -qq -e trace=mmap,munmap -e signal=none -o "$SRC/maps.$n")
				in_view $cfg --bind "$SRC" /lp-view/d --bind /usr/bin /lp-view/i sh -c \
					'echo $$ >/lp-view/d/shell.'$n'; i=0; while [ $i -lt '$n' ]; do /lp-view/d/moved.sh; i=$((i + 1)); done' 2>&1
				VIEW_WRAP=()
				maps+=("$(grep -cE "^$(cat "$SRC/shell.$n" 2>/dev/null) +(mmap|munmap)\(" "$SRC/maps.$n")")
			done
			rm -f "$SRC"/maps.* "$SRC"/shell.*
			if [ "${maps[0]}" -gt 0 ] && [ $((maps[1] - maps[0])) -lt 10 ]; then
				ok "view: a vfork+exec maps nothing in the shell [$cfg]"; else
				bad "view: a vfork+exec maps nothing in the shell [$cfg]" "mmap+munmap in the shell: ${maps[0]} with 10 execs, ${maps[1]} with 40"; fi
		fi
		# threads, a signal handler every 0.5 ms and forks, all in the view
		expect "view: threads, signal handlers and forks in the view, no deadlock [$cfg]" \
			in_view $cfg --bind "$SRC" /lp-view/d "$B/tests/vfs-stress" /lp-view/d
		# a program that dup2s over, closes and close_ranges every fd it
		# does not know: the view's own are refused it (EBADF), and the
		# view goes on in it and in the program it runs
		out=$(in_view $cfg --bind "$SRC" /lp-view/d "$B/tests/fdguard" cat /lp-view/d/file 2>&1)
		if [ "$out" = "$(printf 'refused some\nhello')" ]; then ok "view: closing every fd leaves the view's own [$cfg]"; else
			bad "view: closing every fd leaves the view's own [$cfg]" "$out"; fi
		# /proc links the view does not know (pipes) are the kernel's
		# and those it knows go on in the view (.. out of a mount root)
		out=$(in_view $cfg --bind "$SRC" /lp-view/d sh -c \
			'echo piped | cat /proc/self/fd/0; echo again | sh -c "cat /proc/\$\$/fd/0";
			exec 3</lp-view/d; cat /proc/self/fd/3/../d/file; cd /lp-view/d/sub && cat /proc/self/cwd/../file' 2>&1)
		if [ "$out" = "$(printf 'piped\nagain\nhello\nhello')" ]; then ok "view: /proc/self/fd and cwd links, to pipes and to the view [$cfg]"; else
			bad "view: /proc/self/fd and cwd links, to pipes and to the view [$cfg]" "$out"; fi
		# a directory another process of the view turns into a symlink:
		# this shell walked it before (directories known not to be
		# symlinks are shared by the view's processes, and every change
		# to names through the view makes them unknown again)
		rm -rf "$SRC/dir" "$SRC/other"
		out=$(in_view $cfg --bind "$SRC" /lp-view/d sh -c \
			'mkdir /lp-view/d/dir /lp-view/d/other; echo first >/lp-view/d/dir/f; echo second >/lp-view/d/other/f
			read a </lp-view/d/dir/f; sh -c "rm -r /lp-view/d/dir && ln -s /lp-view/d/other /lp-view/d/dir"
			read b </lp-view/d/dir/f; echo "$a $b"' 2>&1)
		rm -rf "$SRC/dir" "$SRC/other"
		if [ "$out" = "first second" ]; then ok "view: a directory made a symlink by another process is followed in the view [$cfg]"; else
			bad "view: a directory made a symlink by another process is followed in the view [$cfg]" "$out"; fi
		# the same when the symlink is renamed over it (made before the walk)
		out=$(in_view $cfg --bind "$SRC" /lp-view/d sh -c \
			'mkdir /lp-view/d/dir /lp-view/d/other; echo first >/lp-view/d/dir/f; echo second >/lp-view/d/other/f
			ln -s /lp-view/d/other /lp-view/d/lnk; read a </lp-view/d/dir/f
			sh -c "rm -r /lp-view/d/dir && mv /lp-view/d/lnk /lp-view/d/dir"
			read b </lp-view/d/dir/f; echo "$a $b"' 2>&1)
		rm -rf "$SRC/dir" "$SRC/other" "$SRC/lnk"
		if [ "$out" = "first second" ]; then ok "view: a symlink renamed over a directory by another process is followed in the view [$cfg]"; else
			bad "view: a symlink renamed over a directory by another process is followed in the view [$cfg]" "$out"; fi
		# env -i: the configuration still reaches the grandchildren
		out=$(in_view $cfg -b "$SRC:/lp-view/d" -w /lp-view/d env -i /bin/sh -c 'pwd; cat sub/deep; ls /lp-view' 2>&1)
		if [ "$out" = "$(printf '/lp-view/d\ndeep\nd')" ]; then ok "view: reaches children through env -i [$cfg]"; else
			bad "view: reaches children through env -i [$cfg]" "$out"; fi
	done

	# set-user-ID and file-capability programs: the kernel would drop
	# LD_PRELOAD and run them outside the view; they run in it, unprivileged
	if [ $IS_ROOT = 1 ]; then
		cp /bin/cat suid-cat && chmod 4755 suid-cat
		cp /bin/cat cap-cat && chmod 755 cap-cat
		caps=cap-cat
		setcap cap_dac_read_search+ep cap-cat 2>/dev/null || caps=
		for prog in suid-cat $caps; do
			out=$(in_view nobody:auto -b "$SRC:/lp-view/d" "$RUNDIR/$prog" /lp-view/d/file 2>&1)
			if [ "$out" = hello ]; then ok "view: a $prog program runs in the view, as the user"; else
				bad "view: a $prog program runs in the view" "$out"; fi
		done
		[ -n "$caps" ] || skipped "view: a file-capability program" "setcap (libcap2-bin) is missing or refused"
	fi

	# a DEST reached through a host symlink (Debian's /etc/os-release ->
	# ../usr/lib/os-release) is bound where it leads, and the path as named
	# still leads there, in children and through env -i too
	if [ -L /etc/os-release ]; then
		out=$("$B/vfsrun" --ro-bind "$ROOT/demos/fixtures/os-release" /etc/os-release \
			sh -c 'head -1 /etc/os-release; env -i /bin/head -1 /etc/os-release; head -1 /usr/lib/os-release' 2>&1)
		want=$(printf 'PRETTY_NAME="Fixture Linux 1.0"\n%.0s' 1 2 3)
		if [ "$out" = "$want" ]; then ok "view: a DEST named through a host symlink"; else
			bad "view: a DEST named through a host symlink" "$out"; fi
	else
		skipped "view: a DEST named through a host symlink" "/etc/os-release is not a symlink here"
	fi

	# a view's mounts stay where they were made, as the kernel's: a host
	# symlink on the way to a DEST changed afterwards moves no mount, in
	# the processes started later either (they get the mounts as made)
	mkdir -p "$RUNDIR/mv/a/m" "$RUNDIR/mv/b/m"
	ln -sfn a "$RUNDIR/mv/link"
	relink="ln -sfn b $RUNDIR/mv/link && cat $RUNDIR/mv/a/m/file && sh -c 'cat $RUNDIR/mv/a/m/file; ls $RUNDIR/mv/link/m'"
	out=$("$B/vfsrun" --bind "$SRC" "$RUNDIR/mv/link/m" sh -c "$relink" 2>&1)
	kernel="hello
hello"
	if [ $IS_ROOT = 1 ]; then
		ln -sfn a "$RUNDIR/mv/link"
		kernel=$(unshare -m sh -c "mount --bind '$SRC' '$RUNDIR/mv/link/m' && $relink" 2>&1)
	fi
	if [ "$out" = "hello
hello" ] && [ "$kernel" = "$out" ]; then ok "view: a host symlink to a DEST changed later moves no mount"; else
		bad "view: a host symlink to a DEST changed later moves no mount" "view: $out" "kernel: $kernel"; fi

	# io_uring would open paths behind the view's back: it is refused
	ring='$p = "\0" x 120; $r = syscall(425, 8, $p); print $r < 0 ? "$!\n" : "ring\n"'
	native=$(perl -e "$ring" 2>&1)
	out=$("$B/vfsrun" --bind "$SRC" /lp-view/d perl -e "$ring" 2>&1)
	if [ "$out" = "Function not implemented" ] && [ "$native" = ring ]; then ok "view: io_uring_setup is refused (ENOSYS)"; else
		bad "view: io_uring_setup is refused (ENOSYS)" "native: $native" "view: $out"; fi

	# vfsrun runs itself in the view first, in SUD mode (LAZYPOLINE_MODE_ONCE):
	# Capstone is loaded by sh and grep only, which run in the mode asked for
	name="vfsrun: its own start in the view loads no Capstone, COMMAND runs in the mode asked for"
	if [ $IS_ROOT = 1 ]; then
		out=$(LAZYPOLINE_DEBUG=1 "$B/vfsrun" --mode=lazy --bind "$SRC" /lp-view/d sh -c 'grep -c libcapstone /proc/self/maps' 2>&1)
		if [ "$(grep -c 'Capstone loaded' <<<"$out")" = 2 ] && [ "$(tail -1 <<<"$out")" -ge 1 ] 2>/dev/null; then ok "$name"
		else bad "$name" "$out"; fi
	else
		skipped "$name" "not root: page 0 cannot be mapped (no rewriting mode)"
	fi

	# mounts file: comments, blank lines, escapes, SRC relative to the file
	mkdir -p "conf dir/with space"
	printf 'spaced\n' >"conf dir/with space/f"
	chmod -R a+rwX "conf dir"
	printf '# mounts for the test\n\nbind  with\\040space   /lp-view/a\\040b\n ro-bind %s /lp-view/ro  # the source\n' \
		"$SRC" >"conf dir/mounts"
	out=$("$B/vfsrun" --mounts "conf dir/mounts" sh -c 'cat "/lp-view/a b/f"; ls /lp-view; echo x >/lp-view/ro/new' 2>&1)
	want=$(printf 'spaced\na b\nro\nsh: 1: cannot create /lp-view/ro/new: Read-only file system')
	if [ "$out" = "$want" ] && [ ! -e "$SRC/new" ]; then ok "vfsrun --mounts: comments, escapes, relative SRC, ro-bind"; else
		bad "vfsrun --mounts: comments, escapes, relative SRC, ro-bind" "$out"; fi
	# -b SRC: DEST is SRC itself, a mount point then (it cannot be moved)
	out=$("$B/vfsrun" -b "$SRC" sh -c "cat '$SRC/file'; mv '$SRC' '$SRC.moved'" 2>&1)
	if [[ "$out" == hello*"Device or resource busy" ]] && [ -d "$SRC" ]; then
		ok "vfsrun -b SRC: DEST defaults to SRC"; else bad "vfsrun -b SRC" "$out"; mv "$SRC.moved" "$SRC" 2>/dev/null; fi

	# bad specs: one line, status 125, and the command never runs
	V=$B/vfsrun
	ran=$RUNDIR/command-ran
	bad_spec() {  # name pattern vfsrun-args...
		local name=$1 pattern=$2 err status
		shift 2
		rm -f "$ran"
		err=$("$V" "$@" touch "$ran" 2>&1 >/dev/null)
		status=$?
		if [ $status = 125 ] && [ "$(printf '%s\n' "$err" | grep -c .)" = 1 ] &&
			[[ "$err" == *$pattern* ]] && [ ! -e "$ran" ]; then ok "vfsrun: $name"; else
			bad "vfsrun: $name" "exit status $status (expected 125), stderr:" "$err"; fi
	}
	printf 'bind %s /lp-view/x\n\n# comment\nbind %s\n' "$SRC" "$SRC" >malformed
	printf 'bind %s /lp-view/x extra\n' "$SRC" >toomany
	printf 'mount %s /lp-view/x\n' "$SRC" >badtype
	printf 'bind %s relative\n' "$SRC" >reldest
	printf 'bind %s /lp-view/x\n' "$SRC" >unreadable
	chmod 000 unreadable
	bad_spec "missing SRC is one error line, 125" "No such file or directory" --bind /nonexistent/src /lp-view/x
	bad_spec "relative DEST is one error line, 125" "not an absolute path" --bind "$SRC" lp-view/x
	bad_spec "relative DEST of -b is one error line, 125" "not an absolute path" -b "$SRC:lp-view"
	bad_spec "duplicate DEST is one error line, 125" "duplicate DEST '/lp-view/x'" \
		--bind "$SRC" /lp-view/x --ro-bind "$SRC" /lp-view//x/
	err=$("$V" --bind "$SRC" 2>&1 >/dev/null)
	status=$?
	if [ $status = 125 ] && [[ "$err" == *"missing DEST"* ]] && [ "$(printf '%s\n' "$err" | grep -c .)" = 1 ]; then
		ok "vfsrun: --bind without DEST is one error line, 125"; else
		bad "vfsrun: --bind without DEST" "status $status" "$err"; fi
	bad_spec "missing mounts file is one error line, 125" "No such file" --mounts "$RUNDIR/none"
	bad_spec "malformed mounts line names its line, 125" "malformed:4:" --mounts malformed
	bad_spec "extra field names its line, 125" "toomany:1: too many fields" --mounts toomany
	bad_spec "unknown mount type names its line, 125" "badtype:1: unknown mount type 'mount'" --mounts badtype
	bad_spec "relative DEST in a file names its line, 125" "reldest:1:" --mounts reldest
	mkdir -p ovl/lower ovl/upper ovl/lower/inner
	printf 'overlay lower upper\n' >ovshort
	printf 'tmpfs /a /b\n' >tmplong
	bad_spec "--overlay with a relative DEST is one error line, 125" "not an absolute path" --overlay ovl/lower ovl/upper
	err=$("$V" --overlay ovl/lower ovl/upper 2>&1 >/dev/null)
	status=$?
	if [ $status = 125 ] && [[ "$err" == *"needs LOWER, UPPER and DEST"* ]] && [ "$(printf '%s\n' "$err" | grep -c .)" = 1 ]; then
		ok "vfsrun: --overlay without DEST is one error line, 125"; else
		bad "vfsrun: --overlay without DEST" "status $status" "$err"; fi
	bad_spec "--overlay with a missing LOWER is one error line, 125" "LOWER 'nolower': No such file" \
		--overlay nolower ovl/upper /lp-view/o
	bad_spec "--overlay with an empty layer is one error line, 125" "has an empty layer" \
		--overlay "ovl/lower:" ovl/upper /lp-view/o
	bad_spec "--overlay with nested layers is one error line, 125" "overlap" \
		--overlay ovl/lower ovl/lower/inner /lp-view/o
	bad_spec "--overlay with a file as UPPER is one error line, 125" "is not a directory" \
		--overlay ovl/lower malformed /lp-view/o
	many=ovl/many/0
	for i in $(seq 31); do many+=:ovl/many/$i; done
	mkdir -p $(echo "$many" | tr : ' ')
	bad_spec "--overlay with 32 lower layers is one error line, 125" "has more than 31 layers" \
		--overlay "$many" ovl/upper /lp-view/o
	bad_spec "--overlay with a LOWER inside another is one error line, 125" \
		"LOWER '$RUNDIR/ovl/lower' and LOWER '$RUNDIR/ovl/lower/inner' overlap" \
		--overlay ovl/lower:ovl/lower/inner ovl/upper /lp-view/o
	bad_spec "--overlay with a LOWER given twice is one error line, 125" \
		"LOWER '$RUNDIR/ovl/lower' and LOWER '$RUNDIR/ovl/lower' overlap" \
		--overlay ovl/lower:ovl/many/0:ovl/lower ovl/upper /lp-view/o
	bad_spec "overlay line without DEST names its line, 125" "ovshort:1: 'overlay' takes LOWER, UPPER and DEST" \
		--mounts ovshort
	bad_spec "tmpfs line with SRC names its line, 125" "tmplong:1: 'tmpfs' takes DEST only" --mounts tmplong
	bad_spec "--tmp-overlay of a missing directory is one error line, 125" "is not a directory" \
		--tmp-overlay /lp-view/none
	# the three in a mounts file, relative layers from its directory
	printf 'overlay lower upper /lp-view/o  # layers beside the file\ntmpfs /lp-view/t\ntmp-overlay %s\n' \
		"$RUNDIR/ovl/lower" >ovl/mounts
	echo low >ovl/lower/f
	before=$(ls /dev/shm | grep -c vfsrun-)
	out=$("$V" --mounts ovl/mounts sh -c "cat /lp-view/o/f && echo up >/lp-view/o/f && echo t >/lp-view/t/x &&
		echo mem >'$RUNDIR/ovl/lower/g' && cat /lp-view/t/x '$RUNDIR/ovl/lower/g'" 2>&1)
	if [ "$out" = "$(printf 'low\nt\nmem')" ] && [ "$(cat ovl/upper/f)" = up ] && [ "$(cat ovl/lower/f)" = low ] &&
		[ ! -e ovl/lower/g ] && [ "$(ls /dev/shm | grep -c vfsrun-)" = "$before" ]; then
		ok "vfsrun --mounts: overlay, tmpfs and tmp-overlay lines"; else
		bad "vfsrun --mounts: overlay, tmpfs and tmp-overlay lines" "$out"; fi
	bad_spec "--chdir to a missing directory is one error line, 125" "/lp-view/none" \
		--bind "$SRC" /lp-view/x --chdir /lp-view/none
	if [ $IS_ROOT = 1 ]; then
		err=$("${NOBODY[@]}" "$V" --mounts unreadable true 2>&1 >/dev/null)
		status=$?
		if [ $status = 125 ] && [[ "$err" == *"Permission denied"* ]] && [ "$(printf '%s\n' "$err" | grep -c .)" = 1 ]; then
			ok "vfsrun: unreadable mounts file is one error line, 125"; else
			bad "vfsrun: unreadable mounts file" "status $status" "$err"; fi
	else
		bad_spec "unreadable mounts file is one error line, 125" "Permission denied" --mounts unreadable
	fi

	# the in-process API (demos/redirect-config.c) and the vfsrun demo
	for who in me nobody; do
		[ $IS_ROOT = 0 ] && [ $who = nobody ] && continue
		out=$(as $who "$B/demos/redirect-config" "$ROOT/demos/fixtures/myapp" \
			sh -c 'grep listen /etc/myapp/app.conf; env -i /bin/ls /etc/myapp; echo x >>/etc/myapp/app.conf' 2>&1)
		status=$?
		want=$(printf 'listen = 127.0.0.1:8080\napp.conf\nsh: 1: cannot create /etc/myapp/app.conf: Read-only file system')
		if [ "$out" = "$want" ] && [ $status = 2 ] && [ ! -e /etc/myapp ]; then
			ok "demo: in-process redirect of /etc/myapp (vfs.h) [$who]"; else
			bad "demo: in-process redirect of /etc/myapp (vfs.h) [$who]" "status $status" "$out"; fi
	done
	# vfs.h's overlay: layers inside one another are refused, named
	newdir ip-overlap
	mkdir -p low/up up2
	out=$("$B/tests/inprocess-overlap" "$RUNDIR/low" "$RUNDIR/low/up" 2>&1)
	if [ "$out" = "refused: DEST '/lp-overlap': UPPER '$RUNDIR/low/up' and LOWER '$RUNDIR/low' overlap" ] &&
		[ "$("$B/tests/inprocess-overlap" "$RUNDIR/low" "$RUNDIR/up2" 2>&1)" = accepted ]; then
		ok "vfs.h: an overlay whose layers nest is refused at vfs_attach"; else
		bad "vfs.h: an overlay whose layers nest is refused at vfs_attach" "$out"; fi
	out=$("$ROOT/demos/redirect-config.sh" "$B/vfsrun" 2>&1)
	want=$(printf 'os: Fixture Linux 1.0\nlisten = 127.0.0.1:8080\napp.conf')
	if [ "$out" = "$want" ] && ! grep -q Fixture /etc/os-release; then
		ok "demo: vfsrun redirects /etc/os-release and /etc/myapp"; else
		bad "demo: vfsrun redirects /etc/os-release and /etc/myapp" "$out"; fi
fi
