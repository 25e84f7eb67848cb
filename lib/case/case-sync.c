/*
 * Exchanging a case with other responders through a git remote.
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
	irt_lib_load_ca();
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
