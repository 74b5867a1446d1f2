/* Internal declarations of the interposer runtime. */
#ifndef LP_INTERNAL_H
#define LP_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ucontext.h>

#include "lazypoline.h"
#include "lp_bootstrap.h"
#include "lp_layout.h"

#define LP_HIDDEN __attribute__((visibility("hidden")))

/* A process's first touch of a page is a page fault (10-20 µs on a VM).
 * LP_APART puts a large, sparsely used zeroed static in .lbss, which the
 * linker places after all of .bss, so that the small variables every start
 * touches share a few pages instead of one each between large arrays;
 * LP_OWN_PAGE does the same for a one-page table every start fills. */
#define LP_APART __attribute__((section(".lbss")))
#define LP_OWN_PAGE __attribute__((section(".lbss"), aligned(4096)))

/* Registers of an interposed syscall, in the order entry.S pushes them.
 * rip is the address after the `syscall`, rsp the value at the site. */
struct lp_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, rip, rflags, rsp;
};

/* wait_state: a syscall that waits with a temporary signal mask
 * (sigsuspend, ppoll, ...) must have the signals that interrupt it
 * delivered under that mask, not the program's usual one. */
#define LP_WAIT_NONE    0
#define LP_WAIT_RUNNING 1   /* in the window syscall */
#define LP_WAIT_DELIVER 2   /* interrupted: deliver through lp_masked_deliver */

/* Thread flags */
#define LP_TF_VFORK_CHILD 1u  /* block belongs to the parent: do not free */
#define LP_TF_FORK_CHILD  2u  /* set across a fork-like clone: the child is a copy */
#define LP_TF_SHARED_VM   4u  /* CLONE_VM without CLONE_THREAD: the parent's memory */
#define LP_TF_OWN_ACTS    8u  /* ... and without CLONE_SIGHAND: dispositions of its own */
#define LP_TF_ACTS_MINE  16u  /* acts was allocated for this one (copied on its first change) */

/* One per thread, reached through %gs.  Offsets used by assembly are
 * fixed in lp_layout.h and checked in thread.c. */
struct lp_thread {
	volatile uint8_t selector;
	uint8_t pad0[7];
	uintptr_t stack_lo;
	uintptr_t stack_hi;
	uintptr_t clone_rsp;
	volatile uint64_t busy;         /* interposer frames are live: hold signals */
	volatile uint64_t deferred;     /* signals held back while busy (pending) */
	uint64_t virt_blocked;          /* never-blocked signals the app "blocked" */
	uint32_t flags;
	int32_t tid;
	struct lp_regs child_regs;      /* how a new child starts */
	uint8_t pad2[LP_OFF_CHILD_MASK - LP_OFF_CHILD_REGS - sizeof(struct lp_regs)];
	uint64_t child_mask;            /* signal mask a new child starts with */
	void *map_base;
	size_t map_len;
	uint64_t virt_pending;          /* such signals that arrived meanwhile */
	char **exec_envp;               /* envp built for an execve in progress */
	const char *exec_note;          /* trace line the new program prints */
	int32_t pid;                    /* the thread group (process) id */
	int32_t wait_state;             /* LP_WAIT_* */
	uint64_t wait_mask;             /* mask of the masked wait in progress */
	uintptr_t alt_lo;               /* the program's alternate signal stack */
	uint64_t alt_size;              /* (0: none) */
	volatile uint64_t artificial;   /* blocked by us to hold signals back */
	siginfo_t held_info[4];         /* held-back SIGILL, SIGBUS, SIGSEGV, SIGSYS */
	void *proc_slot;                /* lp_process_slot() */
	struct lp_thread *vfork_spare;  /* the block this thread's last vfork child ran on */
	void *acts;                     /* the dispositions' table (NULL: the process's) */
	uint8_t pad3[LP_OFF_SELF - LP_OFF_CHILD_MASK - 112 - 4 * sizeof(siginfo_t)];
	struct lp_thread *self;
	uint8_t pad4[LP_OFF_CHILD_XSAVE - LP_OFF_SELF - 8];
	uint8_t child_xsave[LP_CHILD_XSAVE_MAX] __attribute__((aligned(64)));
};

