/*
 * Values given by a user on the command line or in a playbook: sizes,
 * durations and bounded integers, each parsed in this one place.  Every
 * function returns 0, or IRT_EINVAL with a message that quotes the value
 * (escaped) and says what was expected.
 */
#ifndef IRT_PARSE_H
#define IRT_PARSE_H

#include "common.h"
#include <stdint.h>

/*
 * A size in bytes: digits with an optional suffix K, M, G or T (any
 * case, powers of 1024, optionally followed by "iB" or "B"), within
 * [min, max].  Overflow is refused, never wrapped.
 */
IRT_EXTERN int
irt_parse_size(uint64_t *out, const char *s, uint64_t min, uint64_t max);

/*
 * A duration in seconds: a decimal number with an optional fraction and
 * an optional suffix s, m or h, within [min, max] seconds.  NaN,
 * infinities, negative values and hexadecimal floats are refused.
 */
IRT_EXTERN int
irt_parse_duration(double *out, const char *s, double min, double max);

/* A decimal integer within [min, max]; no sign other than '-', no
 * leading or trailing blanks. */
IRT_EXTERN int
irt_parse_int(long long *out, const char *s, long long min, long long max);

/* Writes a size the way irt_parse_size reads it back ("64M", "1536K",
 * "100"), choosing the largest exact unit; out holds at least 24 bytes. */
IRT_EXTERN char *irt_size_format(char *out, uint64_t v);

#endif
