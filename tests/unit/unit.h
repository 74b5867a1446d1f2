/* Check suites of the lazypoline unit tests. */
#ifndef UNIT_H
#define UNIT_H
#include <check.h>

Suite *suite_ehframe(void);
Suite *suite_redzone(void);
Suite *suite_trampoline(void);
Suite *suite_api(void);
Suite *suite_execenv(void);
Suite *suite_trace(void);
Suite *suite_alloc(void);
#endif