static inline struct lp_thread *lp_self(void)
{
	struct lp_thread *t;
	__asm__ volatile("mov %%gs:%c1, %0" : "=r"(t) : "i"(LP_OFF_SELF));
	return t;
}

/* ---- entry.S ---- */
/* Where a rewritten site's syscall goes: lp_pass (nobody wants it),
 * lp_prefiltered (ask the prefilter first) or lp_slow_rewritten. */
extern void *lp_route[LP_NR_MAX] LP_HIDDEN;
extern lp_prefilter lp_prefilter_fn[LP_NR_MAX] LP_HIDDEN;
/* 1: save the extended state around the handlers (some may touch it) */
extern uint8_t lp_fpu[LP_NR_MAX] LP_HIDDEN;
void lp_pass(void) LP_HIDDEN;
void lp_prefiltered(void) LP_HIDDEN;
void lp_slow_rewritten(void) LP_HIDDEN;
extern uint32_t lp_xsave_mask_lo LP_HIDDEN, lp_xsave_mask_hi LP_HIDDEN;
extern uint64_t lp_xsave_size LP_HIDDEN;       /* bytes reserved (+64 for alignment) */
extern uint8_t lp_xsave_compact LP_HIDDEN;
extern uint8_t lp_have_fsgsbase LP_HIDDEN;
/* %gs:LP_OFF_SELF may be read by a thread that has no block (see lp_gsbase) */
extern uint8_t lp_gs_self_readable LP_HIDDEN;
extern struct lp_thread *volatile lp_clone_handoff LP_HIDDEN;

void lp_entry(void) LP_HIDDEN;
void lp_sigsys_entry(int, siginfo_t *, void *) LP_HIDDEN;
void lp_restorer(void) LP_HIDDEN;
long lp_raw_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5) LP_HIDDEN;
long lp_window_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5) LP_HIDDEN;
extern char lp_window_insn[] LP_HIDDEN;
uintptr_t lp_gsbase(void) LP_HIDDEN;
void lp_set_gsbase(uintptr_t) LP_HIDDEN;
void lp_sigreturn_gate(uintptr_t frame) LP_HIDDEN __attribute__((noreturn));
void lp_thread_exit_gate(long code, void *map, size_t len, const uint64_t *all) LP_HIDDEN
	__attribute__((noreturn));
long lp_clone_gate(struct lp_regs *r) LP_HIDDEN;
extern char lp_usercopy_begin[] LP_HIDDEN, lp_usercopy_end[] LP_HIDDEN;
void lp_usercopy_fault(void) LP_HIDDEN;
int lp_user_copy(void *dst, const void *src, size_t n) LP_HIDDEN;
long lp_user_strncpy(char *dst, const char *src, size_t n) LP_HIDDEN;
int lp_user_cmpxchg8(uint64_t *p, uint64_t old, uint64_t new_) LP_HIDDEN;
int lp_user_cmpxchg1(uint8_t *p, uint8_t old, uint8_t new_) LP_HIDDEN;
extern char __start_lp_gate[] LP_HIDDEN, __stop_lp_gate[] LP_HIDDEN;
extern char lp_deliver_trap[] LP_HIDDEN;
extern char lp_masked_deliver[] LP_HIDDEN;

/* C entry points called from entry.S */
void lp_slow_entry_c(struct lp_regs *r, void *xsave) LP_HIDDEN;
/* NULL, or the frame's extended state when the trap may end without a
 * sigreturn (see runtime.c) */
void *lp_sigsys_c(int sig, siginfo_t *si, void *uc, struct lp_thread *t, long busy_before) LP_HIDDEN;
void lp_child_start(struct lp_thread *t) LP_HIDDEN;

/* Shorthands for the interposer's own syscalls (never interposed). */
#define lp_sys0(n) lp_raw_syscall((n), 0, 0, 0, 0, 0, 0)
#define lp_sys1(n, a) lp_raw_syscall((n), (long)(a), 0, 0, 0, 0, 0)
#define lp_sys2(n, a, b) lp_raw_syscall((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define lp_sys3(n, a, b, c) lp_raw_syscall((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define lp_sys4(n, a, b, c, d) lp_raw_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define lp_sys5(n, a, b, c, d, e) \
	lp_raw_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define lp_sys6(n, a, b, c, d, e, f) \
	lp_raw_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* ---- configuration (runtime.c) ---- */
