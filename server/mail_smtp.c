/*
 * One message through SMTP with libcurl; see mail_smtp.h.
 *
 * libcurl speaks the protocol (EHLO, STARTTLS, AUTH, MAIL FROM, RCPT TO,
 * DATA) and builds the MIME body from a curl_mime; the headers it does not
 * write (Date, From, To, Cc, Reply-To, Subject, Message-ID) are ours, encoded
 * here. To tell a refusal from a passing trouble, the debug callback notes
 * the last command sent and the last line the server answered: a 5xx to RCPT
 * or to the message itself is the message's fault, anything else (4xx,
 * network, TLS, a 5xx to AUTH or MAIL FROM, which are the configuration's)
 * is worth another try.
 */
#include "mail_smtp.h"
#include "log.h"

#include <curl/curl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole message, connection included, past this is abandoned for a later retry. */
#define SEND_TIMEOUT_S 120
#define CONNECT_TIMEOUT_S 30
/* RFC 2047: an encoded word is at most 75 characters; a header line should stay under 78. */
#define ENCODED_WORD_MAX 75
#define LINE_MAX_LEN 78

struct cpt_smtp {
	const cpt_config *cfg;
	const atomic_bool *stop;
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
	char last_command[16]; /* "RCPT", "DATA"... */
	char last_line[512];   /* the server's last answer but a 221 goodbye */
	char answered[16];     /* the command last_line answers */
};

/* ---------------------------------------------------------------------------
 * Headers
 */

static bool printable_ascii(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c < 0x20 || *c >= 0x7f) {
			return false;
		}
	}
	return true;
}

char *cpt_mail_header_encode(const char *text, size_t name_len)
{
	size_t len = strlen(text);
	if (printable_ascii(text) && name_len + 2 + len <= LINE_MAX_LEN) {
		return g_strdup(text);
	}
	if (printable_ascii(text)) {
		/* Long but plain: fold at spaces. */
		GString *out = g_string_new(NULL);
		size_t col = name_len + 2;
		const char *p = text;
		while (*p) {
			const char *sp = strchr(p + 1, ' ');
			size_t word = sp ? (size_t)(sp - p) : strlen(p);
			if (col + word > LINE_MAX_LEN && out->len > 0 && *p == ' ') {
				g_string_append(out, "\r\n");
				col = 0;
			}
			g_string_append_len(out, p, (gssize)word);
			col += word;
			p += word;
		}
		return g_string_free(out, FALSE);
	}
	GString *out = g_string_new(NULL);
	const char *p = text;
	bool first = true;
	while (*p) {
		/*
		 * As many whole characters as fit in one word: "=?UTF-8?B?" and "?="
		 * around, 4 base64 characters per 3 bytes, in the room left on the
		 * line (after "Name: " on the first, after a space on the others).
		 */
		size_t room = first ? LINE_MAX_LEN - name_len - 2 : LINE_MAX_LEN - 1;
		room = room < ENCODED_WORD_MAX && room >= 12 + 8 ? room : ENCODED_WORD_MAX;
		const size_t max_bytes = (room - 12) / 4 * 3;
		const char *end = p;
		while (*end) {
			const char *next = g_utf8_next_char(end);
			if ((size_t)(next - p) > max_bytes) {
				break;
			}
			end = next;
		}
		g_autofree char *b64 = g_base64_encode((const guchar *)p, (gsize)(end - p));
		if (!first) {
			g_string_append(out, "\r\n ");
		}
		g_string_append_printf(out, "=?UTF-8?B?%s?=", b64);
		first = false;
		p = end;
	}
	return g_string_free(out, FALSE);
}

void cpt_mail_date(time_t t, char *buf, size_t size)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	localtime_r(&t, &tm);
	long off = tm.tm_gmtoff / 60;
	char sign = off < 0 ? '-' : '+';
	off = off < 0 ? -off : off;
	snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld", days[tm.tm_wday],
		 tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 sign, off / 60, off % 60);
}

char *cpt_mail_crlf(const char *text)
{
	GString *out = g_string_sized_new(strlen(text) + 64);
	for (const char *p = text; *p; p++) {
		if (*p == '\r') {
			g_string_append(out, "\r\n");
			if (p[1] == '\n') {
				p++;
			}
		} else if (*p == '\n') {
			g_string_append(out, "\r\n");
		} else {
			g_string_append_c(out, *p);
		}
	}
	return g_string_free(out, FALSE);
}

/* A display name as a phrase: encoded if not ASCII, quoted if it holds specials. */
static char *display_name(const char *name, size_t name_len)
{
	if (!printable_ascii(name)) {
		return cpt_mail_header_encode(name, name_len);
	}
	if (strpbrk(name, "()<>[]:;@\\,.\"") == NULL) {
		return g_strdup(name);
	}
	GString *q = g_string_new("\"");
	for (const char *c = name; *c; c++) {
		if (*c == '"' || *c == '\\') {
			g_string_append_c(q, '\\');
		}
		g_string_append_c(q, *c);
	}
	g_string_append_c(q, '"');
	return g_string_free(q, FALSE);
}

