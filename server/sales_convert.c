/*
 * The chain from one document to the next, with no retyping:
 *
 *   quote → order → delivery note(s) → invoice, or quote → invoice;
 *   several quotes or delivery notes of one client → one invoice;
 *   quote or order → deposit invoice (a share of it, per VAT rate), deducted
 *   on the final invoice made from the same quote or order;
 *   invoice → credit note, full or partial, never more than is left;
 *   quote or order → pro forma: what is left to invoice, shown as the
 *   invoice would be, taking nothing (only invoices take from the lines);
 *   any document → a copy of it, a new draft linked to nothing.
 *
 * Each new document is a draft whose lines point to the lines they come
 * from (source_line_id), so what is left to deliver (back-orders), to
 * invoice or to credit is always a sum over the chain, never a copy.
 */
#include "audit.h"
#include "db.h"
#include "events.h"
#include "handlers.h"
#include "money.h"
#include "sales.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* Which document may be made from which, and in which book. */
static bool allowed(const char *from, const char *to)
{
	static const char *const pairs[][2] = {
	    {"quote", "order"},		  {"quote", "invoice"},	 {"quote", "deposit_invoice"},
	    {"quote", "proforma"},	  {"order", "delivery"}, {"order", "invoice"},
	    {"order", "deposit_invoice"}, {"order", "proforma"}, {"delivery", "invoice"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(pairs); i++) {
		if (strcmp(pairs[i][0], from) == 0 && strcmp(pairs[i][1], to) == 0) {
			return true;
		}
	}
	return false;
}

/* Loads a source in whichever book it lives: Convert crosses books. */
static int load_source(cpt_call *call, cpt_status *st, int64_t id, Comptoir__Sales__Document **out)
{
	const char *method = call->method;
	/* cpt_sales_load reads the book from the method: try both. */
	call->method = "comptoir.sales.Quotes/Get";
	int rc = cpt_sales_load(call, st, id, "source_ids", out);
	if (rc == CPT_NOT_FOUND) {
		cpt_status_reset(st);
		call->method = "comptoir.sales.Invoices/Get";
		rc = cpt_sales_load(call, st, id, "source_ids", out);
	}
	call->method = method;
	return rc;
}

/* A quote past its validity, not accepted, is expired. */
static int check_quote(cpt_call *call, cpt_status *st, const Comptoir__Sales__Document *q)
{
	if (strcmp(q->type, "quote") != 0) {
		return 0;
	}
	if (strcmp(q->state, "refused") == 0) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "source_ids",
				      "le devis %s a été refusé", q->number);
	}
	bool expired = strcmp(q->state, "expired") == 0;
	if (!expired && strcmp(q->state, "accepted") != 0 && *q->valid_until) {
		PGresult *r =
		    cpt_db_query(call, st, "SELECT $1::date < current_date", q->valid_until);
		if (!r) {
			return st->code;
		}
		expired = cpt_db_bool(r, 0, 0);
		PQclear(r);
	}
	if (expired) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "source_ids",
				      "le devis %s a expiré le %s", q->number, q->valid_until);
	}
	return 0;
}

/*
 * What is already taken from source line id by documents of types (a SQL
 * list), other than cancelled ones: delivered, invoiced or credited.
 */
/* A rate in hundredths of a percent as people write it: "30", "33,33". */
static void pct_format(int64_t bp, char *buf, size_t size)
{
	if (bp % 100 == 0) {
		snprintf(buf, size, "%lld", (long long)(bp / 100));
	} else {
		cpt_money_format_plain(bp, buf, size);
	}
}

static int64_t taken(cpt_call *call, cpt_status *st, int64_t line, const char *types, bool *ok)
{
	char *sql = cpt_call_printf(call,
				    "SELECT coalesce(sum(l.quantity), 0) FROM sales_line l"
				    " JOIN sales_document d ON d.id = l.document_id"
				    " WHERE l.source_line_id = $1::bigint AND d.type IN (%s)"
				    " AND d.state <> 'cancelled'",
				    types);
	PGresult *r = cpt_db_query(call, st, sql, cpt_call_i64(call, line));
	*ok = r != NULL;
	int64_t v = r ? cpt_db_i64(r, 0, 0) : 0;
	if (r) {
		PQclear(r);
	}
	return v;
}

