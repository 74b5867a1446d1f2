/* Fake root (vfsrun -0): the program believes it runs as root.
 *
 * The get*id calls report the fake credentials (0 at first) and the set*id
 * calls change them by the kernel's rules for root; chown and the mknod
 * of a device succeed and are remembered, chmod that the kernel refuses
 * is remembered, and stat reports what was remembered (files of the real
 * user look like root's) -- as fakeroot does, so that dpkg can install.
 *
 * What is remembered lives in a table shared by every process of the
 * view: a file mapped MAP_SHARED (vfsrun's, in memory, or the user's
 * --fake-root-file), keyed by the file's identity as stat reports it
 * (device, inode).  Slots are claimed with a compare-and-swap and never
 * waited for, so a signal handler cannot deadlock on them; a removed
 * file's entry is cleared.
 *
 * The stat handlers run before the view's (they patch what it reports);
 * the others after it, on the host path it resolved. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "vfs_internal.h"

#define FR_MAGIC 0x31746f6f726b6166ull  /* "fakroot1" */
#define FR_SLOTS (1u << 17)

enum { FR_UID = 1, FR_GID = 2, FR_MODE = 4, FR_RDEV = 8 };
enum { SLOT_FREE = 0, SLOT_CLAIMED = 1, SLOT_READY = 2 };

struct fr_entry {
	uint64_t dev, ino;
	uint32_t state, set;
	uint32_t uid, gid, mode, pad;
	uint64_t rdev;
};

struct fr_table {
	uint64_t magic;
	uint32_t slots, pad;
	struct fr_entry e[FR_SLOTS];
};

static struct fr_table *table;
static uint32_t real_uid, real_gid;

/* the fake credentials of this process (fork copies them; execve gets
 * them through VFSRUN_FAKEIDS) */
#define FR_MAX_GROUPS 64
static struct {
	uint32_t uid[4], gid[4];  /* real, effective, saved, fs */
	int ngroups;
	uint32_t groups[FR_MAX_GROUPS];
} ids = { .ngroups = 1 };

/* ---- the table ---- */

/* A dev_t as stat reports it, taken apart (the kernel's encoding). */
static uint32_t dev_major(uint64_t d)
{
	return (uint32_t)(((d >> 8) & 0xfff) | ((d >> 32) & ~0xfffull));
}

static uint32_t dev_minor(uint64_t d)
{
	return (uint32_t)((d & 0xff) | ((d >> 12) & ~0xffull));
}

static uint64_t dev_key(uint64_t major, uint64_t minor)
{
	return major << 32 | minor;
}

static uint64_t stat_dev_key(uint64_t d)
{
	return dev_key(dev_major(d), dev_minor(d));
}

static uint32_t slot_of(uint64_t dev, uint64_t ino)
{
	uint64_t h = (ino * 0x9e3779b97f4a7c15ull) ^ (dev * 0xc2b2ae3d27d4eb4full);
	return (uint32_t)(h >> 40) % FR_SLOTS;
}

static struct fr_entry *find(uint64_t dev, uint64_t ino)
{
	for (uint32_t i = slot_of(dev, ino), k = 0; k < FR_SLOTS; i = (i + 1) % FR_SLOTS, k++) {
		struct fr_entry *e = &table->e[i];
		uint32_t st = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
		if (st == SLOT_FREE)
			return NULL;
		if (st == SLOT_READY && e->dev == dev && e->ino == ino)
			return e;
	}
	return NULL;
}

