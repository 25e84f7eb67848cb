/*
 * The one option parser of irt: declared tables (opt.h) in, checked
 * values out, and the usage and help texts written from the same tables.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irt.h"

#define OPT_BASE 256 /* getopt_long values: OPT_BASE + index in the table */
#define OPT_HELP (OPT_BASE - 1)
#define OPT_JSON (OPT_BASE - 2)

static const char *const kind_names[] = {
	[IRT_ARG_NONE] = NULL,
	[IRT_ARG_STRING] = "TEXT",
	[IRT_ARG_PATH] = "FILE",
	[IRT_ARG_INT] = "N",
	[IRT_ARG_SIZE] = "SIZE",
	[IRT_ARG_DURATION] = "SECONDS",
	[IRT_ARG_DATE] = "TIME",
	[IRT_ARG_ENUM] = "WORD",
};

const char *
irt_opt_metavar(const struct irt_opt *o)
{
	return o->metavar != NULL ? o->metavar : kind_names[o->arg];
}

static size_t
opt_count(const struct irt_opt *opts)
{
	size_t n = 0;

	while (opts != NULL && opts[n].name != NULL)
		n++;
	return n;
}

/* The option of a long name; a name that is not declared is a mistake
 * in irt, caught by any test that reaches it. */
static const struct irt_opt *
opt_find(const struct irt_opt *opts, const char *name)
{
	size_t i;

	for (i = 0; opts != NULL && opts[i].name != NULL; i++)
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	fprintf(stderr, "irt: internal error: option '--%s' is not declared\n",
	    name);
	abort();
}

static const struct irt_optval *
last_val(const struct irt_args *a, const char *name)
{
	const struct irt_opt *o = opt_find(a->opts, name);
	size_t i;

	for (i = a->nvals; i-- > 0;)
		if (a->vals[i].opt == o)
			return &a->vals[i];
	return NULL;
}

bool
irt_args_has(const struct irt_args *a, const char *name)
{
	return last_val(a, name) != NULL;
}

size_t
irt_args_count(const struct irt_args *a, const char *name)
{
	const struct irt_opt *o = opt_find(a->opts, name);
	size_t i, n = 0;

	for (i = 0; i < a->nvals; i++)
		n += a->vals[i].opt == o;
	return n;
}

const char *
irt_args_nth(const struct irt_args *a, const char *name, size_t nth)
{
	const struct irt_opt *o = opt_find(a->opts, name);
	size_t i;

	for (i = 0; i < a->nvals; i++)
		if (a->vals[i].opt == o && nth-- == 0)
			return a->vals[i].arg;
	return NULL;
}

const char *
irt_args_str(const struct irt_args *a, const char *name, const char *def)
{
	const struct irt_optval *v = last_val(a, name);

	return v != NULL ? v->arg : def;
}

long long
irt_args_int(const struct irt_args *a, const char *name, long long def)
{
	const struct irt_optval *v = last_val(a, name);

	return v != NULL ? v->v.i : def;
}

uint64_t
irt_args_size(const struct irt_args *a, const char *name, uint64_t def)
{
	const struct irt_optval *v = last_val(a, name);

	return v != NULL ? v->v.size : def;
}

double
irt_args_secs(const struct irt_args *a, const char *name, double def)
{
	const struct irt_optval *v = last_val(a, name);

	return v != NULL ? v->v.secs : def;
}

irt_ns
irt_args_date(const struct irt_args *a, const char *name, irt_ns def)
{
	const struct irt_optval *v = last_val(a, name);

	return v != NULL ? v->v.date : def;
}

int
irt_args_enum(const struct irt_args *a, const char *name, int def)
{
	const struct irt_optval *v = last_val(a, name);

	return v != NULL ? v->v.choice : def;
}

void
irt_args_release(struct irt_args *a)
{
	free(a->vals);
	a->vals = NULL;
	a->nvals = 0;
}