static Comptoir__Sales__Line *copy_line(cpt_call *call, const Comptoir__Sales__Line *from)
{
	Comptoir__Sales__Line *l =
	    CPT_NEW(call, Comptoir__Sales__Line, comptoir__sales__line__init);
	*l = *from;
	l->id = 0;
	l->source_line_id = from->kind[0] && strcmp(from->kind, "item") != 0 ? 0 : from->id;
	l->vat_rate_id = 0;
	return l;
}

/* The VAT rate id of a rate and category, for lines the server writes itself. */
static int64_t vat_rate_id(cpt_call *call, cpt_status *st, int64_t rate, const char *category)
{
	PGresult *r = cpt_db_query(
	    call, st,
	    "SELECT id FROM vat_rate WHERE rate = $1::int AND (category = $2 OR $1::int = 0)"
	    " ORDER BY country = (SELECT country FROM company WHERE id = cpt_company()) DESC"
	    " LIMIT 1",
	    cpt_call_i64(call, rate), category);
	int64_t id = r && PQntuples(r) ? cpt_db_i64(r, 0, 0) : 0;
	if (r) {
		PQclear(r);
	}
	return id;
}

/* Deposit lines: the share of each VAT group of the source. */
static int deposit_lines(cpt_call *call, cpt_status *st, const Comptoir__Sales__Document *src,
			 int32_t rate, GPtrArray *lines)
{
	if (rate <= 0 || rate > 10000) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "deposit_rate",
				      "part de l'acompte entre 0 et 100 %%");
	}
	for (size_t g = 0; g < src->n_vat; g++) {
		const Comptoir__Sales__VatTotal *v = src->vat[g];
		int64_t share, price;
		int64_t basis = src->prices_include_vat ? v->taxable + v->amount : v->taxable;
		if (!cpt_money_percent(basis, rate, &share) ||
		    !cpt_money_mul(share, 100, &price)) { /* cents to 1/10000 */
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "deposit_rate",
					      "montant hors limites");
		}
		Comptoir__Sales__Line *l =
		    CPT_NEW(call, Comptoir__Sales__Line, comptoir__sales__line__init);
		char pct[32];
		pct_format(rate, pct, sizeof pct);
		l->label = cpt_call_printf(
		    call, "Acompte de %s %% sur %s %s", pct,
		    strcmp(src->type, "quote") == 0 ? "le devis" : "la commande", src->number);
		l->unit = "forfait";
		l->quantity = 1000;
		l->unit_price = price;
		l->vat_rate_id = vat_rate_id(call, st, v->rate, v->category);
		g_ptr_array_add(lines, l);
	}
	return 0;
}

/* Copies src's item lines with what is left of each. */
/* A stored date (yyyy-mm-dd) as people read it: dd/mm/yyyy. */
static const char *date_fr(cpt_call *call, const char *iso)
{
	int y, m, d;
	if (sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3) {
		return iso;
	}
	return cpt_call_printf(call, "%02d/%02d/%04d", d, m, y);
}

