/*
 * Live response read from /proc (processes, sockets) and the host
 * identity written to irt/host.json.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "collect-int.h"
#include "util/internal.h"
#include "irt/error.h"
#include "irt/json.h"
#include "irt/escape.h"
#include "irt/hash.h"
#include "irt/irt.h"

/* Reads a small file into b (cleared first); 0 or -1. */
static int
slurp(struct irt_buf *b, const char *path, size_t max)
{
	int fd, rc;

	irt_buf_clear(b);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	rc = irt_read_fd(b, fd, max);
	close(fd);
	if (rc == 0 && b->ptr == NULL)
		rc = irt_buf_grow(b, 0);
	return rc == 0 ? 0 : -1;
}

/* openat2(2): symbolic links resolved as if root were '/'. */
static int
open_in_root(int rootfd, const char *rel, int flags)
{
	struct open_how how;

	memset(&how, 0, sizeof how);
	how.flags = (uint64_t)flags;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	return (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof how);
}

/* Without openat2: one component at a time, following no link. */
static int
open_no_links(int rootfd, const char *rel, int flags)
{
	char *copy, *comp, *next;
	int dfd = rootfd, fd = -1, e;

	while (*rel == '/')
		rel++;
	if ((copy = strdup(rel)) == NULL)
		return -1;
	for (comp = copy; comp != NULL; comp = next) {
		if ((next = strchr(comp, '/')) != NULL) {
			*next++ = '\0';
			while (*next == '/')
				next++;
			if (*next == '\0')
				next = NULL;
		}
		if (next == NULL)
			fd = openat(dfd, comp, flags | O_NOFOLLOW);
		else
			fd = openat(dfd, comp,
			    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		e = errno;
		if (dfd != rootfd)
			close(dfd);
		if (fd == -1 || next == NULL)
			break;
		dfd = fd;
		fd = -1;
	}
	free(copy);
	errno = e;
	return fd;
}

/*
 * Opens rel inside the root (openat2, else step by step without links),
 * without changing its access time where the kernel allows it: a file
 * another user owns refuses O_NOATIME (EPERM), and is then opened
 * without it and counted in noatime_fallbacks.
 */
static int
open_root(int rootfd, const char *rel, int flags, uint64_t *noatime_fallbacks)
{
	int fd;

	fd = open_in_root(rootfd, rel, flags);
	if (fd == -1 && errno == EPERM) {
		fd = open_in_root(rootfd, rel, flags & ~O_NOATIME);
		if (fd >= 0 && noatime_fallbacks != NULL)
			(*noatime_fallbacks)++;
	}
	if (fd == -1 && errno == ENOSYS) {
		fd = open_no_links(rootfd, rel, flags);
		if (fd == -1 && errno == EPERM) {
			fd = open_no_links(rootfd, rel, flags & ~O_NOATIME);
			if (fd >= 0 && noatime_fallbacks != NULL)
				(*noatime_fallbacks)++;
		}
	}
	return fd;
}

int
irt_root_open_file(int rootfd, const char *rel, uint64_t *noatime_fallbacks)
{
	int fd, e;
	struct stat st;

	fd = open_root(rootfd, rel,
	    O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOATIME | O_CLOEXEC,
	    noatime_fallbacks);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) != 0)
		e = errno;
	else if (!S_ISREG(st.st_mode))
		e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
	else
		return fd;
	close(fd);
	errno = e;
	return -1;
}

int
irt_root_open_dir(int rootfd, const char *rel, uint64_t *noatime_fallbacks)
{
	return open_root(rootfd, rel,
	    O_RDONLY | O_DIRECTORY | O_NOCTTY | O_NOATIME | O_CLOEXEC,
	    noatime_fallbacks);
}

/* Reads a symlink; NULL when it cannot be read. */
static char *
read_link(const char *path)
{
	char buf[4097];
	ssize_t n;

	n = readlink(path, buf, sizeof buf - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

static int
is_pid(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static irt_ns
boot_time(void)
{
	struct irt_buf b = IRT_BUF_INIT;
	const char *p;
	irt_ns t = 0;

	if (slurp(&b, "/proc/stat", 1 << 20) == 0 &&
	    (p = strstr(irt_buf_cstr(&b), "\nbtime ")) != NULL)
		t = (irt_ns)strtoll(p + 7, NULL, 10) * IRT_NS_PER_SEC;
	irt_buf_release(&b);
	return t;
}

struct exe_cache {
	dev_t dev;
	ino_t ino;
	char sha[65];
	int ok;
};

static int
exe_hash(char out[65], const char *path, uint64_t cap, struct exe_cache **cache,
    size_t *ncache, uint64_t *noatime_fallbacks)
{
	struct irt_hash *h;
	struct stat st;
	char buf[65536];
	ssize_t n;
	size_t i;
	int fd;

	/* quiet as the collection: the executable's atime stays */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME)) == -1 &&
	    errno == EPERM) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && noatime_fallbacks != NULL)
			(*noatime_fallbacks)++;
	}
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > cap) {
		close(fd);
		return -1;
	}
	for (i = 0; i < *ncache; i++)
		if ((*cache)[i].dev == st.st_dev &&
		    (*cache)[i].ino == st.st_ino) {
			close(fd);
			if (!(*cache)[i].ok)
				return -1;
			memcpy(out, (*cache)[i].sha, 65);
			return 0;
		}
	if (irt_hash_new(&h, IRT_HASH_SHA256) != 0) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof buf)) > 0)
		irt_hash_update(h, buf, (size_t)n);
	close(fd);
	if (n < 0 || irt_hash_final(h) != 0) {
		irt_hash_free(h);
		return -1;
	}
	memcpy(out, irt_hash_hex(h, IRT_HASH_SHA256), 65);
	irt_hash_free(h);
	{
		struct exe_cache *nc =
		    realloc(*cache, (*ncache + 1) * sizeof *nc);
		if (nc != NULL) {
			*cache = nc;
			nc[*ncache].dev = st.st_dev;
			nc[*ncache].ino = st.st_ino;
			memcpy(nc[*ncache].sha, out, 65);
			nc[*ncache].ok = 1;
			(*ncache)++;
		}
	}
	return 0;
}

