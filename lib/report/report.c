/*
 * irt report: the sections of the incident report, gathered from the
 * case and written through the HTML or Markdown writer.  A part of the
 * case that cannot be read is reported as missing, with a warning; the
 * report goes on with the rest.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "irt/checklist.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "irt/event.h"
#include "irt/evidence.h"
#include "irt/hash.h"
#include "irt/host.h"
#include "irt/ioc.h"
#include "irt/note.h"
#include "irt/report.h"
#include "irt/json.h"
#include "report-int.h"

int
report_line(struct irt_buf *out, const char *s, size_t len)
{
	return irt_escape_term(out, s, len);
}

struct rep {
	struct irt_case *c;
	const struct irt_report_opts *o;
	const struct report_ops *ops;
	struct irt_buf *b;
	struct irt_report_stats *st;
	struct irt_buf tmp;
};

static void
warn(struct rep *r, const char *what)
{
	struct irt_buf m = IRT_BUF_INIT;

	if (r->o->warn == NULL)
		return;
	irt_buf_printf(&m, "%s: %s", what, irt_error_last());
	r->o->warn(m.ptr, r->o->arg);
	irt_buf_release(&m);
}

/* The case's own warnings (a record that does not parse). */
static void
case_warnings(struct rep *r)
{
	char *w = irt_case_take_warnings(r->c), *p, *nl;

	for (p = w; p != NULL && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (r->o->warn != NULL && *p != '\0')
			r->o->warn(p, r->o->arg);
		if (nl == NULL)
			break;
	}
	free(w);
}

static const char *
nz(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

static const char *
fmt_time(char buf[IRT_TIME_MAX], irt_ns t)
{
	return irt_time_format(buf, t, -1);
}

/* ---- header, summary ---- */

struct last {
	irt_ns t;
};

static int
first_commit(const struct irt_case_logent *e, void *arg)
{
	struct last *l = arg;

	l->t = e->time;
	return 1;
}

static void
section_header(struct rep *r, const struct report_head *h, size_t nhosts)
{
	const char *cols[] = { "field", "value" };
	const char *rows[][2] = {
		{ "case", h->id },
		{ "title", h->title },
		{ "TLP", h->tlp },
		{ "severity", h->severity },
		{ "lead", h->lead },
		{ "status", h->status },
		{ "opened", h->opened },
		{ "last change", h->last },
		{ "report made", h->made },
	};
	char hosts[32];
	size_t i;

	r->ops->table_begin(r->b, "header", cols, 2);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *cells[2] = { rows[i][0], nz(rows[i][1]) };
		r->ops->row(r->b, cells, 2);
	}
	snprintf(hosts, sizeof hosts, "%zu", nhosts);
	{
		const char *cells[2] = { "hosts", hosts };
		r->ops->row(r->b, cells, 2);
	}
	r->ops->table_end(r->b);
}

static bool
has_tag(const struct irt_note *n, const char *tag)
{
	size_t i;

	for (i = 0; i < n->ntags; i++)
		if (strcmp(n->tags[i], tag) == 0 ||
		    (n->tags[i][0] == '#' && strcmp(n->tags[i] + 1, tag) == 0))
			return true;
	return false;
}

static void
section_summary(struct rep *r, const struct irt_note *notes, size_t n)
{
	const struct irt_note *s = NULL;
	char t[IRT_TIME_MAX];
	size_t i;

	r->ops->heading(r->b, 2, "summary", "Summary");
	for (i = 0; i < n; i++)
		if (has_tag(&notes[i], "summary") &&
		    !(r->o->redact && has_tag(&notes[i], "internal")))
			s = &notes[i]; /* the latest */
	if (s == NULL) {
		r->ops->missing(r->b,
		    "No summary yet: add a note tagged summary "
		    "(irt note add -t summary).");
		return;
	}
	irt_buf_clear(&r->tmp);
	irt_buf_printf(&r->tmp, "%s, %s", s->author, fmt_time(t, s->date));
	r->ops->block(r->b, r->tmp.ptr, s->text, s->text_len);
}

/* ---- hosts ---- */

