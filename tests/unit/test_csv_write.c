/*
 * Unit tests for writing with common/csv.[ch]: quoting only where needed,
 * the BOM, the formula-injection guard, and round trips: what the writer
 * produces reads back cell for cell, and so does any table the reader
 * accepts from random input.
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

#define NBSP "\xC2\xA0"
#define NNBSP "\xE2\x80\xAF"

static char *record(const char *const *cells, size_t n, char sep)
{
	GString *out = g_string_new(NULL);
	cpt_csv_write_record(out, cells, n, sep);
	return g_string_free(out, FALSE);
}

static void write_record_quotes_only_when_needed(void **state)
{
	const char *plain[] = {"C001", "Café", "1 234,56 €", NULL, ""};
	g_autofree char *a = record(plain, 5, ';');
	assert_string_equal(a, "C001;Café;1 234,56 €;;\r\n");

	const char *hard[] = {"a;b",	"Vis 5\" inox", "l1\r\nl2", "l1\nl2",
			      " avant", "après ",	"a,b",	    "x\ry"};
	g_autofree char *b = record(hard, 8, ';');
	assert_string_equal(b, "\"a;b\";\"Vis 5\"\" inox\";\"l1\r\nl2\";\"l1\nl2\";"
			       "\" avant\";\"après \";a,b;\"x\ry\"\r\n");

	/* The separator decides: with ',' the comma is quoted, not ';'. */
	const char *comma[] = {"a;b", "a,b", "a\tb"};
	g_autofree char *c = record(comma, 3, ',');
	assert_string_equal(c, "a;b,\"a,b\",a\tb\r\n");
	g_autofree char *d = record(comma, 3, '\t');
	assert_string_equal(d, "a;b\ta,b\t\"a\tb\"\r\n");

	/* A lone empty cell is not written as a blank line. */
	const char *empty[] = {""};
	g_autofree char *e = record(empty, 1, ';');
	assert_string_equal(e, "\"\"\r\n");
	const char *none[] = {NULL, NULL};
	g_autofree char *f = record(none, 2, ';');
	assert_string_equal(f, ";\r\n");
}

static void write_bom_starts_the_file(void **state)
{
	GString *out = g_string_new(NULL);
	const char *cells[] = {"Nom"};

	cpt_csv_write_bom(out);
	cpt_csv_write_record(out, cells, 1, ';');
	assert_int_equal(out->len, 3 + 5);
	assert_memory_equal(out->str, "\xEF\xBB\xBFNom\r\n", 8);
	g_string_free(out, TRUE);
}

static void formula_risk_flags_formula_starts_but_not_numbers(void **state)
{
	static const char *risky[] = {
	    "=1+1",	 "=HYPERLINK(\"http://x\")",
	    "@SUM(A1)",	 "\tx",
	    "\r=1",	 "+cmd",
	    "-cmd",	 "-2+3",
	    "+",	 "-",
	    "-1,",	 "- 12",
	    "-12,50 €€", "-1e5",
	    "--1",	 "-1,5,5",
	    "+33 6 12a", "-,5",
	};
	static const char *safe[] = {
	    "",
	    "texte",
	    "12",
	    "-12,50",
	    "+12.5",
	    "-1 234,56",
	    "-1" NBSP "234,56" NBSP "€",
	    "-1" NNBSP "234,56 €",
	    "+33 6 12 34 56 78",
	    "-5 %",
	    "-5%",
	    "-0",
	    "a=b",
	    " =1",
	    "'=1",
	};

	for (size_t i = 0; i < sizeof risky / sizeof *risky; i++)
		if (!cpt_csv_formula_risk(risky[i]))
			fail_msg("\"%s\" should be guarded", risky[i]);
	for (size_t i = 0; i < sizeof safe / sizeof *safe; i++)
		if (cpt_csv_formula_risk(safe[i]))
			fail_msg("\"%s\" should be left alone", safe[i]);
}

static void write_record_guards_against_formula_injection(void **state)
{
	const char *cells[] = {"=cmd|' /C calc'!A0", "@SUM(A1)", "-cmd",   "+1+1", "-12,50",
			       "+33 6 12 34 56 78",  "\t=1",	 "\r\n=1", "=a;b"};
	g_autofree char *out = record(cells, 9, ';');

	assert_string_equal(out, "'=cmd|' /C calc'!A0;'@SUM(A1);'-cmd;'+1+1;-12,50;"
				 "+33 6 12 34 56 78;'\t=1;\"'\r\n=1\";\"'=a;b\"\r\n");
}

