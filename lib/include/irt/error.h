/*
 * Errors: every libirt function returns 0 or a negative IRT_E* code and
 * leaves a one-line message for irt_error_last().
 */
#ifndef IRT_ERROR_H
#define IRT_ERROR_H

#include "common.h"

enum {
	IRT_OK = 0,
	IRT_ERROR = -1,      /* generic failure */
	IRT_ENOMEM = -2,     /* out of memory */
	IRT_EIO = -3,        /* system call or I/O failure */
	IRT_EINVAL = -4,     /* invalid argument or input */
	IRT_ENOTFOUND = -5,  /* no such object */
	IRT_EEXISTS = -6,    /* object already exists */
	IRT_EAMBIGUOUS = -7, /* prefix matches more than one object */
	IRT_ENOCASE = -8,    /* no case found */
	IRT_ECONFLICT = -9,  /* merge conflict or concurrent change */
	IRT_EPARSE = -10,    /* malformed record or file */
	IRT_ETIMEOUT = -11,  /* deadline passed */
	IRT_EPERM = -12,     /* operation not permitted */
	IRT_EVERIFY = -13,   /* integrity check found a problem */
	IRT_EABORT = -14,    /* cancelled by the user */
};

/* The message of the last error in this thread; never NULL. */
IRT_EXTERN const char *irt_error_last(void);

/* The code of the last error in this thread. */
IRT_EXTERN int irt_error_code(void);

/* Sets the last error and returns code (which should be negative). */
IRT_EXTERN int irt_error_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* As irt_error_set, with ": strerror(errnum)" appended. */
IRT_EXTERN int irt_error_sys(int code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears the last error. */
IRT_EXTERN void irt_error_clear(void);

#endif
