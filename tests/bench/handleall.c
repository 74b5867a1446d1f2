/* Test and benchmark interposer: a handler on every syscall that lets it
 * run, to measure the slow path (registers, C, and the extended-state save
 * unless HANDLEALL_GPR is set: then the handler is declared LP_GPR_ONLY).
 * With HANDLEALL_PREFILTER set, every syscall also has a prefilter that
 * sends every other call to the handler and lets the rest run at once:
 * the prefilter route must keep every register too. */
#include <stdlib.h>

#include "lazypoline.h"

static lp_action pass(lp_ctx *c, void *data)
{
	(void)c;
	(void)data;
	return lp_continue();
}

static unsigned long calls;

static int every_other(long nr, const long a[6])
{
	(void)nr;
	(void)a;
	return (int)(__atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED) & 1);
}

int lazypoline_init(lp_interposer *ip)
{
	const char *gpr = getenv("HANDLEALL_GPR");
	int r = lp_on_flags(ip, LP_ALL_SYSCALLS, pass, NULL, gpr && *gpr ? LP_GPR_ONLY : 0);
	const char *pf = getenv("HANDLEALL_PREFILTER");
	for (long nr = 0; !r && pf && *pf && nr < 512; nr++)
		if (lp_syscall_name(nr))
			r = lp_on_prefilter(ip, nr, every_other);
	return r;
}
