/* Constants shared by the assembly entry code and the C runtime.
 * Only #defines here: this file is included from entry.S. */
#ifndef LP_LAYOUT_H
#define LP_LAYOUT_H

/* Syscall numbers handled by the page-0 sled (0 .. LP_SLED_LEN-1). */
#define LP_SLED_LEN        512
#define LP_NR_MAX          LP_SLED_LEN
/* Page 0 is the executable sled, page 1 a read-only page with the
 * address of the entry stub. */
#define LP_TRAMP_LEN       8192
#define LP_TRAMP_TARGET    4096

/* The kernel's "restart this syscall" code; never seen by programs. */
#define LP_ERESTARTSYS     512

/* How far below the program's rsp the delivery trap keeps its resume
 * address: past the 128-byte red zone. */
#define LP_TRAP_FRAME      144

/* SIGILL, SIGBUS, SIGSEGV, SIGSYS: never blocked (signals.c). */
#define LP_NEVER_BLOCKED   0x40000448

/* A signal frame's FXSAVE area: its sw_reserved bytes (the kernel's
 * _fpx_sw_bytes: magic1, extended_size, xfeatures at +8, xstate_size at
 * +16) say whether the XSAVE layout follows. */
#define LP_FX_SW_RESERVED  464

/* SUD selector values (linux/prctl.h). */
#define LP_SEL_ALLOW       0
#define LP_SEL_BLOCK       1

/* Per-thread memory: [guard][interposer stack][thread block]. */
#define LP_GUARD_SIZE      4096
#define LP_STACK_SIZE      (512 * 1024)
#define LP_BLOCK_SIZE      (16 * 1024)
#define LP_THREAD_MAP_SIZE (LP_GUARD_SIZE + LP_STACK_SIZE + LP_BLOCK_SIZE)
#define LP_STACK_PREFAULT  (40 * 1024)  /* what the VFS's deepest handlers use */

/* Offsets into struct lp_thread, reached through %gs from assembly.
 * lp_thread.c checks them against offsetof(). */
#define LP_OFF_SELECTOR    0x000
#define LP_OFF_STACK_LO    0x008
#define LP_OFF_STACK_HI    0x010
#define LP_OFF_CLONE_RSP   0x018
#define LP_OFF_BUSY        0x020   /* interposer frames live on this thread */
#define LP_OFF_DEFERRED    0x028   /* signals held back meanwhile */
#define LP_OFF_CHILD_REGS  0x040   /* struct lp_regs, 19 qwords */
#define LP_OFF_CHILD_MASK  0x0e0
#define LP_OFF_WAIT_MASK   0x118   /* the temporary mask of a masked wait */
#define LP_OFF_ALT_LO      0x120   /* the program's sigaltstack, mirrored */
#define LP_OFF_ALT_SIZE    0x128
#define LP_OFF_ARTIFICIAL  0x130   /* mask bits the runtime added itself */
/* Read with a base of 0 by threads that have no block: page 0 holds
 * zero there, so "no block" reads as NULL (see trampoline.c). */
#define LP_OFF_SELF        0x800
#define LP_OFF_CHILD_XSAVE 0x1000  /* 64-byte aligned, up to 12 KiB */
#define LP_CHILD_XSAVE_MAX (LP_BLOCK_SIZE - LP_OFF_CHILD_XSAVE)

/* struct lp_regs field offsets (pushed by the entry code). */
#define LP_R_R15    0
#define LP_R_R14    8
#define LP_R_R13    16
#define LP_R_R12    24
#define LP_R_RBP    32
#define LP_R_RBX    40
#define LP_R_R11    48
#define LP_R_R10    56
#define LP_R_R9     64
#define LP_R_R8     72
#define LP_R_RAX    80
#define LP_R_RCX    88
#define LP_R_RDX    96
#define LP_R_RSI    104
#define LP_R_RDI    112
#define LP_R_RIP    120
#define LP_R_RFLAGS 128
#define LP_R_RSP    136
#define LP_R_SIZE   144

#endif
