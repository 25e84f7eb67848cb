/*
 * libFuzzer harness for the IOC value detector and the STIX pattern
 * parser: nothing crashes, and a canonical value is a fixed point (it
 * normalizes to itself with the type it was given).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <irt/irt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irt_buf a = IRT_BUF_INIT, b = IRT_BUF_INIT;
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	enum irt_ioc_type t, t2;
	char *v;

	if (size < 1 || (v = malloc(size)) == NULL)
		return 0;
	memcpy(v, data + 1, size - 1);
	v[size - 1] = '\0';
	t = (enum irt_ioc_type)(data[0] % IRT_IOC_TYPE_MAX);
	if (irt_ioc_normalize(&a, &t, v) == 0) {
		t2 = t;
		if (irt_ioc_normalize(&b, &t2, a.ptr) != 0 || t2 != t ||
		    strcmp(a.ptr, b.ptr) != 0)
			abort();
	}
	irt_stix_pattern_parse(&s, v, NULL, NULL);
	irt_ioc_set_release(&s);
	irt_buf_release(&a);
	irt_buf_release(&b);
	free(v);
	return 0;
}
