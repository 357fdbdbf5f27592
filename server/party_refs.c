/*
 * comptoir.parties.PartyRefs: what a client file refers to. Geographic
 * sectors and sales representatives are each company's own, under
 * row-level security, listed and saved here (clients.read, clients.write);
 * payment methods are one read-only list for every company, with the
 * UNTDID 4461 code e-invoices carry. parties.c checks a party's references
 * against these tables.
 *
 * Nothing is deleted: a sector or rep is renamed, a rep who left is made
 * inactive and stays on the parties they followed.
 */
#include "audit.h"
#include "db.h"
#include "events.h"
#include "fields.h"
#include "handlers.h"

#include "parties.pb-c.h"

#include <glib.h>
#include <string.h>

#define CODE_MAX 20
#define TEXT_MAX 200
#define PHONE_MAX 30

static char *col_str(cpt_call *call, const PGresult *r, int row, int col)
{
	return cpt_call_strdup(call, cpt_db_str(r, row, col));
}

/*
 * Runs an INSERT or UPDATE ... RETURNING id: *id is 0 when an UPDATE found
 * no row. On error, a duplicate of unique is ALREADY_EXISTS naming field.
 */
static int save_row(cpt_call *call, cpt_status *st, const char *sql, int n,
		    const char *const *params, const char *unique, const char *field,
		    const char *duplicate, int64_t *id)
{
	PGresult *r = cpt_db_exec(call, st, sql, n, params);
	if (!r) {
		if (cpt_db_violated(call, unique)) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, field, "%s", duplicate);
		}
		return st->code;
	}
	*id = PQntuples(r) ? cpt_db_i64(r, 0, 0) : 0;
	PQclear(r);
	return 0;
}

/* Tells the other workstations and records who did it. */
static int saved(cpt_call *call, cpt_status *st, const char *table, int64_t id, bool created,
		 const char *code)
{
	const char *event = created ? "create" : "update";
	return cpt_notify(call, st, table, id, event) ||
	       cpt_audit(call, st, table, id, call->company_id,
			 cpt_json_object(call, "event", event, "code", code, NULL));
}

/*
 * Deletes row id of table, unless a party names it in column: the row is
 * locked first, so a party given it meanwhile waits, then is refused.
 */
static int delete_ref(cpt_call *call, cpt_status *st, const char *table, const char *column,
		      int64_t id, const char *what, const char *in_use, ProtobufCMessage **out)
{
	const char *v[] = {cpt_call_i64(call, id)};
	PGresult *r = cpt_db_exec(
	    call, st,
	    cpt_call_printf(call, "SELECT code FROM %s WHERE id = $1::bigint FOR UPDATE", table), 1,
	    v);
	if (!r) {
		return st->code;
	}
	const char *code = PQntuples(r) ? cpt_call_strdup(call, cpt_db_str(r, 0, 0)) : NULL;
	PQclear(r);
	if (!code) {
		return cpt_status_set(st, CPT_NOT_FOUND, "id", "%s introuvable", what);
	}
	r = cpt_db_exec(call, st,
			cpt_call_printf(call,
					"WITH used AS (SELECT count(*) AS n FROM party"
					" WHERE %s = $1::bigint),"
					" gone AS (DELETE FROM %s WHERE id = $1::bigint"
					"  AND (SELECT n FROM used) = 0 RETURNING id)"
					" SELECT (SELECT n FROM used)",
					column, table),
			1, v);
	if (!r) {
		return st->code;
	}
	int64_t used = cpt_db_i64(r, 0, 0);
	PQclear(r);
	if (used > 0) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "id", in_use, (long long)used);
	}
	if (cpt_notify(call, st, table, id, "delete") ||
	    cpt_audit(call, st, table, id, call->company_id,
		      cpt_json_object(call, "event", "delete", "code", code, NULL))) {
		return st->code;
	}
	*out = &CPT_NEW(call, Comptoir__Rpc__Empty, comptoir__rpc__empty__init)->base;
	return 0;
}

/* ---------------------------------------------------------------------------
 * Sectors
 */

