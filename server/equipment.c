/*
 * comptoir.equipment.Equipment: equipment installed at clients' sites
 * (boilers, heat pumps, lifts...), with warranty and periodic servicing.
 *
 * Each reference is checked here, with a French message naming the field:
 * the client must be a client, the site one of that client's intervention
 * sites, the supplier a supplier. The database holds the same rules with
 * composite foreign keys, so a write that races a change still fails cleanly
 * (write_error maps it back to the field).
 *
 * The next service is next_service_planned when a visit was agreed by hand,
 * else the last service plus the interval in months; the database computes
 * it (next_service_date, a stored generated column) so that the "due for
 * service" list compares a column. "Today" is the database's current_date.
 */
#include "audit.h"
#include "db.h"
#include "events.h"
#include "handlers.h"
#include "terms.h"

#include "equipment.pb-c.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000
#define PAGE_OFFSET_MAX 100000000u
#define NAME_MAX_CHARS 100 /* brand, model, serial number */
#define NOTES_MAX 4000
#define INTERVAL_MAX_MONTHS 120
#define DUE_DAYS_DEFAULT 30
#define DUE_DAYS_MAX 3650

/* ---------------------------------------------------------------------------
 * Checks
 */

/* The request's equipment once checked: values ready as query parameters. */
typedef struct checked {
	int64_t party_id;
	int64_t site_id;     /* 0: none */
	int64_t article_id;  /* 0: none */
	int64_t supplier_id; /* 0: none */
	char *brand, *model, *serial, *notes;
	const char *install, *warranty, *last, *planned; /* YYYY-MM-DD or NULL */
	int interval;					 /* months, 0: none */
} checked;

static char *trimmed(cpt_call *call, const char *s)
{
	return g_strstrip(cpt_call_strdup(call, s));
}

static int check_len(const char *v, size_t max, const char *field, cpt_status *st)
{
	if (g_utf8_strlen(v, -1) > (glong)max) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field, "%zu caractères au plus",
				      max);
	}
	return 0;
}

/* Reads "YYYY-MM-DD" (or "": *set false). */
static int parse_date(const char *s, const char *field, cpt_date *d, bool *set, cpt_status *st)
{
	*set = false;
	if (!*s) {
		return 0;
	}
	bool shape = strlen(s) == 10 && s[4] == '-' && s[7] == '-';
	for (int i = 0; shape && i < 10; i++) {
		shape = i == 4 || i == 7 || g_ascii_isdigit(s[i]);
	}
	if (shape) {
		d->year = atoi(s);
		d->month = atoi(s + 5);
		d->day = atoi(s + 8);
	}
	if (!shape || !cpt_date_valid(*d)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field,
				      "date invalide : attendue sous la forme AAAA-MM-JJ");
	}
	*set = true;
	return 0;
}

static int today(cpt_call *call, cpt_status *st, cpt_date *out)
{
	PGresult *r = cpt_db_exec0(call, st, "SELECT to_char(current_date, 'YYYY-MM-DD')");
	if (!r) {
		return st->code;
	}
	bool set;
	int rc = parse_date(cpt_db_str(r, 0, 0), "today", out, &set, st);
	PQclear(r);
	return rc;
}

/*
 * A third party given by id, or by code when the id is 0, that must be of
 * kind. *out is 0 when neither is given.
 */
typedef struct party_ref {
	const char *kind;
	const char *field_id, *field_code;
	const char *missing;	/* NOT_FOUND message */
	const char *wrong_kind; /* INVALID_ARGUMENT message, %s: the party's kind in French */
} party_ref;

static const char *kind_fr(const char *kind)
{
	return strcmp(kind, "client") == 0     ? "client"
	       : strcmp(kind, "prospect") == 0 ? "prospect"
	       : strcmp(kind, "supplier") == 0 ? "fournisseur"
					       : kind;
}

