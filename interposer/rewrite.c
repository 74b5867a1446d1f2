/* Lazy rewriting of `syscall` sites into `call *%rax`.
 *
 * Page 0 holds a sled: `call *%rax` with rax = syscall number lands at
 * address nr, and the sled carries it to lp_entry.  The sled is made of
 * 8-byte `66 66 66 66 66 66 66 90` groups: entered at any byte it decodes
 * as one prefixed NOP per group, about ten times faster than 1-byte NOPs
 * (measured here: 4.5 ns against 46 ns for nr 0).
 *
 *   [0, 512)      sled
 *   [512, 518)    jmp *(4096)       -> lp_entry
 *   [518, 4096)   zero bytes: `add %al,(%rax)` faults on the read-only page
 *   [4096, 8192)  read-only, not executable; holds lp_entry's address
 *
 * A syscall number outside the sled (invalid ones) ends in SIGSEGV in
 * page 0 or at the bad address; lp_fault_is_bad_sled_call() turns that
 * back into the syscall the kernel would have refused. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "lp_internal.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

uint64_t lp_stat_rewritten, lp_stat_refused;

/* The trampoline's bytes: page0 is executed, page1 read as data. */
void lp_trampoline_fill(uint8_t *page0, uint8_t *page1, uintptr_t target)
{
	memset(page0, 0, 4096);
	memset(page1, 0, 4096);
	for (int i = 0; i < LP_SLED_LEN; i++)
		page0[i] = (i % 8 == 7) ? 0x90 : 0x66;
	int32_t disp = LP_TRAMP_TARGET - (LP_SLED_LEN + 6);
	page0[LP_SLED_LEN] = 0xff;  /* jmp *disp32(%rip) */
	page0[LP_SLED_LEN + 1] = 0x25;
	memcpy(page0 + LP_SLED_LEN + 2, &disp, 4);
	memcpy(page1, &target, sizeof target);
}

/* Page 0 is only reserved at start (no access: a bad pointer there still
 * gives EFAULT, and no page tables are made) and filled at the first
 * rewrite: filling it costs
 * about 150 us on a VM with shadow page tables (three new page-table
 * pages, two faults, two mprotects, and their teardown at exit), more
 * than a short process -- a /bin/true that rewrites nothing -- saves. */
int lp_trampoline_reserve(void)
{
	long m = lp_sys6(SYS_mmap, 0, LP_TRAMP_LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (m != 0) {
		if (m > 0)  /* an old kernel ignored the hint */
			lp_sys2(SYS_munmap, m, LP_TRAMP_LEN);
		return m < 0 ? (int)m : -EPERM;
	}
	return 0;
}

/* 1: filled; -1: could not be (no rewrites then).  Changed under the
 * rewrite lock; a vfork child shares it with its parent, as the page. */
static int trampoline_state;

static int trampoline_fill_in(void)
{
	if (trampoline_state)
		return trampoline_state > 0 ? 0 : -EPERM;
	trampoline_state = -1;
	if (lp_sys3(SYS_mprotect, 0, LP_TRAMP_LEN, PROT_READ | PROT_WRITE) < 0)
		return -EPERM;
	uint8_t *p = NULL;
	__asm__("" : "+r"(p));  /* it is 0 on purpose: hide that from the optimizer */
	lp_trampoline_fill(p, p + LP_TRAMP_TARGET, (uintptr_t)lp_entry);
	if (lp_sys3(SYS_mprotect, 0, 4096, PROT_READ | PROT_EXEC) < 0 ||
	    lp_sys3(SYS_mprotect, 4096, 4096, PROT_READ) < 0)
		return -EPERM;
	trampoline_state = 1;
	/* a thread without a block now reads zero at %gs:LP_OFF_SELF */
	__atomic_store_n(&lp_gs_self_readable, 1, __ATOMIC_RELEASE);
	return 0;
}

/* ---- tables of sites: open addressing, insert-only, lock-free reads ----
 * They start at two pages and grow fourfold when half full: each probe of
 * a fresh page is a page fault, and a process meets a few dozen sites.
 * A grown table replaces the old one atomically; the old one stays mapped
 * for readers still in it (a signal handler). */

#define LP_TABLE_MIN_BITS 9
#define LP_TABLE_MAX_BITS 17  /* 65536 sites at half full */

struct site_entry {
	uintptr_t site;
	uintptr_t traps;  /* the trap counts' value */
};
struct site_table {
	unsigned bits;
	unsigned count;
	struct site_entry slot[];
};
struct site_set {
	struct site_table *t;
};
/* rewritten and refused sites; traps counted before a rewrite
 * (lp_rt.rewrite_after) */
static struct site_set rewritten, refused, counted;

/* Populated: hashing spreads the first entries over every page, and
 * mapping them in one call costs less than a fault each. */
static struct site_table *table_new(unsigned bits)
{
	size_t len = sizeof(struct site_table) + (sizeof(struct site_entry) << bits);
	long m = lp_sys6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
			 -1, 0);
	if (m < 0 && m > -4096)
		return NULL;
	struct site_table *t = (struct site_table *)m;
	t->bits = bits;
	return t;
}

