/* Path resolution in the view.
 *
 * A path is walked component by component on view paths: "." and ".."
 * are handled lexically on a path that never contains a symlink (each
 * component is checked as it is reached), and a symlink found on the way
 * is expanded in the view -- an absolute target from the view's root (or
 * the RESOLVE_IN_ROOT root), a relative one from the symlink's directory.
 * Each view path maps to a host path through the mount table: the deepest
 * mount holding it gives SRC + the rest; outside every mount it is the
 * host's own.  The final syscall gets the host path, so the kernel reports
 * what it would for the equivalent real mount (ENOENT, ENOTDIR, EACCES...).
 *
 * Whether a host path is a symlink costs a readlink; host paths known not
 * to be are cached (dircache), and the cache is dropped on every rename,
 * unlink, rmdir or symlink made through the view. */
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>

#include "vfs_internal.h"

#define MAX_SYMLINKS 40

/* ---- host paths known not to be symlinks, shared by the run ----
 * Each process of a view walks the same directories (a compiler started
 * eighty times probed the same include directories eighty times), so the
 * answers are kept in the view's shared memory: a slot per 128-bit hash of
 * the host path (keyed by a random number of the run: a program cannot
 * make a symlink's path collide with a directory's), valid at the
 * directory generation it was taken at, which every symlink, rename or
 * link made through the view, by any of its processes, bumps (removing or
 * creating other things cannot make a name a symlink), and every change
 * in an overlay.  Directories and files alike: a compiler's every open of
 * a header otherwise asked again whether the header itself was a link.
 * Slots are overwritten, never waited for (vfs_seq_claim). */

