/*
 * cpt_einv_prepare: checks a document view before either e-invoice writer
 * touches it, and derives what both need (einvoice_private.h). The order is
 * the view's own: the document, its parties, each line, the totals, then
 * what the EN 16931 and Peppol rules ask of the parties given the VAT
 * categories. Notes and electronic addresses are in einvoice_notes.c.
 */
#include "einvoice_private.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "xmlw.h"

static const char *str(const char *s)
{
	return s ? s : "";
}

static bool blank(const char *s)
{
	return cpt_xmlw_blank(s);
}

static bool is_code(const char *s, size_t len)
{
	if (strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return true;
}

static bool category_known(const char *c)
{
	static const char *const known[] = {"S", "Z", "E", "AE", "K", "G", "O", "L", "M"};
	for (size_t i = 0; i < G_N_ELEMENTS(known); i++)
		if (strcmp(c, known[i]) == 0)
			return true;
	return false;
}

bool cpt_einv_category_has_rate(const char *category)
{
	return strcmp(category, "O") != 0;
}

bool cpt_einv_category_exempt(const char *category)
{
	static const char *const exempt[] = {"E", "AE", "K", "G", "O"};
	for (size_t i = 0; i < G_N_ELEMENTS(exempt); i++)
		if (strcmp(category, exempt[i]) == 0)
			return true;
	return false;
}

/* Standard-like categories carry a positive rate; the others none or 0. */
static bool rate_fits(const char *category, int64_t rate)
{
	if (rate < 0 || rate > CPT_MONEY_RATE_MAX)
		return false;
	if (strcmp(category, "S") == 0 || strcmp(category, "L") == 0 || strcmp(category, "M") == 0)
		return rate > 0;
	return rate == 0;
}

/* Bound of every amount and quantity read: 10^15 cents, ten thousand
 * billion euros. Within it, sums, differences and sign changes cannot
 * overflow, nor can a price times a discount in 1/10^8. */
#define EINV_MAGNITUDE_MAX 1000000000000000LL

static bool in_range(int64_t x)
{
	return x >= -EINV_MAGNITUDE_MAX && x <= EINV_MAGNITUDE_MAX;
}

static int invalid(cpt_status *st, const char *field, const char *msg)
{
	return cpt_status_set(st, CPT_INVALID_ARGUMENT, field, "%s", msg);
}

static int missing(cpt_status *st, const char *field, const char *msg)
{
	return cpt_status_set(st, CPT_FAILED_PRECONDITION, field, "%s", msg);
}

/* "1 234,56 €", for messages. */
static const char *money(int64_t cents, char buf[CPT_MONEY_FORMAT_SIZE])
{
	if (!cpt_money_format(cents, buf, CPT_MONEY_FORMAT_SIZE))
		snprintf(buf, CPT_MONEY_FORMAT_SIZE, "%lld", (long long)cents);
	return buf;
}

static int totals_differ(cpt_status *st, const char *field, const char *what, int64_t given,
			 int64_t expected)
{
	char a[CPT_MONEY_FORMAT_SIZE], b[CPT_MONEY_FORMAT_SIZE];
	return cpt_status_set(st, CPT_INVALID_ARGUMENT, field, "%s vaut %s au lieu de %s.", what,
			      money(given, a), money(expected, b));
}

/* ---- Document and parties --------------------------------------------- */

static int check_document(cpt_einv *e, const cpt_doc_view *v, cpt_status *st)
{
	switch (v->type) {
	case CPT_DOC_INVOICE:
		e->type_code = "380";
		break;
	case CPT_DOC_CREDIT_NOTE:
		e->type_code = "381";
		break;
	case CPT_DOC_DEPOSIT_INVOICE:
		e->type_code = "386";
		break;
	default:
		return missing(st, "type",
			       "Seules les factures, factures d'acompte et avoirs ont une "
			       "version électronique : pas un devis, une commande, un bon de "
			       "livraison ni une pro forma.");
	}
	if (blank(v->number))
		return missing(st, "number",
			       "Un brouillon n'a pas de numéro légal : validez le document avant "
			       "d'en produire la facture électronique.");
	if (!cpt_date_valid(v->issue_date))
		return invalid(st, "issue_date", "La date d'émission est invalide.");
	struct {
		cpt_date d;
		const char *field;
	} dates[] = {{v->due_date, "due_date"},
		     {v->delivery_date, "delivery_date"},
		     {v->preceding_date, "preceding_date"}};
	for (size_t i = 0; i < G_N_ELEMENTS(dates); i++)
		if (dates[i].d.year != 0 && !cpt_date_valid(dates[i].d))
			return invalid(st, dates[i].field, "Cette date est invalide.");
	e->currency = blank(v->currency) ? "EUR" : v->currency;
	if (!is_code(e->currency, 3))
		return invalid(st, "currency", "La devise doit être un code ISO 4217 (EUR).");
	return CPT_OK;
}

static int check_address(const cpt_doc_address *a, const char *field, cpt_status *st)
{
	if (!is_code(str(a->country), 2))
		return invalid(st, field,
			       "Le pays doit être un code ISO 3166 à deux lettres (FR).");
	return CPT_OK;
}

static int check_parties(cpt_einv *e, const cpt_doc_view *v, cpt_status *st)
{
	const cpt_doc_seller *s = &v->seller;
	const cpt_doc_buyer *b = &v->buyer;
	if (blank(s->name))
		return invalid(st, "seller.name", "Le nom du vendeur manque.");
	if (blank(b->name))
		return invalid(st, "buyer.name", "Le nom du client manque.");
	int rc = check_address(&s->address, "seller.address.country", st);
	if (rc == CPT_OK)
		rc = check_address(&b->billing, "buyer.billing.country", st);
	if (rc == CPT_OK && b->has_delivery)
		rc = check_address(&b->delivery, "buyer.delivery.country", st);
	if (rc != CPT_OK)
		return rc;

	/* Normalised identifiers: Peppol checks 0208's check digits (COMMON-R043). */
	if (!blank(s->siret) && (rc = cpt_ident_siret_split(s->siret, "seller.siret",
							    e->seller_siren, NULL, st)) != CPT_OK)
		return rc;
	if (!blank(s->siret))
		cpt_ident_siret_validate(s->siret, "seller.siret", e->seller_siret, NULL);
	if (!blank(s->siren) && (rc = cpt_ident_siren_validate(s->siren, "seller.siren",
							       e->seller_siren, st)) != CPT_OK)
		return rc;
	if (!blank(s->be_enterprise) &&
	    (rc = cpt_ident_be_enterprise_validate(s->be_enterprise, "seller.be_enterprise",
						   e->seller_be, st)) != CPT_OK)
		return rc;
	if (!blank(b->siren) &&
	    (rc = cpt_ident_siren_validate(b->siren, "buyer.siren", e->buyer_siren, st)) != CPT_OK)
		return rc;
	if (!blank(b->be_enterprise) &&
	    (rc = cpt_ident_be_enterprise_validate(b->be_enterprise, "buyer.be_enterprise",
						   e->buyer_be, st)) != CPT_OK)
		return rc;
	return CPT_OK;
}

/* ---- Lines and totals -------------------------------------------------- */

static cpt_einv_rate *find_rate(cpt_einv *e, const char *category, int64_t rate)
{
	for (size_t j = 0; j < e->n_rates; j++) {
		const cpt_doc_vat *t = e->rates[j].vat;
		if (strcmp(str(t->category), category) == 0 && t->rate == rate)
			return &e->rates[j];
	}
	return NULL;
}

static int check_vat_entries(cpt_einv *e, const cpt_doc_view *v, cpt_status *st)
{
	char field[64];
	if (v->n_vat == 0 || v->n_vat > CPT_MONEY_VAT_MAX_RATES)
		return invalid(st, "vat", "La ventilation de la TVA est vide ou trop longue.");
	for (size_t j = 0; j < v->n_vat; j++) {
		const cpt_doc_vat *t = &v->vat[j];
		const char *cat = str(t->category);
		snprintf(field, sizeof field, "vat[%zu].category", j);
		if (!category_known(cat))
			return invalid(st, field,
				       "Catégorie de TVA inconnue (S, Z, E, AE, K, G, O).");
		snprintf(field, sizeof field, "vat[%zu].rate", j);
		if (!rate_fits(cat, t->rate))
			return invalid(st, field, "Ce taux ne convient pas à sa catégorie de TVA.");
		snprintf(field, sizeof field, "vat[%zu]", j);
		if (find_rate(e, cat, t->rate))
			return invalid(st, field, "Ce taux figure deux fois dans la ventilation.");
		snprintf(field, sizeof field, "vat[%zu]", j);
		if (!in_range(t->base) || !in_range(t->amount))
			return invalid(st, field, "Montant hors limites.");
		snprintf(field, sizeof field, "vat[%zu].exemption", j);
		if (cpt_einv_category_exempt(cat) && blank(t->exemption) &&
		    blank(t->exemption_code))
			return invalid(st, field,
				       "Une ligne de TVA exonérée doit dire pourquoi (mention ou "
				       "code VATEX).");
		e->rates[e->n_rates++] = (cpt_einv_rate){.vat = t};
	}
	return CPT_OK;
}

static int check_lines(cpt_einv *e, const cpt_doc_view *v, cpt_status *st)
{
	char field[64];
	int64_t sum = 0, eco = 0;
	size_t items = 0;
	for (size_t i = 0; i < v->n_lines; i++) {
		const cpt_doc_line *l = &v->lines[i];
		if (!cpt_einv_is_item(l))
			continue;
		items++;
		snprintf(field, sizeof field, "lines[%zu].label", i);
		if (blank(l->label) && blank(l->article_code))
			return invalid(st, field, "Une ligne d'article doit avoir un libellé.");
		snprintf(field, sizeof field, "lines[%zu].discount", i);
		if (l->discount < 0 || l->discount > CPT_MONEY_RATE_SCALE)
			return invalid(st, field, "La remise doit être entre 0 et 100 %.");
		snprintf(field, sizeof field, "lines[%zu]", i);
		if (!in_range(l->unit_price) || !in_range(l->quantity) || !in_range(l->net) ||
		    !in_range(l->eco_contribution))
			return invalid(st, field, "Prix, quantité ou montant hors limites.");
		snprintf(field, sizeof field, "lines[%zu].vat_rate", i);
		const char *cat = str(l->vat_category);
		if (!category_known(cat) || !rate_fits(cat, l->vat_rate))
			return invalid(st, field, "Taux ou catégorie de TVA invalide.");
		cpt_einv_rate *r = find_rate(e, cat, l->vat_rate);
		if (!r)
			return invalid(st, field, "Ce taux manque dans la ventilation de la TVA.");
		snprintf(field, sizeof field, "lines[%zu].net", i);
		int64_t expected;
		if (!cpt_money_line_net(l->unit_price, l->quantity, l->discount, &expected))
			return invalid(st, field, "Montant de ligne hors limites.");
		/* Nets of a TTC document come from TTC prices: a cent apart at most. */
		int64_t slack = v->prices_include_vat ? 1 : 0;
		if (llabs(expected - l->net) > slack)
			return totals_differ(st, field, "Le montant HT de la ligne", l->net,
					     expected);
		r->count++;
		if (!cpt_money_add(sum, l->net, &sum) ||
		    !cpt_money_add(r->lines, l->net, &r->lines) ||
		    !cpt_money_add(eco, l->eco_contribution, &eco))
			return invalid(st, field, "Montant de ligne hors limites.");
	}
	if (items == 0)
		return invalid(st, "lines", "Une facture a au moins une ligne d'article (BR-16).");
	if (sum != v->lines_net)
		return totals_differ(st, "lines_net", "Le total des lignes", v->lines_net, sum);
	if (eco != v->eco_total)
		return totals_differ(st, "eco_total", "Le total de l'éco-participation",
				     v->eco_total, eco);
	return CPT_OK;
}

static int check_vat_amount(const cpt_einv *e, size_t j, cpt_status *st)
{
	const cpt_doc_vat *t = e->rates[j].vat;
	char field[64];
	snprintf(field, sizeof field, "vat[%zu].amount", j);
	int64_t expected = 0;
	if (t->rate > 0 && !cpt_money_vat(t->base, t->rate, &expected))
		return invalid(st, field, "Montant de TVA hors limites.");
	int64_t slack = e->v->prices_include_vat && t->rate > 0 ? 1 : 0;
	if (llabs(expected - t->amount) > slack)
		return totals_differ(st, field, "La TVA de ce taux", t->amount, expected);
	return CPT_OK;
}

static int check_totals(cpt_einv *e, const cpt_doc_view *v, cpt_status *st)
{
	char field[64], a[CPT_MONEY_FORMAT_SIZE], b[CPT_MONEY_FORMAT_SIZE];
	int64_t net, bases = 0, vat = 0, gross, prepaid = 0, due;
	struct {
		int64_t value;
		const char *field;
	} totals[] = {{v->lines_net, "lines_net"}, {v->discount_amount, "discount_amount"},
		      {v->eco_total, "eco_total"}, {v->net_total, "net_total"},
		      {v->vat_total, "vat_total"}, {v->gross_total, "gross_total"},
		      {v->prepaid, "prepaid"},	   {v->amount_due, "amount_due"}};
	for (size_t k = 0; k < G_N_ELEMENTS(totals); k++)
		if (!in_range(totals[k].value))
			return invalid(st, totals[k].field, "Montant hors limites.");
	if (v->discount_rate < 0 || v->discount_rate > CPT_MONEY_RATE_SCALE)
		return invalid(st, "discount_rate", "La remise doit être entre 0 et 100 %.");
	for (size_t k = 0; k < v->n_deductions; k++)
		if (!in_range(v->deductions[k].amount))
			return invalid(st, "prepaid", "Un acompte déduit est hors limites.");
	if (!cpt_money_sub(v->lines_net, v->discount_amount, &net) || net != v->net_total)
		return totals_differ(st, "net_total", "Le total HT", v->net_total, net);
	bool only_o = true, has_o = false;
	for (size_t j = 0; j < e->n_rates; j++) {
		cpt_einv_rate *r = &e->rates[j];
		const cpt_doc_vat *t = r->vat;
		snprintf(field, sizeof field, "vat[%zu].base", j);
		if (r->count == 0)
			return invalid(st, field, "Aucune ligne ne porte ce taux de TVA.");
		if (!cpt_money_sub(r->lines, t->base, &r->allowance) ||
		    !cpt_money_add(bases, t->base, &bases) || !cpt_money_add(vat, t->amount, &vat))
			return invalid(st, field, "Montant hors limites.");
		/* The base is the rate's lines less its share of the discount. */
		if ((v->discount_amount == 0 && r->allowance != 0) ||
		    (v->discount_amount > 0 && r->allowance < 0) ||
		    (v->discount_amount < 0 && r->allowance > 0))
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, field,
					      "La base de ce taux (%s) n'est pas ses lignes (%s) "
					      "moins sa part de la remise.",
					      money(t->base, a), money(r->lines, b));
		int rc = check_vat_amount(e, j, st);
		if (rc != CPT_OK)
			return rc;
		int64_t expected;
		r->with_percent = v->discount_rate > 0 &&
				  cpt_money_percent(r->lines, v->discount_rate, &expected) &&
				  llabs(expected - r->allowance) <= 1;
		if (strcmp(str(t->category), "O") == 0)
			has_o = true;
		else
			only_o = false;
	}
	if (has_o && !only_o)
		return invalid(st, "vat",
			       "« Non soumis à la TVA » (O) ne peut pas se mêler à d'autres "
			       "catégories sur une facture (BR-O-11).");
	e->no_vat_ids = has_o;
	if (bases != v->net_total)
		return totals_differ(st, "vat", "La somme des bases de TVA", bases, v->net_total);
	if (vat != v->vat_total)
		return totals_differ(st, "vat_total", "Le total de la TVA", v->vat_total, vat);
	if (!cpt_money_add(v->net_total, v->vat_total, &gross) || gross != v->gross_total)
		return totals_differ(st, "gross_total", "Le total TTC", v->gross_total, gross);
	for (size_t k = 0; k < v->n_deductions; k++)
		if (!cpt_money_add(prepaid, v->deductions[k].amount, &prepaid))
			return invalid(st, "prepaid", "Montant hors limites.");
	if (v->n_deductions > 0 && prepaid != v->prepaid)
		return totals_differ(st, "prepaid", "Le total des acomptes déduits", v->prepaid,
				     prepaid);
	if (!cpt_money_sub(v->gross_total, v->prepaid, &due) || due != v->amount_due)
		return totals_differ(st, "amount_due", "Le net à payer", v->amount_due, due);

	/* A credit note given in negative amounts is written positive. */
	e->sign = v->type == CPT_DOC_CREDIT_NOTE && v->gross_total < 0 ? -1 : 1;
	if (cpt_einv_amount(e, v->discount_amount) < 0)
		return invalid(st, "discount_amount", "Une remise ne peut pas être négative.");
	for (size_t j = 0; j < e->n_rates; j++)
		e->rates[j].allowance *= e->sign, e->rates[j].lines *= e->sign;
	return CPT_OK;
}

