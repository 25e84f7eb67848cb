/*
 * Timeline output formats: irt JSON Lines, mactime text and CSV,
 * Timesketch CSV and JSONL, plaso's l2tcsv, and bodyfile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/json.h"
#include "tl-internal.h"

#define FLUSH_AT (1u << 20)

static const struct {
	const char *name;
	enum irt_tl_format f;
} formats[] = {
	{ "jsonl", IRT_TL_JSONL },
	{ "mactime", IRT_TL_MACTIME },
	{ "mactime-csv", IRT_TL_MACTIME_CSV },
	{ "timesketch-csv", IRT_TL_TIMESKETCH_CSV },
	{ "timesketch-jsonl", IRT_TL_TIMESKETCH_JSONL },
	{ "l2tcsv", IRT_TL_L2TCSV },
	{ "bodyfile", IRT_TL_BODYFILE },
};

int
irt_tl_format_parse(enum irt_tl_format *out, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(formats[i].name, name) == 0) {
			*out = formats[i].f;
			return 0;
		}
	return irt_error_set(IRT_EINVAL,
	    "unknown format '%s' (jsonl, mactime, mactime-csv, "
	    "timesketch-csv, timesketch-jsonl, l2tcsv, bodyfile)",
	    irt_esc(name));
}

/* A cached broken-down second. */
struct when {
	int64_t sec;
	int off;
	bool valid;
	char iso[40]; /* 2026-11-27T21:14:39 */
	int y, mo, d, h, mi, s, wday;
};

/* A pending mactime row, merged with the next one for the same second,
 * source, inode and name. */
struct pend {
	bool have;
	int64_t sec;
	uint16_t src;
	uint8_t mask;
	struct irt_buf name, inode, rest; /* rest: size, mode, uid, gid */
	struct irt_buf size, mode, uid, gid;
};

struct tl_writer {
	const struct irt_tl *tl;
	struct irt_tl_write_opts o;
	irt_tl_out_fn fn;
	void *arg;
	struct irt_buf b;
	uint64_t n;
	struct when w;
	char last_date[40];
	int64_t date_sec; /* the second date_str shows */
	bool date_valid;
	char date_str[48];
	bool keys[TL_K_MAX]; /* the CSV columns of fields */
	/* the global ids of the fields that formats know */
	unsigned k_inode, k_mode, k_uid, k_gid, k_size, k_md5, k_user;
	irt_ns ts_min;    /* Timesketch's CSV reader drops times before */
	uint64_t dropped; /* rows written before ts_min */
	struct pend pend;
	struct irt_buf hname; /* mactime: HOST:NAME */
	struct irt_buf desc;  /* timesketch-jsonl: timestamp_desc */
};

/* Fast appends: the buffer is grown once, flushed at FLUSH_AT. */
static inline void
put(struct irt_buf *b, const char *s, size_t n)
{
	if (b->cap - b->len > n) {
		memcpy(b->ptr + b->len, s, n);
		b->len += n;
		b->ptr[b->len] = '\0';
	} else
		irt_buf_put(b, s, n);
}

static inline void
putch(struct irt_buf *b, char c)
{
	if (b->cap - b->len > 1) {
		b->ptr[b->len++] = c;
		b->ptr[b->len] = '\0';
	} else
		irt_buf_putc(b, c);
}

/*
 * A spreadsheet runs a cell that starts with =, @ or a tab, or with + or
 * - and then an operator or a call, as a formula (OWASP, "CSV
 * Injection"); "-rw-r--r--", "-1.5" or "-" are left as they are.
 */
static bool
csv_formula(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	if (s[0] == '=' || s[0] == '@' || s[0] == '\t')
		return true;
	if (s[0] != '+' && s[0] != '-')
		return false;
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == ' ' ||
		        s[i] == '.' || s[i] == '_' || s[i] == '/' ||
		        s[i] == ':' || s[i] == '-'))
			return true;
	return false;
}

/*
 * A CSV cell of text from the host: RFC 4180 quoting (when it holds , "
 * CR or LF, or always); control characters but tab and LF (escape
 * sequences, to a terminal), C1 controls and bytes that are not valid
 * UTF-8 become the four characters \xNN, as in the JSON formats; a
 * formula gets a ' before it.
 */
