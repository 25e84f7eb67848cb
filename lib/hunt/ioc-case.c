/*
 * The IOC register of a case: iocs/YYYY/MM/DD/<id>.ioc, one file per
 * IOC so that responders adding IOCs at the same time never conflict,
 * one commit per add, import or retire (irt-case(5)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/ioc.h"
#include "irt/timefmt.h"
#include "case/records.h"
#include "hunt-int.h"

int
hunt_shard_path(
    struct irt_buf *out, const char *dir, const char *id, const char *ext)
{
	irt_buf_clear(out);
	return irt_case_shard_path(out, dir, id, ext);
}

/* ---- loading ---- */

struct load {
	struct irt_ioc_set *out;
	bool all;
	int rc;
};

static int
load_one(const struct irt_case_record *r, void *arg)
{
	struct load *l = arg;
	struct irt_ioc ioc;
	int rc;

	if ((rc = irt_ioc_read(&ioc, r->data, r->len, r->path)) != 0) {
		/* a broken record does not hide the others */
		l->rc = rc;
		return 0;
	}
	if (l->all || !ioc.retired)
		rc = irt_ioc_set_push(l->out, &ioc);
	irt_ioc_release(&ioc);
	return rc;
}

int
irt_ioc_load(struct irt_case *c, struct irt_ioc_set *out, bool all)
{
	struct load l = { out, all, 0 };

	return irt_case_foreach_record(
	    c, IRT_IOC_DIR, IRT_IOC_SUFFIX, load_one, &l);
}

int
irt_ioc_get(struct irt_case *c, struct irt_ioc *out, const char *prefix)
{
	struct irt_ioc_set s = IRT_IOC_SET_INIT;
	size_t i, found = 0, at = 0, plen = strlen(prefix);
	int rc;

	if (plen == 0)
		return irt_error_set(IRT_EINVAL, "empty IOC id");
	if ((rc = irt_ioc_load(c, &s, true)) != 0) {
		irt_ioc_set_release(&s);
		return rc;
	}
	for (i = 0; i < s.n; i++)
		if (strncmp(s.v[i].id, prefix, plen) == 0) {
			if (s.v[i].id[plen] == '\0') {
				found = 1;
				at = i;
				break;
			}
			found++;
			at = i;
		}
	if (found == 0)
		rc = irt_error_set(
		    IRT_ENOTFOUND, "no IOC '%s' in the case", irt_esc(prefix));
	else if (found > 1)
		rc = irt_error_set(IRT_EAMBIGUOUS,
		    "IOC id '%s' is ambiguous (%zu IOCs)", irt_esc(prefix),
		    found);
	else {
		*out = s.v[at];
		memset(&s.v[at], 0, sizeof s.v[at]);
	}
	irt_ioc_set_release(&s);
	return rc;
}

/* ---- writing ---- */

struct idset {
	char (*v)[32];
	size_t n;
};

static bool
id_taken(const struct idset *ids, const char *id)
{
	size_t i;

	for (i = 0; i < ids->n; i++)
		if (strcmp(ids->v[i], id) == 0)
			return true;
	return false;
}

int
irt_ioc_register(struct irt_case *c, struct irt_ioc_set *s, const char *action,
    const char *message, const struct irt_ident *who, size_t *added,
    size_t *dups)
{
	struct irt_ioc_set have = IRT_IOC_SET_INIT;
	struct irt_case_file *files = NULL;
	struct irt_buf *bufs = NULL, *paths = NULL, subject = IRT_BUF_INIT;
	struct irt_trailer tr[3];
	struct idset ids = { NULL, 0 };
	char when[IRT_TIME_MAX], *by = NULL, count[32];
	size_t i, n = 0, ndup = 0, ntr = 0;
	int rc;

	if ((rc = irt_case_lock(c)) != 0)
		return rc;
	if ((rc = irt_ioc_load(c, &have, false)) != 0)
		goto out;
	files = calloc(s->n ? s->n : 1, sizeof *files);
	bufs = calloc(s->n ? s->n : 1, sizeof *bufs);
	paths = calloc(s->n ? s->n : 1, sizeof *paths);
	ids.v = calloc(s->n ? s->n : 1, sizeof *ids.v);
	by = irt_ident_format(who);
	if (files == NULL || bufs == NULL || paths == NULL || ids.v == NULL ||
	    by == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	irt_time_format(when, irt_now(), 0);
	for (i = 0; i < s->n; i++) {
		struct irt_ioc *ioc = &s->v[i];
		if (irt_ioc_set_find(&have, ioc->type, ioc->value) >= 0) {
			long k = irt_ioc_set_find(&have, ioc->type, ioc->value);
			memcpy(ioc->id, have.v[k].id, sizeof ioc->id);
			ndup++;
			continue;
		}
		do {
			if ((rc = irt_id_new(ioc->id)) != 0)
				goto out;
		} while (id_taken(&ids, ioc->id));
		memcpy(ids.v[ids.n++], ioc->id, 32);
		free(ioc->added);
		free(ioc->added_by);
		ioc->added = strdup(when);
		ioc->added_by = strdup(by);
		ioc->retired = false;
		if (ioc->added == NULL || ioc->added_by == NULL) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = irt_ioc_write(&bufs[n], ioc)) != 0 ||
		    (rc = hunt_shard_path(
		         &paths[n], IRT_IOC_DIR, ioc->id, IRT_IOC_SUFFIX)) != 0)
			goto out;
		files[n].path = paths[n].ptr;
		files[n].data = bufs[n].ptr;
		files[n].len = bufs[n].len;
		n++;
	}
	if (n > 0) {
		if (n == 1) {
			const struct irt_ioc *one = NULL;
			for (i = 0; i < s->n; i++)
				if (strcmp(s->v[i].id, ids.v[0]) == 0)
					one = &s->v[i];
			irt_buf_printf(&subject, "ioc: add %s %s",
			    irt_ioc_type_name(one->type), one->value);
			if (subject.len > 100) {
				subject.len = 97;
				while (subject.len > 0 &&
				    ((unsigned char)subject.ptr[subject.len] &
				        0xc0) == 0x80)
					subject.len--;
				subject.ptr[subject.len] = '\0';
				irt_buf_puts(&subject, "...");
			}
		} else
			irt_buf_printf(&subject, "ioc: %s %zu IOCs",
			    strcmp(action, "ioc-import") == 0 ? "import"
			                                      : "add",
			    n);
		snprintf(count, sizeof count, "%zu", n);
		tr[ntr++] = (struct irt_trailer){ "Irt-Action", action };
		if (n == 1)
			tr[ntr++] = (struct irt_trailer){ "Irt-Ioc", ids.v[0] };
		tr[ntr++] = (struct irt_trailer){ "Irt-Iocs", count };
		rc = irt_case_commit(
		    c, NULL, files, n, 0, subject.ptr, message, tr, ntr, who);
	}
