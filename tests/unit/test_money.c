/*
 * Unit tests for common/money.[ch]. Every expected value is worked out by
 * hand in the comment beside it, so that a change of rounding rule shows up
 * as a failing test rather than as a silently different invoice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "money.h"

#define NNBSP CPT_MONEY_GROUP_SEP
#define NBSP CPT_MONEY_CURRENCY_SEP
#define EURO CPT_MONEY_CURRENCY_SIGN

/* French and Belgian VAT rates in hundredths of a percent. */
#define FR_NORMAL 2000
#define FR_INTERMEDIATE 1000
#define FR_REDUCED 550
#define FR_SUPER_REDUCED 210
#define BE_NORMAL 2100
#define BE_INTERMEDIATE 1200
#define BE_REDUCED 600

/* Each helper fails the test if the call under test refuses its input. */
static int64_t div_round(int64_t num, int64_t den)
{
	int64_t r = 0;
	assert_true(cpt_money_div_round(num, den, &r));
	return r;
}

static int64_t line_net(int64_t price4, int64_t qty3, int64_t discount_bp)
{
	int64_t r = 0;
	assert_true(cpt_money_line_net(price4, qty3, discount_bp, &r));
	return r;
}

static int64_t vat(int64_t net, int64_t rate)
{
	int64_t r = 0;
	assert_true(cpt_money_vat(net, rate, &r));
	return r;
}

static int64_t vat_from_ttc(int64_t ttc, int64_t rate)
{
	int64_t r = 0;
	assert_true(cpt_money_vat_from_ttc(ttc, rate, &r));
	return r;
}

static int64_t ht_from_ttc(int64_t ttc, int64_t rate)
{
	int64_t r = 0;
	assert_true(cpt_money_ht_from_ttc(ttc, rate, &r));
	return r;
}

static int64_t percent(int64_t cents, int64_t bp)
{
	int64_t r = 0;
	assert_true(cpt_money_percent(cents, bp, &r));
	return r;
}

static int64_t parse(const char *text)
{
	int64_t r = 0;
	assert_true(cpt_money_parse(text, &r));
	return r;
}

static int64_t parse_price(const char *text)
{
	int64_t r = 0;
	assert_true(cpt_money_parse_price(text, &r));
	return r;
}

static int64_t parse_qty(const char *text)
{
	int64_t r = 0;
	assert_true(cpt_money_parse_qty(text, &r));
	return r;
}

static void assert_subtotal(const cpt_money_vat_acc *acc, size_t i, int64_t rate, int64_t net,
			    int64_t v, int64_t ttc)
{
	cpt_money_vat_subtotal s;
	assert_true(cpt_money_vat_acc_get(acc, i, &s));
	assert_int_equal(s.rate_bp, rate);
	assert_int_equal(s.net, net);
	assert_int_equal(s.vat, v);
	assert_int_equal(s.ttc, ttc);
}

/* ==== Rounding ========================================================== */

static void div_round_rounds_half_away_from_zero_on_positives(void **state)
{
	(void)state;
	assert_int_equal(div_round(5, 10), 1);	/* 0.5 -> 1 */
	assert_int_equal(div_round(15, 10), 2); /* 1.5 -> 2 */
	assert_int_equal(div_round(25, 10), 3); /* 2.5 -> 3, not banker's 2 */
	assert_int_equal(div_round(14, 10), 1); /* 1.4 -> 1 */
	assert_int_equal(div_round(16, 10), 2); /* 1.6 -> 2 */
	assert_int_equal(div_round(20, 10), 2); /* exact */
	assert_int_equal(div_round(1, 3), 0);	/* 0.33 -> 0 */
	assert_int_equal(div_round(2, 3), 1);	/* 0.67 -> 1 */
	assert_int_equal(div_round(0, 7), 0);
}

static void div_round_rounds_half_away_from_zero_on_negatives(void **state)
{
	(void)state;
	assert_int_equal(div_round(-5, 10), -1);  /* -0.5 -> -1 */
	assert_int_equal(div_round(-15, 10), -2); /* -1.5 -> -2 */
	assert_int_equal(div_round(-25, 10), -3); /* -2.5 -> -3 */
	assert_int_equal(div_round(-14, 10), -1); /* -1.4 -> -1 */
	assert_int_equal(div_round(-16, 10), -2); /* -1.6 -> -2 */
	assert_int_equal(div_round(5, -10), -1);  /* sign from the divisor */
	assert_int_equal(div_round(-5, -10), 1);
}

static void div_round_refuses_zero_divisor_and_overflow(void **state)
{
	(void)state;
	int64_t r = 42;
	assert_false(cpt_money_div_round(1, 0, &r));
	assert_false(cpt_money_div_round(INT64_MIN, -1, &r)); /* 2^63 */
	assert_int_equal(r, 42);
	assert_int_equal(div_round(INT64_MAX, 1), INT64_MAX);
	assert_int_equal(div_round(INT64_MIN, 1), INT64_MIN);
	/* INT64_MAX / 2 = 4611686018427387903.5 -> ...904 */
	assert_int_equal(div_round(INT64_MAX, 2), 4611686018427387904LL);
}