static void written_records_read_back_unchanged(void **state)
{
	static const char *rows[][4] = {
	    {"Réf", "Libellé", "Note", "Montant"},
	    {"1", "Vis 5\" inox", "a;b\r\nc", "-1 234,56"},
	    {"2", " espacé ", "", "0"},
	    {"3", "\"\"", "l1\nl2\n", "+12"},
	    {"4", "€ œ ß 日本", ";", ""},
	};
	GString *out = g_string_new(NULL);
	cpt_csv *csv = NULL;

	cpt_csv_write_bom(out);
	for (size_t r = 0; r < 5; r++)
		cpt_csv_write_record(out, rows[r], 4, ';');
	assert_int_equal(cpt_csv_parse(out->str, out->len, 0, &csv, NULL, NULL), CPT_OK);
	assert_int_equal(cpt_csv_separator(csv), ';');
	assert_int_equal(cpt_csv_rows(csv), 4);
	for (size_t c = 0; c < 4; c++)
		assert_string_equal(cpt_csv_header(csv, c), rows[0][c]);
	for (size_t r = 1; r < 5; r++)
		for (size_t c = 0; c < 4; c++)
			assert_string_equal(cpt_csv_cell(csv, r - 1, c), rows[r][c]);
	assert_int_equal(cpt_csv_row_line(csv, 1), 4); /* after the CRLF in a cell */
	assert_int_equal(cpt_csv_row_line(csv, 3), 8);
	cpt_csv_free(csv);
	g_string_free(out, TRUE);
}

/* Found by fuzz_csv: a first cell starting with U+FEFF read back as the BOM. */
static void a_first_cell_starting_with_a_bom_character_survives(void **state)
{
	const char *cells[] = {"\357\273\277code", "nom"}; /* U+FEFF, then "code" */
	GString *out = g_string_new(NULL);
	cpt_csv *csv = NULL;

	cpt_csv_write_record(out, cells, 2, ';');
	assert_int_equal(cpt_csv_parse(out->str, out->len, ';', &csv, NULL, NULL), CPT_OK);
	assert_string_equal(cpt_csv_header(csv, 0), cells[0]);
	cpt_csv_free(csv);
	g_string_free(out, TRUE);
}

/* Random texts from the characters that matter: the parser must never read
 * out of bounds (ASan watches), and every table it accepts must come back
 * cell for cell through the writer, guarded cells with their "'". */
static void random_input_is_refused_or_round_trips(void **state)
{
	static const char *const pieces[] = {"a",  "1",	   ";", ",", "\t", "\"", "\"\"", "\r",
					     "\n", "\r\n", " ", "=", "-",  "é",	 "\xFF", "\xC3"};
	GRand *rand = g_rand_new_with_seed(4180);
	size_t accepted = 0;

	for (int iter = 0; iter < 5000; iter++) {
		GString *in = g_string_new(NULL), *out = g_string_new(NULL);
		int n = g_rand_int_range(rand, 0, 40);
		cpt_csv *csv = NULL, *back = NULL;
		unsigned line = 0;

		for (int i = 0; i < n; i++)
			g_string_append(in,
					pieces[g_rand_int_range(rand, 0, G_N_ELEMENTS(pieces))]);
		/* An exact-size copy, so that ASan sees any read past len. */
		char *copy = g_memdup2(in->str, in->len);
		int rc = cpt_csv_parse(copy, in->len, 0, &csv, &line, NULL);
		g_free(copy);
		if (rc != CPT_OK) {
			assert_null(csv);
			assert_true(line >= 1 && line <= 1 + (unsigned)in->len);
			goto next;
		}
		accepted++;
		size_t cols = cpt_csv_columns(csv), rows = cpt_csv_rows(csv);
		const char **cells = g_new(const char *, cols);
		char sep = cpt_csv_separator(csv);
		for (size_t r = 0; r <= rows; r++) {
			for (size_t c = 0; c < cols; c++)
				cells[c] = r ? cpt_csv_cell(csv, r - 1, c) : cpt_csv_header(csv, c);
			cpt_csv_write_record(out, cells, cols, sep);
		}
		g_free(cells);
		if (cpt_csv_parse(out->str, out->len, sep, &back, NULL, NULL) != CPT_OK)
			fail_msg("written table refused, iteration %d", iter);
		assert_int_equal(cpt_csv_columns(back), cols);
		assert_int_equal(cpt_csv_rows(back), rows);
		for (size_t r = 0; r <= rows; r++) {
			for (size_t c = 0; c < cols; c++) {
				const char *a =
				    r ? cpt_csv_cell(csv, r - 1, c) : cpt_csv_header(csv, c);
				const char *b =
				    r ? cpt_csv_cell(back, r - 1, c) : cpt_csv_header(back, c);
				if (cpt_csv_formula_risk(a)) {
					assert_int_equal(b[0], '\'');
					b++;
				}
				assert_string_equal(a, b);
			}
		}
		cpt_csv_free(back);
		cpt_csv_free(csv);
	next:
		g_string_free(in, TRUE);
		g_string_free(out, TRUE);
	}
	print_message("%zu of 5000 random texts accepted\n", accepted);
	assert_true(accepted > 100);
	g_rand_free(rand);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(write_record_quotes_only_when_needed),
	    cmocka_unit_test(write_bom_starts_the_file),
	    cmocka_unit_test(formula_risk_flags_formula_starts_but_not_numbers),
	    cmocka_unit_test(write_record_guards_against_formula_injection),
	    cmocka_unit_test(written_records_read_back_unchanged),
	    cmocka_unit_test(a_first_cell_starting_with_a_bom_character_survives),
	    cmocka_unit_test(random_input_is_refused_or_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
