/*
 * Network side of comptoird, all on the loop thread: accept, TLS through
 * memory BIOs, frames, request decoding, session and permission checks, then
 * hand-off of each call to the thread pool and the write-back of its answer.
 *
 * Bytes from the socket go into the SSL's read BIO; SSL_read yields plaintext
 * that accumulates in a cpt_framebuf; SSL_write fills the write BIO, which is
 * flushed to the socket after every batch. A framing fault (oversized frame,
 * undecodable envelope, TLS error) closes the connection; a bad call gets a
 * Status and the connection lives on.
 */
#include "server.h"
#include "dispatch.h"
#include "events.h"
#include "frame.h"
#include "log.h"

#include "rpc.pb-c.h"

#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

struct cpt_conn {
	uv_tcp_t tcp;
	uv_timer_t handshake_timer;
	cpt_server *srv;
	cpt_conn *prev, *next;
	SSL *ssl;
	BIO *rbio, *wbio; /* network side of the TLS engine */
	cpt_framebuf in;
	cpt_session *session; /* NULL until Login or Resume */
	unsigned inflight;
	int refs; /* the handle, plus one per call in flight */
	bool reading;
	bool closing;
	bool shutting; /* uv_shutdown under way: close once writes are out */
	bool eof;      /* the peer stopped sending; answer what is in flight, then close */
	char peer[64];
};

typedef struct call_task {
	uv_work_t work;
	cpt_conn *conn;
	const cpt_method *method;
	uint64_t id;
	ProtobufCMessage *input;
	cpt_session *session; /* snapshot for the worker */
	char key[65];	      /* the request's idempotency key, hex; "" none */
	cpt_call_result result;
} call_task;

typedef struct write_req {
	uv_write_t req;
	uv_buf_t buf;
} write_req;

static void conn_close(cpt_conn *c);
static void conn_process(cpt_conn *c);
static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);

/* ---------------------------------------------------------------------------
 * TLS context
 */

SSL_CTX *cpt_tls_server_ctx(const char *cert, const char *key, cpt_status *st)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx) {
		cpt_status_set(st, CPT_INTERNAL, NULL, "OpenSSL : contexte impossible");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		cpt_status_set(st, CPT_INVALID_ARGUMENT, "server.certificate",
			       "certificat illisible : %s", cert);
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		cpt_status_set(st, CPT_INVALID_ARGUMENT, "server.private_key",
			       "clé privée illisible ou ne correspondant pas au certificat : %s",
			       key);
		SSL_CTX_free(ctx);
		return NULL;
	}
	ERR_clear_error();
	return ctx;
}

/* ---------------------------------------------------------------------------
 * Writing
 */

/* Above this many bytes queued for a connection, stop reading its requests. */
#define WRITE_QUEUE_HIGH (1u << 20)

static bool may_read(const cpt_conn *c)
{
	const cpt_server *srv = c->srv;
	return !srv->draining && !c->eof && c->inflight < srv->cfg.max_inflight &&
	       uv_stream_get_write_queue_size((const uv_stream_t *)&c->tcp) < WRITE_QUEUE_HIGH;
}

static void on_write(uv_write_t *req, int status)
{
	write_req *w = (write_req *)req;
	cpt_conn *c = req->handle->data;
	free(w->buf.base);
	free(w);
	(void)status;
	/* A client that reads again gets its held-back requests served. */
	if (!c->closing && !c->reading && may_read(c)) {
		conn_process(c);
	}
}

/* Sends whatever the TLS engine has produced. */
static void conn_flush(cpt_conn *c)
{
	size_t pending = BIO_ctrl_pending(c->wbio);
	if (pending == 0 || c->closing) {
		if (pending) {
			(void)BIO_reset(c->wbio);
		}
		return;
	}
	write_req *w = malloc(sizeof *w);
	w->buf.base = malloc(pending);
	int n = BIO_read(c->wbio, w->buf.base, (int)pending);
	w->buf.len = n > 0 ? (size_t)n : 0;
	uv_buf_t bufs[1] = {w->buf}; /* libuv copies the array; w->buf keeps the memory */
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, bufs, 1, on_write) != 0) {
		free(w->buf.base);
		free(w);
		conn_close(c);
	}
}

