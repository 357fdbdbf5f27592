/*
 * Company identifiers and their check digits (see ident.h). Each validator
 * first compacts the text (separators dropped, letters upper-cased), then
 * checks, in this order, emptiness, characters, length and check digits, so
 * that the message points at the first thing the user has to fix.
 */
#include "ident.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SIREN_LEN 9
#define NIC_LEN 5
#define SIRET_LEN (SIREN_LEN + NIC_LEN)
#define BE_LEN 10
#define STRUCTCOMM_DIGITS 12

/* La Poste's SIREN, whose SIRETs follow their own rule (ident.h). */
static const char LA_POSTE_SIREN[] = "356000000";

#define WHAT_SIREN "SIREN"
#define WHAT_SIRET "SIRET"
#define WHAT_BE "Numéro d'entreprise"
#define WHAT_VAT "Numéro de TVA intracommunautaire"
#define WHAT_STRUCTCOMM "Communication structurée"
#define WHAT_IBAN "IBAN"
#define WHAT_BIC "BIC"

/* ==== Plumbing ========================================================== */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static char to_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static void clear(char *out)
{
	if (out)
		out[0] = '\0';
}

/* Byte length of a separator at p (ASCII space, tab, dot, dash, a character
 * of extra, U+00A0 or U+202F), or 0. */
static size_t separator_len(const char *p, const char *end, const char *extra)
{
	const unsigned char *u = (const unsigned char *)p;

	if (*p == ' ' || *p == '\t' || *p == '.' || *p == '-' || (extra && strchr(extra, *p)))
		return 1;
	if (end - p >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
		return 2;
	if (end - p >= 3 && u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0xAF)
		return 3;
	return 0;
}

/* Longer than any identifier here, so that a length error reports the true
 * count while the buffer stays bounded. */
#define COMPACT_MAX 40

/* The significant characters of a text, separators dropped. */
typedef struct compact {
	char s[COMPACT_MAX + 1]; /* upper-cased, NUL-terminated, truncated */
	size_t len;		 /* count, including those beyond COMPACT_MAX */
	const char *nondigit;	 /* first one that is not a digit, or NULL */
	const char *nonalnum;	 /* first one not an ASCII letter or digit, or NULL */
	const char *end;	 /* end of the span, for quoting */
} compact;

static void compact_span(const char *p, const char *end, const char *extra, compact *c)
{
	memset(c, 0, sizeof *c);
	c->end = end;
	while (p < end && *p) {
		size_t sep = separator_len(p, end, extra);
		char ch;

		if (sep) {
			p += sep;
			continue;
		}
		ch = to_upper(*p);
		if (!is_digit(ch) && !c->nondigit)
			c->nondigit = p;
		if (!is_digit(ch) && !is_upper(ch) && !c->nonalnum)
			c->nonalnum = p;
		if (c->len < COMPACT_MAX)
			c->s[c->len] = ch;
		c->len++;
		p++;
	}
	c->s[c->len < COMPACT_MAX ? c->len : COMPACT_MAX] = '\0';
}

static void compact_text(const char *text, const char *extra, compact *c)
{
	compact_span(text, text + strlen(text), extra, c);
}

/* Writes the character at p, quoted for a French message: « x ». A UTF-8
 * sequence is copied whole; control or malformed bytes are described. */
static void quote_char(const char *p, const char *end, char *buf, size_t size)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t n = 1;

	if (u[0] < 0x20 || u[0] == 0x7F) {
		snprintf(buf, size, "non imprimable");
		return;
	}
	if (u[0] >= 0xF0)
		n = 4;
	else if (u[0] >= 0xE0)
		n = 3;
	else if (u[0] >= 0xC0)
		n = 2;
	else if (u[0] >= 0x80)
		n = 0;
	for (size_t i = 1; i < n; i++) {
		if ((ptrdiff_t)i >= end - p || (u[i] & 0xC0) != 0x80)
			n = 0;
	}
	if (n == 0)
		snprintf(buf, size, "invalide (octet 0x%02X)", u[0]);
	else
		snprintf(buf, size, "« %.*s »", (int)n, p);
}

static int fail_char(cpt_status *st, const char *field, const char *what, const char *p,
		     const char *end, const char *allowed)
{
	char q[32];

	quote_char(p, end, q, sizeof q);
	return cpt_status_invalid(st, field, "%s : caractère %s non autorisé, %s.", what, q,
				  allowed);
}

