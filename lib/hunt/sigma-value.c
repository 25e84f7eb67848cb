/*
 * Values of Sigma rules: the modifiers of a field, the wildcards '*' and
 * '?' (with '\' escapes as the Sigma specification defines them), and
 * the patterns they compile to: literal comparisons of lower-cased text
 * (Sigma matches case-insensitively unless "cased"), globs, PCRE2
 * regular expressions with match limits, CIDR networks and numbers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "irt/escape.h"
#include "sigma-int.h"

/* Bounds on a regular expression's work per value: a pattern built to
 * backtrack is cut off (and reported) instead of running for ever. */
#define SG_RE_MATCH_LIMIT 1000000
#define SG_RE_DEPTH_LIMIT 10000
#define SG_RE_HEAP_LIMIT 65536 /* KiB */

void
sg_lower(char *d, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		d[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
}

/* ---- modifiers ---- */

static bool
mod_is(const char *m, size_t ml, const char *name)
{
	return strlen(name) == ml && memcmp(m, name, ml) == 0;
}

int
sg_mods_parse(
    struct sg_mods *m, const char *mods, size_t len, char *why, size_t wl)
{
	const char *p = mods, *end = mods + len, *bar;
	static const char *const unsupported[] = { "wide", "utf16", "utf16le",
		"utf16be", "expand", "fieldref", NULL };
	size_t ml, i;

	memset(m, 0, sizeof *m);
	m->where = P_EQ;
	while (p < end) {
		bar = memchr(p, '|', (size_t)(end - p));
		ml = bar ? (size_t)(bar - p) : (size_t)(end - p);
		if (mod_is(p, ml, "contains"))
			m->where = P_CONTAINS;
		else if (mod_is(p, ml, "startswith"))
			m->where = P_PREFIX;
		else if (mod_is(p, ml, "endswith"))
			m->where = P_SUFFIX;
		else if (mod_is(p, ml, "all"))
			m->all = true;
		else if (mod_is(p, ml, "re"))
			m->re = true;
		else if (m->re && mod_is(p, ml, "i"))
			m->re_i = true;
		else if (m->re && mod_is(p, ml, "m"))
			m->re_m = true;
		else if (m->re && mod_is(p, ml, "s"))
			m->re_s = true;
		else if (mod_is(p, ml, "cidr"))
			m->cidr = true;
		else if (mod_is(p, ml, "cased"))
			m->cased = true;
		else if (mod_is(p, ml, "exists"))
			m->exists = true;
		else if (mod_is(p, ml, "windash"))
			m->windash = true;
		else if (mod_is(p, ml, "base64"))
			m->b64 = 1;
		else if (mod_is(p, ml, "base64offset"))
			m->b64 = 2;
		else if (mod_is(p, ml, "gt") || mod_is(p, ml, "gte") ||
		    mod_is(p, ml, "lt") || mod_is(p, ml, "lte")) {
			m->num = true;
			m->cmp = p[0] == 'g' ? (ml == 2 ? CMP_GT : CMP_GTE)
			                     : (ml == 2 ? CMP_LT : CMP_LTE);
		} else {
			for (i = 0; unsupported[i] != NULL; i++)
				if (mod_is(p, ml, unsupported[i]))
					break;
			snprintf(why, wl,
			    unsupported[i] != NULL
			        ? "unsupported modifier '%.*s'"
			        : "unknown modifier '%.*s'",
			    (int)(ml > 40 ? 40 : ml), p);
			return IRT_SIGMA_SKIP_MODIFIER + 1;
		}
		p = bar ? bar + 1 : end;
	}
	if ((m->re || m->cidr || m->num || m->exists) &&
	    (m->where != P_EQ || m->b64 || m->windash)) {
		snprintf(why, wl,
		    "modifiers re, cidr, gt/gte/lt/lte and exists "
		    "take no other");
		return -1;
	}
	if ((int)m->re + (int)m->cidr + (int)m->num + (int)m->exists > 1) {
		snprintf(why, wl,
		    "modifiers re, cidr, gt/gte/lt/lte and exists exclude "
		    "each other");
		return -1;
	}
	return 0;
}

/* ---- base64 ---- */

void
sg_base64(struct irt_buf *out, const void *data, size_t len)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *d = data;
	size_t i;
	char q[4];

	for (i = 0; i + 2 < len; i += 3) {
		q[0] = tab[d[i] >> 2];
		q[1] = tab[((d[i] & 3) << 4) | (d[i + 1] >> 4)];
		q[2] = tab[((d[i + 1] & 15) << 2) | (d[i + 2] >> 6)];
		q[3] = tab[d[i + 2] & 63];
		irt_buf_put(out, q, 4);
	}
	if (len - i == 1) {
		q[0] = tab[d[i] >> 2];
		q[1] = tab[(d[i] & 3) << 4];
		q[2] = q[3] = '=';
		irt_buf_put(out, q, 4);
	} else if (len - i == 2) {
		q[0] = tab[d[i] >> 2];
		q[1] = tab[((d[i] & 3) << 4) | (d[i + 1] >> 4)];
		q[2] = tab[(d[i + 1] & 15) << 2];
		q[3] = '=';
		irt_buf_put(out, q, 4);
	}
}

