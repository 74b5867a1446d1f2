/* Path resolution in the view (vfs/resolve.c), on a real host tree. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../vfs/vfs_internal.h"

Suite *suite_resolve(void);

static char T[64];  /* the host tree */

static void mk(const char *fmt, const char *what)
{
	char p[256];
	snprintf(p, sizeof p, fmt, T);
	if (!what)
		ck_assert_int_eq(mkdir(p, 0755), 0);
	else if (what[0] == '>')
		ck_assert_int_eq(close(open(p, O_CREAT | O_WRONLY, 0644)), 0);
	else
		ck_assert_int_eq(symlink(what, p), 0);
}

static void bind(const char *src_fmt, const char *dest_fmt)
{
	char src[256], dest[256], err[256];
	snprintf(src, sizeof src, src_fmt, T);
	snprintf(dest, sizeof dest, dest_fmt, T);
	ck_assert_int_eq(mounts_add(&vfs.mounts, MOUNT_BIND, 0, src, dest, err, sizeof err), 0);
}

static void setup(void)
{
	strcpy(T, "/tmp/lpvfs-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(T));
	mk("%s/src", NULL);
	mk("%s/src/dir", NULL);
	mk("%s/src/file", ">");
	mk("%s/src/l1", "l2");
	mk("%s/src/l2", "l1");
	mk("%s/src/abs", "/lpvfs-unit/m/file");
	mk("%s/src/up", "../..");
	mk("%s/src/dirlink", "dir");
	mk("%s/src/rootabs", "/dir");
	mk("%s/other", NULL);
	mk("%s/real", NULL);
	mk("%s/real/m2", NULL);
	mk("%s/link", "real");
	mounts_set_allocator(lp_malloc, lp_free);
	memset(&vfs, 0, sizeof vfs);
	bind("%s/src", "/lpvfs-unit/m");
	bind("%s/other", "%s/real/m2");
	char err[256];
	ck_assert_int_eq(mount_table_build(&vfs.table, &vfs.mounts, err, sizeof err), 0);
	ck_assert_int_eq(vfs_state_init("/lpvfs-unit/m", NULL, NULL, NULL), 0);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", T);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", T);
}

static struct vfs_path p;

static long res(const char *fmt, unsigned flags)
{
	char path[512];
	snprintf(path, sizeof path, fmt, T);
	return vfs_resolve(AT_FDCWD, path, flags, &p);
}

static void host_is(const char *fmt)
{
	char want[512];
	snprintf(want, sizeof want, fmt, T);
	ck_assert_str_eq(p.host, want);
}

START_TEST(symlink_loops)
{
	ck_assert_int_eq(res("/lpvfs-unit/m/l1", VR_FOLLOW), -ELOOP);
	ck_assert_int_eq(res("/lpvfs-unit/m/l1/x", 0), -ELOOP);
	ck_assert_int_eq(res("/lpvfs-unit/m/l1", 0), 0);  /* not followed: the link itself */
	host_is("%s/src/l1");
	ck_assert_int_eq(res("/lpvfs-unit/m/dirlink/../file", VR_FOLLOW | VR_NO_SYMLINKS), -ELOOP);
}
END_TEST

START_TEST(dotdot_above_the_root)
{
	ck_assert_int_eq(res("/../../lpvfs-unit/m/file", VR_FOLLOW), 0);
	ck_assert_str_eq(p.view, "/lpvfs-unit/m/file");
	host_is("%s/src/file");
	/* out of a mount root: the parent of DEST in the view, not of SRC */
	ck_assert_int_eq(res("/lpvfs-unit/m/..", VR_FOLLOW), 0);
	ck_assert_str_eq(p.view, "/lpvfs-unit");
	ck_assert(p.synthetic);
	ck_assert_int_eq(res("/lpvfs-unit/m/up", VR_FOLLOW), 0);
	ck_assert_str_eq(p.view, "/");
	ck_assert_int_eq(res("../../../..", VR_FOLLOW), 0);
	ck_assert_str_eq(p.view, "/");
}
END_TEST

