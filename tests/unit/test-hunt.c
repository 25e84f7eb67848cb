/*
 * The hunt driver: logs, fs trees and evidence archives against IOCs
 * and YARA rules, hits as JSON, and a hunt recorded in a case.
 */
#include <sys/stat.h>

#include "unit.h"

struct hits {
	char line[64][1024];
	size_t n;
};

static int
on_hit(const struct irt_hunt_hit *hit, void *arg)
{
	struct hits *h = arg;
	struct irt_buf b = IRT_BUF_INIT;

	assert_int_equal(irt_hunt_hit_json(&b, hit), 0);
	if (h->n < 64)
		snprintf(h->line[h->n++], 1024, "%s", b.ptr);
	irt_buf_release(&b);
	return 0;
}

static size_t
count(const struct hits *h, const char *s)
{
	size_t i, n = 0;

	for (i = 0; i < h->n; i++)
		if (strstr(h->line[i], s) != NULL)
			n++;
	return n;
}

static void
put(const char *dir, const char *name, const char *text)
{
	char p[4200];
	FILE *fp;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	assert_non_null(fp = fopen(p, "w"));
	fputs(text, fp);
	fclose(fp);
}

static struct irt_hunt *
hunt(struct hits *hits, struct irt_ioc_set *s, const char *const *yara,
    size_t nyara, bool content)
{
	struct irt_hunt_opts o;
	struct irt_hunt *h;

	memset(&o, 0, sizeof o);
	o.iocs = s;
	o.yara = yara;
	o.nyara = nyara;
	o.content = content;
	o.hit = on_hit;
	o.arg = hits;
	assert_int_equal(irt_hunt_new(&h, &o), 0);
	return h;
}

static void
test_logs(void **state)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct hits hits;
	struct irt_hunt *h;
	char *dir = unit_tmpdir(), spec[4200];

	(void)state;
	memset(&hits, 0, sizeof hits);
	put(dir, "auth.log",
	    "Nov 27 21:14:39 web01 sshd[812]: Accepted publickey for "
	    "backdoor from 198.51.100.23 port 4242 ssh2\n"
	    "Nov 27 21:14:40 web01 sshd[813]: Accepted publickey for "
	    "backdoorx from 192.0.2.1 port 4242 ssh2\n"
	    "Nov 27 21:15:00 web01 cron[9]: (root) CMD (curl -s "
	    "http://EVIL.example/x \x1b[31m)\n");
	assert_int_equal(
	    irt_ioc_set_add(&s, IRT_IOC_USER, "backdoor", NULL, NULL, NULL), 0);
	assert_int_equal(irt_ioc_set_add(&s, IRT_IOC_NONE, "198.51.100.0/24",
	                     NULL, NULL, NULL),
	    0);
	assert_int_equal(
	    irt_ioc_set_add(&s, IRT_IOC_NONE, "evil.example", NULL, NULL, NULL),
	    0);
	/* retired IOCs do not match */
	assert_int_equal(
	    irt_ioc_set_add(&s, IRT_IOC_NONE, "192.0.2.1", NULL, NULL, NULL),
	    0);
	s.v[3].retired = true;
	h = hunt(&hits, &s, NULL, 0, false);
	snprintf(spec, sizeof spec, "syslog:%s/auth.log", dir);
	assert_int_equal(irt_hunt_source(h, spec, "web01"), 0);
	/* one hit per IOC per event: the user in the message and the field
	 * give one */
	assert_int_equal(hits.n, 3);
	assert_int_equal(count(&hits, "\"title\":\"user backdoor\""), 1);
	assert_int_equal(count(&hits, "\"match\":\"198.51.100.23\""), 1);
	assert_int_equal(count(&hits, "\"match\":\"EVIL.example\""), 1);
	assert_int_equal(count(&hits, "\"host\":\"web01\""), 3);
	assert_int_equal(count(&hits, "\"line\":3,"), 1);
	/* the event itself, escapes kept escaped */
	assert_int_equal(count(&hits, "\"event\":{"), 3);
	assert_int_equal(count(&hits, "\\u001b[31m"), 1);
	irt_hunt_free(h);
	irt_ioc_set_release(&s);
	unit_rmtree(dir);
}

/* What a hunt reported, in order: "hit LINE" and "warn" lines. */
struct order {
	struct irt_buf log;
	size_t hits, stop_at;
};

