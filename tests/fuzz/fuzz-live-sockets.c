/*
 * Fuzzes the timeline's readers of an irt collection's processes.jsonl
 * and sockets.jsonl together: the input up to its first NUL byte is the
 * processes of a collection, the rest its sockets, which take their times
 * from those processes.  Any input gives warnings, never a crash, a hang
 * or a leak, and every output format stays writable.
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
	const uint8_t *nul = memchr(data, '\0', size);
	size_t np = nul ? (size_t)(nul - data) : size;
	struct irt_tl_opts o;
	struct irt_tl_write_opts wo;
	struct irt_tl *tl;

	memset(&o, 0, sizeof o);
	memset(&wo, 0, sizeof wo);
	if (irt_tl_new(&tl, &o) != 0)
		return 0;
	if (irt_tl_add_buffer(
	        tl, "processes", "c/processes.jsonl", data, np, "h") == 0 &&
	    irt_tl_add_buffer(tl, "sockets", "c/sockets.jsonl",
	        nul ? nul + 1 : data + size, nul ? size - np - 1 : 0,
	        "h") == 0) {
		wo.format = size > 1
		    ? (enum irt_tl_format)(data[1] % IRT_TL_NFORMATS)
		    : IRT_TL_JSONL;
		irt_tl_write(tl, &wo, sink, NULL);
	}
	irt_tl_free(tl);
	return 0;
}
