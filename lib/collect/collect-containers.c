/*
 * The containers builtin: the containers of Docker, Podman and
 * containerd, read from the files they keep on the host rather than asked
 * of daemons the intruder may have replaced.
 *
 *   Docker      /var/lib/docker/containers/ID/config.v2.json, with
 *               hostconfig.json beside it
 *   Podman      storage/overlay-containers/containers.json of
 *               /var/lib/containers and of ~/.local/share/containers of
 *               every home, with each container's OCI config.json in
 *               overlay-containers/ID/userdata/
 *   containerd  the OCI bundles of its tasks,
 *               /run/containerd/io.containerd.runtime.v2.task/NS/ID/
 *               (config.json, init.pid), and the v1 runtime's
 *
 * One JSON object per container (irt-profile(5)); a file that cannot be
 * read or parsed is one object with its error, and the rest goes on.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "collect-int.h"
#include "util/internal.h"
#include "irt/error.h"
#include "irt/json.h"
#include "irt/timefmt.h"

#define CONFIG_MAX (16u << 20) /* a config file bigger than this is refused */
#define JSON_DEPTH 64
#define DIR_MAX 4096u /* entries read of one folder */

/* ---- JSON helpers ---- */

struct json_object *
irt_ctr_json_parse(const char *text, size_t len, struct irt_buf *why)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error e;
	size_t end, i;

	irt_buf_clear(why);
	if (len > CONFIG_MAX || len > INT_MAX) {
		irt_buf_printf(why, "larger than %u bytes", CONFIG_MAX);
		return NULL;
	}
	if ((tok = json_tokener_new_ex(JSON_DEPTH)) == NULL) {
		irt_buf_puts(why, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, text, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (o == NULL) {
		irt_buf_printf(why, "invalid JSON at offset %zu: %s", end,
		    e == json_tokener_continue ? "unexpected end"
		                               : json_tokener_error_desc(e));
		return NULL;
	}
	for (i = end; i < len; i++)
		if (strchr(" \t\r\n", text[i]) == NULL || text[i] == '\0') {
			irt_buf_printf(why,
			    "invalid JSON at offset %zu: trailing data", i);
			json_object_put(o);
			return NULL;
		}
	return o;
}

static struct json_object *
get(struct json_object *o, const char *key, enum json_type t)
{
	struct json_object *x;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &x) ||
	    !json_object_is_type(x, t))
		return NULL;
	return x;
}

/* A string member: its text and length, NULL when missing or not one. */
static const char *
gets(struct json_object *o, const char *key, size_t *len)
{
	struct json_object *x = get(o, key, json_type_string);

	*len = x ? (size_t)json_object_get_string_len(x) : 0;
	return x ? json_object_get_string(x) : NULL;
}

static int
getb(struct json_object *o, const char *key)
{
	struct json_object *x = get(o, key, json_type_boolean);

	return x ? json_object_get_boolean(x) != 0 : -1;
}

static void
jw_strn(struct irt_jw *w, const char *key, const char *s, size_t n)
{
	if (s == NULL)
		irt_jw_null(w, key);
	else
		irt_jw_strn(w, key, s, n);
}

/* A JSON string member copied as it is, or null. */
static void
jw_member(struct irt_jw *w, const char *key, struct json_object *o,
    const char *member)
{
	size_t n;
	const char *s = gets(o, member, &n);

	jw_strn(w, key, s, n);
}

/*
 * A time of a config (RFC 3339, as Go writes it) in irt's form; Go's
 * zero time (0001-01-01T00:00:00Z, "never") and what is no such time are
 * null.
 */
static void
jw_time(struct irt_jw *w, const char *key, const char *s, size_t n)
{
	char buf[64], t[IRT_TIME_MAX];
	irt_ns v;

	if (s == NULL || n < 20 || n >= sizeof buf || s[4] != '-' ||
	    strncmp(s, "0001-01-01", 10) == 0) {
		irt_jw_null(w, key);
		return;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strlen(buf) != n || irt_time_parse(&v, buf) != 0)
		irt_jw_null(w, key);
	else
		irt_jw_str(w, key, irt_time_format(t, v, -1));
}