static void percent_rounds_half_away_from_zero(void **state)
{
	(void)state;
	assert_int_equal(percent(12345, 550), 679);   /* 678.975 -> 679 */
	assert_int_equal(percent(-12345, 550), -679); /* mirrored */
	assert_int_equal(percent(10000, 2000), 2000); /* 20 % of 100,00 */
	assert_int_equal(percent(150, 1000), 15);     /* exact */
	assert_int_equal(percent(5, 1000), 1);	      /* 0.5 -> 1 */
	assert_int_equal(percent(-5, 1000), -1);      /* -0.5 -> -1 */
	assert_int_equal(percent(4, 1000), 0);	      /* 0.4 -> 0 */
	assert_int_equal(percent(999, 0), 0);
	assert_int_equal(percent(100, 15000), 150); /* above 100 % is allowed */
}

/* ==== Arithmetic overflow ============================================== */

static void add_sub_mul_detect_overflow(void **state)
{
	(void)state;
	int64_t r = 7;
	assert_true(cpt_money_add(123456, -456, &r));
	assert_int_equal(r, 123000);
	assert_true(cpt_money_sub(100, 250, &r));
	assert_int_equal(r, -150);
	assert_true(cpt_money_mul(1999, 3, &r));
	assert_int_equal(r, 5997);
	assert_true(cpt_money_add(INT64_MAX - 1, 1, &r));
	assert_int_equal(r, INT64_MAX);

	r = 7;
	assert_false(cpt_money_add(INT64_MAX, 1, &r));
	assert_false(cpt_money_add(INT64_MIN, -1, &r));
	assert_false(cpt_money_sub(INT64_MIN, 1, &r));
	assert_false(cpt_money_sub(0, INT64_MIN, &r));
	assert_false(cpt_money_mul(INT64_MAX / 2 + 1, 2, &r));
	assert_false(cpt_money_mul(INT64_MIN, -1, &r));
	assert_int_equal(r, 7); /* output untouched on failure */
}

static void percent_detects_overflow(void **state)
{
	(void)state;
	int64_t r = 7;
	assert_false(cpt_money_percent(INT64_MAX, 20000, &r)); /* 200 % */
	assert_false(cpt_money_percent(INT64_MIN, 10001, &r));
	assert_int_equal(r, 7);
	assert_int_equal(percent(INT64_MAX, 10000), INT64_MAX);
}

/* ==== Line nets ========================================================= */

static void line_net_multiplies_price_and_quantity_to_cents(void **state)
{
	(void)state;
	/* 12,50 x 3 = 37,50 */
	assert_int_equal(line_net(125000, 3000, 0), 3750);
	/* 0,3333 x 3 = 0,9999 -> 1,00 */
	assert_int_equal(line_net(3333, 3000, 0), 100);
	/* 19,99 x 0,250 kg = 4,9975 -> 5,00 */
	assert_int_equal(line_net(199900, 250, 0), 500);
	/* 1,2345 x 1,5 = 1,85175 -> 1,85 */
	assert_int_equal(line_net(12345, 1500, 0), 185);
	assert_int_equal(line_net(0, 5000, 0), 0);
	assert_int_equal(line_net(125000, 0, 0), 0);
}

static void line_net_applies_discount_before_rounding(void **state)
{
	(void)state;
	/* 12,3456 x 2,5 = 30,864; -10 % = 27,7776 -> 27,78 */
	assert_int_equal(line_net(123456, 2500, 1000), 2778);
	/* 100,00 x 1 at -5,5 % = 94,50 */
	assert_int_equal(line_net(1000000, 1000, 550), 9450);
	/* 9,99 x 7 = 69,93; -12,5 % = 61,18875 -> 61,19 */
	assert_int_equal(line_net(99900, 7000, 1250), 6119);
	/* A 100 % discount gives a free line, whatever the price. */
	assert_int_equal(line_net(INT64_MAX, INT64_MAX, 10000), 0);
}

static void line_net_rounds_once_half_away_from_zero(void **state)
{
	(void)state;
	/* 0,0050 x 1 = 0,005; -10 % = 0,0045 -> 0,00. Rounding the gross
	 * first (0,01) then the discount (0,009 -> 0,01) would give 1 cent. */
	assert_int_equal(line_net(50, 1000, 1000), 0);
	/* 0,0150 x 1 = 0,015 -> 0,02 (half away from zero) */
	assert_int_equal(line_net(150, 1000, 0), 2);
	/* 0,0125 x 1 = 0,0125 -> 0,01 */
	assert_int_equal(line_net(125, 1000, 0), 1);
	/* 3,3333 x 3 = 9,9999; -50 % = 4,99995 -> 5,00 */
	assert_int_equal(line_net(33333, 3000, 5000), 500);
	/* 0,0333 x 0,5 = 0,01665; -10 % = 0,014985 -> 0,01. Rounding the
	 * gross first gives 0,02 then 0,018 -> 0,02. */
	assert_int_equal(line_net(333, 500, 1000), 1);
}

