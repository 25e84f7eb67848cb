/*
 * IOC values: types, detection, checks, canonical forms, defanging, and
 * the key = value record of one IOC.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/ioc.h"
#include "irt/kv.h"
#include "hunt-int.h"

static const char *const type_names[IRT_IOC_TYPE_MAX] = {
	[IRT_IOC_IPV4] = "ipv4",
	[IRT_IOC_IPV6] = "ipv6",
	[IRT_IOC_CIDR] = "cidr",
	[IRT_IOC_DOMAIN] = "domain",
	[IRT_IOC_URL] = "url",
	[IRT_IOC_EMAIL] = "email",
	[IRT_IOC_MD5] = "md5",
	[IRT_IOC_SHA1] = "sha1",
	[IRT_IOC_SHA256] = "sha256",
	[IRT_IOC_PATH] = "path",
	[IRT_IOC_FILENAME] = "filename",
	[IRT_IOC_USER] = "user",
	[IRT_IOC_STRING] = "string",
	[IRT_IOC_REGEX] = "regex",
};

const char *
irt_ioc_type_name(enum irt_ioc_type t)
{
	return t > IRT_IOC_NONE && t < IRT_IOC_TYPE_MAX ? type_names[t] : NULL;
}

int
irt_ioc_type_parse(enum irt_ioc_type *out, const char *name)
{
	int t;

	for (t = 1; t < IRT_IOC_TYPE_MAX; t++)
		if (strcasecmp(name, type_names[t]) == 0) {
			*out = (enum irt_ioc_type)t;
			return 0;
		}
	return irt_error_set(IRT_EINVAL,
	    "unknown IOC type '%s' (ipv4, ipv6, cidr, domain, url, email, "
	    "md5, sha1, sha256, path, filename, user, string, regex)",
	    irt_esc(name));
}

/* ---- refanging ---- */

struct fang {
	const char *from, *to;
};

/* Longest first where one is a prefix of another. */
static const struct fang refangs[] = {
	{ "[://]", "://" },
	{ "[:]//", "://" },
	{ "[.]", "." },
	{ "(.)", "." },
	{ "{.}", "." },
	{ "[dot]", "." },
	{ "(dot)", "." },
	{ "{dot}", "." },
	{ "[@]", "@" },
	{ "(@)", "@" },
	{ "{@}", "@" },
	{ "[at]", "@" },
	{ "(at)", "@" },
	{ "[:]", ":" },
	{ "[/]", "/" },
};

