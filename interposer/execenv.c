/* The environment of programs started by execve.
 *
 * A program started by an interposed process must be interposed again,
 * even when its parent scrubbed the environment (env -i, sudo-like
 * wrappers).  At start-up the runtime remembers LD_PRELOAD's bootstrap,
 * LIBLAZYPOLINE and every LAZYPOLINE_* setting; each execve gets them
 * added back, over whatever the caller passed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lp_internal.h"

#define LP_MAX_CARRY 32
#define LP_ARG_MAX (128 * 1024)  /* MAX_ARG_STRLEN */

static struct lp_envvar carry[LP_MAX_CARRY];
static int n_carry;
static char *bootstrap_path, *interposer_path;

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = lp_malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static char *join3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *d = lp_malloc(la + lb + lc + 1);
	if (d) {
		memcpy(d, a, la);
		memcpy(d + la, b, lb);
		memcpy(d + la + lb, c, lc + 1);
	}
	return d;
}

static bool is_ours(const char *name, size_t len)
{
	if (len == 13 && !memcmp(name, "LIBLAZYPOLINE", 13))
		return true;
	if (len >= 11 && !memcmp(name, "LAZYPOLINE_", 11))
		return true;
	for (int i = 0; i < n_carry; i++)
		if (strlen(carry[i].name) == len && !memcmp(carry[i].name, name, len))
			return true;
	return false;
}

int lp_exec_env_set(const char *name, const char *value)
{
	if (!name || !*name || strchr(name, '=') || !value)
		return -EINVAL;
	for (int i = 0; i < n_carry; i++)
		if (!strcmp(carry[i].name, name)) {
			char *e = join3(name, "=", value);
			if (!e)
				return -ENOMEM;
			lp_free(carry[i].entry);
			carry[i].entry = e;
			return 0;
		}
	if (n_carry == LP_MAX_CARRY)
		return -ENOSPC;
	carry[n_carry].name = dup_str(name);
	carry[n_carry].entry = join3(name, "=", value);
	if (!carry[n_carry].name || !carry[n_carry].entry)
		return -ENOMEM;
	n_carry++;
	return 0;
}

int lp_exec_env_set_fd(const char *name, int fd)
{
	char num[12];
	int n = sizeof num - 1;
	num[n] = 0;
	do
		num[--n] = (char)('0' + fd % 10);
	while ((fd /= 10) && n > 0);
	return lp_exec_env_set(name, num + n);
}

/* In-process use: children get libbootstrap.so from next to this library
 * and the interposer library the program chose. */
int lp_execenv_in_process(const char *child_interposer)
{
	Dl_info di;
	if (!dladdr((void *)lp_execenv_in_process, &di) || !di.dli_fname)
		return -ENOENT;
	const char *slash = strrchr(di.dli_fname, '/');
	size_t dir = slash ? (size_t)(slash - di.dli_fname) + 1 : 0;
	char *boot = lp_malloc(dir + sizeof "libbootstrap.so");
	if (!boot)
		return -ENOMEM;
	memcpy(boot, di.dli_fname, dir);
	memcpy(boot + dir, "libbootstrap.so", sizeof "libbootstrap.so");
	bootstrap_path = boot;
	return (interposer_path = dup_str(child_interposer)) ? 0 : -ENOMEM;
}

/* Values for this program only, not carried to its children. */
static bool one_shot(const char *name, size_t len)
{
	static const char *const names[] = { "LAZYPOLINE_TRACE_EXECLINE", "LAZYPOLINE_PRELOAD_ADDED",
					     "LAZYPOLINE_PROGRAM", "LAZYPOLINE_MODE_ONCE" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strlen(names[i]) == len && !memcmp(names[i], name, len))
			return true;
	return false;
}

int lp_execenv_capture(char **env, const char *bootstrap, const char *interposer)
{
	if (bootstrap && !(bootstrap_path = dup_str(bootstrap)))
		return -ENOMEM;
	if (interposer && !(interposer_path = dup_str(interposer)))
		return -ENOMEM;
	for (char **e = env; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq || strncmp(*e, "LAZYPOLINE_", 11))
			continue;
		size_t nl = (size_t)(eq - *e);
		char name[128];
		if (nl >= sizeof name || one_shot(*e, nl))
			continue;
		memcpy(name, *e, nl);
		name[nl] = 0;
		int r = lp_exec_env_set(name, eq + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A whole string of the application's, copied; NULL + *err on failure. */
static char *copy_user_string(const char *u, long *err)
{
	size_t cap = 256;
	for (;;) {
		char *b = lp_malloc(cap);
		if (!b) {
			*err = -ENOMEM;
			return NULL;
		}
		long n = lp_user_strncpy(b, u, cap);
		if (n >= 0)
			return b;
		lp_free(b);
		if (n != -ENAMETOOLONG || cap >= LP_ARG_MAX) {
			*err = n == -ENAMETOOLONG ? -E2BIG : n;
			return NULL;
		}
		cap *= 4;
	}
}

/* Is `path` one of the ':'- or ' '-separated entries of list? */
static bool list_has(const char *list, const char *path)
{
	size_t pl = strlen(path);
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ": ");
		if (n == pl && !memcmp(p, path, n))
			return true;
		p += n;
		if (*p)
			p++;
	}
	return false;
}

struct lp_exec_env {
	char **entries;   /* "NAME=value", allocated */
	int n, cap;
};