static void
section_hosts(struct rep *r, const struct irt_host *h, size_t n)
{
	const char *cols[] = { "host", "state", "addresses", "role", "since" };
	const char *hcols[] = { "host", "time", "state", "by", "why" };
	size_t i, k;

	r->ops->heading(r->b, 2, "hosts", "Hosts");
	if (n == 0) {
		r->ops->missing(r->b, "No host is recorded in the case.");
		return;
	}
	r->ops->table_begin(r->b, "hosts-table", cols, 5);
	for (i = 0; i < n; i++) {
		const char *since = h[i].nhistory
		    ? h[i].history[h[i].nhistory - 1].time
		    : h[i].added;
		irt_buf_clear(&r->tmp);
		if (r->o->redact && h[i].nips > 0)
			irt_buf_puts(&r->tmp, "[redacted]");
		for (k = 0; !r->o->redact && k < h[i].nips; k++)
			irt_buf_printf(
			    &r->tmp, "%s%s", k ? ", " : "", h[i].ips[k]);
		const char *cells[] = { h[i].name, h[i].state,
			r->tmp.len ? r->tmp.ptr : "-", nz(h[i].role),
			nz(since) };
		r->ops->row(r->b, cells, 5);
	}
	r->ops->table_end(r->b);
	r->ops->heading(r->b, 3, "host-history", "State history");
	r->ops->table_begin(r->b, "host-history-table", hcols, 5);
	for (i = 0; i < n; i++)
		for (k = 0; k < h[i].nhistory; k++) {
			const struct irt_host_change *ch = &h[i].history[k];
			const char *cells[] = { h[i].name, ch->time, ch->state,
				nz(ch->by), nz(ch->why) };
			r->ops->row(r->b, cells, 5);
		}
	r->ops->table_end(r->b);
}

/* ---- incident timeline ---- */

static void
join(struct irt_buf *b, const struct irt_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		irt_buf_printf(b, "%s%s", i ? ", " : "", l->v[i]);
}

static void
section_events(struct rep *r, const struct irt_event *e, size_t n)
{
	const char *cols[] = { "time", "host", "technique", "what happened",
		"links" };
	struct irt_buf tech = IRT_BUF_INIT;
	char t[IRT_TIME_MAX];
	size_t i, k;

	r->ops->heading(r->b, 2, "timeline", "Incident timeline");
	if (n == 0) {
		r->ops->missing(
		    r->b, "No event is recorded yet (irt event add).");
		return;
	}
	r->ops->table_begin(r->b, "timeline-table", cols, 5);
	for (i = 0; i < n; i++) {
		irt_buf_clear(&tech);
		for (k = 0; k < e[i].techniques.n; k++) {
			const char *id = e[i].techniques.v[k];
			const char *tac = irt_attack_tactic(id);
			const char *nm = irt_attack_name(id);
			irt_buf_printf(&tech, "%s%s", k ? ", " : "", id);
			if (nm != NULL)
				irt_buf_printf(&tech, " %s", nm);
			if (tac != NULL)
				irt_buf_printf(&tech, " (%s)", tac);
		}
		irt_buf_clear(&r->tmp);
		if (e[i].iocs.n && !r->o->redact) {
			irt_buf_puts(&r->tmp, "IOC ");
			join(&r->tmp, &e[i].iocs);
			irt_buf_puts(&r->tmp, "; ");
		}
		if (e[i].evidence.n) {
			irt_buf_puts(&r->tmp, "evidence ");
			join(&r->tmp, &e[i].evidence);
			irt_buf_puts(&r->tmp, "; ");
		}
		if (e[i].hits.n) {
			irt_buf_puts(&r->tmp, "hit ");
			join(&r->tmp, &e[i].hits);
			irt_buf_puts(&r->tmp, "; ");
		}
		if (r->tmp.len >= 2)
			r->tmp.ptr[r->tmp.len -= 2] = '\0';
		const char *cells[] = { fmt_time(t, e[i].at), nz(e[i].host),
			tech.len ? tech.ptr : "-", e[i].text,
			r->tmp.len ? r->tmp.ptr : "-" };
		r->ops->row(r->b, cells, 5);
	}
	r->ops->table_end(r->b);
	irt_buf_release(&tech);
}

/* ---- activity chart ---- */

struct tlpoint {
	irt_ns t;
	uint32_t host;
};

struct tlacc {
	struct rep *r;
	struct tlpoint *v;
	size_t n, cap;
	char **hosts;
	size_t nhosts;
	size_t last;      /* the host of the last event */
	const char *host; /* of the source being read, or NULL */
};

static long
host_index(struct tlacc *a, const char *h)
{
	size_t i;
	char **v;

	for (i = a->nhosts; i > 0; i--)
		if (strcmp(a->hosts[i - 1], h) == 0)
			return (long)(i - 1);
	if ((v = realloc(a->hosts, (a->nhosts + 1) * sizeof *v)) == NULL)
		return -1;
	a->hosts = v;
	if ((v[a->nhosts] = strdup(h)) == NULL)
		return -1;
	return (long)a->nhosts++;
}

