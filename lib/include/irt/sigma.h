/*
 * Sigma rules: SigmaHQ YAML rules loaded once and matched against every
 * event of a timeline as it is read (irt hunt --sigma, irt-sigma(7)).
 *
 * A rule set is loaded from files and directories; each rule is compiled
 * for the log source it names (its logsource mapped onto irt's events),
 * or skipped with a one-line reason when it needs something irt cannot
 * give (a field no source provides, an aggregation, a Windows-only
 * modifier...).  A malformed rule is reported with file:line:column and
 * never stops the rest from loading.
 *
 * A rule set is used by one thread at a time: matching keeps per-event
 * scratch space in it.
 */
#ifndef IRT_SIGMA_H
#define IRT_SIGMA_H

#include "common.h"
#include <stddef.h>
#include <stdint.h>

struct irt_buf;
struct irt_sigma;
struct irt_tl_event;

/*
 * Receives one line per skipped rule, per document that failed to load
 * ("file:line:column: ...") and per file not read; and, during
 * irt_sigma_match, once per rule whose regular expression was cut off by
 * its match limit (so fn and arg must stay valid until irt_sigma_free).
 */
typedef void (*irt_sigma_warn_fn)(const char *msg, void *arg);

/* Why a rule was skipped: one count each in irt_sigma_stats. */
enum irt_sigma_skip {
	IRT_SIGMA_SKIP_LOGSOURCE,   /* no irt event fits its logsource */
	IRT_SIGMA_SKIP_FIELD,       /* a field irt does not provide */
	IRT_SIGMA_SKIP_MODIFIER,    /* a modifier irt does not support */
	IRT_SIGMA_SKIP_NULL,        /* a null value */
	IRT_SIGMA_SKIP_AGGREGATION, /* count(), near, timeframe, correlation */
	IRT_SIGMA_SKIP_DUPLICATE,   /* an id already loaded */
	IRT_SIGMA_SKIP_MAX,
};

/* A short name of a reason: "unsupported modifier"... */
IRT_EXTERN const char *irt_sigma_skip_name(enum irt_sigma_skip why);

IRT_EXTERN int irt_sigma_new(struct irt_sigma **out);
IRT_EXTERN void irt_sigma_free(struct irt_sigma *s);

/*
 * Loads a rule file, or every *.yml and *.yaml file under a directory
 * (recursively, in name order; names starting with '.' are left out;
 * symbolic links are followed only to files inside the directory).  A
 * file holds one rule or several YAML documents (a rule collection with
 * action: global, reset and repeat).  Skipped rules, documents that do
 * not load and unreadable files inside a directory are reported to warn
 * (may be NULL) and counted; the call fails only when path itself cannot
 * be read.
 */
IRT_EXTERN int irt_sigma_load(
    struct irt_sigma *s, const char *path, irt_sigma_warn_fn warn, void *arg);

/* Loads rules from memory; name stands for the file in messages. */
IRT_EXTERN int irt_sigma_load_buffer(struct irt_sigma *s, const char *name,
    const void *data, size_t len, irt_sigma_warn_fn warn, void *arg);

struct irt_sigma_stats {
	unsigned files;   /* rule files read */
	unsigned rules;   /* rules found: loaded + skipped + failed */
	unsigned loaded;  /* rules ready to match */
	unsigned skipped; /* the sum of by_reason */
	unsigned failed;  /* documents that did not load */
	unsigned by_reason[IRT_SIGMA_SKIP_MAX];
	uint64_t events;  /* events matched so far */
	uint64_t hits;    /* rule hits so far */
	uint64_t cutoffs; /* regular expression matches cut off */
};

IRT_EXTERN void
irt_sigma_stats(const struct irt_sigma *s, struct irt_sigma_stats *st);

/* The number of documents that did not load, and the message of the
 * i-th: "file:line:column: reason". */
IRT_EXTERN size_t irt_sigma_failure_count(const struct irt_sigma *s);
IRT_EXTERN const char *
irt_sigma_failure_at(const struct irt_sigma *s, size_t i);

/*
 * Appends the summary line (without a newline): "12 rules loaded,
 * 3 skipped (2 field not provided, 1 unsupported modifier), 1 failed to
 * parse (a.yml:4:7)".
 */
IRT_EXTERN int
irt_sigma_summary(struct irt_buf *out, const struct irt_sigma *s);

/* A rule file that was read: its path as given, its SHA-256 (hex) and
 * what it held. */
struct irt_sigma_file {
	const char *path;
	const char *sha256;
	unsigned loaded, skipped, failed;
};

IRT_EXTERN size_t irt_sigma_file_count(const struct irt_sigma *s);
IRT_EXTERN const struct irt_sigma_file *
irt_sigma_file_at(const struct irt_sigma *s, size_t i);

/* A rule that matched an event; valid during the callback only. */
struct irt_sigma_hit {
	const char *id;     /* "" when the rule has none */
	const char *title;  /* "" when none */
	const char *level;  /* informational, low, medium, high, critical */
	const char *status; /* stable, test, experimental...; "" when none */
	const char *const *tags;
	size_t ntags;
	const char *file; /* the rule file, as in irt_sigma_file */
	unsigned line;    /* where the rule's document starts */
	/* What matched, for the report: the Sigma field ("CommandLine";
	 * NULL for keywords, which search the message) and the event's
	 * value it matched (not NUL-terminated; NULL when the condition
	 * matched by absence only, as with "not"). */
	const char *field;
	const char *value;
	size_t value_len;
};

/* A non-zero return stops matching and is returned by irt_sigma_match. */
typedef int (*irt_sigma_hit_fn)(const struct irt_sigma_hit *hit, void *arg);

/*
 * Matches one event against the rules whose logsource fits it, calling
 * fn for each rule that matches, in load order.  Returns 0 or fn's first
 * non-zero return.
 */
IRT_EXTERN int irt_sigma_match(struct irt_sigma *s,
    const struct irt_tl_event *ev, irt_sigma_hit_fn fn, void *arg);

#endif
