/*
 * syslog files: traditional RFC 3164 lines ("Mmm dd hh:mm:ss host
 * tag[pid]: msg", seconds with a fraction or not, no year: inferred from
 * the file's mtime and month rollovers going backwards, or --year),
 * RFC 5424 lines, and the RFC 3339 lines of rsyslog and syslog-ng.
 * A line that starts with a blank continues the message before it.
 * Markers ("--- last message repeated N times ---", "Mmm dd hh:mm:ss:
 * --- text ---") are events of their own.  sshd, sudo and cron lines are
 * parsed into fields.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/internal.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "tl-internal.h"

enum { T_LINE, T_SSHD, T_COMMENT, T_SUDO, T_CRON };

static const struct tl_dtype dt_line = { "syslog:line", "Recorded Time",
	"LOG" };
static const struct tl_dtype dt_sshd = { "syslog:sshd", "Recorded Time",
	"LOG" };
static const struct tl_dtype dt_comment = { "syslog:comment", "Recorded Time",
	"LOG" };
static const struct tl_dtype dt_sudo = { "syslog:sudo", "Recorded Time",
	"LOG" };
static const struct tl_dtype dt_cron = { "syslog:cron", "Recorded Time",
	"LOG" };
static const struct tl_dtype *const types[] = { [T_LINE] = &dt_line,
	[T_SSHD] = &dt_sshd,
	[T_COMMENT] = &dt_comment,
	[T_SUDO] = &dt_sudo,
	[T_CRON] = &dt_cron,
	NULL };

enum {
	F_HOSTNAME,
	F_IDENT,
	F_PID,
	F_PRIORITY,
	F_FACILITY,
	F_REPEATED,
	F_RESULT,
	F_METHOD,
	F_USER,
	F_SRC_IP,
	F_SRC_PORT,
	F_TARGET_USER,
	F_TTY,
	F_PWD,
	F_COMMAND,
	F_REASON,
};

static const char *const fields[] = {
	[F_HOSTNAME] = "hostname",
	[F_IDENT] = "ident",
	[F_PID] = "pid",
	[F_PRIORITY] = "priority",
	[F_FACILITY] = "facility",
	[F_REPEATED] = "repeated",
	[F_RESULT] = "result",
	[F_METHOD] = "method",
	[F_USER] = "user",
	[F_SRC_IP] = "src_ip",
	[F_SRC_PORT] = "src_port",
	[F_TARGET_USER] = "target_user",
	[F_TTY] = "tty",
	[F_PWD] = "pwd",
	[F_COMMAND] = "command",
	[F_REASON] = "reason",
	NULL,
};

static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * "Mmm dd hh:mm:ss" at s, its seconds with a fraction (".123456") or
 * not, then a blank or a colon: the length of the stamp and its fields,
 * -1 when it is none, -2 when it is an impossible date.
 */
static int
bsd_stamp(const char *s, size_t len, int *mo, int *d, int *secs, long *frac)
{
	size_t i = 15;
	int h, mi, se, fd = 0;

	if (len < 16 || (*mo = tl_month(s)) == 0 || s[3] != ' ' ||
	    s[6] != ' ' || s[9] != ':' || s[12] != ':')
		return -1;
	*frac = 0;
	if (s[15] == '.') {
		for (i = 16; i < len && isdigit((unsigned char)s[i]); i++)
			if (fd < 9) {
				*frac = *frac * 10 + (s[i] - '0');
				fd++;
			}
		if (i == 16 || i > 64)
			return -1;
		for (; fd < 9; fd++)
			*frac *= 10;
	}
	if (i >= len || (s[i] != ' ' && s[i] != ':'))
		return -1;
	*d = s[4] == ' ' ? tl_num(s + 5, 1) : tl_num(s + 4, 2);
	h = tl_num(s + 7, 2);
	mi = tl_num(s + 10, 2);
	se = tl_num(s + 13, 2);
	if (*d < 1 || *d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    se < 0 || se > 60)
		return -2;
	if (*d > mdays[*mo - 1])
		return -2;
	*secs = h * 3600 + mi * 60 + se;
	return (int)i;
}

