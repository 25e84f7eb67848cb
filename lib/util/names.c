/*
 * User and group names from /etc/passwd and /etc/group, without NSS.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "irt/error.h"
#include "irt/names.h"

/* A name as login(1) takes it, at most. */
#define NAME_MAX_LEN 256

struct name {
	uint32_t id;
	uint32_t line; /* the first entry of an id wins */
	const char *name;
};

enum { USERS, GROUPS };

struct irt_names {
	char *text[2]; /* the files' text, cut into the names */
	struct name *v[2];
	size_t n[2];
	size_t refused;
};

/* 1 when s (len bytes) is a decimal id below 2^32 - 1 ((uid_t)-1). */
static int
parse_id(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v >= UINT32_MAX)
		return 0;
	*out = (uint32_t)v;
	return 1;
}

static int
valid_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > NAME_MAX_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * One line: "name:password:id:..." (passwd and group alike).  Returns 1
 * for an entry, 0 for a line that is none by design (empty, a comment, a
 * NIS "+" or "-" line), -1 for one refused.
 */
static int
parse_line(char *line, size_t len, struct name *out)
{
	char *c1, *c2, *c3;

	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0 || *line == '#' || *line == '+' || *line == '-')
		return 0;
	if (memchr(line, '\0', len) != NULL)
		return -1;
	if ((c1 = memchr(line, ':', len)) == NULL ||
	    (c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line))) == NULL)
		return -1;
	c3 = memchr(c2 + 1, ':', len - (size_t)(c2 + 1 - line));
	if (c3 == NULL)
		c3 = line + len;
	if (!valid_name(line, (size_t)(c1 - line)) ||
	    !parse_id(c2 + 1, (size_t)(c3 - c2 - 1), &out->id))
		return -1;
	*c1 = '\0';
	out->name = line;
	return 1;
}

static int
by_id(const void *a, const void *b)
{
	const struct name *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Cuts text (len bytes, NUL-terminated) into the entries of table t; n
 * owns text from then on, even when it fails.
 */
static int
parse_text(struct irt_names *n, int t, char *text, size_t len)
{
	struct name *v = NULL, e;
	size_t cap = 0, count = 0, i, k;
	char *p = text, *end = text + len, *nl;
	uint32_t line = 0;
	int r;

	n->text[t] = text;
	n->n[t] = 0;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		line++;
		r = parse_line(p, (size_t)(nl - p), &e);
		if (r < 0)
			n->refused++;
		else if (r > 0) {
			if (count == cap) {
				size_t nc = cap ? cap * 2 : 64;
				struct name *nv = realloc(v, nc * sizeof *nv);
				if (nv == NULL) {
					free(v);
					return irt_error_set(
					    IRT_ENOMEM, "out of memory");
				}
				v = nv;
				cap = nc;
			}
			e.line = line;
			v[count++] = e;
		}
		p = nl + 1;
	}
	if (count > 1)
		qsort(v, count, sizeof *v, by_id);
	for (i = k = 0; i < count; i++)
		if (k == 0 || v[k - 1].id != v[i].id)
			v[k++] = v[i];
	n->v[t] = v;
	n->n[t] = k;
	return 0;
}

/*
 * Opens rel below rootfd as if rootfd were "/", with flags; openat2's
 * RESOLVE_IN_ROOT, else (before Linux 5.6) one component at a time and
 * never through a link.
 */
static int
open_in_root(int rootfd, const char *dir, const char *name, int flags)
{
	struct open_how how;
	char rel[64];
	int fd, dfd, e;

	snprintf(rel, sizeof rel, "%s/%s", dir, name);
	memset(&how, 0, sizeof how);
	how.flags = (uint64_t)flags;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof how);
	if (fd >= 0 || (errno != ENOSYS && errno != E2BIG))
		return fd;
	dfd =
	    openat(rootfd, dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	fd = openat(dfd, name, flags | O_NOFOLLOW);
	e = errno;
	close(dfd);
	errno = e;
	return fd;
}

/*
 * The text of root's /etc/<name>, or NULL (and *len 0) when it is not a
 * regular file that can be read.  A FIFO or device is never opened for
 * reading: its type is checked through an O_PATH descriptor first.
 */