static int remaining_lines(cpt_call *call, cpt_status *st, const Comptoir__Sales__Document *src,
			   const char *to_type, const Comptoir__Sales__ConvertRequest *req,
			   bool grouped, GPtrArray *lines)
{
	const char *types = strcmp(to_type, "delivery") == 0 ? "'delivery'" : "'invoice'";
	if (grouped) {
		Comptoir__Sales__Line *s =
		    CPT_NEW(call, Comptoir__Sales__Line, comptoir__sales__line__init);
		s->kind = "section";
		s->label = cpt_call_printf(call, "%s %s du %s",
					   strcmp(src->type, "quote") == 0	? "Devis"
					   : strcmp(src->type, "delivery") == 0 ? "Bon de livraison"
										: "Commande",
					   src->number, date_fr(call, src->issue_date));
		g_ptr_array_add(lines, s);
	}
	for (size_t i = 0; i < src->n_lines; i++) {
		const Comptoir__Sales__Line *from = src->lines[i];
		if (strcmp(from->kind, "item") != 0) {
			g_ptr_array_add(lines, copy_line(call, from));
			continue;
		}
		bool ok;
		int64_t left = from->quantity - taken(call, st, from->id, types, &ok);
		if (!ok) {
			return st->code;
		}
		/* Quantities given: the lines not named are not taken this time. */
		int64_t qty = req->n_quantities ? 0 : left;
		for (size_t k = 0; k < req->n_quantities; k++) {
			if (req->quantities[k]->key == from->id) {
				qty = req->quantities[k]->value;
				if (qty < 0 || qty > left) {
					return cpt_status_set(
					    st, CPT_INVALID_ARGUMENT, "quantities",
					    "ligne « %s » : %s reste à reprendre", from->label,
					    cpt_call_printf(call, "%.3f", (double)left / 1000));
				}
			}
		}
		if (qty == 0) {
			continue;
		}
		Comptoir__Sales__Line *l = copy_line(call, from);
		l->quantity = qty;
		/* The source's own rate, price and discount, whatever the article says now. */
		l->vat_rate_id = vat_rate_id(call, st, from->vat_rate, from->vat_category);
		g_ptr_array_add(lines, l);
	}
	return 0;
}

/* What invoices already took of source line id, as amounts (cents, as entered). */
static int64_t taken_amount(cpt_call *call, cpt_status *st, int64_t line, bool *ok)
{
	PGresult *r = cpt_db_query(call, st,
				   "SELECT coalesce(sum(l.amount), 0) FROM sales_line l"
				   " JOIN sales_document d ON d.id = l.document_id"
				   " WHERE l.source_line_id = $1::bigint AND d.type = 'invoice'"
				   " AND d.state <> 'cancelled'",
				   cpt_call_i64(call, line));
	*ok = r != NULL;
	int64_t v = r ? cpt_db_i64(r, 0, 0) : 0;
	if (r) {
		PQclear(r);
	}
	return v;
}

/*
 * A progress invoice of src. Each item line of the quote is brought to rate
 * of its amount, rounded once, less what earlier progress invoices took of
 * it; the difference is invoiced as one lump ("forfait") that says its
 * share, so that at 100 % every line is invoiced exactly, to the cent.
 * *previous is what the earlier progress invoices came to (TTC).
 */
static int progress_lines(cpt_call *call, cpt_status *st, const Comptoir__Sales__Document *src,
			  int32_t rate, GPtrArray *lines, int64_t *previous)
{
	PGresult *r = cpt_db_query(
	    call, st,
	    "SELECT coalesce(max(d.progress_rate), 0), coalesce(sum(d.gross_total), 0)"
	    " FROM sales_link k JOIN sales_document d ON d.id = k.to_id"
	    " WHERE k.from_id = $1::bigint AND d.type = 'invoice' AND d.state <> 'cancelled'"
	    " AND d.progress_rate > 0",
	    cpt_call_i64(call, src->id));
	if (!r) {
		return st->code;
	}
	int64_t before = cpt_db_i64(r, 0, 0);
	*previous = cpt_db_i64(r, 0, 1);
	PQclear(r);
	char pct[32];
	if (rate <= before || rate > 10000) {
		pct_format(before, pct, sizeof pct);
		return cpt_status_set(
		    st, CPT_INVALID_ARGUMENT, "progress_rate",
		    "l'avancement cumulé doit dépasser %s %% et rester dans 100 %%", pct);
	}
	pct_format(rate, pct, sizeof pct);
	for (size_t i = 0; i < src->n_lines; i++) {
		const Comptoir__Sales__Line *from = src->lines[i];
		if (strcmp(from->kind, "item") != 0) {
			g_ptr_array_add(lines, copy_line(call, from));
			continue;
		}
		int64_t target, price;
		bool ok;
		if (!cpt_money_percent(from->amount, rate, &target)) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "progress_rate",
					      "montant hors limites");
		}
		int64_t amount = target - taken_amount(call, st, from->id, &ok);
		if (!ok) {
			return st->code;
		}
		if (amount == 0 || !cpt_money_mul(amount, 100, &price)) { /* cents to 1/10000 */
			continue;
		}
		char qty[32], unit_price[32];
		cpt_money_format_qty(from->quantity, qty, sizeof qty);
		cpt_money_format_price(from->unit_price, unit_price, sizeof unit_price);
		Comptoir__Sales__Line *l = copy_line(call, from);
		l->label = cpt_call_printf(call, "%s\nAvancement %s %% de %s %s × %s €",
					   from->label, pct, qty, from->unit, unit_price);
		l->unit = "forfait";
		l->quantity = 1000;
		l->unit_price = price;
		l->discount = 0;
		l->vat_rate_id = vat_rate_id(call, st, from->vat_rate, from->vat_category);
		g_ptr_array_add(lines, l);
	}
	return 0;
}

