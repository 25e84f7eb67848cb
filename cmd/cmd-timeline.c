/*
 * irt timeline: one sorted timeline from file-system metadata and logs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <irt/escape.h>
#include <irt/stack.h>
#include <irt/timeline.h>

#include "irt.h"

static const char *const formats[] = { "jsonl", "mactime", "mactime-csv",
	"timesketch-csv", "timesketch-jsonl", "l2tcsv", "bodyfile", NULL };

static const struct irt_opt timeline_opts[] = {
	{ "host", 0, IRT_ARG_STRING, "NAME",
	    "tag the events of the sources that follow with a host name; "
	    "with no SOURCE, only the case's archives of host NAME",
	    .flags = IRT_OPT_REPEAT },
	{ "since", 0, IRT_ARG_DATE, "TIME", "only events at or after TIME" },
	{ "until", 0, IRT_ARG_DATE, "TIME", "only events before TIME" },
	{ "format", 0, IRT_ARG_ENUM, "FORMAT",
	    "the output format (default: jsonl, mactime on a terminal)",
	    .values = formats },
	{ "tz", 0, IRT_ARG_STRING, "ZONE",
	    "show times in ZONE: UTC, +02:00 or Europe/Paris" },
	{ "output", 'o', IRT_ARG_PATH, "FILE", "write the timeline to FILE" },
	{ "memory", 0, IRT_ARG_SIZE, "SIZE",
	    "memory for events before sorted runs spill (default 256M)",
	    .min = 1 << 20 },
	{ "year", 0, IRT_ARG_INT, "YEAR",
	    "the year of the first traditional syslog line", .min = 1970,
	    .max = 9999 },
	{ "match", 0, IRT_ARG_STRING, "REGEX",
	    "only events whose message or path matches" },
	{ "xdev", 0, IRT_ARG_NONE, NULL,
	    "fs sources stay on the file system they start on" },
	{ "strict", 0, IRT_ARG_NONE, NULL, "the first warning is an error" },
	{ "tmpdir", 0, IRT_ARG_PATH, "DIR", "where sorted runs are written" },
	{ "quiet", 'q', IRT_ARG_NONE, NULL, "no warnings and no summary" },
	{ NULL },
};

#define MAX_SHOWN 100

struct warnstate {
	unsigned long shown;
	bool quiet;
};

static void
on_warn(const char *msg, void *arg)
{
	struct warnstate *w = arg;

	if (w->quiet)
		return;
	if (w->shown < MAX_SHOWN)
		irt_warn("%s", irt_esc(msg));
	else if (w->shown == MAX_SHOWN)
		irt_warn("further warnings are counted, not shown");
	w->shown++;
}

static int
to_file(const char *data, size_t len, void *arg)
{
	FILE *fp = arg;

	if (fwrite(data, 1, len, fp) != len) {
		/* a reader that went away (| head) is not an error to
		 * report */
		if (errno == EPIPE)
			return irt_error_set(IRT_EABORT, "broken pipe");
		return irt_error_sys(
		    IRT_EIO, errno, "cannot write the timeline");
	}
	return 0;
}

/* --tz: UTC, an offset (+02:00, -0500) or a zone name of the tz
 * database. */
static int
parse_tz(struct irt_tl_write_opts *o, const char *z)
{
	int h, m, sign;
	char path[512];
	struct stat st;

	if (strcmp(z, "UTC") == 0 || strcmp(z, "Z") == 0 ||
	    strcmp(z, "utc") == 0) {
		o->tz = IRT_TL_TZ_UTC;
		return 0;
	}
	if ((z[0] == '+' || z[0] == '-') && strlen(z) >= 3) {
		sign = z[0] == '-' ? -1 : 1;
		if (sscanf(z + 1, "%2d:%2d", &h, &m) == 2 ||
		    sscanf(z + 1, "%2d%2d", &h, &m) == 2 ||
		    (sscanf(z + 1, "%2d", &h) == 1 && (m = 0) == 0)) {
			if (h <= 23 && m <= 59 && h >= 0 && m >= 0) {
				o->tz = IRT_TL_TZ_FIXED;
				o->offset = sign * (h * 3600 + m * 60);
				return 0;
			}
		}
	}
	if (strstr(z, "..") == NULL && z[0] != '/' &&
	    (size_t)snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", z) <
	        sizeof path &&
	    stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		setenv("TZ", z, 1);
		tzset();
		o->tz = IRT_TL_TZ_LOCAL;
		return 0;
	}
	return -1;
}

