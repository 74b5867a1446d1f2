# cat, cp, find, tar, sort, sha256sum in the working directory
cat /etc/passwd /etc/group | sha256sum
cp -a /usr/include/linux cp-copy && diff -r /usr/include/linux cp-copy && echo "cp -a: same"
find /usr/include -name '*.h' | sort | sha256sum
find /usr/include -maxdepth 1 -type d | sort | head -20
tar cf t.tar -C /usr/include linux && tar tf t.tar | sort | sha256sum
mkdir x && tar xf t.tar -C x && diff -r /usr/include/linux x/linux && echo "tar x: same"
mv x y && rm -rf y cp-copy t.tar && ls -a