static struct fr_entry *find_or_add(uint64_t dev, uint64_t ino)
{
	struct fr_entry *e = find(dev, ino);
	for (uint32_t i = slot_of(dev, ino), k = 0; !e && k < FR_SLOTS; i = (i + 1) % FR_SLOTS, k++) {
		uint32_t free_state = SLOT_FREE;
		struct fr_entry *s = &table->e[i];
		if (__atomic_compare_exchange_n(&s->state, &free_state, SLOT_CLAIMED, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			s->dev = dev;
			s->ino = ino;
			s->set = 0;
			__atomic_store_n(&s->state, SLOT_READY, __ATOMIC_RELEASE);
			e = s;
		}
	}
	return e;  /* NULL: the table is full */
}

/* ---- identities ---- */

struct ident {
	uint64_t dev, ino;
	uint32_t mode, nlink;
};

/* The identity stat reports for a host file: a copied-up overlay file
 * keeps its lower file's inode number (see ovl_fix_ino). */
static long ident_at(long dirfd, const char *path, long flags, struct ident *id)
{
	struct stat st;
	long r = sys(SYS_newfstatat, dirfd, (long)path, (long)&st, flags, 0, 0);
	if (r < 0)
		return r;
	id->dev = stat_dev_key(st.st_dev);
	id->ino = st.st_ino;
	id->mode = st.st_mode;
	id->nlink = (uint32_t)st.st_nlink;
	uint64_t origin;
	long n = -1;
	if (S_ISREG(st.st_mode) && path[0] == '/')
		n = sys(SYS_lgetxattr, (long)path, (long)OVL_ORIGIN_XATTR, (long)&origin, sizeof origin, 0, 0);
	else if (S_ISREG(st.st_mode) && !path[0] && dirfd >= 0)
		n = sys(SYS_fgetxattr, dirfd, (long)OVL_ORIGIN_XATTR, (long)&origin, sizeof origin, 0, 0);
	if (n == sizeof origin)
		id->ino = origin;
	return 0;
}

/* ---- stat: patched after the view answered ---- */

static void patch_stat(void *ubuf)
{
	struct stat st;
	if (lp_copy_from_user(&st, ubuf, sizeof st))
		return;
	const struct fr_entry *e = find(stat_dev_key(st.st_dev), st.st_ino);
	unsigned set = e ? e->set : 0;
	st.st_uid = set & FR_UID ? e->uid : st.st_uid == real_uid ? 0 : st.st_uid;
	st.st_gid = set & FR_GID ? e->gid : st.st_gid == real_gid ? 0 : st.st_gid;
	if (set & FR_MODE)
		st.st_mode = e->mode;
	if (set & FR_RDEV) {
		st.st_rdev = e->rdev;
		st.st_size = 0;
	}
	lp_copy_to_user(ubuf, &st, sizeof st);
}

static void patch_statx(void *ubuf)
{
	struct statx sx;
	if (lp_copy_from_user(&sx, ubuf, sizeof sx))
		return;
	const struct fr_entry *e = find(dev_key(sx.stx_dev_major, sx.stx_dev_minor), sx.stx_ino);
	unsigned set = e ? e->set : 0;
	if (sx.stx_mask & STATX_UID)
		sx.stx_uid = set & FR_UID ? e->uid : sx.stx_uid == real_uid ? 0 : sx.stx_uid;
	if (sx.stx_mask & STATX_GID)
		sx.stx_gid = set & FR_GID ? e->gid : sx.stx_gid == real_gid ? 0 : sx.stx_gid;
	if (set & FR_MODE)
		sx.stx_mode = (uint16_t)e->mode;
	if (set & FR_RDEV) {
		sx.stx_rdev_major = dev_major(e->rdev);
		sx.stx_rdev_minor = dev_minor(e->rdev);
		sx.stx_size = 0;
	}
	lp_copy_to_user(ubuf, &sx, sizeof sx);
}

static lp_action fr_stat(lp_ctx *c, void *data)
{
	(void)data;
	long r = lp_ctx_exec(c);
	if (r == 0) {
		if (c->nr == SYS_statx)
			patch_statx((void *)c->args[4]);
		else
			patch_stat((void *)c->args[c->nr == SYS_newfstatat ? 2 : 1]);
	}
	return lp_return(r);
}

/* ---- changes: after the view, on host paths ---- */

/* The file a call names: (dirfd, path copied into buf, flags as for
 * newfstatat); -errno if the path cannot be read. */
static long target_of(const lp_ctx *c, long *dirfd, char *buf, long *flags)
{
	const char *upath = NULL;
	*dirfd = AT_FDCWD;
	*flags = AT_EMPTY_PATH;
	switch (c->nr) {
	case SYS_chown:
	case SYS_chmod:
	case SYS_access:
		upath = (const char *)c->args[0];
		*flags = 0;
		break;
	case SYS_lchown:
	case SYS_mknod:
	case SYS_unlink:
	case SYS_rmdir:
		upath = (const char *)c->args[0];
		*flags = AT_SYMLINK_NOFOLLOW;
		break;
	case SYS_mknodat:
	case SYS_unlinkat:
		*dirfd = c->args[0];
		upath = (const char *)c->args[1];
		*flags = AT_SYMLINK_NOFOLLOW;
		break;
	case SYS_faccessat:
	case SYS_faccessat2:
		*dirfd = c->args[0];
		upath = (const char *)c->args[1];
		*flags = c->nr == SYS_faccessat2 ? c->args[3] & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) : 0;
		break;
	case SYS_fchown:
	case SYS_fchmod:
		*dirfd = c->args[0];
		break;
	case SYS_fchownat:
		*dirfd = c->args[0];
		upath = (const char *)c->args[1];
		*flags = c->args[4] & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
		break;
	case SYS_fchmodat:
	case 452: /* fchmodat2 */
		*dirfd = c->args[0];
		upath = (const char *)c->args[1];
		*flags = c->nr == 452 ? c->args[3] & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) : 0;
		break;
	}
	buf[0] = 0;
	long n = upath ? lp_strncpy_from_user(buf, upath, VFS_PATH_MAX) : 0;
	return n < 0 ? n : 0;
}