static void
csv_cell(struct irt_buf *b, const char *s, size_t len, bool always)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	bool quote = always, formula;
	size_t i, n, start;

	for (i = 0; i < len; i++)
		if (u[i] < 0x20 || u[i] >= 0x7f || u[i] == ',' || u[i] == '"')
			break;
	formula = csv_formula(s, len);
	if (i == len && !formula) {
		/* the common case: plain printable text */
		if (quote)
			putch(b, '"');
		put(b, s, len);
		if (quote)
			putch(b, '"');
		return;
	}
	/* OWASP: a formula is quoted too */
	quote = quote || formula;
	for (i = 0; i < len && !quote; i++)
		quote =
		    u[i] == ',' || u[i] == '"' || u[i] == '\n' || u[i] == '\r';
	if (quote)
		putch(b, '"');
	if (formula)
		putch(b, '\'');
	for (i = start = 0; i < len;) {
		unsigned char c = u[i];
		if (c >= 0x20 && c < 0x7f && c != '"') {
			i++;
			continue;
		}
		if (c == '"' || c == '\t' || c == '\n') {
			/* "" in a quoted cell; tab and LF as they are */
			put(b, s + start, i + 1 - start);
			start = i + (c == '"' ? 0 : 1);
			i++;
			continue;
		}
		n = c >= 0x80 ? irt_utf8_seqlen(u + i, len - i) : 0;
		/* valid UTF-8 but the C1 controls U+0080..U+009F */
		if (n > 0 && !(n == 2 && c == 0xc2 && u[i + 1] < 0xa0)) {
			i += n;
			continue;
		}
		if (n == 0)
			n = 1;
		put(b, s + start, i - start);
		for (; n > 0; n--, i++) {
			char esc[4] = { '\\', 'x', hx[u[i] >> 4],
				hx[u[i] & 15] };
			put(b, esc, 4);
		}
		start = i;
	}
	put(b, s + start, len - start);
	if (quote)
		putch(b, '"');
}

/* The longest start of s within max bytes that ends between two UTF-8
 * characters (a byte that is not UTF-8 counts as one). */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	size_t i = 0, n;

	if (len <= max)
		return len;
	while (i < max) {
		n = irt_utf8_seqlen((const unsigned char *)s + i, len - i);
		if (n == 0)
			n = 1;
		if (i + n > max)
			break;
		i += n;
	}
	return i;
}

static int
flush(struct tl_writer *w)
{
	int rc = 0;

	if (w->b.len > 0)
		rc = w->fn(w->b.ptr, w->b.len, w->arg);
	w->b.len = 0;
	return rc;
}

static int
tz_offset(const struct tl_writer *w, int64_t sec)
{
	struct tm tm;
	time_t t = (time_t)sec;

	switch (w->o.tz) {
	case IRT_TL_TZ_FIXED:
		return w->o.offset;
	case IRT_TL_TZ_LOCAL:
		if (localtime_r(&t, &tm) == NULL)
			return 0;
		return (int)tm.tm_gmtoff;
	default:
		return 0;
	}
}

static const struct when *
when_of(struct tl_writer *w, irt_ns t)
{
	int64_t sec = t / IRT_NS_PER_SEC, days, sod;

	if (t % IRT_NS_PER_SEC < 0)
		sec--;
	if (w->w.valid && w->w.sec == sec)
		return &w->w;
	w->w.sec = sec;
	w->w.valid = true;
	w->w.off = tz_offset(w, sec);
	sec += w->w.off;
	days = sec / 86400;
	sod = sec % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	{
		int64_t y;
		unsigned mo, d;
		irt_civil_from_days(days, &y, &mo, &d);
		w->w.y = (int)y;
		w->w.mo = (int)mo;
		w->w.d = (int)d;
	}
	w->w.h = (int)(sod / 3600);
	w->w.mi = (int)(sod % 3600 / 60);
	w->w.s = (int)(sod % 60);
	w->w.wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was Thursday */
	snprintf(w->w.iso, sizeof w->w.iso, "%04d-%02d-%02dT%02d:%02d:%02d",
	    w->w.y % 10000, w->w.mo, w->w.d, w->w.h, w->w.mi, w->w.s);
	return &w->w;
}

static long
frac_ns(irt_ns t)
{
	long f = (long)(t % IRT_NS_PER_SEC);

	return f < 0 ? f + IRT_NS_PER_SEC : f;
}

