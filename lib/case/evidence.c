/*
 * Evidence records and chain of custody (irt-evidence(1)).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case-int.h"
#include "util/internal.h"
#include "irt/evidence.h"
#include "irt/escape.h"
#include "irt/hash.h"
#include "records.h"
#include "irt/archive-verify.h"
#include "irt/host.h"

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>

#define MAX_EVENTS 10000
#define MAX_RECORD (1 << 20)

static int
add_num(struct irt_kv *kv, const char *key, unsigned long long v)
{
	char num[32];

	snprintf(num, sizeof num, "%llu", v);
	return irt_kv_add(kv, key, num);
}

/* The number of events in a record. */
static unsigned
event_count(const struct irt_kv *kv)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < kv->n; i++)
		if (strncmp(kv->v[i].key, "event.", 6) == 0 &&
		    strchr(kv->v[i].key + 6, '.') != NULL &&
		    strcmp(strchr(kv->v[i].key + 6, '.'), ".time") == 0)
			n++;
	return n;
}

static int
add_event_at(struct irt_kv *kv, irt_ns when, const char *action, const char *by,
    const char *to, const char *note)
{
	char key[64], t[IRT_TIME_MAX];
	unsigned n = event_count(kv) + 1;
	int rc;

	snprintf(key, sizeof key, "event.%u.time", n);
	if ((rc = irt_kv_add(kv, key, irt_time_format(t, when, 9))) != 0)
		return rc;
	snprintf(key, sizeof key, "event.%u.action", n);
	if ((rc = irt_kv_add(kv, key, action)) != 0)
		return rc;
	snprintf(key, sizeof key, "event.%u.by", n);
	if ((rc = irt_kv_add(kv, key, by)) != 0)
		return rc;
	if (to != NULL) {
		snprintf(key, sizeof key, "event.%u.to", n);
		if ((rc = irt_kv_add(kv, key, to)) != 0)
			return rc;
	}
	if (note != NULL && *note != '\0') {
		snprintf(key, sizeof key, "event.%u.note", n);
		if ((rc = irt_kv_add(kv, key, note)) != 0)
			return rc;
	}
	return 0;
}

static int
add_event(struct irt_kv *kv, const char *action, const char *by, const char *to,
    const char *note)
{
	return add_event_at(kv, irt_now(), action, by, to, note);
}

/*
 * Writes the record in one commit: a new one at its sharded path, a
 * replaced one where it lies (at).
 */
static int
commit_record(struct irt_case *c, const struct irt_kv *kv, const char *id,
    const char *at, const char *action, const char *subject, int replace,
    const struct irt_ident *who)
{
	struct irt_buf text = IRT_BUF_INIT, path = IRT_BUF_INIT;
	struct irt_case_file f;
	struct irt_trailer tr[2];
	int rc;

	if ((rc = irt_kv_write(&text, kv)) != 0)
		goto out;
	if (at != NULL)
		rc = irt_buf_puts(&path, at);
	else
		rc = irt_case_shard_path(
		    &path, IRT_EVIDENCE_DIR, id, IRT_EVIDENCE_SUFFIX);
	if (rc != 0)
		goto out;
	/* a record that does not pass its own check is never committed */
	if ((rc = irt_evidence_check(path.ptr, text.ptr, text.len)) != 0)
		goto out;
	f.path = path.ptr;
	f.data = text.ptr;
	f.len = text.len;
	tr[0].key = "Irt-Action";
	tr[0].value = action;
	tr[1].key = "Irt-Evidence";
	tr[1].value = id;
	rc =
	    irt_case_commit(c, NULL, &f, 1, replace, subject, NULL, tr, 2, who);
out:
	irt_buf_release(&text);
	irt_buf_release(&path);
	return rc;
}

