#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "irt/error.h"

static _Thread_local char errmsg[1024];
static _Thread_local int errcode;

const char *
irt_error_last(void)
{
	return errmsg[0] != '\0' ? errmsg : "unknown error";
}

int
irt_error_code(void)
{
	return errcode;
}

int
irt_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof errmsg, fmt, ap);
	va_end(ap);
	errcode = code;
	return code;
}

int
irt_error_sys(int code, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof errmsg, fmt, ap);
	va_end(ap);
	len = strlen(errmsg);
	if (len < sizeof errmsg)
		snprintf(errmsg + len, sizeof errmsg - len, ": %s",
		    strerror(errnum));
	errcode = code;
	return code;
}

void
irt_error_clear(void)
{
	errmsg[0] = '\0';
	errcode = 0;
}
