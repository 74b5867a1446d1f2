/* File descriptors the runtime owns (the trace output, the kept site
 * verdicts) or an interposer hides (the view's state).  The application
 * never opened them, so to it they do not exist: close gives EBADF,
 * close_range and "close every fd" loops leave them alone, and a dup2
 * onto one moves ours out of the way first. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>

#include "lp_internal.h"

#define LP_MAX_HIDDEN 8
static struct {
	int fd;
	const char *env;  /* the variable that names it to children, or NULL */
	void (*moved)(int oldfd, int newfd);
} hidden[LP_MAX_HIDDEN];
static int n_hidden;

bool lp_fd_hide_notify(int fd, const char *env, void (*moved)(int oldfd, int newfd))
{
	if (n_hidden == LP_MAX_HIDDEN)
		return false;
	hidden[n_hidden].fd = fd;
	hidden[n_hidden].env = env;
	hidden[n_hidden].moved = moved;
	n_hidden++;
	return true;
}

bool lp_fd_hidden(int fd)
{
	for (int i = 0; i < n_hidden; i++)
		if (hidden[i].fd == fd)
			return true;
	return false;
}

bool lp_fd_any_hidden(void)
{
	return n_hidden > 0;
}

/* Move hidden fd number `fd` elsewhere before the application takes it. */
static long move_hidden(int fd)
{
	for (int i = 0; i < n_hidden; i++) {
		if (hidden[i].fd != fd)
			continue;
		long fl = lp_sys2(SYS_fcntl, fd, F_GETFD);
		long nfd = lp_sys3(SYS_fcntl, fd, (fl > 0 && (fl & FD_CLOEXEC)) ? F_DUPFD_CLOEXEC : F_DUPFD,
				   fd + 1);
		if (nfd < 0)
			return nfd;
		hidden[i].fd = (int)nfd;
		if (hidden[i].env)
			lp_exec_env_set_fd(hidden[i].env, (int)nfd);
		if (hidden[i].moved)
			hidden[i].moved(fd, (int)nfd);
	}
	return 0;
}

/* Prefilter of close, close_range, dup2 and dup3 while fds are hidden:
 * only a call that names a hidden fd needs the runtime (without this,
 * every close of the program took the slow path).  Others go on to the
 * interposer's own prefilter, or to its handlers if it has any. */
int lp_fd_guard_prefilter(long nr, const long a[6])
{
	bool touches;
	if (nr == SYS_close) {
		touches = lp_fd_hidden((int)a[0]);
	} else if (nr == SYS_close_range) {
		unsigned first = (unsigned)a[0], last = (unsigned)a[1];
		touches = false;
		for (int i = 0; i < n_hidden; i++)
			touches |= (unsigned)hidden[i].fd >= first && (unsigned)hidden[i].fd <= last;
	} else {
		touches = lp_fd_hidden((int)a[0]) || lp_fd_hidden((int)a[1]);
	}
	if (touches)
		return 1;
	const lp_interposer *ip = lp_rt.ip;
	if (ip->prefilter[nr])
		return ip->prefilter[nr](nr, a);
	return ip->all.n || ip->per[nr].n;
}

long lp_emu_fd_guard(lp_ctx *c)
{
	long *a = c->args;
	switch (c->nr) {
	case SYS_close:
		if (lp_fd_hidden((int)a[0]))
			return -EBADF;
		break;
	case SYS_dup2:
	case SYS_dup3:
		if (lp_fd_hidden((int)a[0]))
			return -EBADF;
		if (lp_fd_hidden((int)a[1]) && a[0] != a[1]) {
			long r = move_hidden((int)a[1]);
			if (r < 0)
				return r;
		}
		break;
	case SYS_close_range: {
		unsigned long first = (unsigned long)a[0], last = (unsigned long)a[1];
		if (first > last)
			break;  /* the kernel's EINVAL */
		long ret = 0;
		unsigned long from = first;
		for (;;) {
			/* the next hidden fd in [from, last] */
			unsigned long stop = last;
			bool cut = false;
			for (int i = 0; i < n_hidden; i++) {
				unsigned long h = (unsigned long)hidden[i].fd;
				if (h >= from && h <= stop && (!cut || h < stop)) {
					stop = h;
					cut = true;
				}
			}
			if (!cut)
				return ret ? ret : lp_window_syscall(c->nr, (long)from, (long)last, a[2], 0, 0, 0);
			if (stop > from) {
				long r = lp_window_syscall(c->nr, (long)from, (long)stop - 1, a[2], 0, 0, 0);
				if (r < 0)
					ret = r;
			}
			if (stop == last)
				return ret;
			from = stop + 1;
		}
	}
	}
	return lp_window_syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