/*
 * Deposits invoiced on the same sources as invoice id are deducted on it for
 * what is left of them: their total, less their validated credit notes and
 * what earlier invoices deducted, oldest first and never more than the
 * invoice comes to (a progress invoice may take a part; the rest waits for
 * the next). The link from each deposit keeps the amount, which the PDF and
 * the e-invoices print. A pro forma shows the same deductions; only
 * invoices use the deposits up.
 *
 * The deposits are locked first, in a statement of their own: the amounts
 * are then read by a statement whose snapshot comes after the lock, so a
 * credit note of a deposit validated meanwhile (which locks the deposit
 * too, and is refused once it is deducted) or another invoice of the same
 * sources is seen, never missed.
 */
/*
 * A document is invoiced by progress or by quantities, not both: a progress
 * invoice's lump says a share of each line, not a quantity, so quantities
 * left could no longer be told. Refused on progress_rate.
 */
static int one_way_of_invoicing(cpt_call *call, cpt_status *st,
				const Comptoir__Sales__Document *src, bool progress)
{
	PGresult *r =
	    cpt_db_query(call, st,
			 "SELECT count(*) FILTER (WHERE d.progress_rate > 0),"
			 " count(*) FILTER (WHERE d.progress_rate = 0) FROM sales_link k"
			 " JOIN sales_document d ON d.id = k.to_id WHERE k.from_id = $1::bigint"
			 " AND d.type = 'invoice' AND d.state <> 'cancelled'",
			 cpt_call_i64(call, src->id));
	if (!r) {
		return st->code;
	}
	int64_t by_progress = cpt_db_i64(r, 0, 0), by_quantity = cpt_db_i64(r, 0, 1);
	PQclear(r);
	if (!progress && by_progress > 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "progress_rate",
				      "%s est facturé à l'avancement : indiquez l'avancement "
				      "cumulé atteint (100 %% pour solder)",
				      src->number);
	}
	if (progress && by_quantity > 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "progress_rate",
				      "%s est déjà facturé par quantités : il ne se facture plus "
				      "à l'avancement",
				      src->number);
	}
	return 0;
}

