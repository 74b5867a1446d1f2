/* Setting up the view: libvfs.so as an interposer library (vfsrun) and
 * the in-process API of vfs.h.
 *
 * vfsrun hands the mounts over in VFSRUN_MOUNTS (the mounts-file
 * grammar) and the directory to start in in VFSRUN_CHDIR; every process
 * passes its own state on to the programs it execs (VFSRUN_CWD, _FDS,
 * _EXE, see state.c).  The program never sees these variables.
 *
 * This file runs before the interposer starts, so it may use libc. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "memdir.h"
#include "vfs.h"
#include "vfs_internal.h"

struct vfs vfs;
static char last_error[512];
extern char **environ;

static int fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof last_error, fmt, ap);
	va_end(ap);
	return -err;
}

const char *vfs_error(void)
{
	return last_error;
}

static void use_our_allocator(void)
{
	mounts_set_allocator(lp_malloc, lp_free);
}

/* ---- making mounts concrete ---- */

/* Where the root mount R (DEST "/") has view path CUR: its SRC's, or for
 * an overlay the topmost layer's that holds it. */
static void in_root(const struct mount_spec *r, const char *cur, char *out, size_t n)
{
	snprintf(out, n, "%s%s", r->src, cur);
	struct stat st;
	const char *l;
	size_t ln;
	if (r->kind != MOUNT_OVERLAY || lstat(out, &st) == 0)
		return;
	for (int i = 0; (l = mounts_lower(r, i, &ln)); i++) {
		snprintf(out, n, "%.*s%s", (int)ln, l, cur);
		if (lstat(out, &st) == 0)
			return;
	}
}

/* DEST with the symlinks of its existing part resolved on the host, as
 * mount(8) does -- but not below an earlier mount's DEST, whose content
 * the host does not have. */
static __attribute__((noinline)) int canonical_dest(const char *dest, int n_earlier, char *out)
{
	const struct mount_spec *root = NULL;  /* a whole-root view's, made first */
	if (vfs.mounts.n > 0 && vfs.mounts.v[0].dest_len == 1)
		root = &vfs.mounts.v[0];
	char todo[2 * PATH_MAX], cur[PATH_MAX] = "/";
	if (mounts_normalize(dest, todo, PATH_MAX) < 0)
		return -ENAMETOOLONG;
	bool given_root = !strcmp(todo, "/");
	size_t cn = 1;
	int links = 0;
	const char *rest = todo, *c;
	size_t n;
	bool exists = true;
	while ((c = mounts_next_component(&rest, &n))) {
		if (mounts_is_dot(c, n))
			continue;
		if (mounts_is_dotdot(c, n)) {
			mounts_parent(cur, &cn);
			continue;
		}
		if (cn + 1 + n + 1 > PATH_MAX)
			return -ENAMETOOLONG;
		if (cn > 1)
			cur[cn++] = '/';
		memcpy(cur + cn, c, n);
		cn += n;
		cur[cn] = 0;
		if (!exists)
			continue;
		for (int i = root ? 1 : 0; i < n_earlier; i++) {
			const struct mount_spec *m = &vfs.mounts.v[i];
			if (!strncmp(m->dest, cur, m->dest_len) && (cur[m->dest_len] == 0 || cur[m->dest_len] == '/'))
				exists = false;  /* the view has an earlier mount here */
		}
		if (!exists)
			continue;
		char target[PATH_MAX], host[2 * PATH_MAX];
		if (root)
			in_root(root, cur, host, sizeof host);
		ssize_t tn = readlink(root ? host : cur, target, sizeof target - 1);
		if (tn < 0) {
			if (errno != EINVAL)
				exists = false;  /* the rest is made up in the view */
			continue;
		}
		if (++links > 40)
			return -ELOOP;
		target[tn] = 0;
		char next[2 * PATH_MAX];
		int k = snprintf(next, sizeof next, "%s/%s", target, rest);
		if (k < 0 || (size_t)k >= PATH_MAX)
			return -ENAMETOOLONG;
		memcpy(todo, next, (size_t)k + 1);
		rest = todo;
		if (target[0] == '/')
			cn = 1, cur[1] = 0;
		else
			mounts_parent(cur, &cn);
	}
	if (cn == 1 && !given_root)
		return -EINVAL;  /* a symlink to the view's root */
	memcpy(out, cur, cn + 1);
	return 0;
}

