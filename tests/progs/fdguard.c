/* The runtime's and the view's own fds are not the program's: a program
 * that closes, dup2s over or close_ranges every fd it does not know (as
 * daemons and shells do) must not take them, and the view must go on
 * working in it and in the program it then runs.
 * Usage: fdguard COMMAND [ARG...]  (COMMAND reads something in the view)
 * Prints how many fds looked open (fcntl) but were refused by close. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	/* dup2 over the low fds: a hidden one there moves out of the way */
	for (int fd = 3; fd < 100; fd++)
		if (dup2(1, fd) != fd) {
			perror("dup2");
			return 1;
		}
	int refused = 0;
	for (int fd = 3; fd < 1024; fd++) {
		bool open = fcntl(fd, F_GETFD) >= 0;
		int r = close(fd);
		if (open && r < 0 && errno == EBADF)
			refused++;
		else if (open != (r == 0)) {
			fprintf(stderr, "close(%d): %m\n", fd);
			return 1;
		}
	}
	/* closed twice: the kernel's answer */
	if (close(50) == 0 || errno != EBADF) {
		fprintf(stderr, "second close(50) did not fail with EBADF\n");
		return 1;
	}
	if (syscall(SYS_close_range, 3, ~0u, 0) < 0 && errno != ENOSYS) {
		perror("close_range");
		return 1;
	}
	printf("refused %s\n", refused > 0 ? "some" : "none");
	fflush(stdout);
	execvp(argv[1], argv + 1);
	perror("execvp");
	return 127;
}
