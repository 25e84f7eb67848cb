/*
 * Cases: an incident case is a git repository with a working tree.  Every
 * action is one commit whose message carries git trailers.  The layout
 * and record formats are documented in irt-case(5).
 */
#ifndef IRT_CASE_H
#define IRT_CASE_H

#include "common.h"
#include <stddef.h>

#include "buf.h"
#include "ident.h"
#include "kv.h"
#include "timefmt.h"

struct irt_case;

#define IRT_CASE_CONF "case.conf"
/* The layout version a new case is made with (records sharded by day). */
#define IRT_CASE_FORMAT "2"
#define IRT_OID_HEX 41

struct irt_case_meta {
	const char *id;
	const char *title;
	const char *lead;     /* may be NULL */
	const char *tlp;      /* clear|green|amber|amber+strict|red, or NULL */
	const char *severity; /* low|medium|high|critical, or NULL */
};

/* A file to write into the case in a commit. */
struct irt_case_file {
	const char *path; /* relative to the case root, '/' separated */
	const void *data;
	size_t len;
};

/* A git trailer, "Key: value". */
struct irt_trailer {
	const char *key;
	const char *value;
};

/*
 * The search order of git: dir (from -C) when not NULL, else $IRT_CASE,
 * else the nearest parent of the current directory holding case.conf in
 * a git work tree.  *out is a newly allocated absolute path.
 * IRT_ENOCASE when there is none.
 */
IRT_EXTERN int irt_case_discover(char **out, const char *dir);

/* Opens the case at path (its root). */
IRT_EXTERN int irt_case_open(struct irt_case **out, const char *path);

/*
 * Creates the case: path must not exist or be an empty directory.
 * Writes case.conf and .gitignore and makes the first commit.
 */
IRT_EXTERN int irt_case_init(struct irt_case **out, const char *path,
    const struct irt_case_meta *meta, const struct irt_ident *who);

IRT_EXTERN void irt_case_free(struct irt_case *c);

/* The absolute path of the case root. */
IRT_EXTERN const char *irt_case_path(const struct irt_case *c);

/* case.conf as parsed when the case was opened. */
IRT_EXTERN const struct irt_kv *irt_case_conf(const struct irt_case *c);

/* The case id from case.conf. */
IRT_EXTERN const char *irt_case_id(const struct irt_case *c);

/*
 * The case's evidence folder (absolute, created on demand, not in git).
 * It is opened from the case root one component at a time without
 * following a symbolic link: IRT_EPERM when evidence/ is one.
 */
IRT_EXTERN int irt_case_evidence_dir(char **out, struct irt_case *c);

/*
 * What went wrong through c that did not fail the call, one line each,
 * since the last call: a commit that landed but whose index was not
 * updated, a record skipped by a listing because it does not parse.
 * Host and case data in them are escaped.  NULL when there is nothing;
 * the caller frees the string.
 */
IRT_EXTERN char *irt_case_take_warnings(struct irt_case *c);

/*
 * Writes files into the work tree and makes one commit of them on the
 * current branch: subject line, optional body, then the trailers.  Runs
 * under the case lock, so concurrent writers are serialised; a stale git
 * lock left by a killed process is removed and an Irt-Recovered trailer
 * records it.  A file whose path already exists in HEAD is replaced
 * only when replace is set, else IRT_EEXISTS.  Files are written from
 * the case root without following a symbolic link.  oid_out (may be
 * NULL) receives the new commit id in hex.
 *
 * It fails only when the branch did not move, and then leaves the work
 * tree as it was.  Once the branch has moved it returns 0: a later step
 * that fails (the index) is a warning (irt_case_take_warnings), and the
 * next commit finishes it.
 */
IRT_EXTERN int irt_case_commit(struct irt_case *c, char oid_out[IRT_OID_HEX],
    const struct irt_case_file *files, size_t nfiles, int replace,
    const char *subject, const char *body, const struct irt_trailer *trailers,
    size_t ntrailers, const struct irt_ident *who);

/*
 * Holds the case lock across a read-modify-commit (irt_case_commit takes
 * it too; holds nest), so that no other writer commits in between.
 */
IRT_EXTERN int irt_case_lock(struct irt_case *c);
IRT_EXTERN void irt_case_unlock(struct irt_case *c);

/*
 * Reads a file of the HEAD tree into buf.  IRT_ENOTFOUND when absent.
 */