/* "--max-file-size" or "-o/--output" as messages name an option. */
static const char *
opt_label(const struct irt_opt *o, char *buf, size_t len)
{
	if (o->short_name != 0)
		snprintf(buf, len, "-%c/--%s", o->short_name, o->name);
	else
		snprintf(buf, len, "--%s", o->name);
	return buf;
}

/* Checks and converts the argument of o into v; prints the error. */
static int
opt_value(struct irt_optval *v, const struct irt_opt *o, const char *path,
    const char *arg)
{
	char label[128];
	long long min = o->min, max = o->max;
	size_t i;
	int rc = 0;

	v->opt = o;
	v->arg = arg;
	switch (o->arg) {
	case IRT_ARG_NONE:
	case IRT_ARG_STRING:
	case IRT_ARG_PATH:
		break;
	case IRT_ARG_INT:
		if (min == 0 && max == 0) {
			min = INT64_MIN;
			max = INT64_MAX;
		}
		rc = irt_parse_int(&v->v.i, arg, min, max);
		break;
	case IRT_ARG_SIZE:
		rc = irt_parse_size(&v->v.size, arg,
		    (uint64_t)(min < 0 ? 0 : min),
		    max > 0 ? (uint64_t)max : UINT64_MAX);
		break;
	case IRT_ARG_DURATION:
		rc = irt_parse_duration(&v->v.secs, arg,
		    (double)(min < 0 ? 0 : min), max > 0 ? (double)max : 1e12);
		break;
	case IRT_ARG_DATE:
		if (irt_time_parse(&v->v.date, arg) != 0)
			rc = irt_error_set(IRT_EINVAL,
			    "invalid time '%s' (want 2026-11-27, "
			    "2026-11-27T21:14:39Z or @EPOCH)",
			    irt_esc(arg));
		break;
	case IRT_ARG_ENUM:
		for (i = 0; o->values != NULL && o->values[i] != NULL; i++)
			if (strcmp(o->values[i], arg) == 0)
				break;
		if (o->values == NULL || o->values[i] == NULL) {
			struct irt_buf b = IRT_BUF_INIT;

			for (i = 0; o->values != NULL && o->values[i] != NULL;
			     i++)
				irt_buf_printf(
				    &b, "%s%s", i ? ", " : "", o->values[i]);
			irt_err("%s: invalid value '%s' for %s (one of: %s)",
			    path, irt_esc(arg),
			    opt_label(o, label, sizeof label),
			    irt_buf_cstr(&b));
			irt_buf_release(&b);
			return -1;
		}
		v->v.choice = (int)i;
		break;
	}
	if (rc != 0) {
		irt_err("%s: %s: %s", path, opt_label(o, label, sizeof label),
		    irt_error_last());
		return -1;
	}
	return 0;
}

static int
usage_error(const struct irt_form *f)
{
	struct irt_buf b = IRT_BUF_INIT;

	irt_form_usage(&b, f);
	fflush(stdout);
	fputs(irt_buf_cstr(&b), stderr);
	irt_buf_release(&b);
	return EXIT_USAGE;
}

int
irt_args_parse(
    struct irt_args *a, const struct irt_form *f, int argc, char **argv)
{
	size_t n = opt_count(f->opts), i, k = 0;
	struct option *lo = NULL;
	struct irt_buf shorts = IRT_BUF_INIT;
	int ch, rc = EXIT_USAGE, idx;
	bool json = a->json;

