/*
 * Cases: a git repository with a work tree, one commit per action.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/commit.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

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

/* Sets a parse error for path from the message of the last error. */
static int
conf_error(const char *path)
{
	char why[512];

	snprintf(why, sizeof why, "%s", irt_error_last());
	return irt_error_set(IRT_EPARSE, "%s: %s", irt_esc(path), why);
}

int
irt_case_conf_check(const char *path, const char *data, size_t len)
{
	struct irt_kv kv = IRT_KV_INIT;
	const char *v;
	int rc;

	if ((rc = irt_kv_parse(&kv, data, len, path)) != 0) {
		irt_kv_release(&kv);
		return rc;
	}
	if ((v = irt_kv_get(&kv, "id")) == NULL)
		rc = irt_error_set(IRT_EPARSE, "%s: no 'id'", irt_esc(path));
	else if (check_case_id(v) != 0)
		rc = conf_error(path);
	else if (irt_kv_get(&kv, "title") == NULL)
		rc = irt_error_set(IRT_EPARSE, "%s: no 'title'", irt_esc(path));
	else if ((v = irt_kv_get(&kv, "tlp")) != NULL &&
	    irt_case_check_tlp(v) != 0)
		rc = conf_error(path);
	else if ((v = irt_kv_get(&kv, "severity")) != NULL &&
	    irt_case_check_severity(v) != 0)
		rc = conf_error(path);
	else if ((v = irt_kv_get(&kv, "format")) != NULL &&
	    strcmp(v, "1") != 0 && strcmp(v, IRT_CASE_FORMAT) != 0)
		rc = irt_error_set(IRT_EPARSE,
		    "%s: unknown format '%s' (this irt reads 1 and %s)",
		    irt_esc(path), irt_esc(v), IRT_CASE_FORMAT);
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

/*
 * The repository reads its configuration from one snapshot: irt never
 * changes it while a case is open, and libgit2 would otherwise check
 * every configuration file again at each setting it looks up.
 */
static int
use_config_snapshot(git_repository *repo)
{
	git_config *snap = NULL;

	if (git_repository_config_snapshot(&snap, repo) != 0)
		return irt_git_error(
		    IRT_ERROR, "cannot read the git configuration");
	git_repository_set_config(repo, snap);
	git_config_free(snap);
	return 0;
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
	if ((rc = use_config_snapshot(c->repo)) != 0 ||
	    (rc = irt_case__set_loose_level(c->repo, c->gitdir)) != 0) {
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
	irt_buf_release(&c->warnings);
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
	int root, fd, rc;

	*out = NULL;
	if ((root = open(c->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(c->path));
	/* a pulled case or a hostile user must not send archives elsewhere */
	rc = irt_openat_dir(&fd, root, "evidence", 0750, c->path);
	close(root);
	if (rc != 0)
		return rc;
	close(fd);
	if (asprintf(out, "%s/evidence", c->path) < 0) {
		*out = NULL;
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	return 0;
}

void
irt_case__warn(struct irt_case *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* a warning lost to a lack of memory fails nothing */
	if (irt_buf_vprintf(&c->warnings, fmt, ap) == 0)
		irt_buf_putc(&c->warnings, '\n');
	va_end(ap);
}

char *
irt_case_take_warnings(struct irt_case *c)
{
	if (c == NULL || c->warnings.len == 0)
		return NULL;
	/* without its last newline */
	c->warnings.ptr[--c->warnings.len] = '\0';
	return irt_buf_detach(&c->warnings);
}

/*
 * The zlib level of new loose objects, as git reads it: core.
 * looseCompression, else core.compression, else 1; -1 is zlib's default.
 */
static int
loose_level(git_repository *repo)
{
	git_config *cfg = NULL;
	int32_t v = 1;

	if (git_repository_config_snapshot(&cfg, repo) == 0 &&
	    git_config_get_int32(&v, cfg, "core.looseCompression") != 0 &&
	    git_config_get_int32(&v, cfg, "core.compression") != 0)
		v = 1;
	git_config_free(cfg);
	git_error_clear();
	if (v < 0)
		return 6; /* what zlib's Z_DEFAULT_COMPRESSION stands for */
	return v > 9 ? 9 : (int)v;
}

int
irt_case__set_loose_level(git_repository *repo, const char *gitdir)
{
	git_odb_backend *loose = NULL;
	git_odb *odb = NULL;
	char *objects;
	int level = loose_level(repo), rc = 0;

	/*
	 * libgit2's own loose backend writes at level 1, git's default.  It
	 * cannot write level 0 (it then stores the object undeflated, which
	 * no git reads): 0 is written at 1.
	 */
	if (level <= 1)
		return 0;
	if (asprintf(&objects, "%sobjects", gitdir) < 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	/* above the pack and loose backends: the first that writes */
	if (git_odb_backend_loose(&loose, objects, level, 0, 0, 0) != 0)
		rc = irt_git_error(IRT_ERROR, "cannot open object database");
	else if (git_repository_odb(&odb, repo) != 0 ||
	    git_odb_add_backend(odb, loose, 10) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot open object database");
		loose->free(loose);
	}
	git_odb_free(odb);
	free(objects);
	return rc;
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

/* Splits rel at its last '/': the folder ("" at the root) and the name. */
static void
split_path(const char *rel, char *dir, size_t size, const char **base)
{
	const char *slash = strrchr(rel, '/');
	size_t n = slash ? (size_t)(slash - rel) : 0;

	if (n >= size)
		n = size - 1;
	memcpy(dir, rel, n);
	dir[n] = '\0';
	*base = slash ? slash + 1 : rel;
}

/* The folder of rel in the work tree, opened without following links. */
static int
open_work_dir(struct irt_case *c, int *out, const char *rel, int create,
    const char **base)
{
	char dir[PATH_MAX];
	int root, rc;

	split_path(rel, dir, sizeof dir, base);
	if ((root = open(c->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(c->path));
	rc = irt_openat_dir(out, root, dir, create ? 0755 : 0, c->path);
	close(root);
	return rc;
}

/* Moves an uncommitted file of an interrupted action out of the tree. */
static int
set_aside(struct irt_case *c, const char *rel, struct irt_buf *notes)
{
	char dir[PATH_MAX], dst[NAME_MAX + 32];
	char stamp[17];
	const char *base;
	struct stat st;
	int sfd, dfd, rc;

	/* a commit writes files only, never through a link: nothing else
	 * is its to move */
	if (open_work_dir(c, &sfd, rel, 0, &base) != 0) {
		irt_error_clear();
		return 0;
	}
	if (fstatat(sfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISREG(st.st_mode)) {
		close(sfd);
		return 0;
	}
	snprintf(dir, sizeof dir, "%sirt/recovered", c->gitdir);
	if (irt_mkdirs(dir, 0755) != 0) {
		close(sfd);
		return IRT_EIO;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		close(sfd);
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(dir));
	}
	irt_time_stamp(stamp, irt_now());
	snprintf(dst, sizeof dst, "%s-%.*s", stamp, NAME_MAX, base);
	rc = 0;
	if (renameat(sfd, base, dfd, dst) != 0)
		rc = irt_error_sys(IRT_EIO, errno, "cannot move '%s/%s'",
		    irt_esc(c->path), irt_esc(rel));
	close(sfd);
	close(dfd);
	if (rc != 0)
		return rc;
	return add_note(
	    notes, "kept uncommitted %s in .git/irt/recovered", rel);
}

/* The blob id of a regular file of the work tree, read without
 * following a link; non-zero when there is none. */
static int
hash_work_file(struct irt_case *c, const char *rel, git_oid *out)
{
	struct irt_buf b = IRT_BUF_INIT;
	const char *base;
	int dfd, fd, rc = -1;
	struct stat st;

	if (open_work_dir(c, &dfd, rel, 0, &base) != 0) {
		irt_error_clear();
		return -1;
	}
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    irt_read_fd(&b, fd, (size_t)st.st_size + 1) == 0 &&
	    git_odb_hash(out, b.ptr ? b.ptr : "", b.len, GIT_OBJECT_BLOB) == 0)
		rc = 0;
	irt_error_clear();
	git_error_clear();
	close(fd);
	irt_buf_release(&b);
	return rc;
}

/* The lstat of a file of the work tree, without following a link. */
static int
stat_work_file(struct irt_case *c, const char *rel, struct stat *st)
{
	const char *base;
	int dfd, rc = 0;

	if ((rc = open_work_dir(c, &dfd, rel, 0, &base)) != 0)
		return rc;
	if (fstatat(dfd, base, st, AT_SYMLINK_NOFOLLOW) != 0)
		rc = irt_error_sys(IRT_EIO, errno, "cannot stat '%s/%s'",
		    irt_esc(c->path), irt_esc(rel));
	close(dfd);
	return rc;
}

/* Writes the blob id at rel in the work tree, as a commit writes. */
static int
restore_file(
    struct irt_case *c, const char *rel, const git_oid *id, struct stat *st)
{
	git_blob *blob = NULL;
	const char *base;
	struct irt_buf shown = IRT_BUF_INIT;
	int dfd, rc;

	if (git_blob_lookup(&blob, c->repo, id) != 0)
		return irt_git_error(IRT_ERROR, "cannot read a file of HEAD");
	if ((rc = open_work_dir(c, &dfd, rel, 1, &base)) == 0) {
		if ((rc = irt_buf_printf(&shown, "%s/%s", c->path, rel)) == 0)
			rc = irt_write_file_at(dfd, base,
			    git_blob_rawcontent(blob),
			    (size_t)git_blob_rawsize(blob), 0644, st,
			    shown.ptr);
		close(dfd);
	}
	irt_buf_release(&shown);
	git_blob_free(blob);
	return rc;
}

/* An index entry for a file as it is in the work tree. */
static int
index_add_stat(git_index *index, const char *path, const git_oid *id,
    git_filemode_t mode, const struct stat *st)
{
	git_index_entry e;

	memset(&e, 0, sizeof e);
	e.ctime.seconds = (int32_t)st->st_ctim.tv_sec;
	e.ctime.nanoseconds = (uint32_t)st->st_ctim.tv_nsec;
	e.mtime.seconds = (int32_t)st->st_mtim.tv_sec;
	e.mtime.nanoseconds = (uint32_t)st->st_mtim.tv_nsec;
	e.dev = (uint32_t)st->st_dev;
	e.ino = (uint32_t)st->st_ino;
	e.mode = mode;
	e.uid = st->st_uid;
	e.gid = st->st_gid;
	e.file_size = (uint32_t)st->st_size;
	git_oid_cpy(&e.id, id);
	e.path = path;
	if (git_index_add(index, &e) != 0)
		return irt_git_error(IRT_ERROR, "cannot update the index");
	return 0;
}

/*
 * Removes the temporary files a writer killed while writing rel left
 * beside it (".<name>.tmp.<pid>", see irt_write_file_at).
 */
static void
remove_temporaries(struct irt_case *c, const char *rel)
{
	struct irt_buf prefix = IRT_BUF_INIT;
	struct dirent *de;
	const char *base;
	DIR *d;
	int dfd;

	if (open_work_dir(c, &dfd, rel, 0, &base) != 0) {
		irt_error_clear();
		return;
	}
	if (irt_buf_printf(&prefix, ".%s.tmp.", base) != 0 ||
	    (d = fdopendir(dfd)) == NULL) {
		close(dfd);
		irt_buf_release(&prefix);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (strncmp(de->d_name, prefix.ptr, prefix.len) == 0 &&
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
		        0 &&
		    S_ISREG(st.st_mode))
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	irt_buf_release(&prefix);
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
		remove_temporaries(c, line);
		if (tree == NULL ||
		    git_tree_entry_bypath(&te, tree, line) != 0) {
			git_index_remove_bypath(index, line);
			if ((rc = set_aside(c, line, notes)) != 0)
				goto out;
		} else if (git_tree_entry_type(te) != GIT_OBJECT_BLOB) {
			/* only files are written by a commit */
			git_tree_entry_free(te);
		} else {
			git_oid want, cur;
			git_filemode_t mode = git_tree_entry_filemode(te);
			struct stat wst;

			git_oid_cpy(&want, git_tree_entry_id(te));
			git_tree_entry_free(te);
			if (hash_work_file(c, line, &cur) != 0 ||
			    !git_oid_equal(&cur, &want)) {
				if ((rc = set_aside(c, line, notes)) != 0 ||
				    (rc = restore_file(c, line, &want, &wst)))
					goto out;
				if ((rc = add_note(notes,
				         "restored %s from HEAD", line)) != 0)
					goto out;
			} else if ((rc = stat_work_file(c, line, &wst)) != 0)
				goto out;
			if ((rc = index_add_stat(
			         index, line, &want, mode, &wst)))
				goto out;
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
write_pending_text(struct irt_case *c, const struct irt_buf *b)
{
	char p[PATH_MAX];

	snprintf(p, sizeof p, "%s%s", c->gitdir, PENDING);
	return irt_write_file_in_place(p, b->ptr ? b->ptr : "", b->len, 0644);
}

static int
write_pending(struct irt_case *c, const struct irt_case_file *files, size_t n)
{
	struct irt_buf b = IRT_BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		rc = irt_buf_printf(&b, "%s\n", files[i].path);
	if (rc == 0)
		rc = write_pending_text(c, &b);
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
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	s = p;
	while (*s != '\0') {
		size_t n = strcspn(s, "/");
		if ((n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.') ||
		    (n == 4 && strncasecmp(s, ".git", 4) == 0))
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

/* Writes a file of a commit into the work tree, never through a link. */
static int
write_work_file(struct irt_case *c, int root, const struct irt_case_file *f,
    struct stat *st)
{
	struct irt_buf shown = IRT_BUF_INIT;
	char dir[PATH_MAX];
	const char *base;
	int dfd, rc;

	split_path(f->path, dir, sizeof dir, &base);
	if ((rc = irt_openat_dir(&dfd, root, dir, 0755, c->path)) != 0)
		return rc;
	if ((rc = irt_buf_printf(&shown, "%s/%s", c->path, f->path)) == 0)
		rc = irt_write_file_at(
		    dfd, base, f->data, f->len, 0644, st, shown.ptr);
	close(dfd);
	irt_buf_release(&shown);
	return rc;
}

/* Records files just written to the work tree in the index. */
static int
update_index(struct irt_case *c, const struct irt_index_put *ip, size_t n)
{
	git_index *index = NULL;
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
	for (i = 0; i < n; i++)
		if ((rc = index_add_stat(index, ip[i].path, ip[i].oid,
		         GIT_FILEMODE_BLOB, ip[i].st)) != 0)
			goto out;
	rc = 0;
	if (git_index_write(index) != 0)
		rc = irt_git_error(IRT_ERROR, "cannot write the index");
out:
	git_index_free(index);
	return rc;
}

/*
 * The paths of a commit are checked before anything is written: each is
 * a path irt may write, given once, never both a file and the folder of
 * another; one already in base needs replace.
 */
static int
check_puts(
    const struct irt_case_file *files, size_t n, git_tree *base, int replace)
{
	git_tree_entry *te = NULL;
	size_t i, j, li;

	for (i = 0; i < n; i++) {
		if (!valid_rel_path(files[i].path))
			return irt_error_set(IRT_EINVAL, "invalid path '%s'",
			    irt_esc(files[i].path));
		li = strlen(files[i].path);
		for (j = 0; j < n; j++) {
			if (j == i)
				continue;
			if (strcmp(files[i].path, files[j].path) == 0)
				return irt_error_set(IRT_EINVAL,
				    "'%s' given twice", irt_esc(files[i].path));
			if (strncmp(files[i].path, files[j].path, li) == 0 &&
			    files[j].path[li] == '/')
				return irt_error_set(IRT_EINVAL,
				    "'%s' is put as a file and a folder",
				    irt_esc(files[i].path));
		}
		if (base == NULL)
			continue;
		if (git_tree_entry_bypath(&te, base, files[i].path) == 0) {
			int blob = git_tree_entry_type(te) == GIT_OBJECT_BLOB;

			git_tree_entry_free(te);
			if (!replace || !blob)
				return irt_error_set(IRT_EEXISTS,
				    "'%s' already exists",
				    irt_esc(files[i].path));
		}
		git_error_clear();
	}
	return 0;
}

/*
 * Moves the current branch (HEAD itself when detached) from old (NULL:
 * unborn) to id, with a reflog entry as git commit writes.  *landed says
 * whether the branch points at id afterwards, whatever was returned.
 */
static int
move_branch(struct irt_case *c, const git_oid *id, const git_oid *old,
    const char *subject, int *landed)
{
	git_reference *head = NULL, *ref = NULL;
	struct irt_buf msg = IRT_BUF_INIT, name = IRT_BUF_INIT;
	git_oid now;
	size_t i;
	int rc = 0;

	*landed = 0;
	if (git_reference_lookup(&head, c->repo, "HEAD") != 0)
		return irt_git_error(IRT_ERROR, "cannot read HEAD");
	rc = irt_buf_puts(&name,
	    git_reference_type(head) == GIT_REFERENCE_SYMBOLIC
	        ? git_reference_symbolic_target(head)
	        : "HEAD");
	git_reference_free(head);
	if (rc != 0 ||
	    irt_buf_printf(
	        &msg, "commit%s: %s", old ? "" : " (initial)", subject) != 0) {
		rc = IRT_ENOMEM;
		goto out;
	}
	for (i = 0; i < msg.len; i++)
		if (msg.ptr[i] == '\n')
			msg.ptr[i] = ' ';
	if (old != NULL)
		rc = git_reference_create_matching(
		    &ref, c->repo, name.ptr, id, 1, old, msg.ptr);
	else
		rc = git_reference_create(
		    &ref, c->repo, name.ptr, id, 0, msg.ptr);
	if (rc != 0)
		rc = irt_git_error(IRT_ECONFLICT, "cannot move the branch");
	/* an error after the ref file was renamed (its reflog) left it
	 * moved: what counts is where it points */
	if (git_reference_name_to_id(&now, c->repo, name.ptr) == 0 &&
	    git_oid_equal(&now, id))
		*landed = 1;
	git_error_clear();
out:
	git_reference_free(ref);
	irt_buf_release(&msg);
	irt_buf_release(&name);
	return rc;
}

/*
 * Undoes the work tree of a commit that did not land: each file written
 * is brought back to base (removed when it was not there).  0 when all
 * of them were; the pending paths then name nothing left to recover.
 */
static int
roll_back(struct irt_case *c, int root, const struct irt_case_file *files,
    size_t n, git_tree *base)
{
	git_tree_entry *te = NULL;
	struct stat st;
	char dir[PATH_MAX];
	const char *name;
	size_t i;
	int dfd, bad = 0;

	for (i = 0; i < n; i++) {
		if (base != NULL &&
		    git_tree_entry_bypath(&te, base, files[i].path) == 0) {
			if (restore_file(
			        c, files[i].path, git_tree_entry_id(te), &st))
				bad = 1;
			git_tree_entry_free(te);
			te = NULL;
			continue;
		}
		split_path(files[i].path, dir, sizeof dir, &name);
		if (irt_openat_dir(&dfd, root, dir, 0, c->path) != 0)
			continue; /* never written */
		/* what is not a file there was never written by it */
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && unlinkat(dfd, name, 0) != 0)
			bad = 1;
		close(dfd);
	}
	git_error_clear();
	irt_error_clear();
	return bad ? -1 : 0;
}

static int
commit_locked(struct irt_case *c, char oid_out[IRT_OID_HEX],
    const struct irt_case_file *files, size_t nfiles, int replace,
    const char *subject, const char *body, const struct irt_trailer *tr,
    size_t ntr, const struct irt_ident *who)
{
	struct irt_buf notes = IRT_BUF_INIT, msg = IRT_BUF_INIT;
	struct irt_index_put *ip = NULL;
	git_tree_update *up = NULL;
	struct stat *st = NULL;
	git_oid *blobs = NULL;
	git_commit *parent = NULL;
	git_tree *base = NULL;
	git_signature *sig = NULL;
	git_oid tree_oid, commit_oid;
	const git_oid *parent_ids[1];
	char hex[IRT_OID_HEX];
	size_t i, written = 0;
	int rc, root = -1, landed = 0, pending = 0;

	if ((rc = irt_case__remove_stale_locks(c, &notes)) != 0 ||
	    (rc = recover_pending(c, &notes)) != 0 ||
	    (rc = irt_case__head_commit(&parent, c->repo)) != 0)
		goto out;
	if (parent != NULL && git_commit_tree(&base, parent) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot read HEAD tree");
		goto out;
	}
	if ((rc = check_puts(files, nfiles, base, replace)) != 0)
		goto out;
	if ((up = calloc(nfiles + 1, sizeof *up)) == NULL ||
	    (ip = calloc(nfiles + 1, sizeof *ip)) == NULL ||
	    (st = calloc(nfiles + 1, sizeof *st)) == NULL ||
	    (blobs = calloc(nfiles + 1, sizeof *blobs)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < nfiles; i++) {
		/* a refused commit leaves only unreachable blobs */
		if (git_blob_create_from_buffer(
		        &blobs[i], c->repo, files[i].data, files[i].len) != 0) {
			rc = irt_git_error(IRT_EIO, "cannot store a file");
			goto out;
		}
		up[i].action = GIT_TREE_UPDATE_UPSERT;
		git_oid_cpy(&up[i].id, &blobs[i]);
		up[i].filemode = GIT_FILEMODE_BLOB;
		up[i].path = files[i].path;
	}
	/* only the trees on the paths are rewritten: with records sharded
	 * by day, a few small ones */
	if (git_tree_create_updated(&tree_oid, c->repo, base, nfiles, up)) {
		rc = irt_git_error(IRT_EINVAL, "cannot write the tree");
		goto out;
	}
	if ((rc = irt_case__signature(&sig, who)) != 0 ||
	    (rc = build_message(&msg, subject, body, tr, ntr, &notes)) != 0)
		goto out;
	parent_ids[0] = parent ? git_commit_id(parent) : NULL;
	if (git_commit_create_from_ids(&commit_oid, c->repo, NULL, sig, sig,
	        NULL, msg.ptr, &tree_oid, parent ? 1 : 0, parent_ids) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot commit");
		goto out;
	}
	if ((root = open(c->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(c->path));
		goto out;
	}
	if ((rc = write_pending(c, files, nfiles)) != 0)
		goto out;
	pending = 1;
	for (i = 0; i < nfiles; i++, written++) {
		if ((rc = write_work_file(c, root, &files[i], &st[i])) != 0)
			goto out;
		ip[i].path = files[i].path;
		ip[i].oid = &blobs[i];
		ip[i].st = &st[i];
	}
	rc = move_branch(c, &commit_oid, parent_ids[0], subject, &landed);
	git_oid_tostr(hex, sizeof hex, &commit_oid);
	if (!landed)
		goto out;
	if (rc != 0)
		irt_case__warn(
		    c, "commit %.12s landed, but: %s", hex, irt_error_last());
	if (oid_out != NULL)
		memcpy(oid_out, hex, IRT_OID_HEX);
	if ((rc = update_index(c, ip, nfiles)) != 0) {
		/* the record is committed: the next writer finishes it */
		irt_case__warn(c,
		    "commit %.12s landed, but the index was not updated: %s; "
		    "the next irt command that writes to the case updates it",
		    hex, irt_error_last());
		rc = 0;
		pending = 0;
		goto out;
	}
	clear_pending(c);
	pending = 0;
	rc = 0;
out:
	if (rc != 0 && pending && !landed) {
		int keep = rc;
		char why[1024];

		snprintf(why, sizeof why, "%s", irt_error_last());
		if (roll_back(c, root, files, written + (written < nfiles),
		        base) == 0)
			clear_pending(c);
		rc = irt_error_set(keep, "%s", why);
	}
	if (root >= 0)
		close(root);
	git_signature_free(sig);
	git_tree_free(base);
	git_commit_free(parent);
	free(up);
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

/* --- upgrade ----------------------------------------------------------- */

struct upgrade {
	struct irt_case *c;
	git_tree *base;
	git_tree_update *up;
	size_t n, cap;
	struct irt_buf paths;   /* the paths of the updates, NUL-separated */
	struct irt_buf pending; /* every path changed, one a line */
	size_t moved;
};

static int
up_add(struct upgrade *u, git_tree_update_t action, const char *path,
    const git_oid *id, git_filemode_t mode)
{
	git_tree_update *v;

	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 256;

		if ((v = realloc(u->up, cap * sizeof *v)) == NULL)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		u->up = v;
		u->cap = cap;
	}
	v = &u->up[u->n];
	memset(v, 0, sizeof *v);
	v->action = action;
	if (id != NULL)
		git_oid_cpy(&v->id, id);
	v->filemode = mode;
	/* the offset now, a pointer once every path is in */
	v->path = (const char *)(uintptr_t)u->paths.len;
	if (irt_buf_put(&u->paths, path, strlen(path) + 1) != 0 ||
	    irt_buf_printf(&u->pending, "%s\n", path) != 0)
		return IRT_ENOMEM;
	u->n++;
	return 0;
}

struct move_dir {
	struct upgrade *u;
	const char *from, *to;
	int rc;
};

/* Each file of a record folder (runs/<id>/...), at its new place. */
static int
move_file_cb(const char *root, const git_tree_entry *e, void *arg)
{
	struct move_dir *m = arg;
	struct irt_buf from = IRT_BUF_INIT, to = IRT_BUF_INIT;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	if (irt_buf_printf(
	        &from, "%s/%s%s", m->from, root, git_tree_entry_name(e)) != 0 ||
	    irt_buf_printf(
	        &to, "%s/%s%s", m->to, root, git_tree_entry_name(e)) != 0 ||
	    irt_buf_printf(&m->u->pending, "%s\n", from.ptr) != 0)
		m->rc = IRT_ENOMEM;
	else
		m->rc = up_add(m->u, GIT_TREE_UPDATE_UPSERT, to.ptr,
		    git_tree_entry_id(e), git_tree_entry_filemode(e));
	irt_buf_release(&from);
	irt_buf_release(&to);
	return m->rc != 0 ? -1 : 0;
}

/* Moves one flat record of dir to its sharded path. */
static int
upgrade_one(struct upgrade *u, const char *dir, const char *ext,
    const struct irt_rec *r)
{
	struct irt_buf to = IRT_BUF_INIT, from = IRT_BUF_INIT;
	git_tree_entry *old = NULL, *there = NULL;
	git_tree *folder = NULL;
	int rc;

	if (!irt_case__id_shardable(r->id)) {
		irt_case__warn(u->c,
		    "left '%s' where it is: its id has no date",
		    irt_esc(r->path));
		return 0;
	}
	/* the entry moved: the record file, or its folder */
	if ((rc = irt_buf_printf(&from, "%s/%s%s", dir, r->id,
	         ext[0] == '/' ? "" : ext)) != 0 ||
	    (rc = irt_case_shard_path(
	         &to, dir, r->id, ext[0] == '/' ? "" : ext)))
		goto out;
	if (git_tree_entry_bypath(&old, u->base, from.ptr) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot read a record");
		goto out;
	}
	if (git_tree_entry_bypath(&there, u->base, to.ptr) == 0 &&
	    !git_oid_equal(git_tree_entry_id(there), git_tree_entry_id(old))) {
		irt_case__warn(u->c,
		    "left '%s' where it is: '%s' holds other contents",
		    irt_esc(from.ptr), irt_esc(to.ptr));
		goto out;
	}
	git_error_clear();
	if (git_tree_entry_type(old) == GIT_OBJECT_TREE) {
		struct move_dir m = { u, from.ptr, to.ptr, 0 };

		if (git_tree_lookup(
		        &folder, u->c->repo, git_tree_entry_id(old)) != 0) {
			rc = irt_git_error(IRT_ERROR, "cannot read a record");
			goto out;
		}
		git_tree_walk(folder, GIT_TREEWALK_PRE, move_file_cb, &m);
		if ((rc = m.rc) != 0)
			goto out;
		/* the folder's paths are in pending: removed as one */
		rc = up_add(u, GIT_TREE_UPDATE_REMOVE, from.ptr, NULL, 0);
		u->pending.len -= from.len + 1;
	} else {
		if (there == NULL)
			rc = up_add(u, GIT_TREE_UPDATE_UPSERT, to.ptr,
			    git_tree_entry_id(old),
			    git_tree_entry_filemode(old));
		if (rc == 0)
			rc = up_add(
			    u, GIT_TREE_UPDATE_REMOVE, from.ptr, NULL, 0);
	}
	if (rc == 0)
		u->moved++;
out:
	git_tree_free(folder);
	git_tree_entry_free(old);
	git_tree_entry_free(there);
	irt_buf_release(&from);
	irt_buf_release(&to);
	return rc;
}

/* case.conf with "format = 2": the line replaced, comments kept. */
static int
conf_format(struct irt_buf *out, const char *conf, size_t len, int *changed)
{
	const char *p = conf, *end = conf + len, *eol;
	int seen = 0, rc = 0;

	*changed = 0;
	for (; p < end && !seen; p = eol) {
		const char *k = p;

		eol = memchr(p, '\n', (size_t)(end - p));
		eol = eol ? eol + 1 : end;
		while (k < eol && (*k == ' ' || *k == '\t'))
			k++;
		seen = strncmp(k, "format", 6) == 0 &&
		    k[6 + strspn(k + 6, " \t")] == '=';
	}
	/* again, from the start, now knowing whether there is a line */
	for (p = conf; p < end && rc == 0; p = eol) {
		const char *k = p;

		eol = memchr(p, '\n', (size_t)(end - p));
		eol = eol ? eol + 1 : end;
		while (k < eol && (*k == ' ' || *k == '\t'))
			k++;
		if (seen && strncmp(k, "format", 6) == 0 &&
		    k[6 + strspn(k + 6, " \t")] == '=') {
			rc =
			    irt_buf_puts(out, "format = " IRT_CASE_FORMAT "\n");
			continue;
		}
		rc = irt_buf_put(out, p, (size_t)(eol - p));
	}
	if (rc == 0 && len > 0 && conf[len - 1] != '\n')
		rc = irt_buf_putc(out, '\n');
	if (rc == 0 && !seen)
		rc = irt_buf_puts(out, "format = " IRT_CASE_FORMAT "\n");
	*changed = rc == 0 && (out->len != len || memcmp(out->ptr, conf, len));
	return rc;
}

/* A work tree with changes to committed files is not upgraded. */
static int
check_clean(struct irt_case *c)
{
	git_status_options so = GIT_STATUS_OPTIONS_INIT;
	git_status_list *list = NULL;
	const git_status_entry *e;
	int rc = 0;

	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&list, c->repo, &so) != 0)
		return irt_git_error(IRT_ERROR, "cannot read the work tree");
	if (git_status_list_entrycount(list) > 0) {
		const git_diff_delta *d;

		e = git_status_byindex(list, 0);
		d = e->index_to_workdir ? e->index_to_workdir
		                        : e->head_to_index;
		rc = irt_error_set(IRT_ECONFLICT,
		    "'%s' is changed in the work tree; commit or restore it "
		    "first (see irt case verify)",
		    irt_esc(d && d->old_file.path ? d->old_file.path : "?"));
	}
	git_status_list_free(list);
	return rc;
}

/* The folders irt writes into must not be links before checkout. */
static int
check_work_dirs(struct irt_case *c)
{
	size_t i;
	int root, fd, rc = 0;

	if ((root = open(c->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(c->path));
	for (i = 0; irt_case__shard_dirs[i].dir != NULL && rc == 0; i++) {
		rc = irt_openat_dir(
		    &fd, root, irt_case__shard_dirs[i].dir, 0, c->path);
		if (rc == 0)
			close(fd);
		else if (irt_error_code() == IRT_EIO) /* absent */
			rc = 0;
	}
	close(root);
	return rc;
}

static int
upgrade_locked(struct irt_case *c, size_t *moved, char oid_out[IRT_OID_HEX],
    const struct irt_ident *who)
{
	struct upgrade u;
	struct irt_buf notes = IRT_BUF_INIT, msg = IRT_BUF_INIT;
	struct irt_buf conf = IRT_BUF_INIT, newconf = IRT_BUF_INIT;
	struct irt_recs recs = { 0 };
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
	git_oid tree_oid, commit_oid, blob;
	const git_oid *parent_ids[1];
	char hex[IRT_OID_HEX], count[32];
	struct irt_trailer tr[3];
	size_t i, j;
	int rc, changed = 0, landed = 0;

	memset(&u, 0, sizeof u);
	u.c = c;
	*moved = 0;
	if ((rc = irt_case__remove_stale_locks(c, &notes)) != 0 ||
	    (rc = recover_pending(c, &notes)) != 0 ||
	    (rc = irt_case__head_commit(&parent, c->repo)) != 0)
		goto out;
	if (parent == NULL || git_commit_tree(&u.base, parent) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot read HEAD tree");
		goto out;
	}
	for (i = 0; irt_case__shard_dirs[i].dir != NULL; i++) {
		const char *dir = irt_case__shard_dirs[i].dir;
		const char *ext = irt_case__shard_dirs[i].ext;

		if ((rc = irt_case__records(
		         &recs, c->repo, u.base, dir, ext, NULL, NULL)) != 0)
			goto out;
		for (j = 0; j < recs.n && rc == 0; j++)
			if (!recs.v[j].sharded)
				rc = upgrade_one(&u, dir, ext, &recs.v[j]);
		irt_case__recs_release(&recs);
		if (rc != 0)
			goto out;
	}
	if ((rc = irt_case_read(c, &conf, IRT_CASE_CONF)) != 0 ||
	    (rc = conf_format(&newconf, conf.ptr, conf.len, &changed)) != 0)
		goto out;
	if (u.moved == 0 && !changed)
		goto out; /* nothing to do */
	if ((rc = check_clean(c)) != 0)
		goto out;
	if (changed) {
		if (git_blob_create_from_buffer(
		        &blob, c->repo, newconf.ptr, newconf.len) != 0) {
			rc = irt_git_error(IRT_EIO, "cannot store a file");
			goto out;
		}
		if ((rc = up_add(&u, GIT_TREE_UPDATE_UPSERT, IRT_CASE_CONF,
		         &blob, GIT_FILEMODE_BLOB)) != 0)
			goto out;
	}
	for (i = 0; i < u.n; i++)
		u.up[i].path = u.paths.ptr + (uintptr_t)u.up[i].path;
	if (git_tree_create_updated(&tree_oid, c->repo, u.base, u.n, u.up) ||
	    git_tree_lookup(&tree, c->repo, &tree_oid) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot write the tree");
		goto out;
	}
	snprintf(count, sizeof count, "%zu", u.moved);
	tr[0].key = "Irt-Action";
	tr[0].value = "case-upgrade";
	tr[1].key = "Irt-Format";
	tr[1].value = IRT_CASE_FORMAT;
	tr[2].key = "Irt-Moved";
	tr[2].value = count;
	if ((rc = irt_case__signature(&sig, who)) != 0 ||
	    (rc = irt_buf_printf(&msg,
	         "case: upgrade to format %s, %zu records sharded by day",
	         IRT_CASE_FORMAT, u.moved)) != 0)
		goto out;
	{
		struct irt_buf subject = IRT_BUF_INIT;

		rc = irt_buf_puts(&subject, msg.ptr);
		irt_buf_clear(&msg);
		if (rc == 0)
			rc = build_message(
			    &msg, subject.ptr, NULL, tr, 3, &notes);
		irt_buf_release(&subject);
		if (rc != 0)
			goto out;
	}
	parent_ids[0] = git_commit_id(parent);
	if (git_commit_create_from_ids(&commit_oid, c->repo, NULL, sig, sig,
	        NULL, msg.ptr, &tree_oid, 1, parent_ids) != 0) {
		rc = irt_git_error(IRT_ERROR, "cannot commit");
		goto out;
	}
	/* checkout writes by path: the folders must not be links */
	if ((rc = check_work_dirs(c)) != 0 ||
	    (rc = write_pending_text(c, &u.pending)) != 0)
		goto out;
	rc = move_branch(
	    c, &commit_oid, parent_ids[0], "case: upgrade", &landed);
	git_oid_tostr(hex, sizeof hex, &commit_oid);
	if (!landed) {
		clear_pending(c);
		goto out;
	}
	rc = 0;
	*moved = u.moved;
	if (oid_out != NULL)
		memcpy(oid_out, hex, IRT_OID_HEX);
	/* the work tree and the index follow, from the old tree */
	co.checkout_strategy = GIT_CHECKOUT_SAFE;
	co.baseline = u.base;
	if (git_checkout_tree(c->repo, (git_object *)tree, &co) != 0) {
		irt_case__warn(c,
		    "commit %.12s landed, but the work tree was not updated: "
		    "%s; the next irt command that writes to the case "
		    "updates it",
		    hex, git_error_last() ? git_error_last()->message : "?");
		git_error_clear();
		goto out;
	}
	clear_pending(c);
	irt_case__load_conf(c);
out:
	irt_case__recs_release(&recs);
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(u.base);
	git_commit_free(parent);
	free(u.up);
	irt_buf_release(&u.paths);
	irt_buf_release(&u.pending);
	irt_buf_release(&notes);
	irt_buf_release(&msg);
	irt_buf_release(&conf);
	irt_buf_release(&newconf);
	return rc;
}

int
irt_case_upgrade(struct irt_case *c, size_t *moved, char oid_out[IRT_OID_HEX],
    const struct irt_ident *who)
{
	int rc;

	if ((rc = irt_case__lock(c)) != 0)
		return rc;
	rc = upgrade_locked(c, moved, oid_out, who);
	irt_case__unlock(c);
	return rc;
}

/* --- init -------------------------------------------------------------- */

int
irt_case__dir_usable(const char *path)
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
	if ((rc = irt_case__dir_usable(path)) != 0)
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
	    (rc = irt_kv_add(&kv, "format", IRT_CASE_FORMAT)))
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
