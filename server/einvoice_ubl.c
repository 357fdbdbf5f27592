/*
 * UBL 2.1 Invoice and CreditNote, Peppol BIS Billing 3.0. Element order
 * follows the UBL 2.1 schemas (Invoice and CreditNote differ in a few
 * places: the type code's name, the quantity's name, and BT-9, which a
 * CreditNote carries in PaymentMeans/PaymentDueDate). What goes where is in
 * einvoice.h; every decision about the view's content was taken by
 * cpt_einv_prepare. Dates are YYYY-MM-DD, every amount carries currencyID.
 */
#include "einvoice.h"
#include "einvoice_private.h"
#include "xmlw.h"

#include <stdio.h>
#include <string.h>

#define NS_INVOICE "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
#define NS_CREDIT_NOTE "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
#define NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define PEPPOL_CUSTOMIZATION                                                                       \
	"urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
#define PEPPOL_PROFILE "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

/* ---- Small pieces ------------------------------------------------------ */

static void scaled(cpt_xmlw *w, const cpt_einv *e, const char *name, int64_t value, int scale)
{
	char buf[CPT_XMLW_NUM_SIZE];
	cpt_xmlw_decimal(value, scale, 2, buf, sizeof buf);
	cpt_xmlw_leaf_attr(w, name, "currencyID", e->currency, buf);
}

static void amount(cpt_xmlw *w, const cpt_einv *e, const char *name, int64_t cents)
{
	scaled(w, e, name, cents, 2);
}

static void date(cpt_xmlw *w, const char *name, cpt_date d)
{
	char buf[CPT_XMLW_DATE_SIZE];
	if (d.year == 0)
		return;
	cpt_xmlw_date_iso(d, buf, sizeof buf);
	cpt_xmlw_leaf(w, name, buf);
}

static void rate(cpt_xmlw *w, const char *category, int64_t bp)
{
	char buf[CPT_XMLW_NUM_SIZE];
	if (!cpt_einv_category_has_rate(category))
		return;
	cpt_xmlw_rate(bp, buf, sizeof buf);
	cpt_xmlw_leaf(w, "cbc:Percent", buf);
}

static void tax_scheme(cpt_xmlw *w)
{
	cpt_xmlw_open(w, "cac:TaxScheme");
	cpt_xmlw_leaf(w, "cbc:ID", "VAT");
	cpt_xmlw_close(w);
}

/* TaxCategory or ClassifiedTaxCategory; exemption only in the breakdown. */
static void tax_category(cpt_xmlw *w, const char *element, const char *category, int64_t bp,
			 const cpt_doc_vat *breakdown)
{
	cpt_xmlw_open(w, element);
	cpt_xmlw_leaf(w, "cbc:ID", category);
	rate(w, category, bp);
	if (breakdown && cpt_einv_category_exempt(category)) {
		cpt_xmlw_leaf(w, "cbc:TaxExemptionReasonCode", breakdown->exemption_code);
		cpt_xmlw_leaf(w, "cbc:TaxExemptionReason", breakdown->exemption);
	}
	tax_scheme(w);
	cpt_xmlw_close(w);
}

static void id(cpt_xmlw *w, const char *name, cpt_einv_id i)
{
	cpt_xmlw_leaf_attr(w, name, "schemeID", i.scheme, i.value);
}

static void address(cpt_xmlw *w, const char *element, const cpt_doc_address *a)
{
	cpt_xmlw_open(w, element);
	cpt_xmlw_leaf(w, "cbc:StreetName", a->line1);
	cpt_xmlw_leaf(w, "cbc:AdditionalStreetName", a->line2);
	cpt_xmlw_leaf(w, "cbc:CityName", a->city);
	cpt_xmlw_leaf(w, "cbc:PostalZone", a->postcode);
	cpt_xmlw_open(w, "cac:Country");
	cpt_xmlw_leaf(w, "cbc:IdentificationCode", a->country);
	cpt_xmlw_close(w);
	cpt_xmlw_close(w);
}

static void party_tax(cpt_xmlw *w, const cpt_einv *e, const char *vat)
{
	if (e->no_vat_ids || cpt_xmlw_blank(vat))
		return;
	cpt_xmlw_open(w, "cac:PartyTaxScheme");
	cpt_xmlw_leaf(w, "cbc:CompanyID", vat);
	tax_scheme(w);
	cpt_xmlw_close(w);
}

