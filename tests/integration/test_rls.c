/*
 * Row-level security between companies: the daemon's role sees only the
 * current company's rows even in a query that forgets the filter, cannot
 * write rows for another company, and cannot bypass the policy.
 */
#include "testenv.h"

#include "admin.pb-c.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cpt_testenv env;
static long long company_a, company_b;

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "rls", NULL) != 0) {
		return -1;
	}
	const char *args[] = {"company", "add", "BETA", "Beta SAS", "--country", "BE", NULL};
	char out[1024];
	if (cpt_testenv_ctl(&env, out, sizeof out, args) != 0) {
		fprintf(stderr, "%s\n", out);
		return -1;
	}
	company_a = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'DEMO'");
	company_b = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'BETA'");
	/* The installation owner opens the second company to the administrator. */
	const char *grant[] = {"user", "grant", "admin", "BETA", "Administrateur", NULL};
	if (cpt_testenv_ctl(&env, out, sizeof out, grant) != 0) {
		fprintf(stderr, "%s\n", out);
		return -1;
	}
	cpt_client *b = cpt_testenv_login(&env, "admin", env.admin_password, company_b, NULL, NULL);
	cpt_client_close(b);
	return b ? 0 : -1;
}

static int teardown(void **state)
{
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

/* A connection as the daemon's own role, with the company set as a call sets it. */
static PGconn *daemon_conn(long long company)
{
	char conninfo[600];
	snprintf(conninfo, sizeof conninfo, "%s user=comptoir", env.pgconn);
	PGconn *c = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQclear(PQexec(c, "BEGIN"));
	if (company) {
		char sql[120];
		snprintf(sql, sizeof sql, "SELECT set_config('comptoir.company_id', '%lld', true)",
			 company);
		PQclear(PQexec(c, sql));
	}
	return c;
}

static void both_companies_have_audit_rows(void **state)
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE company_id = %lld",
		 company_b);
	assert_true(cpt_testenv_sql_int(&env, sql) > 0);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE company_id = %lld",
		 company_a);
	assert_true(cpt_testenv_sql_int(&env, sql) > 0);
}

static void query_without_company_filter_returns_no_row_of_another_company(void **state)
{
	PGconn *c = daemon_conn(company_a);
	PGresult *r = PQexec(c, "SELECT company_id FROM audit_log");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_true(PQntuples(r) > 0);
	int own = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		if (PQgetisnull(r, i, 0)) {
			continue; /* installation-wide rows */
		}
		long long id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		assert_int_equal(id, company_a);
		own++;
	}
	assert_true(own > 0);
	PQclear(r);
	PQfinish(c);
}

static void without_a_company_set_no_company_row_is_visible(void **state)
{
	PGconn *c = daemon_conn(0);
	PGresult *r = PQexec(c, "SELECT count(*) FROM audit_log WHERE company_id IS NOT NULL");
	assert_string_equal(PQgetvalue(r, 0, 0), "0");
	PQclear(r);
	PQfinish(c);
}

static void writing_a_row_for_another_company_is_refused(void **state)
{
	PGconn *c = daemon_conn(company_a);
	char sql[200];
	snprintf(sql, sizeof sql,
		 "INSERT INTO audit_log (company_id, method) VALUES (%lld, 'forged')", company_b);
	PGresult *r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42501");
	PQclear(r);
	PQfinish(c);
}

static void daemon_role_cannot_bypass_row_security_nor_rewrite_history(void **state)
{
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM pg_roles"
						   " WHERE rolname IN ('comptoir', 'comptoir_app')"
						   " AND NOT rolsuper AND NOT rolbypassrls"),
			 2);
	PGconn *c = daemon_conn(company_a);
	PGresult *r = PQexec(c, "DELETE FROM audit_log");
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
	PQfinish(c);
	/* Not even the owner may update or delete an audit row. */
	PGconn *su = cpt_testenv_sql(&env);
	r = PQexec(su, "UPDATE audit_log SET method = 'rewritten'");
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
	PQfinish(su);
}

static void audit_log_over_rpc_shows_only_the_session_company(void **state)
{
	cpt_client *a = cpt_testenv_login(&env, "admin", env.admin_password, company_a, NULL, NULL);
	Comptoir__Admin__ListAuditRequest req = COMPTOIR__ADMIN__LIST_AUDIT_REQUEST__INIT;
	req.limit = 1000;
	ProtobufCMessage *o = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(a, "comptoir.admin.Admin/ListAudit", &req.base,
					 &comptoir__admin__list_audit_reply__descriptor, &o, &st),
			 CPT_OK);
	Comptoir__Admin__ListAuditReply *rep = (Comptoir__Admin__ListAuditReply *)o;
	assert_true(rep->n_entries > 0);
	for (size_t i = 0; i < rep->n_entries; i++) {
		assert_true(rep->entries[i]->company_id == 0 ||
			    rep->entries[i]->company_id == company_a);
	}
	protobuf_c_message_free_unpacked(o, NULL);
	cpt_client_close(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(both_companies_have_audit_rows),
	    cmocka_unit_test(query_without_company_filter_returns_no_row_of_another_company),
	    cmocka_unit_test(without_a_company_set_no_company_row_is_visible),
	    cmocka_unit_test(writing_a_row_for_another_company_is_refused),
	    cmocka_unit_test(daemon_role_cannot_bypass_row_security_nor_rewrite_history),
	    cmocka_unit_test(audit_log_over_rpc_shows_only_the_session_company),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
