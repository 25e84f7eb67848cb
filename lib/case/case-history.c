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

static int
changes_path(git_commit *commit, const char *path, int *changed)
{
	git_tree *tree = NULL, *ptree = NULL;
	git_tree_entry *a = NULL, *b = NULL;
	git_commit *parent = NULL;
	int ha, hb;

	*changed = 0;
	if (git_commit_tree(&tree, commit) != 0)
		return irt_git_error(IRT_ERROR, "cannot read tree");
	ha = git_tree_entry_bypath(&a, tree, path) == 0;
	if (git_commit_parentcount(commit) > 0 &&
	    git_commit_parent(&parent, commit, 0) == 0 &&
	    git_commit_tree(&ptree, parent) == 0)
		hb = git_tree_entry_bypath(&b, ptree, path) == 0;
	else
		hb = 0;
	git_error_clear();
	if (ha != hb)
		*changed = 1;
	else if (ha &&
	    !git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b)))
		*changed = 1;
	git_tree_entry_free(a);
	git_tree_entry_free(b);
	git_tree_free(tree);
	git_tree_free(ptree);
	git_commit_free(parent);
	return 0;
}

int
irt_case_log(
    struct irt_case *c, const char *path, irt_case_log_cb cb, void *arg)
{
	git_revwalk *walk = NULL;
	git_commit *commit = NULL;
	git_oid oid;
	struct irt_case_logent e;
	const git_signature *sig;
	int rc = 0, changed;

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
		if (path != NULL) {
			if ((rc = changes_path(commit, path, &changed)) != 0)
				goto out;
			if (!changed) {
				git_commit_free(commit);
				commit = NULL;
				continue;
			}
		}
		memset(&e, 0, sizeof e);
		git_oid_tostr(e.oid, sizeof e.oid, &oid);
		sig = git_commit_author(commit);
		e.time = (irt_ns)sig->when.time * IRT_NS_PER_SEC;
		if (sig->email != NULL && sig->email[0] != '\0')
			rc = asprintf(&e.author, "%s <%s>", sig->name,
			         sig->email) < 0;
		else
			e.author = strdup(sig->name);
		e.message = strdup(git_commit_message(commit));
		e.subject = strdup(git_commit_summary(commit)
		        ? git_commit_summary(commit)
		        : "");
		trailer_value(
		    &e.action, e.message ? e.message : "", "Irt-Action");
		if (e.action == NULL)
			e.action = strdup("");
		if (rc != 0 || !e.author || !e.message || !e.subject ||
		    !e.action)
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
		else
			rc = cb(&e, arg);
		free(e.author);
		free(e.message);
		free(e.subject);
		free(e.action);
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

/* --- verification ------------------------------------------------------ */

struct oidset {
	git_oid *v;
	size_t cap, n;
};

static size_t
oid_hash(const git_oid *o)
{
	size_t h;

	memcpy(&h, o->id, sizeof h);
	return h;
}

/* Returns 1 when added, 0 when already present, <0 on error. */
static int
oidset_add(struct oidset *s, const git_oid *o)
{
	static const git_oid zero;
	size_t i, j;

	if (s->n * 2 >= s->cap) {
		struct oidset ns = { NULL, s->cap ? s->cap * 2 : 1024, 0 };
		if ((ns.v = calloc(ns.cap, sizeof *ns.v)) == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		for (j = 0; j < s->cap; j++)
			if (!git_oid_equal(&s->v[j], &zero))
				oidset_add(&ns, &s->v[j]);
		free(s->v);
		*s = ns;
	}
	for (i = oid_hash(o) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (git_oid_equal(&s->v[i], o))
			return 0;
		if (git_oid_equal(&s->v[i], &zero)) {
			git_oid_cpy(&s->v[i], o);
			s->n++;
			return 1;
		}
	}
}

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
    struct oidset *seen, struct irt_case_verify_report *r)
{
	git_tree *tree = NULL;
	size_t i, n;
	int rc;

