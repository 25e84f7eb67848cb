/*
 * The deferred TLS and SSH set-up of libgit2 (transport-defer.c), linked
 * into the irt binary and the tests where meson defines
 * IRT_DEFER_TRANSPORTS.
 */
#ifndef IRT_TRANSPORT_DEFER_H
#define IRT_TRANSPORT_DEFER_H

/* The number of set-ups (TLS, SSH) run so far, for the tests. */
unsigned irt_transport_inits(void);

#endif
