/*
 * Completion for irt shell and bash: word splitting, the walk of a
 * command line over the declared tables (opt.h), and the completers an
 * option or an operand names in its "complete" field.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "complete.h"

int
irt_words_addn(struct irt_words *w, const char *s, size_t len)
{
	char **nv;
	size_t ncap;

	if (w->n + 2 > w->cap) {
		ncap = w->cap ? w->cap * 2 : 16;
		if ((nv = realloc(w->v, ncap * sizeof *nv)) == NULL)
			return IRT_ENOMEM;
		w->v = nv;
		w->cap = ncap;
	}
	if ((w->v[w->n] = strndup(s, len)) == NULL)
		return IRT_ENOMEM;
	w->n++;
	w->v[w->n] = NULL;
	return 0;
}

int
irt_words_add(struct irt_words *w, const char *s)
{
	return irt_words_addn(w, s, strlen(s));
}

void
irt_words_free(struct irt_words *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	w->v = NULL;
	w->n = w->cap = 0;
}

int
irt_split(struct irt_words *w, const char *line, bool *in_word)
{
	struct irt_buf cur = IRT_BUF_INIT;
	const char *s = line;
	int state = IRT_SPLIT_DONE, word = 0;
	char q;

	for (;;) {
		if (*s == '\0')
			break;
		if (!word &&
		    (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
			s++;
			continue;
		}
		if (!word && *s == '#')
			break; /* a comment to the end of the line */
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			if (irt_words_addn(w, irt_buf_cstr(&cur), cur.len) != 0)
				goto nomem;
			irt_buf_clear(&cur);
			word = 0;
			continue;
		}
		word = 1;
		if (*s == '\\') {
			if (s[1] == '\0') {
				state = IRT_SPLIT_ESCAPE;
				s++;
				break;
			}
			if (s[1] != '\n' && irt_buf_putc(&cur, s[1]) != 0)
				goto nomem;
			s += 2;
			continue;
		}
		if (*s == '\'' || *s == '"') {
			q = *s++;
			while (*s != '\0' && *s != q) {
				if (q == '"' && *s == '\\' &&
				    (s[1] == '"' || s[1] == '\\'))
					s++;
				if (irt_buf_putc(&cur, *s) != 0)
					goto nomem;
				s++;
			}
			if (*s == '\0') {
				state = IRT_SPLIT_QUOTE;
				break;
			}
			s++;
			/* "" is an empty word, not none */
			if (cur.ptr == NULL && irt_buf_grow(&cur, 1) != 0)
				goto nomem;
			continue;
		}
		if (irt_buf_putc(&cur, *s) != 0)
			goto nomem;
		s++;
	}
	if (word && irt_words_addn(w, irt_buf_cstr(&cur), cur.len) != 0)
		goto nomem;
	if (in_word != NULL)
		*in_word = word;
	irt_buf_release(&cur);
	return state;
nomem:
	irt_buf_release(&cur);
	return IRT_SPLIT_NOMEM;
}

/* The state of one completion. */
struct comp {
	struct irt_ctx *ctx;
	int mode;
	bool top;             /* completing the command itself */
	const char *case_dir; /* -C among the words */
	const char *prefix;   /* put before every candidate ("--tlp=", "!") */
	/* the options given to the (sub)command, for completers that
	 * depend on them (the steps of "-c NAME") */
	const struct irt_opt *given_opt[16];
	const char *given_val[16];
	size_t ngiven;
	struct irt_words *out;
	int directive;
	int rc;
};

/* The value of an option (by long name) given before the word. */
static const char *
given(const struct comp *k, const char *name)
{
	size_t i;

	for (i = k->ngiven; i-- > 0;)
		if (strcmp(k->given_opt[i]->name, name) == 0)
			return k->given_val[i];
	return NULL;
}

