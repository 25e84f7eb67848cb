/*
 * Events handed out as they are read (irt_tl_opts.each): what irt hunt
 * sees of each source, with fields, line numbers and the filters.
 */
#include "unit.h"

struct seen {
	unsigned n;
	char fields[4096];
	char types[512];
	uint64_t lines[16];
	irt_ns times[16];
	struct irt_buf json;
	int stop_at;
};

static int
on_event(const struct irt_tl_event *ev, void *arg)
{
	struct seen *s = arg;
	const char *name, *v;
	size_t i, len, n = strlen(s->fields), tn = strlen(s->types);

	if (s->n < 16) {
		s->lines[s->n] = irt_tl_event_line(ev);
		s->times[s->n] = irt_tl_event_time(ev);
	}
	s->n++;
	snprintf(s->types + tn, sizeof s->types - tn, "%s %s|",
	    irt_tl_event_kind(ev), irt_tl_event_type(ev));
	for (i = 0; i < irt_tl_event_nfields(ev); i++) {
		name = irt_tl_event_field_at(ev, i, &v, &len);
		assert_non_null(name);
		n = strlen(s->fields);
		snprintf(s->fields + n, sizeof s->fields - n, "%s=%.*s;", name,
		    (int)len, v);
	}
	assert_null(irt_tl_event_field_at(ev, i, &v, &len));
	n = strlen(s->fields);
	snprintf(s->fields + n, sizeof s->fields - n, "\n");
	if (s->n == 1)
		assert_int_equal(
		    irt_tl_event_write(&s->json, ev, IRT_TL_JSONL), 0);
	return s->stop_at != 0 && (int)s->n == s->stop_at ? IRT_EABORT : 0;
}

static const char auth[] =
    "Jan  1 00:00:01 web01 sshd[1203]: Invalid user oracle from "
    "198.51.100.23 port 40023\n"
    "Jan  1 00:00:02 web01 sshd[1204]: Accepted publickey for alice from "
    "2001:db8::5 port 2222 ssh2\n"
    "Jan  1 00:00:03 web01 cron[77]: (root) CMD (run-parts /etc/cron.hourly)\n";

static void
run(struct seen *s, struct irt_tl_opts *o, int want_rc)
{
	struct irt_tl *tl;
	struct irt_tl_stats st;

	o->each = on_event;
	o->each_arg = s;
	o->year = 2026;
	assert_int_equal(irt_tl_new(&tl, o), 0);
	assert_int_equal(irt_tl_add_buffer(tl, "syslog", "auth.log", auth,
	                     sizeof auth - 1, "web01"),
	    want_rc);
	irt_tl_stats(tl, &st);
	assert_int_equal(st.events, o->no_store ? 0 : s->n);
	irt_tl_free(tl);
}

static void
test_each(void **state)
{
	struct irt_tl_opts o;
	struct seen s;
	size_t len;

	(void)state;
	memset(&s, 0, sizeof s);
	memset(&o, 0, sizeof o);
	o.no_store = true;
	run(&s, &o, 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.lines[0], 1);
	assert_int_equal(s.lines[2], 3);
	assert_int_equal(
	    s.times[1], (irt_timegm(2026, 1, 1, 0, 0, 2)) * IRT_NS_PER_SEC);
	assert_non_null(strstr(s.fields, "user=oracle;"));
	assert_non_null(strstr(s.fields, "src_ip=198.51.100.23;"));
	assert_non_null(strstr(s.fields, "src_ip=2001:db8::5;"));
	assert_non_null(strstr(s.types, "syslog syslog:sshd|"));
	assert_non_null(strstr(s.json.ptr, "\"host\":\"web01\""));
	assert_non_null(strstr(s.json.ptr, "oracle"));
	assert_int_equal(s.json.ptr[s.json.len - 1], '\n');
	(void)len;
	irt_buf_release(&s.json);

	/* the filters apply before, and events are stored without
	 * no_store */
	memset(&s, 0, sizeof s);
	memset(&o, 0, sizeof o);
	o.match = "cron";
	run(&s, &o, 0);
	assert_int_equal(s.n, 1);
	irt_buf_release(&s.json);

	/* a negative return stops reading and is returned */
	memset(&s, 0, sizeof s);
	memset(&o, 0, sizeof o);
	o.no_store = true;
	s.stop_at = 2;
	run(&s, &o, IRT_EABORT);
	assert_int_equal(s.n, 2);
	irt_buf_release(&s.json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
