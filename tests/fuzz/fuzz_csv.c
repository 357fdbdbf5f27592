/*
 * libFuzzer target for the CSV reader imports trust with users' files: any
 * bytes either parse into a table whose every cell can be read, or are
 * refused with the field "csv" and a line number; never a crash or a read
 * out of bounds. What parses is written back and must parse again to the
 * same table.
 */
#include "csv.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cpt_csv *csv = NULL;
	unsigned line = 0;
	cpt_status st = {0};
	if (cpt_csv_parse((const char *)data, size, 0, &csv, &line, &st) != 0) {
		if (!csv && line > 0 && strcmp(st.field, "csv") == 0) {
			return 0;
		}
		abort();
	}
	size_t rows = cpt_csv_rows(csv), cols = cpt_csv_columns(csv);
	char sep = cpt_csv_separator(csv);
	GString *out = g_string_new(NULL);
	const char **cells = g_new0(const char *, cols + 1);
	for (size_t c = 0; c < cols; c++) {
		cells[c] = cpt_csv_header(csv, c);
	}
	cpt_csv_write_record(out, cells, cols, sep);
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < cols; c++) {
			cells[c] = cpt_csv_cell(csv, r, c);
			if (!cells[c]) {
				abort();
			}
		}
		cpt_csv_write_record(out, cells, cols, sep);
	}
	/* Written back, it reads back the same (formula-guarded cells aside). */
	cpt_csv *again = NULL;
	if (cpt_csv_parse(out->str, out->len, sep, &again, NULL, NULL) != 0 ||
	    cpt_csv_rows(again) != rows || cpt_csv_columns(again) != cols) {
		abort();
	}
	cpt_csv_free(again);
	g_free(cells);
	g_string_free(out, TRUE);
	cpt_csv_free(csv);
	return 0;
}
