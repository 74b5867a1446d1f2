/* Which extended state to save around handler code, and how big it is:
 * from XCR0 and CPUID leaf 0xD, never a fixed size (AVX-512 alone needs
 * more than 2 KiB). */
#include <cpuid.h>

#include "lp_internal.h"

uint32_t lp_xsave_mask_lo, lp_xsave_mask_hi;
uint64_t lp_xsave_size;
uint8_t lp_xsave_compact;
uint8_t lp_have_fsgsbase;

/* AMX tile data is enabled per process on request (XFD); restoring it
 * for a process that never asked would fault. */
#define LP_XFEATURE_TILEDATA (1ULL << 18)

void lp_xstate_init(void)
{
	unsigned a, b, c, d;
	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 27)))  /* OSXSAVE */
		lp_fatal("this CPU or kernel has no XSAVE; lazypoline needs it");
	unsigned lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	uint64_t mask = (((uint64_t)hi << 32) | lo) & ~LP_XFEATURE_TILEDATA;
	lp_xsave_mask_lo = (uint32_t)mask;
	lp_xsave_mask_hi = (uint32_t)(mask >> 32);

	/* Each CPUID is a VM exit on virtual machines (about 9 us here), so
	 * ask only twice: the standard layout's size for XCR0 bounds the
	 * compacted one that XSAVEC writes. */
	__cpuid_count(0xd, 0, a, b, c, d);
	lp_xsave_size = (b + 63) & ~(uint64_t)63;
	__cpuid_count(0xd, 1, a, b, c, d);
	lp_xsave_compact = (a & 2) != 0;  /* XSAVEC */
	if (lp_xsave_size > LP_CHILD_XSAVE_MAX)
		lp_fatal("extended state of %zu bytes is larger than supported", (size_t)lp_xsave_size);
}