/* ---- wildcards ---- */

enum { W_LIT, W_STAR, W_QMARK };

struct wtok {
	uint8_t *kind;
	char *c;
	size_t n, cap;
};

static int
wpush(struct wtok *t, int kind, char c)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		uint8_t *k = realloc(t->kind, cap);
		char *cc;
		if (k == NULL)
			return -1;
		t->kind = k;
		if ((cc = realloc(t->c, cap)) == NULL)
			return -1;
		t->c = cc;
		t->cap = cap;
	}
	if (kind == W_STAR && t->n > 0 && t->kind[t->n - 1] == W_STAR)
		return 0; /* "**" is "*" */
	t->kind[t->n] = (uint8_t)kind;
	t->c[t->n++] = c;
	return 0;
}

/* The value's characters with wildcards; literal: no wildcards. */
static int
tokenize(struct wtok *t, const char *s, size_t len, bool literal)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < len && rc == 0; i++) {
		char c = s[i];
		if (literal)
			rc = wpush(t, W_LIT, c);
		else if (c == '\\' && i + 1 < len &&
		    (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\'))
			rc = wpush(t, W_LIT, s[++i]);
		else if (c == '*')
			rc = wpush(t, W_STAR, c);
		else if (c == '?')
			rc = wpush(t, W_QMARK, c);
		else
			rc = wpush(t, W_LIT, c);
	}
	return rc;
}

struct sg_seg {
	const char *s;    /* the bytes ('?' positions hold anything) */
	const uint8_t *q; /* 1 where a '?' is; NULL when none */
	size_t len;
};

struct sg_glob {
	bool lead, trail; /* starts, ends with '*' */
	struct sg_seg *seg;
	size_t n;
};

static size_t
charlen(const char *h, size_t hl, size_t pos)
{
	size_t n = irt_utf8_seqlen((const unsigned char *)h + pos, hl - pos);

	return n ? n : 1;
}

/* The end of seg matched at pos, or (size_t)-1. */
static size_t
seg_at(const struct sg_seg *g, const char *h, size_t hl, size_t pos)
{
	size_t i;

	if (g->q == NULL) {
		if (hl - pos < g->len || memcmp(h + pos, g->s, g->len) != 0)
			return (size_t)-1;
		return pos + g->len;
	}
	for (i = 0; i < g->len; i++) {
		if (pos >= hl)
			return (size_t)-1;
		if (g->q[i])
			pos += charlen(h, hl, pos);
		else if (h[pos++] != g->s[i])
			return (size_t)-1;
	}
	return pos;
}

static bool
glob_match(const struct sg_glob *g, const char *h, size_t hl)
{
	size_t pos = 0, i = 0, e, end_i, start;

	if (!g->lead) {
		if ((e = seg_at(&g->seg[0], h, hl, 0)) == (size_t)-1)
			return false;
		pos = e;
		i = 1;
		if (g->n == 1 && !g->trail)
			return pos == hl;
	}
	end_i = g->trail ? g->n : g->n - 1;
	for (; i < end_i; i++) {
		const struct sg_seg *s = &g->seg[i];
		if (s->q == NULL) {
			const char *f = s->len == 0
			    ? h + pos
			    : memmem(h + pos, hl - pos, s->s, s->len);
			if (f == NULL)
				return false;
			pos = (size_t)(f - h) + s->len;
			continue;
		}
		for (start = pos; start < hl; start++) {
			if ((unsigned char)h[start] >= 0x80 &&
			    (unsigned char)h[start] < 0xc0 && s->q[0])
				continue; /* not at a character */
			if ((e = seg_at(s, h, hl, start)) != (size_t)-1)
				break;
		}
		if (start >= hl)
			return false;
		pos = e;
	}
	if (g->trail)
		return true;
	/* the last segment ends the value */
	{
		const struct sg_seg *s = &g->seg[g->n - 1];
		if (s->q == NULL)
			return hl - pos >= s->len &&
			    memcmp(h + hl - s->len, s->s, s->len) == 0;
		start = hl > 4 * s->len ? hl - 4 * s->len : 0;
		if (start < pos)
			start = pos;
		for (; start <= hl; start++)
			if (seg_at(s, h, hl, start) == hl)
				return true;
		return false;
	}
}

/* Compiles the tokens into p (literal text lower-cased unless cased). */
static int
compile_tokens(
    struct sg_pat *p, struct sg_arena *a, const struct wtok *t, bool cased)
{
	size_t i, lo = 0, hi = t->n, nseg = 0, j;
	bool inner = false;
	struct sg_glob *g;
	char *s;

	p->cased = cased;
	if (t->n == 1 && t->kind[0] == W_STAR) {
		p->op = P_ANY;
		return 0;
	}
	if (t->n > 0 && t->kind[0] == W_STAR)
		lo = 1;
	if (hi > lo && t->kind[hi - 1] == W_STAR)
		hi--;
	for (i = lo; i < hi; i++)
		if (t->kind[i] != W_LIT)
			inner = true;
	if (!inner) {
		if ((s = sg_alloc(a, hi - lo + 1)) == NULL)
			return -1;
		for (i = lo; i < hi; i++)
			s[i - lo] = t->c[i];
		if (!cased)
			sg_lower(s, s, hi - lo);
		s[hi - lo] = '\0';
		p->s = s;
		p->len = hi - lo;
		p->op = lo && hi < t->n ? P_CONTAINS
		    : lo                ? P_SUFFIX
		    : hi < t->n         ? P_PREFIX
		                        : P_EQ;
		return 0;
	}
	p->op = P_GLOB;
	if ((g = sg_alloc(a, sizeof *g)) == NULL)
		return -1;
	memset(g, 0, sizeof *g);
	g->lead = lo > 0;
	g->trail = hi < t->n;
	for (i = lo; i < hi; i++)
		nseg += t->kind[i] == W_STAR;
	nseg++;
	if ((g->seg = sg_alloc(a, nseg * sizeof *g->seg)) == NULL)
		return -1;
	for (i = lo; i <= hi;) {
		struct sg_seg *sg = &g->seg[g->n++];
		uint8_t *q;
		bool hasq = false;
		j = i;
		while (j < hi && t->kind[j] != W_STAR)
			hasq |= t->kind[j++] == W_QMARK;
		if ((s = sg_alloc(a, j - i + 1)) == NULL ||
		    (q = sg_alloc(a, j - i + 1)) == NULL)
			return -1;
		for (size_t k = i; k < j; k++) {
			s[k - i] = t->c[k];
			q[k - i] = t->kind[k] == W_QMARK;
		}
		if (!cased)
			sg_lower(s, s, j - i);
		sg->s = s;
		sg->len = j - i;
		sg->q = hasq ? q : NULL;
		i = j + 1;
	}
	p->glob = g;
	return 0;
}

/* ---- scalars ---- */

/* The text a scalar stands for: booleans as "true"/"false", integers in
 * decimal (PyYAML reads 0x1f and 017 as numbers). */
static const char *
scalar_text(const struct ynode *v, char *buf, size_t bl, size_t *len)
{
	if (v->type == Y_BOOL) {
		bool t = strchr("yYtToO", v->s[0]) != NULL &&
		    !(v->s[0] == 'o' || v->s[0] == 'O'
		            ? (v->s[1] == 'f' || v->s[1] == 'F')
		            : false);
		snprintf(buf, bl, "%s", t ? "true" : "false");
		*len = strlen(buf);
		return buf;
	}
	if (v->type == Y_INT) {
		char clean[80], *end;
		size_t i, n = 0;
		long long x;
		for (i = 0; i < v->len && n + 1 < sizeof clean; i++)
			if (v->s[i] != '_')
				clean[n++] = v->s[i];
		clean[n] = '\0';
		errno = 0;
		{
			const char *c = clean;
			int sign = 1;
			if (*c == '-' || *c == '+')
				sign = *c++ == '-' ? -1 : 1;
			if (c[0] == '0' && c[1] == 'b')
				x = strtoll(c + 2, &end, 2);
			else if (c[0] == '0' && (c[1] == 'x' || c[1] == 'X'))
				x = strtoll(c + 2, &end, 16);
			else if (c[0] == '0' && c[1] != '\0')
				x = strtoll(c + 1, &end, 8);
			else
				x = strtoll(c, &end, 10);
			if (*end == '\0' && errno == 0) {
				snprintf(buf, bl, "%lld", sign * x);
				*len = strlen(buf);
				return buf;
			}
		}
	}
	*len = v->len;
	return v->s;
}

static bool
as_number(const struct ynode *v, double *d)
{
	char nbuf[80], *end;
	const char *s;
	size_t len;

	if (v->kind != Y_SCALAR || v->len == 0 || v->len > 64 ||
	    v->type == Y_BOOL || v->type == Y_NULL)
		return false;
	s = scalar_text(v, nbuf, sizeof nbuf, &len);
	errno = 0;
	*d = strtod(s, &end);
	return end != s && *end == '\0' && errno == 0 && isfinite(*d);
}

static int
compile_re(struct sg_pat *p, const struct sg_mods *m, const char *s, size_t len,
    char *why, size_t wl)
{
	uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	pcre2_code *re;
	pcre2_match_context *mc;
	int err;
	PCRE2_SIZE off;
	PCRE2_UCHAR msg[160];

	if (m->re_i)
		flags |= PCRE2_CASELESS;
	if (m->re_m)
		flags |= PCRE2_MULTILINE;
	if (m->re_s)
		flags |= PCRE2_DOTALL;
	re = pcre2_compile((PCRE2_SPTR)s, len, flags, &err, &off, NULL);
	if (re == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		snprintf(why, wl, "regular expression: %s at offset %zu",
		    (const char *)msg, (size_t)off);
		return -1;
	}
	/* JIT where the platform has it; the interpreter otherwise */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	p->re = re;
	if ((p->re_match = pcre2_match_data_create_from_pattern(re, NULL)) ==
	        NULL ||
	    (mc = pcre2_match_context_create(NULL)) == NULL) {
		snprintf(why, wl, "out of memory");
		return -1;
	}
	pcre2_set_match_limit(mc, SG_RE_MATCH_LIMIT);
	pcre2_set_depth_limit(mc, SG_RE_DEPTH_LIMIT);
	pcre2_set_heap_limit(mc, SG_RE_HEAP_LIMIT);
	p->re_ctx = mc;
	p->op = P_RE;
	p->cased = true;
	return 0;
}

static int
compile_cidr(struct sg_pat *p, const char *s, size_t len, char *why, size_t wl)
{
	char buf[64], *slash, *end;
	long bits;

	if (len >= sizeof buf)
		goto bad;
	memcpy(buf, s, len);
	buf[len] = '\0';
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->family = 4;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->family = 6;
	else
		goto bad;
	bits = p->family == 4 ? 32 : 128;
	if (slash != NULL) {
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || bits < 0 ||
		    bits > (p->family == 4 ? 32 : 128))
			goto bad;
	}
	p->bits = (unsigned)bits;
	p->op = P_CIDR;
	return 0;
bad:
	snprintf(why, wl, "not a CIDR network: '%.*s'",
	    (int)(len > 60 ? 60 : len), s);
	return -1;
}

