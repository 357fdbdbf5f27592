/*
 * The tests' SMTP server; see smtpsink.h. One thread accepts, one thread
 * serves each connection; all shared state sits under one mutex, with one
 * condition variable for whoever waits on it (tests waiting for messages,
 * sessions waiting for a hold to lift).
 */
#include "smtpsink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_LEN 4096
#define POLL_MS 100

typedef struct session {
	cpt_smtpsink *sink;
	int fd;
	pthread_t thread;
	char buf[LINE_MAX_LEN * 2];
	size_t used;
} session;

struct cpt_smtpsink {
	int listen_fd;
	int port;
	pthread_t acceptor;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	bool stopping;
	GPtrArray *sessions; /* session * */
	GPtrArray *received; /* cpt_smtp_received * */
	int refuse_times;
	cpt_smtpsink_stage refuse_stage;
	char refuse_reply[256];
	size_t refusals;
	bool hold;
	bool holding; /* a session waits on the hold */
};

/* ---------------------------------------------------------------------------
 * Protocol
 */

static bool stopping(cpt_smtpsink *s)
{
	pthread_mutex_lock(&s->lock);
	bool v = s->stopping;
	pthread_mutex_unlock(&s->lock);
	return v;
}

static bool say(session *se, const char *line)
{
	size_t len = strlen(line);
	char *out = g_strdup_printf("%s\r\n", line);
	bool ok = send(se->fd, out, len + 2, MSG_NOSIGNAL) == (ssize_t)(len + 2);
	g_free(out);
	return ok;
}

/*
 * Reads one line without its CRLF into line. Returns false when the peer is
 * gone or the sink stops.
 */
static bool read_line(session *se, char *line, size_t size)
{
	for (;;) {
		char *nl = memchr(se->buf, '\n', se->used);
		if (nl) {
			size_t n = (size_t)(nl - se->buf);
			size_t keep = n > 0 && se->buf[n - 1] == '\r' ? n - 1 : n;
			keep = keep < size - 1 ? keep : size - 1;
			memcpy(line, se->buf, keep);
			line[keep] = '\0';
			memmove(se->buf, nl + 1, se->used - n - 1);
			se->used -= n + 1;
			return true;
		}
		if (se->used == sizeof se->buf) {
			se->used = 0; /* an overlong line: dropped */
		}
		struct pollfd p = {.fd = se->fd, .events = POLLIN};
		int rc = poll(&p, 1, POLL_MS);
		if (stopping(se->sink)) {
			return false;
		}
		if (rc <= 0) {
			continue;
		}
		ssize_t got = recv(se->fd, se->buf + se->used, sizeof se->buf - se->used, 0);
		if (got <= 0) {
			return false;
		}
		se->used += (size_t)got;
	}
}