static void legal_entity(cpt_xmlw *w, const char *name, cpt_einv_id legal, const char *info)
{
	cpt_xmlw_open(w, "cac:PartyLegalEntity");
	cpt_xmlw_leaf(w, "cbc:RegistrationName", name);
	id(w, "cbc:CompanyID", legal);
	cpt_xmlw_leaf(w, "cbc:CompanyLegalForm", info); /* BT-33 */
	cpt_xmlw_close(w);
}

static void contact(cpt_xmlw *w, const char *name, const char *phone, const char *email)
{
	if (cpt_xmlw_blank(name) && cpt_xmlw_blank(phone) && cpt_xmlw_blank(email))
		return;
	cpt_xmlw_open(w, "cac:Contact");
	cpt_xmlw_leaf(w, "cbc:Name", name);
	cpt_xmlw_leaf(w, "cbc:Telephone", phone);
	cpt_xmlw_leaf(w, "cbc:ElectronicMail", email);
	cpt_xmlw_close(w);
}

/* ---- Header ------------------------------------------------------------ */

static void header(cpt_xmlw *w, const cpt_einv *e, bool credit)
{
	const cpt_doc_view *v = e->v;
	cpt_xmlw_leaf(w, "cbc:CustomizationID", PEPPOL_CUSTOMIZATION);
	cpt_xmlw_leaf(w, "cbc:ProfileID", PEPPOL_PROFILE);
	cpt_xmlw_leaf(w, "cbc:ID", v->number);
	date(w, "cbc:IssueDate", v->issue_date);
	if (!credit)
		date(w, "cbc:DueDate", v->due_date);
	cpt_xmlw_leaf(w, credit ? "cbc:CreditNoteTypeCode" : "cbc:InvoiceTypeCode", e->type_code);

	/* Peppol takes one note (R002): the notes one per line. */
	GString *note = g_string_new(NULL);
	for (guint i = 0; i < e->notes->len; i++)
		g_string_append_printf(note, "%s%s", i ? "\n" : "",
				       g_array_index(e->notes, cpt_einv_note, i).text);
	cpt_xmlw_leaf(w, "cbc:Note", note->str);
	g_string_free(note, TRUE);

	cpt_xmlw_leaf(w, "cbc:DocumentCurrencyCode", e->currency);
	cpt_xmlw_leaf(w, "cbc:BuyerReference", e->buyer_reference);
	if (!cpt_xmlw_blank(v->preceding_number)) {
		cpt_xmlw_open(w, "cac:BillingReference");
		cpt_xmlw_open(w, "cac:InvoiceDocumentReference");
		cpt_xmlw_leaf(w, "cbc:ID", v->preceding_number);
		date(w, "cbc:IssueDate", v->preceding_date);
		cpt_xmlw_close(w);
		cpt_xmlw_close(w);
	}
	for (size_t k = 0; k < v->n_deductions; k++) {
		const cpt_doc_deduction *d = &v->deductions[k];
		if (cpt_xmlw_blank(d->number))
			continue;
		cpt_xmlw_open(w, "cac:BillingReference");
		cpt_xmlw_open(w, "cac:InvoiceDocumentReference");
		cpt_xmlw_leaf(w, "cbc:ID", d->number);
		date(w, "cbc:IssueDate", d->date);
		cpt_xmlw_close(w);
		cpt_xmlw_close(w);
	}
}

static void parties(cpt_xmlw *w, const cpt_einv *e)
{
	const cpt_doc_seller *s = &e->v->seller;
	const cpt_doc_buyer *b = &e->v->buyer;
	cpt_xmlw_open(w, "cac:AccountingSupplierParty");
	cpt_xmlw_open(w, "cac:Party");
	id(w, "cbc:EndpointID", e->seller_endpoint);
	if (*e->seller_id.value) {
		cpt_xmlw_open(w, "cac:PartyIdentification");
		id(w, "cbc:ID", e->seller_id);
		cpt_xmlw_close(w);
	}
	address(w, "cac:PostalAddress", &s->address);
	party_tax(w, e, s->vat_number);
	legal_entity(w, s->name, e->seller_legal, e->seller_legal_info);
	contact(w, NULL, s->phone, s->email);
	cpt_xmlw_close(w);
	cpt_xmlw_close(w);

	cpt_xmlw_open(w, "cac:AccountingCustomerParty");
	cpt_xmlw_open(w, "cac:Party");
	id(w, "cbc:EndpointID", e->buyer_endpoint);
	address(w, "cac:PostalAddress", &b->billing);
	party_tax(w, e, b->vat_number);
	legal_entity(w, b->name, e->buyer_legal, NULL);
	contact(w, b->contact, NULL, NULL);
	cpt_xmlw_close(w);
	cpt_xmlw_close(w);
}

