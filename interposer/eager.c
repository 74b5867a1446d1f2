/* Eager mode: at start-up, find every `syscall` in the executable
 * mappings and rewrite the ones the red-zone rule allows (zpoline-style).
 * Functions are disassembled from the starts the unwind tables give, so a
 * linear sweep never lands inside an instruction.  Code loaded later
 * (dlopen, JIT) is still caught by SUD and rewritten lazily. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>

#include "lp_internal.h"

struct range {
	uintptr_t lo, hi;
};

#define LP_MAX_OWN 32
static struct range own[LP_MAX_OWN];
static int n_own;

/* The runtime's own objects, in its link namespace (bootstrap mode):
 * every one but the dynamic loader, which the application shares. */
static int collect_own(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	if (info->dlpi_addr == getauxval(AT_BASE) || n_own == LP_MAX_OWN)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && n_own < LP_MAX_OWN) {
			own[n_own].lo = info->dlpi_addr + ph->p_vaddr;
			own[n_own].hi = own[n_own].lo + ph->p_memsz;
			n_own++;
		}
	}
	return 0;
}

static bool is_own(uintptr_t a)
{
	for (int i = 0; i < n_own; i++)
		if (a >= own[i].lo && a < own[i].hi)
			return true;
	return a >= (uintptr_t)__start_lp_gate && a < (uintptr_t)__stop_lp_gate;
}

struct scan {
	uintptr_t lo, hi;  /* the mapping being scanned */
	unsigned found, rewritten;
};

static void scan_function(const struct lp_fde_range *f, void *arg)
{
	struct scan *s = arg;
	if (f->start < s->lo || f->end > s->hi || f->end <= f->start || is_own(f->start))
		return;
	/* most functions make no syscall: skip those without the bytes */
	if (!memmem((const void *)f->start, f->end - f->start, "\x0f\x05", 2))
		return;
	uintptr_t sites[64];
	size_t n;
	if (lp_function_analyze((const uint8_t *)f->start, f->end - f->start, f->start, sites, 64,
				&n) != LP_SITE_OK)
		return;
	for (size_t i = 0; i < n && i < 64; i++) {
		s->found++;
		if (lp_rewrite_site(sites[i]) == 0) {
			s->rewritten++;
			lp_stat_rewritten++;
		}
	}
}

void lp_eager_scan(void)
{
	if (lp_rt.own_namespace)
		dl_iterate_phdr(collect_own, NULL);
	char *buf = lp_read_self_maps();
	if (!buf)
		return;
	const void *done[256];
	int n_done = 0;
	lp_rewrite_lock();
	for (char *line = buf; *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		unsigned long lo, hi;
		char perms[5];
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && perms[2] == 'x' &&
		    !strstr(line, "[vsyscall]") && !is_own(lo)) {
			struct lp_object o;
			if (lp_dl_object(lo, &o) && o.eh_frame_hdr) {
				bool seen = false;
				for (int i = 0; i < n_done; i++)
					seen |= done[i] == o.eh_frame_hdr;
				if (!seen) {
					if (n_done < 256)
						done[n_done++] = o.eh_frame_hdr;
					struct scan s = { o.start, o.end, 0, 0 };
					lp_ehframe_each(o.eh_frame_hdr, scan_function, &s);
				}
			}
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	lp_rewrite_unlock();
	lp_free(buf);
}
