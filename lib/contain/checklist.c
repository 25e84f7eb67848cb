/*
 * Checklists: parsing, linting and the started copies in a case.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/internal.h"
#include "irt/checklist.h"
#include "irt/data.h"
#include "irt/note.h"
#include "case/records.h"

#define DIR_PREFIX "checklists/"
#define ID_MAX 40

/* Attribute lines of a step ("- key: value" inside its body). */
static const char *const step_keys[] = { "run", "undo", "needs", "done",
	"skipped", "comment", "reason", "forced", "run-id", "reopened", NULL };

/* The keys that describe a step's state, rewritten by every change. */
static const char *const state_keys[] = { "done", "skipped", "comment",
	"reason", "forced", "run-id", "reopened", NULL };

static const char *const header_keys[] = { "id", "title", "version",
	"description", "host", "started", NULL };

struct perr {
	const char *name;
	char **v;
	size_t n;
	int oom;
};

static void perr_add(struct perr *e, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
perr_add(struct perr *e, size_t line, const char *fmt, ...)
{
	struct irt_buf b = IRT_BUF_INIT;
	va_list ap;
	char **v;

	if (irt_buf_printf(&b, "%s:%zu: ", e->name, line) != 0)
		goto oom;
	va_start(ap, fmt);
	if (irt_buf_vprintf(&b, fmt, ap) != 0) {
		va_end(ap);
		goto oom;
	}
	va_end(ap);
	if ((v = realloc(e->v, (e->n + 2) * sizeof *v)) == NULL)
		goto oom;
	e->v = v;
	e->v[e->n++] = irt_buf_detach(&b);
	e->v[e->n] = NULL;
	return;
oom:
	irt_buf_release(&b);
	e->oom = 1;
}

static int
in_list(const char *const *list, const char *s, size_t len)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == len && strncmp(list[i], s, len) == 0)
			return 1;
	return 0;
}

static int
valid_id(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > ID_MAX || s[0] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!(islower((unsigned char)s[i]) ||
		        isdigit((unsigned char)s[i]) || s[i] == '-'))
			return 0;
	return 1;
}

static char *
trimdup(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return strndup(s, len);
}

/* A command in backquotes loses them: - run: `uname -a` */
static char *
command_value(const char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '`' && s[n - 1] == '`')
		return strndup(s + 1, n - 2);
	return strdup(s);
}

static void
step_free(struct irt_checklist_step *s)
{
	free(s->id);
	free(s->title);
	free(s->text);
	free(s->run);
	free(s->undo);
	irt_strv_free(s->needs);
	free(s->when);
	free(s->who);
	free(s->comment);
	free(s->reason);
	free(s->forced);
	free(s->run_id);
}

void
irt_checklist_free(struct irt_checklist *cl)
{
	size_t i;

	if (cl == NULL)
		return;
	free(cl->id);
	free(cl->title);
	free(cl->version);
	free(cl->host);
	free(cl->started);
	for (i = 0; i < cl->nsteps; i++)
		step_free(&cl->steps[i]);
	free(cl->steps);
	for (i = 0; i < cl->nlines; i++)
		free(cl->lines[i]);
	free(cl->lines);
	free(cl);
}

static int
split_lines(struct irt_checklist *cl, const char *text, size_t len)
{
	const char *s = text, *end = text + len, *nl;
	size_t n, cap = 0;
	char **v;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		n = (size_t)((nl ? nl : end) - s);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (cl->nlines == cap) {
			cap = cap ? cap * 2 : 64;
			if ((v = realloc(cl->lines, cap * sizeof *v)) == NULL)
				return IRT_ENOMEM;
			cl->lines = v;
		}
		if ((cl->lines[cl->nlines] = strndup(s, n)) == NULL)
			return IRT_ENOMEM;
		cl->nlines++;
		if (nl == NULL)
			break;
		s = nl + 1;
	}
	return 0;
}

/* Splits "a, b c" into ids. */
static int
parse_needs(struct irt_checklist *cl, struct irt_checklist_step *st,
    const char *v, size_t lineno, struct perr *e)
{
	const char *p = v, *q;
	char **nv;
	size_t len;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		q = p;
		while (*q != '\0' && *q != ' ' && *q != ',' && *q != '\t')
			q++;
		len = (size_t)(q - p);
		if (!valid_id(p, len))
			perr_add(e, lineno, "invalid step id '%.*s' in needs",
			    (int)len, p);
		else {
			size_t i;
			int found = 0;
			for (i = 0; i + 1 < cl->nsteps; i++)
				if (strlen(cl->steps[i].id) == len &&
				    strncmp(cl->steps[i].id, p, len) == 0)
					found = 1;
			if (!found)
				perr_add(e, lineno,
				    "step '%s' needs '%.*s', which is not an "
				    "earlier step",
				    st->id, (int)len, p);
			if ((nv = realloc(st->needs,
			         (st->nneeds + 2) * sizeof *nv)) == NULL)
				return IRT_ENOMEM;
			st->needs = nv;
			if ((nv[st->nneeds] = strndup(p, len)) == NULL)
				return IRT_ENOMEM;
			nv[++st->nneeds] = NULL;
		}
		p = q;
	}
	return 0;
}

/* "TIME by WHO" */
static int
parse_when_who(
    struct irt_checklist_step *st, const char *v, size_t lineno, struct perr *e)
{
	const char *by = strstr(v, " by ");
	irt_ns t;

