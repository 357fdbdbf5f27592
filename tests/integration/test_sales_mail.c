/*
 * Sending a validated invoice by e-mail: the outbox delivers it to a local
 * SMTP sink with the archived PDF attached byte for byte, the company's
 * message filled in, and the message stays listed on the document. A draft
 * is not sent; a client without an e-mail address is said so.
 */
#include "smtpsink.h"
#include "testenv.h"

#include "mail.pb-c.h"
#include "parties.pb-c.h"
#include "sales.pb-c.h"

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
static cpt_client *admin;
static cpt_smtpsink *sink;

static int call(const char *method, const ProtobufCMessage *in,
		const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out, cpt_status *st)
{
	char name[80];
	snprintf(name, sizeof name, "comptoir.%s", method);
	*st = (cpt_status){0};
	ProtobufCMessage *o = NULL;
	int rc = cpt_client_call(admin, name, in, desc, &o, st);
	if (out) {
		*out = o;
	} else {
		protobuf_c_message_free_unpacked(o, NULL);
	}
	return rc;
}

static int setup(void **state)
{
	sink = cpt_smtpsink_start();
	if (!sink) {
		return -1;
	}
	g_autofree char *extra =
	    g_strdup_printf("[mail]\nsmtp_url = smtp://127.0.0.1:%d\nfrom = Thermo Services "
			    "<factures@thermo.test>\n"
			    "starttls = none\ninterval = 3600\nretry_delay = 1\n",
			    cpt_smtpsink_port(sink));
	if (cpt_testenv_start(&env, "salesmail", extra) != 0) {
		return -1;
	}
	admin = cpt_testenv_admin(&env);
	return admin ? 0 : -1;
}

static int teardown(void **state)
{
	cpt_client_close(admin);
	int rc = cpt_testenv_stop(&env);
	cpt_smtpsink_stop(sink);
	return rc == 0 ? 0 : -1;
}

static int64_t invoice_for(const char *code, const char *email, bool validate)
{
	Comptoir__Parties__Contact c = COMPTOIR__PARTIES__CONTACT__INIT;
	Comptoir__Parties__Contact *cp[] = {&c};
	c.name = "Hélène Martin";
	c.email = (char *)email;
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.kind = "client";
	p.code = (char *)code;
	p.name = "Résidence Les Tilleuls";
	p.contacts = cp;
	p.n_contacts = *email ? 1 : 0;
	Comptoir__Parties__PartyRequest pr = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	pr.party = &p;
	ProtobufCMessage *out;
	cpt_status st;
	assert_int_equal(call("parties.Parties/Create", &pr.base,
			      &comptoir__parties__party_reply__descriptor, &out, &st),
			 CPT_OK);
	int64_t party = ((Comptoir__Parties__PartyReply *)out)->party->id;
	protobuf_c_message_free_unpacked(out, NULL);
	Comptoir__Sales__Line l = COMPTOIR__SALES__LINE__INIT;
	Comptoir__Sales__Line *lp[] = {&l};
	l.label = "Entretien annuel de la chaudière";
	l.quantity = 1000;
	l.unit_price = 1500000;
	l.vat_rate_id = cpt_testenv_sql_int(&env, "SELECT id FROM vat_rate WHERE country = 'FR'"
						  " AND rate = 1000");
	Comptoir__Sales__Document d = COMPTOIR__SALES__DOCUMENT__INIT;
	d.type = "invoice";
	d.party_id = party;
	d.lines = lp;
	d.n_lines = 1;
	Comptoir__Sales__DocumentRequest req = COMPTOIR__SALES__DOCUMENT_REQUEST__INIT;
	req.document = &d;
	assert_int_equal(call("sales.Invoices/Save", &req.base,
			      &comptoir__sales__document_reply__descriptor, &out, &st),
			 CPT_OK);
	int64_t id = ((Comptoir__Sales__DocumentReply *)out)->document->id;
	protobuf_c_message_free_unpacked(out, NULL);
	if (validate) {
		Comptoir__Sales__IdRequest v = COMPTOIR__SALES__ID_REQUEST__INIT;
		v.id = id;
		assert_int_equal(call("sales.Invoices/Validate", &v.base,
				      &comptoir__sales__document_reply__descriptor, NULL, &st),
				 CPT_OK);
	}
	return id;
}

