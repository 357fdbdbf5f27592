/*
 * CptConn: the workstation's connection to comptoird. Calls run on a worker
 * thread (the UI never waits on the network) and their results come back to
 * the main loop through GAsyncReadyCallback. When the connection drops, the
 * next call — or the heartbeat — reconnects with the pinned certificate and
 * resumes the session with its token, then the call goes through.
 *
 * Signals: "session-changed", "session-lost", and "event" (topic, id,
 * action) for changes other workstations made in the company. Events ride
 * along with answers; the heartbeat (every 2 s) brings them when idle.
 */
#ifndef CPT_CONN_H
#define CPT_CONN_H

#include "status.h"

#include <gio/gio.h>
#include <protobuf-c/protobuf-c.h>

#include "auth.pb-c.h"

G_BEGIN_DECLS

#define CPT_TYPE_CONN (cpt_conn_get_type())
G_DECLARE_FINAL_TYPE(CptConn, cpt_conn, CPT, CONN, GObject)

typedef enum {
	CPT_CONN_OFFLINE, /* never connected, or closed */
	CPT_CONN_ONLINE,  /* TLS up, no session */
	CPT_CONN_AUTHENTICATED,
	CPT_CONN_RECONNECTING, /* lost; trying again */
} CptConnState;

/* The outcome of a call: a status and, on OK, the decoded output. */
typedef struct {
	cpt_status status;
	ProtobufCMessage *output; /* owned; freed with the result */
} CptCallResult;

void cpt_call_result_free(CptCallResult *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CptCallResult, cpt_call_result_free)

CptConn *cpt_conn_new(const char *host, int port);
const char *cpt_conn_get_host(CptConn *self);
int cpt_conn_get_port(CptConn *self);
CptConnState cpt_conn_get_state(CptConn *self);
/* The server certificate's fingerprint seen at the last connection. */
const char *cpt_conn_get_fingerprint(CptConn *self);
/* Pins the fingerprint; later connections refuse any other certificate. */
void cpt_conn_set_pin(CptConn *self, const char *fingerprint);

/* Opens the TLS connection (no pin needed: the fingerprint is then reported). */
void cpt_conn_connect_async(CptConn *self, GCancellable *cancellable, GAsyncReadyCallback cb,
			    gpointer user_data);
CptCallResult *cpt_conn_connect_finish(CptConn *self, GAsyncResult *res);

/*
 * Calls method with in (packed at once, so in may be freed on return);
 * the callback gets a CptCallResult from cpt_conn_call_finish (caller frees).
 */
void cpt_conn_call_async(CptConn *self, const char *method, const ProtobufCMessage *in,
			 const ProtobufCMessageDescriptor *out_desc, GCancellable *cancellable,
			 GAsyncReadyCallback cb, gpointer user_data);
CptCallResult *cpt_conn_call_finish(CptConn *self, GAsyncResult *res);

/* The session, once Login (or Resume) succeeded through this connection. */
const Comptoir__Auth__SessionReply *cpt_conn_get_session(CptConn *self);
gboolean cpt_conn_has_permission(CptConn *self, const char *permission);
/* Forgets the session (after Logout). */
void cpt_conn_clear_session(CptConn *self);
/* Closes the socket and pretends nothing: tests simulate a network cut. */
void cpt_conn_drop(CptConn *self);

G_END_DECLS

#endif
