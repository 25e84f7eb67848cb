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

/* Which kind is an archive member?  Logs are found by path; -1: none. */
static int
member_kind(const char *path, const char *head, size_t hlen)
{
	struct tl_head h;
	int k;

	if (strcmp(path, "irt/bodyfile") == 0)
		return tl_kind_find("bodyfile", 8);
	if (strncmp(path, "fs/", 3) != 0)
		return -1;
	path += 2; /* the absolute path on the host */
	k = tl_detect_name(path);
	if (k >= 0)
		return tl_sources[k]->flags & TL_SRC_HOST ? -1 : k;
	/* other files under /var/log: by their content */
	if (strncmp(path, "/var/log/", 9) == 0 && hlen > 0) {
		tl_head_init(&h, head, hlen, -1);
		k = tl_detect_content(&h);
		if (k >= 0 && (tl_sources[k]->flags & TL_SRC_HOST))
			return -1;
		return k;
	}
	return -1;
}

static int
read_archive(struct tl_pctx *ap, const char *path, const struct stat *st)
{
	struct irt_tl *tl = ap->tl;
	const char *label = tl_src_get(tl, ap->src)->label;
	const char *host = tl_src_get(tl, ap->src)->host;
	struct archive *a;
	struct archive_entry *ae;
	struct member m;
	struct tl_stream s;
	char head[4096], *name = NULL, *lab = NULL, *file = NULL;
	int r, rc = 0, kind;

	(void)st;
	a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		/* damaged from the first block: nothing to read */
		rc = tl_warn(ap, "cannot read the archive: %s",
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
			rc = tl_warn(ap, "'%s': %s", pn, irt_error_last());
			break;
		}
		/* a compressed rotated log: look inside for the kind */
		kind = member_kind(pn, head, (size_t)n);
		if (kind < 0) {
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
		/* an mtime out of range is no mtime */
		if (irt_time_make(&mtime, archive_entry_mtime(ae),
		        archive_entry_mtime_nsec(ae)) != 0)
			mtime = 0;
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
			rc =
			    tl_warn(ap, "archive damaged in '%s', stopped", pn);
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
