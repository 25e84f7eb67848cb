/*
 * Sigma's logsources and fields on irt's events (the table is in
 * irt-sigma(7)): which events a rule's logsource selects, and where each
 * Sigma field is read from.  Audit events are read from their records
 * (the event's message): key=value pairs with the hex encoding of auditd
 * undone, EXECVE arguments joined into a command line, PROCTITLE decoded,
 * socket addresses decoded, raw system call numbers named.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "irt/escape.h"
#include "sigma-int.h"
#include "util/audit-value.h"

/* Where a slot's values come from. */
enum {
	S_MESSAGE,        /* the event's message: keywords */
	S_AUDIT,          /* the audit key of that name in any record */
	S_FIELD,          /* the timeline's field of that name */
	S_SUDO,           /* sudo's "KEY=value ;" pairs */
	S_IMAGE,          /* the executable */
	S_CMDLINE,        /* the command line */
	S_CWD,            /* the working directory */
	S_USER,           /* the user name, else the uid */
	S_PID,            /* process id */
	S_PPID,           /* parent process id */
	S_TARGET,         /* the file created or the file of an fs event */
	S_DST_IP,         /* the address connected to */
	S_DST_PORT,       /* its port */
	S_INITIATED,      /* "true" for a connect() */
	S_PARENT_IMAGE,   /* the parent's executable, from its EXECVE */
	S_PARENT_CMDLINE, /* and its command line */
};

struct sg_fieldmap {
	struct sg_slot *slots;
	size_t n, cap;
	bool parent; /* a rule reads the parent process */
};

/* ---- classes ---- */

static const char *const class_names[CL_MAX] = {
	[CL_LINUX] = "product linux",
	[CL_AUDITD] = "service auditd",
	[CL_SYSLOG] = "service syslog",
	[CL_AUTH] = "service auth",
	[CL_SSHD] = "service sshd",
	[CL_SUDO] = "service sudo",
	[CL_CRON] = "service cron",
	[CL_VSFTPD] = "service vsftpd",
	[CL_CLAMAV] = "service clamav",
	[CL_GUACAMOLE] = "service guacamole",
	[CL_PROC] = "category process_creation",
	[CL_NET] = "category network_connection",
	[CL_FILE] = "category file_event",
};

const char *
sg_class_name(int cls)
{
	return cls >= 0 && cls < CL_MAX ? class_names[cls] : "";
}

int
sg_logsource_class(const char *product, const char *category,
    const char *service, char *why, size_t wl)
{
	static const struct {
		const char *name;
		int cls;
	} services[] = {
		{ "auditd", CL_AUDITD },
		{ "syslog", CL_SYSLOG },
		{ "auth", CL_AUTH },
		{ "sshd", CL_SSHD },
		{ "sudo", CL_SUDO },
		{ "cron", CL_CRON },
		{ "vsftpd", CL_VSFTPD },
		{ "clamav", CL_CLAMAV },
		{ "guacamole", CL_GUACAMOLE },
	},
	  categories[] = {
		  { "process_creation", CL_PROC },
		  { "network_connection", CL_NET },
		  { "file_event", CL_FILE },
	  };
	size_t i;

	if (product != NULL && strcasecmp(product, "linux") != 0) {
		snprintf(why, wl, "logsource product '%.40s' (irt reads linux)",
		    product);
		return -1;
	}
	if (category != NULL) {
		for (i = 0; i < sizeof categories / sizeof categories[0]; i++)
			if (strcasecmp(category, categories[i].name) == 0)
				return categories[i].cls;
		snprintf(why, wl,
		    "logsource category '%.40s' (no irt event of that kind)",
		    category);
		return -1;
	}
	if (service != NULL) {
		for (i = 0; i < sizeof services / sizeof services[0]; i++)
			if (strcasecmp(service, services[i].name) == 0)
				return services[i].cls;
		snprintf(why, wl,
		    "logsource service '%.40s' (no irt event of that kind)",
		    service);
		return -1;
	}
	if (product == NULL) {
		snprintf(why, wl,
		    "logsource names no product, category or "
		    "service");
		return -1;
	}
	return CL_LINUX;
}

/* ---- fields ---- */

struct fmap {
	const char *sigma;
	uint8_t src;
	const char *name;
};

static const struct fmap proc_fields[] = {
	{ "Image", S_IMAGE, NULL },
	{ "CommandLine", S_CMDLINE, NULL },
	{ "CurrentDirectory", S_CWD, NULL },
	{ "User", S_USER, NULL },
	{ "ProcessId", S_PID, NULL },
	{ "ParentProcessId", S_PPID, NULL },
	{ "ParentImage", S_PARENT_IMAGE, NULL },
	{ "ParentCommandLine", S_PARENT_CMDLINE, NULL },
	{ "LogonId", S_AUDIT, "ses" },
	{ NULL, 0, NULL },
};

static const struct fmap net_fields[] = {
	{ "Image", S_IMAGE, NULL },
	{ "CommandLine", S_CMDLINE, NULL },
	{ "User", S_USER, NULL },
	{ "ProcessId", S_PID, NULL },
	{ "DestinationIp", S_DST_IP, NULL },
	{ "DestinationPort", S_DST_PORT, NULL },
	{ "Initiated", S_INITIATED, NULL },
	{ NULL, 0, NULL },
};

static const struct fmap file_fields[] = {
	{ "TargetFilename", S_TARGET, NULL },
	{ "Image", S_IMAGE, NULL },
	{ "User", S_USER, NULL },
	{ "ProcessId", S_PID, NULL },
	{ NULL, 0, NULL },
};