int
irt_evidence_add_collection(struct irt_case *c, char id_out[32],
    const struct irt_collect_result *r, const char *profile,
    const char *message, const struct irt_ident *who)
{
	struct irt_kv kv = IRT_KV_INIT;
	struct irt_buf subj = IRT_BUF_INIT;
	char t[IRT_TIME_MAX], *by = NULL, *abs = NULL;
	const char *base;
	int rc;
	size_t i;

	if ((rc = irt_id_new(id_out)) != 0)
		return rc;
	if ((by = irt_ident_format(who)) == NULL)
		return IRT_ENOMEM;
	if ((abs = realpath(r->archive, NULL)) == NULL) {
		free(by);
		return irt_error_sys(
		    IRT_EIO, errno, "cannot resolve '%s'", irt_esc(r->archive));
	}
	base = strrchr(abs, '/');
	base = base ? base + 1 : abs;
	rc = irt_kv_add(&kv, "id", id_out);
	if (rc == 0)
		rc = irt_kv_add(&kv, "kind", "collection");
	if (rc == 0)
		rc = irt_kv_add(&kv, "name", base);
	if (rc == 0)
		rc = irt_kv_add(&kv, "path", abs);
	if (rc == 0)
		rc = add_num(&kv, "size", r->size);
	if (rc == 0)
		rc = irt_kv_add(&kv, "sha256", r->sha256);
	if (rc == 0)
		rc =
		    irt_kv_add(&kv, "host", r->hostname[0] ? r->hostname : "?");
	if (rc == 0 && r->machine_id[0])
		rc = irt_kv_add(&kv, "machine_id", r->machine_id);
	if (rc == 0 && r->boot_id[0])
		rc = irt_kv_add(&kv, "boot_id", r->boot_id);
	if (rc == 0)
		rc = irt_kv_add(&kv, "profile", profile);
	if (rc == 0)
		rc = irt_kv_add(&kv, "start", irt_time_format(t, r->start, 9));
	if (rc == 0)
		rc = irt_kv_add(&kv, "end", irt_time_format(t, r->end, 9));
	if (rc == 0)
		rc = add_num(&kv, "entries", r->entries);
	for (i = 0; rc == 0 && i < IRT_ST_COUNT; i++) {
		char key[32];
		snprintf(key, sizeof key, "count.%s",
		    irt_collect_status_name((enum irt_collect_status)i));
		rc = add_num(&kv, key, r->counts[i]);
	}
	if (rc == 0)
		rc = irt_kv_add(&kv, "responder", by);
	if (rc == 0)
		rc = irt_kv_add(&kv, "holder", by);
	if (rc == 0 && message != NULL)
		rc = irt_kv_add(&kv, "description", message);
	if (rc == 0)
		rc = add_event(&kv, "collect", by, NULL, message);
	if (rc == 0)
		rc = irt_buf_printf(&subj, "evidence: collect %s from %s", base,
		    r->hostname[0] ? r->hostname : "?");
	if (rc == 0)
		rc = commit_record(
		    c, &kv, id_out, NULL, "evidence-collect", subj.ptr, 0, who);
	irt_kv_release(&kv);
	irt_buf_release(&subj);
	free(by);
	free(abs);
	return rc;
}

