# what runs in a tmpfs (the kernel's, or vfsrun --tmpfs): $1 is its root
set -u
cd "$1" || exit 1
export LC_ALL=C TZ=UTC
st() { stat -c '%n %F %a %h %s' "$@" 2>&1; }
st .
mkdir -p a/b/c && echo one >a/f && ln a/f a/hard && ln -s ../a/f a/b/sym && mkfifo a/fifo
st a a/b a/f a/hard a/b/sym a/fifo
cat a/b/sym
chmod 600 a/f && st a/hard
mv a/f a/b/c/moved && st a/b/c/moved a/f
rmdir a/b 2>&1
rm -r a/b && ls -la --time-style=+ a | grep -v '^total'
dd if=/dev/zero of=big bs=1k count=300 2>/dev/null && truncate -s 100k big && st big
python3 -c 'import os; fd = os.open("m", os.O_RDWR | os.O_CREAT); os.ftruncate(fd, 8192); import mmap; m = mmap.mmap(fd, 8192); m[0:5] = b"hello"; m.flush(); print(open("m", "rb").read(5))'
touch -d @0 a/old && stat -c '%n %Y' a/old
ls -laR --time-style=+ . | grep -v '^total'
python3 -m venv --without-pip venv && venv/bin/python3 -c 'import sys; print("venv", sys.prefix != sys.base_prefix)'
ls venv | sort
