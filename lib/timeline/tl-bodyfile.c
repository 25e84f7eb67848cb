/*
 * Sleuth Kit 3.x bodyfiles and the variants other tools write:
 *
 *   MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime
 *
 * or the same without the MD5 column (10 fields).  %XX escapes are
 * decoded as mactime does, and "\|" and "\\" as newer tools write
 * them; a name may hold '|' unescaped (then an 11-field line has more
 * fields and the extra ones belong to the name); uid and gid may be
 * empty; the mode is kept as written ("r/rrw-r--r--", "-rw-r--r--",
 * "100644"); times may be fractional or negative, and GNU find's
 * "-1.-NNN" of a time the file system does not keep is no time; '#'
 * starts a comment.
 */
#include <stdbool.h>
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %XX, "\|" and "\\" decoding into out (which holds at least len
 * bytes). */
static size_t
name_decode(char *out, const char *s, size_t len)
{
	size_t i, n = 0;
	int h, l;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len &&
		    (h = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)s[i + 2])) >= 0) {
			out[n++] = (char)(h << 4 | l);
			i += 2;
		} else if (s[i] == '\\' && i + 1 < len &&
		    (s[i + 1] == '|' || s[i + 1] == '\\')) {
			out[n++] = s[++i];
		} else
			out[n++] = s[i];
	}
	return n;
}

/* The first '|' of s that no backslash escapes, or NULL. */
static const char *
first_bar(const char *s, size_t len)
{
	size_t i;

	if (memchr(s, '\\', len) == NULL)
		return memchr(s, '|', len);
	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == '|')
			return s + i;
	}
	return NULL;
}

static bool
inode_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/*
 * GNU find's %A@ .. %B@ for a time the file system does not keep
 * ("-1.-000000010" for a birth time ext3 never had): no time, as TSK's 0.
 */
