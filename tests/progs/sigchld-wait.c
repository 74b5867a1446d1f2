/* The waiting loop of dash's `wait`, thousands of times: block every
 * signal, sigsuspend with the old mask until SIGCHLD's handler ran.  A
 * signal the interposer holds back must never show up as blocked in the
 * mask the program reads back, nor be lost.  Usage: sigchld-wait [N] */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static void on_chld(int s)
{
	(void)s;
	got = 1;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_chld;
	sigfillset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigset_t all, old;
	sigfillset(&all);
	for (volatile int i = 0; i < n; i++) {
		pid_t p = (i & 1) ? vfork() : fork();
		if (p == 0)
			_exit(0);
		for (;;) {
			int st;
			if (waitpid(-1, &st, WNOHANG) > 0)
				break;
			sigprocmask(SIG_SETMASK, &all, &old);
			if (sigismember(&old, SIGCHLD)) {
				printf("sigchld-wait: iteration %d: SIGCHLD reported blocked\n", i);
				return 1;
			}
			while (!got)
				sigsuspend(&old);
			got = 0;
			sigprocmask(SIG_SETMASK, &old, NULL);
		}
	}
	printf("sigchld-wait: %d children waited for\n", n);
	return 0;
}
