# git init, add, commit, status, log
git init -q repo && cd repo
echo one > a; echo two > b; mkdir d; echo three > d/c
git add . && git -c user.name=t -c user.email=t@t commit -q -m first
echo four >> a
git status --short
git -c user.name=t -c user.email=t@t commit -q -am second
git log --format='%s' && git ls-files
