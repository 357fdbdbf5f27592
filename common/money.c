/*
 * Money arithmetic, VAT accumulation, French formatting and parsing (see
 * money.h for the rules). Products are taken in __int128 so that a line's
 * price x quantity x discount is exact before its single rounding; only the
 * final result is narrowed to int64_t, and only after a range check.
 */
#include "money.h"

#include <string.h>

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define I128_MAX ((i128)(((u128)1 << 127) - 1))

/* price (10^-4) x quantity (10^-3) is in 10^-7 units; cents are 10^-2, and the
 * discount factor adds another 10^-4: 10^(7-2+4). */
#define LINE_DIVISOR ((i128)1000000000)

static bool narrow(i128 v, int64_t *out)
{
	if (v > INT64_MAX || v < INT64_MIN)
		return false;
	*out = (int64_t)v;
	return true;
}

/* Half away from zero, so that a credit note mirrors its invoice to the cent
 * (round(-x) == -round(x)), which banker's rounding would not guarantee. */
static bool div_round(i128 num, i128 den, int64_t *out)
{
	if (den == 0)
		return false;
	if (den < 0) {
		/* |den| <= 2^63 by construction, so negating cannot overflow. */
		num = -num;
		den = -den;
	}
	i128 q = num / den;
	i128 r = num % den;
	i128 abs_r = r < 0 ? -r : r;
	if (abs_r >= den - abs_r)
		q += num < 0 ? -1 : 1;
	return narrow(q, out);
}

static bool valid_rate(int64_t rate_bp)
{
	return rate_bp >= 0 && rate_bp <= CPT_MONEY_RATE_MAX;
}

/* ==== Arithmetic ======================================================== */

