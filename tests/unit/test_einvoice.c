/*
 * E-invoices from document views (server/einvoice_*.c): each view of
 * einvoice_fixture.h becomes a Factur-X CII and a Peppol UBL file in
 * tests/out/einvoice/, which the official validator
 * (../shared/standards/validate-einvoice.sh) must PASS: the CII with
 * --facturx (the Factur-X EN 16931 XSD and Schematron on top of the CII D16B
 * XSD and the CEN EN 16931 rules), the UBL with --peppol (UBL 2.1 XSD, CEN
 * rules, Peppol BIS 3.0 rules). Each test also checks the values the
 * mapping puts where EN 16931 wants them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "einvoice_fixture.h"

/* The document as a string, for strstr. */
static char *text_of(GBytes *xml)
{
	gsize len;
	const char *data = g_bytes_get_data(xml, &len);
	return g_strndup(data, len);
}

static void assert_has(const char *doc, const char *part)
{
	if (!strstr(doc, part))
		fail_msg("missing %s", part);
}

static void assert_lacks(const char *doc, const char *part)
{
	if (strstr(doc, part))
		fail_msg("unexpected %s", part);
}

/* Both syntaxes for one view: generated, written, validated. Returns the
 * documents; g_free them. */
static void generate(const fx_doc *d, const char *name, char **cii, char **ubl)
{
	cpt_status st = CPT_STATUS_OK;
	GBytes *x = NULL;
	if (cpt_einvoice_cii(&d->v, &x, &st) != CPT_OK)
		fail_msg("CII refused: %s: %s", st.field, st.message);
	g_autofree char *cii_name = g_strdup_printf("%s-cii.xml", name);
	g_autofree char *cii_path = fx_write(x, cii_name);
	*cii = text_of(x);
	g_bytes_unref(x);
	fx_validate(cii_path, "--facturx");

	x = NULL;
	if (cpt_einvoice_ubl(&d->v, &x, &st) != CPT_OK)
		fail_msg("UBL refused: %s: %s", st.field, st.message);
	g_autofree char *ubl_name = g_strdup_printf("%s-ubl.xml", name);
	g_autofree char *ubl_path = fx_write(x, ubl_name);
	*ubl = text_of(x);
	g_bytes_unref(x);
	fx_validate(ubl_path, "--peppol");
}

/* 20 % lines 5 015,52 less 100,31 of discount: base 4 915,21, VAT 983,04;
 * 5,5 % lines 1 173,00 less 23,46: base 1 149,54, VAT 63,22; total
 * 7 111,01 TTC, 1 000,00 deposit deducted, 6 111,01 due. */