/* ---- What the VAT categories ask of the parties ------------------------- */

static bool uses(const cpt_einv *e, const char *category)
{
	for (size_t j = 0; j < e->n_rates; j++)
		if (strcmp(str(e->rates[j].vat->category), category) == 0)
			return true;
	return false;
}

static int check_category_parties(cpt_einv *e, const cpt_doc_view *v, cpt_status *st)
{
	bool buyer_vat = !blank(v->buyer.vat_number);
	if (!e->no_vat_ids && blank(v->seller.vat_number))
		return missing(st, "seller.vat_number",
			       "Le numéro de TVA du vendeur est exigé pour cette catégorie de TVA "
			       "(BR-S-02, BR-E-02...).");
	if ((e->no_vat_ids || blank(v->seller.vat_number)) && !e->seller_siren[0] &&
	    !e->seller_be[0])
		return missing(st, "seller.siren",
			       "Le vendeur doit être identifié : SIREN, numéro d'entreprise ou "
			       "numéro de TVA (BR-CO-26).");
	if (uses(e, "AE") && !buyer_vat && !e->buyer_siren[0] && !e->buyer_be[0])
		return missing(st, "buyer.vat_number",
			       "L'autoliquidation exige le numéro de TVA du client (BR-AE-02).");
	if (uses(e, "K") && !buyer_vat)
		return missing(st, "buyer.vat_number",
			       "Une livraison intracommunautaire exige le numéro de TVA du client "
			       "(BR-IC-02).");
	if (uses(e, "K") && v->delivery_date.year == 0)
		return missing(st, "delivery_date",
			       "Une livraison intracommunautaire exige la date de livraison "
			       "(BR-IC-11).");
	e->ship_address = v->buyer.has_delivery ? &v->buyer.delivery : &v->buyer.billing;
	e->ship_to = v->buyer.has_delivery || uses(e, "K"); /* BR-IC-12 */
	return CPT_OK;
}