bool cpt_money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool cpt_money_sub(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;
	if (__builtin_sub_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool cpt_money_mul(int64_t cents, int64_t factor, int64_t *out)
{
	int64_t r;
	if (__builtin_mul_overflow(cents, factor, &r))
		return false;
	*out = r;
	return true;
}

bool cpt_money_div_round(int64_t num, int64_t den, int64_t *out)
{
	return div_round(num, den, out);
}

bool cpt_money_percent(int64_t cents, int64_t bp, int64_t *out)
{
	/* Two int64_t multiply into at most 126 bits: exact in i128. */
	return div_round((i128)cents * bp, CPT_MONEY_RATE_SCALE, out);
}

bool cpt_money_line_net(int64_t unit_price4, int64_t qty3, int64_t discount_bp, int64_t *net_cents)
{
	if (discount_bp < 0 || discount_bp > CPT_MONEY_RATE_SCALE)
		return false;
	i128 gross = (i128)unit_price4 * qty3;
	i128 keep = CPT_MONEY_RATE_SCALE - discount_bp;
	/* The third factor can leave 128 bits; such a line is refused, not
	 * wrapped. keep == 0 (100 % discount) is always exact. */
	if (keep != 0 && (gross > I128_MAX / keep || gross < -(I128_MAX / keep)))
		return false;
	return div_round(gross * keep, LINE_DIVISOR, net_cents);
}

/* ==== VAT =============================================================== */

bool cpt_money_vat(int64_t net_cents, int64_t rate_bp, int64_t *vat_cents)
{
	if (!valid_rate(rate_bp))
		return false;
	return div_round((i128)net_cents * rate_bp, CPT_MONEY_RATE_SCALE, vat_cents);
}

bool cpt_money_vat_from_ttc(int64_t ttc_cents, int64_t rate_bp, int64_t *vat_cents)
{
	if (!valid_rate(rate_bp))
		return false;
	return div_round((i128)ttc_cents * rate_bp, CPT_MONEY_RATE_SCALE + rate_bp, vat_cents);
}

bool cpt_money_ht_from_ttc(int64_t ttc_cents, int64_t rate_bp, int64_t *ht_cents)
{
	int64_t vat;
	if (!cpt_money_vat_from_ttc(ttc_cents, rate_bp, &vat))
		return false;
	/* Rounding the HT directly would break HT + VAT == TTC on ties; the
	 * VAT is rounded and the HT is whatever remains. */
	return cpt_money_sub(ttc_cents, vat, ht_cents);
}

void cpt_money_vat_acc_init(cpt_money_vat_acc *acc, enum cpt_money_entry entry)
{
	memset(acc, 0, sizeof(*acc));
	acc->entry = entry;
}

bool cpt_money_vat_acc_add(cpt_money_vat_acc *acc, int64_t rate_bp, int64_t amount_cents)
{
	if (!valid_rate(rate_bp))
		return false;
	size_t i = 0;
	while (i < acc->count && acc->rates[i].rate_bp > rate_bp)
		i++;
	if (i < acc->count && acc->rates[i].rate_bp == rate_bp)
		return cpt_money_add(acc->rates[i].sum, amount_cents, &acc->rates[i].sum);
	if (acc->count == CPT_MONEY_VAT_MAX_RATES)
		return false;
	memmove(&acc->rates[i + 1], &acc->rates[i], (acc->count - i) * sizeof(acc->rates[0]));
	acc->rates[i].rate_bp = rate_bp;
	acc->rates[i].sum = amount_cents;
	acc->count++;
	return true;
}

size_t cpt_money_vat_acc_count(const cpt_money_vat_acc *acc)
{
	return acc->count;
}

bool cpt_money_vat_acc_get(const cpt_money_vat_acc *acc, size_t index, cpt_money_vat_subtotal *out)
{
	if (index >= acc->count)
		return false;
	cpt_money_vat_subtotal s = {.rate_bp = acc->rates[index].rate_bp};
	if (acc->entry == CPT_MONEY_ENTRY_TTC) {
		s.ttc = acc->rates[index].sum;
		if (!cpt_money_vat_from_ttc(s.ttc, s.rate_bp, &s.vat) ||
		    !cpt_money_sub(s.ttc, s.vat, &s.net))
			return false;
	} else {
		s.net = acc->rates[index].sum;
		if (!cpt_money_vat(s.net, s.rate_bp, &s.vat) ||
		    !cpt_money_add(s.net, s.vat, &s.ttc))
			return false;
	}
	*out = s;
	return true;
}

bool cpt_money_vat_acc_totals(const cpt_money_vat_acc *acc, int64_t *net, int64_t *vat,
			      int64_t *ttc)
{
	int64_t n = 0, v = 0, t = 0;
	for (size_t i = 0; i < acc->count; i++) {
		cpt_money_vat_subtotal s;
		if (!cpt_money_vat_acc_get(acc, i, &s) || !cpt_money_add(n, s.net, &n) ||
		    !cpt_money_add(v, s.vat, &v) || !cpt_money_add(t, s.ttc, &t))
			return false;
	}
	if (net)
		*net = n;
	if (vat)
		*vat = v;
	if (ttc)
		*ttc = t;
	return true;
}

/* ==== Formatting ======================================================== */

/*
 * Writes value / 10^digits with French separators, keeping at least
 * min_decimals decimals and trimming zeros beyond them.
 */
static bool format_fixed(int64_t value, int digits, int min_decimals, const char *suffix, char *buf,
			 size_t size)
{
	char out[CPT_MONEY_FORMAT_SIZE];
	char rev[24]; /* integer digits, least significant first */
	size_t len = 0, nrev = 0;
	/* Unsigned magnitude so that INT64_MIN formats too. */
	uint64_t mag = value < 0 ? -(uint64_t)value : (uint64_t)value;
	uint64_t scale = 1;
	for (int i = 0; i < digits; i++)
		scale *= 10;
	uint64_t whole = mag / scale, frac = mag % scale;

	do {
		rev[nrev++] = (char)('0' + whole % 10);
		whole /= 10;
	} while (whole != 0);

	if (value < 0)
		out[len++] = '-';
	for (size_t i = nrev; i-- > 0;) {
		out[len++] = rev[i];
		if (i != 0 && i % 3 == 0) {
			memcpy(out + len, CPT_MONEY_GROUP_SEP, sizeof(CPT_MONEY_GROUP_SEP) - 1);
			len += sizeof(CPT_MONEY_GROUP_SEP) - 1;
		}
	}

	char fd[8];
	for (int i = digits; i-- > 0;) {
		fd[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	int keep = digits;
	while (keep > min_decimals && fd[keep - 1] == '0')
		keep--;
	if (keep > 0) {
		out[len++] = ',';
		memcpy(out + len, fd, (size_t)keep);
		len += (size_t)keep;
	}

	size_t slen = strlen(suffix);
	if (len + slen + 1 > size) {
		if (size > 0)
			buf[0] = '\0';
		return false;
	}
	memcpy(buf, out, len);
	memcpy(buf + len, suffix, slen + 1);
	return true;
}

bool cpt_money_format(int64_t cents, char *buf, size_t size)
{
	return format_fixed(cents, CPT_MONEY_CENT_DIGITS, CPT_MONEY_CENT_DIGITS,
			    CPT_MONEY_CURRENCY_SEP CPT_MONEY_CURRENCY_SIGN, buf, size);
}

bool cpt_money_format_plain(int64_t cents, char *buf, size_t size)
{
	return format_fixed(cents, CPT_MONEY_CENT_DIGITS, CPT_MONEY_CENT_DIGITS, "", buf, size);
}

bool cpt_money_format_price(int64_t unit_price4, char *buf, size_t size)
{
	return format_fixed(unit_price4, CPT_MONEY_PRICE_DIGITS, CPT_MONEY_CENT_DIGITS, "", buf,
			    size);
}

bool cpt_money_format_qty(int64_t qty3, char *buf, size_t size)
{
	return format_fixed(qty3, CPT_MONEY_QTY_DIGITS, 0, "", buf, size);
}

/* ==== Parsing =========================================================== */

/* Length of the blank at s (space, U+00A0 or U+202F), 0 if none. */
static size_t blank_len(const char *s)
{
	if (s[0] == ' ')
		return 1;
	if (strncmp(s, CPT_MONEY_CURRENCY_SEP, sizeof(CPT_MONEY_CURRENCY_SEP) - 1) == 0)
		return sizeof(CPT_MONEY_CURRENCY_SEP) - 1;
	if (strncmp(s, CPT_MONEY_GROUP_SEP, sizeof(CPT_MONEY_GROUP_SEP) - 1) == 0)
		return sizeof(CPT_MONEY_GROUP_SEP) - 1;
	return 0;
}

static const char *skip_blanks(const char *s)
{
	size_t n;
	while ((n = blank_len(s)) != 0)
		s += n;
	return s;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool push_digit(uint64_t *mag, char c)
{
	return !__builtin_mul_overflow(*mag, 10, mag) &&
	       !__builtin_add_overflow(*mag, (uint64_t)(c - '0'), mag);
}

/* Reads a run of digits into mag; returns the number read, -1 on overflow. */
static int digit_run(const char **s, uint64_t *mag)
{
	int n = 0;
	while (is_digit(**s)) {
		if (!push_digit(mag, **s))
			return -1;
		(*s)++;
		n++;
	}
	return n;
}

static bool parse_fixed(const char *text, int digits, bool currency, int64_t *out)
{
	if (text == NULL)
		return false;
	const char *s = skip_blanks(text);
	bool neg = false;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';

	uint64_t mag = 0;
	int n = digit_run(&s, &mag);
	if (n <= 0)
		return false;
	/* A blank followed by a digit is a thousands separator: the groups
	 * must then be 1-3 digits followed by exact threes, else "12 34" could
	 * be two numbers run together. */
	bool grouped = false;
	size_t sep;
	while ((sep = blank_len(s)) != 0 && is_digit(s[sep])) {
		if (!grouped && n > 3)
			return false;
		grouped = true;
		s += sep;
		n = digit_run(&s, &mag);
		if (n != 3)
			return false;
	}

	int decimals = 0;
	if (*s == ',' || *s == '.') {
		s++;
		decimals = digit_run(&s, &mag);
		if (decimals <= 0 || decimals > digits)
			return false;
	}
	for (; decimals < digits; decimals++)
		if (__builtin_mul_overflow(mag, 10, &mag))
			return false;

	s = skip_blanks(s);
	if (currency &&
	    strncmp(s, CPT_MONEY_CURRENCY_SIGN, sizeof(CPT_MONEY_CURRENCY_SIGN) - 1) == 0)
		s = skip_blanks(s + sizeof(CPT_MONEY_CURRENCY_SIGN) - 1);
	if (*s != '\0')
		return false;

	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return false;
		*out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		if (mag > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)mag;
	}
	return true;
}

bool cpt_money_parse(const char *text, int64_t *cents)
{
	return parse_fixed(text, CPT_MONEY_CENT_DIGITS, true, cents);
}

bool cpt_money_parse_price(const char *text, int64_t *unit_price4)
{
	return parse_fixed(text, CPT_MONEY_PRICE_DIGITS, true, unit_price4);
}

bool cpt_money_parse_qty(const char *text, int64_t *qty3)
{
	return parse_fixed(text, CPT_MONEY_QTY_DIGITS, false, qty3);
}
