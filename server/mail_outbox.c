/*
 * The e-mail outbox: queueing inside a call's transaction, and the
 * "mail_outbox" job that sends what is due. See mail_outbox.h.
 *
 * A run, lock held (jobs.c), goes round the companies: for each, in a short
 * transaction with comptoir.company_id set to it (row-level security applies
 * to the job as to any call: the daemon's role cannot read two companies at
 * once, and company itself is not company-scoped), it claims the oldest due
 * message FOR UPDATE SKIP LOCKED, marking it "sending" with a lease, and
 * reads it; commits; sends it with no transaction open; then, in another
 * short transaction, marks it sent, queued again for later, or failed. One
 * message per company per round, so that a company with a thousand letters
 * does not hold back another's one invoice.
 *
 * A message is due when queued and its next_attempt_at has come, or when
 * "sending" and its lease (next_attempt_at again) has ended: its sender died
 * before marking it. Attempts are counted at the claim, so a message that
 * kills its sender every time still ends failed.
 */
#include "mail_outbox.h"
#include "audit.h"
#include "db.h"
#include "events.h"
#include "jobs.h"
#include "log.h"
#include "mail_smtp.h"
#include "server.h"

#include <glib.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOB_NAME "mail_outbox"
/* A claimed message not marked within this long is its sender's loss: due again. */
#define LEASE_S 600
/* The soonest a run asks for the next, to send a retry falling due. */
#define AGAIN_MIN_MS 1000
/* last_error and smtp_reply are for people: bounded excerpts. */
#define TEXT_MAX 1000
/* The later retries wait this many times retry_delay: 1, 5, 15, 60 minutes, then 4 h. */
static const unsigned backoff[] = {1, 5, 15, 60, 240};

#define SHA256_HEX_LEN 64

static cpt_job *the_job;

/* ---------------------------------------------------------------------------
 * Queueing
 */

static bool sha256_hex(const uint8_t *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32) {
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	}
	return true;
}

/* The addresses as a PostgreSQL array literal, trimmed and checked. */
static int address_list(cpt_call *call, cpt_status *st, const char *field, const char *const *addrs,
			size_t n, const char **out)
{
	if (n > CPT_MAIL_MAX_RECIPIENTS) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field,
				      "trop de destinataires (%d au plus)",
				      CPT_MAIL_MAX_RECIPIENTS);
	}
	GString *lit = g_string_new("{");
	for (size_t i = 0; i < n; i++) {
		char *a = g_strstrip(cpt_call_strdup(call, addrs[i]));
		if (!cpt_config_mail_address_ok(a)) {
			g_string_free(lit, TRUE);
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, field,
					      "adresse électronique invalide : « %.100s »", a);
		}
		/* Valid addresses hold nothing an array literal must quote. */
		g_string_append_printf(lit, "%s%s", i ? "," : "", a);
	}
	g_string_append_c(lit, '}');
	*out = cpt_call_strdup(call, lit->str);
	g_string_free(lit, TRUE);
	return 0;
}

static bool has_control(const char *s, bool allow_newlines)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if ((*c < 0x20 && !(allow_newlines && (*c == '\n' || *c == '\r' || *c == '\t'))) ||
		    *c == 0x7f) {
			return true;
		}
	}
	return false;
}

static int check_text(cpt_status *st, const char *field, const char *s, size_t max_bytes,
		      bool multiline)
{
	size_t len = strlen(s);
	if (len > max_bytes) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field,
				      "texte trop long (%zu octets, au plus %zu)", len, max_bytes);
	}
	if (!g_utf8_validate(s, (gssize)len, NULL)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field, "texte en UTF-8 invalide");
	}
	if (has_control(s, multiline)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field,
				      multiline ? "caractère de contrôle dans le texte"
						: "le texte doit tenir sur une ligne");
	}
	return 0;
}

static int check_mime_type(const char *m)
{
	size_t len = strlen(m), slashes = 0;
	if (len == 0 || len > 127 || m[0] == '/' || m[len - 1] == '/') {
		return -1;
	}
	for (const char *c = m; *c; c++) {
		if (*c == '/') {
			slashes++;
		} else if (!(g_ascii_islower(*c) || g_ascii_isdigit(*c) ||
			     strchr("!#$&^_.+-", *c))) {
			return -1;
		}
	}
	return slashes == 1 ? 0 : -1;
}

