/* The mount table: a trie of DEST path components, so that finding the
 * mount that holds a path costs one hash lookup per component -- O(path
 * length), whatever the number of mounts. */
#include <stdio.h>

#include "mounts.h"

void *mounts_alloc(size_t n);
void mounts_release(void *p);

/* uthash, with the table's own allocator and no libc string calls */
static void mzero(void *p, size_t n)
{
	unsigned char *x = p;
	for (size_t i = 0; i < n; i++)
		x[i] = 0;
}
#define uthash_malloc(sz) mounts_alloc(sz)
#define uthash_free(ptr, sz) mounts_release(ptr)
#define uthash_bzero(a, n) mzero(a, n)
#define uthash_memcmp(a, b, n) (!mmemeq(a, b, n))
#define uthash_strlen(s) mstrlen(s)
#define HASH_NONFATAL_OOM 1
#include <uthash.h>

struct mount_node {
	char *name;
	size_t len;
	struct mount_node *parent;
	struct mount_node *children;
	const struct mount_spec *mount;
	int n_children;
	struct mount_node **child_list;  /* for listing, in insertion order */
	UT_hash_handle hh;
};

static struct mount_node *new_node(const char *name, size_t len, struct mount_node *parent)
{
	struct mount_node *n = mounts_alloc(sizeof *n);
	if (!n)
		return NULL;
	mzero(n, sizeof *n);
	n->name = mounts_alloc(len + 1);
	if (!n->name)
		return NULL;
	mmemcpy(n->name, name, len);
	n->name[len] = 0;
	n->len = len;
	n->parent = parent;
	return n;
}

static struct mount_node *child(struct mount_node *p, const char *name, size_t len, bool create)
{
	struct mount_node *c = NULL;
	HASH_FIND(hh, p->children, name, len, c);
	if (c || !create)
		return c;
	if (!(c = new_node(name, len, p)))
		return NULL;
	struct mount_node **list = mounts_alloc((size_t)(p->n_children + 1) * sizeof *list);
	if (!list)
		return NULL;
	if (p->n_children)
		mmemcpy(list, p->child_list, (size_t)p->n_children * sizeof *list);
	mounts_release(p->child_list);
	list[p->n_children++] = c;
	p->child_list = list;
	HASH_ADD_KEYPTR(hh, p->children, c->name, c->len, c);
	return c;
}

int mount_table_build(struct mount_table *t, const struct mount_list *l, char *err, size_t errlen)
{
	t->root = new_node("", 0, NULL);
	t->n = 0;
	if (!t->root) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < l->n; i++) {
		struct mount_node *n = t->root;
		const char *p = l->v[i].dest;
		while (*p) {
			while (*p == '/')
				p++;
			const char *c = p;
			while (*p && *p != '/')
				p++;
			if (p > c && !(n = child(n, c, (size_t)(p - c), true))) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
		n->mount = &l->v[i];
		t->n++;
	}
	return 0;
}

/* A few children are faster compared than hashed (most nodes have one). */
#define SCAN_CHILDREN 8

static struct mount_node *find_child(const struct mount_node *n, const char *name, size_t len)
{
	struct mount_node *c = NULL;
	if (n->n_children <= SCAN_CHILDREN) {
		for (int k = 0; k < n->n_children; k++) {
			c = n->child_list[k];
			if (c->len == len && c->name[0] == name[0] && mmemeq(c->name, name, len))
				return c;
		}
		return NULL;
	}
	HASH_FIND(hh, n->children, name, len, c);
	return c;
}

void mount_lookup(const struct mount_table *t, const char *path, size_t len, struct mount_hit *hit)
{
	hit->mount = NULL;
	hit->mount_len = 0;
	hit->node = NULL;
	const struct mount_node *n = t->root;
	size_t i = 0;
	while (n) {
		if (n->mount) {
			hit->mount = n->mount;
			hit->mount_len = i;
		}
		while (i < len && path[i] == '/')
			i++;
		if (i >= len) {
			hit->node = n;
			return;
		}
		size_t s = i;
		while (i < len && path[i] != '/')
			i++;
		n = find_child(n, path + s, i - s);
	}
}

void mount_step(struct mount_hit *hit, const char *name, size_t len, size_t new_len)
{
	if (!hit->node)
		return;  /* below the trie: the mount stays */
	if (!hit->node->n_children) {  /* the common case: leaving it */
		hit->node = NULL;
		return;
	}
	const struct mount_node *c = find_child(hit->node, name, len);
	hit->node = c;
	if (c && c->mount) {
		hit->mount = c->mount;
		hit->mount_len = new_len;
	}
}

bool mount_node_has_children(const struct mount_node *n)
{
	return n && n->n_children > 0;
}

const char *mount_node_child(const struct mount_node *n, int i, size_t *len)
{
	if (!n || i >= n->n_children)
		return NULL;
	*len = n->child_list[i]->len;
	return n->child_list[i]->name;
}

const struct mount_node *mount_node_find(const struct mount_node *n, const char *name, size_t len)
{
	return n ? find_child(n, name, len) : NULL;
}

const struct mount_node *mount_table_root(const struct mount_table *t)
{
	return t->root;
}

const struct mount_spec *mount_node_mount(const struct mount_node *n)
{
	return n ? n->mount : NULL;
}
