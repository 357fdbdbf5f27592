/*
 * comptoir.mail.Mail: Send queues a free e-mail through the outbox
 * (mail_outbox.c), List shows the outbox, whole or for one record, keyset
 * paged by id. Row-level security keeps each company to its own messages.
 */
#include "db.h"
#include "handlers.h"
#include "mail_outbox.h"

#include "admin.pb-c.h"
#include "mail.pb-c.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000
#define PAGE_OFFSET_MAX 100000000u

/*
 * The records Send may link a message to, each with how to find one under
 * row-level security. Sales documents queue their own messages through
 * cpt_mail_queue; they join this list when their users may write free
 * e-mails about them too.
 */
static const struct {
	const char *table;
	const char *exists; /* $1: the id */
} ref_tables[] = {
    {"party", "SELECT EXISTS (SELECT 1 FROM party WHERE id = $1::bigint)"},
    {"sales_document", "SELECT EXISTS (SELECT 1 FROM sales_document WHERE id = $1::bigint)"},
};

/* Every column a Message shows; callers add WHERE and ORDER BY. */
#define SQL_MESSAGE                                                                                \
	"SELECT m.id, array_to_string(m.to_addrs, ','), array_to_string(m.cc_addrs, ','),"         \
	" array_to_string(m.bcc_addrs, ','), m.reply_to, m.subject, m.body,"                       \
	" coalesce(m.ref_table, ''), coalesce(m.ref_id, 0), m.state, m.attempts, m.last_error,"    \
	" extract(epoch FROM m.next_attempt_at)::bigint,"                                          \
	" coalesce(extract(epoch FROM m.sent_at)::bigint, 0), m.message_id, m.smtp_reply,"         \
	" extract(epoch FROM m.created_at)::bigint, coalesce(u.display_name, '')"                  \
	" FROM mail_outbox m LEFT JOIN app_user u ON u.id = m.created_by"

#define SQL_LIST_WHERE                                                                             \
	" WHERE ($1 = '' OR (m.ref_table = $1 AND m.ref_id = $2::bigint))"                         \
	" AND ($3 = '' OR m.state = $3)"

static const char SQL_PAGE_ASC[] =
    SQL_MESSAGE SQL_LIST_WHERE " AND m.id > $4::bigint ORDER BY m.id LIMIT $5::int OFFSET $6::int";
static const char SQL_PAGE_DESC[] = SQL_MESSAGE SQL_LIST_WHERE
    " AND ($4::bigint = 0 OR m.id < $4::bigint) ORDER BY m.id DESC LIMIT $5::int OFFSET $6::int";
static const char SQL_COUNT[] = "SELECT count(*) FROM mail_outbox m" SQL_LIST_WHERE;

static const char SQL_ATTACHMENTS[] =
    "SELECT mail_id, name, mime_type, size, sha256 FROM mail_attachment"
    " WHERE mail_id = ANY ($1::bigint[]) ORDER BY mail_id, position";

/* "a,b" into a repeated string field. */
static char **split(cpt_call *call, const char *s, size_t *n)
{
	*n = 0;
	if (!*s) {
		return NULL;
	}
	size_t count = 1;
	for (const char *p = s; *p; p++) {
		count += *p == ',';
	}
	char **v = cpt_call_alloc(call, sizeof(char *) * count);
	char *copy = cpt_call_strdup(call, s);
	for (char *p = copy, *save = NULL, *tok; (tok = strtok_r(p, ",", &save)); p = NULL) {
		v[(*n)++] = tok;
	}
	return v;
}

static Comptoir__Mail__Message *message_row(cpt_call *call, const PGresult *r, int i)
{
	Comptoir__Mail__Message *m =
	    CPT_NEW(call, Comptoir__Mail__Message, comptoir__mail__message__init);
	m->id = cpt_db_i64(r, i, 0);
	m->to = split(call, cpt_db_str(r, i, 1), &m->n_to);
	m->cc = split(call, cpt_db_str(r, i, 2), &m->n_cc);
	m->bcc = split(call, cpt_db_str(r, i, 3), &m->n_bcc);
	m->reply_to = cpt_call_strdup(call, cpt_db_str(r, i, 4));
	m->subject = cpt_call_strdup(call, cpt_db_str(r, i, 5));
	m->body = cpt_call_strdup(call, cpt_db_str(r, i, 6));
	m->ref_table = cpt_call_strdup(call, cpt_db_str(r, i, 7));
	m->ref_id = cpt_db_i64(r, i, 8);
	m->state = cpt_call_strdup(call, cpt_db_str(r, i, 9));
	m->attempts = (int32_t)cpt_db_i64(r, i, 10);
	m->last_error = cpt_call_strdup(call, cpt_db_str(r, i, 11));
	m->next_attempt_at = cpt_db_i64(r, i, 12);
	m->sent_at = cpt_db_i64(r, i, 13);
	m->message_id = cpt_call_strdup(call, cpt_db_str(r, i, 14));
	m->smtp_reply = cpt_call_strdup(call, cpt_db_str(r, i, 15));
	m->created_at = cpt_db_i64(r, i, 16);
	m->created_by = cpt_call_strdup(call, cpt_db_str(r, i, 17));
	return m;
}

