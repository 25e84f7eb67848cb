/*
 * The hosts of a case and their compromise states (irt-host(1)).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case-int.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "irt/host.h"
#include "irt/kv.h"
#include "irt/timefmt.h"
#include "records.h"

static const char *const states[] = { "suspected", "compromised", "contained",
	"eradicated", "restored", "clean", NULL };

const char *const *
irt_host_states(void)
{
	return states;
}

int
irt_host_check_state(const char *state)
{
	size_t i;

	for (i = 0; states[i] != NULL; i++)
		if (strcmp(states[i], state) == 0)
			return 0;
	return irt_error_set(IRT_EINVAL,
	    "invalid host state '%s' (suspected, compromised, contained, "
	    "eradicated, restored or clean)",
	    irt_esc(state));
}

static int
known_state(const char *s)
{
	return strcmp(s, "unknown") == 0 || irt_host_check_state(s) == 0;
}

int
irt_host_check_name(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 255)
		return irt_error_set(IRT_EINVAL,
		    "invalid host name '%s': 1 to 255 bytes", irt_esc(name));
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch < 0x21 || ch == 0x7f || ch == ',' || ch == '/')
			return irt_error_set(IRT_EINVAL,
			    "invalid host name '%s': no blanks, commas, "
			    "slashes or control characters",
			    irt_esc(name));
	}
	if (!irt_utf8_valid(name, n))
		return irt_error_set(IRT_EINVAL,
		    "invalid host name '%s': not UTF-8", irt_esc(name));
	return 0;
}

int
irt_host_check_ip(const char *ip)
{
	unsigned char addr[16];
	char tmp[64], *slash, *end;
	long bits;
	int v6;

	if (strlen(ip) >= sizeof tmp)
		goto bad;
	strcpy(tmp, ip);
	if ((slash = strchr(tmp, '/')) != NULL)
		*slash = '\0';
	v6 = strchr(tmp, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, tmp, addr) != 1)
		goto bad;
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9')
			goto bad;
		bits = strtol(slash + 1, &end, 10);
		if (*end != '\0' || bits > (v6 ? 128 : 32))
			goto bad;
	}
	return 0;
bad:
	return irt_error_set(
	    IRT_EINVAL, "invalid IP address '%s'", irt_esc(ip));
}

void
irt_host_release(struct irt_host *h)
{
	size_t i;

	free(h->name);
	for (i = 0; i < h->nips; i++)
		free(h->ips[i]);
	free(h->ips);
	free(h->role);
	free(h->added);
	free(h->added_by);
	free(h->state);
	for (i = 0; i < h->nhistory; i++) {
		free(h->history[i].time);
		free(h->history[i].state);
		free(h->history[i].by);
		free(h->history[i].why);
		free(h->history[i].action);
	}
	free(h->history);
	memset(h, 0, sizeof *h);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* "state.N.FIELD" -> N and FIELD; 0 when the key is not of that form. */
static unsigned
change_key(const char *key, const char **field)
{
	unsigned long n;
	char *end;

	if (strncmp(key, "state.", 6) != 0 || key[6] < '1' || key[6] > '9')
		return 0;
	n = strtoul(key + 6, &end, 10);
	if (*end != '.' || n > 100000)
		return 0;
	*field = end + 1;
	return (unsigned)n;
}

