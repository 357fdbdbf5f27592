/*
 * Scheduled jobs; see jobs.h. The loop thread owns the timer and the flags
 * (running, again, stopping); the worker owns the job's connection while a
 * run is on the thread pool, and the loop thread touches it only once no run
 * can start again (cpt_job_stop, then the last run's end).
 */
#include "jobs.h"
#include "db.h"
#include "log.h"
#include "server.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Runs that did nothing are pruned once this old; the others stay. */
#define IDLE_RUN_KEEP "1 day"
/* As job_run.job allows. */
#define NAME_MAX_LEN 63
/* job_run.error is for people: a bounded excerpt. */
#define ERROR_MAX 1000

struct cpt_job {
	cpt_server *srv;
	char name[NAME_MAX_LEN + 1]; /* "mail_outbox" */
	char method[80];	     /* "job mail_outbox", where a call has its method: logs */
	char runner[128];	     /* "host:pid" */
	const unsigned *interval_s;
	cpt_job_fn fn;
	void *data;
	uv_timer_t timer;
	uv_work_t work;
	cpt_config cfg; /* copy of srv->cfg for the run: its strings stay srv's */
	PGconn *db;	/* the job's own connection, kept between runs */
	uint64_t again_ms;
	atomic_bool stop;
	bool running;  /* a run is queued or on the thread pool */
	bool again;    /* kicked during the run: run once more right after */
	bool stopping; /* no more runs */
	bool closed;   /* the timer is closed */
};

static const char SQL_LOCK[] =
    "SELECT pg_try_advisory_lock(hashtextextended('comptoir.job.' || $1, 0))";
static const char SQL_UNLOCK[] =
    "SELECT pg_advisory_unlock(hashtextextended('comptoir.job.' || $1, 0))";
static const char SQL_RUN_START[] = "INSERT INTO job_run (job, runner) VALUES ($1, $2)"
				    " RETURNING id";
static const char SQL_RUN_END[] =
    "UPDATE job_run SET finished_at = clock_timestamp(), items = $2::int,"
    " error = nullif($3, '') WHERE id = $1::bigint";
static const char SQL_RUN_PRUNE[] =
    "DELETE FROM job_run WHERE job = $1 AND items = 0 AND error IS NULL"
    " AND finished_at < now() - interval '" IDLE_RUN_KEEP "'";

/* One query on the job's connection, its result dropped. */
static int exec_drop(cpt_call *call, cpt_status *st, const char *sql, int n,
		     const char *const *params)
{
	PGresult *r = cpt_db_exec(call, st, sql, n, params);
	if (!r) {
		return st->code;
	}
	PQclear(r);
	return 0;
}

/* ---------------------------------------------------------------------------
 * The run, on a worker thread
 */

static void run_locked(cpt_job *job, cpt_call *call)
{
	cpt_status st = {0};
	const char *start[] = {job->name, job->runner};
	PGresult *r = cpt_db_exec(call, &st, SQL_RUN_START, 2, start);
	if (!r) {
		cpt_warn("%s: cannot record the run: %s", job->method, st.message);
		return;
	}
	/* Not in the arena: the run may free it between items. */
	char run_id[24];
	snprintf(run_id, sizeof run_id, "%s", cpt_db_str(r, 0, 0));
	PQclear(r);

	cpt_job_run run = {.call = call, .data = job->data, .stop = &job->stop};
	cpt_status rst = {0};
	int rc = job->fn(&run, &rst);
	if (PQtransactionStatus(job->db) != PQTRANS_IDLE) {
		cpt_job_rollback(&run);
	}
	char error[ERROR_MAX + 1] = "";
	if (rc) {
		snprintf(error, sizeof error, "%s", rst.message);
		cpt_warn("%s: %s", job->method, rst.message);
	}
	/* The run's own queries may have left an error behind: these start afresh. */
	call->conn_broken = false;
	const char *end[] = {run_id, cpt_call_i64(call, run.items), error};
	const char *prune[] = {job->name};
	if (exec_drop(call, &st, SQL_RUN_END, 3, end) ||
	    exec_drop(call, &st, SQL_RUN_PRUNE, 1, prune)) {
		cpt_warn("%s: cannot record the end of the run: %s", job->method, st.message);
	}
	job->again_ms = run.again_ms;
	if (run.items) {
		cpt_debug("%s: %u item(s) done", job->method, run.items);
	}
}