static void
put_zone(struct irt_buf *b, int off, bool z)
{
	if (off == 0 && z) {
		irt_buf_putc(b, 'Z');
		return;
	}
	irt_buf_printf(b, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 3600,
	    abs(off) % 3600 / 60);
}

/* ISO 8601: digits -1 keeps the shortest exact fraction. */
static void
put_iso(struct tl_writer *w, irt_ns t, int digits, bool z)
{
	const struct when *x = when_of(w, t);
	long f = frac_ns(t);

	irt_buf_put(&w->b, x->iso, 19);
	if (digits < 0)
		digits = f == 0        ? 0
		    : f % 1000000 == 0 ? 3
		    : f % 1000 == 0    ? 6
		                       : 9;
	if (digits == 3)
		irt_buf_printf(&w->b, ".%03ld", f / 1000000);
	else if (digits == 6)
		irt_buf_printf(&w->b, ".%06ld", f / 1000);
	else if (digits == 9)
		irt_buf_printf(&w->b, ".%09ld", f);
	put_zone(&w->b, x->off, z);
}

static const char *
src_file(const struct tl_writer *w, const struct tl_rec *r, size_t *len)
{
	const struct tl_src *s;

	if (r->path_len > 0) {
		*len = r->path_len;
		return r->path;
	}
	s = tl_src_get(w->tl, r->src);
	*len = s ? strlen(s->file) : 0;
	return s ? s->file : "";
}

static const char *
src_label(const struct tl_writer *w, uint16_t i)
{
	const struct tl_src *s = tl_src_get(w->tl, i);

	return s ? s->label : "";
}

static const char *
src_host(const struct tl_writer *w, uint16_t i)
{
	const struct tl_src *s = tl_src_get(w->tl, i);

	return s ? s->host : NULL;
}

static void
macb_str(char out[5], uint8_t m)
{
	out[0] = m & TL_M ? 'm' : '.';
	out[1] = m & TL_A ? 'a' : '.';
	out[2] = m & TL_C ? 'c' : '.';
	out[3] = m & TL_B ? 'b' : '.';
	out[4] = '\0';
}

static void
fs_desc(struct irt_buf *b, uint8_t m)
{
	const char *sep = "";

	if (m & TL_M) {
		irt_buf_puts(b, "Content Modification Time");
		sep = "; ";
	}
	if (m & TL_A) {
		irt_buf_printf(b, "%sLast Access Time", sep);
		sep = "; ";
	}
	if (m & TL_C) {
		irt_buf_printf(b, "%sMetadata Modification Time", sep);
		sep = "; ";
	}
	if (m & TL_B)
		irt_buf_printf(b, "%sCreation Time", sep);
}

static void
get_times(const struct tl_rec *r, irt_ns times[4])
{
	size_t len;
	const char *v = tl_field(r, TL_K_TIMES, &len);

	if (v != NULL && len == 4 * sizeof(irt_ns))
		memcpy(times, v, len);
	else
		memset(times, 0, 4 * sizeof(irt_ns));
}

/* ---- irt jsonl and timesketch-jsonl ---- */

/* The time as put_iso writes it, as a string. */
static const char *
iso_text(struct tl_writer *w, char out[48], irt_ns t, int digits, bool z)
{
	size_t mark = w->b.len, n;

	put_iso(w, t, digits, z);
	n = w->b.len - mark < 47 ? w->b.len - mark : 47;
	memcpy(out, w->b.ptr + mark, n);
	out[n] = '\0';
	w->b.len = mark;
	if (w->b.ptr != NULL)
		w->b.ptr[mark] = '\0';
	return out;
}

static void
hex_field(struct irt_jw *j, const char *key, const char *v, size_t len)
{
	static const char hx[] = "0123456789abcdef";
	struct irt_buf hex = IRT_BUF_INIT;
	size_t i;

	for (i = 0; i < len; i++) {
		irt_buf_putc(&hex, hx[(unsigned char)v[i] >> 4]);
		irt_buf_putc(&hex, hx[(unsigned char)v[i] & 15]);
	}
	irt_jw_strn(j, key, hex.ptr ? hex.ptr : "", hex.len);
	irt_buf_release(&hex);
}

