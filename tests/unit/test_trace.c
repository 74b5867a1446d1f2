/* Formatting of trace lines. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "lp_internal.h"
#include "unit.h"

static lp_ctx call(long nr, long a0, long a1, long a2, long a3)
{
	lp_ctx c;
	memset(&c, 0, sizeof c);
	c.nr = nr;
	c.args[0] = a0;
	c.args[1] = a1;
	c.args[2] = a2;
	c.args[3] = a3;
	c.tid = 7;
	return c;
}

static const char *fmt(const lp_ctx *c, long result, bool done)
{
	static char buf[1024];
	lp_trace_format(buf, sizeof buf, 42, c, result, done);
	return buf;
}

START_TEST(openat_decoded)
{
	lp_ctx c = call(SYS_openat, AT_FDCWD, (long)"/etc/passwd", O_RDONLY | O_CLOEXEC, 0);
	ck_assert_str_eq(fmt(&c, 3, true),
			 "42/7 openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3");
	c = call(SYS_openat, 5, (long)"x", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_str_eq(fmt(&c, -13, true), "42/7 openat(5, \"x\", O_WRONLY|O_CREAT|O_TRUNC, 0644) "
					     "= -1 EACCES (Permission denied)");
}
END_TEST

START_TEST(buffers_escaped_and_cut)
{
	lp_ctx c = call(SYS_write, 1, (long)"a\tb\n\"q\"\\", 8, 0);
	ck_assert_str_eq(fmt(&c, 8, true), "42/7 write(1, \"a\\tb\\n\\\"q\\\"\\\\\", 8) = 8");
	const char *longer = "0123456789012345678901234567890123456789";
	c = call(SYS_access, (long)longer, 0, 0, 0);
	ck_assert_str_eq(fmt(&c, 0, true),
			 "42/7 access(\"01234567890123456789012345678901\"..., F_OK) = 0");
	c = call(SYS_read, 0, (long)"xy", 100, 0);  /* out buffer: what came back */
	ck_assert_str_eq(fmt(&c, 2, true), "42/7 read(0, \"xy\", 100) = 2");
}
END_TEST

START_TEST(numbers_flags_and_pointers)
{
	lp_ctx c = call(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	c.args[4] = -1;
	ck_assert_str_eq(fmt(&c, 0x7f0000000000, true),
			 "42/7 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, "
			 "0x0) = 0x7f0000000000");
	c = call(SYS_rt_sigprocmask, SIG_SETMASK, 0, 0, 8);
	ck_assert_str_eq(fmt(&c, 0, true), "42/7 rt_sigprocmask(SIG_SETMASK, NULL, NULL, 8) = 0");
	c = call(SYS_kill, 12, SIGTERM, 0, 0);
	ck_assert_str_eq(fmt(&c, 0, false), "42/7 kill(12, SIGTERM)");
	c = call(SYS_exit_group, 3, 0, 0, 0);
	ck_assert_str_eq(fmt(&c, 0, false), "42/7 exit_group(3)");
}
END_TEST

START_TEST(unknown_and_bad_pointers)
{
	lp_ctx c = call(600, 1, 2, 3, 4);
	ck_assert_str_eq(fmt(&c, -38, true),
			 "42/7 syscall_600(0x1, 0x2, 0x3, 0x4, 0x0, 0x0) = -1 ENOSYS (Function not implemented)");
	lp_interposer *ip = lp_new();
	ck_assert_int_eq(lp_start(ip), 0);  /* so that reading a bad pointer is caught */
	c = call(SYS_unlink, 0x10000, 0, 0, 0);
	ck_assert_str_eq(fmt(&c, -14, true), "42/7 unlink(0x10000) = -1 EFAULT (Bad address)");
}
END_TEST

Suite *suite_trace(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("format");
	tcase_add_test(tc, openat_decoded);
	tcase_add_test(tc, buffers_escaped_and_cut);
	tcase_add_test(tc, numbers_flags_and_pointers);
	tcase_add_test(tc, unknown_and_bad_pointers);
	suite_add_tcase(s, tc);
	return s;
}
