/* lazypoline: build syscall interposers for unmodified x86-64 Linux programs.
 *
 * Every syscall of the process is caught by Syscall User Dispatch; each
 * `syscall` site is rewritten into a call through page 0 after its first
 * traps when that is safe.  Handlers see a context and return an action.
 *
 *   lp_interposer *ip = lp_new();
 *   lp_on(ip, SYS_openat, my_handler, NULL);
 *   lp_start(ip);
 *
 * Handlers run on a private stack with the interposer's own syscalls
 * let through; they must not block signals or longjmp.  See README.md. */
#ifndef LAZYPOLINE_H
#define LAZYPOLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LAZYPOLINE_VERSION "0.1.0"
#define LP_API __attribute__((visibility("default")))

typedef struct lp_interposer lp_interposer;

/* How the syscall reached the interposer. */
enum lp_via { LP_VIA_SUD = 1, LP_VIA_REWRITTEN = 2 };

/* What a handler sees.  nr and args may be changed by a handler that
 * returns lp_continue(); the application's registers are not changed. */
typedef struct lp_ctx {
	long nr;
	long args[6];
	uintptr_t ip;     /* address of the `syscall` instruction */
	pid_t tid;
	int via;          /* enum lp_via */
	/* private to the runtime */
	void *lp_regs;
	void *lp_uc;
	void *lp_xsave;
	long lp_orig_nr;
	long lp_result;
	int lp_pos;
	int lp_flags;
} lp_ctx;

enum lp_action_kind { LP_ACT_CONTINUE = 0, LP_ACT_RETURN, LP_ACT_BLOCK };
typedef struct lp_action {
	enum lp_action_kind kind;
	long value;
} lp_action;

/* Go on (to the next handler, then the real syscall) with ctx's args. */
static inline lp_action lp_continue(void) { lp_action a = { LP_ACT_CONTINUE, 0 }; return a; }
/* Do not run the syscall; the application gets `value` in rax. */
static inline lp_action lp_return(long value) { lp_action a = { LP_ACT_RETURN, value }; return a; }
/* Do not run the syscall; it fails with errno `err`. */
static inline lp_action lp_block(int err) { lp_action a = { LP_ACT_BLOCK, err }; return a; }

typedef lp_action (*lp_handler)(lp_ctx *ctx, void *data);

/* A prefilter decides from the arguments alone whether a syscall needs the
 * handlers at all: it returns 0 to let the syscall run at once (no handler
 * sees it), anything else to go on to the handlers.  It runs on the
 * program's stack with nothing saved, so it must be tiny: compiled with
 * -mgeneral-regs-only, no syscalls, no locks, no libc (lp_copy_from_user
 * and lp_strncpy_from_user are fine), under 1 KiB of stack. */
typedef int (*lp_prefilter)(long nr, const long args[6]);

/* Handler flags */
#define LP_GPR_ONLY 1u  /* uses no vector or x87 registers (-mgeneral-regs-only,
			   no libc): the program's extended state need not be saved */

#define LP_ALL_SYSCALLS (-1L)

enum lp_mode {
	LP_MODE_AUTO = 0, /* lazy when page 0 can be mapped, else sud */
	LP_MODE_SUD,      /* every syscall traps; nothing is rewritten */
	LP_MODE_LAZY,     /* a site is rewritten after its first traps */
	LP_MODE_EAGER,    /* lazy, plus every site found at start-up */
};

/* Building an interposer (before lp_start). Functions returning int give
 * 0 or a negative errno. */
LP_API lp_interposer *lp_new(void);
/* Call fn for syscall nr (or every syscall: LP_ALL_SYSCALLS).  Handlers
 * of one syscall run in registration order, LP_ALL_SYSCALLS ones first. */
LP_API int lp_on(lp_interposer *ip, long nr, lp_handler fn, void *data);
/* The same, with LP_* handler flags. */
LP_API int lp_on_flags(lp_interposer *ip, long nr, lp_handler fn, void *data, unsigned flags);
/* Run fn before the handlers of syscall nr (one prefilter per syscall). */
LP_API int lp_on_prefilter(lp_interposer *ip, long nr, lp_prefilter fn);
/* Only the listed syscalls run; every other one fails with errno err. */
LP_API int lp_allow_only(lp_interposer *ip, const long *nrs, size_t n, int err);
/* The listed syscalls fail with errno err. */
LP_API int lp_block_list(lp_interposer *ip, const long *nrs, size_t n, int err);
LP_API int lp_set_mode(lp_interposer *ip, enum lp_mode mode);
/* Lazy mode rewrites a site at its Nth trap (1..LP_REWRITE_AFTER_MAX;
 * default LP_REWRITE_AFTER_DEFAULT, or LAZYPOLINE_REWRITE_AFTER): a
 * rewrite costs about what a few dozen traps save, so a site a process
 * runs only a few times (start-up, exit) is cheaper left to trap. */
