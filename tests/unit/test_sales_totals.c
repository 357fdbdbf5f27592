/*
 * A sales document's amounts against totals computed by hand: prices
 * entered HT and TTC, several rates, line and document discounts, subtotals,
 * and the HT of a TTC document spread over its lines to the cent.
 */
#include "sales_totals.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static cpt_sales_line item(int64_t qty, int64_t price, int64_t discount, int64_t rate)
{
	cpt_sales_line l = {.kind = CPT_SALES_ITEM,
			    .quantity = qty,
			    .unit_price = price,
			    .discount = discount,
			    .vat_rate = rate};
	strcpy(l.vat_category, rate ? "S" : "Z");
	return l;
}

static void ht_entry_with_two_rates_line_and_document_discounts(void **state)
{
	cpt_sales_line l[] = {
	    item(3000, 123456, 0, 2000),    /* 3 × 12,3456 = 37,0368 → 37,04 */
	    item(1500, 999900, 1000, 2000), /* 1,5 × 99,99 − 10 % = 134,9865 → 134,99 */
	    item(2000, 45500, 0, 550),	    /* 2 × 4,55 = 9,10 */
	};
	cpt_sales_totals t;
	long bad;
	assert_true(cpt_sales_compute(l, 3, false, 500, &t, &bad));
	assert_int_equal(l[0].amount, 3704);
	assert_int_equal(l[1].amount, 13499);
	assert_int_equal(l[2].net, 910);
	/* 20 %: 172,03 − 5 % (8,6015 → 8,60) = 163,43; VAT 32,686 → 32,69. */
	assert_int_equal(t.n_groups, 2);
	assert_int_equal(t.groups[0].rate, 2000);
	assert_int_equal(t.groups[0].lines_net, 17203);
	assert_int_equal(t.groups[0].discount, 860);
	assert_int_equal(t.groups[0].base, 16343);
	assert_int_equal(t.groups[0].vat, 3269);
	/* 5,5 %: 9,10 − 0,455 → 0,46 = 8,64; VAT 0,4752 → 0,48. */
	assert_int_equal(t.groups[1].discount, 46);
	assert_int_equal(t.groups[1].base, 864);
	assert_int_equal(t.groups[1].vat, 48);
	assert_int_equal(t.lines_net, 18113);
	assert_int_equal(t.discount_amount, 906);
	assert_int_equal(t.net_total, 17207);
	assert_int_equal(t.vat_total, 3317);
	assert_int_equal(t.gross_total, 20524);
}

static void ttc_entry_keeps_what_the_customer_saw_and_spreads_the_ht(void **state)
{
	cpt_sales_line l[] = {
	    item(1000, 199900, 0, 2000), /* 19,99 TTC */
	    item(3000, 50000, 0, 2000),	 /* 15,00 TTC */
	    item(1000, 105500, 0, 550),	 /* 10,55 TTC */
	};
	cpt_sales_totals t;
	long bad;
	assert_true(cpt_sales_compute(l, 3, true, 0, &t, &bad));
	/* 20 %: 34,99 TTC holds 5,8317 → 5,83 of VAT: 29,16 HT. */
	assert_int_equal(t.groups[0].vat, 583);
	assert_int_equal(t.groups[0].base, 2916);
	/* Spread in proportion: 16,659… and 12,500… → 16,66 and 12,50. */
	assert_int_equal(l[0].net, 1666);
	assert_int_equal(l[1].net, 1250);
	/* 5,5 %: 10,55 holds exactly 0,55. */
	assert_int_equal(t.groups[1].vat, 55);
	assert_int_equal(l[2].net, 1000);
	assert_int_equal(t.lines_net, 3916);
	assert_int_equal(t.net_total, 3916);
	assert_int_equal(t.vat_total, 638);
	assert_int_equal(t.gross_total, 4554); /* 19,99 + 15,00 + 10,55 */
}

static void ttc_entry_with_a_document_discount(void **state)
{
	cpt_sales_line l[] = {item(1000, 1000000, 0, 2000)}; /* 100,00 TTC */
	cpt_sales_totals t;
	long bad;
	assert_true(cpt_sales_compute(l, 1, true, 1000, &t, &bad));
	/* 90,00 TTC paid: 15,00 of VAT, 75,00 HT; 100 TTC was 83,33 HT. */
	assert_int_equal(t.gross_total, 9000);
	assert_int_equal(t.vat_total, 1500);
	assert_int_equal(t.net_total, 7500);
	assert_int_equal(t.lines_net, 8333);
	assert_int_equal(t.discount_amount, 833);
	assert_int_equal(l[0].net, 8333);
}

