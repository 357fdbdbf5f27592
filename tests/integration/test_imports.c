/*
 * CSV imports: a dry run reports the rejected rows (line, column, reason)
 * and writes nothing; all-or-nothing writes nothing while a row is
 * rejected; valid-only writes the valid rows; a malformed file (bad
 * encoding, wrong column count, quotes left open) is refused as a whole on
 * the field "csv". Articles read French prices and rates; a supplier's
 * price list is created then updated. Rights and companies are kept apart.
 */
#include "testenv.h"

#include "articles.pb-c.h"
#include "imports.pb-c.h"
#include "parties.pb-c.h"
#include "rpc.pb-c.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cpt_testenv env;
static cpt_client *admin;

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "imports", NULL) != 0) {
		return -1;
	}
	admin = cpt_testenv_admin(&env);
	return admin ? 0 : -1;
}

static int teardown(void **state)
{
	cpt_client_close(admin);
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

static long long parties(void)
{
	return cpt_testenv_sql_int(&env, "SELECT (SELECT count(*) FROM party)"
					 " + (SELECT count(*) FROM party_address)"
					 " + (SELECT count(*) FROM party_contact)");
}

/* Runs an import; the reply (caller frees) or NULL with st set. */
static Comptoir__Imports__ImportReply *import(cpt_client *c, const char *what, const char *csv,
					      Comptoir__Imports__Mode mode, int64_t supplier,
					      cpt_status *st)
{
	Comptoir__Imports__ImportRequest req = COMPTOIR__IMPORTS__IMPORT_REQUEST__INIT;
	req.csv.data = (uint8_t *)csv;
	req.csv.len = strlen(csv);
	req.mode = mode;
	req.supplier_id = supplier;
	char method[64];
	snprintf(method, sizeof method, "comptoir.imports.Import/%s", what);
	ProtobufCMessage *out = NULL;
	*st = (cpt_status){0};
	if (cpt_client_call(c, method, &req.base, &comptoir__imports__import_reply__descriptor,
			    &out, st) != CPT_OK) {
		return NULL;
	}
	return (Comptoir__Imports__ImportReply *)out;
}

static const char CLIENTS[] =
    "\xEF\xBB\xBF"
    "Code;Raison sociale;SIREN;Adresse;Code postal;Ville;Contact;E-mail;Étiquettes;Couleur\r\n"
    "ECOLE01;École Jules Ferry;;12 rue des Écoles;69003;Lyon;Hélène Martin;h.martin@ecole.fr;"
    "public, école;bleu\r\n"
    "BOUL01;Boulangerie Dupont;732829320;1 place du Marché;69002;Lyon;;;;\r\n"
    "BAD01;Siren faux;732829321;;;;;;;\r\n"
    "ECOLE01;Doublon dans le fichier;;;;;;;;\r\n"
    "MAIL01;Adresse invalide;;;;;Paul;paul.at.example;;\r\n"
    ";Sans code;;;;;;;;\r\n"
    "\"HOTEL01\";\"Hôtel \"\"Le Parc\"\"; Lyon\";;;;;;;;\r\n";

static void dry_run_reports_rejected_rows_and_writes_nothing(void **state)
{
	long long before = parties();
	cpt_status st;
	Comptoir__Imports__ImportReply *rep =
	    import(admin, "Clients", CLIENTS, COMPTOIR__IMPORTS__MODE__DRY_RUN, 0, &st);
	assert_non_null(rep);
	assert_int_equal(rep->rows, 7);
	assert_int_equal(rep->valid, 3);
	assert_int_equal(rep->rejected_count, 4);
	assert_false(rep->written);
	assert_int_equal(rep->created, 0);
	struct {
		unsigned line;
		const char *column, *field;
	} want[] = {
	    {4, "SIREN", "party.siren"},
	    {5, "Code", "party.code"},
	    {6, "E-mail", "party.contacts.email"},
	    {7, "Code", "party.code"},
	};
	assert_int_equal(rep->n_rejected, 4);
	for (size_t i = 0; i < 4; i++) {
		const Comptoir__Imports__RejectedRow *x = rep->rejected[i];
		if (x->line != want[i].line || strcmp(x->column, want[i].column) != 0 ||
		    strcmp(x->field, want[i].field) != 0 || !x->reason[0]) {
			fail_msg("rejection %zu: line %u column '%s' field '%s' (%s)", i, x->line,
				 x->column, x->field, x->reason);
		}
	}
	assert_int_equal(rep->n_ignored_columns, 1);
	assert_string_equal(rep->ignored_columns[0], "Couleur");
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	assert_int_equal(parties(), before);

	/* All or nothing: still nothing while rows are rejected. */
	rep = import(admin, "Clients", CLIENTS, COMPTOIR__IMPORTS__MODE__ALL_OR_NOTHING, 0, &st);
	assert_non_null(rep);
	assert_false(rep->written);
	assert_int_equal(rep->rejected_count, 4);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	assert_int_equal(parties(), before);
}

static void valid_only_writes_the_valid_rows_with_their_address_and_contact(void **state)
{
	cpt_status st;
	Comptoir__Imports__ImportReply *rep =
	    import(admin, "Clients", CLIENTS, COMPTOIR__IMPORTS__MODE__VALID_ONLY, 0, &st);
	assert_non_null(rep);
	assert_true(rep->written);
	assert_int_equal(rep->created, 3);
	assert_int_equal(rep->rejected_count, 4);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party"), 3);
	assert_int_equal(cpt_testenv_sql_int(&env,
					     "SELECT count(*) FROM party_address a"
					     " JOIN party p ON p.id = a.party_id"
					     " WHERE p.code = 'ECOLE01' AND a.kind = 'billing'"
					     " AND a.city = 'Lyon'"),
			 1);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party_contact c"
						   " JOIN party p ON p.id = c.party_id"
						   " WHERE p.code = 'ECOLE01'"
						   " AND c.email = 'h.martin@ecole.fr'"),
			 1);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party WHERE code ="
						   " 'ECOLE01' AND tags = '{public,école}'"),
			 1);
	/* Quotes inside a quoted cell, and the separator in it, read back whole. */
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party WHERE name ="
						   " 'Hôtel \"Le Parc\"; Lyon'"),
			 1);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM audit_log"
						   " WHERE target = 'party' AND detail->>'event' ="
						   " 'import' AND detail->>'created' = '3'"),
			 1);

	/* Importing the same file again: every code now exists. */
	rep = import(admin, "Clients", CLIENTS, COMPTOIR__IMPORTS__MODE__ALL_OR_NOTHING, 0, &st);
	assert_non_null(rep);
	assert_int_equal(rep->valid, 0);
	assert_string_equal(rep->rejected[0]->field, "party.code");
	protobuf_c_message_free_unpacked(&rep->base, NULL);
}

