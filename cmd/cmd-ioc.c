/*
 * irt ioc: the case's register of indicators of compromise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irt.h"

static const char ioc_usage[] =
    "usage: irt ioc add [-t TYPE] [-m TEXT] [--source TEXT] [--tlp LEVEL] "
    "VALUE...\n"
    "       irt ioc list [--json] [-t TYPE] [--all] [--defang]\n"
    "       irt ioc show [--json] ID\n"
    "       irt ioc retire -m WHY ID\n"
    "       irt ioc import [--format FORMAT] [--source TEXT] [--tlp LEVEL] "
    "[-m TEXT] FILE\n"
    "       irt ioc export [--format FORMAT] [--all] [-o FILE]\n";

static const char *const type_values[] = { "ipv4", "ipv6", "cidr", "domain",
	"url", "email", "md5", "sha1", "sha256", "path", "filename", "user",
	"string", "regex", NULL };
static const char *const tlp_values[] = { "clear", "green", "amber",
	"amber+strict", "red", NULL };
static const char *const import_formats[] = { "auto", "plain", "csv", "misp",
	"stix", NULL };
static const char *const export_formats[] = { "csv", "misp", "stix", NULL };

static enum irt_ioc_type
type_opt(const struct irt_args *a)
{
	enum irt_ioc_type t = IRT_IOC_NONE;
	const char *s = irt_args_str(a, "type", NULL);

	if (s != NULL)
		irt_ioc_type_parse(&t, s);
	return t;
}

/* ---- add ---- */

static const struct irt_opt add_opts[] = {
	{ "type", 't', IRT_ARG_ENUM, "TYPE",
	    "the type of every value (else detected)", .values = type_values },
	{ "message", 'm', IRT_ARG_STRING, "TEXT", "a description of the IOCs" },
	{ "source", 0, IRT_ARG_STRING, "TEXT",
	    "where they come from (a report, a feed)" },
	{ "tlp", 0, IRT_ARG_ENUM, "LEVEL", "how far they may be shared",
	    .values = tlp_values },
	{ NULL },
};

static int
register_set(struct irt_ctx *ctx, struct irt_ioc_set *s, const char *action,
    const char *msg, size_t *added, size_t *dups)
{
	const struct irt_ident *who = irt_who(ctx);

	if (who == NULL)
		return irt_fail();
	if (irt_ioc_register(ctx->kase, s, action, msg, who, added, dups) != 0)
		return irt_fail();
	return EXIT_OK;
}

static int
ioc_add_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct irt_buf out = IRT_BUF_INIT;
	enum irt_ioc_type t = type_opt(a);
	size_t i, added = 0, dups = 0, bad = 0;
	int rc;

	for (i = 0; i < (size_t)a->argc; i++)
		if (irt_ioc_set_add(&s, t, a->argv[i],
		        irt_args_str(a, "message", NULL),
		        irt_args_str(a, "source", NULL),
		        irt_args_str(a, "tlp", NULL)) != 0) {
			irt_err("%s", irt_error_last());
			bad++;
		}
	if (bad > 0) {
		irt_err("nothing added: %zu value%s refused", bad,
		    bad == 1 ? "" : "s");
		irt_ioc_set_release(&s);
		return EXIT_FAIL;
	}
	rc = register_set(ctx, &s, "ioc-add", NULL, &added, &dups);
	for (i = 0; rc == EXIT_OK && i < s.n; i++)
		irt_buf_printf(&out, "%s\n", s.v[i].id);
	if (rc == EXIT_OK && dups > 0 && !ctx->quiet)
		irt_warn("%zu of the values were already registered (their "
		         "ids are printed)",
		    dups);
	if (rc == EXIT_OK)
		rc = irt_out(&out);
	irt_buf_release(&out);
	irt_ioc_set_release(&s);
	return rc;
}

/* ---- list and show ---- */

