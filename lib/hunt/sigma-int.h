/*
 * The inside of the Sigma engine: the YAML tree, compiled rules, the
 * condition parser, value patterns and the mapping of logsources and
 * fields onto irt's events.  Not installed.
 */
#ifndef IRT_SIGMA_INT_H
#define IRT_SIGMA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "irt/buf.h"
#include "irt/sigma.h"
#include "irt/timeline.h"

/* ---- an arena: blocks that never move, freed together ---- */

struct sg_arena {
	struct sg_block *head;
	size_t total; /* bytes handed out since the last reset */
};

void *sg_alloc(struct sg_arena *a, size_t n);
char *sg_strndup(struct sg_arena *a, const char *s, size_t n);
/* Keeps the first block for reuse, frees the others. */
void sg_arena_reset(struct sg_arena *a);
void sg_arena_release(struct sg_arena *a);

/* ---- the YAML tree (sigma-yaml.c) ---- */

enum { Y_SCALAR, Y_SEQ, Y_MAP };

/* The type of a scalar as YAML 1.1 resolves a plain one (PyYAML's
 * safe_load, which Sigma tools use); quoted scalars are strings. */
enum { Y_STR, Y_NULL, Y_BOOL, Y_INT, Y_FLOAT };

struct ynode {
	uint8_t kind;
	uint8_t type;  /* scalars */
	unsigned line; /* 1-based */
	unsigned col;  /* 1-based */
	const char *s; /* scalar text, NUL-terminated */
	size_t len;
	struct ynode **v; /* seq: n items; map: n pairs, key then value */
	size_t n;
	size_t weight; /* nodes below and at it, aliases expanded */
};

/* Limits that bound what a hostile rule file can cost. */
#define SG_FILE_MAX (16u << 20)    /* bytes of one rule file */
#define SG_SCALAR_MAX (256u << 10) /* bytes of one scalar */
#define SG_DEPTH_MAX 64            /* nesting of collections */
#define SG_WEIGHT_MAX 200000       /* nodes of a document, expanded */
#define SG_DOCS_MAX 10000          /* documents of one file */

/* One document of a stream, or the error that ended the stream. */
struct sg_yaml {
	struct sg_arena *arena;
	void *parser; /* yaml_parser_t */
	bool done;
	char err[256];
	unsigned err_line, err_col;
};

void sg_yaml_open(
    struct sg_yaml *y, struct sg_arena *a, const char *data, size_t len);
/* 1: *doc set (line of its start in *line), 0: end of stream, -1: error
 * in y->err (the stream ends there). */
int sg_yaml_next(struct sg_yaml *y, struct ynode **doc, unsigned *line);
void sg_yaml_close(struct sg_yaml *y);

const struct ynode *ymap_get(const struct ynode *map, const char *key);
/* A deep merge of over onto base (maps merge, the rest is replaced). */
struct ynode *
ymerge(struct sg_arena *a, const struct ynode *base, const struct ynode *over);

/* ---- the condition (sigma-cond.c) ---- */

enum {
	C_REF, /* a search */
	C_AND,
	C_OR,
	C_NOT,
	C_OF, /* n of a list of searches (n 0: all of them) */
};

struct sg_cnode {
	uint8_t op;
	uint32_t a, b; /* children; C_REF: a is the search; C_OF: a..a+b-1
	                  index sg_cond.refs */
	uint32_t n;    /* C_OF: how many must match; 0 means all */
};

struct sg_cond {
	struct sg_cnode *nodes;
	size_t nnodes, cap;
	uint32_t *refs; /* searches named by "of" */
	size_t nrefs, refcap;
	uint32_t root;
};

#define SG_COND_NODES_MAX 4096
#define SG_COND_DEPTH_MAX 64

/* Why a condition cannot be used. */
enum {
	SG_COND_OK = 0,
	SG_COND_SYNTAX = -1,    /* malformed */
	SG_COND_AGGREGATE = -2, /* "| count() ...", "near": not supported */
};

/*
 * Parses a condition over the search names (n of them).  On failure
 * err holds the reason and *col the 1-based column in s.
 */