/* Adds s when it starts with cur. */
static void
add(struct comp *k, const char *cur, const char *s)
{
	struct irt_buf b = IRT_BUF_INIT;

	if (strncmp(s, cur, strlen(cur)) != 0)
		return;
	if (k->prefix != NULL) {
		if (irt_buf_puts(&b, k->prefix) != 0 ||
		    irt_buf_puts(&b, s) != 0 ||
		    irt_words_add(k->out, b.ptr) != 0)
			k->rc = IRT_ENOMEM;
		irt_buf_release(&b);
		return;
	}
	if (irt_words_add(k->out, s) != 0)
		k->rc = IRT_ENOMEM;
}

/* Adds the part of name before the first '.' (an id from a file name). */
static void
add_stem(struct comp *k, const char *cur, const char *name)
{
	char *s;
	size_t len = strcspn(name, ".");

	if (len == 0)
		return;
	if ((s = strndup(name, len)) == NULL) {
		k->rc = IRT_ENOMEM;
		return;
	}
	add(k, cur, s);
	free(s);
}

/* The case, opened quietly on first use; NULL when there is none. */
static struct irt_case *
comp_case(struct comp *k)
{
	char *path;

	if (k->ctx->kase != NULL)
		return k->ctx->kase;
	if (irt_case_discover(
	        &path, k->case_dir ? k->case_dir : k->ctx->case_dir) != 0)
		return NULL;
	if (irt_case_open(&k->ctx->kase, path) != 0)
		k->ctx->kase = NULL;
	free(path);
	return k->ctx->kase;
}

/* Adds the ids of the records of a folder of the case. */
static void
case_dir_stems(
    struct comp *k, const char *cur, const char *dir, const char *ext)
{
	struct irt_case *c;
	char **v;
	size_t i;

	if ((c = comp_case(k)) == NULL ||
	    irt_case_record_ids(c, &v, dir, ext) != 0)
		return;
	for (i = 0; v[i] != NULL; i++)
		add(k, cur, v[i]);
	irt_strv_free(v);
}

static void
c_files(struct comp *k, const char *cur)
{
	(void)cur;
	k->directive |= IRT_COMP_FILES;
}

static void
c_commands(struct comp *k, const char *cur)
{
	size_t i;

	for (i = 0; irt_commands[i] != NULL; i++) {
		if (irt_commands[i]->flags & IRT_CMD_HIDDEN)
			continue;
		/* no shell inside the shell */
		if ((k->mode & IRT_COMP_SHELL) && k->top &&
		    strcmp(irt_commands[i]->name, "shell") == 0)
			continue;
		add(k, cur, irt_commands[i]->name);
	}
}

/* Programs in $PATH, as a shell completes the first word. */
static void
c_programs(struct comp *k, const char *cur)
{
	const char *path = getenv("PATH"), *p, *e;
	struct dirent *de;
	struct stat st;
	char *dir;
	DIR *d;

	if (strchr(cur, '/') != NULL) {
		k->directive |= IRT_COMP_FILES;
		return;
	}
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ":");
		if (e == p)
			continue;
		if ((dir = strndup(p, (size_t)(e - p))) == NULL) {
			k->rc = IRT_ENOMEM;
			return;
		}
		if ((d = opendir(dir)) != NULL) {
			while ((de = readdir(d)) != NULL) {
				if (de->d_name[0] == '.' ||
				    strncmp(de->d_name, cur, strlen(cur)) != 0)
					continue;
				if (fstatat(dirfd(d), de->d_name, &st, 0) !=
				        0 ||
				    !S_ISREG(st.st_mode) ||
				    faccessat(dirfd(d), de->d_name, X_OK, 0) !=
				        0)
					continue;
				add(k, cur, de->d_name);
			}
			closedir(d);
		}
		free(dir);
	}
}

static void
c_note_ids(struct comp *k, const char *cur)
{
	case_dir_stems(k, cur, "notes", ".md");
}

