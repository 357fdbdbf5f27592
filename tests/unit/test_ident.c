/*
 * Unit tests for common/ident.[ch]. Every valid number is checked by hand in
 * the comment beside it (Luhn sums, mod-97 remainders), so that the tests do
 * not merely repeat what the code computes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ident.h"

#define NBSP "\xC2\xA0"
#define NNBSP "\xE2\x80\xAF"

/* Fails the test unless rc and st say OK. */
static void assert_ok(int rc, const cpt_status *st)
{
	if (rc != CPT_OK)
		fail_msg("refused: %s", st->message);
	assert_int_equal(st->code, CPT_OK);
}

/* Fails the test unless rc and st refuse the input on field, with a message
 * containing part, and out (if any) was left empty. */
static void assert_refused(int rc, const cpt_status *st, const char *field, const char *part,
			   const char *out)
{
	assert_int_equal(rc, CPT_INVALID_ARGUMENT);
	assert_int_equal(st->code, CPT_INVALID_ARGUMENT);
	assert_string_equal(st->field, field);
	if (!strstr(st->message, part))
		fail_msg("message \"%s\" lacks \"%s\"", st->message, part);
	if (out)
		assert_string_equal(out, "");
}

static void assert_siren(const char *text, const char *expected)
{
	char out[CPT_IDENT_SIREN_SIZE];
	cpt_status st = CPT_STATUS_OK;
	assert_ok(cpt_ident_siren_validate(text, "siren", out, &st), &st);
	assert_string_equal(out, expected);
}

static void assert_siret(const char *text, const char *expected)
{
	char out[CPT_IDENT_SIRET_SIZE];
	cpt_status st = CPT_STATUS_OK;
	assert_ok(cpt_ident_siret_validate(text, "siret", out, &st), &st);
	assert_string_equal(out, expected);
}

static void assert_be(const char *text, const char *expected)
{
	char out[CPT_IDENT_BE_ENTERPRISE_SIZE];
	cpt_status st = CPT_STATUS_OK;
	assert_ok(cpt_ident_be_enterprise_validate(text, "bce", out, &st), &st);
	assert_string_equal(out, expected);
}

static void assert_vat(const char *text, const char *expected)
{
	char out[CPT_IDENT_VAT_SIZE];
	cpt_status st = CPT_STATUS_OK;
	assert_ok(cpt_ident_vat_validate(text, "vat", out, &st), &st);
	assert_string_equal(out, expected);
}

static void assert_vat_refused(const char *text, const char *part)
{
	char out[CPT_IDENT_VAT_SIZE] = "junk";
	cpt_status st = CPT_STATUS_OK;
	assert_refused(cpt_ident_vat_validate(text, "vat", out, &st), &st, "vat", part, out);
}

static void assert_structcomm(const char *text, const char *expected)
{
	char out[CPT_IDENT_STRUCTCOMM_SIZE];
	cpt_status st = CPT_STATUS_OK;
	assert_ok(cpt_ident_structcomm_validate(text, "comm", out, &st), &st);
	assert_string_equal(out, expected);
}

static void assert_structcomm_made(uint64_t base, const char *expected)
{
	char out[CPT_IDENT_STRUCTCOMM_SIZE];
	cpt_status st = CPT_STATUS_OK;
	assert_ok(cpt_ident_structcomm_make(base, "comm", out, &st), &st);
	assert_string_equal(out, expected);
}

/* ==== SIREN ============================================================= */

static void siren_accepts_luhn_valid_numbers(void **state)
{
	(void)state;
	/* 7 3 2 8 2 9 3 2 0: doubling every second digit from the right
	 * (2, 9, 8, 3 -> 4, 9, 7, 6) gives 26, the others 0+3+2+2+7 = 14;
	 * 40 is a multiple of 10. */
	assert_siren("732829320", "732829320");
	/* 4 0 4 8 3 3 0 4 8: doubled 4, 3, 8, 0 -> 8, 6, 7, 0 = 21, others
	 * 8+0+3+4+4 = 19; 40. */
	assert_siren("404833048", "404833048");
	/* La Poste's SIREN: doubled 0, 0, 0, 5 -> 0+0+0+1, others 0+0+0+6+3 = 9; 10. */
	assert_siren("356000000", "356000000");
}

static void siren_strips_spaces_dots_dashes_and_no_break_spaces(void **state)
{
	(void)state;
	assert_siren("732 829 320", "732829320");
	assert_siren("  732.829.320\t", "732829320");
	assert_siren("732-829-320", "732829320");
	assert_siren("732" NBSP "829" NBSP "320", "732829320");
	assert_siren("732" NNBSP "829" NNBSP "320", "732829320");
}