/* An overlay's lower layers without symlinks, each an existing directory,
 * into out (':'-separated). */
static int concrete_layers(const struct mount_spec *m, char *out, size_t outlen)
{
	size_t o = 0, n;
	const char *l;
	for (int i = 0; (l = mounts_lower(m, i, &n)); i++) {
		char given[PATH_MAX], abs[PATH_MAX];
		snprintf(given, sizeof given, "%.*s", (int)n, l);
		if (!realpath(given, abs))
			return fail(errno, "LOWER '%s' of DEST '%s': %s", given, m->dest, strerror(errno));
		struct stat st;
		if (stat(abs, &st) || !S_ISDIR(st.st_mode))
			return fail(ENOTDIR, "LOWER '%s' of DEST '%s' is not a directory", given, m->dest);
		size_t al = strlen(abs);
		if (strchr(abs, ':'))
			return fail(EINVAL, "LOWER '%s' of DEST '%s': a layer's path cannot hold ':'", abs,
				    m->dest);
		if (o + al + 2 > outlen)
			return fail(ENAMETOOLONG, "the lower layers of DEST '%s' are too long", m->dest);
		if (o)
			out[o++] = ':';
		memcpy(out + o, abs, al);
		o += al;
	}
	out[o] = 0;
	return 0;
}

/* The lower layers of the overlay just added (M as given), concrete.
 * Apart from add_mount: its 16 KiB of stack are not touched for a bind
 * (every stack page touched is a page fault in every process). */
static __attribute__((noinline)) int add_layers(const struct mount_spec *m)
{
	char lower[4 * PATH_MAX], why[512];
	int r = concrete_layers(m, lower, sizeof lower);
	if (r < 0)
		return r;
	if (mounts_set_lower(&vfs.mounts.v[vfs.mounts.n - 1], lower, why, sizeof why) < 0 ||
	    mounts_set_lower(&vfs.named.v[vfs.named.n - 1], lower, why, sizeof why) < 0)
		return fail(EINVAL, "%s", why);
	/* as the kernel's overlayfs (vfsrun says so before, vfs.h here) */
	if (mounts_check_layers(&vfs.mounts.v[vfs.mounts.n - 1], why, sizeof why) < 0)
		return fail(ELOOP, "DEST '%s': %s", m->dest, why);
	return 0;
}

/* A mount as given (SRC absolute) made concrete: SRC without symlinks
 * and existing, DEST canonical. */
static int add_mount(const struct mount_spec *m)
{
	char src[PATH_MAX], dest[PATH_MAX], why[512];
	if (m->kind == MOUNT_TMPFS || m->kind == MOUNT_TMP_OVERLAY)
		return fail(EINVAL, "DEST '%s': %s is made by vfsrun or vfs.h, not here", m->dest,
			    mount_kind_name(m->kind, 0));
	if (!realpath(m->src, src))
		return fail(errno, "SRC '%s' of DEST '%s': %s", m->src, m->dest, strerror(errno));
	int r = canonical_dest(m->dest, vfs.mounts.n, dest);
	if (r < 0)
		return fail(-r, "DEST '%s': %s", m->dest, strerror(-r));
	if (mounts_add(&vfs.mounts, m->kind, m->flags, src, dest, why, sizeof why) < 0 ||
	    mounts_add(&vfs.named, m->kind, m->flags, src, m->dest, why, sizeof why) < 0)
		return fail(EINVAL, "%s", why);
	return m->kind == MOUNT_OVERLAY ? add_layers(m) : 0;
}

/* The mounts as given, the whole-root one first: the other DESTs are
 * in its tree. */
