/*
 * libFuzzer harness for the reader of /etc/passwd that finds the homes
 * of '~/' profile entries: every line ends in a verdict, a good one has
 * a name and ids below 2^32, and a home the walker takes is an absolute
 * path without '.' or '..' whose pattern starts with it.  The input is
 * also read as the start of a file of .ssh/ by the ssh-keys builtin.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/collect-int.h"
#include "util/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct irt_passwd_ent e;
	struct irt_buf pat = IRT_BUF_INIT;
	const char *p = (const char *)data, *end = p + size;
	size_t lines = 0;
	int k;

	memset(&e, 0, sizeof e);
	while ((k = irt_passwd_next(&e, &p, end)) != 0) {
		if (p > end || e.lineno < ++lines || e.lineno > size + 1)
			abort();
		if (k < 0) {
			if (e.why == NULL)
				abort();
			continue;
		}
		if (e.name[0] == '\0' || e.uid > 4294967295UL ||
		    e.gid > 4294967295UL)
			abort();
		if (!irt_home_usable(e.home))
			continue;
		if (e.home[0] != '/' || strstr(e.home, "/../") != NULL ||
		    strstr(e.home, "/./") != NULL)
			abort();
		irt_home_pattern(&pat, e.home, "/.ssh/config");
		if (pat.len < 12 ||
		    strcmp(pat.ptr + pat.len - 12, "/.ssh/config") != 0 ||
		    (strcmp(e.home, "/") != 0 && pat.ptr[0] != '/'))
			abort();
	}
	irt_buf_release(&pat);
	/* the same bytes as the start of a file of .ssh/ */
	{
		char *text = malloc(size + 1), cipher[64];
		const char *format = NULL;
		int enc;
		if (text == NULL)
			return 0;
		memcpy(text, data, size);
		text[size] = '\0';
		if (irt_ssh_key_kind(
		        text, &format, &enc, cipher, sizeof cipher) &&
		    (format == NULL || enc < -1 || enc > 1 ||
		        strlen(cipher) >= sizeof cipher))
			abort();
		free(text);
	}
	return 0;
}
