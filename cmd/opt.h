/*
 * Options declared once per (sub)command, as tmux declares the args of a
 * cmd_entry and git its parse-options tables: one table gives the
 * parser, the usage line, --help, the completion of irt shell and bash,
 * and the listing that the man pages are checked against (irt
 * __options).  Sizes, durations, dates and bounded numbers are checked
 * here, with the parsers of irt/parse.h and irt/timefmt.h, before a
 * command runs; a command reads the values back by long name.
 *
 * A table, for irt collect:
 *
 *   static const char *const hash_names[] = { "sha256", "sha1", ... };
 *   static const struct irt_opt collect_opts[] = {
 *           { "output", 'o', IRT_ARG_PATH, "ARCHIVE", "write here" },
 *           { "max-file-size", 0, IRT_ARG_SIZE, "SIZE", "...",
 *               .min = 1 },
 *           { "exclude", 0, IRT_ARG_STRING, "GLOB", "...",
 *               .flags = IRT_OPT_REPEAT },
 *           { "list-profiles", 0, IRT_ARG_NONE, NULL, "...",
 *               .flags = IRT_OPT_ALONE },
 *           { NULL },
 *   };
 *
 * -h/--help is implied, and so is --json when the entry has IRT_CMD_JSON;
 * given to an entry without JSON output, --json is a usage error.
 * Options that share a group exclude each other: [-m TEXT | -F FILE].
 */
#ifndef IRT_CMD_OPT_H
#define IRT_CMD_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <irt/timefmt.h>

/* What an option takes. */
enum irt_arg {
	IRT_ARG_NONE,     /* nothing: a flag */
	IRT_ARG_STRING,   /* any text */
	IRT_ARG_PATH,     /* a file name; completes to files */
	IRT_ARG_INT,      /* a decimal integer in [min, max] */
	IRT_ARG_SIZE,     /* bytes, K/M/G/T suffix, in [min, max] */
	IRT_ARG_DURATION, /* seconds, s/m/h suffix, more than 0, in [min, max] */
	IRT_ARG_DATE,     /* a time as irt_time_parse reads it */
	IRT_ARG_ENUM,     /* one of values */
};

/* Option flags. */
#define IRT_OPT_REPEAT 0x1   /* may be given again; every value is kept */
#define IRT_OPT_HIDDEN 0x2   /* accepted, left out of usage and completion */
#define IRT_OPT_REQUIRED 0x4 /* must be given (one of its group) */
#define IRT_OPT_ALONE 0x8    /* a form of its own: no other option with it */
#define IRT_OPT_NOSHELL 0x10 /* global, not taken by a line of irt shell */
#define IRT_OPT_NOLONG 0x20  /* only the short name is accepted */

struct irt_opt {
	const char *name; /* long name without "--"; NULL ends a table */
	char short_name;  /* 0: none */
	enum irt_arg arg;
	const char *metavar; /* in usage: "SIZE"; NULL: the kind's name */
	const char *help;    /* one line, lowercase, no full stop */
	/* Bounds of INT, SIZE (bytes) and DURATION (seconds); both 0: any
	 * non-negative value for SIZE and DURATION, any for INT. */
	long long min, max;
	const char *const *values; /* ENUM: NULL-terminated */
	int flags;
	/* Options with the same non-zero group exclude each other; they
	 * are next to each other in the table and shown as one bracket. */
	int group;
	/*
	 * What the argument completes to, for irt shell and bash: a word
	 * of complete.c ("note", "evidence", "checklist", "profile",
	 * "file"...), or several joined by '|' ("profile|file"); NULL: by
	 * the kind (files for PATH, the values of an ENUM, else nothing).
	 */
	const char *complete;
};

/* One value given on the command line. */
struct irt_optval {
	const struct irt_opt *opt;
	const char *arg; /* as given; NULL for a flag */
	int pos;         /* operands given before it */
	union {
		long long i;   /* INT */
		uint64_t size; /* SIZE */
		double secs;   /* DURATION */
		irt_ns date;   /* DATE */
		int choice;    /* ENUM: index into values */
	} v;
};

struct irt_form;

