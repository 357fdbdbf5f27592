/*
 * The e-mail outbox against a real comptoird and a local SMTP sink: a
 * message queued through Mail/Send arrives as a proper MIME message (UTF-8
 * subject and body, the PDF attachment byte for byte); a temporary refusal is
 * retried, then sent; refusals every time end failed after max_attempts, a
 * refused recipient at once, with last_error kept; a rolled-back caller of
 * cpt_mail_queue sends nothing; a daemon killed in the middle of a send
 * loses nothing, and one that dies at every try gives up; the outbox lists
 * per record and pages; another company sees nothing; a read-only user
 * cannot send.
 *
 * The daemon's interval is an hour: every delivery here comes from the wake
 * after a commit, or from a retry falling due, never from the timer.
 */
#include "config.h"
#include "db.h"
#include "mail_outbox.h"
#include "smtpsink.h"
#include "testenv.h"

#include "mail.pb-c.h"
#include "parties.pb-c.h"

#include <glib.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ATTEMPTS 3
#define WAIT_MS 30000

static cpt_testenv env;
static cpt_smtpsink *sink;
static cpt_client *admin;
static int64_t party_id;

static const char SUBJECT[] = "Facture FA-2025-0042 — échéance au 30/06, 1 234,56 € ✓";
static const char BODY[] =
    "Bonjour Hélène,\n"
    "\n"
    "Veuillez trouver ci-joint notre facture FA-2025-0042 d'un montant de 1 234,56 € TTC, "
    "payable à trente jours fin de mois par virement sur le compte indiqué en pied de page.\n"
    ".Une ligne qui commence par un point.\n"
    "From the accounts department = ça passe ?\n"
    "\n"
    "Cordialement,\n"
    "-- \n"
    "Société Démo\n";

static int setup(void **state)
{
	sink = cpt_smtpsink_start();
	if (!sink) {
		return -1;
	}
	g_autofree char *extra =
	    g_strdup_printf("[mail]\nsmtp_url = smtp://127.0.0.1:%d\n"
			    "from = Société Démo <factures@demo.test>\n"
			    "starttls = none\ninterval = 3600\nretry_delay = 1\n"
			    "max_attempts = %d\n",
			    cpt_smtpsink_port(sink), MAX_ATTEMPTS);
	if (cpt_testenv_start(&env, "mail", extra) != 0) {
		return -1;
	}
	admin = cpt_testenv_admin(&env);
	if (!admin) {
		return -1;
	}
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.kind = "client";
	p.code = "ECOLE01";
	p.name = "École élémentaire Lumière";
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = &p;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	if (cpt_client_call(admin, "comptoir.parties.Parties/Create", &req.base,
			    &comptoir__parties__party_reply__descriptor, &out, &st) != 0) {
		fprintf(stderr, "Parties/Create: %s\n", st.message);
		return -1;
	}
	party_id = ((Comptoir__Parties__PartyReply *)out)->party->id;
	protobuf_c_message_free_unpacked(out, NULL);
	return 0;
}

static int teardown(void **state)
{
	cpt_client_close(admin);
	int rc = cpt_testenv_stop(&env);
	cpt_smtpsink_stop(sink);
	return rc == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------------------
 * Helpers
 */

static void sha256_hex(const uint8_t *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++) {
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	}
}

/* A first value as text from superuser SQL; caller g_free()s. */
static char *sql_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *sql_text(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *sql = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	PGconn *c = cpt_testenv_sql(&env);
	PGresult *r = PQexec(c, sql);
	char *v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0
		      ? g_strdup(PQgetvalue(r, 0, 0))
		      : NULL;
	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(r));
	}
	PQclear(r);
	PQfinish(c);
	return v;
}

/* Waits until message id is in state; false after WAIT_MS. */
static bool wait_state(int64_t id, const char *state)
{
	for (int waited = 0; waited < WAIT_MS; waited += 100) {
		g_autofree char *now =
		    sql_text("SELECT state FROM mail_outbox WHERE id = %lld", (long long)id);
		if (now && strcmp(now, state) == 0) {
			return true;
		}
		usleep(100 * 1000);
	}
	return false;
}

static long long outbox_rows(void)
{
	return cpt_testenv_sql_int(&env, "SELECT (SELECT count(*) FROM mail_outbox)"
					 " + (SELECT count(*) FROM mail_attachment)");
}

