/* Signals under the interposer.
 *
 * The kernel only ever sees the interposer's handlers: the application's
 * dispositions live in app_act[] and a wrapper calls its handlers.  That
 * lets the runtime
 *  - never run an application handler on top of live interposer frames:
 *    a signal that arrives while they are live (t->busy) is held back and
 *    delivered in the program's own context once they are gone -- its
 *    syscall then returns EINTR or is restarted, as the kernel decided;
 *  - run application handlers with the selector at BLOCK;
 *  - keep SIGSYS, SIGSEGV, SIGBUS and SIGILL deliverable at all times:
 *    SUD needs SIGSYS, fault-tolerant user copies need SIGSEGV/SIGBUS and
 *    code patching SIGILL.  A program that "blocks" them has it recorded
 *    (virt_blocked) and sees it in every mask it reads back. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>

#include "lp_internal.h"

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif
#define LP_NSIG 64
#define IORING_ENTER_EXT_ARG (1U << 3)

/* The kernel's struct sigaction on x86-64. */
struct lp_kact {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

struct act_slot {
	volatile uint32_t seq;
	struct lp_kact act;
};
/* The process's; a vfork-style child (CLONE_VM without CLONE_SIGHAND)
 * has its own handlers in the kernel and gets its own copy here at its
 * first change (t->acts), or posix_spawn's reset of every handler in the
 * child would reset its parent's. */
static struct act_slot app_act[LP_NSIG + 1];

static struct act_slot *acts_of(const struct lp_thread *t)
{
	return t && t->acts ? t->acts : app_act;
}
static lp_lock act_lock;

#define NEVER_BLOCKED \
	(LP_SIGBIT(SIGSYS) | LP_SIGBIT(SIGSEGV) | LP_SIGBIT(SIGBUS) | LP_SIGBIT(SIGILL))
_Static_assert(NEVER_BLOCKED == LP_NEVER_BLOCKED, "lp_layout.h");

static int held_slot(int sig)
{
	return sig == SIGILL ? 0 : sig == SIGBUS ? 1 : sig == SIGSEGV ? 2 : 3;
}
#define UNBLOCKABLE (LP_SIGBIT(SIGKILL) | LP_SIGBIT(SIGSTOP))

static bool owned(int sig)
{
	return (LP_SIGBIT(sig) & NEVER_BLOCKED) != 0;
}

static bool is_function(void *h)
{
	return h != SIG_DFL && h != SIG_IGN;
}

static void read_act(const struct lp_thread *t, int sig, struct lp_kact *out)
{
	struct act_slot *a = &acts_of(t)[sig];
	for (;;) {
		uint32_t s = __atomic_load_n(&a->seq, __ATOMIC_ACQUIRE);
		if (s & 1) {
			__builtin_ia32_pause();
			continue;
		}
		*out = a->act;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&a->seq, __ATOMIC_RELAXED) == s)
			return;
	}
}

