# Whole-root views (sourced by tests/run.sh): a Debian 12 tree made by
# debootstrap (cached between runs) run by nobody with vfsrun -0 and
# compared with chroot run by root in a private mount namespace; guest
# programs (#! interpreters and libraries only the guest has, static
# programs, the guest's own ELF interpreter); ways out of the root; fake
# root kept in a file across runs; chroot(2) inside a view.

. "$ROOT/tests/vfs/guest/tree.sh"
# what the test's runs get at /mnt: packages, a library and a program
# linked with it, the static fsops, the guest scripts
make_share() {
	local s=$1
	mkdir -p "$s/pkg/hello/DEBIAN" "$s/pkg/hello/usr/share/lp-hello" "$s/pkg/apt/DEBIAN" "$s/pkg/apt/usr/bin"
	printf 'Package: lp-hello\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n' \
		>"$s/pkg/hello/DEBIAN/control"
	echo hi >"$s/pkg/hello/usr/share/lp-hello/hi"
	echo there >"$s/pkg/hello/usr/share/lp-hello/there"
	printf '#!/bin/sh\nchown 12:34 /usr/share/lp-hello/hi\nchmod 600 /usr/share/lp-hello/there\n' \
		>"$s/pkg/hello/DEBIAN/postinst"
	chmod 755 "$s/pkg/hello/DEBIAN/postinst"
	printf 'Package: lp-apt\nVersion: 2.1\nArchitecture: all\nMaintainer: t <t@example.org>\nDepends: dpkg\nDescription: test\n' \
		>"$s/pkg/apt/DEBIAN/control"
	printf '#!/bin/sh\necho installed by apt-get\n' >"$s/pkg/apt/usr/bin/lp-apt-hello"
	chmod 755 "$s/pkg/apt/usr/bin/lp-apt-hello"
	dpkg-deb -b --root-owner-group "$s/pkg/hello" "$s/lp-hello.deb" >/dev/null &&
		dpkg-deb -b --root-owner-group "$s/pkg/apt" "$s/lp-apt.deb" >/dev/null || return 1
	printf 'int guest_answer(void) { return 42; }\n' | gcc -shared -fPIC -x c -o "$s/libguestonly.so" - &&
		printf '#include <stdio.h>\nint guest_answer(void);\nint main(void) { printf("the guest library says %%d\\n", guest_answer()); return 0; }\n' |
		gcc -x c -o "$s/guestprog" - -L"$s" -lguestonly || return 1
	cp "$B/tests/fsops-static" "$B/tests/fsops" "$GUEST"/*.ops "$GUEST/cmds.sh" "$s/"
	chmod -R a+rX "$s"
}

tree_sum() { (cd "$GUEST_TREE" && find . -printf '%p %y %m %s %U %G %l\n' | sort | sha256sum); }

if wanted root; then
	if [ $IS_ROOT != 1 ]; then
		skipped "whole-root view = chroot (Debian 12 tree)" "needs root to build the tree and to chroot"
	elif ! why=$(guest_tree); then
		skipped "whole-root view = chroot (Debian 12 tree)" "$why"
	else
		newdir guest
		SHARE=$RUNDIR/share
		make_share "$SHARE" || bad "whole-root view: test files" "could not build the packages or programs"
		before=$(tree_sum)
		K=$RUNDIR/k
		mkdir -p "$K"
		kernel=$(timeout 600 unshare -m sh -c "
			mount -t tmpfs tmpfs '$K' && mkdir '$K/u' '$K/w' '$K/m' &&
			mount -t overlay overlay -o lowerdir='$GUEST_TREE',upperdir='$K/u',workdir='$K/w' '$K/m' &&
			mount -t proc proc '$K/m/proc' && mount --bind '$SHARE' '$K/m/mnt' &&
			for d in dev sys tmp run; do mount --rbind /\$d '$K/m/'\$d || exit 1; done &&
			cd '$K/m' && exec chroot . /usr/bin/env -i PATH=$GPATH HOME=/root sh /mnt/cmds.sh" 2>&1)
		for cfg in nobody:auto nobody:sud me:lazy; do
			drop=()
			[ ${cfg%:*} = nobody ] && drop=("${NOBODY[@]}")
			view=$(cd / && timeout 600 "${drop[@]}" env HOME="$RUNDIR" "$B/vfsrun" --mode=${cfg#*:} -0 \
				--rootfs "$GUEST_TREE" --tmp-overlay / --bind "$SHARE" /mnt -- \
				/usr/bin/env -i PATH=$GPATH HOME=/root sh /mnt/cmds.sh 2>&1)
			same "vfsrun -0 --rootfs TREE --tmp-overlay / = chroot TREE [$cfg]" "$kernel" "$view" 60
		done
		# an overlay whose UPPER the user keeps: the packages land there
		mkdir "$RUNDIR/upper" && chown 65534:65534 "$RUNDIR/upper"
		out=$(timeout 300 "${NOBODY[@]}" env HOME="$RUNDIR" "$B/vfsrun" -0 --root "$GUEST_TREE" \
			--overlay "$GUEST_TREE" "$RUNDIR/upper" / --bind "$SHARE" /mnt -- \
			/usr/bin/env -i PATH=$GPATH sh -c 'dpkg -i /mnt/lp-hello.deb >/dev/null && cat /usr/share/lp-hello/hi &&
				dpkg-query -W -f "\${Status}\n" lp-hello' 2>&1)
		if [ "$out" = "hi
install ok installed" ] && [ -f "$RUNDIR/upper/usr/share/lp-hello/hi" ] && [ ! -e "$GUEST_TREE/usr/share/lp-hello" ]; then
			ok "vfsrun -0 --root TREE --overlay TREE UPPER /: dpkg -i installs into UPPER"
		else
			bad "vfsrun -0 --root TREE --overlay TREE UPPER /: dpkg -i installs into UPPER" "$out" \
				"$(ls -R "$RUNDIR/upper" 2>&1 | head -20)"
		fi
		# ways out: none reaches a host directory that is not bound in
		# outside /tmp, which the runs below replace with a tmpfs
		H=$(mktemp -d /var/tmp/lazypoline-escape.XXXXXX)
		mkdir -p "$H/dir" && echo HOST-SECRET >"$H/secret" && printf '#!/bin/sh\necho HOST-PROG\n' >"$H/prog" &&
			chmod 755 "$H/prog" && chmod 644 "$H/secret" && chmod 777 "$H"
		sed "s|@H@|$H|g" "$GUEST/escape.ops" >"$SHARE/escape.ops"
		chmod a+r "$SHARE/escape.ops"
		h0=$(cd "$H" && find . -printf '%p %m %s\n' | sort)
		for prog in fsops fsops-static; do
			for who in nobody me; do
				drop=()
				[ $who = nobody ] && drop=("${NOBODY[@]}")
				out=$(cd / && timeout 120 "${drop[@]}" "$B/vfsrun" -0 --root "$GUEST_TREE" --tmpfs /tmp \
					--bind /proc /proc --bind "$SHARE" /mnt -- /mnt/$prog /mnt/escape.ops 2>&1)
				leaks=$(printf '%s\n' "$out" | grep -c 'HOST-')
				fails=$(printf '%s\n' "$out" | grep -c ' => E')
				if [ "$leaks" = 0 ] && [ "$fails" -ge 20 ] && [ "$h0" = "$(cd "$H" && find . -printf '%p %m %s\n' | sort)" ]; then
					ok "no way out of --root: symlinks, .., /proc/self/root, openat2, execveat, fchmodat2, sockets, chroot [$prog, $who]"
				else
					bad "no way out of --root [$prog, $who]" "$leaks lines show the host's files, $fails calls failed" \
						"$(printf '%s\n' "$out" | head -60)"
				fi
			done
		done
		rm -rf "$H"
		# *at calls under a bind mount (the root, and /mnt here) go
		# through a hidden fd of its source: a dup2 onto one moves it (the
		# program then reads), and one in a vfork child (posix_spawn's
		# dup2s) leaves the parent right
		out=$(cd / && timeout 120 "$B/vfsrun" --root "$GUEST_TREE" --bind "$GUEST_TREE/etc" /mnt -- /usr/bin/python3 -c '
import os
def first():
    both = open("/mnt/debian_version").read() == open("/etc/debian_version").read()
    return open("/etc/os-release").readline().strip() + (" both" if both else " differ")
print(first())
for fd in range(895, 926):
    os.dup2(0, fd)
print(first(), os.path.isdir("/usr/bin"))
acts = [(os.POSIX_SPAWN_DUP2, 1, fd) for fd in range(926, 960)]
pid = os.posix_spawn("/bin/true", ["true"], os.environ, file_actions=acts)
print(os.waitpid(pid, 0)[1], first(), os.path.isdir("/usr/lib"))' 2>&1)
		l='PRETTY_NAME="Debian GNU/Linux 12 (bookworm)" both'
		if [ "$out" = "$l"$'\n'"$l True"$'\n0 '"$l True" ]; then
			ok "whole-root view: bind mounts' hidden fds follow a dup2 onto them, in the process and in a vfork child"
		else bad "whole-root view: bind mounts' hidden fds follow a dup2 onto them, in the process and in a vfork child" "$out"; fi
		# every guest program is started by a loader: the first run of
		# each counts as a program new to the run and loads Capstone, so
		# lazypoline-vfs-loader (which has none) hands it to
		# lazypoline-loader (sh, new itself, misses nothing before it
		# execs grep: nothing else would make grep load it)
		out=$(cd / && timeout 120 "$B/vfsrun" --mode=lazy --root "$GUEST_TREE" --bind /proc /proc -- \
			/bin/sh -c 'exec grep -c libcapstone /proc/self/maps' 2>&1)
		if [ "${out:-0}" -ge 1 ] 2>/dev/null; then ok "whole-root view: a guest program new to the run decides its own sites"
		else bad "whole-root view: a guest program new to the run decides its own sites" "$out"; fi
		# lazypoline-loader lends its libc to the interposer, which is
		# only safe while the interposer has no TLS (%fs is the guest's);
		# lazypoline-vfs-loader's own (static) libc has TLS, used only
		# before the guest starts
		hdrs=$(readelf -lW "$B/liblazypoline.so" "$B/libvfs.so" 2>&1)
		if [ "$(grep -c ' LOAD ' <<<"$hdrs")" -lt 2 ]; then
			bad "the interposer libraries have no TLS (lazypoline-loader shares its libc with them)" "readelf: $hdrs"
		elif grep -q ' TLS ' <<<"$hdrs"; then
			bad "the interposer libraries have no TLS (lazypoline-loader shares its libc with them)" "a PT_TLS segment"
		else ok "the interposer libraries have no TLS (lazypoline-loader shares its libc with them)"; fi
		# the host objects in a guest process, beside the guest's own libc:
		# a program new to the run (lazypoline-loader: one host libc,
		# shared with the interposer, and Capstone), then the same
		# program again (lazypoline-vfs-loader: no host library at all)
		hostlibc=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
		count_maps='$3 == "00000000" && $NF == h { host++ } $3 == "00000000" && index($NF, g) == 1 && $NF ~ /libc\.so\.6$/ { guest++ }
			$NF ~ /libcapstone/ { cs++ } $NF ~ /\/lazypoline-vfs-loader$/ { vl++ } $NF ~ /\/lazypoline-loader$/ { dl++ }
			END { printf "%d host libc, %d guest libc, %d capstone, %d vfs-loader, %d loader\n", host, guest, cs ? 1 : 0, vl ? 1 : 0, dl ? 1 : 0 }'
		out=$(cd / && timeout 120 "$B/vfsrun" --root "$GUEST_TREE" --bind /proc /proc -- \
			/bin/sh -c 'cat /proc/self/maps; echo ===; exec cat /proc/self/maps' 2>&1)
		first=$(sed '/^===$/,$d' <<<"$out" | awk -v h="$hostlibc" -v g="$GUEST_TREE" "$count_maps")
		again=$(sed '1,/^===$/d' <<<"$out" | awk -v h="$hostlibc" -v g="$GUEST_TREE" "$count_maps")
		if [ "$first" = "1 host libc, 1 guest libc, 1 capstone, 0 vfs-loader, 1 loader" ]; then
			ok "whole-root view: a program new to the run runs under lazypoline-loader (Capstone, one host libc shared with the interposer)"
		else bad "whole-root view: a program new to the run runs under lazypoline-loader (Capstone, one host libc shared with the interposer)" "$first"; fi
		if [ "$again" = "0 host libc, 1 guest libc, 0 capstone, 1 vfs-loader, 0 loader" ]; then
			ok "whole-root view: a program the run knows runs under lazypoline-vfs-loader (static: no host library, no Capstone)"
		else bad "whole-root view: a program the run knows runs under lazypoline-vfs-loader (static: no host library, no Capstone)" "$again"; fi
		# lazypoline-vfs-loader loads the program without a trap (its
		# libc's syscalls are trapped once the interposer runs): no SIGSYS
		# between its SUD start and the program's name (PR_SET_NAME)
		name="lazypoline-vfs-loader opens and maps the program without a trap"
		if ! command -v strace >/dev/null; then
			skipped "$name" "strace is not installed"
		else
			out=$(cd / && strace -f -o /dev/stdout timeout 120 "$B/vfsrun" --root "$GUEST_TREE" -- \
				/bin/sh -c '/bin/cat /dev/null; /bin/cat /dev/null' 2>/dev/null |
				awk '/ execve\(/ { l[$1] = /lazypoline-vfs-loader", \["lazypoline-loader", "\/usr\/bin\/cat"/ }
					l[$1] == 1 && /PR_SYS_DISPATCH_ON/ { l[$1] = 2 }
					l[$1] == 2 && /--- SIGSYS/ { traps++ }
					l[$1] == 2 && /PR_SET_NAME/ { l[$1] = 0; loads++ }
					END { printf "%d loads, %d traps\n", loads, traps }')
			if [ "$out" = "1 loads, 0 traps" ] || [ "$out" = "2 loads, 0 traps" ]; then ok "$name"
			else bad "$name" "$out"; fi
		fi
		# the loader's own code is never rewritten (its sites are kept
		# from it, and loading makes no trapped call): its code pages
		# stay clean, while the guest's libc is rewritten (every site at
		# its first trap here): a rewritten page is a private copy
		# (Anonymous in smaps).  The second cat runs without Capstone and
		# misses what nobody decided yet, the third decides that, the
		# fourth has every verdict.
		out=$(cd / && LAZYPOLINE_REWRITE_AFTER=1 timeout 120 "$B/vfsrun" --mode=lazy --root "$GUEST_TREE" \
			--bind /proc /proc -- /bin/sh -c 'cat /dev/null; cat /dev/null; cat /dev/null; exec cat /proc/self/smaps' 2>&1 |
			awk '/^[0-9a-f]+-[0-9a-f]+ / { m = ($2 ~ /x/) ? $NF : "" }
				m ~ /\/lazypoline-vfs-loader$/ && /^Anonymous:/ { loader += $2 }
				m ~ /\/libc\.so\.6$/ && /^Anonymous:/ { libc += $2 }
				END { printf "loader code %d kB copied, guest libc code %d kB copied\n", loader, libc }')
		if [[ "$out" == "loader code 0 kB copied, guest libc code "[1-9]* ]]; then
			ok "lazypoline-vfs-loader's own sites are never rewritten, the guest's are"
		else bad "lazypoline-vfs-loader's own sites are never rewritten, the guest's are" "$out"; fi
		# across runs (kept verdicts, see Modes): COMMAND itself, the first
		# program of the second run, needs no Capstone, so it starts in
		# lazypoline-vfs-loader (vfsrun's own start in the view, in SUD
		# mode, still opens the run's table for it)
		kept=$(mktemp -d /tmp/lazypoline-kept.XXXXXX)
		for run in 1 2; do
			out=$(cd / && LAZYPOLINE_CACHE_DIR=$kept timeout 120 "$B/vfsrun" --mode=lazy --root "$GUEST_TREE" \
				--bind /proc /proc -- /bin/cat /proc/self/maps 2>&1 | grep -c '/lazypoline-vfs-loader$')
		done
		rm -rf "$kept"
		if [ "${out:-0}" -ge 1 ] 2>/dev/null; then
			ok "whole-root view: a program the previous run decided starts in lazypoline-vfs-loader, COMMAND too"
		else bad "whole-root view: a program the previous run decided starts in lazypoline-vfs-loader, COMMAND too" "$out"; fi
		# lazypoline-vfs-loader with another interposer than the view's
		# hands over to lazypoline-loader, which runs that one
		out=$(cd / && LD_PRELOAD=$B/libbootstrap.so LIBLAZYPOLINE=$B/liblazypoline.so \
			timeout 60 "$B/lazypoline-vfs-loader" /bin/cat /bin/cat cat /proc/self/maps 2>&1)
		if grep -q '/lazypoline-loader$' <<<"$out" && grep -q '/liblazypoline.so$' <<<"$out" &&
			! grep -q 'lazypoline-vfs-loader$\|libvfs.so$' <<<"$out"; then
			ok "lazypoline-vfs-loader leaves another interposer than the view's to lazypoline-loader"
		else bad "lazypoline-vfs-loader leaves another interposer than the view's to lazypoline-loader" "$(head -c 2000 <<<"$out")"; fi
		if [ "$(tree_sum)" = "$before" ]; then ok "the Debian tree is untouched by the views"
		else bad "the Debian tree is untouched by the views" "its listing changed"; fi
	fi
fi

if wanted fake-root; then
	newdir fake-root
	mkdir d && echo x >d/f && chown -R 65534:65534 d 2>/dev/null
	V=$B/vfsrun
	out=$(cd / && vrun "$V" --fake-root-file "$RUNDIR/table" -b "$RUNDIR/d:/d" -- sh -c \
		'chown 42:43 /d/f && mknod /d/tty c 5 0 && id -u && stat -c "%u %g" /d/f' 2>&1)
	again=$(cd / && vrun "$V" --fake-root-file "$RUNDIR/table" -b "$RUNDIR/d:/d" -- \
		stat -c '%u %g %F %t:%T' /d/f /d/tty 2>&1)
	plain=$(cd / && vrun "$V" -b "$RUNDIR/d:/d" -- stat -c '%F' /d/tty 2>&1)
	if [ "$out" = "0
42 43" ] && [ "$again" = "42 43 regular file 0:0
0 0 character special file 5:0" ] && [ "$plain" = "regular empty file" ]; then
		ok "fake root: chown and mknod remembered in --fake-root-file across runs, the files untouched"
	else
		bad "fake root: chown and mknod remembered across runs" "first: $out" "second: $again" "without: $plain"
	fi
	out=$(vrun "$V" -0 -- sh -c 'id -u; id -g; su -s /bin/sh nobody -c "id -u; id -g"; id -u' 2>&1)
	if [ "$out" = "0
0
65534
65534
0" ]; then ok "fake root: set*id by root's rules, inherited by exec'd programs"
	else bad "fake root: set*id by root's rules" "$out"; fi
	mkdir ipf && touch ipf/f && chmod -R a+rwX ipf
	owner=$(stat -c %u:%g ipf/f)
	out=$(vrun "$B/tests/inprocess-fakeroot" "$RUNDIR/ipf" 2>&1)
	if [ "$out" = "uid 0, f owned by 5:6
0" ] && [ "$(stat -c %u:%g ipf/f)" = "$owner" ]; then ok "fake root in-process (vfs_fake_root), inherited by a child"
	else bad "fake root in-process (vfs_fake_root)" "$out" "owner: $owner -> $(stat -c %u:%g ipf/f)"; fi
	echo garbage >bad-table
	expect_exit "--fake-root-file that is not a table: one line, 125" 125 "$V" --fake-root-file bad-table true
	expect_exit "--fake-root-file in a missing directory: one line, 125" 125 "$V" --fake-root-file /nonexistent/t true
	expect_exit "--root that is not a directory: one line, 125" 125 "$V" --root bad-table true
	expect_exit "--root given twice: one line, 125" 125 "$V" --root / -r "$RUNDIR" true
	expect_exit "-r without DIR: one line, 125" 125 "$V" -r
	expect_exit "--fake-root-file without FILE: one line, 125" 125 "$V" --fake-root-file
	# a static program as COMMAND, and chroot(2) narrowing a view
	mkdir -p jail/sub && echo inside >jail/sub/marker && echo outside >jail/marker
	printf 'chroot /v/sub\nchdir /\ngetcwd\ncat /marker\ncat /../marker\nlsdir /\n' >jail.ops
	chmod -R a+rX jail jail.ops
	out=$(cd / && vrun "$V" -0 -b "$RUNDIR/jail:/v" -- "$B/tests/fsops-static" "$RUNDIR/jail.ops" 2>&1)
	want='chroot /v/sub => 0
chdir / => 0
getcwd => /
cat /marker => inside|
cat /../marker => inside|
lsdir / => ../ ./ marker'
	same "chroot(2) in a view narrows it; a static COMMAND sees the view" "$want" "$out" 6
fi
