/*
 * Exchanging a case with other responders through a git remote.
 */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "case-int.h"
#include "util/internal.h"
#include "irt/case.h"

/* --- exchange through a remote ----------------------------------------- */

static int
cred_cb(git_credential **out, const char *url, const char *user,
    unsigned int allowed, void *payload)
{
	(void)url;
	(void)payload;
	if ((allowed & GIT_CREDENTIAL_SSH_KEY) && user != NULL)
		return git_credential_ssh_key_from_agent(out, user);
	if (allowed & GIT_CREDENTIAL_DEFAULT)
		return git_credential_default_new(out);
	return GIT_PASSTHROUGH;
}

static int
open_remote(git_remote **out, struct irt_case *c, const char *remote)
{
	int rc;

	if ((rc = irt_lib_load_transports()) != 0)
		return rc;
	if (remote == NULL)
		remote = "origin";
	if (git_remote_lookup(out, c->repo, remote) == 0)
		return 0;
	git_error_clear();
	if (strchr(remote, '/') == NULL && strchr(remote, ':') == NULL)
		return irt_error_set(IRT_ENOTFOUND,
		    "no remote '%s' (give a URL or add it with git remote "
		    "add)",
		    irt_esc(remote));
	if (git_remote_create_anonymous(out, c->repo, remote) != 0)
		return irt_git_error(IRT_EINVAL, "invalid remote");
	return 0;
}

static int
branch_ref(char **out, struct irt_case *c)
{
	git_reference *head = NULL;

	if (git_reference_lookup(&head, c->repo, "HEAD") != 0)
		return irt_git_error(IRT_ERROR, "cannot read HEAD");
	if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC) {
		git_reference_free(head);
		return irt_error_set(
		    IRT_ERROR, "HEAD is detached; check out a branch first");
	}
	*out = strdup(git_reference_symbolic_target(head));
	git_reference_free(head);
	return *out ? 0 : irt_error_set(IRT_ENOMEM, "out of memory");
}

/* --- what a remote may bring ------------------------------------------ */

struct refuse {
	const char *what; /* "pull", "clone" */
	char commit[IRT_OID_HEX];
};

static int
refuse_bad(void *arg, const char *path, const char *why)
{
	struct refuse *f = arg;

	return irt_error_set(IRT_EPERM,
	    "refusing to %s: commit %.12s has '%s', which %s; irt writes "
	    "only files and folders",
	    f->what, f->commit, path, why);
}

/*
 * Checks the shape of every commit reachable from tip and not from
 * known (NULL: none) before anything reaches the work tree: a symbolic
 * link in a case would send the files irt writes outside of it.
 */
static int
check_incoming(struct irt_case *c, git_repository *repo, const git_oid *tip,
    const git_oid *known, const char *what)
{
	struct irt_oidset seen = { NULL, 0, 0 };
	struct refuse f;
	git_revwalk *walk = NULL;
	git_commit *commit = NULL;
	git_oid oid;
	int rc = 0;

	(void)c;
	f.what = what;
	if (git_revwalk_new(&walk, repo) != 0 ||
	    git_revwalk_push(walk, tip) != 0 ||
	    (known != NULL && git_revwalk_hide(walk, known) != 0)) {
		rc = irt_git_error(IRT_ERROR, "cannot walk the history");
		goto out;
	}
	while (rc == 0 && git_revwalk_next(&oid, walk) == 0) {
		if (git_commit_lookup(&commit, repo, &oid) != 0) {
			rc = irt_git_error(IRT_ERROR, "cannot read a commit");
			break;
		}
		git_oid_tostr(f.commit, sizeof f.commit, &oid);
		rc = irt_case__check_shape(
		    repo, git_commit_tree_id(commit), &seen, refuse_bad, &f);
		git_commit_free(commit);
		commit = NULL;
	}
out:
	git_error_clear();
	git_revwalk_free(walk);
	irt_oidset_release(&seen);
	return rc;
}

