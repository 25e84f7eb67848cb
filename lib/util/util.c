#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "config.h"
#include "internal.h"
#include "irt/irt.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

/* The set-ups that git_libgit2_init() left to irt_lib_load_transports(). */
static pthread_mutex_t defer_lock = PTHREAD_MUTEX_INITIALIZER;
static int deferring;
static int (*deferred[4])(void);
static size_t ndeferred;

static void
lib_shutdown(void)
{
	git_libgit2_shutdown();
}

static void
lib_init(void)
{
	deferring = 1;
	git_libgit2_init();
	deferring = 0;
	/* irt_case_verify rehashes every object itself */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
	/* keep big trees (a notes/ folder of thousands) in the cache */
	git_libgit2_opts(
	    GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)64 << 20);
	atexit(lib_shutdown);
}

void
irt_lib_init(void)
{
	pthread_once(&init_once, lib_init);
}

int
irt_lib_defer_init(int (*fn)(void))
{
	if (!deferring || ndeferred == sizeof deferred / sizeof deferred[0])
		return 0;
	deferred[ndeferred++] = fn;
	return 1;
}

int
irt_lib_load_transports(void)
{
	size_t i;
	int rc = 0;

	irt_lib_init();
	pthread_mutex_lock(&defer_lock);
	for (i = 0; i < ndeferred && rc == 0; i++)
		if (deferred[i]() < 0)
			rc = irt_git_error(
			    IRT_ERROR, "cannot set up the network transports");
	/* what ran is done; what failed is tried again the next time */
	if (rc != 0)
		i--;
	memmove(deferred, deferred + i, (ndeferred - i) * sizeof *deferred);
	ndeferred -= i;
	pthread_mutex_unlock(&defer_lock);
	return rc;
}

int
irt_dl_load(struct irt_dl *dl)
{
	void *h;
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&dl_lock);
	if (dl->handle != NULL)
		goto out;
	if ((h = dlopen(dl->soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		rc = irt_error_set(
		    IRT_ENOTFOUND, "%s needs %s", dl->what, dlerror());
		goto out;
	}
	for (i = 0; dl->syms[i].name != NULL; i++)
		if ((*dl->syms[i].fn = dlsym(h, dl->syms[i].name)) == NULL) {
			rc = irt_error_set(IRT_ENOTFOUND, "%s needs %s from %s",
			    dl->what, dl->syms[i].name, dl->soname);
			dlclose(h);
			goto out;
		}
	dl->handle = h;
out:
	pthread_mutex_unlock(&dl_lock);
	return rc;
}

int
irt_git_error(int code, const char *what)
{
	const git_error *e = git_error_last();

	if (e != NULL && e->message != NULL)
		return irt_error_set(code, "%s: %s", what, e->message);
	return irt_error_set(code, "%s", what);
}

int
irt_mkdirs(const char *path, int mode)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path), i;

	if (len == 0 || len >= sizeof tmp)
		return irt_error_set(
		    IRT_EINVAL, "invalid path '%s'", irt_esc(path));
	memcpy(tmp, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST)
			return irt_error_sys(
			    IRT_EIO, errno, "cannot create '%s'", irt_esc(tmp));
		tmp[i] = path[i];
	}
	return 0;
}

/* The first len bytes of rel, escaped, below shown: for messages. */
static const char *
sub_path(const char *shown, const char *rel, size_t len)
{
	static _Thread_local char p[PATH_MAX + NAME_MAX + 2];

	snprintf(p, sizeof p, "%s/%.*s", shown, (int)len, rel);
	return irt_esc(p);
}

/* Why openat(O_NOFOLLOW) of a component failed, for the message. */
static int
open_fail(int e, int dirfd, const char *name, const char *at)
{
	struct stat st;

	if ((e == ELOOP || e == ENOTDIR) &&
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return irt_error_set(IRT_EPERM,
			    "'%s' is a symbolic link; irt does not write "
			    "through links",
			    at);
		if (!S_ISDIR(st.st_mode))
			return irt_error_set(
			    IRT_EINVAL, "'%s' is not a folder", at);
	}
	return irt_error_sys(IRT_EIO, e, "cannot open '%s'", at);
}

