/* Entry code of the interposer.
 *
 * Everything that issues a `syscall` instruction on the interposer's behalf
 * lives in the section lp_gate, whose bounds are given to the kernel as the
 * Syscall User Dispatch "always allowed" range: syscalls made from here are
 * never trapped, whatever the selector says.
 *
 * Per-thread state is reached through %gs (the application's TLS uses %fs);
 * offsets are in lp_layout.h. */
#include "lp_layout.h"

/* ucontext_t: uc_mcontext.gregs at 40, in glibc's REG_* order */
#define UC_GREGS 40
#define G_R8 0
#define G_R9 8
#define G_R10 16
#define G_R12 32
#define G_R13 40
#define G_R14 48
#define G_R15 56
#define G_RDI 64
#define G_RSI 72
#define G_RBP 80
#define G_RBX 88
#define G_RDX 96
#define G_RAX 104
#define G_RSP 120
#define G_RIP 128
#define G_EFL 136

#define ENTRY(name) .globl name; .hidden name; .type name,@function; name:
#define END(name) .size name, .-name

	.section lp_gate,"ax",@progbits

/* Reached from the page-0 sled after a rewritten `call *%rax`.
 * rax = syscall number (< LP_SLED_LEN), [rsp] = address after the site.
 * Fast path: nobody wants this syscall; run it without touching flags,
 * the extended state or anything but rcx and r11, which the kernel
 * clobbers anyway.  On return rcx = the site's next rip and r11 = the
 * flags, as the kernel would leave them. */
	.p2align 6
ENTRY(lp_entry)
	.cfi_startproc			/* a plain call frame: unwinders walk through */
	lea	lp_route(%rip), %r11
	jmp	*(%r11,%rax,8)		/* a jump leaves the flags alone */
	.cfi_endproc
END(lp_entry)

/* Route of syscalls nobody wants: run it at once. */
ENTRY(lp_pass)
	.cfi_startproc
	syscall
	mov	(%rsp), %rcx
	ret
	.cfi_endproc
END(lp_pass)

/* Route of syscalls with a prefilter: call it with the arguments, on the
 * program's stack (the site keeps nothing in its red zone), saving only
 * what a C call clobbers; 0 runs the syscall at once, else the slow path. */
ENTRY(lp_prefiltered)
	.cfi_startproc
	pushfq
	.cfi_adjust_cfa_offset 8
	cmpq	$0, %gs:LP_OFF_SELF	/* a thread without a block: pass */
	je	.Lforeign		/* (in lp_slow_rewritten: the same frame) */
	.cfi_adjust_cfa_offset -8
	push	%rax
	push	%r9
	push	%r8
	push	%r10
	push	%rdx
	push	%rsi
	push	%rdi			/* rsp -> args[0..5], nr, rflags, return */
	.cfi_adjust_cfa_offset 64
	mov	%rsp, %rsi
	mov	%rsp, %r11
	and	$-16, %rsp
	push	%r11
	sub	$8, %rsp
	/* CFA = *(rsp + 8) + 72 */
	.cfi_escape 0x0f, 0x05, 0x77, 0x08, 0x06, 0x23, 0x48
	cld
	mov	%rax, %rdi
	lea	lp_prefilter_fn(%rip), %rcx
	call	*(%rcx,%rax,8)
	mov	8(%rsp), %rsp
	.cfi_def_cfa %rsp, 72
	mov	%eax, %ecx
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%r10
	pop	%r8
	pop	%r9
	pop	%rax
	.cfi_adjust_cfa_offset -56
	jrcxz	1f
	jmp	.Lslow_flags_saved	/* the flags stay pushed, as there */
	/* The program's flags back for the syscall (r11 gets them) without
	 * popfq (microcoded: 4.8 ns here, sahf 0.3 ns): the C code
	 * changed only the arithmetic flags and DF, so unless DF was set,
	 * OF comes back through an add and the others through sahf. */
