/* The handshake between libbootstrap.so (in the application's link
 * namespace) and the interposer library it loads with dlmopen. */
#ifndef LP_BOOTSTRAP_H
#define LP_BOOTSTRAP_H

#include <stddef.h>

#define LP_BOOTSTRAP_VERSION 1

struct lp_bootstrap_info {
	int version;
	const char *bootstrap_path;   /* absolute path of libbootstrap.so */
	const char *interposer_path;  /* absolute path of LIBLAZYPOLINE */
	void *handle;                 /* dlmopen handle of LIBLAZYPOLINE */
	char **envp;                  /* the application's environment */
};

/* Returns 0, or non-zero with a one-line message in err. */
typedef int (*lp_bootstrap_entry_fn)(const struct lp_bootstrap_info *info, char *err, size_t errlen);
#define LP_BOOTSTRAP_ENTRY "lazypoline_bootstrap_entry"

#endif
