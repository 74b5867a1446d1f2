/* The interposer: building it, starting it, and dispatching each syscall
 * through filters, handlers and the runtime's own executor.
 *
 * An interposed syscall takes four named hops:
 *   page-0 sled -> lp_entry (entry.S, fast path when nobody wants it)
 *   -> lp_slow_rewritten / lp_sigsys_entry (entry.S, save state)
 *   -> lp_slow_entry_c / lp_sigsys_c (here) -> lp_dispatch -> handlers
 *   -> lp_execute (the real syscall, with lifecycle and signal care). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <asm/prctl.h>

#include "lp_internal.h"

#ifndef FP_XSTATE_MAGIC1
#define FP_XSTATE_MAGIC1 0x46505853U
#endif

const uint8_t *lp_frame_xsave(const ucontext_t *uc, uint32_t *size)
{
	const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
	struct {
		uint32_t magic1, extended_size;
		uint64_t xfeatures;
		uint32_t xstate_size;
	} sw;
	if (!fp)
		return NULL;
	memcpy(&sw, fp + LP_FX_SW_RESERVED, sizeof sw);
	*size = sw.xstate_size;
	return sw.magic1 == FP_XSTATE_MAGIC1 ? fp : NULL;
}

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#endif
#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

struct lp_runtime lp_rt;
void *lp_route[LP_NR_MAX] LP_OWN_PAGE;
lp_prefilter lp_prefilter_fn[LP_NR_MAX] LP_OWN_PAGE;
uint8_t lp_fpu[LP_NR_MAX];

/* ---- building ---- */

lp_interposer *lp_new(void)
{
	lp_interposer *ip = lp_calloc(1, sizeof *ip);
	if (ip)
		ip->trace_fd = -1;
	return ip;
}

static int hlist_add(struct lp_hlist *l, lp_handler fn, void *data, unsigned flags)
{
	if (l->n == l->cap) {
		/* most syscalls get one handler: room for one (the VFS takes
		 * ~100 of them, three pages of the allocator at four each) */
		int cap = l->cap ? 2 * l->cap : 1;
		struct lp_hentry *v = lp_calloc((size_t)cap, sizeof *v);
		if (!v)
			return -ENOMEM;
		if (l->n)
			memcpy(v, l->v, (size_t)l->n * sizeof *v);
		lp_free(l->v);
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].fn = fn;
	l->v[l->n].data = data;
	l->v[l->n].flags = flags;
	l->n++;
	return 0;
}

int lp_on_flags(lp_interposer *ip, long nr, lp_handler fn, void *data, unsigned flags)
{
	if (!ip || !fn || (flags & ~LP_GPR_ONLY))
		return -EINVAL;
	if (lp_rt.started)
		return -EBUSY;
	if (nr == LP_ALL_SYSCALLS)
		return hlist_add(&ip->all, fn, data, flags);
	if (nr < 0 || nr >= LP_NR_MAX)
		return -EINVAL;
	return hlist_add(&ip->per[nr], fn, data, flags);
}

int lp_on(lp_interposer *ip, long nr, lp_handler fn, void *data)
{
	return lp_on_flags(ip, nr, fn, data, 0);
}

int lp_on_prefilter(lp_interposer *ip, long nr, lp_prefilter fn)
{
	if (!ip || !fn || nr < 0 || nr >= LP_NR_MAX)
		return -EINVAL;
	if (lp_rt.started)
		return -EBUSY;
	if (ip->prefilter[nr])
		return -EEXIST;
	ip->prefilter[nr] = fn;
	return 0;
}

int lp_allow_only(lp_interposer *ip, const long *nrs, size_t n, int err)
{
	if (!ip || err <= 0 || err > 4095)
		return -EINVAL;
	if (lp_rt.started)
		return -EBUSY;
	for (size_t i = 0; i < n; i++)
		if (nrs[i] < 0 || nrs[i] >= LP_NR_MAX)
			return -EINVAL;
	for (size_t i = 0; i < n; i++)
		ip->allowed[nrs[i]] = 1;
	ip->allow_only = true;
	ip->allow_errno = err;
	return 0;
}

