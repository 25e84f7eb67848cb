/*
 * irt run: run a command and record it in the case.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/internal.h"
#include "irt/hash.h"
#include "irt/kv.h"
#include "irt/run.h"
#include "records.h"

struct capture {
	struct irt_buf out[2];
	int truncated[2];
	const struct irt_run_opts *o;
};

static int
on_output(int fd, const char *data, size_t len, void *arg)
{
	struct capture *cap = arg;
	struct irt_buf *b = &cap->out[fd - 1];
	size_t room;

	if (cap->o->live != NULL)
		cap->o->live(fd, data, len, cap->o->arg);
	room = b->len < IRT_RUN_MAX_OUTPUT ? IRT_RUN_MAX_OUTPUT - b->len : 0;
	if (len > room) {
		cap->truncated[fd - 1] = 1;
		len = room;
	}
	return len > 0 ? irt_buf_put(b, data, len) : 0;
}

/* The command as one line for a commit subject. */
static int
argv_line(struct irt_buf *out, char *const argv[], size_t max)
{
	size_t i, start = out->len;

	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0 && irt_buf_putc(out, ' ') != 0)
			return IRT_ENOMEM;
		if (irt_escape_term(out, argv[i], strlen(argv[i])) != 0)
			return IRT_ENOMEM;
		if (out->len - start > max) {
			out->len = start + max;
			out->ptr[out->len] = '\0';
			return irt_buf_puts(out, "...");
		}
	}
	return 0;
}

#define RUNS_DIR "runs"

/* "Permission denied (EACCES)": why a program could not be run. */
static const char *
exec_error(char *buf, size_t size, int e)
{
	const char *name = strerrorname_np(e);

	if (name != NULL)
		snprintf(buf, size, "%s (%s)", strerror(e), name);
	else
		snprintf(buf, size, "%s (errno %d)", strerror(e), e);
	return buf;
}

