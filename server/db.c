/*
 * Connection pool and query helpers. The pool is a fixed array guarded by a
 * mutex; workers block on the condition variable when every connection is
 * taken. A connection found broken is reset when it is next acquired, so a
 * restarted PostgreSQL costs the calls in flight, not the daemon.
 */
#include "db.h"
#include "log.h"

#include <glib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Statements prepared per connection: SQL text -> statement name. */
#define PREPARED_MAX 256

typedef struct pooled {
	PGconn *pg;
	GHashTable *prepared;
} pooled;

struct cpt_pool {
	pthread_mutex_t lock;
	pthread_cond_t available;
	unsigned size;
	unsigned n_free;
	pooled **free; /* stack of idle connections */
	pooled *all;
};

static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

PGconn *cpt_db_connect(const char *conninfo, cpt_status *st)
{
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		cpt_status_set(st, CPT_UNAVAILABLE, NULL, "connexion à PostgreSQL impossible : %s",
			       PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, quiet_notice, NULL);
	/*
	 * Short transactions only: JIT compiling a plan costs far more than the
	 * query (200 ms seen on a 100 000-row count).
	 */
	PQclear(PQexec(c, "SET jit = off"));
	return c;
}

int cpt_pool_new(const char *conninfo, unsigned size, cpt_pool **out, cpt_status *st)
{
	cpt_pool *p = calloc(1, sizeof *p);
	p->all = calloc(size, sizeof(pooled));
	p->free = calloc(size, sizeof(pooled *));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->available, NULL);
	for (unsigned i = 0; i < size; i++) {
		PGconn *c = cpt_db_connect(conninfo, st);
		if (!c) {
			cpt_pool_free(p);
			return st->code;
		}
		pooled *slot = &p->all[p->size++];
		slot->pg = c;
		slot->prepared = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		p->free[p->n_free++] = slot;
	}
	*out = p;
	return 0;
}

void cpt_pool_free(cpt_pool *p)
{
	if (!p) {
		return;
	}
	for (unsigned i = 0; i < p->size; i++) {
		PQfinish(p->all[i].pg);
		g_hash_table_destroy(p->all[i].prepared);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->available);
	free(p->all);
	free(p->free);
	free(p);
}

PGconn *cpt_pool_acquire(cpt_pool *p, struct _GHashTable **prepared)
{
	pthread_mutex_lock(&p->lock);
	while (p->n_free == 0) {
		pthread_cond_wait(&p->available, &p->lock);
	}
	pooled *slot = p->free[--p->n_free];
	pthread_mutex_unlock(&p->lock);
	if (PQstatus(slot->pg) != CONNECTION_OK) {
		cpt_warn("database connection lost, reconnecting");
		PQreset(slot->pg);
		/* A new server session has none of our prepared statements. */
		g_hash_table_remove_all(slot->prepared);
		if (PQstatus(slot->pg) == CONNECTION_OK) {
			PQsetNoticeProcessor(slot->pg, quiet_notice, NULL);
			PQclear(PQexec(slot->pg, "SET jit = off"));
		}
	}
	*prepared = slot->prepared;
	return slot->pg;
}

void cpt_pool_release(cpt_pool *p, PGconn *c)
{
	pooled *slot = NULL;
	for (unsigned i = 0; i < p->size && !slot; i++) {
		slot = p->all[i].pg == c ? &p->all[i] : NULL;
	}
	pthread_mutex_lock(&p->lock);
	p->free[p->n_free++] = slot;
	pthread_cond_signal(&p->available);
	pthread_mutex_unlock(&p->lock);
}

static PGresult *check(cpt_call *call, cpt_status *st, PGresult *res)
{
	ExecStatusType s = PQresultStatus(res);
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		return res;
	}
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *cons = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
	snprintf(call->sqlstate, sizeof call->sqlstate, "%s", state ? state : "");
	snprintf(call->constraint, sizeof call->constraint, "%s", cons ? cons : "");
	if (PQstatus(call->db) != CONNECTION_OK) {
		call->conn_broken = true;
		cpt_status_set(st, CPT_UNAVAILABLE, NULL, "base de données indisponible");
	} else if (strcmp(call->sqlstate, "40001") == 0 || strcmp(call->sqlstate, "40P01") == 0) {
		call->retry = true;
		cpt_status_set(st, CPT_ABORTED, NULL, "conflit d'écriture, réessayez");
	} else if (strcmp(call->sqlstate, "23505") == 0) {
		cpt_status_set(st, CPT_ALREADY_EXISTS, NULL, "cette valeur existe déjà");
	} else if (strcmp(call->sqlstate, "42501") == 0) {
		cpt_warn("%s: refused by the database: %s", call->method ? call->method : "?",
			 PQresultErrorMessage(res));
		cpt_status_set(st, CPT_PERMISSION_DENIED, NULL, "opération refusée par la base");
	} else {
		cpt_error("%s: SQL error %s: %s", call->method ? call->method : "?", call->sqlstate,
			  PQresultErrorMessage(res));
		cpt_status_set(st, CPT_INTERNAL, NULL, "erreur interne de la base de données");
	}
	PQclear(res);
	return NULL;
}

/*
 * Statements run many times are prepared once per connection: parsing and
 * planning were most of a short call's time. A statement that does not
 * prepare is an error of its own: *failed gets it when the caller wants it
 * (inside a transaction, which the failure has aborted), else NULL is
 * returned and running it unprepared shows the error.
 */
