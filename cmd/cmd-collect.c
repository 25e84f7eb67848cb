/*
 * irt collect: a triage archive of a live host.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "irt.h"

static const char collect_usage[] =
    "usage: irt collect [--profile NAME|FILE] [-o ARCHIVE] [--root DIR]\n"
    "                   [--max-file-size SIZE] [--max-total SIZE]\n"
    "                   [--since DATE] [--timeout SECONDS] [--no-live]\n"
    "                   [--hash sha256,sha1,md5] [--exclude GLOB]...\n"
    "                   [-m TEXT] [--json]\n"
    "       irt collect --list-profiles [--json]\n";

struct prog {
	irt_ns start;
	int shown;
};

static void
human(char *out, size_t len, double v)
{
	const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(out, len, i == 0 ? "%.0f %s" : "%.1f %s", v, u[i]);
}

static void
on_progress(const struct irt_collect_progress *p, void *arg)
{
	struct prog *pr = arg;
	struct winsize ws;
	char size[32], rate[32];
	double secs = (double)(irt_now() - pr->start) / 1e9;
	const char *path;
	int width = 80, room;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		width = ws.ws_col;
	human(size, sizeof size, (double)p->bytes);
	human(rate, sizeof rate, secs > 0 ? (double)p->bytes / secs : 0);
	path = p->path ? irt_esc(p->path) : "";
	room = width - 50;
	if (room < 0)
		room = 0;
	if ((int)strlen(path) > room)
		path += strlen(path) - (size_t)room;
	fprintf(stderr, "\r\033[K%s: %llu files, %s, %s/s %s", p->phase,
	    (unsigned long long)p->files, size, rate, path);
	fflush(stderr);
	pr->shown = 1;
}

static int
list_profiles(struct irt_ctx *ctx)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_profile *p;
	size_t i, j, nf, nl;
	int rc;

	if (ctx->json)
		irt_buf_puts(&b, "[");
	for (i = 0; irt_profile_builtins[i] != NULL; i++) {
		if (irt_profile_load(&p, irt_profile_builtins[i]) != 0) {
			irt_buf_release(&b);
			return irt_fail();
		}
		for (j = nf = nl = 0; j < p->n; j++) {
			if (p->v[j].kind == IRT_PROFILE_FILE)
				nf++;
			else
				nl++;
		}
		if (ctx->json) {
			irt_buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
			irt_json_str(&b, p->name);
			irt_buf_puts(&b, ",\"description\":");
			irt_json_str(&b, p->description ? p->description : "");
			irt_buf_printf(&b,
			    ",\"files\":%zu,\"live\":%zu,\"default\":%s}", nf,
			    nl, i == 0 ? "true" : "false");
		} else
			irt_buf_printf(&b,
			    "%-9s %s%s (%zu file entries, %zu live)\n", p->name,
			    p->description ? p->description : "",
			    i == 0 ? " [default]" : "", nf, nl);
		irt_profile_free(p);
	}
	if (ctx->json)
		irt_buf_puts(&b, "]\n");
	rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

void
irt_collect_counts(
    struct irt_buf *b, const struct irt_collect_result *res, bool json)
{
	int st;

	if (json)
		irt_buf_puts(b, "\"counts\":{");
	for (st = 0; st < IRT_ST_COUNT; st++) {
		const char *name =
		    irt_collect_status_name((enum irt_collect_status)st);
		unsigned long long n = (unsigned long long)res->counts[st];

		if (json)
			irt_buf_printf(
			    b, "%s\"%s\":%llu", st ? "," : "", name, n);
		else
			irt_buf_printf(b, "%s%llu %s", st ? ", " : "", n, name);
	}
	if (json)
		irt_buf_putc(b, '}');
}

int
irt_collect_into_case(struct irt_ctx *ctx, struct irt_collect_opts *o,
    const struct irt_profile *prof, const char *output, char **argv,
    const char *msg, struct irt_collect_result *res, char evid[32])
{
	const struct irt_ident *who;
	struct prog pr;
	char *name = NULL, *dir = NULL, *outpath = NULL, *author = NULL;
	char *stem = NULL;
	int rc = EXIT_FAIL, n;

	evid[0] = '\0';
	if (output != NULL) {
		if ((outpath = strdup(output)) == NULL)
			goto fail;
	} else {
		if (irt_collect_default_name(&name, o->root, irt_now()) != 0)
			goto fail;
		if (ctx->kase != NULL) {
			if (irt_case_evidence_dir(&dir, ctx->kase) != 0)
				goto fail;
			if (asprintf(&outpath, "%s/%s", dir, name) < 0) {
				outpath = NULL;
				goto out;
			}
		} else if ((outpath = strdup(name)) == NULL)
			goto fail;
		/* two collections in one second: <name>-2.tar.gz, ... */
		if (access(outpath, F_OK) == 0 &&
		    (stem = strndup(
		         outpath, strlen(outpath) - strlen(".tar.gz"))) == NULL)
			goto fail;
		for (n = 2;
		     stem != NULL && access(outpath, F_OK) == 0 && n < 100;
		     n++) {
			free(outpath);
			if (asprintf(&outpath, "%s-%d.tar.gz", stem, n) < 0) {
				outpath = NULL;
				goto fail;
			}
		}
	}
	if (access(outpath, F_OK) == 0) {
		irt_err("'%s' exists; not overwritten", irt_esc(outpath));
		goto out;
	}
	if ((who = irt_who(ctx)) == NULL)
		goto fail;
	author = irt_ident_format(who);
	o->profile = prof;
	o->output = outpath;
	o->argv = argv;
	o->responder = author;
	memset(&pr, 0, sizeof pr);
	pr.start = irt_now();
	if (isatty(STDERR_FILENO) && !ctx->quiet) {
		o->progress = on_progress;
		o->arg = &pr;
	}
	irt_sigint_install();
	o->cancel = &irt_interrupted;
	rc = irt_collect(res, o);
	if (pr.shown)
		fputs("\r\033[K", stderr);
	if (rc != 0)
		goto fail;
	if (ctx->kase != NULL &&
	    irt_evidence_add_collection(
	        ctx->kase, evid, res, prof->name, msg, who) != 0) {
		irt_err("the archive '%s' is complete, but its evidence record "
		        "failed: %s",
		    irt_esc(res->archive), irt_error_last());
		rc = EXIT_FAIL;
		goto out;
	}
	if (res->hostname[0] != '\0')
		irt_host_hook(ctx, res->hostname, NULL, NULL, "evidence");
	rc = EXIT_OK;
	goto out;
