/*
 * The Sigma matcher of the driver: the rules of irt_hunt_opts.sigma
 * loaded once (a rule that cannot be loaded is reported with its file
 * and reason, and skipped), then every timeline event of the sources
 * matched as the timeline hands it over (irt-sigma(7)); each rule that
 * matches is one hit carrying the rule and the event.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/sigma.h"
#include "hunt-int.h"

struct hunt_sigma {
	struct irt_sigma *s;
	struct irt_hunt *h;
	/* the event being matched, rendered once for its hits */
	const struct irt_tl_event *ev;
	struct irt_buf ej, ets, rid;
};

static void
load_warn(const char *msg, void *arg)
{
	hunt_warn(arg, "%s", msg);
}

static void
strip_nl(struct irt_buf *b)
{
	while (b->len > 0 && b->ptr[b->len - 1] == '\n')
		b->ptr[--b->len] = '\0';
}

static int
on_rule(const struct irt_sigma_hit *sh, void *arg)
{
	struct hunt_sigma *x = arg;
	struct irt_hunt *h = x->h;
	const struct irt_tl_event *ev = x->ev;
	struct irt_hunt_hit hit;

	memset(&hit, 0, sizeof hit);
	hit.kind = "sigma";
	/* a rule without an id is named by where it is */
	irt_buf_clear(&x->rid);
	if (sh->id[0] != '\0')
		irt_buf_puts(&x->rid, sh->id);
	else
		irt_buf_printf(&x->rid, "%s:%u", sh->file, sh->line);
	hit.rule_id = irt_buf_cstr(&x->rid);
	hit.title = sh->title[0] ? sh->title : hit.rule_id;
	hit.level = sh->level[0] ? sh->level : NULL;
	hit.tags = sh->tags;
	hit.ntags = sh->ntags;
	hit.host = irt_tl_event_host(ev) ? irt_tl_event_host(ev) : h->cur_host;
	hit.has_time = true;
	hit.time = irt_tl_event_time(ev);
	hit.source = irt_tl_event_source(ev);
	hit.location = irt_tl_event_file(ev);
	hit.line = irt_tl_event_line(ev);
	/* keywords search the message */
	hit.field = sh->field ? sh->field : "keywords";
	hit.match = sh->value;
	hit.match_len = sh->value ? sh->value_len : 0;
	hit.event = ev;
	if (x->ej.len == 0) {
		irt_tl_event_write(&x->ej, ev, IRT_TL_JSONL);
		irt_tl_event_write(&x->ets, ev, IRT_TL_TIMESKETCH_JSONL);
		strip_nl(&x->ej);
		strip_nl(&x->ets);
	}
	hit.event_json = x->ej.len ? x->ej.ptr : NULL;
	hit.event_ts = x->ets.len ? x->ets.ptr : NULL;
	return hunt_hit(h, &hit);
}

static int
sigma_event(struct irt_hunt *h, void *self, const struct irt_tl_event *ev)
{
	struct hunt_sigma *x = self;
	int rc;

	(void)h;
	x->ev = ev;
	irt_buf_clear(&x->ej);
	irt_buf_clear(&x->ets);
	rc = irt_sigma_match(x->s, ev, on_rule, x);
	x->ev = NULL;
	return rc;
}

static void
sigma_free(void *self)
{
	struct hunt_sigma *x = self;

	irt_sigma_free(x->s);
	irt_buf_release(&x->ej);
	irt_buf_release(&x->ets);
	irt_buf_release(&x->rid);
	free(x);
}

static const struct hunt_matcher_ops sigma_ops = {
	.name = "sigma",
	.event = sigma_event,
	.free = sigma_free,
};

int
hunt_sigma_new(struct irt_hunt *h)
{
	struct hunt_sigma *x;
	struct irt_sigma_stats st;
	struct irt_buf sum = IRT_BUF_INIT;
	size_t i;
	int rc = 0;

	if ((x = calloc(1, sizeof *x)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	x->h = h;
	if ((rc = irt_sigma_new(&x->s)) != 0) {
		free(x);
		return rc;
	}
	for (i = 0; i < h->o.nsigma && rc == 0; i++) {
		struct stat sb;
		if (stat(h->o.sigma[i], &sb) != 0)
			rc = irt_error_sys(IRT_EIO, errno, "cannot open '%s'",
			    irt_esc(h->o.sigma[i]));
		else
			rc = irt_sigma_load(x->s, h->o.sigma[i], load_warn, h);
	}
	irt_sigma_stats(x->s, &st);
	if (rc == 0 && st.loaded == 0) {
		irt_sigma_summary(&sum, x->s);
		rc = irt_error_set(IRT_EPARSE, "no Sigma rule loaded (%s)",
		    irt_buf_cstr(&sum));
		irt_buf_release(&sum);
	}
	if (rc != 0) {
		sigma_free(x);
		return rc;
	}
	h->sigma = x->s;
	return hunt_add_matcher(h, &sigma_ops, x);
}