static int check_attachments(cpt_call *call, cpt_status *st, const cpt_mail *m)
{
	if (m->n_attachments > CPT_MAIL_MAX_ATTACHMENTS) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "attachments",
				      "trop de pièces jointes (%d au plus)",
				      CPT_MAIL_MAX_ATTACHMENTS);
	}
	size_t total = 0;
	for (size_t i = 0; i < m->n_attachments; i++) {
		const cpt_mail_attachment *a = &m->attachments[i];
		const char *name = a->name ? a->name : "";
		size_t chars = g_utf8_validate(name, -1, NULL) ? g_utf8_strlen(name, -1) : 0;
		if (chars == 0 || chars > 255 || has_control(name, false) || strpbrk(name, "/\\")) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "attachments.name",
					      "nom de fichier requis, sans / ni \\, 255 caractères "
					      "au plus");
		}
		if (a->mime_type && *a->mime_type && check_mime_type(a->mime_type) != 0) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "attachments.mime_type",
					      "type MIME attendu de la forme type/sous-type "
					      "(application/pdf...)");
		}
		if (a->len == 0 || !a->data) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "attachments.content",
					      "pièce jointe vide : « %s »", name);
		}
		total += a->len;
	}
	if (total > call->cfg->max_document) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "attachments.content",
				      "pièces jointes trop volumineuses : %u octets au plus",
				      call->cfg->max_document);
	}
	return 0;
}

static int check_mail(cpt_call *call, cpt_status *st, const cpt_mail *m)
{
	if (m->n_to == 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "to", "destinataire requis");
	}
	const char *reply_to = m->reply_to ? m->reply_to : "";
	if (*reply_to && !cpt_config_mail_address_ok(reply_to)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "reply_to",
				      "adresse électronique invalide");
	}
	const char *subject = m->subject ? m->subject : "";
	if (check_text(st, "subject", subject, 4 * CPT_MAIL_MAX_SUBJECT, false)) {
		return st->code;
	}
	long chars = g_utf8_strlen(subject, -1);
	if (chars == 0 || chars > CPT_MAIL_MAX_SUBJECT) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "subject",
				      "objet requis, %d caractères au plus", CPT_MAIL_MAX_SUBJECT);
	}
	if (check_text(st, "body", m->body ? m->body : "", CPT_MAIL_MAX_BODY, true) ||
	    check_attachments(call, st, m)) {
		return st->code;
	}
	const char *table = m->ref_table ? m->ref_table : "";
	if (*table) {
		size_t len = strlen(table);
		if (len > 63 || !g_ascii_islower(table[0]) ||
		    strspn(table, "abcdefghijklmnopqrstuvwxyz0123456789_") != len) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "ref_table",
					      "nom de table invalide");
		}
		if (m->ref_id <= 0) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "ref_id",
					      "identifiant de l'enregistrement requis");
		}
	} else if (m->ref_id != 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "ref_table",
				      "table de l'enregistrement requise avec ref_id");
	}
	return 0;
}

static const char SQL_QUEUE[] =
    "INSERT INTO mail_outbox (to_addrs, cc_addrs, bcc_addrs, reply_to, subject, body,"
    " ref_table, ref_id, message_id, created_by)"
    " VALUES ($1::text[], $2::text[], $3::text[], $4, $5, $6, nullif($7, ''),"
    " nullif($8::bigint, 0), '<' || gen_random_uuid() || '@' || $9 || '>', cpt_user())"
    " RETURNING id";

static const char SQL_ATTACH[] =
    "INSERT INTO mail_attachment (mail_id, position, name, mime_type, size, sha256, content)"
    " VALUES ($1::bigint, $2::int, $3, $4, $5::bigint, $6, $7::bytea)";

