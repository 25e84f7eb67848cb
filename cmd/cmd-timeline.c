/*
 * irt timeline: one sorted timeline from file-system metadata and logs.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <irt/timeline.h>

#include "irt.h"

static const char timeline_usage[] =
    "usage: irt timeline [--host NAME] [SOURCE]... [--since TIME] "
    "[--until TIME]\n"
    "                    [--format FORMAT | --json] [--tz ZONE] [-o FILE] "
    "[--memory SIZE]\n"
    "                    [--year YEAR] [--match REGEX] [--xdev] "
    "[--strict]\n"
    "SOURCE is [KIND:]PATH; KIND is fs, bodyfile, archive, syslog, utmp,\n"
    "bash_history, zsh_history, journal, audit, dpkg, apt or weblog.\n"
    "FORMAT is jsonl, mactime, mactime-csv, timesketch-csv, "
    "timesketch-jsonl,\n"
    "l2tcsv or bodyfile.\n";

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
	irt_err("unknown time zone '%s'", irt_esc(z));
	return -1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.tar.gz of the case's evidence folder, sorted. */
static int
case_archives(struct irt_ctx *ctx, char ***out, size_t *n)
{
	char *dir, **v = NULL;
	DIR *d;
	struct dirent *de;
	size_t cap = 0, len;

	*n = 0;
	if (irt_case_evidence_dir(&dir, ctx->kase) != 0)
		return irt_fail();
	if ((d = opendir(dir)) == NULL) {
		irt_err("cannot read '%s': %s", irt_esc(dir), strerror(errno));
		free(dir);
		return EXIT_FAIL;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 8 || strcmp(de->d_name + len - 7, ".tar.gz") != 0)
			continue;
		if (*n == cap) {
			char **nv;
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof *v)) == NULL)
				break;
			v = nv;
		}
		if (asprintf(&v[*n], "archive:%s/%s", dir, de->d_name) < 0)
			break;
		(*n)++;
	}
	closedir(d);
	free(dir);
	if (*n > 1)
		qsort(v, *n, sizeof *v, cmp_str);
	*out = v;
	return EXIT_OK;
}

enum {
	OPT_SINCE = 1000 + 1,
	OPT_UNTIL,
	OPT_FORMAT,
	OPT_TZ,
	OPT_MEMORY,
	OPT_YEAR,
	OPT_MATCH,
	OPT_HOST,
	OPT_XDEV,
	OPT_STRICT,
	OPT_TMPDIR,
};

struct srcarg {
	const char *spec;
	const char *host;
};

static int
timeline_exec(struct irt_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "tz", required_argument, NULL, OPT_TZ },
		{ "output", required_argument, NULL, 'o' },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "year", required_argument, NULL, OPT_YEAR },
		{ "match", required_argument, NULL, OPT_MATCH },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "xdev", no_argument, NULL, OPT_XDEV },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "tmpdir", required_argument, NULL, OPT_TMPDIR },
		{ "json", no_argument, NULL, IRT_OPT_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct irt_tl_opts o;
	struct irt_tl_write_opts wo;
	struct irt_tl_stats st;
	struct irt_tl *tl = NULL;
	struct srcarg *srcs;
	struct warnstate ws = { 0, false };
	const char *host = NULL, *output = NULL, *fmt = NULL;
	char **archives = NULL, *end;
	size_t nsrcs = 0, narch = 0, i;
	FILE *fp = stdout;
	long year;
	int ch, rc = EXIT_FAIL;

	memset(&o, 0, sizeof o);
	memset(&wo, 0, sizeof wo);
	if ((srcs = calloc((size_t)argc + 1, sizeof *srcs)) == NULL)
		return irt_fail();
	while ((ch = getopt_long(argc, argv, "-hqo:", longopts, NULL)) != -1) {
		switch (ch) {
		case 1:
			srcs[nsrcs].spec = optarg;
			srcs[nsrcs++].host = host;
			break;
		case 'h':
			free(srcs);
			return irt_help(timeline_usage, false);
		case OPT_SINCE:
			if (irt_time_parse(&o.since, optarg) != 0)
				goto usage_msg;
			o.has_since = true;
			break;
		case OPT_UNTIL:
			if (irt_time_parse(&o.until, optarg) != 0)
				goto usage_msg;
			o.has_until = true;
			break;
		case OPT_FORMAT:
			fmt = optarg;
			break;
		case IRT_OPT_JSON:
			fmt = "jsonl";
			break;
		case OPT_TZ:
			if (parse_tz(&wo, optarg) != 0)
				goto usage;
			break;
		case 'o':
			output = optarg;
			break;
		case 'q':
			ctx->quiet = true;
			break;
		case OPT_MEMORY:
			if (irt_tl_parse_size(&o.memory, optarg) != 0)
				goto usage_msg;
			break;
		case OPT_YEAR:
			errno = 0;
			year = strtol(optarg, &end, 10);
			if (*end != '\0' || errno || year < 1970 ||
			    year > 9999) {
				irt_err("invalid year '%s'", irt_esc(optarg));
				goto usage;
			}
			o.year = (int)year;
			break;
		case OPT_MATCH:
			o.match = optarg;
			break;
		case OPT_HOST:
			host = optarg;
			break;
		case OPT_XDEV:
			o.xdev = true;
			break;
		case OPT_STRICT:
			o.strict = true;
			break;
		case OPT_TMPDIR:
			o.tmpdir = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (fmt == NULL)
		fmt = output == NULL && isatty(STDOUT_FILENO) ? "mactime"
		                                              : "jsonl";
	if (irt_tl_format_parse(&wo.format, fmt) != 0)
		goto usage_msg;
	if (o.has_since && o.has_until && o.until <= o.since) {
		irt_err("--until must be after --since");
		goto usage;
	}
	if (nsrcs == 0) {
		if (ctx->kase == NULL) {
			irt_err("no source given and not inside an irt case");
			goto usage;
		}
		if ((rc = case_archives(ctx, &archives, &narch)) != EXIT_OK)
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
	if (irt_tl_new(&tl, &o) != 0)
		goto usage_msg;
	for (i = 0; i < nsrcs; i++)
		if (irt_tl_add(tl, srcs[i].spec, srcs[i].host) != 0) {
			rc = irt_fail();
			goto out;
		}
	for (i = 0; i < narch; i++)
		if (irt_tl_add(tl, archives[i], NULL) != 0) {
			rc = irt_fail();
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
	rc = EXIT_OK;
	goto out;
usage_msg:
	irt_fail();
usage:
	irt_help(timeline_usage, true);
	rc = EXIT_USAGE;
out:
	if (fp != stdout)
		fclose(fp);
	for (i = 0; i < narch; i++)
		free(archives[i]);
	free(archives);
	irt_tl_free(tl);
	free(srcs);
	return rc;
}

const struct irt_cmd irt_cmd_timeline = {
	.name = "timeline",
	.summary = "build one sorted timeline from file systems and logs",
	.usage = timeline_usage,
	.exec = timeline_exec,
	.flags = IRT_CMD_WANTS_CASE,
};
