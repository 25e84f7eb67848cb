/*
 * IOC exchange: plain lines, CSV with a header (irt's and DFIR-IRIS's
 * columns), MISP event JSON and STIX 2.1 bundles in; CSV, MISP and STIX
 * out.  What an import cannot use is reported with the file and its
 * line or JSON path, and skipped.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/rand.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/ioc.h"
#include "irt/timefmt.h"
#include "irt/json.h"
#include "hunt-int.h"

struct imp {
	struct irt_ioc_set *s;
	const char *name;
	const char *source;
	irt_ioc_warn_fn warn;
	void *arg;
	size_t skipped;
};

static void skip(struct imp *im, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
skip(struct imp *im, const char *fmt, ...)
{
	struct irt_buf b = IRT_BUF_INIT;
	va_list ap;

	im->skipped++;
	if (im->warn == NULL)
		return;
	irt_buf_printf(&b, "%s:", irt_esc(im->name));
	va_start(ap, fmt);
	irt_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	im->warn(irt_buf_cstr(&b), im->arg);
	irt_buf_release(&b);
}

int
irt_ioc_format_parse(enum irt_ioc_format *out, const char *name)
{
	static const char *const names[] = { "auto", "plain", "csv", "misp",
		"stix" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum irt_ioc_format)i;
			return 0;
		}
	return irt_error_set(IRT_EINVAL,
	    "unknown IOC format '%s' (plain, csv, misp, stix)", irt_esc(name));
}

/* Type names of MISP and IRIS (which uses MISP's), and irt's own. */
static const struct {
	const char *name;
	enum irt_ioc_type type;
} type_map[] = {
	{ "ip-src", IRT_IOC_NONE },
	{ "ip-dst", IRT_IOC_NONE },
	{ "ip", IRT_IOC_NONE },
	{ "domain", IRT_IOC_DOMAIN },
	{ "hostname", IRT_IOC_DOMAIN },
	{ "url", IRT_IOC_URL },
	{ "link", IRT_IOC_URL },
	{ "email", IRT_IOC_EMAIL },
	{ "email-src", IRT_IOC_EMAIL },
	{ "email-dst", IRT_IOC_EMAIL },
	{ "md5", IRT_IOC_MD5 },
	{ "sha1", IRT_IOC_SHA1 },
	{ "sha256", IRT_IOC_SHA256 },
	{ "filename", IRT_IOC_FILENAME },
	{ "target-user", IRT_IOC_USER },
	{ "user", IRT_IOC_USER },
	{ "text", IRT_IOC_STRING },
	{ "string", IRT_IOC_STRING },
	{ "user-agent", IRT_IOC_STRING },
	{ "pattern-in-file", IRT_IOC_STRING },
	{ "regexp", IRT_IOC_REGEX },
	{ "regex", IRT_IOC_REGEX },
	{ "ipv4", IRT_IOC_IPV4 },
	{ "ipv6", IRT_IOC_IPV6 },
	{ "cidr", IRT_IOC_CIDR },
	{ "path", IRT_IOC_PATH },
};

/*
 * Adds value under a type name; composite MISP types ("filename|md5",
 * "ip-dst|port") give their parts.  Returns 0, or the error that
 * refused the value (the caller reports it).
 */
