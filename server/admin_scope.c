/* Where an administrator may act; see admin.h. */
#include "admin.h"
#include "db.h"

static int first_foreign(cpt_call *call, cpt_status *st, const char *sql, int64_t id,
			 const char *field, const char *what)
{
	PGresult *r = cpt_db_query(call, st, sql, cpt_call_i64(call, id));
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) > 0) {
		cpt_status_set(st, CPT_PERMISSION_DENIED, field,
			       "%s la société « %s », que vous n'administrez pas", what,
			       cpt_db_str(r, 0, 0));
	}
	PQclear(r);
	return st->code;
}

int cpt_admin_check_company(cpt_call *call, cpt_status *st, int64_t company_id, const char *field)
{
	PGresult *r =
	    cpt_db_query(call, st,
			 "SELECT " CPT_SQL_ADMINISTERS(
			     "$1::bigint") ","
					   " EXISTS (SELECT 1 FROM company WHERE id = $1::bigint)",
			 cpt_call_i64(call, company_id));
	if (!r) {
		return st->code;
	}
	bool allowed = cpt_db_bool(r, 0, 0), exists = cpt_db_bool(r, 0, 1);
	PQclear(r);
	if (!exists) {
		return cpt_status_set(st, CPT_NOT_FOUND, field, "société introuvable");
	}
	if (!allowed) {
		return cpt_status_set(st, CPT_PERMISSION_DENIED, field,
				      "vous n'administrez pas cette société");
	}
	return 0;
}

int cpt_admin_check_user(cpt_call *call, cpt_status *st, int64_t user_id)
{
	return first_foreign(
	    call, st,
	    "SELECT c.name FROM user_company_role g JOIN company c"
	    " ON c.id = g.company_id WHERE g.user_id = $1::bigint"
	    " AND NOT " CPT_SQL_ADMINISTERS("g.company_id") " ORDER BY c.name LIMIT 1",
	    user_id, "id", "cet utilisateur a aussi accès à");
}

int cpt_admin_check_role(cpt_call *call, cpt_status *st, int64_t role_id)
{
	return first_foreign(
	    call, st,
	    "SELECT c.name FROM user_company_role g JOIN company c"
	    " ON c.id = g.company_id WHERE g.role_id = $1::bigint"
	    " AND NOT " CPT_SQL_ADMINISTERS("g.company_id") " ORDER BY c.name LIMIT 1",
	    role_id, "role_id", "ce rôle est aussi attribué dans");
}
