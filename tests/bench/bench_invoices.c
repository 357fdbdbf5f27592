/*
 * Creating and validating invoices of 3 lines through the RPC, over TLS,
 * from 8 client threads: each invoice is one Invoices/Save (server checks,
 * totals, lines) and one Invoices/Validate (legal number, buyer frozen, hash
 * chain), each with its idempotency key as the workstations send them (the
 * server keeps the answer with the work). Twice: without the PDF archive ([sales] archive_pdf = 0),
 * then with it (PDF/A-3 Factur-X rendered and archived at each validation). Then the floor: the
 * same rows written by plain SQL inserts over one connection, and the ratio. BENCH_INVOICES sets
 * the count (10 000 by default); BENCH_INVOICES_ONLY_RPC=1 stops after the first run (for
 * profiling).
 */
#include "testenv.h"

#include "parties.pb-c.h"
#include "sales.pb-c.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define THREADS_MAX 64
static int THREADS = 8; /* BENCH_THREADS, for profiling one client alone */

static cpt_testenv env;
static int64_t client, vat20, vat10;
static int INVOICES = 10000;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct {
	pthread_t thread;
	int count, failed;
} worker;

/* A fresh idempotency key, as the workstations send with every call. */
static bool no_keys; /* BENCH_NO_KEYS=1: calls without keys, for comparison */

static void new_key(uint8_t key[16])
{
	/* Not rand_r(): the low bits of its states repeat soon enough for
	 * threads to draw the same keys. */
	if (getrandom(key, 16, 0) != 16) {
		abort();
	}
}

static void *work(void *arg)
{
	worker *w = arg;
	uint8_t key[16];
	cpt_client *c = cpt_testenv_admin(&env);
	if (!c) {
		w->failed = w->count;
		return NULL;
	}
	for (int i = 0; i < w->count; i++) {
		Comptoir__Sales__Line l[3], *lp[3];
		const char *codes[] = {"CHAUD", "MO", ""};
		for (int k = 0; k < 3; k++) {
			comptoir__sales__line__init(&l[k]);
			l[k].article_code = (char *)codes[k];
			l[k].label = k == 2 ? "Fournitures diverses" : "";
			l[k].quantity = 1000 + (i % 7) * 500;
			l[k].unit_price = 123456 + k * 10000 + i;
			l[k].vat_rate_id = k == 2 ? vat10 : vat20;
			lp[k] = &l[k];
		}
		Comptoir__Sales__Document d = COMPTOIR__SALES__DOCUMENT__INIT;
		d.type = "invoice";
		d.party_id = client;
		d.lines = lp;
		d.n_lines = 3;
		Comptoir__Sales__DocumentRequest req = COMPTOIR__SALES__DOCUMENT_REQUEST__INIT;
		req.document = &d;
		ProtobufCMessage *out = NULL;
		cpt_status st = {0};
		new_key(key);
		if (cpt_client_call_keyed(c, "comptoir.sales.Invoices/Save", &req.base,
					  no_keys ? NULL : key, sizeof key,
					  &comptoir__sales__document_reply__descriptor, &out,
					  &st) != CPT_OK) {
			fprintf(stderr, "save: %s (%s)\n", st.message, st.field);
			w->failed++;
			continue;
		}
		Comptoir__Sales__IdRequest v = COMPTOIR__SALES__ID_REQUEST__INIT;
		v.id = ((Comptoir__Sales__DocumentReply *)out)->document->id;
		protobuf_c_message_free_unpacked(out, NULL);
		out = NULL;
		new_key(key);
		if (cpt_client_call_keyed(c, "comptoir.sales.Invoices/Validate", &v.base,
					  no_keys ? NULL : key, sizeof key,
					  &comptoir__sales__document_reply__descriptor, &out,
					  &st) != CPT_OK) {
			fprintf(stderr, "validate %lld: %s (%s)\n", (long long)v.id, st.message,
				st.field);
			w->failed++;
		}
		protobuf_c_message_free_unpacked(out, NULL);
	}
	cpt_client_close(c);
	return NULL;
}

static int sql(PGconn *db, const char *q)
{
	PGresult *r = PQexec(db, q);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok) {
		fprintf(stderr, "%s", PQresultErrorMessage(r));
	}
	PQclear(r);
	return ok ? 0 : 1;
}

/* A fresh daemon and database with config, its client and articles. */
static int start(const char *config)
{
	if (cpt_testenv_start(&env, "benchinvoices", config) != 0) {
		return 1;
	}
	PGconn *db = cpt_testenv_sql(&env);
	int rc =
	    sql(db, "SELECT set_config('comptoir.company_id', (SELECT min(id) FROM company)::text,"
		    " false);"
		    "UPDATE company SET name = 'Thermo Services', legal_form = 'SARL',"
		    " siren = '732829320', siret = '73282932000074', vat_number = 'FR44732829320',"
		    " address_line1 = '12 rue de la République', postcode = '69002',"
		    " city = 'Lyon', iban = 'FR7630006000011234567890189';"
		    "INSERT INTO party (kind, code, name, siren) VALUES"
		    " ('client', 'BENCH', 'Client du banc d''essai', '732829320');"
		    "INSERT INTO party_address (party_id, kind, line1, postcode, city)"
		    " SELECT id, 'billing', '1 rue du Banc', '69001', 'Lyon' FROM party;"
		    "INSERT INTO article (code, kind, label, unit, sale_price, vat_rate_id)"
		    " SELECT v.c, 'goods', v.l, 'U', 100000, (SELECT id FROM vat_rate"
		    " WHERE country = 'FR' AND rate = 2000) FROM (VALUES ('CHAUD', 'Chaudière'),"
		    " ('MO', 'Main-d''œuvre')) v(c, l)");
	PQfinish(db);
	client = cpt_testenv_sql_int(&env, "SELECT id FROM party WHERE code = 'BENCH'");
	vat20 = cpt_testenv_sql_int(&env,
				    "SELECT id FROM vat_rate WHERE country = 'FR' AND rate = 2000");
	vat10 = cpt_testenv_sql_int(&env,
				    "SELECT id FROM vat_rate WHERE country = 'FR' AND rate = 1000");
	return rc;
}

