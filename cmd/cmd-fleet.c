/*
 * irt fleet: irt on many hosts at once, driven by Ansible with the
 * playbooks shipped with irt (lib/data/playbooks/), the results brought
 * back into the case with their chain of custody (irt-fleet(1)).
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "irt.h"

/* An outcome.json larger than this is not read. */
#define OUTCOME_MAX (1 << 20)
/* Hosts of one action. */
#define MAX_HOSTS 100000

static const struct irt_opt collect_opts[] = {
	{ "inventory", 'i', IRT_ARG_PATH, "INVENTORY",
	    "the Ansible inventory file", .flags = IRT_OPT_REQUIRED },
	{ "limit", 'l', IRT_ARG_STRING, "PATTERN",
	    "only the hosts that match, as ansible-playbook --limit" },
	{ "profile", 0, IRT_ARG_STRING, "NAME",
	    "the collection profile (default: triage)" },
	{ "forks", 'f', IRT_ARG_INT, "N", "work on N hosts at a time", .min = 1,
	    .max = 10000 },
	{ "binary", 0, IRT_ARG_PATH, "PATH",
	    "the static irt to copy (default: next to irt, or build-static)" },
	{ NULL },
};

static const struct irt_opt hunt_opts[] = {
	{ "inventory", 'i', IRT_ARG_PATH, "INVENTORY",
	    "the Ansible inventory file", .flags = IRT_OPT_REQUIRED },
	{ "limit", 'l', IRT_ARG_STRING, "PATTERN",
	    "only the hosts that match, as ansible-playbook --limit" },
	{ "forks", 'f', IRT_ARG_INT, "N", "work on N hosts at a time", .min = 1,
	    .max = 10000 },
	{ "ioc", 0, IRT_ARG_PATH, "FILE",
	    "more IOCs from a file (plain, CSV, MISP, STIX), for this hunt",
	    .flags = IRT_OPT_REPEAT },
	{ "sigma", 0, IRT_ARG_PATH, "PATH",
	    "Sigma rules: a file, or a folder of .yml/.yaml files",
	    .flags = IRT_OPT_REPEAT },
	{ "yara", 0, IRT_ARG_PATH, "PATH",
	    "YARA rules: a file, or a folder of .yar/.yara files",
	    .flags = IRT_OPT_REPEAT },
	{ "binary", 0, IRT_ARG_PATH, "PATH",
	    "the static irt to copy (default: next to irt, or build-static)" },
	{ NULL },
};

struct host {
	char *name;
	char *outcome;
	char *reason;
	char *expect; /* the host name its evidence must carry */
	char evidence[32];
	uint64_t count, size;
	char sha256[65];
	bool verified;
};

struct fleet {
	struct irt_ctx *ctx;
	const char *action;
	const char *inventory;
	char inv_sha256[65];
	const char *limit;
	char id[32];
	char *stage;    /* <case>/evidence/fleet-<id> */
	char *playbook; /* stage/<action>.yml */
	char *binary;
	char run[32];
	int ansible_status;
	struct host *hosts;
	size_t nhosts;
};

static void
fleet_release(struct fleet *f)
{
	size_t i;

	for (i = 0; i < f->nhosts; i++) {
		free(f->hosts[i].name);
		free(f->hosts[i].outcome);
		free(f->hosts[i].reason);
		free(f->hosts[i].expect);
	}
	free(f->hosts);
	free(f->stage);
	free(f->playbook);
	free(f->binary);
}

/* 1 when the ELF file at path has no program interpreter (static). */
static int
elf_static(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i, st = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof ph ||
	    eh.e_phnum > 4096)
		goto out;
	st = 1;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof ph,
		        (off_t)(eh.e_phoff + (uint64_t)i * sizeof ph)) !=
		    (ssize_t)sizeof ph) {
			st = -1;
			break;
		}
		if (ph.p_type == PT_INTERP)
			st = 0;
	}
out:
	close(fd);
	return st;
}

/* The static irt to copy to the hosts: --binary, else irt itself when it
 * is static, else irt-static next to it, else the build-static tree. */
static int
find_binary(struct fleet *f, const char *given)
{
	char self[PATH_MAX], cand[PATH_MAX + 64], *slash;
	const char *tails[] = { "/irt-static", "/../../build-static/cmd/irt",
		NULL };
	ssize_t n;
	int i, st;

	if (given != NULL) {
		if ((st = elf_static(given)) != 1) {
			irt_err(st < 0 ? "cannot read '%s' as an ELF binary"
			               : "'%s' is not statically linked",
			    irt_esc(given));
			return -1;
		}
		return (f->binary = realpath(given, NULL)) ? 0 : -1;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) <= 0) {
		irt_err("cannot find irt itself: %s", strerror(errno));
		return -1;
	}
	self[n] = '\0';
	if (elf_static(self) == 1)
		return (f->binary = strdup(self)) ? 0 : -1;
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	for (i = 0; tails[i] != NULL; i++) {
		snprintf(cand, sizeof cand, "%s%s", self, tails[i]);
		if (elf_static(cand) == 1)
			return (f->binary = realpath(cand, NULL)) ? 0 : -1;
	}
	irt_err("no static irt to copy to the hosts: give one with --binary "
	        "(meson setup build-static -Dstatic=enabled builds it)");
	return -1;
}

/* The hex SHA-1 of a file, as Ansible's copy checks it. */
static int
sha1_file(char out[41], const char *path)
{
	struct irt_hash *h;
	char buf[65536];
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (irt_hash_new(&h, IRT_HASH_SHA1) != 0) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof buf)) > 0)
		irt_hash_update(h, buf, (size_t)n);
	if (n == 0 && irt_hash_final(h) == 0) {
		memcpy(out, irt_hash_hex(h, IRT_HASH_SHA1), 41);
		rc = 0;
	}
	irt_hash_free(h);
	close(fd);
	return rc;
}