/* Refangs s into out, trimming surrounding white space. */
static int
refang(struct irt_buf *out, const char *s)
{
	const char *e;
	size_t i, k;
	int rc = 0;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s &&
	    (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	irt_buf_clear(out);
	/* hxxp://, hXXps://, fxp:// */
	if ((size_t)(e - s) > 4 && strncasecmp(s, "hxxp", 4) == 0) {
		rc |= irt_buf_puts(out, "http");
		s += 4;
	} else if ((size_t)(e - s) > 3 && strncasecmp(s, "fxp", 3) == 0) {
		rc |= irt_buf_puts(out, "ftp");
		s += 3;
	}
	while (s < e) {
		/* every defanged form starts with one of these */
		if (*s != '[' && *s != '(' && *s != '{') {
			const char *q = s;
			while (q < e && *q != '[' && *q != '(' && *q != '{')
				q++;
			rc |= irt_buf_put(out, s, (size_t)(q - s));
			s = q;
			continue;
		}
		for (i = 0; i < sizeof refangs / sizeof refangs[0]; i++) {
			k = strlen(refangs[i].from);
			if ((size_t)(e - s) >= k &&
			    strncasecmp(s, refangs[i].from, k) == 0)
				break;
		}
		if (i < sizeof refangs / sizeof refangs[0]) {
			rc |= irt_buf_puts(out, refangs[i].to);
			s += strlen(refangs[i].from);
		} else
			rc |= irt_buf_putc(out, *s++);
	}
	if (out->ptr == NULL)
		rc |= irt_buf_grow(out, 1);
	return rc ? irt_error_set(IRT_ENOMEM, "out of memory") : 0;
}

int
irt_ioc_defang(struct irt_buf *out, enum irt_ioc_type type, const char *v)
{
	int rc = 0;

	irt_buf_clear(out);
	switch (type) {
	case IRT_IOC_URL:
		if (strncmp(v, "http", 4) == 0) {
			rc |= irt_buf_puts(out, "hxxp");
			v += 4;
		} else if (strncmp(v, "ftp", 3) == 0) {
			rc |= irt_buf_puts(out, "fxp");
			v += 3;
		}
		/* FALLTHROUGH */
	case IRT_IOC_DOMAIN:
	case IRT_IOC_EMAIL:
	case IRT_IOC_IPV4:
	case IRT_IOC_CIDR:
		for (; *v; v++) {
			if (*v == '.')
				rc |= irt_buf_puts(out, "[.]");
			else if (*v == '@')
				rc |= irt_buf_puts(out, "[@]");
			else
				rc |= irt_buf_putc(out, *v);
		}
		break;
	case IRT_IOC_IPV6:
		for (; *v; v++) {
			if (*v == ':')
				rc |= irt_buf_puts(out, "[:]");
			else
				rc |= irt_buf_putc(out, *v);
		}
		break;
	default:
		rc |= irt_buf_puts(out, v);
	}
	if (out->ptr == NULL)
		rc |= irt_buf_grow(out, 1);
	return rc ? irt_error_set(IRT_ENOMEM, "out of memory") : 0;
}

/* ---- checks ---- */

static bool
all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Does it look like a dotted quad (digits and three dots)? */
static bool
looks_ipv4(const char *s)
{
	int dots = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s; s++) {
		if (*s == '.')
			dots++;
		else if (!isdigit((unsigned char)*s))
			return false;
	}
	return dots == 3;
}

/* Why a dotted quad is not an IPv4 address. */
static int
ipv4_error(const char *v)
{
	const char *p = v;
	char *end;
	unsigned long o;
	int i;

	for (i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)*p))
			return irt_error_set(IRT_EINVAL,
			    "'%s' is not a valid ipv4 address: empty octet",
			    irt_esc(v));
		o = strtoul(p, &end, 10);
		if (o > 255 || end - p > 3)
			return irt_error_set(IRT_EINVAL,
			    "'%s' is not a valid ipv4 address: %.*s is out "
			    "of range",
			    irt_esc(v), (int)(end - p), p);
		if (end - p > 1 && *p == '0')
			return irt_error_set(IRT_EINVAL,
			    "'%s' is not a valid ipv4 address: %.*s has a "
			    "leading zero",
			    irt_esc(v), (int)(end - p), p);
		p = end + (*end == '.');
	}
	return irt_error_set(
	    IRT_EINVAL, "'%s' is not a valid ipv4 address", irt_esc(v));
}

static int
check_ipv4(struct irt_buf *out, const char *v)
{
	struct in_addr a;
	char txt[INET_ADDRSTRLEN];

	if (!looks_ipv4(v) || inet_pton(AF_INET, v, &a) != 1)
		return ipv4_error(v);
	/* inet_pton takes leading zeros on some systems; refuse them */
	inet_ntop(AF_INET, &a, txt, sizeof txt);
	if (strcmp(txt, v) != 0)
		return ipv4_error(v);
	irt_buf_clear(out);
	return irt_buf_puts(out, txt);
}

static int
check_ipv6(struct irt_buf *out, const char *v)
{
	struct in6_addr a;
	char txt[INET6_ADDRSTRLEN];

	if (strchr(v, ':') == NULL || inet_pton(AF_INET6, v, &a) != 1)
		return irt_error_set(
		    IRT_EINVAL, "'%s' is not a valid ipv6 address", irt_esc(v));
	inet_ntop(AF_INET6, &a, txt, sizeof txt);
	irt_buf_clear(out);
	return irt_buf_puts(out, txt);
}

