/*
 * irt note: case notes.
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "irt.h"

/* -m and -F exclude each other; the text may also come from "-". */
#define TEXT_GROUP 1

static const struct irt_opt add_opts[] = {
	{ "tag", 't', IRT_ARG_STRING, "TAG", "a tag", .flags = IRT_OPT_REPEAT,
	    .complete = "note-tag" },
	{ "host", 0, IRT_ARG_STRING, "HOST", "the host the note is about",
	    .complete = "note-host" },
	{ "message", 'm', IRT_ARG_STRING, "TEXT", "the text",
	    .group = TEXT_GROUP },
	{ "file", 'F', IRT_ARG_PATH, "FILE", "read the text from FILE",
	    .group = TEXT_GROUP },
	{ NULL },
};

static const struct irt_opt edit_opts[] = {
	{ "message", 'm', IRT_ARG_STRING, "TEXT", "the new text",
	    .group = TEXT_GROUP },
	{ "file", 'F', IRT_ARG_PATH, "FILE", "read the new text from FILE",
	    .group = TEXT_GROUP },
	{ NULL },
};

static const struct irt_opt list_opts[] = {
	{ "tag", 't', IRT_ARG_STRING, "TAG", "only the notes with this tag",
	    .complete = "note-tag" },
	{ "host", 0, IRT_ARG_STRING, "HOST", "only the notes about this host",
	    .complete = "note-host" },
	{ "since", 0, IRT_ARG_DATE, "TIME", "only the notes at or after TIME" },
	{ "until", 0, IRT_ARG_DATE, "TIME", "only the notes before TIME" },
	{ NULL },
};

static const struct irt_opt grep_opts[] = {
	{ "ignore-case", 'i', IRT_ARG_NONE, NULL, "ignore case" },
	{ NULL },
};

/*
 * The text of a note from -m, -F or "-" (standard input), which exclude
 * each other: returns 0 with *msg, *file and *dash set, else the usage
 * error.  first is the index of the operand that may be "-".
 */
static int
text_source(const struct irt_args *a, int first, const char **msg,
    const char **file, int *dash)
{
	*msg = irt_args_str(a, "message", NULL);
	*file = irt_args_str(a, "file", NULL);
	*dash = 0;
	if (a->argc > first) {
		if (strcmp(a->argv[first], "-") != 0)
			return irt_args_usage(a, "unexpected argument '%s'",
			    irt_esc(a->argv[first]));
		if (*msg != NULL || *file != NULL)
			return irt_args_usage(a,
			    "'-' (standard input) and %s exclude each other",
			    *msg != NULL ? "-m/--message" : "-F/--file");
		*dash = 1;
	}
	return 0;
}

/* Reads all of a file ("-" is standard input). */
static int
read_text(struct irt_buf *b, const char *path)
{
	if (strcmp(path, "-") == 0) {
		if (irt_read_stdin(b) != 0)
			return irt_fail();
		return EXIT_OK;
	}
	if (irt_buf_read_file(b, path) != 0)
		return irt_fail();
	return EXIT_OK;
}

