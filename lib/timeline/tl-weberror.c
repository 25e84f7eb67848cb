/*
 * nginx and Apache error logs.
 *
 * nginx: "2024/05/01 10:00:00 [error] 123#123: *45 message, client:
 * 1.2.3.4, server: x, request: "GET / HTTP/1.1"", in local time with no
 * zone (taken as UTC, like traditional syslog).
 *
 * Apache 2.4: "[Wed May 01 10:00:00.123456 2024] [core:error] [pid
 * 123:tid 456] [client 1.2.3.4:5678] AH00126: message"; Apache 2.2:
 * "[Wed May 01 10:00:00 2024] [error] [client 1.2.3.4] message".
 */
#include <ctype.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

enum { T_NGINX, T_APACHE };

static const struct tl_dtype dt_nginx = { "nginx:error", "Recorded Time",
	"LOG" };
static const struct tl_dtype dt_apache = { "apache:error", "Recorded Time",
	"LOG" };
static const struct tl_dtype *const types[] = {
	[T_NGINX] = &dt_nginx, [T_APACHE] = &dt_apache, NULL
};

enum {
	F_LEVEL,
	F_MODULE,
	F_PID,
	F_TID,
	F_CONNECTION,
	F_CLIENT,
	F_SERVER,
	F_REQUEST,
	F_CODE,
};

static const char *const fields[] = { [F_LEVEL] = "level",
	[F_MODULE] = "module",
	[F_PID] = "pid",
	[F_TID] = "tid",
	[F_CONNECTION] = "connection",
	[F_CLIENT] = "client",
	[F_SERVER] = "server",
	[F_REQUEST] = "request",
	[F_CODE] = "code",
	NULL };

static bool
starts(const char *s, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - s) >= n && memcmp(s, lit, n) == 0;
}

/* Digits at *p (at most 19), advancing past them; their count. */
static size_t
digits(const char **p, const char *end)
{
	const char *s = *p, *b = *p;

	while (s < end && s - b < 19 && isdigit((unsigned char)*s))
		s++;
	*p = s;
	return (size_t)(s - b);
}

/* The next occurrence of lit in s..end, or NULL. */
static const char *
find(const char *s, const char *end, const char *lit)
{
	return s < end ? memmem(s, (size_t)(end - s), lit, strlen(lit)) : NULL;
}

/*
 * nginx's suffix ", client: C, server: S, request: "R"" after the
 * message.  The message before it and the request after it may both hold
 * text of the client's choice, ", client: 6.6.6.6" among it: when the
 * line holds ", client: " more than once, which one nginx wrote cannot be
 * told, and the fields are left out (the message keeps the whole line).
 */
static void
nginx_suffix(struct tl_ev *e, const char *m, const char *end)
{
	const char *c = find(m, end, ", client: "), *v, *q;

	if (c == NULL || find(c + 1, end, ", client: ") != NULL)
		return;
	v = c + 10;
	for (q = v; q < end && *q != ','; q++)
		;
	if (q == v)
		return;
	tl_ev_add(e, F_CLIENT, v, (size_t)(q - v));
	if (!starts(q, end, ", server: "))
		return;
	v = q + 10;
	for (q = v; q < end && *q != ','; q++)
		;
	tl_ev_add(e, F_SERVER, v, (size_t)(q - v));
	if (!starts(q, end, ", request: \""))
		return;
	v = q + 12;
	/* the request ends at the first quote that ends the line or comes
	 * before another of nginx's keys */
	for (q = v; q < end; q++)
		if (*q == '"' &&
		    (q + 1 == end || starts(q + 1, end, ", upstream: \"") ||
		        starts(q + 1, end, ", subrequest: \"") ||
		        starts(q + 1, end, ", host: \"") ||
		        starts(q + 1, end, ", referrer: \"")))
			break;
	if (q < end)
		tl_ev_add(e, F_REQUEST, v, (size_t)(q - v));
}