/* Writes data to dir/name, a new file. */
static int
write_new(const char *path, const void *data, size_t len)
{
	int fd;
	ssize_t n;

	fd = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot create '%s'", irt_esc(path));
	while (len > 0) {
		if ((n = write(fd, data, len)) < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return irt_error_sys(
			    IRT_EIO, errno, "cannot write '%s'", irt_esc(path));
		}
		data = (const char *)data + n;
		len -= (size_t)n;
	}
	if (close(fd) != 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot write '%s'", irt_esc(path));
	return 0;
}

struct capture {
	struct irt_buf out, err;
};

static int
on_capture(int fd, const char *data, size_t len, void *arg)
{
	struct capture *c = arg;
	struct irt_buf *b = fd == 1 ? &c->out : &c->err;

	if (b->len > (64u << 20))
		return 0;
	return irt_buf_put(b, data, len);
}

/* The last line of text that is not blank, escaped. */
static const char *
last_line(struct irt_buf *b)
{
	char *s = b->ptr, *end;

	if (s == NULL)
		return "";
	end = s + b->len;
	while (end > s && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	*end = '\0';
	if ((s = strrchr(s, '\n')) == NULL)
		s = b->ptr;
	else
		s++;
	return irt_esc(s);
}

static int
add_host(struct fleet *f, const char *name, size_t len)
{
	struct host *v;

	if (f->nhosts >= MAX_HOSTS) {
		irt_err("more than %d hosts in '%s'", MAX_HOSTS,
		    irt_esc(f->inventory));
		return -1;
	}
	if ((v = realloc(f->hosts, (f->nhosts + 1) * sizeof *v)) == NULL)
		return -1;
	f->hosts = v;
	v = &f->hosts[f->nhosts];
	memset(v, 0, sizeof *v);
	if ((v->name = strndup(name, len)) == NULL)
		return -1;
	f->nhosts++;
	if (irt_host_check_name(v->name) != 0 || strcmp(v->name, ".") == 0 ||
	    strcmp(v->name, "..") == 0) {
		irt_err("inventory '%s': '%s' cannot be a host of the case",
		    irt_esc(f->inventory), irt_esc(v->name));
		return -1;
	}
	return 0;
}

/*
 * The hosts the playbook will run on, as ansible-playbook --list-hosts
 * gives them: a broken inventory, or one without a host, stops here.
 */
static int
list_hosts(struct fleet *f)
{
	struct irt_spawn_opts o;
	struct irt_spawn_result r;
	struct capture cap = { IRT_BUF_INIT, IRT_BUF_INIT };
	char *argv[12], *line, *next;
	int n = 0, rc = -1, in_hosts = 0;

	argv[n++] = "ansible-playbook";
	argv[n++] = "--list-hosts";
	argv[n++] = "-i";
	argv[n++] = (char *)f->inventory;
	if (f->limit != NULL) {
		argv[n++] = "--limit";
		argv[n++] = (char *)f->limit;
	}
	argv[n++] = f->playbook;
	argv[n] = NULL;
	memset(&o, 0, sizeof o);
	o.timeout = 600;
	o.output = on_capture;
	o.arg = &cap;
	if (irt_spawn(&r, argv, &o) != 0) {
		if (r.not_found)
			irt_err("ansible-playbook not found: install Ansible "
			        "(ansible-core)");
		else
			irt_fail();
		goto out;
	}
	if (irt_spawn_exit_code(&r) != 0) {
		irt_err("inventory '%s': ansible-playbook --list-hosts failed "
		        "(exit %d): %s",
		    irt_esc(f->inventory), irt_spawn_exit_code(&r),
		    last_line(&cap.err));
		goto out;
	}
	/* "  play #1 (all): NAME\tTAGS: []\n    pattern: [...]\n    hosts
	 * (N):\n      host1\n" */
	for (line = cap.out.ptr; line != NULL; line = next) {
		size_t len;
		const char *s = line;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		while (*s == ' ')
			s++;
		len = strlen(s);
		if (strncmp(s, "hosts (", 7) == 0) {
			in_hosts = 1;
			continue;
		}
		if (!in_hosts || len == 0)
			continue;
		if (s - line < 6) {
			in_hosts = 0;
			continue;
		}
		if (add_host(f, s, len) != 0)
			goto out;
	}
	if (f->nhosts == 0) {
		irt_err("no host in inventory '%s'%s%s%s: %s",
		    irt_esc(f->inventory), f->limit ? " matches '" : "",
		    f->limit ? irt_esc(f->limit) : "", f->limit ? "'" : "",
		    cap.err.len > 0 ? last_line(&cap.err)
		                    : "ansible-playbook lists none");
		goto out;
	}
	rc = 0;
out:
	irt_buf_release(&cap.out);
	irt_buf_release(&cap.err);
	return rc;
}

/* Ansible's output, shown as it comes, escaped: it quotes the hosts. */
static int
live_output(int fd, const char *data, size_t len, void *arg)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_ctx *ctx = arg;
	size_t i, start = 0;

	if (ctx->quiet)
		return 0;
	for (i = 0; i <= len; i++)
		if (i == len || data[i] == '\n') {
			irt_escape_term(&b, data + start, i - start);
			if (i < len)
				irt_buf_putc(&b, '\n');
			start = i + 1;
		}
	(void)fd;
	fwrite(b.ptr ? b.ptr : "", 1, b.len, stderr);
	irt_buf_release(&b);
	return 0;
}

/* The stage folder in the case, the playbook in it and the variables
 * irt gives it. */
static int
stage(
    struct fleet *f, const char *pbname, struct irt_jw *vars, char **vars_path)
{
	const struct irt_data_file *pb;
	char name[64];
	int rc = -1;

	snprintf(name, sizeof name, "playbooks/%s.yml", pbname);
	if ((pb = irt_data_get(name)) == NULL) {
		irt_err("no built-in playbook '%s'", name);
		return -1;
	}
	if (mkdir(f->stage, 0750) != 0) {
		irt_err("cannot create '%s': %s", irt_esc(f->stage),
		    strerror(errno));
		goto out;
	}
	if (asprintf(&f->playbook, "%s/%s.yml", f->stage, pbname) < 0) {
		f->playbook = NULL;
		goto out;
	}
	if (write_new(f->playbook, pb->data, pb->len) != 0) {
		irt_fail();
		goto out;
	}
	if (asprintf(vars_path, "%s/vars.json", f->stage) < 0) {
		*vars_path = NULL;
		goto out;
	}
	if (irt_jw_line(vars) != 0 ||
	    write_new(*vars_path, vars->out->ptr, vars->out->len) != 0) {
		irt_fail();
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* Runs ansible-playbook, recorded in the case as irt run records. */
static int
run_playbook(struct fleet *f, const char *vars_path, struct irt_args *a)
{
	struct irt_run_opts o;
	struct irt_run_result r;
	struct irt_trailer tr[2];
	char **argv, forks[32], action[64], *at = NULL;
	const struct irt_ident *who;
	int n = 0, i;

	if ((who = irt_who(f->ctx)) == NULL)
		return irt_fail();
	if (asprintf(&at, "@%s", vars_path) < 0)
		return -1;
	if ((argv = calloc((size_t)a->argc + 16, sizeof *argv)) == NULL) {
		free(at);
		return -1;
	}
	argv[n++] = "ansible-playbook";
	argv[n++] = "-i";
	argv[n++] = (char *)f->inventory;
	if (f->limit != NULL) {
		argv[n++] = "--limit";
		argv[n++] = (char *)f->limit;
	}
	if (irt_args_has(a, "forks")) {
		snprintf(
		    forks, sizeof forks, "%lld", irt_args_int(a, "forks", 5));
		argv[n++] = "--forks";
		argv[n++] = forks;
	}
	argv[n++] = "-e";
	argv[n++] = at;
	for (i = 0; i < a->argc; i++)
		argv[n++] = a->argv[i];
	argv[n++] = f->playbook;
	argv[n] = NULL;
	snprintf(action, sizeof action, "fleet-%s", f->action);
	tr[0].key = "Irt-Fleet-Action";
	tr[0].value = action;
	tr[1].key = "Irt-Inventory-Sha256";
	tr[1].value = f->inv_sha256;
	memset(&o, 0, sizeof o);
	o.message = action;
	o.live = live_output;
	o.arg = f->ctx;
	o.cancel = &irt_interrupted;
	o.trailers = tr;
	o.ntrailers = 2;
	/* Modules sent down the SSH connection rather than copied to a
	 * file first: a third of the connections, and of the time each
	 * host takes.  An ANSIBLE_PIPELINING of the user's, or
	 * ansible_pipelining in the inventory, has the last word. */
	setenv("ANSIBLE_PIPELINING", "True", 0);
	irt_interrupted = 0;
	irt_sigint_install();
	i = irt_run(f->ctx->kase, &r, argv, &o, who);
	free(argv);
	free(at);
	if (i != 0)
		return irt_fail();
	if (r.spawn.not_found) {
		irt_err("ansible-playbook not found: install Ansible "
		        "(ansible-core)");
		return -1;
	}
	memcpy(f->run, r.id, sizeof f->run);
	f->ansible_status = r.exit_code;
	return 0;
}

/*
 * Reads stage/HOST/outcome.json, at most OUTCOME_MAX bytes and without
 * following a link, into b, with its path in *path.  Returns 0; 1 when
 * the playbook left none (*reason says so); -1 when it cannot be read
 * or is longer than any outcome the playbook writes.
 */
static int
outcome_file(struct fleet *f, const char *host, char **path, struct irt_buf *b,
    char **reason)
{
	char chunk[8192];
	ssize_t n;
	int fd;

	if (asprintf(path, "%s/%s/outcome.json", f->stage, host) < 0) {
		*path = NULL;
		return -1;
	}
	fd = open(*path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (asprintf(reason,
		        "no outcome: ansible-playbook stopped before the "
		        "host was done (exit %d)",
		        f->ansible_status) < 0)
			*reason = NULL;
		return 1;
	}
	while ((n = read(fd, chunk, sizeof chunk)) > 0 &&
	    b->len + (size_t)n <= OUTCOME_MAX)
		irt_buf_put(b, chunk, (size_t)n);
	close(fd);
	return n == 0 ? 0 : -1;
}

/* Reads stage/HOST/outcome.json into h: what the playbook says of it. */
static void
read_outcome(struct fleet *f, struct host *h)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_fleet_outcome oc;
	char *path = NULL;

	switch (outcome_file(f, h->name, &path, &b, &h->reason)) {
	case 1:
		h->outcome = strdup("failed");
		goto out;
	case 0:
		if (irt_fleet_outcome_parse(
		        &oc, path, b.ptr ? b.ptr : "", b.len) != 0)
			break;
		h->outcome = oc.outcome;
		h->reason = oc.reason;
		h->expect = oc.expect;
		goto out;
	}
	free(h->outcome);
	h->outcome = strdup("failed");
	free(h->reason);
	h->reason = NULL;
	if (path != NULL &&
	    asprintf(&h->reason, "'%s' is not an outcome the playbook wrote",
	        irt_esc(path)) < 0)
		h->reason = NULL;
out:
	irt_buf_release(&b);
	free(path);
}

/* Imports the archive a host sent; a rejected one stays in the stage. */
static void
import_archive(struct fleet *f, struct host *h)
{
	struct irt_evidence_import_opts o;
	struct irt_evidence_import_result r;
	const struct irt_ident *who = irt_who(f->ctx);
	char *path = NULL, *via = NULL;

	if (asprintf(&path, "%s/%s/%s.tar.gz", f->stage, h->name, h->name) <
	        0 ||
	    asprintf(&via, "ansible/ssh (fleet %s, run %s)", f->id, f->run) <
	        0) {
		free(path);
		return;
	}
	memset(&o, 0, sizeof o);
	o.expect_host = h->expect ? h->expect : h->name;
	o.via = via;
	if (who == NULL ||
	    irt_evidence_import(f->ctx->kase, &r, path, &o, who) != 0) {
		free(h->outcome);
		h->outcome = strdup("rejected");
		free(h->reason);
		h->reason = strdup(irt_error_last());
	} else {
		memcpy(h->evidence, r.id, sizeof h->evidence);
		memcpy(h->sha256, r.sha256, sizeof h->sha256);
		h->count = r.entries;
		h->size = r.size;
		h->verified = true;
		irt_host_hook(f->ctx, r.host, NULL, NULL, "evidence");
	}
	free(path);
	free(via);
}

/* The record of the action in the case. */
static int
record(struct fleet *f, char id[32])
{
	struct irt_fleet_host *v;
	struct irt_fleet_action a;
	const struct irt_ident *who;
	size_t i;
	int rc;

	if ((who = irt_who(f->ctx)) == NULL)
		return -1;
	if ((v = calloc(f->nhosts + 1, sizeof *v)) == NULL)
		return -1;
	for (i = 0; i < f->nhosts; i++) {
		v[i].name = f->hosts[i].name;
		v[i].outcome = f->hosts[i].outcome;
		v[i].reason = f->hosts[i].reason;
		v[i].evidence =
		    f->hosts[i].evidence[0] ? f->hosts[i].evidence : NULL;
		v[i].count = f->hosts[i].count;
		v[i].size = f->hosts[i].size;
		v[i].sha256 = f->hosts[i].sha256[0] ? f->hosts[i].sha256 : NULL;
		v[i].verified = f->hosts[i].verified;
	}
	memset(&a, 0, sizeof a);
	a.id = f->id;
	a.action = f->action;
	a.inventory = f->inventory;
	a.inventory_sha256 = f->inv_sha256;
	a.limit = f->limit;
	a.run = f->run[0] ? f->run : NULL;
	a.ansible_status = f->ansible_status;
	a.hosts = v;
	a.nhosts = f->nhosts;
	rc = irt_fleet_record(f->ctx->kase, id, &a, who);
	free(v);
	return rc;
}

/* The members every summary document of an action starts with, and
 * its hosts array opened. */
static void
summary_head(struct fleet *f, struct irt_jw *w, const char *record_id)
{
	irt_jw_object(w, NULL);
	irt_jw_str(w, "id", record_id);
	irt_jw_str(w, "action", f->action);
	irt_jw_str(w, "run", f->run);
	irt_jw_str(w, "inventory", f->inventory);
	irt_jw_str(w, "inventory_sha256", f->inv_sha256);
	irt_jw_int(w, "ansible_status", f->ansible_status);
	irt_jw_array(w, "hosts");
}

/* The summary: a table, or one JSON document; the failures on stderr. */
static int
summary(struct fleet *f, const char *record_id, const char *count_name)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	size_t i, bad = 0;
	int rc;

	irt_jw_init(&w, &b);
	if (f->ctx->json)
		summary_head(f, &w, record_id);
	else
		irt_buf_printf(&b, "%-20s %-12s %10s %12s  %-64s  %s\n", "HOST",
		    "OUTCOME", count_name, "SIZE", "SHA256", "VERIFIED");
	for (i = 0; i < f->nhosts; i++) {
		const struct host *h = &f->hosts[i];

		bad += strcmp(h->outcome, "ok") != 0;
		if (f->ctx->json) {
			irt_jw_object(&w, NULL);
			irt_jw_str(&w, "host", h->name);
			irt_jw_str(&w, "outcome", h->outcome);
			irt_jw_str(&w, "reason", h->reason);
			irt_jw_str(&w, "evidence",
			    h->evidence[0] ? h->evidence : NULL);
			irt_jw_uint(&w,
			    count_name[0] == 'E' ? "entries" : "hits",
			    h->count);
			irt_jw_uint(&w, "size", h->size);
			irt_jw_str(
			    &w, "sha256", h->sha256[0] ? h->sha256 : NULL);
			irt_jw_bool(&w, "verified", h->verified);
			irt_jw_end(&w);
			continue;
		}
		irt_buf_printf(&b, "%-20s %-12s %10llu %12llu  %-64s  %s\n",
		    irt_esc(h->name), irt_esc(h->outcome),
		    (unsigned long long)h->count, (unsigned long long)h->size,
		    h->sha256[0] ? h->sha256 : "-", h->verified ? "yes" : "no");
	}
	if (f->ctx->json) {
		irt_jw_end(&w);
		irt_jw_end(&w);
		if (irt_jw_line(&w) != 0) {
			irt_buf_release(&b);
			return irt_fail();
		}
	}
	rc = irt_out(&b);
	irt_buf_release(&b);
	for (i = 0; i < f->nhosts; i++)
		if (strcmp(f->hosts[i].outcome, "ok") != 0)
			irt_err("%s: %s: %s", irt_esc(f->hosts[i].name),
			    irt_esc(f->hosts[i].outcome),
			    f->hosts[i].reason ? irt_esc(f->hosts[i].reason)
			                       : "no reason given");
	if (rc == EXIT_OK && bad > 0)
		rc = EXIT_FAIL;
	if (rc == EXIT_OK && f->ansible_status != 0) {
		irt_err("ansible-playbook exited %d (recorded as run %s)",
		    f->ansible_status, f->run);
		rc = EXIT_FAIL;
	}
	return rc;
}

/* What every action does first: the binary, the inventory and its hash,
 * the stage with the playbook and its variables, the hosts. */
static int
prepare(struct fleet *f, struct irt_ctx *ctx, struct irt_args *a,
    const char *action, struct irt_jw *vars, char **vars_path)
{
	const struct irt_ident *who;
	char sha1[41], *author;
	struct stat st;
	size_t i;

	memset(f, 0, sizeof *f);
	f->ctx = ctx;
	f->action = action;
	f->inventory = irt_args_str(a, "inventory", NULL);
	f->limit = irt_args_str(a, "limit", NULL);
	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	if (stat(f->inventory, &st) != 0) {
		irt_err("cannot open inventory '%s': %s", irt_esc(f->inventory),
		    strerror(errno));
		return EXIT_FAIL;
	}
	if (!S_ISREG(st.st_mode)) {
		irt_err("inventory '%s' is not a file", irt_esc(f->inventory));
		return EXIT_FAIL;
	}
	if (irt_sha256_file(f->inv_sha256, f->inventory) != 0)
		return irt_fail();
	if (find_binary(f, irt_args_str(a, "binary", NULL)) != 0)
		return EXIT_FAIL;
	if (sha1_file(sha1, f->binary) != 0) {
		irt_err("cannot read '%s'", irt_esc(f->binary));
		return EXIT_FAIL;
	}
	if ((author = irt_ident_format(who)) == NULL)
		return EXIT_FAIL;
	irt_jw_str(vars, "irt_binary", f->binary);
	irt_jw_str(vars, "irt_binary_sha1", sha1);
	irt_jw_str(vars, "irt_author", author);
	free(author);
	/* the id of the action names its stage */
	if (irt_id_new(f->id) != 0)
		return irt_fail();
	{
		char *dir = NULL;
		if (irt_case_evidence_dir(&dir, ctx->kase) != 0)
			return irt_fail();
		if (asprintf(&f->stage, "%s/fleet-%s", dir, f->id) < 0) {
			f->stage = NULL;
			free(dir);
			return EXIT_FAIL;
		}
		free(dir);
	}
	irt_jw_str(vars, "irt_stage", f->stage);
	irt_jw_str(vars, "irt_run", f->id);
	irt_jw_end(vars);
	if (stage(f, action, vars, vars_path) != 0)
		return EXIT_FAIL;
	if (list_hosts(f) != 0)
		return EXIT_FAIL;
	/* a folder per host, where the playbook writes its outcome */
	for (i = 0; i < f->nhosts; i++) {
		char *d;

		if (asprintf(&d, "%s/%s", f->stage, f->hosts[i].name) < 0)
			return EXIT_FAIL;
		if (mkdir(d, 0750) != 0) {
			irt_err("cannot create '%s': %s", irt_esc(d),
			    strerror(errno));
			free(d);
			return EXIT_FAIL;
		}
		free(d);
	}
	return -1;
}

static int
fleet_collect(struct irt_ctx *ctx, struct irt_args *a)
{
	struct fleet f;
	struct irt_buf vb = IRT_BUF_INIT;
	struct irt_jw vars;
	char *vars_path = NULL, rec[32];
	size_t i;
	int rc;

	irt_jw_init(&vars, &vb);
	irt_jw_object(&vars, NULL);
	irt_jw_str(&vars, "irt_profile", irt_args_str(a, "profile", "triage"));
	if ((rc = prepare(&f, ctx, a, "collect", &vars, &vars_path)) >= 0)
		goto out;
	if (run_playbook(&f, vars_path, a) != 0) {
		rc = EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < f.nhosts; i++) {
		read_outcome(&f, &f.hosts[i]);
		if (f.hosts[i].outcome == NULL) {
			rc = EXIT_FAIL;
			goto out;
		}
		if (strcmp(f.hosts[i].outcome, "ok") == 0)
			import_archive(&f, &f.hosts[i]);
	}
	if (record(&f, rec) != 0) {
		rc = irt_fail();
		goto out;
	}
	rc = summary(&f, rec, "ENTRIES");
out:
	fleet_release(&f);
	irt_buf_release(&vb);
	free(vars_path);
	return rc;
}

/* ---- fleet hunt ---- */

/* What a fleet hunt takes to the hosts: the files, the options of irt
 * hunt that name them there, and what the record says of them. */
struct hunt_inputs {
	struct irt_jw *vars;
	struct irt_jw args; /* irt_hunt_args */
	struct irt_buf argsb;
	struct irt_kv rec;
	size_t n; /* copies so far: in/N/ on the host */
	size_t nrules;
};

/* One file or folder to copy, given to irt hunt there as each option of
 * opts (NULL-ended): src is a path here, or NULL for the case's IOCs
 * (iocs.csv in the stage); name is its last component. */
static int
hunt_input(struct hunt_inputs *in, const char *src, const char *name,
    const char *const *opts)
{
	char dest[64], *there = NULL;
	size_t i;

	snprintf(dest, sizeof dest, "in/%zu/", in->n++);
	if (asprintf(&there, "%s%s", dest, name) < 0)
		return -1;
	irt_jw_object(in->vars, NULL);
	/* the stage is made later: Ansible expands irt_stage */
	irt_jw_str(in->vars, "src", src ? src : "{{ irt_stage }}/iocs.csv");
	irt_jw_str(in->vars, "dest", dest);
	irt_jw_end(in->vars);
	for (i = 0; opts[i] != NULL; i++) {
		irt_jw_str(&in->args, NULL, opts[i]);
		irt_jw_str(&in->args, NULL, there);
	}
	free(there);
	return 0;
}

/* A file or folder the responder gave: it must be there. */
static int
hunt_given(struct hunt_inputs *in, struct irt_args *a, const char *opt)
{
	const char *opts[] = { NULL, NULL };
	char optname[16], key[32], sum[65], *real, *base;
	size_t i, n = irt_args_count(a, opt);
	struct stat st;
	int rc = 0;

	snprintf(optname, sizeof optname, "--%s", opt);
	opts[0] = optname;
	for (i = 0; rc == 0 && i < n; i++) {
		const char *p = irt_args_nth(a, opt, i);
		if ((real = realpath(p, NULL)) == NULL ||
		    stat(real, &st) != 0) {
			irt_err("cannot open '%s': %s", irt_esc(p),
			    strerror(errno));
			free(real);
			return -1;
		}
		if (strcmp(opt, "ioc") == 0 && !S_ISREG(st.st_mode)) {
			irt_err("'%s' is not a file of IOCs", irt_esc(p));
			free(real);
			return -1;
		}
		base = strrchr(real, '/');
		base = base && base[1] ? base + 1 : real;
		rc = hunt_input(in, real, base, opts);
		snprintf(key, sizeof key, "%s-%s", opt,
		    S_ISDIR(st.st_mode) ? "folder" : "file");
		irt_kv_add(&in->rec, key, real);
		if (S_ISREG(st.st_mode) && irt_sha256_file(sum, real) == 0) {
			snprintf(key, sizeof key, "%s-file-sha256", opt);
			irt_kv_add(&in->rec, key, sum);
		}
		in->nrules++;
		free(real);
	}
	return rc;
}

/*
 * The inputs: the case's IOCs exported (CSV) to csv, the case's rules/
 * folder when it holds rules, the --ioc, --sigma and --yara files.
 */
static int
hunt_inputs(struct hunt_inputs *in, struct irt_ctx *ctx, struct irt_args *a,
    struct irt_buf *csv)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	const char *ioc[] = { "--ioc", NULL };
	const char *both[] = { NULL, NULL, NULL };
	char num[32], *rules = NULL;
	size_t k = 0;
	bool sigma, yara;
	int rc = -1;

	if (irt_ioc_load(ctx->kase, &s, false) != 0 ||
	    (s.n > 0 && irt_ioc_export(csv, &s, IRT_IOC_FMT_CSV, NULL) != 0)) {
		irt_ioc_set_release(&s);
		irt_fail();
		return -1;
	}
	snprintf(num, sizeof num, "%zu", s.n);
	irt_kv_add(&in->rec, "source", "live");
	irt_kv_add(&in->rec, "case-iocs", num);
	irt_jw_init(&in->args, &in->argsb);
	irt_jw_array(&in->args, NULL);
	irt_jw_array(in->vars, "irt_inputs");
	if (s.n > 0 && hunt_input(in, NULL, "iocs.csv", ioc) != 0)
		goto out;
	/* the case's rules/, as irt hunt takes them in a case */
	irt_case_rules(ctx, &rules, &sigma, &yara);
	if (sigma)
		both[k++] = "--sigma";
	if (yara)
		both[k++] = "--yara";
	if (k > 0) {
		if (hunt_input(in, rules, "rules", both) != 0)
			goto out;
		irt_kv_add(&in->rec, "rules", "rules");
		in->nrules++;
	}
	if (hunt_given(in, a, "ioc") != 0 || hunt_given(in, a, "sigma") != 0 ||
	    hunt_given(in, a, "yara") != 0)
		goto out;
	irt_jw_end(in->vars);
	irt_jw_end(&in->args);
	irt_jw_raw(in->vars, "irt_hunt_args", irt_buf_cstr(&in->argsb));
	if (s.n == 0 && in->nrules == 0) {
		irt_err("nothing to hunt with: the case has no IOCs nor rules; "
		        "give --ioc FILE, --sigma PATH or --yara PATH");
		goto out;
	}
	rc = 0;
out:
	irt_ioc_set_release(&s);
	free(rules);
	return rc;
}

