/*
 * The compiled IOC set: every literal pattern in one Aho-Corasick
 * automaton (one pass over a text finds them all), IPs and CIDRs as
 * sorted ranges of 128-bit addresses, hashes, literal paths, file names
 * and users in hash sets, path globs and regexes apart.
 *
 * The automaton runs on bytes folded to classes: ASCII letters to lower
 * case, bytes that occur in no pattern to one class.  Its table is full
 * (a state and a class give the next state in one load), each entry
 * with a bit telling that the state ends a pattern.  A hit is then
 * checked: exact bytes for case-sensitive types, and the characters
 * around it for types with word boundaries (a domain does not match
 * inside a longer name).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "irt/error.h"
#include "irt/hash.h"
#include "hunt-int.h"
#include "util/internal.h"

/* Boundary rules. */
enum {
	B_NONE,
	B_DOMAIN, /* not inside a longer host name */
	B_EMAIL,
	B_IPV4,
	B_IPV6,
	B_WORD, /* users and file names */
};

struct pat {
	size_t ioc;
	const char *text; /* the IOC's canonical value */
	uint32_t len;
	uint8_t bound;
	bool exact;        /* case-sensitive */
	bool content_only; /* IPs: events go through the IP tokenizer */
	uint32_t next;     /* next pattern ending at the same state, +1 */
};

/* A set of strings: open addressing, values are IOC indexes. */
struct sset {
	uint32_t *slot; /* index + 1, 0: empty */
	size_t mask;
	const char **key;
	size_t *ioc;
	size_t n, cap;
};

struct range {
	unsigned char lo[16], hi[16];
	size_t ioc;
};

struct ioc_matcher {
	const struct irt_ioc_set *set;
	/* automaton */
	uint8_t cls[256];
	unsigned ncls;
	uint32_t *delta; /* (state << 1 | ends) by state * ncls + class */
	uint32_t *first; /* first pattern ending at a state, +1 */
	uint32_t *dict;  /* nearest proper suffix state with patterns */
	uint32_t nstates;
	struct pat *pat;
	size_t npat;
	uint32_t maxlen;
	/* sets */
	struct sset hashes, paths, names, users;
	unsigned algs;
	struct range *ranges;
	size_t nranges;
	unsigned char *maxhi; /* prefix maximum of hi, 16 bytes each */
	size_t *globs;
	size_t nglobs;
	pcre2_code **re;
	size_t *re_ioc;
	size_t nre;
	pcre2_match_data *re_md;
	pcre2_match_context *re_mc;
	uint64_t re_cut; /* matches cut off by the limits */
};

/*
 * The bounds of one regex match: an IOC regex is somebody's input, and
 * a catastrophic one (nested quantifiers over a long line) must cost a
 * bounded time per event, not hang the hunt.
 */
#define IOC_RE_MATCH_LIMIT 200000
#define IOC_RE_DEPTH_LIMIT 2000
#define IOC_RE_HEAP_LIMIT (16 * 1024) /* KiB */
#define IOC_RE_MAX_PATTERN 4096

int
ioc_re_compile(void **out, const char *v, char *why, size_t wl)
{
	pcre2_compile_context *cc;
	pcre2_code *re;
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	int err;

	*out = NULL;
	if ((cc = pcre2_compile_context_create(NULL)) == NULL) {
		snprintf(why, wl, "out of memory");
		return -1;
	}
	pcre2_set_max_pattern_length(cc, IOC_RE_MAX_PATTERN);
	re = pcre2_compile(
	    (PCRE2_SPTR)v, PCRE2_ZERO_TERMINATED, 0, &err, &off, cc);
	pcre2_compile_context_free(cc);
	if (re == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		snprintf(why, wl, "%s at offset %zu", (const char *)msg,
		    (size_t)off);
		return -1;
	}
	/* JIT where the platform has it; the interpreter otherwise */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	*out = re;
	return 0;
}

void
ioc_re_free(void *re)
{
	pcre2_code_free(re);
}

uint64_t
ioc_matcher_re_cut(const struct ioc_matcher *m)
{
	return m->re_cut;
}

/* ---- string sets ---- */