int
irt_host_parse(
    struct irt_host *out, const char *data, size_t len, const char *name)
{
	struct irt_kv kv = IRT_KV_INIT;
	const char *field, *v;
	size_t i;
	unsigned n;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = irt_kv_parse(&kv, data, len, name)) != 0)
		return rc;
	for (i = 0; i < kv.n; i++) {
		const struct irt_kv_entry *e = &kv.v[i];
		char **slot = NULL;

		v = e->value;
		if (strlen(v) != e->value_len) {
			rc = irt_error_set(IRT_EPARSE, "%s:%u: NUL byte",
			    irt_esc(name), e->line);
			goto bad;
		}
		if (strcmp(e->key, "id") == 0) {
			if (out->id[0] != '\0' || strlen(v) >= sizeof out->id ||
			    *v == '\0')
				goto badkey;
			strcpy(out->id, v);
			continue;
		} else if (strcmp(e->key, "name") == 0)
			slot = &out->name;
		else if (strcmp(e->key, "role") == 0)
			slot = &out->role;
		else if (strcmp(e->key, "added") == 0)
			slot = &out->added;
		else if (strcmp(e->key, "added-by") == 0)
			slot = &out->added_by;
		else if (strcmp(e->key, "state") == 0) {
			if (!known_state(v))
				goto badkey;
			slot = &out->state;
		} else if (strcmp(e->key, "ip") == 0) {
			char **ips;
			if (irt_host_check_ip(v) != 0)
				goto badkey;
			ips = realloc(
			    out->ips, (out->nips + 1) * sizeof *out->ips);
			if (ips == NULL)
				goto nomem;
			out->ips = ips;
			if ((ips[out->nips] = strdup(v)) == NULL)
				goto nomem;
			out->nips++;
			continue;
		} else if ((n = change_key(e->key, &field)) != 0) {
			struct irt_host_change *ch;
			if (n > out->nhistory + 1)
				goto badkey;
			if (n == out->nhistory + 1) {
				ch = realloc(
				    out->history, n * sizeof *out->history);
				if (ch == NULL)
					goto nomem;
				out->history = ch;
				memset(&ch[n - 1], 0, sizeof *ch);
				out->nhistory = n;
			}
			ch = &out->history[n - 1];
			if (strcmp(field, "time") == 0)
				slot = &ch->time;
			else if (strcmp(field, "state") == 0) {
				if (!known_state(v))
					goto badkey;
				slot = &ch->state;
			} else if (strcmp(field, "by") == 0)
				slot = &ch->by;
			else if (strcmp(field, "why") == 0)
				slot = &ch->why;
			else if (strcmp(field, "action") == 0)
				slot = &ch->action;
		}
		if (slot == NULL || *slot != NULL)
			goto badkey;
		if ((*slot = strdup(v)) == NULL)
			goto nomem;
		continue;
	badkey:
		rc = irt_error_set(IRT_EPARSE,
		    "%s:%u: unknown, repeated or invalid key '%s'",
		    irt_esc(name), e->line, irt_esc(e->key));
		goto bad;
	}
	if (out->id[0] == '\0' || out->name == NULL || out->state == NULL ||
	    out->added == NULL) {
		rc = irt_error_set(IRT_EPARSE,
		    "%s: record lacks id, name, state or added", irt_esc(name));
		goto bad;
	}
	if (irt_host_check_name(out->name) != 0) {
		rc = irt_error_set(
		    IRT_EPARSE, "%s: %s", irt_esc(name), irt_error_last());
		goto bad;
	}
	for (i = 0; i < out->nhistory; i++)
		if (out->history[i].time == NULL ||
		    out->history[i].state == NULL) {
			rc = irt_error_set(IRT_EPARSE,
			    "%s: state change %zu lacks its time or state",
			    irt_esc(name), i + 1);
			goto bad;
		}
	irt_kv_release(&kv);
	return 0;
nomem:
	rc = irt_error_set(IRT_ENOMEM, "out of memory");
bad:
	irt_kv_release(&kv);
	irt_host_release(out);
	return rc;
}

int
irt_host_format(struct irt_buf *out, const struct irt_host *h)
{
	struct irt_kv kv = IRT_KV_INIT;
	char key[64];
	size_t i;
	int rc = 0;

#define ADD(k, v)                                                              \
	if (rc == 0 && (v) != NULL)                                            \
	rc = irt_kv_add(&kv, k, v)
	ADD("id", h->id);
	ADD("name", h->name);
	for (i = 0; i < h->nips; i++)
		ADD("ip", h->ips[i]);
	ADD("role", h->role);
	ADD("added", h->added);
	ADD("added-by", h->added_by);
	ADD("state", h->state);
	for (i = 0; i < h->nhistory; i++) {
		const struct irt_host_change *ch = &h->history[i];
#define CH(f, v)                                                               \
	snprintf(key, sizeof key, "state.%zu.%s", i + 1, f);                   \
	ADD(key, v)
		CH("time", ch->time);
		CH("state", ch->state);
		CH("by", ch->by);
		CH("why", ch->why);
		CH("action", ch->action);
#undef CH
	}
#undef ADD
	if (rc == 0)
		rc = irt_kv_write(out, &kv);
	irt_kv_release(&kv);
	return rc;
}

int
irt_host_check(const char *path, const char *data, size_t len)
{
	struct irt_host h;
	int rc;

	if ((rc = irt_host_parse(&h, data, len, path)) != 0)
		return rc;
	rc = irt_record_name_check(path, IRT_HOST_SUFFIX, "id", h.id);
	irt_host_release(&h);
	return rc;
}

/* ---- reading ---- */

struct hosts {
	struct irt_host *v;
	size_t n, cap;
	struct irt_case *c;
};

