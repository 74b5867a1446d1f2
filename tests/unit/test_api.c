/* The public API, used in-process: handlers, actions, filters, modes.
 * Each test runs in its own process (Check forks), so each may start. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lazypoline.h"
#include "unit.h"

static char order[16];
static int n_order;

static lp_action mark_all(lp_ctx *c, void *d)
{
	(void)d;
	if (c->nr == SYS_getppid && n_order < 15)
		order[n_order++] = 'A';
	return lp_continue();
}

static lp_action mark_b(lp_ctx *c, void *d)
{
	(void)c;
	(void)d;
	if (n_order < 15)
		order[n_order++] = 'B';
	return lp_continue();
}

static lp_action return_value(lp_ctx *c, void *d)
{
	(void)c;
	return lp_return((long)(intptr_t)d);
}

static long raw_getppid(void)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(SYS_getppid) : "rcx", "r11", "memory");
	return r;
}

START_TEST(handlers_run_in_order)
{
	lp_interposer *ip = lp_new();
	ck_assert_int_eq(lp_on(ip, SYS_getppid, mark_b, NULL), 0);
	ck_assert_int_eq(lp_on(ip, LP_ALL_SYSCALLS, mark_all, NULL), 0);
	ck_assert_int_eq(lp_start(ip), 0);
	pid_t real = getppid();
	ck_assert_str_eq(order, "AB");
	ck_assert_int_gt(real, 0);
}
END_TEST

START_TEST(return_and_block)
{
	lp_interposer *ip = lp_new();
	lp_on(ip, SYS_getppid, return_value, (void *)4242);
	static const long blocked[] = { SYS_unlinkat, SYS_unlink };
	ck_assert_int_eq(lp_block_list(ip, blocked, 2, EACCES), 0);
	ck_assert_int_eq(lp_start(ip), 0);
	ck_assert_int_eq(getppid(), 4242);
	ck_assert_int_eq(raw_getppid(), 4242);  /* raw `syscall`, no libc */
	errno = 0;
	ck_assert_int_eq(unlink("/nonexistent-lazypoline"), -1);
	ck_assert_int_eq(errno, EACCES);
}
END_TEST

static lp_action shorten_write(lp_ctx *c, void *d)
{
	(void)d;
	if (c->args[2] > 1)
		c->args[2] = 1;  /* the kernel sees count 1; the program's rdx is untouched */
	return lp_continue();
}

static lp_action double_result(lp_ctx *c, void *d)
{
	(void)d;
	long r = lp_ctx_exec(c);
	return lp_return(r * 2);
}

START_TEST(continue_with_changed_args)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	lp_interposer *ip = lp_new();
	lp_on(ip, SYS_write, shorten_write, NULL);
	lp_on(ip, SYS_read, double_result, NULL);
	ck_assert_int_eq(lp_start(ip), 0);
	ck_assert_int_eq(write(p[1], "hello", 5), 1);
	char buf[8] = "";
	ck_assert_int_eq(read(p[0], buf, sizeof buf), 2);  /* 1 byte, doubled */
	ck_assert_int_eq(buf[0], 'h');
}
END_TEST

START_TEST(allow_list)
{
	pid_t child = fork();
	if (child == 0) {
		lp_interposer *ip = lp_new();
		static const long allowed[] = { SYS_getppid, SYS_exit_group };
		lp_allow_only(ip, allowed, 2, ENOSYS);
		if (lp_start(ip))
			_exit(2);
		long pid = syscall(SYS_getpid);     /* not allowed */
		long ppid = syscall(SYS_getppid);   /* allowed */
		syscall(SYS_exit_group, pid == -1 && errno == ENOSYS && ppid > 0 ? 0 : 1);
	}
	int st;
	waitpid(child, &st, 0);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

static void *thread_getppid(void *arg)
{
	(void)arg;
	return (void *)raw_getppid();
}

START_TEST(threads_and_children)
{
	lp_interposer *ip = lp_new();
	lp_on(ip, SYS_getppid, return_value, (void *)777);
	ck_assert_int_eq(lp_start(ip), 0);
	pthread_t t;
	void *r;
	pthread_create(&t, NULL, thread_getppid, NULL);
	pthread_join(t, &r);
	ck_assert_int_eq((long)r, 777);
	pid_t child = fork();
	if (child == 0)
		_exit(raw_getppid() == 777 ? 0 : 1);
	int st;
	waitpid(child, &st, 0);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
END_TEST

START_TEST(sud_mode)
{
	lp_interposer *ip = lp_new();
	lp_set_mode(ip, LP_MODE_SUD);
	lp_on(ip, SYS_getppid, return_value, (void *)5);
	ck_assert_int_eq(lp_start(ip), 0);
	ck_assert_int_eq(lp_active_mode(), LP_MODE_SUD);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(raw_getppid(), 5);
}
END_TEST

/* A prefilter: arg0 == 0 needs no handler. */
static int only_nonzero(long nr, const long args[6])
{
	(void)nr;
	return args[0] != 0;
}

static lp_action answer_42(lp_ctx *c, void *d)
{
	(void)c;
	(void)d;
	return lp_return(42);
}

static long raw_syscall1(long nr, long a0)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a0) : "rcx", "r11", "memory");
	return r;
}