static int
check_cidr(struct irt_buf *out, const char *v)
{
	const char *slash = strchr(v, '/');
	unsigned char a[16];
	char addr[64], txt[INET6_ADDRSTRLEN], *end;
	unsigned long bits;
	int v6, i, max;

	if (slash == NULL || (size_t)(slash - v) >= sizeof addr ||
	    !isdigit((unsigned char)slash[1]))
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid cidr: expected ADDRESS/BITS",
		    irt_esc(v));
	memcpy(addr, v, (size_t)(slash - v));
	addr[slash - v] = '\0';
	v6 = strchr(addr, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, a) != 1)
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid cidr: bad address '%s'", irt_esc(v),
		    irt_esc(addr));
	max = v6 ? 128 : 32;
	bits = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || bits > (unsigned long)max || end - slash > 4)
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid cidr: the prefix length must be 0 "
		    "to %d",
		    irt_esc(v), max);
	/* the network address: host bits cleared */
	for (i = 0; i < max / 8; i++) {
		int keep = (int)bits - i * 8;
		if (keep <= 0)
			a[i] = 0;
		else if (keep < 8)
			a[i] &= (unsigned char)(0xff << (8 - keep));
	}
	inet_ntop(v6 ? AF_INET6 : AF_INET, a, txt, sizeof txt);
	irt_buf_clear(out);
	return irt_buf_printf(out, "%s/%lu", txt, bits);
}

/* A host name: labels of [a-z0-9_-], at least two, a TLD not all
 * digits.  Lowercases in place; drops one trailing dot. */
static int
check_domain_str(char *d, const char *orig)
{
	size_t n = strlen(d), lab = 0, labels = 0, i;
	const char *last = d;

	if (n > 0 && d[n - 1] == '.')
		d[--n] = '\0';
	if (n == 0 || n > 253)
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid domain: %s", irt_esc(orig),
		    n == 0 ? "empty" : "longer than 253 characters");
	lower(d);
	for (i = 0; i <= n; i++) {
		char ch = d[i];
		if (ch == '.' || ch == '\0') {
			if (lab == 0 || lab > 63)
				return irt_error_set(IRT_EINVAL,
				    "'%s' is not a valid domain: %s label",
				    irt_esc(orig),
				    lab ? "a too long" : "an empty");
			if (d[i - 1] == '-' || d[i - lab] == '-')
				return irt_error_set(IRT_EINVAL,
				    "'%s' is not a valid domain: a label "
				    "starts or ends with '-'",
				    irt_esc(orig));
			labels++;
			lab = 0;
			if (ch == '.')
				last = d + i + 1;
			continue;
		}
		if (!(isalnum((unsigned char)ch) || ch == '-' || ch == '_'))
			return irt_error_set(IRT_EINVAL,
			    "'%s' is not a valid domain: character '%c' is "
			    "not allowed",
			    irt_esc(orig),
			    isprint((unsigned char)ch) ? ch : '?');
		lab++;
	}
	if (labels < 2)
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid domain: it needs at least two labels",
		    irt_esc(orig));
	if (strspn(last, "0123456789") == strlen(last))
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid domain: its last label is a number",
		    irt_esc(orig));
	return 0;
}

