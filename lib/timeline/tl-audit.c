/*
 * audit.log: the records of one event, msg=audit(sec.ms:serial), become
 * one timeline event, with EXECVE's arguments and PROCTITLE decoded into
 * its command line.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "tl-internal.h"
#include "util/audit-value.h"

static const struct tl_dtype dt_audit = { "linux:audit", "Recorded Time",
	"LOG" };
static const struct tl_dtype *const types[] = { &dt_audit, NULL };

enum {
	F_AUDIT_TYPE,
	F_SERIAL,
	F_PID,
	F_UID,
	F_AUID,
	F_EXE,
	F_COMM,
	F_RESULT,
	F_CMDLINE,
	F_PROCTITLE,
	F_KEY,
	F_CWD,
	F_NAMES,
};

static const char *const fields[] = { [F_AUDIT_TYPE] = "audit_type",
	[F_SERIAL] = "serial",
	[F_PID] = "pid",
	[F_UID] = "uid",
	[F_AUID] = "auid",
	[F_EXE] = "exe",
	[F_COMM] = "comm",
	[F_RESULT] = "result",
	[F_CMDLINE] = "cmdline",
	[F_PROCTITLE] = "proctitle",
	[F_KEY] = "key",
	[F_CWD] = "cwd",
	[F_NAMES] = "names",
	NULL };

/* A record of the event: where it is in the text, and its type. */
struct arec {
	size_t off, len;
	size_t type, tlen; /* in types */
};

struct audit {
	bool open;
	irt_ns t;
	uint64_t serial;
	uint64_t line;
	struct irt_buf text, types;
	struct arec *rec;
	size_t nrec, reccap;
	/* what flush decodes, kept from event to event */
	struct irt_buf cmd, title, key, cwd, names, exe, comm, msg;
};

/* The end of an unquoted value: its first space or quote.  Most values
 * are short and looked through here; one that is not may be kilobytes
 * of hex (PROCTITLE, EXECVE's arguments), left to memchr. */
static const char *
word_end(const char *p, const char *end)
{
	const char *lim = end - p > 24 ? p + 24 : end, *sp, *q;

	while (p < lim && *p != ' ' && *p != '\'')
		p++;
	if (p < lim || p == end)
		return p;
	if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL)
		sp = end;
	q = memchr(p, '\'', (size_t)(sp - p));
	return q != NULL ? q : sp;
}

/*
 * The next field of the records from *pp to end: its key and its value
 * (quotes removed); false at the end.  A key is only found where a
 * field starts, never inside a quoted value, which the audited process
 * may choose ("comm=\"x uid=0\""); the fields of msg='...' are fields
 * too.
 */
static bool
next_kv(const char **pp, const char *end, const char **key, size_t *kl,
    const char **val, size_t *vl)
{
	const char *p = *pp, *k, *v, *e;
	size_t klen;

	while (p < end) {
		if (*p == ' ' || *p == '\'') {
			p++;
			continue;
		}
		if (*p == '"') {
			/* a quoted word that is no value */
			e = memchr(p + 1, '"', (size_t)(end - p - 1));
			p = e != NULL ? e + 1 : end;
			continue;
		}
		k = p;
		while (p < end && *p != '=' && *p != ' ' && *p != '"' &&
		    *p != '\'')
			p++;
		if (p >= end || *p != '=')
			continue;
		klen = (size_t)(p++ - k);
		if (p < end && *p == '\'') {
			/* msg='op=... res=success': its fields follow */
			p++;
			continue;
		}
		if (p < end && *p == '"') {
			v = p + 1;
			e = memchr(v, '"', (size_t)(end - v));
			if (e == NULL)
				e = end;
			p = e < end ? e + 1 : end;
		} else {
			v = p;
			p = e = word_end(p, end);
		}
		*pp = p;
		*key = k;
		*kl = klen;
		*val = v;
		*vl = (size_t)(e - v);
		return true;
	}
	*pp = end;
	return false;
}