/* Reads the hits a host sent; a host whose hits do not check is
 * rejected, its file left in the stage. */
static void
read_hits(
    struct fleet *f, struct host *h, struct irt_buf *data, char hunt_id[32])
{
	char *path = NULL;

	if (asprintf(&path, "%s/%s/hits.jsonl", f->stage, h->name) < 0)
		return;
	if (irt_fleet_hits_read(data, &h->count, h->sha256, path,
	        h->expect ? h->expect : h->name) != 0 ||
	    irt_id_new(hunt_id) != 0) {
		free(h->outcome);
		h->outcome = strdup("rejected");
		free(h->reason);
		h->reason = strdup(irt_error_last());
		h->count = 0;
		h->sha256[0] = '\0';
		irt_buf_clear(data);
	} else {
		h->size = data->len;
		h->verified = true;
	}
	free(path);
}

static int
fleet_hunt(struct irt_ctx *ctx, struct irt_args *a)
{
	struct fleet f;
	struct irt_buf vb = IRT_BUF_INIT, csv = IRT_BUF_INIT, *hits = NULL;
	struct irt_jw vars;
	struct hunt_inputs in;
	struct irt_fleet_hunt *hu = NULL;
	struct irt_fleet_host *v = NULL;
	struct irt_fleet_action fa;
	const struct irt_ident *who;
	char *vars_path = NULL, *csv_path = NULL, rec[32], (*ids)[32] = NULL;
	uint64_t total = 0;
	size_t i, nh = 0;
	int rc;

	memset(&f, 0, sizeof f);
	memset(&in, 0, sizeof in);
	in.vars = &vars;
	irt_jw_init(&vars, &vb);
	irt_jw_object(&vars, NULL);
	if (hunt_inputs(&in, ctx, a, &csv) != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = prepare(&f, ctx, a, "hunt", &vars, &vars_path)) >= 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (csv.len > 0 &&
	    (asprintf(&csv_path, "%s/iocs.csv", f.stage) < 0 ||
	        write_new(csv_path, csv.ptr, csv.len) != 0)) {
		irt_fail();
		rc = EXIT_USAGE;
		goto out;
	}
	if (run_playbook(&f, vars_path, a) != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	hits = calloc(f.nhosts + 1, sizeof *hits);
	ids = calloc(f.nhosts + 1, sizeof *ids);
	hu = calloc(f.nhosts + 1, sizeof *hu);
	v = calloc(f.nhosts + 1, sizeof *v);
	if (hits == NULL || ids == NULL || hu == NULL || v == NULL) {
		irt_err("out of memory");
		rc = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < f.nhosts; i++) {
		struct host *h = &f.hosts[i];
		read_outcome(&f, h);
		if (h->outcome == NULL) {
			rc = EXIT_USAGE;
			goto out;
		}
		if (strcmp(h->outcome, "ok") == 0)
			read_hits(&f, h, &hits[i], ids[i]);
		if (strcmp(h->outcome, "ok") == 0) {
			hu[nh].id = ids[i];
			hu[nh].host = h->expect ? h->expect : h->name;
			hu[nh].record = &in.rec;
			hu[nh].hits = hits[i].ptr;
			hu[nh].hits_len = hits[i].len;
			hu[nh].nhits = h->count;
			nh++;
			total += h->count;
		}
	}
	/* the action and each host's hunt, in one commit */
	for (i = 0; i < f.nhosts; i++) {
		v[i].name = f.hosts[i].name;
		v[i].outcome = f.hosts[i].outcome;
		v[i].reason = f.hosts[i].reason;
		v[i].count = f.hosts[i].count;
		v[i].size = f.hosts[i].size;
		v[i].sha256 = f.hosts[i].sha256[0] ? f.hosts[i].sha256 : NULL;
		v[i].verified = f.hosts[i].verified;
		v[i].hunt = ids[i][0] && strcmp(f.hosts[i].outcome, "ok") == 0
		    ? ids[i]
		    : NULL;
	}
	memset(&fa, 0, sizeof fa);
	fa.id = f.id;
	fa.action = f.action;
	fa.inventory = f.inventory;
	fa.inventory_sha256 = f.inv_sha256;
	fa.limit = f.limit;
	fa.run = f.run[0] ? f.run : NULL;
	fa.ansible_status = f.ansible_status;
	fa.hosts = v;
	fa.nhosts = f.nhosts;
	fa.hunts = hu;
	fa.nhunts = nh;
	if ((who = irt_who(ctx)) == NULL ||
	    irt_fleet_record(ctx->kase, rec, &fa, who) != 0) {
		irt_fail();
		rc = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < nh; i++)
		irt_host_hook(ctx, hu[i].host, NULL, NULL, "hunt");
	/* 2 when a host failed: the sweep is not complete; then 0 with a
	 * hit, 1 without */
	rc = summary(&f, rec, "HITS");
	if (rc != EXIT_OK)
		rc = EXIT_USAGE;
	else
		rc = total > 0 ? EXIT_OK : EXIT_FAIL;
out:
	for (i = 0; hits != NULL && i < f.nhosts; i++)
		irt_buf_release(&hits[i]);
	free(hits);
	free(ids);
	free(hu);
	free(v);
	fleet_release(&f);
	irt_kv_release(&in.rec);
	irt_buf_release(&in.argsb);
	irt_buf_release(&vb);
	irt_buf_release(&csv);
	free(csv_path);
	free(vars_path);
	return rc;
}

/* --- irt fleet isolate ------------------------------------------------ */

static const struct irt_opt isolate_opts[] = {
	{ "inventory", 'i', IRT_ARG_PATH, "INVENTORY",
	    "the Ansible inventory file", .flags = IRT_OPT_REQUIRED },
	{ "allow", 0, IRT_ARG_STRING, "ADDR[/LEN][,...]",
	    "more addresses to keep talking to, besides the SSH path",
	    .flags = IRT_OPT_REPEAT },
	{ "confirm-within", 0, IRT_ARG_DURATION, "SECONDS",
	    "the deadline of each host's rollback (required to isolate)",
	    .min = 1, .max = 86400 },
	{ "limit", 'l', IRT_ARG_STRING, "PATTERN",
	    "only the hosts that match, as ansible-playbook --limit" },
	{ "forks", 'f', IRT_ARG_INT, "N", "work on N hosts at a time", .min = 1,
	    .max = 10000 },
	{ "binary", 0, IRT_ARG_PATH, "PATH",
	    "the static irt to copy (default: next to irt, or build-static)" },
	{ NULL },
};

/* The outcome of one host, as irt reads it from the playbook. */
struct iso_host {
	char *outcome;
	char *reason;
	char *isolation;
	char *allow;
	irt_ns deadline;
	const char *state; /* to keep in the case, NULL: unchanged */
};

static int
set_str(char **dst, const char *fmt, const char *a, const char *b)
{
	free(*dst);
	if (asprintf(dst, fmt, a, b) < 0) {
		*dst = NULL;
		return -1;
	}
	return 0;
}

/*
 * Reads stage/HOST/outcome.json and what the host's status says into
 * the outcome of the action verb there.
 */
static int
iso_outcome(
    struct fleet *f, struct host *h, struct iso_host *o, const char *verb)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_fleet_isolate_status s;
	json_tokener *tok = NULL;
	json_object *j = NULL;
	const char *done, *want, *got, *v, *task;
	char *path = NULL;
	int rc = -1, got_file;

	memset(&s, 0, sizeof s);
	got_file = outcome_file(f, h->name, &path, &b, &o->reason);
	if (got_file == 1) {
		o->outcome = strdup("failed");
		rc = o->outcome != NULL ? 0 : -1;
		goto out;
	}
	if (path == NULL || (tok = json_tokener_new()) == NULL)
		goto out;
	if (got_file == 0)
		j = json_tokener_parse_ex(tok, b.ptr ? b.ptr : "", (int)b.len);
	if (j == NULL || !json_object_is_type(j, json_type_object) ||
	    (done = irt_json_get_str(j, "outcome")) == NULL ||
	    (strcmp(done, "done") != 0 && strcmp(done, "failed") != 0 &&
	        strcmp(done, "unreachable") != 0)) {
		o->outcome = strdup("failed");
		rc = set_str(&o->reason,
		    "'%s' is not an outcome the playbook "
		    "wrote%s",
		    irt_esc(path), "");
		goto out;
	}
	if (strcmp(done, "unreachable") == 0) {
		o->outcome = strdup("unreachable");
		v = irt_json_get_str(j, "reason");
		rc = set_str(&o->reason, "reach the host: %s%s",
		    v && *v ? v : "unreachable", "");
		goto out;
	}
	irt_fleet_isolate_status_parse(&s, irt_json_get_str(j, "status"));
	got = irt_fleet_isolate_status_state(&s);
	if (s.id[0] != '\0')
		o->isolation = strdup(s.id);
	if (s.allow != NULL)
		o->allow = strdup(s.allow);
	if (got != NULL && strcmp(got, "applied") == 0)
		o->deadline = s.deadline;
	/* the case keeps what the host says, whatever the action did */
	o->state = got;
	/* lift on a host that rolled back: irt isolate lift removes what
	 * was left and says there was no table; the host is lifted */
	if (strcmp(done, "failed") == 0 && strcmp(verb, "lift") == 0 &&
	    got != NULL && strcmp(got, "lifted") == 0) {
		o->outcome = strdup("lifted");
		rc = 0;
		goto out;
	}
	if (strcmp(done, "failed") == 0) {
		task = irt_json_get_str(j, "task");
		v = irt_json_get_str(j, "reason");
		/* a host that rolled back: why confirm failed */
		o->outcome =
		    strdup(got != NULL && strcmp(got, "rolled-back") == 0
		            ? "rolled-back"
		            : "failed");
		if (got != NULL && strcmp(got, "lifted") == 0)
			o->state = NULL;
		rc = set_str(&o->reason, "%s: %s", task && *task ? task : "?",
		    v && *v ? v : "failed");
		goto out;
	}
	want = strcmp(verb, "apply") == 0  ? "applied"
	    : strcmp(verb, "confirm") == 0 ? "confirmed"
	    : strcmp(verb, "lift") == 0    ? "lifted"
	                                   : NULL;
	if (got != NULL && want == NULL) {
		o->outcome =
		    strdup(strcmp(got, "lifted") == 0 ? "not-isolated" : got);
		rc = 0;
	} else if (got != NULL && strcmp(got, want) == 0) {
		o->outcome = strdup(got);
		rc = 0;
	} else {
		o->outcome = strdup("failed");
		if (!s.valid)
			rc = set_str(&o->reason,
			    "irt isolate status printed nothing irt could "
			    "read%s%s",
			    "", "");
		else
			rc =
			    set_str(&o->reason, "irt isolate status shows %s%s",
			        got != NULL ? got
			            : s.problem != NULL
			            ? irt_esc(s.problem)
			            : "an isolation irt does not manage",
			        want != NULL ? " after the action" : "");
	}
out:
	if (rc == 0 && o->outcome == NULL)
		rc = -1;
	json_object_put(j);
	if (tok != NULL)
		json_tokener_free(tok);
	irt_buf_release(&b);
	free(path);
	irt_fleet_isolate_status_release(&s);
	return rc;
}

