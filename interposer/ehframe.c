/* Function bounds from unwind tables.
 *
 * The red-zone rule looks at a site's whole function, and eager mode
 * disassembles functions from their real starts; both take the bounds
 * from .eh_frame_hdr (found with _dl_find_object, or in the object's
 * program headers), whose sorted table maps each function start to its
 * FDE, and the FDE gives the length.  A static program linked without
 * that table has its .eh_frame found from its section headers and
 * walked. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <string.h>
#include <sys/syscall.h>

#include "lp_bootstrap.h"
#include "lp_internal.h"

enum {
	DW_EH_PE_absptr = 0x00,
	DW_EH_PE_uleb128 = 0x01,
	DW_EH_PE_udata2 = 0x02,
	DW_EH_PE_udata4 = 0x03,
	DW_EH_PE_udata8 = 0x04,
	DW_EH_PE_sleb128 = 0x09,
	DW_EH_PE_sdata2 = 0x0a,
	DW_EH_PE_sdata4 = 0x0b,
	DW_EH_PE_sdata8 = 0x0c,
	DW_EH_PE_pcrel = 0x10,
	DW_EH_PE_datarel = 0x30,
	DW_EH_PE_indirect = 0x80,
	DW_EH_PE_omit = 0xff,
};

static uint64_t uleb(const uint8_t **p)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;
	do {
		b = *(*p)++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	return v;
}

static int64_t sleb(const uint8_t **p)
{
	int64_t v = 0;
	unsigned shift = 0;
	uint8_t b;
	do {
		b = *(*p)++;
		if (shift < 64)
			v |= (int64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (shift < 64 && (b & 0x40))
		v |= -((int64_t)1 << shift);
	return v;
}

/* Read a pointer in encoding enc; datarel is relative to `data`.
 * Returns 0, or -1 for encodings we do not handle. */
static int read_enc(const uint8_t **p, uint8_t enc, uintptr_t data, uintptr_t *out)
{
	const uint8_t *start = *p;
	uint64_t v;
	switch (enc & 0x0f) {
	case DW_EH_PE_absptr:
	case DW_EH_PE_udata8:
	case DW_EH_PE_sdata8:
		memcpy(&v, *p, 8);
		*p += 8;
		break;
	case DW_EH_PE_udata4: {
		uint32_t x;
		memcpy(&x, *p, 4);
		*p += 4;
		v = x;
		break;
	}
	case DW_EH_PE_sdata4: {
		int32_t x;
		memcpy(&x, *p, 4);
		*p += 4;
		v = (uint64_t)(int64_t)x;
		break;
	}
	case DW_EH_PE_udata2: {
		uint16_t x;
		memcpy(&x, *p, 2);
		*p += 2;
		v = x;
		break;
	}
	case DW_EH_PE_sdata2: {
		int16_t x;
		memcpy(&x, *p, 2);
		*p += 2;
		v = (uint64_t)(int64_t)x;
		break;
	}
	case DW_EH_PE_uleb128:
		v = uleb(p);
		break;
	case DW_EH_PE_sleb128:
		v = (uint64_t)sleb(p);
		break;
	default:
		return -1;
	}
	switch (enc & 0x70) {
	case 0:
		break;
	case DW_EH_PE_pcrel:
		v += (uintptr_t)start;
		break;
	case DW_EH_PE_datarel:
		v += data;
		break;
	default:
		return -1;
	}
	if (enc & DW_EH_PE_indirect)
		return -1;
	*out = (uintptr_t)v;
	return 0;
}

