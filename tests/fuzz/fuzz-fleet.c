/*
 * libFuzzer harness for what irt fleet reads of the files the hosts and
 * the playbook send back (lib/fleet/fleet.c, isolate.c): a host's
 * outcome.json, the hits of irt fleet hunt and what irt isolate status
 * printed there.  The first byte picks the reader (0 modulo 3: the hits
 * of host "web01", 1: the outcome, 2: the status), the rest is the file.
 * Neither crashes nor runs for long; hits that check are one line each;
 * an outcome that parses is one irt knows; no message carries a control
 * character of the input to a terminal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <irt/irt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	const char *p = (const char *)data + 1;
	size_t len = size - 1, i, lines = 0;

	if (size == 0)
		return 0;
	if (data[0] % 3 == 2) {
		struct irt_fleet_isolate_status st;
		const char *state;
		char *text = malloc(len + 1);

		if (text == NULL)
			return 0;
		memcpy(text, p, len);
		text[len] = '\0';
		irt_fleet_isolate_status_parse(&st, text);
		state = irt_fleet_isolate_status_state(&st);
		/* an id is a word of letters, digits and '-' */
		for (i = 0; st.id[i] != '\0'; i++)
			if (st.id[i] != '-' &&
			    !(st.id[i] >= '0' && st.id[i] <= '9') &&
			    !(st.id[i] >= 'a' && st.id[i] <= 'z') &&
			    !(st.id[i] >= 'A' && st.id[i] <= 'Z'))
				abort();
		if (state != NULL && !st.valid)
			abort();
		irt_fleet_isolate_status_release(&st);
		free(text);
	} else if (data[0] % 3 == 0) {
		uint64_t hits = 0;

		if (irt_fleet_hits_check(&hits, "hosts/web01/hits.jsonl", p,
		        len, "web01") != 0) {
			assert_safe();
			return 0;
		}
		for (i = 0; i < len; i++)
			lines += p[i] == '\n';
		if (hits != lines || (len > 0 && p[len - 1] != '\n'))
			abort();
	} else {
		struct irt_fleet_outcome o;

		if (irt_fleet_outcome_parse(
		        &o, "hosts/web01/outcome.json", p, len) != 0) {
			assert_safe();
			if (o.outcome != NULL || o.reason != NULL ||
			    o.expect != NULL)
				abort();
			return 0;
		}
		if (strcmp(o.outcome, "ok") != 0 &&
		    strcmp(o.outcome, "failed") != 0 &&
		    strcmp(o.outcome, "unreachable") != 0)
			abort();
		irt_fleet_outcome_release(&o);
	}
	return 0;
}
