/*
 * Documents attached to third parties: added, listed newest first without
 * their bytes, read back whole with the server re-checking the SHA-256,
 * deleted; the size limit of the configuration, an empty name or file and a
 * bad MIME type refused on their field with nothing written; read-only users,
 * other companies and the other book (clients / suppliers) kept out.
 */
#include "testenv.h"

#include "parties.pb-c.h"
#include "rpc.pb-c.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A limit of our own, small enough to send one byte more quickly. */
#define LIMIT (4 * 1024 * 1024)

static cpt_testenv env;
static cpt_client *admin;
static int64_t client_id, supplier_id;

static const char *P = "comptoir.parties.Parties/";
static const char *S = "comptoir.parties.Suppliers/";

static int call(cpt_client *c, const char *service, const char *method, const ProtobufCMessage *in,
		const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out, cpt_status *st)
{
	char name[128];
	snprintf(name, sizeof name, "%s%s", service, method);
	ProtobufCMessage *got = NULL;
	cpt_status ignored = {0};
	int rc = cpt_client_call(c, name, in, desc, &got, st ? st : &ignored);
	if (out) {
		*out = got;
	} else {
		protobuf_c_message_free_unpacked(got, NULL);
	}
	return rc;
}

static int64_t create_party(const char *service, const char *code, const char *name)
{
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.kind = "client";
	p.code = (char *)code;
	p.name = (char *)name;
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = &p;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	if (call(admin, service, "Create", &req.base, &comptoir__parties__party_reply__descriptor,
		 &out, &st)) {
		fail_msg("Create %s: %s (%s)", code, st.message, st.field);
	}
	int64_t id = ((Comptoir__Parties__PartyReply *)out)->party->id;
	protobuf_c_message_free_unpacked(out, NULL);
	return id;
}

static int setup(void **state)
{
	char extra[64];
	snprintf(extra, sizeof extra, "[server]\nmax_document = %d\n", LIMIT);
	if (cpt_testenv_start(&env, "documents", extra) != 0) {
		return -1;
	}
	admin = cpt_testenv_admin(&env);
	if (!admin) {
		return -1;
	}
	client_id = create_party(P, "DOC1", "Chaufferie Dupont SARL");
	supplier_id = create_party(S, "FDOC1", "Négoce Chaudières");
	return 0;
}

static int teardown(void **state)
{
	cpt_client_close(admin);
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

/* Bytes that hold every value, NUL included, so nothing is read as text. */
static uint8_t *bytes(size_t n, unsigned seed)
{
	uint8_t *b = malloc(n ? n : 1);
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 16);
	}
	return b;
}

static void sha256_hex(const uint8_t *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	assert_int_equal(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL), 1);
	for (unsigned int i = 0; i < n; i++) {
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	}
}

static int add(cpt_client *c, const char *service, int64_t party, const char *name,
	       const char *mime, const uint8_t *data, size_t len,
	       Comptoir__Parties__DocumentReply **rep, cpt_status *st)
{
	Comptoir__Parties__Document d = COMPTOIR__PARTIES__DOCUMENT__INIT;
	d.party_id = party;
	d.name = (char *)name;
	d.mime_type = (char *)mime;
	d.content.data = (uint8_t *)data;
	d.content.len = len;
	Comptoir__Parties__AddDocumentRequest req = COMPTOIR__PARTIES__ADD_DOCUMENT_REQUEST__INIT;
	req.document = &d;
	return call(c, service, "AddDocument", &req.base,
		    &comptoir__parties__document_reply__descriptor, (ProtobufCMessage **)rep, st);
}

static int list(cpt_client *c, const char *service, int64_t party,
		Comptoir__Parties__ListDocumentsReply **rep, cpt_status *st)
{
	Comptoir__Parties__ListDocumentsRequest req =
	    COMPTOIR__PARTIES__LIST_DOCUMENTS_REQUEST__INIT;
	req.party_id = party;
	return call(c, service, "ListDocuments", &req.base,
		    &comptoir__parties__list_documents_reply__descriptor, (ProtobufCMessage **)rep,
		    st);
}

