/*
 * The table of source kinds, the ids of their fields, detection of the
 * kind of a path, and the reading of a source by its kind.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "tl-internal.h"

/*
 * The source kinds, one line each.  To add a kind: write tl-<kind>.c,
 * which defines `const struct tl_source tl_source_<kind>` (its name, the
 * fields and data types of its events, how its files are known by name
 * and by content, and its parser), add it to meson.build and add one
 * line X(<kind>) here.  The order is that of the CSV columns of fields
 * (each name comes where its first kind gives it) and that of content
 * detection among kinds that are equally sure.
 */
#define TL_SOURCES(X)                                                          \
	X(fs)                                                                  \
	X(bodyfile)                                                            \
	X(archive)                                                             \
	X(syslog)                                                              \
	X(utmp)                                                                \
	X(bash)                                                                \
	X(zsh)                                                                 \
	X(journal)                                                             \
	X(audit)                                                               \
	X(dpkg)                                                                \
	X(apt)                                                                 \
	X(weblog)                                                              \
	X(docker)                                                              \
	X(cri)                                                                 \
	X(container)                                                           \
	X(weberror)                                                            \
	X(yum)                                                                 \
	X(viminfo)                                                             \
	X(fish)                                                                \
	X(processes)                                                           \
	X(sockets)                                                             \
	X(packages_verify)                                                     \
	X(lastlog)

#define DECLARE(k) extern const struct tl_source tl_source_##k;
TL_SOURCES(DECLARE)
#undef DECLARE

#define ENTRY(k) &tl_source_##k,
const struct tl_source *const tl_sources[] = { TL_SOURCES(ENTRY) };
#undef ENTRY

const unsigned tl_nsources = sizeof tl_sources / sizeof tl_sources[0];

/* ---- field ids ---- */

static struct {
	pthread_once_t once;
	int rc;
	unsigned nkeys;
	const char *names[TL_K_MAX];
	uint8_t *maps[sizeof tl_sources / sizeof tl_sources[0]];
	unsigned ntypes[sizeof tl_sources / sizeof tl_sources[0]];
} reg = { PTHREAD_ONCE_INIT, 0, 0, { NULL }, { NULL }, { 0 } };

static void
reg_init(void)
{
	unsigned i, j, k, n;
	uint8_t *map;

	reg.names[TL_K_NONE] = "";
	reg.names[TL_K_TIMES] = "times";
	reg.nkeys = 2;
	for (i = 0; i < tl_nsources; i++) {
		const struct tl_source *s = tl_sources[i];
		for (n = 0; s->fields != NULL && s->fields[n] != NULL; n++)
			;
		if ((map = calloc(n + 1, 1)) == NULL) {
			reg.rc = IRT_ENOMEM;
			return;
		}
		reg.maps[i] = map;
		for (j = 0; j < n; j++) {
			for (k = 2; k < reg.nkeys; k++)
				if (strcmp(reg.names[k], s->fields[j]) == 0)
					break;
			if (k == reg.nkeys) {
				if (reg.nkeys == TL_K_MAX) {
					reg.rc = IRT_ERROR;
					return;
				}
				reg.names[reg.nkeys++] = s->fields[j];
			}
			map[j] = (uint8_t)k;
		}
		for (n = 0; s->types != NULL && s->types[n] != NULL; n++)
			;
		reg.ntypes[i] = n;
	}
}

int
tl_sources_init(void)
{
	pthread_once(&reg.once, reg_init);
	if (reg.rc == IRT_ENOMEM)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if (reg.rc != 0)
		return irt_error_set(reg.rc,
		    "the timeline's sources have more than %d field names",
		    TL_K_MAX - 2);
	return 0;
}

unsigned
tl_key_count(void)
{
	return reg.nkeys;
}

const char *
tl_key_name(unsigned k)
{
	return k < reg.nkeys ? reg.names[k] : "";
}

unsigned
tl_key_find(const char *name)
{
	unsigned k;

	for (k = 2; k < reg.nkeys; k++)
		if (strcmp(reg.names[k], name) == 0)
			return k;
	return TL_K_NONE;
}

unsigned
tl_ntypes(int kind)
{
	return kind >= 0 && (unsigned)kind < tl_nsources ? reg.ntypes[kind] : 0;
}

const uint8_t *
tl_keymap(int kind)
{
	return reg.maps[kind];
}

/* ---- kinds and detection ---- */