static void
json_fields(struct tl_writer *w, struct irt_jw *j, const struct tl_rec *r)
{
	static const char *const tn[4] = { "atime", "mtime", "ctime",
		"crtime" };
	irt_ns times[4];
	char iso[48];
	int i;

	for (i = 0; i < r->nf; i++) {
		if (r->f[i].key == TL_K_TIMES)
			continue;
		irt_jw_strn(
		    j, tl_key_name(r->f[i].key), r->f[i].v, r->f[i].len);
	}
	if (r->dt == &tl_dtype_fs) {
		get_times(r, times);
		for (i = 0; i < 4; i++)
			if (times[i] != 0)
				irt_jw_str(j, tn[i],
				    iso_text(w, iso, times[i], -1, true));
	}
}

static void
message(struct irt_jw *j, const struct tl_rec *r)
{
	if (r->dt == &tl_dtype_fs)
		irt_jw_strn(j, "message", r->path, r->path_len);
	else
		irt_jw_strn(j, "message", r->msg, r->msg_len);
}

static void
put_jsonl(struct tl_writer *w, const struct tl_rec *r)
{
	struct irt_jw j;
	const char *file;
	size_t flen;
	char macb[5], iso[48];

	iso_text(w, iso, r->t, -1, true);
	irt_jw_init(&j, &w->b);
	irt_jw_object(&j, NULL);
	irt_jw_str(&j, "time", iso);
	irt_jw_int(&j, "ns", (long long)r->t);
	irt_jw_str(&j, "source", src_label(w, r->src));
	irt_jw_str(&j, "host", src_host(w, r->src));
	irt_jw_str(&j, "type", r->dt->name);
	if (r->dt == &tl_dtype_fs) {
		macb_str(macb, r->mask);
		irt_jw_str(&j, "macb", macb);
	}
	file = src_file(w, r, &flen);
	irt_jw_strn(&j, "path", file, flen);
	if (!irt_utf8_valid(file, flen))
		hex_field(&j, "path_hex", file, flen);
	message(&j, r);
	if (r->dt != &tl_dtype_fs && !irt_utf8_valid(r->msg, r->msg_len))
		hex_field(&j, "message_hex", r->msg, r->msg_len);
	irt_jw_object(&j, "fields");
	json_fields(w, &j, r);
	irt_jw_end(&j);
	irt_jw_end(&j);
	irt_jw_line(&j);
}

static void
put_desc(struct irt_buf *b, const struct tl_rec *r)
{
	if (r->dt->desc == NULL)
		fs_desc(b, r->mask);
	else
		irt_buf_puts(b, r->dt->desc);
}

static long long
micros(irt_ns t)
{
	/* floor division keeps times before 1970 right */
	return t >= 0 ? t / 1000 : -((-t + 999) / 1000);
}

static void
put_ts_jsonl(struct tl_writer *w, const struct tl_rec *r)
{
	struct irt_buf *desc = &w->desc;
	struct irt_jw j;
	const char *file;
	size_t flen;
	char iso[48];

	iso_text(w, iso, r->t, 6, false);
	irt_buf_clear(desc);
	put_desc(desc, r);
	irt_jw_init(&j, &w->b);
	irt_jw_object(&j, NULL);
	message(&j, r);
	irt_jw_str(&j, "datetime", iso);
	irt_jw_int(&j, "timestamp", micros(r->t));
	irt_jw_strn(
	    &j, "timestamp_desc", desc->ptr ? desc->ptr : "", desc->len);
	irt_jw_str(&j, "data_type", r->dt->name);
	irt_jw_str(&j, "source", src_label(w, r->src));
	irt_jw_str(&j, "host", src_host(w, r->src) ? src_host(w, r->src) : "");
	file = src_file(w, r, &flen);
	irt_jw_strn(&j, "path", file, flen);
	json_fields(w, &j, r);
	irt_jw_end(&j);
	irt_jw_line(&j);
}

/* ---- CSV ---- */

static void
csv(struct irt_buf *b, const char *s, size_t len)
{
	csv_cell(b, s ? s : "", s ? len : 0, false);
}

static void
csvs(struct irt_buf *b, const char *s)
{
	csv_cell(b, s ? s : "", s ? strlen(s) : 0, false);
}

static void
ts_csv_header(struct tl_writer *w)
{
	int k;

	irt_buf_puts(&w->b,
	    "message,datetime,timestamp,timestamp_desc,"
	    "data_type,source,host,path");
	for (k = 0; k < (int)tl_key_count(); k++)
		if (w->keys[k])
			irt_buf_printf(&w->b, ",%s", tl_key_name((unsigned)k));
	irt_buf_putc(&w->b, '\n');
}

