/* Test interposer: getppid() returns 777777.  A program that sees that
 * value from a given context (thread, child, signal handler, JIT code...)
 * was interposed there. */
#include <sys/syscall.h>

#include "lazypoline.h"

static lp_action fake_getppid(lp_ctx *c, void *data)
{
	(void)c;
	(void)data;
	return lp_return(777777);
}

int lazypoline_init(lp_interposer *ip)
{
	return lp_on(ip, SYS_getppid, fake_getppid, NULL);
}
