/*
 * comptoir.articles.Pricing: price lists (client categories), price rules
 * per price list or per client, the price a client pays, and suppliers'
 * prices.
 *
 * The price-resolution rule, for client C, article A, quantity q and date d:
 *
 *  1. The candidates are the rules of A valid on d (valid_from <= d <=
 *     valid_to, an empty bound is open) whose quantity break min_quantity is
 *     at most q.
 *  2. Rules made for C itself win over the rules of C's price list: a
 *     negotiated client price is never beaten by its category's.
 *  3. Within that level, the highest quantity break wins; then the rule that
 *     started most recently (an open start counts as the oldest); then the
 *     newest rule (highest id).
 *  4. The winning rule gives either a fixed unit price, or a discount off A's
 *     sale price: price = sale price − sale price × discount, rounded half
 *     away from zero to the 1/10000.
 *  5. Without a candidate, or without a client, the price is A's sale price.
 *
 * Prices are excluding VAT, 4 decimals; quantities 3 decimals.
 */
#include "articles.h"
#include "audit.h"
#include "db.h"
#include "events.h"
#include "fields.h"
#include "handlers.h"
#include "money.h"

#include "articles.pb-c.h"

#include <glib.h>
#include <string.h>
#include <time.h>

static char *col_str(cpt_call *call, const PGresult *r, int row, int col)
{
	return cpt_call_strdup(call, cpt_db_str(r, row, col));
}

static int exec_ok(cpt_call *call, cpt_status *st, const char *sql, int n, const char *const *v,
		   int64_t *id)
{
	PGresult *r = cpt_db_exec(call, st, sql, n, v);
	if (!r) {
		return st->code;
	}
	*id = PQntuples(r) ? cpt_db_i64(r, 0, 0) : 0;
	PQclear(r);
	return 0;
}

/* ---------------------------------------------------------------------------
 * Price lists
 */

CPT_HANDLER(cpt_pricing_list_price_lists)
{
	PGresult *r =
	    cpt_db_exec0(call, st, "SELECT id, code, label FROM price_list ORDER BY code");
	if (!r) {
		return st->code;
	}
	Comptoir__Articles__ListPriceListsReply *rep =
	    CPT_NEW(call, Comptoir__Articles__ListPriceListsReply,
		    comptoir__articles__list_price_lists_reply__init);
	int n = PQntuples(r);
	rep->n_price_lists = (size_t)n;
	rep->price_lists = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Articles__PriceList *l = CPT_NEW(call, Comptoir__Articles__PriceList,
							   comptoir__articles__price_list__init);
		l->id = cpt_db_i64(r, i, 0);
		l->code = col_str(call, r, i, 1);
		l->label = col_str(call, r, i, 2);
		rep->price_lists[i] = l;
	}
	PQclear(r);
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_pricing_save_price_list)
{
	const Comptoir__Articles__PriceListRequest *req = (const void *)in;
	if (!req->price_list) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "price_list", "tarif manquant");
	}
	const Comptoir__Articles__PriceList *l = req->price_list;
	const char *code, *label;
	if (cpt_field_code(call, l->code, 20, false, "price_list.code", st, &code) ||
	    cpt_field_text(call, l->label, 100, true, "price_list.label", st, &label)) {
		return st->code;
	}
	const char *v[] = {code, label, cpt_call_i64(call, l->id)};
	int64_t id = 0;
	if (exec_ok(call, st,
		    l->id ? "UPDATE price_list SET code = $1, label = $2 WHERE id = $3::bigint"
			    " RETURNING id"
			  : "INSERT INTO price_list (code, label) VALUES ($1, $2) RETURNING id",
		    l->id ? 3 : 2, v, &id)) {
		if (cpt_db_violated(call, "price_list_company_id_code_key")) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "price_list.code",
					      "ce code est déjà celui d'un autre tarif");
		}
		return st->code;
	}
	if (!id) {
		return cpt_status_set(st, CPT_NOT_FOUND, "price_list.id", "tarif introuvable");
	}
	if (cpt_notify(call, st, "price_list", id, l->id ? "update" : "create") ||
	    cpt_audit(
		call, st, "price_list", id, call->company_id,
		cpt_json_object(call, "event", l->id ? "update" : "create", "code", code, NULL))) {
		return st->code;
	}
	Comptoir__Articles__PriceListReply *rep = CPT_NEW(
	    call, Comptoir__Articles__PriceListReply, comptoir__articles__price_list_reply__init);
	rep->price_list =
	    CPT_NEW(call, Comptoir__Articles__PriceList, comptoir__articles__price_list__init);
	rep->price_list->id = id;
	rep->price_list->code = (char *)code;
	rep->price_list->label = (char *)label;
	*out = &rep->base;
	return 0;
}