static void french_invoice_with_two_rates_discounts_deposit_and_deee_passes(void **state)
{
	fx_doc d;
	fx_invoice_fr(&d);
	g_autofree char *cii = NULL, *ubl = NULL;
	generate(&d, "fr-invoice", &cii, &ubl);

	assert_has(cii, "<ram:TypeCode>380</ram:TypeCode>");
	assert_has(cii, "<udt:DateTimeString format=\"102\">20250331</udt:DateTimeString>");
	/* Thermostat: 129,99 less 7,5 % = 120,24075 exactly; 3 x that = 360,72. */
	assert_has(cii, "<ram:ChargeAmount>129.99</ram:ChargeAmount>");
	assert_has(cii, "<ram:ActualAmount>9.74925</ram:ActualAmount>");
	assert_has(cii, "<ram:ChargeAmount>120.24075</ram:ChargeAmount>");
	assert_has(cii, "<ram:LineTotalAmount>360.72</ram:LineTotalAmount>");
	assert_has(cii, "<ram:BilledQuantity unitCode=\"MTK\">32.5</ram:BilledQuantity>");
	assert_has(cii, "<ram:RateApplicablePercent>5.50</ram:RateApplicablePercent>");
	/* The comment line goes with the heat pump, DEEE with the radiators. */
	assert_has(cii, "<ram:Content>Pose et mise en service comprises</ram:Content>");
	assert_has(cii, "<ram:Content>Dont éco-participation (DEEE) : 1,00\xC2\xA0€</ram:Content>");
	assert_has(cii, "<ram:Content>Section : Chauffage</ram:Content>");
	assert_has(cii, "<ram:Name>Main d'œuvre &amp; &lt;réglages&gt;</ram:Name>");
	assert_has(cii, "<ram:Description>Modèle Aquarea, garantie 5 ans</ram:Description>");
	/* Document discount per rate, with its percentage. */
	assert_has(cii, "<ram:CalculationPercent>2.00</ram:CalculationPercent>\n"
			"        <ram:BasisAmount>5015.52</ram:BasisAmount>\n"
			"        <ram:ActualAmount>100.31</ram:ActualAmount>");
	assert_has(cii, "<ram:CalculatedAmount>983.04</ram:CalculatedAmount>");
	assert_has(cii, "<ram:CalculatedAmount>63.22</ram:CalculatedAmount>");
	assert_has(cii, "<ram:AllowanceTotalAmount>123.77</ram:AllowanceTotalAmount>");
	assert_has(cii, "<ram:GrandTotalAmount>7111.01</ram:GrandTotalAmount>");
	assert_has(cii, "<ram:TotalPrepaidAmount>1000.00</ram:TotalPrepaidAmount>");
	assert_has(cii, "<ram:DuePayableAmount>6111.01</ram:DuePayableAmount>");
	assert_has(cii, "<ram:URIID schemeID=\"0009\">73282932000017</ram:URIID>");
	assert_has(cii, "<ram:URIID schemeID=\"0002\">443061841</ram:URIID>");
	assert_has(cii, "<ram:ID schemeID=\"0002\">732829320</ram:ID>");
	assert_has(cii, "<ram:IBANID>FR7630006000011234567890189</ram:IBANID>");
	assert_has(cii, "<ram:PaymentReference>FA-2025-0042</ram:PaymentReference>");
	assert_has(cii, "<ram:BuyerReference>BC-7781</ram:BuyerReference>");
	assert_has(cii, "<ram:SubjectCode>PMT</ram:SubjectCode>");
	assert_has(cii, "<ram:LineOne>18 avenue Jean Jaurès</ram:LineOne>");
	assert_has(cii, "<ram:Description>SARL au capital de 10 000 € – RCS Lyon 732 829 320<");
	assert_lacks(cii, "subtotal");

	assert_has(ubl, "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>");
	assert_has(ubl, "<cbc:DueDate>2025-05-31</cbc:DueDate>");
	assert_has(ubl, "<cbc:PriceAmount currencyID=\"EUR\">120.24075</cbc:PriceAmount>");
	assert_has(ubl, "<cbc:Amount currencyID=\"EUR\">9.74925</cbc:Amount>");
	assert_has(ubl, "<cbc:BaseAmount currencyID=\"EUR\">129.99</cbc:BaseAmount>");
	assert_has(ubl, "<cbc:MultiplierFactorNumeric>2.00</cbc:MultiplierFactorNumeric>");
	assert_has(ubl, "<cbc:PrepaidAmount currencyID=\"EUR\">1000.00</cbc:PrepaidAmount>");
	assert_has(ubl, "<cbc:PayableAmount currencyID=\"EUR\">6111.01</cbc:PayableAmount>");
	assert_has(ubl, "<cbc:EndpointID schemeID=\"0009\">73282932000017</cbc:EndpointID>");
	assert_has(ubl, "<cbc:EndpointID schemeID=\"0002\">443061841</cbc:EndpointID>");
	assert_has(ubl, "<cbc:ID>FA-2025-0040</cbc:ID>\n"
			"      <cbc:IssueDate>2025-02-10</cbc:IssueDate>");
	assert_has(ubl, "<cbc:ActualDeliveryDate>2025-03-27</cbc:ActualDeliveryDate>");
	assert_has(ubl, "Acompte n° FA-2025-0040 du 10/02/2025 déduit : 1\xE2\x80\xAF"
			"000,00\xC2\xA0€");
	/* One note only in Peppol. */
	const char *first = strstr(ubl, "<cbc:Note>");
	assert_non_null(first);
	assert_null(strstr(strstr(first, "</cbc:Note>"), "<cbc:Note>Section"));
}

