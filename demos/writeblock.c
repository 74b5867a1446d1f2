/* A write-blocker: the program may read anything but change nothing on
 * disk.  Built on lazypoline's public API only.
 *
 *   LIBLAZYPOLINE=build/demos/libwriteblock.so LD_PRELOAD=build/libbootstrap.so sh
 *
 * Syscalls that only modify the file system are refused with a block list
 * (EROFS); open/openat/openat2 get a handler that refuses write access and
 * O_CREAT/O_TRUNC, except on devices, pipes and sockets (/dev/null).
 * Writing to descriptors that are already open still works. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "lazypoline.h"

static const long modifying[] = {
	SYS_creat, SYS_unlink, SYS_unlinkat, SYS_rename, SYS_renameat, SYS_renameat2,
	SYS_mkdir, SYS_mkdirat, SYS_rmdir, SYS_link, SYS_linkat, SYS_symlink, SYS_symlinkat,
	SYS_truncate, SYS_chmod, SYS_fchmodat, SYS_chown, SYS_lchown, SYS_fchownat,
	SYS_mknod, SYS_mknodat, SYS_utime, SYS_utimes, SYS_utimensat, SYS_futimesat,
	SYS_setxattr, SYS_lsetxattr, SYS_removexattr, SYS_lremovexattr,
};

static bool writes(unsigned long flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) ||
	       (flags & __O_TMPFILE) == __O_TMPFILE;
}

/* Devices, pipes and sockets that exist already (/dev/null, a terminal)
 * may be opened for writing: that changes no file. */
static bool is_special(int dirfd, const char *user_path)
{
	char path[4096];
	struct stat st;
	if (lp_strncpy_from_user(path, user_path, sizeof path) < 0)
		return false;
	if (lp_syscall(SYS_newfstatat, dirfd, (long)path, (long)&st, 0, 0, 0) < 0)
		return false;
	return !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode);
}

static lp_action guard_open(lp_ctx *c, void *data)
{
	(void)data;
	unsigned long flags;
	int dirfd = AT_FDCWD;
	const char *path;
	if (c->nr == SYS_open) {
		path = (const char *)c->args[0];
		flags = (unsigned long)c->args[1];
	} else if (c->nr == SYS_openat) {
		dirfd = (int)c->args[0];
		path = (const char *)c->args[1];
		flags = (unsigned long)c->args[2];
	} else {  /* openat2: the flags are in a struct in the program's memory */
		struct open_how how;
		if (lp_copy_from_user(&how, (void *)c->args[2], sizeof how) < 0)
			return lp_block(EFAULT);
		dirfd = (int)c->args[0];
		path = (const char *)c->args[1];
		flags = how.flags;
	}
	if (!writes(flags) || is_special(dirfd, path))
		return lp_continue();
	return lp_block(EROFS);
}

int lazypoline_init(lp_interposer *ip)
{
	int r = lp_block_list(ip, modifying, sizeof modifying / sizeof *modifying, EROFS);
	if (r == 0)
		r = lp_on(ip, SYS_open, guard_open, NULL);
	if (r == 0)
		r = lp_on(ip, SYS_openat, guard_open, NULL);
	if (r == 0)
		r = lp_on(ip, SYS_openat2, guard_open, NULL);
	return r;
}