static lp_action fr_chown(lp_ctx *c, void *data)
{
	(void)data;
	long dirfd, flags;
	char path[VFS_PATH_MAX];
	long r = target_of(c, &dirfd, path, &flags);
	/* the file must exist and be reachable, as for a real chown */
	struct ident id;
	if (r == 0)
		r = ident_at(dirfd, path, flags, &id);
	if (r < 0)
		return lp_return(r);
	uint32_t uid = (uint32_t)c->args[c->nr == SYS_fchownat ? 2 : 1];
	uint32_t gid = (uint32_t)c->args[c->nr == SYS_fchownat ? 3 : 2];
	struct fr_entry *e = find_or_add(id.dev, id.ino);
	if (!e)
		return lp_block(ENOSPC);
	if (uid != (uint32_t)-1) {
		e->uid = uid;
		__atomic_or_fetch(&e->set, FR_UID, __ATOMIC_RELEASE);
	}
	if (gid != (uint32_t)-1) {
		e->gid = gid;
		__atomic_or_fetch(&e->set, FR_GID, __ATOMIC_RELEASE);
	}
	/* as root's chown, it drops set-user-ID (and group-ID with group x) */
	if (!S_ISDIR(id.mode) && !S_ISLNK(id.mode) && (uid != (uint32_t)-1 || gid != (uint32_t)-1)) {
		uint32_t m = e->set & FR_MODE ? e->mode : id.mode;
		uint32_t nm = m & ~(uint32_t)(S_ISUID | ((m & S_IXGRP) ? S_ISGID : 0));
		if (nm != m) {
			e->mode = nm;
			__atomic_or_fetch(&e->set, FR_MODE, __ATOMIC_RELEASE);
		}
	}
	return lp_return(0);
}

static lp_action fr_chmod(lp_ctx *c, void *data)
{
	(void)data;
	long r = lp_ctx_exec(c);
	if (r != 0 && r != -EPERM)
		return lp_return(r);
	long dirfd, flags;
	char path[VFS_PATH_MAX];
	struct ident id;
	if (target_of(c, &dirfd, path, &flags) < 0 || ident_at(dirfd, path, flags, &id) < 0)
		return lp_return(r);
	struct fr_entry *e = r == 0 ? find(id.dev, id.ino) : find_or_add(id.dev, id.ino);
	if (!e)
		return lp_return(r == 0 ? 0 : -ENOSPC);
	if (r == 0 && !(e->set & FR_MODE))
		return lp_return(0);  /* the kernel's mode is right */
	uint32_t mode = (uint32_t)c->args[c->nr == SYS_chmod || c->nr == SYS_fchmod ? 1 : 2] & 07777;
	uint32_t type = e->set & FR_MODE ? e->mode & S_IFMT : id.mode & S_IFMT;
	e->mode = type | mode;
	__atomic_or_fetch(&e->set, FR_MODE, __ATOMIC_RELEASE);
	return lp_return(0);
}

