/*
 * GDPR anonymisation of a third party or of one contact: personal data
 * replaced, attached documents deleted, the row with its id, code and
 * accounting settings kept so that what refers to it still resolves; the
 * audit row free of the erased values; a second request harmless; the
 * anonymised file frozen; a legal entity's registration numbers kept.
 */
#include "testenv.h"

#include "parties.pb-c.h"

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

static const char *P = "comptoir.parties.Parties/";
static const char *S = "comptoir.parties.Suppliers/";

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "gdpr", NULL) != 0) {
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

static int call(const char *service, const char *method, const ProtobufCMessage *in,
		const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out, cpt_status *st)
{
	char name[128];
	snprintf(name, sizeof name, "%s%s", service, method);
	ProtobufCMessage *got = NULL;
	int rc = cpt_client_call(admin, name, in, desc, &got, st);
	if (out) {
		*out = got;
	} else {
		protobuf_c_message_free_unpacked(got, NULL);
	}
	return rc;
}

/*
 * A natural person as a client (no legal form) or, with legal_form, a
 * company: identifiers, notes, tags, an address, two contacts and a document.
 */
static Comptoir__Parties__Party *create(const char *service, const char *kind, const char *code,
					const char *legal_form)
{
	Comptoir__Parties__Address a = COMPTOIR__PARTIES__ADDRESS__INIT;
	Comptoir__Parties__Address *ap[] = {&a};
	a.kind = "billing";
	a.label = "Domicile de Jean Martin";
	a.line1 = "7 impasse des Lilas";
	a.line2 = "Bâtiment C";
	a.postcode = "69003";
	a.city = "Lyon";
	Comptoir__Parties__Contact c[2];
	Comptoir__Parties__Contact *cp[] = {&c[0], &c[1]};
	const char *names[] = {"Jean Martin", "Claire Martin"};
	const char *emails[] = {"jean.martin@example.fr", "claire.martin@example.fr"};
	for (int i = 0; i < 2; i++) {
		comptoir__parties__contact__init(&c[i]);
		c[i].name = (char *)names[i];
		c[i].role = "Gérant";
		c[i].email = (char *)emails[i];
		c[i].phone = "04 78 11 22 33";
		c[i].mobile = "06 12 34 56 78";
	}
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	char *tags[] = {"fidèle", "chauffage"};
	char *segments[] = {"retraité"};
	p.kind = (char *)kind;
	p.code = (char *)code;
	p.name = "Jean Martin";
	p.legal_form = (char *)legal_form;
	p.siren = "732829320";
	p.siret = "73282932000074";
	p.vat_number = "FR44732829320";
	p.payment_terms = "NET30EOM";
	p.payment_method = "VIREMENT";
	p.notes = "Allergique aux chats, appeler après 18 h";
	p.n_tags = 2;
	p.tags = tags;
	p.n_segments = 1;
	p.segments = segments;
	p.n_addresses = 1;
	p.addresses = ap;
	p.n_contacts = 2;
	p.contacts = cp;
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = &p;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	if (call(service, "Create", &req.base, &comptoir__parties__party_reply__descriptor, &out,
		 &st)) {
		fail_msg("Create %s: %s (%s)", code, st.message, st.field);
	}
	/* The party is the caller's: detached from its reply, freed with free_party. */
	Comptoir__Parties__PartyReply *rep = (Comptoir__Parties__PartyReply *)out;
	Comptoir__Parties__Party *got = rep->party;
	rep->party = NULL;
	protobuf_c_message_free_unpacked(out, NULL);
	Comptoir__Parties__Document d = COMPTOIR__PARTIES__DOCUMENT__INIT;
	d.party_id = got->id;
	d.name = "Pièce d'identité Jean Martin.pdf";
	d.content.data = (uint8_t *)"%PDF-1.4 ...";
	d.content.len = 12;
	Comptoir__Parties__AddDocumentRequest dr = COMPTOIR__PARTIES__ADD_DOCUMENT_REQUEST__INIT;
	dr.document = &d;
	if (call(service, "AddDocument", &dr.base, &comptoir__parties__document_reply__descriptor,
		 NULL, &st)) {
		fail_msg("AddDocument: %s (%s)", st.message, st.field);
	}
	return got;
}

static void free_party(Comptoir__Parties__Party *p)
{
	protobuf_c_message_free_unpacked(&p->base, NULL);
}

static int anonymise(const char *service, int64_t party, int64_t contact,
		     Comptoir__Parties__Party **out, cpt_status *st)
{
	Comptoir__Parties__AnonymiseRequest req = COMPTOIR__PARTIES__ANONYMISE_REQUEST__INIT;
	req.party_id = party;
	req.contact_id = contact;
	ProtobufCMessage *got = NULL;
	int rc = call(service, "Anonymise", &req.base, &comptoir__parties__party_reply__descriptor,
		      &got, st);
	if (out) {
		*out = NULL;
		if (got) {
			Comptoir__Parties__PartyReply *rep = (Comptoir__Parties__PartyReply *)got;
			*out = rep->party;
			rep->party = NULL;
		}
	}
	protobuf_c_message_free_unpacked(got, NULL);
	return rc;
}

static long long sql_int(const char *fmt, long long id)
{
	char sql[600];
	snprintf(sql, sizeof sql, fmt, id);
	return cpt_testenv_sql_int(&env, sql);
}

/* ---------------------------------------------------------------------------
 * Tests
 */

/*
 * A message in party's company's outbox, in state, to to (and cc), about a
 * new draft invoice of the party when about_document; its id.
 */
static long long outbox_message(int64_t party, const char *to, const char *cc, const char *state,
				bool about_document)
{
	char sql[1400];
	snprintf(
	    sql, sizeof sql,
	    "WITH d AS (INSERT INTO sales_document (company_id, type, party_id)"
	    "  SELECT company_id, 'invoice', id FROM party WHERE id = %lld AND %s"
	    "  RETURNING id),"
	    " m AS (INSERT INTO mail_outbox (company_id, to_addrs, cc_addrs, subject, body,"
	    "  ref_table, ref_id, state, sent_at, message_id)"
	    "  SELECT company_id, ARRAY['%s'], CASE WHEN '%s' = '' THEN '{}' ELSE ARRAY['%s'] END,"
	    "  'Facture', 'Bonjour Jean, voici votre facture.',"
	    "  CASE WHEN %s THEN 'sales_document' END, (SELECT id FROM d), '%s',"
	    "  CASE WHEN '%s' = 'sent' THEN now() END, '<' || id || '.' || random() || '@test>'"
	    "  FROM party WHERE id = %lld RETURNING id)"
	    " SELECT id FROM m",
	    (long long)party, about_document ? "true" : "false", to, cc, cc,
	    about_document ? "true" : "false", state, state, (long long)party);
	return cpt_testenv_sql_int(&env, sql);
}

/* Field of message id, as text. */
static long long outbox_has(long long id, const char *condition)
{
	char sql[600];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM mail_outbox WHERE id = %lld AND %s", id,
		 condition);
	return cpt_testenv_sql_int(&env, sql);
}

