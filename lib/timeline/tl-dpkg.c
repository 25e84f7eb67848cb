/*
 * dpkg.log: "2024-01-02 03:04:05 status installed pkg:arch version".
 */
#include <ctype.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

static const struct tl_dtype dt_dpkg = { "dpkg:log", "Recorded Time", "LOG" };
static const struct tl_dtype *const types[] = { &dt_dpkg, NULL };

enum { F_ACTION, F_RESULT, F_PACKAGE, F_VERSION };

static const char *const fields[] = { [F_ACTION] = "action",
	[F_RESULT] = "result",
	[F_PACKAGE] = "package",
	[F_VERSION] = "version",
	NULL };

static int
dpkg_line(struct tl_pctx *p, const char *line, size_t len)
{
	struct tl_ev e;
	const char *s, *end = line + len, *w, *last = NULL;
	size_t wl, lastl = 0;
	irt_ns t;
	int i, rc;

	if (len == 0)
		return 0;
	if (len < 20 || (rc = tl_ymd_hms(line, len, 1, &t)) == -1)
		return tl_warn_line(p, "not a dpkg.log line, skipped");
	if (rc != 0)
		return tl_warn_line(p, "%s, line skipped", irt_error_last());
	tl_ev_init(&e, 0, t);
	s = line + 20;
	e.msg = s;
	e.msg_len = (size_t)(end - s);
	w = tl_word(&s, end, &wl);
	tl_ev_add(&e, F_ACTION, w, wl);
	if (wl == 7 && memcmp(w, "startup", 7) == 0)
		return tl_emit(p, &e);
	if (wl == 6 && memcmp(w, "status", 6) == 0) {
		w = tl_word(&s, end, &wl); /* the state */
		tl_ev_add(&e, F_RESULT, w, wl);
	}
	w = tl_word(&s, end, &wl);
	tl_ev_add(&e, F_PACKAGE, w, wl);
	for (i = 0; i < 3; i++) {
		const char *x = tl_word(&s, end, &wl);
		if (wl == 0)
			break;
		last = x;
		lastl = wl;
	}
	if (last != NULL)
		tl_ev_add(&e, F_VERSION, last, lastl);
	return tl_emit(p, &e);
}

static int
parse_dpkg(struct tl_pctx *p, struct tl_stream *s)
{
	return tl_each_line(p, s, dpkg_line);
}

static bool
by_name(const char *name, const char *path)
{
	(void)path;
	return strcmp(name, "dpkg.log") == 0;
}

/* "2024-01-02 03:04:05 status ..." */
static int
by_content(const struct tl_head *h)
{
	static const char *const actions[] = { "status ", "install ",
		"upgrade ", "configure ", "startup ", "trigproc ", "remove ",
		"purge ", NULL };
	const char *d = h->line;
	size_t n = h->line_len, i;

	if (n <= 20 || tl_num(d, 4) < 0 || d[4] != '-' || d[10] != ' ' ||
	    d[13] != ':' || d[19] != ' ')
		return TL_NO;
	for (i = 0; actions[i] != NULL; i++)
		if (strncmp(d + 20, actions[i], strlen(actions[i])) == 0)
			return TL_YES;
	return TL_NO;
}

const struct tl_source tl_source_dpkg = {
	.name = "dpkg",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_dpkg,
};