/* A value as auditd wrote it: quoted, or hex when it had to be, or a
 * word ("(null)", "?"). */
static bool
is_quoted(const char *base, const char *v)
{
	return v > base && v[-1] == '"';
}

/* Puts the value v[0..vl) into b, decoded when it is hex and was not
 * quoted; sep as irt_audit_unhex. */
static int
put_value(
    struct irt_buf *b, const char *base, const char *v, size_t vl, char sep)
{
	int rc;

	if (is_quoted(base, v) || !irt_audit_is_hex(v, vl))
		return irt_buf_put(b, v, vl);
	if ((rc = irt_buf_grow(b, vl / 2 + 1)) != 0)
		return rc;
	b->len += irt_audit_unhex(b->ptr + b->len, v, vl, sep);
	b->ptr[b->len] = '\0';
	return 0;
}

static bool
is(const char *s, size_t len, const char *lit)
{
	/* the first byte first: most keys are none of those looked for */
	if (len == 0)
		return lit[0] == '\0';
	return s[0] == lit[0] && strlen(lit) == len && memcmp(s, lit, len) == 0;
}

/* The parts of EXECVE's arguments being joined. */
struct args {
	uint64_t argc; /* UINT64_MAX: no argc= */
	unsigned long last;
	bool any;
};

static int
execve_kv(struct audit *a, struct args *g, const char *base, const char *k,
    size_t kl, const char *v, size_t vl)
{
	unsigned long n;
	uint64_t c;

	if (is(k, kl, "argc")) {
		if (g->argc == UINT64_MAX && tl_parse_u64(v, vl, &c))
			g->argc = c;
		return 0;
	}
	switch (irt_audit_arg_key(k, kl, &n)) {
	case IRT_AUDIT_ARG:
		if (n >= g->argc)
			return 0;
		if (g->any && irt_buf_putc(&a->cmd, ' ') != 0)
			return IRT_ENOMEM;
		break;
	case IRT_AUDIT_ARG_PART:
		if (n >= g->argc)
			return 0;
		/* the first part of an argument: a space before it */
		if (g->any && g->last != n && irt_buf_putc(&a->cmd, ' ') != 0)
			return IRT_ENOMEM;
		break;
	default:
		return 0; /* aN_len, another key */
	}
	g->any = true;
	g->last = n;
	return put_value(&a->cmd, base, v, vl, 0);
}

/* The command line escaped for the message: terminal-safe, and without
 * a '|', which separates the records after it. */
static int
put_cmd(struct irt_buf *b, const char *s, size_t len)
{
	const char *bar;
	int rc;

	while ((bar = memchr(s, '|', len)) != NULL) {
		if ((rc = irt_escape_term(b, s, (size_t)(bar - s))) != 0 ||
		    (rc = irt_buf_puts(b, "\\x7c")) != 0)
			return rc;
		len -= (size_t)(bar + 1 - s);
		s = bar + 1;
	}
	return irt_escape_term(b, s, len);
}

