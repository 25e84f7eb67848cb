/*
 * The history of a case: its log and its verification.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "case-int.h"
#include "util/internal.h"
#include "irt/case.h"
#include "records.h"

/* --- history ----------------------------------------------------------- */

static int
trailer_value(char **out, const char *message, const char *key)
{
	git_message_trailer_array arr;
	size_t i;

	*out = NULL;
	if (git_message_trailers(&arr, message) != 0) {
		git_error_clear();
		return 0;
	}
	for (i = 0; i < arr.count; i++)
		if (strcmp(arr.trailers[i].key, key) == 0) {
			*out = strdup(arr.trailers[i].value);
			break;
		}
	git_message_trailer_array_free(&arr);
	return 0;
}

/* The blob at the first of paths that tree holds; 0 when none. */
static int
blob_at(git_tree *tree, const char *const *paths, size_t n, git_oid *out)
{
	git_tree_entry *te = NULL;
	size_t i;

	for (i = 0; tree != NULL && i < n; i++) {
		if (git_tree_entry_bypath(&te, tree, paths[i]) != 0)
			continue;
		if (git_tree_entry_type(te) == GIT_OBJECT_BLOB) {
			git_oid_cpy(out, git_tree_entry_id(te));
			git_tree_entry_free(te);
			return 1;
		}
		git_tree_entry_free(te);
	}
	git_error_clear();
	return 0;
}

/*
 * Does the commit change what paths hold (the first of them present)
 * against its first parent?  *now receives what it holds.
 */
static int
changes_paths(git_commit *commit, const char *const *paths, size_t n,
    int *changed, git_oid *now, int *has)
{
	git_tree *tree = NULL, *ptree = NULL;
	git_commit *parent = NULL;
	git_oid before;
	int had;

	*changed = 0;
	if (git_commit_tree(&tree, commit) != 0)
		return irt_git_error(IRT_ERROR, "cannot read tree");
	*has = blob_at(tree, paths, n, now);
	if (git_commit_parentcount(commit) > 0 &&
	    git_commit_parent(&parent, commit, 0) == 0 &&
	    git_commit_tree(&ptree, parent) == 0)
		had = blob_at(ptree, paths, n, &before);
	else
		had = 0;
	git_error_clear();
	if (*has != had || (*has && !git_oid_equal(now, &before)))
		*changed = 1;
	git_tree_free(tree);
	git_tree_free(ptree);
	git_commit_free(parent);
	return 0;
}

/* Fills e from commit; the caller frees its strings. */
static int
log_entry(struct irt_case_logent *e, git_commit *commit, const git_oid *oid)
{
	const git_signature *sig = git_commit_author(commit);
	const char *summary = git_commit_summary(commit);
	int rc = 0;

	memset(e, 0, sizeof *e);
	git_oid_tostr(e->oid, sizeof e->oid, oid);
	e->time = (irt_ns)sig->when.time * IRT_NS_PER_SEC;
	if (sig->email != NULL && sig->email[0] != '\0')
		rc = asprintf(&e->author, "%s <%s>", sig->name, sig->email) < 0;
	else
		e->author = strdup(sig->name);
	e->message = strdup(git_commit_message(commit));
	e->subject = strdup(summary ? summary : "");
	trailer_value(&e->action, e->message ? e->message : "", "Irt-Action");
	if (e->action == NULL)
		e->action = strdup("");
	if (rc != 0 || !e->author || !e->message || !e->subject || !e->action)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	return 0;
}

static void
log_entry_release(struct irt_case_logent *e)
{
	free(e->author);
	free(e->message);
	free(e->subject);
	free(e->action);
}

/* What a walk of the history does with each commit. */
struct log_walk {
	const char *const *paths; /* NULL: every commit */
	size_t npaths;
	int (*emit)(const struct irt_case_logent *e, git_repository *repo,
	    const git_oid *blob, int has, void *arg);
	void *arg;
};

