/*
 * comptoir.admin.Admin, company side: the settings of the session's company
 * that every printed document and e-invoice shows — legal identity, address,
 * bank, layout, payment terms. An administrator reads and writes only the
 * company of their session, where the dispatcher has checked admin.users
 * (no finer permission exists yet); the row-level policy on company lets the
 * daemon's role update no other.
 *
 * An update checks every field first, in the order of the settings form,
 * and refuses the first at fault naming it ("company.iban") with a French
 * message that starts with the field's label: nothing is written unless all
 * pass. The audit row lists the columns that changed with their new values;
 * the logo appears there only as "replaced" or "removed" and its size.
 */
#include "audit.h"
#include "db.h"
#include "fields.h"
#include "handlers.h"
#include "ident.h"
#include "money.h"
#include "sales.h"

#include "admin.pb-c.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LOGO_MAX_SIZE (512 * 1024) /* bytes; sql/0013 holds the same bound */
#define QUOTE_VALIDITY_MAX 365	   /* days */

static const unsigned char PNG_SIGNATURE[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
/* The signature, then the IHDR chunk: length (4), "IHDR", width, height... */
#define PNG_IHDR_END 24

/* Payment means printed and sent in e-invoices (UNTDID 4461). */
static const char *const PAYMENT_MEANS[] = {"10", "20", "30", "48", "49", "58", "59", "70"};

typedef Comptoir__Admin__CompanySettings Settings;

/* ---------------------------------------------------------------------------
 * Reading
 */

static const char SQL_READ[] =
    "SELECT c.id, c.code, c.name, c.country, c.legal_form, c.share_capital,"
    " coalesce(c.siren, ''), c.siret, c.rcs, c.be_enterprise, coalesce(c.vat_number, ''),"
    " c.address_line1, c.address_line2, c.postcode, c.city, c.phone, c.email, c.website,"
    " c.iban, c.bic, c.payment_means, c.colour, c.footer, c.quote_validity_days,"
    " c.vat_on_debits, c.ecb_rate, c.penalty_margin, c.legal_interest_rate,"
    " c.early_discount, c.logo IS NOT NULL,"
    " EXISTS (SELECT 1 FROM sales_document d WHERE d.company_id = c.id),"
    " c.mail_subject, c.mail_body"
    " FROM company c WHERE c.id = $1::bigint";

/* Column 29: whether a logo is stored; 30: whether sales documents exist. */
#define COL_HAS_LOGO 29
#define COL_HAS_DOCUMENTS 30

static char *S(cpt_call *call, const PGresult *r, int col)
{
	return cpt_call_strdup(call, cpt_db_str(r, 0, col));
}

static Settings *settings_row(cpt_call *call, const PGresult *r)
{
	Settings *s = CPT_NEW(call, Settings, comptoir__admin__company_settings__init);
	s->id = cpt_db_i64(r, 0, 0);
	s->code = S(call, r, 1);
	s->name = S(call, r, 2);
	s->country = S(call, r, 3);
	s->legal_form = S(call, r, 4);
	s->share_capital = S(call, r, 5);
	s->siren = S(call, r, 6);
	s->siret = S(call, r, 7);
	s->rcs = S(call, r, 8);
	s->be_enterprise = S(call, r, 9);
	s->vat_number = S(call, r, 10);
	s->address_line1 = S(call, r, 11);
	s->address_line2 = S(call, r, 12);
	s->postcode = S(call, r, 13);
	s->city = S(call, r, 14);
	s->phone = S(call, r, 15);
	s->email = S(call, r, 16);
	s->website = S(call, r, 17);
	s->iban = S(call, r, 18);
	s->bic = S(call, r, 19);
	s->payment_means = S(call, r, 20);
	s->colour = (uint32_t)cpt_db_i64(r, 0, 21);
	s->footer = S(call, r, 22);
	s->quote_validity_days = (uint32_t)cpt_db_i64(r, 0, 23);
	s->vat_on_debits = cpt_db_bool(r, 0, 24);
	s->ecb_rate = (int32_t)cpt_db_i64(r, 0, 25);
	s->penalty_margin = (int32_t)cpt_db_i64(r, 0, 26);
	s->legal_interest_rate = (int32_t)cpt_db_i64(r, 0, 27);
	s->early_discount = S(call, r, 28);
	s->mail_subject = S(call, r, 31);
	s->mail_body = S(call, r, 32);
	return s;
}

/* The session's company, its logo's bytes, and whether documents exist. */
static int settings_reply(cpt_call *call, cpt_status *st, ProtobufCMessage **out)
{
	const char *id = cpt_call_i64(call, call->company_id);
	PGresult *r = cpt_db_query(call, st, SQL_READ, id);
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, NULL, "société introuvable");
	}
	Comptoir__Admin__CompanySettingsReply *rep =
	    CPT_NEW(call, Comptoir__Admin__CompanySettingsReply,
		    comptoir__admin__company_settings_reply__init);
	rep->company = settings_row(call, r);
	rep->has_documents = cpt_db_bool(r, 0, COL_HAS_DOCUMENTS);
	rep->logo_max_size = LOGO_MAX_SIZE;
	bool has_logo = cpt_db_bool(r, 0, COL_HAS_LOGO);
	PQclear(r);
	if (has_logo) {
		const char *params[] = {id};
		r = cpt_db_exec_bytes(call, st, "SELECT logo FROM company WHERE id = $1::bigint", 1,
				      params, NULL, NULL, 1);
		if (!r) {
			return st->code;
		}
		size_t len = (size_t)PQgetlength(r, 0, 0);
		rep->company->logo.len = len;
		rep->company->logo.data = cpt_call_alloc(call, len ? len : 1);
		memcpy(rep->company->logo.data, PQgetvalue(r, 0, 0), len);
		PQclear(r);
	}
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_admin_get_company_settings)
{
	return settings_reply(call, st, out);
}

