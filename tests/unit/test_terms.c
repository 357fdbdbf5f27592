/*
 * Unit tests for common/terms.[ch]: calendar arithmetic across month ends,
 * leap years and year ends, every kind of payment terms, their codes and
 * labels, and the French legal cap. Each expected date is counted by hand in
 * the comment beside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "terms.h"

static cpt_date date(int y, int m, int d)
{
	return (cpt_date){y, m, d};
}

static void assert_date(cpt_date got, int y, int m, int d)
{
	if (got.year != y || got.month != m || got.day != d)
		fail_msg("got %04d-%02d-%02d, expected %04d-%02d-%02d", got.year, got.month,
			 got.day, y, m, d);
}

static cpt_date plus(cpt_date d, int days)
{
	cpt_date r = {0, 0, 0};
	assert_true(cpt_date_add_days(d, days, &r));
	return r;
}

static cpt_date due(enum cpt_terms_kind kind, int days, cpt_date invoice)
{
	cpt_date r = {0, 0, 0};
	assert_true(cpt_terms_due_date((cpt_terms){kind, days}, invoice, &r));
	return r;
}

static cpt_terms parse(const char *code)
{
	cpt_terms t = {CPT_TERMS_RECEIPT, -1};
	cpt_status st = CPT_STATUS_OK;
	if (cpt_terms_parse(code, "terms", &t, &st) != CPT_OK)
		fail_msg("refused %s: %s", code, st.message);
	assert_int_equal(st.code, CPT_OK);
	return t;
}

static void assert_parse_refused(const char *code, const char *part)
{
	cpt_terms t = {CPT_TERMS_NET, 42};
	cpt_status st = CPT_STATUS_OK;
	assert_int_equal(cpt_terms_parse(code, "terms", &t, &st), CPT_INVALID_ARGUMENT);
	assert_int_equal(st.code, CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "terms");
	if (!strstr(st.message, part))
		fail_msg("message \"%s\" lacks \"%s\"", st.message, part);
	assert_int_equal(t.kind, CPT_TERMS_NET); /* untouched */
	assert_int_equal(t.days, 42);
}

static void assert_code_and_label(cpt_terms t, const char *code, const char *label)
{
	char buf[CPT_TERMS_LABEL_SIZE];
	cpt_terms back;
	assert_true(cpt_terms_format_code(t, buf, CPT_TERMS_CODE_SIZE));
	assert_string_equal(buf, code);
	back = parse(buf);
	assert_int_equal(back.kind, t.kind);
	assert_int_equal(back.days, t.days);
	assert_true(cpt_terms_format_label(t, buf, sizeof buf));
	assert_string_equal(buf, label);
}

/* ==== Calendar ========================================================== */

static void leap_years_follow_the_gregorian_rule(void **state)
{
	(void)state;
	assert_true(cpt_date_is_leap_year(2024));
	assert_false(cpt_date_is_leap_year(2023));
	assert_false(cpt_date_is_leap_year(2100)); /* century, not divisible by 400 */
	assert_false(cpt_date_is_leap_year(1900));
	assert_true(cpt_date_is_leap_year(2000)); /* divisible by 400 */
	assert_true(cpt_date_is_leap_year(2400));
	assert_int_equal(cpt_date_days_in_month(2024, 2), 29);
	assert_int_equal(cpt_date_days_in_month(2023, 2), 28);
	assert_int_equal(cpt_date_days_in_month(2100, 2), 28);
	assert_int_equal(cpt_date_days_in_month(2000, 2), 29);
	assert_int_equal(cpt_date_days_in_month(2023, 4), 30);
	assert_int_equal(cpt_date_days_in_month(2023, 12), 31);
	assert_int_equal(cpt_date_days_in_month(2023, 13), 0);
	assert_int_equal(cpt_date_days_in_month(2023, 0), 0);
}