static int
add_typed(struct imp *im, const char *tname, const char *value,
    const char *desc, const char *tlp)
{
	char t1[64], *bar;
	const char *vbar;
	enum irt_ioc_type t = IRT_IOC_NONE;
	size_t i;
	bool known = false, ip = false;
	int rc;

	if (tname == NULL || *tname == '\0')
		return irt_ioc_set_add(
		    im->s, IRT_IOC_NONE, value, desc, im->source, tlp);
	snprintf(t1, sizeof t1, "%s", tname);
	for (i = 0; t1[i]; i++)
		t1[i] = (char)tolower((unsigned char)t1[i]);
	if ((bar = strchr(t1, '|')) != NULL &&
	    (vbar = strchr(value, '|')) != NULL) {
		char *first = strndup(value, (size_t)(vbar - value));
		*bar = '\0';
		if (first == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		rc = add_typed(im, t1, first, desc, tlp);
		free(first);
		if (rc != 0 || strcmp(bar + 1, "port") == 0)
			return rc;
		return add_typed(im, bar + 1, vbar + 1, desc, tlp);
	}
	for (i = 0; i < sizeof type_map / sizeof type_map[0]; i++)
		if (strcmp(t1, type_map[i].name) == 0) {
			t = type_map[i].type;
			known = true;
			ip = strncmp(t1, "ip", 2) == 0 && t == IRT_IOC_NONE;
		}
	if (!known)
		return irt_error_set(IRT_EINVAL,
		    "IOC type '%s' is not supported", irt_esc(tname));
	if (ip) {
		/* an IP, v4 or v6, or a CIDR block */
		rc = irt_ioc_set_add(
		    im->s, IRT_IOC_NONE, value, desc, im->source, tlp);
		if (rc == 0 && im->s->n > 0) {
			enum irt_ioc_type got = im->s->v[im->s->n - 1].type;
			if (got != IRT_IOC_IPV4 && got != IRT_IOC_IPV6 &&
			    got != IRT_IOC_CIDR) {
				irt_ioc_release(&im->s->v[--im->s->n]);
				return irt_error_set(IRT_EINVAL,
				    "'%s' is not an IP address",
				    irt_esc(value));
			}
		}
		return rc;
	}
	return irt_ioc_set_add(im->s, t, value, desc, im->source, tlp);
}

/* "tlp:amber", "AMBER" -> "amber"; NULL when not a TLP. */
static const char *
norm_tlp(char *buf, size_t size, const char *t)
{
	size_t i;

	if (t == NULL || *t == '\0')
		return NULL;
	if (strncasecmp(t, "tlp:", 4) == 0)
		t += 4;
	snprintf(buf, size, "%s", t);
	for (i = 0; buf[i]; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	if (strcmp(buf, "white") == 0)
		snprintf(buf, size, "clear");
	return irt_case_check_tlp(buf) == 0 ? buf : NULL;
}

/* ---- plain ---- */

static int
import_plain(struct imp *im, const char *d, size_t len)
{
	const char *p = d, *end = d + len, *nl;
	unsigned long line = 0;
	char *v;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		line++;
		if (memchr(p, '\0', (size_t)(nl - p)) != NULL) {
			skip(im, "%lu: a NUL byte", line);
		} else if ((v = strndup(p, (size_t)(nl - p))) == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		else {
			char *s = v, *e;
			while (isspace((unsigned char)*s))
				s++;
			e = s + strlen(s);
			while (e > s && isspace((unsigned char)e[-1]))
				*--e = '\0';
			if (*s != '\0' && *s != '#' &&
			    irt_ioc_set_add(im->s, IRT_IOC_NONE, s, NULL,
			        im->source, NULL) != 0) {
				if (irt_error_code() == IRT_ENOMEM) {
					free(v);
					return IRT_ENOMEM;
				}
				skip(im, "%lu: %s", line, irt_error_last());
			}
			free(v);
		}
		p = nl + 1;
	}
	return 0;
}

/* ---- CSV ---- */

/* The next record of RFC 4180 CSV into fields; 0 at the end. */
static int
csv_record(const char **pp, const char *end, char ***fields, size_t *nf,
    unsigned long *line)
{
	const char *p = *pp;
	struct irt_buf f = IRT_BUF_INIT;
	char **v = NULL;
	size_t n = 0;
	bool quoted, done = false;

	if (p >= end)
		return 0;
	while (!done) {
		char **nv;
		irt_buf_clear(&f);
		quoted = p < end && *p == '"';
		if (quoted)
			p++;
		for (;;) {
			if (p >= end) {
				done = true;
				break;
			}
			if (quoted) {
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						irt_buf_putc(&f, '"');
						p += 2;
						continue;
					}
					quoted = false;
					p++;
					continue;
				}
				if (*p == '\n')
					(*line)++;
				irt_buf_putc(&f, *p++);
				continue;
			}
			if (*p == ',') {
				p++;
				break;
			}
			if (*p == '\n' ||
			    (*p == '\r' && p + 1 < end && p[1] == '\n')) {
				p += *p == '\r' ? 2 : 1;
				done = true;
				break;
			}
			irt_buf_putc(&f, *p++);
		}
		if ((nv = realloc(v, (n + 1) * sizeof *v)) == NULL)
			break;
		v = nv;
		v[n++] = strdup(irt_buf_cstr(&f));
	}
	irt_buf_release(&f);
	*pp = p;
	*fields = v;
	*nf = n;
	return 1;
}