static int
sync_pull_locked(struct irt_case *c, struct irt_case_sync_result *r,
    const char *remote, const struct irt_ident *who)
{
	git_remote *rem = NULL;
	git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
	git_reference *fetched = NULL;
	git_annotated_commit *their = NULL;
	git_merge_analysis_t ana;
	git_merge_preference_t pref;
	git_commit *ours = NULL, *theirs = NULL;
	git_index *mi = NULL, *index = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
	struct irt_buf spec = IRT_BUF_INIT, msg = IRT_BUF_INIT;
	char *branch = NULL;
	const char *tmpref = "refs/irt/pull";
	git_oid head_oid, new_oid, tree_oid;
	int rc;

	if ((rc = open_remote(&rem, c, remote)) != 0)
		return rc;
	if ((rc = branch_ref(&branch, c)) != 0)
		goto out;
	if ((rc = irt_buf_printf(&spec, "+%s:%s", branch, tmpref)) != 0)
		goto out;
	{
		char *specs[1] = { spec.ptr };
		git_strarray sa = { specs, 1 };
		fo.callbacks.credentials = cred_cb;
		fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
		if (git_remote_fetch(rem, &sa, &fo, NULL) != 0) {
			rc = irt_git_error(IRT_EIO, "fetch failed");
			goto out;
		}
	}
	if (git_reference_lookup(&fetched, c->repo, tmpref) != 0) {
		git_error_clear();
		r->up_to_date = 1; /* the remote has no such branch yet */
		rc = irt_case_head(c, r->head);
		goto out;
	}
	if (git_annotated_commit_from_ref(&their, c->repo, fetched) != 0 ||
	    git_merge_analysis(&ana, &pref, c->repo,
	        (const git_annotated_commit **)&their, 1) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot compare histories");
		goto out;
	}
	if (git_reference_name_to_id(&head_oid, c->repo, "HEAD") != 0 ||
	    git_commit_lookup(&ours, c->repo, &head_oid) != 0 ||
	    git_commit_lookup(
	        &theirs, c->repo, git_annotated_commit_id(their)) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot read commits");
		goto out;
	}
	if ((rc = check_incoming(
	         c, c->repo, git_commit_id(theirs), &head_oid, "pull")) != 0) {
		char why[1024];

		snprintf(why, sizeof why, "%s", irt_error_last());
		rc = irt_error_set(rc, "%s; nothing changed", why);
		goto out;
	}
	if (ana & GIT_MERGE_ANALYSIS_UP_TO_DATE) {
		r->up_to_date = 1;
		git_oid_cpy(&new_oid, &head_oid);
	} else if (ana & GIT_MERGE_ANALYSIS_FASTFORWARD) {
		co.checkout_strategy = GIT_CHECKOUT_SAFE;
		if (git_commit_tree(&tree, theirs) != 0 ||
		    git_checkout_tree(c->repo, (git_object *)tree, &co) != 0) {
			rc = irt_git_error(IRT_ECONFLICT,
			    "cannot update the work tree; nothing changed");
			goto out;
		}
		git_oid_cpy(&new_oid, git_commit_id(theirs));
		r->fast_forward = 1;
	} else {
		git_merge_options mo = GIT_MERGE_OPTIONS_INIT;
		const git_commit *parents[2] = { ours, theirs };

		if (git_merge_commits(&mi, c->repo, ours, theirs, &mo) != 0) {
			rc = irt_git_error(IRT_ERROR, "merge failed");
			goto out;
		}
		if (git_index_has_conflicts(mi)) {
			const git_index_entry *a, *o, *t;
			git_index_conflict_iterator *it = NULL;
			const char *p = "?";
			if (git_index_conflict_iterator_new(&it, mi) == 0 &&
			    git_index_conflict_next(&a, &o, &t, it) == 0)
				p = a ? a->path : o ? o->path : t->path;
			rc = irt_error_set(IRT_ECONFLICT,
			    "conflict in '%s'; nothing changed", irt_esc(p));
			git_index_conflict_iterator_free(it);
			goto out;
		}
		if (git_index_write_tree_to(&tree_oid, mi, c->repo) != 0 ||
		    git_tree_lookup(&tree, c->repo, &tree_oid) != 0) {
			rc = irt_git_error(IRT_ERROR, "cannot write the tree");
			goto out;
		}
		co.checkout_strategy = GIT_CHECKOUT_SAFE;
		if (git_checkout_tree(c->repo, (git_object *)tree, &co) != 0) {
			rc = irt_git_error(IRT_ECONFLICT,
			    "cannot update the work tree; nothing changed");
			goto out;
		}
		if ((rc = irt_case__signature(&sig, who)) != 0)
			goto out;
		irt_buf_printf(&msg,
		    "case: merge from %s\n\n"
		    "Irt-Action: case-merge\nIrt-Remote: %s\n",
		    remote ? remote : "origin", remote ? remote : "origin");
		if (git_commit_create(&new_oid, c->repo, NULL, sig, sig, NULL,
		        msg.ptr, tree, 2, parents) != 0) {
			rc =
			    irt_git_error(IRT_ERROR, "cannot commit the merge");
			goto out;
		}
		r->merged = 1;
	}
	if (!r->up_to_date) {
		git_reference *nr = NULL;
		git_commit *nc = NULL;
		git_tree *nt = NULL;
		if (git_reference_create_matching(&nr, c->repo, branch,
		        &new_oid, 1, &head_oid, "irt case pull") != 0) {
			rc = irt_git_error(IRT_ECONFLICT, "cannot move HEAD");
			goto out;
		}
		git_reference_free(nr);
		/* the index follows the new HEAD tree */
		if (git_repository_index(&index, c->repo) == 0 &&
		    git_commit_lookup(&nc, c->repo, &new_oid) == 0 &&
		    git_commit_tree(&nt, nc) == 0 &&
		    git_index_read_tree(index, nt) == 0)
			git_index_write(index);
		git_tree_free(nt);
		git_commit_free(nc);
	}
	git_oid_tostr(r->head, sizeof r->head, &new_oid);
	irt_case__load_conf(c);
out:
	git_reference_remove(c->repo, tmpref);
	git_error_clear();
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(mi);
	git_index_free(index);
	git_commit_free(ours);
	git_commit_free(theirs);
	git_annotated_commit_free(their);
	git_reference_free(fetched);
	git_remote_free(rem);
	irt_buf_release(&spec);
	irt_buf_release(&msg);
	free(branch);
	return rc;
}

