/* The built-in tracer: one line per syscall, strace-like:
 *   1234/1236 openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
 *   1234/1234 read(3, "root:x:0:0:root:/root:/bin/bash\n"..., 4096) = 1478
 *   1234/1234 access("/nope", F_OK) = -1 ENOENT (No such file or directory)
 * Lines are written with one write() each, so processes sharing the
 * output do not interleave inside a line.  A successful execve is
 * reported by the new program ("= 0"), which is the only one that knows.
 * No stdio: formatting is done here, with no locale and no allocation. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "lp_internal.h"

int lp_trace_fd = -1;

struct buf {
	char *p;
	size_t n, cap;
};

static void put_n(struct buf *b, const char *s, size_t n)
{
	if (b->n + n > b->cap)
		n = b->cap - b->n;
	memcpy(b->p + b->n, s, n);
	b->n += n;
}
static void put(struct buf *b, const char *s) { put_n(b, s, strlen(s)); }
static void put_c(struct buf *b, char c) { put_n(b, &c, 1); }

static void put_u(struct buf *b, unsigned long v, unsigned base)
{
	char t[24];
	int i = sizeof t;
	do {
		t[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	put_n(b, t + i, sizeof t - (size_t)i);
}
static void put_d(struct buf *b, long v)
{
	if (v < 0) {
		put_c(b, '-');
		put_u(b, -(unsigned long)v, 10);
	} else {
		put_u(b, (unsigned long)v, 10);
	}
}
static void put_x(struct buf *b, unsigned long v)
{
	put(b, "0x");
	put_u(b, v, 16);
}
static void put_o(struct buf *b, unsigned long v)
{
	put_c(b, '0');
	if (v)
		put_u(b, v, 8);
}
static void put_ptr(struct buf *b, unsigned long v)
{
	if (v)
		put_x(b, v);
	else
		put(b, "NULL");
}

#define SHOW_MAX 32

/* A quoted, escaped string from the application's memory. */
static void put_mem(struct buf *b, const char *u, size_t len, bool nul_terminated)
{
	char tmp[SHOW_MAX + 1];
	size_t n = len < SHOW_MAX ? len : SHOW_MAX;
	if (nul_terminated) {
		long r = lp_user_strncpy(tmp, u, SHOW_MAX + 1);
		if (r == -EFAULT) {
			put_ptr(b, (unsigned long)u);
			return;
		}
		n = r >= 0 ? (size_t)r : SHOW_MAX;
		len = r >= 0 ? (size_t)r : SHOW_MAX + 1;
	} else if (lp_user_copy(tmp, u, n)) {
		put_ptr(b, (unsigned long)u);
		return;
	}
	put_c(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)tmp[i];
		switch (c) {
		case '"': put(b, "\\\""); break;
		case '\\': put(b, "\\\\"); break;
		case '\n': put(b, "\\n"); break;
		case '\t': put(b, "\\t"); break;
		case '\r': put(b, "\\r"); break;
		default:
			if (c >= 32 && c < 127) {
				put_c(b, (char)c);
			} else {
				put(b, "\\");
				put_u(b, c, 8);
			}
		}
	}
	put_c(b, '"');
	if (len > n)
		put(b, "...");
}

struct flag {
	unsigned long v;
	const char *name;
};

static void put_flags(struct buf *b, unsigned long v, const struct flag *t, const char *none)
{
	bool any = false;
	for (; t->name; t++) {
		if (t->v && (v & t->v) == t->v) {
			if (any)
				put_c(b, '|');
			put(b, t->name);
			v &= ~t->v;
			any = true;
		}
	}
	if (v || !any) {
		if (any)
			put_c(b, '|');
		if (!v && none)
			put(b, none);
		else
			put_x(b, v);
	}
}

