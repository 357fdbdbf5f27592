/*
 * What the e-invoice generators refuse (server/einvoice_check.c): documents
 * that are not invoices, drafts, and views whose totals were falsified, each
 * named by the view's member at fault, so that no file that fails a BR-CO
 * rule ever leaves the server. Also what Peppol cannot carry while Factur-X
 * can (an e-mail as the only electronic address).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "einvoice_fixture.h"

/* Both generators refuse v with code on field, and return no document. */
static void assert_refused(const cpt_doc_view *v, int code, const char *field)
{
	int (*gen[])(const cpt_doc_view *, GBytes **, cpt_status *) = {cpt_einvoice_cii,
								       cpt_einvoice_ubl};
	for (size_t i = 0; i < G_N_ELEMENTS(gen); i++) {
		cpt_status st = CPT_STATUS_OK;
		GBytes *out = (GBytes *)&st; /* must be reset to NULL */
		int rc = gen[i](v, &out, &st);
		if (rc != code || strcmp(st.field, field) != 0)
			fail_msg("%s: got %s on \"%s\" (%s), expected %s on \"%s\"",
				 i ? "UBL" : "CII", cpt_code_name(rc), st.field, st.message,
				 cpt_code_name(code), field);
		assert_int_equal(st.code, code);
		assert_null(out);
		assert_true(st.message[0] != '\0');
	}
}

static void documents_that_are_not_invoices_are_refused(void **state)
{
	cpt_doc_type types[] = {CPT_DOC_QUOTE, CPT_DOC_ORDER, CPT_DOC_DELIVERY, CPT_DOC_PROFORMA};
	for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
		fx_doc d;
		fx_invoice_fr(&d);
		d.v.type = types[i];
		assert_refused(&d.v, CPT_FAILED_PRECONDITION, "type");
	}
}

static void a_draft_without_legal_number_is_refused(void **state)
{
	fx_doc d;
	fx_invoice_fr(&d);
	d.v.number = "";
	assert_refused(&d.v, CPT_FAILED_PRECONDITION, "number");
}

/* The grand total raised by a cent (BR-CO-15), then every other total. */
static void falsified_totals_are_refused_naming_the_field(void **state)
{
	fx_doc d;
	fx_invoice_fr(&d);
	d.v.gross_total += 1;
	assert_refused(&d.v, CPT_INVALID_ARGUMENT, "gross_total");

	fx_invoice_fr(&d);
	d.v.amount_due += 1000; /* BR-CO-16 */
	assert_refused(&d.v, CPT_INVALID_ARGUMENT, "amount_due");

	fx_invoice_fr(&d);
	d.vat[1].amount += 1; /* BR-CO-17 */
	d.v.vat_total += 1;
	d.v.gross_total += 1;
	d.v.amount_due += 1;
	assert_refused(&d.v, CPT_INVALID_ARGUMENT, "vat[1].amount");

	fx_invoice_fr(&d);
	d.v.vat_total += 1; /* BR-CO-14 */
	assert_refused(&d.v, CPT_INVALID_ARGUMENT, "vat_total");

	fx_invoice_fr(&d);
	d.v.lines_net += 100; /* BR-CO-10 */
	assert_refused(&d.v, CPT_INVALID_ARGUMENT, "lines_net");

	fx_invoice_fr(&d);
	d.v.net_total -= 100; /* BR-CO-13 */
	assert_refused(&d.v, CPT_INVALID_ARGUMENT, "net_total");

	fx_invoice_fr(&d);
	d.lines[3].net += 1; /* the thermostats: 3 x 120,24075 is not 360,73 */
	d.v.lines_net += 1;
	assert_refused(&d.v, CPT_INVALID_ARGUMENT, "lines[3].net");

	fx_invoice_fr(&d);
	d.vat[0].base += 500; /* its VAT no longer matches its base */
	d.vat[1].base -= 500;
	assert_refused(&d.v, CPT_INVALID_ARGUMENT, "vat[0].amount");

	/* BR-S-08: a 20 % base above the 20 % lines, the VAT recomputed to match. */
	fx_invoice_fr(&d);
	int64_t before = d.v.vat_total, after;
	d.vat[0].base += 20000;
	d.vat[1].base -= 20000;
	assert_true(cpt_money_vat(d.vat[0].base, d.vat[0].rate, &d.vat[0].amount));
	assert_true(cpt_money_vat(d.vat[1].base, d.vat[1].rate, &d.vat[1].amount));
	after = d.vat[0].amount + d.vat[1].amount;
	d.v.vat_total = after;
	d.v.gross_total += after - before;
	d.v.amount_due += after - before;
	assert_refused(&d.v, CPT_INVALID_ARGUMENT, "vat[0].base");

	fx_invoice_fr(&d);
	d.v.prepaid += 100; /* not the deposit deducted */
	d.v.amount_due -= 100;
	assert_refused(&d.v, CPT_INVALID_ARGUMENT, "prepaid");

	fx_invoice_fr(&d);
	d.v.eco_total = 0;
	assert_refused(&d.v, CPT_INVALID_ARGUMENT, "eco_total");
}

