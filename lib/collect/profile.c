/*
 * Collection profiles: parser and glob matching (irt-profile(5)).
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "irt/buf.h"
#include "irt/data.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "irt/profile.h"

const char *const irt_profile_builtins[] = { "triage", "volatile", "full",
	NULL };

#define MAX_WORDS 256
#define MAX_TIMEOUT 86400.0

struct parser {
	const char *name;
	unsigned line;
	char *words[MAX_WORDS];
	size_t nwords;
};

static void
words_free(struct parser *p)
{
	size_t i;

	for (i = 0; i < p->nwords; i++)
		free(p->words[i]);
	p->nwords = 0;
}

static int
perr(struct parser *p, const char *fmt, const char *arg)
{
	struct irt_buf b = IRT_BUF_INIT;
	int rc;

	irt_buf_printf(&b, fmt, arg ? irt_esc(arg) : "");
	rc = irt_error_set(IRT_EPARSE, "%s:%u: %s", irt_esc(p->name), p->line,
	    irt_buf_cstr(&b));
	irt_buf_release(&b);
	return rc;
}

/*
 * Splits a line into words: blanks separate, "double quotes" group, and
 * inside quotes \" and \\ stand for themselves.
 */
static int
split(struct parser *p, const char *s, size_t len)
{
	struct irt_buf w = IRT_BUF_INIT;
	size_t i = 0;
	int quoted;

	while (i < len) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= len)
			break;
		if (p->nwords == MAX_WORDS) {
			irt_buf_release(&w);
			return perr(p, "more than 256 words", NULL);
		}
		irt_buf_clear(&w);
		quoted = 0;
		while (i < len && (quoted || (s[i] != ' ' && s[i] != '\t'))) {
			if (s[i] == '"') {
				quoted = !quoted;
				i++;
				continue;
			}
			if (quoted && s[i] == '\\' && i + 1 < len &&
			    (s[i + 1] == '"' || s[i + 1] == '\\'))
				i++;
			if (irt_buf_putc(&w, s[i]) != 0) {
				irt_buf_release(&w);
				return IRT_ENOMEM;
			}
			i++;
		}
		if (quoted) {
			irt_buf_release(&w);
			return perr(p, "unterminated quote", NULL);
		}
		if ((p->words[p->nwords] = strdup(irt_buf_cstr(&w))) == NULL) {
			irt_buf_release(&w);
			return IRT_ENOMEM;
		}
		p->nwords++;
	}
	irt_buf_release(&w);
	return 0;
}

int
irt_size_parse(uint64_t *out, const char *s)
{
	unsigned long long v;
	char *end;
	unsigned shift = 0;

	if (s == NULL || !isdigit((unsigned char)*s))
		return irt_error_set(
		    IRT_EINVAL, "invalid size '%s'", s ? irt_esc(s) : "");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return irt_error_set(
		    IRT_EINVAL, "invalid size '%s'", irt_esc(s));
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'M':
		shift = 20;
		end++;
		break;
	case 'G':
		shift = 30;
		end++;
		break;
	case 'T':
		shift = 40;
		end++;
		break;
	default:
		break;
	}
	if (shift > 0 && strcmp(end, "iB") == 0)
		end += 2;
	else if (strcmp(end, "B") == 0)
		end++;
	if (*end != '\0' || (shift > 0 && v > (UINT64_MAX >> shift)))
		return irt_error_set(
		    IRT_EINVAL, "invalid size '%s'", irt_esc(s));
	*out = (uint64_t)v << shift;
	return 0;
}