/* ---------------------------------------------------------------------------
 * Rules
 */

static const char SQL_RULES[] =
    "SELECT r.id, coalesce(r.price_list_id, 0), coalesce(r.party_id, 0), r.article_id,"
    " r.min_quantity, r.unit_price IS NOT NULL, coalesce(r.unit_price, 0),"
    " coalesce(r.discount, 0), coalesce(r.valid_from::text, ''), coalesce(r.valid_to::text, ''),"
    " a.code, a.label FROM price_rule r JOIN article a ON a.id = r.article_id";

static Comptoir__Articles__PriceRule *rule_row(cpt_call *call, const PGresult *r, int i)
{
	Comptoir__Articles__PriceRule *p =
	    CPT_NEW(call, Comptoir__Articles__PriceRule, comptoir__articles__price_rule__init);
	p->id = cpt_db_i64(r, i, 0);
	p->price_list_id = cpt_db_i64(r, i, 1);
	p->party_id = cpt_db_i64(r, i, 2);
	p->article_id = cpt_db_i64(r, i, 3);
	p->min_quantity = cpt_db_i64(r, i, 4);
	p->has_unit_price = cpt_db_bool(r, i, 5);
	p->unit_price = cpt_db_i64(r, i, 6);
	p->discount = (int32_t)cpt_db_i64(r, i, 7);
	p->valid_from = col_str(call, r, i, 8);
	p->valid_to = col_str(call, r, i, 9);
	p->article_code = col_str(call, r, i, 10);
	p->article_label = col_str(call, r, i, 11);
	return p;
}

CPT_HANDLER(cpt_pricing_list_rules)
{
	const Comptoir__Articles__ListPriceRulesRequest *req = (const void *)in;
	if (!req->price_list_id && !req->party_id && !req->article_id) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "price_list_id",
				      "un tarif, un client ou un article est attendu");
	}
	char *sql =
	    cpt_call_printf(call,
			    "%s WHERE ($1::bigint = 0 OR r.price_list_id = $1::bigint)"
			    " AND ($2::bigint = 0 OR r.party_id = $2::bigint)"
			    " AND ($3::bigint = 0 OR r.article_id = $3::bigint)"
			    " ORDER BY a.code, r.min_quantity, r.valid_from NULLS FIRST, r.id"
			    " LIMIT 10000",
			    SQL_RULES);
	PGresult *r =
	    cpt_db_query(call, st, sql, cpt_call_i64(call, req->price_list_id),
			 cpt_call_i64(call, req->party_id), cpt_call_i64(call, req->article_id));
	if (!r) {
		return st->code;
	}
	Comptoir__Articles__ListPriceRulesReply *rep =
	    CPT_NEW(call, Comptoir__Articles__ListPriceRulesReply,
		    comptoir__articles__list_price_rules_reply__init);
	int n = PQntuples(r);
	rep->n_rules = (size_t)n;
	rep->rules = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		rep->rules[i] = rule_row(call, r, i);
	}
	PQclear(r);
	*out = &rep->base;
	return 0;
}

/* Validity bounds "YYYY-MM-DD" or "", in order. */
static int check_period(const char *from, const char *to, const char *field_from,
			const char *field_to, cpt_status *st)
{
	cpt_date f, t;
	bool has_f, has_t;
	if (cpt_field_date(from, field_from, st, &f, &has_f) ||
	    cpt_field_date(to, field_to, st, &t, &has_t)) {
		return st->code;
	}
	if (has_f && has_t && cpt_date_compare(f, t) > 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field_to,
				      "la fin de validité précède son début");
	}
	return 0;
}