/* "To: a@b, c@d" folded between addresses to keep lines short. */
static char *address_header(const char *name, const char *const *addrs, size_t n)
{
	GString *h = g_string_new(name);
	g_string_append(h, ": ");
	size_t col = h->len;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(addrs[i]);
		if (i > 0) {
			g_string_append_c(h, ',');
			col++;
			if (col + 1 + len > LINE_MAX_LEN) {
				g_string_append(h, "\r\n");
				col = 0;
			}
			g_string_append_c(h, ' ');
			col++;
		}
		g_string_append(h, addrs[i]);
		col += len;
	}
	return g_string_free(h, FALSE);
}

static struct curl_slist *add_header(struct curl_slist *list, char *owned)
{
	struct curl_slist *l = curl_slist_append(list, owned);
	g_free(owned);
	return l;
}

static struct curl_slist *build_headers(const cpt_config *cfg, const cpt_mail *m,
					const char *message_id, time_t date)
{
	char when[64];
	cpt_mail_date(date, when, sizeof when);
	struct curl_slist *h = add_header(NULL, g_strdup_printf("Date: %s", when));
	if (*cfg->mail_from_name) {
		g_autofree char *name = display_name(cfg->mail_from_name, strlen("From"));
		h = add_header(h, g_strdup_printf("From: %s <%s>", name, cfg->mail_from_address));
	} else {
		h = add_header(h, g_strdup_printf("From: %s", cfg->mail_from_address));
	}
	h = add_header(h, address_header("To", m->to, m->n_to));
	if (m->n_cc) {
		h = add_header(h, address_header("Cc", m->cc, m->n_cc));
	}
	if (m->reply_to && *m->reply_to) {
		h = add_header(h, g_strdup_printf("Reply-To: %s", m->reply_to));
	}
	g_autofree char *subject = cpt_mail_header_encode(m->subject, strlen("Subject"));
	h = add_header(h, g_strdup_printf("Subject: %s", subject));
	h = add_header(h, g_strdup_printf("Message-ID: %s", message_id));
	return h;
}

/* ---------------------------------------------------------------------------
 * libcurl callbacks
 */

static int on_debug(CURL *curl, curl_infotype type, char *data, size_t size, void *arg)
{
	cpt_smtp *s = arg;
	(void)curl;
	if (type == CURLINFO_HEADER_OUT) {
		size_t n = strcspn(data, " \r\n");
		n = n < size ? n : size;
		n = n < sizeof s->last_command - 1 ? n : sizeof s->last_command - 1;
		memcpy(s->last_command, data, n);
		s->last_command[n] = '\0';
	} else if (type == CURLINFO_HEADER_IN) {
		/* One or more lines: keep the last one, without its line end. */
		while (size > 0 && (data[size - 1] == '\n' || data[size - 1] == '\r')) {
			size--;
		}
		size_t start = size;
		while (start > 0 && data[start - 1] != '\n') {
			start--;
		}
		size_t n = size - start;
		if (n >= 3 && strncmp(data + start, "221", 3) == 0) {
			return 0; /* the goodbye to QUIT says nothing of the message */
		}
		n = n < sizeof s->last_line - 1 ? n : sizeof s->last_line - 1;
		memcpy(s->last_line, data + start, n);
		s->last_line[n] = '\0';
		memcpy(s->answered, s->last_command, sizeof s->answered);
	}
	return 0;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	cpt_smtp *s = arg;
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return atomic_load(s->stop) ? 1 : 0;
}

/* ---------------------------------------------------------------------------
 * Sending
 */

cpt_smtp *cpt_smtp_new(const cpt_config *cfg, const atomic_bool *stop)
{
	cpt_smtp *s = calloc(1, sizeof *s);
	s->cfg = cfg;
	s->stop = stop;
	return s;
}

void cpt_smtp_free(cpt_smtp *s)
{
	if (!s) {
		return;
	}
	if (s->curl) {
		curl_easy_cleanup(s->curl); /* says QUIT on a connection left open */
	}
	free(s);
}

/* The handle with what stays the same from one message to the next. */
static CURL *handle(cpt_smtp *s)
{
	if (s->curl) {
		return s->curl;
	}
	const cpt_config *cfg = s->cfg;
	CURL *c = curl_easy_init();
	if (!c) {
		return NULL;
	}
	static const long use_ssl[] = {
	    [CPT_STARTTLS_NONE] = CURLUSESSL_NONE,
	    [CPT_STARTTLS_TRY] = CURLUSESSL_TRY,
	    [CPT_STARTTLS_REQUIRED] = CURLUSESSL_ALL,
	};
	curl_easy_setopt(c, CURLOPT_URL, cfg->mail_smtp_url);
	curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl[cfg->mail_starttls]);
	if (*cfg->mail_username) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->mail_username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->mail_password);
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, cfg->mail_from_address);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* worker threads: no SIGALRM */
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)SEND_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, s);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L); /* feeds on_debug; it prints nothing */
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	s->curl = c;
	return c;
}

