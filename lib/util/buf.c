#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irt/buf.h"
#include "irt/error.h"
#include "irt/escape.h"

int
irt_buf_grow(struct irt_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if ((p = realloc(b->ptr, cap)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	b->ptr = p;
	b->cap = cap;
	b->ptr[b->len] = '\0';
	return 0;
}

int
irt_buf_put(struct irt_buf *b, const void *data, size_t len)
{
	if (irt_buf_grow(b, len) != 0)
		return IRT_ENOMEM;
	if (len > 0)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int
irt_buf_puts(struct irt_buf *b, const char *s)
{
	return irt_buf_put(b, s, strlen(s));
}

int
irt_buf_putc(struct irt_buf *b, char c)
{
	return irt_buf_put(b, &c, 1);
}

int
irt_buf_vprintf(struct irt_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return irt_error_set(IRT_EINVAL, "bad format");
	if (irt_buf_grow(b, (size_t)n) != 0)
		return IRT_ENOMEM;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
irt_buf_printf(struct irt_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = irt_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
irt_buf_cstr(const struct irt_buf *b)
{
	return b->ptr ? b->ptr : "";
}

char *
irt_buf_detach(struct irt_buf *b)
{
	char *p;

	if (b->ptr == NULL && irt_buf_grow(b, 0) != 0)
		return NULL;
	b->ptr[b->len] = '\0';
	p = b->ptr;
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void
irt_buf_clear(struct irt_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void
irt_buf_release(struct irt_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

int
irt_buf_read_file(struct irt_buf *b, const char *path)
{
	char tmp[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(path));
	for (;;) {
		n = read(fd, tmp, sizeof tmp);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return irt_error_sys(
			    IRT_EIO, e, "cannot read '%s'", irt_esc(path));
		}
		if (irt_buf_put(b, tmp, (size_t)n) != 0) {
			close(fd);
			return IRT_ENOMEM;
		}
	}
	close(fd);
	if (b->ptr == NULL)
		return irt_buf_grow(b, 0);
	return 0;
}
