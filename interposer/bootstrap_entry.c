/* Start-up of the interposer library when libbootstrap.so loads it into
 * its own link namespace (or lazypoline-vfs-loader, which has it linked
 * in): read the LAZYPOLINE_* settings, let the interposer library
 * (LIBLAZYPOLINE) register its handlers, start. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "lp_bootstrap.h"
#include "lp_internal.h"

extern char **environ;

/* A high fd, out of the way of the application's numbering. */
static int move_high(int fd)
{
	struct rlimit rl;
	long lo = 100;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 128)
		lo = (long)(rl.rlim_cur > 1024 ? 1024 : rl.rlim_cur) - 64;
	long nfd = lp_sys3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, lo);
	if (nfd < 0)
		return fd;
	lp_sys1(SYS_close, fd);
	return (int)nfd;
}

static int setup_trace(lp_interposer *ip, char *err, size_t errlen)
{
	const char *fds = getenv("LAZYPOLINE_TRACE_FD");
	const char *path = getenv("LAZYPOLINE_TRACE");
	int fd = -1;
	if (fds && *fds) {
		char *end;
		long v = strtol(fds, &end, 10);
		if (*end || v < 0 || v > 1 << 20 || lp_sys2(SYS_fcntl, v, F_GETFD) < 0) {
			snprintf(err, errlen, "LAZYPOLINE_TRACE_FD=%s is not an open file descriptor", fds);
			return -1;
		}
		fd = (int)v;
	} else if (path && *path) {
		long r = lp_sys4(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (r < 0) {
			snprintf(err, errlen, "cannot open LAZYPOLINE_TRACE=%s: %s", path, strerror((int)-r));
			return -1;
		}
		fd = move_high((int)r);
	}
	if (fd >= 0)
		lp_trace_to_fd(ip, fd);
	return 0;
}

LP_API int lazypoline_bootstrap_entry(const struct lp_bootstrap_info *info, char *err, size_t errlen)
{
	if (info->version != LP_BOOTSTRAP_VERSION) {
		snprintf(err, errlen, "libbootstrap.so and %s are from different versions",
			 info->interposer_path);
		return -1;
	}
	environ = info->envp;
	lp_rt.own_namespace = true;
	lp_rt.capstone_elsewhere = info->linked_in;
	lp_rt.keep_lo = (uintptr_t)info->keep_lo;  /* both 0 from libbootstrap.so */
	lp_rt.keep_hi = (uintptr_t)info->keep_hi;
	if (lp_execenv_capture(info->envp, info->bootstrap_path, info->interposer_path) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	lp_interposer *ip = lp_new();
	if (!ip) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char *mode_var;
	const char *mode = lp_mode_env(&mode_var);
	if (mode && *mode && strcmp(mode, "auto") && strcmp(mode, "sud") && strcmp(mode, "lazy") &&
	    strcmp(mode, "eager")) {
		snprintf(err, errlen, "invalid %s=%s (expected sud, lazy, eager or auto)", mode_var, mode);
		return -1;
	}
	const char *after = getenv("LAZYPOLINE_REWRITE_AFTER");
	if (!lp_rewrite_after_env(after)) {
		snprintf(err, errlen, "invalid LAZYPOLINE_REWRITE_AFTER=%s (expected a number of traps, 1 to %d)",
			 after, LP_REWRITE_AFTER_MAX);
		return -1;
	}
	if (setup_trace(ip, err, errlen) < 0)
		return -1;
	int (*init)(lp_interposer *) =
		info->linked_in ? info->init : (int (*)(lp_interposer *))dlsym(info->handle, "lazypoline_init");
	if (init) {
		int r = init(ip);
		if (r != 0) {
			snprintf(err, errlen, "%s: lazypoline_init failed (%d)", info->interposer_path, r);
			return -1;
		}
	}
	int r = lp_start(ip);
	if (r == -ELIBACC && info->linked_in)
		return LP_BOOTSTRAP_WANTS_CAPSTONE;
	if (r == -EPERM || r == -EACCES) {
		snprintf(err, errlen,
			 "LAZYPOLINE_MODE=%s needs page 0, which this process may not map "
			 "(vm.mmap_min_addr > 0 without CAP_SYS_RAWIO); use sud or auto",
			 mode ? mode : "?");
		return -1;
	}
	if (r == -ELIBACC) {
		snprintf(err, errlen,
			 "LAZYPOLINE_MODE=%s needs Capstone (libcapstone.so.4), which cannot be loaded",
			 mode ? mode : "?");
		return -1;
	}
	if (r < 0) {
		snprintf(err, errlen, "cannot start: %s", strerror(-r));
		return -1;
	}
	return 0;
}
