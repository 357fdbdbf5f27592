/*
 * Money arithmetic, VAT and French formatting. Every amount in Comptoir goes
 * through here so that rounding happens in one place and one way: half away
 * from zero, once, on exact integer intermediates (__int128). Amounts are
 * int64_t cents, unit prices 1/10000, quantities 1/1000, rates and discounts
 * hundredths of a percent. Nothing here allocates, prints or aborts: what can
 * overflow or be invalid returns false and leaves its output untouched.
 *
 * Exact totals, both ways (never mix them within one document):
 *
 *  - Prices entered HT (tax-exclusive). Each line net is rounded once
 *    (cpt_money_line_net). Per rate, the nets are summed and the VAT is
 *    rounded once on that sum (cpt_money_vat), as EN 16931 requires; the
 *    document's TTC is then net + VAT per rate, summed. The sum of rounded
 *    line VATs is never used: it drifts by a cent per line.
 *
 *  - Prices entered TTC (tax-inclusive, e.g. retail). Each line TTC is
 *    rounded once (cpt_money_line_net applied to the TTC unit price). Per
 *    rate, the TTC sum is the reference, because it is what the customer was
 *    shown: vat = round(ttc * rate / (10000 + rate)) and net = ttc - vat
 *    (cpt_money_vat_from_ttc, cpt_money_ht_from_ttc), so net + vat == ttc to
 *    the cent.
 *
 * cpt_money_vat_acc does either bookkeeping for a whole document.
 */
#ifndef CPT_MONEY_H
#define CPT_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPT_MONEY_CENT_DIGITS 2
#define CPT_MONEY_PRICE_DIGITS 4
#define CPT_MONEY_QTY_DIGITS 3
#define CPT_MONEY_PRICE_SCALE 10000 /* unit price units per currency unit */
#define CPT_MONEY_QTY_SCALE 1000    /* quantity units per unit */
#define CPT_MONEY_RATE_SCALE 10000  /* basis points in 100 % */
#define CPT_MONEY_RATE_MAX CPT_MONEY_RATE_SCALE

/* Enough for any int64_t amount, price or quantity, sign and "€" included. */
#define CPT_MONEY_FORMAT_SIZE 48

/* UTF-8 separators of CLDR "fr": narrow no-break space between thousands,
 * no-break space before the currency sign. */
#define CPT_MONEY_GROUP_SEP "\xE2\x80\xAF"
#define CPT_MONEY_CURRENCY_SEP "\xC2\xA0"
#define CPT_MONEY_CURRENCY_SIGN "\xE2\x82\xAC"

/* ---- Arithmetic ------------------------------------------------------ */

bool cpt_money_add(int64_t a, int64_t b, int64_t *out);
bool cpt_money_sub(int64_t a, int64_t b, int64_t *out);
/* Cents times a whole factor (e.g. a count of instalments). */
bool cpt_money_mul(int64_t cents, int64_t factor, int64_t *out);
/* round(num / den), half away from zero; false if den is 0 or on overflow. */
bool cpt_money_div_round(int64_t num, int64_t den, int64_t *out);
/* round(cents * bp / 10000): bp = 550 gives 5.5 % of the amount. */
bool cpt_money_percent(int64_t cents, int64_t bp, int64_t *out);

/*
 * round(unit_price4 * qty3 * (10000 - discount_bp) / 10^9) in cents, rounded
 * once. Price and quantity may be negative (credit notes, returns); the
 * discount must lie in 0..10000. Works the same for HT and TTC unit prices.
 */
bool cpt_money_line_net(int64_t unit_price4, int64_t qty3, int64_t discount_bp, int64_t *net_cents);

/* ---- VAT ------------------------------------------------------------- */

/* round(net * rate / 10000); rate in 0..CPT_MONEY_RATE_MAX. Feed it the sum of
 * a rate's nets, not one line. */
