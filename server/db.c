/*
 * Connection pool and query helpers. The pool is a fixed array guarded by a
 * mutex; workers block on the condition variable when every connection is
 * taken. A connection found broken is reset when it is next acquired, so a
 * restarted PostgreSQL costs the calls in flight, not the daemon.
 */
#include "db.h"
#include "log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct cpt_pool {
	pthread_mutex_t lock;
	pthread_cond_t available;
	unsigned size;
	unsigned n_free;
	PGconn **free; /* stack of idle connections */
	PGconn **all;
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
	return c;
}

int cpt_pool_new(const char *conninfo, unsigned size, cpt_pool **out, cpt_status *st)
{
	cpt_pool *p = calloc(1, sizeof *p);
	p->all = calloc(size, sizeof(PGconn *));
	p->free = calloc(size, sizeof(PGconn *));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->available, NULL);
	for (unsigned i = 0; i < size; i++) {
		PGconn *c = cpt_db_connect(conninfo, st);
		if (!c) {
			cpt_pool_free(p);
			return st->code;
		}
		p->all[p->size++] = c;
		p->free[p->n_free++] = c;
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
		PQfinish(p->all[i]);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->available);
	free(p->all);
	free(p->free);
	free(p);
}

PGconn *cpt_pool_acquire(cpt_pool *p)
{
	pthread_mutex_lock(&p->lock);
	while (p->n_free == 0) {
		pthread_cond_wait(&p->available, &p->lock);
	}
	PGconn *c = p->free[--p->n_free];
	pthread_mutex_unlock(&p->lock);
	if (PQstatus(c) != CONNECTION_OK) {
		cpt_warn("database connection lost, reconnecting");
		PQreset(c);
		if (PQstatus(c) == CONNECTION_OK) {
			PQsetNoticeProcessor(c, quiet_notice, NULL);
		}
	}
	return c;
}

void cpt_pool_release(cpt_pool *p, PGconn *c)
{
	pthread_mutex_lock(&p->lock);
	p->free[p->n_free++] = c;
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

PGresult *cpt_db_exec(cpt_call *call, cpt_status *st, const char *sql, int n,
		      const char *const *params)
{
	return check(call, st, PQexecParams(call->db, sql, n, NULL, params, NULL, NULL, 0));
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
