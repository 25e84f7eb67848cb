/*
 * The deferred parse of libgit2's CA bundle (ca-defer.c), linked into the
 * irt binary and the tests where meson defines IRT_DEFER_CA.
 */
#ifndef IRT_CA_DEFER_H
#define IRT_CA_DEFER_H

/* The number of CA bundles parsed so far, for the tests. */
unsigned irt_ca_parsed(void);

#endif
