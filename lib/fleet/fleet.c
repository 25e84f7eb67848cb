/*
 * Records of fleet actions (irt-fleet(1)).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "util/internal.h"
#include "irt/escape.h"
#include "irt/fleet.h"
#include "irt/hash.h"
#include "irt/kv.h"
#include "irt/parse.h"
#include "case/records.h"
#include "fleet-int.h"

static int
add_u64(struct irt_kv *kv, const char *key, uint64_t v)
{
	char num[32];

	snprintf(num, sizeof num, "%llu", (unsigned long long)v);
	return irt_kv_add(kv, key, num);
}

int
fleet_host_kv(struct irt_kv *kv, size_t i, const char *field, const char *value)
{
	char key[64];

	if (value == NULL || *value == '\0')
		return 0;
	snprintf(key, sizeof key, "host.%zu.%s", i + 1, field);
	return irt_kv_add(kv, key, value);
}

static int
add_host(struct irt_kv *kv, size_t i, const struct irt_fleet_host *h)
{
	char count[32], size[32];
	int rc;

	snprintf(count, sizeof count, "%llu", (unsigned long long)h->count);
	snprintf(size, sizeof size, "%llu", (unsigned long long)h->size);
	if ((rc = fleet_host_kv(kv, i, "name", h->name)) != 0 ||
	    (rc = fleet_host_kv(kv, i, "outcome", h->outcome)) != 0 ||
	    (rc = fleet_host_kv(kv, i, "reason", h->reason)) != 0 ||
	    (rc = fleet_host_kv(kv, i, "evidence", h->evidence)) != 0 ||
	    (rc = fleet_host_kv(kv, i, "count", count)) != 0 ||
	    (rc = fleet_host_kv(kv, i, "size", size)) != 0 ||
	    (rc = fleet_host_kv(kv, i, "sha256", h->sha256)) != 0 ||
	    (rc = fleet_host_kv(kv, i, "hunt", h->hunt)) != 0)
		return rc;
	return fleet_host_kv(kv, i, "verified", h->verified ? "yes" : "no");
}

int
irt_fleet_record(struct irt_case *c, char id_out[32],
    const struct irt_fleet_action *a, const struct irt_ident *who)
{
	struct irt_kv kv = IRT_KV_INIT;
	struct irt_buf text = IRT_BUF_INIT, path = IRT_BUF_INIT,
	               subj = IRT_BUF_INIT, act = IRT_BUF_INIT;
	struct irt_case_file *f = NULL;
	struct irt_buf *hunts = NULL;
	struct irt_trailer tr[3];
	char t[IRT_TIME_MAX];
	size_t i, ok = 0, nf = 0;
	int rc;

	if (a->id != NULL)
		snprintf(id_out, 32, "%s", a->id);
	else if ((rc = irt_id_new(id_out)) != 0)
		return rc;
	rc = irt_kv_add(&kv, "id", id_out);
	if (rc == 0)
		rc = irt_kv_add(&kv, "action", a->action);
	if (rc == 0)
		rc = irt_kv_add(&kv, "time", irt_time_format(t, irt_now(), 9));
	if (rc == 0)
		rc = irt_kv_add(&kv, "inventory", a->inventory);
	if (rc == 0)
		rc = irt_kv_add(&kv, "inventory_sha256", a->inventory_sha256);
	if (rc == 0 && a->limit != NULL)
		rc = irt_kv_add(&kv, "limit", a->limit);
	if (rc == 0 && a->run != NULL)
		rc = irt_kv_add(&kv, "run", a->run);
	if (rc == 0)
		rc =
		    add_u64(&kv, "ansible_status", (uint64_t)a->ansible_status);
	if (rc == 0)
		rc = add_u64(&kv, "hosts", a->nhosts);
	for (i = 0; rc == 0 && i < a->nhosts; i++) {
		rc = add_host(&kv, i, &a->hosts[i]);
		ok += strcmp(a->hosts[i].outcome, "ok") == 0;
	}
	if (rc == 0)
		rc = irt_kv_write(&text, &kv);
	if (rc == 0)
		rc = irt_case_shard_path(
		    &path, IRT_FLEET_DIR, id_out, IRT_FLEET_SUFFIX);
	if (rc == 0)
		rc = irt_buf_printf(&subj,
		    "fleet: %s on %zu host%s, %zu ok, %zu failed", a->action,
		    a->nhosts, a->nhosts == 1 ? "" : "s", ok, a->nhosts - ok);
	if (rc == 0)
		rc = irt_buf_printf(&act, "fleet-%s", a->action);
	if (rc != 0)
		goto out;
	/* the record, and for a hunt the record and hits of each host */
	f = calloc(1 + 2 * a->nhunts, sizeof *f);
	hunts = calloc(3 * a->nhunts + 1, sizeof *hunts);
	if (f == NULL || hunts == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	f[nf].path = path.ptr;
	f[nf].data = text.ptr;
	f[nf++].len = text.len;
	for (i = 0; rc == 0 && i < a->nhunts; i++) {
		const struct irt_fleet_hunt *hu = &a->hunts[i];
		struct irt_buf *dir = &hunts[3 * i], *rec = &hunts[3 * i + 1],
		               *hits = &hunts[3 * i + 2];
		struct irt_kv hk = IRT_KV_INIT;
		size_t k;

		rc = irt_kv_add(&hk, "id", hu->id);
		if (rc == 0)
			rc = irt_kv_add(&hk, "host", hu->host);
		if (rc == 0)
			rc = irt_kv_add(&hk, "fleet", id_out);
		for (k = 0; rc == 0 && hu->record && k < hu->record->n; k++)
			rc = irt_kv_addn(&hk, hu->record->v[k].key,
			    hu->record->v[k].value, hu->record->v[k].value_len);
		if (rc == 0)
			rc = add_u64(&hk, "hits", hu->nhits);
		if (rc == 0)
			rc = irt_kv_write(rec, &hk);
		irt_kv_release(&hk);
		if (rc == 0)
			rc = irt_case_shard_path(dir, "hunts", hu->id, "");
		if (rc == 0)
			rc = irt_buf_printf(hits, "%s/hits.jsonl", dir->ptr);
		if (rc == 0)
			rc = irt_buf_puts(dir, "/record");
		if (rc != 0)
			break;
		f[nf].path = dir->ptr;
		f[nf].data = rec->ptr;
		f[nf++].len = rec->len;
		f[nf].path = hits->ptr;
		f[nf].data = hu->hits ? hu->hits : "";
		f[nf++].len = hu->hits ? hu->hits_len : 0;
	}
	if (rc != 0)
		goto out;
	tr[0].key = "Irt-Action";
	tr[0].value = act.ptr;
	tr[1].key = "Irt-Fleet";
	tr[1].value = id_out;
	tr[2].key = "Irt-Run";
	tr[2].value = a->run;
	rc = irt_case_commit(
	    c, NULL, f, nf, 0, subj.ptr, NULL, tr, a->run != NULL ? 3 : 2, who);
out:
	for (i = 0; hunts != NULL && i < 3 * a->nhunts; i++)
		irt_buf_release(&hunts[i]);
	free(hunts);
	free(f);
	irt_kv_release(&kv);
	irt_buf_release(&text);
	irt_buf_release(&path);
	irt_buf_release(&subj);
	irt_buf_release(&act);
	return rc;
}