static int
check_domain(struct irt_buf *out, const char *v)
{
	char *d = strdup(v);
	int rc;

	if (d == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if ((rc = check_domain_str(d, v)) == 0) {
		irt_buf_clear(out);
		rc = irt_buf_puts(out, d);
	}
	free(d);
	return rc;
}

/* scheme://host[:port][/rest]; scheme and host lowercased. */
static int
check_url(struct irt_buf *out, const char *v)
{
	const char *p = strstr(v, "://"), *h, *he, *rest;
	char *host = NULL, scheme[32];
	size_t sl, i;
	int rc;
	struct in6_addr a6;
	struct in_addr a4;

	if (p == NULL || p == v || (sl = (size_t)(p - v)) >= sizeof scheme)
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid url: expected SCHEME://HOST",
		    irt_esc(v));
	for (i = 0; i < sl; i++) {
		if (!(isalnum((unsigned char)v[i]) || v[i] == '+' ||
		        v[i] == '-' || v[i] == '.') ||
		    (i == 0 && !isalpha((unsigned char)v[i])))
			return irt_error_set(IRT_EINVAL,
			    "'%s' is not a valid url: bad scheme", irt_esc(v));
		scheme[i] = (char)tolower((unsigned char)v[i]);
	}
	scheme[sl] = '\0';
	for (i = 0; v[i]; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f)
			return irt_error_set(IRT_EINVAL,
			    "'%s' is not a valid url: it holds a space or a "
			    "control character",
			    irt_esc(v));
	h = p + 3;
	/* user info */
	rest = h + strcspn(h, "/?#");
	{
		const char *at = memchr(h, '@', (size_t)(rest - h));
		if (at != NULL)
			h = at + 1;
	}
	if (*h == '[') {
		he = memchr(h, ']', (size_t)(rest - h));
		if (he == NULL)
			return irt_error_set(IRT_EINVAL,
			    "'%s' is not a valid url: unclosed '['",
			    irt_esc(v));
		host = strndup(h + 1, (size_t)(he - h - 1));
		if (host == NULL || inet_pton(AF_INET6, host, &a6) != 1) {
			free(host);
			return irt_error_set(IRT_EINVAL,
			    "'%s' is not a valid url: bad ipv6 host",
			    irt_esc(v));
		}
		he++;
	} else {
		he = h + strcspn(h, ":/?#");
		if (he > rest)
			he = rest;
		if ((host = strndup(h, (size_t)(he - h))) == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		if (*host == '\0') {
			free(host);
			return irt_error_set(IRT_EINVAL,
			    "'%s' is not a valid url: no host", irt_esc(v));
		}
		if (!(looks_ipv4(host) && inet_pton(AF_INET, host, &a4) == 1) &&
		    (rc = check_domain_str(host, v)) != 0) {
			free(host);
			return irt_error_set(IRT_EINVAL,
			    "'%s' is not a valid url: bad host", irt_esc(v));
		}
	}
	irt_buf_clear(out);
	rc = irt_buf_printf(out, "%s://%.*s", scheme, (int)(h - p - 3), p + 3);
	if (rc == 0) {
		size_t hl = (size_t)(he - h);
		char *hs = strndup(h, hl);
		if (hs == NULL)
			rc = IRT_ENOMEM;
		else {
			lower(hs);
			rc = irt_buf_puts(out, hs);
			free(hs);
		}
	}
	if (rc == 0)
		rc = irt_buf_puts(out, he);
	free(host);
	return rc;
}

static int
check_email(struct irt_buf *out, const char *v)
{
	const char *at = strrchr(v, '@');
	char *d;
	size_t i;
	int rc;

	if (at == NULL || at == v || at[1] == '\0')
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid email: expected LOCAL@DOMAIN",
		    irt_esc(v));
	for (i = 0; v + i < at; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == '@' || v[i] == 0x7f ||
		    v[i] == '<' || v[i] == '>')
			return irt_error_set(IRT_EINVAL,
			    "'%s' is not a valid email: bad character in the "
			    "local part",
			    irt_esc(v));
	if ((d = strdup(at + 1)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if ((rc = check_domain_str(d, v)) != 0) {
		free(d);
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid email: bad domain", irt_esc(v));
	}
	irt_buf_clear(out);
	rc = irt_buf_put(out, v, (size_t)(at - v));
	if (rc == 0)
		rc = irt_buf_printf(out, "@%s", d);
	free(d);
	if (rc == 0)
		lower(out->ptr);
	return rc;
}

static int
check_hash(struct irt_buf *out, const char *v, enum irt_ioc_type t)
{
	size_t want = t == IRT_IOC_MD5 ? 32 : t == IRT_IOC_SHA1 ? 40 : 64;
	size_t n = strlen(v);

	if (!all_hex(v, n))
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid %s: it holds a character that is not "
		    "a hex digit",
		    irt_esc(v), type_names[t]);
	if (n != want)
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid %s: %zu hex digits, %zu expected",
		    irt_esc(v), type_names[t], n, want);
	irt_buf_clear(out);
	if (irt_buf_puts(out, v) != 0)
		return IRT_ENOMEM;
	lower(out->ptr);
	return 0;
}

