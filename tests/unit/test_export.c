/*
 * Unit tests for common/export.[ch]: the French text a list shows read back
 * as typed XLSX cells (or left as text when it does not read), and the two
 * writers: CSV with the shown text, XLSX with typed cells. The archive itself
 * is checked by test_xlsx; ZIP entries are stored, so the sheet's XML is
 * found here as is among the archive's bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "export.h"

#define NBSP "\xC2\xA0"
#define NNBSP "\xE2\x80\xAF"
#define BOM "\xEF\xBB\xBF"

static void assert_cell(cpt_xlsx_cell c, cpt_xlsx_type type, int64_t num, int scale)
{
	if (c.type != type || c.num != num || c.scale != scale)
		fail_msg("type %d num %" PRId64 " scale %d instead of type %d num %" PRId64
			 " scale %d",
			 c.type, c.num, c.scale, type, num, scale);
}

static void assert_text(cpt_column_type type, const char *text)
{
	cpt_xlsx_cell c = cpt_export_cell(type, 0, text);
	if (c.type != CPT_XLSX_TEXT || c.text != text)
		fail_msg("\"%s\" (column type %d) should stay text, got type %d", text, type,
			 c.type);
}

static void numbers_read_back_from_their_french_display(void **state)
{
	assert_cell(cpt_export_cell(CPT_COLUMN_INTEGER, 0, "1" NNBSP "234"), CPT_XLSX_INT, 1234, 0);
	assert_cell(cpt_export_cell(CPT_COLUMN_INTEGER, 0, "-3"), CPT_XLSX_INT, -3, 0);
	assert_text(CPT_COLUMN_INTEGER, "1,5");
	assert_text(CPT_COLUMN_INTEGER, "douze");

	/* Amounts are cents, with or without the currency. */
	assert_cell(cpt_export_cell(CPT_COLUMN_AMOUNT, 0, "1" NNBSP "234,50"), CPT_XLSX_DECIMAL,
		    123450, 2);
	assert_cell(cpt_export_cell(CPT_COLUMN_AMOUNT, 0, "-12,00" NBSP "€"), CPT_XLSX_DECIMAL,
		    -1200, 2);
	assert_cell(cpt_export_cell(CPT_COLUMN_AMOUNT, 0, "1 234,5"), CPT_XLSX_DECIMAL, 123450, 2);
	assert_text(CPT_COLUMN_AMOUNT, "12,345"); /* never rounded */
	assert_text(CPT_COLUMN_AMOUNT, "=1+1");

	/* Prices keep the decimals they show, at least two (or what the column says). */
	assert_cell(cpt_export_cell(CPT_COLUMN_PRICE, 0, "12,50"), CPT_XLSX_DECIMAL, 1250, 2);
	assert_cell(cpt_export_cell(CPT_COLUMN_PRICE, 0, "12,345"), CPT_XLSX_DECIMAL, 12345, 3);
	assert_cell(cpt_export_cell(CPT_COLUMN_PRICE, 0, "0,1234"), CPT_XLSX_DECIMAL, 1234, 4);
	assert_cell(cpt_export_cell(CPT_COLUMN_PRICE, 3, "12,50"), CPT_XLSX_DECIMAL, 12500, 3);
	assert_cell(cpt_export_cell(CPT_COLUMN_PRICE, 9, "12"), CPT_XLSX_DECIMAL, 120000, 4);
	assert_text(CPT_COLUMN_PRICE, "12,34567");

	assert_cell(cpt_export_cell(CPT_COLUMN_QUANTITY, 0, "2"), CPT_XLSX_DECIMAL, 2, 0);
	assert_cell(cpt_export_cell(CPT_COLUMN_QUANTITY, 0, "1,250"), CPT_XLSX_DECIMAL, 125, 2);
	assert_cell(cpt_export_cell(CPT_COLUMN_QUANTITY, 1, "3"), CPT_XLSX_DECIMAL, 30, 1);
	assert_text(CPT_COLUMN_QUANTITY, "3 €");

	/* A percentage is the fraction, with the decimals the percentage shows. */
	assert_cell(cpt_export_cell(CPT_COLUMN_PERCENT, 0, "20 %"), CPT_XLSX_PERCENT, 20, 2);
	assert_cell(cpt_export_cell(CPT_COLUMN_PERCENT, 0, "20%"), CPT_XLSX_PERCENT, 20, 2);
	assert_cell(cpt_export_cell(CPT_COLUMN_PERCENT, 0, "5,5" NBSP "%"), CPT_XLSX_PERCENT, 55,
		    3);
	assert_cell(cpt_export_cell(CPT_COLUMN_PERCENT, 0, "-0,25" NNBSP "% "), CPT_XLSX_PERCENT,
		    -25, 4);
	assert_cell(cpt_export_cell(CPT_COLUMN_PERCENT, 2, "20 %"), CPT_XLSX_PERCENT, 2000, 4);
	assert_text(CPT_COLUMN_PERCENT, "20");
	assert_text(CPT_COLUMN_PERCENT, "20 € %");
	assert_text(CPT_COLUMN_PERCENT, "20 %%");
	assert_text(CPT_COLUMN_PERCENT, "%");

	/* Text columns stay text, whatever they hold. */
	assert_text(CPT_COLUMN_TEXT, "1 234,50");
}

