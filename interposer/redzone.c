/* Which sites may be rewritten: the red-zone rule.
 *
 * A rewritten site executes `call *%rax`, which writes 8 bytes below the
 * application's rsp, and the slow path writes 8 more: that is the
 * System V red zone, where leaf code may keep data across the syscall.
 * A site is rewritten only when Capstone shows that its whole function
 * (bounds from the unwind tables) never addresses memory below rsp:
 *   - no memory operand or lea based on rsp with a negative displacement
 *     or with an index register (a plain copy of rsp, as when a pointer to
 *     a local is passed to the syscall, points at or above rsp);
 *   - in a function that makes rbp a frame pointer (`mov %rsp,%rbp` or
 *     `enter`), every rbp-based operand stays within the frame it
 *     allocates with `sub $n,%rsp`: [rbp-d] needs d <= n, no index;
 *   - rsp is never exchanged with another register;
 *   - the function decodes cleanly and the site is one of its
 *     instructions.
 * Anything else (no unwind entry: JIT code, hand-written asm without CFI)
 * stays on the SUD path, which never writes below rsp. */
#define _GNU_SOURCE
#include <capstone/capstone.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "lp_internal.h"

static csh cs;
static cs_insn *insn;

/* Capstone is loaded by lp_start in the rewriting modes only, and only
 * when the run's kept verdicts may not be enough (sitestore.c): Debian's
 * library takes about a millisecond to load.  Never later: a dlopen from
 * inside a handler may run while the program is in its own malloc or
 * dynamic loader, whose state it would corrupt (after start-up, ld.so
 * allocates with the program's malloc). */
static struct {
	cs_err (*open)(cs_arch, cs_mode, csh *);
	cs_err (*option)(csh, cs_opt_type, size_t);
	cs_insn *(*malloc)(csh);
	bool (*disasm_iter)(csh, const uint8_t **, size_t *, uint64_t *, cs_insn *);
} capstone;

