/* Lazy mode rewrites a site at its Nth trap: a site run N-1 times still
 * holds `syscall`, the Nth run leaves `call *%rax`.  Usage: rewriteafter N
 * (the setting in effect: LAZYPOLINE_REWRITE_AFTER or the default). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "site.h"

/* the nops: not the bytes of a libc function whose verdict may be kept */
TEST_SITE(counted_site, "xchg %%ax, %%ax\nnop\n", SYS_getppid)

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	if (n < 1) {
		fprintf(stderr, "usage: rewriteafter N\n");
		return 2;
	}
	long ppid = getppid();
	for (int run = 1; run <= n + 2; run++) {
		if (counted_site() != ppid) {
			printf("rewriteafter: run %d returned a wrong value\n", run);
			return 1;
		}
		int rewritten = site_rewritten(counted_site_insn);
		if (rewritten != (run >= n)) {
			printf("rewriteafter: after run %d the site is %s, expected %s\n", run,
			       rewritten ? "rewritten" : "not rewritten", run >= n ? "rewritten" : "not yet");
			return 1;
		}
	}
	printf("ok\n");
	return 0;
}