/* Text types: no control characters but tab, a minimum length. */
static int
check_text(struct irt_buf *out, const char *v, enum irt_ioc_type t)
{
	size_t n = strlen(v), i, min = t == IRT_IOC_STRING ? 4 : 2;

	if (n < min)
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid %s: shorter than %zu characters, it "
		    "would match everywhere",
		    irt_esc(v), type_names[t], min);
	for (i = 0; i < n; i++)
		if (((unsigned char)v[i] < ' ' && v[i] != '\t') || v[i] == 0x7f)
			return irt_error_set(IRT_EINVAL,
			    "'%s' is not a valid %s: it holds a control "
			    "character",
			    irt_esc(v), type_names[t]);
	if (t == IRT_IOC_FILENAME && strchr(v, '/') != NULL)
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid filename: it holds '/' (a path is "
		    "type path)",
		    irt_esc(v));
	if (t == IRT_IOC_USER && strpbrk(v, " \t:/") != NULL)
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid user: it holds a space, ':' or '/'",
		    irt_esc(v));
	if (t == IRT_IOC_PATH && v[0] != '/' && v[0] != '*')
		return irt_error_set(IRT_EINVAL,
		    "'%s' is not a valid path: a path glob starts with '/' or "
		    "'*'",
		    irt_esc(v));
	if (t == IRT_IOC_REGEX) {
		void *re;
		char why[192];
		if (ioc_re_compile(&re, v, why, sizeof why) != 0)
			return irt_error_set(IRT_EINVAL,
			    "'%s' is not a valid regex: %s", irt_esc(v), why);
		ioc_re_free(re);
	}
	irt_buf_clear(out);
	return irt_buf_puts(out, v);
}

static int
check(struct irt_buf *out, enum irt_ioc_type t, const char *v)
{
	switch (t) {
	case IRT_IOC_IPV4:
		return check_ipv4(out, v);
	case IRT_IOC_IPV6:
		return check_ipv6(out, v);
	case IRT_IOC_CIDR:
		return check_cidr(out, v);
	case IRT_IOC_DOMAIN:
		return check_domain(out, v);
	case IRT_IOC_URL:
		return check_url(out, v);
	case IRT_IOC_EMAIL:
		return check_email(out, v);
	case IRT_IOC_MD5:
	case IRT_IOC_SHA1:
	case IRT_IOC_SHA256:
		return check_hash(out, v, t);
	default:
		return check_text(out, v, t);
	}
}

/* File extensions that are also top-level domains or look like one:
 * a dotted word ending so could be either. */
static const char *const file_exts[] = { "exe", "dll", "so", "sh", "py", "pl",
	"elf", "bin", "txt", "log", "conf", "cfg", "ps1", "bat", "js", "php",
	"jsp", "zip", "gz", "tgz", "tar", "jar", "apk", "dat", "tmp", "doc",
	"docx", "xls", "xlsx", "pdf", "rar", "7z", "lnk", "vbs", "hta", "msi",
	"out", "o", "ko", "pid", "lock", "rb", "go", "c", "md", "json", "xml",
	"html", "htm", "service", "timer", "img", "iso", "deb", "rpm", NULL };

