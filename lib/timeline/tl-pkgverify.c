/*
 * The files of dpkg packages that irt collect found changed or missing,
 * live/packages-verify.jsonl as the packages builtin writes it
 * (collect-pkg.c): one JSON object a line with package, path, status
 * (changed, missing, error), md5_expected, and for a file that changed
 * reason, md5, sha256, size, mode, uid, gid, mtime, elf, copy and
 * diverted_to.  A file with an mtime is an event at it; a missing file,
 * or one with no mtime, is an event at the time the list was written
 * (the file's modification time: in an evidence archive, the member's,
 * the time of the collection).  The summary line, the malformed lines of
 * md5sums files and the diversions give no event.
 */
#include <string.h>

#include <json-c/json.h>

#include "irt/error.h"
#include "irt/json.h"
#include "irt/timefmt.h"
#include "tl-internal.h"

static const struct tl_dtype dt_mtime = { "irt:package:file",
	"Content Modification Time", "LOG" };
static const struct tl_dtype dt_seen = { "irt:package:file",
	"Verification Time", "LOG" };
static const struct tl_dtype *const types[] = { &dt_mtime, &dt_seen, NULL };

enum { T_MTIME, T_SEEN };

enum {
	F_PACKAGE,
	F_FILE,
	F_STATUS,
	F_REASON,
	F_MD5_EXPECTED,
	F_MD5,
	F_SHA256,
	F_SIZE,
	F_MODE,
	F_UID,
	F_GID,
	F_DIVERTED_TO,
	F_COPY,
};

static const char *const fields[] = {
	[F_PACKAGE] = "package",
	[F_FILE] = "file",
	[F_STATUS] = "status",
	[F_REASON] = "reason",
	[F_MD5_EXPECTED] = "md5_expected",
	[F_MD5] = "md5",
	[F_SHA256] = "sha256",
	[F_SIZE] = "size",
	[F_MODE] = "mode",
	[F_UID] = "uid",
	[F_GID] = "gid",
	[F_DIVERTED_TO] = "diverted_to",
	[F_COPY] = "copy",
	NULL,
};

static const char *
str(struct json_object *o, const char *key, size_t *len)
{
	struct json_object *x;

	if (!json_object_object_get_ex(o, key, &x) ||
	    !json_object_is_type(x, json_type_string))
		return NULL;
	*len = (size_t)json_object_get_string_len(x);
	return json_object_get_string(x);
}

static void
add(struct tl_ev *e, unsigned k, struct json_object *o, const char *key)
{
	struct json_object *x;
	const char *v;
	size_t n;

	if (!json_object_object_get_ex(o, key, &x) || x == NULL)
		return;
	if (json_object_is_type(x, json_type_string)) {
		v = json_object_get_string(x);
		n = (size_t)json_object_get_string_len(x);
	} else if (json_object_is_type(x, json_type_int)) {
		v = json_object_get_string(x);
		n = strlen(v);
	} else
		return;
	if (n > 0)
		tl_ev_add(e, k, v, n);
}

struct pv {
	struct irt_buf msg;
	uint64_t untimed;
};