static void date_valid_rejects_impossible_days(void **state)
{
	(void)state;
	assert_true(cpt_date_valid(date(2024, 2, 29)));
	assert_false(cpt_date_valid(date(2023, 2, 29)));
	assert_false(cpt_date_valid(date(2100, 2, 29)));
	assert_true(cpt_date_valid(date(2000, 2, 29)));
	assert_false(cpt_date_valid(date(2024, 4, 31)));
	assert_false(cpt_date_valid(date(2024, 1, 0)));
	assert_false(cpt_date_valid(date(2024, 0, 1)));
	assert_false(cpt_date_valid(date(0, 1, 1)));
	assert_false(cpt_date_valid(date(10000, 1, 1)));
	assert_true(cpt_date_valid(date(1, 1, 1)));
	assert_true(cpt_date_valid(date(9999, 12, 31)));
}

static void add_days_crosses_month_ends(void **state)
{
	(void)state;
	/* 31 Jan 2023 + 30: 28 days to 28 Feb, 2 more -> 2 March. */
	assert_date(plus(date(2023, 1, 31), 30), 2023, 3, 2);
	/* 31 Jan 2024 + 30: 29 days to 29 Feb, 1 more -> 1 March. */
	assert_date(plus(date(2024, 1, 31), 30), 2024, 3, 1);
	assert_date(plus(date(2024, 1, 30), 30), 2024, 2, 29);
	assert_date(plus(date(2024, 4, 30), 1), 2024, 5, 1);
	assert_date(plus(date(2024, 3, 1), -1), 2024, 2, 29);
	assert_date(plus(date(2023, 3, 1), -1), 2023, 2, 28);
	assert_date(plus(date(2024, 5, 15), 0), 2024, 5, 15);
}

static void add_days_handles_leap_centuries(void **state)
{
	(void)state;
	/* 2100 is not leap: 28 Feb is followed by 1 March. */
	assert_date(plus(date(2100, 2, 28), 1), 2100, 3, 1);
	assert_date(plus(date(2100, 2, 1), 28), 2100, 3, 1);
	/* 2000 is: 28 Feb, 29 Feb, 1 March. */
	assert_date(plus(date(2000, 2, 28), 1), 2000, 2, 29);
	assert_date(plus(date(2000, 2, 1), 28), 2000, 2, 29);
	/* A whole leap year is 366 days, a common one 365. */
	assert_date(plus(date(2024, 1, 1), 366), 2025, 1, 1);
	assert_date(plus(date(2023, 1, 1), 365), 2024, 1, 1);
	/* 400 Gregorian years are 146097 days exactly. */
	assert_date(plus(date(2000, 3, 1), 146097), 2400, 3, 1);
}

static void add_days_crosses_year_ends(void **state)
{
	(void)state;
	assert_date(plus(date(2023, 12, 31), 1), 2024, 1, 1);
	/* 15 Dec 2023 + 30: 16 days to 31 Dec, 14 more -> 14 Jan 2024. */
	assert_date(plus(date(2023, 12, 15), 30), 2024, 1, 14);
	assert_date(plus(date(2024, 1, 1), -1), 2023, 12, 31);
	/* 1 Nov 2024 + 60: 29 to 30 Nov, 31 to 31 Dec -> 60 is 31 Dec. */
	assert_date(plus(date(2024, 11, 1), 60), 2024, 12, 31);
	assert_date(plus(date(2024, 11, 1), 61), 2025, 1, 1);
}

static void add_days_refuses_invalid_dates_and_out_of_range_results(void **state)
{
	(void)state;
	cpt_date r = date(7, 7, 7);
	assert_false(cpt_date_add_days(date(2023, 2, 29), 1, &r));
	assert_false(cpt_date_add_days(date(9999, 12, 31), 1, &r));
	assert_false(cpt_date_add_days(date(1, 1, 1), -1, &r));
	assert_false(cpt_date_end_of_month(date(2023, 13, 1), &r));
	assert_date(r, 7, 7, 7); /* untouched */
	assert_date(plus(date(9999, 12, 30), 1), 9999, 12, 31);
	assert_date(plus(date(1, 1, 2), -1), 1, 1, 1);
}

