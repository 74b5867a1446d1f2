/* Mount specifications and the mount table of a view.
 *
 * Pure data: no syscalls, no libc but what the caller provides through
 * mounts_set_allocator() -- the table is used inside syscall handlers,
 * where only the interposer's allocator may run, and in code that must
 * not touch vector registers (hence the byte-loop string helpers). */
#ifndef MOUNTS_H
#define MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MOUNTS_PATH_MAX 4096
/* lower layers of an overlay: with UPPER, the 32 a layer mask holds */
#define MOUNTS_MAX_LOWER 31

enum mount_kind {
	MOUNT_BIND = 1,   /* DEST shows SRC */
	MOUNT_OVERLAY = 2, /* DEST shows SRC (the upper layer) over the lower layers */
	/* made concrete by vfsrun or vfs.h before the view starts (a memory
	 * directory becomes a bind or an overlay's upper): */
	MOUNT_TMPFS = 3,       /* an empty directory in memory */
	MOUNT_TMP_OVERLAY = 4, /* DEST's contents with changes in memory */
};

#define MOUNT_RO 1u   /* writes fail with EROFS */

struct mount_spec {
	enum mount_kind kind;
	unsigned flags;
	char *src;        /* absolute host path */
	size_t src_len;
	char *dest;       /* normalized absolute path in the view */
	size_t dest_len;
	char *lower;      /* overlay: the lower layers, absolute, ':'-separated, top first */
	size_t lower_len;
	/* each lower layer's place in lower (looked up on every overlay path) */
	int n_lower;
	uint32_t lower_at[MOUNTS_MAX_LOWER], lower_n[MOUNTS_MAX_LOWER];
};

/* Where the part of a view path below M's DEST starts: that part begins
 * with '/' (or is empty), also for DEST "/" (a whole-root view). */
static inline size_t mount_rest_at(const struct mount_spec *m)
{
	return m->dest_len == 1 ? 0 : m->dest_len;
}

struct mount_list {
	struct mount_spec *v;
	int n, cap;
};

void mounts_set_allocator(void *(*alloc)(size_t), void (*release)(void *));

/* Add one mount; SRC must already be absolute (the caller resolves it).
 * Returns 0, or -1 with a one-line reason in err. */
int mounts_add(struct mount_list *l, enum mount_kind kind, unsigned flags, const char *src,
	       const char *dest, char *err, size_t errlen);
/* Add an overlay: UPPER over LOWER ("L1:L2:...", leftmost on top). */
int mounts_add_overlay(struct mount_list *l, const char *lower, const char *upper, const char *dest,
		       char *err, size_t errlen);
/* Set an overlay's lower layers (checked: absolute, none empty). */
int mounts_set_lower(struct mount_spec *m, const char *lower, char *err, size_t errlen);
/* M's layers (made concrete: absolute, normalized) as the kernel's
 * overlayfs wants them: none the other or inside it.  0, or -1 with a
 * reason naming the two. */
int mounts_check_layers(const struct mount_spec *m, char *err, size_t errlen);
/* The I-th lower layer of M (from 0): its start and length, or NULL. */
const char *mounts_lower(const struct mount_spec *m, int i, size_t *len);
/* Parse a mounts file's text (name is used in messages, "NAME:LINE: ...").
 * Relative SRCs are left as they are: the caller makes them absolute. */
int mounts_parse(struct mount_list *l, const char *text, const char *name, char *err, size_t errlen);
/* The list in the mounts-file grammar, to hand to other processes. */
char *mounts_serialize(const struct mount_list *l);
void mounts_free(struct mount_list *l);
const char *mount_kind_name(enum mount_kind k, unsigned flags);

/* Lexically normalize an absolute path into out (no "//", ".", ".."; no
 * trailing slash but for "/"); returns its length, or -1 if too long. */
long mounts_normalize(const char *path, char *out, size_t outlen);

/* ---- the table: a trie of DEST components ---- */
struct mount_node;
struct mount_table {
	struct mount_node *root;
	int n;
};

struct mount_hit {
	const struct mount_spec *mount;  /* deepest mount holding the path, or NULL */
	size_t mount_len;                /* length of the path's prefix that is its DEST */
	const struct mount_node *node;   /* the path's own trie node, or NULL */
};

int mount_table_build(struct mount_table *t, const struct mount_list *l, char *err, size_t errlen);
/* path: normalized absolute, len bytes.  O(len). */
void mount_lookup(const struct mount_table *t, const char *path, size_t len, struct mount_hit *hit);
/* Does a path's trie node have mount points below it? */
bool mount_node_has_children(const struct mount_node *n);
/* Its children's names, one at a time (i from 0; NULL at the end). */
const char *mount_node_child(const struct mount_node *n, int i, size_t *len);
/* The child of node n named name, or NULL. */
const struct mount_node *mount_node_find(const struct mount_node *n, const char *name, size_t len);
/* HIT, the lookup of a path, becomes that of the path + "/" + NAME (LEN
 * bytes), whose length is NEW_LEN: one step of a walk, without starting
 * again from the root. */
void mount_step(struct mount_hit *hit, const char *name, size_t len, size_t new_len);
const struct mount_node *mount_table_root(const struct mount_table *t);
/* The mount at a node (NULL: only an ancestor of mounts). */
const struct mount_spec *mount_node_mount(const struct mount_node *n);

/* byte-loop helpers (no libc) */
static inline size_t mstrlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}
/* Walking paths (mounts_normalize, the view's resolution, DESTs made
 * concrete): the next component at *rest, its length in *len, *rest moved
 * past it; NULL when none is left. */
static inline const char *mounts_next_component(const char **rest, size_t *len)
{
	const char *p = *rest;
	while (*p == '/')
		p++;
	const char *c = p;
	while (*p && *p != '/')
		p++;
	*rest = p;
	*len = (size_t)(p - c);
	return *len ? c : NULL;
}
static inline bool mounts_is_dot(const char *c, size_t n)
{
	return n == 1 && c[0] == '.';
}
static inline bool mounts_is_dotdot(const char *c, size_t n)
{
	return n == 2 && c[0] == '.' && c[1] == '.';
}
/* An absolute path of *len bytes loses its last component ("/" stays). */
static inline void mounts_parent(char *path, size_t *len)
{
	while (*len > 1 && path[*len - 1] != '/')
		(*len)--;
	if (*len > 1)
		(*len)--;
	path[*len] = 0;
}
static inline bool mstreq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}
static inline bool mmemeq(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n >= 8; n -= 8, x += 8, y += 8) {
		uint64_t u, v;
		__builtin_memcpy(&u, x, 8);
		__builtin_memcpy(&v, y, 8);
		if (u != v)
			return false;
	}
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}
static inline void mmemcpy(void *d, const void *s, size_t n)
{
	unsigned char *x = d;
	const unsigned char *y = s;
	for (size_t i = 0; i < n; i++)
		x[i] = y[i];
}
#endif
