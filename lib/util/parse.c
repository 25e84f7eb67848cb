/*
 * Sizes, durations and integers given by a user (irt/parse.h).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irt/parse.h"
#include "util/internal.h"

/* Digits only, at least one: strtoull alone takes blanks, signs, 0x. */
static const char *
digits(const char *s)
{
	while (isdigit((unsigned char)*s))
		s++;
	return s;
}

int
irt_parse_size(uint64_t *out, const char *s, uint64_t min, uint64_t max)
{
	const char *end = digits(s);
	unsigned shift = 0;
	uint64_t v;
	char lim[24], low[24];

	if (end == s)
		goto bad;
	errno = 0;
	v = strtoull(s, NULL, 10);
	if (errno == ERANGE)
		goto range;
	switch (tolower((unsigned char)*end)) {
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	case 't':
		shift = 40;
		break;
	}
	if (shift != 0) {
		end++;
		if ((end[0] == 'i' || end[0] == 'I') &&
		    (end[1] == 'b' || end[1] == 'B'))
			end += 2;
		else if (end[0] == 'b' || end[0] == 'B')
			end++;
	} else if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0')
		goto bad;
	if (shift != 0 && v > (UINT64_MAX >> shift))
		goto range;
	v <<= shift;
	if (v < min || v > max)
		goto range;
	*out = v;
	return 0;
bad:
	return irt_error_set(IRT_EINVAL,
	    "invalid size '%s' (want a number with K, M, G or T, e.g. 64M)",
	    irt_esc(s));
range:
	return irt_error_set(IRT_EINVAL, "size '%s' is out of range (%s to %s)",
	    irt_esc(s), irt_size_format(low, min), irt_size_format(lim, max));
}

char *
irt_size_format(char *out, uint64_t v)
{
	static const char units[] = "KMGT";
	int i = -1;

	while (v != 0 && i < 3 && (v & 1023) == 0) {
		v >>= 10;
		i++;
	}
	if (i < 0)
		snprintf(out, 24, "%" PRIu64, v);
	else
		snprintf(out, 24, "%" PRIu64 "%c", v, units[i]);
	return out;
}

int
irt_parse_duration(double *out, const char *s, double min, double max)
{
	const char *p = s, *end;
	double v, mult = 1;
	char *e;

	/* [digits][.digits], at least one digit: no sign, no exponent, no
	 * hex, no nan or inf, which strtod would all take. */
	end = digits(p);
	if (*end == '.')
		end = digits(end + 1);
	if (end == p || (end == p + 1 && *p == '.'))
		goto bad;
	errno = 0;
	v = strtod(p, &e);
	if (e != end || errno == ERANGE || !isfinite(v))
		goto bad;
	switch (*end) {
	case '\0':
		break;
	case 's':
		end++;
		break;
	case 'm':
		mult = 60;
		end++;
		break;
	case 'h':
		mult = 3600;
		end++;
		break;
	default:
		goto bad;
	}
	if (*end != '\0')
		goto bad;
	v *= mult;
	if (!isfinite(v) || v < min || v > max)
		return irt_error_set(IRT_EINVAL,
		    "duration '%s' is out of range (%g to %g seconds)",
		    irt_esc(s), min, max);
	*out = v;
	return 0;
bad:
	return irt_error_set(IRT_EINVAL,
	    "invalid duration '%s' (want seconds, or a number with s, m or "
	    "h, e.g. 90 or 1.5m)",
	    irt_esc(s));
}

int
irt_parse_int(long long *out, const char *s, long long min, long long max)
{
	const char *p = s + (*s == '-');
	long long v;

	if (digits(p) == p || *digits(p) != '\0')
		return irt_error_set(
		    IRT_EINVAL, "invalid number '%s'", irt_esc(s));
	errno = 0;
	v = strtoll(s, NULL, 10);
	if (errno == ERANGE || v < min || v > max)
		return irt_error_set(IRT_EINVAL,
		    "number '%s' is out of range (%lld to %lld)", irt_esc(s),
		    min, max);
	*out = v;
	return 0;
}
