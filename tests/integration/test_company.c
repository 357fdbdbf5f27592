/*
 * The company settings every printed document and e-invoice uses, through
 * comptoir.admin.Admin/GetCompanySettings and /UpdateCompanySettings: the
 * defaults read back, every field written and read back normalised, the
 * logo replaced, kept and removed, every bad field refused on its own field
 * with nothing written, the country fixed once documents exist, the audit
 * row without the logo's bytes, and the confinement: a user without
 * admin.users is refused, and an administrator of another company reads and
 * writes only that one.
 */
#include "testenv.h"

#include "admin.pb-c.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cpt_testenv env;
static cpt_client *admin;  /* admin in DEMO */
static cpt_client *bob;	   /* administrator of BETA only */
static cpt_client *reader; /* Consultation in DEMO */
static long long demo, beta;

/* A 1 x 1 PNG (signature, IHDR, IDAT, IEND): 69 bytes. */
static const uint8_t PNG_1X1[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00,
    0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9c, 0x63, 0xd0, 0xcd, 0xf2, 0x07, 0x00, 0x01, 0xae, 0x00, 0xe7, 0xcf, 0x53, 0xa5,
    0xa6, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

#define LOGO_MAX (512 * 1024)

static int ctl(const char *const *args)
{
	char out[2048];
	int rc = cpt_testenv_ctl(&env, out, sizeof out, args);
	if (rc != 0) {
		fprintf(stderr, "%s\n", out);
	}
	return rc;
}

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "company", NULL) != 0) {
		return -1;
	}
	const char *add[] = {"company", "add", "BETA", "Beta SRL", "--country", "BE", NULL};
	const char *grant[] = {"user", "grant", "admin", "BETA", "Administrateur", NULL};
	if (ctl(add) || ctl(grant)) {
		return -1;
	}
	demo = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'DEMO'");
	beta = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'BETA'");
	int64_t admin_role =
	    cpt_testenv_sql_int(&env, "SELECT id FROM role WHERE name = 'Administrateur'");
	int64_t consult =
	    cpt_testenv_sql_int(&env, "SELECT id FROM role WHERE name = 'Consultation'");
	/* Bob administers BETA and only reads in DEMO. */
	if (cpt_testenv_create_user(&env, "bob", admin_role, beta) == 0 ||
	    cpt_testenv_create_user(&env, "lecteur", consult, demo) == 0) {
		return -1;
	}
	const char *bob_demo[] = {"user", "grant", "bob", "DEMO", "Consultation", NULL};
	if (ctl(bob_demo)) {
		return -1;
	}
	admin = cpt_testenv_login(&env, "admin", env.admin_password, demo, NULL, NULL);
	bob = cpt_testenv_login(&env, "bob", CPT_TEST_PASSWORD, beta, NULL, NULL);
	reader = cpt_testenv_login(&env, "lecteur", CPT_TEST_PASSWORD, demo, NULL, NULL);
	return admin && bob && reader ? 0 : -1;
}