static bool
has_file_ext(const char *v)
{
	const char *dot = strrchr(v, '.');
	size_t i;

	if (dot == NULL)
		return false;
	for (i = 0; file_exts[i] != NULL; i++)
		if (strcasecmp(dot + 1, file_exts[i]) == 0)
			return true;
	return false;
}

/* Detects the type of a refanged value. */
static int
detect(enum irt_ioc_type *t, const char *v)
{
	size_t n = strlen(v);

	if (n == 0)
		return irt_error_set(IRT_EINVAL, "empty IOC value");
	if (strstr(v, "://") != NULL)
		*t = IRT_IOC_URL;
	else if (all_hex(v, n) && n >= 30) {
		if (n == 32)
			*t = IRT_IOC_MD5;
		else if (n == 40)
			*t = IRT_IOC_SHA1;
		else if (n == 64)
			*t = IRT_IOC_SHA256;
		else
			return irt_error_set(IRT_EINVAL,
			    "'%s' looks like a hash but has %zu hex digits "
			    "(md5 32, sha1 40, sha256 64)",
			    irt_esc(v), n);
	} else if (strchr(v, '/') != NULL && v[0] != '/' && v[0] != '*' &&
	    strspn(v, "0123456789abcdefABCDEF.:/") == n)
		*t = IRT_IOC_CIDR;
	else if (looks_ipv4(v))
		*t = IRT_IOC_IPV4;
	else if (strchr(v, ':') != NULL &&
	    strspn(v, "0123456789abcdefABCDEF.:") == n)
		*t = IRT_IOC_IPV6;
	else if (v[0] == '/')
		*t = IRT_IOC_PATH;
	else if (strchr(v, '@') != NULL && strchr(v, ' ') == NULL)
		*t = IRT_IOC_EMAIL;
	else if (strchr(v, '.') != NULL && strpbrk(v, " \t/\\") == NULL &&
	    !has_file_ext(v)) {
		struct irt_buf tmp = IRT_BUF_INIT;
		int rc = check_domain(&tmp, v);
		irt_buf_release(&tmp);
		if (rc != 0)
			return irt_error_set(IRT_EAMBIGUOUS,
			    "cannot tell the type of '%s': it could be a "
			    "filename, a user or a string; give --type",
			    irt_esc(v));
		*t = IRT_IOC_DOMAIN;
	} else if (strchr(v, '.') != NULL && strpbrk(v, " \t/\\") == NULL)
		return irt_error_set(IRT_EAMBIGUOUS,
		    "cannot tell the type of '%s': it could be a domain or a "
		    "filename; give --type",
		    irt_esc(v));
	else if (strpbrk(v, " \t") != NULL)
		*t = IRT_IOC_STRING;
	else
		return irt_error_set(IRT_EAMBIGUOUS,
		    "cannot tell the type of '%s': it could be a filename, a "
		    "user or a string; give --type",
		    irt_esc(v));
	return 0;
}

int
irt_ioc_normalize(struct irt_buf *out, enum irt_ioc_type *type, const char *v)
{
	struct irt_buf r = IRT_BUF_INIT;
	int rc;

	if (strlen(v) > IRT_IOC_VALUE_MAX)
		return irt_error_set(IRT_EINVAL,
		    "IOC value longer than %d bytes", IRT_IOC_VALUE_MAX);
	/* strings, regexes, paths and file names are taken as given */
	if (*type == IRT_IOC_STRING || *type == IRT_IOC_REGEX ||
	    *type == IRT_IOC_PATH || *type == IRT_IOC_FILENAME ||
	    *type == IRT_IOC_USER) {
		rc = check(out, *type, v);
		return rc;
	}
	if ((rc = refang(&r, v)) != 0)
		return rc;
	/* until nothing changes: "[[.]]" refangs to "[.]" */
	for (;;) {
		struct irt_buf again = IRT_BUF_INIT;
		if ((rc = refang(&again, r.ptr)) != 0) {
			irt_buf_release(&r);
			return rc;
		}
		if (strcmp(again.ptr, r.ptr) == 0) {
			irt_buf_release(&again);
			break;
		}
		irt_buf_release(&r);
		r = again;
	}
	if (*type == IRT_IOC_NONE && (rc = detect(type, r.ptr)) != 0) {
		irt_buf_release(&r);
		return rc;
	}
	rc = check(out, *type, r.ptr);
	irt_buf_release(&r);
	return rc;
}

