/*
 * Folders of records sharded by day, <dir>/YYYY/MM/DD/<id><ext>, read
 * in either layout (flat before irt case upgrade), and the shape of the
 * trees of a case.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <git2.h>

#include "case-int.h"
#include "util/internal.h"
#include "irt/case.h"

/* --- shard paths ------------------------------------------------------- */

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* A folder name of a shard level: 4 digits, or 2 within lo..hi. */
static int
shard_name(const char *s, size_t n, int lo, int hi)
{
	int v;

	if (strlen(s) != n || !digits(s, n))
		return 0;
	if (n == 4)
		return 1;
	v = (s[0] - '0') * 10 + (s[1] - '0');
	return v >= lo && v <= hi;
}

int
irt_case__id_shardable(const char *id)
{
	int m, d;

	if (strlen(id) < 9 || !digits(id, 8) || id[8] != 'T')
		return 0;
	m = (id[4] - '0') * 10 + (id[5] - '0');
	d = (id[6] - '0') * 10 + (id[7] - '0');
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* A name git and every file system take: no '/', no control character. */
static int
file_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (; *p != '\0'; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

int
irt_case_shard_path(
    struct irt_buf *out, const char *dir, const char *id, const char *ext)
{
	if (!irt_case__id_shardable(id) || !file_name(id))
		return irt_error_set(IRT_EINVAL,
		    "invalid record id '%s' (it starts with a date, "
		    "YYYYMMDDT)",
		    irt_esc(id));
	return irt_buf_printf(
	    out, "%s/%.4s/%.2s/%.2s/%s%s", dir, id, id + 4, id + 6, id, ext);
}

/* --- walking a folder of records -------------------------------------- */

struct walk {
	git_repository *repo;
	const char *dir, *ext;
	struct irt_recs *out;
	irt_case_bad_fn odd;
	void *arg;
	struct irt_buf path;
};

static int
odd(struct walk *w, const char *path, const char *why)
{
	return w->odd != NULL ? w->odd(w->arg, irt_esc(path), why) : 0;
}

static int
rec_push(struct walk *w, const char *id, size_t idlen, const char *path,
    const git_oid *oid, int sharded)
{
	struct irt_recs *r = w->out;
	struct irt_rec *e;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct irt_rec *v = realloc(r->v, cap * sizeof *v);

		if (v == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		r->v = v;
		r->cap = cap;
	}
	e = &r->v[r->n];
	e->id = strndup(id, idlen);
	e->path = strdup(path);
	if (e->id == NULL || e->path == NULL) {
		free(e->id);
		free(e->path);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	git_oid_cpy(&e->oid, oid);
	e->sharded = sharded;
	r->n++;
	return 0;
}

/*
 * One entry of a record folder (folder is its path): a record, when it
 * has the form of one, and, sharded, lies in the folder of its day.
 * Returns 1 when it is not a record, for the caller to say so.
 */
static int
entry(struct walk *w, const char *folder, const git_tree_entry *e,
    const char *day)
{
	const char *name = git_tree_entry_name(e);
	size_t nl = strlen(name), el = strlen(w->ext), idlen;
	const git_oid *oid;
	git_tree *sub = NULL;
	const git_tree_entry *re;
	int rc;

	irt_buf_clear(&w->path);
	if (w->ext[0] == '/') {
		if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
			return 1;
		if (git_tree_lookup(&sub, w->repo, git_tree_entry_id(e)) != 0)
			return irt_git_error(IRT_ERROR, "cannot read a tree");
		re = git_tree_entry_byname(sub, w->ext + 1);
		if (re == NULL || git_tree_entry_type(re) != GIT_OBJECT_BLOB) {
			git_tree_free(sub);
			return 1;
		}
		oid = git_tree_entry_id(re);
		idlen = nl;
	} else {
		if (git_tree_entry_type(e) != GIT_OBJECT_BLOB || nl <= el ||
		    strcmp(name + nl - el, w->ext) != 0)
			return 1;
		oid = git_tree_entry_id(e);
		idlen = nl - el;
	}
	if (day != NULL &&
	    (idlen < 8 || memcmp(name, day, 8) != 0 ||
	        !irt_case__id_shardable(name))) {
		git_tree_free(sub);
		return 2;
	}
	if ((rc = irt_buf_printf(&w->path, "%s/%s%s", folder, name,
	         w->ext[0] == '/' ? w->ext : "")) == 0)
		rc = rec_push(w, name, idlen, w->path.ptr, oid, day != NULL);
	git_tree_free(sub);
	return rc;
}

static int
say_odd(struct walk *w, const char *folder, const char *name, int why)
{
	struct irt_buf p = IRT_BUF_INIT;
	int rc;

	if (irt_buf_printf(&p, "%s/%s", folder, name) != 0)
		return IRT_ENOMEM;
	rc = odd(w, p.ptr,
	    why == 2 ? "is not in the folder of its day"
	             : "is not a record of its folder");
	irt_buf_release(&p);
	return rc;
}

/* The records of a day's folder (depth 3) or of the folder itself. */
static int
walk_level(struct walk *w, const git_oid *id, const char *folder, int depth,
    char day[9])
{
	git_tree *t = NULL;
	struct irt_buf sub = IRT_BUF_INIT;
	size_t i, n;
	int rc = 0;

	if (git_tree_lookup(&t, w->repo, id) != 0)
		return irt_git_error(IRT_ERROR, "cannot read a tree");
	n = git_tree_entrycount(t);
	for (i = 0; i < n && rc == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(e);
		int is_tree = git_tree_entry_type(e) == GIT_OBJECT_TREE;
		int r;

		if (depth == 3) {
			r = entry(w, folder, e, day);
			if (r > 0)
				rc = say_odd(w, folder, name, r);
			else
				rc = r;
			continue;
		}
		if (is_tree &&
		    ((depth == 0 && shard_name(name, 4, 0, 0)) ||
		        (depth == 1 && shard_name(name, 2, 1, 12)) ||
		        (depth == 2 && shard_name(name, 2, 1, 31)))) {
			memcpy(day +
			        (depth == 0          ? 0
			                : depth == 1 ? 4
			                             : 6),
			    name, depth == 0 ? 4 : 2);
			irt_buf_clear(&sub);
			if ((rc = irt_buf_printf(&sub, "%s/%s", folder, name)))
				break;
			rc = walk_level(
			    w, git_tree_entry_id(e), sub.ptr, depth + 1, day);
			continue;
		}
		if (depth == 0) {
			/* a flat record of a case not yet upgraded */
			r = entry(w, folder, e, NULL);
			if (r > 0)
				rc = say_odd(w, folder, name, r);
			else
				rc = r;
			continue;
		}
		rc = say_odd(w, folder, name, 1);
	}
	irt_buf_release(&sub);
	git_tree_free(t);
	return rc;
}

static int
rec_cmp(const void *x, const void *y)
{
	const struct irt_rec *a = x, *b = y;
	int r = strcmp(a->id, b->id);

	if (r != 0)
		return r;
	return b->sharded - a->sharded; /* sharded first */
}

void
irt_case__recs_release(struct irt_recs *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].id);
		free(r->v[i].path);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

int
irt_case__records(struct irt_recs *out, git_repository *repo, git_tree *root,
    const char *dir, const char *ext, irt_case_bad_fn odd_fn, void *arg)
{
	struct walk w;
	git_tree_entry *te = NULL;
	char day[9] = { 0 };
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (root == NULL || git_tree_entry_bypath(&te, root, dir) != 0) {
		git_error_clear();
		return 0;
	}
	memset(&w, 0, sizeof w);
	w.repo = repo;
	w.dir = dir;
	w.ext = ext;
	w.out = out;
	w.odd = odd_fn;
	w.arg = arg;
	if (git_tree_entry_type(te) == GIT_OBJECT_TREE)
		rc = walk_level(&w, git_tree_entry_id(te), dir, 0, day);
	else if (odd_fn != NULL)
		rc = odd_fn(arg, irt_esc(dir), "is not a folder");
	git_tree_entry_free(te);
	irt_buf_release(&w.path);
	if (rc != 0) {
		irt_case__recs_release(out);
		return rc;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, rec_cmp);
	return 0;
}

/* --- the public readers ------------------------------------------------ */

static int
warn_odd(void *arg, const char *path, const char *why)
{
	irt_case__warn(arg, "skipped '%s': %s", path, why);
	return 0;
}

static int
head_records(struct irt_case *c, struct irt_recs *out, const char *dir,
    const char *ext, int warn)
{
	git_tree *root = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = irt_case__head_tree(&root, c)) != 0)
		return rc;
	rc = irt_case__records(
	    out, c->repo, root, dir, ext, warn ? warn_odd : NULL, c);
	git_tree_free(root);
	return rc;
}