static void
fields_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
col(char **hdr, size_t n, const char *const *names)
{
	size_t i, k;

	for (k = 0; names[k] != NULL; k++)
		for (i = 0; i < n; i++)
			if (hdr[i] != NULL && strcasecmp(hdr[i], names[k]) == 0)
				return (int)i;
	return -1;
}

static int
import_csv(struct imp *im, const char *d, size_t len)
{
	static const char *const c_value[] = { "value", "ioc_value",
		"indicator", "ioc", NULL };
	static const char *const c_type[] = { "type", "ioc_type",
		"indicator_type", NULL };
	static const char *const c_desc[] = { "description", "ioc_description",
		"comment", NULL };
	static const char *const c_tlp[] = { "tlp", "ioc_tlp", "tlp_name",
		NULL };
	static const char *const c_src[] = { "source", NULL };
	const char *p = d, *end = d + len;
	char **hdr = NULL, **f = NULL, tlpbuf[32];
	size_t nh = 0, nf = 0;
	unsigned long line = 1, start;
	int cv, ct, cd, cl, cs;

	/* a UTF-8 byte order mark */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	if (!csv_record(&p, end, &hdr, &nh, &line))
		return irt_error_set(
		    IRT_EPARSE, "%s: empty CSV file", irt_esc(im->name));
	for (size_t i = 0; i < nh; i++) {
		char *h = hdr[i];
		if (h == NULL)
			continue;
		while (isspace((unsigned char)*h))
			memmove(h, h + 1, strlen(h));
		for (size_t k = strlen(h);
		     k > 0 && isspace((unsigned char)h[k - 1]);)
			h[--k] = '\0';
	}
	cv = col(hdr, nh, c_value);
	ct = col(hdr, nh, c_type);
	cd = col(hdr, nh, c_desc);
	cl = col(hdr, nh, c_tlp);
	cs = col(hdr, nh, c_src);
	if (cv < 0) {
		fields_free(hdr, nh);
		return irt_error_set(IRT_EPARSE,
		    "%s:1: no value column in the CSV header (value or "
		    "ioc_value)",
		    irt_esc(im->name));
	}
	for (;;) {
		const char *tlp;
		struct imp sub = *im;
		start = ++line;
		if (!csv_record(&p, end, &f, &nf, &line))
			break;
		if (nf == 1 && (f[0] == NULL || f[0][0] == '\0')) {
			fields_free(f, nf);
			continue;
		}
		if ((size_t)cv >= nf || f[cv] == NULL || f[cv][0] == '\0') {
			skip(im, "%lu: no value", start);
			fields_free(f, nf);
			continue;
		}
		tlp = cl >= 0 && (size_t)cl < nf
		    ? norm_tlp(tlpbuf, sizeof tlpbuf, f[cl])
		    : NULL;
		if (cs >= 0 && (size_t)cs < nf && f[cs] && f[cs][0])
			sub.source = f[cs];
		if (add_typed(&sub, ct >= 0 && (size_t)ct < nf ? f[ct] : NULL,
		        f[cv], cd >= 0 && (size_t)cd < nf ? f[cd] : NULL,
		        tlp) != 0) {
			if (irt_error_code() == IRT_ENOMEM) {
				fields_free(f, nf);
				fields_free(hdr, nh);
				return IRT_ENOMEM;
			}
			skip(im, "%lu: %s", start, irt_error_last());
		}
		fields_free(f, nf);
	}
	fields_free(hdr, nh);
	return 0;
}

/* ---- JSON: MISP and STIX ---- */

