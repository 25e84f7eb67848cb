/*
 * Network isolation of a host through nftables: a table of its own,
 * "inet irt_isolate", that drops everything but loopback and the
 * responders' addresses, applied atomically through libnftables (or,
 * where it cannot be opened, the nft command).  The drop rules hold
 * only while the table's set "armed" holds the families, which apply
 * adds with the confirm deadline as their timeout: unless confirmed,
 * the kernel itself ends the isolation, whatever becomes of irt; a
 * watchdog then removes the inert table.  Other tables are never
 * touched.  See irt-isolate(1).
 */
#ifndef IRT_ISOLATE_H
#define IRT_ISOLATE_H

#include "common.h"
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "case.h"
#include "ident.h"
#include "timefmt.h"

#define IRT_ISOLATE_TABLE "irt_isolate"
#define IRT_ISOLATE_DEFAULT_CONFIRM 120

/* What the responder asked for. */
struct irt_isolate_opts {
	const char *const *allow; /* ADDR[/LEN][,...] or host names */
	size_t nallow;
	const char *const *ports; /* PROTO/PORT, tcp or udp */
	size_t nports;
	const char *const *dns; /* name server addresses */
	size_t ndns;
	int no_allow; /* total isolation: no address allowed */
};

/* A resolved plan: the addresses and the ruleset text. */
struct irt_isolate_plan {
	char id[32];
	char **allow4; /* "10.0.0.2" or "10.0.0.0/24", NULL-terminated */
	char **allow6;
	char **dns4;
	char **dns6;
	char **tcp_ports; /* "22" */
	char **udp_ports;
	char *ruleset;
	char sha256[65];
};

/*
 * Resolves names and parses addresses (nothing is applied) and writes
 * the ruleset.  IRT_EINVAL names what does not parse or resolve.
 */
IRT_EXTERN int irt_isolate_plan(
    struct irt_isolate_plan **out, const struct irt_isolate_opts *o);
IRT_EXTERN void irt_isolate_plan_free(struct irt_isolate_plan *p);

/* The isolation in force, as the state file and the kernel say. */
struct irt_isolate_counter {
	char name[32];
	uint64_t packets;
	uint64_t bytes;
};

struct irt_isolate_status {
	int present;  /* the table exists */
	int blocking; /* its drop rules are in force */
	int timed;    /* and the kernel ends them at a timeout */
	int managed;  /* irt's state file exists */
	char id[32];
	irt_ns applied;
	irt_ns deadline;
	int confirmed;
	irt_ns confirmed_at;
	int rolled_back; /* not confirmed: the blocking ended */
	irt_ns rolled_back_at;
	int leftover; /* rolled back by the kernel, its inert table left */
	char sha256[65];
	char *allow; /* as given, comma separated */
	char *case_path;
	pid_t watchdog;
	int watchdog_alive;
	char *problem;  /* how the state and the ruleset disagree, or NULL */
	char *nftables; /* "libnftables.so.1", or the nft command used */
	struct irt_isolate_counter counters[8];
	size_t ncounters;
};

IRT_EXTERN void irt_isolate_status_release(struct irt_isolate_status *s);

/*
 * Applies the plan: checks root, saves the current ruleset (into the
 * case when c is not NULL, and into the state directory), checks the
 * ruleset with a dry run and applies it, with the families in the set
 * "armed" for confirm_within seconds, in one transaction; then starts
 * the watchdog that removes the table once the kernel has ended the
 * blocking, unless irt_isolate_confirm runs.  An earlier isolation that
 * the kernel ended is rolled back first.  One commit in the case.
 */
IRT_EXTERN int irt_isolate_apply(struct irt_case *c,
    struct irt_isolate_status *st, const struct irt_isolate_plan *p,
    double confirm_within, const struct irt_ident *who);

/*
 * Confirms: the set "armed" holds the families without a timeout, in
 * one transaction that fails when the kernel has let them go; the
 * watchdog ends.  IRT_ETIMEOUT when the rollback already happened.  c
 * may be NULL: the case of the apply is used.
 */
IRT_EXTERN int irt_isolate_confirm(struct irt_case *c,
    struct irt_isolate_status *st, const struct irt_ident *who);

/*
 * Lifts: deletes the table (and only it), ends the watchdog, and tells
 * whether the ruleset is now exactly the one saved before apply.  When
 * the kernel had already ended an unconfirmed isolation, records its
 * rollback instead, and st->rolled_back tells.
 */
IRT_EXTERN int irt_isolate_lift(struct irt_case *c,
    struct irt_isolate_status *st, int *identical, const struct irt_ident *who);

/*
 * Reads the state, the table and its counters.  IRT_EVERIFY, with
 * st filled and st->problem set, when the state and the kernel's
 * ruleset disagree.
 */
IRT_EXTERN int irt_isolate_get_status(struct irt_isolate_status *st);

/* A connection test: ADDR:PORT or [ADDR6]:PORT. */
struct irt_isolate_probe {
	const char *target;
	int expect_reach; /* 1: must connect; 0: must be blocked */
	int reached;      /* result */
	int ok;           /* reached == expect_reach */
	char detail[128]; /* "connected", "timed out", strerror */
};

/*
 * Tries each TCP connection (timeout seconds each) and records the
 * results in the case when c (or the apply's case) is there.
 * *failed counts the probes that did not go as expected.
 */
IRT_EXTERN int
irt_isolate_verify(struct irt_case *c, struct irt_isolate_probe *probes,
    size_t n, double timeout, size_t *failed, const struct irt_ident *who);

/* The directory of the state files: $IRT_RUNDIR or /run/irt. */
IRT_EXTERN const char *irt_isolate_rundir(void);

/* The record check for irt case verify (isolation/ID/NAME.record). */
IRT_EXTERN int
irt_isolate_check(const char *path, const char *data, size_t len);

#endif
