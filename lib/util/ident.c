#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "irt/error.h"
#include "irt/ident.h"
#include "irt/names.h"
#include "internal.h"

static char *
trim_dup(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}

int
irt_ident_parse(struct irt_ident *out, const char *s)
{
	const char *lt, *gt;
	size_t i;

	memset(out, 0, sizeof *out);
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20)
			return irt_error_set(IRT_EINVAL,
			    "invalid author '%s': control character",
			    irt_esc(s));
	lt = strchr(s, '<');
	if (lt != NULL) {
		gt = strchr(lt, '>');
		if (gt == NULL || gt[1] != '\0' || strchr(lt + 1, '<') != NULL)
			return irt_error_set(IRT_EINVAL,
			    "invalid author '%s' (want 'Name <mail>')",
			    irt_esc(s));
		out->name = trim_dup(s, (size_t)(lt - s));
		out->email = trim_dup(lt + 1, (size_t)(gt - lt - 1));
	} else {
		out->name = trim_dup(s, strlen(s));
		out->email = strdup("");
	}
	if (out->name == NULL || out->email == NULL) {
		irt_ident_release(out);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	if (out->name[0] == '\0') {
		irt_ident_release(out);
		return irt_error_set(
		    IRT_EINVAL, "invalid author '%s': empty name", irt_esc(s));
	}
	return 0;
}

/* A user name fit for "name <name@host>": no control character, no <>. */
static int
plain_word(const char *s)
{
	size_t i;

	if (s[0] == '\0' || strlen(s) > 256)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f ||
		    s[i] == '<' || s[i] == '>')
			return 0;
	return 1;
}

static int
from_git(struct irt_ident *out, const char *repo_path)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL, *snap = NULL;
	const char *name = NULL, *email = NULL;
	int rc = -1;

	if (repo_path != NULL && git_repository_open(&repo, repo_path) == 0) {
		if (git_repository_config(&cfg, repo) != 0)
			cfg = NULL;
	}
	if (cfg == NULL && git_config_open_default(&cfg) != 0)
		goto out;
	if (git_config_snapshot(&snap, cfg) != 0)
		goto out;
	if (git_config_get_string(&name, snap, "user.name") != 0 ||
	    name[0] == '\0')
		goto out;
	if (git_config_get_string(&email, snap, "user.email") != 0)
		email = "";
	out->name = strdup(name);
	out->email = strdup(email);
	rc = 0;
out:
	git_config_free(snap);
	git_config_free(cfg);
	git_repository_free(repo);
	git_error_clear();
	return rc;
}

int
irt_ident_resolve(
    struct irt_ident *out, const char *explicit_author, const char *repo_path)
{
	const char *env;
	char host[256], uid[IRT_NAMES_ID_MAX], *mail;
	struct irt_names *names = NULL;
	const char *user;
	int rc = 0;

	irt_lib_init();
	memset(out, 0, sizeof *out);
	if (explicit_author != NULL)
		return irt_ident_parse(out, explicit_author);
	if ((env = getenv("IRT_AUTHOR")) != NULL && env[0] != '\0')
		return irt_ident_parse(out, env);
	if (from_git(out, repo_path) == 0) {
		if (out->name && out->email)
			return 0;
		irt_ident_release(out);
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	/* the name from /etc/passwd (never NSS, see irt/names.h), else
	 * $USER when it is a plain word, else the numeric uid */
	if (irt_names_load(&names, NULL) != 0)
		return IRT_ENOMEM;
	if ((user = irt_names_user(names, getuid())) == NULL &&
	    ((user = getenv("USER")) == NULL || !plain_word(user)))
		user = irt_names_user_or_id(NULL, getuid(), uid);
	if (gethostname(host, sizeof host) != 0)
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	if (asprintf(&mail, "%s@%s", user, host) < 0)
		mail = NULL;
	out->name = strdup(user);
	out->email = mail;
	if (out->name == NULL || out->email == NULL) {
		irt_ident_release(out);
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
	}
	irt_names_free(names);
	return rc;
}

char *
irt_ident_format(const struct irt_ident *id)
{
	char *s;

	if (id->email == NULL || id->email[0] == '\0')
		return strdup(id->name);
	if (asprintf(&s, "%s <%s>", id->name, id->email) < 0)
		return NULL;
	return s;
}

void
irt_ident_release(struct irt_ident *id)
{
	free(id->name);
	free(id->email);
	id->name = id->email = NULL;
}
