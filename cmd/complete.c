/*
 * Completion for irt shell and bash: word splitting, the usage-string
 * parser and the table of what each argument placeholder completes to.
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

/*
 * The synopsis of a (sub)command, parsed from its usage string:
 *
 *   usage: irt note add [-t TAG]... [--host HOST] [-m TEXT | -F FILE | -]
 *          irt note list [--tag TAG] [--host HOST] [--since TIME]
 *                        [--until TIME] [--json]
 *
 * Words that start with '-' are options; an upper-case word (or a list of
 * choices such as clear|green|amber) right after an option in the same
 * brackets is its argument; other words are positional placeholders.
 * A line starting with "irt" begins another form of the command.
 */
#define SPEC_OPTS 64
#define SPEC_FORMS 8
#define SPEC_POS 16

struct spec_opt {
	char *name; /* "-t", "--host" */
	char *arg;  /* "TAG", "clear|green", or NULL */
};

struct spec_pos {
	char *ph;
	bool repeat;     /* "..." or ARGS */
	bool after_args; /* after "--": options end once it is given */
};

#define SPEC_DEFS 8

/* "FORMAT is jsonl, mactime or csv." after the synopsis */
struct spec_def {
	char *ph;
	char *choices; /* "jsonl|mactime|csv" */
};

struct spec {
	char *store;
	char *prose;
	struct spec_def def[SPEC_DEFS];
	size_t ndef;
	struct spec_opt opt[SPEC_OPTS];
	size_t nopt;
	struct spec_pos pos[SPEC_FORMS][SPEC_POS];
	size_t npos[SPEC_FORMS];
	size_t nforms;
};

/* A choice written as is: "amber+strict", "mactime-csv", "tcp". */
static bool
is_literal(const char *s)
{
	if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s))
		return false;
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && strchr("+._-", *s) == NULL)
			return false;
	return true;
}

static bool is_placeholder(const char *s);

/*
 * Reads the prose after the synopsis for sentences that list the values
 * of a placeholder: "FORMAT is jsonl, mactime, csv or bodyfile."
 */
static void
spec_parse_defs(struct spec *sp, char *prose)
{
	struct irt_buf b = IRT_BUF_INIT;
	char *sent, *ssave, *w, *wsave, *ph;

	for (sent = strtok_r(prose, ".;", &ssave); sent != NULL;
	     sent = strtok_r(NULL, ".;", &ssave)) {
		ph = strtok_r(sent, " \t\n,", &wsave);
		if (ph == NULL || !is_placeholder(ph) ||
		    (w = strtok_r(NULL, " \t\n,", &wsave)) == NULL ||
		    strcmp(w, "is") != 0 || sp->ndef == SPEC_DEFS)
			continue;
		irt_buf_clear(&b);
		while ((w = strtok_r(NULL, " \t\n,", &wsave)) != NULL) {
			if (strcmp(w, "or") == 0 || strcmp(w, "and") == 0 ||
			    !is_literal(w))
				continue;
			if ((b.len > 0 && irt_buf_putc(&b, '|') != 0) ||
			    irt_buf_puts(&b, w) != 0)
				break;
		}
		if (b.len == 0)
			continue;
		sp->def[sp->ndef].ph = ph;
		sp->def[sp->ndef].choices = irt_buf_detach(&b);
		sp->ndef++;
	}
	irt_buf_release(&b);
}

static void
spec_add_opt(struct spec *sp, char *name, size_t *pending, size_t *npending)
{
	size_t i;

	for (i = 0; i < sp->nopt; i++)
		if (strcmp(sp->opt[i].name, name) == 0)
			break;
	if (i == sp->nopt) {
		if (sp->nopt == SPEC_OPTS)
			return;
		sp->opt[sp->nopt].name = name;
		sp->opt[sp->nopt].arg = NULL;
		sp->nopt++;
	}
	if (*npending < SPEC_OPTS)
		pending[(*npending)++] = i;
}

