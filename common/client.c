/*
 * Blocking RPC client over OpenSSL; see client.h. The socket carries TLS
 * directly (SSL_set_fd); frames are read with cpt_framebuf like the server.
 */
#include "client.h"
#include "frame.h"

#include "rpc.pb-c.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct queued_event {
	struct queued_event *next;
	char *topic;
	int64_t id;
	char *action;
} queued_event;

struct cpt_client {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	cpt_framebuf in;
	uint64_t next_id;
	char fingerprint[CPT_FINGERPRINT_LEN + 1];
	queued_event *events, *events_tail;
};

static int tls_fail(cpt_status *st, int code, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[160] = "";
	if (e) {
		ERR_error_string_n(e, buf, sizeof buf);
	}
	ERR_clear_error();
	return cpt_status_set(st, code, NULL, "%s%s%s", what, *buf ? " : " : "", buf);
}

static int open_socket(const cpt_client_opts *o, cpt_status *st)
{
	char port[16];
	snprintf(port, sizeof port, "%d", o->port);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	int rc = getaddrinfo(o->host, port, &hints, &res);
	if (rc != 0) {
		cpt_status_set(st, CPT_UNAVAILABLE, "host", "serveur %s introuvable : %s", o->host,
			       gai_strerror(rc));
		return -1;
	}
	int fd = -1, err = 0;
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
			break;
		}
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		cpt_status_set(st, CPT_UNAVAILABLE, "host", "connexion à %s:%d impossible : %s",
			       o->host, o->port, strerror(err));
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	int ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return fd;
}

static void compute_fingerprint(SSL *ssl, char out[CPT_FINGERPRINT_LEN + 1])
{
	out[0] = '\0';
	X509 *cert = SSL_get1_peer_certificate(ssl);
	if (!cert) {
		return;
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	X509_digest(cert, EVP_sha256(), md, &n);
	X509_free(cert);
	for (unsigned i = 0; i < n && i < 32; i++) {
		snprintf(out + 3 * i, 4, i + 1 < n ? "%02X:" : "%02X", md[i]);
	}
}

int cpt_client_connect(const cpt_client_opts *o, cpt_client **out, cpt_status *st)
{
	*out = NULL;
	/*
	 * OpenSSL writes with write(2): a server gone away would kill the process
	 * with SIGPIPE. Ignore it unless the program installed its own handler.
	 */
	struct sigaction sa;
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
		signal(SIGPIPE, SIG_IGN);
	}
	cpt_client *c = calloc(1, sizeof *c);
	c->fd = -1;
	c->next_id = 1;
	cpt_framebuf_init(&c->in, CPT_FRAME_DEFAULT_MAX);
	c->ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
	if (o->ca_file) {
		if (SSL_CTX_load_verify_locations(c->ctx, o->ca_file, NULL) != 1) {
			tls_fail(st, CPT_INVALID_ARGUMENT, "fichier d'autorité illisible");
			st->field[0] = '\0';
			snprintf(st->field, sizeof st->field, "ca_file");
			goto fail;
		}
		SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	}
	c->fd = open_socket(o, st);
	if (c->fd < 0) {
		goto fail;
	}
	c->ssl = SSL_new(c->ctx);
	SSL_set_fd(c->ssl, c->fd);
	SSL_set_tlsext_host_name(c->ssl, o->host);
	if (o->ca_file) {
		SSL_set1_host(c->ssl, o->host);
	}
	if (SSL_connect(c->ssl) != 1) {
		tls_fail(st, CPT_UNAVAILABLE, "échec de la négociation TLS");
		goto fail;
	}
	compute_fingerprint(c->ssl, c->fingerprint);
	if (o->pin && strcasecmp(o->pin, c->fingerprint) != 0) {
		cpt_status_set(
		    st, CPT_PERMISSION_DENIED, "fingerprint",
		    "le certificat du serveur a changé (empreinte %s) : connexion refusée",
		    c->fingerprint);
		goto fail;
	}
	*out = c;
	return 0;
fail:
	cpt_client_close(c);
	return st->code;
}

