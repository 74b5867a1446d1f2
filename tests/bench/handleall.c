/* Benchmark interposer: a handler on every syscall that lets it run, to
 * measure the slow path (registers, C, and the extended-state save unless
 * HANDLEALL_GPR is set: then the handler is declared LP_GPR_ONLY). */
#include <stdlib.h>

#include "lazypoline.h"

static lp_action pass(lp_ctx *c, void *data)
{
	(void)c;
	(void)data;
	return lp_continue();
}

int lazypoline_init(lp_interposer *ip)
{
	const char *gpr = getenv("HANDLEALL_GPR");
	return lp_on_flags(ip, LP_ALL_SYSCALLS, pass, NULL, gpr && *gpr ? LP_GPR_ONLY : 0);
}