/* "2024/05/01 10:00:00 [error] 123#123: *45 message..." */
static int
nginx_line(struct tl_pctx *p, const char *line, size_t len)
{
	const char *s, *end = line + len, *lv, *n;
	struct tl_ev e;
	int y, mo, d, h, mi, se;
	irt_ns t;

	y = tl_num(line, 4);
	mo = tl_num(line + 5, 2);
	d = tl_num(line + 8, 2);
	h = tl_num(line + 11, 2);
	mi = tl_num(line + 14, 2);
	se = tl_num(line + 17, 2);
	if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0)
		return tl_warn_line(
		    p, "bad nginx error log time, line skipped");
	if (irt_time_civil(&t, y, mo, d, h, mi, se, 0, 0) != 0)
		return tl_warn_line(p, "%s, line skipped", irt_error_last());
	tl_ev_init(&e, T_NGINX, t);
	s = line + 20;
	e.msg = s;
	e.msg_len = (size_t)(end - s);
	/* [level] */
	if (s < end && *s == '[' &&
	    (lv = memchr(s, ']', (size_t)(end - s))) != NULL) {
		tl_ev_add(&e, F_LEVEL, s + 1, (size_t)(lv - s - 1));
		s = lv + 1;
		while (s < end && *s == ' ')
			s++;
	}
	/* pid#tid: */
	n = s;
	if (digits(&s, end) > 0 && s < end && *s == '#') {
		const char *tid = s + 1, *te = tid;
		if (digits(&te, end) > 0 && starts(te, end, ": ")) {
			tl_ev_add(&e, F_PID, n, (size_t)(s - n));
			tl_ev_add(&e, F_TID, tid, (size_t)(te - tid));
			s = te + 2;
			/* *connection */
			if (s < end && *s == '*') {
				n = s + 1;
				s = n;
				if (digits(&s, end) > 0 &&
				    (s == end || *s == ' '))
					tl_ev_add(&e, F_CONNECTION, n,
					    (size_t)(s - n));
			}
		}
	}
	nginx_suffix(&e, e.msg, end);
	return tl_emit(p, &e);
}

/*
 * "[Wed May 01 10:00:00.123456 2024]" at line: its length, or 0 when it
 * is no such time (-1 with a warning given when the date is impossible).
 */
static int
apache_time(struct tl_pctx *p, const char *s, size_t len, irt_ns *t, int *rc)
{
	const char *q = s + 20, *end = s + len;
	int mo, d, h, mi, se, y, fd = 0;
	long frac = 0;

	*rc = 0;
	if (len < 26 || s[0] != '[' || s[4] != ' ' || s[8] != ' ' ||
	    s[11] != ' ' || s[14] != ':' || s[17] != ':' ||
	    (mo = tl_month(s + 5)) == 0)
		return 0;
	d = s[9] == ' ' ? tl_num(s + 10, 1) : tl_num(s + 9, 2);
	h = tl_num(s + 12, 2);
	mi = tl_num(s + 15, 2);
	se = tl_num(s + 18, 2);
	if (q < end && *q == '.') {
		for (q++; q < end && isdigit((unsigned char)*q); q++)
			if (fd < 9) {
				frac = frac * 10 + (*q - '0');
				fd++;
			}
		if (fd == 0)
			return 0;
		for (; fd < 9; fd++)
			frac *= 10;
	}
	if (end - q < 6 || *q != ' ' || q[5] != ']' ||
	    (y = tl_num(q + 1, 4)) < 0 || d < 0 || h < 0 || mi < 0 || se < 0)
		return 0;
	if (irt_time_civil(t, y, mo, d, h, mi, se, frac, 0) != 0) {
		*rc = tl_warn_line(p, "%s, line skipped", irt_error_last());
		return -1;
	}
	return (int)(q + 6 - s);
}

