/*
 * The inside of the timeline builder: event records, streams, line
 * reader and the parsers of each source kind.  Not installed.
 */
#ifndef IRT_TL_INTERNAL_H
#define IRT_TL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "irt/buf.h"
#include "irt/timeline.h"

/* Source kinds. */
enum tl_kind {
	TL_KIND_NONE,
	TL_KIND_FS,
	TL_KIND_BODYFILE,
	TL_KIND_ARCHIVE,
	TL_KIND_SYSLOG,
	TL_KIND_UTMP,
	TL_KIND_BASH,
	TL_KIND_ZSH,
	TL_KIND_JOURNAL,
	TL_KIND_AUDIT,
	TL_KIND_DPKG,
	TL_KIND_APT,
	TL_KIND_WEBLOG,
	TL_KIND_MAX,
};

/* Data types of events. */
enum tl_type {
	TL_T_FS,
	TL_T_SYSLOG,
	TL_T_SSHD,
	TL_T_UTMP,
	TL_T_BASH,
	TL_T_ZSH,
	TL_T_JOURNAL,
	TL_T_AUDIT,
	TL_T_DPKG,
	TL_T_APT,
	TL_T_WEB,
	TL_T_MAX,
};

/* Field keys (a fixed vocabulary: CSV columns are known in advance). */
enum tl_key {
	TL_K_NONE, /* ends lists */
	TL_K_INODE,
	TL_K_MODE,
	TL_K_UID,
	TL_K_GID,
	TL_K_SIZE,
	TL_K_MD5,
	TL_K_TIMES, /* fs: 4 x int64 ns, atime mtime ctime crtime (binary) */
	TL_K_HOSTNAME,
	TL_K_IDENT,
	TL_K_PID,
	TL_K_PRIORITY,
	TL_K_FACILITY,
	TL_K_REPEATED,
	TL_K_RESULT,
	TL_K_METHOD,
	TL_K_USER,
	TL_K_SRC_IP,
	TL_K_SRC_PORT,
	TL_K_UT_TYPE,
	TL_K_TTY,
	TL_K_DURATION,
	TL_K_UNIT,
	TL_K_AUDIT_TYPE,
	TL_K_SERIAL,
	TL_K_AUID,
	TL_K_EXE,
	TL_K_COMM,
	TL_K_ACTION,
	TL_K_PACKAGE,
	TL_K_VERSION,
	TL_K_COMMANDLINE,
	TL_K_REQUESTED_BY,
	TL_K_CLIENT,
	TL_K_HTTP_METHOD,
	TL_K_URL,
	TL_K_STATUS,
	TL_K_BYTES,
	TL_K_REFERER,
	TL_K_USER_AGENT,
	TL_K_MAX,
};

extern const char *const tl_key_names[TL_K_MAX];
extern const char *const tl_type_names[TL_T_MAX];
extern const char *const tl_kind_names[TL_KIND_MAX];

/* macb bits of fs events */
#define TL_M 1
#define TL_A 2
#define TL_C 4
#define TL_B 8

#define TL_MAXF 24
#define TL_LINE_MAX (1u << 20)

struct tl_field {
	uint8_t key;
	const char *v;
	size_t len;
};

/* An event as a parser hands it over (nothing is copied until emit). */
struct tl_ev {
	irt_ns t[4];
	uint8_t mask[4];
	int nt;
	uint8_t type;
	const char *path; /* fs: the file name; logs: NULL */
	size_t path_len;
	const char *msg;
	size_t msg_len;
	struct tl_field f[TL_MAXF];
	int nf;
	char num[TL_MAXF][24]; /* storage for numbers */
	int nnum;
};

void tl_ev_init(struct tl_ev *e, enum tl_type type, irt_ns t);
void tl_ev_add(struct tl_ev *e, enum tl_key k, const char *v, size_t len);
void tl_ev_adds(struct tl_ev *e, enum tl_key k, const char *v);
void tl_ev_addi(struct tl_ev *e, enum tl_key k, long long v);

/* A decoded stored event, for output. */
struct tl_rec {
	irt_ns t;
	uint8_t mask;
	uint16_t src;
	uint8_t type;
	const char *path;
	size_t path_len;
	const char *msg;
	size_t msg_len;
	struct tl_field f[TL_MAXF];
	int nf;
};

/* One source (a file; an archive gives one per member read). */
struct tl_src {
	char *label; /* kind:path as shown in output */
	char *file;  /* the file the events come from */
	char *host;  /* may be NULL */
	int kind;
};

/* A byte stream: a file, a decompressor or an archive member. */
struct tl_stream {
	ssize_t (*read)(struct tl_stream *s, void *buf, size_t n);
	void (*close)(struct tl_stream *s);
	int (*rewind)(struct tl_stream *s); /* NULL: cannot */
	void *ctx;
	/* pushed-back bytes (peek) served first */
	char *back;
	size_t back_len, back_off;
	int fd; /* the underlying file when it is one, else -1 */
	const char *path;
};

ssize_t tl_read(struct tl_stream *s, void *buf, size_t n);
/* Reads up to n bytes at the start and pushes them back. */
ssize_t tl_peek(struct tl_stream *s, char *buf, size_t n);
void tl_stream_close(struct tl_stream *s);
/* Starts again from the first byte; IRT_EINVAL when it cannot. */
int tl_rewind(struct tl_stream *s);
int tl_stream_file(struct tl_stream *s, const char *path);
/* A stream over an open file it then owns. */
void tl_stream_fd(struct tl_stream *s, int fd, const char *path);
void tl_stream_mem(struct tl_stream *s, const void *data, size_t len);
/* Wraps s in a decompressor when its content is gzip, bzip2 or xz;
 * *out is then a new stream that owns s (allocated). */
