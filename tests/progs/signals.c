/* Signal semantics that must not change under the interposer.  Each check
 * prints "ok NAME" or "FAIL NAME: why"; the program must pass natively
 * and interposed alike.  Usage: signals native|interposed */
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;
static bool interposed;

static void result(const char *name, bool ok, const char *why)
{
	if (ok) {
		printf("ok %s\n", name);
	} else {
		printf("FAIL %s: %s\n", name, why);
		failures++;
	}
	fflush(stdout);
}

static long raw_getpid(void)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(SYS_getpid) : "rcx", "r11", "memory");
	return r;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

/* The program may block SIGSYS: it keeps working, and reads it back. */
static void block_sigsys(void)
{
	sigset_t s, old, now;
	sigemptyset(&s);
	sigaddset(&s, SIGSYS);
	sigaddset(&s, SIGSEGV);
	sigprocmask(SIG_BLOCK, &s, &old);
	bool ok = raw_getpid() == getpid();
	sigprocmask(SIG_BLOCK, NULL, &now);
	ok &= sigismember(&now, SIGSYS) && sigismember(&now, SIGSEGV);
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigprocmask(SIG_BLOCK, NULL, &now);
	ok &= !sigismember(&now, SIGSYS);
	/* with everything blocked, as worker threads often do */
	sigfillset(&s);
	sigprocmask(SIG_SETMASK, &s, &old);
	ok &= raw_getpid() == getpid();
	sigprocmask(SIG_BLOCK, NULL, &now);
	ok &= sigismember(&now, SIGSYS) && sigismember(&now, SIGUSR1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	result("sigprocmask blocking SIGSYS", ok, "mask not kept or syscall failed");
}

static volatile int usr1_count, usr1_depth, usr1_maxdepth;
static void on_usr1(int sig)
{
	usr1_count++;
	usr1_depth++;
	if (usr1_depth > usr1_maxdepth)
		usr1_maxdepth = usr1_depth;
	if (usr1_count == 1)
		raise(sig);  /* nests only with SA_NODEFER */
	usr1_depth--;
}

static void nodefer(void)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGUSR1, &sa, NULL);
	usr1_count = usr1_depth = usr1_maxdepth = 0;
	raise(SIGUSR1);
	result("SA_NODEFER nests", usr1_count == 2 && usr1_maxdepth == 2, "wrong nesting");
	sa.sa_flags = 0;
	sigaction(SIGUSR1, &sa, NULL);
	usr1_count = usr1_depth = usr1_maxdepth = 0;
	raise(SIGUSR1);
	result("without SA_NODEFER the signal waits", usr1_count == 2 && usr1_maxdepth == 1,
	       "wrong nesting");
}

static volatile int chld_seen;
static void on_chld(int sig)
{
	(void)sig;
	chld_seen = raw_getpid() == getpid();
	char m[] = "";
	if (write(1, m, 0) < 0) {
	}
}

/* dash's SIGCHLD handler blocks every signal, SIGSYS included. */
static void full_sa_mask(void)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_chld;
	sigfillset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	struct sigaction back;
	sigaction(SIGCHLD, NULL, &back);
	bool mask_kept = sigismember(&back.sa_mask, SIGSYS) && sigismember(&back.sa_mask, SIGINT);
	chld_seen = 0;
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	int st;
	while (waitpid(p, &st, 0) < 0 && errno == EINTR)
		;
	for (int i = 0; i < 100 && !chld_seen; i++)
		sleep_ms(1);
	signal(SIGCHLD, SIG_DFL);
	result("SIGCHLD handler with a full sa_mask", chld_seen && mask_kept,
	       chld_seen ? "sa_mask not reported back" : "handler did not run");
}

static void *send_later(void *arg)
{
	sleep_ms(50);
	kill(getpid(), (int)(intptr_t)arg);
	return NULL;
}

static void noop(int sig) { (void)sig; }

static void sigsuspend_mask(void)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = noop;
	sigaction(SIGUSR2, &sa, NULL);
	sigset_t block, wait_mask;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, NULL);
	pthread_t t;
	pthread_create(&t, NULL, send_later, (void *)(intptr_t)SIGUSR2);
	sigfillset(&wait_mask);
	sigdelset(&wait_mask, SIGUSR2);  /* SIGSYS stays in the mask */
	int r = sigsuspend(&wait_mask);
	int e = errno;
	pthread_join(t, NULL);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	result("sigsuspend with SIGSYS in its mask", r == -1 && e == EINTR, "did not return EINTR");
}

