/*
 * Stacking a field across the hosts of a case (irt-stack(1)): the values
 * of one field read from every evidence archive, counted by host.
 *
 * An archive is read once, as a stream, without extracting: its
 * irt/host.json names the host, fs/etc/hostname must not contradict it,
 * and the members the field is read from (live outputs, collected files,
 * the manifest) give the values.  Nothing of an archive is counted until
 * all of it has been read and its host checked.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>

#include "irt/buf.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "irt/host.h"
#include "irt/stack.h"
#include "irt/json.h"

/* Longest line of a member read; a longer one is cut there. */
#define LINE_MAX_LEN (64 * 1024)
/* irt/host.json is small; a bigger one is not irt's */
#define HOST_JSON_MAX (64 * 1024)
/* Values one archive may give (a manifest of a million SUID files is
 * not a host, it is an attack on the reader). */
#define VALUES_MAX 1000000

static const struct {
	const char *name, *help;
} fields[IRT_STACK_NFIELDS] = {
	[IRT_STACK_PROCESS_HASH] = { "process-hash",
	    "executables of running processes with their SHA-256 "
	    "(live/processes.jsonl)" },
	[IRT_STACK_LISTENING_PORT] = { "listening-port",
	    "TCP ports listened on and UDP ports bound (live/sockets.jsonl)" },
	[IRT_STACK_AUTHORIZED_KEY] = { "authorized-key",
	    "entries of root's and users' ~/.ssh/authorized_keys files" },
	[IRT_STACK_CRON] = { "cron",
	    "lines of /etc/crontab, /etc/anacrontab, /etc/cron.d and "
	    "/var/spool/cron, scripts of /etc/cron.*" },
	[IRT_STACK_SYSTEMD_UNIT] = { "systemd-unit",
	    "unit files and links of the systemd unit folders, with their "
	    "SHA-256 (manifest)" },
	[IRT_STACK_KERNEL_MODULE] = { "kernel-module",
	    "loaded kernel modules (live/lsmod.txt)" },
	[IRT_STACK_SUID] = { "suid",
	    "set-user-ID and set-group-ID files the collection walked, with "
	    "their SHA-256 (manifest)" },
};

const char *
irt_stack_field_name(enum irt_stack_field f)
{
	return (unsigned)f < IRT_STACK_NFIELDS ? fields[f].name : NULL;
}

const char *
irt_stack_field_help(enum irt_stack_field f)
{
	return (unsigned)f < IRT_STACK_NFIELDS ? fields[f].help : NULL;
}

int
irt_stack_field_parse(enum irt_stack_field *out, const char *s)
{
	struct irt_buf b = IRT_BUF_INIT;
	int i, rc;

	for (i = 0; i < IRT_STACK_NFIELDS; i++)
		if (strcmp(s, fields[i].name) == 0) {
			*out = (enum irt_stack_field)i;
			return 0;
		}
	for (i = 0; i < IRT_STACK_NFIELDS; i++)
		irt_buf_printf(&b, "%s%s", i ? ", " : "", fields[i].name);
	rc = irt_error_set(IRT_EINVAL, "unknown field '%s' (fields: %s)",
	    irt_esc(s), irt_buf_cstr(&b));
	irt_buf_release(&b);
	return rc;
}

/* ---- counting ---- */

struct shost {
	char *name;
	bool collected;
};

struct pair {
	char *value;
	size_t host;
};

struct irt_stack {
	enum irt_stack_field field;
	struct shost *hosts;
	size_t nhosts, hcap;
	struct pair *pairs;
	size_t npairs, pcap;
	/* the result, rebuilt on demand */
	bool dirty;
	struct irt_stack_row *rows;
	size_t nrows;
	const char **rowhosts;
	const char **nc; /* not collected, NULL-terminated */
	size_t nnc;
};

