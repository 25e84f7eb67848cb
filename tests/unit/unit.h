/*
 * Shared set-up for the cmocka unit tests of libirt.
 */
#ifndef IRT_TEST_UNIT_H
#define IRT_TEST_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <irt/irt.h>

/* A fresh temporary directory (mkdtemp); removed by unit_rmtree. */
static inline char *
unit_tmpdir(void)
{
	char *p = strdup("/tmp/irt-unit-XXXXXX");

	assert_non_null(p);
	assert_non_null(mkdtemp(p));
	return p;
}

static inline void
unit_rmtree(char *p)
{
	char cmd[4200];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", p);
	assert_int_equal(system(cmd), 0);
	free(p);
}

static inline int
unit_main(const struct CMUnitTest *tests, size_t n, const char *name)
{
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}

#define UNIT_RUN(tests)                                                        \
	unit_main(tests, sizeof(tests) / sizeof((tests)[0]), __FILE__)

#endif