static void siren_rejects_a_wrong_check_digit(void **state)
{
	(void)state;
	char out[CPT_IDENT_SIREN_SIZE] = "junk";
	cpt_status st = CPT_STATUS_OK;
	/* Last digit 0 -> 1 adds 1 to the sum: 41. */
	assert_refused(cpt_ident_siren_validate("732829321", "siren", out, &st), &st, "siren",
		       "clé de contrôle", out);
	/* Two neighbours swapped: 7 3 2 8 2 9 3 0 2 sums to 7+6+2+7+2+9+3+0+2 = 38. */
	assert_refused(cpt_ident_siren_validate("732829302", "siren", out, &st), &st, "siren",
		       "Luhn", out);
}

static void siren_rejects_wrong_lengths_and_empty_text(void **state)
{
	(void)state;
	char out[CPT_IDENT_SIREN_SIZE] = "junk";
	cpt_status st = CPT_STATUS_OK;
	assert_refused(cpt_ident_siren_validate("73282932", "siren", out, &st), &st, "siren",
		       "9 chiffres attendus, 8 saisis", out);
	assert_refused(cpt_ident_siren_validate("7328293200", "siren", out, &st), &st, "siren",
		       "10 saisis", out);
	/* A long paste still reports its true length. */
	assert_refused(
	    cpt_ident_siren_validate("7328293207328293207328293207328293207328", "siren", out, &st),
	    &st, "siren", "40 saisis", out);
	assert_refused(cpt_ident_siren_validate("", "siren", out, &st), &st, "siren", "champ vide",
		       out);
	assert_refused(cpt_ident_siren_validate(" . - ", "siren", out, &st), &st, "siren",
		       "champ vide", out);
}

static void siren_rejects_letters_and_names_the_character(void **state)
{
	(void)state;
	char out[CPT_IDENT_SIREN_SIZE] = "junk";
	cpt_status st = CPT_STATUS_OK;
	assert_refused(cpt_ident_siren_validate("73282932A", "siren", out, &st), &st, "siren",
		       "caractère « A » non autorisé", out);
	/* Reported as typed, before any length complaint. */
	assert_refused(cpt_ident_siren_validate("7x", "siren", out, &st), &st, "siren", "« x »",
		       out);
	assert_refused(cpt_ident_siren_validate("732829320€", "siren", out, &st), &st, "siren",
		       "« € »", out);
	assert_refused(cpt_ident_siren_validate("732\n829320", "siren", out, &st), &st, "siren",
		       "non imprimable", out);
	assert_refused(cpt_ident_siren_validate("732\xFF"
						"829320",
						"siren", out, &st),
		       &st, "siren", "0xFF", out);
}

static void validators_accept_null_output_and_null_status(void **state)
{
	(void)state;
	assert_int_equal(cpt_ident_siren_validate("732829320", "siren", NULL, NULL), CPT_OK);
	assert_int_equal(cpt_ident_siren_validate("732829321", "siren", NULL, NULL),
			 CPT_INVALID_ARGUMENT);
	assert_int_equal(cpt_ident_vat_validate("FR44732829320", NULL, NULL, NULL), CPT_OK);
	assert_int_equal(cpt_ident_structcomm_validate("x", NULL, NULL, NULL),
			 CPT_INVALID_ARGUMENT);
}

static void success_resets_a_previous_error(void **state)
{
	(void)state;
	cpt_status st = CPT_STATUS_OK;
	assert_int_equal(cpt_ident_siren_validate("1", "siren", NULL, &st), CPT_INVALID_ARGUMENT);
	assert_ok(cpt_ident_siren_validate("732829320", "siren", NULL, &st), &st);
	assert_string_equal(st.message, "");
	assert_string_equal(st.field, "");
}

/* ==== SIRET ============================================================= */

static void siret_accepts_luhn_valid_numbers(void **state)
{
	(void)state;
	/* 7 3 2 8 2 9 3 2 0 0 0 0 7 4: doubled (odd places from the right)
	 * 7, 2, 2, 3, 0, 0, 7 -> 5, 4, 4, 6, 0, 0, 5 = 24; the others
	 * 3+8+9+2+0+0+4 = 26; 50. */
	assert_siret("732 829 320 00074", "73282932000074");
	/* 4 0 4 8 3 3 0 4 8 0 0 0 1 4: doubled 4, 4, 3, 0, 8, 0, 1 -> 8, 8, 6,
	 * 0, 7, 0, 2 = 31; others 0+8+3+4+0+0+4 = 19; 50. */
	assert_siret("404.833.048.00014", "40483304800014");
}

