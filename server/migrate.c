/* Migration runner; see migrate.h. */
#include "migrate.h"
#include "log.h"

#include <glib.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct migration {
	int version;
	char *name; /* file name */
	char *path;
	char checksum[65];
} migration;

static const char SQL_BOOTSTRAP[] =
    "DO $$ BEGIN"
    " IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'comptoir_app') THEN"
    "  CREATE ROLE comptoir_app NOLOGIN NOSUPERUSER NOBYPASSRLS;"
    " END IF; END $$;"
    "CREATE TABLE IF NOT EXISTS schema_migration ("
    " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now());"
    "GRANT SELECT ON schema_migration TO comptoir_app;";

char *cpt_migrate_dir(void)
{
	const char *env = getenv("COMPTOIR_SQL_DIR");
	if (env && *env) {
		return g_strdup(env);
	}
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		g_autofree char *dir = g_path_get_dirname(exe);
		char *local = g_build_filename(dir, "..", "..", "sql", "0001_core.sql", NULL);
		bool found = g_file_test(local, G_FILE_TEST_EXISTS);
		g_free(local);
		if (found) {
			char *d = g_build_filename(dir, "..", "..", "sql", NULL);
			char *canon = g_canonicalize_filename(d, NULL);
			g_free(d);
			return canon;
		}
	}
	return g_strdup(CPT_SQLDIR_DEFAULT);
}

static void sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char d[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)data, len, d);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	}
}

static int cmp_migration(const void *a, const void *b)
{
	return ((const migration *)a)->version - ((const migration *)b)->version;
}

static void free_list(migration *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		g_free(list[i].name);
		g_free(list[i].path);
	}
	g_free(list);
}

/* Reads NNNN_*.sql from dir, sorted; versions must be 1..n without gaps. */
static int list_migrations(const char *dir, migration **out, size_t *count, cpt_status *st)
{
	g_autoptr(GError) err = NULL;
	GDir *d = g_dir_open(dir, 0, &err);
	if (!d) {
		return cpt_status_set(st, CPT_NOT_FOUND, "sql", "dossier des migrations %s : %s",
				      dir, err->message);
	}
	GArray *arr = g_array_new(FALSE, TRUE, sizeof(migration));
	const char *f;
	while ((f = g_dir_read_name(d))) {
		if (!g_str_has_suffix(f, ".sql") || strlen(f) < 10 || f[4] != '_' ||
		    !g_ascii_isdigit(f[0])) {
			continue;
		}
		migration m = {.version = atoi(f), .name = g_strdup(f)};
		m.path = g_build_filename(dir, f, NULL);
		g_array_append_val(arr, m);
	}
	g_dir_close(d);
	g_array_sort(arr, cmp_migration);
	size_t n = arr->len;
	migration *list = (migration *)g_array_free(arr, FALSE);
	for (size_t i = 0; i < n; i++) {
		g_autofree char *text = NULL;
		gsize len = 0;
		if (list[i].version != (int)i + 1) {
			cpt_status_set(st, CPT_FAILED_PRECONDITION, "sql",
				       "migrations non continues : %s", list[i].name);
			free_list(list, n);
			return st->code;
		}
		if (!g_file_get_contents(list[i].path, &text, &len, NULL)) {
			cpt_status_set(st, CPT_NOT_FOUND, "sql", "migration illisible : %s",
				       list[i].path);
			free_list(list, n);
			return st->code;
		}
		sha256_hex(text, len, list[i].checksum);
	}
	*out = list;
	*count = n;
	return 0;
}

static int exec_simple(PGconn *c, const char *sql, cpt_status *st)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		cpt_status_set(st, CPT_INTERNAL, NULL, "%s", PQresultErrorMessage(r));
		PQclear(r);
		return st->code;
	}
	PQclear(r);
	return 0;
}

int cpt_migrate_version(PGconn *conn, cpt_status *st)
{
	PGresult *r = PQexec(conn, "SELECT to_regclass('schema_migration') IS NOT NULL");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		cpt_status_set(st, CPT_UNAVAILABLE, NULL, "%s", PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	bool exists = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!exists) {
		return 0;
	}
	r = PQexec(conn, "SELECT coalesce(max(version), 0) FROM schema_migration");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		cpt_status_set(st, CPT_UNAVAILABLE, NULL, "%s", PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	int v = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

int cpt_migrate_apply(PGconn *c, const char *dir, int *applied, cpt_status *st)
{
	migration *list = NULL;
	size_t n = 0;
	*applied = 0;
	if (list_migrations(dir, &list, &n, st)) {
		return st->code;
	}
	/* One migrator at a time, even with several daemons or operators. */
	if (exec_simple(c, "SELECT pg_advisory_lock(7410001)", st) ||
	    exec_simple(c, SQL_BOOTSTRAP, st) || cpt_migrate_verify(c, dir, st)) {
		goto done;
	}
	int current = cpt_migrate_version(c, st);
	if (current < 0) {
		goto done;
	}
	for (size_t i = (size_t)current; i < n; i++) {
		g_autofree char *text = NULL;
		g_file_get_contents(list[i].path, &text, NULL, NULL);
		if (exec_simple(c, "BEGIN", st)) {
			goto done;
		}
		if (exec_simple(c, text, st)) {
			char msg[sizeof st->message];
			snprintf(msg, sizeof msg, "%s", st->message);
			cpt_status_set(st, CPT_INTERNAL, "sql", "migration %s : %s", list[i].name,
				       msg);
			PQclear(PQexec(c, "ROLLBACK"));
			goto done;
		}
		char version[16];
		snprintf(version, sizeof version, "%d", list[i].version);
		const char *params[] = {version, list[i].name, list[i].checksum};
		PGresult *r = PQexecParams(c,
					   "INSERT INTO schema_migration (version, name, checksum)"
					   " VALUES ($1::int, $2, $3)",
					   3, NULL, params, NULL, NULL, 0);
		bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		if (!ok || exec_simple(c, "COMMIT", st)) {
			if (!ok) {
				cpt_status_set(st, CPT_INTERNAL, "sql", "enregistrement de %s",
					       list[i].name);
			}
			PQclear(PQexec(c, "ROLLBACK"));
			goto done;
		}
		(*applied)++;
	}
done:
	PQclear(PQexec(c, "SELECT pg_advisory_unlock(7410001)"));
	free_list(list, n);
	return st->code;
}

int cpt_migrate_verify(PGconn *conn, const char *dir, cpt_status *st)
{
	migration *list = NULL;
	size_t n = 0;
	if (list_migrations(dir, &list, &n, st)) {
		return st->code;
	}
	PGresult *r = PQexec(conn, "SELECT version, name, checksum FROM schema_migration"
				   " ORDER BY version");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		/* No table yet: nothing applied, nothing to verify. */
		PQclear(r);
		free_list(list, n);
		return 0;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		int v = atoi(PQgetvalue(r, i, 0));
		if (v < 1 || (size_t)v > n) {
			cpt_status_set(st, CPT_FAILED_PRECONDITION, "sql",
				       "migration %d appliquée mais absente de %s : "
				       "ce programme est plus ancien que la base",
				       v, dir);
			break;
		}
		if (strcmp(list[v - 1].checksum, PQgetvalue(r, i, 2)) != 0) {
			cpt_status_set(st, CPT_FAILED_PRECONDITION, "sql",
				       "migration %s modifiée depuis son application "
				       "(empreinte %.12s… au lieu de %.12s…)",
				       list[v - 1].name, list[v - 1].checksum, PQgetvalue(r, i, 2));
			break;
		}
	}
	PQclear(r);
	free_list(list, n);
	return st->code;
}
