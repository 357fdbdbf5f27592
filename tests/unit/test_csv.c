/*
 * Unit tests for reading with common/csv.[ch]: RFC 4180 with its line
 * numbers, every refusal and its message, the limits and the accent-blind
 * column lookup. Writing is tested in test_csv_write.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "csv.h"

#define BOM "\xEF\xBB\xBF"
#define NBSP "\xC2\xA0"
#define NNBSP "\xE2\x80\xAF"

/* Parses a NUL-terminated text, failing the test if it is refused. */
static cpt_csv *parse_ok(const char *text, char sep)
{
	cpt_csv *csv = NULL;
	cpt_status st = CPT_STATUS_OK;
	unsigned line = 99;
	int rc = cpt_csv_parse(text, strlen(text), sep, &csv, &line, &st);

	if (rc != CPT_OK)
		fail_msg("refused: %s", st.message);
	assert_int_equal(st.code, CPT_OK);
	assert_int_equal(line, 0);
	assert_non_null(csv);
	return csv;
}

/* Fails the test unless len bytes of data are refused on field "csv" at line
 * with exactly the message expected, and no table is returned. */
static void assert_refused_len(const char *data, size_t len, char sep, unsigned line,
			       const char *expected)
{
	cpt_csv *csv = (cpt_csv *)&csv; /* junk, must be cleared */
	cpt_status st = CPT_STATUS_OK;
	unsigned err_line = 0;

	assert_int_equal(cpt_csv_parse(data, len, sep, &csv, &err_line, &st), CPT_INVALID_ARGUMENT);
	assert_null(csv);
	assert_int_equal(st.code, CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "csv");
	assert_string_equal(st.message, expected);
	assert_int_equal(err_line, line);
}

static void assert_refused(const char *text, unsigned line, const char *expected)
{
	assert_refused_len(text, strlen(text), 0, line, expected);
}

/* ==== Reading =========================================================== */

static void parse_reads_a_french_spreadsheet_export(void **state)
{
	cpt_csv *csv = parse_ok(BOM "Code;Nom;Ville;Montant\r\n"
				    "C001;Café de la Gare;Lyon;1 234,56\r\n"
				    "C002;Boulangerie Émile;Saint-Étienne;-12,50\r\n",
				0);

	assert_int_equal(cpt_csv_separator(csv), ';');
	assert_int_equal(cpt_csv_columns(csv), 4);
	assert_int_equal(cpt_csv_rows(csv), 2);
	assert_string_equal(cpt_csv_header(csv, 0), "Code"); /* BOM skipped */
	assert_string_equal(cpt_csv_header(csv, 3), "Montant");
	assert_string_equal(cpt_csv_cell(csv, 0, 1), "Café de la Gare");
	assert_string_equal(cpt_csv_cell(csv, 1, 2), "Saint-Étienne");
	assert_string_equal(cpt_csv_cell(csv, 1, 3), "-12,50");
	assert_int_equal(cpt_csv_row_line(csv, 0), 2);
	assert_int_equal(cpt_csv_row_line(csv, 1), 3);
	cpt_csv_free(csv);
}