static void siret_follows_the_la_poste_exception(void **state)
{
	(void)state;
	char out[CPT_IDENT_SIRET_SIZE] = "junk";
	cpt_status st = CPT_STATUS_OK;
	/* 3 5 6 0 0 0 0 0 0 0 0 1 0 0 fails Luhn (doubled 3, 6 -> 6, 3; others
	 * 5+1; 15) but its digits sum to 3+5+6+1 = 15, a multiple of 5. */
	assert_siret("356 000 000 00100", "35600000000100");
	/* The head office, 35600000000048, passes Luhn (6+3+8 + 5+8 = 30) though
	 * its digits sum to 26. */
	assert_siret("35600000000048", "35600000000048");
	/* Neither: Luhn fails and 3+5+6+1+2+3+4+5 = 29. */
	assert_refused(cpt_ident_siret_validate("35600000012345", "siret", out, &st), &st, "siret",
		       "clé de contrôle", out);
	/* The exception is La Poste's only: 40483304800010 sums to 35 but fails
	 * Luhn (doubled 4, 4, 3, 0, 8, 0, 1 -> 31, others 0+8+3+4+0+0+0 = 15;
	 * 46). */
	assert_refused(cpt_ident_siret_validate("40483304800010", "siret", out, &st), &st, "siret",
		       "clé de contrôle", out);
}

static void siret_rejects_wrong_lengths_letters_and_check_digits(void **state)
{
	(void)state;
	char out[CPT_IDENT_SIRET_SIZE] = "junk";
	cpt_status st = CPT_STATUS_OK;
	assert_refused(cpt_ident_siret_validate("732829320", "etab", out, &st), &st, "etab",
		       "14 chiffres attendus, 9 saisis", out);
	assert_refused(cpt_ident_siret_validate("7328293200007", "etab", out, &st), &st, "etab",
		       "13 saisis", out);
	assert_refused(cpt_ident_siret_validate("73282932O00074", "etab", out, &st), &st, "etab",
		       "« O »", out);
	assert_refused(cpt_ident_siret_validate("73282932000075", "etab", out, &st), &st, "etab",
		       "clé de contrôle", out);
	assert_refused(cpt_ident_siret_validate("", "etab", out, &st), &st, "etab", "champ vide",
		       out);
}

static void siret_split_gives_siren_and_nic(void **state)
{
	(void)state;
	char siren[CPT_IDENT_SIREN_SIZE], nic[CPT_IDENT_NIC_SIZE];
	cpt_status st = CPT_STATUS_OK;
	assert_ok(cpt_ident_siret_split("732 829 320 00074", "siret", siren, nic, &st), &st);
	assert_string_equal(siren, "732829320");
	assert_string_equal(nic, "00074");
	assert_ok(cpt_ident_siret_split("35600000000100", "siret", NULL, nic, &st), &st);
	assert_string_equal(nic, "00100");
	assert_ok(cpt_ident_siret_split("40483304800014", "siret", siren, NULL, &st), &st);
	assert_string_equal(siren, "404833048");

	assert_refused(cpt_ident_siret_split("73282932000075", "siret", siren, nic, &st), &st,
		       "siret", "clé de contrôle", siren);
	assert_string_equal(nic, "");
}

/* ==== Belgian enterprise number ======================================== */

static void be_enterprise_accepts_mod97_valid_numbers(void **state)
{
	(void)state;
	/* 04031707 = 4031707 = 97 x 41563 + 96; 97 - 96 = 1 -> "01". */
	assert_be("0403.170.701", "0403170701");
	assert_be("0403 170 701", "0403170701");
	/* 2022399 = 97 x 20849 + 46; 97 - 46 = 51. */
	assert_be("0202.239.951", "0202239951");
	/* The newer numbers start with 1: 10000000 = 97 x 103092 + 76; 97 - 76 = 21. */
	assert_be("1000.000.021", "1000000021");
	/* 97 = 97 x 1 + 0: the check is 97 - 0 = 97, never 00. */
	assert_be("0000.009.797", "0000009797");
}

static void be_enterprise_takes_the_old_nine_digit_form_and_a_be_prefix(void **state)
{
	(void)state;
	assert_be("403.170.701", "0403170701");
	assert_be("BE 0403.170.701", "0403170701");
	assert_be("be0403170701", "0403170701");
	assert_be("BE403170701", "0403170701");
}