static int check_rule(cpt_call *call, const Comptoir__Articles__PriceRule *p, cpt_status *st)
{
	if ((p->price_list_id != 0) == (p->party_id != 0)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "rule.party_id",
				      "un prix s'applique à un tarif ou à un client, pas aux deux");
	}
	if (p->article_id <= 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "rule.article_id",
				      "article obligatoire");
	}
	if (cpt_field_not_negative(p->min_quantity, "rule.min_quantity", st)) {
		return st->code;
	}
	if (p->has_unit_price && cpt_field_not_negative(p->unit_price, "rule.unit_price", st)) {
		return st->code;
	}
	if (!p->has_unit_price && (p->discount < 0 || p->discount > 10000)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "rule.discount",
				      "remise entre 0 et 100 %%");
	}
	if (check_period(p->valid_from, p->valid_to, "rule.valid_from", "rule.valid_to", st)) {
		return st->code;
	}
	/* Asked under row-level security: foreign keys would see other companies. */
	PGresult *r = cpt_db_query(
	    call, st,
	    "SELECT EXISTS (SELECT 1 FROM article WHERE id = $1::bigint),"
	    " $2::bigint = 0 OR EXISTS (SELECT 1 FROM price_list WHERE id = $2::bigint),"
	    " $3::bigint = 0 OR EXISTS (SELECT 1 FROM party WHERE id = $3::bigint"
	    "  AND kind <> 'supplier')",
	    cpt_call_i64(call, p->article_id), cpt_call_i64(call, p->price_list_id),
	    cpt_call_i64(call, p->party_id));
	if (!r) {
		return st->code;
	}
	bool article = cpt_db_bool(r, 0, 0), list = cpt_db_bool(r, 0, 1),
	     client = cpt_db_bool(r, 0, 2);
	PQclear(r);
	if (!article) {
		return cpt_status_set(st, CPT_NOT_FOUND, "rule.article_id", "article introuvable");
	}
	if (!list) {
		return cpt_status_set(st, CPT_NOT_FOUND, "rule.price_list_id", "tarif introuvable");
	}
	if (!client) {
		return cpt_status_set(st, CPT_NOT_FOUND, "rule.party_id", "client introuvable");
	}
	return 0;
}

CPT_HANDLER(cpt_pricing_save_rule)
{
	const Comptoir__Articles__PriceRuleRequest *req = (const void *)in;
	if (!req->rule) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "rule", "prix manquant");
	}
	const Comptoir__Articles__PriceRule *p = req->rule;
	if (check_rule(call, p, st)) {
		return st->code;
	}
	const char *v[] = {p->price_list_id ? cpt_call_i64(call, p->price_list_id) : NULL,
			   p->party_id ? cpt_call_i64(call, p->party_id) : NULL,
			   cpt_call_i64(call, p->article_id),
			   cpt_call_i64(call, p->min_quantity),
			   p->has_unit_price ? cpt_call_i64(call, p->unit_price) : NULL,
			   p->has_unit_price ? NULL : cpt_call_i64(call, p->discount),
			   *p->valid_from ? p->valid_from : NULL,
			   *p->valid_to ? p->valid_to : NULL,
			   cpt_call_i64(call, p->id)};
	int64_t id = 0;
	int rc = exec_ok(
	    call, st,
	    p->id
		? "UPDATE price_rule SET price_list_id = $1::bigint, party_id = $2::bigint,"
		  " article_id = $3::bigint, min_quantity = $4::bigint, unit_price = $5::bigint,"
		  " discount = $6::int, valid_from = $7::date, valid_to = $8::date"
		  " WHERE id = $9::bigint RETURNING id"
		: "INSERT INTO price_rule (price_list_id, party_id, article_id, min_quantity,"
		  " unit_price, discount, valid_from, valid_to) VALUES ($1::bigint, $2::bigint,"
		  " $3::bigint, $4::bigint, $5::bigint, $6::int, $7::date, $8::date) RETURNING id",
	    p->id ? 9 : 8, v, &id);
	if (rc) {
		if (strcmp(call->sqlstate, "23503") == 0) {
			const char *field = strstr(call->constraint, "article") ? "rule.article_id"
					    : strstr(call->constraint, "price_list")
						? "rule.price_list_id"
						: "rule.party_id";
			return cpt_status_set(st, CPT_NOT_FOUND, field, "référence introuvable");
		}
		return st->code;
	}
	if (!id) {
		return cpt_status_set(st, CPT_NOT_FOUND, "rule.id", "prix introuvable");
	}
	if (cpt_notify(call, st, "price_rule", id, p->id ? "update" : "create") ||
	    cpt_audit(call, st, "price_rule", id, call->company_id,
		      cpt_json_object(call, "event", p->id ? "update" : "create", NULL))) {
		return st->code;
	}
	PGresult *r =
	    cpt_db_query(call, st, cpt_call_printf(call, "%s WHERE r.id = $1::bigint", SQL_RULES),
			 cpt_call_i64(call, id));
	if (!r) {
		return st->code;
	}
	Comptoir__Articles__PriceRuleReply *rep = CPT_NEW(
	    call, Comptoir__Articles__PriceRuleReply, comptoir__articles__price_rule_reply__init);
	rep->rule = rule_row(call, r, 0);
	PQclear(r);
	*out = &rep->base;
	return 0;
}