static int deduct_deposits(cpt_call *call, cpt_status *st, int64_t id)
{
	const char *v[] = {cpt_call_i64(call, id)};
	PGresult *r = cpt_db_exec(call, st,
				  "SELECT a.id FROM sales_document a"
				  " WHERE a.type = 'deposit_invoice' AND a.id IN (SELECT k.to_id"
				  "  FROM sales_link s JOIN sales_link k ON k.from_id = s.from_id"
				  "  WHERE s.to_id = $1::bigint)"
				  " ORDER BY a.id FOR UPDATE",
				  1, v);
	if (!r) {
		return st->code;
	}
	bool any = PQntuples(r) > 0;
	PQclear(r);
	if (!any) {
		return 0;
	}
	r = cpt_db_exec(
	    call, st,
	    "WITH dep AS (SELECT a.id, a.issue_date, a.gross_total"
	    "  - coalesce((SELECT sum(c.gross_total) FROM sales_document c"
	    "   WHERE c.corrects_id = a.id AND c.type = 'credit_note'"
	    "   AND c.number IS NOT NULL), 0)"
	    "  - coalesce((SELECT sum(coalesce(u.amount, a.gross_total)) FROM sales_link u"
	    "   JOIN sales_document f ON f.id = u.to_id AND f.type = 'invoice'"
	    "   AND f.state <> 'cancelled' WHERE u.from_id = a.id AND f.id <> $1::bigint), 0)"
	    "  AS left_over FROM sales_document a"
	    "  WHERE a.type = 'deposit_invoice' AND a.state <> 'draft'"
	    "  AND a.state <> 'cancelled' AND a.id IN (SELECT k.to_id FROM sales_link s"
	    "  JOIN sales_link k ON k.from_id = s.from_id WHERE s.to_id = $1::bigint)),"
	    " run AS (SELECT id, left_over, sum(left_over) OVER (ORDER BY issue_date, id)"
	    "  - left_over AS before FROM dep WHERE left_over > 0),"
	    " kept AS (SELECT run.id, least(run.left_over, d.gross_total - run.before) AS amount"
	    "  FROM run, sales_document d WHERE d.id = $1::bigint"
	    "  AND run.before < d.gross_total),"
	    " l AS (INSERT INTO sales_link (from_id, to_id, amount)"
	    "  SELECT id, $1::bigint, amount FROM kept)"
	    " UPDATE sales_document SET prepaid = (SELECT coalesce(sum(amount), 0) FROM kept),"
	    " amount_due = gross_total - (SELECT coalesce(sum(amount), 0) FROM kept)"
	    " WHERE id = $1::bigint",
	    1, v);
	if (!r) {
		return st->code;
	}
	PQclear(r);
	return 0;
}