/* Strings of a JSON array (other members left out), or null. */
static void
jw_strings(struct irt_jw *w, const char *key, struct json_object *a)
{
	size_t i, n;

	if (a == NULL || !json_object_is_type(a, json_type_array)) {
		irt_jw_null(w, key);
		return;
	}
	irt_jw_array(w, key);
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(a, i);
		if (json_object_is_type(x, json_type_string))
			irt_jw_strn(w, NULL, json_object_get_string(x),
			    (size_t)json_object_get_string_len(x));
	}
	irt_jw_end(w);
}

static void
jw_head(struct irt_jw *w, const char *runtime, const char *config,
    const char *home, const char *ns)
{
	irt_jw_object(w, NULL);
	irt_jw_str(w, "runtime", runtime);
	irt_jw_str(w, "config", config);
	irt_jw_str(w, "home", home);
	irt_jw_str(w, "namespace", ns);
}

static int
jw_error(struct irt_buf *out, const char *runtime, const char *config,
    const char *home, const char *why)
{
	struct irt_jw w;

	irt_jw_init(&w, out);
	jw_head(&w, runtime, config, home, NULL);
	irt_jw_str(&w, "error", why);
	irt_jw_end(&w);
	return irt_jw_line(&w) != 0 ? irt_error_set(IRT_ENOMEM, "out of memory")
	                            : 0;
}

/* ---- Docker ---- */

/* docker's State.StateString() */
static const char *
docker_state(struct json_object *st)
{
	size_t n;
	const char *s;

	if (st == NULL)
		return NULL;
	if (getb(st, "Running") == 1) {
		if (getb(st, "Paused") == 1)
			return "paused";
		if (getb(st, "Restarting") == 1)
			return "restarting";
		return "running";
	}
	if (getb(st, "RemovalInProgress") == 1)
		return "removing";
	if (getb(st, "Dead") == 1)
		return "dead";
	s = gets(st, "StartedAt", &n);
	if (s == NULL || strncmp(s, "0001-01-01", 10) == 0)
		return "created";
	return "exited";
}

