/*
 * comptoird: the Comptoir daemon. Reads its configuration, checks the
 * database schema, opens the connection pool, then runs the libuv loop until
 * SIGTERM drains it. SIGHUP reloads the configuration and the certificate
 * (settings that need a restart, like the port or the pool, are kept and a
 * warning says so).
 */
#include "dispatch.h"
#include "events.h"
#include "handlers.h"
#include "log.h"
#include "mail_outbox.h"
#include "migrate.h"
#include "server.h"

#include <curl/curl.h>
#include <getopt.h>
#include <malloc.h>
#include <glib.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: comptoird [-c FILE] [-t]\n"
		   "  -c FILE  configuration (default " CPT_DEFAULT_CONFIG ")\n"
		   "  -t       check the configuration and the database, then exit\n");
}

static void on_sigterm(uv_signal_t *h, int signum)
{
	cpt_server *srv = h->data;
	cpt_info("signal %d: stopping", signum);
	cpt_mail_outbox_stop();
	cpt_net_drain(srv);
}

static void on_sighup(uv_signal_t *h, int signum)
{
	cpt_server *srv = h->data;
	cpt_config fresh;
	cpt_status st = {0};
	(void)signum;
	if (cpt_config_load(&fresh, srv->config_path, &st) != 0) {
		cpt_error("reload refused: %s", st.message);
		return;
	}
	SSL_CTX *ctx = cpt_tls_server_ctx(fresh.certificate, fresh.private_key, &st);
	if (!ctx) {
		cpt_error("reload refused: %s", st.message);
		cpt_config_clear(&fresh);
		return;
	}
	if (strcmp(fresh.mail_smtp_url, srv->cfg.mail_smtp_url) != 0 ||
	    strcmp(fresh.mail_from, srv->cfg.mail_from) != 0 ||
	    strcmp(fresh.mail_username, srv->cfg.mail_username) != 0 ||
	    strcmp(fresh.mail_password, srv->cfg.mail_password) != 0) {
		cpt_warn("reload: [mail] smtp_url, from, username and password need a restart");
	}
	if (fresh.port != srv->cfg.port || strcmp(fresh.listen, srv->cfg.listen) != 0 ||
	    fresh.pool_size != srv->cfg.pool_size ||
	    strcmp(fresh.conninfo, srv->cfg.conninfo) != 0) {
		cpt_warn("reload: listen address, port and database settings need a restart");
		/* Keep what the running loop depends on. */
		g_free(fresh.listen);
		fresh.listen = g_strdup(srv->cfg.listen);
		fresh.port = srv->cfg.port;
		fresh.pool_size = srv->cfg.pool_size;
		g_free(fresh.conninfo);
		fresh.conninfo = g_strdup(srv->cfg.conninfo);
	}
	/* Live connections keep the context they were made with (SSL_new took a ref). */
	SSL_CTX_free(srv->ssl_ctx);
	srv->ssl_ctx = ctx;
	/*
	 * Workers read cfg fields (lockout, session idle) while running: swap the
	 * scalar settings in place, keep the strings' owners alive until exit.
	 */
	srv->cfg.max_frame = fresh.max_frame;
	srv->cfg.max_document = fresh.max_document;
	srv->cfg.max_inflight = fresh.max_inflight;
	srv->cfg.max_connections = fresh.max_connections;
	srv->cfg.handshake_timeout = fresh.handshake_timeout;
	srv->cfg.lockout_attempts = fresh.lockout_attempts;
	srv->cfg.lockout_window = fresh.lockout_window;
	srv->cfg.lockout_duration = fresh.lockout_duration;
	srv->cfg.session_idle = fresh.session_idle;
	srv->cfg.log_level = fresh.log_level;
	srv->cfg.mail_starttls = fresh.mail_starttls;
	srv->cfg.mail_interval = fresh.mail_interval;
	srv->cfg.mail_retry_delay = fresh.mail_retry_delay;
	srv->cfg.mail_max_attempts = fresh.mail_max_attempts;
	cpt_log_set_level(fresh.log_level);
	cpt_config_clear(&fresh);
	cpt_info("configuration and certificate reloaded");
}

