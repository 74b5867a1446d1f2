/* The runtime's allocator. */
#include <string.h>

#include "lp_internal.h"
#include "unit.h"

START_TEST(sizes_and_reuse)
{
	void *p[64];
	for (int i = 0; i < 64; i++) {
		size_t n = (size_t)1 << (i % 14);
		p[i] = lp_malloc(n);
		ck_assert_ptr_nonnull(p[i]);
		memset(p[i], i, n);
	}
	for (int i = 0; i < 64; i++) {
		size_t n = (size_t)1 << (i % 14);
		for (size_t j = 0; j < n; j += 97)
			ck_assert_int_eq(((unsigned char *)p[i])[j], i);
		lp_free(p[i]);
	}
	void *a = lp_malloc(100);
	lp_free(a);
	ck_assert_ptr_eq(lp_malloc(100), a);  /* a free slot of the class is reused */
}
END_TEST

START_TEST(calloc_realloc)
{
	unsigned char *z = lp_calloc(1000, 3);
	for (int i = 0; i < 3000; i++)
		ck_assert_int_eq(z[i], 0);
	memcpy(z, "keep", 5);
	z = lp_realloc(z, 100000);
	ck_assert_str_eq((char *)z, "keep");
	lp_free(z);
	ck_assert_ptr_null(lp_calloc((size_t)-1, 16));
}
END_TEST

Suite *suite_alloc(void)
{
	Suite *s = suite_create("alloc");
	TCase *tc = tcase_create("alloc");
	tcase_add_test(tc, sizes_and_reuse);
	tcase_add_test(tc, calloc_realloc);
	suite_add_tcase(s, tc);
	return s;
}
