#include "unit.h"

static void
test_parse(void **state)
{
	struct irt_ident id;
	char *s;

	(void)state;
	assert_int_equal(
	    irt_ident_parse(&id, "Ann Analyst <ann@example.org>"), 0);
	assert_string_equal(id.name, "Ann Analyst");
	assert_string_equal(id.email, "ann@example.org");
	s = irt_ident_format(&id);
	assert_string_equal(s, "Ann Analyst <ann@example.org>");
	free(s);
	irt_ident_release(&id);
	assert_int_equal(irt_ident_parse(&id, "  bob  "), 0);
	assert_string_equal(id.name, "bob");
	assert_string_equal(id.email, "");
	s = irt_ident_format(&id);
	assert_string_equal(s, "bob");
	free(s);
	irt_ident_release(&id);
	assert_int_equal(irt_ident_parse(&id, "x <y"), IRT_EINVAL);
	assert_int_equal(irt_ident_parse(&id, "<y@z>"), IRT_EINVAL);
	assert_int_equal(irt_ident_parse(&id, "a <b> c"), IRT_EINVAL);
	assert_int_equal(irt_ident_parse(&id, "evil\nname"), IRT_EINVAL);
}

static void
test_resolve_order(void **state)
{
	struct irt_ident id;
	char *home = unit_tmpdir(), path[4200];
	FILE *fp;

	(void)state;
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("IRT_AUTHOR", "Env Person <env@example.org>", 1);
	assert_int_equal(
	    irt_ident_resolve(&id, "Opt <opt@example.org>", NULL), 0);
	assert_string_equal(id.name, "Opt");
	irt_ident_release(&id);
	assert_int_equal(irt_ident_resolve(&id, NULL, NULL), 0);
	assert_string_equal(id.email, "env@example.org");
	irt_ident_release(&id);
	unsetenv("IRT_AUTHOR");
	snprintf(path, sizeof path, "%s/.gitconfig", home);
	fp = fopen(path, "w");
	fputs("[user]\n\tname = Git Person\n\temail = git@example.org\n", fp);
	fclose(fp);
	assert_int_equal(irt_ident_resolve(&id, NULL, NULL), 0);
	assert_string_equal(id.name, "Git Person");
	assert_string_equal(id.email, "git@example.org");
	irt_ident_release(&id);
	unlink(path);
	assert_int_equal(irt_ident_resolve(&id, NULL, NULL), 0);
	assert_non_null(strchr(id.email, '@'));
	irt_ident_release(&id);
	unit_rmtree(home);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_resolve_order),
	};

	return UNIT_RUN(tests);
}
