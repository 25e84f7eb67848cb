/*
 * libFuzzer harness for the Sigma loader and matcher: the input is a
 * rule file, optionally followed by a line "====" and a log that is
 * read both as audit.log and as syslog and matched against the rules
 * (the audit record parser of the matcher sees hostile text too).
 * Loading never crashes, never leaks, and every rule is accounted for.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <irt/irt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char default_log[] =
    "type=SYSCALL msg=audit(1764547200.123:100): arch=c000003e "
    "syscall=59 success=yes exit=0 ppid=1 pid=7 uid=0 comm=\"curl\" "
    "exe=\"/usr/bin/curl\" key=\"k\"\n"
    "type=EXECVE msg=audit(1764547200.123:100): argc=2 a0=\"curl\" "
    "a1=687474703A2F2F782F6120622E7368\n"
    "type=SOCKADDR msg=audit(1764547200.123:100): "
    "saddr=0200115CCB0071090000000000000000\n"
    "Nov 30 10:00:01 web01 sshd[812]: Failed password for root from "
    "203.0.113.9 port 51111 ssh2\n"
    "Nov 30 10:00:03 web01 sudo:    alice : TTY=pts/0 ; PWD=/ ; "
    "USER=#-1 ; COMMAND=/bin/bash\n";

static int
on_hit(const struct irt_sigma_hit *h, void *arg)
{
	size_t *n = arg;

	/* every string of a hit is readable */
	*n += strlen(h->id) + strlen(h->title) + strlen(h->level) +
	    strlen(h->file) + (h->field ? strlen(h->field) : 0) + h->value_len;
	return 0;
}

static int
on_event(const struct irt_tl_event *ev, void *arg)
{
	size_t n = 0;

	return irt_sigma_match(arg, ev, on_hit, &n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irt_sigma *s;
	struct irt_sigma_stats st;
	struct irt_buf sum = IRT_BUF_INIT;
	struct irt_tl_opts o;
	struct irt_tl *tl;
	const char *text = (const char *)data, *log = default_log, *sep;
	size_t rules_len = size, log_len = sizeof default_log - 1;

	sep = memmem(text, size, "\n====\n", 6);
	if (sep != NULL) {
		rules_len = (size_t)(sep - text);
		log = sep + 6;
		log_len = size - rules_len - 6;
	}
	if (irt_sigma_new(&s) != 0)
		return 0;
	if (irt_sigma_load_buffer(s, "fuzz.yml", text, rules_len, NULL, NULL) !=
	    0)
		abort();
	irt_sigma_stats(s, &st);
	if (st.loaded + st.skipped + st.failed != st.rules ||
	    irt_sigma_failure_count(s) != st.failed ||
	    irt_sigma_summary(&sum, s) != 0)
		abort();
	if (st.loaded > 0) {
		memset(&o, 0, sizeof o);
		o.year = 2026;
		o.no_store = true;
		o.each = on_event;
		o.each_arg = s;
		if (irt_tl_new(&tl, &o) == 0) {
			(void)irt_tl_add_buffer(
			    tl, "audit", "a", log, log_len, "h");
			(void)irt_tl_add_buffer(
			    tl, "syslog", "s", log, log_len, NULL);
			irt_tl_free(tl);
		}
	}
	irt_buf_release(&sum);
	irt_sigma_free(s);
	return 0;
}
