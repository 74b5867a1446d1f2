/* In-process start with a thread that already exists: the interposer
 * must leave that thread alone -- its syscalls run uninterposed, also
 * through a site the interposer rewrote, and a signal handled while it
 * runs reaches the program's handler -- while the starting thread is
 * interposed.  Usage: inprocess-thread sud|lazy; prints what it saw. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lazypoline.h"

#define FAKE_PPID 4242

static int wake[2], done[2];
static volatile sig_atomic_t handled_in_other;
static pthread_t other;

static lp_action fake_ppid(lp_ctx *ctx, void *data)
{
	(void)ctx;
	(void)data;
	return lp_return(FAKE_PPID);
}

static void on_usr1(int sig)
{
	(void)sig;
	if (pthread_equal(pthread_self(), other))
		handled_in_other = 1;
}

static void *other_main(void *arg)
{
	(void)arg;
	char c;
	if (read(wake[0], &c, 1) != 1)  /* until the interposer runs */
		return NULL;
	/* the libc site main made the interposer rewrite, and raw syscalls */
	long via_libc = 0, raw = 0;
	for (int i = 0; i < 8; i++) {
		via_libc = getppid();
		raw = syscall(SYS_getppid);
	}
	while (!handled_in_other)  /* main sends SIGUSR1 to this thread */
		usleep(1000);
	char line[64];
	int n = snprintf(line, sizeof line, "%s %s\n", via_libc == FAKE_PPID ? "fake" : "real",
			 raw == FAKE_PPID ? "fake" : "real");
	if (write(done[1], line, (size_t)n) != n)
		return NULL;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "sud") && strcmp(argv[1], "lazy")))
		return 2;
	if (pipe(wake) || pipe(done) || pthread_create(&other, NULL, other_main, NULL))
		return 1;
	lp_interposer *ip = lp_new();
	int r;
	if (!ip || (r = lp_on(ip, SYS_getppid, fake_ppid, NULL)) ||
	    (r = lp_set_mode(ip, strcmp(argv[1], "sud") ? LP_MODE_LAZY : LP_MODE_SUD)) || (r = lp_start(ip))) {
		fprintf(stderr, "inprocess-thread: cannot start: %s\n", ip ? strerror(-r) : "lp_new");
		return 1;
	}
	long mine = 0;
	for (int i = 0; i < LP_REWRITE_AFTER_DEFAULT + 4; i++)  /* enough traps for lazy mode to rewrite */
		mine = getppid();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	if (sigaction(SIGUSR1, &sa, NULL))
		return 1;
	if (write(wake[1], "x", 1) != 1)
		return 1;
	for (int i = 0; i < 1000 && !handled_in_other; i++) {
		pthread_kill(other, SIGUSR1);
		usleep(1000);
	}
	char line[64] = "";
	ssize_t n = read(done[0], line, sizeof line - 1);
	if (n > 0)
		line[n] = 0;
	pthread_join(other, NULL);
	printf("this thread: %s; the other one: %s", mine == FAKE_PPID ? "fake" : "real", n > 0 ? line : "nothing\n");
	return 0;
}
