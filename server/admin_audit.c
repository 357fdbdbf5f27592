/*
 * comptoir.admin.Admin/ListAudit: the audit log, newest first, filtered by
 * user, method prefix and period, paged by id. Row-level security limits it
 * to the current company's rows and the installation-wide ones.
 */
#include "db.h"
#include "handlers.h"

#include "admin.pb-c.h"

#include <stdlib.h>
#include <string.h>

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000
#define PAGE_OFFSET_MAX 100000000u
/* 9999-12-31: beyond, to_timestamp() fails. */
#define TIME_MAX 253402300799LL

static const char SQL_AUDIT_PAGE[] =
    "SELECT a.id, (extract(epoch FROM a.at) * 1000000)::bigint, coalesce(a.user_id, 0),"
    " coalesce(u.login, ''), coalesce(a.company_id, 0), a.method, a.target,"
    " array_to_string(a.row_ids, ','), a.detail::text"
    " FROM audit_log a LEFT JOIN app_user u ON u.id = a.user_id"
    " WHERE ($1::bigint = 0 OR a.user_id = $1::bigint)"
    " AND ($2 = '' OR starts_with(a.method, $2))"
    " AND ($3::bigint = 0 OR a.at >= to_timestamp($3::bigint))"
    " AND ($4::bigint = 0 OR a.at < to_timestamp($4::bigint))"
    " AND ($5::bigint = 0 OR a.id < $5::bigint)"
    " AND ($8 = '' OR u.login = lower($8))"
    " ORDER BY a.id DESC LIMIT $6::int OFFSET $7::int";

static const char SQL_AUDIT_COUNT[] = "SELECT count(*) FROM audit_log a"
				      " WHERE ($1::bigint = 0 OR a.user_id = $1::bigint)"
				      " AND ($2 = '' OR starts_with(a.method, $2))"
				      " AND ($3::bigint = 0 OR a.at >= to_timestamp($3::bigint))"
				      " AND ($4::bigint = 0 OR a.at < to_timestamp($4::bigint))"
				      " AND ($5 = '' OR a.user_id = (SELECT id FROM app_user"
				      " WHERE login = lower($5)))";

CPT_HANDLER(cpt_admin_list_audit)
{
	const Comptoir__Admin__ListAuditRequest *req = (const void *)in;
	unsigned limit = req->limit ? req->limit : PAGE_DEFAULT;
	if (limit > PAGE_MAX) {
		limit = PAGE_MAX;
	}
	if (req->offset > PAGE_OFFSET_MAX) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "offset",
				      "position trop grande (%u au plus)", PAGE_OFFSET_MAX);
	}
	if (req->from < 0 || req->from > TIME_MAX) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "from", "date de début invalide");
	}
	if (req->to < 0 || req->to > TIME_MAX) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "to", "date de fin invalide");
	}
	if (strlen(req->user_login) > 64) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "user_login",
				      "identifiant trop long");
	}
	if (req->from && req->to && req->to <= req->from) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "to",
				      "la fin de période doit suivre son début");
	}
	PGresult *r =
	    cpt_db_query(call, st, SQL_AUDIT_PAGE, cpt_call_i64(call, req->user_id), req->method,
			 cpt_call_i64(call, req->from), cpt_call_i64(call, req->to),
			 cpt_call_i64(call, req->before_id), cpt_call_i64(call, (int64_t)limit + 1),
			 cpt_call_i64(call, req->before_id ? 0 : req->offset), req->user_login);
	if (!r) {
		return st->code;
	}
	Comptoir__Admin__ListAuditReply *rep =
	    CPT_NEW(call, Comptoir__Admin__ListAuditReply, comptoir__admin__list_audit_reply__init);
	int n = PQntuples(r);
	rep->more = n > (int)limit;
	if (rep->more) {
		n = (int)limit;
	}
	rep->n_entries = (size_t)n;
	rep->entries = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Admin__AuditEntry *e =
		    CPT_NEW(call, Comptoir__Admin__AuditEntry, comptoir__admin__audit_entry__init);
		e->id = cpt_db_i64(r, i, 0);
		e->at = cpt_db_i64(r, i, 1);
		e->user_id = cpt_db_i64(r, i, 2);
		e->user_login = cpt_call_strdup(call, cpt_db_str(r, i, 3));
		e->company_id = cpt_db_i64(r, i, 4);
		e->method = cpt_call_strdup(call, cpt_db_str(r, i, 5));
		e->target = cpt_call_strdup(call, cpt_db_str(r, i, 6));
		const char *ids = cpt_db_str(r, i, 7);
		if (*ids) {
			size_t count = 1;
			for (const char *p = ids; *p; p++) {
				count += *p == ',';
			}
			e->row_ids = cpt_call_alloc(call, sizeof(int64_t) * count);
			char *end;
			for (const char *p = ids; *p; p = *end ? end + 1 : end) {
				e->row_ids[e->n_row_ids++] = strtoll(p, &end, 10);
			}
		}
		e->detail = cpt_call_strdup(call, cpt_db_str(r, i, 8));
		rep->entries[i] = e;
	}
	PQclear(r);
	if (req->with_total) {
		r = cpt_db_query(call, st, SQL_AUDIT_COUNT, cpt_call_i64(call, req->user_id),
				 req->method, cpt_call_i64(call, req->from),
				 cpt_call_i64(call, req->to), req->user_login);
		if (!r) {
			return st->code;
		}
		rep->total = (uint32_t)cpt_db_i64(r, 0, 0);
		PQclear(r);
	}
	*out = &rep->base;
	return 0;
}