static int
check_pattern(struct parser *p, const char *pat, int absolute)
{
	const char *c, *next;
	size_t n, stars = 0;

	if (*pat == '\0')
		return perr(p, "empty pattern", NULL);
	if (absolute && *pat != '/')
		return perr(p, "pattern '%s' is not an absolute path", pat);
	c = pat;
	if (*c == '/')
		c++;
	if (*c == '\0')
		return 0; /* "/" */
	for (; c != NULL; c = next) {
		next = strchr(c, '/');
		n = next ? (size_t)(next - c) : strlen(c);
		if (next)
			next++;
		if (n == 0)
			return perr(p, "empty component in pattern '%s'", pat);
		if ((n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return perr(p, "'.' or '..' in pattern '%s'", pat);
		if (memmem(c, n, "**", 2) != NULL && n != 2)
			return perr(p,
			    "'**' must be a whole component in pattern '%s'",
			    pat);
		if (n == 2 && c[0] == '*' && c[1] == '*' && ++stars > 4)
			return perr(
			    p, "more than four '**' in pattern '%s'", pat);
	}
	return 0;
}

static int
strv_push(char ***v, const char *s)
{
	size_t n = 0;
	char **nv;

	while (*v && (*v)[n])
		n++;
	if ((nv = realloc(*v, (n + 2) * sizeof *nv)) == NULL)
		return IRT_ENOMEM;
	*v = nv;
	if ((nv[n] = strdup(s)) == NULL)
		return IRT_ENOMEM;
	nv[n + 1] = NULL;
	return 0;
}

static void
strv_free(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void
entry_free(struct irt_profile_entry *e)
{
	free(e->pattern);
	strv_free(e->exclude);
	free(e->name);
	strv_free(e->argv);
	free(e->builtin);
}

void
irt_profile_free(struct irt_profile *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		entry_free(&p->v[i]);
	free(p->v);
	free(p->name);
	free(p->description);
	strv_free(p->exclude);
	free(p);
}

/* Splits "key=value"; returns NULL when there is no '='. */
static const char *
opt_value(const char *w, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(w, key, n) == 0 && w[n] == '=')
		return w + n + 1;
	return NULL;
}

static int
parse_file(struct parser *p, struct irt_profile_entry *e)
{
	const char *v;
	size_t i;
	int rc;

	if (p->nwords < 2)
		return perr(p, "'file' needs a pattern", NULL);
	/* ~/PATH: PATH in the home of every account of /etc/passwd */
	if ((rc = check_pattern(p,
	         strncmp(p->words[1], "~/", 2) == 0 ? p->words[1] + 1
	                                            : p->words[1],
	         1)) != 0)
		return rc;
	if ((e->pattern = strdup(p->words[1])) == NULL)
		return IRT_ENOMEM;
	for (i = 2; i < p->nwords; i++) {
		const char *w = p->words[i];
		if ((v = opt_value(w, "max-size")) != NULL) {
			if (irt_size_parse(&e->max_size, v) != 0 ||
			    e->max_size == 0)
				return perr(p, "invalid size '%s'", v);
		} else if ((v = opt_value(w, "exclude")) != NULL) {
			if ((rc = check_pattern(p, v, 0)) != 0)
				return rc;
			if (strv_push(&e->exclude, v) != 0)
				return IRT_ENOMEM;
		} else if ((v = opt_value(w, "fs")) != NULL) {
			if (strcmp(v, "any") != 0 && strcmp(v, "local") != 0)
				return perr(
				    p, "invalid fs '%s' (any or local)", v);
			e->any_fs = strcmp(v, "any") == 0;
		} else
			return perr(p, "unknown file option '%s'", w);
	}
	return 0;
}

static int
valid_name(const char *s)
{
	size_t i;

	if (*s == '\0' || *s == '.' || strlen(s) > 100)
		return 0;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

static int
parse_live(
    struct parser *p, struct irt_profile *prof, struct irt_profile_entry *e)
{
	const char *v;
	char *end;
	size_t i, j, n;

	if (p->nwords < 2)
		return perr(p, "'live' needs a name", NULL);
	if (!valid_name(p->words[1]))
		return perr(p,
		    "invalid live name '%s' (letters, digits, '.', '_', '-')",
		    p->words[1]);
	/* live/NAME.stderr holds the standard error of NAME */
	n = strlen(p->words[1]);
	if (n >= 7 && strcmp(p->words[1] + n - 7, ".stderr") == 0)
		return perr(p,
		    "live name '%s' ends in '.stderr', which is kept for the "
		    "standard error of the live commands",
		    p->words[1]);
	for (j = 0; j < prof->n; j++)
		if (prof->v[j].kind == IRT_PROFILE_LIVE &&
		    strcmp(prof->v[j].name, p->words[1]) == 0)
			return perr(p, "duplicate live name '%s'", p->words[1]);
	if ((e->name = strdup(p->words[1])) == NULL)
		return IRT_ENOMEM;
	for (i = 2; i < p->nwords; i++) {
		const char *w = p->words[i];
		if (strcmp(w, "--") == 0) {
			i++;
			break;
		}
		if ((v = opt_value(w, "timeout")) != NULL) {
			errno = 0;
			e->timeout = strtod(v, &end);
			if (errno != 0 || end == v || *end != '\0' ||
			    !isfinite(e->timeout) || e->timeout <= 0 ||
			    e->timeout > MAX_TIMEOUT)
				return perr(p, "invalid timeout '%s'", v);
		} else if ((v = opt_value(w, "builtin")) != NULL) {
			if (strcmp(v, "processes") != 0 &&
			    strcmp(v, "sockets") != 0 &&
			    strcmp(v, "hidden") != 0 &&
			    strcmp(v, "packages") != 0 &&
			    strcmp(v, "ssh-keys") != 0 &&
			    strcmp(v, "kernel") != 0 &&
			    strcmp(v, "self-maps") != 0)
				return perr(p,
				    "unknown builtin '%s' (processes, "
				    "hidden, sockets, packages, ssh-keys, "
				    "kernel, self-maps)",
				    v);
			if (e->builtin != NULL)
				return perr(p, "two builtins", NULL);
			if ((e->builtin = strdup(v)) == NULL)
				return IRT_ENOMEM;
		} else
			return perr(p, "unknown live option '%s'", w);
	}
	for (; i < p->nwords; i++)
		if (strv_push(&e->argv, p->words[i]) != 0)
			return IRT_ENOMEM;
	if (e->builtin != NULL && e->argv != NULL)
		return perr(p,
		    "a live entry has a builtin or a command, not both", NULL);
	if (e->builtin == NULL && e->argv == NULL)
		return perr(
		    p, "a live entry needs '-- COMMAND...' or builtin=", NULL);
	return 0;
}

static int
parse_line(
    struct parser *p, struct irt_profile *prof, const char *s, size_t len)
{
	struct irt_profile_entry e, *nv;
	const char *kw;
	int rc;

	if ((rc = split(p, s, len)) != 0)
		return rc;
	if (p->nwords == 0 || p->words[0][0] == '#')
		return 0;
	kw = p->words[0];
	if (strcmp(kw, "description") == 0) {
		/* the rest of the line, as written */
		size_t i = 0, kl = strlen("description"), end = len;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (len - i < kl || memcmp(s + i, "description", kl) != 0)
			return perr(
			    p, "'description' must not be quoted", NULL);
		i += kl;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t'))
			end--;
		if (end == i)
			return perr(p, "'description' needs a text", NULL);
		if (prof->description != NULL)
			return perr(p, "second description", NULL);
		if ((prof->description = strndup(s + i, end - i)) == NULL)
			return IRT_ENOMEM;
		return 0;
	}
	if (strcmp(kw, "max-size") == 0) {
		if (p->nwords != 2 ||
		    irt_size_parse(&prof->max_size, p->words[1]) != 0 ||
		    prof->max_size == 0)
			return perr(p, "usage: max-size SIZE", NULL);
		return 0;
	}
	if (strcmp(kw, "exclude") == 0) {
		if (p->nwords != 2)
			return perr(p, "usage: exclude GLOB", NULL);
		if ((rc = check_pattern(p, p->words[1], 0)) != 0)
			return rc;
		return strv_push(&prof->exclude, p->words[1]);
	}
	memset(&e, 0, sizeof e);
	e.line = p->line;
	if (strcmp(kw, "file") == 0) {
		e.kind = IRT_PROFILE_FILE;
		rc = parse_file(p, &e);
	} else if (strcmp(kw, "live") == 0) {
		e.kind = IRT_PROFILE_LIVE;
		rc = parse_live(p, prof, &e);
	} else
		rc = perr(p, "unknown keyword '%s'", kw);
	if (rc != 0) {
		entry_free(&e);
		return rc;
	}
	if ((nv = realloc(prof->v, (prof->n + 1) * sizeof *nv)) == NULL) {
		entry_free(&e);
		return IRT_ENOMEM;
	}
	prof->v = nv;
	prof->v[prof->n++] = e;
	return 0;
}

int
irt_profile_parse(
    struct irt_profile **out, const char *text, size_t len, const char *name)
{
	struct irt_profile *prof;
	struct parser p;
	const char *s = text, *end = text + len, *nl;
	int rc = 0;

	*out = NULL;
	memset(&p, 0, sizeof p);
	p.name = name;
	if ((prof = calloc(1, sizeof *prof)) == NULL)
		return IRT_ENOMEM;
	if ((prof->name = strdup(name)) == NULL) {
		free(prof);
		return IRT_ENOMEM;
	}
	while (s < end) {
		p.line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		if (memchr(s, '\0', (size_t)(nl - s)) != NULL) {
			rc = perr(&p, "NUL byte", NULL);
			break;
		}
		if (!irt_utf8_valid(s, (size_t)(nl - s))) {
			rc = perr(&p, "not valid UTF-8", NULL);
			break;
		}
		rc = parse_line(&p, prof, s,
		    (size_t)(nl - s) - (nl > s && nl[-1] == '\r' ? 1 : 0));
		words_free(&p);
		if (rc != 0)
			break;
		s = nl + 1;
	}
	if (rc != 0) {
		irt_profile_free(prof);
		return rc;
	}
	*out = prof;
	return 0;
}

int
irt_profile_load(struct irt_profile **out, const char *spec)
{
	const struct irt_data_file *f;
	struct irt_buf b = IRT_BUF_INIT, name = IRT_BUF_INIT;
	struct stat st;
	int rc;

	*out = NULL;
	if (strchr(spec, '/') == NULL && stat(spec, &st) != 0) {
		irt_buf_printf(&name, "profiles/%s.profile", spec);
		f = irt_data_get(irt_buf_cstr(&name));
		irt_buf_release(&name);
		if (f == NULL)
			return irt_error_set(IRT_ENOTFOUND,
			    "unknown profile '%s' (built in: triage, "
			    "volatile, full)",
			    irt_esc(spec));
		rc =
		    irt_profile_parse(out, (const char *)f->data, f->len, spec);
		return rc;
	}
	if ((rc = irt_buf_read_file(&b, spec)) != 0)
		return rc;
	rc = irt_profile_parse(out, irt_buf_cstr(&b), b.len, spec);
	irt_buf_release(&b);
	return rc;
}

/* Matches the components of path against those of pattern. */
static bool
match_comps(const char *pat, const char *path)
{
	const char *pe, *se;
	char pc[4096], sc[4096];
	size_t pn, sn;

	for (;;) {
		while (*pat == '/')
			pat++;
		while (*path == '/')
			path++;
		if (*pat == '\0')
			return *path == '\0';
		pe = strchr(pat, '/');
		pn = pe ? (size_t)(pe - pat) : strlen(pat);
		if (pn == 2 && pat[0] == '*' && pat[1] == '*') {
			/* zero or more components */
			const char *rest = pat + pn;
			if (match_comps(rest, path))
				return true;
			while (*path != '\0') {
				se = strchr(path, '/');
				if (se == NULL)
					return *rest == '\0';
				path = se + 1;
				if (match_comps(rest, path))
					return true;
			}
			return false;
		}
		if (*path == '\0')
			return false;
		se = strchr(path, '/');
		sn = se ? (size_t)(se - path) : strlen(path);
		if (pn >= sizeof pc || sn >= sizeof sc)
			return false;
		memcpy(pc, pat, pn);
		pc[pn] = '\0';
		memcpy(sc, path, sn);
		sc[sn] = '\0';
		if (fnmatch(pc, sc, 0) != 0)
			return false;
		pat += pn;
		path += sn;
	}
}

bool
irt_glob_match(const char *pattern, const char *path)
{
	const char *base;

	if (strchr(pattern, '/') == NULL) {
		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		return fnmatch(pattern, base, 0) == 0;
	}
	if (*pattern == '/' && *path != '/')
		return false;
	return match_comps(pattern, path);
}