static int send_doc(int64_t id, cpt_status *st)
{
	Comptoir__Sales__SendRequest req = COMPTOIR__SALES__SEND_REQUEST__INIT;
	req.id = id;
	return call("sales.Invoices/Send", &req.base, &comptoir__sales__send_reply__descriptor,
		    NULL, st);
}

static void an_invoice_reaches_its_client_with_the_archived_pdf(void **state)
{
	int64_t id = invoice_for("TILLEULS", "h.martin@tilleuls.test", true);
	cpt_status st;
	if (send_doc(id, &st) != CPT_OK) {
		fail_msg("send: %s (%s)", st.message, st.field);
	}
	assert_true(cpt_smtpsink_wait(sink, 1, 20000));
	cpt_smtp_received *m = cpt_smtpsink_get(sink, 0);
	assert_string_equal(m->rcpt[0], "h.martin@tilleuls.test");
	cpt_mime *mime = cpt_mime_parse(m->data, m->len);
	assert_non_null(mime);
	g_autofree char *subject_raw = cpt_mime_header(mime->headers, "Subject");
	g_autofree char *subject = cpt_mime_decode_words(subject_raw);
	assert_non_null(strstr(subject, "facture FA-"));
	assert_non_null(strstr(subject, " — "));
	/* The body says the amount; the attachment is the archive, byte for byte. */
	assert_true(mime->n_parts >= 2);
	assert_non_null(
	    g_strstr_len((const char *)mime->parts[0].body, (gssize)mime->parts[0].len, "165,00"));
	Comptoir__Sales__ExportRequest pr = COMPTOIR__SALES__EXPORT_REQUEST__INIT;
	pr.id = id;
	ProtobufCMessage *out;
	assert_int_equal(call("sales.Invoices/Print", &pr.base,
			      &comptoir__sales__file_reply__descriptor, &out, &st),
			 CPT_OK);
	Comptoir__Sales__FileReply *file = (void *)out;
	assert_true(file->archived);
	assert_int_equal(mime->parts[1].len, file->content.len);
	assert_memory_equal(mime->parts[1].body, file->content.data, file->content.len);
	protobuf_c_message_free_unpacked(out, NULL);
	cpt_mime_free(mime);
	cpt_smtp_received_free(m);

	/* The e-mail stays listed on the document, sent. */
	Comptoir__Mail__ListRequest lr = COMPTOIR__MAIL__LIST_REQUEST__INIT;
	lr.ref_table = "sales_document";
	lr.ref_id = id;
	for (int tries = 0; tries < 50; tries++) {
		assert_int_equal(call("mail.Mail/List", &lr.base,
				      &comptoir__mail__list_reply__descriptor, &out, &st),
				 CPT_OK);
		Comptoir__Mail__ListReply *l = (void *)out;
		assert_int_equal(l->n_mails, 1);
		bool sent = strcmp(l->mails[0]->state, "sent") == 0;
		protobuf_c_message_free_unpacked(out, NULL);
		if (sent) {
			return;
		}
		g_usleep(100000);
	}
	fail_msg("the message is not marked sent");
}

static void a_draft_or_a_client_without_address_is_not_sent(void **state)
{
	cpt_status st;
	int64_t draft = invoice_for("BROUILLON", "b@x.test", false);
	assert_int_equal(send_doc(draft, &st), CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "id");
	int64_t nomail = invoice_for("SANSMAIL", "", true);
	assert_int_equal(send_doc(nomail, &st), CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "to");
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM mail_outbox"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(an_invoice_reaches_its_client_with_the_archived_pdf),
	    cmocka_unit_test(a_draft_or_a_client_without_address_is_not_sent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
