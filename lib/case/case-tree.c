/*
 * Writing a tree with a few blobs put into it, straight from the raw
 * object of the tree it replaces.
 *
 * A case's notes/ folder holds thousands of entries and every note adds
 * one.  libgit2's treebuilder would parse the whole folder into a map and
 * sort it again for that one entry; here the raw tree is copied around
 * the entries put, in git's order.  Objects are still read and written
 * through libgit2's object database, which hashes and compresses them.
 */
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "case-int.h"
#include "util/internal.h"
#include "irt/error.h"
#include "irt/escape.h"

#define RAWSZ GIT_OID_RAWSZ
#define MODE_TREE 040000u

struct raw_ent {
	const char *name;
	size_t nlen;
	int is_tree;
	size_t start, end; /* the entry's bytes in the raw tree */
	int dropped;
};

struct change {
	const char *name;
	size_t nlen;
	int is_tree;
	git_oid id;
	const char *path; /* the whole path, for messages */
};

struct put {
	const char *path; /* the whole path */
	const char *rest; /* below the tree being written */
	const git_oid *oid;
};

/* git's order of tree entries: a tree sorts as if its name ended in '/' */
static int
ent_cmp(
    const char *a, size_t alen, int adir, const char *b, size_t blen, int bdir)
{
	size_t n = alen < blen ? alen : blen;
	unsigned char ca, cb;
	int r = memcmp(a, b, n);

	if (r != 0)
		return r;
	ca = n < alen ? (unsigned char)a[n] : adir ? '/' : '\0';
	cb = n < blen ? (unsigned char)b[n] : bdir ? '/' : '\0';
	return ca < cb ? -1 : ca > cb;
}

static int
change_cmp(const void *x, const void *y)
{
	const struct change *a = x, *b = y;

	return ent_cmp(
	    a->name, a->nlen, a->is_tree, b->name, b->nlen, b->is_tree);
}

static int
malformed(const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof hex, id);
	return irt_error_set(IRT_EPARSE, "malformed tree %s", hex);
}

/*
 * Is there a file named like the folder at v[n] before it in git's
 * order?  Only names that start with the folder's name and go on with a
 * byte below '/' sort between the two.
 */
static int
file_of_name(const struct raw_ent *v, size_t n, const char *name, size_t nlen)
{
	while (
	    n-- > 0 && v[n].nlen >= nlen && memcmp(v[n].name, name, nlen) == 0)
		if (v[n].nlen == nlen)
			return 1;
	return 0;
}

/* Splits a raw tree into its entries, checking their form and order. */
static int
parse_tree(struct raw_ent **out, size_t *nout, const unsigned char *p,
    size_t len, const git_oid *id)
{
	struct raw_ent *v = NULL, *e, *nv;
	size_t off = 0, n = 0, cap = 0;

	while (off < len) {
		size_t start = off;
		unsigned mode = 0;
		const unsigned char *name, *nul;

		while (off < len && off - start < 7 && p[off] >= '0' &&
		    p[off] <= '7')
			mode = mode * 8 + (unsigned)(p[off++] - '0');
		/* a mode git's readers take: 16 bits, as libgit2 reads it */
		if (off == start || off >= len || p[off] != ' ' ||
		    mode > 0177777)
			goto bad;
		name = p + ++off;
		nul = memchr(name, '\0', len - off);
		if (nul == NULL || nul == name ||
		    len - (size_t)(nul + 1 - p) < RAWSZ ||
		    memchr(name, '/', (size_t)(nul - name)) != NULL)
			goto bad;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nv = realloc(v, cap * sizeof *v)) == NULL) {
				free(v);
				return irt_error_set(
				    IRT_ENOMEM, "out of memory");
			}
			v = nv;
		}
		e = &v[n];
		e->name = (const char *)name;
		e->nlen = (size_t)(nul - name);
		/* a folder to git, which sorts it as one, whatever its bits */
		e->is_tree = (mode & 0170000) == MODE_TREE;
		e->start = start;
		e->end = off = (size_t)(nul + 1 - p) + RAWSZ;
		e->dropped = 0;
		if (n > 0 &&
		    ent_cmp(v[n - 1].name, v[n - 1].nlen, v[n - 1].is_tree,
		        e->name, e->nlen, e->is_tree) >= 0)
			goto bad;
		if (e->is_tree && file_of_name(v, n, e->name, e->nlen))
			goto bad;
		n++;
	}
	*out = v;
	*nout = n;
	return 0;
bad:
	free(v);
	return malformed(id);
}

static struct raw_ent *
find_ent(struct raw_ent *v, size_t n, const char *name, size_t nlen)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].nlen == nlen && memcmp(v[i].name, name, nlen) == 0)
			return &v[i];
	return NULL;
}

/* The change of a file named like the folder ch[i], as file_of_name. */
static struct change *
file_of_folder(struct change *ch, size_t i)
{
	size_t j = i;

	while (j-- > 0 && ch[j].nlen >= ch[i].nlen &&
	    memcmp(ch[j].name, ch[i].name, ch[i].nlen) == 0)
		if (ch[j].nlen == ch[i].nlen)
			return &ch[j];
	return NULL;
}

static int put_level(git_oid *out, git_odb *odb, const git_oid *base,
    struct put *puts, size_t n, int replace);

/* Builds the changes of one level: blobs, and subtrees written first. */
static int
level_changes(struct change *ch, size_t *nch, git_odb *odb,
    struct raw_ent *ents, size_t nents, const unsigned char *raw,
    struct put *puts, size_t n, int replace)
{
	struct put *sub;
	unsigned char *done;
	size_t i, j, nsub, k = 0;
	int rc = 0;