static char *
read_etc(int rootfd, const char *name, size_t *len)
{
	struct stat st, st2;
	char *text = NULL;
	size_t got = 0, cap;
	ssize_t r;
	int fd;

	*len = 0;
	fd = open_in_root(rootfd, "etc", name, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	close(fd);
	fd = open_in_root(rootfd, "etc", name,
	    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOATIME);
	if (fd < 0 && errno == EPERM) /* O_NOATIME: not the owner */
		fd = open_in_root(rootfd, "etc", name,
		    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	/* the same file as checked, not one put there since */
	if (fstat(fd, &st2) != 0 || !S_ISREG(st2.st_mode) ||
	    st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
		close(fd);
		return NULL;
	}
	cap = (uint64_t)st2.st_size < IRT_NAMES_FILE_MAX
	    ? (size_t)st2.st_size + 1
	    : IRT_NAMES_FILE_MAX + 1;
	if (cap < 4096)
		cap = 4096;
	if ((text = malloc(cap)) == NULL) {
		close(fd);
		return NULL;
	}
	while (got < IRT_NAMES_FILE_MAX) {
		if (got + 1 == cap) {
			/* grown since fstat: read on, within the bound */
			size_t nc = cap * 2 < IRT_NAMES_FILE_MAX + 1
			    ? cap * 2
			    : IRT_NAMES_FILE_MAX + 1;
			char *nt = realloc(text, nc);
			if (nt == NULL)
				break;
			text = nt;
			cap = nc;
		}
		r = read(fd, text + got, cap - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	text[got] = '\0';
	*len = got;
	return text;
}

static int
names_new(struct irt_names **out)
{
	if ((*out = calloc(1, sizeof **out)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	return 0;
}

int
irt_names_load(struct irt_names **out, const char *root)
{
	static const char *const files[2] = { "passwd", "group" };
	struct irt_names *n;
	char *text;
	size_t len;
	int rootfd, t, rc;

	*out = NULL;
	if ((rc = names_new(&n)) != 0)
		return rc;
	rootfd = open(root != NULL && root[0] != '\0' ? root : "/",
	    O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (t = 0; rootfd >= 0 && t < 2; t++) {
		if ((text = read_etc(rootfd, files[t], &len)) == NULL)
			continue;
		if ((rc = parse_text(n, t, text, len)) != 0) {
			close(rootfd);
			irt_names_free(n);
			return rc;
		}
	}
	if (rootfd >= 0)
		close(rootfd);
	*out = n;
	return 0;
}

int
irt_names_parse(struct irt_names **out, const char *passwd, size_t passwd_len,
    const char *group, size_t group_len)
{
	const char *src[2] = { passwd, group };
	size_t len[2] = { passwd_len, group_len };
	struct irt_names *n;
	char *text;
	int t, rc;

	*out = NULL;
	if ((rc = names_new(&n)) != 0)
		return rc;
	for (t = 0; t < 2; t++) {
		if (src[t] == NULL)
			continue;
		if (len[t] > IRT_NAMES_FILE_MAX)
			len[t] = IRT_NAMES_FILE_MAX;
		if ((text = malloc(len[t] + 1)) == NULL) {
			irt_names_free(n);
			return irt_error_set(IRT_ENOMEM, "out of memory");
		}
		memcpy(text, src[t], len[t]);
		text[len[t]] = '\0';
		if ((rc = parse_text(n, t, text, len[t])) != 0) {
			irt_names_free(n);
			return rc;
		}
	}
	*out = n;
	return 0;
}

static const char *
lookup(const struct irt_names *n, int t, uint32_t id)
{
	size_t lo = 0, hi, mid;

	if (n == NULL)
		return NULL;
	hi = n->n[t];
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (n->v[t][mid].id == id)
			return n->v[t][mid].name;
		if (n->v[t][mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *
irt_names_user(const struct irt_names *n, uint32_t uid)
{
	return lookup(n, USERS, uid);
}

const char *
irt_names_group(const struct irt_names *n, uint32_t gid)
{
	return lookup(n, GROUPS, gid);
}

const char *
irt_names_user_or_id(const struct irt_names *n, uint32_t uid, char *buf)
{
	const char *s = lookup(n, USERS, uid);

	if (s != NULL)
		return s;
	snprintf(buf, IRT_NAMES_ID_MAX, "%lu", (unsigned long)uid);
	return buf;
}

const char *
irt_names_group_or_id(const struct irt_names *n, uint32_t gid, char *buf)
{
	const char *s = lookup(n, GROUPS, gid);

	if (s != NULL)
		return s;
	snprintf(buf, IRT_NAMES_ID_MAX, "%lu", (unsigned long)gid);
	return buf;
}

void
irt_names_count(
    const struct irt_names *n, size_t *users, size_t *groups, size_t *refused)
{
	if (users != NULL)
		*users = n ? n->n[USERS] : 0;
	if (groups != NULL)
		*groups = n ? n->n[GROUPS] : 0;
	if (refused != NULL)
		*refused = n ? n->refused : 0;
}

void
irt_names_free(struct irt_names *n)
{
	int t;

	if (n == NULL)
		return;
	for (t = 0; t < 2; t++) {
		free(n->v[t]);
		free(n->text[t]);
	}
	free(n);
}
