/* The backends of the view: how the files under one kind of mount are
 * reached.  The router resolves paths in the view, applies its rules and
 * keeps the fd table; a backend only says where the kernel finds what is
 * below a mount's DEST.  Bind mounts (vfs/bind/) are the first backend;
 * overlay and memory-backed ones plug in here, adding what they need
 * (copy-up before writes, whiteouts, merged listings). */
#ifndef VFS_BACKEND_H
#define VFS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "../mounts/mounts.h"

struct vfs_backend {
	const char *name;
	/* The host path of REST (REST_LEN bytes: "" for DEST itself, else
	 * "/a/b") below M's DEST, into OUT: its length, or -errno. */
	long (*host_path)(const struct mount_spec *m, const char *rest, size_t rest_len, char *out,
			  size_t outlen);
	/* Does HOST (LEN bytes) lie in M's files?  The length of its prefix
	 * that stands for DEST (the rest is the path below it), else -1.
	 * Used to name fds the kernel reports by host path. */
	long (*claims)(const struct mount_spec *m, const char *host, size_t len);
	/* Is M's DEST a directory (so that its parent counts it in its link
	 * count)? */
	bool (*is_dir)(const struct mount_spec *m);
};

extern const struct vfs_backend vfs_bind_backend __attribute__((visibility("hidden")));

/* The backend of a mount, by its kind. */
static inline const struct vfs_backend *vfs_backend_of(const struct mount_spec *m)
{
	switch (m->kind) {
	case MOUNT_BIND:
		return &vfs_bind_backend;
	}
	return &vfs_bind_backend;
}

#endif
