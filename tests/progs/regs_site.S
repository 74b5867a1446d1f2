/* Register-fidelity probe for tests/progs/regs.c.
 *
 * fid_site(in, out, vec) loads every general register, the flags, MXCSR,
 * the x87 control word and the vector registers (xmm0-15, ymm0-15, or
 * zmm0-31 with k0-7, by vec) from *in, executes one `syscall`, and stores
 * them all to *out.  It addresses nothing below rsp, and has unwind info,
 * so the interposer may rewrite its site.
 *
 * The k registers are moved by separate helpers: Capstone 4 cannot decode
 * kmovq with a memory operand, and a function it cannot decode is never
 * rewritten.
 *
 * fid_redzone(nr) keeps a 128-byte canary in the red zone across a
 * syscall and returns how many of its qwords changed: the interposer must
 * leave such a site on the SUD path, which never writes there. */
#define IN_FLAGS 128
#define IN_MXCSR 136
#define IN_FCW 140
#define IN_K 144
#define IN_VEC 256
	.text
	.globl fid_site, fid_site_insn, fid_redzone, fid_redzone_insn
	.type fid_site,@function
fid_site:
	.cfi_startproc
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rsi			/* out */
	push	%rdx			/* vec */
	mov	%rdi, %r11
	cmp	$2, %edx
	je	2f
	cmp	$1, %edx
	je	1f
	movdqu	IN_VEC+0(%r11), %xmm0
	movdqu	IN_VEC+64(%r11), %xmm1
	movdqu	IN_VEC+128(%r11), %xmm2
	movdqu	IN_VEC+192(%r11), %xmm3
	movdqu	IN_VEC+256(%r11), %xmm4
	movdqu	IN_VEC+320(%r11), %xmm5
	movdqu	IN_VEC+384(%r11), %xmm6
	movdqu	IN_VEC+448(%r11), %xmm7
	movdqu	IN_VEC+512(%r11), %xmm8
	movdqu	IN_VEC+576(%r11), %xmm9
	movdqu	IN_VEC+640(%r11), %xmm10
	movdqu	IN_VEC+704(%r11), %xmm11
	movdqu	IN_VEC+768(%r11), %xmm12
	movdqu	IN_VEC+832(%r11), %xmm13
	movdqu	IN_VEC+896(%r11), %xmm14
	movdqu	IN_VEC+960(%r11), %xmm15
	jmp	3f
1:
	vmovdqu	IN_VEC+0(%r11), %ymm0
	vmovdqu	IN_VEC+64(%r11), %ymm1
	vmovdqu	IN_VEC+128(%r11), %ymm2
	vmovdqu	IN_VEC+192(%r11), %ymm3
	vmovdqu	IN_VEC+256(%r11), %ymm4
	vmovdqu	IN_VEC+320(%r11), %ymm5
	vmovdqu	IN_VEC+384(%r11), %ymm6
	vmovdqu	IN_VEC+448(%r11), %ymm7
	vmovdqu	IN_VEC+512(%r11), %ymm8
	vmovdqu	IN_VEC+576(%r11), %ymm9
	vmovdqu	IN_VEC+640(%r11), %ymm10
	vmovdqu	IN_VEC+704(%r11), %ymm11
	vmovdqu	IN_VEC+768(%r11), %ymm12
	vmovdqu	IN_VEC+832(%r11), %ymm13
	vmovdqu	IN_VEC+896(%r11), %ymm14
	vmovdqu	IN_VEC+960(%r11), %ymm15
	jmp	3f
