/*
 * The e-mail outbox: messages are queued inside the caller's transaction and
 * sent afterwards by the daemon's "mail_outbox" job through SMTP (libcurl),
 * with retries. Delivery is at least once: a message acknowledged by the
 * SMTP server is marked sent; one whose sender died before marking it may be
 * sent a second time, with the same Message-ID so that mail readers can tell.
 *
 * A document that mails itself calls cpt_mail_queue with its PDF attached
 * and ref_table/ref_id naming it; comptoir.mail.Mail/List then shows every
 * e-mail sent for it.
 */
#ifndef CPT_MAIL_OUTBOX_H
#define CPT_MAIL_OUTBOX_H

#include "call.h"

#include <stddef.h>
#include <stdint.h>

struct cpt_server;

/* Events on this topic tell workstations an outbox row changed; "queue" also wakes the job. */
#define CPT_MAIL_TOPIC "mail_outbox"

/* Limits of one message, as the database holds them too. */
#define CPT_MAIL_MAX_RECIPIENTS 100 /* per list: to, cc, bcc */
#define CPT_MAIL_MAX_SUBJECT 200    /* characters */
#define CPT_MAIL_MAX_BODY 65536	    /* bytes */
#define CPT_MAIL_MAX_ATTACHMENTS 20
/* Attachments together: at most [server] max_document bytes. */

typedef struct cpt_mail_attachment {
	const char *name;      /* file name shown to the recipient, "Facture FA-0042.pdf" */
	const char *mime_type; /* "application/pdf"; NULL or "": application/octet-stream */
	const uint8_t *data;
	size_t len; /* bytes, at least 1 */
} cpt_mail_attachment;

typedef struct cpt_mail {
	const char *const *to; /* plain addresses ("a@b.fr"), at least one */
	size_t n_to;
	const char *const *cc;
	size_t n_cc;
	const char *const *bcc; /* envelope only, never in the headers */
	size_t n_bcc;
	const char *reply_to; /* NULL or "": none */
	const char *subject;  /* UTF-8, one line */
	const char *body;     /* UTF-8 plain text */
	const cpt_mail_attachment *attachments;
	size_t n_attachments;
	const char *ref_table; /* NULL or "": about no record; else [a-z][a-z0-9_]* */
	int64_t ref_id;	       /* with ref_table: the record's id */
} cpt_mail;

/*
 * Queues m inside the caller's transaction, in the call's company, created by
 * the call's user (none for a job), with an audit_log row and a NOTIFY that
 * wakes the outbox job once the transaction commits: a rolled-back caller
 * queues nothing and wakes nobody. Checks m first and answers
 * INVALID_ARGUMENT naming the field at fault ("to", "cc", "bcc", "reply_to",
 * "subject", "body", "attachments.name", "attachments.mime_type",
 * "attachments.content", "ref_table", "ref_id"). *id gets the new row's id
 * (id may be NULL). Copies what it needs: m may be freed on return.
 */
int cpt_mail_queue(cpt_call *call, cpt_status *st, const cpt_mail *m, int64_t *id);

/*
 * Starts the outbox job: a run at once, then every [mail] interval seconds,
 * sooner when a retry falls due, and right after each queueing is committed.
 * Without [mail] smtp_url, messages stay queued (a warning says so).
 */
int cpt_mail_outbox_start(struct cpt_server *srv, cpt_status *st);
/* Loop thread: a message was queued (the events listener calls it). */
void cpt_mail_outbox_kick(void);
/* Loop thread: no more runs; a send in progress is cut and its message queued again. */
void cpt_mail_outbox_stop(void);

#endif
