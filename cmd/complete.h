/*
 * Word splitting and completion, shared by irt shell (readline) and the
 * bash completion script (through the hidden command "irt __complete").
 *
 * The command table is the source of truth: command names from
 * irt_commands[], subcommands from each command's table, options, their
 * argument kinds and enum values from the declared tables (opt.h).  What
 * an argument completes to (note ids, evidence ids, file names...) is
 * named by the "complete" field of the option or the form, a word of the
 * completers table in complete.c.
 */
#ifndef IRT_COMPLETE_H
#define IRT_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>

#include "irt.h"

/* A NULL-terminated vector of strings. */
struct irt_words {
	char **v;
	size_t n;
	size_t cap;
};

#define IRT_WORDS_INIT                                                         \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

int irt_words_add(struct irt_words *w, const char *s);
int irt_words_addn(struct irt_words *w, const char *s, size_t len);
void irt_words_free(struct irt_words *w);

/* How a line ended for irt_split. */
#define IRT_SPLIT_DONE 0     /* complete */
#define IRT_SPLIT_QUOTE 1    /* inside '...' or "..." */
#define IRT_SPLIT_ESCAPE 2   /* after a backslash at the very end */
#define IRT_SPLIT_NOMEM (-1) /* out of memory */

/*
 * Splits a line into words like a POSIX shell, without any expansion:
 * blanks separate words, '...' is literal, "..." is literal except \\
 * and \", a backslash outside quotes takes the next character literally
 * (backslash-newline is removed) and # at the start of a word begins a
 * comment.  Words are appended to w.  Returns IRT_SPLIT_DONE, or
 * IRT_SPLIT_QUOTE / IRT_SPLIT_ESCAPE when the line ends inside a word
 * that needs more input (the partial word is still appended).
 * *in_word (may be NULL) tells whether the line ends inside a word, that
 * is, the last word of w is the one being typed.
 */
int irt_split(struct irt_words *w, const char *line, bool *in_word);

/* Completion results. */
#define IRT_COMP_FILES 0x1   /* file names complete here too */
#define IRT_COMP_NOSPACE 0x2 /* no space after the candidate */

/* Modes of irt_complete. */
#define IRT_COMP_SHELL 0x1 /* irt shell: builtins, "!COMMAND" */

/*
 * Completes the last word of words (the one being typed, "" when none)
 * given the words before it (the words after "irt": global options,
 * command, subcommand, arguments).  Candidates that start with the last
 * word are appended to out, sorted and unique; *directive receives
 * IRT_COMP_* flags.  The case is read from ctx->kase, else discovered
 * (through -C in words, ctx->case_dir, $IRT_CASE or the working
 * directory) and kept in ctx->kase.  Returns 0 or IRT_ENOMEM.
 */
int irt_complete(struct irt_ctx *ctx, int mode, char *const *words,
    size_t nwords, struct irt_words *out, int *directive);

/* Does every word of a "complete" field ("note", "profile|file",
 * "program file") name a completer? */
bool irt_complete_known(const char *spec);

#endif
