/*
 * A growable byte buffer, always NUL-terminated.
 */
#ifndef IRT_BUF_H
#define IRT_BUF_H

#include "common.h"
#include <stdarg.h>
#include <stddef.h>

struct irt_buf {
	char *ptr;
	size_t len;
	size_t cap;
};

#define IRT_BUF_INIT                                                           \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/* Every function returns 0 or IRT_ENOMEM. */
IRT_EXTERN int irt_buf_grow(struct irt_buf *b, size_t extra);
IRT_EXTERN int irt_buf_put(struct irt_buf *b, const void *data, size_t len);
IRT_EXTERN int irt_buf_puts(struct irt_buf *b, const char *s);
IRT_EXTERN int irt_buf_putc(struct irt_buf *b, char c);
IRT_EXTERN int irt_buf_printf(struct irt_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
IRT_EXTERN int irt_buf_vprintf(struct irt_buf *b, const char *fmt, va_list ap);

/* Returns the buffer's string ("" when empty); the buffer stays usable. */
IRT_EXTERN const char *irt_buf_cstr(const struct irt_buf *b);

/* Hands the storage to the caller (never NULL on success) and resets b. */
IRT_EXTERN char *irt_buf_detach(struct irt_buf *b);

IRT_EXTERN void irt_buf_clear(struct irt_buf *b);
IRT_EXTERN void irt_buf_release(struct irt_buf *b);

/* Reads a whole file; fails with IRT_EIO and a message naming the path. */
IRT_EXTERN int irt_buf_read_file(struct irt_buf *b, const char *path);

#endif