/* Fills each message's attachments (metadata only) in one query. */
static int load_attachments(cpt_call *call, cpt_status *st, Comptoir__Mail__Message **msgs,
			    size_t n)
{
	if (n == 0) {
		return 0;
	}
	GString *ids = g_string_new("{");
	for (size_t i = 0; i < n; i++) {
		g_string_append_printf(ids, "%s%lld", i ? "," : "", (long long)msgs[i]->id);
	}
	g_string_append_c(ids, '}');
	PGresult *r = cpt_db_query(call, st, SQL_ATTACHMENTS, cpt_call_strdup(call, ids->str));
	g_string_free(ids, TRUE);
	if (!r) {
		return st->code;
	}
	int rows = PQntuples(r);
	GHashTable *by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
	for (size_t i = 0; i < n; i++) {
		g_hash_table_insert(by_id, &msgs[i]->id, msgs[i]);
	}
	/* Count, then fill: rows come by mail_id and position. */
	for (int pass = 0; pass < 2; pass++) {
		for (int j = 0; j < rows; j++) {
			int64_t id = cpt_db_i64(r, j, 0);
			Comptoir__Mail__Message *m = g_hash_table_lookup(by_id, &id);
			if (pass == 0) {
				m->n_attachments++;
				continue;
			}
			Comptoir__Mail__Attachment *a = CPT_NEW(call, Comptoir__Mail__Attachment,
								comptoir__mail__attachment__init);
			a->name = cpt_call_strdup(call, cpt_db_str(r, j, 1));
			a->mime_type = cpt_call_strdup(call, cpt_db_str(r, j, 2));
			a->size = cpt_db_i64(r, j, 3);
			a->sha256 = cpt_call_strdup(call, cpt_db_str(r, j, 4));
			m->attachments[m->n_attachments++] = a;
		}
		for (size_t i = 0; pass == 0 && i < n; i++) {
			msgs[i]->attachments =
			    cpt_call_alloc(call, sizeof(void *) * (msgs[i]->n_attachments + 1));
			msgs[i]->n_attachments = 0;
		}
	}
	g_hash_table_destroy(by_id);
	PQclear(r);
	return 0;
}

/* ref_table/ref_id of a request: a known table and a record of the company. */
static int check_ref(cpt_call *call, cpt_status *st, const char *table, int64_t id)
{
	if (!*table) {
		return id ? cpt_status_set(st, CPT_INVALID_ARGUMENT, "mail.ref_table",
					   "table de l'enregistrement requise avec ref_id")
			  : 0;
	}
	for (size_t i = 0; i < sizeof ref_tables / sizeof ref_tables[0]; i++) {
		if (strcmp(ref_tables[i].table, table) != 0) {
			continue;
		}
		if (id <= 0) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "mail.ref_id",
					      "identifiant de l'enregistrement requis");
		}
		PGresult *r = cpt_db_query(call, st, ref_tables[i].exists, cpt_call_i64(call, id));
		if (!r) {
			return st->code;
		}
		bool found = cpt_db_bool(r, 0, 0);
		PQclear(r);
		return found ? 0
			     : cpt_status_set(st, CPT_NOT_FOUND, "mail.ref_id",
					      "enregistrement introuvable");
	}
	return cpt_status_set(st, CPT_INVALID_ARGUMENT, "mail.ref_table",
			      "on ne peut pas lier un message à « %.63s »", table);
}