START_TEST(mount_points_inside_symlinked_directories)
{
	ck_assert_int_eq(res("%s/link/m2/f", VR_FOLLOW), 0);
	host_is("%s/other/f");
	ck_assert_ptr_eq(p.mount, &vfs.mounts.v[1]);
	char view[256];
	snprintf(view, sizeof view, "%s/real/m2/f", T);
	ck_assert_str_eq(p.view, view);
	/* the symlinked directory holds a mount point: not a plain one */
	ck_assert_int_eq(res("%s/link", VR_FOLLOW), 0);
	ck_assert_int_eq(vfs_kind_of(&p), FD_SPECIAL);
}
END_TEST

/* VR_DEFER_LAST leaves only the last component unchecked, and only when
 * it is neither a mount point nor followed by a slash. */
START_TEST(deferred_last_component)
{
	ck_assert_int_eq(res("/lpvfs-unit/m/dirlink", VR_FOLLOW | VR_DEFER_LAST), 0);
	ck_assert(p.last_deferred);
	host_is("%s/src/dirlink");  /* the caller finds out it is a symlink */
	ck_assert_int_eq(res("/lpvfs-unit/m/dirlink/", VR_FOLLOW | VR_DEFER_LAST), 0);
	ck_assert(!p.last_deferred);
	host_is("%s/src/dir/");
	ck_assert_int_eq(res("/lpvfs-unit/m/dirlink/../file", VR_FOLLOW | VR_DEFER_LAST), 0);
	ck_assert(p.last_deferred);
	host_is("%s/src/file");  /* earlier components were checked */
	ck_assert_int_eq(res("/lpvfs-unit/m", VR_FOLLOW | VR_DEFER_LAST), 0);
	ck_assert(!p.last_deferred);  /* a mount point */
	ck_assert_int_eq(res("/lpvfs-unit/m/dirlink", VR_FOLLOW), 0);
	ck_assert(!p.last_deferred);
	host_is("%s/src/dir");
}
END_TEST

/* /proc/self/cwd/... goes on from the virtual cwd; the link itself, and
 * fds the view does not know, are the kernel's. */
START_TEST(proc_links_of_this_process)
{
	ck_assert_int_eq(res("/proc/self/cwd/file", VR_FOLLOW), 0);
	ck_assert_str_eq(p.view, "/lpvfs-unit/m/file");
	host_is("%s/src/file");
	ck_assert_int_eq(res("/proc/self/cwd/..", VR_FOLLOW), 0);
	ck_assert_str_eq(p.view, "/lpvfs-unit");
	ck_assert(p.synthetic);
	ck_assert_int_eq(res("/proc/self/cwd/dirlink", VR_FOLLOW | VR_NO_MAGIC), -ELOOP);
	ck_assert_int_eq(res("/proc/self/fd/0/x/../y", VR_FOLLOW), 0);
	char want[64];
	snprintf(want, sizeof want, "/proc/%d/fd/0/x/../y", getpid());
	ck_assert_str_eq(p.view, want);  /* left to the kernel as it is */
	ck_assert_int_eq(res("/proc/self/cwd", VR_FOLLOW), 0);
	snprintf(want, sizeof want, "/proc/%d/cwd", getpid());
	ck_assert_str_eq(p.view, want);
}
END_TEST

START_TEST(absolute_targets_resolve_in_the_view)
{
	ck_assert_int_eq(res("/lpvfs-unit/m/abs", VR_FOLLOW), 0);
	host_is("%s/src/file");
	ck_assert_int_eq(res("abs", VR_FOLLOW), 0);  /* from the cwd, in the view */
	host_is("%s/src/file");
	ck_assert_int_eq(res("dirlink/", 0), 0);  /* a trailing slash follows */
	host_is("%s/src/dir/");
	ck_assert(p.trailing_slash);
	ck_assert_int_eq(res("file/x", VR_FOLLOW), 0);  /* the kernel says ENOTDIR */
	host_is("%s/src/file/x");
}
END_TEST