static void
put_ts_csv(struct tl_writer *w, const struct tl_rec *r)
{
	struct irt_buf *b = &w->b;
	const char *file, *v;
	size_t flen, vlen;
	int k;

	if (r->t < w->ts_min)
		w->dropped++;
	if (r->dt == &tl_dtype_fs)
		csv(b, r->path, r->path_len);
	else
		csv(b, r->msg, r->msg_len);
	irt_buf_putc(b, ',');
	put_iso(w, r->t, 6, false);
	irt_buf_printf(b, ",%lld,", micros(r->t));
	put_desc(b, r);
	irt_buf_printf(b, ",%s,", r->dt->name);
	csvs(b, src_label(w, r->src));
	irt_buf_putc(b, ',');
	csvs(b, src_host(w, r->src));
	irt_buf_putc(b, ',');
	file = src_file(w, r, &flen);
	csv(b, file, flen);
	for (k = 0; k < (int)tl_key_count(); k++) {
		if (!w->keys[k])
			continue;
		irt_buf_putc(b, ',');
		if ((v = tl_field(r, (unsigned)k, &vlen)) != NULL)
			csv(b, v, vlen);
	}
	irt_buf_putc(b, '\n');
}

/* plaso l2tcsv */
static void
put_l2t(struct tl_writer *w, const struct tl_rec *r)
{
	struct irt_buf *b = &w->b, ex = IRT_BUF_INIT, d = IRT_BUF_INIT;
	const struct when *x = when_of(w, r->t);
	const char *v, *file, *src, *stype, *fmt;
	size_t vlen, flen;
	char macb[5];
	int i;

	irt_buf_printf(b, "%02d/%02d/%04d,%02d:%02d:%02d,", x->mo, x->d,
	    x->y % 10000, x->h, x->mi, x->s);
	if (w->o.tz == IRT_TL_TZ_UTC)
		irt_buf_puts(b, "UTC");
	else
		put_zone(b, x->off, false);
	if (r->dt == &tl_dtype_fs) {
		macb[0] = r->mask & TL_M ? 'M' : '.';
		macb[1] = r->mask & TL_A ? 'A' : '.';
		macb[2] = r->mask & TL_C ? 'C' : '.';
		macb[3] = r->mask & TL_B ? 'B' : '.';
		macb[4] = '\0';
		stype = "File stat";
	} else {
		memcpy(macb, "....", 5);
		stype = r->dt->name;
	}
	src = r->dt->l2t;
	irt_buf_printf(b, ",%s,%s,%s,", macb, src, stype);
	put_desc(&d, r);
	csv(b, d.ptr ? d.ptr : "", d.len);
	irt_buf_putc(b, ',');
	v = tl_field(r, w->k_user, &vlen);
	if (v == NULL)
		v = tl_field(r, w->k_uid, &vlen);
	if (v != NULL)
		csv(b, v, vlen);
	else
		irt_buf_putc(b, '-');
	irt_buf_putc(b, ',');
	v = src_host(w, r->src);
	csvs(b, v ? v : "-");
	irt_buf_putc(b, ',');
	file = src_file(w, r, &flen);
	if (r->dt == &tl_dtype_fs) {
		csv(b, file, utf8_cut(file, flen, 80));
		irt_buf_putc(b, ',');
		csv(b, file, flen);
	} else {
		csv(b, r->msg, utf8_cut(r->msg, r->msg_len, 80));
		irt_buf_putc(b, ',');
		csv(b, r->msg, r->msg_len);
	}
	irt_buf_puts(b, ",2,");
	csv(b, file, flen);
	irt_buf_putc(b, ',');
	if ((v = tl_field(r, w->k_inode, &vlen)) != NULL)
		csv(b, v, vlen);
	else
		irt_buf_putc(b, '-');
	fmt = tl_src_get(w->tl, r->src)
	    ? tl_sources[tl_src_get(w->tl, r->src)->kind]->name
	    : "";
	irt_buf_printf(b, ",-,%s,", fmt);
	for (i = 0; i < r->nf; i++) {
		if (r->f[i].key == TL_K_TIMES)
			continue;
		if (ex.len)
			irt_buf_puts(&ex, "; ");
		irt_buf_printf(&ex, "%s: ", tl_key_name(r->f[i].key));
		irt_buf_put(&ex, r->f[i].v, r->f[i].len);
	}
	csv(b, ex.ptr ? ex.ptr : "", ex.len);
	irt_buf_putc(b, '\n');
	irt_buf_release(&ex);
	irt_buf_release(&d);
}