static int
walk_history(struct irt_case *c, const struct log_walk *w)
{
	git_revwalk *walk = NULL;
	git_commit *commit = NULL;
	git_oid oid, blob = { { 0 } };
	struct irt_case_logent e;
	int rc = 0, changed, has = 0;

	if (git_revwalk_new(&walk, c->repo) != 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) !=
	        0 ||
	    git_revwalk_push_head(walk) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot walk the history");
		goto out;
	}
	while (git_revwalk_next(&oid, walk) == 0) {
		if (git_commit_lookup(&commit, c->repo, &oid) != 0) {
			rc = irt_git_error(IRT_ERROR, "cannot read commit");
			goto out;
		}
		if (w->paths != NULL) {
			if ((rc = changes_paths(commit, w->paths, w->npaths,
			         &changed, &blob, &has)) != 0)
				goto out;
			if (!changed) {
				git_commit_free(commit);
				commit = NULL;
				continue;
			}
		}
		if ((rc = log_entry(&e, commit, &oid)) == 0)
			rc = w->emit(&e, c->repo, &blob, has, w->arg);
		log_entry_release(&e);
		git_commit_free(commit);
		commit = NULL;
		if (rc != 0)
			break;
	}
out:
	git_commit_free(commit);
	git_revwalk_free(walk);
	return rc;
}

struct plain_log {
	irt_case_log_cb cb;
	void *arg;
};

static int
plain_emit(const struct irt_case_logent *e, git_repository *repo,
    const git_oid *blob, int has, void *arg)
{
	struct plain_log *p = arg;

	(void)repo;
	(void)blob;
	(void)has;
	return p->cb(e, p->arg);
}

int
irt_case_log(
    struct irt_case *c, const char *path, irt_case_log_cb cb, void *arg)
{
	struct plain_log p = { cb, arg };
	const char *paths[1] = { path };
	struct log_walk w = { path ? paths : NULL, 1, plain_emit, &p };

	return walk_history(c, &w);
}

struct record_log {
	irt_case_record_log_cb cb;
	void *arg;
};

static int
record_emit(const struct irt_case_logent *e, git_repository *repo,
    const git_oid *blob, int has, void *arg)
{
	struct record_log *p = arg;
	git_blob *b = NULL;
	int rc;

	if (!has)
		return p->cb(e, NULL, 0, p->arg);
	if (git_blob_lookup(&b, repo, blob) != 0)
		return irt_git_error(IRT_ERROR, "cannot read a record");
	rc = p->cb(
	    e, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), p->arg);
	git_blob_free(b);
	return rc;
}

int
irt_case_record_log(struct irt_case *c, const char *dir, const char *id,
    const char *ext, irt_case_record_log_cb cb, void *arg)
{
	struct irt_buf sharded = IRT_BUF_INIT, flat = IRT_BUF_INIT;
	struct record_log p = { cb, arg };
	const char *paths[2];
	struct log_walk w = { paths, 0, record_emit, &p };
	int rc;

	if (irt_case__id_shardable(id)) {
		if ((rc = irt_case_shard_path(&sharded, dir, id, ext)) != 0)
			return rc;
		paths[w.npaths++] = sharded.ptr;
	}
	if ((rc = irt_buf_printf(&flat, "%s/%s%s", dir, id, ext)) == 0) {
		paths[w.npaths++] = flat.ptr;
		rc = walk_history(c, &w);
	}
	irt_buf_release(&sharded);
	irt_buf_release(&flat);
	return rc;
}

/* --- verification ------------------------------------------------------ */