static void be_enterprise_rejects_bad_checks_lengths_and_first_digits(void **state)
{
	(void)state;
	char out[CPT_IDENT_BE_ENTERPRISE_SIZE] = "junk";
	cpt_status st = CPT_STATUS_OK;
	assert_refused(cpt_ident_be_enterprise_validate("0403.170.702", "bce", out, &st), &st,
		       "bce", "modulo 97", out);
	assert_refused(cpt_ident_be_enterprise_validate("0000.000.000", "bce", out, &st), &st,
		       "bce", "modulo 97", out);
	assert_refused(cpt_ident_be_enterprise_validate("2403.170.701", "bce", out, &st), &st,
		       "bce", "commencer par 0 ou 1", out);
	assert_refused(cpt_ident_be_enterprise_validate("40317070", "bce", out, &st), &st, "bce",
		       "10 chiffres attendus (ou 9 dans l'ancienne forme), 8 saisis", out);
	assert_refused(cpt_ident_be_enterprise_validate("04031707011", "bce", out, &st), &st, "bce",
		       "11 saisis", out);
	assert_refused(cpt_ident_be_enterprise_validate("0403/170/701", "bce", out, &st), &st,
		       "bce", "« / »", out);
	assert_refused(cpt_ident_be_enterprise_validate("BE", "bce", out, &st), &st, "bce",
		       "champ vide", out);
}

/* ==== VAT numbers ======================================================= */

static void vat_fr_checks_the_key_against_the_siren(void **state)
{
	(void)state;
	/* 732829320 = 97 x 7554941 + 43; (12 + 3 x 43) mod 97 = 141 - 97 = 44. */
	assert_vat("FR 44 732 829 320", "FR44732829320");
	/* 404833048 = 97 x 4173536 + 56; (12 + 168) mod 97 = 83. */
	assert_vat("fr83404833048", "FR83404833048");
	assert_vat("FR-83-404.833.048", "FR83404833048");
	assert_vat_refused("FR45732829320", "la clé 45 ne correspond pas au SIREN 732829320");
	assert_vat_refused("FR00732829320", "ne correspond pas");
}

static void vat_fr_rejects_a_bad_siren_lengths_and_letter_keys(void **state)
{
	(void)state;
	/* 732829321 mod 97 = 44, key (12 + 132) mod 97 = 47: right key, but
	 * the SIREN fails Luhn. */
	assert_vat_refused("FR47732829321", "le SIREN 732829321 a une clé de contrôle incorrecte");
	assert_vat_refused("FR4473282932", "11 caractères attendus");
	assert_vat_refused("FR447328293200", "12 saisis");
	assert_vat_refused("FRA1732829320", "clé alphanumérique « A1 » non prise en charge");
	assert_vat_refused("FR4473282932X", "« X »");
}

static void vat_fr_accepts_monaco_numbers_on_their_key_alone(void **state)
{
	(void)state;
	/* 000123456 fails Luhn (doubled 0, 1, 3, 5 -> 0+2+6+1 = 9, others
	 * 0+0+2+4+6 = 12; 21) but Monaco's numbers are no SIRENs.
	 * 123456 = 97 x 1272 + 72; (12 + 216) mod 97 = 228 - 194 = 34. */
	assert_vat("FR34000123456", "FR34000123456");
	assert_vat_refused("FR35000123456", "ne correspond pas");
}

static void vat_be_checks_the_enterprise_number(void **state)
{
	(void)state;
	assert_vat("BE0403170701", "BE0403170701");
	assert_vat("BE 0403.170.701", "BE0403170701");
	assert_vat("be 403 170 701", "BE0403170701"); /* old form: BE0 + 9 digits */
	assert_vat("BE1000000021", "BE1000000021");
	assert_vat_refused("BE0403170702", "modulo 97");
	assert_vat_refused("BE2403170701", "commencer par 0 ou 1");
	assert_vat_refused("BE04031707", "8 saisis");
	assert_vat_refused("BE0403170A01", "« A » non autorisé après BE");
}