int cpt_mail_queue(cpt_call *call, cpt_status *st, const cpt_mail *m, int64_t *id)
{
	const char *to, *cc, *bcc;
	if (check_mail(call, st, m) || address_list(call, st, "to", m->to, m->n_to, &to) ||
	    address_list(call, st, "cc", m->cc, m->n_cc, &cc) ||
	    address_list(call, st, "bcc", m->bcc, m->n_bcc, &bcc)) {
		return st->code;
	}
	/* The Message-ID names our domain, that of the sender address. */
	const char *at = strchr(call->cfg->mail_from_address, '@');
	const char *domain = at ? at + 1 : "comptoir.invalid";
	const char *ref_id = cpt_call_i64(call, m->ref_id);
	PGresult *r =
	    cpt_db_query(call, st, SQL_QUEUE, to, cc, bcc, m->reply_to ? m->reply_to : "",
			 g_strstrip(cpt_call_strdup(call, m->subject)), m->body ? m->body : "",
			 m->ref_table ? m->ref_table : "", ref_id, domain);
	if (!r) {
		return st->code;
	}
	int64_t mail_id = cpt_db_i64(r, 0, 0);
	PQclear(r);
	const char *mail = cpt_call_i64(call, mail_id);
	for (size_t i = 0; i < m->n_attachments; i++) {
		const cpt_mail_attachment *a = &m->attachments[i];
		char hash[SHA256_HEX_LEN + 1];
		if (!sha256_hex(a->data, a->len, hash)) {
			return cpt_status_set(st, CPT_INTERNAL, NULL,
					      "empreinte SHA-256 impossible");
		}
		const char *params[] = {mail,
					cpt_call_i64(call, (int64_t)i),
					a->name,
					a->mime_type && *a->mime_type ? a->mime_type
								      : "application/octet-stream",
					cpt_call_i64(call, (int64_t)a->len),
					hash,
					(const char *)a->data};
		const int lengths[] = {0, 0, 0, 0, 0, 0, (int)a->len};
		const int formats[] = {0, 0, 0, 0, 0, 0, 1};
		r = cpt_db_exec_bytes(call, st, SQL_ATTACH, 7, params, lengths, formats, 0);
		if (!r) {
			return st->code;
		}
		PQclear(r);
	}
	const char *detail = cpt_json_object(
	    call, "event", "queue", "ref_table", m->ref_table ? m->ref_table : "", "ref_id", ref_id,
	    "attachments", cpt_call_i64(call, (int64_t)m->n_attachments), NULL);
	if (cpt_audit(call, st, "mail_outbox", mail_id, call->company_id, detail) ||
	    cpt_notify(call, st, CPT_MAIL_TOPIC, mail_id, "queue")) {
		return st->code;
	}
	if (id) {
		*id = mail_id;
	}
	return 0;
}

/* ---------------------------------------------------------------------------
 * The job
 */

/*
 * The oldest due message of the transaction's company, claimed for LEASE_S
 * seconds. The CTE is materialized so that the locking SELECT runs once: in
 * "WHERE id IN (SELECT ... LIMIT 1 FOR UPDATE SKIP LOCKED)" the planner may
 * run it again per row and claim several.
 */
static const char SQL_CLAIM[] =
    "WITH due AS MATERIALIZED (SELECT id FROM mail_outbox WHERE company_id = cpt_company()"
    "  AND state IN ('queued', 'sending') AND next_attempt_at <= now()"
    "  ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
    " UPDATE mail_outbox m SET state = 'sending', attempts = m.attempts + 1,"
    " next_attempt_at = now() + make_interval(secs => $1::int), updated_at = now()"
    " FROM due WHERE m.id = due.id"
    " RETURNING m.id, m.attempts, array_to_string(m.to_addrs, ','),"
    " array_to_string(m.cc_addrs, ','), array_to_string(m.bcc_addrs, ','), m.reply_to,"
    " m.subject, m.body, m.message_id, extract(epoch FROM m.created_at)::bigint";

/*
 * Messages whose lease ended with no try left: their sender died on each of
 * them (a message that kills it every time must not be tried for ever).
 */
static const char SQL_GIVE_UP[] =
    "UPDATE mail_outbox SET state = 'failed', updated_at = now(),"
    " last_error = CASE WHEN last_error = '' THEN $2 ELSE last_error END"
    " WHERE company_id = cpt_company() AND state = 'sending' AND next_attempt_at <= now()"
    " AND attempts >= $1::int RETURNING id";

/* Milliseconds until the company's next message falls due (may be < 0), NULL if none waits. */
static const char SQL_NEXT_DUE[] =
    "SELECT ceil(extract(epoch FROM min(next_attempt_at) - now()) * 1000)::bigint"
    " FROM mail_outbox WHERE company_id = cpt_company() AND state IN ('queued', 'sending')";

/* Read binary: content comes as raw bytes, the text columns as their text. */
static const char SQL_ATTACHMENTS[] = "SELECT name, mime_type, sha256, content FROM mail_attachment"
				      " WHERE mail_id = $1::bigint ORDER BY position";