static int resolve_party(cpt_call *call, cpt_status *st, const party_ref *ref, int64_t id,
			 const char *code, int64_t *out)
{
	*out = 0;
	if (id == 0 && !*code) {
		return 0;
	}
	const char *field = id ? ref->field_id : ref->field_code;
	PGresult *r = cpt_db_query(call, st,
				   "SELECT id, kind FROM party WHERE CASE WHEN $1::bigint <> 0"
				   " THEN id = $1::bigint ELSE code = upper(btrim($2)) END",
				   cpt_call_i64(call, id), code);
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, field, "%s", ref->missing);
	}
	const char *kind = cpt_db_str(r, 0, 1);
	if (strcmp(kind, ref->kind) != 0) {
		cpt_status_set(st, CPT_INVALID_ARGUMENT, field, ref->wrong_kind, kind_fr(kind));
		PQclear(r);
		return st->code;
	}
	*out = cpt_db_i64(r, 0, 0);
	PQclear(r);
	return 0;
}

static const party_ref client_ref = {
    "client",
    "equipment.party_id",
    "equipment.party_code",
    "client introuvable",
    "ce tiers est un %s, pas un client : l'équipement se rattache à un client",
};

static const party_ref supplier_ref = {
    "supplier",
    "equipment.supplier_id",
    "equipment.supplier_code",
    "fournisseur introuvable",
    "ce tiers est un %s, pas un fournisseur",
};

static int resolve_article(cpt_call *call, cpt_status *st, int64_t id, const char *code,
			   int64_t *out)
{
	*out = 0;
	if (id == 0 && !*code) {
		return 0;
	}
	PGresult *r = cpt_db_query(call, st,
				   "SELECT id FROM article WHERE CASE WHEN $1::bigint <> 0"
				   " THEN id = $1::bigint ELSE code = upper(btrim($2)) END",
				   cpt_call_i64(call, id), code);
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND,
				      id ? "equipment.article_id" : "equipment.article_code",
				      "article introuvable");
	}
	*out = cpt_db_i64(r, 0, 0);
	PQclear(r);
	return 0;
}

/* The site must be an intervention site of the equipment's client. */
static int check_site(cpt_call *call, cpt_status *st, int64_t site_id, int64_t party_id)
{
	if (site_id == 0) {
		return 0;
	}
	PGresult *r =
	    cpt_db_query(call, st, "SELECT party_id, kind FROM party_address WHERE id = $1::bigint",
			 cpt_call_i64(call, site_id));
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, "equipment.site_id", "site introuvable");
	}
	bool ours = cpt_db_i64(r, 0, 0) == party_id && strcmp(cpt_db_str(r, 0, 1), "site") == 0;
	PQclear(r);
	if (!ours) {
		return cpt_status_set(
		    st, CPT_INVALID_ARGUMENT, "equipment.site_id",
		    "cette adresse n'est pas un site d'intervention de ce client");
	}
	return 0;
}

static const char *iso_or_null(cpt_call *call, bool set, cpt_date d)
{
	return set ? cpt_call_printf(call, "%04d-%02d-%02d", d.year, d.month, d.day) : NULL;
}