static void line_net_mirrors_for_negative_quantities_and_prices(void **state)
{
	(void)state;
	/* Credit note: -0,015 -> -0,02, the exact mirror of the invoice line. */
	assert_int_equal(line_net(150, -1000, 0), -2);
	assert_int_equal(line_net(-150, 1000, 0), -2);
	assert_int_equal(line_net(-150, -1000, 0), 2);
	/* -(12,3456 x 2,5 x 0,9) = -27,7776 -> -27,78 */
	assert_int_equal(line_net(123456, -2500, 1000), -2778);
}

static void line_net_refuses_bad_discount_and_overflow(void **state)
{
	(void)state;
	int64_t r = 7;
	assert_false(cpt_money_line_net(10000, 1000, -1, &r));
	assert_false(cpt_money_line_net(10000, 1000, 10001, &r));
	/* 2^126 x 10^4 does not fit even in 128 bits. */
	assert_false(cpt_money_line_net(INT64_MAX, INT64_MAX, 0, &r));
	assert_false(cpt_money_line_net(INT64_MIN, INT64_MAX, 1, &r));
	/* Fits in 128 bits but not in int64_t cents: 922 337 203 685 477,5807
	 * x 1000 = 9,2e19 cents. */
	assert_false(cpt_money_line_net(INT64_MAX, 1000000, 0, &r));
	assert_int_equal(r, 7);
	/* The largest price times one unit: 92 233 720 368 547 758,07 cents
	 * -> ...758 (0,07 of a cent rounds down). */
	assert_int_equal(line_net(INT64_MAX, 1000, 0), 92233720368547758LL);
}

/* ==== VAT =============================================================== */

static void vat_on_french_rates(void **state)
{
	(void)state;
	/* 100,00 € */
	assert_int_equal(vat(10000, FR_NORMAL), 2000);
	assert_int_equal(vat(10000, FR_INTERMEDIATE), 1000);
	assert_int_equal(vat(10000, FR_REDUCED), 550);
	assert_int_equal(vat(10000, FR_SUPER_REDUCED), 210);
	assert_int_equal(vat(10000, 0), 0);
	/* 19,99 €: 3,998 / 1,999 / 1,09945 / 0,41979 */
	assert_int_equal(vat(1999, FR_NORMAL), 400);
	assert_int_equal(vat(1999, FR_INTERMEDIATE), 200);
	assert_int_equal(vat(1999, FR_REDUCED), 110);
	assert_int_equal(vat(1999, FR_SUPER_REDUCED), 42);
	/* 12,34 €: 2,468 / 1,234 / 0,6787 / 0,25914 */
	assert_int_equal(vat(1234, FR_NORMAL), 247);
	assert_int_equal(vat(1234, FR_INTERMEDIATE), 123);
	assert_int_equal(vat(1234, FR_REDUCED), 68);
	assert_int_equal(vat(1234, FR_SUPER_REDUCED), 26);
	/* 0,05 € at 10 % = 0,005 -> 0,01; mirrored on a credit note. */
	assert_int_equal(vat(5, FR_INTERMEDIATE), 1);
	assert_int_equal(vat(-5, FR_INTERMEDIATE), -1);
	/* 10,00 € at 5,5 % = 0,55 exactly; 0,10 € at 5,5 % = 0,0055 -> 0,01 */
	assert_int_equal(vat(1000, FR_REDUCED), 55);
	assert_int_equal(vat(10, FR_REDUCED), 1);
	assert_int_equal(vat(-10, FR_REDUCED), -1);
}

static void vat_on_belgian_rates(void **state)
{
	(void)state;
	/* 12,34 €: 2,5914 / 1,4808 / 0,7404 */
	assert_int_equal(vat(1234, BE_NORMAL), 259);
	assert_int_equal(vat(1234, BE_INTERMEDIATE), 148);
	assert_int_equal(vat(1234, BE_REDUCED), 74);
	/* 19,99 €: 4,1979 / 2,3988 / 1,1994 */
	assert_int_equal(vat(1999, BE_NORMAL), 420);
	assert_int_equal(vat(1999, BE_INTERMEDIATE), 240);
	assert_int_equal(vat(1999, BE_REDUCED), 120);
	/* 2,50 € at 21 % = 0,525 -> 0,53, a tie */
	assert_int_equal(vat(250, BE_NORMAL), 53);
	assert_int_equal(vat(-250, BE_NORMAL), -53);
}

static void vat_refuses_out_of_range_rates(void **state)
{
	(void)state;
	int64_t r = 7;
	assert_false(cpt_money_vat(1000, -1, &r));
	assert_false(cpt_money_vat(1000, 10001, &r));
	assert_false(cpt_money_vat_from_ttc(1000, -1, &r));
	assert_false(cpt_money_ht_from_ttc(1000, 10001, &r));
	assert_int_equal(r, 7);
	assert_int_equal(vat(INT64_MAX, 10000), INT64_MAX);
}