static int get(cpt_client *c, const char *service, int64_t id,
	       Comptoir__Parties__DocumentReply **rep, cpt_status *st)
{
	Comptoir__Parties__DocumentRequest req = COMPTOIR__PARTIES__DOCUMENT_REQUEST__INIT;
	req.id = id;
	return call(c, service, "GetDocument", &req.base,
		    &comptoir__parties__document_reply__descriptor, (ProtobufCMessage **)rep, st);
}

static int delete (cpt_client *c, const char *service, int64_t id, cpt_status *st)
{
	Comptoir__Parties__DocumentRequest req = COMPTOIR__PARTIES__DOCUMENT_REQUEST__INIT;
	req.id = id;
	return call(c, service, "DeleteDocument", &req.base, &comptoir__rpc__empty__descriptor,
		    NULL, st);
}

/* Documents and audit rows: what "nothing written" is checked against. */
static long long writes(void)
{
	return cpt_testenv_sql_int(&env, "SELECT (SELECT count(*) FROM party_document)"
					 " + (SELECT count(*) FROM audit_log)");
}

static int64_t add_ok(const char *service, int64_t party, const char *name, size_t len,
		      unsigned seed)
{
	uint8_t *data = bytes(len, seed);
	Comptoir__Parties__DocumentReply *rep = NULL;
	cpt_status st = {0};
	if (add(admin, service, party, name, "application/pdf", data, len, &rep, &st)) {
		fail_msg("AddDocument %s: %s (%s)", name, st.message, st.field);
	}
	int64_t id = rep->document->id;
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	free(data);
	return id;
}

/* ---------------------------------------------------------------------------
 * Tests
 */

static void a_document_is_added_listed_newest_first_and_read_back_whole(void **state)
{
	const size_t len = 300 * 1000;
	uint8_t *data = bytes(len, 1);
	char expected[65];
	sha256_hex(data, len, expected);
	Comptoir__Parties__DocumentReply *rep = NULL;
	cpt_status st = {0};
	int rc = add(admin, P, client_id, "  Kbis Chaufferie Dupont.pdf ", "Application/PDF", data,
		     len, &rep, &st);
	if (rc) {
		fail_msg("AddDocument: %s (%s)", st.message, st.field);
	}
	Comptoir__Parties__Document *d = rep->document;
	int64_t first = d->id;
	assert_string_equal(d->name, "Kbis Chaufferie Dupont.pdf");
	assert_string_equal(d->mime_type, "application/pdf");
	assert_int_equal(d->size, len);
	assert_string_equal(d->sha256, expected);
	assert_int_equal(d->party_id, client_id);
	assert_true(d->created_at > 0);
	assert_true(strlen(d->created_by) > 0);
	assert_int_equal(d->content.len, 0); /* the bytes are not sent back */
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	/* Who added it, and which file by size and hash; never its name. */
	char sql[400];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM audit_log WHERE method = '%sAddDocument'"
		 " AND target = 'party_document' AND row_ids = ARRAY[%lld::bigint]"
		 " AND detail->>'sha256' = '%s' AND detail::text NOT LIKE '%%Kbis%%'"
		 " AND user_id IS NOT NULL",
		 P, (long long)first, expected);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 1);

	/* A second one, with no MIME type given. */
	uint8_t plan[] = {0, 1, 2, 0, 255};
	assert_int_equal(add(admin, P, client_id, "plan.dwg", "", plan, sizeof plan, &rep, &st),
			 CPT_OK);
	int64_t second = rep->document->id;
	assert_string_equal(rep->document->mime_type, "application/octet-stream");
	protobuf_c_message_free_unpacked(&rep->base, NULL);

	Comptoir__Parties__ListDocumentsReply *l = NULL;
	assert_int_equal(list(admin, P, client_id, &l, &st), CPT_OK);
	assert_int_equal(l->n_documents, 2);
	assert_int_equal(l->documents[0]->id, second);
	assert_int_equal(l->documents[1]->id, first);
	assert_int_equal(l->documents[1]->size, len);
	assert_string_equal(l->documents[1]->sha256, expected);
	assert_int_equal(l->documents[0]->content.len, 0);
	assert_int_equal(l->documents[1]->content.len, 0);
	assert_int_equal(l->max_size, LIMIT);
	protobuf_c_message_free_unpacked(&l->base, NULL);

	assert_int_equal(get(admin, P, first, &rep, &st), CPT_OK);
	assert_int_equal(rep->document->content.len, len);
	assert_memory_equal(rep->document->content.data, data, len);
	assert_string_equal(rep->document->sha256, expected);
	assert_string_equal(rep->document->name, "Kbis Chaufferie Dupont.pdf");
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	free(data);
}