static void parse_detects_the_separator_from_the_header_line(void **state)
{
	/* ';' wins over ',' (decimal commas in French headers and data). */
	cpt_csv *csv = parse_ok("Prix, HT;Taux\n1,50;20\n", 0);
	assert_int_equal(cpt_csv_separator(csv), ';');
	assert_string_equal(cpt_csv_header(csv, 0), "Prix, HT");
	cpt_csv_free(csv);

	csv = parse_ok("a,b,c\n1,2,3\n", 0);
	assert_int_equal(cpt_csv_separator(csv), ',');
	assert_int_equal(cpt_csv_columns(csv), 3);
	cpt_csv_free(csv);

	csv = parse_ok("a\tb\n1\t2\n", 0);
	assert_int_equal(cpt_csv_separator(csv), '\t');
	assert_string_equal(cpt_csv_cell(csv, 0, 1), "2");
	cpt_csv_free(csv);

	/* Separators inside quotes do not count; the header ends at its line. */
	csv = parse_ok("\"a;b\",c\n1,2\n3;4,5\n", 0);
	assert_int_equal(cpt_csv_separator(csv), ',');
	assert_string_equal(cpt_csv_header(csv, 0), "a;b");
	assert_string_equal(cpt_csv_cell(csv, 1, 0), "3;4");
	cpt_csv_free(csv);

	/* One column: nothing to detect, commas in data stay data. */
	csv = parse_ok("Nom\nDupont, Jean\n", 0);
	assert_int_equal(cpt_csv_columns(csv), 1);
	assert_string_equal(cpt_csv_cell(csv, 0, 0), "Dupont, Jean");
	cpt_csv_free(csv);

	/* A separator given is used as is. */
	csv = parse_ok("a;b,c\n1;2,3\n", ',');
	assert_int_equal(cpt_csv_columns(csv), 2);
	assert_string_equal(cpt_csv_header(csv, 0), "a;b");
	cpt_csv_free(csv);
}

static void parse_unquotes_separators_quotes_and_line_breaks(void **state)
{
	cpt_csv *csv = parse_ok("Réf;Libellé;Note\r\n"
				"1;\"Vis 5\"\" inox\";\"a;b\"\r\n"
				"2;\"Ligne 1\r\nLigne 2\nLigne 3\";\"\"\r\n"
				"3;\"\";\"\"\"\"\r\n"
				"4;\" espacé \";x\r\n",
				0);

	assert_int_equal(cpt_csv_rows(csv), 4);
	assert_string_equal(cpt_csv_cell(csv, 0, 1), "Vis 5\" inox");
	assert_string_equal(cpt_csv_cell(csv, 0, 2), "a;b");
	assert_string_equal(cpt_csv_cell(csv, 1, 1), "Ligne 1\r\nLigne 2\nLigne 3");
	assert_string_equal(cpt_csv_cell(csv, 1, 2), "");
	assert_string_equal(cpt_csv_cell(csv, 2, 1), "");
	assert_string_equal(cpt_csv_cell(csv, 2, 2), "\"");
	assert_string_equal(cpt_csv_cell(csv, 3, 1), " espacé ");
	/* Physical lines: record 2 spans lines 3 to 5. */
	assert_int_equal(cpt_csv_row_line(csv, 0), 2);
	assert_int_equal(cpt_csv_row_line(csv, 1), 3);
	assert_int_equal(cpt_csv_row_line(csv, 2), 6);
	assert_int_equal(cpt_csv_row_line(csv, 3), 7);
	cpt_csv_free(csv);
}

static void parse_counts_lines_after_a_multiline_header(void **state)
{
	cpt_csv *csv = parse_ok("\"Nom\ncomplet\";Ville\nA;B\n", 0);
	assert_string_equal(cpt_csv_header(csv, 0), "Nom\ncomplet");
	assert_int_equal(cpt_csv_row_line(csv, 0), 3);
	cpt_csv_free(csv);
	assert_refused("\"Nom\ncomplet\";Ville\nA;B\nC\n", 4, "ligne 4 : 1 colonne au lieu de 2");
}

static void parse_accepts_lf_crlf_and_a_missing_final_line_end(void **state)
{
	cpt_csv *csv = parse_ok("a;b\n1;2\r\n3;4", 0);
	assert_int_equal(cpt_csv_rows(csv), 2);
	assert_string_equal(cpt_csv_cell(csv, 1, 1), "4");
	cpt_csv_free(csv);

	csv = parse_ok("a;b\r\n1;\"2\"", 0);
	assert_string_equal(cpt_csv_cell(csv, 0, 1), "2");
	cpt_csv_free(csv);
}