static void conn_send_frame(cpt_conn *c, const ProtobufCMessage *msg)
{
	size_t n = protobuf_c_message_get_packed_size(msg);
	uint8_t stackbuf[4096];
	uint8_t *buf =
	    n + CPT_FRAME_HEADER <= sizeof stackbuf ? stackbuf : malloc(n + CPT_FRAME_HEADER);
	cpt_frame_header(buf, (uint32_t)n);
	protobuf_c_message_pack(msg, buf + CPT_FRAME_HEADER);
	if (SSL_write(c->ssl, buf, (int)(n + CPT_FRAME_HEADER)) <= 0) {
		cpt_warn("%s: TLS write failed", c->peer);
		conn_close(c);
	}
	if (buf != stackbuf) {
		free(buf);
	}
}

static void conn_respond(cpt_conn *c, uint64_t id, const cpt_status *st, const uint8_t *payload,
			 size_t len)
{
	Comptoir__Rpc__Status status = COMPTOIR__RPC__STATUS__INIT;
	Comptoir__Rpc__Response resp = COMPTOIR__RPC__RESPONSE__INIT;
	Comptoir__Rpc__ServerFrame frame = COMPTOIR__RPC__SERVER_FRAME__INIT;
	status.code = (Comptoir__Rpc__Code)st->code;
	status.message = (char *)st->message;
	status.field = (char *)st->field;
	resp.id = id;
	resp.status = &status;
	resp.payload.data = (uint8_t *)payload;
	resp.payload.len = payload ? len : 0;
	frame.kind_case = COMPTOIR__RPC__SERVER_FRAME__KIND_RESPONSE;
	frame.response = &resp;
	conn_send_frame(c, &frame.base);
}

static void conn_fail(cpt_conn *c, uint64_t id, int code, const char *field, const char *msg)
{
	cpt_status st = {0};
	cpt_status_set(&st, code, field, "%s", msg);
	conn_respond(c, id, &st, NULL, 0);
}

/* ---------------------------------------------------------------------------
 * Connection life
 */

static void conn_unref(cpt_conn *c)
{
	if (--c->refs > 0) {
		return;
	}
	cpt_server *srv = c->srv;
	if (c->prev) {
		c->prev->next = c->next;
	} else {
		srv->conns = c->next;
	}
	if (c->next) {
		c->next->prev = c->prev;
	}
	srv->n_conns--;
	SSL_free(c->ssl); /* frees both BIOs */
	cpt_framebuf_free(&c->in);
	cpt_session_free(c->session);
	free(c);
}

static void on_close(uv_handle_t *h)
{
	conn_unref(h->data);
}

static void conn_close(cpt_conn *c)
{
	if (c->closing) {
		return;
	}
	c->closing = true;
	uv_close((uv_handle_t *)&c->tcp, on_close);
	uv_close((uv_handle_t *)&c->handshake_timer, on_close);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	cpt_conn *c = req->handle->data;
	free(req);
	(void)status;
	conn_close(c);
}

/* Closes after pending writes have gone out. */
static void conn_close_gracefully(cpt_conn *c)
{
	if (c->closing || c->shutting) {
		return;
	}
	c->shutting = true;
	uv_shutdown_t *req = malloc(sizeof *req);
	if (uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
		free(req);
		conn_close(c);
	}
}

static void conn_set_reading(cpt_conn *c, bool on)
{
	if (c->closing || c->reading == on) {
		return;
	}
	c->reading = on;
	if (on) {
		uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
	} else {
		uv_read_stop((uv_stream_t *)&c->tcp);
	}
}

/* ---------------------------------------------------------------------------
 * Calls: loop thread -> worker -> loop thread
 */

static void task_run(uv_work_t *w)
{
	call_task *t = w->data;
	cpt_dispatch_run(t->method, t->conn->srv->pool, &t->conn->srv->cfg, t->session,
			 t->conn->peer, t->input, t->key, &t->result);
}

static void maybe_finish_drain(cpt_server *srv);