/* Whether the peer closed the connection (checked while it waits for our answer). */
static bool peer_gone(session *se)
{
	struct pollfd p = {.fd = se->fd, .events = POLLIN};
	if (poll(&p, 1, 0) <= 0) {
		return false;
	}
	char c;
	ssize_t got = recv(se->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* Takes one refusal for stage if one is pending: copies its reply line. */
static bool take_refusal(cpt_smtpsink *s, cpt_smtpsink_stage stage, char *reply, size_t size)
{
	pthread_mutex_lock(&s->lock);
	bool refuse = s->refuse_times != 0 && s->refuse_stage == stage;
	if (refuse) {
		if (s->refuse_times > 0) {
			s->refuse_times--;
		}
		s->refusals++;
		snprintf(reply, size, "%s", s->refuse_reply);
	}
	pthread_mutex_unlock(&s->lock);
	return refuse;
}

/* Waits while the hold is on; false if the peer left or the sink stops. */
static bool wait_hold(session *se)
{
	cpt_smtpsink *s = se->sink;
	pthread_mutex_lock(&s->lock);
	bool ok = true;
	while (s->hold && !s->stopping) {
		s->holding = true;
		pthread_cond_broadcast(&s->changed);
		pthread_mutex_unlock(&s->lock);
		if (peer_gone(se)) {
			pthread_mutex_lock(&s->lock);
			ok = false;
			break;
		}
		usleep(POLL_MS * 1000);
		pthread_mutex_lock(&s->lock);
	}
	ok = ok && !s->stopping;
	s->holding = false;
	pthread_mutex_unlock(&s->lock);
	/* Lifted just as the sender died: it is gone all the same. */
	return ok && !peer_gone(se);
}

static char *angle_address(const char *arg)
{
	const char *open = strchr(arg, '<');
	const char *close = open ? strchr(open, '>') : NULL;
	if (!open || !close) {
		return g_strdup(arg);
	}
	return g_strndup(open + 1, (size_t)(close - open - 1));
}

static void *serve(void *arg)
{
	session *se = arg;
	cpt_smtpsink *s = se->sink;
	char line[LINE_MAX_LEN], reply[300];
	char *from = NULL;
	GPtrArray *rcpt = g_ptr_array_new_with_free_func(g_free);
	bool refused_here = false; /* this transaction was refused at RCPT */
	say(se, "220 sink.test ESMTP comptoir test sink");
	while (read_line(se, line, sizeof line)) {
		if (g_ascii_strncasecmp(line, "EHLO", 4) == 0) {
			say(se, "250-sink.test");
			say(se, "250-8BITMIME");
			say(se, "250 SIZE 52428800");
		} else if (g_ascii_strncasecmp(line, "HELO", 4) == 0) {
			say(se, "250 sink.test");
		} else if (g_ascii_strncasecmp(line, "MAIL FROM:", 10) == 0) {
			g_free(from);
			from = angle_address(line + 10);
			g_ptr_array_set_size(rcpt, 0);
			refused_here = false;
			say(se, "250 2.1.0 Ok");
		} else if (g_ascii_strncasecmp(line, "RCPT TO:", 8) == 0) {
			if (!from) {
				say(se, "503 5.5.1 Error: need MAIL command");
			} else if (!refused_here && rcpt->len == 0 &&
				   take_refusal(s, CPT_SMTPSINK_AT_RCPT, reply, sizeof reply)) {
				refused_here = true;
				say(se, reply);
			} else {
				g_ptr_array_add(rcpt, angle_address(line + 8));
				say(se, "250 2.1.5 Ok");
			}
		} else if (g_ascii_strcasecmp(line, "DATA") == 0) {
			if (!from || rcpt->len == 0) {
				say(se, "554 5.5.1 Error: no valid recipients");
				continue;
			}
			say(se, "354 End data with <CR><LF>.<CR><LF>");
			GString *data = g_string_new(NULL);
			bool complete = false;
			while (read_line(se, line, sizeof line)) {
				if (strcmp(line, ".") == 0) {
					complete = true;
					break;
				}
				g_string_append(data, line[0] == '.' ? line + 1 : line);
				g_string_append(data, "\r\n");
			}
			if (!complete || !wait_hold(se)) {
				g_string_free(data, TRUE);
				break; /* the sender left before our answer: nothing was taken */
			}
			if (take_refusal(s, CPT_SMTPSINK_AT_DATA, reply, sizeof reply)) {
				g_string_free(data, TRUE);
				say(se, reply);
			} else {
				cpt_smtp_received *m = g_new0(cpt_smtp_received, 1);
				m->mail_from = g_strdup(from);
				m->n_rcpt = rcpt->len;
				m->rcpt = g_new0(char *, rcpt->len + 1);
				for (guint i = 0; i < rcpt->len; i++) {
					m->rcpt[i] = g_strdup(rcpt->pdata[i]);
				}
				m->len = data->len;
				m->data = g_string_free(data, FALSE);
				pthread_mutex_lock(&s->lock);
				g_ptr_array_add(s->received, m);
				snprintf(reply, sizeof reply, "250 2.0.0 Ok: queued as SINK%u",
					 s->received->len);
				pthread_cond_broadcast(&s->changed);
				pthread_mutex_unlock(&s->lock);
				say(se, reply);
			}
			g_clear_pointer(&from, g_free);
			g_ptr_array_set_size(rcpt, 0);
		} else if (g_ascii_strcasecmp(line, "RSET") == 0) {
			g_clear_pointer(&from, g_free);
			g_ptr_array_set_size(rcpt, 0);
			say(se, "250 2.0.0 Ok");
		} else if (g_ascii_strcasecmp(line, "NOOP") == 0) {
			say(se, "250 2.0.0 Ok");
		} else if (g_ascii_strcasecmp(line, "QUIT") == 0) {
			say(se, "221 2.0.0 Bye");
			break;
		} else {
			say(se, "502 5.5.2 Error: command not recognized");
		}
	}
	g_free(from);
	g_ptr_array_free(rcpt, TRUE);
	shutdown(se->fd, SHUT_RDWR);
	return NULL;
}

static void *accept_loop(void *arg)
{
	cpt_smtpsink *s = arg;
	while (!stopping(s)) {
		struct pollfd p = {.fd = s->listen_fd, .events = POLLIN};
		if (poll(&p, 1, POLL_MS) <= 0) {
			continue;
		}
		int fd = accept(s->listen_fd, NULL, NULL);
		if (fd < 0) {
			continue;
		}
		session *se = g_new0(session, 1);
		se->sink = s;
		se->fd = fd;
		pthread_mutex_lock(&s->lock);
		g_ptr_array_add(s->sessions, se);
		pthread_mutex_unlock(&s->lock);
		pthread_create(&se->thread, NULL, serve, se);
	}
	return NULL;
}

/* ---------------------------------------------------------------------------
 * Control
 */

cpt_smtpsink *cpt_smtpsink_start(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 16) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		perror("smtpsink: listen");
		if (fd >= 0) {
			close(fd);
		}
		return NULL;
	}
	cpt_smtpsink *s = g_new0(cpt_smtpsink, 1);
	s->listen_fd = fd;
	s->port = ntohs(a.sin_port);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->changed, NULL);
	s->sessions = g_ptr_array_new();
	s->received = g_ptr_array_new_with_free_func((GDestroyNotify)cpt_smtp_received_free);
	pthread_create(&s->acceptor, NULL, accept_loop, s);
	return s;
}

