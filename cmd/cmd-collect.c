/*
 * irt collect: a triage archive of a live host.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "irt.h"

static const struct irt_opt collect_opts[] = {
	{ "profile", 0, IRT_ARG_STRING, "NAME|FILE",
	    "a built-in profile (default: triage) or a profile file",
	    .complete = "profile|file" },
	{ "output", 'o', IRT_ARG_PATH, "ARCHIVE", "write the archive here",
	    .group = 1 },
	{ "bodyfile", 0, IRT_ARG_PATH, "FILE",
	    "no archive: only the stat pass's bodyfile, to FILE or -",
	    .group = 1 },
	{ "root", 0, IRT_ARG_PATH, "DIR", "take DIR as the host's /" },
	{ "max-file-size", 0, IRT_ARG_SIZE, "SIZE",
	    "store at most SIZE bytes of each file", .min = 1 },
	{ "max-total", 0, IRT_ARG_SIZE, "SIZE",
	    "stop storing file contents after SIZE bytes", .min = 1 },
	{ "since", 0, IRT_ARG_DATE, "DATE",
	    "leave out files not modified or changed since DATE" },
	{ "timeout", 0, IRT_ARG_DURATION, "SECONDS",
	    "the default timeout of live commands", .max = 86400 },
	{ "no-live", 0, IRT_ARG_NONE, NULL, "run no live command" },
	{ "process-memory", 0, IRT_ARG_INT, "PID",
	    "store the readable memory of process PID", .min = 1,
	    .max = IRT_COLLECT_PID_MAX, .flags = IRT_OPT_REPEAT },
	{ "max-process-memory", 0, IRT_ARG_SIZE, "SIZE",
	    "store at most SIZE bytes of memory of each process", .min = 1 },
	{ "hash", 0, IRT_ARG_STRING, "LIST",
	    "hashes to compute: sha256,sha1,md5" },
	{ "exclude", 0, IRT_ARG_STRING, "GLOB",
	    "leave out the paths that match", .flags = IRT_OPT_REPEAT },
	{ "message", 'm', IRT_ARG_STRING, "TEXT",
	    "a description kept in the evidence record" },
	{ "threads", 0, IRT_ARG_INT, "N", "compress with N threads", .min = 1,
	    .max = 64 },
	{ "level", 0, IRT_ARG_INT, "N", "the gzip level", .min = 1, .max = 9 },
	{ "list-profiles", 0, IRT_ARG_NONE, NULL, "list the built-in profiles",
	    .flags = IRT_OPT_ALONE },
	{ NULL },
};

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
	struct irt_jw w;
	size_t i, j, nf, nl;
	int rc;

	irt_jw_init(&w, &b);
	if (ctx->json)
		irt_jw_array(&w, NULL);
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
			irt_jw_object(&w, NULL);
			irt_jw_str(&w, "name", p->name);
			irt_jw_str(&w, "description",
			    p->description ? p->description : "");
			irt_jw_uint(&w, "files", nf);
			irt_jw_uint(&w, "live", nl);
			irt_jw_bool(&w, "default", i == 0);
			irt_jw_end(&w);
		} else
			irt_buf_printf(&b,
			    "%-9s %s%s (%zu file entries, %zu live)\n", p->name,
			    p->description ? p->description : "",
			    i == 0 ? " [default]" : "", nf, nl);
		irt_profile_free(p);
	}
	if (ctx->json)
		irt_jw_end(&w);
	if (ctx->json && irt_jw_line(&w) != 0)
		rc = irt_fail();
	else
		rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

void
irt_collect_counts(struct irt_buf *b, const struct irt_collect_result *res)
{
	int st;

	for (st = 0; st < IRT_ST_COUNT; st++)
		irt_buf_printf(b, "%s%llu %s", st ? ", " : "",
		    (unsigned long long)res->counts[st],
		    irt_collect_status_name((enum irt_collect_status)st));
}

void
irt_collect_counts_json(struct irt_jw *w, const struct irt_collect_result *res)
{
	int st;

	irt_jw_object(w, "counts");
	for (st = 0; st < IRT_ST_COUNT; st++)
		irt_jw_uint(w,
		    irt_collect_status_name((enum irt_collect_status)st),
		    (unsigned long long)res->counts[st]);
	irt_jw_end(w);
}

/* What became of the memory of the processes of --process-memory. */
static void
pmem_warnings(struct irt_ctx *ctx, const struct irt_collect_result *res)
{
	const struct irt_collect_pmem *p;
	size_t i;

	for (i = 0; i < res->npmem; i++) {
		p = &res->pmem[i];
		if (p->st == IRT_ST_CHANGED || p->st == IRT_ST_ERROR ||
		    p->st == IRT_ST_SKIPPED)
			irt_err("warning: process memory of PID %d: %s", p->pid,
			    irt_esc(p->reason));
		else if (p->st == IRT_ST_TRUNCATED && !ctx->quiet)
			irt_err("process memory of PID %d: %s; %llu bytes "
			        "stored",
			    p->pid, irt_esc(p->reason),
			    (unsigned long long)p->stored);
	}
}