static json_object *
jget(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* to_ids: true, "1", 1; absent counts as true. */
static bool
to_ids(json_object *a)
{
	json_object *v = jget(a, "to_ids");

	if (v == NULL)
		return true;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v) != 0;
	if (json_object_is_type(v, json_type_string))
		return strcmp(json_object_get_string(v), "1") == 0 ||
		    strcasecmp(json_object_get_string(v), "true") == 0;
	return true;
}

static void
misp_attrs(struct imp *im, json_object *list, const char *path, size_t *noids)
{
	size_t i, n;

	if (list == NULL)
		return;
	if (!json_object_is_type(list, json_type_array)) {
		skip(im, " %s: not a list", path);
		return;
	}
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(list, i);
		const char *type = irt_json_get_str(a, "type"),
		           *value = irt_json_get_str(a, "value");
		if (type == NULL || value == NULL) {
			skip(im, " %s[%zu]: an attribute needs type and value",
			    path, i);
			continue;
		}
		if (!to_ids(a)) {
			(*noids)++;
			continue;
		}
		if (add_typed(im, type, value, irt_json_get_str(a, "comment"),
		        NULL) != 0)
			skip(im, " %s[%zu]: %s", path, i, irt_error_last());
	}
}

static int
import_misp(struct imp *im, json_object *root)
{
	json_object *ev = jget(root, "Event"), *objs;
	const char *base = "$.Event";
	size_t noids = 0, i, n;
	char path[96];

	if (ev == NULL &&
	    json_object_is_type(jget(root, "response"), json_type_array) &&
	    json_object_array_length(jget(root, "response")) > 0) {
		ev = jget(json_object_array_get_idx(jget(root, "response"), 0),
		    "Event");
		base = "$.response[0].Event";
	}
	if (ev == NULL || !json_object_is_type(ev, json_type_object))
		return irt_error_set(
		    IRT_EPARSE, "%s: $: no MISP Event", irt_esc(im->name));
	snprintf(path, sizeof path, "%s.Attribute", base);
	misp_attrs(im, jget(ev, "Attribute"), path, &noids);
	objs = jget(ev, "Object");
	if (objs != NULL && json_object_is_type(objs, json_type_array)) {
		n = json_object_array_length(objs);
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof path, "%s.Object[%zu].Attribute",
			    base, i);
			misp_attrs(im,
			    jget(json_object_array_get_idx(objs, i),
			        "Attribute"),
			    path, &noids);
		}
	}
	if (noids > 0 && im->warn != NULL) {
		char msg[256];
		snprintf(msg, sizeof msg,
		    "%s: %zu attributes with to_ids false left out",
		    irt_esc(im->name), noids);
		im->warn(msg, im->arg);
	}
	return 0;
}

static int
import_stix(struct imp *im, json_object *root)
{
	json_object *objs = jget(root, "objects");
	size_t i, n;

	if (objs == NULL || !json_object_is_type(objs, json_type_array))
		return irt_error_set(IRT_EPARSE,
		    "%s: $.objects: a STIX bundle needs a list of objects",
		    irt_esc(im->name));
	n = json_object_array_length(objs);
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(objs, i);
		const char *type = irt_json_get_str(o, "type"), *pattern,
		           *ptype, *name;
		json_object *rev = jget(o, "revoked");
		if (type == NULL || strcmp(type, "indicator") != 0)
			continue;
		if (rev != NULL && json_object_get_boolean(rev))
			continue;
		ptype = irt_json_get_str(o, "pattern_type");
		if (ptype != NULL && strcmp(ptype, "stix") != 0) {
			skip(im,
			    "$.objects[%zu]: pattern_type '%s' is not "
			    "supported",
			    i, irt_esc(ptype));
			continue;
		}
		if ((pattern = irt_json_get_str(o, "pattern")) == NULL) {
			skip(im,
			    "$.objects[%zu]: an indicator without a pattern",
			    i);
			continue;
		}
		name = irt_json_get_str(o, "name");
		if (name == NULL)
			name = irt_json_get_str(o, "description");
		if (irt_stix_pattern_parse(im->s, pattern, name, im->source) !=
		    0) {
			if (irt_error_code() == IRT_ENOMEM)
				return IRT_ENOMEM;
			skip(im, " $.objects[%zu].pattern: %s", i,
			    irt_error_last());
		}
	}
	return 0;
}

