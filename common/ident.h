/*
 * Company identifiers checked with their check digits: French SIREN and SIRET,
 * Belgian enterprise number (BCE/KBO), intra-EU VAT numbers, bank account
 * numbers (IBAN) and bank codes (BIC), and the Belgian structured
 * communication ("+++123/4567/89012+++") printed on invoices.
 *
 * Every validator takes the text as typed or pasted: spaces (also U+00A0 and
 * U+202F), tabs, dots and dashes are ignored and letters may be lower case.
 * It writes the normalised form (digits only, or country prefix in capitals
 * then the number) into out, which may be NULL and is left empty on failure.
 * It returns CPT_OK, or CPT_INVALID_ARGUMENT with st naming the caller's
 * field and saying in French what is wrong: empty, a character, the length
 * or the check digits. st may be NULL when only the answer matters.
 * Nothing here allocates, prints or aborts.
 */
#ifndef CPT_IDENT_H
#define CPT_IDENT_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"

/* Output buffer sizes, NUL included. */
#define CPT_IDENT_SIREN_SIZE 10		/* 9 digits */
#define CPT_IDENT_SIRET_SIZE 15		/* 14 digits: SIREN then NIC */
#define CPT_IDENT_NIC_SIZE 6		/* 5 digits */
#define CPT_IDENT_BE_ENTERPRISE_SIZE 11 /* 10 digits, first 0 or 1 */
#define CPT_IDENT_VAT_SIZE 16		/* 2-letter country + at most 12 characters */
#define CPT_IDENT_STRUCTCOMM_SIZE 21	/* "+++123/4567/89012+++" */
#define CPT_IDENT_IBAN_SIZE 35		/* at most 34 characters */
#define CPT_IDENT_BIC_SIZE 12		/* 8 or 11 characters */

/* Largest base of a structured communication: ten digits. */
#define CPT_IDENT_STRUCTCOMM_BASE_MAX 9999999999ULL

/* ---- France ----------------------------------------------------------- */

/* SIREN: 9 digits, Luhn check. "732 829 320" -> "732829320". */
int cpt_ident_siren_validate(const char *text, const char *field, char *out, cpt_status *st);

/*
 * SIRET: 14 digits (SIREN + 5-digit NIC), Luhn check over all 14. La Poste
 * (SIREN 356000000) numbers its establishments beyond what Luhn allows: its
 * SIRETs are also valid when the sum of their digits is a multiple of 5.
 */
int cpt_ident_siret_validate(const char *text, const char *field, char *out, cpt_status *st);

/* Validates a SIRET and writes its SIREN (CPT_IDENT_SIREN_SIZE) and NIC
 * (CPT_IDENT_NIC_SIZE); either output may be NULL. */
int cpt_ident_siret_split(const char *text, const char *field, char *siren_out, char *nic_out,
			  cpt_status *st);

/* ---- Belgium ---------------------------------------------------------- */

/*
 * Enterprise number (numéro d'entreprise BCE, ondernemingsnummer KBO): 10
 * digits starting with 0 or 1, the last two equal to 97 - (first eight mod
 * 97). The old 9-digit form gets a leading 0, and a leading "BE" is accepted:
 * "BE 0403.170.701" and "403170701" both give "0403170701".
 */
int cpt_ident_be_enterprise_validate(const char *text, const char *field, char *out,
				     cpt_status *st);

/* ---- Intra-EU VAT numbers --------------------------------------------- */

/*
 * "FR 44 732 829 320" -> "FR44732829320", "be0403170701" -> "BE0403170701".
 *
 *  - FR: 2-digit key + SIREN; key = (12 + 3 x (SIREN mod 97)) mod 97, and
 *    the SIREN must pass Luhn, except Monaco's numbers ("000" after the key)
 *    which are not SIRENs. Keys holding letters (issued to some entities
 *    without a SIREN) are refused: they cannot be checked here.
 *  - BE: the enterprise number, with its mod-97 check; "BE" + 9 digits (the
 *    old form) is completed with a leading 0.
 *  - Other member states, and XI (Northern Ireland): the country's length and
 *    character pattern only, check digits NOT verified (see
 *    cpt_ident_vat_has_checksum). "GR" is accepted for Greece and written
 *    "EL", its VAT prefix. Prefixes outside the EU (GB, CH...) are refused.
 */
int cpt_ident_vat_validate(const char *text, const char *field, char *out, cpt_status *st);

/* True when cpt_ident_vat_validate checks the check digits of this
 * (normalised) VAT number's country: FR and BE. */
bool cpt_ident_vat_has_checksum(const char *vat);

/* Validates a SIREN and writes its VAT number: "732829320" -> "FR44732829320". */
int cpt_ident_vat_fr_from_siren(const char *siren, const char *field, char *out, cpt_status *st);

/* Validates an enterprise number and writes its VAT number: "BE0403170701". */
int cpt_ident_vat_be_from_enterprise(const char *number, const char *field, char *out,
				     cpt_status *st);

/* ---- Banks -------------------------------------------------------------- */

/*
 * IBAN (ISO 13616): 2-letter country, 2 check digits, then the national
 * account number (BBAN) of the length the IBAN registry sets for that
 * country (FR and MC 27, BE 16, DE 22...). The whole passes ISO 7064
 * MOD 97-10: the first four characters moved to the end, letters read as
 * 10..35, the number leaves 1 modulo 97. Check digits 00, 01 and 99 are
 * never issued (01 and 98 would pass alike). Letters may be lower case:
 * "fr76 3000 6000 0112 3456 7890 189" -> "FR7630006000011234567890189".
 * Countries outside the registry are refused.
 */
int cpt_ident_iban_validate(const char *text, const char *field, char *out, cpt_status *st);

/*
 * BIC (ISO 9362, "code SWIFT"): 4 letters or digits for the institution,
 * 2 letters for the country, 2 letters or digits for the location, and
 * optionally 3 for the branch: 8 or 11 characters. "agri fr pp xxx" ->
 * "AGRIFRPPXXX". The country is only checked to be two letters.
 */
int cpt_ident_bic_validate(const char *text, const char *field, char *out, cpt_status *st);

/* ---- Belgian structured communication ---------------------------------- */

/*
 * 10-digit base + 2 check digits = base mod 97, or 97 when that is 0, shown
 * as "+++ddd/dddd/ddddd+++" (or with "***"). make writes the "+++" form for
 * base 0..CPT_IDENT_STRUCTCOMM_BASE_MAX (e.g. an invoice number), out of at
 * least CPT_IDENT_STRUCTCOMM_SIZE bytes.
 */
int cpt_ident_structcomm_make(uint64_t base, const char *field, char *out, cpt_status *st);

/* Accepts "+++123/4567/89012+++", "***123/4567/89012***" or the 12 digits
 * alone, spaces tolerated; writes the "+++" form. */
int cpt_ident_structcomm_validate(const char *text, const char *field, char *out, cpt_status *st);

#endif