int sg_cond_parse(struct sg_cond *c, const char *s, size_t len,
    const char *const *names, size_t n, char *err, size_t errlen,
    unsigned *col);
void sg_cond_release(struct sg_cond *c);

/* ---- values and patterns (sigma-value.c) ---- */

enum {
	P_EQ,       /* the whole value */
	P_PREFIX,   /* startswith */
	P_SUFFIX,   /* endswith */
	P_CONTAINS, /* contains, keywords */
	P_ANY,      /* "*": any value at all */
	P_GLOB,     /* other wildcards */
	P_RE,
	P_CIDR,
	P_NUM, /* gt, gte, lt, lte */
	P_INT, /* an integer value: equal as a number or as text */
};

enum { CMP_GT, CMP_GTE, CMP_LT, CMP_LTE };

struct sg_glob;
struct sg_rule;

struct sg_pat {
	uint8_t op;
	bool cased; /* compare bytes as they are (cased; re) */
	uint8_t cmp;
	uint8_t family; /* cidr: 4 or 6 */
	unsigned bits;
	uint8_t addr[16];
	const char *s; /* the literal: lower case unless cased */
	size_t len;
	long long ival;
	double num;
	struct sg_glob *glob;
	void *re;       /* pcre2_code */
	void *re_match; /* pcre2_match_data */
	void *re_ctx;   /* pcre2_match_context: the limits */
	int anchor;     /* 1 + the prefilter's id of its anchor, 0: none */
	bool whole;     /* the anchor is all of a contains literal, lower
	                   case: found in a value, the pattern matches it */
};

/* A field compares its values with alternatives of patterns. */
struct sg_value {
	struct sg_pat *alt;
	size_t nalt;
};

struct sg_fcond {
	int slot;          /* the event value it reads (sigma-map.c) */
	const char *field; /* the Sigma field; NULL: keywords */
	bool all;          /* every value must match */
	int exists;        /* -1, or field|exists: 0 or 1 */
	struct sg_value *vals;
	size_t nvals;
};

/* A search: an or of ands of field conditions. */
struct sg_conj {
	struct sg_fcond *c;
	size_t n;
};

struct sg_search {
	const char *name;
	struct sg_conj *alt;
	size_t nalt;
};

/* Modifiers of one field ("CommandLine|contains|all"). */
struct sg_mods {
	uint8_t where; /* P_EQ, P_PREFIX, P_SUFFIX, P_CONTAINS */
	bool all, re, re_i, re_m, re_s, cidr, cased, exists, windash;
	uint8_t b64; /* 0, 1: base64, 2: base64offset */
	bool num;
	uint8_t cmp;
};

/* Parses the modifiers after a field name; returns 0, or fills why with
 * the reason and returns IRT_SIGMA_SKIP_MODIFIER + 1 (skip) or -1
 * (malformed). */
int sg_mods_parse(
    struct sg_mods *m, const char *mods, size_t len, char *why, size_t wl);

/*
 * Compiles one value (a scalar of the rule) with the modifiers into v.
 * Returns 0, or -1 (malformed: why) or a skip reason + 1.
 */
int sg_value_compile(struct sg_value *v, struct sg_arena *a,
    const struct sg_mods *m, const struct ynode *val, char *why, size_t wl);
void sg_value_release(struct sg_value *v);

/* Lower-cases ASCII of s into d (n bytes). */
void sg_lower(char *d, const char *s, size_t n);

/* The outcome of matching one pattern against one value. */
enum { M_NO = 0, M_YES = 1, M_CUTOFF = 2 };

struct sg_val;
int sg_pat_match(const struct sg_pat *p, const struct sg_val *v);

/* The literal piece of a pattern that every match contains (lower
 * case, at most cap bytes), for the prefilter; 0 when it has none. */
size_t sg_pat_anchor(const struct sg_pat *p, char *buf, size_t cap);

/* ---- the literal prefilter (sigma-ac.c) ---- */

