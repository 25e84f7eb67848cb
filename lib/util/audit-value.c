/*
 * The encoding of values in Linux audit records: hex, and EXECVE's
 * numbered arguments (audit-value.h).
 */
#include "audit-value.h"

/* 1 + the value of each hex digit, 0 for any other byte: a look-up a
 * byte where the values of audit records run to kilobytes of hex. */
static const unsigned char hexv[256] = {
	['0'] = 1,
	['1'] = 2,
	['2'] = 3,
	['3'] = 4,
	['4'] = 5,
	['5'] = 6,
	['6'] = 7,
	['7'] = 8,
	['8'] = 9,
	['9'] = 10,
	['A'] = 11,
	['B'] = 12,
	['C'] = 13,
	['D'] = 14,
	['E'] = 15,
	['F'] = 16,
	['a'] = 11,
	['b'] = 12,
	['c'] = 13,
	['d'] = 14,
	['e'] = 15,
	['f'] = 16,
};

bool
irt_audit_hexval(char c, unsigned *v)
{
	unsigned x = hexv[(unsigned char)c];

	if (x == 0)
		return false;
	*v = x - 1;
	return true;
}

bool
irt_audit_is_hex(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	if (len < 2 || len % 2 != 0)
		return false;
	for (i = 0; i < len; i += 2)
		if ((hexv[p[i]] == 0) | (hexv[p[i + 1]] == 0))
			return false;
	return true;
}

size_t
irt_audit_unhex(char *dst, const char *s, size_t len, char sep)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, n = 0;
	unsigned hi, lo;

	for (i = 0; i + 1 < len; i += 2) {
		hi = hexv[p[i]];
		lo = hexv[p[i + 1]];
		if (hi == 0 || lo == 0)
			hi = 0x4, lo = 0x10; /* not hex: '?' */
		dst[n] = (char)((hi - 1) << 4 | (lo - 1));
		if (sep && (dst[n] == '\0' || dst[n] == '\x01'))
			dst[n] = sep;
		n++;
	}
	if (sep)
		while (n > 0 && dst[n - 1] == sep)
			n--;
	return n;
}

static bool
digits(const char *s, size_t len, unsigned long *n)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 0xffffffffUL)
		return false;
	*n = v;
	return true;
}

enum irt_audit_arg
irt_audit_arg_key(const char *k, size_t kl, unsigned long *n)
{
	size_t d = 1;
	unsigned long part;

	if (kl < 2 || k[0] != 'a')
		return IRT_AUDIT_ARG_NONE;
	while (d < kl && k[d] >= '0' && k[d] <= '9')
		d++;
	if (!digits(k + 1, d - 1, n))
		return IRT_AUDIT_ARG_NONE;
	if (d == kl)
		return IRT_AUDIT_ARG;
	if (kl - d == 4 && k[d] == '_' && k[d + 1] == 'l' && k[d + 2] == 'e' &&
	    k[d + 3] == 'n')
		return IRT_AUDIT_ARG_LEN;
	if (k[d] == '[' && k[kl - 1] == ']' &&
	    digits(k + d + 1, kl - d - 2, &part))
		return IRT_AUDIT_ARG_PART;
	return IRT_AUDIT_ARG_NONE;
}
