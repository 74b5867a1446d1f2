# The overlay under faults (sourced by tests/run.sh): UPPER lives on
# faultfs, which fails on demand.  A copy-up or a write that hits ENOSPC
# or EIO gives the program that errno; the lower layer stays byte for
# byte the same; UPPER holds no partial file under a real name (nor a
# leftover temporary one); the view keeps working once the fault is gone.
# A slow copy-up is never seen half-done by another process of the view.
# Needs: root (/dev/fuse, allow_other), fusermount3.

if wanted overlay-faults; then
	if faultfs_usable "overlay under faults (faultfs)"; then
		newdir
		mkdir -p of/src/upper of/mnt of/lower/dir of/view
		seq 1 1000000 >of/lower/dir/big   # 6.9 MB: several writes to faultfs
		echo small >of/lower/small
		chown -R 65534:65534 of
		F=$RUNDIR/of/mnt
		if "$B/tests/faultfs" -o allow_other of/src of/mnt; then
			ctl() { echo "$1" >"$F/.faultfs"; }
			lower_sum() { (cd of/lower && find . -printf '%p %m %s\n' | sort && find . -type f -exec sha256sum {} +) | sha256sum; }
			before=$(lower_sum)
			view() { "${NOBODY[@]}" "$B/vfsrun" --overlay "$RUNDIR/of/lower" "$F/upper" "$RUNDIR/of/view" -- "$@"; }
			# no partial file under a real name, no leftover temporary
			upper_clean() {
				local bad=
				[ -e of/src/upper/dir/big ] && bad="dir/big in UPPER after a failed copy-up"
				[ -n "$(find of/src/upper -name '.vfsrun-copyup*')" ] && bad="$bad; a temporary left in UPPER"
				echo "${bad:-clean}"
			}
			for fault in "enospc 100000" "eio 1 write" "eio 1 fsync" "eio 1 create"; do
				ctl "$fault"
				out=$(view sh -c "echo more >>'$RUNDIR/of/view/dir/big'" 2>&1)
				status=$?
				ctl off
				want=$([ "${fault%% *}" = enospc ] && echo 'No space left on device' || echo 'Input/output error')
				state=$(upper_clean)
				after=$(view sh -c "tail -n 1 '$RUNDIR/of/view/dir/big'; echo again >>'$RUNDIR/of/view/small' && cat '$RUNDIR/of/view/small'" 2>&1)
				if [ $status != 0 ] && [ "${out#*"$want"}" != "$out" ] && [ "$state" = clean ] &&
					[ "$(lower_sum)" = "$before" ] && [ "$after" = "$(printf '1000000\nsmall\nagain')" ]; then
					ok "overlay copy-up under '$fault': the error, nothing partial, lower intact"
				else
					bad "overlay copy-up under '$fault': the error, nothing partial, lower intact" \
						"status $status, output: $out; upper: $state; afterwards: $after"
				fi
				rm -rf of/src/upper/* of/src/upper/.[!.]*
			done
			# a one-time EIO in the middle of the copy: the kernel reports
			# the short write, the copy goes on from there; all of it lands
			faults0=$(sed -n 's/^faults //p' "$F/.faultfs")
			ctl "eio 3 write"
			out=$(view sh -c "echo more >>'$RUNDIR/of/view/dir/big'" 2>&1)
			status=$?
			faults=$(sed -n 's/^faults //p' "$F/.faultfs")
			ctl off
			if [ $status = 0 ] && [ "$faults" = $((faults0 + 1)) ] && [ "$(lower_sum)" = "$before" ] &&
				cmp -s of/src/upper/dir/big <(cat of/lower/dir/big; echo more); then
				ok "overlay copy-up across a one-time EIO mid-copy: complete and exact"
			else
				bad "overlay copy-up across a one-time EIO mid-copy: complete and exact" \
					"status $status, faults $faults, output: $out"
			fi
			rm -rf of/src/upper/* of/src/upper/.[!.]*
			# a slow copy-up: another process sees the whole old file until
			# the whole new one is there
			ctl "slow 150 write"
			view sh -c "echo more >>'$RUNDIR/of/view/dir/big'" &
			writer=$!
			sleep 0.3
			during=$(view sh -c "sha256sum <'$RUNDIR/of/view/dir/big'")
			wait $writer
			status=$?
			ctl off
			old=$(sha256sum <of/lower/dir/big)
			new=$( { cat of/lower/dir/big; echo more; } | sha256sum)
			final=$(view sh -c "sha256sum <'$RUNDIR/of/view/dir/big'")
			if [ $status = 0 ] && { [ "$during" = "$old" ] || [ "$during" = "$new" ]; } && [ "$final" = "$new" ] &&
				[ "$(lower_sum)" = "$before" ]; then
				ok "overlay: a slow copy-up is seen whole or not at all"
			else
				bad "overlay: a slow copy-up is seen whole or not at all" \
					"status $status; during: $during; final: $final (old $old, new $new)"
			fi
			fusermount3 -u "$F"
		else
			bad "overlay under faults: cannot mount faultfs"
		fi
	fi
fi