/* ---- bodyfile ---- */

static void
body_name(struct irt_buf *b, const char *s, size_t len)
{
	irt_escape_bodyfile(b, s, len);
}

static void
body_time(struct irt_buf *b, irt_ns t)
{
	long long sec = t / IRT_NS_PER_SEC;
	long f = (long)(t % IRT_NS_PER_SEC);
	char frac[16];
	int n;

	if (f == 0) {
		char d[24];
		int k = 24;
		unsigned long long u = sec < 0 ? -(unsigned long long)sec
		                               : (unsigned long long)sec;
		do
			d[--k] = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (sec < 0)
			d[--k] = '-';
		put(b, d + k, (size_t)(24 - k));
		return;
	}
	if (t < 0) {
		/* -1.5 s is written -1.500000000 */
		f = -f;
		if (sec == 0) {
			irt_buf_putc(b, '-');
		}
	}
	n = snprintf(frac, sizeof frac, "%09ld", f);
	while (n > 1 && frac[n - 1] == '0')
		frac[--n] = '\0';
	irt_buf_printf(b, "%lld.%s", sec, frac);
}

static bool
put_bodyfile(struct tl_writer *w, const struct tl_rec *r)
{
	struct irt_buf *b = &w->b;
	irt_ns times[4], min = 0;
	const char *v;
	size_t vlen;
	int i;
	const unsigned ks[] = { w->k_inode, w->k_mode, w->k_uid, w->k_gid,
		w->k_size };

	if (r->dt != &tl_dtype_fs)
		return false;
	get_times(r, times);
	for (i = 0; i < 4; i++)
		if (times[i] != 0 && (min == 0 || times[i] < min))
			min = times[i];
	if (r->t != min)
		return false; /* the file was written at its first time */
	v = tl_field(r, w->k_md5, &vlen);
	if (v != NULL && vlen > 0)
		body_name(b, v, vlen);
	else
		irt_buf_putc(b, '0');
	putch(b, '|');
	body_name(b, r->path, r->path_len);
	for (i = 0; i < 5; i++) {
		putch(b, '|');
		if ((v = tl_field(r, ks[i], &vlen)) != NULL)
			body_name(b, v, vlen);
		else
			putch(b, '0');
	}
	for (i = 0; i < 4; i++) {
		putch(b, '|');
		body_time(b, times[i]);
	}
	putch(b, '\n');
	return true;
}

/* ---- mactime ---- */

