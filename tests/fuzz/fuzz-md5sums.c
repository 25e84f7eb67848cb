/*
 * libFuzzer harness for the parsers of the packages builtin: dpkg's
 * md5sums files and /var/lib/dpkg/diversions.  Every line ends in a
 * verdict, a good one carries 32 lowercase hex digits and an absolute
 * path without '..', and the line count never runs ahead of the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/collect-int.h"
#include "util/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
each(void *arg, const char *from, const char *to, const char *pkg)
{
	size_t *n = arg;

	if (from[0] != '/' || to[0] != '/' || pkg == NULL)
		abort();
	(*n)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct irt_pkg_line l;
	struct irt_buf bad = IRT_BUF_INIT;
	const char *p = (const char *)data, *end = p + size;
	size_t lines = 0, n = 0, i;
	int k;

	memset(&l, 0, sizeof l);
	while ((k = irt_pkg_md5sums_next(&l, &p, end)) != 0) {
		if (p > end || ++lines != l.lineno || lines > size)
			abort();
		if (k < 0) {
			if (l.why == NULL)
				abort();
			continue;
		}
		for (i = 0; i < 32; i++)
			if (strchr("0123456789abcdef", l.md5[i]) == NULL ||
			    l.md5[i] == '\0')
				abort();
		if (l.md5[32] != '\0' || l.path[0] != '/' ||
		    strstr(l.path, "/../") != NULL)
			abort();
	}
	irt_pkg_diversions_parse(&bad, (const char *)data, size, each, &n);
	if (n > size / 5 + 1)
		abort();
	irt_buf_release(&bad);
	return 0;
}