int
irt_run(struct irt_case *c, struct irt_run_result *res, char *const argv[],
    const struct irt_run_opts *opts, const struct irt_ident *who)
{
	static const struct irt_run_opts defaults;
	const struct irt_run_opts *o = opts ? opts : &defaults;
	struct capture cap;
	struct irt_spawn_opts so;
	struct irt_kv rec = IRT_KV_INIT;
	struct irt_buf recbuf = IRT_BUF_INIT, subj = IRT_BUF_INIT;
	struct irt_buf p[3] = { IRT_BUF_INIT, IRT_BUF_INIT, IRT_BUF_INIT };
	struct irt_trailer *tr = NULL;
	char sha[2][65], t0[IRT_TIME_MAX], t1[IRT_TIME_MAX], num[32];
	char cwd[4096], host[256], errbuf[128], *author = NULL;
	struct passwd *pw;
	size_t i, ntr;
	int rc, src;

	memset(res, 0, sizeof *res);
	memset(&cap, 0, sizeof cap);
	cap.o = o;
	if ((rc = irt_id_new(res->id)) != 0)
		return rc;
	memset(&so, 0, sizeof so);
	so.timeout = o->timeout;
	so.output = on_output;
	so.arg = &cap;
	so.cancel = o->cancel;
	src = irt_spawn(&res->spawn, argv, &so);
	if (src != 0 && src != IRT_ENOTFOUND && !res->spawn.not_found &&
	    res->spawn.start == 0) {
		rc = src;
		goto out;
	}
	/* as a shell says it: 127 not found, 126 found but not run */
	if (res->spawn.not_found)
		res->exit_code = 127;
	else if (res->spawn.exec_errno != 0)
		res->exit_code = 126;
	else
		res->exit_code = irt_spawn_exit_code(&res->spawn);

	for (i = 0; i < 2; i++)
		if ((rc = irt_sha256_hex(sha[i], irt_buf_cstr(&cap.out[i]),
		         cap.out[i].len)) != 0)
			goto out;
	if (getcwd(cwd, sizeof cwd) == NULL)
		strcpy(cwd, "?");
	if (gethostname(host, sizeof host) != 0)
		strcpy(host, "?");
	host[sizeof host - 1] = '\0';
	pw = getpwuid(geteuid());
	author = irt_ident_format(who);
	rc = irt_kv_add(&rec, "id", res->id);
	for (i = 0; rc == 0 && argv[i] != NULL; i++)
		rc = irt_kv_add(&rec, "argv", argv[i]);
	snprintf(num, sizeof num, "%ld", (long)geteuid());
	if (rc == 0)
		rc = irt_kv_add(&rec, "cwd", cwd);
	if (rc == 0)
		rc = irt_kv_add(&rec, "host", host);
	if (rc == 0)
		rc = irt_kv_add(&rec, "user", pw ? pw->pw_name : "?");
	if (rc == 0)
		rc = irt_kv_add(&rec, "uid", num);
	if (rc == 0)
		rc = irt_kv_add(&rec, "responder", author ? author : "?");
	if (rc == 0)
		rc = irt_kv_add(
		    &rec, "start", irt_time_format(t0, res->spawn.start, 9));
	if (rc == 0)
		rc = irt_kv_add(
		    &rec, "end", irt_time_format(t1, res->spawn.end, 9));
	if (rc == 0 && o->timeout > 0) {
		snprintf(num, sizeof num, "%g", o->timeout);
		rc = irt_kv_add(&rec, "timeout", num);
	}
	if (rc == 0 && res->spawn.not_found)
		rc = irt_kv_add(&rec, "result", "not-found");
	else if (rc == 0 && res->spawn.exec_errno != 0) {
		rc = irt_kv_add(&rec, "result", "exec-failed");
		if (rc == 0)
			rc = irt_kv_add(&rec, "error",
			    exec_error(
			        errbuf, sizeof errbuf, res->spawn.exec_errno));
	} else if (rc == 0 && res->spawn.timed_out)
		rc = irt_kv_add(&rec, "result", "timeout");
	else if (rc == 0 && res->spawn.exited)
		rc = irt_kv_add(&rec, "result", "exited");
	else if (rc == 0)
		rc = irt_kv_add(&rec, "result", "signalled");
	if (rc == 0 && !res->spawn.exited) {
		snprintf(num, sizeof num, "%d", res->spawn.status);
		rc = irt_kv_add(&rec, "signal", num);
	}
	snprintf(num, sizeof num, "%d", res->exit_code);
	if (rc == 0)
		rc = irt_kv_add(&rec, "exit", num);
	for (i = 0; rc == 0 && i < 2; i++) {
		const char *nm = i == 0 ? "stdout" : "stderr";
		char key[32];
		snprintf(key, sizeof key, "%s_sha256", nm);
		rc = irt_kv_add(&rec, key, sha[i]);
		snprintf(key, sizeof key, "%s_bytes", nm);
		snprintf(num, sizeof num, "%zu", cap.out[i].len);
		if (rc == 0)
			rc = irt_kv_add(&rec, key, num);
		if (rc == 0 && cap.truncated[i]) {
			snprintf(key, sizeof key, "%s_truncated", nm);
			rc = irt_kv_add(&rec, key, "yes");
		}
	}
	if (rc == 0 && o->message != NULL)
		rc = irt_kv_add(&rec, "message", o->message);
	if (rc == 0)
		rc = irt_kv_write(&recbuf, &rec);
	if (rc != 0)
		goto out;
	if ((rc = irt_case_shard_path(&p[0], RUNS_DIR, res->id, "/stdout")) ||
	    (rc = irt_case_shard_path(&p[1], RUNS_DIR, res->id, "/stderr")) ||
	    (rc = irt_case_shard_path(&p[2], RUNS_DIR, res->id, "/record")) ||
	    (rc = irt_buf_puts(&subj, "run: ")) ||
	    (rc = argv_line(&subj, argv, 60)))
		goto out;
	if (res->spawn.exec_errno != 0 && !res->spawn.not_found)
		rc = irt_buf_printf(&subj, " (exec failed: %s, exit %d)",
		    strerror(res->spawn.exec_errno), res->exit_code);
	else
		rc = irt_buf_printf(&subj, " (%s %d)",
		    res->spawn.not_found       ? "not found,"
		        : res->spawn.timed_out ? "timeout, exit"
		                               : "exit",
		    res->exit_code);
	if (rc != 0)
		goto out;
	ntr = 3 + o->ntrailers;
	if ((tr = calloc(ntr, sizeof *tr)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	snprintf(num, sizeof num, "%d", res->exit_code);
	tr[0].key = "Irt-Action";
	tr[0].value = "run";
	tr[1].key = "Irt-Run";
	tr[1].value = res->id;
	tr[2].key = "Irt-Exit";
	tr[2].value = num;
	for (i = 0; i < o->ntrailers; i++)
		tr[3 + i] = o->trailers[i];
	{
		struct irt_case_file f[3] = {
			{ p[0].ptr, irt_buf_cstr(&cap.out[0]), cap.out[0].len },
			{ p[1].ptr, irt_buf_cstr(&cap.out[1]), cap.out[1].len },
			{ p[2].ptr, recbuf.ptr, recbuf.len },
		};
		rc = irt_case_commit(c, res->commit, f, 3, 0, subj.ptr,
		    o->message, tr, ntr, who);
	}
out:
	free(tr);
	free(author);
	irt_kv_release(&rec);
	irt_buf_release(&recbuf);
	irt_buf_release(&subj);
	for (i = 0; i < 3; i++)
		irt_buf_release(&p[i]);
	irt_buf_release(&cap.out[0]);
	irt_buf_release(&cap.out[1]);
	return rc;
}

int
irt_run_check(const char *path, const char *data, size_t len)
{
	struct irt_kv kv = IRT_KV_INIT;
	static const char *const required[] = { "id", "argv", "start", "end",
		"result", "exit", "stdout_sha256", "stderr_sha256", NULL };
	static const char *const results[] = { "exited", "signalled", "timeout",
		"not-found", "exec-failed", NULL };
	const char *v;
	irt_ns t;
	size_t i;
	int rc;

	if ((rc = irt_kv_parse(&kv, data, len, path)) != 0)
		goto out;
	for (i = 0; required[i] != NULL; i++)
		if (irt_kv_get(&kv, required[i]) == NULL) {
			rc = irt_error_set(IRT_EPARSE, "%s: no '%s'",
			    irt_esc(path), required[i]);
			goto out;
		}
	if (irt_time_parse(&t, irt_kv_get(&kv, "start")) != 0 ||
	    irt_time_parse(&t, irt_kv_get(&kv, "end")) != 0) {
		rc = irt_error_set(
		    IRT_EPARSE, "%s: invalid start or end", irt_esc(path));
		goto out;
	}
	v = irt_kv_get(&kv, "result");
	for (i = 0; results[i] != NULL && strcmp(v, results[i]) != 0; i++)
		;
	if (results[i] == NULL)
		rc = irt_error_set(IRT_EPARSE, "%s: unknown result '%s'",
		    irt_esc(path), irt_esc(v));
	else if (strcmp(v, "exec-failed") == 0 &&
	    irt_kv_get(&kv, "error") == NULL)
		rc = irt_error_set(IRT_EPARSE,
		    "%s: an exec-failed run has no 'error'", irt_esc(path));
out:
	irt_kv_release(&kv);
	return rc;
}