int
tl_rfc3339(const char *s, size_t len, irt_ns *out)
{
	int y, mo, d, h, mi, se, oh, om, offset;
	size_t i = 19;
	long frac = 0;
	int fd = 0;

	if (len < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':')
		return 0;
	y = tl_num(s, 4);
	mo = tl_num(s + 5, 2);
	d = tl_num(s + 8, 2);
	h = tl_num(s + 11, 2);
	mi = tl_num(s + 14, 2);
	se = tl_num(s + 17, 2);
	if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0)
		return 0;
	if (!irt_date_valid(y, mo, d) || h > 23 || mi > 59 || se > 60) {
		/* for the message that says what is impossible */
		irt_time_civil(out, y, mo, d, h, mi, se, 0, 0);
		return -1;
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && isdigit((unsigned char)s[i]); i++)
			if (fd < 9) {
				frac = frac * 10 + (s[i] - '0');
				fd++;
			}
		for (; fd < 9; fd++)
			frac *= 10;
	}
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		offset = 0;
		i++;
	} else if (i + 5 <= len && (s[i] == '+' || s[i] == '-')) {
		/* +hh:mm, or +hhmm (syslog-ng's and rsyslog's templates) */
		size_t c = i + 5 < len && s[i + 3] == ':';
		oh = tl_num(s + i + 1, 2);
		om = tl_num(s + i + 3 + c, 2);
		if (oh < 0 || om < 0)
			return 0;
		if (oh > 23 || om > 59) {
			irt_error_set(IRT_EINVAL, "impossible zone offset");
			return -1;
		}
		offset = (s[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
		i += 5 + c;
	} else
		return 0;
	if (irt_time_civil(out, y, mo, d, h, mi, se, frac, offset) != 0)
		return -1;
	return (int)i;
}

static bool
starts(const char *s, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - s) >= n && memcmp(s, lit, n) == 0;
}

/*
 * sshd: "Accepted password for root from 1.2.3.4 port 22 ssh2",
 * "Failed password for invalid user NAME from ...", "Invalid user NAME
 * from ...".  The user name is the client's choice and may hold spaces
 * and " from 10.0.0.1 port 1" of its own: the address is the one after
 * the rightmost " from ", and the name everything before it.
 */
static void
sshd_fields(struct tl_ev *e, const char *m, const char *end)
{
	const char *w, *p = m, *q, *from = NULL;
	size_t wl;
	bool invalid = false;

	if (starts(p, end, "Accepted ")) {
		tl_ev_adds(e, F_RESULT, "accepted");
		p += 9;
	} else if (starts(p, end, "Failed ")) {
		tl_ev_adds(e, F_RESULT, "failed");
		p += 7;
	} else if (starts(p, end, "Invalid user ")) {
		tl_ev_adds(e, F_RESULT, "invalid_user");
		p += 13;
		invalid = true;
	} else
		return;
	if (!invalid) {
		w = tl_word(&p, end, &wl); /* method */
		tl_ev_add(e, F_METHOD, w, wl);
		w = tl_word(&p, end, &wl);
		if (wl != 3 || memcmp(w, "for", 3) != 0 || p >= end)
			return;
		p++;
		if (starts(p, end, "invalid user "))
			p += 13;
	}
	for (q = end - 6; q >= p; q--)
		if (memcmp(q, " from ", 6) == 0) {
			from = q;
			break;
		}
	tl_ev_add(e, F_USER, p, (size_t)((from ? from : end) - p));
	if (from == NULL)
		return;
	p = from + 6;
	w = tl_word(&p, end, &wl);
	tl_ev_add(e, F_SRC_IP, w, wl);
	w = tl_word(&p, end, &wl);
	if (wl != 4 || memcmp(w, "port", 4) != 0)
		return;
	w = tl_word(&p, end, &wl);
	tl_ev_add(e, F_SRC_PORT, w, wl);
}

/* "last message repeated N times" (or "1 time") in b..be: adds the
 * count */
static bool
repeated_count(struct tl_ev *e, const char *b, const char *be)
{
	static const char rep[] = "last message repeated ";
	const char *n, *q;

	if (!starts(b, be, rep))
		return false;
	n = q = b + sizeof rep - 1;
	while (q < be && isdigit((unsigned char)*q))
		q++;
	if (q == n || !starts(q, be, " time"))
		return false;
	tl_ev_add(e, F_REPEATED, n, (size_t)(q - n));
	return true;
}

