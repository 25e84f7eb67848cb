/*
 * Escaping of untrusted strings (file names, log lines, command output)
 * for terminals, JSON and CSV.
 */
#ifndef IRT_ESCAPE_H
#define IRT_ESCAPE_H

#include "common.h"
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Terminal-safe text: valid UTF-8 printable characters are kept; control
 * characters become \n, \t, \r, \e or \xNN; backslash becomes \\; bytes
 * that are not valid UTF-8 become \xNN.  The result is reversible.
 */
IRT_EXTERN int irt_escape_term(struct irt_buf *out, const char *s, size_t len);

/* Convenience: escapes a NUL-terminated string into one of eight
 * thread-local buffers, so up to eight results may be used at once
 * (in one printf); each stays valid for the next seven calls. */
IRT_EXTERN const char *irt_esc(const char *s);

/*
 * JSON string contents (without the quotes): ", \ and control characters
 * are escaped as JSON requires (\n, \t, \u001b, ...), and so are the C1
 * controls U+0080..U+009F (terminal escapes) and U+2028 and U+2029
 * (Python's codecs end a line there: Timesketch's importer loses a row
 * that holds them raw).  A byte that is not
 * part of valid UTF-8 becomes the four characters \xNN in the decoded
 * string (written \\xNN in the JSON text), so the output is always valid
 * UTF-8.  Callers that need the exact bytes of such a string store them
 * separately (irt-timeline(5) and irt-profile(5) say where).
 */
IRT_EXTERN int irt_escape_json(struct irt_buf *out, const char *s, size_t len);

/* A quoted JSON string, "..." with irt_escape_json contents. */
IRT_EXTERN int irt_json_str(struct irt_buf *out, const char *s);
IRT_EXTERN int irt_json_strn(struct irt_buf *out, const char *s, size_t len);

/* An RFC 4180 CSV field: quoted when it holds , " CR or LF (or always). */
IRT_EXTERN int irt_escape_csv(
    struct irt_buf *out, const char *s, size_t len, bool always_quote);

/*
 * A name for a Sleuth Kit bodyfile, %XX-encoded as mactime decodes it:
 * '|', control characters (C1 ones too), bytes that are not valid UTF-8,
 * and a '%' that would read as such an escape (%25); valid UTF-8 text is
 * kept.
 * The result is one line, safe for a terminal, and decodes to the exact
 * bytes of the name.
 */
IRT_EXTERN int
irt_escape_bodyfile(struct irt_buf *out, const char *s, size_t len);

/* True when s[0..len) is valid UTF-8 without NUL bytes. */
IRT_EXTERN bool irt_utf8_valid(const char *s, size_t len);

/*
 * Length of the valid UTF-8 sequence at s (1 to 4), or 0 when the bytes
 * at s do not start a valid sequence within len.
 */
IRT_EXTERN size_t irt_utf8_seqlen(const unsigned char *s, size_t len);

#endif
