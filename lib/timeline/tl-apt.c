/*
 * apt's history.log: one event per transaction, from its Start-Date to
 * its End-Date.
 */
#include <ctype.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

static const struct tl_dtype dt_apt = { "apt:history", "Start Time", "LOG" };
static const struct tl_dtype *const types[] = { &dt_apt, NULL };

enum { F_ACTION, F_COMMANDLINE, F_REQUESTED_BY, F_PACKAGE };

static const char *const fields[] = { [F_ACTION] = "action",
	[F_COMMANDLINE] = "commandline",
	[F_REQUESTED_BY] = "requested_by",
	[F_PACKAGE] = "package",
	NULL };

struct apt {
	irt_ns t;
	bool open;
	bool skip; /* in a block whose Start-Date was refused */
	bool cut;  /* lines beyond TL_LINE_MAX bytes were left out */
	uint64_t line;
	struct irt_buf msg, cmd, by, action, pkgs;
};

static int
apt_flush(struct tl_pctx *p, struct apt *a)
{
	struct tl_ev e;
	int rc;
	uint64_t keep = p->line;

	if (!a->open)
		return 0;
	a->open = false;
	p->line = a->line;
	if (a->cut &&
	    (rc = tl_warn_line(p, "transaction longer than %u bytes, cut",
	         TL_LINE_MAX)) != 0) {
		p->line = keep;
		return rc;
	}
	tl_ev_init(&e, 0, a->t);
	e.msg = a->msg.ptr;
	e.msg_len = a->msg.len;
	if (a->cmd.len)
		tl_ev_add(&e, F_COMMANDLINE, a->cmd.ptr, a->cmd.len);
	if (a->by.len)
		tl_ev_add(&e, F_REQUESTED_BY, a->by.ptr, a->by.len);
	if (a->action.len)
		tl_ev_add(&e, F_ACTION, a->action.ptr, a->action.len);
	if (a->pkgs.len)
		tl_ev_add(&e, F_PACKAGE, a->pkgs.ptr, a->pkgs.len);
	rc = tl_emit(p, &e);
	p->line = keep;
	return rc;
}

static bool
is_key(const char *s, size_t len, const char *key)
{
	return strlen(key) == len && memcmp(s, key, len) == 0;
}

static int
apt_line(struct tl_pctx *p, struct apt *a, const char *line, size_t len)
{
	const char *colon, *v;
	size_t klen, vlen;
	irt_ns t;
	int rc;

	if (len == 0)
		return 0;
	colon = memchr(line, ':', len);
	if (colon == NULL || colon + 1 >= line + len || colon[1] != ' ')
		return a->skip
		    ? 0
		    : tl_warn_line(p, "not an apt history line, skipped");
	klen = (size_t)(colon - line);
	v = colon + 2;
	vlen = (size_t)(line + len - v);
	if (klen == 10 && memcmp(line, "Start-Date", 10) == 0) {
		if ((rc = apt_flush(p, a)) != 0)
			return rc;
		/* the rest of a refused block is skipped with it */
		a->skip = true;
		/* "2024-01-02  03:04:05": two spaces */
		if ((rc = tl_ymd_hms(v, vlen, 2, &t)) == -1)
			rc = tl_ymd_hms(v, vlen, 1, &t);
		if (rc == -1)
			return tl_warn_line(p, "bad Start-Date, block skipped");
		if (rc != 0)
			return tl_warn_line(
			    p, "%s, block skipped", irt_error_last());
		a->t = t;
		a->open = true;
		a->skip = false;
		a->cut = false;
		a->line = p->line;
		irt_buf_clear(&a->msg);
		irt_buf_clear(&a->cmd);
		irt_buf_clear(&a->by);
		irt_buf_clear(&a->action);
		irt_buf_clear(&a->pkgs);
		return 0;
	}
	if (klen == 8 && memcmp(line, "End-Date", 8) == 0) {
		a->skip = false;
		return apt_flush(p, a);
	}
	if (a->skip)
		return 0;
	if (!a->open)
		return tl_warn_line(p,
		    "apt history line outside a block, "
		    "skipped");
	/* a transaction without an end (or a huge one) is cut: every part
	 * of it is in msg, which stays within TL_LINE_MAX */
	if (a->cut || a->msg.len + 2 + len > TL_LINE_MAX) {
		a->cut = true;
		return 0;
	}
	if (a->msg.len)
		irt_buf_puts(&a->msg, "; ");
	irt_buf_put(&a->msg, line, len);
	if (klen == 11 && memcmp(line, "Commandline", 11) == 0)
		irt_buf_put(&a->cmd, v, vlen);
	else if (klen == 12 && memcmp(line, "Requested-By", 12) == 0)
		irt_buf_put(&a->by, v, vlen);
	else if (is_key(line, klen, "Install") ||
	    is_key(line, klen, "Upgrade") || is_key(line, klen, "Remove") ||
	    is_key(line, klen, "Purge") || is_key(line, klen, "Downgrade") ||
	    is_key(line, klen, "Reinstall")) {
		if (a->action.len) {
			irt_buf_putc(&a->action, ',');
			irt_buf_puts(&a->pkgs, "; ");
		}
		irt_buf_put(&a->action, line, klen);
		irt_buf_put(&a->pkgs, v, vlen);
	}
	return 0;
}

static int
parse_apt(struct tl_pctx *p, struct tl_stream *s)
{
	struct tl_lines lr;
	struct apt a;
	const char *line;
	size_t len;
	int rc;

	memset(&a, 0, sizeof a);
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1)
		if ((rc = apt_line(p, &a, line, len)) != 0)
			break;
	if (rc == 0)
		rc = apt_flush(p, &a);
	tl_lines_free(&lr);
	irt_buf_release(&a.msg);
	irt_buf_release(&a.cmd);
	irt_buf_release(&a.by);
	irt_buf_release(&a.action);
	irt_buf_release(&a.pkgs);
	return rc < 0 ? rc : 0;
}

static bool
by_name(const char *name, const char *path)
{
	return strcmp(name, "history.log") == 0 && strstr(path, "apt") != NULL;
}

static int
by_content(const struct tl_head *h)
{
	return h->line_len > 12 && memcmp(h->line, "Start-Date: ", 12) == 0
	    ? TL_YES
	    : TL_NO;
}

const struct tl_source tl_source_apt = {
	.name = "apt",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_apt,
};