static int
load_one(const struct irt_case_record *r, void *arg)
{
	struct hosts *hs = arg;
	struct irt_host h;

	if (irt_host_parse(&h, r->data, r->len, r->path) != 0) {
		/* a broken record does not hide the others */
		irt_case__warn(hs->c, "%s", irt_error_last());
		return 0;
	}
	if (hs->n == hs->cap) {
		size_t cap = hs->cap ? hs->cap * 2 : 16;
		struct irt_host *v = realloc(hs->v, cap * sizeof *v);
		if (v == NULL) {
			irt_host_release(&h);
			return irt_error_set(IRT_ENOMEM, "out of memory");
		}
		hs->v = v;
		hs->cap = cap;
	}
	hs->v[hs->n++] = h;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	const struct irt_host *x = a, *y = b;
	int d = strcmp(x->name, y->name);

	return d != 0 ? d : strcmp(x->id, y->id);
}

int
irt_host_list(struct irt_case *c, struct irt_host **out, size_t *n)
{
	struct hosts hs = { NULL, 0, 0, c };
	int rc;

	rc = irt_case_foreach_record(
	    c, IRT_HOST_DIR, IRT_HOST_SUFFIX, load_one, &hs);
	if (rc != 0) {
		irt_host_list_free(hs.v, hs.n);
		return rc;
	}
	if (hs.n > 1)
		qsort(hs.v, hs.n, sizeof *hs.v, by_name);
	*out = hs.v;
	*n = hs.n;
	return 0;
}

void
irt_host_list_free(struct irt_host *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		irt_host_release(&v[i]);
	free(v);
}

