/*
 * The dispatch table: every RPC method, its handler and the permission it
 * needs. Built once from the protobuf-c service descriptors; adding a method
 * is one line in dispatch.c plus its handler. The permission check happens
 * here, once, before the handler runs: first against the connection's cached
 * session on the loop thread, then again in the database at the start of the
 * call's transaction, so a revoked right or a locked user stops at once.
 */
#ifndef CPT_DISPATCH_H
#define CPT_DISPATCH_H

#include "call.h"
#include "db.h"

enum cpt_method_flags {
	CPT_M_PUBLIC = 1 << 0,	    /* answers before login */
	CPT_M_SESSION = 1 << 1,	    /* needs a session, no particular permission */
	CPT_M_MUST_CHANGE = 1 << 2, /* allowed while a password change is pending */
	CPT_M_NO_DB = 1 << 3,	    /* runs without a database connection */
	CPT_M_SESSION_OPT = 1 << 4, /* public, but gets the session if there is one */
};

typedef struct cpt_method {
	char *name; /* "comptoir.auth.Auth/Login" */
	const ProtobufCMessageDescriptor *input;
	const ProtobufCMessageDescriptor *output;
	cpt_handler_fn handler;
	const char *permission; /* NULL for CPT_M_PUBLIC and CPT_M_SESSION */
	unsigned flags;
	/*
	 * When set, a keyed call's kept answer is not its bytes: the call is
	 * answered again by this read of the same input (Validate's answer is
	 * the document as Get reads it). The key is then kept before the work,
	 * outside the locks the work takes.
	 */
	cpt_handler_fn replay;
} cpt_method;

/* Builds the table; fails if a service method has no handler. */
int cpt_dispatch_init(cpt_status *st);
void cpt_dispatch_free(void);
const cpt_method *cpt_dispatch_find(const char *name);
/* The whole table, for tests that walk it. */
const cpt_method *cpt_dispatch_methods(size_t *n);

/*
 * Checks a decoded input: every string valid UTF-8 and within its limit.
 * Names the field at fault.
 */
int cpt_dispatch_validate(const ProtobufCMessage *msg, cpt_status *st);

/* The result of one call, ready for the loop thread to send. */
typedef struct cpt_call_result {
	cpt_status status;
	uint8_t *payload; /* packed output; malloc'd */
	size_t payload_len;
	cpt_session *session_out; /* new session for the connection, or NULL */
	bool session_clear;	  /* the connection's session ended */
} cpt_call_result;

/*
 * Runs one call to completion on the current (worker) thread: pool
 * connection, transaction, session re-check, handler, commit or rollback,
 * retries. session may be NULL. key (hex, or NULL): the request's
 * idempotency key; a write's answer is kept with its work, and a call sent
 * again with the same key gets it back instead of running twice.
 */
void cpt_dispatch_run(const cpt_method *m, cpt_pool *pool, const struct cpt_config *cfg,
		      const cpt_session *session, const char *peer, const ProtobufCMessage *in,
		      const char *key, cpt_call_result *res);

#endif
