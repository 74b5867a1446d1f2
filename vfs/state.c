/* Per-process state of the view: the virtual cwd and the fd table.
 *
 * It hangs off lp_process_slot(): threads share it, a fork child has its
 * copy.  A vfork-style child shares its parent's memory, so the first
 * change it makes works on a private copy (vfs_proc_mut), which the parent
 * frees once the child has exec'd or exited (vfs_vfork_done).  What a new
 * program needs crosses execve in the environment (vfs_exec_hook). */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "vfs_internal.h"

bool vfs_chroot_seen;

struct vfs_proc *vfs_proc(void)
{
	return *(struct vfs_proc **)lp_process_slot();
}

void vfs_proc_lock(struct vfs_proc *p)
{
	while (__atomic_exchange_n(&p->lock, 1, __ATOMIC_ACQUIRE))
		sys(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
}

void vfs_proc_unlock(struct vfs_proc *p)
{
	__atomic_store_n(&p->lock, 0, __ATOMIC_RELEASE);
}

/* Another thread may be inside the view when one forks: hold its locks
 * across the clone so that the child gets consistent tables, unlocked.
 * (Signals are blocked here, so no handler of this thread can need them.) */
static struct vfs_proc *forking;

static void fork_prepare(void *data)
{
	(void)data;
	struct vfs_proc *p = vfs_proc();
	if (p)
		vfs_proc_lock(p);
	forking = p;  /* set under the lock: another thread may fork too */
}

static void fork_release(void *data)
{
	(void)data;
	if (forking)
		vfs_proc_unlock(forking);
}

int vfs_fork_hooks(void)
{
	static bool done;
	if (done)
		return 0;
	done = true;
	return lp_on_fork(fork_prepare, fork_release, fork_release, NULL);
}

/* A close of a tracked fd only clears its kind byte (in the prefilter,
 * without a trip through the handler); its entry is dropped when the
 * number is used again.  So an entry counts only while its kind is set. */
static bool live(const struct vfs_proc *p, const struct vfs_fd *f)
{
	return f->fd < 0 || f->fd >= VFS_MAX_FD || __atomic_load_n(&p->kind[f->fd], __ATOMIC_ACQUIRE);
}

static struct vfs_fd *entry_of(struct vfs_proc *p, int fd)
{
	struct vfs_fd *f = NULL;
	HASH_FIND_INT(p->fds, &fd, f);
	return f;
}

struct vfs_fd *vfs_fd_get(struct vfs_proc *p, int fd)
{
	struct vfs_fd *f = entry_of(p, fd);
	return f && live(p, f) ? f : NULL;
}

static void set_kind(struct vfs_proc *p, int fd, uint8_t kind)
{
	if (fd < 0 || fd >= VFS_MAX_FD)
		return;
	__atomic_store_n(&p->kind[fd], kind, __ATOMIC_RELEASE);
	if (kind && fd > p->max_fd)
		p->max_fd = fd;
}

void vfs_fd_kind_set(struct vfs_proc *p, struct vfs_fd *f, uint8_t kind)
{
	f->kind = kind;
	set_kind(p, f->fd, kind);
}

void vfs_fd_drop(struct vfs_proc *p, int fd)
{
	struct vfs_fd *f = entry_of(p, fd);
	set_kind(p, fd, FD_HOST);
	if (f) {
		HASH_DEL(p->fds, f);
		lp_free(f->listing);
		lp_free(f);
	}
}

int vfs_fd_set(struct vfs_proc *p, int fd, const char *view, size_t len, uint8_t kind, bool synthetic)
{
	struct vfs_fd *f = entry_of(p, fd);
	if (f && len < f->view_cap && (kind != FD_HOST || synthetic)) {
		/* the number used again (a closed fd's entry stays until
		 * then): the entry too, where the path fits -- a new one cost
		 * two allocator locks and a hash table freed and made again */
		set_kind(p, fd, FD_HOST);
		lp_free(f->listing);
		uint32_t cap = f->view_cap;
		memset(f, 0, offsetof(struct vfs_fd, hh));
		f->view_cap = cap;
	} else {
		vfs_fd_drop(p, fd);
		if (kind == FD_HOST && !synthetic)
			return 0;
		size_t cap = (len + 1 + 63) & ~(size_t)63;  /* room for a longer path next time */
		f = lp_malloc(sizeof *f + cap);
		if (!f)
			return -ENOMEM;
		memset(f, 0, sizeof *f);
		f->view_cap = (uint32_t)cap;
		f->fd = fd;
		HASH_ADD_INT(p->fds, fd, f);
		if (!f->hh.tbl) {  /* uthash could not allocate */
			lp_free(f);
			return -ENOMEM;
		}
	}
	memcpy(f->view, view, len);
	f->view[len] = 0;
	f->fd = fd;
	f->kind = kind;
	f->synthetic = synthetic;
	set_kind(p, fd, kind);
	return 0;
}

int vfs_fd_set_dir(struct vfs_proc *p, int fd, const char *view, size_t len, uint8_t kind, bool synthetic,
		   uint32_t layers, bool one_layer)
{
	int r = vfs_fd_set(p, fd, view, len, kind, synthetic);
	struct vfs_fd *f = r == 0 ? entry_of(p, fd) : NULL;
	if (f) {
		f->ovl_layers = layers;
		f->ovl_one_layer = one_layer;
	}
	return r;
}

/* F's entry as fd TO of P, with what is known of its overlay layers (a
 * dup'ed directory fd is as much one layer's as the original). */
static int copy_entry(struct vfs_proc *p, int to, const struct vfs_fd *f)
{
	return vfs_fd_set_dir(p, to, f->view, strlen(f->view), f->kind, f->synthetic, f->ovl_layers, f->ovl_one_layer);
}

int vfs_fd_copy(struct vfs_proc *p, int from, int to)
{
	if (from == to)
		return 0;
	struct vfs_fd *f = vfs_fd_get(p, from);
	if (!f) {
		vfs_fd_drop(p, to);
		return 0;
	}
	return copy_entry(p, to, f);
}

/* One copy kept for the next vfork child: a shell vforks for every
 * command, and a new 80 KiB block is a mapping, an unmapping and the
 * faults of its pages each time.  Taken and given back atomically: the
 * threads of a process may vfork at once. */
static struct vfs_proc *spare_proc;

static struct vfs_proc *proc_new(void)
{
	struct vfs_proc *p = __atomic_exchange_n(&spare_proc, NULL, __ATOMIC_ACQ_REL);
	return p ? p : lp_calloc(1, sizeof *p);
}

static void proc_free(struct vfs_proc *p)
{
	lp_free(p->exec_argv);
	struct vfs_fd *f, *tmp;
	HASH_ITER(hh, p->fds, f, tmp) {
		HASH_DEL(p->fds, f);
		lp_free(f->listing);
		lp_free(f);
	}
	/* zero again, as lp_calloc gave it */
	if (p->max_fd >= 0)
		memset(p->kind, 0, (size_t)p->max_fd + 1);
	memset(p, 0, offsetof(struct vfs_proc, kind));
	struct vfs_proc *none = NULL;
	if (!__atomic_compare_exchange_n(&spare_proc, &none, p, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		lp_free(p);
}

static struct vfs_proc *proc_copy(const struct vfs_proc *src)
{
	/* zeroed, and only what is in use copied: the struct is 80 KiB, mostly
	 * path buffers and fd kinds, and each page touched is a page fault */
	struct vfs_proc *p = proc_new();
	if (!p)
		return NULL;
	p->owner = src->owner;
	p->cwd_kind = src->cwd_kind;
	p->cwd_synthetic = src->cwd_synthetic;
	p->cwd_len = src->cwd_len;
	memcpy(p->cwd, src->cwd, src->cwd_len + 1);
	memcpy(p->exe, src->exe, strlen(src->exe) + 1);
	memcpy(p->exec_path, src->exec_path, strlen(src->exec_path) + 1);
	p->exec_by_loader = src->exec_by_loader;
	p->ovl_lower_gen = src->ovl_lower_gen;
	p->root_len = src->root_len;
	memcpy(p->root, src->root, src->root_len + 1);
	for (const struct vfs_fd *f = src->fds; f; f = f->hh.next)
		if (live(src, f) && copy_entry(p, f->fd, f) < 0) {
			proc_free(p);
			return NULL;
		}
	return p;
}

struct vfs_proc *vfs_proc_mut(void)
{
	struct vfs_proc **slot = (struct vfs_proc **)lp_process_slot();
	struct vfs_proc *p = *slot;
	if (!lp_shares_parent_memory())
		return p;
	/* A vfork-style child: until it made its own copy, the slot holds
	 * its parent's state, which it must not change. */
	int pid = (int)sys(SYS_getpid, 0, 0, 0, 0, 0, 0);
	if (p->owner == pid)
		return p;
	vfs_proc_lock(p);
	struct vfs_proc *c = proc_copy(p);
	vfs_proc_unlock(p);
	if (!c)
		return p;  /* out of memory: share it, as vfork would */
	c->owner = pid;
	*slot = c;
	return c;
}

void vfs_vfork_done(void *child_slot, void *data)
{
	(void)data;
	if (child_slot)
		proc_free(child_slot);
}

/* ---- across execve: VFSRUN_CWD, VFSRUN_EXE, VFSRUN_FDS ---- */

/* Paths in VFSRUN_FDS: bytes below '!', '%', ';', ':' and above '~' as %XX. */
static size_t encode(char *o, const char *s)
{
	size_t n = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= ' ' || c == '%' || c == ';' || c == ':' || c > '~') {
			if (o) {
				o[n] = '%';
				o[n + 1] = "0123456789ABCDEF"[c >> 4];
				o[n + 2] = "0123456789ABCDEF"[c & 15];
			}
			n += 3;
		} else {
			if (o)
				o[n] = (char)c;
			n++;
		}
	}
	return n;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static size_t put_num(char *o, long v)
{
	char t[24];
	int i = 0;
	if (v < 0)
		v = 0;
	do
		t[i++] = (char)('0' + v % 10);
	while ((v /= 10));
	for (int j = 0; j < i; j++)
		o[j] = t[i - 1 - j];
	return (size_t)i;
}

int vfs_exec_hook(lp_exec_env *env, void *data)
{
	(void)data;
	struct vfs_proc *p = vfs_proc();
	int r = lp_exec_env_add(env, "VFSRUN_CWD", p->cwd);
	if (r == 0 && p->root_len)
		r = lp_exec_env_add(env, "VFSRUN_ROOT", p->root);
	if (r == 0 && p->exec_path[0])
		r = lp_exec_env_add(env, "VFSRUN_EXE", p->exec_path);
	/* the loader runs every guest program: name the one it starts, for
	 * the interposer's kept verdicts (a program new to the run) */
	if (r == 0 && p->exec_path[0] && p->exec_by_loader)
		r = lp_exec_env_add(env, "LAZYPOLINE_PROGRAM", p->exec_path);
	if (r < 0)
		return r;
	/* the tracked fds that survive the exec (not close-on-exec) */
	vfs_proc_lock(p);
	size_t n = 1;
	for (const struct vfs_fd *f = p->fds; f; f = f->hh.next)
		n += 32 + encode(NULL, f->view);
	char *s = lp_malloc(n), *o = s;
	if (!s) {
		vfs_proc_unlock(p);
		return -ENOMEM;
	}
	for (const struct vfs_fd *f = p->fds; f; f = f->hh.next) {
		if (!live(p, f))
			continue;  /* closed */
		long fl = sys(SYS_fcntl, f->fd, F_GETFD, 0, 0, 0, 0);
		if (fl < 0 || (fl & FD_CLOEXEC))
			continue;
		o += put_num(o, f->fd);
		*o++ = ':';
		o += put_num(o, f->kind);
		*o++ = ':';
		*o++ = f->synthetic ? '1' : '0';
		*o++ = ':';
		o += encode(o, f->view);
		*o++ = ';';
	}
	*o = 0;
	vfs_proc_unlock(p);
	r = lp_exec_env_add(env, "VFSRUN_FDS", s);
	lp_free(s);
	return r;
}

static long parse_num(const char **p)
{
	long v = 0;
	while (**p >= '0' && **p <= '9')
		v = v * 10 + (*(*p)++ - '0');
	return v;
}

size_t vfs_in_root(char *view, size_t n)
{
	const struct vfs_proc *p = vfs_proc();
	size_t rn = p->root_len;
	if (!rn || n < rn || memcmp(view, p->root, rn) || (n > rn && view[rn] != '/'))
		return n;
	if (n == rn) {
		view[0] = '/';
		view[1] = 0;
		return 1;
	}
	memmove(view, view + rn, n - rn + 1);
	return n - rn;
}

/* cwd: the view path the cwd has (NULL: as the kernel has it); fds, exe
 * and root (chroot(2)'s): what the program that exec'd us passed on. */
int vfs_state_init(const char *cwd, const char *fds, const char *exe, const char *root)
{
	struct vfs_proc *p = lp_calloc(1, sizeof *p);
	if (!p)
		return -ENOMEM;
	if (root && root[0] == '/' && root[1] && strlen(root) < VFS_PATH_MAX) {
		vfs_chroot_seen = true;
		p->root_len = strlen(root);
		memcpy(p->root, root, p->root_len + 1);
	}
	/* the kind bytes of the low fds, read and written by every open and
	 * close: mapped now, not by a read fault and then a write fault */
	sys(SYS_madvise, (long)((uintptr_t)p->kind & ~(uintptr_t)4095), 4096, MADV_POPULATE_WRITE, 0, 0, 0);
	p->owner = (int)sys(SYS_getpid, 0, 0, 0, 0, 0, 0);
	*(struct vfs_proc **)lp_process_slot() = p;
	char host[VFS_PATH_MAX];
	if (!cwd) {
		long n = sys(SYS_getcwd, (long)host, sizeof host, 0, 0, 0, 0);
		if (n <= 0)
			return n < 0 ? (int)n : -ENOENT;
		cwd = host;
	}
	struct vfs_path vp;
	size_t len = strlen(cwd);
	if (len >= VFS_PATH_MAX || cwd[0] != '/')
		return -EINVAL;
	memcpy(p->cwd, cwd, len + 1);
	p->cwd_len = len;
	if (vfs_resolve(AT_FDCWD, cwd, VR_FOLLOW, &vp) == 0) {
		p->cwd_kind = vfs_kind_of(&vp);
		p->cwd_synthetic = vp.synthetic;
	}
	if (exe) {
		size_t n = strlen(exe);
		if (n < VFS_PATH_MAX)
			memcpy(p->exe, exe, n + 1);
	}
	for (const char *q = fds; q && *q;) {
		long fd = parse_num(&q);
		if (*q++ != ':')
			break;
		long kind = parse_num(&q);
		if (*q++ != ':')
			break;
		bool synth = *q == '1';
		q++;
		if (*q++ != ':')
			break;
		char view[VFS_PATH_MAX];
		size_t n = 0;
		while (*q && *q != ';' && n + 1 < sizeof view) {
			if (*q == '%' && hexval(q[1]) >= 0 && hexval(q[2]) >= 0) {
				view[n++] = (char)(hexval(q[1]) * 16 + hexval(q[2]));
				q += 3;
			} else {
				view[n++] = *q++;
			}
		}
		view[n] = 0;
		if (*q == ';')
			q++;
		/* (what made a directory FD_OVL_LOWER stayed behind) */
		if (kind == FD_OVL_LOWER)
			kind = FD_OVL_DIR;
		/* only if the fd is still open: the program may have closed it */
		if (fd >= 0 && fd < VFS_MAX_FD && sys(SYS_fcntl, fd, F_GETFD, 0, 0, 0, 0) >= 0)
			vfs_fd_set(p, (int)fd, view, n, (uint8_t)kind, synth);
	}
	return 0;
}
