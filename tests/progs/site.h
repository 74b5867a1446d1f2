/* A test's own `syscall` site: NAME() makes syscall NR from a function of
 * its own, the instruction at the global label NAME_insn, so the test can
 * see whether it was rewritten.  PAD (instructions before it) makes the
 * function's bytes no other's: verdicts and hot marks are kept by bytes. */
#ifndef LP_TEST_SITE_H
#define LP_TEST_SITE_H
#include <stdbool.h>

#define TEST_SITE(name, pad, nr)                                                                          \
	extern const unsigned char name##_insn[];                                                         \
	__attribute__((noinline, noipa)) static long name(void)                                           \
	{                                                                                                 \
		long r;                                                                                   \
		__asm__ volatile(pad ".globl " #name "_insn\n" #name "_insn: syscall"                   \
				 : "=a"(r) : "a"((long)(nr)) : "rcx", "r11", "memory");                   \
		return r;                                                                                 \
	}

/* `call *%rax`: the site was rewritten */
static inline bool site_rewritten(const unsigned char *insn)
{
	return insn[0] == 0xff && insn[1] == 0xd0;
}
#endif
