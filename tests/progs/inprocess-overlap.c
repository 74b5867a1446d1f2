/* vfs.h in-process: an overlay whose layers nest is refused, as vfsrun and
 * the kernel's overlayfs refuse it.  Usage: inprocess-overlap LOWER UPPER
 * Prints vfs_error()'s line; exits 0 only when the view was refused. */
#include <stdio.h>

#include "vfs.h"

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	lp_interposer *ip = lp_new();
	if (!ip || vfs_overlay(argv[1], argv[2], "/lp-overlap") || vfs_attach(ip)) {
		printf("refused: %s\n", vfs_error());
		return 0;
	}
	printf("accepted\n");
	return 1;
}
