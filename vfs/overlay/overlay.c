/* The overlay backend: DEST shows UPPER (the mount's src) over the lower
 * layers, as the kernel's overlayfs does.
 *
 * A name is looked up layer by layer, from UPPER down: the topmost layer
 * that has it wins; a whiteout in a layer hides the name below it; a
 * directory merges with the directories of the same name below it unless
 * it is opaque (or a non-directory stops the chain).  Reads go straight
 * to the winning layer's file.  Changes go to UPPER: a lower file is first
 * copied up (to an unnamed O_TMPFILE, or a temporary name where the file
 * system has none, then linked or renamed under its real name: a copy-up
 * cut short by ENOSPC, EIO or a crash is never seen under the real name),
 * and a removed lower name leaves a whiteout.
 *
 * On-disk format, the kernel's (Documentation/filesystems/overlayfs.rst):
 * as root, whiteouts are 0/0 character devices and opaque directories
 * carry trusted.overlay.opaque=y; a normal user cannot make those, so its
 * whiteouts are empty files with user.overlay.whiteout and their directory
 * carries user.overlay.opaque=x, and opaque directories user.overlay.opaque=y
 * -- what the kernel reads with the "userxattr" mount option.  Both forms
 * are read in either case. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../vfs_internal.h"

#define OVL_MAX_LAYERS 32
/* what a whited-out name resolves to: a path that never exists */
static const char gone[] = "/proc/self/fd/-1";

static int layer_count(const struct mount_spec *m)
{
	return 1 + m->n_lower;
}

/* LAYER's path of REST (REST_LEN bytes) into out: its length or -errno. */
static long layer_path(const struct mount_spec *m, int layer, const char *rest, size_t rest_len, char *out,
		       size_t outlen)
{
	size_t bl;
	const char *base = layer ? mounts_lower(m, layer - 1, &bl) : m->src;
	if (!layer)
		bl = m->src_len;
	if (bl + rest_len + 1 > outlen)
		return -ENAMETOOLONG;
	memcpy(out, base, bl);
	memcpy(out + bl, rest, rest_len);
	out[bl + rest_len] = 0;
	return (long)(bl + rest_len);
}

static long xattr_get(const char *path, const char *name, char *buf, size_t n)
{
	return sys(SYS_lgetxattr, (long)path, (long)name, (long)buf, (long)n, 0, 0);
}

static bool am_root(void)
{
	return sys(SYS_geteuid, 0, 0, 0, 0, 0, 0) == 0;
}

/* The xattr names this process writes (see the top of the file). */
static const char *x_opaque(void)
{
	return am_root() ? "trusted.overlay.opaque" : "user.overlay.opaque";
}

/* Is NAME in the NUL-separated LIST of N bytes? */
static bool listed(const char *list, long n, const char *name)
{
	size_t nl = strlen(name) + 1;
	for (long i = 0; i < n; i += (long)strlen(list + i) + 1)
		if (i + (long)nl <= n && !memcmp(list + i, name, nl))
			return true;
	return false;
}

/* The opaque mark of a directory, by PATH or else by FD: 'y' (opaque),
 * 'x' (holds xattr whiteouts) or 0. */
static char mark_of(const char *path, long fd)
{
	/* most directories have no xattr at all: one syscall says so */
	char names[512], v[2];
	long n = path ? sys(SYS_llistxattr, (long)path, (long)names, sizeof names, 0, 0, 0)
		      : sys(SYS_flistxattr, fd, (long)names, sizeof names, 0, 0, 0);
	if (n == 0)
		return 0;
	bool all = n < 0 || names[n - 1];  /* too many to list: ask for each */
	static const char *const marks[] = { "trusted.overlay.opaque", "user.overlay.opaque" };
	for (int i = 0; i < 2; i++) {
		if (!all && !listed(names, n, marks[i]))
			continue;
		long got = path ? xattr_get(path, marks[i], v, 1)
				: sys(SYS_fgetxattr, fd, (long)marks[i], (long)v, 1, 0, 0);
		if (got == 1 && (v[0] == 'y' || v[0] == 'x'))
			return v[0];
	}
	return 0;
}

static char opaque_mark(const char *path)
{
	return mark_of(path, -1);
}

/* Does a directory of the layers LAYERS (FD open on it) hold whiteouts
 * of this view's own that its listing must hide?  Only one of UPPER's
 * marked 'x' (a normal user's whiteouts): the kernel reads a lower
 * directory that is not merged directly, xattr whiteouts and all (Linux
 * 6.18), and a listing in the view of one takes no syscall to decide. */
bool ovl_upper_has_xwhiteouts(uint32_t layers, int fd)
{
	return (layers & 1) && mark_of(NULL, fd) == 'x';
}

/* The directory of host path PATH, into dir; false if it does not fit. */
static bool dir_of(const char *path, char dir[VFS_PATH_MAX])
{
	size_t n = strlen(path);
	if (n >= VFS_PATH_MAX)
		return false;
	memcpy(dir, path, n + 1);
	mounts_parent(dir, &n);
	return true;
}

/* A 0/0 device, or (as the kernel reads them) an empty file with the
 * whiteout xattr in a directory marked as holding such files. */
static bool is_whiteout(const char *path, const struct stat *st)
{
	if (S_ISCHR(st->st_mode))
		return st->st_rdev == 0;
	if (!S_ISREG(st->st_mode) || st->st_size != 0)
		return false;
	if (xattr_get(path, "trusted.overlay.whiteout", NULL, 0) < 0 &&
	    xattr_get(path, "user.overlay.whiteout", NULL, 0) < 0)
		return false;
	char dir[VFS_PATH_MAX];
	return dir_of(path, dir) && opaque_mark(dir) != 0;
}

/* Is UPPER's root opaque?  Looked at once per process: the view cannot
 * change it (its DEST cannot be removed). */
static bool root_opaque(const struct mount_spec *m)
{
	static struct {
		const struct mount_spec *m;
		char mark;
	} seen[16];
	for (int i = 0; i < 16; i++) {
		const struct mount_spec *k = __atomic_load_n(&seen[i].m, __ATOMIC_ACQUIRE);
		if (k == m)
			return seen[i].mark == 'y';
		if (!k) {
			char mark = opaque_mark(m->src);
			seen[i].mark = mark;
			__atomic_store_n(&seen[i].m, m, __ATOMIC_RELEASE);  /* a race stores the same */
			return mark == 'y';
		}
	}
	return opaque_mark(m->src) == 'y';
}

