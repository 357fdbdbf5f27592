/*
 * CptConn: one TLS connection to comptoird, used by the main loop through
 * GTask worker threads. A mutex serialises the calls on the socket; the
 * state and the session live on the main thread only.
 */
#include "cpt-conn.h"
#include "client.h"

#include "rpc.pb-c.h"

#include <string.h>

#define HEARTBEAT_MS 2000
#define CALL_TIMEOUT_MS 15000

struct _CptConn {
	GObject parent_instance;
	char *host;
	int port;

	GMutex lock; /* guards client, pin, fingerprint, token */
	cpt_client *client;
	char *pin;
	char fingerprint[CPT_FINGERPRINT_LEN + 1];
	char *token;

	/* Main thread only. */
	CptConnState state;
	Comptoir__Auth__SessionReply *session;
	guint heartbeat;
	gboolean heartbeat_busy;
};

G_DEFINE_TYPE(CptConn, cpt_conn, G_TYPE_OBJECT)

enum { PROP_0, PROP_STATE, N_PROPS };
static GParamSpec *props[N_PROPS];
enum { SIGNAL_SESSION_CHANGED, SIGNAL_SESSION_LOST, SIGNAL_EVENT, N_SIGNALS };
static guint signals[N_SIGNALS];

void cpt_call_result_free(CptCallResult *r)
{
	if (!r) {
		return;
	}
	if (r->output) {
		protobuf_c_message_free_unpacked(r->output, NULL);
	}
	g_free(r);
}

/* ---------------------------------------------------------------------------
 * State, posted from workers to the main loop
 */

static void set_state(CptConn *self, CptConnState state)
{
	if (self->state == state) {
		return;
	}
	self->state = state;
	g_object_notify_by_pspec(G_OBJECT(self), props[PROP_STATE]);
}

typedef struct {
	CptConn *self;
	CptConnState state;
} StatePost;

static gboolean state_post_cb(gpointer data)
{
	StatePost *p = data;
	set_state(p->self, p->state);
	g_object_unref(p->self);
	g_free(p);
	return G_SOURCE_REMOVE;
}

typedef struct {
	CptConn *self;
	char *topic;
	gint64 id;
	char *action;
} EventPost;

static gboolean event_post_cb(gpointer data)
{
	EventPost *e = data;
	g_signal_emit(e->self, signals[SIGNAL_EVENT], 0, e->topic, e->id, e->action);
	g_object_unref(e->self);
	free(e->topic);
	free(e->action);
	g_free(e);
	return G_SOURCE_REMOVE;
}

/* Hands the events that came in with the last answers to the main loop. */
static void post_events(CptConn *self)
{
	char *topic, *action;
	int64_t id;
	while (self->client && cpt_client_next_event(self->client, &topic, &id, &action)) {
		EventPost *e = g_new0(EventPost, 1);
		e->self = g_object_ref(self);
		e->topic = topic;
		e->id = id;
		e->action = action;
		g_main_context_invoke(NULL, event_post_cb, e);
	}
}

static void post_state(CptConn *self, CptConnState state)
{
	StatePost *p = g_new0(StatePost, 1);
	p->self = g_object_ref(self);
	p->state = state;
	g_main_context_invoke(NULL, state_post_cb, p);
}

/* ---------------------------------------------------------------------------
 * Worker side: everything below runs with self->lock held
 */

static int raw_call(cpt_client *c, const char *method, GBytes *payload, const guint8 *key,
		    const ProtobufCMessageDescriptor *out_desc, ProtobufCMessage **out,
		    cpt_status *st, gboolean *transport_failed)
{
	static uint64_t next_id; /* callers hold the connection's lock */
	uint64_t id = ++next_id;
	gsize len = 0;
	const void *data = payload ? g_bytes_get_data(payload, &len) : NULL;
	*transport_failed = FALSE;
	*out = NULL;
	if (cpt_client_send_request_keyed(c, id, method, data ? data : "", len, key, key ? 16 : 0,
					  st) != 0) {
		*transport_failed = TRUE;
		return st->code;
	}
	for (;;) {
		uint64_t got;
		uint8_t *bytes = NULL;
		size_t n = 0;
		if (cpt_client_recv(c, &got, &bytes, &n, st) < 0) {
			*transport_failed = TRUE;
			return st->code;
		}
		if (got != id) {
			free(bytes);
			continue;
		}
		if (st->code == CPT_OK && out_desc) {
			*out = protobuf_c_message_unpack(out_desc, NULL, n, bytes);
			if (!*out) {
				cpt_status_set(st, CPT_INTERNAL, NULL,
					       "réponse illisible du serveur");
			}
		}
		free(bytes);
		return st->code;
	}
}

