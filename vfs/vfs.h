/* The file-system view of lazypoline, for use inside a program.
 *
 * A program (a test harness, say) describes mounts, attaches the view to
 * an interposer and starts it; from then on it and every program it
 * starts see the view:
 *
 *   lp_interposer *ip = lp_new();
 *   vfs_bind("/home/me/fixtures/myapp", "/etc/myapp", 0);
 *   vfs_attach(ip);
 *   lp_start(ip);
 *
 * Link with -lvfs -llazypoline.  Functions return 0 or a negative errno;
 * vfs_error() then says why in one line.  See README.md. */
#ifndef LAZYPOLINE_VFS_H
#define LAZYPOLINE_VFS_H

#include "lazypoline.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VFS_RO 1u  /* a read-only mount: writes fail with EROFS */

/* DEST (a path in the view) shows SRC (a host directory or file). */
LP_API int vfs_bind(const char *src, const char *dest, unsigned flags);
/* DEST shows UPPER over LOWER ("L1[:L2...]", leftmost on top): reads
 * come from the topmost layer that has a name, changes go to UPPER
 * (copy-up, whiteouts; see README.md). */
LP_API int vfs_overlay(const char *lower, const char *upper, const char *dest);
/* DEST: an empty directory in memory (vfs_tmpfs), or DEST's contents
 * with changes kept in memory (vfs_tmp_overlay).  The memory is a private
 * directory on the host's /dev/shm, removed when this process exits. */
LP_API int vfs_tmpfs(const char *dest);
LP_API int vfs_tmp_overlay(const char *dest);
/* Fake root (vfsrun -0): this process and its children run as root to
 * themselves -- get*id report 0, chown and device mknod succeed and stat
 * reports them.  TABLE_FILE keeps what was faked across runs (made if
 * missing); NULL keeps it in memory until this process exits. */
LP_API int vfs_fake_root(const char *table_file);
/* The mounts of a mounts file (the grammar is in README.md). */
LP_API int vfs_mounts_file(const char *path);
/* Register the view's handlers on ip, before lp_start.  The working
 * directory is looked up in the view.  Children started with execve get
 * the view too (through libvfs.so, found with dladdr). */
LP_API int vfs_attach(lp_interposer *ip);
/* Why the last call failed. */
LP_API const char *vfs_error(void);

#ifdef __cplusplus
}
#endif
#endif
