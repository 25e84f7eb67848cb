/*
 * irt evidence: evidence items and their chain of custody.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irt.h"

static const char list_usage[] = "usage: irt evidence list [--json]\n";
static const char show_usage[] = "usage: irt evidence show [--json] ID\n";
static const char add_usage[] = "usage: irt evidence add [-m TEXT] FILE\n";
static const char transfer_usage[] =
    "usage: irt evidence transfer ID --to WHO [-m TEXT]\n";

#define MAX_SHOWN_EVENTS 4096

static void
record_json(struct irt_buf *b, const struct irt_kv *kv)
{
	struct irt_evidence_event *ev;
	static const char *const nums[] = { "size", "entries", NULL };
	size_t i, j, n;
	int first = 1;

	irt_buf_putc(b, '{');
	for (i = 0; i < kv->n; i++) {
		const char *k = kv->v[i].key;
		int num = 0;
		if (strncmp(k, "event.", 6) == 0 ||
		    strncmp(k, "count.", 6) == 0)
			continue;
		for (j = 0; nums[j]; j++)
			num |= strcmp(k, nums[j]) == 0;
		if (!first)
			irt_buf_putc(b, ',');
		first = 0;
		irt_json_str(b, k);
		irt_buf_putc(b, ':');
		if (num)
			irt_buf_puts(b, kv->v[i].value);
		else
			irt_json_strn(b, kv->v[i].value, kv->v[i].value_len);
	}
	irt_buf_puts(b, ",\"counts\":{");
	for (i = 0, first = 1; i < kv->n; i++) {
		if (strncmp(kv->v[i].key, "count.", 6) != 0)
			continue;
		if (!first)
			irt_buf_putc(b, ',');
		first = 0;
		irt_json_str(b, kv->v[i].key + 6);
		irt_buf_printf(b, ":%s", kv->v[i].value);
	}
	irt_buf_puts(b, "},\"events\":[");
	if ((ev = calloc(MAX_SHOWN_EVENTS, sizeof *ev)) != NULL) {
		n = irt_evidence_events(kv, ev, MAX_SHOWN_EVENTS);
		for (i = 0; i < n; i++) {
			irt_buf_puts(b, i ? ",{\"time\":" : "{\"time\":");
			irt_json_str(b, ev[i].time);
			irt_buf_puts(b, ",\"action\":");
			irt_json_str(b, ev[i].action);
			irt_buf_puts(b, ",\"by\":");
			irt_json_str(b, ev[i].by);
			irt_buf_puts(b, ",\"to\":");
			if (ev[i].to)
				irt_json_str(b, ev[i].to);
			else
				irt_buf_puts(b, "null");
			irt_buf_puts(b, ",\"note\":");
			if (ev[i].note)
				irt_json_str(b, ev[i].note);
			else
				irt_buf_puts(b, "null");
			irt_buf_putc(b, '}');
		}
		free(ev);
	}
	irt_buf_puts(b, "]}\n");
}

static const char *
get(const struct irt_kv *kv, const char *k)
{
	const char *v = irt_kv_get(kv, k);

	return v ? v : "";
}

static int
evidence_list(struct irt_ctx *ctx, int argc, char **argv)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_kv *v;
	size_t n, i;
	int rc;

	if ((rc = irt_opts_json(ctx, argc, argv, list_usage, 0, 0)) >= 0)
		return rc;
	if (irt_evidence_list(ctx->kase, &v, &n) != 0)
		return irt_fail();
	for (i = 0; i < n; i++) {
		if (ctx->json) {
			record_json(&b, &v[i]);
			continue;
		}
		irt_buf_printf(&b, "%s  %-10s %12s  %.12s  %s  held by %s\n",
		    irt_esc(get(&v[i], "id")), irt_esc(get(&v[i], "kind")),
		    irt_esc(get(&v[i], "size")), irt_esc(get(&v[i], "sha256")),
		    irt_esc(get(&v[i], "name")), irt_esc(get(&v[i], "holder")));
	}
	irt_evidence_list_free(v, n);
	rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

static int
evidence_show(struct irt_ctx *ctx, int argc, char **argv)
{
	struct irt_evidence_event *ev;
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_kv kv;
	size_t i, n;
	int rc;

	if ((rc = irt_opts_json(ctx, argc, argv, show_usage, 1, 1)) >= 0)
		return rc;
	if (irt_evidence_get(ctx->kase, &kv, argv[optind]) != 0)
		return irt_fail();
	if (ctx->json)
		record_json(&b, &kv);
	else {
		for (i = 0; i < kv.n; i++) {
			if (strncmp(kv.v[i].key, "event.", 6) == 0)
				continue;
			irt_buf_printf(&b, "%-12s ", kv.v[i].key);
			irt_escape_term(&b, kv.v[i].value, kv.v[i].value_len);
			irt_buf_putc(&b, '\n');
		}
		irt_buf_puts(&b, "\ncustody:\n");
		if ((ev = calloc(MAX_SHOWN_EVENTS, sizeof *ev)) != NULL) {
			n = irt_evidence_events(&kv, ev, MAX_SHOWN_EVENTS);
			for (i = 0; i < n; i++) {
				irt_buf_printf(&b, "  %s  %-8s by %s",
				    irt_esc(ev[i].time), irt_esc(ev[i].action),
				    irt_esc(ev[i].by));
				if (ev[i].to)
					irt_buf_printf(
					    &b, " to %s", irt_esc(ev[i].to));
				if (ev[i].note)
					irt_buf_printf(
					    &b, ": %s", irt_esc(ev[i].note));
				irt_buf_putc(&b, '\n');
			}
			free(ev);
		}
	}
	irt_kv_release(&kv);
	rc = irt_out(&b);
	irt_buf_release(&b);
	return rc;
}

static int
evidence_add(struct irt_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "message", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const struct irt_ident *who;
	const char *msg = NULL;
	char id[32];
	int ch;

	while ((ch = getopt_long(argc, argv, "hm:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return irt_help(add_usage, false);
		case 'm':
			msg = optarg;
			break;
		default:
			return irt_help(add_usage, true);
		}
	}
	if (argc - optind != 1)
		return irt_help(add_usage, true);
	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	if (irt_evidence_add_file(ctx->kase, id, argv[optind], msg, who) != 0)
		return irt_fail();
	printf("%s\n", id);
	irt_host_hook(ctx, NULL, NULL, NULL, "evidence");
	return EXIT_OK;
}

static int
evidence_transfer(struct irt_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "to", required_argument, NULL, 't' },
		{ "message", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const struct irt_ident *who;
	const char *msg = NULL, *to = NULL;
	int ch;

	while ((ch = getopt_long(argc, argv, "ht:m:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return irt_help(transfer_usage, false);
		case 't':
			to = optarg;
			break;
		case 'm':
			msg = optarg;
			break;
		default:
			return irt_help(transfer_usage, true);
		}
	}
	if (argc - optind != 1 || to == NULL)
		return irt_help(transfer_usage, true);
	if ((who = irt_who(ctx)) == NULL)
		return irt_fail();
	if (irt_evidence_transfer(ctx->kase, argv[optind], to, msg, who) != 0)
		return irt_fail();
	return EXIT_OK;
}

static const struct irt_subcmd evidence_subcmds[] = {
	{ "add", add_usage, evidence_add, IRT_CMD_NEEDS_CASE },
	{ "list", list_usage, evidence_list, IRT_CMD_NEEDS_CASE },
	{ "show", show_usage, evidence_show, IRT_CMD_NEEDS_CASE },
	{ "transfer", transfer_usage, evidence_transfer, IRT_CMD_NEEDS_CASE },
	{ NULL, NULL, NULL, 0 },
};

static int
evidence_exec(struct irt_ctx *ctx, int argc, char **argv)
{
	return irt_subcmd_dispatch(
	    ctx, &irt_cmd_evidence, evidence_subcmds, argc, argv);
}

const struct irt_cmd irt_cmd_evidence = {
	.name = "evidence",
	.summary = "list, show, add and transfer evidence (chain of custody)",
	.usage = "usage: irt evidence list [--json]\n"
	         "       irt evidence show [--json] ID\n"
	         "       irt evidence add [-m TEXT] FILE\n"
	         "       irt evidence transfer ID --to WHO [-m TEXT]\n",
	.exec = evidence_exec,
	.subcmds = evidence_subcmds,
};