/* A link's target without " (deleted)", and whether it had it. */
static void
json_link(
    struct irt_jw *w, const char *key, const char *target, const char *flag)
{
	size_t n = target != NULL ? strlen(target) : 0;
	int deleted = 0;

	if (n > 10 && strcmp(target + n - 10, " (deleted)") == 0) {
		deleted = 1;
		n -= 10;
	}
	irt_jw_strn(w, key, target, n);
	if (flag)
		irt_jw_bool(w, flag, deleted);
}

/* Adds a file to copy; -1 without memory. */
static int
copy_add(struct irt_live_copies *cp, int pid, int fd, const char *why)
{
	struct irt_live_copy *nv;

	if (cp->n == cp->cap) {
		size_t ncap = cp->cap ? cp->cap * 2 : 16;
		if ((nv = realloc(cp->v, ncap * sizeof *nv)) == NULL)
			return -1;
		cp->v = nv;
		cp->cap = ncap;
	}
	cp->v[cp->n].pid = pid;
	cp->v[cp->n].fd = fd;
	cp->v[cp->n].why = why;
	cp->n++;
	return 0;
}

/* Why an executable at target (a /proc/PID/exe link) is copied, or NULL. */
static const char *
exe_why(const char *target)
{
	static const char *const places[] = { "/tmp/", "/var/tmp/", "/dev/shm/",
		"/home/", "/root/", "/run/user/" };
	size_t i, n = strlen(target);

	if (strncmp(target, "/memfd:", 7) == 0)
		return "memfd";
	if (n > 10 && strcmp(target + n - 10, " (deleted)") == 0)
		return "deleted";
	for (i = 0; i < sizeof places / sizeof places[0]; i++)
		if (strncmp(target, places[i], strlen(places[i])) == 0)
			return "location";
	return NULL;
}

/* The NUL-separated strings of b as a JSON array. */
static void
json_strings(struct irt_jw *w, const char *key, const struct irt_buf *b)
{
	size_t pos = 0;

	irt_jw_array(w, key);
	while (pos < b->len) {
		size_t n = strnlen(b->ptr + pos, b->len - pos);
		irt_jw_strn(w, NULL, b->ptr + pos, n);
		pos += n + 1;
	}
	irt_jw_end(w);
}

/*
 * A summary of /proc/PID/maps: regions, executable regions backed by no
 * file (injected code, JIT), writable and executable regions, and the
 * files mapped executable (a library preloaded or injected shows there).
 */
static void
json_maps(struct irt_jw *w, const struct irt_buf *b)
{
	struct irt_pathset files;
	struct irt_buf names = IRT_BUF_INIT;
	struct irt_jw nw;
	unsigned long long regions = 0, anon_x = 0, rwx = 0;
	size_t pos = 0;

	memset(&files, 0, sizeof files);
	irt_jw_init(&nw, &names);
	irt_jw_array(&nw, NULL);
	while (pos < b->len) {
		const char *l = b->ptr + pos, *nl, *p;
		char perms[5];
		size_t len, n;
		int f;

		nl = memchr(l, '\n', b->len - pos);
		len = nl ? (size_t)(nl - l) : b->len - pos;
		pos += len + 1;
		/* address perms offset dev inode [path] */
		p = l;
		for (f = 0; f < 5 && p < l + len; f++) {
			const char *sp = memchr(p, ' ', (size_t)(l + len - p));
			if (f == 1) {
				n = sp ? (size_t)(sp - p) : 0;
				if (n != 4)
					break;
				memcpy(perms, p, 4);
				perms[4] = '\0';
			}
			if (sp == NULL) {
				p = l + len;
				break;
			}
			p = sp + 1;
		}
		if (f < 2)
			continue;
		regions++;
		while (p < l + len && *p == ' ')
			p++;
		if (perms[2] != 'x')
			continue;
		if (perms[1] == 'w')
			rwx++;
		if (p == l + len ||
		    (*p == '[' && strncmp(p, "[vdso]", 6) != 0 &&
		        strncmp(p, "[vsyscall]", 10) != 0)) {
			anon_x++;
			continue;
		}
		if (*p == '[')
			continue;
		n = (size_t)(l + len - p);
		{
			char *name = strndup(p, n);
			int had;
			if (name == NULL)
				break;
			had = irt_pathset_add(&files, name);
			if (had == 0)
				irt_jw_strn(&nw, NULL, p, n);
			free(name);
			if (had < 0)
				break;
		}
	}
	irt_jw_end(&nw);
	irt_jw_object(w, "maps");
	irt_jw_uint(w, "regions", regions);
	irt_jw_uint(w, "exec_anon", anon_x);
	irt_jw_uint(w, "write_exec", rwx);
	/* the names, written apart while the counts were not known yet */
	irt_jw_raw(w, "exec_files", nw.err == 0 ? irt_buf_cstr(&names) : "[]");
	irt_jw_end(w);
	irt_buf_release(&names);
	irt_pathset_release(&files);
}