int
irt_container_docker(struct irt_buf *out, const char *path, const char *config,
    size_t clen, const char *hostconfig, size_t hlen)
{
	struct irt_buf why = IRT_BUF_INIT;
	struct json_object *c, *h = NULL, *st, *cfg, *mp, *x;
	struct irt_jw w;
	const char *s;
	size_t n;
	int rc;

	if ((c = irt_ctr_json_parse(config, clen, &why)) == NULL ||
	    !json_object_is_type(c, json_type_object)) {
		if (c != NULL)
			irt_buf_puts(&why, "not a JSON object");
		rc = jw_error(out, "docker", path, NULL, why.ptr);
		json_object_put(c);
		irt_buf_release(&why);
		return rc;
	}
	if (hostconfig != NULL &&
	    (h = irt_ctr_json_parse(hostconfig, hlen, &why)) != NULL &&
	    !json_object_is_type(h, json_type_object)) {
		json_object_put(h);
		h = NULL;
		irt_buf_puts(&why, "not a JSON object");
	}
	st = get(c, "State", json_type_object);
	cfg = get(c, "Config", json_type_object);
	irt_jw_init(&w, out);
	jw_head(&w, "docker", path, NULL, NULL);
	jw_member(&w, "id", c, "ID");
	s = gets(c, "Name", &n);
	if (s != NULL && n > 0 && s[0] == '/')
		s++, n--;
	jw_strn(&w, "name", s, n);
	jw_member(&w, "image", cfg, "Image");
	jw_member(&w, "image_id", c, "Image");
	s = gets(c, "Created", &n);
	jw_time(&w, "created", s, n);
	s = gets(st, "StartedAt", &n);
	jw_time(&w, "started", s, n);
	s = gets(st, "FinishedAt", &n);
	jw_time(&w, "finished", s, n);
	if ((s = docker_state(st)) != NULL)
		irt_jw_str(&w, "state", s);
	else
		irt_jw_null(&w, "state");
	x = get(st, "Pid", json_type_int);
	if (x != NULL && json_object_get_int64(x) > 0)
		irt_jw_int(&w, "pid", (long long)json_object_get_int64(x));
	else
		irt_jw_null(&w, "pid");
	x = get(st, "ExitCode", json_type_int);
	if (x != NULL && docker_state(st) != NULL &&
	    strcmp(docker_state(st), "exited") == 0)
		irt_jw_int(
		    &w, "exit_code", (long long)json_object_get_int64(x));
	else
		irt_jw_null(&w, "exit_code");
	/* the command: Path and Args */
	s = gets(c, "Path", &n);
	if (s == NULL)
		irt_jw_null(&w, "command");
	else {
		struct json_object *args = get(c, "Args", json_type_array);
		size_t i, na = args ? json_object_array_length(args) : 0;
		irt_jw_array(&w, "command");
		irt_jw_strn(&w, NULL, s, n);
		for (i = 0; i < na; i++) {
			x = json_object_array_get_idx(args, i);
			if (json_object_is_type(x, json_type_string))
				irt_jw_strn(&w, NULL, json_object_get_string(x),
				    (size_t)json_object_get_string_len(x));
		}
		irt_jw_end(&w);
	}
	jw_member(&w, "user", cfg, "User");
	/* MountPoints: destination -> {Source, Destination, RW, Type} */
	if ((mp = get(c, "MountPoints", json_type_object)) == NULL)
		irt_jw_null(&w, "mounts");
	else {
		irt_jw_array(&w, "mounts");
		json_object_object_foreach(mp, dest, m)
		{
			size_t dl;
			const char *d;
			if (!json_object_is_type(m, json_type_object))
				continue;
			irt_jw_object(&w, NULL);
			jw_member(&w, "source", m, "Source");
			d = gets(m, "Destination", &dl);
			if (d == NULL)
				irt_jw_str(&w, "destination", dest);
			else
				irt_jw_strn(&w, "destination", d, dl);
			jw_member(&w, "type", m, "Type");
			if (getb(m, "RW") < 0)
				irt_jw_null(&w, "rw");
			else
				irt_jw_bool(&w, "rw", getb(m, "RW") == 1);
			irt_jw_end(&w);
		}
		irt_jw_end(&w);
	}
	if (getb(h, "Privileged") < 0)
		irt_jw_null(&w, "privileged");
	else
		irt_jw_bool(&w, "privileged", getb(h, "Privileged") == 1);
	if (h == NULL)
		irt_jw_null(&w, "cap_add");
	else if ((x = get(h, "CapAdd", json_type_array)) != NULL)
		jw_strings(&w, "cap_add", x);
	else {
		/* no CapAdd, or null: nothing added */
		irt_jw_array(&w, "cap_add");
		irt_jw_end(&w);
	}
	jw_member(&w, "network_mode", h, "NetworkMode");
	jw_member(&w, "pid_mode", h, "PidMode");
	if (hostconfig != NULL && h == NULL)
		irt_jw_str(&w, "error", why.ptr);
	irt_jw_end(&w);
	rc = irt_jw_line(&w) != 0 ? irt_error_set(IRT_ENOMEM, "out of memory")
	                          : 0;
	json_object_put(c);
	json_object_put(h);
	irt_buf_release(&why);
	return rc;
}

/* ---- OCI runtime specs: Podman and containerd ---- */

/* The capabilities Docker and containerd give a container by default. */
static int
default_cap(const char *cap)
{
	static const char *const caps[] = { "CHOWN", "DAC_OVERRIDE", "FSETID",
		"FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP",
		"SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL",
		"AUDIT_WRITE", NULL };
	size_t i;

	if (strncmp(cap, "CAP_", 4) == 0)
		cap += 4;
	for (i = 0; caps[i] != NULL; i++)
		if (strcmp(cap, caps[i]) == 0)
			return 1;
	return 0;
}

static int
has_string(struct json_object *a, const char *s)
{
	size_t i, n = a ? json_object_array_length(a) : 0;

	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(a, i);
		if (json_object_is_type(x, json_type_string) &&
		    strcmp(json_object_get_string(x), s) == 0)
			return 1;
	}
	return 0;
}

/* host, "netns:PATH" (a namespace joined) or private, from the spec's
 * namespaces of this type; null without linux.namespaces. */
static void
jw_namespace(struct irt_jw *w, const char *key, struct json_object *nss,
    const char *type)
{
	struct irt_buf b = IRT_BUF_INIT;
	size_t i, n, pl;
	const char *t, *path;

	if (nss == NULL) {
		irt_jw_null(w, key);
		return;
	}
	n = json_object_array_length(nss);
	for (i = 0; i < n; i++) {
		struct json_object *ns = json_object_array_get_idx(nss, i);
		size_t tl;
		t = gets(ns, "type", &tl);
		if (t == NULL || strcmp(t, type) != 0)
			continue;
		path = gets(ns, "path", &pl);
		if (path == NULL || pl == 0) {
			irt_jw_str(w, key, "private");
			return;
		}
		irt_buf_puts(&b, "netns:");
		if (strcmp(type, "network") != 0) {
			irt_buf_clear(&b);
			irt_buf_printf(&b, "%s:", type);
		}
		irt_buf_put(&b, path, pl);
		irt_jw_strn(w, key, b.ptr, b.len);
		irt_buf_release(&b);
		return;
	}
	irt_jw_str(w, key, "host");
}