static int add_mounts(const struct mount_list *given)
{
	use_our_allocator();
	int root = -1, r = 0;
	for (int i = 0; i < given->n && root < 0; i++)
		if (given->v[i].dest_len == 1)
			root = i;
	if (root >= 0 && vfs.mounts.n > 0)
		return fail(EINVAL, "DEST '/': the view exists already; a whole-root view is made at once");
	if (root >= 0)
		r = add_mount(&given->v[root]);
	for (int i = 0; i < given->n && r == 0; i++)
		if (i != root)
			r = add_mount(&given->v[i]);
	return r;
}

/* One more first component that may lead into a mount; false when there
 * are too many to list (then every absolute path is looked at). */
static bool add_top(const char *name, size_t len)
{
	for (int k = 0; k < vfs.n_top; k++)
		if (strlen(vfs.top[k]) == len && !strncmp(vfs.top[k], name, len))
			return true;
	if (vfs.n_top == VFS_MAX_TOP || len >= sizeof vfs.top[0]) {
		vfs.n_top = -1;
		return false;
	}
	memcpy(vfs.top[vfs.n_top], name, len);
	vfs.top[vfs.n_top++][len] = 0;
	return true;
}

/* The first components of absolute paths that may lead into a mount:
 * the trie's top level, those of the DESTs as named when a host symlink
 * made them concrete elsewhere (/etc/os-release -> /usr/lib/os-release),
 * and the host's symlinks in / that point to one of these (/lib ->
 * usr/lib).  The prefilters let every other one through. */
static void compute_top(void)
{
	vfs.n_top = 0;
	if (mount_node_mount(mount_table_root(&vfs.table))) {
		vfs.n_top = -1;  /* a whole-root view: every absolute path is in a mount */
		return;
	}
	const char *name;
	size_t len;
	for (int i = 0; (name = mount_node_child(mount_table_root(&vfs.table), i, &len)); i++)
		if (!add_top(name, len))
			return;
	for (int i = 0; i < vfs.named.n; i++) {
		const char *rest = vfs.named.v[i].dest;
		if ((name = mounts_next_component(&rest, &len)) && !add_top(name, len))
			return;
	}
	for (bool added = true; added;) {
		added = false;
		DIR *d = opendir("/");
		if (!d)
			return;
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_type != DT_LNK)
				continue;
			char path[300], target[PATH_MAX];
			snprintf(path, sizeof path, "/%s", e->d_name);
			ssize_t tn = readlink(path, target, sizeof target - 1);
			if (tn <= 0)
				continue;
			target[tn] = 0;
			const char *t = target;
			while (t[0] == '.' && t[1] == '/')
				t += 2;
			const char *first = mounts_next_component(&t, &len);
			bool leads_in = false;
			for (int k = 0; first && k < vfs.n_top && !leads_in; k++)
				leads_in = strlen(vfs.top[k]) == len && !strncmp(vfs.top[k], first, len);
			int before = vfs.n_top;
			if (leads_in && !add_top(e->d_name, strlen(e->d_name))) {
				closedir(d);
				return;
			}
			added |= vfs.n_top != before;
		}
		closedir(d);
	}
}

static void top_first_set(unsigned char c)
{
	vfs.top_first[c >> 6] |= 1ull << (c & 63);
}

static void fill_top_first(void)
{
	memset(vfs.top_first, vfs.n_top < 0 ? 0xff : 0, sizeof vfs.top_first);
	top_first_set(0);
	top_first_set('/');
	top_first_set('.');
	top_first_set('p');
	for (int k = 0; k < vfs.n_top; k++)
		top_first_set((unsigned char)vfs.top[k][0]);
}

/* compute_top's list for children (VFSRUN_TOP): "all", or "/NAME..." ("/": none) */
static char *top_text(void)
{
	size_t n = 4;
	for (int k = 0; k < vfs.n_top; k++)
		n += strlen(vfs.top[k]) + 1;
	char *t = lp_malloc(n), *o = t;
	if (!t)
		return NULL;
	memcpy(o, vfs.n_top < 0 ? "all" : "/", vfs.n_top < 0 ? 4 : 2);
	for (int k = 0; k < vfs.n_top; k++)
		o += sprintf(o, "/%s", vfs.top[k]);
	return t;
}