/*
 * A marker at s: "--- last message repeated N times ---", "last message
 * repeated N times" (syslogd's), "--- text ---" (a comment), or the text
 * after "Mmm dd hh:mm:ss:".  Its message is the text as written.
 */
static int
marker(struct tl_pctx *p, struct tl_ev *e, const char *s, const char *end)
{
	const char *b = s, *be = end;

	while (s < end && *s == ' ')
		s++;
	b = s;
	if (starts(b, be, "---")) {
		b += 3;
		while (be > b && be[-1] == ' ')
			be--;
		if (be - b >= 3 && memcmp(be - 3, "---", 3) == 0)
			be -= 3;
		while (b < be && *b == ' ')
			b++;
		while (be > b && be[-1] == ' ')
			be--;
		if (!repeated_count(e, b, be))
			e->type = T_COMMENT;
	} else
		repeated_count(e, b, be);
	e->msg = s;
	e->msg_len = (size_t)(end - s);
	return tl_emit(p, e);
}

/*
 * rsyslog's reduction of repeated messages: "message repeated N times:
 * [ MSG]" under the tag of MSG.  Adds the count and narrows *m, *end to
 * MSG, whose fields are then those of the message repeated.
 */
static void
repeated_of(struct tl_ev *e, const char **m, const char **end)
{
	static const char pre[] = "message repeated ";
	const char *s = *m, *n;

	if (!starts(s, *end, pre))
		return;
	n = s += sizeof pre - 1;
	while (s < *end && isdigit((unsigned char)*s))
		s++;
	if (s == n || !starts(s, *end, " times: [") || (*end)[-1] != ']')
		return;
	tl_ev_add(e, F_REPEATED, n, (size_t)(s - n));
	s += 9;
	while (s < *end - 1 && *s == ' ')
		s++;
	*m = s;
	*end -= 1;
}

/* The next "KEY=value" of sudo's list, up to " ; " or end. */
static const char *
sudo_item(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *q;

	for (q = s; q + 3 <= end; q++)
		if (q[0] == ' ' && q[1] == ';' && q[2] == ' ')
			break;
	if (q + 3 > end)
		q = end;
	*len = (size_t)(q - s);
	*p = q < end ? q + 3 : end;
	return s;
}

/*
 * sudo: "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ;
 * COMMAND=/bin/sh -c x", with a reason first when it refused ("3
 * incorrect password attempts ; TTY=...").  COMMAND comes last and is
 * the rest of the line, whatever it holds; a line without one is no
 * command and keeps no fields.
 */
static bool
sudo_fields(struct tl_ev *e, const char *m, const char *end)
{
	const char *q, *user, *it, *cmd = NULL, *v[4] = { NULL };
	size_t ul, il, vl[4] = { 0 };
	int i;

	while (m < end && *m == ' ')
		m++;
	user = m;
	for (q = m; q + 3 <= end; q++)
		if (q[0] == ' ' && q[1] == ':' && q[2] == ' ')
			break;
	if (q + 3 > end || q == m || memchr(m, ' ', (size_t)(q - m)))
		return false;
	ul = (size_t)(q - m);
	m = q + 3;
	for (i = 0; m < end; i++) {
		if (starts(m, end, "COMMAND=")) {
			cmd = m + 8;
			break;
		}
		it = sudo_item(&m, end, &il);
		if (il > 4 && memcmp(it, "TTY=", 4) == 0) {
			v[0] = it + 4;
			vl[0] = il - 4;
		} else if (il > 4 && memcmp(it, "PWD=", 4) == 0) {
			v[1] = it + 4;
			vl[1] = il - 4;
		} else if (il > 5 && memcmp(it, "USER=", 5) == 0) {
			v[2] = it + 5;
			vl[2] = il - 5;
		} else if (i == 0 && memchr(it, '=', il) == NULL) {
			v[3] = it;
			vl[3] = il;
		}
	}
	if (cmd == NULL)
		return false;
	tl_ev_add(e, F_USER, user, ul);
	if (v[2] != NULL)
		tl_ev_add(e, F_TARGET_USER, v[2], vl[2]);
	if (v[0] != NULL)
		tl_ev_add(e, F_TTY, v[0], vl[0]);
	if (v[1] != NULL)
		tl_ev_add(e, F_PWD, v[1], vl[1]);
	tl_ev_add(e, F_COMMAND, cmd, (size_t)(end - cmd));
	if (v[3] != NULL)
		tl_ev_add(e, F_REASON, v[3], vl[3]);
	return true;
}

