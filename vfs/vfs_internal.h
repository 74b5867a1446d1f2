/* Internals of the file-system view (libvfs.so).
 *
 * Everything here runs inside syscall handlers or prefilters: no libc
 * (vfs/mem.c provides the memory functions), no vector registers (the
 * handlers are LP_GPR_ONLY), allocation through lp_malloc only. */
#ifndef VFS_INTERNAL_H
#define VFS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/types.h>

#include "../mounts/mounts.h"
#include "backend.h"
#include "lazypoline.h"

/* uthash on the interposer's allocator, with our byte-loop helpers */
#define uthash_malloc(sz) lp_malloc(sz)
#define uthash_free(ptr, sz) lp_free(ptr)
#define uthash_bzero(a, n) memset(a, 0, n)
#define uthash_memcmp(a, b, n) memcmp(a, b, n)
#define uthash_strlen(s) strlen(s)
#define HASH_NONFATAL_OOM 1
#include <uthash.h>

/* As the interposer's LP_APART and LP_OWN_PAGE (lp_internal.h): large
 * zeroed statics after the small ones, fewer pages touched per start. */
#define VFS_APART __attribute__((section(".lbss")))
#define VFS_OWN_PAGE __attribute__((section(".lbss"), aligned(4096)))
#define VFS_PATH_MAX 4096
#define VFS_MAX_FD 65536
#define VFS_MAX_TOP 64
#define VFS_HIDDEN __attribute__((visibility("hidden")))

/* How paths relative to an fd (or the cwd) may be handled, read by the
 * prefilters without locks: one byte per fd. */
enum fd_kind {
	FD_HOST = 0,     /* not tracked: a host file outside every mount */
	FD_PLAIN = 1,    /* inside a writable mount, no mount point below it */
	FD_PLAIN_RO = 2, /* the same, in a read-only mount */
	FD_SPECIAL = 3,  /* mount points below it, or a synthetic directory */
	FD_OVL_DIR = 4,  /* an overlay directory of one layer, no mount point below
			    it, no xattr whiteouts in it: getdents64 is the
			    kernel's; everything else as FD_SPECIAL */
	FD_OVL_LOWER = 5, /* FD_OVL_DIR whose layer is a lower one: while the
			     overlays are as they were when it was last checked
			     (vfs_proc.ovl_lower_gen), a plain name in it that is
			     neither followed nor written is the kernel's too */
};

struct vfs_fd;

/* State of one process (lp_process_slot): the virtual cwd and fds. */
struct vfs_proc {  /* a new field: copy it in proc_copy (state.c) too */
	volatile int lock;
	int owner;                    /* pid of the process this copy is private to */
	uint8_t cwd_kind;
	bool cwd_synthetic;
	size_t cwd_len;
	char cwd[VFS_PATH_MAX];
	char exe[VFS_PATH_MAX];       /* view path of the running program */
	char exec_path[VFS_PATH_MAX]; /* view path of an execve under way */
	bool exec_by_loader;          /* ... which lazypoline-loader starts */
	char **exec_argv;             /* ... its argv block: a vfork child's is
	                                 the parent's memory, freed in proc_free */
	uint64_t ovl_lower_gen;       /* the overlay generation every FD_OVL_LOWER fd was checked at */
	size_t root_len;              /* chroot(2) in the view: its root (0: "/") */
	char root[VFS_PATH_MAX];
	struct vfs_fd *fds;           /* uthash by fd */
	int max_fd;                   /* highest fd with a kind byte set */
	uint8_t kind[VFS_MAX_FD];
};

struct vfs_fd {
	int fd;
	uint8_t kind;
	bool synthetic;      /* an ancestor of mount points missing on the host */
	bool listed_host;    /* getdents: the host's entries are all returned */
	int listed_extra;    /* getdents: synthetic entries returned so far (an
	                        overlay's: bytes of its merged listing) */
	uint32_t ovl_layers; /* an overlay directory: the layers it is made of (0: unknown) */
	bool ovl_one_layer;  /* ... only one: the kernel lists it, as a bind's */
	char *listing;       /* an overlay directory's merged listing (dirent64s) */
	size_t listing_len;
	uint32_t view_cap;   /* bytes view[] has room for */
	/* (everything above is cleared when the entry is used again) */
	UT_hash_handle hh;
	char view[];         /* allocated with the entry: one allocation per fd */
};

/* The view: mounts and the trie, fixed once started. */
struct vfs {
	struct mount_list mounts;  /* DESTs made concrete (host symlinks resolved) */
	struct mount_list named;   /* the same as given: what children get */
	struct mount_table table;
	/* first components of absolute paths that prefilters send to the
	 * handlers (compute_top in vfs.c) */
	char top[VFS_MAX_TOP][256];
	int n_top;  /* -1: too many, every absolute path is looked at */
	/* bit c set: an absolute path whose byte after the first '/' is c
	 * may lead into a mount (a top's first byte; '/', '.', 0 and 'p'
	 * for /proc always): any other one the prefilters pass at once */
	uint64_t top_first[4];
	bool started;
	char loader[VFS_PATH_MAX];  /* lazypoline-loader next to libvfs.so, or "" */
};
extern struct vfs vfs VFS_HIDDEN;