	memset(a, 0, sizeof *a);
	a->opts = f->opts;
	a->json = json;
	if ((lo = calloc(n + 3, sizeof *lo)) == NULL ||
	    (a->vals = calloc((size_t)argc + 1, sizeof *a->vals)) == NULL)
		goto nomem;
	/* "+": options end at the first operand, as in irt run CMD ARGS;
	 * ":": a missing argument is told apart from an unknown option. */
	if (irt_buf_puts(
	        &shorts, (f->flags & IRT_CMD_OPTS_FIRST) ? "+:h" : ":h") != 0)
		goto nomem;
	for (i = 0; i < n; i++) {
		const struct irt_opt *o = &f->opts[i];

		lo[k].name = o->name;
		lo[k].has_arg =
		    o->arg == IRT_ARG_NONE ? no_argument : required_argument;
		lo[k].val = OPT_BASE + (int)i;
		k++;
		if (o->short_name != 0 &&
		    (irt_buf_putc(&shorts, o->short_name) != 0 ||
		        (o->arg != IRT_ARG_NONE &&
		            irt_buf_putc(&shorts, ':') != 0)))
			goto nomem;
	}
	lo[k++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	lo[k++] = (struct option){ "json", no_argument, NULL, OPT_JSON };

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(
	            argc, argv, irt_buf_cstr(&shorts), lo, &idx)) != -1) {
		const struct irt_opt *o = NULL;

		if (ch == 'h' || ch == OPT_HELP) {
			struct irt_buf b = IRT_BUF_INIT;

			irt_form_help(&b, f, NULL);
			rc = irt_out(&b);
			irt_buf_release(&b);
			goto out;
		}
		if (ch == OPT_JSON) {
			a->json = true;
			continue;
		}
		if (ch == '?' || ch == ':') {
			const char *w = argv[optind - 1];

			if (ch == ':')
				irt_err("%s: option '%s' needs an argument",
				    f->path, irt_esc(w));
			else if (w != NULL && strncmp(w, "--", 2) == 0)
				irt_err("%s: unknown option '%s'", f->path,
				    irt_esc(w));
			else
				irt_err("%s: unknown option '-%c'", f->path,
				    optopt >= 32 && optopt < 127 ? optopt
				                                 : '?');
			rc = usage_error(f);
			goto out;
		}
		if (ch >= OPT_BASE)
			o = &f->opts[ch - OPT_BASE];
		else
			for (i = 0; i < n; i++)
				if (f->opts[i].short_name == ch)
					o = &f->opts[i];
		if (o == NULL) {
			rc = usage_error(f);
			goto out;
		}
		if (!(o->flags & IRT_OPT_REPEAT)) {
			/* given again: the last one counts, as getopt users
			 * expect; keep one value */
			for (i = 0; i < a->nvals; i++)
				if (a->vals[i].opt == o)
					break;
			if (i < a->nvals) {
				if (opt_value(
				        &a->vals[i], o, f->path, optarg) != 0) {
					rc = usage_error(f);
					goto out;
				}
				continue;
			}
		}
		if (opt_value(&a->vals[a->nvals], o, f->path, optarg) != 0) {
			rc = usage_error(f);
			goto out;
		}
		a->nvals++;
	}
	a->argc = argc - optind;
	a->argv = argv + optind;
	if (a->json && !(f->flags & IRT_CMD_JSON)) {
		irt_err("%s: --json is not supported here: this command has no "
		        "JSON output",
		    f->path);
		rc = EXIT_USAGE;
		goto out;
	}
	if (a->argc < f->min_args ||
	    (f->max_args >= 0 && a->argc > f->max_args)) {
		if (a->argc > 0 && f->max_args >= 0 && a->argc > f->max_args)
			irt_err("%s: unexpected argument '%s'", f->path,
			    irt_esc(a->argv[f->max_args]));
		else
			irt_err("%s: missing %s", f->path,
			    f->operands != NULL ? f->operands : "argument");
		rc = usage_error(f);
		goto out;
	}
	free(lo);
	irt_buf_release(&shorts);
	return -1;
nomem:
	irt_err("out of memory");
	rc = EXIT_FAIL;
out:
	free(lo);
	irt_buf_release(&shorts);
	irt_args_release(a);
	return rc;
}

/* Appends a word to a usage line wrapped at 80 columns; continuation
 * lines are indented to indent. */
static void
usage_word(struct irt_buf *b, size_t *col, size_t indent, const char *w)
{
	size_t len = strlen(w);

	if (*col + 1 + len > 79 && *col > indent) {
		irt_buf_printf(b, "\n%*s", (int)indent, "");
		*col = indent;
	} else {
		irt_buf_putc(b, ' ');
		(*col)++;
	}
	irt_buf_puts(b, w);
	*col += len;
}