int lp_exec_env_add(lp_exec_env *e, const char *name, const char *value)
{
	if (!e || !name || !*name || strchr(name, '=') || !value)
		return -EINVAL;
	if (e->n == e->cap) {
		int cap = e->cap ? 2 * e->cap : 8;
		char **v = lp_calloc((size_t)cap, sizeof *v);
		if (!v)
			return -ENOMEM;
		if (e->n)
			memcpy(v, e->entries, (size_t)e->n * sizeof *v);
		lp_free(e->entries);
		e->entries = v;
		e->cap = cap;
	}
	if (!(e->entries[e->n] = join3(name, "=", value)))
		return -ENOMEM;
	e->n++;
	return 0;
}

static bool is_hooked(const lp_exec_env *e, const char *name, size_t len)
{
	for (int i = 0; i < e->n; i++)
		if (!strncmp(e->entries[i], name, len) && e->entries[i][len] == '=')
			return true;
	return false;
}

/* The array handed to execve.  Slot -1 holds how many leading entries
 * are strings we allocated; the rest point into the caller's memory or
 * at our carried entries. */
char **lp_execenv_build(char *const *uenvp, long *err)
{
	size_t n = 0;
	if (uenvp) {
		for (;; n++) {
			char *p;
			if (lp_user_copy(&p, &uenvp[n], sizeof p)) {
				*err = -EFAULT;
				return NULL;
			}
			if (!p)
				break;
		}
	}
	/* what the plugins add for this particular exec */
	lp_exec_env hooked = { NULL, 0, 0 };
	lp_interposer *ip = lp_rt.ip;
	for (int i = 0; ip && i < ip->n_exec_hooks; i++) {
		int r = ((int (*)(lp_exec_env *, void *))ip->exec_hooks[i].fn)(&hooked,
									    ip->exec_hooks[i].data);
		if (r < 0) {
			for (int j = 0; j < hooked.n; j++)
				lp_free(hooked.entries[j]);
			lp_free(hooked.entries);
			*err = r;
			return NULL;
		}
	}
	char **base = lp_calloc(n + (size_t)n_carry + (size_t)hooked.n + 6, sizeof *base);
	if (!base) {
		for (int j = 0; j < hooked.n; j++)
			lp_free(hooked.entries[j]);
		lp_free(hooked.entries);
		*err = -ENOMEM;
		return NULL;
	}
	char **out = base + 1;
	size_t own = 0;
	char *user_preload = NULL;
	*err = -ENOMEM;
	for (int j = 0; j < hooked.n; j++)
		out[own++] = hooked.entries[j];
	lp_free(hooked.entries);
	lp_exec_env hooked_view = { out, hooked.n, hooked.n };  /* the names to override */

	struct lp_thread *t = lp_self();
	size_t preload_slot = own;
	if (bootstrap_path) {
		/* LD_PRELOAD is decided after the scan; keep its slot */
		own++;
		if (interposer_path && !(out[own++] = join3("LIBLAZYPOLINE=", interposer_path, "")))
			goto fail;
	}
	if (t->exec_note && !(out[own++] = join3("LAZYPOLINE_TRACE_EXECLINE=", t->exec_note, "")))
		goto fail;
	size_t k = own + 1;  /* room for the marker below */
	for (size_t i = 0; i < n; i++) {
		char *p;
		lp_user_copy(&p, &uenvp[i], sizeof p);
		char head[64];
		long l = lp_user_strncpy(head, p, sizeof head);
		if (l == -EFAULT) {
			*err = -EFAULT;
			goto fail;
		}
		head[sizeof head - 1] = 0;
		const char *eq = strchr(head, '=');
		size_t nl = eq ? (size_t)(eq - head) : strlen(head);
		if (eq && bootstrap_path && nl == 10 && !memcmp(head, "LD_PRELOAD", 10)) {
			lp_free(user_preload);
			if (!(user_preload = copy_user_string(p, err)))
				goto fail;
			continue;
		}
		if (eq && (is_ours(head, nl) || is_hooked(&hooked_view, head, nl)))
			continue;
		out[k++] = p;
	}
	if (bootstrap_path) {
		char **pre = &out[preload_slot];
		if (!user_preload) {
			*pre = join3("LD_PRELOAD=", bootstrap_path, "");
			if (!*pre || !(out[own++] = dup_str("LAZYPOLINE_PRELOAD_ADDED=1")))
				goto fail;
		} else if (list_has(user_preload + 11, bootstrap_path)) {
			*pre = user_preload;
			user_preload = NULL;
		} else {
			char *head = join3("LD_PRELOAD=", bootstrap_path, ":");
			*pre = head ? join3(head, user_preload + 11, "") : NULL;
			lp_free(head);
			if (!*pre)
				goto fail;
		}
	}
	lp_free(user_preload);
	for (int i = 0; i < n_carry; i++)
		out[k++] = carry[i].entry;
	/* close the gap left for the marker when it was not needed */
	size_t w = own;
	for (size_t i = own; i < k; i++)
		if (out[i])
			out[w++] = out[i];
	out[w] = NULL;
	base[0] = (char *)(uintptr_t)own;
	return out;
fail:
	lp_free(user_preload);
	for (size_t i = 0; i < own; i++)
		lp_free(out[i]);
	lp_free(base);
	return NULL;
}

void lp_execenv_free(char **envp)
{
	char **base = envp - 1;
	size_t own = (size_t)(uintptr_t)base[0];
	for (size_t i = 0; i < own; i++)
		lp_free(envp[i]);
	lp_free(base);
}