static void dates_read_back_when_excel_can_hold_them(void **state)
{
	cpt_xlsx_cell c = cpt_export_cell(CPT_COLUMN_DATE, 0, "22/11/2026");
	assert_int_equal(c.type, CPT_XLSX_DATE);
	assert_int_equal(c.year, 2026);
	assert_int_equal(c.month, 11);
	assert_int_equal(c.day, 22);
	c = cpt_export_cell(CPT_COLUMN_DATE, 0, " 01/03/1900 ");
	assert_int_equal(c.type, CPT_XLSX_DATE);
	assert_text(CPT_COLUMN_DATE, "28/02/1900"); /* before Excel's first sure day */
	assert_text(CPT_COLUMN_DATE, "29/02/2026");
	assert_text(CPT_COLUMN_DATE, "31/04/2026");
	assert_text(CPT_COLUMN_DATE, "1/2/2026");
	assert_text(CPT_COLUMN_DATE, "2026-11-22");
	assert_text(CPT_COLUMN_DATE, "22/11/2026 14:03");
	assert_text(CPT_COLUMN_DATE, "22/11/26");
}

static void empty_text_is_an_empty_cell(void **state)
{
	for (int t = CPT_COLUMN_TEXT; t <= CPT_COLUMN_DATE; t++) {
		assert_int_equal(cpt_export_cell((cpt_column_type)t, 0, "").type, CPT_XLSX_EMPTY);
		assert_int_equal(cpt_export_cell((cpt_column_type)t, 0, NULL).type, CPT_XLSX_EMPTY);
	}
}

static const cpt_export_column columns[] = {
    {"Code", CPT_COLUMN_TEXT, 0},     {"Raison sociale", CPT_COLUMN_TEXT, 0},
    {"Solde", CPT_COLUMN_AMOUNT, 0},  {"TVA", CPT_COLUMN_PERCENT, 0},
    {"Échéance", CPT_COLUMN_DATE, 0},
};

static const char *const rows[][5] = {
    {"C001", "École élémentaire Lumière", "1" NNBSP "234,50", "20" NBSP "%", "22/11/2026"},
    {"C002", "=HYPERLINK(\"http://x\")", "-12,00", "5,5" NBSP "%", ""},
    {"C003", "Dupont; fils", "pas un montant", NULL, "31/02/2026"},
};

