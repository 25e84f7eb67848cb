/*
 * The incident timeline of a case (irt-event(1)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "case-int.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "irt/event.h"
#include "irt/kv.h"
#include "irt/note.h"
#include "irt/json.h"
#include "records.h"

int
irt_strlist_add(struct irt_strlist *l, const char *s)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof *v);

	if (v == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	l->v = v;
	if ((v[l->n] = strdup(s)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	l->n++;
	return 0;
}

void
irt_strlist_release(struct irt_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
irt_event_release(struct irt_event *e)
{
	free(e->host);
	irt_strlist_release(&e->techniques);
	irt_strlist_release(&e->iocs);
	irt_strlist_release(&e->evidence);
	irt_strlist_release(&e->hits);
	free(e->text);
	free(e->added);
	free(e->added_by);
	free(e->edited);
	free(e->edited_by);
	free(e->retired_at);
	free(e->retired_by);
	free(e->retired_why);
	memset(e, 0, sizeof *e);
}

/* A link id: 1 to 128 bytes, no blank, comma or control character. */
static int
check_link(const char *what, const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 128)
		goto bad;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f || s[i] == ',')
			goto bad;
	if (!irt_utf8_valid(s, n))
		goto bad;
	return 0;
bad:
	return irt_error_set(
	    IRT_EINVAL, "invalid %s id '%s'", what, irt_esc(s));
}

int
irt_event_validate(const struct irt_event *e)
{
	size_t i;
	int rc;

	if (e->text == NULL)
		return irt_error_set(IRT_EINVAL, "the event has no text");
	if ((rc = irt_note_check_text(e->text, strlen(e->text))) != 0)
		return rc;
	if (e->host != NULL && (rc = irt_note_check_word("host", e->host)))
		return rc;
	for (i = 0; i < e->techniques.n; i++)
		if ((rc = irt_attack_check(e->techniques.v[i])) != 0)
			return rc;
	for (i = 0; i < e->iocs.n; i++)
		if ((rc = check_link("IOC", e->iocs.v[i])) != 0)
			return rc;
	for (i = 0; i < e->evidence.n; i++)
		if ((rc = check_link("evidence", e->evidence.v[i])) != 0)
			return rc;
	for (i = 0; i < e->hits.n; i++)
		if ((rc = check_link("hit", e->hits.v[i])) != 0)
			return rc;
	return 0;
}

int
irt_event_parse(
    struct irt_event *out, const char *data, size_t len, const char *name)
{
	struct irt_kv kv = IRT_KV_INIT;
	const char *status = NULL;
	bool have_at = false;
	size_t i;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = irt_kv_parse(&kv, data, len, name)) != 0)
		return rc;
	for (i = 0; i < kv.n; i++) {
		const struct irt_kv_entry *e = &kv.v[i];
		const char *k = e->key, *v = e->value;
		struct irt_strlist *list = NULL;
		char **slot = NULL;

		if (strlen(v) != e->value_len) {
			rc = irt_error_set(IRT_EPARSE, "%s:%u: NUL byte",
			    irt_esc(name), e->line);
			goto bad;
		}
		if (strcmp(k, "id") == 0) {
			if (out->id[0] != '\0' || *v == '\0' ||
			    strlen(v) >= sizeof out->id)
				goto badkey;
			strcpy(out->id, v);
			continue;
		}
		if (strcmp(k, "at") == 0) {
			if (have_at || irt_time_parse(&out->at, v) != 0)
				goto badkey;
			have_at = true;
			continue;
		}
		if (strcmp(k, "status") == 0) {
			if (status != NULL ||
			    (strcmp(v, "active") != 0 &&
			        strcmp(v, "retired") != 0))
				goto badkey;
			status = v;
			out->retired = strcmp(v, "retired") == 0;
			continue;
		}
		if (strcmp(k, "technique") == 0) {
			if (irt_attack_check(v) != 0)
				goto badkey;
			list = &out->techniques;
		} else if (strcmp(k, "ioc") == 0)
			list = &out->iocs;
		else if (strcmp(k, "evidence") == 0)
			list = &out->evidence;
		else if (strcmp(k, "hit") == 0)
			list = &out->hits;
		else if (strcmp(k, "host") == 0)
			slot = &out->host;
		else if (strcmp(k, "text") == 0)
			slot = &out->text;
		else if (strcmp(k, "added") == 0)
			slot = &out->added;
		else if (strcmp(k, "added-by") == 0)
			slot = &out->added_by;
		else if (strcmp(k, "edited") == 0)
			slot = &out->edited;
		else if (strcmp(k, "edited-by") == 0)
			slot = &out->edited_by;
		else if (strcmp(k, "retired") == 0)
			slot = &out->retired_at;
		else if (strcmp(k, "retired-by") == 0)
			slot = &out->retired_by;
		else if (strcmp(k, "retired-why") == 0)
			slot = &out->retired_why;
		if (list != NULL) {
			if ((rc = irt_strlist_add(list, v)) != 0)
				goto bad;
			continue;
		}
		if (slot == NULL || *slot != NULL)
			goto badkey;
		if ((*slot = strdup(v)) == NULL) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			goto bad;
		}
		continue;
	badkey:
		rc = irt_error_set(IRT_EPARSE,
		    "%s:%u: unknown, repeated or invalid key '%s'",
		    irt_esc(name), e->line, irt_esc(k));
		goto bad;
	}
	if (out->id[0] == '\0' || !have_at || out->text == NULL ||
	    out->added == NULL) {
		rc = irt_error_set(IRT_EPARSE,
		    "%s: record lacks id, at, text or added", irt_esc(name));
		goto bad;
	}
	irt_kv_release(&kv);
	return 0;
