/*
 * The irt binary: command table, shared context and output helpers.
 */
#ifndef IRT_CMD_H
#define IRT_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include <irt/irt.h>

#include "opt.h"

/* Exit statuses, as documented in every man page. */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

/* Command flags. */
#define IRT_CMD_NEEDS_CASE 0x1  /* open the case before running */
#define IRT_CMD_WANTS_CASE 0x2  /* open the case when there is one */
#define IRT_CMD_HIDDEN 0x4      /* not listed in help nor completed */
#define IRT_CMD_JSON 0x8        /* has JSON output: takes --json */
#define IRT_CMD_OPTS_FIRST 0x10 /* options end at the first operand */

struct irt_ctx {
	const char *case_dir; /* -C */
	const char *author;   /* --author */
	bool json;
	bool quiet;
	int verbose;
	const char *progname;
	struct irt_case *kase; /* opened for NEEDS_CASE/WANTS_CASE */
	struct irt_ident who;  /* resolved on first use */
	bool who_set;
	const struct irt_cmd *cmd;
};

/*
 * A (sub)command declares its options (opts, opt.h), its operands and
 * run: the dispatcher parses argv against them, handles --help, --json
 * and operand counts, opens the case for NEEDS_CASE (or WANTS_CASE),
 * then calls run with the parsed arguments.
 */
typedef int (*irt_run_fn)(struct irt_ctx *ctx, struct irt_args *a);

/* A subcommand in a command's own table (git builtin/notes.c style). */
struct irt_subcmd {
	const char *name;
	const char *summary;
	int flags;
	const struct irt_opt *opts;
	const char *operands; /* synopsis of the operands: "ID", "[PATH...]" */
	int min_args, max_args; /* max -1: any number */
	irt_run_fn run;
	const char *complete; /* what the operands complete to (opt.h) */
};

struct irt_cmd {
	const char *name;
	const char *summary;
	int flags;
	/* The subcommand table, NULL-name terminated, or NULL: then the
	 * command itself has the fields below. */
	const struct irt_subcmd *subcmds;
	const struct irt_opt *opts;
	const char *operands;
	int min_args, max_args;
	irt_run_fn run;
	const char *complete;
};

/* The form (opt.h) of a command, or of one of its subcommands (sub may
 * be NULL); path receives "note add". */
void irt_cmd_form(struct irt_form *f, char path[64], const struct irt_cmd *cmd,
    const struct irt_subcmd *sub);

/* The help of a command: its forms, the subcommands of a command that
 * has some, with their summaries. */
int irt_cmd_help_text(struct irt_buf *b, const struct irt_cmd *cmd);

/* The options of irt itself, before the command (-C, --json, ...). */
extern const struct irt_form irt_global_form;

extern const struct irt_cmd *const irt_commands[];

/* The commands, one per cmd-*.c file (alphabetical). */
extern const struct irt_cmd irt_cmd_complete; /* __complete, hidden */
extern const struct irt_cmd irt_cmd_options;  /* __options, hidden */
extern const struct irt_cmd irt_cmd_case;
extern const struct irt_cmd irt_cmd_checklist;
extern const struct irt_cmd irt_cmd_collect;
extern const struct irt_cmd irt_cmd_event;
extern const struct irt_cmd irt_cmd_evidence;
extern const struct irt_cmd irt_cmd_fleet;
extern const struct irt_cmd irt_cmd_help;
extern const struct irt_cmd irt_cmd_host;
extern const struct irt_cmd irt_cmd_hunt;
extern const struct irt_cmd irt_cmd_ioc;
extern const struct irt_cmd irt_cmd_isolate;
extern const struct irt_cmd irt_cmd_note;
extern const struct irt_cmd irt_cmd_report;
extern const struct irt_cmd irt_cmd_run;
extern const struct irt_cmd irt_cmd_shell;
extern const struct irt_cmd irt_cmd_stack;
extern const struct irt_cmd irt_cmd_timeline;
extern const struct irt_cmd irt_cmd_triage;
extern const struct irt_cmd irt_cmd_verify;
extern const struct irt_cmd irt_cmd_version;

/* Looks a command up by name. */
const struct irt_cmd *irt_cmd_find(const char *name);

/* Runs a command as if typed after "irt" (used by the shell and triage). */
int irt_run_command(struct irt_ctx *ctx, int argc, char **argv);

