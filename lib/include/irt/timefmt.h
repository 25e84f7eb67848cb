/*
 * Times: stored and printed in UTC, ISO 8601 with Z, nanoseconds kept.
 */
#ifndef IRT_TIMEFMT_H
#define IRT_TIMEFMT_H

#include "common.h"
#include <stdint.h>
#include <time.h>

#include "buf.h"

/* Nanoseconds since the epoch. */
typedef int64_t irt_ns;

#define IRT_NS_PER_SEC 1000000000LL

/* The current UTC time. */
IRT_EXTERN irt_ns irt_now(void);

/*
 * Formats t as 2026-11-27T21:14:39Z (digits 0), 2026-11-27T21:14:39.123Z
 * (digits 3), .123456Z (6) or .123456789Z (9).  digits -1 picks the
 * shortest of 0/3/6/9 that keeps every non-zero digit.
 * out must hold IRT_TIME_MAX bytes.
 */
#define IRT_TIME_MAX 40
IRT_EXTERN char *irt_time_format(char *out, irt_ns t, int digits);

/* As irt_time_format with an offset in seconds east of UTC (+01:00). */
IRT_EXTERN char *
irt_time_format_offset(char *out, irt_ns t, int digits, int offset);

/*
 * Parses a time given by a user: ISO 8601 date (2026-11-27, midnight
 * UTC), date and time with T or space, optional fraction, Z or +hh:mm
 * or +hhmm (no zone means UTC); or @EPOCH / EPOCH seconds with optional
 * fraction. Returns 0 or IRT_EINVAL.
 */
IRT_EXTERN int irt_time_parse(irt_ns *out, const char *s);

/* days since the epoch for a proleptic Gregorian date */
IRT_EXTERN int64_t irt_days_from_civil(int64_t y, unsigned m, unsigned d);

/* timegm without the environment: fields as struct tm */
IRT_EXTERN int64_t irt_timegm(
    int year, int mon, int mday, int hour, int min, int sec);

/* Compact UTC stamp 20261127T211439Z, out must hold 17 bytes. */
IRT_EXTERN char *irt_time_stamp(char *out, irt_ns t);

#endif