/* ---------------------------------------------------------------------------
 * Field checks: each refuses with the field's label first ("IBAN : ...")
 */

static int refuse(cpt_status *st, const char *field, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int refuse(cpt_status *st, const char *field, const char *label, const char *fmt, ...)
{
	char why[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return cpt_status_set(st, CPT_INVALID_ARGUMENT, field, "%s : %s", label, why);
}

/* Trimmed text of at most max characters; *out in the call's arena. */
static int text(cpt_call *call, cpt_status *st, const char *v, size_t max, bool required,
		const char *field, const char *label, char **out)
{
	char *s = cpt_call_strdup(call, v ? v : "");
	g_strstrip(s);
	if (required && !*s) {
		return refuse(st, field, label, "champ obligatoire.");
	}
	if (g_utf8_strlen(s, -1) > (glong)max) {
		return refuse(st, field, label, "%zu caractères au plus.", max);
	}
	*out = s;
	return 0;
}

/* An identifier: empty, or what validate accepts, normalised into a buffer of size. */
typedef int (*ident_fn)(const char *text, const char *field, char *out, cpt_status *st);

static int ident(cpt_call *call, cpt_status *st, char **v, size_t size, ident_fn validate,
		 const char *field)
{
	char *s = cpt_call_strdup(call, *v ? *v : "");
	g_strstrip(s);
	if (*s) {
		char *norm = cpt_call_alloc(call, size);
		if (validate(s, field, norm, st)) {
			return st->code;
		}
		s = norm;
	}
	*v = s;
	return 0;
}

static int check_rate(cpt_status *st, int32_t v, const char *field, const char *label)
{
	if (v < 0 || v > CPT_MONEY_RATE_MAX) {
		return refuse(st, field, label,
			      "taux en centièmes de pour cent, de 0 à %d (100 %%), reçu %d.",
			      CPT_MONEY_RATE_MAX, (int)v);
	}
	return 0;
}

static bool only_chars(const char *s, const char *allowed)
{
	for (; *s; s++) {
		if (!g_ascii_isdigit(*s) && !strchr(allowed, *s)) {
			return false;
		}
	}
	return true;
}

/* Identity: name, country, legal form, capital, SIREN, SIRET, RCS, BE number, VAT. */
static int check_identity(cpt_call *call, cpt_status *st, Settings *s)
{
	if (text(call, st, s->name, 200, true, "company.name", "Raison sociale", &s->name) ||
	    text(call, st, s->country, 2, true, "company.country", "Pays", &s->country)) {
		return st->code;
	}
	char *country = s->country;
	for (char *c = country; *c; c++) {
		*c = g_ascii_toupper(*c);
	}
	if (strcmp(country, "FR") != 0 && strcmp(country, "BE") != 0) {
		return refuse(st, "company.country", "Pays", "FR (France) ou BE (Belgique).");
	}
	if (text(call, st, s->legal_form, 50, false, "company.legal_form", "Forme juridique",
		 &s->legal_form) ||
	    text(call, st, s->share_capital, 50, false, "company.share_capital", "Capital social",
		 &s->share_capital) ||
	    ident(call, st, &s->siren, CPT_IDENT_SIREN_SIZE, cpt_ident_siren_validate,
		  "company.siren") ||
	    ident(call, st, &s->siret, CPT_IDENT_SIRET_SIZE, cpt_ident_siret_validate,
		  "company.siret")) {
		return st->code;
	}
	if (*s->siret && !*s->siren) {
		return refuse(st, "company.siret", "SIRET",
			      "il commence par le SIREN : renseignez d'abord le SIREN.");
	}
	if (*s->siret && strncmp(s->siret, s->siren, CPT_IDENT_SIREN_SIZE - 1) != 0) {
		return refuse(st, "company.siret", "SIRET", "il commence par le SIREN (%s).",
			      s->siren);
	}
	if (text(call, st, s->rcs, 100, false, "company.rcs", "RCS", &s->rcs) ||
	    ident(call, st, &s->be_enterprise, CPT_IDENT_BE_ENTERPRISE_SIZE,
		  cpt_ident_be_enterprise_validate, "company.be_enterprise") ||
	    ident(call, st, &s->vat_number, CPT_IDENT_VAT_SIZE, cpt_ident_vat_validate,
		  "company.vat_number")) {
		return st->code;
	}
	const char *vat = s->vat_number;
	if (*vat && strncmp(vat, country, 2) != 0) {
		return refuse(st, "company.vat_number", "Numéro de TVA intracommunautaire",
			      "celui d'une société établie en %s commence par %s.",
			      strcmp(country, "FR") == 0 ? "France" : "Belgique", country);
	}
	if (*vat && strcmp(country, "FR") == 0 && *s->siren && strcmp(vat + 4, s->siren) != 0) {
		return refuse(st, "company.vat_number", "Numéro de TVA intracommunautaire",
			      "il ne correspond pas au SIREN %s.", s->siren);
	}
	if (*vat && strcmp(country, "BE") == 0 && *s->be_enterprise &&
	    strcmp(vat + 2, s->be_enterprise) != 0) {
		return refuse(st, "company.vat_number", "Numéro de TVA intracommunautaire",
			      "il ne correspond pas au numéro d'entreprise %s.", s->be_enterprise);
	}
	return 0;
}

/* Address and contact. */
static int check_contact(cpt_call *call, cpt_status *st, Settings *s)
{
	if (text(call, st, s->address_line1, 200, false, "company.address_line1", "Adresse",
		 &s->address_line1) ||
	    text(call, st, s->address_line2, 200, false, "company.address_line2",
		 "Complément d'adresse", &s->address_line2) ||
	    text(call, st, s->postcode, 10, false, "company.postcode", "Code postal",
		 &s->postcode)) {
		return st->code;
	}
	size_t digits = strcmp(s->country, "FR") == 0 ? 5 : 4;
	if (*s->postcode && (strlen(s->postcode) != digits || !only_chars(s->postcode, ""))) {
		return refuse(st, "company.postcode", "Code postal", "%zu chiffres en %s.", digits,
			      digits == 5 ? "France" : "Belgique");
	}
	if (text(call, st, s->city, 100, false, "company.city", "Ville", &s->city) ||
	    text(call, st, s->phone, 30, false, "company.phone", "Téléphone", &s->phone)) {
		return st->code;
	}
	if (!only_chars(s->phone, " +.()-/")) {
		return refuse(st, "company.phone", "Téléphone",
			      "chiffres, espaces et + . ( ) - / seulement.");
	}
	if (text(call, st, s->email, 200, false, "company.email", "E-mail", &s->email)) {
		return st->code;
	}
	if (*s->email && !cpt_field_email_ok(s->email)) {
		return refuse(st, "company.email", "E-mail",
			      "adresse invalide (nom@domaine.fr attendu).");
	}
	if (text(call, st, s->website, 200, false, "company.website", "Site web", &s->website)) {
		return st->code;
	}
	if (*s->website && (strpbrk(s->website, " \t") || !strchr(s->website, '.'))) {
		return refuse(st, "company.website", "Site web",
			      "adresse invalide (www.exemple.fr attendu).");
	}
	return 0;
}

/* Bank: IBAN, BIC, payment means. */
static int check_bank(cpt_call *call, cpt_status *st, Settings *s)
{
	if (ident(call, st, &s->iban, CPT_IDENT_IBAN_SIZE, cpt_ident_iban_validate,
		  "company.iban") ||
	    ident(call, st, &s->bic, CPT_IDENT_BIC_SIZE, cpt_ident_bic_validate, "company.bic") ||
	    text(call, st, s->payment_means, 3, true, "company.payment_means", "Moyen de paiement",
		 &s->payment_means)) {
		return st->code;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(PAYMENT_MEANS); i++) {
		if (strcmp(s->payment_means, PAYMENT_MEANS[i]) == 0) {
			return 0;
		}
	}
	return refuse(st, "company.payment_means", "Moyen de paiement",
		      "code « %s » inconnu (UNTDID 4461 : 10, 20, 30, 48, 49, 58, 59 ou 70).",
		      s->payment_means);
}

static int check_logo(cpt_status *st, const Comptoir__Admin__UpdateCompanySettingsRequest *req)
{
	if (req->logo_change != COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_REPLACE) {
		if (req->logo_change != COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP &&
		    req->logo_change != COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_REMOVE) {
			return refuse(st, "logo_change", "Logo", "action %d inconnue.",
				      (int)req->logo_change);
		}
		return 0;
	}
	const ProtobufCBinaryData *logo = &req->company->logo;
	if (logo->len == 0) {
		return refuse(st, "company.logo", "Logo", "fichier vide.");
	}
	if (logo->len > LOGO_MAX_SIZE) {
		return refuse(st, "company.logo", "Logo", "%zu octets, %d ko au plus.", logo->len,
			      LOGO_MAX_SIZE / 1024);
	}
	if (logo->len < PNG_IHDR_END || memcmp(logo->data, PNG_SIGNATURE, 8) != 0 ||
	    memcmp(logo->data + 12, "IHDR", 4) != 0) {
		return refuse(st, "company.logo", "Logo", "ce fichier n'est pas une image PNG.");
	}
	return 0;
}

/* Documents and payment terms. */
static int check_documents(cpt_call *call, cpt_status *st, Settings *s)
{
	if (s->colour > 0xFFFFFF) {
		return refuse(st, "company.colour", "Couleur",
			      "de 0 à 0xFFFFFF (#RRGGBB), reçu 0x%X.", (unsigned)s->colour);
	}
	if (text(call, st, s->footer, 1000, false, "company.footer", "Pied de page", &s->footer)) {
		return st->code;
	}
	if (s->quote_validity_days < 1 || s->quote_validity_days > QUOTE_VALIDITY_MAX) {
		return refuse(st, "company.quote_validity_days", "Validité des devis",
			      "de 1 à %d jours.", QUOTE_VALIDITY_MAX);
	}
	if (check_rate(st, s->ecb_rate, "company.ecb_rate", "Taux de la BCE") ||
	    check_rate(st, s->penalty_margin, "company.penalty_margin", "Majoration") ||
	    check_rate(st, s->legal_interest_rate, "company.legal_interest_rate",
		       "Taux d'intérêt légal")) {
		return st->code;
	}
	/* French invoices must state the discount for early payment, even "none". */
	return text(call, st, s->early_discount, 300, strcmp(s->country, "FR") == 0,
		    "company.early_discount", "Escompte", &s->early_discount);
}

/* A document's message: required, and no {word} that sending would not replace. */
static int check_mail_text(cpt_call *call, cpt_status *st, char **v, size_t max, const char *field,
			   const char *label)
{
	if (text(call, st, *v, max, true, field, label, v)) {
		return st->code;
	}
	for (const char *c = strchr(*v, '{'); c; c = strchr(c + 1, '{')) {
		const char *end = strchr(c, '}');
		bool known = false;
		for (size_t k = 0; end && k < CPT_SALES_N_MAIL_KEYS && !known; k++) {
			size_t len = strlen(CPT_SALES_MAIL_KEYS[k]);
			known = (size_t)(end - c - 1) == len &&
				strncmp(c + 1, CPT_SALES_MAIL_KEYS[k], len) == 0;
		}
		if (!known) {
			/* What was typed, whole characters: up to the brace, or 12. */
			glong chars = end && g_utf8_pointer_to_offset(c, end) < 40
					  ? g_utf8_pointer_to_offset(c, end) + 1
					  : 12;
			char *what = cpt_call_strdup(call, c);
			g_autofree char *cut = g_utf8_substring(what, 0, chars);
			return refuse(st, field, label,
				      "« %s » inconnu : {title}, {number}, {date}, {amount}, "
				      "{due_date}, {company} ou {client}.",
				      cut);
		}
	}
	return 0;
}

static int check_mail(cpt_call *call, cpt_status *st, Settings *s)
{
	if (check_mail_text(call, st, &s->mail_subject, 200, "company.mail_subject",
			    "Objet du message")) {
		return st->code;
	}
	if (strpbrk(s->mail_subject, "\r\n")) {
		return refuse(st, "company.mail_subject", "Objet du message", "une seule ligne.");
	}
	return check_mail_text(call, st, &s->mail_body, 5000, "company.mail_body",
			       "Texte du message");
}

/* ---------------------------------------------------------------------------
 * Writing
 */

/*
 * One statement: the row before, the update, and the audit detail — the
 * columns whose value changed (never the logo's bytes) and what became of
 * the logo. $30: 0 keep the logo, else set it to $31 (NULL removes it).
 */
static const char SQL_UPDATE[] =
    "WITH old AS (SELECT to_jsonb(c) - 'logo' - 'updated_at' AS j, c.logo"
    "  FROM company c WHERE c.id = $1::bigint),"
    " new AS (UPDATE company SET name = $2, country = $3, legal_form = $4,"
    "  share_capital = $5, siren = nullif($6, ''), siret = $7, rcs = $8, be_enterprise = $9,"
    "  vat_number = nullif($10, ''), address_line1 = $11, address_line2 = $12,"
    "  postcode = $13, city = $14, phone = $15, email = $16, website = $17, iban = $18,"
    "  bic = $19, payment_means = $20, colour = $21::integer, footer = $22,"
    "  quote_validity_days = $23::integer, vat_on_debits = $24::boolean,"
    "  ecb_rate = $25::integer, penalty_margin = $26::integer,"
    "  legal_interest_rate = $27::integer, early_discount = $28,"
    "  mail_subject = $31, mail_body = $32,"
    "  logo = CASE WHEN $30::integer = 0 THEN logo ELSE $29::bytea END, updated_at = now()"
    "  WHERE id = $1::bigint"
    "  RETURNING to_jsonb(company) - 'logo' - 'updated_at' AS j, logo)"
    " SELECT jsonb_strip_nulls(jsonb_build_object('event', 'update',"
    "  'changed', (SELECT coalesce(jsonb_object_agg(n.key, n.value), '{}')"
    "   FROM jsonb_each(new.j) n WHERE old.j -> n.key IS DISTINCT FROM n.value),"
    "  'logo', CASE WHEN old.logo IS NOT DISTINCT FROM new.logo THEN NULL"
    "   WHEN new.logo IS NULL THEN 'removed' ELSE 'replaced' END,"
    "  'logo_size', CASE WHEN old.logo IS DISTINCT FROM new.logo"
    "   THEN octet_length(new.logo) END))::text"
    " FROM old, new";

static int write_settings(cpt_call *call, cpt_status *st, const Settings *s,
			  const Comptoir__Admin__UpdateCompanySettingsRequest *req)
{
	bool replace = req->logo_change == COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_REPLACE;
	const char *params[] = {
	    cpt_call_i64(call, call->company_id),
	    s->name,
	    s->country,
	    s->legal_form,
	    s->share_capital,
	    s->siren,
	    s->siret,
	    s->rcs,
	    s->be_enterprise,
	    s->vat_number,
	    s->address_line1,
	    s->address_line2,
	    s->postcode,
	    s->city,
	    s->phone,
	    s->email,
	    s->website,
	    s->iban,
	    s->bic,
	    s->payment_means,
	    cpt_call_i64(call, s->colour),
	    s->footer,
	    cpt_call_i64(call, s->quote_validity_days),
	    s->vat_on_debits ? "true" : "false",
	    cpt_call_i64(call, s->ecb_rate),
	    cpt_call_i64(call, s->penalty_margin),
	    cpt_call_i64(call, s->legal_interest_rate),
	    s->early_discount,
	    replace ? (const char *)req->company->logo.data : NULL,
	    cpt_call_i64(call, req->logo_change == COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP ? 0 : 1),
	    s->mail_subject,
	    s->mail_body,
	};
	enum { N = G_N_ELEMENTS(params), LOGO = 28 };
	int lengths[N] = {0}, formats[N] = {0};
	lengths[LOGO] = replace ? (int)req->company->logo.len : 0;
	formats[LOGO] = 1;
	PGresult *r = cpt_db_exec_bytes(call, st, SQL_UPDATE, N, params, lengths, formats, 0);
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, NULL, "société introuvable");
	}
	char *detail = cpt_call_strdup(call, cpt_db_str(r, 0, 0));
	PQclear(r);
	return cpt_audit(call, st, "company", call->company_id, call->company_id, detail);
}