static void vat_other_countries_are_checked_for_format_only(void **state)
{
	(void)state;
	/* Check digits deliberately ignored: DE123456789 is not a real number. */
	assert_vat("DE 123 456 789", "DE123456789");
	assert_vat("LU12345678", "LU12345678");
	assert_vat("nl123456789b01", "NL123456789B01");
	assert_vat("ATU12345678", "ATU12345678");
	assert_vat("ESX1234567X", "ESX1234567X");
	assert_vat("ESA12345678", "ESA12345678");
	assert_vat("IT12345678901", "IT12345678901");
	assert_vat("IE1234567WA", "IE1234567WA");
	assert_vat("SE123456789001", "SE123456789001");
	assert_vat("RO12", "RO12");
	assert_vat("XIGD123", "XIGD123");
	assert_vat("GR123456789", "EL123456789"); /* Greece's VAT prefix is EL */
	assert_false(cpt_ident_vat_has_checksum("DE123456789"));
	assert_true(cpt_ident_vat_has_checksum("FR44732829320"));
	assert_true(cpt_ident_vat_has_checksum("BE0403170701"));

	assert_vat_refused("DE12345678", "format incorrect pour DE (attendu : 9 chiffres)");
	assert_vat_refused("NL123456789A01", "format incorrect pour NL");
	assert_vat_refused("AT12345678", "format incorrect pour AT");
	assert_vat_refused("LU1234567A", "format incorrect pour LU");
	assert_vat_refused("SE123456789002", "format incorrect pour SE");
	assert_vat_refused("RO1", "format incorrect pour RO");
	assert_vat_refused("RO12345678901", "format incorrect pour RO");
}

static void vat_rejects_unknown_or_missing_prefixes_and_bad_characters(void **state)
{
	(void)state;
	assert_vat_refused("GB123456789", "préfixe « GB » inconnu");
	assert_vat_refused("US123456789", "hors de l'Union européenne");
	assert_vat_refused("123456789", "le préfixe de pays manque");
	assert_vat_refused("F", "le préfixe de pays manque");
	assert_vat_refused("", "champ vide");
	assert_vat_refused("FR44/732829320", "« / »");
	assert_vat_refused("DE1234567890123456789", "trop long");
}

static void vat_is_derived_from_siren_and_enterprise_number(void **state)
{
	(void)state;
	char out[CPT_IDENT_VAT_SIZE] = "junk";
	cpt_status st = CPT_STATUS_OK;
	assert_ok(cpt_ident_vat_fr_from_siren("732 829 320", "siren", out, &st), &st);
	assert_string_equal(out, "FR44732829320");
	assert_ok(cpt_ident_vat_fr_from_siren("404833048", "siren", out, &st), &st);
	assert_string_equal(out, "FR83404833048");
	/* 356000000 = 97 x 3670103 + 9; (12 + 27) mod 97 = 39, written on 2 digits. */
	assert_ok(cpt_ident_vat_fr_from_siren("356000000", "siren", out, &st), &st);
	assert_string_equal(out, "FR39356000000");
	assert_refused(cpt_ident_vat_fr_from_siren("732829321", "siren", out, &st), &st, "siren",
		       "clé de contrôle", out);

	assert_ok(cpt_ident_vat_be_from_enterprise("403.170.701", "bce", out, &st), &st);
	assert_string_equal(out, "BE0403170701");
	assert_refused(cpt_ident_vat_be_from_enterprise("0403.170.702", "bce", out, &st), &st,
		       "bce", "modulo 97", out);
}

static void vat_fr_keys_below_ten_keep_their_leading_zero(void **state)
{
	(void)state;
	/* Look for a valid SIREN with key < 10 and see it written "FR0k". */
	char siren[CPT_IDENT_SIREN_SIZE], out[CPT_IDENT_VAT_SIZE];
	cpt_status st = CPT_STATUS_OK;
	int found = 0;
	for (unsigned n = 100000000; n < 100002000 && !found; n++) {
		snprintf(siren, sizeof siren, "%u", n);
		if (cpt_ident_siren_validate(siren, "siren", NULL, NULL) != CPT_OK)
			continue;
		if ((12 + 3 * (n % 97)) % 97 >= 10)
			continue;
		assert_ok(cpt_ident_vat_fr_from_siren(siren, "siren", out, &st), &st);
		assert_int_equal(strlen(out), 13);
		assert_int_equal(out[2], '0');
		assert_ok(cpt_ident_vat_validate(out, "vat", NULL, &st), &st);
		found = 1;
	}
	assert_true(found);
}

/* ==== IBAN and BIC ====================================================== */

static void assert_iban(const char *text, const char *expected)
{
	char out[CPT_IDENT_IBAN_SIZE];
	cpt_status st = CPT_STATUS_OK;
	assert_ok(cpt_ident_iban_validate(text, "iban", out, &st), &st);
	assert_string_equal(out, expected);
}

