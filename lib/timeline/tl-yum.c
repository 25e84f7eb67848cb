/*
 * yum and dnf logs.
 *
 * yum.log: "May 01 10:00:00 Installed: pkg-1.2-3.x86_64", no year: the
 * year comes from the file's mtime and the month rollovers going
 * backwards, as for traditional syslog (or --year).
 *
 * dnf.log, dnf.rpm.log, dnf.librepo.log, hawkey.log, dnf5.log:
 * "2024-05-01T10:00:00+0000 INFO message" (or "...Z SUBDEBUG ...", dnf5:
 * "... [1234] INFO ..."); a line without a time stamp continues the
 * message before it (dnf writes its transaction tables so).
 *
 * Package changes ("Installed: NEVRA", "Upgrade: ...", "Erased: ...")
 * have their action and package as fields.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

enum { T_YUM, T_DNF };

static const struct tl_dtype dt_yum = { "yum:log", "Recorded Time", "LOG" };
static const struct tl_dtype dt_dnf = { "dnf:log", "Recorded Time", "LOG" };
static const struct tl_dtype *const types[] = {
	[T_YUM] = &dt_yum, [T_DNF] = &dt_dnf, NULL
};

enum {
	F_LEVEL,
	F_PID,
	F_ACTION,
	F_PACKAGE,
	F_VERSION,
	F_ARCH,
	F_COMMANDLINE,
};

static const char *const fields[] = { [F_LEVEL] = "level",
	[F_PID] = "pid",
	[F_ACTION] = "action",
	[F_PACKAGE] = "package",
	[F_VERSION] = "version",
	[F_ARCH] = "arch",
	[F_COMMANDLINE] = "commandline",
	NULL };

/*
 * The words of package changes and their action: yum's past tenses are
 * the changes made; dnf's present tenses are the changes made and its
 * past tenses the packages they replaced ("Upgrade: new", "Upgraded:
 * old").
 */
static const struct {
	const char *word, *action;
} actions[] = {
	{ "Installed", "install" },
	{ "Dep-Installed", "install" },
	{ "Updated", "upgrade" },
	{ "Erased", "erase" },
	{ "Install", "install" },
	{ "Upgrade", "upgrade" },
	{ "Upgraded", "upgraded" },
	{ "Downgrade", "downgrade" },
	{ "Downgraded", "downgraded" },
	{ "Erase", "erase" },
	{ "Removed", "erase" },
	{ "Reinstall", "reinstall" },
	{ "Reinstalled", "reinstalled" },
	{ "Obsolete", "obsolete" },
	{ "Obsoleted", "obsoleted" },
};

static const char *const levels[] = { "DEBUG", "DDEBUG", "SUBDEBUG", "INFO",
	"WARNING", "ERROR", "CRITICAL", "TRACE", NULL };

static bool
starts(const char *s, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - s) >= n && memcmp(s, lit, n) == 0;
}

/*
 * "pkg-1.2-3.el9.x86_64" (with an epoch "1:" before the name as yum
 * writes it, or before the version as dnf does): name, [epoch:]version-
 * release and arch; a word without two dashes is the name alone.  ver
 * holds the version when the epoch moves.
 */
static int
package_fields(
    struct tl_ev *e, struct irt_buf *ver, const char *s, const char *end)
{
	size_t len = (size_t)(end - s), i, rel = 0, v = 0, dot = 0, ep = 0;

	for (i = len; i > 0; i--)
		if (s[i - 1] == '-') {
			if (rel == 0)
				rel = i - 1;
			else {
				v = i - 1;
				break;
			}
		}
	if (v == 0) {
		tl_ev_add(e, F_PACKAGE, s, len);
		return 0;
	}
	for (i = len - 1; i > rel; i--)
		if (s[i] == '.') {
			dot = i;
			break;
		}
	if (dot == 0)
		dot = len;
	/* yum's "1:name-..." */
	while (ep < v && isdigit((unsigned char)s[ep]))
		ep++;
	if (ep == 0 || ep == v || s[ep] != ':')
		ep = 0;
	tl_ev_add(e, F_PACKAGE, s + (ep ? ep + 1 : 0), v - (ep ? ep + 1 : 0));
	if (ep > 0) {
		/* the epoch before the version, as rpm writes it */
		irt_buf_clear(ver);
		if (irt_buf_put(ver, s, ep + 1) != 0 ||
		    irt_buf_put(ver, s + v + 1, dot - v - 1) != 0)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		tl_ev_add(e, F_VERSION, ver->ptr, ver->len);
	} else
		tl_ev_add(e, F_VERSION, s + v + 1, dot - v - 1);
	if (dot + 1 < len)
		tl_ev_add(e, F_ARCH, s + dot + 1, len - dot - 1);
	return 0;
}