1:	testl	$0x400, (%rsp)
	jnz	2f
	mov	%rax, %r11		/* nr: ah is borrowed */
	mov	(%rsp), %ecx
	shr	$11, %ecx
	and	$1, %ecx
	add	$0x7f, %cl		/* 127 + OF overflows iff OF */
	movb	(%rsp), %ah
	sahf				/* SF ZF AF PF CF */
	mov	%r11, %rax
	lea	8(%rsp), %rsp
	.cfi_adjust_cfa_offset -8
3:	syscall
	mov	(%rsp), %rcx
	ret
	.cfi_adjust_cfa_offset 8
2:	popfq
	.cfi_adjust_cfa_offset -8
	jmp	3b
	.cfi_endproc
END(lp_prefiltered)

/* Slow path of a rewritten site: save everything, run the dispatcher on
 * the thread's interposer stack, restore everything but rax.  The site was
 * only rewritten because its function keeps nothing in the red zone, so
 * what is pushed on the application stack here (16 bytes after the
 * call's 8) is free.  busy is set before our stack is used and cleared
 * after we have left it: signals arriving in between are held back
 * (signals.c) and delivered on the way out through lp_deliver_trap. */
ENTRY(lp_slow_rewritten)
	.cfi_startproc
	pushfq
	.cfi_adjust_cfa_offset 8
	cmpq	$0, %gs:LP_OFF_SELF
	je	.Lforeign
.Lslow_flags_saved:
	pushq	%gs:LP_OFF_BUSY		/* 1 when our own code got here (vdso) */
	.cfi_adjust_cfa_offset 8
	movq	$1, %gs:LP_OFF_BUSY
	mov	%rsp, %r11		/* r11 -> [busy][rflags][return address] */
	.cfi_def_cfa_register %r11
	mov	%rsp, %rcx
	sub	%gs:LP_OFF_STACK_LO, %rcx
	cmp	$LP_STACK_SIZE, %rcx
	jb	1f			/* nested: already on our stack */
	mov	%rsp, %rcx
	sub	%gs:LP_OFF_ALT_LO, %rcx
	cmp	%gs:LP_OFF_ALT_SIZE, %rcx
	jb	1f			/* on the program's signal stack: see below */
	mov	%gs:LP_OFF_STACK_HI, %rsp
1:	and	$-16, %rsp
	pushq	(%r11)			/* busy before us */
	lea	24(%r11), %rcx
	push	%rcx			/* rsp at the site */
	pushq	8(%r11)			/* rflags */
	pushq	16(%r11)		/* rip after the site */
	push	%rdi
	push	%rsi
	push	%rdx
	pushq	16(%r11)		/* rcx as the kernel leaves it */
	push	%rax
	push	%r8
	push	%r9
	push	%r10
	pushq	8(%r11)			/* r11 as the kernel leaves it */
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rbx		/* struct lp_regs * */
	/* CFA = the rsp at the site, saved in the frame: *(rbx + LP_R_RSP),
	 * with LP_R_RSP = 136 as SLEB128 (0x88 0x01) */
	.cfi_escape 0x0f, 0x04, 0x73, 0x88, 0x01, 0x06
	cld
	/* Handlers that touch no vector register need no extended-state
	 * save (lp_fpu[nr] = 0): it is the biggest cost of this path. */
	mov	LP_R_RAX(%rbx), %rax
	cmp	$LP_NR_MAX, %rax
	jae	6f
	lea	lp_fpu(%rip), %rcx
	cmpb	$0, (%rcx,%rax,1)
	jne	6f
	mov	%rbx, %rdi
	xor	%esi, %esi
	call	lp_slow_entry_c
	jmp	7f
6:	sub	lp_xsave_size(%rip), %rsp
	and	$-64, %rsp
	xor	%eax, %eax		/* XSAVE needs a zeroed header */
	mov	%rax, 512(%rsp)
	mov	%rax, 520(%rsp)
	mov	%rax, 528(%rsp)
	mov	%rax, 536(%rsp)
	mov	%rax, 544(%rsp)
	mov	%rax, 552(%rsp)
	mov	%rax, 560(%rsp)
	mov	%rax, 568(%rsp)
	mov	lp_xsave_mask_lo(%rip), %eax
	mov	lp_xsave_mask_hi(%rip), %edx
	cmpb	$0, lp_xsave_compact(%rip)
	je	2f
	xsavec64 (%rsp)
	jmp	3f
