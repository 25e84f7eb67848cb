/*
 * Docker's container configs, /var/lib/docker/containers/ID/
 * config.v2.json, as events: the container created, started and
 * finished (the last start and end Docker kept), with its id, name,
 * image and command.  Docker writes the config as one line; each line
 * of the file is read as one config.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "tl-internal.h"

static const struct tl_dtype dt_created = { "docker:json:container",
	"Creation Time", "LOG" };
static const struct tl_dtype dt_started = { "docker:json:container",
	"Start Time", "LOG" };
static const struct tl_dtype dt_finished = { "docker:json:container",
	"End Time", "LOG" };
static const struct tl_dtype *const types[] = { &dt_created, &dt_started,
	&dt_finished, NULL };

enum { T_CREATED, T_STARTED, T_FINISHED };

enum { F_CONTAINER_ID, F_CONTAINER, F_IMAGE, F_COMMAND, F_EXIT_CODE };

static const char *const fields[] = { [F_CONTAINER_ID] = "container_id",
	[F_CONTAINER] = "container",
	[F_IMAGE] = "image",
	[F_COMMAND] = "command",
	[F_EXIT_CODE] = "exit_code",
	NULL };

#define DEPTH 64

static struct json_object *
member(struct json_object *o, const char *key, enum json_type t)
{
	struct json_object *x;

	if (o == NULL || !json_object_object_get_ex(o, key, &x) ||
	    !json_object_is_type(x, t))
		return NULL;
	return x;
}

/*
 * The time of member key: 0 and *t set; 1 when there is none (missing,
 * or Go's zero time); a warning when it is no time.
 */
static int
ctime_of(struct tl_pctx *p, struct json_object *o, const char *key, irt_ns *t,
    int *rc)
{
	struct json_object *x = member(o, key, json_type_string);
	const char *s;
	size_t n;

	*rc = 0;
	if (x == NULL)
		return 1;
	s = json_object_get_string(x);
	n = (size_t)json_object_get_string_len(x);
	if (n == 0 || strncmp(s, "0001-01-01T", 11) == 0)
		return 1;
	if (n < 20 || n > 63 || s[4] != '-' || s[10] != 'T' || strlen(s) != n) {
		*rc = tl_warn_line(p, "%s: bad time, left out", key);
		return 1;
	}
	if (irt_time_parse(t, s) != 0) {
		*rc =
		    tl_warn_line(p, "%s: %s, left out", key, irt_error_last());
		return 1;
	}
	return 0;
}

static int
config_line(
    struct tl_pctx *p, struct json_tokener *tok, const char *line, size_t len)
{
	static const char *const what[] = { "created", "started", "finished" };
	struct json_object *o, *st, *cfg, *x, *args;
	struct irt_buf cmd = IRT_BUF_INIT, msg = IRT_BUF_INIT;
	const char *name = NULL, *image = NULL;
	size_t namel = 0, imagel = 0, i, na;
	long long code = 0;
	struct tl_ev e;
	irt_ns t[3];
	int k, rc = 0, has[3];

