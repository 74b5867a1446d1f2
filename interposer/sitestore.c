/* Red-zone verdicts shared by every process of a run.
 *
 * Loading Capstone costs about a millisecond per process (77k relative
 * relocations, 330 copied pages), more than a short program's whole
 * interposition; decoding a site's function costs microseconds more.  A
 * verdict depends only on the function's bytes and where the site is in
 * them, so it is kept in a table keyed by exactly that: a 128-bit hash of
 * (function length, site offset, function bytes).  The same libc function
 * in the next program, or in a guest tree's copy of the same libc, hits.
 *
 * The table is memory shared by the run (lp_run_shared: a memfd, named to
 * new programs in LAZYPOLINE_SITES_FD).  The first process of each program
 * (the first page of its executable, hashed) in a run loads Capstone;
 * later ones load it only when some process had to leave a site on the
 * SUD path for want of a verdict (`misses`), and that one first decides
 * the functions they missed, kept here as bytes: a run of the same
 * programs converges to processes without Capstone.  A process that
 * rewrote sites of a function hashes their bytes as the `0f 05` they were.
 * Slots are claimed by compare-and-swap and never freed: no locks, nothing
 * to wait for, safe on the trap path of any thread.
 *
 * Across runs: the first process of a run maps the table from a file of
 * the user's cache directory (LAZYPOLINE_CACHE_DIR, else
 * $XDG_CACHE_HOME/lazypoline or ~/.cache/lazypoline; named by this
 * library's build ID, so a rebuilt analysis starts afresh) instead of a
 * memfd, so that a program met in an earlier run starts without Capstone.
 * The same CAS protocol holds between runs.  The file is trusted only if
 * this user owns it and its directory and nobody else may write them,
 * and lies on a file system where its blocks, all allocated at creation,
 * are written in place (no SIGBUS for a full disk on the trap path); half
 * full, it is replaced by an empty one at a run's start. */
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include "lp_internal.h"

#define STORE_MAGIC 0x3273657469737066ull  /* "fpsites2" */
#define STORE_SLOTS 32768u                  /* 512 KiB, touched as used */
#define STORE_PROBES 64
/* Marks (lp_sites_heat): a page of fingerprints per group of
 * programs, so that a process's looks at every first trap touch one page
 * of the store, not one each (a page fault costs about what a trap does). */
#define HOT_PAGES 16
#define HOT_PER_PAGE 512

struct site_slot {
	uint64_t key;    /* first hash, never 0; claimed by CAS */
	uint64_t value;  /* second hash << 8 | verdict + 1; 0 while being written */
};

/* A function some process met without a verdict, for the next process
 * that loads Capstone to decide: its bytes as they were. */
#define WANTED_SLOTS 32
#define WANTED_MAX 4096
enum { WANTED_FREE, WANTED_FILLING, WANTED_READY, WANTED_TAKEN };
struct wanted_fn {
	uint32_t state;
	uint32_t len;
	uint64_t key;  /* of the function: one entry each */
	uint8_t code[WANTED_MAX];
};

#define PROGRAM_SLOTS 512

struct store_head {
	uint64_t magic;
	uint32_t no_capstone;  /* a process could not load it: nobody will */
	uint32_t pad0;
	uint64_t misses;       /* sites left without a verdict since the last load */
	uint64_t slots_used;   /* of slot[] */
	uint64_t programs_used;
	uint64_t pad[3];
};

struct site_store {
	struct store_head h;  /* read alone from a file (table_state) */
	uint64_t programs[PROGRAM_SLOTS];  /* keys of the programs started so far */
	struct wanted_fn wanted[WANTED_SLOTS];
	uint64_t hot[HOT_PAGES][HOT_PER_PAGE] __attribute__((aligned(4096)));  /* 0: free */
	struct site_slot slot[STORE_SLOTS];
};

static struct site_store *store;

/* Puts the `0f 05` of rewritten sites (offsets FIXES, ascending; those
 * before *NEXT are behind) back into B, which holds the N bytes at offset
 * FROM. */