/* $2 is the attempt this run claimed: a row claimed again since is not ours. */
static const char SQL_SENT[] =
    "UPDATE mail_outbox SET state = 'sent', sent_at = now(), smtp_reply = $3,"
    " updated_at = now() WHERE id = $1::bigint AND state = 'sending' AND attempts = $2::int";
static const char SQL_RETRY[] =
    "UPDATE mail_outbox SET state = 'queued', last_error = $3,"
    " next_attempt_at = now() + make_interval(secs => $4::int), updated_at = now()"
    " WHERE id = $1::bigint AND state = 'sending' AND attempts = $2::int";
static const char SQL_FAILED[] =
    "UPDATE mail_outbox SET state = 'failed', last_error = $3, updated_at = now()"
    " WHERE id = $1::bigint AND state = 'sending' AND attempts = $2::int";
/* Cut by a stop: not an attempt, due again at once. */
static const char SQL_RELEASE[] =
    "UPDATE mail_outbox SET state = 'queued', attempts = attempts - 1, next_attempt_at = now(),"
    " updated_at = now() WHERE id = $1::bigint AND state = 'sending' AND attempts = $2::int";

/* One claimed message, read for sending. */
typedef struct claimed {
	int64_t id;
	int attempts;
	cpt_mail mail;
	char **to, **cc, **bcc; /* g_strsplit */
	char *subject, *body, *reply_to, *message_id;
	time_t created_at;	   /* the Date header: a message sent again is the same message */
	PGresult *attachments_res; /* owns the attachments' bytes */
	cpt_mail_attachment *attachments;
} claimed;

static void claimed_clear(claimed *c)
{
	g_strfreev(c->to);
	g_strfreev(c->cc);
	g_strfreev(c->bcc);
	g_free(c->subject);
	g_free(c->body);
	g_free(c->reply_to);
	g_free(c->message_id);
	PQclear(c->attachments_res);
	g_free(c->attachments);
	memset(c, 0, sizeof *c);
}

static char **split_addresses(const char *s, size_t *n)
{
	char **v = *s ? g_strsplit(s, ",", -1) : g_new0(char *, 1);
	*n = g_strv_length(v);
	return v;
}

static void read_claim(claimed *c, const PGresult *r)
{
	c->id = cpt_db_i64(r, 0, 0);
	c->attempts = (int)cpt_db_i64(r, 0, 1);
	c->to = split_addresses(cpt_db_str(r, 0, 2), &c->mail.n_to);
	c->cc = split_addresses(cpt_db_str(r, 0, 3), &c->mail.n_cc);
	c->bcc = split_addresses(cpt_db_str(r, 0, 4), &c->mail.n_bcc);
	c->reply_to = g_strdup(cpt_db_str(r, 0, 5));
	c->subject = g_strdup(cpt_db_str(r, 0, 6));
	c->body = g_strdup(cpt_db_str(r, 0, 7));
	c->message_id = g_strdup(cpt_db_str(r, 0, 8));
	c->created_at = (time_t)cpt_db_i64(r, 0, 9);
	c->mail.to = (const char *const *)c->to;
	c->mail.cc = (const char *const *)c->cc;
	c->mail.bcc = (const char *const *)c->bcc;
	c->mail.reply_to = c->reply_to;
	c->mail.subject = c->subject;
	c->mail.body = c->body;
}

/*
 * Reads the claimed message's attachments and checks each against its
 * SHA-256: one altered in the database fills error, and the message is not
 * sent. Returns a status code for a database error.
 */
static int read_attachments(cpt_call *call, cpt_status *st, claimed *c, char *error,
			    size_t error_size)
{
	const char *params[] = {cpt_call_i64(call, c->id)};
	PGresult *r = cpt_db_exec_bytes(call, st, SQL_ATTACHMENTS, 1, params, NULL, NULL, 1);
	if (!r) {
		return st->code;
	}
	int n = PQntuples(r);
	c->attachments_res = r;
	c->attachments = g_new0(cpt_mail_attachment, n ? n : 1);
	for (int i = 0; i < n; i++) {
		cpt_mail_attachment *a = &c->attachments[i];
		a->name = PQgetvalue(r, i, 0);
		a->mime_type = PQgetvalue(r, i, 1);
		a->data = (const uint8_t *)PQgetvalue(r, i, 3);
		a->len = (size_t)PQgetlength(r, i, 3);
		char hash[SHA256_HEX_LEN + 1] = "";
		if (!sha256_hex(a->data, a->len, hash) || strcmp(hash, PQgetvalue(r, i, 2)) != 0) {
			snprintf(
			    error, error_size,
			    "pièce jointe « %s » altérée : son contenu ne correspond plus à son "
			    "empreinte SHA-256",
			    a->name);
		}
	}
	c->mail.attachments = c->attachments;
	c->mail.n_attachments = (size_t)n;
	return 0;
}