static void all_or_nothing_writes_a_clean_file(void **state)
{
	const char csv[] = "code,nom,genre\nP1,Prospect un,Prospect\nP2,Client deux,\n";
	cpt_status st;
	Comptoir__Imports__ImportReply *rep =
	    import(admin, "Clients", csv, COMPTOIR__IMPORTS__MODE__ALL_OR_NOTHING, 0, &st);
	assert_non_null(rep);
	assert_true(rep->written);
	assert_int_equal(rep->created, 2);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party WHERE code = 'P1'"
						   " AND kind = 'prospect'"),
			 1);
}

/*
 * A row the database itself refuses, past every check the server makes
 * first (here a test-only trigger): the import starts over row by row in
 * savepoints, and the other rows are kept.
 */
static void a_row_the_database_refuses_leaves_the_others(void **state)
{
	assert_int_equal(cpt_testenv_sql_int(
			     &env,
			     "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS"
			     " $$ BEGIN IF NEW.name = 'Refusé par la base' THEN RAISE EXCEPTION"
			     " 'no' USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$;"
			     " CREATE TRIGGER test_refuse BEFORE INSERT ON party FOR EACH ROW"
			     " EXECUTE FUNCTION test_refuse(); SELECT 1"),
			 1);
	const char csv[] = "code;nom\nT1;Premier\nT2;Refusé par la base\nT3;Troisième\n";
	cpt_status st;
	Comptoir__Imports__ImportReply *rep =
	    import(admin, "Clients", csv, COMPTOIR__IMPORTS__MODE__VALID_ONLY, 0, &st);
	cpt_testenv_sql_int(&env, "DROP TRIGGER test_refuse ON party; SELECT 1");
	assert_non_null(rep);
	assert_int_equal(rep->created, 2);
	assert_int_equal(rep->rejected_count, 1);
	assert_int_equal(rep->rejected[0]->line, 3);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	assert_int_equal(
	    cpt_testenv_sql_int(&env, "SELECT count(*) FROM party WHERE code IN ('T1', 'T3')"), 2);
}

