/*
 * Cases: a git repository with a work tree, one commit per action.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/commit.h>
#include <git2/sys/odb_backend.h>

#include "case-int.h"
#include "util/internal.h"
#include "irt/case.h"
#include "records.h"

static const char *const tlps[] = { "clear", "green", "amber", "amber+strict",
	"red", NULL };
static const char *const severities[] = { "low", "medium", "high", "critical",
	NULL };

static int
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

int
irt_case_check_tlp(const char *tlp)
{
	if (!in_list(tlp, tlps))
		return irt_error_set(IRT_EINVAL,
		    "invalid TLP '%s' (want clear, green, amber, "
		    "amber+strict or red)",
		    irt_esc(tlp));
	return 0;
}

int
irt_case_check_severity(const char *sev)
{
	if (!in_list(sev, severities))
		return irt_error_set(IRT_EINVAL,
		    "invalid severity '%s' (want low, medium, high or "
		    "critical)",
		    irt_esc(sev));
	return 0;
}

static int
check_case_id(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > 64)
		return irt_error_set(IRT_EINVAL,
		    "invalid case id '%s' (1 to 64 characters)", irt_esc(id));
	for (i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		        c == '.'))
			return irt_error_set(IRT_EINVAL,
			    "invalid case id '%s' (letters, digits, '-', '_' "
			    "and '.' only)",
			    irt_esc(id));
	}
	return 0;
}

static int
check_text(const char *what, const char *s)
{
	size_t i;

	if (s[0] == '\0')
		return irt_error_set(IRT_EINVAL, "empty %s", what);
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return irt_error_set(IRT_EINVAL,
			    "invalid %s '%s': control character", what,
			    irt_esc(s));
	if (!irt_utf8_valid(s, strlen(s)))
		return irt_error_set(
		    IRT_EINVAL, "invalid %s '%s': not UTF-8", what, irt_esc(s));
	return 0;
}

int
irt_case_conf_check(const char *path, const char *data, size_t len)
{
	struct irt_kv kv = IRT_KV_INIT;
	const char *v;
	int rc;

	if ((rc = irt_kv_parse(&kv, data, len, path)) != 0)
		return rc;
	if ((v = irt_kv_get(&kv, "id")) == NULL)
		rc = irt_error_set(IRT_EPARSE, "%s: no 'id'", path);
	else if (check_case_id(v) != 0)
		rc =
		    irt_error_set(IRT_EPARSE, "%s: %s", path, irt_error_last());
	else if (irt_kv_get(&kv, "title") == NULL)
		rc = irt_error_set(IRT_EPARSE, "%s: no 'title'", path);
	else if ((v = irt_kv_get(&kv, "tlp")) != NULL &&
	    irt_case_check_tlp(v) != 0)
		rc =
		    irt_error_set(IRT_EPARSE, "%s: %s", path, irt_error_last());
	else if ((v = irt_kv_get(&kv, "severity")) != NULL &&
	    irt_case_check_severity(v) != 0)
		rc =
		    irt_error_set(IRT_EPARSE, "%s: %s", path, irt_error_last());
	irt_kv_release(&kv);
	return rc;
}

static int
is_case_dir(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;

	if (snprintf(p, sizeof p, "%s/%s", dir, IRT_CASE_CONF) >=
	        (int)sizeof p ||
	    stat(p, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	if (snprintf(p, sizeof p, "%s/.git", dir) >= (int)sizeof p ||
	    stat(p, &st) != 0)
		return 0;
	return 1;
}

int
irt_case_discover(char **out, const char *dir)
{
	char buf[PATH_MAX], *p;
	const char *env;

	if (dir == NULL && (env = getenv("IRT_CASE")) != NULL && *env)
		dir = env;
	if (dir != NULL) {
		if (realpath(dir, buf) == NULL)
			return irt_error_sys(IRT_ENOCASE, errno,
			    "cannot open case '%s'", irt_esc(dir));
		if (!is_case_dir(buf))
			return irt_error_set(IRT_ENOCASE,
			    "'%s' is not an irt case", irt_esc(dir));
		if ((*out = strdup(buf)) == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		return 0;
	}
	if (getcwd(buf, sizeof buf) == NULL)
		return irt_error_sys(
		    IRT_ENOCASE, errno, "cannot find the current directory");
	for (;;) {
		if (is_case_dir(buf)) {
			if ((*out = strdup(buf)) == NULL)
				return irt_error_set(
				    IRT_ENOMEM, "out of memory");
			return 0;
		}
		if (strcmp(buf, "/") == 0)
			break;
		p = strrchr(buf, '/');
		if (p == buf)
			p[1] = '\0';
		else
			*p = '\0';
	}
	return irt_error_set(
	    IRT_ENOCASE, "not inside an irt case (use -C DIR or set IRT_CASE)");
}

int
irt_case__load_conf(struct irt_case *c)
{
	struct irt_buf b = IRT_BUF_INIT;
	char *p;
	int rc;

	if (asprintf(&p, "%s/%s", c->path, IRT_CASE_CONF) < 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	rc = irt_buf_read_file(&b, p);
	free(p);
	if (rc == 0) {
		irt_kv_release(&c->conf);
		rc = irt_kv_parse(&c->conf, b.ptr, b.len, IRT_CASE_CONF);
	}
	irt_buf_release(&b);
	return rc;
}

int
irt_case_open(struct irt_case **out, const char *path)
{
	struct irt_case *c;
	char real[PATH_MAX];
	int rc;

	irt_lib_init();
	if (realpath(path, real) == NULL)
		return irt_error_sys(
		    IRT_ENOCASE, errno, "cannot open case '%s'", irt_esc(path));
	if (!is_case_dir(real))
		return irt_error_set(
		    IRT_ENOCASE, "'%s' is not an irt case", irt_esc(path));
	if ((c = calloc(1, sizeof *c)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	c->lockfd = -1;
	if ((c->path = strdup(real)) == NULL) {
		free(c);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	if (git_repository_open_ext(
	        &c->repo, real, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0) {
		rc = irt_git_error(IRT_ENOCASE, "cannot open case repository");
		irt_case_free(c);
		return rc;
	}
	if ((c->gitdir = strdup(git_repository_path(c->repo))) == NULL) {
		irt_case_free(c);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	if ((rc = irt_case__set_loose_writes(c->repo, c->gitdir)) != 0) {
		irt_case_free(c);
		return rc;
	}
	/* git_repository_path ends with '/' */
	if ((rc = irt_case__load_conf(c)) != 0) {
		irt_case_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void
irt_case_free(struct irt_case *c)
{
	if (c == NULL)
		return;
	if (c->lockfd >= 0)
		close(c->lockfd);
	git_repository_free(c->repo);
	irt_kv_release(&c->conf);
	free(c->gitdir);
	free(c->path);
	free(c);
}

const char *
irt_case_path(const struct irt_case *c)
{
	return c->path;
}

const struct irt_kv *
irt_case_conf(const struct irt_case *c)
{
	return &c->conf;
}

const char *
irt_case_id(const struct irt_case *c)
{
	const char *id = irt_kv_get(&c->conf, "id");

	return id ? id : "";
}

int
irt_case_evidence_dir(char **out, struct irt_case *c)
{
	if (asprintf(out, "%s/evidence", c->path) < 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if (irt_mkdirs(*out, 0750) != 0) {
		free(*out);
		*out = NULL;
		return IRT_EIO;
	}
	return 0;
}

int
irt_id_new(char out[32])
{
	unsigned char r[3];
	char stamp[17];

	if (getrandom(r, sizeof r, 0) != sizeof r)
		return irt_error_sys(IRT_EIO, errno, "getrandom");
	irt_time_stamp(stamp, irt_now());
	snprintf(out, 32, "%s-%02x%02x%02x", stamp, r[0], r[1], r[2]);
	return 0;
}

/* --- locking and recovery ---------------------------------------------- */

#define PENDING "irt-pending"

int
irt_case__lock(struct irt_case *c)
{
	char *p;

	if (c->lockdepth > 0) {
		c->lockdepth++;
		return 0;
	}
	if (c->lockfd < 0) {
		if (asprintf(&p, "%sirt.lock", c->gitdir) < 0)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		c->lockfd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (c->lockfd < 0) {
			int e = errno;
			free(p);
			return irt_error_sys(IRT_EIO, e,
			    "cannot lock the case '%s'", irt_esc(c->path));
		}
		free(p);
	}
	while (flock(c->lockfd, LOCK_EX) != 0)
		if (errno != EINTR)
			return irt_error_sys(IRT_EIO, errno,
			    "cannot lock the case '%s'", irt_esc(c->path));
	c->lockdepth = 1;
	return 0;
}

void
irt_case__unlock(struct irt_case *c)
{
	if (c->lockdepth > 0 && --c->lockdepth == 0 && c->lockfd >= 0)
		flock(c->lockfd, LOCK_UN);
}

int
irt_case_lock(struct irt_case *c)
{
	return irt_case__lock(c);
}

void
irt_case_unlock(struct irt_case *c)
{
	irt_case__unlock(c);
}

static int
add_note(struct irt_buf *notes, const char *fmt, const char *arg)
{
	if (notes->len > 0 && irt_buf_puts(notes, "; ") != 0)
		return IRT_ENOMEM;
	return irt_buf_printf(notes, fmt, arg);
}

/*
 * Under the case lock, git lock files can only be left over by a writer
 * that died: remove them.
 */
int
irt_case__remove_stale_locks(struct irt_case *c, struct irt_buf *notes)
{
	static const char *const fixed[] = { "index.lock", "HEAD.lock",
		"packed-refs.lock", "config.lock", NULL };
	char p[PATH_MAX];
	DIR *d;
	struct dirent *de;
	size_t i, n;

	for (i = 0; fixed[i] != NULL; i++) {
		snprintf(p, sizeof p, "%s%s", c->gitdir, fixed[i]);
		if (unlink(p) == 0 &&
		    add_note(notes, "removed stale lock .git/%s", fixed[i]))
			return IRT_ENOMEM;
	}
	snprintf(p, sizeof p, "%srefs/heads", c->gitdir);
	if ((d = opendir(p)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".lock") != 0)
			continue;
		snprintf(p, sizeof p, "%srefs/heads/%s", c->gitdir, de->d_name);
		if (unlink(p) == 0) {
			char rel[NAME_MAX + 32];
			snprintf(rel, sizeof rel, "refs/heads/%s", de->d_name);
			if (add_note(
			        notes, "removed stale lock .git/%s", rel)) {
				closedir(d);
				return IRT_ENOMEM;
			}
		}
	}
	closedir(d);
	return 0;
}

int
irt_case__head_commit(git_commit **out, git_repository *repo)
{
	git_oid oid;
	int rc;

	*out = NULL;
	rc = git_reference_name_to_id(&oid, repo, "HEAD");
	if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH)
		return 0;
	if (rc != 0)
		return irt_git_error(IRT_ERROR, "cannot read HEAD");
	if (git_commit_lookup(out, repo, &oid) != 0)
		return irt_git_error(IRT_ERROR, "cannot read HEAD commit");
	return 0;
}

