/*
 * systemd journals: binary journal files and directories read with
 * libsystemd's sd-journal, and the text outputs of journalctl -o export
 * and -o json.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "config.h"
#include "util/cmdpipe.h"
#include "util/internal.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "tl-internal.h"

static const struct tl_dtype dt_journal = { "systemd:journal", "Recorded Time",
	"LOG" };
static const struct tl_dtype *const types[] = { &dt_journal, NULL };

/* The journal fields kept, and the names of their event fields. */
static const char *const jkeys[] = { "_HOSTNAME", "SYSLOG_IDENTIFIER", "_PID",
	"PRIORITY", "_SYSTEMD_UNIT", "_UID", "_COMM", "_EXE", "_CMDLINE" };
static const char *const fields[] = { "hostname", "ident", "pid", "priority",
	"unit", "user", "comm", "exe", "cmdline", NULL };

#define NJKEYS (sizeof jkeys / sizeof jkeys[0])

/* One journal entry gathered field by field. */
struct jent {
	irt_ns t;
	bool have_t;
	bool bad_t; /* refused, with a warning */
	struct irt_buf msg;
	struct irt_buf v[NJKEYS];
	bool has[NJKEYS];
};

static void
jent_clear(struct jent *j)
{
	size_t i;

	j->have_t = false;
	j->bad_t = false;
	j->t = 0;
	irt_buf_clear(&j->msg);
	for (i = 0; i < NJKEYS; i++) {
		irt_buf_clear(&j->v[i]);
		j->has[i] = false;
	}
}

static void
jent_free(struct jent *j)
{
	size_t i;

	irt_buf_release(&j->msg);
	for (i = 0; i < NJKEYS; i++)
		irt_buf_release(&j->v[i]);
}

/* A field NAME=value (value may hold any byte). */
static int
jent_field(struct tl_pctx *p, struct jent *j, const char *name, size_t nl,
    const char *v, size_t vl)
{
	uint64_t us;
	size_t i;

	if (nl == 21 && memcmp(name, "__REALTIME_TIMESTAMP", 20) == 0)
		nl = 20; /* tolerate a trailing '=' */
	if (nl == 20 && memcmp(name, "__REALTIME_TIMESTAMP", 20) == 0) {
		if (!tl_parse_u64(v, vl, &us))
			return tl_warn_line(p, "bad __REALTIME_TIMESTAMP");
		if (tl_time_u64(&j->t, us / 1000000,
		        (long)(us % 1000000) * 1000) != 0) {
			/* the entry is skipped with its time */
			j->have_t = false;
			j->bad_t = true;
			return tl_warn_line(
			    p, "__REALTIME_TIMESTAMP: %s", irt_error_last());
		}
		j->have_t = true;
		return 0;
	}
	if (nl == 7 && memcmp(name, "MESSAGE", 7) == 0) {
		irt_buf_clear(&j->msg);
		irt_buf_put(&j->msg, v, vl);
		return 0;
	}
	for (i = 0; i < NJKEYS; i++)
		if (strlen(jkeys[i]) == nl && memcmp(jkeys[i], name, nl) == 0) {
			irt_buf_clear(&j->v[i]);
			irt_buf_put(&j->v[i], v, vl);
			j->has[i] = true;
		}
	return 0;
}

static int
jent_emit(struct tl_pctx *p, struct jent *j)
{
	struct tl_ev e;
	size_t i;
	int rc;

	if (!j->have_t) {
		rc = 0;
		if (j->msg.len > 0 && !j->bad_t)
			rc = tl_warn_line(p,
			    "journal entry without "
			    "__REALTIME_TIMESTAMP, skipped");
		jent_clear(j);
		return rc;
	}
	tl_ev_init(&e, 0, j->t);
	e.msg = j->msg.ptr;
	e.msg_len = j->msg.len;
	for (i = 0; i < NJKEYS; i++)
		if (j->has[i])
			tl_ev_add(&e, (unsigned)i,
			    j->v[i].ptr ? j->v[i].ptr : "", j->v[i].len);
	rc = tl_emit(p, &e);
	jent_clear(j);
	return rc;
}