static void end_of_month_and_days_between(void **state)
{
	(void)state;
	cpt_date r;
	int n = 0;
	assert_true(cpt_date_end_of_month(date(2024, 2, 3), &r));
	assert_date(r, 2024, 2, 29);
	assert_true(cpt_date_end_of_month(date(2023, 2, 28), &r));
	assert_date(r, 2023, 2, 28);
	assert_true(cpt_date_end_of_month(date(2023, 12, 1), &r));
	assert_date(r, 2023, 12, 31);

	assert_true(cpt_date_days_between(date(2024, 1, 1), date(2024, 3, 1), &n));
	assert_int_equal(n, 60); /* 31 + 29 */
	assert_true(cpt_date_days_between(date(2023, 3, 1), date(2023, 1, 1), &n));
	assert_int_equal(n, -59); /* 31 + 28 */
	assert_false(cpt_date_days_between(date(2023, 2, 29), date(2023, 3, 1), &n));

	assert_true(cpt_date_compare(date(2023, 12, 31), date(2024, 1, 1)) < 0);
	assert_true(cpt_date_compare(date(2024, 2, 1), date(2024, 1, 31)) > 0);
	assert_int_equal(cpt_date_compare(date(2024, 2, 1), date(2024, 2, 1)), 0);
}

/* ==== Due dates ========================================================= */

static void receipt_is_due_on_the_invoice_date(void **state)
{
	(void)state;
	assert_date(due(CPT_TERMS_RECEIPT, 0, date(2024, 2, 29)), 2024, 2, 29);
}

static void net_adds_calendar_days(void **state)
{
	(void)state;
	assert_date(due(CPT_TERMS_NET, 30, date(2023, 1, 31)), 2023, 3, 2);
	assert_date(due(CPT_TERMS_NET, 30, date(2024, 1, 31)), 2024, 3, 1);
	/* 15 Nov 2023 + 45: 15 to 30 Nov, 30 more -> 30 Dec. */
	assert_date(due(CPT_TERMS_NET, 45, date(2023, 11, 15)), 2023, 12, 30);
	/* 1 Jan 2024 + 60: 30 to 31 Jan, 29 to 29 Feb, 1 -> 1 March. */
	assert_date(due(CPT_TERMS_NET, 60, date(2024, 1, 1)), 2024, 3, 1);
}

static void days_then_end_of_month_adds_days_then_goes_to_month_end(void **state)
{
	(void)state;
	/* 31 Jan + 30 = 2 March 2023 (1 March 2024) -> 31 March both years. */
	assert_date(due(CPT_TERMS_DAYS_THEN_EOM, 30, date(2023, 1, 31)), 2023, 3, 31);
	assert_date(due(CPT_TERMS_DAYS_THEN_EOM, 30, date(2024, 1, 31)), 2024, 3, 31);
	/* 29 Jan 2023 + 30 = 28 Feb, already the month end. */
	assert_date(due(CPT_TERMS_DAYS_THEN_EOM, 30, date(2023, 1, 29)), 2023, 2, 28);
	/* 30 Jan 2024 + 30 = 29 Feb, the leap month end. */
	assert_date(due(CPT_TERMS_DAYS_THEN_EOM, 30, date(2024, 1, 30)), 2024, 2, 29);
	/* 15 Dec 2023 + 30 = 14 Jan 2024 -> 31 Jan 2024. */
	assert_date(due(CPT_TERMS_DAYS_THEN_EOM, 30, date(2023, 12, 15)), 2024, 1, 31);
	/* 10 Jan 2025 + 45 = 24 Feb -> 28 Feb. */
	assert_date(due(CPT_TERMS_DAYS_THEN_EOM, 45, date(2025, 1, 10)), 2025, 2, 28);
}

static void end_of_month_then_days_goes_to_month_end_then_adds_days(void **state)
{
	(void)state;
	/* 10 Jan 2025 -> 31 Jan, + 45: 28 to 28 Feb, 17 more -> 17 March. */
	assert_date(due(CPT_TERMS_EOM_THEN_DAYS, 45, date(2025, 1, 10)), 2025, 3, 17);
	/* Leap year: 31 Jan 2024 + 45: 29 to 29 Feb, 16 more -> 16 March. */
	assert_date(due(CPT_TERMS_EOM_THEN_DAYS, 45, date(2024, 1, 31)), 2024, 3, 16);
	/* 15 Dec 2023 -> 31 Dec, + 45: 31 to 31 Jan, 14 more -> 14 Feb 2024. */
	assert_date(due(CPT_TERMS_EOM_THEN_DAYS, 45, date(2023, 12, 15)), 2024, 2, 14);
	/* 2100: 31 Jan + 30 -> 28 Feb is +28, +2 -> 2 March. */
	assert_date(due(CPT_TERMS_EOM_THEN_DAYS, 30, date(2100, 1, 5)), 2100, 3, 2);
}

