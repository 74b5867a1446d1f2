/* Is every context interposed?  In each one, getppid is called through
 * libc, through syscall(3) and with a raw `syscall` instruction; the three
 * must agree and, under tests/progs/hooks.c, be 777777.
 * Usage: contexts EXPECTED   (a number, or "any" when run natively) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long expected = -1;  /* -1: any, as long as the three agree */
static int failures;
extern char **environ;

static long raw_getppid(void)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(SYS_getppid) : "rcx", "r11", "memory");
	return r;
}

/* 0 when fine; else prints why. Async-signal-safe enough for handlers. */
static int check(const char *where)
{
	long a = getppid(), b = syscall(SYS_getppid), c = raw_getppid();
	char buf[200];
	if (a != b || b != c || (expected >= 0 && a != expected)) {
		int n = snprintf(buf, sizeof buf, "FAIL %s: libc %ld, syscall() %ld, raw %ld\n", where,
				 a, b, c);
		if (write(1, buf, (size_t)n) < 0) {
		}
		return 1;
	}
	return 0;
}

static void report(const char *where, int bad)
{
	if (bad)
		failures++;
	else
		printf("ok %s\n", where);
	fflush(stdout);
}

/* ---- JIT: a syscall in a page mapped at run time ---- */
static void jit(void)
{
	/* mov $SYS_getppid, %eax; syscall; ret */
	static const unsigned char code[] = { 0xb8, SYS_getppid, 0, 0, 0, 0x0f, 0x05, 0xc3 };
	unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(p, code, sizeof code);
	mprotect(p, 4096, PROT_READ | PROT_EXEC);
	long (*fn)(void) = (long (*)(void))p;
	long got = 0;
	for (int i = 0; i < 100; i++)  /* first trap, then whatever the runtime does */
		got = fn();
	long want = getppid();
	report("jit-page", got != want);
	if (got != want)
		printf("FAIL jit-page: %ld, expected %ld\n", got, want);
}

/* ---- threads ---- */
static void *thread_main(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)check("pthread");
}

static void threads(void)
{
	pthread_t t[8];
	int bad = 0;
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, thread_main, NULL);
	for (int i = 0; i < 8; i++) {
		void *r;
		pthread_join(t[i], &r);
		bad |= (int)(intptr_t)r;
	}
	report("pthread x8", bad);
}

/* A thread made with a raw clone3 (or clone), as a runtime without glibc
 * would: it checks, stores the result, and exits with a raw exit. */
static volatile int raw_result = -1;
static volatile int raw_done;

static void raw_thread_body(void)
{
	raw_result = check("raw clone thread");
	__atomic_store_n(&raw_done, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &raw_done, FUTEX_WAKE, 1, NULL, NULL, 0);
	for (;;)
		__asm__ volatile("syscall" : : "a"(SYS_exit), "D"(0) : "rcx", "r11", "memory");
}

