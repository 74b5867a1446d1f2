# Runs inside a Debian 12 guest: under chroot as root, or under vfsrun -0
# as nobody (tests/vfs/root.sh).  /mnt holds the test's files; what is
# printed must not depend on which of the two ran it.
export LC_ALL=C
echo "== pipeline"
bash -c 'printf "c a b" | tr " " "\n" | sort | paste -sd,'
echo "== ls -la /"
# modes and names: the tree's owner is whoever unpacked it (nobody here,
# shown as root under fake root; root would see nobody)
ls -la / | awk 'NR > 1 { print $1, $NF }'
echo "== os-release"
head -3 /etc/os-release
echo "== id"
id; whoami
echo "== the name ps shows"
# the last part of the path given, not of the file a symlink leads to
# (/bin/sh is dash; /usr/bin/awk, through /etc/alternatives, is mawk)
/bin/sh -c 'cat /proc/$$/comm'
awk 'BEGIN { getline l < "/proc/self/comm"; print l }'
echo "== python3"
python3 -c 'import sys, os; print(sys.version_info[:2], sys.executable, os.getcwd(), os.path.realpath("/bin/sh"))'
echo "== perl"
perl -e 'print join(",", map { $_ * 2 } 1 .. 5), " $^X\n"'
echo "== dpkg -l"
dpkg -l | awk '$1 == "ii" { n++ } END { print (n > 50 ? "more than 50" : n) " installed" }'
dpkg -l dpkg | tail -1 | awk '{ print $1, $2 }'
echo "== dpkg -i"
dpkg -i /mnt/lp-hello.deb >/dev/null; echo "status $?"
ls -ln /usr/share/lp-hello | awk 'NR > 1 { print $1, $3, $4, $NF }'
dpkg-query -W -f '${Status}\n' lp-hello
echo "== apt-get install of a local .deb"
apt-get install -y -q /mnt/lp-apt.deb >/dev/null 2>&1; echo "status $?"
dpkg-query -W -f '${Status} ${Version}\n' lp-apt
lp-apt-hello
echo "== cc"
printf '#include <stdio.h>\nint main(void) { printf("compiled %%d\\n", 6 * 7); return 0; }\n' >/root/t.c
cc -o /root/t /root/t.c && /root/t
echo "== a library only the guest has"
cp /mnt/libguestonly.so /usr/lib/x86_64-linux-gnu/ && /mnt/guestprog
echo "== an interpreter only the guest has"
cp /bin/dash /usr/local/bin/guestsh
printf '#!/usr/local/bin/guestsh -e\necho "script $0 args $*"\n' >/usr/local/bin/gscript
printf '#!/usr/local/bin/gscript\n' >/root/nested
chmod +x /usr/local/bin/gscript /root/nested
gscript a b
/root/nested x
echo "== static programs"
/mnt/fsops-static /mnt/static.ops
ldconfig; echo "ldconfig $?"
echo "== mknod, chown, chmod"
mknod /root/null-copy c 1 3 && stat -c '%F %t:%T %u %g %a' /root/null-copy
touch /root/f; chown 1234:5678 /root/f; stat -c '%u %g %a' /root/f
chmod 4755 /root/f; stat -c '%a' /root/f
chown 42 /root/f; stat -c '%u %g %a' /root/f
echo "== chroot inside"
mkdir -p /jail && cp /mnt/fsops-static /mnt/jail.ops /jail/ && echo jailed >/jail/marker
chroot /jail /fsops-static /jail.ops
