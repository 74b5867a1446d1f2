/* In-process use: a program interposes itself.
 *
 *   cc demo.c -llazypoline && ./a.out
 *
 * After lp_start, every syscall of this thread, of the threads it creates
 * and of its children goes through the handlers -- also ones made with a
 * raw `syscall` instruction.  Here: uname() reports another host name,
 * and unlink() is refused. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lazypoline.h"

static lp_action fake_hostname(lp_ctx *c, void *data)
{
	long r = lp_ctx_exec(c);  /* the real uname */
	if (r == 0) {
		struct utsname u;
		if (lp_copy_from_user(&u, (void *)c->args[0], sizeof u) == 0) {
			snprintf(u.nodename, sizeof u.nodename, "%s", (const char *)data);
			lp_copy_to_user((void *)c->args[0], &u, sizeof u);
		}
	}
	return lp_return(r);
}

int main(void)
{
	lp_interposer *ip = lp_new();
	static const long no_unlink[] = { SYS_unlink, SYS_unlinkat };
	if (!ip || lp_on(ip, SYS_uname, fake_hostname, "interposed-host") ||
	    lp_block_list(ip, no_unlink, 2, EPERM) || lp_start(ip)) {
		fprintf(stderr, "cannot start the interposer\n");
		return 1;
	}
	struct utsname u;
	uname(&u);
	printf("hostname: %s\n", u.nodename);
	long raw;
	__asm__ volatile("syscall" : "=a"(raw) : "a"(SYS_unlink), "D"("/nonexistent")
			 : "rcx", "r11", "memory");
	printf("raw unlink: %s\n", strerror((int)-raw));
	printf("mode: %s\n", lp_active_mode() == LP_MODE_SUD ? "sud" : "lazy");
	return 0;
}