static void raw_clone(int use_clone3)
{
	size_t sz = 256 * 1024;
	char *stack = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			      CLONE_SYSVSEM;
	raw_done = 0;
	raw_result = -1;
	long r;
	if (use_clone3) {
		struct clone_args ca = { 0 };
		ca.flags = flags;
		ca.stack = (uint64_t)(uintptr_t)stack;
		ca.stack_size = sz;
		register long rdi __asm__("rdi") = (long)&ca;
		register long rsi __asm__("rsi") = sizeof ca;
		__asm__ volatile("syscall\n\t"
				 "test %%rax, %%rax\n\t"
				 "jnz 1f\n\t"
				 "call *%3\n\t"
				 "1:"
				 : "=a"(r)
				 : "0"(SYS_clone3), "r"(rdi), "r"(raw_thread_body), "r"(rsi)
				 : "rcx", "r11", "memory");
	} else {
		register long rdi __asm__("rdi") = (long)flags;
		register long rsi __asm__("rsi") = (long)(stack + sz);
		register long rdx __asm__("rdx") = 0;
		register long r10 __asm__("r10") = 0;
		register long r8 __asm__("r8") = 0;
		__asm__ volatile("syscall\n\t"
				 "test %%rax, %%rax\n\t"
				 "jnz 1f\n\t"
				 "call *%3\n\t"
				 "1:"
				 : "=a"(r)
				 : "0"(SYS_clone), "r"(rdi), "r"(raw_thread_body), "r"(rsi), "r"(rdx),
				   "r"(r10), "r"(r8)
				 : "rcx", "r11", "memory");
	}
	if (r < 0) {
		printf("FAIL raw %s: %s\n", use_clone3 ? "clone3" : "clone", strerror((int)-r));
		failures++;
		return;
	}
	while (!__atomic_load_n(&raw_done, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &raw_done, FUTEX_WAIT, 0, NULL, NULL, 0);
	usleep(10000);  /* let it finish exiting before its stack goes */
	report(use_clone3 ? "raw clone3 thread" : "raw clone thread", raw_result != 0);
}

/* ---- processes ---- */
static void child_status(const char *what, pid_t pid)
{
	int st;
	waitpid(pid, &st, 0);
	report(what, !WIFEXITED(st) || WEXITSTATUS(st) != 0);
}

static void processes(char **argv)
{
	pid_t p = fork();
	if (p == 0)
		_exit(check("fork child"));
	child_status("fork child", p);

	p = vfork();
	if (p == 0)
		_exit(check("vfork child"));
	child_status("vfork child", p);
	report("vfork parent after child", check("vfork parent after child"));

	char *spawn_argv[] = { argv[0], "--child", argv[1], NULL };
	if (posix_spawn(&p, "/proc/self/exe", NULL, NULL, spawn_argv, environ) == 0)
		child_status("posix_spawn child", p);
	else
		report("posix_spawn", 1);

	p = fork();
	if (p == 0) {
		char *empty_env[] = { NULL };
		execve("/proc/self/exe", spawn_argv, empty_env);
		_exit(99);
	}
	child_status("execve with an empty environment", p);

	p = fork();
	if (p == 0) {
		char *empty_env[] = { NULL };
		syscall(SYS_execveat, AT_FDCWD, "/proc/self/exe", spawn_argv, empty_env, 0);
		_exit(99);
	}
	child_status("execveat with an empty environment", p);
}

/* ---- signal handlers ---- */
static sigjmp_buf jump;
static volatile int handler_bad;

static void on_usr1(int sig)
{
	(void)sig;
	handler_bad |= check("signal handler");
}

static void on_chld(int sig)
{
	(void)sig;
	handler_bad |= check("SIGCHLD handler with every signal in sa_mask");
}

static void on_alrm(int sig)
{
	(void)sig;
	siglongjmp(jump, 1);
}

static void signals(void)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	handler_bad = 0;
	raise(SIGUSR1);
	report("signal handler", handler_bad);

	/* dash installs its SIGCHLD handler with every signal blocked */
	sa.sa_handler = on_chld;
	sigfillset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	handler_bad = 0;
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	int st;
	while (waitpid(p, &st, 0) < 0 && errno == EINTR)
		;
	report("SIGCHLD handler with every signal in sa_mask", handler_bad);
	signal(SIGCHLD, SIG_DFL);

	/* leave a handler with siglongjmp from inside a blocking syscall */
	sa.sa_handler = on_alrm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	int fds[2];
	if (pipe(fds) < 0)
		return;
	if (sigsetjmp(jump, 1) == 0) {
		alarm(1);
		char c;
		if (read(fds[0], &c, 1) < 0) {
		}
	}
	report("after siglongjmp out of a handler", check("after siglongjmp out of a handler"));
	close(fds[0]);
	close(fds[1]);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: contexts EXPECTED|any\n");
		return 2;
	}
	if (argc == 3 && !strcmp(argv[1], "--child")) {
		expected = strcmp(argv[2], "any") ? atol(argv[2]) : -1;
		return check("child program");
	}
	expected = strcmp(argv[1], "any") ? atol(argv[1]) : -1;
	report("main thread", check("main thread"));
	jit();
	threads();
	raw_clone(1);
	raw_clone(0);
	processes(argv);
	signals();
	printf("%s: %d failure(s)\n", failures ? "FAILED" : "all contexts interposed", failures);
	return failures ? 1 : 0;
}
