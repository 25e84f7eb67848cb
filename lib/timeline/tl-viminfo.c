/*
 * Vim's ~/.viminfo.  Its times are in the "bar lines" of Vim 8 and
 * later, each after the entry it dates:
 *
 *   :e /etc/shadow                      command line history
 *   |2,0,1700000050,,"e /etc/shadow"    |2,TYPE,TIME,SEP,"TEXT"
 *   '0  1  0  /etc/shadow               file mark
 *   |4,48,1,0,1700000200,"/etc/shadow"  |4,MARK,LINE,COL,TIME,"FILE"
 *   > /etc/shadow                       marks within a file ...
 *   	*	1700000200	0                 ... last set at TIME
 *
 * Strings of bar lines are quoted with \\, \" and \n escapes, and long
 * ones go on in lines that start with "|<".  Entries without a bar line
 * (older Vims) have no time: they are counted in one warning.
 * Registers, options and the like have no event.
 */
#include <ctype.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

enum { T_HISTORY, T_MARK };

static const struct tl_dtype dt_history = { "viminfo:history", "Command Time",
	"LOG" };
static const struct tl_dtype dt_mark = { "viminfo:mark", "Last Edited Time",
	"LOG" };
static const struct tl_dtype *const types[] = {
	[T_HISTORY] = &dt_history, [T_MARK] = &dt_mark, NULL
};

enum { F_HISTORY, F_MARK, F_FILE, F_LINE, F_COLUMN };

static const char *const fields[] = { [F_HISTORY] = "history",
	[F_MARK] = "mark",
	[F_FILE] = "file",
	[F_LINE] = "line",
	[F_COLUMN] = "column",
	NULL };

static const char *const histories[] = { "command", "search", "expression",
	"input", "debug" };

/* A value of a bar line. */
struct bval {
	enum { BV_EMPTY, BV_NUM, BV_STR, BV_OTHER } kind;
	long long n;
	const char *s; /* a string with its escapes, without its quotes */
	size_t len;
};

#define BV_MAX 8

struct vi {
	/* the bar line being read, with its "|<" continuations */
	struct irt_buf bar;
	uint64_t bar_line;
	bool in_bar, bar_cut;
	/* an entry waiting for its bar line, and those that had none */
	bool pending;
	uint64_t untimed;
	/* the file of a "> FILE" block; name_next: its name is on the next
	 * "<" line (Vim's long form) */
	struct irt_buf file;
	bool in_file, name_next;
	struct irt_buf text; /* decoded strings */
	char mark;
};

/* The values of a bar line after its '|': up to BV_MAX of them. */
static int
bar_values(const char *s, const char *end, struct bval *v)
{
	int n = 0;

	for (;;) {
		struct bval *b = &v[n];
		const char *q = s;
		memset(b, 0, sizeof *b);
		if (q < end && *q == '>') {
			/* ">LEN" before a long string */
			for (q++; q < end && isdigit((unsigned char)*q); q++)
				;
			if (q < end && *q == '"')
				s = q;
			q = s;
		}
		if (q < end && *q == '"') {
			for (q++; q < end && *q != '"'; q++)
				if (*q == '\\' && q + 1 < end)
					q++;
			b->kind = BV_STR;
			b->s = s + 1;
			b->len = (size_t)(q - s - 1);
			if (q < end)
				q++;
		} else {
			while (q < end && *q != ',')
				q++;
			b->s = s;
			b->len = (size_t)(q - s);
			if (q == s)
				b->kind = BV_EMPTY;
			else {
				size_t i = *s == '-';
				b->kind = BV_NUM;
				if (b->len == i || b->len - i > 18)
					b->kind = BV_OTHER;
				for (; i < b->len && b->kind == BV_NUM; i++)
					if (!isdigit((unsigned char)s[i]))
						b->kind = BV_OTHER;
					else
						b->n = b->n * 10 + (s[i] - '0');
				if (b->kind == BV_NUM && *s == '-')
					b->n = -b->n;
			}
		}
		n++;
		if (q >= end || *q != ',' || n == BV_MAX)
			return n;
		s = q + 1;
	}
}

