/*
 * The incident timeline: the events that tell what the attacker did and
 * when, as the responders establish them, one record per event,
 * events/YYYY/MM/DD/<id>.event (key = value, kv.h); an edit or a
 * retirement is a new commit and the record keeps who did it
 * (irt-event(1), irt-case(5)).
 */
#ifndef IRT_EVENT_H
#define IRT_EVENT_H

#include "common.h"
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "case.h"
#include "ident.h"
#include "timefmt.h"

#define IRT_EVENT_DIR "events"
#define IRT_EVENT_SUFFIX ".event"

/* A list of strings. */
struct irt_strlist {
	char **v;
	size_t n;
};

struct irt_event {
	char id[32];
	irt_ns at;                     /* when it happened */
	char *host;                    /* NULL when none */
	struct irt_strlist techniques; /* MITRE ATT&CK ids */
	struct irt_strlist iocs;       /* IOC ids */
	struct irt_strlist evidence;   /* evidence ids */
	struct irt_strlist hits;       /* hunt hits, HUNT-ID:LINE */
	char *text;
	char *added; /* UTC */
	char *added_by;
	char *edited; /* the last edit, or NULL */
	char *edited_by;
	bool retired;
	char *retired_at;
	char *retired_by;
	char *retired_why;
};

IRT_EXTERN int irt_strlist_add(struct irt_strlist *l, const char *s);
IRT_EXTERN void irt_strlist_release(struct irt_strlist *l);

/*
 * Checks the form of a MITRE ATT&CK technique id: T1234 or T1234.001.
 */
IRT_EXTERN int irt_attack_check(const char *technique);
/*
 * The tactic of a technique when irt knows it ("Execution"), from the
 * technique itself or the one a sub-technique belongs to; else NULL.
 */
IRT_EXTERN const char *irt_attack_tactic(const char *technique);
/* Its name when irt knows it ("Unix Shell"); else NULL. */
IRT_EXTERN const char *irt_attack_name(const char *technique);

IRT_EXTERN int irt_event_parse(
    struct irt_event *out, const char *data, size_t len, const char *name);
IRT_EXTERN int irt_event_format(struct irt_buf *out, const struct irt_event *e);
IRT_EXTERN void irt_event_release(struct irt_event *e);

/* Checks what a responder gives: the text, host, technique and link
 * ids (no control characters, UTF-8). */
IRT_EXTERN int irt_event_validate(const struct irt_event *e);

/*
 * Adds the event (its id, added and added_by are set here) in one
 * commit (Irt-Action: event-add); id_out receives the new id.
 */
IRT_EXTERN int irt_event_add(struct irt_case *c, char id_out[32],
    struct irt_event *e, const struct irt_ident *who);

/*
 * Writes back an event read with irt_event_get and changed by the
 * caller, in one commit: action "event-edit" sets edited and edited_by,
 * "event-retire" sets retired, retired_at and retired_by (retired_why
 * is the caller's).
 */
IRT_EXTERN int irt_event_update(struct irt_case *c, struct irt_event *e,
    const char *action, const struct irt_ident *who);

/* The event whose id starts with prefix. */
IRT_EXTERN int
irt_event_get(struct irt_case *c, struct irt_event *out, const char *prefix);

/* Every event sorted by the time it happened (then id); retired ones
 * only with all.  Free with irt_event_list_free. */
IRT_EXTERN int
irt_event_list(struct irt_case *c, struct irt_event **out, size_t *n, bool all);
IRT_EXTERN void irt_event_list_free(struct irt_event *v, size_t n);

/*
 * Fills e from a recorded hunt hit, HUNT-ID:LINE (the line of the hunt's
 * hits.jsonl; a unique prefix of the hunt id will do): time, host, the
 * IOC, the text, and the hit itself as a link (its full id).
 */
IRT_EXTERN int
irt_event_from_hit(struct irt_case *c, struct irt_event *e, const char *hit);

/* The record check for irt case verify. */
IRT_EXTERN int irt_event_check(const char *path, const char *data, size_t len);

#endif
