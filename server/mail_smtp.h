/*
 * Sending one message through SMTP with libcurl: the MIME message (a
 * text/plain UTF-8 part in quoted-printable, then each attachment in base64)
 * with its headers, STARTTLS and authentication as configured, and the
 * outcome told apart: sent, worth retrying, or refused for good.
 *
 * A cpt_smtp keeps one libcurl handle, hence one SMTP connection, across the
 * messages of an outbox run. It is used by one thread at a time.
 */
#ifndef CPT_MAIL_SMTP_H
#define CPT_MAIL_SMTP_H

#include "config.h"
#include "mail_outbox.h"

#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

typedef struct cpt_smtp cpt_smtp;

typedef enum cpt_smtp_outcome {
	CPT_SMTP_SENT,	      /* the server took it (2xx after the data) */
	CPT_SMTP_RETRY,	      /* 4xx, network, TLS, authentication: try again later */
	CPT_SMTP_REFUSED,     /* 5xx to a recipient or to the message: it will not change */
	CPT_SMTP_INTERRUPTED, /* *stop was set: not sent, not the message's fault */
} cpt_smtp_outcome;

/*
 * A sender for cfg's [mail] settings; cfg must outlive it. stop, when it
 * becomes true, cuts a transfer short. Caller frees with cpt_smtp_free().
 */
cpt_smtp *cpt_smtp_new(const cpt_config *cfg, const atomic_bool *stop);
void cpt_smtp_free(cpt_smtp *s);

/*
 * Sends m with the given Message-ID ("<...@...>") and date. reply gets the
 * server's answer to the message on success ("250 2.0.0 Ok: queued as X");
 * error what went wrong otherwise, for last_error.
 */
cpt_smtp_outcome cpt_smtp_send(cpt_smtp *s, const cpt_mail *m, const char *message_id, time_t date,
			       char *reply, size_t reply_size, char *error, size_t error_size);

/*
 * A header value as it goes on the wire: unchanged if printable ASCII, else
 * RFC 2047 encoded words (UTF-8, base64) of at most 75 characters, never
 * splitting a character, folded onto continuation lines ("\r\n "). The first
 * line leaves room for a header name of name_len bytes. Caller g_free()s.
 */
char *cpt_mail_header_encode(const char *text, size_t name_len);
/* An RFC 5322 date in the local time zone: "Tue, 03 Jun 2025 14:05:09 +0200". */
void cpt_mail_date(time_t t, char *buf, size_t size);
/* Text with every line ending (LF, CR or CRLF) made CRLF. Caller g_free()s. */
char *cpt_mail_crlf(const char *text);

#endif
