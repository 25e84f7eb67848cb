/*
 * key = value records: the plain-text format of case.conf and of the
 * records irt keeps in a case (irt-case(5)).
 *
 *   # comment
 *   key = value
 *
 * Keys are [A-Za-z0-9_.-]+.  A key may repeat (lists).  Values are
 * escaped so that any byte string round-trips on one line: backslash,
 * control characters and bytes that are not valid UTF-8 are written as
 * \\, \n, \t, \r, \xNN; leading and trailing spaces as \x20.
 */
#ifndef IRT_KV_H
#define IRT_KV_H

#include "common.h"
#include <stddef.h>

#include "buf.h"

struct irt_kv_entry {
	char *key;
	char *value;      /* unescaped, NUL-terminated */
	size_t value_len; /* may contain NUL bytes */
	unsigned line;
};

struct irt_kv {
	struct irt_kv_entry *v;
	size_t n;
	size_t cap;
};

#define IRT_KV_INIT                                                            \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/*
 * Parses text; name is used in error messages ("name:line: ...").
 * Returns 0 or IRT_EPARSE with the message in irt_error_last(); on
 * failure kv is left as it was, holding nothing of text.
 */
IRT_EXTERN int
irt_kv_parse(struct irt_kv *kv, const char *text, size_t len, const char *name);

/* Appends an entry (copies key and value). */
IRT_EXTERN int
irt_kv_add(struct irt_kv *kv, const char *key, const char *value);
IRT_EXTERN int
irt_kv_addn(struct irt_kv *kv, const char *key, const char *value, size_t len);

/* Replaces the first entry of key or appends it. */
IRT_EXTERN int
irt_kv_set(struct irt_kv *kv, const char *key, const char *value);

/* The first value of key, or NULL. */
IRT_EXTERN const char *irt_kv_get(const struct irt_kv *kv, const char *key);

/* Writes "key = escaped value\n" lines. */
IRT_EXTERN int irt_kv_write(struct irt_buf *out, const struct irt_kv *kv);

/* Escapes one value as irt_kv_write does. */
IRT_EXTERN int
irt_kv_escape(struct irt_buf *out, const char *value, size_t len);

/* Unescapes one value; IRT_EPARSE on a bad escape. */
IRT_EXTERN int irt_kv_unescape(struct irt_buf *out, const char *s, size_t len);

IRT_EXTERN void irt_kv_release(struct irt_kv *kv);

#endif
