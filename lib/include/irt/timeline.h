/*
 * Timelines: one sorted forensic timeline built from file-system
 * metadata and host logs (irt-timeline(1), irt-timeline(5)).
 *
 * A timeline is built in two steps: sources are added (each one is read
 * at once and its events are stored, spilled to sorted runs in temporary
 * files beyond the memory budget), then the timeline is written in one
 * format, sorted by time (ties by source, path, then the rest).
 */
#ifndef IRT_TIMELINE_H
#define IRT_TIMELINE_H

#include "common.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timefmt.h"

struct irt_tl;
struct irt_tl_event;

/*
 * Called for every event as its source is read, in source order, after
 * the since, until and match filters (irt hunt reads events this way);
 * ev is valid during the call only.  A negative return (an IRT_E* code,
 * with its message set) stops reading and is returned by irt_tl_add.
 */
typedef int (*irt_tl_event_fn)(const struct irt_tl_event *ev, void *arg);

/* Called for each warning (corrupt input); msg names file and line. */
typedef void (*irt_tl_warn_fn)(const char *msg, void *arg);

struct irt_tl_opts {
	size_t memory;      /* bytes for events in memory; 0: 256 MiB */
	const char *tmpdir; /* for sorted runs; NULL: $TMPDIR or /tmp */
	bool has_since, has_until;
	irt_ns since;      /* inclusive */
	irt_ns until;      /* exclusive */
	int year;          /* for syslog lines without a year; 0: infer */
	bool xdev;         /* fs: stay on one file system */
	const char *match; /* POSIX extended regex on message and path */
	bool strict;       /* the first warning is an error */
	/* fs and bodyfile entries: one event at the earliest time only
	 * (enough for --format bodyfile, which prints each file once) */
	bool first_time_only;
	irt_tl_warn_fn warn;
	void *arg;
	volatile int *cancel;
	irt_tl_event_fn each; /* may be NULL */
	void *each_arg;
	bool no_store; /* with each: events are not kept (nothing to write) */
};

IRT_EXTERN int irt_tl_new(struct irt_tl **out, const struct irt_tl_opts *opts);
IRT_EXTERN void irt_tl_free(struct irt_tl *tl);

/*
 * Adds a source given as [KIND:]PATH and reads it; host (may be NULL)
 * tags its events.  Without KIND the kind is detected from the name and
 * the content.  Corrupt input gives warnings, not an error (unless
 * strict); an unreadable source is an error.
 */
IRT_EXTERN int
irt_tl_add(struct irt_tl *tl, const char *spec, const char *host);

/*
 * Adds a source of the given kind from memory (tests and fuzzing); name
 * is used in the source label and in warnings.
 */
IRT_EXTERN int irt_tl_add_buffer(struct irt_tl *tl, const char *kind,
    const char *name, const void *data, size_t len, const char *host);

/* Is kind a source kind irt knows? */
IRT_EXTERN bool irt_tl_kind_valid(const char *kind);

/* The kind detected for path (name and content), or NULL. */
IRT_EXTERN const char *irt_tl_detect(const char *path);

enum irt_tl_format {
	IRT_TL_JSONL,
	IRT_TL_MACTIME,
	IRT_TL_MACTIME_CSV,
	IRT_TL_TIMESKETCH_CSV,
	IRT_TL_TIMESKETCH_JSONL,
	IRT_TL_L2TCSV,
	IRT_TL_BODYFILE,
};

/* Parses a format name; IRT_EINVAL names the bad one. */
IRT_EXTERN int irt_tl_format_parse(enum irt_tl_format *out, const char *name);

/* Display zone: UTC, a fixed offset, or the process's local zone. */
enum irt_tl_tz {
	IRT_TL_TZ_UTC,
	IRT_TL_TZ_FIXED,
	IRT_TL_TZ_LOCAL, /* localtime_r: the caller set TZ */
};

struct irt_tl_write_opts {
	enum irt_tl_format format;
	enum irt_tl_tz tz;
	int offset; /* seconds east of UTC for IRT_TL_TZ_FIXED */
};

/* Receives output; a non-zero return stops writing and is returned. */
typedef int (*irt_tl_out_fn)(const char *data, size_t len, void *arg);

/* Writes the sorted timeline.  May be called once. */
IRT_EXTERN int irt_tl_write(struct irt_tl *tl,
    const struct irt_tl_write_opts *o, irt_tl_out_fn out, void *arg);

struct irt_tl_stats {
	uint64_t events;  /* stored */
	uint64_t written; /* output records */
	uint64_t warnings;
	uint64_t skipped; /* events with no time */
	unsigned runs;    /* sorted runs spilled to disk */
	unsigned sources;
};

IRT_EXTERN void irt_tl_stats(const struct irt_tl *tl, struct irt_tl_stats *st);

/*
 * An event handed to irt_tl_opts.each.  A file-system entry is one event
 * at its earliest time, with the macb letters of every time it has.
 */
IRT_EXTERN irt_ns irt_tl_event_time(const struct irt_tl_event *ev);
/* Its data type: "syslog:sshd", "audit:record", "fs:stat"... */
IRT_EXTERN const char *irt_tl_event_type(const struct irt_tl_event *ev);
/* The kind of its source ("syslog", "audit", "bodyfile"...), the
 * source's label ("syslog:/var/log/auth.log"), the file the events come
 * from, and the host (NULL when none was given). */
IRT_EXTERN const char *irt_tl_event_kind(const struct irt_tl_event *ev);
IRT_EXTERN const char *irt_tl_event_source(const struct irt_tl_event *ev);
IRT_EXTERN const char *irt_tl_event_file(const struct irt_tl_event *ev);
IRT_EXTERN const char *irt_tl_event_host(const struct irt_tl_event *ev);
/* The line of the source it was read from, 0 when not line-based. */
IRT_EXTERN uint64_t irt_tl_event_line(const struct irt_tl_event *ev);
/* Message and path (file-system events), not NUL-terminated; len 0 and
 * "" when absent. */
IRT_EXTERN const char *
irt_tl_event_message(const struct irt_tl_event *ev, size_t *len);
IRT_EXTERN const char *
irt_tl_event_path(const struct irt_tl_event *ev, size_t *len);
/* The fields (user, src_ip, pid, exe...; irt-timeline(5)): their count,
 * the name and value of the i-th, and the value of one by name (NULL
 * when absent); values are not NUL-terminated. */
IRT_EXTERN size_t irt_tl_event_nfields(const struct irt_tl_event *ev);
IRT_EXTERN const char *irt_tl_event_field_at(
    const struct irt_tl_event *ev, size_t i, const char **value, size_t *len);
IRT_EXTERN const char *irt_tl_event_field(
    const struct irt_tl_event *ev, const char *name, size_t *len);
/* Appends the event as one record of a format (a line of JSON Lines, a
 * row of CSV without a header) to out. */
struct irt_buf;
IRT_EXTERN int irt_tl_event_write(struct irt_buf *out,
    const struct irt_tl_event *ev, enum irt_tl_format format);

/* Parses a size with an optional K, M or G suffix (powers of 1024). */
IRT_EXTERN int irt_tl_parse_size(size_t *out, const char *s);

#endif