int lp_block_list(lp_interposer *ip, const long *nrs, size_t n, int err)
{
	if (!ip || err <= 0 || err > 4095)
		return -EINVAL;
	if (lp_rt.started)
		return -EBUSY;
	for (size_t i = 0; i < n; i++)
		if (nrs[i] < 0 || nrs[i] >= LP_NR_MAX)
			return -EINVAL;
	for (size_t i = 0; i < n; i++)
		ip->block_errno[nrs[i]] = (int16_t)err;
	return 0;
}

static int add_hook(struct lp_hook *hooks, int *n, void *fn, void *data)
{
	if (!fn)
		return -EINVAL;
	if (lp_rt.started)
		return -EBUSY;
	if (*n == LP_MAX_HOOKS)
		return -ENOSPC;
	hooks[*n].fn = fn;
	hooks[*n].data = data;
	(*n)++;
	return 0;
}

int lp_on_exec(lp_interposer *ip, int (*fn)(lp_exec_env *env, void *data), void *data)
{
	return ip ? add_hook(ip->exec_hooks, &ip->n_exec_hooks, (void *)fn, data) : -EINVAL;
}

int lp_on_vfork_done(lp_interposer *ip, void (*fn)(void *child_slot, void *data), void *data)
{
	return ip ? add_hook(ip->vfork_hooks, &ip->n_vfork_hooks, (void *)fn, data) : -EINVAL;
}

int lp_set_child_interposer(lp_interposer *ip, const char *path)
{
	if (!ip || !path || path[0] != '/')
		return -EINVAL;
	if (lp_rt.started)
		return -EBUSY;
	size_t n = strlen(path) + 1;
	lp_free(ip->child_interposer);
	if (!(ip->child_interposer = lp_malloc(n)))
		return -ENOMEM;
	memcpy(ip->child_interposer, path, n);
	return 0;
}

/* Before lp_start there is no thread block yet: the slot lives here and
 * the first thread block takes it over. */
static void *slot_before_start;

void **lp_process_slot(void)
{
	return lp_rt.started ? &lp_self()->proc_slot : &slot_before_start;
}

int lp_shares_parent_memory(void)
{
	return lp_rt.started && (lp_self()->flags & LP_TF_SHARED_VM) != 0;
}

static int hide_fd(int fd, const char *env, void (*moved)(int oldfd, int newfd))
{
	if (fd < 0)
		return -EBADF;
	if (!lp_fd_hide_notify(fd, env, moved))
		return -ENOSPC;
	if (lp_rt.started)
		lp_recompute_wanted();  /* close and friends are watched from now on */
	return 0;
}

int lp_hide_fd(int fd)
{
	return hide_fd(fd, NULL, NULL);
}

int lp_hide_fd_moved(int fd, void (*moved)(int oldfd, int newfd))
{
	return hide_fd(fd, NULL, moved);
}