2:
	vmovdqu64	IN_VEC+0(%r11), %zmm0
	vmovdqu64	IN_VEC+64(%r11), %zmm1
	vmovdqu64	IN_VEC+128(%r11), %zmm2
	vmovdqu64	IN_VEC+192(%r11), %zmm3
	vmovdqu64	IN_VEC+256(%r11), %zmm4
	vmovdqu64	IN_VEC+320(%r11), %zmm5
	vmovdqu64	IN_VEC+384(%r11), %zmm6
	vmovdqu64	IN_VEC+448(%r11), %zmm7
	vmovdqu64	IN_VEC+512(%r11), %zmm8
	vmovdqu64	IN_VEC+576(%r11), %zmm9
	vmovdqu64	IN_VEC+640(%r11), %zmm10
	vmovdqu64	IN_VEC+704(%r11), %zmm11
	vmovdqu64	IN_VEC+768(%r11), %zmm12
	vmovdqu64	IN_VEC+832(%r11), %zmm13
	vmovdqu64	IN_VEC+896(%r11), %zmm14
	vmovdqu64	IN_VEC+960(%r11), %zmm15
	vmovdqu64	IN_VEC+1024(%r11), %zmm16
	vmovdqu64	IN_VEC+1088(%r11), %zmm17
	vmovdqu64	IN_VEC+1152(%r11), %zmm18
	vmovdqu64	IN_VEC+1216(%r11), %zmm19
	vmovdqu64	IN_VEC+1280(%r11), %zmm20
	vmovdqu64	IN_VEC+1344(%r11), %zmm21
	vmovdqu64	IN_VEC+1408(%r11), %zmm22
	vmovdqu64	IN_VEC+1472(%r11), %zmm23
	vmovdqu64	IN_VEC+1536(%r11), %zmm24
	vmovdqu64	IN_VEC+1600(%r11), %zmm25
	vmovdqu64	IN_VEC+1664(%r11), %zmm26
	vmovdqu64	IN_VEC+1728(%r11), %zmm27
	vmovdqu64	IN_VEC+1792(%r11), %zmm28
	vmovdqu64	IN_VEC+1856(%r11), %zmm29
	vmovdqu64	IN_VEC+1920(%r11), %zmm30
	vmovdqu64	IN_VEC+1984(%r11), %zmm31
	call	fid_load_k
3:	ldmxcsr	IN_MXCSR(%r11)
	fldcw	IN_FCW(%r11)
	pushq	IN_FLAGS(%r11)
	popfq				/* only movs from here to the syscall */
	mov	0(%r11), %rax
	mov	8(%r11), %rbx
	mov	24(%r11), %rdx
	mov	32(%r11), %rsi
	mov	40(%r11), %rdi
	mov	48(%r11), %rbp
	mov	64(%r11), %r8
	mov	72(%r11), %r9
	mov	80(%r11), %r10
	mov	96(%r11), %r12
	mov	104(%r11), %r13
	mov	112(%r11), %r14
	mov	120(%r11), %r15
fid_site_insn:
	syscall
	pushfq
	push	%rax
	mov	24(%rsp), %rax		/* out */
	popq	0(%rax)
	popq	IN_FLAGS(%rax)
	mov	%rbx, 8(%rax)
	mov	%rcx, 16(%rax)
	mov	%rdx, 24(%rax)
	mov	%rsi, 32(%rax)
	mov	%rdi, 40(%rax)
	mov	%rbp, 48(%rax)
	mov	%r8, 64(%rax)
	mov	%r9, 72(%rax)
	mov	%r10, 80(%rax)
	mov	%r11, 88(%rax)
	mov	%r12, 96(%rax)
	mov	%r13, 104(%rax)
	mov	%r14, 112(%rax)
	mov	%r15, 120(%rax)
	stmxcsr	IN_MXCSR(%rax)
	fnstcw	IN_FCW(%rax)
	pop	%rdx			/* vec */
	cmp	$2, %edx
	je	2f
	cmp	$1, %edx
	je	1f
	movdqu	%xmm0, IN_VEC+0(%rax)
	movdqu	%xmm1, IN_VEC+64(%rax)
	movdqu	%xmm2, IN_VEC+128(%rax)
	movdqu	%xmm3, IN_VEC+192(%rax)
	movdqu	%xmm4, IN_VEC+256(%rax)
	movdqu	%xmm5, IN_VEC+320(%rax)
	movdqu	%xmm6, IN_VEC+384(%rax)
	movdqu	%xmm7, IN_VEC+448(%rax)
	movdqu	%xmm8, IN_VEC+512(%rax)
	movdqu	%xmm9, IN_VEC+576(%rax)
	movdqu	%xmm10, IN_VEC+640(%rax)
	movdqu	%xmm11, IN_VEC+704(%rax)
	movdqu	%xmm12, IN_VEC+768(%rax)
	movdqu	%xmm13, IN_VEC+832(%rax)
	movdqu	%xmm14, IN_VEC+896(%rax)
	movdqu	%xmm15, IN_VEC+960(%rax)
	jmp	3f
