/*
 * The parts of a case shared by the files of lib/case; not installed.
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
	int lockfd;              /* .git/irt.lock, flock()ed while writing */
	int lockdepth;           /* nested holds of the lock */
	struct irt_buf warnings; /* lines for irt_case_take_warnings */
};

/* Adds a line to the warnings of c (the caller escapes what it quotes). */
void irt_case__warn(struct irt_case *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* 0 when path does not exist or is an empty folder, else an error. */
int irt_case__dir_usable(const char *path);

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

/* New loose objects are deflated at the level the case's git
 * configuration asks for (core.looseCompression, else core.compression). */
int irt_case__set_loose_level(git_repository *repo, const char *gitdir);

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

/* A set of object ids (open addressing). */
struct irt_oidset {
	git_oid *v;
	size_t cap, n;
};

/* 1 when added, 0 when already there, IRT_ENOMEM. */
int irt_oidset_add(struct irt_oidset *s, const git_oid *o);
void irt_oidset_release(struct irt_oidset *s);

/*
 * Checks the shape of a tree and of the trees below it that are not in
 * seen: only files and folders (no symbolic link, no submodule, no
 * ".git"), and a folder where irt keeps records.  bad is called with the
 * path (escaped) and why for each problem; a non-zero return from it
 * stops the walk and is returned.
 */
typedef int (*irt_case_bad_fn)(void *arg, const char *path, const char *why);
int irt_case__check_shape(git_repository *repo, const git_oid *tree,
    struct irt_oidset *seen, irt_case_bad_fn bad, void *arg);

/* The records of one folder of a tree, in id order. */
struct irt_rec {
	char *id;
	char *path;  /* of the record file */
	git_oid oid; /* of the record file */
	int sharded;
};

struct irt_recs {
	struct irt_rec *v;
	size_t n, cap;
};

/*
 * Lists the records of folder dir of root (NULL: none) in both layouts.
 * Entries that are not records where they lie are passed to odd with
 * their path (escaped) and why, when odd is not NULL.
 */
int
irt_case__records(struct irt_recs *out, git_repository *repo, git_tree *root,
    const char *dir, const char *ext, irt_case_bad_fn odd, void *arg);
void irt_case__recs_release(struct irt_recs *r);

/* Is the id one that a shard path can be made of (YYYYMMDDT...)? */
int irt_case__id_shardable(const char *id);

/* The sharded folders of a case: dir and ext, ending with a NULL dir. */
struct irt_shard_dir {
	const char *dir;
	const char *ext;
};
extern const struct irt_shard_dir irt_case__shard_dirs[];

#endif
