# real programs on an overlay: sed -i (copy-up), rm -rf of lower trees,
# cp, mv, tar, find, python3, a shell script of the lower layer
set -u
export LC_ALL=C TZ=UTC HOME=$W/v
show() { echo "== $*"; "$@" 2>&1; echo "status $?"; }
lsl() { ls -laR --time-style=+ "$@" 2>&1 | grep -v '^total '; }
show lsl .
show sh -c 'find . | sort'
show sh -c 'find . -type f | sort | xargs sha256sum'
show sed -i s/x1/X1/ d/x1
show cat d/x1
show rm -rf tree
show ls
show rm -rf only2/inner
show lsl only2
show cp -a d dcopy
show find dcopy
show mv dcopy dmoved
show mv d dmoved/
show mv only1 only1-moved
show lsl dmoved only1-moved
show sh -c 'tar -cf ../tar.tar dmoved only1-moved && mkdir x && tar -C x -xf ../tar.tar && find x | sort'
show ./script.sh arg
show python3 -c '
import os
with open("py.txt", "w") as f: f.write("python\n")
os.rename("py.txt", "py2.txt")
print(sorted(os.listdir(".")), open("py2.txt").read().strip())
os.makedirs("p/q/r")
print([d for d, _, _ in os.walk("p")])
'
show sh -c 'echo appended >> big && wc -c big'
G="git -c safe.directory=* -c user.name=t -c user.email=t@t"
show $G clone -q repo clone
show sh -c "cd clone && echo two >two.txt && $G add two.txt && $G status --short && $G log --format=%s"
show sh -c "cd repo && $G status --short && $G log --format=%H"
show python3 -m compileall -q py
show sh -c 'find py | sort'
show dpkg -x demo.deb deb
show sh -c 'find deb | sort && cat deb/usr/share/lp-demo/file'
show lsl .
