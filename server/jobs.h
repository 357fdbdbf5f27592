/*
 * Scheduled jobs (e-mail outbox today; contract billing, reminders, renewal
 * notices later): a libuv timer on the loop thread queues one run at a time
 * on the thread pool. A run works on the job's own PostgreSQL connection
 * (not one of the pool's, so calls keep theirs), holds a session advisory
 * lock named after the job for its whole length, so that with several
 * daemons on one database one runner acts and the others skip, and records
 * itself in job_run (started, finished, items done, error).
 *
 * A job's function must be idempotent and resumable: it may be cut short at
 * any point (daemon killed, database lost) and the next run, here or on
 * another daemon, carries on. It runs outside any transaction and opens its
 * own short ones per company with cpt_job_begin, which sets
 * comptoir.company_id so that row-level security applies to it as to a call.
 */
#ifndef CPT_JOBS_H
#define CPT_JOBS_H

#include "call.h"

#include <stdatomic.h>

struct cpt_server;
typedef struct cpt_job cpt_job;

/* What a run gets on its worker thread. */
typedef struct cpt_job_run {
	/* The job's connection; no transaction open, company 0. The run may free its arena. */
	cpt_call *call;
	void *data;		 /* given to cpt_job_start */
	unsigned items;		 /* set by the run: messages sent, invoices made... */
	uint64_t again_ms;	 /* set by the run: run again this soon (0: the interval) */
	const atomic_bool *stop; /* the daemon is stopping: end soon, leaving things resumable */
} cpt_job_run;

/* Runs once, lock held. Returns 0 or a status code with st set (recorded as the error). */
typedef int (*cpt_job_fn)(cpt_job_run *run, cpt_status *st);

/*
 * Starts job name ([a-z_]+): a first run at once, then one every *interval_s
 * seconds (read on the loop thread at every re-arm, so a reload applies).
 * The job reads srv->cfg through a copy taken when each run is queued.
 * Returns NULL if name is invalid. Stopped and freed by cpt_job_stop().
 */
cpt_job *cpt_job_start(struct cpt_server *srv, const char *name, const unsigned *interval_s,
		       cpt_job_fn fn, void *data);
/* Loop thread: run as soon as possible (again after the current run, if one is going). */
void cpt_job_kick(cpt_job *job);
/*
 * Loop thread: no more runs; a run in progress sees run->stop and ends. The
 * job frees itself once its run (if any) is over and its timer closed.
 */
void cpt_job_stop(cpt_job *job);

/* Within a run: BEGIN and set the company for row-level security (0: none). */
int cpt_job_begin(cpt_job_run *run, cpt_status *st, int64_t company_id);
/* COMMIT; a failed transaction's COMMIT is an error. */
int cpt_job_commit(cpt_job_run *run, cpt_status *st);
/* ROLLBACK, whatever state the transaction is in. */
void cpt_job_rollback(cpt_job_run *run);

#endif
