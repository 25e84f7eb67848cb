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

/*
 * The data type of an event (plaso's data_type): its name and what its
 * time means.
 */
struct tl_dtype {
	const char *name; /* "syslog:sshd" */
	const char *desc; /* Timesketch's timestamp_desc; NULL: the macb bits */
	const char *l2t;  /* l2tcsv's source column: LOG, WEBHIST, FILE */
};

/*
 * fs:stat, the type of the entries of file systems (fs, bodyfile): the
 * output formats of the Sleuth Kit know these events and their fields.
 */
extern const struct tl_dtype tl_dtype_fs;
enum tl_fs_field {
	TL_FS_INODE,
	TL_FS_MODE,
	TL_FS_UID,
	TL_FS_GID,
	TL_FS_SIZE,
	TL_FS_MD5,
};
extern const char *const tl_fs_fields[];

/*
 * Fields.  A parser adds fields by their index in its source's list of
 * field names; stored events hold global ids instead, the same for one
 * name whichever source gives it: 0 for none, TL_K_TIMES, then every name
 * of the table's sources in the order of the table (CSV columns come in
 * that order).
 */
#define TL_K_NONE 0
#define TL_K_TIMES 1 /* fs: 4 x irt_ns, atime mtime ctime crtime (binary) */
#define TL_K_MAX 256

unsigned tl_key_count(void);
const char *tl_key_name(unsigned k);
/* The id of a field name, 0 when no source gives it. */
unsigned tl_key_find(const char *name);

struct tl_pctx;
struct tl_stream;
struct stat;

/* What content detection looks at. */
struct tl_head {
	const char *data; /* the first bytes, decompressed */
	size_t len;
	/* the first line that is neither blank nor a '#' comment (a '#' and
	 * then no digit), without its newline */
	const char *line;
	size_t line_len;
	int64_t size; /* of the file, -1 when unknown (compressed, memory) */
};

/* How sure content detection is; the surest kind wins, then the first in
 * the table. */
enum {
	TL_NO,
	TL_MAYBE, /* it could be, when nothing else is */
	TL_YES,   /* its text looks like it */
	TL_SURE,  /* a magic number */
};

/*
 * A source kind: one file tl-<kind>.c defines it, and one line of the
 * table in tl-source.c registers it.
 */
struct tl_source {
	const char *name;           /* the KIND of KIND:PATH */
	const char *const *aliases; /* other names for KIND; NULL-ended */
	const char *const *fields; /* names of its events' fields; NULL-ended */
	const struct tl_dtype *const *types; /* its events' types; NULL-ended */
	/* Is a file of this name of this kind?  name: the base name without
	 * compression and rotation suffixes (".gz", ".1", "-20240101");
	 * path: the whole path as given. */
	bool (*by_name)(const char *name, const char *path);
	/* Is this content of this kind?  TL_NO to TL_SURE. */
	int (*by_content)(const struct tl_head *h);
	/* Reads a stream (decompressed) of this kind to its end. */
	int (*parse)(struct tl_pctx *p, struct tl_stream *s);
	/* Reads a path that is not read as a stream: every path when
	 * there is no parse, else a directory. */
	int (*read_path)(
	    struct tl_pctx *p, const char *path, const struct stat *st);
	unsigned flags;
};

/* flags */
/* a directory given without a kind is of this kind */
#define TL_SRC_DIR 1
/* never a member of an evidence archive (an archive; a bodyfile: the
 * archive's own irt/bodyfile is one) */
#define TL_SRC_HOST 2
/* reads metadata only: a FIFO or a device is no danger */
#define TL_SRC_STAT 4
/* irt's own live data: a member live/NAME of an evidence archive is of
 * this kind when NAME is */
#define TL_SRC_LIVE 8

extern const struct tl_source *const tl_sources[];
extern const unsigned tl_nsources;

/* Sets up the field ids of the table, once; 0 or an error. */
int tl_sources_init(void);
/* The kind of this name or alias, -1 when none. */
int tl_kind_find(const char *s, size_t len);
/* The number of types of a kind. */
unsigned tl_ntypes(int kind);
/* A kind's map of field indexes to global ids. */
const uint8_t *tl_keymap(int kind);

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