CPT_HANDLER(cpt_sales_convert_run)
{
	const Comptoir__Sales__ConvertRequest *req = (const void *)in;
	if (!cpt_sales_type_in_book(call, req->to_type)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "to_type",
				      "type de document à créer inconnu ici");
	}
	if (req->n_source_ids == 0 ||
	    (req->n_source_ids > 1 && strcmp(req->to_type, "invoice") != 0)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "source_ids",
				      req->n_source_ids ? "seule une facture regroupe plusieurs "
							  "documents"
							: "document d'origine manquant");
	}
	Comptoir__Sales__Document **src = cpt_call_alloc(call, sizeof(void *) * req->n_source_ids);
	for (size_t i = 0; i < req->n_source_ids; i++) {
		if (load_source(call, st, req->source_ids[i], &src[i])) {
			return st->code;
		}
		if (strcmp(src[i]->state, "draft") == 0) {
			return cpt_status_set(st, CPT_FAILED_PRECONDITION, "source_ids",
					      "validez d'abord le document d'origine");
		}
		if (!allowed(src[i]->type, req->to_type)) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "to_type",
					      "on ne fait pas ce document à partir de celui-ci");
		}
		if (check_quote(call, st, src[i])) {
			return st->code;
		}
		if (src[i]->party_id != src[0]->party_id ||
		    src[i]->prices_include_vat != src[0]->prices_include_vat) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "source_ids",
					      "documents de clients ou de modes de saisie "
					      "différents");
		}
	}
	Comptoir__Sales__Document doc = COMPTOIR__SALES__DOCUMENT__INIT;
	doc.type = (char *)req->to_type;
	doc.party_id = src[0]->party_id;
	doc.payment_terms = src[0]->payment_terms;
	doc.prices_include_vat = src[0]->prices_include_vat;
	doc.discount_rate =
	    strcmp(req->to_type, "deposit_invoice") == 0 ? 0 : src[0]->discount_rate;
	doc.exemption_code = src[0]->exemption_code;
	doc.buyer_reference = src[0]->buyer_reference;
	doc.delivery_address_id = src[0]->delivery_address_id;
	GPtrArray *lines = g_ptr_array_new();
	int rc = 0;
	bool progress = req->progress_rate != 0;
	int64_t previous = 0;
	if (progress && (strcmp(req->to_type, "invoice") != 0 || req->n_source_ids != 1 ||
			 strcmp(src[0]->type, "delivery") == 0)) {
		g_ptr_array_free(lines, TRUE);
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "progress_rate",
				      "une facture d'avancement se fait d'un seul devis ou d'une "
				      "commande");
	}
	for (size_t i = 0; i < req->n_source_ids && rc == 0; i++) {
		rc = strcmp(req->to_type, "invoice") == 0
			 ? one_way_of_invoicing(call, st, src[i], progress)
			 : 0;
		if (rc) {
			break;
		}
		rc = progress
			 ? progress_lines(call, st, src[i], req->progress_rate, lines, &previous)
		     : strcmp(req->to_type, "deposit_invoice") == 0
			 ? deposit_lines(call, st, src[i], req->deposit_rate, lines)
			 : remaining_lines(call, st, src[i], req->to_type, req,
					   req->n_source_ids > 1, lines);
	}
	guint items = 0;
	for (guint i = 0; i < lines->len; i++) {
		const Comptoir__Sales__Line *l = g_ptr_array_index(lines, i);
		items += !l->kind || !*l->kind || strcmp(l->kind, "item") == 0;
	}
	if (rc == 0 && items == 0) {
		rc = cpt_status_set(st, CPT_FAILED_PRECONDITION, "source_ids",
				    "tout a déjà été repris de ce document");
	}
	doc.n_lines = lines->len;
	doc.lines = (Comptoir__Sales__Line **)lines->pdata;
	int64_t id = 0;
	if (rc == 0) {
		rc = cpt_sales_save(call, st, &doc, true, &id, NULL);
	}
	g_ptr_array_free(lines, TRUE);
	if (rc) {
		return rc;
	}
	for (size_t i = 0; i < req->n_source_ids; i++) {
		const char *v[] = {cpt_call_i64(call, req->source_ids[i]), cpt_call_i64(call, id)};
		PGresult *r = cpt_db_exec(call, st,
					  "INSERT INTO sales_link (from_id, to_id)"
					  " VALUES ($1::bigint, $2::bigint) ON CONFLICT DO NOTHING",
					  2, v);
		if (!r) {
			return st->code;
		}
		PQclear(r);
	}
	if (progress) {
		char pct[32], prev[64];
		pct_format(req->progress_rate, pct, sizeof pct);
		cpt_money_format(previous, prev, sizeof prev);
		const char *v[] = {
		    cpt_call_i64(call, id), cpt_call_i64(call, req->progress_rate),
		    cpt_call_i64(call, previous),
		    cpt_call_printf(call,
				    "Facture d'avancement sur %s %s : %s %% cumulés ; "
				    "déjà facturé : %s TTC.",
				    strcmp(src[0]->type, "quote") == 0 ? "le devis" : "la commande",
				    src[0]->number, pct, prev)};
		PGresult *r = cpt_db_exec(call, st,
					  "UPDATE sales_document SET progress_rate = $2::int,"
					  " progress_previous = $3::bigint, notes = $4"
					  " WHERE id = $1::bigint",
					  4, v);
		if (!r) {
			return st->code;
		}
		PQclear(r);
	}
	if ((strcmp(req->to_type, "invoice") == 0 || strcmp(req->to_type, "proforma") == 0) &&
	    deduct_deposits(call, st, id)) {
		return st->code;
	}
	if (cpt_notify(call, st, cpt_sales_topic(req->to_type), id, "create") ||
	    cpt_audit(call, st, "sales_document", id, call->company_id,
		      cpt_json_object(call, "event", "convert", "type", req->to_type, NULL))) {
		return st->code;
	}
	return cpt_sales_reply(call, st, id, out);
}

/*
 * A deposit already deducted on an invoice is not credited any more: the
 * client would get it back twice. The invoice that deducts it is the one
 * to credit. Refused with its number, or 0.
 */