2:	xsave64	(%rsp)
3:	mov	%rbx, %rdi
	mov	%rsp, %rsi		/* the saved extended state */
	call	lp_slow_entry_c
	mov	lp_xsave_mask_lo(%rip), %eax
	mov	lp_xsave_mask_hi(%rip), %edx
	xrstor64 (%rsp)
7:	mov	%rbx, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rax
	pop	%rcx			/* where to resume (the site, to restart) */
	pop	%rdx
	pop	%rsi
	pop	%rdi
	/* [rsp] = rip, 8 = rflags, 16 = rsp at the site, 24 = busy before.
	 * Nothing is read back from the application stack: a vfork child
	 * may have run over it.  No instruction from popfq on changes the
	 * flags. */
	add	$8, %rsp
	popfq				/* now [rsp] = rsp at the site, 8 = busy */
	mov	8(%rsp), %r11
	mov	(%rsp), %rsp		/* back on the application stack */
	/* from here on the program's handlers may run: the return address
	 * is in rcx or r11, as noted for unwinders */
	.cfi_def_cfa %rsp, 0
	.cfi_register %rip, %rcx
	mov	%r11, %gs:LP_OFF_BUSY
	xchg	%rcx, %r11
	.cfi_register %rip, %r11
	jrcxz	4f			/* returning to the program: check */
	xchg	%rcx, %r11
	.cfi_register %rip, %rcx
	jmp	*%rcx			/* back into our own code */
	.cfi_register %rip, %r11
4:	xchg	%rcx, %r11
	.cfi_register %rip, %rcx
	mov	%gs:LP_OFF_DEFERRED, %r11
	xchg	%rcx, %r11
	.cfi_register %rip, %r11
	jrcxz	5f
	xchg	%rcx, %r11
	.cfi_register %rip, %rcx
	/* Signals were held back: deliver them through lp_deliver_trap.
	 * Its `syscall` overwrites rcx, so the resume address goes to the
	 * stack below the red zone, with rsp lowered past it; nested
	 * signal frames go below that. */
	lea	-LP_TRAP_FRAME(%rsp), %rsp
	mov	%rcx, (%rsp)
	jmp	lp_deliver_trap
	.cfi_register %rip, %r11
5:	xchg	%rcx, %r11
	.cfi_register %rip, %rcx
	pushfq				/* r11 = rflags, as the kernel leaves it */
	pop	%r11
	/* a ret, not a jmp, matches the site's call: with a jmp every
	 * later ret of the program was predicted one call off */
	push	%rcx
	.cfi_adjust_cfa_offset 8
	.cfi_offset %rip, -8
	ret

	/* A thread without a block (it existed before lp_start): pass. */
.Lforeign:
	.cfi_def_cfa %rsp, 16
	.cfi_offset %rip, -8
	popfq
	.cfi_adjust_cfa_offset -8
	syscall
	mov	(%rsp), %rcx
	ret
	.cfi_endproc
END(lp_slow_rewritten)

/* Kernel-level SIGSYS handler: rdi = signo, rsi = siginfo, rdx = ucontext.
 * The kernel saved all state in the frame; switch to the interposer stack
 * (the application's may be tiny) and run the C side there.
 *
 * Both entries stay where they are when the program runs on its
 * alternate signal stack (inside an SA_ONSTACK handler): once we left it,
 * the kernel would no longer see the thread as on it and would put the
 * next SA_ONSTACK signal at its top, over the frames of the handler that
 * is running. */
