/*
 * The encoding of values in Linux audit records, shared by the timeline
 * (lib/timeline/tl-audit.c) and Sigma (lib/hunt/sigma-map.c): auditd
 * writes a value as hex, unquoted, when it holds a space, a quote, a
 * control character or a byte above 0x7e, and an argument of EXECVE
 * too long for one record in numbered parts.  Not installed.
 */
#ifndef IRT_UTIL_AUDIT_VALUE_H
#define IRT_UTIL_AUDIT_VALUE_H

#include <stdbool.h>
#include <stddef.h>

/* The value of one hex digit into *v; false for another character. */
bool irt_audit_hexval(char c, unsigned *v);

/* True when s[0..len) is hex as auditd writes it: an even number, at
 * least two, of hex digits. */
bool irt_audit_is_hex(const char *s, size_t len);

/*
 * Decodes the hex of s[0..len) into dst (len / 2 bytes; an odd last digit
 * is ignored) and returns the number of bytes written.  When sep is not
 * 0, NUL bytes (PROCTITLE's separators between arguments) and 0x01 (the
 * separator of several audit keys) become sep, and trailing seps are
 * dropped; else every byte is kept.
 */
size_t irt_audit_unhex(char *dst, const char *s, size_t len, char sep);

/* What a key of an EXECVE record names. */
enum irt_audit_arg {
	IRT_AUDIT_ARG_NONE, /* not an argument: argc, another key */
	IRT_AUDIT_ARG,      /* aN: argument N */
	IRT_AUDIT_ARG_PART, /* aN[M]: part M of argument N */
	IRT_AUDIT_ARG_LEN,  /* aN_len: the length of argument N in parts */
};

/*
 * The kind of the EXECVE key k[0..kl) and, for the argument keys, its
 * argument number N in *n (at most 2^32 - 1: a larger one is no
 * argument).
 */
enum irt_audit_arg
irt_audit_arg_key(const char *k, size_t kl, unsigned long *n);

#endif