static void masked_waits(void)
{
	sigset_t m;
	sigfillset(&m);
	struct timespec ts = { 0, 5000000 };
	bool ok = ppoll(NULL, 0, &ts, &m) == 0;
	ok &= pselect(0, NULL, NULL, NULL, &ts, &m) == 0;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev;
	ok &= epoll_pwait(ep, &ev, 1, 5, &m) == 0;
	close(ep);
	ok &= raw_getpid() == getpid();
	result("ppoll/pselect/epoll_pwait with a full mask", ok, "a wait failed");
}

static void signalfd_mask(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	sigaddset(&m, SIGSYS);
	sigprocmask(SIG_BLOCK, &m, NULL);
	int fd = signalfd(-1, &m, SFD_CLOEXEC);
	kill(getpid(), SIGUSR2);
	struct signalfd_siginfo si;
	ssize_t n = read(fd, &si, sizeof si);
	bool ok = n == (ssize_t)sizeof si && si.ssi_signo == SIGUSR2 && raw_getpid() == getpid();
	close(fd);
	sigprocmask(SIG_UNBLOCK, &m, NULL);
	result("signalfd with SIGSYS in its mask", ok, "wrong signal read");
}

static char altstack[64 * 1024];
static volatile int onstack_ok;
static void on_stack_check(int sig)
{
	(void)sig;
	char local;
	stack_t cur;
	sigaltstack(NULL, &cur);
	onstack_ok = &local > altstack && &local < altstack + sizeof altstack &&
		     (cur.ss_flags & SS_ONSTACK) && raw_getpid() == getpid();
}

static void alt_stack(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
	sigaltstack(&ss, NULL);
	struct sigaction sa = { 0 };
	sa.sa_handler = on_stack_check;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	onstack_ok = 0;
	raise(SIGUSR1);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	result("SA_ONSTACK runs on the alternate stack", onstack_ok, "wrong stack or flags");
}

static int pipe_fds[2];
static void *write_later(void *arg)
{
	(void)arg;
	sleep_ms(120);
	if (write(pipe_fds[1], "x", 1) < 0) {
	}
	return NULL;
}

/* An interval timer interrupts a blocking read; SA_RESTART decides. */
static void restart(bool with_restart)
{
	if (pipe(pipe_fds) < 0)
		return;
	struct sigaction sa = { 0 };
	sa.sa_handler = noop;
	sa.sa_flags = with_restart ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);
	pthread_t t;
	pthread_create(&t, NULL, write_later, NULL);
	struct itimerval it = { { 0, 0 }, { 0, 30000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	char c;
	ssize_t n = read(pipe_fds[0], &c, 1);
	int e = errno;
	pthread_join(t, NULL);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	if (with_restart)
		result("SA_RESTART restarts a read", n == 1, "read did not restart");
	else
		result("without SA_RESTART a read fails with EINTR", n == -1 && e == EINTR,
		       "read was not interrupted");
}

static void resethand(void)
{
	struct sigaction sa = { 0 }, back;
	sa.sa_handler = noop;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	sigaction(SIGUSR1, NULL, &back);
	result("SA_RESETHAND resets to SIG_DFL", back.sa_handler == SIG_DFL, "handler kept");
}

/* A vfork-style child has handlers of its own: posix_spawn resets every
 * one in the child, a vfork child may change one before it execs; the
 * parent's stay. */
static volatile int usr2_seen;
static void on_usr2(int sig)
{
	(void)sig;
	usr2_seen++;
}

static void spawn_keeps_handlers(void)
{
	struct sigaction sa = { 0 }, back;
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	char *args[] = { "true", NULL };
	pid_t pid;
	int status;
	bool spawned = posix_spawn(&pid, "/bin/true", NULL, NULL, args, environ) == 0 &&
		       waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	pid = vfork();
	if (pid == 0) {
		signal(SIGUSR2, SIG_IGN);
		_exit(0);
	}
	spawned = spawned && pid > 0 && waitpid(pid, &status, 0) == pid;
	sigaction(SIGUSR2, NULL, &back);
	raise(SIGUSR2);
	result("posix_spawn and vfork children leave the parent's handlers",
	       spawned && back.sa_handler == on_usr2 && usr2_seen == 1, "handler lost or not run");
	signal(SIGUSR2, SIG_DFL);
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
}

static void roundtrip(void)
{
	struct sigaction sa = { 0 }, back;
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGSYS);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGUSR2, NULL, &back);
	bool ok = back.sa_sigaction == sa.sa_sigaction && (back.sa_flags & SA_SIGINFO) &&
		  (back.sa_flags & SA_RESTART) && sigismember(&back.sa_mask, SIGSYS) &&
		  sigismember(&back.sa_mask, SIGINT) && !sigismember(&back.sa_mask, SIGTERM);
	signal(SIGUSR2, SIG_DFL);
	result("sigaction reads back what was set", ok, "different action read back");
}

