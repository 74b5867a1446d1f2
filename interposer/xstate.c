/* Which extended state to save around handler code, and how big it is:
 * from XCR0 and CPUID leaf 0xD, never a fixed size (AVX-512 alone needs
 * more than 2 KiB). */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <sys/platform/x86.h>
#endif

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
 * cache detection asks a few dozen times per process).  The first process
 * of a run asks (glibc keeps the feature bits; musl, in
 * lazypoline-vfs-loader, does not) and sets LAZYPOLINE_XSTATE=XCR0:SIZE:
 * COMPACT for the programs it starts, which take it for the same XCR0. */
#ifdef __GLIBC__
#define HAVE_OSXSAVE() CPU_FEATURE_PRESENT(OSXSAVE)
#define HAVE_XSAVEC() (CPU_FEATURE_PRESENT(XSAVEC) != 0)
#else
static bool cpuid_bit(unsigned leaf, unsigned sub, int reg, unsigned bit)
{
	unsigned r[4];
	__cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
	return (r[reg] >> bit) & 1;
}
#define HAVE_OSXSAVE() cpuid_bit(1, 0, 2, 27)  /* ecx */
#define HAVE_XSAVEC() cpuid_bit(0xd, 1, 0, 1)  /* eax */
#endif

void lp_xstate_init(bool across_exec)
{
	const char *kept = getenv("LAZYPOLINE_XSTATE");
	unsigned long long kept_mask, kept_size;
	unsigned kept_compact;
	char end;
	bool have_kept = kept && sscanf(kept, "%llx:%llu:%u%c", &kept_mask, &kept_size, &kept_compact, &end) == 3;
	/* XGETBV faults without OSXSAVE, which the run's first process saw */
	if (!have_kept && !HAVE_OSXSAVE())
		lp_fatal("this CPU or kernel has no XSAVE; lazypoline needs it");
	unsigned lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	uint64_t mask = (((uint64_t)hi << 32) | lo) & ~LP_XFEATURE_TILEDATA;
	lp_xsave_mask_lo = (uint32_t)mask;
	lp_xsave_mask_hi = (uint32_t)(mask >> 32);

	/* the standard layout's size for XCR0 bounds the compacted one */
	if (have_kept && kept_mask == mask && kept_compact <= 1 && kept_size >= 576u + (mask & 4 ? 256u : 0u) &&
	    kept_size <= LP_CHILD_XSAVE_MAX && kept_size % 64 == 0) {
		lp_xsave_size = kept_size;
		lp_xsave_compact = (uint8_t)kept_compact;
		return;
	}
	lp_xsave_compact = HAVE_XSAVEC();
	unsigned a, b, c, d;
	__cpuid_count(0xd, 0, a, b, c, d);
	lp_xsave_size = (b + 63) & ~(uint64_t)63;
	if (lp_xsave_size > LP_CHILD_XSAVE_MAX)
		lp_fatal("extended state of %zu bytes is larger than supported", (size_t)lp_xsave_size);
	if (across_exec) {
		char v[48];
		snprintf(v, sizeof v, "%llx:%llu:%u", (unsigned long long)mask, (unsigned long long)lp_xsave_size,
			 (unsigned)lp_xsave_compact);
		lp_exec_env_set("LAZYPOLINE_XSTATE", v);
	}
}