int tl_stream_decompress(struct tl_stream **out, struct tl_stream *s,
    const char *name, int *compressed);

/* Parser context. */
struct tl_pctx {
	struct irt_tl *tl;
	uint16_t src;
	const char *name; /* for warnings */
	irt_ns mtime;     /* of the file, 0 when unknown */
	uint64_t line;
	int err;    /* set when strict turns a warning into an error */
	bool quiet; /* a first pass: no warnings */
};

int tl_warn(struct tl_pctx *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Warning at the current line: "name:line: ..." */
int tl_warn_line(struct tl_pctx *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int tl_emit(struct tl_pctx *p, const struct tl_ev *e);
bool tl_cancelled(struct tl_pctx *p);
int tl_year_opt(struct tl_pctx *p);
bool tl_xdev(struct tl_pctx *p);
const char *tl_tmpdir(struct tl_pctx *p);

/* Line reader over a stream; lines longer than TL_LINE_MAX are cut
 * (with a warning) and the rest skipped. */
struct tl_lines {
	struct tl_stream *s;
	struct tl_pctx *p;
	char *buf;
	size_t cap, start, end;
	size_t nul_ok; /* no NUL byte before this offset, or one at it */
	bool eof, err;
};

void tl_lines_init(struct tl_lines *lr, struct tl_stream *s, struct tl_pctx *p);
/* 1: a line (without the newline), 0: end, <0: error. */
int tl_lines_next(struct tl_lines *lr, const char **line, size_t *len);
void tl_lines_free(struct tl_lines *lr);

/* Calls fn for every line of s; stops at fn's first non-zero return. */
int tl_each_line(struct tl_pctx *p, struct tl_stream *s,
    int (*fn)(struct tl_pctx *, const char *, size_t));

/* Parsers: read the stream to its end. */
typedef int (*tl_parse_fn)(struct tl_pctx *p, struct tl_stream *s);
int tl_parse_bodyfile(struct tl_pctx *p, struct tl_stream *s);
int tl_parse_syslog(struct tl_pctx *p, struct tl_stream *s);
int tl_parse_utmp(struct tl_pctx *p, struct tl_stream *s);
int tl_parse_bash(struct tl_pctx *p, struct tl_stream *s);
int tl_parse_zsh(struct tl_pctx *p, struct tl_stream *s);
int tl_parse_journal(struct tl_pctx *p, struct tl_stream *s);
int tl_parse_audit(struct tl_pctx *p, struct tl_stream *s);
int tl_parse_dpkg(struct tl_pctx *p, struct tl_stream *s);
int tl_parse_apt(struct tl_pctx *p, struct tl_stream *s);
int tl_parse_weblog(struct tl_pctx *p, struct tl_stream *s);

/* The walker of fs:DIR and the journal directory reader. */
int tl_walk_fs(struct tl_pctx *p, const char *dir);
int tl_journal_dir(struct tl_pctx *p, const char *dir);
/* archive:FILE */
int tl_read_archive(
    struct irt_tl *tl, const char *path, const char *label, const char *host);

/* Registers a source and returns its index. */
int tl_src_add(struct irt_tl *tl, uint16_t *out, int kind, const char *label,
    const char *file, const char *host);
/* Reads one stream as the given kind into a new source; file is the
 * events' path, name the file named in warnings. */
int tl_read_stream(struct irt_tl *tl, int kind, struct tl_stream *s,
    const char *label, const char *file, const char *name, const char *host,
    irt_ns mtime);

/* Detection from a file name and the first bytes. */
int tl_detect_name(const char *name);
int tl_detect_content(const char *data, size_t len);
int tl_kind_parse(const char *s, size_t len);

/* Hands an event to irt_tl_opts.each (tl-event.c); keep flags the times
 * that passed the filters. */
int tl_event_call(struct tl_pctx *p, const struct tl_ev *e, const int keep[4]);
const struct irt_tl_opts *tl_opts(const struct irt_tl *tl);

/* Output. */
const struct tl_src *tl_src_get(const struct irt_tl *tl, uint16_t i);
unsigned tl_src_count(const struct irt_tl *tl);
struct tl_writer;
int tl_writer_new(struct tl_writer **out, const struct irt_tl *tl,
    const struct irt_tl_write_opts *o, irt_tl_out_fn fn, void *arg);
int tl_writer_put(struct tl_writer *w, const struct tl_rec *r);
int tl_writer_end(struct tl_writer *w, uint64_t *written);
/* Without an output function a writer gathers its output, to be drained
 * in order; sync ends a pending merged row. */
void tl_writer_sync(struct tl_writer *w);
int tl_writer_drain(struct tl_writer *w, irt_tl_out_fn fn, void *arg);
uint64_t tl_writer_count(const struct tl_writer *w);
void tl_writer_free(struct tl_writer *w);

/* Emits an fs event: times are atime, mtime, ctime, crtime in ns;
 * one event per distinct non-zero time with its macb bits. */
int tl_fs_emit(struct tl_pctx *p, struct tl_ev *e, const irt_ns times[4]);
bool tl_first_time_only(struct tl_pctx *p);

/* Small helpers. */
const char *tl_field(const struct tl_rec *r, enum tl_key k, size_t *len);
bool tl_parse_u64(const char *s, size_t len, uint64_t *out);
/* Decimal seconds with optional fraction and sign into ns. */
bool tl_parse_secs(const char *s, size_t len, irt_ns *out);
int tl_month(const char *s); /* "Jan" -> 1, else 0 */

/* The next space-separated word at *p before end; advances *p past it. */
const char *tl_word(const char **p, const char *end, size_t *len);

#endif
