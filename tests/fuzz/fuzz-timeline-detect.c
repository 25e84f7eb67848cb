/*
 * Fuzzes what irt timeline does with a path given without KIND: the
 * detection of its kind by name (the input's first line taken as a path)
 * and by content (after decompression, and by size for utmp), then the
 * reading of the file as the kind found.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <irt/timeline.h>

#include "timeline/tl-internal.h"

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
	struct tl_head h;
	const char *nl;
	char spec[64], *name;
	int fd;

	if (tl_sources_init() != 0)
		abort();
	/* the head as an archive's member gives it */
	tl_head_init(
	    &h, (const char *)data, size < 4096 ? size : 4096, (int64_t)size);
	tl_detect_content(&h);
	nl = memchr(data, '\n', size);
	name = strndup(
	    (const char *)data, nl ? (size_t)(nl - (const char *)data) : size);
	if (name != NULL)
		tl_detect_name(name);
	free(name);

	fd = memfd_create("fuzz-detect", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(spec, sizeof spec, "/proc/self/fd/%d", fd);
	memset(&o, 0, sizeof o);
	memset(&wo, 0, sizeof wo);
	o.year = size > 0 && data[0] & 1 ? 2024 : 0;
	if (irt_tl_new(&tl, &o) == 0) {
		if (irt_tl_add(tl, spec, "h") == 0) {
			wo.format = size > 1
			    ? (enum irt_tl_format)(
			          data[size - 1] % IRT_TL_NFORMATS)
			    : IRT_TL_JSONL;
			irt_tl_write(tl, &wo, sink, NULL);
		}
		irt_tl_free(tl);
	}
	close(fd);
	return 0;
}