/* A string of a bar line, its escapes decoded, into vi->text. */
static int
decode_str(struct vi *vi, const struct bval *b)
{
	const char *s = b->s, *end = b->s + b->len;

	irt_buf_clear(&vi->text);
	for (; s < end; s++) {
		char c = *s;
		if (c == '\\' && s + 1 < end) {
			c = *++s;
			if (c == 'n')
				c = '\n';
			else if (c != '\\' && c != '"' &&
			    irt_buf_putc(&vi->text, '\\') != 0)
				return irt_error_set(
				    IRT_ENOMEM, "out of memory");
		}
		if (irt_buf_putc(&vi->text, c) != 0)
			return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	return 0;
}

/* The time of an entry: 0 and *skip false, or *skip when it has none
 * (counted) or a bad one (a warning, whose return it returns). */
static int
bar_time(struct tl_pctx *p, struct vi *vi, const struct bval *b, irt_ns *t,
    bool *skip)
{
	*skip = true;
	if (b->kind != BV_NUM || b->n < 0)
		return tl_warn_line(p, "bad viminfo time, entry skipped");
	if (b->n == 0) {
		vi->untimed++;
		return 0;
	}
	if (irt_time_make(t, b->n, 0) != 0)
		return tl_warn_line(p, "%s, entry skipped", irt_error_last());
	*skip = false;
	return 0;
}

/* The bar line read: an event for a history entry or a file mark. */
static int
bar_flush(struct tl_pctx *p, struct vi *vi)
{
	struct bval v[BV_MAX];
	struct tl_ev e;
	uint64_t keep = p->line;
	irt_ns t;
	bool skip;
	int n, rc = 0;

	if (!vi->in_bar)
		return 0;
	vi->in_bar = false;
	p->line = vi->bar_line;
	n = bar_values(vi->bar.ptr ? vi->bar.ptr : "",
	    (vi->bar.ptr ? vi->bar.ptr : "") + vi->bar.len, v);
	if (v[0].kind != BV_NUM || (v[0].n != 2 && v[0].n != 4))
		goto out; /* a version, a register, ...: no event */
	vi->pending = false;
	if (vi->bar_cut) {
		rc = tl_warn_line(
		    p, "record longer than %u bytes, skipped", TL_LINE_MAX);
		goto out;
	}
	if (v[0].n == 2) {
		/* |2,TYPE,TIME,SEP,"TEXT" */
		if (n < 5 || v[1].kind != BV_NUM || v[4].kind != BV_STR) {
			rc = tl_warn_line(
			    p, "bad viminfo history record, skipped");
			goto out;
		}
		if ((rc = bar_time(p, vi, &v[2], &t, &skip)) != 0 || skip)
			goto out;
		if ((rc = decode_str(vi, &v[4])) != 0)
			goto out;
		tl_ev_init(&e, T_HISTORY, t);
		if (v[1].n >= 0 && v[1].n < 5)
			tl_ev_adds(&e, F_HISTORY, histories[v[1].n]);
		else
			tl_ev_addi(&e, F_HISTORY, v[1].n);
	} else {
		/* |4,MARK,LINE,COL,TIME,"FILE" */
		if (n < 6 || v[1].kind != BV_NUM || v[5].kind != BV_STR) {
			rc =
			    tl_warn_line(p, "bad viminfo mark record, skipped");
			goto out;
		}
		if ((rc = bar_time(p, vi, &v[4], &t, &skip)) != 0 || skip)
			goto out;
		if ((rc = decode_str(vi, &v[5])) != 0)
			goto out;
		tl_ev_init(&e, T_MARK, t);
		/* the mark's character ('0, 'A; ' for the jump list) */
		if (v[1].n > ' ' && v[1].n < 127) {
			vi->mark = (char)v[1].n;
			tl_ev_add(&e, F_MARK, &vi->mark, 1);
		} else
			tl_ev_addi(&e, F_MARK, v[1].n);
		tl_ev_add(&e, F_FILE, vi->text.ptr, vi->text.len);
		if (v[2].kind == BV_NUM)
			tl_ev_addi(&e, F_LINE, v[2].n);
		if (v[3].kind == BV_NUM)
			tl_ev_addi(&e, F_COLUMN, v[3].n);
	}
	e.msg = vi->text.ptr ? vi->text.ptr : "";
	e.msg_len = vi->text.len;
	rc = tl_emit(p, &e);
out:
	p->line = keep;
	irt_buf_clear(&vi->bar);
	vi->bar_cut = false;
	return rc;
}

static int
bar_add(struct vi *vi, const char *s, size_t len)
{
	if (vi->bar_cut)
		return 0;
	if (vi->bar.len + len > TL_LINE_MAX) {
		vi->bar_cut = true;
		return 0;
	}
	if (irt_buf_put(&vi->bar, s, len) != 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	return 0;
}

/* Vim's CTRL-V escapes of a "> FILE" name: ^Vn a newline, ^VX X. */
static int
file_name(struct vi *vi, const char *s, const char *end)
{
	irt_buf_clear(&vi->file);
	for (; s < end; s++) {
		char c = *s;
		if (c == '\026' && s + 1 < end) {
			c = *++s;
			if (c == 'n')
				c = '\n';
		}
		if (irt_buf_putc(&vi->file, c) != 0)
			return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	return 0;
}

/* "\t*\tTIME\t0" in a "> FILE" block: the time its marks were set. */
static int
file_time(struct tl_pctx *p, struct vi *vi, const char *line, size_t len)
{
	const char *s = line + 3, *end = line + len, *q;
	struct tl_ev e;
	uint64_t v;
	irt_ns t;

	for (q = s; q < end && *q != '\t'; q++)
		;
	if (!tl_parse_u64(s, (size_t)(q - s), &v))
		return tl_warn_line(p, "bad viminfo time, entry skipped");
	if (v == 0) {
		vi->untimed++;
		return 0;
	}
	if (tl_time_u64(&t, v, 0) != 0)
		return tl_warn_line(p, "%s, entry skipped", irt_error_last());
	tl_ev_init(&e, T_MARK, t);
	tl_ev_adds(&e, F_MARK, "*");
	tl_ev_add(&e, F_FILE, vi->file.ptr ? vi->file.ptr : "", vi->file.len);
	e.msg = vi->file.ptr ? vi->file.ptr : "";
	e.msg_len = vi->file.len;
	return tl_emit(p, &e);
}

static int
vi_line(struct tl_pctx *p, struct vi *vi, const char *line, size_t len)
{
	int rc;

	if (len >= 2 && line[0] == '|' && line[1] == '<') {
		if (!vi->in_bar)
			return tl_warn_line(p,
			    "viminfo continuation outside a record, skipped");
		return bar_add(vi, line + 2, len - 2);
	}
	if ((rc = bar_flush(p, vi)) != 0)
		return rc;
	if (len == 0)
		return 0;
	if (line[0] == '<') {
		/* the long form of the string of the line before */
		if (vi->name_next) {
			vi->name_next = false;
			return file_name(vi, line + 1, line + len);
		}
		return 0;
	}
	vi->name_next = false;
	if (line[0] == '\t') {
		if (vi->in_file && len > 3 && line[1] == '*' && line[2] == '\t')
			return file_time(p, vi, line, len);
		return 0; /* a register's text, a mark within a file */
	}
	vi->in_file = false;
	if (line[0] == '|') {
		/* a history entry or a mark it follows is no longer pending
		 * once it is read (bar_flush) */
		vi->in_bar = true;
		vi->bar_line = p->line;
		return bar_add(vi, line + 1, len - 1);
	}
	/* the entry before had no bar line: no time */
	if (vi->pending) {
		vi->pending = false;
		vi->untimed++;
	}
	switch (line[0]) {
	case ':':
	case '?':
	case '=':
	case '@':
	case '-':
	case '\'':
		/* a history entry or a file mark: its time follows */
		vi->pending = true;
		return 0;
	case '>':
		vi->in_file = true;
		if (len > 3 && line[2] == '\026' &&
		    isdigit((unsigned char)line[3]))
			vi->name_next = true;
		return file_name(
		    vi, line + (len > 1 && line[1] == ' ' ? 2 : 1), line + len);
	case '#':
	case '*':
	case '~':
	case '$':
	case '&':
	case '!':
	case '%':
	case '"':
	case '+':
		return 0; /* comments, options, registers, buffers */
	default:
		return tl_warn_line(p, "not a viminfo line, skipped");
	}
}

static int
parse_viminfo(struct tl_pctx *p, struct tl_stream *s)
{
	struct tl_lines lr;
	struct vi vi;
	const char *line;
	size_t len;
	int rc;

	memset(&vi, 0, sizeof vi);
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1)
		if ((rc = vi_line(p, &vi, line, len)) != 0)
			break;
	if (rc == 0)
		rc = bar_flush(p, &vi);
	if (rc == 0 && vi.pending)
		vi.untimed++;
	if (rc == 0 && vi.untimed > 0)
		rc = tl_warn(p, "%llu entries with no time, skipped",
		    (unsigned long long)vi.untimed);
	tl_lines_free(&lr);
	irt_buf_release(&vi.bar);
	irt_buf_release(&vi.file);
	irt_buf_release(&vi.text);
	return rc < 0 ? rc : 0;
}

static bool
by_name(const char *name, const char *path)
{
	(void)path;
	return strcmp(name, ".viminfo") == 0 || strcmp(name, "viminfo") == 0 ||
	    strcmp(name, "_viminfo") == 0;
}

/* "# This viminfo file was generated by Vim", or its "|1,4" line */
static int
by_content(const struct tl_head *h)
{
	static const char sig[] = "# This viminfo file was generated by Vim";

	if (h->len >= sizeof sig - 1 &&
	    memcmp(h->data, sig, sizeof sig - 1) == 0)
		return TL_YES;
	return h->line_len >= 3 && memcmp(h->line, "|1,", 3) == 0 ? TL_YES
	                                                          : TL_NO;
}

const struct tl_source tl_source_viminfo = {
	.name = "viminfo",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_viminfo,
};