bool cpt_money_vat(int64_t net_cents, int64_t rate_bp, int64_t *vat_cents);
/* round(ttc * rate / (10000 + rate)): the VAT contained in a TTC sum. */
bool cpt_money_vat_from_ttc(int64_t ttc_cents, int64_t rate_bp, int64_t *vat_cents);
/* ttc - cpt_money_vat_from_ttc(ttc), so that HT + VAT == TTC exactly. */
bool cpt_money_ht_from_ttc(int64_t ttc_cents, int64_t rate_bp, int64_t *ht_cents);

#define CPT_MONEY_VAT_MAX_RATES 16

enum cpt_money_entry {
	CPT_MONEY_ENTRY_HT = 0,	 /* amounts added are nets */
	CPT_MONEY_ENTRY_TTC = 1, /* amounts added are tax-inclusive */
};

/* One line of the VAT breakdown; all cents. */
typedef struct cpt_money_vat_subtotal {
	int64_t rate_bp;
	int64_t net;
	int64_t vat;
	int64_t ttc;
} cpt_money_vat_subtotal;

/* Plain value, no resources: copy it, or put it on the stack. */
typedef struct cpt_money_vat_acc {
	enum cpt_money_entry entry;
	size_t count;
	struct {
		int64_t rate_bp;
		int64_t sum; /* cents, net or TTC according to entry */
	} rates[CPT_MONEY_VAT_MAX_RATES];
} cpt_money_vat_acc;

void cpt_money_vat_acc_init(cpt_money_vat_acc *acc, enum cpt_money_entry entry);
/* Adds a line amount (net or TTC per entry) to its rate. False, with acc
 * unchanged, on an invalid rate, a 17th distinct rate or overflow. */
bool cpt_money_vat_acc_add(cpt_money_vat_acc *acc, int64_t rate_bp, int64_t amount_cents);
/* Number of distinct rates; subtotals are ordered by decreasing rate so that
 * a document's breakdown does not depend on the order of its lines. */
size_t cpt_money_vat_acc_count(const cpt_money_vat_acc *acc);
bool cpt_money_vat_acc_get(const cpt_money_vat_acc *acc, size_t index, cpt_money_vat_subtotal *out);
/* Document totals: sums of the per-rate subtotals. Any pointer may be NULL. */
bool cpt_money_vat_acc_totals(const cpt_money_vat_acc *acc, int64_t *net, int64_t *vat,
			      int64_t *ttc);

/* ---- Formatting (French, CLDR "fr") ---------------------------------- */

/*
 * Each writes a NUL-terminated UTF-8 string and returns false, leaving buf
 * empty (if size > 0), when it does not fit. CPT_MONEY_FORMAT_SIZE always
 * suffices. Negative values start with "-".
 */
/* "-1 234,56 €" */
bool cpt_money_format(int64_t cents, char *buf, size_t size);
/* "-1 234,56", for columns whose header carries the currency. */
bool cpt_money_format_plain(int64_t cents, char *buf, size_t size);
/* Unit price, at least 2 decimals, trailing zeros beyond trimmed:
 * 125000 -> "12,50", 123450 -> "12,345". No currency sign. */
bool cpt_money_format_price(int64_t unit_price4, char *buf, size_t size);
/* Quantity, trailing zeros trimmed: 1500 -> "1,5", 2000 -> "2". */
bool cpt_money_format_qty(int64_t qty3, char *buf, size_t size);

/* ---- Parsing ---------------------------------------------------------- */

/*
 * Accept what people type or paste: optional "-" or "+", digits grouped by
 * threes with a space, U+00A0 or U+202F (or not grouped), "," or "." as the
 * decimal mark, surrounding spaces, and for amounts and prices an optional
 * trailing "€". Reject empty or malformed text, more decimals than the unit
 * holds (never silently rounded) and values beyond int64_t.
 */
bool cpt_money_parse(const char *text, int64_t *cents);
bool cpt_money_parse_price(const char *text, int64_t *unit_price4);
bool cpt_money_parse_qty(const char *text, int64_t *qty3);

#endif