static int load_capstone(void)
{
#ifdef LP_CAPSTONE_ELSEWHERE
	return -1;  /* linked into a static loader: no dlopen */
#else
	void *h = dlopen("libcapstone.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		h = dlopen("libcapstone.so", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return -1;
	capstone.open = (cs_err(*)(cs_arch, cs_mode, csh *))dlsym(h, "cs_open");
	capstone.option = (cs_err(*)(csh, cs_opt_type, size_t))dlsym(h, "cs_option");
	capstone.malloc = (cs_insn * (*)(csh)) dlsym(h, "cs_malloc");
	capstone.disasm_iter = (bool (*)(csh, const uint8_t **, size_t *, uint64_t *, cs_insn *))dlsym(
		h, "cs_disasm_iter");
	return capstone.open && capstone.option && capstone.malloc && capstone.disasm_iter ? 0 : -1;
#endif
}

int lp_redzone_init(void)
{
	static bool failed;
	if (insn)
		return 0;
	if (failed)
		return -1;
	cs_opt_mem mem = {
		.malloc = lp_malloc,
		.calloc = lp_calloc,
		.realloc = lp_realloc,
		.free = lp_free,
		.vsnprintf = vsnprintf,
	};
	if (load_capstone() < 0 || capstone.option(0, CS_OPT_MEM, (size_t)&mem) != CS_ERR_OK ||
	    capstone.open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		failed = true;
		if (lp_rt.debug)
			lp_warn("cannot load Capstone: no site will be rewritten");
		return -1;
	}
	capstone.option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	insn = capstone.malloc(cs);
	if (!insn)
		return -1;
	/* Capstone sorts a table with libc's qsort, which mallocs, on its
	 * first decode: do that here, not in a handler */
	static const uint8_t warm[] = { 0x0f, 0x05 };
	const uint8_t *p = warm;
	size_t left = sizeof warm;
	uint64_t a = 0;
	capstone.disasm_iter(cs, &p, &left, &a, insn);
	return 0;
}

const char *lp_verdict_name(enum lp_site_verdict v)
{
	switch (v) {
	case LP_SITE_OK:
		return "ok";
	case LP_SITE_NO_FUNCTION:
		return "no-function";
	case LP_SITE_REDZONE:
		return "redzone";
	case LP_SITE_UNDECODABLE:
		return "undecodable";
	case LP_SITE_NOT_SYSCALL:
		return "not-syscall";
	case LP_SITE_UNKNOWN:
		return "no verdict kept, Capstone not loaded";
	}
	return "?";
}

static bool op_is_reg(const cs_x86_op *o, x86_reg r)
{
	return o->type == X86_OP_REG && o->reg == r;
}

enum lp_site_verdict lp_function_analyze(const uint8_t *code, size_t len, uint64_t addr,
					 uintptr_t *sites, size_t max_sites, size_t *n_sites)
{
	if (!insn)  /* not loaded (SUD mode, or Capstone missing) */
		return LP_SITE_UNDECODABLE;
	bool frame = false, escapes = false, below_rsp = false, rbp_indexed = false;
	int64_t frame_alloc = 0, rbp_min = 0;
	size_t ns = 0;
	const uint8_t *p = code;
	size_t left = len;
	uint64_t a = addr;
	while (left) {
		if (!capstone.disasm_iter(cs, &p, &left, &a, insn))
			return LP_SITE_UNDECODABLE;
		const cs_x86 *x = &insn->detail->x86;
		const cs_x86_op *o0 = x->op_count > 0 ? &x->operands[0] : NULL;
		const cs_x86_op *o1 = x->op_count > 1 ? &x->operands[1] : NULL;
		switch (insn->id) {
		case X86_INS_SYSCALL:
			if (ns < max_sites)
				sites[ns] = (uintptr_t)insn->address;
			ns++;
			break;
		case X86_INS_MOV:
			if (o0 && o1 && op_is_reg(o1, X86_REG_RSP) && op_is_reg(o0, X86_REG_RBP))
				frame = true;
			break;
		case X86_INS_XCHG:
			if ((o0 && op_is_reg(o0, X86_REG_RSP)) || (o1 && op_is_reg(o1, X86_REG_RSP)))
				escapes = true;
			break;
		case X86_INS_SUB:
			if (o0 && o1 && op_is_reg(o0, X86_REG_RSP) && o1->type == X86_OP_IMM &&
			    o1->imm > frame_alloc)
				frame_alloc = o1->imm;
			break;
		case X86_INS_ADD:
			if (o0 && o1 && op_is_reg(o0, X86_REG_RSP) && o1->type == X86_OP_IMM &&
			    -o1->imm > frame_alloc)
				frame_alloc = -o1->imm;
			break;
		case X86_INS_ENTER:
			frame = true;
			if (o0 && o0->type == X86_OP_IMM && o0->imm > frame_alloc)
				frame_alloc = o0->imm;
			break;
		case X86_INS_LEA:
			if (o0 && o1 && o1->type == X86_OP_MEM && o1->mem.base == X86_REG_RSP &&
			    op_is_reg(o0, X86_REG_RBP))
				escapes = true;  /* an offset frame pointer: not modelled */
			break;
		default:
			break;
		}
		for (int i = 0; i < x->op_count; i++) {
			const cs_x86_op *o = &x->operands[i];
			if (o->type != X86_OP_MEM)
				continue;
			if (o->mem.base == X86_REG_RSP &&
			    (o->mem.index != X86_REG_INVALID || o->mem.disp < 0))
				below_rsp = true;
			if (o->mem.base == X86_REG_RBP) {
				if (o->mem.index != X86_REG_INVALID)
					rbp_indexed = true;
				if (o->mem.disp < rbp_min)
					rbp_min = o->mem.disp;
			}
		}
	}
	*n_sites = ns;
	if (below_rsp || escapes)
		return LP_SITE_REDZONE;
	if (frame && (rbp_indexed || -rbp_min > frame_alloc))
		return LP_SITE_REDZONE;
	return LP_SITE_OK;
}

#define MAX_FIXES 64

/* Where this process rewrote sites of the function: their offsets. */
static size_t rewritten_in(uintptr_t start, size_t len, uint32_t *fixes)
{
	size_t n = 0;
	const uint8_t *p = (const uint8_t *)start, *end = p + len;
	while (p + 1 < end && (p = memchr(p, 0xff, (size_t)(end - 1 - p)))) {
		if (p[1] == 0xd0 && lp_site_rewritten((uintptr_t)p)) {
			if (n == MAX_FIXES)
				return SIZE_MAX;
			fixes[n++] = (uint32_t)((uintptr_t)p - start);
		}
		p++;
	}
	return n;
}

/* The verdict for every `syscall` of one function is kept for the run. */
static void record_function(uintptr_t start, size_t len, const uint32_t *fixes, size_t n_fixes,
			    const uintptr_t *sites, size_t n, enum lp_site_verdict v)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t h1, h2;
		lp_sites_hash((const uint8_t *)start, len, sites[i] - start, fixes, n_fixes, &h1, &h2);
		lp_sites_record(h1, h2, v);
	}
}

