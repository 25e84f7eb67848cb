/*
 * The hosts of an incident and their compromise states: one record per
 * host, hosts/YYYY/MM/DD/<id>.host (key = value, kv.h), whose state
 * history is kept in the record and in git, one commit per change
 * (irt-host(1), irt-case(5)).
 */
#ifndef IRT_HOST_H
#define IRT_HOST_H

#include "common.h"
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "case.h"
#include "ident.h"

#define IRT_HOST_DIR "hosts"
#define IRT_HOST_SUFFIX ".host"

/* One change of state, oldest first in a record. */
struct irt_host_change {
	char *time;   /* UTC */
	char *state;  /* the state after the change */
	char *by;     /* "Name <mail>" */
	char *why;    /* the reason given */
	char *action; /* what made it: host-state, isolate-apply... */
};

struct irt_host {
	char id[32];
	char *name;
	char **ips; /* as given, checked addresses */
	size_t nips;
	char *role;  /* NULL when none */
	char *added; /* UTC */
	char *added_by;
	char *state; /* the current state */
	struct irt_host_change *history;
	size_t nhistory;
};

/*
 * The states, in the order an incident goes through them; "unknown" is
 * the state of a host added without one and cannot be set.  Returns 0
 * for a state irt_host_set_state takes, IRT_EINVAL naming the valid ones.
 */
IRT_EXTERN int irt_host_check_state(const char *state);
/* The states irt_host_set_state takes, NULL-terminated. */
IRT_EXTERN const char *const *irt_host_states(void);

/* Checks a host name: 1 to 255 bytes of UTF-8, no control character,
 * comma or slash. */
IRT_EXTERN int irt_host_check_name(const char *name);

/* Checks an IPv4 or IPv6 address (with an optional /prefix). */
IRT_EXTERN int irt_host_check_ip(const char *ip);

IRT_EXTERN int irt_host_parse(
    struct irt_host *out, const char *data, size_t len, const char *name);
IRT_EXTERN int irt_host_format(struct irt_buf *out, const struct irt_host *h);
IRT_EXTERN void irt_host_release(struct irt_host *h);

/*
 * Adds a host in one commit (Irt-Action: host-add).  IRT_EEXISTS when a
 * host of that name is in the case.  state may be NULL ("unknown").
 */
IRT_EXTERN int irt_host_add(struct irt_case *c, char id_out[32],
    const char *name, const char *const *ips, size_t nips, const char *role,
    const char *state, const char *why, const struct irt_ident *who);

/* Every host, sorted by name; free with irt_host_list_free. */
IRT_EXTERN int
irt_host_list(struct irt_case *c, struct irt_host **out, size_t *n);
IRT_EXTERN void irt_host_list_free(struct irt_host *v, size_t n);

/* The host of that name.  IRT_ENOTFOUND. */
IRT_EXTERN int
irt_host_get(struct irt_case *c, struct irt_host *out, const char *name);

/*
 * Records a change for host name in one commit (Irt-Action: action,
 * host-state when NULL): state (NULL: it stays as it is, the change is
 * recorded with why) and why.  With create, a host not yet in the case
 * is added first, in the same commit; else IRT_ENOTFOUND.  When state is
 * NULL and the host exists with nothing to record (why NULL), nothing
 * is committed.  changed (may be NULL) tells whether a commit was made.
 * This is the one call other commands make to keep states current.
 */
IRT_EXTERN int irt_host_set_state(struct irt_case *c, const char *name,
    const char *state, const char *why, const char *action, bool create,
    const struct irt_ident *who, bool *changed);

/* The record check for irt case verify. */
IRT_EXTERN int irt_host_check(const char *path, const char *data, size_t len);

#endif