int
tl_kind_find(const char *s, size_t len)
{
	const char *const *a;
	unsigned k;

	for (k = 0; k < tl_nsources; k++) {
		if (strlen(tl_sources[k]->name) == len &&
		    memcmp(tl_sources[k]->name, s, len) == 0)
			return (int)k;
		for (a = tl_sources[k]->aliases; a != NULL && *a != NULL; a++)
			if (strlen(*a) == len && memcmp(*a, s, len) == 0)
				return (int)k;
	}
	return -1;
}

bool
irt_tl_kind_valid(const char *kind)
{
	return tl_kind_find(kind, strlen(kind)) >= 0;
}

int
tl_detect_name(const char *path)
{
	const char *base = strrchr(path, '/');
	char name[256];
	unsigned k;
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n == 0 || n >= sizeof name)
		return -1;
	memcpy(name, base, n + 1);
	/* strip compression and rotation suffixes */
	for (;;) {
		char *dot = strrchr(name, '.');
		char *dash = strrchr(name, '-');
		if (dot &&
		    (strcmp(dot, ".gz") == 0 || strcmp(dot, ".bz2") == 0 ||
		        strcmp(dot, ".xz") == 0 ||
		        strspn(dot + 1, "0123456789") == strlen(dot + 1)) &&
		    dot != name && dot[1] != '\0') {
			*dot = '\0';
			continue;
		}
		if (dash && strlen(dash + 1) == 8 &&
		    strspn(dash + 1, "0123456789") == 8) {
			*dash = '\0';
			continue;
		}
		break;
	}
	for (k = 0; k < tl_nsources; k++)
		if (tl_sources[k]->by_name != NULL &&
		    tl_sources[k]->by_name(name, path))
			return (int)k;
	return -1;
}

void
tl_head_init(struct tl_head *h, const char *d, size_t len, int64_t size)
{
	const char *nl;

	h->data = d;
	h->len = len;
	h->size = size;
	/* skip blank lines and the comment lines of bodyfiles */
	while (len > 0 &&
	    (d[0] == '\n' ||
	        (d[0] == '#' && len > 1 && !isdigit((unsigned char)d[1]))) &&
	    (nl = memchr(d, '\n', len)) != NULL) {
		len -= (size_t)(nl + 1 - d);
		d = nl + 1;
	}
	nl = len > 0 ? memchr(d, '\n', len) : NULL;
	h->line = d;
	h->line_len = nl ? (size_t)(nl - d) : len;
}

int
tl_detect_content(const struct tl_head *h)
{
	int best = -1, score = TL_NO, sc;
	unsigned k;

	for (k = 0; k < tl_nsources; k++) {
		if (tl_sources[k]->by_content == NULL)
			continue;
		sc = tl_sources[k]->by_content(h);
		if (sc > score) {
			score = sc;
			best = (int)k;
		}
	}
	return best;
}

static int
dir_kind(void)
{
	unsigned k;

	for (k = 0; k < tl_nsources; k++)
		if (tl_sources[k]->flags & TL_SRC_DIR)
			return (int)k;
	return -1;
}

static const char *
kind_name(int k)
{
	return k >= 0 ? tl_sources[k]->name : NULL;
}

const char *
irt_tl_detect(const char *path)
{
	struct stat st;
	struct tl_stream s, *ds;
	struct tl_head h;
	char buf[4096];
	ssize_t n;
	int k, comp;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return kind_name(dir_kind());
	if ((k = tl_detect_name(path)) >= 0)
		return kind_name(k);
	if (tl_stream_file(&s, path) != 0)
		return NULL;
	if (tl_stream_decompress(&ds, &s, path, &comp) != 0) {
		tl_stream_close(&s);
		return NULL;
	}
	n = tl_peek(ds, buf, sizeof buf);
	k = -1;
	if (n > 0) {
		tl_head_init(&h, buf, (size_t)n, comp ? -1 : s.size);
		k = tl_detect_content(&h);
	}
	tl_stream_close(ds);
	if (ds != &s)
		free(ds);
	return kind_name(k);
}

/* ---- reading a source ---- */

int
tl_read_stream(struct irt_tl *tl, int kind, struct tl_stream *s,
    const char *label, const char *file, const char *name, const char *host,
    irt_ns mtime)
{
	struct tl_pctx p;
	struct tl_stream *ds;
	int rc, comp;

	if (tl_sources[kind]->parse == NULL)
		return irt_error_set(IRT_EINVAL, "'%s' cannot be read as %s",
		    irt_esc(file), tl_sources[kind]->name);
	if ((rc = tl_src_open(&p, tl, kind, label, file, name, host)) != 0)
		return rc;
	p.mtime = mtime;
	if ((rc = tl_stream_decompress(&ds, s, file, &comp)) != 0) {
		/* a corrupt compressed file: a warning, not an error */
		return tl_warn(&p, "%s", irt_error_last());
	}
	rc = tl_sources[kind]->parse(&p, ds);
	if (ds != s) {
		tl_stream_close(ds);
		free(ds);
		s->read = NULL;
		s->close = NULL;
		s->back = NULL;
	}
	if (rc == 0 && p.err)
		rc = p.err;
	return rc;
}