/* The FDE pointer encoding ('R') of a CIE. */
static int cie_fde_encoding(const uint8_t *cie, uint8_t *enc)
{
	const uint8_t *p = cie;
	uint32_t len;
	memcpy(&len, p, 4);
	p += 4;
	if (len == 0xffffffff)
		p += 8;
	p += 4;  /* CIE id */
	uint8_t version = *p++;
	const char *aug = (const char *)p;
	p += strlen(aug) + 1;
	if (aug[0] == 'e' && aug[1] == 'h')
		p += sizeof(void *);
	uleb(&p);  /* code alignment */
	sleb(&p);  /* data alignment */
	if (version == 1)
		p++;
	else
		uleb(&p);  /* return address register */
	*enc = DW_EH_PE_absptr;
	if (aug[0] != 'z')
		return 0;
	uleb(&p);  /* augmentation length */
	for (const char *a = aug + 1; *a; a++) {
		if (*a == 'R') {
			*enc = *p;
			return 0;
		} else if (*a == 'L') {
			p++;
		} else if (*a == 'P') {
			uint8_t penc = *p++;
			uintptr_t dummy;
			if (read_enc(&p, penc & 0x7f, 0, &dummy) < 0)
				return -1;
		} else if (*a != 'S' && *a != 'B' && *a != 'G') {
			return -1;
		}
	}
	return 0;
}

static int fde_range(const uint8_t *fde, struct lp_fde_range *out)
{
	const uint8_t *p = fde;
	uint32_t len;
	memcpy(&len, p, 4);
	p += 4;
	if (len == 0 || len == 0xffffffff)
		return -1;
	uint32_t cie_off;
	memcpy(&cie_off, p, 4);
	const uint8_t *cie = p - cie_off;
	p += 4;
	uint8_t enc;
	if (cie_fde_encoding(cie, &enc) < 0)
		return -1;
	uintptr_t start, range;
	if (read_enc(&p, enc, 0, &start) < 0 || read_enc(&p, enc & 0x0f, 0, &range) < 0)
		return -1;
	out->start = start;
	out->end = start + range;
	return 0;
}

struct hdr_table {
	const uint8_t *tab;
	uint64_t count;
	uint8_t enc;
	size_t entry;  /* bytes per (location, fde) pair */
};

static int parse_hdr(const uint8_t *hdr, struct hdr_table *t)
{
	if (!hdr || hdr[0] != 1)
		return -1;
	uint8_t ptr_enc = hdr[1], count_enc = hdr[2], tab_enc = hdr[3];
	const uint8_t *p = hdr + 4;
	uintptr_t eh_frame, count;
	if (read_enc(&p, ptr_enc, (uintptr_t)hdr, &eh_frame) < 0 || count_enc == DW_EH_PE_omit ||
	    read_enc(&p, count_enc, (uintptr_t)hdr, &count) < 0)
		return -1;
	switch (tab_enc & 0x0f) {
	case DW_EH_PE_udata4:
	case DW_EH_PE_sdata4:
		t->entry = 8;
		break;
	case DW_EH_PE_udata8:
	case DW_EH_PE_sdata8:
		t->entry = 16;
		break;
	default:
		return -1;
	}
	t->tab = p;
	t->count = count;
	t->enc = tab_enc;
	return 0;
}

static int table_entry(const uint8_t *hdr, const struct hdr_table *t, uint64_t i, uintptr_t *loc,
		       uintptr_t *fde)
{
	const uint8_t *p = t->tab + i * t->entry;
	if (read_enc(&p, t->enc, (uintptr_t)hdr, loc) < 0 ||
	    read_enc(&p, t->enc, (uintptr_t)hdr, fde) < 0)
		return -1;
	return 0;
}

int lp_ehframe_lookup(const uint8_t *hdr, uintptr_t pc, struct lp_fde_range *out)
{
	struct hdr_table t;
	if (parse_hdr(hdr, &t) < 0 || t.count == 0)
		return -1;
	uint64_t lo = 0, hi = t.count;  /* last entry with loc <= pc */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		uintptr_t loc, fde;
		if (table_entry(hdr, &t, mid, &loc, &fde) < 0)
			return -1;
		if (loc <= pc)
			lo = mid;
		else
			hi = mid;
	}
	uintptr_t loc, fde;
	if (table_entry(hdr, &t, lo, &loc, &fde) < 0 || loc > pc)
		return -1;
	if (fde_range((const uint8_t *)fde, out) < 0 || pc < out->start || pc >= out->end)
		return -1;
	return 0;
}

/* The same from a whole .eh_frame, walked: a static program linked
 * without --eh-frame-hdr has no table to search.  Its CIEs and FDEs are
 * read in place, as the table's are. */
