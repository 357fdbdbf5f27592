/*
 * A small SMTP server for the tests: it listens on 127.0.0.1 on a free port,
 * in threads of its own, speaks enough of the protocol for libcurl (EHLO or
 * HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no STARTTLS, no AUTH) and keeps
 * every message it accepted. It can refuse the next messages (a temporary
 * 4xx or a permanent 5xx, at RCPT or at the end of the data) and hold its
 * answer to the data until told, to catch a sender in the middle of a send.
 *
 * With it, a reader of what comptoird sends: MIME parts decoded (base64,
 * quoted-printable), headers unfolded, RFC 2047 words decoded.
 */
#ifndef CPT_SMTPSINK_H
#define CPT_SMTPSINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cpt_smtpsink cpt_smtpsink;

/* A message the sink accepted. */
typedef struct cpt_smtp_received {
	char *mail_from; /* the envelope sender, without <> */
	char **rcpt;	 /* envelope recipients, NULL-terminated */
	size_t n_rcpt;
	char *data; /* the message as sent, dots unstuffed, CRLF line ends */
	size_t len;
} cpt_smtp_received;

typedef enum cpt_smtpsink_stage {
	CPT_SMTPSINK_AT_RCPT, /* the first RCPT TO of the message */
	CPT_SMTPSINK_AT_DATA, /* after the whole message: it was sent, then refused */
} cpt_smtpsink_stage;

/* Starts listening. NULL (after printing why) on failure. Stop with cpt_smtpsink_stop(). */
cpt_smtpsink *cpt_smtpsink_start(void);
/* Closes every connection, joins the threads and frees. */
void cpt_smtpsink_stop(cpt_smtpsink *s);
int cpt_smtpsink_port(const cpt_smtpsink *s);

/*
 * The next `times` messages (-1: every one from now on, 0: none again) are
 * refused at stage with reply, a whole line such as "451 4.3.0 Try again
 * later" or "550 5.1.1 No such user".
 */
void cpt_smtpsink_refuse(cpt_smtpsink *s, int times, cpt_smtpsink_stage stage, const char *reply);
/* Refusals made so far. */
size_t cpt_smtpsink_refusals(cpt_smtpsink *s);
/*
 * While on, the answer to a message's data waits until the hold is lifted;
 * a message whose sender goes away meanwhile is not kept.
 */
void cpt_smtpsink_hold(cpt_smtpsink *s, bool on);
/* Waits until a message's data is held; false after timeout_ms. */
bool cpt_smtpsink_wait_held(cpt_smtpsink *s, int timeout_ms);

/* Messages accepted so far. */
size_t cpt_smtpsink_count(cpt_smtpsink *s);
/* Waits until at least n messages were accepted; false after timeout_ms. */
bool cpt_smtpsink_wait(cpt_smtpsink *s, size_t n, int timeout_ms);
/* A copy of the i-th accepted message, or NULL. Caller frees with cpt_smtp_received_free(). */
cpt_smtp_received *cpt_smtpsink_get(cpt_smtpsink *s, size_t i);
void cpt_smtp_received_free(cpt_smtp_received *m);

/* ---------------------------------------------------------------------------
 * Reading a message
 */

typedef struct cpt_mime_part {
	char *headers; /* unfolded: one "Name: value\n" line per header */
	uint8_t *body; /* decoded per its Content-Transfer-Encoding */
	size_t len;
} cpt_mime_part;

typedef struct cpt_mime {
	char *headers;	      /* the message's, unfolded */
	cpt_mime_part *parts; /* of a multipart body; the whole body as one part otherwise */
	size_t n_parts;
} cpt_mime;

/* Parses data (CRLF line ends). Caller frees with cpt_mime_free(). NULL if malformed. */
cpt_mime *cpt_mime_parse(const char *data, size_t len);
void cpt_mime_free(cpt_mime *m);
/* The value of header name (case aside, first one) in unfolded headers, or NULL. g_free() it. */
char *cpt_mime_header(const char *headers, const char *name);
/* A header value with its RFC 2047 encoded words (UTF-8, B or Q) decoded. g_free() it. */
char *cpt_mime_decode_words(const char *value);
/* Parameter param of a header value ("attachment; filename=\"a.pdf\""), or NULL. g_free() it. */
char *cpt_mime_param(const char *value, const char *param);

#endif