/* Syslog and journal events, for every service. */
static const struct fmap log_fields[] = {
	{ "message", S_MESSAGE, NULL },
	{ "hostname", S_FIELD, "hostname" },
	{ "ident", S_FIELD, "ident" },
	{ "pid", S_FIELD, "pid" },
	{ "priority", S_FIELD, "priority" },
	{ "facility", S_FIELD, "facility" },
	{ "unit", S_FIELD, "unit" },
	/* sshd logins (and utmp-like fields of the timeline) */
	{ "user", S_FIELD, "user" },
	{ "src_ip", S_FIELD, "src_ip" },
	{ "src_port", S_FIELD, "src_port" },
	{ "method", S_FIELD, "method" },
	{ "result", S_FIELD, "result" },
	{ NULL, 0, NULL },
};

static const struct fmap sudo_fields[] = {
	{ "USER", S_SUDO, "USER" },
	{ "COMMAND", S_SUDO, "COMMAND" },
	{ "TTY", S_SUDO, "TTY" },
	{ "PWD", S_SUDO, "PWD" },
	{ NULL, 0, NULL },
};

struct sg_fieldmap *
sg_fieldmap_new(void)
{
	return calloc(1, sizeof(struct sg_fieldmap));
}

void
sg_fieldmap_free(struct sg_fieldmap *fm)
{
	size_t i;

	if (fm == NULL)
		return;
	for (i = 0; i < fm->n; i++)
		free((char *)fm->slots[i].name);
	free(fm->slots);
	free(fm);
}

static int
slot_of(struct sg_fieldmap *fm, int src, const char *name)
{
	struct sg_slot *ns;
	size_t i;

	for (i = 0; i < fm->n; i++)
		if (fm->slots[i].src == src &&
		    (fm->slots[i].name == NULL ? name == NULL
		                               : name != NULL &&
		                strcmp(fm->slots[i].name, name) == 0))
			return (int)i;
	if (fm->n == fm->cap) {
		size_t cap = fm->cap ? 2 * fm->cap : 32;
		if ((ns = realloc(fm->slots, cap * sizeof *ns)) == NULL)
			return -2;
		fm->slots = ns;
		fm->cap = cap;
	}
	fm->slots[fm->n].src = (uint8_t)src;
	fm->slots[fm->n].name = NULL;
	if (src == S_PARENT_IMAGE || src == S_PARENT_CMDLINE)
		fm->parent = true;
	if (name != NULL && (fm->slots[fm->n].name = strdup(name)) == NULL)
		return -2;
	return (int)fm->n++;
}

static int
lookup(struct sg_fieldmap *fm, const struct fmap *t, const char *field)
{
	for (; t->sigma != NULL; t++)
		if (strcmp(t->sigma, field) == 0)
			return slot_of(fm, t->src, t->name);
	return -1;
}

/* Audit keys: letters, digits, '_' and '-'. */
static bool
audit_key(const char *f)
{
	if (*f == '\0' || strlen(f) > 64)
		return false;
	for (; *f; f++)
		if (!((*f >= 'a' && *f <= 'z') || (*f >= 'A' && *f <= 'Z') ||
		        (*f >= '0' && *f <= '9') || *f == '_' || *f == '-'))
			return false;
	return true;
}

int
sg_field_slot(struct sg_fieldmap *fm, int cls, const char *field)
{
	int s;

	switch (cls) {
	case CL_AUDITD:
		return audit_key(field) ? slot_of(fm, S_AUDIT, field) : -1;
	case CL_PROC:
		return lookup(fm, proc_fields, field);
	case CL_NET:
		return lookup(fm, net_fields, field);
	case CL_FILE:
		return lookup(fm, file_fields, field);
	case CL_SUDO:
		if ((s = lookup(fm, sudo_fields, field)) != -1)
			return s;
		return lookup(fm, log_fields, field);
	default:
		return lookup(fm, log_fields, field);
	}
}

size_t
sg_slot_count(const struct sg_fieldmap *fm)
{
	return fm->n;
}

int
sg_keyword_slot(struct sg_fieldmap *fm)
{
	return slot_of(fm, S_MESSAGE, NULL);
}

/* ---- events ---- */

enum {
	E_OTHER,
	E_SYSLOG, /* syslog and journal */
	E_AUDIT,
	E_HISTORY,
	E_FS,
};

struct akv {
	uint32_t rec;
	const char *k;
	size_t klen;
	const char *v;
	size_t vlen;
};

struct arec {
	const char *type;
	size_t tlen;
	size_t kv0, nkv;
};

struct cache {
	uint32_t gen;
	uint32_t n;
	struct sg_val *v;
	bool scanned;
	uint64_t bytes; /* fetched over all events */
	uint64_t fills; /* events it was fetched for */
	uint64_t scans; /* events it was scanned for */
};

struct sg_event {
	const struct sg_fieldmap *fm;
	const struct irt_tl_event *ev;
	struct sg_arena arena;
	uint32_t gen;
	struct cache *cache;
	size_t ncache;
	int kind;
	const char *msg;
	size_t msg_len;
	const char *msg_lc; /* its lower-case copy, made once an event */
	struct irt_buf tmp; /* scratch, kept from event to event */
	bool parsed;
	struct arec *rec;
	size_t nrec, reccap;
	struct akv *kv;
	size_t nkv, kvcap;
	bool decoded; /* a value of the records was hex-decoded */
	const struct sg_ac *ac;
	uint32_t *counts;   /* of each anchor found */
	struct proc *procs; /* processes seen, for their children */
};

