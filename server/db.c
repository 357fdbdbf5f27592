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

/* A statement queued by cpt_db_defer(), in the call's arena. */
struct cpt_deferred {
	const char *sql, *name; /* name: prepared, or NULL */
	int n;
	const char **params;
	int *lengths, *formats;
	struct cpt_deferred *next;
};

void cpt_db_defer(cpt_call *call, const char *sql, int n, const char *const *params,
		  const int *lengths, const int *formats)
{
	cpt_deferred *d = cpt_call_alloc(call, sizeof *d);
	d->sql = sql;
	d->n = n;
	d->params = cpt_call_alloc(call, sizeof(char *) * (size_t)(n + 1));
	d->lengths = cpt_call_alloc(call, sizeof(int) * (size_t)(n + 1));
	d->formats = cpt_call_alloc(call, sizeof(int) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		d->formats[i] = formats ? formats[i] : 0;
		d->lengths[i] = lengths ? lengths[i] : 0;
		if (!params[i]) {
			continue;
		}
		size_t len = d->formats[i] ? (size_t)d->lengths[i] : strlen(params[i]) + 1;
		char *copy = cpt_call_alloc(call, len + 1);
		memcpy(copy, params[i], len);
		d->params[i] = copy;
	}
	cpt_deferred **tail = &call->deferred;
	while (*tail) {
		tail = &(*tail)->next;
	}
	*tail = d;
}

void cpt_db_rollback(cpt_call *call)
{
	call->deferred = NULL;
	PQclear(PQexec(call->db, "ROLLBACK"));
}

int cpt_db_commit(cpt_call *call, cpt_status *st)
{
	call->commit_sent = true;
	PGresult *r = cpt_db_exec0(call, st, "COMMIT");
	if (!r) {
		if (PQstatus(call->db) == CONNECTION_OK &&
		    PQtransactionStatus(call->db) != PQTRANS_IDLE) {
			/* A deferred statement failed: the COMMIT did not run. */
			call->commit_sent = false;
			cpt_db_rollback(call);
		}
		return st->code;
	}
	/* A failed transaction's COMMIT answers ROLLBACK without an error. */
	bool rolled_back = strcmp(PQcmdStatus(r), "ROLLBACK") == 0;
	PQclear(r);
	return rolled_back ? cpt_status_set(st, CPT_INTERNAL, NULL, "transaction annulée") : 0;
}

/* The connection left in pipeline mode cannot go back to the pool as is. */
static PGresult *pipeline_stuck(cpt_call *call, cpt_status *st)
{
	cpt_warn("database connection stuck in pipeline mode, resetting");
	PQreset(call->db);
	if (call->prepared) {
		g_hash_table_remove_all(call->prepared);
	}
	call->conn_broken = true;
	cpt_status_set(st, CPT_UNAVAILABLE, NULL, "base de données indisponible");
	return NULL;
}

static int send_one(PGconn *db, const char *name, const char *sql, int n, const char *const *params,
		    const int *lengths, const int *formats, int result_format)
{
	return name ? PQsendQueryPrepared(db, name, n, params, lengths, formats, result_format)
		    : PQsendQueryParams(db, sql, n, NULL, params, lengths, formats, result_format);
}

/* One statement of a pipeline; its result is kept when keep. */
typedef struct {
	const char *sql, *name;
	int n;
	const char *const *params;
	const int *lengths, *formats;
	int result_format;
	bool keep;
	bool raw; /* not prepared (cpt_db_exec0's: COMMIT...) */
} stmt;

/*
 * The call's deferred statements, then the k statements of s, in one
 * pipeline: one round trip. The first that fails is the error (the ones
 * after it did not run): returns its code with st set. Otherwise out[i] is
 * statement i's result when s[i].keep (the caller PQclears).
 */
