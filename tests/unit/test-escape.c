#include "unit.h"

static char *
term(const char *s, size_t len)
{
	struct irt_buf b = IRT_BUF_INIT;

	assert_int_equal(irt_escape_term(&b, s, len), 0);
	return irt_buf_detach(&b);
}

static char *
json(const char *s, size_t len)
{
	struct irt_buf b = IRT_BUF_INIT;

	assert_int_equal(irt_json_strn(&b, s, len), 0);
	return irt_buf_detach(&b);
}

static char *
csv(const char *s, bool always)
{
	struct irt_buf b = IRT_BUF_INIT;

	assert_int_equal(irt_escape_csv(&b, s, strlen(s), always), 0);
	return irt_buf_detach(&b);
}

#define CHECK(fn, in, want)                                                    \
	do {                                                                   \
		char *got_ = fn(in, sizeof(in) - 1);                           \
		assert_string_equal(got_, want);                               \
		free(got_);                                                    \
	} while (0)

static void
test_term(void **state)
{
	(void)state;
	CHECK(term, "plain text", "plain text");
	CHECK(term, "caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93");
	CHECK(term, "a\nb\tc\rd\x1b[31m", "a\\nb\\tc\\rd\\e[31m");
	CHECK(term, "back\\slash", "back\\\\slash");
	CHECK(term, "\x01\x7f", "\\x01\\x7f");
	CHECK(term, "bad \xff\xfe utf8", "bad \\xff\\xfe utf8");
	CHECK(term, "nul\0byte", "nul\\x00byte");
	/* C1 control (CSI) encoded in UTF-8 */
	CHECK(term,
	    "\xc2\x9b"
	    "31m",
	    "\\xc2\\x9b31m");
	/* overlong and surrogate encodings are invalid */
	CHECK(term, "\xc0\xaf", "\\xc0\\xaf");
	CHECK(term, "\xed\xa0\x80", "\\xed\\xa0\\x80");
	/* truncated sequence at the end */
	CHECK(term, "x\xe2\x9c", "x\\xe2\\x9c");
}

static void
test_esc_ring(void **state)
{
	const char *a, *b;

	(void)state;
	a = irt_esc("one\n");
	b = irt_esc("two\t");
	assert_string_equal(a, "one\\n");
	assert_string_equal(b, "two\\t");
	assert_string_equal(irt_esc(NULL), "(null)");
	/* a fresh buffer holding nothing is still a terminated string */
	assert_string_equal(irt_esc(""), "");
}

static void
test_json(void **state)
{
	(void)state;
	CHECK(json, "a\"b\\c", "\"a\\\"b\\\\c\"");
	CHECK(json, "\n\t\r\x01\x1b", "\"\\n\\t\\r\\u0001\\u001b\"");
	CHECK(json, "caf\xc3\xa9", "\"caf\xc3\xa9\"");
	CHECK(json, "bad\xff", "\"bad\\\\xff\"");
	CHECK(json, "n\0l", "\"n\\u0000l\"");
	/* C1 controls, U+2028 and U+2029 escaped; U+00A0 and U+2027 kept */
	CHECK(json,
	    "a\xc2\x85\xc2\x9b"
	    "b",
	    "\"a\\u0085\\u009bb\"");
	CHECK(json, "\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"");
	CHECK(json, "\xc2\xa0\xe2\x80\xa7", "\"\xc2\xa0\xe2\x80\xa7\"");
	{
		struct irt_buf b = IRT_BUF_INIT;
		assert_int_equal(irt_json_str(&b, NULL), 0);
		assert_string_equal(b.ptr, "null");
		irt_buf_release(&b);
	}
}

static void
test_json_always_valid_utf8(void **state)
{
	unsigned char in[256];
	char *out;
	size_t i;

	(void)state;
	for (i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	out = json((const char *)in, sizeof in);
	assert_true(irt_utf8_valid(out, strlen(out)));
	free(out);
}

static void
test_csv(void **state)
{
	char *s;

	(void)state;
	s = csv("plain", false);
	assert_string_equal(s, "plain");
	free(s);
	s = csv("plain", true);
	assert_string_equal(s, "\"plain\"");
	free(s);
	s = csv("a,b", false);
	assert_string_equal(s, "\"a,b\"");
	free(s);
	s = csv("say \"hi\"\nnext", false);
	assert_string_equal(s, "\"say \"\"hi\"\"\nnext\"");
	free(s);
}

static char *
body(const char *s, size_t len)
{
	struct irt_buf b = IRT_BUF_INIT;

	assert_int_equal(irt_escape_bodyfile(&b, s, len), 0);
	return irt_buf_detach(&b);
}

static void
test_bodyfile(void **state)
{
	(void)state;
	CHECK(body, "/etc/passwd", "/etc/passwd");
	CHECK(body, "a|b\nc\r", "a%7Cb%0Ac%0D");
	CHECK(body, "\x1b[31m\xff", "%1B[31m%FF");
	CHECK(body, "caf\xc3\xa9 100% %41", "caf\xc3\xa9 100% %2541");
	/* C1 controls: CSI (U+009B) is an escape as ESC [ is */
	CHECK(body,
	    "a\xc2\x9b"
	    "31mb\xc2\xa0",
	    "a%C2%9B31mb\xc2\xa0");
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(irt_utf8_valid("", 0));
	assert_true(irt_utf8_valid("\xf0\x9f\x94\x8d", 4));
	assert_false(irt_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(irt_utf8_valid("a\0b", 3));
	assert_false(irt_utf8_valid("\x80", 1));
	assert_int_equal(
	    irt_utf8_seqlen((const unsigned char *)"\xc3\xa9", 2), 2);
	assert_int_equal(irt_utf8_seqlen((const unsigned char *)"\xc3", 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_term),
		cmocka_unit_test(test_esc_ring),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_always_valid_utf8),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_bodyfile),
		cmocka_unit_test(test_utf8),
	};

	return UNIT_RUN(tests);
}