/*
 * The processes of earlier EXECVE records, by host and pid, for the
 * ParentImage and ParentCommandLine of their children: a fixed table
 * (a newer process takes the place of an older one that hashes alike),
 * with what it keeps of each string bounded.
 */
#define PROC_SLOTS 16384
#define PROC_STR_MAX 1024

struct proc {
	uint64_t key; /* 0: empty */
	char *exe, *cmd;
	size_t exe_len, cmd_len;
};

static void
procs_free(struct sg_event *e)
{
	size_t i;

	if (e->procs == NULL)
		return;
	for (i = 0; i < PROC_SLOTS; i++) {
		free(e->procs[i].exe);
		free(e->procs[i].cmd);
	}
	free(e->procs);
	e->procs = NULL;
}

static uint64_t
proc_key(const struct irt_tl_event *ev, const char *pid, size_t len)
{
	const char *h = irt_tl_event_host(ev);
	uint64_t k = 1469598103934665603ULL;
	size_t i;

	for (; h != NULL && *h; h++)
		k = (k ^ (unsigned char)*h) * 1099511628211ULL;
	k = (k ^ 0xff) * 1099511628211ULL;
	for (i = 0; i < len; i++)
		k = (k ^ (unsigned char)pid[i]) * 1099511628211ULL;
	return k ? k : 1;
}

static char *
keep(const char *s, size_t len, size_t *out)
{
	char *d;

	if (s == NULL)
		return *out = 0, NULL;
	if (len > PROC_STR_MAX)
		len = PROC_STR_MAX;
	if ((d = malloc(len + 1)) != NULL) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	*out = d ? len : 0;
	return d;
}

struct sg_event *
sg_event_new(const struct sg_fieldmap *fm)
{
	struct sg_event *e = calloc(1, sizeof *e);

	if (e != NULL)
		e->fm = fm;
	return e;
}

void
sg_event_set_ac(struct sg_event *e, const struct sg_ac *ac, uint32_t *counts)
{
	e->ac = sg_ac_usable(ac) ? ac : NULL;
	e->counts = counts;
}

void
sg_event_free(struct sg_event *e)
{
	if (e == NULL)
		return;
	sg_arena_release(&e->arena);
	irt_buf_release(&e->tmp);
	procs_free(e);
	free(e->cache);
	free(e->rec);
	free(e->kv);
	free(e);
}

static bool
eq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

static bool
ieq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

static bool
has_word(const char *list, size_t len, const char *w)
{
	size_t wl = strlen(w);
	const char *p = list, *end = list + len;

	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		size_t n = c ? (size_t)(c - p) : (size_t)(end - p);
		if (n == wl && memcmp(p, w, wl) == 0)
			return true;
		p = c ? c + 1 : end;
	}
	return false;
}

/* ---- audit records ---- */

/* Decodes hex into the arena; NUL bytes become sep (0: kept). */
static const char *
unhex(struct sg_event *e, const char *s, size_t len, char sep, size_t *out)
{
	char *d;

	if (len < 2 || len % 2 != 0 ||
	    (d = sg_alloc(&e->arena, len / 2 + 1)) == NULL)
		return NULL;
	*out = irt_audit_unhex(d, s, len, sep);
	return d;
}

/* Fields auditd writes hex-encoded when they hold spaces, quotes or
 * control characters (unquoted then). */
static bool
encoded_key(const char *k, size_t kl, const char *type, size_t tl)
{
	static const char *const keys[] = { "name", "path", "cwd", "comm",
		"exe", "proctitle", "key", "data", "cmd", "acct", "ocomm",
		"watch", "dir", "file", "old", "new", NULL };
	size_t i;

	if (kl >= 2 && k[0] == 'a' && k[1] >= '0' && k[1] <= '9')
		return tl == 6 && memcmp(type, "EXECVE", 6) == 0;
	if (kl < 3 || kl > 9)
		return false;
	for (i = 0; keys[i] != NULL; i++)
		if (keys[i][0] == k[0] && strlen(keys[i]) == kl &&
		    memcmp(k, keys[i], kl) == 0)
			return true;
	return false;
}

static int
add_kv(struct sg_event *e, const char *k, size_t kl, const char *v, size_t vl)
{
	struct akv *n;

	if (e->nkv == e->kvcap) {
		size_t cap = e->kvcap ? 2 * e->kvcap : 64;
		if ((n = realloc(e->kv, cap * sizeof *n)) == NULL)
			return -1;
		e->kv = n;
		e->kvcap = cap;
	}
	n = &e->kv[e->nkv++];
	n->rec = (uint32_t)(e->nrec - 1);
	n->k = k;
	n->klen = kl;
	n->v = v;
	n->vlen = vl;
	e->rec[e->nrec - 1].nkv++;
	return 0;
}

/* The end of an unquoted value: its first space or 0x1d.  Most values
 * are short and looked through here; one that is not may be kilobytes
 * of hex, left to memchr. */
static const char *
value_end(const char *p, const char *end)
{
	const char *lim = end - p > 24 ? p + 24 : end, *sp, *gs;

	while (p < lim && *p != ' ' && *p != '\x1d')
		p++;
	if (p < lim || p == end)
		return p;
	if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL)
		sp = end;
	gs = memchr(p, '\x1d', (size_t)(sp - p));
	return gs != NULL ? gs : sp;
}

