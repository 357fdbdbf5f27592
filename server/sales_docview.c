/*
 * A sales document as its renderers see it (docview.h), read from the
 * database: the company's legal identity, the buyer as frozen at validation
 * (or as it is now, for a draft), the lines, the VAT breakdown recomputed by
 * the code that made the totals, the deposits deducted, and the mentions the
 * law asks for, worded in French. Every string lives in the call's arena.
 */
#include "db.h"
#include "docview.h"
#include "ident.h"
#include "mentions.h"
#include "money.h"
#include "sales.h"
#include "sales_totals.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *S(cpt_call *call, const PGresult *r, int row, int col)
{
	return cpt_call_strdup(call, cpt_db_str(r, row, col));
}

static cpt_date date_of(const char *iso)
{
	cpt_date d = {0};
	if (iso && strlen(iso) >= 10) {
		d.year = atoi(iso);
		d.month = atoi(iso + 5);
		d.day = atoi(iso + 8);
	}
	return d;
}

static const char SQL_VIEW[] =
    "WITH d AS (SELECT * FROM sales_document WHERE id = $1::bigint),"
    " b AS (SELECT CASE WHEN d.buyer <> '{}' THEN d.buyer ELSE " CPT_SALES_BUYER_JSON "  END AS j"
    "  FROM d JOIN party p ON p.id = d.party_id)"
    " SELECT d.type, coalesce(d.number, ''), d.issue_date::text, coalesce(d.due_date::text, ''),"
    " coalesce(d.delivery_date::text, ''), coalesce(d.valid_until::text, ''),"
    " d.buyer_reference, d.payment_terms, d.prices_include_vat, d.discount_rate,"
    " coalesce(d.exemption_code, ''), d.lines_net, d.discount_amount, d.net_total,"
    " d.vat_total, d.gross_total, d.prepaid, d.amount_due, d.eco_total, d.notes,"
    " coalesce(x.legal_mention, ''), coalesce(x.category, ''),"
    /* 22: the buyer */
    " coalesce(b.j->>'code', ''), coalesce(b.j->>'name', ''), coalesce(b.j->>'siren', ''),"
    " coalesce(b.j->>'vat_number', ''), coalesce(b.j->>'be_enterprise', ''),"
    " coalesce(b.j->'billing'->>'line1', ''), coalesce(b.j->'billing'->>'line2', ''),"
    " coalesce(b.j->'billing'->>'postcode', ''), coalesce(b.j->'billing'->>'city', ''),"
    " coalesce(b.j->'billing'->>'country', b.j->>'country', 'FR'),"
    " b.j->'delivery' IS NOT NULL AND jsonb_typeof(b.j->'delivery') = 'object',"
    " coalesce(b.j->'delivery'->>'line1', ''), coalesce(b.j->'delivery'->>'line2', ''),"
    " coalesce(b.j->'delivery'->>'postcode', ''), coalesce(b.j->'delivery'->>'city', ''),"
    " coalesce(b.j->'delivery'->>'country', 'FR'), coalesce(b.j->'contact'->>'name', ''),"
    " coalesce(b.j->'contact'->>'email', ''),"
    /* 40: the seller */
    " c.name, c.legal_form, c.share_capital, coalesce(c.siren, ''), c.siret, c.rcs,"
    " c.be_enterprise, coalesce(c.vat_number, ''), c.address_line1, c.address_line2,"
    " c.postcode, c.city, c.country, c.phone, c.email, c.website, c.iban, c.bic, c.colour,"
    " c.footer, c.vat_on_debits, c.ecb_rate, c.penalty_margin, c.legal_interest_rate,"
    " c.early_discount, c.payment_means,"
    /* 66: the corrected invoice */
    " coalesce(ci.number, ''), coalesce(ci.issue_date::text, ''), d.id, d.progress_rate,"
    " d.progress_previous, coalesce(encode(sha256(c.logo), 'hex'), '')"
    " FROM d JOIN b ON true JOIN company c ON c.id = d.company_id"
    " LEFT JOIN vat_exemption x ON x.code = d.exemption_code"
    " LEFT JOIN sales_document ci ON ci.id = d.corrects_id";

static const char SQL_VIEW_LINES[] =
    "SELECT l.kind, l.article_code, l.label, coalesce(u.label, l.unit),"
    " coalesce(u.un_code, 'C62'), l.quantity, l.unit_price, l.discount, l.net, l.vat_rate,"
    " l.vat_category, l.eco_contribution, coalesce(a.kind, '')"
    " FROM sales_line l LEFT JOIN unit u ON u.code = l.unit"
    " LEFT JOIN article a ON a.id = l.article_id WHERE l.document_id = $1::bigint"
    " ORDER BY l.position";