	free(st->when);
	free(st->who);
	st->when = st->who = NULL;
	if (by == NULL) {
		perr_add(e, lineno, "expected 'TIME by RESPONDER'");
		return 0;
	}
	if ((st->when = strndup(v, (size_t)(by - v))) == NULL ||
	    (st->who = strdup(by + 4)) == NULL)
		return IRT_ENOMEM;
	if (irt_time_parse(&t, st->when) != 0)
		perr_add(e, lineno, "invalid time '%s'", irt_esc(st->when));
	return 0;
}

static int
set_str(char **dst, const char *v)
{
	free(*dst);
	return (*dst = strdup(v)) == NULL ? IRT_ENOMEM : 0;
}

static int
step_attr(struct irt_checklist *cl, struct irt_checklist_step *st,
    const char *key, size_t klen, const char *v, size_t lineno, struct perr *e)
{
	char **dst = NULL;

#define KEY(k) (klen == sizeof(k) - 1 && strncmp(key, k, klen) == 0)
	if (KEY("run") || KEY("undo")) {
		dst = KEY("run") ? &st->run : &st->undo;
		if (*dst != NULL)
			perr_add(e, lineno, "step '%s' has two %.*s: lines",
			    st->id, (int)klen, key);
		free(*dst);
		if ((*dst = command_value(v)) == NULL)
			return IRT_ENOMEM;
		if (**dst == '\0')
			perr_add(
			    e, lineno, "empty %.*s: command", (int)klen, key);
		else {
			char **argv;
			int rc = irt_checklist_argv(&argv, *dst);
			if (rc == IRT_ENOMEM)
				return rc;
			if (rc != 0)
				perr_add(e, lineno, "%s", irt_error_last());
			else
				irt_strv_free(argv);
		}
		return 0;
	}
	if (KEY("needs"))
		return parse_needs(cl, st, v, lineno, e);
	if (KEY("done") || KEY("skipped")) {
		if (st->state != IRT_STEP_OPEN)
			perr_add(
			    e, lineno, "step '%s' is marked twice", st->id);
		st->state = KEY("done") ? IRT_STEP_DONE : IRT_STEP_SKIPPED;
		return parse_when_who(st, v, lineno, e);
	}
	if (KEY("comment"))
		return set_str(&st->comment, v);
	if (KEY("reason"))
		return set_str(&st->reason, v);
	if (KEY("forced"))
		return set_str(&st->forced, v);
	if (KEY("run-id")) { /* "ID (exit N)" */
		free(st->run_id);
		st->run_id = strndup(v, strcspn(v, " "));
		return st->run_id == NULL ? IRT_ENOMEM : 0;
	}
	return 0; /* reopened: information only */
#undef KEY
}

static int
append_text(struct irt_buf *b, const char *s)
{
	if (b->len > 0 && irt_buf_putc(b, '\n') != 0)
		return IRT_ENOMEM;
	return irt_buf_puts(b, s);
}

static int
header_line(
    struct irt_checklist *cl, const char *line, size_t lineno, struct perr *e)
{
	const char *colon = strchr(line, ':');
	size_t klen;
	char **dst = NULL;
	char *v;

	if (colon == NULL) {
		perr_add(e, lineno, "expected 'key: value' in the header");
		return 0;
	}
	klen = (size_t)(colon - line);
	if (!in_list(header_keys, line, klen)) {
		char *k = strndup(line, klen);
		if (k == NULL)
			return IRT_ENOMEM;
		perr_add(e, lineno, "unknown header key '%s'", irt_esc(k));
		free(k);
		return 0;
	}
	if ((v = trimdup(colon + 1, strlen(colon + 1))) == NULL)
		return IRT_ENOMEM;
	if (strncmp(line, "id", klen) == 0 && klen == 2)
		dst = &cl->id;
	else if (strncmp(line, "title", klen) == 0 && klen == 5)
		dst = &cl->title;
	else if (strncmp(line, "version", klen) == 0 && klen == 7)
		dst = &cl->version;
	else if (strncmp(line, "host", klen) == 0 && klen == 4)
		dst = &cl->host;
	else if (strncmp(line, "started", klen) == 0 && klen == 7)
		dst = &cl->started;
	if (dst == NULL) {
		free(v);
		return 0;
	}
	if (*dst != NULL)
		perr_add(e, lineno, "header key '%.*s' given twice", (int)klen,
		    line);
	free(*dst);
	*dst = v;
	if (*v == '\0')
		perr_add(
		    e, lineno, "empty header value '%.*s'", (int)klen, line);
	return 0;
}

/* A step line: "- [ ] id: title". */
static int
step_line(
    struct irt_checklist *cl, const char *line, size_t lineno, struct perr *e)
{
	struct irt_checklist_step *st, *v;
	const char *p = line + 3, *colon;
	char box;
	size_t i;