int
irt_case_foreach_record(struct irt_case *c, const char *dir, const char *ext,
    irt_case_record_cb cb, void *arg)
{
	struct irt_recs r;
	struct irt_case_record rec;
	git_blob *blob = NULL;
	size_t i;
	int rc;

	if ((rc = head_records(c, &r, dir, ext, 1)) != 0)
		return rc;
	for (i = 0; i < r.n && rc == 0; i++) {
		if (git_blob_lookup(&blob, c->repo, &r.v[i].oid) != 0) {
			rc = irt_git_error(IRT_ERROR, "cannot read a record");
			break;
		}
		rec.id = r.v[i].id;
		rec.path = r.v[i].path;
		rec.data = git_blob_rawcontent(blob);
		rec.len = (size_t)git_blob_rawsize(blob);
		rc = cb(&rec, arg);
		git_blob_free(blob);
	}
	irt_case__recs_release(&r);
	return rc;
}

int
irt_case_record_ids(
    struct irt_case *c, char ***out, const char *dir, const char *ext)
{
	struct irt_recs r;
	char **v;
	size_t i, n = 0;
	int rc;

	*out = NULL;
	if ((rc = head_records(c, &r, dir, ext, 0)) != 0)
		return rc;
	if ((v = calloc(r.n + 1, sizeof *v)) == NULL) {
		irt_case__recs_release(&r);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	for (i = 0; i < r.n; i++) {
		/* a record at both of its paths is listed once */
		if (n > 0 && strcmp(v[n - 1], r.v[i].id) == 0)
			continue;
		v[n++] = r.v[i].id;
		r.v[i].id = NULL;
	}
	irt_case__recs_release(&r);
	*out = v;
	return 0;
}

/* The path of a record with exactly this id, sharded first; NULL. */
static int
exact(struct irt_case *c, git_tree *root, char **path, const char *dir,
    const char *id, const char *ext)
{
	struct irt_buf p = IRT_BUF_INIT;
	git_tree_entry *te = NULL;
	int pass, rc = 0;

	*path = NULL;
	for (pass = 0; pass < 2 && *path == NULL && rc == 0; pass++) {
		irt_buf_clear(&p);
		if (pass == 0 && !irt_case__id_shardable(id))
			continue;
		rc = pass == 0 ? irt_case_shard_path(&p, dir, id, ext)
		               : irt_buf_printf(&p, "%s/%s%s", dir, id, ext);
		if (rc != 0)
			break;
		if (git_tree_entry_bypath(&te, root, p.ptr) == 0 &&
		    git_tree_entry_type(te) == GIT_OBJECT_BLOB)
			*path = irt_buf_detach(&p);
		git_tree_entry_free(te);
		te = NULL;
	}
	git_error_clear();
	irt_buf_release(&p);
	(void)c;
	return rc;
}

int
irt_case_record_find(struct irt_case *c, char **id, char **path,
    const char *dir, const char *ext, const char *prefix)
{
	struct irt_recs r = { 0 };
	git_tree *root = NULL;
	const struct irt_rec *match = NULL;
	size_t i, plen = strlen(prefix), nmatch = 0;
	char *p = NULL;
	int rc;

	*id = NULL;
	if (path != NULL)
		*path = NULL;
	if (plen == 0)
		return irt_error_set(IRT_EINVAL, "empty id");
	if ((rc = irt_case__head_tree(&root, c)) != 0)
		return rc;
	/* a whole id is found without listing the folder */
	if (root != NULL && file_name(prefix) &&
	    (rc = exact(c, root, &p, dir, prefix, ext)) != 0)
		goto out;
	if (p != NULL) {
		if ((*id = strdup(prefix)) == NULL) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			goto out;
		}
		if (path != NULL) {
			*path = p;
			p = NULL;
		}
		goto out;
	}
	if ((rc = irt_case__records(&r, c->repo, root, dir, ext, NULL, NULL)))
		goto out;
	for (i = 0; i < r.n; i++) {
		if (strncmp(r.v[i].id, prefix, plen) != 0)
			continue;
		if (match != NULL && strcmp(match->id, r.v[i].id) == 0)
			continue; /* the same record at its other path */
		match = &r.v[i];
		nmatch++;
	}
	if (nmatch == 0)
		rc =
		    irt_error_set(IRT_ENOTFOUND, "no record of %s with id '%s'",
		        irt_esc(dir), irt_esc(prefix));
	else if (nmatch > 1)
		rc = irt_error_set(IRT_EAMBIGUOUS,
		    "id '%s' is ambiguous (%zu matches in %s)", irt_esc(prefix),
		    nmatch, irt_esc(dir));
	else if ((*id = strdup(match->id)) == NULL ||
	    (path != NULL && (*path = strdup(match->path)) == NULL)) {
		free(*id);
		*id = NULL;
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
	}
out:
	free(p);
	irt_case__recs_release(&r);
	git_tree_free(root);
	return rc;
}