/*
 * The deleted files process pid holds open (regular files and memfds):
 * ,"deleted_fds":[{"fd":N,"target":...,"copy":...}], each added to
 * copies when that is not NULL.
 */
static void
json_deleted_fds(struct irt_jw *w, const char *pid,
    struct irt_live_copies *copies, int *nomem)
{
	struct dirent *fe;
	char path[600], link[4097];
	struct stat st;
	ssize_t len;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%s/fd", pid);
	if ((d = opendir(path)) == NULL) {
		irt_jw_null(w, "deleted_fds");
		return;
	}
	irt_jw_array(w, "deleted_fds");
	while ((fe = readdir(d)) != NULL) {
		if (!is_pid(fe->d_name))
			continue;
		snprintf(path, sizeof path, "/proc/%s/fd/%s", pid, fe->d_name);
		len = readlink(path, link, sizeof link - 1);
		if (len <= 10 || link[0] != '/')
			continue;
		link[len] = '\0';
		if (strcmp(link + len - 10, " (deleted)") != 0)
			continue;
		/* the open file itself, not a name */
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		irt_jw_object(w, NULL);
		irt_jw_int(w, "fd", atoi(fe->d_name));
		irt_jw_strn(w, "target", link, (size_t)len);
		if (copies != NULL && atoi(pid) != (int)getpid()) {
			if (copy_add(copies, atoi(pid), atoi(fe->d_name),
			        strncmp(link, "/memfd:", 7) == 0
			            ? "memfd"
			            : "deleted") != 0)
				*nomem = 1;
			snprintf(path, sizeof path, "live/proc/%s/fd/%s", pid,
			    fe->d_name);
			irt_jw_str(w, "copy", path);
		} else
			irt_jw_null(w, "copy");
		irt_jw_end(w);
	}
	closedir(d);
	irt_jw_end(w);
}