static void credit_note_references_its_invoice_and_is_written_positive(void **state)
{
	fx_doc d, neg;
	fx_credit_note_fr(&d, 1);
	g_autofree char *cii = NULL, *ubl = NULL;
	generate(&d, "fr-credit-note", &cii, &ubl);

	assert_has(cii, "<ram:TypeCode>381</ram:TypeCode>");
	assert_has(cii, "<ram:InvoiceReferencedDocument>\n"
			"        <ram:IssuerAssignedID>FA-2025-0042</ram:IssuerAssignedID>");
	assert_has(cii, "<qdt:DateTimeString format=\"102\">20250331</qdt:DateTimeString>");
	assert_has(cii, "<ram:GrandTotalAmount>227.88</ram:GrandTotalAmount>");
	assert_has(ubl, "<CreditNote xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:"
			"CreditNote-2\"");
	assert_has(ubl, "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>");
	assert_has(ubl, "<cbc:CreditedQuantity unitCode=\"C62\">1</cbc:CreditedQuantity>");
	assert_has(ubl, "<cbc:PaymentDueDate>2025-04-14</cbc:PaymentDueDate>");
	assert_has(ubl, "<cac:BillingReference>\n    <cac:InvoiceDocumentReference>\n"
			"      <cbc:ID>FA-2025-0042</cbc:ID>\n"
			"      <cbc:IssueDate>2025-03-31</cbc:IssueDate>");
	assert_lacks(ubl, "<cbc:DueDate>");

	/* The same credit note given with negative amounts: the same files. */
	fx_credit_note_fr(&neg, -1);
	assert_true(neg.v.gross_total == -d.v.gross_total);
	cpt_status st = CPT_STATUS_OK;
	GBytes *a = NULL, *b = NULL;
	assert_int_equal(cpt_einvoice_cii(&neg.v, &a, &st), CPT_OK);
	assert_int_equal(cpt_einvoice_ubl(&neg.v, &b, &st), CPT_OK);
	g_autofree char *neg_cii = text_of(a), *neg_ubl = text_of(b);
	assert_string_equal(neg_cii, cii);
	assert_string_equal(neg_ubl, ubl);
	g_bytes_unref(a);
	g_bytes_unref(b);
}

static void deposit_invoice_is_type_386(void **state)
{
	fx_doc d;
	fx_deposit_fr(&d);
	g_autofree char *cii = NULL, *ubl = NULL;
	generate(&d, "fr-deposit", &cii, &ubl);
	assert_has(cii, "<ram:TypeCode>386</ram:TypeCode>");
	assert_has(cii, "<ram:GrandTotalAmount>1000.00</ram:GrandTotalAmount>");
	assert_has(ubl, "<cbc:InvoiceTypeCode>386</cbc:InvoiceTypeCode>");
	assert_has(ubl, "<cbc:TaxAmount currencyID=\"EUR\">166.67</cbc:TaxAmount>");
	assert_lacks(ubl, "PrepaidAmount");
}

static void reverse_charge_to_an_eu_buyer_has_no_vat_and_its_vatex(void **state)
{
	fx_doc d;
	fx_reverse_charge_fr(&d);
	g_autofree char *cii = NULL, *ubl = NULL;
	generate(&d, "fr-reverse-charge", &cii, &ubl);
	assert_has(cii, "<ram:CategoryCode>AE</ram:CategoryCode>");
	assert_has(cii, "<ram:ExemptionReason>Autoliquidation</ram:ExemptionReason>");
	assert_has(cii, "<ram:ExemptionReasonCode>VATEX-EU-AE</ram:ExemptionReasonCode>");
	assert_has(cii, "<ram:ID schemeID=\"VA\">DE136695976</ram:ID>");
	assert_has(cii, "<ram:TaxTotalAmount currencyID=\"EUR\">0.00</ram:TaxTotalAmount>");
	/* No SIREN for a German buyer: its VAT number under DE:VAT (9930). */
	assert_has(ubl, "<cbc:EndpointID schemeID=\"9930\">DE136695976</cbc:EndpointID>");
	assert_has(ubl, "<cbc:TaxExemptionReasonCode>VATEX-EU-AE</cbc:TaxExemptionReasonCode>");
	assert_has(ubl, "<cbc:BuyerReference>CLI-0107</cbc:BuyerReference>");
	assert_has(ubl, "<cbc:PayableAmount currencyID=\"EUR\">1970.00</cbc:PayableAmount>");
}