bad:
	irt_kv_release(&kv);
	irt_event_release(out);
	return rc;
}

int
irt_event_format(struct irt_buf *out, const struct irt_event *e)
{
	struct irt_kv kv = IRT_KV_INIT;
	char at[IRT_TIME_MAX];
	size_t i;
	int rc = 0;

#define ADD(k, v)                                                              \
	if (rc == 0 && (v) != NULL)                                            \
	rc = irt_kv_add(&kv, k, v)
	ADD("id", e->id);
	ADD("at", irt_time_format(at, e->at, -1));
	ADD("host", e->host);
	for (i = 0; i < e->techniques.n; i++)
		ADD("technique", e->techniques.v[i]);
	for (i = 0; i < e->iocs.n; i++)
		ADD("ioc", e->iocs.v[i]);
	for (i = 0; i < e->evidence.n; i++)
		ADD("evidence", e->evidence.v[i]);
	for (i = 0; i < e->hits.n; i++)
		ADD("hit", e->hits.v[i]);
	ADD("text", e->text);
	ADD("added", e->added);
	ADD("added-by", e->added_by);
	ADD("edited", e->edited);
	ADD("edited-by", e->edited_by);
	ADD("status", e->retired ? "retired" : "active");
	ADD("retired", e->retired_at);
	ADD("retired-by", e->retired_by);
	ADD("retired-why", e->retired_why);
#undef ADD
	if (rc == 0)
		rc = irt_kv_write(out, &kv);
	irt_kv_release(&kv);
	return rc;
}

int
irt_event_check(const char *path, const char *data, size_t len)
{
	struct irt_event e;
	int rc;

	if ((rc = irt_event_parse(&e, data, len, path)) != 0)
		return rc;
	rc = irt_record_name_check(path, IRT_EVENT_SUFFIX, "id", e.id);
	irt_event_release(&e);
	return rc;
}

/* ---- reading ---- */

struct events {
	struct irt_event *v;
	size_t n, cap;
	bool all;
	struct irt_case *c;
};

static int
load_one(const struct irt_case_record *r, void *arg)
{
	struct events *es = arg;
	struct irt_event e;

	if (irt_event_parse(&e, r->data, r->len, r->path) != 0) {
		irt_case__warn(es->c, "%s", irt_error_last());
		return 0;
	}
	if (e.retired && !es->all) {
		irt_event_release(&e);
		return 0;
	}
	if (es->n == es->cap) {
		size_t cap = es->cap ? es->cap * 2 : 32;
		struct irt_event *v = realloc(es->v, cap * sizeof *v);
		if (v == NULL) {
			irt_event_release(&e);
			return irt_error_set(IRT_ENOMEM, "out of memory");
		}
		es->v = v;
		es->cap = cap;
	}
	es->v[es->n++] = e;
	return 0;
}

static int
by_time(const void *a, const void *b)
{
	const struct irt_event *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return strcmp(x->id, y->id);
}

int
irt_event_list(struct irt_case *c, struct irt_event **out, size_t *n, bool all)
{
	struct events es = { NULL, 0, 0, all, c };
	int rc;

	rc = irt_case_foreach_record(
	    c, IRT_EVENT_DIR, IRT_EVENT_SUFFIX, load_one, &es);
	if (rc != 0) {
		irt_event_list_free(es.v, es.n);
		return rc;
	}
	if (es.n > 1)
		qsort(es.v, es.n, sizeof *es.v, by_time);
	*out = es.v;
	*n = es.n;
	return 0;
}

void
irt_event_list_free(struct irt_event *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		irt_event_release(&v[i]);
	free(v);
}