/* ---- process state (state.c) ---- */
/* Set before any process state of this address space gets a chroot(2)
 * root: until then the prefilters need not look at their process's. */
extern bool vfs_chroot_seen VFS_HIDDEN;
struct vfs_proc *vfs_proc(void) VFS_HIDDEN;
/* A process state we may change: in a vfork-style child, its own copy. */
struct vfs_proc *vfs_proc_mut(void) VFS_HIDDEN;
void vfs_proc_lock(struct vfs_proc *p) VFS_HIDDEN;
void vfs_proc_unlock(struct vfs_proc *p) VFS_HIDDEN;
int vfs_fork_hooks(void) VFS_HIDDEN;
long vfs_proc_link(const char *view, size_t n, char *out, size_t outlen, bool *synthetic) VFS_HIDDEN;
/* A view path as this process sees it after chroot(2): without its root
 * (in place; the new length).  Paths outside the root stay as they are. */
size_t vfs_in_root(char *view, size_t n) VFS_HIDDEN;
/* fd table; the caller holds the lock */
struct vfs_fd *vfs_fd_get(struct vfs_proc *p, int fd) VFS_HIDDEN;
int vfs_fd_set(struct vfs_proc *p, int fd, const char *view, size_t len, uint8_t kind,
	       bool synthetic) VFS_HIDDEN;
/* vfs_fd_set, and the overlay layers the directory is known to be made of */
int vfs_fd_set_dir(struct vfs_proc *p, int fd, const char *view, size_t len, uint8_t kind, bool synthetic,
		   uint32_t layers, bool one_layer) VFS_HIDDEN;
void vfs_fd_drop(struct vfs_proc *p, int fd) VFS_HIDDEN;
/* A new kind for F's fd (the caller holds p's lock). */
void vfs_fd_kind_set(struct vfs_proc *p, struct vfs_fd *f, uint8_t kind) VFS_HIDDEN;
int vfs_fd_copy(struct vfs_proc *p, int from, int to) VFS_HIDDEN;
int vfs_state_init(const char *cwd, const char *fds, const char *exe, const char *root) VFS_HIDDEN;
int vfs_exec_hook(lp_exec_env *env, void *data) VFS_HIDDEN;
void vfs_vfork_done(void *child_slot, void *data) VFS_HIDDEN;

/* ---- execve (exec.c) ---- */
struct vfs_path;
struct vfs_exec_plan {
	const char *file;  /* the host path the kernel is to run */
	char **argv;       /* lp_malloc'd, or NULL: the caller's */
	char exe_view[VFS_PATH_MAX];  /* /proc/self/exe of the new program */
	bool by_loader;               /* FILE is lazypoline-loader */
};
/* How to run FILENAME (user memory), resolved to P, with the caller's
 * argv: "#!" interpreters looked up in the view, and lazypoline-loader for
 * programs the kernel would start with the host's ELF interpreter, or
 * statically linked.  0 or -errno. */
long vfs_exec_plan(const char *filename, const struct vfs_path *p, const char *const *user_argv,
		   struct vfs_exec_plan *plan) VFS_HIDDEN;

/* ---- state shared by the view's processes (shared.c) ---- */
/* A host path known not to be a symlink (resolve.c): its 128-bit hash,
 * at a directory generation; seq is odd while the slot is written. */
#define VFS_DIR_SLOTS 2048
struct vfs_dir_slot {
	uint32_t seq;
	uint32_t unused;
	uint64_t gen;
	uint64_t h1, h2;
};
struct vfs_shared {
	uint64_t magic;
	uint64_t ovl_gen;  /* bumped after every change an overlay makes */
	uint64_t dir_gen;  /* bumped by a symlink, rename or link through the view */
	uint64_t dir_key;  /* random, per run: the slots' hashes cannot be aimed at */
	struct vfs_dir_slot dirs[VFS_DIR_SLOTS];
};
/* A hash of N bytes at P, eight at a time (SEED tells two apart). */
uint64_t vfs_path_hash(uint64_t seed, const char *p, size_t n) VFS_HIDDEN;

/* Cache slots that any thread or process may overwrite and read without
 * waiting (a signal handler cannot deadlock on one): SEQ is odd while the
 * slot is written.  A writer that cannot claim it gives up; a reader that
 * finds it odd, or changed once it has read, takes a miss. */