/* Deletes row id of table (price_rule, supplier_price); NOT_FOUND says what. */
static int delete_price(cpt_call *call, cpt_status *st, const char *table, int64_t id,
			ProtobufCMessage **out)
{
	const char *v[] = {cpt_call_i64(call, id)};
	int64_t gone = 0;
	if (exec_ok(
		call, st,
		cpt_call_printf(call, "DELETE FROM %s WHERE id = $1::bigint RETURNING id", table),
		1, v, &gone)) {
		return st->code;
	}
	if (!gone) {
		return cpt_status_set(st, CPT_NOT_FOUND, "id", "prix introuvable");
	}
	if (cpt_notify(call, st, table, gone, "delete") ||
	    cpt_audit(call, st, table, gone, call->company_id,
		      cpt_json_object(call, "event", "delete", NULL))) {
		return st->code;
	}
	*out =
	    &CPT_NEW(call, Comptoir__Articles__DeleteReply, comptoir__articles__delete_reply__init)
		 ->base;
	return 0;
}

CPT_HANDLER(cpt_pricing_delete_rule)
{
	const Comptoir__Articles__DeleteRequest *req = (const void *)in;
	return delete_price(call, st, "price_rule", req->id, out);
}

/* A supplier's price goes; the purchases already made keep theirs. */
CPT_HANDLER(cpt_pricing_delete_supplier_price)
{
	const Comptoir__Articles__DeleteRequest *req = (const void *)in;
	return delete_price(call, st, "supplier_price", req->id, out);
}

/* ---------------------------------------------------------------------------
 * Resolution (the rule is in the comment at the top of this file)
 */

static const char SQL_RESOLVE[] =
    "SELECT a.sale_price, r.id, r.unit_price IS NOT NULL, coalesce(r.unit_price, 0),"
    " coalesce(r.discount, 0), r.party_id IS NOT NULL"
    " FROM article a LEFT JOIN LATERAL ("
    "  SELECT * FROM price_rule r WHERE r.article_id = a.id AND $2::bigint <> 0"
    "  AND r.min_quantity <= $3::bigint"
    "  AND (r.valid_from IS NULL OR r.valid_from <= $4::date)"
    "  AND (r.valid_to IS NULL OR r.valid_to >= $4::date)"
    "  AND (r.party_id = $2::bigint"
    "   OR r.price_list_id = (SELECT p.price_list_id FROM party p WHERE p.id = $2::bigint))"
    "  ORDER BY r.party_id IS NOT NULL DESC, r.min_quantity DESC,"
    "   r.valid_from DESC NULLS LAST, r.id DESC LIMIT 1) r ON true"
    " WHERE a.id = $1::bigint";

CPT_HANDLER(cpt_pricing_resolve)
{
	const Comptoir__Articles__ResolvePriceRequest *req = (const void *)in;
	cpt_date d;
	bool has_date;
	if (cpt_field_date(req->date, "date", st, &d, &has_date) ||
	    cpt_field_not_negative(req->quantity, "quantity", st)) {
		return st->code;
	}
	char today[11];
	if (!has_date) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(today, sizeof today, "%Y-%m-%d", &tm);
	}
	if (req->party_id) {
		PGresult *r = cpt_db_query(call, st,
					   "SELECT 1 FROM party WHERE id = $1::bigint"
					   " AND kind <> 'supplier'",
					   cpt_call_i64(call, req->party_id));
		if (!r) {
			return st->code;
		}
		bool found = PQntuples(r) == 1;
		PQclear(r);
		if (!found) {
			return cpt_status_set(st, CPT_NOT_FOUND, "party_id", "client introuvable");
		}
	}
	Comptoir__Articles__ResolvePriceReply *rep =
	    CPT_NEW(call, Comptoir__Articles__ResolvePriceReply,
		    comptoir__articles__resolve_price_reply__init);
	cpt_price p;
	if (cpt_price_resolve(call, st, req->party_id, req->article_id, req->quantity,
			      has_date ? req->date : today, &p)) {
		return st->code;
	}
	rep->unit_price = p.unit_price;
	rep->base_price = p.base_price;
	rep->rule_id = p.rule_id;
	rep->source = (char *)p.source;
	*out = &rep->base;
	return 0;
}