/* The parsed command line of one (sub)command. */
struct irt_args {
	const struct irt_form *form;
	const struct irt_opt *opts;
	struct irt_optval *vals; /* in the order given */
	size_t nvals;
	int argc; /* the operands, in the order given */
	char **argv;
	bool json;      /* --json, here or before the command */
	char **cmdline; /* the words parsed, from the (sub)command's name */
};

/* The shape of a (sub)command, for the parser, usage and completion. */
struct irt_form {
	const char *path; /* "note add"; "" for the options of irt itself */
	const struct irt_opt *opts;
	const char *operands;   /* synopsis of the operands, or NULL */
	int min_args, max_args; /* max -1: any number */
	int flags;              /* IRT_CMD_* */
	const char *summary;    /* one line, for --help */
	/*
	 * What the operands complete to: one word of complete.c per
	 * operand, separated by blanks ("program file": the first operand
	 * a program, the others files); the last word holds for the
	 * operands after it when max_args is -1; "-" completes to nothing.
	 */
	const char *complete;
};

/*
 * Parses argv (argv[0] is the (sub)command name) against the form into
 * a, whose json starts from the global --json.  Options may come before,
 * between and after the operands, unless the form has
 * IRT_CMD_OPTS_FIRST; "--" ends them.  Returns -1 to go on, or the exit
 * status when it is done: EXIT_OK after --help (printed to stdout),
 * EXIT_USAGE after an error (message and usage on stderr).
 */
int irt_args_parse(
    struct irt_args *a, const struct irt_form *f, int argc, char **argv);
void irt_args_release(struct irt_args *a);

/* Was the option given?  name is its long name, which must be in the
 * table (else irt aborts: a mistake in irt itself). */
bool irt_args_has(const struct irt_args *a, const char *name);
/* How many times it was given. */
size_t irt_args_count(const struct irt_args *a, const char *name);
/* The argument given the i-th time (0: first), or NULL. */
const char *irt_args_nth(const struct irt_args *a, const char *name, size_t i);
/* For a filter option given any number of times (--host A --host B):
 * true when it was not given, or when value is one of its arguments. */
bool
irt_args_admits(const struct irt_args *a, const char *name, const char *value);
/* The last value given, or def when the option was not given. */
const char *
irt_args_str(const struct irt_args *a, const char *name, const char *def);
long long
irt_args_int(const struct irt_args *a, const char *name, long long def);
uint64_t
irt_args_size(const struct irt_args *a, const char *name, uint64_t def);
double irt_args_secs(const struct irt_args *a, const char *name, double def);
irt_ns irt_args_date(const struct irt_args *a, const char *name, irt_ns def);
int irt_args_enum(const struct irt_args *a, const char *name, int def);
/* The last value given before the operand of index operand, or def
 * ("--host a x --host b y": x has a, y has b). */
const char *irt_args_str_at(
    const struct irt_args *a, const char *name, int operand, const char *def);

/*
 * A usage error found by the command itself: prints "irt: PATH: message"
 * and the usage on stderr; returns EXIT_USAGE.
 */
int irt_args_usage(const struct irt_args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The usage text of a form, wrapped at 80 columns, into b: "usage: irt
 * note add [-t TAG]... ID\n", with a line of its own for each
 * IRT_OPT_ALONE option; with more, the lines start "       irt" as the
 * forms after the first of a command's usage do.  And the full --help
 * text.
 */
struct irt_buf;
int irt_form_usage(struct irt_buf *b, const struct irt_form *f, bool more);
int irt_form_help(struct irt_buf *b, const struct irt_form *f);

/* The metavariable of an option as usage shows it. */
const char *irt_opt_metavar(const struct irt_opt *o);

/* "--max-file-size" or "-o/--output", as messages name an option. */
const char *irt_opt_label(const struct irt_opt *o, char *buf, size_t len);

/* The option of a table by long name (without "--") or short name; NULL
 * when there is none. */
const struct irt_opt *
irt_opt_long(const struct irt_opt *opts, const char *name, size_t len);
const struct irt_opt *irt_opt_short(const struct irt_opt *opts, char c);

#endif