int
irt_live_processes(struct irt_buf *out, uint64_t cap,
    uint64_t *noatime_fallbacks, struct irt_live_copies *copies)
{
	int nomem = 0;
	struct irt_buf b = IRT_BUF_INIT;
	struct exe_cache *cache = NULL;
	size_t ncache = 0;
	struct dirent *de;
	struct irt_jw w;
	char path[512], t[IRT_TIME_MAX], sha[65];
	irt_ns btime = boot_time();
	long tck = sysconf(_SC_CLK_TCK);
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		return irt_error_sys(IRT_EIO, errno, "cannot read '/proc'");
	if (tck <= 0)
		tck = 100;
	irt_jw_init(&w, out);
	while ((de = readdir(d)) != NULL) {
		const char *s, *rp;
		char *exe, *cwd;
		long long ppid = -1, uid = -1;
		unsigned long long start = 0;
		int f;

		if (!is_pid(de->d_name))
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
		if (slurp(&b, path, 65536) != 0)
			continue; /* gone */
		s = irt_buf_cstr(&b);
		irt_jw_object(&w, NULL);
		irt_jw_int(&w, "pid", atoi(de->d_name));
		if ((rp = strrchr(s, ')')) != NULL) {
			const char *lp = strchr(s, '(');
			/* fields after the comm: state is field 3 */
			char *fields = strdup(rp + 2), *save = NULL, *tok;
			f = 3;
			for (tok = fields ? strtok_r(fields, " ", &save) : NULL;
			     tok != NULL;
			     tok = strtok_r(NULL, " ", &save), f++) {
				if (f == 4)
					ppid = strtoll(tok, NULL, 10);
				if (f == 22) {
					start = strtoull(tok, NULL, 10);
					break;
				}
			}
			free(fields);
			irt_jw_int(&w, "ppid", ppid);
			snprintf(
			    path, sizeof path, "/proc/%s/status", de->d_name);
			{
				struct irt_buf st = IRT_BUF_INIT;
				const char *u;
				if (slurp(&st, path, 65536) == 0 &&
				    (u = strstr(irt_buf_cstr(&st), "\nUid:")) !=
				        NULL)
					uid = strtoll(u + 5, NULL, 10);
				irt_buf_release(&st);
			}
			if (uid >= 0)
				irt_jw_int(&w, "uid", uid);
			else
				irt_jw_null(&w, "uid");
			irt_jw_str(&w, "start",
			    btime > 0
			        ? irt_time_format(t,
			              btime +
			                  (irt_ns)(start *
			                      (IRT_NS_PER_SEC /
			                          (unsigned long long)tck)),
			              -1)
			        : NULL);
			if (lp != NULL && lp < rp)
				irt_jw_strn(
				    &w, "comm", lp + 1, (size_t)(rp - lp - 1));
			else
				irt_jw_null(&w, "comm");
		}
		snprintf(path, sizeof path, "/proc/%s/cmdline", de->d_name);
		if (slurp(&b, path, 1 << 20) != 0)
			irt_buf_clear(&b);
		json_strings(&w, "cmdline", &b);
		snprintf(path, sizeof path, "/proc/%s/exe", de->d_name);
		exe = read_link(path);
		json_link(&w, "exe", exe, "exe_deleted");
		irt_jw_bool(&w, "exe_memfd",
		    exe != NULL && strncmp(exe, "/memfd:", 7) == 0);
		{
			const char *why = exe ? exe_why(exe) : NULL;
			char apath[300];
			if (why != NULL && copies != NULL &&
			    atoi(de->d_name) != (int)getpid()) {
				if (copy_add(
				        copies, atoi(de->d_name), -1, why) != 0)
					nomem = 1;
				snprintf(apath, sizeof apath,
				    "live/proc/%s/exe", de->d_name);
				irt_jw_str(&w, "exe_copy", apath);
			} else
				irt_jw_null(&w, "exe_copy");
		}
		irt_jw_str(&w, "exe_sha256",
		    exe != NULL &&
		            exe_hash(sha, path, cap, &cache, &ncache,
		                noatime_fallbacks) == 0
		        ? sha
		        : NULL);
		free(exe);
		snprintf(path, sizeof path, "/proc/%s/cwd", de->d_name);
		cwd = read_link(path);
		json_link(&w, "cwd", cwd, NULL);
		free(cwd);
		/* environ and maps: root reads every process, others their own */
		snprintf(path, sizeof path, "/proc/%s/environ", de->d_name);
		if (slurp(&b, path, 256 << 10) == 0)
			json_strings(&w, "environ", &b);
		else
			irt_jw_null(&w, "environ");
		snprintf(path, sizeof path, "/proc/%s/maps", de->d_name);
		if (slurp(&b, path, 16 << 20) == 0)
			json_maps(&w, &b);
		else
			irt_jw_null(&w, "maps");
		json_deleted_fds(&w, de->d_name, copies, &nomem);
		irt_jw_end(&w);
		if (irt_jw_line(&w) != 0)
			nomem = 1;
	}
	closedir(d);
	free(cache);
	irt_buf_release(&b);
	if (nomem)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	return 0;
}

struct owner {
	unsigned long long inode;
	int pid;
};

static int
owner_cmp(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return x->pid - y->pid;
}

/* Every (socket inode, pid) pair from /proc/<pid>/fd. */
static int
socket_owners(struct owner **out, size_t *n)
{
	struct dirent *de, *fe;
	struct owner *v = NULL, *nv;
	size_t cap = 0;
	char path[600], link[256];
	ssize_t len;
	DIR *d, *fd;

	*n = 0;
	if ((d = opendir("/proc")) == NULL)
		return irt_error_sys(IRT_EIO, errno, "cannot read '/proc'");
	while ((de = readdir(d)) != NULL) {
		if (!is_pid(de->d_name))
			continue;
		snprintf(path, sizeof path, "/proc/%s/fd", de->d_name);
		if ((fd = opendir(path)) == NULL)
			continue;
		while ((fe = readdir(fd)) != NULL) {
			if (fe->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "/proc/%s/fd/%s",
			    de->d_name, fe->d_name);
			len = readlink(path, link, sizeof link - 1);
			if (len <= 8)
				continue;
			link[len] = '\0';
			if (strncmp(link, "socket:[", 8) != 0)
				continue;
			if (*n == cap) {
				cap = cap ? cap * 2 : 256;
				if ((nv = realloc(v, cap * sizeof *v)) ==
				    NULL) {
					free(v);
					closedir(fd);
					closedir(d);
					return IRT_ENOMEM;
				}
				v = nv;
			}
			v[*n].inode = strtoull(link + 8, NULL, 10);
			v[*n].pid = atoi(de->d_name);
			(*n)++;
		}
		closedir(fd);
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof *v, owner_cmp);
	*out = v;
	return 0;
}

static void
put_pids(
    struct irt_jw *w, const struct owner *v, size_t n, unsigned long long inode)
{
	size_t lo = 0, hi = n, i;
	int last = -1;
	char path[64];
	struct irt_buf comm = IRT_BUF_INIT;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	irt_jw_array(w, "pids");
	for (i = lo; i < n && v[i].inode == inode; i++) {
		if (v[i].pid == last)
			continue;
		last = v[i].pid;
		irt_jw_object(w, NULL);
		irt_jw_int(w, "pid", v[i].pid);
		snprintf(path, sizeof path, "/proc/%d/comm", v[i].pid);
		if (slurp(&comm, path, 256) == 0) {
			if (comm.len > 0 && comm.ptr[comm.len - 1] == '\n')
				comm.len--;
			irt_jw_strn(w, "comm", comm.ptr, comm.len);
		} else
			irt_jw_null(w, "comm");
		irt_jw_end(w);
	}
	irt_jw_end(w);
	irt_buf_release(&comm);
}