/* "Installed: NEVRA" at m: the action and the package. */
static int
change_fields(
    struct tl_ev *e, struct irt_buf *ver, const char *m, const char *end)
{
	const char *c = memchr(m, ':', (size_t)(end - m)), *v;
	size_t i, wl;

	if (c == NULL || c + 2 > end || c[1] != ' ')
		return 0;
	wl = (size_t)(c - m);
	for (i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (strlen(actions[i].word) == wl &&
		    memcmp(actions[i].word, m, wl) == 0)
			break;
	if (i == sizeof actions / sizeof actions[0])
		return 0;
	v = c + 2;
	while (v < end && *v == ' ')
		v++;
	while (end > v && end[-1] == ' ')
		end--;
	/* one package, no spaces in it */
	if (v == end || memchr(v, ' ', (size_t)(end - v)) != NULL)
		return 0;
	tl_ev_adds(e, F_ACTION, actions[i].action);
	return package_fields(e, ver, v, end);
}

/* ---- yum.log ---- */

static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

/* "Mmm dd hh:mm:ss " at s: 16, or 0 when it is none, -1 when the date
 * or time is impossible. */
static int
yum_stamp(const char *s, size_t len, int *mo, int *d, int *secs)
{
	int h, mi, se;

	if (len < 16 || (*mo = tl_month(s)) == 0 || s[3] != ' ' ||
	    s[6] != ' ' || s[9] != ':' || s[12] != ':' || s[15] != ' ')
		return 0;
	*d = s[4] == ' ' ? tl_num(s + 5, 1) : tl_num(s + 4, 2);
	h = tl_num(s + 7, 2);
	mi = tl_num(s + 10, 2);
	se = tl_num(s + 13, 2);
	if (*d < 0 || h < 0 || mi < 0 || se < 0)
		return 0;
	if (*d < 1 || *d > mdays[*mo - 1] || h > 23 || mi > 59 || se > 60)
		return -1;
	*secs = h * 3600 + mi * 60 + se;
	return 16;
}

struct yum {
	bool count; /* pass 1: months only */
	int year, prev_mo;
	int rollovers, last_mo, last_d;
	struct irt_buf ver;
};

static int
yum_line(struct tl_pctx *p, struct yum *y, const char *line, size_t len)
{
	struct tl_ev e;
	int mo, d, secs, n, rc;
	irt_ns t;

	if (len == 0)
		return 0;
	n = yum_stamp(line, len, &mo, &d, &secs);
	if (n <= 0) {
		if (y->count)
			return 0;
		return tl_warn_line(p,
		    n < 0 ? "impossible date, line skipped"
		          : "not a yum.log line, skipped");
	}
	if (y->count) {
		if (y->last_mo && mo < y->last_mo)
			y->rollovers++;
		y->last_mo = mo;
		y->last_d = d;
		return 0;
	}
	if (y->prev_mo && mo < y->prev_mo)
		y->year++;
	y->prev_mo = mo;
	if (irt_time_civil(&t, y->year, mo, d, secs / 3600, secs / 60 % 60,
	        secs % 60, 0, 0) != 0)
		return tl_warn_line(p, "%s, line skipped", irt_error_last());
	tl_ev_init(&e, T_YUM, t);
	e.msg = line + n;
	e.msg_len = len - (size_t)n;
	if ((rc = change_fields(&e, &y->ver, e.msg, line + len)) != 0)
		return rc;
	return tl_emit(p, &e);
}

static int
yum_pass(struct tl_pctx *p, struct yum *y, struct tl_stream *s)
{
	struct tl_lines lr;
	const char *line;
	size_t len;
	int rc;

	p->line = 0;
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1)
		if ((rc = yum_line(p, y, line, len)) != 0)
			break;
	tl_lines_free(&lr);
	return rc < 0 ? rc : 0;
}

