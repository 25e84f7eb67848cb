#include <sys/stat.h>

#include "case/records.h"
#include "unit.h"

#include "irt/fleet.h"

static const char good[] =
    "id = 20261201T021502Z-5c01e2\n"
    "action = collect\n"
    "time = 2026-12-01T02:15:02Z\n"
    "inventory = fleet.ini\n"
    "inventory_sha256 = "
    "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589\n"
    "run = 20261201T021400Z-aaaaaa\n"
    "ansible_status = 0\n"
    "hosts = 2\n"
    "host.1.name = web01\n"
    "host.1.outcome = ok\n"
    "host.2.name = web02\n"
    "host.2.outcome = unreachable\n"
    "host.2.reason = Failed to connect\n";

static const char path[] = "fleet/2026/12/01/20261201T021502Z-5c01e2.record";

static void
check_bad(const char *from, const char *to)
{
	struct irt_buf b = IRT_BUF_INIT;
	const char *p = strstr(good, from);

	assert_non_null(p);
	irt_buf_put(&b, good, (size_t)(p - good));
	irt_buf_puts(&b, to);
	irt_buf_puts(&b, p + strlen(from));
	assert_int_equal(irt_fleet_check(path, b.ptr, b.len), IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "fleet/"));
	irt_buf_release(&b);
}

static void
test_check(void **state)
{
	(void)state;
	assert_int_equal(irt_fleet_check(path, good, strlen(good)), 0);
	assert_ptr_equal(irt_record_checker(path), irt_fleet_check);
	check_bad("hosts = 2", "hosts = 3");
	check_bad("hosts = 2", "hosts = many");
	check_bad("host.2.outcome = unreachable", "host.2.outcome = fine");
	check_bad("time = 2026-12-01T02:15:02Z", "time = later");
	check_bad("inventory_sha256 = 88", "inventory_sha256 = zz");
	check_bad("id = 20261201T021502Z-5c01e2", "id = other");
	check_bad("action = collect\n", "");
}

static void
test_record(void **state)
{
	struct irt_case *c;
	struct irt_case_meta meta = { "INC-1", "t", NULL, NULL, NULL };
	struct irt_ident ann = { "Ann", "ann@example.org" };
	struct irt_case_verify_report vr;
	struct irt_fleet_host hosts[2];
	struct irt_fleet_action a;
	struct irt_buf b = IRT_BUF_INIT, p = IRT_BUF_INIT;
	char *dir = unit_tmpdir(), cpath[4200], id[32];

	(void)state;
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	snprintf(cpath, sizeof cpath, "%s/case", dir);
	assert_int_equal(irt_case_init(&c, cpath, &meta, &ann), 0);
	memset(hosts, 0, sizeof hosts);
	hosts[0].name = "web01";
	hosts[0].outcome = "ok";
	hosts[0].evidence = "20261201T021502Z-111111";
	hosts[0].count = 12;
	hosts[0].size = 4096;
	hosts[0].sha256 = "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e"
	                  "161936f031589";
	hosts[0].verified = true;
	hosts[1].name = "web02";
	hosts[1].outcome = "unreachable";
	/* Ansible's reason quotes the host: any byte fits */
	hosts[1].reason = "ssh: \x1b[2J\nrefused";
	memset(&a, 0, sizeof a);
	a.action = "collect";
	a.inventory = "fleet.ini";
	a.inventory_sha256 = hosts[0].sha256;
	a.run = "20261201T021400Z-aaaaaa";
	a.hosts = hosts;
	a.nhosts = 2;
	assert_int_equal(irt_fleet_record(c, id, &a, &ann), 0);
	assert_int_equal(irt_case_shard_path(&p, "fleet", id, ".record"), 0);
	assert_int_equal(irt_case_read(c, &b, p.ptr), 0);
	assert_non_null(strstr(irt_buf_cstr(&b),
	    "host.1.evidence = "
	    "20261201T021502Z-111111\n"));
	assert_non_null(strstr(irt_buf_cstr(&b), "host.1.verified = yes\n"));
	assert_non_null(
	    strstr(irt_buf_cstr(&b), "host.2.outcome = unreachable\n"));
	assert_null(strchr(irt_buf_cstr(&b), '\x1b'));
	/* an action whose folders are named by its id keeps that id */
	a.id = "20261201T021502Z-5c01e2";
	assert_int_equal(irt_fleet_record(c, id, &a, &ann), 0);
	assert_string_equal(id, "20261201T021502Z-5c01e2");
	assert_int_equal(irt_case_verify(c, &vr, NULL), 0);
	assert_int_equal(vr.nproblems, 0);
	irt_case_verify_report_release(&vr);
	irt_buf_release(&b);
	irt_buf_release(&p);
	irt_case_free(c);
	unit_rmtree(dir);
}