static int problem(struct irt_case_verify_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
problem(struct irt_case_verify_report *r, const char *fmt, ...)
{
	va_list ap;
	char *s, **v;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if ((v = realloc(r->problems, (r->nproblems + 2) * sizeof *v)) ==
	    NULL) {
		free(s);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	r->problems = v;
	r->problems[r->nproblems++] = s;
	r->problems[r->nproblems] = NULL;
	return 0;
}

/* Reads one object from the odb and recomputes its hash. */
static int
check_object(git_odb *odb, const git_oid *oid, git_object_t want,
    struct irt_case_verify_report *r, git_odb_object **keep)
{
	git_odb_object *obj = NULL;
	git_oid again;
	char hex[IRT_OID_HEX];
	int rc = 0;

	git_oid_tostr(hex, sizeof hex, oid);
	if (git_odb_read(&obj, odb, oid) != 0) {
		const git_error *e = git_error_last();
		rc = problem(r, "object %s (%s) cannot be read: %s", hex,
		    git_object_type2string(want),
		    e && e->message ? e->message : "missing");
		git_error_clear();
		return rc != 0 ? rc : 1;
	}
	r->nobjects++;
	if (git_odb_object_type(obj) != want) {
		rc = problem(r, "object %s is a %s, expected a %s", hex,
		    git_object_type2string(git_odb_object_type(obj)),
		    git_object_type2string(want));
		git_odb_object_free(obj);
		return rc != 0 ? rc : 1;
	}
	if (git_odb_hash(&again, git_odb_object_data(obj),
	        git_odb_object_size(obj), want) != 0 ||
	    !git_oid_equal(&again, oid)) {
		rc = problem(
		    r, "object %s has a wrong hash (content altered)", hex);
		git_odb_object_free(obj);
		return rc != 0 ? rc : 1;
	}
	if (keep != NULL)
		*keep = obj;
	else
		git_odb_object_free(obj);
	return 0;
}

static int
check_tree(struct irt_case *c, git_odb *odb, const git_oid *oid,
    struct irt_oidset *seen, struct irt_case_verify_report *r)
{
	git_tree *tree = NULL;
	size_t i, n;
	int rc;

	if ((rc = irt_oidset_add(seen, oid)) <= 0)
		return rc;
	if ((rc = check_object(odb, oid, GIT_OBJECT_TREE, r, NULL)) != 0)
		return rc < 0 ? rc : 0;
	if (git_tree_lookup(&tree, c->repo, oid) != 0) {
		git_error_clear();
		return problem(
		    r, "tree %s cannot be parsed", git_oid_tostr_s(oid));
	}
	n = git_tree_entrycount(tree);
	for (i = 0; i < n && rc == 0; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(tree, i);
		const git_oid *eo = git_tree_entry_id(te);
		switch (git_tree_entry_type(te)) {
		case GIT_OBJECT_TREE:
			rc = check_tree(c, odb, eo, seen, r);
			break;
		case GIT_OBJECT_BLOB:
			if ((rc = irt_oidset_add(seen, eo)) > 0)
				rc = check_object(
				    odb, eo, GIT_OBJECT_BLOB, r, NULL);
			rc = rc < 0 ? rc : 0;
			break;
		default:
			/* a submodule or an unknown mode: the shape check
			 * names its path */
			break;
		}
	}
	git_tree_free(tree);
	return rc;
}

struct record_walk {
	struct irt_case *c;
	struct irt_case_verify_report *r;
	int rc;
};

static int
record_cb(const char *root, const git_tree_entry *te, void *payload)
{
	struct record_walk *w = payload;
	struct irt_buf path = IRT_BUF_INIT;
	git_blob *blob = NULL;
	irt_record_check_fn fn;

	if (git_tree_entry_type(te) != GIT_OBJECT_BLOB)
		return 0;
	if (irt_buf_printf(&path, "%s%s", root, git_tree_entry_name(te))) {
		w->rc = IRT_ENOMEM;
		return -1;
	}
	if ((fn = irt_record_checker(path.ptr)) != NULL) {
		if (git_blob_lookup(&blob, w->c->repo, git_tree_entry_id(te))) {
			git_error_clear();
			w->rc = problem(w->r, "record %s cannot be read",
			    irt_esc(path.ptr));
		} else {
			w->r->nrecords++;
			if (irt_record_run(fn, path.ptr,
			        git_blob_rawcontent(blob),
			        (size_t)git_blob_rawsize(blob)) != 0)
				w->rc = problem(
				    w->r, "record %s", irt_error_last());
		}
		git_blob_free(blob);
	}
	irt_buf_release(&path);
	return w->rc < 0 ? -1 : 0;
}

/* The paths of .git/irt-pending: a commit that landed before its index
 * was written, which the next writer finishes. */
static int
pending_paths(struct irt_case *c, struct irt_buf *out)
{
	struct irt_buf p = IRT_BUF_INIT;
	char *nl;
	int rc;

	if ((rc = irt_buf_printf(&p, "%sirt-pending", c->gitdir)) != 0)
		return rc;
	if (irt_buf_read_file(out, p.ptr) != 0) {
		irt_error_clear();
		irt_buf_clear(out);
	}
	irt_buf_release(&p);
	/* whole lines only, each ending in '\n' */
	nl = out->len ? memrchr(out->ptr, '\n', out->len) : NULL;
	out->len = nl ? (size_t)(nl + 1 - out->ptr) : 0;
	if (out->ptr != NULL)
		out->ptr[out->len] = '\0';
	return 0;
}

static int
is_pending(const struct irt_buf *pending, const char *path)
{
	size_t n = strlen(path);
	const char *s = pending->ptr;

	while (s != NULL && *s != '\0') {
		const char *nl = strchr(s, '\n');

		if ((size_t)(nl - s) == n && memcmp(s, path, n) == 0)
			return 1;
		s = nl + 1;
	}
	return 0;
}

static const char *
delta_path(const git_diff_delta *d)
{
	return d->new_file.path ? d->new_file.path
	    : d->old_file.path  ? d->old_file.path
	                        : "?";
}

/*
 * The work tree against HEAD, without the index: what a responder reads
 * is what was committed.  Then the index against HEAD: a change staged
 * and not committed, unless it is a path of a commit whose index update
 * is pending.
 */
static int
check_worktree(
    struct irt_case *c, git_tree *head, struct irt_case_verify_report *r)
{
	git_diff_options o = GIT_DIFF_OPTIONS_INIT;
	git_diff *d = NULL;
	git_index *index = NULL;
	struct irt_buf pending = IRT_BUF_INIT;
	size_t i, n;
	int rc = 0;

	o.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
	    GIT_DIFF_INCLUDE_TYPECHANGE;
	if (git_diff_tree_to_workdir(&d, c->repo, head, &o) != 0)
		return problem(r, "cannot read the work tree: %s",
		    git_error_last() ? git_error_last()->message : "?");
	n = git_diff_num_deltas(d);
	for (i = 0; i < n && rc == 0; i++) {
		const git_diff_delta *e = git_diff_get_delta(d, i);
		const char *what;

		switch (e->status) {
		case GIT_DELTA_UNTRACKED:
		case GIT_DELTA_ADDED:
			what = "not committed (new file)";
			break;
		case GIT_DELTA_DELETED:
			what = "deleted from the work tree";
			break;
		case GIT_DELTA_TYPECHANGE:
			what = "changed in type in the work tree";
			break;
		default:
			what = "modified in the work tree";
		}
		rc = problem(
		    r, "work tree: '%s' %s", irt_esc(delta_path(e)), what);
	}
	git_diff_free(d);
	d = NULL;
	if (rc != 0)
		return rc;
	if ((rc = pending_paths(c, &pending)) != 0)
		return rc;
	memset(&o, 0, sizeof o);
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	/* read again: irt writes the index without libgit2 */
	if (git_repository_index(&index, c->repo) != 0 ||
	    git_index_read(index, 1) != 0 ||
	    git_diff_tree_to_index(&d, c->repo, head, index, &o) != 0) {
		rc = problem(r, "cannot read the index: %s",
		    git_error_last() ? git_error_last()->message : "?");
		goto out;
	}
	n = git_diff_num_deltas(d);
	for (i = 0; i < n && rc == 0; i++) {
		const char *p = delta_path(git_diff_get_delta(d, i));

		if (!is_pending(&pending, p))
			rc = problem(r, "index: '%s' staged but not committed",
			    irt_esc(p));
	}
out:
	git_diff_free(d);
	git_index_free(index);
	irt_buf_release(&pending);
	return rc;
}

static int
shape_problem(void *arg, const char *path, const char *why)
{
	void **a = arg;
	struct irt_case_verify_report *r = a[0];
	const char *commit = a[1];

	return problem(r, "commit %.12s: '%s' %s", commit, path, why);
}

static int
layout_problem(void *arg, const char *path, const char *why)
{
	return problem(arg, "record folder: '%s' %s", path, why);
}

/* Every record of the sharded folders lies where its id puts it. */
static int
check_layout(
    struct irt_case *c, git_tree *head, struct irt_case_verify_report *r)
{
	struct irt_recs recs;
	size_t i;
	int rc = 0;

	for (i = 0; irt_case__shard_dirs[i].dir != NULL && rc == 0; i++) {
		rc = irt_case__records(&recs, c->repo, head,
		    irt_case__shard_dirs[i].dir, irt_case__shard_dirs[i].ext,
		    layout_problem, r);
		irt_case__recs_release(&recs);
	}
	return rc;
}

int
irt_case_verify(
    struct irt_case *c, struct irt_case_verify_report *r, const char *expect)
{
	struct irt_oidset seen = { NULL, 0, 0 }, shapes = { NULL, 0, 0 };
	git_revwalk *walk = NULL;
	git_odb *odb = NULL;
	git_odb_object *cobj = NULL;
	git_commit *commit = NULL;
	git_oid oid, head, exp;
	git_object *eobj = NULL;
	struct record_walk rw;
	git_tree *tree = NULL;
	char hex[IRT_OID_HEX], phex[IRT_OID_HEX];
	void *sarg[2];
	unsigned i, np;
	int rc = 0, roots = 0;

	memset(r, 0, sizeof *r);
	if (git_reference_name_to_id(&head, c->repo, "HEAD") != 0)
		return problem(r, "HEAD cannot be resolved: %s",
		    git_error_last() ? git_error_last()->message : "?");
	git_oid_tostr(r->head, sizeof r->head, &head);
	if (git_repository_odb(&odb, c->repo) != 0)
		return irt_git_error(IRT_ERROR, "cannot open object database");
	if (git_revwalk_new(&walk, c->repo) != 0 ||
	    git_revwalk_push(walk, &head) != 0) {
		rc = problem(r, "history cannot be walked: %s",
		    git_error_last() ? git_error_last()->message : "?");
		goto out;
	}
	for (;;) {
		int wr = git_revwalk_next(&oid, walk);
		if (wr == GIT_ITEROVER)
			break;
		if (wr != 0) {
			rc = problem(r, "history is broken: %s",
			    git_error_last() ? git_error_last()->message : "?");
			git_error_clear();
			break;
		}
		r->ncommits++;
		git_oid_tostr(hex, sizeof hex, &oid);
		if ((rc = check_object(
		         odb, &oid, GIT_OBJECT_COMMIT, r, &cobj)) != 0) {
			rc = rc < 0 ? rc : 0;
			continue;
		}
		git_odb_object_free(cobj);
		cobj = NULL;
		if (git_commit_lookup(&commit, c->repo, &oid) != 0) {
			rc = problem(r, "commit %s cannot be parsed", hex);
			git_error_clear();
			continue;
		}
		np = git_commit_parentcount(commit);
		if (np == 0)
			roots++;
		for (i = 0; i < np && rc == 0; i++) {
			const git_oid *po = git_commit_parent_id(commit, i);

			if (po != NULL)
				git_oid_tostr(phex, sizeof phex, po);
			if (po == NULL || !git_odb_exists(odb, po))
				rc = problem(r, "commit %s: parent %s missing",
				    hex, po ? phex : "?");
		}
		if (rc == 0)
			rc = check_tree(
			    c, odb, git_commit_tree_id(commit), &seen, r);
		/* only files and folders, in every commit */
		sarg[0] = r;
		sarg[1] = hex;
		if (rc == 0)
			rc = irt_case__check_shape(c->repo,
			    git_commit_tree_id(commit), &shapes, shape_problem,
			    sarg);
		git_commit_free(commit);
		commit = NULL;
		if (rc < 0)
			goto out;
	}
	if (roots != 1)
		rc = problem(
		    r, "history has %d root commits, expected 1", roots);
	/* records of the current tree */
	if (git_commit_lookup(&commit, c->repo, &head) == 0 &&
	    git_commit_tree(&tree, commit) == 0) {
		rw.c = c;
		rw.r = r;
		rw.rc = 0;
		git_tree_walk(tree, GIT_TREEWALK_PRE, record_cb, &rw);
		if (rw.rc < 0) {
			rc = rw.rc;
			goto out;
		}
		if ((rc = check_layout(c, tree, r)) < 0 ||
		    (rc = check_worktree(c, tree, r)) < 0)
			goto out;
	}
	git_error_clear();
	if (expect != NULL) {
		if (git_revparse_single(&eobj, c->repo, expect) != 0 ||
		    git_object_type(eobj) != GIT_OBJECT_COMMIT) {
			rc = problem(r,
			    "expected commit %s is not in the "
			    "history (rewritten or unknown)",
			    irt_esc(expect));
			git_error_clear();
		} else {
			git_oid_cpy(&exp, git_object_id(eobj));
			git_oid_tostr(hex, sizeof hex, &exp);
			if (!git_oid_equal(&exp, &head) &&
			    git_graph_descendant_of(c->repo, &head, &exp) != 1)
				rc = problem(r,
				    "expected commit %s is not an "
				    "ancestor of HEAD (history rewritten)",
				    hex);
		}
	}
out:
	git_object_free(eobj);
	git_tree_free(tree);
	git_commit_free(commit);
	git_revwalk_free(walk);
	git_odb_free(odb);
	irt_oidset_release(&seen);
	irt_oidset_release(&shapes);
	return rc < 0 ? rc : 0;
}

void
irt_case_verify_report_release(struct irt_case_verify_report *r)
{
	size_t i;

	for (i = 0; i < r->nproblems; i++)
		free(r->problems[i]);
	free(r->problems);
	memset(r, 0, sizeof *r);
}
