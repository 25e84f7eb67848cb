/*
 * Checklists: Markdown task lists with a small front-matter header.  A
 * started checklist is a copy in the case, checklists/<name>-<host>.md,
 * whose ticked boxes say who did each step and when; every change is one
 * commit.  The format is documented in irt-checklist(5).
 */
#ifndef IRT_CHECKLIST_H
#define IRT_CHECKLIST_H

#include "common.h"
#include <stddef.h>

#include "buf.h"
#include "case.h"
#include "ident.h"
#include "run.h"

/* A checklist file is at most this big. */
#define IRT_CHECKLIST_MAX (1u << 20)

enum irt_step_state {
	IRT_STEP_OPEN,
	IRT_STEP_DONE,
	IRT_STEP_SKIPPED,
};

struct irt_checklist_step {
	char *id;
	char *title;
	char *text;   /* the description, lines joined with '\n' */
	char *run;    /* the run: command, or NULL */
	char *undo;   /* the undo: command, or NULL */
	char **needs; /* ids of earlier steps that must be done first */
	size_t nneeds;
	enum irt_step_state state;
	char *when;      /* done:/skipped: time, or NULL */
	char *who;       /* done:/skipped: responder, or NULL */
	char *comment;   /* comment: (done -m), or NULL */
	char *reason;    /* reason: (skip), or NULL */
	char *forced;    /* forced: (a dependency was overridden), or NULL */
	char *run_id;    /* run-id: the recorded run that did it, or NULL */
	unsigned line;   /* line of the checkbox */
	size_t body_end; /* private: index of the line after the body */
};

struct irt_checklist {
	char *id;
	char *title;
	char *version;
	char *host;    /* started copies only */
	char *started; /* started copies only */
	struct irt_checklist_step *steps;
	size_t nsteps;
	/* the text as lines, for writing it back unchanged but for ticks */
	char **lines;
	size_t nlines;
	size_t header_end; /* private: index of the closing "---" */
};

/*
 * Parses a checklist; name is used in messages ("name:line: ...").
 * IRT_EPARSE with the first problem when it is not valid.
 */
IRT_EXTERN int irt_checklist_parse(
    struct irt_checklist **out, const char *text, size_t len, const char *name);

/*
 * Checks a checklist and lists every problem, "name:line: message",
 * into a NULL-terminated array (free with irt_strv_free).  Returns 0
 * (the array is empty when the file is valid) or IRT_ENOMEM.
 */
IRT_EXTERN int irt_checklist_lint(
    char ***problems, const char *text, size_t len, const char *name);

IRT_EXTERN void irt_checklist_free(struct irt_checklist *cl);

/* Writes the checklist back as Markdown. */
IRT_EXTERN int
irt_checklist_format(struct irt_buf *out, const struct irt_checklist *cl);

/* The index of step id, or -1. */
IRT_EXTERN long
irt_checklist_find(const struct irt_checklist *cl, const char *id);

/* The index of the first open step, or -1 when every step is closed. */
IRT_EXTERN long irt_checklist_next(const struct irt_checklist *cl);

/*
 * The first step that step i needs and that is not done, or NULL.
 */
IRT_EXTERN const char *
irt_checklist_unmet(const struct irt_checklist *cl, size_t i);

/*
 * Splits a run:/undo: command into words as a shell would, without any
 * expansion: blanks separate words, '...' and "..." quote, backslash
 * escapes.  The NULL-terminated result is freed with irt_strv_free.
 */
IRT_EXTERN int irt_checklist_argv(char ***out, const char *cmd);

/* The names of the built-in checklists, sorted (NULL-terminated; free
 * with irt_strv_free). */
IRT_EXTERN int irt_checklist_builtins(char ***out);

/*
 * Loads a checklist by name: a built-in one, or a file when name holds
 * a '/' or ends in ".md".  text_out (may be NULL) receives the text.
 */
IRT_EXTERN int irt_checklist_load(
    struct irt_checklist **out, struct irt_buf *text_out, const char *name);

/* A host name usable in a file name: [A-Za-z0-9._-], at most 64. */
IRT_EXTERN int irt_checklist_check_host(const char *host);

/*
 * Copies the checklist into the case as checklists/<id>-<host>.md in one
 * commit.  name_out (may be NULL) receives "<id>-<host>".
 * IRT_EEXISTS when it was already started.
 */
IRT_EXTERN int irt_checklist_start(struct irt_case *c, char **name_out,
    const struct irt_checklist *cl, const char *host,
    const struct irt_ident *who);

/*
 * The started checklists of the case ("<id>-<host>", sorted, NULL-
 * terminated; free with irt_strv_free).
 */
IRT_EXTERN int irt_checklist_started(struct irt_case *c, char ***out);

/*
 * Opens a started checklist by a unique prefix of its name, or when
 * prefix is NULL, the only one that still has an open step.
 */
IRT_EXTERN int irt_checklist_open(struct irt_case *c,
    struct irt_checklist **out, char **name_out, const char *prefix);

/* A change to one step. */
struct irt_checklist_mark {
	const char *step;
	enum irt_step_state state; /* OPEN reopens */
	const char *text;          /* done: comment; skip: reason */
	const char *forced;        /* why a dependency was overridden */
	const char *run_id;        /* the run that did the step */
	const char *run_exit;      /* its exit status */
};

/*
 * Changes a step of a started checklist and commits the new copy with
 * Irt-Action (checklist-done, checklist-skip, checklist-reopen),
 * Irt-Checklist, Irt-Step and Irt-Result trailers.  Doing a step whose
 * dependencies are not done fails with IRT_ECONFLICT unless forced is
 * set, which the copy and an Irt-Forced trailer record.
 */
IRT_EXTERN int irt_checklist_mark(struct irt_case *c, const char *name,
    const struct irt_checklist_mark *m, const struct irt_ident *who,
    char oid_out[IRT_OID_HEX]);

/*
 * Runs the step's run: command as irt run does (recorded under runs/ with
 * Irt-Checklist and Irt-Step trailers) and ticks the step when it exits
 * with status 0.  forced as for irt_checklist_mark, checked before the
 * command runs.  *ticked tells whether the step was ticked.
 */
IRT_EXTERN int irt_checklist_do(struct irt_case *c, const char *name,
    const char *step, const char *forced, const struct irt_run_opts *opts,
    const struct irt_ident *who, struct irt_run_result *result, int *ticked);

/* The record check for irt case verify (checklists/<name>.md). */
IRT_EXTERN int
irt_checklist_check(const char *path, const char *data, size_t len);

#endif