static int ehframe_scan(const uint8_t *eh_frame, size_t len, uintptr_t pc, struct lp_fde_range *out)
{
	const uint8_t *p = eh_frame, *end = eh_frame + len;
	while (end - p >= 8) {
		uint32_t n, id;
		memcpy(&n, p, 4);
		if (n == 0)
			break;  /* the terminator */
		if (n == 0xffffffff || n > (size_t)(end - p) - 4)
			return -1;  /* 64-bit lengths: not what x86-64 linkers write */
		memcpy(&id, p + 4, 4);
		struct lp_fde_range r;
		if (id != 0 && fde_range(p, &r) == 0 && pc >= r.start && pc < r.end) {
			*out = r;
			return 0;
		}
		p += 4 + n;
	}
	return -1;
}

int lp_object_function(const struct lp_object *o, uintptr_t pc, struct lp_fde_range *out)
{
	if (o->eh_frame_hdr)
		return lp_ehframe_lookup(o->eh_frame_hdr, pc, out);
	if (o->eh_frame)
		return ehframe_scan(o->eh_frame, o->eh_frame_len, pc, out);
	return -1;
}

int lp_ehframe_each(const uint8_t *hdr, void (*fn)(const struct lp_fde_range *, void *), void *arg)
{
	struct hdr_table t;
	if (parse_hdr(hdr, &t) < 0)
		return -1;
	for (uint64_t i = 0; i < t.count; i++) {
		uintptr_t loc, fde;
		struct lp_fde_range r;
		if (table_entry(hdr, &t, i, &loc, &fde) == 0 && fde_range((const uint8_t *)fde, &r) == 0)
			fn(&r, arg);
	}
	return 0;
}

/* ---- objects the dynamic loader does not know ---- */