static const char *title_of(cpt_doc_type t)
{
	static const char *const titles[] = {
	    "Devis", "Confirmation de commande", "Bon de livraison", "Facture",
	    "Avoir", "Facture d'acompte",	 "Facture pro forma"};
	return titles[t];
}

static cpt_doc_type type_of(const char *t)
{
	static const char *const names[] = {"quote",	   "order",	      "delivery", "invoice",
					    "credit_note", "deposit_invoice", "proforma"};
	for (int i = 0; i < 7; i++) {
		if (strcmp(names[i], t) == 0) {
			return (cpt_doc_type)i;
		}
	}
	return CPT_DOC_INVOICE;
}

static const char *vatex_of(const char *category)
{
	return strcmp(category, "AE") == 0  ? "VATEX-EU-AE"
	       : strcmp(category, "K") == 0 ? "VATEX-EU-IC"
	       : strcmp(category, "G") == 0 ? "VATEX-EU-G"
	       : strcmp(category, "O") == 0 ? "VATEX-EU-O"
					    : "";
}

static void mentions(cpt_call *call, const PGresult *r, cpt_doc_view *v)
{
	cpt_terms terms;
	char label[128] = "";
	cpt_status st = {0};
	if (cpt_terms_parse(cpt_db_str(r, 0, 7), "payment_terms", &terms, &st) == 0) {
		cpt_terms_format_label(terms, label, sizeof label);
	}
	v->payment_terms = cpt_call_strdup(call, label);
	char penalty[CPT_MENTION_SIZE];
	cpt_mention_late_penalty(v->seller.address.country, cpt_db_i64(r, 0, 61),
				 cpt_db_i64(r, 0, 62), cpt_db_i64(r, 0, 63), penalty,
				 sizeof penalty);
	v->late_penalty = cpt_call_strdup(call, penalty);
	v->recovery_indemnity = "Indemnité forfaitaire pour frais de recouvrement : 40 €.";
	v->early_discount = S(call, r, 0, 64);
	v->vat_on_debits = cpt_db_bool(r, 0, 60);
	v->payment_means_code = S(call, r, 0, 65);
}

static void seller(cpt_call *call, const PGresult *r, cpt_doc_seller *s)
{
	s->name = S(call, r, 0, 40);
	s->legal_form = S(call, r, 0, 41);
	s->share_capital = S(call, r, 0, 42);
	s->siren = S(call, r, 0, 43);
	s->siret = S(call, r, 0, 44);
	s->rcs = S(call, r, 0, 45);
	s->be_enterprise = S(call, r, 0, 46);
	s->vat_number = S(call, r, 0, 47);
	s->address = (cpt_doc_address){S(call, r, 0, 48), S(call, r, 0, 49), S(call, r, 0, 50),
				       S(call, r, 0, 51), S(call, r, 0, 52)};
	s->phone = S(call, r, 0, 53);
	s->email = S(call, r, 0, 54);
	s->website = S(call, r, 0, 55);
	s->iban = S(call, r, 0, 56);
	s->bic = S(call, r, 0, 57);
	s->colour = (uint32_t)cpt_db_i64(r, 0, 58);
	s->footer = S(call, r, 0, 59);
	s->logo_png = "";
}

static void buyer(cpt_call *call, const PGresult *r, cpt_doc_buyer *b)
{
	b->code = S(call, r, 0, 22);
	b->name = S(call, r, 0, 23);
	b->siren = S(call, r, 0, 24);
	b->vat_number = S(call, r, 0, 25);
	b->be_enterprise = S(call, r, 0, 26);
	b->billing = (cpt_doc_address){S(call, r, 0, 27), S(call, r, 0, 28), S(call, r, 0, 29),
				       S(call, r, 0, 30), S(call, r, 0, 31)};
	b->has_delivery = cpt_db_bool(r, 0, 32);
	b->delivery = (cpt_doc_address){S(call, r, 0, 33), S(call, r, 0, 34), S(call, r, 0, 35),
					S(call, r, 0, 36), S(call, r, 0, 37)};
	b->contact = S(call, r, 0, 38);
	b->email = S(call, r, 0, 39);
}

