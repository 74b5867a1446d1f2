/* Runs every unit suite; each test runs in its own child process (the
 * in-process ones start an interposer). */
#include <stdlib.h>

#include "unit.h"

int main(void)
{
	SRunner *sr = srunner_create(suite_ehframe());
	srunner_add_suite(sr, suite_redzone());
	srunner_add_suite(sr, suite_trampoline());
	srunner_add_suite(sr, suite_api());
	srunner_add_suite(sr, suite_execenv());
	srunner_add_suite(sr, suite_trace());
	srunner_add_suite(sr, suite_alloc());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
