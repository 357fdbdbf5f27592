/*
 * Payment terms and due dates. Dates are plain calendar dates (proleptic
 * Gregorian, years 1..9999): no time of day, no time zone, so a due date is
 * the same wherever it is computed.
 *
 * Kinds of terms, with their code (stored) and French label (printed):
 *
 *   RECEIPT       "RECEIPT"   "À réception"             the invoice date
 *   NET           "NET30"     "30 jours"                invoice date + N days
 *   DAYS_THEN_EOM "NET30EOM"  "30 jours fin de mois"    invoice date + N days,
 *                                                       then end of that month
 *   EOM_THEN_DAYS "EOM45"     "Fin de mois + 45 jours"  end of the invoice
 *                                                       month, then + N days
 *   NEXT_MONTH    "NEXT10"    "Le 10 du mois suivant"   day N of the following
 *                                                       month (the last day if
 *                                                       that month is shorter)
 *
 * "45 jours fin de mois" is read both ways in France, and the DGCCRF accepts
 * both: either add 45 days to the invoice date and go to the end of that month
 * (DAYS_THEN_EOM: 10 January 2025 -> 24 February -> 28 February), or go to the
 * end of the invoice month and add 45 days (EOM_THEN_DAYS: 10 January 2025 ->
 * 31 January -> 17 March).
 * They are distinct kinds here so that a document says which it applies; the
 * label "N jours fin de mois" is DAYS_THEN_EOM's.
 *
 * Legal cap (France, Code de commerce art. L441-10 I, between businesses):
 * payment is due at most 60 days after the invoice date, or, by derogation
 * expressly stipulated in the contract, 45 days end of month (either reading).
 * Other caps (transport, perishable foods, public buyers...) and Belgian law
 * are not checked here.
 */
#ifndef CPT_TERMS_H
#define CPT_TERMS_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

/* ---- Calendar dates --------------------------------------------------- */

#define CPT_DATE_YEAR_MIN 1
#define CPT_DATE_YEAR_MAX 9999

typedef struct cpt_date {
	int year;  /* CPT_DATE_YEAR_MIN..CPT_DATE_YEAR_MAX */
	int month; /* 1..12 */
	int day;   /* 1..cpt_date_days_in_month() */
} cpt_date;

/* Gregorian: every 4th year, but not centuries unless divisible by 400. */
bool cpt_date_is_leap_year(int year);
/* 28..31, or 0 if month is not 1..12. */
int cpt_date_days_in_month(int year, int month);
bool cpt_date_valid(cpt_date d);
/* Negative, zero or positive as a is before, on or after b. */
int cpt_date_compare(cpt_date a, cpt_date b);

/*
 * Each returns false, leaving its output untouched, when a date is invalid or
 * the result leaves years 1..9999.
 */
/* d + days (days may be negative). */
bool cpt_date_add_days(cpt_date d, int days, cpt_date *out);
/* The last day of d's month. */
bool cpt_date_end_of_month(cpt_date d, cpt_date *out);
/* to - from, in days. */
bool cpt_date_days_between(cpt_date from, cpt_date to, int *days);

/* ---- Payment terms ---------------------------------------------------- */

enum cpt_terms_kind {
	CPT_TERMS_RECEIPT = 0,
	CPT_TERMS_NET = 1,
	CPT_TERMS_DAYS_THEN_EOM = 2,
	CPT_TERMS_EOM_THEN_DAYS = 3,
	CPT_TERMS_NEXT_MONTH = 4,
};

#define CPT_TERMS_MAX_DAYS 365
#define CPT_TERMS_CODE_SIZE 16	/* "NET365EOM", NUL included, with room */
#define CPT_TERMS_LABEL_SIZE 48 /* "Fin de mois + 365 jours", UTF-8 */

typedef struct cpt_terms {
	enum cpt_terms_kind kind;
	int days; /* 0 for RECEIPT; 1..CPT_TERMS_MAX_DAYS for NET and the EOM
		     kinds; the day of the month, 1..31, for NEXT_MONTH */
} cpt_terms;

bool cpt_terms_valid(cpt_terms t);

/*
 * Parses a code ("RECEIPT", "NET30", "NET30EOM", "EOM45", "NEXT10"), case
 * and surrounding spaces ignored. Returns CPT_OK, or CPT_INVALID_ARGUMENT
 * with a French message on field (out untouched); st may be NULL.
 */
int cpt_terms_parse(const char *code, const char *field, cpt_terms *out, cpt_status *st);

/* Write the canonical code, or the French label (UTF-8). False, leaving buf
 * empty (if size > 0), for invalid terms or a buffer too small; the _SIZE
 * constants always suffice. */
bool cpt_terms_format_code(cpt_terms t, char *buf, size_t size);
bool cpt_terms_format_label(cpt_terms t, char *buf, size_t size);

/* The due date of an invoice dated invoice; false on invalid terms or date. */
bool cpt_terms_due_date(cpt_terms t, cpt_date invoice, cpt_date *due);

/*
 * The latest due date L441-10 allows for an invoice dated invoice: invoice +
 * 60 days; with eom_agreed (the contract stipulates 45 days end of month),
 * the latest of that and both readings of 45 days end of month. False on an
 * invalid date.
 */
bool cpt_terms_legal_cap(cpt_date invoice, bool eom_agreed, cpt_date *cap);

/*
 * CPT_OK when due is on or before the legal cap; otherwise
 * CPT_INVALID_ARGUMENT on field with a French message giving the cap, or
 * saying which date is invalid. cap (may be NULL) receives the cap whenever
 * it could be computed (not past 9999-12-31). st may be NULL.
 */
int cpt_terms_check_legal_cap(cpt_date invoice, cpt_date due, bool eom_agreed, const char *field,
			      cpt_date *cap, cpt_status *st);

#endif