	if ((rc = oidset_add(seen, oid)) <= 0)
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
			if ((rc = oidset_add(seen, eo)) > 0)
				rc = check_object(
				    odb, eo, GIT_OBJECT_BLOB, r, NULL);
			rc = rc < 0 ? rc : 0;
			break;
		default:
			rc = problem(r, "tree %s holds an unexpected %s '%s'",
			    git_oid_tostr_s(oid),
			    git_object_type2string(git_tree_entry_type(te)),
			    irt_esc(git_tree_entry_name(te)));
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
			if (fn(path.ptr, git_blob_rawcontent(blob),
			        (size_t)git_blob_rawsize(blob)) != 0)
				w->rc = problem(w->r, "record %s",
				    irt_esc(irt_error_last()));
		}
		git_blob_free(blob);
	}
	irt_buf_release(&path);
	return w->rc < 0 ? -1 : 0;
}

static int
check_worktree(struct irt_case *c, struct irt_case_verify_report *r)
{
	git_status_options so = GIT_STATUS_OPTIONS_INIT;
	git_status_list *list = NULL;
	size_t i, n;
	int rc = 0;

	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
	    GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
	    GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&list, c->repo, &so) != 0)
		return problem(r, "cannot read the work tree status: %s",
		    git_error_last() ? git_error_last()->message : "?");
	n = git_status_list_entrycount(list);
	for (i = 0; i < n && rc == 0; i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		const git_diff_delta *d = e->index_to_workdir
		    ? e->index_to_workdir
		    : e->head_to_index;
		const char *p = d
		    ? (d->new_file.path ? d->new_file.path : d->old_file.path)
		    : "?";
		const char *what;
		unsigned s = e->status;

		if (s & GIT_STATUS_WT_NEW)
			what = "not committed (new file)";
		else if (s & (GIT_STATUS_WT_DELETED | GIT_STATUS_INDEX_DELETED))
			what = "deleted from the work tree";
		else if (s &
		    (GIT_STATUS_WT_MODIFIED | GIT_STATUS_WT_TYPECHANGE))
			what = "modified in the work tree";
		else if (s & GIT_STATUS_CONFLICTED)
			what = "in conflict";
		else
			what = "staged but not committed";
		rc = problem(r, "work tree: '%s' %s", irt_esc(p), what);
	}
	git_status_list_free(list);
	return rc;
}

int
irt_case_verify(
    struct irt_case *c, struct irt_case_verify_report *r, const char *expect)
{
	struct oidset seen = { NULL, 0, 0 };
	git_revwalk *walk = NULL;
	git_odb *odb = NULL;
	git_odb_object *cobj = NULL;
	git_commit *commit = NULL;
	git_oid oid, head, exp;
	git_object *eobj = NULL;
	struct record_walk rw;
	git_tree *tree = NULL;
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
		if ((rc = check_object(
		         odb, &oid, GIT_OBJECT_COMMIT, r, &cobj)) != 0) {
			rc = rc < 0 ? rc : 0;
			continue;
		}
		git_odb_object_free(cobj);
		cobj = NULL;
		if (git_commit_lookup(&commit, c->repo, &oid) != 0) {
			rc = problem(r, "commit %s cannot be parsed",
			    git_oid_tostr_s(&oid));
			git_error_clear();
			continue;
		}
		np = git_commit_parentcount(commit);
		if (np == 0)
			roots++;
		for (i = 0; i < np && rc == 0; i++) {
			const git_oid *po = git_commit_parent_id(commit, i);
			if (po == NULL || !git_odb_exists(odb, po))
				rc = problem(r, "commit %s: parent %s missing",
				    git_oid_tostr_s(&oid),
				    po ? git_oid_tostr_s(po) : "?");
		}
		if (rc == 0)
			rc = check_tree(
			    c, odb, git_commit_tree_id(commit), &seen, r);
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
	}
	git_error_clear();
	if ((rc = check_worktree(c, r)) < 0)
		goto out;
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
			if (!git_oid_equal(&exp, &head) &&
			    git_graph_descendant_of(c->repo, &head, &exp) != 1)
				rc = problem(r,
				    "expected commit %s is not an "
				    "ancestor of HEAD (history rewritten)",
				    git_oid_tostr_s(&exp));
		}
	}
out:
	git_object_free(eobj);
	git_tree_free(tree);
	git_commit_free(commit);
	git_revwalk_free(walk);
	git_odb_free(odb);
	free(seen.v);
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