ENTRY(lp_sigsys_entry)
	cmpl	$2, 8(%rsi)		/* si_code == SYS_USER_DISPATCH? */
	jne	lp_signal_wrapper	/* no: a SIGSYS sent to the program */
	call	lp_gsbase
	mov	%rax, %rcx		/* lp_sigsys_c's block argument */
	test	%rax, %rax
	jz	lp_sigsys_c		/* no block: stay on this stack */
	/* busy before: kept on our stack, not on the signal frame's -- a
	 * vfork child runs on the program's stack, below the frame, and
	 * would overwrite it (the frame itself is saved around a vfork) */
	mov	LP_OFF_BUSY(%rax), %r10
	movq	$1, LP_OFF_BUSY(%rax)
	mov	%rsp, %r11
	mov	%rsp, %rcx
	sub	LP_OFF_STACK_LO(%rax), %rcx
	cmp	$LP_STACK_SIZE, %rcx
	jb	1f
	mov	%rsp, %rcx
	sub	LP_OFF_ALT_LO(%rax), %rcx
	cmp	LP_OFF_ALT_SIZE(%rax), %rcx
	jb	1f
	mov	LP_OFF_STACK_HI(%rax), %rsp
1:	and	$-16, %rsp
	push	%r10			/* busy before */
	push	%r11
	push	%rax
	push	%rdx			/* the ucontext */
	mov	%rax, %rcx
	mov	%r10, %r8
	call	lp_sigsys_c
	test	%rax, %rax
	jnz	.Lquick_return
	add	$8, %rsp
	pop	%rax
	pop	%r11
	pop	%rcx			/* busy before */
	mov	%r11, %rsp		/* back on the signal frame's stack */
	mov	%rcx, LP_OFF_BUSY(%rax)
	test	%rcx, %rcx
	jnz	2f
	/* held-back signals were blocked in our frames only: the sigreturn
	 * that follows lets them through.  Never-blocked ones arriving just
	 * now wait for the next exit. */
	movq	$0, LP_OFF_ARTIFICIAL(%rax)
	andq	$LP_NEVER_BLOCKED, LP_OFF_DEFERRED(%rax)
2:	ret

	/* Back to the program without a sigreturn (lp_sigsys_c said so: not
	 * nested, the mask untouched, nothing held back), as the rewritten
	 * path returns: the extended state from the frame (rax: its XSAVE
	 * area), the registers from the ucontext, rcx = rip and r11 = rflags
	 * as after a syscall.  Still on our stack, which a signal arriving
	 * now cannot put its frame over the ucontext from; then busy is
	 * cleared on the program's stack, and signals held back meanwhile go
	 * out through lp_deliver_trap.  Nothing is written at or above the
	 * program's rsp - 128: the trapped function may keep data in its
	 * red zone. */
.Lquick_return:
	mov	%rax, %rdi
	mov	LP_FX_SW_RESERVED+8(%rdi), %eax	/* xfeatures */
	mov	LP_FX_SW_RESERVED+12(%rdi), %edx
	xrstor64 (%rdi)
	mov	(%rsp), %rsi
	lea	UC_GREGS(%rsi), %rsi
	/* [rsp] = rip, 8 = rflags, 16 = rsp, 24 = busy before (kept) */
	mov	G_RIP(%rsi), %rcx
	mov	%rcx, (%rsp)
	mov	G_EFL(%rsi), %rcx
	mov	%rcx, 8(%rsp)
	mov	G_RSP(%rsi), %rcx
	mov	%rcx, 16(%rsp)
	mov	G_R8(%rsi), %r8
	mov	G_R9(%rsi), %r9
	mov	G_R10(%rsi), %r10
	mov	G_R12(%rsi), %r12
	mov	G_R13(%rsi), %r13
	mov	G_R14(%rsi), %r14
	mov	G_R15(%rsi), %r15
	mov	G_RDI(%rsi), %rdi
	mov	G_RBP(%rsi), %rbp
	mov	G_RBX(%rsi), %rbx
	mov	G_RDX(%rsi), %rdx
	mov	G_RAX(%rsi), %rax
	mov	G_RSI(%rsi), %rsi
	pop	%rcx			/* rip */
	popfq				/* no instruction below changes the flags */
	mov	8(%rsp), %r11		/* busy before: 0 */
	mov	(%rsp), %rsp		/* back on the program's stack */
END(lp_sigsys_entry)

/* The quick return's last steps, entered by falling through: from here
 * on the program's handlers may run, and unwinders see the program's
 * frame (its rip in rcx or r11), as at the end of lp_slow_rewritten. */
	.type	lp_sigsys_quick_tail, @function