static void
test_outcome(void **state)
{
	struct irt_fleet_outcome o;
	const char *ok = "{\"outcome\": \"ok\", \"task\": \"run irt hunt\", "
	                 "\"reason\": \"\", \"expect\": \"db02\"}\n";
	const char *down = "{\"outcome\": \"unreachable\", \"task\": \"reach "
	                   "the host\", \"reason\": \"refused\"}";
	const char *const bad[] = { "", "{", "[]", "{\"outcome\": 1}",
		"{\"outcome\": \"pwned\"}", "{\"outcome\": \"ok\"} x",
		"{\"outcome\": \"ok\"}{\"outcome\": \"failed\"}", NULL };
	size_t i;

	(void)state;
	assert_int_equal(
	    irt_fleet_outcome_parse(&o, "s/h/outcome.json", ok, strlen(ok)), 0);
	assert_string_equal(o.outcome, "ok");
	assert_null(o.reason);
	assert_string_equal(o.expect, "db02");
	irt_fleet_outcome_release(&o);
	assert_int_equal(
	    irt_fleet_outcome_parse(&o, "s/h/outcome.json", down, strlen(down)),
	    0);
	assert_string_equal(o.outcome, "unreachable");
	assert_string_equal(o.reason, "reach the host: refused");
	assert_null(o.expect);
	irt_fleet_outcome_release(&o);
	for (i = 0; bad[i] != NULL; i++) {
		assert_int_equal(
		    irt_fleet_outcome_parse(
		        &o, "s/\x1b[2J/outcome.json", bad[i], strlen(bad[i])),
		    IRT_EPARSE);
		assert_null(o.outcome);
		assert_non_null(strstr(irt_error_last(),
		    "'s/\\e[2J/outcome.json' is not an outcome"));
	}
}

static void
hits_bad(const char *data, size_t len, const char *why)
{
	uint64_t n = 7;

	if (irt_fleet_hits_check(&n, "h/hits.jsonl", data, len, "web01") !=
	    IRT_EPARSE)
		fail_msg("accepted, not '%s': %.*s", why, (int)len, data);
	assert_int_equal(n, 0);
	if (strstr(irt_error_last(), why) == NULL)
		fail_msg("'%s' does not say '%s'", irt_error_last(), why);
}

#define HITS_BAD(lit, why) hits_bad(lit, sizeof lit - 1, why)

static void
test_hits(void **state)
{
	const char sent[] = "{\"kind\":\"ioc\",\"host\":\"web01\",\"title\":"
	                    "\"ip \\u001b]0;x\\u0007\"}\n"
	                    "{\"kind\":\"sigma\",\"host\":\"web01\"}\n";
	struct irt_buf big = IRT_BUF_INIT, b = IRT_BUF_INIT;
	char *dir = unit_tmpdir(), file[4200], sum[65], want[65];
	uint64_t n;
	FILE *fp;

	(void)state;
	assert_int_equal(irt_fleet_hits_check(
	                     &n, "h/hits.jsonl", sent, strlen(sent), "web01"),
	    0);
	assert_int_equal(n, 2);
	assert_int_equal(
	    irt_fleet_hits_check(&n, "h/hits.jsonl", "", 0, "web01"), 0);
	assert_int_equal(n, 0);
	hits_bad(sent, strlen(sent) - 1, "line 2: no newline at its end");
	HITS_BAD("{\"kind\":\"ioc\",\"host\":\"web01\"\n",
	    "line 1: not one JSON object");
	HITS_BAD("{\"kind\":\"ioc\",\"host\":\"db02\"}\n",
	    "line 1: a hit of another host than 'web01'");
	HITS_BAD("{\"kind\":\"ioc\",\"host\":\"web01\\u0000x\"}\n",
	    "a hit of another host");
	HITS_BAD("{\"kind\":\"ioc\",\"host\":\"web01\"} {}\n",
	    "not one JSON object");
	HITS_BAD("{\"kind\":\"ioc\",\"host\":\"web01\"}\n\n",
	    "line 2: an empty line");
	HITS_BAD("{\"kind\":\"exec\",\"host\":\"web01\"}\n",
	    "a kind that is not ioc, sigma or yara");
	HITS_BAD("[1]\n", "not a JSON object");
	HITS_BAD("{\"kind\":\"ioc\",\"host\":\"web01\"}\n{\"k\0\"}\n",
	    "line 2: a NUL byte");
	/* a line of 1 MiB and one byte, with and without its newline */
	irt_buf_puts(&big, "{\"kind\":\"ioc\",\"host\":\"web01\",\"t\":\"");
	while (big.len < IRT_FLEET_HIT_MAX - 1)
		irt_buf_putc(&big, 'a');
	irt_buf_puts(&big, "\"}");
	hits_bad(big.ptr, big.len, "line 1: longer than 1048576 bytes");
	irt_buf_putc(&big, '\n');
	hits_bad(big.ptr, big.len, "line 1: longer than 1048576 bytes");
	/* the file: read, checked and hashed */
	snprintf(file, sizeof file, "%s/hits.jsonl", dir);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fputs(sent, fp);
	fclose(fp);
	assert_int_equal(irt_fleet_hits_read(&b, &n, sum, file, "web01"), 0);
	assert_int_equal(n, 2);
	assert_int_equal(b.len, strlen(sent));
	assert_int_equal(irt_sha256_hex(want, sent, strlen(sent)), 0);
	assert_string_equal(sum, want);
	assert_int_equal(
	    irt_fleet_hits_read(&b, &n, sum, file, "db02"), IRT_EPARSE);
	/* not through a link, not a FIFO */
	snprintf(file, sizeof file, "%s/link", dir);
	assert_int_equal(symlink("hits.jsonl", file), 0);
	assert_int_not_equal(
	    irt_fleet_hits_read(&b, &n, sum, file, "web01"), 0);
	snprintf(file, sizeof file, "%s/fifo", dir);
	assert_int_equal(mkfifo(file, 0600), 0);
	assert_int_equal(
	    irt_fleet_hits_read(&b, &n, sum, file, "web01"), IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "is not a regular file"));
	irt_buf_release(&big);
	irt_buf_release(&b);
	unit_rmtree(dir);
}

