/*
 * Minimal XLSX writer (see xlsx.h). Rows are turned into worksheet XML as
 * they are added; cpt_xlsx_finish() wraps them with the header row, writes
 * the fixed parts and packs the six parts with zip.h.
 */
#include "xlsx.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "zip.h"

#define FIELD "xlsx"
#define SHEET_NAME_MAX 31
#define DEFAULT_SHEET_NAME "Feuille1"

/* Cell styles, indices into cellXfs of styles.xml. */
enum {
	STYLE_NORMAL = 0,
	STYLE_HEADER = 1,
	STYLE_DATE = 2,
	STYLE_DECIMAL = 3,					/* + scale */
	STYLE_PERCENT = STYLE_DECIMAL + CPT_XLSX_MAX_SCALE + 1, /* + scale - 2 */
	STYLE_COUNT = STYLE_PERCENT + CPT_XLSX_MAX_SCALE - 1,
};
/* Custom number formats start at 164; below are Excel's built-in ones. */
#define NUMFMT_DATE 164
#define NUMFMT_DECIMAL 165					 /* + scale */
#define NUMFMT_PERCENT (NUMFMT_DECIMAL + CPT_XLSX_MAX_SCALE + 1) /* + scale - 2 */
#define NUMFMT_COUNT (2 * CPT_XLSX_MAX_SCALE + 1)		 /* date, decimals, percents */

struct cpt_xlsx {
	char *sheet_name; /* already acceptable to Excel */
	GString *cols;	  /* <col> elements, from cpt_xlsx_set_columns */
	GString *header;  /* the header <row>, or empty */
	GString *rows;	  /* the data <row> elements */
	size_t header_cols;
	size_t max_cols; /* widest row, for the dimension */
	size_t nrows;	 /* header included */
};

static int refuse(cpt_status *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(cpt_status *st, int code, const char *fmt, ...)
{
	char msg[sizeof st->message];
	va_list ap;

	if (!st)
		return code;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return cpt_status_set(st, code, FIELD, "%s", msg);
}

/* ==== XML text ========================================================== */

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Excel reads "_xHHHH_" in a string as the character U+HHHH; such a text
 * must keep its underscore, itself escaped as "_x005F_". */
static bool looks_like_excel_escape(const char *p)
{
	return p[0] == '_' && p[1] == 'x' && is_hex(p[2]) && is_hex(p[3]) && is_hex(p[4]) &&
	       is_hex(p[5]) && p[6] == '_';
}

/* Appends valid UTF-8 text escaped for XML content or attributes, dropping
 * what XML 1.0 forbids, CR and CRLF as LF, at most max_units UTF-16 units. */
static void append_xml(GString *out, const char *s, size_t max_units)
{
	size_t units = 0;

	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		size_t w = c > 0xFFFF ? 2 : 1;

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF)
			continue;
		if (c == '\r' && p[1] == '\n')
			continue;
		if (units + w > max_units)
			break;
		units += w;
		switch (c) {
		case '<':
			g_string_append(out, "&lt;");
			break;
		case '>':
			g_string_append(out, "&gt;");
			break;
		case '&':
			g_string_append(out, "&amp;");
			break;
		case '"':
			g_string_append(out, "&quot;");
			break;
		case '\r':
			g_string_append_c(out, '\n');
			break;
		case '_':
			g_string_append(out, looks_like_excel_escape(p) ? "_x005F_" : "_");
			break;
		default:
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
		}
	}
}

/* ==== Cells ============================================================= */

/* "A1"-style reference of a 0-based column and 1-based row. */
static void append_ref(GString *out, size_t col, size_t row)
{
	char letters[4];
	int n = 0;

	for (col++; col > 0; col = (col - 1) / 26)
		letters[n++] = (char)('A' + (col - 1) % 26);
	while (n > 0)
		g_string_append_c(out, letters[--n]);
	if (row > 0)
		g_string_append_printf(out, "%zu", row);
}

/* Exact decimal text of value / 10^scale: -5 scale 2 -> "-0.05". */
static void append_decimal(GString *out, int64_t value, int scale)
{
	uint64_t mag = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
	uint64_t unit = 1;

	for (int i = 0; i < scale; i++)
		unit *= 10;
	g_string_append_printf(out, "%s%" PRIu64, value < 0 ? "-" : "", mag / unit);
	if (scale > 0)
		g_string_append_printf(out, ".%0*" PRIu64, scale, mag % unit);
}

