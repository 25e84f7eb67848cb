/*
 * The streaming JSON writer (irt/json.h).
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/json.h"

void
irt_jw_init(struct irt_jw *w, struct irt_buf *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
}

static int
misuse(struct irt_jw *w, const char *what)
{
	if (w->err == 0)
		w->err = irt_error_set(IRT_EINVAL, "json writer: %s", what);
	return w->err;
}

static int
put(struct irt_jw *w, const char *s, size_t len)
{
	if (w->err == 0 && irt_buf_put(w->out, s, len) != 0)
		w->err = irt_error_set(IRT_ENOMEM, "out of memory");
	return w->err;
}

static int
put_string(struct irt_jw *w, const char *s, size_t len)
{
	if (w->err == 0 &&
	    (irt_buf_putc(w->out, '"') != 0 ||
	        irt_escape_json(w->out, s, len) != 0 ||
	        irt_buf_putc(w->out, '"') != 0))
		w->err = irt_error_set(IRT_ENOMEM, "out of memory");
	return w->err;
}

/* Writes what comes before a value: the comma, the key. */
static int
before_value(struct irt_jw *w, const char *key)
{
	if (w->err != 0)
		return w->err;
	if (w->depth == 0) {
		if (key != NULL)
			return misuse(w, "a key outside an object");
		if (w->complete)
			return misuse(w, "a second value without irt_jw_line");
		w->complete = true;
		return 0;
	}
	if (w->open[w->depth - 1] == '{' && key == NULL)
		return misuse(w, "a value without a key in an object");
	if (w->open[w->depth - 1] == '[' && key != NULL)
		return misuse(w, "a key in an array");
	if (w->members[w->depth - 1] && put(w, ",", 1) != 0)
		return w->err;
	w->members[w->depth - 1] = true;
	if (key != NULL &&
	    (put_string(w, key, strlen(key)) != 0 || put(w, ":", 1) != 0))
		return w->err;
	return 0;
}

static int
open_container(struct irt_jw *w, const char *key, char c)
{
	if (w->err == 0 && w->depth == IRT_JW_DEPTH)
		return misuse(w, "nested too deep");
	if (before_value(w, key) != 0 || put(w, &c, 1) != 0)
		return w->err;
	w->open[w->depth] = (unsigned char)c;
	w->members[w->depth] = false;
	w->depth++;
	return 0;
}

int
irt_jw_object(struct irt_jw *w, const char *key)
{
	return open_container(w, key, '{');
}

int
irt_jw_array(struct irt_jw *w, const char *key)
{
	return open_container(w, key, '[');
}

int
irt_jw_end(struct irt_jw *w)
{
	char c;

	if (w->err != 0)
		return w->err;
	if (w->depth == 0)
		return misuse(w, "an end with nothing open");
	c = w->open[w->depth - 1] == '{' ? '}' : ']';
	w->depth--;
	return put(w, &c, 1);
}

int
irt_jw_strn(struct irt_jw *w, const char *key, const char *s, size_t len)
{
	if (before_value(w, key) != 0)
		return w->err;
	if (s == NULL)
		return put(w, "null", 4);
	return put_string(w, s, len);
}

int
irt_jw_str(struct irt_jw *w, const char *key, const char *s)
{
	return irt_jw_strn(w, key, s, s != NULL ? strlen(s) : 0);
}

int
irt_jw_int(struct irt_jw *w, const char *key, long long v)
{
	char num[32];
	int n = snprintf(num, sizeof num, "%lld", v);

	if (before_value(w, key) != 0)
		return w->err;
	return put(w, num, (size_t)n);
}

int
irt_jw_uint(struct irt_jw *w, const char *key, unsigned long long v)
{
	char num[32];
	int n = snprintf(num, sizeof num, "%llu", v);

	if (before_value(w, key) != 0)
		return w->err;
	return put(w, num, (size_t)n);
}

int
irt_jw_bool(struct irt_jw *w, const char *key, bool v)
{
	if (before_value(w, key) != 0)
		return w->err;
	return v ? put(w, "true", 4) : put(w, "false", 5);
}