/*
 * An event as a parser hands it over (nothing is copied until emit):
 * its type and its fields' keys are indexes into its source's lists.
 */
struct tl_ev {
	irt_ns t[4];
	uint8_t mask[4];
	int nt;
	uint8_t type;
	const char *path; /* fs: the file name; logs: NULL */
	size_t path_len;
	const char *msg;
	size_t msg_len;
	const irt_ns *times; /* fs: atime, mtime, ctime, crtime; else NULL */
	struct tl_field f[TL_MAXF];
	int nf;
	char num[TL_MAXF][24]; /* storage for numbers */
	int nnum;
};

void tl_ev_init(struct tl_ev *e, unsigned type, irt_ns t);
void tl_ev_add(struct tl_ev *e, unsigned k, const char *v, size_t len);
void tl_ev_adds(struct tl_ev *e, unsigned k, const char *v);
void tl_ev_addi(struct tl_ev *e, unsigned k, long long v);

/* A decoded stored event, for output: fields by their global ids. */
struct tl_rec {
	irt_ns t;
	uint8_t mask;
	uint16_t src;
	const struct tl_dtype *dt;
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
	int kind;    /* index in tl_sources */
};

/* Sources of one timeline; their index is stored in 16 bits. */
#define TL_MAX_SOURCES 65535

/* A byte stream: a file, a decompressor or an archive member. */
struct tl_stream {
	ssize_t (*read)(struct tl_stream *s, void *buf, size_t n);
	void (*close)(struct tl_stream *s);
	int (*rewind)(struct tl_stream *s); /* NULL: cannot */
	void *ctx;
	/* pushed-back bytes (peek) served first */
	char *back;
	size_t back_len, back_off;
	int fd;       /* the underlying file when it is one, else -1 */
	int64_t size; /* its size in bytes, -1 when unknown */
	const char *path;
	/* the offset in the file of the next byte read, holes left out of
	 * an archive member counted; NULL: the count of bytes read */
	int64_t (*tell)(struct tl_stream *s);
	/* past the hole at the next byte, by a multiple of align: the new
	 * offset; NULL: holes are read */
	int64_t (*skip_hole)(struct tl_stream *s, int64_t align);
};

ssize_t tl_read(struct tl_stream *s, void *buf, size_t n);
/* Reads up to n bytes at the start and pushes them back. */
ssize_t tl_peek(struct tl_stream *s, char *buf, size_t n);
void tl_stream_close(struct tl_stream *s);
/* The offset in its file of the next byte tl_read gives, -1 when the
 * stream does not know it (then it is the count of bytes read). */
int64_t tl_tell(struct tl_stream *s);
/* On a file or archive member with holes, moves past the hole at the
 * next byte to read by a multiple of align bytes: the new offset, or -1
 * when s is no stream that can. */
int64_t tl_skip_hole(struct tl_stream *s, int64_t align);
/* Starts again from the first byte; IRT_EINVAL when it cannot. */
int tl_rewind(struct tl_stream *s);
/*
 * Opens a regular file to read, without changing its access time where
 * the kernel lets the caller, and without waiting on a FIFO: a FIFO, a
 * device or a socket is IRT_EINVAL ("'path' is a FIFO").  name is
 * relative to dirfd (AT_FDCWD), path is for messages; flags adds to
 * O_RDONLY (O_NOFOLLOW).  Returns the descriptor or an error.
 */
int tl_open_file(int dirfd, const char *name, const char *path, int flags);
/* "a FIFO", "a character device", ... */
const char *tl_file_type(unsigned mode);
/* A stream over a file opened with tl_open_file. */
int tl_stream_file(struct tl_stream *s, const char *path);
/* A stream over an open file it then owns. */
void tl_stream_fd(struct tl_stream *s, int fd, const char *path);
void tl_stream_mem(struct tl_stream *s, const void *data, size_t len);
/* Wraps s in a decompressor when its content is gzip, bzip2 or xz;
 * *out is then a new stream that owns s (allocated). */
int tl_stream_decompress(struct tl_stream **out, struct tl_stream *s,
    const char *name, int *compressed);