int
irt_event_get(struct irt_case *c, struct irt_event *out, const char *prefix)
{
	struct irt_buf data = IRT_BUF_INIT;
	char *id = NULL, *path = NULL;
	int rc;

	if (*prefix == '\0')
		return irt_error_set(IRT_EINVAL, "empty event id");
	rc = irt_case_record_find(
	    c, &id, &path, IRT_EVENT_DIR, IRT_EVENT_SUFFIX, prefix);
	if (rc == IRT_ENOTFOUND)
		rc = irt_error_set(IRT_ENOTFOUND, "no event '%s' in the case",
		    irt_esc(prefix));
	if (rc == 0 && (rc = irt_case_read(c, &data, path)) == 0)
		rc = irt_event_parse(out, data.ptr, data.len, path);
	free(id);
	free(path);
	irt_buf_release(&data);
	return rc;
}

/* ---- writing ---- */

static int
save(struct irt_case *c, const struct irt_event *e, int replace,
    const char *action, const struct irt_ident *who)
{
	struct irt_buf file = IRT_BUF_INIT, path = IRT_BUF_INIT;
	struct irt_buf subject = IRT_BUF_INIT;
	struct irt_trailer tr[2] = {
		{ "Irt-Action", action },
		{ "Irt-Event", e->id },
	};
	char first[80];
	size_t n = strcspn(e->text, "\r\n");
	int rc;

	if (n > 60) {
		n = 60;
		while (n > 0 && ((unsigned char)e->text[n] & 0xc0) == 0x80)
			n--;
	}
	snprintf(first, sizeof first, "%.*s%s", (int)n, e->text,
	    e->text[n] != '\0' && e->text[n] != '\n' ? "..." : "");
	if ((rc = irt_event_format(&file, e)) == 0 &&
	    (rc = irt_case_shard_path(
	         &path, IRT_EVENT_DIR, e->id, IRT_EVENT_SUFFIX)) == 0 &&
	    (rc = irt_buf_printf(&subject, "event: %s %s",
	         strcmp(action, "event-add") == 0        ? "add"
	             : strcmp(action, "event-edit") == 0 ? "edit"
	                                                 : "retire",
	         first)) == 0) {
		struct irt_case_file f = { path.ptr, file.ptr, file.len };
		rc = irt_case_commit(
		    c, NULL, &f, 1, replace, subject.ptr, NULL, tr, 2, who);
	}
	irt_buf_release(&file);
	irt_buf_release(&path);
	irt_buf_release(&subject);
	return rc;
}