/* Removes the stage of an action that ran nothing. */
static void
unstage(struct fleet *f)
{
	char *p;
	size_t i;

	for (i = 0; i < f->nhosts; i++)
		if (asprintf(&p, "%s/%s", f->stage, f->hosts[i].name) >= 0) {
			rmdir(p);
			free(p);
		}
	if (asprintf(&p, "%s/vars.json", f->stage) >= 0) {
		unlink(p);
		free(p);
	}
	if (f->playbook != NULL)
		unlink(f->playbook);
	rmdir(f->stage);
}

static void
no_isolated(const char *inventory, const char *limit, const char *verb)
{
	irt_err("no host of inventory '%s'%s%s%s is %s in this case",
	    irt_esc(inventory), limit ? " matching '" : "",
	    limit ? irt_esc(limit) : "", limit ? "'" : "",
	    strcmp(verb, "confirm") == 0 ? "isolated and unconfirmed"
	                                 : "isolated");
}

/* Whether the case holds a host that verb acts on: -1 to go on, else
 * the exit status, before Ansible is asked anything. */
static int
any_isolated(struct irt_ctx *ctx, struct irt_args *a, const char *verb)
{
	struct irt_fleet_isolation *st;
	size_t n, i, hits = 0;

	if (irt_fleet_isolation_list(&st, &n, ctx->kase) != 0)
		return irt_fail();
	for (i = 0; i < n; i++)
		hits += strcmp(verb, "confirm") == 0
		    ? strcmp(st[i].state, "applied") == 0
		    : irt_fleet_isolation_active(st[i].state);
	irt_fleet_isolation_list_free(st, n);
	if (hits > 0)
		return -1;
	no_isolated(irt_args_str(a, "inventory", ""),
	    irt_args_str(a, "limit", NULL), verb);
	return EXIT_FAIL;
}

