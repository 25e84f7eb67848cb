/*
 * The checklist parser on untrusted input (a checklist file given to
 * irt checklist lint/start, or a copy in a case pulled from elsewhere).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <irt/irt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irt_checklist *cl, *again;
	struct irt_buf b = IRT_BUF_INIT;
	char **problems, **argv;
	size_t i;

	if (irt_checklist_lint(&problems, (const char *)data, size, "f") == 0)
		irt_strv_free(problems);
	if (irt_checklist_parse(&cl, (const char *)data, size, "f") != 0)
		return 0;
	/* what parsed writes back and parses again, to the same steps */
	if (irt_checklist_format(&b, cl) == 0) {
		if (irt_checklist_parse(&again, b.ptr, b.len, "f") != 0)
			abort();
		if (again->nsteps != cl->nsteps)
			abort();
		for (i = 0; i < cl->nsteps; i++)
			if (strcmp(again->steps[i].id, cl->steps[i].id) != 0 ||
			    again->steps[i].state != cl->steps[i].state)
				abort();
		irt_checklist_free(again);
	}
	for (i = 0; i < cl->nsteps; i++) {
		if (cl->steps[i].run != NULL &&
		    irt_checklist_argv(&argv, cl->steps[i].run) == 0)
			irt_strv_free(argv);
		(void)irt_checklist_unmet(cl, i);
	}
	(void)irt_checklist_next(cl);
	irt_checklist_free(cl);
	irt_buf_release(&b);
	return 0;
}
