/*
 * Fleet actions (irt-fleet(1)): what irt fleet collect, hunt and isolate
 * did across an inventory, one record per action under
 * fleet/YYYY/MM/DD/<id>.record (key = value, kv.h), in one commit.
 */
#ifndef IRT_FLEET_H
#define IRT_FLEET_H

#include "common.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "case.h"
#include "ident.h"

#define IRT_FLEET_DIR "fleet"
#define IRT_FLEET_SUFFIX ".record"

/* The outcome on one host. */
struct irt_fleet_host {
	const char *name;
	const char *outcome;  /* ok, failed, unreachable, rejected */
	const char *reason;   /* Ansible's or irt's, NULL when ok */
	const char *evidence; /* the evidence id, or NULL */
	uint64_t count;       /* entries collected, hits found */
	uint64_t size;        /* bytes brought back */
	const char *sha256;   /* of what was brought back, or NULL */
	bool verified;
};

struct irt_fleet_action {
	const char *id;               /* the action's id, or NULL: a new one */
	const char *action;           /* collect, hunt, isolate... */
	const char *inventory;        /* as given */
	const char *inventory_sha256; /* of the inventory file */
	const char *limit;            /* --limit, or NULL */
	const char *run;              /* the id of the recorded Ansible run */
	int ansible_status;           /* ansible-playbook's exit status */
	const struct irt_fleet_host *hosts;
	size_t nhosts;
};

/*
 * Records an action in one commit (Irt-Action: fleet-ACTION, Irt-Fleet:
 * id, Irt-Run: the Ansible run); id_out receives the record's id,
 * a->id when it is given (the id that names the action's folders).
 */
IRT_EXTERN int irt_fleet_record(struct irt_case *c, char id_out[32],
    const struct irt_fleet_action *a, const struct irt_ident *who);

#endif