/*
 * Keeps the hosts the case holds isolated (for confirm: applied, not yet
 * confirmed), as the --limit of ansible-playbook.
 */
static int
select_isolated(struct fleet *f, const char *verb, char **limit)
{
	struct irt_fleet_isolation *st = NULL;
	struct irt_buf b = IRT_BUF_INIT;
	size_t nst = 0, i, j, keep = 0;
	int rc = -1;

	*limit = NULL;
	if (irt_fleet_isolation_list(&st, &nst, f->ctx->kase) != 0)
		return irt_fail();
	for (i = 0; i < f->nhosts; i++) {
		struct host *h = &f->hosts[i];
		bool take = false;

		for (j = 0; j < nst; j++)
			if (strcmp(st[j].host, h->name) == 0)
				break;
		if (j < nst)
			take = strcmp(verb, "confirm") == 0
			    ? strcmp(st[j].state, "applied") == 0
			    : irt_fleet_isolation_active(st[j].state);
		if (!take) {
			char *p;

			if (asprintf(&p, "%s/%s", f->stage, h->name) >= 0) {
				rmdir(p);
				free(p);
			}
			free(h->name);
			continue;
		}
		f->hosts[keep++] = *h;
		irt_buf_printf(&b, "%s%s", keep > 1 ? "," : "", h->name);
	}
	f->nhosts = keep;
	if (keep == 0) {
		no_isolated(f->inventory, f->limit, verb);
		goto out;
	}
	if ((*limit = strdup(b.ptr)) == NULL)
		goto out;
	rc = 0;
out:
	irt_buf_release(&b);
	irt_fleet_isolation_list_free(st, nst);
	return rc;
}

