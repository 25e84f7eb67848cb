/*
 * Fuzzes irt hunt over an evidence archive with YARA rules: the gzip
 * reader (libdeflate and zlib, members one after the other), the tar
 * reader, and the scans on the pool of threads.  The input is the
 * archive, given through a memory file; the rules too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <irt/hunt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules[] =
    "rule m { strings: $a = \"evil\" $b = { 7f 45 4c 46 } "
    "condition: any of them }\n";

static int
hit(const struct irt_hunt_hit *h, void *arg)
{
	(void)arg;
	/* the strings of a hit reported from a worker are still there */
	return h->location != NULL && strlen(h->location) > 0 &&
	        h->title != NULL
	    ? 0
	    : -1;
}

static void
warn(const char *msg, void *arg)
{
	(void)msg;
	(void)arg;
}

static struct irt_hunt *
hunt(void)
{
	static struct irt_hunt *h;
	static char path[64];
	static const char *paths[1];
	struct irt_hunt_opts o;
	int fd;

	if (h != NULL)
		return h;
	fd = memfd_create("fuzz-hunt-rules", MFD_CLOEXEC);
	if (fd < 0 ||
	    write(fd, rules, sizeof rules - 1) != (ssize_t)(sizeof rules - 1))
		return NULL;
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	paths[0] = path;
	memset(&o, 0, sizeof o);
	o.yara = paths;
	o.nyara = 1;
	o.yara_max = 1u << 20; /* the cap too */
	o.hit = hit;
	o.warn = warn;
	if (irt_hunt_new(&h, &o) != 0)
		h = NULL;
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irt_hunt *h = hunt();
	char spec[64];
	int fd;

	if (h == NULL)
		return 0;
	fd = memfd_create("fuzz-hunt-archive", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(spec, sizeof spec, "archive:/proc/self/fd/%d", fd);
	irt_hunt_source(h, spec, "fuzz");
	close(fd);
	return 0;
}