static void vat_is_computed_on_summed_nets_not_summed_line_vats(void **state)
{
	(void)state;
	/* Three lines of 0,03 € at 20 %: each line's VAT is 0,006 -> 0,01,
	 * 0,03 in all. On the summed net, 0,09 x 20 % = 0,018 -> 0,02. */
	int64_t line_vats = 3 * vat(3, FR_NORMAL);
	assert_int_equal(line_vats, 3);

	cpt_money_vat_acc acc;
	cpt_money_vat_acc_init(&acc, CPT_MONEY_ENTRY_HT);
	for (int i = 0; i < 3; i++)
		assert_true(cpt_money_vat_acc_add(&acc, FR_NORMAL, line_net(300, 1000, 0)));
	assert_int_equal(cpt_money_vat_acc_count(&acc), 1);
	assert_subtotal(&acc, 0, FR_NORMAL, 9, 2, 11);

	/* Ten lines of 0,25 € at 5,5 %: 10 x round(0,01375) = 0,10 against
	 * round(2,50 x 5,5 %) = round(0,1375) = 0,14. */
	assert_int_equal(10 * vat(25, FR_REDUCED), 10);
	cpt_money_vat_acc_init(&acc, CPT_MONEY_ENTRY_HT);
	for (int i = 0; i < 10; i++)
		assert_true(cpt_money_vat_acc_add(&acc, FR_REDUCED, 25));
	int64_t net, v, ttc;
	assert_true(cpt_money_vat_acc_totals(&acc, &net, &v, &ttc));
	assert_int_equal(net, 250);
	assert_int_equal(v, 14);
	assert_int_equal(ttc, 264);
}

static void vat_acc_groups_by_rate_in_decreasing_order(void **state)
{
	(void)state;
	cpt_money_vat_acc acc;
	cpt_money_vat_acc_init(&acc, CPT_MONEY_ENTRY_HT);
	assert_true(cpt_money_vat_acc_add(&acc, FR_REDUCED, 1999));
	assert_true(cpt_money_vat_acc_add(&acc, 0, 500));
	assert_true(cpt_money_vat_acc_add(&acc, FR_NORMAL, 1000));
	assert_true(cpt_money_vat_acc_add(&acc, FR_SUPER_REDUCED, 1234));
	assert_true(cpt_money_vat_acc_add(&acc, FR_NORMAL, 3));
	assert_true(cpt_money_vat_acc_add(&acc, FR_INTERMEDIATE, 5));
	assert_true(cpt_money_vat_acc_add(&acc, FR_NORMAL, 3));
	assert_int_equal(cpt_money_vat_acc_count(&acc), 5);

	/* 20 %: 10,06 -> 2,012 -> 2,01 */
	assert_subtotal(&acc, 0, FR_NORMAL, 1006, 201, 1207);
	/* 10 %: 0,05 -> 0,005 -> 0,01 */
	assert_subtotal(&acc, 1, FR_INTERMEDIATE, 5, 1, 6);
	/* 5,5 %: 19,99 -> 1,09945 -> 1,10 */
	assert_subtotal(&acc, 2, FR_REDUCED, 1999, 110, 2109);
	/* 2,1 %: 12,34 -> 0,25914 -> 0,26 */
	assert_subtotal(&acc, 3, FR_SUPER_REDUCED, 1234, 26, 1260);
	assert_subtotal(&acc, 4, 0, 500, 0, 500);

	cpt_money_vat_subtotal s;
	assert_false(cpt_money_vat_acc_get(&acc, 5, &s));

	int64_t net, v, ttc;
	assert_true(cpt_money_vat_acc_totals(&acc, &net, &v, &ttc));
	assert_int_equal(net, 1006 + 5 + 1999 + 1234 + 500);
	assert_int_equal(v, 201 + 1 + 110 + 26);
	assert_int_equal(ttc, net + v);
	assert_true(cpt_money_vat_acc_totals(&acc, NULL, &v, NULL));
	assert_int_equal(v, 338);
}

static void vat_acc_handles_belgian_rates_and_credit_lines(void **state)
{
	(void)state;
	cpt_money_vat_acc acc;
	cpt_money_vat_acc_init(&acc, CPT_MONEY_ENTRY_HT);
	assert_true(cpt_money_vat_acc_add(&acc, BE_NORMAL, 1000));
	assert_true(cpt_money_vat_acc_add(&acc, BE_REDUCED, 1999));
	assert_true(cpt_money_vat_acc_add(&acc, BE_INTERMEDIATE, 1234));
	assert_true(cpt_money_vat_acc_add(&acc, BE_NORMAL, -750)); /* returned item */
	/* 21 %: 2,50 -> 0,525 -> 0,53 */
	assert_subtotal(&acc, 0, BE_NORMAL, 250, 53, 303);
	assert_subtotal(&acc, 1, BE_INTERMEDIATE, 1234, 148, 1382);
	assert_subtotal(&acc, 2, BE_REDUCED, 1999, 120, 2119);

	/* A whole credit note mirrors its invoice to the cent. */
	cpt_money_vat_acc credit;
	cpt_money_vat_acc_init(&credit, CPT_MONEY_ENTRY_HT);
	assert_true(cpt_money_vat_acc_add(&credit, BE_NORMAL, -250));
	assert_subtotal(&credit, 0, BE_NORMAL, -250, -53, -303);
}