/* key=value pairs of one record (or of msg='...' inside one). */
static void
parse_pairs(struct sg_event *e, const char *p, const char *end,
    const struct arec *r, int depth)
{
	while (p < end) {
		const char *k, *v, *q;
		size_t kl, vl;
		bool quoted = false;

		while (p < end && (*p == ' ' || *p == '\x1d'))
			p++;
		k = p;
		while (p < end && *p != '=' && *p != ' ' && *p != '\x1d')
			p++;
		if (p >= end || *p != '=') {
			/* a word without a value ("msg=audit(...):") */
			continue;
		}
		kl = (size_t)(p - k);
		v = ++p;
		if (p < end && (*p == '"' || *p == '\'')) {
			char qc = *p;
			v = ++p;
			q = memchr(p, qc, (size_t)(end - p));
			if (q == NULL)
				q = end;
			vl = (size_t)(q - v);
			p = q < end ? q + 1 : end;
			quoted = true;
			if (qc == '\'' && depth == 0) {
				/* msg='op=... exe="..." res=success' */
				parse_pairs(e, v, v + vl, r, 1);
				continue;
			}
		} else {
			p = value_end(p, end);
			vl = (size_t)(p - v);
		}
		if (kl == 0)
			continue;
		if (!quoted && vl >= 2 && vl % 2 == 0 &&
		    encoded_key(k, kl, r->type, r->tlen) &&
		    irt_audit_is_hex(v, vl)) {
			v = unhex(
			    e, v, vl, eq(k, kl, "proctitle") ? ' ' : '\0', &vl);
			e->decoded = true;
		}
		if (v != NULL)
			add_kv(e, k, kl, v, vl);
	}
}

/* The next " | type=" between records: found by its '|', which is
 * rare, where memmem would stop at every space. */
static const char *
next_record(const char *p, const char *end)
{
	static const char sep[] = " | type=";
	const char *q = p;

	while ((q = memchr(q, '|', (size_t)(end - q))) != NULL) {
		if (q > p && (size_t)(end - q) >= sizeof sep - 2 &&
		    memcmp(q - 1, sep, sizeof sep - 1) == 0)
			return q - 1;
		q++;
	}
	return NULL;
}

static void
parse_audit(struct sg_event *e)
{
	const char *p = e->msg, *end = e->msg + e->msg_len, *rs, *re, *t;
	size_t fl;

	e->parsed = true;
	e->decoded = false;
	e->nrec = 0;
	e->nkv = 0;
	/* an event with a command line has it before the records, with
	 * every '|' of it escaped: the records start after the first '|'
	 * (not before a "node=" of the first record) */
	if ((irt_tl_event_field(e->ev, "cmdline", &fl) != NULL ||
	        irt_tl_event_field(e->ev, "proctitle", &fl) != NULL) &&
	    (t = memchr(p, '|', e->msg_len)) != NULL && t + 2 <= end &&
	    t[1] == ' ')
		p = t + 2;
	while (p < end) {
		struct arec *r;
		rs = p;
		re = next_record(p + 1, end);
		if (re == NULL)
			re = end;
		p = re < end ? re + 3 : end;
		if (e->nrec == e->reccap) {
			size_t cap = e->reccap ? 2 * e->reccap : 8;
			struct arec *nr = realloc(e->rec, cap * sizeof *nr);
			if (nr == NULL)
				return;
			e->rec = nr;
			e->reccap = cap;
		}
		r = &e->rec[e->nrec++];
		memset(r, 0, sizeof *r);
		r->kv0 = e->nkv;
		/* a record starts with its type */
		t = (size_t)(re - rs) >= 5 && memcmp(rs, "type=", 5) == 0
		    ? rs
		    : memmem(rs, (size_t)(re - rs), "type=", 5);
		if (t != NULL) {
			r->type = t + 5;
			while (t + 5 + r->tlen < re && t[5 + r->tlen] != ' ')
				r->tlen++;
		} else
			r->type = "";
		parse_pairs(e, rs, re, r, 0);
	}
}

/* The value of key in the first record of type (any record: NULL). */
static const char *
aget(struct sg_event *e, const char *type, const char *key, size_t *len)
{
	size_t i, j, kl = strlen(key), tl = type ? strlen(type) : 0;

	if (!e->parsed)
		parse_audit(e);
	for (i = 0; i < e->nrec; i++) {
		const struct arec *r = &e->rec[i];
		if (type != NULL &&
		    (r->tlen != tl || memcmp(r->type, type, tl) != 0))
			continue;
		for (j = r->kv0; j < r->kv0 + r->nkv; j++)
			if (e->kv[j].klen == kl && e->kv[j].k[0] == key[0] &&
			    memcmp(e->kv[j].k, key, kl) == 0) {
				*len = e->kv[j].vlen;
				return e->kv[j].v;
			}
	}
	return NULL;
}

static bool
has_record(struct sg_event *e, const char *type)
{
	size_t i;

	if (!e->parsed)
		parse_audit(e);
	for (i = 0; i < e->nrec; i++)
		if (eq(e->rec[i].type, e->rec[i].tlen, type))
			return true;
	return false;
}

/* The system call's name: SYSCALL= of auditd's enriched format, else
 * syscall= by number on x86_64. */
static const char *
syscall_name(struct sg_event *e, size_t *len)
{
	const char *v, *arch;
	size_t vl, al;
	unsigned long nr = 0;
	size_t i;

	if ((v = aget(e, "SYSCALL", "SYSCALL", len)) != NULL)
		return v;
	if ((v = aget(e, "SYSCALL", "syscall", &vl)) == NULL || vl == 0 ||
	    vl > 6)
		return NULL;
	arch = aget(e, "SYSCALL", "arch", &al);
	if (arch == NULL || !ieq(arch, al, "c000003e"))
		return NULL;
	for (i = 0; i < vl; i++) {
		if (v[i] < '0' || v[i] > '9')
			return NULL;
		nr = nr * 10 + (unsigned long)(v[i] - '0');
	}
	if ((v = sg_syscall_name(nr)) == NULL)
		return NULL;
	*len = strlen(v);
	return v;
}