/* Empty and character checks shared by the digit-only identifiers. */
static int check_digits(const compact *c, const char *what, const char *field, cpt_status *st)
{
	if (c->len == 0)
		return cpt_status_invalid(st, field, "%s : champ vide.", what);
	if (c->nondigit)
		return fail_char(st, field, what, c->nondigit, c->end,
				 "seuls les chiffres sont admis");
	return CPT_OK;
}

static bool luhn_ok(const char *digits, size_t n)
{
	int sum = 0;

	for (size_t i = 0; i < n; i++) {
		int d = digits[n - 1 - i] - '0';

		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

static uint64_t digits_value(const char *digits, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(digits[i] - '0');
	return v;
}

/* Past leading separators and a case-insensitive two-letter prefix, if the
 * text starts with it; text itself otherwise. */
static const char *skip_prefix(const char *text, const char prefix[2])
{
	const char *end = text + strlen(text);
	const char *p = text;
	size_t sep;

	while ((sep = separator_len(p, end, NULL)) != 0)
		p += sep;
	if (to_upper(p[0]) == prefix[0] && p[0] && to_upper(p[1]) == prefix[1])
		return p + 2;
	return text;
}

/* ==== France ============================================================ */

/* Validates into digits[SIREN_LEN + 1]. */
static int siren_check(const char *text, const char *field, char *digits, cpt_status *st)
{
	compact c;
	int rc;

	compact_text(text, NULL, &c);
	if ((rc = check_digits(&c, WHAT_SIREN, field, st)) != CPT_OK)
		return rc;
	if (c.len != SIREN_LEN)
		return cpt_status_invalid(st, field, "%s : %d chiffres attendus, %zu saisis.",
					  WHAT_SIREN, SIREN_LEN, c.len);
	if (!luhn_ok(c.s, SIREN_LEN))
		return cpt_status_invalid(
		    st, field, "%s : clé de contrôle incorrecte (algorithme de Luhn).", WHAT_SIREN);
	memcpy(digits, c.s, SIREN_LEN + 1);
	return CPT_OK;
}

int cpt_ident_siren_validate(const char *text, const char *field, char *out, cpt_status *st)
{
	char digits[SIREN_LEN + 1];
	int rc;

	clear(out);
	if ((rc = siren_check(text, field, digits, st)) != CPT_OK)
		return rc;
	if (out)
		memcpy(out, digits, sizeof digits);
	return cpt_status_reset(st);
}

static bool la_poste_ok(const char *digits)
{
	int sum = 0;

	if (memcmp(digits, LA_POSTE_SIREN, SIREN_LEN) != 0)
		return false;
	for (size_t i = 0; i < SIRET_LEN; i++)
		sum += digits[i] - '0';
	return sum % 5 == 0;
}

int cpt_ident_siret_validate(const char *text, const char *field, char *out, cpt_status *st)
{
	compact c;
	int rc;

	clear(out);
	compact_text(text, NULL, &c);
	if ((rc = check_digits(&c, WHAT_SIRET, field, st)) != CPT_OK)
		return rc;
	if (c.len != SIRET_LEN)
		return cpt_status_invalid(st, field, "%s : %d chiffres attendus, %zu saisis.",
					  WHAT_SIRET, SIRET_LEN, c.len);
	if (!luhn_ok(c.s, SIRET_LEN) && !la_poste_ok(c.s))
		return cpt_status_invalid(
		    st, field, "%s : clé de contrôle incorrecte (algorithme de Luhn).", WHAT_SIRET);
	if (out)
		memcpy(out, c.s, SIRET_LEN + 1);
	return cpt_status_reset(st);
}

int cpt_ident_siret_split(const char *text, const char *field, char *siren_out, char *nic_out,
			  cpt_status *st)
{
	char siret[CPT_IDENT_SIRET_SIZE];
	int rc;

	clear(siren_out);
	clear(nic_out);
	if ((rc = cpt_ident_siret_validate(text, field, siret, st)) != CPT_OK)
		return rc;
	if (siren_out) {
		memcpy(siren_out, siret, SIREN_LEN);
		siren_out[SIREN_LEN] = '\0';
	}
	if (nic_out)
		memcpy(nic_out, siret + SIREN_LEN, NIC_LEN + 1);
	return CPT_OK;
}

/* ==== Belgium =========================================================== */

/* Checks 9 or 10 digits already known to be digits and writes the 10-digit
 * form into out[BE_LEN + 1]. */
static int be_check(const char *digits, size_t len, const char *what, const char *field, char *out,
		    cpt_status *st)
{
	char n[BE_LEN + 1];

	if (len != BE_LEN && len != BE_LEN - 1)
		return cpt_status_invalid(
		    st, field,
		    "%s : %d chiffres attendus (ou %d dans l'ancienne forme), %zu saisis.", what,
		    BE_LEN, BE_LEN - 1, len);
	if (len == BE_LEN - 1) {
		n[0] = '0';
		memcpy(n + 1, digits, BE_LEN - 1);
	} else {
		memcpy(n, digits, BE_LEN);
	}
	n[BE_LEN] = '\0';
	if (n[0] != '0' && n[0] != '1')
		return cpt_status_invalid(st, field, "%s : le numéro doit commencer par 0 ou 1.",
					  what);
	if (97 - digits_value(n, 8) % 97 != digits_value(n + 8, 2))
		return cpt_status_invalid(st, field, "%s : clé de contrôle incorrecte (modulo 97).",
					  what);
	memcpy(out, n, sizeof n);
	return CPT_OK;
}

int cpt_ident_be_enterprise_validate(const char *text, const char *field, char *out, cpt_status *st)
{
	char n[BE_LEN + 1];
	compact c;
	int rc;

	clear(out);
	compact_text(skip_prefix(text, "BE"), NULL, &c);
	if ((rc = check_digits(&c, WHAT_BE, field, st)) != CPT_OK)
		return rc;
	if ((rc = be_check(c.s, c.len, WHAT_BE, field, n, st)) != CPT_OK)
		return rc;
	if (out)
		memcpy(out, n, sizeof n);
	return cpt_status_reset(st);
}

/* ==== Intra-EU VAT numbers ============================================== */

/*
 * Format of the other member states' numbers after the prefix, as VIES
 * publishes them. Check digits are deliberately not verified: each country
 * has its own algorithm (some several), and a wrong check would refuse a
 * customer's real number. In a pattern, 'd' is a digit, 'a' a letter, 'x'
 * either, anything else itself; '|' separates alternatives.
 */
static const struct vat_format {
	char country[3];
	const char *pattern;
	const char *expected; /* for the message */
} vat_formats[] = {
    {"AT", "Udddddddd", "U suivi de 8 chiffres"},
    {"BG", "ddddddddd|dddddddddd", "9 ou 10 chiffres"},
    {"CY", "dddddddda", "8 chiffres et une lettre"},
    {"CZ", "dddddddd|ddddddddd|dddddddddd", "8, 9 ou 10 chiffres"},
    {"DE", "ddddddddd", "9 chiffres"},
    {"DK", "dddddddd", "8 chiffres"},
    {"EE", "ddddddddd", "9 chiffres"},
    {"EL", "ddddddddd", "9 chiffres"},
    {"ES", "xdddddddx",
     "9 caractères : 7 chiffres entre un chiffre ou une lettre au début et "
     "à la fin"},
    {"FI", "dddddddd", "8 chiffres"},
    {"HR", "ddddddddddd", "11 chiffres"},
    {"HU", "dddddddd", "8 chiffres"},
    {"IE", "ddddddda|dddddddaa|daddddda", "7 chiffres et 1 ou 2 lettres"},
    {"IT", "ddddddddddd", "11 chiffres"},
    {"LT", "ddddddddd|dddddddddddd", "9 ou 12 chiffres"},
    {"LU", "dddddddd", "8 chiffres"},
    {"LV", "ddddddddddd", "11 chiffres"},
    {"MT", "dddddddd", "8 chiffres"},
    {"NL", "dddddddddBdd", "9 chiffres, la lettre B et 2 chiffres"},
    {"PL", "dddddddddd", "10 chiffres"},
    {"PT", "ddddddddd", "9 chiffres"},
    {"RO", "dd|ddd|dddd|ddddd|dddddd|ddddddd|dddddddd|ddddddddd|dddddddddd", "2 à 10 chiffres"},
    {"SE", "dddddddddd01", "12 chiffres terminés par 01"},
    {"SI", "dddddddd", "8 chiffres"},
    {"SK", "dddddddddd", "10 chiffres"},
    {"XI", "ddddddddd|dddddddddddd|GDddd|HAddd", "9 ou 12 chiffres, ou GD ou HA et 3 chiffres"},
};

static bool pattern_matches(const char *pattern, const char *s, size_t len)
{
	const char *alt = pattern;

	for (;;) {
		size_t alt_len = strcspn(alt, "|");
		bool ok = alt_len == len;

		for (size_t i = 0; ok && i < len; i++) {
			char p = alt[i], c = s[i];

			if (p == 'd')
				ok = is_digit(c);
			else if (p == 'a')
				ok = is_upper(c);
			else if (p == 'x')
				ok = is_digit(c) || is_upper(c);
			else
				ok = p == c;
		}
		if (ok)
			return true;
		if (alt[alt_len] == '\0')
			return false;
		alt += alt_len + 1;
	}
}

/* FR key of a SIREN: (12 + 3 x (SIREN mod 97)) mod 97. */
static unsigned vat_fr_key(const char *siren)
{
	return (unsigned)((12 + 3 * (digits_value(siren, SIREN_LEN) % 97)) % 97);
}

/* rest: the 11 characters after "FR". */
static int vat_fr_check(const char *rest, size_t len, const char *field, cpt_status *st)
{
	const char *siren = rest + 2;

	if (len != 2 + SIREN_LEN)
		return cpt_status_invalid(
		    st, field,
		    "%s : après FR, %d caractères attendus (clé à 2 chiffres et SIREN), "
		    "%zu saisis.",
		    WHAT_VAT, 2 + SIREN_LEN, len);
	if (!is_digit(rest[0]) || !is_digit(rest[1]))
		return cpt_status_invalid(
		    st, field,
		    "%s : clé alphanumérique « %.2s » non prise en charge, seules les clés "
		    "à 2 chiffres peuvent être vérifiées.",
		    WHAT_VAT, rest);
	for (size_t i = 0; i < SIREN_LEN; i++) {
		if (!is_digit(siren[i]))
			return cpt_status_invalid(
			    st, field,
			    "%s : caractère « %c » non autorisé dans le SIREN, seuls les "
			    "chiffres sont admis.",
			    WHAT_VAT, siren[i]);
	}
	/* Monaco's companies carry FR numbers whose "SIREN" starts 000 and is no
	 * SIREN; only the key applies to them. */
	if (memcmp(siren, "000", 3) != 0 && !luhn_ok(siren, SIREN_LEN))
		return cpt_status_invalid(st, field,
					  "%s : le SIREN %.9s a une clé de contrôle incorrecte.",
					  WHAT_VAT, siren);
	if (digits_value(rest, 2) != vat_fr_key(siren))
		return cpt_status_invalid(st, field,
					  "%s : la clé %.2s ne correspond pas au SIREN %.9s.",
					  WHAT_VAT, rest, siren);
	return CPT_OK;
}

int cpt_ident_vat_validate(const char *text, const char *field, char *out, cpt_status *st)
{
	char country[3], number[CPT_IDENT_VAT_SIZE - 2];
	const char *rest;
	size_t len;
	compact c;
	int rc;

	clear(out);
	compact_text(text, NULL, &c);
	if (c.len == 0)
		return cpt_status_invalid(st, field, "%s : champ vide.", WHAT_VAT);
	if (c.nonalnum)
		return fail_char(st, field, WHAT_VAT, c.nonalnum, c.end,
				 "seuls les lettres et les chiffres sont admis");
	if (c.len < 2 || !is_upper(c.s[0]) || !is_upper(c.s[1]))
		return cpt_status_invalid(
		    st, field, "%s : le préfixe de pays manque (FR, BE, DE…).", WHAT_VAT);
	if (c.len - 2 > CPT_IDENT_VAT_SIZE - 3)
		return cpt_status_invalid(
		    st, field, "%s : trop long (%zu caractères après le préfixe de pays).",
		    WHAT_VAT, c.len - 2);
	memcpy(country, c.s, 2);
	country[2] = '\0';
	if (strcmp(country, "GR") == 0)
		memcpy(country, "EL", 2);
	rest = c.s + 2;
	len = c.len - 2;
	memcpy(number, rest, len + 1);

	if (strcmp(country, "FR") == 0) {
		if ((rc = vat_fr_check(rest, len, field, st)) != CPT_OK)
			return rc;
	} else if (strcmp(country, "BE") == 0) {
		char be[BE_LEN + 1];

		for (size_t i = 0; i < len; i++) {
			if (!is_digit(rest[i]))
				return cpt_status_invalid(
				    st, field,
				    "%s : caractère « %c » non autorisé après BE, seuls les "
				    "chiffres sont admis.",
				    WHAT_VAT, rest[i]);
		}
		if ((rc = be_check(rest, len, WHAT_VAT, field, be, st)) != CPT_OK)
			return rc;
		memcpy(number, be, sizeof be);
	} else {
		const struct vat_format *f = NULL;

		for (size_t i = 0; i < sizeof vat_formats / sizeof vat_formats[0]; i++) {
			if (strcmp(vat_formats[i].country, country) == 0)
				f = &vat_formats[i];
		}
		if (!f)
			return cpt_status_invalid(
			    st, field, "%s : préfixe « %s » inconnu ou hors de l'Union européenne.",
			    WHAT_VAT, country);
		if (!pattern_matches(f->pattern, rest, len))
			return cpt_status_invalid(st, field,
						  "%s : format incorrect pour %s (attendu : %s).",
						  WHAT_VAT, country, f->expected);
	}
	if (out) {
		memcpy(out, country, 2);
		memcpy(out + 2, number, strlen(number) + 1);
	}
	return cpt_status_reset(st);
}

bool cpt_ident_vat_has_checksum(const char *vat)
{
	return strncmp(vat, "FR", 2) == 0 || strncmp(vat, "BE", 2) == 0;
}

int cpt_ident_vat_fr_from_siren(const char *siren, const char *field, char *out, cpt_status *st)
{
	char digits[SIREN_LEN + 1];
	int rc;

	clear(out);
	if ((rc = siren_check(siren, field, digits, st)) != CPT_OK)
		return rc;
	if (out)
		snprintf(out, CPT_IDENT_VAT_SIZE, "FR%02u%s", vat_fr_key(digits), digits);
	return cpt_status_reset(st);
}

int cpt_ident_vat_be_from_enterprise(const char *number, const char *field, char *out,
				     cpt_status *st)
{
	char n[CPT_IDENT_BE_ENTERPRISE_SIZE];
	int rc;

	clear(out);
	if ((rc = cpt_ident_be_enterprise_validate(number, field, n, st)) != CPT_OK)
		return rc;
	if (out)
		snprintf(out, CPT_IDENT_VAT_SIZE, "BE%s", n);
	return CPT_OK;
}

/* ==== Banks ============================================================= */

#define BIC_SHORT 8
#define BIC_LONG 11

/*
 * IBAN lengths by country, from the SWIFT IBAN registry. The French
 * overseas departments and territories use FR.
 */
static const struct iban_country {
	char code[3];
	unsigned char len;
} iban_countries[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28},
    {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31},
    {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

/* ISO 7064 MOD 97-10 over the rearranged IBAN, one digit (or letter, as
 * two digits) at a time so that the value never exceeds a few thousand. */
static unsigned iban_mod97(const char *iban, size_t len)
{
	unsigned r = 0;

	for (size_t k = 0; k < len; k++) {
		char c = iban[(k + 4) % len];

		if (is_digit(c))
			r = (r * 10 + (unsigned)(c - '0')) % 97;
		else
			r = (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
	}
	return r;
}

int cpt_ident_iban_validate(const char *text, const char *field, char *out, cpt_status *st)
{
	const struct iban_country *country = NULL;
	compact c;

	clear(out);
	compact_text(text, NULL, &c);
	if (c.len == 0)
		return cpt_status_invalid(st, field, "%s : champ vide.", WHAT_IBAN);
	if (c.nonalnum)
		return fail_char(st, field, WHAT_IBAN, c.nonalnum, c.end,
				 "seuls les lettres et les chiffres sont admis");
	if (c.len < 2 || !is_upper(c.s[0]) || !is_upper(c.s[1]))
		return cpt_status_invalid(
		    st, field, "%s : il commence par le code du pays (FR, BE…).", WHAT_IBAN);
	for (size_t i = 0; i < sizeof iban_countries / sizeof iban_countries[0]; i++) {
		if (memcmp(iban_countries[i].code, c.s, 2) == 0)
			country = &iban_countries[i];
	}
	if (!country)
		return cpt_status_invalid(st, field, "%s : pays « %.2s » inconnu du registre IBAN.",
					  WHAT_IBAN, c.s);
	if (c.len != country->len)
		return cpt_status_invalid(st, field,
					  "%s : %u caractères attendus pour %.2s, %zu saisis.",
					  WHAT_IBAN, country->len, c.s, c.len);
	if (!is_digit(c.s[2]) || !is_digit(c.s[3]))
		return cpt_status_invalid(
		    st, field, "%s : la clé (3e et 4e caractères) est faite de deux chiffres.",
		    WHAT_IBAN);
	if (memcmp(c.s + 2, "00", 2) == 0 || memcmp(c.s + 2, "01", 2) == 0 ||
	    memcmp(c.s + 2, "99", 2) == 0 || iban_mod97(c.s, c.len) != 1)
		return cpt_status_invalid(st, field, "%s : clé de contrôle incorrecte (modulo 97).",
					  WHAT_IBAN);
	if (out)
		memcpy(out, c.s, c.len + 1);
	return cpt_status_reset(st);
}

int cpt_ident_bic_validate(const char *text, const char *field, char *out, cpt_status *st)
{
	compact c;

	clear(out);
	compact_text(text, NULL, &c);
	if (c.len == 0)
		return cpt_status_invalid(st, field, "%s : champ vide.", WHAT_BIC);
	if (c.nonalnum)
		return fail_char(st, field, WHAT_BIC, c.nonalnum, c.end,
				 "seuls les lettres et les chiffres sont admis");
	if (c.len != BIC_SHORT && c.len != BIC_LONG)
		return cpt_status_invalid(st, field,
					  "%s : %d ou %d caractères attendus, %zu saisis.",
					  WHAT_BIC, BIC_SHORT, BIC_LONG, c.len);
	if (!is_upper(c.s[4]) || !is_upper(c.s[5]))
		return cpt_status_invalid(
		    st, field, "%s : les 5e et 6e caractères sont le code du pays (FR, BE…).",
		    WHAT_BIC);
	if (out)
		memcpy(out, c.s, c.len + 1);
	return cpt_status_reset(st);
}

/* ==== Belgian structured communication ================================== */

static unsigned structcomm_check(uint64_t base)
{
	unsigned r = (unsigned)(base % 97);

	return r == 0 ? 97 : r;
}

static void structcomm_write(const char *d, char *out)
{
	snprintf(out, CPT_IDENT_STRUCTCOMM_SIZE, "+++%.3s/%.4s/%.5s+++", d, d + 3, d + 7);
}

int cpt_ident_structcomm_make(uint64_t base, const char *field, char *out, cpt_status *st)
{
	char d[STRUCTCOMM_DIGITS + 1];

	clear(out);
	if (base > CPT_IDENT_STRUCTCOMM_BASE_MAX)
		return cpt_status_invalid(
		    st, field, "%s : base %" PRIu64 " trop grande (10 chiffres au plus).",
		    WHAT_STRUCTCOMM, base);
	snprintf(d, sizeof d, "%010" PRIu64 "%02u", base, structcomm_check(base));
	if (out)
		structcomm_write(d, out);
	return cpt_status_reset(st);
}

static bool is_blank(const char *p, const char *end)
{
	return separator_len(p, end, NULL) != 0 && *p != '.' && *p != '-';
}

int cpt_ident_structcomm_validate(const char *text, const char *field, char *out, cpt_status *st)
{
	const char *p = text, *end = text + strlen(text);
	compact c;
	int rc;

	clear(out);
	while (p < end && is_blank(p, end))
		p += separator_len(p, end, NULL);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end - p >= 3 && (memcmp(p, "+++", 3) == 0 || memcmp(p, "***", 3) == 0)) {
		if (end - p < 6 || memcmp(end - 3, p, 3) != 0)
			return cpt_status_invalid(st, field,
						  "%s : « %.3s » au début mais pas à la fin.",
						  WHAT_STRUCTCOMM, p);
		p += 3;
		end -= 3;
	}
	compact_span(p, end, "/", &c);
	if ((rc = check_digits(&c, WHAT_STRUCTCOMM, field, st)) != CPT_OK)
		return rc;
	if (c.len != STRUCTCOMM_DIGITS)
		return cpt_status_invalid(st, field, "%s : %d chiffres attendus, %zu saisis.",
					  WHAT_STRUCTCOMM, STRUCTCOMM_DIGITS, c.len);
	if (structcomm_check(digits_value(c.s, 10)) != digits_value(c.s + 10, 2))
		return cpt_status_invalid(st, field, "%s : clé de contrôle incorrecte (modulo 97).",
					  WHAT_STRUCTCOMM);
	if (out)
		structcomm_write(c.s, out);
	return cpt_status_reset(st);
}
