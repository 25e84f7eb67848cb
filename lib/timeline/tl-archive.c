/*
 * archive:FILE: an irt evidence archive (tar.gz from irt collect), read
 * as a stream without extracting: decoded by the timeline's decoders,
 * split into members by libarchive.  Its irt/bodyfile, the bodyfile of
 * its stat pass (live/statpass.body), every log it holds under
 * fs/<absolute path>, found by path, and irt's own live data under
 * live/ (processes, sockets, packages verified) are read.  A file both
 * bodyfiles list comes from the first one read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "tl-internal.h"
#include "util/internal.h"

/*
 * A hole of a sparse member is given as zeros, but for the whole blocks of
 * HOLE_ALIGN bytes in it (at offsets that are multiples of it), which are
 * left out: a multiple of the record sizes of utmp (384 and 400 bytes)
 * and lastlog (292), so the records after a hole stay aligned and keep
 * their offsets (tl_tell).  A member that claims a petabyte of holes is
 * read in the time its data takes.
 */
#define HOLE_ALIGN ((int64_t)4800 * 73)
/*
 * The most zeros the holes of one member are given as: beyond it the
 * member ends with a warning.  A member of many holes, each claiming up
 * to twice HOLE_ALIGN bytes of zeros in a few bytes of its sparse map,
 * would be read for ever; a lastlog's holes are skipped by its parser
 * (tl_skip_hole) after one record of zeros each.
 */
#define HOLE_ZEROS_MAX ((int64_t)64 << 20)

/* A member read block by block, holes cut short. */
struct member {
	struct archive *a;
	const char *block; /* what is left of the current block */
	size_t block_len;
	int64_t pos;      /* the member offset of the next byte given */
	int64_t size;     /* as the header says */
	int64_t hole;     /* zeros to give before the block */
	int64_t jump;     /* then bytes of the hole left out */
	int64_t hole2;    /* then zeros again */
	uint64_t skipped; /* bytes of holes left out */
	int64_t zeros;    /* bytes of holes given as zeros */
	bool eof, failed, zeros_cut;
};

static void
member_gap(struct member *m, int64_t gap)
{
	int64_t start = m->pos, end, cs, ce;

	/* offsets and sizes of libarchive are in int64_t: start + gap is
	 * one of them; near INT64_MAX no whole block fits */
	if (gap <= 0 || start > INT64_MAX - gap ||
	    start > INT64_MAX - HOLE_ALIGN) {
		m->hole = gap > 0 ? gap : 0;
		return;
	}
	end = start + gap;
	cs = (start + HOLE_ALIGN - 1) / HOLE_ALIGN * HOLE_ALIGN;
	ce = end / HOLE_ALIGN * HOLE_ALIGN;
	if (ce <= cs) {
		m->hole = gap;
		return;
	}
	m->hole = cs - start;
	m->jump = ce - cs;
	m->hole2 = end - ce;
	m->skipped += (uint64_t)(ce - cs);
}

static int64_t
member_tell(struct tl_stream *s)
{
	return ((struct member *)s->ctx)->pos;
}

/* The hole being given skipped by a multiple of align, as far as it
 * goes. */
static int64_t
member_skip_hole(struct tl_stream *s, int64_t align)
{
	struct member *m = s->ctx;
	int64_t left = m->hole + m->jump + m->hole2, skip;

	skip = left / align * align;
	if (skip == 0)
		return m->pos;
	/* the jump was counted as left out when the hole was met; what
	 * is left of the hole is given as zeros */
	m->skipped = (uint64_t)((int64_t)m->skipped + skip - m->jump);
	m->pos += skip;
	m->hole = left - skip;
	m->jump = m->hole2 = 0;
	return m->pos;
}