/* compute_top's list as the view's first process made it: the names in
 * host / that lead into mounts are not looked for again in every process */
static bool load_top(const char *text)
{
	vfs.n_top = !strcmp(text, "all") ? -1 : 0;
	const char *rest = text, *name;
	size_t len;
	while (text[0] == '/' && (name = mounts_next_component(&rest, &len)) && add_top(name, len))
		;
	return vfs.n_top < 0 || text[0] == '/';
}

#ifdef VFS_LINKED_IN
/* lazypoline-vfs-loader opens the program it starts and its ELF
 * interpreter, view paths, through this: resolved here and opened by the
 * runtime's own syscall.  Its libc's syscalls would each be trapped (a
 * signal, ~4 us here), as its loading would be: about twenty per exec.
 * The fd is the loader's, closed before the program runs: not tracked. */
long vfs_loader_open(const char *path)
{
	struct vfs_path p;
	long r = vfs_resolve(AT_FDCWD, path, VR_FOLLOW, &p);
	if (r < 0)
		return r;
	if (p.synthetic)
		return -EACCES;
	return sys(SYS_openat, AT_FDCWD, (long)p.host, O_RDONLY | O_CLOEXEC, 0, 0, 0);
}
#endif

#ifdef VFS_LINKED_IN
/* lazypoline-vfs-loader's path, as it read it before starting the view */
char vfs_loader_self[PATH_MAX];
#endif

/* The loader, installed next to libvfs.so (see exec.c): the static one
 * with the view linked in, else lazypoline-loader. */
static void find_loader(void)
{
	vfs.loader[0] = 0;
#ifdef VFS_LINKED_IN  /* into lazypoline-vfs-loader: itself */
	if (strlen(vfs_loader_self) < sizeof vfs.loader)
		strcpy(vfs.loader, vfs_loader_self);
#else
	char self[PATH_MAX];
	Dl_info di;
	if (!dladdr((void *)find_loader, &di) || !di.dli_fname || !realpath(di.dli_fname, self))
		return;
	*strrchr(self, '/') = 0;
	static const char *const loaders[] = { "lazypoline-vfs-loader", "lazypoline-loader" };
	for (size_t i = 0; i < sizeof loaders / sizeof *loaders; i++)
		if ((size_t)snprintf(vfs.loader, sizeof vfs.loader, "%s/%s", self, loaders[i]) < sizeof vfs.loader &&
		    access(vfs.loader, X_OK) == 0)
			return;
	vfs.loader[0] = 0;
#endif
}

static char fake_root_table[PATH_MAX + 256] VFS_APART;  /* vfs_fake_root's */