/* The members an OCI runtime spec tells: command to pid_mode. */
static void
oci_members(struct irt_jw *w, struct json_object *spec)
{
	struct json_object *proc, *lnx, *caps, *bound, *a, *ann, *x;
	size_t i, n, pl;
	const char *p;
	char num[32];

	proc = get(spec, "process", json_type_object);
	lnx = get(spec, "linux", json_type_object);
	jw_strings(w, "command", get(proc, "args", json_type_array));
	x = get(get(proc, "user", json_type_object), "uid", json_type_int);
	if (x == NULL)
		irt_jw_null(w, "user");
	else {
		snprintf(num, sizeof num, "%lld",
		    (long long)json_object_get_int64(x));
		irt_jw_str(w, "user", num);
	}
	if ((a = get(spec, "mounts", json_type_array)) == NULL)
		irt_jw_null(w, "mounts");
	else {
		irt_jw_array(w, "mounts");
		n = json_object_array_length(a);
		for (i = 0; i < n; i++) {
			struct json_object *m = json_object_array_get_idx(a, i);
			if (!json_object_is_type(m, json_type_object))
				continue;
			irt_jw_object(w, NULL);
			jw_member(w, "source", m, "source");
			jw_member(w, "destination", m, "destination");
			jw_member(w, "type", m, "type");
			irt_jw_bool(w, "rw",
			    !has_string(
			        get(m, "options", json_type_array), "ro"));
			irt_jw_end(w);
		}
		irt_jw_end(w);
	}
	caps = get(proc, "capabilities", json_type_object);
	bound = get(caps, "bounding", json_type_array);
	ann = get(spec, "annotations", json_type_object);
	p = gets(ann, "io.podman.annotations.privileged", &pl);
	if (p != NULL)
		irt_jw_bool(w, "privileged", strcasecmp(p, "true") == 0);
	else if (bound == NULL)
		irt_jw_null(w, "privileged");
	else {
		/* what --privileged gives: every capability and no masked
		 * paths of /proc */
		a = get(lnx, "maskedPaths", json_type_array);
		irt_jw_bool(w, "privileged",
		    has_string(bound, "CAP_SYS_ADMIN") &&
		        (a == NULL || json_object_array_length(a) == 0));
	}
	if (bound == NULL)
		irt_jw_null(w, "cap_add");
	else {
		irt_jw_array(w, "cap_add");
		n = json_object_array_length(bound);
		for (i = 0; i < n; i++) {
			x = json_object_array_get_idx(bound, i);
			if (json_object_is_type(x, json_type_string) &&
			    !default_cap(json_object_get_string(x)))
				irt_jw_strn(w, NULL, json_object_get_string(x),
				    (size_t)json_object_get_string_len(x));
		}
		irt_jw_end(w);
	}
	a = get(lnx, "namespaces", json_type_array);
	jw_namespace(w, "network_mode", a, "network");
	jw_namespace(w, "pid_mode", a, "pid");
}

