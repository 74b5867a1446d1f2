/* The overlay backend's logic (vfs/overlay/): lookup through layers,
 * whiteouts and opaque directories in both on-disk forms, merged
 * listings, copy-up, removal and rename rules -- on real host trees. */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../vfs/vfs_internal.h"

Suite *suite_overlay(void);

static char T[64];
static struct mount_list ml;
static const struct mount_spec *M;

static char *at(const char *rel)
{
	static char buf[4][512];
	static int i;
	char *p = buf[i++ % 4];
	snprintf(p, 512, "%s/%s", T, rel);
	return p;
}

static void dir(const char *rel)
{
	ck_assert_int_eq(mkdir(at(rel), 0755), 0);
}

static void file(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void xattr_whiteout(const char *rel)
{
	file(rel, "");
	ck_assert_int_eq(setxattr(at(rel), "user.overlay.whiteout", "", 0, 0), 0);
	char dir[512];
	snprintf(dir, sizeof dir, "%s", at(rel));
	*strrchr(dir, '/') = 0;
	ck_assert_int_eq(setxattr(dir, "user.overlay.opaque", "x", 1, 0), 0);
}

static void setup(void)
{
	strcpy(T, "/tmp/lpovl-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(T));
	dir("l2");
	dir("l1");
	dir("u");
	dir("l2/d");
	dir("l1/d");
	dir("u/d");
	file("l2/d/two", "2");
	file("l1/d/one", "1");
	file("u/d/up", "u");
	file("l2/d/same", "from l2");
	file("l1/d/same", "from l1");
	file("l2/d/gone", "hidden by the upper whiteout");
	xattr_whiteout("u/d/gone");
	dir("l2/op");
	file("l2/op/below", "b");
	dir("u/op");
	ck_assert_int_eq(setxattr(at("u/op"), "user.overlay.opaque", "y", 1, 0), 0);
	file("u/op/mine", "m");
	file("l1/f", "lower file");
	ck_assert_int_eq(chmod(at("l1/f"), 0640), 0);
	ck_assert_int_eq(setxattr(at("l1/f"), "user.kept", "yes", 3, 0), 0);
	dir("l2/onlylow");
	file("l2/onlylow/x", "x");
	mounts_set_allocator(lp_malloc, lp_free);
	memset(&ml, 0, sizeof ml);
	char err[256], lower[256];
	snprintf(lower, sizeof lower, "%s:%s", at("l1"), at("l2"));
	ck_assert_int_eq(mounts_add_overlay(&ml, lower, at("u"), "/ov", err, sizeof err), 0);
	M = &ml.v[0];
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", T);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", T);
	mounts_free(&ml);
}

static struct ovl_look lk;
static char host[4096];

static long look(const char *rest)
{
	long r = ovl_lookup(M, rest, strlen(rest), true, &lk, host, sizeof host);
	ck_assert(r < 0 || (size_t)r == strlen(host));  /* the host path's length */
	return r < 0 ? r : 0;
}

/* the merged listing of REST, names sorted and joined by ' ' */
static char *listing(const char *rest)
{
	static char out[1024];
	char *blob, *names[64];
	size_t n;
	int k = 0;
	ck_assert_int_eq(ovl_list(M, rest, strlen(rest), NULL, &blob, &n, NULL), 0);
	for (size_t o = 0; o < n && k < 64;) {
		struct dirent64 *d = (struct dirent64 *)(blob + o);
		ck_assert_int_eq(d->d_off, (long)(o + d->d_reclen));  /* seekable: the next offset */
		o += d->d_reclen;
		names[k++] = strdup(d->d_name);
	}
	lp_free(blob);
	for (int i = 0; i < k; i++)
		for (int j = i + 1; j < k; j++)
			if (strcmp(names[j], names[i]) < 0) {
				char *t = names[i];
				names[i] = names[j];
				names[j] = t;
			}
	out[0] = 0;
	for (int i = 0; i < k; i++) {
		strcat(out, i ? " " : "");
		strcat(out, names[i]);
		free(names[i]);
	}
	return out;
}

static char *content(const char *rel)
{
	static char buf[256];
	int fd = open(at(rel), O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return n < 0 ? NULL : buf;
}

START_TEST(topmost_layer_wins)
{
	ck_assert_int_eq(look("/d/same"), 0);
	ck_assert_int_eq(lk.layer, 1);
	ck_assert_str_eq(host, at("l1/d/same"));
	ck_assert(lk.in_lower);
	ck_assert_int_eq(look("/d/two"), 0);
	ck_assert_int_eq(lk.layer, 2);
	ck_assert_int_eq(look("/d/up"), 0);
	ck_assert_int_eq(lk.layer, 0);
	ck_assert(!lk.in_lower);
	ck_assert_int_eq(look("/d"), 0);
	ck_assert(lk.is_dir && ovl_merged(&lk));
	ck_assert_int_eq(lk.layers, 7);
	ck_assert_int_eq(look("/onlylow"), 0);
	ck_assert(lk.is_dir && !ovl_merged(&lk) && lk.layer == 2);
	ck_assert_int_eq(look("/nothing"), 0);
	ck_assert_int_eq(lk.layer, -1);
	ck_assert_str_eq(host, at("u/nothing"));  /* where it would be made */
	ck_assert_int_eq(look("/f/below"), 0);
	ck_assert(lk.layer == -1 && lk.blocked);  /* ENOTDIR */
}
END_TEST

START_TEST(whiteouts_and_opaque_directories)
{
	ck_assert_int_eq(look("/d/gone"), 0);
	ck_assert(lk.layer == -1 && lk.whiteout);
	struct stat st;
	ck_assert_int_eq(stat(host, &st), -1);  /* the path of a hidden name never exists */
	/* the xattr alone, in a directory not marked 'x': a plain empty file,
	 * as the kernel reads it */
	file("u/onlylow", "");
	ck_assert_int_eq(setxattr(at("u/onlylow"), "user.overlay.whiteout", "", 0, 0), 0);
	ck_assert_int_eq(look("/onlylow"), 0);
	ck_assert(lk.layer == 0 && !lk.is_dir);
	ck_assert_int_eq(unlink(at("u/onlylow")), 0);
	ck_assert_int_eq(look("/op/below"), 0);
	ck_assert_int_eq(lk.layer, -1);
	ck_assert_int_eq(look("/op"), 0);
	ck_assert(lk.is_dir && !ovl_merged(&lk) && lk.in_lower);
	ck_assert_str_eq(listing("/op"), ". .. mine");
	ck_assert_str_eq(listing("/d"), ". .. one same two up");
	if (geteuid() == 0) {  /* the kernel's own form: a 0/0 device */
		ck_assert_int_eq(mknod(at("u/d/one"), S_IFCHR, makedev(0, 0)), 0);
		ck_assert_str_eq(listing("/d"), ". .. same two up");
		ck_assert_int_eq(look("/d/one"), 0);
		ck_assert(lk.whiteout);
	}
}
END_TEST

START_TEST(copy_up_keeps_data_mode_xattrs_and_lower)
{
	struct stat before, after;
	ck_assert_int_eq(stat(at("l1/f"), &before), 0);
	ck_assert_int_eq(ovl_copy_up(M, "/f", 2), 0);
	ck_assert_str_eq(content("u/f"), "lower file");
	ck_assert_int_eq(stat(at("u/f"), &after), 0);
	ck_assert_int_eq(after.st_mode, before.st_mode);
	ck_assert_int_eq(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	ck_assert_int_eq(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	char v[8] = "";
	ck_assert_int_eq(getxattr(at("u/f"), "user.kept", v, sizeof v), 3);
	ck_assert_str_eq(content("l1/f"), "lower file");
	ck_assert_int_eq(look("/f"), 0);
	ck_assert_int_eq(lk.layer, 0);
	/* a file deep in a lower directory: its directories come up first */
	ck_assert_int_eq(ovl_copy_up(M, "/onlylow/x", 10), 0);
	ck_assert_str_eq(content("u/onlylow/x"), "x");
	ck_assert_int_eq(look("/onlylow"), 0);
	ck_assert(ovl_merged(&lk));
	ck_assert_int_eq(ovl_copy_up(M, "/nothing", 8), -ENOENT);
}
END_TEST

START_TEST(removal_leaves_whiteouts)
{
	ck_assert_int_eq(ovl_remove(M, "/d/same", 7, false), 0);  /* in two lowers */
	ck_assert_int_eq(look("/d/same"), 0);
	ck_assert(lk.whiteout);
	ck_assert_str_eq(content("l1/d/same"), "from l1");
	ck_assert_int_eq(ovl_remove(M, "/d/up", 5, false), 0);  /* upper only: just gone */
	ck_assert_int_eq(access(at("u/d/up"), F_OK), -1);
	ck_assert_int_eq(ovl_remove(M, "/d", 2, true), -ENOTEMPTY);
	ck_assert_int_eq(ovl_remove(M, "/d", 2, false), -EISDIR);
	ck_assert_int_eq(ovl_remove(M, "/d/two", 6, true), -ENOTDIR);
	ck_assert_int_eq(ovl_remove(M, "/d/one", 6, false), 0);
	ck_assert_int_eq(ovl_remove(M, "/d/two", 6, false), 0);
	ck_assert_str_eq(listing("/d"), ". ..");
	ck_assert_int_eq(ovl_remove(M, "/d", 2, true), 0);
	ck_assert_int_eq(look("/d"), 0);
	ck_assert(lk.whiteout);
	/* made again: opaque, the lower names stay hidden */
	bool was_whiteout;
	ck_assert_int_eq(ovl_prepare_create(M, "/d", 2, &was_whiteout), 0);
	ck_assert(was_whiteout);
	ck_assert_int_eq(mkdir(at("u/d"), 0755), 0);
	ck_assert_int_eq(ovl_mark_opaque(M, "/d", 2), 0);
	ck_assert_str_eq(listing("/d"), ". ..");
	ck_assert_int_eq(ovl_prepare_create(M, "/f", 2, &was_whiteout), 1);  /* exists */
}
END_TEST

START_TEST(rename_rules)
{
	ck_assert_int_eq(ovl_rename(M, "/d", 2, "/e", 2, 0), -EXDEV);  /* merged */
	ck_assert_int_eq(ovl_rename(M, "/onlylow", 8, "/e", 2, 0), -EXDEV);  /* lower */
	ck_assert_int_eq(ovl_rename(M, "/f", 2, "/d/f2", 5, 0), 0);
	ck_assert_str_eq(content("u/d/f2"), "lower file");
	ck_assert_int_eq(look("/f"), 0);
	ck_assert(lk.whiteout);
	ck_assert_int_eq(ovl_rename(M, "/d/f2", 5, "/d/two", 6, RENAME_NOREPLACE), -EEXIST);
	ck_assert_int_eq(ovl_rename(M, "/d/f2", 5, "/d", 2, 0), -EISDIR);
	ck_assert_int_eq(mkdir(at("u/new"), 0755), 0);  /* upper only: may move */
	ck_assert_int_eq(ovl_rename(M, "/new", 4, "/onlylow2", 9, 0), 0);
	ck_assert_int_eq(ovl_rename(M, "/onlylow2", 9, "/op", 3, 0), -ENOTEMPTY);
}
END_TEST

Suite *suite_overlay(void)
{
	Suite *s = suite_create("overlay");
	TCase *tc = tcase_create("layers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, topmost_layer_wins);
	tcase_add_test(tc, whiteouts_and_opaque_directories);
	tcase_add_test(tc, copy_up_keeps_data_mode_xattrs_and_lower);
	tcase_add_test(tc, removal_leaves_whiteouts);
	tcase_add_test(tc, rename_rules);
	suite_add_tcase(s, tc);
	return s;
}
