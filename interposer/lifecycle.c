/* Threads, processes and programs: clone in all its forms, execve and
 * thread exit.
 *
 * Every clone runs through lp_clone_gate with the application's exact
 * registers, so the child starts as the kernel would start it.  Signals
 * are blocked across the call; the child arms itself (lp_child_start) and
 * jumps straight to the application, never returning through the
 * parent's frames -- a vfork child shares them, a thread has another
 * stack. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

#include "lp_internal.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

struct lp_thread *volatile lp_clone_handoff;
/* Held from before a clone until the child has picked up its block. */
static lp_lock handoff_lock;

#define LP_MAX_FORK_HOOKS 16
static struct {
	void (*prepare)(void *), (*parent)(void *), (*child)(void *);
	void *data;
} fork_hooks[LP_MAX_FORK_HOOKS];
static int n_fork_hooks;

int lp_on_fork(void (*prepare)(void *), void (*parent)(void *), void (*child)(void *), void *data)
{
	if (!prepare && !parent && !child)
		return -EINVAL;
	if (n_fork_hooks == LP_MAX_FORK_HOOKS)
		return -ENOSPC;
	fork_hooks[n_fork_hooks].prepare = prepare;
	fork_hooks[n_fork_hooks].parent = parent;
	fork_hooks[n_fork_hooks].child = child;
	fork_hooks[n_fork_hooks].data = data;
	n_fork_hooks++;
	return 0;
}

int lp_on_fork_child(void (*fn)(void *data), void *data)
{
	return fn ? lp_on_fork(NULL, NULL, fn, data) : -EINVAL;
}

/* Users' locks are taken before the runtime's (their handlers allocate
 * while holding them), in reverse order of registration, like
 * pthread_atfork. */
void lp_atfork_prepare(void)
{
	for (int i = n_fork_hooks - 1; i >= 0; i--)
		if (fork_hooks[i].prepare)
			fork_hooks[i].prepare(fork_hooks[i].data);
	lp_sigaction_lock();
	lp_rewrite_lock();
	lp_alloc_lock();
}

void lp_atfork_parent(void)
{
	lp_alloc_unlock();
	lp_rewrite_unlock();
	lp_sigaction_unlock();
	for (int i = 0; i < n_fork_hooks; i++)
		if (fork_hooks[i].parent)
			fork_hooks[i].parent(fork_hooks[i].data);
}

void lp_atfork_child(void)
{
	lp_alloc_child_reset();
	lp_rewrite_child_reset();
	lp_sigaction_child_reset();
	handoff_lock.v = 0;
	for (int i = 0; i < n_fork_hooks; i++)
		if (fork_hooks[i].child)
			fork_hooks[i].child(fork_hooks[i].data);
}

void lp_atfork_thread_started(void)
{
	lp_lock_give(&handoff_lock);
}

/* The extended state the child starts with: the application's, from our
 * save area (rewritten path) or the signal frame (SUD path). */
static void copy_xstate(struct lp_thread *child, const lp_ctx *c)
{
	if (c->lp_xsave) {
		memcpy(child->child_xsave, c->lp_xsave, lp_xsave_size);
		return;
	}
	uint32_t size = 0;
	const uint8_t *fp = lp_frame_xsave(c->lp_uc, &size);
	if (!fp || size < 576 || size > LP_CHILD_XSAVE_MAX) {
		/* no XSAVE layout in the frame: start from the init state */
		memset(child->child_xsave, 0, 576);
		child->child_xsave[24] = 0x80;  /* MXCSR = 0x1f80 */
		child->child_xsave[25] = 0x1f;
		child->child_xsave[0] = 0x7f;   /* x87 control word = 0x37f */
		child->child_xsave[1] = 0x03;
		return;
	}
	memcpy(child->child_xsave, fp, size);
}

/* The kernel's signal frame of the SUD path: [uc - 8, end of fpstate). */
struct saved_frame {
	void *at;
	size_t len;
	void *copy;
};

static void frame_save(struct saved_frame *f, const ucontext_t *uc)
{
	uintptr_t lo = (uintptr_t)uc - 8;
	uintptr_t hi = (uintptr_t)uc + sizeof(ucontext_t) + sizeof(siginfo_t);
	const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
	if (fp) {
		/* the XSAVE area and the 4-byte FP_XSTATE_MAGIC2 after it (the
		 * kernel's extended_size), else the FXSAVE area alone */
		uint32_t size = 0;
		size_t ext = lp_frame_xsave(uc, &size) && size < 64 * 1024 ? size + 4 : 512;
		if ((uintptr_t)fp + ext > hi)
			hi = (uintptr_t)fp + ext;
		if ((uintptr_t)fp < lo)
			lo = (uintptr_t)fp;
	}
	f->at = (void *)lo;
	f->len = hi - lo;
	f->copy = lp_malloc(f->len);
	if (f->copy)
		memcpy(f->copy, f->at, f->len);
}

static void frame_restore(struct saved_frame *f)
{
	memcpy(f->at, f->copy, f->len);
	lp_free(f->copy);
}