/* Excel's serial day (1 = 1900-01-01, with its phantom 1900-02-29), or -1
 * for an impossible date or one before 1900-03-01. */
static long date_serial(int year, int month, int day)
{
	if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 ||
	    !g_date_valid_dmy((GDateDay)day, (GDateMonth)month, (GDateYear)year))
		return -1;
	if (year == 1900 && month < 3)
		return -1;
	GDate date, epoch;
	g_date_clear(&date, 1);
	g_date_clear(&epoch, 1);
	g_date_set_dmy(&date, (GDateDay)day, (GDateMonth)month, (GDateYear)year);
	g_date_set_dmy(&epoch, 30, G_DATE_DECEMBER, 1899);
	return (long)g_date_get_julian(&date) - (long)g_date_get_julian(&epoch);
}

static int append_cell(GString *out, const cpt_xlsx_cell *cell, size_t col, size_t row,
		       cpt_status *st)
{
	GString *ref = g_string_new(NULL);
	int rc = CPT_OK;
	long serial;

	append_ref(ref, col, row);
	switch (cell->type) {
	case CPT_XLSX_EMPTY:
		break;
	case CPT_XLSX_TEXT:
		if (!cell->text || !*cell->text)
			break;
		if (!g_utf8_validate(cell->text, -1, NULL)) {
			rc = refuse(st, CPT_INVALID_ARGUMENT, "cellule %s : texte non UTF-8",
				    ref->str);
			break;
		}
		g_string_append_printf(
		    out, "<c r=\"%s\" t=\"inlineStr\"><is><t xml:space=\"preserve\">", ref->str);
		append_xml(out, cell->text, CPT_XLSX_MAX_TEXT);
		g_string_append(out, "</t></is></c>");
		break;
	case CPT_XLSX_INT:
		g_string_append_printf(out, "<c r=\"%s\"><v>%" PRId64 "</v></c>", ref->str,
				       cell->num);
		break;
	case CPT_XLSX_DECIMAL:
		if (cell->scale < 0 || cell->scale > CPT_XLSX_MAX_SCALE) {
			rc = refuse(st, CPT_INVALID_ARGUMENT,
				    "cellule %s : %d décimales (de 0 à %d)", ref->str, cell->scale,
				    CPT_XLSX_MAX_SCALE);
			break;
		}
		g_string_append_printf(out, "<c r=\"%s\" s=\"%d\"><v>", ref->str,
				       STYLE_DECIMAL + cell->scale);
		append_decimal(out, cell->num, cell->scale);
		g_string_append(out, "</v></c>");
		break;
	case CPT_XLSX_PERCENT:
		if (cell->scale < 2 || cell->scale > CPT_XLSX_MAX_SCALE) {
			rc = refuse(st, CPT_INVALID_ARGUMENT,
				    "cellule %s : pourcentage à %d décimales (de 2 à %d)", ref->str,
				    cell->scale, CPT_XLSX_MAX_SCALE);
			break;
		}
		g_string_append_printf(out, "<c r=\"%s\" s=\"%d\"><v>", ref->str,
				       STYLE_PERCENT + cell->scale - 2);
		append_decimal(out, cell->num, cell->scale);
		g_string_append(out, "</v></c>");
		break;
	case CPT_XLSX_DATE:
		if ((serial = date_serial(cell->year, cell->month, cell->day)) < 0) {
			rc = refuse(st, CPT_INVALID_ARGUMENT,
				    "cellule %s : date invalide ou antérieure au 01/03/1900 "
				    "(%02d/%02d/%04d)",
				    ref->str, cell->day, cell->month, cell->year);
			break;
		}
		g_string_append_printf(out, "<c r=\"%s\" s=\"%d\"><v>%ld</v></c>", ref->str,
				       STYLE_DATE, serial);
		break;
	case CPT_XLSX_BOOL:
		g_string_append_printf(out, "<c r=\"%s\" t=\"b\"><v>%d</v></c>", ref->str,
				       cell->num != 0);
		break;
	default:
		rc = refuse(st, CPT_INVALID_ARGUMENT, "cellule %s : type de cellule inconnu",
			    ref->str);
	}
	g_string_free(ref, TRUE);
	return rc;
}