static unsigned hash(uintptr_t k, unsigned bits)
{
	return (unsigned)((k * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

static struct site_entry *set_find(const struct site_set *s, uintptr_t k)
{
	const struct site_table *t = __atomic_load_n(&s->t, __ATOMIC_ACQUIRE);
	if (!t)
		return NULL;
	unsigned mask = (1u << t->bits) - 1;
	for (unsigned i = hash(k, t->bits), n = 0; n <= mask; i = (i + 1) & mask, n++) {
		uintptr_t v = __atomic_load_n(&t->slot[i].site, __ATOMIC_ACQUIRE);
		if (v == k)
			return (struct site_entry *)&t->slot[i];
		if (v == 0)
			return NULL;
	}
	return NULL;
}

static bool set_has(const struct site_set *s, uintptr_t k)
{
	return set_find(s, k) != NULL;
}

/* The slot of K, added if new (traps 0); NULL when the table is full.
 * Callers hold the rewrite lock; readers may run concurrently. */
static struct site_entry *set_insert(struct site_set *s, uintptr_t k)
{
	struct site_table *t = s->t;
	if (!t || t->count >= (1u << t->bits) / 2) {
		struct site_entry *have = set_find(s, k);
		if (have)
			return have;
		unsigned bits = t ? t->bits + 2 : LP_TABLE_MIN_BITS;
		if (bits > LP_TABLE_MAX_BITS)
			return NULL;
		struct site_table *g = table_new(bits);
		if (!g)
			return NULL;
		for (unsigned i = 0; t && i < (1u << t->bits); i++) {
			if (!t->slot[i].site)
				continue;
			unsigned j = hash(t->slot[i].site, bits);
			while (g->slot[j].site)
				j = (j + 1) & ((1u << bits) - 1);
			g->slot[j] = t->slot[i];
			g->count++;
		}
		__atomic_store_n(&s->t, g, __ATOMIC_RELEASE);
		t = g;
	}
	unsigned mask = (1u << t->bits) - 1;
	for (unsigned i = hash(k, t->bits);; i = (i + 1) & mask) {
		if (t->slot[i].site == k)
			return &t->slot[i];
		if (t->slot[i].site == 0) {
			t->slot[i].traps = 0;
			__atomic_store_n(&t->slot[i].site, k, __ATOMIC_RELEASE);
			t->count++;
			return &t->slot[i];
		}
	}
}

static bool set_add(struct site_set *s, uintptr_t k)
{
	return set_insert(s, k) != NULL;
}

/* Is SITE worth rewriting now?  A rewrite costs a probe, two mprotects
 * and a copied page (about 11 us here, where a trap costs 2.4 us), the
 * first in a process also page 0's fill (20 us); a site a process runs a
 * few times (start-up, exit) is cheaper left to trap, so a site waits for
 * its lp_rt.rewrite_after'th trap (REWRITE_COUNTED).  A site found
 * safe that traps HOT_AFTER times is marked hot for its program, and a
 * later process of the program rewrites it at its first trap
 * (REWRITE_HOT).  Nine traps: the eight saved pay for the rewrite and a
 * share of the fill.  ld.so's mmap, mprotect, openat, fstat and close, 9
 * to 16 traps each in a cc1, trap once in the eightieth cc1 of a build.
 * A site that traps WARM_AFTER times is marked warm: the five traps
 * saved about pay for a rewrite, not for the fill, so a later process
 * rewrites it at its first trap after page 0 is filled (as's write,
 * mprotect, openat, close and newfstatat, 6 to 8 traps each); /bin/true,
 * whose busiest site (ld.so's mmap) traps 8 times, fills nothing and
 * rewrites nothing.  The caller holds the rewrite lock.  A full table rewrites at
 * once. */
enum { REWRITE_NOT_YET, REWRITE_NOW, REWRITE_COUNTED, REWRITE_HOT, MARK_WARM, MARK_HOT };
#define WARM_AFTER 6
#define HOT_AFTER 9
#define WARM_SEEN ((uintptr_t)1 << 62)  /* in traps: a warm site, met before page 0's fill */

static int trapped_enough(uintptr_t site)
{
	if (lp_rt.rewrite_after <= 1)
		return REWRITE_NOW;
	struct site_entry *c = set_insert(&counted, site);
	if (!c)
		return REWRITE_NOW;
	uintptr_t traps = ++c->traps & ~WARM_SEEN;
	if (traps >= lp_rt.rewrite_after)
		return REWRITE_COUNTED;
	if (traps == 1 && trampoline_state >= 0) {
		enum lp_site_heat heat = lp_site_heat(site);
		if (heat == LP_SITE_HOT || (heat == LP_SITE_WARM && trampoline_state > 0))
			return REWRITE_HOT;
		if (heat == LP_SITE_WARM)
			c->traps |= WARM_SEEN;
		return REWRITE_NOT_YET;
	}
	if ((c->traps & WARM_SEEN) && trampoline_state > 0)
		return REWRITE_HOT;
	return traps == HOT_AFTER ? MARK_HOT : traps == WARM_AFTER ? MARK_WARM : REWRITE_NOT_YET;
}

static lp_lock rewrite_lock;
void lp_rewrite_lock(void) { lp_lock_take(&rewrite_lock); }
void lp_rewrite_unlock(void) { lp_lock_give(&rewrite_lock); }
void lp_rewrite_child_reset(void) { rewrite_lock.v = 0; }

/* ---- patching ---- */

static uintptr_t page_of(uintptr_t a)
{
	return a & ~(uintptr_t)4095;
}

/* Is the page at PG writable as mapped?  MADV_POPULATE_WRITE (Linux
 * 5.14) answers without a fault: EINVAL for a mapping without write
 * permission, where trying the write first cost a SIGSEGV (about 11 us
 * here, a quarter of a rewrite).  1: yes, 0: no, -1: cannot tell (an
 * older kernel, or another error): the write is tried, as before. */
static int populate_works;  /* 0: not asked yet, 1: yes, -1: no */

void lp_rewrite_probe_by_fault(void)
{
	populate_works = -1;
}

static int page_writable(uintptr_t pg)
{
	if (!populate_works)  /* asked of the page this variable is on, surely writable */
		populate_works = lp_sys3(SYS_madvise, (long)page_of((uintptr_t)&populate_works), 4096,
					 MADV_POPULATE_WRITE) == 0 ? 1 : -1;
	if (populate_works < 0)
		return -1;
	long r = lp_sys3(SYS_madvise, (long)pg, 4096, MADV_POPULATE_WRITE);
	return r == 0 ? 1 : r == -EINVAL ? 0 : -1;
}

/* One byte swap that works whether or not the page is writable; a page
 * that is not is opened for the write and closed again (code pages are
 * r-x; a writable JIT page is left as it was). */
static int swap_byte(uint8_t *p, uint8_t old, uint8_t new_)
{
	uintptr_t pg = page_of((uintptr_t)p);
	int r = page_writable(pg) != 0 ? lp_user_cmpxchg1(p, old, new_) : -EFAULT;
	if (r != -EFAULT)
		return r;
	if (lp_sys3(SYS_mprotect, pg, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) < 0)
		return -EFAULT;
	r = lp_user_cmpxchg1(p, old, new_);
	lp_sys3(SYS_mprotect, pg, 4096, PROT_READ | PROT_EXEC);
	return r;
}

static int swap_qword(uint64_t *p, uint64_t old, uint64_t new_)
{
	uintptr_t pg = page_of((uintptr_t)p);
	int r = page_writable(pg) != 0 ? lp_user_cmpxchg8(p, old, new_) : -EFAULT;
	if (r != -EFAULT)
		return r;
	if (lp_sys3(SYS_mprotect, pg, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) < 0)
		return -EFAULT;
	r = lp_user_cmpxchg8(p, old, new_);
	lp_sys3(SYS_mprotect, pg, 4096, PROT_READ | PROT_EXEC);
	return r;
}

/* Replace 0f 05 at site by ff d0; the caller holds the rewrite lock.
 * Other threads may be executing the site meanwhile: they see either the
 * old instruction (and trap, harmlessly) or the new one.  When both bytes
 * are in one aligned qword a single locked cmpxchg does it; otherwise
 * (page or cache-line straddle) the second byte goes first, giving the
 * transient `0f d0`, an invalid opcode whose SIGILL lp_fault_is_patching
 * answers by retrying. */
int lp_rewrite_site(uintptr_t site)
{
	uint8_t b[2];
	if (lp_user_copy(b, (void *)site, 2) || b[0] != 0x0f || b[1] != 0x05)
		return -EINVAL;
	if (trampoline_fill_in() < 0)
		return -EPERM;
	if (!set_add(&rewritten, site))
		return -ENOSPC;
	uintptr_t q = site & ~(uintptr_t)7;
	if (site - q <= 6) {
		for (int tries = 0; tries < 4; tries++) {
			uint64_t old;
			if (lp_user_copy(&old, (void *)q, 8))
				return -EFAULT;
			uint8_t *ob = (uint8_t *)&old + (site - q);
			if (ob[0] != 0x0f || ob[1] != 0x05)
				return -EINVAL;
			uint64_t nw = old;
			uint8_t *nb = (uint8_t *)&nw + (site - q);
			nb[0] = 0xff;
			nb[1] = 0xd0;
			int r = swap_qword((uint64_t *)q, old, nw);
			if (r <= 0)
				return r;
		}
		return -EAGAIN;
	}
	int r = swap_byte((uint8_t *)site + 1, 0x05, 0xd0);
	if (r)
		return r < 0 ? r : -EINVAL;
	r = swap_byte((uint8_t *)site, 0x0f, 0xff);
	if (r)  /* cannot happen while we hold the lock: undo */
		swap_byte((uint8_t *)site + 1, 0xd0, 0x05);
	return r ? -EINVAL : 0;
}

void lp_maybe_rewrite(uintptr_t site)
{
	/* a rewrite there would cost more (a probe, two mprotects, a copied
	 * page, the verdict) than the few traps it saves */
	if (site - lp_rt.keep_lo < lp_rt.keep_hi - lp_rt.keep_lo)
		return;
	if (set_has(&rewritten, site) || set_has(&refused, site))
		return;
	lp_rewrite_lock();
	int why = REWRITE_NOT_YET;
	if (!set_has(&rewritten, site) && !set_has(&refused, site) &&
	    ((why = trapped_enough(site)) == MARK_WARM || why == MARK_HOT)) {
		if (lp_site_check(site) == LP_SITE_OK)
			lp_site_mark(site, why == MARK_HOT ? LP_SITE_HOT : LP_SITE_WARM);
	} else if (why) {
		enum lp_site_verdict v = lp_site_check(site);
		int r = v == LP_SITE_OK ? lp_rewrite_site(site) : 0;
		if (v == LP_SITE_OK && r == 0) {
			lp_stat_rewritten++;
			if (why == REWRITE_COUNTED && lp_rt.rewrite_after <= HOT_AFTER)  /* else marked at HOT_AFTER */
				lp_site_mark(site, LP_SITE_HOT);
		} else {
			set_add(&refused, site);
			lp_stat_refused++;
			if (lp_rt.debug) {
				Dl_info di;
				bool named = dladdr((void *)site, &di) && di.dli_fname;
				lp_warn("site %#lx (%s %s+%#lx) stays on the SUD path: %s",
					(unsigned long)site, named ? di.dli_fname : "?",
					named && di.dli_sname ? di.dli_sname : "?",
					named && di.dli_saddr ? (unsigned long)(site - (uintptr_t)di.dli_saddr) : 0ul,
					v != LP_SITE_OK ? lp_verdict_name(v) : "cannot patch");
			}
		}
	}
	lp_rewrite_unlock();
}

bool lp_site_rewritten(uintptr_t site)
{
	return set_has(&rewritten, site);
}

/* ---- faults that belong to rewritten sites ---- */

bool lp_fault_is_patching(ucontext_t *uc)
{
	uintptr_t ip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	if (!set_has(&rewritten, ip))
		return false;
	uint8_t b[2];
	return lp_user_copy(b, (void *)ip, 2) == 0 && (b[1] == 0xd0);  /* retry it */
}

/* `call *%rax` from a rewritten site with a number the sled does not
 * cover: finish it as the kernel would (ENOSYS), through the handlers. */
bool lp_fault_is_bad_sled_call(ucontext_t *uc, siginfo_t *si)
{
	greg_t *g = uc->uc_mcontext.gregs;
	uintptr_t ip = (uintptr_t)g[REG_RIP];
	bool in_tramp = lp_rt.rewrite && ip < LP_TRAMP_LEN;
	bool fetch = (uintptr_t)si->si_addr == ip;
	if (!lp_rt.rewrite || (!in_tramp && !fetch))
		return false;
	uintptr_t ret;
	if (lp_user_copy(&ret, (void *)g[REG_RSP], sizeof ret) || !set_has(&rewritten, ret - 2))
		return false;

	struct lp_thread *t = lp_self();
	struct lp_regs r;
	lp_regs_from_uc(&r, uc);
	r.rip = ret;
	r.rsp += 8;
	long result;
	if (in_tramp && ip < LP_TRAMP_TARGET) {
		result = -ENOSYS;  /* nr in [512, 4096): rax is lost, all invalid */
	} else {
		r.rax = ip;        /* jumped to the number itself */
		uint8_t sel = lp_allow(t);
		lp_dispatch(&r, NULL, NULL);
		lp_restore_selector(t, sel);
		result = (long)r.rax;
	}
	g[REG_RAX] = result;
	g[REG_RIP] = (greg_t)ret;
	g[REG_RCX] = (greg_t)ret;
	g[REG_R11] = g[REG_EFL];
	g[REG_RSP] += 8;
	return true;
}