/* ---- values ---- */

static int
push(
    struct sg_event *e, struct cache *c, size_t *cap, const char *s, size_t len)
{
	struct sg_val *nv;

	if (s == NULL)
		return 0;
	if (c->n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 4;
		if ((nv = sg_alloc(&e->arena, ncap * sizeof *nv)) == NULL)
			return -1;
		if (c->n > 0)
			memcpy(nv, c->v, c->n * sizeof *nv);
		c->v = nv;
		*cap = ncap;
	}
	c->v[c->n].s = s;
	c->v[c->n].len = len;
	c->v[c->n].lc = NULL;
	c->v[c->n].bits = NULL;
	c->v[c->n].hits = NULL;
	c->v[c->n].nhits = 0;
	c->n++;
	return 0;
}

static const char *
evfield(struct sg_event *e, const char *name, size_t *len)
{
	return irt_tl_event_field(e->ev, name, len);
}

/* EXECVE's arguments joined by spaces, in the order auditd writes them
 * (a0 a1 ...; a long one in parts a1[0] a1[1] ...), in one pass. */
static const char *
execve_cmdline(struct sg_event *e, size_t *len)
{
	struct irt_buf *b = &e->tmp;
	const char *out, *prev = NULL;
	size_t j, prevl = 0;

	if (!e->parsed)
		parse_audit(e);
	irt_buf_clear(b);
	for (j = 0; j < e->nkv; j++) {
		const struct akv *kv = &e->kv[j];
		const struct arec *r = &e->rec[kv->rec];
		size_t d = 1;
		unsigned long n;
		if (!eq(r->type, r->tlen, "EXECVE"))
			continue;
		switch (irt_audit_arg_key(kv->k, kv->klen, &n)) {
		case IRT_AUDIT_ARG:
		case IRT_AUDIT_ARG_PART:
			break;
		default:
			continue; /* argc, a0_len... */
		}
		while (d < kv->klen && kv->k[d] >= '0' && kv->k[d] <= '9')
			d++;
		/* a part of the argument before it: no space */
		if (!(d < kv->klen && prev != NULL && prevl == d &&
		        memcmp(prev, kv->k, d) == 0) &&
		    b->len > 0)
			irt_buf_putc(b, ' ');
		irt_buf_put(b, kv->v, kv->vlen);
		prev = kv->k;
		prevl = d;
	}
	if (b->len == 0)
		return NULL;
	out = sg_strndup(&e->arena, b->ptr, b->len);
	*len = b->len;
	return out;
}

static void
saddr(struct sg_event *e, struct cache *c, size_t *cap, bool port)
{
	const char *v;
	size_t vl, n;
	const unsigned char *b;
	char buf[INET6_ADDRSTRLEN];
	unsigned fam;

	if ((v = aget(e, "SOCKADDR", "saddr", &vl)) == NULL ||
	    !irt_audit_is_hex(v, vl))
		return;
	if ((b = (const unsigned char *)unhex(e, v, vl, 0, &n)) == NULL ||
	    n < 4)
		return;
	fam = b[0] | (unsigned)b[1] << 8;
	if (port && (fam == AF_INET || fam == AF_INET6)) {
		snprintf(buf, sizeof buf, "%u", (unsigned)b[2] << 8 | b[3]);
		push(e, c, cap, sg_strndup(&e->arena, buf, strlen(buf)),
		    strlen(buf));
		return;
	}
	if (port)
		return;
	if (fam == AF_INET && n >= 8)
		inet_ntop(AF_INET, b + 4, buf, sizeof buf);
	else if (fam == AF_INET6 && n >= 24)
		inet_ntop(AF_INET6, b + 8, buf, sizeof buf);
	else
		return;
	push(e, c, cap, sg_strndup(&e->arena, buf, strlen(buf)), strlen(buf));
}

/* Files created: PATH records with nametype=CREATE, made absolute with
 * the CWD record. */
static void
created(struct sg_event *e, struct cache *c, size_t *cap)
{
	const char *cwd, *name, *nt;
	size_t cl = 0, nl, ntl, i, j;

	cwd = aget(e, "CWD", "cwd", &cl);
	for (i = 0; i < e->nrec; i++) {
		const struct arec *r = &e->rec[i];
		if (!eq(r->type, r->tlen, "PATH"))
			continue;
		name = nt = NULL;
		nl = ntl = 0;
		for (j = r->kv0; j < r->kv0 + r->nkv; j++) {
			if (eq(e->kv[j].k, e->kv[j].klen, "name")) {
				name = e->kv[j].v;
				nl = e->kv[j].vlen;
			} else if (eq(e->kv[j].k, e->kv[j].klen, "nametype")) {
				nt = e->kv[j].v;
				ntl = e->kv[j].vlen;
			}
		}
		if (name == NULL || nt == NULL || !eq(nt, ntl, "CREATE"))
			continue;
		if (nl > 0 && name[0] != '/' && cwd != NULL) {
			char *abs = sg_alloc(&e->arena, cl + nl + 2);
			if (abs == NULL)
				return;
			memcpy(abs, cwd, cl);
			abs[cl] = '/';
			memcpy(abs + cl + 1, name, nl);
			push(e, c, cap, abs, cl + nl + 1);
		} else
			push(e, c, cap, name, nl);
	}
}

