/*
 * Factur-X / ZUGFeRD: UN/CEFACT Cross Industry Invoice D16B, profile
 * EN 16931. Element order follows the CII D16B schema (and the Factur-X
 * EN 16931 XSD, its restriction); what goes where is in einvoice.h, and
 * every decision about the view's content was taken by cpt_einv_prepare.
 * Dates are format 102 (YYYYMMDD); amounts carry no currency attribute
 * except the VAT total, as CII wants.
 */
#include "einvoice.h"
#include "einvoice_private.h"
#include "xmlw.h"

#include <stdio.h>
#include <string.h>

#define NS_RSM "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
#define NS_RAM "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
#define NS_QDT "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
#define NS_UDT "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
#define GUIDELINE_EN16931 "urn:cen.eu:en16931:2017"

/* ---- Small pieces ------------------------------------------------------ */

static void amount(cpt_xmlw *w, const char *name, int64_t cents)
{
	char buf[CPT_XMLW_NUM_SIZE];
	cpt_xmlw_cents(cents, buf, sizeof buf);
	cpt_xmlw_leaf(w, name, buf);
}

static void decimal(cpt_xmlw *w, const char *name, int64_t value, int scale, int min)
{
	char buf[CPT_XMLW_NUM_SIZE];
	cpt_xmlw_decimal(value, scale, min, buf, sizeof buf);
	cpt_xmlw_leaf(w, name, buf);
}

/* <name><udt:DateTimeString format="102">YYYYMMDD</...></name> */
static void date(cpt_xmlw *w, const char *name, const char *inner, cpt_date d)
{
	char buf[CPT_XMLW_DATE_SIZE];
	cpt_xmlw_date_102(d, buf, sizeof buf);
	cpt_xmlw_open(w, name);
	cpt_xmlw_leaf_attr(w, inner, "format", "102", buf);
	cpt_xmlw_close(w);
}

static void indicator(cpt_xmlw *w, bool charge)
{
	cpt_xmlw_open(w, "ram:ChargeIndicator");
	cpt_xmlw_leaf(w, "udt:Indicator", charge ? "true" : "false");
	cpt_xmlw_close(w);
}

/* VAT category and rate of a line or an allowance (no rate for O). */
static void category_tax(cpt_xmlw *w, const char *element, const char *category, int64_t rate)
{
	cpt_xmlw_open(w, element);
	cpt_xmlw_leaf(w, "ram:TypeCode", "VAT");
	cpt_xmlw_leaf(w, "ram:CategoryCode", category);
	if (cpt_einv_category_has_rate(category))
		decimal(w, "ram:RateApplicablePercent", rate, 2, 2);
	cpt_xmlw_close(w);
}

static void id(cpt_xmlw *w, const char *name, cpt_einv_id i)
{
	cpt_xmlw_leaf_attr(w, name, "schemeID", i.scheme, i.value);
}

static void address(cpt_xmlw *w, const cpt_doc_address *a)
{
	cpt_xmlw_open(w, "ram:PostalTradeAddress");
	cpt_xmlw_leaf(w, "ram:PostcodeCode", a->postcode);
	cpt_xmlw_leaf(w, "ram:LineOne", a->line1);
	cpt_xmlw_leaf(w, "ram:LineTwo", a->line2);
	cpt_xmlw_leaf(w, "ram:CityName", a->city);
	cpt_xmlw_leaf(w, "ram:CountryID", a->country);
	cpt_xmlw_close(w);
}

static void endpoint(cpt_xmlw *w, cpt_einv_id i)
{
	if (!*i.value)
		return;
	cpt_xmlw_open(w, "ram:URIUniversalCommunication");
	id(w, "ram:URIID", i);
	cpt_xmlw_close(w);
}

static void vat_id(cpt_xmlw *w, const cpt_einv *e, const char *vat)
{
	if (e->no_vat_ids || cpt_xmlw_blank(vat))
		return;
	cpt_xmlw_open(w, "ram:SpecifiedTaxRegistration");
	cpt_xmlw_leaf_attr(w, "ram:ID", "schemeID", "VA", vat);
	cpt_xmlw_close(w);
}

static void legal_org(cpt_xmlw *w, cpt_einv_id legal)
{
	if (!*legal.value)
		return;
	cpt_xmlw_open(w, "ram:SpecifiedLegalOrganization");
	id(w, "ram:ID", legal);
	cpt_xmlw_close(w);
}

/* ---- Document and lines ------------------------------------------------ */

