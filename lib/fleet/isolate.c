/*
 * irt fleet isolate: the isolation state of each host in the case and
 * the records of the actions (irt-fleet(1)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util/internal.h"
#include "irt/escape.h"
#include "irt/json.h"
#include "irt/fleet-isolate.h"
#include "irt/host.h"
#include "irt/kv.h"
#include "fleet-int.h"
#include "case/records.h"

static const char *const states[] = { "applied", "confirmed", "rolled-back",
	"lifted", NULL };

static int
known_state(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && states[i] != NULL; i++)
		if (strcmp(s, states[i]) == 0)
			return 1;
	return 0;
}

int
irt_fleet_isolation_active(const char *state)
{
	return state != NULL && known_state(state) &&
	    strcmp(state, "lifted") != 0;
}

/* Checks a state file: host is its file name, a known state, times. */
int
irt_fleet_isolation_check(const char *path, const char *data, size_t len)
{
	static const char *const required[] = { "host", "state", "fleet",
		"time", NULL };
	struct irt_kv kv = IRT_KV_INIT;
	const char *v, *base;
	irt_ns t;
	size_t i;
	int rc;

	if ((rc = irt_kv_parse(&kv, data, len, path)) != 0)
		goto out;
	for (i = 0; required[i] != NULL; i++)
		if (irt_kv_get(&kv, required[i]) == NULL) {
			rc = irt_error_set(IRT_EPARSE, "%s: no '%s'",
			    irt_esc(path), required[i]);
			goto out;
		}
	v = irt_kv_get(&kv, "host");
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (irt_host_check_name(v) != 0 ||
	    strlen(base) != strlen(v) + strlen(IRT_FLEET_ISOLATION_SUFFIX) ||
	    strncmp(base, v, strlen(v)) != 0 ||
	    strcmp(base + strlen(v), IRT_FLEET_ISOLATION_SUFFIX) != 0) {
		rc = irt_error_set(IRT_EPARSE,
		    "%s: host '%s' does not match the file name", irt_esc(path),
		    irt_esc(v));
		goto out;
	}
	if (!known_state(irt_kv_get(&kv, "state"))) {
		rc = irt_error_set(IRT_EPARSE, "%s: invalid state '%s'",
		    irt_esc(path), irt_esc(irt_kv_get(&kv, "state")));
		goto out;
	}
	if (irt_time_parse(&t, irt_kv_get(&kv, "time")) != 0 ||
	    ((v = irt_kv_get(&kv, "deadline")) != NULL &&
	        irt_time_parse(&t, v) != 0)) {
		rc = irt_error_set(
		    IRT_EPARSE, "%s: invalid time or deadline", irt_esc(path));
		goto out;
	}
out:
	irt_kv_release(&kv);
	return rc;
}