static int
add_alt(struct sg_value *v, struct sg_arena *a, struct sg_pat **out)
{
	struct sg_pat *np = realloc(v->alt, (v->nalt + 1) * sizeof *np);

	(void)a;
	if (np == NULL)
		return -1;
	v->alt = np;
	*out = &np[v->nalt++];
	memset(*out, 0, sizeof **out);
	return 0;
}

static int
literal_alt(struct sg_value *v, struct sg_arena *a, const struct sg_mods *m,
    const char *s, size_t len, bool literal, char *why, size_t wl)
{
	struct wtok t = { NULL, NULL, 0, 0 };
	struct sg_pat *p;
	int rc = -1;

	if (add_alt(v, a, &p) != 0)
		goto oom;
	if (m->where == P_CONTAINS || m->where == P_SUFFIX)
		if (wpush(&t, W_STAR, '*') != 0)
			goto oom;
	if (tokenize(&t, s, len, literal) != 0)
		goto oom;
	if (m->where == P_CONTAINS || m->where == P_PREFIX)
		if (wpush(&t, W_STAR, '*') != 0)
			goto oom;
	if (compile_tokens(p, a, &t, m->cased) != 0)
		goto oom;
	rc = 0;
	goto out;
oom:
	snprintf(why, wl, "out of memory");
out:
	free(t.kind);
	free(t.c);
	return rc;
}

