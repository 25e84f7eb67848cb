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

static int
flush_cmd(struct tl_pctx *p, irt_ns t, struct irt_buf *cmd, const char *dur,
    size_t dlen, uint64_t *untimed)
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
		if (dur != NULL)
			tl_ev_add(&e, F_DURATION, dur, dlen);
		rc = tl_emit(p, &e);
	}
	irt_buf_clear(cmd);
	return rc;
}

static int
parse_zsh(struct tl_pctx *p, struct tl_stream *s)
{
	struct tl_lines lr;
	struct irt_buf cmd = IRT_BUF_INIT, dur = IRT_BUF_INIT;
	const char *line, *c, *semi;
	size_t len;
	irt_ns t = 0;
	uint64_t untimed = 0, v;
	bool cont = false;
	int rc;

	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1) {
		if (cont) {
			irt_buf_putc(&cmd, '\n');
			irt_buf_put(&cmd, line, len);
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
			t = (irt_ns)v * IRT_NS_PER_SEC;
			irt_buf_clear(&dur);
			irt_buf_put(
			    &dur, colon + 1, (size_t)(semi - colon - 1));
			c = semi + 1;
			irt_buf_clear(&cmd);
			irt_buf_put(&cmd, c, (size_t)(line + len - c));
		} else {
			/* a plain history line: no time */
			untimed++;
			continue;
		}
		cont = cmd.len > 0 && cmd.ptr[cmd.len - 1] == '\\';
		if (cont) {
			cmd.len--;
			continue;
		}
		if ((rc = flush_cmd(p, t, &cmd, dur.ptr, dur.len, &untimed)) !=
		    0)
			break;
	}
	if (rc == 0 && cont)
		rc = flush_cmd(p, t, &cmd, dur.ptr, dur.len, &untimed);
	if (rc == 0 && untimed > 0)
		rc = tl_warn(p, "%llu entries with no time, skipped",
		    (unsigned long long)untimed);
	tl_lines_free(&lr);
	irt_buf_release(&cmd);
	irt_buf_release(&dur);
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
