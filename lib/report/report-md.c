/*
 * The report in GitHub-flavoured Markdown: the same sections as the
 * HTML, every value escaped so that it is text (no link, no emphasis,
 * no HTML, no table cell ended early, no list or heading started), notes
 * in fences longer than any run of backticks they hold.
 */
#include <inttypes.h>
#include <string.h>

#include "irt/escape.h"
#include "report-int.h"

static int
esc(struct irt_buf *b, const char *s)
{
	struct irt_buf t = IRT_BUF_INIT;
	size_t i;
	int rc;

	if ((rc = report_line(&t, s ? s : "", s ? strlen(s) : 0)) != 0)
		return rc;
	for (i = 0; i < t.len && rc == 0; i++) {
		char ch = t.ptr[i];
		if (ch == '<')
			rc = irt_buf_puts(b, "&lt;");
		else if (ch == '>')
			rc = irt_buf_puts(b, "&gt;");
		else if (ch == '&')
			rc = irt_buf_puts(b, "&amp;");
		else if (strchr("\\`*_[]|~#", ch) != NULL ||
		    (i == 0 && strchr("-+=>!:", ch) != NULL) ||
		    (ch == '.' && i > 0 && t.ptr[i - 1] >= '0' &&
		        t.ptr[i - 1] <= '9' &&
		        strspn(t.ptr, "0123456789") == i)) {
			rc = irt_buf_putc(b, '\\');
			if (rc == 0)
				rc = irt_buf_putc(b, ch);
		} else
			rc = irt_buf_putc(b, ch);
	}
	irt_buf_release(&t);
	return rc;
}

static int
md_begin(struct irt_buf *b, const struct report_head *h)
{
	size_t i;

	if (h->tlp != NULL) {
		irt_buf_puts(b, "**TLP:");
		for (i = 0; h->tlp[i]; i++)
			irt_buf_putc(b,
			    h->tlp[i] >= 'a' && h->tlp[i] <= 'z'
			        ? (char)(h->tlp[i] - 32)
			        : h->tlp[i]);
		irt_buf_puts(b, "**\n\n");
	}
	if (h->redacted)
		irt_buf_puts(b,
		    "> **Redacted report:** IOC values, host "
		    "addresses and notes tagged \\#internal are left "
		    "out\\.\n\n");
	irt_buf_puts(b, "# ");
	esc(b, h->id);
	irt_buf_puts(b, ": ");
	esc(b, h->title);
	return irt_buf_puts(b, "\n\n");
}

static int
md_end(struct irt_buf *b)
{
	(void)b;
	return 0;
}

static int
md_heading(struct irt_buf *b, int level, const char *anchor, const char *text)
{
	(void)anchor;
	irt_buf_printf(b, "%.*s ", level, "######");
	esc(b, text);
	return irt_buf_puts(b, "\n\n");
}

static int
md_para(struct irt_buf *b, const char *text)
{
	esc(b, text);
	return irt_buf_puts(b, "\n\n");
}

static int
md_missing(struct irt_buf *b, const char *text)
{
	irt_buf_puts(b, "> **Missing:** ");
	esc(b, text);
	return irt_buf_puts(b, "\n\n");
}

static int
md_table_begin(
    struct irt_buf *b, const char *id, const char *const *cols, size_t n)
{
	size_t i;

	(void)id;
	irt_buf_puts(b, "|");
	for (i = 0; i < n; i++) {
		irt_buf_putc(b, ' ');
		esc(b, cols[i]);
		irt_buf_puts(b, " |");
	}
	irt_buf_puts(b, "\n|");
	for (i = 0; i < n; i++)
		irt_buf_puts(b, " --- |");
	return irt_buf_putc(b, '\n');
}

static int
md_row(struct irt_buf *b, const char *const *cells, size_t n)
{
	size_t i;

	irt_buf_puts(b, "|");
	for (i = 0; i < n; i++) {
		irt_buf_putc(b, ' ');
		esc(b, cells[i]);
		irt_buf_puts(b, " |");
	}
	return irt_buf_putc(b, '\n');
}

static int
md_table_end(struct irt_buf *b)
{
	return irt_buf_putc(b, '\n');
}

static int
md_block(struct irt_buf *b, const char *title, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;
	size_t run = 0, longest = 0, i, fence;

	for (i = 0; i < len; i++) {
		run = text[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	fence = longest < 3 ? 3 : longest + 1;
	irt_buf_puts(b, "### ");
	esc(b, title);
	irt_buf_puts(b, "\n\n");
	for (i = 0; i < fence; i++)
		irt_buf_putc(b, '`');
	irt_buf_puts(b, "text\n");
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		report_line(b, p, nl ? (size_t)(nl - p) : (size_t)(end - p));
		irt_buf_putc(b, '\n');
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	for (i = 0; i < fence; i++)
		irt_buf_putc(b, '`');
	return irt_buf_puts(b, "\n\n");
}

/* One row per host: its events and a bar of eight levels per bin. */
static int
md_chart(struct irt_buf *b, const struct report_chart *ch)
{
	static const char *const bars[] = { " ", "\u2581", "\u2582", "\u2583",
		"\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	char t0[IRT_TIME_MAX], t1[IRT_TIME_MAX];
	size_t i, k;

	irt_time_format(t0, ch->t0, 0);
	irt_time_format(t1, ch->t0 + ch->width * (irt_ns)ch->bins, 0);
	irt_buf_printf(b,
	    "Events per host from %s to %s, %u bins; the tallest bin holds "
	    "%" PRIu64 " events\\.\n\n| host | events | activity |\n| --- | "
	    "---: | --- |\n",
	    t0, t1, ch->bins, ch->max);
	for (i = 0; i < ch->nhosts; i++) {
		uint64_t sum = 0;
		irt_buf_puts(b, "| ");
		esc(b, ch->hosts[i]);
		for (k = 0; k < ch->bins; k++)
			sum += ch->counts[i * ch->bins + k];
		irt_buf_printf(b, " | %" PRIu64 " | `", sum);
		for (k = 0; k < ch->bins; k++) {
			uint64_t n = ch->counts[i * ch->bins + k];
			size_t lv = n == 0
			    ? 0
			    : 1 + (size_t)(n * 7 / (ch->max ? ch->max : 1));
			irt_buf_puts(b, bars[lv > 8 ? 8 : lv]);
		}
		irt_buf_puts(b, "` |\n");
	}
	return irt_buf_putc(b, '\n');
}

const struct report_ops report_md_ops = {
	md_begin,
	md_end,
	md_heading,
	md_para,
	md_missing,
	md_table_begin,
	md_row,
	md_table_end,
	md_block,
	md_chart,
};
