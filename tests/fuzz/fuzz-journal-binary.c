/*
 * Fuzzes the reading of binary journal files: the input, with the
 * journal's magic number over its first bytes, goes through the copy to
 * a temporary file and libsystemd's sd-journal, as a journal member of an
 * evidence archive does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <irt/timeline.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
sink(const char *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	(void)arg;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irt_tl_opts o;
	struct irt_tl_write_opts wo;
	struct irt_tl *tl;
	uint8_t *copy;
	size_t n = size < 8 ? 8 : size;

	if ((copy = malloc(n)) == NULL)
		return 0;
	memset(copy, 0, n);
	memcpy(copy, data, size);
	memcpy(copy, "LPKSHHRH", 8);
	memset(&o, 0, sizeof o);
	memset(&wo, 0, sizeof wo);
	if (irt_tl_new(&tl, &o) == 0) {
		if (irt_tl_add_buffer(tl, "journal", "fuzz", copy, n, "h") == 0)
			irt_tl_write(tl, &wo, sink, NULL);
		irt_tl_free(tl);
	}
	free(copy);
	return 0;
}