static void document(cpt_xmlw *w, const cpt_einv *e)
{
	const cpt_doc_view *v = e->v;
	cpt_xmlw_open(w, "rsm:ExchangedDocumentContext");
	cpt_xmlw_open(w, "ram:GuidelineSpecifiedDocumentContextParameter");
	cpt_xmlw_leaf(w, "ram:ID", GUIDELINE_EN16931);
	cpt_xmlw_close(w);
	cpt_xmlw_close(w);

	cpt_xmlw_open(w, "rsm:ExchangedDocument");
	cpt_xmlw_leaf(w, "ram:ID", v->number);
	cpt_xmlw_leaf(w, "ram:TypeCode", e->type_code);
	date(w, "ram:IssueDateTime", "udt:DateTimeString", v->issue_date);
	for (guint i = 0; i < e->notes->len; i++) {
		const cpt_einv_note *n = &g_array_index(e->notes, cpt_einv_note, i);
		cpt_xmlw_open(w, "ram:IncludedNote");
		cpt_xmlw_leaf(w, "ram:Content", n->text);
		cpt_xmlw_leaf(w, "ram:SubjectCode", n->subject);
		cpt_xmlw_close(w);
	}
	cpt_xmlw_close(w);
}

static void line(cpt_xmlw *w, const cpt_einv *e, size_t index, unsigned number)
{
	const cpt_doc_line *l = &e->v->lines[index];
	cpt_einv_line x;
	cpt_einv_line_get(e, l, &x);
	char id_text[16];
	snprintf(id_text, sizeof id_text, "%u", number);

	cpt_xmlw_open(w, "ram:IncludedSupplyChainTradeLineItem");
	cpt_xmlw_open(w, "ram:AssociatedDocumentLineDocument");
	cpt_xmlw_leaf(w, "ram:LineID", id_text);
	if (e->line_notes[index]) {
		cpt_xmlw_open(w, "ram:IncludedNote");
		cpt_xmlw_leaf(w, "ram:Content", e->line_notes[index]);
		cpt_xmlw_close(w);
	}
	cpt_xmlw_close(w);

	cpt_xmlw_open(w, "ram:SpecifiedTradeProduct");
	cpt_xmlw_leaf(w, "ram:SellerAssignedID", l->article_code);
	cpt_xmlw_leaf(w, "ram:Name", x.name);
	cpt_xmlw_leaf(w, "ram:Description", x.description);
	cpt_xmlw_close(w);

	cpt_xmlw_open(w, "ram:SpecifiedLineTradeAgreement");
	if (x.discount8 != 0) {
		cpt_xmlw_open(w, "ram:GrossPriceProductTradePrice"); /* BT-148, BT-147 */
		decimal(w, "ram:ChargeAmount", x.gross4, CPT_MONEY_PRICE_DIGITS, 2);
		cpt_xmlw_open(w, "ram:AppliedTradeAllowanceCharge");
		indicator(w, false);
		decimal(w, "ram:ActualAmount", x.discount8, CPT_EINV_PRICE8_SCALE, 2);
		cpt_xmlw_close(w);
		cpt_xmlw_close(w);
	}
	cpt_xmlw_open(w, "ram:NetPriceProductTradePrice"); /* BT-146 */
	decimal(w, "ram:ChargeAmount", x.net8, CPT_EINV_PRICE8_SCALE, 2);
	cpt_xmlw_close(w);
	cpt_xmlw_close(w);

	cpt_xmlw_open(w, "ram:SpecifiedLineTradeDelivery");
	char qty[CPT_XMLW_NUM_SIZE];
	cpt_xmlw_qty(x.qty, qty, sizeof qty);
	cpt_xmlw_leaf_attr(w, "ram:BilledQuantity", "unitCode", x.unit_code, qty);
	cpt_xmlw_close(w);

	cpt_xmlw_open(w, "ram:SpecifiedLineTradeSettlement");
	category_tax(w, "ram:ApplicableTradeTax", l->vat_category, l->vat_rate);
	cpt_xmlw_open(w, "ram:SpecifiedTradeSettlementLineMonetarySummation");
	amount(w, "ram:LineTotalAmount", x.net);
	cpt_xmlw_close(w);
	cpt_xmlw_close(w);
	cpt_xmlw_close(w);
	cpt_einv_line_clear(&x);
}

/* ---- Header: agreement, delivery, settlement ---------------------------- */