typedef struct company_state {
	int64_t id;
	bool idle; /* nothing more due this run */
} company_state;

typedef struct mail_run {
	cpt_job_run *run;
	cpt_smtp *smtp;
	int64_t next_due_ms; /* -1: nothing waits */
} mail_run;

/* What happened to a claimed message, in the company's transaction. */
static int mark(cpt_job_run *run, cpt_status *st, int64_t company, const claimed *c,
		cpt_smtp_outcome outcome, const char *reply, const char *error)
{
	cpt_call *call = run->call;
	const cpt_config *cfg = call->cfg;
	const char *id = cpt_call_i64(call, c->id);
	const char *attempts = cpt_call_i64(call, c->attempts);
	char text[TEXT_MAX + 1];
	PGresult *r = NULL;
	if (cpt_job_begin(run, st, company)) {
		return st->code;
	}
	if (outcome == CPT_SMTP_RETRY && (unsigned)c->attempts >= cfg->mail_max_attempts) {
		outcome = CPT_SMTP_REFUSED; /* no attempt left */
	}
	snprintf(text, sizeof text, "%s", outcome == CPT_SMTP_SENT ? reply : error);
	switch (outcome) {
	case CPT_SMTP_SENT:
		r = cpt_db_query(call, st, SQL_SENT, id, attempts, text);
		break;
	case CPT_SMTP_INTERRUPTED:
		r = cpt_db_query(call, st, SQL_RELEASE, id, attempts);
		break;
	case CPT_SMTP_RETRY: {
		size_t k = (size_t)c->attempts - 1;
		size_t last = sizeof backoff / sizeof backoff[0] - 1;
		unsigned delay = cfg->mail_retry_delay * backoff[k < last ? k : last];
		r = cpt_db_query(call, st, SQL_RETRY, id, attempts, text,
				 cpt_call_i64(call, delay));
		break;
	}
	case CPT_SMTP_REFUSED:
		r = cpt_db_query(call, st, SQL_FAILED, id, attempts, text);
		break;
	}
	if (!r) {
		cpt_job_rollback(run);
		return st->code;
	}
	bool ours = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	if (!ours) {
		/* Claimed again after our lease ended: the other claim decides. */
		cpt_warn("%s: message %lld was claimed again while being sent", call->method,
			 (long long)c->id);
		cpt_job_rollback(run);
		return 0;
	}
	if (cpt_notify(call, st, CPT_MAIL_TOPIC, c->id, "update") || cpt_job_commit(run, st)) {
		cpt_job_rollback(run);
		return st->code;
	}
	return 0;
}

/* Fails the messages of SQL_GIVE_UP, in the company's open transaction. */
static int give_up(cpt_call *call, cpt_status *st, int64_t company)
{
	PGresult *r =
	    cpt_db_query(call, st, SQL_GIVE_UP, cpt_call_i64(call, call->cfg->mail_max_attempts),
			 "envoi interrompu à chaque essai : le serveur s'est arrêté pendant "
			 "l'envoi");
	if (!r) {
		return st->code;
	}
	int rc = 0;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		int64_t id = cpt_db_i64(r, i, 0);
		cpt_warn("mail %lld of company %lld: its sender died at each try, failed",
			 (long long)id, (long long)company);
		rc = cpt_notify(call, st, CPT_MAIL_TOPIC, id, "update");
	}
	PQclear(r);
	return rc;
}

/*
 * Claims, sends and marks the company's oldest due message. *sent_one tells
 * whether there was one; when there was none, mr->next_due_ms learns when
 * the company's next one falls due.
 */
