/* State shared by every process of a view: one page of a memfd, mapped
 * MAP_SHARED.  fork children share the mapping; a program started with
 * execve maps it again from the fd, which the view keeps open (hidden
 * from the program) and names in VFSRUN_SHARED_FD.  It holds the overlay
 * generation, which every change an overlay makes to its layers bumps, so
 * that each process may remember overlay directories across calls. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "vfs_internal.h"

#define SHARED_MAGIC 0x3164657261687376ull  /* "vshared1" */
#define SHARED_SIZE 4096

struct vfs_shared *vfs_shared;

static void set_env(int fd)
{
	char num[16];
	size_t k = 0;
	vfs_put_num(num, &k, (unsigned long)fd);
	num[k] = 0;
	lp_exec_env_set("VFSRUN_SHARED_FD", num);
}

static void moved(int newfd)
{
	set_env(newfd);
}

/* FD's mapping if it is a view's shared page, else NULL. */
static struct vfs_shared *map(long fd, bool fresh)
{
	struct stat st;
	if (sys(SYS_fstat, fd, (long)&st, 0, 0, 0, 0) < 0 || st.st_size != SHARED_SIZE)
		return NULL;
	long a = sys(SYS_mmap, 0, SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (a < 0 && a > -4096)
		return NULL;
	struct vfs_shared *s = (struct vfs_shared *)a;
	if (fresh)
		s->magic = SHARED_MAGIC;
	if (s->magic != SHARED_MAGIC) {
		sys(SYS_munmap, a, SHARED_SIZE, 0, 0, 0, 0);
		return NULL;
	}
	return s;
}

void vfs_shared_init(const char *inherited_fd)
{
	long fd = -1;
	if (inherited_fd) {
		fd = 0;
		for (const char *p = inherited_fd; *p >= '0' && *p <= '9'; p++)
			fd = fd * 10 + (*p - '0');
		vfs_shared = map(fd, false);
		if (!vfs_shared)
			return;  /* not the view's any more: remember nothing */
	} else {
		long mfd = sys(SYS_memfd_create, (long)"vfsrun-view", 0, 0, 0, 0, 0);
		if (mfd < 0)
			return;
		/* out of the way of the program's own fds */
		fd = sys(SYS_fcntl, mfd, F_DUPFD, 900, 0, 0, 0);
		sys(SYS_close, mfd, 0, 0, 0, 0, 0);
		if (fd < 0 || sys(SYS_ftruncate, fd, SHARED_SIZE, 0, 0, 0, 0) < 0 || !(vfs_shared = map(fd, true))) {
			if (fd >= 0)
				sys(SYS_close, fd, 0, 0, 0, 0, 0);
			return;
		}
	}
	lp_hide_fd_moving((int)fd, moved);
	set_env((int)fd);
}
