/* The router: which syscalls the view handles, and how.
 *
 * Every path-taking syscall is described by a route (where its dirfd, path
 * and flags are, whether it follows a final symlink, whether it writes).
 * A prefilter lets through at once, untouched, what no mount can change:
 * an absolute path whose first component leads nowhere near a mount, or a
 * plain name under a directory inside a mount.  Everything else goes to a
 * handler, which resolves the path(s) in the view (resolve.c), applies
 * the view's rules (EROFS in read-only mounts, EXDEV across mounts, EBUSY
 * on mount points) and runs the syscall on the host path.
 *
 * Syscalls that take paths and are not translated are refused (see
 * refused[] below and the README). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "vfs_internal.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#define SYS_setxattrat 463
#define SYS_getxattrat 464
#define SYS_listxattrat 465
#define SYS_removexattrat 466
#define SYS_open_tree_attr 467
#define SYS_file_getattr 468
#define SYS_file_setattr 469

enum follow {
	F_ALWAYS,       /* the final symlink is followed */
	F_NEVER,        /* it is not */
	F_UNLESS_FLAG,  /* followed unless AT_SYMLINK_NOFOLLOW */
	F_IF_FLAG,      /* followed only with AT_SYMLINK_FOLLOW (linkat) */
	F_OPEN,         /* open flags decide (O_NOFOLLOW, O_CREAT|O_EXCL) */
	F_INOTIFY,      /* unless IN_DONT_FOLLOW */
	F_FANOTIFY,     /* unless FAN_MARK_DONT_FOLLOW */
};

enum write {
	W_NO,
	W_YES,          /* changes the file system */
	W_OPEN,         /* open flags decide */
	W_ACCESS,       /* W_OK in the mode */
};

struct route {
	long nr;
	int8_t dirfd, path, flags;   /* argument indexes, -1 when absent */
	int8_t dirfd2, path2;        /* a second path (rename, link) */
	uint8_t follow, write;
	bool empty_ok;               /* AT_EMPTY_PATH allowed */
	bool null_ok;                /* a NULL path means the fd itself */
	bool busy;                   /* EBUSY on a mount point */
	lp_handler special;
};

static lp_action handle_path(lp_ctx *c, void *data);
static lp_action handle_open(lp_ctx *c, void *data);
static lp_action handle_readlink(lp_ctx *c, void *data);
static lp_action handle_chdir(lp_ctx *c, void *data);
static lp_action handle_exec(lp_ctx *c, void *data);

#define R(nr_, dfd, p, fl, fol, wr, ...) \
	{ .nr = nr_, .dirfd = dfd, .path = p, .flags = fl, .dirfd2 = -1, .path2 = -1, \
	  .follow = fol, .write = wr, __VA_ARGS__ }
/* two paths: (dfd, p) and (dfd2, p2) */
#define R2(nr_, dfd, p, dfd2_, p2_, fl, fol, wr, ...) \
	{ .nr = nr_, .dirfd = dfd, .path = p, .flags = fl, .dirfd2 = dfd2_, .path2 = p2_, \
	  .follow = fol, .write = wr, __VA_ARGS__ }

static const struct route routes[] = {
	R(SYS_open, -1, 0, 1, F_OPEN, W_OPEN, .special = handle_open),
	R(SYS_creat, -1, 0, -1, F_ALWAYS, W_YES, .special = handle_open),
	R(SYS_openat, 0, 1, 2, F_OPEN, W_OPEN, .special = handle_open),
	R(SYS_openat2, 0, 1, -1, F_OPEN, W_OPEN, .special = handle_open),
	R(SYS_stat, -1, 0, -1, F_ALWAYS, W_NO),
	R(SYS_lstat, -1, 0, -1, F_NEVER, W_NO),
	R(SYS_newfstatat, 0, 1, 3, F_UNLESS_FLAG, W_NO, .empty_ok = true),
	R(SYS_statx, 0, 1, 2, F_UNLESS_FLAG, W_NO, .empty_ok = true),
	R(SYS_access, -1, 0, -1, F_ALWAYS, W_ACCESS),
	R(SYS_faccessat, 0, 1, -1, F_ALWAYS, W_ACCESS),
	R(SYS_faccessat2, 0, 1, 3, F_UNLESS_FLAG, W_ACCESS, .empty_ok = true),
	R(SYS_readlink, -1, 0, -1, F_NEVER, W_NO, .special = handle_readlink),
	R(SYS_readlinkat, 0, 1, -1, F_NEVER, W_NO, .empty_ok = true, .special = handle_readlink),
	R(SYS_chdir, -1, 0, -1, F_ALWAYS, W_NO, .special = handle_chdir),
	R(SYS_mkdir, -1, 0, -1, F_NEVER, W_YES),
	R(SYS_mkdirat, 0, 1, -1, F_NEVER, W_YES),
	R(SYS_mknod, -1, 0, -1, F_NEVER, W_YES),
	R(SYS_mknodat, 0, 1, -1, F_NEVER, W_YES),
	R(SYS_rmdir, -1, 0, -1, F_NEVER, W_YES, .busy = true),
	R(SYS_unlink, -1, 0, -1, F_NEVER, W_YES, .busy = true),
	R(SYS_unlinkat, 0, 1, -1, F_NEVER, W_YES, .busy = true),
	R2(SYS_rename, -1, 0, -1, 1, -1, F_NEVER, W_YES, .busy = true),
	R2(SYS_renameat, 0, 1, 2, 3, -1, F_NEVER, W_YES, .busy = true),
	R2(SYS_renameat2, 0, 1, 2, 3, -1, F_NEVER, W_YES, .busy = true),
	R2(SYS_link, -1, 0, -1, 1, -1, F_NEVER, W_YES),
	R2(SYS_linkat, 0, 1, 2, 3, 4, F_IF_FLAG, W_YES, .empty_ok = true),
	R(SYS_symlink, -1, 1, -1, F_NEVER, W_YES),
	R(SYS_symlinkat, 1, 2, -1, F_NEVER, W_YES),
	R(SYS_chmod, -1, 0, -1, F_ALWAYS, W_YES),
	R(SYS_fchmodat, 0, 1, -1, F_ALWAYS, W_YES),
	R(SYS_fchmodat2, 0, 1, 3, F_UNLESS_FLAG, W_YES, .empty_ok = true),
	R(SYS_chown, -1, 0, -1, F_ALWAYS, W_YES),
	R(SYS_lchown, -1, 0, -1, F_NEVER, W_YES),
	R(SYS_fchownat, 0, 1, 4, F_UNLESS_FLAG, W_YES, .empty_ok = true),
	R(SYS_truncate, -1, 0, -1, F_ALWAYS, W_YES),
	R(SYS_utime, -1, 0, -1, F_ALWAYS, W_YES),
	R(SYS_utimes, -1, 0, -1, F_ALWAYS, W_YES),
	R(SYS_futimesat, 0, 1, -1, F_ALWAYS, W_YES, .null_ok = true),
	R(SYS_utimensat, 0, 1, 3, F_UNLESS_FLAG, W_YES, .empty_ok = true, .null_ok = true),
	R(SYS_statfs, -1, 0, -1, F_ALWAYS, W_NO),
	R(SYS_setxattr, -1, 0, -1, F_ALWAYS, W_YES),
	R(SYS_lsetxattr, -1, 0, -1, F_NEVER, W_YES),
	R(SYS_getxattr, -1, 0, -1, F_ALWAYS, W_NO),
	R(SYS_lgetxattr, -1, 0, -1, F_NEVER, W_NO),
	R(SYS_listxattr, -1, 0, -1, F_ALWAYS, W_NO),
	R(SYS_llistxattr, -1, 0, -1, F_NEVER, W_NO),
	R(SYS_removexattr, -1, 0, -1, F_ALWAYS, W_YES),
	R(SYS_lremovexattr, -1, 0, -1, F_NEVER, W_YES),
	R(SYS_setxattrat, 0, 1, 2, F_UNLESS_FLAG, W_YES, .empty_ok = true),
	R(SYS_getxattrat, 0, 1, 2, F_UNLESS_FLAG, W_NO, .empty_ok = true),
	R(SYS_listxattrat, 0, 1, 2, F_UNLESS_FLAG, W_NO, .empty_ok = true),
	R(SYS_removexattrat, 0, 1, 2, F_UNLESS_FLAG, W_YES, .empty_ok = true),
	R(SYS_file_getattr, 0, 1, 4, F_UNLESS_FLAG, W_NO, .empty_ok = true),
	R(SYS_file_setattr, 0, 1, 4, F_UNLESS_FLAG, W_YES, .empty_ok = true),
	R(SYS_execve, -1, 0, -1, F_ALWAYS, W_NO, .special = handle_exec),
	R(SYS_execveat, 0, 1, 4, F_UNLESS_FLAG, W_NO, .empty_ok = true, .special = handle_exec),
	R(SYS_inotify_add_watch, -1, 1, 2, F_INOTIFY, W_NO),
	R(SYS_name_to_handle_at, 0, 1, 4, F_IF_FLAG, W_NO, .empty_ok = true),
	R(SYS_fanotify_mark, 3, 4, 1, F_FANOTIFY, W_NO, .null_ok = true),
};

/* Path-taking syscalls the view does not translate: refused, never
 * passed to the host with a path the program meant in the view. */
static const struct {
	long nr;
	int err;
} refused[] = {
	{ SYS_pivot_root, EPERM }, { SYS_mount, EPERM },
	{ SYS_umount2, EPERM },     { SYS_swapon, EPERM },     { SYS_swapoff, EPERM },
	{ SYS_acct, EPERM },        { SYS_quotactl, EPERM },   { SYS_uselib, ENOSYS },
	/* io_uring runs path operations (IORING_OP_OPENAT...) in the kernel, out
	 * of the view's reach: programs fall back to syscalls on ENOSYS */
	{ SYS_io_uring_setup, ENOSYS },
	{ SYS_open_tree, EPERM },   { SYS_move_mount, EPERM }, { SYS_fspick, EPERM },
	{ SYS_mount_setattr, EPERM }, { SYS_open_tree_attr, EPERM }, { SYS_fsconfig, EPERM },
};

#define VFS_NR_MAX 512
static const struct route *route_of[VFS_NR_MAX] VFS_OWN_PAGE;

/* ---- helpers ---- */

static uint8_t kind_of_fd(long fd);

static unsigned resolve_flags(const struct route *rt, const lp_ctx *c, bool second)
{
	long fl = rt->flags >= 0 ? c->args[rt->flags] : 0;
	unsigned f = 0;
	switch (second ? F_NEVER : rt->follow) {
	case F_ALWAYS:
		f = VR_FOLLOW;
		break;
	case F_UNLESS_FLAG:
		f = (fl & AT_SYMLINK_NOFOLLOW) ? 0 : VR_FOLLOW;
		break;
	case F_IF_FLAG:
		f = (fl & AT_SYMLINK_FOLLOW) ? VR_FOLLOW : 0;
		break;
	case F_OPEN:
		f = ((fl & O_NOFOLLOW) || (fl & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) ? 0 : VR_FOLLOW;
		break;
	case F_INOTIFY:
		f = (fl & 0x02000000) ? 0 : VR_FOLLOW;  /* IN_DONT_FOLLOW */
		break;
	case F_FANOTIFY:
		f = (fl & 0x04) ? 0 : VR_FOLLOW;  /* FAN_MARK_DONT_FOLLOW */
		break;
	}
	if (!second && rt->empty_ok && (fl & AT_EMPTY_PATH))
		f |= VR_EMPTY_OK;
	if (!second && rt->nr == SYS_readlinkat)
		f |= VR_EMPTY_OK;
	return f;
}

static bool open_writes(long flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) ||
	       (flags & __O_TMPFILE) == __O_TMPFILE;
}

static bool writes(const struct route *rt, const lp_ctx *c)
{
	switch (rt->write) {
	case W_YES:
		return true;
	case W_OPEN:
		return open_writes(rt->flags >= 0 ? c->args[rt->flags] : 0);
	case W_ACCESS:
		return (c->args[rt->path + 1] & W_OK) != 0;
	}
	return false;
}

static bool is_mount_point(const struct vfs_path *p)
{
	return p->mount && p->mount->dest_len == p->view_len;
}

static bool read_only(const struct vfs_path *p)
{
	return p->mount && (p->mount->flags & MOUNT_RO);
}

/* Whether the view has a read-only mount at all (mounts are fixed once
 * the view started; a handful). */