/* The length of REST's parent ("" for a name at DEST). */
static size_t parent_len(const char *rest, size_t len)
{
	while (len && rest[len - 1] == '/')
		len--;
	while (len && rest[len - 1] != '/')
		len--;
	while (len && rest[len - 1] == '/')
		len--;
	return len;
}

/* ---- lookups remembered across calls ----
 * Per process: (overlay, directory) -> the layers the directory is made
 * of, (overlay, other name) -> the layer that shows it, or the only layer
 * that may (what the syscall alone finds out); valid while the view's
 * overlay generation (vfs_shared, bumped after every change an overlay
 * makes, by any process of the view) is the one it was taken at.  Slots
 * are claimed and read without waiting (vfs_seq_claim). */
enum { LC_DIR, LC_FILE, LC_CANDIDATE };
#define LC_SLOTS 4096
/* A path is known by its 64-bit hash keyed by the run's random number (as
 * the dircache's; a program cannot aim at a collision), which picks the
 * slot and is kept in it.  40-byte slots, so that a walk
 * touches 40 pages of them, not the 260 that slots holding the paths took
 * (page faults are dear: about 10 us each on a VM).  Mapped at a
 * process's first overlay lookup, not in .bss: lazypoline-vfs-loader maps
 * its .bss whole at every start, and most views have no overlay. */
struct lc_slot {
	uint32_t seq;
	uint32_t layers;  /* not LC_DIR: the layer's bit */
	uint64_t gen;
	const struct mount_spec *m;
	uint64_t hash;
	uint32_t kind;
};
static struct lc_slot *lcache;

/* The slots, or NULL when they cannot be mapped (nothing is remembered
 * then).  Two threads may map them at once: one mapping is kept. */
