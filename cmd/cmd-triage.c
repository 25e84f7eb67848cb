/*
 * irt triage: the first response on a host in one command.
 *
 * Opens the case (or creates ./case-<host>-<YYYYmmdd>), notes that triage
 * started, collects the triage profile, verifies the archive, builds the
 * timeline of the archive into the evidence folder, starts the
 * isolate-linux-host checklist (nothing is isolated) and prints a summary
 * with the next steps.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irt.h"

static const char triage_usage[] =
    "usage: irt triage [--profile NAME|FILE] [--root DIR] [--no-live]\n"
    "                  [--timeout SECONDS] [-m TEXT] [--json]\n";

#define TOP_HOURS 5

/* Events counted per UTC hour, from the timeline's JSON Lines. */
struct hours {
	int64_t *hour; /* hours since the epoch */
	uint64_t *count;
	size_t n, cap;
	char head[32]; /* the start of the current line */
	size_t headlen;
};

static int
hours_add(struct hours *h, int64_t hour)
{
	size_t i;

	/* timelines are sorted: the hour is usually the last one */
	for (i = h->n; i > 0; i--)
		if (h->hour[i - 1] == hour) {
			h->count[i - 1]++;
			return 0;
		}
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		int64_t *a = realloc(h->hour, cap * sizeof *a);
		uint64_t *b;
		if (a == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		h->hour = a;
		if ((b = realloc(h->count, cap * sizeof *b)) == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		h->count = b;
		h->cap = cap;
	}
	h->hour[h->n] = hour;
	h->count[h->n++] = 1;
	return 0;
}

/* A line starts {"time":"2026-11-27T21: count it in that hour. */
static int
hours_line(struct hours *h)
{
	static const char pre[] = "{\"time\":\"";
	const char *s = h->head + sizeof pre - 1;
	int y, mo, d, hh;

	if (h->headlen < sizeof pre - 1 + 13 ||
	    memcmp(h->head, pre, sizeof pre - 1) != 0 ||
	    sscanf(s, "%4d-%2d-%2dT%2d", &y, &mo, &d, &hh) != 4)
		return 0;
	return hours_add(h, irt_timegm(y, mo, d, hh, 0, 0) / 3600);
}

struct tl_out {
	FILE *fp;
	struct hours hours;
};

static int
tl_write(const char *data, size_t len, void *arg)
{
	struct tl_out *o = arg;
	const char *p = data, *end = data + len, *nl;
	size_t take;
	int rc;

	if (fwrite(data, 1, len, o->fp) != len)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot write the timeline");
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		take = (size_t)((nl ? nl : end) - p);
		if (o->hours.headlen < sizeof o->hours.head) {
			size_t room = sizeof o->hours.head - o->hours.headlen;
			memcpy(o->hours.head + o->hours.headlen, p,
			    take < room ? take : room);
			o->hours.headlen += take < room ? take : room;
		}
		if (nl == NULL)
			break;
		if ((rc = hours_line(&o->hours)) != 0)
			return rc;
		o->hours.headlen = 0;
		p = nl + 1;
	}
	return 0;
}

static void
tl_warn(const char *msg, void *arg)
{
	(void)msg;
	(*(uint64_t *)arg)++;
}

/* The busiest hours first; ties by time. */
static void
top_hours(const struct hours *h, size_t *idx, size_t *n)
{
	size_t i, j, k;

	*n = 0;
	for (i = 0; i < h->n; i++) {
		for (j = 0; j < *n; j++)
			if (h->count[i] > h->count[idx[j]])
				break;
		if (j >= TOP_HOURS)
			continue;
		for (k = *n < TOP_HOURS ? *n : TOP_HOURS - 1; k > j; k--)
			idx[k] = idx[k - 1];
		idx[j] = i;
		if (*n < TOP_HOURS)
			(*n)++;
	}
}

/* case-<host>-<YYYYmmdd>, and a case id made of the same words. */
static int
open_or_create_case(struct irt_ctx *ctx, const char *host, int *created)
{
	struct irt_case_meta meta;
	const struct irt_ident *who;
	char dir[PATH_MAX], id[96], title[320], stamp[17];

	*created = 0;
	if (ctx->kase != NULL)
		return EXIT_OK;
	irt_time_stamp(stamp, irt_now());
	/* host holds only [A-Za-z0-9._-] */
	snprintf(id, sizeof id, "TRIAGE-%s-%.8s", host, stamp);
	id[64] = '\0';
	snprintf(dir, sizeof dir, "case-%s", id + 7);
	if (access(dir, F_OK) == 0) {
		/* a triage earlier today: go on in its case */
		if (irt_case_open(&ctx->kase, dir) != 0)
			return irt_fail();
		return EXIT_OK;
	}
	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	snprintf(title, sizeof title, "Triage of %s", host);
	memset(&meta, 0, sizeof meta);
	meta.id = id;
	meta.title = title;
	if (irt_case_init(&ctx->kase, dir, &meta, who) != 0)
		return irt_fail();
	*created = 1;
	return EXIT_OK;
}

