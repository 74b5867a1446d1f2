/* The handshake between libbootstrap.so (in the application's link
 * namespace) and the interposer library it loads with dlmopen -- or
 * lazypoline-vfs-loader, which has the runtime and the view linked in. */
#ifndef LP_BOOTSTRAP_H
#define LP_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>

struct lp_interposer;

#define LP_BOOTSTRAP_VERSION 2

struct lp_bootstrap_info {
	int version;
	const char *bootstrap_path;   /* absolute path of libbootstrap.so */
	const char *interposer_path;  /* absolute path of LIBLAZYPOLINE */
	void *handle;                 /* dlmopen handle of LIBLAZYPOLINE */
	char **envp;                  /* the application's environment */
	/* linked in (lazypoline-vfs-loader): the interposer's lazypoline_init,
	 * and no Capstone in this process -- when the kept verdicts are not
	 * enough, the entry returns LP_BOOTSTRAP_WANTS_CAPSTONE, having
	 * changed nothing a new program would see, instead of starting */
	int (*init)(struct lp_interposer *ip);
	int linked_in;
	/* code left on the SUD path, never rewritten: the loader's own, which
	 * runs a dozen syscalls before the program starts and none after */
	const void *keep_lo, *keep_hi;
};

#define LP_BOOTSTRAP_WANTS_CAPSTONE 2

/* An ELF object in memory: its span, and where its functions are listed
 * (.eh_frame_hdr's table; without one, as gcc -static links, the whole
 * .eh_frame, walked). */
struct lp_object {
	uintptr_t start, end;
	const uint8_t *eh_frame_hdr;  /* NULL: none */
	const uint8_t *eh_frame;      /* without a table: the whole .eh_frame (NULL: unknown) */
	size_t eh_frame_len;
};

/* linked in: an ELF image the loader mapped (dynamic: the program's
 * PT_DYNAMIC, else 0), so that rewriting a site in it or in a library the
 * program's ld.so maps later needs no read of /proc/self/maps (about
 * 100 us a site) */
void lp_note_loaded(const struct lp_object *image, uintptr_t dynamic) __attribute__((visibility("hidden")));
/* An object without .eh_frame_hdr: its .eh_frame, from the section
 * headers of its file open at FD (load bias BIAS), if the section lies in
 * what the object maps; O is left as it is otherwise. */
void lp_object_find_eh_frame(long fd, uintptr_t bias, struct lp_object *o) __attribute__((visibility("hidden")));

/* Returns 0, LP_BOOTSTRAP_WANTS_CAPSTONE (linked_in only), or -1 with a
 * one-line message in err. */
typedef int (*lp_bootstrap_entry_fn)(const struct lp_bootstrap_info *info, char *err, size_t errlen);
#define LP_BOOTSTRAP_ENTRY "lazypoline_bootstrap_entry"

#endif