static void assert_iban_refused(const char *text, const char *part)
{
	char out[CPT_IDENT_IBAN_SIZE] = "junk";
	cpt_status st = CPT_STATUS_OK;
	assert_refused(cpt_ident_iban_validate(text, "iban", out, &st), &st, "iban", part, out);
}

static void iban_accepts_mod97_valid_numbers_of_their_country_length(void **state)
{
	(void)state;
	/* BE68 5390 0754 7034: moved, 539007547034 B E 6 8 reads
	 * 539007547034111468, which is 97 x 5556778835403211 + 1. */
	assert_iban("BE68 5390 0754 7034", "BE68539007547034");
	/* The others are the registry's own examples, each leaving 1 mod 97. */
	assert_iban("FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189");
	assert_iban("fr76-3000-6000-0112-3456-7890-189", "FR7630006000011234567890189");
	assert_iban("DE89 3704 0044 0532 0130 00", "DE89370400440532013000");
	assert_iban("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432");
	assert_iban("CH93 0076 2011 6238 5295 7", "CH9300762011623852957");
	assert_iban("MC58 1122 2000 0101 2345 6789 030", "MC5811222000010123456789030");
	assert_iban("NO93 8601 1117 947", "NO9386011117947"); /* the shortest, 15 */
	assert_iban("LC55 HEMM 0001 0001 0012 0012 0002 3015", "LC55HEMM000100010012001200023015");
	assert_iban("BE68" NBSP "5390" NNBSP "0754 7034", "BE68539007547034");
}

static void iban_rejects_a_wrong_check_and_the_keys_never_issued(void **state)
{
	(void)state;
	/* Last digit 9 -> 8: the rearranged number loses 1, remainder 0. */
	assert_iban_refused("FR76 3000 6000 0112 3456 7890 188", "clé de contrôle incorrecte");
	/* Two digits swapped. */
	assert_iban_refused("BE68 5390 0754 7043", "modulo 97");
	/* 98 and 01 differ by 97: BE01 passes the remainder test like BE98
	 * would, but 01 is never issued. BE68 -> BE01 changes the remainder. */
	assert_iban_refused("BE01 5390 0754 7034", "modulo 97");
	assert_iban_refused("BE00 5390 0754 7034", "modulo 97");
	assert_iban_refused("BE99 5390 0754 7034", "modulo 97");
	assert_iban_refused("BEAB 5390 0754 7034", "deux chiffres");
}

static void iban_refuses_01_even_when_the_remainder_is_right(void **state)
{
	(void)state;
	/* Search a BBAN for which key 98 is right: key 01 then leaves the same
	 * remainder (98 - 01 = 97) and must still be refused. */
	char iban[CPT_IDENT_IBAN_SIZE];
	int found = 0;
	for (unsigned long long n = 0; n < 200 && !found; n++) {
		snprintf(iban, sizeof iban, "BE98%012llu", 539007547000ULL + n);
		if (cpt_ident_iban_validate(iban, "iban", NULL, NULL) != CPT_OK)
			continue;
		iban[2] = '0';
		iban[3] = '1';
		assert_iban_refused(iban, "clé de contrôle");
		found = 1;
	}
	assert_true(found);
}

static void iban_rejects_lengths_countries_and_characters(void **state)
{
	(void)state;
	assert_iban_refused("FR76 3000 6000 0112 3456 7890 18",
			    "27 caractères attendus pour FR, 26 saisis");
	assert_iban_refused("BE68 5390 0754 7034 0", "16 caractères attendus pour BE, 17 saisis");
	assert_iban_refused("US12 3456 7890 1234", "pays « US » inconnu");
	assert_iban_refused("7630006000011234567890189", "code du pays");
	assert_iban_refused("FR76/3000", "« / »");
	assert_iban_refused("", "champ vide");
	assert_iban_refused(" - ", "champ vide");
}

static void assert_bic(const char *text, const char *expected)
{
	char out[CPT_IDENT_BIC_SIZE];
	cpt_status st = CPT_STATUS_OK;
	assert_ok(cpt_ident_bic_validate(text, "bic", out, &st), &st);
	assert_string_equal(out, expected);
}

static void bic_accepts_eight_or_eleven_characters(void **state)
{
	(void)state;
	assert_bic("AGRIFRPP", "AGRIFRPP");
	assert_bic("agri fr pp xxx", "AGRIFRPPXXX");
	assert_bic("GEBABEBB", "GEBABEBB");
	assert_bic("GKCCBEBB", "GKCCBEBB");
	assert_bic("CCBPFRPPNAN", "CCBPFRPPNAN");
	assert_bic("DEUTDEFF500", "DEUTDEFF500");
}

