/*
 * Indicators of compromise: values with a type, checked and stored in
 * canonical form, imported from and exported to the formats responders
 * exchange (plain lines, CSV, MISP event JSON, STIX 2.1 bundles), and
 * registered in a case, one file per IOC (irt-ioc(1), irt-case(5)).
 */
#ifndef IRT_IOC_H
#define IRT_IOC_H

#include "common.h"
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "case.h"
#include "ident.h"

enum irt_ioc_type {
	IRT_IOC_NONE,
	IRT_IOC_IPV4,
	IRT_IOC_IPV6,
	IRT_IOC_CIDR,
	IRT_IOC_DOMAIN,
	IRT_IOC_URL,
	IRT_IOC_EMAIL,
	IRT_IOC_MD5,
	IRT_IOC_SHA1,
	IRT_IOC_SHA256,
	IRT_IOC_PATH,     /* a glob over absolute paths */
	IRT_IOC_FILENAME, /* a base name */
	IRT_IOC_USER,
	IRT_IOC_STRING,
	IRT_IOC_REGEX, /* POSIX extended */
	IRT_IOC_TYPE_MAX,
};

/* "ipv4", "sha256"...; NULL for a bad value. */
IRT_EXTERN const char *irt_ioc_type_name(enum irt_ioc_type t);
/* Parses a type name; IRT_EINVAL names the bad one and the valid ones. */
IRT_EXTERN int irt_ioc_type_parse(enum irt_ioc_type *out, const char *name);

/*
 * Checks a value and puts its canonical form into out: defanged text is
 * refanged (hxxp://, [.], (.), [@], [:]...), hashes and domains are
 * lowercased, IPs and CIDRs written in their standard form.  With
 * *type IRT_IOC_NONE the type is detected and stored in *type; a value
 * that fits several types (a bare word) is refused with IRT_EAMBIGUOUS
 * naming the candidates.  An invalid value is refused with IRT_EINVAL
 * and the reason.
 */
IRT_EXTERN int irt_ioc_normalize(
    struct irt_buf *out, enum irt_ioc_type *type, const char *value);

/* The value defanged for people (hxxp://, [.], [@]). */
IRT_EXTERN int
irt_ioc_defang(struct irt_buf *out, enum irt_ioc_type type, const char *value);

/* One IOC.  Strings are owned; NULL when absent. */
struct irt_ioc {
	char id[32]; /* "" until stored or read from a case */
	enum irt_ioc_type type;
	char *value; /* canonical */
	char *description;
	char *source;
	char *tlp;
	char *added;    /* UTC time */
	char *added_by; /* "Name <mail>" */
	bool retired;
	char *retired_at;
	char *retired_by;
	char *retired_why;
};

IRT_EXTERN void irt_ioc_release(struct irt_ioc *ioc);

/* A list of IOCs. */
struct irt_ioc_set {
	struct irt_ioc *v;
	size_t n, cap;
};

#define IRT_IOC_SET_INIT                                                       \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/*
 * Checks and appends one value (type IRT_IOC_NONE: detected).  A value
 * already in the set with the same type is not added again (0).
 */
IRT_EXTERN int irt_ioc_set_add(struct irt_ioc_set *s, enum irt_ioc_type type,
    const char *value, const char *description, const char *source,
    const char *tlp);
/* Appends a copy of an IOC as it is (no check). */
IRT_EXTERN int
irt_ioc_set_push(struct irt_ioc_set *s, const struct irt_ioc *ioc);
/* The index of the IOC of that type and canonical value, or -1. */
IRT_EXTERN long irt_ioc_set_find(
    const struct irt_ioc_set *s, enum irt_ioc_type type, const char *value);
IRT_EXTERN void irt_ioc_set_release(struct irt_ioc_set *s);