/* Build the table and the process state, register the handlers. */
static int start_view(lp_interposer *ip, const char *chdir_to, const char *cwd_label, const char *fds,
		      const char *exe, const char *top)
{
	char why[512];
	if (mount_table_build(&vfs.table, &vfs.mounts, why, sizeof why) < 0)
		return fail(ENOMEM, "%s", why);
	if (!top || !load_top(top))
		compute_top();
	fill_top_first();
	find_loader();
	vfs_shared_init();
	int r = vfs_state_init(chdir_to ? NULL : cwd_label, fds, exe, getenv("VFSRUN_ROOT"));
	if (r < 0)
		return fail(-r, "cannot set up the working directory: %s", strerror(-r));
	if (chdir_to) {
		/* the first process: its working directory is a view path */
		struct vfs_path p;
		long e = vfs_resolve(AT_FDCWD, chdir_to, VR_FOLLOW, &p);
		if (e == 0 && !p.synthetic) {
			struct stat st;
			e = stat(p.host, &st) ? -errno : S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
		}
		if (e == 0)
			e = chdir(p.synthetic ? "/" : p.host) ? -errno : 0;
		if (e < 0)
			return fail((int)-e, "cannot change directory to %s: %s", chdir_to, strerror((int)-e));
		struct vfs_proc *pr = vfs_proc();
		memcpy(pr->cwd, p.view, p.view_len + 1);
		pr->cwd_len = p.view_len;
		pr->cwd_kind = vfs_kind_of(&p);
		pr->cwd_synthetic = p.synthetic;
	}
	/* children get the mounts as named and as made concrete here, and the
	 * names leading into them (adopt_mounts, load_top) */
	char *named = mounts_serialize(&vfs.named), *concrete = mounts_serialize(&vfs.mounts);
	char *tops = top_text();
	r = named && concrete && tops ? 0 : -ENOMEM;
	if (!r)
		r = lp_exec_env_set("VFSRUN_MOUNTS", named);
	if (!r)
		r = lp_exec_env_set("VFSRUN_CONCRETE", concrete);
	if (!r)
		r = lp_exec_env_set("VFSRUN_TOP", tops);
	lp_free(named);
	lp_free(concrete);
	lp_free(tops);
	if (!r)
		r = lp_on_exec(ip, vfs_exec_hook, NULL);
	if (!r)
		r = lp_on_vfork_done(ip, vfs_vfork_done, NULL);
	if (!r)
		r = vfs_fork_hooks();
	const char *fake_root = fake_root_table[0] ? fake_root_table : getenv("VFSRUN_FAKEROOT");
	if (!r && fake_root) {
		r = vfs_fakeroot_start(ip, fake_root, getenv("VFSRUN_FAKEIDS"), true);
		if (r == -EINVAL)
			return fail(EINVAL, "--fake-root-file %s: not a table of this vfsrun's fake root", fake_root);
		if (r < 0)
			return fail(-r, "--fake-root-file %s: %s", fake_root, strerror(-r));
		r = lp_exec_env_set("VFSRUN_FAKEROOT", fake_root);
	}
	if (!r)
		r = vfs_register(ip);
	if (!r && fake_root)
		r = vfs_fakeroot_start(ip, fake_root, NULL, false);
	if (r < 0)
		return fail(-r, "cannot register the view's handlers: %s", strerror(-r));
	vfs.started = true;
	return 0;
}

/* ---- libvfs.so under vfsrun (LIBLAZYPOLINE) ---- */

/* A process started in the view: the mounts as its first process made
 * them concrete.  SRCs and DESTs are not looked up on the host again --
 * a view's mounts stay where they were made, as the kernel's do when a
 * symlink on the way to a mount point changes -- and each start saves
 * those lookups. */
static int adopt_mounts(struct mount_list *given, const char *concrete)
{
	char why[512];
	if (mounts_parse(&vfs.mounts, concrete, "VFSRUN_CONCRETE", why, sizeof why) < 0)
		return fail(EINVAL, "%s", why);
	if (vfs.mounts.n != given->n)
		return fail(EINVAL, "VFSRUN_CONCRETE does not match VFSRUN_MOUNTS");
	vfs.named = *given;
	*given = (struct mount_list){ 0 };
	return 0;
}

static void hide_our_variables(void)
{
	for (size_t i = 0; environ && environ[i];) {
		if (!strncmp(environ[i], "VFSRUN_", 7)) {
			for (size_t j = i; environ[j]; j++)
				environ[j] = environ[j + 1];
		} else {
			i++;
		}
	}
}

LP_API int lazypoline_init(lp_interposer *ip)
{
	const char *text = getenv("VFSRUN_MOUNTS");
	if (!text) {
		fprintf(stderr, "vfsrun: VFSRUN_MOUNTS is not set: libvfs.so has no view to show\n");
		_exit(125);
	}
	use_our_allocator();
	struct mount_list given = { 0 };
	char why[512];
	int r;
	const char *concrete = getenv("VFSRUN_CONCRETE");
	if (mounts_parse(&given, text, "VFSRUN_MOUNTS", why, sizeof why) < 0)
		r = fail(EINVAL, "%s", why);
	else
		r = concrete ? adopt_mounts(&given, concrete) : add_mounts(&given);
	mounts_free(&given);
	if (!r)
		r = start_view(ip, getenv("VFSRUN_CHDIR"), getenv("VFSRUN_CWD"), getenv("VFSRUN_FDS"),
			       getenv("VFSRUN_EXE"), concrete ? getenv("VFSRUN_TOP") : NULL);
	if (r < 0) {
		/* one line, and the status of vfsrun's own failures */
		fprintf(stderr, "vfsrun: %s\n", last_error);
		_exit(125);
	}
	hide_our_variables();
	return 0;
}

