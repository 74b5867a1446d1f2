# The fault-injecting FUSE file system itself (sourced by tests/run.sh):
# it must pass files through faithfully and fail exactly as told, or the
# fault-injection tests built on it prove nothing.
# Needs: root (/dev/fuse, allow_other), fusermount3.

# faultfs_usable NAME: can faultfs be mounted here?  Else NAME is skipped.
faultfs_usable() {
	if [ $IS_ROOT = 0 ]; then
		skipped "$1" "needs root to mount faultfs (allow_other)"
	elif ! command -v fusermount3 >/dev/null || [ ! -c /dev/fuse ]; then
		skipped "$1" "no /dev/fuse or fusermount3"
	else
		return 0
	fi
	return 1
}

if wanted faultfs; then
	if faultfs_usable "faultfs (fault-injecting FUSE file system)"; then
		newdir
		mkdir -p ff/src ff/mnt
		chmod 777 ff/src
		printf 'hello\n' >ff/src/file
		F=$RUNDIR/ff/mnt
		if "$B/tests/faultfs" -o allow_other ff/src ff/mnt; then
			ctl() { echo "$1" >"$F/.faultfs"; }
			# passthrough: data, names, owners and permissions as on the disk
			head -c 300000 /dev/urandom >blob
			cp blob "$F/blob" && mkdir "$F/d" && mv "$F/blob" "$F/d/blob" && ln -s d/blob "$F/sl"
			out=$(cmp blob "$F/sl" && cmp blob ff/src/d/blob && echo same
				"${NOBODY[@]}" sh -c "mkdir $F/nob && echo n >$F/nob/f && stat -c %u:%g $F/nob/f; touch $F/file" 2>&1
				ls "$F" | tr '\n' ' ')
			want=$(printf 'same\n65534:65534\ntouch: cannot touch %s: Permission denied\nd file nob sl ' "'$F/file'")
			if [ "$out" = "$want" ]; then ok "faultfs: passes files, owners and permissions through"; else
				bad "faultfs: passes files, owners and permissions through" "$out"; fi
			# ENOSPC after N bytes: a short write, then the error; lower untouched
			ctl "enospc 1000"
			out=$(dd if=/dev/zero of="$F/full" bs=4096 count=2 2>&1 | grep -c 'No space left on device')
			size=$(stat -c %s ff/src/full)
			ctl off
			if [ "$out" = 1 ] && [ "$size" = 1000 ]; then ok "faultfs: ENOSPC after N bytes"; else
				bad "faultfs: ENOSPC after N bytes" "errors: $out, size: $size"; fi
			# EIO on the Nth operation of a kind, once
			ctl "eio 2 write"
			out=$( { printf a; sleep 0.05; printf b; sleep 0.05; printf c; } 2>&1 >"$F/eio" | grep -c 'Input/output error')
			content=$(cat ff/src/eio)
			if [ "$out" = 1 ] && [ "$content" = ac ]; then ok "faultfs: EIO on the 2nd write only"; else
				bad "faultfs: EIO on the 2nd write only" "errors: $out, content: $content"; fi
			# a slow operation (the delay is a lower bound: not a timing test)
			ctl "slow 200 open"
			t0=$(date +%s%N)
			cat "$F/file" >/dev/null
			t1=$(date +%s%N)
			ctl off
			if [ $(((t1 - t0) / 1000000)) -ge 200 ]; then ok "faultfs: slow operations"; else
				bad "faultfs: slow operations" "open took $(((t1 - t0) / 1000000)) ms"; fi
			if ! echo nonsense >"$F/.faultfs" 2>/dev/null && grep -q '^faults 2$' "$F/.faultfs"; then
				ok "faultfs: bad commands are refused, faults are counted"; else
				bad "faultfs: bad commands are refused, faults are counted" "$(cat "$F/.faultfs")"; fi
			fusermount3 -u "$F"
		else
			bad "faultfs: cannot mount"
		fi
	fi
fi