lp_sigsys_quick_tail:
	.cfi_startproc
	.cfi_def_cfa %rsp, 0
	.cfi_register %rip, %rcx
	mov	%r11, %gs:LP_OFF_BUSY
	mov	%gs:LP_OFF_DEFERRED, %r11
	xchg	%rcx, %r11
	.cfi_register %rip, %r11
	jrcxz	3f
	xchg	%rcx, %r11
	.cfi_register %rip, %rcx
	lea	-LP_TRAP_FRAME(%rsp), %rsp	/* as lp_slow_rewritten does */
	.cfi_adjust_cfa_offset LP_TRAP_FRAME
	mov	%rcx, (%rsp)
	.cfi_offset %rip, -LP_TRAP_FRAME
	jmp	lp_deliver_trap
	.cfi_def_cfa %rsp, 0
	.cfi_register %rip, %r11
3:	xchg	%rcx, %r11		/* rcx = rip */
	.cfi_register %rip, %rcx
	lea	-128(%rsp), %rsp	/* r11 = rflags, pushed below the red zone */
	.cfi_adjust_cfa_offset 128
	pushfq
	.cfi_adjust_cfa_offset 8
	pop	%r11
	.cfi_adjust_cfa_offset -8
	lea	128(%rsp), %rsp
	.cfi_adjust_cfa_offset -128
	jmp	*%rcx
	.cfi_endproc
	.size	lp_sigsys_quick_tail, .-lp_sigsys_quick_tail

/* Deliver held-back signals that interrupted a masked wait (sigsuspend,
 * ppoll, ...) under that wait's mask, as the kernel would have: an
 * rt_sigsuspend with it returns once their handlers ran, and restores the
 * program's mask.  Entered in the program's context (registers, rsp) with
 * rax = the result to return and rcx = where to resume; works below the
 * red zone, where signal frames go anyway. */
ENTRY(lp_masked_deliver)
	.cfi_startproc
	.cfi_signal_frame		/* entered at its first instruction */
	.cfi_def_cfa %rsp, 0
	.cfi_register %rip, %rcx
	lea	-128(%rsp), %rsp
	.cfi_adjust_cfa_offset 128
	push	%rcx
	.cfi_adjust_cfa_offset 8
	.cfi_offset %rip, -136
	push	%rax
	push	%rdi
	push	%rsi
	pushfq
	.cfi_adjust_cfa_offset 32
	mov	%gs:LP_OFF_SELF, %rdi
	add	$LP_OFF_WAIT_MASK, %rdi
	mov	$8, %esi
	mov	$130, %eax		/* rt_sigsuspend */
	syscall
	popfq
	pop	%rsi
	pop	%rdi
	pop	%rax
	pop	%rcx
	.cfi_adjust_cfa_offset -40
	.cfi_register %rip, %rcx
	pushfq				/* r11 = rflags, as the kernel leaves it */
	pop	%r11
	lea	128(%rsp), %rsp
	.cfi_adjust_cfa_offset -128
	jmp	*%rcx
	.cfi_endproc
END(lp_masked_deliver)

/* sa_restorer of every handler we install.  Byte for byte glibc's
 * __restore_rt (movq $15,%rax; syscall): unwinders (libgcc, gdb)
 * recognise a signal frame by these bytes -- when no unwind entry covers
 * the address before it, which they look up first: hence the nop, which
 * belongs to no function. */
	nop
ENTRY(lp_restorer)
	.byte	0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00	/* mov $15, %rax */
	syscall
	hlt
END(lp_restorer)

/* long lp_raw_syscall(nr, a0, a1, a2, a3, a4, a5): the interposer's own
 * syscalls.  Signals that arrive here are deferred (see signals.c). */
ENTRY(lp_raw_syscall)
	mov	%rdi, %rax
	mov	%rsi, %rdi
	mov	%rdx, %rsi
	mov	%rcx, %rdx
	mov	%r8, %r10
	mov	%r9, %r8
	mov	8(%rsp), %r9
	syscall
	ret
END(lp_raw_syscall)

/* The same for the application's syscalls: a signal that interrupts the
 * instruction at lp_window_insn is delivered at once, as it would be
 * without the interposer (EINTR, SA_RESTART, sigsuspend, ...). */