static bool
creates(struct sg_event *e)
{
	size_t i, j;

	if (!e->parsed)
		parse_audit(e);
	for (i = 0; i < e->nrec; i++) {
		const struct arec *r = &e->rec[i];
		if (!eq(r->type, r->tlen, "PATH"))
			continue;
		for (j = r->kv0; j < r->kv0 + r->nkv; j++)
			if (eq(e->kv[j].k, e->kv[j].klen, "nametype") &&
			    eq(e->kv[j].v, e->kv[j].vlen, "CREATE"))
				return true;
	}
	return false;
}

/* sudo: "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=..." */
static void
sudo_value(struct sg_event *e, struct cache *c, size_t *cap, const char *key)
{
	const char *p = e->msg, *end = e->msg + e->msg_len, *v, *semi;
	size_t kl = strlen(key);

	while ((p = memmem(p, (size_t)(end - p), key, kl)) != NULL) {
		if ((p == e->msg || p[-1] == ' ') && p + kl < end &&
		    p[kl] == '=') {
			v = p + kl + 1;
			/* COMMAND runs to the end of the line */
			semi = eq(key, kl, "COMMAND")
			    ? NULL
			    : memmem(v, (size_t)(end - v), " ; ", 3);
			push(e, c, cap, v,
			    semi ? (size_t)(semi - v) : (size_t)(end - v));
			return;
		}
		p += kl;
	}
}

/* The values auditd had hex-encoded, decoded: "a2=http://x/a b.sh
 * proctitle=curl -s ..." (keywords would miss them in the message). */
static const char *
decoded_text(struct sg_event *e, size_t *len)
{
	struct irt_buf *b = &e->tmp;
	const char *out, *msg_end = e->msg + e->msg_len;
	size_t j;

	irt_buf_clear(b);
	for (j = 0; j < e->nkv; j++) {
		/* values that point into the message were not decoded */
		if (e->kv[j].v >= e->msg && e->kv[j].v < msg_end)
			continue;
		if (b->len > 0)
			irt_buf_putc(b, ' ');
		irt_buf_put(b, e->kv[j].k, e->kv[j].klen);
		irt_buf_putc(b, '=');
		irt_buf_put(b, e->kv[j].v, e->kv[j].vlen);
	}
	out = b->len > 0 ? sg_strndup(&e->arena, b->ptr, b->len) : NULL;
	*len = b->len;
	return out;
}

static const struct proc *
parent_of(struct sg_event *e)
{
	const char *ppid;
	size_t len;
	uint64_t k;
	const struct proc *p;

	if (e->procs == NULL ||
	    (ppid = aget(e, "SYSCALL", "ppid", &len)) == NULL)
		return NULL;
	k = proc_key(e->ev, ppid, len);
	p = &e->procs[k % PROC_SLOTS];
	return p->key == k ? p : NULL;
}

/* Remembers the process of an EXECVE event for its children. */
static void
proc_record(struct sg_event *e)
{
	const char *pid, *exe, *cmd;
	size_t pl, el = 0, cl = 0;
	struct proc *p;
	uint64_t k;

	if ((pid = aget(e, "SYSCALL", "pid", &pl)) == NULL)
		return;
	if (e->procs == NULL &&
	    (e->procs = calloc(PROC_SLOTS, sizeof *e->procs)) == NULL)
		return;
	exe = aget(e, "SYSCALL", "exe", &el);
	if ((cmd = execve_cmdline(e, &cl)) == NULL)
		cmd = aget(e, "PROCTITLE", "proctitle", &cl);
	k = proc_key(e->ev, pid, pl);
	p = &e->procs[k % PROC_SLOTS];
	free(p->exe);
	free(p->cmd);
	p->key = k;
	p->exe = keep(exe, el, &p->exe_len);
	p->cmd = keep(cmd, cl, &p->cmd_len);
}

