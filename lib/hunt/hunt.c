/*
 * The hunt driver: hands every event, file and process of the sources
 * to the matchers (IOCs, Sigma, YARA), and every hit to the caller.
 *
 * A matcher is a struct hunt_matcher_ops (hunt-int.h) registered in
 * irt_hunt_new: event() sees each timeline event as it is read,
 * file_begin/data/end the bytes of each file, process() each running
 * process of the live host.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/hash.h"
#include "irt/hunt.h"
#include "irt/json.h"
#include "hunt-int.h"

/* ---- hits ---- */

/* A hit kept until the host of its archive is known. */
struct held_hit {
	struct irt_hunt_hit hit;
	char *strs[9];
	char **tags;
};

static char *
dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		if (n > 0)
			memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static int
hold(struct irt_hunt *h, const struct irt_hunt_hit *hit)
{
	struct held_hit *hh;
	size_t i;

	if (h->nheld == h->cheld) {
		size_t nc = h->cheld ? h->cheld * 2 : 16;
		struct held_hit *nv = realloc(h->held, nc * sizeof *nv);
		if (nv == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		h->held = nv;
		h->cheld = nc;
	}
	hh = &h->held[h->nheld];
	memset(hh, 0, sizeof *hh);
	hh->hit = *hit;
#define KEEP(i, field)                                                         \
	do {                                                                   \
		if (hit->field != NULL) {                                      \
			hh->strs[i] = strdup(hit->field);                      \
			hh->hit.field = hh->strs[i];                           \
		}                                                              \
	} while (0)
	KEEP(0, kind);
	KEEP(1, rule_id);
	KEEP(2, title);
	KEEP(3, level);
	KEEP(4, source);
	KEEP(5, location);
	KEEP(6, field);
	KEEP(7, event_json);
	KEEP(8, event_ts);
#undef KEEP
	hh->hit.match = NULL;
	{
		char *m = dupn(hit->match ? hit->match : "", hit->match_len);
		if (m == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		hh->hit.match = m;
	}
	if (hit->ntags > 0) {
		hh->tags = calloc(hit->ntags, sizeof *hh->tags);
		if (hh->tags == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		for (i = 0; i < hit->ntags; i++)
			hh->tags[i] = strdup(hit->tags[i]);
		hh->hit.tags = (const char *const *)hh->tags;
	}
	hh->hit.event = NULL;
	hh->hit.host = NULL;
	h->nheld++;
	return 0;
}

static void
held_release(struct held_hit *hh)
{
	size_t i;

	for (i = 0; i < 9; i++)
		free(hh->strs[i]);
	free((char *)hh->hit.match);
	for (i = 0; hh->tags && i < hh->hit.ntags; i++)
		free(hh->tags[i]);
	free(hh->tags);
}

/* Hands the held hits over with the host now known. */
static int
flush_held(struct irt_hunt *h, const char *host)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < h->nheld; i++) {
		h->held[i].hit.host = host;
		if (rc == 0 && h->o.hit != NULL)
			rc = h->o.hit(&h->held[i].hit, h->o.arg);
		held_release(&h->held[i]);
	}
	h->nheld = 0;
	return rc;
}

int
hunt_hit(struct irt_hunt *h, const struct irt_hunt_hit *hit)
{
	h->st.hits++;
	if (h->hold)
		return hold(h, hit);
	return h->o.hit != NULL ? h->o.hit(hit, h->o.arg) : 0;
}

void
hunt_warn(struct irt_hunt *h, const char *fmt, ...)
{
	struct irt_buf b = IRT_BUF_INIT;
	va_list ap;

	h->st.warnings++;
	if (h->o.warn == NULL)
		return;
	va_start(ap, fmt);
	irt_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	h->o.warn(irt_buf_cstr(&b), h->o.warn_arg);
	irt_buf_release(&b);
}

/* ---- dispatch to the matchers ---- */

int
hunt_event(struct irt_hunt *h, const struct irt_tl_event *ev)
{
	size_t i;
	int rc;

	h->st.events++;
	for (i = 0; i < h->nm; i++)
		if (h->m[i].ops->event != NULL &&
		    (rc = h->m[i].ops->event(h, h->m[i].self, ev)) != 0)
			return rc;
	return 0;
}

bool
hunt_wants_events(const struct irt_hunt *h)
{
	size_t i;

	for (i = 0; i < h->nm; i++)
		if (h->m[i].ops->event != NULL)
			return true;
	return false;
}

int
hunt_file_begin(struct irt_hunt *h, const struct hunt_file *f, bool *any)
{
	size_t i;
	int rc;

	*any = false;
	for (i = 0; i < h->nm; i++) {
		h->m[i].wants = false;
		if (h->m[i].ops->file_begin != NULL &&
		    (rc = h->m[i].ops->file_begin(
		         h, h->m[i].self, f, &h->m[i].wants)) != 0)
			return rc;
		*any = *any || h->m[i].wants;
	}
	if (*any)
		h->st.files++;
	return 0;
}

int
hunt_file_data(struct irt_hunt *h, const struct hunt_file *f, const void *d,
    size_t n, bool decoded)
{
	size_t i;
	int rc;

	for (i = 0; i < h->nm; i++)
		if (h->m[i].wants && h->m[i].ops->decoded == decoded &&
		    (rc = h->m[i].ops->file_data(h, h->m[i].self, f, d, n)) !=
		        0)
			return rc;
	if (decoded)
		h->st.bytes += n;
	return 0;
}

bool
hunt_wants_decoded(const struct irt_hunt *h, bool decoded)
{
	size_t i;

	for (i = 0; i < h->nm; i++)
		if (h->m[i].wants && h->m[i].ops->decoded == decoded)
			return true;
	return false;
}

int
hunt_file_end(struct irt_hunt *h, const struct hunt_file *f)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < h->nm; i++) {
		if (h->m[i].wants && h->m[i].ops->file_end != NULL && rc == 0)
			rc = h->m[i].ops->file_end(h, h->m[i].self, f);
		h->m[i].wants = false;
	}
	return rc;
}

