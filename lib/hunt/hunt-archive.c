/*
 * An evidence archive, read once as a stream with libarchive and never
 * extracted: the manifest (paths, hashes), the live-response tables
 * (processes, sockets, command output), the bodyfile and logs as
 * timeline events, and every member's bytes for the content scan and
 * YARA; gzip members are decompressed for the content scan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "hunt-int.h"

#define CHUNK (1u << 18)
#define LINE_MAX_LEN (1u << 20)
/* A gzip member decompresses to at most this many times its size (and
 * 1 MiB) for the content scan: a bomb is cut off with a warning. */
#define GZ_RATIO 64

enum rec {
	REC_NONE,
	REC_MANIFEST,
	REC_PROCESSES,
	REC_SOCKETS,
	REC_TEXT,
	REC_HOST,
};

static enum rec
rec_kind(const char *pn)
{
	const char *dot;

	if (strcmp(pn, "irt/manifest.jsonl") == 0)
		return REC_MANIFEST;
	if (strcmp(pn, "irt/host.json") == 0)
		return REC_HOST;
	if (strcmp(pn, "live/processes.jsonl") == 0)
		return REC_PROCESSES;
	if (strcmp(pn, "live/sockets.jsonl") == 0)
		return REC_SOCKETS;
	if (strncmp(pn, "live/", 5) == 0 && (dot = strrchr(pn, '.')) != NULL &&
	    strcmp(dot, ".txt") == 0)
		return REC_TEXT;
	return REC_NONE;
}

/* Splits data into lines for a record parser. */
struct lines {
	struct irt_buf b;
	uint64_t lineno;
	bool cut;
};