static int run_pipeline(cpt_call *call, cpt_status *st, stmt *s, int k, PGresult **out)
{
	PGconn *db = call->db;
	int d_count = 0;
	for (cpt_deferred *d = call->deferred; d; d = d->next) {
		d_count++;
	}
	int total = d_count + k;
	stmt *all = cpt_call_alloc(call, sizeof *all * (size_t)total);
	int i = 0;
	for (cpt_deferred *d = call->deferred; d; d = d->next, i++) {
		all[i] = (stmt){.sql = d->sql,
				.n = d->n,
				.params = (const char *const *)d->params,
				.lengths = d->lengths,
				.formats = d->formats};
	}
	call->deferred = NULL;
	memcpy(all + d_count, s, sizeof *s * (size_t)k);
	for (i = 0; i < total; i++) {
		PGresult *failed = NULL;
		/* Prepared before, as PQprepare cannot run in a pipeline. */
		all[i].name =
		    all[i].raw ? NULL : prepared_name(call, all[i].sql, all[i].n, &failed);
		if (failed) {
			check(call, st, failed);
			return st->code;
		}
	}
	if (PQenterPipelineMode(db) != 1) {
		pipeline_stuck(call, st);
		return st->code;
	}
	bool sent = true;
	for (i = 0; i < total && sent; i++) {
		sent = send_one(db, all[i].name, all[i].sql, all[i].n, all[i].params,
				all[i].lengths, all[i].formats, all[i].result_format) == 1;
	}
	sent = sent && PQpipelineSync(db) == 1;
	/* Each statement's result then a NULL; then the sync marker. */
	PGresult **got = cpt_call_alloc(call, sizeof(PGresult *) * (size_t)total);
	for (i = 0; sent && i < total; i++) {
		got[i] = PQgetResult(db);
		if (!got[i]) {
			break;
		}
		for (PGresult *x; (x = PQgetResult(db));) {
			PQclear(x);
		}
	}
	PGresult *sync = sent ? PQgetResult(db) : NULL;
	bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
	PQclear(sync);
	if (!synced || PQexitPipelineMode(db) != 1) {
		for (i = 0; i < total; i++) {
			PQclear(got[i]);
		}
		pipeline_stuck(call, st);
		return st->code;
	}
	bool failed = false;
	for (i = 0; i < total; i++) {
		ExecStatusType status = PQresultStatus(got[i]);
		bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
		if (!failed && !ok) {
			failed = true;
			check(call, st, got[i]); /* sets st, clears */
		} else if (!failed && i >= d_count && all[i].keep) {
			out[i - d_count] = got[i];
		} else {
			PQclear(got[i]);
		}
	}
	if (failed) {
		for (i = 0; i < k; i++) {
			if (s[i].keep) {
				PQclear(out[i]);
				out[i] = NULL;
			}
		}
		return st->code;
	}
	return 0;
}

int cpt_db_exec_all(cpt_call *call, cpt_status *st, int k, const cpt_db_stmt *in, PGresult **out)
{
	stmt *s = cpt_call_alloc(call, sizeof *s * (size_t)k);
	for (int i = 0; i < k; i++) {
		s[i] = (stmt){.sql = in[i].sql, .n = in[i].n, .params = in[i].params, .keep = true};
		out[i] = NULL;
	}
	return run_pipeline(call, st, s, k, out);
}

/* The deferred statements, then sql, in one pipeline; sql's result. */
static PGresult *run_with_deferred(cpt_call *call, cpt_status *st, bool raw, const char *sql, int n,
				   const char *const *params, const int *lengths,
				   const int *formats, int result_format)
{
	stmt one = {.raw = raw,
		    .sql = sql,
		    .n = n,
		    .params = params,
		    .lengths = lengths,
		    .formats = formats,
		    .result_format = result_format,
		    .keep = true};
	PGresult *out = NULL;
	return run_pipeline(call, st, &one, 1, &out) ? NULL : out;
}

static PGresult *run(cpt_call *call, cpt_status *st, const char *sql, int n,
		     const char *const *params, const int *lengths, const int *formats,
		     int result_format)
{
	PGresult *failed = NULL;
	const char *name = prepared_name(call, sql, n, &failed);
	if (failed) {
		call->deferred = NULL;
		return check(call, st, failed);
	}
	if (call->deferred) {
		return run_with_deferred(call, st, false, sql, n, params, lengths, formats,
					 result_format);
	}
	if (name) {
		return check(
		    call, st,
		    PQexecPrepared(call->db, name, n, params, lengths, formats, result_format));
	}
	return check(call, st,
		     PQexecParams(call->db, sql, n, NULL, params, lengths, formats, result_format));
}

PGresult *cpt_db_exec(cpt_call *call, cpt_status *st, const char *sql, int n,
		      const char *const *params)
{
	return run(call, st, sql, n, params, NULL, NULL, 0);
}

PGresult *cpt_db_exec_bytes(cpt_call *call, cpt_status *st, const char *sql, int n,
			    const char *const *params, const int *lengths, const int *formats,
			    int result_format)
{
	return run(call, st, sql, n, params, lengths, formats, result_format);
}

PGresult *cpt_db_exec_after_begin(cpt_call *call, cpt_status *st, const char *sql, int n,
				  const char *const *params)
{
	PGconn *db = call->db;
	call->deferred = NULL; /* a new transaction: what the last one queued ended with it */
	/* Prepared first: PQprepare cannot run in a pipeline. */
	const char *name = prepared_name(call, sql, n, NULL);
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
	if (call->deferred) {
		return run_with_deferred(call, st, true, sql, 0, NULL, NULL, NULL, 0);
	}
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
