/*
 * irt fleet isolate (irt-fleet(1)): the isolation state of each host of
 * a fleet, kept in the case as fleet-isolation/<host>.state (key = value,
 * kv.h), so that confirm, lift and status know which hosts are isolated,
 * and the record of each action (fleet/YYYY/MM/DD/<id>.record, as
 * irt_fleet_record writes it) in the same commit.
 */
#ifndef IRT_FLEET_ISOLATE_H
#define IRT_FLEET_ISOLATE_H

#include "common.h"
#include <stdbool.h>
#include <stddef.h>

#include "case.h"
#include "fleet.h"
#include "ident.h"
#include "timefmt.h"

#define IRT_FLEET_ISOLATION_DIR "fleet-isolation"
#define IRT_FLEET_ISOLATION_SUFFIX ".state"

/* The isolation of one host, as the case keeps it. */
struct irt_fleet_isolation {
	char *host;
	char *state;     /* applied, confirmed, rolled-back, lifted */
	char *isolation; /* the id irt isolate gave it on the host, or NULL */
	char *fleet;     /* the fleet action that last changed it */
	char *allow;     /* the addresses allowed there, or NULL */
	irt_ns deadline; /* of the rollback, 0 when none */
	irt_ns time;     /* when the action learned the state */
};

/* Whether a state says the host is isolated, or may be (rolled back:
 * the inert table is left until lift). */
IRT_EXTERN int irt_fleet_isolation_active(const char *state);

/*
 * The states of every host of the case, sorted by host; an entry that
 * does not parse fails with IRT_EPARSE naming it.
 */
IRT_EXTERN int irt_fleet_isolation_list(
    struct irt_fleet_isolation **out, size_t *n, struct irt_case *c);
IRT_EXTERN void
irt_fleet_isolation_list_free(struct irt_fleet_isolation *v, size_t n);

/* The outcome of an isolation action on one host. */
struct irt_fleet_isolate_host {
	const char *name;
	const char *outcome;   /* applied, confirmed, lifted, rolled-back,
	                          not-isolated, failed, unreachable */
	const char *reason;    /* Ansible's or irt's, or NULL */
	const char *isolation; /* the id of irt isolate there, or NULL */
	const char *allow;     /* the addresses allowed there, or NULL */
	irt_ns deadline;       /* of the rollback, 0 when none */
	const char *state;     /* the state to keep, NULL: unchanged */
};

/*
 * Records an isolation action (a->action: isolate, isolate-confirm,
 * isolate-lift, isolate-status; a->hosts is not read) with the outcome of
 * each host, and the new state of every host whose state is given, in
 * one commit (Irt-Action: fleet-ACTION, Irt-Fleet, Irt-Run).
 */
IRT_EXTERN int irt_fleet_isolate_record(struct irt_case *c, char id_out[32],
    const struct irt_fleet_action *a, const struct irt_fleet_isolate_host *h,
    size_t n, const struct irt_ident *who);

/* What `irt --json isolate status` printed on a host: untrusted. */
struct irt_fleet_isolate_status {
	bool valid; /* a JSON object of at most 1 MiB */
	bool isolated, table, managed, confirmed, rolled_back;
	char id[32];     /* letters, digits and '-' only, or "" */
	irt_ns deadline; /* 0 when missing or not a time */
	char *allow;     /* or NULL */
	char *problem;   /* or NULL */
};

/* Reads text (NULL: nothing) field by field; what does not check is
 * left out.  Release it even when valid is false. */
IRT_EXTERN void irt_fleet_isolate_status_parse(
    struct irt_fleet_isolate_status *s, const char *text);
IRT_EXTERN void
irt_fleet_isolate_status_release(struct irt_fleet_isolate_status *s);

/* The state a status shows: applied, confirmed, rolled-back, lifted
 * (nothing there), or NULL when it is none of them. */
IRT_EXTERN const char *
irt_fleet_isolate_status_state(const struct irt_fleet_isolate_status *s);

#endif
