/*
 * CRI container logs, as the kubelet and containerd write them under
 * /var/log/pods/NAMESPACE_POD_UID/CONTAINER/N.log (linked from
 * /var/log/containers/POD_NAMESPACE_CONTAINER-ID.log):
 * "2024-05-01T10:00:00.123456789Z stdout F message".  A line of tag P
 * is a part: the parts up to the next F line of the same stream are one
 * message, at the time of the first.  Pod, namespace, container and
 * container id come from the path.
 */
#include <string.h>

#include "irt/error.h"
#include "tl-internal.h"

static const struct tl_dtype dt_log = { "cri:container:log", "Recorded Time",
	"LOG" };
static const struct tl_dtype *const types[] = { &dt_log, NULL };

enum { F_STREAM, F_POD, F_NAMESPACE, F_CONTAINER, F_CONTAINER_ID };

static const char *const fields[] = { [F_STREAM] = "stream",
	[F_POD] = "pod",
	[F_NAMESPACE] = "namespace",
	[F_CONTAINER] = "container",
	[F_CONTAINER_ID] = "container_id",
	NULL };

struct span {
	const char *s;
	size_t n;
};

struct pend {
	struct irt_buf b;
	irt_ns t;
	uint64_t line;
	bool open;
};

struct cri {
	struct span pod, ns, container, id;
	struct pend pend[2]; /* stdout, stderr */
};

static int
emit(struct tl_pctx *p, const struct cri *c, int si, irt_ns t, const char *msg,
    size_t len)
{
	struct tl_ev e;

	tl_ev_init(&e, 0, t);
	e.msg = msg;
	e.msg_len = len;
	tl_ev_adds(&e, F_STREAM, si == 0 ? "stdout" : "stderr");
	if (c->pod.n)
		tl_ev_add(&e, F_POD, c->pod.s, c->pod.n);
	if (c->ns.n)
		tl_ev_add(&e, F_NAMESPACE, c->ns.s, c->ns.n);
	if (c->container.n)
		tl_ev_add(&e, F_CONTAINER, c->container.s, c->container.n);
	if (c->id.n)
		tl_ev_add(&e, F_CONTAINER_ID, c->id.s, c->id.n);
	return tl_emit(p, &e);
}

static int
flush(struct tl_pctx *p, struct cri *c, int si)
{
	struct pend *pd = &c->pend[si];
	uint64_t keep = p->line;
	int rc;

	if (!pd->open)
		return 0;
	p->line = pd->line;
	rc = emit(p, c, si, pd->t, pd->b.ptr, pd->b.len);
	p->line = keep;
	pd->open = false;
	irt_buf_clear(&pd->b);
	return rc;
}

/* The RFC 3339 time a CRI line starts with, its length in *n: 0, -1 for
 * other text, IRT_EINVAL for a time out of range or that cannot be. */
static int
cri_time(const char *s, size_t len, irt_ns *t, size_t *n)
{
	const char *sp = memchr(s, ' ', len);
	char buf[64];

	*n = sp ? (size_t)(sp - s) : len;
	if (*n < 20 || *n >= sizeof buf || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || memchr(s, '\0', *n) != NULL)
		return -1;
	memcpy(buf, s, *n);
	buf[*n] = '\0';
	return irt_time_parse(t, buf) == 0 ? 0 : IRT_EINVAL;
}

static int
cri_line(struct tl_pctx *p, struct cri *c, const char *line, size_t len)
{
	const char *s, *end = line + len, *w, *msg;
	size_t n, wl, ml;
	struct pend *pd;
	irt_ns t;
	int si, rc;
	bool part;

	if (len == 0)
		return 0;
	if ((rc = cri_time(line, len, &t, &n)) == -1)
		return tl_warn_line(p, "not a CRI log line, skipped");
	if (rc != 0)
		return tl_warn_line(p, "%s, line skipped", irt_error_last());
	s = line + n;
	w = tl_word(&s, end, &wl);
	if (wl == 6 && memcmp(w, "stdout", 6) == 0)
		si = 0;
	else if (wl == 6 && memcmp(w, "stderr", 6) == 0)
		si = 1;
	else
		return tl_warn_line(
		    p, "no stream (stdout, stderr) in CRI log line, skipped");
	/* the tag: F (full) or P (partial), with more after ':' */
	w = tl_word(&s, end, &wl);
	if (wl == 0 || (w[0] != 'F' && w[0] != 'P') || (wl > 1 && w[1] != ':'))
		return tl_warn_line(
		    p, "no tag (F, P) in CRI log line, skipped");
	part = w[0] == 'P';
	/* one space, then the message as it is */
	msg = s < end ? s + 1 : end;
	ml = (size_t)(end - msg);
	pd = &c->pend[si];
	if (!part && !pd->open)
		return emit(p, c, si, t, msg, ml);
	if (!pd->open) {
		pd->open = true;
		pd->t = t;
		pd->line = p->line;
	}
	rc = 0;
	if (pd->b.len + ml > TL_LINE_MAX) {
		rc = tl_warn_line(
		    p, "message longer than %u bytes, cut", TL_LINE_MAX);
		ml = TL_LINE_MAX - pd->b.len;
		part = false;
	}
	if (irt_buf_put(&pd->b, msg, ml) != 0)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if (rc == 0 && !part)
		rc = flush(p, c, si);
	return rc;
}

