/*
 * Helpers shared by the modules of libirt; not installed.
 */
#ifndef IRT_INTERNAL_H
#define IRT_INTERNAL_H

#include <stddef.h>

#include "irt/buf.h"
#include "irt/error.h"
#include "irt/escape.h"

/* Initialises libgit2 once per process (thread-safe). */
void irt_lib_init(void);

/* Sets the irt error from libgit2's last error. */
int irt_git_error(int code, const char *what);

/* Writes all of data to fd, again on EINTR; -1 and errno on failure. */
int irt_write_all(int fd, const void *data, size_t len);

/* Writes data to path in place: created, or emptied and rewritten. */
int irt_write_file_in_place(
    const char *path, const void *data, size_t len, int mode);

/* Writes data to path atomically (temporary file + rename). */
int
irt_write_file_atomic(const char *path, const void *data, size_t len, int mode);

/* mkdir -p */
int irt_mkdirs(const char *path, int mode);

/* Reads up to max bytes from fd until EOF. */
int irt_read_fd(struct irt_buf *b, int fd, size_t max);

#endif