/* cron: "(root) CMD (command)"; the command is what is between the
 * outer parentheses, and may hold parentheses of its own. */
static bool
cron_fields(struct tl_ev *e, const char *m, const char *end)
{
	const char *q;

	if (m >= end || *m != '(')
		return false;
	for (q = m + 1; q < end && *q != ')'; q++)
		;
	if (q == m + 1 || !starts(q, end, ") CMD ("))
		return false;
	tl_ev_add(e, F_USER, m + 1, (size_t)(q - m - 1));
	q += 7;
	if (end > q && end[-1] == ')')
		end--;
	tl_ev_add(e, F_COMMAND, q, (size_t)(end - q));
	return true;
}

static bool
is_tag(const char *tag, size_t tl, const char *name)
{
	return strlen(name) == tl && memcmp(tag, name, tl) == 0;
}

/* "host tag[pid]: msg" after the time stamp and its blank */
static int
rest_3164(struct tl_pctx *p, struct tl_ev *e, const char *s, const char *end)
{
	const char *host, *tag, *m, *me, *br;
	size_t hl, tl;

	while (s < end && *s == ' ')
		s++;
	/* a marker without a host */
	if (starts(s, end, "---"))
		return marker(p, e, s, end);
	host = tl_word(&s, end, &hl);
	tl_ev_add(e, F_HOSTNAME, host, hl);
	while (s < end && *s == ' ')
		s++;
	if (starts(s, end, "---") || starts(s, end, "last message repeated "))
		return marker(p, e, s, end);
	/* tag up to ':' or '[' */
	tag = s;
	while (s < end && *s != ':' && *s != '[' && *s != ' ')
		s++;
	tl = (size_t)(s - tag);
	if (tl > 0 && s < end && (*s == ':' || *s == '[')) {
		tl_ev_add(e, F_IDENT, tag, tl);
		if (*s == '[' && (br = memchr(s, ']', (size_t)(end - s)))) {
			tl_ev_add(e, F_PID, s + 1, (size_t)(br - s - 1));
			s = br + 1;
		}
		if (s < end && *s == ':')
			s++;
		while (s < end && *s == ' ')
			s++;
		m = s;
		me = end;
		repeated_of(e, &m, &me);
		if (is_tag(tag, tl, "sshd")) {
			int before = e->nf;
			sshd_fields(e, m, me);
			if (e->nf > before)
				e->type = T_SSHD;
		} else if (is_tag(tag, tl, "sudo")) {
			if (sudo_fields(e, m, me))
				e->type = T_SUDO;
		} else if (is_tag(tag, tl, "CRON") || is_tag(tag, tl, "cron") ||
		    is_tag(tag, tl, "crond") || is_tag(tag, tl, "CROND")) {
			if (cron_fields(e, m, me))
				e->type = T_CRON;
		}
	}
	e->msg = tag;
	e->msg_len = (size_t)(end - tag);
	return tl_emit(p, e);
}