int
irt_container_oci(struct irt_buf *out, const char *path, const char *ns,
    const char *id, const char *config, size_t len, const char *pidtext,
    size_t pidlen)
{
	struct irt_buf why = IRT_BUF_INIT;
	struct json_object *spec, *ann;
	struct irt_jw w;
	long long pid = 0;
	size_t i;
	int rc;

	if ((spec = irt_ctr_json_parse(config, len, &why)) == NULL ||
	    !json_object_is_type(spec, json_type_object)) {
		if (spec != NULL)
			irt_buf_puts(&why, "not a JSON object");
		irt_jw_init(&w, out);
		jw_head(&w, "containerd", path, NULL, ns);
		irt_jw_str(&w, "id", id);
		irt_jw_str(&w, "error", why.ptr);
		irt_jw_end(&w);
		rc = irt_jw_line(&w);
		json_object_put(spec);
		irt_buf_release(&why);
		return rc != 0 ? irt_error_set(IRT_ENOMEM, "out of memory") : 0;
	}
	for (i = 0; pidtext != NULL && i < pidlen && i < 10 &&
	     pidtext[i] >= '0' && pidtext[i] <= '9';
	     i++)
		pid = pid * 10 + (pidtext[i] - '0');
	if (pidtext != NULL && i < pidlen && pidtext[i] != '\n')
		pid = 0;
	ann = get(spec, "annotations", json_type_object);
	irt_jw_init(&w, out);
	jw_head(&w, "containerd", path, NULL, ns);
	irt_jw_str(&w, "id", id);
	/* the names the CRI plugin and Docker's shim leave in the spec */
	if (get(ann, "io.kubernetes.cri.container-name", json_type_string))
		jw_member(&w, "name", ann, "io.kubernetes.cri.container-name");
	else
		jw_member(&w, "name", ann, "io.kubernetes.container.name");
	jw_member(&w, "image", ann, "io.kubernetes.cri.image-name");
	irt_jw_null(&w, "image_id");
	irt_jw_null(&w, "created");
	irt_jw_null(&w, "started");
	irt_jw_null(&w, "finished");
	irt_jw_null(&w, "state");
	if (pid > 0 && pid <= INT_MAX)
		irt_jw_int(&w, "pid", pid);
	else
		irt_jw_null(&w, "pid");
	irt_jw_null(&w, "exit_code");
	oci_members(&w, spec);
	irt_jw_end(&w);
	rc = irt_jw_line(&w);
	json_object_put(spec);
	irt_buf_release(&why);
	return rc != 0 ? irt_error_set(IRT_ENOMEM, "out of memory") : 0;
}

/* A name that is one path component. */
static int
safe_name(const char *s, size_t n)
{
	return n > 0 && n < 256 && memchr(s, '/', n) == NULL &&
	    memchr(s, '\0', n) == NULL && !(n == 1 && s[0] == '.') &&
	    !(n == 2 && s[0] == '.' && s[1] == '.');
}

int
irt_container_podman(struct irt_buf *out, const char *path, const char *home,
    const char *json, size_t len,
    int (*spec_of)(void *arg, const char *id, struct irt_buf *spec), void *arg)
{
	struct irt_buf why = IRT_BUF_INIT, sb = IRT_BUF_INIT;
	struct json_object *all, *e, *meta, *spec, *x;
	struct irt_jw w;
	size_t i, n, idl, ml;
	const char *id, *m;
	int rc = 0;

	if ((all = irt_ctr_json_parse(json, len, &why)) == NULL ||
	    !json_object_is_type(all, json_type_array)) {
		if (all != NULL)
			irt_buf_puts(&why, "not a JSON array");
		rc = jw_error(out, "podman", path, home, why.ptr);
		json_object_put(all);
		irt_buf_release(&why);
		return rc;
	}
	n = json_object_array_length(all);
	for (i = 0; i < n && rc == 0; i++) {
		e = json_object_array_get_idx(all, i);
		if (!json_object_is_type(e, json_type_object))
			continue;
		id = gets(e, "id", &idl);
		meta = NULL;
		if ((m = gets(e, "metadata", &ml)) != NULL &&
		    (meta = irt_ctr_json_parse(m, ml, &why)) != NULL &&
		    !json_object_is_type(meta, json_type_object)) {
			json_object_put(meta);
			meta = NULL;
		}
		spec = NULL;
		irt_buf_clear(&sb);
		if (id != NULL && safe_name(id, idl) && spec_of != NULL &&
		    spec_of(arg, id, &sb) == 0 &&
		    (spec = irt_ctr_json_parse(sb.ptr, sb.len, &why)) != NULL &&
		    !json_object_is_type(spec, json_type_object)) {
			json_object_put(spec);
			spec = NULL;
		}
		irt_jw_init(&w, out);
		jw_head(&w, "podman", path, home, NULL);
		jw_strn(&w, "id", id, idl);
		x = get(e, "names", json_type_array);
		x = x && json_object_array_length(x) > 0
		    ? json_object_array_get_idx(x, 0)
		    : NULL;
		if (x != NULL && json_object_is_type(x, json_type_string))
			irt_jw_strn(&w, "name", json_object_get_string(x),
			    (size_t)json_object_get_string_len(x));
		else
			jw_member(&w, "name", meta, "name");
		jw_member(&w, "image", meta, "image-name");
		jw_member(&w, "image_id", e, "image");
		m = gets(e, "created", &ml);
		jw_time(&w, "created", m, ml);
		irt_jw_null(&w, "started");
		irt_jw_null(&w, "finished");
		irt_jw_null(&w, "state");
		irt_jw_null(&w, "pid");
		irt_jw_null(&w, "exit_code");
		oci_members(&w, spec);
		irt_jw_end(&w);
		if (irt_jw_line(&w) != 0)
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
		json_object_put(meta);
		json_object_put(spec);
	}
	json_object_put(all);
	irt_buf_release(&why);
	irt_buf_release(&sb);
	return rc;
}