static int send_mail(cpt_client *c, const Comptoir__Mail__Message *m,
		     Comptoir__Mail__SendReply **rep, cpt_status *st)
{
	Comptoir__Mail__SendRequest req = COMPTOIR__MAIL__SEND_REQUEST__INIT;
	req.mail = (Comptoir__Mail__Message *)m;
	ProtobufCMessage *out = NULL;
	int rc = cpt_client_call(c, "comptoir.mail.Mail/Send", &req.base,
				 &comptoir__mail__send_reply__descriptor, &out, st);
	if (rep) {
		*rep = (Comptoir__Mail__SendReply *)out;
	} else {
		protobuf_c_message_free_unpacked(out, NULL);
	}
	return rc;
}

/* Sends a one-recipient message and returns its id (0 on failure). */
static int64_t send_simple(const char *to, const char *subject)
{
	Comptoir__Mail__Message m = COMPTOIR__MAIL__MESSAGE__INIT;
	char *tos[] = {(char *)to};
	m.to = tos;
	m.n_to = 1;
	m.subject = (char *)subject;
	m.body = "Bonjour.\n";
	Comptoir__Mail__SendReply *rep = NULL;
	cpt_status st = {0};
	if (send_mail(admin, &m, &rep, &st) != 0) {
		fprintf(stderr, "Send: %s (%s)\n", st.message, st.field);
		return 0;
	}
	int64_t id = rep->mail->id;
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	return id;
}

static Comptoir__Mail__ListReply *list(cpt_client *c, const char *ref_table, int64_t ref_id,
				       const char *state, Comptoir__Admin__Page *page, int *rc)
{
	Comptoir__Mail__ListRequest req = COMPTOIR__MAIL__LIST_REQUEST__INIT;
	req.ref_table = (char *)ref_table;
	req.ref_id = ref_id;
	req.state = (char *)state;
	req.page = page;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	*rc = cpt_client_call(c, "comptoir.mail.Mail/List", &req.base,
			      &comptoir__mail__list_reply__descriptor, &out, &st);
	return (Comptoir__Mail__ListReply *)out;
}

/* The message with this id as List shows it; caller frees *reply. */
static Comptoir__Mail__Message *listed(int64_t id, Comptoir__Mail__ListReply **reply)
{
	int rc;
	*reply = list(admin, "", 0, "", NULL, &rc);
	assert_int_equal(rc, CPT_OK);
	for (size_t i = 0; i < (*reply)->n_mails; i++) {
		if ((*reply)->mails[i]->id == id) {
			return (*reply)->mails[i];
		}
	}
	fail_msg("message %lld not listed", (long long)id);
	return NULL;
}

/* The i-th received message whose subject is subject, parsed; NULL if none. */
static cpt_mime *received_with_subject(const char *subject, cpt_smtp_received **raw)
{
	size_t n = cpt_smtpsink_count(sink);
	for (size_t i = 0; i < n; i++) {
		cpt_smtp_received *r = cpt_smtpsink_get(sink, i);
		cpt_mime *m = cpt_mime_parse(r->data, r->len);
		g_autofree char *h = m ? cpt_mime_header(m->headers, "Subject") : NULL;
		g_autofree char *s = h ? cpt_mime_decode_words(h) : NULL;
		if (s && strcmp(s, subject) == 0) {
			if (raw) {
				*raw = r;
			} else {
				cpt_smtp_received_free(r);
			}
			return m;
		}
		cpt_mime_free(m);
		cpt_smtp_received_free(r);
	}
	return NULL;
}

static char *lf(const uint8_t *text, size_t len)
{
	GString *s = g_string_new_len((const char *)text, (gssize)len);
	for (char *p; (p = strstr(s->str, "\r\n"));) {
		g_string_erase(s, p - s->str, 1);
	}
	return g_string_free(s, FALSE);
}

/* ---------------------------------------------------------------------------
 * Tests
 */