ENTRY(lp_window_syscall)
	mov	%rdi, %rax
	mov	%rsi, %rdi
	mov	%rdx, %rsi
	mov	%rcx, %rdx
	mov	%r8, %r10
	mov	%r9, %r8
	mov	8(%rsp), %r9
	.globl lp_window_insn
	.hidden lp_window_insn
lp_window_insn:
	syscall
	ret
END(lp_window_syscall)

/* uintptr_t lp_gsbase(void): this thread's block (its %gs base), 0 if it
 * has none; clobbers only rax, rcx and r11 (it is called from
 * lp_sigsys_entry with live arguments).  Without FSGSBASE the block's
 * self pointer is read where that is safe -- asking the kernel reads an
 * MSR, a VM exit costing microseconds, on every SUD trap. */
ENTRY(lp_gsbase)
	cmpb	$0, lp_have_fsgsbase(%rip)
	je	1f
	rdgsbase %rax
	ret
1:	cmpb	$0, lp_gs_self_readable(%rip)
	je	2f
	mov	%gs:LP_OFF_SELF, %rax
	ret
2:	push	%rdi
	push	%rsi
	push	%rdx
	push	%r10
	pushq	$0
	mov	$0x1004, %edi		/* ARCH_GET_GS */
	mov	%rsp, %rsi
	mov	$158, %eax		/* arch_prctl */
	syscall
	pop	%rax
	pop	%r10
	pop	%rdx
	pop	%rsi
	pop	%rdi
	ret
END(lp_gsbase)

/* void lp_set_gsbase(uintptr_t base) */
ENTRY(lp_set_gsbase)
	cmpb	$0, lp_have_fsgsbase(%rip)
	je	1f
	wrgsbase %rdi
	ret
1:	mov	%rdi, %rsi
	mov	$0x1001, %edi		/* ARCH_SET_GS */
	mov	$158, %eax
	syscall
	ret
END(lp_set_gsbase)

/* void lp_sigreturn_gate(uintptr_t frame): an application's own
 * rt_sigreturn, run with its stack pointer. */
ENTRY(lp_sigreturn_gate)
	mov	%rdi, %rsp
	mov	$15, %eax
	syscall
	hlt
END(lp_sigreturn_gate)

/* void lp_thread_exit_gate(long code, void *map, size_t len,
 *                          const uint64_t *all_signals)
 * Ends a thread and frees its block and stack -- the stack we run on, so
 * nothing after munmap touches memory. */
ENTRY(lp_thread_exit_gate)
	mov	%rdi, %r12
	mov	%rsi, %r13
	mov	%rdx, %r14
	mov	$2, %edi		/* SIG_SETMASK: no handler may run now */
	mov	%rcx, %rsi
	xor	%edx, %edx
	mov	$8, %r10d
	mov	$14, %eax		/* rt_sigprocmask */
	syscall
	mov	$59, %edi		/* PR_SET_SYSCALL_USER_DISPATCH, OFF */
	xor	%esi, %esi
	xor	%edx, %edx
	xor	%r10d, %r10d
	xor	%r8d, %r8d
	mov	$157, %eax		/* prctl */
	syscall
	mov	%r13, %rdi
	mov	%r14, %rsi
	mov	$11, %eax		/* munmap */
	syscall
	mov	%r12, %rdi
	mov	$60, %eax		/* exit */
	syscall
	hlt
END(lp_thread_exit_gate)

/* long lp_clone_gate(struct lp_regs *r)
 * Runs the clone-family syscall r->rax with every register of r,
 * including rsp and rflags, so the child starts exactly as the kernel
 * would start it.  The parent returns the result; the child continues at
 * lp_clone_child.  Signals are blocked by the caller. */
