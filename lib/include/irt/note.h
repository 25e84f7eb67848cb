/*
 * Notes: notes/<id>.md in a case, a header block, a blank line, the text.
 *
 *   Id: 20261127T211439Z-3fa9c1
 *   Author: Jane Doe <jane@example.org>
 *   Date: 2026-11-27T21:14:39.123456789Z
 *   Tags: ssh, lateral-movement
 *   Host: web01
 *
 *   text...
 */
#ifndef IRT_NOTE_H
#define IRT_NOTE_H

#include "common.h"
#include <stdbool.h>
#include <stddef.h>

#include "case.h"
#include "timefmt.h"

struct irt_note {
	char *id;
	char *author;
	irt_ns date;
	char **tags; /* NULL-terminated */
	size_t ntags;
	char *host; /* NULL when absent */
	char *text;
	size_t text_len;
};

struct irt_note_filter {
	const char *tag;  /* NULL: any */
	const char *host; /* NULL: any */
	bool has_since, has_until;
	irt_ns since; /* inclusive */
	irt_ns until; /* exclusive */
};

/* Checks a note text: not empty, no NUL byte, valid UTF-8. */
IRT_EXTERN int irt_note_check_text(const char *text, size_t len);

/* Checks a tag or host name. */
IRT_EXTERN int irt_note_check_word(const char *what, const char *s);

/* Parses a note file; name is used in messages. */
IRT_EXTERN int irt_note_parse(
    struct irt_note *out, const char *data, size_t len, const char *name);

/* Formats a note file. */
IRT_EXTERN int irt_note_format(struct irt_buf *out, const struct irt_note *n);

IRT_EXTERN void irt_note_release(struct irt_note *n);

/* Adds a note in one commit; id_out receives the new id. */
IRT_EXTERN int irt_note_add(struct irt_case *c, char id_out[32],
    const char *text, size_t len, const char *const *tags, size_t ntags,
    const char *host, const struct irt_ident *who);

/* Replaces the text of a note in a new commit. */
IRT_EXTERN int irt_note_edit(struct irt_case *c, const char *id,
    const char *text, size_t len, const struct irt_ident *who);

/* Reads the note whose id starts with prefix. */
IRT_EXTERN int
irt_note_get(struct irt_case *c, struct irt_note *out, const char *prefix);

/* Every note matching the filter, oldest first. */
IRT_EXTERN int irt_note_list(struct irt_case *c, struct irt_note **out,
    size_t *n, const struct irt_note_filter *f);
IRT_EXTERN void irt_note_list_free(struct irt_note *v, size_t n);

/* Does the note match the filter? */
IRT_EXTERN bool
irt_note_match(const struct irt_note *n, const struct irt_note_filter *f);

#endif