static int
iso_summary(
    struct fleet *f, struct iso_host *o, const char *rec, const char *verb)
{
	static const char *const want[][2] = { { "apply", "applied" },
		{ "confirm", "confirmed" }, { "lift", "lifted" } };
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	char t[IRT_TIME_MAX];
	size_t i, k, bad = 0;
	int rc;

	irt_jw_init(&w, &b);
	if (f->ctx->json)
		summary_head(f, &w, rec);
	else
		irt_buf_printf(&b, "%-20s %-12s %-24s %-20s  %s\n", "HOST",
		    "OUTCOME", "ISOLATION", "DEADLINE", "ALLOW");
	for (i = 0; i < f->nhosts; i++) {
		const struct iso_host *h = &o[i];
		bool good;

		good = strcmp(h->outcome, "failed") != 0 &&
		    strcmp(h->outcome, "unreachable") != 0;
		for (k = 0; k < sizeof want / sizeof want[0]; k++)
			if (strcmp(verb, want[k][0]) == 0)
				good = strcmp(h->outcome, want[k][1]) == 0;
		bad += !good;
		if (f->ctx->json) {
			irt_jw_object(&w, NULL);
			irt_jw_str(&w, "host", f->hosts[i].name);
			irt_jw_str(&w, "outcome", h->outcome);
			irt_jw_str(&w, "reason", h->reason);
			irt_jw_str(&w, "isolation", h->isolation);
			irt_jw_str(&w, "deadline",
			    h->deadline ? irt_time_format(t, h->deadline, 0)
			                : NULL);
			irt_jw_str(&w, "allow", h->allow);
			irt_jw_str(&w, "state", h->state);
			irt_jw_end(&w);
			continue;
		}
		irt_buf_printf(&b, "%-20s %-12s %-24s %-20s  %s\n",
		    irt_esc(f->hosts[i].name), h->outcome,
		    h->isolation ? h->isolation : "-",
		    h->deadline ? irt_time_format(t, h->deadline, 0) : "-",
		    h->allow ? irt_esc(h->allow) : "-");
	}
	if (f->ctx->json) {
		irt_jw_end(&w);
		irt_jw_end(&w);
		if (irt_jw_line(&w) != 0) {
			irt_buf_release(&b);
			return irt_fail();
		}
	}
	rc = irt_out(&b);
	irt_buf_release(&b);
	for (i = 0; i < f->nhosts; i++)
		if (o[i].reason != NULL)
			irt_err("%s: %s: %s", irt_esc(f->hosts[i].name),
			    o[i].outcome, irt_esc(o[i].reason));
	if (rc == EXIT_OK && bad > 0)
		rc = EXIT_FAIL;
	if (rc == EXIT_OK && f->ansible_status != 0) {
		irt_err("ansible-playbook exited %d (recorded as run %s)",
		    f->ansible_status, f->run);
		rc = EXIT_FAIL;
	}
	return rc;
}

