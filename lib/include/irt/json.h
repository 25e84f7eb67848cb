/*
 * A streaming JSON writer, as git's json-writer: objects, arrays, keys
 * and values appended to a buffer in the order they are given, compact
 * ({"id":"a","tags":["x"],"n":1}), so that every JSON document and JSON
 * Lines record irt prints is built one way.
 *
 *   struct irt_jw w;
 *
 *   irt_jw_init(&w, &buf);
 *   irt_jw_object(&w, NULL);
 *   irt_jw_str(&w, "id", id);
 *   irt_jw_array(&w, "tags");
 *   for (i = 0; i < ntags; i++)
 *           irt_jw_str(&w, NULL, tags[i]);
 *   irt_jw_end(&w);
 *   irt_jw_end(&w);
 *   if (irt_jw_line(&w) != 0)      (the record and "\n")
 *           ...
 *
 * Inside an object every value takes a key; inside an array and at the
 * top level the key is NULL.  Keys and strings are escaped by
 * irt_escape_json: quotes, backslashes and control characters as JSON
 * wants, a byte that is not valid UTF-8 as the text \xNN, so the output
 * is valid UTF-8 whatever the host gave.  The first error (out of
 * memory, or a call out of place: a missing or extra key, an end with
 * nothing open, nesting deeper than IRT_JW_DEPTH) sticks: later calls do
 * nothing and return it, and irt_jw_line reports it.
 */
#ifndef IRT_JSON_H
#define IRT_JSON_H

#include "common.h"
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define IRT_JW_DEPTH 32

struct irt_jw {
	struct irt_buf *out;
	unsigned depth;                   /* containers open */
	unsigned char open[IRT_JW_DEPTH]; /* '{' or '[' */
	bool members[IRT_JW_DEPTH];       /* the container has a member */
	bool complete;                    /* a top-level value is written */
	int err;                          /* the first error, or 0 */
};

/* Starts writing into out (appended to what it holds). */
IRT_EXTERN void irt_jw_init(struct irt_jw *w, struct irt_buf *out);

/* Opens an object or an array; irt_jw_end closes the innermost one. */
IRT_EXTERN int irt_jw_object(struct irt_jw *w, const char *key);
IRT_EXTERN int irt_jw_array(struct irt_jw *w, const char *key);
IRT_EXTERN int irt_jw_end(struct irt_jw *w);

/* Values.  A NULL string is written as null. */
IRT_EXTERN int irt_jw_str(struct irt_jw *w, const char *key, const char *s);
IRT_EXTERN int
irt_jw_strn(struct irt_jw *w, const char *key, const char *s, size_t len);
IRT_EXTERN int irt_jw_int(struct irt_jw *w, const char *key, long long v);
IRT_EXTERN int
irt_jw_uint(struct irt_jw *w, const char *key, unsigned long long v);
IRT_EXTERN int irt_jw_bool(struct irt_jw *w, const char *key, bool v);
IRT_EXTERN int irt_jw_null(struct irt_jw *w, const char *key);

/* A string, or null when s is NULL or empty. */
IRT_EXTERN int
irt_jw_str_or_null(struct irt_jw *w, const char *key, const char *s);

/*
 * A value that is already JSON: a document irt wrote itself with this
 * writer (an event record kept as text), never text from elsewhere.
 * NULL writes null.
 */
IRT_EXTERN int irt_jw_raw(struct irt_jw *w, const char *key, const char *json);

/*
 * Adds the members of json, an object irt wrote itself with this writer
 * ("{...}", a trailing newline allowed), to the object open in w: a copy
 * of a record with more members.  Anything but an object is refused.
 */
IRT_EXTERN int irt_jw_members(struct irt_jw *w, const char *json);

/*
 * Ends a document: it must be complete (one top-level value, every
 * container closed).  Appends "\n" and readies the writer for the next
 * document, as JSON Lines want.  Returns 0, or the first error.
 */
IRT_EXTERN int irt_jw_line(struct irt_jw *w);

/*
 * Reading JSON is json-c's job; one helper for what every reader of a
 * record does: the string member key of object o, or NULL when o is not
 * an object or the member is missing or not a string.  The string
 * belongs to o.
 */
struct json_object;

/*
 * One JSON object read from len bytes (a JSON Lines record): nesting up
 * to 16 deep, nothing after it but white space.  NULL for anything else.
 * Free it with json_object_put.
 */
IRT_EXTERN struct json_object *irt_json_object(const char *p, size_t len);

IRT_EXTERN const char *irt_json_get_str(struct json_object *o, const char *key);

/*
 * Writes a document json-c read (from a file irt did not write, say a
 * pulled case) through the writer, so its strings are escaped like
 * every other: control and C1 characters, bytes that are not UTF-8.
 * A number that is not finite becomes null.
 */
IRT_EXTERN int
irt_jw_json(struct irt_jw *w, const char *key, struct json_object *v);

#endif