static int teardown(void **state)
{
	cpt_client_close(admin);
	cpt_client_close(bob);
	cpt_client_close(reader);
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------------------
 * Helpers
 */

/* Returns the reply (caller frees with protobuf_c_message_free_unpacked) or NULL. */
static Comptoir__Admin__CompanySettingsReply *get(cpt_client *c, cpt_status *st)
{
	Comptoir__Admin__GetCompanySettingsRequest req =
	    COMPTOIR__ADMIN__GET_COMPANY_SETTINGS_REQUEST__INIT;
	ProtobufCMessage *out = NULL;
	*st = (cpt_status){0};
	cpt_client_call(c, "comptoir.admin.Admin/GetCompanySettings", &req.base,
			&comptoir__admin__company_settings_reply__descriptor, &out, st);
	return (Comptoir__Admin__CompanySettingsReply *)out;
}

static Comptoir__Admin__CompanySettingsReply *update(cpt_client *c,
						     Comptoir__Admin__CompanySettings *s,
						     Comptoir__Admin__LogoChange logo,
						     cpt_status *st)
{
	Comptoir__Admin__UpdateCompanySettingsRequest req =
	    COMPTOIR__ADMIN__UPDATE_COMPANY_SETTINGS_REQUEST__INIT;
	req.company = s;
	req.logo_change = logo;
	ProtobufCMessage *out = NULL;
	*st = (cpt_status){0};
	cpt_client_call(c, "comptoir.admin.Admin/UpdateCompanySettings", &req.base,
			&comptoir__admin__company_settings_reply__descriptor, &out, st);
	return (Comptoir__Admin__CompanySettingsReply *)out;
}

static void free_reply(Comptoir__Admin__CompanySettingsReply *r)
{
	if (r) {
		protobuf_c_message_free_unpacked(&r->base, NULL);
	}
}

/* A complete, valid French company as an administrator types it. */
static void valid_settings(Comptoir__Admin__CompanySettings *s)
{
	comptoir__admin__company_settings__init(s);
	s->name = "  Thermo Services ";
	s->country = "fr";
	s->legal_form = "SARL";
	s->share_capital = "10 000 €";
	s->siren = "732 829 320";
	s->siret = "732 829 320 00074";
	s->rcs = "RCS Lyon 732 829 320";
	s->be_enterprise = "";
	s->vat_number = "FR 44 732 829 320";
	s->address_line1 = "12 rue de la République";
	s->address_line2 = "Bâtiment B";
	s->postcode = "69002";
	s->city = "Lyon";
	s->phone = "+33 (0)4 72 00 00 00";
	s->email = "compta@thermo.example";
	s->website = "www.thermo.example";
	s->iban = "fr76 3000 6000 0112 3456 7890 189";
	s->bic = "agri fr pp xxx";
	s->payment_means = "58";
	s->colour = 0x1F6FB2;
	s->footer = "Thermo Services, SARL au capital de 10 000 €";
	s->quote_validity_days = 45;
	s->vat_on_debits = true;
	s->ecb_rate = 240;
	s->penalty_margin = 1000;
	s->legal_interest_rate = 371;
	s->early_discount = "Escompte de 1 % pour paiement à 8 jours.";
	s->mail_subject = " {title} {number} de {company} ";
	s->mail_body = "Bonjour,\n\nVoici notre {title} {number} : {amount} TTC, à régler le "
		       "{due_date}.\n\n{company}";
}

/* The DEMO row and the audit log, to prove a refused call wrote nothing. */
static char *fingerprint(void)
{
	PGconn *c = cpt_testenv_sql(&env);
	PGresult *r = PQexec(c, "SELECT md5(row(c.*)::text) || '/' ||"
				" (SELECT count(*) FROM audit_log) FROM company c ORDER BY id");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	GString *s = g_string_new("");
	for (int i = 0; i < PQntuples(r); i++) {
		g_string_append_printf(s, "%s;", PQgetvalue(r, i, 0));
	}
	PQclear(r);
	PQfinish(c);
	return g_string_free(s, FALSE);
}

static char *sql_text(const char *sql)
{
	PGconn *c = cpt_testenv_sql(&env);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	}
	char *v = g_strdup(PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	PQfinish(c);
	return v;
}

/* ---------------------------------------------------------------------------
 * Reading and writing
 */

static void defaults_are_read_for_the_session_company(void **state)
{
	cpt_status st;
	Comptoir__Admin__CompanySettingsReply *r = get(admin, &st);
	assert_int_equal(st.code, CPT_OK);
	const Comptoir__Admin__CompanySettings *s = r->company;
	assert_int_equal(s->id, demo);
	assert_string_equal(s->code, "DEMO");
	assert_string_equal(s->country, "FR");
	assert_string_equal(s->iban, "");
	assert_string_equal(s->payment_means, "30");
	assert_int_equal(s->colour, 2976335);
	assert_int_equal(s->quote_validity_days, 30);
	assert_false(s->vat_on_debits);
	assert_int_equal(s->ecb_rate, 215);
	assert_int_equal(s->penalty_margin, 1000);
	assert_int_equal(s->legal_interest_rate, 316);
	assert_string_equal(s->early_discount, "Pas d'escompte pour paiement anticipé.");
	assert_int_equal(s->logo.len, 0);
	assert_false(r->has_documents);
	assert_int_equal(r->logo_max_size, LOGO_MAX);
	free_reply(r);
}

static void every_field_is_written_then_read_back_normalised(void **state)
{
	Comptoir__Admin__CompanySettings s;
	valid_settings(&s);
	s.logo.data = (uint8_t *)PNG_1X1;
	s.logo.len = sizeof PNG_1X1;
	cpt_status st;
	free_reply(update(admin, &s, COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_REPLACE, &st));
	assert_int_equal(st.code, CPT_OK);

	Comptoir__Admin__CompanySettingsReply *r = get(admin, &st);
	assert_int_equal(st.code, CPT_OK);
	const Comptoir__Admin__CompanySettings *b = r->company;
	assert_string_equal(b->name, "Thermo Services");
	assert_string_equal(b->country, "FR");
	assert_string_equal(b->legal_form, "SARL");
	assert_string_equal(b->share_capital, "10 000 €");
	assert_string_equal(b->siren, "732829320");
	assert_string_equal(b->siret, "73282932000074");
	assert_string_equal(b->rcs, "RCS Lyon 732 829 320");
	assert_string_equal(b->vat_number, "FR44732829320");
	assert_string_equal(b->address_line1, "12 rue de la République");
	assert_string_equal(b->address_line2, "Bâtiment B");
	assert_string_equal(b->postcode, "69002");
	assert_string_equal(b->city, "Lyon");
	assert_string_equal(b->phone, "+33 (0)4 72 00 00 00");
	assert_string_equal(b->email, "compta@thermo.example");
	assert_string_equal(b->website, "www.thermo.example");
	assert_string_equal(b->iban, "FR7630006000011234567890189");
	assert_string_equal(b->bic, "AGRIFRPPXXX");
	assert_string_equal(b->payment_means, "58");
	assert_int_equal(b->colour, 0x1F6FB2);
	assert_string_equal(b->footer, "Thermo Services, SARL au capital de 10 000 €");
	assert_int_equal(b->quote_validity_days, 45);
	assert_true(b->vat_on_debits);
	assert_int_equal(b->ecb_rate, 240);
	assert_int_equal(b->penalty_margin, 1000);
	assert_int_equal(b->legal_interest_rate, 371);
	assert_string_equal(b->early_discount, "Escompte de 1 % pour paiement à 8 jours.");
	assert_string_equal(b->mail_subject, "{title} {number} de {company}");
	assert_non_null(strstr(b->mail_body, "à régler le {due_date}."));
	assert_int_equal(b->logo.len, sizeof PNG_1X1);
	assert_memory_equal(b->logo.data, PNG_1X1, sizeof PNG_1X1);
	free_reply(r);

	/* In the table as the documents read it. */
	g_autofree char *row =
	    sql_text("SELECT name || '|' || siren || '|' || vat_number || '|' || iban || '|' ||"
		     " bic || '|' || colour || '|' || octet_length(logo) FROM company"
		     " WHERE code = 'DEMO'");
	assert_string_equal(row, "Thermo Services|732829320|FR44732829320|"
				 "FR7630006000011234567890189|AGRIFRPPXXX|2060210|69");
	/* Audited: what changed, the logo as "replaced" and its size, never its bytes. */
	g_autofree char *detail =
	    sql_text("SELECT detail::text FROM audit_log"
		     " WHERE method = 'comptoir.admin.Admin/UpdateCompanySettings'"
		     " ORDER BY id DESC LIMIT 1");
	assert_non_null(strstr(detail, "\"iban\": \"FR7630006000011234567890189\""));
	assert_non_null(strstr(detail, "\"logo\": \"replaced\""));
	assert_non_null(strstr(detail, "\"logo_size\": 69"));
	assert_null(strstr(detail, "89504e"));
	assert_null(strstr(detail, "\"code\"")); /* unchanged columns are left out */
	g_autofree char *audit =
	    sql_text("SELECT target || '|' || company_id || '|' || row_ids::text"
		     " FROM audit_log ORDER BY id DESC LIMIT 1");
	g_autofree char *expect = g_strdup_printf("company|%lld|{%lld}", demo, demo);
	assert_string_equal(audit, expect);
}

static void the_logo_is_kept_unless_replaced_or_removed(void **state)
{
	Comptoir__Admin__CompanySettings s;
	valid_settings(&s);
	/* Keep: whatever bytes come along are ignored. */
	s.logo.data = (uint8_t *)"not a png";
	s.logo.len = 9;
	cpt_status st;
	free_reply(update(admin, &s, COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP, &st));
	assert_int_equal(st.code, CPT_OK);
	assert_int_equal(
	    cpt_testenv_sql_int(&env, "SELECT octet_length(logo) FROM company WHERE code = 'DEMO'"),
	    sizeof PNG_1X1);
	g_autofree char *kept =
	    sql_text("SELECT detail::text FROM audit_log ORDER BY id DESC LIMIT 1");
	assert_null(strstr(kept, "logo"));

	Comptoir__Admin__CompanySettingsReply *r =
	    update(admin, &s, COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_REMOVE, &st);
	assert_int_equal(st.code, CPT_OK);
	assert_int_equal(r->company->logo.len, 0);
	free_reply(r);
	assert_int_equal(cpt_testenv_sql_int(&env,
					     "SELECT count(*) FROM company WHERE code = 'DEMO'"
					     " AND logo IS NULL"),
			 1);
	g_autofree char *removed =
	    sql_text("SELECT detail->>'logo' FROM audit_log ORDER BY id DESC LIMIT 1");
	assert_string_equal(removed, "removed");
}

/* ---------------------------------------------------------------------------
 * Refusals
 */

typedef struct {
	const char *field;
	const char *part; /* in the message */
	void (*spoil)(Comptoir__Admin__CompanySettings *s);
	Comptoir__Admin__LogoChange logo;
} bad_case;

static uint8_t big_logo[LOGO_MAX + 1];

static void no_name(Comptoir__Admin__CompanySettings *s)
{
	s->name = "   ";
}

static void long_name(Comptoir__Admin__CompanySettings *s)
{
	static char n[202];
	memset(n, 'x', 201);
	s->name = n;
}

static void german(Comptoir__Admin__CompanySettings *s)
{
	s->country = "DE";
}

static void bad_siren(Comptoir__Admin__CompanySettings *s)
{
	s->siren = "732829321";
}

static void bad_siret_key(Comptoir__Admin__CompanySettings *s)
{
	s->siret = "73282932000075";
}

static void siret_of_another_siren(Comptoir__Admin__CompanySettings *s)
{
	s->siret = "40483304800014";
}

static void siret_without_siren(Comptoir__Admin__CompanySettings *s)
{
	s->siren = "";
}

static void bad_be_number(Comptoir__Admin__CompanySettings *s)
{
	s->be_enterprise = "0403.170.702";
}

static void bad_vat_key(Comptoir__Admin__CompanySettings *s)
{
	s->vat_number = "FR45732829320";
}

static void belgian_vat(Comptoir__Admin__CompanySettings *s)
{
	s->vat_number = "BE0403170701";
}

static void vat_of_another_siren(Comptoir__Admin__CompanySettings *s)
{
	s->vat_number = "FR83404833048";
}

static void short_postcode(Comptoir__Admin__CompanySettings *s)
{
	s->postcode = "6900";
}

static void letters_in_phone(Comptoir__Admin__CompanySettings *s)
{
	s->phone = "04 72 AB";
}

static void bad_email(Comptoir__Admin__CompanySettings *s)
{
	s->email = "compta@";
}

static void email_with_space(Comptoir__Admin__CompanySettings *s)
{
	s->email = "compta @thermo.example";
}

static void two_emails(Comptoir__Admin__CompanySettings *s)
{
	s->email = "compta@thermo.example;direction@thermo.example"; /* not one address */
}

static void bad_website(Comptoir__Admin__CompanySettings *s)
{
	s->website = "thermo example";
}

static void bad_iban(Comptoir__Admin__CompanySettings *s)
{
	s->iban = "FR76 3000 6000 0112 3456 7890 188";
}

static void short_iban(Comptoir__Admin__CompanySettings *s)
{
	s->iban = "FR76 3000 6000 0112 3456 7890 18";
}

static void short_bic(Comptoir__Admin__CompanySettings *s)
{
	s->bic = "AGRIFRP";
}

static void unknown_means(Comptoir__Admin__CompanySettings *s)
{
	s->payment_means = "99";
}

static void colour_too_big(Comptoir__Admin__CompanySettings *s)
{
	s->colour = 0x1000000;
}

static void long_footer(Comptoir__Admin__CompanySettings *s)
{
	static char f[1002];
	memset(f, 'f', 1001);
	s->footer = f;
}

static void no_validity(Comptoir__Admin__CompanySettings *s)
{
	s->quote_validity_days = 0;
}

static void validity_too_long(Comptoir__Admin__CompanySettings *s)
{
	s->quote_validity_days = 366;
}

static void negative_ecb(Comptoir__Admin__CompanySettings *s)
{
	s->ecb_rate = -1;
}

static void margin_too_big(Comptoir__Admin__CompanySettings *s)
{
	s->penalty_margin = 10001;
}

static void legal_too_big(Comptoir__Admin__CompanySettings *s)
{
	s->legal_interest_rate = 20000;
}

static void no_discount_mention(Comptoir__Admin__CompanySettings *s)
{
	s->early_discount = "";
}

static void jpeg_logo(Comptoir__Admin__CompanySettings *s)
{
	static const uint8_t jpeg[64] = {0xFF, 0xD8, 0xFF, 0xE0};
	s->logo.data = (uint8_t *)jpeg;
	s->logo.len = sizeof jpeg;
}

static void empty_logo(Comptoir__Admin__CompanySettings *s)
{
	s->logo.len = 0;
}

static void huge_logo(Comptoir__Admin__CompanySettings *s)
{
	memcpy(big_logo, PNG_1X1, sizeof PNG_1X1);
	s->logo.data = big_logo;
	s->logo.len = sizeof big_logo;
}

static void no_change(Comptoir__Admin__CompanySettings *s)
{
}

static void no_subject(Comptoir__Admin__CompanySettings *s)
{
	s->mail_subject = "  ";
}

static void unknown_placeholder(Comptoir__Admin__CompanySettings *s)
{
	s->mail_subject = "{titre} {number}";
}

static void two_line_subject(Comptoir__Admin__CompanySettings *s)
{
	s->mail_subject = "{title}\nBcc: tous@exemple.fr";
}

static void unclosed_placeholder(Comptoir__Admin__CompanySettings *s)
{
	s->mail_body = "Bonjour, voici {number";
}

static void every_bad_field_is_refused_on_its_field_and_nothing_is_written(void **state)
{
	const bad_case cases[] = {
	    {"company.name", "Raison sociale : champ obligatoire", no_name,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.name", "200 caractères au plus", long_name,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.country", "FR (France) ou BE (Belgique)", german,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.siren", "SIREN : clé de contrôle incorrecte", bad_siren,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.siret", "SIRET : clé de contrôle incorrecte", bad_siret_key,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.siret", "il commence par le SIREN (732829320)", siret_of_another_siren,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.siret", "renseignez d'abord le SIREN", siret_without_siren,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.be_enterprise", "modulo 97", bad_be_number,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.vat_number", "ne correspond pas au SIREN 732829320", bad_vat_key,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.vat_number", "commence par FR", belgian_vat,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.vat_number", "il ne correspond pas au SIREN 732829320", vat_of_another_siren,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.postcode", "Code postal : 5 chiffres", short_postcode,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.phone", "Téléphone", letters_in_phone,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.email", "E-mail : adresse invalide", bad_email,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.email", "E-mail", email_with_space, COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.email", "E-mail : adresse invalide", two_emails,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.website", "Site web", bad_website, COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.iban", "IBAN : clé de contrôle incorrecte (modulo 97)", bad_iban,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.iban", "27 caractères attendus pour FR, 26 saisis", short_iban,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.bic", "BIC : 8 ou 11 caractères attendus, 7 saisis", short_bic,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.payment_means", "code « 99 » inconnu", unknown_means,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.colour", "Couleur", colour_too_big, COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.footer", "Pied de page : 1000 caractères au plus", long_footer,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.quote_validity_days", "de 1 à 365 jours", no_validity,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.quote_validity_days", "de 1 à 365 jours", validity_too_long,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.ecb_rate", "Taux de la BCE", negative_ecb,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.penalty_margin", "reçu 10001", margin_too_big,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.legal_interest_rate", "Taux d'intérêt légal", legal_too_big,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.early_discount", "Escompte : champ obligatoire", no_discount_mention,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.logo", "pas une image PNG", jpeg_logo,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_REPLACE},
	    {"company.logo", "fichier vide", empty_logo,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_REPLACE},
	    {"company.logo", "512 ko au plus", huge_logo,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_REPLACE},
	    {"logo_change", "inconnue", no_change, (Comptoir__Admin__LogoChange)7},
	    {"company.mail_subject", "Objet du message : champ obligatoire", no_subject,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.mail_subject", "« {titre} » inconnu", unknown_placeholder,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.mail_subject", "une seule ligne", two_line_subject,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	    {"company.mail_body", "Texte du message : « {number » inconnu", unclosed_placeholder,
	     COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP},
	};
	g_autofree char *before = fingerprint();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Comptoir__Admin__CompanySettings s;
		valid_settings(&s);
		s.name = "Un autre nom"; /* a change that must not land either */
		cases[i].spoil(&s);
		cpt_status st;
		Comptoir__Admin__CompanySettingsReply *r = update(admin, &s, cases[i].logo, &st);
		assert_null(r);
		if (st.code != CPT_INVALID_ARGUMENT || strcmp(st.field, cases[i].field) != 0 ||
		    !strstr(st.message, cases[i].part)) {
			fail_msg("case %zu: %s on \"%s\": %s (expected %s, \"%s\")", i,
				 cpt_code_name(st.code), st.field, st.message, cases[i].field,
				 cases[i].part);
		}
		g_autofree char *after = fingerprint();
		assert_string_equal(after, before);
	}
	/* No settings at all. */
	Comptoir__Admin__UpdateCompanySettingsRequest req =
	    COMPTOIR__ADMIN__UPDATE_COMPANY_SETTINGS_REQUEST__INIT;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(
	    cpt_client_call(admin, "comptoir.admin.Admin/UpdateCompanySettings", &req.base,
			    &comptoir__admin__company_settings_reply__descriptor, &out, &st),
	    CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "company");
	g_autofree char *after = fingerprint();
	assert_string_equal(after, before);
}

/* ---------------------------------------------------------------------------
 * Rights and confinement
 */

static void a_user_without_admin_users_can_neither_read_nor_write(void **state)
{
	g_autofree char *before = fingerprint();
	cpt_status st;
	assert_null(get(reader, &st));
	assert_int_equal(st.code, CPT_PERMISSION_DENIED);
	Comptoir__Admin__CompanySettings s;
	valid_settings(&s);
	assert_null(update(reader, &s, COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP, &st));
	assert_int_equal(st.code, CPT_PERMISSION_DENIED);
	g_autofree char *after = fingerprint();
	assert_string_equal(after, before);
}

static void an_administrator_of_another_company_reaches_only_that_one(void **state)
{
	/* In BETA, Bob reads and writes BETA. */
	cpt_status st;
	Comptoir__Admin__CompanySettingsReply *r = get(bob, &st);
	assert_int_equal(st.code, CPT_OK);
	assert_int_equal(r->company->id, beta);
	assert_string_equal(r->company->code, "BETA");
	assert_string_equal(r->company->country, "BE");
	assert_int_equal(r->company->penalty_margin, 800); /* Belgium's default */
	free_reply(r);
	g_autofree char *demo_before =
	    sql_text("SELECT md5(row(c.*)::text) FROM company c WHERE code = 'DEMO'");
	Comptoir__Admin__CompanySettings s;
	comptoir__admin__company_settings__init(&s);
	s.id = demo; /* ignored: the session's company is the one written */
	s.name = "Beta SRL";
	s.country = "BE";
	s.be_enterprise = "0403.170.701";
	s.vat_number = "BE 0403 170 701";
	s.postcode = "1000";
	s.city = "Bruxelles";
	s.iban = "BE68 5390 0754 7034";
	s.bic = "GEBABEBB";
	s.payment_means = "58";
	s.quote_validity_days = 15;
	s.ecb_rate = 215;
	s.penalty_margin = 800;
	s.legal_interest_rate = 450;
	s.mail_subject = "{title} {number}";
	s.mail_body = "Bonjour, voici notre {title} {number}.";
	r = update(bob, &s, COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP, &st);
	assert_int_equal(st.code, CPT_OK);
	assert_int_equal(r->company->id, beta);
	assert_string_equal(r->company->be_enterprise, "0403170701");
	assert_string_equal(r->company->vat_number, "BE0403170701");
	assert_string_equal(r->company->early_discount, ""); /* optional in Belgium */
	free_reply(r);
	g_autofree char *demo_after =
	    sql_text("SELECT md5(row(c.*)::text) FROM company c WHERE code = 'DEMO'");
	assert_string_equal(demo_after, demo_before);
	assert_int_equal(cpt_testenv_sql_int(&env,
					     "SELECT count(*) FROM company"
					     " WHERE code = 'BETA' AND iban = 'BE68539007547034'"),
			 1);

	/* In DEMO, where he only reads, both calls are refused. */
	cpt_client *in_demo = cpt_testenv_login(&env, "bob", CPT_TEST_PASSWORD, demo, NULL, NULL);
	assert_non_null(in_demo);
	assert_null(get(in_demo, &st));
	assert_int_equal(st.code, CPT_PERMISSION_DENIED);
	assert_null(update(in_demo, &s, COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP, &st));
	assert_int_equal(st.code, CPT_PERMISSION_DENIED);
	cpt_client_close(in_demo);
	g_autofree char *demo_last =
	    sql_text("SELECT md5(row(c.*)::text) FROM company c WHERE code = 'DEMO'");
	assert_string_equal(demo_last, demo_before);
}

static void the_daemon_role_cannot_update_another_company_row(void **state)
{
	/* Row-level security holds even for a query that forgets its filter. */
	char conninfo[600];
	snprintf(conninfo, sizeof conninfo, "%s user=comptoir", env.pgconn);
	PGconn *c = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQclear(PQexec(c, "BEGIN"));
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT set_config('comptoir.company_id', '%lld', true)", beta);
	PQclear(PQexec(c, sql));
	PGresult *r = PQexec(c, "UPDATE company SET name = 'Détournée'");
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	assert_string_equal(PQcmdTuples(r), "1"); /* BETA only */
	PQclear(r);
	r = PQexec(c, "SELECT count(*) FROM company WHERE name = 'Détournée'");
	assert_string_equal(PQgetvalue(r, 0, 0), "1");
	PQclear(r);
	/* The code is never the daemon's to change. */
	r = PQexec(c, "UPDATE company SET code = 'X'");
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
	PQclear(PQexec(c, "ROLLBACK"));
	PQfinish(c);
}

/* ---------------------------------------------------------------------------
 * Country
 */

static void the_country_changes_only_while_no_document_exists(void **state)
{
	/* No document yet: DEMO may become Belgian, and back. */
	Comptoir__Admin__CompanySettings s;
	valid_settings(&s);
	s.country = "BE";
	s.siren = s.siret = "";
	s.vat_number = "BE0403170701";
	s.postcode = "1000";
	cpt_status st;
	free_reply(update(admin, &s, COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP, &st));
	assert_int_equal(st.code, CPT_OK);
	valid_settings(&s);
	free_reply(update(admin, &s, COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP, &st));
	assert_int_equal(st.code, CPT_OK);

	/* A first quote fixes it. */
	g_autofree char *insert =
	    g_strdup_printf("WITH p AS (INSERT INTO party (company_id, kind, code, name)"
			    " VALUES (%lld, 'client', 'PREMIER', 'Premier client') RETURNING id),"
			    " d AS (INSERT INTO sales_document (company_id, type, party_id)"
			    " SELECT %lld, 'quote', id FROM p RETURNING 1) SELECT count(*) FROM d",
			    demo, demo);
	assert_int_equal(cpt_testenv_sql_int(&env, insert), 1);
	Comptoir__Admin__CompanySettingsReply *r = get(admin, &st);
	assert_true(r->has_documents);
	free_reply(r);
	g_autofree char *before = fingerprint();
	valid_settings(&s);
	s.country = "BE";
	s.siren = s.siret = "";
	s.vat_number = "BE0403170701";
	s.postcode = "1000";
	assert_null(update(admin, &s, COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP, &st));
	assert_int_equal(st.code, CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "company.country");
	assert_non_null(strstr(st.message, "documents de vente existent"));
	g_autofree char *after = fingerprint();
	assert_string_equal(after, before);
	/* The rest still changes. */
	valid_settings(&s);
	s.city = "Villeurbanne";
	free_reply(update(admin, &s, COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP, &st));
	assert_int_equal(st.code, CPT_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_are_read_for_the_session_company),
	    cmocka_unit_test(every_field_is_written_then_read_back_normalised),
	    cmocka_unit_test(the_logo_is_kept_unless_replaced_or_removed),
	    cmocka_unit_test(every_bad_field_is_refused_on_its_field_and_nothing_is_written),
	    cmocka_unit_test(a_user_without_admin_users_can_neither_read_nor_write),
	    cmocka_unit_test(an_administrator_of_another_company_reaches_only_that_one),
	    cmocka_unit_test(the_daemon_role_cannot_update_another_company_row),
	    cmocka_unit_test(the_country_changes_only_while_no_document_exists),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