struct lp_hentry {
	lp_handler fn;
	void *data;
	unsigned flags;
};
struct lp_hlist {
	struct lp_hentry *v;
	int n, cap;
};
#define LP_MAX_HOOKS 8
struct lp_hook {
	void *fn;
	void *data;
};

struct lp_interposer {
	struct lp_hlist all;
	struct lp_hlist per[LP_NR_MAX];
	bool allow_only;
	int allow_errno;
	uint8_t allowed[LP_NR_MAX];
	int16_t block_errno[LP_NR_MAX];
	enum lp_mode mode;
	unsigned rewrite_after;        /* 0: LAZYPOLINE_REWRITE_AFTER or the default */
	int trace_fd;
	lp_prefilter prefilter[LP_NR_MAX];
	struct lp_hook exec_hooks[LP_MAX_HOOKS];
	struct lp_hook vfork_hooks[LP_MAX_HOOKS];
	int n_exec_hooks, n_vfork_hooks;
	char *child_interposer;
};

struct lp_runtime {
	struct lp_interposer *ip;      /* the started interposer */
	enum lp_mode mode;             /* the mode in effect */
	bool started;
	bool rewrite;                  /* lazy or eager */
	bool own_namespace;            /* loaded by libbootstrap with dlmopen */
	bool capstone_elsewhere;       /* linked into a loader without Capstone */
	uintptr_t keep_lo, keep_hi;    /* code never rewritten (the loader's) */
	bool debug;                    /* LAZYPOLINE_DEBUG: report refused sites */
	unsigned rewrite_after;        /* traps of a site before it is rewritten */
	uint64_t program;              /* program_key(): which program runs */
	int pid;
	uint64_t never_blocked;        /* signals the app can never block */
	uint8_t internal[LP_NR_MAX];   /* syscalls the runtime itself needs */
	uint8_t internal_gpr[LP_NR_MAX];  /* ... and handles without vector registers */
	uint8_t keeps_sigreturn[LP_NR_MAX];  /* ... and emulates: a SUD trap of it keeps its sigreturn */
	char *bootstrap_path;          /* libbootstrap.so, for execve */
	char *interposer_path;         /* LIBLAZYPOLINE */
};
extern struct lp_runtime lp_rt LP_HIDDEN;

void lp_dispatch(struct lp_regs *r, ucontext_t *uc, void *xsave) LP_HIDDEN;
void lp_recompute_wanted(void) LP_HIDDEN;
unsigned lp_rewrite_after_env(const char *s) LP_HIDDEN;
const char *lp_mode_env(const char **name) LP_HIDDEN;
void lp_fatal(const char *fmt, ...) LP_HIDDEN __attribute__((noreturn, format(printf, 1, 2)));
void lp_warn(const char *fmt, ...) LP_HIDDEN __attribute__((format(printf, 1, 2)));

/* ---- xstate.c ---- */
void lp_xstate_init(bool across_exec) LP_HIDDEN;

/* ---- thread.c ---- */
struct lp_thread *lp_thread_alloc(void) LP_HIDDEN;
void lp_thread_free(struct lp_thread *t) LP_HIDDEN;
/* A block for a vfork child of T: the one its last vfork child left, or new */
struct lp_thread *lp_vfork_block(struct lp_thread *t) LP_HIDDEN;
/* T's vfork child has exec'd or exited: keep its block for the next one */
void lp_vfork_block_done(struct lp_thread *t, struct lp_thread *child) LP_HIDDEN;
int lp_thread_arm(struct lp_thread *t) LP_HIDDEN;
/* Interposer C code runs with the selector at ALLOW, so that its own
 * syscalls (and those of its libc) are not trapped.  The previous value
 * is restored on the way out: nesting must not turn interposition off. */
static inline uint8_t lp_allow(struct lp_thread *t)
{
	uint8_t prev = t->selector;
	t->selector = LP_SEL_ALLOW;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return prev;
}
static inline void lp_restore_selector(struct lp_thread *t, uint8_t prev)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	t->selector = prev;
}

