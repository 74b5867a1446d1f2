/* A small strace-like tracer built on lazypoline's public API only.
 *
 *   LIBLAZYPOLINE=build/demos/libtracer.so LD_PRELOAD=build/libbootstrap.so ls
 *
 * Prints "[pid] name(a0, a1, a2) = result" for every syscall to standard
 * error (or to the file named by LPTRACE_OUT), decoding the path of the
 * usual path-taking calls.  With LPTRACE_COUNT=FILE it instead appends
 * one "name count" line per syscall to FILE when each process exits, like
 * strace -c (and before each execve, which would lose them).  Copy it as a
 * starting point for your own interposer. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "lazypoline.h"

static int out_fd = 2;
static int count_fd = -1;
static unsigned long counts[512];

/* Which argument is a path, for the calls that take one. */
static int path_arg(long nr)
{
	switch (nr) {
	case SYS_open: case SYS_stat: case SYS_lstat: case SYS_access: case SYS_execve:
	case SYS_chdir: case SYS_mkdir: case SYS_rmdir: case SYS_unlink: case SYS_readlink:
	case SYS_creat: case SYS_chmod: case SYS_truncate:
		return 0;
	case SYS_openat: case SYS_newfstatat: case SYS_unlinkat: case SYS_mkdirat:
	case SYS_faccessat: case SYS_faccessat2: case SYS_readlinkat: case SYS_execveat:
	case SYS_statx: case SYS_fchmodat:
		return 1;
	}
	return -1;
}

static void say(const char *s, size_t n)
{
	lp_syscall(SYS_write, out_fd, (long)s, (long)n, 0, 0, 0);
}

static void report_counts(void)
{
	char line[128];
	for (long nr = 0; nr < 512; nr++) {
		if (!counts[nr])
			continue;
		const char *name = lp_syscall_name(nr);
		int n = snprintf(line, sizeof line, "%s %lu\n", name ? name : "?", counts[nr]);
		lp_syscall(SYS_write, count_fd, (long)line, n, 0, 0, 0);
	}
}

static lp_action trace(lp_ctx *c, void *data)
{
	(void)data;
	if (c->nr >= 0 && c->nr < 512)
		__atomic_add_fetch(&counts[c->nr], 1, __ATOMIC_RELAXED);
	if (count_fd >= 0) {
		/* A successful execve loses this process's memory: report first. */
		if (c->nr == SYS_exit_group || c->nr == SYS_execve || c->nr == SYS_execveat) {
			report_counts();
			memset(counts, 0, sizeof counts);
		}
		return lp_continue();
	}
	char line[512], path[96] = "";
	const char *name = lp_syscall_name(c->nr);
	int pa = path_arg(c->nr);
	if (pa >= 0 && lp_strncpy_from_user(path, (const char *)c->args[pa], sizeof path) < 0)
		strcpy(path, "?");
	int n = 0;
	if (pa >= 0)
		n = snprintf(line, sizeof line, "[%d] %s(%s\"%s\", %#lx, %#lx)", c->tid,
			     name ? name : "?", pa ? "fd, " : "", path, c->args[pa + 1],
			     c->args[pa + 2]);
	else
		n = snprintf(line, sizeof line, "[%d] %s(%#lx, %#lx, %#lx)", c->tid, name ? name : "?",
			     c->args[0], c->args[1], c->args[2]);
	/* These do not come back: say so first. */
	if (c->nr == SYS_exit_group || c->nr == SYS_exit || c->nr == SYS_execve ||
	    c->nr == SYS_rt_sigreturn) {
		n += snprintf(line + n, sizeof line - (size_t)n, " ...\n");
		say(line, (size_t)n);
		return lp_continue();
	}
	long r = lp_ctx_exec(c);  /* run it now, to see the result */
	if (r < 0 && r > -4096)
		n += snprintf(line + n, sizeof line - (size_t)n, " = -1 %s\n",
			      strerrorname_np((int)-r) ? strerrorname_np((int)-r) : "?");
	else
		n += snprintf(line + n, sizeof line - (size_t)n, " = %ld\n", r);
	say(line, (size_t)n < sizeof line ? (size_t)n : sizeof line);
	return lp_return(r);
}

/* Our output goes to a high fd, so the program's own numbering (the
 * lowest free fd) is not disturbed. */
static int open_high(const char *path)
{
	long fd = lp_syscall(SYS_openat, AT_FDCWD, (long)path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			     0644, 0, 0);
	if (fd < 0)
		return (int)fd;
	long high = lp_syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 900, 0, 0, 0);
	if (high >= 0) {
		lp_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
		fd = high;
	}
	return (int)fd;
}

static void forget_parent_counts(void *data)
{
	(void)data;
	memset(counts, 0, sizeof counts);
}

int lazypoline_init(lp_interposer *ip)
{
	const char *out = getenv("LPTRACE_OUT"), *cnt = getenv("LPTRACE_COUNT");
	if (cnt && *cnt) {
		count_fd = open_high(cnt);
		if (count_fd < 0)
			return count_fd;
		lp_exec_env_set("LPTRACE_COUNT", cnt);  /* for every program it starts */
		lp_on_fork_child(forget_parent_counts, NULL);
	} else if (out && *out) {
		out_fd = open_high(out);
		if (out_fd < 0)
			return out_fd;
		lp_exec_env_set("LPTRACE_OUT", out);
	}
	return lp_on(ip, LP_ALL_SYSCALLS, trace, NULL);
}