/* Splits s at the first n-1 of sep: parts[0..n-1]; 0 unless all found. */
static int
split(struct span *parts, int n, const char *s, size_t len, char sep)
{
	const char *e = s + len, *q;
	int i;

	for (i = 0; i < n - 1; i++) {
		if ((q = memchr(s, sep, (size_t)(e - s))) == NULL)
			return -1;
		parts[i].s = s;
		parts[i].n = (size_t)(q - s);
		s = q + 1;
	}
	parts[n - 1].s = s;
	parts[n - 1].n = (size_t)(e - s);
	return 0;
}

/* What the path tells: .../pods/NS_POD_UID/CONTAINER/N.log, or
 * .../containers/POD_NS_CONTAINER-ID.log. */
static void
from_path(struct cri *c, const char *file)
{
	const char *base = strrchr(file, '/'), *dir, *pdir, *q;
	struct span v[3];
	size_t bl;

	if (base == NULL)
		return;
	base++;
	for (dir = base - 1; dir > file && dir[-1] != '/'; dir--)
		;
	if (dir > file + 1) {
		for (pdir = dir - 1; pdir > file && pdir[-1] != '/'; pdir--)
			;
		/* pods/NS_POD_UID/CONTAINER/ */
		if (pdir >= file + 5 && memcmp(pdir - 5, "pods/", 5) == 0 &&
		    split(v, 3, pdir, (size_t)(dir - 1 - pdir), '_') == 0) {
			c->ns = v[0];
			c->pod = v[1];
			c->container.s = dir;
			c->container.n = (size_t)(base - 1 - dir);
			return;
		}
	}
	/* containers/POD_NS_CONTAINER-ID.log */
	bl = strlen(base);
	if (strncmp(dir, "containers/", 11) == 0 && bl > 4 &&
	    strcmp(base + bl - 4, ".log") == 0 &&
	    split(v, 3, base, bl - 4, '_') == 0) {
		c->pod = v[0];
		c->ns = v[1];
		c->container = v[2];
		for (q = v[2].s + v[2].n; q > v[2].s && q[-1] != '-'; q--)
			;
		if (q > v[2].s) {
			c->container.n = (size_t)(q - 1 - v[2].s);
			c->id.s = q;
			c->id.n = (size_t)(v[2].s + v[2].n - q);
		}
	}
}

static int
parse_cri(struct tl_pctx *p, struct tl_stream *s)
{
	const struct tl_src *src = tl_src_get(p->tl, p->src);
	struct tl_lines lr;
	struct cri c;
	const char *line;
	size_t len;
	int rc, i;

	memset(&c, 0, sizeof c);
	if (src != NULL && src->file != NULL)
		from_path(&c, src->file);
	tl_lines_init(&lr, s, p);
	while ((rc = tl_lines_next(&lr, &line, &len)) == 1)
		if ((rc = cri_line(p, &c, line, len)) != 0)
			break;
	/* parts the file ends in */
	for (i = 0; i < 2; i++) {
		if (rc == 0)
			rc = flush(p, &c, i);
		irt_buf_release(&c.pend[i].b);
	}
	tl_lines_free(&lr);
	return rc < 0 ? rc : 0;
}

static bool
by_name(const char *name, const char *path)
{
	size_t n = strlen(name);

	if (n < 5 || strstr(name, ".log") == NULL)
		return false;
	return strstr(path, "/log/pods/") != NULL ||
	    (strstr(path, "/log/containers/") != NULL &&
	        strcmp(name + n - 4, ".log") == 0);
}

/*
 * "2024-05-01T10:00:00.123456789Z stdout F ...": sure when the time
 * parses, as a magic number, since the message may be a line that
 * another kind (an access log, syslog) would say yes to.
 */
static int
by_content(const struct tl_head *h)
{
	const char *d = h->line, *sp;
	size_t n = h->line_len, k;
	irt_ns t;

	if (n < 30 || d[4] != '-' || d[10] != 'T' || d[13] != ':' ||
	    tl_num(d, 4) < 0 || (sp = memchr(d, ' ', n)) == NULL ||
	    cri_time(d, n, &t, &k) != 0)
		return TL_NO;
	k = (size_t)(sp - d);
	if (n - k < 10 ||
	    (memcmp(sp, " stdout ", 8) != 0 &&
	        memcmp(sp, " stderr ", 8) != 0) ||
	    (sp[8] != 'F' && sp[8] != 'P') ||
	    (n - k > 9 && sp[9] != ' ' && sp[9] != ':'))
		return TL_NO;
	return TL_SURE;
}

const struct tl_source tl_source_cri = {
	.name = "cri",
	.fields = fields,
	.types = types,
	.by_name = by_name,
	.by_content = by_content,
	.parse = parse_cri,
};