/* ---- alloc.c ---- */
void lp_alloc_lock(void) LP_HIDDEN;
void lp_alloc_unlock(void) LP_HIDDEN;
void lp_alloc_child_reset(void) LP_HIDDEN;
void *lp_realloc(void *p, size_t n) LP_HIDDEN;

/* ---- spin locks that are safe with signals deferred ---- */
typedef struct { volatile int v; } lp_lock;
void lp_lock_take(lp_lock *l) LP_HIDDEN;
void lp_lock_give(lp_lock *l) LP_HIDDEN;

/* ---- signals.c ---- */
#define LP_SIGBIT(s) (1ULL << ((s) - 1))
/* What /proc/self/status says of this process (valid: it was read). */
struct lp_status {
	bool valid;
	int threads;
	uint64_t sig_ign, sig_cgt;
};
void lp_read_status(struct lp_status *st) LP_HIDDEN;
int lp_signals_init(const struct lp_status *st) LP_HIDDEN;
long lp_emu_rt_sigaction(lp_ctx *c) LP_HIDDEN;
long lp_emu_rt_sigprocmask(lp_ctx *c) LP_HIDDEN;
long lp_emu_masked_wait(lp_ctx *c) LP_HIDDEN;
long lp_emu_sigaltstack(lp_ctx *c) LP_HIDDEN;
void lp_altstack_mirror(struct lp_thread *t) LP_HIDDEN;
long lp_emu_rt_sigreturn(lp_ctx *c) LP_HIDDEN;
void lp_sigaction_lock(void) LP_HIDDEN;
void lp_sigaction_unlock(void) LP_HIDDEN;
void lp_sigaction_child_reset(void) LP_HIDDEN;
void lp_signal_wrapper(int sig, siginfo_t *si, void *uc) LP_HIDDEN;
bool lp_requeue_held(struct lp_thread *t) LP_HIDDEN;
void lp_regs_from_uc(struct lp_regs *r, const ucontext_t *uc) LP_HIDDEN;
/* A signal frame's extended state when the kernel saved it in the XSAVE
 * layout (its sw_reserved bytes say so), with *SIZE its size; NULL with
 * none, or the legacy FXSAVE layout only. */
const uint8_t *lp_frame_xsave(const ucontext_t *uc, uint32_t *size) LP_HIDDEN;

/* ---- rewrite.c ---- */
int lp_trampoline_reserve(void) LP_HIDDEN;
void lp_trampoline_fill(uint8_t *page0, uint8_t *page1, uintptr_t target) LP_HIDDEN;
void lp_maybe_rewrite(uintptr_t site) LP_HIDDEN;
int lp_rewrite_site(uintptr_t site) LP_HIDDEN;
bool lp_fault_is_bad_sled_call(ucontext_t *uc, siginfo_t *si) LP_HIDDEN;
bool lp_fault_is_patching(ucontext_t *uc) LP_HIDDEN;
void lp_rewrite_lock(void) LP_HIDDEN;
void lp_rewrite_unlock(void) LP_HIDDEN;
void lp_rewrite_child_reset(void) LP_HIDDEN;
bool lp_site_rewritten(uintptr_t site) LP_HIDDEN;  /* by this process */
void lp_rewrite_probe_by_fault(void) LP_HIDDEN;  /* test: no MADV_POPULATE_WRITE */
extern uint64_t lp_stat_rewritten LP_HIDDEN, lp_stat_refused LP_HIDDEN;

/* ---- redzone.c ---- */
enum lp_site_verdict {
	LP_SITE_OK = 0,
	LP_SITE_NO_FUNCTION,   /* no unwind entry: bounds unknown */
	LP_SITE_REDZONE,       /* the function may keep data below rsp */
	LP_SITE_UNDECODABLE,
	LP_SITE_NOT_SYSCALL,
	LP_SITE_UNKNOWN,       /* no verdict kept, and Capstone not loaded here */
};
int lp_redzone_init(void) LP_HIDDEN;
/* May the `syscall` at SITE be rewritten?  Kept verdicts first. */
enum lp_site_verdict lp_site_check(uintptr_t site) LP_HIDDEN;
/* How often did another process of this program trap at the `syscall`
 * at SITE (lp_sites_heat; see rewrite.c)?  A hint, cheap enough to ask
 * at a site's first trap: the verdict is another matter (lp_site_check). */
