/* Rewriting sites that straddle a page, a cache line and an 8-byte
 * boundary (glibc 2.36 has such sites), while other threads run them:
 * every call must return the right value, and in the rewriting modes the
 * sites must end up rewritten.  Usage: straddle [expect-rewritten] */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

long across_page(void), across_line(void), across_qword(void);
extern const unsigned char across_page_insn[], across_line_insn[], across_qword_insn[];

static long (*const sites[])(void) = { across_page, across_line, across_qword };
static const unsigned char *const insns[] = { across_page_insn, across_line_insn, across_qword_insn };
static const char *const names[] = { "page", "cache line", "qword" };
static volatile int go;
static long expected;
static int wrong;

static void *hammer(void *arg)
{
	(void)arg;
	while (!go)
		;
	for (int i = 0; i < 20000; i++)
		for (int s = 0; s < 3; s++)
			if (sites[s]() != expected)
				__atomic_add_fetch(&wrong, 1, __ATOMIC_RELAXED);
	return NULL;
}

int main(int argc, char **argv)
{
	bool want_rewritten = argc > 1 && !strcmp(argv[1], "expect-rewritten");
	expected = getppid();
	if ((uintptr_t)across_page_insn % 4096 != 4095 || (uintptr_t)across_line_insn % 64 != 63 ||
	    (uintptr_t)across_qword_insn % 8 != 7) {
		printf("straddle: sites not where intended\n");
		return 1;
	}
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, hammer, NULL);
	go = 1;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	int bad = wrong != 0;
	if (wrong)
		printf("straddle: %d calls returned a wrong value\n", wrong);
	for (int s = 0; s < 3; s++) {
		bool rewritten = insns[s][0] == 0xff && insns[s][1] == 0xd0;
		bool original = insns[s][0] == 0x0f && insns[s][1] == 0x05;
		if (!rewritten && !original) {
			printf("straddle: %s site is neither syscall nor call: %02x %02x\n", names[s],
			       insns[s][0], insns[s][1]);
			bad = 1;
		}
		if (want_rewritten && !rewritten) {
			printf("straddle: %s site was not rewritten\n", names[s]);
			bad = 1;
		}
	}
	/* the patched pages keep their protections: nothing writable and executable */
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512];
	while (maps && fgets(line, sizeof line, maps)) {
		char perms[5] = "";
		if (sscanf(line, "%*s %4s", perms) == 1 && perms[1] == 'w' && perms[2] == 'x') {
			printf("straddle: a mapping is left writable and executable: %s", line);
			bad = 1;
		}
	}
	if (maps)
		fclose(maps);
	printf("straddle: %s\n", bad ? "FAILED" : "ok");
	return bad;
}
