/* Mount specifications and the mount table (mounts/). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "../../mounts/mounts.h"

Suite *suite_mounts(void);

static struct mount_list l;
static char err[512];

static void setup(void)
{
	mounts_set_allocator(malloc, free);
	memset(&l, 0, sizeof l);
	err[0] = 0;
}

static void teardown(void)
{
	mounts_free(&l);
}

START_TEST(parses_the_grammar)
{
	const char *text = "# fixtures\n"
			   "bind /src/a /view/a\n"
			   "\n"
			   "   ro-bind\t/src/with\\040blank   /view//b/./c/  # trailing comment\n"
			   "bind rel/dir /view/rel\n";
	ck_assert_int_eq(mounts_parse(&l, text, "m.txt", err, sizeof err), 0);
	ck_assert_int_eq(l.n, 3);
	ck_assert_str_eq(l.v[0].src, "/src/a");
	ck_assert_str_eq(l.v[0].dest, "/view/a");
	ck_assert_uint_eq(l.v[0].flags, 0);
	ck_assert_str_eq(l.v[1].src, "/src/with blank");
	ck_assert_str_eq(l.v[1].dest, "/view/b/c");
	ck_assert_uint_eq(l.v[1].dest_len, 9);
	ck_assert_uint_eq(l.v[1].flags, MOUNT_RO);
	ck_assert_str_eq(l.v[2].src, "rel/dir");  /* the caller makes it absolute */
}
END_TEST

/* L serialized must read WANT, and parse back into BACK. */
static void reparsed(const char *want, struct mount_list *back)
{
	char *text = mounts_serialize(&l);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(mounts_parse(back, text, "x", err, sizeof err), 0);
	free(text);
}

START_TEST(serializes_what_it_parses)
{
	ck_assert_int_eq(mounts_add(&l, MOUNT_BIND, MOUNT_RO, "/a b/#c\\d", "/x\ty", err, sizeof err), 0);
	ck_assert_int_eq(mounts_add(&l, MOUNT_BIND, 0, "/s", "/d", err, sizeof err), 0);
	struct mount_list back = { 0 };
	reparsed("ro-bind /a\\040b/\\043c\\134d /x\\011y\nbind /s /d\n", &back);
	ck_assert_int_eq(back.n, 2);
	ck_assert_str_eq(back.v[0].src, "/a b/#c\\d");
	ck_assert_str_eq(back.v[0].dest, "/x\ty");
	ck_assert_uint_eq(back.v[0].flags, MOUNT_RO);
	mounts_free(&back);
}
END_TEST