/* ---- binary journals through sd-journal ---- */

/* libsystemd, opened by the first binary journal a timeline reads. */
static struct {
	__typeof__(sd_journal_open_directory) *open_directory;
	__typeof__(sd_journal_open_files_fd) *open_files_fd;
	__typeof__(sd_journal_close) *close;
	__typeof__(sd_journal_set_data_threshold) *set_data_threshold;
	__typeof__(sd_journal_seek_head) *seek_head;
	__typeof__(sd_journal_next) *next;
	__typeof__(sd_journal_get_realtime_usec) *get_realtime_usec;
	__typeof__(sd_journal_get_data) *get_data;
} sdj;

static const struct irt_dl_sym sdj_syms[] = {
	{ "sd_journal_open_directory", (void **)&sdj.open_directory },
	{ "sd_journal_open_files_fd", (void **)&sdj.open_files_fd },
	{ "sd_journal_close", (void **)&sdj.close },
	{ "sd_journal_set_data_threshold", (void **)&sdj.set_data_threshold },
	{ "sd_journal_seek_head", (void **)&sdj.seek_head },
	{ "sd_journal_next", (void **)&sdj.next },
	{ "sd_journal_get_realtime_usec", (void **)&sdj.get_realtime_usec },
	{ "sd_journal_get_data", (void **)&sdj.get_data },
	{ NULL, NULL },
};

static struct irt_dl sdj_dl = { "libsystemd.so.0", "reading a binary journal",
	sdj_syms, NULL };

static int
read_sd(struct tl_pctx *p, sd_journal *j)
{
	struct jent ent;
	const void *d;
	size_t len, i;
	uint64_t us;
	int r, rc = 0;

	sdj.set_data_threshold(j, TL_LINE_MAX);
	if (sdj.seek_head(j) < 0)
		return 0; /* no entries, as with SD_JOURNAL_FOREACH */
	memset(&ent, 0, sizeof ent);
	while ((r = sdj.next(j)) != 0) {
		if (r < 0) {
			/* a file damaged past this entry */
			rc = tl_warn(p,
			    "after entry %llu: %s, the rest not read",
			    (unsigned long long)p->line, strerror(-r));
			break;
		}
		p->line++;
		if ((r = sdj.get_realtime_usec(j, &us)) < 0) {
			if ((rc = tl_warn(p, "entry %llu: no time: %s",
			         (unsigned long long)p->line, strerror(-r))) !=
			    0)
				break;
			continue;
		}
		jent_clear(&ent);
		if (tl_time_u64(&ent.t, us / 1000000,
		        (long)(us % 1000000) * 1000) != 0) {
			if ((rc = tl_warn(p, "entry %llu: %s, skipped",
			         (unsigned long long)p->line,
			         irt_error_last())) != 0)
				break;
			continue;
		}
		ent.have_t = true;
		if (sdj.get_data(j, "MESSAGE", &d, &len) >= 0 && len > 8)
			irt_buf_put(&ent.msg, (const char *)d + 8, len - 8);
		for (i = 0; i < NJKEYS; i++) {
			size_t nl = strlen(jkeys[i]);
			if (sdj.get_data(j, jkeys[i], &d, &len) >= 0 &&
			    len > nl) {
				irt_buf_put(&ent.v[i], (const char *)d + nl + 1,
				    len - nl - 1);
				ent.has[i] = true;
			}
		}
		if ((rc = jent_emit(p, &ent)) != 0)
			break;
		if ((p->line & 0xfff) == 0 && tl_cancelled(p)) {
			rc = irt_error_set(IRT_EABORT, "interrupted");
			break;
		}
	}
	jent_free(&ent);
	return rc;
}

/* ---- the host's journalctl, in a static irt ---- */

static int read_export(struct tl_pctx *p, struct tl_stream *s);

/*
 * The static irt opens no library (util/util.c): the host's journalctl
 * turns the journal at path (opt --file or --directory) into export
 * format, read through a pipe as it comes.  It is killed when it writes
 * nothing for JOURNALCTL_IDLE seconds, or (a file of size bytes) more
 * than 64 bytes for each byte of the file.
 */