static bool
has_wildcard(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len &&
		    (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\'))
			i++;
		else if (s[i] == '*' || s[i] == '?')
			return true;
	}
	return false;
}

/* The value without its escapes (no wildcards in it). */
static size_t
unescape(char *d, const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len &&
		    (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\'))
			i++;
		d[n++] = s[i];
	}
	return n;
}

static int
oom(char *why, size_t wl)
{
	snprintf(why, wl, "out of memory");
	return -1;
}

/* base64 and base64offset of one value (its escapes undone). */
static int
b64_alts(struct sg_value *v, struct sg_arena *a, const struct sg_mods *m,
    const char *s, size_t len, char *why, size_t wl)
{
	struct irt_buf raw = IRT_BUF_INIT, enc = IRT_BUF_INIT;
	static const size_t start[3] = { 0, 2, 3 };
	static const size_t cut[3] = { 0, 3, 2 };
	int rc = 0;
	size_t i, n;
	if (has_wildcard(s, len)) {
		snprintf(why, wl, "base64 of a value with wildcards");
		return -1;
	}
	if (irt_buf_grow(&raw, len + 2) != 0)
		return oom(why, wl);
	for (i = 0; i < (m->b64 == 2 ? 3u : 1u) && rc == 0; i++) {
		irt_buf_clear(&raw);
		irt_buf_put(&raw, "  ", i);
		n = unescape(raw.ptr + raw.len, s, len);
		raw.len += n;
		irt_buf_clear(&enc);
		sg_base64(&enc, raw.ptr, raw.len);
		if (m->b64 == 2) {
			/* the offset of the value in a longer encoded
			 * text: drop what depends on its neighbours */
			size_t lo = start[i], hi = enc.len - cut[(n + i) % 3];
			if (hi <= lo)
				continue;
			rc = literal_alt(
			    v, a, m, enc.ptr + lo, hi - lo, true, why, wl);
		} else
			rc = literal_alt(
			    v, a, m, enc.ptr, enc.len, true, why, wl);
	}
	irt_buf_release(&raw);
	irt_buf_release(&enc);
	if (rc == 0 && v->nalt == 0) {
		snprintf(why, wl, "base64offset of an empty value");
		return -1;
	}
	return rc;
}