static void
fill(struct sg_event *e, const struct sg_slot *sl, struct cache *c)
{
	size_t cap = 0, len, i, j;
	const char *v;

	switch (sl->src) {
	case S_MESSAGE:
		push(e, c, &cap, e->msg, e->msg_len);
		if (e->kind == E_AUDIT) {
			if (!e->parsed)
				parse_audit(e);
			if (e->decoded && (v = decoded_text(e, &len)) != NULL)
				push(e, c, &cap, v, len);
		}
		break;
	case S_FIELD:
		if ((v = evfield(e, sl->name, &len)) != NULL)
			push(e, c, &cap, v, len);
		break;
	case S_SUDO:
		if (e->kind == E_SYSLOG)
			sudo_value(e, c, &cap, sl->name);
		break;
	case S_AUDIT:
		if (e->kind != E_AUDIT)
			break;
		if (!e->parsed)
			parse_audit(e);
		if (strcmp(sl->name, "type") == 0) {
			for (i = 0; i < e->nrec; i++)
				push(
				    e, c, &cap, e->rec[i].type, e->rec[i].tlen);
			break;
		}
		len = strlen(sl->name);
		for (j = 0; j < e->nkv; j++)
			if (e->kv[j].klen == len &&
			    e->kv[j].k[0] == sl->name[0] &&
			    memcmp(e->kv[j].k, sl->name, len) == 0)
				push(e, c, &cap, e->kv[j].v, e->kv[j].vlen);
		if (c->n == 0 && strcmp(sl->name, "SYSCALL") == 0 &&
		    (v = syscall_name(e, &len)) != NULL)
			push(e, c, &cap, v, len);
		break;
	case S_IMAGE:
		if (e->kind == E_AUDIT) {
			if ((v = aget(e, "SYSCALL", "exe", &len)) != NULL ||
			    (v = aget(e, NULL, "exe", &len)) != NULL)
				push(e, c, &cap, v, len);
		}
		break;
	case S_CMDLINE:
		if ((v = evfield(e, "commandline", &len)) != NULL &&
		    e->kind != E_SYSLOG) {
			push(e, c, &cap, v, len);
		} else if (e->kind == E_HISTORY) {
			push(e, c, &cap, e->msg, e->msg_len);
		} else if (e->kind == E_AUDIT) {
			if ((v = execve_cmdline(e, &len)) != NULL ||
			    (v = aget(e, "PROCTITLE", "proctitle", &len)) !=
			        NULL)
				push(e, c, &cap, v, len);
		}
		break;
	case S_CWD:
		if (e->kind == E_AUDIT &&
		    (v = aget(e, "CWD", "cwd", &len)) != NULL)
			push(e, c, &cap, v, len);
		break;
	case S_USER:
		if (e->kind != E_AUDIT)
			break;
		if ((v = aget(e, "SYSCALL", "UID", &len)) != NULL) {
			push(e, c, &cap, v, len);
		} else if ((v = aget(e, "SYSCALL", "uid", &len)) != NULL) {
			push(e, c, &cap, v, len);
			if (eq(v, len, "0"))
				push(e, c, &cap, "root", 4);
		}
		break;
	case S_PID:
	case S_PPID:
		if (e->kind == E_AUDIT &&
		    (v = aget(e, "SYSCALL", sl->src == S_PID ? "pid" : "ppid",
		         &len)) != NULL)
			push(e, c, &cap, v, len);
		break;
	case S_TARGET:
		if (e->kind == E_FS) {
			v = irt_tl_event_path(e->ev, &len);
			if (len > 0)
				push(e, c, &cap, v, len);
		} else if (e->kind == E_AUDIT) {
			if (!e->parsed)
				parse_audit(e);
			created(e, c, &cap);
		}
		break;
	case S_DST_IP:
	case S_DST_PORT:
		if (e->kind == E_AUDIT)
			saddr(e, c, &cap, sl->src == S_DST_PORT);
		break;
	case S_PARENT_IMAGE:
	case S_PARENT_CMDLINE:
		if (e->kind == E_AUDIT) {
			const struct proc *p = parent_of(e);
			if (p != NULL && sl->src == S_PARENT_IMAGE && p->exe)
				push(e, c, &cap, p->exe, p->exe_len);
			else if (p != NULL && sl->src == S_PARENT_CMDLINE &&
			    p->cmd)
				push(e, c, &cap, p->cmd, p->cmd_len);
		}
		break;
	case S_INITIATED:
		if (e->kind == E_AUDIT && has_record(e, "SOCKADDR") &&
		    (v = syscall_name(e, &len)) != NULL &&
		    eq(v, len, "connect"))
			push(e, c, &cap, "true", 4);
		break;
	}
}

/* The anchors of the prefilter in a value (see sigma-ac.c). */
#define HITS_MAX 64

static void
scan(struct sg_event *e, struct sg_val *v)
{
	size_t nb = ((size_t)sg_ac_count(e->ac) + 7) / 8;
	uint8_t *bits = sg_alloc(&e->arena, nb);
	int *hits = sg_alloc(&e->arena, HITS_MAX * sizeof *hits);

	if (bits == NULL || hits == NULL)
		return;
	memset(bits, 0, nb);
	v->nhits = 0;
	sg_ac_scan(
	    e->ac, v->lc, v->len, bits, hits, &v->nhits, HITS_MAX, e->counts);
	v->bits = bits;
	v->hits = hits;
}

static const char *
lower_msg(struct sg_event *e)
{
	char *lc = sg_alloc(&e->arena, e->msg_len + 1);

	if (lc != NULL)
		sg_lower(lc, e->msg, e->msg_len);
	return lc;
}

const struct sg_val *
sg_event_values(struct sg_event *e, int slot, size_t *n)
{
	struct cache *c;
	size_t i;

	if (slot < 0 || (size_t)slot >= e->fm->n) {
		*n = 0;
		return NULL;
	}
	if ((size_t)slot >= e->ncache) {
		size_t nc = e->fm->n;
		struct cache *cc = realloc(e->cache, nc * sizeof *cc);
		if (cc == NULL) {
			*n = 0;
			return NULL;
		}
		memset(cc + e->ncache, 0, (nc - e->ncache) * sizeof *cc);
		e->cache = cc;
		e->ncache = nc;
	}
	c = &e->cache[slot];
	if (c->gen != e->gen) {
		c->gen = e->gen;
		c->n = 0;
		c->v = NULL;
		c->scanned = false;
		c->fills++;
		fill(e, &e->fm->slots[slot], c);
		for (i = 0; i < c->n; i++) {
			const char *s = c->v[i].s;
			char *lc;
			/* a value within the message: within its copy */
			if (s >= e->msg &&
			    s + c->v[i].len <= e->msg + e->msg_len &&
			    e->msg_len > 0) {
				if (e->msg_lc == NULL &&
				    (e->msg_lc = lower_msg(e)) == NULL) {
					c->n = (uint32_t)i;
					break;
				}
				c->v[i].lc = e->msg_lc + (s - e->msg);
			} else {
				if ((lc = sg_alloc(
				         &e->arena, c->v[i].len + 1)) == NULL) {
					c->n = (uint32_t)i;
					break;
				}
				sg_lower(lc, s, c->v[i].len);
				c->v[i].lc = lc;
			}
			c->bytes += c->v[i].len;
		}
	}
	*n = c->n;
	return c->v;
}

