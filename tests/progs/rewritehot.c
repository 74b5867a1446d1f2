/* A site that trapped 9 times in a process of the run is marked hot for
 * its program, one that trapped 6 times warm (neither is rewritten there
 * before its 16th trap).  A later process of the same program rewrites a
 * hot site at its first trap, page 0 not filled yet; a warm one at its
 * first trap once page 0 is filled, not before: a short process pays no
 * fill for it.  A site that trapped 5 times is not marked.  Run as
 * `rewritehot`: it runs itself again. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "site.h"

/* the nops: bytes of no other function, whose verdict may be kept */
TEST_SITE(hot_site, "xchg %%ax, %%ax\nnop\nnop\n", SYS_getppid)
TEST_SITE(warm_site, "xchg %%ax, %%ax\nnop\nnop\nnop\n", SYS_getppid)
TEST_SITE(cold_site, "xchg %%ax, %%ax\nnop\nnop\nnop\nnop\n", SYS_getppid)

/* Is the trampoline's page 0 filled (executable), not only reserved? */
static bool page0_filled(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[256];
	bool filled = false;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "00000000-", 9) && strchr(line, ' ') && strchr(line, ' ')[3] == 'x')
			filled = true;
	if (f)
		fclose(f);
	return filled;
}

static int run_again(void)
{
	pid_t p = fork();
	if (p == 0) {
		execl("/proc/self/exe", "rewritehot", "later", (char *)NULL);
		_exit(127);
	}
	int st;
	return p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
	long ppid = getppid();
	if (argc < 2) {
		for (int i = 1; i <= 9; i++)
			if (hot_site() != ppid || (i <= 6 && warm_site() != ppid) || (i <= 5 && cold_site() != ppid))
				return printf("rewritehot: a wrong value\n"), 1;
		if (site_rewritten(hot_site_insn) || site_rewritten(warm_site_insn) || site_rewritten(cold_site_insn))
			return printf("rewritehot: a site rewritten before its 16th trap\n"), 1;
		if (run_again())
			return 1;
		printf("ok\n");
		return 0;
	}
	(void)argv;
	if (page0_filled())
		return printf("rewritehot: page 0 filled before the test's sites ran [later]\n"), 1;
	if (warm_site() != ppid || cold_site() != ppid)
		return printf("rewritehot: a wrong value [later]\n"), 1;
	if (site_rewritten(warm_site_insn) || page0_filled())
		return printf("rewritehot: a site that trapped 6 times in an earlier process is rewritten (page 0 filled) before page 0 was\n"), 1;
	if (hot_site() != ppid)
		return printf("rewritehot: a wrong value [later]\n"), 1;
	if (!site_rewritten(hot_site_insn) || !page0_filled())
		return printf("rewritehot: a site that trapped 9 times in an earlier process is not rewritten at its first trap\n"), 1;
	if (warm_site() != ppid || cold_site() != ppid)
		return printf("rewritehot: a wrong value [later]\n"), 1;
	if (!site_rewritten(warm_site_insn))
		return printf("rewritehot: a site that trapped 6 times in an earlier process is not rewritten at its first trap after page 0's fill\n"), 1;
	if (site_rewritten(cold_site_insn))
		return printf("rewritehot: a site that trapped 5 times in an earlier process is rewritten at its second trap\n"), 1;
	return 0;
}