1:
	vmovdqu	%ymm0, IN_VEC+0(%rax)
	vmovdqu	%ymm1, IN_VEC+64(%rax)
	vmovdqu	%ymm2, IN_VEC+128(%rax)
	vmovdqu	%ymm3, IN_VEC+192(%rax)
	vmovdqu	%ymm4, IN_VEC+256(%rax)
	vmovdqu	%ymm5, IN_VEC+320(%rax)
	vmovdqu	%ymm6, IN_VEC+384(%rax)
	vmovdqu	%ymm7, IN_VEC+448(%rax)
	vmovdqu	%ymm8, IN_VEC+512(%rax)
	vmovdqu	%ymm9, IN_VEC+576(%rax)
	vmovdqu	%ymm10, IN_VEC+640(%rax)
	vmovdqu	%ymm11, IN_VEC+704(%rax)
	vmovdqu	%ymm12, IN_VEC+768(%rax)
	vmovdqu	%ymm13, IN_VEC+832(%rax)
	vmovdqu	%ymm14, IN_VEC+896(%rax)
	vmovdqu	%ymm15, IN_VEC+960(%rax)
	vzeroupper
	jmp	3f
2:
	vmovdqu64	%zmm0, IN_VEC+0(%rax)
	vmovdqu64	%zmm1, IN_VEC+64(%rax)
	vmovdqu64	%zmm2, IN_VEC+128(%rax)
	vmovdqu64	%zmm3, IN_VEC+192(%rax)
	vmovdqu64	%zmm4, IN_VEC+256(%rax)
	vmovdqu64	%zmm5, IN_VEC+320(%rax)
	vmovdqu64	%zmm6, IN_VEC+384(%rax)
	vmovdqu64	%zmm7, IN_VEC+448(%rax)
	vmovdqu64	%zmm8, IN_VEC+512(%rax)
	vmovdqu64	%zmm9, IN_VEC+576(%rax)
	vmovdqu64	%zmm10, IN_VEC+640(%rax)
	vmovdqu64	%zmm11, IN_VEC+704(%rax)
	vmovdqu64	%zmm12, IN_VEC+768(%rax)
	vmovdqu64	%zmm13, IN_VEC+832(%rax)
	vmovdqu64	%zmm14, IN_VEC+896(%rax)
	vmovdqu64	%zmm15, IN_VEC+960(%rax)
	vmovdqu64	%zmm16, IN_VEC+1024(%rax)
	vmovdqu64	%zmm17, IN_VEC+1088(%rax)
	vmovdqu64	%zmm18, IN_VEC+1152(%rax)
	vmovdqu64	%zmm19, IN_VEC+1216(%rax)
	vmovdqu64	%zmm20, IN_VEC+1280(%rax)
	vmovdqu64	%zmm21, IN_VEC+1344(%rax)
	vmovdqu64	%zmm22, IN_VEC+1408(%rax)
	vmovdqu64	%zmm23, IN_VEC+1472(%rax)
	vmovdqu64	%zmm24, IN_VEC+1536(%rax)
	vmovdqu64	%zmm25, IN_VEC+1600(%rax)
	vmovdqu64	%zmm26, IN_VEC+1664(%rax)
	vmovdqu64	%zmm27, IN_VEC+1728(%rax)
	vmovdqu64	%zmm28, IN_VEC+1792(%rax)
	vmovdqu64	%zmm29, IN_VEC+1856(%rax)
	vmovdqu64	%zmm30, IN_VEC+1920(%rax)
	vmovdqu64	%zmm31, IN_VEC+1984(%rax)
	call	fid_store_k
	vzeroupper
