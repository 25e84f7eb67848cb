/*
 * fish's history (~/.local/share/fish/fish_history), YAML-like:
 *
 *   - cmd: echo hi\nthere
 *     when: 1700000000
 *     paths:
 *       - /tmp/x
 *
 * fish escapes a backslash as "\\" and a newline as "\n" in cmd and
 * paths; they are decoded.  An entry without "when" has no time: such
 * entries are counted in one warning.
 */
#include <ctype.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

static const struct tl_dtype dt_fish = { "fish:history", "Command Time",
	"LOG" };
static const struct tl_dtype *const types[] = { &dt_fish, NULL };

enum { F_PATHS };

static const char *const fields[] = { [F_PATHS] = "paths", NULL };

/* The entry being read; its command and paths are cut at TL_LINE_MAX
 * bytes each. */
struct entry {
	bool open, in_paths, cut, bad;
	irt_ns t;
	uint64_t line;
	struct irt_buf cmd, paths;
};

/* Appends s, its escapes decoded, to b (after a newline unless b is
 * empty); beyond TL_LINE_MAX bytes the entry is cut. */
static int
put_decoded(struct entry *en, struct irt_buf *b, const char *s, size_t len)
{
	const char *end = s + len;

	if (en->cut || b->len + len + 1 > TL_LINE_MAX) {
		en->cut = true;
		return 0;
	}
	if (b->len > 0 && irt_buf_putc(b, '\n') != 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	for (; s < end; s++) {
		char c = *s;
		if (c == '\\' && s + 1 < end && (s[1] == '\\' || s[1] == 'n')) {
			c = *++s == 'n' ? '\n' : '\\';
		}
		if (irt_buf_putc(b, c) != 0)
			return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	return 0;
}

static int
flush(struct tl_pctx *p, struct entry *en, uint64_t *untimed)
{
	struct tl_ev e;
	uint64_t keep = p->line;
	int rc = 0;

	if (!en->open)
		return 0;
	en->open = false;
	if (en->bad)
		goto out;
	if (en->t == 0) {
		(*untimed)++;
		goto out;
	}
	p->line = en->line;
	if (en->cut)
		rc = tl_warn_line(
		    p, "entry longer than %u bytes, cut", TL_LINE_MAX);
	tl_ev_init(&e, 0, en->t);
	e.msg = en->cmd.ptr ? en->cmd.ptr : "";
	e.msg_len = en->cmd.len;
	if (en->paths.len > 0)
		tl_ev_add(&e, F_PATHS, en->paths.ptr, en->paths.len);
	if (rc == 0)
		rc = tl_emit(p, &e);
out:
	p->line = keep;
	irt_buf_clear(&en->cmd);
	irt_buf_clear(&en->paths);
	return rc;
}

static bool
starts(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(s, lit, n) == 0;
}

static int
fish_line(struct tl_pctx *p, struct entry *en, const char *line, size_t len,
    uint64_t *untimed)
{
	uint64_t v;
	int rc;

	if (len == 0)
		return 0;
	if (starts(line, len, "- cmd:")) {
		const char *c = line + 6;
		if ((rc = flush(p, en, untimed)) != 0)
			return rc;
		if (c < line + len && *c == ' ')
			c++;
		en->open = true;
		en->in_paths = en->cut = en->bad = false;
		en->t = 0;
		en->line = p->line;
		return put_decoded(en, &en->cmd, c, (size_t)(line + len - c));
	}
	if (!en->open)
		return tl_warn_line(p, "not a fish history line, skipped");
	if (starts(line, len, "  when:")) {
		const char *s = line + 7, *end = line + len;
		en->in_paths = false;
		while (s < end && *s == ' ')
			s++;
		if (!tl_parse_u64(s, (size_t)(end - s), &v)) {
			en->bad = true;
			return tl_warn_line(
			    p, "bad fish history time, entry skipped");
		}
		if (v == 0)
			return 0; /* no time */
		if (tl_time_u64(&en->t, v, 0) != 0) {
			en->bad = true;
			return tl_warn_line(
			    p, "%s, entry skipped", irt_error_last());
		}
		return 0;
	}
	if (len == 8 && memcmp(line, "  paths:", 8) == 0) {
		en->in_paths = true;
		return 0;
	}
	if (en->in_paths && starts(line, len, "    - "))
		return put_decoded(en, &en->paths, line + 6, len - 6);
	return tl_warn_line(p, "not a fish history line, skipped");
}

static int
parse_fish(struct tl_pctx *p, struct tl_stream *s)
{
	struct tl_lines lr;
	struct entry en;
	const char *line;
	size_t len;
	uint64_t untimed = 0;
	int rc;

	memset(&en, 0, sizeof en);
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1)
		if ((rc = fish_line(p, &en, line, len, &untimed)) != 0)
			break;
	if (rc == 0)
		rc = flush(p, &en, &untimed);
	if (rc == 0 && untimed > 0)
		rc = tl_warn(p, "%llu entries with no time, skipped",
		    (unsigned long long)untimed);
	tl_lines_free(&lr);
	irt_buf_release(&en.cmd);
	irt_buf_release(&en.paths);
	return rc < 0 ? rc : 0;
}

/* fish_history, and NAME_history (fish --private, $fish_history) in a
 * folder named fish */
static bool
by_name(const char *name, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = strlen(name);

	if (strcmp(name, "fish_history") == 0)
		return true;
	if (n <= 8 || strcmp(name + n - 8, "_history") != 0 || slash == NULL)
		return false;
	return (slash - path == 4 && strncmp(path, "fish", 4) == 0) ||
	    (slash - path > 4 && strncmp(slash - 5, "/fish", 5) == 0);
}

static int
by_content(const struct tl_head *h)
{
	return starts(h->line, h->line_len, "- cmd: ") ? TL_YES : TL_NO;
}

const struct tl_source tl_source_fish = {
	.name = "fish_history",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_fish,
};
