/* The environment given to execve: ours over whatever the caller passed. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "lp_internal.h"
#include "unit.h"

static int count(char **env, const char *entry)
{
	int n = 0;
	for (; *env; env++)
		n += strcmp(*env, entry) == 0;
	return n;
}

static int count_prefix(char **env, const char *prefix)
{
	int n = 0;
	for (; *env; env++)
		n += strncmp(*env, prefix, strlen(prefix)) == 0;
	return n;
}

static void start(void)
{
	lp_interposer *ip = lp_new();
	ck_assert_int_eq(lp_start(ip), 0);
	char *startup[] = { "HOME=/root", "LAZYPOLINE_MODE=sud", "LAZYPOLINE_TRACE_EXECLINE=x", NULL };
	ck_assert_int_eq(lp_execenv_capture(startup, "/lp/libbootstrap.so", "/lp/liblazypoline.so"), 0);
}

START_TEST(overrides_and_keeps)
{
	start();
	char *user[] = { "A=1", "LD_PRELOAD=/other.so", "LIBLAZYPOLINE=/evil.so",
			 "LAZYPOLINE_MODE=lazy", "B=2", NULL };
	long err = 0;
	char **env = lp_execenv_build(user, &err);
	ck_assert_ptr_nonnull(env);
	ck_assert_int_eq(count(env, "A=1"), 1);
	ck_assert_int_eq(count(env, "B=2"), 1);
	ck_assert_int_eq(count(env, "LD_PRELOAD=/lp/libbootstrap.so:/other.so"), 1);
	ck_assert_int_eq(count(env, "LIBLAZYPOLINE=/lp/liblazypoline.so"), 1);
	ck_assert_int_eq(count_prefix(env, "LIBLAZYPOLINE="), 1);
	ck_assert_int_eq(count(env, "LAZYPOLINE_MODE=sud"), 1);
	ck_assert_int_eq(count_prefix(env, "LAZYPOLINE_MODE="), 1);
	ck_assert_int_eq(count_prefix(env, "LAZYPOLINE_PRELOAD_ADDED="), 0);
	ck_assert_int_eq(count_prefix(env, "LAZYPOLINE_TRACE_EXECLINE="), 0);
	lp_execenv_free(env);
}
END_TEST

START_TEST(scrubbed_environment)
{
	start();
	char *empty[] = { NULL };
	long err = 0;
	for (int i = 0; i < 2; i++) {
		char **env = lp_execenv_build(i ? NULL : empty, &err);
		ck_assert_ptr_nonnull(env);
		ck_assert_int_eq(count(env, "LD_PRELOAD=/lp/libbootstrap.so"), 1);
		ck_assert_int_eq(count(env, "LAZYPOLINE_PRELOAD_ADDED=1"), 1);
		ck_assert_int_eq(count(env, "LIBLAZYPOLINE=/lp/liblazypoline.so"), 1);
		ck_assert_int_eq(count(env, "LAZYPOLINE_MODE=sud"), 1);
		lp_execenv_free(env);
	}
}
END_TEST

START_TEST(preload_already_there)
{
	start();
	char *user[] = { "LD_PRELOAD=/x.so:/lp/libbootstrap.so", NULL };
	long err = 0;
	char **env = lp_execenv_build(user, &err);
	ck_assert_int_eq(count(env, "LD_PRELOAD=/x.so:/lp/libbootstrap.so"), 1);
	ck_assert_int_eq(count_prefix(env, "LD_PRELOAD="), 1);
	lp_execenv_free(env);
}
END_TEST

START_TEST(bad_pointers)
{
	start();
	long err = 0;
	ck_assert_ptr_null(lp_execenv_build((char *const *)16, &err));
	ck_assert_int_eq(err, -EFAULT);
	char *user[] = { "A=1", (char *)(uintptr_t)0x10000, NULL };
	ck_assert_ptr_null(lp_execenv_build(user, &err));
	ck_assert_int_eq(err, -EFAULT);
}
END_TEST

START_TEST(plugin_values_carried)
{
	start();
	ck_assert_int_eq(lp_exec_env_set("VFSRUN_STATE", "one"), 0);
	ck_assert_int_eq(lp_exec_env_set("VFSRUN_STATE", "two"), 0);
	ck_assert_int_eq(lp_exec_env_set("BAD=NAME", "x"), -EINVAL);
	char *user[] = { "VFSRUN_STATE=stale", NULL };
	long err = 0;
	char **env = lp_execenv_build(user, &err);
	ck_assert_int_eq(count(env, "VFSRUN_STATE=two"), 1);
	ck_assert_int_eq(count_prefix(env, "VFSRUN_STATE="), 1);
	lp_execenv_free(env);
}
END_TEST

Suite *suite_execenv(void)
{
	Suite *s = suite_create("execenv");
	TCase *tc = tcase_create("build");
	tcase_add_test(tc, overrides_and_keeps);
	tcase_add_test(tc, scrubbed_environment);
	tcase_add_test(tc, preload_already_there);
	tcase_add_test(tc, bad_pointers);
	tcase_add_test(tc, plugin_values_carried);
	suite_add_tcase(s, tc);
	return s;
}
