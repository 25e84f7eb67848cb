/*
 * The one option parser of irt: declared tables (opt.h) in, checked
 * values out, and the usage and help texts written from the same tables.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
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

const char *
irt_opt_label(const struct irt_opt *o, char *buf, size_t len)
{
	if (o->flags & IRT_OPT_NOLONG)
		snprintf(buf, len, "-%c", o->short_name);
	else if (o->short_name != 0)
		snprintf(buf, len, "-%c/--%s", o->short_name, o->name);
	else
		snprintf(buf, len, "--%s", o->name);
	return buf;
}

const struct irt_opt *
irt_opt_long(const struct irt_opt *opts, const char *name, size_t len)
{
	size_t i;

	for (i = 0; opts != NULL && opts[i].name != NULL; i++)
		if (!(opts[i].flags & IRT_OPT_NOLONG) &&
		    strlen(opts[i].name) == len &&
		    strncmp(opts[i].name, name, len) == 0)
			return &opts[i];
	return NULL;
}

const struct irt_opt *
irt_opt_short(const struct irt_opt *opts, char c)
{
	size_t i;

	for (i = 0; c != 0 && opts != NULL && opts[i].name != NULL; i++)
		if (opts[i].short_name == c)
			return &opts[i];
	return NULL;
}

static size_t
opt_count(const struct irt_opt *opts)
{
	size_t n = 0;

	while (opts != NULL && opts[n].name != NULL)
		n++;
	return n;
}

/* Is the option declared by the table rather than implied? */
static bool
declared(const struct irt_form *f, const char *name)
{
	size_t i;

	for (i = 0; f->opts != NULL && f->opts[i].name != NULL; i++)
		if (strcmp(f->opts[i].name, name) == 0)
			return true;
	return false;
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

bool
irt_args_admits(const struct irt_args *a, const char *name, const char *value)
{
	size_t i, n = irt_args_count(a, name);

	if (n == 0)
		return true;
	for (i = 0; i < n; i++)
		if (value != NULL &&
		    strcmp(irt_args_nth(a, name, i), value) == 0)
			return true;
	return false;
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

const char *
irt_args_str_at(
    const struct irt_args *a, const char *name, int operand, const char *def)
{
	const struct irt_opt *o = opt_find(a->opts, name);
	const char *v = def;
	size_t i;

	for (i = 0; i < a->nvals; i++)
		if (a->vals[i].opt == o && a->vals[i].pos <= operand)
			v = a->vals[i].arg;
	return v;
}

void
irt_args_release(struct irt_args *a)
{
	free(a->vals);
	free(a->argv);
	a->vals = NULL;
	a->argv = NULL;
	a->nvals = 0;
	a->argc = 0;
}

/* "irt: note add: message", or "irt: message" for irt's own options. */
static void say(const struct irt_form *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(const struct irt_form *f, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("irt: ", stderr);
	if (f->path != NULL && *f->path != '\0')
		fprintf(stderr, "%s: ", f->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Checks and converts the argument of o into v; prints the error. */
static int
opt_value(struct irt_optval *v, const struct irt_opt *o,
    const struct irt_form *f, const char *arg)
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
		/* 0 would mean no limit where a duration is a timeout */
		if (rc == 0 && v->v.secs <= 0)
			rc = irt_error_set(IRT_EINVAL,
			    "duration '%s' is out of range (more than 0 "
			    "seconds)",
			    irt_esc(arg));
		break;
	case IRT_ARG_DATE:
		if (irt_time_parse(&v->v.date, arg) != 0) {
			/* a time irt cannot hold says so, as the parsers do;
			 * anything else gets the forms irt reads */
			char why[256];

			snprintf(why, sizeof why, "%s", irt_error_last());
			if (strstr(why, "out of range") != NULL)
				rc = irt_error_set(IRT_EINVAL, "%s", why);
			else
				rc = irt_error_set(IRT_EINVAL,
				    "invalid time '%s' (want 2026-11-27, "
				    "2026-11-27T21:14:39Z or @EPOCH)",
				    irt_esc(arg));
		}
		break;
	case IRT_ARG_ENUM:
		for (i = 0; o->values != NULL && o->values[i] != NULL; i++)
			if (strcmp(o->values[i], arg) == 0)
				break;
		if (o->values == NULL || o->values[i] == NULL) {
			struct irt_buf b = IRT_BUF_INIT;
			char what[64];

			/* "unknown format 'x'", after the metavariable */
			snprintf(what, sizeof what, "%s", irt_opt_metavar(o));
			for (i = 0; what[i] != '\0'; i++)
				what[i] = (char)tolower((unsigned char)what[i]);
			for (i = 0; o->values != NULL && o->values[i] != NULL;
			     i++)
				irt_buf_printf(
				    &b, "%s%s", i ? ", " : "", o->values[i]);
			say(f, "%s: unknown %s '%s' (one of: %s)",
			    irt_opt_label(o, label, sizeof label), what,
			    irt_esc(arg), irt_buf_cstr(&b));
			irt_buf_release(&b);
			return -1;
		}
		v->v.choice = (int)i;
		break;
	}
	if (rc != 0) {
		say(f, "%s: %s", irt_opt_label(o, label, sizeof label),
		    irt_error_last());
		return -1;
	}
	return 0;
}

static int
usage_error(const struct irt_form *f)
{
	struct irt_buf b = IRT_BUF_INIT;

	irt_form_usage(&b, f, false);
	fflush(stdout);
	fputs(irt_buf_cstr(&b), stderr);
	irt_buf_release(&b);
	return EXIT_USAGE;
}

int
irt_args_usage(const struct irt_args *a, const char *fmt, ...)
{
	struct irt_buf msg = IRT_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	irt_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	say(a->form, "%s", irt_buf_cstr(&msg));
	irt_buf_release(&msg);
	return usage_error(a->form);
}

/* "-m TEXT" or "--force", as usage and messages show an option. */
static void
opt_word(char *w, size_t len, const struct irt_opt *o, bool dots)
{
	const char *rep = dots && (o->flags & IRT_OPT_REPEAT) ? "..." : "";

	if (o->arg == IRT_ARG_NONE && o->short_name != 0)
		snprintf(w, len, "-%c%s", o->short_name, rep);
	else if (o->arg == IRT_ARG_NONE)
		snprintf(w, len, "--%s%s", o->name, rep);
	else if (o->short_name != 0)
		snprintf(
		    w, len, "-%c %s%s", o->short_name, irt_opt_metavar(o), rep);
	else
		snprintf(w, len, "--%s %s%s", o->name, irt_opt_metavar(o), rep);
}

/* Is the option the first of its group (or in none)?  The options of a
 * group are next to each other in the table. */
static bool
first_of_group(const struct irt_form *f, size_t i)
{
	return i == 0 || f->opts[i].group == 0 ||
	    f->opts[i - 1].group != f->opts[i].group;
}

/* The checks across options: alone, exclusive groups, required. */
static int
check_options(const struct irt_args *a, const struct irt_form *f)
{
	const struct irt_opt *alone = NULL, *o, *p;
	char l1[128], l2[128], w[256];
	size_t i, j;

	for (i = 0; i < a->nvals; i++)
		if (a->vals[i].opt->flags & IRT_OPT_ALONE)
			alone = a->vals[i].opt;
	for (i = 0; alone != NULL && i < a->nvals; i++)
		if (a->vals[i].opt != alone) {
			say(f, "%s goes alone, without %s",
			    irt_opt_label(alone, l1, sizeof l1),
			    irt_opt_label(a->vals[i].opt, l2, sizeof l2));
			return -1;
		}
	if (alone != NULL) {
		if (a->argc > 0) {
			say(f, "%s takes no argument: unexpected '%s'",
			    irt_opt_label(alone, l1, sizeof l1),
			    irt_esc(a->argv[0]));
			return -1;
		}
		return 1;
	}
	for (i = 0; i < a->nvals; i++)
		for (j = i + 1; j < a->nvals; j++) {
			o = a->vals[i].opt;
			p = a->vals[j].opt;
			if (o != p && o->group != 0 && o->group == p->group) {
				say(f, "%s and %s exclude each other",
				    irt_opt_label(o, l1, sizeof l1),
				    irt_opt_label(p, l2, sizeof l2));
				return -1;
			}
		}
	for (i = 0; f->opts != NULL && f->opts[i].name != NULL; i++) {
		struct irt_buf need = IRT_BUF_INIT;
		bool given = false;

		o = &f->opts[i];
		if (!(o->flags & IRT_OPT_REQUIRED) || !first_of_group(f, i))
			continue;
		/* a group as one: one of its options must be given */
		for (j = i; f->opts[j].name != NULL; j++) {
			p = &f->opts[j];
			if (p != o && (o->group == 0 || p->group != o->group))
				break;
			given |= irt_args_has(a, p->name);
			opt_word(w, sizeof w, p, false);
			irt_buf_printf(
			    &need, "%s%s", need.len ? " or " : "", w);
		}
		if (!given)
			say(f, "missing %s", irt_buf_cstr(&need));
		irt_buf_release(&need);
		if (!given)
			return -1;
	}
	return 0;
}

int
irt_args_parse(
    struct irt_args *a, const struct irt_form *f, int argc, char **argv)
{
	size_t n = opt_count(f->opts), i, k = 0;
	struct option *lo = NULL;
	struct irt_buf shorts = IRT_BUF_INIT;
	bool json = a->json, own_help = !declared(f, "help"),
	     own_json = !declared(f, "json");
	int ch, rc = EXIT_USAGE, idx, alone;

	memset(a, 0, sizeof *a);
	a->form = f;
	a->opts = f->opts;
	a->json = json;
	a->cmdline = argv;
	if ((lo = calloc(n + 3, sizeof *lo)) == NULL ||
	    (a->vals = calloc((size_t)argc + 1, sizeof *a->vals)) == NULL ||
	    (a->argv = calloc((size_t)argc + 1, sizeof *a->argv)) == NULL)
		goto nomem;
	/*
	 * "+": options end at the first operand, as in irt run CMD ARGS;
	 * "-": operands come back in their place among the options (so
	 * that irt_args_str_at can tell which --host a source had), and
	 * POSIXLY_CORRECT does not change that; ":": a missing argument is
	 * told apart from an unknown option.
	 */
	if (irt_buf_puts(
	        &shorts, (f->flags & IRT_CMD_OPTS_FIRST) ? "+:" : "-:") != 0 ||
	    (own_help && irt_buf_putc(&shorts, 'h') != 0))
		goto nomem;
	for (i = 0; i < n; i++) {
		const struct irt_opt *o = &f->opts[i];

		if (!(o->flags & IRT_OPT_NOLONG)) {
			lo[k].name = o->name;
			lo[k].has_arg = o->arg == IRT_ARG_NONE
			    ? no_argument
			    : required_argument;
			lo[k].val = OPT_BASE + (int)i;
			k++;
		}
		if (o->short_name != 0 &&
		    (irt_buf_putc(&shorts, o->short_name) != 0 ||
		        (o->arg != IRT_ARG_NONE &&
		            irt_buf_putc(&shorts, ':') != 0)))
			goto nomem;
	}
	if (own_help)
		lo[k++] =
		    (struct option){ "help", no_argument, NULL, OPT_HELP };
	/* without JSON output, --json is known but refused below */
	if (own_json)
		lo[k++] =
		    (struct option){ "json", no_argument, NULL, OPT_JSON };

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(
	            argc, argv, irt_buf_cstr(&shorts), lo, &idx)) != -1) {
		const struct irt_opt *o = NULL;

		if (ch == 1) {
			a->argv[a->argc++] = optarg;
			continue;
		}
		if ((ch == 'h' && own_help) || ch == OPT_HELP) {
			struct irt_buf b = IRT_BUF_INIT;

			irt_form_help(&b, f);
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
				say(f, "option '%s' needs an argument",
				    irt_esc(w));
			else if (w != NULL && strncmp(w, "--", 2) == 0)
				say(f, "unknown option '%s'", irt_esc(w));
			else
				say(f, "unknown option '-%c'",
				    optopt > 32 && optopt < 127 ? optopt : '?');
			rc = usage_error(f);
			goto out;
		}
		if (ch >= OPT_BASE)
			o = &f->opts[ch - OPT_BASE];
		else
			o = irt_opt_short(f->opts, (char)ch);
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
				if (opt_value(&a->vals[i], o, f, optarg) != 0) {
					rc = usage_error(f);
					goto out;
				}
				a->vals[i].pos = a->argc;
				continue;
			}
		}
		if (opt_value(&a->vals[a->nvals], o, f, optarg) != 0) {
			rc = usage_error(f);
			goto out;
		}
		a->vals[a->nvals++].pos = a->argc;
	}
	while (optind < argc)
		a->argv[a->argc++] = argv[optind++];
	if (a->json && own_json && !(f->flags & IRT_CMD_JSON)) {
		say(f,
		    "--json is not supported here: this command has no "
		    "JSON output");
		rc = EXIT_USAGE;
		goto out;
	}
	if ((alone = check_options(a, f)) < 0) {
		rc = usage_error(f);
		goto out;
	}
	if (!alone &&
	    (a->argc < f->min_args ||
	        (f->max_args >= 0 && a->argc > f->max_args))) {
		if (f->max_args >= 0 && a->argc > f->max_args)
			say(f, "unexpected argument '%s'",
			    irt_esc(a->argv[f->max_args]));
		else
			say(f, "missing %s",
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

void
irt_cmd_form(struct irt_form *f, char path[64], const struct irt_cmd *cmd,
    const struct irt_subcmd *sub)
{
	memset(f, 0, sizeof *f);
	if (sub != NULL) {
		snprintf(path, 64, "%s %s", cmd->name, sub->name);
		f->opts = sub->opts;
		f->operands = sub->operands;
		f->min_args = sub->min_args;
		f->max_args = sub->max_args;
		f->flags = sub->flags;
		f->summary = sub->summary;
		f->complete = sub->complete;
	} else {
		snprintf(path, 64, "%s", cmd->name);
		f->opts = cmd->opts;
		f->operands = cmd->operands;
		f->min_args = cmd->min_args;
		f->max_args = cmd->max_args;
		f->flags = cmd->flags;
		f->summary = cmd->summary;
		f->complete = cmd->complete;
	}
	f->path = path;
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

/* "usage: irt note add" or "       irt note add"; returns its width. */
static size_t
usage_start(struct irt_buf *b, const struct irt_form *f, bool more)
{
	size_t start = b->len;

	irt_buf_printf(b, "%s irt%s%s",
	    more ? "      " : "usage:", *f->path != '\0' ? " " : "", f->path);
	return b->len - start;
}

int
irt_form_usage(struct irt_buf *b, const struct irt_form *f, bool more)
{
	const struct irt_opt *o;
	struct irt_buf w = IRT_BUF_INIT;
	char one[256];
	size_t i, j, col, indent;
	bool req;

	indent = col = usage_start(b, f, more);
	for (i = 0; f->opts != NULL && f->opts[i].name != NULL; i = j) {
		o = &f->opts[i];
		for (j = i + 1; f->opts[j].name != NULL && o->group != 0 &&
		     f->opts[j].group == o->group;
		     j++)
			;
		/* -h/--help is in every usage, and shown in none */
		if ((o->flags & (IRT_OPT_HIDDEN | IRT_OPT_ALONE)) ||
		    strcmp(o->name, "help") == 0)
			continue;
		irt_buf_clear(&w);
		for (req = false; i < j; i++) {
			opt_word(one, sizeof one, &f->opts[i], true);
			irt_buf_printf(&w, "%s%s", w.len ? " | " : "", one);
			req |= (f->opts[i].flags & IRT_OPT_REQUIRED) != 0;
		}
		if (o->group != 0)
			snprintf(one, sizeof one, req ? "(%s)" : "[%s]",
			    irt_buf_cstr(&w));
		else if (req)
			snprintf(one, sizeof one, "%s", irt_buf_cstr(&w));
		else {
			opt_word(one, sizeof one, o, false);
			irt_buf_clear(&w);
			irt_buf_printf(&w, "[%s]%s", one,
			    (o->flags & IRT_OPT_REPEAT) ? "..." : "");
			snprintf(one, sizeof one, "%s", irt_buf_cstr(&w));
		}
		usage_word(b, &col, indent, one);
	}
	if (f->flags & IRT_CMD_JSON)
		usage_word(b, &col, indent, "[--json]");
	if (f->operands != NULL && *f->operands != '\0')
		usage_word(b, &col, indent, f->operands);
	irt_buf_putc(b, '\n');
	/* the options that are a form of their own */
	for (i = 0; f->opts != NULL && f->opts[i].name != NULL; i++) {
		o = &f->opts[i];
		if (!(o->flags & IRT_OPT_ALONE) || (o->flags & IRT_OPT_HIDDEN))
			continue;
		indent = col = usage_start(b, f, true);
		opt_word(one, sizeof one, o, false);
		usage_word(b, &col, indent, one);
		if (f->flags & IRT_CMD_JSON)
			usage_word(b, &col, indent, "[--json]");
		irt_buf_putc(b, '\n');
	}
	irt_buf_release(&w);
	return b->ptr == NULL ? IRT_ENOMEM : 0;
}

/* One line of --help: "  -o, --output ARCHIVE  help (values)". */
static void
help_line(struct irt_buf *b, const struct irt_opt *o)
{
	char left[160];
	size_t i;

	if (o->flags & IRT_OPT_NOLONG)
		snprintf(left, sizeof left, "-%c %s", o->short_name,
		    o->arg == IRT_ARG_NONE ? "" : irt_opt_metavar(o));
	else if (o->arg == IRT_ARG_NONE)
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
	if (o->flags & IRT_OPT_REQUIRED)
		irt_buf_puts(b, "; required");
	if (o->flags & IRT_OPT_REPEAT)
		irt_buf_puts(b, "; may be repeated");
	irt_buf_putc(b, '\n');
}

int
irt_form_help(struct irt_buf *b, const struct irt_form *f)
{
	static const struct irt_opt json = { "json", 0, IRT_ARG_NONE, NULL,
		"write JSON" };
	static const struct irt_opt help = { "help", 'h', IRT_ARG_NONE, NULL,
		"show this help" };
	size_t i;

	if (f->summary != NULL)
		irt_buf_printf(b, "irt%s%s - %s\n\n", *f->path ? " " : "",
		    f->path, f->summary);
	irt_form_usage(b, f, false);
	irt_buf_puts(b, "\noptions:\n");
	for (i = 0; f->opts != NULL && f->opts[i].name != NULL; i++)
		if (!(f->opts[i].flags & IRT_OPT_HIDDEN))
			help_line(b, &f->opts[i]);
	if ((f->flags & IRT_CMD_JSON) && !declared(f, "json"))
		help_line(b, &json);
	if (!declared(f, "help"))
		help_line(b, &help);
	if (*f->path == '\0')
		return irt_buf_puts(b, "\nSee 'irt help' for the manual.\n");
	return irt_buf_printf(b, "\nSee 'irt help %.*s' for the manual.\n",
	    (int)strcspn(f->path, " "), f->path);
}