/* Checks the request's equipment in the order of the form; fills c. */
static int check_equipment(cpt_call *call, const Comptoir__Equipment__Item *e, checked *c,
			   cpt_status *st)
{
	memset(c, 0, sizeof *c);
	if (e->party_id == 0 && !*e->party_code) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "equipment.party_id",
				      "client obligatoire");
	}
	if (resolve_party(call, st, &client_ref, e->party_id, e->party_code, &c->party_id) ||
	    check_site(call, st, e->site_id, c->party_id)) {
		return st->code;
	}
	c->site_id = e->site_id;
	if (resolve_article(call, st, e->article_id, e->article_code, &c->article_id)) {
		return st->code;
	}
	c->brand = trimmed(call, e->brand);
	c->model = trimmed(call, e->model);
	c->serial = trimmed(call, e->serial_number);
	c->notes = cpt_call_strdup(call, e->notes);
	if (check_len(c->brand, NAME_MAX_CHARS, "equipment.brand", st) ||
	    check_len(c->model, NAME_MAX_CHARS, "equipment.model", st) ||
	    check_len(c->serial, NAME_MAX_CHARS, "equipment.serial_number", st) ||
	    check_len(c->notes, NOTES_MAX, "equipment.notes", st)) {
		return st->code;
	}
	if (!*c->brand && !*c->model && !c->article_id) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "equipment.brand",
				      "indiquez au moins la marque, le modèle ou l'article");
	}

	cpt_date install = {0}, warranty = {0}, last = {0}, planned = {0}, now = {0};
	bool has_install, has_warranty, has_last, has_planned;
	if (parse_date(e->install_date, "equipment.install_date", &install, &has_install, st) ||
	    parse_date(e->warranty_end, "equipment.warranty_end", &warranty, &has_warranty, st) ||
	    parse_date(e->last_service_date, "equipment.last_service_date", &last, &has_last, st) ||
	    parse_date(e->next_service_planned, "equipment.next_service_planned", &planned,
		       &has_planned, st)) {
		return st->code;
	}
	if (has_install && has_warranty && cpt_date_compare(warranty, install) < 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "equipment.warranty_end",
				      "la fin de garantie précède la date d'installation");
	}
	if (has_last) {
		if (today(call, st, &now)) {
			return st->code;
		}
		if (cpt_date_compare(last, now) > 0) {
			return cpt_status_set(
			    st, CPT_INVALID_ARGUMENT, "equipment.last_service_date",
			    "le dernier entretien ne peut pas être dans le futur");
		}
		if (has_install && cpt_date_compare(last, install) < 0) {
			return cpt_status_set(
			    st, CPT_INVALID_ARGUMENT, "equipment.last_service_date",
			    "le dernier entretien précède la date d'installation");
		}
	}
	if (has_planned && has_last && cpt_date_compare(planned, last) <= 0) {
		return cpt_status_set(
		    st, CPT_INVALID_ARGUMENT, "equipment.next_service_planned",
		    "la prochaine visite prévue doit suivre le dernier entretien");
	}
	if (e->service_interval_months < 0 || e->service_interval_months > INTERVAL_MAX_MONTHS) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "equipment.service_interval_months",
				      "périodicité d'entretien : de 1 à %d mois, ou aucune",
				      INTERVAL_MAX_MONTHS);
	}
	c->interval = e->service_interval_months;
	c->install = iso_or_null(call, has_install, install);
	c->warranty = iso_or_null(call, has_warranty, warranty);
	c->last = iso_or_null(call, has_last, last);
	c->planned = iso_or_null(call, has_planned, planned);
	return resolve_party(call, st, &supplier_ref, e->supplier_id, e->supplier_code,
			     &c->supplier_id);
}

/* ---------------------------------------------------------------------------
 * Reading
 */

static const char SQL_EQUIPMENT[] =
    "SELECT e.id, e.party_id, p.code, p.name, coalesce(e.site_id, 0),"
    " coalesce(nullif(s.label, ''), s.line1, ''), coalesce(e.article_id, 0),"
    " coalesce(a.code, ''), coalesce(a.label, ''), e.brand, e.model, e.serial_number,"
    " coalesce(to_char(e.install_date, 'YYYY-MM-DD'), ''),"
    " coalesce(to_char(e.warranty_end, 'YYYY-MM-DD'), ''), coalesce(e.supplier_id, 0),"
    " coalesce(f.code, ''), coalesce(f.name, ''), coalesce(e.service_interval_months, 0),"
    " coalesce(to_char(e.last_service_date, 'YYYY-MM-DD'), ''),"
    " coalesce(to_char(e.next_service_planned, 'YYYY-MM-DD'), ''),"
    " coalesce(to_char(e.next_service_date, 'YYYY-MM-DD'), ''), e.notes, NOT e.active,"
    " extract(epoch FROM e.created_at)::bigint, extract(epoch FROM e.updated_at)::bigint"
    " FROM equipment e JOIN party p ON p.id = e.party_id"
    " LEFT JOIN party_address s ON s.id = e.site_id"
    " LEFT JOIN article a ON a.id = e.article_id"
    " LEFT JOIN party f ON f.id = e.supplier_id"
    " WHERE e.id = $1::bigint";

static char *col_str(cpt_call *call, const PGresult *r, int row, int col)
{
	return cpt_call_strdup(call, cpt_db_str(r, row, col));
}

