/* Benchmark interposer: a handler on every syscall that lets it run, to
 * measure the full slow path (register and extended-state save, C). */
#include "lazypoline.h"

static lp_action pass(lp_ctx *c, void *data)
{
	(void)c;
	(void)data;
	return lp_continue();
}

int lazypoline_init(lp_interposer *ip)
{
	return lp_on(ip, LP_ALL_SYSCALLS, pass, NULL);
}
