/*
 * Shared inside lib/fleet: the host.N.* keys of a fleet record.
 */
#ifndef IRT_FLEET_INT_H
#define IRT_FLEET_INT_H

#include <stddef.h>

#include "irt/kv.h"

/* Adds host.(i+1).FIELD = value; nothing when value is NULL or empty. */
int fleet_host_kv(
    struct irt_kv *kv, size_t i, const char *field, const char *value);

#endif
