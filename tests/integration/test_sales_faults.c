/*
 * Faults while workstations invoice: the daemon killed outright (SIGKILL),
 * then PostgreSQL stopped at once as a crash would stop it, each while
 * several workstations create and validate invoices. A workstation does what
 * the GTK client does when a call gets no answer: it connects again and
 * sends the call again with the same idempotency key. Afterwards every
 * invoice exists once, validated with the number its workstation was told;
 * the numbers have no gap and no duplicate; `comptoirctl verify` holds.
 */
#include "testenv.h"

#include "sales.pb-c.h"

#include <glib.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { WORKSTATIONS = 4, INVOICES = 30 };

static cpt_testenv env;
static int64_t vat20, client;
static atomic_int validated; /* acknowledged validations, all workstations */
static atomic_int finished;  /* workstations done, or stopped on an error */

typedef struct {
	pthread_t thread;
	int index;
	const char *run;
	cpt_client *c;
	int done; /* invoices saved and validated, both acknowledged */
	int resent;
	int64_t id[INVOICES];
	char number[INVOICES][32];
	char error[200];
} workstation;

/*
 * Sends the call until it is answered, connecting again when needed, always
 * with the same key. A refusal that is not a fault is returned as it is.
 */
static int call_until_answered(workstation *w, const char *method, const ProtobufCMessage *in,
			       const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out)
{
	uint8_t key[16];
	for (size_t i = 0; i < sizeof key; i++) {
		key[i] = (uint8_t)g_random_int();
	}
	gint64 deadline = g_get_monotonic_time() + 90 * G_USEC_PER_SEC;
	for (int attempt = 0; g_get_monotonic_time() < deadline; attempt++) {
		if (attempt > 0) {
			w->resent++;
			g_usleep(100 * 1000);
		}
		if (!w->c && !(w->c = cpt_testenv_admin(&env))) {
			continue; /* the daemon or the database is not back yet */
		}
		cpt_status st = {0};
		*out = NULL;
		int rc = cpt_client_call_keyed(w->c, method, in, key, sizeof key, desc, out, &st);
		if (rc == CPT_OK) {
			return rc;
		}
		protobuf_c_message_free_unpacked(*out, NULL);
		*out = NULL;
		if (rc != CPT_UNAVAILABLE && rc != CPT_INTERNAL && rc != CPT_ABORTED) {
			snprintf(w->error, sizeof w->error, "%s: %d %.120s", method, rc,
				 st.message);
			cpt_status_reset(&st);
			return rc;
		}
		cpt_status_reset(&st);
		/* No answer: perhaps done, perhaps not. Connect again and resend. */
		cpt_client_close(w->c);
		w->c = NULL;
	}
	snprintf(w->error, sizeof w->error, "%s: no answer in 90 s", method);
	return CPT_UNAVAILABLE;
}

static void *workstation_run(void *arg)
{
	workstation *w = arg;
	for (int i = 0; i < INVOICES; i++) {
		char ref[48];
		snprintf(ref, sizeof ref, "%s-%d-%d", w->run, w->index, i);
		Comptoir__Sales__Line l[3];
		Comptoir__Sales__Line *lp[3] = {&l[0], &l[1], &l[2]};
		static const char *const labels[] = {"Visite d'entretien", "Joint de porte",
						     "Déplacement"};
		for (int k = 0; k < 3; k++) {
			comptoir__sales__line__init(&l[k]);
			l[k].label = (char *)labels[k];
			l[k].quantity = 1000 * (k + 1);
			l[k].unit_price = 4550000 + 10000 * i + k;
			l[k].vat_rate_id = vat20;
		}
		Comptoir__Sales__Document d = COMPTOIR__SALES__DOCUMENT__INIT;
		d.type = "invoice";
		d.party_id = client;
		d.buyer_reference = ref;
		d.lines = lp;
		d.n_lines = 3;
		Comptoir__Sales__DocumentRequest save = COMPTOIR__SALES__DOCUMENT_REQUEST__INIT;
		save.document = &d;
		ProtobufCMessage *out = NULL;
		if (call_until_answered(w, "comptoir.sales.Invoices/Save", &save.base,
					&comptoir__sales__document_reply__descriptor,
					&out) != CPT_OK) {
			break;
		}
		w->id[i] = ((Comptoir__Sales__DocumentReply *)out)->document->id;
		protobuf_c_message_free_unpacked(out, NULL);

		Comptoir__Sales__IdRequest v = COMPTOIR__SALES__ID_REQUEST__INIT;
		v.id = w->id[i];
		if (call_until_answered(w, "comptoir.sales.Invoices/Validate", &v.base,
					&comptoir__sales__document_reply__descriptor,
					&out) != CPT_OK) {
			break;
		}
		snprintf(w->number[i], sizeof w->number[i], "%s",
			 ((Comptoir__Sales__DocumentReply *)out)->document->number);
		protobuf_c_message_free_unpacked(out, NULL);
		w->done++;
		atomic_fetch_add(&validated, 1);
	}
	cpt_client_close(w->c);
	w->c = NULL;
	atomic_fetch_add(&finished, 1);
	return NULL;
}