static void bic_rejects_lengths_countries_and_characters(void **state)
{
	(void)state;
	char out[CPT_IDENT_BIC_SIZE] = "junk";
	cpt_status st = CPT_STATUS_OK;
	assert_refused(cpt_ident_bic_validate("AGRIFRP", "bic", out, &st), &st, "bic",
		       "8 ou 11 caractères attendus, 7 saisis", out);
	assert_refused(cpt_ident_bic_validate("AGRIFRPPXX", "bic", out, &st), &st, "bic",
		       "10 saisis", out);
	assert_refused(cpt_ident_bic_validate("AGRIFRPPXXXX", "bic", out, &st), &st, "bic",
		       "12 saisis", out);
	assert_refused(cpt_ident_bic_validate("AGRI12PP", "bic", out, &st), &st, "bic",
		       "code du pays", out);
	assert_refused(cpt_ident_bic_validate("AGRI_FRPP", "bic", out, &st), &st, "bic", "« _ »",
		       out);
	assert_refused(cpt_ident_bic_validate("", "bic", out, &st), &st, "bic", "champ vide", out);
}

/* ==== Structured communication ========================================== */

static void structcomm_make_appends_mod97_check(void **state)
{
	(void)state;
	assert_structcomm_made(1, "+++000/0000/00101+++");
	/* 1234567890 = 97 x 12727504 + 2. */
	assert_structcomm_made(1234567890, "+++123/4567/89002+++");
	/* 9999999999 = 97 x 103092783 + 48. */
	assert_structcomm_made(CPT_IDENT_STRUCTCOMM_BASE_MAX, "+++999/9999/99948+++");
}

static void structcomm_make_writes_97_when_the_remainder_is_zero(void **state)
{
	(void)state;
	assert_structcomm_made(0, "+++000/0000/00097+++");
	assert_structcomm_made(97, "+++000/0000/09797+++");
	assert_structcomm_made(9700000000, "+++970/0000/00097+++");
}

static void structcomm_make_refuses_more_than_ten_digits(void **state)
{
	(void)state;
	char out[CPT_IDENT_STRUCTCOMM_SIZE] = "junk";
	cpt_status st = CPT_STATUS_OK;
	assert_refused(
	    cpt_ident_structcomm_make(CPT_IDENT_STRUCTCOMM_BASE_MAX + 1, "invoice", out, &st), &st,
	    "invoice", "10 chiffres au plus", out);
}

static void structcomm_validate_accepts_both_delimiters_and_bare_digits(void **state)
{
	(void)state;
	assert_structcomm("+++123/4567/89002+++", "+++123/4567/89002+++");
	assert_structcomm("***123/4567/89002***", "+++123/4567/89002+++");
	assert_structcomm("123456789002", "+++123/4567/89002+++");
	assert_structcomm("  +++ 123 / 4567 / 89002 +++ ", "+++123/4567/89002+++");
	assert_structcomm("123.4567.89002", "+++123/4567/89002+++");
	assert_structcomm("+++000/0000/09797+++", "+++000/0000/09797+++");
	assert_structcomm("+++000/0000/00097+++", "+++000/0000/00097+++");
}

static void structcomm_validate_rejects_bad_checks_lengths_and_delimiters(void **state)
{
	(void)state;
	char out[CPT_IDENT_STRUCTCOMM_SIZE] = "junk";
	cpt_status st = CPT_STATUS_OK;
	assert_refused(cpt_ident_structcomm_validate("+++123/4567/89003+++", "comm", out, &st), &st,
		       "comm", "clé de contrôle incorrecte (modulo 97)", out);
	/* Base 0 checks as 97, never 00. */
	assert_refused(cpt_ident_structcomm_validate("+++000/0000/00000+++", "comm", out, &st), &st,
		       "comm", "modulo 97", out);
	assert_refused(cpt_ident_structcomm_validate("+++123/4567/8900+++", "comm", out, &st), &st,
		       "comm", "12 chiffres attendus, 11 saisis", out);
	assert_refused(cpt_ident_structcomm_validate("+++123/4567/89002***", "comm", out, &st), &st,
		       "comm", "« +++ » au début mais pas à la fin", out);
	assert_refused(cpt_ident_structcomm_validate("+++", "comm", out, &st), &st, "comm",
		       "pas à la fin", out);
	assert_refused(cpt_ident_structcomm_validate("123/4567/89002+++", "comm", out, &st), &st,
		       "comm", "« + »", out);
	assert_refused(cpt_ident_structcomm_validate("+++12A/4567/89002+++", "comm", out, &st), &st,
		       "comm", "« A »", out);
	assert_refused(cpt_ident_structcomm_validate("   ", "comm", out, &st), &st, "comm",
		       "champ vide", out);
}

