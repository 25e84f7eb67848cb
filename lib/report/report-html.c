/*
 * The report as one self-contained HTML file: no external asset, no
 * script (a Content-Security-Policy forbids any), a print stylesheet for
 * A4, a layout that reads at 1,280 px and on a phone.
 */
#include <inttypes.h>
#include <string.h>

#include "irt/escape.h"
#include "report-int.h"

/* Escapes text for HTML element content and attribute values. */
static int
esc(struct irt_buf *b, const char *s, size_t len)
{
	struct irt_buf t = IRT_BUF_INIT;
	size_t i, start = 0;
	int rc;

	if ((rc = report_line(&t, s, len)) != 0)
		return rc;
	for (i = 0; i < t.len && rc == 0; i++) {
		const char *r = NULL;
		switch (t.ptr[i]) {
		case '&':
			r = "&amp;";
			break;
		case '<':
			r = "&lt;";
			break;
		case '>':
			r = "&gt;";
			break;
		case '"':
			r = "&quot;";
			break;
		case '\'':
			r = "&#39;";
			break;
		}
		if (r == NULL)
			continue;
		rc = irt_buf_put(b, t.ptr + start, i - start);
		if (rc == 0)
			rc = irt_buf_puts(b, r);
		start = i + 1;
	}
	if (rc == 0)
		rc = irt_buf_put(b, t.ptr + start, t.len - start);
	irt_buf_release(&t);
	return rc;
}

static int
escs(struct irt_buf *b, const char *s)
{
	return esc(b, s ? s : "", s ? strlen(s) : 0);
}

static const struct {
	const char *tlp, *fg;
} tlp_colours[] = {
	/* FIRST TLP 2.0: coloured text on black */
	{ "red", "#FF2B2B" },
	{ "amber+strict", "#FFC000" },
	{ "amber", "#FFC000" },
	{ "green", "#33FF00" },
	{ "clear", "#FFFFFF" },
};

