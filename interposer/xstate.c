/* Which extended state to save around handler code, and how big it is:
 * from XCR0 and CPUID leaf 0xD, never a fixed size (AVX-512 alone needs
 * more than 2 KiB). */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/platform/x86.h>

#include "lp_internal.h"

uint32_t lp_xsave_mask_lo, lp_xsave_mask_hi;
uint64_t lp_xsave_size;
uint8_t lp_xsave_compact;
uint8_t lp_have_fsgsbase;
uint8_t lp_gs_self_readable;

/* AMX tile data is enabled per process on request (XFD); restoring it
 * for a process that never asked would fault. */
#define LP_XFEATURE_TILEDATA (1ULL << 18)

/* Each CPUID is a VM exit on virtual machines (9 to 25 us here; ld.so's
 * cache detection asks a few dozen times per process).  The feature bits come from
 * glibc's copy; the size for XCR0 from LAZYPOLINE_XSTATE=XCR0:SIZE, which
 * the first process of a run sets for the programs it starts. */
void lp_xstate_init(bool across_exec)
{
	if (!CPU_FEATURE_PRESENT(OSXSAVE))
		lp_fatal("this CPU or kernel has no XSAVE; lazypoline needs it");
	unsigned lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	uint64_t mask = (((uint64_t)hi << 32) | lo) & ~LP_XFEATURE_TILEDATA;
	lp_xsave_mask_lo = (uint32_t)mask;
	lp_xsave_mask_hi = (uint32_t)(mask >> 32);
	lp_xsave_compact = CPU_FEATURE_PRESENT(XSAVEC) != 0;

	/* the standard layout's size for XCR0 bounds the compacted one */
	const char *kept = getenv("LAZYPOLINE_XSTATE");
	unsigned long long kept_mask, kept_size;
	char end;
	if (kept && sscanf(kept, "%llx:%llu%c", &kept_mask, &kept_size, &end) == 2 && kept_mask == mask &&
	    kept_size >= 576u + (mask & 4 ? 256u : 0u) && kept_size <= LP_CHILD_XSAVE_MAX && kept_size % 64 == 0) {
		lp_xsave_size = kept_size;
		return;
	}
	unsigned a, b, c, d;
	__cpuid_count(0xd, 0, a, b, c, d);
	lp_xsave_size = (b + 63) & ~(uint64_t)63;
	if (lp_xsave_size > LP_CHILD_XSAVE_MAX)
		lp_fatal("extended state of %zu bytes is larger than supported", (size_t)lp_xsave_size);
	if (across_exec) {
		char v[48];
		snprintf(v, sizeof v, "%llx:%llu", (unsigned long long)mask, (unsigned long long)lp_xsave_size);
		lp_exec_env_set("LAZYPOLINE_XSTATE", v);
	}
}