static int
hex64(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return 0;
	return 1;
}

int
irt_fleet_check(const char *path, const char *data, size_t len)
{
	static const char *const required[] = { "id", "action", "time",
		"inventory", "inventory_sha256", "hosts", NULL };
	static const char *const outcomes[] = { "ok", "failed", "unreachable",
		"rejected", "applied", "confirmed", "lifted", "rolled-back",
		"not-isolated", NULL };
	struct irt_kv kv = IRT_KV_INIT;
	const char *v, *base;
	char key[64];
	long long n, i;
	irt_ns t;
	size_t j, bl;
	int rc;

	if ((rc = irt_kv_parse(&kv, data, len, path)) != 0)
		goto out;
	for (j = 0; required[j] != NULL; j++)
		if (irt_kv_get(&kv, required[j]) == NULL) {
			rc = irt_error_set(IRT_EPARSE, "%s: no '%s'",
			    irt_esc(path), required[j]);
			goto out;
		}
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	bl = strlen(base);
	bl = bl > strlen(IRT_FLEET_SUFFIX) ? bl - strlen(IRT_FLEET_SUFFIX) : 0;
	v = irt_kv_get(&kv, "id");
	if (bl == 0 || strlen(v) != bl || strncmp(base, v, bl) != 0) {
		rc = irt_error_set(IRT_EPARSE,
		    "%s: id '%s' does not match the file name", irt_esc(path),
		    irt_esc(v));
		goto out;
	}
	if (irt_time_parse(&t, irt_kv_get(&kv, "time")) != 0 ||
	    !hex64(irt_kv_get(&kv, "inventory_sha256")) ||
	    irt_parse_int(&n, irt_kv_get(&kv, "hosts"), 0, 100000) != 0) {
		rc = irt_error_set(IRT_EPARSE,
		    "%s: invalid time, inventory_sha256 or hosts",
		    irt_esc(path));
		goto out;
	}
	for (i = 1; i <= n; i++) {
		snprintf(key, sizeof key, "host.%lld.name", i);
		if (irt_kv_get(&kv, key) == NULL) {
			rc = irt_error_set(
			    IRT_EPARSE, "%s: no '%s'", irt_esc(path), key);
			goto out;
		}
		snprintf(key, sizeof key, "host.%lld.outcome", i);
		v = irt_kv_get(&kv, key);
		for (j = 0; v != NULL && outcomes[j] != NULL; j++)
			if (strcmp(v, outcomes[j]) == 0)
				break;
		if (v == NULL || outcomes[j] == NULL) {
			rc = irt_error_set(IRT_EPARSE,
			    "%s: host %lld has no valid outcome", irt_esc(path),
			    i);
			goto out;
		}
	}
out:
	irt_kv_release(&kv);
	return rc;
}