/* --- the shape of a tree ----------------------------------------------- */

void
irt_oidset_release(struct irt_oidset *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

static size_t
oid_hash(const git_oid *o)
{
	size_t h;

	memcpy(&h, o->id, sizeof h);
	return h;
}

int
irt_oidset_add(struct irt_oidset *s, const git_oid *o)
{
	static const git_oid zero;
	size_t i, j;

	if (s->n * 2 >= s->cap) {
		struct irt_oidset ns = { NULL, s->cap ? s->cap * 2 : 1024, 0 };

		if ((ns.v = calloc(ns.cap, sizeof *ns.v)) == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		for (j = 0; j < s->cap; j++)
			if (!git_oid_equal(&s->v[j], &zero))
				irt_oidset_add(&ns, &s->v[j]);
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

/* The folders at the root of a case that must be folders when there. */
static const char *const record_folders[] = { "checklists", "custody",
	"evidence", "isolation", "notes", "runs", NULL };

static int
shape(git_repository *repo, const git_oid *id, struct irt_buf *path,
    struct irt_oidset *seen, irt_case_bad_fn bad, void *arg)
{
	git_tree *t = NULL;
	size_t i, n, len = path->len;
	int rc;

	if ((rc = irt_oidset_add(seen, id)) <= 0)
		return rc;
	rc = 0;
	if (git_tree_lookup(&t, repo, id) != 0) {
		git_error_clear();
		return 0; /* a tree that cannot be read is verify's to say */
	}
	n = git_tree_entrycount(t);
	for (i = 0; i < n && rc == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(e);
		git_filemode_t mode = git_tree_entry_filemode(e);
		const char *why = NULL;
		size_t k;

		path->len = len;
		if ((len > 0 && irt_buf_putc(path, '/') != 0) ||
		    irt_buf_puts(path, name) != 0) {
			rc = IRT_ENOMEM;
			break;
		}
		if (strcasecmp(name, ".git") == 0)
			why = "is a git folder";
		else if (mode == GIT_FILEMODE_LINK)
			why = "is a symbolic link";
		else if (mode == GIT_FILEMODE_COMMIT)
			why = "is a submodule";
		else if (mode != GIT_FILEMODE_TREE &&
		    mode != GIT_FILEMODE_BLOB &&
		    mode != GIT_FILEMODE_BLOB_EXECUTABLE)
			why = "has an unknown mode";
		else if (len == 0 && mode != GIT_FILEMODE_TREE) {
			for (k = 0; record_folders[k] != NULL; k++)
				if (strcmp(name, record_folders[k]) == 0)
					why = "is a file where irt keeps a "
					      "folder";
		}
		if (why != NULL)
			rc = bad(arg, irt_esc(path->ptr), why);
		else if (mode == GIT_FILEMODE_TREE)
			rc = shape(
			    repo, git_tree_entry_id(e), path, seen, bad, arg);
	}
	path->len = len;
	if (path->ptr != NULL)
		path->ptr[len] = '\0';
	git_tree_free(t);
	return rc;
}

int
irt_case__check_shape(git_repository *repo, const git_oid *tree,
    struct irt_oidset *seen, irt_case_bad_fn bad, void *arg)
{
	struct irt_buf path = IRT_BUF_INIT;
	int rc;

	rc = shape(repo, tree, &path, seen, bad, arg);
	irt_buf_release(&path);
	return rc;
}