static int lines(cpt_call *call, cpt_status *st, int64_t id, cpt_doc_view *v)
{
	PGresult *r = cpt_db_query(call, st, SQL_VIEW_LINES, cpt_call_i64(call, id));
	if (!r) {
		return st->code;
	}
	int n = PQntuples(r);
	cpt_doc_line *l = cpt_call_alloc(call, sizeof *l * (size_t)(n + 1));
	cpt_sales_line *calc = cpt_call_alloc(call, sizeof *calc * (size_t)(n + 1));
	bool goods = false, services = false;
	for (int i = 0; i < n; i++) {
		const char *kind = cpt_db_str(r, i, 0);
		l[i].kind = strcmp(kind, "text") == 0	    ? CPT_LINE_TEXT
			    : strcmp(kind, "section") == 0  ? CPT_LINE_SECTION
			    : strcmp(kind, "subtotal") == 0 ? CPT_LINE_SUBTOTAL
							    : CPT_LINE_ITEM;
		l[i].article_code = S(call, r, i, 1);
		l[i].label = S(call, r, i, 2);
		l[i].unit = S(call, r, i, 3);
		l[i].unit_code = S(call, r, i, 4);
		l[i].quantity = cpt_db_i64(r, i, 5);
		l[i].unit_price = cpt_db_i64(r, i, 6);
		l[i].discount = cpt_db_i64(r, i, 7);
		l[i].net = cpt_db_i64(r, i, 8);
		l[i].vat_rate = cpt_db_i64(r, i, 9);
		l[i].vat_category = S(call, r, i, 10);
		int64_t eco = 0;
		cpt_money_line_net(cpt_db_i64(r, i, 11), l[i].quantity, 0, &eco);
		l[i].eco_contribution = eco;
		calc[i] = (cpt_sales_line){.kind = (cpt_sales_kind)l[i].kind,
					   .quantity = l[i].quantity,
					   .unit_price = l[i].unit_price,
					   .discount = l[i].discount,
					   .vat_rate = l[i].vat_rate,
					   .eco_contribution = cpt_db_i64(r, i, 11)};
		g_strlcpy(calc[i].vat_category, l[i].vat_category, sizeof calc[i].vat_category);
		if (l[i].kind == CPT_LINE_ITEM) {
			bool is_goods = strcmp(cpt_db_str(r, i, 12), "goods") == 0;
			goods |= is_goods;
			services |= !is_goods;
		}
	}
	PQclear(r);
	cpt_sales_totals t;
	long bad;
	if (!cpt_sales_compute(calc, (size_t)n, v->prices_include_vat, v->discount_rate, &t,
			       &bad)) {
		return cpt_status_set(st, CPT_INTERNAL, "lines", "montants hors limites");
	}
	for (int i = 0; i < n; i++) {
		l[i].subtotal = calc[i].subtotal;
	}
	v->lines = l;
	v->n_lines = (size_t)n;
	v->nature = goods && services ? CPT_NATURE_BOTH
		    : goods	      ? CPT_NATURE_GOODS
				      : CPT_NATURE_SERVICES;
	cpt_doc_vat *vat = cpt_call_alloc(call, sizeof *vat * (t.n_groups + 1));
	for (size_t g = 0; g < t.n_groups; g++) {
		vat[g] = (cpt_doc_vat){.rate = t.groups[g].rate,
				       .category = cpt_call_strdup(call, t.groups[g].category),
				       .base = t.groups[g].base,
				       .amount = t.groups[g].vat,
				       .exemption = "",
				       .exemption_code = ""};
	}
	v->vat = vat;
	v->n_vat = t.n_groups;
	return 0;
}

static int deductions(cpt_call *call, cpt_status *st, int64_t id, cpt_doc_view *v)
{
	PGresult *r =
	    cpt_db_query(call, st,
			 "SELECT a.number, a.issue_date::text, coalesce(k.amount, a.gross_total)"
			 " FROM sales_link k"
			 " JOIN sales_document a ON a.id = k.from_id"
			 " AND a.type = 'deposit_invoice' WHERE k.to_id = $1::bigint"
			 " ORDER BY a.issue_date, a.id",
			 cpt_call_i64(call, id));
	if (!r) {
		return st->code;
	}
	int n = PQntuples(r);
	cpt_doc_deduction *d = cpt_call_alloc(call, sizeof *d * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		d[i] = (cpt_doc_deduction){S(call, r, i, 0), date_of(cpt_db_str(r, i, 1)),
					   cpt_db_i64(r, i, 2)};
	}
	PQclear(r);
	v->deductions = d;
	v->n_deductions = (size_t)n;
	return 0;
}