static const char *prepared_name(cpt_call *call, const char *sql, int n, PGresult **failed)
{
	GHashTable *cache = call->prepared;
	if (!cache) {
		return NULL;
	}
	const char *name = g_hash_table_lookup(cache, sql);
	if (name || g_hash_table_size(cache) >= PREPARED_MAX) {
		return name;
	}
	char *fresh = g_strdup_printf("s%u", g_hash_table_size(cache) + 1);
	PGresult *r = PQprepare(call->db, fresh, sql, n, NULL);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok && failed) {
		*failed = r;
	} else {
		PQclear(r);
	}
	if (!ok) {
		g_free(fresh);
		return NULL;
	}
	g_hash_table_insert(cache, g_strdup(sql), fresh);
	return fresh;
}

PGresult *cpt_db_exec(cpt_call *call, cpt_status *st, const char *sql, int n,
		      const char *const *params)
{
	PGresult *failed = NULL;
	const char *name = prepared_name(call, sql, n, &failed);
	if (failed) {
		return check(call, st, failed);
	}
	if (name) {
		return check(call, st, PQexecPrepared(call->db, name, n, params, NULL, NULL, 0));
	}
	return check(call, st, PQexecParams(call->db, sql, n, NULL, params, NULL, NULL, 0));
}

PGresult *cpt_db_exec_bytes(cpt_call *call, cpt_status *st, const char *sql, int n,
			    const char *const *params, const int *lengths, const int *formats,
			    int result_format)
{
	PGresult *failed = NULL;
	const char *name = prepared_name(call, sql, n, &failed);
	if (failed) {
		return check(call, st, failed);
	}
	if (name) {
		return check(
		    call, st,
		    PQexecPrepared(call->db, name, n, params, lengths, formats, result_format));
	}
	return check(call, st,
		     PQexecParams(call->db, sql, n, NULL, params, lengths, formats, result_format));
}

PGresult *cpt_db_exec_after_begin(cpt_call *call, cpt_status *st, const char *sql, int n,
				  const char *const *params)
{
	PGconn *db = call->db;
	const char *name = prepared_name(call, sql, n, NULL); /* PQprepare cannot run in a pipeline */
	if (PQenterPipelineMode(db) != 1) {
		PGresult *r = cpt_db_exec0(call, st, "BEGIN");
		if (!r) {
			return NULL;
		}
		PQclear(r);
		return cpt_db_exec(call, st, sql, n, params);
	}
	bool sent = PQsendQueryParams(db, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) == 1 &&
		    (name ? PQsendQueryPrepared(db, name, n, params, NULL, NULL, 0)
			  : PQsendQueryParams(db, sql, n, NULL, params, NULL, NULL, 0)) == 1 &&
		    PQpipelineSync(db) == 1;
	/* Results come as BEGIN, NULL, sql, NULL, then the sync marker. */
	PGresult *got[2] = {NULL, NULL};
	int n_got = 0, nulls = 0;
	while (sent && nulls < 2) {
		PGresult *r = PQgetResult(db);
		if (!r) {
			nulls++;
			continue;
		}
		nulls = 0;
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (n_got < 2) {
			got[n_got++] = r;
		} else {
			PQclear(r);
		}
	}
	PGresult *begin = got[0], *result = got[1];
	if (PQexitPipelineMode(db) != 1) {
		/* Results left unread: this connection cannot go back to the pool as is. */
		cpt_warn("database connection stuck in pipeline mode, resetting");
		PQreset(db);
		if (call->prepared) {
			g_hash_table_remove_all(call->prepared);
		}
		PQclear(got[0]);
		PQclear(got[1]);
		call->conn_broken = true;
		cpt_status_set(st, CPT_UNAVAILABLE, NULL, "base de données indisponible");
		return NULL;
	}
	if (!begin || PQresultStatus(begin) != PGRES_COMMAND_OK) {
		PQclear(result);
		if (!begin) {
			call->conn_broken = PQstatus(db) != CONNECTION_OK;
			cpt_status_set(st, CPT_UNAVAILABLE, NULL, "base de données indisponible");
			return NULL;
		}
		return check(call, st, begin);
	}
	PQclear(begin);
	if (!result) {
		call->conn_broken = PQstatus(db) != CONNECTION_OK;
		cpt_status_set(st, CPT_UNAVAILABLE, NULL, "base de données indisponible");
		return NULL;
	}
	return check(call, st, result);
}

PGresult *cpt_db_exec0(cpt_call *call, cpt_status *st, const char *sql)
{
	return check(call, st, PQexecParams(call->db, sql, 0, NULL, NULL, NULL, NULL, 0));
}

int cpt_db_set_context(cpt_call *call, cpt_status *st, int64_t company_id, int64_t user_id)
{
	PGresult *r = cpt_db_query(call, st,
				   "SELECT set_config('comptoir.company_id', $1, true),"
				   " set_config('comptoir.user_id', $2, true)",
				   cpt_call_i64(call, company_id), cpt_call_i64(call, user_id));
	if (!r) {
		return st->code;
	}
	PQclear(r);
	call->company_id = company_id;
	call->user_id = user_id;
	return 0;
}

bool cpt_db_violated(const cpt_call *call, const char *constraint)
{
	return strcmp(call->sqlstate, "23505") == 0 && strcmp(call->constraint, constraint) == 0;
}

int64_t cpt_db_i64(const PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? 0 : strtoll(PQgetvalue(res, r, c), NULL, 10);
}

const char *cpt_db_str(const PGresult *res, int r, int c)
{
	return PQgetvalue(res, r, c);
}

bool cpt_db_bool(const PGresult *res, int r, int c)
{
	return !PQgetisnull(res, r, c) && PQgetvalue(res, r, c)[0] == 't';
}