static int
sset_add(struct sset *s, const char *key, size_t ioc)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		const char **nk = realloc(s->key, nc * sizeof *nk);
		size_t *ni;
		if (nk == NULL)
			return IRT_ENOMEM;
		s->key = nk;
		if ((ni = realloc(s->ioc, nc * sizeof *ni)) == NULL)
			return IRT_ENOMEM;
		s->ioc = ni;
		s->cap = nc;
	}
	s->key[s->n] = key;
	s->ioc[s->n] = ioc;
	s->n++;
	return 0;
}

static int
sset_build(struct sset *s)
{
	size_t size = 16, i, j;

	while (size < s->n * 2)
		size *= 2;
	free(s->slot);
	if ((s->slot = calloc(size, sizeof *s->slot)) == NULL)
		return IRT_ENOMEM;
	s->mask = size - 1;
	for (i = 0; i < s->n; i++) {
		j = irt_fnv64(s->key[i], strlen(s->key[i])) & s->mask;
		while (s->slot[j] != 0)
			j = (j + 1) & s->mask;
		s->slot[j] = (uint32_t)(i + 1);
	}
	return 0;
}

/* Calls fn for every IOC whose key is s[0..n). */
static int
sset_find(const struct irt_ioc_set *set, const struct sset *s, const char *k,
    size_t n, ioc_hit_fn fn, void *arg)
{
	size_t j;
	uint32_t v;
	int rc;

	(void)set;
	if (s->n == 0)
		return 0;
	for (j = irt_fnv64(k, n) & s->mask; (v = s->slot[j]) != 0;
	     j = (j + 1) & s->mask) {
		const char *key = s->key[v - 1];
		if (strncmp(key, k, n) == 0 && key[n] == '\0' &&
		    (rc = fn(arg, s->ioc[v - 1], k, n, 0)) != 0)
			return rc;
	}
	return 0;
}

static void
sset_release(struct sset *s)
{
	free(s->slot);
	free(s->key);
	free(s->ioc);
}

/* ---- IP ranges ---- */

static bool
ip_parse(unsigned char a[16], const char *s, size_t n)
{
	char buf[64];
	unsigned char v4[4];

	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, v4) == 1) {
		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
		memcpy(a + 12, v4, 4);
		return true;
	}
	return inet_pton(AF_INET6, buf, a) == 1;
}

static int
range_cmp(const void *x, const void *y)
{
	const struct range *a = x, *b = y;

	return memcmp(a->lo, b->lo, 16);
}

static int
add_range(struct ioc_matcher *m, size_t i, const char *v, bool cidr)
{
	struct range r, *nr;
	const char *slash = cidr ? strchr(v, '/') : NULL;
	unsigned bits, b;
	bool v4 = strchr(v, ':') == NULL;

	if (!ip_parse(r.lo, v, slash ? (size_t)(slash - v) : strlen(v)))
		return 0;
	bits = slash ? (unsigned)atoi(slash + 1) : 128;
	if (slash && v4)
		bits += 96;
	memcpy(r.hi, r.lo, 16);
	for (b = bits; b < 128; b++) {
		r.lo[b / 8] &= (unsigned char)~(0x80 >> (b % 8));
		r.hi[b / 8] |= (unsigned char)(0x80 >> (b % 8));
	}
	r.ioc = i;
	if ((nr = realloc(m->ranges, (m->nranges + 1) * sizeof *nr)) == NULL)
		return IRT_ENOMEM;
	m->ranges = nr;
	m->ranges[m->nranges++] = r;
	return 0;
}

/* ---- building ---- */

static void
pat_rule(struct pat *p, enum irt_ioc_type t)
{
	p->exact = false;
	p->content_only = false;
	switch (t) {
	case IRT_IOC_DOMAIN:
		p->bound = B_DOMAIN;
		break;
	case IRT_IOC_EMAIL:
		p->bound = B_EMAIL;
		break;
	case IRT_IOC_IPV4:
		p->bound = B_IPV4;
		p->content_only = true;
		break;
	case IRT_IOC_IPV6:
		p->bound = B_IPV6;
		p->content_only = true;
		break;
	case IRT_IOC_USER:
	case IRT_IOC_FILENAME:
		p->bound = B_WORD;
		p->exact = true;
		break;
	case IRT_IOC_STRING:
		p->bound = B_NONE;
		p->exact = true;
		break;
	default:
		p->bound = B_NONE;
	}
}

