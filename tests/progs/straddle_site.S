/* Syscall sites placed where patching them is hardest: across a page
 * boundary, across a cache line, and across an 8-byte boundary inside a
 * line.  Each is `mov $SYS_getppid,%eax; syscall; ret`, with unwind info
 * so that the interposer may rewrite it. */
#define SITE(name, pad)                          \
	.skip pad;                               \
	.globl name, name##_insn;                \
	.type name,@function;                    \
name:	.cfi_startproc;                          \
	mov	$110, %eax;                      \
name##_insn:                                     \
	syscall;                                 \
	ret;                                     \
	.cfi_endproc;                            \
	.size name, .-name

	.text
	.p2align 12
	SITE(across_page, 4096 - 5 - 1)     /* syscall at page offset 4095 */
	.p2align 6
	SITE(across_line, 64 - 5 - 1)       /* syscall at line offset 63 */
	.p2align 6
	SITE(across_qword, 16 - 5 - 1)      /* syscall at line offset 15 */
	.section .note.GNU-stack,"",@progbits