/* A device node becomes an empty regular file that stat reports as it. */
static lp_action fr_mknod(lp_ctx *c, void *data)
{
	(void)data;
	int at = c->nr == SYS_mknodat;
	uint32_t mode = (uint32_t)c->args[1 + at];
	if (!S_ISCHR(mode) && !S_ISBLK(mode))
		return lp_continue();
	uint64_t dev = (uint64_t)c->args[2 + at];
	c->args[1 + at] = S_IFREG | (mode & 07777);
	c->args[2 + at] = 0;
	long r = lp_ctx_exec(c);
	if (r < 0)
		return lp_return(r);
	long dirfd, flags;
	char path[VFS_PATH_MAX];
	struct ident id;
	if (target_of(c, &dirfd, path, &flags) < 0 || ident_at(dirfd, path, flags, &id) < 0)
		return lp_return(0);
	struct fr_entry *e = find_or_add(id.dev, id.ino);
	if (e) {
		e->mode = (mode & S_IFMT) | (id.mode & 07777);  /* the umask applied */
		e->rdev = dev;
		__atomic_or_fetch(&e->set, FR_MODE | FR_RDEV, __ATOMIC_RELEASE);
	}
	return lp_return(0);
}

/* A file whose last name goes takes its entry with it (its inode number
 * may come back for another file). */
static lp_action fr_unlink(lp_ctx *c, void *data)
{
	(void)data;
	long dirfd, flags;
	char path[VFS_PATH_MAX];
	struct ident id;
	bool known = target_of(c, &dirfd, path, &flags) == 0 && ident_at(dirfd, path, flags, &id) == 0;
	long r = lp_ctx_exec(c);
	if (r == 0 && known && (S_ISDIR(id.mode) || id.nlink <= 1)) {
		struct fr_entry *e = find(id.dev, id.ino);
		if (e)
			__atomic_store_n(&e->set, 0, __ATOMIC_RELEASE);
	}
	return lp_return(r);
}

/* Root may read and write anything, and run what has an x bit. */
static lp_action fr_access(lp_ctx *c, void *data)
{
	(void)data;
	long r = lp_ctx_exec(c);
	if (r != -EACCES || !vfs_privileged())
		return lp_return(r);
	long dirfd, flags;
	char path[VFS_PATH_MAX];
	struct ident id;
	if (target_of(c, &dirfd, path, &flags) < 0 || ident_at(dirfd, path, flags, &id) < 0)
		return lp_return(r);
	int at = c->nr != SYS_access;
	if ((c->args[1 + at] & X_OK) && !S_ISDIR(id.mode) && !(id.mode & 0111))
		return lp_return(r);
	return lp_return(0);
}

/* ---- credentials ---- */

enum { REAL, EFF, SAVED, FS };

static lp_action fr_getid(lp_ctx *c, void *data)
{
	(void)data;
	switch (c->nr) {
	case SYS_getuid: return lp_return(ids.uid[REAL]);
	case SYS_geteuid: return lp_return(ids.uid[EFF]);
	case SYS_getgid: return lp_return(ids.gid[REAL]);
	case SYS_getegid: return lp_return(ids.gid[EFF]);
	}
	const uint32_t *v = c->nr == SYS_getresuid ? ids.uid : ids.gid;
	for (int i = 0; i < 3; i++)
		if (lp_copy_to_user((void *)c->args[i], &v[i], sizeof v[i]))
			return lp_block(EFAULT);
	return lp_return(0);
}

static bool is_one_of(uint32_t x, const uint32_t *v)
{
	return x == v[REAL] || x == v[EFF] || x == v[SAVED];
}

/* setresuid/setresgid by the kernel's rules (unprivileged: each new id
 * one of the current three; root, i.e. fake euid 0: anything). */
static long set_res(uint32_t *v, uint32_t r, uint32_t e, uint32_t s)
{
	bool priv = ids.uid[EFF] == 0;
	uint32_t none = (uint32_t)-1;
	if (!priv && ((r != none && !is_one_of(r, v)) || (e != none && !is_one_of(e, v)) ||
		      (s != none && !is_one_of(s, v))))
		return -EPERM;
	if (r != none)
		v[REAL] = r;
	if (e != none)
		v[EFF] = e;
	if (s != none)
		v[SAVED] = s;
	v[FS] = v[EFF];
	return 0;
}