static void the_two_readings_of_45_days_end_of_month_differ(void **state)
{
	(void)state;
	/* Same invoice, 10 Jan 2025: 28 Feb one way, 17 March the other. */
	cpt_date a = due(CPT_TERMS_DAYS_THEN_EOM, 45, date(2025, 1, 10));
	cpt_date b = due(CPT_TERMS_EOM_THEN_DAYS, 45, date(2025, 1, 10));
	assert_true(cpt_date_compare(a, b) < 0);
	/* On 31 Jan 2025 the invoice date is the month end: + 45 = 17 March,
	 * which one reading takes to 31 March and the other keeps. */
	a = due(CPT_TERMS_DAYS_THEN_EOM, 45, date(2025, 1, 31));
	b = due(CPT_TERMS_EOM_THEN_DAYS, 45, date(2025, 1, 31));
	assert_date(a, 2025, 3, 31);
	assert_date(b, 2025, 3, 17);
}

static void next_month_takes_a_fixed_day_clamped_to_the_month(void **state)
{
	(void)state;
	assert_date(due(CPT_TERMS_NEXT_MONTH, 10, date(2024, 1, 31)), 2024, 2, 10);
	assert_date(due(CPT_TERMS_NEXT_MONTH, 10, date(2023, 12, 20)), 2024, 1, 10);
	assert_date(due(CPT_TERMS_NEXT_MONTH, 31, date(2024, 1, 15)), 2024, 2, 29);
	assert_date(due(CPT_TERMS_NEXT_MONTH, 31, date(2100, 1, 15)), 2100, 2, 28);
	assert_date(due(CPT_TERMS_NEXT_MONTH, 31, date(2024, 3, 1)), 2024, 4, 30);
	assert_date(due(CPT_TERMS_NEXT_MONTH, 31, date(2024, 11, 1)), 2024, 12, 31);
}

static void due_date_refuses_invalid_terms_dates_and_overflow(void **state)
{
	(void)state;
	cpt_date r = date(7, 7, 7);
	assert_false(cpt_terms_due_date((cpt_terms){CPT_TERMS_NET, 0}, date(2024, 1, 1), &r));
	assert_false(cpt_terms_due_date((cpt_terms){CPT_TERMS_NET, 366}, date(2024, 1, 1), &r));
	assert_false(cpt_terms_due_date((cpt_terms){CPT_TERMS_RECEIPT, 3}, date(2024, 1, 1), &r));
	assert_false(
	    cpt_terms_due_date((cpt_terms){CPT_TERMS_NEXT_MONTH, 32}, date(2024, 1, 1), &r));
	assert_false(
	    cpt_terms_due_date((cpt_terms){(enum cpt_terms_kind)99, 30}, date(2024, 1, 1), &r));
	assert_false(cpt_terms_due_date((cpt_terms){CPT_TERMS_NET, 30}, date(2024, 2, 30), &r));
	assert_false(cpt_terms_due_date((cpt_terms){CPT_TERMS_NET, 30}, date(9999, 12, 15), &r));
	assert_false(
	    cpt_terms_due_date((cpt_terms){CPT_TERMS_NEXT_MONTH, 1}, date(9999, 12, 15), &r));
	assert_date(r, 7, 7, 7);
}

/* ==== Codes and labels ================================================== */