/* The host of an archive: from its irt/host.json.  An archive whose
 * host cannot be trusted is left out (1); one that names no host is
 * read without one, with a warning (0, *host NULL). */
static int
archive_host(
    struct irt_ctx *ctx, char **host, const char *path, const char *expect)
{
	*host = NULL;
	if (irt_archive_host(host, path) != 0) {
		/* no host.json, or damage before it (the timeline's reader
		 * reports the damage and reads what comes before) */
		if (irt_error_code() != IRT_ENOTFOUND &&
		    irt_error_code() != IRT_EIO) {
			irt_err("%s, left out", irt_error_last());
			return 1;
		}
		if (!ctx->quiet)
			irt_warn(
			    "%s; its events have no host", irt_error_last());
		return 0;
	}
	if (expect != NULL && strcmp(expect, *host) != 0) {
		irt_err("'%s': irt/host.json names '%s' but its custody record "
		        "says '%s', left out",
		    irt_esc(path), irt_esc(*host), irt_esc(expect));
		free(*host);
		*host = NULL;
		return 1;
	}
	return 0;
}

static bool
is_archive(const char *spec)
{
	size_t n = strlen(spec);

	if (strncmp(spec, "archive:", 8) == 0)
		return true;
	if (strchr(spec, ':') != NULL && spec[0] != '/' && spec[0] != '.')
		return false; /* another KIND: */
	return (n > 7 && strcmp(spec + n - 7, ".tar.gz") == 0) ||
	    (n > 4 && strcmp(spec + n - 4, ".tgz") == 0);
}

