/*
 * Fuzz harness for the profile parser (irt-profile(5)) and the glob
 * matcher it feeds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <irt/irt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irt_profile *p;
	size_t i, j;

	if (irt_profile_parse(&p, (const char *)data, size, "fuzz") != 0)
		return 0;
	/* every pattern must be usable by the matcher */
	for (i = 0; i < p->n; i++) {
		if (p->v[i].pattern == NULL)
			continue;
		(void)irt_glob_match(p->v[i].pattern, "/var/log/a/b/c");
		(void)irt_glob_match(p->v[i].pattern, p->v[i].pattern);
		for (j = 0; p->v[i].exclude && p->v[i].exclude[j]; j++)
			(void)irt_glob_match(p->v[i].exclude[j], "/x/y.z");
	}
	irt_profile_free(p);
	return 0;
}