int
irt_evidence_add_file(struct irt_case *c, char id_out[32], const char *path,
    const char *message, const struct irt_ident *who)
{
	struct irt_kv kv = IRT_KV_INIT;
	struct irt_buf subj = IRT_BUF_INIT;
	struct irt_hash *h = NULL;
	struct stat st;
	char t[IRT_TIME_MAX], host[256], *by = NULL, *abs = NULL, *buf = NULL;
	const char *base;
	uint64_t total = 0;
	ssize_t n;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME)) == -1 &&
	    errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(path));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return irt_error_set(
		    IRT_EINVAL, "'%s' is not a regular file", irt_esc(path));
	}
	if ((rc = irt_hash_new(
	         &h, IRT_HASH_SHA256 | IRT_HASH_SHA1 | IRT_HASH_MD5)) != 0 ||
	    (buf = malloc(1 << 20)) == NULL) {
		rc = IRT_ENOMEM;
		goto out;
	}
	irt_time_format(t, irt_now(), 9);
	while ((n = read(fd, buf, 1 << 20)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = irt_error_sys(
			    IRT_EIO, errno, "cannot read '%s'", irt_esc(path));
			goto out;
		}
		irt_hash_update(h, buf, (size_t)n);
		total += (uint64_t)n;
	}
	if ((rc = irt_hash_final(h)) != 0)
		goto out;
	if ((rc = irt_id_new(id_out)) != 0)
		goto out;
	if ((by = irt_ident_format(who)) == NULL ||
	    (abs = realpath(path, NULL)) == NULL) {
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot resolve '%s'", irt_esc(path));
		goto out;
	}
	if (gethostname(host, sizeof host) != 0)
		strcpy(host, "?");
	host[sizeof host - 1] = '\0';
	base = strrchr(abs, '/');
	base = base ? base + 1 : abs;
	rc = irt_kv_add(&kv, "id", id_out);
	if (rc == 0)
		rc = irt_kv_add(&kv, "kind", "file");
	if (rc == 0)
		rc = irt_kv_add(&kv, "name", base);
	if (rc == 0)
		rc = irt_kv_add(&kv, "path", abs);
	if (rc == 0)
		rc = add_num(&kv, "size", total);
	if (rc == 0)
		rc =
		    irt_kv_add(&kv, "sha256", irt_hash_hex(h, IRT_HASH_SHA256));
	if (rc == 0)
		rc = irt_kv_add(&kv, "sha1", irt_hash_hex(h, IRT_HASH_SHA1));
	if (rc == 0)
		rc = irt_kv_add(&kv, "md5", irt_hash_hex(h, IRT_HASH_MD5));
	if (rc == 0)
		rc = irt_kv_add(&kv, "host", host);
	if (rc == 0)
		rc = irt_kv_add(&kv, "start", t);
	if (rc == 0)
		rc = irt_kv_add(&kv, "end", irt_time_format(t, irt_now(), 9));
	if (rc == 0)
		rc = irt_kv_add(&kv, "responder", by);
	if (rc == 0)
		rc = irt_kv_add(&kv, "holder", by);
	if (rc == 0 && message != NULL)
		rc = irt_kv_add(&kv, "description", message);
	if (rc == 0)
		rc = add_event(&kv, "add", by, NULL, message);
	if (rc == 0)
		rc = irt_buf_printf(&subj, "evidence: add %s", base);
	if (rc == 0)
		rc = commit_record(c, &kv, id_out, NULL, "evidence-add",
		    irt_esc(subj.ptr), 0, who);
out:
	close(fd);
	irt_hash_free(h);
	irt_kv_release(&kv);
	irt_buf_release(&subj);
	free(buf);
	free(by);
	free(abs);
	return rc;
}

/* ---- import of an archive collected on another host ---- */

#define HOST_JSON_MAX (1 << 20)

/* irt/host.json of the archive at path, read whole into b. */
static int
read_host_json(struct irt_buf *b, const char *path)
{
	struct archive *a;
	struct archive_entry *e;
	char chunk[8192];
	la_ssize_t k;
	int found = 0, r, rc = 0;

	if ((a = archive_read_new()) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		rc = irt_error_set(IRT_EVERIFY,
		    "'%s': cannot read the archive: %s", irt_esc(path),
		    irt_esc(archive_error_string(a)));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *pn = archive_entry_pathname(e);

		if (pn == NULL || strcmp(pn, "irt/host.json") != 0)
			continue;
		if (found++) {
			rc = irt_error_set(IRT_EVERIFY,
			    "'%s': irt/host.json is stored twice",
			    irt_esc(path));
			goto out;
		}
		while ((k = archive_read_data(a, chunk, sizeof chunk)) > 0) {
			if (b->len + (size_t)k > HOST_JSON_MAX) {
				rc = irt_error_set(IRT_EVERIFY,
				    "'%s': irt/host.json is larger than %d "
				    "bytes",
				    irt_esc(path), HOST_JSON_MAX);
				goto out;
			}
			if (irt_buf_put(b, chunk, (size_t)k) != 0) {
				rc = irt_error_set(IRT_ENOMEM, "out of memory");
				goto out;
			}
		}
		if (k < 0) {
			rc = irt_error_set(IRT_EVERIFY,
			    "'%s': cannot read irt/host.json: %s",
			    irt_esc(path), irt_esc(archive_error_string(a)));
			goto out;
		}
	}
	if (r != ARCHIVE_EOF)
		rc = irt_error_set(IRT_EVERIFY,
		    "'%s': cannot read the archive: %s", irt_esc(path),
		    irt_esc(archive_error_string(a)));
	else if (!found)
		rc = irt_error_set(
		    IRT_EVERIFY, "'%s': no irt/host.json", irt_esc(path));
out:
	archive_read_free(a);
	return rc;
}

/* A string member of o, NULL when absent, null or not a string; *bad
 * is set when it holds a NUL byte. */