static void parse_keeps_empty_fields(void **state)
{
	cpt_csv *csv = parse_ok("a;b;c\n;;\n1;;\n;;3", 0);
	assert_int_equal(cpt_csv_rows(csv), 3);
	for (size_t c = 0; c < 3; c++)
		assert_string_equal(cpt_csv_cell(csv, 0, c), "");
	assert_string_equal(cpt_csv_cell(csv, 1, 0), "1");
	assert_string_equal(cpt_csv_cell(csv, 1, 2), "");
	assert_string_equal(cpt_csv_cell(csv, 2, 2), "3");
	cpt_csv_free(csv);
}

static void parse_ignores_trailing_empty_lines_only(void **state)
{
	cpt_csv *csv = parse_ok("a;b\n1;2\n\n", 0);
	assert_int_equal(cpt_csv_rows(csv), 1);
	cpt_csv_free(csv);

	csv = parse_ok("a;b\r\n1;2\r\n\r\n\n\r\n", 0);
	assert_int_equal(cpt_csv_rows(csv), 1);
	cpt_csv_free(csv);

	/* Header alone. */
	csv = parse_ok("a;b\r\n", 0);
	assert_int_equal(cpt_csv_rows(csv), 0);
	assert_int_equal(cpt_csv_columns(csv), 2);
	cpt_csv_free(csv);

	/* Inside the data, an empty line is a record of one empty field. */
	assert_refused("a;b\n1;2\n\n3;4\n", 3, "ligne 3 : 1 colonne au lieu de 2");
	csv = parse_ok("Nom\nA\n\nB\n", 0);
	assert_int_equal(cpt_csv_rows(csv), 3);
	assert_string_equal(cpt_csv_cell(csv, 1, 0), "");
	assert_int_equal(cpt_csv_row_line(csv, 2), 4);
	cpt_csv_free(csv);
}

static void parse_refuses_unclosed_quotes_at_the_line_they_open(void **state)
{
	assert_refused("a;b\n1;2\n3;\"quatre\n5;6\n7;8\n", 3, "ligne 3 : guillemets non fermés");
	assert_refused("a;b\n1;\"2", 2, "ligne 2 : guillemets non fermés");
	/* Trailing line ends inside the open quote do not hide it. */
	assert_refused("a;b\n1;\"2\n\n", 2, "ligne 2 : guillemets non fermés");
	assert_refused("\"a;b\n", 1, "ligne 1 : guillemets non fermés");
}

static void parse_refuses_stray_quotes_and_carriage_returns(void **state)
{
	assert_refused("a;b\n1;2\n3;4\n\"x\"y;z\n", 4,
		       "ligne 4 : caractère après un guillemet fermant");
	assert_refused("a;b\n1;\"2\" \n", 2, "ligne 2 : caractère après un guillemet fermant");
	/* Counted after the line breaks inside the quoted field. */
	assert_refused("a;b\n1;\"x\ny\nz\"!\n", 4,
		       "ligne 4 : caractère après un guillemet fermant");
	assert_refused("a;b\n1;Vis 5\" inox\n", 2,
		       "ligne 2 : guillemet dans un champ qui ne commence pas par un guillemet");
	assert_refused("a;b\n1; \"2\"\n", 2,
		       "ligne 2 : guillemet dans un champ qui ne commence pas par un guillemet");
	assert_refused("a;b\n1;2\r3;4\n", 2,
		       "ligne 2 : retour chariot isolé (fin de ligne CRLF ou LF attendue)");
	assert_refused("a;b\n1;\"2\"\r", 2,
		       "ligne 2 : retour chariot isolé (fin de ligne CRLF ou LF attendue)");
	/* Inside quotes a lone CR is data. */
	cpt_csv *csv = parse_ok("a;b\n1;\"2\r3\"\n", 0);
	assert_string_equal(cpt_csv_cell(csv, 0, 1), "2\r3");
	cpt_csv_free(csv);
}