/* The ids of the IOCs of the case that are still active. */
static void
c_ioc_ids(struct comp *k, const char *cur)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct irt_case *c;
	size_t i;

	if ((c = comp_case(k)) == NULL || irt_ioc_load(c, &s, false) != 0) {
		irt_ioc_set_release(&s);
		return;
	}
	for (i = 0; i < s.n; i++)
		add(k, cur, s.v[i].id);
	irt_ioc_set_release(&s);
}

/* Tags (or hosts) used by the notes of the case. */
static void
note_words(struct comp *k, const char *cur, bool hosts)
{
	struct irt_case *c;
	struct irt_note *v;
	size_t n, i, j;

	if ((c = comp_case(k)) == NULL || irt_note_list(c, &v, &n, NULL) != 0)
		return;
	for (i = 0; i < n; i++) {
		if (hosts && v[i].host != NULL)
			add(k, cur, v[i].host);
		for (j = 0; !hosts && j < v[i].ntags; j++)
			add(k, cur, v[i].tags[j]);
	}
	irt_note_list_free(v, n);
}

static void
c_note_tags(struct comp *k, const char *cur)
{
	note_words(k, cur, false);
}

static void
c_note_hosts(struct comp *k, const char *cur)
{
	note_words(k, cur, true);
}

/* Evidence ids: one custody record per item under custody/. */
static void
c_evidence_ids(struct comp *k, const char *cur)
{
	case_dir_stems(k, cur, IRT_EVIDENCE_DIR, IRT_EVIDENCE_SUFFIX);
}

/* The stems of the embedded files under dir/ ("checklists/", ...). */
static void
data_stems(struct comp *k, const char *cur, const char *dir)
{
	const struct irt_data_file *f;
	size_t len = strlen(dir);

	for (f = irt_data_all(); f->name != NULL; f++)
		if (strncmp(f->name, dir, len) == 0 &&
		    strchr(f->name + len, '/') == NULL)
			add_stem(k, cur, f->name + len);
}

/* The built-in checklists (embedded as checklists/<name>.md). */
static void
c_checklist_names(struct comp *k, const char *cur)
{
	data_stems(k, cur, "checklists/");
}

/* The built-in collection profiles (profiles/<name>.profile). */
static void
c_profile_names(struct comp *k, const char *cur)
{
	data_stems(k, cur, "profiles/");
}

/* Started checklists in the case: checklists/<name>-<host>.md. */
static void
c_checklist_started(struct comp *k, const char *cur)
{
	struct irt_case *c;
	char **v;
	size_t i, len;

	if ((c = comp_case(k)) == NULL ||
	    irt_case_list(c, &v, "checklists") != 0)
		return;
	for (i = 0; v[i] != NULL; i++) {
		len = strlen(v[i]);
		if (len > 3 && strcmp(v[i] + len - 3, ".md") == 0) {
			v[i][len - 3] = '\0';
			add(k, cur, v[i]);
		}
	}
	irt_strv_free(v);
}

/*
 * Step ids of the started checklists: the first word after the box of
 * each task line ("- [ ] isolate: ...", "- [x] **volatile** ...").
 */