static void
spec_parse(struct spec *sp, const char *usage, const char *cmd, const char *sub)
{
	size_t pending[SPEC_OPTS], npending = 0, i, f = 0;
	char *line, *lsave, *tok, *tsave, *t, *end, *eq, *alt, *asave;
	struct irt_buf prose = IRT_BUF_INIT;
	bool first, ddash = false, repeat;
	int closing;

	memset(sp, 0, sizeof *sp);
	if ((sp->store = strdup(usage)) == NULL)
		return;
	for (line = strtok_r(sp->store, "\n", &lsave); line != NULL;
	     line = strtok_r(NULL, "\n", &lsave)) {
		/* the synopsis: "usage: irt ...", "       irt ..." and
		 * indented continuations; then prose */
		if (*line != ' ' && *line != '\t' &&
		    strncmp(line, "usage:", 6) != 0) {
			if (irt_buf_puts(&prose, line) != 0 ||
			    irt_buf_putc(&prose, '\n') != 0)
				break;
			continue;
		}
		first = true;
		for (tok = strtok_r(line, " \t", &tsave); tok != NULL;
		     tok = strtok_r(NULL, " \t", &tsave)) {
			if (first && strcmp(tok, "usage:") == 0)
				continue;
			if (first && strcmp(tok, "irt") == 0) {
				/* a new form: skip the command words */
				if (sp->nforms < SPEC_FORMS)
					f = sp->nforms++;
				ddash = false;
				npending = 0;
				first = false;
				if (*cmd == '\0')
					continue; /* the global options */
				if ((tok = strtok_r(NULL, " \t", &tsave)) ==
				        NULL ||
				    strcmp(tok, cmd) != 0)
					break;
				if (sub == NULL)
					continue;
				if ((tok = strtok_r(NULL, " \t", &tsave)) ==
				        NULL ||
				    strcmp(tok, sub) != 0)
					break;
				continue;
			}
			if (first && sp->nforms == 0)
				sp->nforms = 1;
			first = false;
			if (strcmp(tok, "|") == 0) {
				npending = 0;
				continue;
			}
			t = tok;
			while (*t == '[' || *t == '(')
				t++;
			end = t + strlen(t);
			closing = 0;
			repeat = false;
			for (;;) {
				if (end - t >= 3 &&
				    strncmp(end - 3, "...", 3) == 0) {
					end -= 3;
					repeat = true;
				} else if (end > t &&
				    (end[-1] == ']' || end[-1] == ')')) {
					end--;
					closing++;
				} else
					break;
			}
			*end = '\0';
			if (*t == '\0')
				;
			else if (strcmp(t, "--") == 0) {
				ddash = true;
				npending = 0;
			} else if (t[0] == '-' && t[1] != '\0') {
				npending = 0;
				if ((eq = strchr(t, '=')) != NULL)
					*eq++ = '\0';
				for (alt = strtok_r(t, "|", &asave);
				     alt != NULL;
				     alt = strtok_r(NULL, "|", &asave))
					if (alt[0] == '-')
						spec_add_opt(sp, alt, pending,
						    &npending);
				if (eq != NULL) {
					for (i = 0; i < npending; i++)
						sp->opt[pending[i]].arg = eq;
					npending = 0;
				}
			} else if (strcmp(t, "-") == 0)
				npending = 0;
			else if (npending > 0) {
				for (i = 0; i < npending; i++)
					sp->opt[pending[i]].arg = t;
				npending = 0;
			} else if (sp->npos[f] < SPEC_POS) {
				struct spec_pos *p = &sp->pos[f][sp->npos[f]++];
				p->ph = t;
				p->repeat = repeat || strcmp(t, "ARGS") == 0;
				p->after_args = ddash;
			}
			if (closing > 0)
				npending = 0;
		}
	}
	if (prose.len > 0) {
		sp->prose = irt_buf_detach(&prose);
		spec_parse_defs(sp, sp->prose);
	}
	irt_buf_release(&prose);
}

static void
spec_free(struct spec *sp)
{
	size_t i;

	for (i = 0; i < sp->ndef; i++)
		free(sp->def[i].choices);
	free(sp->store);
	free(sp->prose);
	memset(sp, 0, sizeof *sp);
}