static void a_file_at_the_limit_is_kept_one_byte_more_is_refused_and_nothing_written(void **state)
{
	int64_t id = add_ok(P, client_id, "scan.tiff", LIMIT, 2);
	Comptoir__Parties__DocumentReply *rep = NULL;
	cpt_status st = {0};
	assert_int_equal(get(admin, P, id, &rep, &st), CPT_OK);
	assert_int_equal(rep->document->content.len, LIMIT);
	protobuf_c_message_free_unpacked(&rep->base, NULL);

	long long before = writes();
	uint8_t *big = bytes(LIMIT + 1, 3);
	assert_int_equal(
	    add(admin, P, client_id, "trop.tiff", "image/tiff", big, LIMIT + 1, NULL, &st),
	    CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "document.content");
	assert_non_null(strstr(st.message, "4 Mo"));
	free(big);
	assert_int_equal(writes(), before);
	/* The connection is still good. */
	Comptoir__Parties__ListDocumentsReply *l = NULL;
	assert_int_equal(list(admin, P, client_id, &l, &st), CPT_OK);
	protobuf_c_message_free_unpacked(&l->base, NULL);
}

static void empty_name_empty_file_and_bad_type_name_their_field(void **state)
{
	long long before = writes();
	uint8_t one[] = {'x'};
	struct {
		const char *name, *mime;
		size_t len;
		const char *field;
	} cases[] = {
	    {"", "text/plain", 1, "document.name"},
	    {"   ", "text/plain", 1, "document.name"},
	    {"../etc/passwd", "text/plain", 1, "document.name"},
	    {"vide.txt", "text/plain", 0, "document.content"},
	    {"note.txt", "texte", 1, "document.mime_type"},
	    {"note.txt", "text/plain; charset=utf-8", 1, "document.mime_type"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cpt_status st = {0};
		assert_int_equal(add(admin, P, client_id, cases[i].name, cases[i].mime, one,
				     cases[i].len, NULL, &st),
				 CPT_INVALID_ARGUMENT);
		assert_string_equal(st.field, cases[i].field);
		assert_true(strlen(st.message) > 0);
	}
	cpt_status st = {0};
	assert_int_equal(add(admin, P, 999999, "x.txt", "", one, 1, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "document.party_id");
	assert_int_equal(writes(), before);
}

static void an_altered_file_is_refused_on_read(void **state)
{
	int64_t id = add_ok(P, client_id, "devis signé.pdf", 1000, 4);
	char sql[200];
	snprintf(sql, sizeof sql,
		 "UPDATE party_document SET content = set_byte(content, 10,"
		 " get_byte(content, 10) # 1) WHERE id = %lld",
		 (long long)id);
	PGconn *c = cpt_testenv_sql(&env);
	PGresult *r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);
	cpt_status st = {0};
	assert_int_equal(get(admin, P, id, NULL, &st), CPT_DATA_LOSS);
	assert_non_null(strstr(st.message, "SHA-256"));
	assert_int_equal(delete (admin, P, id, &st), CPT_OK);
}

static void a_deleted_document_is_gone_and_the_deletion_audited(void **state)
{
	int64_t id = add_ok(P, client_id, "à supprimer.txt", 10, 5);
	cpt_status st = {0};
	assert_int_equal(delete (admin, P, id, &st), CPT_OK);
	assert_int_equal(get(admin, P, id, NULL, &st), CPT_NOT_FOUND);
	assert_int_equal(delete (admin, P, id, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "id");
	char sql[200];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM audit_log WHERE method = '%sDeleteDocument'"
		 " AND row_ids = ARRAY[%lld::bigint]",
		 P, (long long)id);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 1);
}

