/*
 * One CSV row into a client, an article or a supplier price, for imports.c.
 * Columns are named in French (accents and case ignored) or by the
 * protocol's field names. Values are read the way a French spreadsheet
 * writes them: "1 234,50" for prices, "20 %" or "5,5" for VAT rates,
 * "oui"/"non" for flags, dates as dd/mm/yyyy or yyyy-mm-dd.
 */
#include "articles.h"
#include "db.h"
#include "fields.h"
#include "imports.h"
#include "money.h"
#include "parties.h"

#include "articles.pb-c.h"
#include "parties.pb-c.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* Lower-case ASCII transliteration ("Main-d'œuvre" -> "main-d'oeuvre"). */
static char *folded(const char *s)
{
	char *a = g_str_to_ascii(s, "C");
	char *l = g_ascii_strdown(a, -1);
	g_free(a);
	return l;
}

/* "oui", "x", "1", "vrai", "yes"... -> true; "", "non", "0"... -> false. */
static int flag(const char *v, const char *field, protobuf_c_boolean *out, cpt_status *st)
{
	g_autofree char *f = folded(v);
	const char *yes[] = {"oui", "o", "x", "1", "vrai", "yes", "y", "true"};
	const char *no[] = {"", "non", "n", "0", "faux", "no", "false"};
	for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
		if (strcmp(f, yes[i]) == 0) {
			*out = true;
			return 0;
		}
	}
	for (size_t i = 0; i < G_N_ELEMENTS(no); i++) {
		if (strcmp(f, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return cpt_status_set(st, CPT_INVALID_ARGUMENT, field, "« %s » : oui ou non attendu", v);
}

static int price(const char *v, const char *field, int64_t *out, cpt_status *st)
{
	*out = 0;
	if (*v && !cpt_money_parse_price(v, out)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field,
				      "« %s » : prix illisible (1 234,50 attendu)", v);
	}
	return 0;
}

/* dd/mm/yyyy or yyyy-mm-dd as yyyy-mm-dd (call's arena); "" stays "". */
static int date_iso(cpt_call *call, const char *v, const char *field, const char **out,
		    cpt_status *st)
{
	int d, m, y;
	char tail;
	*out = v;
	if (*v && sscanf(v, "%2d/%2d/%4d%c", &d, &m, &y, &tail) == 3) {
		*out = cpt_call_printf(call, "%04d-%02d-%02d", y, m, d);
	}
	cpt_date date;
	bool set;
	return cpt_field_date(*out, field, st, &date, &set);
}

/* ---------------------------------------------------------------------------
 * Clients
 */

enum {
	C_CODE,
	C_NAME,
	C_KIND,
	C_LEGAL_FORM,
	C_COUNTRY,
	C_SIREN,
	C_SIRET,
	C_BE,
	C_VAT,
	C_TERMS,
	C_METHOD,
	C_SECTOR,
	C_REP,
	C_PRICE_LIST,
	C_PAYER,
	C_DISPUTE,
	C_NOTES,
	C_TAGS,
	C_SEGMENTS,
	C_LINE1,
	C_LINE2,
	C_POSTCODE,
	C_CITY,
	C_CONTACT,
	C_ROLE,
	C_EMAIL,
	C_PHONE,
	C_MOBILE,
	C_N
};

static const cpt_import_column client_columns[C_N] = {
    [C_CODE] = {"party.code", {"code", "code client", "code tiers"}, true},
    [C_NAME] = {"party.name", {"nom", "raison sociale", "name"}, true},
    [C_KIND] = {"party.kind", {"genre", "type", "kind"}, false},
    [C_LEGAL_FORM] = {"party.legal_form", {"forme juridique", "legal_form"}, false},
    [C_COUNTRY] = {"party.country", {"pays", "country"}, false},
    [C_SIREN] = {"party.siren", {"siren"}, false},
    [C_SIRET] = {"party.siret", {"siret"}, false},
    [C_BE] = {"party.be_enterprise",
	      {"numero d'entreprise", "n° d'entreprise", "bce", "be_enterprise"},
	      false},
    [C_VAT] = {"party.vat_number",
	       {"tva intracommunautaire", "n° tva", "numero de tva", "tva", "vat_number"},
	       false},
    [C_TERMS] = {"party.payment_terms",
		 {"conditions de paiement", "conditions de reglement", "payment_terms"},
		 false},
    [C_METHOD] = {"party.payment_method",
		  {"mode de paiement", "mode de reglement", "payment_method"},
		  false},
    [C_SECTOR] = {"party.sector_id", {"secteur", "sector"}, false},
    [C_REP] = {"party.sales_rep_id", {"commercial", "sales_rep"}, false},
    [C_PRICE_LIST] = {"party.price_list_id", {"tarif", "price_list"}, false},
    [C_PAYER] = {"party.payer_code", {"tiers payeur", "payeur", "payer_code"}, false},
    [C_DISPUTE] = {"party.dispute", {"litige", "dispute"}, false},
    [C_NOTES] = {"party.notes", {"notes", "remarques"}, false},
    [C_TAGS] = {"party.tags", {"etiquettes", "tags"}, false},
    [C_SEGMENTS] = {"party.segments", {"segments"}, false},
    [C_LINE1] = {"party.addresses.line1", {"adresse", "address", "line1"}, false},
    [C_LINE2] = {"party.addresses.line2", {"complement d'adresse", "adresse 2", "line2"}, false},
    [C_POSTCODE] = {"party.addresses.postcode", {"code postal", "cp", "postcode"}, false},
    [C_CITY] = {"party.addresses.city", {"ville", "city"}, false},
    [C_CONTACT] = {"party.contacts.name", {"contact", "nom du contact"}, false},
    [C_ROLE] = {"party.contacts.role", {"fonction", "role"}, false},
    [C_EMAIL] = {"party.contacts.email", {"e-mail", "email", "courriel"}, false},
    [C_PHONE] = {"party.contacts.phone", {"telephone", "tel", "phone"}, false},
    [C_MOBILE] = {"party.contacts.mobile", {"mobile", "portable"}, false},
};

/*
 * codes: the company's references by folded code and by folded name, under
 * one prefix each: "s:" sectors, "r:" sales reps, "l:" price lists (ids),
 * "m:" payment methods (codes).
 */
static int clients_prepare(cpt_import_ctx *ctx, cpt_status *st)
{
	static const struct {
		const char *prefix, *sql;
	} refs[] = {
	    {"s:", "SELECT id::text, code, label FROM sector"},
	    {"r:", "SELECT id::text, code, name FROM sales_rep WHERE active"},
	    {"l:", "SELECT id::text, code, label FROM price_list"},
	    {"m:", "SELECT code, code, label FROM payment_method"},
	};
	ctx->codes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (size_t k = 0; k < G_N_ELEMENTS(refs); k++) {
		PGresult *r = cpt_db_exec0(ctx->call, st, refs[k].sql);
		if (!r) {
			return st->code;
		}
		for (int i = 0; i < PQntuples(r); i++) {
			for (int c = 2; c >= 1; c--) { /* the code wins over a name */
				g_autofree char *key = folded(cpt_db_str(r, i, c));
				g_hash_table_replace(ctx->codes,
						     g_strconcat(refs[k].prefix, key, NULL),
						     g_strdup(cpt_db_str(r, i, 0)));
			}
		}
		PQclear(r);
	}
	return 0;
}

/* The reference named by code or name v ("" when v is); NULL and st set if unknown. */
static const char *reference(cpt_import_ctx *ctx, const char *prefix, const char *v,
			     const char *field, const char *what, cpt_status *st)
{
	if (!*v) {
		return "";
	}
	g_autofree char *key = folded(v);
	g_autofree char *k = g_strconcat(prefix, key, NULL);
	const char *found = g_hash_table_lookup(ctx->codes, k);
	if (!found) {
		cpt_status_set(st, CPT_NOT_FOUND, field, "%s « %s » inconnu", what, v);
	}
	return found;
}

/* Splits a list cell on "," or "|" into *out (call's arena). */
static size_t split_list(cpt_call *call, const char *v, char ***out)
{
	g_auto(GStrv) parts = g_strsplit_set(v, ",|", -1);
	char **kept = cpt_call_alloc(call, sizeof(char *) * (g_strv_length(parts) + 1));
	size_t n = 0;
	for (char **t = parts; *t; t++) {
		char *s = g_strstrip(cpt_call_strdup(call, *t));
		if (*s) {
			kept[n++] = s;
		}
	}
	*out = kept;
	return n;
}

static int client_row(cpt_import_ctx *ctx, size_t r, bool *updated, cpt_status *st)
{
	cpt_call *call = ctx->call;
	const char *v[C_N];
	for (size_t c = 0; c < C_N; c++) {
		v[c] = cpt_import_cell(ctx, r, c);
	}
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.code = (char *)v[C_CODE];
	p.name = (char *)v[C_NAME];
	g_autofree char *kind = folded(v[C_KIND]);
	p.kind = *kind ? kind : "client";
	p.legal_form = (char *)v[C_LEGAL_FORM];
	p.country = (char *)v[C_COUNTRY];
	p.siren = (char *)v[C_SIREN];
	p.siret = (char *)v[C_SIRET];
	p.be_enterprise = (char *)v[C_BE];
	p.vat_number = (char *)v[C_VAT];
	p.payment_terms = (char *)v[C_TERMS];
	p.notes = (char *)v[C_NOTES];
	p.payer_code = (char *)v[C_PAYER];
	const char *sector = reference(ctx, "s:", v[C_SECTOR], "party.sector_id", "secteur", st);
	const char *rep =
	    sector ? reference(ctx, "r:", v[C_REP], "party.sales_rep_id", "commercial", st) : NULL;
	const char *list =
	    rep ? reference(ctx, "l:", v[C_PRICE_LIST], "party.price_list_id", "tarif", st) : NULL;
	const char *method =
	    list ? reference(ctx, "m:", v[C_METHOD], "party.payment_method", "mode de paiement", st)
		 : NULL;
	if (!method) {
		return st->code;
	}
	p.sector_id = g_ascii_strtoll(sector, NULL, 10);
	p.sales_rep_id = g_ascii_strtoll(rep, NULL, 10);
	p.price_list_id = g_ascii_strtoll(list, NULL, 10);
	p.payment_method = (char *)method;
	if (flag(v[C_DISPUTE], "party.dispute", &p.dispute, st)) {
		return st->code;
	}
	p.n_tags = split_list(call, v[C_TAGS], &p.tags);
	p.n_segments = split_list(call, v[C_SEGMENTS], &p.segments);
	Comptoir__Parties__Address a = COMPTOIR__PARTIES__ADDRESS__INIT;
	Comptoir__Parties__Address *ap[] = {&a};
	if (*v[C_LINE1] || *v[C_LINE2] || *v[C_POSTCODE] || *v[C_CITY]) {
		a.kind = "billing";
		a.line1 = (char *)v[C_LINE1];
		a.line2 = (char *)v[C_LINE2];
		a.postcode = (char *)v[C_POSTCODE];
		a.city = (char *)v[C_CITY];
		p.addresses = ap;
		p.n_addresses = 1;
	}
	Comptoir__Parties__Contact ct = COMPTOIR__PARTIES__CONTACT__INIT;
	Comptoir__Parties__Contact *ctp[] = {&ct};
	if (*v[C_CONTACT] || *v[C_EMAIL] || *v[C_PHONE] || *v[C_MOBILE]) {
		/* Contact details without a name are the company's own line. */
		ct.name = (char *)(*v[C_CONTACT] ? v[C_CONTACT] : v[C_NAME]);
		ct.role = (char *)v[C_ROLE];
		ct.email = (char *)v[C_EMAIL];
		ct.phone = (char *)v[C_PHONE];
		ct.mobile = (char *)v[C_MOBILE];
		p.contacts = ctp;
		p.n_contacts = 1;
	}
	int64_t id;
	*updated = false;
	return cpt_party_insert(call, st, &p, &id, NULL);
}

const cpt_import_kind cpt_import_clients = {
    .what = "party",
    .topic = "party",
    .columns = client_columns,
    .n_columns = C_N,
    .taken_sql = "SELECT code FROM party",
    .code_column = C_CODE,
    .prepare = clients_prepare,
    .row = client_row,
};

/* ---------------------------------------------------------------------------
 * Articles
 */

enum {
	A_CODE,
	A_LABEL,
	A_KIND,
	A_UNIT,
	A_PURCHASE,
	A_SALE,
	A_VAT,
	A_ECO,
	A_FAMILY,
	A_SUBFAMILY,
	A_BARCODE,
	A_STOCK,
	A_SERIAL,
	A_NOTES,
	A_ARCHIVED,
	A_N
};

static const cpt_import_column article_columns[A_N] = {
    [A_CODE] = {"article.code", {"code", "code article", "reference"}, true},
    [A_LABEL] = {"article.label", {"libelle", "designation", "label"}, true},
    [A_KIND] = {"article.kind", {"nature", "type", "kind"}, false},
    [A_UNIT] = {"article.unit", {"unite", "unit"}, false},
    [A_PURCHASE] = {"article.purchase_price",
		    {"prix d'achat", "prix achat", "purchase_price"},
		    false},
    [A_SALE] = {"article.sale_price",
		{"prix de vente ht", "prix de vente", "prix ht", "sale_price"},
		false},
    [A_VAT] = {"article.vat_rate_id", {"taux de tva", "tva", "vat_rate"}, false},
    [A_ECO] = {"article.eco_contribution",
	       {"eco-contribution", "eco contribution", "deee", "eco_contribution"},
	       false},
    [A_FAMILY] = {"article.family_id", {"famille", "family"}, false},
    [A_SUBFAMILY] = {"article.subfamily_id", {"sous-famille", "subfamily"}, false},
    [A_BARCODE] = {"article.barcode", {"code-barres", "code barre", "ean", "barcode"}, false},
    [A_STOCK] = {"article.stock_tracked", {"suivi de stock", "stock", "stock_tracked"}, false},
    [A_SERIAL] = {"article.serial_tracked",
		  {"suivi par n° de serie", "n° de serie", "serial_tracked"},
		  false},
    [A_NOTES] = {"article.notes", {"notes", "remarques"}, false},
    [A_ARCHIVED] = {"article.archived", {"archive", "archived"}, false},
};

/* codes: family code -> id; codes2: "rate" -> VAT rate id, for the company's country. */
static int articles_prepare(cpt_import_ctx *ctx, cpt_status *st)
{
	ctx->codes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	ctx->codes2 = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	PGresult *r = cpt_db_exec0(ctx->call, st, "SELECT code, id FROM article_family");
	if (!r) {
		return st->code;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		g_hash_table_insert(ctx->codes, g_strdup(cpt_db_str(r, i, 0)),
				    g_strdup(cpt_db_str(r, i, 1)));
	}
	PQclear(r);
	r = cpt_db_query(ctx->call, st,
			 "SELECT rate::text, id FROM vat_rate WHERE country = $1"
			 " ORDER BY category = 'S' DESC",
			 ctx->country);
	if (!r) {
		return st->code;
	}
	for (int i = PQntuples(r) - 1; i >= 0; i--) {
		g_hash_table_replace(ctx->codes2, g_strdup(cpt_db_str(r, i, 0)),
				     g_strdup(cpt_db_str(r, i, 1)));
	}
	PQclear(r);
	return 0;
}

static const char *const article_kinds[][2] = {
    {"bien", "goods"},		 {"biens", "goods"},	      {"marchandise", "goods"},
    {"goods", "goods"},		 {"service", "service"},      {"prestation", "service"},
    {"main-d'oeuvre", "labour"}, {"main d'oeuvre", "labour"}, {"mo", "labour"},
    {"labour", "labour"},	 {"deplacement", "travel"},   {"travel", "travel"},
};

static int64_t family_id(cpt_import_ctx *ctx, const char *code, const char *field, cpt_status *st)
{
	if (!*code) {
		return 0;
	}
	g_autofree char *up = g_ascii_strup(code, -1);
	const char *id = g_hash_table_lookup(ctx->codes, up);
	if (!id) {
		cpt_status_set(st, CPT_NOT_FOUND, field, "aucune famille de code %s", code);
		return -1;
	}
	return g_ascii_strtoll(id, NULL, 10);
}

static int article_row(cpt_import_ctx *ctx, size_t r, bool *updated, cpt_status *st)
{
	const char *v[A_N];
	for (size_t c = 0; c < A_N; c++) {
		v[c] = cpt_import_cell(ctx, r, c);
	}
	Comptoir__Articles__Article a = COMPTOIR__ARTICLES__ARTICLE__INIT;
	a.code = (char *)v[A_CODE];
	a.label = (char *)v[A_LABEL];
	a.kind = "goods";
	if (*v[A_KIND]) {
		g_autofree char *k = folded(v[A_KIND]);
		a.kind = (char *)v[A_KIND]; /* refused by the article's own check */
		for (size_t i = 0; i < G_N_ELEMENTS(article_kinds); i++) {
			if (strcmp(k, article_kinds[i][0]) == 0) {
				a.kind = (char *)article_kinds[i][1];
			}
		}
	}
	a.unit = (char *)v[A_UNIT];
	a.barcode = (char *)v[A_BARCODE];
	a.notes = (char *)v[A_NOTES];
	if (price(v[A_PURCHASE], "article.purchase_price", &a.purchase_price, st) ||
	    price(v[A_SALE], "article.sale_price", &a.sale_price, st) ||
	    price(v[A_ECO], "article.eco_contribution", &a.eco_contribution, st) ||
	    flag(v[A_STOCK], "article.stock_tracked", &a.stock_tracked, st) ||
	    flag(v[A_SERIAL], "article.serial_tracked", &a.serial_tracked, st) ||
	    flag(v[A_ARCHIVED], "article.archived", &a.archived, st)) {
		return st->code;
	}
	/* The VAT rate by its value ("20", "20 %", "5,5"); the standard one when empty. */
	int64_t rate = strcmp(ctx->country, "BE") == 0 ? 2100 : 2000;
	if (*v[A_VAT]) {
		char *t = cpt_call_strdup(ctx->call, v[A_VAT]);
		char *pct = strchr(t, '%');
		if (pct) {
			*pct = '\0';
		}
		if (!cpt_money_parse(t, &rate)) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article.vat_rate_id",
					      "« %s » : taux de TVA illisible (20 ou 5,5 attendu)",
					      v[A_VAT]);
		}
	}
	const char *vat = g_hash_table_lookup(ctx->codes2, cpt_call_i64(ctx->call, rate));
	if (!vat) {
		return cpt_status_set(st, CPT_NOT_FOUND, "article.vat_rate_id",
				      "« %s » n'est pas un taux de TVA de ce pays", v[A_VAT]);
	}
	a.vat_rate_id = g_ascii_strtoll(vat, NULL, 10);
	a.family_id = family_id(ctx, v[A_FAMILY], "article.family_id", st);
	a.subfamily_id = family_id(ctx, v[A_SUBFAMILY], "article.subfamily_id", st);
	if (a.family_id < 0 || a.subfamily_id < 0) {
		return st->code;
	}
	int64_t id;
	*updated = false;
	return cpt_article_insert(ctx->call, st, &a, &id, NULL);
}