static const char *
json_string(json_object *o, const char *key, int *bad)
{
	json_object *v;
	const char *s;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) != strlen(s))
		*bad = 1;
	return s;
}

/* No control character: the value goes into a record line. */
static int
plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

struct host_info {
	char host[256];
	char machine_id[128];
	char boot_id[128];
	char profile[128];
	char *responder;
	irt_ns start;
};

/* Checks irt/host.json and takes what the record needs from it. */
static int
parse_host_json(struct host_info *hi, const char *path, const struct irt_buf *b)
{
	json_tokener *tok;
	json_object *o = NULL, *clock = NULL, *coll = NULL;
	const char *v;
	int bad = 0, rc = 0;

	memset(hi, 0, sizeof *hi);
	if ((tok = json_tokener_new()) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	o = json_tokener_parse_ex(tok, b->ptr ? b->ptr : "", (int)b->len);
	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    json_tokener_get_error(tok) != json_tokener_success) {
		rc = irt_error_set(IRT_EPARSE,
		    "'%s': irt/host.json is not a JSON object", irt_esc(path));
		goto out;
	}
	json_object_object_get_ex(o, "clock", &clock);
	json_object_object_get_ex(o, "collector", &coll);
	v = json_string(o, "hostname", &bad);
	if (v == NULL || *v == '\0' || bad || irt_host_check_name(v) != 0 ||
	    strlen(v) >= sizeof hi->host) {
		rc = irt_error_set(IRT_EPARSE,
		    "'%s': irt/host.json names no valid host", irt_esc(path));
		goto out;
	}
	strcpy(hi->host, v);
	if ((v = json_string(o, "machine_id", &bad)) != NULL &&
	    strlen(v) < sizeof hi->machine_id && plain(v))
		strcpy(hi->machine_id, v);
	if ((v = json_string(o, "boot_id", &bad)) != NULL &&
	    strlen(v) < sizeof hi->boot_id && plain(v))
		strcpy(hi->boot_id, v);
	if ((v = json_string(coll, "profile", &bad)) != NULL &&
	    strlen(v) < sizeof hi->profile && plain(v))
		strcpy(hi->profile, v);
	if ((v = json_string(o, "responder", &bad)) != NULL && *v && plain(v) &&
	    (hi->responder = strdup(v)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	if ((v = json_string(clock, "utc", &bad)) == NULL ||
	    irt_time_parse(&hi->start, v) != 0) {
		rc = irt_error_set(IRT_EPARSE,
		    "'%s': irt/host.json has no valid clock.utc",
		    irt_esc(path));
		goto out;
	}
	if (bad)
		rc = irt_error_set(IRT_EPARSE,
		    "'%s': irt/host.json holds a NUL byte", irt_esc(path));
out:
	if (rc != 0) {
		free(hi->responder);
		hi->responder = NULL;
	}
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

/* The id of an item with that SHA-256 into id, or 0 when none. */
static int
find_sha256(struct irt_case *c, char id[32], const char *sha256)
{
	struct irt_kv *v;
	size_t n, i;
	const char *h, *k;
	int rc, found = 0;

	if ((rc = irt_evidence_list(c, &v, &n)) != 0)
		return rc;
	for (i = 0; i < n && !found; i++)
		if ((h = irt_kv_get(&v[i], "sha256")) != NULL &&
		    strcmp(h, sha256) == 0 &&
		    (k = irt_kv_get(&v[i], "id")) != NULL) {
			snprintf(id, 32, "%s", k);
			found = 1;
		}
	irt_evidence_list_free(v, n);
	return found;
}

int
irt_evidence_import(struct irt_case *c, struct irt_evidence_import_result *out,
    const char *archive, const struct irt_evidence_import_opts *o,
    const struct irt_ident *who)
{
	struct irt_verify_report vr;
	struct irt_buf hj = IRT_BUF_INIT, subj = IRT_BUF_INIT,
	               note = IRT_BUF_INIT;
	struct irt_kv kv = IRT_KV_INIT;
	struct host_info hi;
	struct stat st;
	char t[IRT_TIME_MAX], dup[32], *by = NULL, *abs = NULL;
	const char *base, *collector;
	irt_ns end;
	int rc;

	memset(out, 0, sizeof *out);
	memset(&vr, 0, sizeof vr);
	memset(&hi, 0, sizeof hi);
	if (lstat(archive, &st) != 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(archive));
	if (!S_ISREG(st.st_mode))
		return irt_error_set(
		    IRT_EINVAL, "'%s' is not a regular file", irt_esc(archive));
	if ((abs = realpath(archive, NULL)) == NULL)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot resolve '%s'", irt_esc(archive));
	/* the whole archive, hashed again, before anything is taken from it */
	if ((rc = irt_archive_verify(&vr, abs)) != 0)
		goto out;
	if (vr.nproblems > 0) {
		rc = irt_error_set(IRT_EVERIFY,
		    "'%s' does not verify: %s%s%s: %s", irt_esc(archive),
		    irt_esc(vr.problems[0].kind),
		    vr.problems[0].path ? " " : "",
		    vr.problems[0].path ? irt_esc(vr.problems[0].path) : "",
		    irt_esc(vr.problems[0].detail));
		goto out;
	}
	if (vr.sidecar != 1) {
		rc = irt_error_set(IRT_EVERIFY,
		    "'%s' has no .sha256 sidecar: its transfer cannot be "
		    "checked",
		    irt_esc(archive));
		goto out;
	}
	if ((rc = read_host_json(&hj, abs)) != 0 ||
	    (rc = parse_host_json(&hi, archive, &hj)) != 0)
		goto out;
	if (o != NULL && o->expect_host != NULL &&
	    strcmp(o->expect_host, hi.host) != 0) {
		rc = irt_error_set(IRT_EVERIFY,
		    "'%s': irt/host.json names host '%s', not '%s'",
		    irt_esc(archive), irt_esc(hi.host),
		    irt_esc(o->expect_host));
		goto out;
	}
	if ((rc = find_sha256(c, dup, vr.sha256)) < 0)
		goto out;
	if (rc == 1) {
		rc = irt_error_set(IRT_EEXISTS, "'%s' is already evidence %s",
		    irt_esc(archive), dup);
		goto out;
	}
	if ((rc = irt_id_new(out->id)) != 0)
		goto out;
	if ((by = irt_ident_format(who)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	collector = o != NULL && o->collector != NULL ? o->collector
	    : hi.responder != NULL                    ? hi.responder
	                                              : by;
	if (!plain(collector) ||
	    (o != NULL && o->via != NULL && !plain(o->via))) {
		rc = irt_error_set(IRT_EINVAL, "invalid collector or route");
		goto out;
	}
	/* the archive was last written when the collection ended */
	if (irt_time_make(&end, st.st_mtim.tv_sec, st.st_mtim.tv_nsec) != 0 ||
	    end < hi.start)
		end = hi.start;
	base = strrchr(abs, '/');
	base = base ? base + 1 : abs;
	rc = irt_kv_add(&kv, "id", out->id);
	if (rc == 0)
		rc = irt_kv_add(&kv, "kind", "collection");
	if (rc == 0)
		rc = irt_kv_add(&kv, "name", base);
	if (rc == 0)
		rc = irt_kv_add(&kv, "path", abs);
	if (rc == 0)
		rc = add_num(&kv, "size", (unsigned long long)st.st_size);
	if (rc == 0)
		rc = irt_kv_add(&kv, "sha256", vr.sha256);
	if (rc == 0)
		rc = irt_kv_add(&kv, "host", hi.host);
	if (rc == 0 && hi.machine_id[0])
		rc = irt_kv_add(&kv, "machine_id", hi.machine_id);
	if (rc == 0 && hi.boot_id[0])
		rc = irt_kv_add(&kv, "boot_id", hi.boot_id);
	if (rc == 0 && hi.profile[0])
		rc = irt_kv_add(&kv, "profile", hi.profile);
	if (rc == 0)
		rc = irt_kv_add(&kv, "start", irt_time_format(t, hi.start, 9));
	if (rc == 0)
		rc = irt_kv_add(&kv, "end", irt_time_format(t, end, 9));
	if (rc == 0)
		rc = add_num(&kv, "entries", vr.checked);
	if (rc == 0)
		rc = irt_kv_add(&kv, "verified", "yes");
	if (rc == 0 && o != NULL && o->via != NULL)
		rc = irt_kv_add(&kv, "via", o->via);
	if (rc == 0)
		rc = irt_kv_add(&kv, "responder", collector);
	if (rc == 0)
		rc = irt_kv_add(&kv, "holder", by);
	if (rc == 0 && o != NULL && o->message != NULL)
		rc = irt_kv_add(&kv, "description", o->message);
	if (rc == 0)
		rc = irt_buf_printf(&note, "collected on %s", hi.host);
	if (rc == 0)
		rc = add_event_at(&kv, hi.start, "collect", collector, NULL,
		    irt_buf_cstr(&note));
	irt_buf_clear(&note);
	if (rc == 0)
		rc = irt_buf_printf(&note, "received from %s%s%s, verified",
		    hi.host, o != NULL && o->via != NULL ? " over " : "",
		    o != NULL && o->via != NULL ? o->via : "");
	if (rc == 0)
		rc = add_event(&kv, "import", by, NULL, irt_buf_cstr(&note));
	if (rc == 0)
		rc = irt_buf_printf(
		    &subj, "evidence: import %s from %s", base, hi.host);
	if (rc == 0)
		rc = commit_record(c, &kv, out->id, NULL, "evidence-import",
		    irt_esc(subj.ptr), 0, who);
	if (rc == 0) {
		snprintf(out->host, sizeof out->host, "%s", hi.host);
		memcpy(out->sha256, vr.sha256, sizeof out->sha256);
		out->size = (uint64_t)st.st_size;
		out->entries = vr.checked;
	}
out:
	if (rc != 0)
		out->id[0] = '\0';
	irt_verify_report_release(&vr);
	irt_kv_release(&kv);
	irt_buf_release(&hj);
	irt_buf_release(&subj);
	irt_buf_release(&note);
	free(hi.responder);
	free(by);
	free(abs);
	return rc;
}

/* The record whose id starts with prefix; *path (may be NULL) where it
 * lies. */
static int
find_record(
    struct irt_case *c, struct irt_kv *out, char **path, const char *prefix)
{
	struct irt_buf b = IRT_BUF_INIT;
	char *id = NULL, *p = NULL;
	const char *v;
	int rc;

	memset(out, 0, sizeof *out);
	if (path != NULL)
		*path = NULL;
	if ((rc = irt_case_record_find(c, &id, &p, IRT_EVIDENCE_DIR,
	         IRT_EVIDENCE_SUFFIX, prefix)) != 0) {
		if (rc == IRT_ENOTFOUND)
			irt_error_set(
			    rc, "no evidence with id '%s'", irt_esc(prefix));
		return rc;
	}
	/* a record that does not pass its checks is not shown as sound */
	if ((rc = irt_case_read(c, &b, p)) == 0 &&
	    (rc = irt_evidence_check(p, irt_buf_cstr(&b), b.len)) == 0 &&
	    (rc = irt_kv_parse(out, irt_buf_cstr(&b), b.len, p)) == 0 &&
	    ((v = irt_kv_get(out, "id")) == NULL || strcmp(v, id) != 0))
		rc = irt_error_set(IRT_EPARSE,
		    "%s: id does not match the file name", irt_esc(p));
	if (rc != 0)
		irt_kv_release(out);
	else if (path != NULL) {
		*path = p;
		p = NULL;
	}
	irt_buf_release(&b);
	free(id);
	free(p);
	return rc;
}

int
irt_evidence_get(struct irt_case *c, struct irt_kv *out, const char *prefix)
{
	return find_record(c, out, NULL, prefix);
}

int
irt_evidence_transfer(struct irt_case *c, const char *prefix, const char *to,
    const char *message, const struct irt_ident *who)
{
	struct irt_kv kv;
	struct irt_buf subj = IRT_BUF_INIT;
	const char *holder;
	char *by = NULL, *from = NULL, *id = NULL, *at = NULL;
	int rc;

	if (to == NULL || *to == '\0' || strchr(to, '\n') != NULL)
		return irt_error_set(IRT_EINVAL, "invalid recipient");
	if ((rc = find_record(c, &kv, &at, prefix)) != 0)
		return rc;
	holder = irt_kv_get(&kv, "holder");
	if (holder != NULL && strcmp(holder, to) == 0) {
		rc = irt_error_set(IRT_EINVAL, "'%s' already holds evidence %s",
		    irt_esc(to), irt_esc(irt_kv_get(&kv, "id")));
		goto out;
	}
	if ((by = irt_ident_format(who)) == NULL ||
	    (from = strdup(holder ? holder : "?")) == NULL ||
	    (id = strdup(irt_kv_get(&kv, "id"))) == NULL) {
		rc = IRT_ENOMEM;
		goto out;
	}
	if ((rc = irt_kv_set(&kv, "holder", to)) != 0 ||
	    (rc = add_event(&kv, "transfer", by, to, message)) != 0)
		goto out;
	{
		/* the event names who handed it over */
		char key[64];
		snprintf(key, sizeof key, "event.%u.from", event_count(&kv));
		if ((rc = irt_kv_add(&kv, key, from)) != 0)
			goto out;
	}
	irt_buf_printf(&subj, "evidence: transfer %s to %s", id, irt_esc(to));
	rc = commit_record(
	    c, &kv, id, at, "evidence-transfer", subj.ptr, 1, who);
out:
	irt_kv_release(&kv);
	irt_buf_release(&subj);
	free(by);
	free(from);
	free(id);
	free(at);
	return rc;
}

struct list_state {
	struct irt_case *c;
	struct irt_kv *v;
	size_t n, cap;
};

static int
list_one(const struct irt_case_record *r, void *arg)
{
	struct list_state *st = arg;
	struct irt_kv kv = IRT_KV_INIT;
	int rc;

	/* one bad record does not hide the others: skipped, and said */
	if ((rc = irt_evidence_check(r->path, r->data, r->len)) == 0)
		rc = irt_kv_parse(&kv, r->data, r->len, r->path);
	if (rc == IRT_EPARSE) {
		irt_kv_release(&kv);
		irt_case__warn(
		    st->c, "skipped evidence record: %s", irt_error_last());
		return 0;
	}
	if (rc != 0) {
		irt_kv_release(&kv);
		return rc;
	}
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		struct irt_kv *v = realloc(st->v, cap * sizeof *v);

		if (v == NULL) {
			irt_kv_release(&kv);
			return irt_error_set(IRT_ENOMEM, "out of memory");
		}
		st->v = v;
		st->cap = cap;
	}
	st->v[st->n++] = kv;
	return 0;
}

int
irt_evidence_list(struct irt_case *c, struct irt_kv **out, size_t *count)
{
	struct list_state st = { c, NULL, 0, 0 };
	int rc;

	*out = NULL;
	*count = 0;
	/* in id order, which starts with the time it was recorded */
	if ((rc = irt_case_foreach_record(c, IRT_EVIDENCE_DIR,
	         IRT_EVIDENCE_SUFFIX, list_one, &st)) != 0) {
		irt_evidence_list_free(st.v, st.n);
		return rc;
	}
	*out = st.v;
	*count = st.n;
	return 0;
}

void
irt_evidence_list_free(struct irt_kv *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		irt_kv_release(&v[i]);
	free(v);
}

static const char *
event_field(const struct irt_kv *kv, unsigned n, const char *field)
{
	char key[64];

	snprintf(key, sizeof key, "event.%u.%s", n, field);
	return irt_kv_get(kv, key);
}

size_t
irt_evidence_events(
    const struct irt_kv *rec, struct irt_evidence_event *ev, size_t max)
{
	unsigned n, total = event_count(rec);
	size_t k = 0;

	for (n = 1; n <= total && k < max; n++) {
		ev[k].time = event_field(rec, n, "time");
		if (ev[k].time == NULL)
			continue;
		ev[k].action = event_field(rec, n, "action");
		ev[k].by = event_field(rec, n, "by");
		ev[k].to = event_field(rec, n, "to");
		ev[k].note = event_field(rec, n, "note");
		k++;
	}
	return k;
}

static int
is_hex(const char *s, size_t n)
{
	size_t i;

	if (s == NULL || strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
is_num(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int
irt_evidence_check(const char *path, const char *data, size_t len)
{
	static const char *const required[] = { "id", "kind", "name", "size",
		"sha256", "host", "start", "end", "responder", "holder", NULL };
	struct irt_kv kv = IRT_KV_INIT;
	const char *v, *base;
	irt_ns t;
	unsigned n, events;
	size_t i, bl;
	int rc;

	/* the events are looked up by key: a bound on the work */
	if (len > MAX_RECORD) {
		rc = irt_error_set(IRT_EPARSE, "%s: larger than %d bytes",
		    irt_esc(path), MAX_RECORD);
		goto out;
	}
	if ((rc = irt_kv_parse(&kv, data, len, path)) != 0)
		goto out;
	for (i = 0; required[i] != NULL; i++)
		if (irt_kv_get(&kv, required[i]) == NULL) {
			rc = irt_error_set(IRT_EPARSE, "%s: no '%s'",
			    irt_esc(path), required[i]);
			goto out;
		}
	v = irt_kv_get(&kv, "kind");
	if (strcmp(v, "collection") != 0 && strcmp(v, "file") != 0) {
		rc = irt_error_set(IRT_EPARSE, "%s: unknown kind '%s'",
		    irt_esc(path), irt_esc(v));
		goto out;
	}
	/* the file name is the id */
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	bl = strlen(base);
	bl = bl > strlen(IRT_EVIDENCE_SUFFIX) ? bl - strlen(IRT_EVIDENCE_SUFFIX)
	                                      : 0;
	v = irt_kv_get(&kv, "id");
	if (bl == 0 || strlen(v) != bl || strncmp(base, v, bl) != 0) {
		rc = irt_error_set(IRT_EPARSE,
		    "%s: id '%s' does not match the file name", irt_esc(path),
		    irt_esc(v));
		goto out;
	}
	if (!is_hex(irt_kv_get(&kv, "sha256"), 64) ||
	    ((v = irt_kv_get(&kv, "sha1")) != NULL && !is_hex(v, 40)) ||
	    ((v = irt_kv_get(&kv, "md5")) != NULL && !is_hex(v, 32))) {
		rc = irt_error_set(
		    IRT_EPARSE, "%s: invalid hash", irt_esc(path));
		goto out;
	}
	if (!is_num(irt_kv_get(&kv, "size"))) {
		rc = irt_error_set(
		    IRT_EPARSE, "%s: invalid size", irt_esc(path));
		goto out;
	}
	if (irt_time_parse(&t, irt_kv_get(&kv, "start")) != 0 ||
	    irt_time_parse(&t, irt_kv_get(&kv, "end")) != 0) {
		rc = irt_error_set(
		    IRT_EPARSE, "%s: invalid start or end", irt_esc(path));
		goto out;
	}
	events = event_count(&kv);
	if (events == 0 || events > MAX_EVENTS) {
		rc = irt_error_set(
		    IRT_EPARSE, "%s: no custody event", irt_esc(path));
		goto out;
	}
	for (n = 1; n <= events; n++) {
		const char *tm = event_field(&kv, n, "time");
		const char *ac = event_field(&kv, n, "action");
		if (tm == NULL || irt_time_parse(&t, tm) != 0 || ac == NULL ||
		    event_field(&kv, n, "by") == NULL ||
		    (strcmp(ac, "collect") != 0 && strcmp(ac, "add") != 0 &&
		        strcmp(ac, "transfer") != 0 &&
		        strcmp(ac, "import") != 0) ||
		    (strcmp(ac, "transfer") == 0 &&
		        event_field(&kv, n, "to") == NULL)) {
			rc = irt_error_set(IRT_EPARSE,
			    "%s: custody event %u is incomplete", irt_esc(path),
			    n);
			goto out;
		}
	}
	/* the holder is the recipient of the last transfer, who imported
	 * the item, or who collected or added it */
	{
		const char *want = event_field(&kv, 1, "by");
		for (n = events; n >= 1; n--) {
			const char *ac = event_field(&kv, n, "action");
			if (strcmp(ac, "transfer") == 0) {
				want = event_field(&kv, n, "to");
				break;
			}
			if (strcmp(ac, "import") == 0) {
				want = event_field(&kv, n, "by");
				break;
			}
		}
		if (strcmp(want, irt_kv_get(&kv, "holder")) != 0)
			rc = irt_error_set(IRT_EPARSE,
			    "%s: holder '%s' is not the last recipient '%s'",
			    irt_esc(path), irt_esc(irt_kv_get(&kv, "holder")),
			    irt_esc(want));
	}
out:
	irt_kv_release(&kv);
	return rc;
}