static void sent_message_carries_utf8_subject_and_body_and_the_pdf_intact(void **state)
{
	/* A PDF-like file: every byte value, CR LF and dots included. */
	size_t pdf_len = 200 * 1024;
	uint8_t *pdf = g_malloc(pdf_len);
	memcpy(pdf, "%PDF-1.7\n", 9);
	guint32 seed = 42;
	for (size_t i = 9; i < pdf_len; i++) {
		seed = seed * 1103515245u + 12345u;
		pdf[i] = (uint8_t)(seed >> 16);
	}
	char pdf_hash[65];
	sha256_hex(pdf, pdf_len, pdf_hash);

	Comptoir__Mail__Attachment att = COMPTOIR__MAIL__ATTACHMENT__INIT;
	Comptoir__Mail__Attachment *atts[] = {&att};
	att.name = "Facture FA-2025-0042.pdf";
	att.mime_type = "application/pdf";
	att.content.data = pdf;
	att.content.len = pdf_len;
	Comptoir__Mail__Message m = COMPTOIR__MAIL__MESSAGE__INIT;
	char *to[] = {"compta@ecole-lumiere.test"};
	char *cc[] = {"direction@ecole-lumiere.test", "h.martin@ecole-lumiere.test"};
	char *bcc[] = {"archives@demo.test"};
	m.to = to;
	m.n_to = 1;
	m.cc = cc;
	m.n_cc = 2;
	m.bcc = bcc;
	m.n_bcc = 1;
	m.reply_to = "vendeur@demo.test";
	m.subject = (char *)SUBJECT;
	m.body = (char *)BODY;
	m.attachments = atts;
	m.n_attachments = 1;
	m.ref_table = "party";
	m.ref_id = party_id;
	Comptoir__Mail__SendReply *rep = NULL;
	cpt_status st = {0};
	if (send_mail(admin, &m, &rep, &st) != 0) {
		fail_msg("Send: %s (%s)", st.message, st.field);
	}
	int64_t id = rep->mail->id;
	assert_string_equal(rep->mail->state, "queued");
	assert_int_equal(rep->mail->n_attachments, 1);
	assert_string_equal(rep->mail->attachments[0]->sha256, pdf_hash);
	assert_int_equal(rep->mail->attachments[0]->size, pdf_len);
	assert_int_equal(rep->mail->attachments[0]->content.len, 0);
	g_autofree char *message_id = g_strdup(rep->mail->message_id);
	assert_true(g_str_has_suffix(message_id, "@demo.test>"));
	protobuf_c_message_free_unpacked(&rep->base, NULL);

	assert_true(cpt_smtpsink_wait(sink, 1, WAIT_MS));
	assert_true(wait_state(id, "sent"));
	cpt_smtp_received *raw = NULL;
	cpt_mime *mime = received_with_subject(SUBJECT, &raw);
	assert_non_null(mime);

	g_autofree char *eml = g_build_filename(cpt_testenv_out(), "mail-sent.eml", NULL);
	g_file_set_contents(eml, raw->data, (gssize)raw->len, NULL);
	/* The envelope: the configured sender, and every recipient, Bcc included. */
	assert_string_equal(raw->mail_from, "factures@demo.test");
	assert_int_equal(raw->n_rcpt, 4);
	assert_string_equal(raw->rcpt[3], "archives@demo.test");
	/*
	 * No line beyond RFC 5322's limit; our headers folded under its 78
	 * characters (libcurl writes Content-Type with its long boundary).
	 */
	const char *headers_end = strstr(raw->data, "\r\n\r\n");
	for (const char *line = raw->data; line < raw->data + raw->len;) {
		const char *eol = strstr(line, "\r\n");
		assert_non_null(eol);
		assert_true(eol - line <= 998);
		if (line < headers_end && !g_str_has_prefix(line, "Content-Type:")) {
			assert_true(eol - line <= 78);
		}
		line = eol + 2;
	}

	/* The headers. */
	g_autofree char *from_raw = cpt_mime_header(mime->headers, "From");
	g_autofree char *from = cpt_mime_decode_words(from_raw);
	assert_string_equal(from, "Société Démo <factures@demo.test>");
	g_autofree char *to_h = cpt_mime_header(mime->headers, "To");
	assert_string_equal(to_h, "compta@ecole-lumiere.test");
	g_autofree char *cc_h = cpt_mime_header(mime->headers, "Cc");
	assert_string_equal(cc_h, "direction@ecole-lumiere.test, h.martin@ecole-lumiere.test");
	assert_null(strstr(mime->headers, "archives@demo.test"));
	g_autofree char *reply_to = cpt_mime_header(mime->headers, "Reply-To");
	assert_string_equal(reply_to, "vendeur@demo.test");
	g_autofree char *subject_raw = cpt_mime_header(mime->headers, "Subject");
	assert_true(g_str_has_prefix(subject_raw, "=?UTF-8?B?"));
	g_autofree char *mid = cpt_mime_header(mime->headers, "Message-ID");
	assert_string_equal(mid, message_id);
	g_autofree char *date = cpt_mime_header(mime->headers, "Date");
	assert_non_null(date);
	g_autoptr(GRegex) date_re =
	    g_regex_new("^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3][0-9] "
			"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20[0-9][0-9] "
			"[0-2][0-9]:[0-5][0-9]:[0-6][0-9] [+-][0-9]{4}$",
			0, 0, NULL);
	assert_true(g_regex_match(date_re, date, 0, NULL));
	g_autofree char *version = cpt_mime_header(mime->headers, "MIME-Version");
	assert_string_equal(version, "1.0");
	g_autofree char *type = cpt_mime_header(mime->headers, "Content-Type");
	assert_true(g_str_has_prefix(type, "multipart/mixed"));

	/* The body, then the attachment, byte for byte. */
	assert_int_equal(mime->n_parts, 2);
	g_autofree char *body_type = cpt_mime_header(mime->parts[0].headers, "Content-Type");
	assert_string_equal(body_type, "text/plain; charset=utf-8");
	g_autofree char *body = lf(mime->parts[0].body, mime->parts[0].len);
	assert_string_equal(body, BODY);
	g_autofree char *att_type = cpt_mime_header(mime->parts[1].headers, "Content-Type");
	assert_string_equal(att_type, "application/pdf");
	g_autofree char *disposition =
	    cpt_mime_header(mime->parts[1].headers, "Content-Disposition");
	g_autofree char *filename = cpt_mime_param(disposition, "filename");
	assert_string_equal(filename, "Facture FA-2025-0042.pdf");
	assert_int_equal(mime->parts[1].len, pdf_len);
	assert_memory_equal(mime->parts[1].body, pdf, pdf_len);
	char got_hash[65];
	sha256_hex(mime->parts[1].body, mime->parts[1].len, got_hash);
	assert_string_equal(got_hash, pdf_hash);
	cpt_mime_free(mime);
	cpt_smtp_received_free(raw);
	g_free(pdf);

	/* The outbox says so, and the job recorded its run. */
	Comptoir__Mail__ListReply *lr = NULL;
	Comptoir__Mail__Message *got = listed(id, &lr);
	assert_string_equal(got->state, "sent");
	assert_int_equal(got->attempts, 1);
	assert_true(got->sent_at > 0);
	assert_string_equal(got->last_error, "");
	assert_true(g_str_has_prefix(got->smtp_reply, "250 2.0.0 Ok: queued as SINK"));
	assert_string_equal(got->created_by, "Administrateur");
	protobuf_c_message_free_unpacked(&lr->base, NULL);
	assert_true(cpt_testenv_sql_int(&env,
					"SELECT count(*) FROM job_run"
					" WHERE job = 'mail_outbox' AND items >= 1"
					" AND finished_at IS NOT NULL AND error IS NULL") >= 1);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM audit_log"
						   " WHERE target = 'mail_outbox'"),
			 1);
}