static void references_are_taken_by_code_or_name(void **state)
{
	assert_int_equal(cpt_testenv_sql_int(
			     &env, "WITH c AS (SELECT min(id) AS id FROM company),"
				   " s AS (INSERT INTO sector (company_id, code, label)"
				   " SELECT id, 'NORD', 'Lyon Nord' FROM c RETURNING 1),"
				   " r AS (INSERT INTO sales_rep (company_id, code, name)"
				   " SELECT id, 'JD', 'Jeanne Durand' FROM c RETURNING 1)"
				   " SELECT (SELECT count(*) FROM s) + (SELECT count(*) FROM r)"),
			 2);
	const char csv[] = "code;nom;secteur;commercial;mode de paiement;tiers payeur\n"
			   "R1;Par les codes;nord;JD;CHEQUE;\n"
			   "R2;Par les noms;Lyon Nord;jeanne durand;Virement;r1\n"
			   "R3;Secteur inconnu;Sud;;;\n"
			   "R4;Mode inconnu;;;Bitcoin;\n";
	cpt_status st;
	Comptoir__Imports__ImportReply *rep =
	    import(admin, "Clients", csv, COMPTOIR__IMPORTS__MODE__VALID_ONLY, 0, &st);
	assert_non_null(rep);
	assert_int_equal(rep->created, 2);
	assert_int_equal(rep->rejected_count, 2);
	assert_string_equal(rep->rejected[0]->field, "party.sector_id");
	assert_string_equal(rep->rejected[0]->column, "secteur");
	assert_string_equal(rep->rejected[1]->field, "party.payment_method");
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	assert_int_equal(cpt_testenv_sql_int(&env,
					     "SELECT count(*) FROM party p"
					     " JOIN sector s ON s.id = p.sector_id"
					     " JOIN sales_rep r ON r.id = p.sales_rep_id"
					     " WHERE p.code IN ('R1', 'R2') AND s.code = 'NORD'"
					     " AND r.code = 'JD'"),
			 2);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party p JOIN party q"
						   " ON q.id = p.payer_id WHERE p.code = 'R2'"
						   " AND p.payment_method = 'VIREMENT'"
						   " AND q.code = 'R1'"),
			 1);
}

static void a_malformed_file_is_refused_whole_on_the_field_csv(void **state)
{
	long long before = parties();
	const struct {
		const char *csv, *line;
	} cases[] = {
	    {"code;nom\nX1;Caf\xE9 latin-1\n", "ligne 2"}, /* not UTF-8 */
	    {"code;nom\nX1;Un;deux\n", "ligne 2"},	   /* three fields, two columns */
	    {"code;nom\nX1;Un\nX2;\"jamais fermé\n", "ligne 3"},
	    {"nom;ville\nUn;Lyon\n", "ligne 1"}, /* no code column */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cpt_status st;
		Comptoir__Imports__ImportReply *rep = import(
		    admin, "Clients", cases[i].csv, COMPTOIR__IMPORTS__MODE__VALID_ONLY, 0, &st);
		assert_null(rep);
		if (st.code != CPT_INVALID_ARGUMENT || strcmp(st.field, "csv") != 0 ||
		    strncmp(st.message, cases[i].line, strlen(cases[i].line)) != 0) {
			fail_msg("case %zu: %d on '%s': %s", i, st.code, st.field, st.message);
		}
	}
	assert_int_equal(parties(), before);
}