static void agreement(cpt_xmlw *w, const cpt_einv *e)
{
	const cpt_doc_seller *s = &e->v->seller;
	const cpt_doc_buyer *b = &e->v->buyer;
	cpt_xmlw_open(w, "ram:ApplicableHeaderTradeAgreement");
	cpt_xmlw_leaf(w, "ram:BuyerReference", e->buyer_reference);

	cpt_xmlw_open(w, "ram:SellerTradeParty");
	id(w, "ram:GlobalID", e->seller_id);
	cpt_xmlw_leaf(w, "ram:Name", s->name);
	cpt_xmlw_leaf(w, "ram:Description", e->seller_legal_info);
	legal_org(w, e->seller_legal);
	if (!cpt_xmlw_blank(s->phone) || !cpt_xmlw_blank(s->email)) {
		cpt_xmlw_open(w, "ram:DefinedTradeContact");
		if (!cpt_xmlw_blank(s->phone)) {
			cpt_xmlw_open(w, "ram:TelephoneUniversalCommunication");
			cpt_xmlw_leaf(w, "ram:CompleteNumber", s->phone);
			cpt_xmlw_close(w);
		}
		if (!cpt_xmlw_blank(s->email)) {
			cpt_xmlw_open(w, "ram:EmailURIUniversalCommunication");
			cpt_xmlw_leaf(w, "ram:URIID", s->email);
			cpt_xmlw_close(w);
		}
		cpt_xmlw_close(w);
	}
	address(w, &s->address);
	endpoint(w, e->seller_endpoint);
	vat_id(w, e, s->vat_number);
	cpt_xmlw_close(w);

	cpt_xmlw_open(w, "ram:BuyerTradeParty");
	cpt_xmlw_leaf(w, "ram:Name", b->name);
	legal_org(w, e->buyer_legal);
	if (!cpt_xmlw_blank(b->contact)) {
		cpt_xmlw_open(w, "ram:DefinedTradeContact");
		cpt_xmlw_leaf(w, "ram:PersonName", b->contact);
		cpt_xmlw_close(w);
	}
	address(w, &b->billing);
	endpoint(w, e->buyer_endpoint);
	vat_id(w, e, b->vat_number);
	cpt_xmlw_close(w);
	cpt_xmlw_close(w);
}

static void delivery(cpt_xmlw *w, const cpt_einv *e)
{
	const cpt_doc_view *v = e->v;
	cpt_xmlw_open(w, "ram:ApplicableHeaderTradeDelivery");
	if (e->ship_to) {
		cpt_xmlw_open(w, "ram:ShipToTradeParty");
		cpt_xmlw_leaf(w, "ram:Name", v->buyer.name);
		address(w, e->ship_address);
		cpt_xmlw_close(w);
	}
	if (v->delivery_date.year != 0) {
		cpt_xmlw_open(w, "ram:ActualDeliverySupplyChainEvent");
		date(w, "ram:OccurrenceDateTime", "udt:DateTimeString", v->delivery_date);
		cpt_xmlw_close(w);
	}
	cpt_xmlw_close(w);
}

static void payment_means(cpt_xmlw *w, const cpt_einv *e)
{
	const cpt_doc_view *v = e->v;
	cpt_xmlw_open(w, "ram:SpecifiedTradeSettlementPaymentMeans");
	cpt_xmlw_leaf(w, "ram:TypeCode", v->payment_means_code);
	if (e->transfer) {
		g_autofree char *iban = cpt_einv_compact(v->seller.iban);
		g_autofree char *bic = cpt_einv_compact(v->seller.bic);
		cpt_xmlw_open(w, "ram:PayeePartyCreditorFinancialAccount");
		cpt_xmlw_leaf(w, "ram:IBANID", iban);
		cpt_xmlw_close(w);
		if (*bic) {
			cpt_xmlw_open(w, "ram:PayeeSpecifiedCreditorFinancialInstitution");
			cpt_xmlw_leaf(w, "ram:BICID", bic);
			cpt_xmlw_close(w);
		}
	}
	cpt_xmlw_close(w);
}

static void vat_breakdown(cpt_xmlw *w, const cpt_einv *e, const cpt_einv_rate *r)
{
	const cpt_doc_vat *t = r->vat;
	bool exempt = cpt_einv_category_exempt(t->category);
	cpt_xmlw_open(w, "ram:ApplicableTradeTax");
	amount(w, "ram:CalculatedAmount", cpt_einv_amount(e, t->amount));
	cpt_xmlw_leaf(w, "ram:TypeCode", "VAT");
	if (exempt)
		cpt_xmlw_leaf(w, "ram:ExemptionReason", t->exemption);
	amount(w, "ram:BasisAmount", cpt_einv_amount(e, t->base));
	cpt_xmlw_leaf(w, "ram:CategoryCode", t->category);
	if (exempt)
		cpt_xmlw_leaf(w, "ram:ExemptionReasonCode", t->exemption_code);
	if (cpt_einv_category_has_rate(t->category))
		decimal(w, "ram:RateApplicablePercent", t->rate, 2, 2);
	cpt_xmlw_close(w);
}

static void allowance(cpt_xmlw *w, const cpt_einv *e, const cpt_einv_rate *r)
{
	cpt_xmlw_open(w, "ram:SpecifiedTradeAllowanceCharge");
	indicator(w, false);
	if (r->with_percent) {
		decimal(w, "ram:CalculationPercent", e->v->discount_rate, 2, 2);
		amount(w, "ram:BasisAmount", r->lines);
	}
	amount(w, "ram:ActualAmount", r->allowance);
	cpt_xmlw_leaf(w, "ram:ReasonCode", "95");
	cpt_xmlw_leaf(w, "ram:Reason", "Remise");
	category_tax(w, "ram:CategoryTradeTax", r->vat->category, r->vat->rate);
	cpt_xmlw_close(w);
}