static struct curl_slist *add_recipients(struct curl_slist *list, const char *const *addrs,
					 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		list = curl_slist_append(list, addrs[i]);
	}
	return list;
}

/* The body and the attachments; NULL if libcurl refused a part. */
static curl_mime *build_mime(CURL *c, const cpt_mail *m, char **body_crlf)
{
	curl_mime *mime = curl_mime_init(c);
	curl_mimepart *part = curl_mime_addpart(mime);
	*body_crlf = cpt_mail_crlf(m->body);
	bool ok = curl_mime_data(part, *body_crlf, CURL_ZERO_TERMINATED) == CURLE_OK &&
		  curl_mime_type(part, "text/plain; charset=utf-8") == CURLE_OK &&
		  curl_mime_encoder(part, "quoted-printable") == CURLE_OK;
	for (size_t i = 0; ok && i < m->n_attachments; i++) {
		const cpt_mail_attachment *a = &m->attachments[i];
		part = curl_mime_addpart(mime);
		/* Mail readers take an RFC 2047 word in a file name; raw UTF-8 needs SMTPUTF8. */
		g_autofree char *name = printable_ascii(a->name)
					    ? g_strdup(a->name)
					    : cpt_mail_header_encode(a->name, 0);
		g_strdelimit(name, "\r\n", ' ');
		ok = curl_mime_data(part, (const char *)a->data, a->len) == CURLE_OK &&
		     curl_mime_type(part, a->mime_type && *a->mime_type
					      ? a->mime_type
					      : "application/octet-stream") == CURLE_OK &&
		     curl_mime_filename(part, name) == CURLE_OK &&
		     curl_mime_encoder(part, "base64") == CURLE_OK;
	}
	if (!ok) {
		curl_mime_free(mime);
		return NULL;
	}
	return mime;
}

static bool is_5xx(const char *line)
{
	return line[0] == '5' && g_ascii_isdigit(line[1]) && g_ascii_isdigit(line[2]);
}

cpt_smtp_outcome cpt_smtp_send(cpt_smtp *s, const cpt_mail *m, const char *message_id, time_t date,
			       char *reply, size_t reply_size, char *error, size_t error_size)
{
	reply[0] = error[0] = '\0';
	CURL *c = handle(s);
	if (!c) {
		snprintf(error, error_size, "libcurl : initialisation impossible");
		return CPT_SMTP_RETRY;
	}
	char *body = NULL;
	curl_mime *mime = build_mime(c, m, &body);
	if (!mime) {
		g_free(body);
		snprintf(error, error_size, "libcurl : message MIME impossible à construire");
		return CPT_SMTP_RETRY;
	}
	struct curl_slist *rcpt = add_recipients(NULL, m->to, m->n_to);
	rcpt = add_recipients(rcpt, m->cc, m->n_cc);
	rcpt = add_recipients(rcpt, m->bcc, m->n_bcc);
	struct curl_slist *headers = build_headers(s->cfg, m, message_id, date);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	s->errbuf[0] = s->last_command[0] = s->last_line[0] = s->answered[0] = '\0';

	CURLcode rc = curl_easy_perform(c);

	cpt_smtp_outcome outcome = CPT_SMTP_SENT;
	if (rc == CURLE_OK) {
		snprintf(reply, reply_size, "%s", s->last_line);
	} else if (rc == CURLE_ABORTED_BY_CALLBACK && atomic_load(s->stop)) {
		outcome = CPT_SMTP_INTERRUPTED;
		snprintf(error, error_size, "envoi interrompu par l'arrêt du serveur");
	} else {
		/* The answer to the end of the data answers DATA: nothing is sent in between. */
		bool message_fault =
		    is_5xx(s->last_line) &&
		    (strcasecmp(s->answered, "RCPT") == 0 || strcasecmp(s->answered, "DATA") == 0);
		outcome = message_fault ? CPT_SMTP_REFUSED : CPT_SMTP_RETRY;
		const char *what = s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);
		/* The server's own words first, when it refused something. */
		if (s->last_line[0] == '4' || s->last_line[0] == '5') {
			snprintf(error, error_size, "%s (%s)", s->last_line, what);
		} else {
			snprintf(error, error_size, "%s", what);
		}
	}
	/* The handle keeps pointers to these until the next message sets new ones. */
	curl_easy_setopt(c, CURLOPT_MIMEPOST, NULL);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_mime_free(mime);
	curl_slist_free_all(rcpt);
	curl_slist_free_all(headers);
	g_free(body);
	return outcome;
}