static int equipment_reply(cpt_call *call, cpt_status *st, int64_t id, ProtobufCMessage **out)
{
	PGresult *r = cpt_db_query(call, st, SQL_EQUIPMENT, cpt_call_i64(call, id));
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, "id", "équipement introuvable");
	}
	Comptoir__Equipment__Item *e =
	    CPT_NEW(call, Comptoir__Equipment__Item, comptoir__equipment__item__init);
	e->id = cpt_db_i64(r, 0, 0);
	e->party_id = cpt_db_i64(r, 0, 1);
	e->party_code = col_str(call, r, 0, 2);
	e->party_name = col_str(call, r, 0, 3);
	e->site_id = cpt_db_i64(r, 0, 4);
	e->site_label = col_str(call, r, 0, 5);
	e->article_id = cpt_db_i64(r, 0, 6);
	e->article_code = col_str(call, r, 0, 7);
	e->article_label = col_str(call, r, 0, 8);
	e->brand = col_str(call, r, 0, 9);
	e->model = col_str(call, r, 0, 10);
	e->serial_number = col_str(call, r, 0, 11);
	e->install_date = col_str(call, r, 0, 12);
	e->warranty_end = col_str(call, r, 0, 13);
	e->supplier_id = cpt_db_i64(r, 0, 14);
	e->supplier_code = col_str(call, r, 0, 15);
	e->supplier_name = col_str(call, r, 0, 16);
	e->service_interval_months = (int32_t)cpt_db_i64(r, 0, 17);
	e->last_service_date = col_str(call, r, 0, 18);
	e->next_service_planned = col_str(call, r, 0, 19);
	e->next_service_date = col_str(call, r, 0, 20);
	e->notes = col_str(call, r, 0, 21);
	e->inactive = cpt_db_bool(r, 0, 22);
	e->created_at = cpt_db_i64(r, 0, 23);
	e->updated_at = cpt_db_i64(r, 0, 24);
	PQclear(r);
	Comptoir__Equipment__EquipmentReply *rep = CPT_NEW(
	    call, Comptoir__Equipment__EquipmentReply, comptoir__equipment__equipment_reply__init);
	rep->equipment = e;
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_equipment_get)
{
	const Comptoir__Equipment__GetEquipmentRequest *req = (const void *)in;
	return equipment_reply(call, st, req->id, out);
}

/* ---------------------------------------------------------------------------
 * Writing
 */

/* Maps a failed write to the field at fault; the checks above came first. */
static int write_error(cpt_call *call, cpt_status *st)
{
	static const struct {
		const char *constraint, *field, *message;
	} known[] = {
	    {"equipment_party_fk", "equipment.party_id", "client introuvable"},
	    {"equipment_site_fk", "equipment.site_id",
	     "cette adresse n'est pas un site d'intervention de ce client"},
	    {"equipment_supplier_fk", "equipment.supplier_id", "fournisseur introuvable"},
	    {"equipment_article_fk", "equipment.article_id", "article introuvable"},
	    {"equipment_warranty_after_install", "equipment.warranty_end",
	     "la fin de garantie précède la date d'installation"},
	    {"equipment_service_after_install", "equipment.last_service_date",
	     "le dernier entretien précède la date d'installation"},
	    {"equipment_planned_after_service", "equipment.next_service_planned",
	     "la prochaine visite prévue doit suivre le dernier entretien"},
	};
	if (cpt_db_violated(call, "equipment_serial_key")) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "equipment.serial_number",
				      "ce numéro de série est déjà celui d'un équipement"
				      " du même article");
	}
	for (size_t i = 0; i < G_N_ELEMENTS(known); i++) {
		if (strcmp(call->constraint, known[i].constraint) == 0) {
			return cpt_status_set(st,
					      strcmp(call->sqlstate, "23503") == 0
						  ? CPT_NOT_FOUND
						  : CPT_INVALID_ARGUMENT,
					      known[i].field, "%s", known[i].message);
		}
	}
	return st->code;
}

static const char *id_or_null(cpt_call *call, int64_t id)
{
	return id ? cpt_call_i64(call, id) : NULL;
}

/* $1..$14 of the INSERT and the UPDATE; $15 is the row id. */
static const char *const *equipment_params(cpt_call *call, const checked *c, bool inactive,
					   int64_t id)
{
	const char **v = cpt_call_alloc(call, sizeof(char *) * 15);
	v[0] = cpt_call_i64(call, c->party_id);
	v[1] = id_or_null(call, c->site_id);
	v[2] = id_or_null(call, c->article_id);
	v[3] = c->brand;
	v[4] = c->model;
	v[5] = c->serial;
	v[6] = c->install;
	v[7] = c->warranty;
	v[8] = id_or_null(call, c->supplier_id);
	v[9] = c->interval ? cpt_call_i64(call, c->interval) : NULL;
	v[10] = c->last;
	v[11] = c->planned;
	v[12] = c->notes;
	v[13] = inactive ? "false" : "true";
	v[14] = cpt_call_i64(call, id);
	return v;
}