static int
tl_each(const struct irt_tl_event *ev, void *arg)
{
	struct tlacc *a = arg;
	const char *h = a->host;
	long i;

	if (h == NULL)
		h = irt_tl_event_host(ev);
	if (h == NULL || *h == '\0')
		h = "(no host)";
	/* the same host as the last event, most of the time */
	if (a->nhosts > 0 && strcmp(a->hosts[a->last], h) == 0)
		i = (long)a->last;
	else if ((i = host_index(a, h)) < 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	a->last = (size_t)i;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 65536;
		struct tlpoint *v = realloc(a->v, cap * sizeof *v);
		if (v == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n].t = irt_tl_event_time(ev);
	a->v[a->n++].host = (uint32_t)i;
	return 0;
}

static void
tl_warn(const char *msg, void *arg)
{
	struct tlacc *a = arg;

	if (a->r->o->warn != NULL)
		a->r->o->warn(msg, a->r->o->arg);
}

/* The case's evidence archives, as irt timeline reads them. */
static int
case_archives(struct rep *r, char ***out, size_t *n)
{
	char *dir = NULL, **v = NULL;
	struct dirent *de;
	size_t cnt = 0;
	DIR *d;
	int fd;

	*out = NULL;
	*n = 0;
	if (irt_case_evidence_dir(&dir, r->c) != 0)
		return IRT_ERROR;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		free(dir);
		return irt_error_sys(
		    IRT_EIO, errno, "cannot read '%s'", irt_esc(dir));
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char **nv;
		if (l <= 7 || strcmp(de->d_name + l - 7, ".tar.gz") != 0)
			continue;
		if ((nv = realloc(v, (cnt + 2) * sizeof *v)) == NULL)
			break;
		v = nv;
		if (asprintf(&v[cnt], "%s/%s", dir, de->d_name) < 0)
			break;
		v[++cnt] = NULL;
	}
	closedir(d);
	free(dir);
	if (cnt > 1) {
		size_t i, j;
		for (i = 1; i < cnt; i++)
			for (j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
				char *t = v[j];
				v[j] = v[j - 1];
				v[j - 1] = t;
			}
	}
	*out = v;
	*n = cnt;
	return 0;
}

static int
chart_build(struct rep *r, struct report_chart *ch)
{
	struct tlacc a;
	struct irt_tl_opts to;
	struct irt_tl *tl = NULL;
	char **arch = NULL;
	size_t narch = 0, i, nsrc;
	irt_ns lo, hi, span;
	int rc = 0;

	memset(&a, 0, sizeof a);
	memset(ch, 0, sizeof *ch);
	a.r = r;
	memset(&to, 0, sizeof to);
	to.warn = tl_warn;
	to.arg = &a;
	to.each = tl_each;
	to.each_arg = &a;
	to.no_store = true;
	to.first_time_only = false;
	to.cancel = r->o->cancel;
	if (r->o->ntimelines == 0 && case_archives(r, &arch, &narch) != 0)
		warn(r, "activity chart");
	nsrc = r->o->ntimelines ? r->o->ntimelines : narch;
	if ((rc = irt_tl_new(&tl, &to)) != 0)
		goto out;
	for (i = 0; i < nsrc; i++) {
		const char *spec =
		    r->o->ntimelines ? r->o->timelines[i] : arch[i];
		const char *eq = strchr(spec, '=');
		char *host = NULL;
		if (r->o->ntimelines && eq != NULL && eq > spec &&
		    memchr(spec, '/', (size_t)(eq - spec)) == NULL &&
		    memchr(spec, ':', (size_t)(eq - spec)) == NULL) {
			host = strndup(spec, (size_t)(eq - spec));
			spec = eq + 1;
		}
		a.host = host;
		if (irt_tl_add(tl, spec, NULL) != 0) {
			if (r->o->cancel && *r->o->cancel) {
				free(host);
				rc = IRT_EABORT;
				goto out;
			}
			warn(r, "activity chart");
		}
		a.host = NULL;
		/* the names seen in this source stay in a.hosts */
		free(host);
	}
	if (a.n == 0)
		goto out;
	lo = hi = a.v[0].t;
	for (i = 1; i < a.n; i++) {
		if (a.v[i].t < lo)
			lo = a.v[i].t;
		if (a.v[i].t > hi)
			hi = a.v[i].t;
	}
	ch->bins = r->o->bins ? r->o->bins : IRT_REPORT_BINS;
	/* bins of whole seconds, at least one second wide */
	span = hi / IRT_NS_PER_SEC - lo / IRT_NS_PER_SEC + 1;
	ch->width = ((span + ch->bins - 1) / ch->bins) * IRT_NS_PER_SEC;
	ch->t0 = (lo / IRT_NS_PER_SEC) * IRT_NS_PER_SEC;
	if (lo < 0 && lo % IRT_NS_PER_SEC != 0)
		ch->t0 -= IRT_NS_PER_SEC;
	ch->nhosts = a.nhosts;
	ch->hosts = a.hosts;
	a.hosts = NULL;
	a.nhosts = 0;
	ch->counts = calloc(ch->nhosts * ch->bins, sizeof *ch->counts);
	if (ch->counts == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < a.n; i++) {
		/* in two steps: t - t0 may not fit a multiplication */
		uint64_t k = (uint64_t)((a.v[i].t - ch->t0) / ch->width);
		uint64_t *cell;
		if (k >= ch->bins)
			k = ch->bins - 1;
		cell = &ch->counts[a.v[i].host * ch->bins + k];
		(*cell)++;
		if (*cell > ch->max)
			ch->max = *cell;
	}
	ch->total = a.n;
out:
	for (i = 0; i < a.nhosts; i++)
		free(a.hosts[i]);
	free(a.hosts);
	free(a.v);
	for (i = 0; i < narch; i++)
		free(arch[i]);
	free(arch);
	irt_tl_free(tl);
	return rc;
}