/* ==== Building ========================================================== */

static char *sheet_name_for_excel(const char *name)
{
	GString *out;
	size_t count = 0;

	if (!name || !g_utf8_validate(name, -1, NULL))
		return g_strdup(DEFAULT_SHEET_NAME);
	out = g_string_new(NULL);
	for (const char *p = name; *p && count < SHEET_NAME_MAX; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c == '\'' && (out->len == 0 || !*g_utf8_next_char(p)))
			continue;
		if (c < 0x20 || (c < 0x80 && strchr(":\\/?*[]", (int)c)) || c == 0xFFFE ||
		    c == 0xFFFF)
			c = '_';
		g_string_append_unichar(out, c);
		count++;
	}
	while (out->len > 0 && out->str[out->len - 1] == '\'') /* cut before a quote */
		g_string_truncate(out, out->len - 1);
	if (out->len == 0)
		g_string_append(out, DEFAULT_SHEET_NAME);
	return g_string_free(out, FALSE);
}

cpt_xlsx *cpt_xlsx_new(const char *sheet_name)
{
	cpt_xlsx *x = g_new0(cpt_xlsx, 1);

	x->sheet_name = sheet_name_for_excel(sheet_name);
	x->cols = g_string_new(NULL);
	x->header = g_string_new(NULL);
	x->rows = g_string_new(NULL);
	return x;
}

void cpt_xlsx_free(cpt_xlsx *x)
{
	if (!x)
		return;
	g_free(x->sheet_name);
	g_string_free(x->cols, TRUE);
	g_string_free(x->header, TRUE);
	g_string_free(x->rows, TRUE);
	g_free(x);
}

size_t cpt_xlsx_row_count(const cpt_xlsx *x)
{
	return x->nrows;
}

int cpt_xlsx_set_columns(cpt_xlsx *x, const cpt_xlsx_column *columns, size_t n, cpt_status *st)
{
	if (x->nrows > 0)
		return refuse(st, CPT_FAILED_PRECONDITION,
			      "l'en-tête se définit une fois, avant les lignes");
	if (n == 0 || n > CPT_XLSX_MAX_COLUMNS)
		return refuse(st, CPT_INVALID_ARGUMENT, "%zu colonnes (de 1 à %d)", n,
			      CPT_XLSX_MAX_COLUMNS);
	for (size_t i = 0; i < n; i++)
		if (columns[i].title && !g_utf8_validate(columns[i].title, -1, NULL))
			return refuse(st, CPT_INVALID_ARGUMENT, "colonne %zu : titre non UTF-8",
				      i + 1);

	g_string_append(x->header, "<row r=\"1\">");
	for (size_t i = 0; i < n; i++) {
		if (columns[i].width > 0 && columns[i].width <= 255) {
			/* Not printf: a French LC_NUMERIC would write "12,50". */
			char width[G_ASCII_DTOSTR_BUF_SIZE];
			g_ascii_formatd(width, sizeof width, "%.2f", columns[i].width);
			g_string_append_printf(x->cols,
					       "<col min=\"%zu\" max=\"%zu\" width=\"%s\" "
					       "customWidth=\"1\"/>",
					       i + 1, i + 1, width);
		}
		g_string_append(x->header, "<c r=\"");
		append_ref(x->header, i, 1);
		g_string_append_printf(x->header,
				       "\" s=\"%d\" t=\"inlineStr\"><is><t "
				       "xml:space=\"preserve\">",
				       STYLE_HEADER);
		append_xml(x->header, columns[i].title ? columns[i].title : "", CPT_XLSX_MAX_TEXT);
		g_string_append(x->header, "</t></is></c>");
	}
	g_string_append(x->header, "</row>");
	x->header_cols = x->max_cols = n;
	x->nrows = 1;
	return cpt_status_reset(st);
}