START_TEST(overlays_round_trip)
{
	ck_assert_int_eq(mounts_add_overlay(&l, "/l 1:/l2", "/up", "/ov/", err, sizeof err), 0);
	ck_assert_int_eq(l.v[0].kind, MOUNT_OVERLAY);
	size_t n;
	const char *s = mounts_lower(&l.v[0], 1, &n);
	ck_assert(s && n == 3 && !strncmp(s, "/l2", 3));
	ck_assert_ptr_null(mounts_lower(&l.v[0], 2, &n));
	struct mount_list back = { 0 };
	reparsed("overlay /l\\0401:/l2 /up /ov\n", &back);
	ck_assert_int_eq(back.n, 1);
	ck_assert_str_eq(back.v[0].lower, "/l 1:/l2");
	ck_assert_str_eq(back.v[0].src, "/up");
	mounts_free(&back);
	ck_assert_int_eq(mounts_add_overlay(&l, "rel:/l2", "/up", "/o2", err, sizeof err), -1);
	ck_assert_str_eq(err, "LOWER 'rel:/l2' of DEST '/o2': every layer must be an absolute path");
	ck_assert_int_eq(mounts_add_overlay(&l, "/a:", "/up", "/o3", err, sizeof err), -1);
	ck_assert_int_eq(l.n, 1);
	/* 31 lower layers and UPPER fill a 32-bit layer mask: one more is
	 * refused, not ignored */
	char many[40 * 4] = "", line[200];
	for (int i = 0; i < MOUNTS_MAX_LOWER; i++)
		sprintf(many + strlen(many), "%s/%c", i ? ":" : "", 'a' + i % 26);
	ck_assert_int_eq(mounts_add_overlay(&l, many, "/up", "/o4", err, sizeof err), 0);
	ck_assert_int_eq(l.v[1].n_lower, MOUNTS_MAX_LOWER);
	s = mounts_lower(&l.v[1], MOUNTS_MAX_LOWER - 1, &n);
	ck_assert(s && n == 2 && !strncmp(s, "/e", 2));  /* the 31st: 30 % 26 = 'e' */
	ck_assert_ptr_null(mounts_lower(&l.v[1], MOUNTS_MAX_LOWER, &n));
	strcat(many, ":/z");
	ck_assert_int_eq(mounts_add_overlay(&l, many, "/up", "/o5", err, sizeof err), -1);
	ck_assert_str_eq(err, "LOWER of DEST '/o5' has more than 31 layers");
	ck_assert_int_eq(l.n, 2);
	mounts_free(&l);
	/* layers as the kernel's overlayfs wants them: none inside another */
	static const struct {
		const char *lower, *upper, *err;
	} layers[] = {
		{ "/l/a:/l/ab", "/up", NULL },  /* a common prefix is not nesting */
		{ "/l:/l", "/up", "LOWER '/l' and LOWER '/l' overlap" },
		{ "/l/x:/l", "/up", "LOWER '/l/x' and LOWER '/l' overlap" },
		{ "/l", "/l/up", "UPPER '/l/up' and LOWER '/l' overlap" },
		{ "/up/l", "/up", "UPPER '/up' and LOWER '/up/l' overlap" },
		{ "/", "/up", "UPPER '/up' and LOWER '/' overlap" },
	};
	for (size_t i = 0; i < sizeof layers / sizeof *layers; i++) {
		struct mount_list one = { 0 };
		ck_assert_int_eq(mounts_add_overlay(&one, layers[i].lower, layers[i].upper, "/o", err, sizeof err), 0);
		int r = mounts_check_layers(&one.v[0], err, sizeof err);
		if (layers[i].err) {
			ck_assert_int_eq(r, -1);
			ck_assert_str_eq(err, layers[i].err);
		} else {
			ck_assert_int_eq(r, 0);
		}
		mounts_free(&one);
	}
	snprintf(line, sizeof line, "# two\noverlay %s /up /o6\n", many);
	ck_assert_int_eq(mounts_parse(&l, line, "f", err, sizeof err), -1);
	ck_assert_str_eq(err, "f:2: LOWER has more than 31 layers");
	mounts_free(&l);
	ck_assert_int_eq(mounts_parse(&l, "tmpfs /t # memory\ntmp-overlay /src\n", "x", err, sizeof err), 0);
	ck_assert_int_eq(l.v[0].kind, MOUNT_TMPFS);
	ck_assert_int_eq(l.v[1].kind, MOUNT_TMP_OVERLAY);
	reparsed("tmpfs /t\ntmp-overlay /src\n", &back);
	ck_assert_int_eq(back.n, 2);
	mounts_free(&back);
}
END_TEST

static void parse_fails(const char *text, const char *message)
{
	mounts_free(&l);
	ck_assert_int_eq(mounts_parse(&l, text, "m.txt", err, sizeof err), -1);
	ck_assert_msg(strcmp(err, message) == 0, "got '%s', expected '%s'", err, message);
}

