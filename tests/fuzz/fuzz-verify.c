/*
 * Fuzz harness for irt verify: the archive reader and the parsers of
 * irt/manifest.jsonl and irt/manifest.sha256 (an archive is untrusted
 * input).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <irt/irt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irt_verify_report r;
	char path[64];
	int fd;

	if ((fd = memfd_create("fuzz-verify", 0)) == -1)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		if (irt_archive_verify(&r, path) == 0)
			irt_verify_report_release(&r);
	}
	close(fd);
	return 0;
}