static const char style[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
    "color:#1b1b1b;background:#fff;margin:0 auto;padding:0 1em 2em;"
    "max-width:1200px}"
    "h1{font-size:1.6em;margin:.6em 0 .2em}"
    "h2{font-size:1.25em;border-bottom:1px solid #ccc;margin-top:1.6em}"
    "h3{font-size:1.05em}"
    ".tlp{display:inline-block;background:#000;font-weight:bold;"
    "padding:.2em .8em;letter-spacing:.05em;margin-top:1em}"
    ".redacted{border:2px solid #000;padding:.4em .8em;font-weight:bold}"
    ".missing{color:#8a1c1c;font-style:italic;border-left:4px solid "
    "#c0392b;padding-left:.6em}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;margin:.6em 0;font-size:.92em}"
    "th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;"
    "vertical-align:top;overflow-wrap:anywhere}"
    "th{background:#f2f2f2}"
    "pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f7f7f7;"
    "padding:.6em;border:1px solid #ddd;font-size:.9em}"
    "svg{max-width:100%;height:auto}"
    ".chart text{font:11px sans-serif}"
    ".bin{fill:#c0392b}"
    "@media (max-width:600px){body{font-size:14px;padding:0 .5em}"
    "th,td{padding:.2em .3em}}"
    "@media print{@page{size:A4;margin:15mm}body{max-width:none;"
    "font-size:10.5pt;padding:0}.scroll{overflow:visible}"
    "h2{break-after:avoid}tr,pre{break-inside:avoid}"
    ".tlp{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

static int
html_begin(struct irt_buf *b, const struct report_head *h)
{
	const char *fg = NULL;
	size_t i;

	irt_buf_puts(b,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
	    "charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width,initial-scale=1\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" "
	    "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	    "<title>");
	escs(b, h->id);
	irt_buf_puts(b, ": ");
	escs(b, h->title);
	irt_buf_printf(
	    b, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
	for (i = 0; h->tlp && i < sizeof tlp_colours / sizeof *tlp_colours; i++)
		if (strcmp(h->tlp, tlp_colours[i].tlp) == 0)
			fg = tlp_colours[i].fg;
	if (fg != NULL) {
		irt_buf_printf(b,
		    "<div class=\"tlp\" id=\"tlp\" style=\"color:%s\">TLP:",
		    fg);
		for (i = 0; h->tlp[i]; i++)
			irt_buf_putc(b,
			    h->tlp[i] >= 'a' && h->tlp[i] <= 'z'
			        ? (char)(h->tlp[i] - 32)
			        : h->tlp[i]);
		irt_buf_puts(b, "</div>\n");
	}
	if (h->redacted)
		irt_buf_puts(b,
		    "<p class=\"redacted\" id=\"redacted\">Redacted "
		    "report: IOC values, host addresses and notes "
		    "tagged #internal are left out.</p>\n");
	irt_buf_puts(b, "<header>\n<h1 id=\"case\">");
	escs(b, h->id);
	irt_buf_puts(b, ": ");
	escs(b, h->title);
	irt_buf_puts(b, "</h1>\n</header>\n");
	return 0;
}

static int
html_end(struct irt_buf *b)
{
	return irt_buf_puts(b, "</body>\n</html>\n");
}

static int
html_heading(struct irt_buf *b, int level, const char *anchor, const char *text)
{
	if (anchor != NULL)
		irt_buf_printf(b, "<h%d id=\"%s\">", level, anchor);
	else
		irt_buf_printf(b, "<h%d>", level);
	escs(b, text);
	return irt_buf_printf(b, "</h%d>\n", level);
}

static int
html_para(struct irt_buf *b, const char *text)
{
	irt_buf_puts(b, "<p>");
	escs(b, text);
	return irt_buf_puts(b, "</p>\n");
}

static int
html_missing(struct irt_buf *b, const char *text)
{
	irt_buf_puts(b, "<p class=\"missing\">");
	escs(b, text);
	return irt_buf_puts(b, "</p>\n");
}

static int
html_table_begin(
    struct irt_buf *b, const char *id, const char *const *cols, size_t n)
{
	size_t i;

	irt_buf_printf(
	    b, "<div class=\"scroll\"><table id=\"%s\">\n<thead><tr>", id);
	for (i = 0; i < n; i++) {
		irt_buf_puts(b, "<th>");
		escs(b, cols[i]);
		irt_buf_puts(b, "</th>");
	}
	return irt_buf_puts(b, "</tr></thead>\n<tbody>\n");
}

static int
html_row(struct irt_buf *b, const char *const *cells, size_t n)
{
	size_t i;

	irt_buf_puts(b, "<tr>");
	for (i = 0; i < n; i++) {
		irt_buf_puts(b, "<td>");
		escs(b, cells[i]);
		irt_buf_puts(b, "</td>");
	}
	return irt_buf_puts(b, "</tr>\n");
}

static int
html_table_end(struct irt_buf *b)
{
	return irt_buf_puts(b, "</tbody>\n</table></div>\n");
}

static int
html_block(struct irt_buf *b, const char *title, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;

	irt_buf_puts(b, "<section class=\"note\">\n<h3>");
	escs(b, title);
	irt_buf_puts(b, "</h3>\n<pre>");
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		esc(b, p, nl ? (size_t)(nl - p) : (size_t)(end - p));
		if (nl == NULL)
			break;
		irt_buf_putc(b, '\n');
		p = nl + 1;
	}
	return irt_buf_puts(b, "</pre>\n</section>\n");
}

/*
 * One row per host, one rectangle per bin that holds events (never one
 * per event), its height the count relative to the largest bin.
 */
static int
html_chart(struct irt_buf *b, const struct report_chart *ch)
{
	const unsigned label = 150, cw = 12, rh = 34, bh = 28;
	unsigned w = label + ch->bins * cw + 10;
	unsigned h = (unsigned)ch->nhosts * rh + 30;
	char t0[IRT_TIME_MAX], t1[IRT_TIME_MAX], ta[IRT_TIME_MAX];
	size_t i, k;

	irt_time_format(t0, ch->t0, 0);
	irt_time_format(t1, ch->t0 + ch->width * (irt_ns)ch->bins, 0);
	irt_buf_printf(b,
	    "<figure class=\"scroll\"><svg class=\"chart\" id=\"chart\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %u %u\" "
	    "width=\"%u\" height=\"%u\" role=\"img\" data-bins=\"%u\" "
	    "data-total=\"%" PRIu64 "\"><title>events per host, %u bins "
	    "from %s to %s</title>\n",
	    w, h, w, h, ch->bins, ch->total, ch->bins, t0, t1);
	for (i = 0; i < ch->nhosts; i++) {
		unsigned y = (unsigned)i * rh;
		irt_buf_printf(
		    b, "<g class=\"host\"><text x=\"0\" y=\"%u\">", y + bh - 8);
		/* at most 22 characters of the name in the label */
		{
			size_t n = strlen(ch->hosts[i]);
			while (n > 22)
				n--;
			esc(b, ch->hosts[i], n);
		}
		irt_buf_printf(b,
		    "</text><line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" "
		    "stroke=\"#999\"/>",
		    label, y + bh, w - 10, y + bh);
		for (k = 0; k < ch->bins; k++) {
			uint64_t n = ch->counts[i * ch->bins + k];
			unsigned hh;
			if (n == 0)
				continue;
			hh = (unsigned)(n * bh / (ch->max ? ch->max : 1));
			if (hh < 2)
				hh = 2;
			irt_time_format(ta, ch->t0 + ch->width * (irt_ns)k, 0);
			irt_buf_printf(b,
			    "<rect class=\"bin\" x=\"%u\" y=\"%u\" "
			    "width=\"%u\" "
			    "height=\"%u\" data-count=\"%" PRIu64 "\"><title>",
			    label + (unsigned)k * cw, y + bh - hh, cw - 2, hh,
			    n);
			esc(b, ch->hosts[i], strlen(ch->hosts[i]));
			irt_buf_printf(
			    b, ": %" PRIu64 " from %s</title></rect>", n, ta);
		}
		irt_buf_puts(b, "</g>\n");
	}
	irt_buf_printf(b,
	    "<text x=\"%u\" y=\"%u\">%s</text><text x=\"%u\" y=\"%u\" "
	    "text-anchor=\"end\">%s</text>\n</svg>\n<figcaption>Events per "
	    "host from %s to %s, %u bins; the tallest bin holds %" PRIu64
	    " events.</figcaption></figure>\n",
	    label, h - 8, t0, w - 10, h - 8, t1, t0, t1, ch->bins, ch->max);
	return 0;
}

const struct report_ops report_html_ops = {
	html_begin,
	html_end,
	html_heading,
	html_para,
	html_missing,
	html_table_begin,
	html_row,
	html_table_end,
	html_block,
	html_chart,
};