int
irt_jw_null(struct irt_jw *w, const char *key)
{
	if (before_value(w, key) != 0)
		return w->err;
	return put(w, "null", 4);
}

int
irt_jw_str_or_null(struct irt_jw *w, const char *key, const char *s)
{
	return irt_jw_str(w, key, s != NULL && *s != '\0' ? s : NULL);
}

int
irt_jw_raw(struct irt_jw *w, const char *key, const char *json)
{
	if (before_value(w, key) != 0)
		return w->err;
	if (json == NULL)
		return put(w, "null", 4);
	return put(w, json, strlen(json));
}

int
irt_jw_members(struct irt_jw *w, const char *json)
{
	size_t n = json != NULL ? strlen(json) : 0;
	size_t i;

	if (w->err != 0)
		return w->err;
	if (w->depth == 0 || w->open[w->depth - 1] != '{')
		return misuse(w, "members outside an object");
	while (n > 0 && (json[n - 1] == '\n' || json[n - 1] == ' '))
		n--;
	if (n < 2 || json[0] != '{' || json[n - 1] != '}')
		return misuse(w, "members of something not an object");
	for (i = 1; i < n - 1 && (json[i] == ' ' || json[i] == '\n'); i++)
		;
	if (i == n - 1)
		return 0; /* {} */
	if (w->members[w->depth - 1] && put(w, ",", 1) != 0)
		return w->err;
	w->members[w->depth - 1] = true;
	return put(w, json + i, n - 1 - i);
}

int
irt_jw_line(struct irt_jw *w)
{
	if (w->err != 0)
		return w->err;
	if (w->depth != 0)
		return misuse(w, "a document ended with a container open");
	if (!w->complete)
		return misuse(w, "an empty document");
	if (put(w, "\n", 1) != 0)
		return w->err;
	w->complete = false;
	return 0;
}

struct json_object *
irt_json_object(const char *p, size_t len)
{
	json_tokener *tok;
	json_object *o;
	size_t used;

	if (len > INT_MAX || (tok = json_tokener_new_ex(16)) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, p, (int)len);
	used = json_tokener_get_parse_end(tok);
	if (o != NULL &&
	    (json_tokener_get_error(tok) != json_tokener_success ||
	        !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	for (; o != NULL && used < len; used++)
		if (!strchr(" \t\r\n", p[used]) || p[used] == '\0') {
			json_object_put(o);
			o = NULL;
		}
	return o;
}

const char *
irt_json_get_str(struct json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
irt_jw_json(struct irt_jw *w, const char *key, struct json_object *v)
{
	char num[40];
	double d;
	int n;

	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return irt_jw_bool(w, key, json_object_get_boolean(v));
	case json_type_int:
		/* json-c keeps values above INT64_MAX unsigned */
		if (json_object_get_int64(v) == INT64_MAX)
			return irt_jw_uint(w, key, json_object_get_uint64(v));
		return irt_jw_int(w, key, json_object_get_int64(v));
	case json_type_double:
		d = json_object_get_double(v);
		if (!isfinite(d))
			return irt_jw_null(w, key);
		n = snprintf(num, sizeof num, "%.17g", d);
		if (before_value(w, key) != 0)
			return w->err;
		return put(w, num, (size_t)n);
	case json_type_string:
		return irt_jw_strn(w, key, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
	case json_type_array:
		if (irt_jw_array(w, key) != 0)
			return w->err;
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (irt_jw_json(
			        w, NULL, json_object_array_get_idx(v, i)) != 0)
				return w->err;
		return irt_jw_end(w);
	case json_type_object:
		if (irt_jw_object(w, key) != 0)
			return w->err;
		json_object_object_foreach(v, k, m)
		{
			if (irt_jw_json(w, k, m) != 0)
				return w->err;
		}
		return irt_jw_end(w);
	case json_type_null:
	default:
		return irt_jw_null(w, key);
	}
}