static void every_kind_has_a_code_and_a_french_label(void **state)
{
	(void)state;
	assert_code_and_label((cpt_terms){CPT_TERMS_RECEIPT, 0}, "RECEIPT", "À réception");
	assert_code_and_label((cpt_terms){CPT_TERMS_NET, 30}, "NET30", "30 jours");
	assert_code_and_label((cpt_terms){CPT_TERMS_NET, 45}, "NET45", "45 jours");
	assert_code_and_label((cpt_terms){CPT_TERMS_NET, 60}, "NET60", "60 jours");
	assert_code_and_label((cpt_terms){CPT_TERMS_NET, 1}, "NET1", "1 jour");
	assert_code_and_label((cpt_terms){CPT_TERMS_DAYS_THEN_EOM, 30}, "NET30EOM",
			      "30 jours fin de mois");
	assert_code_and_label((cpt_terms){CPT_TERMS_DAYS_THEN_EOM, 45}, "NET45EOM",
			      "45 jours fin de mois");
	assert_code_and_label((cpt_terms){CPT_TERMS_EOM_THEN_DAYS, 45}, "EOM45",
			      "Fin de mois + 45 jours");
	assert_code_and_label((cpt_terms){CPT_TERMS_NEXT_MONTH, 10}, "NEXT10",
			      "Le 10 du mois suivant");
	assert_code_and_label((cpt_terms){CPT_TERMS_NEXT_MONTH, 1}, "NEXT1",
			      "Le 1er du mois suivant");
	assert_code_and_label((cpt_terms){CPT_TERMS_DAYS_THEN_EOM, CPT_TERMS_MAX_DAYS}, "NET365EOM",
			      "365 jours fin de mois");
	assert_code_and_label((cpt_terms){CPT_TERMS_EOM_THEN_DAYS, CPT_TERMS_MAX_DAYS}, "EOM365",
			      "Fin de mois + 365 jours");
}

static void parse_ignores_case_and_surrounding_spaces(void **state)
{
	(void)state;
	cpt_terms t = parse("  net30eom ");
	assert_int_equal(t.kind, CPT_TERMS_DAYS_THEN_EOM);
	assert_int_equal(t.days, 30);
	t = parse("receipt");
	assert_int_equal(t.kind, CPT_TERMS_RECEIPT);
	assert_int_equal(t.days, 0);
	t = parse("Eom45");
	assert_int_equal(t.kind, CPT_TERMS_EOM_THEN_DAYS);
	assert_int_equal(t.days, 45);
	t = parse("NET045");
	assert_int_equal(t.kind, CPT_TERMS_NET);
	assert_int_equal(t.days, 45);
	t = parse("next5");
	assert_int_equal(t.kind, CPT_TERMS_NEXT_MONTH);
	assert_int_equal(t.days, 5);
}

static void parse_rejects_unknown_codes_and_out_of_range_days(void **state)
{
	(void)state;
	assert_parse_refused("", "champ vide");
	assert_parse_refused("   ", "champ vide");
	assert_parse_refused("NET", "« NET » inconnue");
	assert_parse_refused("NET30X", "inconnue");
	assert_parse_refused("NET 30", "inconnue");
	assert_parse_refused("NET30EOM5", "inconnue");
	assert_parse_refused("EOM", "inconnue");
	assert_parse_refused("EOMNET", "inconnue");
	assert_parse_refused("NET1000", "inconnue");
	assert_parse_refused("CASH", "codes admis : RECEIPT");
	assert_parse_refused("À réception", "inconnue");
	assert_parse_refused("NET30EOMNET30EOMNET30EOM", "inconnue");
	assert_parse_refused("NET0", "délai de 0 jours hors limites (1 à 365)");
	assert_parse_refused("EOM366", "délai de 366 jours hors limites");
	assert_parse_refused("NEXT0", "jour du mois 0 hors limites (1 à 31)");
	assert_parse_refused("NEXT32", "jour du mois 32");
	assert_int_equal(cpt_terms_parse("NET30", NULL, &(cpt_terms){0}, NULL), CPT_OK);
	assert_int_equal(cpt_terms_parse("NETX", NULL, &(cpt_terms){0}, NULL),
			 CPT_INVALID_ARGUMENT);
}

