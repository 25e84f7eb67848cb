/*
 * libFuzzer harness for the record checkers that irt case verify runs
 * over every file of a pulled case (lib/case/records.c and the checker
 * of each kind of record).  The input is a path, a newline, and the
 * contents: the path picks the checker as verify does, and a path that
 * names no record picks one by its length, so that every checker is
 * reached.  A checker never crashes and never runs for long.  The
 * message verify prints (irt_record_run) never carries a control
 * character of the input to a terminal, nor does the message of a
 * checker of lib/case, which escapes what it quotes itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <irt/irt.h>

#include "case/records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const irt_record_check_fn all[] = {
	irt_case_conf_check,
	irt_checklist_check,
	irt_event_check,
	irt_evidence_check,
	irt_host_check,
	irt_isolate_check,
	irt_note_check,
	irt_run_check,
};

/* The checkers of lib/case. */
static int
ours(irt_record_check_fn fn)
{
	return fn == irt_case_conf_check || fn == irt_evidence_check ||
	    fn == irt_note_check || fn == irt_run_check ||
	    fn == irt_host_check || fn == irt_event_check;
}

static void
assert_safe(void)
{
	const unsigned char *m;

	for (m = (const unsigned char *)irt_error_last(); *m != '\0'; m++)
		if (*m < 0x20 || *m == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size < 512 ? size : 512);
	irt_record_check_fn fn;
	char *path;
	size_t plen;

	if (nl == NULL)
		return 0;
	plen = (size_t)(nl - (const char *)data);
	if ((path = strndup((const char *)data, plen)) == NULL)
		return 0;
	if (strlen(path) == plen) { /* no NUL: a path git can hold */
		fn = irt_record_checker(path);
		if (fn == NULL)
			fn = all[plen % (sizeof all / sizeof all[0])];
		if (ours(fn) && fn(path, nl + 1, size - plen - 1) != 0)
			assert_safe();
		if (irt_record_run(fn, path, nl + 1, size - plen - 1) != 0)
			assert_safe();
	}
	free(path);
	return 0;
}