static const char *const wdays[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
	"Sat" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static void
mactime_date(struct tl_writer *w, char *out, size_t n, int64_t sec)
{
	const struct when *x = when_of(w, sec * IRT_NS_PER_SEC);

	if (w->o.format == IRT_TL_MACTIME_CSV) {
		if (w->o.tz == IRT_TL_TZ_UTC)
			snprintf(out, n, "%.19sZ", x->iso);
		else
			snprintf(out, n, "%.19s%c%02d:%02d", x->iso,
			    x->off < 0 ? '-' : '+', abs(x->off) / 3600,
			    abs(x->off) % 3600 / 60);
		return;
	}
	snprintf(out, n, "%s %s %02d %04d %02d:%02d:%02d", wdays[x->wday],
	    months[x->mo - 1], x->d, x->y % 10000, x->h, x->mi, x->s);
}

static void
pend_set(struct irt_buf *dst, const char *s, size_t len)
{
	dst->len = 0;
	if (dst->ptr != NULL)
		dst->ptr[0] = '\0';
	put(dst, s ? s : "", s ? len : 0);
}

static void
mactime_flush(struct tl_writer *w)
{
	struct pend *p = &w->pend;
	struct irt_buf *b = &w->b;
	const struct irt_buf *name = &p->name;
	const char *host;
	char date[48], macb[5];

	if (!p->have)
		return;
	p->have = false;
	if (!w->date_valid || w->date_sec != p->sec) {
		mactime_date(w, w->date_str, sizeof w->date_str, p->sec);
		w->date_sec = p->sec;
		w->date_valid = true;
	}
	memcpy(date, w->date_str, sizeof date);
	macb_str(macb, p->mask);
	/* mactime has no host column: of a merged timeline the name is
	 * HOST:NAME */
	host = src_host(w, p->src);
	if (host != NULL && *host != '\0') {
		irt_buf_clear(&w->hname);
		irt_buf_puts(&w->hname, host);
		irt_buf_putc(&w->hname, ':');
		if (p->name.len > 0)
			irt_buf_put(&w->hname, p->name.ptr, p->name.len);
		name = &w->hname;
	}
	if (w->o.format == IRT_TL_MACTIME_CSV) {
		put(b, date, strlen(date));
		putch(b, ',');
		csv(b, p->size.ptr, p->size.len);
		putch(b, ',');
		put(b, macb, 4);
		putch(b, ',');
		csv(b, p->mode.ptr, p->mode.len);
		putch(b, ',');
		csv(b, p->uid.ptr, p->uid.len);
		putch(b, ',');
		csv(b, p->gid.ptr, p->gid.len);
		putch(b, ',');
		csv(b, p->inode.ptr, p->inode.len);
		putch(b, ',');
		csv_cell(b, name->ptr ? name->ptr : "", name->len, true);
		putch(b, '\n');
		return;
	}
	if (strcmp(date, w->last_date) == 0)
		irt_buf_printf(b, "%24s", "");
	else {
		irt_buf_puts(b, date);
		memcpy(w->last_date, date, sizeof w->last_date);
	}
	irt_buf_printf(b, " %8s %3s ", irt_buf_cstr(&p->size), macb);
	irt_escape_term(b, p->mode.ptr, p->mode.len);
	irt_buf_printf(b, " %-8s %-8s %-8s ", irt_esc(irt_buf_cstr(&p->uid)),
	    irt_esc(irt_buf_cstr(&p->gid)), irt_esc(irt_buf_cstr(&p->inode)));
	irt_escape_term(b, name->ptr, name->len);
	irt_buf_putc(b, '\n');
}

static bool
same_buf(const struct irt_buf *b, const char *s, size_t len)
{
	return b->len == len && (len == 0 || memcmp(b->ptr, s, len) == 0);
}

static void
put_mactime(struct tl_writer *w, const struct tl_rec *r)
{
	struct pend *p = &w->pend;
	int64_t sec = r->t / IRT_NS_PER_SEC;
	const char *inode, *v;
	size_t ilen, vlen;

	if (r->t % IRT_NS_PER_SEC < 0)
		sec--;
	if (r->dt == &tl_dtype_fs) {
		inode = tl_field(r, w->k_inode, &ilen);
		if (p->have && p->sec == sec && p->src == r->src &&
		    same_buf(&p->inode, inode, ilen) &&
		    same_buf(&p->name, r->path, r->path_len)) {
			p->mask |= r->mask;
			return;
		}
		mactime_flush(w);
		p->have = true;
		p->sec = sec;
		p->src = r->src;
		p->mask = r->mask;
		pend_set(&p->inode, inode, ilen);
		pend_set(&p->name, r->path, r->path_len);
		v = tl_field(r, w->k_size, &vlen);
		pend_set(&p->size, v ? v : "0", v ? vlen : 1);
		v = tl_field(r, w->k_mode, &vlen);
		pend_set(&p->mode, v, vlen);
		v = tl_field(r, w->k_uid, &vlen);
		pend_set(&p->uid, v ? v : "0", v ? vlen : 1);
		v = tl_field(r, w->k_gid, &vlen);
		pend_set(&p->gid, v ? v : "0", v ? vlen : 1);
		return;
	}
	/* a log event: its type as the mode, the message as the name */
	mactime_flush(w);
	p->have = true;
	p->sec = sec;
	p->src = r->src;
	p->mask = 0;
	pend_set(&p->inode, "-", 1);
	pend_set(&p->size, "0", 1);
	pend_set(&p->mode, r->dt->name, strlen(r->dt->name));
	pend_set(&p->uid, "0", 1);
	pend_set(&p->gid, "0", 1);
	pend_set(&p->name, r->msg, r->msg_len);
	mactime_flush(w);
}

/* ---- the writer ---- */

int
tl_writer_new(struct tl_writer **out, const struct irt_tl *tl,
    const struct irt_tl_write_opts *o, irt_tl_out_fn fn, void *arg)
{
	struct tl_writer *w;
	unsigned i;
	int k;

	if ((w = calloc(1, sizeof *w)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	w->tl = tl;
	w->o = *o;
	w->fn = fn;
	w->arg = arg;
	if (irt_buf_grow(&w->b, FLUSH_AT + 65536) != 0) {
		free(w);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	w->k_inode = tl_key_find("inode");
	w->k_mode = tl_key_find("mode");
	w->k_uid = tl_key_find("uid");
	w->k_gid = tl_key_find("gid");
	w->k_size = tl_key_find("size");
	w->k_md5 = tl_key_find("md5");
	w->k_user = tl_key_find("user");
	w->ts_min = irt_days_from_civil(1700, 1, 1) * 86400 * IRT_NS_PER_SEC;
	for (i = 0; i < tl_src_count(tl); i++) {
		int kind = tl_src_get(tl, (uint16_t)i)->kind;
		const uint8_t *map = tl_keymap(kind);
		for (k = 0; tl_sources[kind]->fields != NULL &&
		     tl_sources[kind]->fields[k] != NULL;
		     k++)
			w->keys[map[k]] = true;
	}
	/* without fn the writer only gathers output: no header */
	switch (fn == NULL ? IRT_TL_JSONL : o->format) {
	case IRT_TL_MACTIME_CSV:
		irt_buf_puts(
		    &w->b, "Date,Size,Type,Mode,UID,GID,Meta,File Name\n");
		break;
	case IRT_TL_TIMESKETCH_CSV:
		ts_csv_header(w);
		break;
	case IRT_TL_L2TCSV:
		irt_buf_puts(&w->b,
		    "date,time,timezone,MACB,source,sourcetype,type,user,host,"
		    "short,desc,version,filename,inode,notes,format,extra\n");
		break;
	default:
		break;
	}
	*out = w;
	return 0;
}

int
tl_writer_put(struct tl_writer *w, const struct tl_rec *r)
{
	switch (w->o.format) {
	case IRT_TL_JSONL:
		put_jsonl(w, r);
		break;
	case IRT_TL_TIMESKETCH_JSONL:
		put_ts_jsonl(w, r);
		break;
	case IRT_TL_TIMESKETCH_CSV:
		put_ts_csv(w, r);
		break;
	case IRT_TL_L2TCSV:
		put_l2t(w, r);
		break;
	case IRT_TL_BODYFILE:
		if (!put_bodyfile(w, r))
			return 0;
		break;
	case IRT_TL_MACTIME:
	case IRT_TL_MACTIME_CSV:
		put_mactime(w, r);
		break;
	case IRT_TL_NFORMATS:
		return irt_error_set(IRT_EINVAL, "no such format");
	}
	w->n++;
	if (w->fn != NULL && w->b.len >= FLUSH_AT)
		return flush(w);
	return 0;
}

void
tl_writer_sync(struct tl_writer *w)
{
	if (w->o.format == IRT_TL_MACTIME || w->o.format == IRT_TL_MACTIME_CSV)
		mactime_flush(w);
}

int
tl_writer_drain(struct tl_writer *w, irt_tl_out_fn fn, void *arg)
{
	int rc = 0;

	if (w->b.len > 0)
		rc = fn(w->b.ptr, w->b.len, arg);
	w->b.len = 0;
	return rc;
}

uint64_t
tl_writer_count(const struct tl_writer *w)
{
	return w->n;
}

uint64_t
tl_writer_dropped(const struct tl_writer *w)
{
	return w->dropped;
}

int
tl_writer_end(struct tl_writer *w, uint64_t *written)
{
	if (w->o.format == IRT_TL_MACTIME || w->o.format == IRT_TL_MACTIME_CSV)
		mactime_flush(w);
	*written = w->n;
	return flush(w);
}

void
tl_writer_free(struct tl_writer *w)
{
	if (w == NULL)
		return;
	irt_buf_release(&w->b);
	irt_buf_release(&w->desc);
	irt_buf_release(&w->pend.name);
	irt_buf_release(&w->hname);
	irt_buf_release(&w->pend.inode);
	irt_buf_release(&w->pend.rest);
	irt_buf_release(&w->pend.size);
	irt_buf_release(&w->pend.mode);
	irt_buf_release(&w->pend.uid);
	irt_buf_release(&w->pend.gid);
	free(w);
}