/* ---- what the hosts send back ---- */

static const char *
json_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void
irt_fleet_outcome_release(struct irt_fleet_outcome *o)
{
	free(o->outcome);
	free(o->reason);
	free(o->expect);
	memset(o, 0, sizeof *o);
}

int
irt_fleet_outcome_parse(struct irt_fleet_outcome *out, const char *path,
    const char *data, size_t len)
{
	static const char *const outcomes[] = { "ok", "failed", "unreachable",
		NULL };
	json_tokener *tok;
	json_object *o = NULL;
	const char *v, *task, *reason;
	size_t i;
	int rc = IRT_EPARSE;

	memset(out, 0, sizeof *out);
	if (len > (1u << 20) || memchr(data, '\0', len) != NULL)
		goto bad;
	if ((tok = json_tokener_new()) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	o = json_tokener_parse_ex(tok, data, (int)len);
	if (o != NULL && json_tokener_get_error(tok) == json_tokener_success) {
		/* nothing but blanks after the object */
		for (i = tok->char_offset; i < len; i++)
			if (!isspace((unsigned char)data[i]))
				break;
		if (i < len) {
			json_object_put(o);
			o = NULL;
		}
	}
	json_tokener_free(tok);
	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    (v = json_str(o, "outcome")) == NULL)
		goto bad;
	for (i = 0; outcomes[i] != NULL; i++)
		if (strcmp(v, outcomes[i]) == 0)
			break;
	if (outcomes[i] == NULL)
		goto bad;
	rc = IRT_ENOMEM;
	if ((out->outcome = strdup(v)) == NULL)
		goto fail;
	reason = json_str(o, "reason");
	task = json_str(o, "task");
	if (reason != NULL && *reason != '\0' &&
	    asprintf(&out->reason, "%s%s%s", task ? task : "",
	        task && *task ? ": " : "", reason) < 0) {
		out->reason = NULL;
		goto fail;
	}
	if ((v = json_str(o, "expect")) != NULL && *v != '\0' &&
	    (out->expect = strdup(v)) == NULL)
		goto fail;
	json_object_put(o);
	return 0;
bad:
	json_object_put(o);
	return irt_error_set(IRT_EPARSE,
	    "'%s' is not an outcome the playbook wrote", irt_esc(path));
fail:
	json_object_put(o);
	irt_fleet_outcome_release(out);
	return irt_error_set(rc, "out of memory");
}

