/*
 * The responder's identity: --author, $IRT_AUTHOR, git's user.name and
 * user.email, else user@hostname.
 */
#ifndef IRT_IDENT_H
#define IRT_IDENT_H

#include "common.h"

struct irt_ident {
	char *name;
	char *email;
};

/*
 * Resolves the identity.  explicit_author is "Name <mail>" (or NULL);
 * repo_path, when not NULL, is a case whose git config is consulted
 * before the global one.
 */
IRT_EXTERN int irt_ident_resolve(
    struct irt_ident *out, const char *explicit_author, const char *repo_path);

/* Parses "Name <mail>"; a bare name gets an empty email. */
IRT_EXTERN int irt_ident_parse(struct irt_ident *out, const char *s);

/* "Name <mail>" into a newly allocated string. */
IRT_EXTERN char *irt_ident_format(const struct irt_ident *id);

IRT_EXTERN void irt_ident_release(struct irt_ident *id);

#endif