int cpt_price_resolve(cpt_call *call, cpt_status *st, int64_t party_id, int64_t article_id,
		      int64_t quantity, const char *date, cpt_price *out)
{
	PGresult *r =
	    cpt_db_query(call, st, SQL_RESOLVE, cpt_call_i64(call, article_id),
			 cpt_call_i64(call, party_id), cpt_call_i64(call, quantity), date);
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, "article_id", "article introuvable");
	}
	*out = (cpt_price){.base_price = cpt_db_i64(r, 0, 0), .source = "article"};
	out->unit_price = out->base_price;
	if (!PQgetisnull(r, 0, 1)) {
		out->rule_id = cpt_db_i64(r, 0, 1);
		out->source = cpt_db_bool(r, 0, 5) ? "client" : "price_list";
		if (cpt_db_bool(r, 0, 2)) {
			out->unit_price = cpt_db_i64(r, 0, 3);
		} else {
			int64_t off;
			if (!cpt_money_percent(out->base_price, cpt_db_i64(r, 0, 4), &off) ||
			    !cpt_money_sub(out->base_price, off, &out->unit_price)) {
				PQclear(r);
				return cpt_status_set(st, CPT_INTERNAL, "article_id",
						      "prix hors limites");
			}
		}
	}
	PQclear(r);
	return 0;
}

/* ---------------------------------------------------------------------------
 * Suppliers' prices
 */

static const char SQL_SUPPLIER_PRICES[] =
    "SELECT s.id, s.supplier_id, s.article_id, s.supplier_ref, s.min_quantity, s.unit_price,"
    " coalesce(s.valid_from::text, ''), coalesce(s.valid_to::text, ''), p.name, a.code, a.label"
    " FROM supplier_price s JOIN party p ON p.id = s.supplier_id"
    " JOIN article a ON a.id = s.article_id";

static Comptoir__Articles__SupplierPrice *supplier_price_row(cpt_call *call, const PGresult *r,
							     int i)
{
	Comptoir__Articles__SupplierPrice *s = CPT_NEW(call, Comptoir__Articles__SupplierPrice,
						       comptoir__articles__supplier_price__init);
	s->id = cpt_db_i64(r, i, 0);
	s->supplier_id = cpt_db_i64(r, i, 1);
	s->article_id = cpt_db_i64(r, i, 2);
	s->supplier_ref = col_str(call, r, i, 3);
	s->min_quantity = cpt_db_i64(r, i, 4);
	s->unit_price = cpt_db_i64(r, i, 5);
	s->valid_from = col_str(call, r, i, 6);
	s->valid_to = col_str(call, r, i, 7);
	s->supplier_name = col_str(call, r, i, 8);
	s->article_code = col_str(call, r, i, 9);
	s->article_label = col_str(call, r, i, 10);
	return s;
}