static int audit_write(cpt_call *call, cpt_status *st, int64_t id, const char *event,
		       const checked *c)
{
	return cpt_notify(call, st, "equipment", id, event) ||
	       cpt_audit(call, st, "equipment", id, call->company_id,
			 cpt_json_object(call, "event", event, "party_id",
					 cpt_call_i64(call, c->party_id), "serial_number",
					 c->serial, NULL));
}

CPT_HANDLER(cpt_equipment_create)
{
	const Comptoir__Equipment__EquipmentRequest *req = (const void *)in;
	if (!req->equipment) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "equipment", "équipement manquant");
	}
	checked c;
	if (check_equipment(call, req->equipment, &c, st)) {
		return st->code;
	}
	PGresult *r = cpt_db_exec(
	    call, st,
	    "INSERT INTO equipment (party_id, site_id, article_id, brand, model, serial_number,"
	    " install_date, warranty_end, supplier_id, service_interval_months,"
	    " last_service_date, next_service_planned, notes, active)"
	    " VALUES ($1::bigint, $2::bigint, $3::bigint, $4, $5, $6, $7::date, $8::date,"
	    " $9::bigint, $10::int, $11::date, $12::date, $13, $14::boolean) RETURNING id",
	    14, equipment_params(call, &c, req->equipment->inactive, 0));
	if (!r) {
		return write_error(call, st);
	}
	int64_t id = cpt_db_i64(r, 0, 0);
	PQclear(r);
	if (audit_write(call, st, id, "create", &c)) {
		return st->code;
	}
	return equipment_reply(call, st, id, out);
}

CPT_HANDLER(cpt_equipment_update)
{
	const Comptoir__Equipment__EquipmentRequest *req = (const void *)in;
	if (!req->equipment) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "equipment", "équipement manquant");
	}
	const Comptoir__Equipment__Item *e = req->equipment;
	checked c;
	if (check_equipment(call, e, &c, st)) {
		return st->code;
	}
	PGresult *r = cpt_db_exec(
	    call, st,
	    "UPDATE equipment SET party_id = $1::bigint, site_id = $2::bigint,"
	    " article_id = $3::bigint, brand = $4, model = $5, serial_number = $6,"
	    " install_date = $7::date, warranty_end = $8::date, supplier_id = $9::bigint,"
	    " service_interval_months = $10::int, last_service_date = $11::date,"
	    " next_service_planned = $12::date, notes = $13, active = $14::boolean,"
	    " updated_at = now() WHERE id = $15::bigint",
	    15, equipment_params(call, &c, e->inactive, e->id));
	if (!r) {
		return write_error(call, st);
	}
	bool found = strcmp(PQcmdTuples(r), "0") != 0;
	PQclear(r);
	if (!found) {
		return cpt_status_set(st, CPT_NOT_FOUND, "equipment.id", "équipement introuvable");
	}
	if (audit_write(call, st, e->id, "update", &c)) {
		return st->code;
	}
	return equipment_reply(call, st, e->id, out);
}

/* ---------------------------------------------------------------------------
 * A client's intervention sites, for the form
 */