static int
start_checklist(struct irt_ctx *ctx, const char *host, char **name,
    size_t *nsteps, int *already)
{
	struct irt_checklist *cl = NULL;
	char **started = NULL, want[160];
	const struct irt_ident *who;
	size_t i;
	int rc = EXIT_FAIL;

	*already = 0;
	snprintf(want, sizeof want, "isolate-linux-host-%s", host);
	if (irt_checklist_started(ctx->kase, &started) != 0)
		return irt_fail();
	for (i = 0; started[i] != NULL; i++)
		if (strcmp(started[i], want) == 0)
			*already = 1;
	irt_strv_free(started);
	if (irt_checklist_load(&cl, NULL, "isolate-linux-host") != 0)
		return irt_fail();
	*nsteps = cl->nsteps;
	if (*already) {
		*name = strdup(want);
		rc = *name ? EXIT_OK : EXIT_FAIL;
	} else if ((who = irt_who(ctx)) == NULL ||
	    irt_checklist_start(ctx->kase, name, cl, host, who) != 0)
		rc = irt_fail();
	else
		rc = EXIT_OK;
	irt_checklist_free(cl);
	return rc;
}

static void
hour_label(char *out, size_t len, int64_t hour)
{
	char t[IRT_TIME_MAX];

	irt_time_format(t, hour * 3600 * IRT_NS_PER_SEC, 0);
	snprintf(out, len, "%.13s:00Z", t);
}