static void temporary_refusal_is_retried_then_sent(void **state)
{
	size_t before = cpt_smtpsink_count(sink);
	size_t refusals = cpt_smtpsink_refusals(sink);
	cpt_smtpsink_refuse(sink, 2, CPT_SMTPSINK_AT_DATA, "451 4.3.0 Essayez plus tard");
	int64_t id = send_simple("compta@ecole-lumiere.test", "Relance amiable");
	assert_true(id > 0);
	assert_true(wait_state(id, "sent"));
	assert_int_equal(cpt_smtpsink_refusals(sink), refusals + 2);
	assert_int_equal(cpt_smtpsink_count(sink), before + 1);
	Comptoir__Mail__ListReply *lr = NULL;
	Comptoir__Mail__Message *got = listed(id, &lr);
	assert_int_equal(got->attempts, 3);
	assert_non_null(strstr(got->last_error, "451 4.3.0 Essayez plus tard"));
	protobuf_c_message_free_unpacked(&lr->base, NULL);
}

static void refusals_every_time_end_failed_after_max_attempts(void **state)
{
	size_t before = cpt_smtpsink_count(sink);
	cpt_smtpsink_refuse(sink, -1, CPT_SMTPSINK_AT_DATA,
			    "452 4.3.1 Insufficient system storage");
	int64_t id = send_simple("compta@ecole-lumiere.test", "Toujours refusé");
	assert_true(id > 0);
	assert_true(wait_state(id, "failed"));
	cpt_smtpsink_refuse(sink, 0, CPT_SMTPSINK_AT_DATA, NULL);
	Comptoir__Mail__ListReply *lr = NULL;
	Comptoir__Mail__Message *got = listed(id, &lr);
	assert_int_equal(got->attempts, MAX_ATTEMPTS);
	assert_non_null(strstr(got->last_error, "452 4.3.1 Insufficient system storage"));
	assert_int_equal(got->sent_at, 0);
	protobuf_c_message_free_unpacked(&lr->base, NULL);
	assert_int_equal(cpt_smtpsink_count(sink), before);
}