uint64_t vfs_path_hash(uint64_t seed, const char *p, size_t n)
{
	uint64_t h = (seed ^ n) * 0x9e3779b97f4a7c15ull;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	uint64_t tail = 0;
	for (; i < n; i++)
		tail = tail << 8 | (unsigned char)p[i];
	h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

/* The generation answers are taken at (before the readlink that asks). */
static uint64_t dc_gen(void)
{
	return vfs_shared ? __atomic_load_n(&vfs_shared->dir_gen, __ATOMIC_ACQUIRE) : 0;
}

static struct vfs_dir_slot *dc_slot(const char *p, size_t n, uint64_t *h1, uint64_t *h2)
{
	*h1 = vfs_path_hash(vfs_shared->dir_key ^ 0x6469722d31ull, p, n);
	*h2 = vfs_path_hash(vfs_shared->dir_key ^ 0x6469722d32ull, p, n);
	return &vfs_shared->dirs[*h1 % VFS_DIR_SLOTS];
}

static bool dc_has(const char *p, size_t n, uint64_t gen)
{
	if (!vfs_shared)
		return false;
	uint64_t h1, h2;
	struct vfs_dir_slot *s = dc_slot(p, n, &h1, &h2);
	uint32_t seq;
	if (!vfs_seq_read_begin(&s->seq, &seq))
		return false;
	bool same = s->gen == gen && s->h1 == h1 && s->h2 == h2;
	return vfs_seq_read_end(&s->seq, seq) && same;
}

static void dc_add(const char *p, size_t n, uint64_t gen)
{
	if (!vfs_shared)
		return;
	uint64_t h1, h2;
	struct vfs_dir_slot *s = dc_slot(p, n, &h1, &h2);
	uint32_t seq;
	if (!vfs_seq_claim(&s->seq, &seq))
		return;
	s->gen = gen;
	s->h1 = h1;
	s->h2 = h2;
	vfs_seq_publish(&s->seq, seq);
}

void vfs_dircache_clear(void)
{
	if (vfs_shared)
		__atomic_add_fetch(&vfs_shared->dir_gen, 1, __ATOMIC_ACQ_REL);
}

/* ---- view <-> host ---- */

static long host_of(const char *view, size_t vlen, char *host, size_t hostlen, const struct mount_hit *hit);

/* Where a walk started: an overlay directory fd whose layers are known
 * (its view path is the first LEN bytes of the walked path while VALID). */
struct walk_base {
	size_t len;
	uint32_t layers;
	bool valid;
	bool from_fd;  /* kept for an fd: UPPER's part may have appeared since */
};

/* The host path of a normalized view path whose lookup is HIT; in an
 * overlay, from where the walk got to (BASE), and *DIR_LAYERS the layers
 * of the path if it is a directory. */
static long host_of_from(const char *view, size_t vlen, char *host, size_t hostlen, const struct mount_hit *hit,
			 struct walk_base *base, uint32_t *dir_layers)
{
	if (dir_layers)
		*dir_layers = 0;
	if (!vfs_is_overlay(hit->mount))
		return host_of(view, vlen, host, hostlen, hit);
	bool from = base && base->valid && base->len >= hit->mount_len && vlen > base->len;
	long r = ovl_host_path_from(hit->mount, view + hit->mount_len, vlen - hit->mount_len,
				    from ? base->len - hit->mount_len : 0, from ? base->layers : 0,
				    from && base->from_fd, host, hostlen, dir_layers);
	if (from)
		base->from_fd = false;  /* checked once */
	return r;
}

static long host_of(const char *view, size_t vlen, char *host, size_t hostlen, const struct mount_hit *hit)
{
	if (!hit->mount) {
		if (vlen + 1 > hostlen)
			return -ENAMETOOLONG;
		memcpy(host, view, vlen);  /* view may go on past vlen */
		host[vlen] = 0;
		return (long)vlen;
	}
	return vfs_backend_of(hit->mount)->host_path(hit->mount, view + hit->mount_len,
						     vlen - hit->mount_len, host, hostlen);
}

long vfs_host_to_view(const char *host, size_t len, char *out, size_t outlen)
{
	/* a host path no mount covers is the same path in the view (a file
	 * opened there, also if a mount shows it elsewhere too) */
	struct mount_hit at;
	mount_lookup(&vfs.table, host, len, &at);
	if (!at.mount) {
		if (len + 1 > outlen)
			return -ENAMETOOLONG;
		memcpy(out, host, len);
		out[len] = 0;
		return (long)len;
	}
	/* else: the mount whose backend claims the longest prefix of it */
	const struct mount_spec *best = NULL;
	size_t best_len = 0;
	for (int i = 0; i < vfs.mounts.n; i++) {
		const struct mount_spec *m = &vfs.mounts.v[i];
		long sl = vfs_backend_of(m)->claims(m, host, len);
		if (sl >= 0 && ((size_t)sl > best_len || !best)) {
			best = m;
			best_len = (size_t)sl;
		}
	}
	if (!best) {
		if (len + 1 > outlen)
			return -ENAMETOOLONG;
		memcpy(out, host, len);
		out[len] = 0;
		return (long)len;
	}
	size_t rest = len - best_len, dl = rest ? mount_rest_at(best) : best->dest_len;
	if (dl + rest + 1 > outlen)
		return -ENAMETOOLONG;
	memcpy(out, best->dest, dl);
	memcpy(out + dl, host + best_len, rest);
	out[dl + rest] = 0;
	return (long)(dl + rest);
}

long vfs_fd_view(int fd, char *out, size_t outlen, bool *synthetic)
{
	return vfs_fd_view_layers(fd, out, outlen, synthetic, NULL);
}

long vfs_fd_view_layers(int fd, char *out, size_t outlen, bool *synthetic, uint32_t *layers)
{
	struct vfs_proc *p = vfs_proc();
	if (synthetic)
		*synthetic = false;
	if (layers)
		*layers = 0;
	if (fd == AT_FDCWD) {
		vfs_proc_lock(p);
		size_t n = p->cwd_len;
		if (n + 1 > outlen) {
			vfs_proc_unlock(p);
			return -ENAMETOOLONG;
		}
		memcpy(out, p->cwd, n + 1);
		if (synthetic)
			*synthetic = p->cwd_synthetic;
		vfs_proc_unlock(p);
		return (long)n;
	}
	vfs_proc_lock(p);
	struct vfs_fd *f = vfs_fd_get(p, fd);
	if (f) {
		size_t n = strlen(f->view);
		long r = -ENAMETOOLONG;
		if (n + 1 <= outlen) {
			memcpy(out, f->view, n + 1);
			r = (long)n;
		}
		if (synthetic)
			*synthetic = f->synthetic;
		if (layers)
			*layers = f->ovl_layers;
		vfs_proc_unlock(p);
		return r;
	}
	vfs_proc_unlock(p);
	if (fd < 0)
		return -EBADF;
	/* not one we opened: ask the kernel where it is */
	char link[32], host[VFS_PATH_MAX];
	vfs_fd_link(link, fd);
	long n = sys(SYS_readlink, (long)link, (long)host, sizeof host - 1, 0, 0, 0);
	if (n < 0)
		return n == -ENOENT ? -EBADF : n;
	host[n] = 0;
	if (host[0] != '/')
		return -ENOTDIR;  /* a pipe or socket: not a directory */
	return vfs_host_to_view(host, (size_t)n, out, outlen);
}

uint8_t vfs_kind_of(const struct vfs_path *p)
{
	/* an overlay's names all need a look: which layer, copy-up... */
	if (p->synthetic || mount_node_has_children(p->node) || vfs_is_overlay(p->mount))
		return FD_SPECIAL;
	if (!p->mount)
		return FD_HOST;
	return (p->mount->flags & MOUNT_RO) ? FD_PLAIN_RO : FD_PLAIN;
}

/* Is a host path missing (not even a dangling symlink)? */
static bool is_missing(const char *host)
{
	char t;
	return sys(SYS_readlink, (long)host, (long)&t, 1, 0, 0, 0) == -ENOENT;
}

/* ---- /proc's links to this process's files ---- */

static bool is_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static long to_num(const char *s, size_t n)
{
	long v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* /proc/<pid>/{cwd,exe,fd/N} (or .../task/<tid>/...): its view path, for
 * this process; -1 when the path is not one of those, -2 (or another
 * error) when it is one of this process's links that the view does not
 * know (a host file, a pipe...). */
long vfs_proc_link(const char *v, size_t n, char *out, size_t outlen, bool *synthetic)
{
	if (synthetic)
		*synthetic = false;
	if (n < 7 || memcmp(v, "/proc/", 6))
		return -1;
	const char *s = v + 6, *e = v + n;
	const char *t = s;
	while (t < e && *t != '/')
		t++;
	if (!is_digits(s, (size_t)(t - s)))
		return -1;
	long pid = to_num(s, (size_t)(t - s));
	bool other = pid != sys(SYS_getpid, 0, 0, 0, 0, 0, 0);  /* the kernel's answer */
	if (t + 6 < e && !memcmp(t, "/task/", 6)) {
		const char *u = t + 6;
		t = u;
		while (t < e && *t != '/')
			t++;
		if (!is_digits(u, (size_t)(t - u)))
			return -1;
	}
	size_t rl = (size_t)(e - t);
	if (other)
		return (rl == 4 && (!memcmp(t, "/cwd", 4) || !memcmp(t, "/exe", 4))) ||
		       (rl == 5 && !memcmp(t, "/root", 5)) ||
		       (rl > 4 && !memcmp(t, "/fd/", 4) && is_digits(t + 4, rl - 4)) ? -2 : -1;
	struct vfs_proc *pr = vfs_proc();
	if (rl == 4 && !memcmp(t, "/cwd", 4))
		return vfs_fd_view(AT_FDCWD, out, outlen, synthetic);
	if (rl == 5 && !memcmp(t, "/root", 5))
		return -2;
	if (rl == 4 && !memcmp(t, "/exe", 4)) {
		if (!pr->exe[0])
			return -2;
		size_t l = strlen(pr->exe);
		if (l + 1 > outlen)
			return -ENAMETOOLONG;
		memcpy(out, pr->exe, l + 1);
		return (long)l;
	}
	if (rl > 4 && !memcmp(t, "/fd/", 4) && is_digits(t + 4, rl - 4)) {
		int fd = (int)to_num(t + 4, rl - 4);
		vfs_proc_lock(pr);
		struct vfs_fd *f = vfs_fd_get(pr, fd);
		long r = -2;
		if (f) {
			size_t l = strlen(f->view);
			r = l + 1 > outlen ? -ENAMETOOLONG : (long)l;
			if (r >= 0)
				memcpy(out, f->view, l + 1);
			if (synthetic)
				*synthetic = f->synthetic;
		}
		vfs_proc_unlock(pr);
		return r;
	}
	return -1;
}

/* The layers of an overlay directory open as FD (view path V), found
 * once and kept in its entry: lookups relative to it start there. */
static uint32_t overlay_dir_layers(int fd, const char *v, size_t vn)
{
	struct mount_hit hit;
	mount_lookup(&vfs.table, v, vn, &hit);
	if (!vfs_is_overlay(hit.mount) || hit.mount_len == vn)
		return 0;
	struct ovl_look lk;
	char host[VFS_PATH_MAX];
	if (ovl_lookup(hit.mount, v + hit.mount_len, vn - hit.mount_len, false, &lk, host, sizeof host) < 0 ||
	    lk.layer < 0 || !lk.is_dir)
		return 0;
	struct vfs_proc *p = vfs_proc_mut();
	vfs_proc_lock(p);
	struct vfs_fd *f = vfs_fd_get(p, fd);
	if (f)
		f->ovl_layers = lk.layers;
	vfs_proc_unlock(p);
	return lk.layers;
}

/* ---- the walk ---- */

long vfs_resolve(int dirfd, const char *user_path, unsigned flags, struct vfs_path *out)
{
	char work[2 * VFS_PATH_MAX];
	long len = lp_strncpy_from_user(work, user_path, VFS_PATH_MAX);
	if (len < 0)
		return len;
	out->trailing_slash = false;
	out->last_deferred = false;
	out->synthetic = false;
	out->in_synthetic = false;
	out->empty = false;
	out->empty_fd = -1;
	out->node = NULL;
	out->mount = NULL;
	if (len == 0) {
		if (!(flags & VR_EMPTY_OK))
			return -ENOENT;
		out->empty = true;
		out->empty_fd = dirfd;
	}
	char *v = out->view;
	size_t vn;
	/* the root: the view's, this process's after chroot(2), or openat2's */
	char root[VFS_PATH_MAX];
	size_t rootn = 1;
	root[0] = '/';
	root[1] = 0;
	const struct vfs_proc *pr = vfs_proc();
	if (pr->root_len) {
		rootn = pr->root_len;
		memcpy(root, pr->root, rootn + 1);
	}
	bool scoped = flags & (VR_BENEATH | VR_IN_ROOT);
	struct walk_base base = { 0 };
	if (work[0] != '/' || scoped) {
		bool synth;
		long n = vfs_fd_view_layers(dirfd, v, VFS_PATH_MAX, &synth, &base.layers);
		if (n < 0)
			return n;
		vn = (size_t)n;
		base.len = vn;
		if (!base.layers && work[0] != '/' && dirfd != AT_FDCWD && !synth)
			base.layers = overlay_dir_layers(dirfd, v, vn);
		base.valid = base.layers && work[0] != '/';
		base.from_fd = true;
		if (scoped) {
			memcpy(root, v, vn + 1);
			rootn = vn;
		}
		if (work[0] == '/') {
			if (flags & VR_BENEATH)
				return -EXDEV;
			/* RESOLVE_IN_ROOT: absolute paths start at the root */
		}
	} else {
		memcpy(v, root, rootn + 1);
		vn = rootn;
	}
	if (len > 1 && work[len - 1] == '/')
		out->trailing_slash = true;

	int links = 0;
	char *rest = work;  /* the components still to walk */
	struct mount_hit hit;  /* the lookup of v, kept up to date step by step */
	mount_lookup(&vfs.table, v, vn, &hit);
	const struct mount_spec *start_mount = hit.mount;  /* RESOLVE_NO_XDEV */
	long hn = -1;  /* >= 0: out->host is that of v as it is */
	const char *c;
	size_t cn;
	while ((c = mounts_next_component((const char **)&rest, &cn))) {
		hn = -1;
		char *after = rest;
		while (*after == '/')
			after++;
		bool last = !*after;
		if (mounts_is_dot(c, cn))
			continue;
		if (mounts_is_dotdot(c, cn)) {
			if (vn == rootn && !memcmp(v, root, vn)) {
				if (flags & VR_BENEATH)
					return -EXDEV;
				continue;  /* ".." at the root stays there */
			}
			mounts_parent(v, &vn);
			if (vn < base.len)
				base.valid = false;
			mount_lookup(&vfs.table, v, vn, &hit);
			continue;
		}
		if (cn > 255)
			return -ENAMETOOLONG;
		if (vn + 1 + cn + 1 > VFS_PATH_MAX)
			return -ENAMETOOLONG;
		size_t parent_n = vn;
		if (vn > 1)
			v[vn++] = '/';
		memcpy(v + vn, c, cn);
		vn += cn;
		v[vn] = 0;
		mount_step(&hit, c, cn, vn);
		if (last && !(flags & VR_FOLLOW) && !out->trailing_slash)
			break;
		char target[VFS_PATH_MAX];
		long tn;
		/* /proc/self/cwd/..., /proc/self/fd/N/...: go on from the view
		 * path of that directory, as the kernel goes on from the object
		 * (the link itself, last, is the kernel's -- it reopens the object
		 * -- unless the object is a directory only the view has) */
		bool synth_link;
		if (!hit.mount && vn > 9 && !memcmp(v, "/proc/", 6) &&
		    (tn = vfs_proc_link(v, vn, target, sizeof target, &synth_link)) != -1) {
			if (tn >= 0 && (!last || out->trailing_slash || synth_link)) {
				if (flags & (VR_NO_MAGIC | VR_BENEATH | VR_IN_ROOT))
					return (flags & VR_NO_MAGIC) ? -ELOOP : -EXDEV;
				goto expand;
			}
			/* a link the kernel knows better (a host file, a pipe, the
			 * object itself): it walks the rest from there */
			if (*after) {
				size_t an = strlen(after);
				if (vn + 1 + an + 1 > VFS_PATH_MAX)
					return -ENAMETOOLONG;
				v[vn++] = '/';
				memcpy(v + vn, after, an + 1);
				vn += an;
				if (out->trailing_slash)
					while (vn > 1 && v[vn - 1] == '/')
						v[--vn] = 0;
			}
			mount_lookup(&vfs.table, v, vn, &hit);
			hn = -1;
			break;
		}
		/* is it a symlink? */
		if (hit.mount && hit.mount_len == vn && vfs_is_overlay(hit.mount)) {
			base.len = vn;  /* an overlay's DEST: its layers */
			base.layers = ovl_root_layers(hit.mount);
			base.valid = true;
			base.from_fd = false;
		}
		if ((hit.node && !hit.mount) || (hit.mount && hit.mount_len == vn))
			continue;  /* a mount point or an ancestor of one: a directory */
		uint32_t dir_layers = 0;
		hn = host_of_from(v, vn, out->host, sizeof out->host, &hit, &base, last ? NULL : &dir_layers);
		if (hn < 0)
			return hn;
		/* where the next component's lookup starts (if this one is a
		 * directory and not a symlink: expanding one clears it) */
		base.valid = dir_layers != 0;
		base.len = vn;
		base.layers = dir_layers;
		base.from_fd = false;
		if (last && (flags & VR_DEFER_LAST) && !out->trailing_slash) {
			out->last_deferred = true;
			break;
		}
		uint64_t gen = dc_gen();
		if (dc_has(out->host, (size_t)hn, gen))
			continue;
		tn = sys(SYS_readlink, (long)out->host, (long)target, sizeof target - 1, 0, 0, 0);
		if (tn == -EINVAL) {
			dc_add(out->host, (size_t)hn, gen);
			continue;
		}
		if (tn < 0) {
			if (last)
				break;  /* the syscall itself says what it says (ENOENT, ...) */
			return tn;
		}
		/* a symlink: walk its target instead */
		if (flags & VR_NO_SYMLINKS)
			return -ELOOP;
	expand:
		if (++links > MAX_SYMLINKS)
			return -ELOOP;
		target[tn] = 0;
		size_t an = strlen(after);
		if ((size_t)tn + 1 + an + 2 > VFS_PATH_MAX)
			return -ENAMETOOLONG;
		/* new rest = target [+ "/" + after] (+ the trailing slash) */
		char *nr = work + VFS_PATH_MAX;  /* the upper half is free */
		memmove(nr + tn + 1, after, an + 1);
		memcpy(nr, target, (size_t)tn);
		nr[tn] = an ? '/' : 0;
		if (!an && out->trailing_slash) {
			nr[tn] = '/';
			nr[tn + 1] = 0;
		}
		memmove(work, nr, (size_t)tn + 1 + an + 2);
		rest = work;
		hn = -1;
		vn = parent_n;
		v[vn] = 0;
		base.valid = false;  /* simply: a symlink's target walks from scratch */
		if (target[0] == '/') {
			if (flags & VR_BENEATH)
				return -EXDEV;
			memcpy(v, root, rootn + 1);
			vn = rootn;
		}
		mount_lookup(&vfs.table, v, vn, &hit);
	}
	out->view_len = vn;
	if (hn < 0)
		hn = host_of_from(v, vn, out->host, sizeof out->host, &hit, &base, NULL);
	if (hn < 0)
		return hn;
	out->host_len = (size_t)hn;
	out->mount = hit.mount;
	out->node = hit.node;
	if ((flags & VR_NO_XDEV) && hit.mount != start_mount)
		return -EXDEV;
	if (hit.node && !hit.mount) {
		/* an ancestor of mount points: synthetic unless the host has it */
		out->synthetic = is_missing(out->host);
	} else if (!hit.node && !hit.mount && vn > 1) {
		/* a name in a synthetic directory? */
		size_t pn = vn;
		while (pn > 1 && v[pn - 1] != '/')
			pn--;
		if (pn > 1)
			pn--;
		struct mount_hit ph;
		mount_lookup(&vfs.table, v, pn, &ph);
		if (ph.node && !ph.mount) {
			char ph_host[VFS_PATH_MAX];
			if (host_of(v, pn, ph_host, sizeof ph_host, &ph) >= 0)
				out->in_synthetic = is_missing(ph_host);
		}
	}
	if (out->trailing_slash && hn > 1) {
		if ((size_t)hn + 2 > sizeof out->host)
			return -ENAMETOOLONG;
		out->host[hn] = '/';
		out->host[hn + 1] = 0;
		out->host_len++;
	}
	return 0;
}
