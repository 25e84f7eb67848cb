#include "unit.h"

static void
test_roundtrip(void **state)
{
	struct irt_kv kv = IRT_KV_INIT, back = IRT_KV_INIT;
	struct irt_buf b = IRT_BUF_INIT;
	static const char tricky[] = " lead\\ing\ttab\nnew\x01\xff\xc3\xa9 ";

	(void)state;
	assert_int_equal(irt_kv_add(&kv, "plain", "hello world"), 0);
	assert_int_equal(
	    irt_kv_addn(&kv, "tricky", tricky, sizeof tricky - 1), 0);
	assert_int_equal(irt_kv_addn(&kv, "nul", "a\0b", 3), 0);
	assert_int_equal(irt_kv_write(&b, &kv), 0);
	/* every value sits on one line */
	assert_int_equal(
	    strchr(b.ptr, '\n') - b.ptr, (long)strlen("plain = hello world"));
	assert_int_equal(irt_kv_parse(&back, b.ptr, b.len, "t"), 0);
	assert_int_equal(back.n, 3);
	assert_string_equal(irt_kv_get(&back, "plain"), "hello world");
	assert_int_equal(back.v[1].value_len, sizeof tricky - 1);
	assert_memory_equal(back.v[1].value, tricky, sizeof tricky - 1);
	assert_int_equal(back.v[2].value_len, 3);
	assert_memory_equal(back.v[2].value, "a\0b", 3);
	irt_kv_release(&kv);
	irt_kv_release(&back);
	irt_buf_release(&b);
}

static void
test_parse_errors(void **state)
{
	struct irt_kv kv = IRT_KV_INIT;
	static const char *const bad[] = {
		"novalue\n",
		"bad key = x\n",
		"k = \\q\n",
		"k = \\x4\n",
		"k = trailing\\\n",
		" = empty key\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[64];
		snprintf(text, sizeof text, "# c\nok = 1\n%s", bad[i]);
		assert_int_equal(
		    irt_kv_parse(&kv, text, strlen(text), "f.conf"),
		    IRT_EPARSE);
		/* the message names the file and the line */
		assert_non_null(strstr(irt_error_last(), "f.conf:3:"));
		/* and kv holds nothing of it: a caller that does not
		 * release it leaks nothing (ASan says so) */
		assert_int_equal(kv.n, 0);
		assert_null(kv.v);
	}
	assert_int_equal(irt_kv_parse(&kv, "a = b\0c\n", 8, "n"), IRT_EPARSE);
	/* entries there before the parse stay */
	assert_int_equal(irt_kv_add(&kv, "kept", "1"), 0);
	assert_int_equal(
	    irt_kv_parse(&kv, "x = 1\nbad\n", 10, "n"), IRT_EPARSE);
	assert_int_equal(kv.n, 1);
	assert_string_equal(irt_kv_get(&kv, "kept"), "1");
	assert_null(irt_kv_get(&kv, "x"));
	irt_kv_release(&kv);
}

static void
test_set_get(void **state)
{
	struct irt_kv kv = IRT_KV_INIT;

	(void)state;
	assert_int_equal(irt_kv_parse(&kv, "a = 1\r\nb=2\n  # x\n\na = 3",
	                     strlen("a = 1\r\nb=2\n  # x\n\na = 3"), "t"),
	    0);
	assert_int_equal(kv.n, 3);
	assert_string_equal(irt_kv_get(&kv, "a"), "1");
	assert_string_equal(irt_kv_get(&kv, "b"), "2");
	assert_int_equal(kv.v[2].line, 5);
	assert_int_equal(irt_kv_set(&kv, "b", "two"), 0);
	assert_string_equal(irt_kv_get(&kv, "b"), "two");
	assert_null(irt_kv_get(&kv, "c"));
	assert_int_equal(irt_kv_add(&kv, "bad key", "x"), IRT_EINVAL);
	irt_kv_release(&kv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_set_get),
	};

	return UNIT_RUN(tests);
}