static int connect_locked(CptConn *self, cpt_status *st)
{
	cpt_client_opts o = {.host = self->host,
			     .port = self->port,
			     .pin = self->pin,
			     .timeout_ms = CALL_TIMEOUT_MS};
	if (cpt_client_connect(&o, &self->client, st) != 0) {
		return st->code;
	}
	g_strlcpy(self->fingerprint, cpt_client_fingerprint(self->client),
		  sizeof self->fingerprint);
	return 0;
}

/* Reconnects and, if there was a session, resumes it. */
static int reconnect_locked(CptConn *self, cpt_status *st)
{
	if (connect_locked(self, st) != 0) {
		return st->code;
	}
	if (!self->token) {
		return 0;
	}
	Comptoir__Auth__ResumeRequest req = COMPTOIR__AUTH__RESUME_REQUEST__INIT;
	req.token = self->token;
	guint8 *buf = g_malloc(protobuf_c_message_get_packed_size(&req.base) + 1);
	size_t n = protobuf_c_message_pack(&req.base, buf);
	g_autoptr(GBytes) payload = g_bytes_new_take(buf, n);
	ProtobufCMessage *out = NULL;
	gboolean broken;
	int rc = raw_call(self->client, "comptoir.auth.Auth/Resume", payload, NULL, NULL, &out, st,
			  &broken);
	if (broken) {
		cpt_client_close(self->client);
		self->client = NULL;
	}
	if (rc == CPT_UNAUTHENTICATED) {
		g_clear_pointer(&self->token, g_free);
	}
	return rc;
}

typedef struct {
	char *method;
	GBytes *payload;
	const ProtobufCMessageDescriptor *out_desc;
	gboolean connect_only;
	guint8 key[16]; /* the same for every attempt: a write is done once */
} CallData;

static void call_data_free(CallData *d)
{
	g_free(d->method);
	g_clear_pointer(&d->payload, g_bytes_unref);
	g_free(d);
}

static void call_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancel)
{
	CptConn *self = source;
	CallData *d = task_data;
	CptCallResult *res = g_new0(CptCallResult, 1);
	g_mutex_lock(&self->lock);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!self->client) {
			if (attempt > 0 || self->token) {
				post_state(self, CPT_CONN_RECONNECTING);
			}
			int rc = self->token ? reconnect_locked(self, &res->status)
					     : connect_locked(self, &res->status);
			if (rc == CPT_UNAUTHENTICATED) {
				post_state(self, CPT_CONN_ONLINE);
				break;
			}
			if (rc != 0) {
				if (self->client) {
					cpt_client_close(self->client);
					self->client = NULL;
				}
				post_state(self,
					   self->token ? CPT_CONN_RECONNECTING : CPT_CONN_OFFLINE);
				break;
			}
			post_state(self, self->token ? CPT_CONN_AUTHENTICATED : CPT_CONN_ONLINE);
		}
		if (d->connect_only) {
			break;
		}
		gboolean broken = FALSE;
		raw_call(self->client, d->method, d->payload, d->key, d->out_desc, &res->output,
			 &res->status, &broken);
		if (!broken) {
			break;
		}
		/* The connection died under the call: reconnect, resume, send again. */
		cpt_client_close(self->client);
		self->client = NULL;
	}
	post_events(self);
	if (res->status.code == CPT_OK && res->output &&
	    (g_str_equal(d->method, "comptoir.auth.Auth/Login") ||
	     g_str_equal(d->method, "comptoir.auth.Auth/Resume"))) {
		g_free(self->token);
		self->token = g_strdup(((Comptoir__Auth__SessionReply *)res->output)->token);
	}
	g_mutex_unlock(&self->lock);
	g_task_return_pointer(task, res, (GDestroyNotify)cpt_call_result_free);
}

