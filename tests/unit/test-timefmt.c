#include "unit.h"

static irt_ns
parse(const char *s)
{
	irt_ns t = 0;

	assert_int_equal(irt_time_parse(&t, s), 0);
	return t;
}

static void
test_format(void **state)
{
	char out[IRT_TIME_MAX];

	(void)state;
	assert_string_equal(irt_time_format(out, 0, 0), "1970-01-01T00:00:00Z");
	assert_string_equal(
	    irt_time_format(out, 1795814079LL * IRT_NS_PER_SEC, 0),
	    "2026-11-27T21:14:39Z");
	assert_string_equal(
	    irt_time_format(out, 1795814079LL * IRT_NS_PER_SEC + 123456789, 9),
	    "2026-11-27T21:14:39.123456789Z");
	assert_string_equal(
	    irt_time_format(out, 1795814079LL * IRT_NS_PER_SEC + 123456789, 3),
	    "2026-11-27T21:14:39.123Z");
	assert_string_equal(
	    irt_time_format(out, 1795814079LL * IRT_NS_PER_SEC + 120000000, -1),
	    "2026-11-27T21:14:39.120Z");
	assert_string_equal(
	    irt_time_format(out, 1795814079LL * IRT_NS_PER_SEC + 1000, -1),
	    "2026-11-27T21:14:39.000001Z");
	/* before the epoch, with a fraction */
	assert_string_equal(
	    irt_time_format(out, -1, 9), "1969-12-31T23:59:59.999999999Z");
	/* leap day and far years */
	assert_string_equal(
	    irt_time_format(out, parse("2024-02-29T12:00:00Z"), 0),
	    "2024-02-29T12:00:00Z");
	assert_string_equal(irt_time_format_offset(out, 0, 0, 3600 + 1800),
	    "1970-01-01T01:30:00+01:30");
	assert_string_equal(irt_time_format_offset(out, 0, 0, -5 * 3600),
	    "1969-12-31T19:00:00-05:00");
	assert_string_equal(irt_time_stamp(out, parse("2026-11-27T21:14:39Z")),
	    "20261127T211439Z");
}

static void
test_parse(void **state)
{
	irt_ns t;

	(void)state;
	assert_true(parse("2026-11-27") == 1795737600LL * IRT_NS_PER_SEC);
	assert_true(
	    parse("2026-11-27T21:14:39Z") == parse("2026-11-27 21:14:39"));
	assert_true(parse("2026-11-27T22:14:39+01:00") ==
	    parse("2026-11-27T21:14:39Z"));
	assert_true(
	    parse("2026-11-27T16:14:39-0500") == parse("2026-11-27T21:14:39Z"));
	assert_true(parse("2026-11-27T21:14:39.5Z") ==
	    parse("2026-11-27T21:14:39Z") + 500000000);
	assert_true(
	    parse("2026-11-27T21:14Z") == parse("2026-11-27T21:14:00Z"));
	assert_true(parse("1795814079") == 1795814079LL * IRT_NS_PER_SEC);
	assert_true(parse("@1795814079.25") ==
	    1795814079LL * IRT_NS_PER_SEC + 250000000);
	assert_true(parse("-1") == -IRT_NS_PER_SEC);
	assert_int_equal(irt_time_parse(&t, "2026-02-30"), IRT_EINVAL);
	assert_int_equal(irt_time_parse(&t, "2025-02-29"), IRT_EINVAL);
	assert_int_equal(irt_time_parse(&t, "2026-13-01"), IRT_EINVAL);
	assert_int_equal(irt_time_parse(&t, "2026-11-27T25:00"), IRT_EINVAL);
	assert_int_equal(irt_time_parse(&t, "yesterday"), IRT_EINVAL);
	assert_int_equal(irt_time_parse(&t, ""), IRT_EINVAL);
	assert_int_equal(irt_time_parse(&t, "2026-11-27Tjunk"), IRT_EINVAL);
	assert_int_equal(
	    irt_time_parse(&t, "99999999999999999999"), IRT_EINVAL);
	assert_non_null(strstr(irt_error_last(), "invalid time"));
	/* four digits of year, beyond what 64-bit nanoseconds hold: under
	 * UBSan an overflow would end the test */
	assert_int_equal(
	    irt_time_parse(&t, "9999-12-31T23:59:59Z"), IRT_EINVAL);
	assert_non_null(strstr(irt_error_last(), "out of range"));
	assert_int_equal(irt_time_parse(&t, "2262-04-12"), IRT_EINVAL);
	assert_int_equal(irt_time_parse(&t, "0001-01-01"), IRT_EINVAL);
	assert_int_equal(irt_time_parse(&t, "2261-12-31T23:59:59Z"), 0);
	assert_int_equal(irt_time_parse(&t, "1678-01-01"), 0);
	/* what it quotes is escaped */
	assert_int_equal(irt_time_parse(&t, "20\033[2J"), IRT_EINVAL);
	assert_null(strchr(irt_error_last(), '\033'));
}

static void
test_roundtrip(void **state)
{
	char out[IRT_TIME_MAX];
	irt_ns t, back;

	(void)state;
	for (t = -86400LL * 365 * 100 * IRT_NS_PER_SEC;
	     t < 86400LL * 365 * 200 * IRT_NS_PER_SEC;
	     t += 86400LL * 37 * IRT_NS_PER_SEC + 987654321) {
		irt_time_format(out, t, 9);
		back = parse(out);
		assert_true(back == t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_roundtrip),
	};

	return UNIT_RUN(tests);
}