static int
timeline_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_tl_opts o;
	struct irt_tl_write_opts wo;
	struct irt_tl_stats st;
	struct irt_tl *tl = NULL;
	struct warnstate ws = { 0, false };
	const char *output, *fmt;
	struct irt_case_archive *archives = NULL;
	char **hosts = NULL;
	size_t narch = 0, i, left_out = 0, wanted = 0;
	FILE *fp = stdout;
	int rc = EXIT_FAIL;

	memset(&o, 0, sizeof o);
	memset(&wo, 0, sizeof wo);
	if (irt_args_has(a, "quiet"))
		ctx->quiet = true;
	if ((o.has_since = irt_args_has(a, "since")))
		o.since = irt_args_date(a, "since", 0);
	if ((o.has_until = irt_args_has(a, "until")))
		o.until = irt_args_date(a, "until", 0);
	o.memory = (size_t)irt_args_size(a, "memory", 0);
	o.year = (int)irt_args_int(a, "year", 0);
	o.match = irt_args_str(a, "match", NULL);
	o.xdev = irt_args_has(a, "xdev");
	o.strict = irt_args_has(a, "strict");
	o.tmpdir = irt_args_str(a, "tmpdir", NULL);
	output = irt_args_str(a, "output", NULL);
	fmt = irt_args_str(a, "format", NULL);
	if (ctx->json && fmt != NULL && strcmp(fmt, "jsonl") != 0)
		return irt_args_usage(a,
		    "--json and --format %s exclude each "
		    "other",
		    fmt);
	if (ctx->json)
		fmt = "jsonl";
	if (irt_args_has(a, "tz") &&
	    parse_tz(&wo, irt_args_str(a, "tz", NULL)) != 0)
		return irt_args_usage(a, "unknown time zone '%s'",
		    irt_esc(irt_args_str(a, "tz", NULL)));
	if (fmt == NULL)
		fmt = output == NULL && isatty(STDOUT_FILENO) ? "mactime"
		                                              : "jsonl";
	if (irt_tl_format_parse(&wo.format, fmt) != 0)
		return irt_args_usage(a, "%s", irt_error_last());
	if (o.has_since && o.has_until && o.until <= o.since)
		return irt_args_usage(a, "--until must be after --since");
	if (a->argc == 0) {
		if (ctx->kase == NULL)
			return irt_args_usage(
			    a, "no source given and not inside an irt case");
		if ((rc = irt_case_archives(ctx, &archives, &narch)) != EXIT_OK)
			goto out;
		if (narch == 0) {
			irt_err("the case has no evidence archive; give a "
			        "SOURCE");
			rc = EXIT_FAIL;
			goto out;
		}
	}
	o.first_time_only = wo.format == IRT_TL_BODYFILE;
	o.warn = on_warn;
	o.arg = &ws;
	ws.quiet = ctx->quiet;
	irt_sigint_install();
	o.cancel = &irt_interrupted;
	if (irt_tl_new(&tl, &o) != 0) {
		rc = irt_args_usage(a, "%s", irt_error_last());
		goto out;
	}
	/* each source with the --host given before it; an archive without
	 * one with the host it names */
	for (i = 0; i < (size_t)a->argc; i++) {
		const char *h = irt_args_str_at(a, "host", (int)i, NULL);
		char *own = NULL;
		if (h == NULL && is_archive(a->argv[i])) {
			const char *p = a->argv[i];
			if (strncmp(p, "archive:", 8) == 0)
				p += 8;
			if (archive_host(ctx, &own, p, NULL) != 0) {
				left_out++;
				continue;
			}
		}
		rc = irt_tl_add(tl, a->argv[i], h ? h : own);
		free(own);
		if (rc != 0) {
			rc = irt_fail();
			goto out;
		}
	}
	/* the case's archives, each with the host it names, those of the
	 * hosts given with --host only */
	if (narch > 0 && (hosts = calloc(narch, sizeof *hosts)) == NULL) {
		irt_err("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < narch && !irt_interrupted; i++) {
		char *spec;
		if (archive_host(ctx, &hosts[i], archives[i].path,
		        archives[i].host) != 0) {
			left_out++;
			continue;
		}
		if (!irt_args_admits(a, "host", hosts[i]))
			continue;
		wanted++;
		if (asprintf(&spec, "archive:%s", archives[i].path) < 0) {
			irt_err("out of memory");
			rc = EXIT_FAIL;
			goto out;
		}
		rc = irt_tl_add(tl, spec, hosts[i]);
		free(spec);
		if (rc != 0) {
			rc = irt_fail();
			goto out;
		}
	}
	if (narch > 0 && wanted == 0 && left_out == 0) {
		if (irt_args_count(a, "host") == 1)
			irt_err("no evidence archive of host '%s' in the case",
			    irt_esc(irt_args_nth(a, "host", 0)));
		else
			irt_err("no evidence archive of the hosts given in the "
			        "case");
		rc = EXIT_FAIL;
		goto out;
	}
	if (output != NULL && strcmp(output, "-") != 0) {
		if ((fp = fopen(output, "w")) == NULL) {
			irt_err("cannot create '%s': %s", irt_esc(output),
			    strerror(errno));
			rc = EXIT_FAIL;
			goto out;
		}
	}
	if (irt_tl_write(tl, &wo, to_file, fp) != 0) {
		if (irt_error_code() == IRT_EABORT && !irt_interrupted) {
			clearerr(stdout);
			rc = EXIT_FAIL;
		} else
			rc = irt_fail();
		goto out;
	}
	if (fp != stdout && fclose(fp) != 0) {
		fp = stdout;
		irt_err(
		    "cannot write '%s': %s", irt_esc(output), strerror(errno));
		rc = EXIT_FAIL;
		goto out;
	}
	fp = stdout;
	irt_tl_stats(tl, &st);
	if (!ctx->quiet) {
		fprintf(stderr,
		    "irt: timeline: %llu events from %u sources, %llu "
		    "records written, %llu warnings",
		    (unsigned long long)st.events, st.sources,
		    (unsigned long long)st.written,
		    (unsigned long long)st.warnings);
		/* beyond --memory: say so, it is the cost of the budget */
		if (st.runs > 0)
			fprintf(stderr, ", %u sorted runs spilled to disk",
			    st.runs);
		fputc('\n', stderr);
	}
	/* an archive left out is evidence missing from the timeline */
	rc = left_out > 0 ? EXIT_FAIL : EXIT_OK;
out:
	if (fp != stdout)
		fclose(fp);
	for (i = 0; hosts != NULL && i < narch; i++)
		free(hosts[i]);
	free(hosts);
	irt_case_archives_free(archives, narch);
	irt_tl_free(tl);
	return rc;
}

const struct irt_cmd irt_cmd_timeline = {
	.name = "timeline",
	.summary = "build one sorted timeline from file systems and logs",
	.flags = IRT_CMD_WANTS_CASE | IRT_CMD_JSON,
	.opts = timeline_opts,
	.operands = "[SOURCE...]",
	.max_args = -1,
	.run = timeline_run,
	.complete = "file",
};