static void a_natural_person_is_anonymised_whole_and_the_record_kept(void **state)
{
	Comptoir__Parties__Party *before = create(P, "client", "CLI042", "");
	int64_t id = before->id;
	/* Messages: one about its invoice, still queued, to an address of its
	 * own; one sent to a contact's address among others'. */
	long long about = outbox_message(id, "compta@martin.fr", "", "queued", true);
	long long to_jean =
	    outbox_message(id, "Jean.Martin@example.fr", "autre@example.fr", "sent", false);
	assert_true(about > 0 && to_jean > 0);
	/* What accounting will hold on to: a row of another table referencing the party. */
	PGconn *c = cpt_testenv_sql(&env);
	PGresult *r = PQexec(c, "CREATE TABLE test_invoice_ref (invoice text,"
				" party_id bigint NOT NULL REFERENCES party ON DELETE RESTRICT)");
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	char sql[200];
	snprintf(sql, sizeof sql, "INSERT INTO test_invoice_ref VALUES ('F2026-0001', %lld)",
		 (long long)id);
	r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);

	Comptoir__Parties__Party *p = NULL;
	cpt_status st = {0};
	int rc = anonymise(P, id, 0, &p, &st);
	if (rc) {
		fail_msg("Anonymise: %s (%s)", st.message, st.field);
	}
	/* Personal data replaced... */
	assert_string_equal(p->name, "Anonymisé CLI042");
	assert_string_equal(p->notes, "");
	assert_int_equal(p->n_tags, 0);
	assert_int_equal(p->n_segments, 0);
	assert_string_equal(p->siren, ""); /* a natural person's identifiers name them */
	assert_string_equal(p->siret, "");
	assert_string_equal(p->vat_number, "");
	assert_int_equal(p->n_contacts, 2);
	for (size_t i = 0; i < p->n_contacts; i++) {
		assert_string_equal(p->contacts[i]->name, "Contact anonymisé");
		assert_string_equal(p->contacts[i]->role, "");
		assert_string_equal(p->contacts[i]->email, "");
		assert_string_equal(p->contacts[i]->phone, "");
		assert_string_equal(p->contacts[i]->mobile, "");
		assert_true(p->contacts[i]->anonymised_at > 0);
		assert_int_equal(p->contacts[i]->id, before->contacts[i]->id);
	}
	assert_int_equal(p->n_addresses, 1);
	assert_string_equal(p->addresses[0]->label, "");
	assert_string_equal(p->addresses[0]->line1, "");
	assert_string_equal(p->addresses[0]->line2, "");
	assert_string_equal(p->addresses[0]->city, "Lyon");
	assert_string_equal(p->addresses[0]->postcode, "69003");
	assert_true(p->anonymised_at > 0);
	/* ...the record and its accounting settings kept. */
	assert_int_equal(p->id, id);
	assert_string_equal(p->code, "CLI042");
	assert_string_equal(p->kind, "client");
	assert_string_equal(p->payment_terms, "NET30EOM");
	assert_string_equal(p->payment_method, "VIREMENT");
	assert_int_equal(p->created_at, before->created_at);
	/* Its documents are gone. */
	assert_int_equal(sql_int("SELECT count(*) FROM party_document WHERE party_id = %lld", id),
			 0);
	/* The outbox keeps the messages, not the people: the queued one is not sent. */
	assert_int_equal(outbox_has(about,
				    "to_addrs = ARRAY['(adresse anonymisée)']"
				    " AND body = '(message anonymisé)' AND state = 'failed'"
				    " AND subject = 'Facture' AND ref_table = 'sales_document'"),
			 1);
	assert_int_equal(outbox_has(to_jean,
				    "to_addrs = ARRAY['(adresse anonymisée)']"
				    " AND cc_addrs = ARRAY['autre@example.fr']"
				    " AND body = '(message anonymisé)' AND state = 'sent'"),
			 1);
	/* What referred to it still resolves, to the same code. */
	assert_int_equal(sql_int("SELECT count(*) FROM test_invoice_ref r JOIN party p"
				 " ON p.id = r.party_id WHERE p.id = %lld AND p.code = 'CLI042'",
				 id),
			 1);
	assert_int_equal(sql_int("SELECT count(*) FROM audit_log a JOIN party p"
				 " ON p.id = ANY (a.row_ids) AND a.target = 'party'"
				 " WHERE p.id = %lld",
				 id),
			 2); /* Create, Anonymise */
	/* The audit row says what was done, not what was erased. */
	assert_int_equal(
	    sql_int("SELECT count(*) FROM audit_log WHERE row_ids = ARRAY[%lld::bigint]"
		    " AND method = 'comptoir.parties.Parties/Anonymise'"
		    " AND detail->>'scope' = 'party' AND detail->>'identifiers' = 'erased'"
		    " AND detail->>'documents_deleted' = '1' AND detail->>'messages' = '2'",
		    id),
	    1);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM audit_log WHERE"
						   " detail::text ILIKE '%martin%'"
						   " OR detail::text ILIKE '%chats%'"
						   " OR detail::text LIKE '%732829320%'"
						   " OR detail::text ILIKE '%lilas%'"),
			 0);
	/* The old name finds nothing any more; the code still does. */
	Comptoir__Parties__ListPartiesRequest lr = COMPTOIR__PARTIES__LIST_PARTIES_REQUEST__INIT;
	lr.search = "martin";
	ProtobufCMessage *out = NULL;
	assert_int_equal(call(P, "List", &lr.base,
			      &comptoir__parties__list_parties_reply__descriptor, &out, &st),
			 CPT_OK);
	assert_int_equal(((Comptoir__Parties__ListPartiesReply *)out)->n_parties, 0);
	protobuf_c_message_free_unpacked(out, NULL);
	lr.search = "cli042";
	assert_int_equal(call(P, "List", &lr.base,
			      &comptoir__parties__list_parties_reply__descriptor, &out, &st),
			 CPT_OK);
	assert_int_equal(((Comptoir__Parties__ListPartiesReply *)out)->n_parties, 1);
	protobuf_c_message_free_unpacked(out, NULL);
	free_party(p);
	free_party(before);
}