/* ---- IOC objects and sets ---- */

void
irt_ioc_release(struct irt_ioc *ioc)
{
	if (ioc == NULL)
		return;
	free(ioc->value);
	free(ioc->description);
	free(ioc->source);
	free(ioc->tlp);
	free(ioc->added);
	free(ioc->added_by);
	free(ioc->retired_at);
	free(ioc->retired_by);
	free(ioc->retired_why);
	memset(ioc, 0, sizeof *ioc);
}

static int
dupstr(char **out, const char *s)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	if ((*out = strdup(s)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	return 0;
}

static int
set_grow(struct irt_ioc_set *s)
{
	struct irt_ioc *nv;
	size_t ncap;

	if (s->n < s->cap)
		return 0;
	ncap = s->cap ? s->cap * 2 : 16;
	if ((nv = realloc(s->v, ncap * sizeof *nv)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	s->v = nv;
	s->cap = ncap;
	return 0;
}

int
irt_ioc_set_push(struct irt_ioc_set *s, const struct irt_ioc *ioc)
{
	struct irt_ioc *d;
	int rc;

	if ((rc = set_grow(s)) != 0)
		return rc;
	d = &s->v[s->n];
	memset(d, 0, sizeof *d);
	memcpy(d->id, ioc->id, sizeof d->id);
	d->type = ioc->type;
	d->retired = ioc->retired;
	if (dupstr(&d->value, ioc->value) ||
	    dupstr(&d->description, ioc->description) ||
	    dupstr(&d->source, ioc->source) || dupstr(&d->tlp, ioc->tlp) ||
	    dupstr(&d->added, ioc->added) ||
	    dupstr(&d->added_by, ioc->added_by) ||
	    dupstr(&d->retired_at, ioc->retired_at) ||
	    dupstr(&d->retired_by, ioc->retired_by) ||
	    dupstr(&d->retired_why, ioc->retired_why)) {
		irt_ioc_release(d);
		return IRT_ENOMEM;
	}
	s->n++;
	return 0;
}

long
irt_ioc_set_find(
    const struct irt_ioc_set *s, enum irt_ioc_type type, const char *value)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].type == type && strcmp(s->v[i].value, value) == 0)
			return (long)i;
	return -1;
}

int
irt_ioc_set_add(struct irt_ioc_set *s, enum irt_ioc_type type,
    const char *value, const char *description, const char *source,
    const char *tlp)
{
	struct irt_buf v = IRT_BUF_INIT;
	struct irt_ioc ioc;
	int rc;

	if ((rc = irt_ioc_normalize(&v, &type, value)) != 0) {
		irt_buf_release(&v);
		return rc;
	}
	if (tlp != NULL && *tlp != '\0' && irt_case_check_tlp(tlp) != 0) {
		irt_buf_release(&v);
		return irt_error_set(IRT_EINVAL,
		    "unknown TLP '%s' (clear, green, amber, amber+strict, red)",
		    irt_esc(tlp));
	}
	if (s->n < 4096 && irt_ioc_set_find(s, type, v.ptr) >= 0) {
		irt_buf_release(&v);
		return 0;
	}
	memset(&ioc, 0, sizeof ioc);
	ioc.type = type;
	ioc.value = v.ptr;
	ioc.description =
	    (char *)(description && *description ? description : NULL);
	ioc.source = (char *)(source && *source ? source : NULL);
	ioc.tlp = (char *)(tlp && *tlp ? tlp : NULL);
	rc = irt_ioc_set_push(s, &ioc);
	irt_buf_release(&v);
	return rc;
}