static void vat_acc_refuses_a_seventeenth_rate_and_overflow(void **state)
{
	(void)state;
	cpt_money_vat_acc acc;
	cpt_money_vat_acc_init(&acc, CPT_MONEY_ENTRY_HT);
	for (int64_t r = 0; r < CPT_MONEY_VAT_MAX_RATES; r++)
		assert_true(cpt_money_vat_acc_add(&acc, r * 100, 100));
	assert_false(cpt_money_vat_acc_add(&acc, 9999, 100));
	assert_int_equal(cpt_money_vat_acc_count(&acc), CPT_MONEY_VAT_MAX_RATES);
	/* A known rate still accumulates when the table is full. */
	assert_true(cpt_money_vat_acc_add(&acc, 0, 100));
	assert_subtotal(&acc, CPT_MONEY_VAT_MAX_RATES - 1, 0, 200, 0, 200);
	assert_subtotal(&acc, 0, 1500, 100, 15, 115);

	assert_false(cpt_money_vat_acc_add(&acc, -1, 100));
	assert_false(cpt_money_vat_acc_add(&acc, 10001, 100));

	cpt_money_vat_acc big;
	cpt_money_vat_acc_init(&big, CPT_MONEY_ENTRY_HT);
	assert_true(cpt_money_vat_acc_add(&big, FR_NORMAL, INT64_MAX));
	assert_false(cpt_money_vat_acc_add(&big, FR_NORMAL, 1));
	/* Net fits, net + VAT does not. */
	cpt_money_vat_subtotal s;
	assert_false(cpt_money_vat_acc_get(&big, 0, &s));
	int64_t v = 7;
	assert_false(cpt_money_vat_acc_totals(&big, NULL, &v, NULL));
	assert_int_equal(v, 7);

	/* Each rate fits; their sum does not. */
	cpt_money_vat_acc two;
	cpt_money_vat_acc_init(&two, CPT_MONEY_ENTRY_HT);
	assert_true(cpt_money_vat_acc_add(&two, 0, INT64_MAX));
	assert_true(cpt_money_vat_acc_add(&two, 100, INT64_MAX / 2));
	assert_false(cpt_money_vat_acc_totals(&two, NULL, NULL, NULL));
}

/* ==== TTC entry ========================================================= */

static void ttc_entry_splits_vat_out_of_tax_inclusive_amounts(void **state)
{
	(void)state;
	/* 12,00 TTC at 20 %: 12 x 20/120 = 2,00 */
	assert_int_equal(vat_from_ttc(1200, FR_NORMAL), 200);
	assert_int_equal(ht_from_ttc(1200, FR_NORMAL), 1000);
	/* 10,00 TTC at 20 %: 1,6667 -> 1,67; HT 8,33 */
	assert_int_equal(vat_from_ttc(1000, FR_NORMAL), 167);
	assert_int_equal(ht_from_ttc(1000, FR_NORMAL), 833);
	/* 10,00 TTC at 10 %: 0,90909 -> 0,91; HT 9,09 */
	assert_int_equal(vat_from_ttc(1000, FR_INTERMEDIATE), 91);
	assert_int_equal(ht_from_ttc(1000, FR_INTERMEDIATE), 909);
	/* 10,00 TTC at 5,5 %: 10 x 5,5/105,5 = 0,52133 -> 0,52; HT 9,48 */
	assert_int_equal(vat_from_ttc(1000, FR_REDUCED), 52);
	assert_int_equal(ht_from_ttc(1000, FR_REDUCED), 948);
	/* 10,00 TTC at 2,1 %: 10 x 2,1/102,1 = 0,20568 -> 0,21; HT 9,79 */
	assert_int_equal(vat_from_ttc(1000, FR_SUPER_REDUCED), 21);
	assert_int_equal(ht_from_ttc(1000, FR_SUPER_REDUCED), 979);
	assert_int_equal(vat_from_ttc(1000, 0), 0);
	assert_int_equal(ht_from_ttc(1000, 0), 1000);
	/* Belgium: 1,21 TTC at 21 % = 1,00 + 0,21; 11,20 at 12 % = 10,00 +
	 * 1,20; 10,60 at 6 % = 10,00 + 0,60 */
	assert_int_equal(ht_from_ttc(121, BE_NORMAL), 100);
	assert_int_equal(ht_from_ttc(1120, BE_INTERMEDIATE), 1000);
	assert_int_equal(ht_from_ttc(1060, BE_REDUCED), 1000);
	/* 9,99 TTC at 21 %: 9,99 x 21/121 = 1,73380 -> 1,73; HT 8,26 */
	assert_int_equal(vat_from_ttc(999, BE_NORMAL), 173);
	assert_int_equal(ht_from_ttc(999, BE_NORMAL), 826);
}