static void
ioc_json(struct irt_buf *b, const struct irt_ioc *v)
{
	const char *keys[] = { "description", "source", "tlp", "added",
		"added_by", "retired", "retired_by", "retired_why" };
	const char *vals[] = { v->description, v->source, v->tlp, v->added,
		v->added_by, v->retired_at, v->retired_by, v->retired_why };
	size_t i;

	irt_buf_puts(b, "{\"id\":");
	irt_json_str(b, v->id);
	irt_buf_printf(
	    b, ",\"type\":\"%s\",\"value\":", irt_ioc_type_name(v->type));
	irt_json_str(b, v->value);
	irt_buf_printf(
	    b, ",\"status\":\"%s\"", v->retired ? "retired" : "active");
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		irt_buf_printf(b, ",\"%s\":", keys[i]);
		if (vals[i] != NULL)
			irt_json_str(b, vals[i]);
		else
			irt_buf_puts(b, "null");
	}
	irt_buf_putc(b, '}');
}

static const struct irt_opt list_opts[] = {
	{ "type", 't', IRT_ARG_ENUM, "TYPE", "only IOCs of this type",
	    .values = type_values },
	{ "all", 0, IRT_ARG_NONE, NULL, "retired IOCs too" },
	{ "defang", 0, IRT_ARG_NONE, NULL,
	    "show values defanged (hxxp://, [.])" },
	{ NULL },
};

static int
ioc_list_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct irt_buf b = IRT_BUF_INIT, d = IRT_BUF_INIT;
	enum irt_ioc_type t = type_opt(a);
	bool defang = irt_args_has(a, "defang"), first = true;
	size_t i;
	int rc;

	if (irt_ioc_load(ctx->kase, &s, irt_args_has(a, "all")) != 0) {
		irt_ioc_set_release(&s);
		return irt_fail();
	}
	if (ctx->json)
		irt_buf_putc(&b, '[');
	for (i = 0; i < s.n; i++) {
		const struct irt_ioc *v = &s.v[i];
		if (t != IRT_IOC_NONE && v->type != t)
			continue;
		if (ctx->json) {
			if (!first)
				irt_buf_putc(&b, ',');
			ioc_json(&b, v);
			first = false;
			continue;
		}
		if (defang)
			irt_ioc_defang(&d, v->type, v->value);
		irt_buf_printf(&b, "%s  %-8s  %s%s", v->id,
		    irt_ioc_type_name(v->type),
		    irt_esc(defang ? d.ptr : v->value),
		    v->retired ? "  [retired]" : "");
		if (v->description)
			irt_buf_printf(&b, "  %s", irt_esc(v->description));
		irt_buf_putc(&b, '\n');
	}
	if (ctx->json)
		irt_buf_puts(&b, "]\n");
	rc = irt_out(&b);
	irt_buf_release(&b);
	irt_buf_release(&d);
	irt_ioc_set_release(&s);
	return rc;
}

static const struct irt_opt show_opts[] = {
	{ "defang", 0, IRT_ARG_NONE, NULL, "show the value defanged" },
	{ NULL },
};

static int
ioc_show_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_ioc v;
	struct irt_buf b = IRT_BUF_INIT, d = IRT_BUF_INIT;
	int rc;

	if (irt_ioc_get(ctx->kase, &v, a->argv[0]) != 0)
		return irt_fail();
	if (ctx->json) {
		ioc_json(&b, &v);
		irt_buf_putc(&b, '\n');
	} else {
		if (irt_args_has(a, "defang"))
			irt_ioc_defang(&d, v.type, v.value);
		irt_buf_printf(&b, "id           %s\n", v.id);
		irt_buf_printf(
		    &b, "type         %s\n", irt_ioc_type_name(v.type));
		irt_buf_printf(
		    &b, "value        %s\n", irt_esc(d.ptr ? d.ptr : v.value));
		irt_buf_printf(
		    &b, "status       %s\n", v.retired ? "retired" : "active");
#define LINE(label, f)                                                         \
	if (f)                                                                 \
	irt_buf_printf(&b, "%-12s %s\n", label, irt_esc(f))
		LINE("description", v.description);
		LINE("source", v.source);
		LINE("tlp", v.tlp);
		LINE("added", v.added);
		LINE("added-by", v.added_by);
		LINE("retired", v.retired_at);
		LINE("retired-by", v.retired_by);
		LINE("retired-why", v.retired_why);
#undef LINE
	}
	rc = irt_out(&b);
	irt_buf_release(&b);
	irt_buf_release(&d);
	irt_ioc_release(&v);
	return rc;
}