CPT_HANDLER(cpt_equipment_client_sites)
{
	const Comptoir__Equipment__ClientSitesRequest *req = (const void *)in;
	static const party_ref ref = {
	    "client",
	    "party_id",
	    "party_code",
	    "client introuvable",
	    "ce tiers est un %s, pas un client",
	};
	int64_t id;
	if (req->party_id == 0 && !*req->party_code) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "party_code",
				      "code client obligatoire");
	}
	if (resolve_party(call, st, &ref, req->party_id, req->party_code, &id)) {
		return st->code;
	}
	const char *pid = cpt_call_i64(call, id);
	PGresult *r =
	    cpt_db_query(call, st, "SELECT code, name FROM party WHERE id = $1::bigint", pid);
	if (!r) {
		return st->code;
	}
	Comptoir__Equipment__ClientSitesReply *rep =
	    CPT_NEW(call, Comptoir__Equipment__ClientSitesReply,
		    comptoir__equipment__client_sites_reply__init);
	rep->party_id = id;
	rep->party_code = col_str(call, r, 0, 0);
	rep->party_name = col_str(call, r, 0, 1);
	PQclear(r);
	r = cpt_db_query(call, st,
			 "SELECT id, label, line1, postcode, city FROM party_address"
			 " WHERE party_id = $1::bigint AND kind = 'site' ORDER BY id",
			 pid);
	if (!r) {
		return st->code;
	}
	int n = PQntuples(r);
	rep->n_sites = (size_t)n;
	rep->sites = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Equipment__Site *s =
		    CPT_NEW(call, Comptoir__Equipment__Site, comptoir__equipment__site__init);
		s->id = cpt_db_i64(r, i, 0);
		s->label = col_str(call, r, i, 1);
		s->line1 = col_str(call, r, i, 2);
		s->postcode = col_str(call, r, i, 3);
		s->city = col_str(call, r, i, 4);
		rep->sites[i] = s;
	}
	PQclear(r);
	*out = &rep->base;
	return 0;
}

/* ---------------------------------------------------------------------------
 * List: search, client, out of warranty, due for service; keyset paged
 */

/* $1 search, $2 client, $3 filter, $4 horizon in days, $5 inactive too. */
#define EQUIPMENT_FILTER                                                                           \
	"($1 = '' OR e.search_text ~~> (SELECT cpt_like_pattern($1))"                              \
	"  OR e.party_id IN (SELECT q.id FROM party q"                                             \
	"   WHERE q.search_text ~~> (SELECT cpt_like_pattern($1))))"                               \
	" AND ($2::bigint = 0 OR e.party_id = $2::bigint)"                                         \
	" AND ($5::boolean OR e.active)"                                                           \
	" AND CASE $3::int WHEN 1 THEN e.warranty_end < current_date"                              \
	"  WHEN 2 THEN e.next_service_date <= current_date + $4::int ELSE true END"

/* A sort the list offers: the key it orders by, and how the page's key compares to it. */
typedef struct sort_spec {
	const char *name;
	const char *key;       /* SQL over e (equipment) and p (its client) */
	const char *key_param; /* SQL over $6, the last row's key */
	bool date;	       /* the key is a date, "" for none (sorted last) */
} sort_spec;

static const sort_spec sorts[] = {
    {"client", "p.name_key", "cpt_search_key($6)", false},
    {"serial", "e.serial_number", "$6", false},
    {"next_service", "coalesce(e.next_service_date, 'infinity'::date)",
     "coalesce(nullif($6, '')::date, 'infinity'::date)", true},
    {"warranty_end", "coalesce(e.warranty_end, 'infinity'::date)",
     "coalesce(nullif($6, '')::date, 'infinity'::date)", true},
};

static const char *filter_sql_arg(Comptoir__Equipment__Filter f)
{
	switch (f) {
	case COMPTOIR__EQUIPMENT__FILTER__FILTER_OUT_OF_WARRANTY:
		return "1";
	case COMPTOIR__EQUIPMENT__FILTER__FILTER_DUE_FOR_SERVICE:
		return "2";
	default:
		return "0";
	}
}

