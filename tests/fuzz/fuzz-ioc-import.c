/*
 * libFuzzer harness for the IOC importers: the first byte picks the
 * format (auto, plain, CSV, MISP, STIX), the rest is the document.
 * Nothing crashes, and every IOC imported exports to CSV and imports
 * back as the same type and value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <irt/irt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT, back = IRT_IOC_SET_INIT;
	struct irt_buf out = IRT_BUF_INIT;
	size_t i;

	if (size < 1)
		return 0;
	irt_ioc_import(&s, (const char *)data + 1, size - 1, "fuzz",
	    (enum irt_ioc_format)(data[0] % 5), NULL, NULL, NULL, NULL);
	if (s.n > 0) {
		if (irt_ioc_export(&out, &s, IRT_IOC_FMT_CSV, NULL) != 0 ||
		    irt_ioc_import(&back, out.ptr, out.len, "again",
		        IRT_IOC_FMT_CSV, NULL, NULL, NULL, NULL) != 0 ||
		    back.n != s.n)
			abort();
		for (i = 0; i < s.n; i++)
			if (back.v[i].type != s.v[i].type ||
			    strcmp(back.v[i].value, s.v[i].value) != 0)
				abort();
	}
	irt_ioc_set_release(&s);
	irt_ioc_set_release(&back);
	irt_buf_release(&out);
	return 0;
}