/* ---- retire ---- */

static const struct irt_opt retire_opts[] = {
	{ "message", 'm', IRT_ARG_STRING, "WHY",
	    "why it no longer indicates compromise (required)" },
	{ NULL },
};

static int
ioc_retire_run(struct irt_ctx *ctx, struct irt_args *a)
{
	const struct irt_ident *who;
	const char *why = irt_args_str(a, "message", NULL);
	char id[32];

	if (why == NULL || *why == '\0') {
		irt_err("ioc retire: give the reason with -m WHY");
		return EXIT_USAGE;
	}
	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	if (irt_ioc_retire(ctx->kase, a->argv[0], why, who, id) != 0)
		return irt_fail();
	if (!ctx->quiet)
		fprintf(stderr, "irt: IOC %s retired\n", id);
	return EXIT_OK;
}

/* ---- import and export ---- */

static void
print_warning(const char *msg, void *arg)
{
	(void)arg;
	irt_warn("%s", msg);
}

static const struct irt_opt import_opts[] = {
	{ "format", 0, IRT_ARG_ENUM, "FORMAT",
	    "the file's format (else told from its content)",
	    .values = import_formats },
	{ "source", 0, IRT_ARG_STRING, "TEXT",
	    "where the IOCs come from (default: the file name)" },
	{ "tlp", 0, IRT_ARG_ENUM, "LEVEL", "the TLP of IOCs that have none",
	    .values = tlp_values },
	{ "message", 'm', IRT_ARG_STRING, "TEXT", "a note for the commit" },
	{ NULL },
};

static int
ioc_import_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	enum irt_ioc_format fmt = IRT_IOC_FMT_AUTO;
	const char *path = a->argv[0], *tlp = irt_args_str(a, "tlp", NULL);
	const char *src = irt_args_str(a, "source", NULL);
	size_t skipped = 0, added = 0, dups = 0, i;
	int rc;

	irt_ioc_format_parse(&fmt, irt_args_str(a, "format", "auto"));
	if (src == NULL) {
		src = strrchr(path, '/');
		src = src ? src + 1 : path;
	}
	if (irt_ioc_import_file(
	        &s, path, fmt, src, print_warning, NULL, &skipped) != 0) {
		irt_ioc_set_release(&s);
		return irt_fail();
	}
	for (i = 0; tlp != NULL && i < s.n; i++)
		if (s.v[i].tlp == NULL)
			s.v[i].tlp = strdup(tlp);
	rc = register_set(ctx, &s, "ioc-import",
	    irt_args_str(a, "message", NULL), &added, &dups);
	if (rc == EXIT_OK && !ctx->quiet)
		fprintf(stderr,
		    "irt: imported %zu IOC%s from '%s' (%zu already in the "
		    "case, %zu skipped)\n",
		    added, added == 1 ? "" : "s", irt_esc(path), dups, skipped);
	irt_ioc_set_release(&s);
	if (rc == EXIT_OK && skipped > 0)
		rc = EXIT_FAIL;
	return rc;
}

static const struct irt_opt export_opts[] = {
	{ "format", 0, IRT_ARG_ENUM, "FORMAT", "csv (default), misp or stix",
	    .values = export_formats },
	{ "all", 0, IRT_ARG_NONE, NULL, "retired IOCs too" },
	{ "output", 'o', IRT_ARG_PATH, "FILE",
	    "write to FILE (a new file) instead of standard output" },
	{ NULL },
};

