/*
 * The JSON writer over hostile strings.  The input, cut at 0x01 bytes,
 * gives pieces; each is written as {"<piece>":"<piece>"} into an array.
 * Whatever the pieces hold, the document is valid UTF-8 that json-c
 * parses strictly, each key reads back as its value does (when it holds
 * no NUL, which keys cannot), and a piece that is valid UTF-8 reads back
 * byte for byte.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <irt/irt.h>

#define MAX_PIECES 256

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	const char *p = (const char *)data, *end = p + size, *cut;
	const char *piece[MAX_PIECES];
	size_t plen[MAX_PIECES], n = 0, i;
	json_tokener *tok;
	json_object *o, *e, *v;
	char *key;

	irt_jw_init(&w, &b);
	irt_jw_array(&w, NULL);
	while (n < MAX_PIECES) {
		cut = memchr(p, 1, (size_t)(end - p));
		piece[n] = p;
		plen[n] = (size_t)((cut ? cut : end) - p);
		if ((key = strndup(p, plen[n])) == NULL)
			abort();
		irt_jw_object(&w, NULL);
		irt_jw_strn(&w, key, p, plen[n]);
		irt_jw_end(&w);
		free(key);
		n++;
		if (cut == NULL)
			break;
		p = cut + 1;
	}
	irt_jw_end(&w);
	if (irt_jw_line(&w) != 0 || !irt_utf8_valid(b.ptr, b.len))
		abort();
	if ((tok = json_tokener_new()) == NULL)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, b.ptr, (int)b.len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_array) ||
	    json_object_array_length(o) != n)
		abort();
	for (i = 0; i < n; i++) {
		struct json_object_iterator it, itend;

		e = json_object_array_get_idx(o, i);
		if (!json_object_is_type(e, json_type_object) ||
		    json_object_object_length(e) != 1)
			abort();
		it = json_object_iter_begin(e);
		itend = json_object_iter_end(e);
		if (json_object_iter_equal(&it, &itend))
			abort();
		v = json_object_iter_peek_value(&it);
		if (!json_object_is_type(v, json_type_string))
			abort();
		if (memchr(piece[i], 0, plen[i]) == NULL &&
		    strcmp(json_object_iter_peek_name(&it),
		        json_object_get_string(v)) != 0)
			abort();
		if (memchr(piece[i], 0, plen[i]) == NULL &&
		    irt_utf8_valid(piece[i], plen[i]) &&
		    ((size_t)json_object_get_string_len(v) != plen[i] ||
		        memcmp(json_object_get_string(v), piece[i], plen[i]) !=
		            0))
			abort();
	}
	json_object_put(o);
	json_tokener_free(tok);
	irt_buf_release(&b);
	return 0;
}