/* ---------------------------------------------------------------------------
 * Main-thread API
 */

static void start_call(CptConn *self, CallData *d, GCancellable *cancellable,
		       GAsyncReadyCallback cb, gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, cb, user_data);
	g_task_set_task_data(task, d, (GDestroyNotify)call_data_free);
	g_task_set_return_on_cancel(task, FALSE);
	g_task_run_in_thread(task, call_thread);
	g_object_unref(task);
}

void cpt_conn_connect_async(CptConn *self, GCancellable *cancellable, GAsyncReadyCallback cb,
			    gpointer user_data)
{
	CallData *d = g_new0(CallData, 1);
	d->method = g_strdup("");
	d->connect_only = TRUE;
	start_call(self, d, cancellable, cb, user_data);
}

CptCallResult *cpt_conn_connect_finish(CptConn *self, GAsyncResult *res)
{
	return g_task_propagate_pointer(G_TASK(res), NULL);
}

void cpt_conn_call_async(CptConn *self, const char *method, const ProtobufCMessage *in,
			 const ProtobufCMessageDescriptor *out_desc, GCancellable *cancellable,
			 GAsyncReadyCallback cb, gpointer user_data)
{
	CallData *d = g_new0(CallData, 1);
	d->method = g_strdup(method);
	size_t n = protobuf_c_message_get_packed_size(in);
	guint8 *buf = g_malloc(n + 1);
	protobuf_c_message_pack(in, buf);
	d->payload = g_bytes_new_take(buf, n);
	d->out_desc = out_desc;
	for (size_t i = 0; i < sizeof d->key; i += 4) {
		guint32 r = g_random_int();
		memcpy(d->key + i, &r, 4);
	}
	start_call(self, d, cancellable, cb, user_data);
}

static Comptoir__Auth__SessionReply *copy_session(const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	g_autofree guint8 *buf = g_malloc(n + 1);
	protobuf_c_message_pack(m, buf);
	return comptoir__auth__session_reply__unpack(NULL, n, buf);
}

CptCallResult *cpt_conn_call_finish(CptConn *self, GAsyncResult *res)
{
	CptCallResult *r = g_task_propagate_pointer(G_TASK(res), NULL);
	CallData *d = g_task_get_task_data(G_TASK(res));
	if (!r) {
		return NULL;
	}
	gboolean session_call = g_str_equal(d->method, "comptoir.auth.Auth/Login") ||
				g_str_equal(d->method, "comptoir.auth.Auth/Resume");
	if (r->status.code == CPT_OK && session_call) {
		if (self->session) {
			comptoir__auth__session_reply__free_unpacked(self->session, NULL);
		}
		self->session = copy_session(r->output);
		set_state(self, CPT_CONN_AUTHENTICATED);
		g_signal_emit(self, signals[SIGNAL_SESSION_CHANGED], 0);
	} else if (r->status.code == CPT_OK && self->session &&
		   g_str_equal(d->method, "comptoir.auth.Auth/ChangePassword")) {
		self->session->must_change_password = FALSE;
		g_signal_emit(self, signals[SIGNAL_SESSION_CHANGED], 0);
	} else if (r->status.code == CPT_UNAUTHENTICATED && self->session && !session_call) {
		/* The server ended the session (expired, locked, revoked). */
		cpt_conn_clear_session(self);
		g_signal_emit(self, signals[SIGNAL_SESSION_LOST], 0);
	}
	return r;
}

const Comptoir__Auth__SessionReply *cpt_conn_get_session(CptConn *self)
{
	return self->session;
}

gboolean cpt_conn_has_permission(CptConn *self, const char *permission)
{
	if (!self->session) {
		return FALSE;
	}
	for (size_t i = 0; i < self->session->n_permissions; i++) {
		if (g_str_equal(self->session->permissions[i], permission)) {
			return TRUE;
		}
	}
	return FALSE;
}