static int
parse_yum_log(struct tl_pctx *p, struct tl_stream *s)
{
	struct yum y;
	struct tl_replay r;
	int rc;

	memset(&y, 0, sizeof y);
	if (tl_year_opt(p) > 0) {
		y.year = tl_year_opt(p);
		rc = yum_pass(p, &y, s);
		irt_buf_release(&y.ver);
		return rc;
	}
	if ((rc = tl_replay_open(p, &r, s)) != 0)
		return rc;
	{
		/* pass 1 counts month rollovers; its warnings (a line too
		 * long) come again in pass 2 */
		struct tl_pctx quiet = *p;
		quiet.quiet = true;
		y.count = true;
		rc = yum_pass(&quiet, &y, r.in);
	}
	if (rc == 0)
		rc = tl_replay_again(p, &r);
	if (rc == 0) {
		y.year = tl_year_first(p->mtime ? p->mtime : irt_now(),
		    y.rollovers, y.last_mo, y.last_d);
		y.count = false;
		rc = yum_pass(p, &y, r.in);
	}
	tl_replay_close(&r);
	irt_buf_release(&y.ver);
	return rc;
}

/* ---- dnf logs ---- */

/*
 * "2024-05-01T10:00:00+0000 " (fraction optional; Z, +hhmm or +hh:mm) at
 * s: its length with the blank, 0 when it is none, -1 when it is no time
 * irt holds (the error says why).
 */
static int
dnf_stamp(const char *s, size_t len, irt_ns *t)
{
	int n = tl_rfc3339(s, len, t);

	if (n <= 0)
		return n;
	if ((size_t)n >= len || s[n] != ' ')
		return 0;
	return n + 1;
}

/* A record and the lines that continue it. */
struct dnf {
	struct irt_buf b;
	irt_ns t;
	uint64_t line;
	bool have, cut;
	size_t off; /* of the message in b */
	struct irt_buf ver;
};

static int
dnf_flush(struct tl_pctx *p, struct dnf *r)
{
	const char *s, *end, *w;
	struct tl_ev e;
	uint64_t keep = p->line;
	size_t wl, i;
	int rc = 0;

	if (!r->have)
		return 0;
	r->have = false;
	p->line = r->line;
	if (r->cut)
		rc = tl_warn_line(
		    p, "message longer than %u bytes, cut", TL_LINE_MAX);
	s = r->b.ptr + r->off;
	end = r->b.ptr + r->b.len;
	tl_ev_init(&e, T_DNF, r->t);
	e.msg = s;
	e.msg_len = (size_t)(end - s);
	/* dnf5: "[1234] " */
	if (s < end && *s == '[') {
		const char *q = s + 1;
		while (q < end && isdigit((unsigned char)*q))
			q++;
		if (q > s + 1 && starts(q, end, "] ")) {
			tl_ev_add(&e, F_PID, s + 1, (size_t)(q - s - 1));
			s = q + 2;
		}
	}
	w = s;
	for (wl = 0; w + wl < end && w[wl] != ' '; wl++)
		;
	for (i = 0; levels[i] != NULL; i++)
		if (strlen(levels[i]) == wl && memcmp(levels[i], w, wl) == 0)
			break;
	if (levels[i] != NULL) {
		const char *m = w + wl, *nl;
		tl_ev_add(&e, F_LEVEL, w, wl);
		while (m < end && *m == ' ')
			m++;
		/* the message after the level (it is a field) */
		e.msg = m;
		e.msg_len = (size_t)(end - m);
		/* only the first line of a record is looked into */
		nl = memchr(m, '\n', (size_t)(end - m));
		if (starts(m, end, "Command: "))
			tl_ev_add(&e, F_COMMANDLINE, m + 9,
			    (size_t)((nl ? nl : end) - m - 9));
		else if (rc == 0)
			rc = change_fields(&e, &r->ver, m, nl ? nl : end);
	}
	if (rc == 0)
		rc = tl_emit(p, &e);
	p->line = keep;
	irt_buf_clear(&r->b);
	r->cut = false;
	return rc;
}