/* Exchange formats. */
enum irt_ioc_format {
	IRT_IOC_FMT_AUTO,
	IRT_IOC_FMT_PLAIN, /* one value a line, '#' comments */
	IRT_IOC_FMT_CSV,   /* header with type,value,description (IRIS too) */
	IRT_IOC_FMT_MISP,  /* a MISP event (its Attribute list) */
	IRT_IOC_FMT_STIX,  /* a STIX 2.1 bundle of indicators */
};

/* "plain", "csv", "misp", "stix". */
IRT_EXTERN int irt_ioc_format_parse(enum irt_ioc_format *out, const char *name);

/* Called for each item an import cannot use: "FILE:LINE: why" or
 * "FILE: $.path: why" (escaped, one line). */
typedef void (*irt_ioc_warn_fn)(const char *msg, void *arg);

/*
 * Reads IOCs from data (name is used in messages) into s.  With
 * IRT_IOC_FMT_AUTO the format is told from the content.  Every item it
 * cannot use is reported through warn and counted in *skipped (may be
 * NULL); the rest is added.  source (may be NULL) is set on IOCs that
 * have none.  Fails only when the document as a whole cannot be read
 * (IRT_EPARSE: not JSON, no header).
 */
IRT_EXTERN int irt_ioc_import(struct irt_ioc_set *s, const char *data,
    size_t len, const char *name, enum irt_ioc_format fmt, const char *source,
    irt_ioc_warn_fn warn, void *arg, size_t *skipped);

/* The same from a file (a regular file; read whole, up to 256 MiB). */
IRT_EXTERN int irt_ioc_import_file(struct irt_ioc_set *s, const char *path,
    enum irt_ioc_format fmt, const char *source, irt_ioc_warn_fn warn,
    void *arg, size_t *skipped);

/*
 * Writes the set in a format (CSV, MISP or STIX; not AUTO).  MISP and
 * STIX can carry only some types: the others are counted in
 * *left_out (may be NULL) and left out.
 */
IRT_EXTERN int irt_ioc_export(struct irt_buf *out, const struct irt_ioc_set *s,
    enum irt_ioc_format fmt, size_t *left_out);

/*
 * Parses a STIX 2.1 pattern made of comparisons joined by OR
 * ("[ipv4-addr:value = '203.0.113.9' OR domain-name:value = 'x.test']")
 * and adds one IOC per comparison.  IRT_EINVAL names what it cannot use
 * (AND, FOLLOWEDBY, other operators or object paths), with its offset.
 */
IRT_EXTERN int irt_stix_pattern_parse(struct irt_ioc_set *s,
    const char *pattern, const char *description, const char *source);

/* ---- the case register: iocs/YYYY/MM/DD/<id>.ioc ---- */

#define IRT_IOC_DIR "iocs"
#define IRT_IOC_SUFFIX ".ioc"

/*
 * Registers every IOC of s in one commit (action "ioc-add" or
 * "ioc-import"; message is the commit's body, may be NULL).  IOCs
 * already registered and active are left out and counted in *dups (may
 * be NULL); the ids of the new ones are written into s.
 */
IRT_EXTERN int irt_ioc_register(struct irt_case *c, struct irt_ioc_set *s,
    const char *action, const char *message, const struct irt_ident *who,
    size_t *added, size_t *dups);

/* Every IOC of the case, in id order; retired ones too with all. */
IRT_EXTERN int
irt_ioc_load(struct irt_case *c, struct irt_ioc_set *out, bool all);

/* The IOC whose id starts with prefix. */
IRT_EXTERN int
irt_ioc_get(struct irt_case *c, struct irt_ioc *out, const char *prefix);

/* Retires an IOC in one commit: it stays in the case and stops matching. */
IRT_EXTERN int irt_ioc_retire(struct irt_case *c, const char *prefix,
    const char *why, const struct irt_ident *who, char id_out[32]);

/* The record of an IOC as stored (key = value) and back. */
IRT_EXTERN int irt_ioc_write(struct irt_buf *out, const struct irt_ioc *ioc);
IRT_EXTERN int irt_ioc_read(
    struct irt_ioc *out, const char *data, size_t len, const char *name);

#endif
