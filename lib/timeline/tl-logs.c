/*
 * Line-oriented host logs: dpkg.log, apt's history.log, Apache/nginx
 * access logs (common and combined) and audit.log (records grouped into
 * one event by msg=audit(sec.ms:serial)).
 */
#include <ctype.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

static int
num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

static bool
date_ok(int y, int mo, int d, int h, int mi, int s)
{
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h < 0 ||
	    h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
		return false;
	if (mo == 2 && d == 29 &&
	    !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

/* "YYYY-MM-DD HH:MM:SS" (sep: the number of spaces between) */
static bool
ymd_hms(const char *s, size_t len, size_t sep, irt_ns *t)
{
	int y, mo, d, h, mi, se;

	if (len < 18 + sep || s[4] != '-' || s[7] != '-' ||
	    s[12 + sep] != ':' || s[15 + sep] != ':')
		return false;
	y = num(s, 4);
	mo = num(s + 5, 2);
	d = num(s + 8, 2);
	h = num(s + 10 + sep, 2);
	mi = num(s + 13 + sep, 2);
	se = num(s + 16 + sep, 2);
	if (!date_ok(y, mo, d, h, mi, se))
		return false;
	*t = (irt_ns)irt_timegm(y, mo, d, h, mi, se) * IRT_NS_PER_SEC;
	return true;
}

/* ---- dpkg ---- */

static int
dpkg_line(struct tl_pctx *p, const char *line, size_t len)
{
	struct tl_ev e;
	const char *s, *end = line + len, *w, *last = NULL;
	size_t wl, lastl = 0;
	irt_ns t;
	int i;

	if (len == 0)
		return 0;
	if (!ymd_hms(line, len, 1, &t) || len < 20)
		return tl_warn_line(p, "not a dpkg.log line, skipped");
	tl_ev_init(&e, TL_T_DPKG, t);
	s = line + 20;
	e.msg = s;
	e.msg_len = (size_t)(end - s);
	w = tl_word(&s, end, &wl);
	tl_ev_add(&e, TL_K_ACTION, w, wl);
	if (wl == 7 && memcmp(w, "startup", 7) == 0)
		return tl_emit(p, &e);
	if (wl == 6 && memcmp(w, "status", 6) == 0) {
		w = tl_word(&s, end, &wl); /* the state */
		tl_ev_add(&e, TL_K_RESULT, w, wl);
	}
	w = tl_word(&s, end, &wl);
	tl_ev_add(&e, TL_K_PACKAGE, w, wl);
	for (i = 0; i < 3; i++) {
		const char *x = tl_word(&s, end, &wl);
		if (wl == 0)
			break;
		last = x;
		lastl = wl;
	}
	if (last != NULL)
		tl_ev_add(&e, TL_K_VERSION, last, lastl);
	return tl_emit(p, &e);
}

int
tl_parse_dpkg(struct tl_pctx *p, struct tl_stream *s)
{
	return tl_each_line(p, s, dpkg_line);
}

/* ---- apt history.log ---- */

struct apt {
	irt_ns t;
	bool open;
	uint64_t line;
	struct irt_buf msg, cmd, by, action, pkgs;
};

static int
apt_flush(struct tl_pctx *p, struct apt *a)
{
	struct tl_ev e;
	int rc;
	uint64_t keep = p->line;

	if (!a->open)
		return 0;
	a->open = false;
	tl_ev_init(&e, TL_T_APT, a->t);
	e.msg = a->msg.ptr;
	e.msg_len = a->msg.len;
	if (a->cmd.len)
		tl_ev_add(&e, TL_K_COMMANDLINE, a->cmd.ptr, a->cmd.len);
	if (a->by.len)
		tl_ev_add(&e, TL_K_REQUESTED_BY, a->by.ptr, a->by.len);
	if (a->action.len)
		tl_ev_add(&e, TL_K_ACTION, a->action.ptr, a->action.len);
	if (a->pkgs.len)
		tl_ev_add(&e, TL_K_PACKAGE, a->pkgs.ptr, a->pkgs.len);
	p->line = a->line;
	rc = tl_emit(p, &e);
	p->line = keep;
	return rc;
}

static bool
is_key(const char *s, size_t len, const char *key)
{
	return strlen(key) == len && memcmp(s, key, len) == 0;
}

static int
apt_line(struct tl_pctx *p, struct apt *a, const char *line, size_t len)
{
	const char *colon, *v;
	size_t klen, vlen;
	irt_ns t;
	int rc;

	if (len == 0)
		return 0;
	colon = memchr(line, ':', len);
	if (colon == NULL || colon + 1 >= line + len || colon[1] != ' ')
		return tl_warn_line(p, "not an apt history line, skipped");
	klen = (size_t)(colon - line);
	v = colon + 2;
	vlen = (size_t)(line + len - v);
	if (klen == 10 && memcmp(line, "Start-Date", 10) == 0) {
		if ((rc = apt_flush(p, a)) != 0)
			return rc;
		/* "2024-01-02  03:04:05": two spaces */
		if (!ymd_hms(v, vlen, 2, &t) && !ymd_hms(v, vlen, 1, &t))
			return tl_warn_line(p, "bad Start-Date, block skipped");
		a->t = t;
		a->open = true;
		a->line = p->line;
		irt_buf_clear(&a->msg);
		irt_buf_clear(&a->cmd);
		irt_buf_clear(&a->by);
		irt_buf_clear(&a->action);
		irt_buf_clear(&a->pkgs);
		return 0;
	}
	if (klen == 8 && memcmp(line, "End-Date", 8) == 0)
		return apt_flush(p, a);
	if (!a->open)
		return tl_warn_line(p,
		    "apt history line outside a block, "
		    "skipped");
	if (a->msg.len)
		irt_buf_puts(&a->msg, "; ");
	irt_buf_put(&a->msg, line, len);
	if (klen == 11 && memcmp(line, "Commandline", 11) == 0)
		irt_buf_put(&a->cmd, v, vlen);
	else if (klen == 12 && memcmp(line, "Requested-By", 12) == 0)
		irt_buf_put(&a->by, v, vlen);
	else if (is_key(line, klen, "Install") ||
	    is_key(line, klen, "Upgrade") || is_key(line, klen, "Remove") ||
	    is_key(line, klen, "Purge") || is_key(line, klen, "Downgrade") ||
	    is_key(line, klen, "Reinstall")) {
		if (a->action.len) {
			irt_buf_putc(&a->action, ',');
			irt_buf_puts(&a->pkgs, "; ");
		}
		irt_buf_put(&a->action, line, klen);
		irt_buf_put(&a->pkgs, v, vlen);
	}
	return 0;
}

int
tl_parse_apt(struct tl_pctx *p, struct tl_stream *s)
{
	struct tl_lines lr;
	struct apt a;
	const char *line;
	size_t len;
	int rc;

	memset(&a, 0, sizeof a);
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1)
		if ((rc = apt_line(p, &a, line, len)) != 0)
			break;
	if (rc == 0)
		rc = apt_flush(p, &a);
	tl_lines_free(&lr);
	irt_buf_release(&a.msg);
	irt_buf_release(&a.cmd);
	irt_buf_release(&a.by);
	irt_buf_release(&a.action);
	irt_buf_release(&a.pkgs);
	return rc < 0 ? rc : 0;
}

/* ---- web access logs ---- */

/* A "quoted" field with \" escapes; returns its contents. */
static const char *
quoted(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *q;

	while (s < end && *s == ' ')
		s++;
	if (s >= end || *s != '"')
		return NULL;
	q = ++s;
	while (q < end && *q != '"') {
		if (*q == '\\' && q + 1 < end)
			q++;
		q++;
	}
	if (q >= end)
		return NULL;
	*len = (size_t)(q - s);
	*p = q + 1;
	return s;
}

static int
web_line(struct tl_pctx *p, const char *line, size_t len)
{
	struct tl_ev e;
	const char *s = line, *end = line + len, *client, *user, *br, *req;
	const char *st, *by, *ref, *ua;
	size_t cl, ul, rl, wl, stl, byl, refl = 0, ual = 0;
	int d, mo, y, h, mi, se, oh, om;
	irt_ns t;

	if (len == 0)
		return 0;
	client = tl_word(&s, end, &cl);
	tl_word(&s, end, &wl); /* ident */
	user = tl_word(&s, end, &ul);
	while (s < end && *s == ' ')
		s++;
	if (s >= end || *s != '[' || end - s < 28 ||
	    (br = memchr(s, ']', (size_t)(end - s))) == NULL || br - s != 27)
		return tl_warn_line(p, "not an access log line, skipped");
	/* [10/Oct/2000:13:55:36 -0700] */
	d = num(s + 1, 2);
	mo = tl_month(s + 4);
	y = num(s + 8, 4);
	h = num(s + 13, 2);
	mi = num(s + 16, 2);
	se = num(s + 19, 2);
	oh = num(s + 23, 2);
	om = num(s + 25, 2);
	if (s[3] != '/' || s[7] != '/' || s[12] != ':' || s[15] != ':' ||
	    s[18] != ':' || (s[22] != '+' && s[22] != '-') || oh < 0 ||
	    om < 0 || !date_ok(y, mo, d, h, mi, se))
		return tl_warn_line(p, "bad access log time, line skipped");
	t = (irt_ns)(irt_timegm(y, mo, d, h, mi, se) -
	        (s[22] == '-' ? -1 : 1) * (oh * 3600 + om * 60)) *
	    IRT_NS_PER_SEC;
	s = br + 1;
	if ((req = quoted(&s, end, &rl)) == NULL)
		return tl_warn_line(
		    p, "no request in access log line, skipped");
	st = tl_word(&s, end, &stl);
	by = tl_word(&s, end, &byl);
	ref = quoted(&s, end, &refl);
	ua = ref ? quoted(&s, end, &ual) : NULL;
	tl_ev_init(&e, TL_T_WEB, t);
	e.msg = line;
	e.msg_len = len;
	tl_ev_add(&e, TL_K_CLIENT, client, cl);
	if (!(ul == 1 && *user == '-'))
		tl_ev_add(&e, TL_K_USER, user, ul);
	{
		const char *r = req, *rend = req + rl, *m, *u;
		size_t ml, ulen;
		m = tl_word(&r, rend, &ml);
		u = tl_word(&r, rend, &ulen);
		if (ulen > 0) {
			tl_ev_add(&e, TL_K_HTTP_METHOD, m, ml);
			tl_ev_add(&e, TL_K_URL, u, ulen);
		}
	}
	if (stl)
		tl_ev_add(&e, TL_K_STATUS, st, stl);
	if (byl)
		tl_ev_add(&e, TL_K_BYTES, by, byl);
	if (ref)
		tl_ev_add(&e, TL_K_REFERER, ref, refl);
	if (ua)
		tl_ev_add(&e, TL_K_USER_AGENT, ua, ual);
	return tl_emit(p, &e);
}

int
tl_parse_weblog(struct tl_pctx *p, struct tl_stream *s)
{
	return tl_each_line(p, s, web_line);
}

/* ---- audit.log ---- */

struct audit {
	bool open;
	irt_ns t;
	uint64_t serial;
	uint64_t line;
	struct irt_buf text, types;
};

/* The value of " key=" in s (quotes removed), or NULL. */
static const char *
kv(const char *s, size_t len, const char *key, size_t *vl)
{
	size_t kl = strlen(key);
	const char *p = s, *end = s + len, *v, *e;

	while ((p = memmem(p, (size_t)(end - p), key, kl)) != NULL) {
		if ((p == s || p[-1] == ' ') && p + kl < end && p[kl] == '=') {
			v = p + kl + 1;
			if (v < end && *v == '"') {
				v++;
				e = memchr(v, '"', (size_t)(end - v));
				if (e == NULL)
					e = end;
			} else {
				e = v;
				while (e < end && *e != ' ' && *e != '\'')
					e++;
			}
			*vl = (size_t)(e - v);
			return v;
		}
		p += kl;
	}
	return NULL;
}

static int
audit_flush(struct tl_pctx *p, struct audit *a)
{
	struct tl_ev e;
	const char *v, *s = a->text.ptr;
	size_t vl, len = a->text.len;
	uint64_t keep = p->line;
	int rc;
	static const struct {
		const char *name;
		enum tl_key k;
	} keys[] = {
		{ "pid", TL_K_PID },
		{ "uid", TL_K_UID },
		{ "auid", TL_K_AUID },
		{ "exe", TL_K_EXE },
		{ "comm", TL_K_COMM },
		{ "res", TL_K_RESULT },
		{ "success", TL_K_RESULT },
	};
	size_t i;

	if (!a->open)
		return 0;
	a->open = false;
	tl_ev_init(&e, TL_T_AUDIT, a->t);
	e.msg = s;
	e.msg_len = len;
	tl_ev_add(&e, TL_K_AUDIT_TYPE, a->types.ptr, a->types.len);
	tl_ev_addi(&e, TL_K_SERIAL, (long long)a->serial);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		size_t j;
		bool dup = false;
		for (j = 0; j < (size_t)e.nf; j++)
			dup |= e.f[j].key == keys[i].k;
		if (!dup && (v = kv(s, len, keys[i].name, &vl)) != NULL)
			tl_ev_add(&e, keys[i].k, v, vl);
	}
	p->line = a->line;
	rc = tl_emit(p, &e);
	p->line = keep;
	return rc;
}