START_TEST(prefilter_skips_handlers)
{
	lp_interposer *ip = lp_new();
	ck_assert_int_eq(lp_on_flags(ip, SYS_getpgid, answer_42, NULL, LP_GPR_ONLY), 0);
	ck_assert_int_eq(lp_on_prefilter(ip, SYS_getpgid, only_nonzero), 0);
	ck_assert_int_eq(lp_on_prefilter(ip, SYS_getpgid, only_nonzero), -EEXIST);
	ck_assert_int_eq(lp_on_flags(ip, SYS_getpid, answer_42, NULL, 0x100), -EINVAL);
	ck_assert_int_eq(lp_start(ip), 0);
	for (int i = 0; i < 50; i++) {  /* trapping first, then rewritten */
		ck_assert_int_eq(raw_syscall1(SYS_getpgid, 0), getpgrp());
		ck_assert_int_eq(raw_syscall1(SYS_getpgid, getpid()), 42);
	}
}
END_TEST

extern const unsigned char counted_insn[];
__attribute__((noinline, noipa)) static long counted_getppid(void)
{
	long r;
	__asm__ volatile("xchg %%ax, %%ax\nnop\nnop\n.globl counted_insn\ncounted_insn: syscall"
			 : "=a"(r) : "a"((long)SYS_getppid) : "rcx", "r11", "memory");
	return r;
}

/* lp_set_rewrite_after: the site stays a trap until its nth run */
START_TEST(rewrite_after_setting)
{
	lp_interposer *ip = lp_new();
	ck_assert_int_eq(lp_set_rewrite_after(ip, 0), -EINVAL);
	ck_assert_int_eq(lp_set_rewrite_after(ip, LP_REWRITE_AFTER_MAX + 1), -EINVAL);
	ck_assert_int_eq(lp_set_rewrite_after(ip, 3), 0);
	ck_assert_int_eq(lp_start(ip), 0);
	ck_assert_int_eq(lp_set_rewrite_after(ip, 2), -EBUSY);
	for (int run = 1; run <= 5; run++) {
		ck_assert_int_eq(counted_getppid(), getppid());
		bool rewritten = counted_insn[0] == 0xff && counted_insn[1] == 0xd0;
		ck_assert_int_eq(rewritten, lp_active_mode() == LP_MODE_LAZY && run >= 3);
	}
}
END_TEST

START_TEST(bad_arguments)
{
	lp_interposer *ip = lp_new();
	ck_assert_int_eq(lp_on(ip, 512, return_value, NULL), -EINVAL);
	ck_assert_int_eq(lp_on(ip, -5, return_value, NULL), -EINVAL);
	ck_assert_int_eq(lp_on(ip, SYS_read, NULL, NULL), -EINVAL);
	static const long bad[] = { 1, 9999 };
	ck_assert_int_eq(lp_block_list(ip, bad, 2, EPERM), -EINVAL);
	ck_assert_int_eq(lp_block_list(ip, bad, 1, 0), -EINVAL);
	ck_assert_int_eq(lp_allow_only(ip, bad, 2, EPERM), -EINVAL);
	ck_assert_int_eq(lp_set_mode(ip, (enum lp_mode)9), -EINVAL);
	ck_assert_int_eq(lp_start(ip), 0);
	ck_assert_int_eq(lp_on(ip, SYS_read, return_value, NULL), -EBUSY);
	ck_assert_int_eq(lp_start(ip), -EBUSY);
}
END_TEST