static void ttc_entry_rounds_vat_and_keeps_ht_plus_vat_equal_to_ttc(void **state)
{
	(void)state;
	/* 0,03 TTC at 20 %: VAT 0,005 -> 0,01, HT 0,02. Rounding the HT
	 * directly (0,025 -> 0,03) would leave no VAT at all. */
	assert_int_equal(vat_from_ttc(3, FR_NORMAL), 1);
	assert_int_equal(ht_from_ttc(3, FR_NORMAL), 2);
	assert_int_equal(vat_from_ttc(-3, FR_NORMAL), -1);
	assert_int_equal(ht_from_ttc(-3, FR_NORMAL), -2);

	for (int64_t ttc = -5000; ttc <= 5000; ttc += 7) {
		const int64_t rates[] = {
		    FR_NORMAL, FR_INTERMEDIATE, FR_REDUCED,	 FR_SUPER_REDUCED,
		    0,	       BE_NORMAL,	BE_INTERMEDIATE, BE_REDUCED};
		for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
			assert_int_equal(ht_from_ttc(ttc, rates[i]) + vat_from_ttc(ttc, rates[i]),
					 ttc);
	}
}

static void ttc_entry_takes_the_per_rate_ttc_sum_as_reference(void **state)
{
	(void)state;
	/* Three items at 9,99 TTC, 20 %. Per line: VAT 1,665 -> 1,67 and HT
	 * 8,32, so 5,01 + 24,96. On the sum: 29,97 / 6 = 4,995 -> 5,00 and
	 * HT 24,97. The customer paid 29,97 either way; we keep the latter. */
	assert_int_equal(3 * vat_from_ttc(999, FR_NORMAL), 501);

	cpt_money_vat_acc acc;
	cpt_money_vat_acc_init(&acc, CPT_MONEY_ENTRY_TTC);
	for (int i = 0; i < 3; i++)
		assert_true(cpt_money_vat_acc_add(&acc, FR_NORMAL, line_net(99900, 1000, 0)));
	/* Plus 2 x 1,05 TTC at 5,5 %: 2,10 x 5,5/105,5 = 0,10948 -> 0,11 */
	assert_true(cpt_money_vat_acc_add(&acc, FR_REDUCED, line_net(10500, 2000, 0)));
	assert_subtotal(&acc, 0, FR_NORMAL, 2497, 500, 2997);
	assert_subtotal(&acc, 1, FR_REDUCED, 199, 11, 210);

	int64_t net, v, ttc;
	assert_true(cpt_money_vat_acc_totals(&acc, &net, &v, &ttc));
	assert_int_equal(ttc, 3207); /* exactly what was rung up */
	assert_int_equal(v, 511);
	assert_int_equal(net, 2696);
}

/* ==== Formatting ======================================================== */

static void format_uses_french_separators(void **state)
{
	(void)state;
	char buf[CPT_MONEY_FORMAT_SIZE];
	assert_true(cpt_money_format(123456, buf, sizeof(buf)));
	assert_string_equal(buf, "1" NNBSP "234,56" NBSP EURO);
	assert_string_equal(buf, "1\xe2\x80\xaf"
				 "234,56\xc2\xa0\xe2\x82\xac");
	assert_true(cpt_money_format(-123456, buf, sizeof(buf)));
	assert_string_equal(buf, "-1" NNBSP "234,56" NBSP EURO);
	assert_true(cpt_money_format(0, buf, sizeof(buf)));
	assert_string_equal(buf, "0,00" NBSP EURO);
	assert_true(cpt_money_format(5, buf, sizeof(buf)));
	assert_string_equal(buf, "0,05" NBSP EURO);
	assert_true(cpt_money_format(-5, buf, sizeof(buf)));
	assert_string_equal(buf, "-0,05" NBSP EURO);
	assert_true(cpt_money_format(99999, buf, sizeof(buf)));
	assert_string_equal(buf, "999,99" NBSP EURO);
	assert_true(cpt_money_format(100000, buf, sizeof(buf)));
	assert_string_equal(buf, "1" NNBSP "000,00" NBSP EURO);
	assert_true(cpt_money_format(100000000, buf, sizeof(buf)));
	assert_string_equal(buf, "1" NNBSP "000" NNBSP "000,00" NBSP EURO);
	assert_true(cpt_money_format(INT64_MAX, buf, sizeof(buf)));
	assert_string_equal(buf, "92" NNBSP "233" NNBSP "720" NNBSP "368" NNBSP "547" NNBSP
				 "758,07" NBSP EURO);
	assert_true(cpt_money_format(INT64_MIN, buf, sizeof(buf)));
	assert_string_equal(buf, "-92" NNBSP "233" NNBSP "720" NNBSP "368" NNBSP "547" NNBSP
				 "758,08" NBSP EURO);
}

static void format_plain_omits_the_currency(void **state)
{
	(void)state;
	char buf[CPT_MONEY_FORMAT_SIZE];
	assert_true(cpt_money_format_plain(123456, buf, sizeof(buf)));
	assert_string_equal(buf, "1" NNBSP "234,56");
	assert_true(cpt_money_format_plain(-100, buf, sizeof(buf)));
	assert_string_equal(buf, "-1,00");
}

