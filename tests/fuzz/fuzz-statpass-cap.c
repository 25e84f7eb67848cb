/*
 * libFuzzer harness for the decoder of security.capability values of the
 * statpass builtin: any bytes make one valid JSON object, decoded (with
 * permitted and inheritable) only at the sizes of the three revisions,
 * else with value_hex and error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "collect/collect-int.h"
#include "irt/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct json_object *o, *v;
	struct irt_jw w;
	int ok;

	irt_jw_init(&w, &b);
	irt_jw_object(&w, NULL);
	ok = irt_cap_decode(&w, data, size);
	irt_jw_end(&w);
	if (irt_jw_line(&w) != 0)
		abort();
	if (ok && size != 12 && size != 20 && size != 24)
		abort();
	if ((o = json_tokener_parse(irt_buf_cstr(&b))) == NULL ||
	    !json_object_is_type(o, json_type_object))
		abort();
	if (ok !=
	    (json_object_object_get_ex(o, "permitted", &v) &&
	        json_object_is_type(v, json_type_array)))
		abort();
	if (!ok && !json_object_object_get_ex(o, "error", &v))
		abort();
	json_object_put(o);
	irt_buf_release(&b);
	return 0;
}