static int deposit_deducted(cpt_call *call, cpt_status *st, const Comptoir__Sales__Document *dep)
{
	PGresult *r =
	    cpt_db_query(call, st,
			 "SELECT f.number FROM sales_link k"
			 " JOIN sales_document f ON f.id = k.to_id AND f.type = 'invoice'"
			 " WHERE k.from_id = $1::bigint ORDER BY f.number NULLS LAST LIMIT 1",
			 cpt_call_i64(call, dep->id));
	if (!r) {
		return st->code;
	}
	int rc = 0;
	if (PQntuples(r) == 1 && PQgetisnull(r, 0, 0)) {
		rc = cpt_status_set(st, CPT_FAILED_PRECONDITION, "invoice_id",
				    "l'acompte %s est déduit sur un brouillon de facture : "
				    "supprimez d'abord ce brouillon",
				    dep->number);
	} else if (PQntuples(r) == 1) {
		rc = cpt_status_set(st, CPT_FAILED_PRECONDITION, "invoice_id",
				    "l'acompte %s est déjà déduit sur la facture %s : c'est elle"
				    " qu'il faut corriger par un avoir",
				    dep->number, PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return rc;
}

CPT_HANDLER(cpt_sales_credit_note_run)
{
	const Comptoir__Sales__CreditNoteRequest *req = (const void *)in;
	Comptoir__Sales__Document *inv;
	if (cpt_sales_load(call, st, req->invoice_id, "invoice_id", &inv)) {
		return st->code;
	}
	if ((strcmp(inv->type, "invoice") != 0 && strcmp(inv->type, "deposit_invoice") != 0) ||
	    strcmp(inv->state, "draft") == 0) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "invoice_id",
				      "un avoir corrige une facture validée");
	}
	if (strcmp(inv->type, "deposit_invoice") == 0 && deposit_deducted(call, st, inv)) {
		return st->code;
	}
	Comptoir__Sales__Document doc = COMPTOIR__SALES__DOCUMENT__INIT;
	doc.type = "credit_note";
	doc.party_id = inv->party_id;
	doc.payment_terms = "RECEIPT";
	doc.prices_include_vat = inv->prices_include_vat;
	doc.discount_rate = inv->discount_rate;
	doc.exemption_code = inv->exemption_code;
	doc.buyer_reference = inv->buyer_reference;
	doc.corrects_id = inv->id;
	doc.notes = cpt_call_printf(call, "Avoir sur la facture %s du %s", inv->number,
				    date_fr(call, inv->issue_date));
	GPtrArray *lines = g_ptr_array_new();
	int rc = 0;
	for (size_t i = 0; i < inv->n_lines && rc == 0; i++) {
		const Comptoir__Sales__Line *from = inv->lines[i];
		if (strcmp(from->kind, "item") != 0) {
			continue;
		}
		bool ok;
		int64_t left = from->quantity - taken(call, st, from->id, "'credit_note'", &ok);
		if (!ok) {
			rc = st->code;
			break;
		}
		int64_t qty = req->n_quantities ? 0 : left; /* only the lines named, when named */
		for (size_t k = 0; k < req->n_quantities; k++) {
			if (req->quantities[k]->key == from->id) {
				qty = req->quantities[k]->value;
			}
		}
		if (qty < 0 || qty > left) {
			rc = cpt_status_set(st, CPT_FAILED_PRECONDITION, "quantities",
					    "l'avoir dépasse ce qui reste à créditer sur « %s »",
					    from->label);
			break;
		}
		if (qty == 0) {
			continue;
		}
		Comptoir__Sales__Line *l = copy_line(call, from);
		l->quantity = qty;
		l->vat_rate_id = vat_rate_id(call, st, from->vat_rate, from->vat_category);
		g_ptr_array_add(lines, l);
	}
	if (rc == 0 && lines->len == 0) {
		rc = cpt_status_set(st, CPT_FAILED_PRECONDITION, "invoice_id",
				    "cette facture est déjà entièrement créditée");
	}
	doc.n_lines = lines->len;
	doc.lines = (Comptoir__Sales__Line **)lines->pdata;
	int64_t id = 0;
	if (rc == 0) {
		rc = cpt_sales_save(call, st, &doc, true, &id, NULL);
	}
	g_ptr_array_free(lines, TRUE);
	if (rc || cpt_notify(call, st, "sales_invoices", id, "create") ||
	    cpt_audit(
		call, st, "sales_document", id, call->company_id,
		cpt_json_object(call, "event", "credit_note", "invoice", inv->number, NULL))) {
		return st->code;
	}
	return cpt_sales_reply(call, st, id, out);
}