CPT_HANDLER(cpt_mail_send)
{
	const Comptoir__Mail__SendRequest *req = (const void *)in;
	const Comptoir__Mail__Message *msg = req->mail;
	if (!msg) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "mail", "message manquant");
	}
	if (check_ref(call, st, msg->ref_table, msg->ref_id)) {
		return st->code;
	}
	cpt_mail_attachment *atts =
	    cpt_call_alloc(call, sizeof *atts * (msg->n_attachments ? msg->n_attachments : 1));
	for (size_t i = 0; i < msg->n_attachments; i++) {
		atts[i] = (cpt_mail_attachment){
		    .name = msg->attachments[i]->name,
		    .mime_type = msg->attachments[i]->mime_type,
		    .data = msg->attachments[i]->content.data,
		    .len = msg->attachments[i]->content.len,
		};
	}
	cpt_mail m = {
	    .to = (const char *const *)msg->to,
	    .n_to = msg->n_to,
	    .cc = (const char *const *)msg->cc,
	    .n_cc = msg->n_cc,
	    .bcc = (const char *const *)msg->bcc,
	    .n_bcc = msg->n_bcc,
	    .reply_to = msg->reply_to,
	    .subject = msg->subject,
	    .body = msg->body,
	    .attachments = atts,
	    .n_attachments = msg->n_attachments,
	    .ref_table = msg->ref_table,
	    .ref_id = msg->ref_id,
	};
	int64_t id = 0;
	if (cpt_mail_queue(call, st, &m, &id)) {
		/* Its fields are the message's: name them as the request does. */
		if (st->field[0] && strncmp(st->field, "mail.", 5) != 0) {
			char field[sizeof st->field + 8];
			snprintf(field, sizeof field, "mail.%s", st->field);
			g_strlcpy(st->field, field, sizeof st->field);
		}
		return st->code;
	}
	PGresult *r =
	    cpt_db_query(call, st, SQL_MESSAGE " WHERE m.id = $1::bigint", cpt_call_i64(call, id));
	if (!r) {
		return st->code;
	}
	Comptoir__Mail__SendReply *rep =
	    CPT_NEW(call, Comptoir__Mail__SendReply, comptoir__mail__send_reply__init);
	rep->mail = message_row(call, r, 0);
	PQclear(r);
	if (load_attachments(call, st, &rep->mail, 1)) {
		return st->code;
	}
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_mail_list)
{
	const Comptoir__Mail__ListRequest *req = (const void *)in;
	const Comptoir__Admin__Page *page = req->page;
	static const char *const states[] = {"", "queued", "sending", "sent", "failed"};
	bool state_ok = false;
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
		state_ok = state_ok || strcmp(req->state, states[i]) == 0;
	}
	if (!state_ok) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "state",
				      "état attendu : queued, sending, sent ou failed");
	}
	if (!*req->ref_table && req->ref_id) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "ref_table",
				      "table de l'enregistrement requise avec ref_id");
	}
	if (strlen(req->ref_table) > 63) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "ref_table",
				      "nom de table invalide");
	}
	if (page && page->sort[0] && strcmp(page->sort, "id") != 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "page.sort", "tri possible : id");
	}
	if (page && page->offset > PAGE_OFFSET_MAX) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "page.offset",
				      "position trop grande (%u au plus)", PAGE_OFFSET_MAX);
	}
	unsigned limit = page && page->limit ? page->limit : PAGE_DEFAULT;
	limit = limit < PAGE_MAX ? limit : PAGE_MAX;
	int64_t after = page ? page->after_id : 0;
	unsigned offset = page && !after ? page->offset : 0;
	const char *ref_id = cpt_call_i64(call, req->ref_id);
	PGresult *r =
	    cpt_db_query(call, st, page && page->descending ? SQL_PAGE_DESC : SQL_PAGE_ASC,
			 req->ref_table, ref_id, req->state, cpt_call_i64(call, after),
			 cpt_call_i64(call, (int64_t)limit + 1), cpt_call_i64(call, offset));
	if (!r) {
		return st->code;
	}
	Comptoir__Mail__ListReply *rep =
	    CPT_NEW(call, Comptoir__Mail__ListReply, comptoir__mail__list_reply__init);
	int n = PQntuples(r);
	rep->more = n > (int)limit;
	n = rep->more ? (int)limit : n;
	rep->n_mails = (size_t)n;
	rep->mails = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		rep->mails[i] = message_row(call, r, i);
	}
	PQclear(r);
	if (load_attachments(call, st, rep->mails, rep->n_mails)) {
		return st->code;
	}
	if (page && page->with_total) {
		r = cpt_db_query(call, st, SQL_COUNT, req->ref_table, ref_id, req->state);
		if (!r) {
			return st->code;
		}
		rep->total = (uint32_t)cpt_db_i64(r, 0, 0);
		PQclear(r);
	}
	*out = &rep->base;
	return 0;
}
