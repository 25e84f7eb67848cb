#include "unit.h"

static void
test_put_printf(void **state)
{
	struct irt_buf b = IRT_BUF_INIT;
	size_t i;

	(void)state;
	assert_string_equal(irt_buf_cstr(&b), "");
	assert_int_equal(irt_buf_grow(&b, 10), 0);
	assert_string_equal(b.ptr, "");
	assert_int_equal(irt_buf_puts(&b, "abc"), 0);
	assert_int_equal(irt_buf_putc(&b, '-'), 0);
	assert_int_equal(irt_buf_printf(&b, "%d/%s", 42, "x"), 0);
	assert_string_equal(b.ptr, "abc-42/x");
	assert_int_equal(b.len, 8);
	for (i = 0; i < 10000; i++)
		assert_int_equal(irt_buf_put(&b, "0123456789", 10), 0);
	assert_int_equal(b.len, 100008);
	assert_int_equal(b.ptr[b.len], '\0');
	irt_buf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(irt_buf_cstr(&b), "");
	irt_buf_release(&b);
	assert_null(b.ptr);
}

static void
test_detach(void **state)
{
	struct irt_buf b = IRT_BUF_INIT;
	char *s;

	(void)state;
	s = irt_buf_detach(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	irt_buf_puts(&b, "kept");
	s = irt_buf_detach(&b);
	assert_string_equal(s, "kept");
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	free(s);
}

static void
test_read_file(void **state)
{
	struct irt_buf b = IRT_BUF_INIT;
	char *dir = unit_tmpdir(), path[4200];
	FILE *fp;

	(void)state;
	snprintf(path, sizeof path, "%s/f", dir);
	fp = fopen(path, "w");
	fwrite("a\0b", 1, 3, fp);
	fclose(fp);
	assert_int_equal(irt_buf_read_file(&b, path), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.ptr, "a\0b", 3);
	irt_buf_release(&b);
	snprintf(path, sizeof path, "%s/missing", dir);
	assert_int_equal(irt_buf_read_file(&b, path), IRT_EIO);
	assert_non_null(strstr(irt_error_last(), "cannot open '"));
	assert_non_null(strstr(irt_error_last(), "No such file"));
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_printf),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_read_file),
	};

	return UNIT_RUN(tests);
}
