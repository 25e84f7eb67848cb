#include "unit.h"

static void
test_parse_format_roundtrip(void **state)
{
	static const char text[] = "Id: 20261127T211439Z-3fa9c1\n"
	                           "Author: Ann <ann@example.org>\n"
	                           "Date: 2026-11-27T21:14:39.123456789Z\n"
	                           "Tags: ssh, lateral\n"
	                           "Host: web01\n"
	                           "\n"
	                           "body line 1\nbody line 2\n";
	struct irt_note n;
	struct irt_buf b = IRT_BUF_INIT;

	(void)state;
	assert_int_equal(irt_note_parse(&n, text, sizeof text - 1, "t.md"), 0);
	assert_string_equal(n.id, "20261127T211439Z-3fa9c1");
	assert_string_equal(n.author, "Ann <ann@example.org>");
	assert_int_equal(n.ntags, 2);
	assert_string_equal(n.tags[1], "lateral");
	assert_string_equal(n.host, "web01");
	assert_true(n.date == 1795814079LL * IRT_NS_PER_SEC + 123456789);
	assert_string_equal(n.text, "body line 1\nbody line 2\n");
	assert_int_equal(irt_note_format(&b, &n), 0);
	assert_string_equal(b.ptr, text);
	irt_note_release(&n);
	irt_buf_release(&b);
}

static void
test_parse_errors(void **state)
{
	static const char *const bad[] = {
		"",
		"Id: x\n",
		"Id: x\nAuthor: a\n\ntext", /* no Date */
		"Id: x\nAuthor: a\nDate: never\n\ntext",
		"Id: x\nAuthor: a\nDate: 2026-01-01\nBogus: 1\n\n",
		"Id: x\nId: y\nAuthor: a\nDate: 2026-01-01\n\n",
		"no header at all\n\ntext",
	};
	struct irt_note n;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(
		    irt_note_parse(&n, bad[i], strlen(bad[i]), "n.md"),
		    IRT_EPARSE);
		assert_non_null(strstr(irt_error_last(), "n.md"));
	}
	assert_int_equal(
	    irt_note_parse(&n, "Id: x\0\n", 7, "n.md"), IRT_EPARSE);
}

static void
test_check_text(void **state)
{
	(void)state;
	assert_int_equal(irt_note_check_text("ok\n", 3), 0);
	assert_int_equal(irt_note_check_text(" \n\t", 3), IRT_EINVAL);
	assert_int_equal(irt_note_check_text("a\0b", 3), IRT_EINVAL);
	assert_non_null(strstr(irt_error_last(), "offset 1"));
	assert_int_equal(irt_note_check_text("\xff", 1), IRT_EINVAL);
	assert_int_equal(irt_note_check_word("tag", "ok-tag"), 0);
	assert_int_equal(irt_note_check_word("tag", "a,b"), IRT_EINVAL);
	assert_int_equal(irt_note_check_word("tag", ""), IRT_EINVAL);
	assert_int_equal(irt_note_check_word("host", "x\ny"), IRT_EINVAL);
}

static void
test_add_list_edit(void **state)
{
	struct irt_case_meta meta = { "INC-N", "notes", NULL, NULL, NULL };
	const char *tags[] = { "ioc" };
	struct irt_note_filter flt = { 0 };
	struct irt_ident who;
	struct irt_case *c;
	struct irt_note *v, n;
	char *dir = unit_tmpdir(), path[4200], id1[32], id2[32];
	size_t cnt;

	(void)state;
	snprintf(path, sizeof path, "%s/c", dir);
	assert_int_equal(irt_ident_parse(&who, "U <u@x>"), 0);
	assert_int_equal(irt_case_init(&c, path, &meta, &who), 0);
	assert_int_equal(
	    irt_note_add(c, id1, "first", 5, tags, 1, "web01", &who), 0);
	assert_int_equal(
	    irt_note_add(c, id2, "second\n", 7, NULL, 0, NULL, &who), 0);
	assert_int_equal(
	    irt_note_add(c, id2, "", 0, NULL, 0, NULL, &who), IRT_EINVAL);
	assert_int_equal(irt_note_list(c, &v, &cnt, NULL), 0);
	assert_int_equal(cnt, 2);
	assert_string_equal(v[0].id, id1);
	assert_string_equal(v[0].text, "first\n");
	irt_note_list_free(v, cnt);
	flt.tag = "ioc";
	assert_int_equal(irt_note_list(c, &v, &cnt, &flt), 0);
	assert_int_equal(cnt, 1);
	irt_note_list_free(v, cnt);
	flt.tag = NULL;
	flt.host = "db01";
	assert_int_equal(irt_note_list(c, &v, &cnt, &flt), 0);
	assert_int_equal(cnt, 0);
	irt_note_list_free(v, cnt);
	assert_int_equal(irt_note_edit(c, id1, "changed", 7, &who), 0);
	assert_int_equal(irt_note_get(c, &n, id1), 0);
	assert_string_equal(n.text, "changed\n");
	assert_string_equal(n.host, "web01");
	irt_note_release(&n);
	assert_int_equal(irt_note_edit(c, id1, "changed", 7, &who), IRT_EINVAL);
	assert_int_equal(irt_note_get(c, &n, "nope"), IRT_ENOTFOUND);
	irt_case_free(c);
	irt_ident_release(&who);
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format_roundtrip),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_check_text),
		cmocka_unit_test(test_add_list_edit),
	};

	return UNIT_RUN(tests);
}
