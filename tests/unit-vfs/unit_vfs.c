/* Unit suites of the view: mounts/ and vfs/ internals. */
#include <check.h>
#include <stdlib.h>

Suite *suite_mounts(void);
Suite *suite_resolve(void);
Suite *suite_overlay(void);

int main(void)
{
	SRunner *sr = srunner_create(suite_mounts());
	srunner_add_suite(sr, suite_resolve());
	srunner_add_suite(sr, suite_overlay());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
