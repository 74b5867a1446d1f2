/* Mount specifications: parsing, checking, and the mounts-file grammar.
 *
 *   # a comment
 *   bind     SRC  DEST       DEST shows SRC
 *   ro-bind  SRC  DEST       the same, read-only (EROFS)
 *   overlay  LOWER[:LOWER2...]  UPPER  DEST
 *                            DEST shows UPPER over the LOWERs; changes go
 *                            to UPPER (copy-up, whiteouts)
 *   tmpfs        DEST        an empty directory in memory
 *   tmp-overlay  DEST        DEST's contents, changes kept in memory
 *
 * One mount per line, fields separated by blanks; a blank, '#' or '\' in
 * a path is written \040, \043, \134 (octal, as in fstab). */
#include <stdarg.h>
#include <stdio.h>

#include "mounts.h"

static void *(*m_alloc)(size_t);
static void (*m_free)(void *);

void mounts_set_allocator(void *(*alloc)(size_t), void (*release)(void *))
{
	m_alloc = alloc;
	m_free = release;
}

static void fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static char *dup_n(const char *s, size_t n)
{
	char *d = m_alloc(n + 1);
	if (d) {
		mmemcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

long mounts_normalize(const char *path, char *out, size_t outlen)
{
	size_t o = 0;
	if (path[0] != '/' || outlen < 2)
		return -1;
	out[o++] = '/';
	const char *p = path, *c;
	size_t n;
	while ((c = mounts_next_component(&p, &n))) {
		if (mounts_is_dot(c, n))
			continue;
		if (mounts_is_dotdot(c, n)) {
			mounts_parent(out, &o);
			continue;
		}
		if (o > 1)
			out[o++] = '/';
		if (o + n + 1 > outlen)
			return -1;
		mmemcpy(out + o, c, n);
		o += n;
	}
	out[o] = 0;
	return (long)o;
}

const char *mount_kind_name(enum mount_kind k, unsigned flags)
{
	switch (k) {
	case MOUNT_BIND:
		return (flags & MOUNT_RO) ? "ro-bind" : "bind";
	case MOUNT_OVERLAY:
		return "overlay";
	case MOUNT_TMPFS:
		return "tmpfs";
	case MOUNT_TMP_OVERLAY:
		return "tmp-overlay";
	}
	return "?";
}

int mounts_add(struct mount_list *l, enum mount_kind kind, unsigned flags, const char *src,
	       const char *dest, char *err, size_t errlen)
{
	char norm[MOUNTS_PATH_MAX];
	if (!dest || !*dest) {
		fail(err, errlen, "missing DEST");
		return -1;
	}
	if (dest[0] != '/') {
		fail(err, errlen, "DEST '%s' is not an absolute path", dest);
		return -1;
	}
	long n = mounts_normalize(dest, norm, sizeof norm);
	if (n < 0) {
		fail(err, errlen, "DEST '%.64s...' is too long", dest);
		return -1;
	}
	if (!src || !*src) {
		fail(err, errlen, "missing SRC for DEST '%s'", dest);
		return -1;
	}
	if (src[0] != '/') {
		fail(err, errlen, "SRC '%s' is not an absolute path", src);
		return -1;
	}
	for (int i = 0; i < l->n; i++)
		if (mstreq(l->v[i].dest, norm)) {
			fail(err, errlen, "duplicate DEST '%s'", norm);
			return -1;
		}
	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 2;  /* a spec is 300 bytes: most views have one or two */
		struct mount_spec *v = m_alloc((size_t)cap * sizeof *v);
		if (!v) {
			fail(err, errlen, "out of memory");
			return -1;
		}
		if (l->n)
			mmemcpy(v, l->v, (size_t)l->n * sizeof *v);
		m_free(l->v);
		l->v = v;
		l->cap = cap;
	}
	struct mount_spec *m = &l->v[l->n];
	m->kind = kind;
	m->flags = flags;
	m->src_len = mstrlen(src);
	m->src = dup_n(src, m->src_len);
	m->dest = dup_n(norm, (size_t)n);
	m->dest_len = (size_t)n;
	m->lower = NULL;
	m->lower_len = 0;
	m->n_lower = 0;
	if (!m->src || !m->dest) {
		fail(err, errlen, "out of memory");
		return -1;
	}
	l->n++;
	return 0;
}

/* Where each layer of m->lower starts, and how long it is: -1 when
 * there are more than MOUNTS_MAX_LOWER. */
static int index_lower(struct mount_spec *m)
{
	m->n_lower = 0;
	for (const char *p = m->lower; p;) {
		const char *e = p;
		while (*e && *e != ':')
			e++;
		if (m->n_lower == MOUNTS_MAX_LOWER)
			return -1;
		m->lower_at[m->n_lower] = (uint32_t)(p - m->lower);
		m->lower_n[m->n_lower++] = (uint32_t)(e - p);
		p = *e ? e + 1 : NULL;
	}
	return 0;
}

int mounts_set_lower(struct mount_spec *m, const char *lower, char *err, size_t errlen)
{
	if (!lower || !*lower) {
		fail(err, errlen, "missing LOWER for DEST '%s'", m->dest);
		return -1;
	}
	for (const char *p = lower; *p;) {
		if (*p != '/') {
			fail(err, errlen, "LOWER '%s' of DEST '%s': every layer must be an absolute path", lower,
			     m->dest);
			return -1;
		}
		while (*p && *p != ':')
			p++;
		if (*p == ':' && !*++p) {
			fail(err, errlen, "LOWER '%s' of DEST '%s' ends with an empty layer", lower, m->dest);
			return -1;
		}
	}
	m_free(m->lower);
	m->lower_len = mstrlen(lower);
	m->lower = dup_n(lower, m->lower_len);
	if (!m->lower) {
		fail(err, errlen, "out of memory");
		return -1;
	}
	if (index_lower(m) < 0) {
		fail(err, errlen, "LOWER of DEST '%s' has more than %d layers", m->dest, MOUNTS_MAX_LOWER);
		return -1;
	}
	return 0;
}

int mounts_add_overlay(struct mount_list *l, const char *lower, const char *upper, const char *dest,
		       char *err, size_t errlen)
{
	if (mounts_add(l, MOUNT_OVERLAY, 0, upper, dest, err, errlen) < 0)
		return -1;
	if (mounts_set_lower(&l->v[l->n - 1], lower, err, errlen) < 0) {
		l->n--;
		m_free(l->v[l->n].src);
		m_free(l->v[l->n].dest);
		return -1;
	}
	return 0;
}

/* Is one of two absolute, normalized paths the other or inside it? */
static bool nested(const char *a, size_t al, const char *b, size_t bl)
{
	size_t n = al < bl ? al : bl;
	return mmemeq(a, b, n) && (al == bl || n == 1 || (al < bl ? b[al] : a[bl]) == '/');
}

int mounts_check_layers(const struct mount_spec *m, char *err, size_t errlen)
{
	for (int i = 0; i < m->n_lower; i++) {
		const char *l = m->lower + m->lower_at[i];
		int ln = (int)m->lower_n[i];
		if (nested(m->src, m->src_len, l, (size_t)ln)) {
			fail(err, errlen, "UPPER '%s' and LOWER '%.*s' overlap", m->src, ln, l);
			return -1;
		}
		for (int k = 0; k < i; k++) {
			const char *o = m->lower + m->lower_at[k];
			int on = (int)m->lower_n[k];
			if (nested(o, (size_t)on, l, (size_t)ln)) {
				fail(err, errlen, "LOWER '%.*s' and LOWER '%.*s' overlap", on, o, ln, l);
				return -1;
			}
		}
	}
	return 0;
}

const char *mounts_lower(const struct mount_spec *m, int i, size_t *len)
{
	if (!m->lower || i < 0 || i >= m->n_lower)
		return NULL;
	*len = m->lower_n[i];
	return m->lower + m->lower_at[i];
}

/* One field of a line, unescaped into out; returns the position after it,
 * or NULL at the end of the line. */
static const char *field(const char *p, char *out, size_t outlen, bool *bad)
{
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '\n' || *p == '#')
		return NULL;
	size_t o = 0;
	while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
		char c = *p++;
		if (c == '\\') {
			if (p[0] >= '0' && p[0] <= '7' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' &&
			    p[2] <= '7') {
				c = (char)((p[0] - '0') * 64 + (p[1] - '0') * 8 + (p[2] - '0'));
				p += 3;
			} else {
				*bad = true;
			}
		}
		if (o + 1 >= outlen) {
			*bad = true;
			break;
		}
		out[o++] = c;
	}
	out[o] = 0;
	return p;
}