static void parse_refuses_records_of_the_wrong_width(void **state)
{
	assert_refused("a;b;c;d;e;f\n1;2;3;4;5;6\n1;2;3;4;5;6\n1;2;3;4;5;6\n"
		       "1;2;3;4;5;6\n1;2;3;4;5;6\n1;2;3;4;5\n",
		       7, "ligne 7 : 5 colonnes au lieu de 6");
	assert_refused("a;b\n1;2;3\n", 2, "ligne 2 : 3 colonnes au lieu de 2");
	assert_refused("a;b\n1;2;\n", 2, "ligne 2 : 3 colonnes au lieu de 2");
	/* Reported at the line where the record starts. */
	assert_refused("a;b;c\n1;\"x\ny\";3;4\n", 2, "ligne 2 : 4 colonnes au lieu de 3");
}

static void parse_refuses_bytes_that_are_not_utf8(void **state)
{
	/* "Café" saved in Latin-1 on line 3. */
	assert_refused("Nom;Ville\nA;Lyon\nCaf\xE9;Paris\n", 3,
		       "ligne 3 : encodage invalide (UTF-8 attendu)");
	assert_refused("Nom\xC3", 1, "ligne 1 : encodage invalide (UTF-8 attendu)");
	/* Overlong form of '/', and a UTF-16 surrogate encoded in UTF-8. */
	assert_refused("a\n\xC0\xAF\n", 2, "ligne 2 : encodage invalide (UTF-8 attendu)");
	assert_refused("a\n\xED\xA0\x80\n", 2, "ligne 2 : encodage invalide (UTF-8 attendu)");
	/* Even inside quotes, where the line number counts the quoted breaks. */
	assert_refused("a;b\n1;\"x\n\xFF\"\n", 3, "ligne 3 : encodage invalide (UTF-8 attendu)");

	static const char nul[] = "a;b\n1;2\n3;\0\n";
	assert_refused_len(nul, sizeof nul - 1, 0, 3, "ligne 3 : caractère nul (octet 0)");
}

static void parse_refuses_empty_files(void **state)
{
	const char *msg = "ligne 1 : fichier vide (ligne d'en-tête attendue)";
	assert_refused("", 1, msg);
	assert_refused(BOM, 1, msg);
	assert_refused("\r\n\n", 1, msg);
	assert_refused_len(NULL, 0, 0, 1, msg);
}