static int
parse_dnf(struct tl_pctx *p, struct tl_stream *s)
{
	struct dnf r;
	struct tl_lines lr;
	const char *line;
	size_t len;
	irt_ns t;
	int rc, n;

	memset(&r, 0, sizeof r);
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1) {
		if (len == 0)
			continue;
		n = dnf_stamp(line, len, &t);
		if (n < 0) {
			if ((rc = dnf_flush(p, &r)) != 0 ||
			    (rc = tl_warn_line(
			         p, "%s, line skipped", irt_error_last())) != 0)
				break;
			continue;
		}
		if (n == 0) {
			/* the record before goes on */
			if (!r.have) {
				if ((rc = tl_warn_line(p,
				         "not a dnf log line, skipped")) != 0)
					break;
				continue;
			}
			if (r.cut)
				continue;
			if (r.b.len + 1 + len > TL_LINE_MAX) {
				r.cut = true;
				continue;
			}
			if (irt_buf_putc(&r.b, '\n') != 0 ||
			    irt_buf_put(&r.b, line, len) != 0) {
				rc = irt_error_set(IRT_ENOMEM, "out of memory");
				break;
			}
			continue;
		}
		if ((rc = dnf_flush(p, &r)) != 0)
			break;
		r.have = true;
		r.t = t;
		r.line = p->line;
		r.off = 0;
		if (irt_buf_put(&r.b, line + n, len - (size_t)n) != 0) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			break;
		}
	}
	if (rc == 0)
		rc = dnf_flush(p, &r);
	tl_lines_free(&lr);
	irt_buf_release(&r.b);
	irt_buf_release(&r.ver);
	return rc < 0 ? rc : 0;
}

/*
 * The first line of the head with a time stamp says which: yum.log's
 * "Mmm dd hh:mm:ss", or dnf's RFC 3339 (also when there is none).
 */
static int
parse_yum(struct tl_pctx *p, struct tl_stream *s)
{
	char head[4096];
	const char *l, *end, *nl;
	ssize_t n = tl_peek(s, head, sizeof head);
	int mo, d, secs;
	irt_ns t;

	for (l = head, end = head + (n > 0 ? n : 0); l < end; l = nl + 1) {
		nl = memchr(l, '\n', (size_t)(end - l));
		if (nl == NULL)
			nl = end;
		if (yum_stamp(l, (size_t)(nl - l), &mo, &d, &secs) != 0)
			return parse_yum_log(p, s);
		if (dnf_stamp(l, (size_t)(nl - l), &t) != 0)
			break;
	}
	return parse_dnf(p, s);
}

static bool
by_name(const char *name, const char *path)
{
	static const char *const names[] = { "yum.log", "dnf.log",
		"dnf.rpm.log", "dnf.librepo.log", "hawkey.log", "dnf5.log",
		NULL };
	size_t i;

	(void)path;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/*
 * "May 01 10:00:00 Installed: " or "2024-05-01T10:00:00+0000 INFO ": a
 * syslog line could start so, but would have to name its host after a
 * package action or a dnf log level; these are surer than syslog's.
 */
static int
by_content(const struct tl_head *h)
{
	const char *d = h->line, *end = h->line + h->line_len, *w;
	int mo, dd, secs, n;
	size_t i, wl;
	irt_ns t;

	if (yum_stamp(d, h->line_len, &mo, &dd, &secs) > 0) {
		const char *c = memchr(d + 16, ':', (size_t)(end - d - 16));
		if (c == NULL || c + 1 >= end || c[1] != ' ')
			return TL_NO;
		for (i = 0; i < sizeof actions / sizeof actions[0]; i++)
			if (strlen(actions[i].word) == (size_t)(c - d - 16) &&
			    memcmp(actions[i].word, d + 16,
			        (size_t)(c - d - 16)) == 0)
				return TL_SURE;
		return TL_NO;
	}
	if ((n = dnf_stamp(d, h->line_len, &t)) <= 0)
		return TL_NO;
	w = d + n;
	if (w < end && *w == '[') /* dnf5's pid */
		while (w < end && *w++ != ' ')
			;
	for (wl = 0; w + wl < end && w[wl] != ' '; wl++)
		;
	for (i = 0; levels[i] != NULL; i++)
		if (strlen(levels[i]) == wl && memcmp(levels[i], w, wl) == 0 &&
		    w + wl < end)
			return TL_SURE;
	return TL_NO;
}

static const char *const aliases[] = { "dnf", NULL };

const struct tl_source tl_source_yum = {
	.name = "yum",
	.aliases = aliases,
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_yum,
};