/* ---- in-process use (vfs.h) ---- */

static struct mount_list pending;

LP_API int vfs_bind(const char *src, const char *dest, unsigned flags)
{
	if (vfs.started)
		return fail(EBUSY, "the view has already started");
	if (!src || !dest)
		return fail(EINVAL, "missing SRC or DEST");
	use_our_allocator();
	char abs[PATH_MAX], why[512];
	if (!realpath(src, abs))
		return fail(errno, "SRC '%s': %s", src, strerror(errno));
	if (mounts_add(&pending, MOUNT_BIND, (flags & VFS_RO) ? MOUNT_RO : 0, abs, dest, why, sizeof why) < 0)
		return fail(EINVAL, "%s", why);
	return 0;
}

LP_API int vfs_overlay(const char *lower, const char *upper, const char *dest)
{
	if (vfs.started)
		return fail(EBUSY, "the view has already started");
	if (!lower || !upper || !dest)
		return fail(EINVAL, "missing LOWER, UPPER or DEST");
	use_our_allocator();
	char abs[PATH_MAX], why[512];
	if (!realpath(upper, abs))
		return fail(errno, "UPPER '%s': %s", upper, strerror(errno));
	if (mounts_add_overlay(&pending, lower, abs, dest, why, sizeof why) < 0)
		return fail(EINVAL, "%s", why);
	return 0;
}

/* Memory directories of vfs_tmpfs and vfs_tmp_overlay: under one private
 * directory on the host's shm tmpfs, removed when the process that made
 * them exits. */
static struct memdir mem_dirs VFS_APART;

static void remove_mem_dirs(void)
{
	memdir_remove(&mem_dirs);
}

static int new_mem_dir(char *out, size_t n)
{
	bool first = !mem_dirs.root[0];
	int r = memdir_next(&mem_dirs, "vfs", out, n);
	if (first && mem_dirs.root[0])
		atexit(remove_mem_dirs);
	if (r < 0)
		return fail(-r, "cannot make a directory in memory (%s): %s", mem_dirs.root[0] ? out : "/dev/shm or /tmp",
			    strerror(-r));
	return 0;
}

LP_API int vfs_fake_root(const char *table_file)
{
	if (vfs.started)
		return fail(EBUSY, "the view has already started");
	char dir[PATH_MAX];
	if (!table_file) {
		int r = new_mem_dir(dir, sizeof dir);
		if (r < 0)
			return r;
		snprintf(fake_root_table, sizeof fake_root_table, "%s/fake-root", dir);
		return 0;
	}
	/* the file may not exist yet: its directory must */
	const char *slash = strrchr(table_file, '/');
	char given[PATH_MAX];
	snprintf(given, sizeof given, "%.*s", slash ? (int)(slash - table_file) : 1, slash ? table_file : ".");
	if (!*given)
		given[0] = '/', given[1] = 0;
	if (!realpath(given, dir))
		return fail(errno, "fake root table %s: %s", table_file, strerror(errno));
	if ((size_t)snprintf(fake_root_table, sizeof fake_root_table, "%s/%s", dir, slash ? slash + 1 : table_file) >=
	    sizeof fake_root_table)
		return fail(ENAMETOOLONG, "fake root table %s: the path is too long", table_file);
	return 0;
}

LP_API int vfs_tmpfs(const char *dest)
{
	if (vfs.started)
		return fail(EBUSY, "the view has already started");
	char dir[PATH_MAX];
	int r = new_mem_dir(dir, sizeof dir);
	if (r < 0)
		return r;
	chmod(dir, 01777);  /* as a fresh tmpfs's root */
	return vfs_bind(dir, dest, 0);
}