static bool
literal_type(enum irt_ioc_type t)
{
	return t == IRT_IOC_DOMAIN || t == IRT_IOC_URL || t == IRT_IOC_EMAIL ||
	    t == IRT_IOC_STRING || t == IRT_IOC_USER || t == IRT_IOC_FILENAME ||
	    t == IRT_IOC_IPV4 || t == IRT_IOC_IPV6;
}

static int
build_automaton(struct ioc_matcher *m)
{
	const struct irt_ioc_set *s = m->set;
	size_t i, total = 1, head, tail;
	uint32_t *queue = NULL, *fail = NULL, st, nx;
	bool used[256];
	unsigned c, k;

	memset(used, 0, sizeof used);
	for (i = 0; i < s->n; i++) {
		const char *v = s->v[i].value;
		if (!literal_type(s->v[i].type))
			continue;
		for (; *v; v++)
			used[tolower((unsigned char)*v)] = true;
		total += strlen(s->v[i].value);
		m->npat++;
	}
	/* classes: 0 for bytes in no pattern */
	m->ncls = 1;
	for (c = 0; c < 256; c++)
		if (used[c])
			m->cls[c] = (uint8_t)m->ncls++;
	for (c = 0; c < 256; c++)
		m->cls[c] = m->cls[tolower((int)c)];
	if (m->ncls > 256)
		m->ncls = 256;
	if (total > (1u << 30) / m->ncls)
		return irt_error_set(IRT_EINVAL, "too many literal IOCs");
	m->pat = calloc(m->npat ? m->npat : 1, sizeof *m->pat);
	m->delta = calloc(total * m->ncls, sizeof *m->delta);
	m->first = calloc(total, sizeof *m->first);
	m->dict = calloc(total, sizeof *m->dict);
	fail = calloc(total, sizeof *fail);
	queue = malloc(total * sizeof *queue);
	if (m->pat == NULL || m->delta == NULL || m->first == NULL ||
	    m->dict == NULL || fail == NULL || queue == NULL) {
		free(fail);
		free(queue);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	/* the trie; delta holds children as (state << 1) */
	m->nstates = 1;
	m->npat = 0;
	for (i = 0; i < s->n; i++) {
		const unsigned char *v = (const unsigned char *)s->v[i].value;
		struct pat *p;
		size_t len = strlen((const char *)v);
		if (!literal_type(s->v[i].type) || len == 0)
			continue;
		for (st = 0; *v; v++) {
			uint32_t *e =
			    &m->delta[(size_t)st * m->ncls + m->cls[*v]];
			if (*e == 0)
				*e = m->nstates++ << 1;
			st = *e >> 1;
		}
		p = &m->pat[m->npat];
		p->ioc = i;
		p->text = s->v[i].value;
		p->len = (uint32_t)len;
		pat_rule(p, s->v[i].type);
		p->next = m->first[st];
		m->first[st] = (uint32_t)++m->npat;
		if (len > m->maxlen)
			m->maxlen = (uint32_t)len;
	}
	/* failure links breadth first, completing the table */
	head = tail = 0;
	for (k = 0; k < m->ncls; k++)
		if ((nx = m->delta[k] >> 1) != 0) {
			fail[nx] = 0;
			queue[tail++] = nx;
		}
	while (head < tail) {
		uint32_t f;
		st = queue[head++];
		f = fail[st];
		m->dict[st] = m->first[f] ? f : m->dict[f];
		for (k = 0; k < m->ncls; k++) {
			uint32_t *e = &m->delta[(size_t)st * m->ncls + k];
			uint32_t fe = m->delta[(size_t)f * m->ncls + k] >> 1;
			if (*e != 0) {
				fail[*e >> 1] = fe;
				queue[tail++] = *e >> 1;
			} else
				*e = fe << 1;
		}
	}
	/* the "ends a pattern" bit on every entry */
	for (i = 0; i < (size_t)m->nstates * m->ncls; i++) {
		nx = m->delta[i] >> 1;
		if (m->first[nx] || m->dict[nx])
			m->delta[i] |= 1;
	}
	free(fail);
	free(queue);
	return 0;
}

int
ioc_matcher_new(struct ioc_matcher **out, const struct irt_ioc_set *s)
{
	struct ioc_matcher *m;
	size_t i;
	int rc = 0;

	if ((m = calloc(1, sizeof *m)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	m->set = s;
	for (i = 0; i < s->n && rc == 0; i++) {
		const struct irt_ioc *v = &s->v[i];
		const char *base;
		switch (v->type) {
		case IRT_IOC_MD5:
			m->algs |= IRT_HASH_MD5;
			rc = sset_add(&m->hashes, v->value, i);
			break;
		case IRT_IOC_SHA1:
			m->algs |= IRT_HASH_SHA1;
			rc = sset_add(&m->hashes, v->value, i);
			break;
		case IRT_IOC_SHA256:
			m->algs |= IRT_HASH_SHA256;
			rc = sset_add(&m->hashes, v->value, i);
			break;
		case IRT_IOC_IPV4:
		case IRT_IOC_IPV6:
		case IRT_IOC_CIDR:
			rc = add_range(m, i, v->value, v->type == IRT_IOC_CIDR);
			break;
		case IRT_IOC_PATH:
			if (strpbrk(v->value, "*?[") == NULL)
				rc = sset_add(&m->paths, v->value, i);
			else {
				size_t *ng = realloc(
				    m->globs, (m->nglobs + 1) * sizeof *ng);
				if (ng == NULL)
					rc = IRT_ENOMEM;
				else {
					m->globs = ng;
					m->globs[m->nglobs++] = i;
				}
			}
			break;
		case IRT_IOC_FILENAME:
			rc = sset_add(&m->names, v->value, i);
			break;
		case IRT_IOC_USER:
			rc = sset_add(&m->users, v->value, i);
			break;
		case IRT_IOC_REGEX: {
			pcre2_code **nr =
			    realloc(m->re, (m->nre + 1) * sizeof *nr);
			size_t *ni;
			if (nr == NULL) {
				rc = IRT_ENOMEM;
				break;
			}
			m->re = nr;
			if ((ni = realloc(m->re_ioc,
			         (m->nre + 1) * sizeof *ni)) == NULL) {
				rc = IRT_ENOMEM;
				break;
			}
			m->re_ioc = ni;
			{
				void *re;
				char why[192];
				if (ioc_re_compile(
				        &re, v->value, why, sizeof why) != 0)
					break; /* checked when it was added */
				m->re[m->nre] = re;
			}
			m->re_ioc[m->nre++] = i;
			break;
		}
		default:
			break;
		}
		(void)base;
	}
	if (rc == 0)
		rc = sset_build(&m->hashes) | sset_build(&m->paths) |
		    sset_build(&m->names) | sset_build(&m->users);
	if (rc == 0 && m->nre > 0) {
		m->re_md = pcre2_match_data_create(1, NULL);
		m->re_mc = pcre2_match_context_create(NULL);
		if (m->re_md == NULL || m->re_mc == NULL)
			rc = IRT_ENOMEM;
		else {
			pcre2_set_match_limit(m->re_mc, IOC_RE_MATCH_LIMIT);
			pcre2_set_depth_limit(m->re_mc, IOC_RE_DEPTH_LIMIT);
			pcre2_set_heap_limit(m->re_mc, IOC_RE_HEAP_LIMIT);
		}
	}
	if (rc != 0) {
		ioc_matcher_free(m);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	if (m->nranges > 0) {
		qsort(m->ranges, m->nranges, sizeof *m->ranges, range_cmp);
		if ((m->maxhi = malloc(m->nranges * 16)) == NULL) {
			ioc_matcher_free(m);
			return irt_error_set(IRT_ENOMEM, "out of memory");
		}
		for (i = 0; i < m->nranges; i++) {
			const unsigned char *hi = m->ranges[i].hi;
			if (i > 0 &&
			    memcmp(m->maxhi + (i - 1) * 16, hi, 16) > 0)
				hi = m->maxhi + (i - 1) * 16;
			memcpy(m->maxhi + i * 16, hi, 16);
		}
	}
	if ((rc = build_automaton(m)) != 0) {
		ioc_matcher_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void
ioc_matcher_free(struct ioc_matcher *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->delta);
	free(m->first);
	free(m->dict);
	free(m->pat);
	sset_release(&m->hashes);
	sset_release(&m->paths);
	sset_release(&m->names);
	sset_release(&m->users);
	free(m->ranges);
	free(m->maxhi);
	free(m->globs);
	for (i = 0; i < m->nre; i++)
		pcre2_code_free(m->re[i]);
	free(m->re);
	pcre2_match_data_free(m->re_md);
	pcre2_match_context_free(m->re_mc);
	free(m->re_ioc);
	free(m);
}

bool
ioc_matcher_has_hashes(const struct ioc_matcher *m)
{
	return m->hashes.n > 0;
}

bool
ioc_matcher_has_literals(const struct ioc_matcher *m)
{
	return m->npat > 0;
}

unsigned
ioc_matcher_hash_algs(const struct ioc_matcher *m)
{
	return m->algs;
}

/* ---- literal matches ---- */

static bool
host_char(int c)
{
	return isalnum(c) || c == '-' || c == '_';
}

static bool
word_char(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.';
}

/* Is the match of p ending before buf[end] well bounded?  c1 and c2
 * are the two bytes after it (-1 past the end). */
static bool
bounded(const struct pat *p, int before, int c1, int c2)
{
	switch (p->bound) {
	case B_DOMAIN:
		return !(before >= 0 && host_char(before)) &&
		    !(c1 >= 0 && host_char(c1)) &&
		    !(c1 == '.' && c2 >= 0 && isalnum(c2));
	case B_EMAIL:
		return !(before >= 0 &&
		           (isalnum(before) || strchr("._%+-", before))) &&
		    !(c1 >= 0 && host_char(c1)) &&
		    !(c1 == '.' && c2 >= 0 && isalnum(c2));
	case B_IPV4:
		return !(before >= 0 && (isdigit(before) || before == '.')) &&
		    !(c1 >= 0 && isdigit(c1)) &&
		    !(c1 == '.' && c2 >= 0 && isdigit(c2));
	case B_IPV6:
		return !(before >= 0 && (isxdigit(before) || before == ':')) &&
		    !(c1 >= 0 && (isxdigit(c1) || c1 == ':'));
	case B_WORD:
		return !(before >= 0 && word_char(before)) &&
		    !(c1 >= 0 && word_char(c1) &&
		        !(c1 == '.' && !(c2 >= 0 && word_char(c2))));
	}
	return true;
}

/*
 * Checks the patterns ending at state st, whose last byte is buf[end];
 * more is the number of bytes known after it (2 is enough).  Returns
 * the callback's non-zero value.
 */
static int
report(struct ioc_matcher *m, uint32_t st, const char *buf, size_t end,
    size_t avail, uint64_t base, bool events, ioc_hit_fn fn, void *arg)
{
	uint32_t s = st;
	int rc;

	for (; s != 0; s = m->dict[s]) {
		uint32_t pi;
		for (pi = m->first[s]; pi != 0; pi = m->pat[pi - 1].next) {
			const struct pat *p = &m->pat[pi - 1];
			size_t start;
			int before, c1, c2;
			if (p->len > end + 1)
				continue;
			if (events && p->content_only)
				continue;
			start = end + 1 - p->len;
			if (p->exact &&
			    memcmp(buf + start, p->text, p->len) != 0)
				continue;
			before = start > 0 ? (unsigned char)buf[start - 1] : -1;
			c1 = end + 1 < avail ? (unsigned char)buf[end + 1] : -1;
			c2 = end + 2 < avail ? (unsigned char)buf[end + 2] : -1;
			if (!bounded(p, before, c1, c2))
				continue;
			if ((rc = fn(arg, p->ioc, buf + start, p->len,
			         base + start)) != 0)
				return rc;
		}
	}
	return 0;
}

static int ip_at(struct ioc_matcher *m, const char *ip, size_t n, uint64_t off,
    ioc_hit_fn fn, void *arg);

/* IP-shaped tokens of a text against the ranges. */
static int
ip_tokens(
    struct ioc_matcher *m, const char *s, size_t n, ioc_hit_fn fn, void *arg)
{
	size_t i = 0, j;
	int rc;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (!(isxdigit(c) || c == ':') ||
		    (i > 0 &&
		        (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '.' ||
		            s[i - 1] == ':'))) {
			i++;
			continue;
		}
		for (j = i; j < n && j - i < 64 &&
		     (isxdigit((unsigned char)s[j]) || s[j] == '.' ||
		         s[j] == ':');
		     j++)
			;
		/* a dotted quad at the start (1.2.3.4:22, 1.2.3.4.) */
		{
			size_t k = i, oct = 0, dig;
			for (; oct < 4; oct++) {
				for (dig = 0; k < j &&
				     isdigit((unsigned char)s[k]) && dig < 4;
				     k++, dig++)
					;
				if (dig == 0 || dig > 3)
					break;
				if (oct < 3) {
					if (k >= j || s[k] != '.')
						break;
					k++;
				}
			}
			if (oct == 4 &&
			    (k >= n || !isalnum((unsigned char)s[k])) &&
			    !(k + 1 < n && s[k] == '.' &&
			        isdigit((unsigned char)s[k + 1])) &&
			    (rc = ip_at(m, s + i, k - i, i, fn, arg)) != 0)
				return rc;
			if (oct == 4) {
				i = j;
				continue;
			}
		}
		if (memchr(s + i, ':', j - i) != NULL) {
			size_t e = j;
			while (e > i && (s[e - 1] == '.' || s[e - 1] == ':') &&
			    !(e - i >= 2 && s[e - 1] == ':' && s[e - 2] == ':'))
				e--;
			if ((rc = ip_at(m, s + i, e - i, i, fn, arg)) != 0)
				return rc;
		}
		i = j;
	}
	return 0;
}

int
ioc_scan_text(
    struct ioc_matcher *m, const char *s, size_t n, ioc_hit_fn fn, void *arg)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t x = 0;
	size_t i, r;
	int rc;

	if (m->npat > 0)
		for (i = 0; i < n; i++) {
			x = m->delta[(size_t)(x >> 1) * m->ncls + m->cls[p[i]]];
			if ((x & 1) &&
			    (rc = report(
			         m, x >> 1, s, i, n, 0, true, fn, arg)) != 0)
				return rc;
		}
	if (m->nranges > 0 && (rc = ip_tokens(m, s, n, fn, arg)) != 0)
		return rc;
	for (r = 0; r < m->nre; r++) {
		PCRE2_SIZE *ov;
		int e = pcre2_match(m->re[r], (PCRE2_SPTR)(n ? s : ""), n, 0, 0,
		    m->re_md, m->re_mc);
		if (e == PCRE2_ERROR_MATCHLIMIT ||
		    e == PCRE2_ERROR_DEPTHLIMIT || e == PCRE2_ERROR_HEAPLIMIT ||
		    e == PCRE2_ERROR_NOMEMORY) {
			m->re_cut++;
			continue;
		}
		if (e < 0)
			continue;
		ov = pcre2_get_ovector_pointer(m->re_md);
		if (ov[1] < ov[0] || ov[1] > n)
			continue; /* \K can put the start after the end */
		if ((rc = fn(arg, m->re_ioc[r], s + ov[0],
		         (size_t)(ov[1] - ov[0]), (uint64_t)ov[0])) != 0)
			return rc;
	}
	return 0;
}

/* ---- streams ---- */

/* A match whose following bytes were not read yet. */
struct ioc_pending {
	uint32_t state;
	uint64_t end; /* absolute offset of its last byte */
};

void
ioc_stream_init(struct ioc_stream *st)
{
	memset(st, 0, sizeof *st);
}

void
ioc_stream_release(struct ioc_stream *st)
{
	free(st->buf);
	free(st->pend);
	memset(st, 0, sizeof *st);
}

int
ioc_stream_scan(struct ioc_matcher *m, struct ioc_stream *st, const char *data,
    size_t n, ioc_hit_fn fn, void *arg)
{
	const uint32_t *delta = m->delta;
	const uint8_t *cls = m->cls;
	const unsigned char *p;
	size_t ncls = m->ncls, keep = st->keep, total, i, k;
	uint64_t base;
	uint32_t x;
	int rc = 0;

	if (m->npat == 0)
		return 0;
	/* the buffer: the kept tail, then this chunk */
	total = keep + n;
	if (total > st->cap) {
		size_t nc = total + 4096;
		char *nb = realloc(st->buf, nc);
		if (nb == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		st->buf = nb;
		st->cap = nc;
	}
	if (n > 0)
		memcpy(st->buf + keep, data, n);
	base = st->off - keep;
	/* matches of the last chunk waiting for the bytes after them */
	for (k = 0; k < st->npend; k++) {
		size_t end = (size_t)(st->pend[k].end - base);
		if ((rc = report(m, st->pend[k].state, st->buf, end, total,
		         base, false, fn, arg)) != 0)
			break;
	}
	st->npend = 0;
	if (rc != 0 || n == 0)
		return rc;
	p = (const unsigned char *)st->buf;
	x = st->state;
	for (i = keep; i < total; i++) {
		x = delta[(size_t)(x >> 1) * ncls + cls[p[i]]];
		if (!(x & 1))
			continue;
		if (i + 2 >= total) {
			/* decided when the next bytes come */
			if (st->npend == st->pcap) {
				size_t nc = st->pcap ? st->pcap * 2 : 8;
				struct ioc_pending *np =
				    realloc(st->pend, nc * sizeof *np);
				if (np == NULL)
					return irt_error_set(
					    IRT_ENOMEM, "out of memory");
				st->pend = np;
				st->pcap = nc;
			}
			st->pend[st->npend].state = x >> 1;
			st->pend[st->npend].end = base + i;
			st->npend++;
			continue;
		}
		if ((rc = report(m, x >> 1, st->buf, i, total, base, false, fn,
		         arg)) != 0)
			return rc;
	}
	st->state = x;
	st->off += n;
	/* keep what a match or a boundary check may reach back to */
	st->keep =
	    total < (size_t)m->maxlen + 2 ? total : (size_t)m->maxlen + 2;
	memmove(st->buf, st->buf + total - st->keep, st->keep);
	return 0;
}

/* ---- single values ---- */

int
ioc_match_hash(
    struct ioc_matcher *m, const char *hex, size_t n, ioc_hit_fn fn, void *arg)
{
	char low[129];
	size_t i;

	if (m->hashes.n == 0 || n == 0 || n >= sizeof low)
		return 0;
	for (i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)hex[i]);
	low[n] = '\0';
	return sset_find(m->set, &m->hashes, low, n, fn, arg);
}

static int
ip_at(struct ioc_matcher *m, const char *ip, size_t n, uint64_t off,
    ioc_hit_fn fn, void *arg)
{
	unsigned char a[16];
	size_t lo = 0, hi = m->nranges, i;
	int rc;

	if (m->nranges == 0 || !ip_parse(a, ip, n))
		return 0;
	/* the last range starting at or before a */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (memcmp(m->ranges[mid].lo, a, 16) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i-- > 0;) {
		if (memcmp(m->maxhi + i * 16, a, 16) < 0)
			break;
		if (memcmp(m->ranges[i].hi, a, 16) >= 0 &&
		    (rc = fn(arg, m->ranges[i].ioc, ip, n, off)) != 0)
			return rc;
	}
	return 0;
}

int
ioc_match_ip(
    struct ioc_matcher *m, const char *ip, size_t n, ioc_hit_fn fn, void *arg)
{
	return ip_at(m, ip, n, 0, fn, arg);
}

int
ioc_match_path(
    struct ioc_matcher *m, const char *p, size_t n, ioc_hit_fn fn, void *arg)
{
	const char *base;
	char *z;
	size_t i;
	int rc;

	if ((rc = sset_find(m->set, &m->paths, p, n, fn, arg)) != 0)
		return rc;
	base = memrchr(p, '/', n);
	base = base ? base + 1 : p;
	if ((rc = sset_find(m->set, &m->names, base, n - (size_t)(base - p), fn,
	         arg)) != 0)
		return rc;
	if (m->nglobs == 0)
		return 0;
	if ((z = strndup(p, n)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	for (i = 0; i < m->nglobs; i++)
		if (fnmatch(m->set->v[m->globs[i]].value, z, 0) == 0 &&
		    (rc = fn(arg, m->globs[i], p, n, 0)) != 0)
			break;
	free(z);
	return rc;
}

int
ioc_match_user(
    struct ioc_matcher *m, const char *u, size_t n, ioc_hit_fn fn, void *arg)
{
	return sset_find(m->set, &m->users, u, n, fn, arg);
}