static int
triage_exec(struct irt_ctx *ctx, int argc, char **argv)
{
	enum { O_PROFILE = 1200, O_ROOT, O_NOLIVE, O_TIMEOUT };
	static const struct option longopts[] = {
		IRT_LONGOPTS_COMMON,
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "root", required_argument, NULL, O_ROOT },
		{ "no-live", no_argument, NULL, O_NOLIVE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "message", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	struct irt_collect_opts co;
	struct irt_collect_result res;
	struct irt_verify_report vr;
	struct irt_profile *prof = NULL;
	struct irt_tl *tl = NULL;
	struct irt_tl_opts to;
	struct irt_tl_write_opts wo;
	struct irt_tl_stats ts;
	struct tl_out out;
	struct irt_buf b = IRT_BUF_INIT, note = IRT_BUF_INIT;
	const struct irt_ident *who;
	const char *profile = "triage", *msg = NULL;
	char host[256], evid[32] = "", noteid[32], *clname = NULL;
	char *tlpath = NULL, *spec = NULL, *end, label[32];
	size_t top[TOP_HOURS], ntop = 0, nsteps = 0, i, hunt_iocs = 0;
	uint64_t hunt_hits = 0;
	char hunt_id[32] = "";
	bool hunt_rules = false;
	uint64_t warnings = 0;
	int ch, rc = EXIT_FAIL, created = 0, already = 0, verified;
	const char *tags[1] = { "triage" };

	memset(&co, 0, sizeof co);
	memset(&res, 0, sizeof res);
	memset(&vr, 0, sizeof vr);
	memset(&out, 0, sizeof out);
	co.hashes = IRT_HASH_SHA256;
	while ((ch = getopt_long(argc, argv, "hm:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return irt_help(triage_usage, false);
		case IRT_OPT_JSON:
			ctx->json = true;
			break;
		case O_PROFILE:
			profile = optarg;
			break;
		case O_ROOT:
			co.root = optarg;
			break;
		case O_NOLIVE:
			co.no_live = true;
			break;
		case O_TIMEOUT:
			co.timeout = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' ||
			    co.timeout <= 0 || co.timeout > 86400) {
				irt_err(
				    "invalid timeout '%s'", irt_esc(optarg));
				return EXIT_USAGE;
			}
			break;
		case 'm':
			msg = optarg;
			break;
		default:
			return irt_help(triage_usage, true);
		}
	}
	if (optind != argc)
		return irt_help(triage_usage, true);
	if (irt_profile_load(&prof, profile) != 0)
		return irt_fail();
	if (gethostname(host, sizeof host) != 0 || host[0] == '\0')
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	/* the host names files and ids: keep it to [A-Za-z0-9._-] */
	for (i = 0; host[i] != '\0'; i++)
		if (!((host[i] >= 'a' && host[i] <= 'z') ||
		        (host[i] >= 'A' && host[i] <= 'Z') ||
		        (host[i] >= '0' && host[i] <= '9') || host[i] == '.' ||
		        host[i] == '-' || host[i] == '_'))
			host[i] = '-';
	host[64] = '\0';

	/* 1. the case, and a note that triage started */
	if ((rc = open_or_create_case(ctx, host, &created)) != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	if ((who = irt_who(ctx)) == NULL) {
		rc = irt_fail();
		goto out;
	}
	irt_buf_printf(&note,
	    "Triage started on %s with the '%s' profile "
	    "(irt triage%s%s).\n",
	    host, prof->name, msg ? ": " : "", msg ? msg : "");
	if (irt_note_add(ctx->kase, noteid, note.ptr, note.len, tags, 1, host,
	        who) != 0) {
		rc = irt_fail();
		goto out;
	}
	if (!ctx->quiet)
		fprintf(stderr, "irt: triage of %s in case %s\n", host,
		    irt_esc(irt_case_id(ctx->kase)));

	/* 2. collect */
	if (irt_collect_into_case(ctx, &co, prof, NULL, argv,
	        msg ? msg : "irt triage", &res, evid) != EXIT_OK)
		goto out;

	/* 3. verify what was written */
	if (irt_archive_verify(&vr, res.archive) != 0) {
		rc = irt_fail();
		goto out;
	}
	verified = vr.nproblems == 0;
	for (i = 0; i < vr.nproblems; i++)
		irt_err("verify: %s %s: %s", vr.problems[i].kind,
		    vr.problems[i].path ? irt_esc(vr.problems[i].path) : "-",
		    irt_esc(vr.problems[i].detail));

	/* 4. the timeline of the archive, beside it */
	if (asprintf(&tlpath, "%.*s.timeline.jsonl",
	        (int)(strlen(res.archive) -
	            (strlen(res.archive) > 7 &&
	                        strcmp(res.archive + strlen(res.archive) - 7,
	                            ".tar.gz") == 0
	                    ? 7
	                    : 0)),
	        res.archive) < 0 ||
	    asprintf(&spec, "archive:%s", res.archive) < 0) {
		irt_err("out of memory");
		goto out;
	}
	memset(&to, 0, sizeof to);
	to.warn = tl_warn;
	to.arg = &warnings;
	to.cancel = &irt_interrupted;
	if ((out.fp = fopen(tlpath, "wx")) == NULL) {
		irt_err(
		    "cannot create '%s': %s", irt_esc(tlpath), strerror(errno));
		goto out;
	}
	memset(&wo, 0, sizeof wo);
	wo.format = IRT_TL_JSONL;
	if (irt_tl_new(&tl, &to) != 0 || irt_tl_add(tl, spec, host) != 0 ||
	    irt_tl_write(tl, &wo, tl_write, &out) != 0) {
		rc = irt_fail();
		goto out;
	}
	if (fclose(out.fp) != 0) {
		out.fp = NULL;
		irt_err(
		    "cannot write '%s': %s", irt_esc(tlpath), strerror(errno));
		goto out;
	}
	out.fp = NULL;
	irt_tl_stats(tl, &ts);
	top_hours(&out.hours, top, &ntop);

	/* 5. a hunt with the case's IOCs and rules/, recorded */
	if (irt_hunt_triage(ctx, res.archive, host, &hunt_hits, hunt_id,
	        &hunt_iocs, &hunt_rules) != EXIT_OK)
		goto out;

	/* 6. the containment checklist, started but not acted on */
	if (start_checklist(ctx, host, &clname, &nsteps, &already) != EXIT_OK)
		goto out;

	/* 7. the summary */
	if (ctx->json) {
		irt_buf_puts(&b, "{\"case\":");
		irt_json_str(&b, irt_case_id(ctx->kase));
		irt_buf_puts(&b, ",\"case_path\":");
		irt_json_str(&b, irt_case_path(ctx->kase));
		irt_buf_printf(&b, ",\"case_created\":%s,\"host\":",
		    created ? "true" : "false");
		irt_json_str(&b, host);
		irt_buf_puts(&b, ",\"note\":");
		irt_json_str(&b, noteid);
		irt_buf_puts(&b, ",\"archive\":");
		irt_json_str(&b, res.archive);
		irt_buf_printf(
		    &b, ",\"sha256\":\"%s\",\"evidence\":", res.sha256);
		irt_json_str(&b, evid[0] ? evid : NULL);
		irt_buf_printf(
		    &b, ",\"entries\":%llu,", (unsigned long long)res.entries);
		irt_collect_counts(&b, &res, true);
		irt_buf_printf(&b, ",\"verified\":%s,\"timeline\":",
		    verified ? "true" : "false");
		irt_json_str(&b, tlpath);
		irt_buf_printf(&b,
		    ",\"events\":%llu,\"warnings\":%llu,"
		    "\"busiest_hours\":[",
		    (unsigned long long)ts.written,
		    (unsigned long long)warnings);
		for (i = 0; i < ntop; i++) {
			hour_label(label, sizeof label, out.hours.hour[top[i]]);
			irt_buf_printf(&b,
			    "%s{\"hour\":\"%s\",\"events\":%llu}", i ? "," : "",
			    label, (unsigned long long)out.hours.count[top[i]]);
		}
		irt_buf_printf(&b, "],\"hunt\":");
		irt_json_str(&b, hunt_id[0] ? hunt_id : NULL);
		irt_buf_printf(&b, ",\"hunt_hits\":%llu,\"checklist\":",
		    (unsigned long long)hunt_hits);
		irt_json_str(&b, clname);
		irt_buf_puts(&b, "}\n");
	} else {
		irt_buf_printf(&b, "triage of %s\n", host);
		irt_buf_printf(&b, "  case       %s  %s%s\n",
		    irt_esc(irt_case_id(ctx->kase)),
		    irt_esc(irt_case_path(ctx->kase)),
		    created ? "  (created)" : "");
		irt_buf_printf(&b, "  archive    %s\n", irt_esc(res.archive));
		irt_buf_printf(&b, "  sha256     %s\n", res.sha256);
		irt_buf_printf(
		    &b, "  entries    %llu: ", (unsigned long long)res.entries);
		irt_collect_counts(&b, &res, false);
		irt_buf_putc(&b, '\n');
		irt_buf_printf(&b, "  verified   %s\n",
		    verified ? "every hash matches the manifest and the sidecar"
		             : "FAILED (see the messages above)");
		irt_buf_printf(&b, "  evidence   %s\n", evid[0] ? evid : "-");
		irt_buf_printf(&b, "  timeline   %s\n", irt_esc(tlpath));
		irt_buf_printf(&b, "             %llu events, %llu warnings\n",
		    (unsigned long long)ts.written,
		    (unsigned long long)warnings);
		if (ntop > 0)
			irt_buf_puts(&b, "  busiest hours (UTC)\n");
		for (i = 0; i < ntop; i++) {
			hour_label(label, sizeof label, out.hours.hour[top[i]]);
			irt_buf_printf(&b, "             %s  %llu event%s\n",
			    label, (unsigned long long)out.hours.count[top[i]],
			    out.hours.count[top[i]] == 1 ? "" : "s");
		}
		if (hunt_id[0])
			irt_buf_printf(&b,
			    "  hunt       %llu hit%s (%zu IOCs%s), hunt %s\n",
			    (unsigned long long)hunt_hits,
			    hunt_hits == 1 ? "" : "s", hunt_iocs,
			    hunt_rules ? ", rules/" : "", hunt_id);
		else
			irt_buf_puts(&b,
			    "  hunt       no IOCs nor rules/ in the "
			    "case yet\n");
		irt_buf_printf(&b, "  checklist  %s (%zu steps%s)\n", clname,
		    nsteps, already ? ", started earlier" : "");
		irt_buf_puts(&b, "\nnext steps:\n");
		irt_buf_printf(
		    &b, "  cd %s\n", irt_esc(irt_case_path(ctx->kase)));
		irt_buf_printf(&b,
		    "  irt checklist run isolate-linux-host    "
		    "# containment, step by step\n");
		irt_buf_printf(&b,
		    "  irt timeline --format timesketch-csv "
		    "archive:%s -o timeline.csv\n",
		    irt_esc(res.archive));
		irt_buf_puts(&b,
		    "  irt note add -m \"...\"                  "
		    "# what you saw, as you see it\n");
		irt_buf_puts(&b,
		    "  irt case push REMOTE                    "
		    "# share the case with the team\n");
	}
	rc = irt_out(&b);
	if (rc == EXIT_OK && !verified)
		rc = EXIT_FAIL;
out:
	if (out.fp != NULL)
		fclose(out.fp);
	free(out.hours.hour);
	free(out.hours.count);
	irt_tl_free(tl);
	irt_verify_report_release(&vr);
	irt_collect_result_release(&res);
	irt_profile_free(prof);
	irt_buf_release(&b);
	irt_buf_release(&note);
	free(tlpath);
	free(spec);
	free(clname);
	return rc;
}

const struct irt_cmd irt_cmd_triage = {
	.name = "triage",
	.summary = "the first response on this host in one command",
	.usage = triage_usage,
	.exec = triage_exec,
	.flags = IRT_CMD_WANTS_CASE,
};
