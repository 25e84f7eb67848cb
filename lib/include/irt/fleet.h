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
#include "kv.h"

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
	const char *hunt; /* fleet hunt: the id of the host's hunt, or NULL */
};

/*
 * The hunt of one host in a fleet hunt, recorded as irt hunt records
 * one (irt_hunt_record): hunts/YYYY/MM/DD/<id>/record, with id, host
 * and fleet first, then the entries of record, then hits, and
 * hunts/YYYY/MM/DD/<id>/hits.jsonl.
 */
struct irt_fleet_hunt {
	const char *id;   /* irt_id_new */
	const char *host; /* the name the hits carry */
	const struct irt_kv *record;
	const char *hits; /* checked with irt_fleet_hits_check */
	size_t hits_len;
	uint64_t nhits; /* its lines: the record's last entry, hits */
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
	const struct irt_fleet_hunt *hunts; /* fleet hunt: committed with */
	size_t nhunts;                      /* the record */
};

/*
 * Records an action in one commit (Irt-Action: fleet-ACTION, Irt-Fleet:
 * id, Irt-Run: the Ansible run); id_out receives the record's id,
 * a->id when it is given (the id that names the action's folders).
 */
IRT_EXTERN int irt_fleet_record(struct irt_case *c, char id_out[32],
    const struct irt_fleet_action *a, const struct irt_ident *who);

/* What a playbook wrote of one host: HOST/outcome.json in the stage. */
struct irt_fleet_outcome {
	char *outcome; /* ok, failed, unreachable */
	char *reason;  /* "task: reason", or NULL */
	char *expect;  /* the host name its results must carry, or NULL */
};

/*
 * Parses an outcome.json (a JSON object with the string "outcome" and
 * optional strings "task", "reason" and "expect").  Anything else is
 * IRT_EPARSE naming path; out is then empty.
 */
IRT_EXTERN int irt_fleet_outcome_parse(struct irt_fleet_outcome *out,
    const char *path, const char *data, size_t len);
IRT_EXTERN void irt_fleet_outcome_release(struct irt_fleet_outcome *o);

/* The longest line of a hits file, and the largest hits file. */
#define IRT_FLEET_HIT_MAX (1u << 20)
#define IRT_FLEET_HITS_MAX (256u << 20)

/*
 * Checks the hits a host sent (irt hunt --json, one JSON object a
 * line, each ending with a newline): every line an object whose
 * "kind" is ioc, sigma or yara and whose "host" is host; a line longer
 * than IRT_FLEET_HIT_MAX, a NUL byte or a last line without its newline
 * is refused.  *hits receives the number of lines.  IRT_EPARSE names
 * path and the line.
 */
IRT_EXTERN int irt_fleet_hits_check(uint64_t *hits, const char *path,
    const char *data, size_t len, const char *host);

/*
 * Reads a hits file (a regular file, not through a symbolic link, at
 * most IRT_FLEET_HITS_MAX bytes) into out and checks it as
 * irt_fleet_hits_check; sha256 receives the hex SHA-256 of its bytes.
 */
IRT_EXTERN int irt_fleet_hits_read(struct irt_buf *out, uint64_t *hits,
    char sha256[65], const char *path, const char *host);

#endif
