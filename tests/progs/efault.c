/* Bad pointers: every syscall whose memory the interposer reads or writes
 * itself must give the errno the kernel gives, never a crash.  Prints one
 * "name: result" line per call; the output must be the same natively and
 * interposed (also under the tracer, which reads paths and buffers). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* 1 is in page 0, where the rewriting modes keep their trampoline;
 * NO_ACCESS is a page that cannot be read. */
#define BAD ((long)1)

static void show(const char *name, long r)
{
	printf("%s: %s\n", name, r < 0 ? strerrorname_np(errno) : "ok");
}

int main(void)
{
	char *argv[] = { "/bin/true", NULL }, *envp[] = { NULL };
	struct timespec ts = { 0, 1000 };
	int ep = epoll_create1(0);
	struct epoll_event ev;
	/* Syscalls the kernel alone reads get a pointer to a page it cannot read:
	 * the kernel can read page 0 when the trampoline is mapped there.
	 * A page of no access, kept mapped: an unmapped one could be taken by
	 * the interposer's own allocations (a rewrite's) meanwhile. */
	long NO_ACCESS = (long)mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	show("rt_sigaction act", syscall(SYS_rt_sigaction, SIGUSR1, BAD, 0, 8));
	show("rt_sigaction oldact", syscall(SYS_rt_sigaction, SIGUSR1, 0, BAD, 8));
	show("rt_sigprocmask set", syscall(SYS_rt_sigprocmask, SIG_BLOCK, BAD, 0, 8));
	show("rt_sigprocmask oldset", syscall(SYS_rt_sigprocmask, SIG_BLOCK, 0, BAD, 8));
	show("rt_sigsuspend", syscall(SYS_rt_sigsuspend, BAD, 8));
	show("sigaltstack ss", syscall(SYS_sigaltstack, BAD, 0));
	show("sigaltstack old", syscall(SYS_sigaltstack, 0, BAD));
	show("ppoll sigmask", syscall(SYS_ppoll, 0, 0, &ts, BAD, 8));
	show("pselect6 sigmask", syscall(SYS_pselect6, 0, 0, 0, 0, &ts, BAD));
	show("epoll_pwait sigmask", syscall(SYS_epoll_pwait, ep, &ev, 1, 0, BAD, 8));
	show("signalfd4 mask", syscall(SYS_signalfd4, -1, BAD, 8, 0));
	show("execve path", syscall(SYS_execve, BAD, argv, envp));
	show("execve argv", syscall(SYS_execve, "/bin/true", BAD, envp));
	show("execve envp", syscall(SYS_execve, "/bin/true", argv, BAD));
	show("clone3 args", syscall(SYS_clone3, BAD, 88));
	show("arch_prctl ARCH_GET_GS", syscall(SYS_arch_prctl, 0x1004, BAD));
	show("openat path", syscall(SYS_openat, AT_FDCWD, NO_ACCESS, O_RDONLY));
	show("newfstatat path", syscall(SYS_newfstatat, AT_FDCWD, NO_ACCESS, NO_ACCESS, 0));
	show("write buffer", syscall(SYS_write, 1, NO_ACCESS, 10));
	show("read buffer", syscall(SYS_read, ep, NO_ACCESS, 10));
	show("readlink path", syscall(SYS_readlink, NO_ACCESS, NO_ACCESS, 10));
	show("uname", syscall(SYS_uname, NO_ACCESS));
	fflush(stdout);
	return 0;
}
