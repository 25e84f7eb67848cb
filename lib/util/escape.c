#include <stdlib.h>
#include <string.h>

#include "irt/escape.h"
#include "irt/error.h"

static const char hexdigits[] = "0123456789abcdef";

size_t
irt_utf8_seqlen(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n, i;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool
irt_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] == 0)
			return false;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = irt_utf8_seqlen(p + i, len - i)) == 0)
			return false;
		i += n;
	}
	return true;
}

static int
put_hex(struct irt_buf *out, const char *prefix, unsigned char c)
{
	char tmp[8];
	size_t n = strlen(prefix);

	memcpy(tmp, prefix, n);
	tmp[n] = hexdigits[c >> 4];
	tmp[n + 1] = hexdigits[c & 15];
	return irt_buf_put(out, tmp, n + 2);
}

int
irt_escape_term(struct irt_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, start;
	int rc = 0;

	if (irt_buf_grow(out, len) != 0)
		return IRT_ENOMEM;
	while (i < len && rc == 0) {
		start = i;
		while (i < len && p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			i++;
		if (i > start)
			rc = irt_buf_put(out, s + start, i - start);
		if (i >= len || rc != 0)
			break;
		switch (p[i]) {
		case '\\':
			rc = irt_buf_put(out, "\\\\", 2);
			i++;
			continue;
		case '\n':
			rc = irt_buf_put(out, "\\n", 2);
			i++;
			continue;
		case '\t':
			rc = irt_buf_put(out, "\\t", 2);
			i++;
			continue;
		case '\r':
			rc = irt_buf_put(out, "\\r", 2);
			i++;
			continue;
		case 0x1b:
			rc = irt_buf_put(out, "\\e", 2);
			i++;
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f) {
			rc = put_hex(out, "\\x", p[i]);
			i++;
			continue;
		}
		n = irt_utf8_seqlen(p + i, len - i);
		if (n == 0) {
			rc = put_hex(out, "\\x", p[i]);
			i++;
			continue;
		}
		/* C1 controls U+0080..U+009F are terminal escapes too */
		if (n == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0) {
			rc = put_hex(out, "\\x", p[i]);
			if (rc == 0)
				rc = put_hex(out, "\\x", p[i + 1]);
		} else
			rc = irt_buf_put(out, s + i, n);
		i += n;
	}
	return rc;
}

const char *
irt_esc(const char *s)
{
	static _Thread_local struct irt_buf ring[8];
	static _Thread_local unsigned next;
	struct irt_buf *b = &ring[next++ % 8];

	irt_buf_clear(b);
	if (s == NULL)
		s = "(null)";
	if (irt_escape_term(b, s, strlen(s)) != 0)
		return "(out of memory)";
	return irt_buf_cstr(b);
}

int
irt_escape_json(struct irt_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, start;
	int rc = 0;

	if (irt_buf_grow(out, len + 2) != 0)
		return IRT_ENOMEM;
	while (i < len && rc == 0) {
		start = i;
		while (i < len && p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' &&
		    p[i] != '\\')
			i++;
		if (i > start)
			rc = irt_buf_put(out, s + start, i - start);
		if (i >= len || rc != 0)
			break;
		switch (p[i]) {
		case '"':
			rc = irt_buf_put(out, "\\\"", 2);
			i++;
			continue;
		case '\\':
			rc = irt_buf_put(out, "\\\\", 2);
			i++;
			continue;
		case '\n':
			rc = irt_buf_put(out, "\\n", 2);
			i++;
			continue;
		case '\t':
			rc = irt_buf_put(out, "\\t", 2);
			i++;
			continue;
		case '\r':
			rc = irt_buf_put(out, "\\r", 2);
			i++;
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f) {
			rc = put_hex(out, "\\u00", p[i]);
			i++;
			continue;
		}
		n = irt_utf8_seqlen(p + i, len - i);
		if (n == 0) {
			rc = put_hex(out, "\\\\x", p[i]);
			i++;
			continue;
		}
		/* C1 controls (terminal escapes), and the line and paragraph
		 * separators that end a line for Python's codecs (Timesketch)
		 * and a string for older JavaScript */
		if (n == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)
			rc = put_hex(out, "\\u00", p[i + 1]);
		else if (n == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
			rc = irt_buf_put(
			    out, p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
		else
			rc = irt_buf_put(out, s + i, n);
		i += n;
	}
	return rc;
}

int
irt_json_strn(struct irt_buf *out, const char *s, size_t len)
{
	if (irt_buf_putc(out, '"') != 0 || irt_escape_json(out, s, len) != 0)
		return IRT_ENOMEM;
	return irt_buf_putc(out, '"');
}

int
irt_json_str(struct irt_buf *out, const char *s)
{
	if (s == NULL)
		return irt_buf_puts(out, "null");
	return irt_json_strn(out, s, strlen(s));
}

int
irt_escape_csv(
    struct irt_buf *out, const char *s, size_t len, bool always_quote)
{
	size_t i, start;
	bool quote = always_quote;

	if (!quote)
		for (i = 0; i < len; i++)
			if (s[i] == ',' || s[i] == '"' || s[i] == '\r' ||
			    s[i] == '\n') {
				quote = true;
				break;
			}
	if (!quote)
		return irt_buf_put(out, s, len);
	if (irt_buf_putc(out, '"') != 0)
		return IRT_ENOMEM;
	for (i = start = 0; i < len; i++) {
		if (s[i] != '"')
			continue;
		if (irt_buf_put(out, s + start, i + 1 - start) != 0)
			return IRT_ENOMEM;
		start = i;
	}
	if (irt_buf_put(out, s + start, len - start) != 0)
		return IRT_ENOMEM;
	return irt_buf_putc(out, '"');
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

int
irt_escape_bodyfile(struct irt_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	int rc = 0;

	while (i < len && rc == 0) {
		unsigned char c = p[i];
		/* valid UTF-8 is kept, but the C1 controls U+0080..U+009F,
		 * terminal escapes too (CSI is U+009B) */
		if (c >= 0x80 && (n = irt_utf8_seqlen(p + i, len - i)) > 0 &&
		    !(n == 2 && c == 0xc2 && p[i + 1] < 0xa0)) {
			rc = irt_buf_put(out, s + i, n);
			i += n;
			continue;
		}
		if (c == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] < 0xa0) {
			rc = irt_buf_printf(out, "%%C2%%%02X", p[i + 1]);
			i += 2;
			continue;
		}
		if (c < 0x20 || c == 0x7f || c >= 0x80 || c == '|' ||
		    (c == '%' && i + 2 < len && is_hex(s[i + 1]) &&
		        is_hex(s[i + 2])))
			rc = irt_buf_printf(out, "%%%02X", c);
		else
			rc = irt_buf_putc(out, (char)c);
		i++;
	}
	return rc;
}