/* One line of a hits file: 0, or why not, in why. */
static const char *
hit_line(json_tokener *tok, const char *p, size_t n, const char *host)
{
	static const char *const kinds[] = { "ioc", "sigma", "yara", NULL };
	json_object *o, *v;
	const char *why = NULL, *k;
	size_t i;

	if (n == 0)
		return "an empty line";
	if (memchr(p, '\0', n) != NULL)
		return "a NUL byte";
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, p, (int)n);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    (size_t)tok->char_offset != n)
		why = "not one JSON object";
	else if (!json_object_is_type(o, json_type_object))
		why = "not a JSON object";
	else if ((k = json_str(o, "kind")) == NULL)
		why = "no kind";
	else {
		for (i = 0; kinds[i] != NULL; i++)
			if (strcmp(k, kinds[i]) == 0)
				break;
		if (kinds[i] == NULL)
			why = "a kind that is not ioc, sigma or yara";
		else if (!json_object_object_get_ex(o, "host", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    (size_t)json_object_get_string_len(v) != strlen(host) ||
		    memcmp(json_object_get_string(v), host, strlen(host)) != 0)
			why = "a hit of another host";
	}
	json_object_put(o);
	return why;
}

int
irt_fleet_hits_check(uint64_t *hits, const char *path, const char *data,
    size_t len, const char *host)
{
	json_tokener *tok;
	const char *p = data, *end = data + len, *nl, *why = NULL;
	uint64_t line = 0;
	size_t n;

	*hits = 0;
	if ((tok = json_tokener_new()) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	while (p < end) {
		line++;
		n = (size_t)(end - p);
		nl = memchr(
		    p, '\n', n > IRT_FLEET_HIT_MAX ? IRT_FLEET_HIT_MAX + 1 : n);
		if (nl == NULL) {
			why = n > IRT_FLEET_HIT_MAX
			    ? "longer than 1048576 bytes"
			    : "no newline at its end (truncated)";
			break;
		}
		if ((size_t)(nl - p) > IRT_FLEET_HIT_MAX) {
			why = "longer than 1048576 bytes";
			break;
		}
		if ((why = hit_line(tok, p, (size_t)(nl - p), host)) != NULL)
			break;
		p = nl + 1;
	}
	json_tokener_free(tok);
	if (why != NULL) {
		if (strcmp(why, "a hit of another host") == 0)
			return irt_error_set(IRT_EPARSE,
			    "'%s': line %llu: a hit of another host than '%s'",
			    irt_esc(path), (unsigned long long)line,
			    irt_esc(host));
		return irt_error_set(IRT_EPARSE, "'%s': line %llu: %s",
		    irt_esc(path), (unsigned long long)line, why);
	}
	*hits = line;
	return 0;
}

int
irt_fleet_hits_read(struct irt_buf *out, uint64_t *hits, char sha256[65],
    const char *path, const char *host)
{
	struct stat st;
	ssize_t n;
	int fd, rc;

	*hits = 0;
	fd = open(
	    path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(path));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return irt_error_set(
		    IRT_EPARSE, "'%s' is not a regular file", irt_esc(path));
	}
	if ((uint64_t)st.st_size > IRT_FLEET_HITS_MAX) {
		close(fd);
		return irt_error_set(IRT_EPARSE, "'%s' is larger than %u bytes",
		    irt_esc(path), IRT_FLEET_HITS_MAX);
	}
	irt_buf_clear(out);
	if ((rc = irt_buf_grow(out, (size_t)st.st_size + 1)) != 0) {
		close(fd);
		return rc;
	}
	for (;;) {
		char chunk[65536];
		if ((n = read(fd, chunk, sizeof chunk)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len + (size_t)n > IRT_FLEET_HITS_MAX) {
			close(fd);
			return irt_error_set(IRT_EPARSE,
			    "'%s' is larger than %u bytes", irt_esc(path),
			    IRT_FLEET_HITS_MAX);
		}
		if ((rc = irt_buf_put(out, chunk, (size_t)n)) != 0) {
			close(fd);
			return rc;
		}
	}
	close(fd);
	if (n < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot read '%s'", irt_esc(path));
	if ((rc = irt_sha256_hex(sha256, out->ptr ? out->ptr : "", out->len)) !=
	    0)
		return rc;
	return irt_fleet_hits_check(
	    hits, path, out->ptr ? out->ptr : "", out->len, host);
}
