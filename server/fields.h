/*
 * Checks and normalisation of input fields shared by the handlers: each
 * returns 0 or fills st with INVALID_ARGUMENT naming the field, in French.
 * Normalised strings live in the call's arena.
 */
#ifndef CPT_FIELDS_H
#define CPT_FIELDS_H

#include "call.h"
#include "terms.h"

#include <stdbool.h>
#include <stddef.h>

/* At most max characters (not bytes). */
int cpt_field_len(const char *v, size_t max, const char *field, cpt_status *st);

/* Trimmed text of 1..max characters (required) or 0..max. */
int cpt_field_text(cpt_call *call, const char *v, size_t max, bool required, const char *field,
		   cpt_status *st, const char **out);

/*
 * A code: trimmed, upper-cased, 1..max of A-Z 0-9 . _ - (and / when
 * slash is true).
 */
int cpt_field_code(cpt_call *call, const char *v, size_t max, bool slash, const char *field,
		   cpt_status *st, const char **out);

/* An e-mail address ("" allowed): one @, a dot after it, no space; max characters. */
/* One address the outbox can send to, its domain with a dot. */
bool cpt_field_email_ok(const char *v);
int cpt_field_email(const char *v, size_t max, const char *field, cpt_status *st);
/* A date "YYYY-MM-DD"; "" leaves *set false. */
int cpt_field_date(const char *v, const char *field, cpt_status *st, cpt_date *out, bool *set);

/*
 * A barcode: digits only must be a GTIN (8, 12, 13 or 14 digits) with its
 * check digit; otherwise up to 48 printable ASCII characters (Code 128).
 */
int cpt_field_barcode(const char *v, const char *field, cpt_status *st);

/* A non-negative amount (price, quantity...). */
int cpt_field_not_negative(int64_t v, const char *field, cpt_status *st);

#endif