static void format_refuses_invalid_terms_and_small_buffers(void **state)
{
	(void)state;
	char buf[8] = "junk";
	assert_false(cpt_terms_format_code((cpt_terms){CPT_TERMS_NET, 0}, buf, sizeof buf));
	assert_string_equal(buf, "");
	assert_false(cpt_terms_format_label((cpt_terms){CPT_TERMS_RECEIPT, 1}, buf, sizeof buf));
	assert_string_equal(buf, "");
	/* "NET30EOM" needs 9 bytes. */
	assert_false(
	    cpt_terms_format_code((cpt_terms){CPT_TERMS_DAYS_THEN_EOM, 30}, buf, sizeof buf));
	assert_string_equal(buf, "");
	assert_false(cpt_terms_format_label((cpt_terms){CPT_TERMS_NET, 30}, buf, 3));
	assert_string_equal(buf, "");
	assert_false(cpt_terms_format_code((cpt_terms){CPT_TERMS_NET, 30}, buf, 0));
}

/* ==== Legal cap ========================================================= */

static void legal_cap_is_60_days_from_the_invoice(void **state)
{
	(void)state;
	cpt_date cap;
	assert_true(cpt_terms_legal_cap(date(2024, 1, 1), false, &cap));
	assert_date(cap, 2024, 3, 1); /* 31 + 29 = 60 */
	assert_true(cpt_terms_legal_cap(date(2023, 1, 1), false, &cap));
	assert_date(cap, 2023, 3, 2); /* 31 + 28 = 59, one more */
	assert_true(cpt_terms_legal_cap(date(2023, 12, 15), false, &cap));
	assert_date(cap, 2024, 2, 13); /* 16 + 31 = 47, 13 more */
	assert_false(cpt_terms_legal_cap(date(2023, 2, 29), false, &cap));
}

static void legal_cap_with_eom_agreed_takes_the_latest_reading(void **state)
{
	(void)state;
	cpt_date cap;
	/* 1 Jan 2024: +60 = 1 March; +45 = 15 Feb -> 29 Feb; 31 Jan + 45 = 16 March. */
	assert_true(cpt_terms_legal_cap(date(2024, 1, 1), true, &cap));
	assert_date(cap, 2024, 3, 16);
	/* 31 Jan 2025: +60 = 1 April (28 + 31 = 59, one more); +45 = 17 March
	 * -> 31 March; 31 Jan + 45 = 17 March. 60 days wins. */
	assert_true(cpt_terms_legal_cap(date(2025, 1, 31), true, &cap));
	assert_date(cap, 2025, 4, 1);
	/* 20 Jan 2025: +60 = 21 March; +45 = 6 March -> 31 March; 17 March. */
	assert_true(cpt_terms_legal_cap(date(2025, 1, 20), true, &cap));
	assert_date(cap, 2025, 3, 31);
}

static void check_legal_cap_accepts_terms_within_the_law(void **state)
{
	(void)state;
	cpt_status st = CPT_STATUS_OK;
	cpt_date inv = date(2024, 1, 1), cap = date(7, 7, 7);
	cpt_date d = due(CPT_TERMS_NET, 60, inv);
	assert_int_equal(cpt_terms_check_legal_cap(inv, d, false, "due", &cap, &st), CPT_OK);
	assert_int_equal(st.code, CPT_OK);
	assert_date(cap, 2024, 3, 1);
	d = due(CPT_TERMS_EOM_THEN_DAYS, 45, inv);
	assert_int_equal(cpt_terms_check_legal_cap(inv, d, true, "due", &cap, &st), CPT_OK);
	d = due(CPT_TERMS_DAYS_THEN_EOM, 45, inv);
	assert_int_equal(cpt_terms_check_legal_cap(inv, d, true, "due", NULL, NULL), CPT_OK);
	d = due(CPT_TERMS_RECEIPT, 0, inv);
	assert_int_equal(cpt_terms_check_legal_cap(inv, d, false, "due", NULL, NULL), CPT_OK);
}

