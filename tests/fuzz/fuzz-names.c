/*
 * libFuzzer harness for the passwd and group reader (irt/names.h): the
 * input is both files.  Parsing never crashes, every name found is a
 * line's first field without a control character, and each lookup
 * agrees with the numeric fallback.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <irt/irt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *name)
{
	size_t i;

	if (name == NULL)
		return;
	if (name[0] == '\0' || strlen(name) > 256)
		abort();
	for (i = 0; name[i] != '\0'; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f ||
		    name[i] == ':')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irt_names *n;
	char buf[IRT_NAMES_ID_MAX];
	const char *s;
	uint32_t id;

	if (irt_names_parse(
	        &n, (const char *)data, size, (const char *)data, size) != 0)
		return 0;
	for (id = 0; id < 70000; id += id < 2000 ? 1 : 997) {
		check(s = irt_names_user(n, id));
		if (strcmp(irt_names_user_or_id(n, id, buf),
		        s ? s : (snprintf(buf, sizeof buf, "%u", id), buf)))
			abort();
		check(irt_names_group(n, id));
	}
	check(irt_names_user(n, UINT32_MAX - 1));
	check(irt_names_user(n, UINT32_MAX));
	irt_names_free(n);
	return 0;
}