static void anonymising_twice_is_harmless_and_keeps_the_first_date(void **state)
{
	int64_t id = cpt_testenv_sql_int(&env, "SELECT id FROM party WHERE code = 'CLI042'");
	long long first = sql_int("SELECT extract(epoch FROM anonymised_at)::bigint FROM party"
				  " WHERE id = %lld",
				  id);
	Comptoir__Parties__Party *p = NULL;
	cpt_status st = {0};
	assert_int_equal(anonymise(P, id, 0, &p, &st), CPT_OK);
	assert_int_equal(p->anonymised_at, first);
	assert_string_equal(p->name, "Anonymisé CLI042");
	assert_int_equal(p->n_contacts, 2);
	free_party(p);
}

static void an_anonymised_file_is_frozen(void **state)
{
	int64_t id = cpt_testenv_sql_int(&env, "SELECT id FROM party WHERE code = 'CLI042'");
	long long writes = cpt_testenv_sql_int(&env, "SELECT count(*) FROM audit_log");
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.id = id;
	p.code = "CLI042";
	p.name = "Jean Martin";
	cpt_status st = {0};
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = &p;
	assert_int_equal(
	    call(P, "Update", &req.base, &comptoir__parties__party_reply__descriptor, NULL, &st),
	    CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "party.id");
	assert_non_null(strstr(st.message, "anonymisé"));
	Comptoir__Parties__Document d = COMPTOIR__PARTIES__DOCUMENT__INIT;
	d.party_id = id;
	d.name = "nouvelle pièce.pdf";
	d.content.data = (uint8_t *)"x";
	d.content.len = 1;
	Comptoir__Parties__AddDocumentRequest dr = COMPTOIR__PARTIES__ADD_DOCUMENT_REQUEST__INIT;
	dr.document = &d;
	assert_int_equal(call(P, "AddDocument", &dr.base,
			      &comptoir__parties__document_reply__descriptor, NULL, &st),
			 CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "document.party_id");
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM audit_log"), writes);
	assert_int_equal(sql_int("SELECT count(*) FROM party WHERE id = %lld"
				 " AND name = 'Anonymisé CLI042'",
				 id),
			 1);
	/* A prospect anonymised is not converted into a client either. */
	Comptoir__Parties__Party *prospect = create(P, "prospect", "PRO042", "");
	assert_int_equal(anonymise(P, prospect->id, 0, NULL, &st), CPT_OK);
	Comptoir__Parties__ConvertProspectRequest cr =
	    COMPTOIR__PARTIES__CONVERT_PROSPECT_REQUEST__INIT;
	cr.id = prospect->id;
	assert_int_equal(call(P, "ConvertProspect", &cr.base,
			      &comptoir__parties__party_reply__descriptor, NULL, &st),
			 CPT_FAILED_PRECONDITION);
	assert_int_equal(
	    sql_int("SELECT count(*) FROM party WHERE id = %lld AND kind = 'prospect'", cr.id), 1);
	free_party(prospect);
}