int
irt_openat_dir(
    int *out, int dirfd, const char *rel, int mode, const char *shown)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	char name[NAME_MAX + 1];
	const char *p = rel, *slash;
	size_t n;
	int fd, next;

	*out = -1;
	if ((fd = openat(dirfd, ".", flags)) < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(shown));
	while (*p != '\0') {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || n > NAME_MAX || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.')) {
			close(fd);
			return irt_error_set(
			    IRT_EINVAL, "invalid path '%s'", irt_esc(rel));
		}
		memcpy(name, p, n);
		name[n] = '\0';
		next = openat(fd, name, flags);
		if (next < 0 && errno == ENOENT && mode != 0) {
			if (mkdirat(fd, name, (mode_t)mode) != 0 &&
			    errno != EEXIST) {
				int e = errno;

				close(fd);
				return irt_error_sys(IRT_EIO, e,
				    "cannot create '%s'",
				    sub_path(
				        shown, rel, (size_t)(p - rel) + n));
			}
			next = openat(fd, name, flags);
		}
		if (next < 0) {
			int rc, e = errno;

			rc = open_fail(e, fd, name,
			    sub_path(shown, rel, (size_t)(p - rel) + n));
			close(fd);
			return rc;
		}
		close(fd);
		fd = next;
		p += n;
		if (*p == '/')
			p++;
	}
	*out = fd;
	return 0;
}

int
irt_write_file_at(int dirfd, const char *name, const void *data, size_t len,
    int mode, struct stat *st, const char *shown)
{
	char tmp[NAME_MAX + 64];
	int fd, e;

	if (snprintf(tmp, sizeof tmp, ".%s.tmp.%ld", name, (long)getpid()) >=
	    (int)sizeof tmp)
		return irt_error_set(
		    IRT_EINVAL, "name too long: '%s'", irt_esc(shown));
	/* one left by a killed process of the same pid */
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
	if (fd == -1)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot create '%s'", irt_esc(shown));
	if (irt_write_all(fd, data, len) != 0) {
		e = errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return irt_error_sys(
		    IRT_EIO, e, "cannot write '%s'", irt_esc(shown));
	}
	if (close(fd) != 0 || renameat(dirfd, tmp, dirfd, name) != 0) {
		e = errno;
		unlinkat(dirfd, tmp, 0);
		if (e == EISDIR || e == ENOTEMPTY)
			return irt_error_set(IRT_EINVAL,
			    "cannot write '%s': a folder is in the way",
			    irt_esc(shown));
		return irt_error_sys(
		    IRT_EIO, e, "cannot write '%s'", irt_esc(shown));
	}
	if (st != NULL && fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) != 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot stat '%s'", irt_esc(shown));
	return 0;
}

int
irt_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
irt_write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	char *tmp;
	int fd, e;

	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    (mode_t)mode);
	if (fd == -1) {
		e = errno;
		free(tmp);
		return irt_error_sys(
		    IRT_EIO, e, "cannot create '%s'", irt_esc(path));
	}
	if (irt_write_all(fd, data, len) != 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		return irt_error_sys(
		    IRT_EIO, e, "cannot write '%s'", irt_esc(path));
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		free(tmp);
		return irt_error_sys(
		    IRT_EIO, e, "cannot write '%s'", irt_esc(path));
	}
	free(tmp);
	return 0;
}

int
irt_write_file_in_place(
    const char *path, const void *data, size_t len, int mode)
{
	int fd, e;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    (mode_t)mode);
	if (fd == -1)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot create '%s'", irt_esc(path));
	if (irt_write_all(fd, data, len) != 0) {
		e = errno;
		close(fd);
		return irt_error_sys(
		    IRT_EIO, e, "cannot write '%s'", irt_esc(path));
	}
	if (close(fd) != 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot write '%s'", irt_esc(path));
	return 0;
}

int
irt_read_fd(struct irt_buf *b, int fd, size_t max)
{
	char tmp[65536];
	size_t total = 0, want;
	ssize_t n;

	while (total < max) {
		want = max - total < sizeof tmp ? max - total : sizeof tmp;
		n = read(fd, tmp, want);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return irt_error_sys(IRT_EIO, errno, "read failed");
		}
		if (irt_buf_put(b, tmp, (size_t)n) != 0)
			return IRT_ENOMEM;
		total += (size_t)n;
	}
	return 0;
}

const char *
irt_version(void)
{
	return IRT_VERSION;
}