/* Capstone's verdict for the function at START, kept for every `syscall`
 * in it when KEEP; SITES (64) gets them. */
static enum lp_site_verdict decide(uintptr_t start, size_t len, const uint32_t *fixes, size_t n_fixes, bool keep,
				   uintptr_t *sites, size_t *n)
{
	enum lp_site_verdict v = lp_function_analyze((const uint8_t *)start, len, start, sites, 64, n);
	if (*n > 64)
		*n = 64;
	if (keep && (v == LP_SITE_OK || v == LP_SITE_REDZONE))
		record_function(start, len, fixes, n_fixes, sites, *n, v);
	return v;
}

void lp_sites_decide(const uint8_t *code, size_t len)
{
	uintptr_t sites[64];
	size_t n;
	if (insn)  /* undecodable: each process finds that out itself */
		decide((uintptr_t)code, len, NULL, 0, true, sites, &n);
}

enum lp_site_verdict lp_site_check(uintptr_t site)
{
	uint8_t b[2];
	if (lp_user_copy(b, (void *)site, 2) || b[0] != 0x0f || b[1] != 0x05)
		return LP_SITE_NOT_SYSCALL;
	struct lp_object obj;
	struct lp_fde_range fr;
	if (lp_find_object(site, &obj) != 0 || lp_object_function(&obj, site, &fr) < 0 || site + 2 > fr.end ||
	    fr.end - fr.start > UINT32_MAX)
		return LP_SITE_NO_FUNCTION;
	size_t len = fr.end - fr.start;
	uint32_t fixes[MAX_FIXES];
	size_t n_fixes = rewritten_in(fr.start, len, fixes);
	bool keyed = n_fixes != SIZE_MAX;
	uint64_t h1 = 0, h2 = 0;
	if (keyed) {
		lp_sites_hash((const uint8_t *)fr.start, len, site - fr.start, fixes, n_fixes, &h1, &h2);
		int known = lp_sites_lookup(h1, h2);
		if (known >= 0)
			return (enum lp_site_verdict)known;
	}
	if (!insn) {
		/* the next process to start loads Capstone and decides it */
		if (keyed)
			lp_sites_missed((const uint8_t *)fr.start, len, fixes, n_fixes);
		return LP_SITE_UNKNOWN;
	}
	/* Sites already rewritten decode as `call *%rax`: the same length and
	 * no memory operand, so the verdict is the original bytes' */
	uintptr_t sites[64];
	size_t n;
	enum lp_site_verdict v = decide(fr.start, len, fixes, n_fixes, keyed, sites, &n);
	if (v == LP_SITE_OK || v == LP_SITE_REDZONE)
		for (size_t i = 0; i < n; i++)
			if (sites[i] == site)
				return v;
	/* undecodable, or the site is not where decoding put an instruction */
	if (keyed)
		lp_sites_record(h1, h2, LP_SITE_UNDECODABLE);
	return LP_SITE_UNDECODABLE;
}

/* A hot mark's key: the 48 bytes around the site, rewritten sites among
 * them read as the `0f 05` they were -- not its function's hash, which
 * costs microseconds (the function's bounds, all its bytes) where a trap
 * costs two.  Two sites with the same neighbourhood share a mark: a
 * rewrite too many at worst, never an unsafe one. */
#define HOT_BEFORE 24
static bool hot_key_of(uintptr_t site, uint64_t *h1, uint64_t *h2)
{
	uint8_t b[2 * HOT_BEFORE];
	if (lp_user_copy(b, (const void *)(site - HOT_BEFORE), sizeof b))
		return false;  /* near the edge of the mapping: never hot */
	for (size_t i = 0; i + 1 < sizeof b; i++)
		if (b[i] == 0xff && b[i + 1] == 0xd0) {
			b[i] = 0x0f;
			b[i + 1] = 0x05;
		}
	lp_sites_hash(b, sizeof b, HOT_BEFORE, NULL, 0, h1, h2);
	return true;
}

enum lp_site_heat lp_site_heat(uintptr_t site)
{
	uint64_t h1, h2;
	return hot_key_of(site, &h1, &h2) ? lp_sites_heat(h1, h2, lp_rt.program) : LP_SITE_COLD;
}

void lp_site_mark(uintptr_t site, enum lp_site_heat heat)
{
	uint64_t h1, h2;
	if (hot_key_of(site, &h1, &h2))
		lp_sites_mark(h1, h2, lp_rt.program, heat);
}
