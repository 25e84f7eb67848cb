/*
 * Options declared once per (sub)command, as tmux declares the args of a
 * cmd_entry and git its parse-options tables: one table gives the
 * parser, the usage line, --help, and the completion of irt shell and
 * bash.  Sizes, durations, dates and bounded numbers are checked here,
 * with the parsers of irt/parse.h and irt/timefmt.h, before a command
 * runs; a command reads the values back by long name.
 *
 * A table, for irt collect:
 *
 *   static const char *const hash_names[] = { "sha256", "sha1", ... };
 *   static const struct irt_opt collect_opts[] = {
 *           { "output", 'o', IRT_ARG_PATH, "ARCHIVE", "write here" },
 *           { "max-file-size", 0, IRT_ARG_SIZE, "SIZE", "...",
 *               .min = 1, .max = INT64_MAX },
 *           { "exclude", 0, IRT_ARG_STRING, "GLOB", "...",
 *               .flags = IRT_OPT_REPEAT },
 *           { NULL },
 *   };
 *
 * -h/--help is implied, and so is --json when the entry has IRT_CMD_JSON;
 * given to an entry without JSON output, --json is a usage error.
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
	IRT_ARG_DURATION, /* seconds, s/m/h suffix, in [min, max] seconds */
	IRT_ARG_DATE,     /* a time as irt_time_parse reads it */
	IRT_ARG_ENUM,     /* one of values */
};

/* Option flags. */
#define IRT_OPT_REPEAT 0x1 /* may be given again; every value is kept */
#define IRT_OPT_HIDDEN 0x2 /* accepted, left out of usage and completion */

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
	/* What the argument completes to, for irt shell and bash:
	 * "note", "evidence", "checklist", "profile"..., see complete.c;
	 * NULL: by the kind (files for PATH, values for ENUM). */
	const char *complete;
};

/* One value given on the command line. */
struct irt_optval {
	const struct irt_opt *opt;
	const char *arg; /* as given; NULL for a flag */
	union {
		long long i;   /* INT */
		uint64_t size; /* SIZE */
		double secs;   /* DURATION */
		irt_ns date;   /* DATE */
		int choice;    /* ENUM: index into values */
	} v;
};

/* The parsed command line of one (sub)command. */
struct irt_args {
	const struct irt_opt *opts;
	struct irt_optval *vals; /* in the order given */
	size_t nvals;
	int argc; /* the operands */
	char **argv;
	bool json; /* --json, here or before the command */
};

/* The shape of a (sub)command, for the parser, usage and completion. */
struct irt_form {
	const char *path; /* "note add" */
	const struct irt_opt *opts;
	const char *operands;   /* synopsis of the operands, or NULL */
	int min_args, max_args; /* max -1: any number */
	int flags;              /* IRT_CMD_* */
};

/*
 * Parses argv (argv[0] is the (sub)command name) against the form into
 * a, whose json starts from the global --json.  Returns -1 to go on, or
 * the exit status when it is done: EXIT_OK after --help (printed to
 * stdout), EXIT_USAGE after an error (message and usage on stderr).
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

/* The usage text of a form ("usage: irt note add [-t TAG]... ID\n"),
 * wrapped at 80 columns, into b; and the full --help text. */
struct irt_buf;
int irt_form_usage(struct irt_buf *b, const struct irt_form *f);
int
irt_form_help(struct irt_buf *b, const struct irt_form *f, const char *summary);

/* The metavariable of an option as usage shows it. */
const char *irt_opt_metavar(const struct irt_opt *o);

#endif