int cpt_xlsx_add_row(cpt_xlsx *x, const cpt_xlsx_cell *cells, size_t n, cpt_status *st)
{
	size_t mark = x->rows->len, row = x->nrows + 1;
	int rc;

	if (n > CPT_XLSX_MAX_COLUMNS)
		return refuse(st, CPT_INVALID_ARGUMENT, "%zu colonnes (%d au plus)", n,
			      CPT_XLSX_MAX_COLUMNS);
	if (x->nrows >= CPT_XLSX_MAX_ROWS)
		return refuse(st, CPT_RESOURCE_EXHAUSTED, "plus de %d lignes (limite d'Excel)",
			      CPT_XLSX_MAX_ROWS);
	g_string_append_printf(x->rows, "<row r=\"%zu\">", row);
	for (size_t i = 0; i < n; i++) {
		if ((rc = append_cell(x->rows, &cells[i], i, row, st)) != CPT_OK) {
			g_string_truncate(x->rows, mark);
			return rc;
		}
	}
	g_string_append(x->rows, "</row>");
	if (x->rows->len > CPT_XLSX_MAX_SHEET) {
		g_string_truncate(x->rows, mark);
		return refuse(st, CPT_RESOURCE_EXHAUSTED, "feuille de plus de 1 Gio (limite)");
	}
	x->nrows = row;
	if (n > x->max_cols)
		x->max_cols = n;
	return cpt_status_reset(st);
}

/* ==== Parts ============================================================= */

#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG_REL "http://schemas.openxmlformats.org/package/2006/relationships"
#define CT_PREFIX "application/vnd.openxmlformats-officedocument.spreadsheetml."

static const char CONTENT_TYPES[] = XML_DECL
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" "
    "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/xl/workbook.xml\" ContentType=\"" CT_PREFIX "sheet.main+xml\"/>"
    "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"" CT_PREFIX "worksheet+xml\"/>"
    "<Override PartName=\"/xl/styles.xml\" ContentType=\"" CT_PREFIX "styles+xml\"/>"
    "</Types>";

static const char ROOT_RELS[] =
    XML_DECL "<Relationships xmlns=\"" NS_PKG_REL "\">"
	     "<Relationship Id=\"rId1\" Type=\"" NS_REL "/officeDocument\" "
	     "Target=\"xl/workbook.xml\"/></Relationships>";

static const char WORKBOOK_RELS[] =
    XML_DECL "<Relationships xmlns=\"" NS_PKG_REL "\">"
	     "<Relationship Id=\"rId1\" Type=\"" NS_REL "/worksheet\" "
	     "Target=\"worksheets/sheet1.xml\"/>"
	     "<Relationship Id=\"rId2\" Type=\"" NS_REL "/styles\" Target=\"styles.xml\"/>"
	     "</Relationships>";

/*
 * Format codes are stored in Excel's neutral syntax: "," groups thousands and
 * "." marks decimals; a French Excel shows #,##0.00 as "1 234,56".
 */
static GString *styles_xml(void)
{
	GString *s = g_string_new(XML_DECL);

	g_string_append_printf(s, "<styleSheet xmlns=\"" NS_MAIN "\"><numFmts count=\"%d\">",
			       NUMFMT_COUNT);
	g_string_append_printf(s, "<numFmt numFmtId=\"%d\" formatCode=\"dd/mm/yyyy\"/>",
			       NUMFMT_DATE);
	for (int k = 0; k <= CPT_XLSX_MAX_SCALE; k++)
		g_string_append_printf(s, "<numFmt numFmtId=\"%d\" formatCode=\"#,##0%s%.*s\"/>",
				       NUMFMT_DECIMAL + k, k ? "." : "", k, "000000000");
	for (int k = 0; k <= CPT_XLSX_MAX_SCALE - 2; k++)
		g_string_append_printf(s, "<numFmt numFmtId=\"%d\" formatCode=\"0%s%.*s%%\"/>",
				       NUMFMT_PERCENT + k, k ? "." : "", k, "000000000");
	g_string_append(s, "</numFmts><fonts count=\"2\">"
			   "<font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
			   "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/>"
			   "</font></fonts><fills count=\"2\"><fill><patternFill "
			   "patternType=\"none\"/></fill><fill><patternFill "
			   "patternType=\"gray125\"/></fill></fills><borders count=\"1\"><border>"
			   "<left/><right/><top/><bottom/><diagonal/></border></borders>"
			   "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" "
			   "borderId=\"0\"/></cellStyleXfs>");
	g_string_append_printf(s, "<cellXfs count=\"%d\">", STYLE_COUNT);
	g_string_append(s,
			"<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
			"<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
			"applyFont=\"1\"/>");
	/* Date, decimals by scale, percentages by scale: the order of STYLE_*. */
	for (int k = -1; k <= 2 * CPT_XLSX_MAX_SCALE - 1; k++)
		g_string_append_printf(s,
				       "<xf numFmtId=\"%d\" fontId=\"0\" fillId=\"0\" "
				       "borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
				       k < 0 ? NUMFMT_DATE : NUMFMT_DECIMAL + k);
	g_string_append(s, "</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" "
			   "xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>");
	return s;
}