START_TEST(user_memory)
{
	char buf[8];
	ck_assert_int_eq(lp_copy_from_user(buf, (void *)16, 4), -EFAULT);
	ck_assert_int_eq(lp_copy_from_user(buf, "abc", 4), 0);
	ck_assert_int_eq(lp_strncpy_from_user(buf, "0123456789", sizeof buf), -ENAMETOOLONG);
	ck_assert_int_eq(lp_strncpy_from_user(buf, "0123", sizeof buf), 4);
	ck_assert_str_eq(buf, "0123");
	lp_interposer *ip = lp_new();
	ck_assert_int_eq(lp_start(ip), 0);  /* faults are caught once started */
	ck_assert_int_eq(lp_copy_from_user(buf, (void *)0x10000, 4), -EFAULT);
	ck_assert_int_eq(lp_strncpy_from_user(buf, (void *)-4096L, 4), -EFAULT);
	/* every alignment and length, strings that end at an unmapped page,
	 * buffers of every size: the same answers as a byte at a time */
	char *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(pages, MAP_FAILED);
	ck_assert_int_eq(munmap(pages + 4096, 4096), 0);
	char out[64];
	for (int len = 0; len < 40; len++)
		for (int end = 4096 - 48; end < 4096; end++) {
			char *s = pages + end - len - 1;  /* s[len] is its NUL, at end - 1 */
			memset(pages + 4000, 'x', 96);
			s[len] = 0;
			for (size_t n = 1; n < 48; n++) {
				memset(out, '#', sizeof out);
				long r = lp_strncpy_from_user(out, s, n);
				if ((size_t)len < n) {
					ck_assert_int_eq(r, len);
					ck_assert_int_eq(memcmp(out, s, (size_t)len + 1), 0);
				} else {
					ck_assert_int_eq(r, -ENAMETOOLONG);
					ck_assert_int_eq(memcmp(out, s, n - 1), 0);
					ck_assert_int_eq(out[n - 1], 0);
				}
				ck_assert_int_eq(out[n], '#');  /* nothing written past n */
			}
		}
	/* no NUL before the unmapped page: EFAULT where the string runs on */
	memset(pages + 4000, 'x', 96);
	for (int start = 4096 - 24; start < 4096; start++)
		ck_assert_int_eq(lp_strncpy_from_user(out, pages + start, sizeof out), -EFAULT);
	munmap(pages, 4096);
	ck_assert_int_eq(lp_copy_to_user((void *)getppid, buf, 1), -EFAULT);  /* code is read-only */
}
END_TEST

START_TEST(syscall_names)
{
	ck_assert_str_eq(lp_syscall_name(SYS_openat), "openat");
	ck_assert_int_eq(lp_syscall_number("fchmodat2"), 452);
	ck_assert_int_eq(lp_syscall_number("no_such_call"), -1);
	ck_assert_ptr_null(lp_syscall_name(1000));
}
END_TEST

static int moved_from = -1, moved_to = -1;
static void note_moved(int oldfd, int newfd)
{
	moved_from = oldfd;
	moved_to = newfd;
}

/* lp_hide_fd_moved: the program cannot close the fd; a dup2 onto its
 * number moves it, still close-on-exec, and says where */
START_TEST(hidden_fd_moved)
{
	lp_interposer *ip = lp_new();
	ck_assert_int_eq(lp_start(ip), 0);
	int fd = fcntl(open("/dev/null", O_RDONLY | O_CLOEXEC), F_DUPFD_CLOEXEC, 700);
	ck_assert_int_ge(fd, 700);
	ck_assert_int_eq(lp_hide_fd_moved(fd, note_moved), 0);
	errno = 0;
	ck_assert_int_eq(close(fd), -1);
	ck_assert_int_eq(errno, EBADF);
	int mine = open("/dev/zero", O_RDONLY);
	ck_assert_int_eq(dup2(mine, fd), fd);
	ck_assert_int_eq(moved_from, fd);
	ck_assert_int_gt(moved_to, fd);
	ck_assert_int_eq(fcntl(moved_to, F_GETFD), FD_CLOEXEC);
	char c = 1;
	ck_assert_int_eq(read(fd, &c, 1), 1);  /* the number is the program's now: /dev/zero */
	ck_assert_int_eq(c, 0);
	ck_assert_int_eq(lp_hide_fd_moved(-1, note_moved), -EBADF);
}
END_TEST

Suite *suite_api(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("in-process");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, handlers_run_in_order);
	tcase_add_test(tc, return_and_block);
	tcase_add_test(tc, continue_with_changed_args);
	tcase_add_test(tc, allow_list);
	tcase_add_test(tc, threads_and_children);
	tcase_add_test(tc, sud_mode);
	tcase_add_test(tc, prefilter_skips_handlers);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, rewrite_after_setting);
	tcase_add_test(tc, user_memory);
	tcase_add_test(tc, syscall_names);
	tcase_add_test(tc, hidden_fd_moved);
	suite_add_tcase(s, tc);
	return s;
}
