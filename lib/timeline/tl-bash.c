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

static bool
epoch_line(const char *s, size_t len, irt_ns *t)
{
	uint64_t v;

	if (len < 2 || s[0] != '#' || len > 13)
		return false;
	if (!tl_parse_u64(s + 1, len - 1, &v))
		return false;
	*t = (irt_ns)v * IRT_NS_PER_SEC;
	return true;
}

static int
flush_cmd(struct tl_pctx *p, irt_ns t, struct irt_buf *cmd, uint64_t *untimed)
{
	struct tl_ev e;
	int rc = 0;

	if (cmd->len == 0)
		return 0;
	if (t == 0) {
		(*untimed)++;
	} else {
		tl_ev_init(&e, 0, t);
		e.msg = cmd->ptr;
		e.msg_len = cmd->len;
		rc = tl_emit(p, &e);
	}
	irt_buf_clear(cmd);
	return rc;
}

static int
parse_bash(struct tl_pctx *p, struct tl_stream *s)
{
	struct tl_lines lr;
	struct irt_buf cmd = IRT_BUF_INIT;
	const char *line;
	size_t len;
	irt_ns t = 0, nt;
	uint64_t untimed = 0;
	int rc;

	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1) {
		if (epoch_line(line, len, &nt)) {
			if ((rc = flush_cmd(p, t, &cmd, &untimed)) != 0)
				break;
			t = nt; /* "#0" is no time: its entry is counted */
			continue;
		}
		if (cmd.len > 0)
			irt_buf_putc(&cmd, '\n');
		irt_buf_put(&cmd, line, len);
		if (t == 0) {
			/* no time: one entry per line */
			if ((rc = flush_cmd(p, 0, &cmd, &untimed)) != 0)
				break;
		}
	}
	if (rc == 0)
		rc = flush_cmd(p, t, &cmd, &untimed);
	if (rc == 0 && untimed > 0)
		rc = tl_warn(p, "%llu entries with no time, skipped",
		    (unsigned long long)untimed);
	tl_lines_free(&lr);
	irt_buf_release(&cmd);
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