static bool
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/*
 * windash: every '-' or '/' that starts an option ("\B[-/]\b") may be
 * any of the dashes Windows programs accept; the value becomes each
 * combination (at most 4 such places, 625 variants).
 */
static int
windash_alts(struct sg_value *v, struct sg_arena *a, const struct sg_mods *m,
    const char *s, size_t len, char *why, size_t wl)
{
	static const char *const dash[5] = { "-", "/", "\xe2\x80\x93",
		"\xe2\x80\x94", "\xe2\x80\x95" };
	struct irt_buf b = IRT_BUF_INIT;
	size_t pos[4], np = 0, i, k, combos = 1;
	int rc = 0;

	for (i = 0; i < len; i++) {
		if ((s[i] != '-' && s[i] != '/') || i + 1 >= len ||
		    !word_char(s[i + 1]) || (i > 0 && word_char(s[i - 1])))
			continue;
		if (np == 4) {
			snprintf(why, wl,
			    "windash with more than 4 options in a value");
			return IRT_SIGMA_SKIP_MODIFIER + 1;
		}
		pos[np++] = i;
		combos *= 5;
	}
	for (k = 0; k < combos && rc == 0; k++) {
		size_t c = k, j = 0, last = 0;
		irt_buf_clear(&b);
		for (j = 0; j < np; j++) {
			irt_buf_put(&b, s + last, pos[j] - last);
			irt_buf_puts(&b, dash[c % 5]);
			c /= 5;
			last = pos[j] + 1;
		}
		irt_buf_put(&b, s + last, len - last);
		if (b.ptr == NULL) {
			rc = oom(why, wl);
			break;
		}
		rc = m->b64
		    ? b64_alts(v, a, m, b.ptr, b.len, why, wl)
		    : literal_alt(v, a, m, b.ptr, b.len, false, why, wl);
	}
	irt_buf_release(&b);
	return rc;
}

