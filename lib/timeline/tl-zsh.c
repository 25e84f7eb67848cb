/*
 * zsh's extended history: ": <epoch>:<duration>;command", continued
 * lines end with '\\'.
 */
#include <ctype.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

static const struct tl_dtype dt_zsh = { "zsh:history", "Command Time", "LOG" };
static const struct tl_dtype *const types[] = { &dt_zsh, NULL };

enum { F_DURATION };

static const char *const fields[] = { [F_DURATION] = "duration", NULL };

/* The time of an entry that was refused: the entry is skipped. */
#define REFUSED INT64_MIN

/* The entry being read; it is cut at TL_LINE_MAX bytes. */
struct entry {
	irt_ns t;
	struct irt_buf cmd, dur;
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
		if (en->dur.ptr != NULL)
			tl_ev_add(&e, F_DURATION, en->dur.ptr, en->dur.len);
		if (rc == 0)
			rc = tl_emit(p, &e);
	}
	p->line = keep;
	irt_buf_clear(&en->cmd);
	en->cut = false;
	return rc;
}

/* Adds text to the entry (after a newline unless first), up to
 * TL_LINE_MAX bytes in all. */
static int
entry_add(struct entry *en, bool first, const char *s, size_t len)
{
	if (en->cut)
		return 0;
	if (len + !first > TL_LINE_MAX - en->cmd.len) {
		en->cut = true;
		return 0;
	}
	if ((!first && irt_buf_putc(&en->cmd, '\n') != 0) ||
	    irt_buf_put(&en->cmd, s, len) != 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	return 0;
}

static int
parse_zsh(struct tl_pctx *p, struct tl_stream *s)
{
	struct tl_lines lr;
	struct entry en;
	const char *line, *c, *semi, *body;
	size_t len;
	uint64_t untimed = 0, v;
	bool cont = false;
	int rc;

	memset(&en, 0, sizeof en);
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1) {
		if (cont) {
			body = line;
			if ((rc = entry_add(&en, false, line, len)) != 0)
				break;
		} else if (len > 2 && line[0] == ':' && line[1] == ' ' &&
		    (semi = memchr(line, ';', len)) != NULL) {
			const char *colon =
			    memchr(line + 2, ':', (size_t)(semi - line - 2));
			if (colon == NULL ||
			    !tl_parse_u64(
			        line + 2, (size_t)(colon - line - 2), &v)) {
				if ((rc = tl_warn_line(p,
				         "bad zsh history time, skipped")) != 0)
					break;
				continue;
			}
			if (tl_time_u64(&en.t, v, 0) != 0) {
				en.t = REFUSED;
				if ((rc = tl_warn_line(p, "%s, entry skipped",
				         irt_error_last())) != 0)
					break;
			}
			en.line = p->line;
			irt_buf_clear(&en.dur);
			irt_buf_put(
			    &en.dur, colon + 1, (size_t)(semi - colon - 1));
			body = c = semi + 1;
			irt_buf_clear(&en.cmd);
			en.cut = false;
			if ((rc = entry_add(
			         &en, true, c, (size_t)(line + len - c))) != 0)
				break;
		} else {
			/* a plain history line: no time */
			untimed++;
			continue;
		}
		/* a line that ends in '\\' goes on on the next */
		cont = line + len > body && line[len - 1] == '\\';
		if (cont) {
			if (!en.cut)
				en.cmd.len--;
			continue;
		}
		if ((rc = flush_cmd(p, &en, &untimed)) != 0)
			break;
	}
	if (rc == 0 && cont)
		rc = flush_cmd(p, &en, &untimed);
	if (rc == 0 && untimed > 0)
		rc = tl_warn(p, "%llu entries with no time, skipped",
		    (unsigned long long)untimed);
	tl_lines_free(&lr);
	irt_buf_release(&en.cmd);
	irt_buf_release(&en.dur);
	return rc < 0 ? rc : 0;
}

static bool
by_name(const char *name, const char *path)
{
	(void)path;
	return strcmp(name, ".zsh_history") == 0 ||
	    strcmp(name, "zsh_history") == 0 || strcmp(name, ".zhistory") == 0;
}

static int
by_content(const struct tl_head *h)
{
	const char *d = h->line;

	return h->line_len > 2 && d[0] == ':' && d[1] == ' ' &&
	        isdigit((unsigned char)d[2])
	    ? TL_YES
	    : TL_NO;
}

const struct tl_source tl_source_zsh = {
	.name = "zsh_history",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_zsh,
};
