#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/timefmt.h"

irt_ns
irt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (irt_ns)ts.tv_sec * IRT_NS_PER_SEC + ts.tv_nsec;
}

/* Howard Hinnant's days_from_civil / civil_from_days algorithms. */
int64_t
irt_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
irt_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y += *m <= 2;
}

bool
irt_date_valid(int64_t year, int mon, int mday)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };

	if (mon < 1 || mon > 12 || mday < 1 || mday > mdays[mon - 1])
		return false;
	if (mon == 2 && mday == 29)
		return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return true;
}

static int
out_of_range(const char *what)
{
	return irt_error_set(IRT_EINVAL,
	    "time %s out of range (irt holds 1677-09-21 to 2262-04-11)", what);
}

int
irt_time_make(irt_ns *out, int64_t sec, long nsec)
{
	char what[48];

	if (nsec < 0 || nsec >= IRT_NS_PER_SEC)
		return irt_error_set(
		    IRT_EINVAL, "invalid fraction of a second (%ld ns)", nsec);
	if (sec < IRT_TIME_SEC_MIN || sec > IRT_TIME_SEC_MAX) {
		snprintf(what, sizeof what, "@%lld", (long long)sec);
		return out_of_range(what);
	}
	*out = sec * IRT_NS_PER_SEC + nsec;
	return 0;
}

int
irt_time_civil(irt_ns *out, int64_t year, int mon, int mday, int hour, int min,
    int sec, long nsec, int offset)
{
	char what[96];
	int64_t secs;

	if (!irt_date_valid(year, mon, mday))
		return irt_error_set(IRT_EINVAL,
		    "impossible date %04lld-%02d-%02d", (long long)year, mon,
		    mday);
	if (hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 60)
		return irt_error_set(IRT_EINVAL,
		    "impossible time %02d:%02d:%02d", hour, min, sec);
	/* far beyond the range: no arithmetic that could overflow */
	if (year < 1000 || year > 3000 || offset < -86400 || offset > 86400) {
		if (year >= 1677 && year <= 2262)
			return irt_error_set(
			    IRT_EINVAL, "invalid zone offset (%d s)", offset);
		snprintf(what, sizeof what, "%04lld-%02d-%02dT%02d:%02d:%02d",
		    (long long)year, mon, mday, hour, min, sec);
		return out_of_range(what);
	}
	secs =
	    irt_days_from_civil(year, (unsigned)mon, (unsigned)mday) * 86400 +
	    hour * 3600 + min * 60 + sec - offset;
	if (irt_time_make(out, secs, nsec) != 0) {
		snprintf(what, sizeof what, "%04lld-%02d-%02dT%02d:%02d:%02d",
		    (long long)year, mon, mday, hour, min, sec);
		return out_of_range(what);
	}
	return 0;
}

int64_t
irt_timegm(int year, int mon, int mday, int hour, int min, int sec)
{
	return irt_days_from_civil(year, (unsigned)mon, (unsigned)mday) *
	    86400 +
	    hour * 3600 + min * 60 + sec;
}

static void
split(irt_ns t, int64_t *secs, long *nsec)
{
	*secs = t / IRT_NS_PER_SEC;
	*nsec = (long)(t % IRT_NS_PER_SEC);
	if (*nsec < 0) {
		*nsec += IRT_NS_PER_SEC;
		(*secs)--;
	}
}

char *
irt_time_format_offset(char *out, irt_ns t, int digits, int offset)
{
	int64_t secs, days, y;
	long nsec, sod;
	unsigned m, d;
	char frac[16] = "";
	char zone[16] = "Z";
	int n;

	split(t, &secs, &nsec);
	secs += offset;
	days = secs / 86400;
	sod = (long)(secs % 86400);
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	irt_civil_from_days(days, &y, &m, &d);
	if (digits < 0) {
		if (nsec == 0)
			digits = 0;
		else if (nsec % 1000000 == 0)
			digits = 3;
		else if (nsec % 1000 == 0)
			digits = 6;
		else
			digits = 9;
	}
	if (digits > 0) {
		long v = nsec;
		if (digits > 9)
			digits = 9;
		for (n = 9; n > digits; n--)
			v /= 10;
		snprintf(frac, sizeof frac, ".%0*ld", digits, v);
	}
	if (offset != 0 || digits == -2)
		snprintf(zone, sizeof zone, "%c%02d:%02d",
		    offset < 0 ? '-' : '+', abs(offset) / 3600,
		    abs(offset) % 3600 / 60);
	snprintf(out, IRT_TIME_MAX, "%04lld-%02u-%02uT%02ld:%02ld:%02ld%s%s",
	    (long long)y, m, d, sod / 3600, sod % 3600 / 60, sod % 60, frac,
	    zone);
	return out;
}

