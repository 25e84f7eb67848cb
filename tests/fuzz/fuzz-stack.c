/*
 * Fuzz harness for irt stack: the reader of an evidence archive for every
 * field (irt/host.json, fs/etc/hostname, live outputs, collected files,
 * the manifest) and the counting of what it gives.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <irt/irt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct irt_stack_row *rows;
	struct irt_stack *s;
	char path[64], *host;
	size_t n;
	int fd, f;

	if ((fd = memfd_create("fuzz-stack", 0)) == -1)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (irt_archive_host(&host, path) == 0)
		free(host);
	for (f = 0; f < IRT_STACK_NFIELDS; f++) {
		if (irt_stack_new(&s, (enum irt_stack_field)f) != 0)
			break;
		if (irt_stack_add_archive(s, &host, path, NULL) == 0)
			free(host);
		irt_stack_rows(s, &rows, &n);
		irt_stack_not_collected(s, &n);
		irt_stack_free(s);
	}
	close(fd);
	return 0;
}
