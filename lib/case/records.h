/*
 * The records a case holds, and the parser that checks each kind for
 * irt case verify.  Not installed.
 */
#ifndef IRT_RECORDS_H
#define IRT_RECORDS_H

#include "irt/case.h"

/* The checker for a path of the case tree, or NULL when it is not a
 * record irt knows. */
irt_record_check_fn irt_record_checker(const char *path);

/*
 * Runs a checker: its return, and a message safe for a terminal (escaped
 * whole when the checker left a control character of the record in it).
 */
int irt_record_run(
    irt_record_check_fn fn, const char *path, const char *data, size_t len);

/*
 * Whether the id a record holds (its field "field") is its file name,
 * path, less suffix: 0, or IRT_EPARSE with the message.
 */
int irt_record_name_check(
    const char *path, const char *suffix, const char *field, const char *id);

int irt_case_conf_check(const char *path, const char *data, size_t len);
int irt_note_check(const char *path, const char *data, size_t len);
int irt_run_check(const char *path, const char *data, size_t len);
int irt_checklist_check(const char *path, const char *data, size_t len);
int irt_isolate_check(const char *path, const char *data, size_t len);
int irt_evidence_check(const char *path, const char *data, size_t len);
int irt_ioc_check(const char *path, const char *data, size_t len);
int irt_hunt_check(const char *path, const char *data, size_t len);
int irt_fleet_check(const char *path, const char *data, size_t len);
int irt_fleet_isolation_check(const char *path, const char *data, size_t len);

#endif