CPT_HANDLER(cpt_sales_quote_state_run)
{
	const Comptoir__Sales__QuoteStateRequest *req = (const void *)in;
	Comptoir__Sales__Document *q;
	if (cpt_sales_load(call, st, req->id, "id", &q)) {
		return st->code;
	}
	if (strcmp(q->type, "quote") != 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "id",
				      "ce document n'est pas un devis");
	}
	if (strcmp(req->state, "sent") != 0 && strcmp(req->state, "accepted") != 0 &&
	    strcmp(req->state, "refused") != 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "state",
				      "état attendu : sent, accepted ou refused");
	}
	if (strcmp(q->state, "draft") == 0) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "state",
				      "validez d'abord le devis");
	}
	if (strcmp(q->state, "validated") != 0 && strcmp(q->state, "sent") != 0) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "state", "ce devis est déjà %s",
				      q->state);
	}
	if (strcmp(req->state, "accepted") == 0 && check_quote(call, st, q)) {
		return st->code;
	}
	const char *v[] = {cpt_call_i64(call, req->id), req->state};
	PGresult *r = cpt_db_exec(
	    call, st,
	    "UPDATE sales_document SET state = $2, updated_at = now() WHERE id = $1::bigint", 2, v);
	if (!r) {
		return st->code;
	}
	PQclear(r);
	if (cpt_notify(call, st, "sales_quotes", req->id, "update") ||
	    cpt_audit(call, st, "sales_document", req->id, call->company_id,
		      cpt_json_object(call, "event", "quote_state", "state", req->state, NULL))) {
		return st->code;
	}
	return cpt_sales_reply(call, st, req->id, out);
}

CPT_HANDLER(cpt_sales_duplicate_run)
{
	const Comptoir__Sales__IdRequest *req = (const void *)in;
	Comptoir__Sales__Document *src;
	if (cpt_sales_load(call, st, req->id, "id", &src)) {
		return st->code;
	}
	if (strcmp(src->type, "credit_note") == 0 || strcmp(src->type, "deposit_invoice") == 0) {
		/* Each is made from the invoice or the quote it belongs to. */
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "id",
				      "un avoir ou une facture d'acompte ne se duplique pas : "
				      "faites-le à partir de sa facture ou de son devis");
	}
	Comptoir__Sales__Document doc = COMPTOIR__SALES__DOCUMENT__INIT;
	doc.type = src->type;
	doc.party_id = src->party_id;
	doc.payment_terms = src->payment_terms;
	doc.prices_include_vat = src->prices_include_vat;
	doc.discount_rate = src->discount_rate;
	doc.exemption_code = src->exemption_code;
	doc.delivery_address_id = src->delivery_address_id;
	doc.notes = src->notes;
	GPtrArray *lines = g_ptr_array_new();
	int rc = 0;
	for (size_t i = 0; i < src->n_lines && rc == 0; i++) {
		Comptoir__Sales__Line *l = copy_line(call, src->lines[i]);
		l->source_line_id = 0; /* a copy takes nothing from the original */
		if (strcmp(l->kind, "item") == 0) {
			/* The original's rate and price, whatever the article says now. */
			l->vat_rate_id = vat_rate_id(call, st, src->lines[i]->vat_rate,
						     src->lines[i]->vat_category);
			rc = l->vat_rate_id ? 0 : st->code;
		}
		g_ptr_array_add(lines, l);
	}
	doc.n_lines = lines->len;
	doc.lines = (Comptoir__Sales__Line **)lines->pdata;
	int64_t id = 0;
	if (rc == 0) {
		rc = cpt_sales_save(call, st, &doc, true, &id, NULL);
	}
	g_ptr_array_free(lines, TRUE);
	if (rc || cpt_notify(call, st, cpt_sales_topic(src->type), id, "create") ||
	    cpt_audit(call, st, "sales_document", id, call->company_id,
		      cpt_json_object(call, "event", "duplicate", "from",
				      *src->number ? src->number : "brouillon", NULL))) {
		return st->code;
	}
	return cpt_sales_reply(call, st, id, out);
}