void cpt_smtpsink_stop(cpt_smtpsink *s)
{
	if (!s) {
		return;
	}
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->acceptor, NULL);
	for (guint i = 0; i < s->sessions->len; i++) {
		session *se = s->sessions->pdata[i];
		pthread_join(se->thread, NULL);
		close(se->fd);
		g_free(se);
	}
	close(s->listen_fd);
	g_ptr_array_free(s->sessions, TRUE);
	g_ptr_array_free(s->received, TRUE);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->changed);
	g_free(s);
}

int cpt_smtpsink_port(const cpt_smtpsink *s)
{
	return s->port;
}

void cpt_smtpsink_refuse(cpt_smtpsink *s, int times, cpt_smtpsink_stage stage, const char *reply)
{
	pthread_mutex_lock(&s->lock);
	s->refuse_times = times;
	s->refuse_stage = stage;
	snprintf(s->refuse_reply, sizeof s->refuse_reply, "%s", reply ? reply : "");
	pthread_mutex_unlock(&s->lock);
}

size_t cpt_smtpsink_refusals(cpt_smtpsink *s)
{
	pthread_mutex_lock(&s->lock);
	size_t n = s->refusals;
	pthread_mutex_unlock(&s->lock);
	return n;
}

void cpt_smtpsink_hold(cpt_smtpsink *s, bool on)
{
	pthread_mutex_lock(&s->lock);
	s->hold = on;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

/* Waits under the lock until done(s) or timeout_ms. */
static bool wait_until(cpt_smtpsink *s, bool (*done)(cpt_smtpsink *, size_t), size_t n,
		       int timeout_ms)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	bool ok = done(s, n);
	while (!ok) {
		if (pthread_cond_timedwait(&s->changed, &s->lock, &deadline) == ETIMEDOUT) {
			ok = done(s, n);
			break;
		}
		ok = done(s, n);
	}
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static bool is_holding(cpt_smtpsink *s, size_t n)
{
	(void)n;
	return s->holding;
}

static bool has_received(cpt_smtpsink *s, size_t n)
{
	return s->received->len >= n;
}

bool cpt_smtpsink_wait_held(cpt_smtpsink *s, int timeout_ms)
{
	return wait_until(s, is_holding, 0, timeout_ms);
}

size_t cpt_smtpsink_count(cpt_smtpsink *s)
{
	pthread_mutex_lock(&s->lock);
	size_t n = s->received->len;
	pthread_mutex_unlock(&s->lock);
	return n;
}

bool cpt_smtpsink_wait(cpt_smtpsink *s, size_t n, int timeout_ms)
{
	return wait_until(s, has_received, n, timeout_ms);
}

cpt_smtp_received *cpt_smtpsink_get(cpt_smtpsink *s, size_t i)
{
	cpt_smtp_received *copy = NULL;
	pthread_mutex_lock(&s->lock);
	if (i < s->received->len) {
		const cpt_smtp_received *m = s->received->pdata[i];
		copy = g_new0(cpt_smtp_received, 1);
		copy->mail_from = g_strdup(m->mail_from);
		copy->rcpt = g_strdupv(m->rcpt);
		copy->n_rcpt = m->n_rcpt;
		copy->data = g_memdup2(m->data, m->len + 1);
		copy->len = m->len;
	}
	pthread_mutex_unlock(&s->lock);
	return copy;
}

void cpt_smtp_received_free(cpt_smtp_received *m)
{
	if (!m) {
		return;
	}
	g_free(m->mail_from);
	g_strfreev(m->rcpt);
	g_free(m->data);
	g_free(m);
}

/* ---------------------------------------------------------------------------
 * Reading a message
 */

/* Headers up to the blank line, unfolded, one "Name: value\n" per line. */
static char *unfold(const char *text, size_t len)
{
	GString *out = g_string_new(NULL);
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\r') {
			continue;
		}
		if (text[i] == '\n' && i + 1 < len && (text[i + 1] == ' ' || text[i + 1] == '\t')) {
			continue; /* a fold: the line goes on */
		}
		g_string_append_c(out, text[i]);
	}
	if (out->len && out->str[out->len - 1] != '\n') {
		g_string_append_c(out, '\n');
	}
	return g_string_free(out, FALSE);
}