static const char *
tcp_state(unsigned st)
{
	static const char *const names[] = { "UNKNOWN", "ESTABLISHED",
		"SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
		"CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
		"NEW_SYN_RECV" };

	return st < sizeof names / sizeof names[0] ? names[st] : "UNKNOWN";
}

/* "0100007F:0035" into address text and port. */
static int
inet_addr_text(char *out, size_t outlen, unsigned *port, const char *s, int v6)
{
	unsigned char a[16];
	unsigned w;
	size_t i, nw = v6 ? 4 : 1;
	char tmp[9];

	if (strlen(s) < nw * 8 + 5 || s[nw * 8] != ':')
		return -1;
	for (i = 0; i < nw; i++) {
		memcpy(tmp, s + i * 8, 8);
		tmp[8] = '\0';
		w = (unsigned)strtoul(tmp, NULL, 16);
		/* the kernel prints each 32-bit word in host (little) order */
		a[i * 4 + 0] = (unsigned char)(w & 0xff);
		a[i * 4 + 1] = (unsigned char)((w >> 8) & 0xff);
		a[i * 4 + 2] = (unsigned char)((w >> 16) & 0xff);
		a[i * 4 + 3] = (unsigned char)((w >> 24) & 0xff);
	}
	*port = (unsigned)strtoul(s + nw * 8 + 1, NULL, 16);
	/* the usual text forms, "::1" and "::ffff:10.0.0.1" included */
	if (inet_ntop(v6 ? AF_INET6 : AF_INET, a, out, (socklen_t)outlen) ==
	    NULL)
		return -1;
	return 0;
}

static void
inet_table(struct irt_buf *out, const char *proto, int v6,
    const struct owner *v, size_t n)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	char path[64], la[64], ra[64];
	const char *s, *nl;

	irt_jw_init(&w, out);
	snprintf(path, sizeof path, "/proc/net/%s", proto);
	if (slurp(&b, path, 64u << 20) != 0) {
		irt_buf_release(&b);
		return;
	}
	s = irt_buf_cstr(&b);
	if ((nl = strchr(s, '\n')) == NULL) {
		irt_buf_release(&b);
		return;
	}
	for (s = nl + 1; *s; s = nl + 1) {
		char lbuf[1024], *tok[12], *save = NULL;
		unsigned lp, rp, st;
		size_t nt = 0, len;

		nl = strchr(s, '\n');
		len = nl ? (size_t)(nl - s) : strlen(s);
		if (len >= sizeof lbuf)
			len = sizeof lbuf - 1;
		memcpy(lbuf, s, len);
		lbuf[len] = '\0';
		for (char *t = strtok_r(lbuf, " \t", &save); t && nt < 12;
		     t = strtok_r(NULL, " \t", &save))
			tok[nt++] = t;
		if (nt >= 10 &&
		    inet_addr_text(la, sizeof la, &lp, tok[1], v6) == 0 &&
		    inet_addr_text(ra, sizeof ra, &rp, tok[2], v6) == 0) {
			unsigned long long inode = strtoull(tok[9], NULL, 10);
			st = (unsigned)strtoul(tok[3], NULL, 16);
			irt_jw_object(&w, NULL);
			irt_jw_str(&w, "proto", proto);
			irt_jw_str(&w, "local", la);
			irt_jw_uint(&w, "lport", lp);
			irt_jw_str(&w, "remote", ra);
			irt_jw_uint(&w, "rport", rp);
			irt_jw_str(&w, "state",
			    strncmp(proto, "udp", 3) == 0 && st == 7
			        ? "UNCONN"
			        : tcp_state(st));
			irt_jw_uint(&w, "uid", strtoull(tok[7], NULL, 10));
			irt_jw_uint(&w, "inode", inode);
			put_pids(&w, v, n, inode);
			irt_jw_end(&w);
			irt_jw_line(&w);
		}
		if (nl == NULL)
			break;
	}
	irt_buf_release(&b);
}

static void
unix_table(struct irt_buf *out, const struct owner *v, size_t n)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	const char *s, *nl;

	irt_jw_init(&w, out);
	if (slurp(&b, "/proc/net/unix", 64u << 20) != 0) {
		irt_buf_release(&b);
		return;
	}
	s = irt_buf_cstr(&b);
	if ((nl = strchr(s, '\n')) == NULL) {
		irt_buf_release(&b);
		return;
	}
	for (s = nl + 1; *s; s = nl + 1) {
		char *line, *tok[8], *save = NULL, *t;
		size_t nt = 0, len;
		const char *pathp;

		nl = strchr(s, '\n');
		len = nl ? (size_t)(nl - s) : strlen(s);
		if ((line = strndup(s, len)) == NULL)
			break;
		for (t = strtok_r(line, " ", &save); t && nt < 7;
		     t = strtok_r(NULL, " ", &save))
			tok[nt++] = t;
		if (nt >= 7) {
			unsigned long long inode = strtoull(tok[6], NULL, 10);
			/* the path is the rest of the line (may hold
			 * spaces); "@name" for abstract sockets */
			pathp = tok[6] + strlen(tok[6]);
			pathp = (size_t)(pathp - line) < len
			    ? s + (pathp - line) + 1
			    : NULL;
			irt_jw_object(&w, NULL);
			irt_jw_str(&w, "proto", "unix");
			irt_jw_uint(&w, "type", strtoul(tok[4], NULL, 16));
			irt_jw_uint(&w, "state", strtoul(tok[5], NULL, 16));
			irt_jw_uint(&w, "inode", inode);
			if (pathp != NULL)
				irt_jw_strn(&w, "path", pathp,
				    len - (size_t)(pathp - s));
			else
				irt_jw_null(&w, "path");
			put_pids(&w, v, n, inode);
			irt_jw_end(&w);
			irt_jw_line(&w);
		}
		free(line);
		if (nl == NULL)
			break;
	}
	irt_buf_release(&b);
}

