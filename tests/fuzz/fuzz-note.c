/*
 * libFuzzer harness for note files (notes/<id>.md, which a pulled case
 * or a hand edit may have altered): parsing never crashes, and a parsed
 * note formats and parses back to the same fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <irt/irt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irt_note n, m;
	struct irt_buf out = IRT_BUF_INIT;
	size_t i;

	if (irt_note_parse(&n, (const char *)data, size, "fuzz.md") != 0)
		return 0;
	if (irt_note_format(&out, &n) != 0)
		abort();
	/* what irt wrote of a note it accepted must read back, with the
	 * same fields (fields with newlines cannot occur: the parser splits
	 * on them) */
	if (irt_note_parse(&m, out.ptr, out.len, "again.md") != 0)
		abort();
	if (strcmp(n.id, m.id) != 0 || strcmp(n.author, m.author) ||
	    n.date != m.date || n.ntags != m.ntags || n.text_len > m.text_len)
		abort();
	for (i = 0; i < m.ntags; i++)
		if (strcmp(n.tags[i], m.tags[i]) != 0)
			abort();
	irt_note_release(&m);
	irt_note_release(&n);
	irt_buf_release(&out);
	return 0;
}
