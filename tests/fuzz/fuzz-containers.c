/*
 * libFuzzer harness for the config parsers of the containers builtin:
 * the input is read as Docker's config.v2.json (its second half as
 * hostconfig.json), as an OCI runtime spec with a pid file, and as
 * Podman's containers.json whose containers all have the input's second
 * half as their spec.  Every line written must be a JSON object that
 * names its runtime and the file read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "collect/collect-int.h"
#include "util/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *half;
static size_t half_len;

static int
spec_of(void *arg, const char *id, struct irt_buf *spec)
{
	(void)arg;
	if (strchr(id, '/') != NULL || strcmp(id, "..") == 0 ||
	    strcmp(id, ".") == 0 || id[0] == '\0')
		abort(); /* an id that is not a file name reached a path */
	return irt_buf_put(spec, half, half_len);
}

static void
check(const struct irt_buf *out)
{
	const char *p = out->ptr, *end = p + out->len, *nl;
	struct json_object *o, *x;

	if (out->len == 0)
		abort();
	for (; p < end; p = nl + 1) {
		struct json_tokener *tok = json_tokener_new();
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			abort();
		o = json_tokener_parse_ex(tok, p, (int)(nl - p));
		if (o == NULL || !json_object_is_type(o, json_type_object) ||
		    json_tokener_get_parse_end(tok) != (size_t)(nl - p) ||
		    !json_object_object_get_ex(o, "runtime", &x) ||
		    !json_object_is_type(x, json_type_string) ||
		    !json_object_object_get_ex(o, "config", &x) ||
		    !json_object_is_type(x, json_type_string))
			abort();
		json_object_put(o);
		json_tokener_free(tok);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irt_buf out = IRT_BUF_INIT;
	const char *d = (const char *)data;

	half = d + size / 2;
	half_len = size - size / 2;
	if (irt_container_docker(&out, "/c", d, size, half, half_len) != 0)
		abort();
	check(&out);
	irt_buf_clear(&out);
	if (irt_container_oci(
	        &out, "/b", "ns", "id", d, size, half, half_len) != 0)
		abort();
	check(&out);
	irt_buf_clear(&out);
	if (irt_container_podman(&out, "/p", NULL, d, size, spec_of, NULL) != 0)
		abort();
	if (out.len > 0)
		check(&out);
	irt_buf_release(&out);
	return 0;
}