static void *map_shared(long fd, size_t size)
{
	struct stat st;
	if (lp_sys2(SYS_fstat, fd, &st) < 0 || (size_t)st.st_size != size)
		return NULL;
	long a = lp_sys6(SYS_mmap, 0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return a < 0 && a > -4096 ? NULL : (void *)a;
}

/* Maps FD (SIZE bytes) as memory of the run named NAME: moved out of the
 * way of the program's own fds, hidden, and passed to new programs in
 * NAME when ACROSS_EXEC.  Takes FD (closed on failure). */
void *lp_run_shared_fd(const char *name, long fd, size_t size, bool across_exec)
{
	/* out of the way of the program's own fds */
	long moved = lp_sys3(SYS_fcntl, fd, across_exec ? F_DUPFD : F_DUPFD_CLOEXEC, 900);
	lp_sys1(SYS_close, fd);
	void *m = moved < 0 ? NULL : map_shared(moved, size);
	if (!m) {
		if (moved >= 0)
			lp_sys1(SYS_close, moved);
		return NULL;
	}
	hide_fd((int)moved, across_exec ? name : NULL, NULL);
	if (across_exec)
		lp_exec_env_set_fd(name, (int)moved);
	return m;
}

void *lp_run_shared(const char *name, size_t size, bool across_exec, bool *fresh)
{
	*fresh = false;
	const char *inherited = getenv(name);
	if (inherited && *inherited) {
		long fd = 0;
		for (const char *p = inherited; *p >= '0' && *p <= '9'; p++)
			fd = fd * 10 + (*p - '0');
		void *m = map_shared(fd, size);
		if (m) {
			hide_fd((int)fd, name, NULL);
			lp_exec_env_set_fd(name, (int)fd);
		}
		return m;
	}
	long mfd = lp_sys2(SYS_memfd_create, name, across_exec ? 0 : MFD_CLOEXEC);
	if (mfd < 0)
		return NULL;
	if (lp_sys2(SYS_ftruncate, mfd, size) < 0) {
		lp_sys1(SYS_close, mfd);
		return NULL;
	}
	void *m = lp_run_shared_fd(name, mfd, size, across_exec);
	*fresh = m != NULL;
	return m;
}

int lp_set_mode(lp_interposer *ip, enum lp_mode mode)
{
	if (!ip || mode < LP_MODE_AUTO || mode > LP_MODE_EAGER)
		return -EINVAL;
	if (lp_rt.started)
		return -EBUSY;
	ip->mode = mode;
	return 0;
}

int lp_set_rewrite_after(lp_interposer *ip, unsigned traps)
{
	if (!ip || traps < 1 || traps > LP_REWRITE_AFTER_MAX)
		return -EINVAL;
	if (lp_rt.started)
		return -EBUSY;
	ip->rewrite_after = traps;
	return 0;
}

int lp_trace_to_fd(lp_interposer *ip, int fd)
{
	if (!ip || fd < 0)
		return -EINVAL;
	if (lp_rt.started)
		return -EBUSY;
	ip->trace_fd = fd;
	return lp_on(ip, LP_ALL_SYSCALLS, lp_trace_handler, NULL);
}

enum lp_mode lp_active_mode(void)
{
	return lp_rt.started ? lp_rt.mode : LP_MODE_AUTO;
}

/* ---- the wanted table: which syscalls leave the fast path ---- */

/* The runtime's emulations of the thread's life and of signals (lp_execute):
 * they may change the thread, its signal mask or the frame a SUD trap
 * returns through, so such a trap keeps its sigreturn (lp_sigsys_c). */
static const long frame_syscalls[] = {
	SYS_clone, SYS_clone3, SYS_fork, SYS_vfork, SYS_execve, SYS_execveat, SYS_exit,
	SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_sigaltstack,
	SYS_rt_sigsuspend, SYS_ppoll, SYS_pselect6, SYS_epoll_pwait, SYS_epoll_pwait2,
	SYS_signalfd, SYS_signalfd4, SYS_io_uring_enter,
};
/* ... and what would switch the interposer off */
static const long guard_syscalls[] = { SYS_prctl, SYS_arch_prctl };
static const long fd_guard_syscalls[] = { SYS_close, SYS_close_range, SYS_dup2, SYS_dup3 };

/* Does the fd guard watch NR (only while fds are hidden)? */
static bool fd_guarded(int nr)
{
	for (size_t i = 0; i < sizeof fd_guard_syscalls / sizeof *fd_guard_syscalls; i++)
		if (fd_guard_syscalls[i] == nr)
			return lp_fd_any_hidden();
	return false;
}

void lp_recompute_wanted(void)
{
	lp_interposer *ip = lp_rt.ip;
	for (size_t i = 0; i < sizeof frame_syscalls / sizeof *frame_syscalls; i++)
		lp_rt.internal[frame_syscalls[i]] = lp_rt.keeps_sigreturn[frame_syscalls[i]] = 1;
	for (size_t i = 0; i < sizeof guard_syscalls / sizeof *guard_syscalls; i++)
		lp_rt.internal[guard_syscalls[i]] = 1;
	if (lp_fd_any_hidden())
		for (size_t i = 0; i < sizeof fd_guard_syscalls / sizeof *fd_guard_syscalls; i++) {
			lp_rt.internal[fd_guard_syscalls[i]] = 1;
			lp_rt.internal_gpr[fd_guard_syscalls[i]] = 1;  /* no libc there */
		}
	for (int nr = 0; nr < LP_NR_MAX; nr++) {
		bool handled = ip->all.n || ip->per[nr].n;
		bool refused = ip->block_errno[nr] || (ip->allow_only && !ip->allowed[nr]);
		bool wanted = lp_rt.internal[nr] || handled || refused;
		/* a prefilter may only skip the handlers, never the runtime --
		 * except the fd guard's, which knows what the runtime needs */
		bool guarded = fd_guarded(nr) && !refused;
		bool prefiltered = guarded || (ip->prefilter[nr] && !lp_rt.internal[nr] && !refused);
		bool gpr_only = !lp_rt.internal[nr] || lp_rt.internal_gpr[nr];
		for (int i = 0; i < ip->all.n; i++)
			gpr_only &= (ip->all.v[i].flags & LP_GPR_ONLY) != 0;
		for (int i = 0; i < ip->per[nr].n; i++)
			gpr_only &= (ip->per[nr].v[i].flags & LP_GPR_ONLY) != 0;
		lp_prefilter_fn[nr] = guarded ? lp_fd_guard_prefilter : prefiltered ? ip->prefilter[nr] : NULL;
		lp_fpu[nr] = !gpr_only;
		void *route = !wanted ? (void *)lp_pass : prefiltered ? (void *)lp_prefiltered
								      : (void *)lp_slow_rewritten;
		__atomic_store_n(&lp_route[nr], route, __ATOMIC_RELEASE);
	}
}

/* ---- dispatch ---- */

#define LP_CF_EXECUTED 1

static long lp_execute(lp_ctx *c);

static struct lp_hentry *next_handler(lp_ctx *c)
{
	lp_interposer *ip = lp_rt.ip;
	int pos = c->lp_pos++;
	if (pos < ip->all.n)
		return &ip->all.v[pos];
	pos -= ip->all.n;
	long nr = c->lp_orig_nr;
	if (nr >= 0 && nr < LP_NR_MAX && pos < ip->per[nr].n)
		return &ip->per[nr].v[pos];
	return NULL;
}

long lp_ctx_exec(lp_ctx *c)
{
	if (c->lp_flags & LP_CF_EXECUTED)
		return c->lp_result;
	for (;;) {
		struct lp_hentry *h = next_handler(c);
		if (!h) {
			c->lp_result = lp_execute(c);
			c->lp_flags |= LP_CF_EXECUTED;
			return c->lp_result;
		}
		lp_action a = h->fn(c, h->data);
		if (a.kind == LP_ACT_RETURN)
			return a.value;
		if (a.kind == LP_ACT_BLOCK)
			return -a.value;
		if (c->lp_flags & LP_CF_EXECUTED)  /* ran it, then said continue */
			return c->lp_result;
	}
}

static long filter(const lp_ctx *c)
{
	lp_interposer *ip = lp_rt.ip;
	long nr = c->nr;
	if (nr < 0 || nr >= LP_NR_MAX)
		return ip->allow_only ? -ip->allow_errno : 0;
	if (ip->block_errno[nr])
		return -ip->block_errno[nr];
	if (ip->allow_only && !ip->allowed[nr])
		return -ip->allow_errno;
	return 0;
}

void lp_dispatch(struct lp_regs *r, ucontext_t *uc, void *xsave)
{
	struct lp_thread *t = lp_self();
	lp_ctx c;
	c.nr = (long)r->rax;
	c.args[0] = (long)r->rdi;
	c.args[1] = (long)r->rsi;
	c.args[2] = (long)r->rdx;
	c.args[3] = (long)r->r10;
	c.args[4] = (long)r->r8;
	c.args[5] = (long)r->r9;
	c.ip = r->rip - 2;
	c.tid = t->tid;
	c.via = uc ? LP_VIA_SUD : LP_VIA_REWRITTEN;
	c.lp_regs = r;
	c.lp_uc = uc;
	c.lp_xsave = xsave;
	c.lp_orig_nr = c.nr;
	c.lp_result = 0;
	c.lp_pos = 0;
	c.lp_flags = 0;
	long f = filter(&c);
	r->rax = (uint64_t)(f ? f : lp_ctx_exec(&c));
}

static long window(const lp_ctx *c)
{
	return lp_window_syscall(c->nr, c->args[0], c->args[1], c->args[2], c->args[3], c->args[4],
				 c->args[5]);
}

/* The runtime's own part of every syscall: lifecycle, signals, and
 * refusing what would switch the interposer off. */
static long lp_execute(lp_ctx *c)
{
	switch (c->nr) {
	case SYS_clone:
	case SYS_clone3:
	case SYS_fork:
	case SYS_vfork:
		return lp_do_clone(c);
	case SYS_execve:
	case SYS_execveat:
		return lp_do_execve(c);
	case SYS_exit:
		return lp_do_exit(c);
	case SYS_rt_sigaction:
		return lp_emu_rt_sigaction(c);
	case SYS_rt_sigprocmask:
		return lp_emu_rt_sigprocmask(c);
	case SYS_rt_sigreturn:
		return lp_emu_rt_sigreturn(c);
	case SYS_sigaltstack:
		return lp_emu_sigaltstack(c);
	case SYS_rt_sigsuspend:
	case SYS_ppoll:
	case SYS_pselect6:
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
	case SYS_signalfd:
	case SYS_signalfd4:
	case SYS_io_uring_enter:
		return lp_emu_masked_wait(c);
	case SYS_prctl:
		if (c->args[0] == PR_SET_SYSCALL_USER_DISPATCH)
			return -EPERM;  /* the application may not switch us off */
		break;
	case SYS_arch_prctl:
		if (c->args[0] == ARCH_SET_GS)
			return -EPERM;  /* %gs holds the interposer's thread block */
		if (c->args[0] == ARCH_GET_GS) {
			unsigned long zero = 0;
			return lp_user_copy((void *)c->args[1], &zero, sizeof zero);
		}
		break;
	case SYS_close:
	case SYS_close_range:
	case SYS_dup2:
	case SYS_dup3:
		if (lp_fd_any_hidden())
			return lp_emu_fd_guard(c);
		break;
	}
	return window(c);
}

/* ---- C entry points ---- */

void lp_slow_entry_c(struct lp_regs *r, void *xsave)
{
	struct lp_thread *t = lp_self();
	if (t->selector == LP_SEL_ALLOW) {
		/* The runtime itself reached a rewritten site (vdso, ld.so). */
		r->rax = (uint64_t)lp_raw_syscall((long)r->rax, (long)r->rdi, (long)r->rsi,
						  (long)r->rdx, (long)r->r10, (long)r->r8,
						  (long)r->r9);
		return;
	}
	uint8_t sel = lp_allow(t);
	uint64_t nr = r->rax;
	lp_dispatch(r, NULL, xsave);
	if (r->rax == (uint64_t)-LP_ERESTARTSYS) {
		/* A held-back signal interrupted it and wants it restarted:
		 * return to the site itself, as the kernel rewinds rip. */
		r->rcx = r->rip - 2;
		r->rax = nr;
	}
	lp_restore_selector(t, sel);
}

void lp_regs_from_uc(struct lp_regs *r, const ucontext_t *uc)
{
	const greg_t *g = uc->uc_mcontext.gregs;
	r->r15 = (uint64_t)g[REG_R15];
	r->r14 = (uint64_t)g[REG_R14];
	r->r13 = (uint64_t)g[REG_R13];
	r->r12 = (uint64_t)g[REG_R12];
	r->rbp = (uint64_t)g[REG_RBP];
	r->rbx = (uint64_t)g[REG_RBX];
	r->r11 = (uint64_t)g[REG_EFL];
	r->r10 = (uint64_t)g[REG_R10];
	r->r9 = (uint64_t)g[REG_R9];
	r->r8 = (uint64_t)g[REG_R8];
	r->rax = (uint64_t)g[REG_RAX];
	r->rcx = (uint64_t)g[REG_RIP];
	r->rdx = (uint64_t)g[REG_RDX];
	r->rsi = (uint64_t)g[REG_RSI];
	r->rdi = (uint64_t)g[REG_RDI];
	r->rip = (uint64_t)g[REG_RIP];
	r->rflags = (uint64_t)g[REG_EFL];
	r->rsp = (uint64_t)g[REG_RSP];
}

/* The trap that ends a rewritten slow path with held-back signals: the
 * sigreturn unblocks them and resumes the program atomically, so the
 * kernel delivers them in the program's own context. */
static void deliver_held(struct lp_thread *t, ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	lp_requeue_held(t);
	__atomic_store_n(&t->deferred, 0, __ATOMIC_SEQ_CST);
	uint64_t added = __atomic_exchange_n(&t->artificial, 0, __ATOMIC_SEQ_CST);
	*(uint64_t *)&uc->uc_sigmask &= ~added;
	/* the epilogue left the resume address below the red zone */
	uint64_t resume = *(const uint64_t *)g[REG_RSP];
	g[REG_RSP] += LP_TRAP_FRAME;
	g[REG_RCX] = (greg_t)resume;
	g[REG_R11] = g[REG_EFL];
	if (t->wait_state == LP_WAIT_DELIVER) {
		t->wait_state = LP_WAIT_NONE;
		g[REG_RIP] = (greg_t)lp_masked_deliver;  /* resumes at rcx */
	} else {
		g[REG_RIP] = (greg_t)resume;
	}
}

/* May this SUD trap return without a sigreturn (lp_sigsys_entry's quick
 * return), as the rewritten path does?  Only what the frame holds must
 * come back: the registers, which the quick return restores, and the
 * extended state, which it restores with XRSTOR from the frame (XSAVE
 * layout only).  Not after the runtime's own syscalls of signals, clone,
 * exec (they change the mask or the frame; the fd guard's do not), not
 * with signals held back (their sigreturn lets them through), not nested,
 * not with a shadow stack (the kernel's token on it is popped by
 * sigreturn). */
static void *quick_return_state(const struct lp_thread *t, const ucontext_t *uc, long nr, uint64_t mask_before,
				long busy_before)
{
	if (busy_before || (nr >= 0 && nr < LP_NR_MAX && lp_rt.keeps_sigreturn[nr]) || t->wait_state != LP_WAIT_NONE ||
	    __atomic_load_n(&t->deferred, __ATOMIC_RELAXED) || __atomic_load_n(&t->artificial, __ATOMIC_RELAXED) ||
	    *(const uint64_t *)&uc->uc_sigmask != mask_before)
		return NULL;
	uint32_t size;
	const uint8_t *fp = lp_frame_xsave(uc, &size);
	if (!fp || ((uintptr_t)fp & 63))  /* XRSTOR wants 64-byte alignment */
		return NULL;
	uint64_t ssp = 0;
	__asm__ volatile("rdsspq %0" : "+r"(ssp));  /* a NOP without a shadow stack */
	return ssp ? NULL : (void *)fp;
}

void *lp_sigsys_c(int sig, siginfo_t *si, void *ucv, struct lp_thread *t, long busy_before)
{
	ucontext_t *uc = ucv;
	if (!t) {  /* a thread the runtime does not know: pass it on */
		lp_signal_wrapper(sig, si, ucv);
		return NULL;
	}
	greg_t *g = uc->uc_mcontext.gregs;
	if ((uintptr_t)g[REG_RIP] == (uintptr_t)lp_deliver_trap + 2) {
		deliver_held(t, uc);
		return NULL;
	}
	uint64_t mask_before = *(const uint64_t *)&uc->uc_sigmask;
	uint8_t sel = lp_allow(t);
	struct lp_regs r;
	lp_regs_from_uc(&r, uc);
	if (lp_rt.rewrite)
		lp_maybe_rewrite(r.rip - 2);
	long nr = (long)r.rax;
	long args[6] = { (long)r.rdi, (long)r.rsi, (long)r.rdx, (long)r.r10, (long)r.r8, (long)r.r9 };
	if (nr >= 0 && nr < LP_NR_MAX && lp_prefilter_fn[nr] && !lp_prefilter_fn[nr](nr, args))
		r.rax = (uint64_t)lp_window_syscall(nr, args[0], args[1], args[2], args[3], args[4],
						    args[5]);
	else
		lp_dispatch(&r, uc, NULL);
	if (r.rax == (uint64_t)-LP_ERESTARTSYS) {
		/* restart after the held-back signal's handler; rax still
		 * holds the syscall number, as SUD left it */
		g[REG_RIP] -= 2;
	} else {
		g[REG_RAX] = (greg_t)r.rax;
	}
	g[REG_RCX] = g[REG_RIP];
	g[REG_R11] = g[REG_EFL];
	if (t->wait_state == LP_WAIT_DELIVER) {
		t->wait_state = LP_WAIT_NONE;
		g[REG_RIP] = (greg_t)lp_masked_deliver;  /* resumes at rcx */
	}
	/* held-back signals are requeued blocked, for the sigreturn to unblock */
	bool held = lp_requeue_held(t);
	void *quick = held || r.rax == (uint64_t)-LP_ERESTARTSYS
			      ? NULL
			      : quick_return_state(t, uc, nr, mask_before, busy_before);
	lp_restore_selector(t, sel);
	return quick;
}

/* ---- public helpers ---- */

long lp_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	return lp_raw_syscall(nr, a0, a1, a2, a3, a4, a5);
}

