/*
 * libirt: the core of the irt incident-response toolkit.
 */
#ifndef IRT_IRT_H
#define IRT_IRT_H

#include "common.h"

#include "archive-verify.h"
#include "buf.h"
#include "case.h"
#include "checklist.h"
#include "collect.h"
#include "data.h"
#include "error.h"
#include "escape.h"
#include "event.h"
#include "evidence.h"
#include "fleet.h"
#include "fleet-isolate.h"
#include "hash.h"
#include "host.h"
#include "hunt.h"
#include "ident.h"
#include "ioc.h"
#include "isolate.h"
#include "json.h"
#include "kv.h"
#include "names.h"
#include "note.h"
#include "parse.h"
#include "profile.h"
#include "report.h"
#include "run.h"
#include "sigma.h"
#include "spawn.h"
#include "stack.h"
#include "timefmt.h"
#include "timeline.h"

/* The library version, e.g. "0.1.0". */
IRT_EXTERN const char *irt_version(void);

#endif