static bool any_read_only(void)
{
	for (int i = 0; i < vfs.mounts.n; i++)
		if (vfs.mounts.v[i].flags & MOUNT_RO)
			return true;
	return false;
}

static uint64_t fake_ino(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h | 1;
}

/* How many directories a directory has that only the view adds: its
 * mount points (or their ancestors) that the host lacks.  They count in
 * its link count, as the directories a kernel mount needs would. */
static unsigned long view_subdirs(const struct vfs_path *p)
{
	unsigned long n = 0;
	const char *name;
	size_t len;
	for (int i = 0; (name = mount_node_child(p->node, i, &len)); i++) {
		const struct mount_spec *m = mount_node_mount(mount_node_find(p->node, name, len));
		if (m && !vfs_backend_of(m)->is_dir(m))
			continue;  /* a file mounted on a file */
		struct stat st;
		if (!p->synthetic) {
			char host[VFS_PATH_MAX + 256];
			if (p->host_len + 1 + len + 1 > sizeof host)
				continue;
			memcpy(host, p->host, p->host_len);
			size_t k = p->host_len;
			if (k > 1 || host[0] != '/')
				host[k++] = '/';
			memcpy(host + k, name, len);
			host[k + len] = 0;
			if (sys(SYS_newfstatat, AT_FDCWD, (long)host, (long)&st, AT_SYMLINK_NOFOLLOW, 0, 0) == 0)
				continue;  /* the host has it: counted already */
		}
		n++;
	}
	return n;
}

/* stat of a directory only the view has */
static void fake_stat(const struct vfs_path *p, struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_dev = 0x2a;
	st->st_ino = fake_ino(p->view, p->view_len);
	st->st_mode = S_IFDIR | 0755;
	st->st_nlink = 2 + view_subdirs(p);
	st->st_blksize = 4096;
	st->st_size = 4096;
	st->st_blocks = 8;
}

/* The stat buffer of syscall nr, and whether it is a struct statx. */
static void *stat_buffer(const lp_ctx *c, bool *is_statx)
{
	*is_statx = c->nr == SYS_statx;
	switch (c->nr) {
	case SYS_stat:
	case SYS_lstat:
	case SYS_fstat:
		return (void *)c->args[1];
	case SYS_newfstatat:
		return (void *)c->args[2];
	case SYS_statx:
		return (void *)c->args[4];
	}
	return NULL;
}

/* The mode in the program's stat or statx buffer: 0, or -EFAULT. */
static int stat_mode(const void *buf, bool is_statx, uint32_t *mode)
{
	*mode = 0;
	if (!is_statx)
		return lp_copy_from_user(mode, (const char *)buf + offsetof(struct stat, st_mode), sizeof(mode_t)) ? -EFAULT : 0;
	uint16_t m16;
	if (lp_copy_from_user(&m16, (const char *)buf + offsetof(struct statx, stx_mode), sizeof m16))
		return -EFAULT;
	*mode = m16;
	return 0;
}

static long put_fake_stat(lp_ctx *c, const struct vfs_path *p)
{
	struct stat st;
	bool is_statx;
	void *buf = stat_buffer(c, &is_statx);
	fake_stat(p, &st);
	if (!is_statx)
		return lp_copy_to_user(buf, &st, sizeof st);
	struct statx sx;
	memset(&sx, 0, sizeof sx);
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = 4096;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_mode = S_IFDIR | 0755;
	sx.stx_ino = st.st_ino;
	sx.stx_size = 4096;
	sx.stx_blocks = 8;
	sx.stx_dev_minor = 0x2a;
	return lp_copy_to_user(buf, &sx, sizeof sx);
}

/* After a stat of a real directory holding mount points: count the
 * directories the view adds. */
static void add_view_subdirs(const lp_ctx *c, const struct vfs_path *p)
{
	bool is_statx;
	void *buf = stat_buffer(c, &is_statx);
	if (!buf || !mount_node_has_children(p->node))
		return;
	unsigned long extra = view_subdirs(p);
	if (!extra)
		return;
	if (is_statx) {
		struct statx *sx = buf;
		uint16_t mode;
		uint32_t nlink;
		if (!lp_copy_from_user(&mode, &sx->stx_mode, sizeof mode) && S_ISDIR(mode) &&
		    !lp_copy_from_user(&nlink, &sx->stx_nlink, sizeof nlink)) {
			nlink += (uint32_t)extra;
			lp_copy_to_user(&sx->stx_nlink, &nlink, sizeof nlink);
		}
	} else {
		struct stat *st = buf;
		mode_t mode;
		nlink_t nlink;
		if (!lp_copy_from_user(&mode, &st->st_mode, sizeof mode) && S_ISDIR(mode) &&
		    !lp_copy_from_user(&nlink, &st->st_nlink, sizeof nlink)) {
			nlink += extra;
			lp_copy_to_user(&st->st_nlink, &nlink, sizeof nlink);
		}
	}
}

/* What changing a directory only the view has gives: it shows as root's
 * and 0755, so others are refused as the kernel would refuse them, and
 * root learns that it is read-only. */
static int synthetic_denied(long nr)
{
	if (vfs_privileged())
		return EROFS;
	switch (nr) {
	case SYS_chmod:
	case SYS_fchmod:
	case SYS_fchown:
	case SYS_fchmodat:
	case SYS_fchmodat2:
	case SYS_chown:
	case SYS_lchown:
	case SYS_fchownat:
		return EPERM;
	}
	return EACCES;
}

/* ---- the fd table, seen from the handlers ---- */

static uint8_t raw_kind_of_fd(long fd);

/* How paths relative to fd are handled (FD_OVL_DIR is FD_SPECIAL but
 * for getdents64). */
static uint8_t handled_kind(uint8_t k)
{
	return k == FD_OVL_DIR || k == FD_OVL_LOWER ? FD_SPECIAL : k;
}

static uint8_t kind_of_fd(long fd)
{
	return handled_kind(raw_kind_of_fd(fd));
}

/* Are the FD_OVL_LOWER kinds still right: has no overlay changed since
 * they were checked?  (Read without the lock, as the kind bytes are.) */
static bool ovl_lower_current(void)
{
	return __atomic_load_n(&vfs_proc()->ovl_lower_gen, __ATOMIC_ACQUIRE) == ovl_generation();
}

static void ovl_lower_refresh(void);

/* In a prefilter: is an fd of kind byte RAW a directory whose plain names
 * the kernel may look up itself (FD_OVL_LOWER, still right)? */
static bool lower_dir(uint8_t raw)
{
	return raw == FD_OVL_LOWER && ovl_lower_current();
}

/* In a handler: the FD_OVL_LOWER kinds brought up to date if an overlay
 * changed since they were checked; are they right now? */
static bool ovl_lower_checked(void)
{
	if (!ovl_lower_current())
		ovl_lower_refresh();
	return ovl_lower_current();
}

/* In a handler: lower_dir, checked again first if out of date. */
static bool lower_dir_fd(long fd)
{
	/* the kind byte read again: the check may have demoted it */
	return raw_kind_of_fd(fd) == FD_OVL_LOWER && ovl_lower_checked() && raw_kind_of_fd(fd) == FD_OVL_LOWER;
}

/* A plain name: one component, not "." or "..", shorter than CAP - 1 (a
 * longer one was cut: the handler's). */
