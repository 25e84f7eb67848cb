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

/* New objects of repo are stored by irt's loose writer (case-odb.c). */
int irt_case__set_loose_writes(git_repository *repo, const char *gitdir);

/* A blob to put at a path below a tree. */
struct irt_tree_put {
	const char *path;
	const git_oid *oid;
};

/*
 * Writes the tree base (NULL: empty) with the blobs put at their paths,
 * rewriting only the trees on those paths.  IRT_EEXISTS when a path is
 * already there and !replace.
 */
int irt_case__tree_put(git_oid *out, git_repository *repo, const git_oid *base,
    const struct irt_tree_put *puts, size_t n, int replace);

/* A file of the work tree to record in the index, as just written. */
struct stat;
struct irt_index_put {
	const char *path;
	const git_oid *oid;
	const struct stat *st;
};

/*
 * Adds or replaces the entries in gitdir's index.  1 when the index has
 * a form left to libgit2 (nothing is changed then), else 0 or an error.
 */
int irt_case__index_put(
    const char *gitdir, const struct irt_index_put *puts, size_t n);

#endif