/* Moves an uncommitted file of an interrupted action out of the tree. */
static int
set_aside(struct irt_case *c, const char *rel, struct irt_buf *notes)
{
	char src[PATH_MAX], dir[PATH_MAX], dst[PATH_MAX + 64];
	char stamp[17];
	const char *base;
	struct stat st;

	snprintf(src, sizeof src, "%s/%s", c->path, rel);
	/* a commit writes files only: nothing else is its to move */
	if (lstat(src, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	snprintf(dir, sizeof dir, "%sirt/recovered", c->gitdir);
	if (irt_mkdirs(dir, 0755) != 0)
		return IRT_EIO;
	base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	irt_time_stamp(stamp, irt_now());
	snprintf(dst, sizeof dst, "%s/%s-%s", dir, stamp, base);
	if (rename(src, dst) != 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot move '%s'", irt_esc(src));
	return add_note(
	    notes, "kept uncommitted %s in .git/irt/recovered", rel);
}

/*
 * A writer that died between writing its files and updating the index
 * left their paths in .git/irt-pending: bring those paths back to HEAD.
 * The file is written before the work tree and emptied after the index,
 * in place, so that a commit creates no more files than it must.
 */
static int
recover_pending(struct irt_case *c, struct irt_buf *notes)
{
	struct irt_buf b = IRT_BUF_INIT;
	git_index *index = NULL;
	git_commit *head = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te;
	git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
	char p[PATH_MAX], *line, *save = NULL;
	struct stat st;
	int rc = 0;

	snprintf(p, sizeof p, "%s%s", c->gitdir, PENDING);
	if (stat(p, &st) != 0 || st.st_size == 0)
		return 0;
	if ((rc = irt_buf_read_file(&b, p)) != 0)
		return rc;
	/* a line cut short by the writer's death names nothing */
	if ((line = b.len ? memrchr(b.ptr, '\n', b.len) : NULL) == NULL)
		goto done;
	line[1] = '\0';
	if (git_repository_index(&index, c->repo) != 0 ||
	    git_index_read(index, 1) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot read the index");
		goto out;
	}
	if ((rc = irt_case__head_commit(&head, c->repo)) != 0)
		goto out;
	if (head != NULL && git_commit_tree(&tree, head) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot read HEAD tree");
		goto out;
	}
	for (line = strtok_r(b.ptr ? b.ptr : (char *)"", "\n", &save);
	     line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (tree == NULL ||
		    git_tree_entry_bypath(&te, tree, line) != 0) {
			git_index_remove_bypath(index, line);
			if ((rc = set_aside(c, line, notes)) != 0)
				goto out;
		} else if (git_tree_entry_type(te) != GIT_OBJECT_BLOB) {
			/* only files are written by a commit */
			git_tree_entry_free(te);
		} else {
			git_index_entry ie;
			git_oid cur;
			char full[PATH_MAX];

			memset(&ie, 0, sizeof ie);
			ie.mode = git_tree_entry_filemode(te);
			git_oid_cpy(&ie.id, git_tree_entry_id(te));
			ie.path = line;
			git_tree_entry_free(te);
			snprintf(full, sizeof full, "%s/%s", c->path, line);
			if (git_odb_hashfile(&cur, full, GIT_OBJECT_BLOB) !=
			        0 ||
			    !git_oid_equal(&cur, &ie.id)) {
				if ((rc = set_aside(c, line, notes)) != 0)
					goto out;
				char *paths[1] = { line };
				co.checkout_strategy = GIT_CHECKOUT_FORCE;
				co.paths.strings = paths;
				co.paths.count = 1;
				if (git_checkout_tree(c->repo,
				        (git_object *)tree, &co) != 0) {
					rc = irt_git_error(IRT_ERROR,
					    "cannot restore work tree");
					goto out;
				}
				if ((rc = add_note(notes,
				         "restored %s from HEAD", line)) != 0)
					goto out;
			}
			if (git_index_add(index, &ie) != 0) {
				rc = irt_git_error(
				    IRT_ERROR, "cannot update the index");
				goto out;
			}
			/* refresh the stat data from the restored file */
			git_index_add_bypath(index, line);
		}
	}
	if (git_index_write(index) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot write the index");
		goto out;
	}
	if (notes->len == 0)
		rc = add_note(notes, "%s", "finished an interrupted commit");
done:
	/* emptied, not removed: the next commit rewrites the same file */
	if (rc == 0 && truncate(p, 0) != 0)
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot empty '%s'", irt_esc(p));
out:
	git_error_clear();
	git_index_free(index);
	git_tree_free(tree);
	git_commit_free(head);
	irt_buf_release(&b);
	return rc;
}

static int
write_pending(struct irt_case *c, const struct irt_case_file *files, size_t n)
{
	struct irt_buf b = IRT_BUF_INIT;
	char p[PATH_MAX];
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		rc = irt_buf_printf(&b, "%s\n", files[i].path);
	snprintf(p, sizeof p, "%s%s", c->gitdir, PENDING);
	if (rc == 0)
		rc = irt_write_file_in_place(p, b.ptr, b.len, 0644);
	irt_buf_release(&b);
	return rc;
}

static void
clear_pending(struct irt_case *c)
{
	char p[PATH_MAX];

	snprintf(p, sizeof p, "%s%s", c->gitdir, PENDING);
	/* if this fails, the next commit finds those paths in HEAD */
	if (truncate(p, 0) != 0)
		return;
}

/* --- commits ----------------------------------------------------------- */

static int
valid_rel_path(const char *p)
{
	const char *s;

	if (p[0] == '\0' || p[0] == '/' || strstr(p, "//") != NULL)
		return 0;
	for (s = p; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20)
			return 0;
	s = p;
	while (*s != '\0') {
		size_t n = strcspn(s, "/");
		if ((n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.') ||
		    (n == 4 && strncmp(s, ".git", 4) == 0))
			return 0;
		s += n;
		if (*s == '/')
			s++;
	}
	return p[strlen(p) - 1] != '/';
}

static int
build_message(struct irt_buf *m, const char *subject, const char *body,
    const struct irt_trailer *tr, size_t ntr, const struct irt_buf *notes)
{
	size_t i;

	if (irt_buf_puts(m, subject) != 0 || irt_buf_puts(m, "\n\n") != 0)
		return IRT_ENOMEM;
	if (body != NULL && body[0] != '\0') {
		if (irt_buf_puts(m, body) != 0)
			return IRT_ENOMEM;
		if (body[strlen(body) - 1] != '\n' && irt_buf_putc(m, '\n'))
			return IRT_ENOMEM;
		if (irt_buf_putc(m, '\n') != 0)
			return IRT_ENOMEM;
	}
	for (i = 0; i < ntr; i++)
		if (irt_buf_printf(m, "%s: %s\n", tr[i].key, tr[i].value))
			return IRT_ENOMEM;
	if (notes != NULL && notes->len > 0 &&
	    irt_buf_printf(m, "Irt-Recovered: %s\n", notes->ptr) != 0)
		return IRT_ENOMEM;
	return 0;
}

int
irt_case__signature(git_signature **sig, const struct irt_ident *who)
{
	irt_ns now = irt_now();

	if (git_signature_new(sig, who->name, who->email ? who->email : "",
	        (git_time_t)(now / IRT_NS_PER_SEC), 0) != 0)
		return irt_git_error(IRT_EINVAL, "invalid identity");
	return 0;
}

static int
write_work_file(struct irt_case *c, const struct irt_case_file *f)
{
	char full[PATH_MAX], *slash;

	if (snprintf(full, sizeof full, "%s/%s", c->path, f->path) >=
	    (int)sizeof full)
		return irt_error_set(IRT_EINVAL, "path too long");
	slash = strrchr(full, '/');
	*slash = '\0';
	if (irt_mkdirs(full, 0755) != 0)
		return IRT_EIO;
	*slash = '/';
	return irt_write_file_atomic(full, f->data, f->len, 0644);
}

/* Records files just written to the work tree in the index. */
static int
update_index(struct irt_case *c, const struct irt_index_put *ip, size_t n)
{
	git_index *index = NULL;
	git_index_entry e;
	size_t i;
	int rc;

	if ((rc = irt_case__index_put(c->gitdir, ip, n)) <= 0)
		return rc;
	/* a form of the index left to libgit2 */
	if (git_repository_index(&index, c->repo) != 0 ||
	    git_index_read(index, 1) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot read the index");
		goto out;
	}
	if (git_index_version(index) != 4)
		git_index_set_version(index, 4);
	for (i = 0; i < n; i++) {
		const struct stat *st = ip[i].st;

		memset(&e, 0, sizeof e);
		e.ctime.seconds = (int32_t)st->st_ctim.tv_sec;
		e.ctime.nanoseconds = (uint32_t)st->st_ctim.tv_nsec;
		e.mtime.seconds = (int32_t)st->st_mtim.tv_sec;
		e.mtime.nanoseconds = (uint32_t)st->st_mtim.tv_nsec;
		e.dev = (uint32_t)st->st_dev;
		e.ino = (uint32_t)st->st_ino;
		e.mode = GIT_FILEMODE_BLOB;
		e.uid = st->st_uid;
		e.gid = st->st_gid;
		e.file_size = (uint32_t)st->st_size;
		git_oid_cpy(&e.id, ip[i].oid);
		e.path = ip[i].path;
		if (git_index_add(index, &e) != 0) {
			rc =
			    irt_git_error(IRT_ERROR, "cannot update the index");
			goto out;
		}
	}
	rc = 0;
	if (git_index_write(index) != 0)
		rc = irt_git_error(IRT_ERROR, "cannot write the index");
out:
	git_index_free(index);
	return rc;
}

static int
commit_locked(struct irt_case *c, char oid_out[IRT_OID_HEX],
    const struct irt_case_file *files, size_t nfiles, int replace,
    const char *subject, const char *body, const struct irt_trailer *tr,
    size_t ntr, const struct irt_ident *who)
{
	struct irt_buf notes = IRT_BUF_INIT, msg = IRT_BUF_INIT;
	struct irt_tree_put *tp = NULL;
	struct irt_index_put *ip = NULL;
	struct stat *st = NULL;
	git_oid *blobs = NULL;
	git_odb *odb = NULL;
	git_commit *parent = NULL;
	git_signature *sig = NULL;
	git_oid tree_oid, commit_oid;
	const git_oid *parent_ids[1];
	char full[PATH_MAX];
	size_t i;
	int rc;

	if ((rc = irt_case__remove_stale_locks(c, &notes)) != 0 ||
	    (rc = recover_pending(c, &notes)) != 0 ||
	    (rc = irt_case__head_commit(&parent, c->repo)) != 0)
		goto out;
	if ((tp = calloc(nfiles + 1, sizeof *tp)) == NULL ||
	    (ip = calloc(nfiles + 1, sizeof *ip)) == NULL ||
	    (st = calloc(nfiles + 1, sizeof *st)) == NULL ||
	    (blobs = calloc(nfiles + 1, sizeof *blobs)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	if (git_repository_odb(&odb, c->repo) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot open object database");
		goto out;
	}
	for (i = 0; i < nfiles; i++) {
		if (!valid_rel_path(files[i].path)) {
			rc = irt_error_set(IRT_EINVAL, "invalid path '%s'",
			    irt_esc(files[i].path));
			goto out;
		}
		/* a refused commit leaves only unreachable blobs */
		if (git_odb_write(&blobs[i], odb, files[i].data, files[i].len,
		        GIT_OBJECT_BLOB) != 0) {
			rc = irt_git_error(IRT_EIO, "cannot store a file");
			goto out;
		}
		tp[i].path = files[i].path;
		tp[i].oid = &blobs[i];
	}
	if ((rc = irt_case__signature(&sig, who)) != 0 ||
	    (rc = build_message(&msg, subject, body, tr, ntr, &notes)) != 0)
		goto out;
	if ((rc = irt_case__tree_put(&tree_oid, c->repo,
	         parent ? git_commit_tree_id(parent) : NULL, tp, nfiles,
	         replace)) != 0)
		goto out;
	if ((rc = write_pending(c, files, nfiles)) != 0)
		goto out;
	for (i = 0; i < nfiles; i++) {
		if ((rc = write_work_file(c, &files[i])) != 0)
			goto out;
		snprintf(full, sizeof full, "%s/%s", c->path, files[i].path);
		if (lstat(full, &st[i]) != 0) {
			rc = irt_error_sys(
			    IRT_EIO, errno, "cannot stat '%s'", irt_esc(full));
			goto out;
		}
		ip[i].path = files[i].path;
		ip[i].oid = &blobs[i];
		ip[i].st = &st[i];
	}
	parent_ids[0] = parent ? git_commit_id(parent) : NULL;
	/* from ids: the new tree need not be read back */
	if (git_commit_create_from_ids(&commit_oid, c->repo, "HEAD", sig, sig,
	        NULL, msg.ptr, &tree_oid, parent ? 1 : 0, parent_ids) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot commit");
		goto out;
	}
	if ((rc = update_index(c, ip, nfiles)) != 0)
		goto out;
	clear_pending(c);
	if (oid_out != NULL)
		git_oid_tostr(oid_out, IRT_OID_HEX, &commit_oid);
out:
	git_signature_free(sig);
	git_commit_free(parent);
	git_odb_free(odb);
	free(tp);
	free(ip);
	free(st);
	free(blobs);
	irt_buf_release(&msg);
	irt_buf_release(&notes);
	return rc;
}

int
irt_case_commit(struct irt_case *c, char oid_out[IRT_OID_HEX],
    const struct irt_case_file *files, size_t nfiles, int replace,
    const char *subject, const char *body, const struct irt_trailer *trailers,
    size_t ntrailers, const struct irt_ident *who)
{
	int rc;

	if ((rc = irt_case__lock(c)) != 0)
		return rc;
	rc = commit_locked(c, oid_out, files, nfiles, replace, subject, body,
	    trailers, ntrailers, who);
	irt_case__unlock(c);
	return rc;
}

/* --- init -------------------------------------------------------------- */

static int
dir_usable(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int empty = 1;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		return irt_error_sys(
		    IRT_EIO, errno, "cannot use '%s'", irt_esc(path));
	}
	if (!S_ISDIR(st.st_mode))
		return irt_error_set(IRT_EEXISTS,
		    "'%s' exists and is not a "
		    "directory",
		    irt_esc(path));
	if (is_case_dir(path))
		return irt_error_set(
		    IRT_EEXISTS, "'%s' is already a case", irt_esc(path));
	if ((d = opendir(path)) == NULL)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(path));
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			empty = 0;
			break;
		}
	closedir(d);
	if (!empty)
		return irt_error_set(
		    IRT_EEXISTS, "'%s' is not empty", irt_esc(path));
	return 0;
}

int
irt_case_init(struct irt_case **out, const char *path,
    const struct irt_case_meta *meta, const struct irt_ident *who)
{
	static const char gitignore[] =
	    "# evidence archives are kept beside the case, not in git\n"
	    "/evidence/\n";
	struct irt_kv kv = IRT_KV_INIT;
	struct irt_buf conf = IRT_BUF_INIT, subject = IRT_BUF_INIT;
	git_repository_init_options io = GIT_REPOSITORY_INIT_OPTIONS_INIT;
	git_repository *repo = NULL;
	struct irt_case *c = NULL;
	char now[IRT_TIME_MAX], *author = NULL;
	int rc;

	irt_lib_init();
	if ((rc = check_case_id(meta->id)) != 0 ||
	    (rc = check_text("title", meta->title)) != 0)
		return rc;
	if (meta->lead != NULL && (rc = check_text("lead", meta->lead)) != 0)
		return rc;
	if (meta->tlp != NULL && (rc = irt_case_check_tlp(meta->tlp)) != 0)
		return rc;
	if (meta->severity != NULL &&
	    (rc = irt_case_check_severity(meta->severity)) != 0)
		return rc;
	if ((rc = dir_usable(path)) != 0)
		return rc;
	if ((author = irt_ident_format(who)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	irt_time_format(now, irt_now(), 0);
	if ((rc = irt_kv_add(&kv, "id", meta->id)) ||
	    (rc = irt_kv_add(&kv, "title", meta->title)) ||
	    (meta->lead && (rc = irt_kv_add(&kv, "lead", meta->lead))) ||
	    (rc = irt_kv_add(&kv, "tlp", meta->tlp ? meta->tlp : "amber")) ||
	    (meta->severity &&
	        (rc = irt_kv_add(&kv, "severity", meta->severity))) ||
	    (rc = irt_kv_add(&kv, "created", now)) ||
	    (rc = irt_kv_add(&kv, "created_by", author)) ||
	    (rc = irt_kv_add(&kv, "format", "1")))
		goto out;
	if ((rc = irt_buf_puts(&conf, "# irt case; see irt-case(5)\n")) ||
	    (rc = irt_kv_write(&conf, &kv)))
		goto out;
	io.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
	io.initial_head = "main";
	if (git_repository_init_ext(&repo, path, &io) != 0) {
		rc = irt_git_error(IRT_EIO, "cannot create the case");
		goto out;
	}
	git_repository_free(repo);
	repo = NULL;
	{
		/* case.conf must exist for irt_case_open to accept the dir */
		char *p;
		if (asprintf(&p, "%s/%s", path, IRT_CASE_CONF) < 0) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			goto out;
		}
		rc = irt_write_file_atomic(p, conf.ptr, conf.len, 0644);
		free(p);
		if (rc != 0)
			goto out;
	}
	if ((rc = irt_case_open(&c, path)) != 0)
		goto out;
	{
		struct irt_case_file f[2] = {
			{ IRT_CASE_CONF, conf.ptr, conf.len },
			{ ".gitignore", gitignore, sizeof gitignore - 1 },
		};
		struct irt_trailer tr[2] = {
			{ "Irt-Action", "case-init" },
			{ "Irt-Case", meta->id },
		};
		irt_buf_printf(
		    &subject, "case: open %s: %s", meta->id, meta->title);
		rc = irt_case_commit(
		    c, NULL, f, 2, 1, subject.ptr, NULL, tr, 2, who);
	}
	if (rc == 0) {
		*out = c;
		c = NULL;
	}
out:
	irt_case_free(c);
	irt_kv_release(&kv);
	irt_buf_release(&conf);
	irt_buf_release(&subject);
	free(author);
	return rc;
}

/* --- reading ----------------------------------------------------------- */

int
irt_case__head_tree(git_tree **out, struct irt_case *c)
{
	git_commit *head = NULL;
	int rc;

	*out = NULL;
	if ((rc = irt_case__head_commit(&head, c->repo)) != 0)
		return rc;
	if (head == NULL)
		return 0;
	if (git_commit_tree(out, head) != 0)
		rc = irt_git_error(IRT_ERROR, "cannot read HEAD tree");
	git_commit_free(head);
	return rc;
}

static int
read_blob(
    struct irt_case *c, struct irt_buf *buf, git_tree *tree, const char *path)
{
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	int rc = 0;

	if (tree == NULL || git_tree_entry_bypath(&te, tree, path) != 0) {
		git_error_clear();
		return irt_error_set(
		    IRT_ENOTFOUND, "'%s' not found", irt_esc(path));
	}
	if (git_tree_entry_type(te) != GIT_OBJECT_BLOB) {
		git_tree_entry_free(te);
		return irt_error_set(
		    IRT_ENOTFOUND, "'%s' is not a file", irt_esc(path));
	}
	if (git_blob_lookup(&blob, c->repo, git_tree_entry_id(te)) != 0)
		rc = irt_git_error(IRT_ERROR, "cannot read blob");
	else
		rc = irt_buf_put(buf, git_blob_rawcontent(blob),
		    (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	git_tree_entry_free(te);
	return rc;
}

int
irt_case_read(struct irt_case *c, struct irt_buf *buf, const char *path)
{
	git_tree *tree;
	int rc;

	if ((rc = irt_case__head_tree(&tree, c)) != 0)
		return rc;
	rc = read_blob(c, buf, tree, path);
	git_tree_free(tree);
	return rc;
}

int
irt_case_read_at(
    struct irt_case *c, struct irt_buf *buf, const char *oid, const char *path)
{
	git_object *obj = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	int rc;

	if (git_revparse_single(&obj, c->repo, oid) != 0 ||
	    git_object_peel((git_object **)&commit, obj, GIT_OBJECT_COMMIT) !=
	        0 ||
	    git_commit_tree(&tree, commit) != 0) {
		rc = irt_git_error(IRT_ENOTFOUND, "unknown commit");
		goto out;
	}
	rc = read_blob(c, buf, tree, path);
out:
	git_tree_free(tree);
	git_commit_free(commit);
	git_object_free(obj);
	return rc;
}

void
irt_strv_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

int
irt_case_list(struct irt_case *c, char ***out, const char *dir)
{
	git_tree *root = NULL, *sub = NULL;
	git_tree_entry *te = NULL;
	char **v = NULL;
	size_t n = 0, i;
	int rc = 0;

	*out = NULL;
	if ((rc = irt_case__head_tree(&root, c)) != 0)
		return rc;
	if (root != NULL && git_tree_entry_bypath(&te, root, dir) == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_TREE &&
	    git_tree_lookup(&sub, c->repo, git_tree_entry_id(te)) == 0)
		n = git_tree_entrycount(sub);
	git_error_clear();
	if ((v = calloc(n + 1, sizeof *v)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if ((v[i] = strdup(git_tree_entry_name(
		         git_tree_entry_byindex(sub, i)))) == NULL) {
			irt_strv_free(v);
			v = NULL;
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			goto out;
		}
	*out = v;
out:
	git_tree_entry_free(te);
	git_tree_free(sub);
	git_tree_free(root);
	return rc;
}

int
irt_case_foreach(
    struct irt_case *c, const char *dir, irt_case_file_cb cb, void *arg)
{
	git_tree *root = NULL, *sub = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	size_t i, n = 0;
	int rc;

	if ((rc = irt_case__head_tree(&root, c)) != 0)
		return rc;
	if (root != NULL && git_tree_entry_bypath(&te, root, dir) == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_TREE &&
	    git_tree_lookup(&sub, c->repo, git_tree_entry_id(te)) == 0)
		n = git_tree_entrycount(sub);
	git_error_clear();
	for (i = 0; i < n && rc == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(sub, i);
		if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
			continue;
		if (git_blob_lookup(&blob, c->repo, git_tree_entry_id(e))) {
			rc = irt_git_error(IRT_ERROR, "cannot read a file");
			break;
		}
		rc = cb(git_tree_entry_name(e), git_blob_rawcontent(blob),
		    (size_t)git_blob_rawsize(blob), arg);
		git_blob_free(blob);
	}
	git_tree_entry_free(te);
	git_tree_free(sub);
	git_tree_free(root);
	return rc;
}

int
irt_case_resolve(struct irt_case *c, char **out, const char *dir,
    const char *suffix, const char *prefix)
{
	char **v;
	const char *match = NULL;
	size_t i, plen = strlen(prefix), slen = suffix ? strlen(suffix) : 0;
	size_t nmatch = 0, nlen;
	int rc;

	if (plen == 0)
		return irt_error_set(IRT_EINVAL, "empty id");
	if ((rc = irt_case_list(c, &v, dir)) != 0)
		return rc;
	for (i = 0; v[i] != NULL; i++) {
		nlen = strlen(v[i]);
		if (slen > 0 &&
		    (nlen < slen || strcmp(v[i] + nlen - slen, suffix) != 0))
			continue;
		if (strncmp(v[i], prefix, plen) != 0 || plen > nlen - slen)
			continue;
		if (plen == nlen - slen) { /* exact match wins */
			match = v[i];
			nmatch = 1;
			break;
		}
		match = v[i];
		nmatch++;
	}
	if (nmatch == 0)
		rc = irt_error_set(
		    IRT_ENOTFOUND, "no %s with id '%s'", dir, irt_esc(prefix));
	else if (nmatch > 1)
		rc = irt_error_set(IRT_EAMBIGUOUS,
		    "id '%s' is ambiguous (%zu matches in %s)", irt_esc(prefix),
		    nmatch, dir);
	else if ((*out = strndup(match, strlen(match) - slen)) == NULL)
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
	irt_strv_free(v);
	return rc;
}

int
irt_case_head(struct irt_case *c, char out[IRT_OID_HEX])
{
	git_oid oid;

	if (git_reference_name_to_id(&oid, c->repo, "HEAD") != 0)
		return irt_git_error(IRT_ENOTFOUND, "cannot read HEAD");
	git_oid_tostr(out, IRT_OID_HEX, &oid);
	return 0;
}