static int
audit_flush(struct tl_pctx *p, struct audit *a)
{
	struct tl_ev e;
	const char *v, *s = a->text.ptr;
	size_t vl;
	uint64_t keep = p->line;
	int rc = 0;
	static const struct {
		const char *name;
		unsigned k;
	} keys[] = {
		{ "pid", F_PID },
		{ "uid", F_UID },
		{ "auid", F_AUID },
		{ "exe", F_EXE },
		{ "comm", F_COMM },
		{ "res", F_RESULT },
		{ "success", F_RESULT },
	};
	const char *val[sizeof keys / sizeof keys[0]];
	size_t vlen[sizeof keys / sizeof keys[0]];
	const char *q, *end, *k, *rt, *base;
	size_t i, r, kl, rtl, left = sizeof keys / sizeof keys[0];
	struct args g = { UINT64_MAX, 0, false };
	bool have_key = false, have_cwd = false, have_title = false;

	if (!a->open)
		return 0;
	a->open = false;
	irt_buf_clear(&a->cmd);
	irt_buf_clear(&a->title);
	irt_buf_clear(&a->key);
	irt_buf_clear(&a->cwd);
	irt_buf_clear(&a->names);
	irt_buf_clear(&a->exe);
	irt_buf_clear(&a->comm);
	irt_buf_clear(&a->msg);
	tl_ev_init(&e, 0, a->t);
	e.msg = s;
	e.msg_len = a->text.len;
	tl_ev_add(&e, F_AUDIT_TYPE, a->types.ptr, a->types.len);
	tl_ev_addi(&e, F_SERIAL, (long long)a->serial);
	/* the first value of each key, the arguments, the title, the
	 * names, record by record */
	memset(val, 0, sizeof val);
	for (r = 0; r < a->nrec && rc == 0; r++) {
		enum { OTHER, EXECVE, TITLE, CWD, PATH } what = OTHER;
		rt = a->types.ptr + a->rec[r].type;
		rtl = a->rec[r].tlen;
		if (is(rt, rtl, "EXECVE"))
			what = EXECVE;
		else if (is(rt, rtl, "PROCTITLE"))
			what = have_title ? OTHER : TITLE;
		else if (is(rt, rtl, "CWD"))
			what = have_cwd ? OTHER : CWD;
		else if (is(rt, rtl, "PATH"))
			what = PATH;
		if (what == OTHER && left == 0 && have_key)
			continue;
		base = q = s + a->rec[r].off;
		end = q + a->rec[r].len;
		while (rc == 0 && next_kv(&q, end, &k, &kl, &v, &vl)) {
			if (what == EXECVE) {
				rc = execve_kv(a, &g, base, k, kl, v, vl);
				continue;
			}
			if (what == TITLE && is(k, kl, "proctitle")) {
				rc = put_value(&a->title, base, v, vl, ' ');
				have_title = true;
				continue;
			}
			if (what == CWD && is(k, kl, "cwd")) {
				rc = put_value(&a->cwd, base, v, vl, 0);
				have_cwd = true;
				continue;
			}
			if (what == PATH && is(k, kl, "name")) {
				/* one a line, in the order of the records */
				if (a->names.len > 0)
					rc = irt_buf_putc(&a->names, '\n');
				if (rc == 0 && !is(v, vl, "(null)"))
					rc = put_value(
					    &a->names, base, v, vl, 0);
				continue;
			}
			if (!have_key && is(k, kl, "key")) {
				have_key = true;
				/* several keys are hex with 0x01 between */
				if (!is(v, vl, "(null)"))
					rc = put_value(
					    &a->key, base, v, vl, ',');
				continue;
			}
			if (left == 0)
				continue;
			for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
				if (val[i] == NULL && is(k, kl, keys[i].name)) {
					val[i] = v;
					vlen[i] = vl;
					left--;
					/* a name with a space, hex */
					if (keys[i].k == F_EXE ||
					    keys[i].k == F_COMM) {
						struct irt_buf *b =
						    keys[i].k == F_EXE
						    ? &a->exe
						    : &a->comm;
						if ((rc = put_value(b, base, v,
						         vl, 0)) == 0) {
							val[i] = b->ptr;
							vlen[i] = b->len;
						}
					}
					break;
				}
		}
	}
	if (rc != 0)
		return rc;
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		size_t j;
		bool dup = false;
		for (j = 0; j < (size_t)e.nf; j++)
			dup |= e.f[j].key == keys[i].k;
		if (!dup && val[i] != NULL)
			tl_ev_add(&e, keys[i].k, val[i], vlen[i]);
	}
	if (a->cmd.len > 0)
		tl_ev_add(&e, F_CMDLINE, a->cmd.ptr, a->cmd.len);
	if (a->title.len > 0)
		tl_ev_add(&e, F_PROCTITLE, a->title.ptr, a->title.len);
	if (a->key.len > 0)
		tl_ev_add(&e, F_KEY, a->key.ptr, a->key.len);
	if (a->cwd.len > 0)
		tl_ev_add(&e, F_CWD, a->cwd.ptr, a->cwd.len);
	if (a->names.len > 0)
		tl_ev_add(&e, F_NAMES, a->names.ptr, a->names.len);
	/* the message: the command line (EXECVE's, else the title), then
	 * the records */
	if (a->cmd.len > 0 || a->title.len > 0) {
		if (a->cmd.len > 0)
			rc = put_cmd(&a->msg, a->cmd.ptr, a->cmd.len);
		else
			rc = put_cmd(&a->msg, a->title.ptr, a->title.len);
		if (rc == 0)
			rc = irt_buf_puts(&a->msg, " | ");
		if (rc == 0)
			rc = irt_buf_put(&a->msg, s, a->text.len);
		if (rc != 0)
			return rc;
		e.msg = a->msg.ptr;
		e.msg_len = a->msg.len;
	}
	p->line = a->line;
	rc = tl_emit(p, &e);
	p->line = keep;
	return rc;
}

