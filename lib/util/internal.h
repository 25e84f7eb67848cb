/*
 * Helpers shared by the modules of libirt; not installed.
 */
#ifndef IRT_INTERNAL_H
#define IRT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "irt/buf.h"
#include "irt/error.h"
#include "irt/escape.h"

/* FNV-1a, 64 bits: the hash of libirt's own hash tables (not a digest:
 * irt/hash.h has those). */
static inline uint64_t
irt_fnv64(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}

/* Initialises libgit2 once per process (thread-safe). */
void irt_lib_init(void);

/*
 * Called by transport-defer.c for a set-up of git_libgit2_init() that
 * only remotes need: while irt_lib_init() runs, records fn for
 * irt_lib_load_transports() and returns 1; otherwise returns 0, and the
 * caller runs it.
 */
int irt_lib_defer_init(int (*fn)(void));

/*
 * Runs, once, the set-ups that irt_lib_init() put off (TLS with the
 * system CA bundle, SSH); before any connection to a remote.
 */
int irt_lib_load_transports(void);

/*
 * A shared library that only some commands need, opened by the first of
 * them rather than mapped at every start of irt.
 */
struct irt_dl_sym {
	const char *name;
	void **fn; /* (void **)&fn of a function pointer */
};

struct irt_dl {
	const char *soname;
	const char *what; /* for the error: "<what> needs <soname>..." */
	const struct irt_dl_sym *syms; /* ends with a NULL name */
	void *handle;
};

/* Opens dl and resolves its syms, once per process (thread-safe). */
int irt_dl_load(struct irt_dl *dl);

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

/*
 * Opens the folder rel below the folder dirfd one component at a time,
 * never through a symbolic link (O_NOFOLLOW at each step), creating the
 * missing folders with mode when mode is not 0.  rel is relative and
 * '/'-separated, without empty, "." or ".." components; "" opens dirfd
 * again.  shown names dirfd in messages.  *out is an O_DIRECTORY
 * descriptor for the caller to close.
 */
struct stat;
int irt_openat_dir(
    int *out, int dirfd, const char *rel, int mode, const char *shown);

/*
 * Writes data to name in the folder dirfd atomically, through a
 * temporary file renamed over it, never through a symbolic link; st
 * (may be NULL) receives the lstat of the file written.  shown names the
 * file in messages.
 */
int irt_write_file_at(int dirfd, const char *name, const void *data, size_t len,
    int mode, struct stat *st, const char *shown);

/* Reads up to max bytes from fd until EOF. */
int irt_read_fd(struct irt_buf *b, int fd, size_t max);

#endif