static void
chart_release(struct report_chart *ch)
{
	size_t i;

	for (i = 0; i < ch->nhosts; i++)
		free(ch->hosts[i]);
	free(ch->hosts);
	free(ch->counts);
}

static int
section_chart(struct rep *r)
{
	struct report_chart ch;
	size_t i, k;
	int rc;

	r->ops->heading(r->b, 2, "activity", "Activity per host");
	if (r->o->no_chart) {
		r->ops->missing(r->b, "The chart was left out (--no-chart).");
		return 0;
	}
	if ((rc = chart_build(r, &ch)) != 0) {
		if (rc == IRT_EABORT)
			return rc;
		warn(r, "activity chart");
		r->ops->missing(r->b, "The timelines could not be read.");
		return 0;
	}
	if (ch.total == 0) {
		r->ops->missing(r->b,
		    "No timeline event: the case has no evidence archive "
		    "and no timeline was given (--timeline).");
		chart_release(&ch);
		return 0;
	}
	r->st->timeline_events = ch.total;
	for (i = 0; i < ch.nhosts * ch.bins; i++)
		if (ch.counts[i] != 0)
			r->st->bins++;
	(void)k;
	r->ops->chart(r->b, &ch);
	chart_release(&ch);
	return 0;
}

/* ---- hunt hits ---- */

struct tally {
	char *key;
	uint64_t n;
};

struct tallies {
	struct tally *v;
	size_t n, cap;
};

static int
tally_add(struct tallies *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].key, key) == 0) {
			t->v[i].n++;
			return 0;
		}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct tally *v = realloc(t->v, cap * sizeof *v);
		if (v == NULL)
			return IRT_ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	if ((t->v[t->n].key = strdup(key)) == NULL)
		return IRT_ENOMEM;
	t->v[t->n++].n = 1;
	return 0;
}

static int
by_count(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

static void
tallies_release(struct tallies *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].key);
	free(t->v);
}

struct hits {
	struct rep *r;
	struct tallies rules, hosts;
	uint64_t total;
};

static int
hunt_one(const struct irt_case_record *rec, void *arg)
{
	struct hits *h = arg;
	struct irt_buf path = IRT_BUF_INIT, data = IRT_BUF_INIT;
	struct irt_buf key = IRT_BUF_INIT;
	json_tokener *tok = NULL;
	const char *p, *end, *nl;
	size_t pl = strlen(rec->path);
	int rc = 0;

	(void)rc;
	irt_buf_put(&path, rec->path, pl - strlen("record"));
	irt_buf_puts(&path, "hits.jsonl");
	if (irt_case_read(h->r->c, &data, path.ptr) != 0) {
		warn(h->r, "hunt hits");
		goto out;
	}
	tok = json_tokener_new();
	for (p = data.ptr, end = data.ptr + data.len; tok && p < end;
	     p = nl + 1) {
		json_object *o;
		const char *kind, *title, *host;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl == p)
			continue;
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, p, (int)(nl - p));
		if (o == NULL || !json_object_is_type(o, json_type_object)) {
			if (o != NULL)
				json_object_put(o);
			continue;
		}
		kind = irt_json_get_str(o, "kind");
		title = irt_json_get_str(o, "title");
		host = irt_json_get_str(o, "host");
		irt_buf_clear(&key);
		irt_buf_printf(
		    &key, "%s %s", kind ? kind : "?", title ? title : "?");
		tally_add(&h->rules, key.ptr);
		tally_add(&h->hosts, host ? host : "-");
		h->total++;
		json_object_put(o);
	}
