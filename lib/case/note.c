/*
 * Notes in a case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case-int.h"
#include "util/internal.h"
#include "irt/note.h"
#include "records.h"

#define NOTES_DIR "notes"

int
irt_note_check_text(const char *text, size_t len)
{
	size_t i;

	if (memchr(text, '\0', len) != NULL)
		return irt_error_set(IRT_EINVAL,
		    "note text holds a NUL byte at offset %zu",
		    (size_t)((const char *)memchr(text, '\0', len) - text));
	if (!irt_utf8_valid(text, len))
		return irt_error_set(
		    IRT_EINVAL, "note text is not valid UTF-8");
	for (i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
		    text[i] != '\r')
			return 0;
	return irt_error_set(IRT_EINVAL, "empty note, nothing added");
}

int
irt_note_check_word(const char *what, const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return irt_error_set(
		    IRT_EINVAL, "invalid %s '%s'", what, irt_esc(s));
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == ',')
			return irt_error_set(IRT_EINVAL,
			    "invalid %s '%s': no commas or control "
			    "characters",
			    what, irt_esc(s));
	if (!irt_utf8_valid(s, n))
		return irt_error_set(
		    IRT_EINVAL, "invalid %s '%s': not UTF-8", what, irt_esc(s));
	return 0;
}

void
irt_note_release(struct irt_note *n)
{
	size_t i;

	free(n->id);
	free(n->author);
	for (i = 0; i < n->ntags; i++)
		free(n->tags[i]);
	free(n->tags);
	free(n->host);
	free(n->text);
	memset(n, 0, sizeof *n);
}

static int
add_tag(struct irt_note *n, const char *s, size_t len)
{
	char **v;

	while (len > 0 && *s == ' ') {
		s++;
		len--;
	}
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len == 0)
		return 0;
	if ((v = realloc(n->tags, (n->ntags + 2) * sizeof *v)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	n->tags = v;
	if ((v[n->ntags] = strndup(s, len)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	v[++n->ntags] = NULL;
	return 0;
}

int
irt_note_parse(
    struct irt_note *out, const char *data, size_t len, const char *name)
{
	const char *p = data, *end = data + len, *eol, *colon, *v;
	unsigned line = 0;
	size_t vl;
	int rc = 0, have_date = 0;
	char *tmp;

	memset(out, 0, sizeof *out);
	if (memchr(data, '\0', len) != NULL)
		return irt_error_set(IRT_EPARSE, "%s: NUL byte", irt_esc(name));
	for (;;) {
		line++;
		if (p >= end) {
			rc = irt_error_set(IRT_EPARSE,
			    "%s:%u: header not ended by a blank line",
			    irt_esc(name), line);
			goto bad;
		}
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if (eol == p) {
			p = eol + 1;
			break;
		}
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon == NULL || colon + 1 >= eol || colon[1] != ' ') {
			rc = irt_error_set(IRT_EPARSE,
			    "%s:%u: expected 'Field: value'", irt_esc(name),
			    line);
			goto bad;
		}
		v = colon + 2;
		vl = (size_t)(eol - v);
		tmp = strndup(v, vl);
		if (tmp == NULL) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			goto bad;
		}
#define FIELD(s)                                                               \
	((size_t)(colon - p) == strlen(s) && strncmp(p, s, strlen(s)) == 0)
		if (FIELD("Id") && out->id == NULL)
			out->id = tmp;
		else if (FIELD("Author") && out->author == NULL)
			out->author = tmp;
		else if (FIELD("Host") && out->host == NULL)
			out->host = tmp;
		else if (FIELD("Date") && !have_date) {
			if (irt_time_parse(&out->date, tmp) != 0) {
				free(tmp);
				rc = irt_error_set(IRT_EPARSE,
				    "%s:%u: invalid date", irt_esc(name), line);
				goto bad;
			}
			have_date = 1;
			free(tmp);
		} else if (FIELD("Tags") && out->ntags == 0) {
			const char *s = tmp, *c;
			while ((c = strchr(s, ',')) != NULL) {
				if ((rc = add_tag(out, s, (size_t)(c - s))))
					break;
				s = c + 1;
			}
			if (rc == 0)
				rc = add_tag(out, s, strlen(s));
			free(tmp);
			if (rc != 0)
				goto bad;
		} else {
			struct irt_buf field = IRT_BUF_INIT;

			free(tmp);
			/* the field name, as untrusted as the rest */
			if (irt_escape_term(&field, p, (size_t)(colon - p)))
				rc = irt_error_set(IRT_ENOMEM, "out of memory");
			else
				rc = irt_error_set(IRT_EPARSE,
				    "%s:%u: unknown or repeated field '%s'",
				    irt_esc(name), line, irt_buf_cstr(&field));
			irt_buf_release(&field);
			goto bad;
		}
