/*
 * The PostgreSQL side: a fixed pool of connections shared by the worker
 * threads, and the query helpers handlers use. Every query is parameterised.
 */
#ifndef CPT_DB_H
#define CPT_DB_H

#include "call.h"

#include <libpq-fe.h>

typedef struct cpt_pool cpt_pool;

/* Opens size connections with conninfo. Caller frees with cpt_pool_free(). */
int cpt_pool_new(const char *conninfo, unsigned size, cpt_pool **out, cpt_status *st);
void cpt_pool_free(cpt_pool *pool);
/*
 * Blocks until a connection is free; reconnects one found broken. *prepared
 * gets the connection's prepared-statement cache, for cpt_call.prepared.
 */
PGconn *cpt_pool_acquire(cpt_pool *pool, struct _GHashTable **prepared);
void cpt_pool_release(cpt_pool *pool, PGconn *conn);

/*
 * Runs sql with n text parameters (NULL entries are SQL NULL). Returns the
 * result (caller PQclears) or NULL with st set and the call's sqlstate,
 * constraint, retry and conn_broken filled in.
 */
PGresult *cpt_db_exec(cpt_call *call, cpt_status *st, const char *sql, int n,
		      const char *const *params);
#define cpt_db_query(call, st, sql, ...)                                                           \
	cpt_db_exec((call), (st), (sql),                                                           \
		    (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),           \
		    (const char *const[]){__VA_ARGS__})
/*
 * cpt_db_exec for bytes: lengths[i] and formats[i] (1: binary, such as the
 * raw bytes of a bytea; 0: text) per parameter, and the whole result in text
 * (result_format 0) or binary (1: a bytea column reads as its raw bytes,
 * PQgetlength long). Spares a file the hex escaping of text parameters.
 */
PGresult *cpt_db_exec_bytes(cpt_call *call, cpt_status *st, const char *sql, int n,
			    const char *const *params, const int *lengths, const int *formats,
			    int result_format);
/*
 * BEGIN, then sql, sent together in libpq's pipeline mode: one round trip.
 * Returns sql's result like cpt_db_exec.
 */
PGresult *cpt_db_exec_after_begin(cpt_call *call, cpt_status *st, const char *sql, int n,
				  const char *const *params);
/*
 * Queues a write whose result nobody reads (the audit, a kept answer): it
 * goes with the call's next statement (the COMMIT at the latest), in one
 * round trip, and its error, if any, is that statement's. Parameters are
 * copied; lengths and formats as cpt_db_exec_bytes's (NULL: all text).
 */
void cpt_db_defer(cpt_call *call, const char *sql, int n, const char *const *params,
		  const int *lengths, const int *formats);
/* ROLLBACK, the deferred statements dropped. */
void cpt_db_rollback(cpt_call *call);
/*
 * COMMIT, the deferred statements first; commit_sent says whether it went
 * out (a lost connection leaves the outcome unknown). On an error, the
 * transaction is over either way.
 */
int cpt_db_commit(cpt_call *call, cpt_status *st);

/*
 * Independent statements in one pipeline: one round trip, the call's
 * deferred writes first. On OK, out[i] is statement i's result (caller
 * PQclears each); else the first error, with st set, and no result.
 */
typedef struct {
	const char *sql;
	int n;
	const char *const *params;
} cpt_db_stmt;
int cpt_db_exec_all(cpt_call *call, cpt_status *st, int k, const cpt_db_stmt *stmts,
		    PGresult **out);

/* A query without parameters. */
PGresult *cpt_db_exec0(cpt_call *call, cpt_status *st, const char *sql);

/* Whether the last error was a unique violation of constraint. */
bool cpt_db_violated(const cpt_call *call, const char *constraint);

/* Column helpers on row r; a NULL value reads as 0, "" or false. */
int64_t cpt_db_i64(const PGresult *res, int r, int c);
const char *cpt_db_str(const PGresult *res, int r, int c);
bool cpt_db_bool(const PGresult *res, int r, int c);

/*
 * Sets the transaction's company and user for row-level security, when a
 * handler learns them itself (Login, Resume); the dispatcher does it for
 * every call made with a session.
 */
int cpt_db_set_context(cpt_call *call, cpt_status *st, int64_t company_id, int64_t user_id);

/* Opens one connection outside the pool (comptoirctl). */
PGconn *cpt_db_connect(const char *conninfo, cpt_status *st);

#endif
