/* A site that a process of the run rewrote at its 16th trap is rewritten
 * at its next trap in a later process of the same program, once page 0 is
 * filled there (a site of its own reached 16 traps: fill_site, hot too
 * but counted while page 0 is not filled) -- and not before: a
 * short process still pays no rewrite.  Run as `rewritehot`: it runs
 * itself again, once with page 0 filled first and once without. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "site.h"

/* the nops: bytes of no other function, whose verdict may be kept */
TEST_SITE(hot_site, "xchg %%ax, %%ax\nnop\nnop\n", SYS_getppid)
TEST_SITE(fill_site, "xchg %%ax, %%ax\nnop\nnop\nnop\n", SYS_getppid)

static int run_again(const char *how)
{
	pid_t p = fork();
	if (p == 0) {
		execl("/proc/self/exe", "rewritehot", how, (char *)NULL);
		_exit(127);
	}
	int st;
	return p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
	long ppid = getppid();
	if (argc < 2) {
		/* the first process: makes hot_site hot, and has both sites'
		 * verdicts decided (it loads Capstone) for the next ones */
		for (int i = 1; i <= 16; i++)
			if (hot_site() != ppid || fill_site() != ppid)
				return printf("rewritehot: a wrong value\n"), 1;
		if (!site_rewritten(hot_site_insn) || !site_rewritten(fill_site_insn))
			return printf("rewritehot: not rewritten at the 16th trap\n"), 1;
		if (run_again("short") || run_again("filled"))
			return 1;
		printf("ok\n");
		return 0;
	}
	if (!strcmp(argv[1], "filled")) {
		for (int i = 1; i <= 16; i++)
			fill_site();
		if (!site_rewritten(fill_site_insn))
			return printf("rewritehot: fill_site not rewritten at its 16th trap\n"), 1;
	}
	if (hot_site() != ppid)
		return printf("rewritehot: a wrong value [%s]\n", argv[1]), 1;
	int want = !strcmp(argv[1], "filled");
	if (site_rewritten(hot_site_insn) != want)
		return printf("rewritehot: [%s] a site hot in another process is %s after one trap\n", argv[1],
			      want ? "not rewritten" : "rewritten"), 1;
	return 0;
}