char *lp_read_self_maps(void)
{
	long fd = lp_sys3(SYS_open, "/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	char *buf = lp_malloc(cap);
	while (buf) {
		if (len + 4096 > cap) {
			char *nb = lp_realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		long r = lp_sys3(SYS_read, fd, buf + len, cap - len - 1);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	lp_sys1(SYS_close, fd);
	if (buf)
		buf[len] = 0;
	return buf;
}

#define LP_OBJ_CACHE 128
static struct {
	struct lp_object o;
	int ready;
} objects[LP_OBJ_CACHE] LP_APART;
static int n_objects;

static const char *hex(const char *p, uintptr_t *v)
{
	uintptr_t x = 0;
	for (;; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
		if (d < 0)
			break;
		x = x << 4 | (uintptr_t)d;
	}
	*v = x;
	return p;
}

/* One line of /proc/self/maps: "lo-hi perms offset dev inode path". */
struct map_line {
	uintptr_t lo, hi, offset, inode;
	char dev[16];
	const char *path;  /* in the maps text, path_len bytes ("": none) */
	size_t path_len;
};

static const char *parse_map(const char *p, struct map_line *m)
{
	p = hex(p, &m->lo);
	p = hex(p + 1, &m->hi);
	while (*p == ' ')
		p++;
	while (*p && *p != ' ')
		p++;  /* perms */
	p = hex(p + 1, &m->offset);
	size_t n = 0;
	for (p++; *p && *p != ' ' && n + 1 < sizeof m->dev; p++)
		m->dev[n++] = *p;
	m->dev[n] = 0;
	uintptr_t ino = 0;
	for (p++; *p >= '0' && *p <= '9'; p++)
		ino = ino * 10 + (uintptr_t)(*p - '0');
	m->inode = ino;
	while (*p == ' ')
		p++;
	m->path = p;
	while (*p && *p != '\n')
		p++;
	m->path_len = (size_t)(p - m->path);
	return *p ? p + 1 : p;
}

/* Where the ELF header of the file mapped at pc is: the mapping of the
 * same file at offset 0 (the first PT_LOAD of an ELF object); its path
 * in PATH (PATH_CAP bytes; "" when unknown). */
static uintptr_t elf_base_of(uintptr_t pc, char *path, size_t path_cap)
{
	path[0] = 0;
	char *buf = lp_read_self_maps();
	if (!buf)
		return 0;
	struct map_line at = { 0 }, m;
	bool found = false;
	for (const char *p = buf; *p && !found;) {
		p = parse_map(p, &m);
		if (m.lo <= pc && pc < m.hi) {
			at = m;
			found = true;
		}
	}
	uintptr_t base = 0;
	for (const char *p = buf; *p && found && at.inode && !base;) {
		p = parse_map(p, &m);
		if (m.inode == at.inode && !strcmp(m.dev, at.dev) && m.offset == 0 && m.lo <= pc)
			base = m.lo;
	}
	if (base && at.path_len < path_cap) {
		memcpy(path, at.path, at.path_len);
		path[at.path_len] = 0;
	}
	lp_free(buf);
	return base;
}

/* The object whose ELF header is at base, if pc is in it; *BIAS_OUT its
 * load bias. */
static int object_at(uintptr_t base, uintptr_t pc, struct lp_object *o, uintptr_t *bias_out)
{
	Elf64_Ehdr eh;
	if (!base || lp_user_copy(&eh, (void *)base, sizeof eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 64)
		return -1;
	Elf64_Phdr ph[64];
	if (lp_user_copy(ph, (void *)(base + eh.e_phoff), eh.e_phnum * sizeof *ph))
		return -1;
	uintptr_t lo = UINTPTR_MAX, hi = 0, eh_frame = 0;
	for (int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD) {
			if (ph[i].p_vaddr < lo)
				lo = ph[i].p_vaddr & ~(uintptr_t)4095;
			if (ph[i].p_vaddr + ph[i].p_memsz > hi)
				hi = ph[i].p_vaddr + ph[i].p_memsz;
		} else if (ph[i].p_type == PT_GNU_EH_FRAME) {
			eh_frame = ph[i].p_vaddr;
		}
	}
	if (hi <= lo)
		return -1;
	uintptr_t bias = base - lo;
	*o = (struct lp_object){ .start = bias + lo, .end = bias + hi,
				 .eh_frame_hdr = eh_frame ? (const uint8_t *)(bias + eh_frame) : NULL };
	*bias_out = bias;
	return pc >= o->start && pc < o->end ? 0 : -1;
}

/* The program's PT_DYNAMIC when lazypoline-vfs-loader mapped it (lp_note_loaded) */
static uintptr_t program_dynamic;

/* A library the program's dynamic loader mapped, from its list of them
 * (DT_DEBUG -> r_debug -> link_map, the debuggers' way): a few reads of
 * memory instead of /proc/self/maps.  Each read may fault (a list being
 * changed): then -1, and the caller reads the maps. */
static int object_from_link_map(uintptr_t pc, struct lp_object *o)
{
	uintptr_t r_debug_at = 0;
	for (int i = 0; program_dynamic && i < 256 && !r_debug_at; i++) {
		Elf64_Dyn d;
		if (lp_user_copy(&d, (void *)(program_dynamic + i * sizeof d), sizeof d) || d.d_tag == DT_NULL)
			break;
		if (d.d_tag == DT_DEBUG)
			r_debug_at = d.d_un.d_ptr;
	}
	struct r_debug rd;
	if (!r_debug_at || lp_user_copy(&rd, (void *)r_debug_at, sizeof rd))
		return -1;
	struct link_map lm;
	uintptr_t at = (uintptr_t)rd.r_map;
	for (int i = 0; at && i < 1024; i++, at = (uintptr_t)lm.l_next) {
		if (lp_user_copy(&lm, (void *)at, sizeof lm))
			return -1;
		/* a shared object's header is at its bias (its first segment at 0) */
		uintptr_t bias;
		if (lm.l_addr && pc > lm.l_addr && object_at(lm.l_addr, pc, o, &bias) == 0)
			return 0;
	}
	return -1;
}

void lp_object_find_eh_frame(long fd, uintptr_t bias, struct lp_object *o)
{
	Elf64_Ehdr eh;
	if (lp_sys4(SYS_pread64, fd, &eh, sizeof eh, 0) != (long)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 || eh.e_shnum > 256 ||
	    eh.e_shstrndx >= eh.e_shnum)
		return;
	size_t shsize = eh.e_shnum * sizeof(Elf64_Shdr), names_cap = 4096;
	Elf64_Shdr *sh = lp_malloc(shsize + names_cap);  /* not on a handler's stack */
	if (!sh)
		return;
	char *names = (char *)(sh + eh.e_shnum);
	if (lp_sys4(SYS_pread64, fd, sh, shsize, eh.e_shoff) == (long)shsize) {
		const Elf64_Shdr *strtab = &sh[eh.e_shstrndx];
		size_t n = strtab->sh_size < names_cap - 1 ? strtab->sh_size : names_cap - 1;
		long got = lp_sys4(SYS_pread64, fd, names, n, strtab->sh_offset);
		names[got > 0 ? got : 0] = 0;
		for (int i = 0; got > 0 && i < eh.e_shnum; i++) {
			uintptr_t at = bias + sh[i].sh_addr;
			if (sh[i].sh_name < (uint64_t)got && sh[i].sh_type == SHT_PROGBITS && (sh[i].sh_flags & SHF_ALLOC) &&
			    !strcmp(names + sh[i].sh_name, ".eh_frame")) {
				if (at >= o->start && at + sh[i].sh_size <= o->end) {
					o->eh_frame = (const uint8_t *)at;
					o->eh_frame_len = sh[i].sh_size;
				}
				break;
			}
		}
	}
	lp_free(sh);
}

static int object_from_headers(uintptr_t pc, struct lp_object *o)
{
	if (object_from_link_map(pc, o) == 0)
		return 0;
	char *path = lp_malloc(PATH_MAX);
	if (!path)
		return -1;
	uintptr_t bias, base = elf_base_of(pc, path, PATH_MAX);
	int r = object_at(base, pc, o, &bias);
	long fd = r == 0 && !o->eh_frame_hdr && path[0] == '/'
			  ? lp_sys4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0) : -1;
	if (fd >= 0) {
		lp_object_find_eh_frame(fd, bias, o);
		lp_sys1(SYS_close, fd);
	}
	lp_free(path);
	return r;
}

/* A cached object is still there (not unmapped and replaced). */
static bool still_elf(uintptr_t start)
{
	char magic[SELFMAG];
	return !lp_user_copy(magic, (void *)start, SELFMAG) && !memcmp(magic, ELFMAG, SELFMAG);
}

static void cache_object(const struct lp_object *o)
{
	int i = __atomic_fetch_add(&n_objects, 1, __ATOMIC_ACQ_REL);
	if (i < LP_OBJ_CACHE) {
		objects[i].o = *o;
		__atomic_store_n(&objects[i].ready, 1, __ATOMIC_RELEASE);
	}
}

bool lp_dl_object(uintptr_t pc, struct lp_object *o)
{
#ifdef __GLIBC__
	struct dl_find_object fo;
	if (_dl_find_object((void *)pc, &fo) == 0) {
		*o = (struct lp_object){ .start = (uintptr_t)fo.dlfo_map_start, .end = (uintptr_t)fo.dlfo_map_end,
					 .eh_frame_hdr = fo.dlfo_eh_frame };
		return true;
	}
#else
	(void)pc;
	(void)o;
#endif
	return false;
}

int lp_find_object(uintptr_t pc, struct lp_object *o)
{
	if (lp_dl_object(pc, o))
		return 0;
	int n = __atomic_load_n(&n_objects, __ATOMIC_ACQUIRE);
	for (int i = 0; i < n && i < LP_OBJ_CACHE; i++)
		if (__atomic_load_n(&objects[i].ready, __ATOMIC_ACQUIRE) && objects[i].o.start <= pc &&
		    pc < objects[i].o.end && still_elf(objects[i].o.start)) {
			*o = objects[i].o;
			return 0;
		}
	if (object_from_headers(pc, o) < 0)
		return -1;
	cache_object(o);
	return 0;
}

void lp_note_loaded(const struct lp_object *image, uintptr_t dynamic)
{
	cache_object(image);
	if (dynamic)
		program_dynamic = dynamic;
}