START_TEST(openat2_scopes)
{
	ck_assert_int_eq(res("../m/file", VR_FOLLOW | VR_BENEATH), -EXDEV);
	ck_assert_int_eq(res("/lpvfs-unit/m/file", VR_FOLLOW | VR_BENEATH), -EXDEV);
	ck_assert_int_eq(res("abs", VR_FOLLOW | VR_BENEATH), -EXDEV);
	ck_assert_int_eq(res("dir/../file", VR_FOLLOW | VR_BENEATH), 0);
	host_is("%s/src/file");
	/* IN_ROOT: the cwd is "/", ".." stops there, absolute links too */
	ck_assert_int_eq(res("../../file", VR_FOLLOW | VR_IN_ROOT), 0);
	host_is("%s/src/file");
	ck_assert_int_eq(res("rootabs", VR_FOLLOW | VR_IN_ROOT), 0);
	ck_assert_str_eq(p.view, "/lpvfs-unit/m/dir");
	host_is("%s/src/dir");
	ck_assert_int_eq(res("abs", VR_FOLLOW | VR_IN_ROOT), -ENOENT);  /* no lpvfs-unit/ in it */
	ck_assert_int_eq(res("%s/real/m2", VR_FOLLOW | VR_NO_XDEV), -EXDEV);
}
END_TEST

START_TEST(synthetic_directories)
{
	ck_assert_int_eq(res("/lpvfs-unit", VR_FOLLOW), 0);
	ck_assert(p.synthetic);
	ck_assert_int_eq(vfs_kind_of(&p), FD_SPECIAL);
	ck_assert_int_eq(res("/lpvfs-unit/nothing", VR_FOLLOW), 0);
	ck_assert(!p.synthetic && p.in_synthetic);
	ck_assert_int_eq(res("%s/real", VR_FOLLOW), 0);
	ck_assert(!p.synthetic);  /* the host has it */
	/* so a new name in it is a host name (not one in a synthetic dir) */
	ck_assert_int_eq(res("%s/real/new-file", 0), 0);
	ck_assert(!p.synthetic && !p.in_synthetic);
	host_is("%s/real/new-file");
	ck_assert_int_eq(res("/tmp", VR_FOLLOW), 0);
	ck_assert_ptr_null(p.mount);
	ck_assert_int_eq(vfs_kind_of(&p), FD_SPECIAL);  /* holds T/real/m2 */
	ck_assert_int_eq(res("/etc/hostname", VR_FOLLOW), 0);
	ck_assert_int_eq(vfs_kind_of(&p), FD_HOST);
}
END_TEST

START_TEST(errors)
{
	char longname[300];
	memset(longname, 'n', 299);
	longname[299] = 0;
	ck_assert_int_eq(vfs_resolve(AT_FDCWD, longname, 0, &p), -ENAMETOOLONG);
	ck_assert_int_eq(vfs_resolve(AT_FDCWD, "", 0, &p), -ENOENT);
	ck_assert_int_eq(vfs_resolve(AT_FDCWD, "", VR_EMPTY_OK, &p), 0);
	ck_assert(p.empty);
	ck_assert_int_eq(vfs_resolve(AT_FDCWD, (const char *)8, 0, &p), -EFAULT);
	ck_assert_int_eq(vfs_resolve(12345, "x", 0, &p), -EBADF);
}
END_TEST

START_TEST(host_paths_in_view_terms)
{
	char host[256], view[256];
	/* visible at its own path (nothing covers it): that path, even if a
	 * mount also shows it elsewhere (at /lpvfs-unit/m/dir/x) */
	snprintf(host, sizeof host, "%s/src/dir/x", T);
	ck_assert_int_eq(vfs_host_to_view(host, strlen(host), view, sizeof view), (long)strlen(host));
	ck_assert_str_eq(view, host);
	ck_assert_int_eq(vfs_host_to_view("/etc/x", 6, view, sizeof view), 6);
	ck_assert_str_eq(view, "/etc/x");
	snprintf(host, sizeof host, "%s/srcx", T);
	vfs_host_to_view(host, strlen(host), view, sizeof view);
	ck_assert_str_eq(view, host);  /* a prefix, not a parent */
}
END_TEST

Suite *suite_resolve(void)
{
	Suite *s = suite_create("resolve");
	TCase *tc = tcase_create("in the view");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, symlink_loops);
	tcase_add_test(tc, dotdot_above_the_root);
	tcase_add_test(tc, mount_points_inside_symlinked_directories);
	tcase_add_test(tc, absolute_targets_resolve_in_the_view);
	tcase_add_test(tc, deferred_last_component);
	tcase_add_test(tc, proc_links_of_this_process);
	tcase_add_test(tc, openat2_scopes);
	tcase_add_test(tc, synthetic_directories);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, host_paths_in_view_terms);
	suite_add_tcase(s, tc);
	return s;
}
