/*
 * Fuzzes one of the timeline's source parsers, chosen at build time with
 * -DFUZZ_KIND="apt" (see meson.build): any input gives warnings, never a
 * crash, a hang or a leak, and every output format stays writable.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <irt/timeline.h>

#ifndef FUZZ_KIND
#error "build with -DFUZZ_KIND=\"<source kind>\""
#endif

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

	if (!irt_tl_kind_valid(FUZZ_KIND))
		abort(); /* a harness built for no parser fuzzes nothing */
	memset(&o, 0, sizeof o);
	memset(&wo, 0, sizeof wo);
	o.year = size > 0 && data[0] & 1 ? 2024 : 0;
	if (irt_tl_new(&tl, &o) != 0)
		return 0;
	if (irt_tl_add_buffer(tl, FUZZ_KIND, "fuzz", data, size, "h") == 0) {
		wo.format = size > 1
		    ? (enum irt_tl_format)(data[1] % IRT_TL_NFORMATS)
		    : IRT_TL_JSONL;
		irt_tl_write(tl, &wo, sink, NULL);
	}
	irt_tl_free(tl);
	return 0;
}
