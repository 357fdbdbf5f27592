/*
 * RPC benchmark: Server/Info and an authenticated one-row read
 * (Admin/GetUser) over TLS, with 1 and 50 concurrent clients, each client
 * keeping one call in flight; then comptoird's resident memory idle and with
 * 100 authenticated clients connected. Prints a Markdown table.
 *
 * Runs against a real comptoird and PostgreSQL set up like the integration
 * tests (tests/bench/run.sh provides the cluster).
 */
#include "testenv.h"

#include "admin.pb-c.h"
#include "prefs.pb-c.h"
#include "rpc.pb-c.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static cpt_testenv env;
static int64_t admin_id;
static double seconds = 5.0;

enum call_kind { CALL_INFO, CALL_PREF, CALL_USER };

typedef struct run {
	pthread_t thread;
	cpt_client *client;
	enum call_kind kind;
	volatile int *go, *stop;
	double *lat; /* microseconds */
	size_t n, cap;
	int errors;
} run;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void *client_loop(void *arg)
{
	run *r = arg;
	Comptoir__Rpc__Empty info = COMPTOIR__RPC__EMPTY__INIT;
	Comptoir__Admin__GetUserRequest get = COMPTOIR__ADMIN__GET_USER_REQUEST__INIT;
	get.id = admin_id;
	Comptoir__Prefs__GetPrefRequest pref = COMPTOIR__PREFS__GET_PREF_REQUEST__INIT;
	pref.key = "list.bench.columns";
	while (!*r->go) {
		usleep(100);
	}
	while (!*r->stop) {
		ProtobufCMessage *out = NULL;
		cpt_status st = {0};
		double t0 = now_us();
		int rc;
		if (r->kind == CALL_USER) {
			rc = cpt_client_call(r->client, "comptoir.admin.Admin/GetUser", &get.base,
					     &comptoir__admin__user_reply__descriptor, &out, &st);
		} else if (r->kind == CALL_PREF) {
			rc = cpt_client_call(r->client, "comptoir.prefs.Prefs/Get", &pref.base,
					     &comptoir__prefs__pref_reply__descriptor, &out, &st);
		} else {
			rc = cpt_client_call(r->client, "comptoir.rpc.Server/Info", &info.base,
					     &comptoir__rpc__info_reply__descriptor, &out, &st);
		}
		double dt = now_us() - t0;
		protobuf_c_message_free_unpacked(out, NULL);
		if (rc) {
			r->errors++;
			continue;
		}
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 4096;
			r->lat = realloc(r->lat, r->cap * sizeof *r->lat);
		}
		r->lat[r->n++] = dt;
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void measure(const char *label, int clients, enum call_kind kind)
{
	run *runs = calloc((size_t)clients, sizeof *runs);
	volatile int go = 0, stop = 0;
	for (int i = 0; i < clients; i++) {
		runs[i].client =
		    kind != CALL_INFO ? cpt_testenv_admin(&env) : cpt_testenv_connect(&env);
		if (!runs[i].client) {
			fprintf(stderr, "bench: connection %d failed\n", i);
			exit(1);
		}
		runs[i].kind = kind;
		runs[i].go = &go;
		runs[i].stop = &stop;
		pthread_create(&runs[i].thread, NULL, client_loop, &runs[i]);
	}
	double t0 = now_us();
	go = 1;
	usleep((useconds_t)(seconds * 1e6));
	stop = 1;
	size_t total = 0;
	int errors = 0;
	for (int i = 0; i < clients; i++) {
		pthread_join(runs[i].thread, NULL);
		total += runs[i].n;
		errors += runs[i].errors;
	}
	double elapsed = (now_us() - t0) / 1e6;
	double *all = malloc((total ? total : 1) * sizeof *all);
	size_t k = 0;
	for (int i = 0; i < clients; i++) {
		memcpy(all + k, runs[i].lat, runs[i].n * sizeof *all);
		k += runs[i].n;
		free(runs[i].lat);
		cpt_client_close(runs[i].client);
	}
	qsort(all, total, sizeof *all, cmp_double);
	double p50 = total ? all[total / 2] : 0, p99 = total ? all[(size_t)(total * 0.99)] : 0;
	printf("| %-34s | %7d | %10.0f | %8.2f | %8.2f | %6d |\n", label, clients, total / elapsed,
	       p50 / 1000, p99 / 1000, errors);
	fflush(stdout);
	free(all);
	free(runs);
}

static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long kib = -1;
	while (f && fgets(line, sizeof line, f)) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kib = strtol(line + 6, NULL, 10);
		}
	}
	if (f) {
		fclose(f);
	}
	return kib;
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		seconds = atof(argv[1]);
	}
	if (cpt_testenv_start(&env, "bench", "[database]\npool_size = 4\n[log]\nlevel = warn\n") !=
	    0) {
		return 1;
	}
	admin_id = cpt_testenv_sql_int(&env, "SELECT id FROM app_user WHERE login = 'admin'");
	/* The one row Prefs/Get reads. */
	PGconn *db = cpt_testenv_sql(&env);
	PQclear(PQexec(db, "INSERT INTO user_pref (user_id, key, value) SELECT id,"
			   " 'list.bench.columns', 'login,name,-email' FROM app_user"
			   " WHERE login = 'admin'"));
	PQfinish(db);
	printf("| %-34s | %7s | %10s | %8s | %8s | %6s |\n", "call", "clients", "calls/s", "p50 ms",
	       "p99 ms", "errors");
	printf("|%s|%s|%s|%s|%s|%s|\n", "------------------------------------", "---------",
	       "------------", "----------", "----------", "--------");
	measure("Server/Info", 1, CALL_INFO);
	measure("Server/Info", 50, CALL_INFO);
	measure("Prefs/Get (session, one row)", 1, CALL_PREF);
	measure("Prefs/Get (session, one row)", 50, CALL_PREF);
	measure("Admin/GetUser (user, grants, scope)", 1, CALL_USER);
	measure("Admin/GetUser (user, grants, scope)", 50, CALL_USER);

	sleep(1);
	long idle = rss_kib(env.daemon);
	cpt_client *clients[100];
	for (int i = 0; i < 100; i++) {
		clients[i] = cpt_testenv_admin(&env);
	}
	long loaded = rss_kib(env.daemon);
	for (int i = 0; i < 100; i++) {
		cpt_client_close(clients[i]);
	}
	printf("\n| comptoird resident memory | MiB |\n|---|---|\n");
	printf("| idle (after the runs above) | %.1f |\n", idle / 1024.0);
	printf("| 100 authenticated clients connected | %.1f |\n", loaded / 1024.0);
	return cpt_testenv_stop(&env) == 0 ? 0 : 1;
}