/* Checks the schema version and reads what Server/Info reports. */
static int check_database(cpt_server *srv, cpt_status *st)
{
	PGconn *c = cpt_db_connect(srv->cfg.conninfo, st);
	if (!c) {
		return st->code;
	}
	int version = cpt_migrate_version(c, st);
	if (version >= 0 && version < CPT_SCHEMA_VERSION) {
		cpt_status_set(st, CPT_FAILED_PRECONDITION, "database",
			       "schéma de la base en version %d, ce programme attend %d : "
			       "lancez « comptoirctl migrate »",
			       version, CPT_SCHEMA_VERSION);
	}
	if (version > CPT_SCHEMA_VERSION) {
		cpt_warn("database schema %d is newer than this build (%d)", version,
			 CPT_SCHEMA_VERSION);
	}
	char pgv[32];
	int sv = PQserverVersion(c);
	snprintf(pgv, sizeof pgv, "%d.%d", sv / 10000, sv % 10000);
	cpt_info_set_database(version, pgv, srv->cfg.name);
	PQfinish(c);
	return st->code;
}

int main(int argc, char **argv)
{
	const char *config_path = CPT_DEFAULT_CONFIG;
	bool check_only = false;
	int opt;
	while ((opt = getopt(argc, argv, "c:th")) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 't':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}

	/*
	 * Password hashing allocates 16 MiB per call on the workers: keep such
	 * blocks mmapped so they go back to the system, and cap malloc arenas.
	 */
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	mallopt(M_ARENA_MAX, 2);

	cpt_server srv = {0};
	cpt_status st = {0};
	int rc = 1;
	if (cpt_config_load(&srv.cfg, config_path, &st) != 0) {
		cpt_error("%s", st.message);
		cpt_config_clear(&srv.cfg);
		return 2;
	}
	srv.config_path = srv.cfg.path;
	/* Before any thread: libcurl's global setup is not thread-safe. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		cpt_error("libcurl: initialisation failed");
		cpt_config_clear(&srv.cfg);
		return 1;
	}
	cpt_log_set_level(srv.cfg.log_level);
	if (cpt_dispatch_init(&st) != 0) {
		cpt_error("%s", st.message);
		goto out;
	}
	srv.ssl_ctx = cpt_tls_server_ctx(srv.cfg.certificate, srv.cfg.private_key, &st);
	if (!srv.ssl_ctx || check_database(&srv, &st) != 0) {
		cpt_error("%s", st.message);
		goto out;
	}
	if (check_only) {
		printf("comptoird: configuration %s et base de données correctes\n", srv.cfg.path);
		rc = 0;
		goto out;
	}

	/*
	 * One worker per database connection: a worker never waits for another's.
	 * One more for the scheduled jobs, which have connections of their own.
	 */
	char threads[16];
	snprintf(threads, sizeof threads, "%u", srv.cfg.pool_size + 1);
	setenv("UV_THREADPOOL_SIZE", threads, 1);
	if (cpt_pool_new(srv.cfg.conninfo, srv.cfg.pool_size, &srv.pool, &st) != 0) {
		cpt_error("%s", st.message);
		goto out;
	}

	srv.loop = uv_default_loop();
	if (cpt_events_start(&srv, &st) != 0 || cpt_net_listen(&srv, &st) != 0 ||
	    cpt_mail_outbox_start(&srv, &st) != 0) {
		cpt_error("%s", st.message);
		goto out;
	}
	uv_signal_init(srv.loop, &srv.sig_term);
	uv_signal_init(srv.loop, &srv.sig_int);
	uv_signal_init(srv.loop, &srv.sig_hup);
	srv.sig_term.data = srv.sig_int.data = srv.sig_hup.data = &srv;
	uv_signal_start(&srv.sig_term, on_sigterm, SIGTERM);
	uv_signal_start(&srv.sig_int, on_sigterm, SIGINT);
	uv_signal_start(&srv.sig_hup, on_sighup, SIGHUP);
	signal(SIGPIPE, SIG_IGN);

	cpt_info("comptoird %s listening on %s:%d (TLS, %u database connections)", CPT_VERSION,
		 srv.cfg.listen, srv.cfg.port, srv.cfg.pool_size);
	uv_run(srv.loop, UV_RUN_DEFAULT);

	/* Drained: close the remaining handles and let their callbacks run. */
	uv_close((uv_handle_t *)&srv.sig_term, NULL);
	uv_close((uv_handle_t *)&srv.sig_int, NULL);
	uv_close((uv_handle_t *)&srv.sig_hup, NULL);
	uv_close((uv_handle_t *)&srv.drain_timer, NULL);
	uv_run(srv.loop, UV_RUN_DEFAULT);
	uv_loop_close(srv.loop);
	cpt_info("stopped");
	rc = 0;
out:
	cpt_pool_free(srv.pool);
	SSL_CTX_free(srv.ssl_ctx);
	cpt_dispatch_free();
	cpt_config_clear(&srv.cfg);
	curl_global_cleanup();
	return rc;
}