int
irt_live_sockets(struct irt_buf *out)
{
	struct owner *v = NULL;
	size_t n;
	int rc;

	if ((rc = socket_owners(&v, &n)) != 0)
		return rc;
	inet_table(out, "tcp", 0, v, n);
	inet_table(out, "tcp6", 1, v, n);
	inet_table(out, "udp", 0, v, n);
	inet_table(out, "udp6", 1, v, n);
	inet_table(out, "raw", 0, v, n);
	inet_table(out, "raw6", 1, v, n);
	unix_table(out, v, n);
	free(v);
	return 0;
}

/* Reads root/rel (a regular file, see irt_root_open_file) into b. */
static int
slurp_root(struct irt_buf *b, int rootfd, const char *rel, size_t max,
    uint64_t *noatime_fallbacks)
{
	int fd, rc;

	irt_buf_clear(b);
	if ((fd = irt_root_open_file(rootfd, rel, noatime_fallbacks)) == -1)
		return -1;
	rc = irt_read_fd(b, fd, max);
	close(fd);
	if (rc == 0 && b->ptr == NULL)
		rc = irt_buf_grow(b, 0);
	return rc == 0 ? 0 : -1;
}

/* First line of root/rel, trimmed, into out. */
static int
first_line(char *out, size_t outlen, int rootfd, const char *rel,
    uint64_t *noatime_fallbacks)
{
	struct irt_buf b = IRT_BUF_INIT;
	size_t n;
	int rc = -1;

	if (slurp_root(&b, rootfd, rel, 4096, noatime_fallbacks) == 0) {
		n = strcspn(irt_buf_cstr(&b), "\r\n");
		while (n > 0 && isspace((unsigned char)b.ptr[n - 1]))
			n--;
		if (n > 0 && n < outlen) {
			memcpy(out, b.ptr, n);
			out[n] = '\0';
			rc = 0;
		}
	}
	irt_buf_release(&b);
	return rc;
}

static void
os_release(struct irt_jw *w, int rootfd, uint64_t *noatime_fallbacks)
{
	struct irt_buf b = IRT_BUF_INIT, key = IRT_BUF_INIT;
	const char *s, *nl;

	/* /etc/os-release is usually a link into /usr/lib: resolved inside
	 * the root */
	if (slurp_root(
	        &b, rootfd, "/etc/os-release", 65536, noatime_fallbacks) != 0 &&
	    slurp_root(&b, rootfd, "/usr/lib/os-release", 65536,
	        noatime_fallbacks) != 0) {
		irt_jw_null(w, "os_release");
		goto done;
	}
	irt_jw_object(w, "os_release");
	for (s = irt_buf_cstr(&b); *s; s = nl + 1) {
		const char *eq, *v;
		size_t len, vl;
		nl = strchr(s, '\n');
		len = nl ? (size_t)(nl - s) : strlen(s);
		eq = memchr(s, '=', len);
		if (eq != NULL && *s != '#' && eq > s) {
			v = eq + 1;
			vl = len - (size_t)(v - s);
			if (vl >= 2 && (v[0] == '"' || v[0] == '\'') &&
			    v[vl - 1] == v[0]) {
				v++;
				vl -= 2;
			}
			/* a key is text up to '=', NUL included */
			irt_buf_clear(&key);
			irt_buf_put(&key, s, (size_t)(eq - s));
			irt_jw_strn(w, irt_buf_cstr(&key), v, vl);
		}
		if (nl == NULL)
			break;
	}
	irt_jw_end(w);
done:
	irt_buf_release(&key);
	irt_buf_release(&b);
}