static inline bool vfs_seq_claim(uint32_t *seq, uint32_t *was)
{
	*was = __atomic_load_n(seq, __ATOMIC_ACQUIRE);
	return !(*was & 1) &&
	       __atomic_compare_exchange_n(seq, was, *was + 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

static inline void vfs_seq_publish(uint32_t *seq, uint32_t was)
{
	__atomic_store_n(seq, was + 2, __ATOMIC_RELEASE);
}

static inline bool vfs_seq_read_begin(const uint32_t *seq, uint32_t *was)
{
	*was = __atomic_load_n(seq, __ATOMIC_ACQUIRE);
	return !(*was & 1);
}

static inline bool vfs_seq_read_end(const uint32_t *seq, uint32_t was)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(seq, __ATOMIC_RELAXED) == was;
}
extern struct vfs_shared *vfs_shared VFS_HIDDEN;  /* NULL: none (nothing is remembered) */
/* Map the view's shared memory: the run's, or new memory for a new run. */
void vfs_shared_init(void) VFS_HIDDEN;

/* ---- fake root (fakeroot.c) ---- */
/* Map the shared table at PATH (made if missing; -EINVAL: not a table)
 * and register the handlers that run before the view's (BEFORE_VIEW),
 * then those that run after it. */
int vfs_fakeroot_start(lp_interposer *ip, const char *path, const char *fake_ids, bool before_view) VFS_HIDDEN;
/* Does the program act as root (really, or with fake root's euid 0)? */
bool vfs_privileged(void) VFS_HIDDEN;
/* Must every call of NR reach the handlers (fake root takes it)? */
bool vfs_fakeroot_wants(long nr) VFS_HIDDEN;

/* ---- resolution (resolve.c) ---- */
#define VR_FOLLOW 1u       /* follow a symlink in the last component */
#define VR_EMPTY_OK 2u     /* "" names the dirfd itself (AT_EMPTY_PATH) */
#define VR_BENEATH 4u      /* openat2 RESOLVE_BENEATH */
#define VR_IN_ROOT 8u      /* openat2 RESOLVE_IN_ROOT */
#define VR_NO_SYMLINKS 16u /* openat2 RESOLVE_NO_SYMLINKS */
#define VR_NO_XDEV 32u     /* openat2 RESOLVE_NO_XDEV */
#define VR_NO_MAGIC 64u    /* openat2 RESOLVE_NO_MAGICLINKS */
/* Leave a last component's symlink check to the caller, which runs the
 * syscall without following and resolves again if it was one (one syscall
 * instead of readlink + syscall). */
#define VR_DEFER_LAST 128u

struct vfs_path {
	char view[VFS_PATH_MAX];
	size_t view_len;
	char host[VFS_PATH_MAX];
	size_t host_len;
	const struct mount_spec *mount;  /* NULL: the host, outside every mount */
	const struct mount_node *node;   /* its trie node, if it has one */
	bool synthetic;                  /* a directory only the view has */
	bool in_synthetic;               /* a name inside one (it cannot exist) */
	bool trailing_slash;
	bool last_deferred;              /* VR_DEFER_LAST: not checked */
	bool empty;                      /* AT_EMPTY_PATH: the dirfd itself */
	int empty_fd;
};
long vfs_resolve(int dirfd, const char *user_path, unsigned flags, struct vfs_path *out) VFS_HIDDEN;
/* The view path of an fd (or AT_FDCWD), into out; its length or -errno. */
long vfs_fd_view(int fd, char *out, size_t outlen, bool *synthetic) VFS_HIDDEN;
/* The same, and the overlay layers of that directory if known (else 0). */
long vfs_fd_view_layers(int fd, char *out, size_t outlen, bool *synthetic, uint32_t *layers) VFS_HIDDEN;
/* The kind of a view path, for the fd table and the cwd. */
uint8_t vfs_kind_of(const struct vfs_path *p) VFS_HIDDEN;
/* A host path (as the kernel reports it) in view terms. */
long vfs_host_to_view(const char *host, size_t len, char *out, size_t outlen) VFS_HIDDEN;
void vfs_dircache_clear(void) VFS_HIDDEN;

/* ---- the router (router.c) ---- */
int vfs_register(lp_interposer *ip) VFS_HIDDEN;

/* ---- memory and strings (mem.c): no libc, no vector registers ---- */
void *memcpy(void *d, const void *s, size_t n) VFS_HIDDEN;
void *memmove(void *d, const void *s, size_t n) VFS_HIDDEN;
void *memset(void *d, int c, size_t n) VFS_HIDDEN;
int memcmp(const void *a, const void *b, size_t n) VFS_HIDDEN;
size_t strlen(const char *s) VFS_HIDDEN;

/* The digits of V at out + *k, *k moved past them (no NUL). */
static inline void vfs_put_num(char *out, size_t *k, unsigned long v)
{
	char d[24];
	int nd = 0;
	do
		d[nd++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (nd)
		out[(*k)++] = d[--nd];
}

/* "/proc/self/fd/FD" ("/proc/self/cwd" for AT_FDCWD; FD is not negative
 * else) into OUT; its length. */
static inline size_t vfs_fd_link(char out[32], long fd)
{
	const char *pre = fd == AT_FDCWD ? "/proc/self/cwd" : "/proc/self/fd/";
	size_t k = 0;
	while (pre[k])
		out[k] = pre[k], k++;
	if (fd != AT_FDCWD)
		vfs_put_num(out, &k, (unsigned long)fd);
	out[k] = 0;
	return k;
}

static inline long sys(long nr, long a, long b, long c, long d, long e, long f)
{
	return lp_syscall(nr, a, b, c, d, e, f);
}
#endif