enum lp_site_heat { LP_SITE_COLD, LP_SITE_WARM, LP_SITE_HOT };
enum lp_site_heat lp_site_heat(uintptr_t site) LP_HIDDEN;
void lp_site_mark(uintptr_t site, enum lp_site_heat heat) LP_HIDDEN;
/* The red-zone verdict for one function's bytes, listing its `syscall`
 * instructions (unit-tested). */
enum lp_site_verdict lp_function_analyze(const uint8_t *code, size_t len, uint64_t addr,
					 uintptr_t *sites, size_t max_sites, size_t *n_sites) LP_HIDDEN;
const char *lp_verdict_name(enum lp_site_verdict v) LP_HIDDEN;

/* ---- sitestore.c ---- */
void lp_sites_attach(bool inherit_fd) LP_HIDDEN;
/* PROGRAM: a key of this process's program (see runtime.c) */
bool lp_sites_want_capstone(uint64_t program) LP_HIDDEN;
bool lp_sites_would_want_capstone(uint64_t program) LP_HIDDEN;
void lp_sites_capstone_missing(void) LP_HIDDEN;
/* A site of the function CODE had no verdict here: count it, and keep
 * the function for the next process that loads Capstone. */
void lp_sites_missed(const uint8_t *code, size_t len, const uint32_t *fixes, size_t n_fixes) LP_HIDDEN;
/* With Capstone: decide the functions others missed (lp_sites_decide). */
int lp_sites_decide_wanted(void) LP_HIDDEN;  /* how many */
/* redzone.c: decide every `syscall` of the function CODE (bytes as they
 * were, anywhere in memory) and keep the verdicts. */
void lp_sites_decide(const uint8_t *code, size_t len) LP_HIDDEN;
/* FIXES: offsets (ascending) of sites this process rewrote, hashed as the
 * `0f 05` they were, so that every process computes the same key. */
void lp_sites_hash(const uint8_t *code, size_t len, size_t site_off, const uint32_t *fixes, size_t n_fixes,
		   uint64_t *h1, uint64_t *h2) LP_HIDDEN;
int lp_sites_lookup(uint64_t h1, uint64_t h2) LP_HIDDEN;  /* a verdict, or -1 */
/* Warm or hot: a process of PROGRAM in the run (or in an earlier one,
 * through the cache) trapped there often (see rewrite.c).  A mark only
 * rises. */
enum lp_site_heat lp_sites_heat(uint64_t h1, uint64_t h2, uint64_t program) LP_HIDDEN;
void lp_sites_mark(uint64_t h1, uint64_t h2, uint64_t program, enum lp_site_heat heat) LP_HIDDEN;
void lp_sites_record(uint64_t h1, uint64_t h2, int verdict) LP_HIDDEN;

/* ---- ehframe.c ---- */
struct lp_fde_range {
	uintptr_t start, end;
};
/* Find the function containing pc from a .eh_frame_hdr section. */
int lp_ehframe_lookup(const uint8_t *hdr, uintptr_t pc, struct lp_fde_range *out) LP_HIDDEN;
/* Call fn for every function listed in the .eh_frame_hdr table. */
int lp_ehframe_each(const uint8_t *hdr, void (*fn)(const struct lp_fde_range *, void *), void *arg)
	LP_HIDDEN;

/* The function containing pc in O, from its table or its .eh_frame. */
int lp_object_function(const struct lp_object *o, uintptr_t pc, struct lp_fde_range *out) LP_HIDDEN;
/* The object mapped at pc (struct lp_object: lp_bootstrap.h).  From the
 * dynamic loader, or for code it does not know (a program
 * lazypoline-loader started with its own ld.so) from the object's ELF
 * headers in memory; -1 when pc is in no ELF object. */
int lp_find_object(uintptr_t pc, struct lp_object *o) LP_HIDDEN;
/* The dynamic loader's answer alone (glibc's _dl_find_object; musl has
 * none): false when it does not know pc. */