int lp_copy_from_user(void *dst, const void *user_src, size_t n)
{
	return lp_user_copy(dst, user_src, n);
}

int lp_copy_to_user(void *user_dst, const void *src, size_t n)
{
	return lp_user_copy(user_dst, src, n);
}


const char *lp_syscall_name(long nr)
{
	return (nr >= 0 && nr < LP_NR_MAX && lp_syscall_names[nr][0]) ? lp_syscall_names[nr] : NULL;
}

long lp_syscall_number(const char *name)
{
	for (long nr = 0; nr < LP_NR_MAX; nr++)
		if (lp_syscall_names[nr][0] && strcmp(lp_syscall_names[nr], name) == 0)
			return nr;
	return -1;
}

/* ---- messages ---- */

static void vmessage(const char *fmt, va_list ap)
{
	char buf[512];
	int n = snprintf(buf, sizeof buf, "lazypoline: ");
	n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	lp_sys3(SYS_write, 2, buf, n);
}

void lp_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

void lp_fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	lp_sys1(SYS_exit_group, 125);
	__builtin_unreachable();
}

/* ---- start ---- */

/* LAZYPOLINE_MODE_ONCE, for this exec only, wins over LAZYPOLINE_MODE;
 * *NAME: which one it is. */
const char *lp_mode_env(const char **name)
{
	const char *once = getenv("LAZYPOLINE_MODE_ONCE");
	bool is_once = once && *once;
	if (name)
		*name = is_once ? "LAZYPOLINE_MODE_ONCE" : "LAZYPOLINE_MODE";
	return is_once ? once : getenv("LAZYPOLINE_MODE");
}

