/*
 * Bash history with HISTTIMEFORMAT: "#<epoch>" before each entry; an
 * entry may span lines.
 */
#include <ctype.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

static const struct tl_dtype dt_bash = { "bash:history", "Command Time",
	"LOG" };
static const struct tl_dtype *const types[] = { &dt_bash, NULL };

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
flush_cmd(struct tl_pctx *p, struct entry *en, uint64_t *untimed)
{
	struct tl_ev e;
	uint64_t keep = p->line;
	int rc = 0;

	if (en->cmd.len == 0 && !en->cut)
		return 0;
	p->line = en->line;
	if (en->t == 0) {
		(*untimed)++;
	} else if (en->t != REFUSED) {
		if (en->cut)
			rc = tl_warn_line(
			    p, "entry longer than %u bytes, cut", TL_LINE_MAX);
		tl_ev_init(&e, 0, en->t);
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
	const char *line;
	size_t len;
	irt_ns nt;
	uint64_t untimed = 0;
	int rc;

	memset(&en, 0, sizeof en);
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1) {
		if ((rc = epoch_line(p, line, len, &nt)) < 0)
			break;
		if (rc == 1) {
			if ((rc = flush_cmd(p, &en, &untimed)) != 0)
				break;
			/* "#0" is no time: its entry is counted */
			en.t = nt;
			continue;
		}
		if ((rc = entry_add(p, &en, line, len)) != 0)
			break;
		if (en.t == 0) {
			/* no time: one entry per line */
			if ((rc = flush_cmd(p, &en, &untimed)) != 0)
				break;
		}
	}
	if (rc == 0)
		rc = flush_cmd(p, &en, &untimed);
	if (rc == 0 && untimed > 0)
		rc = tl_warn(p, "%llu entries with no time, skipped",
		    (unsigned long long)untimed);
	tl_lines_free(&lr);
	irt_buf_release(&en.cmd);
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