static void refused_recipient_fails_at_once(void **state)
{
	cpt_smtpsink_refuse(sink, 1, CPT_SMTPSINK_AT_RCPT,
			    "550 5.1.1 <inconnu@ecole-lumiere.test>: Recipient address rejected");
	int64_t id = send_simple("inconnu@ecole-lumiere.test", "Adresse inconnue");
	assert_true(id > 0);
	assert_true(wait_state(id, "failed"));
	Comptoir__Mail__ListReply *lr = NULL;
	Comptoir__Mail__Message *got = listed(id, &lr);
	assert_int_equal(got->attempts, 1);
	assert_non_null(strstr(got->last_error, "550 5.1.1"));
	protobuf_c_message_free_unpacked(&lr->base, NULL);
}

/*
 * cpt_mail_queue as a sales document will call it, inside its own
 * transaction on the daemon's role.
 */
static int queue_in_transaction(const char *subject, bool commit)
{
	g_autofree char *conninfo =
	    g_strdup_printf("host=%s port=%s dbname=%s user=comptoir", getenv("CPT_TEST_PGHOST"),
			    getenv("CPT_TEST_PGPORT"), env.db);
	cpt_config cfg;
	cpt_status st = {0};
	assert_int_equal(cpt_config_parse(&cfg, "[mail]\nfrom = factures@demo.test\n", NULL, &st),
			 0);
	cpt_call call = {.cfg = &cfg, .method = "tests"};
	call.db = cpt_db_connect(conninfo, &st);
	assert_non_null(call.db);
	PQclear(PQexec(call.db, "BEGIN"));
	assert_int_equal(
	    cpt_db_set_context(&call, &st, cpt_testenv_sql_int(&env, "SELECT min(id) FROM company"),
			       cpt_testenv_sql_int(&env, "SELECT id FROM app_user"
							 " WHERE login = 'admin'")),
	    0);
	const char *to[] = {"compta@ecole-lumiere.test"};
	static const uint8_t pdf[] = "%PDF-1.7 facture";
	cpt_mail_attachment att = {"Facture.pdf", "application/pdf", pdf, sizeof pdf - 1};
	cpt_mail m = {.to = to,
		      .n_to = 1,
		      .subject = subject,
		      .body = "Ci-joint la facture.",
		      .attachments = &att,
		      .n_attachments = 1,
		      .ref_table = "sales_document",
		      .ref_id = 42};
	int64_t id = 0;
	int rc = cpt_mail_queue(&call, &st, &m, &id);
	if (rc) {
		fprintf(stderr, "cpt_mail_queue: %s (%s)\n", st.message, st.field);
	}
	/* As the daemon ends its calls: the queued notification goes with the COMMIT. */
	if (commit) {
		cpt_status cst = {0};
		if (cpt_db_commit(&call, &cst)) {
			fprintf(stderr, "COMMIT: %s\n", cst.message);
			rc = cst.code;
		}
	} else {
		cpt_db_rollback(&call);
	}
	PQfinish(call.db);
	cpt_call_arena_free(&call);
	cpt_config_clear(&cfg);
	return rc;
}