static void structcomm_make_then_validate_round_trips(void **state)
{
	(void)state;
	char made[CPT_IDENT_STRUCTCOMM_SIZE], back[CPT_IDENT_STRUCTCOMM_SIZE];
	cpt_status st = CPT_STATUS_OK;
	/* A sweep that lands on many multiples of 97 (step 97 x 10309 + 1). */
	for (uint64_t base = 0; base <= CPT_IDENT_STRUCTCOMM_BASE_MAX; base += 999974) {
		assert_ok(cpt_ident_structcomm_make(base, "comm", made, &st), &st);
		assert_ok(cpt_ident_structcomm_validate(made, "comm", back, &st), &st);
		assert_string_equal(made, back);
	}
	for (uint64_t base = 9700; base < 9700 + 300; base++) {
		assert_ok(cpt_ident_structcomm_make(base, "comm", made, &st), &st);
		made[0] = made[1] = made[2] = '*';
		made[17] = made[18] = made[19] = '*';
		assert_ok(cpt_ident_structcomm_validate(made, "comm", back, &st), &st);
		assert_int_equal(back[0], '+');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(siren_accepts_luhn_valid_numbers),
	    cmocka_unit_test(siren_strips_spaces_dots_dashes_and_no_break_spaces),
	    cmocka_unit_test(siren_rejects_a_wrong_check_digit),
	    cmocka_unit_test(siren_rejects_wrong_lengths_and_empty_text),
	    cmocka_unit_test(siren_rejects_letters_and_names_the_character),
	    cmocka_unit_test(validators_accept_null_output_and_null_status),
	    cmocka_unit_test(success_resets_a_previous_error),
	    cmocka_unit_test(siret_accepts_luhn_valid_numbers),
	    cmocka_unit_test(siret_follows_the_la_poste_exception),
	    cmocka_unit_test(siret_rejects_wrong_lengths_letters_and_check_digits),
	    cmocka_unit_test(siret_split_gives_siren_and_nic),
	    cmocka_unit_test(be_enterprise_accepts_mod97_valid_numbers),
	    cmocka_unit_test(be_enterprise_takes_the_old_nine_digit_form_and_a_be_prefix),
	    cmocka_unit_test(be_enterprise_rejects_bad_checks_lengths_and_first_digits),
	    cmocka_unit_test(vat_fr_checks_the_key_against_the_siren),
	    cmocka_unit_test(vat_fr_rejects_a_bad_siren_lengths_and_letter_keys),
	    cmocka_unit_test(vat_fr_accepts_monaco_numbers_on_their_key_alone),
	    cmocka_unit_test(vat_be_checks_the_enterprise_number),
	    cmocka_unit_test(vat_other_countries_are_checked_for_format_only),
	    cmocka_unit_test(vat_rejects_unknown_or_missing_prefixes_and_bad_characters),
	    cmocka_unit_test(vat_is_derived_from_siren_and_enterprise_number),
	    cmocka_unit_test(vat_fr_keys_below_ten_keep_their_leading_zero),
	    cmocka_unit_test(iban_accepts_mod97_valid_numbers_of_their_country_length),
	    cmocka_unit_test(iban_rejects_a_wrong_check_and_the_keys_never_issued),
	    cmocka_unit_test(iban_refuses_01_even_when_the_remainder_is_right),
	    cmocka_unit_test(iban_rejects_lengths_countries_and_characters),
	    cmocka_unit_test(bic_accepts_eight_or_eleven_characters),
	    cmocka_unit_test(bic_rejects_lengths_countries_and_characters),
	    cmocka_unit_test(structcomm_make_appends_mod97_check),
	    cmocka_unit_test(structcomm_make_writes_97_when_the_remainder_is_zero),
	    cmocka_unit_test(structcomm_make_refuses_more_than_ten_digits),
	    cmocka_unit_test(structcomm_validate_accepts_both_delimiters_and_bare_digits),
	    cmocka_unit_test(structcomm_validate_rejects_bad_checks_lengths_and_delimiters),
	    cmocka_unit_test(structcomm_make_then_validate_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
