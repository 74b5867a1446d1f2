# Memory-backed views (sourced by tests/run.sh): --tmpfs against a real
# tmpfs, the lifetime of --tmpfs and --tmp-overlay (kept while any process
# of the view lives, gone afterwards, DEST's own files untouched), and
# concurrent writers in an overlay and a tmpfs ending with the tree the
# sequential run makes.

MEMCASE=$ROOT/tests/vfs/tmpfs-case.sh
# vfsrun as a normal user (nobody, when the tests run as root)
vrun() { if [ $IS_ROOT = 1 ]; then "${NOBODY[@]}" env HOME="$RUNDIR" "$@"; else "$@"; fi; }
shm_dirs() { ls -d /dev/shm/vfsrun-* /tmp/vfsrun-* 2>/dev/null | wc -l; }

if wanted tmpfs; then
	if [ $IS_ROOT != 1 ]; then
		skipped "view = kernel tmpfs" "needs root to mount tmpfs"
	else
		for who in nobody me; do
			newdir tmpfs-$who
			chmod 755 "$RUNDIR"
			mkdir "$RUNDIR/t"
			drop=()
			[ $who = nobody ] && drop=("${NOBODY[@]}")
			id=$("${drop[@]}" id -u):$("${drop[@]}" id -g)
			k=$(timeout 120 unshare -m sh -c "mount -t tmpfs -o uid=${id%:*},gid=${id#*:} tmpfs '$RUNDIR/t' &&
				exec ${drop[*]} sh '$MEMCASE' '$RUNDIR/t'" 2>&1; echo "exit $?")
			mode=()
			[ $who = me ] && mode=(--mode=lazy)
			v=$(timeout 120 "${drop[@]}" "$B/vfsrun" "${mode[@]}" --tmpfs "$RUNDIR/t" -- sh "$MEMCASE" "$RUNDIR/t" 2>&1
				echo "exit $?")
			same "view = kernel tmpfs: --tmpfs [$who]" "$k" "$v" 21
		done
	fi
	newdir tmp-life
	chmod 777 "$RUNDIR"
	before=$(shm_dirs)
	out=$(vrun "$B/vfsrun" --tmpfs /scratch/t -- sh -c \
		"echo kept >/scratch/t/f; (sleep 0.3; cat /scratch/t/f >'$RUNDIR/late') & echo started" 2>&1)
	second=$(vrun "$B/vfsrun" --tmpfs /scratch/t -- ls -A /scratch/t 2>&1)
	if [ "$out" = started ] && [ "$(cat "$RUNDIR/late" 2>&1)" = kept ] && [ -z "$second" ] &&
		[ "$(shm_dirs)" = "$before" ]; then
		ok "--tmpfs lives as long as a process of the view, and no longer"
	else
		bad "--tmpfs lives as long as a process of the view, and no longer" \
			"out: $out; late: $(cat "$RUNDIR/late" 2>&1); second run: $second; dirs: $before -> $(shm_dirs)"
	fi
	mkdir -p "$RUNDIR/d/sub" && echo lower >"$RUNDIR/d/sub/f" && echo keep >"$RUNDIR/d/k"
	[ $IS_ROOT = 1 ] && chown -R 65534:65534 "$RUNDIR/d"
	sum() { (cd "$RUNDIR/d" && find . -printf '%p %m %s\n' | sort && cat sub/f k) | sha256sum; }
	s0=$(sum)
	out=$(vrun "$B/vfsrun" --tmp-overlay "$RUNDIR/d" -- sh -c \
		"cd '$RUNDIR/d' && echo changed >>sub/f && rm k && mkdir new && sh -c 'echo child >new/c' &&
		 cat sub/f new/c && ls" 2>&1)
	want=$(printf 'lower\nchanged\nchild\nnew\nsub')
	again=$(vrun "$B/vfsrun" --tmp-overlay "$RUNDIR/d" -- ls "$RUNDIR/d" 2>&1)
	if [ "$out" = "$want" ] && [ "$(sum)" = "$s0" ] && [ "$again" = "$(printf 'k\nsub')" ] &&
		[ "$(shm_dirs)" = "$before" ]; then
		ok "--tmp-overlay: changes seen by every process of the view, then dropped"
	else
		bad "--tmp-overlay: changes seen by every process of the view, then dropped" \
			"out: $out; again: $again; dirs: $before -> $(shm_dirs)"
	fi
fi

if wanted concurrent; then
	# make -j2 in an overlaid project and four tar x at once into a tmpfs:
	# the same tree as the sequential runs
	newdir concurrent
	chmod 777 "$RUNDIR"
	mkdir -p "$RUNDIR/proj/src" "$RUNDIR/up1" "$RUNDIR/up2"
	for i in $(seq 1 24); do
		printf 'int f%d(void) { return %d; }\n' $i $i >"$RUNDIR/proj/src/f$i.c"
	done
	printf 'OBJ := $(patsubst src/%%.c,obj/%%.o,$(wildcard src/*.c))\nall: lib.a\nlib.a: $(OBJ)\n\tar rcs $@ $^\nobj/%%.o: src/%%.c | obj\n\tcc -c -o $@ $<\nobj:\n\tmkdir -p obj\nclean:\n\trm -rf obj lib.a\n' >"$RUNDIR/proj/Makefile"
	[ $IS_ROOT = 1 ] && chown -R 65534:65534 "$RUNDIR"
	tree() { (cd "$1" && find . -printf '%p %y %m\n' | sort && find . -name '*.o' -exec sha256sum {} + | sort -k2); }
	ov() { vrun "$B/vfsrun" --overlay "$RUNDIR/proj" "$RUNDIR/$1" "$RUNDIR/proj" -- "${@:2}"; }
	seq_out=$(ov up1 sh -c "make -s -C '$RUNDIR/proj' -j1 && rm -f '$RUNDIR/proj/src/f3.c' && make -s -C '$RUNDIR/proj' clean all && $(declare -f tree); tree '$RUNDIR/proj'" 2>&1)
	par_out=$(ov up2 sh -c "make -s -C '$RUNDIR/proj' -j2 && rm -f '$RUNDIR/proj/src/f3.c' && make -s -C '$RUNDIR/proj' -j2 clean && make -s -C '$RUNDIR/proj' -j2 all && $(declare -f tree); tree '$RUNDIR/proj'" 2>&1)
	if [ "$seq_out" = "$par_out" ] && [ "$(echo "$par_out" | grep -c '\.o ')" -ge 23 ] && [ -e "$RUNDIR/proj/src/f3.c" ]; then
		ok "overlay: make -j2 gives the tree make -j1 gives, the lower untouched"
	else
		bad "overlay: make -j2 gives the tree make -j1 gives, the lower untouched" \
			"$(diff <(echo "$seq_out") <(echo "$par_out") | head -20)"
	fi
	tar -C "$RUNDIR/proj" -cf "$RUNDIR/src.tar" src Makefile && chmod 644 "$RUNDIR/src.tar"
	x() {
		vrun "$B/vfsrun" --tmpfs /scratch -- sh -c "
			for i in 1 2 3 4; do mkdir -p /scratch/\$i; done
			if [ $1 = par ]; then
				for i in 1 2 3 4; do tar -C /scratch/\$i -xf '$RUNDIR/src.tar' & done; wait
			else
				for i in 1 2 3 4; do tar -C /scratch/\$i -xf '$RUNDIR/src.tar'; done
			fi
			cd /scratch && find . -printf '%p %y %m %s\n' | sort && find . -type f -exec cat {} + | sha256sum" 2>&1
	}
	same "tmpfs: four tar x at once give the tree of four in a row" "$(x seq)" "$(x par)" 101
fi