LP_API int vfs_tmp_overlay(const char *dest)
{
	if (vfs.started)
		return fail(EBUSY, "the view has already started");
	if (!dest)
		return fail(EINVAL, "missing DEST");
	char dir[PATH_MAX];
	int r = new_mem_dir(dir, sizeof dir);
	return r < 0 ? r : vfs_overlay(dest, dir, dest);
}

LP_API int vfs_mounts_file(const char *path)
{
	if (vfs.started)
		return fail(EBUSY, "the view has already started");
	use_our_allocator();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(errno, "%s: %s", path, strerror(errno));
	size_t cap = 4096, n = 0;
	char *text = malloc(cap);
	for (ssize_t k = 1; text && k > 0;) {
		if (n + 1 == cap) {
			char *t = realloc(text, cap *= 2);
			if (!t)
				break;
			text = t;
		}
		k = read(fd, text + n, cap - n - 1);
		if (k < 0) {
			int e = errno;
			close(fd);
			free(text);
			return fail(e, "%s: %s", path, strerror(e));
		}
		n += (size_t)k;
	}
	close(fd);
	if (!text)
		return fail(ENOMEM, "out of memory");
	text[n] = 0;
	struct mount_list l = { 0 };
	char why[512];
	int r = 0;
	if (mounts_parse(&l, text, path, why, sizeof why) < 0)
		r = fail(EINVAL, "%s", why);
	free(text);
	/* relative SRCs are relative to the file's directory */
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = 0;
	else
		snprintf(dir, sizeof dir, ".");
	for (int i = 0; !r && i < l.n; i++) {
		char src[2 * PATH_MAX];
		if (l.v[i].src[0] == '/')
			snprintf(src, sizeof src, "%s", l.v[i].src);
		else
			snprintf(src, sizeof src, "%s/%s", dir, l.v[i].src);
		if (l.v[i].kind == MOUNT_TMPFS || l.v[i].kind == MOUNT_TMP_OVERLAY) {
			r = l.v[i].kind == MOUNT_TMPFS ? vfs_tmpfs(l.v[i].dest) : vfs_tmp_overlay(l.v[i].dest);
			continue;
		}
		if (l.v[i].kind == MOUNT_OVERLAY) {
			char lower[4 * PATH_MAX];
			size_t o = 0, n;
			const char *lw;
			for (int k = 0; (lw = mounts_lower(&l.v[i], k, &n)) && o < sizeof lower; k++)
				o += (size_t)snprintf(lower + o, sizeof lower - o, "%s%s%s%.*s", k ? ":" : "",
						      lw[0] == '/' ? "" : dir, lw[0] == '/' ? "" : "/", (int)n, lw);
			r = o < sizeof lower ? vfs_overlay(lower, src, l.v[i].dest)
					     : fail(ENAMETOOLONG, "%s: the lower layers are too long", path);
			continue;
		}
		r = vfs_bind(src, l.v[i].dest, (l.v[i].flags & MOUNT_RO) ? VFS_RO : 0);
	}
	mounts_free(&l);
	return r;
}

LP_API int vfs_attach(lp_interposer *ip)
{
	if (vfs.started)
		return fail(EBUSY, "the view has already started");
	if (!ip)
		return fail(EINVAL, "no interposer");
	int r = add_mounts(&pending);
	if (r < 0)
		return r;
	Dl_info di;
	char self[PATH_MAX];
	if (!dladdr((void *)vfs_attach, &di) || !di.dli_fname || !realpath(di.dli_fname, self))
		return fail(ENOENT, "cannot find the path of libvfs.so");
	r = lp_set_child_interposer(ip, self);
	if (r < 0)
		return fail(-r, "cannot set the interposer of children: %s", strerror(-r));
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd))
		return fail(errno, "getcwd: %s", strerror(errno));
	return start_view(ip, cwd, NULL, NULL, NULL, NULL);
}