static void
c_checklist_steps(struct comp *k, const char *cur)
{
	struct irt_case *c;
	struct irt_buf b = IRT_BUF_INIT, path = IRT_BUF_INIT;
	const char *s, *e, *nl, *only;
	char **v, *id;
	size_t i, len;

	if ((c = comp_case(k)) == NULL ||
	    irt_case_list(c, &v, "checklists") != 0)
		return;
	/* with -c NAME, the steps of the checklists it names (a prefix) */
	only = given(k, "checklist");
	for (i = 0; v[i] != NULL; i++) {
		if (only != NULL && strncmp(v[i], only, strlen(only)) != 0)
			continue;
		irt_buf_clear(&path);
		irt_buf_clear(&b);
		if (irt_buf_printf(&path, "checklists/%s", v[i]) != 0 ||
		    irt_case_read(c, &b, path.ptr) != 0)
			continue;
		for (s = b.ptr; s != NULL && s < b.ptr + b.len;
		     s = nl ? nl + 1 : NULL) {
			nl = memchr(s, '\n', b.len - (size_t)(s - b.ptr));
			while (*s == ' ' || *s == '\t')
				s++;
			if ((s[0] != '-' && s[0] != '*') || s[1] != ' ' ||
			    s[2] != '[' || s[3] == '\0' ||
			    strchr(" xX", s[3]) == NULL || s[4] != ']')
				continue;
			for (s += 5;
			     *s == ' ' || *s == '*' || *s == '`' || *s == '[';
			     s++)
				;
			for (e = s; isalnum((unsigned char)*e) || *e == '.' ||
			     *e == '_' || *e == '-';
			     e++)
				;
			if ((len = (size_t)(e - s)) == 0)
				continue;
			if ((id = strndup(s, len)) == NULL) {
				k->rc = IRT_ENOMEM;
				break;
			}
			add(k, cur, id);
			free(id);
		}
	}
	irt_buf_release(&b);
	irt_buf_release(&path);
	irt_strv_free(v);
}

/* The fields of irt stack. */
static void
c_stack_fields(struct comp *k, const char *cur)
{
	int i;

	for (i = 0; i < IRT_STACK_NFIELDS; i++)
		add(k, cur, irt_stack_field_name((enum irt_stack_field)i));
}

/* The completers that tables name in their "complete" fields. */
static const struct completer {
	const char *name;
	void (*fn)(struct comp *k, const char *cur);
} completers[] = {
	{ "checklist", c_checklist_names },
	{ "checklist-started", c_checklist_started },
	{ "command", c_commands },
	{ "evidence", c_evidence_ids },
	{ "file", c_files },
	{ "ioc", c_ioc_ids },
	{ "note", c_note_ids },
	{ "note-host", c_note_hosts },
	{ "note-tag", c_note_tags },
	{ "profile", c_profile_names },
	{ "program", c_programs },
	{ "stack-field", c_stack_fields },
	{ "step", c_checklist_steps },
	{ NULL, NULL },
};

/* The completer of a name of len bytes; "-" names none on purpose. */
static const struct completer *
completer(const char *name, size_t len)
{
	const struct completer *c;

	for (c = completers; c->name != NULL; c++)
		if (strlen(c->name) == len && strncmp(c->name, name, len) == 0)
			return c;
	return NULL;
}

bool
irt_complete_known(const char *spec)
{
	size_t len;

	if (spec == NULL)
		return true;
	for (;;) {
		len = strcspn(spec, "| ");
		if (len == 0 ||
		    (!(len == 1 && *spec == '-') &&
		        completer(spec, len) == NULL))
			return false;
		spec += len;
		if (*spec == '\0')
			return true;
		spec++;
	}
}

/* Completes with each completer of "profile|file" (len bytes of it). */
static void
complete_spec(struct comp *k, const char *spec, size_t len, const char *cur)
{
	const struct completer *c;
	size_t n;

	while (len > 0) {
		n = strcspn(spec, "|");
		if (n > len)
			n = len;
		if ((c = completer(spec, n)) != NULL)
			c->fn(k, cur);
		spec += n;
		len -= n;
		if (len > 0) {
			spec++;
			len--;
		}
	}
}

/* What the argument of an option completes to. */
static void
complete_arg(struct comp *k, const struct irt_opt *o, const char *cur)
{
	size_t i;

	if (o->complete != NULL)
		complete_spec(k, o->complete, strlen(o->complete), cur);
	else if (o->arg == IRT_ARG_ENUM)
		for (i = 0; o->values != NULL && o->values[i] != NULL; i++)
			add(k, cur, o->values[i]);
	else if (o->arg == IRT_ARG_PATH)
		k->directive |= IRT_COMP_FILES;
}

/* What operand number i of a form completes to: its word in the form's
 * complete field, the last one for the operands after it. */