/* Starts the workstations, runs fault() once a quarter of the work is acknowledged. */
static void invoice_through(const char *run, void (*fault)(void))
{
	workstation w[WORKSTATIONS];
	memset(w, 0, sizeof w);
	atomic_store(&validated, 0);
	atomic_store(&finished, 0);
	for (int i = 0; i < WORKSTATIONS; i++) {
		w[i].index = i;
		w[i].run = run;
		pthread_create(&w[i].thread, NULL, workstation_run, &w[i]);
	}
	/* A quarter done, unless the workstations stopped short (then they say why). */
	gint64 deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
	while (atomic_load(&validated) < WORKSTATIONS * INVOICES / 4 &&
	       atomic_load(&finished) < WORKSTATIONS && g_get_monotonic_time() < deadline) {
		g_usleep(10 * 1000);
	}
	assert_true(atomic_load(&validated) >= WORKSTATIONS * INVOICES / 4);
	fault();
	int resent = 0;
	for (int i = 0; i < WORKSTATIONS; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].error[0]) {
			fail_msg("workstation %d: %s", i, w[i].error);
		}
		assert_int_equal(w[i].done, INVOICES);
		resent += w[i].resent;
	}
	/* The fault did cut calls short: they were sent again. */
	printf("[ %s ] %d calls sent again after the fault\n", run, resent);
	assert_true(resent > 0);

	PGconn *db = cpt_testenv_sql(&env);
	/* Each invoice once, with the number its workstation was told. */
	for (int i = 0; i < WORKSTATIONS; i++) {
		for (int k = 0; k < INVOICES; k++) {
			g_autofree char *ref = g_strdup_printf("%s-%d-%d", run, i, k);
			const char *p[] = {ref};
			PGresult *r = PQexecParams(db,
						   "SELECT id, number, state FROM sales_document "
						   "WHERE buyer_reference = $1",
						   1, NULL, p, NULL, NULL, 0);
			if (PQntuples(r) != 1) {
				fail_msg("invoice %s is there %d times", ref, PQntuples(r));
			}
			assert_int_equal(atoll(PQgetvalue(r, 0, 0)), w[i].id[k]);
			assert_string_equal(PQgetvalue(r, 0, 1), w[i].number[k]);
			assert_string_equal(PQgetvalue(r, 0, 2), "validated");
			PQclear(r);
		}
	}
	PQfinish(db);
	/* Numbers 1..n, each once, and n is the series' last number. */
	assert_int_equal(cpt_testenv_sql_int(
			     &env, "SELECT (count(*) = count(DISTINCT number)"
				   " AND count(*) = max(split_part(number, '-', 3)::int)"
				   " AND count(*) = (SELECT sum(last_number) FROM document_sequence"
				   "                 WHERE series = 'FA'))::int"
				   " FROM sales_document WHERE number LIKE 'FA-%'"),
			 1);
	char out[4096];
	const char *verify[] = {"verify", NULL};
	if (cpt_testenv_ctl(&env, out, sizeof out, verify) != 0) {
		fail_msg("comptoirctl verify: %s", out);
	}
}

static void kill_the_daemon(void)
{
	kill(env.daemon, SIGKILL);
	waitpid(env.daemon, NULL, 0);
	env.daemon = 0;
	g_usleep(300 * 1000);
	assert_int_equal(cpt_testenv_daemon_start(&env), 0);
}

static void crash_postgresql(void)
{
	const char *pgdir = getenv("CPT_TEST_PGDIR");
	g_autofree char *crash = g_strdup_printf("packaging/pgcluster.sh crash '%s'", pgdir);
	g_autofree char *start =
	    g_strdup_printf("packaging/pgcluster.sh start '%s' --fast >/dev/null", pgdir);
	assert_int_equal(system(crash), 0);
	g_usleep(300 * 1000);
	assert_int_equal(system(start), 0);
}

static void the_daemon_killed_while_invoicing_loses_nothing_acknowledged(void **state)
{
	invoice_through("kill", kill_the_daemon);
	/* Each validation acknowledged has its PDF: archived before the answer, or
	 * when the Validate cut short was sent again. */
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM sales_document d"
						   " WHERE d.number LIKE 'FA-%' AND NOT EXISTS"
						   " (SELECT 1 FROM document_archive a"
						   "  WHERE a.document_id = d.id)"),
			 0);
}

static void postgresql_crashed_while_invoicing_loses_nothing_acknowledged(void **state)
{
	if (!getenv("CPT_TEST_PGDIR")) {
		skip();
	}
	/* The test cluster runs without synchronous commits; this database
	 * commits as a production one does, before the daemon is told. */
	g_autofree char *sql =
	    g_strdup_printf("ALTER DATABASE \"%s\" SET synchronous_commit = on; SELECT 1", env.db);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 1);
	assert_int_equal(cpt_testenv_daemon_stop(&env), 0);
	assert_int_equal(cpt_testenv_daemon_start(&env), 0);
	invoice_through("crash", crash_postgresql);
}

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "sales_faults", NULL) != 0) {
		return -1;
	}
	vat20 = cpt_testenv_sql_int(&env,
				    "SELECT id FROM vat_rate WHERE country = 'FR' AND rate = 2000");
	cpt_client *admin = cpt_testenv_admin(&env);
	client = cpt_testenv_create_client(admin, "GARDIEN", "Résidence Les Gardiens", "");
	cpt_client_close(admin);
	return vat20 > 0 && client > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(the_daemon_killed_while_invoicing_loses_nothing_acknowledged),
	    cmocka_unit_test(postgresql_crashed_while_invoicing_loses_nothing_acknowledged),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