static int
split_spec(const char *spec, int *kind, const char **path)
{
	const char *colon = strchr(spec, ':');

	*kind = -1;
	*path = spec;
	if (colon != NULL && colon != spec) {
		int k = tl_kind_find(spec, (size_t)(colon - spec));
		if (k >= 0) {
			*kind = k;
			*path = colon + 1;
		} else if (strspn(spec, "abcdefghijklmnopqrstuvwxyz_") ==
		    (size_t)(colon - spec)) {
			struct stat st;
			/* an unknown kind, unless such a file exists */
			if (stat(spec, &st) != 0)
				return irt_error_set(IRT_EINVAL,
				    "unknown source kind '%.*s'",
				    (int)(colon - spec), spec);
		}
	}
	if (**path == '\0')
		return irt_error_set(IRT_EINVAL, "empty source path");
	return 0;
}

/* A path that is no file to read: a warning, and nothing is read. */
static int
skip_special(struct irt_tl *tl, const char *path, const char *why)
{
	struct tl_pctx p;

	memset(&p, 0, sizeof p);
	p.tl = tl;
	p.name = path;
	p.kind = -1;
	if (tl_warn(&p, "%s, skipped", why) != 0)
		return p.err;
	return 0;
}

int
irt_tl_add(struct irt_tl *tl, const char *spec, const char *host)
{
	const struct tl_source *src;
	const char *path, *k;
	struct tl_pctx p;
	struct stat st;
	struct tl_stream s;
	irt_ns mtime;
	char *label;
	int kind, rc;

	if ((rc = split_spec(spec, &kind, &path)) != 0)
		return rc;
	if (stat(path, &st) != 0)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(path));
	/* FIFOs and devices are never read: they could block for ever or
	 * never end (fs only looks at their metadata) */
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) &&
	    (kind < 0 || !(tl_sources[kind]->flags & TL_SRC_STAT)))
		return skip_special(tl, path, tl_file_type(st.st_mode));
	if (kind < 0) {
		if ((k = irt_tl_detect(path)) == NULL)
			return irt_error_set(IRT_EINVAL,
			    "cannot tell what kind of source '%s' is; "
			    "give it as KIND:PATH",
			    irt_esc(path));
		kind = tl_kind_find(k, strlen(k));
	}
	src = tl_sources[kind];
	if (asprintf(&label, "%s:%s", src->name, path) < 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if (src->parse == NULL || S_ISDIR(st.st_mode)) {
		if (src->read_path == NULL) {
			free(label);
			return irt_error_set(
			    IRT_EINVAL, "'%s' is a directory", irt_esc(path));
		}
		rc = tl_src_open(&p, tl, kind, label, path, path, host);
		if (rc == 0)
			rc = src->read_path(&p, path, &st);
		if (rc == 0 && p.err)
			rc = p.err;
		free(label);
		return rc;
	}
	if ((rc = tl_stream_file(&s, path)) != 0) {
		free(label);
		/* no longer a regular file since stat */
		if (rc == IRT_EINVAL)
			return skip_special(tl, path, "not a regular file");
		return rc;
	}
	/* an mtime out of range is no mtime */
	if (irt_time_make(&mtime, st.st_mtim.tv_sec, st.st_mtim.tv_nsec) != 0)
		mtime = 0;
	rc = tl_read_stream(tl, kind, &s, label, path, path, host, mtime);
	tl_stream_close(&s);
	free(label);
	return rc;
}

int
irt_tl_add_buffer(struct irt_tl *tl, const char *kind, const char *name,
    const void *data, size_t len, const char *host)
{
	struct tl_stream s;
	char *label;
	int k, rc;

	k = tl_kind_find(kind, strlen(kind));
	if (k < 0 || tl_sources[k]->parse == NULL)
		return irt_error_set(IRT_EINVAL,
		    "cannot read kind '%s' from memory", irt_esc(kind));
	if (asprintf(&label, "%s:%s", tl_sources[k]->name, name) < 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	tl_stream_mem(&s, data, len);
	if (s.ctx == NULL) {
		free(label);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	rc = tl_read_stream(tl, k, &s, label, name, name, host, 0);
	tl_stream_close(&s);
	free(label);
	return rc;
}
