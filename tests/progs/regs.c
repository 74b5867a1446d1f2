/* Register fidelity: after a syscall through the interposer the program
 * must see exactly what the kernel gives it.  Several threads run
 * thousands of syscalls each through fid_site (regs_site.S) with random
 * register, flag and vector patterns -- first trapping (SUD), then through
 * the rewritten site in lazy/eager mode -- and compare:
 *   - every general register but rax unchanged, rcx = next rip, r11 =
 *     the flags; the flags, MXCSR, x87 control word, xmm/ymm/zmm and k
 *     registers unchanged (the widest the CPU has);
 *   - a syscall nobody handles (getppid: fast path) and one the runtime
 *     always handles (prctl with a bad option: full save and C code);
 *   - a canary in the red zone of a site that keeps data there.
 * Usage: regs [expect-rewritten|expect-sud|any] */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct cpu_state {
	uint64_t gpr[16];  /* rax rbx rcx rdx rsi rdi rbp rsp r8 .. r15 */
	uint64_t rflags;
	uint32_t mxcsr;
	uint16_t fcw, pad;
	uint64_t k[8];
	uint8_t pad2[256 - 208];
	uint8_t vec[32][64];
} __attribute__((aligned(64)));

_Static_assert(__builtin_offsetof(struct cpu_state, vec) == 256, "layout");

long fid_site(const struct cpu_state *in, struct cpu_state *out, int vec);
long fid_redzone(long nr);
extern const unsigned char fid_site_insn[], fid_redzone_insn[];

enum { R_RAX, R_RBX, R_RCX, R_RDX, R_RSI, R_RDI, R_RBP, R_RSP, R_R11 = 11 };
#define ITER 4000
#define THREADS 4
/* CF PF AF ZF SF DF OF: what user code can set and the kernel keeps */
#define FLAGS_USER 0xcd5ul

static int vec_mode, vec_regs, vec_bytes;

static int detect_vec(void)
{
	unsigned a, b, c, d;
	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 27)))
		return 0;
	unsigned lo, hi;
	__asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	if (!(c & (1u << 28)) || (lo & 6) != 6)
		return 0;
	__cpuid_count(7, 0, a, b, c, d);
	if ((b & (1u << 16)) && (lo & 0xe6) == 0xe6)
		return 2;
	return 1;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int failures;

static void fail(const char *what, int thread, int iter, uint64_t got, uint64_t want)
{
	if (__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED) <= 20)
		fprintf(stderr, "regs: thread %d iteration %d: %s is %#lx, expected %#lx\n", thread,
			iter, what, (unsigned long)got, (unsigned long)want);
}

static const char *gpr_name[16] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
				    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15" };

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	uint64_t seed = 0x9e3779b97f4a7c15ull * (uint64_t)(id + 1);
	static __thread struct cpu_state in, out;
	for (int it = 0; it < ITER; it++) {
		long nr = (it & 1) ? SYS_prctl : SYS_getppid;
		for (int i = 0; i < 16; i++)
			in.gpr[i] = rnd(&seed);
		in.gpr[R_RAX] = (uint64_t)nr;
		if (nr == SYS_prctl)
			in.gpr[R_RDI] = 0x7fffff00u | (in.gpr[R_RDI] & 0xff);  /* no such option */
		in.rflags = (rnd(&seed) & FLAGS_USER) | 0x202;
		in.mxcsr = 0x1f80 ^ (uint32_t)(rnd(&seed) & 0x6000);  /* rounding mode */
		in.fcw = (uint16_t)(0x37f ^ (rnd(&seed) & 0xc00));
		for (int k = 0; k < 8; k++)
			in.k[k] = vec_mode == 2 ? rnd(&seed) : 0;
		for (int v = 0; v < 32; v++)
			for (int j = 0; j < 64; j += 8) {
				uint64_t x = rnd(&seed);
				memcpy(&in.vec[v][j], &x, 8);
			}
		memset(&out, 0, sizeof out);
		fid_site(&in, &out, vec_mode);

		long want_rax = nr == SYS_getppid ? getppid() : -EINVAL;
		if ((long)out.gpr[R_RAX] != want_rax)
			fail("rax", id, it, out.gpr[R_RAX], (uint64_t)want_rax);
		for (int i = 1; i < 16; i++) {
			if (i == R_RSP || i == R_RCX || i == R_R11)
				continue;
			if (out.gpr[i] != in.gpr[i])
				fail(gpr_name[i], id, it, out.gpr[i], in.gpr[i]);
		}
		if (out.gpr[R_RCX] != (uint64_t)(fid_site_insn + 2))
			fail("rcx", id, it, out.gpr[R_RCX], (uint64_t)(fid_site_insn + 2));
		if ((out.gpr[R_R11] & (FLAGS_USER | 0x202)) != in.rflags)
			fail("r11", id, it, out.gpr[R_R11], in.rflags);
		if ((out.rflags & (FLAGS_USER | 0x202)) != in.rflags)
			fail("rflags", id, it, out.rflags, in.rflags);
		if (out.mxcsr != in.mxcsr)
			fail("mxcsr", id, it, out.mxcsr, in.mxcsr);
		if (out.fcw != in.fcw)
			fail("x87 control word", id, it, out.fcw, in.fcw);
		for (int k = 0; k < 8; k++)
			if (out.k[k] != in.k[k])
				fail("k register", id, it, out.k[k], in.k[k]);
		for (int v = 0; v < vec_regs; v++)
			if (memcmp(out.vec[v], in.vec[v], (size_t)vec_bytes)) {
				uint64_t g, w;
				memcpy(&g, out.vec[v], 8);
				memcpy(&w, in.vec[v], 8);
				fail(vec_mode == 2 ? "zmm register" : vec_mode ? "ymm register" : "xmm register",
				     id, it, g, w);
			}
		long changed = fid_redzone((it & 1) ? SYS_prctl : SYS_getppid);
		if (changed)
			fail("red-zone qwords changed", id, it, (uint64_t)changed, 0);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *expect = argc > 1 ? argv[1] : "any";
	vec_mode = detect_vec();
	vec_regs = vec_mode == 2 ? 32 : 16;
	vec_bytes = vec_mode == 2 ? 64 : vec_mode ? 32 : 16;
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	bool site_rewritten = fid_site_insn[0] == 0xff && fid_site_insn[1] == 0xd0;
	bool redzone_rewritten = fid_redzone_insn[0] != 0x0f;
	if (redzone_rewritten) {
		fprintf(stderr, "regs: the red-zone site was rewritten\n");
		failures++;
	}
	if (!strcmp(expect, "expect-rewritten") && !site_rewritten) {
		fprintf(stderr, "regs: the plain site was not rewritten\n");
		failures++;
	}
	if (!strcmp(expect, "expect-sud") && site_rewritten) {
		fprintf(stderr, "regs: the plain site was rewritten in SUD mode\n");
		failures++;
	}
	printf("regs: %d threads x %d syscalls, %s state, site %s: %s\n", THREADS, ITER,
	       vec_mode == 2 ? "zmm0-31+k0-7" : vec_mode ? "ymm0-15" : "xmm0-15",
	       site_rewritten ? "rewritten" : "trapping", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