static int
ioc_export_run(struct irt_ctx *ctx, struct irt_args *a)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct irt_buf b = IRT_BUF_INIT;
	enum irt_ioc_format fmt = IRT_IOC_FMT_CSV;
	const char *out = irt_args_str(a, "output", NULL);
	size_t left = 0;
	int rc = EXIT_OK;

	irt_ioc_format_parse(&fmt, irt_args_str(a, "format", "csv"));
	if (irt_ioc_load(ctx->kase, &s, irt_args_has(a, "all")) != 0 ||
	    irt_ioc_export(&b, &s, fmt, &left) != 0) {
		irt_ioc_set_release(&s);
		irt_buf_release(&b);
		return irt_fail();
	}
	if (left > 0 && !ctx->quiet)
		irt_warn("%zu IOC%s of types the format cannot carry left out",
		    left, left == 1 ? "" : "s");
	if (out != NULL) {
		FILE *fp = fopen(out, "wx");
		if (fp == NULL) {
			irt_err("cannot create '%s': %s", irt_esc(out),
			    strerror(errno));
			rc = EXIT_FAIL;
		} else {
			if (fwrite(b.ptr, 1, b.len, fp) != b.len)
				rc = EXIT_FAIL;
			if (fclose(fp) != 0)
				rc = EXIT_FAIL;
			if (rc != EXIT_OK)
				irt_err("cannot write '%s'", irt_esc(out));
		}
	} else
		rc = irt_out(&b);
	irt_ioc_set_release(&s);
	irt_buf_release(&b);
	return rc;
}

static const struct irt_subcmd ioc_subcmds[] = {
	{ .name = "add",
	    .flags = IRT_CMD_NEEDS_CASE,
	    .opts = add_opts,
	    .operands = "VALUE...",
	    .min_args = 1,
	    .max_args = -1,
	    .run = ioc_add_run,
	    .summary = "register IOCs in the case" },
	{ .name = "list",
	    .flags = IRT_CMD_NEEDS_CASE | IRT_CMD_JSON,
	    .opts = list_opts,
	    .min_args = 0,
	    .max_args = 0,
	    .run = ioc_list_run,
	    .summary = "list the IOCs of the case" },
	{ .name = "show",
	    .flags = IRT_CMD_NEEDS_CASE | IRT_CMD_JSON,
	    .opts = show_opts,
	    .operands = "ID",
	    .min_args = 1,
	    .max_args = 1,
	    .run = ioc_show_run,
	    .summary = "show one IOC" },
	{ .name = "retire",
	    .flags = IRT_CMD_NEEDS_CASE,
	    .opts = retire_opts,
	    .operands = "ID",
	    .min_args = 1,
	    .max_args = 1,
	    .run = ioc_retire_run,
	    .summary = "stop an IOC from matching; it stays in history" },
	{ .name = "import",
	    .flags = IRT_CMD_NEEDS_CASE,
	    .opts = import_opts,
	    .operands = "FILE",
	    .min_args = 1,
	    .max_args = 1,
	    .run = ioc_import_run,
	    .summary = "register IOCs from a plain, CSV, MISP or STIX file" },
	{ .name = "export",
	    .flags = IRT_CMD_NEEDS_CASE,
	    .opts = export_opts,
	    .min_args = 0,
	    .max_args = 0,
	    .run = ioc_export_run,
	    .summary = "write the IOCs as CSV, MISP or STIX" },
	{ NULL },
};

static int
ioc_exec(struct irt_ctx *ctx, int argc, char **argv)
{
	return irt_subcmd_dispatch(ctx, &irt_cmd_ioc, ioc_subcmds, argc, argv);
}

const struct irt_cmd irt_cmd_ioc = {
	.name = "ioc",
	.summary = "the case's indicators of compromise",
	.usage = ioc_usage,
	.exec = ioc_exec,
	.subcmds = ioc_subcmds,
};