static bool
find_unknown(const char *s, size_t len)
{
	size_t i;

	if (len < 4 || memcmp(s, "-1.-", 4) != 0)
		return false;
	for (i = 4; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return len > 4;
}

static int
bodyfile_line(
    struct tl_pctx *p, const char *line, size_t len, struct irt_buf *name)
{
	const char *f[11], *bar;
	size_t fl[11], i;
	const char *s = line, *end = line + len;
	const char *last9, *nm;
	size_t nml;
	irt_ns times[4];
	uint64_t u;
	struct tl_ev e;
	unsigned out = 0;
	int rc;
	static const char *const tnames[4] = { "atime", "mtime", "ctime",
		"crtime" };

	if (len == 0 || line[0] == '#')
		return 0;
	/* the last nine fields, from the end; the name keeps any other
	 * bar */
	last9 = end;
	for (i = 0; i < 9; i++) {
		const char *q = memrchr(s, '|', (size_t)(last9 - s));
		if (q == NULL)
			return tl_warn_line(p,
			    "not a bodyfile line (%zu fields, want 10 or 11), "
			    "skipped",
			    i + 1);
		f[10 - i] = q + 1;
		fl[10 - i] = (size_t)(last9 - (q + 1));
		last9 = q;
	}
	/* MD5|name, or the name alone */
	bar = first_bar(s, (size_t)(last9 - s));
	if (bar != NULL) {
		f[0] = s;
		fl[0] = (size_t)(bar - s);
		s = bar + 1;
	} else {
		f[0] = NULL;
		fl[0] = 0;
	}
	f[1] = s;
	fl[1] = (size_t)(last9 - s);
	if (memchr(f[1], '%', fl[1]) == NULL &&
	    memchr(f[1], '\\', fl[1]) == NULL) {
		/* nothing to decode: the name as it is in the line */
		nm = f[1];
		nml = fl[1];
	} else {
		if (irt_buf_grow(name, fl[1] + 1) != 0)
			return irt_error_set(IRT_ENOMEM, "out of memory");
		name->len = name_decode(name->ptr, f[1], fl[1]);
		nm = name->ptr;
		nml = name->len;
	}
	if (nml == 0)
		return tl_warn_line(p, "empty file name, skipped");
	if (!inode_ok(f[2], fl[2]))
		return tl_warn_line(p, "invalid inode '%.*s', skipped",
		    (int)(fl[2] > 40 ? 40 : fl[2]), f[2]);
	/* uid and gid may be empty (unknown), the size may not */
	for (i = 4; i <= 6; i++)
		if ((i == 6 || fl[i] > 0) && !tl_parse_u64(f[i], fl[i], &u))
			return tl_warn_line(p, "invalid %s field, skipped",
			    i == 4       ? "uid"
			        : i == 5 ? "gid"
			                 : "size");
	for (i = 0; i < 4; i++) {
		rc = tl_parse_secs(f[7 + i], fl[7 + i], &times[i]);
		if (rc == IRT_EPARSE && find_unknown(f[7 + i], fl[7 + i]))
			rc = 0, times[i] = 0;
		else if (rc == IRT_EPARSE)
			return tl_warn_line(
			    p, "invalid %s, skipped", tnames[i]);
		else if (rc != 0)
			out |= 1u << i;
	}
	/* a time irt cannot hold is left out, the others are kept */
	for (i = 0; i < 4; i++)
		if (out & 1u << i) {
			tl_parse_secs(f[7 + i], fl[7 + i], &times[i]);
			times[i] = 0;
			if ((rc = tl_warn_line(p, "%s: %s, not used", tnames[i],
			         irt_error_last())) != 0)
				return rc;
		}
	/* in an archive, a file its other bodyfile gave already */
	if (p->seen != NULL && (rc = tl_fs_seen_check(p->seen, nm, nml)) != 0)
		return rc < 0 ? rc : 0;
	tl_ev_init(&e, 0, 0);
	e.path = nm;
	e.path_len = nml;
	tl_ev_add(&e, TL_FS_MD5, f[0] != NULL ? f[0] : "0", f[0] ? fl[0] : 1);
	tl_ev_add(&e, TL_FS_INODE, f[2], fl[2]);
	tl_ev_add(&e, TL_FS_MODE, f[3], fl[3]);
	if (fl[4] > 0)
		tl_ev_add(&e, TL_FS_UID, f[4], fl[4]);
	if (fl[5] > 0)
		tl_ev_add(&e, TL_FS_GID, f[5], fl[5]);
	tl_ev_add(&e, TL_FS_SIZE, f[6], fl[6]);
	return tl_fs_emit(p, &e, times);
}

static int
parse_bodyfile(struct tl_pctx *p, struct tl_stream *s)
{
	struct tl_lines lr;
	struct irt_buf name = IRT_BUF_INIT;
	const char *line;
	size_t len;
	int rc;

	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1) {
		if ((rc = bodyfile_line(p, line, len, &name)) != 0)
			break;
		if ((p->line & 0xffff) == 0 && tl_cancelled(p)) {
			rc = irt_error_set(IRT_EABORT, "interrupted");
			break;
		}
	}
	tl_lines_free(&lr);
	irt_buf_release(&name);
	return rc < 0 ? rc : 0;
}

static bool
by_name(const char *name, const char *path)
{
	size_t n = strlen(name);

	(void)path;
	return strcmp(name, "bodyfile") == 0 ||
	    (n >= 5 && strcmp(name + n - 5, ".body") == 0) ||
	    (n >= 9 && strcmp(name + n - 9, ".bodyfile") == 0);
}

/* [MD5|]name|inode|...: nine bars or more on the first line */
static int
by_content(const struct tl_head *h)
{
	size_t i, bars = 0;

	for (i = 0; i < h->line_len; i++)
		bars += h->line[i] == '|';
	return bars >= 9 ? TL_YES : TL_NO;
}

static const struct tl_dtype *const types[] = { &tl_dtype_fs, NULL };

const struct tl_source tl_source_bodyfile = {
	.name = "bodyfile",
	.fields = tl_fs_fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_bodyfile,
	.flags = TL_SRC_HOST,
};