int
irt_stack_new(struct irt_stack **out, enum irt_stack_field f)
{
	if ((unsigned)f >= IRT_STACK_NFIELDS)
		return irt_error_set(IRT_EINVAL, "no such field");
	if ((*out = calloc(1, sizeof **out)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	(*out)->field = f;
	(*out)->dirty = true;
	return 0;
}

static void
result_release(struct irt_stack *s)
{
	free(s->rows);
	free(s->rowhosts);
	free(s->nc);
	s->rows = NULL;
	s->rowhosts = NULL;
	s->nc = NULL;
	s->nrows = s->nnc = 0;
}

void
irt_stack_free(struct irt_stack *s)
{
	size_t i;

	if (s == NULL)
		return;
	result_release(s);
	for (i = 0; i < s->npairs; i++)
		free(s->pairs[i].value);
	for (i = 0; i < s->nhosts; i++)
		free(s->hosts[i].name);
	free(s->pairs);
	free(s->hosts);
	free(s);
}

size_t
irt_stack_nhosts(const struct irt_stack *s)
{
	return s->nhosts;
}

/* The index of host, added when new. */
static int
host_index(struct irt_stack *s, size_t *out, const char *host)
{
	size_t i;

	/* archives come one host at a time: the last one first */
	for (i = s->nhosts; i-- > 0;)
		if (strcmp(s->hosts[i].name, host) == 0) {
			*out = i;
			return 0;
		}
	if (s->nhosts == s->hcap) {
		size_t cap = s->hcap ? s->hcap * 2 : 16;
		struct shost *v = realloc(s->hosts, cap * sizeof *v);
		if (v == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		s->hosts = v;
		s->hcap = cap;
	}
	if ((s->hosts[s->nhosts].name = strdup(host)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	s->hosts[s->nhosts].collected = false;
	*out = s->nhosts++;
	return 0;
}

int
irt_stack_host(struct irt_stack *s, const char *host, bool collected)
{
	size_t h;
	int rc;

	if ((rc = host_index(s, &h, host)) != 0)
		return rc;
	if (collected)
		s->hosts[h].collected = true;
	s->dirty = true;
	return 0;
}

int
irt_stack_add(struct irt_stack *s, const char *host, const char *value)
{
	size_t h;
	int rc;

	if ((rc = host_index(s, &h, host)) != 0)
		return rc;
	s->hosts[h].collected = true;
	if (s->npairs == s->pcap) {
		size_t cap = s->pcap ? s->pcap * 2 : 256;
		struct pair *v = realloc(s->pairs, cap * sizeof *v);
		if (v == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		s->pairs = v;
		s->pcap = cap;
	}
	if ((s->pairs[s->npairs].value = strdup(value)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	s->pairs[s->npairs++].host = h;
	s->dirty = true;
	return 0;
}

/* qsort has no context: the hosts of the stack being sorted */
static _Thread_local const struct shost *sort_hosts;

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->value, y->value);

	return c ? c
	         : strcmp(sort_hosts[x->host].name, sort_hosts[y->host].name);
}

static int
row_cmp(const void *a, const void *b)
{
	const struct irt_stack_row *x = a, *y = b;

	if (x->nhosts != y->nhosts)
		return x->nhosts < y->nhosts ? -1 : 1;
	return strcmp(x->value, y->value);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
build(struct irt_stack *s)
{
	size_t i, j, k;

	result_release(s);
	sort_hosts = s->hosts;
	if (s->npairs > 1)
		qsort(s->pairs, s->npairs, sizeof *s->pairs, pair_cmp);
	/* the same value twice for a host (two archives, two lines) is
	 * one */
	for (i = j = 0; i < s->npairs; i++) {
		if (j > 0 && s->pairs[i].host == s->pairs[j - 1].host &&
		    strcmp(s->pairs[i].value, s->pairs[j - 1].value) == 0) {
			free(s->pairs[i].value);
			continue;
		}
		s->pairs[j++] = s->pairs[i];
	}
	s->npairs = j;
	if ((s->rows = calloc(s->npairs + 1, sizeof *s->rows)) == NULL ||
	    (s->rowhosts = calloc(s->npairs + 1, sizeof *s->rowhosts)) ==
	        NULL ||
	    (s->nc = calloc(s->nhosts + 1, sizeof *s->nc)) == NULL) {
		result_release(s);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	for (i = 0; i < s->npairs; i = k) {
		struct irt_stack_row *r = &s->rows[s->nrows++];
		r->value = s->pairs[i].value;
		r->hosts = &s->rowhosts[i];
		for (k = i; k < s->npairs &&
		     strcmp(s->pairs[k].value, s->pairs[i].value) == 0;
		     k++)
			s->rowhosts[k] = s->hosts[s->pairs[k].host].name;
		r->nhosts = k - i;
	}
	if (s->nrows > 1)
		qsort(s->rows, s->nrows, sizeof *s->rows, row_cmp);
	for (i = 0; i < s->nhosts; i++)
		if (!s->hosts[i].collected)
			s->nc[s->nnc++] = s->hosts[i].name;
	if (s->nnc > 1)
		qsort(s->nc, s->nnc, sizeof *s->nc, str_cmp);
	s->dirty = false;
	return 0;
}

int
irt_stack_rows(
    struct irt_stack *s, const struct irt_stack_row **rows, size_t *nrows)
{
	int rc;

	if (s->dirty && (rc = build(s)) != 0)
		return rc;
	*rows = s->rows;
	*nrows = s->nrows;
	return 0;
}

const char *const *
irt_stack_not_collected(struct irt_stack *s, size_t *n)
{
	if (s->dirty && build(s) != 0) {
		*n = 0;
		return NULL;
	}
	*n = s->nnc;
	return s->nc;
}

/* ---- reading an archive ---- */

/* What one pass over an archive found. */
struct rd {
	enum irt_stack_field field;
	const char *path; /* the archive, for messages */
	struct irt_buf hostjson;
	int nhostjson;
	bool hostjson_cut;  /* the archive is damaged inside it */
	char *etc_hostname; /* first word of fs/etc/hostname */
	bool collected;
	char **values;
	size_t nvalues, cap;
	const char *member; /* the member being read */
	unsigned long lineno;
	char *user; /* authorized-key: the owner of the file */
};

static int rd_value(struct rd *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
rd_value(struct rd *r, const char *fmt, ...)
{
	va_list ap;
	char *v;
	int n;

	if (r->nvalues >= VALUES_MAX)
		return irt_error_set(IRT_EPARSE,
		    "'%s': more than %d values for %s, archive refused",
		    irt_esc(r->path), VALUES_MAX, fields[r->field].name);
	va_start(ap, fmt);
	n = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (n < 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if (r->nvalues == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		char **nv = realloc(r->values, cap * sizeof *nv);
		if (nv == NULL) {
			free(v);
			return irt_error_set(IRT_ENOMEM, "out of memory");
		}
		r->values = nv;
		r->cap = cap;
	}
	r->values[r->nvalues++] = v;
	return 0;
}

static void
rd_release(struct rd *r)
{
	size_t i;

	for (i = 0; i < r->nvalues; i++)
		free(r->values[i]);
	free(r->values);
	free(r->etc_hostname);
	free(r->user);
	irt_buf_release(&r->hostjson);
}

typedef int (*line_fn)(struct rd *r, char *line, size_t len);

/* Calls fn for every line of the current member, NUL-terminated, without
 * its newline; a line longer than LINE_MAX_LEN is cut there. */
static int
each_line(struct archive *a, struct rd *r, line_fn fn)
{
	char *line, buf[16384];
	size_t len = 0;
	bool cut = false;
	la_ssize_t n;
	int rc = 0;

	if ((line = malloc(LINE_MAX_LEN + 1)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	r->lineno = 0;
	while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
		for (la_ssize_t i = 0; i < n && rc == 0; i++) {
			if (buf[i] == '\n') {
				line[len] = '\0';
				r->lineno++;
				rc = fn(r, line, len);
				len = 0;
				cut = false;
			} else if (len < LINE_MAX_LEN)
				line[len++] = buf[i];
			else
				cut = true;
		}
		if (rc != 0)
			break;
	}
	(void)cut;
	if (rc == 0 && n < 0)
		rc = irt_error_set(IRT_EIO, "'%s': '%s': %s", irt_esc(r->path),
		    irt_esc(r->member),
		    archive_error_string(a) ? archive_error_string(a)
		                            : "read error");
	if (rc == 0 && len > 0) {
		line[len] = '\0';
		r->lineno++;
		rc = fn(r, line, len);
	}
	free(line);
	return rc;
}

/* The text of a line with blanks and a CR trimmed at both ends; NULL
 * for an empty line or a comment. */
static char *
content(char *line, size_t len)
{
	while (len > 0 &&
	    (line[len - 1] == '\r' || line[len - 1] == ' ' ||
	        line[len - 1] == '\t'))
		line[--len] = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '\0' || *line == '#')
		return NULL;
	return line;
}

static bool
hex64(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 64)
		return false;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		        (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int
on_process(struct rd *r, char *line, size_t len)
{
	json_object *o = irt_json_object(line, len);
	const char *exe, *sha;
	int rc = 0;

	if (o == NULL)
		return 0;
	exe = irt_json_get_str(o, "exe");
	sha = irt_json_get_str(o, "exe_sha256");
	/* kernel threads have no executable */
	if (exe != NULL)
		rc = rd_value(r, "%s %s", exe, hex64(sha) ? sha : "-");
	json_object_put(o);
	return rc;
}

static int
on_socket(struct rd *r, char *line, size_t len)
{
	json_object *o = irt_json_object(line, len), *v;
	const char *proto, *state;
	int64_t port;
	int rc = 0;

	if (o == NULL)
		return 0;
	proto = irt_json_get_str(o, "proto");
	state = irt_json_get_str(o, "state");
	if (proto != NULL && state != NULL &&
	    json_object_object_get_ex(o, "lport", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    (port = json_object_get_int64(v)) > 0 && port <= 65535) {
		if (strncmp(proto, "tcp", 3) == 0 &&
		    strcmp(state, "LISTEN") == 0)
			rc = rd_value(r, "tcp/%d", (int)port);
		else if (strncmp(proto, "udp", 3) == 0 &&
		    strcmp(state, "UNCONN") == 0)
			rc = rd_value(r, "udp/%d", (int)port);
	}
	json_object_put(o);
	return rc;
}

static int
on_lsmod(struct rd *r, char *line, size_t len)
{
	size_t n;

	(void)len;
	/* the header */
	if (r->lineno == 1 && strncmp(line, "Module ", 7) == 0)
		return 0;
	n = strcspn(line, " \t");
	if (n == 0)
		return 0;
	line[n] = '\0';
	return rd_value(r, "%s", line);
}

static int
on_key(struct rd *r, char *line, size_t len)
{
	const char *c = content(line, len);

	return c ? rd_value(r, "%s: %s", r->user, c) : 0;
}

static int
on_cron(struct rd *r, char *line, size_t len)
{
	const char *c = content(line, len);

	/* the member under fs/ is the path on the host */
	return c ? rd_value(r, "%s: %s", r->member + 2, c) : 0;
}

static bool
under(const char *path, const char *dir)
{
	return strncmp(path, dir, strlen(dir)) == 0;
}

static const char *const unit_dirs[] = { "/etc/systemd/system/",
	"/etc/systemd/user/", "/run/systemd/system/",
	"/usr/lib/systemd/system/", "/usr/lib/systemd/user/",
	"/lib/systemd/system/", "/lib/systemd/user/",
	"/usr/local/lib/systemd/system/", "/root/.config/systemd/user/", NULL };

static const char *const unit_types[] = { ".service", ".socket", ".timer",
	".path", ".mount", ".automount", ".swap", ".target", ".slice", ".scope",
	".device", NULL };

static bool
unit_dir(const char *p)
{
	const char *s;
	size_t i;

	for (i = 0; unit_dirs[i]; i++)
		if (under(p, unit_dirs[i]))
			return true;
	/* /home/USER/.config/systemd/user/ */
	if (under(p, "/home/") && (s = strchr(p + 6, '/')) != NULL &&
	    under(s, "/.config/systemd/user/"))
		return true;
	return false;
}

static bool
unit_file(const char *p)
{
	const char *base = strrchr(p, '/'), *dot;
	size_t i;

	if (!unit_dir(p) || base == NULL || (dot = strrchr(base, '.')) == NULL)
		return false;
	for (i = 0; unit_types[i]; i++)
		if (strcmp(dot, unit_types[i]) == 0)
			return true;
	return false;
}

/* The folders cron reads, on the host. */
static bool
cron_scope(const char *p)
{
	return under(p, "/etc/") || under(p, "/var/spool/cron/");
}

static bool
cron_file(const char *p)
{
	return strcmp(p, "/etc/crontab") == 0 ||
	    strcmp(p, "/etc/anacrontab") == 0 || under(p, "/etc/cron.d/") ||
	    under(p, "/var/spool/cron/");
}

/* /etc/cron.daily/NAME and its kin: the scripts run-parts runs */
static bool
cron_script(const char *p)
{
	static const char *const d[] = { "/etc/cron.hourly/",
		"/etc/cron.daily/", "/etc/cron.weekly/", "/etc/cron.monthly/",
		NULL };
	size_t i;

	for (i = 0; d[i]; i++)
		if (under(p, d[i]) && strchr(p + strlen(d[i]), '/') == NULL &&
		    p[strlen(d[i])] != '.')
			return true;
	return false;
}

static bool
key_scope(const char *p)
{
	return under(p, "/root/") || under(p, "/home/");
}

/* The owner of an authorized_keys file, or NULL when p is not one:
 * /root/.ssh/authorized_keys* or /home/USER/.ssh/authorized_keys*. */
static char *
key_user(const char *p)
{
	const char *u, *s;

	if (under(p, "/root/.ssh/authorized_keys") &&
	    strchr(p + 11, '/') == NULL)
		return strdup("root");
	if (!under(p, "/home/"))
		return NULL;
	u = p + 6;
	if ((s = strchr(u, '/')) == NULL || s == u ||
	    !under(s, "/.ssh/authorized_keys") || strchr(s + 6, '/') != NULL)
		return NULL;
	return strndup(u, (size_t)(s - u));
}

/* A line of irt/manifest.jsonl: what was walked, with modes and hashes. */
static int
on_manifest(struct rd *r, char *line, size_t len)
{
	json_object *o = irt_json_object(line, len);
	const char *path, *type, *mode, *sha, *target;
	unsigned long m;
	int rc = 0;

	if (o == NULL)
		return 0;
	path = irt_json_get_str(o, "path");
	type = irt_json_get_str(o, "type");
	mode = irt_json_get_str(o, "mode");
	sha = irt_json_get_str(o, "sha256");
	target = irt_json_get_str(o, "target");
	if (path == NULL || type == NULL || path[0] != '/')
		goto out;
	switch (r->field) {
	case IRT_STACK_SUID:
		r->collected = true;
		if (strcmp(type, "file") == 0 && mode != NULL &&
		    (m = strtoul(mode, NULL, 8)) & 06000)
			rc = rd_value(r, "%s %04lo %s", path, m & 07777,
			    hex64(sha) ? sha : "-");
		break;
	case IRT_STACK_SYSTEMD_UNIT:
		if (unit_dir(path))
			r->collected = true;
		if (!unit_file(path))
			break;
		if (strcmp(type, "symlink") == 0)
			rc = rd_value(
			    r, "%s -> %s", path, target ? target : "?");
		else if (strcmp(type, "file") == 0)
			rc = rd_value(r, "%s %s", path, hex64(sha) ? sha : "-");
		break;
	case IRT_STACK_CRON:
		if (cron_scope(path))
			r->collected = true;
		if (strcmp(type, "file") == 0 && cron_script(path))
			rc = rd_value(r, "%s", path);
		break;
	case IRT_STACK_AUTHORIZED_KEY:
		if (key_scope(path))
			r->collected = true;
		break;
	default:
		break;
	}
out:
	json_object_put(o);
	return rc;
}

static int
on_hostname(struct rd *r, char *line, size_t len)
{
	const char *c;

	if (r->etc_hostname != NULL)
		return 0;
	if ((c = content(line, len)) == NULL)
		return 0;
	if ((r->etc_hostname = strndup(c, strcspn(c, " \t"))) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	return 0;
}

static int
read_host_json(struct archive *a, struct rd *r)
{
	char buf[8192];
	la_ssize_t n;

	r->nhostjson++;
	irt_buf_clear(&r->hostjson);
	while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
		if (r->hostjson.len + (size_t)n > HOST_JSON_MAX)
			return irt_error_set(IRT_EPARSE,
			    "'%s': irt/host.json is larger than %d bytes",
			    irt_esc(r->path), HOST_JSON_MAX);
		if (irt_buf_put(&r->hostjson, buf, (size_t)n) != 0)
			return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	if (n < 0) {
		r->hostjson_cut = true;
		return irt_error_set(IRT_EIO, "'%s': irt/host.json: %s",
		    irt_esc(r->path),
		    archive_error_string(a) ? archive_error_string(a)
		                            : "read error");
	}
	return 0;
}

/* Reads a member for the field, when it is one the field reads. */
static int
read_member(struct archive *a, struct rd *r, const char *pn)
{
	const char *hp = strncmp(pn, "fs/", 3) == 0 ? pn + 2 : NULL;
	int rc;

	r->member = pn;
	if (strcmp(pn, "irt/host.json") == 0)
		return read_host_json(a, r);
	if (hp != NULL && strcmp(hp, "/etc/hostname") == 0)
		return each_line(a, r, on_hostname);
	if (strcmp(pn, "irt/manifest.jsonl") == 0 &&
	    (r->field == IRT_STACK_SUID || r->field == IRT_STACK_SYSTEMD_UNIT ||
	        r->field == IRT_STACK_CRON ||
	        r->field == IRT_STACK_AUTHORIZED_KEY))
		return each_line(a, r, on_manifest);
	switch (r->field) {
	case IRT_STACK_PROCESS_HASH:
		if (strcmp(pn, "live/processes.jsonl") != 0)
			return 0;
		r->collected = true;
		return each_line(a, r, on_process);
	case IRT_STACK_LISTENING_PORT:
		if (strcmp(pn, "live/sockets.jsonl") != 0)
			return 0;
		r->collected = true;
		return each_line(a, r, on_socket);
	case IRT_STACK_KERNEL_MODULE:
		if (strcmp(pn, "live/lsmod.txt") != 0)
			return 0;
		r->collected = true;
		return each_line(a, r, on_lsmod);
	case IRT_STACK_AUTHORIZED_KEY:
		if (hp == NULL || (r->user = key_user(hp)) == NULL)
			return 0;
		r->collected = true;
		rc = each_line(a, r, on_key);
		free(r->user);
		r->user = NULL;
		return rc;
	case IRT_STACK_CRON:
		if (hp == NULL || !cron_file(hp))
			return 0;
		r->collected = true;
		return each_line(a, r, on_cron);
	default:
		return 0;
	}
}

/* Reads the archive at path: its host.json, its fs/etc/hostname, and
 * the values of the field. */
static int
read_archive(struct rd *r, const char *path)
{
	struct archive *a = NULL;
	struct archive_entry *ae;
	struct stat st;
	int fd, rc = 0, x;

	fd = open(
	    path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOATIME);
	if (fd == -1 && errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(path));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return irt_error_set(
		    IRT_EINVAL, "'%s' is not a regular file", irt_esc(path));
	}
	if ((a = archive_read_new()) == NULL) {
		close(fd);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		rc = irt_error_set(IRT_EIO, "'%s': not an archive: %s",
		    irt_esc(path),
		    archive_error_string(a) ? archive_error_string(a)
		                            : "read error");
		goto out;
	}
	while ((x = archive_read_next_header(a, &ae)) != ARCHIVE_EOF) {
		const char *pn;
		if (x < ARCHIVE_WARN) {
			rc = irt_error_set(IRT_EIO, "'%s': corrupt archive: %s",
			    irt_esc(path),
			    archive_error_string(a) ? archive_error_string(a)
			                            : "read error");
			break;
		}
		if (archive_entry_filetype(ae) != AE_IFREG ||
		    (pn = archive_entry_pathname(ae)) == NULL)
			continue;
		while (pn[0] == '.' && pn[1] == '/')
			pn += 2;
		if ((rc = read_member(a, r, pn)) != 0)
			break;
		/* the host alone: done once both names are read */
		if (r->field == IRT_STACK_NFIELDS && r->nhostjson > 0 &&
		    r->etc_hostname != NULL)
			break;
	}
out:
	archive_read_free(a);
	close(fd);
	return rc;
}

/* The first label of a host name, lowercased, for comparing a name as
 * gethostname gives it with /etc/hostname. */
static size_t
short_name(char *out, size_t size, const char *name)
{
	size_t i;

	for (i = 0; i + 1 < size && name[i] && name[i] != '.'; i++)
		out[i] = (char)(name[i] >= 'A' && name[i] <= 'Z'
		        ? name[i] + ('a' - 'A')
		        : name[i]);
	out[i] = '\0';
	return i;
}

/* The host named by what read_archive found, checked. */
static int
rd_host(char **out, struct rd *r)
{
	json_tokener *t;
	json_object *o = NULL;
	const char *name;
	char a[256], b[256];
	int rc = 0;

	*out = NULL;
	if (r->nhostjson == 0)
		return irt_error_set(IRT_ENOTFOUND,
		    "'%s': no irt/host.json: not an archive of irt collect",
		    irt_esc(r->path));
	if (r->nhostjson > 1)
		return irt_error_set(IRT_EPARSE,
		    "'%s': irt/host.json is in the archive %d times",
		    irt_esc(r->path), r->nhostjson);
	if ((t = json_tokener_new()) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	o = json_tokener_parse_ex(
	    t, r->hostjson.ptr ? r->hostjson.ptr : "", (int)r->hostjson.len);
	if (o == NULL || json_tokener_get_error(t) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object)) {
		rc = irt_error_set(IRT_EPARSE,
		    "'%s': irt/host.json is not a JSON object",
		    irt_esc(r->path));
		goto out;
	}
	if ((name = irt_json_get_str(o, "hostname")) == NULL) {
		rc = irt_error_set(IRT_EPARSE,
		    "'%s': irt/host.json names no host", irt_esc(r->path));
		goto out;
	}
	if (strlen(name) !=
	        (size_t)json_object_get_string_len(
	            json_object_object_get(o, "hostname")) ||
	    irt_host_check_name(name) != 0) {
		rc = irt_error_set(IRT_EPARSE,
		    "'%s': irt/host.json: bad host name '%s'", irt_esc(r->path),
		    irt_esc(name));
		goto out;
	}
	/* the archive's own /etc/hostname must not name another host */
	if (r->etc_hostname != NULL && r->etc_hostname[0] != '\0') {
		short_name(a, sizeof a, name);
		short_name(b, sizeof b, r->etc_hostname);
		if (strcmp(a, b) != 0) {
			rc = irt_error_set(IRT_EPARSE,
			    "'%s': irt/host.json names '%s' but "
			    "fs/etc/hostname "
			    "says '%s'",
			    irt_esc(r->path), irt_esc(name),
			    irt_esc(r->etc_hostname));
			goto out;
		}
	}
	if ((*out = strdup(name)) == NULL)
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
out:
	if (o != NULL)
		json_object_put(o);
	json_tokener_free(t);
	return rc;
}

int
irt_archive_host(char **out, const char *path)
{
	struct rd r;
	int rc;

	memset(&r, 0, sizeof r);
	/* no field: only host.json and fs/etc/hostname are read */
	r.field = IRT_STACK_NFIELDS;
	r.path = path;
	*out = NULL;
	rc = read_archive(&r, path);
	/* damaged after its irt/host.json: that names the host */
	if (rc == IRT_EIO && r.nhostjson > 0 && !r.hostjson_cut)
		rc = 0;
	if (rc == 0)
		rc = rd_host(out, &r);
	rd_release(&r);
	return rc;
}

int
irt_stack_add_archive(struct irt_stack *s, char **host_out, const char *path,
    const char *expect_host)
{
	struct rd r;
	char *host = NULL;
	size_t i;
	int rc;

	if (host_out != NULL)
		*host_out = NULL;
	memset(&r, 0, sizeof r);
	r.field = s->field;
	r.path = path;
	if ((rc = read_archive(&r, path)) != 0 ||
	    (rc = rd_host(&host, &r)) != 0)
		goto out;
	if (expect_host != NULL && strcmp(expect_host, host) != 0) {
		rc = irt_error_set(IRT_EPARSE,
		    "'%s': irt/host.json names '%s' but its custody record "
		    "says '%s'",
		    irt_esc(path), irt_esc(host), irt_esc(expect_host));
		goto out;
	}
	if ((rc = irt_stack_host(s, host, r.collected)) != 0)
		goto out;
	for (i = 0; i < r.nvalues && rc == 0; i++)
		rc = irt_stack_add(s, host, r.values[i]);
	if (rc == 0 && host_out != NULL) {
		*host_out = host;
		host = NULL;
	}
out:
	free(host);
	rd_release(&r);
	return rc;
}