static void franchise_en_base_is_exempt_with_its_mention(void **state)
{
	fx_doc d;
	fx_franchise_fr(&d);
	g_autofree char *cii = NULL, *ubl = NULL;
	generate(&d, "fr-franchise", &cii, &ubl);
	assert_has(cii, "<ram:CategoryCode>E</ram:CategoryCode>");
	assert_has(cii, "<ram:ExemptionReason>TVA non applicable, art. 293 B du CGI<");
	assert_has(cii, "<ram:BasisAmount>175.50</ram:BasisAmount>");
	assert_has(cii, "<ram:Description>EI</ram:Description>");
	assert_has(ubl, "<cbc:TaxExemptionReason>TVA non applicable, art. 293 B du CGI<");
	assert_lacks(ubl, "TaxExemptionReasonCode");
	assert_has(ubl, "<cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>");
}

static void belgian_invoice_with_structured_communication_passes(void **state)
{
	fx_doc d;
	fx_invoice_be(&d);
	/* 1234567890 mod 97 = 2. */
	assert_string_equal(d.v.structured_communication, "+++123/4567/89002+++");
	g_autofree char *cii = NULL, *ubl = NULL;
	generate(&d, "be-invoice", &cii, &ubl);
	/* 145,00 at 21 % = 30,45; 389,00 + 130,00 at 6 % = 31,14. */
	assert_has(cii, "<ram:CalculatedAmount>30.45</ram:CalculatedAmount>");
	assert_has(cii, "<ram:CalculatedAmount>31.14</ram:CalculatedAmount>");
	assert_has(cii, "<ram:PaymentReference>+++123/4567/89002+++</ram:PaymentReference>");
	assert_has(cii, "<ram:URIID schemeID=\"0208\">0403170701</ram:URIID>");
	assert_has(cii, "<ram:ID schemeID=\"0208\">0202239951</ram:ID>");
	assert_has(ubl, "<cbc:PaymentID>+++123/4567/89002+++</cbc:PaymentID>");
	assert_has(ubl, "<cbc:EndpointID schemeID=\"0208\">0403170701</cbc:EndpointID>");
	assert_has(ubl, "<cbc:EndpointID schemeID=\"0208\">0202239951</cbc:EndpointID>");
	assert_has(ubl, "<cbc:Percent>21.00</cbc:Percent>");
	assert_has(ubl, "<cbc:Percent>6.00</cbc:Percent>");
	assert_has(ubl, "<cbc:ID>BE68539007547034</cbc:ID>");
	assert_has(ubl, "<cbc:PayableAmount currencyID=\"EUR\">725.59</cbc:PayableAmount>");
}

/* What the generator refuses to write, the validator would refuse to take:
 * the French invoice with its amount due raised by 10,00 (BR-CO-16). */
static void the_validator_fails_a_falsified_total(void **state)
{
	fx_doc d;
	fx_invoice_fr(&d);
	cpt_status st = CPT_STATUS_OK;
	GBytes *x = NULL;
	assert_int_equal(cpt_einvoice_ubl(&d.v, &x, &st), CPT_OK);
	g_autofree char *doc = text_of(x);
	g_bytes_unref(x);
	const char *good = "<cbc:PayableAmount currencyID=\"EUR\">6111.01<";
	char *at = strstr(doc, good);
	assert_non_null(at);
	memcpy(at + strlen(good) - 6, "6121", 4);
	GBytes *bad = g_bytes_new(doc, strlen(doc));
	g_autofree char *path = fx_write(bad, "fr-invoice-falsified-ubl.xml");
	g_bytes_unref(bad);
	fx_validate_expect(path, "--peppol", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(french_invoice_with_two_rates_discounts_deposit_and_deee_passes),
	    cmocka_unit_test(credit_note_references_its_invoice_and_is_written_positive),
	    cmocka_unit_test(deposit_invoice_is_type_386),
	    cmocka_unit_test(reverse_charge_to_an_eu_buyer_has_no_vat_and_its_vatex),
	    cmocka_unit_test(franchise_en_base_is_exempt_with_its_mention),
	    cmocka_unit_test(belgian_invoice_with_structured_communication_passes),
	    cmocka_unit_test(the_validator_fails_a_falsified_total),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