CPT_HANDLER(cpt_party_refs_list_sectors)
{
	PGresult *r = cpt_db_exec0(
	    call, st, "SELECT id, code, label FROM sector ORDER BY cpt_search_key(label), id");
	if (!r) {
		return st->code;
	}
	Comptoir__Parties__ListSectorsReply *rep = CPT_NEW(
	    call, Comptoir__Parties__ListSectorsReply, comptoir__parties__list_sectors_reply__init);
	int n = PQntuples(r);
	rep->n_sectors = (size_t)n;
	rep->sectors = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Parties__Sector *s =
		    CPT_NEW(call, Comptoir__Parties__Sector, comptoir__parties__sector__init);
		s->id = cpt_db_i64(r, i, 0);
		s->code = col_str(call, r, i, 1);
		s->label = col_str(call, r, i, 2);
		rep->sectors[i] = s;
	}
	PQclear(r);
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_party_refs_save_sector)
{
	const Comptoir__Parties__SectorRequest *req = (const void *)in;
	if (!req->sector) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "sector", "secteur manquant");
	}
	const Comptoir__Parties__Sector *in_s = req->sector;
	const char *code, *label;
	if (cpt_field_code(call, in_s->code, CODE_MAX, false, "sector.code", st, &code) ||
	    cpt_field_text(call, in_s->label, TEXT_MAX, true, "sector.label", st, &label)) {
		return st->code;
	}
	const char *v[] = {code, label, cpt_call_i64(call, in_s->id)};
	int64_t id = 0;
	if (save_row(call, st,
		     in_s->id ? "UPDATE sector SET code = $1, label = $2, updated_at = now()"
				" WHERE id = $3::bigint RETURNING id"
			      : "INSERT INTO sector (code, label) VALUES ($1, $2) RETURNING id",
		     in_s->id ? 3 : 2, v, "sector_company_id_code_key", "sector.code",
		     "ce code est déjà celui d'un autre secteur", &id)) {
		return st->code;
	}
	if (!id) {
		return cpt_status_set(st, CPT_NOT_FOUND, "sector.id", "secteur introuvable");
	}
	if (saved(call, st, "sector", id, in_s->id == 0, code)) {
		return st->code;
	}
	Comptoir__Parties__SectorReply *rep =
	    CPT_NEW(call, Comptoir__Parties__SectorReply, comptoir__parties__sector_reply__init);
	rep->sector = CPT_NEW(call, Comptoir__Parties__Sector, comptoir__parties__sector__init);
	rep->sector->id = id;
	rep->sector->code = (char *)code;
	rep->sector->label = (char *)label;
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_party_refs_delete_sector)
{
	const Comptoir__Parties__RefDeleteRequest *req = (const void *)in;
	return delete_ref(call, st, "sector", "sector_id", req->id, "secteur",
			  "secteur de %lld tiers : changez-le d'abord sur leurs fiches", out);
}

/* ---------------------------------------------------------------------------
 * Sales representatives
 */

CPT_HANDLER(cpt_party_refs_list_sales_reps)
{
	const Comptoir__Parties__ListSalesRepsRequest *req = (const void *)in;
	PGresult *r = cpt_db_query(call, st,
				   "SELECT id, code, name, email, phone, coalesce(user_id, 0),"
				   " NOT active FROM sales_rep WHERE active OR $1::boolean"
				   " ORDER BY cpt_search_key(name), id",
				   req->include_inactive ? "true" : "false");
	if (!r) {
		return st->code;
	}
	Comptoir__Parties__ListSalesRepsReply *rep =
	    CPT_NEW(call, Comptoir__Parties__ListSalesRepsReply,
		    comptoir__parties__list_sales_reps_reply__init);
	int n = PQntuples(r);
	rep->n_sales_reps = (size_t)n;
	rep->sales_reps = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Parties__SalesRep *s =
		    CPT_NEW(call, Comptoir__Parties__SalesRep, comptoir__parties__sales_rep__init);
		s->id = cpt_db_i64(r, i, 0);
		s->code = col_str(call, r, i, 1);
		s->name = col_str(call, r, i, 2);
		s->email = col_str(call, r, i, 3);
		s->phone = col_str(call, r, i, 4);
		s->user_id = cpt_db_i64(r, i, 5);
		s->inactive = cpt_db_bool(r, i, 6);
		rep->sales_reps[i] = s;
	}
	PQclear(r);
	*out = &rep->base;
	return 0;
}

/* The rep's login must open this company (app_user is installation-wide). */
static int check_rep_user(cpt_call *call, cpt_status *st, int64_t user_id)
{
	if (!user_id) {
		return 0;
	}
	PGresult *r =
	    cpt_db_query(call, st,
			 "SELECT 1 FROM user_company_role WHERE user_id = $1::bigint"
			 " AND company_id = $2::bigint",
			 cpt_call_i64(call, user_id), cpt_call_i64(call, call->company_id));
	if (!r) {
		return st->code;
	}
	bool found = PQntuples(r) > 0;
	PQclear(r);
	return found ? 0
		     : cpt_status_set(st, CPT_NOT_FOUND, "sales_rep.user_id",
				      "utilisateur introuvable dans cette société");
}