	if ((v = realloc(cl->steps, (cl->nsteps + 1) * sizeof *v)) == NULL)
		return IRT_ENOMEM;
	cl->steps = v;
	st = &cl->steps[cl->nsteps++];
	memset(st, 0, sizeof *st);
	st->line = (unsigned)lineno;
	st->body_end = lineno;
	if (line[0] != '-' || line[1] != ' ') {
		perr_add(e, lineno, "a step starts with '- [ ] '");
		return set_str(&st->id, "");
	}
	box = line[3];
	if ((box != ' ' && box != 'x' && box != 'X') || line[4] != ']' ||
	    line[5] != ' ') {
		perr_add(e, lineno, "a step starts with '- [ ] ' or '- [x] '");
		return set_str(&st->id, "");
	}
	p = line + 6;
	colon = strchr(p, ':');
	if (colon == NULL || !valid_id(p, (size_t)(colon - p))) {
		perr_add(e, lineno,
		    "expected '- [ ] ID: TITLE' with an ID of a-z, 0-9 and "
		    "'-'");
		return set_str(&st->id, "");
	}
	if ((st->id = strndup(p, (size_t)(colon - p))) == NULL ||
	    (st->title = trimdup(colon + 1, strlen(colon + 1))) == NULL)
		return IRT_ENOMEM;
	if (*st->title == '\0')
		perr_add(e, lineno, "step '%s' has no title", st->id);
	for (i = 0; i + 1 < cl->nsteps; i++)
		if (strcmp(cl->steps[i].id, st->id) == 0)
			perr_add(
			    e, lineno, "step '%s' is defined twice", st->id);
	/* the box is checked against done:/skipped: when the step ends */
	st->state = IRT_STEP_OPEN;
	if (box != ' ')
		st->state = (enum irt_step_state) - 1;
	return 0;
}

static void
step_end(struct irt_checklist_step *st, int boxed, struct perr *e)
{
	if (st->id == NULL || *st->id == '\0')
		return;
	if (boxed && st->state == IRT_STEP_OPEN)
		perr_add(e, st->line,
		    "step '%s' is ticked but has no done: or skipped: line",
		    st->id);
	if (!boxed && st->state != IRT_STEP_OPEN)
		perr_add(e, st->line,
		    "step '%s' has a %s: line but its box is not ticked",
		    st->id, st->state == IRT_STEP_DONE ? "done" : "skipped");
	if (st->state == IRT_STEP_SKIPPED &&
	    (st->reason == NULL || *st->reason == '\0'))
		perr_add(
		    e, st->line, "skipped step '%s' has no reason:", st->id);
}

static int
parse(struct irt_checklist **out, const char *text, size_t len,
    const char *name, struct perr *e)
{
	struct irt_checklist *cl;
	struct irt_checklist_step *st = NULL;
	struct irt_buf desc = IRT_BUF_INIT;
	size_t i, lineno;
	int rc = 0, boxed = 0, in_header;

	*out = NULL;
	if ((cl = calloc(1, sizeof *cl)) == NULL)
		return IRT_ENOMEM;
	if (len > IRT_CHECKLIST_MAX) {
		perr_add(e, 1, "larger than %u bytes", IRT_CHECKLIST_MAX);
		goto done;
	}
	if (memchr(text, '\0', len) != NULL) {
		const char *z = memchr(text, '\0', len);
		size_t ln = 1;
		for (const char *q = text; q < z; q++)
			ln += *q == '\n';
		perr_add(e, ln, "NUL byte");
		goto done;
	}
	if ((rc = split_lines(cl, text, len)) != 0)
		goto done;
	for (i = 0; i < cl->nlines; i++)
		if (!irt_utf8_valid(cl->lines[i], strlen(cl->lines[i]))) {
			perr_add(e, i + 1, "not valid UTF-8");
			goto done;
		}
	if (cl->nlines == 0 || strcmp(cl->lines[0], "---") != 0) {
		perr_add(e, 1, "expected the header, a '---' line");
		goto done;
	}
	in_header = 1;
	for (i = 1; i < cl->nlines; i++) {
		const char *line = cl->lines[i];
		lineno = i + 1;
		if (in_header) {
			if (strcmp(line, "---") == 0) {
				in_header = 0;
				cl->header_end = i;
			} else if (*line != '\0' && *line != '#' &&
			    (rc = header_line(cl, line, lineno, e)) != 0)
				goto done;
			continue;
		}
		if ((line[0] == '-' || line[0] == '*' || line[0] == '+') &&
		    line[1] == ' ' && line[2] == '[') {
			if (st != NULL) {
				step_end(st, boxed, e);
				if ((st->text = irt_buf_detach(&desc)) == NULL)
					goto oom;
			}
			if ((rc = step_line(cl, line, lineno, e)) != 0)
				goto done;
			st = &cl->steps[cl->nsteps - 1];
			boxed = st->state != IRT_STEP_OPEN;
			st->state = IRT_STEP_OPEN;
			continue;
		}
		if (st == NULL)
			continue; /* free text before the first step */
		if (*line != '\0' && *line != ' ' && *line != '\t') {
			/* a line at column 0 ends the step */
			step_end(st, boxed, e);
			if ((st->text = irt_buf_detach(&desc)) == NULL)
				goto oom;
			st = NULL;
			continue;
		}
		{
			const char *p = line, *colon;
			size_t klen;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == '\0')
				continue;
			st->body_end = i + 1;
			if ((p[0] == '-' || p[0] == '*') && p[1] == ' ' &&
			    (colon = strchr(p + 2, ':')) != NULL &&
			    (colon[1] == ' ' || colon[1] == '\0') &&
			    in_list(step_keys, p + 2,
			        klen = (size_t)(colon - p - 2))) {
				char *v = trimdup(colon + 1, strlen(colon + 1));
				if (v == NULL)
					goto oom;
				rc = step_attr(
				    cl, st, p + 2, klen, v, lineno, e);
				free(v);
				if (rc != 0)
					goto done;
				continue;
			}
			if (append_text(&desc,
			        line +
			            (line[0] == '\t' ? 1
			                    : strncmp(line, "  ", 2) == 0
			                    ? 2
			                    : 1)) != 0)
				goto oom;
		}
	}
	if (st != NULL) {
		step_end(st, boxed, e);
		if ((st->text = irt_buf_detach(&desc)) == NULL)
			goto oom;
	}
	if (in_header) {
		perr_add(e, 1, "the header has no closing '---' line");
		goto done;
	}
	if (cl->id == NULL)
		perr_add(e, 1, "the header has no id:");
	else if (!valid_id(cl->id, strlen(cl->id)))
		perr_add(e, 1, "invalid id '%s': use a-z, 0-9 and '-'",
		    irt_esc(cl->id));
	if (cl->title == NULL)
		perr_add(e, 1, "the header has no title:");
	if (cl->version == NULL)
		perr_add(e, 1, "the header has no version:");
	if (cl->host != NULL && irt_checklist_check_host(cl->host) != 0)
		perr_add(e, 1, "%s", irt_error_last());
	if (cl->nsteps == 0)
		perr_add(e, cl->nlines, "no steps ('- [ ] ID: TITLE' lines)");