/* ---- the walk under the root ---- */

struct walk {
	struct irt_buf *out;
	int rootfd;
	uint64_t *nf;
	struct irt_buf path;
};

/* Reads the file rel of the root into b (cleared): 0, or an errno
 * value with why. */
static int
read_small(
    struct walk *wk, struct irt_buf *b, const char *rel, const char **why)
{
	struct stat st;
	int fd, e;

	irt_buf_clear(b);
	st.st_size = 0;
	if ((fd = irt_root_open_file(wk->rootfd, rel, wk->nf)) == -1) {
		e = errno;
		*why = e == EINVAL ? "not a regular file" : strerror(e);
		return e ? e : EIO;
	}
	if (fstat(fd, &st) != 0 || st.st_size > (off_t)CONFIG_MAX ||
	    irt_read_fd(b, fd, CONFIG_MAX + 1) != 0 || b->len > CONFIG_MAX) {
		*why = b->len > CONFIG_MAX || st.st_size > (off_t)CONFIG_MAX
		    ? "larger than 16 MiB: not read"
		    : "read error";
		close(fd);
		return EFBIG;
	}
	close(fd);
	return 0;
}

static int
names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sub-folder names of the folder rel of the root, sorted: 0, or -1
 * when it cannot be opened (no such folder: nothing to report). */
static int
list_dir(struct walk *wk, const char *rel, char ***out, size_t *n)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL, **nv;
	size_t cap = 0;
	int fd;

	*out = NULL;
	*n = 0;
	if ((fd = irt_root_open_dir(wk->rootfd, rel, wk->nf)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL && *n < DIR_MAX) {
		if (!safe_name(de->d_name, strlen(de->d_name)) ||
		    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof *nv)) == NULL)
				break;
			v = nv;
		}
		if ((v[*n] = strdup(de->d_name)) == NULL)
			break;
		(*n)++;
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof *v, names_cmp);
	*out = v;
	return 0;
}

static void
names_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

#define DOCKER_DIR "/var/lib/docker/containers"

static int
walk_docker(struct walk *wk)
{
	struct irt_buf cfg = IRT_BUF_INIT, hc = IRT_BUF_INIT;
	char **ids, *cpath = NULL;
	const char *why;
	size_t i, n;
	int rc = 0, have_hc;

	if (list_dir(wk, DOCKER_DIR, &ids, &n) != 0)
		return 0;
	for (i = 0; i < n && rc == 0; i++) {
		free(cpath);
		if (asprintf(&cpath, DOCKER_DIR "/%s/config.v2.json", ids[i]) <
		    0) {
			cpath = NULL;
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			break;
		}
		if (read_small(wk, &cfg, cpath, &why) != 0) {
			rc = jw_error(wk->out, "docker", cpath, NULL, why);
			continue;
		}
		irt_buf_clear(&wk->path);
		irt_buf_printf(
		    &wk->path, DOCKER_DIR "/%s/hostconfig.json", ids[i]);
		have_hc = read_small(wk, &hc, wk->path.ptr, &why) == 0;
		rc = irt_container_docker(wk->out, cpath, irt_buf_cstr(&cfg),
		    cfg.len, have_hc ? irt_buf_cstr(&hc) : NULL, hc.len);
	}
	free(cpath);
	names_free(ids, n);
	irt_buf_release(&cfg);
	irt_buf_release(&hc);
	return rc;
}

struct podman_store {
	struct walk *wk;
	const char *dir; /* .../overlay-containers */
};

static int
podman_spec(void *arg, const char *id, struct irt_buf *spec)
{
	struct podman_store *ps = arg;
	const char *why;

	irt_buf_clear(&ps->wk->path);
	irt_buf_printf(
	    &ps->wk->path, "%s/%s/userdata/config.json", ps->dir, id);
	return read_small(ps->wk, spec, ps->wk->path.ptr, &why);
}

