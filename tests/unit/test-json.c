/*
 * The streaming JSON writer (irt/json.h): the exact bytes of documents
 * and JSON Lines, escaping of hostile strings, and calls out of place
 * refused; every document it writes parses with json-c.
 */
#include <json-c/json.h>

#include "unit.h"

/* Parses a document with json-c; fails the test when it is not JSON. */
static json_object *
parse_json(const char *s)
{
	json_tokener *tok = json_tokener_new();
	json_object *o;

	assert_non_null(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, s, (int)strlen(s));
	if (json_tokener_get_error(tok) != json_tokener_success)
		fail_msg("not JSON: %s", s);
	json_tokener_free(tok);
	return o;
}

static void
test_document(void **state)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	json_object *o;

	(void)state;
	irt_jw_init(&w, &b);
	assert_int_equal(irt_jw_object(&w, NULL), 0);
	irt_jw_str(&w, "id", "20261127T211439Z-3fa9c1");
	irt_jw_null(&w, "host");
	irt_jw_str(&w, "none", NULL);
	irt_jw_array(&w, "tags");
	irt_jw_str(&w, NULL, "ssh");
	irt_jw_str(&w, NULL, "lateral");
	irt_jw_end(&w);
	irt_jw_array(&w, "empty");
	irt_jw_end(&w);
	irt_jw_object(&w, "counts");
	irt_jw_uint(&w, "ok", 18446744073709551615ULL);
	irt_jw_int(&w, "min", -9223372036854775807LL - 1);
	irt_jw_end(&w);
	irt_jw_bool(&w, "ok", true);
	irt_jw_bool(&w, "bad", false);
	irt_jw_object(&w, "nothing");
	irt_jw_end(&w);
	irt_jw_end(&w);
	assert_int_equal(irt_jw_line(&w), 0);
	assert_string_equal(b.ptr,
	    "{\"id\":\"20261127T211439Z-3fa9c1\",\"host\":null,\"none\":null,"
	    "\"tags\":[\"ssh\",\"lateral\"],\"empty\":[],"
	    "\"counts\":{\"ok\":18446744073709551615,"
	    "\"min\":-9223372036854775808},\"ok\":true,\"bad\":false,"
	    "\"nothing\":{}}\n");
	o = parse_json(b.ptr);
	json_object_put(o);

	/* JSON Lines: documents one after the other, a bare value too */
	irt_buf_clear(&b);
	irt_jw_array(&w, NULL);
	irt_jw_int(&w, NULL, 1);
	irt_jw_end(&w);
	assert_int_equal(irt_jw_line(&w), 0);
	irt_jw_str(&w, NULL, "two");
	assert_int_equal(irt_jw_line(&w), 0);
	assert_string_equal(b.ptr, "[1]\n\"two\"\n");
	irt_buf_release(&b);
}

static void
test_escaping(void **state)
{
	static const char hostile[] = "a\"b\\c\n\t\r\x1b[31m\x7f\xff\xc3"
	                              "\xa9 \xe2\x80\xa8/";
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	json_object *o, *v;

	(void)state;
	irt_jw_init(&w, &b);
	irt_jw_object(&w, NULL);
	irt_jw_str(&w, "k\"\n\xfe", hostile);
	irt_jw_strn(&w, "nul", "a\0b", 3);
	irt_jw_end(&w);
	assert_int_equal(irt_jw_line(&w), 0);
	/* control characters escaped, invalid bytes as the text \xNN,
	 * valid UTF-8 kept but for U+2028, nothing raw that a terminal
	 * would act on */
	assert_string_equal(b.ptr,
	    "{\"k\\\"\\n\\\\xfe\":\"a\\\"b\\\\c\\n\\t\\r\\u001b[31m\\u007f"
	    "\\\\xff\xc3\xa9 \\u2028/\",\"nul\":\"a\\u0000b\"}\n");
	assert_true(irt_utf8_valid(b.ptr, b.len));
	o = parse_json(b.ptr);
	assert_true(json_object_object_get_ex(o, "nul", &v));
	assert_int_equal(json_object_get_string_len(v), 3);
	assert_memory_equal(json_object_get_string(v), "a\0b", 3);
	assert_true(json_object_object_get_ex(o, "k\"\n\\xfe", &v));
	assert_string_equal(json_object_get_string(v),
	    "a\"b\\c\n\t\r\x1b[31m\x7f\\xff\xc3\xa9 \xe2\x80\xa8/");
	json_object_put(o);
	irt_buf_release(&b);
}

