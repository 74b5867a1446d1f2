/* Per-thread blocks: the SUD selector, the interposer stack, and what a
 * new child needs to start.  A block is one anonymous mapping per thread:
 * [guard page][interposer stack][struct lp_thread]. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "lp_internal.h"

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_ON 1
#endif

_Static_assert(offsetof(struct lp_thread, selector) == LP_OFF_SELECTOR, "layout");
_Static_assert(offsetof(struct lp_thread, stack_lo) == LP_OFF_STACK_LO, "layout");
_Static_assert(offsetof(struct lp_thread, stack_hi) == LP_OFF_STACK_HI, "layout");
_Static_assert(offsetof(struct lp_thread, clone_rsp) == LP_OFF_CLONE_RSP, "layout");
_Static_assert(offsetof(struct lp_thread, busy) == LP_OFF_BUSY, "layout");
_Static_assert(offsetof(struct lp_thread, deferred) == LP_OFF_DEFERRED, "layout");
_Static_assert(offsetof(struct lp_thread, child_regs) == LP_OFF_CHILD_REGS, "layout");
_Static_assert(offsetof(struct lp_thread, child_mask) == LP_OFF_CHILD_MASK, "layout");
_Static_assert(offsetof(struct lp_thread, wait_mask) == LP_OFF_WAIT_MASK, "layout");
_Static_assert(offsetof(struct lp_thread, alt_lo) == LP_OFF_ALT_LO, "layout");
_Static_assert(offsetof(struct lp_thread, alt_size) == LP_OFF_ALT_SIZE, "layout");
_Static_assert(offsetof(struct lp_thread, artificial) == LP_OFF_ARTIFICIAL, "layout");
_Static_assert(offsetof(struct lp_thread, self) == LP_OFF_SELF, "layout");
_Static_assert(offsetof(struct lp_thread, child_xsave) == LP_OFF_CHILD_XSAVE, "layout");
_Static_assert(sizeof(struct lp_thread) <= LP_BLOCK_SIZE, "layout");
_Static_assert(sizeof(struct lp_regs) == LP_R_SIZE, "layout");
_Static_assert(offsetof(struct lp_regs, rax) == LP_R_RAX, "layout");
_Static_assert(offsetof(struct lp_regs, rdi) == LP_R_RDI, "layout");
_Static_assert(offsetof(struct lp_regs, rsp) == LP_R_RSP, "layout");
_Static_assert(LP_R_RSP == 136, "entry.S encodes it in its unwind info");

static void thread_init(struct lp_thread *t, void *map)
{
	memset(t, 0, offsetof(struct lp_thread, child_xsave));
	t->self = t;
	t->stack_lo = (uintptr_t)map + LP_GUARD_SIZE;
	t->stack_hi = (uintptr_t)t;
	t->map_base = map;
	t->map_len = LP_THREAD_MAP_SIZE;
	t->selector = LP_SEL_ALLOW;
}

struct lp_thread *lp_thread_alloc(void)
{
	long m = lp_sys6(SYS_mmap, 0, LP_THREAD_MAP_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m < 0 && m > -4096)
		return NULL;
	lp_sys3(SYS_mprotect, m, LP_GUARD_SIZE, PROT_NONE);
	struct lp_thread *t = (struct lp_thread *)(m + LP_GUARD_SIZE + LP_STACK_SIZE);
	/* The top of the stack and the block are used at once: mapping them
	 * in one call costs about half what a fault per page does on a VM.
	 * Best effort (before Linux 5.14: EINVAL, they fault in as used). */
	lp_sys3(SYS_madvise, (uintptr_t)t - LP_STACK_PREFAULT, LP_STACK_PREFAULT + 4096, MADV_POPULATE_WRITE);
	thread_init(t, (void *)m);
	return t;
}

void lp_thread_free(struct lp_thread *t)
{
	if (t->vfork_spare)
		lp_sys2(SYS_munmap, t->vfork_spare->map_base, t->vfork_spare->map_len);
	lp_sys2(SYS_munmap, t->map_base, t->map_len);
}

/* A shell vforks for every command: reusing the block spares a mapping,
 * an unmapping and the faults of its stack each time.  One per thread is
 * enough, as the parent waits until its vfork child has exec'd or exited. */
struct lp_thread *lp_vfork_block(struct lp_thread *t)
{
	struct lp_thread *b = t->vfork_spare;
	if (!b)
		return lp_thread_alloc();
	t->vfork_spare = NULL;
	thread_init(b, b->map_base);
	return b;
}

void lp_vfork_block_done(struct lp_thread *t, struct lp_thread *child)
{
	if (child->vfork_spare) {  /* it vforked too */
		lp_thread_free(child->vfork_spare);
		child->vfork_spare = NULL;
	}
	t->vfork_spare = child;  /* empty: lp_vfork_block took it for this child */
}

int lp_thread_arm(struct lp_thread *t)
{
	return (int)lp_sys5(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON,
			    (uintptr_t)__start_lp_gate,
			    (uintptr_t)__stop_lp_gate - (uintptr_t)__start_lp_gate, &t->selector);
}

/* The first C code of a new child (see lp_clone_child in entry.S): its
 * block is installed, every signal is blocked. */
void lp_child_start(struct lp_thread *t)
{
	t->busy = 1;  /* every signal is blocked anyway */
	t->deferred = 0;
	t->artificial = 0;
	t->virt_pending = 0;
	t->tid = (int32_t)lp_sys0(SYS_gettid);
	if (!t->pid || (t->flags & LP_TF_FORK_CHILD))
		t->pid = (int32_t)lp_sys0(SYS_getpid);
	if (t->flags & LP_TF_FORK_CHILD) {
		t->flags &= ~(LP_TF_FORK_CHILD | LP_TF_SHARED_VM);  /* memory of its own */
		lp_rt.pid = t->pid;
		lp_atfork_child();
	} else {
		lp_atfork_thread_started();
	}
	if (lp_thread_arm(t) != 0)
		lp_fatal("cannot arm syscall user dispatch in a new thread");
	t->selector = LP_SEL_BLOCK;
	/* Nothing on our stack is needed from here on: lp_clone_child only
	 * reads the block, so a handler may run before it is done. */
	t->busy = 0;
}

/* ---- locks ---- */
void lp_lock_take(lp_lock *l)
{
	while (__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE)) {
		for (int i = 0; i < 200 && __atomic_load_n(&l->v, __ATOMIC_RELAXED); i++)
			__builtin_ia32_pause();
		if (__atomic_load_n(&l->v, __ATOMIC_RELAXED))
			lp_sys0(SYS_sched_yield);
	}
}

void lp_lock_give(lp_lock *l)
{
	__atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
}
