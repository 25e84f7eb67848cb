#include <string.h>

#include "irt/data.h"

const struct irt_data_file *
irt_data_get(const char *name)
{
	const struct irt_data_file *f;

	for (f = irt_data_all(); f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}
