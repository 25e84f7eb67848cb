/*
 * irt report: the incident report of the case, as one self-contained
 * HTML file or as Markdown.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irt.h"

static const char *const formats[] = { "html", "md", NULL };

static const struct irt_opt report_opts[] = {
	{ "format", 0, IRT_ARG_ENUM, "FORMAT", "html (default) or md",
	    .values = formats },
	{ "output", 'o', IRT_ARG_PATH, "FILE",
	    "write to FILE (replaced whole) instead of standard output" },
	{ "redact", 0, IRT_ARG_NONE, NULL,
	    "leave out IOC values, host addresses and #internal notes" },
	{ "record", 0, IRT_ARG_NONE, NULL,
	    "also commit the report to the case" },
	{ "timeline", 0, IRT_ARG_STRING, "[HOST=]SOURCE",
	    "chart this timeline source instead of the evidence archives",
	    .flags = IRT_OPT_REPEAT },
	{ "no-chart", 0, IRT_ARG_NONE, NULL, "leave the activity chart out" },
	{ "bins", 0, IRT_ARG_INT, "N", "bins of the activity chart (48)",
	    .min = 2, .max = 1000 },
	{ NULL },
};

static void
on_warning(const char *msg, void *arg)
{
	struct irt_ctx *ctx = arg;

	if (!ctx->quiet)
		irt_warn("%s", msg);
}

/*
 * Writes the file through a temporary file in its folder renamed over
 * it: a reader never sees half a report, and a symbolic link at FILE is
 * replaced, not followed.
 */
static int
write_file(const char *path, const struct irt_buf *b)
{
	struct irt_buf tmp = IRT_BUF_INIT;
	const char *slash = strrchr(path, '/');
	size_t off = 0;
	ssize_t n;
	int fd, err = 0;

	if (slash != NULL)
		irt_buf_put(&tmp, path, (size_t)(slash - path + 1));
	irt_buf_puts(&tmp, ".irt-report-XXXXXX");
	if ((fd = mkstemp(tmp.ptr)) < 0) {
		irt_err("cannot create a file beside '%s': %s", irt_esc(path),
		    strerror(errno));
		irt_buf_release(&tmp);
		return EXIT_FAIL;
	}
	while (off < b->len) {
		n = write(fd, b->ptr + off, b->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = errno ? errno : EIO;
			break;
		}
		off += (size_t)n;
	}
	if (err == 0 && fchmod(fd, 0644) != 0)
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp.ptr, path) != 0)
		err = errno;
	if (err != 0) {
		unlink(tmp.ptr);
		irt_err("cannot write '%s': %s", irt_esc(path), strerror(err));
	}
	irt_buf_release(&tmp);
	return err == 0 ? EXIT_OK : EXIT_FAIL;
}

static int
record(struct irt_ctx *ctx, const struct irt_buf *b, bool md, bool redact)
{
	const struct irt_ident *who;
	struct irt_buf path = IRT_BUF_INIT, subject = IRT_BUF_INIT;
	char id[32], oid[IRT_OID_HEX];
	int rc = EXIT_OK;

	if ((who = irt_who(ctx)) == NULL || irt_id_new(id) != 0 ||
	    irt_case_shard_path(&path, "reports", id, md ? ".md" : ".html"))
		return irt_fail();
	irt_buf_printf(
	    &subject, "report: %s%s", id, redact ? " (redacted)" : "");
	struct irt_case_file f = { path.ptr, b->ptr, b->len };
	struct irt_trailer tr[2] = {
		{ "Irt-Action", "report" },
		{ "Irt-Report", id },
	};
	if (irt_case_commit(
	        ctx->kase, oid, &f, 1, 0, subject.ptr, NULL, tr, 2, who) != 0)
		rc = irt_fail();
	else if (!ctx->quiet)
		fprintf(stderr, "irt: report recorded as %s\n", path.ptr);
	irt_buf_release(&path);
	irt_buf_release(&subject);
	return rc;
}

static int
report_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_report_opts o;
	struct irt_report_stats st;
	struct irt_buf b = IRT_BUF_INIT;
	const char *out = irt_args_str(a, "output", NULL);
	size_t i, nt = irt_args_count(a, "timeline");
	const char **tl = calloc(nt ? nt : 1, sizeof *tl);
	int rc;

	if (tl == NULL)
		return irt_fail();
	for (i = 0; i < nt; i++)
		tl[i] = irt_args_nth(a, "timeline", i);
	memset(&o, 0, sizeof o);
	o.format = irt_args_enum(a, "format", 0) == 1 ? IRT_REPORT_MD
	                                              : IRT_REPORT_HTML;
	o.redact = irt_args_has(a, "redact");
	o.timelines = tl;
	o.ntimelines = nt;
	o.no_chart = irt_args_has(a, "no-chart");
	o.bins = (unsigned)irt_args_int(a, "bins", 0);
	o.warn = on_warning;
	o.arg = ctx;
	irt_interrupted = 0;
	irt_sigint_install();
	o.cancel = &irt_interrupted;
	if (irt_report_make(&b, ctx->kase, &o, &st) != 0) {
		free(tl);
		irt_buf_release(&b);
		return irt_fail();
	}
	free(tl);
	rc = out != NULL ? write_file(out, &b) : irt_out(&b);
	if (rc == EXIT_OK && irt_args_has(a, "record"))
		rc = record(ctx, &b, o.format == IRT_REPORT_MD, o.redact);
	if (rc == EXIT_OK && !ctx->quiet && out != NULL)
		fprintf(stderr,
		    "irt: report of %s written to '%s': %zu hosts, %zu "
		    "events, %zu notes, %zu IOCs, %zu evidence items, %zu "
		    "hits, %llu timeline events in %zu bins%s\n",
		    irt_esc(irt_case_id(ctx->kase)), irt_esc(out), st.hosts,
		    st.events, st.notes, st.iocs, st.evidence, st.hits,
		    (unsigned long long)st.timeline_events, st.bins,
		    o.redact ? ", redacted" : "");
	if (rc == EXIT_OK && st.problems > 0) {
		irt_warn("irt case verify found %zu problem%s; the report says "
		         "so",
		    st.problems, st.problems == 1 ? "" : "s");
	}
	irt_buf_release(&b);
	return rc;
}

const struct irt_cmd irt_cmd_report = {
	.name = "report",
	.summary = "the incident report, as HTML or Markdown",
	.flags = IRT_CMD_NEEDS_CASE,
	.opts = report_opts,
	.min_args = 0,
	.max_args = 0,
	.run = report_run,
};