void cpt_client_close(cpt_client *c)
{
	if (!c) {
		return;
	}
	if (c->ssl) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd >= 0) {
		close(c->fd);
	}
	SSL_CTX_free(c->ctx);
	cpt_framebuf_free(&c->in);
	while (c->events) {
		queued_event *e = c->events;
		c->events = e->next;
		free(e->topic);
		free(e->action);
		free(e);
	}
	free(c);
}

const char *cpt_client_fingerprint(const cpt_client *c)
{
	return c->fingerprint;
}

static int write_all(cpt_client *c, const void *buf, size_t n, cpt_status *st)
{
	if (SSL_write(c->ssl, buf, (int)n) != (int)n) {
		return tls_fail(st, CPT_UNAVAILABLE, "connexion au serveur perdue (écriture)");
	}
	return 0;
}

int cpt_client_send_raw(cpt_client *c, const void *bytes, size_t n, cpt_status *st)
{
	return write_all(c, bytes, n, st);
}

int cpt_client_send_request(cpt_client *c, uint64_t id, const char *method, const void *payload,
			    size_t len, cpt_status *st)
{
	return cpt_client_send_request_keyed(c, id, method, payload, len, NULL, 0, st);
}

int cpt_client_send_request_keyed(cpt_client *c, uint64_t id, const char *method,
				  const void *payload, size_t len, const uint8_t *key,
				  size_t key_len, cpt_status *st)
{
	Comptoir__Rpc__Request req = COMPTOIR__RPC__REQUEST__INIT;
	req.id = id;
	req.method = (char *)method;
	req.payload.data = (uint8_t *)payload;
	req.payload.len = len;
	req.key.data = (uint8_t *)key;
	req.key.len = key ? key_len : 0;
	size_t n = comptoir__rpc__request__get_packed_size(&req);
	uint8_t *buf = malloc(n + CPT_FRAME_HEADER);
	cpt_frame_header(buf, (uint32_t)n);
	comptoir__rpc__request__pack(&req, buf + CPT_FRAME_HEADER);
	int rc = write_all(c, buf, n + CPT_FRAME_HEADER, st);
	free(buf);
	return rc;
}

static int send_keyed(cpt_client *c, const char *method, const ProtobufCMessage *in,
		      const uint8_t *key, size_t key_len, uint64_t *id, cpt_status *st)
{
	size_t n = protobuf_c_message_get_packed_size(in);
	uint8_t *payload = malloc(n ? n : 1);
	protobuf_c_message_pack(in, payload);
	*id = c->next_id++;
	int rc = cpt_client_send_request_keyed(c, *id, method, payload, n, key, key_len, st);
	free(payload);
	return rc;
}

int cpt_client_send(cpt_client *c, const char *method, const ProtobufCMessage *in, uint64_t *id,
		    cpt_status *st)
{
	return send_keyed(c, method, in, NULL, 0, id, st);
}

/* Reads until one complete frame is buffered; returns its ServerFrame. */
static Comptoir__Rpc__ServerFrame *read_frame(cpt_client *c, cpt_status *st)
{
	for (;;) {
		const uint8_t *p;
		size_t len;
		int r = cpt_framebuf_next(&c->in, &p, &len);
		if (r == CPT_FRAME_READY) {
			Comptoir__Rpc__ServerFrame *f =
			    comptoir__rpc__server_frame__unpack(NULL, len, p);
			if (!f) {
				cpt_status_set(st, CPT_INTERNAL, NULL,
					       "réponse illisible du serveur");
			}
			return f;
		}
		if (r != CPT_FRAME_NEED_MORE) {
			cpt_status_set(st, CPT_INTERNAL, NULL, "trame trop grande du serveur");
			return NULL;
		}
		uint8_t buf[16384];
		int n = SSL_read(c->ssl, buf, sizeof buf);
		if (n <= 0) {
			tls_fail(st, CPT_UNAVAILABLE, "connexion au serveur perdue");
			return NULL;
		}
		cpt_framebuf_append(&c->in, buf, (size_t)n);
	}
}