int
irt_form_usage(struct irt_buf *b, const struct irt_form *f)
{
	char w[256];
	size_t i, col, indent, start = b->len;

	irt_buf_printf(b, "usage: irt %s", f->path);
	indent = col = b->len - start;
	for (i = 0; f->opts != NULL && f->opts[i].name != NULL; i++) {
		const struct irt_opt *o = &f->opts[i];
		const char *rep = (o->flags & IRT_OPT_REPEAT) ? "..." : "";

		if (o->flags & IRT_OPT_HIDDEN)
			continue;
		if (o->arg == IRT_ARG_NONE && o->short_name != 0)
			snprintf(w, sizeof w, "[-%c]%s", o->short_name, rep);
		else if (o->arg == IRT_ARG_NONE)
			snprintf(w, sizeof w, "[--%s]%s", o->name, rep);
		else if (o->short_name != 0)
			snprintf(w, sizeof w, "[-%c %s]%s", o->short_name,
			    irt_opt_metavar(o), rep);
		else
			snprintf(w, sizeof w, "[--%s %s]%s", o->name,
			    irt_opt_metavar(o), rep);
		usage_word(b, &col, indent, w);
	}
	if (f->flags & IRT_CMD_JSON)
		usage_word(b, &col, indent, "[--json]");
	if (f->operands != NULL && *f->operands != '\0')
		usage_word(b, &col, indent, f->operands);
	return irt_buf_putc(b, '\n');
}

/* One line of --help: "  -o, --output ARCHIVE  help (values)". */
static void
help_line(struct irt_buf *b, const struct irt_opt *o)
{
	char left[160];
	size_t i;

	if (o->arg == IRT_ARG_NONE)
		snprintf(left, sizeof left, "%c%c%c --%s",
		    o->short_name ? '-' : ' ',
		    o->short_name ? o->short_name : ' ',
		    o->short_name ? ',' : ' ', o->name);
	else
		snprintf(left, sizeof left, "%c%c%c --%s %s",
		    o->short_name ? '-' : ' ',
		    o->short_name ? o->short_name : ' ',
		    o->short_name ? ',' : ' ', o->name, irt_opt_metavar(o));
	irt_buf_printf(b, "  %-28s", left);
	if (strlen(left) > 28)
		irt_buf_printf(b, "\n  %-28s", "");
	irt_buf_printf(b, " %s", o->help != NULL ? o->help : "");
	if (o->arg == IRT_ARG_ENUM && o->values != NULL) {
		irt_buf_puts(b, " (");
		for (i = 0; o->values[i] != NULL; i++)
			irt_buf_printf(b, "%s%s", i ? ", " : "", o->values[i]);
		irt_buf_putc(b, ')');
	} else if (o->arg == IRT_ARG_INT && (o->min != 0 || o->max != 0))
		irt_buf_printf(b, " (%lld to %lld)", o->min, o->max);
	if (o->flags & IRT_OPT_REPEAT)
		irt_buf_puts(b, "; may be repeated");
	irt_buf_putc(b, '\n');
}

int
irt_form_help(struct irt_buf *b, const struct irt_form *f, const char *summary)
{
	static const struct irt_opt json = { "json", 0, IRT_ARG_NONE, NULL,
		"write JSON" };
	static const struct irt_opt help = { "help", 'h', IRT_ARG_NONE, NULL,
		"show this help" };
	size_t i;

	if (summary != NULL)
		irt_buf_printf(b, "irt %s - %s\n\n", f->path, summary);
	irt_form_usage(b, f);
	irt_buf_puts(b, "\noptions:\n");
	for (i = 0; f->opts != NULL && f->opts[i].name != NULL; i++)
		if (!(f->opts[i].flags & IRT_OPT_HIDDEN))
			help_line(b, &f->opts[i]);
	if (f->flags & IRT_CMD_JSON)
		help_line(b, &json);
	help_line(b, &help);
	return irt_buf_printf(b, "\nSee 'irt help %.*s' for the manual.\n",
	    (int)strcspn(f->path, " "), f->path);
}