static void articles_read_french_prices_rates_and_families(void **state)
{
	cpt_testenv_sql_int(&env, "WITH f AS (INSERT INTO article_family (company_id, code, label)"
				  " SELECT id, 'CHAUF', 'Chauffage' FROM company RETURNING 1)"
				  " SELECT count(*) FROM f");
	const char csv[] =
	    "Code;Désignation;Nature;Unité;Prix d'achat;Prix de vente HT;TVA;DEEE;Famille;"
	    "Suivi de stock\n"
	    "CH24;Chaudière 24 kW;Bien;U;1 250,00;2 190,50;20 %;2,5;chauf;oui\n"
	    "MO;Main-d'œuvre technicien;Main-d'œuvre;H;35;55;10;;;non\n"
	    "NEG;Prix négatif;bien;U;;-3;20;;;\n"
	    "FAM;Famille inconnue;bien;U;;3;20;;CLIM;\n"
	    "TVA;Taux inconnu;bien;U;;3;7;;;\n"
	    "STK;Service suivi en stock;service;U;;3;20;;;oui\n";
	cpt_status st;
	Comptoir__Imports__ImportReply *rep =
	    import(admin, "Articles", csv, COMPTOIR__IMPORTS__MODE__VALID_ONLY, 0, &st);
	assert_non_null(rep);
	assert_int_equal(rep->created, 2);
	assert_int_equal(rep->rejected_count, 4);
	const char *fields[] = {"article.sale_price", "article.family_id", "article.vat_rate_id",
				"article.stock_tracked"};
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(rep->rejected[i]->field, fields[i]);
	}
	assert_string_equal(rep->rejected[0]->column, "Prix de vente HT");
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	assert_int_equal(
	    cpt_testenv_sql_int(&env, "SELECT count(*) FROM article a JOIN vat_rate v"
				      " ON v.id = a.vat_rate_id JOIN article_family f"
				      " ON f.id = a.family_id WHERE a.code = 'CH24'"
				      " AND a.purchase_price = 12500000 AND a.sale_price = 21905000"
				      " AND a.eco_contribution = 25000 AND v.rate = 2000"
				      " AND a.stock_tracked AND f.code = 'CHAUF'"),
	    1);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM article a JOIN vat_rate v"
						   " ON v.id = a.vat_rate_id WHERE a.code = 'MO'"
						   " AND a.kind = 'labour' AND v.rate = 1000"),
			 1);
}