static void queue_event(cpt_client *c, const Comptoir__Rpc__Event *ev)
{
	queued_event *e = calloc(1, sizeof *e);
	e->topic = strdup(ev->topic);
	e->id = ev->id;
	e->action = strdup(ev->action);
	if (c->events_tail) {
		c->events_tail->next = e;
	} else {
		c->events = e;
	}
	c->events_tail = e;
}

int cpt_client_recv(cpt_client *c, uint64_t *id, uint8_t **payload, size_t *len, cpt_status *st)
{
	*payload = NULL;
	*len = 0;
	for (;;) {
		Comptoir__Rpc__ServerFrame *f = read_frame(c, st);
		if (!f) {
			return -1;
		}
		if (f->kind_case == COMPTOIR__RPC__SERVER_FRAME__KIND_EVENT) {
			queue_event(c, f->event);
			comptoir__rpc__server_frame__free_unpacked(f, NULL);
			continue;
		}
		const Comptoir__Rpc__Response *r = f->response;
		if (!r) {
			comptoir__rpc__server_frame__free_unpacked(f, NULL);
			cpt_status_set(st, CPT_INTERNAL, NULL, "trame vide du serveur");
			return -1;
		}
		*id = r->id;
		if (r->status && r->status->code != 0) {
			cpt_status_set(st, r->status->code, r->status->field, "%s",
				       r->status->message);
		} else {
			*st = (cpt_status){0};
			*len = r->payload.len;
			*payload = malloc(*len ? *len : 1);
			if (*len) {
				memcpy(*payload, r->payload.data, *len);
			}
		}
		comptoir__rpc__server_frame__free_unpacked(f, NULL);
		return 0;
	}
}

int cpt_client_call(cpt_client *c, const char *method, const ProtobufCMessage *in,
		    const ProtobufCMessageDescriptor *out_desc, ProtobufCMessage **out,
		    cpt_status *st)
{
	return cpt_client_call_keyed(c, method, in, NULL, 0, out_desc, out, st);
}

int cpt_client_call_keyed(cpt_client *c, const char *method, const ProtobufCMessage *in,
			  const uint8_t *key, size_t key_len,
			  const ProtobufCMessageDescriptor *out_desc, ProtobufCMessage **out,
			  cpt_status *st)
{
	uint64_t id, got;
	if (out) {
		*out = NULL;
	}
	if (send_keyed(c, method, in, key, key_len, &id, st)) {
		return st->code;
	}
	for (;;) {
		uint8_t *payload;
		size_t len;
		if (cpt_client_recv(c, &got, &payload, &len, st) < 0) {
			return st->code;
		}
		int rc = st->code;
		if (got != id) {
			free(payload); /* an answer to an earlier pipelined call */
			continue;
		}
		if (rc == 0 && out) {
			*out = protobuf_c_message_unpack(out_desc, NULL, len, payload);
			if (!*out) {
				rc = cpt_status_set(st, CPT_INTERNAL, NULL,
						    "réponse illisible du serveur");
			}
		}
		free(payload);
		return rc;
	}
}

int cpt_client_wait_closed(cpt_client *c, int timeout_ms)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	for (;;) {
		int r = poll(&p, 1, timeout_ms);
		if (r <= 0) {
			return 0;
		}
		uint8_t buf[4096];
		int n = SSL_read(c->ssl, buf, sizeof buf);
		if (n <= 0) {
			ERR_clear_error();
			return 1;
		}
	}
}

int cpt_client_next_event(cpt_client *c, char **topic, int64_t *id, char **action)
{
	queued_event *e = c->events;
	if (!e) {
		return 0;
	}
	c->events = e->next;
	if (!c->events) {
		c->events_tail = NULL;
	}
	*topic = e->topic;
	*id = e->id;
	*action = e->action;
	free(e);
	return 1;
}