static ssize_t
member_read(struct tl_stream *s, void *buf, size_t n)
{
	struct member *m = s->ctx;
	const void *blk;
	size_t len;
	la_int64_t off;
	int r;

	for (;;) {
		if (n == 0 || m->failed || m->zeros_cut)
			return 0;
		if (m->hole > 0) {
			if ((int64_t)n > m->hole)
				n = (size_t)m->hole;
			if (m->zeros + (int64_t)n > HOLE_ZEROS_MAX) {
				m->zeros_cut = true;
				return 0;
			}
			memset(buf, 0, n);
			m->zeros += (int64_t)n;
			m->hole -= (int64_t)n;
			m->pos += (int64_t)n;
			return (ssize_t)n;
		}
		if (m->jump > 0) {
			m->pos += m->jump;
			m->jump = 0;
			m->hole = m->hole2;
			m->hole2 = 0;
			continue;
		}
		if (m->block_len > 0) {
			if (n > m->block_len)
				n = m->block_len;
			memcpy(buf, m->block, n);
			m->block += n;
			m->block_len -= n;
			m->pos += (int64_t)n;
			return (ssize_t)n;
		}
		if (m->eof)
			return 0;
		r = archive_read_data_block(m->a, &blk, &len, &off);
		if (r == ARCHIVE_EOF) {
			/* a hole at the end */
			m->eof = true;
			if (m->size > m->pos)
				member_gap(m, m->size - m->pos);
			continue;
		}
		if (r < ARCHIVE_WARN) {
			m->failed = true;
			return irt_error_set(IRT_EPARSE, "%s",
			    archive_error_string(m->a)
			        ? archive_error_string(m->a)
			        : "archive read error");
		}
		if (off < m->pos) {
			/* overlaps what was given: only the rest is new */
			if (off + (la_int64_t)len <= m->pos)
				continue;
			blk = (const char *)blk + (m->pos - off);
			len -= (size_t)(m->pos - off);
		} else if (off > m->pos)
			member_gap(m, off - m->pos);
		m->block = blk;
		m->block_len = len;
	}
}

/* The archive file through the timeline's own decoders, so that what
 * they give before an error reaches libarchive. */
struct feed {
	struct tl_stream *s;
	char buf[65536];
	char err[256]; /* the decoder's error, once met */
};

static la_ssize_t
feed_read(struct archive *a, void *arg, const void **out)
{
	struct feed *f = arg;
	ssize_t n;

	(void)a;
	*out = f->buf;
	if (f->err[0] != '\0')
		return 0;
	n = tl_read(f->s, f->buf, sizeof f->buf);
	if (n < 0) {
		/* an end for libarchive, which reports what is missing */
		snprintf(f->err, sizeof f->err, "%s", irt_error_last());
		return 0;
	}
	return n;
}

/* ---- the paths of the first bodyfile ---- */

static uint64_t
path_hash(const char *s, size_t n)
{
	uint64_t h = irt_fnv64(s, n);

	/* 0 marks a free slot */
	return h != 0 ? h : 1;
}