static cpt_export *sample(cpt_export_format format)
{
	cpt_export *e = cpt_export_new(format, "Clients", columns, G_N_ELEMENTS(columns));
	cpt_status st = CPT_STATUS_OK;

	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
		assert_int_equal(cpt_export_add_row(e, rows[i], &st), CPT_OK);
	/* A row that is not UTF-8 is refused and leaves nothing. */
	const char *latin1[] = {"C004", "Caf\xE9", "", "", ""};
	assert_int_equal(cpt_export_add_row(e, latin1, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "export");
	assert_string_equal(st.message, "ligne 4, colonne 2 : texte non UTF-8");
	assert_int_equal(cpt_export_row_count(e), 3);
	return e;
}

static void csv_keeps_the_shown_text(void **state)
{
	g_autoptr(GBytes) bytes = cpt_export_finish(sample(CPT_EXPORT_CSV));
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	g_autofree char *text = g_strndup(data, len);
	assert_string_equal(
	    text, BOM "Code;Raison sociale;Solde;TVA;Échéance\r\n"
		      "C001;École élémentaire Lumière;1" NNBSP "234,50;20" NBSP "%;22/11/2026\r\n"
		      /* A formula is written as text; a negative amount is not. */
		      "C002;\"'=HYPERLINK(\"\"http://x\"\")\";-12,00;5,5" NBSP "%;\r\n"
		      "C003;\"Dupont; fils\";pas un montant;;31/02/2026\r\n");
}

static bool has(const char *data, size_t len, const char *part)
{
	return memmem(data, len, part, strlen(part)) != NULL;
}

static void xlsx_types_the_cells(void **state)
{
	g_autoptr(GBytes) bytes = cpt_export_finish(sample(CPT_EXPORT_XLSX));
	gsize len;
	const char *z = g_bytes_get_data(bytes, &len);
#define INLINE(ref, s)                                                                             \
	"<c r=\"" ref "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">" s "</t></is></c>"
	assert_true(has(z, len, "<sheet name=\"Clients\""));
	assert_true(has(z, len,
			"<c r=\"E1\" s=\"1\" t=\"inlineStr\"><is><t "
			"xml:space=\"preserve\">Échéance</t></is></c>"));
	assert_true(has(
	    z, len,
	    "<row r=\"2\">" INLINE("A2", "C001")
		INLINE("B2", "École élémentaire Lumière") "<c r=\"C2\" s=\"5\"><v>1234.50</v></c>"
							  "<c r=\"D2\" s=\"10\"><v>0.20</v></c>"
							  "<c r=\"E2\" s=\"2\"><v>46348</v></c>"
							  "</row>"));
	/* In a sheet a formula is only text; an empty cell is left out. */
	assert_true(has(
	    z, len,
	    "<row r=\"3\">" INLINE("A3", "C002")
		INLINE("B3", "=HYPERLINK(&quot;http://x&quot;)") "<c r=\"C3\" s=\"5\"><v>-12.00</v>"
								 "</c><c r=\"D3\" s=\"11\"><v>"
								 "0.055</v></c></row>"));
	/* What does not read as its type stays as shown. */
	assert_true(has(z, len,
			"<row r=\"4\">" INLINE("A4", "C003") INLINE("B4", "Dupont; fils")
			    INLINE("C4", "pas un montant") INLINE("E4", "31/02/2026") "</row>"));
	assert_false(has(z, len, "<row r=\"5\""));
	assert_true(has(z, len, "<autoFilter ref=\"A1:E4\"/>"));
	assert_true(has(z, len, "<col min=\"2\" max=\"2\" width=\"20.00\" customWidth=\"1\"/>"));
#undef INLINE
}

static void free_accepts_an_abandoned_export(void **state)
{
	cpt_export_free(sample(CPT_EXPORT_XLSX));
	cpt_export_free(sample(CPT_EXPORT_CSV));
	cpt_export_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(numbers_read_back_from_their_french_display),
	    cmocka_unit_test(dates_read_back_when_excel_can_hold_them),
	    cmocka_unit_test(empty_text_is_an_empty_cell),
	    cmocka_unit_test(csv_keeps_the_shown_text),
	    cmocka_unit_test(xlsx_types_the_cells),
	    cmocka_unit_test(free_accepts_an_abandoned_export),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
