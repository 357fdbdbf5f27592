/*
 * Exports of a list (see export.h): the shown text turned back into typed
 * XLSX cells, and the two writers behind one small interface.
 */
#include "export.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "money.h"

#define FIELD "export"
#define CSV_SEP ';'

/* ==== From shown text to typed cells ==================================== */

/* Drops trailing zeros beyond min_scale: 125000 scale 4 -> 125 scale 2. */
static void trim_scale(int64_t *value, int *scale, int min_scale)
{
	while (*scale > min_scale && *value % 10 == 0) {
		*value /= 10;
		(*scale)--;
	}
}

/* Bytes of the space (ASCII, U+00A0, U+202F) that ends s[0..len), or 0. */
static size_t trailing_space(const char *s, size_t len)
{
	if (len >= 1 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		return 1;
	if (len >= 2 && memcmp(s + len - 2, CPT_MONEY_CURRENCY_SEP, 2) == 0)
		return 2;
	if (len >= 3 && memcmp(s + len - 3, CPT_MONEY_GROUP_SEP, 3) == 0)
		return 3;
	return 0;
}

/* The number before a final "%" ("20 %", "5,5%"), in 1/10000 of a percent. */
static bool parse_percent(const char *text, int64_t *p4)
{
	size_t len = strlen(text), sp;

	while ((sp = trailing_space(text, len)))
		len -= sp;
	if (len == 0 || text[len - 1] != '%')
		return false;
	len--;
	/* French typography puts a no-break space before "%". */
	while ((sp = trailing_space(text, len)))
		len -= sp;
	char *number = g_strndup(text, len);
	bool ok = !strstr(number, CPT_MONEY_CURRENCY_SIGN) && !strchr(number, '%') &&
		  cpt_money_parse_price(number, p4);
	g_free(number);
	return ok;
}

/* "dd/mm/yyyy", surrounding spaces allowed, a day Excel can hold. */
static bool parse_date(const char *text, int *year, int *month, int *day)
{
	while (*text == ' ')
		text++;
	for (int i = 0; i < 10; i++) {
		bool slash = i == 2 || i == 5;
		if (slash ? text[i] != '/' : !g_ascii_isdigit(text[i]))
			return false;
	}
	for (const char *p = text + 10; *p; p++)
		if (*p != ' ')
			return false;
	*day = (text[0] - '0') * 10 + (text[1] - '0');
	*month = (text[3] - '0') * 10 + (text[4] - '0');
	*year = atoi(text + 6);
	if (*month < 1 || *month > 12 || *day < 1 || *day > 31 ||
	    !g_date_valid_dmy((GDateDay)*day, (GDateMonth)*month, (GDateYear)*year))
		return false;
	return *year > 1900 || (*year == 1900 && *month >= 3);
}

cpt_xlsx_cell cpt_export_cell(cpt_column_type type, int decimals, const char *text)
{
	int64_t v;
	int scale, y, m, d;

	if (!text || !*text)
		return (cpt_xlsx_cell){.type = CPT_XLSX_EMPTY};
	switch (type) {
	case CPT_COLUMN_INTEGER:
		if (cpt_money_parse_qty(text, &v) && v % CPT_MONEY_QTY_SCALE == 0)
			return cpt_xlsx_int(v / CPT_MONEY_QTY_SCALE);
		break;
	case CPT_COLUMN_AMOUNT:
		if (cpt_money_parse(text, &v))
			return cpt_xlsx_decimal(v, CPT_MONEY_CENT_DIGITS);
		break;
	case CPT_COLUMN_PRICE:
		if (cpt_money_parse_price(text, &v)) {
			scale = CPT_MONEY_PRICE_DIGITS;
			trim_scale(&v, &scale,
				   CLAMP(decimals, CPT_MONEY_CENT_DIGITS, CPT_MONEY_PRICE_DIGITS));
			return cpt_xlsx_decimal(v, scale);
		}
		break;
	case CPT_COLUMN_QUANTITY:
		if (cpt_money_parse_qty(text, &v)) {
			scale = CPT_MONEY_QTY_DIGITS;
			trim_scale(&v, &scale, CLAMP(decimals, 0, CPT_MONEY_QTY_DIGITS));
			return cpt_xlsx_decimal(v, scale);
		}
		break;
	case CPT_COLUMN_PERCENT:
		/* n / 10^4 percent is the fraction n / 10^6. */
		if (parse_percent(text, &v)) {
			scale = CPT_MONEY_PRICE_DIGITS + 2;
			trim_scale(&v, &scale, 2 + CLAMP(decimals, 0, CPT_MONEY_PRICE_DIGITS));
			return cpt_xlsx_percent(v, scale);
		}
		break;
	case CPT_COLUMN_DATE:
		if (parse_date(text, &y, &m, &d))
			return cpt_xlsx_date(y, m, d);
		break;
	case CPT_COLUMN_TEXT:
		break;
	}
	return cpt_xlsx_text(text);
}

/* ==== Writers =========================================================== */

struct cpt_export {
	cpt_export_format format;
	size_t n;
	cpt_column_type *types;
	int *decimals;
	GString *csv;	      /* CSV: the file so far */
	cpt_xlsx *xlsx;	      /* XLSX: the workbook so far */
	cpt_xlsx_cell *cells; /* XLSX: one row, reused */
	size_t rows;
};

/* Column widths in characters: the title, and room for what the type shows. */
static double column_width(const cpt_export_column *c)
{
	double title = c->title ? (double)g_utf8_strlen(c->title, -1) + 3 : 0;
	double least = c->type == CPT_COLUMN_TEXT ? 20 : c->type == CPT_COLUMN_DATE ? 12 : 14;
	return MIN(MAX(title, least), 60);
}

cpt_export *cpt_export_new(cpt_export_format format, const char *sheet_name,
			   const cpt_export_column *columns, size_t n)
{
	cpt_export *e = g_new0(cpt_export, 1);
	const char **titles = g_new0(const char *, n + 1);

	e->format = format;
	e->n = n;
	e->types = g_new0(cpt_column_type, n + 1);
	e->decimals = g_new0(int, n + 1);
	for (size_t i = 0; i < n; i++) {
		e->types[i] = columns[i].type;
		e->decimals[i] = columns[i].decimals;
		titles[i] = columns[i].title;
	}
	if (format == CPT_EXPORT_CSV) {
		e->csv = g_string_new(NULL);
		cpt_csv_write_bom(e->csv);
		cpt_csv_write_record(e->csv, titles, n, CSV_SEP);
	} else {
		cpt_xlsx_column *cols = g_new0(cpt_xlsx_column, n + 1);
		for (size_t i = 0; i < n; i++) {
			cols[i].title = columns[i].title;
			cols[i].width = column_width(&columns[i]);
		}
		e->xlsx = cpt_xlsx_new(sheet_name);
		e->cells = g_new0(cpt_xlsx_cell, n + 1);
		/* Refused only for n out of range or titles not UTF-8: then no header. */
		cpt_xlsx_set_columns(e->xlsx, cols, n, NULL);
		g_free(cols);
	}
	g_free(titles);
	return e;
}

int cpt_export_add_row(cpt_export *e, const char *const *cells, cpt_status *st)
{
	for (size_t i = 0; i < e->n; i++)
		if (cells[i] && !g_utf8_validate(cells[i], -1, NULL))
			return cpt_status_invalid(st, FIELD,
						  "ligne %zu, colonne %zu : texte non UTF-8",
						  e->rows + 1, i + 1);
	if (e->csv) {
		cpt_csv_write_record(e->csv, cells, e->n, CSV_SEP);
	} else {
		for (size_t i = 0; i < e->n; i++)
			e->cells[i] = cpt_export_cell(e->types[i], e->decimals[i], cells[i]);
		cpt_status xst = {0};
		if (cpt_xlsx_add_row(e->xlsx, e->cells, e->n, &xst) != CPT_OK)
			return st ? cpt_status_set(st, xst.code, FIELD, "%s", xst.message)
				  : xst.code;
	}
	e->rows++;
	return cpt_status_reset(st);
}

size_t cpt_export_row_count(const cpt_export *e)
{
	return e->rows;
}

static void release(cpt_export *e)
{
	if (e->csv)
		g_string_free(e->csv, TRUE);
	cpt_xlsx_free(e->xlsx);
	g_free(e->cells);
	g_free(e->types);
	g_free(e->decimals);
	g_free(e);
}

GBytes *cpt_export_finish(cpt_export *e)
{
	GBytes *bytes;

	if (e->csv) {
		bytes = g_string_free_to_bytes(e->csv);
		e->csv = NULL;
	} else {
		bytes = cpt_xlsx_finish(e->xlsx);
		e->xlsx = NULL;
	}
	release(e);
	return bytes;
}

void cpt_export_free(cpt_export *e)
{
	if (e)
		release(e);
}