#define LP_REWRITE_AFTER_DEFAULT 16
#define LP_REWRITE_AFTER_MAX 1000000
LP_API int lp_set_rewrite_after(lp_interposer *ip, unsigned traps);
/* The built-in tracer: one line per syscall written to fd. */
LP_API int lp_trace_to_fd(lp_interposer *ip, int fd);
/* Start interposing the calling thread and every thread and child it
 * creates from now on.  Threads that already exist are not interposed. */
LP_API int lp_start(lp_interposer *ip);

/* Inside a handler: run the rest of the chain and the real syscall with
 * ctx's (possibly changed) nr and args now; returns the result (a
 * negative errno on failure).  Return lp_return(result) afterwards. */
LP_API long lp_ctx_exec(lp_ctx *ctx);

/* The real syscall, never interposed; returns a negative errno on error. */
LP_API long lp_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* Access to the application's memory that never faults: these return
 * -EFAULT where the kernel would. */
LP_API int lp_copy_from_user(void *dst, const void *user_src, size_t n);
LP_API int lp_copy_to_user(void *user_dst, const void *src, size_t n);
/* Copies a NUL-terminated string of at most n-1 bytes; returns its
 * length, -EFAULT, or -ENAMETOOLONG when no NUL is within n bytes.  The
 * bytes of dst after the NUL (within n) may change. */
LP_API long lp_strncpy_from_user(char *dst, const char *user_src, size_t n);

/* Allocation that is safe inside handlers (no application locks). */
LP_API void *lp_malloc(size_t n);
LP_API void *lp_calloc(size_t n, size_t size);
LP_API void lp_free(void *p);

/* Environment entries added to every execve of the application, so that
 * configuration survives programs that scrub their environment. */
LP_API int lp_exec_env_set(const char *name, const char *value);
/* Called on the way into every execve, to add entries that depend on the
 * process at that moment (they override the program's own). */
typedef struct lp_exec_env lp_exec_env;
LP_API int lp_on_exec(lp_interposer *ip, int (*fn)(lp_exec_env *env, void *data), void *data);
LP_API int lp_exec_env_add(lp_exec_env *env, const char *name, const char *value);

/* One pointer of per-process state for an interposer library.  Threads
 * share it, a fork child gets a copy of it (and of the memory).  A
 * vfork-style child (CLONE_VM without CLONE_THREAD: vfork, posix_spawn)
 * starts with its parent's pointer but shares its parent's memory:
 * lp_shares_parent_memory() says so, and state the parent still needs
 * must not be changed -- install a private copy in the slot instead;
 * lp_on_vfork_done's callback gets that copy in the parent afterwards,
 * to free it. */
LP_API void **lp_process_slot(void);
LP_API int lp_shares_parent_memory(void);
LP_API int lp_on_vfork_done(lp_interposer *ip, void (*fn)(void *child_slot, void *data), void *data);

/* An fd of the interposer's own (a log, shared memory): the program does
 * not see it -- close gives EBADF, close_range and dup2 leave it alone --
 * and it stays open across execve unless it is close-on-exec. */
LP_API int lp_hide_fd(int fd);
/* The same, and MOVED(oldfd, newfd) is called when a dup2 or dup3 of the
 * program onto the fd moves the interposer's from OLDFD to NEWFD (in the
 * process that made the call: a vfork child's fds are not its parent's). */
LP_API int lp_hide_fd_moved(int fd, void (*moved)(int oldfd, int newfd));
/* SIZE bytes of memory shared by the processes of a run: fork children
 * share the mapping; with ACROSS_EXEC, programs started with execve map
 * it again from a memfd kept open out of the program's way (hidden, as
 * lp_hide_fd) and named in the environment variable NAME (a string that
 * stays valid), which they get like the LAZYPOLINE_* settings.  *FRESH:
 * this process made it (zeroed).  NULL if it cannot be had -- also when
 * NAME names one that is gone: a new one would not be shared. */
LP_API void *lp_run_shared(const char *name, size_t size, bool across_exec, bool *fresh);

/* In-process use: the interposer library that programs started with
 * execve get (with libbootstrap.so, found next to liblazypoline.so).
 * Without it they are not interposed. */
LP_API int lp_set_child_interposer(lp_interposer *ip, const char *path);
/* Called in the child after fork-like clones (not threads), before it
 * returns to the application. */
LP_API int lp_on_fork_child(void (*fn)(void *data), void *data);
/* pthread_atfork for handlers: PREPARE runs in the forking thread before
 * the clone (take the locks your handlers hold), PARENT and CHILD after it
 * (release them); any may be NULL.  They run with all signals blocked. */
LP_API int lp_on_fork(void (*prepare)(void *data), void (*parent)(void *data),
		      void (*child)(void *data), void *data);

LP_API enum lp_mode lp_active_mode(void);
LP_API const char *lp_syscall_name(long nr);  /* "openat", or NULL */
LP_API long lp_syscall_number(const char *name);  /* -1 when unknown */

/* Defined by an interposer library loaded with LIBLAZYPOLINE=lib.so
 * LD_PRELOAD=libbootstrap.so: register handlers on ip and return 0. */
LP_API int lazypoline_init(lp_interposer *ip);

#ifdef __cplusplus
}
#endif
#endif
