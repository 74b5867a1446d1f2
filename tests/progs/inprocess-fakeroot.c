/* vfs.h in-process: fake root for this process and the programs it
 * starts.  Prints its fake uid, the owner a chown left on a file of DIR,
 * then runs `id -u` (a child: fake root crosses execve). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfs.h"

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	lp_interposer *ip = lp_new();
	if (!ip || vfs_fake_root(NULL) || vfs_bind(argv[1], "/fake-root-test", 0) || vfs_attach(ip) || lp_start(ip)) {
		fprintf(stderr, "view: %s\n", vfs_error());
		return 1;
	}
	struct stat st;
	if (chown("/fake-root-test/f", 5, 6) || stat("/fake-root-test/f", &st)) {
		perror("/fake-root-test/f");
		return 1;
	}
	printf("uid %d, f owned by %d:%d\n", (int)getuid(), (int)st.st_uid, (int)st.st_gid);
	fflush(stdout);
	return system("id -u");
}