static int
seen_grow(struct tl_fs_seen *fs)
{
	size_t ncap = fs->cap ? fs->cap * 2 : 1024, i, j;
	uint64_t *ns;

	if (ncap > SIZE_MAX / sizeof *ns ||
	    (ns = calloc(ncap, sizeof *ns)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	for (i = 0; i < fs->cap; i++) {
		if (fs->slot[i] == 0)
			continue;
		for (j = fs->slot[i] & (ncap - 1); ns[j] != 0;
		     j = (j + 1) & (ncap - 1))
			;
		ns[j] = fs->slot[i];
	}
	free(fs->slot);
	fs->slot = ns;
	fs->cap = ncap;
	return 0;
}

int
tl_fs_seen_check(struct tl_fs_seen *fs, const char *path, size_t len)
{
	uint64_t h = path_hash(path, len);
	size_t j;
	int rc;

	if (fs->cap == 0) {
		if (fs->skip)
			return 0;
		if ((rc = seen_grow(fs)) != 0)
			return rc;
	}
	for (j = h & (fs->cap - 1); fs->slot[j] != 0;
	     j = (j + 1) & (fs->cap - 1))
		if (fs->slot[j] == h)
			return fs->skip ? 1 : 0;
	if (fs->skip)
		return 0;
	if (fs->n + 1 > fs->cap / 2) {
		if ((rc = seen_grow(fs)) != 0)
			return rc;
		for (j = h & (fs->cap - 1); fs->slot[j] != 0;
		     j = (j + 1) & (fs->cap - 1))
			;
	}
	fs->slot[j] = h;
	fs->n++;
	return 0;
}

void
tl_fs_seen_release(struct tl_fs_seen *fs)
{
	free(fs->slot);
	memset(fs, 0, sizeof *fs);
}

int
tl_archive_member_kind(const char *path, const char *head, size_t hlen)
{
	struct tl_head h;
	int k;

	if (strcmp(path, "irt/bodyfile") == 0 ||
	    strcmp(path, "live/statpass.body") == 0)
		return tl_kind_find("bodyfile", 8);
	if (strncmp(path, "live/", 5) == 0) {
		/* irt's own live data, by its name */
		k = strchr(path + 5, '/') == NULL ? tl_detect_name(path) : -1;
		return k >= 0 && (tl_sources[k]->flags & TL_SRC_LIVE) ? k : -1;
	}
	if (strncmp(path, "fs/", 3) != 0)
		return -1;
	path += 2; /* the absolute path on the host */
	/* irt's live data is under live/, never a file of the host */
	k = tl_detect_name(path);
	if (k >= 0)
		return tl_sources[k]->flags & (TL_SRC_HOST | TL_SRC_LIVE) ? -1
		                                                          : k;
	/* other files under /var/log: by their content */
	if (strncmp(path, "/var/log/", 9) == 0 && hlen > 0) {
		tl_head_init(&h, head, hlen, -1);
		k = tl_detect_content(&h);
		if (k >= 0 &&
		    (tl_sources[k]->flags & (TL_SRC_HOST | TL_SRC_LIVE)))
			return -1;
		return k;
	}
	return -1;
}

/* A member of the archive as a source of its own. */
static int
read_member(struct tl_pctx *ap, struct archive_entry *ae, const char *pn,
    int kind, struct tl_stream *s, struct member *m)
{
	const struct tl_src *as = tl_src_get(ap->tl, ap->src);
	char *wname = NULL, *lab = NULL;
	irt_ns mtime;
	int rc;

	/* an mtime out of range is no mtime */
	if (irt_time_make(&mtime, archive_entry_mtime(ae),
	        archive_entry_mtime_nsec(ae)) != 0)
		mtime = 0;
	/* warnings name the archive and the member, events the file on the
	 * host */
	if (asprintf(&wname, "%s:%s", tl_src_get(ap->tl, ap->src)->file, pn) <
	        0 ||
	    asprintf(&lab, "%s:%s", as->label, pn) < 0) {
		free(wname);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	rc = tl_read_stream(ap->tl, kind, s, lab,
	    strncmp(pn, "fs/", 3) == 0 ? pn + 2 : pn, wname, as->host, mtime);
	free(wname);
	free(lab);
	if (rc == 0 && m->skipped > 0)
		rc = tl_warn(ap, "'%s': sparse, %llu bytes of holes left out",
		    pn, (unsigned long long)m->skipped);
	if (rc == 0 && m->zeros_cut)
		rc = tl_warn(ap,
		    "'%s': more than %lld MiB of holes read as zeros, the rest "
		    "left out",
		    pn, (long long)(HOLE_ZEROS_MAX >> 20));
	return rc;
}

static int
read_archive(struct tl_pctx *ap, const char *path, const struct stat *st)
{
	struct archive *a = NULL;
	struct archive_entry *ae;
	struct member m;
	struct tl_stream file, *ds = NULL, s;
	struct feed *f = NULL;
	char head[4096];
	int r, rc = 0, kind, comp;

	if (S_ISDIR(st->st_mode))
		return irt_error_set(
		    IRT_EINVAL, "'%s' is a directory", irt_esc(path));
	if ((rc = tl_stream_file(&file, path)) != 0)
		return rc;
	if ((rc = tl_stream_decompress(&ds, &file, path, &comp)) != 0) {
		tl_stream_close(&file);
		return rc;
	}
	if ((f = calloc(1, sizeof *f)) == NULL ||
	    (a = archive_read_new()) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	f->s = ds;
	/* gzip, bzip2 and xz are decoded above; libarchive the others */
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open(a, f, NULL, feed_read, NULL) != ARCHIVE_OK) {
		/* damaged from the first block: nothing to read */
		rc = tl_warn(ap, "cannot read the archive: %s",
		    f->err[0]                     ? f->err
		        : archive_error_string(a) ? archive_error_string(a)
		                                  : "error");
		goto out;
	}
	tl_archive_begin(ap->tl);
	for (;;) {
		const char *pn;
		ssize_t n;

		r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_WARN) {
			if ((rc = tl_warn(ap, "%s", archive_error_string(a))) !=
			    0)
				break;
		} else if (r != ARCHIVE_OK) {
			rc = tl_warn(ap, "corrupt archive: %s",
			    archive_error_string(a) ? archive_error_string(a)
			                            : "read error");
			break;
		}
		if (archive_entry_filetype(ae) != AE_IFREG)
			continue;
		pn = archive_entry_pathname(ae);
		if (pn == NULL)
			continue;
		while (pn[0] == '.' && pn[1] == '/')
			pn += 2;
		memset(&m, 0, sizeof m);
		m.a = a;
		m.size =
		    archive_entry_size_is_set(ae) ? archive_entry_size(ae) : 0;
		memset(&s, 0, sizeof s);
		s.fd = -1;
		s.size = -1;
		s.path = pn;
		s.ctx = &m;
		s.read = member_read;
		s.tell = member_tell;
		s.skip_hole = member_skip_hole;
		n = tl_peek(&s, head, sizeof head);
		if (n < 0) {
			free(s.back);
			rc = tl_warn(ap, "'%s': %s", pn, irt_error_last());
			break;
		}
		/* a compressed rotated log: look inside for the kind */
		kind = tl_archive_member_kind(pn, head, (size_t)n);
		if (kind < 0) {
			free(s.back);
			continue;
		}
		if (tl_src_count(ap->tl) >= TL_MAX_SOURCES) {
			free(s.back);
			rc = tl_warn(ap,
			    "more than %d sources: '%s' and the rest of the "
			    "archive skipped",
			    TL_MAX_SOURCES, pn);
			break;
		}
		rc = read_member(ap, ae, pn, kind, &s, &m);
		tl_stream_close(&s);
		if (rc != 0)
			break;
		if (m.failed) {
			rc =
			    tl_warn(ap, "archive damaged in '%s', stopped", pn);
			break;
		}
		if (tl_cancelled(ap)) {
			rc = irt_error_set(IRT_EABORT, "interrupted");
			break;
		}
	}
	/* the decoder's error, when the archive was cut short or damaged */
	if (rc == 0 && f->err[0] != '\0')
		rc = tl_warn(ap, "%s", f->err);
out:
	tl_archive_end(ap->tl);
	if (a != NULL)
		archive_read_free(a);
	free(f);
	if (ds != &file) {
		tl_stream_close(ds);
		free(ds);
	} else
		tl_stream_close(&file);
	return rc;
}

static bool
by_name(const char *name, const char *path)
{
	size_t n = strlen(path);

	(void)name;
	return (n >= 7 && strcmp(path + n - 7, ".tar.gz") == 0) ||
	    (n >= 4 && strcmp(path + n - 4, ".tgz") == 0);
}

const struct tl_source tl_source_archive = {
	.name = "archive",
	.by_name = by_name,
	.read_path = read_archive,
	.flags = TL_SRC_HOST,
};
