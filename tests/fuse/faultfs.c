/* faultfs: a FUSE file system that passes a directory through and injects
 * faults on demand -- the disk under an overlay's UPPER that fills up,
 * fails or stalls, for the fault-injection tests.
 *
 *   faultfs [-f] SRC MNT        (unmount with fusermount3 -u MNT)
 *
 * Faults are set at run time by writing one command to MNT/.faultfs:
 *   enospc N        after N more bytes of file data, writes fail with
 *                   ENOSPC (the write that crosses the limit is short)
 *   eio N [OP]      the Nth operation from now (of kind OP) fails with EIO
 *   slow MS [OP]    every operation (of kind OP) first sleeps MS ms
 *   off             no faults
 * Reading MNT/.faultfs shows the settings and what was counted.  OP is an
 * operation's name: getattr, open, create, read, write, truncate, mkdir,
 * rename, unlink, rmdir, link, symlink, chmod, chown, utimens, fsync,
 * setxattr, ...  Files are created with the caller's owner, as on the
 * disk itself, and the kernel checks permissions (default_permissions;
 * mount as root with -o allow_other for other users). */
#define FUSE_USE_VERSION 35
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define CONTROL "/.faultfs"

static int src_fd;  /* the directory passed through */

static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	long long enospc_left;  /* -1: no limit */
	long eio_countdown;     /* 0: none */
	char eio_op[32];
	long slow_ms;
	char slow_op[32];
	long long written, ops, faults;
} F = { .enospc_left = -1 };

/* Called first by every operation: the injected delay or EIO, if any. */
static int fault(const char *op)
{
	long sleep_ms = 0;
	int r = 0;
	pthread_mutex_lock(&fault_lock);
	F.ops++;
	if (F.slow_ms && (!F.slow_op[0] || !strcmp(F.slow_op, op)))
		sleep_ms = F.slow_ms;
	if (F.eio_countdown && (!F.eio_op[0] || !strcmp(F.eio_op, op)) && --F.eio_countdown == 0) {
		F.faults++;
		r = -EIO;
	}
	pthread_mutex_unlock(&fault_lock);
	if (sleep_ms) {
		struct timespec ts = { sleep_ms / 1000, (sleep_ms % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	return r;
}

/* SRC-relative name of a FUSE path ("/a/b" -> "a/b", "/" -> ".") */
static const char *rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

static int is_control(const char *path)
{
	return !strcmp(path, CONTROL);
}

/* New files belong to the caller, not to this daemon. */
static void own(const char *path)
{
	struct fuse_context *c = fuse_get_context();
	if (fchownat(src_fd, rel(path), c->uid, c->gid, AT_SYMLINK_NOFOLLOW) != 0 && errno != EPERM)
		perror("faultfs: chown");
}

#define ERR(x) ((x) < 0 ? -errno : 0)
#define FAULT(op)                     \
	do {                          \
		int f_ = fault(op);   \
		if (f_)               \
			return f_;    \
	} while (0)

static int control_text(char *buf, size_t n)
{
	pthread_mutex_lock(&fault_lock);
	int len = snprintf(buf, n, "enospc %lld\neio %ld %s\nslow %ld %s\nwritten %lld\nops %lld\nfaults %lld\n",
			   F.enospc_left, F.eio_countdown, F.eio_op[0] ? F.eio_op : "-", F.slow_ms,
			   F.slow_op[0] ? F.slow_op : "-", F.written, F.ops, F.faults);
	pthread_mutex_unlock(&fault_lock);
	return len;
}

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)fi;
	if (is_control(path)) {
		memset(st, 0, sizeof *st);
		st->st_mode = S_IFREG | 0666;
		st->st_nlink = 1;
		st->st_size = 4096;
		return 0;
	}
	FAULT("getattr");
	return ERR(fstatat(src_fd, rel(path), st, AT_SYMLINK_NOFOLLOW));
}

static int fs_readlink(const char *path, char *buf, size_t size)
{
	FAULT("readlink");
	ssize_t n = readlinkat(src_fd, rel(path), buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	(void)off, (void)fi, (void)flags;
	FAULT("readdir");
	int fd = openat(src_fd, rel(path), O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st = { .st_ino = e->d_ino, .st_mode = (mode_t)DTTOIF(e->d_type) };
		if (fill(buf, e->d_name, &st, 0, 0))
			break;
	}
	closedir(d);
	return 0;
}

static int fs_mknod(const char *path, mode_t mode, dev_t dev)
{
	FAULT("mknod");
	if (mknodat(src_fd, rel(path), mode, dev) < 0)
		return -errno;
	own(path);
	return 0;
}

static int fs_mkdir(const char *path, mode_t mode)
{
	FAULT("mkdir");
	if (mkdirat(src_fd, rel(path), mode) < 0)
		return -errno;
	own(path);
	return 0;
}

static int fs_unlink(const char *path)
{
	FAULT("unlink");
	return ERR(unlinkat(src_fd, rel(path), 0));
}

static int fs_rmdir(const char *path)
{
	FAULT("rmdir");
	return ERR(unlinkat(src_fd, rel(path), AT_REMOVEDIR));
}

static int fs_symlink(const char *target, const char *path)
{
	FAULT("symlink");
	if (symlinkat(target, src_fd, rel(path)) < 0)
		return -errno;
	own(path);
	return 0;
}

static int fs_rename(const char *from, const char *to, unsigned int flags)
{
	FAULT("rename");
	return ERR(renameat2(src_fd, rel(from), src_fd, rel(to), flags));
}

static int fs_link(const char *from, const char *to)
{
	FAULT("link");
	return ERR(linkat(src_fd, rel(from), src_fd, rel(to), 0));
}

static int fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	FAULT("chmod");
	if (fi)
		return ERR(fchmod((int)fi->fh, mode));
	return ERR(fchmodat(src_fd, rel(path), mode, 0));
}

static int fs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	FAULT("chown");
	if (fi)
		return ERR(fchown((int)fi->fh, uid, gid));
	return ERR(fchownat(src_fd, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW));
}