int
sg_value_compile(struct sg_value *v, struct sg_arena *a,
    const struct sg_mods *m, const struct ynode *val, char *why, size_t wl)
{
	struct sg_pat *p;
	char nbuf[80];
	const char *s;
	size_t len;
	double d;

	memset(v, 0, sizeof *v);
	if (val->kind != Y_SCALAR) {
		snprintf(why, wl, "a value that is not a scalar");
		return -1;
	}
	if (val->type == Y_NULL && !m->exists) {
		snprintf(why, wl, "null value");
		return IRT_SIGMA_SKIP_NULL + 1;
	}
	s = scalar_text(val, nbuf, sizeof nbuf, &len);
	if (m->exists) {
		bool t = len == 4 && strncasecmp(s, "true", 4) == 0;
		if (!t && !(len == 5 && strncasecmp(s, "false", 5) == 0)) {
			snprintf(why, wl, "exists takes true or false");
			return -1;
		}
		if (add_alt(v, a, &p) != 0)
			goto oom;
		p->op = P_ANY;
		p->ival = t;
		return 0;
	}
	if (m->num) {
		if (!as_number(val, &d)) {
			snprintf(why, wl, "gt, gte, lt and lte take a number");
			return -1;
		}
		if (add_alt(v, a, &p) != 0)
			goto oom;
		p->op = P_NUM;
		p->cmp = m->cmp;
		p->num = d;
		return 0;
	}
	if (m->cidr) {
		if (add_alt(v, a, &p) != 0)
			goto oom;
		return compile_cidr(p, s, len, why, wl);
	}
	if (m->re) {
		if (add_alt(v, a, &p) != 0)
			goto oom;
		return compile_re(p, m, s, len, why, wl);
	}
	if (m->windash)
		return windash_alts(v, a, m, s, len, why, wl);
	if (m->b64)
		return b64_alts(v, a, m, s, len, why, wl);
	if (val->type == Y_INT && m->where == P_EQ) {
		char *end;
		if (add_alt(v, a, &p) != 0)
			goto oom;
		p->op = P_INT;
		errno = 0;
		p->ival = strtoll(s, &end, 10);
		if (*end != '\0' || errno != 0)
			p->op = P_EQ;
		if ((p->s = sg_strndup(a, s, len)) == NULL)
			goto oom;
		p->len = len;
		return 0;
	}
	return literal_alt(v, a, m, s, len, false, why, wl);
oom:
	snprintf(why, wl, "out of memory");
	return -1;
}

void
sg_value_release(struct sg_value *v)
{
	size_t i;

	for (i = 0; i < v->nalt; i++) {
		if (v->alt[i].re_match != NULL)
			pcre2_match_data_free(v->alt[i].re_match);
		if (v->alt[i].re_ctx != NULL)
			pcre2_match_context_free(v->alt[i].re_ctx);
		if (v->alt[i].re != NULL)
			pcre2_code_free(v->alt[i].re);
	}
	free(v->alt);
	memset(v, 0, sizeof *v);
}

/* ---- matching ---- */

