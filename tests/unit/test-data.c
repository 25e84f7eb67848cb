#include "unit.h"

static void
test_builtins_embedded(void **state)
{
	static const char *const want[] = {
		"checklists/isolate-linux-host.md",
		"checklists/contain-public-services.md",
		"checklists/restore-services.md",
		"checklists/account-lockdown.md",
		"checklists/evidence-handling.md",
		"profiles/triage.profile",
		"profiles/volatile.profile",
		"profiles/full.profile",
		"playbooks/hunt.yml",
		"playbooks/collect.yml",
		"playbooks/isolate.yml",
	};
	const struct irt_data_file *f;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		f = irt_data_get(want[i]);
		assert_non_null(f);
		assert_true(f->len > 0);
		/* stored NUL-terminated, as text */
		assert_int_equal(f->data[f->len], 0);
		assert_int_equal(strlen((const char *)f->data), f->len);
	}
	for (f = irt_data_all(); f->name != NULL; f++)
		n++;
	assert_int_equal(n, sizeof want / sizeof want[0]);
	assert_null(irt_data_get("profiles/nonexistent.profile"));
	assert_null(irt_data_get(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtins_embedded),
	};

	return UNIT_RUN(tests);
}