int
hunt_process(struct irt_hunt *h, int pid, const char *exe, const char *host)
{
	size_t i;
	int rc;

	h->st.processes++;
	for (i = 0; i < h->nm; i++)
		if (h->m[i].ops->process != NULL &&
		    (rc = h->m[i].ops->process(
		         h, h->m[i].self, pid, exe, host)) != 0)
			return rc;
	return 0;
}

int
hunt_add_matcher(
    struct irt_hunt *h, const struct hunt_matcher_ops *ops, void *self)
{
	if (h->nm == HUNT_MATCHERS_MAX) {
		if (ops->free)
			ops->free(self);
		return irt_error_set(IRT_ERROR, "too many matchers");
	}
	h->m[h->nm].ops = ops;
	h->m[h->nm].self = self;
	h->m[h->nm].wants = false;
	h->nm++;
	return 0;
}

/* ---- life ---- */

int
irt_hunt_new(struct irt_hunt **out, const struct irt_hunt_opts *o)
{
	struct irt_hunt *h;
	size_t i;
	int rc = 0;

	if ((h = calloc(1, sizeof *h)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	h->o = *o;
	if (h->o.yara_max == 0)
		h->o.yara_max = IRT_HUNT_YARA_MAX;
	for (i = 0; o->iocs != NULL && i < o->iocs->n && rc == 0; i++)
		if (!o->iocs->v[i].retired)
			rc = irt_ioc_set_push(&h->iocs, &o->iocs->v[i]);
	/* without IOCs, no IOC matcher: logs need not be parsed */
	if (rc == 0 && h->iocs.n > 0)
		rc = hunt_ioc_matcher(h);
	if (rc == 0 && o->nsigma > 0)
		rc = hunt_sigma_new(h);
	if (rc == 0 && o->nyara > 0)
		rc = hunt_yara_new(h);
	if (rc != 0) {
		irt_hunt_free(h);
		return rc;
	}
	*out = h;
	return 0;
}

void
irt_hunt_free(struct irt_hunt *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nm; i++)
		if (h->m[i].ops->free)
			h->m[i].ops->free(h->m[i].self);
	for (i = 0; i < h->nheld; i++)
		held_release(&h->held[i]);
	free(h->held);
	free(h->found_host);
	irt_ioc_set_release(&h->iocs);
	free(h);
}

void
irt_hunt_get_stats(const struct irt_hunt *h, struct irt_hunt_stats *st)
{
	*st = h->st;
}

/* ---- sources ---- */

int
irt_hunt_source(struct irt_hunt *h, const char *spec, const char *host)
{
	const char *colon = strchr(spec, ':'), *path = spec, *kind = NULL;
	struct stat st;
	char *label = NULL;
	int rc;

	if (colon != NULL && colon != spec) {
		char k[32];
		size_t n = (size_t)(colon - spec);
		if (n < sizeof k) {
			memcpy(k, spec, n);
			k[n] = '\0';
			if (irt_tl_kind_valid(k)) {
				kind = strcmp(k, "archive") == 0 ? "archive"
				    : strcmp(k, "fs") == 0       ? "fs"
				                                 : NULL;
				path = colon + 1;
				if (kind == NULL)
					path = spec;
			}
		}
	}
	if (kind == NULL && path == spec) {
		if (stat(spec, &st) == 0 && S_ISDIR(st.st_mode))
			kind = "fs";
		else if (stat(spec, &st) == 0) {
			const char *k = irt_tl_detect(spec);
			if (k != NULL && strcmp(k, "archive") == 0)
				kind = "archive";
		}
	}
	if (kind != NULL) {
		if (stat(path, &st) != 0)
			return irt_error_sys(
			    IRT_EIO, errno, "cannot open '%s'", irt_esc(path));
		if (asprintf(&label, "%s:%s", kind, path) < 0)
			return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	h->cur_source = label != NULL ? label : spec;
	h->cur_host = host;
	if (kind != NULL && strcmp(kind, "archive") == 0) {
		rc = hunt_archive(h, path, label, host);
		free(label);
		return rc;
	}
	/* logs, bodyfiles, fs: metadata through the timeline */
	rc = 0;
	if (hunt_wants_events(h))
		rc = hunt_tl_add(h, spec, host);
	/* fs: the contents too, for content IOCs and YARA */
	if (rc == 0 && kind != NULL && strcmp(kind, "fs") == 0)
		rc = hunt_fs_files(h, path, label, host);
	free(label);
	return rc;
}

size_t
irt_hunt_rule_files(const struct irt_hunt *h, const char *const **paths,
    const char *const **sha256)
{
	return hunt_yara_files(h, paths, sha256);
}

const struct irt_sigma *
irt_hunt_sigma(const struct irt_hunt *h)
{
	return h->sigma;
}

/* ---- output ---- */

int
irt_hunt_hit_json(struct irt_buf *b, const struct irt_hunt_hit *hit)
{
	struct irt_jw w;
	char t[IRT_TIME_MAX];
	size_t i;

	irt_jw_init(&w, b);
	irt_jw_object(&w, NULL);
	irt_jw_str(&w, "kind", hit->kind);
	irt_jw_str(&w, "rule_id", hit->rule_id);
	irt_jw_str(&w, "title", hit->title);
	irt_jw_str(&w, "level", hit->level);
	irt_jw_array(&w, "tags");
	for (i = 0; i < hit->ntags; i++)
		irt_jw_str(&w, NULL, hit->tags[i]);
	irt_jw_end(&w);
	irt_jw_str(&w, "host", hit->host);
	irt_jw_str(&w, "time",
	    hit->has_time ? irt_time_format(t, hit->time, 9) : NULL);
	irt_jw_str(&w, "source", hit->source);
	irt_jw_str(&w, "location", hit->location);
	if (hit->line > 0)
		irt_jw_uint(&w, "line", hit->line);
	else
		irt_jw_null(&w, "line");
	if (hit->has_offset)
		irt_jw_uint(&w, "offset", hit->offset);
	else
		irt_jw_null(&w, "offset");
	irt_jw_str(&w, "field", hit->field);
	irt_jw_strn(&w, "match", hit->match ? hit->match : "", hit->match_len);
	/* the event as the timeline's JSON writer gave it */
	irt_jw_raw(&w, "event", hit->event_json);
	irt_jw_end(&w);
	return irt_jw_line(&w);
}

int
irt_hunt_hit_timesketch(struct irt_buf *b, const struct irt_hunt_hit *hit)
{
	struct irt_buf msg = IRT_BUF_INIT;
	struct irt_jw w;
	char t[IRT_TIME_MAX];
	size_t i;
	int rc;

	irt_jw_init(&w, b);
	if (hit->event_ts != NULL) {
		/* the event's own record, tagged */
		irt_jw_object(&w, NULL);
		irt_jw_members(&w, hit->event_ts);
	} else {
		irt_buf_printf(&msg, "%s %s in %s", hit->kind, hit->title,
		    hit->location ? hit->location : "");
		irt_jw_object(&w, NULL);
		irt_jw_str(&w, "message", irt_buf_cstr(&msg));
		irt_jw_str(&w, "datetime",
		    irt_time_format(t, hit->has_time ? hit->time : 0, 6));
		irt_jw_int(&w, "timestamp",
		    (long long)((hit->has_time ? hit->time : 0) / 1000));
		irt_jw_str(&w, "timestamp_desc", "Hunt hit");
		irt_jw_str(&w, "data_type", "irt:hunt");
		irt_jw_str(&w, "source", hit->source);
		irt_jw_str(&w, "location", hit->location);
	}
	irt_jw_array(&w, "tag");
	irt_jw_str(&w, NULL, "irt-hunt");
	irt_jw_str(&w, NULL, hit->kind);
	for (i = 0; i < hit->ntags; i++)
		irt_jw_str(&w, NULL, hit->tags[i]);
	irt_jw_end(&w);
	irt_jw_str(&w, "hunt_rule", hit->title);
	irt_jw_str(&w, "hunt_rule_id", hit->rule_id);
	irt_jw_strn(
	    &w, "hunt_match", hit->match ? hit->match : "", hit->match_len);
	if (hit->host != NULL && hit->event_ts == NULL)
		irt_jw_str(&w, "hostname", hit->host);
	irt_jw_end(&w);
	rc = irt_jw_line(&w);
	irt_buf_release(&msg);
	return rc;
}

/* ---- archive host ---- */

void
hunt_hold_begin(struct irt_hunt *h, const char *host)
{
	free(h->found_host);
	h->found_host = NULL;
	h->hold = host == NULL;
}

int
hunt_hold_end(struct irt_hunt *h)
{
	int rc = 0;

	if (h->hold) {
		h->hold = false;
		rc = flush_held(h, h->found_host);
	}
	return rc;
}

void
hunt_found_host(struct irt_hunt *h, const char *data, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *o, *v;

	if (tok == NULL)
		return;
	o = json_tokener_parse_ex(tok, data, (int)len);
	if (o != NULL && json_object_object_get_ex(o, "hostname", &v) &&
	    json_object_is_type(v, json_type_string)) {
		free(h->found_host);
		h->found_host = strdup(json_object_get_string(v));
	}
	json_object_put(o);
	json_tokener_free(tok);
}