static void parse_refuses_a_bad_separator_and_tolerates_null_outputs(void **state)
{
	cpt_csv *csv = NULL;
	cpt_status st = CPT_STATUS_OK;

	assert_int_equal(cpt_csv_parse("a\n", 2, '"', &csv, NULL, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "sep");
	assert_null(csv);
	assert_int_equal(cpt_csv_parse("a\n", 2, '\n', &csv, NULL, NULL), CPT_INVALID_ARGUMENT);
	assert_int_equal(cpt_csv_parse("a;\"", 3, 0, &csv, NULL, NULL), CPT_INVALID_ARGUMENT);
	assert_null(csv);

	/* Success resets a previous error. */
	assert_int_equal(cpt_csv_parse("a;b", 3, 0, &csv, NULL, &st), CPT_OK);
	assert_int_equal(st.code, CPT_OK);
	assert_string_equal(st.field, "");
	cpt_csv_free(csv);
	cpt_csv_free(NULL);
}

static void parse_reads_only_len_bytes(void **state)
{
	cpt_csv *csv = NULL;
	const char text[] = "a;b\n1;2\n3;4\n";

	assert_int_equal(cpt_csv_parse(text, 8, 0, &csv, NULL, NULL), CPT_OK);
	assert_int_equal(cpt_csv_rows(csv), 1);
	cpt_csv_free(csv);
	/* Cut after "1": one field short. */
	assert_refused_len(text, 5, 0, 2, "ligne 2 : 1 colonne au lieu de 2");
}

static void accessors_answer_null_out_of_range(void **state)
{
	cpt_csv *csv = parse_ok("a;b\n1;2\n", 0);

	assert_null(cpt_csv_header(csv, 2));
	assert_null(cpt_csv_cell(csv, 1, 0));
	assert_null(cpt_csv_cell(csv, 0, 2));
	assert_null(cpt_csv_cell(csv, SIZE_MAX, 0));
	assert_int_equal(cpt_csv_row_line(csv, 1), 0);
	cpt_csv_free(csv);
}

/* ==== Limits ============================================================ */

static void parse_refuses_cells_over_64_kib(void **state)
{
	GString *text = g_string_new("a;b\n1;");
	g_autofree char *xs = g_strnfill(CPT_CSV_MAX_CELL, 'x');
	cpt_csv *csv = NULL;

	g_string_append_c(text, '"');
	for (size_t i = 0; i < CPT_CSV_MAX_CELL; i++)
		g_string_append(text, "\"\""); /* 2 bytes in, 1 out */
	g_string_append(text, "\"\n2;");
	g_string_append(text, xs);
	assert_int_equal(cpt_csv_parse(text->str, text->len, 0, &csv, NULL, NULL), CPT_OK);
	assert_int_equal(strlen(cpt_csv_cell(csv, 0, 1)), CPT_CSV_MAX_CELL);
	assert_int_equal(strlen(cpt_csv_cell(csv, 1, 1)), CPT_CSV_MAX_CELL);
	cpt_csv_free(csv);

	g_string_append(text, "y\n");
	assert_refused_len(text->str, text->len, 0, 3,
			   "ligne 3 : cellule de plus de 64 Kio (limite)");
	g_string_free(text, TRUE);
}

static void parse_refuses_more_than_a_million_records(void **state)
{
	size_t n = CPT_CSV_MAX_RECORDS;
	GString *text = g_string_sized_new(2 * n + 8);
	cpt_csv *csv = NULL;

	g_string_append(text, "n\n");
	for (size_t i = 0; i < n; i++)
		g_string_append(text, "x\n");
	assert_int_equal(cpt_csv_parse(text->str, text->len, 0, &csv, NULL, NULL), CPT_OK);
	assert_int_equal(cpt_csv_rows(csv), n);
	assert_int_equal(cpt_csv_row_line(csv, n - 1), n + 1);
	cpt_csv_free(csv);

	g_string_append(text, "y\n");
	assert_refused_len(text->str, text->len, 0, (unsigned)n + 2,
			   "ligne 1000002 : plus de 1 000 000 lignes de données (limite)");
	g_string_free(text, TRUE);
}

/* Not a benchmark: a bound loose enough for sanitizers on a busy machine,
 * tight enough to catch a parser gone quadratic. */
static void parse_reads_ten_thousand_rows_in_one_linear_pass(void **state)
{
	GString *text = g_string_new(NULL);
	cpt_csv *csv = NULL;

	for (int c = 0; c < 15; c++)
		g_string_append_printf(text, "%sColonne %d", c ? ";" : "", c);
	g_string_append(text, "\r\n");
	for (int r = 0; r < 10000; r++) {
		for (int c = 0; c < 15; c++)
			g_string_append_printf(text,
					       c % 5 == 4 ? "%s\"Texte; \"\"%d\"\"\"" : "%s%d",
					       c ? ";" : "", r * 15 + c);
		g_string_append(text, "\r\n");
	}
	gint64 start = g_get_monotonic_time();
	assert_int_equal(cpt_csv_parse(text->str, text->len, 0, &csv, NULL, NULL), CPT_OK);
	gint64 us = g_get_monotonic_time() - start;
	print_message("10 000 x 15 cells, %zu bytes: %.2f ms\n", text->len, us / 1000.0);
	assert_true(us < 1000 * 1000);
	assert_int_equal(cpt_csv_rows(csv), 10000);
	assert_string_equal(cpt_csv_cell(csv, 9999, 13), "149998");
	assert_string_equal(cpt_csv_cell(csv, 9999, 14), "Texte; \"149999\"");
	cpt_csv_free(csv);
	g_string_free(text, TRUE);
}

/* ==== Column lookup ===================================================== */

static void column_find_ignores_case_accents_and_spaces(void **state)
{
	cpt_csv *csv = parse_ok("Code;  Raison sociale ;Échéance;CODE POSTAL;Code" NBSP "Postal;"
				"N°" NNBSP "client;Straße\n"
				"1;2;3;4;5;6;7\n",
				0);
	size_t col = 99;

	assert_true(cpt_csv_column_find(csv, "code", &col));
	assert_int_equal(col, 0);
	assert_true(cpt_csv_column_find(csv, "raison sociale", &col));
	assert_int_equal(col, 1);
	assert_true(cpt_csv_column_find(csv, " RAISON   SOCIALE", &col));
	assert_int_equal(col, 1);
	assert_true(cpt_csv_column_find(csv, "echeance", &col));
	assert_int_equal(col, 2);
	assert_true(cpt_csv_column_find(csv, "ÉCHÉANCE", &col));
	assert_int_equal(col, 2);
	/* Decomposed "e" + U+0301 matches the precomposed header. */
	assert_true(cpt_csv_column_find(csv,
					"E\xCC\x81"
					"cheance",
					&col));
	assert_int_equal(col, 2);
	/* The first of two columns folding alike wins. */
	assert_true(cpt_csv_column_find(csv, "Code postal", &col));
	assert_int_equal(col, 3);
	assert_true(cpt_csv_column_find(csv, "n° client", &col));
	assert_int_equal(col, 5);
	assert_true(cpt_csv_column_find(csv, "STRASSE", &col));
	assert_int_equal(col, 6);
	assert_true(cpt_csv_column_find(csv, "code", NULL));

	col = 99;
	assert_false(cpt_csv_column_find(csv, "ville", &col));
	assert_false(cpt_csv_column_find(csv, "codepostal", &col));
	assert_false(cpt_csv_column_find(csv, "", &col));
	assert_false(cpt_csv_column_find(csv, "Caf\xE9", &col));
	assert_int_equal(col, 99);
	cpt_csv_free(csv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_reads_a_french_spreadsheet_export),
	    cmocka_unit_test(parse_detects_the_separator_from_the_header_line),
	    cmocka_unit_test(parse_unquotes_separators_quotes_and_line_breaks),
	    cmocka_unit_test(parse_counts_lines_after_a_multiline_header),
	    cmocka_unit_test(parse_accepts_lf_crlf_and_a_missing_final_line_end),
	    cmocka_unit_test(parse_keeps_empty_fields),
	    cmocka_unit_test(parse_ignores_trailing_empty_lines_only),
	    cmocka_unit_test(parse_refuses_unclosed_quotes_at_the_line_they_open),
	    cmocka_unit_test(parse_refuses_stray_quotes_and_carriage_returns),
	    cmocka_unit_test(parse_refuses_records_of_the_wrong_width),
	    cmocka_unit_test(parse_refuses_bytes_that_are_not_utf8),
	    cmocka_unit_test(parse_refuses_empty_files),
	    cmocka_unit_test(parse_refuses_a_bad_separator_and_tolerates_null_outputs),
	    cmocka_unit_test(parse_reads_only_len_bytes),
	    cmocka_unit_test(accessors_answer_null_out_of_range),
	    cmocka_unit_test(parse_refuses_cells_over_64_kib),
	    cmocka_unit_test(parse_refuses_more_than_a_million_records),
	    cmocka_unit_test(parse_reads_ten_thousand_rows_in_one_linear_pass),
	    cmocka_unit_test(column_find_ignores_case_accents_and_spaces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