static void a_line_rate_missing_from_the_breakdown_is_refused(void **state)
{
	fx_doc d;
	fx_invoice_fr(&d);
	d.lines[1].vat_rate = 1000; /* 10 %: no such breakdown */
	assert_refused(&d.v, CPT_INVALID_ARGUMENT, "lines[1].vat_rate");
}

static void exempt_breakdown_without_reason_is_refused(void **state)
{
	fx_doc d;
	fx_franchise_fr(&d);
	d.vat[0].exemption = "";
	assert_refused(&d.v, CPT_INVALID_ARGUMENT, "vat[0].exemption");
}

static void reverse_charge_without_buyer_vat_number_is_refused(void **state)
{
	fx_doc d;
	fx_reverse_charge_fr(&d);
	d.v.buyer.vat_number = "";
	assert_refused(&d.v, CPT_FAILED_PRECONDITION, "buyer.vat_number");
}

static void credit_transfer_without_iban_is_refused(void **state)
{
	fx_doc d;
	fx_invoice_fr(&d);
	d.v.seller.iban = "";
	assert_refused(&d.v, CPT_FAILED_PRECONDITION, "seller.iban");
}

static void a_wrong_enterprise_number_is_refused(void **state)
{
	fx_doc d;
	fx_invoice_be(&d);
	d.v.buyer.be_enterprise = "0202239952";
	assert_refused(&d.v, CPT_INVALID_ARGUMENT, "buyer.be_enterprise");
}

/* Factur-X takes the buyer's e-mail (EM); Peppol has no such scheme. */
static void buyer_known_by_email_only_is_cii_but_not_peppol(void **state)
{
	fx_doc d;
	fx_invoice_fr(&d);
	d.v.buyer.siren = d.v.buyer.vat_number = "";
	cpt_status st = CPT_STATUS_OK;
	GBytes *out = NULL;
	assert_int_equal(cpt_einvoice_cii(&d.v, &out, &st), CPT_OK);
	gsize len;
	const char *data = g_bytes_get_data(out, &len);
	g_autofree char *cii = g_strndup(data, len);
	assert_non_null(strstr(cii, "<ram:URIID schemeID=\"EM\">compta@boulangerie-martin.fr<"));
	g_bytes_unref(out);

	out = NULL;
	assert_int_equal(cpt_einvoice_ubl(&d.v, &out, &st), CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "buyer.siren");
	assert_null(out);
}

static void peppol_needs_a_buyer_reference_or_code(void **state)
{
	fx_doc d;
	fx_deposit_fr(&d);
	d.v.buyer.code = "";
	cpt_status st = CPT_STATUS_OK;
	GBytes *out = NULL;
	assert_int_equal(cpt_einvoice_ubl(&d.v, &out, &st), CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "buyer_reference");
	assert_int_equal(cpt_einvoice_cii(&d.v, &out, &st), CPT_OK);
	g_bytes_unref(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(documents_that_are_not_invoices_are_refused),
	    cmocka_unit_test(a_draft_without_legal_number_is_refused),
	    cmocka_unit_test(falsified_totals_are_refused_naming_the_field),
	    cmocka_unit_test(a_line_rate_missing_from_the_breakdown_is_refused),
	    cmocka_unit_test(exempt_breakdown_without_reason_is_refused),
	    cmocka_unit_test(reverse_charge_without_buyer_vat_number_is_refused),
	    cmocka_unit_test(credit_transfer_without_iban_is_refused),
	    cmocka_unit_test(a_wrong_enterprise_number_is_refused),
	    cmocka_unit_test(buyer_known_by_email_only_is_cii_but_not_peppol),
	    cmocka_unit_test(peppol_needs_a_buyer_reference_or_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