#define JOURNALCTL_IDLE 10

struct jctl {
	struct irt_cmdpipe *cp;
	bool failed; /* the reader has warned about it */
};

static ssize_t
jctl_read(struct tl_stream *s, void *buf, size_t n)
{
	struct jctl *j = s->ctx;
	ssize_t r = irt_cmdpipe_read(j->cp, buf, n);

	if (r < 0)
		j->failed = true;
	return r;
}

static uint64_t
journal_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
}

static int
read_journalctl(
    struct tl_pctx *p, const char *opt, const char *path, uint64_t size)
{
	struct irt_cmdpipe_opts o = { JOURNALCTL_IDLE,
		size ? size * 64 + ((uint64_t)64 << 20) : 0 };
	struct jctl j = { NULL, false };
	struct tl_stream s;
	char cmd[PATH_MAX];
	char *argv[] = { cmd, (char *)opt, (char *)path, "--output=export",
		"--no-pager", NULL };
	int rc, rc2;

	if (irt_which(cmd, sizeof cmd, "journalctl") != 0)
		return tl_warn(p,
		    "a static irt reads binary journals with journalctl, "
		    "and finds none on PATH or in /usr/bin, /bin, /usr/sbin "
		    "or /sbin");
	if (irt_cmdpipe_open(&j.cp, argv, &o) != 0)
		return tl_warn(p, "%s", irt_error_last());
	memset(&s, 0, sizeof s);
	s.fd = -1;
	s.path = path;
	s.read = jctl_read;
	s.ctx = &j;
	rc = read_export(p, &s);
	tl_stream_close(&s);
	rc2 = irt_cmdpipe_close(j.cp);
	if (rc == 0 && rc2 != 0 && !j.failed)
		rc = tl_warn(p, "%s", irt_error_last());
	return rc;
}

static int
read_binary(struct tl_pctx *p, struct tl_stream *s)
{
	sd_journal *j = NULL;
	int fd, r, rc;
	char buf[65536], *tmp = NULL;
	uint64_t copied = 0;
	ssize_t n;

	/* a static irt's journalctl reads a copy: not the evidence */
	if (s->fd >= 0 && s->back_off == 0 && !IRT_STATIC)
		fd = dup(s->fd);
	else {
		/* from an archive or a decompressor: sd-journal wants a
		 * file that is linked (not a memfd), so a temporary copy is
		 * made and removed as soon as it is read */
		const char *dir = tl_tmpdir(p);
		if (asprintf(&tmp, "%s/irt-journal-XXXXXX", dir) < 0)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		if ((fd = mkstemp(tmp)) < 0) {
			rc = irt_error_sys(IRT_EIO, errno,
			    "cannot create a temporary file in '%s'",
			    irt_esc(dir));
			free(tmp);
			return rc;
		}
		rc = 0;
		while ((n = tl_read(s, buf, sizeof buf)) > 0) {
			/* a bomb must not fill the disk */
			if ((copied += (uint64_t)n) > tl_tmp_max(p)) {
				rc = tl_warn(p,
				    "journal larger than %llu bytes, not read "
				    "(read it as a file of its own)",
				    (unsigned long long)tl_tmp_max(p));
				break;
			}
			if (irt_write_all(fd, buf, (size_t)n) != 0) {
				rc = irt_error_sys(
				    IRT_EIO, errno, "cannot copy the journal");
				break;
			}
		}
		if (rc == 0 && n < 0)
			rc = tl_warn(p, "%s", irt_error_last());
		if (rc != 0 || n > 0) {
			close(fd);
			unlink(tmp);
			free(tmp);
			return rc;
		}
	}
	if (fd < 0)
		return irt_error_sys(IRT_EIO, errno, "dup");
	if (IRT_STATIC)
		rc = read_journalctl(p, "--file", tmp, journal_size(fd));
	else if ((rc = irt_dl_load(&sdj_dl)) != 0)
		rc = tl_warn(p, "%s", irt_error_last());
	else if ((r = sdj.open_files_fd(&j, &fd, 1, 0)) < 0)
		rc = tl_warn(p, "cannot read the journal: %s", strerror(-r));
	else {
		rc = read_sd(p, j);
		sdj.close(j);
	}
	close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	return rc;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
journal_file(const char *name)
{
	size_t n = strlen(name);

	return (n > 8 && strcmp(name + n - 8, ".journal") == 0) ||
	    (n > 9 && strcmp(name + n - 9, ".journal~") == 0);
}

/* A folder named by a machine id, where journald keeps its files. */
static bool
machine_dir(const char *name)
{
	return strlen(name) == 32 && strspn(name, "0123456789abcdef") == 32;
}

/* Adds the journal files of dir (and of its machine folders when top). */
static int
list_dir(struct tl_pctx *p, const char *dir, bool top, char ***v, size_t *n,
    size_t *cap)
{
	DIR *d;
	struct dirent *de;
	char *path;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		if (top)
			return irt_error_sys(IRT_EIO, errno,
			    "cannot open the journal in '%s'", irt_esc(dir));
		return tl_warn(p, "cannot read '%s': %s", dir, strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		bool file = journal_file(de->d_name);
		if (!file && !(top && machine_dir(de->d_name)))
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			break;
		}
		if (!file) {
			rc = list_dir(p, path, false, v, n, cap);
			free(path);
			if (rc != 0)
				break;
			continue;
		}
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 16;
			char **nv = realloc(*v, nc * sizeof *nv);
			if (nv == NULL) {
				free(path);
				rc = irt_error_set(IRT_ENOMEM, "out of memory");
				break;
			}
			*v = nv;
			*cap = nc;
		}
		(*v)[(*n)++] = path;
	}
	closedir(d);
	return rc;
}

