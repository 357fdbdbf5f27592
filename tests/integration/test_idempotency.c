/*
 * A write sent twice with the same key, as a workstation does when its
 * connection drops before the answer comes: the second gets the first's
 * answer and nothing is done twice — a draft is not created twice, a
 * validation does not take a second number. Reads keep no answer, and
 * another user cannot read an answer by its key.
 */
#include "testenv.h"

#include "parties.pb-c.h"
#include "sales.pb-c.h"

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
static int64_t client;

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "idempotency", NULL) != 0) {
		return -1;
	}
	admin = cpt_testenv_admin(&env);
	if (!admin) {
		return -1;
	}
	client = cpt_testenv_sql_int(&env, "WITH p AS (INSERT INTO party (company_id, kind, code,"
					   " name) SELECT min(id), 'client', 'C1', 'Client un'"
					   " FROM company RETURNING id) SELECT id FROM p");
	return client > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	cpt_client_close(admin);
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

/* Sends method with key (may be NULL) once; the answer unpacked with desc. */
static ProtobufCMessage *keyed(cpt_client *c, const char *method, const ProtobufCMessage *in,
			       const uint8_t *key, const ProtobufCMessageDescriptor *desc,
			       cpt_status *st)
{
	static uint64_t next = 1000;
	uint64_t id = next++;
	size_t n = protobuf_c_message_get_packed_size(in);
	uint8_t *payload = malloc(n + 1);
	protobuf_c_message_pack(in, payload);
	*st = (cpt_status){0};
	int rc = cpt_client_send_request_keyed(c, id, method, payload, n, key, key ? 16 : 0, st);
	free(payload);
	assert_int_equal(rc, 0);
	for (;;) {
		uint64_t got;
		uint8_t *bytes = NULL;
		size_t len = 0;
		assert_true(cpt_client_recv(c, &got, &bytes, &len, st) >= 0);
		if (got != id) {
			free(bytes);
			continue;
		}
		ProtobufCMessage *out =
		    st->code == CPT_OK ? protobuf_c_message_unpack(desc, NULL, len, bytes) : NULL;
		free(bytes);
		return out;
	}
}

static ProtobufCMessage *save_draft(cpt_client *c, const uint8_t *key, cpt_status *st)
{
	Comptoir__Sales__Line l = COMPTOIR__SALES__LINE__INIT;
	Comptoir__Sales__Line *lp[] = {&l};
	l.label = "Visite d'entretien";
	l.quantity = 1000;
	l.unit_price = 900000;
	l.vat_rate_id = cpt_testenv_sql_int(
	    &env, "SELECT id FROM vat_rate WHERE country = 'FR' AND rate = 1000");
	Comptoir__Sales__Document d = COMPTOIR__SALES__DOCUMENT__INIT;
	d.type = "invoice";
	d.party_id = client;
	d.lines = lp;
	d.n_lines = 1;
	Comptoir__Sales__DocumentRequest req = COMPTOIR__SALES__DOCUMENT_REQUEST__INIT;
	req.document = &d;
	return keyed(c, "comptoir.sales.Invoices/Save", &req.base, key,
		     &comptoir__sales__document_reply__descriptor, st);
}

static void a_write_sent_twice_with_its_key_is_done_once(void **state)
{
	const uint8_t key[16] = "create-draft-01";
	cpt_status st;
	ProtobufCMessage *a = save_draft(admin, key, &st);
	assert_non_null(a);
	ProtobufCMessage *b = save_draft(admin, key, &st);
	assert_non_null(b);
	int64_t id = ((Comptoir__Sales__DocumentReply *)a)->document->id;
	assert_int_equal(((Comptoir__Sales__DocumentReply *)b)->document->id, id);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM sales_document"), 1);
	protobuf_c_message_free_unpacked(a, NULL);
	protobuf_c_message_free_unpacked(b, NULL);
	/* Without a key, or with another, it is another call. */
	b = save_draft(admin, NULL, &st);
	protobuf_c_message_free_unpacked(b, NULL);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM sales_document"), 2);

	/* A validation sent twice takes one number. */
	const uint8_t vkey[16] = "validate-draft-1";
	Comptoir__Sales__IdRequest v = COMPTOIR__SALES__ID_REQUEST__INIT;
	v.id = id;
	a = keyed(admin, "comptoir.sales.Invoices/Validate", &v.base, vkey,
		  &comptoir__sales__document_reply__descriptor, &st);
	b = keyed(admin, "comptoir.sales.Invoices/Validate", &v.base, vkey,
		  &comptoir__sales__document_reply__descriptor, &st);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(((Comptoir__Sales__DocumentReply *)a)->document->number,
			    ((Comptoir__Sales__DocumentReply *)b)->document->number);
	assert_int_equal(
	    cpt_testenv_sql_int(&env, "SELECT sum(last_number) FROM document_sequence"), 1);
	/* The second answer is the document as validated, byte for byte: read
	 * again (the key is kept without the answer's bytes). */
	size_t na = protobuf_c_message_get_packed_size(a),
	       nb = protobuf_c_message_get_packed_size(b);
	uint8_t *pa = malloc(na + 1), *pb = malloc(nb + 1);
	protobuf_c_message_pack(a, pa);
	protobuf_c_message_pack(b, pb);
	assert_true(na == nb && memcmp(pa, pb, na) == 0);
	free(pa);
	free(pb);
	assert_int_equal(cpt_testenv_sql_int(&env,
					     "SELECT count(*) FROM call_result"
					     " WHERE method = 'comptoir.sales.Invoices/Validate'"
					     " AND length(payload) = 0"),
			 1);
	protobuf_c_message_free_unpacked(a, NULL);
	protobuf_c_message_free_unpacked(b, NULL);
	/* Without the key, the second is refused: already validated. */
	a = keyed(admin, "comptoir.sales.Invoices/Validate", &v.base, NULL,
		  &comptoir__sales__document_reply__descriptor, &st);
	assert_null(a);
	assert_int_equal(st.code, CPT_FAILED_PRECONDITION);
}

static void reads_keep_no_answer_and_answers_stay_their_users(void **state)
{
	long long kept = cpt_testenv_sql_int(&env, "SELECT count(*) FROM call_result");
	const uint8_t key[16] = "a-read-with-key";
	Comptoir__Sales__ListRequest lr = COMPTOIR__SALES__LIST_REQUEST__INIT;
	lr.type = "invoice";
	cpt_status st;
	ProtobufCMessage *o = keyed(admin, "comptoir.sales.Invoices/List", &lr.base, key,
				    &comptoir__sales__list_reply__descriptor, &st);
	assert_non_null(o);
	protobuf_c_message_free_unpacked(o, NULL);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM call_result"), kept);

	/* Another user replaying a key gets no one else's answer: a new call. */
	int64_t role =
	    cpt_testenv_sql_int(&env, "SELECT id FROM role WHERE name = 'Administrateur'");
	assert_true(cpt_testenv_create_user(&env, "autre", role, 0) > 0);
	cpt_client *other = cpt_testenv_login(&env, "autre", CPT_TEST_PASSWORD, 0, NULL, NULL);
	assert_non_null(other);
	const uint8_t reused[16] = "create-draft-01";
	o = save_draft(other, reused, &st);
	/* The key is taken by the first user's answer: refused, not replayed. */
	assert_null(o);
	assert_int_not_equal(st.code, CPT_OK);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM sales_document"), 2);
	cpt_client_close(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_write_sent_twice_with_its_key_is_done_once),
	    cmocka_unit_test(reads_keep_no_answer_and_answers_stay_their_users),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
