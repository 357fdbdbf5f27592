/*
 * Live updates. A handler calls cpt_notify inside its transaction (so only
 * committed changes are told); comptoird keeps one dedicated PostgreSQL
 * connection that LISTENs, polled by the libuv loop, and sends an Event frame
 * to every authenticated connection of that company.
 */
#ifndef CPT_EVENTS_H
#define CPT_EVENTS_H

#include "call.h"

struct cpt_server;

/* Announces that topic row id changed ("create", "update", "delete"...). */
int cpt_notify(cpt_call *call, cpt_status *st, const char *topic, int64_t id, const char *action);
/* The NOTIFY payload cpt_notify sends (call's arena), for statements that notify themselves. */
char *cpt_notify_payload(cpt_call *call, const char *topic, int64_t id, const char *action);

/* Starts listening (and keeps reconnecting if the database goes away). */
int cpt_events_start(struct cpt_server *srv, cpt_status *st);
/* Stops listening and closes the connection; its handles close asynchronously. */
void cpt_events_stop(struct cpt_server *srv);

/* net.c: sends the event to the connections whose session is in company_id. */
void cpt_net_broadcast(struct cpt_server *srv, int64_t company_id, const char *topic, int64_t id,
		       const char *action);

#endif
