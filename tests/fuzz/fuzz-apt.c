/*
 * Fuzzes the timeline's apt parser: any input gives warnings, never a
 * crash, a hang or a leak, and every output format stays writable.
 */
#include <stddef.h>
#include <stdint.h>
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

	memset(&o, 0, sizeof o);
	memset(&wo, 0, sizeof wo);
	o.year = size > 0 && data[0] & 1 ? 2024 : 0;
	if (irt_tl_new(&tl, &o) != 0)
		return 0;
	if (irt_tl_add_buffer(tl, "apt", "fuzz", data, size, "h") == 0) {
		wo.format =
		    size > 1 ? (enum irt_tl_format)(data[1] % 7) : IRT_TL_JSONL;
		irt_tl_write(tl, &wo, sink, NULL);
	}
	irt_tl_free(tl);
	return 0;
}
