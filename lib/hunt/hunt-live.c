/*
 * The running host (--live), without writing an archive: the process
 * and socket tables of irt collect's live response (read from /proc by
 * lib/collect), each process's executable (hashes, YARA) and, for YARA
 * as root, its memory; the logs under /var/log through the timeline.
 * And the files of an fs: tree, for the content scan and YARA.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "collect/collect-int.h"
#include "hunt-int.h"

#define CHUNK (1u << 18)
#define DEPTH_MAX 64

/* Reads an open file into the file matchers. */
static int
feed_fd(struct irt_hunt *h, int fd, const struct hunt_file *f, char *buf)
{
	ssize_t k;
	int rc = 0;

	while ((k = read(fd, buf, CHUNK)) > 0) {
		if ((rc = hunt_file_data(h, f, buf, (size_t)k, false)) != 0 ||
		    (rc = hunt_file_data(h, f, buf, (size_t)k, true)) != 0)
			break;
		if (h->o.cancel && *h->o.cancel)
			return irt_error_set(IRT_EABORT, "interrupted");
	}
	if (k < 0)
		hunt_warn(h, "cannot read '%s': %s", irt_esc(f->location),
		    strerror(errno));
	return rc;
}

/* Opens a file for reading without changing its atime where allowed,
 * without following a symlink and without blocking on a FIFO. */
static int
open_evidence(int dirfd, const char *name)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
	int fd = openat(dirfd, name, flags | O_NOATIME);

	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, flags);
	return fd;
}

static int
walk(struct irt_hunt *h, int dfd, struct irt_buf *path, const char *label,
    const char *host, int depth, char *buf)
{
	DIR *d;
	struct dirent *de;
	size_t base = path->len;
	int rc = 0;

	if (depth > DEPTH_MAX) {
		hunt_warn(h, "'%s': deeper than %d folders, not read",
		    irt_esc(path->ptr), DEPTH_MAX);
		close(dfd);
		return 0;
	}
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		struct stat st;
		struct hunt_file f;
		bool any;
		int fd;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		path->len = base;
		path->ptr[base] = '\0';
		irt_buf_printf(path, "%s%s",
		    base > 0 && path->ptr[base - 1] == '/' ? "" : "/",
		    de->d_name);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
		    0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				rc = walk(
				    h, sub, path, label, host, depth + 1, buf);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue; /* symlinks, FIFOs, devices: not read */
		memset(&f, 0, sizeof f);
		f.source = label;
		f.location = path->ptr;
		f.path = path->ptr;
		f.host = host;
		f.mtime = (irt_ns)st.st_mtim.tv_sec * IRT_NS_PER_SEC +
		    st.st_mtim.tv_nsec;
		f.size = (uint64_t)st.st_size;
		f.content = true;
		if ((rc = hunt_file_begin(h, &f, &any)) != 0)
			break;
		if (any) {
			if ((fd = open_evidence(dirfd(d), de->d_name)) < 0)
				hunt_warn(h, "cannot open '%s': %s",
				    irt_esc(path->ptr), strerror(errno));
			else {
				rc = feed_fd(h, fd, &f, buf);
				close(fd);
			}
		}
		if (rc == 0)
			rc = hunt_file_end(h, &f);
	}
	closedir(d);
	path->len = base;
	if (path->ptr)
		path->ptr[base] = '\0';
	return rc;
}

int
hunt_fs_files(
    struct irt_hunt *h, const char *dir, const char *label, const char *host)
{
	struct irt_buf path = IRT_BUF_INIT;
	char *buf;
	int dfd, rc;

	if (!(h->o.content || h->yara != NULL))
		return 0;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(dir));
	if ((buf = malloc(CHUNK)) == NULL) {
		close(dfd);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	irt_buf_puts(&path, dir);
	while (path.len > 1 && path.ptr[path.len - 1] == '/')
		path.ptr[--path.len] = '\0';
	rc = walk(h, dfd, &path, label, host, 0, buf);
	free(buf);
	irt_buf_release(&path);
	return rc;
}

/* ---- the live host ---- */

/* Feeds a JSONL table to a record parser. */
static int
table(struct irt_hunt *h, const struct irt_buf *b, const struct hunt_file *f,
    int (*fn)(struct irt_hunt *, const char *, size_t, const struct hunt_file *,
        uint64_t))
{
	const char *p = b->ptr, *end = b->ptr + b->len, *nl;
	uint64_t line = 0;
	int rc = 0;

	while (p != NULL && p < end && rc == 0) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		rc = fn(h, p, (size_t)(nl - p), f, ++line);
		p = nl + 1;
	}
	return rc;
}

/* The executable of each process: hashes are in the table; YARA reads
 * it through /proc/PID/exe (which works for a deleted one too), and
 * each executable once. */
static int
processes(
    struct irt_hunt *h, const struct irt_buf *b, const char *host, char *buf)
{
	const char *p = b->ptr, *end = b->ptr + b->len, *nl;
	char **seen = NULL;
	size_t nseen = 0, i;
	bool warned = false;
	int rc = 0;