IRT_EXTERN int
irt_case_read(struct irt_case *c, struct irt_buf *buf, const char *path);

/*
 * Lists the entries of a folder of the HEAD tree (names only, sorted),
 * into a NULL-terminated array the caller frees with irt_strv_free.
 * An absent folder gives an empty list.
 */
IRT_EXTERN int irt_case_list(struct irt_case *c, char ***out, const char *dir);
IRT_EXTERN void irt_strv_free(char **v);

/*
 * Calls cb with the name and contents of every file of a folder of the
 * HEAD tree, in name order; the tree is read once.  A non-zero return
 * from cb stops the walk and is returned.
 */
typedef int (*irt_case_file_cb)(
    const char *name, const char *data, size_t len, void *arg);
IRT_EXTERN int irt_case_foreach(
    struct irt_case *c, const char *dir, irt_case_file_cb cb, void *arg);

/*
 * Resolves a unique prefix of an entry name in dir (after stripping
 * suffix, e.g. ".md") to the full name.  IRT_ENOTFOUND, IRT_EAMBIGUOUS.
 */
IRT_EXTERN int irt_case_resolve(struct irt_case *c, char **out, const char *dir,
    const char *suffix, const char *prefix);

/*
 * Records that grow with the case (notes, runs, custody records, and
 * the other folders of records to come) are sharded by day:
 *
 *   <dir>/YYYY/MM/DD/<id><ext>
 *
 * the day being the first eight digits of the id, which starts with a
 * UTC time (20261127T211439Z-3fa9c1).  A case made before format 2 holds
 * them flat, <dir>/<id><ext>, until irt_case_upgrade(); every reader
 * below takes both.  ext is a suffix of the file name (".md"), or, when
 * it starts with '/', the record file in a folder per record
 * ("/record": runs/2026/11/27/<id>/record).
 */

/*
 * The path of record id in folder dir: ("notes", id, ".md") gives
 * notes/2026/11/27/<id>.md.  IRT_EINVAL when id does not start with a
 * date (YYYYMMDDT) or is not a file name.
 */
IRT_EXTERN int irt_case_shard_path(
    struct irt_buf *out, const char *dir, const char *id, const char *ext);

/* One record of a sharded folder. */
struct irt_case_record {
	const char *id;
	const char *path; /* where it is: sharded, or flat before an upgrade */
	const char *data; /* its contents */
	size_t len;
};

typedef int (*irt_case_record_cb)(const struct irt_case_record *r, void *arg);

/*
 * Calls cb for every record of folder dir of the HEAD tree, in id order,
 * in either layout.  An entry that is not a record where it lies (a
 * record in the folder of another day, a stray folder) is skipped with a
 * warning (irt_case_take_warnings).  A non-zero return from cb stops the
 * walk and is returned.
 */
IRT_EXTERN int irt_case_foreach_record(struct irt_case *c, const char *dir,
    const char *ext, irt_case_record_cb cb, void *arg);

/* The ids of the records of dir in id order, NULL-terminated, for
 * irt_strv_free; the contents are not read. */
IRT_EXTERN int irt_case_record_ids(
    struct irt_case *c, char ***out, const char *dir, const char *ext);

/*
 * Resolves a unique prefix of a record id of dir (an exact id wins):
 * *id and, when path is not NULL, *path receive the full id and the
 * record's path, for the caller to free.  IRT_ENOTFOUND, IRT_EAMBIGUOUS.
 */
IRT_EXTERN int irt_case_record_find(struct irt_case *c, char **id, char **path,
    const char *dir, const char *ext, const char *prefix);

/* One commit of the history, newest first. */
struct irt_case_logent {
	char oid[IRT_OID_HEX];
	irt_ns time;
	char *author; /* "Name <mail>" */
	char *action; /* Irt-Action trailer or "" */
	char *subject;
	char *message; /* whole message */
};

typedef int (*irt_case_log_cb)(const struct irt_case_logent *e, void *arg);

/*
 * Walks the history from HEAD, newest first; with path, only commits
 * that change that path.  A non-zero return from cb stops the walk and
 * is returned.
 */
IRT_EXTERN int irt_case_log(
    struct irt_case *c, const char *path, irt_case_log_cb cb, void *arg);

