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
#include <stdint.h>

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
extern const struct vfs_backend vfs_overlay_backend __attribute__((visibility("hidden")));

/* The backend of a mount, by its kind. */
static inline const struct vfs_backend *vfs_backend_of(const struct mount_spec *m)
{
	switch (m->kind) {
	case MOUNT_BIND:
		return &vfs_bind_backend;
	case MOUNT_OVERLAY:
		return &vfs_overlay_backend;
	case MOUNT_TMPFS:  /* never in a started view: made binds first */
	case MOUNT_TMP_OVERLAY:
		break;
	}
	return &vfs_bind_backend;
}

/* Is P (LEN bytes) BASE (BL bytes) itself or a path below it? */
static inline bool vfs_path_under(const char *base, size_t bl, const char *p, size_t len)
{
	return bl <= len && mmemeq(base, p, bl) && (bl == len || p[bl] == '/' || bl == 1);
}

static inline bool vfs_is_overlay(const struct mount_spec *m)
{
	return m && m->kind == MOUNT_OVERLAY;
}

/* ---- what the overlay does beyond host_path (vfs/overlay/) ----
 * REST (LEN bytes) is a path below the overlay's DEST, as in host_path. */
struct ovl_look {
	int layer;       /* the topmost layer that has it: 0 UPPER, 1... the lowers; -1 none */
	bool whiteout;   /* a whiteout hides it */
	bool blocked;    /* a non-directory is in the way (ENOTDIR) */
	bool is_dir;
	bool in_lower;   /* a lower layer has the name (removing it leaves a whiteout) */
	uint32_t layers; /* a directory: the layers it is made of */
};
/* A directory in more than one layer (its nlink is 1, as the kernel's)? */
static inline bool ovl_merged(const struct ovl_look *lk)
{
	return lk->layers & (lk->layers - 1);
}
/* On a copied-up file: the inode number of the lower file it came from
 * (8 bytes), which stat reports for it. */
#define OVL_ORIGIN_XATTR "user.vfsrun.origin"
/* The lookup; full: also what the layers below the winner hold. */
long ovl_lookup(const struct mount_spec *m, const char *rest, size_t len, bool full, struct ovl_look *lk,
		char *host, size_t hostlen) __attribute__((visibility("hidden")));
/* host_path for REST when its first BASE_LEN bytes are a directory made
 * of the layers BASE_LAYERS (found by the walk so far, or kept for an
 * overlay directory fd: CHECK_BASE, then UPPER's part is looked for
 * again): the lookup starts there.  DIR_LAYERS (if not NULL): the layers
 * of REST if it is a directory, else 0. */
long ovl_host_path_from(const struct mount_spec *m, const char *rest, size_t len, size_t base_len,
			uint32_t base_layers, bool check_base, char *out, size_t outlen, uint32_t *dir_layers)
	__attribute__((visibility("hidden")));
/* Must the listing of a one-layer directory (LAYERS, open as FD) hide
 * xattr whiteouts?  Only in UPPER (see overlay.c). */
bool ovl_upper_has_xwhiteouts(uint32_t layers, int fd) __attribute__((visibility("hidden")));
/* The view's overlay generation: bumped after every change an overlay
 * makes, by any process of the view. */
uint64_t ovl_generation(void) __attribute__((visibility("hidden")));
/* LAYERS, kept for the directory REST, if still right (0: look again). */
uint32_t ovl_check_layers(const struct mount_spec *m, const char *rest, size_t len, uint32_t layers)
	__attribute__((visibility("hidden")));
/* The layers of directory REST if a lookup found them since the last
 * change (0: not known). */
uint32_t ovl_known_dir_layers(const struct mount_spec *m, const char *rest, size_t len)
	__attribute__((visibility("hidden")));
/* The layers of directory REST (its caller found it a directory) if its
 * parent is remembered as one layer's: only that layer can have it
 * (remembered too, as a lookup would); else 0. */
uint32_t ovl_dir_layers_by_parent(const struct mount_spec *m, const char *rest, size_t len)
	__attribute__((visibility("hidden")));
/* The layers of DEST itself. */
uint32_t ovl_root_layers(const struct mount_spec *m) __attribute__((visibility("hidden")));
/* REST's path in UPPER; its length or -errno. */
long ovl_upper_path(const struct mount_spec *m, const char *rest, size_t len, char *out, size_t outlen)
	__attribute__((visibility("hidden")));
/* Is HOST (LEN bytes) in M's UPPER? */
bool ovl_in_upper(const struct mount_spec *m, const char *host, size_t len) __attribute__((visibility("hidden")));
/* Before a change to the object: it (and its directories) in UPPER. */
/* After the kernel made a name in UPPER (which ovl_prepare_create made
 * ready): what processes remember of the overlay is out of date. */
void ovl_changed(void) __attribute__((visibility("hidden")));
long ovl_copy_up(const struct mount_spec *m, const char *rest, size_t len)
	__attribute__((visibility("hidden")));
/* Before a new name is made: 1 if it exists; else 0 once its directory is
 * in UPPER and a whiteout at the name is gone (*was_whiteout). */
long ovl_prepare_create(const struct mount_spec *m, const char *rest, size_t len, bool *was_whiteout)
	__attribute__((visibility("hidden")));
long ovl_mark_opaque(const struct mount_spec *m, const char *rest, size_t len)
	__attribute__((visibility("hidden")));
/* unlink (dir false) and rmdir, rename: 0 or -errno */
long ovl_remove(const struct mount_spec *m, const char *rest, size_t len, bool dir)
	__attribute__((visibility("hidden")));
long ovl_rename(const struct mount_spec *m, const char *a, size_t alen, const char *b, size_t blen,
		unsigned flags) __attribute__((visibility("hidden")));
/* The merged listing of a directory (dirent64 records, d_off the byte
 * offset of the next), with the mount points at NODE's children; LAYERS
 * (if not NULL): in, those known for it (or 0), out, those it has. */
long ovl_list(const struct mount_spec *m, const char *rest, size_t len, const struct mount_node *node,
	      char **out, size_t *out_len, uint32_t *layers) __attribute__((visibility("hidden")));

#endif