long lp_do_clone(lp_ctx *c)
{
	struct lp_thread *t = lp_self();
	unsigned long flags;
	switch (c->nr) {
	case SYS_fork:
		flags = SIGCHLD;
		break;
	case SYS_vfork:
		flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
		break;
	case SYS_clone3:
		if ((unsigned long)c->args[1] < 64)  /* CLONE_ARGS_SIZE_VER0: the kernel refuses */
			return lp_window_syscall(c->nr, c->args[0], c->args[1], 0, 0, 0, 0);
		if (lp_user_copy(&flags, (void *)c->args[0], sizeof flags))
			return -EFAULT;
		break;
	default:
		flags = (unsigned long)c->args[0];
	}
	bool vm = flags & CLONE_VM;
	/* Does the child run on the caller's stack (vfork-style)?  Then it
	 * overwrites whatever lies below the caller's stack pointer -- on the
	 * SUD path, the kernel's signal frame we return through. */
	bool same_stack = vm;
	if (c->nr == SYS_clone)
		same_stack = vm && c->args[1] == 0;
	else if (c->nr == SYS_clone3) {
		uint64_t stack = 0;
		lp_user_copy(&stack, (char *)c->args[0] + 40, sizeof stack);
		same_stack = vm && stack == 0;
	}

	struct lp_regs r = *(struct lp_regs *)c->lp_regs;
	r.rax = (uint64_t)c->nr;
	r.rdi = (uint64_t)c->args[0];
	r.rsi = (uint64_t)c->args[1];
	r.rdx = (uint64_t)c->args[2];
	r.r10 = (uint64_t)c->args[3];
	r.r8 = (uint64_t)c->args[4];
	r.r9 = (uint64_t)c->args[5];

	struct lp_thread *child = t;
	if (vm) {
		child = (flags & CLONE_VFORK) ? lp_vfork_block(t) : lp_thread_alloc();
		if (!child)
			return -EAGAIN;
		child->flags = (flags & CLONE_VFORK) ? LP_TF_VFORK_CHILD : 0;
		child->virt_blocked = t->virt_blocked;
		child->pid = (flags & CLONE_THREAD) ? t->pid : 0;
		child->proc_slot = t->proc_slot;
		if (!(flags & CLONE_THREAD))
			child->flags |= LP_TF_SHARED_VM;
		child->acts = t->acts;
		if (!(flags & CLONE_SIGHAND))  /* the kernel copies its handlers: so do we, at its first change */
			child->flags |= LP_TF_OWN_ACTS;
		if (flags & CLONE_VFORK) {  /* a CLONE_VM child loses the altstack */
			child->alt_lo = t->alt_lo;
			child->alt_size = t->alt_size;
		}
	}
	child->child_regs = r;
	child->child_regs.rcx = r.rip;
	child->child_regs.r11 = r.rflags;
	copy_xstate(child, c);

	uint64_t all = ~0ULL, old = 0;
	lp_sys4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
	const ucontext_t *uc = c->lp_uc;
	uint64_t app_mask = uc ? *(const uint64_t *)&uc->uc_sigmask : old & ~t->artificial;
	child->child_mask = app_mask & ~lp_rt.never_blocked;

	if (!vm) {
		t->flags |= LP_TF_FORK_CHILD;
		lp_atfork_prepare();
	}
	struct saved_frame frame = { 0 };
	if (same_stack && uc)
		frame_save(&frame, uc);
	lp_lock_take(&handoff_lock);
	lp_clone_handoff = child;
	long ret = lp_clone_gate(&r);
	if (frame.copy)
		frame_restore(&frame);
	/* parent */
	if (!vm) {
		t->flags &= ~LP_TF_FORK_CHILD;
		lp_atfork_parent();
		lp_lock_give(&handoff_lock);
	} else if (ret < 0) {
		lp_lock_give(&handoff_lock);
	}
	if (vm && (ret < 0 || (flags & CLONE_VFORK))) {
		/* a vfork child has exec'd or exited: what it left is ours */
		if (child->exec_envp)
			lp_execenv_free(child->exec_envp);
		if (child->flags & LP_TF_ACTS_MINE)
			lp_free(child->acts);
		if (child->proc_slot != t->proc_slot) {
			lp_interposer *ip = lp_rt.ip;
			for (int i = 0; i < ip->n_vfork_hooks; i++)
				((void (*)(void *, void *))ip->vfork_hooks[i].fn)(child->proc_slot,
										   ip->vfork_hooks[i].data);
		}
		if (flags & CLONE_VFORK)
			lp_vfork_block_done(t, child);
		else
			lp_thread_free(child);
	}
	lp_sys4(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8);
	return ret;
}

long lp_do_execve(lp_ctx *c)
{
	struct lp_thread *t = lp_self();
	int ei = c->nr == SYS_execve ? 2 : 3;
	long err = 0;
	char probe;
	if (c->args[ei - 2] && lp_user_copy(&probe, (void *)c->args[ei - 2], 1))
		return -EFAULT;  /* also in page 0, which the kernel could read */
	char **envp = lp_execenv_build((char *const *)c->args[ei], &err);
	if (!envp)
		return err;
	long a[6];
	memcpy(a, c->args, sizeof a);
	a[ei] = (long)envp;
	t->exec_envp = envp;
	long r = lp_window_syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	t->exec_envp = NULL;
	lp_execenv_free(envp);
	return r;
}

long lp_do_exit(lp_ctx *c)
{
	static const uint64_t all_signals = ~0ULL;
	struct lp_thread *t = lp_self();
	if (t->flags & LP_TF_VFORK_CHILD)  /* the parent frees this block */
		return lp_window_syscall(SYS_exit, c->args[0], 0, 0, 0, 0, 0);
	if (t->vfork_spare)
		lp_thread_free(t->vfork_spare);
	lp_thread_exit_gate(c->args[0], t->map_base, t->map_len, &all_signals);
}
