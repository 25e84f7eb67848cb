/*
 * Times: stored and printed in UTC, ISO 8601 with Z, nanoseconds kept.
 */
#ifndef IRT_TIMEFMT_H
#define IRT_TIMEFMT_H

#include "common.h"
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

/* Nanoseconds since the epoch. */
typedef int64_t irt_ns;

#define IRT_NS_PER_SEC 1000000000LL

/*
 * The range of irt_ns in whole seconds since the epoch, any nanosecond of
 * them: 1677-09-21T00:12:44Z to 2262-04-11T23:47:15Z.  Within it a time
 * and its negation both fit in 64 bits.
 */
#define IRT_TIME_SEC_MIN (-9223372036LL)
#define IRT_TIME_SEC_MAX 9223372035LL

/*
 * The checked conversions into irt_ns, used by every parser of times:
 * they return 0, or IRT_EINVAL with a message (an impossible date, or a
 * time outside the range above) instead of a time that wrapped around.
 */

/* sec seconds and nsec nanoseconds (0 to 999999999) since the epoch */
IRT_EXTERN int irt_time_make(irt_ns *out, int64_t sec, long nsec);

/*
 * A date and time of the proleptic Gregorian calendar, given in a zone
 * offset seconds east of UTC: the date must exist, hour 0-23, min 0-59,
 * sec 0-60 (a leap second counts as the next second), nsec 0-999999999.
 */
IRT_EXTERN int irt_time_civil(irt_ns *out, int64_t year, int mon, int mday,
    int hour, int min, int sec, long nsec, int offset);

/* Does year-mon-mday exist in the proleptic Gregorian calendar? */
IRT_EXTERN bool irt_date_valid(int64_t year, int mon, int mday);

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
 * fraction.  Returns 0, or IRT_EINVAL for text that is not such a time
 * and for a time outside the range of irt_ns.
 */
IRT_EXTERN int irt_time_parse(irt_ns *out, const char *s);

/* days since the epoch for a proleptic Gregorian date */
IRT_EXTERN int64_t irt_days_from_civil(int64_t y, unsigned m, unsigned d);
/* and back: the date of day z since the epoch */
IRT_EXTERN void
irt_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* timegm without the environment: fields as struct tm */
IRT_EXTERN int64_t irt_timegm(
    int year, int mon, int mday, int hour, int min, int sec);

/* Compact UTC stamp 20261127T211439Z, out must hold 17 bytes. */
IRT_EXTERN char *irt_time_stamp(char *out, irt_ns t);

#endif