static int
import_json(struct imp *im, const char *d, size_t len, enum irt_ioc_format f)
{
	json_tokener *tok = json_tokener_new_ex(64);
	json_object *root;
	int rc;

	if (tok == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	root = json_tokener_parse_ex(tok, d, (int)len);
	if (root == NULL ||
	    (json_tokener_get_error(tok) != json_tokener_success)) {
		rc = irt_error_set(IRT_EPARSE, "%s: offset %zu: not JSON: %s",
		    irt_esc(im->name), json_tokener_get_parse_end(tok),
		    json_tokener_error_desc(json_tokener_get_error(tok)));
		json_object_put(root);
		json_tokener_free(tok);
		return rc;
	}
	json_tokener_free(tok);
	if (f == IRT_IOC_FMT_AUTO) {
		const char *t = irt_json_get_str(root, "type");
		f = (t != NULL && strcmp(t, "bundle") == 0) ||
		        jget(root, "objects") != NULL
		    ? IRT_IOC_FMT_STIX
		    : IRT_IOC_FMT_MISP;
	}
	rc = f == IRT_IOC_FMT_STIX ? import_stix(im, root)
	                           : import_misp(im, root);
	json_object_put(root);
	return rc;
}

/* CSV when the first line is a header naming a value column. */
static bool
looks_csv(const char *d, size_t len)
{
	const char *nl = memchr(d, '\n', len);
	size_t n = nl ? (size_t)(nl - d) : len;
	char line[512];
	size_t i;

	if (n == 0 || n >= sizeof line || memchr(d, ',', n) == NULL)
		return false;
	for (i = 0; i < n; i++)
		line[i] = (char)tolower((unsigned char)d[i]);
	line[n] = '\0';
	return strstr(line, "value") != NULL || strstr(line, "indicator");
}

int
irt_ioc_import(struct irt_ioc_set *s, const char *data, size_t len,
    const char *name, enum irt_ioc_format fmt, const char *source,
    irt_ioc_warn_fn warn, void *arg, size_t *skipped)
{
	struct imp im = { s, name, source, warn, arg, 0 };
	size_t i = 0;
	int rc;

	if (len > INT32_MAX)
		return irt_error_set(
		    IRT_EINVAL, "%s: too large", irt_esc(name));
	if (fmt == IRT_IOC_FMT_AUTO) {
		while (i < len && isspace((unsigned char)data[i]))
			i++;
		if (i < len && (data[i] == '{' || data[i] == '['))
			fmt = IRT_IOC_FMT_AUTO; /* JSON: told apart below */
		else if (looks_csv(data + i, len - i))
			fmt = IRT_IOC_FMT_CSV;
		else
			fmt = IRT_IOC_FMT_PLAIN;
		if (fmt == IRT_IOC_FMT_AUTO)
			rc = import_json(&im, data, len, IRT_IOC_FMT_AUTO);
		else
			rc = fmt == IRT_IOC_FMT_CSV
			    ? import_csv(&im, data, len)
			    : import_plain(&im, data, len);
	} else if (fmt == IRT_IOC_FMT_PLAIN)
		rc = import_plain(&im, data, len);
	else if (fmt == IRT_IOC_FMT_CSV)
		rc = import_csv(&im, data, len);
	else
		rc = import_json(&im, data, len, fmt);
	if (skipped)
		*skipped = im.skipped;
	return rc;
}

int
irt_ioc_import_file(struct irt_ioc_set *s, const char *path,
    enum irt_ioc_format fmt, const char *source, irt_ioc_warn_fn warn,
    void *arg, size_t *skipped)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct stat st;
	ssize_t k;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(path));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return irt_error_set(
		    IRT_EINVAL, "'%s' is not a regular file", irt_esc(path));
	}
	if (st.st_size > (256 << 20)) {
		close(fd);
		return irt_error_set(
		    IRT_EINVAL, "'%s' is larger than 256 MiB", irt_esc(path));
	}
	for (;;) {
		if ((rc = irt_buf_grow(&b, 65536)) != 0)
			break;
		k = read(fd, b.ptr + b.len, 65536);
		if (k < 0) {
			rc = irt_error_sys(
			    IRT_EIO, errno, "cannot read '%s'", irt_esc(path));
			break;
		}
		if (k == 0)
			break;
		b.len += (size_t)k;
		if (b.len > (256u << 20)) {
			rc = irt_error_set(IRT_EINVAL,
			    "'%s' is larger than 256 MiB", irt_esc(path));
			break;
		}
	}
	close(fd);
	if (rc == 0)
		rc = irt_ioc_import(s, b.ptr ? b.ptr : "", b.len, path, fmt,
		    source, warn, arg, skipped);
	irt_buf_release(&b);
	return rc;
}

