/*
 * archive:FILE: an irt evidence archive (tar.gz from irt collect), read
 * with libarchive as a stream, without extracting: its irt/bodyfile and
 * every log it holds under fs/<absolute path>, found by path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "tl-internal.h"

struct member {
	struct archive *a;
	bool failed;
};

static ssize_t
member_read(struct tl_stream *s, void *buf, size_t n)
{
	struct member *m = s->ctx;
	la_ssize_t k;

	if (m->failed)
		return 0;
	k = archive_read_data(m->a, buf, n);
	if (k < 0) {
		m->failed = true;
		return irt_error_set(IRT_EPARSE, "%s",
		    archive_error_string(m->a) ? archive_error_string(m->a)
		                               : "archive read error");
	}
	return k;
}

/* Which kind is an archive member?  Logs are found by path. */
static int
member_kind(const char *path, const char *head, size_t hlen)
{
	int k;

	if (strcmp(path, "irt/bodyfile") == 0)
		return TL_KIND_BODYFILE;
	if (strncmp(path, "fs/", 3) != 0)
		return TL_KIND_NONE;
	path += 2; /* the absolute path on the host */
	k = tl_detect_name(path);
	if (k == TL_KIND_ARCHIVE || k == TL_KIND_BODYFILE)
		return TL_KIND_NONE;
	if (k != TL_KIND_NONE)
		return k;
	/* other files under /var/log: by their content */
	if (strncmp(path, "/var/log/", 9) == 0 && hlen > 0) {
		k = tl_detect_content(head, hlen);
		if (k == TL_KIND_BODYFILE || k == TL_KIND_ARCHIVE)
			return TL_KIND_NONE;
		return k;
	}
	return TL_KIND_NONE;
}

int
tl_read_archive(
    struct irt_tl *tl, const char *path, const char *label, const char *host)
{
	struct archive *a;
	struct archive_entry *ae;
	struct member m;
	struct tl_stream s;
	struct tl_pctx wp;
	char head[4096], *name = NULL, *lab = NULL, *file = NULL;
	uint16_t src;
	int r, rc = 0, kind;

	a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	/* warnings about the archive itself go to a source of its own */
	memset(&wp, 0, sizeof wp);
	wp.tl = tl;
	wp.name = path;
	if ((rc = tl_src_add(tl, &src, TL_KIND_ARCHIVE, label, path, host)) !=
	    0)
		goto out;
	wp.src = src;
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		/* damaged from the first block: nothing to read */
		rc = tl_warn(&wp, "cannot read the archive: %s",
		    archive_error_string(a) ? archive_error_string(a)
		                            : "error");
		goto out;
	}
	for (;;) {
		const char *pn;
		ssize_t n;
		irt_ns mtime;

		r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_WARN) {
			if ((rc = tl_warn(
			         &wp, "%s", archive_error_string(a))) != 0)
				break;
		} else if (r != ARCHIVE_OK) {
			rc = tl_warn(&wp, "corrupt archive: %s",
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
		m.a = a;
		m.failed = false;
		memset(&s, 0, sizeof s);
		s.fd = -1;
		s.path = pn;
		s.ctx = &m;
		s.read = member_read;
		n = tl_peek(&s, head, sizeof head);
		if (n < 0) {
			free(s.back);
			rc = tl_warn(&wp, "'%s': %s", pn, irt_error_last());
			break;
		}
		/* a compressed rotated log: look inside for the kind */
		kind = member_kind(pn, head, (size_t)n);
		if (kind == TL_KIND_NONE) {
			free(s.back);
			continue;
		}
		free(name);
		free(lab);
		free(file);
		name = strdup(pn);
		file = strdup(strncmp(pn, "fs/", 3) == 0 ? pn + 2 : pn);
		lab = NULL;
		if (name == NULL || file == NULL ||
		    asprintf(&lab, "%s:%s", label, pn) < 0) {
			free(s.back);
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			break;
		}
		mtime = (irt_ns)archive_entry_mtime(ae) * IRT_NS_PER_SEC +
		    archive_entry_mtime_nsec(ae);
		{
			/* warnings name the archive and the member */
			char *wname = NULL;
			if (asprintf(&wname, "%s:%s", path, pn) < 0) {
				free(s.back);
				rc = irt_error_set(IRT_ENOMEM, "out of memory");
				break;
			}
			/* events name the file on the host */
			rc = tl_read_stream(
			    tl, kind, &s, lab, file, wname, host, mtime);
			free(wname);
		}
		tl_stream_close(&s);
		if (rc != 0)
			break;
		if (m.failed) {
			rc = tl_warn(
			    &wp, "archive damaged in '%s', stopped", pn);
			break;
		}
	}
out:
	free(name);
	free(lab);
	free(file);
	archive_read_free(a);
	return rc;
}
