#include <stdio.h>
#include <string.h>

#include "case-int.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "irt/event.h"
#include "irt/evidence.h"
#include "irt/fleet.h"
#include "irt/host.h"
#include "records.h"

/*
 * Path patterns: an exact path, or a folder prefix ending in '/' with an
 * optional required suffix of the file name.  A sharded folder's records
 * match at any depth, so both layouts are checked.
 */
static const struct {
	const char *prefix;
	const char *suffix;
	irt_record_check_fn fn;
} checkers[] = {
	{ "case.conf", NULL, irt_case_conf_check },
	{ "checklists/", ".md", irt_checklist_check },
	{ "events/", ".event", irt_event_check },
	{ "fleet/", ".record", irt_fleet_check },
	{ "fleet-isolation/", ".state", irt_fleet_isolation_check },
	{ "custody/", ".record", irt_evidence_check },
	{ "hosts/", ".host", irt_host_check },
	{ "hunts/", "/record", irt_hunt_check },
	{ "iocs/", ".ioc", irt_ioc_check },
	{ "isolation/", ".record", irt_isolate_check },
	{ "notes/", ".md", irt_note_check },
	{ "runs/", "/record", irt_run_check },
};

/* The folders sharded by day (irt-case(5)); a new kind of record adds
 * its line here. */
const struct irt_shard_dir irt_case__shard_dirs[] = {
	{ IRT_EVENT_DIR, IRT_EVENT_SUFFIX },
	{ IRT_EVIDENCE_DIR, IRT_EVIDENCE_SUFFIX },
	{ IRT_FLEET_DIR, IRT_FLEET_SUFFIX },
	{ IRT_HOST_DIR, IRT_HOST_SUFFIX },
	{ "hunts", "/record" },
	{ "iocs", ".ioc" },
	{ "notes", ".md" },
	{ "runs", "/record" },
	{ NULL, NULL },
};

irt_record_check_fn
irt_record_checker(const char *path)
{
	size_t i, pl, sl, n = strlen(path);

	for (i = 0; i < sizeof checkers / sizeof checkers[0]; i++) {
		pl = strlen(checkers[i].prefix);
		if (checkers[i].prefix[pl - 1] != '/') {
			if (strcmp(path, checkers[i].prefix) == 0)
				return checkers[i].fn;
			continue;
		}
		if (strncmp(path, checkers[i].prefix, pl) != 0)
			continue;
		if (checkers[i].suffix == NULL)
			return checkers[i].fn;
		sl = strlen(checkers[i].suffix);
		if (n >= sl && strcmp(path + n - sl, checkers[i].suffix) == 0)
			return checkers[i].fn;
	}
	return NULL;
}

int
irt_record_name_check(
    const char *path, const char *suffix, const char *field, const char *id)
{
	const char *base = strrchr(path, '/');
	size_t bl, sl = strlen(suffix);

	base = base ? base + 1 : path;
	bl = strlen(base);
	if (bl <= sl || strcmp(base + bl - sl, suffix) != 0 ||
	    strlen(id) != bl - sl || strncmp(id, base, bl - sl) != 0)
		return irt_error_set(IRT_EPARSE,
		    "%s: %s '%s' does not match the file name", irt_esc(path),
		    field, irt_esc(id));
	return 0;
}

int
irt_record_run(
    irt_record_check_fn fn, const char *path, const char *data, size_t len)
{
	const unsigned char *p;
	char msg[1024];
	int rc;

	if ((rc = fn(path, data, len)) == 0)
		return 0;
	/* a checker escapes what it quotes; one that does not is escaped
	 * whole, so that no control character reaches a terminal */
	for (p = (const unsigned char *)irt_error_last(); *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			break;
	if (*p == '\0' &&
	    irt_utf8_valid(irt_error_last(), strlen(irt_error_last())))
		return rc;
	snprintf(msg, sizeof msg, "%s", irt_error_last());
	return irt_error_set(rc, "%s", irt_esc(msg));
}