static int
order_hit(const struct irt_hunt_hit *hit, void *arg)
{
	struct order *o = arg;

	irt_buf_printf(&o->log, "hit %llu\n", (unsigned long long)hit->line);
	o->hits++;
	return o->stop_at != 0 && o->hits == o->stop_at ? IRT_EABORT : 0;
}

static void
order_warn(const char *msg, void *arg)
{
	struct order *o = arg;

	(void)msg;
	irt_buf_puts(&o->log, "warn\n");
}

/* A log file read on a thread of its own: hits and warnings come in the
 * order of the file over many batches, an event longer than a batch
 * included, and a failure of the hunt's side stops the reader. */
static void
test_logs_threaded(void **state)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct irt_hunt_opts o;
	struct irt_hunt *h;
	struct irt_hunt_stats st;
	struct order ord;
	struct irt_buf want = IRT_BUF_INIT;
	char *dir = unit_tmpdir(), spec[4200], path[4200], *big;
	FILE *fp;
	unsigned i, n = 30000;

	(void)state;
	snprintf(path, sizeof path, "%s/syslog", dir);
	assert_non_null(fp = fopen(path, "w"));
	assert_non_null(big = malloc(400000));
	memset(big, 'x', 400000 - 1);
	big[400000 - 1] = '\0';
	memcpy(big + 300000, " evil.example ", 14);
	for (i = 1; i <= n; i++) {
		if (i == 777 || i == 20001) {
			fputs("no time on this line\n", fp);
			irt_buf_puts(&want, "warn\n");
		} else if (i == 15000) {
			fprintf(fp, "Nov 27 21:14:39 web01 app[1]: %s\n", big);
			irt_buf_printf(&want, "hit %u\n", i);
		} else if (i % 1000 == 3) {
			fprintf(fp,
			    "Nov 27 21:14:39 web01 app[1]: GET "
			    "http://evil.example/%u\n",
			    i);
			irt_buf_printf(&want, "hit %u\n", i);
		} else
			fprintf(fp,
			    "Nov 27 21:14:39 web01 app[%u]: nothing to see "
			    "here, event %u of many\n",
			    i, i);
	}
	fclose(fp);
	free(big);
	assert_int_equal(
	    irt_ioc_set_add(&s, IRT_IOC_NONE, "evil.example", NULL, NULL, NULL),
	    0);
	memset(&ord, 0, sizeof ord);
	memset(&o, 0, sizeof o);
	o.iocs = &s;
	o.hit = order_hit;
	o.arg = &ord;
	o.warn = order_warn;
	o.warn_arg = &ord;
	assert_int_equal(irt_hunt_new(&h, &o), 0);
	snprintf(spec, sizeof spec, "syslog:%s", path);
	assert_int_equal(irt_hunt_source(h, spec, "web01"), 0);
	assert_string_equal(irt_buf_cstr(&ord.log), irt_buf_cstr(&want));
	irt_hunt_get_stats(h, &st);
	assert_int_equal(st.events, n - 2);
	/* twice: the hunt reads one source after another */
	irt_buf_clear(&ord.log);
	assert_int_equal(irt_hunt_source(h, spec, "web01"), 0);
	assert_string_equal(irt_buf_cstr(&ord.log), irt_buf_cstr(&want));
	irt_hunt_free(h);
	/* the hit callback fails at the third hit: the hunt stops there,
	 * with its error, the reader with it */
	irt_buf_release(&ord.log);
	memset(&ord, 0, sizeof ord);
	ord.stop_at = 3;
	assert_int_equal(irt_hunt_new(&h, &o), 0);
	assert_int_equal(irt_hunt_source(h, spec, "web01"), IRT_EABORT);
	assert_int_equal(ord.hits, 3);
	irt_hunt_free(h);
	irt_buf_release(&ord.log);
	irt_buf_release(&want);
	irt_ioc_set_release(&s);
	unit_rmtree(dir);
}

