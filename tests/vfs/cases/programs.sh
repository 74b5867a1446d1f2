# real programs on the view: ls, find, sha256sum, cp, mv, rm, tar, cat,
# python3, make, git
set -u
export HOME=$W/view/bind LC_ALL=C TZ=UTC
v=$W/view
show() { echo "== $*"; "$@" 2>&1; echo "status $?"; }
lsl() { ls -laR --time-style=+ "$@" 2>&1 | grep -v '^total '; }
show lsl bind ro covered "$W/top"
show sh -c 'cd bind && find . | sort'
show sh -c 'cd bind && find . -type f | sort | xargs sha256sum'
show find "$W/top" -type d
show cat app.conf covered/file bind/rel-link bind/dir/nested/file
show cp -a bind/dir "$W/view/bind/dircopy"
show lsl bind/dircopy
show cp -a bind/dir plain/dircopy
show lsl plain/dircopy
show cp bind/file ro/file
show mv bind/dircopy bind/dirmoved
show mv plain/dircopy bind/frombelow
show mv bind/dirmoved plain/
show lsl plain bind
show rm -rf bind/frombelow plain/dirmoved
show rm -rf ro/sub
show rm -f covered/file
show ls covered
show sh -c 'tar -C bind -cf - dir file rel-link | tar -C plain -xf - && cd plain && find . | sort'
show sh -c 'cd bind && tar -cf ../plain/t.tar . && tar -tf ../plain/t.tar | sort'
show python3 -c '
import os
os.chdir("bind/dir")
print(os.getcwd(), os.path.realpath("../rel-link"), os.path.realpath("nested"))
with open("py.txt", "w") as f: f.write("from python\n")
print(open("../dir/py.txt").read().strip(), sorted(os.listdir(".")))
print(sorted(os.listdir("'"$W"'/top/new")), os.path.isdir("'"$W"'/top/new/deep"))
print(os.stat("nested/file").st_size, os.path.exists("../nothing"))
'
mkdir -p bind/proj && printf 'all: out.txt\nout.txt: in.txt\n\tcp in.txt out.txt\n\techo built $$(pwd)\n' > bind/proj/Makefile
echo input > bind/proj/in.txt
show make -C bind/proj
show make -C bind/proj
show cat bind/proj/out.txt
export GIT_AUTHOR_DATE='2020-01-01T00:00:00Z' GIT_COMMITTER_DATE='2020-01-01T00:00:00Z'
g() { git -c user.name=t -c user.email=t@e -c init.defaultBranch=main -c safe.directory='*' "$@"; }
show g init -q bind/repo
cd bind/repo || exit 1
echo one > a.txt; mkdir sub; echo two > sub/b.txt; ln -s a.txt lnk
show g add -A
show g commit -qm first
show g status --short
echo changed >> a.txt
show g status --short
show g commit -qam second
show g log --format='%H %s'
show g rev-parse --show-toplevel
cd "$v" || exit 1
show sh -c "cd '$W/top/new/deep/mnt' && pwd && /bin/pwd && ls"