const struct sg_val *
sg_event_scanned(struct sg_event *e, int slot, size_t *n)
{
	const struct sg_val *v = sg_event_values(e, slot, n);
	struct cache *c;
	size_t i;

	if (v == NULL || e->ac == NULL)
		return v;
	c = &e->cache[slot];
	if (!c->scanned) {
		c->scanned = true;
		c->scans++;
		for (i = 0; i < c->n; i++)
			scan(e, &c->v[i]);
	}
	return c->v;
}

void
sg_event_slot_stats(
    const struct sg_event *e, int slot, struct sg_slot_stats *st)
{
	memset(st, 0, sizeof *st);
	if (slot >= 0 && (size_t)slot < e->ncache) {
		st->bytes = e->cache[slot].bytes;
		st->fills = e->cache[slot].fills;
		st->scans = e->cache[slot].scans;
	}
}

/* ---- classes of an event ---- */

static bool
auth_program(const char *id, size_t len)
{
	static const char *const progs[] = { "sshd", "sshd-session", "sudo",
		"su", "login", "passwd", "useradd", "userdel", "usermod",
		"groupadd", "groupdel", "groupmod", "chpasswd", "chage",
		"gpasswd", "chsh", "chfn", "newgrp", "systemd-logind",
		"polkitd", "pkexec", "unix_chkpwd", "sssd", "gdm-password",
		"lightdm", NULL };
	size_t i;

	for (i = 0; progs[i] != NULL; i++)
		if (eq(id, len, progs[i]))
			return true;
	return false;
}

static bool
auth_file(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	return strncmp(b, "auth.log", 8) == 0 || strncmp(b, "secure", 6) == 0;
}

uint32_t
sg_event_begin(struct sg_event *e, const struct irt_tl_event *ev)
{
	const char *type = irt_tl_event_type(ev), *id, *at;
	uint32_t m = 0;
	size_t il, al;

	e->ev = ev;
	if (++e->gen == 0) {
		/* the generation wrapped: forget every cached value */
		memset(e->cache, 0, e->ncache * sizeof *e->cache);
		e->gen = 1;
	}
	sg_arena_reset(&e->arena);
	e->parsed = false;
	e->msg = irt_tl_event_message(ev, &e->msg_len);
	e->msg_lc = NULL;
	/* every syslog type: line, sshd, sudo, cron, comment... */
	if (strncmp(type, "syslog:", 7) == 0 ||
	    strcmp(type, "systemd:journal") == 0) {
		e->kind = E_SYSLOG;
		m = 1u << CL_LINUX | 1u << CL_SYSLOG;
		if ((id = evfield(e, "ident", &il)) == NULL)
			il = 0, id = "";
		if (eq(id, il, "sshd") || eq(id, il, "sshd-session"))
			m |= 1u << CL_SSHD;
		else if (eq(id, il, "sudo"))
			m |= 1u << CL_SUDO;
		else if (ieq(id, il, "cron") || eq(id, il, "crond") ||
		    eq(id, il, "anacron") || eq(id, il, "crontab"))
			m |= 1u << CL_CRON;
		else if (eq(id, il, "vsftpd"))
			m |= 1u << CL_VSFTPD;
		else if (eq(id, il, "clamd") || eq(id, il, "freshclam") ||
		    eq(id, il, "clamav-milter") || eq(id, il, "clamonacc"))
			m |= 1u << CL_CLAMAV;
		else if (eq(id, il, "guacd"))
			m |= 1u << CL_GUACAMOLE;
		if (auth_program(id, il) || auth_file(irt_tl_event_file(ev)) ||
		    ((at = evfield(e, "facility", &al)) != NULL &&
		        (eq(at, al, "4") || eq(at, al, "10"))))
			m |= 1u << CL_AUTH;
	} else if (strcmp(type, "linux:audit") == 0) {
		e->kind = E_AUDIT;
		m = 1u << CL_AUDITD;
		at = evfield(e, "audit_type", &al);
		if (at == NULL || has_word(at, al, "EXECVE"))
			m |= 1u << CL_PROC;
		if (at == NULL || has_word(at, al, "SOCKADDR"))
			m |= 1u << CL_NET;
		if (at == NULL || has_word(at, al, "PATH"))
			m |= 1u << CL_FILE;
		/* without audit_type: what the records hold */
		if (at == NULL && !has_record(e, "EXECVE"))
			m &= ~(1u << CL_PROC);
		/* a connection is a connect() with its address */
		if ((m & 1u << CL_NET) &&
		    (!has_record(e, "SOCKADDR") ||
		        (id = syscall_name(e, &il)) == NULL ||
		        !eq(id, il, "connect")))
			m &= ~(1u << CL_NET);
		/* a file event is a file created */
		if ((m & 1u << CL_FILE) && !creates(e))
			m &= ~(1u << CL_FILE);
		if ((m & 1u << CL_PROC) && e->fm->parent)
			proc_record(e);
	} else if (strcmp(type, "bash:history") == 0 ||
	    strcmp(type, "zsh:history") == 0) {
		e->kind = E_HISTORY;
		m = 1u << CL_LINUX | 1u << CL_PROC;
	} else if (strcmp(type, "fs:stat") == 0) {
		e->kind = E_FS;
		m = 1u << CL_FILE;
	} else
		e->kind = E_OTHER;
	return m;
}