out:
	if (tok != NULL)
		json_tokener_free(tok);
	irt_buf_release(&path);
	irt_buf_release(&data);
	irt_buf_release(&key);
	return 0;
}

static void
section_hits(struct rep *r)
{
	struct hits h;
	const char *rcols[] = { "rule", "hits" };
	const char *hcols[] = { "host", "hits" };
	char num[32];
	size_t i;

	memset(&h, 0, sizeof h);
	h.r = r;
	r->ops->heading(r->b, 2, "hits", "Hunt hits");
	if (irt_case_foreach_record(r->c, "hunts", "/record", hunt_one, &h))
		warn(r, "hunt hits");
	case_warnings(r);
	r->st->hits = (size_t)h.total;
	if (h.total == 0) {
		r->ops->para(
		    r->b, "No hunt recorded in the case found anything.");
		goto out;
	}
	qsort(h.rules.v, h.rules.n, sizeof *h.rules.v, by_count);
	qsort(h.hosts.v, h.hosts.n, sizeof *h.hosts.v, by_count);
	r->ops->heading(r->b, 3, "hits-rule", "By rule");
	r->ops->table_begin(r->b, "hits-by-rule", rcols, 2);
	for (i = 0; i < h.rules.n; i++) {
		/* an IOC's value is in the rule's title */
		const char *key = h.rules.v[i].key;
		snprintf(num, sizeof num, "%" PRIu64, h.rules.v[i].n);
		const char *cells[] = { r->o->redact &&
			        strncmp(key, "ioc ", 4) == 0
			    ? "ioc [redacted]"
			    : key,
			num };
		r->ops->row(r->b, cells, 2);
	}
	r->ops->table_end(r->b);
	r->ops->heading(r->b, 3, "hits-host", "By host");
	r->ops->table_begin(r->b, "hits-by-host", hcols, 2);
	for (i = 0; i < h.hosts.n; i++) {
		snprintf(num, sizeof num, "%" PRIu64, h.hosts.v[i].n);
		const char *cells[] = { h.hosts.v[i].key, num };
		r->ops->row(r->b, cells, 2);
	}
	r->ops->table_end(r->b);
out:
	tallies_release(&h.rules);
	tallies_release(&h.hosts);
}

/* ---- IOCs ---- */

static void
section_iocs(struct rep *r)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct irt_buf d = IRT_BUF_INIT;
	const char *cols[] = { "id", "type", "value (defanged)", "description",
		"source", "TLP" };
	size_t i;

	r->ops->heading(r->b, 2, "iocs", "Indicators of compromise");
	if (irt_ioc_load(r->c, &s, false) != 0) {
		warn(r, "IOCs");
		r->ops->missing(r->b, "The IOCs could not be read.");
		goto out;
	}
	r->st->iocs = s.n;
	if (s.n == 0) {
		r->ops->para(r->b, "No IOC is registered in the case.");
		goto out;
	}
	if (r->o->redact)
		r->ops->para(r->b, "IOC values are left out of this report.");
	r->ops->table_begin(r->b, "iocs-table", cols, 6);
	for (i = 0; i < s.n; i++) {
		const struct irt_ioc *v = &s.v[i];
		irt_buf_clear(&d);
		if (r->o->redact)
			irt_buf_puts(&d, "[redacted]");
		else if (irt_ioc_defang(&d, v->type, v->value) != 0)
			irt_buf_puts(&d, v->value);
		const char *cells[] = { v->id, irt_ioc_type_name(v->type),
			d.ptr, nz(r->o->redact ? NULL : v->description),
			nz(v->source), nz(v->tlp) };
		r->ops->row(r->b, cells, 6);
	}
	r->ops->table_end(r->b);
out:
	irt_buf_release(&d);
	irt_ioc_set_release(&s);
}

/* ---- evidence ---- */

/*
 * Does the item still hash to its record?  The file of that name in the
 * case's evidence folder, else the absolute path the record names; only
 * a regular file is read, opened without following a link and without
 * blocking, so that a FIFO or a device named by a hostile record is
 * refused, not read.
 */
