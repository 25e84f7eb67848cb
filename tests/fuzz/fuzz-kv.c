/*
 * libFuzzer harness for key = value records (case.conf, run records):
 * parsing never crashes, and what parses writes back and parses again
 * to the same entries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <irt/irt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irt_kv kv = IRT_KV_INIT, again = IRT_KV_INIT;
	struct irt_buf out = IRT_BUF_INIT;
	size_t i;

	if (irt_kv_parse(&kv, (const char *)data, size, "fuzz") == 0) {
		if (irt_kv_write(&out, &kv) != 0 ||
		    irt_kv_parse(&again, out.ptr, out.len, "again") != 0 ||
		    again.n != kv.n)
			abort();
		for (i = 0; i < kv.n; i++)
			if (strcmp(kv.v[i].key, again.v[i].key) != 0 ||
			    kv.v[i].value_len != again.v[i].value_len ||
			    memcmp(kv.v[i].value, again.v[i].value,
			        kv.v[i].value_len) != 0)
				abort();
	}
	irt_kv_release(&kv);
	irt_kv_release(&again);
	irt_buf_release(&out);
	return 0;
}