const cpt_import_kind cpt_import_articles = {
    .what = "article",
    .topic = "article",
    .columns = article_columns,
    .n_columns = A_N,
    .taken_sql = "SELECT code FROM article",
    .code_column = A_CODE,
    .prepare = articles_prepare,
    .row = article_row,
};

/* ---------------------------------------------------------------------------
 * A supplier's prices
 */

enum { S_SUPPLIER, S_ARTICLE, S_REF, S_PRICE, S_MIN, S_FROM, S_TO, S_N };

static const cpt_import_column supplier_price_columns[S_N] = {
    [S_SUPPLIER] = {"price.supplier_id", {"fournisseur", "code fournisseur", "supplier"}, false},
    [S_ARTICLE] = {"price.article_id",
		   {"article", "code article", "reference article", "article_code"},
		   true},
    [S_REF] = {"price.supplier_ref",
	       {"reference fournisseur", "ref. fournisseur", "ref fournisseur", "supplier_ref"},
	       false},
    [S_PRICE] = {"price.unit_price", {"prix", "prix d'achat", "prix unitaire", "unit_price"}, true},
    [S_MIN] = {"price.min_quantity",
	       {"quantite minimale", "a partir de", "quantite", "min_quantity"},
	       false},
    [S_FROM] = {"price.valid_from", {"debut de validite", "valable du", "valid_from"}, false},
    [S_TO] = {"price.valid_to", {"fin de validite", "valable au", "valid_to"}, false},
};

