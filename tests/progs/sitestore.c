/* Red-zone verdicts kept for a run: a program that runs again in the same
 * run rewrites its sites without loading Capstone (only its first process
 * of the run loads it), also a second site of a function whose first site
 * it has rewritten already; a site one process had to leave on the SUD
 * path is decided by the next process to load Capstone, even when that
 * one does not run it.  Runs itself five times through execve; start with
 * no argument. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "site.h"

extern const unsigned char site_c1_insn[], site_c2_insn[];

TEST_SITE(site_a, "", SYS_getppid)
/* the nop: not the same bytes as libc's getpid, whose verdict may be kept */
TEST_SITE(site_b, "xchg %%ax, %%ax\n", SYS_getpid)
TEST_SITE(site_d, "nop\nnop\nnop\n", SYS_getuid)

/* two sites in one function */
__attribute__((noinline, noipa)) static long site_c(int second)
{
	long r;
	if (second)
		__asm__ volatile(".globl site_c2_insn\nsite_c2_insn: syscall"
				 : "=a"(r) : "a"((long)SYS_getpid) : "rcx", "r11", "memory");
	else
		__asm__ volatile(".globl site_c1_insn\nsite_c1_insn: syscall"
				 : "=a"(r) : "a"((long)SYS_getppid) : "rcx", "r11", "memory");
	return r;
}

static bool capstone_loaded(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	bool found = false;
	while (f && fgets(line, sizeof line, f))
		found |= strstr(line, "libcapstone") != NULL;
	if (f)
		fclose(f);
	return found;
}

static int bad;

static void expect(int step, const char *what, bool got, bool want)
{
	if (got != want) {
		printf("sitestore step %d: %s is %s, expected %s\n", step, what, got ? "true" : "false",
		       want ? "true" : "false");
		bad = 1;
	}
}

int main(int argc, char **argv)
{
	int step = argc > 1 ? atoi(argv[1]) : 1;
	if (getenv("LAZYPOLINE_SITES_FD") && step == 1) {
		printf("sitestore: started inside a run that already keeps verdicts\n");
		return 1;
	}
	bool b = step >= 3;
	if (site_a() != getppid() || (b && site_b() != getpid()) || site_c(0) != getppid()) {
		printf("sitestore step %d: a site returned a wrong value\n", step);
		bad = 1;
	}
	if ((step == 3 || step == 5) && site_d() != getuid()) {
		printf("sitestore step %d: a site returned a wrong value\n", step);
		bad = 1;
	}
	if (b && site_c(1) != getpid()) {
		printf("sitestore step %d: a site returned a wrong value\n", step);
		bad = 1;
	}
	/* Capstone: in the program's first process of the run, and after a miss */
	expect(step, "Capstone loaded", capstone_loaded(), step == 1 || step == 4);
	expect(step, "site A rewritten", site_rewritten(site_a_insn), true);
	expect(step, "site C1 rewritten", site_rewritten(site_c1_insn), true);
	/* C2: decided with C1 in step 1, not run before step 3, which finds
	 * it with C1 already rewritten, without Capstone */
	expect(step, "site C2 rewritten", site_rewritten(site_c2_insn), b);
	/* B: first met in step 3, without Capstone, so missed there */
	if (b)
		expect(step, "site B rewritten", site_rewritten(site_b_insn), step != 3);
	/* D: missed in step 3, not run in step 4, which decides it all the
	 * same, from the bytes step 3 kept */
	if (step == 3 || step == 5)
		expect(step, "site D rewritten", site_rewritten(site_d_insn), step == 5);
	if (bad || step == 5) {
		if (!bad)
			printf("ok\n");
		return bad;
	}
	char next[2] = { (char)('0' + step + 1), 0 };
	fflush(stdout);
	execl("/proc/self/exe", argv[0], next, (char *)NULL);
	perror("sitestore: execl");
	return 1;
}