static bool plain_name(const char *s, long n, size_t cap)
{
	if (n <= 0 || (size_t)n >= cap - 1 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (long i = 0; i < n; i++)
		if (s[i] == '/')
			return false;
	return true;
}

/* After a change in an overlay: every FD_OVL_LOWER fd checked again (UPPER
 * may have got its directory: a copy-up, a new name), the ones no longer
 * of one lower layer made FD_OVL_DIR (their listing stays the kernel's
 * until rewound, as FD_OVL_DIR's). */
static void ovl_lower_refresh(void)
{
	struct vfs_proc *pr = vfs_proc_mut();
	uint64_t gen = ovl_generation();  /* before looking: a change meanwhile bumps it */
	vfs_proc_lock(pr);
	for (struct vfs_fd *f = pr->fds; f; f = f->hh.next) {
		if (f->fd < 0 || f->fd >= VFS_MAX_FD || pr->kind[f->fd] != FD_OVL_LOWER)
			continue;
		size_t vn = strlen(f->view);
		struct mount_hit hit;
		mount_lookup(&vfs.table, f->view, vn, &hit);
		uint32_t l = f->ovl_layers;
		if (!vfs_is_overlay(hit.mount) || !l || (l & 1) || (l & (l - 1)) ||
		    ovl_check_layers(hit.mount, f->view + hit.mount_len, vn - hit.mount_len, l) != l)
			vfs_fd_kind_set(pr, f, FD_OVL_DIR);
	}
	__atomic_store_n(&pr->ovl_lower_gen, gen, __ATOMIC_RELEASE);
	vfs_proc_unlock(pr);
}

/* What the table knows of an fd, copied out under the lock. */
struct fd_info {
	uint8_t kind;
	bool synthetic, listed_host, has_listing, ovl_one_layer;
	uint32_t ovl_layers;
	int listed_extra;
	size_t view_len;
	char view[VFS_PATH_MAX];
};

/* False when the view does not track fd. */
static bool fd_info(long fd, struct fd_info *out)
{
	struct vfs_proc *pr = vfs_proc();
	vfs_proc_lock(pr);
	const struct vfs_fd *f = fd >= 0 && fd <= INT32_MAX ? vfs_fd_get(pr, (int)fd) : NULL;
	if (f) {
		out->kind = handled_kind(f->kind);
		out->synthetic = f->synthetic;
		out->listed_host = f->listed_host;
		out->listed_extra = f->listed_extra;
		out->has_listing = f->listing != NULL;
		out->ovl_layers = f->ovl_layers;
		out->ovl_one_layer = f->ovl_one_layer;
		out->view_len = strlen(f->view);
		memcpy(out->view, f->view, out->view_len + 1);
	}
	vfs_proc_unlock(pr);
	return f != NULL;
}

/* Where a listing of fd has got to (getdents, lseek). */
static void set_listing(int fd, bool host_done, int pos)
{
	struct vfs_proc *pr = vfs_proc_mut();
	vfs_proc_lock(pr);
	struct vfs_fd *f = vfs_fd_get(pr, fd);
	if (f) {
		f->listed_host = host_done;
		f->listed_extra = pos;
	}
	vfs_proc_unlock(pr);
}

/* A change made through an fd (fchmod, fsetxattr, utimensat on the fd
 * itself...): the kernel would refuse it on a read-only mount, and a
 * directory only the view has cannot be changed.  The errno, or 0. */
static int fd_write_denied(long fd, long nr)
{
	uint8_t k = kind_of_fd(fd);
	if (k == FD_PLAIN_RO)
		return EROFS;
	if (k != FD_SPECIAL)
		return 0;
	struct fd_info fi;
	if (fd == AT_FDCWD) {
		struct vfs_proc *pr = vfs_proc();
		fi.synthetic = pr->cwd_synthetic;
		memcpy(fi.view, pr->cwd, pr->cwd_len + 1);
	} else if (!fd_info(fd, &fi)) {
		return 0;  /* not one of ours: the kernel answers */
	}
	if (fi.synthetic)
		return synthetic_denied(nr);
	if (!any_read_only())
		return 0;  /* without resolving it (an fstatfs per directory of a find) */
	struct vfs_path p;
	if (vfs_resolve(AT_FDCWD, fi.view, 0, &p) == 0 && read_only(&p))
		return EROFS;
	return 0;
}

/* statfs of a read-only mount says so, as the kernel's does (ST_RDONLY). */
static void statfs_mark_ro(void *user_buf)
{
	char *f = (char *)user_buf + offsetof(struct statfs, f_flags);
	long flags;
	if (lp_copy_from_user(&flags, f, sizeof flags) == 0) {
		flags |= ST_RDONLY;
		lp_copy_to_user(f, &flags, sizeof flags);
	}
}

/* fstatfs of an fd in a read-only mount */
static lp_action handle_fstatfs(lp_ctx *c, void *data)
{
	(void)data;
	long r = lp_ctx_exec(c);
	if (r == 0 && fd_write_denied(c->args[0], SYS_fchmod) == EROFS)
		statfs_mark_ro((void *)c->args[1]);
	return lp_return(r);
}

static long ovl_fd_write(lp_ctx *c, const struct route *rt, long fd);

/* A change through FD itself (ROUTE: its *at form, or NULL): refused
 * where the kernel would refuse it, made on the copy in an overlay's
 * UPPER when FD is open on a lower file, else the kernel's. */
static lp_action change_through_fd(lp_ctx *c, const struct route *rt, long fd)
{
	int e = fd_write_denied(fd, c->nr);
	if (e)
		return lp_block(e);
	if (kind_of_fd(fd) == FD_SPECIAL) {
		long r = ovl_fd_write(c, rt, fd);
		if (r != 1)
			return lp_return(r);
	}
	return lp_continue();
}

/* fchmod, fchown, fsetxattr, fremovexattr: changes through an fd */
static lp_action handle_fd_write(lp_ctx *c, void *data)
{
	(void)data;
	return change_through_fd(c, NULL, c->args[0]);
}

/* The mount a name is in: a mount point itself belongs to its parent's. */
static const struct mount_spec *containing_mount(const struct vfs_path *p)
{
	if (!is_mount_point(p))
		return p->mount;
	size_t n = p->view_len;
	while (n > 1 && p->view[n - 1] != '/')
		n--;
	if (n > 1)
		n--;
	struct mount_hit hit;
	mount_lookup(&vfs.table, p->view, n, &hit);
	return hit.mount;
}

/* ---- overlays ---- */

static const char *ovl_rest(const struct vfs_path *p, const struct mount_spec *m, size_t *len)
{
	*len = p->view_len - mount_rest_at(m);
	return p->view + mount_rest_at(m);
}

/* P's path in the overlay's UPPER, into p->host. */
static long ovl_to_upper(struct vfs_path *p, const struct mount_spec *m)
{
	size_t len;
	const char *rest = ovl_rest(p, m, &len);
	long n = ovl_upper_path(m, rest, len, p->host, sizeof p->host);
	if (n < 0)
		return n;
	p->host_len = (size_t)n;
	return 0;
}

/* Who may change a lower object, checked before it is copied up, as the
 * kernel checks it on the overlay's inode: the owner (chmod, chown,
 * xattrs, set times), or one with write access (truncate, times = now). */
static long ovl_may_modify(const lp_ctx *c, const char *host)
{
	if (vfs_privileged())
		return 0;
	struct stat st;
	long r = sys(SYS_lstat, (long)host, (long)&st, 0, 0, 0, 0);
	if (r < 0)
		return r;
	bool owner = st.st_uid == (uid_t)sys(SYS_geteuid, 0, 0, 0, 0, 0, 0);
	bool writable = sys(SYS_faccessat2, AT_FDCWD, (long)host, W_OK, AT_EACCESS, 0, 0) == 0;
	switch (c->nr) {
	case SYS_truncate:
		return writable ? 0 : -EACCES;
	case SYS_utime:
	case SYS_utimes:
	case SYS_futimesat:
	case SYS_utimensat: {
		int ti = c->nr == SYS_utimensat || c->nr == SYS_futimesat ? 2 : 1;
		bool now = !c->args[ti];
		if (!now && c->nr == SYS_utimensat) {
			struct timespec ts[2];
			now = !lp_copy_from_user(ts, (void *)c->args[ti], sizeof ts) && ts[0].tv_nsec == UTIME_NOW &&
			      ts[1].tv_nsec == UTIME_NOW;
		}
		if (owner || (now && writable))
			return 0;
		return now ? -EACCES : -EPERM;
	}
	}
	return owner ? 0 : -EPERM;
}

/* A name about to be made in an overlay: its directory made in UPPER, a
 * whiteout of it removed, P's host path its path there; 1 if it exists. */
static long ovl_make_ready(const struct mount_spec *m, struct vfs_path *p, bool *was_whiteout)
{
	size_t len;
	const char *rest = ovl_rest(p, m, &len);
	long r = ovl_prepare_create(m, rest, len, was_whiteout);
	return r ? r : ovl_to_upper(p, m);
}

/* A change to the tree inside an overlay: the overlay makes it in UPPER
 * (copy-up, whiteouts); the result, or -errno. */
static long ovl_write(lp_ctx *c, const struct route *rt, struct vfs_path *p, struct vfs_path *q)
{
	const struct mount_spec *m = rt->busy ? containing_mount(p) : p->mount;
	size_t len, qlen;
	const char *rest = ovl_rest(p, m, &len);
	long r;
	bool was_whiteout = false, creates = false;
	switch (rt->nr) {
	case SYS_unlink:
		return ovl_remove(m, rest, len, false);
	case SYS_rmdir:
		return ovl_remove(m, rest, len, true);
	case SYS_unlinkat:
		if (c->args[2] & ~(long)AT_REMOVEDIR)
			return -EINVAL;
		return ovl_remove(m, rest, len, c->args[2] & AT_REMOVEDIR);
	case SYS_rename:
	case SYS_renameat:
	case SYS_renameat2: {
		const char *qrest = ovl_rest(q, m, &qlen);
		return ovl_rename(m, rest, len, qrest, qlen, rt->nr == SYS_renameat2 ? (unsigned)c->args[4] : 0);
	}
	case SYS_mkdir:
	case SYS_mkdirat:
	case SYS_mknod:
	case SYS_mknodat:
	case SYS_symlink:
	case SYS_symlinkat:
		r = ovl_make_ready(m, p, &was_whiteout);
		if (r == 1)
			return -EEXIST;
		if (r < 0)
			return r;
		creates = true;
		break;
	case SYS_link:
	case SYS_linkat: {
		struct stat st;
		if (sys(SYS_lstat, (long)p->host, (long)&st, 0, 0, 0, 0) == 0 && !S_ISDIR(st.st_mode)) {
			if ((r = ovl_copy_up(m, rest, len)) < 0)
				return r;
			if ((r = ovl_to_upper(p, m)) < 0)
				return r;
		}
		r = ovl_make_ready(m, q, &was_whiteout);
		if (r == 1)
			return -EEXIST;
		if (r < 0)
			return r;
		was_whiteout = false;
		creates = true;
		break;
	}
	default: {  /* a change to the object itself */
		struct ovl_look lk;
		char host[VFS_PATH_MAX];
		if ((r = ovl_lookup(m, rest, len, false, &lk, host, sizeof host)) < 0)
			return r;
		if (lk.layer > 0) {
			if ((r = ovl_may_modify(c, host)) < 0)
				return r;
			if ((r = ovl_copy_up(m, rest, len)) < 0)
				return r;
		}
		if (lk.layer >= 0 && (r = ovl_to_upper(p, m)) < 0)
			return r;
	}
	}
	if (rt->dirfd >= 0)
		c->args[rt->dirfd] = AT_FDCWD;
	c->args[rt->path] = (long)p->host;
	if (rt->path2 >= 0) {
		if (rt->dirfd2 >= 0)
			c->args[rt->dirfd2] = AT_FDCWD;
		c->args[rt->path2] = (long)q->host;
	}
	r = lp_ctx_exec(c);
	if (r == 0 && was_whiteout && (rt->nr == SYS_mkdir || rt->nr == SYS_mkdirat))
		ovl_mark_opaque(m, rest, len);  /* the lower directory stays hidden */
	if (r == 0 && creates)
		ovl_changed();
	return r;
}

/* A copied-up file keeps the inode number of its lower file (as with the
 * kernel's overlayfs on one file system): HOST is its path, or NULL and
 * FD an fd on it. */
static void ovl_fix_ino(void *buf, bool is_statx, const char *host, long fd)
{
	uint64_t origin;
	long n = host ? sys(SYS_lgetxattr, (long)host, (long)OVL_ORIGIN_XATTR, (long)&origin, sizeof origin, 0, 0)
		      : sys(SYS_fgetxattr, fd, (long)OVL_ORIGIN_XATTR, (long)&origin, sizeof origin, 0, 0);
	if (n != sizeof origin)
		return;
	if (is_statx)
		lp_copy_to_user((char *)buf + offsetof(struct statx, stx_ino), &origin, sizeof origin);
	else
		lp_copy_to_user((char *)buf + offsetof(struct stat, st_ino), &origin, sizeof origin);
}

/* What stat says of an overlay's files, fixed as the kernel's overlayfs
 * says it: a merged directory's link count is 1 (counting its
 * subdirectories would mean listing every layer), a copied-up file has
 * its lower file's inode number.  HOST: the file's host path, or NULL
 * and FD. */
static void ovl_fix_stat(const lp_ctx *c, const struct mount_spec *m, const char *view, size_t vlen,
			 const char *host_path, size_t host_len, long fd, uint32_t known_layers)
{
	bool is_statx;
	void *buf = stat_buffer(c, &is_statx);
	if (!buf || !vfs_is_overlay(m))
		return;
	uint32_t mode;
	if (stat_mode(buf, is_statx, &mode) < 0)
		return;
	if (S_ISREG(mode)) {
		if (host_path && !ovl_in_upper(m, host_path, host_len))
			return;  /* a lower layer's own file */
		ovl_fix_ino(buf, is_statx, host_path, fd);
		return;
	}
	if (!S_ISDIR(mode))
		return;
	size_t at = mount_rest_at(m);
	uint32_t layers = ovl_check_layers(m, view + at, vlen - at, known_layers);
	if (!layers)  /* in a directory of one layer: that layer's, no lstat */
		layers = ovl_dir_layers_by_parent(m, view + at, vlen - at);
	if (!layers) {
		struct ovl_look lk;
		char host[VFS_PATH_MAX];
		if (ovl_lookup(m, view + at, vlen - at, false, &lk, host, sizeof host) < 0)
			return;
		layers = lk.layers;
	}
	if (!(layers & (layers - 1)))
		return;  /* one layer: its own count */
	if (is_statx) {
		uint32_t one = 1;
		lp_copy_to_user((char *)buf + offsetof(struct statx, stx_nlink), &one, sizeof one);
	} else {
		nlink_t one = 1;
		lp_copy_to_user((char *)buf + offsetof(struct stat, st_nlink), &one, sizeof one);
	}
}

/* A change through an fd (fchmod, fchown, f*xattr, futimens, the
 * AT_EMPTY_PATH forms) open on a lower layer's file: the file is copied
 * up and the change made to the copy by its path.  1: not such an fd. */
static long ovl_fd_write(lp_ctx *c, const struct route *rt, long fd)
{
	struct fd_info fi;
	if (fd == AT_FDCWD) {
		struct vfs_proc *pr = vfs_proc();
		fi.view_len = pr->cwd_len;
		memcpy(fi.view, pr->cwd, pr->cwd_len + 1);
	} else if (!fd_info(fd, &fi)) {
		return 1;
	}
	struct mount_hit hit;
	mount_lookup(&vfs.table, fi.view, fi.view_len, &hit);
	if (!vfs_is_overlay(hit.mount))
		return 1;
	const struct mount_spec *m = hit.mount;
	/* where the kernel has it: in UPPER already, the fd itself will do */
	char link[32], host[VFS_PATH_MAX];
	vfs_fd_link(link, fd);
	long n = sys(SYS_readlink, (long)link, (long)host, sizeof host - 1, 0, 0, 0);
	if (n < 0)
		return 1;
	host[n] = 0;
	if (ovl_in_upper(m, host, (size_t)n))
		return 1;
	const char *rest = fi.view + mount_rest_at(m);
	size_t len = fi.view_len - mount_rest_at(m);
	long r = ovl_may_modify(c, host);
	if (r == 0)
		r = ovl_copy_up(m, rest, len);
	if (r < 0)
		return r;
	char up[VFS_PATH_MAX];
	if ((r = ovl_upper_path(m, rest, len, up, sizeof up)) < 0)
		return r;
	long *a = c->args;
	switch (c->nr) {
	case SYS_fchmod:
		return sys(SYS_fchmodat, AT_FDCWD, (long)up, a[1], 0, 0, 0);
	case SYS_fchown:
		return sys(SYS_fchownat, AT_FDCWD, (long)up, a[1], a[2], AT_SYMLINK_NOFOLLOW, 0);
	case SYS_fsetxattr:
		return sys(SYS_lsetxattr, (long)up, a[1], a[2], a[3], a[4], 0);
	case SYS_fremovexattr:
		return sys(SYS_lremovexattr, (long)up, a[1], 0, 0, 0, 0);
	}
	if (!rt)
		return -ENOTSUP;
	/* the *at forms on the fd itself: the same call on the copy's path */
	long saved_dirfd = a[rt->dirfd], saved_path = a[rt->path], saved_flags = rt->flags >= 0 ? a[rt->flags] : 0;
	a[rt->dirfd] = AT_FDCWD;
	a[rt->path] = (long)up;
	if (rt->flags >= 0)
		a[rt->flags] = (saved_flags & ~(long)AT_EMPTY_PATH) | (rt->nr == SYS_fchownat || rt->nr == SYS_utimensat ? AT_SYMLINK_NOFOLLOW : 0);
	r = sys(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	a[rt->dirfd] = saved_dirfd;
	a[rt->path] = saved_path;
	if (rt->flags >= 0)
		a[rt->flags] = saved_flags;
	return r;
}

/* ---- the generic path handler ---- */

/* ---- stat with the last component's symlink check left to the kernel ---- */

/* The stat-family syscalls a deferred check applies to, and where their
 * flags are: -2 none (stat), else the argument index; -1 not one. */
static int stat_flags_arg(long nr)
{
	switch (nr) {
	case SYS_stat:
		return -2;
	case SYS_newfstatat:
		return 3;
	case SYS_statx:
		return 2;
	}
	return -1;
}

/* ---- bind mounts' host directories as fds ----
 * Every path under a bind mount is its source's path plus the rest, and
 * the kernel walked the source's own components again at every call (a
 * whole-root view's tree: about 300 ns of a 1.3 us stat here).  `*at`
 * calls go as (an O_PATH fd of the source, the rest) instead, for the
 * first MOUNT_FDS bind mounts a process uses: each opened at its first
 * such call, close-on-exec, hidden from the program and followed when a
 * dup2 onto it moves it.  A vfork child, whose fds are not its parent's
 * but whose memory is, opens none and forgets one it moves. */
#define MOUNT_FDS 4
static struct mount_fd {
	const struct mount_spec *m;  /* claimed by compare-and-swap */
	int fd;                      /* -1: not open (yet), -2: none to be had */
} mount_fds[MOUNT_FDS] = { [0 ... MOUNT_FDS - 1] = { NULL, -1 } };

static void mount_fd_moved(int oldfd, int newfd)
{
	for (int i = 0; i < MOUNT_FDS; i++)
		if (__atomic_load_n(&mount_fds[i].fd, __ATOMIC_ACQUIRE) == oldfd)
			__atomic_store_n(&mount_fds[i].fd, lp_shares_parent_memory() ? -2 : newfd, __ATOMIC_RELEASE);
}

/* The fd of bind mount M's source, or -1 (use the whole host path). */
static int mount_dirfd(const struct mount_spec *m)
{
	if (m->kind != MOUNT_BIND)
		return -1;
	int i = 0;
	for (; i < MOUNT_FDS; i++) {
		const struct mount_spec *have = __atomic_load_n(&mount_fds[i].m, __ATOMIC_ACQUIRE);
		if (have == m) {
			int fd = __atomic_load_n(&mount_fds[i].fd, __ATOMIC_ACQUIRE);
			return fd >= 0 ? fd : -1;  /* another thread may be opening it */
		}
		if (!have)
			break;
	}
	if (i == MOUNT_FDS || lp_shares_parent_memory())
		return -1;
	const struct mount_spec *none = NULL;
	if (!__atomic_compare_exchange_n(&mount_fds[i].m, &none, m, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return none == m ? mount_dirfd(m) : -1;  /* taken meanwhile: next time */
	long o = sys(SYS_openat, AT_FDCWD, (long)m->src, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0, 0);
	long d = o < 0 ? o : sys(SYS_fcntl, o, F_DUPFD_CLOEXEC, 900, 0, 0, 0);
	if (o >= 0)
		sys(SYS_close, o, 0, 0, 0, 0, 0);
	if (d >= 0 && lp_hide_fd_moved((int)d, mount_fd_moved) < 0) {
		sys(SYS_close, d, 0, 0, 0, 0, 0);
		d = -1;
	}
	__atomic_store_n(&mount_fds[i].fd, d >= 0 ? (int)d : -2, __ATOMIC_RELEASE);
	return d >= 0 ? (int)d : -1;
}

/* Where an `*at` call finds P's host object: its mount's fd and the rest
 * (never empty: "." would change rmdir's and rename's answers), or
 * AT_FDCWD and the whole host path. */
static int host_at(const struct vfs_path *p, const char **path)
{
	const struct mount_spec *m = p->mount;
	*path = p->host;
	if (!m || m->src_len < 2 || p->host_len <= m->src_len + 1 || p->host[m->src_len] != '/' ||
	    memcmp(p->host, m->src, m->src_len))
		return AT_FDCWD;
	int fd = mount_dirfd(m);
	if (fd < 0)
		return AT_FDCWD;
	*path = p->host + m->src_len + 1;
	return fd;
}

/* The call's dirfd and path arguments: P's host object, as host_at. */
static void set_host_args(lp_ctx *c, int dirfd_arg, int path_arg, const struct vfs_path *p)
{
	const char *path = p->host;
	if (dirfd_arg >= 0)
		c->args[dirfd_arg] = host_at(p, &path);
	c->args[path_arg] = (long)path;
}

/* Runs the stat call on P's host object without following a last
 * symlink: returns its result, or 1 when the name was a symlink after all. */
static long stat_nofollow(lp_ctx *c, int flags_arg, const struct vfs_path *p)
{
	long r, fl = flags_arg >= 0 ? c->args[flags_arg] : 0;
	void *buf;
	const char *path;
	int at = host_at(p, &path);
	if (c->nr == SYS_statx) {
		buf = (void *)c->args[4];
		r = sys(SYS_statx, at, (long)path, fl | AT_SYMLINK_NOFOLLOW, c->args[3] | STATX_TYPE, (long)buf, 0);
	} else {
		buf = (void *)c->args[c->nr == SYS_stat ? 1 : 2];
		r = sys(SYS_newfstatat, at, (long)path, (long)buf, fl | AT_SYMLINK_NOFOLLOW, 0, 0);
	}
	if (r < 0)
		return r;  /* the same error as when following */
	uint32_t mode;
	if (stat_mode(buf, c->nr == SYS_statx, &mode) < 0)
		return -EFAULT;
	return S_ISLNK(mode) ? 1 : r;
}

/* Can the call make a symlink of a name that was a directory?  (The
 * view's processes remember directories that are not symlinks: removing
 * or creating other things leaves that true.) */
static bool may_make_symlink(long nr)
{
	switch (nr) {
	case SYS_symlink:
	case SYS_symlinkat:
	case SYS_rename:
	case SYS_renameat:
	case SYS_renameat2:
	case SYS_link:
	case SYS_linkat:
		return true;
	}
	return false;
}

static int pf_path(long nr, const long a[6]);

static lp_action handle_path(lp_ctx *c, void *data)
{
	const struct route *rt = data;
	long dirfd = rt->dirfd >= 0 ? c->args[rt->dirfd] : AT_FDCWD;
	/* sent here while out of date: checked again, then as the prefilter
	 * would have */
	if (raw_kind_of_fd(dirfd) == FD_OVL_LOWER && !ovl_lower_current() && lower_dir_fd(dirfd) &&
	    !pf_path(c->nr, c->args))
		return lp_continue();
	const char *up = (const char *)c->args[rt->path];
	if (!up && rt->null_ok)  /* the fd itself */
		return writes(rt, c) ? change_through_fd(c, rt, dirfd) : lp_continue();
	struct vfs_path p, q;
	unsigned vf = resolve_flags(rt, c, false);
	int stat_flags = stat_flags_arg(rt->nr);
	if ((vf & VR_FOLLOW) && stat_flags != -1)
		vf |= VR_DEFER_LAST;
	long r = vfs_resolve((int)dirfd, up, vf, &p);
	if (r < 0)
		return lp_return(r);
	if (p.last_deferred) {
		/* stat without following: a symlink is the rare case, resolved
		 * in the view and stat'ed again below */
		r = stat_nofollow(c, stat_flags, &p);
		if (r == 0)
			ovl_fix_stat(c, p.mount, p.view, p.view_len, p.host, p.host_len, -1, 0);
		if (r != 1)
			return lp_return(r);
		r = vfs_resolve((int)dirfd, up, vf & ~VR_DEFER_LAST, &p);
		if (r < 0)
			return lp_return(r);
	}
	bool w = writes(rt, c);
	if (p.empty) {
		struct fd_info fi;
		bool synth = p.empty_fd != AT_FDCWD && fd_info(p.empty_fd, &fi) && fi.synthetic;
		if (synth) {
			memcpy(p.view, fi.view, fi.view_len + 1);
			p.view_len = fi.view_len;
		}
		if (!synth) {  /* the kernel has the real fd */
			if (w)
				return change_through_fd(c, rt, p.empty_fd);
			if (kind_of_fd(p.empty_fd) == FD_SPECIAL && stat_flags != -1) {
				/* fstatat(fd, "", AT_EMPTY_PATH), glibc's fstat */
				struct fd_info ei;
				r = lp_ctx_exec(c);
				struct mount_hit eh;
				if (r == 0 && fd_info(p.empty_fd, &ei)) {
					mount_lookup(&vfs.table, ei.view, ei.view_len, &eh);
					ovl_fix_stat(c, eh.mount, ei.view, ei.view_len, NULL, 0, p.empty_fd,
						     ei.ovl_layers);
				}
				return lp_return(r);
			}
			return lp_continue();
		}
		struct mount_hit hit;
		mount_lookup(&vfs.table, p.view, p.view_len, &hit);
		p.node = hit.node;
		p.synthetic = true;
		if (w)
			return lp_block(synthetic_denied(rt->nr));
		if (rt->nr == SYS_newfstatat || rt->nr == SYS_statx)
			return lp_return(put_fake_stat(c, &p));
		return lp_block(ENOTSUP);
	}
	if (rt->path2 >= 0) {
		long dirfd2 = rt->dirfd2 >= 0 ? c->args[rt->dirfd2] : AT_FDCWD;
		r = vfs_resolve((int)dirfd2, (const char *)c->args[rt->path2], 0, &q);
		if (r < 0)
			return lp_return(r);
		bool is_link = rt->nr == SYS_link || rt->nr == SYS_linkat;
		const struct mount_spec *pm = containing_mount(&p), *qm = containing_mount(&q);
		/* the kernel's order: link creates the new name first (EROFS),
		 * rename compares the mounts first (EXDEV) */
		if (is_link && (q.synthetic || q.in_synthetic))
			return lp_block(synthetic_denied(rt->nr));
		if (is_link && qm && (qm->flags & MOUNT_RO))
			return lp_block(EROFS);
		if (pm != qm)
			return lp_block(EXDEV);
		if (p.synthetic || p.in_synthetic || q.synthetic || q.in_synthetic)
			return lp_block(synthetic_denied(rt->nr));
		if (pm && (pm->flags & MOUNT_RO))
			return lp_block(EROFS);
		if (rt->busy && (is_mount_point(&p) || is_mount_point(&q)))
			return lp_block(EBUSY);
		/* a directory holding mount points would take them along in
		 * the kernel; the view's mounts stay where they are */
		if (rt->busy && (mount_node_has_children(p.node) || mount_node_has_children(q.node))) {
			struct stat sp, sq;
			if (sys(SYS_lstat, (long)p.host, (long)&sp, 0, 0, 0, 0) == 0 &&
			    sys(SYS_lstat, (long)q.host, (long)&sq, 0, 0, 0, 0) == 0 &&
			    S_ISDIR(sp.st_mode) != S_ISDIR(sq.st_mode))
				return lp_block(S_ISDIR(sq.st_mode) ? EISDIR : ENOTDIR);
			return lp_block(EBUSY);
		}
	} else {
		if (w && (p.synthetic || p.in_synthetic))
			return lp_block(synthetic_denied(rt->nr));
		/* unlink and rmdir change the name's directory; the rest the
		 * object itself */
		const struct mount_spec *wm = rt->busy ? containing_mount(&p) : p.mount;
		if (w && wm && (wm->flags & MOUNT_RO))
			return lp_block(EROFS);
		if (rt->busy && is_mount_point(&p))
			return lp_block(EBUSY);
	}
	if (p.synthetic) {
		switch (rt->nr) {
		case SYS_stat:
		case SYS_lstat:
		case SYS_newfstatat:
		case SYS_statx:
			return lp_return(put_fake_stat(c, &p));
		case SYS_access:
		case SYS_faccessat:
		case SYS_faccessat2:
			return lp_return(0);
		case SYS_getxattr:  /* a directory without extended attributes */
		case SYS_lgetxattr:
		case SYS_getxattrat:
			return lp_block(ENODATA);
		case SYS_listxattr:
		case SYS_llistxattr:
		case SYS_listxattrat:
			return lp_return(0);
		case SYS_statfs:  /* the file system of its nearest host ancestor */
			for (size_t n = p.host_len; n > 1;) {
				while (n > 1 && p.host[n - 1] != '/')
					n--;
				if (n > 1)
					n--;
				p.host[n] = 0;
				long r = sys(SYS_statfs, (long)p.host, c->args[1], 0, 0, 0, 0);
				if (r != -ENOENT)
					return lp_return(r);
			}
			return lp_return(sys(SYS_statfs, (long)"/", c->args[1], 0, 0, 0, 0));
		default:
			return lp_block(ENOTSUP);
		}
	}
	if (w && rt->write != W_ACCESS && vfs_is_overlay(rt->busy ? containing_mount(&p) : p.mount)) {
		r = ovl_write(c, rt, &p, &q);
		vfs_dircache_clear();  /* a name may now be something else */
		return lp_return(r);
	}
	set_host_args(c, rt->dirfd, rt->path, &p);
	if (rt->path2 >= 0)
		set_host_args(c, rt->dirfd2, rt->path2, &q);
	r = lp_ctx_exec(c);
	if (r >= 0 && p.node)
		add_view_subdirs(c, &p);
	if (r == 0)
		ovl_fix_stat(c, p.mount, p.view, p.view_len, p.host, p.host_len, -1, 0);
	if (r == 0 && rt->nr == SYS_statfs && read_only(&p))
		statfs_mark_ro((void *)c->args[1]);
	if (r >= 0 && may_make_symlink(rt->nr))
		vfs_dircache_clear();  /* a directory's name may now be a symlink */
	return lp_return(r);
}

/* ---- open ---- */

/* A plain name opened (read, not followed) in a directory of one lower
 * layer (FD_OVL_LOWER): the kernel's lookup from dirfd is the view's, so
 * only the new fd's entry is made (a directory's: FD_OVL_LOWER too, the
 * same layer; UPPER lacks it as it lacks its parent).  1: not such an
 * open. */
static long open_in_lower_dir(lp_ctx *c, long dirfd, const char *up, long flags)
{
	if (!lower_dir_fd(dirfd))
		return 1;
	char name[256];
	long n = lp_strncpy_from_user(name, up, sizeof name);
	if (!plain_name(name, n, sizeof name))
		return 1;
	struct vfs_proc *pr = vfs_proc_mut();
	char view[VFS_PATH_MAX];
	uint32_t layers = 0;
	size_t vn = 0;
	vfs_proc_lock(pr);
	const struct vfs_fd *d = vfs_fd_get(pr, (int)dirfd);
	if (d) {
		vn = strlen(d->view);
		layers = d->ovl_layers;
		if (vn + 1 + (size_t)n < sizeof view)
			memcpy(view, d->view, vn);
	}
	vfs_proc_unlock(pr);
	if (!layers || vn + 1 + (size_t)n >= sizeof view)
		return 1;
	view[vn++] = '/';
	memcpy(view + vn, name, (size_t)n + 1);
	vn += (size_t)n;
	long r = lp_ctx_exec(c);
	if (r < 0)
		return r;
	bool dir = flags & O_DIRECTORY;
	vfs_proc_lock(pr);
	vfs_fd_set_dir(pr, (int)r, view, vn, dir ? FD_OVL_LOWER : FD_SPECIAL, false, dir ? layers : 0, dir);
	vfs_proc_unlock(pr);
	return r;
}

/* An open that writes, in an overlay: the file copied up (or, to be
 * created, its directory made in UPPER: 1), p->host its path there. */
static long ovl_open_prepare(struct vfs_path *p, long flags)
{
	const struct mount_spec *m = p->mount;
	size_t len;
	const char *rest = ovl_rest(p, m, &len);
	struct ovl_look lk;
	char host[VFS_PATH_MAX];
	long r = ovl_lookup(m, rest, len, false, &lk, host, sizeof host);
	if (r < 0)
		return r;
	if (lk.layer < 0) {
		if (!(flags & O_CREAT) || lk.blocked)
			return 0;  /* ENOENT, ENOTDIR: the kernel says so */
		bool was_whiteout;
		r = ovl_make_ready(m, p, &was_whiteout);
		return r < 0 ? r : 1;
	}
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return 0;  /* EEXIST */
	bool tmpfile = (flags & __O_TMPFILE) == __O_TMPFILE;
	if (lk.is_dir && !tmpfile)
		return 0;  /* EISDIR */
	struct stat st;
	if (lk.layer > 0 && !tmpfile && sys(SYS_stat, (long)host, (long)&st, 0, 0, 0, 0) == 0 && !S_ISREG(st.st_mode)) {
		/* a device, fifo or socket: writing to it changes nothing in the
		 * tree, so it is not copied up (as the kernel's overlayfs) */
		p->host_len = strlen(host);
		memcpy(p->host, host, p->host_len + 1);
		return 0;
	}
	if (lk.layer > 0) {
		int acc = flags & O_ACCMODE;
		int want = acc == O_RDWR ? R_OK | W_OK : W_OK;
		r = vfs_privileged() ? 0 : sys(SYS_faccessat2, AT_FDCWD, (long)host, want, AT_EACCESS, 0, 0);
		if (r < 0)
			return r;
		if ((r = ovl_copy_up(m, rest, len)) < 0)
			return r;
	}
	return ovl_to_upper(p, m);
}

static lp_action handle_open(lp_ctx *c, void *data)
{
	const struct route *rt = data;
	long flags;
	struct open_how how;
	if (c->nr == SYS_creat) {
		flags = O_CREAT | O_WRONLY | O_TRUNC;
	} else if (c->nr == SYS_openat2) {
		size_t sz = (size_t)c->args[3];
		if (sz < sizeof how)
			return lp_block(EINVAL);
		if (lp_copy_from_user(&how, (void *)c->args[2], sizeof how))
			return lp_block(EFAULT);
		flags = (long)how.flags;
	} else {
		flags = c->args[rt->flags];
	}
	unsigned vf = ((flags & O_NOFOLLOW) || (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			      ? 0 : VR_FOLLOW;
	if (c->nr == SYS_openat2) {
		if (how.resolve & RESOLVE_NO_XDEV)
			vf |= VR_NO_XDEV;
		if (how.resolve & RESOLVE_NO_MAGICLINKS)
			vf |= VR_NO_MAGIC;
		if (how.resolve & RESOLVE_NO_SYMLINKS)
			vf |= VR_NO_SYMLINKS;
		if (how.resolve & RESOLVE_BENEATH)
			vf |= VR_BENEATH;
		if (how.resolve & RESOLVE_IN_ROOT)
			vf |= VR_IN_ROOT;
		if ((how.resolve & RESOLVE_NO_SYMLINKS) && (flags & O_NOFOLLOW) == 0)
			vf &= ~(unsigned)VR_FOLLOW, vf |= VR_NO_SYMLINKS | VR_FOLLOW;
	}
	long dirfd = rt->dirfd >= 0 ? c->args[rt->dirfd] : AT_FDCWD;
	const char *up = (const char *)c->args[rt->path];
	if (c->nr == SYS_openat && !(vf & VR_FOLLOW) && !open_writes(flags) && !(flags & O_CREAT)) {
		long r = open_in_lower_dir(c, dirfd, up, flags);
		if (r != 1)
			return lp_return(r);
	}
	/* A last symlink is left to the kernel (O_NOFOLLOW: ELOOP) where the
	 * flags allow it: one syscall instead of readlink + open. */
	if ((vf & VR_FOLLOW) && c->nr != SYS_openat2 && c->nr != SYS_creat && !(flags & O_PATH))
		vf |= VR_DEFER_LAST;
	struct vfs_path p;
	long r;
	bool again = false, creating = false;
	uint64_t gen_before = ovl_generation();  /* what the lookup below finds is of this one */
resolve:
	r = vfs_resolve((int)dirfd, up, vf, &p);
	if (r < 0)
		return lp_return(r);
	bool w = open_writes(flags);
	if ((flags & O_CREAT) && p.in_synthetic)
		return lp_block(synthetic_denied(c->nr));
	if (w && read_only(&p))
		return lp_block(EROFS);
	struct vfs_proc *pr = vfs_proc_mut();
	if (p.synthetic) {
		if (w)
			return lp_block((flags & O_ACCMODE) != O_RDONLY ? EISDIR : EROFS);
		r = sys(SYS_openat, AT_FDCWD, (long)"/", O_PATH | O_DIRECTORY | (flags & O_CLOEXEC), 0, 0, 0);
		if (r >= 0) {
			vfs_proc_lock(pr);
			long e = vfs_fd_set(pr, (int)r, p.view, p.view_len, FD_SPECIAL, true);
			vfs_proc_unlock(pr);
			if (e < 0) {
				sys(SYS_close, r, 0, 0, 0, 0, 0);
				r = e;
			}
		}
		return lp_return(r);
	}
	if (w && vfs_is_overlay(p.mount)) {
		if (p.last_deferred) {  /* which file is meant matters here */
			vf &= ~(unsigned)VR_DEFER_LAST;
			goto resolve;
		}
		r = ovl_open_prepare(&p, flags);
		if (r < 0)
			return lp_return(r);
		creating = r == 1;
	}
	set_host_args(c, rt->dirfd, rt->path, &p);
	struct open_how host_how;
	if (c->nr == SYS_openat2) {
		host_how = how;
		host_how.resolve &= RESOLVE_CACHED;  /* the view resolved it */
		c->args[2] = (long)&host_how;
		c->args[3] = sizeof host_how;
	}
	if (p.last_deferred) {
		c->args[rt->flags] = flags | O_NOFOLLOW;
		r = lp_ctx_exec(c);
		c->args[rt->flags] = flags;
		/* a symlink after all (ENOTDIR with O_DIRECTORY): resolve it
		 * in the view */
		if (r == -ELOOP || (r == -ENOTDIR && (flags & O_DIRECTORY))) {
			if (rt->dirfd >= 0)
				c->args[rt->dirfd] = dirfd;
			c->args[rt->path] = (long)up;
			vf &= ~(unsigned)VR_DEFER_LAST;
			again = true;
			goto resolve;
		}
	} else if (again) {  /* the context has run once already */
		r = sys(c->nr, c->args[0], c->args[1], c->args[2], c->args[3], c->args[4], c->args[5]);
	} else {
		r = lp_ctx_exec(c);
	}
	if (r >= 0 && creating)
		ovl_changed();  /* a new name in UPPER */
	uint8_t kind = vfs_kind_of(&p);
	if (r >= 0 && kind != FD_HOST) {
		/* an overlay directory whose layers a lookup just found (stat
		 * before open, as find and ls do): kept, so that a directory
		 * of one layer is listed by the kernel from the start
		 * (ovl_lists_one_layer) */
		size_t at = p.mount ? mount_rest_at(p.mount) : 0;
		uint32_t layers = vfs_is_overlay(p.mount) && (flags & O_DIRECTORY)
					  ? ovl_known_dir_layers(p.mount, p.view + at, p.view_len - at)
					  : 0;
		bool one_layer = layers && !(layers & (layers - 1)) && !ovl_upper_has_xwhiteouts(layers, (int)r);
		if (one_layer && !mount_node_has_children(p.node))
			kind = FD_OVL_DIR;
		/* of a lower layer, known so at the generation the FD_OVL_LOWER
		 * kinds are right for (checked again first if not the latest) */
		if (kind == FD_OVL_DIR && !(layers & 1) && gen_before == ovl_generation() && ovl_lower_checked())
			kind = FD_OVL_LOWER;
		vfs_proc_lock(pr);
		vfs_fd_set_dir(pr, (int)r, p.view, p.view_len, kind, false, layers, one_layer);
		vfs_proc_unlock(pr);
	} else if (r >= 0) {
		vfs_proc_lock(pr);
		vfs_fd_drop(pr, (int)r);
		vfs_proc_unlock(pr);
	}
	return lp_return(r);
}

/* ---- readlink: the /proc links that name files in the view ---- */

static lp_action handle_readlink(lp_ctx *c, void *data)
{
	const struct route *rt = data;
	long dirfd = rt->dirfd >= 0 ? c->args[rt->dirfd] : AT_FDCWD;
	int bi = rt->path + 1;
	struct vfs_path p;
	long r = vfs_resolve((int)dirfd, (const char *)c->args[rt->path], resolve_flags(rt, c, false), &p);
	if (r < 0)
		return lp_return(r);
	if (p.empty)
		return lp_continue();
	if (p.synthetic)
		return lp_block(EINVAL);
	long size = c->args[bi + 1];
	if (size <= 0)
		return lp_block(EINVAL);
	char link[VFS_PATH_MAX];
	long n = vfs_proc_link(p.view, p.view_len, link, sizeof link, NULL);
	bool is_proc = n >= 0;
	if (!is_proc) {
		const char *path;
		int at = host_at(&p, &path);
		n = sys(SYS_readlinkat, at, (long)path, (long)link, sizeof link, 0, 0);
		if (n < 0)
			return lp_return(n);
		/* a /proc link of another process, or one not tracked: map it */
		if (p.view_len > 6 && !memcmp(p.view, "/proc/", 6) && link[0] == '/') {
			char mapped[VFS_PATH_MAX];
			long m = vfs_host_to_view(link, (size_t)n, mapped, sizeof mapped);
			if (m >= 0) {
				memcpy(link, mapped, (size_t)m);
				n = m;
			}
		}
	}
	if (link[0] == '/')
		n = (long)vfs_in_root(link, (size_t)n);
	if (n > size)
		n = size;  /* readlink truncates silently */
	if (lp_copy_to_user((void *)c->args[bi], link, (size_t)n))
		return lp_block(EFAULT);
	return lp_return(n);
}

/* ---- the cwd ---- */

static lp_action handle_chdir(lp_ctx *c, void *data)
{
	(void)data;
	struct vfs_path p;
	long r = vfs_resolve(AT_FDCWD, (const char *)c->args[0], VR_FOLLOW, &p);
	if (r < 0)
		return lp_return(r);
	if (p.synthetic)
		r = sys(SYS_chdir, (long)"/", 0, 0, 0, 0, 0);
	else
		r = sys(SYS_chdir, (long)p.host, 0, 0, 0, 0, 0);
	if (r == 0) {
		struct vfs_proc *pr = vfs_proc_mut();
		vfs_proc_lock(pr);
		memcpy(pr->cwd, p.view, p.view_len + 1);
		pr->cwd_len = p.view_len;
		pr->cwd_kind = vfs_kind_of(&p);
		pr->cwd_synthetic = p.synthetic;
		vfs_proc_unlock(pr);
	}
	return lp_return(r);
}

static lp_action handle_fchdir(lp_ctx *c, void *data)
{
	(void)data;
	int fd = (int)c->args[0];
	char view[VFS_PATH_MAX];
	bool synth;
	long n = vfs_fd_view(fd, view, sizeof view, &synth);
	long r = lp_ctx_exec(c);
	if (r == 0 && n >= 0) {
		struct vfs_path p;
		if (vfs_resolve(AT_FDCWD, view, 0, &p) < 0)
			p.synthetic = synth, p.mount = NULL, p.node = NULL;
		struct vfs_proc *pr = vfs_proc_mut();
		vfs_proc_lock(pr);
		memcpy(pr->cwd, view, (size_t)n + 1);
		pr->cwd_len = (size_t)n;
		pr->cwd_kind = vfs_kind_of(&p);
		pr->cwd_synthetic = synth;
		vfs_proc_unlock(pr);
	}
	return lp_return(r);
}

static lp_action handle_getcwd(lp_ctx *c, void *data)
{
	(void)data;
	char view[VFS_PATH_MAX];
	long n = vfs_fd_view(AT_FDCWD, view, sizeof view, NULL);
	if (n < 0)
		return lp_return(n);
	n = (long)vfs_in_root(view, (size_t)n);
	if ((unsigned long)c->args[1] < (unsigned long)n + 1)
		return lp_block(ERANGE);
	if (lp_copy_to_user((void *)c->args[0], view, (size_t)n + 1))
		return lp_block(EFAULT);
	return lp_return(n + 1);
}

/* chroot(2) narrows this process's view (and its children's): absolute
 * paths, ".." and absolute symlinks stop at the new root, and the paths
 * the process is told (getcwd, /proc/self links) are relative to it.
 * Allowed to root, real or fake, as the kernel allows it. */
static lp_action handle_chroot(lp_ctx *c, void *data)
{
	(void)data;
	struct vfs_path p;
	long r = vfs_resolve(AT_FDCWD, (const char *)c->args[0], VR_FOLLOW, &p);
	if (r < 0)
		return lp_return(r);
	if (!p.synthetic) {
		struct stat st;
		r = sys(SYS_stat, (long)p.host, (long)&st, 0, 0, 0, 0);
		if (r < 0)
			return lp_return(r);
		if (!S_ISDIR(st.st_mode))
			return lp_block(ENOTDIR);
	}
	if (!vfs_privileged())
		return lp_block(EPERM);
	struct vfs_proc *pr = vfs_proc_mut();
	vfs_chroot_seen = true;
	vfs_proc_lock(pr);
	pr->root_len = p.view_len == 1 ? 0 : p.view_len;
	memcpy(pr->root, p.view, p.view_len + 1);
	vfs_proc_unlock(pr);
	return lp_return(0);
}

/* ---- execve ---- */

static lp_action handle_exec(lp_ctx *c, void *data)
{
	const struct route *rt = data;
	long dirfd = rt->dirfd >= 0 ? c->args[rt->dirfd] : AT_FDCWD;
	struct vfs_path p;
	long r = vfs_resolve((int)dirfd, (const char *)c->args[rt->path], resolve_flags(rt, c, false), &p);
	if (r < 0)
		return lp_return(r);
	if (p.synthetic)
		return lp_block(EACCES);
	struct vfs_proc *pr = vfs_proc_mut();
	struct vfs_exec_plan plan = { 0 };
	if (!p.empty) {
		int argv_arg = rt->path + 1;
		/* the kernel's name for the file: as given, or by its fd */
		const char *name = rt->dirfd >= 0 ? p.view : (const char *)c->args[rt->path];
		r = vfs_exec_plan(name, &p, (const char *const *)c->args[argv_arg], &plan);
		if (r < 0)
			return lp_return(r);
		memcpy(pr->exec_path, plan.exe_view, strlen(plan.exe_view) + 1);
		pr->exec_by_loader = plan.by_loader;
		pr->exec_argv = plan.argv;
		if (rt->dirfd >= 0)
			c->args[rt->dirfd] = AT_FDCWD;
		c->args[rt->path] = (long)plan.file;
		if (plan.argv)
			c->args[argv_arg] = (long)plan.argv;
	}
	r = lp_ctx_exec(c);
	pr->exec_path[0] = 0;  /* still here: it failed */
	pr->exec_by_loader = false;
	pr->exec_argv = NULL;
	lp_free(plan.argv);
	return lp_return(r);
}

/* ---- fds ---- */

static lp_action handle_close(lp_ctx *c, void *data)
{
	(void)data;
	struct vfs_proc *pr = vfs_proc_mut();
	vfs_proc_lock(pr);
	if (c->nr == SYS_close) {
		vfs_fd_drop(pr, (int)c->args[0]);
	} else if (!(c->args[2] & 4 /* CLOSE_RANGE_CLOEXEC */)) {
		unsigned long first = (unsigned long)c->args[0], last = (unsigned long)c->args[1];
		if (last > (unsigned long)pr->max_fd)
			last = (unsigned long)pr->max_fd;
		for (unsigned long fd = first; fd <= last; fd++)
			if (pr->kind[fd] || vfs_fd_get(pr, (int)fd))
				vfs_fd_drop(pr, (int)fd);
	}
	vfs_proc_unlock(pr);
	return lp_continue();
}

static lp_action handle_dup(lp_ctx *c, void *data)
{
	(void)data;
	int from = (int)c->args[0];
	long r = lp_ctx_exec(c);
	if (r >= 0 && r != from) {
		struct vfs_proc *pr = vfs_proc_mut();
		vfs_proc_lock(pr);
		vfs_fd_copy(pr, from, (int)r);
		vfs_proc_unlock(pr);
	}
	return lp_return(r);
}

static lp_action handle_fcntl(lp_ctx *c, void *data)
{
	if (c->args[1] != F_DUPFD && c->args[1] != F_DUPFD_CLOEXEC)
		return lp_continue();
	return handle_dup(c, data);
}

/* fstat of a synthetic directory's fd, or of one holding mount points */
static lp_action handle_fstat(lp_ctx *c, void *data)
{
	(void)data;
	struct fd_info fi;
	if (!fd_info(c->args[0], &fi) || fi.kind != FD_SPECIAL)
		return lp_continue();
	if (!fi.synthetic) {
		struct mount_hit oh;
		mount_lookup(&vfs.table, fi.view, fi.view_len, &oh);
		if (vfs_is_overlay(oh.mount) && !mount_node_has_children(oh.node)) {
			long r = lp_ctx_exec(c);
			if (r == 0)
				ovl_fix_stat(c, oh.mount, fi.view, fi.view_len, NULL, 0, c->args[0], fi.ovl_layers);
			return lp_return(r);
		}
	}
	struct vfs_path p;
	p.view_len = fi.view_len;
	memcpy(p.view, fi.view, fi.view_len + 1);
	p.synthetic = fi.synthetic;
	if (!p.synthetic && vfs_resolve(AT_FDCWD, p.view, VR_FOLLOW, &p) < 0)
		return lp_continue();
	struct mount_hit hit;
	mount_lookup(&vfs.table, p.view, p.view_len, &hit);
	p.node = hit.node;
	if (p.synthetic)
		return lp_return(put_fake_stat(c, &p));
	long r = lp_ctx_exec(c);
	if (r == 0)
		add_view_subdirs(c, &p);
	return lp_return(r);
}

/* ---- directory listings: mount points their parent lacks ---- */

struct dirent64_hdr {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* getdents of an overlay's directory: its merged listing, made at the
 * first call (and after a rewind), handed out from the fd's entry */
static lp_action ovl_getdents(lp_ctx *c, int fd, const struct fd_info *fi, const struct mount_hit *hit)
{
	struct vfs_proc *pr = vfs_proc_mut();
	long r;
	if (!fi->has_listing) {
		long fl = sys(SYS_fcntl, fd, F_GETFL, 0, 0, 0, 0);
		if (fl < 0)
			return lp_return(fl);
		if (fl & O_PATH)
			return lp_block(EBADF);
		struct stat st;
		if ((r = sys(SYS_fstat, fd, (long)&st, 0, 0, 0, 0)) < 0)
			return lp_return(r);
		if (!S_ISDIR(st.st_mode))
			return lp_block(ENOTDIR);
		char *list;
		size_t n;
		uint32_t layers = fi->ovl_layers;
		r = ovl_list(hit->mount, fi->view + hit->mount_len, fi->view_len - hit->mount_len, hit->node, &list,
			     &n, &layers);
		if (r < 0)
			return lp_return(r);
		vfs_proc_lock(pr);
		struct vfs_fd *f = vfs_fd_get(pr, fd);
		if (f)  /* where lookups relative to this fd start */
			f->ovl_layers = layers;
		if (f && !f->listing) {
			f->listing = list;
			f->listing_len = n;
			f->listed_extra = 0;
			list = NULL;
		}
		vfs_proc_unlock(pr);
		lp_free(list);
	}
	vfs_proc_lock(pr);
	struct vfs_fd *f = vfs_fd_get(pr, fd);
	if (!f || !f->listing) {
		vfs_proc_unlock(pr);
		return lp_continue();
	}
	size_t pos = (size_t)f->listed_extra, end = pos, cap = (size_t)c->args[2];
	while (end < f->listing_len) {
		unsigned short rec;
		memcpy(&rec, f->listing + end + 16, sizeof rec);
		if (end - pos + rec > cap)
			break;
		end += rec;
	}
	r = (long)(end - pos);
	if (end == pos && pos < f->listing_len)
		r = -EINVAL;  /* the buffer is too small */
	else if (r && lp_copy_to_user((void *)c->args[1], f->listing + pos, end - pos))
		r = -EFAULT;
	else
		f->listed_extra = (int)end;
	vfs_proc_unlock(pr);
	return lp_return(r);
}

/* lseek of an overlay directory being listed: positions in its listing */
static lp_action ovl_lseek(lp_ctx *c, int fd)
{
	struct vfs_proc *pr = vfs_proc_mut();
	vfs_proc_lock(pr);
	struct vfs_fd *f = vfs_fd_get(pr, fd);
	long off = c->args[1], r;
	if (!f || !f->listing) {
		vfs_proc_unlock(pr);
		return lp_continue();
	}
	if (c->args[2] == SEEK_CUR)
		off += f->listed_extra;
	if ((c->args[2] != SEEK_SET && c->args[2] != SEEK_CUR) || off < 0 || off > INT32_MAX) {
		r = -EINVAL;
	} else {
		f->listed_extra = (int)off;
		if (off == 0) {  /* rewound: list it afresh */
			lp_free(f->listing);
			f->listing = NULL;
			f->listing_len = 0;
		}
		r = off;
	}
	vfs_proc_unlock(pr);
	return lp_return(r);
}

/* An overlay directory listed by the kernel (one layer, no xattr
 * whiteouts in it); the prefilter lets its getdents64 through where no
 * mount point below it is to be added (ALONE). */
static void mark_one_layer(int fd, bool alone)
{
	struct vfs_proc *pr = vfs_proc_mut();
	vfs_proc_lock(pr);
	struct vfs_fd *f = vfs_fd_get(pr, fd);
	if (f) {
		f->ovl_one_layer = true;
		if (alone && f->kind == FD_SPECIAL && !f->synthetic)
			vfs_fd_kind_set(pr, f, FD_OVL_DIR);
	}
	vfs_proc_unlock(pr);
}

/* A directory listed by the kernel, rewound: if a change made it a
 * merged one meanwhile (a name made or removed in it), it is listed
 * merged from now on, as the kernel's overlayfs looks again at offset 0. */
static void recheck_one_layer(int fd, const struct fd_info *fi)
{
	struct mount_hit hit;
	mount_lookup(&vfs.table, fi->view, fi->view_len, &hit);
	if (!vfs_is_overlay(hit.mount))
		return;
	uint32_t l = fi->ovl_layers;
	if (l && ovl_check_layers(hit.mount, fi->view + hit.mount_len, fi->view_len - hit.mount_len, l) == l)
		return;
	struct vfs_proc *pr = vfs_proc_mut();
	vfs_proc_lock(pr);
	struct vfs_fd *f = vfs_fd_get(pr, fd);
	if (f) {
		f->ovl_one_layer = false;
		f->ovl_layers = 0;
		if (f->kind == FD_OVL_DIR || f->kind == FD_OVL_LOWER)
			vfs_fd_kind_set(pr, f, FD_SPECIAL);
	}
	vfs_proc_unlock(pr);
}

/* An overlay directory that only one layer has is that layer's directory,
 * which the program's fd is open on: the kernel lists it, with the mount
 * points below added as for a bind (kernel overlayfs, too, reads a
 * directory that is not merged directly, even one marked as holding xattr
 * whiteouts, which it then lists).  Only UPPER's own xattr whiteouts (a
 * normal user's format) are hidden there.  Decided at open (where a lookup
 * just found the layers) or at the first call, and kept until the fd is
 * rewound, so that a copy-up meanwhile cannot change a listing half read. */
static bool ovl_lists_one_layer(int fd, const struct fd_info *fi, const struct mount_hit *hit)
{
	if (fi->ovl_one_layer)
		return true;
	uint32_t l = fi->ovl_layers;
	if (fi->has_listing || !l || (l & (l - 1)) ||
	    ovl_check_layers(hit->mount, fi->view + hit->mount_len, fi->view_len - hit->mount_len, l) != l ||
	    ovl_upper_has_xwhiteouts(l, fd))
		return false;
	mark_one_layer(fd, !mount_node_has_children(hit->node));
	return true;
}

static lp_action handle_getdents(lp_ctx *c, void *data)
{
	(void)data;
	int fd = (int)c->args[0];
	struct fd_info fi;
	if (!fd_info(fd, &fi) || fi.kind != FD_SPECIAL)
		return lp_continue();
	if (!fi.synthetic) {
		struct mount_hit oh;
		mount_lookup(&vfs.table, fi.view, fi.view_len, &oh);
		if (vfs_is_overlay(oh.mount) && !ovl_lists_one_layer(fd, &fi, &oh))
			return ovl_getdents(c, fd, &fi, &oh);
	}
	char *view = fi.view;
	size_t vn = fi.view_len;
	bool synth = fi.synthetic, host_done = fi.listed_host;
	int pos = fi.listed_extra;
	if (!synth && !host_done) {
		long r = lp_ctx_exec(c);
		if (r != 0)
			return lp_return(r);
		host_done = true;
	}
	struct mount_hit hit;
	mount_lookup(&vfs.table, view, vn, &hit);
	const struct mount_node *node = hit.node;
	/* ".", ".." and the children: what the view adds after the host's */
	char buf[4096];
	size_t used = 0, cap = (size_t)c->args[2] < sizeof buf ? (size_t)c->args[2] : sizeof buf;
	for (;;) {
		const char *name;
		size_t nl;
		unsigned char type = DT_DIR;
		int idx = pos - (synth ? 2 : 0);
		if (synth && pos < 2) {
			name = pos == 0 ? "." : "..";
			nl = (size_t)pos + 1;
		} else {
			name = mount_node_child(node, idx, &nl);
			if (!name)
				break;
			if (!synth) {
				/* already listed by the host? */
				char cn[256];
				memcpy(cn, name, nl);
				cn[nl] = 0;
				struct stat st;
				if (sys(SYS_newfstatat, fd, (long)cn, (long)&st, AT_SYMLINK_NOFOLLOW, 0, 0) == 0) {
					pos++;
					continue;
				}
			}
		}
		size_t rec = (sizeof(struct dirent64_hdr) + nl + 1 + 7) & ~(size_t)7;
		if (used + rec > cap) {
			if (!used)
				return lp_block(EINVAL);  /* the buffer is too small */
			break;
		}
		struct dirent64_hdr *d = (struct dirent64_hdr *)(buf + used);
		memset(d, 0, rec);
		char full[VFS_PATH_MAX + 256];
		memcpy(full, view, vn);
		full[vn] = '/';
		memcpy(full + vn + 1, name, nl);
		d->d_ino = fake_ino(full, vn + 1 + nl);
		d->d_off = (int64_t)pos + 1;
		d->d_reclen = (unsigned short)rec;
		d->d_type = type;
		memcpy(d->d_name, name, nl);
		d->d_name[nl] = 0;
		used += rec;
		pos++;
	}
	if (used && lp_copy_to_user((void *)c->args[1], buf, used))
		return lp_block(EFAULT);
	set_listing(fd, host_done, pos);
	return lp_return((long)used);
}

static lp_action handle_lseek(lp_ctx *c, void *data)
{
	(void)data;
	int fd = (int)c->args[0];
	struct fd_info fi;
	bool known = fd_info(fd, &fi);
	if (known && fi.has_listing)
		return ovl_lseek(c, fd);
	bool synth = known && fi.synthetic;
	int pos = synth ? fi.listed_extra : 0;
	if (synth) {
		/* only the view lists it: the position is the entry index */
		long off = c->args[1];
		if (c->args[2] == SEEK_CUR) {
			off += pos;
		} else if (c->args[2] != SEEK_SET) {
			return lp_block(EINVAL);
		}
		if (off < 0)
			return lp_block(EINVAL);
		set_listing(fd, fi.listed_host, (int)off);
		return lp_return(off);
	}
	long r = lp_ctx_exec(c);
	if (r == 0 && c->args[1] == 0 && c->args[2] == SEEK_SET) {
		set_listing(fd, false, 0);  /* rewound: list it all again */
		if (known && fi.ovl_one_layer)
			recheck_one_layer(fd, &fi);
	}
	return lp_return(r);
}

/* ---- AF_UNIX socket paths ---- */

static lp_action handle_sockaddr(lp_ctx *c, void *data)
{
	(void)data;
	int ai, li;  /* argument indexes of the address and its length */
	struct msghdr mh;
	switch (c->nr) {
	case SYS_bind:
	case SYS_connect:
		ai = 1, li = 2;
		break;
	case SYS_sendto:
		ai = 4, li = 5;
		break;
	default:  /* sendmsg */
		if (lp_copy_from_user(&mh, (void *)c->args[1], sizeof mh))
			return lp_continue();
		ai = li = -1;
	}
	const void *ua = ai >= 0 ? (const void *)c->args[ai] : mh.msg_name;
	size_t alen = ai >= 0 ? (size_t)c->args[li] : mh.msg_namelen;
	struct sockaddr_un sa;
	if (!ua || alen <= sizeof(sa.sun_family) || alen > sizeof sa)
		return lp_continue();
	memset(&sa, 0, sizeof sa);
	if (lp_copy_from_user(&sa, ua, alen))
		return lp_continue();
	if (sa.sun_family != AF_UNIX || sa.sun_path[0] == 0)
		return lp_continue();  /* not a path (abstract or another family) */
	char path[sizeof sa.sun_path + 1];
	size_t pl = alen - sizeof(sa.sun_family);
	memcpy(path, sa.sun_path, pl);
	path[pl] = 0;
	struct vfs_path p;
	long r = vfs_resolve(AT_FDCWD, path, c->nr == SYS_bind ? 0 : VR_FOLLOW, &p);
	if (r < 0)
		return lp_return(r);
	if (c->nr == SYS_bind && (read_only(&p) || p.synthetic))
		return lp_block(EROFS);
	if (c->nr == SYS_bind && vfs_is_overlay(p.mount)) {
		bool was_whiteout;
		r = ovl_make_ready(p.mount, &p, &was_whiteout);
		if (r == 1)
			return lp_block(EADDRINUSE);
		if (r < 0)
			return lp_return(r);
	}
	/* too long for sun_path: reach it through its directory's fd */
	long dirfd = -1;
	const char *host = p.host;
	char viafd[64];
	if (p.host_len >= sizeof sa.sun_path) {
		char *slash = p.host + p.host_len;
		while (slash > p.host && *slash != '/')
			slash--;
		*slash = 0;
		dirfd = sys(SYS_openat, AT_FDCWD, (long)(slash == p.host ? "/" : p.host), O_PATH | O_DIRECTORY | O_CLOEXEC,
			    0, 0, 0);
		if (dirfd < 0)
			return lp_return(dirfd);
		size_t n = vfs_fd_link(viafd, dirfd);
		viafd[n++] = '/';
		size_t bl = strlen(slash + 1);
		if (n + bl >= sizeof viafd || n + bl >= sizeof sa.sun_path) {
			sys(SYS_close, dirfd, 0, 0, 0, 0, 0);
			return lp_block(ENAMETOOLONG);
		}
		memcpy(viafd + n, slash + 1, bl + 1);
		host = viafd;
	}
	struct sockaddr_un hs;
	memset(&hs, 0, sizeof hs);
	hs.sun_family = AF_UNIX;
	size_t hl = strlen(host);
	memcpy(hs.sun_path, host, hl);
	socklen_t hlen = (socklen_t)(sizeof(hs.sun_family) + hl + 1);
	if (ai >= 0) {
		c->args[ai] = (long)&hs;
		c->args[li] = hlen;
	} else {
		mh.msg_name = &hs;
		mh.msg_namelen = hlen;
		c->args[1] = (long)&mh;
	}
	r = lp_ctx_exec(c);
	if (dirfd >= 0)
		sys(SYS_close, dirfd, 0, 0, 0, 0, 0);
	if (r == 0 && c->nr == SYS_bind && vfs_is_overlay(p.mount))
		ovl_changed();  /* a socket made in UPPER */
	return lp_return(r);
}

static lp_action handle_refused(lp_ctx *c, void *data)
{
	(void)c;
	return lp_block((int)(intptr_t)data);
}

/* bpf(BPF_OBJ_PIN / BPF_OBJ_GET) name files (in a bpffs): refused, the
 * other commands take no paths */
static lp_action handle_bpf(lp_ctx *c, void *data)
{
	(void)data;
	if (c->args[0] == 6 || c->args[0] == 7)  /* BPF_OBJ_PIN, BPF_OBJ_GET */
		return lp_block(EPERM);
	return lp_continue();
}

/* ---- prefilters: what no mount can affect runs at once ---- */

/* The kind byte as it is (FD_OVL_DIR too) */
static uint8_t raw_kind_of_fd(long fd)
{
	struct vfs_proc *pr = vfs_proc();
	if (fd == AT_FDCWD)
		return pr->cwd_kind;
	if (fd < 0 || fd >= VFS_MAX_FD)
		return FD_SPECIAL;  /* unknown: let the handler decide */
	return __atomic_load_n(&pr->kind[fd], __ATOMIC_ACQUIRE);
}

/* Does a ".." component start in S (N bytes)?  Eight bytes at a time
 * where there is no '.' at all (every path a prefilter sees is scanned). */
static bool dotdot_in(const char *s, size_t n)
{
	typedef uint64_t __attribute__((may_alias, aligned(1))) word;
	for (size_t i = 0; i < n;) {
		if (i + 8 <= n) {
			uint64_t w = *(const word *)(s + i) ^ 0x2e2e2e2e2e2e2e2eull;  /* '.' bytes become 0 */
			if (!((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull)) {
				i += 8;
				continue;
			}
		}
		if (s[i] == '.' && i + 1 < n && s[i + 1] == '.' && (i == 0 || s[i - 1] == '/') &&
		    (i + 2 == n || s[i + 2] == '/'))
			return true;
		i++;
	}
	return false;
}

/* Does a path have a ".." component?  Reads it in pieces. */
static int has_dotdot(const char *up, const char *first, size_t n)
{
	char buf[256];
	const char *s = first;
	size_t off = 0;
	for (;;) {
		if (dotdot_in(s, n))
			return 1;
		if (n < sizeof buf - 1)
			return 0;  /* the whole path was read */
		/* keep 2 bytes of overlap for a ".." across the pieces */
		off += n - 3;
		long r = lp_strncpy_from_user(buf, up + off, sizeof buf);
		if (r == -EFAULT)
			return 0;
		n = r >= 0 ? (size_t)r : sizeof buf - 1;
		s = buf;
	}
}

static int first_component_is_top(const char *p, size_t n)
{
	size_t i = 1, s;
	/* "//x" and "/./x" name /x */
	while (i < n && (p[i] == '/' || (p[i] == '.' && (i + 1 == n || p[i + 1] == '/'))))
		i++;
	s = i;
	while (i < n && p[i] != '/')
		i++;
	size_t cl = i - s;
	if (cl == 0 || vfs.n_top < 0)
		return 1;  /* "/" itself: an ancestor of every mount */
	for (int k = 0; k < vfs.n_top; k++)
		if (vfs.top[k][0] == p[s] && !memcmp(vfs.top[k], p + s, cl) && !vfs.top[k][cl])
			return 1;
	return 0;
}

/* Does a /proc path name or go through a cwd or fd/N link (resolve.c)? */
static bool through_proc_link(const char *p, size_t n)
{
	for (size_t i = 6; i + 4 <= n; i++)
		if (p[i] == '/' && (!memcmp(p + i, "/fd/", 4) ||
				    (!memcmp(p + i, "/cwd", 4) && (i + 4 == n || p[i + 4] == '/'))))
			return true;
	return false;
}

/* Does the call change what it names?  (writes(), for a prefilter) */
static bool route_writes(const struct route *rt, const long a[6])
{
	long fl = rt->flags >= 0 ? a[rt->flags] : 0;
	return rt->write == W_YES || (rt->write == W_OPEN && open_writes(fl)) ||
	       (rt->write == W_ACCESS && (a[rt->path + 1] & W_OK));
}

/* A change through the fd itself needs a look where it may be refused. */
static int fd_itself(const struct route *rt, long dirfd, const long a[6])
{
	uint8_t raw = raw_kind_of_fd(dirfd), k = handled_kind(raw);
	/* stat of a directory of one lower layer: nothing to fix */
	if ((rt->nr == SYS_newfstatat || rt->nr == SYS_statx) && lower_dir(raw))
		return 0;
	return k == FD_SPECIAL || (k == FD_PLAIN_RO && route_writes(rt, a));
}

static int pf_path(long nr, const long a[6])
{
	const struct route *rt = route_of[nr];
	const char *up = (const char *)a[rt->path];
	if (!up && rt->null_ok)  /* the fd itself */
		return rt->dirfd >= 0 && fd_itself(rt, a[rt->dirfd], a);
	if ((uintptr_t)up < 8192)
		return 1;  /* EFAULT: the kernel could read page 0's trampoline */
	/* always the handler's (it answers EFAULT as well): calls of two paths,
	 * execve, chdir; and every path after chroot(2), resolved from its root */
	if (rt->path2 >= 0 || rt->special == handle_exec || rt->special == handle_chdir ||
	    (vfs_chroot_seen && vfs_proc()->root_len))
		return 1;
	char buf[256];
	long n = lp_strncpy_from_user(buf, up, sizeof buf);
	if (n == -EFAULT)
		return 0;
	if (n < 0)
		n = sizeof buf - 1;
	long dirfd = rt->dirfd >= 0 ? a[rt->dirfd] : AT_FDCWD;
	if (n == 0)
		return fd_itself(rt, dirfd, a);  /* AT_EMPTY_PATH: the fd itself */
	if (buf[0] == '/') {
		unsigned char c = (unsigned char)buf[1];
		if (vfs.top_first[c >> 6] >> (c & 63) & 1) {  /* not most paths: may lead into a mount or /proc */
			if (first_component_is_top(buf, (size_t)n))
				return 1;
			if (rt->special == handle_readlink && n >= 5 && !memcmp(buf, "/proc", 5))
				return 1;
			if (n > 6 && !memcmp(buf, "/proc/", 6) && through_proc_link(buf, (size_t)n))
				return 1;
		}
		return has_dotdot(up, buf, (size_t)n);
	}
	uint8_t raw = raw_kind_of_fd(dirfd), k = handled_kind(raw);
	if (k == FD_HOST)
		return has_dotdot(up, buf, (size_t)n);
	/* in a directory of one lower layer, a stat (no fix: find, ls -l) */
	bool lower = (nr == SYS_newfstatat || nr == SYS_statx) && lower_dir(raw);
	if (k == FD_SPECIAL && !lower)
		return 1;
	/* a plain name in a directory inside a mount: the kernel resolves it
	 * as the view would, unless it leads out (a symlink, "..") or the
	 * mount is read-only and the syscall writes */
	if (!plain_name(buf, n, sizeof buf))
		return 1;
	long fl = rt->flags >= 0 ? a[rt->flags] : 0;
	bool follow;
	switch (rt->follow) {
	case F_NEVER:
		follow = false;
		break;
	case F_UNLESS_FLAG:
		follow = !(fl & AT_SYMLINK_NOFOLLOW);
		break;
	case F_IF_FLAG:
		follow = fl & AT_SYMLINK_FOLLOW;
		break;
	case F_OPEN:
		follow = !(fl & O_NOFOLLOW) && (fl & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
		break;
	default:
		follow = true;
	}
	if (follow)
		return 1;
	bool w = route_writes(rt, a);
	if (w && k == FD_PLAIN_RO)
		return 1;
	/* opens are tracked (for fchdir, *at and /proc/self/fd): see them */
	if (rt->special == handle_open)
		return 1;
	return 0;
}

static int pf_fd(long nr, const long a[6])
{
	switch (nr) {
	case SYS_close: {
		/* a tracked fd: forget it here, at once (its entry is dropped
		 * when the number is used again; see state.c) -- unless this is
		 * a vfork-style child, whose table is still its parent's */
		long fd = a[0];
		if (kind_of_fd(fd) == FD_HOST)
			return 0;
		if (fd < 0 || fd >= VFS_MAX_FD || lp_shares_parent_memory())
			return 1;
		__atomic_store_n(&vfs_proc()->kind[fd], FD_HOST, __ATOMIC_RELEASE);
		return 0;
	}
	case SYS_dup:
		return kind_of_fd(a[0]) != FD_HOST;
	case SYS_dup2:
	case SYS_dup3:
		return kind_of_fd(a[0]) != FD_HOST || kind_of_fd(a[1]) != FD_HOST;
	case SYS_fcntl:
		return (a[1] == F_DUPFD || a[1] == F_DUPFD_CLOEXEC) && kind_of_fd(a[0]) != FD_HOST;
	case SYS_close_range: {
		struct vfs_proc *pr = vfs_proc();
		unsigned long first = (unsigned long)a[0], last = (unsigned long)a[1];
		if (last > (unsigned long)pr->max_fd)
			last = (unsigned long)pr->max_fd;
		for (unsigned long fd = first; fd <= last && fd < VFS_MAX_FD; fd++)
			if (pr->kind[fd])
				return 1;
		return 0;
	}
	case SYS_getdents64:
		return raw_kind_of_fd(a[0]) == FD_SPECIAL;
	case SYS_fstat: {
		uint8_t raw = raw_kind_of_fd(a[0]);
		return handled_kind(raw) == FD_SPECIAL && !lower_dir(raw);
	}
	case SYS_lseek:
		return kind_of_fd(a[0]) == FD_SPECIAL;
	case SYS_fchmod:
	case SYS_fchown:
	case SYS_fsetxattr:
	case SYS_fremovexattr:
	case SYS_fstatfs: {
		uint8_t k = kind_of_fd(a[0]);
		return k == FD_PLAIN_RO || k == FD_SPECIAL;
	}
	case SYS_getcwd:
		return vfs_proc()->cwd_kind != FD_HOST;
	}
	return 1;
}

static int pf_sock(long nr, const long a[6])
{
	const void *ua;
	struct msghdr mh;
	if (nr == SYS_sendmsg) {
		if (lp_copy_from_user(&mh, (void *)a[1], sizeof mh))
			return 0;
		ua = mh.msg_name;
	} else {
		ua = (const void *)a[nr == SYS_sendto ? 4 : 1];
	}
	unsigned short fam;
	char first[2];
	if (!ua || lp_copy_from_user(&fam, ua, sizeof fam) || fam != AF_UNIX ||
	    lp_copy_from_user(first, (const char *)ua + 2, 1) || first[0] == 0)
		return 0;
	return 1;
}

/* With fake root, some syscalls must reach its handlers even where the
 * view has nothing to do: the view's handler then runs its prefilter
 * itself, and does nothing where the prefilter would have let it go. */
static struct prefiltered {
	lp_handler fn;
	void *data;
	lp_prefilter pf;
} prefiltered[512] VFS_APART;

static lp_action through_prefilter(lp_ctx *c, void *data)
{
	const struct prefiltered *w = data;
	if (!w->pf(c->nr, c->args))
		return lp_continue();
	return w->fn(c, w->data);
}

static int reg(lp_interposer *ip, long nr, lp_handler fn, void *data, lp_prefilter pf)
{
	if (pf && vfs_fakeroot_wants(nr) && nr < (long)(sizeof prefiltered / sizeof *prefiltered)) {
		prefiltered[nr] = (struct prefiltered){ fn, data, pf };
		return lp_on_flags(ip, nr, through_prefilter, &prefiltered[nr], LP_GPR_ONLY);
	}
	int r = lp_on_flags(ip, nr, fn, data, LP_GPR_ONLY);
	return r || !pf ? r : lp_on_prefilter(ip, nr, pf);
}

int vfs_register(lp_interposer *ip)
{
	int r = 0;
	for (size_t i = 0; i < sizeof routes / sizeof *routes && !r; i++) {
		const struct route *rt = &routes[i];
		route_of[rt->nr] = rt;
		r = reg(ip, rt->nr, rt->special ? rt->special : handle_path, (void *)rt, pf_path);
	}
	static const struct {
		long nr;
		lp_handler fn;
	} fdcalls[] = {
		{ SYS_close, handle_close },   { SYS_close_range, handle_close },
		{ SYS_dup, handle_dup },       { SYS_dup2, handle_dup },
		{ SYS_dup3, handle_dup },      { SYS_fcntl, handle_fcntl },
		{ SYS_getdents64, handle_getdents }, { SYS_lseek, handle_lseek },
		{ SYS_fstat, handle_fstat },   { SYS_getcwd, handle_getcwd },
	};
	for (size_t i = 0; i < sizeof fdcalls / sizeof *fdcalls && !r; i++)
		r = reg(ip, fdcalls[i].nr, fdcalls[i].fn, NULL, pf_fd);
	if (!r)
		r = reg(ip, SYS_fchdir, handle_fchdir, NULL, NULL);
	if (!r)
		r = reg(ip, SYS_chroot, handle_chroot, NULL, NULL);
	if (!r)
		r = reg(ip, SYS_bpf, handle_bpf, NULL, NULL);
	if (!r)
		r = reg(ip, SYS_fstatfs, handle_fstatfs, NULL, pf_fd);
	static const long fdwrites[] = { SYS_fchmod, SYS_fchown, SYS_fsetxattr, SYS_fremovexattr };
	for (size_t i = 0; i < sizeof fdwrites / sizeof *fdwrites && !r; i++)
		r = reg(ip, fdwrites[i], handle_fd_write, NULL, pf_fd);
	static const long sockcalls[] = { SYS_bind, SYS_connect, SYS_sendto, SYS_sendmsg };
	for (size_t i = 0; i < sizeof sockcalls / sizeof *sockcalls && !r; i++)
		r = reg(ip, sockcalls[i], handle_sockaddr, NULL, pf_sock);
	for (size_t i = 0; i < sizeof refused / sizeof *refused && !r; i++)
		r = lp_on_flags(ip, refused[i].nr, handle_refused, (void *)(intptr_t)refused[i].err,
				LP_GPR_ONLY);
	return r;
}