void
irt_ioc_set_release(struct irt_ioc_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		irt_ioc_release(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* ---- the record ---- */

int
irt_ioc_write(struct irt_buf *out, const struct irt_ioc *ioc)
{
	struct irt_kv kv = IRT_KV_INIT;
	int rc = 0;

	rc |= irt_kv_add(&kv, "id", ioc->id);
	rc |= irt_kv_add(&kv, "type", irt_ioc_type_name(ioc->type));
	rc |= irt_kv_add(&kv, "value", ioc->value);
	if (ioc->description)
		rc |= irt_kv_add(&kv, "description", ioc->description);
	if (ioc->source)
		rc |= irt_kv_add(&kv, "source", ioc->source);
	if (ioc->tlp)
		rc |= irt_kv_add(&kv, "tlp", ioc->tlp);
	if (ioc->added)
		rc |= irt_kv_add(&kv, "added", ioc->added);
	if (ioc->added_by)
		rc |= irt_kv_add(&kv, "added-by", ioc->added_by);
	rc |= irt_kv_add(&kv, "status", ioc->retired ? "retired" : "active");
	if (ioc->retired) {
		if (ioc->retired_at)
			rc |= irt_kv_add(&kv, "retired", ioc->retired_at);
		if (ioc->retired_by)
			rc |= irt_kv_add(&kv, "retired-by", ioc->retired_by);
		if (ioc->retired_why)
			rc |= irt_kv_add(&kv, "retired-why", ioc->retired_why);
	}
	if (rc == 0)
		rc = irt_kv_write(out, &kv);
	irt_kv_release(&kv);
	return rc ? irt_error_set(IRT_ENOMEM, "out of memory") : 0;
}

int
irt_ioc_read(
    struct irt_ioc *out, const char *data, size_t len, const char *name)
{
	struct irt_kv kv = IRT_KV_INIT;
	const char *id, *type, *value, *status;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = irt_kv_parse(&kv, data, len, name)) != 0)
		return rc;
	id = irt_kv_get(&kv, "id");
	type = irt_kv_get(&kv, "type");
	value = irt_kv_get(&kv, "value");
	status = irt_kv_get(&kv, "status");
	if (id == NULL || type == NULL || value == NULL || strlen(id) >= 32) {
		irt_kv_release(&kv);
		return irt_error_set(IRT_EPARSE,
		    "%s: an IOC record needs id, type and value",
		    irt_esc(name));
	}
	if (irt_ioc_type_parse(&out->type, type) != 0) {
		irt_kv_release(&kv);
		return irt_error_set(IRT_EPARSE, "%s: unknown IOC type '%s'",
		    irt_esc(name), irt_esc(type));
	}
	if (status != NULL && strcmp(status, "active") != 0 &&
	    strcmp(status, "retired") != 0) {
		irt_kv_release(&kv);
		return irt_error_set(IRT_EPARSE, "%s: unknown status '%s'",
		    irt_esc(name), irt_esc(status));
	}
	snprintf(out->id, sizeof out->id, "%s", id);
	out->retired = status != NULL && strcmp(status, "retired") == 0;
	rc = dupstr(&out->value, value) |
	    dupstr(&out->description, irt_kv_get(&kv, "description")) |
	    dupstr(&out->source, irt_kv_get(&kv, "source")) |
	    dupstr(&out->tlp, irt_kv_get(&kv, "tlp")) |
	    dupstr(&out->added, irt_kv_get(&kv, "added")) |
	    dupstr(&out->added_by, irt_kv_get(&kv, "added-by")) |
	    dupstr(&out->retired_at, irt_kv_get(&kv, "retired")) |
	    dupstr(&out->retired_by, irt_kv_get(&kv, "retired-by")) |
	    dupstr(&out->retired_why, irt_kv_get(&kv, "retired-why"));
	irt_kv_release(&kv);
	if (rc != 0) {
		irt_ioc_release(out);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	return 0;
}
