/*
 * The inside of hunting: the compiled IOC matcher, the matcher interface
 * of the driver, and the sharded paths of case records.  Not installed.
 */
#ifndef IRT_HUNT_INT_H
#define IRT_HUNT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "irt/buf.h"
#include "irt/hunt.h"
#include "irt/ioc.h"
#include "irt/timeline.h"

#define IRT_IOC_VALUE_MAX 4096

/* irt_case_shard_path into a cleared buffer: DIR/YYYY/MM/DD/ID.EXT (ext
 * may be "" for a folder). */
int hunt_shard_path(
    struct irt_buf *out, const char *dir, const char *id, const char *ext);

struct irt_case;

/* ---- the compiled IOC matcher (ioc-match.c) ---- */

struct ioc_matcher;

/* A match of IOC number ioc (index in the set) on bytes
 * [match, match + len) found at offset off of the text or stream. */
typedef int (*ioc_hit_fn)(
    void *arg, size_t ioc, const char *match, size_t len, uint64_t off);

int ioc_matcher_new(struct ioc_matcher **out, const struct irt_ioc_set *s);
void ioc_matcher_free(struct ioc_matcher *m);

/*
 * Compiles the regex of an IOC (PCRE2, bytes, not UTF) into *out, or
 * returns -1 with the reason in why.  A match of it is bounded by
 * PCRE2's match, depth and heap limits (ioc-match.c).
 */
int ioc_re_compile(void **out, const char *v, char *why, size_t wl);
void ioc_re_free(void *re);
/* How many regex matches the limits cut off (counted as no match). */
uint64_t ioc_matcher_re_cut(const struct ioc_matcher *m);

/* What it has, so that the driver reads only what can match. */
bool ioc_matcher_has_hashes(const struct ioc_matcher *m);
bool ioc_matcher_has_literals(const struct ioc_matcher *m);
unsigned ioc_matcher_hash_algs(const struct ioc_matcher *m);

/* The text of a log event: literal IOCs (domains, URLs, emails,
 * strings, users, file names), IP-shaped tokens against IPs and CIDRs,
 * and regexes. */
int ioc_scan_text(
    struct ioc_matcher *m, const char *s, size_t n, ioc_hit_fn fn, void *arg);

/* The contents of a file, chunk by chunk: literal IOCs including IPs. */
struct ioc_stream {
	uint32_t state;
	uint64_t off; /* of the first byte of the next chunk */
	char *buf;    /* the kept tail plus the chunk */
	size_t cap, keep;
	struct ioc_pending *pend;
	size_t npend, pcap;
};

void ioc_stream_init(struct ioc_stream *st);
/* n == 0 ends the stream (pending matches are decided). */
int ioc_stream_scan(struct ioc_matcher *m, struct ioc_stream *st,
    const char *data, size_t n, ioc_hit_fn fn, void *arg);
void ioc_stream_release(struct ioc_stream *st);

/* One value of a known kind. */
int ioc_match_hash(
    struct ioc_matcher *m, const char *hex, size_t n, ioc_hit_fn fn, void *arg);
int ioc_match_ip(
    struct ioc_matcher *m, const char *ip, size_t n, ioc_hit_fn fn, void *arg);
int ioc_match_path(
    struct ioc_matcher *m, const char *p, size_t n, ioc_hit_fn fn, void *arg);
int ioc_match_user(
    struct ioc_matcher *m, const char *u, size_t n, ioc_hit_fn fn, void *arg);

/* ---- the driver and its matchers (hunt.c) ---- */

/* A file to look into: an archive member, a file of an fs: tree, a
 * process's executable. */
struct hunt_file {
	const char *source;   /* "archive:x.tar.gz" */
	const char *location; /* member or path */
	const char *path;     /* the path on the host, or NULL */
	const char *host;
	irt_ns mtime;
	uint64_t size; /* as announced; may be wrong */
	bool content;  /* the IOC content scan wants its bytes */
};

/*
 * A matcher: IOCs, Sigma, YARA.  Each op may be
 * NULL.  event: one timeline event.  file_*: the bytes of a file as they
 * are read.  process: a running process (--live).
 */
struct hunt_matcher_ops {
	const char *name;
	int (*event)(
	    struct irt_hunt *h, void *self, const struct irt_tl_event *ev);
	int (*file_begin)(struct irt_hunt *h, void *self,
	    const struct hunt_file *f, bool *wants);
	int (*file_data)(struct irt_hunt *h, void *self,
	    const struct hunt_file *f, const void *data, size_t n);
	int (*file_end)(
	    struct irt_hunt *h, void *self, const struct hunt_file *f);
	int (*process)(struct irt_hunt *h, void *self, int pid, const char *exe,
	    const char *host);
	void (*free)(void *self);
	/* file_data gets the bytes decompressed (gzip members) rather than
	 * as stored */
	bool decoded;
};

struct hunt_matcher {
	const struct hunt_matcher_ops *ops;
	void *self;
	bool wants; /* file_begin said yes for the current file */
};

#define HUNT_MATCHERS_MAX 4

