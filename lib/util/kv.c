#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/kv.h"

static int
valid_key(const char *k, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)k[i]) && k[i] != '_' &&
		    k[i] != '.' && k[i] != '-')
			return 0;
	return 1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
irt_kv_unescape(struct irt_buf *out, const char *s, size_t len)
{
	size_t i;
	char c;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] != '\\') {
			if (irt_buf_putc(out, s[i]) != 0)
				return IRT_ENOMEM;
			continue;
		}
		if (++i >= len)
			return irt_error_set(IRT_EPARSE, "trailing backslash");
		switch (s[i]) {
		case '\\':
			c = '\\';
			break;
		case 'n':
			c = '\n';
			break;
		case 't':
			c = '\t';
			break;
		case 'r':
			c = '\r';
			break;
		case 'x':
			if (i + 2 >= len ||
			    (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				return irt_error_set(
				    IRT_EPARSE, "bad \\x escape");
			c = (char)(hi << 4 | lo);
			i += 2;
			break;
		default:
			return irt_error_set(IRT_EPARSE,
			    "unknown escape '\\%c'",
			    isprint((unsigned char)s[i]) ? s[i] : '?');
		}
		if (irt_buf_putc(out, c) != 0)
			return IRT_ENOMEM;
	}
	return 0;
}

int
irt_kv_escape(struct irt_buf *out, const char *v, size_t len)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t i = 0, n;
	char tmp[5];

	while (i < len) {
		unsigned char c = p[i];
		int edge = (i == 0 || i == len - 1) && (c == ' ' || c == '\t');

		if (c >= 0x80) {
			n = irt_utf8_seqlen(p + i, len - i);
			if (n > 0) {
				if (irt_buf_put(out, v + i, n) != 0)
					return IRT_ENOMEM;
				i += n;
				continue;
			}
		}
		if (c == '\\') {
			if (irt_buf_put(out, "\\\\", 2) != 0)
				return IRT_ENOMEM;
		} else if (c == '\n') {
			if (irt_buf_put(out, "\\n", 2) != 0)
				return IRT_ENOMEM;
		} else if (c == '\t' && !edge) {
			if (irt_buf_put(out, "\\t", 2) != 0)
				return IRT_ENOMEM;
		} else if (c == '\r') {
			if (irt_buf_put(out, "\\r", 2) != 0)
				return IRT_ENOMEM;
		} else if (c < 0x20 || c >= 0x7f || edge) {
			static const char hx[] = "0123456789abcdef";
			tmp[0] = '\\';
			tmp[1] = 'x';
			tmp[2] = hx[c >> 4];
			tmp[3] = hx[c & 15];
			if (irt_buf_put(out, tmp, 4) != 0)
				return IRT_ENOMEM;
		} else if (irt_buf_putc(out, (char)c) != 0)
			return IRT_ENOMEM;
		i++;
	}
	return 0;
}