static void
complete_operand(
    struct comp *k, const struct irt_form *f, size_t i, const char *cur)
{
	const char *w = f->complete, *last = NULL;
	size_t len = 0;

	if (w == NULL || (f->max_args >= 0 && i >= (size_t)f->max_args))
		return;
	while (*w != '\0') {
		len = strcspn(w, " ");
		last = w;
		if (i-- == 0)
			break;
		w += len;
		w += strspn(w, " ");
	}
	if (last == NULL || (*w == '\0' && f->max_args >= 0))
		return;
	complete_spec(k, last, len, cur);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
sort_unique(struct irt_words *w)
{
	size_t i, j;

	if (w->n == 0)
		return;
	qsort(w->v, w->n, sizeof *w->v, cmp_str);
	for (i = 1, j = 1; i < w->n; i++) {
		if (strcmp(w->v[i], w->v[j - 1]) == 0)
			free(w->v[i]);
		else
			w->v[j++] = w->v[i];
	}
	w->n = j;
	w->v[j] = NULL;
}

/* Is the option offered to a line of irt shell?  irt's own options
 * marked NOSHELL are not. */
static bool
offered(const struct comp *k, const struct irt_opt *o, bool global)
{
	if (o->flags & IRT_OPT_HIDDEN)
		return false;
	return !(global && (k->mode & IRT_COMP_SHELL) &&
	    (o->flags & IRT_OPT_NOSHELL));
}

/* The option names of a form, and the implied --json and -h/--help. */
static void
complete_options(
    struct comp *k, const struct irt_form *f, bool global, const char *cur)
{
	const struct irt_opt *o;
	char name[128];
	bool help = false, json = false;