/* A fleet hunt: the action and the hunt of each host, in one commit,
 * as irt hunt would have recorded them. */
static void
test_record_hunts(void **state)
{
	struct irt_case *c;
	struct irt_case_meta meta = { "INC-1", "t", NULL, NULL, NULL };
	struct irt_ident ann = { "Ann", "ann@example.org" };
	struct irt_case_verify_report vr;
	struct irt_fleet_host hosts[2];
	struct irt_fleet_hunt hunts[1];
	struct irt_fleet_action a;
	struct irt_kv rec = IRT_KV_INIT;
	struct irt_buf b = IRT_BUF_INIT, p = IRT_BUF_INIT;
	const char hits[] = "{\"kind\":\"ioc\",\"host\":\"web01\"}\n";
	char *dir = unit_tmpdir(), cpath[4200], id[32], hid[32];
	uint64_t nhunts, nhits;

	(void)state;
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	snprintf(cpath, sizeof cpath, "%s/case", dir);
	assert_int_equal(irt_case_init(&c, cpath, &meta, &ann), 0);
	assert_int_equal(irt_id_new(hid), 0);
	memset(hosts, 0, sizeof hosts);
	hosts[0].name = "web01";
	hosts[0].outcome = "ok";
	hosts[0].count = 1;
	hosts[0].hunt = hid;
	hosts[1].name = "web02";
	hosts[1].outcome = "rejected";
	hosts[1].reason = "line 1: not one JSON object";
	irt_kv_add(&rec, "source", "live");
	irt_kv_add(&rec, "case-iocs", "1");
	memset(hunts, 0, sizeof hunts);
	hunts[0].id = hid;
	hunts[0].host = "web01";
	hunts[0].record = &rec;
	hunts[0].hits = hits;
	hunts[0].hits_len = strlen(hits);
	hunts[0].nhits = 1;
	memset(&a, 0, sizeof a);
	a.action = "hunt";
	a.inventory = "fleet.ini";
	a.inventory_sha256 = "88d4266fd4e6338d13b845fcf289579d209c897823b9217"
	                     "da3e161936f031589";
	a.hosts = hosts;
	a.nhosts = 2;
	a.hunts = hunts;
	a.nhunts = 1;
	assert_int_equal(irt_fleet_record(c, id, &a, &ann), 0);
	assert_int_equal(irt_case_shard_path(&p, "fleet", id, ".record"), 0);
	assert_int_equal(irt_case_read(c, &b, p.ptr), 0);
	assert_non_null(strstr(irt_buf_cstr(&b), "host.1.hunt = "));
	assert_non_null(strstr(irt_buf_cstr(&b), hid));
	assert_non_null(
	    strstr(irt_buf_cstr(&b), "host.2.outcome = rejected\n"));
	irt_buf_clear(&p);
	assert_int_equal(irt_case_shard_path(&p, "hunts", hid, "/record"), 0);
	irt_buf_clear(&b);
	assert_int_equal(irt_case_read(c, &b, p.ptr), 0);
	assert_non_null(strstr(irt_buf_cstr(&b), "host = web01\nfleet = "));
	assert_non_null(strstr(irt_buf_cstr(&b), "case-iocs = 1\nhits = 1\n"));
	irt_buf_clear(&p);
	assert_int_equal(
	    irt_case_shard_path(&p, "hunts", hid, "/hits.jsonl"), 0);
	irt_buf_clear(&b);
	assert_int_equal(irt_case_read(c, &b, p.ptr), 0);
	assert_int_equal(b.len, strlen(hits));
	assert_memory_equal(b.ptr, hits, b.len);
	/* counted as any hunt */
	assert_int_equal(irt_hunt_count(c, &nhunts, &nhits), 0);
	assert_int_equal(nhunts, 1);
	assert_int_equal(nhits, 1);
	assert_int_equal(irt_case_verify(c, &vr, NULL), 0);
	assert_int_equal(vr.nproblems, 0);
	irt_case_verify_report_release(&vr);
	irt_kv_release(&rec);
	irt_buf_release(&b);
	irt_buf_release(&p);
	irt_case_free(c);
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_outcome),
		cmocka_unit_test(test_hits),
		cmocka_unit_test(test_record_hunts),
	};

	return UNIT_RUN(tests);
}