#undef FIELD
		p = eol + 1;
	}
	if (out->id == NULL || out->author == NULL || !have_date) {
		rc = irt_error_set(IRT_EPARSE,
		    "%s: header lacks Id, Author or Date", irt_esc(name));
		goto bad;
	}
	if (p > end)
		p = end;
	out->text_len = (size_t)(end - p);
	if ((out->text = strndup(p, out->text_len)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto bad;
	}
	return 0;
bad:
	irt_note_release(out);
	return rc;
}

int
irt_note_check(const char *path, const char *data, size_t len)
{
	struct irt_note n;
	int rc;

	if ((rc = irt_note_parse(&n, data, len, path)) != 0)
		return rc;
	rc = irt_record_name_check(path, ".md", "Id", n.id);
	irt_note_release(&n);
	return rc;
}

int
irt_note_format(struct irt_buf *out, const struct irt_note *n)
{
	char date[IRT_TIME_MAX];
	size_t i;

	irt_time_format(date, n->date, 9);
	if (irt_buf_printf(out, "Id: %s\nAuthor: %s\nDate: %s\n", n->id,
	        n->author, date) != 0)
		return IRT_ENOMEM;
	if (n->ntags > 0) {
		if (irt_buf_puts(out, "Tags: ") != 0)
			return IRT_ENOMEM;
		for (i = 0; i < n->ntags; i++)
			if (irt_buf_printf(
			        out, "%s%s", i ? ", " : "", n->tags[i]) != 0)
				return IRT_ENOMEM;
		if (irt_buf_putc(out, '\n') != 0)
			return IRT_ENOMEM;
	}
	if (n->host != NULL && irt_buf_printf(out, "Host: %s\n", n->host))
		return IRT_ENOMEM;
	if (irt_buf_putc(out, '\n') != 0 ||
	    irt_buf_put(out, n->text, n->text_len) != 0)
		return IRT_ENOMEM;
	if (n->text_len > 0 && n->text[n->text_len - 1] != '\n')
		return irt_buf_putc(out, '\n');
	return 0;
}

