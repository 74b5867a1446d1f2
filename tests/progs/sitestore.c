/* Red-zone verdicts kept for a run: a program that runs again in the same
 * run rewrites its sites without loading Capstone, and a site one process
 * had to leave on the SUD path is decided by the next process to start.
 * Runs itself four times through execve; start with no argument. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern const unsigned char site_a_insn[], site_b_insn[];

__attribute__((noinline, noipa)) static long site_a(void)
{
	long r;
	__asm__ volatile(".globl site_a_insn\nsite_a_insn: syscall"
			 : "=a"(r) : "a"((long)SYS_getppid) : "rcx", "r11", "memory");
	return r;
}

__attribute__((noinline, noipa)) static long site_b(void)
{
	long r;
	__asm__ volatile(".globl site_b_insn\nsite_b_insn: syscall"
			 : "=a"(r) : "a"((long)SYS_getpid) : "rcx", "r11", "memory");
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

static bool rewritten(const unsigned char *insn)
{
	return insn[0] == 0xff && insn[1] == 0xd0;
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
	if (site_a() != getppid() || (step >= 2 && site_b() != getpid())) {
		printf("sitestore step %d: a site returned a wrong value\n", step);
		bad = 1;
	}
	switch (step) {
	case 1:  /* first process of the run: Capstone decides, the verdict is kept */
		expect(step, "Capstone loaded", capstone_loaded(), true);
		expect(step, "site A rewritten", rewritten(site_a_insn), true);
		break;
	case 2:  /* nothing was missed: no Capstone; A from the kept verdict, B missed */
		expect(step, "Capstone loaded", capstone_loaded(), false);
		expect(step, "site A rewritten", rewritten(site_a_insn), true);
		expect(step, "site B rewritten", rewritten(site_b_insn), false);
		break;
	case 3:  /* the miss makes this process load Capstone and decide B */
		expect(step, "Capstone loaded", capstone_loaded(), true);
		expect(step, "site A rewritten", rewritten(site_a_insn), true);
		expect(step, "site B rewritten", rewritten(site_b_insn), true);
		break;
	case 4:  /* both kept */
		expect(step, "Capstone loaded", capstone_loaded(), false);
		expect(step, "site A rewritten", rewritten(site_a_insn), true);
		expect(step, "site B rewritten", rewritten(site_b_insn), true);
		break;
	}
	if (bad || step == 4) {
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
