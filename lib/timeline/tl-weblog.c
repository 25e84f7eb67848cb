/*
 * Apache and nginx access logs, in the common and combined formats.
 */
#include <ctype.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

static const struct tl_dtype dt_web = { "web:access", "Recorded Time",
	"WEBHIST" };
static const struct tl_dtype *const types[] = { &dt_web, NULL };

enum {
	F_CLIENT,
	F_USER,
	F_HTTP_METHOD,
	F_URL,
	F_STATUS,
	F_BYTES,
	F_REFERER,
	F_USER_AGENT,
};

static const char *const fields[] = { [F_CLIENT] = "client",
	[F_USER] = "user",
	[F_HTTP_METHOD] = "http_method",
	[F_URL] = "url",
	[F_STATUS] = "status",
	[F_BYTES] = "bytes",
	[F_REFERER] = "referer",
	[F_USER_AGENT] = "user_agent",
	NULL };

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
	while (s < end && *s == ' ')
		s++;
	user = s;
	/*
	 * The time is the first "[...] \"" of its length: the user name
	 * before it is the client's choice (servers escape its quotes, not
	 * its spaces or brackets), so a "[time]" of the client's own comes
	 * before it, never after.
	 */
	for (br = s; (br = memmem(br, (size_t)(end - br), "] \"", 3)) != NULL;
	     br++)
		if (br - user >= 27 && br[-27] == '[')
			break;
	if (br == NULL)
		return tl_warn_line(p, "not an access log line, skipped");
	s = br - 27;
	for (ul = (size_t)(s - user); ul > 0 && user[ul - 1] == ' '; ul--)
		;
	/* [10/Oct/2000:13:55:36 -0700] */
	d = tl_num(s + 1, 2);
	mo = tl_month(s + 4);
	y = tl_num(s + 8, 4);
	h = tl_num(s + 13, 2);
	mi = tl_num(s + 16, 2);
	se = tl_num(s + 19, 2);
	oh = tl_num(s + 23, 2);
	om = tl_num(s + 25, 2);
	if (s[3] != '/' || s[7] != '/' || s[12] != ':' || s[15] != ':' ||
	    s[18] != ':' || (s[22] != '+' && s[22] != '-') || d < 0 ||
	    mo == 0 || y < 0 || h < 0 || mi < 0 || se < 0 || oh < 0 || om < 0 ||
	    oh > 23 || om > 59)
		return tl_warn_line(p, "bad access log time, line skipped");
	if (irt_time_civil(&t, y, mo, d, h, mi, se, 0,
	        (s[22] == '-' ? -1 : 1) * (oh * 3600 + om * 60)) != 0)
		return tl_warn_line(p, "%s, line skipped", irt_error_last());
	s = br + 1;
	if ((req = quoted(&s, end, &rl)) == NULL)
		return tl_warn_line(
		    p, "no request in access log line, skipped");
	st = tl_word(&s, end, &stl);
	by = tl_word(&s, end, &byl);
	ref = quoted(&s, end, &refl);
	ua = ref ? quoted(&s, end, &ual) : NULL;
	tl_ev_init(&e, 0, t);
	e.msg = line;
	e.msg_len = len;
	tl_ev_add(&e, F_CLIENT, client, cl);
	if (ul > 0 && !(ul == 1 && *user == '-'))
		tl_ev_add(&e, F_USER, user, ul);
	{
		const char *r = req, *rend = req + rl, *m, *u;
		size_t ml, ulen;
		m = tl_word(&r, rend, &ml);
		u = tl_word(&r, rend, &ulen);
		if (ulen > 0) {
			tl_ev_add(&e, F_HTTP_METHOD, m, ml);
			tl_ev_add(&e, F_URL, u, ulen);
		}
	}
	if (stl)
		tl_ev_add(&e, F_STATUS, st, stl);
	if (byl)
		tl_ev_add(&e, F_BYTES, by, byl);
	if (ref)
		tl_ev_add(&e, F_REFERER, ref, refl);
	if (ua)
		tl_ev_add(&e, F_USER_AGENT, ua, ual);
	return tl_emit(p, &e);
}

static int
parse_weblog(struct tl_pctx *p, struct tl_stream *s)
{
	return tl_each_line(p, s, web_line);
}

static bool
by_name(const char *name, const char *path)
{
	static const char *const suffixes[] = { "-access.log", "_access.log",
		".access.log", NULL };
	size_t n = strlen(name), i;

	(void)path;
	if (strncmp(name, "access.log", 10) == 0 ||
	    strncmp(name, "access_log", 10) == 0)
		return true;
	for (i = 0; suffixes[i] != NULL; i++)
		if (n >= strlen(suffixes[i]) &&
		    strcmp(name + n - strlen(suffixes[i]), suffixes[i]) == 0)
			return true;
	return false;
}

/* "host ident user [dd/Mon/yyyy:..." */
static int
by_content(const struct tl_head *h)
{
	const char *d = h->line, *p;
	size_t n = h->line_len;

	if ((p = memchr(d, '[', n)) != NULL && (size_t)(p - d) + 21 < n &&
	    p[3] == '/' && p[7] == '/' && p[12] == ':')
		return TL_YES;
	return TL_NO;
}

const struct tl_source tl_source_weblog = {
	.name = "weblog",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_weblog,
};