	while (p != NULL && p < end && rc == 0) {
		json_object *o, *v;
		int pid = -1;
		const char *exe = NULL;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		o = json_tokener_parse(strndupa(p, (size_t)(nl - p)));
		p = nl + 1;
		if (o == NULL)
			continue;
		if (json_object_object_get_ex(o, "pid", &v))
			pid = json_object_get_int(v);
		if (json_object_object_get_ex(o, "exe", &v) &&
		    json_object_is_type(v, json_type_string))
			exe = json_object_get_string(v);
		if (pid > 0 && exe != NULL && h->yara != NULL) {
			bool dup = false;
			for (i = 0; i < nseen; i++)
				if (strcmp(seen[i], exe) == 0)
					dup = true;
			if (!dup) {
				char **ns =
				    realloc(seen, (nseen + 1) * sizeof *ns);
				char link[64];
				struct hunt_file f;
				bool any;
				int fd;
				if (ns == NULL) {
					json_object_put(o);
					rc = IRT_ENOMEM;
					break;
				}
				seen = ns;
				seen[nseen++] = strdup(exe);
				memset(&f, 0, sizeof f);
				f.source = "live:processes";
				f.location = exe;
				f.path = exe;
				f.host = host;
				snprintf(
				    link, sizeof link, "/proc/%d/exe", pid);
				if ((rc = hunt_file_begin(h, &f, &any)) == 0 &&
				    any &&
				    (fd = open(link,
				         O_RDONLY | O_CLOEXEC | O_NONBLOCK)) >=
				        0) {
					rc = feed_fd(h, fd, &f, buf);
					close(fd);
				}
				if (rc == 0)
					rc = hunt_file_end(h, &f);
			}
			if (rc == 0 && geteuid() == 0)
				rc = hunt_process(h, pid, exe, host);
			else if (rc == 0 && !warned) {
				hunt_warn(h,
				    "process memory is scanned as root "
				    "only");
				warned = true;
			}
		}
		json_object_put(o);
	}
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	return rc;
}

/* The logs under /var/log the timeline can read. */
static int
logs(struct irt_hunt *h, struct irt_tl *tl, const char *dir, const char *host,
    int depth)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > 4 || (d = opendir(dir)) == NULL)
		return 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char *p = NULL, *spec = NULL;
		const char *k;
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
			break;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (strcmp(de->d_name, "journal") == 0) {
				if (asprintf(&spec, "journal:%s", p) >= 0 &&
				    irt_tl_add(tl, spec, host) != 0)
					hunt_warn(h, "%s", irt_error_last());
			} else
				rc = logs(h, tl, p, host, depth + 1);
		} else if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    (k = irt_tl_detect(p)) != NULL &&
		    strcmp(k, "archive") != 0 && strcmp(k, "bodyfile") != 0 &&
		    strcmp(k, "journal") != 0) {
			if (irt_tl_add(tl, p, host) != 0) {
				if (irt_error_code() == IRT_EABORT)
					rc = IRT_EABORT;
				else
					hunt_warn(h, "%s", irt_error_last());
			}
		}
		free(spec);
		free(p);
	}
	closedir(d);
	return rc;
}

int
irt_hunt_live(struct irt_hunt *h, const char *host)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_tl *tl = NULL;
	struct hunt_file f;
	char *buf;
	int rc;

	if ((buf = malloc(CHUNK)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	h->cur_host = host;
	memset(&f, 0, sizeof f);
	f.host = host;
	h->cur_source = "live:processes";
	f.source = h->cur_source;
	f.location = "processes";
	if ((rc = irt_live_processes(&b, 256u << 20, NULL, NULL)) == 0 &&
	    (h->im == NULL ||
	        (rc = table(h, &b, &f, hunt_ioc_process_line)) == 0))
		rc = processes(h, &b, host, buf);
	irt_buf_clear(&b);
	if (rc == 0) {
		h->cur_source = "live:sockets";
		f.source = h->cur_source;
		f.location = "sockets";
		if (h->im != NULL && (rc = irt_live_sockets(&b)) == 0)
			rc = table(h, &b, &f, hunt_ioc_socket_line);
	}
	irt_buf_release(&b);
	free(buf);
	if (rc == 0 && hunt_wants_events(h)) {
		struct irt_buf dir = IRT_BUF_INIT;
		const char *root = h->o.root ? h->o.root : "";
		size_t n = strlen(root);
		/* the root's own /var/log: "/srv/img/" and "/" alike */
		while (n > 0 && root[n - 1] == '/')
			n--;
		h->cur_source = "live:logs";
		if (irt_buf_put(&dir, root, n) != 0 ||
		    irt_buf_puts(&dir, "/var/log") != 0)
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
		else if ((rc = hunt_tl_new(h, &tl)) == 0)
			rc = logs(h, tl, dir.ptr, host, 0);
		irt_tl_free(tl);
		irt_buf_release(&dir);
	}
	return rc;
}