static int
audit_line(struct tl_pctx *p, struct audit *a, const char *line, size_t len)
{
	const char *m, *end = line + len, *q, *type;
	size_t tl;
	uint64_t sec, ms, serial;
	irt_ns t;
	int rc;

	if (len == 0)
		return 0;
	m = memmem(line, len, "msg=audit(", 10);
	type = memmem(line, len, "type=", 5);
	if (m == NULL || type == NULL)
		return tl_warn_line(p, "not an audit record, skipped");
	m += 10;
	q = m;
	while (q < end && isdigit((unsigned char)*q))
		q++;
	if (!tl_parse_u64(m, (size_t)(q - m), &sec) || q >= end || *q != '.')
		return tl_warn_line(p, "bad audit time, record skipped");
	m = ++q;
	while (q < end && isdigit((unsigned char)*q))
		q++;
	if (!tl_parse_u64(m, (size_t)(q - m), &ms) || q - m != 3 || q >= end ||
	    *q != ':')
		return tl_warn_line(p, "bad audit time, record skipped");
	m = ++q;
	while (q < end && isdigit((unsigned char)*q))
		q++;
	if (!tl_parse_u64(m, (size_t)(q - m), &serial) || q >= end ||
	    *q != ')' || sec > 253402300799ULL)
		return tl_warn_line(p, "bad audit serial, record skipped");
	t = (irt_ns)sec * IRT_NS_PER_SEC + (irt_ns)ms * 1000000;
	type += 5;
	tl = 0;
	while (type + tl < end && type[tl] != ' ')
		tl++;
	if (a->open && (a->t != t || a->serial != serial))
		if ((rc = audit_flush(p, a)) != 0)
			return rc;
	if (!a->open) {
		a->open = true;
		a->t = t;
		a->serial = serial;
		a->line = p->line;
		irt_buf_clear(&a->text);
		irt_buf_clear(&a->types);
	} else {
		irt_buf_puts(&a->text, " | ");
		irt_buf_putc(&a->types, ',');
	}
	irt_buf_put(&a->text, line, len);
	irt_buf_put(&a->types, type, tl);
	if (a->text.len > TL_LINE_MAX)
		return audit_flush(p, a);
	/* EOE ends an event */
	if (tl == 3 && memcmp(type, "EOE", 3) == 0)
		return audit_flush(p, a);
	return 0;
}

int
tl_parse_audit(struct tl_pctx *p, struct tl_stream *s)
{
	struct tl_lines lr;
	struct audit a;
	const char *line;
	size_t len;
	int rc;

	memset(&a, 0, sizeof a);
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1)
		if ((rc = audit_line(p, &a, line, len)) != 0)
			break;
	if (rc == 0)
		rc = audit_flush(p, &a);
	tl_lines_free(&lr);
	irt_buf_release(&a.text);
	irt_buf_release(&a.types);
	return rc < 0 ? rc : 0;
}