static void job_work(uv_work_t *w)
{
	cpt_job *job = w->data;
	cpt_status st = {0};
	job->again_ms = 0;
	if (job->db && PQstatus(job->db) != CONNECTION_OK) {
		PQfinish(job->db);
		job->db = NULL;
	}
	if (!job->db) {
		job->db = cpt_db_connect(job->cfg.conninfo, &st);
		if (!job->db) {
			cpt_warn("%s: %s", job->method, st.message);
			return;
		}
	}
	cpt_call call = {.cfg = &job->cfg, .db = job->db, .method = job->method};
	const char *lock[] = {job->name};
	PGresult *r = cpt_db_exec(&call, &st, SQL_LOCK, 1, lock);
	if (r) {
		bool locked = cpt_db_bool(r, 0, 0);
		PQclear(r);
		if (locked) {
			run_locked(job, &call);
			if (exec_drop(&call, &st, SQL_UNLOCK, 1, lock)) {
				/* Not released: end the session, which releases it. */
				PQfinish(job->db);
				job->db = NULL;
			}
		} else {
			cpt_debug("%s: another daemon is running it", job->method);
		}
	}
	cpt_call_arena_free(&call);
	if (job->db && (PQstatus(job->db) != CONNECTION_OK || atomic_load(&job->stop))) {
		PQfinish(job->db);
		job->db = NULL;
	}
}

/* ---------------------------------------------------------------------------
 * Scheduling, on the loop thread
 */

static void job_free(cpt_job *job)
{
	PQfinish(job->db);
	free(job);
}

static void on_timer(uv_timer_t *t);

static void job_done(uv_work_t *w, int status)
{
	cpt_job *job = w->data;
	(void)status;
	job->running = false;
	if (job->stopping) {
		if (job->closed) {
			job_free(job);
		}
		return;
	}
	uint64_t delay = (uint64_t)*job->interval_s * 1000;
	if (job->again_ms && job->again_ms < delay) {
		delay = job->again_ms;
	}
	if (job->again) {
		job->again = false;
		delay = 0;
	}
	uv_update_time(job->srv->loop);
	uv_timer_start(&job->timer, on_timer, delay, 0);
}

static void on_timer(uv_timer_t *t)
{
	cpt_job *job = t->data;
	if (job->running || job->stopping) {
		return;
	}
	job->cfg = job->srv->cfg;
	job->running = true;
	uv_queue_work(job->srv->loop, &job->work, job_work, job_done);
}

cpt_job *cpt_job_start(cpt_server *srv, const char *name, const unsigned *interval_s, cpt_job_fn fn,
		       void *data)
{
	size_t len = strlen(name);
	if (len == 0 || len > NAME_MAX_LEN || name[0] == '_' ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz_") != len) {
		return NULL;
	}
	cpt_job *job = calloc(1, sizeof *job);
	job->srv = srv;
	snprintf(job->name, sizeof job->name, "%s", name);
	snprintf(job->method, sizeof job->method, "job %s", name);
	char host[64] = "?";
	gethostname(host, sizeof host - 1);
	snprintf(job->runner, sizeof job->runner, "%s:%ld", host, (long)getpid());
	job->interval_s = interval_s;
	job->fn = fn;
	job->data = data;
	atomic_init(&job->stop, false);
	job->work.data = job;
	uv_timer_init(srv->loop, &job->timer);
	job->timer.data = job;
	/* What was queued while no daemon ran goes out now. */
	uv_timer_start(&job->timer, on_timer, 0, 0);
	return job;
}

void cpt_job_kick(cpt_job *job)
{
	if (!job || job->stopping) {
		return;
	}
	if (job->running) {
		job->again = true;
		return;
	}
	uv_timer_start(&job->timer, on_timer, 0, 0);
}

static void on_timer_closed(uv_handle_t *h)
{
	cpt_job *job = h->data;
	job->closed = true;
	if (!job->running) {
		job_free(job);
	}
}

void cpt_job_stop(cpt_job *job)
{
	if (!job || job->stopping) {
		return;
	}
	job->stopping = true;
	atomic_store(&job->stop, true);
	uv_timer_stop(&job->timer);
	uv_close((uv_handle_t *)&job->timer, on_timer_closed);
}

/* ---------------------------------------------------------------------------
 * Transactions within a run
 */

int cpt_job_begin(cpt_job_run *run, cpt_status *st, int64_t company_id)
{
	cpt_call *call = run->call;
	const char *company = company_id ? cpt_call_i64(call, company_id) : "";
	const char *params[] = {company};
	PGresult *r = cpt_db_exec_after_begin(
	    call, st, "SELECT set_config('comptoir.company_id', $1, true)", 1, params);
	if (!r) {
		return st->code;
	}
	PQclear(r);
	call->company_id = company_id;
	return 0;
}

int cpt_job_commit(cpt_job_run *run, cpt_status *st)
{
	cpt_call *call = run->call;
	int rc = cpt_db_commit(call, st);
	call->company_id = 0;
	return rc;
}

void cpt_job_rollback(cpt_job_run *run)
{
	cpt_db_rollback(run->call);
	run->call->company_id = 0;
}