static int
stamp(char **time, char **by, const struct irt_ident *who)
{
	char now[IRT_TIME_MAX];

	free(*time);
	free(*by);
	*time = strdup(irt_time_format(now, irt_now(), 0));
	*by = irt_ident_format(who);
	if (*time == NULL || *by == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	return 0;
}

int
irt_event_add(struct irt_case *c, char id_out[32], struct irt_event *e,
    const struct irt_ident *who)
{
	int rc, tries;

	if ((rc = irt_event_validate(e)) != 0)
		return rc;
	if ((rc = stamp(&e->added, &e->added_by, who)) != 0)
		return rc;
	e->retired = false;
	for (tries = 0; tries < 5; tries++) {
		if ((rc = irt_id_new(e->id)) != 0)
			break;
		rc = save(c, e, 0, "event-add", who);
		if (rc != IRT_EEXISTS)
			break;
	}
	if (rc == 0)
		memcpy(id_out, e->id, 32);
	return rc;
}

int
irt_event_update(struct irt_case *c, struct irt_event *e, const char *action,
    const struct irt_ident *who)
{
	int rc;

	if ((rc = irt_event_validate(e)) != 0)
		return rc;
	if (strcmp(action, "event-retire") == 0) {
		if (e->retired_why == NULL || *e->retired_why == '\0')
			return irt_error_set(
			    IRT_EINVAL, "give the reason for retiring it");
		if (!irt_utf8_valid(e->retired_why, strlen(e->retired_why)))
			return irt_error_set(
			    IRT_EINVAL, "the reason is not UTF-8");
		e->retired = true;
		rc = stamp(&e->retired_at, &e->retired_by, who);
	} else if (strcmp(action, "event-edit") == 0)
		rc = stamp(&e->edited, &e->edited_by, who);
	else
		return irt_error_set(
		    IRT_EINVAL, "unknown event action '%s'", irt_esc(action));
	if (rc == 0)
		rc = save(c, e, 1, action, who);
	return rc;
}

/* ---- from a hunt hit ---- */

int
irt_event_from_hit(struct irt_case *c, struct irt_event *e, const char *hit)
{
	struct irt_buf data = IRT_BUF_INIT, text = IRT_BUF_INIT;
	char *id = NULL, *path = NULL, *prefix, *colon, *end;
	const char *p, *eol, *v;
	unsigned long line, n;
	json_object *o = NULL, *ev;
	int rc;

	if ((prefix = strdup(hit)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	colon = strrchr(prefix, ':');
	if (colon == NULL || colon == prefix || colon[1] < '1' ||
	    colon[1] > '9' || (line = strtoul(colon + 1, &end, 10)) == 0 ||
	    *end != '\0') {
		rc = irt_error_set(IRT_EINVAL,
		    "invalid hit '%s' (HUNT-ID:LINE, as irt event hits "
		    "shows)",
		    irt_esc(hit));
		goto out;
	}
	*colon = '\0';
	rc = irt_case_record_find(c, &id, &path, "hunts", "/record", prefix);
	if (rc == IRT_ENOTFOUND)
		rc = irt_error_set(
		    IRT_ENOTFOUND, "no hunt '%s' in the case", irt_esc(prefix));
	if (rc != 0)
		goto out;
	/* hits.jsonl beside the record */
	path[strlen(path) - strlen("record")] = '\0';
	if ((rc = irt_buf_printf(&text, "%shits.jsonl", path)) != 0 ||
	    (rc = irt_case_read(c, &data, text.ptr)) != 0)
		goto out;
	irt_buf_clear(&text);
	p = data.ptr;
	for (n = 1; n < line && p != NULL; n++) {
		p = memchr(p, '\n', data.len - (size_t)(p - data.ptr));
		if (p != NULL)
			p++;
	}
	if (p == NULL || p >= data.ptr + data.len) {
		rc = irt_error_set(
		    IRT_ENOTFOUND, "hunt %s has no hit %lu", irt_esc(id), line);
		goto out;
	}
	eol = memchr(p, '\n', data.len - (size_t)(p - data.ptr));
	o = json_tokener_parse(
	    (irt_buf_put(&text, p,
	         eol ? (size_t)(eol - p) : data.len - (size_t)(p - data.ptr)),
	        text.ptr));
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		rc = irt_error_set(IRT_EPARSE, "hunt %s: hit %lu is not JSON",
		    irt_esc(id), line);
		goto out;
	}
	if ((v = irt_json_get_str(o, "time")) == NULL ||
	    irt_time_parse(&e->at, v) != 0) {
		rc = irt_error_set(IRT_EINVAL,
		    "hunt %s: hit %lu has no time; give --at", irt_esc(id),
		    line);
		goto out;
	}
	if ((v = irt_json_get_str(o, "host")) != NULL && e->host == NULL &&
	    irt_note_check_word("host", v) == 0 &&
	    (e->host = strdup(v)) == NULL)
		goto nomem;
	/* a log line names its host where the hunt did not */
	if (e->host == NULL && json_object_object_get_ex(o, "event", &ev) &&
	    json_object_object_get_ex(ev, "fields", &ev) &&
	    (v = irt_json_get_str(ev, "hostname")) != NULL &&
	    irt_note_check_word("host", v) == 0 &&
	    (e->host = strdup(v)) == NULL)
		goto nomem;
	if ((v = irt_json_get_str(o, "kind")) != NULL &&
	    strcmp(v, "ioc") == 0 &&
	    (v = irt_json_get_str(o, "rule_id")) != NULL &&
	    check_link("IOC", v) == 0 &&
	    (rc = irt_strlist_add(&e->iocs, v)) != 0)
		goto out;
	if (e->text == NULL) {
		irt_buf_clear(&text);
		v = irt_json_get_str(o, "title");
		irt_buf_printf(&text, "%s %s",
		    irt_json_get_str(o, "kind") ? irt_json_get_str(o, "kind")
		                                : "hit",
		    v ? v : "");
		if ((v = irt_json_get_str(o, "location")) != NULL)
			irt_buf_printf(&text, " in %s", v);
		if ((v = irt_json_get_str(o, "match")) != NULL)
			irt_buf_printf(&text, ": %s", v);
		if (!irt_utf8_valid(text.ptr, text.len))
			irt_buf_clear(&text), irt_buf_puts(&text, "hunt hit");
		if ((e->text = strdup(text.ptr)) == NULL)
			goto nomem;
	}
	irt_buf_clear(&text);
	irt_buf_printf(&text, "%s:%lu", id, line);
	rc = irt_strlist_add(&e->hits, text.ptr);
	goto out;
nomem:
	rc = irt_error_set(IRT_ENOMEM, "out of memory");
out:
	if (o != NULL)
		json_object_put(o);
	free(prefix);
	free(id);
	free(path);
	irt_buf_release(&data);
	irt_buf_release(&text);
	return rc;
}
