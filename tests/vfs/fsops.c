/* fsops: runs file-system syscalls listed in a script and prints each
 * result in a normalized form (types, modes, sizes, link targets, errno
 * names; never inode numbers or times), so that a run in a view can be
 * compared with a run on the equivalent real mounts.
 *
 *   fsops SCRIPT        one operation per line: NAME ARGS...
 *
 * Arguments: "." is AT_FDCWD, a capital letter is a descriptor slot that
 * an open filled, "-" is the empty string, "NULL" a null pointer, "BAD"
 * an unmapped address, "@long:N" a path of N bytes, flags are names
 * joined by '|' or numbers (0755 octal).  The syscalls are made with
 * syscall(2): no libc wrapper stands in between. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static long slots[26];
static char longbuf[4][8192];
static int nlong;

static const struct {
	const char *name;
	long value;
} names[] = {
#define N(x) { #x, x }
	N(O_RDONLY), N(O_WRONLY), N(O_RDWR), N(O_CREAT), N(O_EXCL), N(O_TRUNC), N(O_APPEND),
	N(O_DIRECTORY), N(O_NOFOLLOW), N(O_PATH), N(O_CLOEXEC), N(O_TMPFILE),
	N(AT_SYMLINK_NOFOLLOW), N(AT_SYMLINK_FOLLOW), N(AT_EMPTY_PATH), N(AT_REMOVEDIR),
	N(AT_EACCESS), N(RESOLVE_BENEATH), N(RESOLVE_IN_ROOT), N(RESOLVE_NO_SYMLINKS),
	N(RESOLVE_NO_XDEV), N(RESOLVE_NO_MAGICLINKS), N(RENAME_NOREPLACE), N(RENAME_EXCHANGE),
	N(F_OK), N(R_OK), N(W_OK), N(X_OK), N(S_IFREG), N(S_IFIFO), N(IN_MODIFY), N(IN_DONT_FOLLOW),
	N(IN_ONLYDIR), N(STATX_BASIC_STATS), N(AT_STATX_SYNC_AS_STAT),
#undef N
};

static long num(const char *s)
{
	if (!strcmp(s, "."))
		return AT_FDCWD;
	if (s[0] >= 'A' && s[0] <= 'Z' && !s[1])
		return slots[s[0] - 'A'];
	long v = 0;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", s);
	for (char *t = strtok(buf, "|"); t; t = strtok(NULL, "|")) {
		size_t i;
		for (i = 0; i < sizeof names / sizeof *names; i++)
			if (!strcmp(t, names[i].name))
				break;
		if (i < sizeof names / sizeof *names)
			v |= names[i].value;
		else
			v |= strtol(t, NULL, 0);
	}
	return v;
}

static const char *path(const char *s)
{
	if (!strcmp(s, "-"))
		return "";
	if (!strcmp(s, "NULL"))
		return NULL;
	if (!strcmp(s, "BAD"))
		return (const char *)8;
	if (!strncmp(s, "@long:", 6)) {
		char *b = longbuf[nlong++ % 4];
		int n = atoi(s + 6);
		b[0] = '/';
		memset(b + 1, 'x', (size_t)n - 1);
		b[n] = 0;
		return b;
	}
	return s;
}

static const char *type_name(mode_t m)
{
	return S_ISREG(m) ? "reg" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "lnk" : S_ISFIFO(m) ? "fifo" :
	       S_ISSOCK(m) ? "sock" : S_ISCHR(m) ? "chr" : S_ISBLK(m) ? "blk" : "?";
}

static void print_stat(mode_t mode, unsigned long nlink, long size, unsigned uid, unsigned gid)
{
	printf("%s %04o nlink=%lu uid=%u gid=%u", type_name(mode), mode & 07777, nlink, uid, gid);
	if (!S_ISDIR(mode))
		printf(" size=%ld", size);
	printf("\n");
}

static int result(long r)
{
	if (r < 0) {
		printf("%s\n", strerrorname_np(errno));
		return 1;
	}
	return 0;
}

static void do_stat(long r, const struct stat *st)
{
	if (!result(r))
		print_stat(st->st_mode, st->st_nlink, st->st_size, st->st_uid, st->st_gid);
}

static void print_escaped(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		putchar(isprint((unsigned char)s[i]) ? s[i] : s[i] == '\n' ? '|' : '?');
}

/* a directory's entries, sorted: name and type */
static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_fd(long fd, size_t bufsize)
{
	char *names_[4096];
	int n = 0;
	char *buf = malloc(bufsize);
	long r;
	while ((r = syscall(SYS_getdents64, fd, buf, bufsize)) > 0) {
		for (long off = 0; off < r;) {
			struct {
				unsigned long ino;
				long off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (void *)(buf + off);
			static const char *t[] = { [DT_DIR] = "/", [DT_LNK] = "@", [DT_REG] = "",
						   [DT_FIFO] = "|", [DT_SOCK] = "=", [DT_UNKNOWN] = "?" };
			if (n < 4096 && asprintf(&names_[n], "%s%s", d->name, d->type < 13 && t[d->type] ? t[d->type] : "?") > 0)
				n++;
			off += d->reclen;
		}
	}
	free(buf);
	if (r < 0) {
		result(r);
		return;
	}
	qsort(names_, (size_t)n, sizeof *names_, cmp);
	for (int i = 0; i < n; i++) {
		printf("%s%s", i ? " " : "", names_[i]);
		free(names_[i]);
	}
	printf("\n");
}

static long unix_sock(const char *p, int type, struct sockaddr_un *sa, socklen_t *len)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof sa->sun_path, "%s", p);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa->sun_path) + 1);
	return socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
}

