/*
 * The daemon's life: configuration check (-t), refusal of an older schema,
 * SIGHUP reloading the certificate (and the client's pin refusing it), and a
 * PostgreSQL restart under a running daemon losing nothing acknowledged.
 */
#include "testenv.h"

#include "admin.pb-c.h"

#include <glib.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static cpt_testenv env;
static int64_t admin_id;

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "daemon", NULL) != 0) {
		return -1;
	}
	admin_id = cpt_testenv_sql_int(&env, "SELECT id FROM app_user WHERE login = 'admin'");
	return 0;
}

static int teardown(void **state)
{
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

static int run_check(const char *conf, char *out, size_t size)
{
	g_autofree char *cmd =
	    g_strdup_printf("%s/comptoird -t -c '%s' 2>&1", cpt_testenv_build(), conf);
	FILE *p = popen(cmd, "r");
	size_t n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	int status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void configuration_check_passes_and_names_a_bad_key(void **state)
{
	char out[4096];
	assert_int_equal(run_check(env.conf, out, sizeof out), 0);
	g_autofree char *bad = g_build_filename(env.dir, "bad.conf", NULL);
	g_file_set_contents(bad, "[server]\nport = quatre\n", -1, NULL);
	assert_int_equal(run_check(bad, out, sizeof out), 2);
	assert_non_null(strstr(out, "port"));
}

static void daemon_refuses_an_older_schema(void **state)
{
	PGconn *c = cpt_testenv_sql(&env);
	PQclear(PQexec(c, "CREATE TEMP TABLE saved AS SELECT * FROM schema_migration"));
	PQclear(PQexec(c, "DELETE FROM schema_migration"));
	char out[4096];
	assert_int_not_equal(run_check(env.conf, out, sizeof out), 0);
	assert_non_null(strstr(out, "comptoirctl migrate"));
	PQclear(PQexec(c, "INSERT INTO schema_migration SELECT * FROM saved"));
	PQfinish(c);
	assert_int_equal(run_check(env.conf, out, sizeof out), 0);
}

static int get_user(cpt_client *c)
{
	Comptoir__Admin__GetUserRequest req = COMPTOIR__ADMIN__GET_USER_REQUEST__INIT;
	req.id = admin_id;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	int rc = cpt_client_call(c, "comptoir.admin.Admin/GetUser", &req.base,
				 &comptoir__admin__user_reply__descriptor, &out, &st);
	protobuf_c_message_free_unpacked(out, NULL);
	return rc;
}

static void sighup_reloads_the_certificate_and_pinned_clients_refuse_it(void **state)
{
	cpt_client *before = cpt_testenv_admin(&env);
	assert_non_null(before);
	char old_fp[CPT_FINGERPRINT_LEN + 1];
	snprintf(old_fp, sizeof old_fp, "%s", env.fingerprint);

	char out[2048];
	const char *args[] = {"cert", "new", "--cn", "serveur-2", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, args), 0);
	kill(env.daemon, SIGHUP);
	usleep(300 * 1000);

	/* A client pinned to the old certificate is refused, saying why. */
	cpt_client_opts o = {.host = "127.0.0.1", .port = env.port, .pin = old_fp};
	cpt_client *c = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_connect(&o, &c, &st), CPT_PERMISSION_DENIED);
	assert_string_equal(st.field, "fingerprint");
	assert_null(c);
	/* Without a pin, the new fingerprint shows. */
	o.pin = NULL;
	assert_int_equal(cpt_client_connect(&o, &c, &st), 0);
	assert_string_not_equal(cpt_client_fingerprint(c), old_fp);
	snprintf(env.fingerprint, sizeof env.fingerprint, "%s", cpt_client_fingerprint(c));
	cpt_client_close(c);
	/* The connection opened before the reload keeps working. */
	assert_int_equal(get_user(before), CPT_OK);
	cpt_client_close(before);
}

static void postgresql_restart_loses_nothing_acknowledged(void **state)
{
	const char *pgdir = getenv("CPT_TEST_PGDIR");
	if (!pgdir) {
		skip();
	}
	cpt_client *c = cpt_testenv_admin(&env);
	assert_int_equal(get_user(c), CPT_OK);

	g_autofree char *stop = g_strdup_printf("packaging/pgcluster.sh stop '%s'", pgdir);
	g_autofree char *start =
	    g_strdup_printf("packaging/pgcluster.sh start '%s' --fast >/dev/null", pgdir);
	assert_int_equal(system(stop), 0);
	/* While the database is down, calls fail cleanly. */
	assert_int_equal(get_user(c), CPT_UNAVAILABLE);
	assert_int_equal(system(start), 0);

	/* Back up: the pool reconnects by itself; writes are acknowledged and kept. */
	assert_int_equal(get_user(c), CPT_OK);
	Comptoir__Admin__Role role = COMPTOIR__ADMIN__ROLE__INIT;
	role.name = "Après redémarrage";
	role.description = "";
	Comptoir__Admin__RoleRequest req = COMPTOIR__ADMIN__ROLE_REQUEST__INIT;
	req.role = &role;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(c, "comptoir.admin.Admin/CreateRole", &req.base,
					 &comptoir__admin__role_reply__descriptor, &out, &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	cpt_client_close(c);
	assert_int_equal(
	    cpt_testenv_sql_int(&env, "SELECT count(*) FROM role WHERE name = 'Après redémarrage'"),
	    1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(configuration_check_passes_and_names_a_bad_key),
	    cmocka_unit_test(daemon_refuses_an_older_schema),
	    cmocka_unit_test(sighup_reloads_the_certificate_and_pinned_clients_refuse_it),
	    cmocka_unit_test(postgresql_restart_loses_nothing_acknowledged),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
