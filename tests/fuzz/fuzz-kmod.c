/*
 * libFuzzer harness for the parsers of the kernel builtin: the lines of
 * /proc/modules and the text of /proc/sys/kernel/tainted.  Every line
 * ends in a verdict, a good one has a module name of letters, digits,
 * '_' and '-', a known state and a taint of capital letters, and the
 * line count never runs ahead of the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/collect-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct irt_kmod_line l;
	const char *p = (const char *)data, *end = p + size, *why, *s;
	unsigned long long v;
	size_t lines = 0;
	unsigned bit;
	int k;

	memset(&l, 0, sizeof l);
	while ((k = irt_kmod_next(&l, &p, end)) != 0) {
		if (p > end || ++lines != l.lineno || lines > size)
			abort();
		if (k < 0) {
			if (l.why == NULL)
				abort();
			continue;
		}
		if (l.name[0] == '\0' || strlen(l.name) >= sizeof l.name)
			abort();
		for (s = l.name; *s; s++)
			if (strchr("abcdefghijklmnopqrstuvwxyz"
			           "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-",
			        *s) == NULL)
				abort();
		if (strcmp(l.state, "Live") != 0 &&
		    strcmp(l.state, "Loading") != 0 &&
		    strcmp(l.state, "Unloading") != 0)
			abort();
		for (s = l.taint; *s; s++)
			if (*s < 'A' || *s > 'Z')
				abort();
	}
	if (irt_taint_parse(&v, &why, (const char *)data, size) == 0) {
		if (why != NULL)
			abort();
		for (bit = 0; bit < 64; bit++)
			if ((v & (1ULL << bit)) &&
			    irt_taint_flag(bit) != NULL &&
			    irt_taint_flag(bit)->bit != bit)
				abort();
	} else if (why == NULL || v != 0)
		abort();
	return 0;
}