static void task_done(uv_work_t *w, int status)
{
	call_task *t = w->data;
	cpt_conn *c = t->conn;
	cpt_server *srv = c->srv;
	(void)status;

	if (!c->closing) {
		if (t->result.session_clear || t->result.session_out) {
			cpt_session_free(c->session);
			c->session = t->result.session_out;
			t->result.session_out = NULL;
		}
		conn_respond(c, t->id, &t->result.status, t->result.payload, t->result.payload_len);
		conn_flush(c);
	}
	c->inflight--;
	srv->inflight--;
	protobuf_c_message_free_unpacked(t->input, NULL);
	cpt_session_free(t->session);
	cpt_session_free(t->result.session_out);
	free(t->result.payload);
	free(t);

	if (!c->closing && c->eof && c->inflight == 0) {
		conn_close_gracefully(c);
	} else if (!c->closing && may_read(c)) {
		conn_process(c); /* frames held back by the cap */
	}
	conn_unref(c);
	maybe_finish_drain(srv);
}

static bool method_allowed(cpt_conn *c, const cpt_method *m, uint64_t id)
{
	if (m->flags & CPT_M_PUBLIC) {
		return true;
	}
	if (!c->session) {
		conn_fail(c, id, CPT_UNAUTHENTICATED, NULL, "connectez-vous d'abord");
		return false;
	}
	if (c->session->must_change_password && !(m->flags & CPT_M_MUST_CHANGE)) {
		conn_fail(c, id, CPT_FAILED_PRECONDITION, "password",
			  "changez d'abord votre mot de passe provisoire");
		return false;
	}
	if (m->permission && !cpt_session_has(c->session, m->permission)) {
		cpt_status st;
		cpt_status_set(&st, CPT_PERMISSION_DENIED, NULL, "droit requis : %s",
			       m->permission);
		conn_respond(c, id, &st, NULL, 0);
		return false;
	}
	return true;
}

/* Returns false when the connection must close. */
static bool conn_handle_frame(cpt_conn *c, const uint8_t *data, size_t len)
{
	cpt_server *srv = c->srv;
	Comptoir__Rpc__Request *req = comptoir__rpc__request__unpack(NULL, len, data);
	if (!req) {
		cpt_warn("%s: undecodable request envelope, closing", c->peer);
		return false;
	}
	uint64_t id = req->id;
	const cpt_method *m = cpt_dispatch_find(req->method);
	if (!m) {
		conn_fail(c, id, CPT_UNIMPLEMENTED, "method", "méthode inconnue");
		goto done;
	}
	if (!method_allowed(c, m, id)) {
		goto done;
	}
	ProtobufCMessage *in =
	    protobuf_c_message_unpack(m->input, NULL, req->payload.len, req->payload.data);
	if (!in) {
		conn_fail(c, id, CPT_INVALID_ARGUMENT, "payload", "message illisible");
		goto done;
	}
	cpt_status st = {0};
	if (cpt_dispatch_validate(in, &st) != 0) {
		conn_respond(c, id, &st, NULL, 0);
		protobuf_c_message_free_unpacked(in, NULL);
		goto done;
	}
	call_task *t = calloc(1, sizeof *t);
	t->work.data = t;
	t->conn = c;
	t->method = m;
	t->id = id;
	t->input = in;
	/* A key is 8 to 32 bytes; anything else is no key. */
	for (size_t i = 0; req->key.len >= 8 && i < req->key.len && i < 32; i++) {
		snprintf(t->key + 2 * i, 3, "%02x", req->key.data[i]);
	}
	bool with_session = !(m->flags & CPT_M_PUBLIC) || (m->flags & CPT_M_SESSION_OPT);
	t->session = with_session && c->session ? cpt_session_dup(c->session) : NULL;
	c->refs++;
	c->inflight++;
	srv->inflight++;
	uv_queue_work(srv->loop, &t->work, task_run, task_done);
done:
	comptoir__rpc__request__free_unpacked(req, NULL);
	return true;
}

