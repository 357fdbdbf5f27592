/*
 * cpt_call: what a handler gets. Handlers are plain synchronous C run on a
 * worker thread inside one transaction; they know nothing of sockets.
 *
 * A handler checks its input, checks state, writes, and returns a status with
 * an output message allocated from the call's arena (cpt_call_alloc), which
 * the dispatcher packs and frees after the transaction ends.
 */
#ifndef CPT_CALL_H
#define CPT_CALL_H

#include "status.h"

#include <libpq-fe.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpt_server;

/* What the loop thread keeps for an authenticated connection. */
typedef struct cpt_session {
	int64_t id;
	int64_t user_id;
	int64_t company_id;
	bool must_change_password;
	char **permissions; /* sorted, NULL-terminated; owned */
	size_t n_permissions;
} cpt_session;

/* Copies a session (deep). Caller frees with cpt_session_free(). */
cpt_session *cpt_session_dup(const cpt_session *s);
void cpt_session_free(cpt_session *s);
bool cpt_session_has(const cpt_session *s, const char *permission);

typedef struct cpt_arena_chunk cpt_arena_chunk;

typedef struct cpt_deferred cpt_deferred;

typedef struct cpt_call {
	const struct cpt_config *cfg;
	PGconn *db;
	struct _GHashTable *prepared; /* the connection's statement cache, or NULL */
	const char *method;	      /* "comptoir.auth.Auth/Login" */
	int64_t session_id;	      /* 0 before login */
	int64_t user_id;
	int64_t company_id;
	char peer[64]; /* client address, for the audit log */

	/* Set by auth handlers: the connection's new session, or its end. */
	cpt_session *session_out;
	bool session_clear;
	/* Commit even though the status is not OK (e.g. a failed login counts). */
	bool commit_on_error;

	/* Last SQL error, for handlers that map constraints to fields. */
	char sqlstate[6];
	char constraint[64];
	bool retry;	  /* serialization failure or deadlock: run again */
	bool conn_broken; /* the database connection is gone */
	bool commit_sent; /* COMMIT went out: a lost connection leaves the outcome unknown */

	/*
	 * Work that must follow a successful commit in a transaction of its
	 * own (rendering an archive outside the numbering locks). Its failure
	 * is logged, never reported: what was committed stands. It must be
	 * idempotent, as a crash may skip it and a later call redo it.
	 */
	int (*after_commit)(struct cpt_call *call, cpt_status *st, int64_t arg);
	int64_t after_commit_arg;

	/* Writes queued by cpt_db_defer(), sent with the next statement. */
	struct cpt_deferred *deferred;

	cpt_arena_chunk *arena;
} cpt_call;

typedef int (*cpt_handler_fn)(cpt_call *call, const ProtobufCMessage *in, ProtobufCMessage **out,
			      cpt_status *st);

/* Zeroed memory living until the call ends. Aborts only on out-of-memory. */
void *cpt_call_alloc(cpt_call *call, size_t size);
char *cpt_call_strdup(cpt_call *call, const char *s);
/* The first n bytes of s (which has at least n). */
char *cpt_call_strndup(cpt_call *call, const char *s, size_t n);
char *cpt_call_printf(cpt_call *call, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An int64 as text, for query parameters. */
const char *cpt_call_i64(cpt_call *call, int64_t v);
void cpt_call_arena_free(cpt_call *call);

#define CPT_NEW(call, type, init)                                                                  \
	({                                                                                         \
		type *m_ = cpt_call_alloc((call), sizeof(type));                                   \
		init(m_);                                                                          \
		m_;                                                                                \
	})

#endif
