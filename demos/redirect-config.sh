#!/bin/sh
# Redirect a configuration path for a test run, with vfsrun:
#
#   demos/redirect-config.sh [VFSRUN]
#
# /etc/os-release shows the fixture next to this script (read-only), and
# /etc/myapp -- absent on the host -- shows a fixture directory.  The
# programs are unmodified; nothing on the host changes.
here=$(cd "$(dirname "$0")" && pwd)
vfsrun=${1:-$here/../build/vfsrun}
exec "$vfsrun" --ro-bind "$here/fixtures/os-release" /etc/os-release \
	--ro-bind "$here/fixtures/myapp" /etc/myapp \
	sh -c '. /etc/os-release; echo "os: $PRETTY_NAME"; grep -h listen /etc/myapp/app.conf; ls /etc/myapp'