struct list {
	struct irt_fleet_isolation *v;
	size_t n;
};

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int
list_cb(const char *name, const char *data, size_t len, void *arg)
{
	struct list *l = arg;
	struct irt_fleet_isolation *e;
	struct irt_kv kv = IRT_KV_INIT;
	struct irt_buf path = IRT_BUF_INIT;
	const char *v;
	int rc;

	if ((rc = irt_buf_printf(
	         &path, "%s/%s", IRT_FLEET_ISOLATION_DIR, name)) != 0)
		return rc;
	if ((rc = irt_fleet_isolation_check(path.ptr, data, len)) != 0 ||
	    (rc = irt_kv_parse(&kv, data, len, path.ptr)) != 0)
		goto out;
	if ((e = realloc(l->v, (l->n + 1) * sizeof *e)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	l->v = e;
	e = &l->v[l->n++];
	memset(e, 0, sizeof *e);
	e->host = dup_or_null(irt_kv_get(&kv, "host"));
	e->state = dup_or_null(irt_kv_get(&kv, "state"));
	e->isolation = dup_or_null(irt_kv_get(&kv, "isolation"));
	e->fleet = dup_or_null(irt_kv_get(&kv, "fleet"));
	e->allow = dup_or_null(irt_kv_get(&kv, "allow"));
	irt_time_parse(&e->time, irt_kv_get(&kv, "time"));
	if ((v = irt_kv_get(&kv, "deadline")) != NULL)
		irt_time_parse(&e->deadline, v);
	if (e->host == NULL || e->state == NULL || e->fleet == NULL)
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
out:
	irt_kv_release(&kv);
	irt_buf_release(&path);
	return rc;
}

int
irt_fleet_isolation_list(
    struct irt_fleet_isolation **out, size_t *n, struct irt_case *c)
{
	struct list l = { NULL, 0 };
	int rc;

	*out = NULL;
	*n = 0;
	rc = irt_case_foreach(c, IRT_FLEET_ISOLATION_DIR, list_cb, &l);
	if (rc != 0) {
		irt_fleet_isolation_list_free(l.v, l.n);
		return rc;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

void
irt_fleet_isolation_list_free(struct irt_fleet_isolation *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].host);
		free(v[i].state);
		free(v[i].isolation);
		free(v[i].fleet);
		free(v[i].allow);
	}
	free(v);
}

static int
add_host(struct irt_kv *kv, size_t i, const struct irt_fleet_isolate_host *h)
{
	char t[IRT_TIME_MAX];
	int rc;

	if (h->deadline != 0)
		irt_time_format(t, h->deadline, 0);
	if ((rc = fleet_host_kv(kv, i, "name", h->name)) != 0 ||
	    (rc = fleet_host_kv(kv, i, "outcome", h->outcome)) != 0 ||
	    (rc = fleet_host_kv(kv, i, "reason", h->reason)) != 0 ||
	    (rc = fleet_host_kv(kv, i, "isolation", h->isolation)) != 0 ||
	    (rc = fleet_host_kv(kv, i, "allow", h->allow)) != 0 ||
	    (rc = fleet_host_kv(
	         kv, i, "deadline", h->deadline != 0 ? t : NULL)) != 0)
		return rc;
	return fleet_host_kv(kv, i, "state", h->state);
}

/* The state file of one host, into text. */
static int
state_text(struct irt_buf *text, const struct irt_fleet_isolate_host *h,
    const char *fleet, const char *now, const char *inv_sha256)
{
	struct irt_kv kv = IRT_KV_INIT;
	char t[IRT_TIME_MAX];
	int rc;

	rc = irt_kv_add(&kv, "host", h->name);
	if (rc == 0)
		rc = irt_kv_add(&kv, "state", h->state);
	if (rc == 0 && h->isolation != NULL)
		rc = irt_kv_add(&kv, "isolation", h->isolation);
	if (rc == 0 && h->allow != NULL)
		rc = irt_kv_add(&kv, "allow", h->allow);
	if (rc == 0 && h->deadline != 0)
		rc = irt_kv_add(
		    &kv, "deadline", irt_time_format(t, h->deadline, 0));
	if (rc == 0)
		rc = irt_kv_add(&kv, "fleet", fleet);
	if (rc == 0)
		rc = irt_kv_add(&kv, "time", now);
	if (rc == 0)
		rc = irt_kv_add(&kv, "inventory_sha256", inv_sha256);
	if (rc == 0)
		rc = irt_kv_write(text, &kv);
	irt_kv_release(&kv);
	return rc;
}

/* Whether an outcome is what the action was for. */
static int
success(const char *action, const char *outcome)
{
	if (strcmp(action, "isolate") == 0)
		return strcmp(outcome, "applied") == 0;
	if (strcmp(action, "isolate-confirm") == 0)
		return strcmp(outcome, "confirmed") == 0;
	if (strcmp(action, "isolate-lift") == 0)
		return strcmp(outcome, "lifted") == 0;
	return strcmp(outcome, "failed") != 0 &&
	    strcmp(outcome, "unreachable") != 0;
}

int
irt_fleet_isolate_record(struct irt_case *c, char id_out[32],
    const struct irt_fleet_action *a, const struct irt_fleet_isolate_host *h,
    size_t n, const struct irt_ident *who)
{
	struct irt_kv kv = IRT_KV_INIT;
	struct irt_buf text = IRT_BUF_INIT, path = IRT_BUF_INIT,
	               subj = IRT_BUF_INIT, act = IRT_BUF_INIT;
	struct irt_buf *st = NULL, *sp = NULL;
	struct irt_case_file *files = NULL;
	struct irt_trailer tr[3];
	char t[IRT_TIME_MAX];
	size_t i, ok = 0, nf = 0;
	int rc;

	if (a->id != NULL)
		snprintf(id_out, 32, "%s", a->id);
	else if ((rc = irt_id_new(id_out)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		if (irt_host_check_name(h[i].name) != 0 ||
		    (h[i].state != NULL && !known_state(h[i].state)))
			return irt_error_set(IRT_EINVAL,
			    "invalid host '%s' or state of an isolation",
			    irt_esc(h[i].name));
	if ((files = calloc(n + 1, sizeof *files)) == NULL ||
	    (st = calloc(n + 1, sizeof *st)) == NULL ||
	    (sp = calloc(n + 1, sizeof *sp)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	irt_time_format(t, irt_now(), 9);
	rc = irt_kv_add(&kv, "id", id_out);
	if (rc == 0)
		rc = irt_kv_add(&kv, "action", a->action);
	if (rc == 0)
		rc = irt_kv_add(&kv, "time", t);
	if (rc == 0)
		rc = irt_kv_add(&kv, "inventory", a->inventory);
	if (rc == 0)
		rc = irt_kv_add(&kv, "inventory_sha256", a->inventory_sha256);
	if (rc == 0 && a->limit != NULL)
		rc = irt_kv_add(&kv, "limit", a->limit);
	if (rc == 0 && a->run != NULL)
		rc = irt_kv_add(&kv, "run", a->run);
	if (rc == 0) {
		char num[32];

		snprintf(num, sizeof num, "%d", a->ansible_status);
		rc = irt_kv_add(&kv, "ansible_status", num);
		snprintf(num, sizeof num, "%zu", n);
		if (rc == 0)
			rc = irt_kv_add(&kv, "hosts", num);
	}
	for (i = 0; rc == 0 && i < n; i++) {
		rc = add_host(&kv, i, &h[i]);
		ok += success(a->action, h[i].outcome);
		if (rc != 0 || h[i].state == NULL)
			continue;
		rc = state_text(&st[nf], &h[i], id_out, t, a->inventory_sha256);
		if (rc == 0)
			rc = irt_buf_printf(&sp[nf], "%s/%s%s",
			    IRT_FLEET_ISOLATION_DIR, h[i].name,
			    IRT_FLEET_ISOLATION_SUFFIX);
		if (rc == 0) {
			files[nf].path = sp[nf].ptr;
			files[nf].data = st[nf].ptr;
			files[nf].len = st[nf].len;
			nf++;
		}
	}
	if (rc == 0)
		rc = irt_kv_write(&text, &kv);
	if (rc == 0)
		rc = irt_case_shard_path(
		    &path, IRT_FLEET_DIR, id_out, IRT_FLEET_SUFFIX);
	if (rc == 0)
		rc = irt_buf_printf(&subj,
		    "fleet: %s on %zu host%s, %zu ok, %zu failed", a->action, n,
		    n == 1 ? "" : "s", ok, n - ok);
	if (rc == 0)
		rc = irt_buf_printf(&act, "fleet-%s", a->action);
	if (rc != 0)
		goto out;
	files[nf].path = path.ptr;
	files[nf].data = text.ptr;
	files[nf].len = text.len;
	nf++;
	tr[0].key = "Irt-Action";
	tr[0].value = act.ptr;
	tr[1].key = "Irt-Fleet";
	tr[1].value = id_out;
	tr[2].key = "Irt-Run";
	tr[2].value = a->run;
	rc = irt_case_commit(c, NULL, files, nf, 1, subj.ptr, NULL, tr,
	    a->run != NULL ? 3 : 2, who);
out:
	for (i = 0; st != NULL && sp != NULL && i < n; i++) {
		irt_buf_release(&st[i]);
		irt_buf_release(&sp[i]);
	}
	free(st);
	free(sp);
	free(files);
	irt_kv_release(&kv);
	irt_buf_release(&text);
	irt_buf_release(&path);
	irt_buf_release(&subj);
	irt_buf_release(&act);
	return rc;
}

/* ---- what a host's irt isolate status says ---- */

#define STATUS_MAX (1 << 20)

static bool
jbool(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
}

void
irt_fleet_isolate_status_parse(
    struct irt_fleet_isolate_status *s, const char *text)
{
	json_object *o;
	const char *v;
	size_t i, len = text != NULL ? strlen(text) : 0;

	memset(s, 0, sizeof *s);
	if (len == 0 || len > STATUS_MAX ||
	    (o = irt_json_object(text, len)) == NULL)
		return;
	s->isolated = jbool(o, "isolated");
	s->table = jbool(o, "table");
	s->managed = jbool(o, "managed");
	s->confirmed = jbool(o, "confirmed");
	s->rolled_back = jbool(o, "rolled_back");
	if ((v = irt_json_get_str(o, "id")) != NULL &&
	    strlen(v) < sizeof s->id) {
		for (i = 0; v[i] != '\0'; i++)
			if (!(v[i] >= '0' && v[i] <= '9') &&
			    !(v[i] >= 'a' && v[i] <= 'z') &&
			    !(v[i] >= 'A' && v[i] <= 'Z') && v[i] != '-')
				break;
		if (v[i] == '\0')
			memcpy(s->id, v, i + 1);
	}
	if ((v = irt_json_get_str(o, "deadline")) != NULL &&
	    irt_time_parse(&s->deadline, v) != 0)
		s->deadline = 0;
	if ((v = irt_json_get_str(o, "allow")) != NULL && *v != '\0')
		s->allow = strdup(v);
	if ((v = irt_json_get_str(o, "problem")) != NULL && *v != '\0')
		s->problem = strdup(v);
	s->valid = true;
	json_object_put(o);
}

void
irt_fleet_isolate_status_release(struct irt_fleet_isolate_status *s)
{
	free(s->allow);
	free(s->problem);
	s->allow = s->problem = NULL;
}

const char *
irt_fleet_isolate_status_state(const struct irt_fleet_isolate_status *s)
{
	if (!s->valid || s->problem != NULL)
		return NULL;
	if (s->managed && s->rolled_back)
		return "rolled-back";
	if (s->managed && s->isolated && s->confirmed)
		return "confirmed";
	if (s->managed && s->isolated && s->id[0] != '\0')
		return "applied";
	if (!s->managed && !s->table && !s->isolated)
		return "lifted";
	return NULL;
}