static int check_payment(cpt_einv *e, const cpt_doc_view *v, cpt_status *st)
{
	const char *code = str(v->payment_means_code);
	static const char *const transfers[] = {"30", "31", "42", "58"};
	for (size_t i = 0; i < G_N_ELEMENTS(transfers); i++)
		if (strcmp(code, transfers[i]) == 0)
			e->transfer = true;
	if (e->transfer && blank(v->seller.iban))
		return missing(st, "seller.iban",
			       "Un paiement par virement exige l'IBAN du vendeur (BR-61).");
	if (e->syntax == CPT_EINV_UBL && (strcmp(code, "49") == 0 || strcmp(code, "59") == 0))
		return missing(st, "payment_means_code",
			       "Un prélèvement exige la référence du mandat, que le document ne "
			       "porte pas (PEPPOL-EN16931-R061).");
	e->remittance =
	    blank(v->structured_communication) ? v->number : v->structured_communication;
	if (cpt_einv_amount(e, v->amount_due) > 0 && v->due_date.year == 0 &&
	    blank(v->payment_terms))
		return missing(st, "due_date",
			       "Un montant dû exige une échéance ou des conditions de paiement "
			       "(BR-CO-25).");
	return CPT_OK;
}

int cpt_einv_prepare(cpt_einv *e, const cpt_doc_view *v, cpt_einv_syntax syntax, cpt_status *st)
{
	cpt_status local;
	if (!st)
		st = &local;
	cpt_status_reset(st);
	memset(e, 0, sizeof *e);
	e->v = v;
	e->syntax = syntax;
	e->sign = 1;
	int rc = check_document(e, v, st);
	if (rc == CPT_OK)
		rc = check_parties(e, v, st);
	if (rc == CPT_OK)
		rc = check_vat_entries(e, v, st);
	if (rc == CPT_OK)
		rc = check_lines(e, v, st);
	if (rc == CPT_OK)
		rc = check_totals(e, v, st);
	if (rc == CPT_OK)
		rc = check_category_parties(e, v, st);
	if (rc == CPT_OK)
		rc = check_payment(e, v, st);
	if (rc == CPT_OK)
		rc = cpt_einv_prepare_refs(e, v, st);
	if (rc != CPT_OK) {
		cpt_einv_clear(e);
		return rc;
	}
	cpt_einv_prepare_notes(e, v);
	return CPT_OK;
}

void cpt_einv_line_get(const cpt_einv *e, const cpt_doc_line *l, cpt_einv_line *out)
{
	memset(out, 0, sizeof *out);
	int64_t price = l->unit_price, qty = l->quantity * e->sign;
	if (price < 0) { /* BR-27: a rebate is a negative quantity at a positive price */
		price = -price;
		qty = -qty;
	}
	out->qty = qty;
	out->gross4 = price;
	out->discount8 = price * l->discount;
	out->net8 = price * (CPT_MONEY_RATE_SCALE - l->discount);
	out->net = cpt_einv_amount(e, l->net);
	out->unit_code = blank(l->unit_code) ? "C62" : l->unit_code;

	const char *label = str(l->label);
	const char *nl = strchr(label, '\n');
	out->name = g_strstrip(nl ? g_strndup(label, (gsize)(nl - label)) : g_strdup(label));
	out->description = nl ? g_strstrip(g_strdup(nl + 1)) : NULL;
	if (!*out->name) {
		g_free(out->name);
		out->name = g_strdup(str(l->article_code));
	}
}

void cpt_einv_line_clear(cpt_einv_line *out)
{
	g_free(out->name);
	g_free(out->description);
	memset(out, 0, sizeof *out);
}
