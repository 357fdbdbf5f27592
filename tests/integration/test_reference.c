/*
 * Reference tables over RPC: French and Belgian VAT rates, exemptions with
 * their legal mentions, units, payment terms and due dates on month ends and
 * leap years.
 */
#include "testenv.h"

#include "reference.pb-c.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static cpt_testenv env;
static cpt_client *c;

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "reference", NULL) != 0) {
		return -1;
	}
	c = cpt_testenv_admin(&env);
	return c ? 0 : -1;
}

static int teardown(void **state)
{
	cpt_client_close(c);
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

static void vat_rates_of_france_and_belgium(void **state)
{
	const char *countries[] = {"FR", "BE"};
	const int expected[][5] = {{2000, 1000, 550, 210, 0}, {2100, 1200, 600, 0, -1}};
	for (int k = 0; k < 2; k++) {
		Comptoir__Reference__CountryRequest req =
		    COMPTOIR__REFERENCE__COUNTRY_REQUEST__INIT;
		req.country = (char *)countries[k];
		ProtobufCMessage *out = NULL;
		cpt_status st = {0};
		assert_int_equal(
		    cpt_client_call(c, "comptoir.reference.Reference/ListVatRates", &req.base,
				    &comptoir__reference__list_vat_rates_reply__descriptor, &out,
				    &st),
		    CPT_OK);
		Comptoir__Reference__ListVatRatesReply *r = (void *)out;
		size_t want = k == 0 ? 5 : 4;
		assert_int_equal(r->n_rates, want);
		for (size_t i = 0; i < want; i++) {
			assert_int_equal(r->rates[i]->rate, expected[k][i]);
		}
		protobuf_c_message_free_unpacked(out, NULL);
	}
}

static void exemptions_carry_their_legal_mention(void **state)
{
	Comptoir__Reference__CountryRequest req = COMPTOIR__REFERENCE__COUNTRY_REQUEST__INIT;
	req.country = "FR";
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(
	    cpt_client_call(c, "comptoir.reference.Reference/ListExemptions", &req.base,
			    &comptoir__reference__list_exemptions_reply__descriptor, &out, &st),
	    CPT_OK);
	Comptoir__Reference__ListExemptionsReply *r = (void *)out;
	bool franchise = false, btp = false;
	for (size_t i = 0; i < r->n_exemptions; i++) {
		franchise |= strstr(r->exemptions[i]->legal_mention, "293 B") != NULL;
		btp |= strcmp(r->exemptions[i]->category, "AE") == 0 &&
		       strstr(r->exemptions[i]->legal_mention, "283-2 nonies") != NULL;
	}
	assert_true(franchise);
	assert_true(btp);
	protobuf_c_message_free_unpacked(out, NULL);
	req.country = "DE";
	assert_int_equal(
	    cpt_client_call(c, "comptoir.reference.Reference/ListExemptions", &req.base,
			    &comptoir__reference__list_exemptions_reply__descriptor, &out, &st),
	    CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "country");
}

static void units_and_payment_terms_are_listed(void **state)
{
	Comptoir__Reference__ListUnitsRequest ureq = COMPTOIR__REFERENCE__LIST_UNITS_REQUEST__INIT;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(c, "comptoir.reference.Reference/ListUnits", &ureq.base,
					 &comptoir__reference__list_units_reply__descriptor, &out,
					 &st),
			 CPT_OK);
	assert_true(((Comptoir__Reference__ListUnitsReply *)out)->n_units >= 10);
	protobuf_c_message_free_unpacked(out, NULL);
	Comptoir__Reference__ListPaymentTermsRequest treq =
	    COMPTOIR__REFERENCE__LIST_PAYMENT_TERMS_REQUEST__INIT;
	assert_int_equal(
	    cpt_client_call(c, "comptoir.reference.Reference/ListPaymentTerms", &treq.base,
			    &comptoir__reference__list_payment_terms_reply__descriptor, &out, &st),
	    CPT_OK);
	Comptoir__Reference__ListPaymentTermsReply *t = (void *)out;
	bool eom = false;
	for (size_t i = 0; i < t->n_terms; i++) {
		eom |= strcmp(t->terms[i]->label, "30 jours fin de mois") == 0;
	}
	assert_true(eom);
	protobuf_c_message_free_unpacked(out, NULL);
}

static void due_dates_on_month_ends_and_leap_years(void **state)
{
	struct {
		const char *terms, *date, *due;
		bool beyond;
	} cases[] = {
	    {"RECEIPT", "2026-11-25", "2026-11-25", false},
	    {"NET30", "2024-01-31", "2024-03-01", false}, /* 2024 is a leap year */
	    {"NET30", "2023-01-31", "2023-03-02", false},
	    {"NET30EOM", "2024-01-31", "2024-03-31", false},
	    {"NET60", "2025-12-31", "2026-03-01", false},
	    {"NET45EOM", "2026-01-10", "2026-02-28", false},
	    {"NET90", "2026-01-10", "2026-04-10", true}, /* beyond the 60-day cap */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Comptoir__Reference__DueDateRequest req =
		    COMPTOIR__REFERENCE__DUE_DATE_REQUEST__INIT;
		req.terms = (char *)cases[i].terms;
		req.date = (char *)cases[i].date;
		ProtobufCMessage *out = NULL;
		cpt_status st = {0};
		int rc =
		    cpt_client_call(c, "comptoir.reference.Reference/DueDate", &req.base,
				    &comptoir__reference__due_date_reply__descriptor, &out, &st);
		if (rc) {
			fail_msg("%s %s: %s (%s)", cases[i].terms, cases[i].date, st.message,
				 st.field);
		}
		Comptoir__Reference__DueDateReply *r = (void *)out;
		assert_string_equal(r->due, cases[i].due);
		assert_int_equal(r->beyond_legal_cap, cases[i].beyond);
		protobuf_c_message_free_unpacked(out, NULL);
	}
	Comptoir__Reference__DueDateRequest bad = COMPTOIR__REFERENCE__DUE_DATE_REQUEST__INIT;
	bad.terms = "NET30";
	bad.date = "2026-02-30";
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(c, "comptoir.reference.Reference/DueDate", &bad.base,
					 &comptoir__reference__due_date_reply__descriptor, &out,
					 &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "date");
	bad.terms = "SOON";
	bad.date = "2026-02-10";
	assert_int_equal(cpt_client_call(c, "comptoir.reference.Reference/DueDate", &bad.base,
					 &comptoir__reference__due_date_reply__descriptor, &out,
					 &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "terms");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(vat_rates_of_france_and_belgium),
	    cmocka_unit_test(exemptions_carry_their_legal_mention),
	    cmocka_unit_test(units_and_payment_terms_are_listed),
	    cmocka_unit_test(due_dates_on_month_ends_and_leap_years),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
