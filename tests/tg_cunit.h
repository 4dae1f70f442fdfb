/*
 * One CUnit runner for every C test binary: registers a suite of tests,
 * runs it verbosely and returns non-zero when any assertion or test failed
 * (counted before the registry is cleaned up).
 */
#ifndef TG_CUNIT_H
#define TG_CUNIT_H

#include <CUnit/Basic.h>
#include <stddef.h>

struct tg_cunit_test {
	const char *name;
	CU_TestFunc fn;
};

static inline int tg_cunit_run(const char *suite, CU_InitializeFunc init, CU_CleanupFunc clean,
			       const struct tg_cunit_test *tests, size_t n)
{
	CU_pSuite s;
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite(suite, init, clean);
	if (s == NULL) {
		CU_cleanup_registry();
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		CU_add_test(s, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
		   CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failures == 0 ? 0 : 1;
}

#define TG_CUNIT_COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif
