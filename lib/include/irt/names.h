/*
 * User and group names from the passwd and group files of a root file
 * system, read by irt itself rather than through NSS: the static irt
 * must not open NSS modules, and the modules named in a host's
 * nsswitch.conf are code of the host under investigation.
 *
 * The files are untrusted.  A missing, unreadable or hostile file (a
 * symbolic link out of the root, a FIFO, a device, a line that is not an
 * entry) gives no names, and the callers print numeric ids instead.
 */
#ifndef IRT_NAMES_H
#define IRT_NAMES_H

#include "common.h"
#include <stddef.h>
#include <stdint.h>

struct irt_names;

/* The most of each file read; what follows is ignored. */
#define IRT_NAMES_FILE_MAX ((size_t)16 << 20)

/*
 * Reads root's /etc/passwd and /etc/group (root NULL for "/"), resolving
 * symbolic links as if root were "/" and leaving their access times
 * alone where the caller may.  Fails only for want of memory.
 */
IRT_EXTERN int irt_names_load(struct irt_names **out, const char *root);

/* The same from the text of the two files (either may be NULL). */
IRT_EXTERN int irt_names_parse(struct irt_names **out, const char *passwd,
    size_t passwd_len, const char *group, size_t group_len);

/* The name of a user or group, or NULL; the first entry of an id wins. */
IRT_EXTERN const char *irt_names_user(const struct irt_names *n, uint32_t uid);
IRT_EXTERN const char *irt_names_group(const struct irt_names *n, uint32_t gid);

/*
 * The name, else the id in decimal in buf (IRT_NAMES_ID_MAX bytes); n may
 * be NULL.
 */
#define IRT_NAMES_ID_MAX 12
IRT_EXTERN const char *
irt_names_user_or_id(const struct irt_names *n, uint32_t uid, char *buf);
IRT_EXTERN const char *
irt_names_group_or_id(const struct irt_names *n, uint32_t gid, char *buf);

/* The number of entries kept, and of lines refused as not entries. */
IRT_EXTERN void irt_names_count(
    const struct irt_names *n, size_t *users, size_t *groups, size_t *refused);

IRT_EXTERN void irt_names_free(struct irt_names *n);

#endif