CPT_HANDLER(cpt_party_refs_save_sales_rep)
{
	const Comptoir__Parties__SalesRepRequest *req = (const void *)in;
	if (!req->sales_rep) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "sales_rep", "commercial manquant");
	}
	const Comptoir__Parties__SalesRep *in_r = req->sales_rep;
	const char *code, *name, *email, *phone;
	if (cpt_field_code(call, in_r->code, CODE_MAX, false, "sales_rep.code", st, &code) ||
	    cpt_field_text(call, in_r->name, TEXT_MAX, true, "sales_rep.name", st, &name) ||
	    cpt_field_text(call, in_r->email, TEXT_MAX, false, "sales_rep.email", st, &email) ||
	    cpt_field_email(email, TEXT_MAX, "sales_rep.email", st) ||
	    cpt_field_text(call, in_r->phone, PHONE_MAX, false, "sales_rep.phone", st, &phone) ||
	    check_rep_user(call, st, in_r->user_id)) {
		return st->code;
	}
	const char *v[] = {code,
			   name,
			   email,
			   phone,
			   cpt_call_i64(call, in_r->user_id),
			   in_r->inactive ? "false" : "true",
			   cpt_call_i64(call, in_r->id)};
	int64_t id = 0;
	int rc = save_row(
	    call, st,
	    in_r->id ? "UPDATE sales_rep SET code = $1, name = $2, email = $3, phone = $4,"
		       " user_id = nullif($5::bigint, 0), active = $6::boolean, updated_at = now()"
		       " WHERE id = $7::bigint RETURNING id"
		     : "INSERT INTO sales_rep (code, name, email, phone, user_id, active)"
		       " VALUES ($1, $2, $3, $4, nullif($5::bigint, 0), $6::boolean) RETURNING id",
	    in_r->id ? 7 : 6, v, "sales_rep_company_id_code_key", "sales_rep.code",
	    "ce code est déjà celui d'un autre commercial", &id);
	if (rc && cpt_db_violated(call, "sales_rep_company_id_user_id_key")) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "sales_rep.user_id",
				      "cet utilisateur est déjà un autre commercial");
	}
	if (rc) {
		return st->code;
	}
	if (!id) {
		return cpt_status_set(st, CPT_NOT_FOUND, "sales_rep.id", "commercial introuvable");
	}
	if (saved(call, st, "sales_rep", id, in_r->id == 0, code)) {
		return st->code;
	}
	Comptoir__Parties__SalesRepReply *rep = CPT_NEW(call, Comptoir__Parties__SalesRepReply,
							comptoir__parties__sales_rep_reply__init);
	Comptoir__Parties__SalesRep *s =
	    CPT_NEW(call, Comptoir__Parties__SalesRep, comptoir__parties__sales_rep__init);
	s->id = id;
	s->code = (char *)code;
	s->name = (char *)name;
	s->email = (char *)email;
	s->phone = (char *)phone;
	s->user_id = in_r->user_id;
	s->inactive = in_r->inactive;
	rep->sales_rep = s;
	*out = &rep->base;
	return 0;
}

/* ---------------------------------------------------------------------------
 * Payment methods
 */

CPT_HANDLER(cpt_party_refs_list_payment_methods)
{
	PGresult *r = cpt_db_exec0(
	    call, st, "SELECT code, label, means_code FROM payment_method ORDER BY position");
	if (!r) {
		return st->code;
	}
	Comptoir__Parties__ListPaymentMethodsReply *rep =
	    CPT_NEW(call, Comptoir__Parties__ListPaymentMethodsReply,
		    comptoir__parties__list_payment_methods_reply__init);
	int n = PQntuples(r);
	rep->n_payment_methods = (size_t)n;
	rep->payment_methods = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Parties__PaymentMethod *m =
		    CPT_NEW(call, Comptoir__Parties__PaymentMethod,
			    comptoir__parties__payment_method__init);
		m->code = col_str(call, r, i, 0);
		m->label = col_str(call, r, i, 1);
		m->means_code = col_str(call, r, i, 2);
		rep->payment_methods[i] = m;
	}
	PQclear(r);
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_party_refs_delete_sales_rep)
{
	const Comptoir__Parties__RefDeleteRequest *req = (const void *)in;
	return delete_ref(call, st, "sales_rep", "sales_rep_id", req->id, "commercial",
			  "commercial de %lld tiers : rendez-le inactif plutôt", out);
}