static void put_back(uint8_t *b, size_t from, size_t n, const uint32_t *fixes, size_t n_fixes, size_t *next)
{
	while (*next < n_fixes && fixes[*next] + 1 < from)
		(*next)++;
	for (size_t k = *next; k < n_fixes && fixes[k] < from + n; k++) {
		if (fixes[k] >= from)
			b[fixes[k] - from] = 0x0f;
		if (fixes[k] + 1 >= from && fixes[k] + 1 < from + n)
			b[fixes[k] + 1 - from] = 0x05;
	}
}

/* This library's GNU build ID in hex; false if it has none. */
extern const ElfW(Ehdr) __ehdr_start __attribute__((visibility("hidden")));
static bool build_id(char *hex, size_t n)
{
	const char *base = (const char *)&__ehdr_start;
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(base + __ehdr_start.e_phoff);
	/* the load bias: base itself for a library, 0 for a fixed program */
	uintptr_t bias = (uintptr_t)base;
	for (int i = 0; i < __ehdr_start.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
			bias = (uintptr_t)base - ph[i].p_vaddr;
	for (int i = 0; i < __ehdr_start.e_phnum; i++) {
		if (ph[i].p_type != PT_NOTE)
			continue;
		const char *p = (const char *)(bias + ph[i].p_vaddr), *end = p + ph[i].p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			const unsigned char *desc = (const unsigned char *)(p + sizeof *nh + ((nh->n_namesz + 3) & ~3u));
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && !memcmp(p + sizeof *nh, "GNU", 4) &&
			    nh->n_descsz && 2 * nh->n_descsz < n) {
				for (unsigned k = 0; k < nh->n_descsz; k++) {
					hex[2 * k] = "0123456789abcdef"[desc[k] >> 4];
					hex[2 * k + 1] = "0123456789abcdef"[desc[k] & 15];
				}
				hex[2 * nh->n_descsz] = 0;
				return true;
			}
			p = (const char *)desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	return false;
}

static bool append(char *buf, size_t n, size_t *len, const char *s)
{
	size_t l = strlen(s);
	if (*len + l >= n)
		return false;
	memcpy(buf + *len, s, l + 1);
	*len += l;
	return true;
}

/* Is FD this user's, of type TYPE, with none of the mode bits OTHERS? */
static bool mine_alone(long fd, mode_t type, mode_t others, struct stat *st)
{
	return lp_sys2(SYS_fstat, fd, st) == 0 && (st->st_mode & S_IFMT) == type &&
	       st->st_uid == (uid_t)lp_sys0(SYS_geteuid) && !(st->st_mode & others);
}

/* Directory PATH, made (0700) if missing and opened, if only this user
 * may change it; else -1. */
static long own_dir(const char *path)
{
	lp_sys2(SYS_mkdir, path, 0700);
	long fd = lp_sys4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	struct stat st;
	if (fd >= 0 && !mine_alone(fd, S_IFDIR, 022, &st)) {
		lp_sys1(SYS_close, fd);
		return -1;
	}
	return fd;
}

/* The cache directory, opened; -1 when there is none or it is not safe. */
static long cache_dir(void)
{
	char path[4096];
	size_t len = 0;
	const char *dir = getenv("LAZYPOLINE_CACHE_DIR");
	if (dir)  /* set, even empty: that one or none */
		return *dir == '/' && append(path, sizeof path, &len, dir) ? own_dir(path) : -1;
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (xdg && *xdg == '/') {
		if (!append(path, sizeof path, &len, xdg))
			return -1;
	} else if (home && *home == '/') {
		if (!append(path, sizeof path, &len, home) || !append(path, sizeof path, &len, "/.cache"))
			return -1;
		lp_sys2(SYS_mkdir, path, 0700);
	} else {
		return -1;
	}
	return append(path, sizeof path, &len, "/lazypoline") ? own_dir(path) : -1;
}

/* A file system whose preallocated blocks a store never fails on (no
 * copy-on-write), local: ext2/3/4, XFS, tmpfs. */
static bool stable_fs(long fd)
{
	struct statfs sf;
	if (lp_sys2(SYS_fstatfs, fd, &sf) < 0)
		return false;
	return sf.f_type == 0xef53 || sf.f_type == 0x58465342 || sf.f_type == 0x01021994;
}

enum table_state { TABLE_USE, TABLE_REPLACE, TABLE_REFUSE };

/* What to do with FD, the file of the table: every block must be
 * allocated (a store to a hole of a full file system would be a SIGBUS on
 * the trap path), and the table ours and less than half full. */
static enum table_state table_state(long fd)
{
	struct stat st;
	if (!mine_alone(fd, S_IFREG, 077, &st) || !stable_fs(fd))
		return TABLE_REFUSE;  /* not ours alone, or not safe to map */
	if (st.st_size == 0)  /* new; if it cannot be allocated, gone again */
		return lp_sys4(SYS_fallocate, fd, 0, 0, sizeof *store) == 0 ? TABLE_USE : TABLE_REPLACE;
	struct store_head head;
	if (st.st_size != (off_t)sizeof *store || (size_t)st.st_blocks * 512 < sizeof *store ||
	    lp_sys4(SYS_pread64, fd, &head, sizeof head, 0) != (long)sizeof head || (head.magic != STORE_MAGIC && head.magic) ||
	    head.slots_used >= STORE_SLOTS / 2 || head.programs_used >= PROGRAM_SLOTS / 2)
		return TABLE_REPLACE;
	return TABLE_USE;
}

/* The table of earlier runs, opened and allocated; -1 when there is none. */
static long cache_open(void)
{
	char name[80] = "sites-";
	if (!build_id(name + 6, sizeof name - 6))
		return -1;
	long dfd = cache_dir();
	if (dfd < 0)
		return -1;
	long fd = -1;
	for (int attempt = 0; attempt < 2 && fd < 0; attempt++) {
		fd = lp_sys4(SYS_openat, dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		enum table_state t = fd < 0 ? TABLE_REFUSE : table_state(fd);
		if (t == TABLE_USE)
			break;
		if (fd >= 0)
			lp_sys1(SYS_close, fd);
		fd = -1;
		if (t == TABLE_REFUSE)
			break;
		/* half full, or not a table of ours: an empty one in its place
		 * (runs that have the old one mapped keep it) */
		lp_sys3(SYS_unlinkat, dfd, name, 0);
	}
	lp_sys1(SYS_close, dfd);
	return fd;
}

void lp_sites_attach(bool across_exec)
{
	bool fresh;
	store = NULL;
	if (!getenv("LAZYPOLINE_SITES_FD")) {  /* the first process of a run */
		long fd = cache_open();
		if (fd >= 0)
			store = lp_run_shared_fd("LAZYPOLINE_SITES_FD", fd, sizeof *store, across_exec);
	}
	if (!store)
		store = lp_run_shared("LAZYPOLINE_SITES_FD", sizeof *store, across_exec, &fresh);
	/* a new table (memfd or file) is zero: this process marks it */
	uint64_t zero = 0;
	if (store && !__atomic_compare_exchange_n(&store->h.magic, &zero, STORE_MAGIC, false, __ATOMIC_RELAXED,
						  __ATOMIC_RELAXED) &&
	    zero != STORE_MAGIC)
		store = NULL;  /* not the run's table: keep nothing */
}

/* Whether KEY is new to the programs started in the run (a full table:
 * new); ADD puts it there. */
static bool new_program(uint64_t key, bool add)
{
	key |= 1;
	for (unsigned i = 0; i < PROGRAM_SLOTS; i++) {
		uint64_t *slot = &store->programs[(key + i) % PROGRAM_SLOTS], k = 0;
		if (!add) {
			k = __atomic_load_n(slot, __ATOMIC_RELAXED);
			if (!k)
				return true;
		} else if (__atomic_compare_exchange_n(slot, &k, key, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
			__atomic_fetch_add(&store->h.programs_used, 1, __ATOMIC_RELAXED);
			return true;
		}
		if (k == key)
			return false;
	}
	return true;
}

bool lp_sites_want_capstone(uint64_t program)
{
	if (!store)
		return true;
	if (__atomic_load_n(&store->h.no_capstone, __ATOMIC_RELAXED))
		return true;  /* to fail the same way the first process did */
	/* A program new to the run has functions nobody decided yet. */
	if (new_program(program, true))
		return true;
	/* this process decides what others missed; they count again if it
	 * does not run the same code */
	return __atomic_exchange_n(&store->h.misses, 0, __ATOMIC_RELAXED) != 0;
}

/* lp_sites_want_capstone's answer, the table left as it is. */
bool lp_sites_would_want_capstone(uint64_t program)
{
	return !store || __atomic_load_n(&store->h.no_capstone, __ATOMIC_RELAXED) || new_program(program, false) ||
	       __atomic_load_n(&store->h.misses, __ATOMIC_RELAXED) != 0;
}

void lp_sites_capstone_missing(void)
{
	if (store)
		__atomic_store_n(&store->h.no_capstone, 1, __ATOMIC_RELAXED);
}

void lp_sites_missed(const uint8_t *code, size_t len, const uint32_t *fixes, size_t n_fixes)
{
	if (!store)
		return;
	uint64_t key = 0, unused;
	if (len <= WANTED_MAX)
		lp_sites_hash(code, len, 0, fixes, n_fixes, &key, &unused);
	for (int i = 0; i < WANTED_SLOTS && key; i++)
		if (__atomic_load_n(&store->wanted[i].state, __ATOMIC_ACQUIRE) != WANTED_FREE &&
		    __atomic_load_n(&store->wanted[i].key, __ATOMIC_RELAXED) == key)
			key = 0;  /* kept already */
	for (int i = 0; i < WANTED_SLOTS && key; i++) {
		struct wanted_fn *w = &store->wanted[i];
		uint32_t st = WANTED_FREE;
		if (!__atomic_compare_exchange_n(&w->state, &st, WANTED_FILLING, false, __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED))
			continue;
		memcpy(w->code, code, len);
		size_t next = 0;
		put_back(w->code, 0, len, fixes, n_fixes, &next);  /* the bytes as they were */
		w->len = (uint32_t)len;
		__atomic_store_n(&w->key, key, __ATOMIC_RELAXED);
		__atomic_store_n(&w->state, WANTED_READY, __ATOMIC_RELEASE);
		break;
	}
	__atomic_fetch_add(&store->h.misses, 1, __ATOMIC_RELAXED);
}

int lp_sites_decide_wanted(void)
{
	int n = 0;
	if (store)  /* Capstone loads (again): kept in a file, it may have been missing once */
		__atomic_store_n(&store->h.no_capstone, 0, __ATOMIC_RELAXED);
	for (int i = 0; store && i < WANTED_SLOTS; i++) {
		struct wanted_fn *w = &store->wanted[i];
		uint32_t st = WANTED_READY;
		if (!__atomic_compare_exchange_n(&w->state, &st, WANTED_TAKEN, false, __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED))
			continue;
		lp_sites_decide(w->code, w->len);
		__atomic_store_n(&w->state, WANTED_FREE, __ATOMIC_RELEASE);
		n++;
	}
	return n;
}

static inline uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t fmix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

/* The N (<= 8) bytes at CODE + I as a word, the sites put back. */
static uint64_t word_at(const uint8_t *code, size_t i, size_t n, const uint32_t *fixes, size_t n_fixes,
			size_t *next_fix)
{
	uint8_t b[8] = { 0 };
	memcpy(b, code + i, n);
	put_back(b, i, n, fixes, n_fixes, next_fix);
	uint64_t w;
	memcpy(&w, b, 8);
	return w;
}

/* Two independent 64-bit lanes over the bytes: 128 bits of key. */
void lp_sites_hash(const uint8_t *code, size_t len, size_t site_off, const uint32_t *fixes, size_t n_fixes,
		   uint64_t *h1, uint64_t *h2)
{
	uint64_t a = 0x9e3779b97f4a7c15ull ^ len, b = 0x632be59bd9b4e019ull ^ site_off;
	size_t i = 0, next_fix = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		if (next_fix < n_fixes && fixes[next_fix] < i + 8) {
			w = word_at(code, i, 8, fixes, n_fixes, &next_fix);
		} else {
			memcpy(&w, code + i, 8);
		}
		a = rotl(a ^ (w * 0x87c37b91114253d5ull), 31) * 0x4cf5ad432745937full;
		b = rotl(b + w, 27) * 0x52dce729u + 0x38495ab5u;
	}
	uint64_t tail = word_at(code, i, len - i, fixes, n_fixes, &next_fix);
	a = fmix(a ^ tail ^ ((uint64_t)site_off << 32));
	b = fmix(b ^ rotl(tail, 17) ^ len);
	*h1 = a ? a : 1;
	*h2 = b;
}

int lp_sites_lookup(uint64_t h1, uint64_t h2)
{
	if (!store)
		return -1;
	for (unsigned i = 0; i < STORE_PROBES; i++) {
		struct site_slot *s = &store->slot[(h1 + i) % STORE_SLOTS];
		uint64_t k = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
		if (!k)
			return -1;
		if (k != h1)
			continue;
		uint64_t v = __atomic_load_n(&s->value, __ATOMIC_ACQUIRE);
		if (!v || v >> 8 != (h2 & 0x00ffffffffffffffull))
			return -1;  /* being written, or another function's first hash */
		return (int)(v & 0xff) - 1;
	}
	return -1;
}

/* Marks (warm, hot) are kept per program: read and open are hot in cc1,
 * not in as, which calls them a few times.  A mark is a hint (a
 * fingerprint in its program's page, two places it may be in,
 * overwritten when both are taken; its low bit set when hot), keyed by
 * the bytes around a site (lp_site_heat): the site's verdict is looked
 * up before it is rewritten. */
static uint64_t *hot_place(uint64_t h1, uint64_t h2, uint64_t program, uint64_t *fp)
{
	uint64_t p = fmix(program ^ 0x686f742d31ull);
	*fp = fmix(fmix(h1 ^ p) ^ h2) & ~(uint64_t)1;  /* the low bit: hot, not warm */
	*fp += 2 * !*fp;
	return &store->hot[p % HOT_PAGES][*fp % HOT_PER_PAGE];  /* an even place */
}

/* Which of TWO holds FP (-1: neither), and *MARK what it holds */
static int mark_at(uint64_t *two, uint64_t fp, uint64_t *mark)
{
	for (int i = 0; i < 2; i++)
		if (((*mark = __atomic_load_n(&two[i], __ATOMIC_RELAXED)) & ~(uint64_t)1) == fp)
			return i;
	return -1;
}

enum lp_site_heat lp_sites_heat(uint64_t h1, uint64_t h2, uint64_t program)
{
	if (!store)
		return LP_SITE_COLD;
	uint64_t fp, mark, *two = hot_place(h1, h2, program, &fp);
	return mark_at(two, fp, &mark) < 0 ? LP_SITE_COLD : mark & 1 ? LP_SITE_HOT : LP_SITE_WARM;
}

/* Claims a slot for H1 holding the verdict; the first claim of a key
 * stays. */
void lp_sites_record(uint64_t h1, uint64_t h2, int verdict)
{
	if (!store)
		return;
	uint64_t v = (h2 << 8) | (uint64_t)(verdict + 1);
	for (unsigned i = 0; i < STORE_PROBES; i++) {
		struct site_slot *s = &store->slot[(h1 + i) % STORE_SLOTS];
		uint64_t k = 0;
		if (__atomic_compare_exchange_n(&s->key, &k, h1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&s->value, v, __ATOMIC_RELEASE);
			__atomic_fetch_add(&store->h.slots_used, 1, __ATOMIC_RELAXED);
			return;
		}
		if (k == h1)
			return;  /* someone else has it */
	}
}

void lp_sites_mark(uint64_t h1, uint64_t h2, uint64_t program, enum lp_site_heat heat)
{
	if (!store || heat == LP_SITE_COLD)
		return;
	uint64_t fp, mark, *two = hot_place(h1, h2, program, &fp), free_ = 0, hot = heat == LP_SITE_HOT;
	int i = mark_at(two, fp, &mark);
	if (i >= 0) {  /* warm to hot, unless another fingerprint took the place since */
		if (hot && !(mark & 1))
			__atomic_compare_exchange_n(&two[i], &mark, fp | 1, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
		return;
	}
	if (!__atomic_compare_exchange_n(&two[0], &free_, fp | hot, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		__atomic_store_n(&two[1], fp | hot, __ATOMIC_RELAXED);
}
