/*
 * irt run: a command run on the host, recorded in the case under
 * runs/<id>/ (stdout, stderr, record) in one commit.
 */
#ifndef IRT_RUN_H
#define IRT_RUN_H

#include "common.h"

#include "case.h"
#include "spawn.h"

/* Output kept per stream; beyond it the record says truncated. */
#define IRT_RUN_MAX_OUTPUT (256u << 20)

struct irt_run_opts {
	double timeout;           /* seconds, 0: none */
	const char *message;      /* why it was run, or NULL */
	irt_spawn_output_cb live; /* shows output as it comes */
	void *arg;
	volatile int *cancel;
	/* Extra trailers for the commit (checklist steps add theirs). */
	const struct irt_trailer *trailers;
	size_t ntrailers;
};

struct irt_run_result {
	char id[32];
	char commit[IRT_OID_HEX];
	struct irt_spawn_result spawn;
	int exit_code; /* the command's status, 128+sig, 127 */
};

/*
 * Runs argv and records it.  Returns 0 when the run was recorded, even
 * when the command failed or was not found (see result->exit_code), or
 * a negative code when it could not be recorded.
 */
IRT_EXTERN int
irt_run(struct irt_case *c, struct irt_run_result *result, char *const argv[],
    const struct irt_run_opts *opts, const struct irt_ident *who);

#endif
