/*
 * Hunting (irt-hunt(1)): IOCs, Sigma and YARA rules over evidence
 * archives, file-system trees, host logs and the live host; every hit
 * handed to the caller as it is found, and a hunt recorded in a case as
 * one commit.
 */
#ifndef IRT_HUNT_H
#define IRT_HUNT_H

#include "common.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "case.h"
#include "ident.h"
#include "ioc.h"
#include "kv.h"
#include "sigma.h"
#include "timefmt.h"
#include "timeline.h"

struct irt_hunt;

/* One hit.  Every string may hold bytes from the host: untrusted. */
struct irt_hunt_hit {
	const char *kind;    /* "ioc", "sigma", "yara" */
	const char *rule_id; /* the IOC's id (or its value outside a case),
	                      * the Sigma rule's id (file:line without
	                      * one), the YARA rule's name */
	const char *title;   /* "domain evil.example", the Sigma rule's
	                      * title, "namespace:rule" */
	const char *level;   /* may be NULL */
	const char *const *tags;
	size_t ntags;
	const char *host; /* may be NULL */
	bool has_time;
	irt_ns time;          /* of the event or file */
	const char *source;   /* "archive:evidence/web01.tar.gz" */
	const char *location; /* file or member the hit is in */
	uint64_t line;        /* 0: none */
	bool has_offset;
	uint64_t offset;   /* in the file's bytes */
	const char *field; /* what matched: "sha256", "path", "message",
	                        * "content", "remote", "memory"... */
	const char *match; /* the matched bytes */
	size_t match_len;
	const struct irt_tl_event *event; /* NULL unless on an event (and
	                                   * while the hit is held) */
	const char *event_json;           /* the event as irt JSONL, or NULL */
	const char *event_ts; /* the event as Timesketch JSONL, or NULL */
};

typedef int (*irt_hunt_hit_fn)(const struct irt_hunt_hit *hit, void *arg);

/* Bytes of one file YARA scans at most by default. */
#define IRT_HUNT_YARA_MAX (64u << 20)

struct irt_hunt_opts {
	const struct irt_ioc_set *iocs; /* retired ones are left out */
	const char *const *yara;        /* rule files or folders */
	size_t nyara;
	const char *const *sigma; /* Sigma rule files or folders */
	size_t nsigma;
	bool content;      /* scan file contents for literal IOCs */
	uint64_t yara_max; /* per-file cap; 0: IRT_HUNT_YARA_MAX */
	irt_hunt_hit_fn hit;
	void *arg;
	irt_tl_warn_fn warn; /* corrupt input, rules that do not compile
	                      * or load */
	void *warn_arg;
	volatile int *cancel;
	const char *root; /* irt_hunt_live: the host's / its logs are read
	                   * under (DIR/var/log); NULL: / */
};

struct irt_hunt_stats {
	uint64_t events;  /* timeline events looked at */
	uint64_t files;   /* files (members) looked into */
	uint64_t bytes;   /* of contents scanned */
	uint64_t records; /* manifest, process and socket records */
	uint64_t hits;
	uint64_t warnings;
	uint64_t processes; /* --live */
	unsigned yara_rules;
};

/*
 * Compiles the IOCs, the Sigma and the YARA rules.  A rule file that
 * does not compile, and a Sigma rule that cannot be loaded, is reported
 * through warn with its file (and line, and the reason) and left out;
 * when no YARA rule of any file compiles, or no Sigma rule loads,
 * IRT_EPARSE.  A rule path that cannot be opened is IRT_EIO.
 */
IRT_EXTERN int
irt_hunt_new(struct irt_hunt **out, const struct irt_hunt_opts *o);
IRT_EXTERN void irt_hunt_free(struct irt_hunt *h);

/*
 * Hunts one source given as the timeline takes it ([KIND:]PATH).  An
 * evidence archive is read once, as a stream: its manifest, process
 * and socket tables, logs and bodyfile, and (content, YARA) every
 * member; host (may be NULL) is then taken from its irt/host.json.
 */
IRT_EXTERN int
irt_hunt_source(struct irt_hunt *h, const char *spec, const char *host);

/* Hunts the running host: processes and their executables, sockets,
 * the logs under /var/log (under the root of the options when given)
 * and, with YARA as root, process memory. */
IRT_EXTERN int irt_hunt_live(struct irt_hunt *h, const char *host);

IRT_EXTERN void
irt_hunt_get_stats(const struct irt_hunt *h, struct irt_hunt_stats *st);

/* The YARA rule files compiled, with their SHA-256, for the record. */
IRT_EXTERN size_t irt_hunt_rule_files(const struct irt_hunt *h,
    const char *const **paths, const char *const **sha256);

/* The Sigma rules of the hunt (their files, hashes and counts:
 * irt_sigma_file_at, irt_sigma_stats), or NULL without --sigma. */
IRT_EXTERN const struct irt_sigma *irt_hunt_sigma(const struct irt_hunt *h);

/* One hit as a line of JSON (with the newline): kind, rule_id, title,
 * level, tags, host, time, source, location, line, offset, field,
 * match, event (irt-hunt(1)). */
IRT_EXTERN int
irt_hunt_hit_json(struct irt_buf *out, const struct irt_hunt_hit *hit);

/* One hit as a Timesketch JSONL record tagged irt-hunt. */
IRT_EXTERN int
irt_hunt_hit_timesketch(struct irt_buf *out, const struct irt_hunt_hit *hit);

/*
 * Records a hunt in the case: hunts/YYYY/MM/DD/<id>/record (key =
 * value: what was hunted with, sources, counts) and .../hits.jsonl, in
 * one commit (Irt-Action: hunt).  id_out receives the hunt's id.
 */
IRT_EXTERN int irt_hunt_record(struct irt_case *c, char id_out[32],
    const struct irt_kv *record, const struct irt_buf *hits,
    const char *message, const struct irt_ident *who);

/* The number of hunts recorded in the case and of their hits. */
IRT_EXTERN int
irt_hunt_count(struct irt_case *c, uint64_t *hunts, uint64_t *hits);

#endif