	if ((done = calloc(n, 1)) == NULL ||
	    (sub = calloc(n, sizeof *sub)) == NULL) {
		free(done);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	for (i = 0; i < n && rc == 0; i++) {
		const char *slash = strchr(puts[i].rest, '/');
		struct raw_ent *e;
		git_oid subbase;

		if (done[i])
			continue;
		done[i] = 1;
		ch[k].path = puts[i].path;
		ch[k].name = puts[i].rest;
		if (slash == NULL) {
			ch[k].nlen = strlen(puts[i].rest);
			ch[k].is_tree = 0;
			git_oid_cpy(&ch[k++].id, puts[i].oid);
			continue;
		}
		ch[k].nlen = (size_t)(slash - puts[i].rest);
		ch[k].is_tree = 1;
		nsub = 0;
		for (j = i; j < n; j++) {
			if (done[j] && j != i)
				continue;
			if (strncmp(puts[j].rest, ch[k].name, ch[k].nlen) !=
			        0 ||
			    puts[j].rest[ch[k].nlen] != '/')
				continue;
			done[j] = 1;
			sub[nsub] = puts[j];
			sub[nsub++].rest += ch[k].nlen + 1;
		}
		e = find_ent(ents, nents, ch[k].name, ch[k].nlen);
		if (e != NULL && e->is_tree)
			git_oid_fromraw(&subbase, raw + e->end - RAWSZ);
		rc = put_level(&ch[k].id, odb,
		    e != NULL && e->is_tree ? &subbase : NULL, sub, nsub,
		    replace);
		k++;
	}
	free(sub);
	free(done);
	*nch = k;
	return rc;
}

static int
put_level(git_oid *out, git_odb *odb, const git_oid *base, struct put *puts,
    size_t n, int replace)
{
	git_odb_object *obj = NULL;
	const unsigned char *raw = NULL;
	struct raw_ent *ents = NULL, *e;
	struct change *ch = NULL, *dup;
	char *buf = NULL, *w;
	size_t len = 0, nents = 0, nch = 0, size, i, j;
	int rc = 0;

	if (base != NULL) {
		if (git_odb_read(&obj, odb, base) != 0)
			return irt_git_error(IRT_EPARSE, "cannot read a tree");
		if (git_odb_object_type(obj) != GIT_OBJECT_TREE) {
			rc = malformed(base);
			goto out;
		}
		raw = git_odb_object_data(obj);
		len = git_odb_object_size(obj);
		if ((rc = parse_tree(&ents, &nents, raw, len, base)) != 0)
			goto out;
	}
	if ((ch = calloc(n, sizeof *ch)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	rc = level_changes(ch, &nch, odb, ents, nents, raw, puts, n, replace);
	if (rc != 0)
		goto out;
	qsort(ch, nch, sizeof *ch, change_cmp);
	size = len;
	for (i = 0; i < nch; i++) {
		if (i > 0 && ch[i].nlen == ch[i - 1].nlen &&
		    memcmp(ch[i].name, ch[i - 1].name, ch[i].nlen) == 0) {
			rc = irt_error_set(IRT_EINVAL, "'%s' given twice",
			    irt_esc(ch[i].path));
			goto out;
		}
		if (ch[i].is_tree && (dup = file_of_folder(ch, i)) != NULL) {
			rc = irt_error_set(IRT_EINVAL,
			    "'%s' is put as a file and a folder",
			    irt_esc(dup->path));
			goto out;
		}
		if ((e = find_ent(ents, nents, ch[i].name, ch[i].nlen))) {
			if (!replace && !ch[i].is_tree) {
				rc = irt_error_set(IRT_EEXISTS,
				    "'%s' already exists", irt_esc(ch[i].path));
				goto out;
			}
			e->dropped = 1;
			size -= e->end - e->start;
		}
		size += (ch[i].is_tree ? 5 : 6) + 2 + ch[i].nlen + RAWSZ;
	}
	if ((w = buf = malloc(size ? size : 1)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0, j = 0; i < nents || j < nch;) {
		if (i < nents && ents[i].dropped) {
			i++;
		} else if (j == nch ||
		    (i < nents &&
		        ent_cmp(ents[i].name, ents[i].nlen, ents[i].is_tree,
		            ch[j].name, ch[j].nlen, ch[j].is_tree) < 0)) {
			memcpy(w, raw + ents[i].start,
			    ents[i].end - ents[i].start);
			w += ents[i].end - ents[i].start;
			i++;
		} else {
			memcpy(w, ch[j].is_tree ? "40000 " : "100644 ",
			    ch[j].is_tree ? 6 : 7);
			w += ch[j].is_tree ? 6 : 7;
			memcpy(w, ch[j].name, ch[j].nlen);
			w += ch[j].nlen;
			*w++ = '\0';
			memcpy(w, ch[j].id.id, RAWSZ);
			w += RAWSZ;
			j++;
		}
	}
	if (git_odb_write(out, odb, buf, size, GIT_OBJECT_TREE) != 0)
		rc = irt_git_error(IRT_EIO, "cannot write a tree");
out:
	free(buf);
	free(ch);
	free(ents);
	git_odb_object_free(obj);
	return rc;
}

int
irt_case__tree_put(git_oid *out, git_repository *repo, const git_oid *base,
    const struct irt_tree_put *puts, size_t n, int replace)
{
	struct put *p;
	git_odb *odb;
	size_t i;
	int rc;

	if (git_repository_odb(&odb, repo) != 0)
		return irt_git_error(IRT_ERROR, "cannot open object database");
	if ((p = calloc(n ? n : 1, sizeof *p)) == NULL) {
		git_odb_free(odb);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		p[i].path = p[i].rest = puts[i].path;
		p[i].oid = puts[i].oid;
	}
	rc = put_level(out, odb, base, p, n, replace);
	free(p);
	git_odb_free(odb);
	return rc;
}
