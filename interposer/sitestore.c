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
 * to wait for, safe on the trap path of any thread. */
#include <string.h>

#include "lp_internal.h"

#define STORE_MAGIC 0x3173657469737066ull  /* "fpsites1" */
#define STORE_SLOTS 32768u                  /* 512 KiB, touched as used */
#define STORE_PROBES 64

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

struct site_store {
	uint64_t magic;
	uint32_t no_capstone;  /* a process could not load it: nobody will */
	uint32_t pad0;
	uint64_t misses;       /* sites left without a verdict since the last load */
	uint64_t pad[5];
	uint64_t programs[PROGRAM_SLOTS];  /* keys of the programs started so far */
	struct wanted_fn wanted[WANTED_SLOTS];
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

void lp_sites_attach(bool across_exec)
{
	bool fresh;
	store = lp_run_shared("LAZYPOLINE_SITES_FD", sizeof *store, across_exec, &fresh);
	if (store && fresh)
		store->magic = STORE_MAGIC;
	else if (store && store->magic != STORE_MAGIC)
		store = NULL;  /* not the run's table: keep nothing */
}

/* Adds KEY to the programs started in the run; false if it was there. */
static bool new_program(uint64_t key)
{
	key |= 1;
	for (unsigned i = 0; i < PROGRAM_SLOTS; i++) {
		uint64_t *slot = &store->programs[(key + i) % PROGRAM_SLOTS], k = 0;
		if (__atomic_compare_exchange_n(slot, &k, key, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return true;
		if (k == key)
			return false;
	}
	return true;  /* full: treat as new */
}

bool lp_sites_want_capstone(uint64_t program)
{
	if (!store)
		return true;
	if (__atomic_load_n(&store->no_capstone, __ATOMIC_RELAXED))
		return true;  /* to fail the same way the first process did */
	/* A program new to the run has functions nobody decided yet. */
	if (new_program(program))
		return true;
	/* this process decides what others missed; they count again if it
	 * does not run the same code */
	return __atomic_exchange_n(&store->misses, 0, __ATOMIC_RELAXED) != 0;
}

void lp_sites_capstone_missing(void)
{
	if (store)
		__atomic_store_n(&store->no_capstone, 1, __ATOMIC_RELAXED);
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
	__atomic_fetch_add(&store->misses, 1, __ATOMIC_RELAXED);
}

int lp_sites_decide_wanted(void)
{
	int n = 0;
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
			return;
		}
		if (k == h1)
			return;  /* someone else has it */
	}
}