CPT_HANDLER(cpt_admin_update_company_settings)
{
	const Comptoir__Admin__UpdateCompanySettingsRequest *req = (const void *)in;
	if (!req->company) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "company",
				      "paramètres de la société manquants");
	}
	/* A copy whose texts the checks replace by their normalised form. */
	Settings *s = cpt_call_alloc(call, sizeof *s);
	*s = *req->company;
	if (check_identity(call, st, s) || check_contact(call, st, s) || check_bank(call, st, s) ||
	    check_logo(st, req) || check_documents(call, st, s) || check_mail(call, st, s)) {
		return st->code;
	}
	/* The row is locked so that the country and the documents agree until commit. */
	PGresult *r = cpt_db_query(
	    call, st,
	    "SELECT c.country, EXISTS (SELECT 1 FROM sales_document d WHERE d.company_id = c.id)"
	    " FROM company c WHERE c.id = $1::bigint FOR UPDATE",
	    cpt_call_i64(call, call->company_id));
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, NULL, "société introuvable");
	}
	bool moved = strcmp(cpt_db_str(r, 0, 0), s->country) != 0;
	bool has_documents = cpt_db_bool(r, 0, 1);
	PQclear(r);
	if (moved && has_documents) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "company.country",
				      "Pays : des documents de vente existent déjà, le pays de la "
				      "société ne peut plus changer.");
	}
	if (write_settings(call, st, s, req)) {
		return st->code;
	}
	return settings_reply(call, st, out);
}
