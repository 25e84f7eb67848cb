/*
 * Stacking: one field (listening ports, cron entries, SUID files...)
 * counted across the hosts of a case's evidence archives, least frequent
 * first, so that the host that differs from the others shows itself
 * (irt-stack(1)).  A host whose archives do not hold what a field is
 * read from is "not collected" for it, never counted as lacking a value.
 */
#ifndef IRT_STACK_H
#define IRT_STACK_H

#include "common.h"
#include <stdbool.h>
#include <stddef.h>

/* The fields, in the order irt stack --list gives them. */
enum irt_stack_field {
	IRT_STACK_PROCESS_HASH,
	IRT_STACK_LISTENING_PORT,
	IRT_STACK_AUTHORIZED_KEY,
	IRT_STACK_CRON,
	IRT_STACK_SYSTEMD_UNIT,
	IRT_STACK_KERNEL_MODULE,
	IRT_STACK_SUID,
	IRT_STACK_NFIELDS
};

/* The name of a field ("listening-port") and one line saying where its
 * values come from. */
IRT_EXTERN const char *irt_stack_field_name(enum irt_stack_field f);
IRT_EXTERN const char *irt_stack_field_help(enum irt_stack_field f);
/* The field of that name.  IRT_EINVAL naming the fields. */
IRT_EXTERN int irt_stack_field_parse(enum irt_stack_field *out, const char *s);

/*
 * The host an irt evidence archive was collected on: the hostname of its
 * irt/host.json, checked.  IRT_ENOTFOUND when the archive has no
 * irt/host.json; IRT_EPARSE when it has more than one, when it names no host or a host name
 * irt_host_check_name refuses, or when it lies: the archive's own
 * fs/etc/hostname names another host; IRT_EIO when it cannot be read
 * (damaged before the end of its irt/host.json: damage after it still
 * gives the host).  The message names the archive.
 */
IRT_EXTERN int irt_archive_host(char **out, const char *path);

struct irt_stack;

/* One value and the hosts that have it (sorted, each once). */
struct irt_stack_row {
	const char *value;
	const char *const *hosts;
	size_t nhosts;
};

IRT_EXTERN int irt_stack_new(struct irt_stack **out, enum irt_stack_field f);
IRT_EXTERN void irt_stack_free(struct irt_stack *s);

/*
 * Reads one evidence archive (a tar.gz of irt collect) for the field:
 * its host from irt/host.json (irt_archive_host), then its values from
 * the live outputs, the collected files and the manifest.  expect_host
 * (may be NULL) is the host the case's custody record gives: another
 * host in irt/host.json is IRT_EPARSE.  On an error nothing of the
 * archive is counted.  host_out (may be NULL) receives the host read.
 */
IRT_EXTERN int irt_stack_add_archive(struct irt_stack *s, char **host_out,
    const char *path, const char *expect_host);

/*
 * Counts one value for host; several archives of one host count it once.
 * irt_stack_add_archive calls it; it is public for other readers of
 * evidence.  Marks the field collected for host.
 */
IRT_EXTERN int
irt_stack_add(struct irt_stack *s, const char *host, const char *value);
/* Records that host was seen (collected true: its evidence holds what
 * the field is read from, though perhaps no value). */
IRT_EXTERN int
irt_stack_host(struct irt_stack *s, const char *host, bool collected);

/*
 * The result: rows least frequent first (then by value, bytewise), and
 * the hosts for which the field was not collected, sorted.  Valid until
 * the next change or irt_stack_free.
 */
IRT_EXTERN int irt_stack_rows(
    struct irt_stack *s, const struct irt_stack_row **rows, size_t *nrows);
IRT_EXTERN const char *const *
irt_stack_not_collected(struct irt_stack *s, size_t *n);
/* How many hosts were seen. */
IRT_EXTERN size_t irt_stack_nhosts(const struct irt_stack *s);

#endif
