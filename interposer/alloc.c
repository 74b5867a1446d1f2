/* A small allocator for the runtime and handlers: never the application's
 * malloc (whose locks the interrupted program may hold), safe to use with
 * signals deferred, and reset in a fork child. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "lp_internal.h"

#define LP_HDR 16
#define LP_MIN_SHIFT 4      /* 16 bytes */
#define LP_MAX_SHIFT 12     /* 4 KiB */
#define LP_ARENA (256 * 1024)
#define LP_BIG 0xff

struct lp_hdr {
	size_t size;    /* usable bytes */
	size_t cls;     /* size class, or LP_BIG */
};

static lp_lock alloc_lock;
static void *free_list[LP_MAX_SHIFT + 1];
static char *arena_cur, *arena_end;

/* The first pages of a new mapping are mapped at once: one madvise costs
 * less than the faults of the pages a new arena or table soon writes
 * (about 10 us each on a VM with shadow page tables). */
#define LP_POPULATE (16 * 1024)

static void *map_anon(size_t n)
{
	long m = lp_sys6(SYS_mmap, 0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m < 0 && m > -4096)
		return NULL;
	lp_sys3(SYS_madvise, m, n < LP_POPULATE ? n : LP_POPULATE, MADV_POPULATE_WRITE);
	return (void *)m;
}

void *lp_malloc(size_t n)
{
	if (n == 0)
		n = 1;
	if (n > ((size_t)1 << LP_MAX_SHIFT) - LP_HDR) {
		size_t total = (n + LP_HDR + 4095) & ~(size_t)4095;
		if (total < n)
			return NULL;
		struct lp_hdr *h = map_anon(total);
		if (!h)
			return NULL;
		h->size = total - LP_HDR;
		h->cls = LP_BIG;
		return (char *)h + LP_HDR;
	}
	size_t cls = LP_MIN_SHIFT;
	while (((size_t)1 << cls) < n + LP_HDR)
		cls++;
	lp_lock_take(&alloc_lock);
	struct lp_hdr *h = free_list[cls];
	if (h) {
		free_list[cls] = *(void **)((char *)h + LP_HDR);
	} else {
		size_t sz = (size_t)1 << cls;
		if (arena_cur + sz > arena_end) {
			char *a = map_anon(LP_ARENA);
			if (!a) {
				lp_lock_give(&alloc_lock);
				return NULL;
			}
			arena_cur = a;
			arena_end = a + LP_ARENA;
		}
		h = (struct lp_hdr *)arena_cur;
		arena_cur += sz;
	}
	lp_lock_give(&alloc_lock);
	h->size = ((size_t)1 << cls) - LP_HDR;
	h->cls = cls;
	return (char *)h + LP_HDR;
}

void lp_free(void *p)
{
	if (!p)
		return;
	struct lp_hdr *h = (struct lp_hdr *)((char *)p - LP_HDR);
	if (h->cls == LP_BIG) {
		lp_sys2(SYS_munmap, h, h->size + LP_HDR);
		return;
	}
	lp_lock_take(&alloc_lock);
	*(void **)p = free_list[h->cls];
	free_list[h->cls] = h;
	lp_lock_give(&alloc_lock);
}

void *lp_calloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	void *p = lp_malloc(n * size);
	/* a big block is a fresh mapping, zero already: touching its pages
	 * would only fault them in */
	if (p && ((struct lp_hdr *)((char *)p - LP_HDR))->cls != LP_BIG)
		memset(p, 0, n * size);
	return p;
}

void *lp_realloc(void *p, size_t n)
{
	if (!p)
		return lp_malloc(n);
	struct lp_hdr *h = (struct lp_hdr *)((char *)p - LP_HDR);
	if (n <= h->size)
		return p;
	void *q = lp_malloc(n);
	if (q) {
		memcpy(q, p, h->size);
		lp_free(p);
	}
	return q;
}

void lp_alloc_lock(void) { lp_lock_take(&alloc_lock); }
void lp_alloc_unlock(void) { lp_lock_give(&alloc_lock); }
void lp_alloc_child_reset(void) { alloc_lock.v = 0; }
