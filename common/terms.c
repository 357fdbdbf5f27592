/*
 * Payment terms and due dates (see terms.h). Date arithmetic goes through a
 * day count since 1970-01-01 (H. Hinnant's days_from_civil and its inverse),
 * so that adding days never has to walk months by hand; "end of month" is
 * then the only month-aware step.
 */
#include "terms.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* L441-10 I of the Code de commerce. */
#define LEGAL_CAP_DAYS 60
#define LEGAL_CAP_EOM_DAYS 45

/* ==== Calendar dates ==================================================== */

bool cpt_date_is_leap_year(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int cpt_date_days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && cpt_date_is_leap_year(year))
		return 29;
	return days[month - 1];
}

bool cpt_date_valid(cpt_date d)
{
	return d.year >= CPT_DATE_YEAR_MIN && d.year <= CPT_DATE_YEAR_MAX && d.month >= 1 &&
	       d.month <= 12 && d.day >= 1 && d.day <= cpt_date_days_in_month(d.year, d.month);
}

int cpt_date_compare(cpt_date a, cpt_date b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	if (a.day != b.day)
		return a.day < b.day ? -1 : 1;
	return 0;
}

/* Days since 1970-01-01 of a valid date (years >= 1, so no negative eras). */
static long serial(cpt_date d)
{
	long y = d.year - (d.month <= 2);
	long era = y / 400;
	long yoe = y - era * 400; /* 0..399 */
	long doy =
	    (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1; /* from 1 March */
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;		    /* 0..146096 */

	return era * 146097 + doe - 719468;
}

static cpt_date from_serial(long z)
{
	long era, doe, yoe, y, doy, mp;
	cpt_date d;

	z += 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	d.year = (int)(y + (d.month <= 2));
	return d;
}

static bool serial_in_range(long z)
{
	return z >= serial((cpt_date){CPT_DATE_YEAR_MIN, 1, 1}) &&
	       z <= serial((cpt_date){CPT_DATE_YEAR_MAX, 12, 31});
}

bool cpt_date_add_days(cpt_date d, int days, cpt_date *out)
{
	long z;

	if (!cpt_date_valid(d))
		return false;
	z = serial(d) + days;
	if (!serial_in_range(z))
		return false;
	*out = from_serial(z);
	return true;
}

bool cpt_date_end_of_month(cpt_date d, cpt_date *out)
{
	if (!cpt_date_valid(d))
		return false;
	d.day = cpt_date_days_in_month(d.year, d.month);
	*out = d;
	return true;
}

bool cpt_date_days_between(cpt_date from, cpt_date to, int *days)
{
	if (!cpt_date_valid(from) || !cpt_date_valid(to))
		return false;
	*days = (int)(serial(to) - serial(from));
	return true;
}

/* ==== Payment terms ===================================================== */

bool cpt_terms_valid(cpt_terms t)
{
	switch (t.kind) {
	case CPT_TERMS_RECEIPT:
		return t.days == 0;
	case CPT_TERMS_NET:
	case CPT_TERMS_DAYS_THEN_EOM:
	case CPT_TERMS_EOM_THEN_DAYS:
		return t.days >= 1 && t.days <= CPT_TERMS_MAX_DAYS;
	case CPT_TERMS_NEXT_MONTH:
		return t.days >= 1 && t.days <= 31;
	}
	return false;
}

/* If s starts with word, the rest; NULL otherwise. */
static const char *after(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 ? s + n : NULL;
}

/* Reads 1 to 3 digits at *p into *n and advances; false if none. */
static bool read_number(const char **p, int *n)
{
	int v = 0, count = 0;

	while (**p >= '0' && **p <= '9' && count < 3) {
		v = v * 10 + (**p - '0');
		(*p)++;
		count++;
	}
	*n = v;
	return count > 0;
}

#define CODES_HINT "RECEIPT, NET30, NET30EOM, EOM45, NEXT10"

int cpt_terms_parse(const char *code, const char *field, cpt_terms *out, cpt_status *st)
{
	char buf[CPT_TERMS_CODE_SIZE];
	const char *p, *rest;
	size_t len = 0;
	cpt_terms t = {CPT_TERMS_RECEIPT, 0};

	while (*code == ' ' || *code == '\t')
		code++;
	for (p = code; *p && len < sizeof buf - 1; p++) {
		if (*p < 0x21 || *p > 0x7E)
			break;
		buf[len++] = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
	}
	buf[len] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (len == 0 && *p == '\0')
		return cpt_status_invalid(st, field, "Condition de paiement : champ vide.");
	if (*p != '\0')
		return cpt_status_invalid(
		    st, field, "Condition de paiement inconnue (codes admis : %s).", CODES_HINT);

	if (strcmp(buf, "RECEIPT") == 0) {
		t.kind = CPT_TERMS_RECEIPT;
		rest = "";
	} else if ((rest = after(buf, "NET")) != NULL) {
		if (!read_number(&rest, &t.days))
			goto unknown;
		t.kind = CPT_TERMS_NET;
		if (strcmp(rest, "EOM") == 0) {
			t.kind = CPT_TERMS_DAYS_THEN_EOM;
			rest += 3;
		}
	} else if ((rest = after(buf, "EOM")) != NULL) {
		if (!read_number(&rest, &t.days))
			goto unknown;
		t.kind = CPT_TERMS_EOM_THEN_DAYS;
	} else if ((rest = after(buf, "NEXT")) != NULL) {
		if (!read_number(&rest, &t.days))
			goto unknown;
		t.kind = CPT_TERMS_NEXT_MONTH;
	} else {
		goto unknown;
	}
	if (*rest != '\0')
		goto unknown;
	if (t.kind == CPT_TERMS_NEXT_MONTH && !cpt_terms_valid(t))
		return cpt_status_invalid(
		    st, field,
		    "Condition de paiement « %s » : jour du mois %d hors limites (1 à 31).", buf,
		    t.days);
	if (!cpt_terms_valid(t))
		return cpt_status_invalid(
		    st, field,
		    "Condition de paiement « %s » : délai de %d jours hors limites (1 à %d).", buf,
		    t.days, CPT_TERMS_MAX_DAYS);
	*out = t;
	return cpt_status_reset(st);

unknown:
	return cpt_status_invalid(st, field,
				  "Condition de paiement « %s » inconnue (codes admis : %s).", buf,
				  CODES_HINT);
}

/* snprintf into buf, or false with buf emptied when it does not fit. */
static bool put(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool put(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (size == 0)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		buf[0] = '\0';
		return false;
	}
	return true;
}

bool cpt_terms_format_code(cpt_terms t, char *buf, size_t size)
{
	if (!cpt_terms_valid(t)) {
		put(buf, size, "%s", "");
		return false;
	}
	switch (t.kind) {
	case CPT_TERMS_RECEIPT:
		return put(buf, size, "RECEIPT");
	case CPT_TERMS_NET:
		return put(buf, size, "NET%d", t.days);
	case CPT_TERMS_DAYS_THEN_EOM:
		return put(buf, size, "NET%dEOM", t.days);
	case CPT_TERMS_EOM_THEN_DAYS:
		return put(buf, size, "EOM%d", t.days);
	case CPT_TERMS_NEXT_MONTH:
		return put(buf, size, "NEXT%d", t.days);
	}
	return false;
}

bool cpt_terms_format_label(cpt_terms t, char *buf, size_t size)
{
	const char *s = t.days == 1 ? "" : "s";

	if (!cpt_terms_valid(t)) {
		put(buf, size, "%s", "");
		return false;
	}
	switch (t.kind) {
	case CPT_TERMS_RECEIPT:
		return put(buf, size, "À réception");
	case CPT_TERMS_NET:
		return put(buf, size, "%d jour%s", t.days, s);
	case CPT_TERMS_DAYS_THEN_EOM:
		return put(buf, size, "%d jour%s fin de mois", t.days, s);
	case CPT_TERMS_EOM_THEN_DAYS:
		return put(buf, size, "Fin de mois + %d jour%s", t.days, s);
	case CPT_TERMS_NEXT_MONTH:
		return put(buf, size, "Le %d%s du mois suivant", t.days, t.days == 1 ? "er" : "");
	}
	return false;
}

bool cpt_terms_due_date(cpt_terms t, cpt_date invoice, cpt_date *due)
{
	cpt_date d;

	if (!cpt_terms_valid(t) || !cpt_date_valid(invoice))
		return false;
	switch (t.kind) {
	case CPT_TERMS_RECEIPT:
		d = invoice;
		break;
	case CPT_TERMS_NET:
		if (!cpt_date_add_days(invoice, t.days, &d))
			return false;
		break;
	case CPT_TERMS_DAYS_THEN_EOM:
		if (!cpt_date_add_days(invoice, t.days, &d) || !cpt_date_end_of_month(d, &d))
			return false;
		break;
	case CPT_TERMS_EOM_THEN_DAYS:
		if (!cpt_date_end_of_month(invoice, &d) || !cpt_date_add_days(d, t.days, &d))
			return false;
		break;
	case CPT_TERMS_NEXT_MONTH:
		d.year = invoice.year + (invoice.month == 12);
		d.month = invoice.month == 12 ? 1 : invoice.month + 1;
		if (d.year > CPT_DATE_YEAR_MAX)
			return false;
		d.day = t.days;
		if (d.day > cpt_date_days_in_month(d.year, d.month))
			d.day = cpt_date_days_in_month(d.year, d.month);
		break;
	default:
		return false;
	}
	*due = d;
	return true;
}

/* ==== Legal cap ========================================================= */

bool cpt_terms_legal_cap(cpt_date invoice, bool eom_agreed, cpt_date *cap)
{
	const cpt_terms net = {CPT_TERMS_NET, LEGAL_CAP_DAYS};
	const cpt_terms eom[] = {{CPT_TERMS_DAYS_THEN_EOM, LEGAL_CAP_EOM_DAYS},
				 {CPT_TERMS_EOM_THEN_DAYS, LEGAL_CAP_EOM_DAYS}};
	cpt_date latest, d;

	if (!cpt_terms_due_date(net, invoice, &latest))
		return false;
	for (size_t i = 0; eom_agreed && i < sizeof eom / sizeof eom[0]; i++) {
		if (!cpt_terms_due_date(eom[i], invoice, &d))
			return false;
		if (cpt_date_compare(d, latest) > 0)
			latest = d;
	}
	*cap = latest;
	return true;
}

int cpt_terms_check_legal_cap(cpt_date invoice, cpt_date due, bool eom_agreed, const char *field,
			      cpt_date *cap, cpt_status *st)
{
	cpt_date c;

	if (!cpt_date_valid(invoice))
		return cpt_status_invalid(st, field, "Date de facture invalide.");
	if (!cpt_date_valid(due))
		return cpt_status_invalid(st, field, "Date d'échéance invalide.");
	/* A cap past 9999-12-31 cannot be exceeded. */
	if (!cpt_terms_legal_cap(invoice, eom_agreed, &c))
		return cpt_status_reset(st);
	if (cap)
		*cap = c;
	if (cpt_date_compare(due, c) > 0)
		return cpt_status_invalid(
		    st, field,
		    "Échéance du %02d/%02d/%04d au-delà du plafond légal du %02d/%02d/%04d "
		    "(%s, art. L441-10 du Code de commerce).",
		    due.day, due.month, due.year, c.day, c.month, c.year,
		    eom_agreed ? "60 jours après la date de facture ou 45 jours fin de mois"
			       : "60 jours après la date de facture");
	return cpt_status_reset(st);
}