static void a_legal_entity_keeps_its_registration_numbers(void **state)
{
	Comptoir__Parties__Party *before = create(P, "client", "SARL042", "S.A.R.L.");
	Comptoir__Parties__Party *p = NULL;
	cpt_status st = {0};
	assert_int_equal(anonymise(P, before->id, 0, &p, &st), CPT_OK);
	assert_string_equal(p->name, "Anonymisé SARL042");
	assert_string_equal(p->siren, "732829320");
	assert_string_equal(p->siret, "73282932000074");
	assert_string_equal(p->vat_number, "FR44732829320");
	assert_string_equal(p->legal_form, "S.A.R.L.");
	assert_string_equal(p->contacts[0]->email, "");
	assert_string_equal(p->notes, "");
	assert_int_equal(
	    sql_int("SELECT count(*) FROM audit_log WHERE row_ids = ARRAY[%lld::bigint]"
		    " AND detail->>'identifiers' = 'kept'",
		    before->id),
	    1);
	free_party(p);
	free_party(before);
	/* A sole trader is a person: "EI" erases them. */
	before = create(P, "client", "EI042", "EI");
	assert_int_equal(anonymise(P, before->id, 0, &p, &st), CPT_OK);
	assert_string_equal(p->siren, "");
	free_party(p);
	free_party(before);
}