int
irt_host_json(struct irt_buf *out, int rootfd, const char *root, int live,
    const struct irt_collect_opts *o, irt_ns start, char *hostname,
    size_t hostlen, char *machine_id, size_t midlen, char *boot_id,
    size_t bootlen, uint64_t *noatime_fallbacks)
{
	struct timespec mono, boot;
	struct utsname u;
	struct irt_jw w;
	char t[IRT_TIME_MAX];
	size_t i;

	hostname[0] = machine_id[0] = boot_id[0] = '\0';
	if (live) {
		if (gethostname(hostname, hostlen) != 0)
			hostname[0] = '\0';
		hostname[hostlen - 1] = '\0';
		/* live: rootfd is the host's / */
		first_line(boot_id, bootlen, rootfd,
		    "/proc/sys/kernel/random/boot_id", NULL);
	} else if (first_line(hostname, hostlen, rootfd, "/etc/hostname",
	               noatime_fallbacks) != 0)
		hostname[0] = '\0';
	first_line(
	    machine_id, midlen, rootfd, "/etc/machine-id", noatime_fallbacks);

	irt_jw_init(&w, out);
	irt_jw_object(&w, NULL);
	irt_jw_str_or_null(&w, "hostname", hostname);
	irt_jw_str_or_null(&w, "machine_id", machine_id);
	irt_jw_str_or_null(&w, "boot_id", boot_id);
	os_release(&w, rootfd, noatime_fallbacks);
	if (live && uname(&u) == 0) {
		char taint[32];
		irt_jw_object(&w, "kernel");
		irt_jw_str(&w, "sysname", u.sysname);
		irt_jw_str(&w, "release", u.release);
		irt_jw_str(&w, "version", u.version);
		irt_jw_str(&w, "machine", u.machine);
		if (first_line(taint, sizeof taint, rootfd,
		        "/proc/sys/kernel/tainted", NULL) == 0)
			irt_jw_uint(&w, "tainted", strtoull(taint, NULL, 10));
		else
			irt_jw_null(&w, "tainted");
		irt_jw_end(&w);
	} else
		irt_jw_null(&w, "kernel");
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	irt_jw_object(&w, "clock");
	irt_jw_str(&w, "utc", irt_time_format(t, start, 9));
	irt_jw_int(&w, "monotonic_ns",
	    (long long)mono.tv_sec * IRT_NS_PER_SEC + mono.tv_nsec);
	irt_jw_int(&w, "boottime_ns",
	    (long long)boot.tv_sec * IRT_NS_PER_SEC + boot.tv_nsec);
	{
		char *tz = live ? read_link("/etc/localtime") : NULL;
		irt_jw_str_or_null(&w, "timezone", tz);
		free(tz);
	}
	irt_jw_end(&w);
	irt_jw_object(&w, "collector");
	irt_jw_str(&w, "name", "irt");
	irt_jw_str(&w, "version", irt_version());
	irt_jw_int(&w, "pid", (long long)getpid());
	irt_jw_int(&w, "uid", (long long)geteuid());
	irt_jw_array(&w, "argv");
	for (i = 0; o->argv && o->argv[i]; i++)
		irt_jw_str(&w, NULL, o->argv[i]);
	irt_jw_end(&w);
	irt_jw_str_or_null(&w, "profile", o->profile ? o->profile->name : NULL);
	irt_jw_str(&w, "root", root);
	irt_jw_end(&w);
	irt_jw_str_or_null(&w, "responder", o->responder);
	irt_jw_end(&w);
	return irt_jw_line(&w);
}

/* ---- hidden processes ---- */

#define PID_MAX_LIMIT 4194304

/* Sets the bit of every pid readdir(/proc) lists; -1 when it cannot. */
static int
list_pids(unsigned char *map, int pid_max)
{
	struct dirent *de;
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		long v;
		if (!is_pid(de->d_name) || strlen(de->d_name) > 8)
			continue;
		v = strtol(de->d_name, NULL, 10);
		if (v > 0 && v < pid_max)
			map[v / 8] |= (unsigned char)(1u << (v % 8));
	}
	closedir(d);
	return 0;
}

/* Tgid: of /proc/PID/status, or -1 when it cannot be read. */
static long
tgid_of(int pid, struct irt_buf *b)
{
	char path[64];
	const char *t;

	snprintf(path, sizeof path, "/proc/%d/status", pid);
	if (slurp(b, path, 65536) != 0 ||
	    (t = strstr(irt_buf_cstr(b), "\nTgid:")) == NULL)
		return -1;
	return strtol(t + 6, NULL, 10);
}

int
irt_live_hidden_probe(
    int **pids, size_t *n, const unsigned char *listed, int pid_max)
{
	struct irt_buf b = IRT_BUF_INIT;
	size_t cap = *n;
	int pid, *nv;

	for (pid = 1; pid < pid_max; pid++) {
		long tgid;
		if (listed[pid / 8] & (1u << (pid % 8)))
			continue;
		if (kill(pid, 0) != 0 && errno != EPERM)
			continue;
		/* a thread answers kill() too: only leaders count */
		tgid = tgid_of(pid, &b);
		if (tgid >= 0 && tgid != pid)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(*pids, cap * sizeof *nv)) == NULL) {
				irt_buf_release(&b);
				return irt_error_set(
				    IRT_ENOMEM, "out of memory");
			}
			*pids = nv;
		}
		(*pids)[(*n)++] = pid;
	}
	irt_buf_release(&b);
	return 0;
}