3:	pop	%rsi
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	cld
	ret
	.cfi_endproc
	.size fid_site, .-fid_site

	.type fid_redzone,@function
fid_redzone:
	.cfi_startproc
	mov	%rdi, %rax
	movabs	$0x1122334455667788, %rdx
	mov	%rdx, -8(%rsp)
	rol	$1, %rdx
	mov	%rdx, -16(%rsp)
	rol	$1, %rdx
	mov	%rdx, -24(%rsp)
	rol	$1, %rdx
	mov	%rdx, -32(%rsp)
	rol	$1, %rdx
	mov	%rdx, -40(%rsp)
	rol	$1, %rdx
	mov	%rdx, -48(%rsp)
	rol	$1, %rdx
	mov	%rdx, -56(%rsp)
	rol	$1, %rdx
	mov	%rdx, -64(%rsp)
	rol	$1, %rdx
	mov	%rdx, -72(%rsp)
	rol	$1, %rdx
	mov	%rdx, -80(%rsp)
	rol	$1, %rdx
	mov	%rdx, -88(%rsp)
	rol	$1, %rdx
	mov	%rdx, -96(%rsp)
	rol	$1, %rdx
	mov	%rdx, -104(%rsp)
	rol	$1, %rdx
	mov	%rdx, -112(%rsp)
	rol	$1, %rdx
	mov	%rdx, -120(%rsp)
	rol	$1, %rdx
	mov	%rdx, -128(%rsp)
	rol	$1, %rdx
fid_redzone_insn:
	syscall
	xor	%eax, %eax
	movabs	$0x1122334455667788, %rdx
	cmp	%rdx, -8(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -16(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -24(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -32(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -40(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -48(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -56(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -64(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -72(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -80(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -88(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -96(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -104(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -112(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -120(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	cmp	%rdx, -128(%rsp)
	setne	%cl
	movzbl	%cl, %ecx
	add	%rcx, %rax
	rol	$1, %rdx
	ret
	.cfi_endproc
	.size fid_redzone, .-fid_redzone

/* k0-k7 from/to the state at r11 (load) or rax (store); nothing else. */
	.type fid_load_k,@function
fid_load_k:
	.cfi_startproc
	kmovq	IN_K+0(%r11), %k0
	kmovq	IN_K+8(%r11), %k1
	kmovq	IN_K+16(%r11), %k2
	kmovq	IN_K+24(%r11), %k3
	kmovq	IN_K+32(%r11), %k4
	kmovq	IN_K+40(%r11), %k5
	kmovq	IN_K+48(%r11), %k6
	kmovq	IN_K+56(%r11), %k7
	ret
	.cfi_endproc
	.size fid_load_k, .-fid_load_k
	.type fid_store_k,@function
fid_store_k:
	.cfi_startproc
	kmovq	%k0, IN_K+0(%rax)
	kmovq	%k1, IN_K+8(%rax)
	kmovq	%k2, IN_K+16(%rax)
	kmovq	%k3, IN_K+24(%rax)
	kmovq	%k4, IN_K+32(%rax)
	kmovq	%k5, IN_K+40(%rax)
	kmovq	%k6, IN_K+48(%rax)
	kmovq	%k7, IN_K+56(%rax)
	ret
	.cfi_endproc
	.size fid_store_k, .-fid_store_k
	.section .note.GNU-stack,"",@progbits