static void a_supplier_price_list_is_created_then_updated(void **state)
{
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.code = "GROSSISTE";
	p.name = "Grossiste chauffage";
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = &p;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(admin, "comptoir.parties.Suppliers/Create", &req.base,
					 &comptoir__parties__party_reply__descriptor, &out, &st),
			 CPT_OK);
	int64_t supplier = ((Comptoir__Parties__PartyReply *)out)->party->id;
	protobuf_c_message_free_unpacked(out, NULL);

	const char csv[] = "Article;Réf. fournisseur;Prix;Quantité minimale;Début de validité\n"
			   "ch24;GR-CH24;1 180,00;;01/01/2026\n"
			   "CH24;GR-CH24;1 120,00;5;01/01/2026\n"
			   "INCONNU;X;1;;\n"
			   "MO;X;12;;31/02/2026\n";
	Comptoir__Imports__ImportReply *rep = import(
	    admin, "SupplierPrices", csv, COMPTOIR__IMPORTS__MODE__VALID_ONLY, supplier, &st);
	assert_non_null(rep);
	assert_int_equal(rep->created, 2);
	assert_int_equal(rep->rejected_count, 2);
	assert_string_equal(rep->rejected[0]->field, "price.article_id");
	assert_string_equal(rep->rejected[1]->field, "price.valid_from");
	protobuf_c_message_free_unpacked(&rep->base, NULL);

	/* The next list from the supplier: same breaks, new prices. */
	const char next[] = "article;prix;quantité minimale\nCH24;1 199;\nCH24;1 130;5\n";
	rep = import(admin, "SupplierPrices", next, COMPTOIR__IMPORTS__MODE__ALL_OR_NOTHING,
		     supplier, &st);
	assert_non_null(rep);
	assert_true(rep->written);
	assert_int_equal(rep->created, 0);
	assert_int_equal(rep->updated, 2);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT sum(unit_price) FROM supplier_price"),
			 11990000 + 11300000);

	/* Without a supplier, neither in the request nor in a column. */
	rep = import(admin, "SupplierPrices", next, COMPTOIR__IMPORTS__MODE__DRY_RUN, 0, &st);
	assert_null(rep);
	assert_string_equal(st.field, "supplier_id");
}

static void rights_and_companies_are_kept_apart(void **state)
{
	int64_t role = cpt_testenv_sql_int(&env, "SELECT id FROM role WHERE name = 'Consultation'");
	assert_true(cpt_testenv_create_user(&env, "lecteur", role, 0) > 0);
	cpt_client *reader = cpt_testenv_login(&env, "lecteur", CPT_TEST_PASSWORD, 0, NULL, NULL);
	cpt_status st;
	long long before = parties();
	assert_null(import(reader, "Clients", "code;nom\nZ1;Refusé\n",
			   COMPTOIR__IMPORTS__MODE__DRY_RUN, 0, &st));
	assert_int_equal(st.code, CPT_PERMISSION_DENIED);
	assert_int_equal(parties(), before);
	cpt_client_close(reader);

	char out[2048];
	const char *add[] = {"company", "add", "AUTRE", "Autre SARL", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, add), 0);
	const char *grant[] = {"user", "grant", "admin", "AUTRE", "Administrateur", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, grant), 0);
	int64_t other = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'AUTRE'");
	cpt_client *b = cpt_testenv_login(&env, "admin", env.admin_password, other, NULL, NULL);
	/* The first company's supplier and articles are unknown here. */
	int64_t supplier =
	    cpt_testenv_sql_int(&env, "SELECT id FROM party WHERE code = 'GROSSISTE'");
	assert_null(import(b, "SupplierPrices", "article;prix\nCH24;1\n",
			   COMPTOIR__IMPORTS__MODE__DRY_RUN, supplier, &st));
	assert_int_equal(st.code, CPT_NOT_FOUND);
	/* Codes are per company: the same clients import cleanly there. */
	Comptoir__Imports__ImportReply *rep =
	    import(b, "Clients", "code;nom\nECOLE01;Autre école\n",
		   COMPTOIR__IMPORTS__MODE__ALL_OR_NOTHING, 0, &st);
	assert_non_null(rep);
	assert_true(rep->written);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	cpt_client_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dry_run_reports_rejected_rows_and_writes_nothing),
	    cmocka_unit_test(valid_only_writes_the_valid_rows_with_their_address_and_contact),
	    cmocka_unit_test(all_or_nothing_writes_a_clean_file),
	    cmocka_unit_test(a_row_the_database_refuses_leaves_the_others),
	    cmocka_unit_test(references_are_taken_by_code_or_name),
	    cmocka_unit_test(a_malformed_file_is_refused_whole_on_the_field_csv),
	    cmocka_unit_test(articles_read_french_prices_rates_and_families),
	    cmocka_unit_test(a_supplier_price_list_is_created_then_updated),
	    cmocka_unit_test(rights_and_companies_are_kept_apart),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