static bool
parse_num(const char *s, size_t len, double *d)
{
	char buf[72], *end;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*d = strtod(buf, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	return *end == '\0' && errno == 0 && isfinite(*d);
}

static bool
cidr_match(const struct sg_pat *p, const char *s, size_t len)
{
	char buf[64];
	uint8_t ip[16];
	unsigned full, rest;

	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (p->family == 4) {
		if (inet_pton(AF_INET, buf, ip) != 1) {
			/* ::ffff:a.b.c.d */
			uint8_t v6[16];
			static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0,
				0, 0, 0, 0xff, 0xff };
			if (inet_pton(AF_INET6, buf, v6) != 1 ||
			    memcmp(v6, mapped, 12) != 0)
				return false;
			memcpy(ip, v6 + 12, 4);
		}
	} else if (inet_pton(AF_INET6, buf, ip) != 1)
		return false;
	full = p->bits / 8;
	rest = p->bits % 8;
	if (memcmp(ip, p->addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((ip[full] ^ p->addr[full]) & (0xff00 >> rest)) == 0;
}

size_t
sg_pat_anchor(const struct sg_pat *p, char *buf, size_t cap)
{
	const char *best = NULL;
	size_t bl = 0, i, j, k;

	switch (p->op) {
	case P_EQ:
	case P_PREFIX:
	case P_SUFFIX:
	case P_CONTAINS:
		best = p->s;
		bl = p->len;
		break;
	case P_GLOB:
		/* the longest run of literal bytes */
		for (i = 0; i < p->glob->n; i++) {
			const struct sg_seg *g = &p->glob->seg[i];
			for (j = 0; j < g->len; j = k + 1) {
				for (k = j; k < g->len && !(g->q && g->q[k]);
				     k++)
					;
				if (k - j > bl) {
					best = g->s + j;
					bl = k - j;
				}
			}
		}
		break;
	default:
		return 0;
	}
	if (bl > cap)
		bl = cap;
	if (bl > 0)
		sg_lower(buf, best, bl);
	return bl;
}

int
sg_pat_match(const struct sg_pat *p, const struct sg_val *v)
{
	const char *s = v->s, *lc = v->lc;
	size_t len = v->len;
	const char *h = p->cased ? s : lc;
	double d;
	int rc;

	/* the prefilter: the anchor is not in the value */
	if (p->anchor > 0 && v->bits != NULL) {
		if (!(v->bits[(p->anchor - 1) >> 3] &
		        (1u << ((p->anchor - 1) & 7))))
			return M_NO;
		if (p->whole)
			return M_YES;
	}

	switch (p->op) {
	case P_EQ:
		return len == p->len && memcmp(h, p->s, len) == 0;
	case P_PREFIX:
		return len >= p->len && memcmp(h, p->s, p->len) == 0;
	case P_SUFFIX:
		return len >= p->len &&
		    memcmp(h + len - p->len, p->s, p->len) == 0;
	case P_CONTAINS:
		return p->len == 0 || memmem(h, len, p->s, p->len) != NULL;
	case P_ANY:
		return M_YES;
	case P_GLOB:
		return glob_match(p->glob, h, len);
	case P_INT:
		if (len == p->len && memcmp(lc, p->s, len) == 0)
			return M_YES;
		return parse_num(s, len, &d) && d == (double)p->ival &&
		    memchr(s, '.', len) == NULL;
	case P_NUM:
		if (!parse_num(s, len, &d))
			return M_NO;
		switch (p->cmp) {
		case CMP_GT:
			return d > p->num;
		case CMP_GTE:
			return d >= p->num;
		case CMP_LT:
			return d < p->num;
		default:
			return d <= p->num;
		}
	case P_CIDR:
		return cidr_match(p, s, len);
	case P_RE:
		rc = pcre2_match(p->re, (PCRE2_SPTR)(len ? s : ""), len, 0, 0,
		    p->re_match, p->re_ctx);
		if (rc >= 0)
			return M_YES;
		if (rc == PCRE2_ERROR_MATCHLIMIT ||
		    rc == PCRE2_ERROR_DEPTHLIMIT ||
		    rc == PCRE2_ERROR_HEAPLIMIT ||
		    rc == PCRE2_ERROR_JIT_STACKLIMIT ||
		    rc == PCRE2_ERROR_NOMEMORY)
			return M_CUTOFF;
		return M_NO;
	}
	return M_NO;
}