/* codes: article code -> id; codes2: supplier code -> id. */
static int supplier_prices_prepare(cpt_import_ctx *ctx, cpt_status *st)
{
	if (!ctx->req->supplier_id && ctx->col[S_SUPPLIER] < 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "supplier_id",
				      "fournisseur attendu : dans la demande ou en colonne");
	}
	ctx->codes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	ctx->codes2 = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	PGresult *r = cpt_db_exec0(ctx->call, st, "SELECT code, id FROM article");
	if (!r) {
		return st->code;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		g_hash_table_insert(ctx->codes, g_strdup(cpt_db_str(r, i, 0)),
				    g_strdup(cpt_db_str(r, i, 1)));
	}
	PQclear(r);
	r = cpt_db_exec0(ctx->call, st, "SELECT code, id FROM party WHERE kind = 'supplier'");
	if (!r) {
		return st->code;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		g_hash_table_insert(ctx->codes2, g_strdup(cpt_db_str(r, i, 0)),
				    g_strdup(cpt_db_str(r, i, 1)));
	}
	PQclear(r);
	if (ctx->req->supplier_id) {
		r = cpt_db_query(ctx->call, st,
				 "SELECT 1 FROM party WHERE id = $1::bigint AND kind = 'supplier'",
				 cpt_call_i64(ctx->call, ctx->req->supplier_id));
		if (!r) {
			return st->code;
		}
		bool found = PQntuples(r) == 1;
		PQclear(r);
		if (!found) {
			return cpt_status_set(st, CPT_NOT_FOUND, "supplier_id",
					      "fournisseur introuvable");
		}
	}
	return 0;
}

