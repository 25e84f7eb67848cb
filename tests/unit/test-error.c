#include <errno.h>

#include "unit.h"

static void
test_set_and_read(void **state)
{
	(void)state;
	irt_error_clear();
	assert_string_equal(irt_error_last(), "unknown error");
	assert_int_equal(irt_error_code(), 0);
	assert_int_equal(
	    irt_error_set(IRT_EINVAL, "bad '%s' at %d", "x", 3), IRT_EINVAL);
	assert_string_equal(irt_error_last(), "bad 'x' at 3");
	assert_int_equal(irt_error_code(), IRT_EINVAL);
	assert_int_equal(
	    irt_error_sys(IRT_EIO, ENOENT, "cannot open '%s'", "/f"), IRT_EIO);
	assert_string_equal(
	    irt_error_last(), "cannot open '/f': No such file or directory");
}

static void
test_long_message_is_cut(void **state)
{
	char big[4096];

	(void)state;
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	irt_error_set(IRT_ERROR, "%s", big);
	assert_true(strlen(irt_error_last()) < sizeof big);
	assert_true(strlen(irt_error_last()) > 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_and_read),
		cmocka_unit_test(test_long_message_is_cut),
	};

	return UNIT_RUN(tests);
}