/* Every --allow parses (or resolves) here before any host is touched. */
static int
check_allow(struct irt_args *a)
{
	struct irt_isolate_opts o;
	struct irt_isolate_plan *p;
	const char **allow;
	size_t i;
	int rc;

	memset(&o, 0, sizeof o);
	o.nallow = irt_args_count(a, "allow");
	if (o.nallow == 0)
		return 0;
	if ((allow = calloc(o.nallow + 1, sizeof *allow)) == NULL)
		return -1;
	for (i = 0; i < o.nallow; i++)
		allow[i] = irt_args_nth(a, "allow", i);
	o.allow = allow;
	if ((rc = irt_isolate_plan(&p, &o)) == 0)
		irt_isolate_plan_free(p);
	free(allow);
	return rc;
}

static int
fleet_isolate(struct irt_ctx *ctx, struct irt_args *a)
{
	static const char *const verbs[] = { "confirm", "lift", "status",
		NULL };
	struct fleet f;
	struct iso_host *o = NULL;
	struct irt_fleet_isolate_host *rh = NULL;
	struct irt_fleet_action act;
	struct irt_buf vb = IRT_BUF_INIT;
	struct irt_jw vars;
	const char *verb = "apply", *user_limit = NULL;
	char *vars_path = NULL, *limit = NULL, rec[32], action[32];
	char **argv = a->argv, **orig_argv = a->argv;
	int argc = a->argc, orig_argc = a->argc, rc, i;
	size_t k;

	memset(&f, 0, sizeof f);
	/* irt fleet isolate VERB: the word right after isolate */
	for (i = 0; verbs[i] != NULL && argc > 0; i++)
		if (strcmp(argv[0], verbs[i]) == 0 && a->cmdline[1] != NULL &&
		    strcmp(a->cmdline[1], verbs[i]) == 0) {
			verb = verbs[i];
			argv++;
			argc--;
			break;
		}
	for (i = 0; verbs[i] != NULL && argc > 0 && argv == a->argv; i++)
		if (strcmp(argv[0], verbs[i]) == 0)
			return irt_args_usage(a,
			    "'%s' comes right after 'isolate': irt fleet "
			    "isolate %s -i INVENTORY",
			    verbs[i], verbs[i]);
	if (strcmp(verb, "apply") == 0) {
		if (!irt_args_has(a, "confirm-within"))
			return irt_args_usage(a,
			    "missing --confirm-within "
			    "SECONDS: each host rolls "
			    "back unless confirmed");
		if (check_allow(a) != 0) {
			irt_fail();
			return EXIT_USAGE;
		}
	} else if (irt_args_has(a, "allow") ||
	    irt_args_has(a, "confirm-within"))
		return irt_args_usage(a,
		    "--allow and --confirm-within are for isolating, not %s",
		    verb);
	if (strcmp(verb, "apply") != 0 &&
	    (rc = any_isolated(ctx, a, verb)) >= 0)
		return rc;
	snprintf(action, sizeof action, "isolate%s%s",
	    strcmp(verb, "apply") == 0 ? "" : "-",
	    strcmp(verb, "apply") == 0 ? "" : verb);
	irt_jw_init(&vars, &vb);
	irt_jw_object(&vars, NULL);
	irt_jw_str(&vars, "irt_isolate_action", verb);
	irt_jw_array(&vars, "irt_isolate_args");
	if (strcmp(verb, "apply") == 0) {
		irt_jw_str(&vars, NULL, "--confirm-within");
		irt_jw_str(&vars, NULL, irt_args_str(a, "confirm-within", ""));
		for (k = 0; k < irt_args_count(a, "allow"); k++) {
			irt_jw_str(&vars, NULL, "--allow");
			irt_jw_str(&vars, NULL, irt_args_nth(a, "allow", k));
		}
	}
	irt_jw_end(&vars);
	if ((rc = prepare(&f, ctx, a, "isolate", &vars, &vars_path)) >= 0)
		goto out;
	rc = EXIT_FAIL;
	f.action = action;
	user_limit = f.limit;
	if (strcmp(verb, "apply") != 0) {
		if (select_isolated(&f, verb, &limit) != 0) {
			unstage(&f);
			goto out;
		}
		f.limit = limit;
	}
	/* the operands left are Ansible's */
	a->argv = argv;
	a->argc = argc;
	i = run_playbook(&f, vars_path, a);
	a->argv = orig_argv;
	a->argc = orig_argc;
	if (i != 0)
		goto restore;
	f.limit = user_limit;
	if ((o = calloc(f.nhosts + 1, sizeof *o)) == NULL ||
	    (rh = calloc(f.nhosts + 1, sizeof *rh)) == NULL)
		goto restore;
	for (k = 0; k < f.nhosts; k++) {
		if (iso_outcome(&f, &f.hosts[k], &o[k], verb) != 0)
			goto restore;
		rh[k].name = f.hosts[k].name;
		rh[k].outcome = o[k].outcome;
		rh[k].reason = o[k].reason;
		rh[k].isolation = o[k].isolation;
		rh[k].allow = o[k].allow;
		rh[k].deadline = o[k].deadline;
		rh[k].state = o[k].state;
	}
	memset(&act, 0, sizeof act);
	act.id = f.id;
	act.action = f.action;
	act.inventory = f.inventory;
	act.inventory_sha256 = f.inv_sha256;
	act.limit = f.limit;
	act.run = f.run[0] ? f.run : NULL;
	act.ansible_status = f.ansible_status;
	if (irt_fleet_isolate_record(
	        ctx->kase, rec, &act, rh, f.nhosts, irt_who(ctx)) != 0) {
		rc = irt_fail();
		goto restore;
	}
	rc = iso_summary(&f, o, rec, verb);
restore:
	f.limit = user_limit;
out:
	for (k = 0; o != NULL && k < f.nhosts; k++) {
		free(o[k].outcome);
		free(o[k].reason);
		free(o[k].isolation);
		free(o[k].allow);
	}
	free(o);
	free(rh);
	free(limit);
	fleet_release(&f);
	irt_buf_release(&vb);
	free(vars_path);
	return rc;
}

static const struct irt_subcmd fleet_subcmds[] = {
	{ "collect",
	    "collect every host of an inventory and import the archives",
	    IRT_CMD_NEEDS_CASE | IRT_CMD_JSON, collect_opts,
	    "[-- ANSIBLE-ARGS]", 0, -1, fleet_collect, "-" },
	{ "hunt",
	    "hunt the case's IOCs and rules on every host of an inventory",
	    IRT_CMD_NEEDS_CASE | IRT_CMD_JSON, hunt_opts, "[-- ANSIBLE-ARGS]",
	    0, -1, fleet_hunt, "-" },
	{ "isolate",
	    "isolate every host of an inventory; confirm, lift, status",
	    IRT_CMD_NEEDS_CASE | IRT_CMD_JSON, isolate_opts,
	    "[confirm | lift | status] [-- ANSIBLE-ARGS]", 0, -1, fleet_isolate,
	    "-" },
	{ NULL },
};

const struct irt_cmd irt_cmd_fleet = {
	.name = "fleet",
	.summary = "collect, hunt and isolate across many hosts with Ansible",
	.subcmds = fleet_subcmds,
};