done:
	irt_buf_release(&desc);
	if (rc == 0 && e->oom)
		rc = IRT_ENOMEM;
	if (rc != 0 || e->n > 0) {
		irt_checklist_free(cl);
		return rc;
	}
	*out = cl;
	return 0;
oom:
	irt_buf_release(&desc);
	irt_checklist_free(cl);
	return IRT_ENOMEM;
}

int
irt_checklist_parse(
    struct irt_checklist **out, const char *text, size_t len, const char *name)
{
	struct perr e = { name, NULL, 0, 0 };
	int rc;

	rc = parse(out, text, len, name, &e);
	if (rc == IRT_ENOMEM)
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
	else if (e.n > 0)
		rc = irt_error_set(IRT_EPARSE, "%s", e.v[0]);
	irt_strv_free(e.v);
	return rc;
}

int
irt_checklist_lint(
    char ***problems, const char *text, size_t len, const char *name)
{
	struct perr e = { name, NULL, 0, 0 };
	struct irt_checklist *cl = NULL;
	int rc;

	*problems = NULL;
	rc = parse(&cl, text, len, name, &e);
	irt_checklist_free(cl);
	if (rc != 0) {
		irt_strv_free(e.v);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	if (e.v == NULL && (e.v = calloc(1, sizeof *e.v)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	*problems = e.v;
	return 0;
}

int
irt_checklist_format(struct irt_buf *out, const struct irt_checklist *cl)
{
	size_t i;

	for (i = 0; i < cl->nlines; i++)
		if (irt_buf_puts(out, cl->lines[i]) != 0 ||
		    irt_buf_putc(out, '\n') != 0)
			return IRT_ENOMEM;
	return 0;
}

long
irt_checklist_find(const struct irt_checklist *cl, const char *id)
{
	size_t i;

	for (i = 0; i < cl->nsteps; i++)
		if (strcmp(cl->steps[i].id, id) == 0)
			return (long)i;
	return -1;
}

long
irt_checklist_next(const struct irt_checklist *cl)
{
	size_t i;

	for (i = 0; i < cl->nsteps; i++)
		if (cl->steps[i].state == IRT_STEP_OPEN)
			return (long)i;
	return -1;
}

const char *
irt_checklist_unmet(const struct irt_checklist *cl, size_t i)
{
	const struct irt_checklist_step *st = &cl->steps[i];
	size_t k;
	long j;

	for (k = 0; k < st->nneeds; k++) {
		j = irt_checklist_find(cl, st->needs[k]);
		if (j < 0 || cl->steps[j].state != IRT_STEP_DONE)
			return st->needs[k];
	}
	return NULL;
}

int
irt_checklist_argv(char ***out, const char *cmd)
{
	struct irt_buf w = IRT_BUF_INIT;
	char **v = NULL, **nv;
	size_t n = 0;
	const char *p = cmd;
	int inword, rc = IRT_ENOMEM;

	*out = NULL;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		inword = 0;
		irt_buf_clear(&w);
		if (irt_buf_grow(&w, 1) != 0)
			goto fail;
		while (*p != '\0' && *p != ' ' && *p != '\t') {
			inword = 1;
			if (*p == '\'') {
				const char *q = strchr(p + 1, '\'');
				if (q == NULL)
					goto unbalanced;
				if (irt_buf_put(&w, p + 1, (size_t)(q - p - 1)))
					goto fail;
				p = q + 1;
			} else if (*p == '"') {
				p++;
				while (*p != '"') {
					if (*p == '\0')
						goto unbalanced;
					if (*p == '\\' &&
					    (p[1] == '"' || p[1] == '\\'))
						p++;
					if (irt_buf_putc(&w, *p) != 0)
						goto fail;
					p++;
				}
				p++;
			} else if (*p == '\\') {
				if (p[1] == '\0') {
					rc = irt_error_set(IRT_EINVAL,
					    "command ends with a backslash");
					goto out;
				}
				if (irt_buf_putc(&w, p[1]) != 0)
					goto fail;
				p += 2;
			} else {
				if (irt_buf_putc(&w, *p) != 0)
					goto fail;
				p++;
			}
		}
		if (!inword)
			continue;
		if ((nv = realloc(v, (n + 2) * sizeof *nv)) == NULL)
			goto fail;
		v = nv;
		if ((v[n] = strndup(w.ptr ? w.ptr : "", w.len)) == NULL)
			goto fail;
		v[++n] = NULL;
	}
	if (n == 0) {
		rc = irt_error_set(IRT_EINVAL, "empty command");
		goto out;
	}
	*out = v;
	irt_buf_release(&w);
	return 0;
unbalanced:
	rc = irt_error_set(
	    IRT_EINVAL, "unbalanced quote in command '%s'", irt_esc(cmd));
	goto out;
fail:
	rc = irt_error_set(IRT_ENOMEM, "out of memory");
out:
	if (v != NULL)
		v[n] = NULL;
	irt_strv_free(v);
	irt_buf_release(&w);
	return rc;
}

int
irt_checklist_builtins(char ***out)
{
	const struct irt_data_file *f;
	size_t n = 0, pl = strlen(DIR_PREFIX), len;
	char **v;

	for (f = irt_data_all(); f->name != NULL; f++)
		n++;
	if ((v = calloc(n + 1, sizeof *v)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	n = 0;
	for (f = irt_data_all(); f->name != NULL; f++) {
		len = strlen(f->name);
		if (strncmp(f->name, DIR_PREFIX, pl) != 0 || len < pl + 4 ||
		    strcmp(f->name + len - 3, ".md") != 0)
			continue;
		if ((v[n++] = strndup(f->name + pl, len - pl - 3)) == NULL) {
			irt_strv_free(v);
			return irt_error_set(IRT_ENOMEM, "out of memory");
		}
	}
	*out = v; /* embed.py writes them sorted */
	return 0;
}

int
irt_checklist_load(
    struct irt_checklist **out, struct irt_buf *text_out, const char *name)
{
	struct irt_buf b = IRT_BUF_INIT, path = IRT_BUF_INIT;
	const struct irt_data_file *f;
	size_t n = strlen(name);
	int rc;

	*out = NULL;
	if (strchr(name, '/') != NULL ||
	    (n > 3 && !strcmp(name + n - 3, ".md"))) {
		if ((rc = irt_buf_read_file(&b, name)) != 0)
			goto out;
		rc = irt_checklist_parse(out, b.ptr, b.len, name);
	} else {
		if (!valid_id(name, n))
			return irt_error_set(IRT_ENOTFOUND,
			    "no checklist '%s'; see 'irt checklist list'",
			    irt_esc(name));
		if ((rc = irt_buf_printf(&path, DIR_PREFIX "%s.md", name)))
			goto out;
		if ((f = irt_data_get(path.ptr)) == NULL) {
			rc = irt_error_set(IRT_ENOTFOUND,
			    "no checklist '%s'; see 'irt checklist list'",
			    name);
			goto out;
		}
		if ((rc = irt_buf_put(&b, f->data, f->len)) != 0)
			goto out;
		rc = irt_checklist_parse(out, b.ptr, b.len, path.ptr);
	}
	if (rc == 0 && text_out != NULL) {
		*text_out = b;
		b.ptr = NULL;
		b.len = b.cap = 0;
	}
out:
	irt_buf_release(&b);
	irt_buf_release(&path);
	return rc;
}

int
irt_checklist_check_host(const char *host)
{
	size_t i, n = strlen(host);

	if (n == 0 || n > 64 || host[0] == '.' || host[0] == '-')
		return irt_error_set(IRT_EINVAL,
		    "invalid host name '%s': 1 to 64 of A-Z, a-z, 0-9, "
		    "'.', '_', '-'",
		    irt_esc(host));
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)host[i]) && host[i] != '.' &&
		    host[i] != '_' && host[i] != '-')
			return irt_error_set(IRT_EINVAL,
			    "invalid host name '%s': 1 to 64 of A-Z, a-z, "
			    "0-9, '.', '_', '-'",
			    irt_esc(host));
	return 0;
}

/* Single-line text for a comment: or reason: line. */
static int
one_line(char **out, const char *what, const char *s)
{
	char *v, *p;

	if (!irt_utf8_valid(s, strlen(s)))
		return irt_error_set(IRT_EINVAL, "%s is not valid UTF-8", what);
	if ((v = trimdup(s, strlen(s))) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	*out = v;
	return 0;
}

static int
commit_copy(struct irt_case *c, const char *name, struct irt_buf *text,
    int replace, const char *subject, const struct irt_trailer *tr, size_t ntr,
    const struct irt_ident *who, char oid[IRT_OID_HEX])
{
	struct irt_buf path = IRT_BUF_INIT;
	struct irt_case_file f;
	int rc;

	if ((rc = irt_buf_printf(&path, DIR_PREFIX "%s.md", name)) != 0)
		return rc;
	/* what goes into the case must read back */
	if ((rc = irt_checklist_check(path.ptr, text->ptr, text->len)) == 0) {
		f.path = path.ptr;
		f.data = text->ptr;
		f.len = text->len;
		rc = irt_case_commit(
		    c, oid, &f, 1, replace, subject, NULL, tr, ntr, who);
	}
	irt_buf_release(&path);
	return rc;
}

int
irt_checklist_start(struct irt_case *c, char **name_out,
    const struct irt_checklist *cl, const char *host,
    const struct irt_ident *who)
{
	struct irt_buf text = IRT_BUF_INIT, name = IRT_BUF_INIT,
	               subj = IRT_BUF_INIT;
	struct irt_trailer tr[3];
	char t[IRT_TIME_MAX], oid[IRT_OID_HEX];
	size_t i;
	int rc;

	if ((rc = irt_checklist_check_host(host)) != 0)
		return rc;
	if (irt_checklist_next(cl) < 0 && cl->nsteps > 0 &&
	    cl->steps[0].state != IRT_STEP_OPEN)
		return irt_error_set(IRT_EINVAL,
		    "'%s' has no open step; start from a blank checklist",
		    cl->id);
	irt_time_format(t, irt_now(), -1);
	if ((rc = irt_buf_printf(&name, "%s-%s", cl->id, host)) != 0)
		goto out;
	for (i = 0; i < cl->nlines && rc == 0; i++) {
		const char *l = cl->lines[i];
		if (i > 0 && i < cl->header_end &&
		    (strncmp(l, "host:", 5) == 0 ||
		        strncmp(l, "started:", 8) == 0))
			continue;
		if (i == cl->header_end)
			rc = irt_buf_printf(
			    &text, "host: %s\nstarted: %s\n", host, t);
		if (rc == 0)
			rc = irt_buf_printf(&text, "%s\n", l);
	}
	if (rc != 0 ||
	    (rc = irt_buf_printf(&subj, "checklist: start %s", name.ptr)))
		goto out;
	tr[0].key = "Irt-Action";
	tr[0].value = "checklist-start";
	tr[1].key = "Irt-Checklist";
	tr[1].value = name.ptr;
	tr[2].key = "Irt-Checklist-Version";
	tr[2].value = cl->version;
	rc = commit_copy(c, name.ptr, &text, 0, subj.ptr, tr, 3, who, oid);
	if (rc == IRT_EEXISTS)
		rc = irt_error_set(IRT_EEXISTS,
		    "checklist '%s' is already started in this case", name.ptr);
	if (rc == 0 && name_out != NULL)
		*name_out = irt_buf_detach(&name);
out:
	irt_buf_release(&text);
	irt_buf_release(&name);
	irt_buf_release(&subj);
	return rc;
}

int
irt_checklist_started(struct irt_case *c, char ***out)
{
	char **v;
	size_t i, j, n;
	int rc;

	if ((rc = irt_case_list(c, &v, "checklists")) != 0)
		return rc;
	for (i = j = 0; v[i] != NULL; i++) {
		n = strlen(v[i]);
		if (n > 3 && strcmp(v[i] + n - 3, ".md") == 0) {
			v[i][n - 3] = '\0';
			v[j++] = v[i];
		} else
			free(v[i]);
	}
	v[j] = NULL;
	*out = v;
	return 0;
}

static int
read_copy(struct irt_case *c, struct irt_checklist **out, const char *name)
{
	struct irt_buf path = IRT_BUF_INIT, b = IRT_BUF_INIT;
	int rc;

	if ((rc = irt_buf_printf(&path, DIR_PREFIX "%s.md", name)) != 0)
		return rc;
	rc = irt_case_read(c, &b, path.ptr);
	if (rc == IRT_ENOTFOUND)
		rc = irt_error_set(IRT_ENOTFOUND,
		    "checklist '%s' is not started in this case",
		    irt_esc(name));
	if (rc == 0)
		rc = irt_checklist_parse(out, b.ptr, b.len, path.ptr);
	irt_buf_release(&path);
	irt_buf_release(&b);
	return rc;
}

int
irt_checklist_open(struct irt_case *c, struct irt_checklist **out,
    char **name_out, const char *prefix)
{
	char **v = NULL, *full = NULL;
	const char *pick = NULL;
	size_t i, nopen = 0, n;
	int rc;

	*out = NULL;
	if (prefix != NULL) {
		if ((rc = irt_case_resolve(
		         c, &full, "checklists", ".md", prefix)) != 0) {
			if (rc == IRT_ENOTFOUND)
				rc = irt_error_set(IRT_ENOTFOUND,
				    "no started checklist '%s'; see 'irt "
				    "checklist status'",
				    irt_esc(prefix));
			return rc;
		}
		rc = read_copy(c, out, full);
		if (rc == 0 && name_out != NULL)
			*name_out = full;
		else
			free(full);
		return rc;
	}
	if ((rc = irt_checklist_started(c, &v)) != 0)
		return rc;
	for (n = 0; v[n] != NULL; n++)
		;
	if (n == 0) {
		rc = irt_error_set(IRT_ENOTFOUND,
		    "no checklist is started; see 'irt checklist start'");
		goto out;
	}
	if (n == 1)
		pick = v[0];
	else {
		for (i = 0; i < n; i++) {
			struct irt_checklist *cl;
			if ((rc = read_copy(c, &cl, v[i])) != 0)
				goto out;
			if (irt_checklist_next(cl) >= 0) {
				nopen++;
				pick = v[i];
			}
			irt_checklist_free(cl);
		}
		if (nopen != 1) {
			rc = irt_error_set(IRT_EAMBIGUOUS,
			    "%zu checklists are started; name one with -c", n);
			goto out;
		}
	}
	if ((rc = read_copy(c, out, pick)) == 0 && name_out != NULL &&
	    (*name_out = strdup(pick)) == NULL) {
		irt_checklist_free(*out);
		*out = NULL;
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
	}
out:
	irt_strv_free(v);
	return rc;
}

static int
is_state_line(const char *line)
{
	const char *p = line, *colon;

	while (*p == ' ' || *p == '\t')
		p++;
	if ((p[0] != '-' && p[0] != '*') || p[1] != ' ')
		return 0;
	if ((colon = strchr(p + 2, ':')) == NULL)
		return 0;
	return in_list(state_keys, p + 2, (size_t)(colon - p - 2));
}

/* Writes the copy with step i changed to the state lines in add. */
static int
rewrite(struct irt_buf *out, const struct irt_checklist *cl, size_t i, char box,
    const struct irt_buf *add)
{
	const struct irt_checklist_step *st = &cl->steps[i];
	size_t k, box_line = st->line - 1;
	int rc = 0;

	for (k = 0; k < cl->nlines && rc == 0; k++) {
		const char *l = cl->lines[k];
		if (k == st->body_end && add->len > 0)
			rc = irt_buf_put(out, add->ptr, add->len);
		if (k == box_line) {
			rc = rc ? rc : irt_buf_put(out, l, 3);
			rc = rc ? rc : irt_buf_putc(out, box);
			rc = rc ? rc : irt_buf_printf(out, "%s\n", l + 4);
			continue;
		}
		if (k > box_line && k < st->body_end && is_state_line(l))
			continue;
		if (rc == 0)
			rc = irt_buf_printf(out, "%s\n", l);
	}
	if (rc == 0 && st->body_end >= cl->nlines && add->len > 0)
		rc = irt_buf_put(out, add->ptr, add->len);
	return rc;
}

int
irt_checklist_mark(struct irt_case *c, const char *name,
    const struct irt_checklist_mark *m, const struct irt_ident *who,
    char oid_out[IRT_OID_HEX])
{
	struct irt_checklist *cl = NULL;
	struct irt_buf add = IRT_BUF_INIT, text = IRT_BUF_INIT,
	               subj = IRT_BUF_INIT;
	struct irt_trailer tr[7];
	const struct irt_checklist_step *st;
	const char *unmet, *action, *result;
	char t[IRT_TIME_MAX], oid[IRT_OID_HEX], *author = NULL, *txt = NULL;
	char *forced = NULL;
	size_t ntr = 0;
	long i;
	int rc;

	/* no other writer may tick a step between our read and commit */
	if ((rc = irt_case_lock(c)) != 0)
		return rc;
	if ((rc = read_copy(c, &cl, name)) != 0) {
		irt_case_unlock(c);
		return rc;
	}
	if ((i = irt_checklist_find(cl, m->step)) < 0) {
		rc = irt_error_set(IRT_ENOTFOUND,
		    "checklist '%s' has no step '%s'", name, irt_esc(m->step));
		goto out;
	}
	st = &cl->steps[i];
	if (m->state != IRT_STEP_OPEN && st->state != IRT_STEP_OPEN) {
		rc = irt_error_set(IRT_EINVAL,
		    "step '%s' is already %s (%s by %s); reopen it first",
		    st->id, st->state == IRT_STEP_DONE ? "done" : "skipped",
		    st->when, irt_esc(st->who));
		goto out;
	}
	if (m->state == IRT_STEP_OPEN && st->state == IRT_STEP_OPEN) {
		rc = irt_error_set(
		    IRT_EINVAL, "step '%s' is not done or skipped", st->id);
		goto out;
	}
	unmet = m->state == IRT_STEP_DONE ? irt_checklist_unmet(cl, i) : NULL;
	if (unmet != NULL && m->forced == NULL) {
		rc = irt_error_set(IRT_ECONFLICT,
		    "step '%s' needs step '%s' done first; use --force to "
		    "override",
		    st->id, unmet);
		goto out;
	}
	if (m->text != NULL &&
	    (rc = one_line(&txt,
	         m->state == IRT_STEP_SKIPPED ? "the reason" : "the comment",
	         m->text)) != 0)
		goto out;
	if (m->state == IRT_STEP_SKIPPED && (txt == NULL || *txt == '\0')) {
		rc = irt_error_set(
		    IRT_EINVAL, "skipping step '%s' needs a reason", st->id);
		goto out;
	}
	if (unmet != NULL && (rc = one_line(&forced, "forced", m->forced)))
		goto out;
	if ((author = irt_ident_format(who)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	irt_time_format(t, irt_now(), -1);
	switch (m->state) {
	case IRT_STEP_DONE:
		action = "checklist-done";
		result = "done";
		rc = irt_buf_printf(&add, "  - done: %s by %s\n", t, author);
		if (rc == 0 && txt != NULL && *txt != '\0')
			rc = irt_buf_printf(&add, "  - comment: %s\n", txt);
		if (rc == 0 && m->run_id != NULL)
			rc = irt_buf_printf(&add, "  - run-id: %s (exit %s)\n",
			    m->run_id, m->run_exit ? m->run_exit : "0");
		break;
	case IRT_STEP_SKIPPED:
		action = "checklist-skip";
		result = "skipped";
		rc = irt_buf_printf(&add,
		    "  - skipped: %s by %s\n  - reason: %s\n", t, author, txt);
		break;
	default:
		action = "checklist-reopen";
		result = "reopened";
		rc =
		    irt_buf_printf(&add, "  - reopened: %s by %s\n", t, author);
		break;
	}
	if (rc == 0 && forced != NULL)
		rc = irt_buf_printf(&add,
		    "  - forced: '%s' was not done (%s)\n", unmet, forced);
	if (rc == 0)
		rc = rewrite(&text, cl, (size_t)i,
		    m->state == IRT_STEP_OPEN ? ' ' : 'x', &add);
	if (rc == 0)
		rc = irt_buf_printf(&subj, "checklist: %s %s %s",
		    m->state == IRT_STEP_DONE          ? "done"
		        : m->state == IRT_STEP_SKIPPED ? "skip"
		                                       : "reopen",
		    name, st->id);
	if (rc != 0)
		goto out;
	tr[ntr].key = "Irt-Action";
	tr[ntr++].value = action;
	tr[ntr].key = "Irt-Checklist";
	tr[ntr++].value = name;
	tr[ntr].key = "Irt-Step";
	tr[ntr++].value = st->id;
	tr[ntr].key = "Irt-Result";
	tr[ntr++].value = result;
	if (forced != NULL) {
		tr[ntr].key = "Irt-Forced";
		tr[ntr++].value = unmet;
	}
	if (m->run_id != NULL) {
		tr[ntr].key = "Irt-Run";
		tr[ntr++].value = m->run_id;
	}
	rc = commit_copy(
	    c, name, &text, 1, subj.ptr, tr, ntr, who, oid_out ? oid_out : oid);
out:
	free(author);
	free(txt);
	free(forced);
	irt_buf_release(&add);
	irt_buf_release(&text);
	irt_buf_release(&subj);
	irt_checklist_free(cl);
	irt_case_unlock(c);
	return rc;
}

int
irt_checklist_do(struct irt_case *c, const char *name, const char *step,
    const char *forced, const struct irt_run_opts *opts,
    const struct irt_ident *who, struct irt_run_result *result, int *ticked)
{
	struct irt_checklist *cl = NULL;
	struct irt_checklist_mark m;
	struct irt_run_opts o;
	struct irt_trailer *tr = NULL;
	struct irt_buf msg = IRT_BUF_INIT;
	const struct irt_checklist_step *st;
	char **argv = NULL, num[16];
	size_t k;
	long i;
	int rc;

	*ticked = 0;
	memset(result, 0, sizeof *result);
	if ((rc = read_copy(c, &cl, name)) != 0)
		return rc;
	if ((i = irt_checklist_find(cl, step)) < 0) {
		rc = irt_error_set(IRT_ENOTFOUND,
		    "checklist '%s' has no step '%s'", name, irt_esc(step));
		goto out;
	}
	st = &cl->steps[i];
	if (st->run == NULL) {
		rc = irt_error_set(IRT_EINVAL,
		    "step '%s' has no run: command; do it by hand and use "
		    "'irt checklist done %s'",
		    st->id, st->id);
		goto out;
	}
	if (st->state != IRT_STEP_OPEN) {
		rc = irt_error_set(IRT_EINVAL,
		    "step '%s' is already %s; reopen it first", st->id,
		    st->state == IRT_STEP_DONE ? "done" : "skipped");
		goto out;
	}
	if (irt_checklist_unmet(cl, i) != NULL && forced == NULL) {
		rc = irt_error_set(IRT_ECONFLICT,
		    "step '%s' needs step '%s' done first; use --force to "
		    "override",
		    st->id, irt_checklist_unmet(cl, i));
		goto out;
	}
	if ((rc = irt_checklist_argv(&argv, st->run)) != 0)
		goto out;
	memset(&o, 0, sizeof o);
	if (opts != NULL)
		o = *opts;
	if ((tr = calloc(o.ntrailers + 3, sizeof *tr)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < o.ntrailers; k++)
		tr[k] = o.trailers[k];
	tr[k].key = "Irt-Checklist";
	tr[k++].value = name;
	tr[k].key = "Irt-Step";
	tr[k++].value = st->id;
	if (forced != NULL) {
		tr[k].key = "Irt-Forced";
		tr[k++].value = irt_checklist_unmet(cl, i);
	}
	o.trailers = tr;
	o.ntrailers = k;
	if (o.message == NULL) {
		if ((rc = irt_buf_printf(&msg, "checklist %s, step %s: %s",
		         name, st->id, st->title)) != 0)
			goto out;
		o.message = msg.ptr;
	}
	if ((rc = irt_run(c, result, argv, &o, who)) != 0)
		goto out;
	if (result->exit_code != 0 || result->spawn.not_found ||
	    result->spawn.timed_out)
		goto out;
	memset(&m, 0, sizeof m);
	m.step = st->id;
	m.state = IRT_STEP_DONE;
	m.forced = forced;
	m.run_id = result->id;
	snprintf(num, sizeof num, "%d", result->exit_code);
	m.run_exit = num;
	if ((rc = irt_checklist_mark(c, name, &m, who, NULL)) == 0)
		*ticked = 1;
out:
	free(tr);
	irt_buf_release(&msg);
	irt_strv_free(argv);
	irt_checklist_free(cl);
	return rc;
}

int
irt_checklist_check(const char *path, const char *data, size_t len)
{
	struct irt_checklist *cl;
	int rc;

	if ((rc = irt_checklist_parse(&cl, data, len, path)) != 0)
		return rc;
	if (cl->host == NULL || cl->started == NULL)
		rc = irt_error_set(IRT_EPARSE,
		    "%s: a started checklist has host: and started: in its "
		    "header",
		    path);
	irt_checklist_free(cl);
	return rc;
}