static struct lc_slot *lc_slots(void)
{
	struct lc_slot *have = __atomic_load_n(&lcache, __ATOMIC_ACQUIRE);
	if (have)
		return have;
	long a = sys(SYS_mmap, 0, sizeof(struct lc_slot) * LC_SLOTS, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a < 0 && a > -4096)
		return NULL;
	if (__atomic_compare_exchange_n(&lcache, &have, (struct lc_slot *)a, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return (struct lc_slot *)a;
	sys(SYS_munmap, a, sizeof(struct lc_slot) * LC_SLOTS, 0, 0, 0, 0);
	return have;
}

static uint64_t generation(void)
{
	return vfs_shared ? __atomic_load_n(&vfs_shared->ovl_gen, __ATOMIC_ACQUIRE) : 0;
}

uint64_t ovl_generation(void)
{
	return generation();
}

/* After a change to the layers (its result passes through). */
static long changed(long r)
{
	if (vfs_shared)
		__atomic_add_fetch(&vfs_shared->ovl_gen, 1, __ATOMIC_ACQ_REL);
	return r;
}

void ovl_changed(void)
{
	changed(0);
}

static struct lc_slot *lc_slot(const struct mount_spec *m, const char *path, size_t len, uint64_t *hash)
{
	struct lc_slot *slots = lc_slots();
	*hash = vfs_path_hash(vfs_shared->dir_key ^ (uint64_t)(uintptr_t)m ^ 0x6f766c2d31ull, path, len);
	return slots ? &slots[(*hash >> 20) % LC_SLOTS] : NULL;
}

/* What was remembered of PATH at generation GEN (0: nothing), and its
 * kind: the layers of a directory, the layer bit of another object, or of
 * the only layer that may have it. */
static uint32_t lc_find(const struct mount_spec *m, const char *path, size_t len, uint64_t gen, uint8_t *kind)
{
	*kind = LC_DIR;
	if (!vfs_shared)
		return 0;
	uint64_t hash;
	struct lc_slot *s = lc_slot(m, path, len, &hash);
	uint32_t seq;
	if (!s || !vfs_seq_read_begin(&s->seq, &seq))
		return 0;
	uint32_t layers = s->layers;
	*kind = (uint8_t)s->kind;
	bool same = s->m == m && s->gen == gen && s->hash == hash;
	return vfs_seq_read_end(&s->seq, seq) && same ? layers : 0;
}

/* The layers of directory PATH remembered at generation GEN, or 0. */
static uint32_t lc_get(const struct mount_spec *m, const char *path, size_t len, uint64_t gen)
{
	uint8_t kind;
	uint32_t layers = lc_find(m, path, len, gen, &kind);
	return kind == LC_DIR ? layers : 0;
}

static void lc_remember(const struct mount_spec *m, const char *path, size_t len, uint32_t layers, uint8_t kind,
			uint64_t gen)
{
	if (!vfs_shared || !layers)
		return;
	uint64_t hash;
	struct lc_slot *s = lc_slot(m, path, len, &hash);
	uint32_t seq;
	if (!s || !vfs_seq_claim(&s->seq, &seq))
		return;
	s->layers = layers;
	s->kind = kind;
	s->gen = gen;
	s->m = m;
	s->hash = hash;
	vfs_seq_publish(&s->seq, seq);
}

/* LK for a name no layer shows: hidden by a whiteout, behind a
 * non-directory (ENOTDIR), or simply absent. */
static void not_there(struct ovl_look *lk, bool whiteout, bool blocked)
{
	lk->layer = -1;
	lk->whiteout = whiteout;
	lk->blocked = blocked;
	lk->is_dir = false;
	lk->in_lower = whiteout;
	lk->layers = 0;
}

/* How much a lookup finds out: the path only (host_path: the last layer
 * that may have the name is not looked at -- the syscall itself says
 * ENOENT), the object, or also what the layers below it hold. */
enum { LOOK_PATH, LOOK_OBJECT, LOOK_FULL };

static long lookup_from(const struct mount_spec *m, const char *rest, size_t rest_len, int how,
			struct ovl_look *lk, char *host, size_t hostlen, size_t base_len, uint32_t base_layers)
{
	bool full = how == LOOK_FULL;
	int n = layer_count(m);
	uint32_t active = (n == 32) ? ~0u : (1u << n) - 1;
	char path[VFS_PATH_MAX];
	lk->layer = 0;
	lk->whiteout = false;
	lk->blocked = false;
	lk->is_dir = true;
	lk->in_lower = n > 1;
	size_t i = 0;
	uint64_t gen = generation();  /* before looking: a change meanwhile bumps it */
	if (!base_layers && n > 1) {
		size_t pl = parent_len(rest, rest_len);  /* the parent, if remembered */
		if (pl > 0 && (base_layers = lc_get(m, rest, pl, gen)))
			base_len = pl;
	}
	if (base_layers) {  /* the directory rest[0..base_len) is made of these */
		active = base_layers;
		i = base_len;
	} else if (n > 1 && root_opaque(m)) {
		active = 1;
	}
	lk->layers = active;
	while (i < rest_len) {
		while (i < rest_len && rest[i] == '/')
			i++;
		if (i == rest_len)
			break;
		while (i < rest_len && rest[i] != '/')
			i++;
		size_t e = i;  /* rest[0..e) is the path so far */
		while (i < rest_len && rest[i] == '/')
			i++;
		bool last = i == rest_len;
		int found = -1;
		bool dir = false, in_lower = false, chain = true, unsure = false;
		uint32_t next = 0;
		/* remembered (what LOOK_FULL adds is not) */
		uint8_t kind = LC_DIR;
		uint32_t known = n == 1 || (last && full) ? 0 : lc_find(m, rest, e, gen, &kind);
		if (known && kind != LC_DIR && !(last && (kind == LC_FILE || how == LOOK_PATH)))
			known = 0;  /* the walk finds out (ENOTDIR, what it is) */
		bool file = kind != LC_DIR;
		if (known && last) {  /* LC_FILE and LC_CANDIDATE alike */
			lk->layer = __builtin_ctz(known);
			lk->is_dir = !file;
			lk->in_lower = file ? lk->layer > 0 : (known >> 1) != 0;
			lk->layers = file ? 0 : known;
			return layer_path(m, lk->layer, rest, rest_len, host, hostlen);
		}
		if (known) {
			active = known;
			continue;
		}
		for (int l = 0; l < n; l++) {
			if (!(active & (1u << l)))
				continue;
			if (how == LOOK_PATH && last && found < 0 && !(active >> (l + 1))) {
				lk->layer = l;  /* the last candidate: the syscall will see */
				lk->is_dir = false;
				lk->in_lower = l > 0;
				lk->layers = 0;
				if (l > 0 && n > 1)  /* the layers above did not have it */
					lc_remember(m, rest, rest_len, 1u << l, LC_CANDIDATE, gen);
				return layer_path(m, l, rest, rest_len, host, hostlen);
			}
			long pl = layer_path(m, l, rest, e, path, sizeof path);
			if (pl < 0)
				return pl;
			struct stat st;
			long r = sys(SYS_lstat, (long)path, (long)&st, 0, 0, 0, 0);
			if (r == -ENOENT || r == -ENOTDIR)
				continue;
			if (r < 0) {  /* EACCES...: the syscall on this path says so */
				if (found < 0)
					found = l, unsure = true;
				break;
			}
			if (is_whiteout(path, &st)) {
				if (found < 0) {
					not_there(lk, true, false);
					if (sizeof gone > hostlen)
						return -ENAMETOOLONG;
					memcpy(host, gone, sizeof gone);
					return (long)sizeof gone - 1;
				}
				break;  /* hides the name further down */
			}
			if (found < 0) {
				found = l;
				dir = S_ISDIR(st.st_mode);
				if (!dir && !(last && full))
					break;
				if (dir) {
					next = 1u << l;
					/* an opaque directory stops the merge (only worth
					 * a look when layers are left below) */
					if ((active >> (l + 1)) && opaque_mark(path) == 'y')
						chain = false;
				} else {
					chain = false;
				}
				continue;
			}
			in_lower = true;
			if (!chain)
				break;
			if (!S_ISDIR(st.st_mode))
				break;  /* a non-directory ends the chain */
			next |= 1u << l;
			if ((active >> (l + 1)) && opaque_mark(path) == 'y')
				chain = false;
		}
		if (found < 0) {  /* in no layer: it would be created in UPPER */
			not_there(lk, false, false);
			return layer_path(m, 0, rest, rest_len, host, hostlen);
		}
		if (!last && !dir) {
			/* a non-directory in the way: the kernel says ENOTDIR */
			not_there(lk, false, true);
			return layer_path(m, found, rest, rest_len, host, hostlen);
		}
		if (dir && n > 1)
			lc_remember(m, rest, e, next, LC_DIR, gen);
		else if (last && n > 1 && !unsure)
			lc_remember(m, rest, e, 1u << found, LC_FILE, gen);
		if (last) {
			lk->layer = found;
			lk->is_dir = dir;
			lk->in_lower = in_lower || found > 0;
			lk->layers = next;
			return layer_path(m, found, rest, rest_len, host, hostlen);
		}
		active = next;
	}
	return layer_path(m, 0, rest, rest_len, host, hostlen);
}

static long lookup(const struct mount_spec *m, const char *rest, size_t rest_len, int how, struct ovl_look *lk,
		   char *host, size_t hostlen)
{
	return lookup_from(m, rest, rest_len, how, lk, host, hostlen, 0, 0);
}

long ovl_lookup(const struct mount_spec *m, const char *rest, size_t rest_len, bool full, struct ovl_look *lk,
		char *host, size_t hostlen)
{
	return lookup(m, rest, rest_len, full ? LOOK_FULL : LOOK_OBJECT, lk, host, hostlen);
}

/* The lookup of a name that must be there: -ENOENT or -ENOTDIR when no
 * layer shows it. */
static long visible(const struct mount_spec *m, const char *rest, size_t len, bool full, struct ovl_look *lk,
		    char *host, size_t hostlen)
{
	long r = ovl_lookup(m, rest, len, full, lk, host, hostlen);
	if (r >= 0 && lk->layer < 0)
		return lk->blocked ? -ENOTDIR : -ENOENT;
	return r;
}

uint32_t ovl_check_layers(const struct mount_spec *m, const char *rest, size_t len, uint32_t layers)
{
	if (!layers || (layers & 1))
		return layers;
	/* UPPER had no such directory when the mask was taken: has a
	 * copy-up made one since?  Not if nothing changed since it was
	 * remembered. */
	uint64_t gen = generation();
	uint32_t known = lc_get(m, rest, len, gen);
	if (known)
		return known;
	char up[VFS_PATH_MAX];
	struct stat st;
	if (layer_path(m, 0, rest, len, up, sizeof up) < 0 || sys(SYS_lstat, (long)up, (long)&st, 0, 0, 0, 0) != -ENOENT)
		return 0;
	lc_remember(m, rest, len, layers, LC_DIR, gen);
	return layers;
}

long ovl_host_path_from(const struct mount_spec *m, const char *rest, size_t rest_len, size_t base_len,
			uint32_t base_layers, bool check_base, char *out, size_t outlen, uint32_t *dir_layers)
{
	struct ovl_look lk;
	if (check_base)
		base_layers = ovl_check_layers(m, rest, base_len, base_layers);
	long r = lookup_from(m, rest, rest_len, dir_layers ? LOOK_OBJECT : LOOK_PATH, &lk, out, outlen, base_len,
			     base_layers);
	if (dir_layers)
		*dir_layers = r >= 0 && lk.layer >= 0 && lk.is_dir ? lk.layers : 0;
	return r;
}

uint32_t ovl_known_dir_layers(const struct mount_spec *m, const char *rest, size_t len)
{
	return lc_get(m, rest, len, generation());
}

uint32_t ovl_dir_layers_by_parent(const struct mount_spec *m, const char *rest, size_t len)
{
	uint64_t gen = generation();
	size_t pl = parent_len(rest, len);
	uint32_t parent = pl ? lc_get(m, rest, pl, gen) : 0;
	if (!parent || (parent & (parent - 1)))
		return 0;
	lc_remember(m, rest, len, parent, LC_DIR, gen);
	return parent;
}

uint32_t ovl_root_layers(const struct mount_spec *m)
{
	int n = layer_count(m);
	if (n > 1 && root_opaque(m))
		return 1;
	return (n == 32) ? ~0u : (1u << n) - 1;
}

/* ---- making things in UPPER ---- */

long ovl_upper_path(const struct mount_spec *m, const char *rest, size_t len, char *out, size_t outlen)
{
	return layer_path(m, 0, rest, len, out, outlen);
}

bool ovl_in_upper(const struct mount_spec *m, const char *host, size_t len)
{
	return vfs_path_under(m->src, m->src_len, host, len);
}

static long copy_xattrs(int sfd, const char *spath, int dfd, const char *dpath)
{
	char names[16384], val[16384];
	long n = sfd >= 0 ? sys(SYS_flistxattr, sfd, (long)names, sizeof names, 0, 0, 0)
			  : sys(SYS_llistxattr, (long)spath, (long)names, sizeof names, 0, 0, 0);
	if (n == -ENOTSUP || n == -EOPNOTSUPP)
		return 0;
	if (n < 0)
		return n;
	for (long i = 0; i < n;) {
		const char *name = names + i;
		size_t nl = strlen(name);
		i += (long)nl + 1;
		/* the layers' own marks stay where they are */
		if ((nl > 16 && !memcmp(name, "trusted.overlay.", 16)) ||
		    (nl > 13 && !memcmp(name, "user.overlay.", 13)) || (nl > 12 && !memcmp(name, "user.vfsrun.", 12)))
			continue;
		long v = sfd >= 0 ? sys(SYS_fgetxattr, sfd, (long)name, (long)val, sizeof val, 0, 0)
				  : sys(SYS_lgetxattr, (long)spath, (long)name, (long)val, sizeof val, 0, 0);
		if (v < 0)
			continue;
		long r = dfd >= 0 ? sys(SYS_fsetxattr, dfd, (long)name, (long)val, v, 0, 0)
				  : sys(SYS_lsetxattr, (long)dpath, (long)name, (long)val, v, 0, 0);
		/* what this process may not set (security.*, trusted.* as a
		 * user) is left behind, as a copy by cp -a would */
		if (r < 0 && r != -EPERM && r != -ENOTSUP && r != -EOPNOTSUPP && r != -EACCES)
			return r;
	}
	return 0;
}

/* Owner (where permitted), mode and times of a copy. */
static long copy_attrs(const struct stat *st, int fd, const char *path)
{
	long r = fd >= 0 ? sys(SYS_fchown, fd, st->st_uid, st->st_gid, 0, 0, 0)
			 : sys(SYS_lchown, (long)path, st->st_uid, st->st_gid, 0, 0, 0);
	if (r < 0 && (r != -EPERM || am_root()))
		return r;
	if (!S_ISLNK(st->st_mode)) {
		r = fd >= 0 ? sys(SYS_fchmod, fd, st->st_mode & 07777, 0, 0, 0, 0)
			    : sys(SYS_fchmodat, AT_FDCWD, (long)path, st->st_mode & 07777, 0, 0, 0);
		if (r < 0)
			return r;
	}
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	return fd >= 0 ? sys(SYS_utimensat, fd, 0, (long)ts, 0, 0, 0)
		       : sys(SYS_utimensat, AT_FDCWD, (long)path, (long)ts, AT_SYMLINK_NOFOLLOW, 0, 0);
}

/* A new file in directory DIR, not yet under any name: an O_TMPFILE, or a
 * temporary name (into tmpname) where the file system has no O_TMPFILE. */
static long tmp_create(const char *dir, char *tmpname, size_t tmplen)
{
	tmpname[0] = 0;
	long fd = sys(SYS_openat, AT_FDCWD, (long)dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600, 0, 0);
	if (fd >= 0 || (fd != -EOPNOTSUPP && fd != -EISDIR && fd != -EINVAL && fd != -ENOSYS))
		return fd;
	static unsigned long counter;
	size_t dl = strlen(dir), k = dl;
	if (dl + 64 > tmplen)
		return -ENAMETOOLONG;
	memcpy(tmpname, dir, dl);
	memcpy(tmpname + k, "/.vfsrun-copyup.", 16);
	k += 16;
	vfs_put_num(tmpname, &k, (unsigned long)sys(SYS_gettid, 0, 0, 0, 0, 0, 0));
	tmpname[k++] = '.';
	vfs_put_num(tmpname, &k, __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
	tmpname[k] = 0;
	fd = sys(SYS_openat, AT_FDCWD, (long)tmpname, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, 0, 0);
	if (fd < 0)
		tmpname[0] = 0;
	return fd;
}

/* The new file (tmp_create) gets its real name DEST; closed either way. */
static long tmp_publish(long fd, const char *tmpname, const char *dest)
{
	long r;
	if (!tmpname[0]) {
		char link[32];
		vfs_fd_link(link, fd);
		r = sys(SYS_linkat, AT_FDCWD, (long)link, AT_FDCWD, (long)dest, AT_SYMLINK_FOLLOW, 0);
	} else {
		r = sys(SYS_rename, (long)tmpname, (long)dest, 0, 0, 0, 0);
		if (r < 0)
			sys(SYS_unlink, (long)tmpname, 0, 0, 0, 0, 0);
	}
	sys(SYS_close, fd, 0, 0, 0, 0, 0);
	return r;
}

static void tmp_discard(long fd, const char *tmpname)
{
	if (tmpname[0])
		sys(SYS_unlink, (long)tmpname, 0, 0, 0, 0, 0);
	sys(SYS_close, fd, 0, 0, 0, 0, 0);
}

static long copy_data(long sfd, long dfd, off_t size)
{
	bool use_sendfile = false;
	for (off_t done = 0; done < size;) {
		size_t chunk = (size_t)(size - done) > (1u << 30) ? (1u << 30) : (size_t)(size - done);
		long r = use_sendfile ? sys(SYS_sendfile, dfd, sfd, 0, (long)chunk, 0, 0)
				      : sys(SYS_copy_file_range, sfd, 0, dfd, 0, (long)chunk, 0);
		if (!use_sendfile && (r == -EXDEV || r == -EINVAL || r == -ENOSYS || r == -EOPNOTSUPP) &&
		    done == 0) {
			use_sendfile = true;
			continue;
		}
		if (r < 0)
			return r;
		if (r == 0)
			break;  /* the file shrank meanwhile */
		done += r;
	}
	return 0;
}

/* Copy the lower object at FROM to UPPER's TO (whose directory exists). */
static long copy_object(const char *from, const char *to)
{
	struct stat st;
	long r = sys(SYS_lstat, (long)from, (long)&st, 0, 0, 0, 0);
	if (r < 0)
		return r;
	if (S_ISDIR(st.st_mode)) {
		/* created as the owner alone may use it, opened up by copy_attrs */
		r = sys(SYS_mkdir, (long)to, 0700, 0, 0, 0, 0);
		if (r == 0) {
			r = copy_xattrs(-1, from, -1, to);
			if (r == 0)
				r = copy_attrs(&st, -1, to);
			if (r < 0)
				sys(SYS_rmdir, (long)to, 0, 0, 0, 0, 0);
		}
		return r;
	}
	if (S_ISLNK(st.st_mode)) {
		char target[VFS_PATH_MAX];
		long n = sys(SYS_readlink, (long)from, (long)target, sizeof target - 1, 0, 0, 0);
		if (n < 0)
			return n;
		target[n] = 0;
		r = sys(SYS_symlink, (long)target, (long)to, 0, 0, 0, 0);
		if (r == 0 && (r = copy_attrs(&st, -1, to)) < 0)
			sys(SYS_unlink, (long)to, 0, 0, 0, 0, 0);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {  /* fifo, socket, device */
		r = sys(SYS_mknod, (long)to, st.st_mode, (long)st.st_rdev, 0, 0, 0);
		if (r == 0 && (r = copy_attrs(&st, -1, to)) < 0)
			sys(SYS_unlink, (long)to, 0, 0, 0, 0, 0);
		return r;
	}
	long sfd = sys(SYS_open, (long)from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0, 0, 0, 0);
	/* an empty file we may not read (a lock file, for fake root) has
	 * nothing to copy but its attributes */
	bool unreadable_empty = sfd == -EACCES && st.st_size == 0;
	if (sfd < 0 && !unreadable_empty)
		return sfd;
	char dir[VFS_PATH_MAX], tmpname[VFS_PATH_MAX];
	long dfd = dir_of(to, dir) ? tmp_create(dir, tmpname, sizeof tmpname) : -ENAMETOOLONG;
	if (dfd < 0) {
		if (sfd >= 0)
			sys(SYS_close, sfd, 0, 0, 0, 0, 0);
		return dfd;
	}
	r = unreadable_empty ? 0 : copy_data(sfd, dfd, st.st_size);
	if (r == 0 && !unreadable_empty)
		r = copy_xattrs(sfd, NULL, dfd, NULL);
	if (r == 0 && !unreadable_empty) {
		/* the lower file's inode number, which stat keeps reporting (as
		 * the kernel's overlayfs does): a copy-up is invisible to
		 * programs that compare inodes (git clone's hardlink check) */
		uint64_t origin = st.st_ino;
		if (sys(SYS_fgetxattr, sfd, (long)OVL_ORIGIN_XATTR, (long)&origin, sizeof origin, 0, 0) !=
		    sizeof origin)
			origin = st.st_ino;
		sys(SYS_fsetxattr, dfd, (long)OVL_ORIGIN_XATTR, (long)&origin, sizeof origin, 0, 0);
	}
	if (r == 0)
		r = copy_attrs(&st, dfd, NULL);
	if (r == 0)
		r = sys(SYS_fsync, dfd, 0, 0, 0, 0, 0);  /* whole before it has a name */
	if (sfd >= 0)
		sys(SYS_close, sfd, 0, 0, 0, 0, 0);
	if (r < 0) {
		tmp_discard(dfd, tmpname);
		return r;
	}
	return tmp_publish(dfd, tmpname, to);
}

/* Every directory on the way to REST (included) in UPPER. */
static long upper_dirs(const struct mount_spec *m, const char *rest, size_t len)
{
	char host[VFS_PATH_MAX], up[VFS_PATH_MAX];
	for (size_t i = 0; i < len;) {
		while (i < len && rest[i] == '/')
			i++;
		while (i < len && rest[i] != '/')
			i++;
		struct ovl_look lk;
		long r = visible(m, rest, i, false, &lk, host, sizeof host);
		if (r < 0)
			return r;
		if (!lk.is_dir)
			return -ENOTDIR;
		if (lk.layer == 0)
			continue;
		if ((r = ovl_upper_path(m, rest, i, up, sizeof up)) < 0)
			return r;
		r = changed(copy_object(host, up));  /* seen by the next component's lookup */
		if (r < 0 && r != -EEXIST)
			return r;
	}
	return 0;
}

static long ovl_copy_up_in(const struct mount_spec *m, const char *rest, size_t len)
{
	char host[VFS_PATH_MAX], up[VFS_PATH_MAX];
	struct ovl_look lk;
	long r = visible(m, rest, len, false, &lk, host, sizeof host);
	if (r < 0)
		return r;
	if (lk.layer == 0)
		return 0;
	if (lk.is_dir)
		return upper_dirs(m, rest, len);
	if ((r = upper_dirs(m, rest, parent_len(rest, len))) < 0)
		return r;
	if ((r = ovl_upper_path(m, rest, len, up, sizeof up)) < 0)
		return r;
	r = copy_object(host, up);
	return r == -EEXIST ? 0 : r;  /* another process was first */
}

long ovl_copy_up(const struct mount_spec *m, const char *rest, size_t len)
{
	return changed(ovl_copy_up_in(m, rest, len));
}

/* Write and search permission on the directory of REST, as the kernel
 * checks it on the overlay's directory before anything is copied up. */
static long may_change_in(const struct mount_spec *m, const char *rest, size_t len)
{
	char host[VFS_PATH_MAX];
	struct ovl_look lk;
	long r = visible(m, rest, parent_len(rest, len), false, &lk, host, sizeof host);
	if (r < 0)
		return r;
	if (!lk.is_dir)
		return -ENOTDIR;
	if (vfs_privileged())
		return 0;
	return sys(SYS_faccessat2, AT_FDCWD, (long)host, W_OK | X_OK, AT_EACCESS, 0, 0);
}

static long ovl_prepare_create_in(const struct mount_spec *m, const char *rest, size_t len, bool *was_whiteout)
{
	char host[VFS_PATH_MAX];
	struct ovl_look lk;
	*was_whiteout = false;
	long r = ovl_lookup(m, rest, len, false, &lk, host, sizeof host);
	if (r < 0)
		return r;
	if (lk.layer >= 0)
		return 1;  /* it exists */
	if (lk.blocked)
		return -ENOTDIR;
	if ((r = may_change_in(m, rest, len)) < 0)
		return r;
	if ((r = upper_dirs(m, rest, parent_len(rest, len))) < 0)
		return r;
	if (lk.whiteout) {
		if ((r = ovl_upper_path(m, rest, len, host, sizeof host)) < 0)
			return r;
		r = sys(SYS_unlink, (long)host, 0, 0, 0, 0, 0);
		if (r < 0 && r != -ENOENT)
			return r;
		*was_whiteout = true;
	}
	return 0;
}

long ovl_prepare_create(const struct mount_spec *m, const char *rest, size_t len, bool *was_whiteout)
{
	return changed(ovl_prepare_create_in(m, rest, len, was_whiteout));
}

/* A whiteout at UPPER's PATH (its directory exists, the name does not). */
static long make_whiteout(const char *path)
{
	if (am_root()) {
		long r = sys(SYS_mknod, (long)path, S_IFCHR, 0, 0, 0, 0);
		if (r != -EPERM)
			return r;
	}
	char dir[VFS_PATH_MAX], tmpname[VFS_PATH_MAX];
	long fd = dir_of(path, dir) ? tmp_create(dir, tmpname, sizeof tmpname) : -ENAMETOOLONG;
	if (fd < 0)
		return fd;
	const char *name = am_root() ? "trusted.overlay.whiteout" : "user.overlay.whiteout";
	long r = sys(SYS_fsetxattr, fd, (long)name, (long)"", 0, 0, 0);
	if (r < 0) {
		tmp_discard(fd, tmpname);
		return r == -ENOTSUP || r == -EOPNOTSUPP || r == -EPERM ? -EXDEV : r;
	}
	/* such whiteouts count in directories marked 'x' (marked first: the
	 * name never shows as an empty file) */
	if (!opaque_mark(dir) && (r = sys(SYS_lsetxattr, (long)dir, (long)x_opaque(), (long)"x", 1, 0, 0)) < 0) {
		tmp_discard(fd, tmpname);
		return r;
	}
	return tmp_publish(fd, tmpname, path);
}

long ovl_mark_opaque(const struct mount_spec *m, const char *rest, size_t len)
{
	char up[VFS_PATH_MAX];
	long r = ovl_upper_path(m, rest, len, up, sizeof up);
	if (r < 0)
		return r;
	return changed(sys(SYS_lsetxattr, (long)up, (long)x_opaque(), (long)"y", 1, 0, 0));
}

/* ---- merged listings ---- */

struct seen {
	bool hidden;
	UT_hash_handle hh;
	char name[];
};

struct blob {
	char *p;
	size_t len, cap;
	bool failed;
};

static void blob_put(struct blob *b, uint64_t ino, unsigned char type, const char *name, size_t nl)
{
	size_t rec = (19 + nl + 1 + 7) & ~(size_t)7;
	if (b->len + rec > b->cap) {
		/* first what lp_malloc has without a mapping of its own */
		size_t cap = b->cap ? 2 * b->cap : 4096 - 16;
		while (cap < b->len + rec)
			cap *= 2;
		char *np = lp_malloc(cap);
		if (!np) {
			b->failed = true;
			return;
		}
		if (b->len)
			memcpy(np, b->p, b->len);
		lp_free(b->p);
		b->p = np;
		b->cap = cap;
	}
	char *d = b->p + b->len;
	memset(d, 0, rec);
	int64_t off = (int64_t)(b->len + rec);
	unsigned short reclen = (unsigned short)rec;
	memcpy(d, &ino, 8);
	memcpy(d + 8, &off, 8);
	memcpy(d + 16, &reclen, 2);
	d[18] = (char)type;
	memcpy(d + 19, name, nl);
	b->len += rec;
}

static void seen_free(struct seen **set)
{
	struct seen *s, *t;
	HASH_ITER(hh, *set, s, t) {
		HASH_DEL(*set, s);
		lp_free(s);
	}
}

/* Adds NAME (not there yet); false when memory ran out. */
static bool seen_add(struct seen **set, const char *name, size_t nl, bool hidden)
{
	struct seen *s = lp_malloc(sizeof *s + nl + 1);
	if (!s)
		return false;
	s->hidden = hidden;
	memcpy(s->name, name, nl);
	s->name[nl] = 0;
	HASH_ADD_KEYPTR(hh, *set, s->name, nl, s);
	return true;
}

long ovl_list(const struct mount_spec *m, const char *rest, size_t len, const struct mount_node *node,
	      char **out, size_t *out_len, uint32_t *layers)
{
	char host[VFS_PATH_MAX], path[VFS_PATH_MAX];
	struct ovl_look lk;
	long r = 0;
	uint32_t known = layers ? ovl_check_layers(m, rest, len, *layers) : 0;
	if (known) {  /* an fd's directory whose layers are known */
		lk.layers = known;
		lk.is_dir = true;
	} else if ((r = visible(m, rest, len, true, &lk, host, sizeof host)) < 0) {
		return r;
	}
	if (!lk.is_dir)
		return -ENOTDIR;
	struct seen *set = NULL;
	struct blob b = { 0 };
	char buf[16384];
	for (int l = 0; l < OVL_MAX_LAYERS && !b.failed; l++) {
		if (!(lk.layers & (1u << l)))
			continue;
		long pl = layer_path(m, l, rest, len, path, sizeof path);
		if (pl < 0) {
			r = pl;
			break;
		}
		long fd = sys(SYS_open, (long)path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, 0, 0, 0);
		if (fd < 0) {
			r = fd;
			break;
		}
		bool xattr_whiteouts = opaque_mark(path) != 0;
		/* names are remembered only where a layer below or a mount
		 * point could show them again (most directories are one
		 * layer's: an allocation per name was most of a listing) */
		bool remember = (lk.layers >> (l + 1)) != 0 || mount_node_has_children(node);
		long n;
		while ((n = sys(SYS_getdents64, fd, (long)buf, sizeof buf, 0, 0, 0)) > 0) {
			for (long o = 0; o < n;) {
				struct dirent64 *d = (struct dirent64 *)(buf + o);
				o += d->d_reclen;
				size_t nl = strlen(d->d_name);
				struct seen *s = NULL;
				HASH_FIND(hh, set, d->d_name, nl, s);
				if (s)
					continue;
				bool hidden = false;
				if (d->d_type == DT_CHR || (d->d_type == DT_REG && xattr_whiteouts) ||
				    d->d_type == DT_UNKNOWN) {
					struct stat st;
					if (pl + 1 + nl + 1 <= sizeof path) {
						path[pl] = '/';
						memcpy(path + pl + 1, d->d_name, nl + 1);
						hidden = sys(SYS_lstat, (long)path, (long)&st, 0, 0, 0, 0) == 0 &&
							 is_whiteout(path, &st);
						path[pl] = 0;
					}
				}
				if (remember && !seen_add(&set, d->d_name, nl, hidden))
					b.failed = true;
				if (!hidden)
					blob_put(&b, d->d_ino, d->d_type, d->d_name, nl);
			}
		}
		sys(SYS_close, fd, 0, 0, 0, 0, 0);
		if (n < 0) {
			r = n;
			break;
		}
	}
	/* mount points below it, like the kernel's */
	const char *name;
	size_t nl;
	for (int i = 0; r >= 0 && (name = mount_node_child(node, i, &nl)); i++) {
		struct seen *s = NULL;
		HASH_FIND(hh, set, name, nl, s);
		if (!s || s->hidden)
			blob_put(&b, 1, DT_DIR, name, nl);
	}
	seen_free(&set);
	if (r >= 0 && b.failed)
		r = -ENOMEM;
	if (r < 0) {
		lp_free(b.p);
		return r;
	}
	*out = b.p;
	*out_len = b.len;
	if (layers)
		*layers = lk.layers;
	return 0;
}

/* Are there names in the merged directory REST besides "." and ".."? */
static long merged_empty(const struct mount_spec *m, const char *rest, size_t len)
{
	char *list;
	size_t n;
	long r = ovl_list(m, rest, len, NULL, &list, &n, NULL);
	if (r < 0)
		return r;
	for (size_t o = 0; o < n;) {
		struct dirent64 *d = (struct dirent64 *)(list + o);
		o += d->d_reclen;
		if (!mounts_is_dot(d->d_name, strlen(d->d_name)) && !mounts_is_dotdot(d->d_name, strlen(d->d_name))) {
			lp_free(list);
			return -ENOTEMPTY;
		}
	}
	lp_free(list);
	return 0;
}

/* Empty UPPER's directory PATH of what only hides lower names. */
static long clear_upper_dir(const char *path)
{
	long fd = sys(SYS_open, (long)path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, 0, 0, 0);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	char buf[8192];
	long n, r = 0;
	bool removed = true;
	while (r == 0 && removed) {  /* until a pass finds nothing left */
		removed = false;
		sys(SYS_lseek, fd, 0, SEEK_SET, 0, 0, 0);
		while (r == 0 && (n = sys(SYS_getdents64, fd, (long)buf, sizeof buf, 0, 0, 0)) > 0) {
			for (long o = 0; o < n && r == 0;) {
				struct dirent64 *d = (struct dirent64 *)(buf + o);
				o += d->d_reclen;
				size_t nl = strlen(d->d_name);
				if (mounts_is_dot(d->d_name, nl) || mounts_is_dotdot(d->d_name, nl))
					continue;
				r = sys(SYS_unlinkat, fd, (long)d->d_name, 0, 0, 0, 0);
				removed = true;
			}
		}
	}
	sys(SYS_close, fd, 0, 0, 0, 0, 0);
	return r;
}

static long ovl_remove_in(const struct mount_spec *m, const char *rest, size_t len, bool dir)
{
	char host[VFS_PATH_MAX], up[VFS_PATH_MAX];
	struct ovl_look lk;
	long r = visible(m, rest, len, true, &lk, host, sizeof host);
	if (r < 0)
		return r;
	if (dir && !lk.is_dir)
		return -ENOTDIR;
	if (!dir && lk.is_dir)
		return -EISDIR;
	if ((r = may_change_in(m, rest, len)) < 0)
		return r;
	if (dir && (r = merged_empty(m, rest, len)) < 0)
		return r;
	if ((r = upper_dirs(m, rest, parent_len(rest, len))) < 0)
		return r;
	if ((r = ovl_upper_path(m, rest, len, up, sizeof up)) < 0)
		return r;
	if (lk.layer == 0) {
		if (dir) {
			if ((r = clear_upper_dir(up)) < 0)
				return r;
			r = sys(SYS_rmdir, (long)up, 0, 0, 0, 0, 0);
		} else {
			r = sys(SYS_unlink, (long)up, 0, 0, 0, 0, 0);
		}
		if (r < 0)
			return r;
	}
	return lk.in_lower ? make_whiteout(up) : 0;
}

long ovl_remove(const struct mount_spec *m, const char *rest, size_t len, bool dir)
{
	return changed(ovl_remove_in(m, rest, len, dir));
}

static bool parent_merged(const struct mount_spec *m, const char *rest, size_t len)
{
	char host[VFS_PATH_MAX];
	struct ovl_look lk;
	return ovl_lookup(m, rest, parent_len(rest, len), true, &lk, host, sizeof host) >= 0 && ovl_merged(&lk);
}

/* A directory made of lower layers: the kernel's default
 * (redirect_dir=off) refuses to move it (an opaque one may go). */
static bool of_lower_layers(const struct ovl_look *lk)
{
	return lk->is_dir && (lk->layer > 0 || ovl_merged(lk));
}

static long ovl_rename_in(const struct mount_spec *m, const char *a, size_t alen, const char *b, size_t blen,
		unsigned flags)
{
	char ha[VFS_PATH_MAX], hb[VFS_PATH_MAX], ua[VFS_PATH_MAX], ub[VFS_PATH_MAX];
	struct ovl_look la, lb;
	long r = ovl_lookup(m, a, alen, true, &la, ha, sizeof ha);
	if (r < 0)
		return r;
	if ((r = ovl_lookup(m, b, blen, true, &lb, hb, sizeof hb)) < 0)
		return r;
	if (la.layer < 0)
		return la.blocked ? -ENOTDIR : -ENOENT;
	if (lb.blocked)
		return -ENOTDIR;
	if (flags & RENAME_EXCHANGE) {
		/* both names stay: copy both up and swap them in UPPER; a
		 * directory made of lower layers cannot move (EXDEV) */
		if (flags & ~(unsigned)RENAME_EXCHANGE)
			return -EINVAL;
		if (lb.layer < 0)
			return -ENOENT;
		if (of_lower_layers(&la) || of_lower_layers(&lb))
			return -EXDEV;
		if ((r = may_change_in(m, a, alen)) < 0 || (r = may_change_in(m, b, blen)) < 0)
			return r;
		if ((r = ovl_copy_up(m, a, alen)) < 0 || (r = ovl_copy_up(m, b, blen)) < 0)
			return r;
		if ((r = ovl_upper_path(m, a, alen, ua, sizeof ua)) < 0 || (r = ovl_upper_path(m, b, blen, ub, sizeof ub)) < 0)
			return r;
		return sys(SYS_renameat2, AT_FDCWD, (long)ua, AT_FDCWD, (long)ub, RENAME_EXCHANGE, 0);
	}
	if (flags & ~(unsigned)RENAME_NOREPLACE)
		return -EINVAL;
	if (alen == blen && !memcmp(a, b, alen))
		return 0;
	if (of_lower_layers(&la))
		return -EXDEV;
	if (lb.layer >= 0) {
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (la.is_dir && !lb.is_dir)
			return -ENOTDIR;
		if (!la.is_dir && lb.is_dir)
			return -EISDIR;
		if (lb.is_dir && (r = merged_empty(m, b, blen)) < 0)
			return r;
	}
	if ((r = may_change_in(m, a, alen)) < 0 || (r = may_change_in(m, b, blen)) < 0)
		return r;
	if ((r = ovl_copy_up(m, a, alen)) < 0)
		return r;
	if ((r = upper_dirs(m, b, parent_len(b, blen))) < 0)
		return r;
	if ((r = ovl_upper_path(m, a, alen, ua, sizeof ua)) < 0 || (r = ovl_upper_path(m, b, blen, ub, sizeof ub)) < 0)
		return r;
	if (la.is_dir && lb.whiteout)
		sys(SYS_unlink, (long)ub, 0, 0, 0, 0, 0);  /* a directory cannot replace it */
	if (lb.layer == 0 && lb.is_dir && lb.in_lower && (r = clear_upper_dir(ub)) < 0)
		return r;
	if ((r = sys(SYS_rename, (long)ua, (long)ub, 0, 0, 0, 0)) < 0)
		return r;
	if (la.in_lower && (r = make_whiteout(ua)) < 0)
		return r;
	/* a directory moved where a lower layer may have its name must not
	 * merge with it: opaque (the kernel does the same when the new
	 * parent is merged) */
	if (la.is_dir && (lb.whiteout || lb.in_lower || parent_merged(m, b, blen)))
		return ovl_mark_opaque(m, b, blen);
	return 0;
}

long ovl_rename(const struct mount_spec *m, const char *a, size_t alen, const char *b, size_t blen,
	       unsigned flags)
{
	return changed(ovl_rename_in(m, a, alen, b, blen, flags));
}

/* ---- the backend ---- */

static long ovl_host_path(const struct mount_spec *m, const char *rest, size_t rest_len, char *out,
			  size_t outlen)
{
	struct ovl_look lk;
	return lookup(m, rest, rest_len, LOOK_PATH, &lk, out, outlen);
}

static long ovl_claims(const struct mount_spec *m, const char *host, size_t len)
{
	int n = layer_count(m);
	for (int l = 0; l < n; l++) {
		size_t bl;
		const char *base = l ? mounts_lower(m, l - 1, &bl) : m->src;
		if (!l)
			bl = m->src_len;
		if (vfs_path_under(base, bl, host, len))
			return (long)bl;
	}
	return -1;
}

static bool ovl_is_dir(const struct mount_spec *m)
{
	(void)m;
	return true;
}

const struct vfs_backend vfs_overlay_backend = {
	.name = "overlay",
	.host_path = ovl_host_path,
	.claims = ovl_claims,
	.is_dir = ovl_is_dir,
};