CPT_HANDLER(cpt_equipment_list)
{
	const Comptoir__Equipment__ListEquipmentRequest *req = (const void *)in;
	const Comptoir__Admin__Page *page = req->page;
	unsigned limit = page && page->limit ? page->limit : PAGE_DEFAULT;
	limit = limit > PAGE_MAX ? PAGE_MAX : limit;
	const char *sort_name = page && page->sort[0] ? page->sort : "client";
	const sort_spec *sort = NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(sorts); i++) {
		sort = strcmp(sorts[i].name, sort_name) == 0 ? &sorts[i] : sort;
	}
	if (!sort) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "page.sort",
				      "tri possible par client, serial, next_service ou "
				      "warranty_end");
	}
	if (page && page->offset > PAGE_OFFSET_MAX) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "page.offset",
				      "position trop grande");
	}
	bool after = page && page->after_id != 0;
	cpt_date key_date;
	bool key_set;
	if (after && sort->date &&
	    parse_date(page->after_key, "page.after_key", &key_date, &key_set, st)) {
		return st->code;
	}
	if (req->filter != COMPTOIR__EQUIPMENT__FILTER__FILTER_ALL &&
	    req->filter != COMPTOIR__EQUIPMENT__FILTER__FILTER_OUT_OF_WARRANTY &&
	    req->filter != COMPTOIR__EQUIPMENT__FILTER__FILTER_DUE_FOR_SERVICE) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "filter",
				      "filtre inconnu : tous, hors garantie ou à entretenir");
	}
	if (req->due_within_days > DUE_DAYS_MAX) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "due_within_days",
				      "horizon d'entretien : %d jours au plus", DUE_DAYS_MAX);
	}
	const char *search = req->search;
	const char *party = cpt_call_i64(call, req->party_id);
	const char *filter = filter_sql_arg(req->filter);
	const char *days =
	    cpt_call_i64(call, req->due_within_days ? req->due_within_days : DUE_DAYS_DEFAULT);
	const char *inactive = req->include_inactive ? "true" : "false";
	bool desc = page && page->descending;
	char *sql = cpt_call_printf(
	    call,
	    "SELECT e.id, e.party_id, p.code, p.name, coalesce(nullif(s.label, ''), s.line1, ''),"
	    " coalesce(s.city, ''), e.brand, e.model, e.serial_number,"
	    " coalesce(to_char(e.warranty_end, 'YYYY-MM-DD'), ''),"
	    " coalesce(to_char(e.next_service_date, 'YYYY-MM-DD'), ''), NOT e.active"
	    " FROM equipment e JOIN party p ON p.id = e.party_id"
	    " LEFT JOIN party_address s ON s.id = e.site_id"
	    " WHERE " EQUIPMENT_FILTER " AND (NOT $7::boolean OR (%s, e.id) %s (%s, $8::bigint))"
	    " ORDER BY %s %s, e.id %s LIMIT $9::int OFFSET $10::int",
	    sort->key, desc ? "<" : ">", sort->key_param, sort->key, desc ? "DESC" : "ASC",
	    desc ? "DESC" : "ASC");
	PGresult *r = cpt_db_query(call, st, sql, search, party, filter, days, inactive,
				   page ? page->after_key : "", after ? "true" : "false",
				   cpt_call_i64(call, page ? page->after_id : 0),
				   cpt_call_i64(call, (int64_t)limit + 1),
				   cpt_call_i64(call, page && !after ? page->offset : 0));
	if (!r) {
		return st->code;
	}
	Comptoir__Equipment__ListEquipmentReply *rep =
	    CPT_NEW(call, Comptoir__Equipment__ListEquipmentReply,
		    comptoir__equipment__list_equipment_reply__init);
	int n = PQntuples(r);
	rep->more = n > (int)limit;
	n = rep->more ? (int)limit : n;
	rep->n_equipment = (size_t)n;
	rep->equipment = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Equipment__EquipmentSummary *s =
		    CPT_NEW(call, Comptoir__Equipment__EquipmentSummary,
			    comptoir__equipment__equipment_summary__init);
		s->id = cpt_db_i64(r, i, 0);
		s->party_id = cpt_db_i64(r, i, 1);
		s->party_code = col_str(call, r, i, 2);
		s->party_name = col_str(call, r, i, 3);
		s->site_label = col_str(call, r, i, 4);
		s->site_city = col_str(call, r, i, 5);
		s->brand = col_str(call, r, i, 6);
		s->model = col_str(call, r, i, 7);
		s->serial_number = col_str(call, r, i, 8);
		s->warranty_end = col_str(call, r, i, 9);
		s->next_service_date = col_str(call, r, i, 10);
		s->inactive = cpt_db_bool(r, i, 11);
		rep->equipment[i] = s;
	}
	PQclear(r);
	if (page && page->with_total) {
		/* Through printf like the page's query: the filter's %% are doubled. */
		const char *count = cpt_call_printf(
		    call, "SELECT count(*) FROM equipment e WHERE " EQUIPMENT_FILTER);
		r = cpt_db_query(call, st, count, search, party, filter, days, inactive);
		if (!r) {
			return st->code;
		}
		rep->total = (uint32_t)cpt_db_i64(r, 0, 0);
		PQclear(r);
	}
	*out = &rep->base;
	return 0;
}