char *cpt_mime_header(const char *headers, const char *name)
{
	size_t n = strlen(name);
	for (const char *line = headers; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len > n && line[n] == ':' && g_ascii_strncasecmp(line, name, n) == 0) {
			const char *v = line + n + 1;
			while (*v == ' ' || *v == '\t') {
				v++;
			}
			return g_strndup(v, len - (size_t)(v - line));
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

static int hexval(char c)
{
	return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

static uint8_t *decode_qp(const char *s, size_t len, size_t *out_len)
{
	uint8_t *out = g_malloc(len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '=' && i + 1 < len && (s[i + 1] == '\r' || s[i + 1] == '\n')) {
			i += s[i + 1] == '\r' && i + 2 < len && s[i + 2] == '\n' ? 2 : 1;
		} else if (s[i] == '=' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
			   hexval(s[i + 2]) >= 0) {
			out[n++] = (uint8_t)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			out[n++] = (uint8_t)s[i];
		}
	}
	out[n] = 0;
	*out_len = n;
	return out;
}

static void decode_part(cpt_mime_part *p, const char *body, size_t len)
{
	g_autofree char *cte = cpt_mime_header(p->headers, "Content-Transfer-Encoding");
	if (cte && g_ascii_strcasecmp(cte, "base64") == 0) {
		g_autofree char *copy = g_strndup(body, len);
		gsize n = 0;
		guchar *raw = g_base64_decode(copy, &n);
		p->body = g_realloc(raw, n + 1);
		p->body[n] = 0;
		p->len = n;
	} else if (cte && g_ascii_strcasecmp(cte, "quoted-printable") == 0) {
		p->body = decode_qp(body, len, &p->len);
	} else {
		p->body = (uint8_t *)g_strndup(body, len);
		p->len = len;
	}
}

/* Splits at the blank line: headers (unfolded) and where the body starts. */
static const char *split_headers(const char *data, size_t len, char **headers)
{
	const char *blank = g_strstr_len(data, (gssize)len, "\r\n\r\n");
	if (!blank) {
		return NULL;
	}
	*headers = unfold(data, (size_t)(blank - data) + 2);
	return blank + 4;
}

cpt_mime *cpt_mime_parse(const char *data, size_t len)
{
	cpt_mime *m = g_new0(cpt_mime, 1);
	const char *body = split_headers(data, len, &m->headers);
	if (!body) {
		g_free(m);
		return NULL;
	}
	size_t body_len = len - (size_t)(body - data);
	g_autofree char *type = cpt_mime_header(m->headers, "Content-Type");
	g_autofree char *boundary = type && g_ascii_strncasecmp(type, "multipart/", 10) == 0
					? cpt_mime_param(type, "boundary")
					: NULL;
	if (!boundary) {
		m->parts = g_new0(cpt_mime_part, 1);
		m->n_parts = 1;
		m->parts[0].headers = g_strdup(m->headers);
		decode_part(&m->parts[0], body, body_len);
		return m;
	}
	g_autofree char *delim = g_strdup_printf("--%s", boundary);
	size_t dlen = strlen(delim);
	GArray *parts = g_array_new(FALSE, TRUE, sizeof(cpt_mime_part));
	const char *end = body + body_len;
	const char *p = g_strstr_len(body, end - body, delim);
	while (p) {
		p += dlen;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			break; /* the closing delimiter */
		}
		p = g_strstr_len(p, end - p, "\r\n");
		if (!p) {
			break;
		}
		p += 2;
		g_autofree char *next_delim = g_strdup_printf("\r\n%s", delim);
		const char *next = g_strstr_len(p, end - p, next_delim);
		if (!next) {
			break;
		}
		cpt_mime_part part = {0};
		const char *pbody = split_headers(p, (size_t)(next - p) + 2, &part.headers);
		if (!pbody) {
			/* No header at all: the body starts right after the blank line. */
			part.headers = g_strdup("");
			pbody = p + 2;
		}
		decode_part(&part, pbody, (size_t)(next - pbody));
		g_array_append_val(parts, part);
		p = next + 2;
	}
	m->n_parts = parts->len;
	m->parts = (cpt_mime_part *)g_array_free(parts, FALSE);
	return m;
}

void cpt_mime_free(cpt_mime *m)
{
	if (!m) {
		return;
	}
	for (size_t i = 0; i < m->n_parts; i++) {
		g_free(m->parts[i].headers);
		g_free(m->parts[i].body);
	}
	g_free(m->parts);
	g_free(m->headers);
	g_free(m);
}

char *cpt_mime_decode_words(const char *value)
{
	GString *out = g_string_new(NULL);
	const char *p = value;
	bool after_word = false;
	while (*p) {
		const char *start = strstr(p, "=?");
		if (!start) {
			g_string_append(out, p);
			break;
		}
		/* =?charset?enc?text?= */
		const char *q1 = strchr(start + 2, '?');
		const char *q2 = q1 ? strchr(q1 + 1, '?') : NULL;
		const char *close = q2 ? strstr(q2 + 1, "?=") : NULL;
		if (!close || q2 != q1 + 2) {
			g_string_append_len(out, p, start + 2 - p);
			p = start + 2;
			after_word = false;
			continue;
		}
		/* Blanks between two encoded words are not text. */
		bool blank = strspn(p, " \t") == (size_t)(start - p);
		if (!(after_word && blank)) {
			g_string_append_len(out, p, start - p);
		}
		g_autofree char *text = g_strndup(q2 + 1, (size_t)(close - q2 - 1));
		if (g_ascii_toupper(q1[1]) == 'B') {
			gsize n = 0;
			g_autofree guchar *raw = g_base64_decode(text, &n);
			g_string_append_len(out, (const char *)raw, (gssize)n);
		} else {
			for (char *c = text; *c; c++) {
				if (*c == '_') {
					*c = ' ';
				}
			}
			size_t n = 0;
			g_autofree uint8_t *raw = decode_qp(text, strlen(text), &n);
			g_string_append_len(out, (const char *)raw, (gssize)n);
		}
		p = close + 2;
		after_word = true;
	}
	return g_string_free(out, FALSE);
}

char *cpt_mime_param(const char *value, const char *param)
{
	size_t n = strlen(param);
	for (const char *p = strchr(value, ';'); p; p = strchr(p + 1, ';')) {
		const char *k = p + 1;
		while (*k == ' ' || *k == '\t') {
			k++;
		}
		if (g_ascii_strncasecmp(k, param, n) != 0 || k[n] != '=') {
			continue;
		}
		const char *v = k + n + 1;
		if (*v != '"') {
			return g_strndup(v, strcspn(v, "; \t"));
		}
		GString *out = g_string_new(NULL);
		for (v++; *v && *v != '"'; v++) {
			if (*v == '\\' && v[1]) {
				v++;
			}
			g_string_append_c(out, *v);
		}
		return g_string_free(out, FALSE);
	}
	return NULL;
}