static enum lp_mode mode_from_env(enum lp_mode dflt, int *bad)
{
	const char *m = lp_mode_env(NULL);
	*bad = 0;
	if (!m || !*m || !strcmp(m, "auto"))
		return dflt;
	if (!strcmp(m, "sud"))
		return LP_MODE_SUD;
	if (!strcmp(m, "lazy"))
		return LP_MODE_LAZY;
	if (!strcmp(m, "eager"))
		return LP_MODE_EAGER;
	*bad = 1;
	return dflt;
}

/* LAZYPOLINE_REWRITE_AFTER's value: the default when unset, 0 when bad. */
unsigned lp_rewrite_after_env(const char *s)
{
	if (!s || !*s)
		return LP_REWRITE_AFTER_DEFAULT;
	char *end;
	errno = 0;
	unsigned long n = strtoul(s, &end, 10);
	if (*end || errno || s[0] < '0' || s[0] > '9' || n < 1 || n > LP_REWRITE_AFTER_MAX)
		return 0;
	return (unsigned)n;
}

/* Which program this process runs: the first page of its executable
 * (ELF header, program headers, build-id note), hashed -- or the name a
 * launcher that runs programs in its own process gives (LAZYPOLINE_PROGRAM,
 * set by the VFS for lazypoline-loader). */
