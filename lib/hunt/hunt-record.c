/*
 * A hunt recorded in a case: hunts/YYYY/MM/DD/<id>/record (key =
 * value: what was hunted with and where, the counts) and
 * hunts/YYYY/MM/DD/<id>/hits.jsonl (irt_hunt_hit_json lines), in one
 * commit (irt-case(5)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/hunt.h"
#include "irt/kv.h"
#include "case/records.h"
#include "hunt-int.h"

#define HUNT_DIR "hunts"

int
irt_hunt_record(struct irt_case *c, char id_out[32],
    const struct irt_kv *record, const struct irt_buf *hits,
    const char *message, const struct irt_ident *who)
{
	struct irt_kv kv = IRT_KV_INIT;
	struct irt_buf rec = IRT_BUF_INIT, dir = IRT_BUF_INIT,
	               p1 = IRT_BUF_INIT, p2 = IRT_BUF_INIT,
	               subject = IRT_BUF_INIT;
	const char *n;
	char id[32];
	size_t i;
	int rc, tries;

	for (tries = 0; tries < 5; tries++) {
		if ((rc = irt_id_new(id)) != 0)
			break;
		irt_kv_release(&kv);
		rc = irt_kv_add(&kv, "id", id);
		for (i = 0; rc == 0 && record != NULL && i < record->n; i++)
			rc = irt_kv_addn(&kv, record->v[i].key,
			    record->v[i].value, record->v[i].value_len);
		irt_buf_clear(&rec);
		if (rc != 0 || (rc = irt_kv_write(&rec, &kv)) != 0 ||
		    (rc = hunt_shard_path(&dir, HUNT_DIR, id, "")) != 0)
			break;
		irt_buf_clear(&p1);
		irt_buf_clear(&p2);
		irt_buf_printf(&p1, "%s/record", dir.ptr);
		irt_buf_printf(&p2, "%s/hits.jsonl", dir.ptr);
		n = irt_kv_get(&kv, "hits");
		irt_buf_clear(&subject);
		irt_buf_printf(&subject, "hunt: %s hits", n ? n : "0");
		{
			struct irt_case_file f[2] = {
				{ p1.ptr, rec.ptr, rec.len },
				{ p2.ptr, hits && hits->ptr ? hits->ptr : "",
				    hits ? hits->len : 0 },
			};
			struct irt_trailer tr[3] = {
				{ "Irt-Action", "hunt" },
				{ "Irt-Hunt", id },
				{ "Irt-Hits", n ? n : "0" },
			};
			rc = irt_case_commit(
			    c, NULL, f, 2, 0, subject.ptr, message, tr, 3, who);
		}
		if (rc != IRT_EEXISTS)
			break;
	}
	if (rc == 0)
		memcpy(id_out, id, 32);
	irt_kv_release(&kv);
	irt_buf_release(&rec);
	irt_buf_release(&dir);
	irt_buf_release(&p1);
	irt_buf_release(&p2);
	irt_buf_release(&subject);
	return rc;
}

int
irt_hunt_count(struct irt_case *c, uint64_t *hunts, uint64_t *hits)
{
	struct irt_buf p = IRT_BUF_INIT, b = IRT_BUF_INIT;
	char **y = NULL, **m = NULL, **d = NULL, **ids = NULL;
	size_t a, bb, cc, e;
	int rc;

	*hunts = *hits = 0;
	if ((rc = irt_case_list(c, &y, HUNT_DIR)) != 0)
		return rc;
	for (a = 0; y[a] && rc == 0; a++) {
		irt_buf_clear(&p);
		irt_buf_printf(&p, HUNT_DIR "/%s", y[a]);
		if ((rc = irt_case_list(c, &m, p.ptr)) != 0)
			break;
		for (bb = 0; m[bb] && rc == 0; bb++) {
			irt_buf_clear(&p);
			irt_buf_printf(&p, HUNT_DIR "/%s/%s", y[a], m[bb]);
			if ((rc = irt_case_list(c, &d, p.ptr)) != 0)
				break;
			for (cc = 0; d[cc] && rc == 0; cc++) {
				irt_buf_clear(&p);
				irt_buf_printf(&p, HUNT_DIR "/%s/%s/%s", y[a],
				    m[bb], d[cc]);
				if ((rc = irt_case_list(c, &ids, p.ptr)) != 0)
					break;
				for (e = 0; ids[e] && rc == 0; e++) {
					struct irt_kv kv = IRT_KV_INIT;
					const char *n;
					irt_buf_clear(&p);
					irt_buf_printf(&p,
					    HUNT_DIR "/%s/%s/%s/%s/record",
					    y[a], m[bb], d[cc], ids[e]);
					irt_buf_clear(&b);
					if (irt_case_read(c, &b, p.ptr) != 0)
						continue;
					(*hunts)++;
					if (irt_kv_parse(&kv, b.ptr, b.len,
					        p.ptr) == 0 &&
					    (n = irt_kv_get(&kv, "hits")) !=
					        NULL)
						*hits += strtoull(n, NULL, 10);
					irt_kv_release(&kv);
				}
				irt_strv_free(ids);
				ids = NULL;
			}
			irt_strv_free(d);
			d = NULL;
		}
		irt_strv_free(m);
		m = NULL;
	}
	irt_strv_free(y);
	irt_buf_release(&p);
	irt_buf_release(&b);
	return rc;
}

/* irt case verify: a hunt record parses and names its id. */
int
irt_hunt_check(const char *path, const char *data, size_t len)
{
	struct irt_kv kv = IRT_KV_INIT;
	const char *id, *hits;
	int rc;

	if ((rc = irt_kv_parse(&kv, data, len, path)) != 0)
		return rc;
	id = irt_kv_get(&kv, "id");
	hits = irt_kv_get(&kv, "hits");
	if (id == NULL || strstr(path, id) == NULL)
		rc = irt_error_set(IRT_EPARSE,
		    "%s: no id, or not the one of "
		    "its folder",
		    irt_esc(path));
	else if (hits != NULL && strspn(hits, "0123456789") != strlen(hits))
		rc = irt_error_set(
		    IRT_EPARSE, "%s: hits is not a number", irt_esc(path));
	irt_kv_release(&kv);
	return rc;
}