/* A short needle near the start of a line: memchr and memcmp, where
 * memmem would first build its tables on every call. */
static const char *
find(const char *h, size_t hl, const char *n, size_t nl)
{
	const char *q = h, *end = h + hl;

	while ((size_t)(end - q) >= nl &&
	    (q = memchr(q, n[0], (size_t)(end - q) - nl + 1)) != NULL) {
		if (memcmp(q, n, nl) == 0)
			return q;
		q++;
	}
	return NULL;
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
	m = find(line, len, "msg=audit(", 10);
	type = find(line, len, "type=", 5);
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
	if (!tl_parse_u64(m, (size_t)(q - m), &serial) || q >= end || *q != ')')
		return tl_warn_line(p, "bad audit serial, record skipped");
	if (tl_time_u64(&t, sec, (long)ms * 1000000) != 0)
		return tl_warn_line(p, "%s, record skipped", irt_error_last());
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
		a->nrec = 0;
	} else {
		irt_buf_puts(&a->text, " | ");
		irt_buf_putc(&a->types, ',');
	}
	if (a->nrec == a->reccap) {
		size_t cap = a->reccap ? 2 * a->reccap : 16;
		struct arec *nr = realloc(a->rec, cap * sizeof *nr);
		if (nr == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		a->rec = nr;
		a->reccap = cap;
	}
	a->rec[a->nrec].off = a->text.len;
	a->rec[a->nrec].len = len;
	a->rec[a->nrec].type = a->types.len;
	a->rec[a->nrec].tlen = tl;
	a->nrec++;
	irt_buf_put(&a->text, line, len);
	irt_buf_put(&a->types, type, tl);
	if (a->text.len > TL_LINE_MAX)
		return audit_flush(p, a);
	/* EOE ends an event */
	if (tl == 3 && memcmp(type, "EOE", 3) == 0)
		return audit_flush(p, a);
	return 0;
}

static int
parse_audit(struct tl_pctx *p, struct tl_stream *s)
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
	free(a.rec);
	irt_buf_release(&a.cmd);
	irt_buf_release(&a.title);
	irt_buf_release(&a.key);
	irt_buf_release(&a.cwd);
	irt_buf_release(&a.names);
	irt_buf_release(&a.exe);
	irt_buf_release(&a.comm);
	irt_buf_release(&a.msg);
	return rc < 0 ? rc : 0;
}

static bool
by_name(const char *name, const char *path)
{
	(void)path;
	return strcmp(name, "audit.log") == 0;
}

static int
by_content(const struct tl_head *h)
{
	return h->line_len >= 5 && memcmp(h->line, "type=", 5) == 0 &&
	        memmem(h->line, h->line_len, " msg=audit(", 11) != NULL
	    ? TL_YES
	    : TL_NO;
}

const struct tl_source tl_source_audit = {
	.name = "audit",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_audit,
};
