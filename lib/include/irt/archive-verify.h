/*
 * Verification of an evidence archive without extracting it
 * (irt-verify(1)): every entry is read and hashed again and compared
 * with irt/manifest.jsonl, irt/manifest.sha256 and <archive>.sha256.
 */
#ifndef IRT_ARCHIVE_VERIFY_H
#define IRT_ARCHIVE_VERIFY_H

#include "common.h"
#include <stddef.h>
#include <stdint.h>

struct irt_verify_problem {
	char *kind;   /* corrupt, missing, extra, altered, sidecar, manifest,
	               * unchecked; notes: coverage, budget, sidecar */
	char *path;   /* the entry (untrusted bytes), or NULL */
	char *detail; /* one line */
};

/*
 * The zero bytes of sparse holes that verify hashes again, in all: this
 * much plus IRT_VERIFY_HOLES_PER_BYTE per byte of the archive file, so
 * that the work stays bounded by what the archive stores.  A member past
 * it is checked by its stored data (extents_sha256) and named in a note.
 */
#define IRT_VERIFY_HOLES_BASE (8ULL << 30)
#define IRT_VERIFY_HOLES_PER_BYTE 64

struct irt_verify_report {
	struct irt_verify_problem *problems;
	size_t nproblems;
	/* what the check could cover only in part, or not at all, without
	 * being a problem: an older archive's irt/ files, members past the
	 * hole budget, what only the sidecar protects */
	struct irt_verify_problem *notes;
	size_t nnotes;
	uint64_t entries; /* archive members read */
	uint64_t checked; /* manifest hashes compared */
	char sha256[65];  /* of the archive file */
	int sidecar;      /* 1 matched, 0 absent, -1 mismatch */
};

/*
 * Verifies the archive at path.  Returns 0 when the check ran (problems,
 * if any, are in the report), or a negative code when it could not run.
 */
IRT_EXTERN int
irt_archive_verify(struct irt_verify_report *r, const char *path);
IRT_EXTERN void irt_verify_report_release(struct irt_verify_report *r);

#endif
