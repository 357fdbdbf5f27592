/*
 * cpt_server: the daemon's loop-side state. One libuv loop thread owns it:
 * the listener, the TLS connections and their cached sessions, the signals.
 * Workers never touch it; they get what they need copied into their task.
 */
#ifndef CPT_SERVER_H
#define CPT_SERVER_H

#include "config.h"
#include "db.h"

#include <openssl/ssl.h>
#include <uv.h>

typedef struct cpt_conn cpt_conn;

/* After SIGTERM, calls in flight finish; connections still open this long after are cut. */
#define CPT_DRAIN_DEADLINE_MS 10000

typedef struct cpt_server {
	uv_loop_t *loop;
	uv_tcp_t listener;
	uv_signal_t sig_term, sig_int, sig_hup;
	uv_timer_t drain_timer; /* forces the last connections closed after SIGTERM */
	SSL_CTX *ssl_ctx;
	cpt_config cfg;
	char *config_path;
	cpt_pool *pool;
	cpt_conn *conns; /* doubly linked list of open connections */
	unsigned n_conns;
	unsigned inflight; /* calls queued or running, all connections */
	bool draining;
	int exit_code;
} cpt_server;

/* Builds a TLS 1.2+ server context from the PEM files. Caller SSL_CTX_free()s. */
SSL_CTX *cpt_tls_server_ctx(const char *cert, const char *key, cpt_status *st);

/* Binds and listens on cfg.listen:cfg.port. */
int cpt_net_listen(cpt_server *srv, cpt_status *st);
/* Stops accepting, lets in-flight calls finish, then closes every connection. */
void cpt_net_drain(cpt_server *srv);

#endif
