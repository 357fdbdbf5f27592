/*
 * A small streaming XML writer for the e-invoice generators (einvoice_*.c):
 * start tags with attributes, text leaves, escaping and two-space
 * indentation, into a GString. It writes what it is told in order; the
 * schema's element order is the caller's business.
 *
 * A leaf whose text is empty or only white space is not written at all:
 * Peppol forbids empty elements (PEPPOL-EN16931-R008) and EN 16931 has no use
 * for them. An element opened and closed with nothing inside is written
 * "<name/>" (CII wants some of those, e.g. an empty ApplicableHeaderTradeDelivery).
 *
 * Text is escaped (& < > and " in attributes), characters XML 1.0 forbids
 * (controls other than tab and line feed, and CR) are dropped and invalid
 * UTF-8 is repaired, so whatever the view holds, the output is well-formed.
 *
 * The number formatters turn Comptoir's scaled integers (common/money.h)
 * into xs:decimal text with a dot: cents "1234.56", quantities in 1/1000
 * "7.5", unit prices in 1/10000 "12.50" or "12.345", and dates in the two
 * forms e-invoices use.
 */
#ifndef CPT_XMLW_H
#define CPT_XMLW_H

#include "terms.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPT_XMLW_MAX_DEPTH 16

typedef struct cpt_xmlw {
	GString *buf;
	const char *open[CPT_XMLW_MAX_DEPTH]; /* names of the open elements (not copied) */
	size_t depth;
	bool in_start_tag; /* "<name attr=..." written, ">" not yet */
	bool has_children; /* the innermost open element holds elements */
	bool failed;	   /* nesting too deep, attribute outside a start tag, ... */
} cpt_xmlw;

/* Starts a document with its XML declaration. */
void cpt_xmlw_init(cpt_xmlw *w);
/* Opens an element; names are kept by pointer, so pass literals. */
void cpt_xmlw_open(cpt_xmlw *w, const char *name);
/* Adds an attribute to the element just opened (before any content). */
void cpt_xmlw_attr(cpt_xmlw *w, const char *name, const char *value);
void cpt_xmlw_close(cpt_xmlw *w);
/* <name>text</name>, skipped when text is NULL, empty or blank. */
void cpt_xmlw_leaf(cpt_xmlw *w, const char *name, const char *text);
/* <name attr="value">text</name>, skipped like cpt_xmlw_leaf; the attribute
 * is left out when value is NULL or empty. */
void cpt_xmlw_leaf_attr(cpt_xmlw *w, const char *name, const char *attr, const char *value,
			const char *text);
/* True when s is NULL, empty or only white space: what cpt_xmlw_leaf skips. */
bool cpt_xmlw_blank(const char *s);

/* The document, or NULL when an element is still open or the writer failed.
 * Either way w is emptied. Caller unrefs the bytes with g_bytes_unref(). */
GBytes *cpt_xmlw_finish(cpt_xmlw *w);
/* Drops what was written (safe to call twice, or after finish). */
void cpt_xmlw_clear(cpt_xmlw *w);

/* ---- Numbers and dates ------------------------------------------------- */

/* Enough for any int64_t at any scale, sign and dot included. */
#define CPT_XMLW_NUM_SIZE 32
#define CPT_XMLW_DATE_SIZE 11

/*
 * value / 10^scale as decimal text, trailing fractional zeros trimmed down to
 * min_decimals: (123450, 4, 2) -> "12.345", (125000, 4, 2) -> "12.50",
 * (7500, 3, 0) -> "7.5", (-5, 2, 2) -> "-0.05". scale 0..18, min_decimals
 * 0..scale; false (buf emptied) otherwise or when size is too small.
 */
bool cpt_xmlw_decimal(int64_t value, int scale, int min_decimals, char *buf, size_t size);
/* Cents: always two decimals, "1234.56". */
bool cpt_xmlw_cents(int64_t cents, char *buf, size_t size);
/* Quantity in 1/1000: as many decimals as needed, "2", "7.5", "0.125". */
bool cpt_xmlw_qty(int64_t qty3, char *buf, size_t size);
/* Unit price in 1/10000: at least two decimals, "12.50", "12.3456". */
bool cpt_xmlw_price(int64_t price4, char *buf, size_t size);
/* Rate in hundredths of a percent: "20.00", "5.50". */
bool cpt_xmlw_rate(int64_t bp, char *buf, size_t size);
/* "20250131" (UN/CEFACT format 102, for CII) and "2025-01-31" (UBL);
 * false (buf emptied) for an invalid date or a buffer too small. */
bool cpt_xmlw_date_102(cpt_date d, char *buf, size_t size);
bool cpt_xmlw_date_iso(cpt_date d, char *buf, size_t size);

#endif