int
irt_case_pull(struct irt_case *c, struct irt_case_sync_result *r,
    const char *remote, const struct irt_ident *who)
{
	struct irt_buf notes = IRT_BUF_INIT;
	int rc;

	memset(r, 0, sizeof *r);
	if ((rc = irt_case__lock(c)) != 0)
		return rc;
	if ((rc = irt_case__remove_stale_locks(c, &notes)) == 0)
		rc = sync_pull_locked(c, r, remote, who);
	irt_case__unlock(c);
	irt_buf_release(&notes);
	return rc;
}

struct push_state {
	char *rejected;
};

static int
push_ref_cb(const char *ref, const char *status, void *data)
{
	struct push_state *ps = data;

	(void)ref;
	if (status != NULL && ps->rejected == NULL)
		ps->rejected = strdup(status);
	return 0;
}

int
irt_case_push(
    struct irt_case *c, struct irt_case_sync_result *r, const char *remote)
{
	git_remote *rem = NULL;
	git_push_options po = GIT_PUSH_OPTIONS_INIT;
	struct push_state ps = { NULL };
	struct irt_buf spec = IRT_BUF_INIT;
	char *branch = NULL;
	int rc;

	memset(r, 0, sizeof *r);
	if ((rc = open_remote(&rem, c, remote)) != 0)
		return rc;
	if ((rc = branch_ref(&branch, c)) != 0 ||
	    (rc = irt_buf_printf(&spec, "%s:%s", branch, branch)) != 0)
		goto out;
	{
		char *specs[1] = { spec.ptr };
		git_strarray sa = { specs, 1 };
		po.callbacks.credentials = cred_cb;
		po.callbacks.push_update_reference = push_ref_cb;
		po.callbacks.payload = &ps;
		int prc = git_remote_push(rem, &sa, &po);
		if (prc == GIT_ENONFASTFORWARD) {
			rc = irt_error_set(IRT_ECONFLICT,
			    "push rejected: the remote has commits this case "
			    "lacks; run 'irt case pull' first");
			goto out;
		}
		if (prc != 0) {
			rc = irt_git_error(IRT_EIO, "push failed");
			goto out;
		}
	}
	if (ps.rejected != NULL) {
		rc = irt_error_set(IRT_ECONFLICT,
		    "push rejected (%s): run 'irt case pull' first",
		    irt_esc(ps.rejected));
		goto out;
	}
	rc = irt_case_head(c, r->head);
out:
	free(ps.rejected);
	free(branch);
	irt_buf_release(&spec);
	git_remote_free(rem);
	return rc;
}

