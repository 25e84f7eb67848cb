/*
 * The report's writers: the sections are written once, in report.c,
 * through these operations, which HTML and Markdown implement.  Every
 * string handed to them is untrusted: the writer escapes it.
 */
#ifndef IRT_REPORT_INT_H
#define IRT_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "irt/buf.h"
#include "irt/timefmt.h"

/* The activity chart: counts per host and bin. */
struct report_chart {
	char **hosts;
	size_t nhosts;
	unsigned bins;
	irt_ns t0, width; /* bin i covers [t0 + i * width, + width) */
	uint64_t *counts; /* nhosts * bins */
	uint64_t total, max;
};

struct report_head {
	const char *id, *title, *tlp, *severity, *lead, *status;
	const char *opened, *last, *made;
	int redacted;
};

struct report_ops {
	int (*begin)(struct irt_buf *b, const struct report_head *h);
	int (*end)(struct irt_buf *b);
	/* A section heading; anchor is a fixed word of irt. */
	int (*heading)(
	    struct irt_buf *b, int level, const char *anchor, const char *text);
	int (*para)(struct irt_buf *b, const char *text);
	/* Something the reader must see is missing. */
	int (*missing)(struct irt_buf *b, const char *text);
	int (*table_begin)(struct irt_buf *b, const char *id,
	    const char *const *cols, size_t n);
	int (*row)(struct irt_buf *b, const char *const *cells, size_t n);
	int (*table_end)(struct irt_buf *b);
	/* Text of several lines, kept as it is (a note). */
	int (*block)(
	    struct irt_buf *b, const char *title, const char *text, size_t len);
	int (*chart)(struct irt_buf *b, const struct report_chart *ch);
};

extern const struct report_ops report_html_ops;
extern const struct report_ops report_md_ops;

/* Single-line text safe for any output: control characters and bytes
 * that are not UTF-8 written as \n, \xNN (irt_escape_term). */
int report_line(struct irt_buf *out, const char *s, size_t len);

#endif
