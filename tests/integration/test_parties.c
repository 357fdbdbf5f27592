/*
 * Clients and prospects: a client with two sites and a contact, identifiers
 * checked with their check digits, duplicate codes refused, search as you type
 * without accents, prospect conversion keeping the record, read-only rights,
 * and isolation between companies.
 */
#include "testenv.h"

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
#include <unistd.h>

static cpt_testenv env;
static cpt_client *admin;

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "parties", NULL) != 0) {
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

static long long party_rows(void)
{
	return cpt_testenv_sql_int(&env, "SELECT (SELECT count(*) FROM party)"
					 " + (SELECT count(*) FROM party_address)"
					 " + (SELECT count(*) FROM party_contact)");
}

static int create(cpt_client *c, Comptoir__Parties__Party *p, Comptoir__Parties__PartyReply **rep,
		  cpt_status *st)
{
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = p;
	ProtobufCMessage *out = NULL;
	int rc = cpt_client_call(c, "comptoir.parties.Parties/Create", &req.base,
				 &comptoir__parties__party_reply__descriptor, &out, st);
	if (rep) {
		*rep = (Comptoir__Parties__PartyReply *)out;
	} else {
		protobuf_c_message_free_unpacked(out, NULL);
	}
	return rc;
}

static void client_with_two_sites_and_a_contact_is_created_and_read_back(void **state)
{
	Comptoir__Parties__Address a[3];
	Comptoir__Parties__Address *ap[3] = {&a[0], &a[1], &a[2]};
	const char *kinds[] = {"billing", "site", "site"};
	const char *labels[] = {"Siège", "Chaufferie bâtiment A", "Chaufferie bâtiment B"};
	for (int i = 0; i < 3; i++) {
		comptoir__parties__address__init(&a[i]);
		a[i].kind = (char *)kinds[i];
		a[i].label = (char *)labels[i];
		a[i].line1 = "12 rue des Écoles";
		a[i].postcode = "69003";
		a[i].city = "Lyon";
	}
	Comptoir__Parties__Contact ct = COMPTOIR__PARTIES__CONTACT__INIT;
	Comptoir__Parties__Contact *ctp[] = {&ct};
	ct.name = "Hélène Martin";
	ct.role = "Responsable technique";
	ct.email = "h.martin@ecole-lumiere.fr";
	ct.phone = "04 78 00 00 00";
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	char *tags[] = {"école", "contrat P2"};
	p.kind = "client";
	p.code = " ecole01 ";
	p.name = "École élémentaire Lumière";
	p.siren = "732 829 320";
	p.siret = "73282932000074";
	p.vat_number = "FR 44 732829320";
	p.payment_terms = "NET30EOM";
	p.n_addresses = 3;
	p.addresses = ap;
	p.n_contacts = 1;
	p.contacts = ctp;
	p.n_tags = 2;
	p.tags = tags;
	Comptoir__Parties__PartyReply *rep = NULL;
	cpt_status st = {0};
	int rc = create(admin, &p, &rep, &st);
	if (rc) {
		fail_msg("Create: %s (%s)", st.message, st.field);
	}
	Comptoir__Parties__Party *got = rep->party;
	assert_string_equal(got->code, "ECOLE01");
	assert_string_equal(got->siren, "732829320");
	assert_string_equal(got->vat_number, "FR44732829320");
	assert_int_equal(got->n_addresses, 3);
	assert_int_equal(got->n_contacts, 1);
	assert_string_equal(got->contacts[0]->name, "Hélène Martin");
	assert_int_equal(got->n_tags, 2);
	assert_string_equal(got->tags[0], "école");
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	assert_int_equal(cpt_testenv_sql_int(&env,
					     "SELECT count(*) FROM audit_log"
					     " WHERE method = 'comptoir.parties.Parties/Create'"),
			 1);
}

static void bad_identifiers_and_duplicates_name_the_field_and_write_nothing(void **state)
{
	long long before = party_rows();
	struct {
		const char *code, *siren, *vat, *terms, *field;
		int code_expected;
	} cases[] = {
	    {"X1", "732829321", "", "", "party.siren", CPT_INVALID_ARGUMENT},
	    {"X2", "", "FR00732829320", "", "party.vat_number", CPT_INVALID_ARGUMENT},
	    {"X3", "", "", "NET999DAYS", "party.payment_terms", CPT_INVALID_ARGUMENT},
	    {"bad code!", "", "", "", "party.code", CPT_INVALID_ARGUMENT},
	    {"ecole01", "", "", "", "party.code", CPT_INVALID_ARGUMENT},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
		p.kind = "client";
		p.code = (char *)cases[i].code;
		p.name = "Essai";
		p.siren = (char *)cases[i].siren;
		p.vat_number = (char *)cases[i].vat;
		p.payment_terms = (char *)cases[i].terms;
		cpt_status st = {0};
		assert_int_equal(create(admin, &p, NULL, &st), cases[i].code_expected);
		assert_string_equal(st.field, cases[i].field);
		assert_true(strlen(st.message) > 0);
	}
	assert_int_equal(party_rows(), before);
}

static Comptoir__Parties__ListPartiesReply *search(cpt_client *c, const char *text, int *rc)
{
	Comptoir__Parties__ListPartiesRequest req = COMPTOIR__PARTIES__LIST_PARTIES_REQUEST__INIT;
	req.search = (char *)text;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	*rc = cpt_client_call(c, "comptoir.parties.Parties/List", &req.base,
			      &comptoir__parties__list_parties_reply__descriptor, &out, &st);
	return (Comptoir__Parties__ListPartiesReply *)out;
}

static void search_as_you_type_ignores_accents_and_case(void **state)
{
	int rc;
	Comptoir__Parties__ListPartiesReply *r = search(admin, "ECOLE ELEM", &rc);
	assert_int_equal(rc, CPT_OK);
	assert_int_equal(r->n_parties, 1);
	assert_string_equal(r->parties[0]->name, "École élémentaire Lumière");
	assert_string_equal(r->parties[0]->city, "Lyon");
	assert_string_equal(r->parties[0]->phone, "04 78 00 00 00");
	protobuf_c_message_free_unpacked(&r->base, NULL);
	r = search(admin, "lumiere", &rc);
	assert_int_equal(r->n_parties, 1);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	r = search(admin, "732829", &rc); /* part of the SIREN */
	assert_int_equal(r->n_parties, 1);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	r = search(admin, "boulangerie", &rc);
	assert_int_equal(r->n_parties, 0);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void prospect_becomes_a_client_on_the_same_record(void **state)
{
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.kind = "prospect";
	p.code = "PROSP1";
	p.name = "Garage des Alpes";
	p.be_enterprise = "0403.170.701";
	p.country = "BE";
	Comptoir__Parties__PartyReply *rep = NULL;
	cpt_status st = {0};
	if (create(admin, &p, &rep, &st)) {
		fail_msg("Create: %s (%s)", st.message, st.field);
	}
	int64_t id = rep->party->id;
	assert_string_equal(rep->party->be_enterprise, "0403170701");
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	Comptoir__Parties__ConvertProspectRequest req =
	    COMPTOIR__PARTIES__CONVERT_PROSPECT_REQUEST__INIT;
	req.id = id;
	ProtobufCMessage *out = NULL;
	assert_int_equal(cpt_client_call(admin, "comptoir.parties.Parties/ConvertProspect",
					 &req.base, &comptoir__parties__party_reply__descriptor,
					 &out, &st),
			 CPT_OK);
	Comptoir__Parties__Party *got = ((Comptoir__Parties__PartyReply *)out)->party;
	assert_int_equal(got->id, id);
	assert_string_equal(got->kind, "client");
	assert_true(got->converted_at > 0);
	protobuf_c_message_free_unpacked(out, NULL);
	assert_int_equal(cpt_client_call(admin, "comptoir.parties.Parties/ConvertProspect",
					 &req.base, &comptoir__parties__party_reply__descriptor,
					 &out, &st),
			 CPT_FAILED_PRECONDITION);
}

static void read_only_user_cannot_write_and_other_companies_see_nothing(void **state)
{
	int64_t role = cpt_testenv_sql_int(&env, "SELECT id FROM role WHERE name = 'Consultation'");
	assert_true(cpt_testenv_create_user(&env, "lecteur", role, 0) > 0);
	cpt_client *reader = cpt_testenv_login(&env, "lecteur", CPT_TEST_PASSWORD, 0, NULL, NULL);
	int rc;
	Comptoir__Parties__ListPartiesReply *r = search(reader, "", &rc);
	assert_int_equal(rc, CPT_OK);
	assert_true(r->n_parties >= 2);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	long long before = party_rows();
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.kind = "client";
	p.code = "NOPE";
	p.name = "Refusé";
	cpt_status st = {0};
	assert_int_equal(create(reader, &p, NULL, &st), CPT_PERMISSION_DENIED);
	assert_int_equal(party_rows(), before);
	cpt_client_close(reader);

	/* Another company: its administrator sees none of these clients. */
	char out[2048];
	const char *add[] = {"company", "add", "AUTRE", "Autre SARL", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, add), 0);
	const char *grant[] = {"user", "grant", "admin", "AUTRE", "Administrateur", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, grant), 0);
	int64_t other = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'AUTRE'");
	cpt_client *b = cpt_testenv_login(&env, "admin", env.admin_password, other, NULL, NULL);
	r = search(b, "", &rc);
	assert_int_equal(rc, CPT_OK);
	assert_int_equal(r->n_parties, 0);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	/* The same code is free there: codes are unique per company. */
	p.code = "ECOLE01";
	p.name = "Autre école";
	assert_int_equal(create(b, &p, NULL, &st), CPT_OK);
	/* A payer of the first company is unknown here, though a foreign key would accept it. */
	p.code = "ECOLE02";
	p.payer_id = cpt_testenv_sql_int(&env, "SELECT min(id) FROM party WHERE company_id <> "
					       "(SELECT id FROM company WHERE code = 'AUTRE')");
	assert_int_equal(create(b, &p, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "party.payer_id");
	p.payer_id = 0;
	cpt_client_close(b);
}

/* The party's current state; caller frees the reply. */
static Comptoir__Parties__PartyReply *get(int64_t id)
{
	Comptoir__Parties__GetPartyRequest req = COMPTOIR__PARTIES__GET_PARTY_REQUEST__INIT;
	req.id = id;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(admin, "comptoir.parties.Parties/Get", &req.base,
					 &comptoir__parties__party_reply__descriptor, &out, &st),
			 CPT_OK);
	return (Comptoir__Parties__PartyReply *)out;
}