CPT_HANDLER(cpt_pricing_list_supplier_prices)
{
	const Comptoir__Articles__ListSupplierPricesRequest *req = (const void *)in;
	if (!req->supplier_id && !req->article_id) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "supplier_id",
				      "un fournisseur ou un article est attendu");
	}
	PGresult *r =
	    cpt_db_query(call, st,
			 cpt_call_printf(call,
					 "%s WHERE ($1::bigint = 0 OR s.supplier_id = $1::bigint)"
					 " AND ($2::bigint = 0 OR s.article_id = $2::bigint)"
					 " ORDER BY a.code, p.name, s.min_quantity LIMIT 10000",
					 SQL_SUPPLIER_PRICES),
			 cpt_call_i64(call, req->supplier_id), cpt_call_i64(call, req->article_id));
	if (!r) {
		return st->code;
	}
	Comptoir__Articles__ListSupplierPricesReply *rep =
	    CPT_NEW(call, Comptoir__Articles__ListSupplierPricesReply,
		    comptoir__articles__list_supplier_prices_reply__init);
	int n = PQntuples(r);
	rep->n_prices = (size_t)n;
	rep->prices = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		rep->prices[i] = supplier_price_row(call, r, i);
	}
	PQclear(r);
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_pricing_save_supplier_price)
{
	const Comptoir__Articles__SupplierPriceRequest *req = (const void *)in;
	if (!req->price) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "price", "prix manquant");
	}
	const Comptoir__Articles__SupplierPrice *s = req->price;
	const char *ref;
	if (cpt_field_text(call, s->supplier_ref, 50, false, "price.supplier_ref", st, &ref) ||
	    cpt_field_not_negative(s->unit_price, "price.unit_price", st) ||
	    cpt_field_not_negative(s->min_quantity, "price.min_quantity", st) ||
	    check_period(s->valid_from, s->valid_to, "price.valid_from", "price.valid_to", st)) {
		return st->code;
	}
	PGresult *r =
	    cpt_db_query(call, st,
			 "SELECT (SELECT kind = 'supplier' FROM party WHERE id = $1::bigint),"
			 " EXISTS (SELECT 1 FROM article WHERE id = $2::bigint)",
			 cpt_call_i64(call, s->supplier_id), cpt_call_i64(call, s->article_id));
	if (!r) {
		return st->code;
	}
	bool supplier = !PQgetisnull(r, 0, 0) && cpt_db_bool(r, 0, 0);
	bool article = cpt_db_bool(r, 0, 1);
	PQclear(r);
	if (!supplier) {
		return cpt_status_set(st, CPT_NOT_FOUND, "price.supplier_id",
				      "fournisseur introuvable");
	}
	if (!article) {
		return cpt_status_set(st, CPT_NOT_FOUND, "price.article_id", "article introuvable");
	}
	const char *v[] = {cpt_call_i64(call, s->supplier_id),
			   cpt_call_i64(call, s->article_id),
			   ref,
			   cpt_call_i64(call, s->min_quantity),
			   cpt_call_i64(call, s->unit_price),
			   *s->valid_from ? s->valid_from : NULL,
			   *s->valid_to ? s->valid_to : NULL,
			   cpt_call_i64(call, s->id)};
	int64_t id = 0;
	if (exec_ok(
		call, st,
		s->id ? "UPDATE supplier_price SET supplier_id = $1::bigint,"
			" article_id = $2::bigint, supplier_ref = $3, min_quantity = $4::bigint,"
			" unit_price = $5::bigint, valid_from = $6::date, valid_to = $7::date,"
			" updated_at = now() WHERE id = $8::bigint RETURNING id"
		      : "INSERT INTO supplier_price (supplier_id, article_id, supplier_ref,"
			" min_quantity, unit_price, valid_from, valid_to) VALUES ($1::bigint,"
			" $2::bigint, $3, $4::bigint, $5::bigint, $6::date, $7::date) RETURNING id",
		s->id ? 8 : 7, v, &id)) {
		if (cpt_db_violated(call,
				    "supplier_price_supplier_id_article_id_min_quantity_key")) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "price.min_quantity",
					      "ce fournisseur a déjà un prix pour cet article à "
					      "cette quantité");
		}
		return st->code;
	}
	if (!id) {
		return cpt_status_set(st, CPT_NOT_FOUND, "price.id", "prix introuvable");
	}
	if (cpt_notify(call, st, "supplier_price", id, s->id ? "update" : "create") ||
	    cpt_audit(call, st, "supplier_price", id, call->company_id,
		      cpt_json_object(call, "event", s->id ? "update" : "create", NULL))) {
		return st->code;
	}
	r = cpt_db_query(call, st,
			 cpt_call_printf(call, "%s WHERE s.id = $1::bigint", SQL_SUPPLIER_PRICES),
			 cpt_call_i64(call, id));
	if (!r) {
		return st->code;
	}
	Comptoir__Articles__SupplierPriceReply *rep =
	    CPT_NEW(call, Comptoir__Articles__SupplierPriceReply,
		    comptoir__articles__supplier_price_reply__init);
	rep->price = supplier_price_row(call, r, 0);
	PQclear(r);
	*out = &rep->base;
	return 0;
}