/* "$A$1:$C$10" when absolute, else "A1:C10": the header and every row. */
static void append_filter_range(GString *out, const cpt_xlsx *x, bool absolute)
{
	const char *d = absolute ? "$" : "";

	g_string_append_printf(out, "%sA%s1:%s", d, d, d);
	append_ref(out, x->header_cols - 1, 0);
	g_string_append_printf(out, "%s%zu", d, x->nrows);
}

static GString *workbook_xml(const cpt_xlsx *x)
{
	GString *s = g_string_new(XML_DECL);

	g_string_append(s, "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
			   "<bookViews><workbookView/></bookViews><sheets><sheet name=\"");
	append_xml(s, x->sheet_name, SIZE_MAX);
	g_string_append(s, "\" sheetId=\"1\" r:id=\"rId1\"/></sheets>");
	if (x->header_cols > 0) {
		/* Excel keeps an autofilter's range in this hidden name too. */
		g_autofree char *quoted = NULL;
		g_auto(GStrv) parts = g_strsplit(x->sheet_name, "'", -1);
		quoted = g_strjoinv("''", parts);
		g_string_append(s, "<definedNames><definedName name=\"_xlnm._FilterDatabase\" "
				   "localSheetId=\"0\" hidden=\"1\">'");
		append_xml(s, quoted, SIZE_MAX);
		g_string_append(s, "'!");
		append_filter_range(s, x, true);
		g_string_append(s, "</definedName></definedNames>");
	}
	g_string_append(s, "</workbook>");
	return s;
}

static GString *sheet_xml(const cpt_xlsx *x)
{
	GString *s = g_string_sized_new(x->rows->len + x->header->len + 1024);

	g_string_append(s, XML_DECL "<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">");
	g_string_append(s, "<dimension ref=\"A1");
	if (x->nrows > 0 && x->max_cols > 0) {
		g_string_append_c(s, ':');
		append_ref(s, x->max_cols - 1, x->nrows);
	}
	g_string_append(s, "\"/><sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">");
	if (x->header_cols > 0)
		g_string_append(s,
				"<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" "
				"state=\"frozen\"/><selection pane=\"bottomLeft\" "
				"activeCell=\"A2\" sqref=\"A2\"/>");
	g_string_append(s, "</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>");
	if (x->cols->len > 0)
		g_string_append_printf(s, "<cols>%s</cols>", x->cols->str);
	g_string_append(s, "<sheetData>");
	g_string_append_len(s, x->header->str, x->header->len);
	g_string_append_len(s, x->rows->str, x->rows->len);
	g_string_append(s, "</sheetData>");
	if (x->header_cols > 0) {
		g_string_append(s, "<autoFilter ref=\"");
		append_filter_range(s, x, false);
		g_string_append(s, "\"/>");
	}
	g_string_append(s, "</worksheet>");
	return s;
}

/* ==== Package =========================================================== */

GBytes *cpt_xlsx_finish(cpt_xlsx *x)
{
	GString *parts[] = {
	    g_string_new(CONTENT_TYPES),
	    g_string_new(ROOT_RELS),
	    workbook_xml(x),
	    g_string_new(WORKBOOK_RELS),
	    styles_xml(),
	    sheet_xml(x),
	};
	static const char *const names[G_N_ELEMENTS(parts)] = {
	    "[Content_Types].xml",	  "_rels/.rels",   "xl/workbook.xml",
	    "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml",
	};
	cpt_zip *zip = cpt_zip_new();
	bool ok = true;

	cpt_xlsx_free(x);
	for (size_t i = 0; i < G_N_ELEMENTS(parts); i++) {
		ok = ok && cpt_zip_add(zip, names[i], parts[i]->str, parts[i]->len);
		g_string_free(parts[i], TRUE);
	}
	if (!ok) {
		cpt_zip_free(zip);
		return NULL;
	}
	return cpt_zip_finish(zip);
}
