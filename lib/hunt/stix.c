/*
 * STIX 2.1 patterns, the part IOC exchange uses: comparisons of an
 * observable's value with '=' joined by OR, in one or more observation
 * expressions also joined by OR:
 *
 *   [ipv4-addr:value = '203.0.113.9' OR domain-name:value = 'x.test']
 *   [file:hashes.'SHA-256' = '...'] OR [url:value = 'http://x.test/']
 *
 * Anything else (AND, FOLLOWEDBY, qualifiers, other operators and
 * object paths) is refused with its offset: it is no single value an
 * IOC can hold.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/ioc.h"
#include "hunt-int.h"

struct lex {
	const char *s, *p;
};

static void
ws(struct lex *l)
{
	while (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r')
		l->p++;
}

static int
fail(struct lex *l, const char *what)
{
	return irt_error_set(IRT_EINVAL, "STIX pattern: %s at offset %zu", what,
	    (size_t)(l->p - l->s));
}

/* A keyword (case-sensitive as STIX says), followed by a non-word. */
static bool
keyword(struct lex *l, const char *kw)
{
	size_t n = strlen(kw);

	ws(l);
	if (strncmp(l->p, kw, n) == 0 &&
	    !(isalnum((unsigned char)l->p[n]) || l->p[n] == '_')) {
		l->p += n;
		return true;
	}
	return false;
}

/* A quoted string: 'text' with \' and \\ escapes. */
static int
string(struct lex *l, struct irt_buf *out)
{
	ws(l);
	if (*l->p != '\'')
		return fail(l, "a quoted string expected");
	l->p++;
	irt_buf_clear(out);
	for (;;) {
		char c = *l->p;
		if (c == '\0')
			return fail(l, "unterminated string");
		l->p++;
		if (c == '\'')
			break;
		if (c == '\\') {
			if (*l->p != '\'' && *l->p != '\\')
				return fail(l, "bad escape in a string");
			c = *l->p++;
		}
		if (irt_buf_putc(out, c) != 0)
			return IRT_ENOMEM;
	}
	if (out->ptr == NULL && irt_buf_grow(out, 1) != 0)
		return IRT_ENOMEM;
	return 0;
}

static const struct {
	const char *path;
	enum irt_ioc_type type;
} paths[] = {
	{ "ipv4-addr:value", IRT_IOC_IPV4 },
	{ "ipv6-addr:value", IRT_IOC_IPV6 },
	{ "domain-name:value", IRT_IOC_DOMAIN },
	{ "url:value", IRT_IOC_URL },
	{ "email-addr:value", IRT_IOC_EMAIL },
	{ "file:name", IRT_IOC_FILENAME },
	{ "file:hashes.'SHA-256'", IRT_IOC_SHA256 },
	{ "file:hashes.SHA256", IRT_IOC_SHA256 },
	{ "file:hashes.'SHA256'", IRT_IOC_SHA256 },
	{ "file:hashes.'SHA-1'", IRT_IOC_SHA1 },
	{ "file:hashes.SHA1", IRT_IOC_SHA1 },
	{ "file:hashes.'SHA1'", IRT_IOC_SHA1 },
	{ "file:hashes.MD5", IRT_IOC_MD5 },
	{ "file:hashes.'MD5'", IRT_IOC_MD5 },
};

static int
comparison(struct lex *l, struct irt_ioc_set *s, const char *desc,
    const char *source, struct irt_buf *v)
{
	const char *start;
	enum irt_ioc_type t = IRT_IOC_NONE;
	size_t i, n;
	int rc;

	ws(l);
	start = l->p;
	/* the object path: up to white space or an operator */
	while (*l->p && !isspace((unsigned char)*l->p) && *l->p != '=' &&
	    *l->p != '!' && *l->p != '<' && *l->p != '>' && *l->p != ']') {
		if (*l->p == '\'') {
			/* a quoted path step: 'SHA-256' */
			l->p++;
			while (*l->p && *l->p != '\'')
				l->p++;
			if (*l->p == '\0')
				return fail(l, "unterminated path step");
		}
		l->p++;
	}
	n = (size_t)(l->p - start);
	if (n == 0)
		return fail(l, "an object path expected");
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++)
		if (strlen(paths[i].path) == n &&
		    strncmp(paths[i].path, start, n) == 0)
			t = paths[i].type;
	if (t == IRT_IOC_NONE) {
		l->p = start;
		return irt_error_set(IRT_EINVAL,
		    "STIX pattern: object path '%.*s' is not supported at "
		    "offset %zu",
		    (int)(n > 80 ? 80 : n), irt_esc(start) /* escaped */,
		    (size_t)(start - l->s));
	}
	ws(l);
	if (*l->p != '=')
		return fail(l, "only '=' comparisons are supported");
	l->p++;
	if ((rc = string(l, v)) != 0)
		return rc;
	/* an ipv4-addr or ipv6-addr value may be a CIDR block */
	if ((t == IRT_IOC_IPV4 || t == IRT_IOC_IPV6) && strchr(v->ptr, '/'))
		t = IRT_IOC_CIDR;
	return irt_ioc_set_add(s, t, v->ptr, desc, source, NULL);
}

int
irt_stix_pattern_parse(struct irt_ioc_set *s, const char *pattern,
    const char *description, const char *source)
{
	struct lex l = { pattern, pattern };
	struct irt_buf v = IRT_BUF_INIT;
	struct irt_ioc_set tmp = IRT_IOC_SET_INIT;
	size_t i;
	int rc = 0;

	/* parse into tmp first: all or nothing */
	for (;;) {
		ws(&l);
		if (*l.p != '[') {
			rc = fail(&l, "'[' expected");
			break;
		}
		l.p++;
		for (;;) {
			if ((rc = comparison(
			         &l, &tmp, description, source, &v)) != 0)
				break;
			if (keyword(&l, "OR"))
				continue;
			ws(&l);
			if (*l.p == ']')
				break;
			if (keyword(&l, "AND"))
				rc = irt_error_set(IRT_EINVAL,
				    "STIX pattern: AND at offset %zu: only "
				    "comparisons joined by OR are supported",
				    (size_t)(l.p - 3 - l.s));
			else
				rc = fail(&l, "OR or ']' expected");
			break;
		}
		if (rc != 0)
			break;
		l.p++; /* ] */
		ws(&l);
		if (*l.p == '\0')
			break;
		if (!keyword(&l, "OR")) {
			rc = fail(&l,
			    "only observations joined by OR are "
			    "supported");
			break;
		}
	}
	for (i = 0; rc == 0 && i < tmp.n; i++)
		if (irt_ioc_set_find(s, tmp.v[i].type, tmp.v[i].value) < 0)
			rc = irt_ioc_set_push(s, &tmp.v[i]);
	irt_ioc_set_release(&tmp);
	irt_buf_release(&v);
	return rc;
}