void cpt_conn_clear_session(CptConn *self)
{
	g_mutex_lock(&self->lock);
	g_clear_pointer(&self->token, g_free);
	g_mutex_unlock(&self->lock);
	if (self->session) {
		comptoir__auth__session_reply__free_unpacked(self->session, NULL);
		self->session = NULL;
	}
	if (self->state == CPT_CONN_AUTHENTICATED || self->state == CPT_CONN_RECONNECTING) {
		set_state(self, CPT_CONN_ONLINE);
	}
}

void cpt_conn_drop(CptConn *self)
{
	g_mutex_lock(&self->lock);
	if (self->client) {
		cpt_client_close(self->client);
		self->client = NULL;
	}
	g_mutex_unlock(&self->lock);
}

const char *cpt_conn_get_host(CptConn *self)
{
	return self->host;
}

int cpt_conn_get_port(CptConn *self)
{
	return self->port;
}

CptConnState cpt_conn_get_state(CptConn *self)
{
	return self->state;
}

const char *cpt_conn_get_fingerprint(CptConn *self)
{
	return self->fingerprint;
}

void cpt_conn_set_pin(CptConn *self, const char *fingerprint)
{
	g_mutex_lock(&self->lock);
	g_free(self->pin);
	self->pin = g_strdup(fingerprint);
	g_mutex_unlock(&self->lock);
}

/* ---------------------------------------------------------------------------
 * Heartbeat: notices a lost server and brings the session back by itself
 */

static void heartbeat_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	CptConn *self = CPT_CONN(source);
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(self, res);
	self->heartbeat_busy = FALSE;
}

static gboolean heartbeat_tick(gpointer data)
{
	CptConn *self = data;
	if (self->heartbeat_busy || self->state == CPT_CONN_OFFLINE) {
		return G_SOURCE_CONTINUE;
	}
	self->heartbeat_busy = TRUE;
	Comptoir__Rpc__Empty in = COMPTOIR__RPC__EMPTY__INIT;
	cpt_conn_call_async(self, "comptoir.rpc.Server/Info", &in.base,
			    &comptoir__rpc__info_reply__descriptor, NULL, heartbeat_done, NULL);
	return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------------------
 * GObject
 */

static void cpt_conn_finalize(GObject *object)
{
	CptConn *self = CPT_CONN(object);
	if (self->heartbeat) {
		g_source_remove(self->heartbeat);
	}
	cpt_client_close(self->client);
	if (self->session) {
		comptoir__auth__session_reply__free_unpacked(self->session, NULL);
	}
	g_free(self->host);
	g_free(self->pin);
	g_free(self->token);
	g_mutex_clear(&self->lock);
	G_OBJECT_CLASS(cpt_conn_parent_class)->finalize(object);
}

static void cpt_conn_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
	CptConn *self = CPT_CONN(object);
	if (id == PROP_STATE) {
		g_value_set_int(value, self->state);
	} else {
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
	}
}

static void cpt_conn_class_init(CptConnClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	oc->finalize = cpt_conn_finalize;
	oc->get_property = cpt_conn_get_property;
	props[PROP_STATE] =
	    g_param_spec_int("state", NULL, NULL, 0, CPT_CONN_RECONNECTING, CPT_CONN_OFFLINE,
			     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties(oc, N_PROPS, props);
	signals[SIGNAL_SESSION_CHANGED] =
	    g_signal_new("session-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 0);
	signals[SIGNAL_SESSION_LOST] =
	    g_signal_new("session-lost", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 0);
	/* A change on the server in the session's company: topic, row id, action. */
	signals[SIGNAL_EVENT] =
	    g_signal_new("event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
			 G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_STRING);
}

static void cpt_conn_init(CptConn *self)
{
	g_mutex_init(&self->lock);
}

CptConn *cpt_conn_new(const char *host, int port)
{
	CptConn *self = g_object_new(CPT_TYPE_CONN, NULL);
	self->host = g_strdup(host);
	self->port = port;
	self->heartbeat = g_timeout_add(HEARTBEAT_MS, heartbeat_tick, self);
	return self;
}