static void delivery(cpt_xmlw *w, const cpt_einv *e)
{
	const cpt_doc_view *v = e->v;
	if (!e->ship_to && v->delivery_date.year == 0)
		return;
	cpt_xmlw_open(w, "cac:Delivery");
	date(w, "cbc:ActualDeliveryDate", v->delivery_date);
	if (e->ship_to) {
		cpt_xmlw_open(w, "cac:DeliveryLocation");
		address(w, "cac:Address", e->ship_address);
		cpt_xmlw_close(w);
		cpt_xmlw_open(w, "cac:DeliveryParty");
		cpt_xmlw_open(w, "cac:PartyName");
		cpt_xmlw_leaf(w, "cbc:Name", v->buyer.name);
		cpt_xmlw_close(w);
		cpt_xmlw_close(w);
	}
	cpt_xmlw_close(w);
}

static void payment(cpt_xmlw *w, const cpt_einv *e, bool credit)
{
	const cpt_doc_view *v = e->v;
	if (!cpt_xmlw_blank(v->payment_means_code)) {
		cpt_xmlw_open(w, "cac:PaymentMeans");
		cpt_xmlw_leaf(w, "cbc:PaymentMeansCode", v->payment_means_code);
		if (credit)
			date(w, "cbc:PaymentDueDate", v->due_date);
		cpt_xmlw_leaf(w, "cbc:PaymentID", e->remittance); /* BT-83 */
		if (e->transfer) {
			g_autofree char *iban = cpt_einv_compact(v->seller.iban);
			g_autofree char *bic = cpt_einv_compact(v->seller.bic);
			cpt_xmlw_open(w, "cac:PayeeFinancialAccount");
			cpt_xmlw_leaf(w, "cbc:ID", iban);
			if (*bic) {
				cpt_xmlw_open(w, "cac:FinancialInstitutionBranch");
				cpt_xmlw_leaf(w, "cbc:ID", bic);
				cpt_xmlw_close(w);
			}
			cpt_xmlw_close(w);
		}
		cpt_xmlw_close(w);
	}
	if (!cpt_xmlw_blank(v->payment_terms)) {
		cpt_xmlw_open(w, "cac:PaymentTerms");
		cpt_xmlw_leaf(w, "cbc:Note", v->payment_terms);
		cpt_xmlw_close(w);
	}
}

static void totals(cpt_xmlw *w, const cpt_einv *e)
{
	const cpt_doc_view *v = e->v;
	for (size_t j = 0; j < e->n_rates; j++) {
		const cpt_einv_rate *r = &e->rates[j];
		if (r->allowance == 0)
			continue;
		cpt_xmlw_open(w, "cac:AllowanceCharge"); /* BG-20 */
		cpt_xmlw_leaf(w, "cbc:ChargeIndicator", "false");
		cpt_xmlw_leaf(w, "cbc:AllowanceChargeReasonCode", "95");
		cpt_xmlw_leaf(w, "cbc:AllowanceChargeReason", "Remise");
		if (r->with_percent) {
			char pct[CPT_XMLW_NUM_SIZE];
			cpt_xmlw_rate(v->discount_rate, pct, sizeof pct);
			cpt_xmlw_leaf(w, "cbc:MultiplierFactorNumeric", pct);
		}
		amount(w, e, "cbc:Amount", r->allowance);
		if (r->with_percent)
			amount(w, e, "cbc:BaseAmount", r->lines);
		tax_category(w, "cac:TaxCategory", r->vat->category, r->vat->rate, NULL);
		cpt_xmlw_close(w);
	}

	cpt_xmlw_open(w, "cac:TaxTotal");
	amount(w, e, "cbc:TaxAmount", cpt_einv_amount(e, v->vat_total));
	for (size_t j = 0; j < e->n_rates; j++) {
		const cpt_doc_vat *t = e->rates[j].vat;
		cpt_xmlw_open(w, "cac:TaxSubtotal");
		amount(w, e, "cbc:TaxableAmount", cpt_einv_amount(e, t->base));
		amount(w, e, "cbc:TaxAmount", cpt_einv_amount(e, t->amount));
		tax_category(w, "cac:TaxCategory", t->category, t->rate, t);
		cpt_xmlw_close(w);
	}
	cpt_xmlw_close(w);

	cpt_xmlw_open(w, "cac:LegalMonetaryTotal");
	amount(w, e, "cbc:LineExtensionAmount", cpt_einv_amount(e, v->lines_net));
	amount(w, e, "cbc:TaxExclusiveAmount", cpt_einv_amount(e, v->net_total));
	amount(w, e, "cbc:TaxInclusiveAmount", cpt_einv_amount(e, v->gross_total));
	if (v->discount_amount != 0)
		amount(w, e, "cbc:AllowanceTotalAmount", cpt_einv_amount(e, v->discount_amount));
	if (v->prepaid != 0)
		amount(w, e, "cbc:PrepaidAmount", cpt_einv_amount(e, v->prepaid));
	amount(w, e, "cbc:PayableAmount", cpt_einv_amount(e, v->amount_due));
	cpt_xmlw_close(w);
}