static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	FAULT("truncate");
	if (fi)
		return ERR(ftruncate((int)fi->fh, size));
	int fd = openat(src_fd, rel(path), O_WRONLY);
	if (fd < 0)
		return -errno;
	int r = ERR(ftruncate(fd, size));
	close(fd);
	return r;
}

static int fs_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	FAULT("utimens");
	if (fi)
		return ERR(futimens((int)fi->fh, tv));
	return ERR(utimensat(src_fd, rel(path), tv, AT_SYMLINK_NOFOLLOW));
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
	if (is_control(path)) {
		fi->direct_io = 1;
		fi->fh = (uint64_t)-1;
		return 0;
	}
	FAULT("open");
	int fd = openat(src_fd, rel(path), fi->flags & ~O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	fi->fh = (uint64_t)fd;
	return 0;
}

static int fs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	FAULT("create");
	int fd = openat(src_fd, rel(path), fi->flags | O_CREAT, mode);
	if (fd < 0)
		return -errno;
	own(path);
	fi->fh = (uint64_t)fd;
	return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	if (is_control(path)) {
		char text[512];
		int len = control_text(text, sizeof text);
		if (off >= len)
			return 0;
		size_t n = (size_t)(len - off) < size ? (size_t)(len - off) : size;
		memcpy(buf, text + off, n);
		return (int)n;
	}
	FAULT("read");
	ssize_t n = pread((int)fi->fh, buf, size, off);
	return n < 0 ? -errno : (int)n;
}

static int control_write(const char *buf, size_t size)
{
	char cmd[128];
	size_t n = size < sizeof cmd - 1 ? size : sizeof cmd - 1;
	memcpy(cmd, buf, n);
	cmd[n] = 0;
	char word[32] = "", op[32] = "";
	long long num = 0;
	int got = sscanf(cmd, "%31s %lld %31s", word, &num, op);
	pthread_mutex_lock(&fault_lock);
	int r = (int)size;
	if (got >= 1 && !strcmp(word, "off")) {
		F.enospc_left = -1;
		F.eio_countdown = 0;
		F.slow_ms = 0;
	} else if (got >= 2 && !strcmp(word, "enospc") && num >= 0) {
		F.enospc_left = num;
	} else if (got >= 2 && !strcmp(word, "eio") && num > 0) {
		F.eio_countdown = (long)num;
		snprintf(F.eio_op, sizeof F.eio_op, "%s", got == 3 ? op : "");
	} else if (got >= 2 && !strcmp(word, "slow") && num >= 0) {
		F.slow_ms = (long)num;
		snprintf(F.slow_op, sizeof F.slow_op, "%s", got == 3 ? op : "");
	} else {
		r = -EINVAL;
	}
	pthread_mutex_unlock(&fault_lock);
	return r;
}

static int fs_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	if (is_control(path))
		return control_write(buf, size);
	FAULT("write");
	pthread_mutex_lock(&fault_lock);
	if (F.enospc_left >= 0 && (long long)size > F.enospc_left) {
		size = (size_t)F.enospc_left;  /* what still fits */
		if (!size) {
			F.faults++;
			pthread_mutex_unlock(&fault_lock);
			return -ENOSPC;
		}
	}
	pthread_mutex_unlock(&fault_lock);
	ssize_t n = pwrite((int)fi->fh, buf, size, off);
	if (n < 0)
		return -errno;
	pthread_mutex_lock(&fault_lock);
	F.written += n;
	if (F.enospc_left >= 0)
		F.enospc_left -= n;
	pthread_mutex_unlock(&fault_lock);
	return (int)n;
}