static void
test_fs_content_yara(void **state)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct hits hits;
	struct irt_hunt *h;
	struct irt_hunt_stats st;
	char *dir = unit_tmpdir(), tree[4200], rules[4200], spec[4300],
	     fifo[4300];
	const char *yara[1] = { rules };
	const char *const *paths, *const *sums;

	(void)state;
	memset(&hits, 0, sizeof hits);
	snprintf(tree, sizeof tree, "%s/tree", dir);
	mkdir(tree, 0755);
	put(tree, "beacon.conf",
	    "server=c2.evil.example\nbeacon_interval=60\n");
	put(tree, "clean.txt", "nothing here\n");
	/* a FIFO and a link out of the tree are not read */
	snprintf(fifo, sizeof fifo, "%s/fifo", tree);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	snprintf(fifo, sizeof fifo, "%s/passwd", tree);
	assert_int_equal(symlink("/etc/passwd", fifo), 0);
	snprintf(rules, sizeof rules, "%s/r.yar", dir);
	put(dir, "r.yar",
	    "rule beacon : c2 { meta: level = \"high\" strings: $a = "
	    "\"beacon_interval=\" condition: $a }\n"
	    "rule root_user { strings: $a = \"root:x:0:0\" condition: $a }\n");
	assert_int_equal(
	    irt_ioc_set_add(&s, IRT_IOC_NONE, "evil.example", NULL, NULL, NULL),
	    0);
	h = hunt(&hits, &s, yara, 1, true);
	snprintf(spec, sizeof spec, "fs:%s", tree);
	assert_int_equal(irt_hunt_source(h, spec, NULL), 0);
	assert_int_equal(count(&hits, "\"kind\":\"yara\""), 1);
	assert_int_equal(count(&hits, "\"title\":\"r.yar:beacon\""), 1);
	assert_int_equal(count(&hits, "\"level\":\"high\""), 1);
	assert_int_equal(count(&hits, "\"tags\":[\"yara\",\"c2\"]"), 1);
	assert_int_equal(count(&hits, "\"field\":\"content\""), 2);
	assert_int_equal(count(&hits, "\"offset\":10,"), 1);
	irt_hunt_get_stats(h, &st);
	assert_int_equal(st.yara_rules, 2);
	assert_int_equal(irt_hunt_rule_files(h, &paths, &sums), 1);
	assert_string_equal(paths[0], rules);
	assert_int_equal(strlen(sums[0]), 64);
	irt_hunt_free(h);
	irt_ioc_set_release(&s);
	unit_rmtree(dir);
}

struct warns {
	char msg[8][512];
	size_t n;
};

static void
on_warn(const char *msg, void *arg)
{
	struct warns *w = arg;

	if (w->n < 8)
		snprintf(w->msg[w->n++], 512, "%s", msg);
}

static void
test_yara_errors(void **state)
{
	struct irt_hunt_opts o;
	struct irt_hunt *h = NULL;
	struct warns w;
	char *dir = unit_tmpdir(), bad[4200], good[4200];
	const char *yara[2] = { bad, good };

	(void)state;
	memset(&w, 0, sizeof w);
	snprintf(bad, sizeof bad, "%s/bad.yar", dir);
	snprintf(good, sizeof good, "%s/good.yar", dir);
	put(dir, "bad.yar", "rule a {\n condition:\n  $nope\n}\n");
	put(dir, "good.yar", "rule b { condition: true }\n");
	memset(&o, 0, sizeof o);
	o.yara = yara;
	o.nyara = 2;
	o.warn = on_warn;
	o.warn_arg = &w;
	/* the broken file is reported with its line, the other loads */
	assert_int_equal(irt_hunt_new(&h, &o), 0);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.msg[0], "bad.yar:4: undefined string"));
	irt_hunt_free(h);
	o.nyara = 1;
	assert_int_equal(irt_hunt_new(&h, &o), IRT_EPARSE);
	unit_rmtree(dir);
}