/* The option that word (an option word) names, when it takes an argument;
 * *inline_arg tells whether the argument is inside the word. */
static const struct spec_opt *
spec_opt_arg(const struct spec *sp, const char *word, bool *inline_arg)
{
	char name[3];
	size_t i, len;

	*inline_arg = false;
	if (word[1] == '-') {
		len = strcspn(word, "=");
		for (i = 0; i < sp->nopt; i++)
			if (strlen(sp->opt[i].name) == len &&
			    strncmp(sp->opt[i].name, word, len) == 0)
				break;
		if (i == sp->nopt || sp->opt[i].arg == NULL)
			return NULL;
		*inline_arg = word[len] == '=';
		return &sp->opt[i];
	}
	/* a cluster of short options: -it, -tssh, -t ssh */
	for (word++; *word != '\0'; word++) {
		name[0] = '-';
		name[1] = *word;
		name[2] = '\0';
		for (i = 0; i < sp->nopt; i++)
			if (strcmp(sp->opt[i].name, name) == 0)
				break;
		if (i < sp->nopt && sp->opt[i].arg != NULL) {
			*inline_arg = word[1] != '\0';
			return &sp->opt[i];
		}
	}
	return NULL;
}

/* The state of one completion. */
struct comp {
	struct irt_ctx *ctx;
	int mode;
	const char *case_dir; /* -C among the words */
	const char *cmd;      /* command and subcommand being completed */
	const char *sub;
	const char *prefix; /* put before every candidate ("--tlp=", "!") */
	const struct spec *spec; /* of the (sub)command */
	char *const *words;      /* the words before the one completed */
	size_t nwords;
	struct irt_words *out;
	int directive;
	int rc;
};

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
		if ((k->mode & IRT_COMP_SHELL) && strcmp(k->cmd, "") == 0 &&
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

/* The value of an option among the words before the completed one
 * ("-c NAME", "-cNAME", "--checklist NAME", "--checklist=NAME"). */
static const char *
opt_value(const struct comp *k, const char *shrt, const char *lng)
{
	const char *v = NULL, *w;
	size_t i, len = strlen(lng);

	for (i = 0; i < k->nwords; i++) {
		w = k->words[i];
		if (strcmp(w, "--") == 0)
			break;
		if ((strcmp(w, shrt) == 0 || strcmp(w, lng) == 0) &&
		    i + 1 < k->nwords)
			v = k->words[++i];
		else if (strncmp(w, lng, len) == 0 && w[len] == '=')
			v = w + len + 1;
		else if (strncmp(w, shrt, 2) == 0 && w[1] != '-' &&
		    w[2] != '\0')
			v = w + 2;
	}
	return v;
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
	only = opt_value(k, "-c", "--checklist");
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

/*
 * What an argument placeholder completes to, first match wins.  cmd and
 * sub may be "*" (any); a placeholder not listed completes to nothing.
 * Add a line here for each new kind of id.
 */
static const struct comp_rule {
	const char *cmd;
	const char *sub;
	const char *ph;
	void (*fn)(struct comp *k, const char *cur);
} comp_rules[] = {
	{ "help", "*", "COMMAND", c_commands },
	{ "run", "*", "COMMAND", c_programs },
	{ "note", "*", "ID", c_note_ids },
	{ "note", "*", "TAG", c_note_tags },
	{ "note", "*", "HOST", c_note_hosts },
	{ "evidence", "*", "ID", c_evidence_ids },
	{ "checklist", "status", "NAME", c_checklist_started },
	{ "checklist", "done", "NAME", c_checklist_started },
	{ "checklist", "skip", "NAME", c_checklist_started },
	{ "checklist", "reopen", "NAME", c_checklist_started },
	{ "checklist", "do", "NAME", c_checklist_started },
	{ "checklist", "*", "NAME", c_checklist_names },
	{ "checklist", "*", "STEP", c_checklist_steps },
	{ "collect", "*", "NAME", c_profile_names },
	{ "*", "*", "FILE", c_files },
	{ "*", "*", "DIR", c_files },
	{ "*", "*", "PATH", c_files },
	{ "*", "*", "ARCHIVE", c_files },
	{ "*", "*", "SOURCE", c_files },
	{ "*", "*", "ARGS", c_files },
	{ NULL, NULL, NULL, NULL },
};

static bool
is_placeholder(const char *s)
{
	if (!isupper((unsigned char)*s))
		return false;
	for (; *s != '\0'; s++)
		if (!isupper((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static bool
rule_matches(const char *pat, const char *s)
{
	return strcmp(pat, "*") == 0 || (s != NULL && strcmp(pat, s) == 0);
}

/* Completes a placeholder such as "ID", "FILE" or "clear|green|red". */
static void
complete_ph(struct comp *k, const char *ph, const char *cur)
{
	const struct comp_rule *r;
	char *copy, *alt, *save;
	size_t i;

	if ((copy = strdup(ph)) == NULL) {
		k->rc = IRT_ENOMEM;
		return;
	}
	for (alt = strtok_r(copy, "|", &save); alt != NULL;
	     alt = strtok_r(NULL, "|", &save)) {
		if (is_literal(alt)) {
			add(k, cur, alt); /* a choice */
			continue;
		}
		if (!is_placeholder(alt))
			continue; /* ADDR[/LEN], PROTO/PORT... */
		for (i = 0; k->spec != NULL && i < k->spec->ndef; i++)
			if (strcmp(k->spec->def[i].ph, alt) == 0 &&
			    strcmp(k->spec->def[i].choices, ph) != 0)
				complete_ph(k, k->spec->def[i].choices, cur);
		for (r = comp_rules; r->cmd != NULL; r++)
			if (rule_matches(r->cmd, k->cmd) &&
			    rule_matches(r->sub, k->sub) &&
			    strcmp(r->ph, alt) == 0) {
				r->fn(k, cur);
				break;
			}
	}
	free(copy);
}

/* The global options of irt (irt.c's usage), and those a line of irt
 * shell may start with (the shell stays in its case). */
static const char global_usage[] =
    "usage: irt [-C DIR] [--author WHO] [--json] [-q] [-v] COMMAND [ARGS]\n"
    "       irt [--quiet] [--verbose] [--help] [--version]\n";
static const char shell_global_usage[] =
    "usage: irt [--author WHO] [--json] [-q] [-v] COMMAND [ARGS]\n"
    "       irt [--quiet] [--verbose]\n";

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

static void
complete_options(
    struct comp *k, const struct spec *sp, const char *cur, bool help)
{
	size_t i;

	for (i = 0; i < sp->nopt; i++)
		add(k, cur, sp->opt[i].name);
	if (help) {
		add(k, cur, "-h");
		add(k, cur, "--help");
	}
}

static void
complete_words(struct comp *k, char *const *words, size_t n, const char *cur)
{
	const struct irt_cmd *cmd;
	const struct irt_subcmd *sub = NULL;
	const struct spec_opt *o, *argof = NULL;
	struct spec sp;
	const char *usage, *w;
	size_t i = 0, npos = 0, f;
	bool opts_done = false, inl;

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
	/* global options */
	spec_parse(&sp,
	    (k->mode & IRT_COMP_SHELL) ? shell_global_usage : global_usage, "",
	    NULL);
	while (i < n && words[i][0] == '-' && words[i][1] != '\0') {
		w = words[i++];
		if (strncmp(w, "-C", 2) == 0 && w[2] != '\0')
			k->case_dir = w + 2;
		if ((o = spec_opt_arg(&sp, w, &inl)) != NULL && !inl) {
			if (i == n) {
				argof = o;
				break;
			}
			if (strcmp(w, "-C") == 0)
				k->case_dir = words[i];
			i++;
		}
	}
	if (argof != NULL || i == n) {
		k->cmd = "";
		if (argof != NULL)
			complete_ph(k, argof->arg, cur);
		else if (cur[0] == '-')
			complete_options(
			    k, &sp, cur, !(k->mode & IRT_COMP_SHELL));
		else {
			c_commands(k, cur);
			if (k->mode & IRT_COMP_SHELL) {
				add(k, cur, "exit");
				add(k, cur, "quit");
			}
		}
		spec_free(&sp);
		return;
	}
	spec_free(&sp);
	if ((cmd = irt_cmd_find(words[i])) == NULL ||
	    (cmd->flags & IRT_CMD_HIDDEN))
		return;
	i++;
	k->cmd = cmd->name;
	usage = cmd->usage;
	if (cmd->subcmds != NULL) {
		if (i == n) {
			if (cur[0] == '-') {
				add(k, cur, "-h");
				add(k, cur, "--help");
				return;
			}
			for (sub = cmd->subcmds; sub->name != NULL; sub++)
				add(k, cur, sub->name);
			return;
		}
		for (sub = cmd->subcmds; sub->name != NULL; sub++)
			if (strcmp(sub->name, words[i]) == 0)
				break;
		if (sub->name == NULL)
			return;
		i++;
		k->sub = sub->name;
		usage = sub->usage;
	}
	spec_parse(&sp, usage, cmd->name, k->sub);
	k->spec = &sp;
	k->words = words;
	k->nwords = n;
	for (; i < n; i++) {
		w = words[i];
		if (!opts_done && strcmp(w, "--") == 0) {
			opts_done = true;
			continue;
		}
		if (!opts_done && w[0] == '-' && w[1] != '\0') {
			if ((o = spec_opt_arg(&sp, w, &inl)) != NULL && !inl) {
				if (i + 1 == n)
					argof = o;
				i++;
			}
			continue;
		}
		for (f = 0; f < sp.nforms; f++)
			if (npos < sp.npos[f] && sp.pos[f][npos].after_args)
				opts_done = true;
		npos++;
	}
	if (argof != NULL)
		complete_ph(k, argof->arg, cur);
	else if (!opts_done && strncmp(cur, "--", 2) == 0 &&
	    strchr(cur, '=') != NULL) {
		/* --option=VALUE */
		char *name = strndup(cur, (size_t)(strchr(cur, '=') - cur + 1));
		if (name == NULL)
			k->rc = IRT_ENOMEM;
		else if ((o = spec_opt_arg(&sp, cur, &inl)) != NULL) {
			k->prefix = name;
			complete_ph(k, o->arg, strchr(cur, '=') + 1);
			k->directive &= ~IRT_COMP_FILES;
			k->prefix = NULL;
		}
		free(name);
	} else if (!opts_done && cur[0] == '-')
		complete_options(k, &sp, cur, true);
	else
		for (f = 0; f < sp.nforms; f++) {
			struct spec_pos *p = NULL;
			if (npos < sp.npos[f])
				p = &sp.pos[f][npos];
			else if (sp.npos[f] > 0 &&
			    sp.pos[f][sp.npos[f] - 1].repeat)
				p = &sp.pos[f][sp.npos[f] - 1];
			if (p != NULL)
				complete_ph(k, p->ph, cur);
		}
	k->spec = NULL;
	spec_free(&sp);
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

/*
 * irt __complete [--shell] -- WORDS...: the candidates for the last word
 * of WORDS (the words after "irt" on the command line), one per line,
 * then a line ":N" with the IRT_COMP_* flags (1: complete file names
 * too, 2: no space after the word).  Used by irt-completion.bash.
 */
static int
complete_exec(struct irt_ctx *ctx, int argc, char **argv)
{
	static char *none[] = { "", NULL };
	struct irt_words out = IRT_WORDS_INIT;
	int i = 1, mode = 0, directive = 0;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--shell") == 0)
			mode |= IRT_COMP_SHELL;
		else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else
			break;
		i++;
	}
	if (i >= argc)
		irt_complete(ctx, mode, none, 1, &out, &directive);
	else
		irt_complete(
		    ctx, mode, argv + i, (size_t)(argc - i), &out, &directive);
	for (i = 0; (size_t)i < out.n; i++)
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
	.usage = "usage: irt __complete [--shell] -- WORDS...\n",
	.exec = complete_exec,
	.flags = IRT_CMD_HIDDEN,
};