/* Parser context. */
/*
 * The paths of an archive's first bodyfile (its stat pass,
 * live/statpass.body, or irt/bodyfile), as 64-bit hashes: the second
 * leaves out the files the first gave, so that a collected file is not
 * in the timeline twice.
 */
struct tl_fs_seen {
	uint64_t *slot; /* 0: free */
	size_t cap, n;
	bool skip; /* false: record the paths read; true: leave them out */
};

/* 1 when path is to be left out, 0 when not (recorded), or an error. */
int tl_fs_seen_check(struct tl_fs_seen *fs, const char *path, size_t len);
void tl_fs_seen_release(struct tl_fs_seen *fs);
/* Between these, the sources opened are members of one archive: its
 * bodyfiles share a tl_fs_seen, the first recording, the others
 * leaving out. */
void tl_archive_begin(struct irt_tl *tl);
void tl_archive_end(struct irt_tl *tl);

struct tl_pctx {
	struct irt_tl *tl;
	uint16_t src;
	int kind;
	const uint8_t *keymap; /* the kind's field index -> global id */
	const char *name;      /* for warnings */
	irt_ns mtime;          /* of the file, 0 when unknown */
	uint64_t line;
	int err;    /* set when strict turns a warning into an error */
	bool quiet; /* a first pass: no warnings */
	struct tl_fs_seen *seen; /* bodyfile: paths recorded or left out */
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
/* --memory in bytes: the budget of the timeline. */
size_t tl_memory(struct tl_pctx *p);
/* The most one source copies to tmpdir. */
uint64_t tl_tmp_max(struct tl_pctx *p);

/* Line reader over a stream; lines longer than TL_LINE_MAX are cut
 * (with a warning) and the rest skipped. */
struct tl_lines {
	struct tl_stream *s;
	struct tl_pctx *p;
	char *buf;
	size_t cap, start, end;
	size_t nul_ok; /* no NUL byte before this offset, or one at it */
	char eol;      /* '\n', '\r' (a file of CR-ended lines), 0: not known */
	bool eof, err;
};

void tl_lines_init(struct tl_lines *lr, struct tl_stream *s, struct tl_pctx *p);
/* 1: a line (without the newline), 0: end, <0: error. */
int tl_lines_next(struct tl_lines *lr, const char **line, size_t *len);
void tl_lines_free(struct tl_lines *lr);

/* Calls fn for every line of s; stops at fn's first non-zero return. */
int tl_each_line(struct tl_pctx *p, struct tl_stream *s,
    int (*fn)(struct tl_pctx *, const char *, size_t));

/*
 * Registers a new source of the given kind and sets up p to read it:
 * warnings name name.  IRT_EINVAL beyond TL_MAX_SOURCES.
 */
int tl_src_open(struct tl_pctx *p, struct irt_tl *tl, int kind,
    const char *label, const char *file, const char *name, const char *host);
/* Reads one stream as the given kind into a new source; file is the
 * events' path, name the file named in warnings. */
int tl_read_stream(struct irt_tl *tl, int kind, struct tl_stream *s,
    const char *label, const char *file, const char *name, const char *host,
    irt_ns mtime);

/* Detection from a path's name, and from a head of content. */
int tl_detect_name(const char *path);
int tl_detect_content(const struct tl_head *h);
/* The kind of a member of an evidence archive, -1 when it is none: its
 * irt/bodyfile and live/statpass.body, irt's live data under live/ by
 * its name, and the logs under fs/ by their path on the host (under
 * /var/log by their first hlen bytes, head, too). */
int tl_archive_member_kind(const char *path, const char *head, size_t hlen);
/* Fills h from the first len bytes of data. */
void
tl_head_init(struct tl_head *h, const char *data, size_t len, int64_t size);

/* Hands an event to irt_tl_opts.each (tl-event.c); keep flags the times
 * that passed the filters. */
int tl_event_call(struct tl_pctx *p, const struct tl_ev *e, const int keep[4]);
const struct irt_tl_opts *tl_opts(const struct irt_tl *tl);
/* A copy of an event that outlives the parser's buffers, for a reader
 * on another thread: tl_event_copy fills mem, of tl_event_copy_size
 * bytes aligned for a pointer, with the event and what it points to
 * (the strings of its source are shared: they live as long as the
 * timeline). */
size_t tl_event_copy_size(const struct irt_tl_event *ev);
const struct irt_tl_event *
tl_event_copy(void *mem, const struct irt_tl_event *ev);

/* Elements the sorts of tl have partitioned or heaped (for tests: a sort
 * that goes quadratic shows here). */
uint64_t tl_sort_work(const struct irt_tl *tl);

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
/* Rows that the format's reader drops: Timesketch's CSV reader, times
 * before 1700. */
uint64_t tl_writer_dropped(const struct tl_writer *w);
void tl_writer_free(struct tl_writer *w);

/* Emits an fs event: times are atime, mtime, ctime, crtime in ns;
 * one event per distinct non-zero time with its macb bits. */
int tl_fs_emit(struct tl_pctx *p, struct tl_ev *e, const irt_ns times[4]);
bool tl_first_time_only(struct tl_pctx *p);

/*
 * The start times of processes by pid, read from an irt collection's
 * processes.jsonl (tl-processes.c) for its sockets.jsonl: a collection is
 * the folder of the file that warnings name (for a member of an evidence
 * archive, ARCHIVE:live).
 */
struct tl_starts;
int tl_start_put(struct tl_pctx *p, int64_t pid, irt_ns t);
/* The start time of pid in p's collection, 0 when none is known. */
irt_ns tl_start_get(struct tl_pctx *p, int64_t pid);
/* Have the processes of p's collection been read? */
bool tl_start_known(struct tl_pctx *p);
/* Reads the start times of a processes.jsonl stream, quietly. */
int tl_starts_load(struct tl_pctx *p, struct tl_stream *s);
struct tl_starts **tl_starts_of(struct irt_tl *tl);
void tl_starts_free(struct tl_starts *st);

/* Small helpers. */
const char *tl_field(const struct tl_rec *r, unsigned k, size_t *len);
bool tl_parse_u64(const char *s, size_t len, uint64_t *out);
/* Decimal digits of s (len of them), or -1. */
int tl_num(const char *s, size_t len);
/* An RFC 3339 time at s ("2024-05-01T10:00:00", a fraction or not, then
 * Z, +hh:mm or +hhmm, as syslog and dnf write it): the bytes used, 0
 * when it is not one, -1 when it is no time irt holds (the date is
 * impossible, or out of range; the error says which). */
int tl_rfc3339(const char *s, size_t len, irt_ns *out);
/* Decimal seconds with optional fraction and sign into ns: 0,
 * IRT_EPARSE for text that is not such a number (no message), or
 * IRT_EINVAL for a time out of range (with a message). */
int tl_parse_secs(const char *s, size_t len, irt_ns *out);
/* Seconds and nanoseconds since the epoch, unsigned, checked. */
int tl_time_u64(irt_ns *out, uint64_t sec, long nsec);
int tl_month(const char *s); /* "Jan" -> 1, else 0 */
/* "YYYY-MM-DD HH:MM:SS" at s, sep spaces between date and time: 0, -1
 * for other text, or IRT_EINVAL with a message (no such date or time, or
 * a time out of range). */
int tl_ymd_hms(const char *s, size_t len, size_t sep, irt_ns *t);

/* The next space-separated word at *p before end; advances *p past it. */
const char *tl_word(const char **p, const char *end, size_t *len);

/*
 * A stream read twice (tl-replay.c): in is the stream to read, s itself
 * when it can start again, else a copy of it (in memory up to an eighth
 * of --memory, beyond that in an unlinked temporary file, up to
 * irt_tl_opts.tmp_max bytes).  tl_replay_again starts in again.
 */
struct tl_replay {
	struct tl_stream *in;
	struct tl_stream mem;
	struct irt_buf copy;
	int fd;
};
int tl_replay_open(struct tl_pctx *p, struct tl_replay *r, struct tl_stream *s);
int tl_replay_again(struct tl_pctx *p, struct tl_replay *r);
void tl_replay_close(struct tl_replay *r);
/* The year of the first line of a log whose lines have no year, read to
 * its end: its last line (month last_mo, day last_d) is no later than
 * mtime, and the year went up at each of its rollovers (a month lower
 * than the line's before). */
int tl_year_first(irt_ns mtime, int rollovers, int last_mo, int last_d);

#endif