static lp_action fr_setid(lp_ctx *c, void *data)
{
	(void)data;
	uint32_t a = (uint32_t)c->args[0], b = (uint32_t)c->args[1], none = (uint32_t)-1;
	bool user = c->nr == SYS_setuid || c->nr == SYS_setreuid || c->nr == SYS_setresuid || c->nr == SYS_setfsuid;
	uint32_t *v = user ? ids.uid : ids.gid;
	bool priv = ids.uid[EFF] == 0;
	switch (c->nr) {
	case SYS_setuid:
	case SYS_setgid:
		if (priv)
			return lp_return(set_res(v, a, a, a));
		if (a != v[REAL] && a != v[SAVED])
			return lp_block(EPERM);
		return lp_return(set_res(v, none, a, none));
	case SYS_setreuid:
	case SYS_setregid: {
		if (!priv && ((a != none && a != v[REAL] && a != v[EFF]) || (b != none && !is_one_of(b, v))))
			return lp_block(EPERM);
		uint32_t new_eff = b != none ? b : v[EFF];
		if (a != none || (b != none && b != v[REAL]))
			v[SAVED] = new_eff;
		if (a != none)
			v[REAL] = a;
		v[EFF] = v[FS] = new_eff;
		return lp_return(0);
	}
	case SYS_setresuid:
	case SYS_setresgid:
		return lp_return(set_res(v, a, b, (uint32_t)c->args[2]));
	case SYS_setfsuid:
	case SYS_setfsgid: {
		uint32_t old = v[FS];
		if (priv || is_one_of(a, v) || a == v[FS])
			if (a != none)
				v[FS] = a;
		return lp_return(old);
	}
	}
	return lp_continue();
}

static lp_action fr_groups(lp_ctx *c, void *data)
{
	(void)data;
	long n = c->args[0];
	if (c->nr == SYS_getgroups) {
		if (n == 0)
			return lp_return(ids.ngroups);
		if (n < ids.ngroups)
			return lp_block(EINVAL);
		if (lp_copy_to_user((void *)c->args[1], ids.groups, (size_t)ids.ngroups * sizeof *ids.groups))
			return lp_block(EFAULT);
		return lp_return(ids.ngroups);
	}
	if (ids.uid[EFF] != 0)
		return lp_block(EPERM);
	if (n < 0 || n > FR_MAX_GROUPS)
		return lp_block(EINVAL);
	if (lp_copy_from_user(ids.groups, (const void *)c->args[1], (size_t)n * sizeof *ids.groups))
		return lp_block(EFAULT);
	ids.ngroups = (int)n;
	return lp_return(0);
}

/* ---- set-up ---- */

/* VFSRUN_FAKEIDS: "ruid,euid,suid,fsuid;rgid,egid,sgid,fsgid;g1,g2,..." */
static int fr_exec_hook(lp_exec_env *env, void *data)
{
	(void)data;
	char s[32 * 10 + FR_MAX_GROUPS * 11 + 8];
	size_t o = 0;
	for (int i = 0; i < 8; i++) {
		vfs_put_num(s, &o, i < 4 ? ids.uid[i] : ids.gid[i - 4]);
		s[o++] = i == 3 || i == 7 ? ';' : ',';
	}
	for (int i = 0; i < ids.ngroups; i++) {
		if (i)
			s[o++] = ',';
		vfs_put_num(s, &o, ids.groups[i]);
	}
	s[o] = 0;
	return lp_exec_env_add(env, "VFSRUN_FAKEIDS", s);
}

static void read_ids(const char *s)
{
	uint32_t v[8 + FR_MAX_GROUPS];
	int n = 0, groups = 0;
	for (const char *p = s; *p && n < 8 + FR_MAX_GROUPS;) {
		uint32_t x = 0;
		while (*p >= '0' && *p <= '9')
			x = x * 10 + (uint32_t)(*p++ - '0');
		v[n++] = x;
		if (n > 8)
			groups++;
		if (*p)
			p++;
		else
			break;
	}
	if (n < 8)
		return;
	for (int i = 0; i < 4; i++) {
		ids.uid[i] = v[i];
		ids.gid[i] = v[4 + i];
	}
	ids.ngroups = groups;
	for (int i = 0; i < groups; i++)
		ids.groups[i] = v[8 + i];
}

/* The table at PATH (made if missing), mapped: its address, or -errno
 * (-EINVAL: not a table of this version). */
