/*
 * Unit tests for server/xmlw.[ch]: escaping, what XML 1.0 cannot carry,
 * blank leaves left out, empty elements, indentation, unbalanced documents,
 * and the decimal and date formatters the e-invoices rely on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "xmlw.h"

static char *finish(cpt_xmlw *w)
{
	GBytes *b = cpt_xmlw_finish(w);
	assert_non_null(b);
	gsize len;
	const char *data = g_bytes_get_data(b, &len);
	char *s = g_strndup(data, len);
	g_bytes_unref(b);
	return s;
}

static void writes_nested_elements_indented_with_escaped_text(void **state)
{
	cpt_xmlw w;
	cpt_xmlw_init(&w);
	cpt_xmlw_open(&w, "a");
	cpt_xmlw_attr(&w, "x", "1 \"2\" & <3>");
	cpt_xmlw_leaf(&w, "b", "Dupont & Fils <SARL> \"Lyon\"");
	cpt_xmlw_leaf_attr(&w, "c", "unitCode", "HUR", "7.5");
	cpt_xmlw_open(&w, "d");
	cpt_xmlw_close(&w);
	cpt_xmlw_close(&w);
	g_autofree char *s = finish(&w);
	assert_string_equal(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			       "<a x=\"1 &quot;2&quot; &amp; &lt;3&gt;\">\n"
			       "  <b>Dupont &amp; Fils &lt;SARL&gt; \"Lyon\"</b>\n"
			       "  <c unitCode=\"HUR\">7.5</c>\n"
			       "  <d/>\n"
			       "</a>\n");
}

static void blank_leaves_are_left_out(void **state)
{
	cpt_xmlw w;
	cpt_xmlw_init(&w);
	cpt_xmlw_open(&w, "a");
	cpt_xmlw_leaf(&w, "b", "");
	cpt_xmlw_leaf(&w, "c", " \n\t");
	cpt_xmlw_leaf(&w, "d", NULL);
	cpt_xmlw_leaf_attr(&w, "e", "schemeID", "", "x");
	cpt_xmlw_close(&w);
	g_autofree char *s = finish(&w);
	assert_string_equal(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			       "<a>\n  <e>x</e>\n</a>\n");
	assert_true(cpt_xmlw_blank(" \t"));
	assert_false(cpt_xmlw_blank(" x"));
}

static void controls_are_dropped_and_bad_utf8_repaired(void **state)
{
	cpt_xmlw w;
	cpt_xmlw_init(&w);
	cpt_xmlw_leaf(&w, "a", "l1\r\nl2\x01\x1f\tend \xC3\xA9 \xFF!");
	g_autofree char *s = finish(&w);
	assert_string_equal(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			       "<a>l1\nl2\tend \xC3\xA9 \xEF\xBF\xBD!</a>\n");
}

static void unbalanced_documents_give_nothing(void **state)
{
	cpt_xmlw w;
	cpt_xmlw_init(&w);
	cpt_xmlw_open(&w, "a");
	assert_null(cpt_xmlw_finish(&w));

	cpt_xmlw_init(&w);
	cpt_xmlw_close(&w);
	assert_null(cpt_xmlw_finish(&w));

	cpt_xmlw_init(&w);
	cpt_xmlw_open(&w, "a");
	cpt_xmlw_leaf(&w, "b", "x");
	cpt_xmlw_attr(&w, "late", "1"); /* after content */
	cpt_xmlw_close(&w);
	assert_null(cpt_xmlw_finish(&w));

	cpt_xmlw_init(&w);
	for (int i = 0; i <= CPT_XMLW_MAX_DEPTH; i++)
		cpt_xmlw_open(&w, "deep");
	assert_null(cpt_xmlw_finish(&w));
	cpt_xmlw_clear(&w);
}

static void assert_decimal(int64_t value, int scale, int min, const char *expected)
{
	char buf[CPT_XMLW_NUM_SIZE];
	assert_true(cpt_xmlw_decimal(value, scale, min, buf, sizeof buf));
	assert_string_equal(buf, expected);
}

static void numbers_are_xs_decimals_with_the_needed_decimals(void **state)
{
	char buf[CPT_XMLW_NUM_SIZE];
	assert_true(cpt_xmlw_cents(123456, buf, sizeof buf));
	assert_string_equal(buf, "1234.56");
	assert_true(cpt_xmlw_cents(-5, buf, sizeof buf));
	assert_string_equal(buf, "-0.05");
	assert_true(cpt_xmlw_cents(0, buf, sizeof buf));
	assert_string_equal(buf, "0.00");
	assert_true(cpt_xmlw_qty(7500, buf, sizeof buf));
	assert_string_equal(buf, "7.5");
	assert_true(cpt_xmlw_qty(2000, buf, sizeof buf));
	assert_string_equal(buf, "2");
	assert_true(cpt_xmlw_qty(-125, buf, sizeof buf));
	assert_string_equal(buf, "-0.125");
	assert_true(cpt_xmlw_price(125000, buf, sizeof buf));
	assert_string_equal(buf, "12.50");
	assert_true(cpt_xmlw_price(123456, buf, sizeof buf));
	assert_string_equal(buf, "12.3456");
	assert_true(cpt_xmlw_rate(550, buf, sizeof buf));
	assert_string_equal(buf, "5.50");
	assert_decimal(12024075000, 8, 2, "120.24075");
	assert_decimal(INT64_MIN, 2, 2, "-92233720368547758.08");
	assert_decimal(INT64_MAX, 18, 0, "9.223372036854775807");
	assert_false(cpt_xmlw_decimal(1, 19, 0, buf, sizeof buf));
	assert_false(cpt_xmlw_decimal(1, 2, 3, buf, sizeof buf));
	assert_false(cpt_xmlw_cents(123456, buf, 7));
	assert_string_equal(buf, "");
}

static void dates_in_both_formats(void **state)
{
	char buf[CPT_XMLW_DATE_SIZE];
	assert_true(cpt_xmlw_date_102((cpt_date){2025, 1, 31}, buf, sizeof buf));
	assert_string_equal(buf, "20250131");
	assert_true(cpt_xmlw_date_iso((cpt_date){2024, 2, 29}, buf, sizeof buf));
	assert_string_equal(buf, "2024-02-29");
	assert_false(cpt_xmlw_date_iso((cpt_date){2025, 2, 29}, buf, sizeof buf));
	assert_string_equal(buf, "");
	assert_false(cpt_xmlw_date_102((cpt_date){0, 0, 0}, buf, sizeof buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(writes_nested_elements_indented_with_escaped_text),
	    cmocka_unit_test(blank_leaves_are_left_out),
	    cmocka_unit_test(controls_are_dropped_and_bad_utf8_repaired),
	    cmocka_unit_test(unbalanced_documents_give_nothing),
	    cmocka_unit_test(numbers_are_xs_decimals_with_the_needed_decimals),
	    cmocka_unit_test(dates_in_both_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
