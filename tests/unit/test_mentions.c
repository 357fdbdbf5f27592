/*
 * Unit tests for common/mentions.[ch]: the late-payment penalty sentence
 * the documents print and the company settings preview.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mentions.h"

static void penalty_is_the_ecb_rate_plus_the_margin_above_the_floor(void **state)
{
	char buf[CPT_MENTION_SIZE];
	bool floor = true;
	/* The defaults: 2,15 % + 10 points = 12,15 %, above 3 x 3,16 % = 9,48 %. */
	assert_int_equal(cpt_mention_penalty_rate("FR", 215, 1000, 316, &floor), 1215);
	assert_false(floor);
	assert_true(cpt_mention_late_penalty("FR", 215, 1000, 316, buf, sizeof buf));
	assert_string_equal(buf, "Pénalités de retard : 12,15 % l'an (taux de la BCE majoré de "
				 "10,00 points), exigibles dès le lendemain de l'échéance.");
	/* 8 points instead of 10. */
	assert_true(cpt_mention_late_penalty("FR", 215, 800, 316, buf, sizeof buf));
	assert_non_null(strstr(buf, "10,15 % l'an (taux de la BCE majoré de 8,00 points)"));
}

static void belgium_takes_the_ecb_rate_plus_its_margin_with_no_french_floor(void **state)
{
	char buf[CPT_MENTION_SIZE];
	bool floor = true;
	/* 2,15 % + 8 points = 10,15 %, rounded up to the half point: 10,50 %. */
	assert_true(cpt_mention_late_penalty("BE", 215, 800, 316, buf, sizeof buf));
	assert_string_equal(buf,
			    "Intérêts de retard : 10,50 % l'an (taux de la BCE majoré de "
			    "8,00 points, arrondi au demi-point supérieur, loi du 2 août 2002), "
			    "dus de plein droit dès le lendemain de l'échéance.");
	assert_int_equal(cpt_mention_penalty_rate("BE", 315, 800, 316, NULL), 1150);
	assert_int_equal(cpt_mention_penalty_rate("BE", 400, 800, 316, NULL), 1200); /* even */
	assert_int_equal(cpt_mention_penalty_rate("BE", 401, 800, 316, NULL), 1250);
	/* 0 + 5 points stays 5 %: three times the French legal rate is not Belgian law. */
	assert_int_equal(cpt_mention_penalty_rate("BE", 0, 500, 316, &floor), 500);
	assert_false(floor);
	assert_int_equal(cpt_mention_penalty_rate("FR", 0, 500, 316, &floor), 948);
	assert_true(floor);
}

static void penalty_never_falls_below_three_times_the_legal_rate(void **state)
{
	char buf[CPT_MENTION_SIZE];
	bool floor = false;
	/* 0 + 5 points = 5 % is below 3 x 3,16 % = 9,48 %. */
	assert_int_equal(cpt_mention_penalty_rate("FR", 0, 500, 316, &floor), 948);
	assert_true(floor);
	assert_true(cpt_mention_late_penalty("FR", 0, 500, 316, buf, sizeof buf));
	assert_string_equal(buf, "Pénalités de retard : 9,48 % l'an (trois fois le taux d'intérêt "
				 "légal), exigibles dès le lendemain de l'échéance.");
	/* Equal to the floor: the ECB rule is the one applied. */
	assert_int_equal(cpt_mention_penalty_rate("FR", 448, 500, 316, &floor), 948);
	assert_false(floor);
	assert_int_equal(cpt_mention_penalty_rate("FR", 448, 500, 316, NULL), 948);
}

static void penalty_sentence_takes_the_largest_rates_and_refuses_a_short_buffer(void **state)
{
	char buf[CPT_MENTION_SIZE], tiny[16] = "junk";
	assert_true(cpt_mention_late_penalty("FR", 10000, 10000, 0, buf, sizeof buf));
	assert_non_null(strstr(buf, "200,00 % l'an (taux de la BCE majoré de 100,00 points)"));
	assert_true(cpt_mention_late_penalty("FR", 0, 0, 10000, buf, sizeof buf));
	assert_non_null(strstr(buf, "300,00 % l'an (trois fois"));
	assert_false(cpt_mention_late_penalty("FR", 215, 1000, 316, tiny, sizeof tiny));
	assert_string_equal(tiny, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(penalty_is_the_ecb_rate_plus_the_margin_above_the_floor),
	    cmocka_unit_test(penalty_never_falls_below_three_times_the_legal_rate),
	    cmocka_unit_test(belgium_takes_the_ecb_rate_plus_its_margin_with_no_french_floor),
	    cmocka_unit_test(penalty_sentence_takes_the_largest_rates_and_refuses_a_short_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
