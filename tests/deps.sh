#!/bin/sh
# Installs what lazypoline needs, when it is missing (Debian 12, apt-get).
#   tests/deps.sh          to build and test
#   tests/deps.sh bench    also the peers the benchmarks compare with
set -e
pkgs="gcc make pkg-config libc6-dev binutils uthash-dev libcapstone-dev check
      libfuse3-dev fuse3 strace python3 python3-venv perl git tar findutils util-linux file
      debootstrap libcap2-bin musl-tools"
if [ "${1:-}" = bench ]; then
	pkgs="$pkgs proot fakechroot fuse-overlayfs unionfs-fuse"
fi
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo=sudo
	else
		echo "tests/deps.sh: missing Debian packages:$missing (run as root to install them)" >&2
		exit 1
	fi
fi
echo "tests/deps.sh: installing$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
