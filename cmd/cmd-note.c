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

static const char add_usage[] =
    "usage: irt note add [-t TAG]... [--host HOST] [-m TEXT | -F FILE | -]\n";
static const char list_usage[] =
    "usage: irt note list [--tag TAG] [--host HOST] [--since TIME]\n"
    "                     [--until TIME] [--json]\n";
static const char show_usage[] = "usage: irt note show [--json] ID\n";
static const char edit_usage[] =
    "usage: irt note edit ID [-m TEXT | -F FILE | -]\n";
static const char log_usage[] = "usage: irt note log [--json] ID\n";
static const char grep_usage[] = "usage: irt note grep [-i] [--json] REGEX\n";

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
note_add(struct irt_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "tag", required_argument, NULL, 't' },
		{ "host", required_argument, NULL, 'H' },
		{ "message", required_argument, NULL, 'm' },
		{ "file", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct irt_buf text = IRT_BUF_INIT;
	const char **tags = NULL, *host = NULL, *msg = NULL, *file = NULL;
	const struct irt_ident *who;
	size_t ntags = 0;
	char id[32];
	int ch, rc, dash = 0;

	if ((tags = calloc((size_t)argc + 1, sizeof *tags)) == NULL)
		return irt_fail();
	while (
	    (ch = getopt_long(argc, argv, "ht:m:F:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			free(tags);
			return irt_help(add_usage, false);
		case 't':
			tags[ntags++] = optarg;
			break;
		case 'H':
			host = optarg;
			break;
		case 'm':
			msg = optarg;
			break;
		case 'F':
			file = optarg;
			break;
		default:
			free(tags);
			return irt_help(add_usage, true);
		}
	}
	if (optind < argc && strcmp(argv[optind], "-") == 0) {
		dash = 1;
		optind++;
	}
	if (optind != argc || (msg != NULL) + (file != NULL) + dash > 1) {
		free(tags);
		return irt_help(add_usage, true);
	}
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

static void
note_json(struct irt_buf *b, const struct irt_note *n, bool text)
{
	char t[IRT_TIME_MAX];
	size_t i;

	irt_buf_puts(b, "{\"id\":");
	irt_json_str(b, n->id);
	irt_buf_puts(b, ",\"author\":");
	irt_json_str(b, n->author);
	irt_buf_printf(
	    b, ",\"date\":\"%s\",\"tags\":[", irt_time_format(t, n->date, -1));
	for (i = 0; i < n->ntags; i++) {
		if (i > 0)
			irt_buf_putc(b, ',');
		irt_json_str(b, n->tags[i]);
	}
	irt_buf_puts(b, "],\"host\":");
	irt_json_str(b, n->host);
	if (text) {
		irt_buf_puts(b, ",\"text\":");
		irt_json_strn(b, n->text, n->text_len);
	}
	irt_buf_puts(b, "}\n");
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
note_list(struct irt_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		IRT_LONGOPTS_COMMON,
		{ "tag", required_argument, NULL, 't' },
		{ "host", required_argument, NULL, 'H' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct irt_note_filter f;
	struct irt_note *v;
	struct irt_buf b = IRT_BUF_INIT;
	size_t n, i;
	int ch, rc;

	memset(&f, 0, sizeof f);
	while ((ch = getopt_long(argc, argv, "ht:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return irt_help(list_usage, false);
		case IRT_OPT_JSON:
			ctx->json = true;
			break;
		case 't':
			f.tag = optarg;
			break;
		case 'H':
			f.host = optarg;
			break;
		case 's':
			if (irt_time_parse(&f.since, optarg) != 0)
				return irt_fail();
			f.has_since = true;
			break;
		case 'u':
			if (irt_time_parse(&f.until, optarg) != 0)
				return irt_fail();
			f.has_until = true;
			break;
		default:
			return irt_help(list_usage, true);
		}
	}
	if (optind != argc)
		return irt_help(list_usage, true);
	if (irt_note_list(ctx->kase, &v, &n, &f) != 0)
		return irt_fail();
	for (i = 0; i < n; i++) {
		if (ctx->json)
			note_json(&b, &v[i], false);
		else
			note_row(&b, &v[i]);
	}
	irt_note_list_free(v, n);
	rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

static int
note_show(struct irt_ctx *ctx, int argc, char **argv)
{
	struct irt_note n;
	struct irt_buf b = IRT_BUF_INIT;
	const char *id = NULL;
	int rc;

	if ((rc = irt_opts_json(ctx, argc, argv, show_usage, 1, 1)) >= 0)
		return rc;
	id = argv[optind];
	if (irt_note_get(ctx->kase, &n, id) != 0)
		return irt_fail();
	if (ctx->json)
		note_json(&b, &n, true);
	else if (isatty(STDOUT_FILENO)) {
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
	rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

static int
note_edit(struct irt_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "message", required_argument, NULL, 'm' },
		{ "file", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct irt_buf text = IRT_BUF_INIT;
	struct irt_note n;
	const struct irt_ident *who;
	const char *msg = NULL, *file = NULL, *id;
	int ch, rc, dash = 0;

	while ((ch = getopt_long(argc, argv, "hm:F:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return irt_help(edit_usage, false);
		case 'm':
			msg = optarg;
			break;
		case 'F':
			file = optarg;
			break;
		default:
			return irt_help(edit_usage, true);
		}
	}
	if (argc - optind == 2 && strcmp(argv[optind + 1], "-") == 0)
		dash = 1;
	else if (argc - optind != 1)
		return irt_help(edit_usage, true);
	if ((msg != NULL) + (file != NULL) + dash > 1)
		return irt_help(edit_usage, true);
	id = argv[optind];
	if (irt_note_get(ctx->kase, &n, id) != 0)
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
		irt_buf_printf(s->b,
		    "{\"commit\":\"%s\",\"time\":\"%s\","
		    "\"author\":",
		    e->oid, t);
		irt_json_str(s->b, e->author);
		irt_buf_puts(s->b, ",\"action\":");
		irt_json_str(s->b, e->action);
		irt_buf_puts(s->b, ",\"content\":");
		irt_json_strn(s->b, data, len);
		irt_buf_puts(s->b, "}\n");
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
note_log(struct irt_ctx *ctx, int argc, char **argv)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct nlog s = { ctx, &b };
	char *full;
	int rc;

	if ((rc = irt_opts_json(ctx, argc, argv, log_usage, 1, 1)) >= 0)
		return rc;
	if (irt_case_record_find(
	        ctx->kase, &full, NULL, "notes", ".md", argv[optind]) != 0)
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
note_grep(struct irt_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		IRT_LONGOPTS_COMMON,
		{ "ignore-case", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct irt_note *v;
	struct irt_buf b = IRT_BUF_INIT;
	regex_t re;
	size_t n, i;
	int ch, rc, flags = REG_EXTENDED | REG_NOSUB | REG_NEWLINE;
	char errbuf[256];

	while ((ch = getopt_long(argc, argv, "hi", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return irt_help(grep_usage, false);
		case IRT_OPT_JSON:
			ctx->json = true;
			break;
		case 'i':
			flags |= REG_ICASE;
			break;
		default:
			return irt_help(grep_usage, true);
		}
	}
	if (argc - optind != 1)
		return irt_help(grep_usage, true);
	if ((rc = regcomp(&re, argv[optind], flags)) != 0) {
		regerror(rc, &re, errbuf, sizeof errbuf);
		irt_err("invalid regular expression '%s': %s",
		    irt_esc(argv[optind]), errbuf);
		return EXIT_USAGE;
	}
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
					irt_buf_puts(&b, "{\"id\":");
					irt_json_str(&b, v[i].id);
					irt_buf_printf(&b,
					    ",\"line\":%zu,"
					    "\"text\":",
					    lineno);
					irt_json_str(&b, line);
					irt_buf_puts(&b, "}\n");
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
	if (irt_out(&b) != EXIT_OK)
		rc = EXIT_FAIL;
	irt_buf_release(&b);
	return rc;
}

static const struct irt_subcmd note_subcmds[] = {
	{ "add", add_usage, note_add, IRT_CMD_NEEDS_CASE },
	{ "edit", edit_usage, note_edit, IRT_CMD_NEEDS_CASE },
	{ "grep", grep_usage, note_grep, IRT_CMD_NEEDS_CASE },
	{ "list", list_usage, note_list, IRT_CMD_NEEDS_CASE },
	{ "log", log_usage, note_log, IRT_CMD_NEEDS_CASE },
	{ "show", show_usage, note_show, IRT_CMD_NEEDS_CASE },
	{ NULL, NULL, NULL, 0 },
};

static int
note_exec(struct irt_ctx *ctx, int argc, char **argv)
{
	return irt_subcmd_dispatch(
	    ctx, &irt_cmd_note, note_subcmds, argc, argv);
}

const struct irt_cmd irt_cmd_note = {
	.name = "note",
	.summary = "add, list, show, edit and search case notes",
	.usage =
	    "usage: irt note add [-t TAG]... [--host HOST] [-m TEXT | -F FILE "
	    "| -]\n"
	    "       irt note list [--tag TAG] [--host HOST] [--since TIME] "
	    "[--until TIME] [--json]\n"
	    "       irt note show [--json] ID\n"
	    "       irt note edit ID [-m TEXT | -F FILE | -]\n"
	    "       irt note log [--json] ID\n"
	    "       irt note grep [-i] [--json] REGEX\n",
	.exec = note_exec,
	.subcmds = note_subcmds,
};