static void settlement(cpt_xmlw *w, const cpt_einv *e)
{
	const cpt_doc_view *v = e->v;
	bool means = !cpt_xmlw_blank(v->payment_means_code);
	cpt_xmlw_open(w, "ram:ApplicableHeaderTradeSettlement");
	if (means)
		cpt_xmlw_leaf(w, "ram:PaymentReference", e->remittance); /* BT-83 */
	cpt_xmlw_leaf(w, "ram:InvoiceCurrencyCode", e->currency);
	if (means)
		payment_means(w, e);
	for (size_t j = 0; j < e->n_rates; j++)
		vat_breakdown(w, e, &e->rates[j]);
	for (size_t j = 0; j < e->n_rates; j++)
		if (e->rates[j].allowance != 0)
			allowance(w, e, &e->rates[j]);
	if (!cpt_xmlw_blank(v->payment_terms) || v->due_date.year != 0) {
		cpt_xmlw_open(w, "ram:SpecifiedTradePaymentTerms");
		cpt_xmlw_leaf(w, "ram:Description", v->payment_terms);
		if (v->due_date.year != 0)
			date(w, "ram:DueDateDateTime", "udt:DateTimeString", v->due_date);
		cpt_xmlw_close(w);
	}

	cpt_xmlw_open(w, "ram:SpecifiedTradeSettlementHeaderMonetarySummation");
	amount(w, "ram:LineTotalAmount", cpt_einv_amount(e, v->lines_net));
	if (v->discount_amount != 0)
		amount(w, "ram:AllowanceTotalAmount", cpt_einv_amount(e, v->discount_amount));
	amount(w, "ram:TaxBasisTotalAmount", cpt_einv_amount(e, v->net_total));
	char vat[CPT_XMLW_NUM_SIZE];
	cpt_xmlw_cents(cpt_einv_amount(e, v->vat_total), vat, sizeof vat);
	cpt_xmlw_leaf_attr(w, "ram:TaxTotalAmount", "currencyID", e->currency, vat);
	amount(w, "ram:GrandTotalAmount", cpt_einv_amount(e, v->gross_total));
	if (v->prepaid != 0)
		amount(w, "ram:TotalPrepaidAmount", cpt_einv_amount(e, v->prepaid));
	amount(w, "ram:DuePayableAmount", cpt_einv_amount(e, v->amount_due));
	cpt_xmlw_close(w);

	if (!cpt_xmlw_blank(v->preceding_number)) { /* BG-3 */
		cpt_xmlw_open(w, "ram:InvoiceReferencedDocument");
		cpt_xmlw_leaf(w, "ram:IssuerAssignedID", v->preceding_number);
		if (v->preceding_date.year != 0)
			date(w, "ram:FormattedIssueDateTime", "qdt:DateTimeString",
			     v->preceding_date);
		cpt_xmlw_close(w);
	}
	cpt_xmlw_close(w);
}

/* ---- Entry point ------------------------------------------------------- */

int cpt_einvoice_cii(const cpt_doc_view *v, GBytes **out, cpt_status *st)
{
	cpt_status local;
	if (!st)
		st = &local;
	*out = NULL;
	cpt_einv e;
	int rc = cpt_einv_prepare(&e, v, CPT_EINV_CII, st);
	if (rc != CPT_OK)
		return rc;

	cpt_xmlw w;
	cpt_xmlw_init(&w);
	cpt_xmlw_open(&w, "rsm:CrossIndustryInvoice");
	cpt_xmlw_attr(&w, "xmlns:rsm", NS_RSM);
	cpt_xmlw_attr(&w, "xmlns:ram", NS_RAM);
	cpt_xmlw_attr(&w, "xmlns:qdt", NS_QDT);
	cpt_xmlw_attr(&w, "xmlns:udt", NS_UDT);
	document(&w, &e);
	cpt_xmlw_open(&w, "rsm:SupplyChainTradeTransaction");
	unsigned number = 0;
	for (size_t i = 0; i < v->n_lines; i++)
		if (cpt_einv_is_item(&v->lines[i]))
			line(&w, &e, i, ++number);
	agreement(&w, &e);
	delivery(&w, &e);
	settlement(&w, &e);
	cpt_xmlw_close(&w);
	cpt_xmlw_close(&w);
	cpt_einv_clear(&e);

	*out = cpt_xmlw_finish(&w);
	if (!*out)
		return cpt_status_set(st, CPT_INTERNAL, NULL, "Écriture XML incohérente.");
	return CPT_OK;
}