/*
 * A journal folder, as sd_journal_open_directory reads it (its files and
 * those of its machine folders), one file at a time, so that a file
 * sd-journal cannot read is named in a warning rather than left out.
 */
static int
journal_dir(struct tl_pctx *p, const char *dir, const struct stat *st)
{
	struct tl_pctx fp;
	sd_journal *j;
	char **v = NULL;
	size_t n = 0, cap = 0, i;
	int fd, r, rc;

	(void)st;
	if (IRT_STATIC)
		return read_journalctl(p, "--directory", dir, 0);
	if ((rc = irt_dl_load(&sdj_dl)) != 0)
		return rc;
	if ((rc = list_dir(p, dir, true, &v, &n, &cap)) == 0 && n > 1)
		qsort(v, n, sizeof *v, cmp_name);
	for (i = 0; i < n && rc == 0; i++) {
		/* warnings name the file, events the source */
		fp = *p;
		fp.name = v[i];
		fp.line = 0;
		if ((fd = tl_open_file(AT_FDCWD, v[i], v[i], O_NOFOLLOW)) < 0) {
			rc = tl_warn(&fp, "%s, skipped", irt_error_last());
		} else if ((r = sdj.open_files_fd(&j, &fd, 1, 0)) < 0) {
			rc = tl_warn(
			    &fp, "cannot read the journal: %s", strerror(-r));
			close(fd);
		} else {
			rc = read_sd(&fp, j);
			sdj.close(j);
			close(fd);
		}
		if (rc == 0 && fp.err)
			rc = fp.err;
		if (rc == 0 && tl_cancelled(p))
			rc = irt_error_set(IRT_EABORT, "interrupted");
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return rc;
}

/* ---- journalctl -o export ---- */

/* Journal field names: upper-case letters, digits and '_'. */
static bool
field_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 64)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static int
read_export(struct tl_pctx *p, struct tl_stream *s)
{
	struct tl_lines lr;
	struct jent ent;
	struct irt_buf bin = IRT_BUF_INIT;
	const char *line, *eq;
	size_t len;
	int rc;

	memset(&ent, 0, sizeof ent);
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1) {
		if (len == 0) {
			if ((rc = jent_emit(p, &ent)) != 0)
				break;
			continue;
		}
		eq = memchr(line, '=', len);
		if (!field_name(line, eq ? (size_t)(eq - line) : len)) {
			if ((rc = tl_warn_line(p,
			         "not a journal export line, "
			         "skipped")) != 0)
				break;
			continue;
		}
		if (eq != NULL) {
			rc = jent_field(p, &ent, line, (size_t)(eq - line),
			    eq + 1, len - (size_t)(eq - line) - 1);
			if (rc != 0)
				break;
			continue;
		}
		/* binary field: NAME\n, le64 size, data, \n */
		{
			char name[256];
			unsigned char sz[8];
			uint64_t n = 0;
			size_t got = 0, i, nl = len < 255 ? len : 255;
			memcpy(name, line, nl);
			/* the size and data follow in the stream: read them
			 * through the line reader's buffer */
			irt_buf_clear(&bin);
			while (got < 8) {
				if (lr.start < lr.end) {
					sz[got++] =
					    (unsigned char)lr.buf[lr.start++];
					continue;
				}
				if (lr.eof)
					break;
				lr.start = lr.end = 0;
				{
					ssize_t k =
					    tl_read(lr.s, lr.buf, lr.cap);
					if (k <= 0) {
						lr.eof = true;
						break;
					}
					lr.end = (size_t)k;
				}
			}
			if (got < 8) {
				rc = tl_warn_line(p, "truncated binary field");
				break;
			}
			for (i = 0; i < 8; i++)
				n |= (uint64_t)sz[i] << (8 * i);
			if (n > TL_LINE_MAX) {
				rc = tl_warn_line(p,
				    "binary field of %llu bytes, "
				    "stopped reading",
				    (unsigned long long)n);
				break;
			}
			while (bin.len < n + 1) {
				size_t take;
				if (lr.start >= lr.end) {
					ssize_t k;
					if (lr.eof)
						break;
					lr.start = lr.end = 0;
					k = tl_read(lr.s, lr.buf, lr.cap);
					if (k <= 0) {
						lr.eof = true;
						break;
					}
					lr.end = (size_t)k;
				}
				take = lr.end - lr.start;
				if (take > n + 1 - bin.len)
					take = (size_t)(n + 1 - bin.len);
				irt_buf_put(&bin, lr.buf + lr.start, take);
				lr.start += take;
			}
			if (bin.len < n + 1) {
				rc = tl_warn_line(p, "truncated binary field");
				break;
			}
			rc = jent_field(p, &ent, name, nl, bin.ptr, (size_t)n);
			if (rc != 0)
				break;
		}
	}
	if (rc == 0)
		rc = jent_emit(p, &ent);
	tl_lines_free(&lr);
	jent_free(&ent);
	irt_buf_release(&bin);
	return rc < 0 ? rc : 0;
}

