/*
 * A sales document's amounts, computed once by the server whenever a draft
 * is saved, exactly and the same way every time (see common/money.h):
 *
 *  - Each item line's amount is rounded once (quantity × unit price × (1 −
 *    discount)), in the document's entry mode: HT or TTC.
 *  - Lines are grouped by VAT rate and category (EN 16931 BG-23). The
 *    document discount applies to each group's sum, rounded once per group.
 *  - Prices entered HT: the group's base is its sum less its discount, and
 *    its VAT is computed on that base, never summed from lines.
 *  - Prices entered TTC: the group's TTC sum less its discount is what the
 *    customer was shown; its VAT is taken from it and the base is the rest,
 *    so base + VAT equals it to the cent. The group's HT before discount is
 *    spread over its lines in proportion to their TTC amounts (largest
 *    remainder), so that line nets add up as EN 16931 wants (BR-CO-10).
 *  - A subtotal line shows the sum of the item amounts since the previous
 *    section title or subtotal, as entered.
 */
#ifndef CPT_SALES_TOTALS_H
#define CPT_SALES_TOTALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPT_SALES_MAX_GROUPS 16

typedef enum {
	CPT_SALES_ITEM,
	CPT_SALES_TEXT,
	CPT_SALES_SECTION,
	CPT_SALES_SUBTOTAL
} cpt_sales_kind;

typedef struct cpt_sales_line {
	cpt_sales_kind kind;
	int64_t quantity;	  /* 1/1000 */
	int64_t unit_price;	  /* 1/10000, HT or TTC */
	int64_t discount;	  /* hundredths of a percent */
	int64_t vat_rate;	  /* hundredths of a percent */
	char vat_category[3];	  /* S, Z, E, AE, K, G, O */
	int64_t eco_contribution; /* per unit, 1/10000 */
	/* Results. */
	int64_t amount;	  /* cents, as entered */
	int64_t net;	  /* cents, HT */
	int64_t subtotal; /* subtotal lines: cents */
} cpt_sales_line;

typedef struct cpt_sales_group {
	int64_t rate;
	char category[3];
	int64_t lines_net; /* HT before the document discount */
	int64_t discount;  /* HT */
	int64_t base;	   /* HT after it */
	int64_t vat;
} cpt_sales_group;

typedef struct cpt_sales_totals {
	size_t n_groups; /* by rate descending, then category */
	cpt_sales_group groups[CPT_SALES_MAX_GROUPS];
	int64_t lines_net, discount_amount, net_total, vat_total, gross_total, eco_total;
} cpt_sales_totals;

/*
 * Computes lines[i].amount, .net and .subtotal and the totals. False on
 * overflow or more than CPT_SALES_MAX_GROUPS groups; *bad_line is then the
 * line at fault (or -1).
 */
bool cpt_sales_compute(cpt_sales_line *lines, size_t n, bool prices_include_vat,
		       int64_t discount_rate, cpt_sales_totals *t, long *bad_line);

#endif