ENTRY(lp_clone_gate)
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %gs:LP_OFF_CLONE_RSP
	mov	%rdi, %r11
	mov	LP_R_RFLAGS(%r11), %rax
	and	$~0x100, %rax		/* never single-step our own code */
	push	%rax
	popfq				/* the child inherits these flags */
	mov	LP_R_R15(%r11), %r15
	mov	LP_R_R14(%r11), %r14
	mov	LP_R_R13(%r11), %r13
	mov	LP_R_R12(%r11), %r12
	mov	LP_R_RBP(%r11), %rbp
	mov	LP_R_RBX(%r11), %rbx
	mov	LP_R_R10(%r11), %r10
	mov	LP_R_R9(%r11), %r9
	mov	LP_R_R8(%r11), %r8
	mov	LP_R_RDX(%r11), %rdx
	mov	LP_R_RSI(%r11), %rsi
	mov	LP_R_RDI(%r11), %rdi
	mov	LP_R_RAX(%r11), %rax
	mov	LP_R_RSP(%r11), %rsp
	syscall
	mov	%rax, %rcx
	jrcxz	lp_clone_child
	mov	%gs:LP_OFF_CLONE_RSP, %rsp
	cld
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret
END(lp_clone_gate)

/* The child of lp_clone_gate: rax = 0, rsp = the stack the kernel gave
 * it, %gs still the parent's.  lp_clone_handoff holds its block, whose
 * child_regs the parent filled.  Adopt the block, let C arm the thread,
 * then become the application: extended state, signal mask, flags and
 * registers, and jump to the instruction after the syscall. */
ENTRY(lp_clone_child)
	mov	lp_clone_handoff(%rip), %rax
	mov	%rsp, LP_OFF_CHILD_REGS+LP_R_RSP(%rax)
	cmpb	$0, lp_have_fsgsbase(%rip)	/* flags are restored below */
	je	1f
	wrgsbase %rax
	jmp	2f
1:	mov	%rax, %rsi
	mov	$0x1001, %edi		/* ARCH_SET_GS */
	mov	$158, %eax		/* arch_prctl */
	syscall
2:	mov	%gs:LP_OFF_STACK_HI, %rsp
	mov	%gs:LP_OFF_SELF, %rdi
	call	lp_child_start
	mov	lp_xsave_mask_lo(%rip), %eax
	mov	lp_xsave_mask_hi(%rip), %edx
	xrstor64 %gs:LP_OFF_CHILD_XSAVE
	mov	$2, %edi		/* SIG_SETMASK */
	mov	%gs:LP_OFF_SELF, %rsi
	add	$LP_OFF_CHILD_MASK, %rsi
	xor	%edx, %edx
	mov	$8, %r10d
	mov	$14, %eax		/* rt_sigprocmask */
	syscall
	pushq	%gs:LP_OFF_CHILD_REGS+LP_R_RFLAGS
	popfq				/* nothing below changes flags */
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_R15, %r15
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_R14, %r14
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_R13, %r13
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_R12, %r12
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_RBP, %rbp
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_RBX, %rbx
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_R10, %r10
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_R9, %r9
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_R8, %r8
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_RDX, %rdx
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_RSI, %rsi
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_RDI, %rdi
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_RFLAGS, %r11
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_RIP, %rcx
	mov	%gs:LP_OFF_CHILD_REGS+LP_R_RSP, %rsp
	mov	$0, %eax
	jmp	*%rcx
END(lp_clone_child)


/* Outside lp_gate on purpose: this `syscall` traps (the selector is at
 * BLOCK), and the SIGSYS handler's sigreturn resumes the program at the
 * address stored at (%rsp), with rsp raised by LP_TRAP_FRAME and the
 * held-back signals unblocked -- atomically, so they are delivered in the
 * program's context (see lp_sigsys_c). */
	.text
ENTRY(lp_deliver_trap)
	syscall
	hlt
END(lp_deliver_trap)

/* ---- Access to application memory that never faults ----
 * A SIGSEGV/SIGBUS whose ip lies in [lp_usercopy_begin, lp_usercopy_end)
 * resumes at lp_usercopy_fault, which returns -EFAULT.  The routines are
 * leaves that push nothing, so that return is always correct. */
	.text
	.p2align 4
ENTRY(lp_usercopy_begin)
/* int lp_user_copy(void *dst, const void *src, size_t n)
 * Page 0 and 1 hold the trampoline when it is mapped; natively nothing is
 * there, so the program must see them as unreadable. */