bool lp_dl_object(uintptr_t pc, struct lp_object *o) LP_HIDDEN;
/* /proc/self/maps, NUL-terminated, in lp_malloc'd memory (NULL: none). */
char *lp_read_self_maps(void) LP_HIDDEN;

/* ---- eager.c ---- */
void lp_eager_scan(void) LP_HIDDEN;

/* ---- lifecycle.c ---- */
long lp_do_clone(lp_ctx *c) LP_HIDDEN;
long lp_do_execve(lp_ctx *c) LP_HIDDEN;
long lp_do_exit(lp_ctx *c) LP_HIDDEN;
void lp_atfork_prepare(void) LP_HIDDEN;
void lp_atfork_parent(void) LP_HIDDEN;
void lp_atfork_child(void) LP_HIDDEN;
void lp_atfork_thread_started(void) LP_HIDDEN;

/* ---- execenv.c ---- */
struct lp_envvar {
	char *name;     /* "NAME" */
	char *entry;    /* "NAME=value" */
};
/* Remember what every new program needs to be interposed again. */
int lp_execenv_capture(char **environ_, const char *bootstrap, const char *interposer) LP_HIDDEN;
int lp_execenv_in_process(const char *child_interposer) LP_HIDDEN;
/* lp_exec_env_set with FD in decimal */
int lp_exec_env_set_fd(const char *name, int fd) LP_HIDDEN;
void *lp_run_shared_fd(const char *name, long fd, size_t size, bool across_exec) LP_HIDDEN;
/* Build the environment for a new program: the caller's entries with
 * ours added.  Returns an lp_malloc'ed NULL-terminated array (the
 * strings it points to are the caller's or ours), or NULL + errno. */
char **lp_execenv_build(char *const *user_envp, long *err) LP_HIDDEN;
void lp_execenv_free(char **envp) LP_HIDDEN;

/* ---- hidden fds (fds the runtime owns: the trace file) ---- */
/* When FD moves: ENV (NULL: none), the variable that names it to
 * children, is set to the new number, and MOVED (NULL: none) told it. */
bool lp_fd_hide_notify(int fd, const char *env, void (*moved)(int oldfd, int newfd)) LP_HIDDEN;
bool lp_fd_hidden(int fd) LP_HIDDEN;
bool lp_fd_any_hidden(void) LP_HIDDEN;
long lp_emu_fd_guard(lp_ctx *c) LP_HIDDEN;
int lp_fd_guard_prefilter(long nr, const long a[6]) LP_HIDDEN;

/* ---- trace.c ---- */
lp_action lp_trace_handler(lp_ctx *c, void *data) LP_HIDDEN;
void lp_trace_start(int fd) LP_HIDDEN;
/* One trace line, without newline: the call, and its result when done. */
size_t lp_trace_format(char *buf, size_t n, int pid, const lp_ctx *c, long result, bool done)
	LP_HIDDEN;
void lp_trace_exec_resumed(void) LP_HIDDEN;
extern int lp_trace_fd LP_HIDDEN;

/* ---- syscall names (generated) ---- */
/* names in place, not pointers: a pointer table is a relocation per
 * entry at every start of the static loader */
#define LP_SYSCALL_NAME_SIZE 32
extern const char lp_syscall_names[LP_NR_MAX][LP_SYSCALL_NAME_SIZE] LP_HIDDEN;
/* errno and signal names as glibc gives them (gen-names.c); "" where none */
#define LP_ERRNO_MAX 256
#define LP_ERRNO_NAME_SIZE 24
#define LP_ERRNO_DESC_SIZE 64
#define LP_SIGNAL_MAX 64
#define LP_SIGNAL_NAME_SIZE 16
extern const char lp_errno_names[LP_ERRNO_MAX][LP_ERRNO_NAME_SIZE] LP_HIDDEN;
extern const char lp_errno_descs[LP_ERRNO_MAX][LP_ERRNO_DESC_SIZE] LP_HIDDEN;
extern const char lp_signal_names[LP_SIGNAL_MAX + 1][LP_SIGNAL_NAME_SIZE] LP_HIDDEN;

#endif