char *
irt_time_format(char *out, irt_ns t, int digits)
{
	return irt_time_format_offset(out, t, digits, 0);
}

char *
irt_time_stamp(char *out, irt_ns t)
{
	char full[IRT_TIME_MAX];

	irt_time_format(full, t, 0);
	/* 2026-11-27T21:14:39Z -> 20261127T211439Z */
	snprintf(out, 17, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", full, full + 5,
	    full + 8, full + 11, full + 14, full + 17);
	return out;
}

static int
digits_n(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int
parse_frac(const char **p, long *nsec)
{
	long v = 0;
	int n = 0;

	while (isdigit((unsigned char)**p)) {
		if (n < 9) {
			v = v * 10 + (**p - '0');
			n++;
		}
		(*p)++;
	}
	if (n == 0)
		return -1;
	for (; n < 9; n++)
		v *= 10;
	*nsec = v;
	return 0;
}

static int
parse_epoch(irt_ns *out, const char *s)
{
	const char *p = s;
	int neg = 0;
	long long secs = 0;
	long nsec = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		/* more digits than any time irt holds: out of range */
		if (secs > IRT_TIME_SEC_MAX)
			secs = IRT_TIME_SEC_MAX + 1;
		else
			secs = secs * 10 + (*p - '0');
		p++;
	}
	if (*p == '.') {
		p++;
		if (parse_frac(&p, &nsec) != 0)
			return -1;
	}
	if (*p != '\0')
		return -1;
	if (neg) {
		/* -1.5 is 2 s before the epoch plus 0.5 s */
		secs = -secs;
		if (nsec > 0) {
			secs--;
			nsec = IRT_NS_PER_SEC - nsec;
		}
	}
	return irt_time_make(out, secs, nsec) == 0 ? 0 : -2;
}

int
irt_time_parse(irt_ns *out, const char *s)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, se = 0, oh, om, sign, offset = 0, rc;
	long nsec = 0;

	if (*p == '@')
		p++;
	if ((rc = parse_epoch(out, p)) == 0)
		return 0;
	if (rc == -2)
		goto range;
	p = s;
	if (digits_n(&p, 4, &y) || *p++ != '-' || digits_n(&p, 2, &mo) ||
	    *p++ != '-' || digits_n(&p, 2, &d))
		goto bad;
	if (!irt_date_valid(y, mo, d))
		goto bad;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits_n(&p, 2, &h) || *p++ != ':' || digits_n(&p, 2, &mi))
			goto bad;
		if (*p == ':') {
			p++;
			if (digits_n(&p, 2, &se))
				goto bad;
			if (*p == '.' || *p == ',') {
				p++;
				if (parse_frac(&p, &nsec))
					goto bad;
			}
		}
		if (h > 23 || mi > 59 || se > 60)
			goto bad;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits_n(&p, 2, &oh))
			goto bad;
		if (*p == ':')
			p++;
		if (digits_n(&p, 2, &om) || oh > 23 || om > 59)
			goto bad;
		offset = sign * (oh * 3600 + om * 60);
	}
	if (*p != '\0')
		goto bad;
	if (irt_time_civil(out, y, mo, d, h, mi, se, nsec, offset) != 0)
		goto range;
	return 0;
range:
	return irt_error_set(IRT_EINVAL,
	    "time '%s' out of range (irt holds 1677-09-21 to 2262-04-11)",
	    irt_esc(s));
bad:
	return irt_error_set(IRT_EINVAL,
	    "invalid time '%s' (want ISO 8601 or epoch seconds)", irt_esc(s));
}
