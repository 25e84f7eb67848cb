/*
 * Collection profiles: what irt collect gathers from a host.  The text
 * format is documented in irt-profile(5):
 *
 *   # comment
 *   description Triage of a live Linux host
 *   max-size 100M
 *   exclude /etc/shadow*
 *   file /var/log/syslog max-size=1G
 *   file /tmp/[a-z]* max-size=10M exclude=*.sock fs=any
 *   live ss-anp.txt timeout=30 -- ss -anp
 *   live processes.jsonl builtin=processes
 */
#ifndef IRT_PROFILE_H
#define IRT_PROFILE_H

#include "common.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum irt_profile_kind {
	IRT_PROFILE_FILE = 1,
	IRT_PROFILE_LIVE = 2,
};

struct irt_profile_entry {
	enum irt_profile_kind kind;
	unsigned line;
	/* file entries */
	char *pattern;     /* absolute glob, '*', '?', '[...]' and '**' */
	char **exclude;    /* NULL-terminated globs */
	uint64_t max_size; /* 0: the profile's or the command line's */
	bool any_fs;       /* fs=any: enter network and pseudo file systems */
	/* live entries */
	char *name;     /* output file under live/ */
	char **argv;    /* NULL-terminated; NULL for a builtin */
	char *builtin;  /* "processes", "sockets" or NULL */
	double timeout; /* seconds; 0: the default */
};

struct irt_profile {
	char *name;        /* "triage" or the file's path */
	char *description; /* may be NULL */
	uint64_t max_size; /* per-file cap; 0: none */
	char **exclude;    /* NULL-terminated global excludes */
	struct irt_profile_entry *v;
	size_t n;
};

/* The names of the built-in profiles, NULL-terminated. */
IRT_EXTERN extern const char *const irt_profile_builtins[];

/*
 * Parses a profile; name is used in messages ("name:line: ...").
 * Returns 0 or IRT_EPARSE with the message in irt_error_last().
 */
IRT_EXTERN int irt_profile_parse(
    struct irt_profile **out, const char *text, size_t len, const char *name);

/*
 * Loads a built-in profile by name, or a profile file when spec holds a
 * '/' or names an existing file.
 */
IRT_EXTERN int irt_profile_load(struct irt_profile **out, const char *spec);

IRT_EXTERN void irt_profile_free(struct irt_profile *p);

/* Parses a size: 4096, 10K, 10M, 1G, 1T (powers of 1024), optional "iB"
 * or "B".  IRT_EINVAL on a bad size. */
IRT_EXTERN int irt_size_parse(uint64_t *out, const char *s);

/*
 * Matches path against an absolute glob: '*' and '?' stay in one
 * component, '[...]' as fnmatch(3), and a '**' component matches zero or
 * more components.  A pattern without '/' matches the last component.
 */
IRT_EXTERN bool irt_glob_match(const char *pattern, const char *path);

#endif