static const char *
evidence_verify(struct rep *r, const struct irt_kv *rec, int dirfd)
{
	const char *name = irt_kv_get(rec, "name");
	const char *want = irt_kv_get(rec, "sha256");
	const char *path = irt_kv_get(rec, "path");
	struct irt_hash *h = NULL;
	struct stat st;
	const char *res;
	char buf[65536];
	ssize_t n;
	int fd;

	(void)r;
	if (name == NULL || want == NULL || strchr(name, '/') ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return "not checked";
	fd = -1;
	errno = ENOENT;
	if (dirfd >= 0)
		fd = openat(dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	/* a file registered where it lies (a memory image) */
	if (fd < 0 && errno == ENOENT && path != NULL && path[0] == '/')
		fd = open(path,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? "missing" : "unreadable";
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return "not a regular file";
	}
	if (irt_hash_new(&h, IRT_HASH_SHA256) != 0) {
		close(fd);
		return "not checked";
	}
	while ((n = read(fd, buf, sizeof buf)) > 0)
		irt_hash_update(h, buf, (size_t)n);
	res = "unreadable";
	if (n == 0 && irt_hash_final(h) == 0)
		res = strcmp(irt_hash_hex(h, IRT_HASH_SHA256), want) == 0
		    ? "ok"
		    : "CHANGED";
	irt_hash_free(h);
	close(fd);
	return res;
}

static void
section_evidence(struct rep *r)
{
	struct irt_kv *v = NULL;
	struct irt_evidence_event ev[64];
	const char *cols[] = { "id", "name", "host", "SHA-256", "size",
		"holder", "verifies now" };
	const char *ccols[] = { "evidence", "time", "action", "by", "to",
		"note" };
	char *dir = NULL;
	size_t n = 0, i, k, ne;
	int dirfd = -1;

	r->ops->heading(r->b, 2, "evidence", "Evidence");
	if (irt_evidence_list(r->c, &v, &n) != 0) {
		warn(r, "evidence");
		r->ops->missing(
		    r->b, "The evidence records could not be read.");
		return;
	}
	case_warnings(r);
	r->st->evidence = n;
	if (n == 0) {
		r->ops->para(r->b, "No evidence is recorded in the case.");
		goto out;
	}
	if (irt_case_evidence_dir(&dir, r->c) == 0)
		dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r->ops->table_begin(r->b, "evidence-table", cols, 7);
	for (i = 0; i < n; i++) {
		const char *cells[] = { nz(irt_kv_get(&v[i], "id")),
			nz(irt_kv_get(&v[i], "name")),
			nz(irt_kv_get(&v[i], "host")),
			nz(irt_kv_get(&v[i], "sha256")),
			nz(irt_kv_get(&v[i], "size")),
			nz(irt_kv_get(&v[i], "holder")),
			evidence_verify(r, &v[i], dirfd) };
		r->ops->row(r->b, cells, 7);
	}
	r->ops->table_end(r->b);
	r->ops->heading(r->b, 3, "custody", "Chain of custody");
	r->ops->table_begin(r->b, "custody-table", ccols, 6);
	for (i = 0; i < n; i++) {
		ne = irt_evidence_events(&v[i], ev, sizeof ev / sizeof *ev);
		for (k = 0; k < ne; k++) {
			const char *cells[] = { nz(irt_kv_get(&v[i], "id")),
				nz(ev[k].time), nz(ev[k].action), nz(ev[k].by),
				nz(ev[k].to), nz(ev[k].note) };
			r->ops->row(r->b, cells, 6);
		}
	}
	r->ops->table_end(r->b);
out:
	if (dirfd >= 0)
		close(dirfd);
	free(dir);
	irt_evidence_list_free(v, n);
}

/* ---- checklists, isolations ---- */

static void
section_checklists(struct rep *r)
{
	const char *cols[] = { "checklist", "host", "title", "done", "skipped",
		"steps", "next" };
	char **names = NULL, d[16], s[16], t[16];
	size_t i, k;

	r->ops->heading(r->b, 2, "checklists", "Checklists");
	if (irt_checklist_started(r->c, &names) != 0) {
		warn(r, "checklists");
		r->ops->missing(r->b, "The checklists could not be read.");
		return;
	}
	if (names[0] == NULL) {
		r->ops->para(r->b, "No checklist was started.");
		irt_strv_free(names);
		return;
	}
	r->ops->table_begin(r->b, "checklists-table", cols, 7);
	for (i = 0; names[i] != NULL; i++) {
		struct irt_checklist *cl = NULL;
		size_t done = 0, skipped = 0;
		const char *next = "-";
		if (irt_checklist_open(r->c, &cl, NULL, names[i]) != 0) {
			warn(r, "checklists");
			continue;
		}
		for (k = 0; k < cl->nsteps; k++) {
			if (cl->steps[k].state == IRT_STEP_DONE)
				done++;
			else if (cl->steps[k].state == IRT_STEP_SKIPPED)
				skipped++;
			else if (strcmp(next, "-") == 0)
				next = cl->steps[k].id;
		}
		snprintf(d, sizeof d, "%zu", done);
		snprintf(s, sizeof s, "%zu", skipped);
		snprintf(t, sizeof t, "%zu", cl->nsteps);
		const char *cells[] = { names[i], nz(cl->host), nz(cl->title),
			d, s, t, next };
		r->ops->row(r->b, cells, 7);
		r->st->checklists++;
		irt_checklist_free(cl);
	}
	r->ops->table_end(r->b);
	irt_strv_free(names);
}

static void
section_isolations(struct rep *r)
{
	const char *cols[] = { "isolation", "time", "action", "by", "allowed" };
	struct irt_buf p = IRT_BUF_INIT, data = IRT_BUF_INIT;
	char **ids = NULL, **files = NULL;
	size_t i, k, rows = 0;

	r->ops->heading(r->b, 2, "isolations", "Isolations");
	if (irt_case_list(r->c, &ids, "isolation") != 0) {
		warn(r, "isolations");
		r->ops->missing(r->b, "The isolations could not be read.");
		return;
	}
	for (i = 0; ids[i] != NULL; i++) {
		irt_buf_clear(&p);
		irt_buf_printf(&p, "isolation/%s", ids[i]);
		if (irt_case_list(r->c, &files, p.ptr) != 0)
			continue;
		for (k = 0; files[k] != NULL; k++) {
			struct irt_kv kv = IRT_KV_INIT;
			size_t l = strlen(files[k]);
			if (l <= 7 || strcmp(files[k] + l - 7, ".record"))
				continue;
			irt_buf_clear(&p);
			irt_buf_printf(&p, "isolation/%s/%s", ids[i], files[k]);
			irt_buf_clear(&data);
			if (irt_case_read(r->c, &data, p.ptr) != 0 ||
			    irt_kv_parse(&kv, data.ptr, data.len, p.ptr) != 0) {
				warn(r, "isolations");
				continue;
			}
			if (rows++ == 0)
				r->ops->table_begin(
				    r->b, "isolations-table", cols, 5);
			const char *cells[] = { ids[i],
				nz(irt_kv_get(&kv, "time")),
				nz(irt_kv_get(&kv, "action")),
				nz(irt_kv_get(&kv, "by")),
				r->o->redact && irt_kv_get(&kv, "allow")
				    ? "[redacted]"
				    : nz(irt_kv_get(&kv, "allow")) };
			r->ops->row(r->b, cells, 5);
			irt_kv_release(&kv);
		}
		irt_strv_free(files);
		files = NULL;
	}
	if (rows > 0)
		r->ops->table_end(r->b);
	else
		r->ops->para(r->b, "No host was isolated with irt isolate.");
	irt_strv_free(ids);
	irt_buf_release(&p);
	irt_buf_release(&data);
}

/* ---- notes, integrity ---- */

static void
section_notes(struct rep *r, const struct irt_note *notes, size_t n)
{
	char t[IRT_TIME_MAX];
	size_t i, shown = 0, left = 0;

	r->ops->heading(r->b, 2, "notes", "Appendix: notes");
	for (i = 0; i < n; i++) {
		const struct irt_note *v = &notes[i];
		size_t k;
		if (r->o->redact && has_tag(v, "internal")) {
			left++;
			continue;
		}
		irt_buf_clear(&r->tmp);
		irt_buf_printf(&r->tmp, "%s, %s, %s", fmt_time(t, v->date),
		    v->author, v->id);
		if (v->host != NULL)
			irt_buf_printf(&r->tmp, ", host %s", v->host);
		for (k = 0; k < v->ntags; k++)
			irt_buf_printf(
			    &r->tmp, "%s%s", k ? " #" : ", #", v->tags[k]);
		r->ops->block(r->b, r->tmp.ptr, v->text, v->text_len);
		shown++;
	}
	r->st->notes = shown;
	if (shown == 0 && left == 0)
		r->ops->para(r->b, "The case holds no note.");
	if (left > 0) {
		irt_buf_clear(&r->tmp);
		irt_buf_printf(&r->tmp,
		    "%zu note%s tagged internal left out of this report.", left,
		    left == 1 ? " is" : "s are");
		r->ops->para(r->b, r->tmp.ptr);
	}
}

static void
section_integrity(struct rep *r, const char *made)
{
	struct irt_case_verify_report vr;
	const char *cols[] = { "check", "result" };
	char head[IRT_OID_HEX] = "", res[160];
	size_t i;

	memset(&vr, 0, sizeof vr);
	r->ops->heading(r->b, 2, "integrity", "Integrity");
	if (irt_case_head(r->c, head) != 0)
		warn(r, "integrity");
	if (irt_case_verify(r->c, &vr, NULL) != 0) {
		warn(r, "integrity");
		snprintf(res, sizeof res, "could not run: see the warnings");
	} else if (vr.nproblems == 0)
		snprintf(res, sizeof res,
		    "verified: %zu commits, %zu objects, %zu records",
		    vr.ncommits, vr.nobjects, vr.nrecords);
	else
		snprintf(res, sizeof res, "FAILED: %zu problem%s", vr.nproblems,
		    vr.nproblems == 1 ? "" : "s");
	r->st->problems = vr.nproblems;
	r->ops->table_begin(r->b, "integrity-table", cols, 2);
	{
		const char *c1[] = { "head commit", nz(head) };
		const char *c2[] = { "irt case verify", res };
		const char *c3[] = { "report made", made };
		r->ops->row(r->b, c1, 2);
		r->ops->row(r->b, c2, 2);
		r->ops->row(r->b, c3, 2);
	}
	for (i = 0; i < vr.nproblems && i < 100; i++) {
		const char *cp[] = { "problem", vr.problems[i] };
		r->ops->row(r->b, cp, 2);
	}
	r->ops->table_end(r->b);
	r->ops->para(r->b,
	    "This report was made from the case at the head commit above; "
	    "'irt case verify --expect' with that commit checks that a copy "
	    "of the case holds the same history.");
	irt_case_verify_report_release(&vr);
}

int
irt_report_make(struct irt_buf *out, struct irt_case *c,
    const struct irt_report_opts *o, struct irt_report_stats *st)
{
	struct irt_report_stats dummy;
	struct rep r;
	struct report_head h;
	struct irt_note *notes = NULL;
	struct irt_host *hosts = NULL;
	struct irt_event *events = NULL;
	size_t nnotes = 0, nhosts = 0, nevents = 0;
	const struct irt_kv *conf = irt_case_conf(c);
	char made[IRT_TIME_MAX], last[IRT_TIME_MAX], opened[IRT_TIME_MAX];
	struct last l = { 0 };
	int rc = 0;

	if (st == NULL)
		st = &dummy;
	memset(st, 0, sizeof *st);
	memset(&r, 0, sizeof r);
	r.c = c;
	r.o = o;
	r.ops = o->format == IRT_REPORT_MD ? &report_md_ops : &report_html_ops;
	r.b = out;
	r.st = st;

	if (irt_note_list(c, &notes, &nnotes, NULL) != 0) {
		warn(&r, "notes");
		nnotes = 0;
	}
	if (irt_host_list(c, &hosts, &nhosts) != 0) {
		warn(&r, "hosts");
		nhosts = 0;
	}
	if (irt_event_list(c, &events, &nevents, false) != 0) {
		warn(&r, "incident timeline");
		nevents = 0;
	}
	case_warnings(&r);
	st->hosts = nhosts;
	st->events = nevents;

	memset(&h, 0, sizeof h);
	h.id = irt_kv_get(conf, "id");
	h.title = irt_kv_get(conf, "title");
	h.tlp = irt_kv_get(conf, "tlp");
	h.severity = irt_kv_get(conf, "severity");
	h.lead = irt_kv_get(conf, "lead");
	h.status = irt_kv_get(conf, "status");
	if (h.status == NULL)
		h.status = "open";
	h.opened = irt_kv_get(conf, "created");
	if (h.opened == NULL && nnotes > 0)
		h.opened = fmt_time(opened, notes[0].date);
	irt_case_log(c, NULL, first_commit, &l);
	h.last = l.t ? irt_time_format(last, l.t, 0) : NULL;
	h.made = irt_time_format(made, o->now ? o->now : irt_now(), 0);
	h.redacted = o->redact;

	r.ops->begin(out, &h);
	section_header(&r, &h, nhosts);
	section_summary(&r, notes, nnotes);
	section_hosts(&r, hosts, nhosts);
	section_events(&r, events, nevents);
	if ((rc = section_chart(&r)) != 0)
		goto out;
	section_hits(&r);
	section_iocs(&r);
	section_evidence(&r);
	section_checklists(&r);
	section_isolations(&r);
	section_notes(&r, notes, nnotes);
	section_integrity(&r, h.made);
	r.ops->end(out);
	case_warnings(&r);
	if (out->ptr == NULL ||
	    (out->len > 0 && out->ptr[out->len - 1] != '\n'))
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
out:
	irt_note_list_free(notes, nnotes);
	irt_host_list_free(hosts, nhosts);
	irt_event_list_free(events, nevents);
	irt_buf_release(&r.tmp);
	return rc;
}