static void format_refuses_small_buffers_and_leaves_them_empty(void **state)
{
	(void)state;
	char buf[16];
	/* "1 234,56 €" is 1+3+6+2+3 = 15 bytes, plus the NUL. */
	assert_true(cpt_money_format(123456, buf, 16));
	memset(buf, 'x', sizeof(buf));
	assert_false(cpt_money_format(123456, buf, 15));
	assert_string_equal(buf, "");
	assert_false(cpt_money_format(123456, NULL, 0));
	assert_false(cpt_money_format_qty(1500, buf, 3)); /* "1,5" needs 4 */
	assert_string_equal(buf, "");
}

static void format_price_keeps_two_to_four_decimals(void **state)
{
	(void)state;
	char buf[CPT_MONEY_FORMAT_SIZE];
	assert_true(cpt_money_format_price(125000, buf, sizeof(buf)));
	assert_string_equal(buf, "12,50");
	assert_true(cpt_money_format_price(123450, buf, sizeof(buf)));
	assert_string_equal(buf, "12,345");
	assert_true(cpt_money_format_price(123456, buf, sizeof(buf)));
	assert_string_equal(buf, "12,3456");
	assert_true(cpt_money_format_price(0, buf, sizeof(buf)));
	assert_string_equal(buf, "0,00");
	assert_true(cpt_money_format_price(-5, buf, sizeof(buf)));
	assert_string_equal(buf, "-0,0005");
	assert_true(cpt_money_format_price(12345670000, buf, sizeof(buf)));
	assert_string_equal(buf, "1" NNBSP "234" NNBSP "567,00");
}

static void format_qty_trims_trailing_zeros(void **state)
{
	(void)state;
	char buf[CPT_MONEY_FORMAT_SIZE];
	assert_true(cpt_money_format_qty(1000, buf, sizeof(buf)));
	assert_string_equal(buf, "1");
	assert_true(cpt_money_format_qty(1500, buf, sizeof(buf)));
	assert_string_equal(buf, "1,5");
	assert_true(cpt_money_format_qty(1250, buf, sizeof(buf)));
	assert_string_equal(buf, "1,25");
	assert_true(cpt_money_format_qty(1, buf, sizeof(buf)));
	assert_string_equal(buf, "0,001");
	assert_true(cpt_money_format_qty(0, buf, sizeof(buf)));
	assert_string_equal(buf, "0");
	assert_true(cpt_money_format_qty(-2500, buf, sizeof(buf)));
	assert_string_equal(buf, "-2,5");
	assert_true(cpt_money_format_qty(1234567, buf, sizeof(buf)));
	assert_string_equal(buf, "1" NNBSP "234,567");
}

/* ==== Parsing =========================================================== */

static void parse_accepts_common_spellings(void **state)
{
	(void)state;
	assert_int_equal(parse("1234,56"), 123456);
	assert_int_equal(parse("1 234,56"), 123456);
	assert_int_equal(parse("1" NBSP "234,56"), 123456);
	assert_int_equal(parse("1" NNBSP "234,56"), 123456);
	assert_int_equal(parse("1234.5"), 123450);
	assert_int_equal(parse("-12"), -1200);
	assert_int_equal(parse("+3,1"), 310);
	assert_int_equal(parse("0,05"), 5);
	assert_int_equal(parse("-0"), 0);
	assert_int_equal(parse("12 €"), 1200);
	assert_int_equal(parse("12€"), 1200);
	assert_int_equal(parse("12,30" NBSP EURO), 1230);
	assert_int_equal(parse("-1 234 567,89 €"), -123456789);
	assert_int_equal(parse("  12,30  "), 1230);
	assert_int_equal(parse("1 000 000"), 100000000);
}

static void parse_rejects_garbage(void **state)
{
	(void)state;
	const char *bad[] = {
	    "",	       "   ",	 "€",	     "-",	 "+",	   "--1",	"1-",	  "- 1",
	    "abc",     "12a",	 "1,2,3",    "1.234,56", ",5",	   "12,",	"12,345", "0,001",
	    "1 23,45", "12 34",	 "1234 567", "1  234",	 "1 2345", "12 € 3",	"12 €€",  "€ 12",
	    "12 EUR",  "1\t234", "0x10",     "1e3",	 "12,3 4", "1 234 ,56",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t r = 7;
		if (cpt_money_parse(bad[i], &r))
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(r, 7);
	}
	int64_t r = 7;
	assert_false(cpt_money_parse(NULL, &r));
}

static void parse_rejects_overflow_but_reaches_the_limits(void **state)
{
	(void)state;
	int64_t r = 7;
	assert_int_equal(parse("92233720368547758,07"), INT64_MAX);
	assert_int_equal(parse("-92 233 720 368 547 758,08"), INT64_MIN);
	assert_false(cpt_money_parse("92233720368547758,08", &r));
	assert_false(cpt_money_parse("-92233720368547758,09", &r));
	assert_false(cpt_money_parse("184467440737095516,16", &r)); /* 2^64 cents */
	assert_false(cpt_money_parse("99999999999999999999999999", &r));
	assert_false(cpt_money_parse("922337203685477581", &r)); /* overflows on scaling */
	assert_int_equal(r, 7);
}