/* Opens $VISUAL/$EDITOR on a temporary file holding initial. */
static int
edit_text(struct irt_buf *out, const char *initial, size_t len)
{
	char path[] = "/tmp/irt-note-XXXXXX.md";
	const char *editor;
	pid_t pid;
	int fd, status;

	editor = getenv("VISUAL");
	if (editor == NULL || *editor == '\0')
		editor = getenv("EDITOR");
	if (editor == NULL || *editor == '\0')
		editor = "vi";
	if ((fd = mkstemps(path, 3)) == -1) {
		irt_err("cannot create a temporary file: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (len > 0 && write(fd, initial, len) != (ssize_t)len) {
		irt_err("cannot write '%s': %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return EXIT_FAIL;
	}
	close(fd);
	fflush(NULL);
	/* The editor value may hold arguments ("code -w"), as git allows. */
	if ((pid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", "exec $IRT_EDITOR \"$1\"", "sh",
		    path, (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		irt_err("cannot start the editor: %s", strerror(errno));
		unlink(path);
		return EXIT_FAIL;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		irt_err(
		    "the editor '%s' failed; note not saved", irt_esc(editor));
		unlink(path);
		return EXIT_FAIL;
	}
	if (irt_buf_read_file(out, path) != 0) {
		unlink(path);
		return irt_fail();
	}
	unlink(path);
	return EXIT_OK;
}

static int
get_text(struct irt_buf *b, const char *msg, const char *file, int dash,
    const char *initial, size_t ilen)
{
	if (msg != NULL)
		return irt_buf_puts(b, msg) ? irt_fail() : EXIT_OK;
	if (file != NULL)
		return read_text(b, file);
	if (dash)
		return read_text(b, "-");
	if (!isatty(STDIN_FILENO)) {
		irt_err("no text: give -m TEXT, -F FILE or - (standard input)");
		return EXIT_USAGE;
	}
	{
		const char *ed = getenv("VISUAL");
		if (ed == NULL || *ed == '\0')
			ed = getenv("EDITOR");
		setenv("IRT_EDITOR", ed && *ed ? ed : "vi", 1);
	}
	return edit_text(b, initial, ilen);
}

static int
note_add(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_buf text = IRT_BUF_INIT;
	const char **tags = NULL, *host, *msg, *file;
	const struct irt_ident *who;
	size_t ntags, i;
	char id[32];
	int rc, dash;

	if ((rc = text_source(a, 0, &msg, &file, &dash)) != 0)
		return rc;
	host = irt_args_str(a, "host", NULL);
	ntags = irt_args_count(a, "tag");
	if ((tags = calloc(ntags + 1, sizeof *tags)) == NULL)
		return irt_fail();
	for (i = 0; i < ntags; i++)
		tags[i] = irt_args_nth(a, "tag", i);
	if ((rc = get_text(&text, msg, file, dash, NULL, 0)) != EXIT_OK)
		goto out;
	if ((who = irt_who(ctx)) == NULL) {
		rc = irt_fail();
		goto out;
	}
	if (irt_note_add(ctx->kase, id, irt_buf_cstr(&text), text.len, tags,
	        ntags, host, who) != 0) {
		rc = irt_fail();
		goto out;
	}
	printf("%s\n", id);
	rc = EXIT_OK;
out:
	free(tags);
	irt_buf_release(&text);
	return rc;
}

/* A note as one JSON Lines record; 0 or the writer's error. */
static int
note_json(struct irt_jw *w, const struct irt_note *n, bool text)
{
	char t[IRT_TIME_MAX];
	size_t i;

	irt_jw_object(w, NULL);
	irt_jw_str(w, "id", n->id);
	irt_jw_str(w, "author", n->author);
	irt_jw_str(w, "date", irt_time_format(t, n->date, -1));
	irt_jw_array(w, "tags");
	for (i = 0; i < n->ntags; i++)
		irt_jw_str(w, NULL, n->tags[i]);
	irt_jw_end(w);
	irt_jw_str(w, "host", n->host);
	if (text)
		irt_jw_strn(w, "text", n->text, n->text_len);
	irt_jw_end(w);
	return irt_jw_line(w);
}

/* The first line of the text, escaped. */
static void
note_row(struct irt_buf *b, const struct irt_note *n)
{
	char t[IRT_TIME_MAX];
	size_t i, len = 0;
	const char *s = n->text;

	while ((size_t)(s - n->text) < n->text_len && (*s == '\n' || *s == ' '))
		s++;
	while ((size_t)(s - n->text) + len < n->text_len && s[len] != '\n')
		len++;
	irt_buf_printf(b, "%s  %s  ", n->id, irt_time_format(t, n->date, 0));
	if (n->host)
		irt_buf_printf(b, "[%s] ", irt_esc(n->host));
	for (i = 0; i < n->ntags; i++)
		irt_buf_printf(b, "#%s ", irt_esc(n->tags[i]));
	irt_escape_term(b, s, len > 100 ? 100 : len);
	irt_buf_putc(b, '\n');
}

static int
note_list(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_note_filter f;
	struct irt_note *v;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	size_t n, i;
	int rc = 0;

	memset(&f, 0, sizeof f);
	f.tag = irt_args_str(a, "tag", NULL);
	f.host = irt_args_str(a, "host", NULL);
	if ((f.has_since = irt_args_has(a, "since")))
		f.since = irt_args_date(a, "since", 0);
	if ((f.has_until = irt_args_has(a, "until")))
		f.until = irt_args_date(a, "until", 0);
	if (irt_note_list(ctx->kase, &v, &n, &f) != 0)
		return irt_fail();
	irt_jw_init(&w, &b);
	for (i = 0; i < n && rc == 0; i++) {
		if (ctx->json)
			rc = note_json(&w, &v[i], false);
		else
			note_row(&b, &v[i]);
	}
	irt_note_list_free(v, n);
	rc = rc != 0 ? irt_fail() : irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

static int
note_show(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_note n;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	int rc = EXIT_OK;

	if (irt_note_get(ctx->kase, &n, a->argv[0]) != 0)
		return irt_fail();
	irt_jw_init(&w, &b);
	if (ctx->json) {
		if (note_json(&w, &n, true) != 0)
			rc = irt_fail();
	} else if (isatty(STDOUT_FILENO)) {
		irt_note_format(&b, &n);
		{
			struct irt_buf e = IRT_BUF_INIT;
			/* keep newlines, escape the rest */
			const char *s = b.ptr, *nl;
			while ((nl = memchr(s, '\n',
			            b.len - (size_t)(s - b.ptr))) != NULL) {
				irt_escape_term(&e, s, (size_t)(nl - s));
				irt_buf_putc(&e, '\n');
				s = nl + 1;
			}
			irt_escape_term(&e, s, b.len - (size_t)(s - b.ptr));
			irt_buf_release(&b);
			b = e;
		}
	} else
		irt_note_format(&b, &n);
	irt_note_release(&n);
	if (rc == EXIT_OK)
		rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

static int
note_edit(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_buf text = IRT_BUF_INIT;
	struct irt_note n;
	const struct irt_ident *who;
	const char *msg, *file;
	int rc, dash;

	if ((rc = text_source(a, 1, &msg, &file, &dash)) != 0)
		return rc;
	if (irt_note_get(ctx->kase, &n, a->argv[0]) != 0)
		return irt_fail();
	rc = get_text(&text, msg, file, dash, n.text, n.text_len);
	if (rc == EXIT_OK) {
		if ((who = irt_who(ctx)) == NULL ||
		    irt_note_edit(ctx->kase, n.id, irt_buf_cstr(&text),
		        text.len, who) != 0)
			rc = irt_fail();
		else if (!ctx->quiet)
			printf("%s\n", n.id);
	}
	irt_note_release(&n);
	irt_buf_release(&text);
	return rc;
}

struct nlog {
	struct irt_ctx *ctx;
	struct irt_buf *b;
	struct irt_jw w;
};

static int
nlog_row(
    const struct irt_case_logent *e, const char *data, size_t len, void *arg)
{
	struct nlog *s = arg;
	char t[IRT_TIME_MAX];

	if (data == NULL)
		return 0; /* a commit that removed it */
	irt_time_format(t, e->time, 0);
	if (s->ctx->json) {
		irt_jw_object(&s->w, NULL);
		irt_jw_str(&s->w, "commit", e->oid);
		irt_jw_str(&s->w, "time", t);
		irt_jw_str(&s->w, "author", e->author);
		irt_jw_str(&s->w, "action", e->action);
		irt_jw_strn(&s->w, "content", data, len);
		irt_jw_end(&s->w);
		return irt_jw_line(&s->w);
	} else {
		irt_buf_printf(s->b, "commit %s\n", e->oid);
		irt_buf_printf(s->b, "Author: %s\n", irt_esc(e->author));
		irt_buf_printf(s->b, "Date:   %s\n", t);
		irt_buf_printf(s->b, "Action: %s\n\n", irt_esc(e->action));
		irt_buf_put(s->b, data, len);
		irt_buf_putc(s->b, '\n');
	}
	return 0;
}

static int
note_log(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct nlog s = { ctx, &b };
	char *full;
	int rc;

	irt_jw_init(&s.w, &b);
	if (irt_case_record_find(
	        ctx->kase, &full, NULL, "notes", ".md", a->argv[0]) != 0)
		return irt_fail();
	/* both of its paths: before and after an irt case upgrade */
	if (irt_case_record_log(ctx->kase, "notes", full, ".md", nlog_row, &s))
		rc = irt_fail();
	else
		rc = irt_out(&b);
	free(full);
	irt_buf_release(&b);
	return rc;
}

static int
note_grep(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_note *v;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_jw w;
	regex_t re;
	size_t n, i;
	int rc, flags = REG_EXTENDED | REG_NOSUB | REG_NEWLINE, bad = 0;
	char errbuf[256];

	if (irt_args_has(a, "ignore-case"))
		flags |= REG_ICASE;
	if ((rc = regcomp(&re, a->argv[0], flags)) != 0) {
		regerror(rc, &re, errbuf, sizeof errbuf);
		irt_err("invalid regular expression '%s': %s",
		    irt_esc(a->argv[0]), errbuf);
		return EXIT_USAGE;
	}
	irt_jw_init(&w, &b);
	if (irt_note_list(ctx->kase, &v, &n, NULL) != 0) {
		regfree(&re);
		return irt_fail();
	}
	rc = EXIT_FAIL; /* like grep: 1 when nothing matched */
	for (i = 0; i < n; i++) {
		const char *s = v[i].text, *end = s + v[i].text_len, *nl;
		size_t lineno = 0;
		int hit = 0;
		while (s < end) {
			char *line;
			nl = memchr(s, '\n', (size_t)(end - s));
			if (nl == NULL)
				nl = end;
			lineno++;
			line = strndup(s, (size_t)(nl - s));
			if (line && regexec(&re, line, 0, NULL, 0) == 0) {
				hit = 1;
				if (ctx->json) {
					irt_jw_object(&w, NULL);
					irt_jw_str(&w, "id", v[i].id);
					irt_jw_uint(&w, "line", lineno);
					irt_jw_str(&w, "text", line);
					irt_jw_end(&w);
					bad |= irt_jw_line(&w) != 0;
				} else
					irt_buf_printf(&b, "%s:%zu:%s\n",
					    v[i].id, lineno, irt_esc(line));
			}
			free(line);
			s = nl + 1;
		}
		if (hit)
			rc = EXIT_OK;
	}
	irt_note_list_free(v, n);
	regfree(&re);
	if (bad)
		rc = irt_fail();
	else if (irt_out(&b) != EXIT_OK)
		rc = EXIT_FAIL;
	irt_buf_release(&b);
	return rc;
}

static const struct irt_subcmd note_subcmds[] = {
	{ "add", "add a note and print its id", IRT_CMD_NEEDS_CASE, add_opts,
	    "[-]", 0, 1, note_add, "-" },
	{ "edit", "replace the text of a note", IRT_CMD_NEEDS_CASE, edit_opts,
	    "ID [-]", 1, 2, note_edit, "note -" },
	{ "grep", "print the lines of the notes that match a regex",
	    IRT_CMD_NEEDS_CASE | IRT_CMD_JSON, grep_opts, "REGEX", 1, 1,
	    note_grep, "-" },
	{ "list", "list the notes, oldest first",
	    IRT_CMD_NEEDS_CASE | IRT_CMD_JSON, list_opts, NULL, 0, 0,
	    note_list },
	{ "log", "print every version of a note",
	    IRT_CMD_NEEDS_CASE | IRT_CMD_JSON, NULL, "ID", 1, 1, note_log,
	    "note" },
	{ "show", "print a note", IRT_CMD_NEEDS_CASE | IRT_CMD_JSON, NULL, "ID",
	    1, 1, note_show, "note" },
	{ NULL },
};

const struct irt_cmd irt_cmd_note = {
	.name = "note",
	.summary = "add, list, show, edit and search case notes",
	.subcmds = note_subcmds,
};