struct irt_hunt {
	struct irt_hunt_opts o;
	struct irt_ioc_set iocs; /* the active IOCs, copied */
	struct ioc_matcher *im;
	struct hunt_matcher m[HUNT_MATCHERS_MAX];
	size_t nm;
	void *yara;              /* struct hunt_yara, or NULL */
	struct irt_sigma *sigma; /* owned by its matcher, or NULL */
	struct irt_hunt_stats st;
	/* the source being read */
	const char *cur_source;
	const char *cur_host;
	/* hits held back until the host of an archive is known */
	bool hold;
	struct held_hit *held;
	size_t nheld, cheld;
	char *found_host;
};

/* Reports a hit (held while reading an archive without a host). */
int hunt_hit(struct irt_hunt *h, const struct irt_hunt_hit *hit);
/* A warning: "name: why". */
void hunt_warn(struct irt_hunt *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Hands an event or a file's bytes to every matcher. */
int hunt_event(struct irt_hunt *h, const struct irt_tl_event *ev);
int hunt_file_begin(struct irt_hunt *h, const struct hunt_file *f, bool *any);
int hunt_file_data(struct irt_hunt *h, const struct hunt_file *f, const void *d,
    size_t n, bool decoded);
int hunt_file_end(struct irt_hunt *h, const struct hunt_file *f);
/* Does a matcher look at events (else logs are plain files)? */
bool hunt_wants_events(const struct irt_hunt *h);
/* Does a matcher of the current file want its bytes decoded (or raw)? */
bool hunt_wants_decoded(const struct irt_hunt *h, bool decoded);
int
hunt_process(struct irt_hunt *h, int pid, const char *exe, const char *host);
int hunt_add_matcher(
    struct irt_hunt *h, const struct hunt_matcher_ops *ops, void *self);

/* Hits of an archive read without a host are held until its
 * irt/host.json is read (hunt_found_host). */
void hunt_hold_begin(struct irt_hunt *h, const char *host);
int hunt_hold_end(struct irt_hunt *h);
void hunt_found_host(struct irt_hunt *h, const char *data, size_t len);

/* IOC checks of the records of a collection (manifest, processes,
 * sockets; one JSON object a line) and of single values. */
int hunt_ioc_manifest_line(struct irt_hunt *h, const char *line, size_t n,
    const struct hunt_file *f, uint64_t lineno);
int hunt_ioc_process_line(struct irt_hunt *h, const char *line, size_t n,
    const struct hunt_file *f, uint64_t lineno);
int hunt_ioc_socket_line(struct irt_hunt *h, const char *line, size_t n,
    const struct hunt_file *f, uint64_t lineno);
int hunt_ioc_text_line(struct irt_hunt *h, const char *line, size_t n,
    const struct hunt_file *f, uint64_t lineno);

/* The IOC, Sigma and YARA matchers. */
int hunt_ioc_matcher(struct irt_hunt *h);
int hunt_sigma_new(struct irt_hunt *h);
int hunt_yara_new(struct irt_hunt *h);
size_t hunt_yara_files(const struct irt_hunt *h, const char *const **paths,
    const char *const **sha256);
/* YARA scans files on threads of their own from here on (when it is the
 * one matcher), its hits and warnings still reported in order by
 * hunt_file_end; hunt_yara_wait reports those of every file handed
 * over, hunt_yara_sync too and scans in place again.  Both return the
 * first error of a report. */
void hunt_yara_async(struct irt_hunt *h);
int hunt_yara_wait(struct irt_hunt *h);
int hunt_yara_sync(struct irt_hunt *h);

/* Sources (hunt-archive.c, hunt-live.c, hunt-tl.c). */
int hunt_archive(
    struct irt_hunt *h, const char *path, const char *label, const char *host);
int hunt_fs_files(
    struct irt_hunt *h, const char *dir, const char *label, const char *host);
int hunt_live_run(struct irt_hunt *h, const char *host);
/* gzip inflated on a thread of its own (hunt-gz.c): IRT_EINVAL when
 * the file is not gzip; hunt_gz_read is an archive_read_open callback. */
struct archive;
struct hunt_gz;
int hunt_gz_open(struct hunt_gz **out, const char *path);
long hunt_gz_read(struct archive *a, void *arg, const void **buf);
void hunt_gz_free(struct hunt_gz *g);

/* A timeline for one source, events to the matchers. */
int hunt_tl_new(struct irt_hunt *h, struct irt_tl **out);
/* Reads a source of the timeline (irt_tl_add) into the matchers; a log
 * file is read and parsed on a thread of its own. */
int hunt_tl_add(struct irt_hunt *h, const char *spec, const char *host);
/* A timeline for the members of one archive: a file its irt/bodyfile and
 * its stat pass's bodyfile both list is read once. */
int hunt_tl_archive_new(struct irt_hunt *h, struct irt_tl **out);
struct archive;
/* The timeline's kind of an archive member (by its path on the host and
 * its first bytes), -1 when it is no log; hunt_tl_member reads it as
 * one: 1 when read, 2 when the archive broke off in it. */
struct archive;
int hunt_tl_member_kind(const char *member, const char *head, size_t n);
int hunt_tl_member(struct irt_hunt *h, struct irt_tl *tl, struct archive *a,
    int kind, const char *head, size_t n, const struct hunt_file *f);

#endif