static int
kv_push(struct irt_kv *kv, const char *key, size_t klen, const char *value,
    size_t vlen, unsigned line)
{
	struct irt_kv_entry *e;

	if (kv->n == kv->cap) {
		size_t cap = kv->cap ? kv->cap * 2 : 8;
		void *p = realloc(kv->v, cap * sizeof *kv->v);
		if (p == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		kv->v = p;
		kv->cap = cap;
	}
	e = &kv->v[kv->n];
	e->key = strndup(key, klen);
	e->value = malloc(vlen + 1);
	if (e->key == NULL || e->value == NULL) {
		free(e->key);
		free(e->value);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	memcpy(e->value, value, vlen);
	e->value[vlen] = '\0';
	e->value_len = vlen;
	e->line = line;
	kv->n++;
	return 0;
}

/*
 * Removes the entries from n on: what a parse that failed had added, so
 * that the caller finds kv as it was (and, empty, holding no memory).
 */
static void
drop_from(struct irt_kv *kv, size_t n)
{
	while (kv->n > n) {
		kv->n--;
		free(kv->v[kv->n].key);
		free(kv->v[kv->n].value);
	}
	if (kv->n == 0) {
		free(kv->v);
		kv->v = NULL;
		kv->cap = 0;
	}
}

int
irt_kv_parse(struct irt_kv *kv, const char *text, size_t len, const char *name)
{
	struct irt_buf val = IRT_BUF_INIT;
	const char *p = text, *end = text + len, *eol, *eq, *ks, *ke, *vs, *ve;
	size_t n0 = kv->n;
	unsigned line = 0;
	int rc = 0;

	while (p < end) {
		line++;
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		ks = p;
		while (ks < eol && (*ks == ' ' || *ks == '\t'))
			ks++;
		if (ks == eol || *ks == '#') {
			p = eol + 1;
			continue;
		}
		if (memchr(p, '\0', (size_t)(eol - p)) != NULL) {
			rc = irt_error_set(
			    IRT_EPARSE, "%s:%u: NUL byte", irt_esc(name), line);
			break;
		}
		eq = memchr(ks, '=', (size_t)(eol - ks));
		if (eq == NULL) {
			rc = irt_error_set(IRT_EPARSE,
			    "%s:%u: expected 'key = value'", irt_esc(name),
			    line);
			break;
		}
		ke = eq;
		while (ke > ks && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		if (!valid_key(ks, (size_t)(ke - ks))) {
			rc = irt_error_set(IRT_EPARSE, "%s:%u: invalid key",
			    irt_esc(name), line);
			break;
		}
		vs = eq + 1;
		while (vs < eol && (*vs == ' ' || *vs == '\t'))
			vs++;
		ve = eol;
		if (ve > vs && ve[-1] == '\r')
			ve--;
		while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		irt_buf_clear(&val);
		if ((rc = irt_kv_unescape(&val, vs, (size_t)(ve - vs))) != 0) {
			if (rc != IRT_ENOMEM) {
				char why[64];

				/* the message is rewritten from a copy */
				snprintf(
				    why, sizeof why, "%s", irt_error_last());
				rc = irt_error_set(IRT_EPARSE, "%s:%u: %s",
				    irt_esc(name), line, why);
			}
			break;
		}
		if ((rc = kv_push(kv, ks, (size_t)(ke - ks), irt_buf_cstr(&val),
		         val.len, line)) != 0)
			break;
		p = eol + 1;
	}
	irt_buf_release(&val);
	if (rc != 0)
		drop_from(kv, n0);
	return rc;
}

int
irt_kv_addn(struct irt_kv *kv, const char *key, const char *value, size_t len)
{
	if (!valid_key(key, strlen(key)))
		return irt_error_set(
		    IRT_EINVAL, "invalid key '%s'", irt_esc(key));
	return kv_push(kv, key, strlen(key), value, len, 0);
}

int
irt_kv_add(struct irt_kv *kv, const char *key, const char *value)
{
	return irt_kv_addn(kv, key, value, strlen(value));
}

int
irt_kv_set(struct irt_kv *kv, const char *key, const char *value)
{
	size_t i;
	char *v;

	for (i = 0; i < kv->n; i++)
		if (strcmp(kv->v[i].key, key) == 0) {
			if ((v = strdup(value)) == NULL)
				return irt_error_set(
				    IRT_ENOMEM, "out of memory");
			free(kv->v[i].value);
			kv->v[i].value = v;
			kv->v[i].value_len = strlen(v);
			return 0;
		}
	return irt_kv_add(kv, key, value);
}

const char *
irt_kv_get(const struct irt_kv *kv, const char *key)
{
	size_t i;

	for (i = 0; i < kv->n; i++)
		if (strcmp(kv->v[i].key, key) == 0)
			return kv->v[i].value;
	return NULL;
}

int
irt_kv_write(struct irt_buf *out, const struct irt_kv *kv)
{
	size_t i;

	for (i = 0; i < kv->n; i++) {
		if (irt_buf_puts(out, kv->v[i].key) != 0 ||
		    irt_buf_puts(out, " = ") != 0 ||
		    irt_kv_escape(out, kv->v[i].value, kv->v[i].value_len) !=
		        0 ||
		    irt_buf_putc(out, '\n') != 0)
			return IRT_ENOMEM;
	}
	return 0;
}

void
irt_kv_release(struct irt_kv *kv)
{
	size_t i;

	for (i = 0; i < kv->n; i++) {
		free(kv->v[i].key);
		free(kv->v[i].value);
	}
	free(kv->v);
	kv->v = NULL;
	kv->n = kv->cap = 0;
}