/* ---- journalctl -o json ---- */

/*
 * A small reader for the flat objects journalctl -o json writes: string
 * keys; values that are strings, numbers, null, or arrays of byte values
 * (binary data).  No JSON library object per event.
 */
struct jp {
	const char *s, *end;
};

static void
jp_ws(struct jp *j)
{
	while (j->s < j->end &&
	    (*j->s == ' ' || *j->s == '\t' || *j->s == '\r' || *j->s == '\n'))
		j->s++;
}

static int
hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void
put_utf8(struct irt_buf *b, unsigned c)
{
	if (c < 0x80)
		irt_buf_putc(b, (char)c);
	else if (c < 0x800) {
		irt_buf_putc(b, (char)(0xc0 | c >> 6));
		irt_buf_putc(b, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		irt_buf_putc(b, (char)(0xe0 | c >> 12));
		irt_buf_putc(b, (char)(0x80 | (c >> 6 & 0x3f)));
		irt_buf_putc(b, (char)(0x80 | (c & 0x3f)));
	} else {
		irt_buf_putc(b, (char)(0xf0 | c >> 18));
		irt_buf_putc(b, (char)(0x80 | (c >> 12 & 0x3f)));
		irt_buf_putc(b, (char)(0x80 | (c >> 6 & 0x3f)));
		irt_buf_putc(b, (char)(0x80 | (c & 0x3f)));
	}
}

/* A string at j->s (at its opening quote) into out. */
static int
jp_string(struct jp *j, struct irt_buf *out)
{
	unsigned c, lo;

	irt_buf_clear(out);
	if (j->s >= j->end || *j->s != '"')
		return -1;
	j->s++;
	while (j->s < j->end && *j->s != '"') {
		const char *q = j->s;
		while (q < j->end && *q != '"' && *q != '\\')
			q++;
		irt_buf_put(out, j->s, (size_t)(q - j->s));
		j->s = q;
		if (j->s >= j->end || *j->s == '"')
			break;
		if (j->end - j->s < 2)
			return -1;
		switch (j->s[1]) {
		case '"':
		case '\\':
		case '/':
			irt_buf_putc(out, j->s[1]);
			break;
		case 'b':
			irt_buf_putc(out, '\b');
			break;
		case 'f':
			irt_buf_putc(out, '\f');
			break;
		case 'n':
			irt_buf_putc(out, '\n');
			break;
		case 'r':
			irt_buf_putc(out, '\r');
			break;
		case 't':
			irt_buf_putc(out, '\t');
			break;
		case 'u':
			if (j->end - j->s < 6 || hex4(j->s + 2, &c) != 0)
				return -1;
			j->s += 4;
			if (c >= 0xd800 && c < 0xdc00 && j->end - j->s >= 8 &&
			    j->s[2] == '\\' && j->s[3] == 'u' &&
			    hex4(j->s + 4, &lo) == 0 && lo >= 0xdc00 &&
			    lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (lo - 0xdc00);
				j->s += 6;
			}
			put_utf8(out, c);
			break;
		default:
			return -1;
		}
		j->s += 2;
	}
	if (j->s >= j->end)
		return -1;
	j->s++;
	return 0;
}

/* Skips a nested object or array (strings may hold brackets). */
static int
jp_skip(struct jp *j)
{
	int depth = 0;

	while (j->s < j->end) {
		char c = *j->s++;
		if (c == '"') {
			while (j->s < j->end && *j->s != '"') {
				if (*j->s == '\\')
					j->s++;
				j->s++;
			}
			if (j->s >= j->end)
				return -1;
			j->s++;
		} else if (c == '{' || c == '[') {
			if (++depth > 64)
				return -1;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return 0;
		}
	}
	return -1;
}

/* A value into out; *skip when it is null or not a value we keep. */
static int
jp_value(struct jp *j, struct irt_buf *out, bool *skip)
{
	const char *q, *start;

	*skip = false;
	jp_ws(j);
	if (j->s >= j->end)
		return -1;
	if (*j->s == '"')
		return jp_string(j, out);
	irt_buf_clear(out);
	start = j->s;
	if (*j->s == '{') {
		*skip = true;
		return jp_skip(j);
	}
	if (*j->s == '[') {
		/* binary data: an array of byte values */
		j->s++;
		for (;;) {
			long v = 0;
			int nd = 0;
			jp_ws(j);
			if (j->s < j->end && *j->s == ']' && nd == 0 &&
			    out->len == 0) {
				j->s++;
				return 0;
			}
			while (j->s < j->end && *j->s >= '0' && *j->s <= '9' &&
			    nd < 4) {
				v = v * 10 + (*j->s++ - '0');
				nd++;
			}
			if (nd == 0 || v > 255) {
				/* not bytes: an array we do not keep */
				j->s = start;
				*skip = true;
				return jp_skip(j);
			}
			irt_buf_putc(out, (char)v);
			jp_ws(j);
			if (j->s < j->end && *j->s == ',') {
				j->s++;
				continue;
			}
			if (j->s < j->end && *j->s == ']') {
				j->s++;
				return 0;
			}
			j->s = start;
			*skip = true;
			return jp_skip(j);
		}
	}
	/* a number, null, true or false: kept as its text */
	q = j->s;
	while (q < j->end && *q != ',' && *q != '}' && *q != ' ' &&
	    *q != '\t' && *q != '\r' && *q != '\n')
		q++;
	if (q == j->s || *j->s == '{')
		return -1;
	if (q - j->s == 4 && memcmp(j->s, "null", 4) == 0)
		*skip = true;
	else
		irt_buf_put(out, j->s, (size_t)(q - j->s));
	j->s = q;
	return 0;
}

static int
json_line(struct tl_pctx *p, struct jent *ent, const char *line, size_t len,
    struct irt_buf *key, struct irt_buf *val)
{
	struct jp j = { line, line + len };
	bool skip;
	int rc;

	jp_ws(&j);
	if (j.s >= j.end || *j.s != '{')
		return 1;
	j.s++;
	jp_ws(&j);
	if (j.s < j.end && *j.s == '}')
		return 0;
	for (;;) {
		jp_ws(&j);
		if (jp_string(&j, key) != 0)
			return 1;
		jp_ws(&j);
		if (j.s >= j.end || *j.s != ':')
			return 1;
		j.s++;
		if (jp_value(&j, val, &skip) != 0)
			return 1;
		if (!skip &&
		    (rc = jent_field(p, ent, key->ptr ? key->ptr : "", key->len,
		         val->ptr ? val->ptr : "", val->len)) != 0)
			return rc;
		jp_ws(&j);
		if (j.s < j.end && *j.s == ',') {
			j.s++;
			continue;
		}
		if (j.s < j.end && *j.s == '}') {
			j.s++;
			jp_ws(&j);
			return j.s == j.end ? 0 : 1;
		}
		return 1;
	}
}

static int
read_json(struct tl_pctx *p, struct tl_stream *s)
{
	struct tl_lines lr;
	struct jent ent;
	struct irt_buf key = IRT_BUF_INIT, val = IRT_BUF_INIT;
	const char *line;
	size_t len;
	int rc;

	memset(&ent, 0, sizeof ent);
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1) {
		if (len == 0)
			continue;
		rc = json_line(p, &ent, line, len, &key, &val);
		if (rc < 0)
			break;
		if (rc == 1) {
			jent_clear(&ent);
			if ((rc = tl_warn_line(p,
			         "not a journal JSON object, "
			         "skipped")) != 0)
				break;
			continue;
		}
		if ((rc = jent_emit(p, &ent)) != 0)
			break;
	}
	tl_lines_free(&lr);
	jent_free(&ent);
	irt_buf_release(&key);
	irt_buf_release(&val);
	return rc < 0 ? rc : 0;
}