/* Decrypts what arrived and handles complete frames, up to the in-flight cap. */
static void conn_process(cpt_conn *c)
{
	cpt_server *srv = c->srv;
	if (!SSL_is_init_finished(c->ssl)) {
		int rc = SSL_do_handshake(c->ssl);
		conn_flush(c);
		if (rc != 1) {
			int err = SSL_get_error(c->ssl, rc);
			if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
				cpt_info("%s: TLS handshake failed, closing", c->peer);
				ERR_clear_error();
				conn_close(c);
			}
			return;
		}
		uv_timer_stop(&c->handshake_timer);
	}
	uint8_t plain[16384];
	for (;;) {
		int n = SSL_read(c->ssl, plain, sizeof plain);
		if (n <= 0) {
			int err = SSL_get_error(c->ssl, n);
			if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
				break;
			}
			ERR_clear_error();
			conn_flush(c);
			if (err == SSL_ERROR_ZERO_RETURN) {
				conn_close_gracefully(c);
			} else {
				cpt_info("%s: TLS error, closing", c->peer);
				conn_close(c);
			}
			return;
		}
		if (cpt_framebuf_append(&c->in, plain, (size_t)n) != 0) {
			conn_close(c);
			return;
		}
	}
	const uint8_t *payload;
	size_t len;
	while (!c->closing && c->inflight < srv->cfg.max_inflight) {
		int r = cpt_framebuf_next(&c->in, &payload, &len);
		if (r == CPT_FRAME_NEED_MORE) {
			break;
		}
		if (r != CPT_FRAME_READY) {
			cpt_warn("%s: frame over %u bytes, closing", c->peer, c->in.max);
			conn_flush(c);
			conn_close(c);
			return;
		}
		if (!conn_handle_frame(c, payload, len)) {
			conn_flush(c);
			conn_close(c);
			return;
		}
	}
	conn_flush(c);
	/* Back-pressure: stop reading while the cap is reached. */
	conn_set_reading(c, may_read(c));
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	static char slab[65536]; /* the loop thread is the only reader */
	(void)h;
	(void)suggested;
	buf->base = slab;
	buf->len = sizeof slab;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	cpt_conn *c = stream->data;
	if (nread == UV_EOF && c->inflight > 0) {
		/* Half-closed: the answers to what was asked still go out. */
		c->eof = true;
		conn_set_reading(c, false);
		return;
	}
	if (nread < 0) {
		conn_close(c);
		return;
	}
	if (nread == 0) {
		return;
	}
	if (BIO_write(c->rbio, buf->base, (int)nread) != (int)nread) {
		conn_close(c);
		return;
	}
	conn_process(c);
}

static void on_handshake_timeout(uv_timer_t *t)
{
	cpt_conn *c = t->data;
	cpt_info("%s: no TLS handshake within %u s, closing", c->peer,
		 c->srv->cfg.handshake_timeout);
	conn_close(c);
}

static void on_connection(uv_stream_t *listener, int status)
{
	cpt_server *srv = listener->data;
	if (status < 0 || srv->draining) {
		return;
	}
	cpt_conn *c = calloc(1, sizeof *c);
	c->srv = srv;
	uv_tcp_init(srv->loop, &c->tcp);
	c->tcp.data = c;
	uv_timer_init(srv->loop, &c->handshake_timer);
	c->handshake_timer.data = c;
	c->refs = 2; /* the socket and the timer, each released by its close callback */
	cpt_framebuf_init(&c->in, srv->cfg.max_frame);
	c->next = srv->conns;
	if (srv->conns) {
		srv->conns->prev = c;
	}
	srv->conns = c;
	srv->n_conns++;
	if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
		conn_close(c);
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	struct sockaddr_storage ss;
	int sl = sizeof ss;
	char host[48] = "?";
	int port = 0;
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET6) {
			uv_ip6_name((struct sockaddr_in6 *)&ss, host, sizeof host);
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		} else {
			uv_ip4_name((struct sockaddr_in *)&ss, host, sizeof host);
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		}
	}
	snprintf(c->peer, sizeof c->peer, "%s:%d", host, port);
	c->ssl = SSL_new(srv->ssl_ctx);
	c->rbio = BIO_new(BIO_s_mem());
	c->wbio = BIO_new(BIO_s_mem());
	BIO_set_mem_eof_return(c->rbio, -1);
	SSL_set_bio(c->ssl, c->rbio, c->wbio);
	SSL_set_accept_state(c->ssl);
	uv_timer_start(&c->handshake_timer, on_handshake_timeout,
		       (uint64_t)srv->cfg.handshake_timeout * 1000, 0);
	if (srv->n_conns > srv->cfg.max_connections) {
		cpt_warn("%s: %u connections already open, refusing", c->peer,
			 srv->cfg.max_connections);
		conn_close(c);
		return;
	}
	conn_set_reading(c, true);
}