int
irt_case_remote_url(struct irt_case *c, char **out, const char *remote)
{
	git_remote *rem = NULL;
	const char *url;
	int rc;

	*out = NULL;
	if ((rc = open_remote(&rem, c, remote)) != 0)
		return rc;
	url = git_remote_url(rem);
	if ((*out = strdup(url ? url : "")) == NULL)
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
	git_remote_free(rem);
	return rc;
}

/* --- clone ------------------------------------------------------------- */

/* The last component of a URL without ".git": where git clone puts it. */
static char *
clone_name(const char *url)
{
	size_t n = strlen(url), start;

	while (n > 0 && url[n - 1] == '/')
		n--;
	if (n >= 4 && strncmp(url + n - 4, ".git", 4) == 0)
		n -= 4;
	while (n > 0 && url[n - 1] == '/')
		n--;
	start = n;
	while (start > 0 && url[start - 1] != '/' && url[start - 1] != ':')
		start--;
	if (start == n || (n - start == 1 && url[start] == '.') ||
	    (n - start == 2 && url[start] == '.' && url[start + 1] == '.'))
		return NULL;
	return strndup(url + start, n - start);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	/* the folder clone was given stays, emptied */
	if (f->level == 0)
		return 0;
	return remove(path) != 0 ? -1 : 0;
}

/* Removes what a failed clone left: everything below path, and path
 * when the clone made it.  Links are removed, never followed. */
static void
undo_clone(const char *path, int made)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (made)
		rmdir(path);
}

/* Does the remote branch name hold a case?  *tip its commit. */
static int
case_branch(git_repository *repo, const char *name, git_oid *tip)
{
	struct irt_buf ref = IRT_BUF_INIT;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	int ok = 0;

	if (irt_buf_printf(&ref, "refs/remotes/origin/%s", name) == 0 &&
	    git_reference_name_to_id(tip, repo, ref.ptr) == 0 &&
	    git_commit_lookup(&commit, repo, tip) == 0 &&
	    git_commit_tree(&tree, commit) == 0 &&
	    git_tree_entry_bypath(&te, tree, IRT_CASE_CONF) == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_BLOB)
		ok = 1;
	git_error_clear();
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_commit_free(commit);
	irt_buf_release(&ref);
	return ok;
}

/*
 * The branch of the case: the remote's default branch when it holds a
 * case (the local HEAD git_clone set up names it), else "main".
 */