/* ---- export ---- */

static int
uuid4(char out[37])
{
	unsigned char r[16];

	if (RAND_bytes(r, sizeof r) != 1)
		return irt_error_set(IRT_ERROR, "no random bytes");
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, 37,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x"
	    "%02x",
	    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
	    r[11], r[12], r[13], r[14], r[15]);
	return 0;
}

static const char *
misp_type(enum irt_ioc_type t, const char **category)
{
	*category = "Network activity";
	switch (t) {
	case IRT_IOC_IPV4:
	case IRT_IOC_IPV6:
	case IRT_IOC_CIDR:
		return "ip-dst";
	case IRT_IOC_DOMAIN:
		return "domain";
	case IRT_IOC_URL:
		return "url";
	case IRT_IOC_EMAIL:
		return "email-src";
	case IRT_IOC_MD5:
		*category = "Payload delivery";
		return "md5";
	case IRT_IOC_SHA1:
		*category = "Payload delivery";
		return "sha1";
	case IRT_IOC_SHA256:
		*category = "Payload delivery";
		return "sha256";
	case IRT_IOC_FILENAME:
		*category = "Artifacts dropped";
		return "filename";
	case IRT_IOC_USER:
		*category = "Attribution";
		return "target-user";
	case IRT_IOC_STRING:
		*category = "Other";
		return "text";
	case IRT_IOC_REGEX:
		*category = "Other";
		return "regexp";
	default:
		return NULL;
	}
}

/* The STIX pattern of one IOC, or NULL. */
static int
stix_pattern(struct irt_buf *out, const struct irt_ioc *ioc)
{
	const char *path;
	const char *v;

	switch (ioc->type) {
	case IRT_IOC_IPV4:
		path = "ipv4-addr:value";
		break;
	case IRT_IOC_IPV6:
		path = "ipv6-addr:value";
		break;
	case IRT_IOC_CIDR:
		path = strchr(ioc->value, ':') ? "ipv6-addr:value"
		                               : "ipv4-addr:value";
		break;
	case IRT_IOC_DOMAIN:
		path = "domain-name:value";
		break;
	case IRT_IOC_URL:
		path = "url:value";
		break;
	case IRT_IOC_EMAIL:
		path = "email-addr:value";
		break;
	case IRT_IOC_FILENAME:
		path = "file:name";
		break;
	case IRT_IOC_MD5:
		path = "file:hashes.MD5";
		break;
	case IRT_IOC_SHA1:
		path = "file:hashes.'SHA-1'";
		break;
	case IRT_IOC_SHA256:
		path = "file:hashes.'SHA-256'";
		break;
	default:
		return 1;
	}
	irt_buf_clear(out);
	irt_buf_printf(out, "[%s = '", path);
	for (v = ioc->value; *v; v++) {
		if (*v == '\'' || *v == '\\')
			irt_buf_putc(out, '\\');
		irt_buf_putc(out, *v);
	}
	return irt_buf_puts(out, "']");
}

int
irt_ioc_export(struct irt_buf *out, const struct irt_ioc_set *s,
    enum irt_ioc_format fmt, size_t *left_out)
{
	json_object *root = NULL, *list;
	struct irt_buf pat = IRT_BUF_INIT;
	char now[IRT_TIME_MAX], uuid[37];
	size_t i, left = 0;
	int rc = 0;