static void
test_archive(void **state)
{
	struct irt_collect_opts co;
	struct irt_collect_result res;
	struct irt_profile *prof;
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct hits hits;
	struct irt_hunt *h;
	struct irt_buf b = IRT_BUF_INIT;
	char *dir = unit_tmpdir(), root[4200], out[4200], spec[4300], sum[65],
	     p[4300];
	const char *text = "description t\nfile /var/log/**\nfile /opt/**\n";

	(void)state;
	memset(&hits, 0, sizeof hits);
	snprintf(root, sizeof root, "%s/root", dir);
	snprintf(p, sizeof p, "mkdir -p %s/var/log %s/opt", root, root);
	assert_int_equal(system(p), 0);
	snprintf(p, sizeof p, "%s/var/log", root);
	put(p, "syslog",
	    "Nov 27 21:14:39 web01 app[1]: connect to 203.0.113.9:443\n");
	snprintf(p, sizeof p, "%s/opt", root);
	put(p, "implant", "config: c2.evil.example\n");
	snprintf(p, sizeof p, "%s/opt/implant", root);
	assert_int_equal(irt_sha256_file(sum, p), 0);
	snprintf(p, sizeof p,
	    "printf 'gz: evil.example\\n' | gzip > "
	    "%s/opt/data.gz",
	    root);
	assert_int_equal(system(p), 0);
	assert_int_equal(irt_profile_parse(&prof, text, strlen(text), "t"), 0);
	memset(&co, 0, sizeof co);
	snprintf(out, sizeof out, "%s/a.tar.gz", dir);
	co.profile = prof;
	co.root = root;
	co.output = out;
	co.no_live = true;
	co.hashes = IRT_HASH_SHA256 | IRT_HASH_MD5;
	assert_int_equal(irt_collect(&res, &co), 0);
	assert_int_equal(
	    irt_ioc_set_add(&s, IRT_IOC_NONE, sum, NULL, NULL, NULL), 0);
	assert_int_equal(
	    irt_ioc_set_add(&s, IRT_IOC_NONE, "203.0.113.9", NULL, NULL, NULL),
	    0);
	assert_int_equal(
	    irt_ioc_set_add(&s, IRT_IOC_NONE, "evil.example", NULL, NULL, NULL),
	    0);
	assert_int_equal(
	    irt_ioc_set_add(&s, IRT_IOC_PATH, "/opt/*", NULL, NULL, NULL), 0);
	h = hunt(&hits, &s, NULL, 0, true);
	snprintf(spec, sizeof spec, "archive:%s", out);
	assert_int_equal(irt_hunt_source(h, spec, NULL), 0);
	/* the hash and the path glob in the manifest */
	assert_int_equal(count(&hits, "\"field\":\"sha256\""), 1);
	assert_int_equal(
	    count(&hits, "\"location\":\"irt/manifest.jsonl\""), 3);
	/* the log event, the member's content and the gzip member's */
	assert_int_equal(count(&hits, "\"match\":\"203.0.113.9\""), 1);
	assert_int_equal(count(&hits, "\"location\":\"fs/opt/implant\""), 1);
	assert_int_equal(count(&hits, "\"location\":\"fs/opt/data.gz\""), 1);
	irt_hunt_free(h);
	irt_ioc_set_release(&s);
	irt_buf_release(&b);
	irt_collect_result_release(&res);
	irt_profile_free(prof);
	unit_rmtree(dir);
}

static void
test_record(void **state)
{
	struct irt_case *c;
	struct irt_case_meta meta = { "INC-1", "t", NULL, NULL, NULL };
	struct irt_ident who = { "Ann", "ann@example.org" };
	struct irt_kv rec = IRT_KV_INIT;
	struct irt_buf hits = IRT_BUF_INIT;
	char *dir = unit_tmpdir(), casedir[4200], id[32];
	uint64_t nh, nhits;

	(void)state;
	snprintf(casedir, sizeof casedir, "%s/case", dir);
	assert_int_equal(irt_case_init(&c, casedir, &meta, &who), 0);
	assert_int_equal(irt_hunt_count(c, &nh, &nhits), 0);
	assert_int_equal(nh, 0);
	irt_kv_add(&rec, "source", "archive:x.tar.gz");
	irt_kv_add(&rec, "hits", "2");
	irt_buf_puts(&hits, "{\"kind\":\"ioc\"}\n{\"kind\":\"ioc\"}\n");
	assert_int_equal(irt_hunt_record(c, id, &rec, &hits, NULL, &who), 0);
	irt_kv_release(&rec);
	irt_kv_add(&rec, "hits", "3");
	assert_int_equal(irt_hunt_record(c, id, &rec, &hits, "m", &who), 0);
	assert_int_equal(irt_hunt_count(c, &nh, &nhits), 0);
	assert_int_equal(nh, 2);
	assert_int_equal(nhits, 5);
	irt_kv_release(&rec);
	irt_buf_release(&hits);
	irt_case_free(c);
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logs),
		cmocka_unit_test(test_logs_threaded),
		cmocka_unit_test(test_fs_content_yara),
		cmocka_unit_test(test_yara_errors),
		cmocka_unit_test(test_archive),
		cmocka_unit_test(test_record),
	};

	return UNIT_RUN(tests);
}
