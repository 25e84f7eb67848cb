/*
 * The encoding of values in Linux audit records: hex, and EXECVE's
 * numbered arguments (audit-value.h).
 */
#include "audit-value.h"

bool
irt_audit_hexval(char c, unsigned *v)
{
	if (c >= '0' && c <= '9')
		*v = (unsigned)(c - '0');
	else if (c >= 'A' && c <= 'F')
		*v = (unsigned)(c - 'A' + 10);
	else if (c >= 'a' && c <= 'f')
		*v = (unsigned)(c - 'a' + 10);
	else
		return false;
	return true;
}

bool
irt_audit_is_hex(const char *s, size_t len)
{
	size_t i;
	unsigned v;

	if (len < 2 || len % 2 != 0)
		return false;
	for (i = 0; i < len; i++)
		if (!irt_audit_hexval(s[i], &v))
			return false;
	return true;
}

size_t
irt_audit_unhex(char *dst, const char *s, size_t len, char sep)
{
	size_t i, n = 0;
	unsigned hi, lo;

	for (i = 0; i + 1 < len; i += 2) {
		if (!irt_audit_hexval(s[i], &hi) ||
		    !irt_audit_hexval(s[i + 1], &lo))
			hi = 0x3, lo = 0xf; /* not hex: '?' */
		dst[n] = (char)(hi << 4 | lo);
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
