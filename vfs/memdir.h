/* The directories in memory of --tmpfs and --tmp-overlay (vfsrun) and of
 * vfs_tmpfs / vfs_tmp_overlay (vfs.h): numbered directories under one
 * private root on the host's memory-backed tmpfs, which the process that
 * made the root removes.  Plain libc: used before any interposer runs. */
#ifndef VFS_MEMDIR_H
#define VFS_MEMDIR_H

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct memdir {
	char root[PATH_MAX];  /* "" until the first directory */
	pid_t owner;          /* the process that removes it */
	int count;
};

static inline int memdir_remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Remove M's root and all below it (in its owner only). */
static inline void memdir_remove(struct memdir *m)
{
	if (m->root[0] && getpid() == m->owner)
		nftw(m->root, memdir_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The next directory (0700) into OUT; the root, PREFIX-XXXXXX, is made
 * first in /dev/shm, else $XDG_RUNTIME_DIR, $TMPDIR or /tmp.  0, or -errno
 * with errno set. */
static inline int memdir_next(struct memdir *m, const char *prefix, char *out, size_t n)
{
	if (!m->root[0]) {
		const char *bases[] = { "/dev/shm", getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"), "/tmp" };
		for (size_t i = 0; i < sizeof bases / sizeof *bases && !m->root[0]; i++) {
			if (!bases[i] || !*bases[i])
				continue;
			snprintf(m->root, sizeof m->root, "%s/%s-XXXXXX", bases[i], prefix);
			if (!mkdtemp(m->root))
				m->root[0] = 0;
		}
		if (!m->root[0])
			return -errno;
		m->owner = getpid();
	}
	int k = snprintf(out, n, "%s/%d", m->root, ++m->count);
	if (k < 0 || (size_t)k >= n)
		return -ENAMETOOLONG;
	return mkdir(out, 0700) ? -errno : 0;
}
#endif
