#include "unit.h"

static void
test_attack(void **state)
{
	(void)state;
	assert_int_equal(irt_attack_check("T1059"), 0);
	assert_int_equal(irt_attack_check("T1059.004"), 0);
	assert_int_equal(irt_attack_check("T105"), IRT_EINVAL);
	assert_int_equal(irt_attack_check("T1059.04"), IRT_EINVAL);
	assert_int_equal(irt_attack_check("t1059"), IRT_EINVAL);
	assert_int_equal(irt_attack_check("T1059.004x"), IRT_EINVAL);
	assert_string_equal(irt_attack_tactic("T1059.004"), "Execution");
	assert_string_equal(irt_attack_name("T1059.004"), "Unix Shell");
	/* a sub-technique irt does not list: its parent's tactic */
	assert_string_equal(irt_attack_tactic("T1059.999"), "Execution");
	assert_null(irt_attack_name("T1059.999"));
	assert_null(irt_attack_tactic("T9999"));
}

static void
test_parse_format_roundtrip(void **state)
{
	static const char text[] = "id = 20261127T211439Z-3fa9c1\n"
	                           "at = 2026-11-27T21:02:11.500Z\n"
	                           "host = web01\n"
	                           "technique = T1059.004\n"
	                           "ioc = 20261127T211000Z-aaaaaa\n"
	                           "hit = 20261127T212000Z-bbbbbb:3\n"
	                           "text = ran <script>\\nline two\n"
	                           "added = 2026-11-27T21:14:39Z\n"
	                           "added-by = Ann <ann@example.org>\n"
	                           "status = active\n";
	struct irt_event e;
	struct irt_buf b = IRT_BUF_INIT;

	(void)state;
	assert_int_equal(irt_event_parse(&e, text, sizeof text - 1, "e"), 0);
	assert_string_equal(e.text, "ran <script>\nline two");
	assert_int_equal(e.techniques.n, 1);
	assert_int_equal(e.hits.n, 1);
	assert_true(e.at == 1795813331LL * IRT_NS_PER_SEC + 500000000);
	assert_int_equal(irt_event_format(&b, &e), 0);
	assert_string_equal(b.ptr, text);
	irt_event_release(&e);
	irt_buf_release(&b);
}

static void
test_parse_hostile(void **state)
{
	static const char *const bad[] = {
		"",
		"id = x\ntext = t\nadded = t\n",             /* no at */
		"id = x\nat = never\ntext = t\nadded = t\n", /* bad time */
		"id = x\nat = 99999-01-01\ntext = t\nadded = t\n",
		"id = x\nat = 2026-01-01\ntext = t\nadded = t\n"
		"technique = T12\n",
		"id = x\nat = 2026-01-01\ntext = t\nadded = t\nstatus = gone\n",
		"id = x\nat = 2026-01-01\nat = 2026-01-02\ntext = t\nadded = "
		"t\n",
		"id = x\nat = 2026-01-01\ntext = a\\x00b\nadded = t\n",
		"id = x\nat = 2026-01-01\ntext = t\nadded = t\nwho = me\n",
	};
	struct irt_event e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(
		    irt_event_parse(&e, bad[i], strlen(bad[i]), "e.event"),
		    IRT_EPARSE);
		assert_non_null(strstr(irt_error_last(), "e.event"));
	}
}

static void
test_add_edit_retire(void **state)
{
	struct irt_case_meta meta = { "INC-E", "events", NULL, NULL, NULL };
	struct irt_ident who;
	struct irt_case *c;
	struct irt_event e, *v;
	char *dir = unit_tmpdir(), path[4200], id1[32], id2[32];
	size_t n;

	(void)state;
	snprintf(path, sizeof path, "%s/c", dir);
	assert_int_equal(irt_ident_parse(&who, "U <u@x>"), 0);
	assert_int_equal(irt_case_init(&c, path, &meta, &who), 0);
	memset(&e, 0, sizeof e);
	e.at = 2000 * IRT_NS_PER_SEC;
	e.text = strdup("later");
	assert_int_equal(irt_event_add(c, id1, &e, &who), 0);
	irt_event_release(&e);
	e.at = 1000 * IRT_NS_PER_SEC;
	e.text = strdup("earlier");
	irt_strlist_add(&e.techniques, "T1190");
	assert_int_equal(irt_event_add(c, id2, &e, &who), 0);
	irt_event_release(&e);
	e.at = 1;
	e.text = strdup("bad");
	irt_strlist_add(&e.techniques, "X1");
	assert_int_equal(irt_event_add(c, id2, &e, &who), IRT_EINVAL);
	irt_event_release(&e);
	assert_int_equal(irt_event_list(c, &v, &n, false), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].text, "earlier");
	assert_string_equal(v[1].id, id1);
	irt_event_list_free(v, n);
	assert_int_equal(irt_event_get(c, &e, id1), 0);
	assert_int_equal(
	    irt_event_update(c, &e, "event-retire", &who), IRT_EINVAL);
	e.retired_why = strdup("duplicate");
	assert_int_equal(irt_event_update(c, &e, "event-retire", &who), 0);
	irt_event_release(&e);
	assert_int_equal(irt_event_list(c, &v, &n, false), 0);
	assert_int_equal(n, 1);
	irt_event_list_free(v, n);
	assert_int_equal(irt_event_list(c, &v, &n, true), 0);
	assert_int_equal(n, 2);
	assert_true(v[1].retired);
	assert_string_equal(v[1].retired_why, "duplicate");
	irt_event_list_free(v, n);
	assert_int_equal(irt_event_from_hit(c, &e, "nohunt:1"), IRT_ENOTFOUND);
	assert_int_equal(irt_event_from_hit(c, &e, "x:0"), IRT_EINVAL);
	irt_event_release(&e);
	irt_case_free(c);
	irt_ident_release(&who);
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attack),
		cmocka_unit_test(test_parse_format_roundtrip),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_add_edit_retire),
	};

	return UNIT_RUN(tests);
}
