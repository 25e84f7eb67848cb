/*
 * Records of fleet actions (irt-fleet(1)).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/internal.h"
#include "irt/escape.h"
#include "irt/fleet.h"
#include "irt/kv.h"
#include "irt/parse.h"
#include "case/records.h"

static int
add_u64(struct irt_kv *kv, const char *key, uint64_t v)
{
	char num[32];

	snprintf(num, sizeof num, "%llu", (unsigned long long)v);
	return irt_kv_add(kv, key, num);
}

static int
add_host(struct irt_kv *kv, size_t i, const struct irt_fleet_host *h)
{
	char key[64];
	int rc;

#define KEY(f) (snprintf(key, sizeof key, "host.%zu." f, i + 1), key)
	if ((rc = irt_kv_add(kv, KEY("name"), h->name)) != 0 ||
	    (rc = irt_kv_add(kv, KEY("outcome"), h->outcome)) != 0)
		return rc;
	if (h->reason != NULL && *h->reason != '\0' &&
	    (rc = irt_kv_add(kv, KEY("reason"), h->reason)) != 0)
		return rc;
	if (h->evidence != NULL &&
	    (rc = irt_kv_add(kv, KEY("evidence"), h->evidence)) != 0)
		return rc;
	if ((rc = add_u64(kv, KEY("count"), h->count)) != 0 ||
	    (rc = add_u64(kv, KEY("size"), h->size)) != 0)
		return rc;
	if (h->sha256 != NULL &&
	    (rc = irt_kv_add(kv, KEY("sha256"), h->sha256)) != 0)
		return rc;
	return irt_kv_add(kv, KEY("verified"), h->verified ? "yes" : "no");
#undef KEY
}

int
irt_fleet_record(struct irt_case *c, char id_out[32],
    const struct irt_fleet_action *a, const struct irt_ident *who)
{
	struct irt_kv kv = IRT_KV_INIT;
	struct irt_buf text = IRT_BUF_INIT, path = IRT_BUF_INIT,
	               subj = IRT_BUF_INIT, act = IRT_BUF_INIT;
	struct irt_case_file f;
	struct irt_trailer tr[3];
	char t[IRT_TIME_MAX];
	size_t i, ok = 0;
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
	f.path = path.ptr;
	f.data = text.ptr;
	f.len = text.len;
	tr[0].key = "Irt-Action";
	tr[0].value = act.ptr;
	tr[1].key = "Irt-Fleet";
	tr[1].value = id_out;
	tr[2].key = "Irt-Run";
	tr[2].value = a->run;
	rc = irt_case_commit(
	    c, NULL, &f, 1, 0, subj.ptr, NULL, tr, a->run != NULL ? 3 : 2, who);
out:
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
