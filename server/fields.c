/* Shared input checks: see fields.h. */
#include "fields.h"
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

int cpt_field_len(const char *v, size_t max, const char *field, cpt_status *st)
{
	if (g_utf8_strlen(v, -1) > (glong)max) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field, "%zu caractères au plus",
				      max);
	}
	return 0;
}

int cpt_field_text(cpt_call *call, const char *v, size_t max, bool required, const char *field,
		   cpt_status *st, const char **out)
{
	char *s = cpt_call_strdup(call, v ? v : "");
	g_strstrip(s);
	if (required && !*s) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field, "champ obligatoire");
	}
	if (cpt_field_len(s, max, field, st)) {
		return st->code;
	}
	*out = s;
	return 0;
}

bool cpt_field_email_ok(const char *v)
{
	/* What the outbox will send to (one address, no spaces nor separators),
	 * with a domain that has a dot. */
	return cpt_config_mail_address_ok(v) && strchr(strchr(v, '@'), '.');
}

int cpt_field_email(const char *v, size_t max, const char *field, cpt_status *st)
{
	if (*v && !cpt_field_email_ok(v)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field, "adresse e-mail invalide");
	}
	return cpt_field_len(v, max, field, st);
}

int cpt_field_code(cpt_call *call, const char *v, size_t max, bool slash, const char *field,
		   cpt_status *st, const char **out)
{
	char *code = cpt_call_strdup(call, v ? v : "");
	g_strstrip(code);
	bool ok = *code && strlen(code) <= max;
	for (char *c = code; ok && *c; c++) {
		*c = g_ascii_toupper(*c);
		ok = g_ascii_isalnum(*c) || *c == '_' || *c == '-' || *c == '.' ||
		     (slash && *c == '/');
	}
	if (!ok) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field,
				      "code obligatoire : %zu lettres, chiffres, . _ -%s au plus",
				      max, slash ? " /" : "");
	}
	*out = code;
	return 0;
}

int cpt_field_date(const char *v, const char *field, cpt_status *st, cpt_date *out, bool *set)
{
	*set = false;
	if (!v || !*v) {
		return 0;
	}
	cpt_date d;
	char tail;
	if (strlen(v) != 10 || sscanf(v, "%4d-%2d-%2d%c", &d.year, &d.month, &d.day, &tail) != 3 ||
	    v[4] != '-' || v[7] != '-' || !cpt_date_valid(d)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field,
				      "date invalide (AAAA-MM-JJ attendu)");
	}
	*out = d;
	*set = true;
	return 0;
}

int cpt_field_barcode(const char *v, const char *field, cpt_status *st)
{
	size_t n = strlen(v);
	bool digits = n > 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < 0x20 || v[i] > 0x7e) {
			return cpt_status_set(
			    st, CPT_INVALID_ARGUMENT, field,
			    "code-barres : caractères ASCII imprimables seulement");
		}
		digits = digits && g_ascii_isdigit(v[i]);
	}
	if (n > 48) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field,
				      "code-barres : 48 caractères au plus");
	}
	if (!digits) {
		return 0;
	}
	if (n != 8 && n != 12 && n != 13 && n != 14) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field,
				      "code-barres EAN/GTIN : 8, 12, 13 ou 14 chiffres");
	}
	/* GTIN: weights 3 and 1 from the right, the check digit excluded. */
	int sum = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		int w = ((n - 1 - i) % 2 == 1) ? 3 : 1;
		sum += (v[i] - '0') * w;
	}
	if ((10 - sum % 10) % 10 != v[n - 1] - '0') {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field,
				      "code-barres : clé de contrôle invalide");
	}
	return 0;
}

int cpt_field_not_negative(int64_t v, const char *field, cpt_status *st)
{
	if (v < 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field,
				      "la valeur ne peut pas être négative");
	}
	return 0;
}