ENTRY(lp_user_copy)
	cmp	$LP_TRAMP_LEN, %rsi
	jb	lp_usercopy_fault
	cmp	$LP_TRAMP_LEN, %rdi
	jb	lp_usercopy_fault
	cmp	$16, %rdx		/* rep movsb is slow to start: bytes for a few */
	jb	2f
	mov	%rdx, %rcx
	rep movsb
	xor	%eax, %eax
	ret
1:	movzbl	(%rsi), %ecx
	mov	%cl, (%rdi)
	inc	%rsi
	inc	%rdi
	dec	%rdx
2:	test	%rdx, %rdx
	jnz	1b
	xor	%eax, %eax
	ret
END(lp_user_copy)

/* long lp_user_strncpy(char *dst, const char *src, size_t n):
 * length, or -ENAMETOOLONG when there is no NUL in the first n bytes (dst
 * then holds the first n - 1 and a NUL).  Every path a prefilter looks at
 * comes through here: 8 bytes at a time, copied whole, from any address
 * whose 8 bytes lie in one page (protection is per page, so such a load
 * faults only where the string's own next byte would), while 8 more fit
 * in dst; bytes only at a page's last 7 and at dst's end.  The first NUL
 * of a word is its lowest byte flagged by (w - 0x01..) & ~w & 0x80..
 * (later bytes may be flagged falsely, never earlier ones).  dst may get
 * bytes after the NUL, within its n. */
ENTRY(lp_user_strncpy)
	cmp	$LP_TRAMP_LEN, %rsi
	jb	lp_usercopy_fault
	xor	%eax, %eax
	movabs	$0x0101010101010101, %r8
	movabs	$0x8080808080808080, %r9
7:	lea	8(%rax), %rcx		/* a word: fits in dst, */
	cmp	%rdx, %rcx
	ja	1f
	lea	(%rsi,%rax,1), %ecx	/* and in src's page */
	and	$4095, %ecx
	cmp	$4088, %ecx
	ja	1f
	mov	(%rsi,%rax,1), %rcx
	mov	%rcx, (%rdi,%rax,1)
	mov	%rcx, %r10
	sub	%r8, %r10
	not	%rcx
	and	%rcx, %r10
	and	%r9, %r10
	jnz	8f
	add	$8, %rax
	jmp	7b
8:	bsf	%r10, %r10		/* the NUL's byte: its length */
	shr	$3, %r10
	add	%r10, %rax
	ret
1:	cmp	%rdx, %rax		/* a byte */
	jae	3f
	movzbl	(%rsi,%rax,1), %ecx
	mov	%cl, (%rdi,%rax,1)
	test	%cl, %cl
	jz	2f
	inc	%rax
	jmp	7b
2:	ret
3:	test	%rdx, %rdx		/* too long: still a string */
	jz	4f
	movb	$0, -1(%rdi,%rdx,1)
4:	mov	$-36, %rax
	ret
END(lp_user_strncpy)
/* The public name (lazypoline.h), without a C wrapper's call on the
 * prefilters' path. */
	.globl	lp_strncpy_from_user
	.type	lp_strncpy_from_user,@function
	.set	lp_strncpy_from_user, lp_user_strncpy

/* int lp_user_cmpxchg8(uint64_t *p, uint64_t old, uint64_t new):
 * 0 when swapped, 1 when *p != old, -EFAULT when p is not writable. */
ENTRY(lp_user_cmpxchg8)
	mov	%rsi, %rax
	lock cmpxchg %rdx, (%rdi)
	setne	%al
	movzbl	%al, %eax
	ret
END(lp_user_cmpxchg8)

/* int lp_user_cmpxchg1(uint8_t *p, uint8_t old, uint8_t new) */
ENTRY(lp_user_cmpxchg1)
	mov	%esi, %eax
	lock cmpxchg %dl, (%rdi)
	setne	%al
	movzbl	%al, %eax
	ret
END(lp_user_cmpxchg1)

ENTRY(lp_usercopy_fault)
	mov	$-14, %rax		/* EFAULT */
	ret
END(lp_usercopy_fault)
ENTRY(lp_usercopy_end)
	.section .note.GNU-stack,"",@progbits