/* Is there anything at path, a dangling symbolic link too? */
static bool
name_taken(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
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
		if (name_taken(outpath) &&
		    (stem = strndup(
		         outpath, strlen(outpath) - strlen(".tar.gz"))) == NULL)
			goto fail;
		for (n = 2; stem != NULL && name_taken(outpath) && n < 100;
		     n++) {
			free(outpath);
			if (asprintf(&outpath, "%s-%d.tar.gz", stem, n) < 0) {
				outpath = NULL;
				goto fail;
			}
		}
	}
	/* an existing archive, sidecar or link there: irt_collect refuses */
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
	if (res->self_unexpected > 0) {
		struct irt_buf paths = IRT_BUF_INIT;
		size_t i;
		for (i = 0; i < res->self_npaths; i++)
			irt_buf_printf(&paths, "%s'%s'", i ? ", " : "",
			    irt_esc(res->self_paths[i]));
		if (res->self_unexpected == 1)
			irt_err("warning: irt's own process maps a library "
			        "or file it did not ask for (%s): a preload "
			        "may see and change what irt reads",
			    irt_buf_cstr(&paths));
		else
			irt_err("warning: irt's own process maps %llu "
			        "libraries or files it did not ask for (%s): "
			        "a preload may see and change what irt reads",
			    (unsigned long long)res->self_unexpected,
			    irt_buf_cstr(&paths));
		irt_buf_release(&paths);
	}
	pmem_warnings(ctx, res);
	if (res->noatime_fallbacks > 0 && !ctx->quiet)
		irt_err("%llu files and folders were read without O_NOATIME "
		        "(not their owner, no CAP_FOWNER): their access times "
		        "may have changed; run as root to keep them",
		    (unsigned long long)res->noatime_fallbacks);
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

/*
 * --bodyfile: the stat pass alone, its bodyfile written to a new file or
 * to standard output, nothing else collected or recorded.
 */
