/*
 * Many calls at once: pipelined requests on one connection, 50 concurrent
 * clients, and SIGTERM while writes are in flight — every write that was
 * acknowledged is in the database, and the daemon exits 0.
 */
#include "testenv.h"

#include "admin.pb-c.h"
#include "rpc.pb-c.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cpt_testenv env;
static int64_t admin_id;

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "concurrency", "[server]\nmax_inflight = 16\n") != 0) {
		return -1;
	}
	admin_id = cpt_testenv_sql_int(&env, "SELECT id FROM app_user WHERE login = 'admin'");
	return 0;
}

static int teardown(void **state)
{
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

static void pipelined_requests_all_come_back_matched_by_id(void **state)
{
	enum { N = 300 };
	cpt_client *c = cpt_testenv_admin(&env);
	assert_non_null(c);
	cpt_status st = {0};
	uint64_t ids[N];
	Comptoir__Rpc__Empty info = COMPTOIR__RPC__EMPTY__INIT;
	Comptoir__Admin__GetUserRequest get = COMPTOIR__ADMIN__GET_USER_REQUEST__INIT;
	get.id = admin_id;
	/* More than the in-flight cap: the server must hold back, not drop. */
	for (int i = 0; i < N; i++) {
		const ProtobufCMessage *m = i % 2 ? &get.base : &info.base;
		const char *method =
		    i % 2 ? "comptoir.admin.Admin/GetUser" : "comptoir.rpc.Server/Info";
		assert_int_equal(cpt_client_send(c, method, m, &ids[i], &st), 0);
	}
	bool seen[N] = {false};
	for (int i = 0; i < N; i++) {
		uint64_t id;
		uint8_t *payload;
		size_t len;
		assert_int_equal(cpt_client_recv(c, &id, &payload, &len, &st), 0);
		assert_int_equal(st.code, CPT_OK);
		int k = (int)(id - ids[0]);
		assert_true(k >= 0 && k < N);
		assert_false(seen[k]);
		seen[k] = true;
		if (k % 2) {
			Comptoir__Admin__UserReply *u =
			    comptoir__admin__user_reply__unpack(NULL, len, payload);
			assert_non_null(u);
			assert_string_equal(u->user->login, "admin");
			comptoir__admin__user_reply__free_unpacked(u, NULL);
		}
		free(payload);
	}
	cpt_client_close(c);
}

typedef struct worker {
	pthread_t thread;
	int index;
	int ok_calls;
	int failures;
	volatile int *stop;
	char acked[512][32]; /* roles whose creation was acknowledged */
	int n_acked;
} worker;

static void *client_worker(void *arg)
{
	worker *w = arg;
	cpt_client *c = cpt_testenv_admin(&env);
	if (!c) {
		w->failures++;
		return NULL;
	}
	Comptoir__Admin__GetUserRequest get = COMPTOIR__ADMIN__GET_USER_REQUEST__INIT;
	get.id = admin_id;
	for (int i = 0; i < 20; i++) {
		ProtobufCMessage *out = NULL;
		cpt_status st = {0};
		if (cpt_client_call(c, "comptoir.admin.Admin/GetUser", &get.base,
				    &comptoir__admin__user_reply__descriptor, &out, &st) == 0) {
			w->ok_calls++;
		} else {
			w->failures++;
		}
		protobuf_c_message_free_unpacked(out, NULL);
	}
	cpt_client_close(c);
	return NULL;
}

static void fifty_concurrent_clients_are_all_served(void **state)
{
	enum { N = 50 };
	worker *w = calloc(N, sizeof *w);
	for (int i = 0; i < N; i++) {
		w[i].index = i;
		pthread_create(&w[i].thread, NULL, client_worker, &w[i]);
	}
	int ok = 0, failures = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(w[i].thread, NULL);
		ok += w[i].ok_calls;
		failures += w[i].failures;
	}
	free(w);
	assert_int_equal(failures, 0);
	assert_int_equal(ok, N * 20);
}

static void *writer(void *arg)
{
	worker *w = arg;
	cpt_client *c = cpt_testenv_admin(&env);
	if (!c) {
		w->failures++;
		return NULL;
	}
	for (int i = 0; !*w->stop && w->n_acked < 512; i++) {
		char name[32];
		snprintf(name, sizeof name, "w%d-%d", w->index, i);
		Comptoir__Admin__Role role = COMPTOIR__ADMIN__ROLE__INIT;
		role.name = name;
		role.description = "";
		Comptoir__Admin__RoleRequest req = COMPTOIR__ADMIN__ROLE_REQUEST__INIT;
		req.role = &role;
		ProtobufCMessage *out = NULL;
		cpt_status st = {0};
		int rc = cpt_client_call(c, "comptoir.admin.Admin/CreateRole", &req.base,
					 &comptoir__admin__role_reply__descriptor, &out, &st);
		protobuf_c_message_free_unpacked(out, NULL);
		if (rc != 0) {
			break; /* the daemon is going away: this one was not acknowledged */
		}
		snprintf(w->acked[w->n_acked++], sizeof w->acked[0], "%s", name);
	}
	cpt_client_close(c);
	return NULL;
}

static void sigterm_during_writes_keeps_every_acknowledged_write(void **state)
{
	enum { N = 6 };
	volatile int stop = 0;
	worker *w = calloc(N, sizeof *w);
	for (int i = 0; i < N; i++) {
		w[i].index = i;
		w[i].stop = &stop;
		pthread_create(&w[i].thread, NULL, writer, &w[i]);
	}
	usleep(1500 * 1000);
	assert_int_equal(cpt_testenv_daemon_stop(&env), 0); /* SIGTERM, drained, exit 0 */
	stop = 1;
	int acked = 0;
	PGconn *db = cpt_testenv_sql(&env);
	for (int i = 0; i < N; i++) {
		pthread_join(w[i].thread, NULL);
		for (int k = 0; k < w[i].n_acked; k++) {
			const char *p[] = {w[i].acked[k]};
			PGresult *r = PQexecParams(db, "SELECT 1 FROM role WHERE name = $1", 1,
						   NULL, p, NULL, NULL, 0);
			if (PQntuples(r) != 1) {
				fail_msg("acknowledged role %s is missing", w[i].acked[k]);
			}
			PQclear(r);
			acked++;
		}
	}
	PQfinish(db);
	free(w);
	assert_true(acked > 0);
	assert_int_equal(cpt_testenv_daemon_start(&env), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pipelined_requests_all_come_back_matched_by_id),
	    cmocka_unit_test(fifty_concurrent_clients_are_all_served),
	    cmocka_unit_test(sigterm_during_writes_keeps_every_acknowledged_write),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
