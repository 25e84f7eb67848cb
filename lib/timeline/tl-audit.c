/*
 * audit.log: the records of one event, msg=audit(sec.ms:serial), become
 * one timeline event.
 */
#include <ctype.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

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
};

static const char *const fields[] = { [F_AUDIT_TYPE] = "audit_type",
	[F_SERIAL] = "serial",
	[F_PID] = "pid",
	[F_UID] = "uid",
	[F_AUID] = "auid",
	[F_EXE] = "exe",
	[F_COMM] = "comm",
	[F_RESULT] = "result",
	NULL };

struct audit {
	bool open;
	irt_ns t;
	uint64_t serial;
	uint64_t line;
	struct irt_buf text, types;
};

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
			v = e = p;
			while (e < end && *e != ' ' && *e != '\'')
				e++;
			p = e;
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
	const char *q = s, *end = s + len, *k;
	size_t i, kl, left = sizeof keys / sizeof keys[0];

	if (!a->open)
		return 0;
	a->open = false;
	tl_ev_init(&e, 0, a->t);
	e.msg = s;
	e.msg_len = len;
	tl_ev_add(&e, F_AUDIT_TYPE, a->types.ptr, a->types.len);
	tl_ev_addi(&e, F_SERIAL, (long long)a->serial);
	/* the first value of each key, in one pass over the records */
	memset(val, 0, sizeof val);
	while (left > 0 && next_kv(&q, end, &k, &kl, &v, &vl))
		for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
			if (val[i] == NULL && strlen(keys[i].name) == kl &&
			    memcmp(k, keys[i].name, kl) == 0) {
				val[i] = v;
				vlen[i] = vl;
				left--;
				break;
			}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		size_t j;
		bool dup = false;
		for (j = 0; j < (size_t)e.nf; j++)
			dup |= e.f[j].key == keys[i].k;
		if (!dup && val[i] != NULL)
			tl_ev_add(&e, keys[i].k, val[i], vlen[i]);
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