static volatile int sys_code = -1;
static void on_sys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sys_code = si->si_code;
}

/* A SIGSYS sent by kill is the program's, not the interposer's. */
static void sigsys_from_kill(void)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_sys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	sys_code = -1;
	kill(getpid(), SIGSYS);
	bool ok = sys_code == SI_USER;
	signal(SIGSYS, SIG_IGN);
	kill(getpid(), SIGSYS);
	ok &= raw_getpid() == getpid();
	signal(SIGSYS, SIG_DFL);
	result("SIGSYS from kill() reaches the program", ok, "not delivered as sent");
}

static sigjmp_buf segv_jump;
static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(segv_jump, 1);
}

static void real_fault(void)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, NULL);
	volatile int recovered = 0;
	volatile int *bad = (volatile int *)(uintptr_t)8;
	__asm__("" : "+r"(bad));  /* a bad pointer on purpose */
	if (sigsetjmp(segv_jump, 1) == 0)
		*bad = 1;
	else
		recovered = 1;
	signal(SIGSEGV, SIG_DFL);
	result("the program's own SIGSEGV handler", recovered && raw_getpid() == getpid(),
	       "handler did not run");
}

/* Unwinding from a handler (backtrace, C++ exceptions, cancellation)
 * must walk through the signal frame into the interrupted code. */
static void *frames[32];
static volatile int n_frames;
static void on_usr2_backtrace(int sig)
{
	(void)sig;
	n_frames = backtrace(frames, 32);
}

__attribute__((noinline)) static void raiser(void)
{
	raise(SIGUSR2);
	__asm__ volatile("" ::: "memory");
}

static void unwind_through_handler(void)
{
	signal(SIGUSR2, on_usr2_backtrace);
	n_frames = 0;
	raiser();
	signal(SIGUSR2, SIG_DFL);
	bool found = false;
	for (int i = 0; i < n_frames; i++)
		found |= (uintptr_t)frames[i] > (uintptr_t)raiser &&
			 (uintptr_t)frames[i] < (uintptr_t)raiser + 64;  /* its call to raise */
	result("backtrace() from a handler reaches the interrupted code", found,
	       "the unwinder stopped at the signal frame");
}

/* Switching Syscall User Dispatch off would end the interposition. */
static void prctl_sud(void)
{
	int r = prctl(59 /* PR_SET_SYSCALL_USER_DISPATCH */, 0 /* OFF */, 0, 0, 0);
	int e = errno;
	if (interposed)
		result("prctl cannot switch SUD off", r == -1 && e == EPERM, "was not refused");
	else
		result("prctl cannot switch SUD off", r == 0, "native prctl failed");
}

int main(int argc, char **argv)
{
	interposed = argc > 1 && !strcmp(argv[1], "interposed");
	block_sigsys();
	nodefer();
	full_sa_mask();
	sigsuspend_mask();
	masked_waits();
	signalfd_mask();
	alt_stack();
	restart(true);
	restart(false);
	resethand();
	spawn_keeps_handlers();
	roundtrip();
	sigsys_from_kill();
	real_fault();
	unwind_through_handler();
	prctl_sud();
	printf("%s: %d failure(s)\n", failures ? "FAILED" : "signal semantics kept", failures);
	return failures ? 1 : 0;
}