/* ---- Lines ------------------------------------------------------------- */

static void line(cpt_xmlw *w, const cpt_einv *e, size_t index, unsigned number, bool credit)
{
	const cpt_doc_line *l = &e->v->lines[index];
	cpt_einv_line x;
	cpt_einv_line_get(e, l, &x);
	char id_text[16], qty[CPT_XMLW_NUM_SIZE];
	snprintf(id_text, sizeof id_text, "%u", number);
	cpt_xmlw_qty(x.qty, qty, sizeof qty);

	cpt_xmlw_open(w, credit ? "cac:CreditNoteLine" : "cac:InvoiceLine");
	cpt_xmlw_leaf(w, "cbc:ID", id_text);
	cpt_xmlw_leaf(w, "cbc:Note", e->line_notes[index]);
	cpt_xmlw_leaf_attr(w, credit ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity", "unitCode",
			   x.unit_code, qty);
	amount(w, e, "cbc:LineExtensionAmount", x.net);

	cpt_xmlw_open(w, "cac:Item");
	cpt_xmlw_leaf(w, "cbc:Description", x.description);
	cpt_xmlw_leaf(w, "cbc:Name", x.name);
	if (!cpt_xmlw_blank(l->article_code)) {
		cpt_xmlw_open(w, "cac:SellersItemIdentification");
		cpt_xmlw_leaf(w, "cbc:ID", l->article_code);
		cpt_xmlw_close(w);
	}
	tax_category(w, "cac:ClassifiedTaxCategory", l->vat_category, l->vat_rate, NULL);
	cpt_xmlw_close(w);

	cpt_xmlw_open(w, "cac:Price");
	scaled(w, e, "cbc:PriceAmount", x.net8, CPT_EINV_PRICE8_SCALE); /* BT-146 */
	if (x.discount8 != 0) { /* BT-147, BT-148: net = gross - discount (R046) */
		cpt_xmlw_open(w, "cac:AllowanceCharge");
		cpt_xmlw_leaf(w, "cbc:ChargeIndicator", "false");
		scaled(w, e, "cbc:Amount", x.discount8, CPT_EINV_PRICE8_SCALE);
		scaled(w, e, "cbc:BaseAmount", x.gross4, CPT_MONEY_PRICE_DIGITS);
		cpt_xmlw_close(w);
	}
	cpt_xmlw_close(w);
	cpt_xmlw_close(w);
	cpt_einv_line_clear(&x);
}

/* ---- Entry point ------------------------------------------------------- */

int cpt_einvoice_ubl(const cpt_doc_view *v, GBytes **out, cpt_status *st)
{
	cpt_status local;
	if (!st)
		st = &local;
	*out = NULL;
	cpt_einv e;
	int rc = cpt_einv_prepare(&e, v, CPT_EINV_UBL, st);
	if (rc != CPT_OK)
		return rc;
	bool credit = v->type == CPT_DOC_CREDIT_NOTE;

	cpt_xmlw w;
	cpt_xmlw_init(&w);
	cpt_xmlw_open(&w, credit ? "CreditNote" : "Invoice");
	cpt_xmlw_attr(&w, "xmlns", credit ? NS_CREDIT_NOTE : NS_INVOICE);
	cpt_xmlw_attr(&w, "xmlns:cac", NS_CAC);
	cpt_xmlw_attr(&w, "xmlns:cbc", NS_CBC);
	header(&w, &e, credit);
	parties(&w, &e);
	delivery(&w, &e);
	payment(&w, &e, credit);
	totals(&w, &e);
	unsigned number = 0;
	for (size_t i = 0; i < v->n_lines; i++)
		if (cpt_einv_is_item(&v->lines[i]))
			line(&w, &e, i, ++number, credit);
	cpt_xmlw_close(&w);
	cpt_einv_clear(&e);

	*out = cpt_xmlw_finish(&w);
	if (!*out)
		return cpt_status_set(st, CPT_INTERNAL, NULL, "Écriture XML incohérente.");
	return CPT_OK;
}