int
irt_host_get(struct irt_case *c, struct irt_host *out, const char *name)
{
	struct irt_host *v;
	size_t n, i;
	int rc;

	if ((rc = irt_host_list(c, &v, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0) {
			*out = v[i];
			memset(&v[i], 0, sizeof v[i]);
			irt_host_list_free(v, n);
			return 0;
		}
	irt_host_list_free(v, n);
	return irt_error_set(
	    IRT_ENOTFOUND, "no host '%s' in the case", irt_esc(name));
}

/* ---- writing ---- */

static int
push_change(struct irt_host *h, const char *time, const char *state,
    const char *by, const char *why, const char *action)
{
	struct irt_host_change *v, *ch;

	v = realloc(h->history, (h->nhistory + 1) * sizeof *v);
	if (v == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	h->history = v;
	ch = &v[h->nhistory++];
	ch->time = strdup(time);
	ch->state = strdup(state);
	ch->by = dup_or_null(by);
	ch->why = dup_or_null(why);
	ch->action = dup_or_null(action);
	if (ch->time == NULL || ch->state == NULL ||
	    (by != NULL && ch->by == NULL) ||
	    (why != NULL && ch->why == NULL) ||
	    (action != NULL && ch->action == NULL))
		return irt_error_set(IRT_ENOMEM, "out of memory");
	return 0;
}

static int
check_why(const char *why)
{
	size_t n;

	if (why == NULL)
		return 0;
	n = strlen(why);
	if (!irt_utf8_valid(why, n))
		return irt_error_set(IRT_EINVAL, "the reason is not UTF-8");
	return 0;
}

static int
save(struct irt_case *c, const struct irt_host *h, int replace,
    const char *action, const char *subject, const struct irt_ident *who)
{
	struct irt_buf file = IRT_BUF_INIT, path = IRT_BUF_INIT;
	struct irt_trailer tr[3] = {
		{ "Irt-Action", action },
		{ "Irt-Host", h->name },
		{ "Irt-Host-State", h->state },
	};
	int rc;

	if ((rc = irt_host_format(&file, h)) == 0 &&
	    (rc = irt_case_shard_path(
	         &path, IRT_HOST_DIR, h->id, IRT_HOST_SUFFIX)) == 0) {
		struct irt_case_file f = { path.ptr, file.ptr, file.len };
		rc = irt_case_commit(
		    c, NULL, &f, 1, replace, subject, NULL, tr, 3, who);
	}
	irt_buf_release(&file);
	irt_buf_release(&path);
	return rc;
}

/* Fills a new host; the caller holds the lock and saves it. */
static int
host_new(struct irt_host *h, const char *name, const char *const *ips,
    size_t nips, const char *role, const char *by)
{
	char now[IRT_TIME_MAX];
	size_t i;
	int rc;

	memset(h, 0, sizeof *h);
	if ((rc = irt_id_new(h->id)) != 0)
		return rc;
	irt_time_format(now, irt_now(), 0);
	h->name = strdup(name);
	h->added = strdup(now);
	h->added_by = strdup(by);
	h->state = strdup("unknown");
	h->role = dup_or_null(role);
	if (nips > 0 && (h->ips = calloc(nips, sizeof *h->ips)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	for (i = 0; i < nips; i++) {
		if ((h->ips[i] = strdup(ips[i])) == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		h->nips++;
	}
	if (h->name == NULL || h->added == NULL || h->added_by == NULL ||
	    h->state == NULL || (role != NULL && h->role == NULL))
		return irt_error_set(IRT_ENOMEM, "out of memory");
	return 0;
}

static int
set_state(struct irt_host *h, const char *state, const char *why,
    const char *action, const char *by)
{
	char now[IRT_TIME_MAX];
	char *s;

	irt_time_format(now, irt_now(), 0);
	if (state != NULL) {
		if ((s = strdup(state)) == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		free(h->state);
		h->state = s;
	}
	return push_change(h, now, h->state, by, why, action);
}

int
irt_host_add(struct irt_case *c, char id_out[32], const char *name,
    const char *const *ips, size_t nips, const char *role, const char *state,
    const char *why, const struct irt_ident *who)
{
	struct irt_host h, old;
	struct irt_buf subject = IRT_BUF_INIT;
	char *by;
	size_t i;
	int rc;

	if ((rc = irt_host_check_name(name)) != 0)
		return rc;
	for (i = 0; i < nips; i++)
		if ((rc = irt_host_check_ip(ips[i])) != 0)
			return rc;
	if (role != NULL && !irt_utf8_valid(role, strlen(role)))
		return irt_error_set(IRT_EINVAL, "the role is not UTF-8");
	if (state != NULL && (rc = irt_host_check_state(state)) != 0)
		return rc;
	if ((rc = check_why(why)) != 0)
		return rc;
	if ((by = irt_ident_format(who)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if ((rc = irt_case_lock(c)) != 0) {
		free(by);
		return rc;
	}
	rc = irt_host_get(c, &old, name);
	if (rc == 0) {
		irt_host_release(&old);
		rc = irt_error_set(IRT_EEXISTS,
		    "host '%s' is already in the case", irt_esc(name));
		goto out;
	}
	if (rc != IRT_ENOTFOUND)
		goto out;
	if ((rc = host_new(&h, name, ips, nips, role, by)) == 0 &&
	    (state != NULL || why != NULL))
		rc = set_state(&h, state, why, "host-add", by);
	if (rc == 0)
		rc = irt_buf_printf(&subject, "host: add %s", name);
	if (rc == 0)
		rc = save(c, &h, 0, "host-add", subject.ptr, who);
	if (rc == 0)
		memcpy(id_out, h.id, 32);
	irt_host_release(&h);
out:
	irt_case_unlock(c);
	irt_buf_release(&subject);
	free(by);
	return rc;
}

int
irt_host_set_state(struct irt_case *c, const char *name, const char *state,
    const char *why, const char *action, bool create,
    const struct irt_ident *who, bool *changed)
{
	struct irt_host h;
	struct irt_buf subject = IRT_BUF_INIT;
	bool fresh = false;
	char *by;
	int rc;

	if (changed != NULL)
		*changed = false;
	if (action == NULL)
		action = "host-state";
	if ((rc = irt_host_check_name(name)) != 0)
		return rc;
	if (state != NULL && (rc = irt_host_check_state(state)) != 0)
		return rc;
	if ((rc = check_why(why)) != 0)
		return rc;
	if ((by = irt_ident_format(who)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if ((rc = irt_case_lock(c)) != 0) {
		free(by);
		return rc;
	}
	rc = irt_host_get(c, &h, name);
	if (rc == IRT_ENOTFOUND && create) {
		fresh = true;
		rc = host_new(&h, name, NULL, 0, NULL, by);
	}
	if (rc != 0)
		goto out;
	if (!fresh && state == NULL && why == NULL)
		goto done;
	if (state != NULL || why != NULL)
		rc = set_state(&h, state, why, action, by);
	if (rc == 0)
		rc = irt_buf_printf(&subject, "host: %s %s%s%s",
		    fresh ? "add" : "state", name, state ? " " : "",
		    state ? state : "");
	if (rc == 0)
		rc = save(c, &h, !fresh, action, subject.ptr, who);
	if (rc == 0 && changed != NULL)
		*changed = true;
done:
	irt_host_release(&h);
out:
	irt_case_unlock(c);
	irt_buf_release(&subject);
	free(by);
	return rc;
}