/*
 * The company's logo as a file the renderer can read: written once per
 * version (named by its hash) in the temporary directory, atomically.
 */
static const char *logo_file(cpt_call *call, cpt_status *st, const char *hash)
{
	if (!*hash) {
		return "";
	}
	g_autofree char *name = g_strdup_printf("comptoir-logo-%s.png", hash);
	g_autofree char *built = g_build_filename(g_get_tmp_dir(), name, NULL);
	char *path = cpt_call_strdup(call, built);
	if (g_file_test(path, G_FILE_TEST_EXISTS)) {
		return path;
	}
	PGresult *r = cpt_db_exec0(call, st, "SELECT logo FROM company WHERE id = cpt_company()");
	if (!r) {
		return "";
	}
	size_t len = 0;
	unsigned char *raw =
	    PQntuples(r) ? PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 0), &len) : NULL;
	PQclear(r);
	g_autofree char *tmp = g_strdup_printf("%s.%d", path, (int)g_random_int());
	bool ok = raw && g_file_set_contents(tmp, (const char *)raw, (gssize)len, NULL) &&
		  rename(tmp, path) == 0;
	if (raw) {
		PQfreemem(raw);
	}
	return ok ? path : "";
}

int cpt_sales_docview(cpt_call *call, cpt_status *st, int64_t id, cpt_doc_view *v)
{
	memset(v, 0, sizeof *v);
	PGresult *r = cpt_db_query(call, st, SQL_VIEW, cpt_call_i64(call, id));
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, "id", "document introuvable");
	}
	v->type = type_of(cpt_db_str(r, 0, 0));
	v->number = S(call, r, 0, 1);
	v->title = title_of(v->type);
	v->issue_date = date_of(cpt_db_str(r, 0, 2));
	v->due_date = date_of(cpt_db_str(r, 0, 3));
	v->delivery_date = date_of(cpt_db_str(r, 0, 4));
	v->valid_until = date_of(cpt_db_str(r, 0, 5));
	v->currency = "EUR";
	v->language = "fr";
	v->buyer_reference = S(call, r, 0, 6);
	v->prices_include_vat = cpt_db_bool(r, 0, 8);
	v->discount_rate = cpt_db_i64(r, 0, 9);
	v->lines_net = cpt_db_i64(r, 0, 11);
	v->discount_amount = cpt_db_i64(r, 0, 12);
	v->net_total = cpt_db_i64(r, 0, 13);
	v->vat_total = cpt_db_i64(r, 0, 14);
	v->gross_total = cpt_db_i64(r, 0, 15);
	v->prepaid = cpt_db_i64(r, 0, 16);
	v->amount_due = cpt_db_i64(r, 0, 17);
	v->eco_total = cpt_db_i64(r, 0, 18);
	v->notes = S(call, r, 0, 19);
	const char *mention = S(call, r, 0, 20);
	v->preceding_number = S(call, r, 0, 66);
	v->preceding_date = date_of(cpt_db_str(r, 0, 67));
	v->progress_rate = cpt_db_i64(r, 0, 69);
	v->progress_previous = cpt_db_i64(r, 0, 70);
	const char *logo_hash = S(call, r, 0, 71);
	seller(call, r, &v->seller);
	buyer(call, r, &v->buyer);
	mentions(call, r, v);
	v->structured_communication = "";
	if (strcmp(v->seller.address.country, "BE") == 0 &&
	    (v->type == CPT_DOC_INVOICE || v->type == CPT_DOC_DEPOSIT_INVOICE)) {
		char comm[32];
		cpt_status ignored = {0};
		if (cpt_ident_structcomm_make((uint64_t)id, "id", comm, &ignored) == 0) {
			v->structured_communication = cpt_call_strdup(call, comm);
		}
	}
	PQclear(r);
	v->seller.logo_png = logo_file(call, st, logo_hash);
	if (lines(call, st, id, v) || deductions(call, st, id, v)) {
		return st->code;
	}
	for (size_t g = 0; g < v->n_vat; g++) {
		cpt_doc_vat *x = (cpt_doc_vat *)&v->vat[g];
		if (strcmp(x->category, "S") != 0 && strcmp(x->category, "Z") != 0) {
			x->exemption = mention;
			x->exemption_code = vatex_of(x->category);
		}
	}
	return 0;
}
