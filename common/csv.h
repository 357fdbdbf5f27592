/*
 * Strict CSV for imports and exports: what a French spreadsheet saves and
 * opens (";" separator, UTF-8 with or without BOM, CRLF), read once into a
 * table of NUL-terminated cells and written back with quoting only where
 * needed.
 *
 * Reading follows RFC 4180, strictly: a field is either bare or wholly
 * enclosed in double quotes, where "" stands for one quote and separators
 * and line breaks are data. Anything else is refused with CPT_INVALID_ARGUMENT
 * on field "csv" and a message that starts with the physical line at fault
 * ("ligne 12 : guillemets non fermés"), so that an import can tell the user
 * which row to fix:
 *
 *  - bytes that are not UTF-8, or a NUL byte;
 *  - a quote inside a bare field, a character after a closing quote, a quote
 *    never closed (reported at the line where it opened);
 *  - a carriage return not followed by a line feed, outside quotes (lines end
 *    with CRLF or LF; inside quotes CR is data);
 *  - a record whose field count differs from the header's;
 *  - more than CPT_CSV_MAX_RECORDS records, a cell over CPT_CSV_MAX_CELL
 *    bytes, an empty file.
 *
 * The first record is the header. Empty lines at the very end of the data
 * are ignored; anywhere else an empty line is a record of one empty field.
 * Parsing is one linear pass; the cells live back to back in one buffer.
 */
#ifndef CPT_CSV_H
#define CPT_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include "status.h"

#define CPT_CSV_MAX_RECORDS 1000000 /* data records, header excluded */
#define CPT_CSV_MAX_CELL 65536	    /* bytes of one cell, once unquoted */

typedef struct cpt_csv cpt_csv;

/* ---- Reading ---------------------------------------------------------- */

/*
 * Parses len bytes of data (need not be NUL-terminated; a leading UTF-8 BOM
 * is skipped). sep is ';', ',' or '\t', or 0 to take it from the header line:
 * ';' if it holds one outside quotes, else ',', else tab (else ';', for a
 * one-column file). On success *out is a table the caller frees with
 * cpt_csv_free() and *err_line is 0. On failure *out is NULL, *err_line the
 * physical line (1-based, header = 1) at fault, and st says what is wrong.
 * err_line and st may be NULL.
 */
int cpt_csv_parse(const char *data, size_t len, char sep, cpt_csv **out, unsigned *err_line,
		  cpt_status *st);

void cpt_csv_free(cpt_csv *csv);

/* The separator used, as given or detected. */
char cpt_csv_separator(const cpt_csv *csv);
/* Data records, header excluded. */
size_t cpt_csv_rows(const cpt_csv *csv);
size_t cpt_csv_columns(const cpt_csv *csv);
/* Header name of column col, as written; NULL when out of range. */
const char *cpt_csv_header(const cpt_csv *csv, size_t col);
/* Cell of data record row (0 = first after the header), NUL-terminated UTF-8
 * owned by csv; NULL when out of range. */
const char *cpt_csv_cell(const cpt_csv *csv, size_t row, size_t col);
/* Physical line where data record row starts (2 for the first one unless the
 * header spans several lines); 0 when out of range. */
unsigned cpt_csv_row_line(const cpt_csv *csv, size_t row);

/*
 * Finds the first column whose header matches name, ignoring case, accents,
 * surrounding spaces and runs of inner spaces: "Code postal" finds
 * " CODE  POSTAL ", "Échéance" finds "echeance". False when none does.
 */
bool cpt_csv_column_find(const cpt_csv *csv, const char *name, size_t *col);

/* ---- Writing ---------------------------------------------------------- */

/* Appends the UTF-8 BOM, so that Excel reads the file as UTF-8: call it first. */
void cpt_csv_write_bom(GString *out);

/*
 * Appends one record of n cells (NULL = empty) separated by sep and ended by
 * CRLF. A cell is quoted only when it holds sep, a quote, CR or LF, or starts
 * or ends with a space or tab; a record of one empty cell is written "" so
 * that it does not read back as a blank line.
 *
 * Formula injection: a spreadsheet runs a cell that starts with "=", "+",
 * "-" or "@" as a formula, so exported text could reach a user's machine as
 * a command (=HYPERLINK, =cmd|...). Every cell for which
 * cpt_csv_formula_risk() is true is written with a leading "'", which the
 * spreadsheet shows as text. Numbers written as text ("-12,50", "+33 6 12 34
 * 56 78", "-1 234,56 €") are left alone. An export meant for another program
 * rather than a spreadsheet should not go through this function blindly: the
 * "'" becomes part of such a cell's value.
 */
void cpt_csv_write_record(GString *out, const char *const *cells, size_t n, char sep);

/*
 * True when text starts with "=", "@", tab or CR, or with "+" or "-" and is
 * not a plain number: optional sign, digits grouped by spaces (also U+00A0,
 * U+202F) or not, optional "," or "." and digits, optional "%" or "€"
 * possibly after a space.
 */
bool cpt_csv_formula_risk(const char *text);

#endif
