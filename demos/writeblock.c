/* A write-blocker: the program may read anything but change nothing on
 * disk.  Built on lazypoline's public API only.
 *
 *   LIBLAZYPOLINE=build/demos/libwriteblock.so LD_PRELOAD=build/libbootstrap.so sh
 *
 * Syscalls that only modify the file system are refused with a block list
 * (EROFS); open/openat/openat2 get a handler that refuses write access and
 * O_CREAT/O_TRUNC.  Writing to descriptors that are already open (the
 * terminal, pipes) still works. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
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
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC | __O_TMPFILE));
}

static lp_action guard_open(lp_ctx *c, void *data)
{
	(void)data;
	unsigned long flags;
	if (c->nr == SYS_open) {
		flags = (unsigned long)c->args[1];
	} else if (c->nr == SYS_openat) {
		flags = (unsigned long)c->args[2];
	} else {  /* openat2: the flags are in a struct in the program's memory */
		struct open_how how;
		if (lp_copy_from_user(&how, (void *)c->args[2], sizeof how) < 0)
			return lp_block(EFAULT);
		flags = how.flags;
	}
	return writes(flags) ? lp_block(EROFS) : lp_continue();
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