/* Opens the case (for subcommands that need one); prints and returns
 * EXIT_FAIL when there is none. */
int irt_need_case(struct irt_ctx *ctx);

/* Prints what the case's library calls warned of (irt_case_take_warnings),
 * one "irt: warning:" line each. */
void irt_case_warnings_print(struct irt_ctx *ctx);

/* The case's rules/ folder (irt-case(5)) when it holds Sigma or YARA
 * rule files: *out is its path (free it), *sigma and *yara whether it
 * holds either; *out NULL when it holds neither. */
void irt_case_rules(struct irt_ctx *ctx, char **out, bool *sigma, bool *yara);

/* The responder's identity, resolved once. */
const struct irt_ident *irt_who(struct irt_ctx *ctx);

/* Diagnostics to stderr: "irt: message\n". */
void irt_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void irt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "irt: " + irt_error_last(); returns EXIT_FAIL. */
int irt_fail(void);

/* Reads all of standard input; 0 or a negative IRT_E* code. */
int irt_read_stdin(struct irt_buf *b);

/*
 * Runs argv as irt run does (output shown live, recorded in the case),
 * with extra commit trailers; returns the command's exit status.
 */
int irt_run_recorded(struct irt_ctx *ctx, char **argv, double timeout,
    const char *message, const struct irt_trailer *tr, size_t ntr);

/*
 * Runs a collection as irt collect does: the archive goes to output, or
 * by default into the case's evidence folder (the current directory
 * without a case), with progress on a terminal and, inside a case, an
 * evidence record committed (its id in evid).  Prints its own errors;
 * returns EXIT_OK or EXIT_FAIL.
 */
struct irt_collect_opts;
struct irt_collect_result;
struct irt_profile;
int irt_collect_into_case(struct irt_ctx *ctx, struct irt_collect_opts *o,
    const struct irt_profile *prof, const char *output, char **argv,
    const char *msg, struct irt_collect_result *res, char evid[32]);

/* The counts of a collection by status: "N ok, N changed, N truncated,
 * N skipped, N error"; and as the member "counts":{"ok":N,...}. */
void
irt_collect_counts(struct irt_buf *b, const struct irt_collect_result *res);
void
irt_collect_counts_json(struct irt_jw *w, const struct irt_collect_result *res);

/* What the hunt step of irt triage did. */
struct irt_hunt_brief {
	uint64_t hits;
	char id[32]; /* "" when there was nothing to hunt with */
	size_t iocs; /* the case's active IOCs */
	unsigned sigma_rules, yara_rules; /* loaded from rules/ */
};

/*
 * Hunts an archive of the case with the case's IOCs and the Sigma and
 * YARA rules of its rules/ folder, recording the hunt (irt triage).
 * Prints its own errors.
 */
int irt_hunt_triage(struct irt_ctx *ctx, const char *archive, const char *host,
    struct irt_hunt_brief *out);

/*
 * Keep the states of hosts current (cmd-host.c), one call in each
 * command that changes one; a failure is a warning, never the command's.
 * irt_host_hook records a change for host (NULL: this host) with state
 * NULL (add it if new, else nothing) or a state, after the command's
 * own commit, so that it never stands in its way.  The checklist hook
 * sets restored when a restore-services checklist has no open step
 * left.
 */
void irt_host_hook(struct irt_ctx *ctx, const char *host, const char *state,
    const char *why, const char *action);
void irt_host_hook_checklist(struct irt_ctx *ctx, const char *name);

/* Writes a buffer to stdout; returns EXIT_FAIL on a write error. */
int irt_out(const struct irt_buf *b);

/* Prints untrusted text to a stream escaped for the terminal. */
void irt_print_esc(FILE *fp, const char *s);

/* Sets by SIGINT while a command runs (see irt_sigint_install). */
extern volatile int irt_interrupted;
void irt_sigint_install(void);

/*
 * The evidence archives of the case (*.tar.gz, *.tgz): those of the
 * custody records, oldest first, then those in the evidence folder with
 * no record (a warning each).  host is the host a collection record
 * gives, NULL for other records; id is NULL without a record.  Prints
 * its errors; returns an exit status.
 */
struct irt_case_archive {
	char *path;
	char *host;
	char *id;
};
int irt_case_archives(
    struct irt_ctx *ctx, struct irt_case_archive **out, size_t *n);
void irt_case_archives_free(struct irt_case_archive *v, size_t n);

#endif