static int fs_statfs(const char *path, struct statvfs *st)
{
	(void)path;
	FAULT("statfs");
	return ERR(fstatvfs(src_fd, st));
}

static int fs_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	if (fi->fh != (uint64_t)-1)
		close((int)fi->fh);
	return 0;
}

static int fs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	FAULT("fsync");
	return ERR(datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh));
}

/* xattrs through /proc/self/fd of an O_PATH fd: the *at forms are new */
static int xattr_path(const char *path, char *out, size_t n, int *fd)
{
	*fd = openat(src_fd, rel(path), O_PATH | O_NOFOLLOW);
	if (*fd < 0)
		return -errno;
	snprintf(out, n, "/proc/self/fd/%d", *fd);
	return 0;
}

static int fs_setxattr(const char *path, const char *name, const char *value, size_t size, int flags)
{
	FAULT("setxattr");
	char p[64];
	int fd, r = xattr_path(path, p, sizeof p, &fd);
	if (r)
		return r;
	r = ERR(setxattr(p, name, value, size, flags));
	close(fd);
	return r;
}

static int fs_getxattr(const char *path, const char *name, char *value, size_t size)
{
	FAULT("getxattr");
	char p[64];
	int fd, r = xattr_path(path, p, sizeof p, &fd);
	if (r)
		return r;
	ssize_t n = getxattr(p, name, value, size);
	r = n < 0 ? -errno : (int)n;
	close(fd);
	return r;
}

static int fs_listxattr(const char *path, char *list, size_t size)
{
	FAULT("listxattr");
	char p[64];
	int fd, r = xattr_path(path, p, sizeof p, &fd);
	if (r)
		return r;
	ssize_t n = listxattr(p, list, size);
	r = n < 0 ? -errno : (int)n;
	close(fd);
	return r;
}

static int fs_removexattr(const char *path, const char *name)
{
	FAULT("removexattr");
	char p[64];
	int fd, r = xattr_path(path, p, sizeof p, &fd);
	if (r)
		return r;
	r = ERR(removexattr(p, name));
	close(fd);
	return r;
}

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->use_ino = 1;
	cfg->entry_timeout = 0;  /* faults must show at once: no caching */
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	return NULL;
}

static const struct fuse_operations ops = {
	.init = fs_init,
	.getattr = fs_getattr,
	.readlink = fs_readlink,
	.readdir = fs_readdir,
	.mknod = fs_mknod,
	.mkdir = fs_mkdir,
	.unlink = fs_unlink,
	.rmdir = fs_rmdir,
	.symlink = fs_symlink,
	.rename = fs_rename,
	.link = fs_link,
	.chmod = fs_chmod,
	.chown = fs_chown,
	.truncate = fs_truncate,
	.utimens = fs_utimens,
	.open = fs_open,
	.create = fs_create,
	.read = fs_read,
	.write = fs_write,
	.statfs = fs_statfs,
	.release = fs_release,
	.fsync = fs_fsync,
	.setxattr = fs_setxattr,
	.getxattr = fs_getxattr,
	.listxattr = fs_listxattr,
	.removexattr = fs_removexattr,
};

int main(int argc, char **argv)
{
	/* faultfs [fuse options] SRC MNT: SRC is ours, the rest is fuse's */
	int src_i = -1;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			if (!strcmp(argv[i], "-o") && i + 1 < argc)
				i++;
			continue;
		}
		src_i = i;
		break;
	}
	if (src_i < 0 || src_i + 1 >= argc) {
		fprintf(stderr, "usage: faultfs [-f] [-o OPTIONS] SRC MNT\n");
		return 2;
	}
	src_fd = open(argv[src_i], O_RDONLY | O_DIRECTORY);
	if (src_fd < 0) {
		fprintf(stderr, "faultfs: %s: %s\n", argv[src_i], strerror(errno));
		return 1;
	}
	umask(0);  /* modes come from the callers, already masked */
	char *fargv[argc + 3];
	int n = 0;
	for (int i = 0; i < argc; i++)
		if (i != src_i)
			fargv[n++] = argv[i];
	/* the kernel checks permissions, as on the disk: this daemon could
	 * do anything */
	fargv[n++] = "-o";
	fargv[n++] = "default_permissions";
	fargv[n] = NULL;
	return fuse_main(n, fargv, &ops, NULL);
}