static int
bodyfile_only(struct irt_ctx *ctx, struct irt_args *a)
{
	static const char *const other[] = { "profile", "max-file-size",
		"max-total", "since", "timeout", "no-live", "hash", "exclude",
		"message", "threads", "level", "process-memory",
		"max-process-memory", NULL };
	const char *out = irt_args_str(a, "bodyfile", "-");
	const char *root = irt_args_str(a, "root", "/");
	struct irt_statpass_opts so;
	struct irt_statpass_stats st;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	int fd = STDOUT_FILENO, rc;
	size_t i;

	for (i = 0; other[i] != NULL; i++)
		if (irt_args_has(a, other[i]))
			return irt_args_usage(
			    a, "--bodyfile does not take --%s", other[i]);
	if (ctx->json && strcmp(out, "-") == 0)
		return irt_args_usage(
		    a, "--json needs --bodyfile FILE, not standard output");
	memset(&so, 0, sizeof so);
	so.findings_fd = -1;
	so.rootfd = open(root, O_RDONLY | O_DIRECTORY | O_NOATIME | O_CLOEXEC);
	if (so.rootfd == -1 && errno == EPERM)
		so.rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (so.rootfd == -1) {
		irt_err("cannot open '%s': %s", irt_esc(root), strerror(errno));
		return EXIT_FAIL;
	}
	if (strcmp(out, "-") != 0 &&
	    (fd = open(out,
	         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) ==
	        -1) {
		irt_err(
		    "cannot create '%s': %s", irt_esc(out), strerror(errno));
		close(so.rootfd);
		return EXIT_FAIL;
	}
	so.body_fd = fd;
	irt_sigint_install();
	so.cancel = &irt_interrupted;
	rc = irt_statpass(&st, &so);
	close(so.rootfd);
	if (fd != STDOUT_FILENO && close(fd) != 0 && rc == 0)
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot write '%s'", irt_esc(out));
	if (rc != 0)
		return irt_fail();
	if (ctx->json) {
		irt_jw_init(&w, &b);
		irt_jw_object(&w, NULL);
		irt_jw_str(&w, "bodyfile", out);
		irt_jw_uint(&w, "entries", st.entries);
		irt_jw_uint(&w, "file_systems_not_walked", st.not_walked);
		irt_jw_uint(&w, "unreadable", st.unreadable);
		irt_jw_uint(&w, "too_deep", st.too_deep);
		irt_jw_uint(&w, "loops", st.loops);
		irt_jw_uint(&w, "errors", st.errors);
		irt_jw_uint(&w, "noatime_fallbacks", st.noatime_fallbacks);
		irt_jw_end(&w);
		if (irt_jw_line(&w) != 0) {
			irt_buf_release(&b);
			return irt_fail();
		}
		rc = irt_out(&b);
		irt_buf_release(&b);
		return rc;
	}
	if (!ctx->quiet)
		irt_err("%llu entries, %llu file systems not walked, %llu "
		        "folders unreadable, %llu too deep, %llu loops, %llu "
		        "errors",
		    (unsigned long long)st.entries,
		    (unsigned long long)st.not_walked,
		    (unsigned long long)st.unreadable,
		    (unsigned long long)st.too_deep,
		    (unsigned long long)st.loops,
		    (unsigned long long)st.errors);
	return EXIT_OK;
}

static int
collect_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_collect_opts o;
	struct irt_collect_result res;
	struct irt_profile *prof = NULL;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	const char *output, *msg;
	const char **excl = NULL;
	int *pids = NULL;
	char *rootreal = NULL, evid[32] = "", t[IRT_TIME_MAX];
	size_t nexcl, i, n;
	int rc = EXIT_FAIL;

	if (irt_args_has(a, "list-profiles"))
		return list_profiles(ctx);
	if (irt_args_has(a, "bodyfile"))
		return bodyfile_only(ctx, a);
	memset(&o, 0, sizeof o);
	memset(&res, 0, sizeof res);
	o.hashes = IRT_HASH_SHA256;
	if (irt_args_has(a, "hash")) {
		if (irt_hash_parse_list(
		        &o.hashes, irt_args_str(a, "hash", "")) != 0)
			return irt_args_usage(
			    a, "--hash: %s", irt_error_last());
		o.hashes |= IRT_HASH_SHA256;
	}
	output = irt_args_str(a, "output", NULL);
	msg = irt_args_str(a, "message", NULL);
	o.root = irt_args_str(a, "root", NULL);
	o.max_file_size = irt_args_size(a, "max-file-size", 0);
	o.max_total = irt_args_size(a, "max-total", 0);
	if ((o.has_since = irt_args_has(a, "since")))
		o.since = irt_args_date(a, "since", 0);
	o.timeout = irt_args_secs(a, "timeout", 0);
	o.no_live = irt_args_has(a, "no-live");
	o.threads = (int)irt_args_int(a, "threads", 0);
	o.level = (int)irt_args_int(a, "level", 0);
	nexcl = irt_args_count(a, "exclude");
	if ((excl = calloc(nexcl + 1, sizeof *excl)) == NULL)
		return irt_fail();
	for (i = 0; i < nexcl; i++)
		excl[i] = irt_args_nth(a, "exclude", i);
	o.exclude = excl;
	if ((o.npids = irt_args_count(a, "process-memory")) > 0) {
		if (o.root != NULL && strcmp(o.root, "/") != 0) {
			rc = irt_args_usage(a,
			    "--process-memory reads the live host's processes: "
			    "not with --root");
			goto out;
		}
		if ((pids = calloc(o.npids, sizeof *pids)) == NULL) {
			rc = irt_fail();
			goto out;
		}
		/* each process once, in the order given */
		for (i = n = 0; i < o.npids; i++) {
			int pid = (int)strtol(
			    irt_args_nth(a, "process-memory", i), NULL, 10);
			size_t j;
			for (j = 0; j < n && pids[j] != pid; j++)
				;
			if (j == n)
				pids[n++] = pid;
		}
		o.npids = n;
		o.pids = pids;
	} else if (irt_args_has(a, "max-process-memory")) {
		rc = irt_args_usage(a,
		    "--max-process-memory needs "
		    "--process-memory");
		goto out;
	}
	o.max_process_memory = irt_args_size(a, "max-process-memory", 0);
	if (irt_profile_load(&prof, irt_args_str(a, "profile", "triage")) !=
	    0) {
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
	if ((rc = irt_collect_into_case(ctx, &o, prof, output, a->cmdline, msg,
	         &res, evid)) != EXIT_OK)
		goto out;
	if (ctx->json) {
		irt_jw_init(&w, &b);
		irt_jw_object(&w, NULL);
		irt_jw_str(&w, "archive", res.archive);
		irt_jw_str(&w, "sha256", res.sha256);
		irt_jw_uint(&w, "size", (unsigned long long)res.size);
		irt_jw_str(&w, "evidence", evid[0] ? evid : NULL);
		irt_jw_str(&w, "host", res.hostname);
		irt_jw_str(&w, "profile", prof->name);
		irt_jw_str(&w, "start", irt_time_format(t, res.start, 9));
		irt_jw_str(&w, "end", irt_time_format(t, res.end, 9));
		irt_jw_uint(&w, "entries", (unsigned long long)res.entries);
		irt_jw_uint(&w, "bytes", (unsigned long long)res.bytes);
		irt_jw_uint(&w, "noatime_fallbacks",
		    (unsigned long long)res.noatime_fallbacks);
		irt_collect_counts_json(&w, &res);
		if (res.self_checked) {
			irt_jw_object(&w, "self_maps");
			irt_jw_uint(&w, "unexpected",
			    (unsigned long long)res.self_unexpected);
			irt_jw_array(&w, "paths");
			for (i = 0; i < res.self_npaths; i++)
				irt_jw_str(&w, NULL, res.self_paths[i]);
			irt_jw_end(&w);
			irt_jw_end(&w);
		} else
			irt_jw_null(&w, "self_maps");
		irt_jw_array(&w, "process_memory");
		for (i = 0; i < res.npmem; i++) {
			irt_jw_object(&w, NULL);
			irt_jw_int(&w, "pid", res.pmem[i].pid);
			irt_jw_str(&w, "status",
			    irt_collect_status_name(res.pmem[i].st));
			irt_jw_uint(&w, "mappings", res.pmem[i].mappings);
			irt_jw_uint(&w, "read", res.pmem[i].read);
			irt_jw_uint(&w, "stored", res.pmem[i].stored);
			irt_jw_uint(&w, "unreadable", res.pmem[i].unreadable);
			irt_jw_str_or_null(&w, "reason", res.pmem[i].reason);
			irt_jw_end(&w);
		}
		irt_jw_end(&w);
		irt_jw_end(&w);
		if (irt_jw_line(&w) != 0) {
			rc = irt_fail();
			goto out;
		}
	} else {
		irt_buf_printf(&b, "%s\n", irt_esc(res.archive));
		if (!ctx->quiet) {
			struct irt_buf counts = IRT_BUF_INIT;
			char size[32];
			human(size, sizeof size, (double)res.size);
			irt_collect_counts(&counts, &res);
			fprintf(stderr,
			    "irt: %llu entries (%s), archive %s, sha256 "
			    "%s%s%s\n",
			    (unsigned long long)res.entries, counts.ptr, size,
			    res.sha256, evid[0] ? ", evidence " : "", evid);
			irt_buf_release(&counts);
		}
	}
	rc = irt_out(&b);
out:
	irt_collect_result_release(&res);
	irt_profile_free(prof);
	irt_buf_release(&b);
	free(excl);
	free(pids);
	free(rootreal);
	return rc;
}

const struct irt_cmd irt_cmd_collect = {
	.name = "collect",
	.summary = "collect a triage archive of this host",
	.flags = IRT_CMD_WANTS_CASE | IRT_CMD_JSON,
	.opts = collect_opts,
	.run = collect_run,
};