static int send_one(mail_run *mr, cpt_status *st, int64_t company, bool *sent_one)
{
	cpt_job_run *run = mr->run;
	cpt_call *call = run->call;
	*sent_one = false;
	if (cpt_job_begin(run, st, company)) {
		return st->code;
	}
	if (give_up(call, st, company)) {
		cpt_job_rollback(run);
		return st->code;
	}
	PGresult *r = cpt_db_query(call, st, SQL_CLAIM, cpt_call_i64(call, LEASE_S));
	if (!r) {
		cpt_job_rollback(run);
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		r = cpt_db_exec0(call, st, SQL_NEXT_DUE);
		if (!r) {
			cpt_job_rollback(run);
			return st->code;
		}
		if (!PQgetisnull(r, 0, 0)) {
			int64_t due = cpt_db_i64(r, 0, 0);
			due = due > 0 ? due : 0;
			if (mr->next_due_ms < 0 || due < mr->next_due_ms) {
				mr->next_due_ms = due;
			}
		}
		PQclear(r);
		return cpt_job_commit(run, st);
	}
	claimed c = {0};
	read_claim(&c, r);
	PQclear(r);
	char reply[TEXT_MAX + 1] = "", error[TEXT_MAX + 1] = "";
	if (read_attachments(call, st, &c, error, sizeof error) || cpt_job_commit(run, st)) {
		cpt_job_rollback(run);
		claimed_clear(&c);
		return st->code;
	}
	*sent_one = true;

	cpt_smtp_outcome outcome = CPT_SMTP_REFUSED;
	if (!*error) {
		outcome = cpt_smtp_send(mr->smtp, &c.mail, c.message_id, c.created_at, reply,
					sizeof reply, error, sizeof error);
	}
	switch (outcome) {
	case CPT_SMTP_SENT:
		run->items++;
		cpt_info("mail %lld of company %lld sent: %s", (long long)c.id, (long long)company,
			 reply);
		break;
	case CPT_SMTP_INTERRUPTED:
		break;
	default:
		cpt_warn("mail %lld of company %lld, attempt %d: %s", (long long)c.id,
			 (long long)company, c.attempts, error);
	}
	int rc = mark(run, st, company, &c, outcome, reply, error);
	claimed_clear(&c);
	return rc;
}

static int mail_run_fn(cpt_job_run *run, cpt_status *st)
{
	cpt_call *call = run->call;
	PGresult *r = cpt_db_exec0(call, st, "SELECT id FROM company ORDER BY id");
	if (!r) {
		return st->code;
	}
	int n = PQntuples(r);
	company_state *companies = g_new0(company_state, n ? n : 1);
	for (int i = 0; i < n; i++) {
		companies[i].id = cpt_db_i64(r, i, 0);
	}
	PQclear(r);
	mail_run mr = {.run = run, .smtp = cpt_smtp_new(call->cfg, run->stop), .next_due_ms = -1};
	int rc = 0;
	/* Round after round, one message per company, until none has any due. */
	for (bool busy = true; busy && rc == 0 && !atomic_load(run->stop);) {
		busy = false;
		for (int i = 0; i < n && rc == 0 && !atomic_load(run->stop); i++) {
			if (companies[i].idle) {
				continue;
			}
			bool sent_one = false;
			rc = send_one(&mr, st, companies[i].id, &sent_one);
			companies[i].idle = !sent_one;
			busy = busy || sent_one;
			cpt_call_arena_free(call); /* parameters of the message done */
		}
	}
	cpt_smtp_free(mr.smtp);
	g_free(companies);
	if (mr.next_due_ms >= 0) {
		/*
		 * A little late rather than early (the due time is the database's
		 * clock), and not in a loop over a row someone else holds locked.
		 */
		run->again_ms = (uint64_t)mr.next_due_ms + 100;
		run->again_ms = run->again_ms > AGAIN_MIN_MS ? run->again_ms : AGAIN_MIN_MS;
	}
	return rc;
}

int cpt_mail_outbox_start(cpt_server *srv, cpt_status *st)
{
	if (!*srv->cfg.mail_smtp_url) {
		cpt_warn("[mail] smtp_url unset: e-mails are kept in the outbox, not sent");
		return 0;
	}
	if (*srv->cfg.mail_username && srv->cfg.mail_starttls == CPT_STARTTLS_NONE &&
	    g_str_has_prefix(srv->cfg.mail_smtp_url, "smtp://")) {
		cpt_warn("[mail] the SMTP password travels in clear (starttls = none)");
	}
	the_job = cpt_job_start(srv, JOB_NAME, &srv->cfg.mail_interval, mail_run_fn, NULL);
	if (!the_job) {
		return cpt_status_set(st, CPT_INTERNAL, NULL, "tâche %s impossible", JOB_NAME);
	}
	return 0;
}

void cpt_mail_outbox_kick(void)
{
	cpt_job_kick(the_job);
}

void cpt_mail_outbox_stop(void)
{
	cpt_job_stop(the_job);
	the_job = NULL;
}
