/*
 * Fuzzes the reader of irt evidence archives (archive:FILE): the input
 * is the archive, given through a memory file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
	char spec[64];
	int fd;

	fd = memfd_create("fuzz-archive", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(spec, sizeof spec, "archive:/proc/self/fd/%d", fd);
	memset(&o, 0, sizeof o);
	memset(&wo, 0, sizeof wo);
	if (irt_tl_new(&tl, &o) == 0) {
		if (irt_tl_add(tl, spec, NULL) == 0)
			irt_tl_write(tl, &wo, sink, NULL);
		irt_tl_free(tl);
	}
	close(fd);
	return 0;
}
