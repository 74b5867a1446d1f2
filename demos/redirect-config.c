/* A test harness that redirects a configuration path, in-process:
 *
 *   redirect-config FIXTURE-DIR COMMAND [ARG...]
 *
 * shows FIXTURE-DIR at /etc/myapp (read-only), for this program and for
 * COMMAND and everything it starts -- no root, no namespace, and
 * /etc/myapp need not exist on the host.  The harness checks the
 * fixture itself, then runs COMMAND in the view and returns its status.
 *
 *   cc redirect-config.c -lvfs -llazypoline */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vfs.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s FIXTURE-DIR COMMAND [ARG...]\n", argv[0]);
		return 125;
	}
	lp_interposer *ip = lp_new();
	if (!ip || vfs_bind(argv[1], "/etc/myapp", VFS_RO) || vfs_attach(ip) || lp_start(ip)) {
		fprintf(stderr, "redirect-config: %s\n", ip ? vfs_error() : "cannot create the interposer");
		return 125;
	}
	/* The harness sees the view itself ... */
	if (access("/etc/myapp/app.conf", R_OK) != 0) {
		perror("redirect-config: /etc/myapp/app.conf");
		return 1;
	}
	FILE *f = fopen("/etc/myapp/app.conf", "a");  /* read-only mount */
	if (f || errno != EROFS) {
		fprintf(stderr, "redirect-config: the fixture is writable\n");
		return 1;
	}
	/* ... and so do the programs it starts. */
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "redirect-config: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
