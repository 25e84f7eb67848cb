/*
 * The parts of a case shared by case.c, case-history.c and case-sync.c;
 * not installed.
 */
#ifndef IRT_CASE_INT_H
#define IRT_CASE_INT_H

#include <git2.h>

#include "irt/buf.h"
#include "irt/ident.h"
#include "irt/kv.h"

struct irt_case {
	char *path;   /* the work tree, absolute */
	char *gitdir; /* ends with '/' */
	git_repository *repo;
	struct irt_kv conf;
	int lockfd;    /* .git/irt.lock, flock()ed while writing */
	int lockdepth; /* nested holds of the lock */
};

/* (Re)reads case.conf from the work tree. */
int irt_case__load_conf(struct irt_case *c);

/* Serialises writers of the case. */
int irt_case__lock(struct irt_case *c);
void irt_case__unlock(struct irt_case *c);

/* Under the lock: removes git lock files left by a killed writer and
 * notes each in notes (for an Irt-Recovered trailer). */
int irt_case__remove_stale_locks(struct irt_case *c, struct irt_buf *notes);

/* The HEAD commit and its tree; *out is NULL on an unborn branch. */
int irt_case__head_commit(git_commit **out, git_repository *repo);
int irt_case__head_tree(git_tree **out, struct irt_case *c);

/* A signature of who, now, in UTC. */
int irt_case__signature(git_signature **sig, const struct irt_ident *who);

#endif