/* The first line of a text, shortened, for commit subjects. */
static void
summary(char *out, size_t size, const char *text, size_t len)
{
	size_t i = 0, n;

	while (i < len &&
	    (text[i] == '\n' || text[i] == ' ' || text[i] == '\r' ||
	        text[i] == '\t'))
		i++;
	n = 0;
	while (i < len && text[i] != '\n' && text[i] != '\r' && n + 4 < size) {
		out[n++] = text[i] == '\t' ? ' ' : text[i];
		i++;
	}
	/* do not cut a UTF-8 sequence */
	while (n > 0 && ((unsigned char)out[n - 1] & 0xc0) == 0x80 &&
	    !irt_utf8_valid(out, n))
		n--;
	if (n > 0 && !irt_utf8_valid(out, n) &&
	    ((unsigned char)out[n - 1] & 0xc0) == 0xc0)
		n--;
	if (i < len && text[i] != '\n' && n + 4 >= size) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

int
irt_note_add(struct irt_case *c, char id_out[32], const char *text, size_t len,
    const char *const *tags, size_t ntags, const char *host,
    const struct irt_ident *who)
{
	struct irt_note n;
	struct irt_buf file = IRT_BUF_INIT, path = IRT_BUF_INIT;
	struct irt_buf subject = IRT_BUF_INIT;
	char id[32], sum[72];
	size_t i;
	int rc, tries;

	if ((rc = irt_note_check_text(text, len)) != 0)
		return rc;
	for (i = 0; i < ntags; i++)
		if ((rc = irt_note_check_word("tag", tags[i])) != 0)
			return rc;
	if (host != NULL && (rc = irt_note_check_word("host", host)) != 0)
		return rc;
	memset(&n, 0, sizeof n);
	n.author = irt_ident_format(who);
	if (n.author == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	n.tags = (char **)tags;
	n.ntags = ntags;
	n.host = (char *)host;
	n.text = (char *)text;
	n.text_len = len;
	summary(sum, sizeof sum, text, len);
	for (tries = 0; tries < 5; tries++) {
		if ((rc = irt_id_new(id)) != 0)
			break;
		n.id = id;
		n.date = irt_now();
		irt_buf_clear(&file);
		irt_buf_clear(&path);
		irt_buf_clear(&subject);
		if ((rc = irt_note_format(&file, &n)) != 0 ||
		    (rc = irt_case_shard_path(&path, NOTES_DIR, id, ".md")) ||
		    (rc = irt_buf_printf(&subject, "note: %s", sum)) != 0)
			break;
		struct irt_case_file f = { path.ptr, file.ptr, file.len };
		struct irt_trailer tr[2] = {
			{ "Irt-Action", "note-add" },
			{ "Irt-Note", id },
		};
		rc = irt_case_commit(
		    c, NULL, &f, 1, 0, subject.ptr, NULL, tr, 2, who);
		if (rc != IRT_EEXISTS)
			break;
	}
	if (rc == 0)
		memcpy(id_out, id, 32);
	free(n.author);
	irt_buf_release(&file);
	irt_buf_release(&path);
	irt_buf_release(&subject);
	return rc;
}

/* Parses the note of record id at path: its Id must be the id. */
static int
parse_record(struct irt_note *n, const char *id, const char *path,
    const char *data, size_t len)
{
	int rc;

	if ((rc = irt_note_parse(n, data, len, path)) != 0)
		return rc;
	if (strcmp(n->id, id) != 0) {
		rc = irt_error_set(IRT_EPARSE,
		    "%s: Id '%s' does not match the file name", irt_esc(path),
		    irt_esc(n->id));
		irt_note_release(n);
	}
	return rc;
}

int
irt_note_get(struct irt_case *c, struct irt_note *out, const char *prefix)
{
	struct irt_buf b = IRT_BUF_INIT;
	char *id = NULL, *path = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = irt_case_record_find(
	         c, &id, &path, NOTES_DIR, ".md", prefix)) != 0) {
		if (rc == IRT_ENOTFOUND)
			irt_error_set(
			    rc, "no note with id '%s'", irt_esc(prefix));
		return rc;
	}
	if ((rc = irt_case_read(c, &b, path)) == 0)
		rc = parse_record(out, id, path, b.ptr, b.len);
	irt_buf_release(&b);
	free(id);
	free(path);
	return rc;
}

/* Where the note lies: sharded, or flat in a case not upgraded. */
static int
note_path(struct irt_case *c, struct irt_buf *out, const char *id)
{
	char *full = NULL, *path = NULL;
	int rc;

	if ((rc = irt_case_record_find(
	         c, &full, &path, NOTES_DIR, ".md", id)) == 0)
		rc = irt_buf_puts(out, path);
	free(full);
	free(path);
	return rc;
}