static int
pick_branch(git_repository *repo, char **name, git_oid *tip, const char *url)
{
	git_reference *head = NULL;
	const char *target = NULL;

	*name = NULL;
	if (git_reference_lookup(&head, repo, "HEAD") == 0 &&
	    git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
	    strncmp(git_reference_symbolic_target(head), "refs/heads/", 11) ==
	        0)
		target = git_reference_symbolic_target(head) + 11;
	git_error_clear();
	if (target != NULL && case_branch(repo, target, tip))
		*name = strdup(target);
	else if (case_branch(repo, "main", tip))
		*name = strdup("main");
	else {
		git_reference_free(head);
		return irt_error_set(IRT_ENOTFOUND,
		    "'%s' holds no irt case (no case.conf on its default "
		    "branch or on 'main')",
		    irt_esc(url));
	}
	git_reference_free(head);
	return *name ? 0 : irt_error_set(IRT_ENOMEM, "out of memory");
}

int
irt_case_clone(struct irt_case **out, struct irt_case_sync_result *r,
    const char *url, const char *dir)
{
	git_clone_options co = GIT_CLONE_OPTIONS_INIT;
	git_checkout_options ck = GIT_CHECKOUT_OPTIONS_INIT;
	git_repository *repo = NULL;
	git_reference *branch = NULL;
	git_commit *tipc = NULL;
	struct irt_buf ref = IRT_BUF_INIT, up = IRT_BUF_INIT;
	struct stat st;
	char *path = NULL, *name = NULL;
	git_oid tip;
	int rc, made;

	*out = NULL;
	memset(r, 0, sizeof *r);
	irt_lib_init();
	if (dir == NULL && (path = clone_name(url)) == NULL)
		return irt_error_set(IRT_EINVAL,
		    "cannot name a folder after '%s'; give DIR", irt_esc(url));
	if (dir != NULL && (path = strdup(dir)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if ((rc = irt_case__dir_usable(path)) != 0) {
		free(path);
		return rc;
	}
	made = stat(path, &st) != 0;
	if ((rc = irt_lib_load_transports()) != 0) {
		free(path);
		return rc;
	}
	co.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
	co.fetch_opts.callbacks.credentials = cred_cb;
	co.fetch_opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	if (git_clone(&repo, url, path, &co) != 0) {
		rc = irt_git_error(IRT_EIO, "clone failed");
		goto out;
	}
	if ((rc = pick_branch(repo, &name, &tip, url)) != 0 ||
	    (rc = check_incoming(NULL, repo, &tip, NULL, "clone")) != 0)
		goto out;
	if (git_commit_lookup(&tipc, repo, &tip) != 0 ||
	    git_branch_create(&branch, repo, name, tipc, 1) != 0 ||
	    irt_buf_printf(&up, "origin/%s", name) != 0 ||
	    git_branch_set_upstream(branch, up.ptr) != 0 ||
	    irt_buf_printf(&ref, "refs/heads/%s", name) != 0 ||
	    git_repository_set_head(repo, ref.ptr) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot set up the case branch");
		goto out;
	}
	ck.checkout_strategy = GIT_CHECKOUT_FORCE;
	if (git_checkout_head(repo, &ck) != 0) {
		rc = irt_git_error(IRT_EIO, "cannot check out the case");
		goto out;
	}
	git_repository_free(repo);
	repo = NULL;
	if ((rc = irt_case_open(out, path)) != 0)
		goto out;
	git_oid_tostr(r->head, sizeof r->head, &tip);
out:
	if (rc != 0) {
		char why[1024];

		snprintf(why, sizeof why, "%s", irt_error_last());
		git_repository_free(repo);
		repo = NULL;
		undo_clone(path, made);
		irt_error_set(rc, "%s", why);
	}
	git_error_clear();
	git_reference_free(branch);
	git_commit_free(tipc);
	git_repository_free(repo);
	irt_buf_release(&ref);
	irt_buf_release(&up);
	free(name);
	free(path);
	return rc;
}