/* RFC 5424 after "<pri>1 ": TIMESTAMP HOST APP PROCID MSGID SD MSG */
static int
line_5424(struct tl_pctx *p, const char *s, const char *end, int pri)
{
	struct tl_ev e;
	const char *w, *sd;
	size_t wl;
	irt_ns t = 0;
	int n;

	if (*s == '-') {
		return tl_warn_line(p, "syslog line without a time, skipped");
	}
	n = tl_rfc3339(s, (size_t)(end - s), &t);
	if (n < 0)
		return tl_warn_line(p, "%s, line skipped", irt_error_last());
	if (n == 0)
		return tl_warn_line(p, "bad RFC 5424 time, line skipped");
	tl_ev_init(&e, T_LINE, t);
	s += n;
	w = tl_word(&s, end, &wl);
	if (!(wl == 1 && *w == '-'))
		tl_ev_add(&e, F_HOSTNAME, w, wl);
	w = tl_word(&s, end, &wl);
	if (!(wl == 1 && *w == '-'))
		tl_ev_add(&e, F_IDENT, w, wl);
	w = tl_word(&s, end, &wl);
	if (!(wl == 1 && *w == '-'))
		tl_ev_add(&e, F_PID, w, wl);
	w = tl_word(&s, end, &wl); /* msgid */
	while (s < end && *s == ' ')
		s++;
	sd = s;
	if (s < end && *s == '[') {
		/* structured data: skip balanced brackets (quotes escape) */
		while (s < end && *s == '[') {
			while (s < end && *s != ']') {
				if (*s == '\\' && s + 1 < end)
					s++;
				else if (*s == '"') {
					s++;
					while (s < end && *s != '"') {
						if (*s == '\\' && s + 1 < end)
							s++;
						s++;
					}
				}
				if (s < end)
					s++;
			}
			if (s < end)
				s++;
		}
	} else if (s < end && *s == '-')
		s++;
	(void)sd;
	while (s < end && *s == ' ')
		s++;
	if (end - s >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3; /* BOM */
	if (pri >= 0) {
		tl_ev_addi(&e, F_FACILITY, pri >> 3);
		tl_ev_addi(&e, F_PRIORITY, pri & 7);
	}
	e.msg = s;
	e.msg_len = (size_t)(end - s);
	return tl_emit(p, &e);
}

struct yearstate {
	int year;
	int prev_month;
};

/* One line; pass 1 (count) only tracks months. */
static int
syslog_line(struct tl_pctx *p, const char *line, size_t len,
    struct yearstate *ys, int *rollovers, int *last_mo, int *last_d, bool count)
{
	const char *s = line, *end = line + len, *q;
	int pri = -1, mo, d, secs, rc;
	long frac;
	irt_ns t;
	struct tl_ev e;

	if (len == 0)
		return 0;
	if (*s == '<' && (q = memchr(s, '>', len < 6 ? len : 6)) != NULL) {
		pri = tl_num(s + 1, (size_t)(q - s - 1));
		if (pri < 0 || pri > 191 || q == s + 1) {
			if (count)
				return 0;
			return tl_warn_line(p, "bad priority, line skipped");
		}
		s = q + 1;
		if (end - s > 2 && s[0] == '1' && s[1] == ' ') {
			if (count)
				return 0;
			return line_5424(p, s + 2, end, pri);
		}
	}
	rc = bsd_stamp(s, (size_t)(end - s), &mo, &d, &secs, &frac);
	if (rc > 0) {
		if (count) {
			if (*last_mo && mo < *last_mo)
				(*rollovers)++;
			*last_mo = mo;
			*last_d = d;
			return 0;
		}
		if (ys->prev_month && mo < ys->prev_month)
			ys->year++;
		ys->prev_month = mo;
		if (mo == 2 && d == 29 && !leap(ys->year))
			return tl_warn_line(p,
			    "impossible date Feb 29 in %d, line skipped",
			    ys->year);
		if (irt_time_civil(&t, ys->year, mo, d, secs / 3600,
		        secs / 60 % 60, secs % 60, frac, 0) != 0)
			return tl_warn_line(
			    p, "%s, line skipped", irt_error_last());
		tl_ev_init(&e, T_LINE, t);
		if (pri >= 0) {
			tl_ev_addi(&e, F_FACILITY, pri >> 3);
			tl_ev_addi(&e, F_PRIORITY, pri & 7);
		}
		/* "Mmm dd hh:mm:ss: --- text ---" */
		if (s[rc] == ':')
			return marker(p, &e, s + rc + 1, end);
		return rest_3164(p, &e, s + rc + 1, end);
	}
	if (count)
		return 0;
	if (rc == -2)
		return tl_warn_line(p, "impossible date, line skipped");
	rc = tl_rfc3339(s, (size_t)(end - s), &t);
	if (rc > 0) {
		tl_ev_init(&e, T_LINE, t);
		if (pri >= 0) {
			tl_ev_addi(&e, F_FACILITY, pri >> 3);
			tl_ev_addi(&e, F_PRIORITY, pri & 7);
		}
		return rest_3164(p, &e, s + rc, end);
	}
	if (rc < 0)
		return tl_warn_line(p, "%s, line skipped", irt_error_last());
	return tl_warn_line(p, "not a syslog line, skipped");
}

/* A line and the lines that continue it (they start with a blank). */
struct pending {
	struct irt_buf b;
	uint64_t line; /* where it starts */
	bool have, cut;
};

static int
flush_pending(struct tl_pctx *p, struct pending *pd, struct yearstate *ys)
{
	uint64_t keep = p->line;
	int rc = 0;

	if (!pd->have)
		return 0;
	p->line = pd->line;
	if (pd->cut)
		rc = tl_warn_line(
		    p, "message longer than %u bytes, cut", TL_LINE_MAX);
	if (rc == 0)
		rc = syslog_line(p, pd->b.ptr ? pd->b.ptr : "", pd->b.len, ys,
		    NULL, NULL, NULL, false);
	p->line = keep;
	pd->have = pd->cut = false;
	irt_buf_clear(&pd->b);
	return rc;
}

static int
run_pass(struct tl_pctx *p, struct tl_stream *s, struct yearstate *ys,
    int *rollovers, int *last_mo, int *last_d, bool count)
{
	struct tl_lines lr;
	struct pending pd = { IRT_BUF_INIT, 0, false, false };
	const char *line;
	size_t len;
	int rc;

	p->line = 0;
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1) {
		if (count) {
			rc = syslog_line(
			    p, line, len, ys, rollovers, last_mo, last_d, true);
			if (rc != 0)
				break;
			continue;
		}
		if (len > 0 && (line[0] == ' ' || line[0] == '\t') && pd.have) {
			/* the message before goes on */
			if (pd.cut)
				continue;
			if (pd.b.len + 1 + len > TL_LINE_MAX) {
				pd.cut = true;
				continue;
			}
			if (irt_buf_putc(&pd.b, '\n') != 0 ||
			    irt_buf_put(&pd.b, line, len) != 0) {
				rc = irt_error_set(IRT_ENOMEM, "out of memory");
				break;
			}
			continue;
		}
		if ((rc = flush_pending(p, &pd, ys)) != 0)
			break;
		pd.have = true;
		pd.line = p->line;
		if (irt_buf_put(&pd.b, line, len) != 0) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			break;
		}
	}
	if (rc == 0)
		rc = flush_pending(p, &pd, ys);
	tl_lines_free(&lr);
	irt_buf_release(&pd.b);
	return rc < 0 ? rc : 0;
}