/* Each misuse is refused with IRT_EINVAL, and the error sticks. */
static void
test_misuse(void **state)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	int i;

	(void)state;
	irt_jw_init(&w, &b);
	irt_jw_object(&w, NULL);
	assert_int_equal(irt_jw_str(&w, NULL, "x"), IRT_EINVAL);
	assert_int_equal(irt_jw_end(&w), IRT_EINVAL);
	assert_int_equal(irt_jw_line(&w), IRT_EINVAL);

	irt_buf_clear(&b);
	irt_jw_init(&w, &b);
	irt_jw_array(&w, NULL);
	assert_int_equal(irt_jw_int(&w, "k", 1), IRT_EINVAL);

	irt_jw_init(&w, &b);
	assert_int_equal(irt_jw_str(&w, "k", "v"), IRT_EINVAL);
	irt_jw_init(&w, &b);
	assert_int_equal(irt_jw_end(&w), IRT_EINVAL);
	irt_jw_init(&w, &b);
	assert_int_equal(irt_jw_line(&w), IRT_EINVAL);
	irt_jw_init(&w, &b);
	irt_jw_object(&w, NULL);
	assert_int_equal(irt_jw_line(&w), IRT_EINVAL);
	irt_jw_init(&w, &b);
	irt_jw_null(&w, NULL);
	assert_int_equal(irt_jw_null(&w, NULL), IRT_EINVAL);

	irt_jw_init(&w, &b);
	for (i = 0; i < IRT_JW_DEPTH; i++)
		assert_int_equal(irt_jw_array(&w, NULL), 0);
	assert_int_equal(irt_jw_array(&w, NULL), IRT_EINVAL);
	assert_non_null(strstr(irt_error_last(), "nested too deep"));
	irt_buf_release(&b);
}

/* A record kept as text, embedded and extended. */
static void
test_records(void **state)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	json_object *o;

	(void)state;
	irt_jw_init(&w, &b);
	irt_jw_object(&w, NULL);
	irt_jw_members(&w, "{\"a\":1,\"b\":{\"c\":\"}\"}}\n");
	irt_jw_members(&w, "{}");
	irt_jw_str_or_null(&w, "empty", "");
	irt_jw_str_or_null(&w, "s", "x");
	irt_jw_raw(&w, "event", "{\"k\":[1,2]}");
	irt_jw_raw(&w, "none", NULL);
	irt_jw_end(&w);
	assert_int_equal(irt_jw_line(&w), 0);
	assert_string_equal(b.ptr,
	    "{\"a\":1,\"b\":{\"c\":\"}\"},\"empty\":null,\"s\":\"x\","
	    "\"event\":{\"k\":[1,2]},\"none\":null}\n");
	o = parse_json(b.ptr);
	json_object_put(o);

	/* members into an empty object, then nothing but objects */
	irt_buf_clear(&b);
	irt_jw_object(&w, NULL);
	irt_jw_members(&w, "{\"a\":1}");
	irt_jw_int(&w, "n", 2);
	irt_jw_end(&w);
	assert_int_equal(irt_jw_line(&w), 0);
	assert_string_equal(b.ptr, "{\"a\":1,\"n\":2}\n");
	irt_jw_object(&w, NULL);
	assert_int_equal(irt_jw_members(&w, "[1]"), IRT_EINVAL);
	irt_jw_init(&w, &b);
	irt_jw_array(&w, NULL);
	assert_int_equal(irt_jw_members(&w, "{\"a\":1}"), IRT_EINVAL);
	irt_buf_release(&b);
}

/* Records read with json-c: one object a line, written back escaped. */
static void
test_reading(void **state)
{
	/* a C1 control, a byte that is not UTF-8, a NUL inside a string */
	static const char line[] = "{\"s\":\"a\xc2\x85"
	                           "b\xff\",\"z\":\"x\\u0000y\",\"n\":[1,-2,"
	                           "18446744073709551615,1.5,true,null],"
	                           "\"o\":{\"k\":\"v\"}}";
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	json_object *o;

	(void)state;
	o = irt_json_object(line, sizeof line - 1);
	assert_non_null(o);
	assert_null(irt_json_get_str(o, "n"));
	assert_null(irt_json_get_str(o, "missing"));
	assert_null(irt_json_get_str(o, "o"));
	irt_jw_init(&w, &b);
	irt_jw_array(&w, NULL);
	assert_int_equal(irt_jw_json(&w, NULL, o), 0);
	irt_jw_end(&w);
	assert_int_equal(irt_jw_line(&w), 0);
	assert_string_equal(b.ptr,
	    "[{\"s\":\"a\\u0085b\\\\xff\",\"z\":\"x\\u0000y\",\"n\":[1,-2,"
	    "18446744073709551615,1.5,true,null],\"o\":{\"k\":\"v\"}}]\n");
	json_object_put(parse_json(b.ptr));
	json_object_put(o);

	/* white space after the object, not anything else */
	o = irt_json_object("{\"a\":\"b\"} \r\n", 12);
	assert_non_null(o);
	assert_string_equal(irt_json_get_str(o, "a"), "b");
	json_object_put(o);
	assert_null(irt_json_object("{\"a\":1}x", 8));
	assert_null(irt_json_object("{\"a\":1}\0", 8));
	assert_null(irt_json_object("[1]", 3));
	assert_null(irt_json_object("{\"a\":", 5));
	assert_null(irt_json_object("", 0));
	/* nested past 16 levels */
	{
		static const char deep[] =
		    "{\"a\":[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}";
		assert_null(irt_json_object(deep, sizeof deep - 1));
	}
	irt_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_reading),
	};

	return UNIT_RUN(tests);
}