	for (o = f->opts; o != NULL && o->name != NULL; o++) {
		help |= strcmp(o->name, "help") == 0;
		json |= strcmp(o->name, "json") == 0;
		if (!offered(k, o, global))
			continue;
		if (!(o->flags & IRT_OPT_NOLONG)) {
			snprintf(name, sizeof name, "--%s", o->name);
			add(k, cur, name);
		}
		if (o->short_name != 0) {
			snprintf(name, sizeof name, "-%c", o->short_name);
			add(k, cur, name);
		}
	}
	if (!json && (f->flags & IRT_CMD_JSON))
		add(k, cur, "--json");
	if (!help) {
		add(k, cur, "-h");
		add(k, cur, "--help");
	}
}

/* Remembers the value of an option given before the completed word. */
static void
remember(struct comp *k, const struct irt_opt *o, const char *v)
{
	if (o->short_name == 'C' && (o->flags & IRT_OPT_NOLONG))
		k->case_dir = v; /* -C DIR names the case */
	if (k->ngiven < sizeof k->given_opt / sizeof k->given_opt[0]) {
		k->given_opt[k->ngiven] = o;
		k->given_val[k->ngiven++] = v;
	}
}

/*
 * Steps over the option word words[*i] of a form, and over its argument
 * when that is the next word.  Returns the option whose argument is the
 * word being completed (the one after words[n - 1]), else NULL.
 */
static const struct irt_opt *
skip_option(struct comp *k, const struct irt_form *f, char *const *words,
    size_t n, size_t *i)
{
	const struct irt_opt *o;
	const char *w = words[*i], *eq;

	if (w[1] == '-') {
		eq = strchr(w, '=');
		o = irt_opt_long(f->opts, w + 2,
		    eq != NULL ? (size_t)(eq - w - 2) : strlen(w + 2));
		if (o == NULL || o->arg == IRT_ARG_NONE)
			return NULL;
		if (eq != NULL) {
			remember(k, o, eq + 1);
			return NULL;
		}
	} else {
		/* a cluster of short options: -qv, -tssh, -t ssh */
		for (w++, o = NULL; *w != '\0'; w++) {
			if ((o = irt_opt_short(f->opts, *w)) == NULL ||
			    o->arg != IRT_ARG_NONE)
				break;
		}
		if (o == NULL || o->arg == IRT_ARG_NONE)
			return NULL;
		if (w[1] != '\0') {
			remember(k, o, w + 1);
			return NULL;
		}
	}
	if (*i + 1 == n)
		return o; /* its argument is the word being completed */
	remember(k, o, words[++*i]);
	return NULL;
}

static void
complete_words(struct comp *k, char *const *words, size_t n, const char *cur)
{
	const struct irt_form *global = &irt_global_form;
	const struct irt_cmd *cmd;
	const struct irt_subcmd *sub = NULL;
	const struct irt_opt *argof = NULL, *o;
	const struct irt_form *fp = global;
	struct irt_form f;
	char path[64];
	size_t i = 0, npos = 0;
	bool opts_done = false, is_global = true;

	/* irt shell: "!COMMAND ARGS" runs a program as irt run does */
	if ((k->mode & IRT_COMP_SHELL) &&
	    ((n == 0 && cur[0] == '!') || (n > 0 && words[0][0] == '!'))) {
		if (n == 0) {
			k->prefix = "!";
			c_programs(k, cur + 1);
		} else if (n == 1 && strcmp(words[0], "!") == 0)
			c_programs(k, cur);
		else
			k->directive |= IRT_COMP_FILES;
		return;
	}
	/* irt's own options, then the command and its subcommand */
	for (; i < n && words[i][0] == '-' && words[i][1] != '\0'; i++) {
		if (strcmp(words[i], "--") == 0) {
			i++;
			break;
		}
		if ((argof = skip_option(k, global, words, n, &i)) != NULL)
			break;
	}
	if (argof == NULL && i < n) {
		if ((cmd = irt_cmd_find(words[i])) == NULL ||
		    (cmd->flags & IRT_CMD_HIDDEN))
			return;
		i++;
		if (cmd->subcmds != NULL) {
			if (i == n) {
				if (cur[0] == '-') {
					add(k, cur, "-h");
					add(k, cur, "--help");
					return;
				}
				for (sub = cmd->subcmds; sub->name != NULL;
				     sub++)
					add(k, cur, sub->name);
				return;
			}
			for (sub = cmd->subcmds; sub->name != NULL; sub++)
				if (strcmp(sub->name, words[i]) == 0)
					break;
			if (sub->name == NULL)
				return;
			i++;
		}
		irt_cmd_form(&f, path, cmd, sub);
		fp = &f;
		is_global = false;
		k->ngiven = 0;
		for (; i < n; i++) {
			const char *w = words[i];

			if (!opts_done && strcmp(w, "--") == 0) {
				opts_done = true;
				continue;
			}
			if (!opts_done && w[0] == '-' && w[1] != '\0') {
				if ((argof = skip_option(k, &f, words, n, &i)))
					break;
				continue;
			}
			npos++;
			if (f.flags & IRT_CMD_OPTS_FIRST)
				opts_done = true;
		}
	}
	if (argof != NULL) {
		complete_arg(k, argof, cur);
		return;
	}
	if (!opts_done && strncmp(cur, "--", 2) == 0 &&
	    strchr(cur, '=') != NULL) {
		/* --option=VALUE */
		char name[128];
		size_t len = (size_t)(strchr(cur, '=') - cur);

		o = irt_opt_long(fp->opts, cur + 2, len - 2);
		if (o == NULL || o->arg == IRT_ARG_NONE || len >= sizeof name)
			return;
		snprintf(name, sizeof name, "%.*s", (int)len + 1, cur);
		k->prefix = name;
		complete_arg(k, o, cur + len + 1);
		/* bash would put the names after the '=' it split at */
		k->directive &= ~IRT_COMP_FILES;
		k->prefix = NULL;
		return;
	}
	if (!opts_done && cur[0] == '-') {
		complete_options(k, fp, is_global, cur);
		return;
	}
	if (is_global) {
		k->top = true;
		c_commands(k, cur);
		if (k->mode & IRT_COMP_SHELL) {
			add(k, cur, "exit");
			add(k, cur, "quit");
		}
		return;
	}
	complete_operand(k, fp, npos, cur);
}

int
irt_complete(struct irt_ctx *ctx, int mode, char *const *words, size_t nwords,
    struct irt_words *out, int *directive)
{
	struct comp k;
	size_t before = out->n;

