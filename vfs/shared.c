/* State shared by every process of a view: memory shared by the run
 * (lp_run_shared: a memfd, named to new programs in VFSRUN_SHARED_FD).
 * It holds the overlay generation, which every change an overlay makes to
 * its layers bumps, so that each process may remember overlay directories
 * across calls, and the host directories known not to be symlinks
 * (resolve.c) with their own generation.  A process that lost it (started
 * by one that ran uninterposed) remembers nothing. */
#include <sys/syscall.h>

#include "vfs_internal.h"

#define SHARED_MAGIC 0x3264657261687376ull  /* "vshared2" */

struct vfs_shared *vfs_shared;

void vfs_shared_init(void)
{
	bool fresh;
	struct vfs_shared *s = lp_run_shared("VFSRUN_SHARED_FD", sizeof *s, true, &fresh);
	if (s && fresh) {
		if (sys(SYS_getrandom, (long)&s->dir_key, sizeof s->dir_key, 0, 0, 0, 0) != sizeof s->dir_key)
			s->dir_key = (uint64_t)(uintptr_t)s ^ (uint64_t)sys(SYS_getpid, 0, 0, 0, 0, 0, 0);
		s->magic = SHARED_MAGIC;
	}
	vfs_shared = s && s->magic == SHARED_MAGIC ? s : NULL;
}