static int
lines_feed(struct irt_hunt *h, struct lines *l, enum rec k,
    const struct hunt_file *f, const char *d, size_t n, bool end)
{
	size_t start = 0, i;
	int rc = 0;

	if (n > 0 && irt_buf_put(&l->b, d, n) != 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	for (i = 0; i < l->b.len && rc == 0; i++) {
		if (l->b.ptr[i] != '\n')
			continue;
		l->lineno++;
		if (l->cut)
			l->cut = false;
		else if (k == REC_MANIFEST)
			rc = hunt_ioc_manifest_line(
			    h, l->b.ptr + start, i - start, f, l->lineno);
		else if (k == REC_PROCESSES)
			rc = hunt_ioc_process_line(
			    h, l->b.ptr + start, i - start, f, l->lineno);
		else if (k == REC_SOCKETS)
			rc = hunt_ioc_socket_line(
			    h, l->b.ptr + start, i - start, f, l->lineno);
		else if (k == REC_TEXT)
			rc = hunt_ioc_text_line(
			    h, l->b.ptr + start, i - start, f, l->lineno);
		start = i + 1;
	}
	if (start > 0) {
		memmove(l->b.ptr, l->b.ptr + start, l->b.len - start);
		l->b.len -= start;
	}
	if (l->b.len > LINE_MAX_LEN) {
		hunt_warn(h, "%s:%s:%llu: line longer than 1 MiB, skipped",
		    irt_esc(f->source), irt_esc(f->location),
		    (unsigned long long)l->lineno + 1);
		l->b.len = 0;
		l->cut = true;
	}
	if (end && l->b.len > 0 && rc == 0 && !l->cut) {
		irt_buf_putc(&l->b, '\n');
		return lines_feed(h, l, k, f, NULL, 0, false);
	}
	return rc;
}

/* Decompression of a gzip member for the content scan. */
struct gunzip {
	z_stream z;
	bool on, done;
	uint64_t in, out;
	unsigned char buf[CHUNK];
};

static int
gz_feed(struct irt_hunt *h, struct gunzip *g, const struct hunt_file *f,
    const void *d, size_t n)
{
	int zr, rc;

	if (!g->on || g->done)
		return 0;
	g->in += n;
	g->z.next_in = (unsigned char *)d;
	g->z.avail_in = (uInt)n;
	while (g->z.avail_in > 0) {
		g->z.next_out = g->buf;
		g->z.avail_out = sizeof g->buf;
		zr = inflate(&g->z, Z_NO_FLUSH);
		if ((rc = hunt_file_data(h, f, g->buf,
		         sizeof g->buf - g->z.avail_out, true)) != 0)
			return rc;
		g->out += sizeof g->buf - g->z.avail_out;
		if (zr == Z_STREAM_END) {
			/* concatenated members */
			if (inflateReset(&g->z) != Z_OK) {
				g->done = true;
				break;
			}
			continue;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			hunt_warn(h,
			    "%s: '%s': corrupt gzip data, scanned the "
			    "first %llu bytes",
			    irt_esc(f->source), irt_esc(f->location),
			    (unsigned long long)g->out);
			g->done = true;
			break;
		}
		if (g->out > (1u << 20) && g->out / GZ_RATIO > g->in) {
			hunt_warn(h,
			    "%s: '%s': gzip data expands more than "
			    "%dx, scanned the first %llu bytes",
			    irt_esc(f->source), irt_esc(f->location), GZ_RATIO,
			    (unsigned long long)g->out);
			g->done = true;
			break;
		}
		if (zr == Z_BUF_ERROR && g->z.avail_in == 0)
			break;
	}
	return 0;
}

int
hunt_archive(
    struct irt_hunt *h, const char *path, const char *label, const char *host)
{
	struct archive *a;
	struct archive_entry *ae;
	struct irt_tl *tl = NULL;
	struct lines l;
	struct irt_buf hb = IRT_BUF_INIT;
	struct gunzip *g;
	struct hunt_gz *gz = NULL;
	char *buf;
	int r, rc = 0;

	if ((buf = malloc(CHUNK)) == NULL ||
	    (g = calloc(1, sizeof *g)) == NULL) {
		free(buf);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	memset(&l, 0, sizeof l);
	if ((rc = hunt_tl_archive_new(h, &tl)) != 0) {
		free(buf);
		free(g);
		return rc;
	}
	a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	hunt_hold_begin(h, host);
	/* gzip, as irt collect writes, on a thread of its own; anything
	 * else through libarchive's filters */
	r = hunt_gz_open(&gz, path);
	if (r != 0 && r != IRT_EINVAL) {
		rc = r;
		goto out;
	}
	if (r == 0)
		r = archive_read_open(a, gz, NULL, hunt_gz_read, NULL);
	else {
		archive_read_support_filter_all(a);
		r = archive_read_open_filename(a, path, 1 << 20);
	}
	if (r != ARCHIVE_OK) {
		rc = irt_error_set(IRT_EPARSE, "cannot read '%s': %s",
		    irt_esc(path),
		    archive_error_string(a) ? archive_error_string(a)
		                            : "error");
		goto out;
	}
	/* YARA alone: files scanned on threads while the next are read */
	hunt_yara_async(h);
	for (;;) {
		struct hunt_file f;
		const char *pn;
		char head[4096];
		const char *rest;
		size_t hn = 0, rn;
		la_ssize_t k;
		enum rec rk;
		int kind;
		bool any;

		if (h->o.cancel && *h->o.cancel) {
			rc = irt_error_set(IRT_EABORT, "interrupted");
			break;
		}
		r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		/* warnings come after the hits of the files before */
		if (r != ARCHIVE_OK && (rc = hunt_yara_wait(h)) != 0)
			break;
		if (r == ARCHIVE_WARN)
			hunt_warn(h, "%s: %s", irt_esc(path),
			    archive_error_string(a));
		else if (r != ARCHIVE_OK) {
			hunt_warn(h, "%s: corrupt archive, stopped: %s",
			    irt_esc(path),
			    archive_error_string(a) ? archive_error_string(a)
			                            : "read error");
			break;
		}
		if (archive_entry_filetype(ae) != AE_IFREG ||
		    (pn = archive_entry_pathname(ae)) == NULL)
			continue;
		while (pn[0] == '.' && pn[1] == '/')
			pn += 2;
		memset(&f, 0, sizeof f);
		f.source = label;
		f.location = pn;
		f.path = strncmp(pn, "fs/", 3) == 0 ? pn + 2 : NULL;
		f.host = host;
		f.mtime = (irt_ns)archive_entry_mtime(ae) * IRT_NS_PER_SEC +
		    archive_entry_mtime_nsec(ae);
		f.size = (uint64_t)archive_entry_size(ae);
		rk = rec_kind(pn);
		if (h->im == NULL && rk != REC_HOST)
			rk = REC_NONE;
		if (rk != REC_NONE) {
			/* a table of the collection, read line by line */
			irt_buf_clear(&l.b);
			l.lineno = 0;
			l.cut = false;
			while ((k = archive_read_data(a, buf, CHUNK)) > 0 &&
			    rc == 0) {
				if (rk == REC_HOST) {
					if (l.b.len < (1u << 20))
						irt_buf_put(
						    &l.b, buf, (size_t)k);
				} else
					rc = lines_feed(h, &l, rk, &f, buf,
					    (size_t)k, false);
			}
			if (rc == 0 && rk == REC_HOST)
				hunt_found_host(
				    h, l.b.ptr ? l.b.ptr : "", l.b.len);
			else if (rc == 0)
				rc = lines_feed(h, &l, rk, &f, NULL, 0, true);
			if (rc != 0)
				break;
			if (k < 0) {
				if ((rc = hunt_yara_wait(h)) != 0)
					break;
				hunt_warn(h,
				    "%s: archive damaged in '%s', "
				    "stopped",
				    irt_esc(path), irt_esc(pn));
				break;
			}
			continue;
		}
		/* the first bytes tell a log from the rest; read as
		 * libarchive holds them like the rest (archive_read_data
		 * would keep back the part of a block past the head, which
		 * archive_read_data_block then skips): rest is that part */
		rest = NULL;
		rn = 0;
		while (hn < sizeof head) {
			const void *blk;
			size_t bn, take;
			la_int64_t boff;
			r = archive_read_data_block(a, &blk, &bn, &boff);
			if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
				break;
			take = bn < sizeof head - hn ? bn : sizeof head - hn;
			memcpy(head + hn, blk, take);
			hn += take;
			if (take < bn) {
				rest = (const char *)blk + take;
				rn = bn - take;
				break;
			}
		}
		kind = hunt_wants_events(h) ? hunt_tl_member_kind(pn, head, hn)
		                            : -1;
		f.content = kind < 0;
		if ((rc = hunt_file_begin(h, &f, &any)) != 0)
			break;
		if (kind >= 0) {
			/* a log: events to the matchers, bytes to YARA */
			const char *first = head;
			size_t fn = hn;
			if (rn > 0) {
				irt_buf_clear(&hb);
				if (irt_buf_put(&hb, head, hn) != 0 ||
				    irt_buf_put(&hb, rest, rn) != 0) {
					rc = irt_error_set(
					    IRT_ENOMEM, "out of memory");
					break;
				}
				first = hb.ptr;
				fn = hb.len;
			}
			if ((r = hunt_tl_member(
			         h, tl, a, kind, first, fn, &f)) < 0) {
				rc = r;
				break;
			}
			if (r == 2)
				break;
		} else if (any) {
			bool zipped = hn >= 2 &&
			    (unsigned char)head[0] == 0x1f &&
			    (unsigned char)head[1] == 0x8b;
			memset(&g->z, 0, sizeof g->z);
			g->on = zipped && hunt_wants_decoded(h, true);
			g->done = false;
			g->in = g->out = 0;
			if (g->on && inflateInit2(&g->z, 15 + 32) != Z_OK)
				g->on = false;
			if (hn > 0) {
				rc = hunt_file_data(h, &f, head, hn, false);
				if (rc == 0 && !zipped)
					rc = hunt_file_data(
					    h, &f, head, hn, true);
				if (rc == 0)
					rc = gz_feed(h, g, &f, head, hn);
			}
			/* the rest of the block, still libarchive's */
			if (rn > 0 && rc == 0) {
				rc = hunt_file_data(h, &f, rest, rn, false);
				if (rc == 0 && !g->on)
					rc = hunt_file_data(
					    h, &f, rest, rn, true);
				if (rc == 0 && g->on)
					rc = gz_feed(h, g, &f, rest, rn);
			}
		}
		/* the rest of the member, as libarchive holds it (no copy);
		 * the holes of a sparse member are not scanned */
		while (rc == 0 && (any || kind >= 0)) {
			const void *blk;
			size_t bn;
			la_int64_t boff;
			r = archive_read_data_block(a, &blk, &bn, &boff);
			if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
				break;
			rc = hunt_file_data(h, &f, blk, bn, false);
			if (rc == 0 && !g->on && kind < 0)
				rc = hunt_file_data(h, &f, blk, bn, true);
			if (rc == 0 && g->on)
				rc = gz_feed(h, g, &f, blk, bn);
		}
		if (g->on) {
			inflateEnd(&g->z);
			g->on = false;
		}
		if (rc == 0)
			rc = hunt_file_end(h, &f);
		if (rc != 0)
			break;
	}
out:
	r = hunt_yara_sync(h);
	if (rc == 0)
		rc = r;
	if (rc == 0)
		rc = hunt_hold_end(h);
	else
		hunt_hold_end(h);
	irt_buf_release(&l.b);
	irt_buf_release(&hb);
	archive_read_free(a);
	hunt_gz_free(gz);
	irt_tl_free(tl);
	free(buf);
	free(g);
	return rc;
}