static void a_read_only_user_reads_documents_but_cannot_add_or_delete(void **state)
{
	int64_t id = add_ok(P, client_id, "contrat.pdf", 100, 6);
	int64_t role = cpt_testenv_sql_int(&env, "SELECT id FROM role WHERE name = 'Consultation'");
	assert_true(cpt_testenv_create_user(&env, "lecteur", role, 0) > 0);
	cpt_client *reader = cpt_testenv_login(&env, "lecteur", CPT_TEST_PASSWORD, 0, NULL, NULL);
	assert_non_null(reader);
	long long before = writes();
	Comptoir__Parties__ListDocumentsReply *l = NULL;
	cpt_status st = {0};
	assert_int_equal(list(reader, P, client_id, &l, &st), CPT_OK);
	assert_true(l->n_documents >= 1);
	protobuf_c_message_free_unpacked(&l->base, NULL);
	Comptoir__Parties__DocumentReply *rep = NULL;
	assert_int_equal(get(reader, P, id, &rep, &st), CPT_OK);
	assert_int_equal(rep->document->content.len, 100);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	uint8_t one[] = {1};
	assert_int_equal(add(reader, P, client_id, "x.bin", "", one, 1, NULL, &st),
			 CPT_PERMISSION_DENIED);
	assert_int_equal(delete (reader, P, id, &st), CPT_PERMISSION_DENIED);
	assert_int_equal(writes(), before);
	cpt_client_close(reader);
}

static void another_company_sees_no_document_of_this_one(void **state)
{
	int64_t id = add_ok(P, client_id, "bilan.pdf", 100, 7);
	char out[2048];
	const char *addc[] = {"company", "add", "AUTRE", "Autre SARL", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, addc), 0);
	const char *grant[] = {"user", "grant", "admin", "AUTRE", "Administrateur", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, grant), 0);
	int64_t other = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'AUTRE'");
	cpt_client *b = cpt_testenv_login(&env, "admin", env.admin_password, other, NULL, NULL);
	assert_non_null(b);
	long long before = writes();
	cpt_status st = {0};
	assert_int_equal(get(b, P, id, NULL, &st), CPT_NOT_FOUND);
	assert_int_equal(list(b, P, client_id, NULL, &st), CPT_NOT_FOUND);
	assert_int_equal(delete (b, P, id, &st), CPT_NOT_FOUND);
	uint8_t one[] = {1};
	assert_int_equal(add(b, P, client_id, "intrus.bin", "", one, 1, NULL, &st), CPT_NOT_FOUND);
	assert_int_equal(writes(), before);
	cpt_client_close(b);

	/* Below the daemon: its role sees none of them from the other company... */
	char conninfo[600];
	snprintf(conninfo, sizeof conninfo, "%s user=comptoir", env.pgconn);
	PGconn *c = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	char sql[300];
	snprintf(sql, sizeof sql, "BEGIN; SELECT set_config('comptoir.company_id', '%lld', true)",
		 (long long)other);
	PQclear(PQexec(c, sql));
	PGresult *r = PQexec(c, "SELECT count(*) FROM party_document");
	assert_string_equal(PQgetvalue(r, 0, 0), "0");
	PQclear(r);
	PQfinish(c);
	/* ...and not even the owner can file a document under another company's party. */
	c = cpt_testenv_sql(&env);
	snprintf(sql, sizeof sql,
		 "INSERT INTO party_document (company_id, party_id, name, mime_type, size, sha256,"
		 " content, created_by) VALUES (%lld, %lld, 'x', 'a/b', 1, repeat('0', 64),"
		 " '\\x00', (SELECT min(id) FROM app_user))",
		 (long long)other, (long long)client_id);
	r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "23503");
	PQclear(r);
	PQfinish(c);
}