out:
	if (rc != 0)
		for (i = 0; i < s->n; i++)
			s->v[i].id[0] = '\0';
	if (rc == 0 && added)
		*added = n;
	if (rc == 0 && dups)
		*dups = ndup;
	irt_case_unlock(c);
	for (i = 0; bufs && paths && i < s->n; i++) {
		irt_buf_release(&bufs[i]);
		irt_buf_release(&paths[i]);
	}
	free(bufs);
	free(paths);
	free(files);
	free(ids.v);
	free(by);
	irt_buf_release(&subject);
	irt_ioc_set_release(&have);
	return rc;
}

int
irt_ioc_retire(struct irt_case *c, const char *prefix, const char *why,
    const struct irt_ident *who, char id_out[32])
{
	struct irt_ioc ioc;
	struct irt_buf file = IRT_BUF_INIT, path = IRT_BUF_INIT,
	               subject = IRT_BUF_INIT;
	char when[IRT_TIME_MAX];
	int rc;

	if (why == NULL || *why == '\0')
		return irt_error_set(
		    IRT_EINVAL, "retiring an IOC needs a reason");
	if ((rc = irt_case_lock(c)) != 0)
		return rc;
	if ((rc = irt_ioc_get(c, &ioc, prefix)) != 0) {
		irt_case_unlock(c);
		return rc;
	}
	if (ioc.retired) {
		rc = irt_error_set(
		    IRT_EINVAL, "IOC %s is already retired", ioc.id);
		goto out;
	}
	ioc.retired = true;
	irt_time_format(when, irt_now(), 0);
	ioc.retired_at = strdup(when);
	ioc.retired_by = irt_ident_format(who);
	ioc.retired_why = strdup(why);
	if (ioc.retired_at == NULL || ioc.retired_by == NULL ||
	    ioc.retired_why == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = irt_ioc_write(&file, &ioc)) != 0 ||
	    (rc = hunt_shard_path(
	         &path, IRT_IOC_DIR, ioc.id, IRT_IOC_SUFFIX)) != 0)
		goto out;
	irt_buf_printf(&subject, "ioc: retire %s", ioc.id);
	{
		struct irt_case_file f = { path.ptr, file.ptr, file.len };
		struct irt_trailer tr[2] = {
			{ "Irt-Action", "ioc-retire" },
			{ "Irt-Ioc", ioc.id },
		};
		rc = irt_case_commit(
		    c, NULL, &f, 1, 1, subject.ptr, why, tr, 2, who);
	}
	if (rc == 0)
		memcpy(id_out, ioc.id, 32);
out:
	irt_case_unlock(c);
	irt_ioc_release(&ioc);
	irt_buf_release(&file);
	irt_buf_release(&path);
	irt_buf_release(&subject);
	return rc;
}

/* irt case verify: an IOC record parses, its value is valid for its
 * type and its id matches its path. */
int
irt_ioc_check(const char *path, const char *data, size_t len)
{
	struct irt_ioc ioc;
	struct irt_buf want = IRT_BUF_INIT, canon = IRT_BUF_INIT;
	enum irt_ioc_type t;
	int rc;

	if ((rc = irt_ioc_read(&ioc, data, len, path)) != 0)
		return rc;
	t = ioc.type;
	if ((rc = hunt_shard_path(
	         &want, IRT_IOC_DIR, ioc.id, IRT_IOC_SUFFIX)) != 0 ||
	    strcmp(want.ptr, path) != 0)
		rc = irt_error_set(IRT_EPARSE,
		    "%s: id %s does not match the path", irt_esc(path),
		    irt_esc(ioc.id));
	else if (irt_ioc_normalize(&canon, &t, ioc.value) != 0) {
		/* the message is rewritten in place: copy it first */
		char *why = strdup(irt_error_last());
		rc = irt_error_set(IRT_EPARSE, "%s: %s", irt_esc(path),
		    why ? why : "invalid value");
		free(why);
	}
	irt_buf_release(&want);
	irt_buf_release(&canon);
	irt_ioc_release(&ioc);
	return rc;
}