	if (fmt == IRT_IOC_FMT_CSV) {
		irt_buf_puts(out, "type,value,description,source,tlp,id\n");
		for (i = 0; i < s->n; i++) {
			const struct irt_ioc *v = &s->v[i];
			const char *f[5] = { v->value, v->description,
				v->source, v->tlp, v->id };
			size_t k;
			irt_buf_puts(out, irt_ioc_type_name(v->type));
			for (k = 0; k < 5; k++) {
				irt_buf_putc(out, ',');
				if (f[k] != NULL)
					irt_escape_csv(
					    out, f[k], strlen(f[k]), false);
			}
			rc = irt_buf_putc(out, '\n');
		}
		if (left_out)
			*left_out = 0;
		return rc ? irt_error_set(IRT_ENOMEM, "out of memory") : 0;
	}
	if (fmt != IRT_IOC_FMT_MISP && fmt != IRT_IOC_FMT_STIX)
		return irt_error_set(
		    IRT_EINVAL, "export is to csv, misp or stix");
	irt_time_format(now, irt_now(), 3);
	root = json_object_new_object();
	list = json_object_new_array();
	for (i = 0; i < s->n; i++) {
		const struct irt_ioc *v = &s->v[i];
		json_object *o = json_object_new_object();
		if (fmt == IRT_IOC_FMT_MISP) {
			const char *cat, *t = misp_type(v->type, &cat);
			if (t == NULL) {
				left++;
				json_object_put(o);
				continue;
			}
			json_object_object_add(
			    o, "type", json_object_new_string(t));
			json_object_object_add(
			    o, "category", json_object_new_string(cat));
			json_object_object_add(
			    o, "value", json_object_new_string(v->value));
			json_object_object_add(
			    o, "to_ids", json_object_new_boolean(1));
			if (v->description)
				json_object_object_add(o, "comment",
				    json_object_new_string(v->description));
		} else {
			char id[64];
			if (stix_pattern(&pat, v) != 0 || uuid4(uuid) != 0) {
				left++;
				json_object_put(o);
				continue;
			}
			snprintf(id, sizeof id, "indicator--%s", uuid);
			json_object_object_add(
			    o, "type", json_object_new_string("indicator"));
			json_object_object_add(
			    o, "spec_version", json_object_new_string("2.1"));
			json_object_object_add(
			    o, "id", json_object_new_string(id));
			json_object_object_add(
			    o, "created", json_object_new_string(now));
			json_object_object_add(
			    o, "modified", json_object_new_string(now));
			json_object_object_add(o, "name",
			    json_object_new_string(
			        v->description ? v->description : v->value));
			json_object_object_add(
			    o, "pattern", json_object_new_string(pat.ptr));
			json_object_object_add(
			    o, "pattern_type", json_object_new_string("stix"));
			json_object_object_add(
			    o, "valid_from", json_object_new_string(now));
		}
		json_object_array_add(list, o);
	}
	if (fmt == IRT_IOC_FMT_MISP) {
		json_object *ev = json_object_new_object();
		json_object_object_add(
		    ev, "info", json_object_new_string("irt IOC export"));
		json_object_object_add(ev, "Attribute", list);
		json_object_object_add(root, "Event", ev);
	} else {
		char id[64];
		if ((rc = uuid4(uuid)) == 0) {
			snprintf(id, sizeof id, "bundle--%s", uuid);
			json_object_object_add(
			    root, "type", json_object_new_string("bundle"));
			json_object_object_add(
			    root, "id", json_object_new_string(id));
		}
		json_object_object_add(root, "objects", list);
	}
	if (rc == 0) {
		rc = irt_buf_puts(out,
		    json_object_to_json_string_ext(root,
		        JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		            JSON_C_TO_STRING_NOSLASHESCAPE));
		rc |= irt_buf_putc(out, '\n');
		if (rc)
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
	}
	json_object_put(root);
	irt_buf_release(&pat);
	if (left_out)
		*left_out = left;
	return rc;
}
