/*
 * Evidence and chain of custody: one record per evidence item in the
 * case under custody/<id>.record (key = value, kv.h), each custody event
 * one commit.  The record format is documented in irt-evidence(1).
 */
#ifndef IRT_EVIDENCE_H
#define IRT_EVIDENCE_H

#include "common.h"
#include <stddef.h>
#include <stdint.h>

#include "case.h"
#include "collect.h"
#include "kv.h"

#define IRT_EVIDENCE_DIR "custody"
#define IRT_EVIDENCE_SUFFIX ".record"

/* One custody event of a record. */
struct irt_evidence_event {
	const char *time;
	const char *action; /* collect, add, transfer, import */
	const char *by;
	const char *to;   /* NULL unless transfer */
	const char *note; /* NULL when none */
};

/* Records a finished collection; id_out receives the evidence id. */
IRT_EXTERN int irt_evidence_add_collection(struct irt_case *c, char id_out[32],
    const struct irt_collect_result *r, const char *profile,
    const char *message, const struct irt_ident *who);

/* How an archive collected elsewhere came into the case. */
struct irt_evidence_import_opts {
	const char *expect_host; /* the host it must come from, or NULL */
	const char *via;         /* how it travelled ("ansible/ssh"), or NULL */
	const char *collector;   /* who collected it; NULL: host.json's */
	const char *message;     /* a description, or NULL */
};

struct irt_evidence_import_result {
	char id[32];
	char host[256];  /* from the archive's irt/host.json */
	char sha256[65]; /* of the archive file */
	uint64_t size;
	uint64_t entries; /* manifest hashes checked */
};

/*
 * Imports an evidence archive made by irt collect on another host: the
 * archive is verified (irt_archive_verify, sidecar required), its host
 * taken from irt/host.json, and one record committed whose custody
 * events are the collection on that host and the import here.  Nothing
 * is recorded when any check fails (IRT_EVERIFY or IRT_EPARSE, the
 * message naming the archive);
 * IRT_EEXISTS when an item with the same SHA-256 is in the case.
 */
IRT_EXTERN int irt_evidence_import(struct irt_case *c,
    struct irt_evidence_import_result *out, const char *archive,
    const struct irt_evidence_import_opts *o, const struct irt_ident *who);

/* Registers any file (memory image, disk image, pcap), hashing it. */
IRT_EXTERN int irt_evidence_add_file(struct irt_case *c, char id_out[32],
    const char *path, const char *message, const struct irt_ident *who);

/* Hands an item over to another person: a new holder, one commit. */
IRT_EXTERN int irt_evidence_transfer(struct irt_case *c, const char *id,
    const char *to, const char *message, const struct irt_ident *who);

/* The record whose id starts with prefix. */
IRT_EXTERN int
irt_evidence_get(struct irt_case *c, struct irt_kv *out, const char *prefix);

/* Every record, oldest first; free each with irt_kv_release, then free(v). */
IRT_EXTERN int
irt_evidence_list(struct irt_case *c, struct irt_kv **out, size_t *n);
IRT_EXTERN void irt_evidence_list_free(struct irt_kv *v, size_t n);

/* The custody events of a record, in order; returns how many were
 * found (up to max). */
IRT_EXTERN size_t irt_evidence_events(
    const struct irt_kv *rec, struct irt_evidence_event *ev, size_t max);

#endif