/*
 * The history of one record of a sharded folder, newest first: every
 * commit that changed its contents at either of its paths; a commit that
 * only moved it (irt case upgrade) is left out.  data is what the commit
 * left, NULL when it removed the record.
 */
typedef int (*irt_case_record_log_cb)(
    const struct irt_case_logent *e, const char *data, size_t len, void *arg);
IRT_EXTERN int irt_case_record_log(struct irt_case *c, const char *dir,
    const char *id, const char *ext, irt_case_record_log_cb cb, void *arg);

/*
 * Reads path as it was in commit oid (hex).
 */
IRT_EXTERN int irt_case_read_at(
    struct irt_case *c, struct irt_buf *buf, const char *oid, const char *path);

/* HEAD commit id in hex. */
IRT_EXTERN int irt_case_head(struct irt_case *c, char out[IRT_OID_HEX]);

/* Verification report: one line per problem. */
struct irt_case_verify_report {
	char **problems;
	size_t nproblems;
	size_t ncommits;
	size_t nobjects;
	size_t nrecords;
	char head[IRT_OID_HEX];
};

/*
 * Reads every object reachable from HEAD and checks its hash, the
 * parent chain, that every tree holds only files and folders (no
 * symbolic link, no submodule) with a folder where irt keeps records,
 * that the work tree matches HEAD, and that every record parses and lies
 * where its id puts it; with expect (hex, may be a prefix), that it is
 * HEAD or an ancestor of it.
 * Returns 0 with problems listed in the report (nproblems > 0 means the
 * case failed), or a negative code when verification could not run.
 */
IRT_EXTERN int irt_case_verify(
    struct irt_case *c, struct irt_case_verify_report *r, const char *expect);
IRT_EXTERN void
irt_case_verify_report_release(struct irt_case_verify_report *r);

/* Pull and push through a git remote (a name or a URL; NULL: origin). */
struct irt_case_sync_result {
	int fast_forward; /* pull: fast-forwarded */
	int merged;       /* pull: merge commit made */
	int up_to_date;
	char head[IRT_OID_HEX];
};

/*
 * A pull refuses, and changes nothing, when a commit it would bring holds
 * anything but files and folders (a symbolic link, a submodule) or a
 * file where irt keeps a folder of records.
 */
IRT_EXTERN int irt_case_pull(struct irt_case *c, struct irt_case_sync_result *r,
    const char *remote, const struct irt_ident *who);
IRT_EXTERN int irt_case_push(
    struct irt_case *c, struct irt_case_sync_result *r, const char *remote);

/* The URL of remote (a name or a URL; NULL: origin), for the caller to
 * free. */
IRT_EXTERN int
irt_case_remote_url(struct irt_case *c, char **out, const char *remote);

/*
 * Clones the case at url into dir (NULL: the last component of the URL
 * without ".git"), which must not exist or be empty.  The case branch is
 * the remote's default branch when it holds a case, else "main" (a bare
 * repository made by a plain `git init --bare` names "master" while
 * cases use "main").  The history is checked as a pull checks it before
 * anything is checked out; on failure dir is removed when clone made it.
 * *out is the open case; r->head its HEAD.
 */
IRT_EXTERN int irt_case_clone(struct irt_case **out,
    struct irt_case_sync_result *r, const char *url, const char *dir);

/*
 * Moves the records of the sharded folders that are still flat (a case
 * made by an irt before format 2) to their sharded paths and sets format
 * 2 in case.conf, in one commit (Irt-Action: case-upgrade).  *moved
 * receives the number of records moved; 0 and no commit when there was
 * nothing to do.
 */
IRT_EXTERN int irt_case_upgrade(struct irt_case *c, size_t *moved,
    char oid_out[IRT_OID_HEX], const struct irt_ident *who);

/*
 * A record check for irt_case_verify: returns 0 or IRT_EPARSE with a
 * message.  Called for each file of the HEAD tree under dir.
 */
typedef int (*irt_record_check_fn)(
    const char *path, const char *data, size_t len);

/* Generates an id: compact UTC time plus a random suffix,
 * 20261127T211439Z-3fa9c1.  out must hold 32 bytes. */
IRT_EXTERN int irt_id_new(char out[32]);

/* Validates the vocabularies of case.conf. */
IRT_EXTERN int irt_case_check_tlp(const char *tlp);
IRT_EXTERN int irt_case_check_severity(const char *sev);

#endif