/* The caller holds the sigaction lock. */
static void write_act(const struct lp_thread *t, int sig, const struct lp_kact *k)
{
	struct act_slot *a = &acts_of(t)[sig];
	__atomic_add_fetch(&a->seq, 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	a->act = *k;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_add_fetch(&a->seq, 1, __ATOMIC_RELEASE);
}

/* Before T changes a disposition: its own table if it is to have one.
 * 0, or -ENOMEM. */
static int own_acts(struct lp_thread *t)
{
	if (!t || !(t->flags & LP_TF_OWN_ACTS) || (t->flags & LP_TF_ACTS_MINE))
		return 0;
	struct act_slot *mine = lp_malloc(sizeof app_act);
	if (!mine)
		return -ENOMEM;
	memcpy(mine, acts_of(t), sizeof app_act);
	t->acts = mine;
	t->flags |= LP_TF_ACTS_MINE;
	return 0;
}

static void lp_signal_entry(int sig, siginfo_t *si, void *uc);

/* What the kernel gets for the application's disposition `app`. */
static long install_kernel(int sig, const struct lp_kact *app)
{
	struct lp_kact k;
	if (sig == SIGSYS) {
		/* not SA_ONSTACK: its frame stays where the program runs */
		k.handler = (void *)lp_sigsys_entry;
		k.flags = SA_SIGINFO | SA_NODEFER | SA_RESTORER;
		k.mask = 0;
	} else if (is_function(app->handler) || owned(sig)) {
		/* SA_RESETHAND is emulated in deliver(): a held-back signal
		 * must still find the handler when it is delivered again. */
		k.handler = (void *)lp_signal_entry;
		k.flags = (app->flags & ~(unsigned long)(SA_RESTORER | SA_RESETHAND)) | SA_SIGINFO |
			  SA_RESTORER;
		k.mask = app->mask & ~NEVER_BLOCKED;
	} else {
		k = *app;
		k.mask &= ~NEVER_BLOCKED;
		k.flags &= ~(unsigned long)SA_RESTORER;
	}
	k.restorer = (void *)lp_restorer;
	k.flags |= SA_RESTORER;
	return lp_sys4(SYS_rt_sigaction, sig, &k, NULL, 8);
}

static uint64_t hex64(const char *s)
{
	uint64_t v = 0;
	for (;; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;
		if (d < 0)
			return v;
		v = v << 4 | (uint64_t)d;
	}
}

/* The value after "\nNAME:\t" in a status text, or NULL. */
static const char *status_field(const char *text, size_t n, const char *name)
{
	const char *f = memmem(text, n, name, strlen(name));
	return f ? f + strlen(name) : NULL;
}

void lp_read_status(struct lp_status *st)
{
	st->valid = false;
	char buf[4096];
	long fd = lp_sys4(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return;
	long n = lp_sys3(SYS_read, fd, buf, sizeof buf - 1);
	lp_sys1(SYS_close, fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	const char *th = status_field(buf, (size_t)n, "\nThreads:\t");
	const char *ign = status_field(buf, (size_t)n, "\nSigIgn:\t");
	const char *cgt = status_field(buf, (size_t)n, "\nSigCgt:\t");
	if (!th || !ign || !cgt)
		return;
	st->threads = 0;
	for (; *th >= '0' && *th <= '9'; th++)
		st->threads = st->threads * 10 + (*th - '0');
	st->sig_ign = hex64(ign);
	st->sig_cgt = hex64(cgt);
	st->valid = st->threads > 0;
}

int lp_signals_init(const struct lp_status *st)
{
	lp_rt.never_blocked = NEVER_BLOCKED;
	/* Started at exec (by the bootstrap), a signal neither caught nor
	 * ignored has the default action with no flags and an empty mask, as
	 * execve left it: only the others are asked (64 syscalls were a
	 * twentieth of the start of a small program). */
	bool at_exec = st->valid && lp_rt.own_namespace;
	for (int sig = 1; sig <= LP_NSIG; sig++) {
		struct lp_kact cur = { SIG_DFL, 0, NULL, 0 };
		bool known = at_exec && !(LP_SIGBIT(sig) & (st->sig_ign | st->sig_cgt));
		if (!known && lp_sys4(SYS_rt_sigaction, sig, NULL, &cur, 8) < 0)
			continue;
		app_act[sig].act = cur;
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (owned(sig) || is_function(cur.handler)) {
			long r = install_kernel(sig, &cur);
			if (r < 0 && owned(sig))
				return (int)r;
		}
	}
	/* A mask inherited across execve may block what must stay open. */
	struct lp_thread *t = lp_self();
	uint64_t cur = 0, open_ = NEVER_BLOCKED;
	lp_sys4(SYS_rt_sigprocmask, SIG_UNBLOCK, &open_, &cur, 8);
	t->virt_blocked = cur & NEVER_BLOCKED;
	return 0;
}

void lp_sigaction_lock(void) { lp_lock_take(&act_lock); }
void lp_sigaction_unlock(void) { lp_lock_give(&act_lock); }
void lp_sigaction_child_reset(void) { act_lock.v = 0; }

static uint64_t *uc_mask(ucontext_t *uc)
{
	return (uint64_t *)&uc->uc_sigmask;
}

static bool is_sync_fault(int sig, const siginfo_t *si)
{
	return si->si_code > 0 &&
	       (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP);
}

static bool default_is_ignore(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

/* The default action of a signal we keep a handler installed for. */
static void act_default(const struct lp_thread *t, int sig, const siginfo_t *si, const ucontext_t *uc)
{
	if (default_is_ignore(sig))
		return;
	if (lp_rt.debug && is_sync_fault(sig, si)) {
		Dl_info di;
		uintptr_t ip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
		bool named = dladdr((void *)ip, &di) && di.dli_fname;
		lp_warn("fatal signal %d at %#lx (%s %s), address %p", sig, (unsigned long)ip,
			named ? di.dli_fname : "?", named && di.dli_sname ? di.dli_sname : "?",
			si->si_addr);
	}
	struct lp_kact dfl = { SIG_DFL, SA_RESTORER, (void *)lp_restorer, 0 };
	lp_sys4(SYS_rt_sigaction, sig, &dfl, NULL, 8);
	if (is_sync_fault(sig, si))
		return;  /* the instruction faults again, now fatally */
	uint64_t m = LP_SIGBIT(sig);
	lp_sys4(SYS_rt_sigprocmask, SIG_UNBLOCK, &m, NULL, 8);
	lp_sys3(SYS_tgkill, lp_sys0(SYS_getpid), lp_sys0(SYS_gettid), sig);
	/* Still alive (a stop signal, then SIGCONT): back to our handler. */
	struct lp_kact a;
	read_act(t, sig, &a);
	install_kernel(sig, &a);
}

/* Run the application's disposition for sig.  Only ever called when no
 * interposer frames are live on this thread (busy was 0): the handler
 * runs in the program's own context, as the kernel would run it. */
static void deliver(struct lp_thread *t, int sig, siginfo_t *si, ucontext_t *uc)
{
	struct lp_kact a;
	read_act(t, sig, &a);
	if (a.handler == SIG_IGN) {
		if (is_sync_fault(sig, si))
			act_default(t, sig, si, uc);  /* the kernel kills for ignored faults too */
		return;
	}
	if (a.handler == SIG_DFL) {
		act_default(t, sig, si, uc);
		return;
	}
	if (a.flags & SA_RESETHAND) {
		lp_sigaction_lock();
		struct lp_kact dfl = a;
		dfl.handler = SIG_DFL;
		dfl.flags &= ~(unsigned long)(SA_SIGINFO | SA_RESETHAND);
		install_kernel(sig, &dfl);
		if (own_acts(t) == 0)
			write_act(t, sig, &dfl);
		lp_sigaction_unlock();
	}
	uint64_t saved_virt = 0;
	if (t) {
		uint64_t add = a.mask | ((a.flags & SA_NODEFER) ? 0 : LP_SIGBIT(sig));
		saved_virt = t->virt_blocked;
		t->virt_blocked |= add & NEVER_BLOCKED;
		t->busy = 0;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		t->selector = LP_SEL_BLOCK;
	}
	((void (*)(int, siginfo_t *, void *))a.handler)(sig, si, uc);
	if (t) {
		t->selector = LP_SEL_ALLOW;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		t->busy = 1;
		t->virt_blocked = saved_virt;
	}
	*uc_mask(uc) &= ~NEVER_BLOCKED;
}

static void handle(struct lp_thread *t, bool was_busy, int sig, siginfo_t *si, ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	uintptr_t ip = (uintptr_t)g[REG_RIP];

	if ((sig == SIGSEGV || sig == SIGBUS) && ip >= (uintptr_t)lp_usercopy_begin &&
	    ip < (uintptr_t)lp_usercopy_end) {
		g[REG_RIP] = (greg_t)lp_usercopy_fault;  /* -EFAULT to the copier */
		return;
	}
	if (sig == SIGSEGV && t && !was_busy && lp_fault_is_bad_sled_call(uc, si))
		return;
	if (sig == SIGILL && lp_fault_is_patching(uc))
		return;

	bool sync = is_sync_fault(sig, si);
	if (was_busy) {
		if (sync)
			lp_fatal("internal error: signal %d at %p (fault address %p)", sig,
				 (void *)ip, si->si_addr);
		/* Hold it back: blocked when we return, queued again now, and
		 * unblocked when the program's context is back. */
		uint64_t bit = LP_SIGBIT(sig);
		if (bit & NEVER_BLOCKED) {
			/* cannot be blocked, even now: keep it until lp_requeue_held */
			t->held_info[held_slot(sig)] = *si;
			__atomic_or_fetch(&t->deferred, bit, __ATOMIC_SEQ_CST);
			return;
		}
		if (!(*uc_mask(uc) & bit)) {
			*uc_mask(uc) |= bit;
			__atomic_or_fetch(&t->artificial, bit, __ATOMIC_SEQ_CST);
		}
		__atomic_or_fetch(&t->deferred, bit, __ATOMIC_SEQ_CST);
		/* blocked here too: with SA_NODEFER it would come right back */
		lp_sys4(SYS_rt_sigprocmask, SIG_BLOCK, &bit, NULL, 8);
		lp_sys4(SYS_rt_tgsigqueueinfo, t->pid, t->tid, sig, si);
		if (ip == (uintptr_t)lp_window_insn) {
			/* The kernel rewound the program's syscall to restart it
			 * after the handler (or it had not started): report that
			 * up, so it is restarted from the program's site. */
			g[REG_RIP] += 2;
			g[REG_RAX] = -LP_ERESTARTSYS;
		}
		return;
	}
	if (t && !sync && (LP_SIGBIT(sig) & t->virt_blocked)) {
		t->virt_pending |= LP_SIGBIT(sig);  /* "blocked": delivered on unblock */
		return;
	}
	deliver(t, sig, si, uc);
}

static void lp_signal_entry(int sig, siginfo_t *si, void *ucv)
{
	struct lp_thread *t = (struct lp_thread *)lp_gsbase();
	if (!t) {
		handle(NULL, false, sig, si, ucv);
		return;
	}
	uint64_t was_busy = t->busy;
	t->busy = 1;
	uint8_t sel = lp_allow(t);
	handle(t, was_busy != 0, sig, si, ucv);
	lp_restore_selector(t, sel);
	if (!was_busy) {
		/* Signals held back while this wrapper ran were blocked in its
		 * own frames only: its sigreturn lets them through. */
		t->artificial = 0;
		__atomic_and_fetch(&t->deferred, NEVER_BLOCKED, __ATOMIC_SEQ_CST);
	}
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	t->busy = was_busy;
}

/* Held-back signals of the never-blocked kind, queued again now that the
 * program's context is about to come back (called from a SIGSYS handler
 * whose sigreturn restores the program's mask): blocked until then.
 * True when there were any: that sigreturn must then be made. */
bool lp_requeue_held(struct lp_thread *t)
{
	uint64_t bits = __atomic_and_fetch(&t->deferred, NEVER_BLOCKED, __ATOMIC_SEQ_CST);
	if (!bits)
		return false;
	__atomic_and_fetch(&t->deferred, ~bits, __ATOMIC_SEQ_CST);
	lp_sys4(SYS_rt_sigprocmask, SIG_BLOCK, &bits, NULL, 8);
	for (int sig = 1; sig <= LP_NSIG; sig++)
		if (bits & LP_SIGBIT(sig))
			lp_sys4(SYS_rt_tgsigqueueinfo, t->pid, t->tid, sig,
				&t->held_info[held_slot(sig)]);
	return true;
}

/* A SIGSYS that did not come from SUD (kill, seccomp): the application's. */
void lp_signal_wrapper(int sig, siginfo_t *si, void *ucv)
{
	lp_signal_entry(sig, si, ucv);
}

/* ---- emulated syscalls ---- */

long lp_emu_rt_sigaction(lp_ctx *c)
{
	int sig = (int)c->args[0];
	const void *uact = (const void *)c->args[1];
	void *uoact = (void *)c->args[2];
	if (c->args[3] != 8 || sig < 1 || sig > LP_NSIG)
		return -EINVAL;
	struct lp_kact na, oa;
	if (uact) {
		if (lp_user_copy(&na, uact, sizeof na))
			return -EFAULT;
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
		na.mask &= ~UNBLOCKABLE;
	}
	struct lp_thread *t = lp_self();
	lp_sigaction_lock();
	read_act(t, sig, &oa);
	if (uact) {
		long r = own_acts(t);
		if (r == 0)
			r = install_kernel(sig, &na);
		if (r < 0) {
			lp_sigaction_unlock();
			return r;
		}
		write_act(t, sig, &na);
	}
	lp_sigaction_unlock();
	if (uoact && lp_user_copy(uoact, &oa, sizeof oa))
		return -EFAULT;
	return 0;
}

long lp_emu_rt_sigprocmask(lp_ctx *c)
{
	int how = (int)c->args[0];
	const void *uset = (const void *)c->args[1];
	void *uoset = (void *)c->args[2];
	if (c->args[3] != 8)
		return -EINVAL;
	struct lp_thread *t = lp_self();
	ucontext_t *uc = c->lp_uc;
	uint64_t set = 0, cur = 0;
	if (uset) {
		if (lp_user_copy(&set, uset, 8))
			return -EFAULT;
		if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
			return -EINVAL;
	}
	if (uc) {
		cur = *uc_mask(uc);  /* restored by sigreturn: edit it there */
	} else {
		lp_sys4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &cur, 8);
		cur &= ~t->artificial;
	}
	uint64_t old = (cur & ~NEVER_BLOCKED) | t->virt_blocked;
	if (uset) {
		uint64_t nv = how == SIG_BLOCK ? old | set : how == SIG_UNBLOCK ? old & ~set : set;
		nv &= ~UNBLOCKABLE;
		uint64_t released = t->virt_pending & ~nv;
		t->virt_blocked = nv & NEVER_BLOCKED;
		t->virt_pending &= nv;
		uint64_t real = nv & ~NEVER_BLOCKED;
		t->artificial &= ~real;  /* now blocked by the app itself */
		if (uc)
			*uc_mask(uc) = real;
		else {
			uint64_t m = real | t->artificial;
			lp_sys4(SYS_rt_sigprocmask, SIG_SETMASK, &m, NULL, 8);
		}
		for (int s = 1; released && s <= LP_NSIG; s++)
			if (released & LP_SIGBIT(s)) {
				released &= ~LP_SIGBIT(s);
				lp_sys3(SYS_tgkill, t->pid, t->tid, s);
			}
	}
	if (uoset && lp_user_copy(uoset, &old, 8))
		return -EFAULT;
	return 0;
}

/* Syscalls that install a signal mask for their duration, or watch one. */
long lp_emu_masked_wait(lp_ctx *c)
{
	long a[6];
	memcpy(a, c->args, sizeof a);
	uint64_t mask;
	int idx = -1;
	long size = 0;
	bool waits = false;  /* with a temporary mask of its own */
	struct {
		const void *ss;
		size_t len;
	} ps;
	struct {
		uint64_t sigmask;
		uint32_t sigmask_sz, min_wait_usec;
		uint64_t ts;
	} ga;

	switch (c->nr) {
	case SYS_rt_sigsuspend:
		idx = 0, size = a[1];
		break;
	case SYS_ppoll:
		idx = 3, size = a[4];
		break;
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		idx = 4, size = a[5];
		break;
	case SYS_signalfd:
	case SYS_signalfd4:
		idx = 1, size = a[2];
		break;
	case SYS_pselect6:
		if (a[5]) {
			if (lp_user_copy(&ps, (void *)a[5], sizeof ps))
				return -EFAULT;
			if (ps.ss && ps.len == 8) {
				if (lp_user_copy(&mask, ps.ss, 8))
					return -EFAULT;
				mask &= ~NEVER_BLOCKED;
				ps.ss = &mask;
				a[5] = (long)&ps;
				waits = true;
			}
		}
		break;
	case SYS_io_uring_enter:
		if ((a[3] & IORING_ENTER_EXT_ARG) && a[4] && a[5] == sizeof ga) {
			if (lp_user_copy(&ga, (void *)a[4], sizeof ga))
				return -EFAULT;
			if (ga.sigmask && ga.sigmask_sz == 8) {
				if (lp_user_copy(&mask, (void *)ga.sigmask, 8))
					return -EFAULT;
				mask &= ~NEVER_BLOCKED;
				ga.sigmask = (uint64_t)&mask;
				a[4] = (long)&ga;
				waits = true;
			}
		} else if (!(a[3] & IORING_ENTER_EXT_ARG)) {
			idx = 4, size = a[5];
		}
		break;
	}
	if (idx >= 0 && a[idx] && size == 8) {
		if (lp_user_copy(&mask, (void *)a[idx], 8))
			return -EFAULT;
		mask &= ~NEVER_BLOCKED;
		a[idx] = (long)&mask;
		waits = c->nr != SYS_signalfd && c->nr != SYS_signalfd4;
	}
	struct lp_thread *t = lp_self();
	uint64_t own = 0;  /* the program's mask, outside the wait */
	if (waits) {
		if (c->lp_uc) {
			own = *uc_mask(c->lp_uc);
		} else {
			lp_sys4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &own, 8);
			own &= ~t->artificial;
		}
		t->wait_mask = mask;
		t->wait_state = LP_WAIT_RUNNING;
	}
	long r = lp_window_syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	/* A held-back signal that only the wait's mask lets through must be
	 * delivered under it: lp_masked_deliver's sigsuspend does that, and
	 * returns at once since the signal is pending.  Those the program's
	 * own mask lets through are delivered when it is back. */
	if (waits) {
		t->wait_state = (t->deferred & ~mask & own) ? LP_WAIT_DELIVER : LP_WAIT_NONE;
		/* A held-back signal ended the wait: as the kernel's
		 * (ERESTARTNOHAND), it returns EINTR once the handler has run,
		 * and is not restarted -- the restart would wait for a signal
		 * already delivered (dash's sigsuspend after SIGCHLD hung). */
		if (r == -LP_ERESTARTSYS)
			r = -EINTR;
	}
	return r;
}

static bool on_altstack(uintptr_t sp)
{
	stack_t cur;
	if (lp_sys2(SYS_sigaltstack, NULL, &cur) < 0 || (cur.ss_flags & SS_DISABLE))
		return false;
	return sp > (uintptr_t)cur.ss_sp && sp - (uintptr_t)cur.ss_sp <= cur.ss_size;
}

long lp_emu_sigaltstack(lp_ctx *c)
{
	struct lp_regs *r = c->lp_regs;
	ucontext_t *uc = c->lp_uc;
	/* We run on our own stack: decide "on the signal stack" by the
	 * application's stack pointer, as the kernel would. */
	bool on = on_altstack(r->rsp);
	stack_t probe;
	if (c->args[0] && lp_user_copy(&probe, (void *)c->args[0], sizeof probe))
		return -EFAULT;  /* also in page 0, which the kernel could read */
	if (c->args[0] && on)
		return -EPERM;
	long ret = lp_window_syscall(SYS_sigaltstack, c->args[0], c->args[1], 0, 0, 0, 0);
	if (ret == 0 && c->args[1] && on) {
		stack_t o;
		if (lp_user_copy(&o, (void *)c->args[1], sizeof o) == 0) {
			o.ss_flags |= SS_ONSTACK;
			lp_user_copy((void *)c->args[1], &o, sizeof o);
		}
	}
	if (ret == 0 && c->args[0]) {
		struct lp_thread *t = lp_self();
		lp_altstack_mirror(t);
		if (uc) {  /* rt_sigreturn restores the frame's copy: keep it current */
			uc->uc_stack.ss_sp = (void *)t->alt_lo;
			uc->uc_stack.ss_size = t->alt_size;
			uc->uc_stack.ss_flags = t->alt_size ? 0 : SS_DISABLE;
		}
	}
	return ret;
}

void lp_altstack_mirror(struct lp_thread *t)
{
	stack_t cur;
	if (lp_sys2(SYS_sigaltstack, NULL, &cur) < 0 || (cur.ss_flags & SS_DISABLE)) {
		t->alt_size = 0;
		t->alt_lo = 0;
	} else {
		t->alt_lo = (uintptr_t)cur.ss_sp;
		t->alt_size = cur.ss_size;
	}
}

long lp_emu_rt_sigreturn(lp_ctx *c)
{
	struct lp_regs *r = c->lp_regs;
	struct lp_thread *t = lp_self();
	ucontext_t *frame = (ucontext_t *)r->rsp;
	uint64_t m;
	if (lp_user_copy(&m, &frame->uc_sigmask, 8) == 0) {
		m &= ~NEVER_BLOCKED;
		lp_user_copy(&frame->uc_sigmask, &m, 8);
	}
	t->deferred = 0;
	t->selector = LP_SEL_BLOCK;
	t->busy = 0;
	lp_sigreturn_gate(r->rsp);
}