/* The containers.json of one storage (a root of containers/storage). */
static int
walk_podman(struct walk *wk, const char *storage, const char *home)
{
	struct irt_buf b = IRT_BUF_INIT, dir = IRT_BUF_INIT,
	               file = IRT_BUF_INIT;
	struct podman_store ps;
	const char *why;
	int rc, e;

	irt_buf_printf(&dir, "%s/overlay-containers", storage);
	irt_buf_printf(&file, "%s/containers.json", dir.ptr);
	if ((e = read_small(wk, &b, file.ptr, &why)) != 0)
		rc = e == ENOENT || e == ENOTDIR
		    ? 0
		    : jw_error(wk->out, "podman", file.ptr, home, why);
	else {
		ps.wk = wk;
		ps.dir = dir.ptr;
		rc = irt_container_podman(wk->out, file.ptr, home,
		    irt_buf_cstr(&b), b.len, podman_spec, &ps);
	}
	irt_buf_release(&b);
	irt_buf_release(&dir);
	irt_buf_release(&file);
	return rc;
}

static int
walk_containerd(struct walk *wk, const char *base)
{
	struct irt_buf cfg = IRT_BUF_INIT, pid = IRT_BUF_INIT,
	               dir = IRT_BUF_INIT, file = IRT_BUF_INIT;
	char **nss, **ids;
	const char *why;
	size_t i, j, nn, ni;
	int rc = 0, have_pid, e;

	if (list_dir(wk, base, &nss, &nn) != 0)
		return 0;
	for (i = 0; i < nn && rc == 0; i++) {
		irt_buf_clear(&dir);
		irt_buf_printf(&dir, "%s/%s", base, nss[i]);
		if (list_dir(wk, dir.ptr, &ids, &ni) != 0)
			continue;
		for (j = 0; j < ni && rc == 0; j++) {
			irt_buf_clear(&file);
			irt_buf_printf(
			    &file, "%s/%s/init.pid", dir.ptr, ids[j]);
			have_pid = read_small(wk, &pid, file.ptr, &why) == 0;
			irt_buf_clear(&file);
			irt_buf_printf(
			    &file, "%s/%s/config.json", dir.ptr, ids[j]);
			if ((e = read_small(wk, &cfg, file.ptr, &why)) != 0) {
				if (e != ENOENT)
					rc = jw_error(wk->out, "containerd",
					    file.ptr, NULL, why);
				continue;
			}
			rc = irt_container_oci(wk->out, file.ptr, nss[i],
			    ids[j], irt_buf_cstr(&cfg), cfg.len,
			    have_pid ? irt_buf_cstr(&pid) : NULL, pid.len);
		}
		names_free(ids, ni);
	}
	names_free(nss, nn);
	irt_buf_release(&cfg);
	irt_buf_release(&pid);
	irt_buf_release(&dir);
	irt_buf_release(&file);
	return rc;
}

int
irt_live_containers(struct irt_buf *out, int rootfd, const struct irt_homes *h,
    uint64_t *noatime_fallbacks)
{
	struct irt_buf st = IRT_BUF_INIT;
	struct walk wk;
	size_t i;
	int rc;

	memset(&wk, 0, sizeof wk);
	wk.out = out;
	wk.rootfd = rootfd;
	wk.nf = noatime_fallbacks;
	rc = walk_docker(&wk);
	if (rc == 0)
		rc = walk_podman(&wk, "/var/lib/containers/storage", NULL);
	for (i = 0; h != NULL && i < h->n && rc == 0; i++) {
		/* rootless Podman of every account */
		irt_buf_clear(&st);
		irt_buf_puts(&st, strcmp(h->v[i], "/") == 0 ? "" : h->v[i]);
		while (st.len > 0 && st.ptr[st.len - 1] == '/')
			st.ptr[--st.len] = '\0';
		irt_buf_puts(&st, "/.local/share/containers/storage");
		rc = walk_podman(&wk, st.ptr, h->v[i]);
	}
	if (rc == 0)
		rc = walk_containerd(
		    &wk, "/run/containerd/io.containerd.runtime.v2.task");
	if (rc == 0)
		rc = walk_containerd(
		    &wk, "/run/containerd/io.containerd.runtime.v1.linux");
	irt_buf_release(&st);
	irt_buf_release(&wk.path);
	return rc;
}