	if (len == 0)
		return 0;
	json_tokener_reset(tok);
	o = len <= TL_LINE_MAX ? json_tokener_parse_ex(tok, line, (int)len)
	                       : NULL;
	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    json_tokener_get_parse_end(tok) != len) {
		json_object_put(o);
		return tl_warn_line(p,
		    "not a Docker container config (one JSON object a line), "
		    "skipped");
	}
	st = member(o, "State", json_type_object);
	cfg = member(o, "Config", json_type_object);
	if ((x = member(o, "Name", json_type_string)) != NULL) {
		name = json_object_get_string(x);
		namel = (size_t)json_object_get_string_len(x);
		if (namel > 0 && name[0] == '/')
			name++, namel--;
	}
	if ((x = member(cfg, "Image", json_type_string)) != NULL) {
		image = json_object_get_string(x);
		imagel = (size_t)json_object_get_string_len(x);
	}
	/* the command: Path and Args, as one line */
	if ((x = member(o, "Path", json_type_string)) != NULL) {
		irt_buf_put(&cmd, json_object_get_string(x),
		    (size_t)json_object_get_string_len(x));
		args = member(o, "Args", json_type_array);
		na = args ? json_object_array_length(args) : 0;
		for (i = 0; i < na && cmd.len < TL_LINE_MAX; i++) {
			x = json_object_array_get_idx(args, i);
			if (!json_object_is_type(x, json_type_string))
				continue;
			irt_buf_putc(&cmd, ' ');
			irt_buf_put(&cmd, json_object_get_string(x),
			    (size_t)json_object_get_string_len(x));
		}
	}
	if ((x = member(st, "ExitCode", json_type_int)) != NULL)
		code = (long long)json_object_get_int64(x);
	has[T_CREATED] = ctime_of(p, o, "Created", &t[T_CREATED], &rc) == 0;
	if (rc == 0)
		has[T_STARTED] =
		    ctime_of(p, st, "StartedAt", &t[T_STARTED], &rc) == 0;
	if (rc == 0)
		has[T_FINISHED] =
		    ctime_of(p, st, "FinishedAt", &t[T_FINISHED], &rc) == 0;
	if (rc == 0 && !has[T_CREATED] && !has[T_STARTED] && !has[T_FINISHED] &&
	    member(o, "ID", json_type_string) == NULL)
		rc = tl_warn_line(p, "not a Docker container config, skipped");
	for (k = 0; k < 3 && rc == 0; k++) {
		if (!has[k])
			continue;
		irt_buf_clear(&msg);
		irt_buf_printf(&msg, "container %s", what[k]);
		if (k == T_FINISHED && member(st, "ExitCode", json_type_int))
			irt_buf_printf(&msg, " (exit code %lld)", code);
		if (namel > 0) {
			irt_buf_puts(&msg, ": ");
			irt_buf_put(&msg, name, namel);
		}
		if (imagel > 0) {
			irt_buf_puts(&msg, " image ");
			irt_buf_put(&msg, image, imagel);
		}
		if (msg.ptr == NULL) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			break;
		}
		tl_ev_init(&e, (unsigned)k, t[k]);
		e.msg = msg.ptr;
		e.msg_len = msg.len;
		if ((x = member(o, "ID", json_type_string)) != NULL)
			tl_ev_add(&e, F_CONTAINER_ID, json_object_get_string(x),
			    (size_t)json_object_get_string_len(x));
		if (namel > 0)
			tl_ev_add(&e, F_CONTAINER, name, namel);
		if (imagel > 0)
			tl_ev_add(&e, F_IMAGE, image, imagel);
		if (cmd.len > 0)
			tl_ev_add(&e, F_COMMAND, cmd.ptr, cmd.len);
		if (k == T_FINISHED && member(st, "ExitCode", json_type_int))
			tl_ev_addi(&e, F_EXIT_CODE, code);
		rc = tl_emit(p, &e);
	}
	json_object_put(o);
	irt_buf_release(&cmd);
	irt_buf_release(&msg);
	return rc;
}

static int
parse_container(struct tl_pctx *p, struct tl_stream *s)
{
	struct json_tokener *tok;
	struct tl_lines lr;
	const char *line;
	size_t len;
	int rc;

	if ((tok = json_tokener_new_ex(DEPTH)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1)
		if ((rc = config_line(p, tok, line, len)) != 0)
			break;
	tl_lines_free(&lr);
	json_tokener_free(tok);
	return rc < 0 ? rc : 0;
}

static bool
by_name(const char *name, const char *path)
{
	(void)path;
	return strcmp(name, "config.v2.json") == 0;
}

/* Docker writes StreamConfig first, State second */
static int
by_content(const struct tl_head *h)
{
	return h->line_len > 16 &&
	        memcmp(h->line, "{\"StreamConfig\":", 16) == 0
	    ? TL_YES
	    : TL_NO;
}

static const char *const aliases[] = { "docker_config", NULL };

const struct tl_source tl_source_container = {
	.name = "container",
	.aliases = aliases,
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_container,
};