static const char *lookup(GHashTable *codes, const char *code)
{
	g_autofree char *up = g_ascii_strup(code, -1);
	return g_hash_table_lookup(codes, up);
}

static int supplier_price_row(cpt_import_ctx *ctx, size_t r, bool *updated, cpt_status *st)
{
	cpt_call *call = ctx->call;
	const char *v[S_N];
	for (size_t c = 0; c < S_N; c++) {
		v[c] = cpt_import_cell(ctx, r, c);
	}
	const char *supplier = cpt_call_i64(call, ctx->req->supplier_id);
	if (*v[S_SUPPLIER]) {
		supplier = lookup(ctx->codes2, v[S_SUPPLIER]);
		if (!supplier) {
			return cpt_status_set(st, CPT_NOT_FOUND, "price.supplier_id",
					      "aucun fournisseur de code %s", v[S_SUPPLIER]);
		}
	} else if (!ctx->req->supplier_id) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "price.supplier_id",
				      "fournisseur obligatoire");
	}
	const char *article = lookup(ctx->codes, v[S_ARTICLE]);
	if (!article) {
		return cpt_status_set(st, CPT_NOT_FOUND, "price.article_id",
				      "aucun article de code %s", v[S_ARTICLE]);
	}
	const char *ref, *from, *to;
	int64_t unit_price, min_qty = 0;
	if (!*v[S_PRICE]) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "price.unit_price",
				      "prix obligatoire");
	}
	if (price(v[S_PRICE], "price.unit_price", &unit_price, st) ||
	    cpt_field_not_negative(unit_price, "price.unit_price", st) ||
	    cpt_field_text(call, v[S_REF], 50, false, "price.supplier_ref", st, &ref) ||
	    date_iso(call, v[S_FROM], "price.valid_from", &from, st) ||
	    date_iso(call, v[S_TO], "price.valid_to", &to, st)) {
		return st->code;
	}
	if (*v[S_MIN] && !cpt_money_parse_qty(v[S_MIN], &min_qty)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "price.min_quantity",
				      "« %s » : quantité illisible", v[S_MIN]);
	}
	if (cpt_field_not_negative(min_qty, "price.min_quantity", st)) {
		return st->code;
	}
	if (*from && *to && strcmp(from, to) > 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "price.valid_to",
				      "la fin de validité précède son début");
	}
	PGresult *res = cpt_db_query(
	    call, st,
	    "INSERT INTO supplier_price (supplier_id, article_id, supplier_ref, min_quantity,"
	    " unit_price, valid_from, valid_to) VALUES ($1::bigint, $2::bigint, $3, $4::bigint,"
	    " $5::bigint, nullif($6, '')::date, nullif($7, '')::date)"
	    " ON CONFLICT (supplier_id, article_id, min_quantity) DO UPDATE SET"
	    " supplier_ref = excluded.supplier_ref, unit_price = excluded.unit_price,"
	    " valid_from = excluded.valid_from, valid_to = excluded.valid_to, updated_at = now()"
	    " RETURNING xmax <> 0",
	    supplier, article, ref, cpt_call_i64(call, min_qty), cpt_call_i64(call, unit_price),
	    from, to);
	if (!res) {
		return st->code;
	}
	*updated = cpt_db_bool(res, 0, 0);
	PQclear(res);
	return 0;
}

const cpt_import_kind cpt_import_supplier_prices = {
    .what = "supplier_price",
    .topic = "supplier_price",
    .columns = supplier_price_columns,
    .n_columns = S_N,
    .prepare = supplier_prices_prepare,
    .row = supplier_price_row,
};
