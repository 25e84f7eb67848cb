#include "unit.h"

static void
test_known_vectors(void **state)
{
	struct irt_hash *h;

	(void)state;
	assert_int_equal(
	    irt_hash_new(&h, IRT_HASH_SHA256 | IRT_HASH_SHA1 | IRT_HASH_MD5),
	    0);
	assert_int_equal(irt_hash_update(h, "ab", 2), 0);
	assert_int_equal(irt_hash_update(h, "c", 1), 0);
	assert_int_equal(irt_hash_final(h), 0);
	assert_string_equal(irt_hash_hex(h, IRT_HASH_SHA256),
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(irt_hash_hex(h, IRT_HASH_SHA1),
	    "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_string_equal(
	    irt_hash_hex(h, IRT_HASH_MD5), "900150983cd24fb0d6963f7d28e17f72");
	assert_int_equal(irt_hash_reset(h), 0);
	assert_int_equal(irt_hash_final(h), 0);
	assert_string_equal(irt_hash_hex(h, IRT_HASH_SHA256),
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	irt_hash_free(h);
}

static void
test_only_requested(void **state)
{
	struct irt_hash *h;
	char hex[65];

	(void)state;
	assert_int_equal(irt_hash_new(&h, IRT_HASH_SHA256), 0);
	assert_int_equal(irt_hash_final(h), 0);
	assert_null(irt_hash_hex(h, IRT_HASH_MD5));
	irt_hash_free(h);
	assert_int_equal(irt_sha256_hex(hex, "abc", 3), 0);
	assert_string_equal(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
test_parse_list(void **state)
{
	unsigned algs;

	(void)state;
	assert_int_equal(irt_hash_parse_list(&algs, "sha256,md5"), 0);
	assert_int_equal(algs, IRT_HASH_SHA256 | IRT_HASH_MD5);
	assert_int_equal(irt_hash_parse_list(&algs, "SHA1"), 0);
	assert_int_equal(algs, IRT_HASH_SHA1);
	assert_int_equal(
	    irt_hash_parse_list(&algs, "sha256,crc32"), IRT_EINVAL);
	assert_non_null(strstr(irt_error_last(), "'crc32'"));
	assert_int_equal(irt_hash_parse_list(&algs, ""), IRT_EINVAL);
}

static void
test_file(void **state)
{
	char *dir = unit_tmpdir(), path[4200], hex[65];
	FILE *fp;

	(void)state;
	snprintf(path, sizeof path, "%s/f", dir);
	fp = fopen(path, "w");
	fputs("abc", fp);
	fclose(fp);
	assert_int_equal(irt_sha256_file(hex, path), 0);
	assert_string_equal(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	snprintf(path, sizeof path, "%s/none", dir);
	assert_int_equal(irt_sha256_file(hex, path), IRT_EIO);
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_only_requested),
		cmocka_unit_test(test_parse_list),
		cmocka_unit_test(test_file),
	};

	return UNIT_RUN(tests);
}