/* Seconds to create and validate INVOICES invoices through the RPC. */
static double run(void)
{
	worker w[THREADS_MAX];
	double t0 = now_s();
	for (int i = 0; i < THREADS; i++) {
		w[i] = (worker){.count = INVOICES / THREADS};
		pthread_create(&w[i].thread, NULL, work, &w[i]);
	}
	int failed = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(w[i].thread, NULL);
		failed += w[i].failed;
	}
	double t = now_s() - t0;
	if (failed) {
		fprintf(stderr, "%d invoices failed\n", failed);
		return -1;
	}
	return t;
}

int main(void)
{
	no_keys = getenv("BENCH_NO_KEYS") != NULL;
	const char *t = getenv("BENCH_THREADS");
	if (t && atoi(t) >= 1 && atoi(t) <= THREADS_MAX) {
		THREADS = atoi(t);
	}
	const char *n = getenv("BENCH_INVOICES");
	if (n && atoi(n) >= THREADS) {
		INVOICES = atoi(n);
	}
	/* Without the PDF archive. */
	char config[160] = "[log]\nlevel = warn\n[sales]\narchive_pdf = 0\n";
	if (getenv("BENCH_POOL")) { /* for trying pool sizes: testenv's is 4 */
		snprintf(config + strlen(config), sizeof config - strlen(config),
			 "[database]\npool_size = %d\n", atoi(getenv("BENCH_POOL")));
	}
	if (start(config)) {
		return 1;
	}
	double rpc = run();
	long long made = cpt_testenv_sql_int(&env, "SELECT count(*) FROM sales_document"
						   " WHERE type = 'invoice' AND hash IS NOT NULL");
	if (rpc < 0) {
		return 1;
	}
	if (getenv("BENCH_INVOICES_ONLY_RPC")) {
		printf("created and validated through the RPC, no PDF: %.0f invoices/s (%.1f s, "
		       "%lld chained)\n",
		       INVOICES / rpc, rpc, made);
		return cpt_testenv_stop(&env) != 0;
	}

	/* The floor: the same rows, plain inserts, one connection, one
	 * transaction per invoice as the daemon has. */
	PGconn *db = cpt_testenv_sql(&env);
	sql(db, "SELECT set_config('comptoir.company_id', (SELECT min(id) FROM company)::text,"
		" false); SET session_replication_role = replica");
	PGresult *p = PQprepare(
	    db, "ins",
	    "WITH d AS (INSERT INTO sales_document (type, state, number, fiscal_year, party_id,"
	    " lines_net, net_total, vat_total, gross_total, amount_due, hash, chain_seq)"
	    " VALUES ('invoice', 'validated', 'SQL-' || $1, 2026, $2::bigint, 100000, 100000,"
	    " 20000, 120000, 120000, md5($1), 1000000 + $1::bigint) RETURNING id)"
	    " INSERT INTO sales_line (document_id, position, kind, label, quantity, unit_price,"
	    " vat_rate, amount, net) SELECT d.id, g, 'item', 'Ligne', 1000, 123456, 2000, 12346,"
	    " 12346 FROM d, generate_series(1, 3) g",
	    2, NULL);
	PQclear(p);
	char client_text[24];
	snprintf(client_text, sizeof client_text, "%lld", (long long)client);
	double t0 = now_s();
	for (int i = 0; i < INVOICES; i++) {
		char num[16];
		snprintf(num, sizeof num, "%d", i);
		const char *v[] = {num, client_text};
		PGresult *r = PQexecPrepared(db, "ins", 2, v, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "%s", PQresultErrorMessage(r));
			return 1;
		}
		PQclear(r);
	}
	double floor = now_s() - t0;
	PQfinish(db);
	if (cpt_testenv_stop(&env) != 0) {
		return 1;
	}

	/* With the PDF/A-3 Factur-X archived at each validation. */
	if (start("[log]\nlevel = warn\n")) {
		return 1;
	}
	double pdf = run();
	long long archived = cpt_testenv_sql_int(&env, "SELECT count(*) FROM document_archive");
	if (pdf < 0 || cpt_testenv_stop(&env) != 0) {
		return 1;
	}

	printf("| %d invoices of 3 lines, %d client threads | figure |\n|---|---|\n", INVOICES,
	       THREADS);
	printf("| created and validated through the RPC, no PDF | %.0f invoices/s (%.1f s, %lld "
	       "chained) |\n",
	       INVOICES / rpc, rpc, made);
	printf("| the same, with the PDF/A-3 Factur-X archived | %.0f invoices/s (%.1f s, %lld "
	       "archived) |\n",
	       INVOICES / pdf, pdf, archived);
	printf(
	    "| the same rows by plain SQL inserts (one connection) | %.0f invoices/s (%.1f s) |\n",
	    INVOICES / floor, floor);
	printf("| RPC without PDF / SQL floor | %.2f |\n", floor / rpc);
	return 0;
}