int cpt_net_listen(cpt_server *srv, cpt_status *st)
{
	struct sockaddr_storage addr;
	if (uv_ip4_addr(srv->cfg.listen, srv->cfg.port, (struct sockaddr_in *)&addr) != 0 &&
	    uv_ip6_addr(srv->cfg.listen, srv->cfg.port, (struct sockaddr_in6 *)&addr) != 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "server.listen",
				      "adresse d'écoute invalide : %s", srv->cfg.listen);
	}
	uv_tcp_init(srv->loop, &srv->listener);
	uv_timer_init(srv->loop, &srv->drain_timer);
	uv_unref((uv_handle_t *)&srv->drain_timer);
	srv->listener.data = srv;
	int rc = uv_tcp_bind(&srv->listener, (struct sockaddr *)&addr, 0);
	if (rc == 0) {
		rc = uv_listen((uv_stream_t *)&srv->listener, 511, on_connection);
	}
	if (rc != 0) {
		return cpt_status_set(st, CPT_UNAVAILABLE, "server.port",
				      "écoute impossible sur %s:%d : %s", srv->cfg.listen,
				      srv->cfg.port, uv_strerror(rc));
	}
	return 0;
}

/* ---------------------------------------------------------------------------
 * Draining on SIGTERM
 */

static void maybe_finish_drain(cpt_server *srv)
{
	if (!srv->draining || srv->inflight > 0) {
		return;
	}
	for (cpt_conn *c = srv->conns; c; c = c->next) {
		conn_close_gracefully(c);
	}
	uv_signal_stop(&srv->sig_term);
	uv_signal_stop(&srv->sig_int);
	uv_signal_stop(&srv->sig_hup);
}

/* A peer that never reads its last answers must not keep the daemon alive. */
static void on_drain_deadline(uv_timer_t *t)
{
	cpt_server *srv = t->data;
	cpt_warn("drain deadline reached: closing %u connection(s)", srv->n_conns);
	for (cpt_conn *c = srv->conns; c; c = c->next) {
		conn_close(c);
	}
}

void cpt_net_broadcast(cpt_server *srv, int64_t company_id, const char *topic, int64_t id,
		       const char *action)
{
	Comptoir__Rpc__Event ev = COMPTOIR__RPC__EVENT__INIT;
	Comptoir__Rpc__ServerFrame frame = COMPTOIR__RPC__SERVER_FRAME__INIT;
	ev.topic = (char *)topic;
	ev.id = id;
	ev.action = (char *)action;
	frame.kind_case = COMPTOIR__RPC__SERVER_FRAME__KIND_EVENT;
	frame.event = &ev;
	for (cpt_conn *c = srv->conns; c; c = c->next) {
		if (!c->closing && c->session && c->session->company_id == company_id &&
		    SSL_is_init_finished(c->ssl)) {
			conn_send_frame(c, &frame.base);
			conn_flush(c);
		}
	}
}

void cpt_net_drain(cpt_server *srv)
{
	if (srv->draining) {
		return;
	}
	srv->draining = true;
	cpt_events_stop(srv);
	cpt_info("draining: %u call(s) in flight on %u connection(s)", srv->inflight, srv->n_conns);
	if (!uv_is_closing((uv_handle_t *)&srv->listener)) {
		uv_close((uv_handle_t *)&srv->listener, NULL);
	}
	for (cpt_conn *c = srv->conns; c; c = c->next) {
		conn_set_reading(c, false);
	}
	srv->drain_timer.data = srv;
	uv_timer_start(&srv->drain_timer, on_drain_deadline, CPT_DRAIN_DEADLINE_MS, 0);
	maybe_finish_drain(srv);
}