int
irt_note_edit(struct irt_case *c, const char *prefix, const char *text,
    size_t len, const struct irt_ident *who)
{
	struct irt_note n;
	struct irt_buf file = IRT_BUF_INIT, path = IRT_BUF_INIT;
	struct irt_buf subject = IRT_BUF_INIT;
	char sum[72];
	char *old_text;
	size_t old_len;
	int rc;

	if ((rc = irt_note_check_text(text, len)) != 0)
		return rc;
	if ((rc = irt_note_get(c, &n, prefix)) != 0)
		return rc;
	/* the stored text always ends in a newline */
	if ((n.text_len == len && memcmp(n.text, text, len) == 0) ||
	    (n.text_len == len + 1 && n.text[len] == '\n' &&
	        memcmp(n.text, text, len) == 0)) {
		irt_note_release(&n);
		return irt_error_set(
		    IRT_EINVAL, "note %s unchanged, nothing recorded", prefix);
	}
	old_text = n.text;
	old_len = n.text_len;
	n.text = (char *)text;
	n.text_len = len;
	summary(sum, sizeof sum, text, len);
	if ((rc = irt_note_format(&file, &n)) == 0 &&
	    (rc = note_path(c, &path, n.id)) == 0 &&
	    (rc = irt_buf_printf(&subject, "note: edit %s", n.id)) == 0) {
		struct irt_case_file f = { path.ptr, file.ptr, file.len };
		struct irt_trailer tr[2] = {
			{ "Irt-Action", "note-edit" },
			{ "Irt-Note", n.id },
		};
		rc = irt_case_commit(
		    c, NULL, &f, 1, 1, subject.ptr, sum, tr, 2, who);
	}
	n.text = old_text;
	n.text_len = old_len;
	irt_note_release(&n);
	irt_buf_release(&file);
	irt_buf_release(&path);
	irt_buf_release(&subject);
	return rc;
}

bool
irt_note_match(const struct irt_note *n, const struct irt_note_filter *f)
{
	size_t i;

	if (f == NULL)
		return true;
	if (f->host != NULL && (n->host == NULL || strcmp(n->host, f->host)))
		return false;
	if (f->has_since && n->date < f->since)
		return false;
	if (f->has_until && n->date >= f->until)
		return false;
	if (f->tag != NULL) {
		for (i = 0; i < n->ntags; i++)
			if (strcmp(n->tags[i], f->tag) == 0)
				break;
		if (i == n->ntags)
			return false;
	}
	return true;
}

void
irt_note_list_free(struct irt_note *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		irt_note_release(&v[i]);
	free(v);
}

static int
cmp_note(const void *a, const void *b)
{
	const struct irt_note *x = a, *y = b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return strcmp(x->id, y->id);
}

struct list_state {
	struct irt_case *c;
	struct irt_note *v;
	size_t n, cap;
	const struct irt_note_filter *f;
};

static int
list_one(const struct irt_case_record *r, void *arg)
{
	struct list_state *st = arg;
	struct irt_note n;
	int rc;

	/* one bad note does not hide the others: skipped, and said */
	rc = parse_record(&n, r->id, r->path, r->data, r->len);
	if (rc == IRT_EPARSE) {
		irt_case__warn(st->c, "skipped note: %s", irt_error_last());
		return 0;
	}
	if (rc != 0)
		return rc;
	if (!irt_note_match(&n, st->f)) {
		irt_note_release(&n);
		return 0;
	}
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		struct irt_note *v = realloc(st->v, cap * sizeof *v);
		if (v == NULL) {
			irt_note_release(&n);
			return irt_error_set(IRT_ENOMEM, "out of memory");
		}
		st->v = v;
		st->cap = cap;
	}
	st->v[st->n++] = n;
	return 0;
}

int
irt_note_list(struct irt_case *c, struct irt_note **out, size_t *count,
    const struct irt_note_filter *f)
{
	struct list_state st = { c, NULL, 0, 0, f };
	int rc;

	*out = NULL;
	*count = 0;
	if ((rc = irt_case_foreach_record(
	         c, NOTES_DIR, ".md", list_one, &st)) != 0) {
		irt_note_list_free(st.v, st.n);
		return rc;
	}
	if (st.n > 1)
		qsort(st.v, st.n, sizeof *st.v, cmp_note);
	*out = st.v;
	*count = st.n;
	return 0;
}
