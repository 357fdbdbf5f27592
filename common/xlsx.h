/*
 * A minimal XLSX writer: one worksheet of typed cells, for the exports users
 * open in Excel or LibreOffice. The workbook is built in memory and handed
 * back as the bytes of a ZIP archive (zip.h: entries STORED, CRC-32 computed
 * there) holding the six Office Open XML parts Excel needs:
 * [Content_Types].xml, _rels/.rels, xl/workbook.xml,
 * xl/_rels/workbook.xml.rels, xl/styles.xml and xl/worksheets/sheet1.xml.
 *
 * Text is written as inline strings (no shared-string table), XML-escaped,
 * with the characters XML 1.0 forbids dropped, CR and CRLF turned into LF,
 * and cut at CPT_XLSX_MAX_TEXT UTF-16 units (Excel's limit per cell).
 * Decimals are written exactly from their integer, never through a double,
 * but Excel keeps 15 significant digits: identifiers longer than that
 * belong in text cells.
 * The archive is the same bytes for the same calls (entries carry a fixed
 * date), so exports can be compared.
 */
#ifndef CPT_XLSX_H
#define CPT_XLSX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "status.h"

#define CPT_XLSX_MAX_COLUMNS 16384    /* A..XFD */
#define CPT_XLSX_MAX_ROWS 1048576     /* header included */
#define CPT_XLSX_MAX_TEXT 32767	      /* UTF-16 units per text cell */
#define CPT_XLSX_MAX_SCALE 6	      /* decimals of a CPT_XLSX_DECIMAL */
#define CPT_XLSX_MAX_SHEET (1u << 30) /* bytes of sheet XML, far below ZIP's 4 GiB */

typedef enum cpt_xlsx_type {
	CPT_XLSX_EMPTY = 0,
	CPT_XLSX_TEXT,	  /* text */
	CPT_XLSX_INT,	  /* num, shown as is ("General") */
	CPT_XLSX_DECIMAL, /* num / 10^scale, grouped thousands: 123456 scale 2 -> 1 234,56 */
	CPT_XLSX_DATE,	  /* year, month, day, shown dd/mm/yyyy; from 1900-03-01 */
	CPT_XLSX_BOOL,	  /* num != 0, shown VRAI / FAUX in a French Excel */
	CPT_XLSX_PERCENT, /* the fraction num / 10^scale shown as a percentage with scale - 2
			     decimals: 55 scale 3 -> 5,5 %; scale 2..CPT_XLSX_MAX_SCALE */
} cpt_xlsx_type;

typedef struct cpt_xlsx_cell {
	cpt_xlsx_type type;
	const char *text; /* UTF-8, borrowed for the call; NULL = empty */
	int64_t num;
	int scale; /* 0..CPT_XLSX_MAX_SCALE */
	int year, month, day;
} cpt_xlsx_cell;

static inline cpt_xlsx_cell cpt_xlsx_text(const char *text)
{
	return (cpt_xlsx_cell){.type = CPT_XLSX_TEXT, .text = text};
}

static inline cpt_xlsx_cell cpt_xlsx_int(int64_t value)
{
	return (cpt_xlsx_cell){.type = CPT_XLSX_INT, .num = value};
}

/* cpt_xlsx_decimal(cents, 2) for money amounts. */
static inline cpt_xlsx_cell cpt_xlsx_decimal(int64_t value, int scale)
{
	return (cpt_xlsx_cell){.type = CPT_XLSX_DECIMAL, .num = value, .scale = scale};
}

static inline cpt_xlsx_cell cpt_xlsx_date(int year, int month, int day)
{
	return (cpt_xlsx_cell){.type = CPT_XLSX_DATE, .year = year, .month = month, .day = day};
}

/* cpt_xlsx_percent(2000, 4) for a rate of 2000 basis points: 20 %. */
static inline cpt_xlsx_cell cpt_xlsx_percent(int64_t value, int scale)
{
	return (cpt_xlsx_cell){.type = CPT_XLSX_PERCENT, .num = value, .scale = scale};
}

static inline cpt_xlsx_cell cpt_xlsx_bool(bool value)
{
	return (cpt_xlsx_cell){.type = CPT_XLSX_BOOL, .num = value};
}

typedef struct cpt_xlsx_column {
	const char *title; /* UTF-8; NULL = empty */
	double width;	   /* in characters, up to 255; 0 leaves Excel's default */
} cpt_xlsx_column;

typedef struct cpt_xlsx cpt_xlsx;

/*
 * Starts a workbook whose one sheet is named sheet_name, made acceptable to
 * Excel: each of : \ / ? * [ ] and control characters becomes "_", a leading
 * or trailing "'" is dropped, the name is cut at 31 characters, and NULL,
 * empty or invalid UTF-8 gives "Feuille1". Caller frees with
 * cpt_xlsx_finish() or cpt_xlsx_free().
 */
cpt_xlsx *cpt_xlsx_new(const char *sheet_name);

/*
 * Writes the header row: n titles in bold, the row frozen above the scrolling
 * data, an autofilter over the header and every row added, and the column
 * widths. Call it once, before the first cpt_xlsx_add_row(); without it the
 * sheet has no header, no frozen pane and no filter.
 */
int cpt_xlsx_set_columns(cpt_xlsx *x, const cpt_xlsx_column *columns, size_t n, cpt_status *st);

/*
 * Appends a row of n cells, from column A. On a refusal (an impossible date,
 * a scale out of range, text that is not UTF-8, too many rows or columns, a
 * sheet grown past CPT_XLSX_MAX_SHEET) nothing of the row is kept and st
 * names "xlsx".
 */
int cpt_xlsx_add_row(cpt_xlsx *x, const cpt_xlsx_cell *cells, size_t n, cpt_status *st);

/* Number of rows written so far, header included. */
size_t cpt_xlsx_row_count(const cpt_xlsx *x);

/* Assembles the .xlsx file and frees x. Caller frees the bytes with
 * g_bytes_unref(). NULL only past ZIP's 4 GiB, which CPT_XLSX_MAX_SHEET
 * rules out. */
GBytes *cpt_xlsx_finish(cpt_xlsx *x);

/* Abandons a workbook. x may be NULL. */
void cpt_xlsx_free(cpt_xlsx *x);

#endif