int mounts_parse(struct mount_list *l, const char *text, const char *name, char *err, size_t errlen)
{
	/* the fields one after another: a short line touches one page of
	 * the stack, not five (a page fault each, in every process) */
	char fields[5 * MOUNTS_PATH_MAX], *f[5];
	int line = 0;
	for (const char *p = text; *p;) {
		line++;
		const char *eol = p;
		while (*eol && *eol != '\n')
			eol++;
		int nf = 0;
		bool bad = false;
		const char *q = p;
		f[0] = fields;
		while (nf < 5 && (q = field(q, f[nf], MOUNTS_PATH_MAX, &bad)) && q <= eol) {
			if (nf < 4)
				f[nf + 1] = f[nf] + mstrlen(f[nf]) + 1;
			nf++;
		}
		bool overlay = nf > 0 && mstreq(f[0], "overlay");
		if (nf == 5 || (nf == 4 && !overlay)) {
			fail(err, errlen, "%s:%d: too many fields (expected %s)", name, line,
			     overlay ? "overlay LOWER UPPER DEST" : "TYPE SRC DEST");
			return -1;
		}
		if (bad) {
			fail(err, errlen, "%s:%d: bad escape or over-long path", name, line);
			return -1;
		}
		if (nf > 0) {
			char why[256];
			enum mount_kind kind = MOUNT_BIND;
			unsigned flags = 0;
			if (overlay) {
				/* relative layers are kept for the caller to make absolute */
				if (nf != 4) {
					fail(err, errlen, "%s:%d: 'overlay' takes LOWER, UPPER and DEST", name, line);
					return -1;
				}
				if (!f[1][0] || !f[2][0]) {
					fail(err, errlen, "%s:%d: missing LOWER or UPPER", name, line);
					return -1;
				}
				if (mounts_add(l, MOUNT_OVERLAY, 0, "/", f[3], why, sizeof why) < 0) {
					fail(err, errlen, "%s:%d: %s", name, line, why);
					return -1;
				}
				struct mount_spec *m = &l->v[l->n - 1];
				m_free(m->src);
				m->src_len = mstrlen(f[2]);
				m->src = dup_n(f[2], m->src_len);
				m->lower_len = mstrlen(f[1]);
				m->lower = dup_n(f[1], m->lower_len);
				if (!m->src || !m->lower) {
					fail(err, errlen, "%s:%d: out of memory", name, line);
					return -1;
				}
				if (index_lower(m) < 0) {
					fail(err, errlen, "%s:%d: LOWER has more than %d layers", name, line,
					     MOUNTS_MAX_LOWER);
					return -1;
				}
				p = *eol ? eol + 1 : eol;
				continue;
			}
			if (mstreq(f[0], "tmpfs") || mstreq(f[0], "tmp-overlay")) {
				if (nf != 2) {
					fail(err, errlen, "%s:%d: '%s' takes DEST only", name, line, f[0]);
					return -1;
				}
				/* the directory in memory is made when the view starts */
				if (mounts_add(l, mstreq(f[0], "tmpfs") ? MOUNT_TMPFS : MOUNT_TMP_OVERLAY, 0, "/",
					       f[1], why, sizeof why) < 0) {
					fail(err, errlen, "%s:%d: %s", name, line, why);
					return -1;
				}
				p = *eol ? eol + 1 : eol;
				continue;
			}
			if (mstreq(f[0], "bind")) {
			} else if (mstreq(f[0], "ro-bind")) {
				flags = MOUNT_RO;
			} else {
				fail(err, errlen,
				     "%s:%d: unknown mount type '%s' (expected bind, ro-bind, overlay, tmpfs or tmp-overlay)", name,
				     line, f[0]);
				return -1;
			}
			if (nf != 3) {
				fail(err, errlen, "%s:%d: '%s' takes SRC and DEST", name, line, f[0]);
				return -1;
			}
			if (f[1][0] != '/') {
				/* relative SRC: kept for the caller to make absolute */
				if (mounts_add(l, kind, flags, "/", f[2], why, sizeof why) < 0) {
					fail(err, errlen, "%s:%d: %s", name, line, why);
					return -1;
				}
				m_free(l->v[l->n - 1].src);
				l->v[l->n - 1].src_len = mstrlen(f[1]);
				l->v[l->n - 1].src = dup_n(f[1], l->v[l->n - 1].src_len);
			} else if (mounts_add(l, kind, flags, f[1], f[2], why, sizeof why) < 0) {
				fail(err, errlen, "%s:%d: %s", name, line, why);
				return -1;
			}
		}
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

static size_t escaped_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += (*s == ' ' || *s == '\t' || *s == '\n' || *s == '#' || *s == '\\') ? 4 : 1;
	return n;
}

static char *put_escaped(char *o, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '\t' || c == '\n' || c == '#' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)('0' + (c >> 6));
			*o++ = (char)('0' + ((c >> 3) & 7));
			*o++ = (char)('0' + (c & 7));
		} else {
			*o++ = (char)c;
		}
	}
	return o;
}