static void rolled_back_caller_sends_nothing_and_committed_one_goes_at_once(void **state)
{
	size_t before = cpt_smtpsink_count(sink);
	long long rows = outbox_rows();
	assert_int_equal(queue_in_transaction("Annulée avec sa transaction", false), 0);
	assert_int_equal(outbox_rows(), rows);
	assert_int_equal(queue_in_transaction("Validée avec sa transaction", true), 0);
	assert_true(cpt_smtpsink_wait(sink, before + 1, WAIT_MS));
	usleep(500 * 1000);
	assert_int_equal(cpt_smtpsink_count(sink), before + 1);
	cpt_mime *m = received_with_subject("Validée avec sa transaction", NULL);
	assert_non_null(m);
	cpt_mime_free(m);
	assert_null(received_with_subject("Annulée avec sa transaction", NULL));
	/* The record's outbox shows it, like a sales document will. */
	int rc;
	Comptoir__Mail__ListReply *r = list(admin, "sales_document", 42, "", NULL, &rc);
	assert_int_equal(rc, CPT_OK);
	assert_int_equal(r->n_mails, 1);
	assert_string_equal(r->mails[0]->subject, "Validée avec sa transaction");
	assert_int_equal(r->mails[0]->n_attachments, 1);
	assert_string_equal(r->mails[0]->attachments[0]->name, "Facture.pdf");
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void message_cut_by_a_killed_daemon_is_sent_after_its_lease(void **state)
{
	size_t before = cpt_smtpsink_count(sink);
	cpt_smtpsink_hold(sink, true);
	int64_t id = send_simple("compta@ecole-lumiere.test", "Coupée en plein envoi");
	assert_true(id > 0);
	assert_true(cpt_smtpsink_wait_held(sink, WAIT_MS));
	g_autofree char *sending =
	    sql_text("SELECT state FROM mail_outbox WHERE id = %lld", (long long)id);
	assert_string_equal(sending, "sending");
	/* Killed while the server has the data but has not answered. */
	kill(env.daemon, SIGKILL);
	waitpid(env.daemon, NULL, 0);
	env.daemon = 0;
	cpt_client_close(admin);
	cpt_smtpsink_hold(sink, false);
	assert_int_equal(cpt_testenv_daemon_start(&env), 0);
	admin = cpt_testenv_admin(&env);
	assert_non_null(admin);
	/* Its lease runs: the new daemon leaves it. */
	usleep(1500 * 1000);
	assert_int_equal(cpt_smtpsink_count(sink), before);
	g_autofree char *still = sql_text(
	    "SELECT state || ' ' || attempts FROM mail_outbox WHERE id = %lld", (long long)id);
	assert_string_equal(still, "sending 1");
	/* Its lease ended (ten minutes, shortened here): the next run sends it. */
	g_free(sql_text("UPDATE mail_outbox SET next_attempt_at = now() WHERE id = %lld"
			" RETURNING id",
			(long long)id));
	int64_t wake = send_simple("compta@ecole-lumiere.test", "Réveil");
	assert_true(wake > 0);
	assert_true(wait_state(id, "sent"));
	assert_true(wait_state(wake, "sent"));
	assert_int_equal(cpt_smtpsink_count(sink), before + 2);
	cpt_mime *m = received_with_subject("Coupée en plein envoi", NULL);
	assert_non_null(m);
	cpt_mime_free(m);
	g_autofree char *attempts =
	    sql_text("SELECT attempts FROM mail_outbox WHERE id = %lld", (long long)id);
	assert_string_equal(attempts, "2");
	/* The killed run stays recorded as unfinished. */
	assert_true(cpt_testenv_sql_int(&env,
					"SELECT count(*) FROM job_run"
					" WHERE job = 'mail_outbox' AND finished_at IS NULL") >= 1);
}

static void message_whose_sender_dies_at_every_try_ends_failed(void **state)
{
	/* As if the daemon had died while sending it, each of MAX_ATTEMPTS times. */
	int64_t id = send_simple("compta@ecole-lumiere.test", "Fatale à son expéditeur");
	assert_true(id > 0);
	assert_true(wait_state(id, "sent"));
	size_t before = cpt_smtpsink_count(sink);
	g_free(
	    sql_text("UPDATE mail_outbox SET state = 'sending', sent_at = NULL, attempts = %d,"
		     " next_attempt_at = now() - interval '1 second' WHERE id = %lld RETURNING id",
		     MAX_ATTEMPTS, (long long)id));
	int64_t wake = send_simple("compta@ecole-lumiere.test", "Réveil encore");
	assert_true(wait_state(wake, "sent"));
	assert_true(wait_state(id, "failed"));
	g_autofree char *error =
	    sql_text("SELECT last_error FROM mail_outbox WHERE id = %lld", (long long)id);
	assert_non_null(strstr(error, "interrompu"));
	assert_int_equal(cpt_smtpsink_count(sink), before + 1);
}

static void outbox_lists_per_record_and_pages_by_id(void **state)
{
	int rc;
	Comptoir__Mail__ListReply *r = list(admin, "party", party_id, "", NULL, &rc);
	assert_int_equal(rc, CPT_OK);
	assert_int_equal(r->n_mails, 1);
	assert_string_equal(r->mails[0]->subject, SUBJECT);
	assert_int_equal(r->mails[0]->n_to, 1);
	assert_int_equal(r->mails[0]->n_cc, 2);
	assert_int_equal(r->mails[0]->n_bcc, 1);
	assert_string_equal(r->mails[0]->body, BODY);
	protobuf_c_message_free_unpacked(&r->base, NULL);

	long long all = cpt_testenv_sql_int(&env, "SELECT count(*) FROM mail_outbox");
	assert_true(all >= 6);
	Comptoir__Admin__Page page = COMPTOIR__ADMIN__PAGE__INIT;
	page.limit = 2;
	page.with_total = true;
	int64_t last = 0, seen = 0;
	for (;;) {
		page.after_id = last;
		r = list(admin, "", 0, "", &page, &rc);
		assert_int_equal(rc, CPT_OK);
		assert_int_equal(r->total, all);
		for (size_t i = 0; i < r->n_mails; i++) {
			assert_true(r->mails[i]->id > last);
			last = r->mails[i]->id;
			seen++;
		}
		bool more = r->more;
		protobuf_c_message_free_unpacked(&r->base, NULL);
		if (!more) {
			break;
		}
	}
	assert_int_equal(seen, all);
	page.after_id = 0;
	page.descending = true;
	page.limit = 1;
	r = list(admin, "", 0, "failed", &page, &rc);
	assert_int_equal(rc, CPT_OK);
	assert_int_equal(r->total, 3);
	assert_int_equal(r->n_mails, 1);
	assert_true(r->more);
	assert_string_equal(r->mails[0]->subject, "Fatale à son expéditeur");
	protobuf_c_message_free_unpacked(&r->base, NULL);
	page.sort = "subject";
	r = list(admin, "", 0, "", &page, &rc);
	assert_int_equal(rc, CPT_INVALID_ARGUMENT);
	r = list(admin, "", 0, "lost", NULL, &rc);
	assert_int_equal(rc, CPT_INVALID_ARGUMENT);
}

static void bad_messages_name_the_field_and_queue_nothing(void **state)
{
	long long rows = outbox_rows();
	static uint8_t one_byte = 'x';
	struct {
		const char *to, *subject, *ref_table, *att_name;
		int64_t ref_id;
		size_t att_len;
		int code;
		const char *field;
	} cases[] = {
	    {"", "Objet", "", NULL, 0, 0, CPT_INVALID_ARGUMENT, "mail.to"},
	    {"pas une adresse", "Objet", "", NULL, 0, 0, CPT_INVALID_ARGUMENT, "mail.to"},
	    {"a@b.test", "", "", NULL, 0, 0, CPT_INVALID_ARGUMENT, "mail.subject"},
	    {"a@b.test", "Objet\r\nBcc: x@y.test", "", NULL, 0, 0, CPT_INVALID_ARGUMENT,
	     "mail.subject"},
	    {"a@b.test", "Objet", "invoice", NULL, 1, 0, CPT_INVALID_ARGUMENT, "mail.ref_table"},
	    {"a@b.test", "Objet", "party", NULL, 999999, 0, CPT_NOT_FOUND, "mail.ref_id"},
	    {"a@b.test", "Objet", "", "vide.pdf", 0, 0, CPT_INVALID_ARGUMENT,
	     "mail.attachments.content"},
	    {"a@b.test", "Objet", "", "../etc/passwd", 0, 1, CPT_INVALID_ARGUMENT,
	     "mail.attachments.name"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Comptoir__Mail__Message m = COMPTOIR__MAIL__MESSAGE__INIT;
		char *to[] = {(char *)cases[i].to};
		m.to = to;
		m.n_to = *cases[i].to ? 1 : 0;
		m.subject = (char *)cases[i].subject;
		m.ref_table = (char *)cases[i].ref_table;
		m.ref_id = cases[i].ref_id;
		Comptoir__Mail__Attachment att = COMPTOIR__MAIL__ATTACHMENT__INIT;
		Comptoir__Mail__Attachment *atts[] = {&att};
		if (cases[i].att_name) {
			att.name = (char *)cases[i].att_name;
			att.content.data = &one_byte;
			att.content.len = cases[i].att_len;
			m.attachments = atts;
			m.n_attachments = 1;
		}
		cpt_status st = {0};
		assert_int_equal(send_mail(admin, &m, NULL, &st), cases[i].code);
		assert_string_equal(st.field, cases[i].field);
	}
	assert_int_equal(outbox_rows(), rows);
}

static void read_only_user_can_list_but_not_send(void **state)
{
	int64_t role = cpt_testenv_sql_int(&env, "SELECT id FROM role WHERE name = 'Consultation'");
	assert_true(cpt_testenv_create_user(&env, "lecteur", role, 0) > 0);
	cpt_client *reader = cpt_testenv_login(&env, "lecteur", CPT_TEST_PASSWORD, 0, NULL, NULL);
	assert_non_null(reader);
	long long rows = outbox_rows();
	Comptoir__Mail__Message m = COMPTOIR__MAIL__MESSAGE__INIT;
	char *to[] = {"compta@ecole-lumiere.test"};
	m.to = to;
	m.n_to = 1;
	m.subject = "Je n'ai pas le droit";
	cpt_status st = {0};
	assert_int_equal(send_mail(reader, &m, NULL, &st), CPT_PERMISSION_DENIED);
	assert_int_equal(outbox_rows(), rows);
	int rc;
	Comptoir__Mail__ListReply *r = list(reader, "party", party_id, "", NULL, &rc);
	assert_int_equal(rc, CPT_OK);
	assert_int_equal(r->n_mails, 1);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	cpt_client_close(reader);
}

static void another_company_sees_nothing_and_cannot_link_our_records(void **state)
{
	char out[2048];
	const char *add[] = {"company", "add", "AUTRE", "Autre SARL", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, add), 0);
	const char *grant[] = {"user", "grant", "admin", "AUTRE", "Administrateur", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, grant), 0);
	int64_t other = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'AUTRE'");
	cpt_client *b = cpt_testenv_login(&env, "admin", env.admin_password, other, NULL, NULL);
	assert_non_null(b);
	int rc;
	Comptoir__Mail__ListReply *r = list(b, "", 0, "", NULL, &rc);
	assert_int_equal(rc, CPT_OK);
	assert_int_equal(r->n_mails, 0);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	r = list(b, "party", party_id, "", NULL, &rc);
	assert_int_equal(rc, CPT_OK);
	assert_int_equal(r->n_mails, 0);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	Comptoir__Mail__Message m = COMPTOIR__MAIL__MESSAGE__INIT;
	char *to[] = {"compta@ecole-lumiere.test"};
	m.to = to;
	m.n_to = 1;
	m.subject = "Sur le client d'un autre";
	m.ref_table = "party";
	m.ref_id = party_id;
	cpt_status st = {0};
	assert_int_equal(send_mail(b, &m, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "mail.ref_id");
	/* Its own message goes out, through the same job, and stays its own. */
	m.ref_table = "";
	m.ref_id = 0;
	m.subject = "Message de l'autre société";
	Comptoir__Mail__SendReply *rep = NULL;
	assert_int_equal(send_mail(b, &m, &rep, &st), CPT_OK);
	int64_t id = rep->mail->id;
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	assert_true(wait_state(id, "sent"));
	r = list(admin, "", 0, "", NULL, &rc);
	for (size_t i = 0; i < r->n_mails; i++) {
		assert_int_not_equal(r->mails[i]->id, id);
	}
	protobuf_c_message_free_unpacked(&r->base, NULL);
	cpt_client_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sent_message_carries_utf8_subject_and_body_and_the_pdf_intact),
	    cmocka_unit_test(temporary_refusal_is_retried_then_sent),
	    cmocka_unit_test(refusals_every_time_end_failed_after_max_attempts),
	    cmocka_unit_test(refused_recipient_fails_at_once),
	    cmocka_unit_test(rolled_back_caller_sends_nothing_and_committed_one_goes_at_once),
	    cmocka_unit_test(message_cut_by_a_killed_daemon_is_sent_after_its_lease),
	    cmocka_unit_test(message_whose_sender_dies_at_every_try_ends_failed),
	    cmocka_unit_test(outbox_lists_per_record_and_pages_by_id),
	    cmocka_unit_test(bad_messages_name_the_field_and_queue_nothing),
	    cmocka_unit_test(read_only_user_can_list_but_not_send),
	    cmocka_unit_test(another_company_sees_nothing_and_cannot_link_our_records),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