static void parse_price_and_qty_take_their_own_decimals(void **state)
{
	(void)state;
	int64_t r = 7;
	assert_int_equal(parse_price("12,3456"), 123456);
	assert_int_equal(parse_price("0,5"), 5000);
	assert_int_equal(parse_price("1 000,5 €"), 10005000);
	assert_int_equal(parse_price("-0.0001"), -1);
	assert_false(cpt_money_parse_price("12,34567", &r));
	assert_false(cpt_money_parse_price("", &r));

	assert_int_equal(parse_qty("1,5"), 1500);
	assert_int_equal(parse_qty("2"), 2000);
	assert_int_equal(parse_qty("0,001"), 1);
	assert_int_equal(parse_qty("-2,5"), -2500);
	assert_int_equal(parse_qty("1.234"), 1234); /* a decimal mark, not grouping */
	assert_int_equal(parse_qty("1 234,5"), 1234500);
	assert_false(cpt_money_parse_qty("1,0001", &r));
	assert_false(cpt_money_parse_qty("3 €", &r)); /* a quantity has no currency */
	assert_false(cpt_money_parse_qty("kg", &r));
	assert_int_equal(r, 7);
}

static void format_then_parse_round_trips(void **state)
{
	(void)state;
	const int64_t values[] = {0,
				  1,
				  -1,
				  5,
				  99,
				  100,
				  -100,
				  123456,
				  -123456,
				  99999,
				  100000,
				  999999999,
				  1000000000,
				  INT64_MAX,
				  INT64_MIN,
				  9223372036854775,
				  -9223372036854775};
	char buf[CPT_MONEY_FORMAT_SIZE];
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		int64_t v = values[i];
		assert_true(cpt_money_format(v, buf, sizeof(buf)));
		assert_int_equal(parse(buf), v);
		assert_true(cpt_money_format_plain(v, buf, sizeof(buf)));
		assert_int_equal(parse(buf), v);
		assert_true(cpt_money_format_price(v, buf, sizeof(buf)));
		assert_int_equal(parse_price(buf), v);
		assert_true(cpt_money_format_qty(v, buf, sizeof(buf)));
		assert_int_equal(parse_qty(buf), v);
	}
	/* And a sweep across the group boundaries, both signs. */
	for (int64_t v = -2000000; v <= 2000000; v += 997) {
		assert_true(cpt_money_format(v, buf, sizeof(buf)));
		assert_int_equal(parse(buf), v);
		assert_true(cpt_money_format_qty(v, buf, sizeof(buf)));
		assert_int_equal(parse_qty(buf), v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(div_round_rounds_half_away_from_zero_on_positives),
	    cmocka_unit_test(div_round_rounds_half_away_from_zero_on_negatives),
	    cmocka_unit_test(div_round_refuses_zero_divisor_and_overflow),
	    cmocka_unit_test(percent_rounds_half_away_from_zero),
	    cmocka_unit_test(add_sub_mul_detect_overflow),
	    cmocka_unit_test(percent_detects_overflow),
	    cmocka_unit_test(line_net_multiplies_price_and_quantity_to_cents),
	    cmocka_unit_test(line_net_applies_discount_before_rounding),
	    cmocka_unit_test(line_net_rounds_once_half_away_from_zero),
	    cmocka_unit_test(line_net_mirrors_for_negative_quantities_and_prices),
	    cmocka_unit_test(line_net_refuses_bad_discount_and_overflow),
	    cmocka_unit_test(vat_on_french_rates),
	    cmocka_unit_test(vat_on_belgian_rates),
	    cmocka_unit_test(vat_refuses_out_of_range_rates),
	    cmocka_unit_test(vat_is_computed_on_summed_nets_not_summed_line_vats),
	    cmocka_unit_test(vat_acc_groups_by_rate_in_decreasing_order),
	    cmocka_unit_test(vat_acc_handles_belgian_rates_and_credit_lines),
	    cmocka_unit_test(vat_acc_refuses_a_seventeenth_rate_and_overflow),
	    cmocka_unit_test(ttc_entry_splits_vat_out_of_tax_inclusive_amounts),
	    cmocka_unit_test(ttc_entry_rounds_vat_and_keeps_ht_plus_vat_equal_to_ttc),
	    cmocka_unit_test(ttc_entry_takes_the_per_rate_ttc_sum_as_reference),
	    cmocka_unit_test(format_uses_french_separators),
	    cmocka_unit_test(format_plain_omits_the_currency),
	    cmocka_unit_test(format_refuses_small_buffers_and_leaves_them_empty),
	    cmocka_unit_test(format_price_keeps_two_to_four_decimals),
	    cmocka_unit_test(format_qty_trims_trailing_zeros),
	    cmocka_unit_test(parse_accepts_common_spellings),
	    cmocka_unit_test(parse_rejects_garbage),
	    cmocka_unit_test(parse_rejects_overflow_but_reaches_the_limits),
	    cmocka_unit_test(parse_price_and_qty_take_their_own_decimals),
	    cmocka_unit_test(format_then_parse_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