char *mounts_serialize(const struct mount_list *l)
{
	size_t n = 1;
	for (int i = 0; i < l->n; i++)
		n += 12 + escaped_len(l->v[i].src) + escaped_len(l->v[i].dest) +
		     (l->v[i].lower ? escaped_len(l->v[i].lower) : 0);
	char *s = m_alloc(n), *o = s;
	if (!s)
		return NULL;
	for (int i = 0; i < l->n; i++) {
		const char *k = mount_kind_name(l->v[i].kind, l->v[i].flags);
		mmemcpy(o, k, mstrlen(k));
		o += mstrlen(k);
		*o++ = ' ';
		if (l->v[i].lower) {
			o = put_escaped(o, l->v[i].lower);
			*o++ = ' ';
		}
		if (l->v[i].kind != MOUNT_TMPFS && l->v[i].kind != MOUNT_TMP_OVERLAY) {
			o = put_escaped(o, l->v[i].src);
			*o++ = ' ';
		}
		o = put_escaped(o, l->v[i].dest);
		*o++ = '\n';
	}
	*o = 0;
	return s;
}

void mounts_free(struct mount_list *l)
{
	for (int i = 0; i < l->n; i++) {
		m_free(l->v[i].src);
		m_free(l->v[i].dest);
		m_free(l->v[i].lower);
	}
	m_free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* The table's allocator is the same. */
void *mounts_alloc(size_t n) { return m_alloc(n); }
void mounts_release(void *p) { m_free(p); }