static int
pv_line(struct tl_pctx *p, struct pv *pv, const char *line, size_t len)
{
	struct json_object *o;
	const char *pkg, *path, *status, *mt;
	size_t pkgl, pathl, statusl, mtl;
	struct tl_ev e;
	irt_ns t = 0;
	unsigned type = T_SEEN;
	int rc, bad = 0;

	if (len == 0)
		return 0;
	if ((o = irt_json_object(line, len)) == NULL) {
		json_object_put(o);
		return tl_warn_line(
		    p, "not an irt package verification line, skipped");
	}
	if (json_object_object_get_ex(o, "summary", NULL) ||
	    json_object_object_get_ex(o, "diversions", NULL) ||
	    json_object_object_get_ex(o, "md5sums", NULL)) {
		json_object_put(o);
		return 0;
	}
	if ((pkg = str(o, "package", &pkgl)) == NULL ||
	    (path = str(o, "path", &pathl)) == NULL ||
	    (status = str(o, "status", &statusl)) == NULL) {
		json_object_put(o);
		return tl_warn_line(
		    p, "not an irt package verification line, skipped");
	}
	if ((mt = str(o, "mtime", &mtl)) != NULL) {
		if (mtl < 20 || mtl > 63 || strlen(mt) != mtl || mt[4] != '-' ||
		    mt[10] != 'T') {
			json_object_put(o);
			return tl_warn_line(
			    p, "mtime is not a time, line skipped");
		}
		if (irt_time_parse(&t, mt) != 0) {
			rc = tl_warn_line(
			    p, "mtime: %s, line skipped", irt_error_last());
			json_object_put(o);
			return rc;
		}
		type = T_MTIME;
	} else
		t = p->mtime;
	if (t == 0) {
		pv->untimed++;
		json_object_put(o);
		return 0;
	}
	tl_ev_init(&e, type, t);
	tl_ev_add(&e, F_PACKAGE, pkg, pkgl);
	tl_ev_add(&e, F_FILE, path, pathl);
	tl_ev_add(&e, F_STATUS, status, statusl);
	add(&e, F_REASON, o, "reason");
	add(&e, F_MD5_EXPECTED, o, "md5_expected");
	add(&e, F_MD5, o, "md5");
	add(&e, F_SHA256, o, "sha256");
	add(&e, F_SIZE, o, "size");
	add(&e, F_MODE, o, "mode");
	add(&e, F_UID, o, "uid");
	add(&e, F_GID, o, "gid");
	add(&e, F_DIVERTED_TO, o, "diverted_to");
	add(&e, F_COPY, o, "copy");
	/* Package file changed: /usr/bin/ls (coreutils) */
	irt_buf_clear(&pv->msg);
	bad |= irt_buf_puts(&pv->msg, "Package file ");
	bad |= irt_buf_put(&pv->msg, status, statusl);
	bad |= irt_buf_puts(&pv->msg, ": ");
	bad |= irt_buf_put(&pv->msg, path, pathl);
	bad |= irt_buf_puts(&pv->msg, " (");
	bad |= irt_buf_put(&pv->msg, pkg, pkgl);
	bad |= irt_buf_putc(&pv->msg, ')');
	if (bad)
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
	else {
		e.msg = pv->msg.ptr;
		e.msg_len = pv->msg.len;
		rc = tl_emit(p, &e);
	}
	json_object_put(o);
	return rc;
}

static int
parse_pkgverify(struct tl_pctx *p, struct tl_stream *s)
{
	struct pv pv;
	struct tl_lines lr;
	const char *line;
	size_t len;
	int rc;

	memset(&pv, 0, sizeof pv);
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1)
		if ((rc = pv_line(p, &pv, line, len)) != 0)
			break;
	if (rc == 0 && pv.untimed > 0)
		rc = tl_warn(p,
		    "%llu files with no mtime and no time of the list, "
		    "skipped",
		    (unsigned long long)pv.untimed);
	tl_lines_free(&lr);
	irt_buf_release(&pv.msg);
	return rc < 0 ? rc : 0;
}

static bool
by_name(const char *name, const char *path)
{
	(void)path;
	return strcmp(name, "packages-verify.jsonl") == 0;
}

/* {"package":"x","path":"/...","status":"changed"...} as irt writes it */
static int
by_content(const struct tl_head *h)
{
	return h->line_len > 12 &&
	        memcmp(h->line, "{\"package\":\"", 12) == 0 &&
	        memmem(h->line, h->line_len, "\"status\":\"", 10) != NULL &&
	        memmem(h->line, h->line_len, "\"md5_expected\":\"", 16) != NULL
	    ? TL_YES
	    : TL_NO;
}

static const char *const aliases[] = { "packages-verify", NULL };

const struct tl_source tl_source_packages_verify = {
	.name = "packages_verify",
	.aliases = aliases,
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_pkgverify,
	.flags = TL_SRC_LIVE,
};