START_TEST(names_the_bad_line)
{
	parse_fails("bind /a /b\nmount /a /c\n",
		    "m.txt:2: unknown mount type 'mount' (expected bind, ro-bind, overlay, tmpfs or tmp-overlay)");
	parse_fails("tmpfs /src /d\n", "m.txt:1: 'tmpfs' takes DEST only");
	parse_fails("overlay /l /u\n", "m.txt:1: 'overlay' takes LOWER, UPPER and DEST");
	parse_fails("overlay /l /u /d /e\n", "m.txt:1: too many fields (expected overlay LOWER UPPER DEST)");
	parse_fails("# x\n\nbind /a\n", "m.txt:3: 'bind' takes SRC and DEST");
	parse_fails("bind /a b\n", "m.txt:1: DEST 'b' is not an absolute path");
	parse_fails("bind /a /b\nbind /c /b/\n", "m.txt:2: duplicate DEST '/b'");
	parse_fails("bind /a /b /c\n", "m.txt:1: too many fields (expected TYPE SRC DEST)");
	parse_fails("bind /a\\9 /b\n", "m.txt:1: bad escape or over-long path");
	parse_fails("bind /a /\nbind /b /x/..\n", "m.txt:2: duplicate DEST '/'");
}
END_TEST

/* DEST "/" (a whole-root view): every path is in it, the part below DEST
 * starts at the path's first byte, deeper mounts still win. */
START_TEST(whole_root_mount)
{
	struct mount_list r = { 0 };
	ck_assert_int_eq(mounts_add(&r, MOUNT_BIND, 0, "/tree", "/x/..", err, sizeof err), 0);
	ck_assert_int_eq(mounts_add(&r, MOUNT_BIND, 0, "/host/dev", "/dev", err, sizeof err), 0);
	ck_assert_str_eq(r.v[0].dest, "/");
	ck_assert_uint_eq(mount_rest_at(&r.v[0]), 0);
	ck_assert_uint_eq(mount_rest_at(&r.v[1]), 4);
	struct mount_table t;
	ck_assert_int_eq(mount_table_build(&t, &r, err, sizeof err), 0);
	struct mount_hit h;
	mount_lookup(&t, "/usr/bin", 8, &h);
	ck_assert_ptr_eq(h.mount, &r.v[0]);
	ck_assert_uint_eq(h.mount_len, 0);
	mount_lookup(&t, "/", 1, &h);
	ck_assert_ptr_eq(h.mount, &r.v[0]);
	mount_lookup(&t, "/dev/null", 9, &h);
	ck_assert_ptr_eq(h.mount, &r.v[1]);
	mount_lookup(&t, "/devices", 8, &h);
	ck_assert_ptr_eq(h.mount, &r.v[0]);
	mounts_free(&r);
}
END_TEST

START_TEST(normalizes_lexically)
{
	char out[64];
	ck_assert_int_eq(mounts_normalize("/a/./b/../c//", out, sizeof out), 4);
	ck_assert_str_eq(out, "/a/c");
	ck_assert_int_eq(mounts_normalize("/../..", out, sizeof out), 1);
	ck_assert_str_eq(out, "/");
	ck_assert_int_eq(mounts_normalize("rel", out, sizeof out), -1);
	ck_assert_int_eq(mounts_normalize("/0123456789/0123456789/0123456789/0123456789/0123456789/0123456789",
					  out, sizeof out), -1);
}
END_TEST