static long table_open(const char *path)
{
	long fd = sys(SYS_openat, AT_FDCWD, (long)path, O_RDWR | O_CLOEXEC | O_CREAT, 0600, 0, 0);
	if (fd < 0)
		return fd;
	struct stat st;
	long r = sys(SYS_fstat, fd, (long)&st, 0, 0, 0, 0);
	if (r == 0 && st.st_size == 0) {
		r = sys(SYS_ftruncate, fd, sizeof(struct fr_table), 0, 0, 0, 0);
		st.st_size = sizeof(struct fr_table);
	}
	if (r == 0 && st.st_size != sizeof(struct fr_table))
		r = -EINVAL;
	long a = r;
	if (r == 0)
		a = sys(SYS_mmap, 0, sizeof(struct fr_table), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	sys(SYS_close, fd, 0, 0, 0, 0, 0);
	if (a < 0 && a > -4096)
		return a;
	struct fr_table *t = (struct fr_table *)a;
	uint64_t zero = 0;
	/* a new table gets its header; another process may be doing it too */
	if (__atomic_compare_exchange_n(&t->magic, &zero, FR_MAGIC, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		t->slots = FR_SLOTS;
		return a;
	}
	if (t->magic != FR_MAGIC || (t->slots != FR_SLOTS && t->slots != 0)) {
		sys(SYS_munmap, a, sizeof(struct fr_table), 0, 0, 0, 0);
		return -EINVAL;
	}
	return a;
}

/* the calls fake root takes: stat-like ones before the view, the rest after it */
static const long stats[] = { SYS_stat, SYS_lstat, SYS_fstat, SYS_newfstatat, SYS_statx };
static const struct {
	long nr;
	lp_handler fn;
} after[] = {
	{ SYS_chown, fr_chown },      { SYS_lchown, fr_chown },     { SYS_fchown, fr_chown },
	{ SYS_fchownat, fr_chown },   { SYS_chmod, fr_chmod },      { SYS_fchmod, fr_chmod },
	{ SYS_fchmodat, fr_chmod },   { 452, fr_chmod },            { SYS_mknod, fr_mknod },
	{ SYS_mknodat, fr_mknod },    { SYS_unlink, fr_unlink },    { SYS_unlinkat, fr_unlink },
	{ SYS_rmdir, fr_unlink },     { SYS_getuid, fr_getid },     { SYS_geteuid, fr_getid },
	{ SYS_getgid, fr_getid },     { SYS_getegid, fr_getid },    { SYS_getresuid, fr_getid },
	{ SYS_getresgid, fr_getid },  { SYS_setuid, fr_setid },     { SYS_setgid, fr_setid },
	{ SYS_setreuid, fr_setid },   { SYS_setregid, fr_setid },   { SYS_setresuid, fr_setid },
	{ SYS_setresgid, fr_setid },  { SYS_setfsuid, fr_setid },   { SYS_setfsgid, fr_setid },
	{ SYS_getgroups, fr_groups }, { SYS_setgroups, fr_groups }, { SYS_access, fr_access },
	{ SYS_faccessat, fr_access }, { SYS_faccessat2, fr_access },
};

int vfs_fakeroot_start(lp_interposer *ip, const char *path, const char *fake_ids, bool before_view)
{
	if (before_view) {
		long a = table_open(path);
		if (a < 0)
			return (int)a;
		table = (struct fr_table *)a;
		real_uid = (uint32_t)sys(SYS_getuid, 0, 0, 0, 0, 0, 0);
		real_gid = (uint32_t)sys(SYS_getgid, 0, 0, 0, 0, 0, 0);
		if (fake_ids)
			read_ids(fake_ids);
		int r = 0;
		for (size_t i = 0; i < sizeof stats / sizeof *stats && !r; i++)
			r = lp_on_flags(ip, stats[i], fr_stat, NULL, LP_GPR_ONLY);
		return r;
	}
	int r = 0;
	for (size_t i = 0; i < sizeof after / sizeof *after && !r; i++)
		r = lp_on_flags(ip, after[i].nr, after[i].fn, NULL, LP_GPR_ONLY);
	if (!r)
		r = lp_on_exec(ip, fr_exec_hook, NULL);
	return r;
}

bool vfs_privileged(void)
{
	return table ? ids.uid[EFF] == 0 : sys(SYS_geteuid, 0, 0, 0, 0, 0, 0) == 0;
}

bool vfs_fakeroot_wants(long nr)
{
	if (!table)
		return false;
	for (size_t i = 0; i < sizeof stats / sizeof *stats; i++)
		if (stats[i] == nr)
			return true;
	for (size_t i = 0; i < sizeof after / sizeof *after; i++)
		if (after[i].nr == nr)
			return true;
	return false;
}