static const struct flag open_flags[] = {
	{ 020200000, "O_TMPFILE" }, { 04010000, "O_SYNC" }, { 0100, "O_CREAT" }, { 0200, "O_EXCL" },
	{ 0400, "O_NOCTTY" }, { 01000, "O_TRUNC" }, { 02000, "O_APPEND" }, { 04000, "O_NONBLOCK" },
	{ 010000, "O_DSYNC" }, { 020000, "O_ASYNC" }, { 040000, "O_DIRECT" },
	{ 0100000, "O_LARGEFILE" }, { 0200000, "O_DIRECTORY" }, { 0400000, "O_NOFOLLOW" },
	{ 01000000, "O_NOATIME" }, { 02000000, "O_CLOEXEC" }, { 010000000, "O_PATH" }, { 0, NULL },
};
static const struct flag at_flags[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x400, "AT_SYMLINK_FOLLOW" },
	{ 0x800, "AT_NO_AUTOMOUNT" }, { 0x1000, "AT_EMPTY_PATH" }, { 0x200, "AT_EACCESS" },
	{ 0, NULL },
};
static const struct flag unlink_flags[] = { { 0x200, "AT_REMOVEDIR" }, { 0, NULL } };
static const struct flag access_modes[] = { { 4, "R_OK" }, { 2, "W_OK" }, { 1, "X_OK" }, { 0, NULL } };
static const struct flag prot_flags[] = {
	{ 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" }, { 0, NULL },
};
static const struct flag map_flags[] = {
	{ 1, "MAP_SHARED" }, { 2, "MAP_PRIVATE" }, { 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" },
	{ 0x100, "MAP_GROWSDOWN" }, { 0x800, "MAP_DENYWRITE" }, { 0x4000, "MAP_NORESERVE" },
	{ 0x8000, "MAP_POPULATE" }, { 0x20000, "MAP_STACK" }, { 0x100000, "MAP_FIXED_NOREPLACE" },
	{ 0, NULL },
};
static const struct flag clone_flags[] = {
	{ 0x100, "CLONE_VM" }, { 0x200, "CLONE_FS" }, { 0x400, "CLONE_FILES" },
	{ 0x800, "CLONE_SIGHAND" }, { 0x1000, "CLONE_PIDFD" }, { 0x2000, "CLONE_PTRACE" },
	{ 0x4000, "CLONE_VFORK" }, { 0x8000, "CLONE_PARENT" }, { 0x10000, "CLONE_THREAD" },
	{ 0x20000, "CLONE_NEWNS" }, { 0x40000, "CLONE_SYSVSEM" }, { 0x80000, "CLONE_SETTLS" },
	{ 0x100000, "CLONE_PARENT_SETTID" }, { 0x200000, "CLONE_CHILD_CLEARTID" },
	{ 0x800000, "CLONE_UNTRACED" }, { 0x1000000, "CLONE_CHILD_SETTID" },
	{ 0x2000000, "CLONE_NEWCGROUP" }, { 0x4000000, "CLONE_NEWUTS" },
	{ 0x8000000, "CLONE_NEWIPC" }, { 0x10000000, "CLONE_NEWUSER" },
	{ 0x20000000, "CLONE_NEWPID" }, { 0x40000000, "CLONE_NEWNET" }, { 0, NULL },
};

static void put_enum(struct buf *b, long v, const char *const *names, long n)
{
	if (v >= 0 && v < n && names[v])
		put(b, names[v]);
	else
		put_d(b, v);
}

static void put_signal(struct buf *b, long sig)
{
	if (sig > 0 && sig <= LP_SIGNAL_MAX && lp_signal_names[sig][0])
		put(b, lp_signal_names[sig]);
	else
		put_d(b, sig);
}

static void put_string_array(struct buf *b, char *const *u, bool count_only)
{
	if (!u) {
		put(b, "NULL");
		return;
	}
	size_t n = 0;
	char *p;
	if (count_only) {
		while (n < 100000 && lp_user_copy(&p, &u[n], sizeof p) == 0 && p)
			n++;
		put_x(b, (unsigned long)u);
		put(b, " /* ");
		put_u(b, n, 10);
		put(b, " vars */");
		return;
	}
	put_c(b, '[');
	for (; n < 16; n++) {
		if (lp_user_copy(&p, &u[n], sizeof p)) {
			put(b, "?");
			break;
		}
		if (!p)
			break;
		if (n)
			put(b, ", ");
		put_mem(b, p, 0, true);
	}
	if (n == 16)
		put(b, ", ...");
	put_c(b, ']');
}

/* Argument kinds, one letter per argument:
 *  i int  u unsigned  x hex  p pointer  d dirfd  s path  b in-buffer (length
 *  is the next argument)  B out-buffer (length is the result)  o open flags
 *  m mode  a access mode  A AT_* flags  U unlinkat flags  P prot  M mmap
 *  flags  S signal  c clone flags  h sigprocmask how  v argv  e envp
 *  F fcntl cmd  w lseek whence */
static const struct {
	char name[24], args[8];  /* in place: no relocations at start */
} specs[] = {
	{ "read", "iBu" }, { "write", "ibu" }, { "open", "som" }, { "close", "i" },
	{ "stat", "sp" }, { "fstat", "ip" }, { "lstat", "sp" }, { "poll", "pui" },
	{ "lseek", "iiw" }, { "mmap", "puPMix" }, { "mprotect", "puP" }, { "munmap", "pu" },
	{ "brk", "p" }, { "rt_sigaction", "Sppu" }, { "rt_sigprocmask", "hppu" },
	{ "rt_sigreturn", "" }, { "ioctl", "ixp" }, { "pread64", "iBui" }, { "pwrite64", "ibui" },
	{ "readv", "ipi" }, { "writev", "ipi" }, { "access", "sa" }, { "pipe", "p" },
	{ "select", "ipppp" }, { "sched_yield", "" }, { "mremap", "puuxp" }, { "msync", "pux" },
	{ "madvise", "pui" }, { "dup", "i" }, { "dup2", "ii" }, { "pause", "" },
	{ "nanosleep", "pp" }, { "getpid", "" }, { "sendfile", "iipu" }, { "socket", "iii" },
	{ "connect", "ipu" }, { "accept", "ipp" }, { "sendto", "ibuipu" }, { "recvfrom", "iBuipp" },
	{ "sendmsg", "ipx" }, { "recvmsg", "ipx" }, { "shutdown", "ii" }, { "bind", "ipu" },
	{ "listen", "ii" }, { "getsockname", "ipp" }, { "getpeername", "ipp" },
	{ "socketpair", "iiip" }, { "setsockopt", "iiipu" }, { "getsockopt", "iiipp" },
	{ "clone", "cpppp" }, { "fork", "" }, { "vfork", "" }, { "execve", "sve" }, { "exit", "i" },
	{ "wait4", "ipxp" }, { "kill", "iS" }, { "uname", "p" }, { "fcntl", "iFx" },
	{ "flock", "ii" }, { "fsync", "i" }, { "fdatasync", "i" }, { "truncate", "si" },
	{ "ftruncate", "ii" }, { "getdents", "ipu" }, { "getcwd", "Bu" }, { "chdir", "s" },
	{ "fchdir", "i" }, { "rename", "ss" }, { "mkdir", "sm" }, { "rmdir", "s" },
	{ "creat", "sm" }, { "link", "ss" }, { "unlink", "s" }, { "symlink", "ss" },
	{ "readlink", "sBu" }, { "chmod", "sm" }, { "fchmod", "im" }, { "chown", "sii" },
	{ "fchown", "iii" }, { "lchown", "sii" }, { "umask", "m" }, { "gettimeofday", "pp" },
	{ "getrlimit", "ip" }, { "getrusage", "ip" }, { "sysinfo", "p" }, { "times", "p" },
	{ "getuid", "" }, { "getgid", "" }, { "setuid", "i" }, { "setgid", "i" },
	{ "geteuid", "" }, { "getegid", "" }, { "setpgid", "ii" }, { "getppid", "" },
	{ "getpgrp", "" }, { "setsid", "" }, { "setreuid", "ii" }, { "setregid", "ii" },
	{ "getgroups", "ip" }, { "setgroups", "ip" }, { "setresuid", "iii" },
	{ "getresuid", "ppp" }, { "setresgid", "iii" }, { "getresgid", "ppp" },
	{ "getpgid", "i" }, { "getsid", "i" }, { "rt_sigpending", "pu" },
	{ "rt_sigtimedwait", "pppu" }, { "rt_sigqueueinfo", "iSp" }, { "rt_sigsuspend", "pu" },
	{ "sigaltstack", "pp" }, { "utime", "sp" }, { "mknod", "smx" }, { "statfs", "sp" },
	{ "fstatfs", "ip" }, { "getpriority", "ii" }, { "setpriority", "iii" },
	{ "prctl", "ixxxx" }, { "arch_prctl", "xp" }, { "setrlimit", "ip" }, { "chroot", "s" },
	{ "sync", "" }, { "mount", "sssxp" }, { "umount2", "sx" }, { "gettid", "" },
	{ "setxattr", "sspux" }, { "lsetxattr", "sspux" }, { "fsetxattr", "ispux" },
	{ "getxattr", "sspu" }, { "lgetxattr", "sspu" }, { "fgetxattr", "ispu" },
	{ "listxattr", "spu" }, { "llistxattr", "spu" }, { "flistxattr", "ipu" },
	{ "removexattr", "ss" }, { "lremovexattr", "ss" }, { "fremovexattr", "is" },
	{ "tkill", "iS" }, { "time", "p" }, { "futex", "pixppx" }, { "sched_setaffinity", "iup" },
	{ "sched_getaffinity", "iup" }, { "getdents64", "ipu" }, { "set_tid_address", "p" },
	{ "fadvise64", "iiui" }, { "clock_gettime", "ip" }, { "clock_nanosleep", "ixpp" },
	{ "exit_group", "i" }, { "epoll_wait", "ipii" }, { "epoll_ctl", "iiip" }, { "tgkill", "iiS" },
	{ "utimes", "sp" }, { "waitid", "iipxp" }, { "inotify_add_watch", "isx" },
	{ "inotify_rm_watch", "ii" }, { "openat", "dsom" }, { "mkdirat", "dsm" },
	{ "mknodat", "dsmx" }, { "fchownat", "dsiiA" }, { "futimesat", "dsp" },
	{ "newfstatat", "dspA" }, { "unlinkat", "dsU" }, { "renameat", "dsds" },
	{ "linkat", "dsdsA" }, { "symlinkat", "sds" }, { "readlinkat", "dsBu" },
	{ "fchmodat", "dsm" }, { "faccessat", "dsa" }, { "pselect6", "ipppp" },
	{ "ppoll", "pupp" }, { "set_robust_list", "pu" }, { "splice", "ipipux" },
	{ "utimensat", "dspA" }, { "epoll_pwait", "ipiip" }, { "timerfd_create", "ix" },
	{ "eventfd2", "ux" }, { "epoll_create1", "x" }, { "dup3", "iio" }, { "pipe2", "po" },
	{ "accept4", "ippx" }, { "signalfd4", "ipux" }, { "prlimit64", "iipp" },
	{ "getrandom", "Bux" }, { "memfd_create", "sx" }, { "execveat", "dsveA" },
	{ "statx", "dsAxp" }, { "rseq", "puix" }, { "clone3", "pu" }, { "close_range", "uux" },
	{ "openat2", "dspu" }, { "faccessat2", "dsaA" }, { "fchmodat2", "dsmA" },
	{ "renameat2", "dsdsx" }, { "copy_file_range", "ipipux" }, { "pidfd_open", "ix" },
	{ "chown32", "sii" },
};

static const char *arg_kinds[LP_NR_MAX] LP_APART;

static void load_specs(void)
{
	if (arg_kinds[SYS_read])
		return;
	for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
		long nr = lp_syscall_number(specs[i].name);
		if (nr >= 0)
			arg_kinds[nr] = specs[i].args;
	}
}

static const char *const how_names[] = { "SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK" };
static const char *const whence_names[] = { "SEEK_SET", "SEEK_CUR", "SEEK_END", "SEEK_DATA",
					     "SEEK_HOLE" };
static const char *const fcntl_names[] = { "F_DUPFD", "F_GETFD", "F_SETFD", "F_GETFL", "F_SETFL",
					    "F_GETLK", "F_SETLK", "F_SETLKW" };

static bool is_error(long r)
{
	return r < 0 && r >= -4095;
}

static void put_arg(struct buf *b, char k, long v, long next, long result, bool done)
{
	switch (k) {
	case 'i': put_d(b, (int)v); break;
	case 'u': put_u(b, (unsigned long)v, 10); break;
	case 'x': put_x(b, (unsigned long)v); break;
	case 'p': put_ptr(b, (unsigned long)v); break;
	case 'd':
		if ((int)v == AT_FDCWD)
			put(b, "AT_FDCWD");
		else
			put_d(b, (int)v);
		break;
	case 's': put_mem(b, (const char *)v, 0, true); break;
	case 'b': put_mem(b, (const char *)v, (size_t)next, false); break;
	case 'B':
		if (done && !is_error(result) && v)
			put_mem(b, (const char *)v, (size_t)result, false);
		else
			put_ptr(b, (unsigned long)v);
		break;
	case 'o': {
		unsigned long f = (unsigned long)v;
		const char *acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
		put(b, acc[f & 3]);
		if (f & ~3UL) {
			put_c(b, '|');
			put_flags(b, f & ~3UL, open_flags, NULL);
		}
		break;
	}
	case 'm': put_o(b, (unsigned long)v); break;
	case 'a': put_flags(b, (unsigned long)v, access_modes, "F_OK"); break;
	case 'A': put_flags(b, (unsigned long)v, at_flags, "0"); break;
	case 'U': put_flags(b, (unsigned long)v, unlink_flags, "0"); break;
	case 'P': put_flags(b, (unsigned long)v, prot_flags, "PROT_NONE"); break;
	case 'M': put_flags(b, (unsigned long)v, map_flags, "0"); break;
	case 'S': put_signal(b, v); break;
	case 'c':
		put(b, "flags=");
		put_flags(b, (unsigned long)v & ~0xffUL, clone_flags, "0");
		if (v & 0xff) {
			put_c(b, '|');
			put_signal(b, v & 0xff);
		}
		break;
	case 'h': put_enum(b, v, how_names, 3); break;
	case 'w': put_enum(b, v, whence_names, 5); break;
	case 'F':
		if (v == 1030)
			put(b, "F_DUPFD_CLOEXEC");
		else
			put_enum(b, v, fcntl_names, 8);
		break;
	case 'v': put_string_array(b, (char *const *)v, false); break;
	case 'e': put_string_array(b, (char *const *)v, true); break;
	default: put_x(b, (unsigned long)v);
	}
}

static void put_result(struct buf *b, long nr, long r);

static void put_call(struct buf *b, int pid, const lp_ctx *c, long result, bool done)
{
	put_d(b, pid);
	put_c(b, '/');
	put_d(b, c->tid);
	put_c(b, ' ');
	const char *name = lp_syscall_name(c->nr);
	if (name) {
		put(b, name);
	} else {
		put(b, "syscall_");
		put_d(b, c->nr);
	}
	put_c(b, '(');
	const char *k = (c->nr >= 0 && c->nr < LP_NR_MAX) ? arg_kinds[c->nr] : NULL;
	int n = k ? (int)strlen(k) : 6;
	for (int i = 0; i < n; i++) {
		/* open's mode only matters when a file may be created */
		if (k && k[i] == 'm' && i > 0 && k[i - 1] == 'o' && !(c->args[i - 1] & 0100) &&
		    (c->args[i - 1] & 020200000) != 020200000)
			break;
		if (i)
			put(b, ", ");
		put_arg(b, k ? k[i] : 'x', c->args[i], i < 5 ? c->args[i + 1] : 0, result, done);
	}
	put_c(b, ')');
}

size_t lp_trace_format(char *buf, size_t n, int pid, const lp_ctx *c, long result, bool done)
{
	struct buf b = { buf, 0, n - 1 };
	load_specs();
	put_call(&b, pid, c, result, done);
	if (done)
		put_result(&b, c->nr, result);
	buf[b.n] = 0;
	return b.n;
}

static bool result_is_address(long nr)
{
	return nr == SYS_mmap || nr == SYS_brk || nr == SYS_mremap || nr == SYS_shmat;
}

static void put_result(struct buf *b, long nr, long r)
{
	put(b, " = ");
	if (is_error(r)) {
		put(b, "-1 ");
		if (-r < LP_ERRNO_MAX && lp_errno_names[-r][0]) {
			put(b, lp_errno_names[-r]);
			put(b, " (");
			put(b, lp_errno_descs[-r]);
			put_c(b, ')');
		} else {
			put(b, "errno ");
			put_d(b, -r);
		}
	} else if (result_is_address(nr)) {
		put_x(b, (unsigned long)r);
	} else {
		put_d(b, r);
	}
}

static void emit(struct buf *b)
{
	if (b->n == b->cap)
		b->n--;
	b->p[b->n++] = '\n';
	for (size_t off = 0; off < b->n;) {
		long w = lp_sys3(SYS_write, lp_trace_fd, b->p + off, b->n - off);
		if (w == -EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}

static bool never_returns(long nr)
{
	return nr == SYS_exit || nr == SYS_exit_group || nr == SYS_rt_sigreturn;
}

lp_action lp_trace_handler(lp_ctx *c, void *data)
{
	(void)data;
	char line[1024];
	struct buf b = { line, 0, sizeof line - 1 };
	if (lp_trace_fd < 0)
		return lp_continue();
	int pid = lp_self()->pid;
	if (never_returns(c->nr)) {
		put_call(&b, pid, c, 0, false);
		put(&b, " = ?");
		emit(&b);
		return lp_continue();
	}
	if (c->nr == SYS_execve || c->nr == SYS_execveat) {
		put_call(&b, pid, c, 0, false);
		line[b.n] = 0;
		struct lp_thread *t = lp_self();
		t->exec_note = line;
		long r = lp_ctx_exec(c);
		t->exec_note = NULL;
		put_result(&b, c->nr, r);
		emit(&b);
		return lp_return(r);
	}
	/* the call as the program made it: handlers after this one (a view's)
	 * may change its arguments (a path into the host's, a dirfd) */
	lp_ctx asked = *c;
	int process = lp_rt.pid;
	long r = lp_ctx_exec(c);
	if (lp_rt.pid != process)  /* the child of a fork: its parent reports */
		return lp_return(r);
	put_call(&b, pid, &asked, r, true);
	put_result(&b, c->nr, r);
	emit(&b);
	return lp_return(r);
}

static void trace_fd_moved(int oldfd, int newfd)
{
	(void)oldfd;
	lp_trace_fd = newfd;
}

void lp_trace_start(int fd)
{
	load_specs();
	lp_trace_fd = fd;
	lp_fd_hide_notify(fd, "LAZYPOLINE_TRACE_FD", trace_fd_moved);
	const char *note = getenv("LAZYPOLINE_TRACE_EXECLINE");
	if (note && *note) {
		char line[1024];
		struct buf b = { line, 0, sizeof line - 1 };
		put(&b, note);
		put(&b, " = 0");
		emit(&b);
	}
}