void
irt_live_hidden_lines(struct irt_buf *out, const int *pids, size_t n)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	char path[64];
	char *exe;
	size_t i;

	irt_jw_init(&w, out);
	for (i = 0; i < n; i++) {
		irt_jw_object(&w, NULL);
		irt_jw_int(&w, "pid", pids[i]);
		irt_jw_str(&w, "hidden", "not_listed");
		irt_jw_str(&w, "reason",
		    "answers kill(pid, 0) but no listing of /proc names it");
		snprintf(path, sizeof path, "/proc/%d/comm", pids[i]);
		if (slurp(&b, path, 4096) == 0) {
			size_t len = b.len;
			if (len > 0 && b.ptr[len - 1] == '\n')
				len--;
			irt_jw_strn(&w, "comm", b.ptr, len);
		} else
			irt_jw_null(&w, "comm");
		snprintf(path, sizeof path, "/proc/%d/exe", pids[i]);
		exe = read_link(path);
		json_link(&w, "exe", exe, "exe_deleted");
		free(exe);
		snprintf(path, sizeof path, "/proc/%d/cmdline", pids[i]);
		if (slurp(&b, path, 1 << 20) == 0)
			json_strings(&w, "cmdline", &b);
		else
			irt_jw_null(&w, "cmdline");
		irt_jw_end(&w);
		irt_jw_line(&w);
	}
	irt_buf_release(&b);
}

void
irt_mountinfo_unoctal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 3;
		} else
			*w++ = *s;
	}
	*w = '\0';
}

void
irt_live_proc_mounts(struct irt_buf *out, const char *mountinfo)
{
	const char *l = mountinfo, *nl;
	struct irt_jw w;

	irt_jw_init(&w, out);
	for (; l != NULL && *l; l = nl ? nl + 1 : NULL) {
		char *line, *f[16], *save = NULL, *tok, *p;
		size_t nf = 0, i, dash;

		nl = strchr(l, '\n');
		line = nl ? strndup(l, (size_t)(nl - l)) : strdup(l);
		if (line == NULL)
			return;
		for (tok = strtok_r(line, " ", &save); tok != NULL && nf < 16;
		     tok = strtok_r(NULL, " ", &save))
			f[nf++] = tok;
		/* id parent maj:min root mount-point options [opt...] - type
		 * source super-options */
		for (dash = 6; dash < nf && strcmp(f[dash], "-") != 0; dash++)
			;
		if (nf < 5) {
			free(line);
			continue;
		}
		irt_mountinfo_unoctal(f[4]);
		p = f[4];
		if (strncmp(p, "/proc/", 6) == 0) {
			p += 6;
			for (i = 0; isdigit((unsigned char)p[i]); i++)
				;
			if (i > 0 && i <= 9 && (p[i] == '\0' || p[i] == '/')) {
				irt_jw_object(&w, NULL);
				irt_jw_int(&w, "pid", strtoll(p, NULL, 10));
				irt_jw_str(&w, "hidden", "mount");
				irt_jw_str(&w, "reason",
				    "a mount over /proc/PID hides what /proc "
				    "says of the process");
				irt_jw_str(&w, "mount_point", f[4]);
				irt_mountinfo_unoctal(f[3]);
				irt_jw_str(&w, "root", f[3]);
				irt_jw_str(&w, "fstype",
				    dash + 1 < nf ? f[dash + 1] : NULL);
				if (dash + 2 < nf)
					irt_mountinfo_unoctal(f[dash + 2]);
				irt_jw_str(&w, "source",
				    dash + 2 < nf ? f[dash + 2] : NULL);
				irt_jw_end(&w);
				irt_jw_line(&w);
			}
		}
		free(line);
	}
}

int
irt_live_hidden(struct irt_buf *out)
{
	struct irt_buf b = IRT_BUF_INIT;
	unsigned char *map;
	int *pids = NULL, pid_max = 32768, rc;
	size_t n = 0, i, k;

	if (slurp(&b, "/proc/sys/kernel/pid_max", 64) == 0) {
		long v = strtol(irt_buf_cstr(&b), NULL, 10);
		if (v > 1 && v <= PID_MAX_LIMIT)
			pid_max = (int)v;
	}
	if ((map = calloc((size_t)pid_max / 8 + 1, 1)) == NULL) {
		irt_buf_release(&b);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	if (list_pids(map, pid_max) != 0) {
		rc = irt_error_sys(IRT_EIO, errno, "cannot read '/proc'");
		goto out;
	}
	if ((rc = irt_live_hidden_probe(&pids, &n, map, pid_max)) != 0)
		goto out;
	/* a process born during the probe is in the second listing */
	if (n > 0 && list_pids(map, pid_max) != 0) {
		rc = irt_error_sys(IRT_EIO, errno, "cannot read '/proc'");
		goto out;
	}
	/* and one that ended during the probe is gone: only those still
	 * there, still unlisted, count */
	for (i = k = 0; i < n; i++)
		if (!(map[pids[i] / 8] & (1u << (pids[i] % 8))) &&
		    (kill(pids[i], 0) == 0 || errno == EPERM))
			pids[k++] = pids[i];
	irt_live_hidden_lines(out, pids, k);
	if (slurp(&b, "/proc/self/mountinfo", 16 << 20) == 0)
		irt_live_proc_mounts(out, irt_buf_cstr(&b));
out:
	free(pids);
	free(map);
	irt_buf_release(&b);
	return rc;
}
