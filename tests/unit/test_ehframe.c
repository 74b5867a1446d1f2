/* Function bounds from .eh_frame_hdr, against what the symbol table says. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#include "lp_internal.h"
#include "unit.h"

__attribute__((noinline)) static int probe_function(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3 + 1;
}

static const uint8_t *eh_of(const void *pc)
{
	struct dl_find_object fo;
	ck_assert_int_eq(_dl_find_object((void *)pc, &fo), 0);
	ck_assert_ptr_nonnull(fo.dlfo_eh_frame);
	return fo.dlfo_eh_frame;
}

START_TEST(finds_local_function)
{
	uintptr_t f = (uintptr_t)probe_function;
	struct lp_fde_range r;
	ck_assert_int_eq(lp_ehframe_lookup(eh_of(probe_function), f + 1, &r), 0);
	ck_assert_uint_eq(r.start, f);
	ck_assert_uint_gt(r.end, f + 1);
	ck_assert_int_eq(probe_function(2), 7);
}
END_TEST

/* Exported libc functions: the unwind range is the symbol's extent. */
START_TEST(matches_libc_symbol_sizes)
{
	const char *names[] = { "getppid", "openat", "malloc", "qsort", "fork" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		void *sym = dlsym(RTLD_DEFAULT, names[i]);
		ck_assert_ptr_nonnull(sym);
		Dl_info di;
		const ElfW(Sym) *es = NULL;
		ck_assert(dladdr1(sym, &di, (void **)&es, RTLD_DL_SYMENT));
		uintptr_t start = (uintptr_t)di.dli_saddr;
		struct lp_fde_range r;
		ck_assert_msg(lp_ehframe_lookup(eh_of(sym), start, &r) == 0, "%s not found", names[i]);
		ck_assert_msg(r.start == start, "%s starts at %#lx, not %#lx", names[i],
			      (unsigned long)r.start, (unsigned long)start);
		if (es && es->st_size)
			ck_assert_msg(r.end == start + es->st_size, "%s: end %#lx, size %lu", names[i],
				      (unsigned long)(r.end - r.start), (unsigned long)es->st_size);
	}
}
END_TEST

START_TEST(outside_any_function)
{
	struct lp_fde_range r;
	/* before the first function of the object: no entry */
	struct dl_find_object fo;
	ck_assert_int_eq(_dl_find_object((void *)getppid, &fo), 0);
	ck_assert_int_ne(lp_ehframe_lookup(fo.dlfo_eh_frame, (uintptr_t)fo.dlfo_map_start, &r), 0);
	ck_assert_int_ne(lp_ehframe_lookup(NULL, 1, &r), 0);
}
END_TEST

static void count(const struct lp_fde_range *r, void *arg)
{
	int *n = arg;
	if (r->end > r->start)
		(*n)++;
}

START_TEST(iterates_every_function)
{
	int n = 0;
	ck_assert_int_eq(lp_ehframe_each(eh_of(getppid), count, &n), 0);
	ck_assert_int_gt(n, 1000);  /* libc has thousands */
}
END_TEST

/* A static program linked without --eh-frame-hdr has only .eh_frame:
 * walked, it gives what the table gives. */
START_TEST(walks_eh_frame_without_table)
{
	const char *names[] = { "getppid", "openat", "malloc", "qsort", "fork" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		void *sym = dlsym(RTLD_DEFAULT, names[i]);
		struct dl_find_object fo;
		ck_assert_int_eq(_dl_find_object(sym, &fo), 0);
		const uint8_t *hdr = fo.dlfo_eh_frame;
		ck_assert_uint_eq(hdr[1], 0x1b);  /* eh_frame_ptr: pcrel sdata4, as ld writes it */
		int32_t rel;
		memcpy(&rel, hdr + 4, 4);
		struct lp_object walk = { .start = (uintptr_t)fo.dlfo_map_start, .end = (uintptr_t)fo.dlfo_map_end,
					  .eh_frame = hdr + 4 + rel };
		walk.eh_frame_len = walk.end - (uintptr_t)walk.eh_frame;  /* it ends at its terminator */
		struct lp_object table = walk;
		table.eh_frame_hdr = hdr;
		int found = 0;
		for (uintptr_t pc = (uintptr_t)sym; pc < (uintptr_t)sym + 256; pc += 7) {
			struct lp_fde_range a, b;
			int in_table = lp_object_function(&table, pc, &a);
			ck_assert_msg(lp_object_function(&walk, pc, &b) == in_table, "%s+%lu: %s", names[i],
				      (unsigned long)(pc - (uintptr_t)sym), in_table ? "found" : "not found");
			if (in_table == 0) {
				ck_assert_uint_eq(a.start, b.start);
				ck_assert_uint_eq(a.end, b.end);
				found++;
			}
		}
		ck_assert_int_gt(found, 0);
	}
	struct lp_object none = { 0 };
	struct lp_fde_range r;
	ck_assert_int_ne(lp_object_function(&none, (uintptr_t)getppid, &r), 0);
}
END_TEST

Suite *suite_ehframe(void)
{
	Suite *s = suite_create("ehframe");
	TCase *tc = tcase_create("lookup");
	tcase_add_test(tc, finds_local_function);
	tcase_add_test(tc, matches_libc_symbol_sizes);
	tcase_add_test(tc, outside_any_function);
	tcase_add_test(tc, iterates_every_function);
	tcase_add_test(tc, walks_eh_frame_without_table);
	suite_add_tcase(s, tc);
	return s;
}
