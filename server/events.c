/*
 * Live updates; see events.h. The payload of a notification is
 * "company_id|topic|id|action". The listening connection is non-blocking
 * once set up: the loop thread only calls PQconsumeInput and PQnotifies when
 * its socket is readable. Connecting (blocking) happens on the thread pool,
 * again every few seconds while PostgreSQL is away.
 */
#include "events.h"
#include "db.h"
#include "log.h"
#include "mail_outbox.h"
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHANNEL "comptoir_events"
#define RETRY_MS 3000

char *cpt_notify_payload(cpt_call *call, const char *topic, int64_t id, const char *action)
{
	return cpt_call_printf(call, "%lld|%s|%lld|%s", (long long)call->company_id, topic,
			       (long long)id, action);
}

int cpt_notify(cpt_call *call, cpt_status *st, const char *topic, int64_t id, const char *action)
{
	char *payload = cpt_call_printf(call, "%lld|%s|%lld|%s", (long long)call->company_id, topic,
					(long long)id, action);
	(void)st; /* sent with the call's next statement (cpt_db_defer) */
	const char *v[] = {payload};
	cpt_db_defer(call, "SELECT pg_notify('" CHANNEL "', $1)", 1, v, NULL, NULL);
	return 0;
}

typedef struct listener {
	cpt_server *srv;
	PGconn *conn; /* NULL while (re)connecting */
	uv_poll_t poll;
	bool polling;
	uv_timer_t retry;
	uv_work_t work;
	PGconn *fresh; /* made by the worker */
	bool working;  /* a connection attempt is on the thread pool */
	bool stopping;
	bool closed; /* the retry timer is closed: free once no work is left */
} listener;

static listener *the_listener;

static void schedule_retry(listener *l);

static void deliver(listener *l)
{
	PGnotify *n;
	while ((n = PQnotifies(l->conn))) {
		long long company = 0, id = 0;
		char topic[64] = "", action[32] = "";
		if (sscanf(n->extra, "%lld|%63[^|]|%lld|%31s", &company, topic, &id, action) == 4) {
			cpt_net_broadcast(l->srv, company, topic, id, action);
			/* Committed: the outbox job sends it now, here or on another daemon. */
			if (strcmp(topic, CPT_MAIL_TOPIC) == 0 && strcmp(action, "queue") == 0) {
				cpt_mail_outbox_kick();
			}
		}
		PQfreemem(n);
	}
}

static void on_readable(uv_poll_t *p, int status, int events)
{
	listener *l = p->data;
	if (status < 0 || PQconsumeInput(l->conn) != 1) {
		cpt_warn("events: lost the listening connection, retrying");
		uv_poll_stop(&l->poll);
		uv_close((uv_handle_t *)&l->poll, NULL);
		l->polling = false;
		PQfinish(l->conn);
		l->conn = NULL;
		schedule_retry(l);
		return;
	}
	deliver(l);
}

static void connect_work(uv_work_t *w)
{
	listener *l = w->data;
	cpt_status st = {0};
	PGconn *c = cpt_db_connect(l->srv->cfg.conninfo, &st);
	if (c) {
		PGresult *r = PQexec(c, "LISTEN " CHANNEL);
		bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		if (!ok || PQsetnonblocking(c, 1) != 0) {
			PQfinish(c);
			c = NULL;
		}
	}
	l->fresh = c;
}

static void connect_done(uv_work_t *w, int status)
{
	listener *l = w->data;
	l->working = false;
	if (l->stopping && l->closed) {
		PQfinish(l->fresh);
		free(l);
		return;
	}
	if (l->stopping || !l->fresh) {
		PQfinish(l->fresh);
		l->fresh = NULL;
		if (!l->stopping) {
			schedule_retry(l);
		}
		return;
	}
	l->conn = l->fresh;
	l->fresh = NULL;
	uv_poll_init(l->srv->loop, &l->poll, PQsocket(l->conn));
	l->poll.data = l;
	l->polling = true;
	uv_poll_start(&l->poll, UV_READABLE, on_readable);
	cpt_debug("events: listening");
}

static void on_retry(uv_timer_t *t)
{
	listener *l = t->data;
	l->working = true;
	uv_queue_work(l->srv->loop, &l->work, connect_work, connect_done);
}

static void schedule_retry(listener *l)
{
	uv_timer_start(&l->retry, on_retry, RETRY_MS, 0);
}

int cpt_events_start(cpt_server *srv, cpt_status *st)
{
	listener *l = calloc(1, sizeof *l);
	l->srv = srv;
	l->work.data = l;
	uv_timer_init(srv->loop, &l->retry);
	l->retry.data = l;
	/* The first connection is made now, before serving: a bad conninfo shows at start. */
	connect_work(&l->work);
	if (!l->fresh) {
		uv_close((uv_handle_t *)&l->retry, NULL);
		free(l);
		return cpt_status_set(st, CPT_UNAVAILABLE, "database.conninfo",
				      "écoute des notifications impossible");
	}
	connect_done(&l->work, 0);
	the_listener = l;
	return 0;
}

static void free_listener(uv_handle_t *h)
{
	listener *l = h->data;
	l->closed = true;
	if (!l->working) {
		free(l);
	}
}

void cpt_events_stop(cpt_server *srv)
{
	listener *l = the_listener;
	if (!l) {
		return;
	}
	the_listener = NULL;
	l->stopping = true;
	uv_timer_stop(&l->retry);
	if (l->polling) {
		uv_poll_stop(&l->poll);
		uv_close((uv_handle_t *)&l->poll, NULL);
	}
	PQfinish(l->conn);
	l->conn = NULL;
	/* The timer is the last handle: the listener goes with it. */
	uv_close((uv_handle_t *)&l->retry, free_listener);
}
