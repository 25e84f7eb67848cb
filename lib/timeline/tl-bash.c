/*
 * Bash history with HISTTIMEFORMAT: "#<epoch>" before each entry; an
 * entry may span lines.  Entries with no time (written before
 * HISTTIMEFORMAT was set, or after "#0") were run before the next entry
 * that has one: they are events at its time, of their own type; with no
 * such entry, at the file's modification time.
 */
#include <ctype.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

enum { T_TIMED, T_BEFORE };

static const struct tl_dtype dt_bash = { "bash:history", "Command Time",
	"LOG" };
static const struct tl_dtype dt_before = { "bash:history:before",
	"Not After Time", "LOG" };
static const struct tl_dtype *const types[] = {
	[T_TIMED] = &dt_bash, [T_BEFORE] = &dt_before, NULL
};

/* The most of the entries with no time held until a time comes:
 * HELD_MAX, and no more than an eighth of --memory. */
#define HELD_MAX (16u << 20)

static size_t
held_max(struct tl_pctx *p)
{
	size_t m = tl_memory(p) / 8;

	return m < HELD_MAX ? m : HELD_MAX;
}

/* Entries with no time, held: records of the line where each starts
 * (8 bytes), its length (8 bytes) and its bytes. */
struct held {
	struct irt_buf b;
	uint64_t n;
	uint64_t first; /* the line of the first */
	uint64_t lost;  /* beyond HELD_MAX */
	uint64_t lost_first;
};

/* The time of an entry that was refused: the entry is skipped. */
#define REFUSED INT64_MIN

/* A "#<epoch>" line: 1 and its time (REFUSED when irt cannot hold it,
 * with a warning), or 0 when it is a command. */
static int
epoch_line(struct tl_pctx *p, const char *s, size_t len, irt_ns *t)
{
	uint64_t v;

	if (len < 2 || s[0] != '#' || len > 13)
		return 0;
	if (!tl_parse_u64(s + 1, len - 1, &v))
		return 0;
	if (tl_time_u64(t, v, 0) != 0) {
		int rc = tl_warn_line(p, "%s, entry skipped", irt_error_last());
		*t = REFUSED;
		return rc != 0 ? rc : 1;
	}
	return 1;
}

/* The entry being read; it is cut at TL_LINE_MAX bytes. */
struct entry {
	irt_ns t;
	struct irt_buf cmd;
	uint64_t line; /* where it starts */
	bool cut;
};

static int
hold(struct tl_pctx *p, struct held *h, const struct entry *en)
{
	uint64_t len = en->cmd.len;

	if (h->b.len + 16 + len > held_max(p)) {
		if (h->lost++ == 0)
			h->lost_first = en->line;
		return 0;
	}
	if (h->n++ == 0)
		h->first = en->line;
	if (irt_buf_put(&h->b, &en->line, 8) != 0 ||
	    irt_buf_put(&h->b, &len, 8) != 0 ||
	    irt_buf_put(&h->b, en->cmd.ptr, (size_t)len) != 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	return 0;
}

/* The held entries as events at t (no later than t); with no t, a
 * warning. */
static int
release(struct tl_pctx *p, struct held *h, irt_ns t)
{
	uint64_t keep = p->line, line, len;
	struct tl_ev e;
	size_t off = 0;
	int rc = 0;

	if (h->lost > 0) {
		p->line = h->lost_first;
		rc = tl_warn_line(p,
		    "%llu entries with no time beyond %zu bytes of them, "
		    "skipped",
		    (unsigned long long)h->lost, held_max(p));
		h->lost = 0;
	}
	if (rc == 0 && h->n > 0 && t == 0) {
		p->line = h->first;
		rc = tl_warn_line(p, "%llu entries with no time, skipped",
		    (unsigned long long)h->n);
	}
	while (rc == 0 && t != 0 && off + 16 <= h->b.len) {
		memcpy(&line, h->b.ptr + off, 8);
		memcpy(&len, h->b.ptr + off + 8, 8);
		off += 16;
		p->line = line;
		tl_ev_init(&e, T_BEFORE, t);
		e.msg = h->b.ptr + off;
		e.msg_len = (size_t)len;
		rc = tl_emit(p, &e);
		off += (size_t)len;
	}
	p->line = keep;
	h->n = 0;
	irt_buf_clear(&h->b);
	return rc;
}

static int
flush_cmd(struct tl_pctx *p, struct entry *en, struct held *h)
{
	struct tl_ev e;
	uint64_t keep = p->line;
	int rc = 0;

	if (en->cmd.len == 0 && !en->cut)
		return 0;
	p->line = en->line;
	if (en->t == 0) {
		rc = hold(p, h, en);
	} else if (en->t != REFUSED) {
		if (en->cut)
			rc = tl_warn_line(
			    p, "entry longer than %u bytes, cut", TL_LINE_MAX);
		tl_ev_init(&e, T_TIMED, en->t);
		e.msg = en->cmd.ptr;
		e.msg_len = en->cmd.len;
		if (rc == 0)
			rc = tl_emit(p, &e);
	}
	p->line = keep;
	irt_buf_clear(&en->cmd);
	en->cut = false;
	return rc;
}

/* Adds a line to the entry, up to TL_LINE_MAX bytes in all. */
static int
entry_add(struct tl_pctx *p, struct entry *en, const char *line, size_t len)
{
	size_t room;

	if (en->cmd.len == 0 && !en->cut)
		en->line = p->line;
	if (en->cut)
		return 0;
	room = TL_LINE_MAX - en->cmd.len;
	if (len + (en->cmd.len > 0) > room) {
		en->cut = true;
		return 0;
	}
	if ((en->cmd.len > 0 && irt_buf_putc(&en->cmd, '\n') != 0) ||
	    irt_buf_put(&en->cmd, line, len) != 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	return 0;
}

static int
parse_bash(struct tl_pctx *p, struct tl_stream *s)
{
	struct tl_lines lr;
	struct entry en;
	struct held h;
	const char *line;
	size_t len;
	irt_ns nt;
	int rc;

	memset(&en, 0, sizeof en);
	memset(&h, 0, sizeof h);
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1) {
		if ((rc = epoch_line(p, line, len, &nt)) < 0)
			break;
		if (rc == 1) {
			if ((rc = flush_cmd(p, &en, &h)) != 0)
				break;
			/* the entries held were run before this one */
			if (nt != 0 && nt != REFUSED &&
			    (rc = release(p, &h, nt)) != 0)
				break;
			/* "#0" is no time: its entry is held */
			en.t = nt;
			continue;
		}
		if ((rc = entry_add(p, &en, line, len)) != 0)
			break;
		if (en.t == 0) {
			/* no time: one entry per line */
			if ((rc = flush_cmd(p, &en, &h)) != 0)
				break;
		}
	}
	if (rc == 0)
		rc = flush_cmd(p, &en, &h);
	/* no entry with a time after them: the file's mtime bounds them */
	if (rc == 0)
		rc = release(p, &h, p->mtime);
	tl_lines_free(&lr);
	irt_buf_release(&en.cmd);
	irt_buf_release(&h.b);
	return rc < 0 ? rc : 0;
}

static bool
by_name(const char *name, const char *path)
{
	(void)path;
	return strcmp(name, ".bash_history") == 0 ||
	    strcmp(name, "bash_history") == 0;
}

static int
by_content(const struct tl_head *h)
{
	return h->line_len > 0 && h->line[0] == '#' ? TL_YES : TL_NO;
}

const struct tl_source tl_source_bash = {
	.name = "bash_history",
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_bash,
};