START_TEST(longest_prefix_lookup)
{
	ck_assert_int_eq(mounts_add(&l, MOUNT_BIND, 0, "/s1", "/a", err, sizeof err), 0);
	ck_assert_int_eq(mounts_add(&l, MOUNT_BIND, 0, "/s2", "/a/b/c", err, sizeof err), 0);
	ck_assert_int_eq(mounts_add(&l, MOUNT_BIND, MOUNT_RO, "/s3", "/x/y", err, sizeof err), 0);
	struct mount_table t;
	ck_assert_int_eq(mount_table_build(&t, &l, err, sizeof err), 0);
	ck_assert_int_eq(t.n, 3);
	struct mount_hit h;
#define LOOK(p) mount_lookup(&t, p, strlen(p), &h)
	LOOK("/a/b");
	ck_assert_ptr_eq(h.mount, &l.v[0]);
	ck_assert_uint_eq(h.mount_len, 2);
	ck_assert(mount_node_has_children(h.node));  /* an ancestor of /a/b/c */
	LOOK("/a/b/c/d/e");
	ck_assert_ptr_eq(h.mount, &l.v[1]);
	ck_assert_uint_eq(h.mount_len, 6);
	ck_assert_ptr_null(h.node);
	LOOK("/a/b/c");
	ck_assert_ptr_eq(h.mount, &l.v[1]);
	ck_assert_ptr_nonnull(h.node);
	ck_assert(!mount_node_has_children(h.node));
	LOOK("/ab");
	ck_assert_ptr_null(h.mount);
	ck_assert_ptr_null(h.node);
	LOOK("/x");
	ck_assert_ptr_null(h.mount);  /* only an ancestor */
	ck_assert(mount_node_has_children(h.node));
	LOOK("/");
	ck_assert_ptr_eq(h.node, mount_table_root(&t));
	size_t n;
	const char *name = mount_node_child(mount_table_root(&t), 0, &n);
	ck_assert(n == 1 && name[0] == 'a');
	name = mount_node_child(mount_table_root(&t), 1, &n);
	ck_assert(n == 1 && name[0] == 'x');
	ck_assert_ptr_null(mount_node_child(mount_table_root(&t), 2, &n));
	ck_assert_ptr_eq(mount_node_mount(mount_node_find(h.node, "x", 1)), NULL);
	LOOK("/x/y/z");
	ck_assert_ptr_eq(h.mount, &l.v[2]);
	ck_assert_uint_eq(h.mount->flags, MOUNT_RO);
#undef LOOK
}
END_TEST

/* A walk one component at a time finds what a lookup from the root finds,
 * also under a node with more children than are compared one by one. */
START_TEST(stepwise_walk_matches_lookup)
{
	char dest[32];
	for (int i = 0; i < 20; i++) {
		snprintf(dest, sizeof dest, "/many/child%02d", i);
		ck_assert_int_eq(mounts_add(&l, MOUNT_BIND, 0, "/s", dest, err, sizeof err), 0);
	}
	ck_assert_int_eq(mounts_add(&l, MOUNT_BIND, 0, "/t", "/many/child07/deeper/m", err, sizeof err), 0);
	struct mount_table t;
	ck_assert_int_eq(mount_table_build(&t, &l, err, sizeof err), 0);
	const char *paths[] = { "/many/child07/deeper/m/x/y", "/many/child19/a", "/many/child20", "/many",
				"/other/x", "/many/child07/deeper" };
	for (size_t k = 0; k < sizeof paths / sizeof *paths; k++) {
		const char *path = paths[k];
		struct mount_hit step, whole;
		mount_lookup(&t, "/", 1, &step);
		size_t i = 1;
		while (path[i]) {
			size_t s = i;
			while (path[i] && path[i] != '/')
				i++;
			mount_step(&step, path + s, i - s, i);
			if (path[i])
				i++;
		}
		mount_lookup(&t, path, strlen(path), &whole);
		ck_assert_msg(step.mount == whole.mount && step.node == whole.node &&
				      (!whole.mount || step.mount_len == whole.mount_len),
			      "%s", path);
	}
}
END_TEST

Suite *suite_mounts(void)
{
	Suite *s = suite_create("mounts");
	TCase *tc = tcase_create("specs and table");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, parses_the_grammar);
	tcase_add_test(tc, serializes_what_it_parses);
	tcase_add_test(tc, overlays_round_trip);
	tcase_add_test(tc, names_the_bad_line);
	tcase_add_test(tc, whole_root_mount);
	tcase_add_test(tc, normalizes_lexically);
	tcase_add_test(tc, longest_prefix_lookup);
	tcase_add_test(tc, stepwise_walk_matches_lookup);
	suite_add_tcase(s, tc);
	return s;
}