static int
parse_syslog(struct tl_pctx *p, struct tl_stream *s)
{
	struct yearstate ys = { 0, 0 };
	struct tl_replay r;
	int rollovers = 0, last_mo = 0, last_d = 0, rc;

	if (tl_year_opt(p) > 0) {
		ys.year = tl_year_opt(p);
		return run_pass(p, s, &ys, NULL, NULL, NULL, false);
	}
	/* pass 1 counts month rollovers */
	if ((rc = tl_replay_open(p, &r, s)) != 0)
		return rc;
	{
		/* warnings of pass 1 (line too long, truncation) are given
		 * again in pass 2: silence them here */
		struct tl_pctx quiet = *p;
		quiet.quiet = true;
		rc = run_pass(
		    &quiet, r.in, &ys, &rollovers, &last_mo, &last_d, true);
	}
	if (rc == 0)
		rc = tl_replay_again(p, &r);
	if (rc == 0) {
		ys.year = tl_year_first(p->mtime ? p->mtime : irt_now(),
		    rollovers, last_mo, last_d);
		rc = run_pass(p, r.in, &ys, NULL, NULL, NULL, false);
	}
	tl_replay_close(&r);
	return rc;
}

static bool
by_name(const char *name, const char *path)
{
	static const char *const names[] = { "syslog", "messages", "auth.log",
		"secure", "kern.log", "daemon.log", "user.log", "maillog",
		"mail.log", "cron", "cron.log", NULL };
	size_t i;

	(void)path;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* "Mmm dd hh:mm:ss", "<pri>", RFC 3339 */
static int
by_content(const struct tl_head *h)
{
	const char *d = h->line;
	size_t n = h->line_len;

	if (n > 15 && tl_month(d) && d[3] == ' ' && d[9] == ':' && d[12] == ':')
		return TL_YES;
	if (n > 4 && d[0] == '<' && memchr(d, '>', n < 6 ? n : 6) != NULL)
		return TL_YES;
	if (n > 25 && isdigit((unsigned char)d[0]) &&
	    isdigit((unsigned char)d[1]) && isdigit((unsigned char)d[2]) &&
	    isdigit((unsigned char)d[3]) && d[4] == '-' && d[10] == 'T')
		return TL_YES;
	return TL_NO;
}

const struct tl_source tl_source_syslog = {
	.name = "syslog",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_syslog,
};
