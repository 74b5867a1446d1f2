/* libbootstrap.so: LD_PRELOAD this into a program to interpose it.
 *
 *   LIBLAZYPOLINE=/path/to/interposer.so LD_PRELOAD=/path/to/libbootstrap.so program
 *
 * It loads LIBLAZYPOLINE into a new link namespace (dlmopen), so the
 * interposer has its own libc, malloc and locks, and hands over to it.
 * Then it removes its own traces from the environment the program sees;
 * the interposer puts them back into the environment of every execve. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../interposer/lp_bootstrap.h"
#include "environ.h"

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	char buf[1024];
	int n = snprintf(buf, sizeof buf, "lazypoline: ");
	va_list ap;
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	if (write(2, buf, (size_t)n) < 0) {
	}
	_exit(125);
}

/* LIB_ABS loaded into a new namespace, or into the program's when the
 * program says its libc is ours (lazypoline-loader: the program it starts
 * never uses it; the interposer has no TLS, whose %fs the program takes).
 * An interposer finds liblazypoline.so through its RUNPATH ($ORIGIN),
 * which ld.so searches in twenty hwcaps subdirectories first: forty failed
 * syscalls in every process.  When the runtime sits next to LIB_ABS it is
 * loaded first, by its path, and then found by its soname. */
static void *load_namespace(const char *lib_abs)
{
	Lmid_t ns = dlsym(RTLD_DEFAULT, "lazypoline_loader_shares_libc") ? LM_ID_BASE : LM_ID_NEWLM;
	char rt[PATH_MAX];
	const char *slash = strrchr(lib_abs, '/');
	int n = snprintf(rt, sizeof rt, "%.*s/liblazypoline.so", (int)(slash - lib_abs), lib_abs);
	if (n > 0 && (size_t)n < sizeof rt && strcmp(rt, lib_abs) && access(rt, R_OK) == 0) {
		void *base = dlmopen(ns, rt, RTLD_NOW | RTLD_LOCAL);
		if (base && dlinfo(base, RTLD_DI_LMID, &ns) == 0)
			return dlmopen(ns, lib_abs, RTLD_NOW | RTLD_LOCAL);
	}
	return dlmopen(ns, lib_abs, RTLD_NOW | RTLD_LOCAL);
}

__attribute__((constructor(101))) static void lazypoline_bootstrap(void)
{
	const char *lib = getenv("LIBLAZYPOLINE");
	if (!lib || !*lib)
		die("LIBLAZYPOLINE is not set: it must name the interposer library, "
		    "e.g. LIBLAZYPOLINE=build/liblazypoline.so");
	char lib_abs[PATH_MAX], self_abs[PATH_MAX];
	if (!realpath(lib, lib_abs))
		die("cannot use LIBLAZYPOLINE=%s: %s", lib, strerror(errno));
	Dl_info di;
	if (!dladdr((void *)lazypoline_bootstrap, &di) || !di.dli_fname ||
	    !realpath(di.dli_fname, self_abs))
		die("cannot find the path of libbootstrap.so");
	char self_given[PATH_MAX];
	snprintf(self_given, sizeof self_given, "%s", di.dli_fname);

	void *h = load_namespace(lib_abs);
	if (!h)
		die("cannot load LIBLAZYPOLINE=%s: %s", lib, dlerror());
	lp_bootstrap_entry_fn entry = (lp_bootstrap_entry_fn)dlsym(h, LP_BOOTSTRAP_ENTRY);
	if (!entry)
		die("LIBLAZYPOLINE=%s is not a lazypoline interposer (no %s)", lib, LP_BOOTSTRAP_ENTRY);
	struct lp_bootstrap_info info = {
		.version = LP_BOOTSTRAP_VERSION,
		.bootstrap_path = self_abs,
		.interposer_path = lib_abs,
		.handle = h,
		.envp = environ,
	};
	char err[512] = "";
	if (entry(&info, err, sizeof err) != 0)
		die("%s", err);
	strip_environment(self_given, self_abs);
}
