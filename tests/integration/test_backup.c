/*
 * comptoirctl backup, restore and verify against the running installation:
 * the backup is consistent and described by its manifest, the restore lands
 * in a new database with the same data, and verify checks the migrations.
 */
#include "testenv.h"

#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cpt_testenv env;

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "backup", NULL) != 0) {
		return -1;
	}
	/* Some data beyond init's: users, a second company. */
	const char *add[] = {"company", "add", "SECOND", "Seconde SAS", NULL};
	char out[2048];
	if (cpt_testenv_ctl(&env, out, sizeof out, add) != 0) {
		return -1;
	}
	for (int i = 0; i < 3; i++) {
		char login[32];
		snprintf(login, sizeof login, "user%d", i);
		const char *args[] = {"user", "add", login, "--company", "DEMO", NULL};
		if (cpt_testenv_ctl(&env, out, sizeof out, args) != 0) {
			fprintf(stderr, "%s\n", out);
			return -1;
		}
	}
	return 0;
}

static int teardown(void **state)
{
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

/* A fingerprint of the data: every row of the core tables, in order. */
static char *snapshot(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PGresult *r = PQexec(c, "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM ("
				" SELECT 'c' || row(c.*)::text AS t FROM company c"
				" UNION ALL SELECT 'u' || row(u.*)::text FROM app_user u"
				" UNION ALL SELECT 'g' || row(g.*)::text FROM user_company_role g"
				" UNION ALL SELECT 'r' || row(r.*)::text FROM role r"
				" UNION ALL SELECT 'p' || row(p.*)::text FROM role_permission p"
				" UNION ALL SELECT 'a' || row(a.*)::text FROM audit_log a"
				" WHERE a.method <> 'comptoirctl/backup') x");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	char *s = g_strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return s;
}

static void backup_then_restore_gives_back_the_same_data(void **state)
{
	char out[8192];
	const char *backup[] = {"backup", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, backup), 0);
	/* Find the dump it wrote. */
	g_autofree char *dir = g_build_filename(env.dir, "backups", NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	assert_non_null(d);
	char *dump = NULL, *manifest = NULL;
	const char *f;
	while ((f = g_dir_read_name(d))) {
		if (g_str_has_suffix(f, ".dump")) {
			dump = g_build_filename(dir, f, NULL);
		} else if (g_str_has_suffix(f, ".manifest")) {
			manifest = g_build_filename(dir, f, NULL);
		}
	}
	g_dir_close(d);
	assert_non_null(dump);
	assert_non_null(manifest);
	g_autofree char *text = NULL;
	assert_true(g_file_get_contents(manifest, &text, NULL, NULL));
	assert_non_null(strstr(text, "sha256"));
	assert_non_null(strstr(text, "schema_version"));

	g_autofree char *before = snapshot(env.pgconn);
	char target[128];
	snprintf(target, sizeof target, "%s_restored", env.db);
	const char *restore[] = {"restore", dump, "--into", target, NULL};
	int rc = cpt_testenv_ctl(&env, out, sizeof out, restore);
	if (rc != 0) {
		fail_msg("restore failed: %s", out);
	}
	char conninfo[700];
	snprintf(conninfo, sizeof conninfo, "%s dbname=%s", env.pgconn, target);
	g_autofree char *after = snapshot(conninfo);
	assert_string_equal(before, after);

	/* Clean up the restored copy. */
	PGconn *c = cpt_testenv_sql(&env);
	char sql[200];
	snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", target);
	PQclear(PQexec(c, sql));
	PQfinish(c);
	g_free(dump);
	g_free(manifest);
}

static void restore_refuses_a_tampered_dump(void **state)
{
	char out[8192];
	const char *backup[] = {"backup", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, backup), 0);
	g_autofree char *dir = g_build_filename(env.dir, "backups", NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	char *dump = NULL;
	const char *f;
	while ((f = g_dir_read_name(d))) {
		if (g_str_has_suffix(f, ".dump")) {
			g_free(dump);
			dump = g_build_filename(dir, f, NULL);
		}
	}
	g_dir_close(d);
	FILE *fp = fopen(dump, "r+b");
	assert_non_null(fp);
	fseek(fp, -10, SEEK_END);
	fputc('X', fp);
	fclose(fp);
	const char *restore[] = {"restore", dump, "--into", "never_created", NULL};
	assert_int_not_equal(cpt_testenv_ctl(&env, out, sizeof out, restore), 0);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM pg_database"
						   " WHERE datname = 'never_created'"),
			 0);
	g_free(dump);
}

static void verify_detects_a_modified_migration_record(void **state)
{
	char out[4096];
	const char *verify[] = {"verify", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, verify), 0);
	PGconn *c = cpt_testenv_sql(&env);
	PQclear(PQexec(c, "UPDATE schema_migration SET checksum = 'tampered' WHERE version = 1"));
	assert_int_not_equal(cpt_testenv_ctl(&env, out, sizeof out, verify), 0);
	PQclear(PQexec(c, "UPDATE schema_migration SET checksum = 'x' WHERE false"));
	PQfinish(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(backup_then_restore_gives_back_the_same_data),
	    cmocka_unit_test(restore_refuses_a_tampered_dump),
	    cmocka_unit_test(verify_detects_a_modified_migration_record),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