static uint64_t program_key(void)
{
	static uint8_t page[4096] LP_APART;
	const char *named = getenv("LAZYPOLINE_PROGRAM");
	uint64_t h1, h2;
	if (named && *named) {
		lp_sites_hash((const uint8_t *)named, strlen(named), 1, NULL, 0, &h1, &h2);
		return h1 ^ h2;
	}
	uintptr_t phdr = getauxval(AT_PHDR);
	if (!phdr || lp_user_copy(page, (void *)(phdr & ~(uintptr_t)4095), sizeof page))
		return 0;
	lp_sites_hash(page, sizeof page, 0, NULL, 0, &h1, &h2);
	return h1 ^ h2;
}

int lp_start(lp_interposer *ip)
{
	if (!ip)
		return -EINVAL;
	if (lp_rt.started)
		return -EBUSY;
	enum lp_mode mode = ip->mode;
	if (mode == LP_MODE_AUTO) {
		int bad;
		mode = mode_from_env(LP_MODE_AUTO, &bad);
		if (bad)
			return -EINVAL;
	}
	lp_rt.rewrite_after = ip->rewrite_after ? ip->rewrite_after
						: lp_rewrite_after_env(getenv("LAZYPOLINE_REWRITE_AFTER"));
	if (!lp_rt.rewrite_after)
		return -EINVAL;
	lp_rt.ip = ip;
	lp_rt.pid = (int)lp_sys0(SYS_getpid);
	const char *dbg = getenv("LAZYPOLINE_DEBUG");
	lp_rt.debug = dbg && *dbg && strcmp(dbg, "0");
	lp_have_fsgsbase = (getauxval(AT_HWCAP2) & 2) != 0;
	/* what this process learns is passed on to the programs it starts */
	bool across_exec = lp_rt.own_namespace || ip->child_interposer;
	lp_xstate_init(across_exec);
	/* Testing switches: take the paths of CPUs without these features. */
	if (getenv("LAZYPOLINE_TEST_NO_FSGSBASE"))
		lp_have_fsgsbase = 0;
	if (getenv("LAZYPOLINE_TEST_NO_XSAVEC"))
		lp_xsave_compact = 0;
	if (getenv("LAZYPOLINE_TEST_NO_POPULATE"))  /* a kernel before 5.14 */
		lp_rewrite_probe_by_fault();

	bool forced = mode != LP_MODE_AUTO;
	/* SUD for this program only (LAZYPOLINE_MODE_ONCE: vfsrun's own start
	 * in the view): the programs it starts may rewrite, and the first
	 * process of a run is the one that opens the run's verdict table */
	const char *children_mode = getenv("LAZYPOLINE_MODE");
	if (mode == LP_MODE_SUD && across_exec && (!children_mode || strcmp(children_mode, "sud")))
		lp_sites_attach(across_exec);
	if (mode != LP_MODE_SUD) {
		int r = lp_trampoline_reserve();
		bool capstone = false;
		if (r == 0) {
			/* verdicts kept for the run may spare loading Capstone */
			lp_sites_attach(across_exec);
			uint64_t program = lp_rt.program = program_key();
			if (lp_rt.capstone_elsewhere && (mode == LP_MODE_EAGER || lp_sites_would_want_capstone(program))) {
				lp_sys2(SYS_munmap, 0, LP_TRAMP_LEN);
				return -ELIBACC;  /* the caller runs a program that has it */
			}
			/* without Capstone, leave the table alone: misses that came
			 * in since the look above stay for the next process to decide */
			capstone = !lp_rt.capstone_elsewhere && (mode == LP_MODE_EAGER || lp_sites_want_capstone(program));
		}
		if (r < 0) {
			if (forced)
				return r;
			mode = LP_MODE_SUD;
		} else if (capstone && lp_redzone_init() < 0) {
			/* no Capstone: nothing can be proven safe to rewrite */
			lp_sites_capstone_missing();
			lp_sys2(SYS_munmap, 0, LP_TRAMP_LEN);
			if (forced)
				return -ELIBACC;
			mode = LP_MODE_SUD;
		} else {
			int decided = capstone ? lp_sites_decide_wanted() : 0;
			if (capstone && lp_rt.debug)
				lp_warn("Capstone loaded; %d functions other processes missed decided", decided);
			if (mode == LP_MODE_AUTO)
				mode = LP_MODE_LAZY;
		}
	}
	lp_rt.mode = mode;
	lp_rt.rewrite = mode == LP_MODE_LAZY || mode == LP_MODE_EAGER;

	struct lp_thread *t = lp_thread_alloc();
	if (!t)
		return -ENOMEM;
	t->tid = (int32_t)lp_sys0(SYS_gettid);
	t->pid = lp_rt.pid;
	t->proc_slot = slot_before_start;
	lp_altstack_mirror(t);
	lp_set_gsbase((uintptr_t)t);

	if (ip->trace_fd >= 0)
		lp_trace_start(ip->trace_fd);
	if (!lp_rt.own_namespace && ip->child_interposer &&
	    lp_execenv_in_process(ip->child_interposer) < 0)
		return -ENOMEM;
	lp_recompute_wanted();
	struct lp_status st;
	lp_read_status(&st);
	/* there is no thread without a block: every thread but this one is a
	 * child it makes (or one reads zero there from page 0 once the
	 * trampoline is filled, see trampoline_fill_in) */
	lp_gs_self_readable = st.valid && st.threads == 1;
	int r = lp_signals_init(&st);
	if (r < 0)
		return r;
	if (mode == LP_MODE_EAGER)
		lp_eager_scan();
	if (lp_thread_arm(t) != 0)
		return -ENOSYS;
	lp_rt.started = true;
	t->selector = LP_SEL_BLOCK;
	return 0;
}