static void check_legal_cap_refuses_later_due_dates_and_gives_the_cap(void **state)
{
	(void)state;
	cpt_status st = CPT_STATUS_OK;
	cpt_date inv = date(2024, 1, 1), cap = date(7, 7, 7);
	/* 45 days end of month (16 March) without the contractual derogation. */
	cpt_date d = due(CPT_TERMS_EOM_THEN_DAYS, 45, inv);
	assert_int_equal(cpt_terms_check_legal_cap(inv, d, false, "due", &cap, &st),
			 CPT_INVALID_ARGUMENT);
	assert_date(cap, 2024, 3, 1);
	assert_string_equal(st.field, "due");
	assert_non_null(strstr(st.message, "Échéance du 16/03/2024 au-delà du plafond légal du "
					   "01/03/2024"));
	assert_non_null(strstr(st.message, "L441-10"));
	/* 60 days end of month goes beyond either. */
	d = due(CPT_TERMS_DAYS_THEN_EOM, 60, inv);
	assert_date(d, 2024, 3, 31);
	assert_int_equal(cpt_terms_check_legal_cap(inv, d, true, "due", &cap, &st),
			 CPT_INVALID_ARGUMENT);
	assert_date(cap, 2024, 3, 16);
	assert_non_null(strstr(st.message, "ou 45 jours fin de mois"));
	/* One day past NET60. */
	d = due(CPT_TERMS_NET, 61, inv);
	assert_int_equal(cpt_terms_check_legal_cap(inv, d, false, "due", NULL, NULL),
			 CPT_INVALID_ARGUMENT);
}

static void check_legal_cap_refuses_invalid_dates(void **state)
{
	(void)state;
	cpt_status st = CPT_STATUS_OK;
	cpt_date cap = date(7, 7, 7);
	assert_int_equal(cpt_terms_check_legal_cap(date(2023, 2, 29), date(2023, 3, 1), false,
						   "invoice_date", &cap, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.message, "Date de facture invalide.");
	assert_string_equal(st.field, "invoice_date");
	assert_date(cap, 7, 7, 7);
	assert_int_equal(
	    cpt_terms_check_legal_cap(date(2023, 2, 1), date(2023, 4, 31), false, "due", &cap, &st),
	    CPT_INVALID_ARGUMENT);
	assert_string_equal(st.message, "Date d'échéance invalide.");
	/* Near the end of the calendar the cap cannot be passed. */
	assert_int_equal(cpt_terms_check_legal_cap(date(9999, 12, 1), date(9999, 12, 31), false,
						   "due", NULL, &st),
			 CPT_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(leap_years_follow_the_gregorian_rule),
	    cmocka_unit_test(date_valid_rejects_impossible_days),
	    cmocka_unit_test(add_days_crosses_month_ends),
	    cmocka_unit_test(add_days_handles_leap_centuries),
	    cmocka_unit_test(add_days_crosses_year_ends),
	    cmocka_unit_test(add_days_refuses_invalid_dates_and_out_of_range_results),
	    cmocka_unit_test(end_of_month_and_days_between),
	    cmocka_unit_test(receipt_is_due_on_the_invoice_date),
	    cmocka_unit_test(net_adds_calendar_days),
	    cmocka_unit_test(days_then_end_of_month_adds_days_then_goes_to_month_end),
	    cmocka_unit_test(end_of_month_then_days_goes_to_month_end_then_adds_days),
	    cmocka_unit_test(the_two_readings_of_45_days_end_of_month_differ),
	    cmocka_unit_test(next_month_takes_a_fixed_day_clamped_to_the_month),
	    cmocka_unit_test(due_date_refuses_invalid_terms_dates_and_overflow),
	    cmocka_unit_test(every_kind_has_a_code_and_a_french_label),
	    cmocka_unit_test(parse_ignores_case_and_surrounding_spaces),
	    cmocka_unit_test(parse_rejects_unknown_codes_and_out_of_range_days),
	    cmocka_unit_test(format_refuses_invalid_terms_and_small_buffers),
	    cmocka_unit_test(legal_cap_is_60_days_from_the_invoice),
	    cmocka_unit_test(legal_cap_with_eom_agreed_takes_the_latest_reading),
	    cmocka_unit_test(check_legal_cap_accepts_terms_within_the_law),
	    cmocka_unit_test(check_legal_cap_refuses_later_due_dates_and_gives_the_cap),
	    cmocka_unit_test(check_legal_cap_refuses_invalid_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
