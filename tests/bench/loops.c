/* Syscall loops for `make bench`.  Usage: loops OP ITERATIONS [PATH]
 * Prints the best ns per operation over 5 rounds of ITERATIONS.  stat and
 * open+close use PATH (default /usr/include/stdio.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4)
		return 2;
	const char *op = argv[1];
	long n = atol(argv[2]);
	const char *path = argc == 4 ? argv[3] : "/usr/include/stdio.h";
	struct stat probe;
	if (stat(path, &probe)) {
		perror(path);
		return 1;
	}
	double best = 1e18;
	for (int round = 0; round < 5; round++) {
		double t0 = now();
		if (!strcmp(op, "getppid")) {
			for (long i = 0; i < n; i++)
				syscall(SYS_getppid);
		} else if (!strcmp(op, "stat")) {
			struct stat st;
			for (long i = 0; i < n; i++)
				stat(path, &st);
		} else if (!strcmp(op, "open+close")) {
			for (long i = 0; i < n; i++)
				close(open(path, O_RDONLY));
		} else {
			return 2;
		}
		double ns = (now() - t0) / (double)n;
		if (ns < best)
			best = ns;
	}
	printf("%.1f\n", best);
	return 0;
}
