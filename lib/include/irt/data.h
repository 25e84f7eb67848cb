/*
 * Built-in data files (profiles, checklists) embedded in the library at
 * build time and installed under share/irt/.
 */
#ifndef IRT_DATA_H
#define IRT_DATA_H

#include "common.h"
#include <stddef.h>

struct irt_data_file {
	const char *name; /* e.g. "profiles/triage.profile" */
	const unsigned char *data;
	size_t len;
};

/* The embedded file called name, or NULL. */
IRT_EXTERN const struct irt_data_file *irt_data_get(const char *name);

/* Every embedded file, terminated by an entry whose name is NULL. */
IRT_EXTERN const struct irt_data_file *irt_data_all(void);

#endif