fail:
	rc = irt_fail();
out:
	free(name);
	free(dir);
	free(outpath);
	free(author);
	free(stem);
	return rc;
}

static int
collect_exec(struct irt_ctx *ctx, int argc, char **argv)
{
	enum {
		O_PROFILE = 1100,
		O_ROOT,
		O_MAXFILE,
		O_MAXTOTAL,
		O_SINCE,
		O_TIMEOUT,
		O_NOLIVE,
		O_HASH,
		O_EXCLUDE,
		O_LIST,
		O_THREADS,
		O_LEVEL,
	};
	static const struct option longopts[] = {
		IRT_LONGOPTS_COMMON,
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "output", required_argument, NULL, 'o' },
		{ "root", required_argument, NULL, O_ROOT },
		{ "max-file-size", required_argument, NULL, O_MAXFILE },
		{ "max-total", required_argument, NULL, O_MAXTOTAL },
		{ "since", required_argument, NULL, O_SINCE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "no-live", no_argument, NULL, O_NOLIVE },
		{ "hash", required_argument, NULL, O_HASH },
		{ "exclude", required_argument, NULL, O_EXCLUDE },
		{ "list-profiles", no_argument, NULL, O_LIST },
		{ "message", required_argument, NULL, 'm' },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "level", required_argument, NULL, O_LEVEL },
		{ NULL, 0, NULL, 0 },
	};
	struct irt_collect_opts o;
	struct irt_collect_result res;
	struct irt_profile *prof = NULL;
	struct irt_buf b = IRT_BUF_INIT;
	const char *profile = "triage", *output = NULL, *msg = NULL;
	const char **excl = NULL;
	char *rootreal = NULL, *end, evid[32] = "", t[IRT_TIME_MAX];
	size_t nexcl = 0;
	int ch, rc = EXIT_FAIL, list = 0;
	long v;

	memset(&o, 0, sizeof o);
	memset(&res, 0, sizeof res);
	o.hashes = IRT_HASH_SHA256;
	if ((excl = calloc((size_t)argc + 1, sizeof *excl)) == NULL)
		return irt_fail();
	while ((ch = getopt_long(argc, argv, "ho:m:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			free(excl);
			return irt_help(collect_usage, false);
		case IRT_OPT_JSON:
			ctx->json = true;
			break;
		case O_PROFILE:
			profile = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'm':
			msg = optarg;
			break;
		case O_ROOT:
			o.root = optarg;
			break;
		case O_MAXFILE:
			if (irt_size_parse(&o.max_file_size, optarg) != 0 ||
			    o.max_file_size == 0) {
				irt_err("invalid size '%s'", irt_esc(optarg));
				goto usage;
			}
			break;
		case O_MAXTOTAL:
			if (irt_size_parse(&o.max_total, optarg) != 0 ||
			    o.max_total == 0) {
				irt_err("invalid size '%s'", irt_esc(optarg));
				goto usage;
			}
			break;
		case O_SINCE:
			if (irt_time_parse(&o.since, optarg) != 0) {
				irt_err("invalid date '%s'", irt_esc(optarg));
				goto usage;
			}
			o.has_since = true;
			break;
		case O_TIMEOUT:
			errno = 0;
			o.timeout = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !isfinite(o.timeout) || o.timeout <= 0 ||
			    o.timeout > 86400) {
				irt_err(
				    "invalid timeout '%s'", irt_esc(optarg));
				goto usage;
			}
			break;
		case O_NOLIVE:
			o.no_live = true;
			break;
		case O_HASH:
			if (irt_hash_parse_list(&o.hashes, optarg) != 0) {
				irt_err("%s", irt_error_last());
				goto usage;
			}
			o.hashes |= IRT_HASH_SHA256;
			break;
		case O_EXCLUDE:
			excl[nexcl++] = optarg;
			break;
		case O_LIST:
			list = 1;
			break;
		case O_THREADS:
		case O_LEVEL:
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 ||
			    v > (ch == O_LEVEL ? 9 : 64)) {
				irt_err("invalid number '%s'", irt_esc(optarg));
				goto usage;
			}
			if (ch == O_LEVEL)
				o.level = (int)v;
			else
				o.threads = (int)v;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (list) {
		free(excl);
		return list_profiles(ctx);
	}
	o.exclude = excl;
	if (irt_profile_load(&prof, profile) != 0) {
		rc = irt_fail();
		goto out;
	}
	if (o.root != NULL) {
		if ((rootreal = realpath(o.root, NULL)) == NULL) {
			irt_err("cannot use '%s' as root: %s", irt_esc(o.root),
			    strerror(errno));
			goto out;
		}
		o.root = rootreal;
	}
	if ((rc = irt_collect_into_case(
	         ctx, &o, prof, output, argv, msg, &res, evid)) != EXIT_OK)
		goto out;
	if (ctx->json) {
		irt_buf_puts(&b, "{\"archive\":");
		irt_json_str(&b, res.archive);
		irt_buf_printf(&b, ",\"sha256\":\"%s\",\"size\":%llu",
		    res.sha256, (unsigned long long)res.size);
		irt_buf_puts(&b, ",\"evidence\":");
		if (evid[0])
			irt_json_str(&b, evid);
		else
			irt_buf_puts(&b, "null");
		irt_buf_puts(&b, ",\"host\":");
		irt_json_str(&b, res.hostname);
		irt_buf_puts(&b, ",\"profile\":");
		irt_json_str(&b, prof->name);
		irt_buf_printf(
		    &b, ",\"start\":\"%s\"", irt_time_format(t, res.start, 9));
		irt_buf_printf(
		    &b, ",\"end\":\"%s\"", irt_time_format(t, res.end, 9));
		irt_buf_printf(&b, ",\"entries\":%llu,\"bytes\":%llu,",
		    (unsigned long long)res.entries,
		    (unsigned long long)res.bytes);
		irt_collect_counts(&b, &res, true);
		irt_buf_puts(&b, "}\n");
	} else {
		irt_buf_printf(&b, "%s\n", irt_esc(res.archive));
		if (!ctx->quiet) {
			struct irt_buf counts = IRT_BUF_INIT;
			char size[32];
			human(size, sizeof size, (double)res.size);
			irt_collect_counts(&counts, &res, false);
			fprintf(stderr,
			    "irt: %llu entries (%s), archive %s, sha256 "
			    "%s%s%s\n",
			    (unsigned long long)res.entries, counts.ptr, size,
			    res.sha256, evid[0] ? ", evidence " : "", evid);
			irt_buf_release(&counts);
		}
	}
	rc = irt_out(&b);
	goto out;
usage:
	rc = irt_help(collect_usage, true);
out:
	irt_collect_result_release(&res);
	irt_profile_free(prof);
	irt_buf_release(&b);
	free(excl);
	free(rootreal);
	return rc;
}

const struct irt_cmd irt_cmd_collect = {
	.name = "collect",
	.summary = "collect a triage archive of this host",
	.usage = collect_usage,
	.exec = collect_exec,
	.flags = IRT_CMD_WANTS_CASE,
};