	memset(&k, 0, sizeof k);
	k.ctx = ctx;
	k.mode = mode;
	k.out = out;
	complete_words(&k, words, nwords > 0 ? nwords - 1 : 0,
	    nwords > 0 ? words[nwords - 1] : "");
	if (before == 0)
		sort_unique(out);
	*directive = k.directive;
	return k.rc;
}

static const struct irt_opt complete_opts[] = {
	{ "shell", 0, IRT_ARG_NONE, NULL,
	    "complete a line of irt shell: its builtins, !COMMAND" },
	{ NULL },
};

/*
 * irt __complete [--shell] -- WORDS...: the candidates for the last word
 * of WORDS (the words after "irt" on the command line), one per line,
 * then a line ":N" with the IRT_COMP_* flags (1: complete file names
 * too, 2: no space after the word).  Used by irt-completion.bash.
 */
static int
complete_run(struct irt_ctx *ctx, struct irt_args *a)
{
	static char *none[] = { "", NULL };
	struct irt_words out = IRT_WORDS_INIT;
	int mode = irt_args_has(a, "shell") ? IRT_COMP_SHELL : 0;
	int directive = 0;
	size_t i;

	if (a->argc == 0)
		irt_complete(ctx, mode, none, 1, &out, &directive);
	else
		irt_complete(
		    ctx, mode, a->argv, (size_t)a->argc, &out, &directive);
	for (i = 0; i < out.n; i++)
		/* a candidate is one line; others cannot be offered */
		if (strchr(out.v[i], '\n') == NULL)
			printf("%s\n", out.v[i]);
	printf(":%d\n", directive);
	irt_words_free(&out);
	irt_error_clear();
	return EXIT_OK;
}

const struct irt_cmd irt_cmd_complete = {
	.name = "__complete",
	.summary = "print completion candidates (for irt-completion.bash)",
	.flags = IRT_CMD_HIDDEN | IRT_CMD_OPTS_FIRST,
	.opts = complete_opts,
	.operands = "-- WORDS...",
	.max_args = -1,
	.run = complete_run,
};

/* The flags of an option as irt __options lists them. */
static void
opt_flags(struct irt_buf *b, const struct irt_opt *o)
{
	static const struct {
		int flag;
		const char *name;
	} names[] = {
		{ IRT_OPT_REPEAT, "repeat" },
		{ IRT_OPT_HIDDEN, "hidden" },
		{ IRT_OPT_REQUIRED, "required" },
		{ IRT_OPT_ALONE, "alone" },
		{ IRT_OPT_NOSHELL, "noshell" },
		{ IRT_OPT_NOLONG, "nolong" },
	};
	size_t i, start = b->len;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (o->flags & names[i].flag)
			irt_buf_printf(b, "%s%s", b->len > start ? "," : "",
			    names[i].name);
	if (o->group != 0)
		irt_buf_printf(
		    b, "%sgroup=%d", b->len > start ? "," : "", o->group);
	if (b->len == start)
		irt_buf_putc(b, '-');
}

/* One line per option of a form; 0, or -1 when a completer named in
 * the table does not exist (a mistake in irt, reported). */
static int
list_form(struct irt_buf *b, const struct irt_form *f)
{
	static const struct irt_opt json = { "json", 0, IRT_ARG_NONE };
	static const struct irt_opt help = { "help", 'h', IRT_ARG_NONE };
	const struct irt_opt *o, *implied[2];
	char full[80];
	size_t i, nimplied = 0;
	int rc = 0;

	snprintf(full, sizeof full, "irt%s%s", *f->path ? " " : "", f->path);
	irt_buf_printf(b, "form\t%s\t%s\t%s\t%s\n", full,
	    f->operands != NULL ? f->operands : "-",
	    (f->flags & IRT_CMD_JSON) ? "json" : "-",
	    f->complete != NULL ? f->complete : "-");
	if (!irt_complete_known(f->complete)) {
		irt_err("__options: %s: unknown completion '%s'", full,
		    f->complete);
		rc = -1;
	}
	if ((f->flags & IRT_CMD_JSON) &&
	    irt_opt_long(f->opts, "json", 4) == NULL)
		implied[nimplied++] = &json;
	if (irt_opt_long(f->opts, "help", 4) == NULL)
		implied[nimplied++] = &help;
	for (o = f->opts; o != NULL && o->name != NULL; o++) {
		irt_buf_printf(b, "option\t%s\t", full);
		if (o->short_name != 0)
			irt_buf_printf(b, "-%c\t", o->short_name);
		else
			irt_buf_puts(b, "-\t");
		if (o->flags & IRT_OPT_NOLONG)
			irt_buf_puts(b, "-\t");
		else
			irt_buf_printf(b, "--%s\t", o->name);
		irt_buf_printf(b, "%s\t",
		    o->arg != IRT_ARG_NONE ? irt_opt_metavar(o) : "-");
		opt_flags(b, o);
		irt_buf_printf(
		    b, "\t%s\n", o->complete != NULL ? o->complete : "-");
		if (!irt_complete_known(o->complete)) {
			irt_err("__options: %s: --%s: unknown completion '%s'",
			    full, o->name, o->complete);
			rc = -1;
		}
	}
	for (i = 0; i < nimplied; i++) {
		o = implied[i];
		irt_buf_printf(b, "option\t%s\t", full);
		if (o->short_name != 0)
			irt_buf_printf(b, "-%c\t", o->short_name);
		else
			irt_buf_puts(b, "-\t");
		irt_buf_printf(b, "--%s\t-\timplied\t-\n", o->name);
	}
	return rc;
}

/*
 * irt __options: every form of irt (irt itself, each command and each
 * subcommand, hidden ones aside) and every option it declares, as
 * tab-separated lines:
 *
 *   form    PATH  OPERANDS  json|-  COMPLETE
 *   option  PATH  -s|-  --long|-  METAVAR|-  FLAGS  COMPLETE
 *
 * FLAGS is "-" or a comma list of repeat, hidden, required, alone,
 * noshell, nolong, group=N, or "implied" for the --json and -h/--help
 * that every form with JSON output, and every form, takes.  The man
 * pages are checked against it (tests/cli/manpages.bats).
 */
static int
options_run(struct irt_ctx *ctx, struct irt_args *a)
{
	const struct irt_subcmd *sub;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_form f;
	char path[64];
	size_t i;
	int bad = 0, rc;

	(void)ctx;
	(void)a;
	bad |= list_form(&b, &irt_global_form);
	for (i = 0; irt_commands[i] != NULL; i++) {
		const struct irt_cmd *cmd = irt_commands[i];

		if (cmd->flags & IRT_CMD_HIDDEN)
			continue;
		if (cmd->subcmds == NULL) {
			irt_cmd_form(&f, path, cmd, NULL);
			bad |= list_form(&b, &f);
			continue;
		}
		for (sub = cmd->subcmds; sub->name != NULL; sub++) {
			irt_cmd_form(&f, path, cmd, sub);
			bad |= list_form(&b, &f);
		}
	}
	rc = irt_out(&b);
	irt_buf_release(&b);
	return bad ? EXIT_FAIL : rc;
}

const struct irt_cmd irt_cmd_options = {
	.name = "__options",
	.summary = "list every declared option (for the tests of the manual)",
	.flags = IRT_CMD_HIDDEN,
	.run = options_run,
};