static int update(Comptoir__Parties__Party *p, cpt_status *st)
{
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = p;
	ProtobufCMessage *out = NULL;
	int rc = cpt_client_call(admin, "comptoir.parties.Parties/Update", &req.base,
				 &comptoir__parties__party_reply__descriptor, &out, st);
	protobuf_c_message_free_unpacked(out, NULL);
	return rc;
}

static void update_keeps_changes_and_removes_sites_and_contacts_by_id(void **state)
{
	int64_t id = cpt_testenv_sql_int(&env, "SELECT id FROM party WHERE code = 'ECOLE01'");
	Comptoir__Parties__PartyReply *before_reply = get(id);
	Comptoir__Parties__Party *p = before_reply->party;
	assert_int_equal(p->n_addresses, 3);
	int64_t kept = p->addresses[1]->id;
	/* Keep the second address (renamed), drop the others, add one; drop the contact. */
	Comptoir__Parties__Address fresh = COMPTOIR__PARTIES__ADDRESS__INIT;
	fresh.kind = "delivery";
	fresh.label = "Quai de livraison";
	fresh.city = "Villeurbanne";
	Comptoir__Parties__Address *second = p->addresses[1];
	char *own_label = second->label; /* owned by the reply: restored before freeing it */
	second->label = "Chaufferie principale";
	Comptoir__Parties__Address *now[] = {second, &fresh};
	Comptoir__Parties__Address **old_addresses = p->addresses;
	size_t old_n = p->n_addresses, old_contacts = p->n_contacts;
	p->addresses = now;
	p->n_addresses = 2;
	p->n_contacts = 0;
	p->dispute = true;
	cpt_status st = {0};
	int rc = update(p, &st);
	if (rc) {
		fail_msg("Update: %s (%s)", st.message, st.field);
	}
	Comptoir__Parties__PartyReply *after_reply = get(id);
	Comptoir__Parties__Party *after = after_reply->party;
	assert_int_equal(after->n_addresses, 2);
	assert_int_equal(after->addresses[0]->id, kept);
	assert_string_equal(after->addresses[0]->label, "Chaufferie principale");
	assert_string_equal(after->addresses[1]->city, "Villeurbanne");
	assert_int_equal(after->n_contacts, 0);
	assert_true(after->dispute);
	protobuf_c_message_free_unpacked(&after_reply->base, NULL);

	/* An address id of another party is refused, naming the field; nothing changes. */
	long long before = party_rows();
	int64_t foreign = cpt_testenv_sql_int(&env, "SELECT min(a.id) FROM party_address a"
						    " JOIN party p ON p.id = a.party_id"
						    " WHERE p.code <> 'ECOLE01'");
	second->id = foreign > 0 ? foreign : 999999;
	second->label = "Volée";
	p->n_addresses = 1;
	assert_int_equal(update(p, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "party.addresses.id");
	assert_int_equal(party_rows(), before);
	/* Its own payer: refused. */
	second->id = kept;
	p->payer_id = id;
	assert_int_equal(update(p, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "party.payer_id");
	/* A payer named by its code, as the client file does; an unknown code is named. */
	p->payer_id = 0;
	char *own_payer_code = p->payer_code; /* the reply's: freed with it */
	p->payer_code = "nope-404";
	assert_int_equal(update(p, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "party.payer_code");
	p->payer_code = own_payer_code;
	second->label = own_label;
	p->addresses = old_addresses;
	p->n_addresses = old_n;
	p->n_contacts = old_contacts;
	protobuf_c_message_free_unpacked(&before_reply->base, NULL);
}

static void suppliers_are_kept_apart_from_clients(void **state)
{
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.kind = "client"; /* ignored by the Suppliers service */
	p.code = "FOURN1";
	p.name = "Négoce Pièces Chauffage";
	p.vat_number = "BE 0403.170.701";
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = &p;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	int rc = cpt_client_call(admin, "comptoir.parties.Suppliers/Create", &req.base,
				 &comptoir__parties__party_reply__descriptor, &out, &st);
	if (rc) {
		fail_msg("Suppliers/Create: %s (%s)", st.message, st.field);
	}
	Comptoir__Parties__Party *got = ((Comptoir__Parties__PartyReply *)out)->party;
	assert_string_equal(got->kind, "supplier");
	assert_string_equal(got->vat_number, "BE0403170701");
	int64_t id = got->id;
	protobuf_c_message_free_unpacked(out, NULL);
	/* Not a client: absent from the clients list, unknown to Parties/Get. */
	Comptoir__Parties__ListPartiesReply *r = search(admin, "negoce", &rc);
	assert_int_equal(r->n_parties, 0);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	Comptoir__Parties__GetPartyRequest g = COMPTOIR__PARTIES__GET_PARTY_REQUEST__INIT;
	g.id = id;
	assert_int_equal(cpt_client_call(admin, "comptoir.parties.Parties/Get", &g.base,
					 &comptoir__parties__party_reply__descriptor, &out, &st),
			 CPT_NOT_FOUND);
	/* Listed by the Suppliers service. */
	Comptoir__Parties__ListPartiesRequest lr = COMPTOIR__PARTIES__LIST_PARTIES_REQUEST__INIT;
	lr.search = "negoce";
	assert_int_equal(cpt_client_call(admin, "comptoir.parties.Suppliers/List", &lr.base,
					 &comptoir__parties__list_parties_reply__descriptor, &out,
					 &st),
			 CPT_OK);
	assert_int_equal(((Comptoir__Parties__ListPartiesReply *)out)->n_parties, 1);
	protobuf_c_message_free_unpacked(out, NULL);
	/* A client cannot be updated through the Suppliers service. */
	int64_t client = cpt_testenv_sql_int(&env, "SELECT id FROM party WHERE code = 'ECOLE01'");
	Comptoir__Parties__Party u = COMPTOIR__PARTIES__PARTY__INIT;
	u.id = client;
	u.code = "ECOLE01";
	u.name = "Détournée";
	req.party = &u;
	assert_int_equal(cpt_client_call(admin, "comptoir.parties.Suppliers/Update", &req.base,
					 &comptoir__parties__party_reply__descriptor, &out, &st),
			 CPT_NOT_FOUND);
	assert_int_equal(
	    cpt_testenv_sql_int(&env, "SELECT count(*) FROM party WHERE name = 'Détournée'"), 0);
}

static int info(cpt_client *c)
{
	Comptoir__Rpc__Empty in = COMPTOIR__RPC__EMPTY__INIT;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	int rc = cpt_client_call(c, "comptoir.rpc.Server/Info", &in.base,
				 &comptoir__rpc__info_reply__descriptor, &out, &st);
	protobuf_c_message_free_unpacked(out, NULL);
	return rc;
}

static void another_workstation_is_told_of_a_change_in_its_company_only(void **state)
{
	int64_t demo = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'DEMO'");
	int64_t other = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'AUTRE'");
	cpt_client *watcher =
	    cpt_testenv_login(&env, "admin", env.admin_password, demo, NULL, NULL);
	cpt_client *elsewhere =
	    cpt_testenv_login(&env, "admin", env.admin_password, other, NULL, NULL);
	assert_non_null(watcher);
	assert_non_null(elsewhere);
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.kind = "client";
	p.code = "LIVE1";
	p.name = "Client en direct";
	Comptoir__Parties__PartyReply *rep = NULL;
	cpt_status st = {0};
	assert_int_equal(create(admin, &p, &rep, &st), CPT_OK);
	int64_t id = rep->party->id;
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	usleep(300 * 1000);
	/* Events arrive between answers: a call collects what came before it. */
	assert_int_equal(info(watcher), CPT_OK);
	char *topic = NULL, *action = NULL;
	int64_t eid = 0;
	bool seen = false;
	while (cpt_client_next_event(watcher, &topic, &eid, &action)) {
		seen |= strcmp(topic, "party") == 0 && eid == id && strcmp(action, "create") == 0;
		free(topic);
		free(action);
	}
	assert_true(seen);
	assert_int_equal(info(elsewhere), CPT_OK);
	assert_int_equal(cpt_client_next_event(elsewhere, &topic, &eid, &action), 0);
	cpt_client_close(watcher);
	cpt_client_close(elsewhere);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(client_with_two_sites_and_a_contact_is_created_and_read_back),
	    cmocka_unit_test(bad_identifiers_and_duplicates_name_the_field_and_write_nothing),
	    cmocka_unit_test(search_as_you_type_ignores_accents_and_case),
	    cmocka_unit_test(update_keeps_changes_and_removes_sites_and_contacts_by_id),
	    cmocka_unit_test(suppliers_are_kept_apart_from_clients),
	    cmocka_unit_test(prospect_becomes_a_client_on_the_same_record),
	    cmocka_unit_test(read_only_user_cannot_write_and_other_companies_see_nothing),
	    cmocka_unit_test(another_workstation_is_told_of_a_change_in_its_company_only),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