static void ttc_entry_with_line_discounts(void **state)
{
	cpt_sales_line l[] = {
	    item(2000, 599000, 1000, 2000), /* 2 × 59,90 TTC − 10 % = 107,82 */
	    item(1000, 249900, 500, 550),   /* 24,99 TTC − 5 % = 23,7405 → 23,74 */
	};
	cpt_sales_totals t;
	long bad;
	assert_true(cpt_sales_compute(l, 2, true, 0, &t, &bad));
	assert_int_equal(l[0].amount, 10782);
	assert_int_equal(l[1].amount, 2374);
	/* 20 %: 107,82 holds 17,97 exactly; 89,85 HT. */
	assert_int_equal(t.groups[0].vat, 1797);
	assert_int_equal(t.groups[0].base, 8985);
	assert_int_equal(l[0].net, 8985);
	/* 5,5 %: 23,74 × 5,5 / 105,5 = 1,2376 → 1,24; 22,50 HT. */
	assert_int_equal(t.groups[1].vat, 124);
	assert_int_equal(l[1].net, 2250);
	assert_int_equal(t.net_total, 11235);
	assert_int_equal(t.vat_total, 1921);
	assert_int_equal(t.gross_total, 13156); /* what the customer saw: 107,82 + 23,74 */
}

static void many_lines_add_up_exactly_both_ways(void **state)
{
	enum { N = 97 };
	cpt_sales_line l[N];
	for (int i = 0; i < N; i++) {
		l[i] = item(1000 + i * 333, 10000 + i * 7777, (i % 4) * 250,
			    (int64_t[]){2000, 1000, 550, 0}[i % 4]);
	}
	for (int ttc = 0; ttc < 2; ttc++) {
		cpt_sales_totals t;
		long bad;
		assert_true(cpt_sales_compute(l, N, ttc, 375, &t, &bad));
		int64_t nets = 0;
		for (int i = 0; i < N; i++) {
			nets += l[i].net;
		}
		assert_int_equal(nets, t.lines_net); /* BR-CO-10 */
		int64_t base = 0, vat = 0;
		for (size_t g = 0; g < t.n_groups; g++) {
			assert_int_equal(t.groups[g].lines_net - t.groups[g].discount,
					 t.groups[g].base);
			base += t.groups[g].base;
			vat += t.groups[g].vat;
		}
		assert_int_equal(base, t.net_total);
		assert_int_equal(t.lines_net - t.discount_amount, t.net_total);
		assert_int_equal(base + vat, t.gross_total);
		assert_int_equal(t.n_groups, 4);
	}
}

static void sections_and_subtotals(void **state)
{
	cpt_sales_line l[6] = {{.kind = CPT_SALES_SECTION}, item(1000, 100000, 0, 2000),
			       item(2000, 50000, 0, 2000),  {.kind = CPT_SALES_SUBTOTAL},
			       item(1000, 30000, 0, 2000),  {.kind = CPT_SALES_SUBTOTAL}};
	cpt_sales_totals t;
	long bad;
	assert_true(cpt_sales_compute(l, 6, false, 0, &t, &bad));
	assert_int_equal(l[3].subtotal, 2000);
	assert_int_equal(l[5].subtotal, 300);
	assert_int_equal(t.lines_net, 2300);
}

static void eco_contribution_is_counted_apart(void **state)
{
	cpt_sales_line l[] = {item(2000, 500000, 0, 2000)};
	l[0].eco_contribution = 25000; /* 2,50 € per unit, in the price */
	cpt_sales_totals t;
	long bad;
	assert_true(cpt_sales_compute(l, 1, false, 0, &t, &bad));
	assert_int_equal(t.eco_total, 500);
	assert_int_equal(t.lines_net, 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ht_entry_with_two_rates_line_and_document_discounts),
	    cmocka_unit_test(ttc_entry_keeps_what_the_customer_saw_and_spreads_the_ht),
	    cmocka_unit_test(ttc_entry_with_a_document_discount),
	    cmocka_unit_test(ttc_entry_with_line_discounts),
	    cmocka_unit_test(many_lines_add_up_exactly_both_ways),
	    cmocka_unit_test(sections_and_subtotals),
	    cmocka_unit_test(eco_contribution_is_counted_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