static int
parse_journal(struct tl_pctx *p, struct tl_stream *s)
{
	char head[16];
	ssize_t n;
	size_t i;

	if ((n = tl_peek(s, head, sizeof head)) < 0)
		return tl_warn(p, "%s", irt_error_last());
	if (n >= 8 && memcmp(head, "LPKSHHRH", 8) == 0)
		return read_binary(p, s);
	for (i = 0; i < (size_t)n && (head[i] == ' ' || head[i] == '\n');)
		i++;
	if (i < (size_t)n && head[i] == '{')
		return read_json(p, s);
	return read_export(p, s);
}

static bool
by_name(const char *name, const char *path)
{
	size_t n = strlen(name);

	(void)path;
	return (n >= 8 && strcmp(name + n - 8, ".journal") == 0) ||
	    (n >= 9 && strcmp(name + n - 9, ".journal~") == 0);
}

static int
by_content(const struct tl_head *h)
{
	if (h->len >= 8 && memcmp(h->data, "LPKSHHRH", 8) == 0)
		return TL_SURE;
	if (h->line_len >= 12 && memcmp(h->line, "__CURSOR=", 9) == 0)
		return TL_YES;
	if (h->line_len > 0 && h->line[0] == '{' &&
	    memmem(h->line, h->line_len, "\"__REALTIME_TIMESTAMP\"", 22))
		return TL_YES;
	return TL_NO;
}

const struct tl_source tl_source_journal = {
	.name = "journal",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_journal,
	.read_path = journal_dir,
};