static void suppliers_keep_their_documents_in_their_own_book(void **state)
{
	int64_t id = add_ok(S, supplier_id, "tarifs 2027.xlsx", 2000, 8);
	cpt_status st = {0};
	Comptoir__Parties__ListDocumentsReply *l = NULL;
	assert_int_equal(list(admin, S, supplier_id, &l, &st), CPT_OK);
	assert_int_equal(l->n_documents, 1);
	assert_string_equal(l->documents[0]->name, "tarifs 2027.xlsx");
	protobuf_c_message_free_unpacked(&l->base, NULL);
	Comptoir__Parties__DocumentReply *rep = NULL;
	assert_int_equal(get(admin, S, id, &rep, &st), CPT_OK);
	assert_int_equal(rep->document->content.len, 2000);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	/* Not through the clients' service, and the suppliers' cannot reach a client. */
	assert_int_equal(get(admin, P, id, NULL, &st), CPT_NOT_FOUND);
	assert_int_equal(list(admin, P, supplier_id, NULL, &st), CPT_NOT_FOUND);
	assert_int_equal(delete (admin, P, id, &st), CPT_NOT_FOUND);
	uint8_t one[] = {1};
	assert_int_equal(add(admin, S, client_id, "x.bin", "", one, 1, NULL, &st), CPT_NOT_FOUND);
	assert_int_equal(add(admin, P, supplier_id, "x.bin", "", one, 1, NULL, &st), CPT_NOT_FOUND);
	/* A client's documents stay out of reach of the Suppliers service. */
	int64_t client_doc = add_ok(P, client_id, "client.pdf", 10, 9);
	assert_int_equal(get(admin, S, client_doc, NULL, &st), CPT_NOT_FOUND);
	assert_int_equal(delete (admin, S, client_doc, &st), CPT_NOT_FOUND);
	assert_int_equal(delete (admin, S, id, &st), CPT_OK);
	char sql[200];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM audit_log WHERE method = '%sDeleteDocument'"
		 " AND row_ids = ARRAY[%lld::bigint]",
		 S, (long long)id);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 1);
}

static void another_workstation_is_told_that_a_file_changed(void **state)
{
	cpt_client *watcher = cpt_testenv_admin(&env);
	assert_non_null(watcher);
	int64_t id = add_ok(P, client_id, "nouveau.pdf", 10, 10);
	cpt_status st = {0};
	assert_int_equal(delete (admin, P, id, &st), CPT_OK);
	bool created = false, deleted = false;
	for (int i = 0; i < 50 && !(created && deleted); i++) {
		usleep(100 * 1000);
		Comptoir__Rpc__Empty e = COMPTOIR__RPC__EMPTY__INIT;
		assert_int_equal(call(watcher, "comptoir.rpc.Server/", "Info", &e.base,
				      &comptoir__rpc__info_reply__descriptor, NULL, &st),
				 CPT_OK);
		char *topic = NULL, *action = NULL;
		int64_t eid = 0;
		while (cpt_client_next_event(watcher, &topic, &eid, &action)) {
			bool ours = strcmp(topic, "party_document") == 0 && eid == client_id;
			created |= ours && strcmp(action, "create") == 0;
			deleted |= ours && strcmp(action, "delete") == 0;
			free(topic);
			free(action);
		}
	}
	assert_true(created);
	assert_true(deleted);
	cpt_client_close(watcher);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_document_is_added_listed_newest_first_and_read_back_whole),
	    cmocka_unit_test(
		a_file_at_the_limit_is_kept_one_byte_more_is_refused_and_nothing_written),
	    cmocka_unit_test(empty_name_empty_file_and_bad_type_name_their_field),
	    cmocka_unit_test(an_altered_file_is_refused_on_read),
	    cmocka_unit_test(a_deleted_document_is_gone_and_the_deletion_audited),
	    cmocka_unit_test(a_read_only_user_reads_documents_but_cannot_add_or_delete),
	    cmocka_unit_test(suppliers_keep_their_documents_in_their_own_book),
	    cmocka_unit_test(another_workstation_is_told_that_a_file_changed),
	    cmocka_unit_test(another_company_sees_no_document_of_this_one),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