struct sg_ac;
struct sg_ac *sg_ac_new(void);
/* The id of an anchor (the same for the same bytes), -1 on failure. */
int sg_ac_add(struct sg_ac *ac, const char *s, size_t len);
int sg_ac_count(const struct sg_ac *ac);
/* 0, or -1 when the prefilter would be too large (not usable). */
int sg_ac_build(struct sg_ac *ac);
bool sg_ac_usable(const struct sg_ac *ac);
/* Sets the bit of every anchor that occurs in s; with hits, also
 * appends the id of each anchor whose bit was not yet set (*nhits
 * counts them, up to cap). */
void sg_ac_scan(const struct sg_ac *ac, const char *s, size_t len,
    uint8_t *bits, int *hits, size_t *nhits, size_t cap, uint32_t *counts);
void sg_ac_free(struct sg_ac *ac);

/* Without the prefilter (on false), every rule whose logsource fits
 * an event is evaluated on it: the same hits, found slower.  For the
 * tests that hold the two to the same result. */
void sg_sigma_set_prefilter(struct irt_sigma *s, bool on);

/* Base64 of data into out (with padding). */
void sg_base64(struct irt_buf *out, const void *data, size_t len);

/* ---- logsources, fields and events (sigma-map.c) ---- */

/* Classes of events a rule's logsource selects. */
enum {
	CL_LINUX,     /* product: linux alone */
	CL_AUDITD,    /* service: auditd */
	CL_SYSLOG,    /* service: syslog */
	CL_AUTH,      /* service: auth */
	CL_SSHD,      /* service: sshd */
	CL_SUDO,      /* service: sudo */
	CL_CRON,      /* service: cron */
	CL_VSFTPD,    /* service: vsftpd */
	CL_CLAMAV,    /* service: clamav */
	CL_GUACAMOLE, /* service: guacamole */
	CL_PROC,      /* category: process_creation */
	CL_NET,       /* category: network_connection */
	CL_FILE,      /* category: file_event */
	CL_MAX,
};

/* The class of a logsource; -1 with why set when irt has none. */
int sg_logsource_class(const char *product, const char *category,
    const char *service, char *why, size_t wl);
const char *sg_class_name(int cls);

/* What an event value is read from. */
struct sg_slot {
	uint8_t src; /* S_* in sigma-map.c */
	const char *name;
};

struct sg_fieldmap;
/* The slot of a Sigma field for a class (registered in the table of
 * slots), or -1 when irt does not provide the field for that class. */
int sg_field_slot(struct sg_fieldmap *fm, int cls, const char *field);
int sg_keyword_slot(struct sg_fieldmap *fm);
size_t sg_slot_count(const struct sg_fieldmap *fm);
struct sg_fieldmap *sg_fieldmap_new(void);
void sg_fieldmap_free(struct sg_fieldmap *fm);

/* One value of an event for a slot; lc is its lower-case copy, bits
 * the prefilter's anchors found in it (NULL: no prefilter). */
struct sg_val {
	const char *s, *lc;
	size_t len;
	const uint8_t *bits;
	const int *hits; /* the anchors found, each once */
	size_t nhits;    /* SIZE_MAX: more than could be kept */
};

struct sg_event;
struct sg_event *sg_event_new(const struct sg_fieldmap *fm);
/* The prefilter run over every value (NULL: none). */
void
sg_event_set_ac(struct sg_event *e, const struct sg_ac *ac, uint32_t *counts);
void sg_event_free(struct sg_event *e);
/* Starts on a new event; returns the mask of classes it belongs to. */
uint32_t sg_event_begin(struct sg_event *e, const struct irt_tl_event *ev);
/* The values of a slot (cached for the event). */
const struct sg_val *sg_event_values(struct sg_event *e, int slot, size_t *n);
/* The same, with the prefilter's anchors found in each (bits). */
const struct sg_val *sg_event_scanned(struct sg_event *e, int slot, size_t *n);
/* What a slot cost so far, over all events: the bytes of its values
 * fetched, the events it was fetched for, the events its values were
 * scanned by the prefilter for. */
struct sg_slot_stats {
	uint64_t bytes, fills, scans;
};
void sg_event_slot_stats(
    const struct sg_event *e, int slot, struct sg_slot_stats *st);

/* x86_64 system call names by number (sigma-syscall.c). */
const char *sg_syscall_name(unsigned long nr);

#endif