static void op(int argc, char **a)
{
	const char *o = a[0];
	struct stat st;
	char buf[8192];
	long r;
#define ARGS(n) \
	do { \
		if (argc < (n) + 1) { \
			printf("usage error\n"); \
			return; \
		} \
	} while (0)
	if (!strcmp(o, "open") || !strcmp(o, "openat") || !strcmp(o, "creat") || !strcmp(o, "openat2")) {
		int at = !strcmp(o, "openat") || !strcmp(o, "openat2");
		ARGS(2 + at);
		/* the last argument names the slot the fd goes to */
		char slot = a[argc - 1][1] ? 0 : a[argc - 1][0];
		if (!strcmp(o, "open"))
			r = syscall(SYS_open, path(a[1]), num(a[2]), argc > 4 ? num(a[3]) : 0644);
		else if (!strcmp(o, "creat"))
			r = syscall(SYS_creat, path(a[1]), num(a[2]));
		else if (!strcmp(o, "openat"))
			r = syscall(SYS_openat, num(a[1]), path(a[2]), num(a[3]), argc > 5 ? num(a[4]) : 0644);
		else {
			struct open_how how = { .flags = (unsigned long)num(a[3]), .resolve = (unsigned long)num(a[4]) };
			if (how.flags & O_CREAT)
				how.mode = 0644;
			r = syscall(SYS_openat2, num(a[1]), path(a[2]), &how, sizeof how);
		}
		if (slot >= 'A' && slot <= 'Z')
			slots[slot - 'A'] = r;  /* -1 when it failed: never another fd */
		if (!result(r))
			printf("fd\n");
	} else if (!strcmp(o, "close")) {
		ARGS(1);
		if (!result(syscall(SYS_close, num(a[1]))))
			printf("0\n");
	} else if (!strcmp(o, "stat") || !strcmp(o, "lstat")) {
		ARGS(1);
		do_stat(syscall(!strcmp(o, "stat") ? SYS_stat : SYS_lstat, path(a[1]), &st), &st);
	} else if (!strcmp(o, "fstatat")) {
		ARGS(3);
		do_stat(syscall(SYS_newfstatat, num(a[1]), path(a[2]), &st, num(a[3])), &st);
	} else if (!strcmp(o, "fstat")) {
		ARGS(1);
		do_stat(syscall(SYS_fstat, num(a[1]), &st), &st);
	} else if (!strcmp(o, "statx")) {
		ARGS(3);
		struct statx sx;
		r = syscall(SYS_statx, num(a[1]), path(a[2]), num(a[3]), STATX_BASIC_STATS, &sx);
		if (!result(r))
			print_stat(sx.stx_mode, sx.stx_nlink, (long)sx.stx_size, sx.stx_uid, sx.stx_gid);
	} else if (!strcmp(o, "access")) {
		ARGS(2);
		if (!result(syscall(SYS_access, path(a[1]), num(a[2]))))
			printf("0\n");
	} else if (!strcmp(o, "faccessat") || !strcmp(o, "faccessat2")) {
		ARGS(3);
		if (!result(o[9] ? syscall(SYS_faccessat2, num(a[1]), path(a[2]), num(a[3]), argc > 4 ? num(a[4]) : 0)
				 : syscall(SYS_faccessat, num(a[1]), path(a[2]), num(a[3]))))
			printf("0\n");
	} else if (!strcmp(o, "readlink") || !strcmp(o, "readlinkat")) {
		int at = o[8] != 0;
		ARGS(1 + at);
		size_t size = sizeof buf;
		if (argc > 2 + at)
			size = (size_t)num(a[2 + at]);
		r = at ? syscall(SYS_readlinkat, num(a[1]), path(a[2]), buf, size)
		       : syscall(SYS_readlink, path(a[1]), buf, size);
		if (!result(r)) {
			print_escaped(buf, (size_t)r);
			printf("\n");
		}
	} else if (!strcmp(o, "fdpath")) {
		ARGS(1);
		char link[64];
		snprintf(link, sizeof link, "/proc/self/fd/%ld", num(a[1]));
		r = syscall(SYS_readlink, link, buf, sizeof buf);
		if (!result(r))
			printf("%.*s\n", (int)r, buf);
	} else if (!strcmp(o, "chdir")) {
		ARGS(1);
		if (!result(syscall(SYS_chdir, path(a[1]))))
			printf("0\n");
	} else if (!strcmp(o, "chroot")) {
		ARGS(1);
		if (!result(syscall(SYS_chroot, path(a[1]))))
			printf("0\n");
	} else if (!strcmp(o, "fchdir")) {
		ARGS(1);
		if (!result(syscall(SYS_fchdir, num(a[1]))))
			printf("0\n");
	} else if (!strcmp(o, "getcwd")) {
		r = syscall(SYS_getcwd, buf, argc > 1 ? num(a[1]) : (long)sizeof buf);
		if (!result(r))
			printf("%s\n", buf);
	} else if (!strcmp(o, "mkdir") || !strcmp(o, "rmdir") || !strcmp(o, "unlink") ||
		   !strcmp(o, "chmod") || !strcmp(o, "truncate") || !strcmp(o, "mknod") ||
		   !strcmp(o, "utimes") || !strcmp(o, "statfs") || !strcmp(o, "chown") ||
		   !strcmp(o, "lchown")) {
		ARGS(1);
		const char *p = path(a[1]);
		struct statfs sf;
		if (!strcmp(o, "mkdir"))
			r = syscall(SYS_mkdir, p, argc > 2 ? num(a[2]) : 0755);
		else if (!strcmp(o, "rmdir"))
			r = syscall(SYS_rmdir, p);
		else if (!strcmp(o, "unlink"))
			r = syscall(SYS_unlink, p);
		else if (!strcmp(o, "chmod"))
			r = syscall(SYS_chmod, p, argc > 2 ? num(a[2]) : 0644);
		else if (!strcmp(o, "truncate"))
			r = syscall(SYS_truncate, p, argc > 2 ? num(a[2]) : 0);
		else if (!strcmp(o, "mknod"))
			r = syscall(SYS_mknod, p, argc > 2 ? num(a[2]) : S_IFIFO | 0644, 0);
		else if (!strcmp(o, "utimes"))
			r = syscall(SYS_utimes, p, NULL);
		else if (!strcmp(o, "statfs"))
			r = syscall(SYS_statfs, p, &sf);  /* says ro or rw below */
		else
			r = syscall(!strcmp(o, "chown") ? SYS_chown : SYS_lchown, p, getuid(), getgid());
		if (!result(r) && !strcmp(o, "statfs"))
			printf("%s\n", (sf.f_flags & ST_RDONLY) ? "ro" : "rw");
		else if (!r)
			printf("0\n");
	} else if (!strcmp(o, "mkdirat") || !strcmp(o, "unlinkat") || !strcmp(o, "fchmodat") ||
		   !strcmp(o, "fchmodat2") || !strcmp(o, "mknodat") || !strcmp(o, "utimensat") ||
		   !strcmp(o, "futimesat") || !strcmp(o, "fchownat")) {
		ARGS(2);
		long d = num(a[1]), x = argc > 3 ? num(a[3]) : 0;
		const char *p = path(a[2]);
		if (!strcmp(o, "mkdirat"))
			r = syscall(SYS_mkdirat, d, p, argc > 3 ? x : 0755);
		else if (!strcmp(o, "unlinkat"))
			r = syscall(SYS_unlinkat, d, p, x);
		else if (!strcmp(o, "fchmodat"))
			r = syscall(SYS_fchmodat, d, p, x);
		else if (!strcmp(o, "fchmodat2"))
			r = syscall(SYS_fchmodat2, d, p, x, argc > 4 ? num(a[4]) : 0);
		else if (!strcmp(o, "mknodat"))
			r = syscall(SYS_mknodat, d, p, argc > 3 ? x : S_IFIFO | 0644, 0);
		else if (!strcmp(o, "utimensat"))
			r = syscall(SYS_utimensat, d, p, NULL, x);
		else if (!strcmp(o, "futimesat"))
			r = syscall(SYS_futimesat, d, p, NULL);
		else
			r = syscall(SYS_fchownat, d, p, getuid(), getgid(), x);
		if (!result(r))
			printf("0\n");
	} else if (!strcmp(o, "rename") || !strcmp(o, "link") || !strcmp(o, "symlink")) {
		ARGS(2);
		r = syscall(o[0] == 'r' ? SYS_rename : o[0] == 'l' ? SYS_link : SYS_symlink, path(a[1]), path(a[2]));
		if (!result(r))
			printf("0\n");
	} else if (!strcmp(o, "renameat2") || !strcmp(o, "linkat")) {
		ARGS(4);
		r = syscall(o[0] == 'r' ? SYS_renameat2 : SYS_linkat, num(a[1]), path(a[2]), num(a[3]), path(a[4]),
			    argc > 5 ? num(a[5]) : 0);
		if (!result(r))
			printf("0\n");
	} else if (!strcmp(o, "symlinkat")) {
		ARGS(3);
		if (!result(syscall(SYS_symlinkat, path(a[1]), num(a[2]), path(a[3]))))
			printf("0\n");
	} else if (!strcmp(o, "fstatfs")) {
		ARGS(1);
		struct statfs sf;
		if (!result(syscall(SYS_fstatfs, num(a[1]), &sf)))
			printf("%s\n", (sf.f_flags & ST_RDONLY) ? "ro" : "rw");
	} else if (!strcmp(o, "fchmod") || !strcmp(o, "fchown") || !strcmp(o, "fsetxattr") ||
		   !strcmp(o, "fremovexattr")) {
		/* changes through an fd: refused on a read-only mount */
		ARGS(1);
		long d = num(a[1]);
		if (!strcmp(o, "fchmod"))
			r = syscall(SYS_fchmod, d, argc > 2 ? num(a[2]) : 0644);
		else if (!strcmp(o, "fchown"))
			r = syscall(SYS_fchown, d, getuid(), getgid());
		else if (!strcmp(o, "fsetxattr"))
			r = syscall(SYS_fsetxattr, d, "user.lp", "v", 1, 0);
		else
			r = syscall(SYS_fremovexattr, d, "user.lp");
		if (!result(r))
			printf("0\n");
	} else if (!strcmp(o, "setxattr") || !strcmp(o, "lsetxattr")) {
		ARGS(3);
		r = syscall(o[0] == 's' ? SYS_setxattr : SYS_lsetxattr, path(a[1]), a[2], a[3], strlen(a[3]), 0);
		if (!result(r))
			printf("0\n");
	} else if (!strcmp(o, "getxattr") || !strcmp(o, "lgetxattr")) {
		ARGS(2);
		r = syscall(o[0] == 'g' ? SYS_getxattr : SYS_lgetxattr, path(a[1]), a[2], buf, sizeof buf);
		if (!result(r))
			printf("%.*s\n", (int)r, buf);
	} else if (!strcmp(o, "listxattr")) {
		ARGS(1);
		r = syscall(SYS_listxattr, path(a[1]), buf, sizeof buf);
		if (!result(r)) {
			print_escaped(buf, (size_t)r);
			printf("\n");
		}
	} else if (!strcmp(o, "removexattr")) {
		ARGS(2);
		if (!result(syscall(SYS_removexattr, path(a[1]), a[2])))
			printf("0\n");
	} else if (!strcmp(o, "inotify")) {
		ARGS(2);
		int in = inotify_init1(IN_CLOEXEC);
		r = syscall(SYS_inotify_add_watch, in, path(a[1]), num(a[2]));
		if (!result(r))
			printf("watch\n");
		close(in);
	} else if (!strcmp(o, "ls")) {
		ARGS(1);
		list_fd(num(a[1]), argc > 2 ? (size_t)num(a[2]) : 32768);
	} else if (!strcmp(o, "lsdir")) {
		ARGS(1);
		long fd = syscall(SYS_open, path(a[1]), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (!result(fd)) {
			list_fd(fd, 32768);
			close((int)fd);
		}
	} else if (!strcmp(o, "read")) {
		ARGS(1);
		r = syscall(SYS_read, num(a[1]), buf, argc > 2 ? num(a[2]) : 100);
		if (!result(r)) {
			print_escaped(buf, (size_t)r);
			printf("\n");
		}
	} else if (!strcmp(o, "cat")) {
		ARGS(1);
		long fd = syscall(SYS_open, path(a[1]), O_RDONLY | O_CLOEXEC);
		if (!result(fd)) {
			r = read((int)fd, buf, sizeof buf);
			if (!result(r)) {
				print_escaped(buf, (size_t)r);
				printf("\n");
			}
			close((int)fd);
		}
	} else if (!strcmp(o, "write")) {
		ARGS(2);
		r = syscall(SYS_write, num(a[1]), a[2], strlen(a[2]));
		if (!result(r))
			printf("%ld\n", r);
	} else if (!strcmp(o, "lseek")) {
		ARGS(2);
		r = syscall(SYS_lseek, num(a[1]), num(a[2]), SEEK_SET);
		if (!result(r))
			printf("%ld\n", r);
	} else if (!strcmp(o, "dup") || !strcmp(o, "dup3") || !strcmp(o, "dupfd")) {
		/* dup A B | dup3 A B NUM | dupfd A B MIN: the copy goes to slot B */
		ARGS(2);
		long from = num(a[1]);
		if (!strcmp(o, "dup"))
			r = syscall(SYS_dup, from);
		else if (!strcmp(o, "dup3"))
			r = syscall(SYS_dup3, from, argc > 3 ? num(a[3]) : 50, 0);
		else
			r = syscall(SYS_fcntl, from, F_DUPFD_CLOEXEC, argc > 3 ? num(a[3]) : 60);
		if (!result(r)) {
			slots[a[2][0] - 'A'] = r;
			printf("fd\n");
		}
	} else if (!strcmp(o, "close_range")) {
		ARGS(1);
		long fd = num(a[1]);
		if (!result(syscall(SYS_close_range, fd, fd, 0)))
			printf("0\n");
	} else if (!strcmp(o, "exec") || !strcmp(o, "execat")) {
		/* exec PATH ARGS... | execat DIRFD PATH FLAGS: run it, wait */
		int at = o[4] != 0;
		ARGS(1 + 2 * at);
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			char *argv[16] = { "prog" };
			int n = 1;
			for (int i = at ? 4 : 2; i < argc && n < 15; i++)
				argv[n++] = a[i];
			argv[n] = NULL;
			extern char **environ;
			if (at)
				r = syscall(SYS_execveat, num(a[1]), path(a[2]), argv, environ, num(a[3]));
			else
				r = syscall(SYS_execve, path(a[1]), argv, environ);
			result(r);
			fflush(stdout);
			_exit(99);
		}
		int status;
		waitpid(pid, &status, 0);
		printf("exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	} else if (!strcmp(o, "fork")) {
		/* the next op runs in a child: cwd and fds survive fork */
		ARGS(1);
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			op(argc - 1, a + 1);
			fflush(stdout);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	} else if (!strcmp(o, "vfork")) {
		/* a vfork child changes its cwd and execs PROG; the parent's
		 * view must not change */
		ARGS(2);
		fflush(stdout);
		pid_t pid = vfork();
		if (pid == 0) {
			if (syscall(SYS_chdir, path(a[1])) < 0)
				_exit(98);
			char *argv[] = { a[2], NULL };
			extern char **environ;
			syscall(SYS_execve, a[2], argv, environ);
			_exit(99);
		}
		int status;
		waitpid(pid, &status, 0);
		printf("exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	} else if (!strcmp(o, "unix-bind") || !strcmp(o, "unix-connect") || !strcmp(o, "unix-sendto")) {
		/* a socket bound at PATH, then reached by path */
		ARGS(1);
		struct sockaddr_un sa;
		socklen_t len;
		int dgram = !strcmp(o, "unix-sendto");
		long s = unix_sock(path(a[1]), dgram ? SOCK_DGRAM : SOCK_STREAM, &sa, &len);
		if (!strcmp(o, "unix-bind")) {
			r = bind((int)s, (struct sockaddr *)&sa, len);
			if (!result(r)) {
				if (argc > 2)
					slots[a[2][0] - 'A'] = s;
				else
					close((int)s);
				printf("0\n");
			} else {
				close((int)s);
			}
			if (!r && argc > 2)
				listen((int)s, 1);
		} else if (!dgram) {
			if (!result(connect((int)s, (struct sockaddr *)&sa, len)))
				printf("0\n");
			close((int)s);
		} else {
			if (!result(sendto((int)s, "x", 1, 0, (struct sockaddr *)&sa, len)))
				printf("0\n");
			close((int)s);
		}
	} else {
		printf("unknown op\n");
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fsops SCRIPT\n");
		return 2;
	}
	for (int i = 0; i < 26; i++)
		slots[i] = -1;  /* a slot no open filled is no fd (not stdin) */
	FILE *f = fopen(argv[1], "re");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	char line[8192];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *a[32];
		int n = 0;
		char copy[8192];
		snprintf(copy, sizeof copy, "%s", line);
		for (char *t = strtok(copy, " \t"); t && n < 31; t = strtok(NULL, " \t"))
			a[n++] = t;
		if (!n || a[0][0] == '#')
			continue;
		printf("%s => ", line);
		errno = 0;
		op(n, a);
	}
	fclose(f);
	return 0;
}
