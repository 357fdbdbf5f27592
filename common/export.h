/*
 * Exports of a list as the user sees it: rows of display strings (French
 * formats: "1 234,50", "20 %", "22/11/2026") written to CSV or XLSX.
 *
 * CSV keeps the strings as shown, which is what a French spreadsheet reads
 * back with ";" (csv.h: UTF-8 BOM first, CRLF, quoting only where needed,
 * the formula-injection guard). XLSX wants numbers to be numbers: each column
 * carries a type, and cpt_export_cell() turns the shown text back into a
 * typed cell through the money API's parsers and the dd/mm/yyyy date form.
 * A text that does not read as its column's type stays text: nothing shown
 * is ever lost or rounded.
 *
 * The output is built in memory; the caller bounds the row count.
 */
#ifndef CPT_EXPORT_H
#define CPT_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include "status.h"
#include "xlsx.h"

/* What a column's cells hold, as far as an XLSX export cares. */
typedef enum cpt_column_type {
	CPT_COLUMN_TEXT = 0,
	CPT_COLUMN_INTEGER,  /* "1 234" */
	CPT_COLUMN_AMOUNT,   /* money in cents: "1 234,50", "-12,00 €" */
	CPT_COLUMN_PRICE,    /* unit price, up to 4 decimals: "12,50", "0,1234" */
	CPT_COLUMN_QUANTITY, /* up to 3 decimals: "2", "1,5" */
	CPT_COLUMN_PERCENT,  /* "20 %", "5,5 %": a fraction shown as a percentage */
	CPT_COLUMN_DATE,     /* "22/11/2026" */
} cpt_column_type;

/*
 * The XLSX cell for text shown in a column of type type. decimals is the
 * least number of decimals the column shows (amounts always show 2, prices
 * at least 2); a value with more keeps them. Empty text (or NULL) gives an
 * empty cell; text that does not read as the type gives a text cell, as does
 * CPT_COLUMN_TEXT. A text cell borrows text.
 */
cpt_xlsx_cell cpt_export_cell(cpt_column_type type, int decimals, const char *text);

typedef enum cpt_export_format {
	CPT_EXPORT_CSV, /* ";" separator, UTF-8 with BOM, CRLF */
	CPT_EXPORT_XLSX,
} cpt_export_format;

typedef struct cpt_export_column {
	const char *title; /* UTF-8, copied */
	cpt_column_type type;
	int decimals; /* see cpt_export_cell() */
} cpt_export_column;

typedef struct cpt_export cpt_export;

/*
 * Starts an export of n columns (1..CPT_XLSX_MAX_COLUMNS), header written.
 * sheet_name names the XLSX sheet (see cpt_xlsx_new()). Caller frees with
 * cpt_export_finish() or cpt_export_free().
 */
cpt_export *cpt_export_new(cpt_export_format format, const char *sheet_name,
			   const cpt_export_column *columns, size_t n);

/*
 * Appends a row of the n cells given at cpt_export_new(), as shown (NULL =
 * empty). On a refusal (text that is not UTF-8, more rows than Excel holds)
 * nothing of the row is kept and st names "export".
 */
int cpt_export_add_row(cpt_export *e, const char *const *cells, cpt_status *st);

/* Data rows added so far, header excluded. */
size_t cpt_export_row_count(const cpt_export *e);

/* The file's bytes; frees e. Caller frees with g_bytes_unref(). */
GBytes *cpt_export_finish(cpt_export *e);

/* Abandons an export. e may be NULL. */
void cpt_export_free(cpt_export *e);

#endif
