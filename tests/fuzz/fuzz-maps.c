/*
 * libFuzzer harness for the parser of /proc/PID/maps (irt collect
 * --process-memory): every line ends in a verdict, a good one has its
 * end after its start and permissions of the four kinds the kernel
 * writes, the line count never runs ahead of the input, and the index
 * line written for it is one JSON object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "collect/collect-int.h"
#include "irt/json.h"
#include "util/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct irt_maps_ent m;
	struct irt_pmem_region r;
	struct irt_buf b = IRT_BUF_INIT;
	const char *p = (const char *)data, *end = p + size;
	struct json_object *o;
	size_t lines = 0;
	int k;

	memset(&m, 0, sizeof m);
	while ((k = irt_maps_next(&m, &p, end)) != 0) {
		if (p > end || ++lines != m.lineno || lines > size)
			abort();
		memset(&r, 0, sizeof r);
		r.m = &m;
		if (k < 0) {
			if (m.why == NULL)
				abort();
		} else {
			if (m.why != NULL || m.end <= m.start ||
			    strlen(m.perms) != 4 ||
			    strchr("r-", m.perms[0]) == NULL ||
			    strchr("w-", m.perms[1]) == NULL ||
			    strchr("x-", m.perms[2]) == NULL ||
			    strchr("ps", m.perms[3]) == NULL ||
			    strlen(m.path) >= sizeof m.path)
				abort();
			if (irt_maps_skip(&m) == NULL &&
			    (m.perms[0] != 'r' || m.end > (uint64_t)INT64_MAX))
				abort();
		}
		irt_buf_clear(&b);
		if (irt_pmem_index_line(&b, &r, NULL, NULL) != 0)
			abort();
		o = irt_json_object(b.ptr, b.len);
		if (o == NULL)
			abort();
		json_object_put(o);
	}
	irt_buf_release(&b);
	return 0;
}