static int update(Comptoir__Parties__Party *p, cpt_status *st)
{
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = p;
	return call(P, "Update", &req.base, &comptoir__parties__party_reply__descriptor, NULL, st);
}

static void one_contact_is_anonymised_and_the_rest_of_the_file_stays(void **state)
{
	Comptoir__Parties__Party *before = create(P, "client", "CLI043", "SAS");
	int64_t jean = before->contacts[0]->id, claire = before->contacts[1]->id;
	long long both = outbox_message(before->id, "jean.martin@example.fr",
					"claire.martin@example.fr", "sent", true);
	long long to_claire =
	    outbox_message(before->id, "claire.martin@example.fr", "", "queued", false);
	Comptoir__Parties__Party *p = NULL;
	cpt_status st = {0};
	assert_int_equal(anonymise(P, before->id, jean, &p, &st), CPT_OK);
	/* Only Jean's address goes from the outbox; Claire's mail leaves as planned. */
	assert_int_equal(outbox_has(both, "to_addrs = ARRAY['(adresse anonymisée)']"
					  " AND cc_addrs = ARRAY['claire.martin@example.fr']"
					  " AND body = '(message anonymisé)' AND state = 'sent'"),
			 1);
	assert_int_equal(outbox_has(to_claire, "to_addrs = ARRAY['claire.martin@example.fr']"
					       " AND body <> '(message anonymisé)'"
					       " AND state = 'queued'"),
			 1);
	assert_int_equal(p->anonymised_at, 0);
	assert_string_equal(p->name, "Jean Martin");
	assert_string_equal(p->notes, "Allergique aux chats, appeler après 18 h");
	assert_string_equal(p->contacts[0]->name, "Contact anonymisé");
	assert_string_equal(p->contacts[0]->email, "");
	assert_string_equal(p->contacts[0]->mobile, "");
	assert_true(p->contacts[0]->anonymised_at > 0);
	assert_string_equal(p->contacts[1]->name, "Claire Martin");
	assert_string_equal(p->contacts[1]->email, "claire.martin@example.fr");
	assert_int_equal(p->contacts[1]->anonymised_at, 0);
	assert_int_equal(
	    sql_int("SELECT count(*) FROM party_document WHERE party_id = %lld", before->id), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM audit_log WHERE target = 'party_contact'"
				 " AND row_ids = ARRAY[%lld::bigint]"
				 " AND detail->>'scope' = 'contact'",
				 jean),
			 1);

	/* The file is still edited; the anonymised contact comes back as it is. */
	char *own_notes = p->notes; /* owned by the reply: put back before freeing it */
	p->notes = "Rappeler en mars";
	assert_int_equal(update(p, &st), CPT_OK);
	/* Giving it its e-mail back is refused... */
	char *own = p->contacts[0]->email;
	p->contacts[0]->email = "jean.martin@example.fr";
	assert_int_equal(update(p, &st), CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "party.contacts.name");
	assert_int_equal(sql_int("SELECT count(*) FROM party_contact WHERE id = %lld"
				 " AND email = ''",
				 jean),
			 1);
	p->contacts[0]->email = own;
	/* ...leaving it out deletes it. */
	Comptoir__Parties__Contact **all = p->contacts;
	p->contacts = &all[1];
	p->n_contacts = 1;
	assert_int_equal(update(p, &st), CPT_OK);
	p->contacts = all;
	p->n_contacts = 2;
	assert_int_equal(sql_int("SELECT count(*) FROM party_contact WHERE id = %lld", jean), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM party_contact WHERE id = %lld", claire), 1);
	/* A contact of another party is not found. */
	assert_int_equal(anonymise(P, before->id, jean, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "contact_id");
	p->notes = own_notes;
	free_party(p);
	free_party(before);
}

static void suppliers_are_anonymised_through_their_own_book(void **state)
{
	Comptoir__Parties__Party *s = create(S, "supplier", "FOU042", "");
	int64_t client = cpt_testenv_sql_int(&env, "SELECT id FROM party WHERE code = 'CLI043'");
	cpt_status st = {0};
	assert_int_equal(anonymise(P, s->id, 0, NULL, &st), CPT_NOT_FOUND);
	assert_int_equal(anonymise(S, client, 0, NULL, &st), CPT_NOT_FOUND);
	assert_int_equal(sql_int("SELECT count(*) FROM party WHERE id = %lld"
				 " AND anonymised_at IS NULL",
				 client),
			 1);
	Comptoir__Parties__Party *p = NULL;
	assert_int_equal(anonymise(S, s->id, 0, &p, &st), CPT_OK);
	assert_string_equal(p->name, "Anonymisé FOU042");
	assert_string_equal(p->kind, "supplier");
	assert_int_equal(
	    sql_int("SELECT count(*) FROM party_document WHERE party_id = %lld", s->id), 0);
	free_party(p);
	free_party(s);
}

static void a_read_only_user_cannot_anonymise(void **state)
{
	int64_t role = cpt_testenv_sql_int(&env, "SELECT id FROM role WHERE name = 'Consultation'");
	assert_true(cpt_testenv_create_user(&env, "lecteur", role, 0) > 0);
	cpt_client *reader = cpt_testenv_login(&env, "lecteur", CPT_TEST_PASSWORD, 0, NULL, NULL);
	int64_t client = cpt_testenv_sql_int(&env, "SELECT id FROM party WHERE code = 'CLI043'");
	Comptoir__Parties__AnonymiseRequest req = COMPTOIR__PARTIES__ANONYMISE_REQUEST__INIT;
	req.party_id = client;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(reader, "comptoir.parties.Parties/Anonymise", &req.base,
					 &comptoir__parties__party_reply__descriptor, &out, &st),
			 CPT_PERMISSION_DENIED);
	assert_int_equal(sql_int("SELECT count(*) FROM party WHERE id = %lld"
				 " AND anonymised_at IS NULL",
				 client),
			 1);
	cpt_client_close(reader);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_natural_person_is_anonymised_whole_and_the_record_kept),
	    cmocka_unit_test(anonymising_twice_is_harmless_and_keeps_the_first_date),
	    cmocka_unit_test(an_anonymised_file_is_frozen),
	    cmocka_unit_test(a_legal_entity_keeps_its_registration_numbers),
	    cmocka_unit_test(one_contact_is_anonymised_and_the_rest_of_the_file_stays),
	    cmocka_unit_test(suppliers_are_anonymised_through_their_own_book),
	    cmocka_unit_test(a_read_only_user_cannot_anonymise),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