/* "[Wed May 01 10:00:00.123456 2024] [core:error] [pid 1:tid 2] ..." */
static int
apache_line(struct tl_pctx *p, const char *line, size_t len)
{
	const char *s, *end = line + len, *b, *q, *colon;
	bool level = false, pid = false, client = false;
	struct tl_ev e;
	irt_ns t;
	int n, rc;

	if ((n = apache_time(p, line, len, &t, &rc)) < 0)
		return rc;
	if (n == 0)
		return tl_warn_line(
		    p, "bad Apache error log time, line skipped");
	tl_ev_init(&e, T_APACHE, t);
	s = line + n;
	while (s < end && *s == ' ')
		s++;
	e.msg = s;
	e.msg_len = (size_t)(end - s);
	/*
	 * The server's own brackets come first: the level, then the pid,
	 * then the client (after an "(errno)text: " of the system, if any).
	 * Each is taken once; the message after them is the client's to
	 * fill and is not looked into.
	 */
	for (;;) {
		if (s < end && *s == '(' && !client && level &&
		    (q = find(s, end, ": [client ")) != NULL &&
		    memchr(s, ']', (size_t)(q - s)) == NULL)
			s = q + 2; /* "(13)Permission denied: [client" */
		if (s >= end || *s != '[' ||
		    (b = memchr(s, ']', (size_t)(end - s))) == NULL)
			break;
		if (!level && !pid && !client) {
			/* [module:level] or [level] */
			const char *w = s + 1;
			if (memchr(w, ' ', (size_t)(b - w)) != NULL || b == w)
				break;
			colon = memchr(w, ':', (size_t)(b - w));
			if (colon != NULL) {
				if (colon > w)
					tl_ev_add(&e, F_MODULE, w,
					    (size_t)(colon - w));
				w = colon + 1;
			}
			tl_ev_add(&e, F_LEVEL, w, (size_t)(b - w));
			level = true;
		} else if (!pid && !client && starts(s, b, "[pid ")) {
			/* [pid 123:tid 456] or [pid 123] */
			const char *v = s + 5, *ve = v;
			if (digits(&ve, b) == 0)
				break;
			tl_ev_add(&e, F_PID, v, (size_t)(ve - v));
			if (starts(ve, b, ":tid ") && b > ve + 5)
				tl_ev_add(
				    &e, F_TID, ve + 5, (size_t)(b - ve - 5));
			pid = true;
		} else if (!client && starts(s, b, "[client ")) {
			tl_ev_add(&e, F_CLIENT, s + 8, (size_t)(b - s - 8));
			client = true;
		} else if (!client && starts(s, b, "[remote ")) {
			/* a proxy's address, before the client's */
		} else
			break;
		s = b + 1;
		while (s < end && *s == ' ')
			s++;
	}
	/* "AH00126: message" */
	if (end - s > 8 && s[0] == 'A' && s[1] == 'H' &&
	    tl_num(s + 2, 5) >= 0 && s[7] == ':')
		tl_ev_add(&e, F_CODE, s, 7);
	return tl_emit(p, &e);
}

static bool
is_nginx(const char *d, size_t n)
{
	return n >= 20 && d[4] == '/' && d[7] == '/' && d[10] == ' ' &&
	    d[13] == ':' && d[16] == ':' && d[19] == ' ' && tl_num(d, 4) >= 0;
}

static int
weberror_line(struct tl_pctx *p, const char *line, size_t len)
{
	if (len == 0)
		return 0;
	if (is_nginx(line, len))
		return nginx_line(p, line, len);
	if (line[0] == '[')
		return apache_line(p, line, len);
	return tl_warn_line(p, "not an error log line, skipped");
}

static int
parse_weberror(struct tl_pctx *p, struct tl_stream *s)
{
	return tl_each_line(p, s, weberror_line);
}

/* Does the directory of path hold dir ("/nginx/")? */
static bool
in_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir) - 1; /* without its leading '/' */

	return strstr(path, dir) != NULL || strncmp(path, dir + 1, n) == 0;
}

/*
 * error.log and error_log anywhere; under nginx/, apache2/ or httpd/ every
 * name with "error" in it ("ssl_error_log", "site-error.log").  Other
 * files there are known by their content.
 */
static bool
by_name(const char *name, const char *path)
{
	if (strcmp(name, "error.log") == 0 || strcmp(name, "error_log") == 0)
		return true;
	return strstr(name, "error") != NULL &&
	    (in_dir(path, "/nginx/") || in_dir(path, "/apache2/") ||
	        in_dir(path, "/apache/") || in_dir(path, "/httpd/"));
}

/* "2024/05/01 10:00:00 [" or "[Wed May 01 10:00:00" */
static int
by_content(const struct tl_head *h)
{
	const char *d = h->line;
	size_t n = h->line_len;

	if (is_nginx(d, n) && n > 21 && d[20] == '[')
		return TL_YES;
	if (n > 26 && d[0] == '[' && isupper((unsigned char)d[1]) &&
	    d[4] == ' ' && tl_month(d + 5) != 0 && d[8] == ' ' &&
	    d[11] == ' ' && d[14] == ':' && d[17] == ':')
		return TL_YES;
	return TL_NO;
}

const struct tl_source tl_source_weberror = {
	.name = "weberror",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_weberror,
};
