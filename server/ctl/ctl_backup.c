/*
 * comptoirctl backup and restore.
 *
 * backup opens a REPEATABLE READ READ ONLY transaction on the admin
 * connection, exports its snapshot and runs pg_dump --format=custom on that
 * snapshot while the transaction stays open; the row count of every table of
 * the public schema is taken in the same transaction, so the manifest written
 * beside the dump describes exactly what the dump holds. The dump is written
 * to a .part file, hashed (SHA-256), then the manifest is written and the dump
 * renamed: a .dump file always has its manifest. Older backups beyond
 * [backup] keep are deleted by name order (the names sort by time).
 *
 * restore checks the dump against its manifest, restores it into a NEW
 * database (never over the running one) and verifies the schema version and
 * every table's row count there. A database that fails the check is left for
 * inspection.
 *
 * Exact counts need a role that row-level security does not filter: the
 * admin role must be superuser, or own the tables and have BYPASSRLS (some
 * tables, audit_log among them, FORCE row level security, which binds even
 * their owner). Counting runs with row_security = off, so a role that RLS
 * would filter gets an error instead of a wrong count; pg_dump does the same.
 */
#include "ctl.h"
#include "db.h"
#include "migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BACKUP_PREFIX "comptoir-"
#define DUMP_SUFFIX ".dump"
#define MANIFEST_SUFFIX ".manifest"
#define PART_SUFFIX ".part"
#define STAMP_FORMAT "%Y%m%dT%H%M%SZ" /* UTC; sorts by time */
#define STAMP_LEN 16
#define RESTORE_DB_FORMAT "comptoir_restore_%Y%m%dT%H%M%S"
#define PG_IDENT_MAX 63 /* NAMEDATALEN - 1: longer names are truncated */
#define PG_DEBIAN_BINDIR_FMT "/usr/lib/postgresql/%d/bin" /* Debian's layout, per major */
#define SHA256_HEX_LEN 64
#define BACKUP_FILE_MODE 0640
#define BACKUP_DIR_MODE 0750
#define HASH_CHUNK 65536

#define G_BACKUP "backup"
#define G_ROWS "rows"

static const char SQL_BEGIN_SNAPSHOT[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
static const char SQL_EXPORT_SNAPSHOT[] = "SELECT pg_export_snapshot()";
static const char SQL_NO_RLS_LOCAL[] = "SET LOCAL row_security = off";
static const char SQL_NO_RLS[] = "SET row_security = off";
static const char SQL_DB_INFO[] = "SELECT current_database(), current_setting('server_version'),"
				  " current_setting('server_encoding')";
static const char SQL_TABLES[] = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
				 " ORDER BY tablename";
static const char SQL_DB_EXISTS[] = "SELECT 1 FROM pg_database WHERE datname = $1";

/* ---------------------------------------------------------------------------
 * Plumbing: SQL, conninfo, PostgreSQL tools, files
 */

/* Sets st from a failed result, without libpq's trailing newline. */
static int set_pq_error(cpt_status *st, const char *what, const PGresult *r)
{
	g_autofree char *msg = g_strdup(r ? PQresultErrorMessage(r) : "pas de résultat");
	g_strchomp(msg);
	return cpt_status_set(st, CPT_UNAVAILABLE, NULL, "%s : %s", what, msg);
}

static int exec_cmd(PGconn *c, const char *sql, cpt_status *st)
{
	PGresult *r = PQexec(c, sql);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = set_pq_error(st, sql, r);
	}
	PQclear(r);
	return rc;
}

/*
 * conninfo rewritten as key='value' pairs, dbname replaced when given. When
 * password is not NULL the password is left out and handed back there
 * (caller g_free()s), so that it reaches the tools through their environment
 * rather than their argv, which every local user can read. Caller g_free()s.
 */
static char *conninfo_rebuild(const char *conninfo, const char *dbname, char **password,
			      cpt_status *st)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
	if (!opts) {
		g_autofree char *msg = g_strdup(err ? err : "illisible");
		g_strchomp(msg);
		PQfreemem(err);
		cpt_status_set(st, CPT_INVALID_ARGUMENT, "database.admin_conninfo",
			       "[database] admin_conninfo : %s", msg);
		return NULL;
	}
	GString *s = g_string_new(NULL);
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		const char *v = o->val;
		if (dbname && strcmp(o->keyword, "dbname") == 0) {
			v = dbname;
		}
		if (!v || !*v) {
			continue;
		}
		if (password && strcmp(o->keyword, "password") == 0) {
			g_free(*password);
			*password = g_strdup(v);
			continue;
		}
		g_string_append_printf(s, "%s%s='", s->len ? " " : "", o->keyword);
		for (const char *p = v; *p; p++) {
			if (*p == '\'' || *p == '\\') {
				g_string_append_c(s, '\\');
			}
			g_string_append_c(s, *p);
		}
		g_string_append_c(s, '\'');
	}
	PQconninfoFree(opts);
	return g_string_free(s, FALSE);
}

/*
 * The tool matching the server's major version in Debian's layout when it is
 * installed there, else the one found in PATH. Caller g_free()s.
 */
static char *pg_tool(PGconn *c, const char *name)
{
	g_autofree char *dir = g_strdup_printf(PG_DEBIAN_BINDIR_FMT, PQserverVersion(c) / 10000);
	g_autofree char *path = g_build_filename(dir, name, NULL);
	if (g_file_test(path, G_FILE_TEST_IS_EXECUTABLE)) {
		return g_steal_pointer(&path);
	}
	char *found = g_find_program_in_path(name);
	return found ? found : g_strdup(name);
}

/* Runs argv (no shell); the tool's own messages go to our stderr. */
static int run_tool(char **argv, const char *password, cpt_status *st)
{
	char **envp = g_get_environ();
	if (password) {
		envp = g_environ_setenv(envp, "PGPASSWORD", password, TRUE);
	}
	GError *err = NULL;
	int wait_status = 0;
	gboolean spawned = g_spawn_sync(NULL, argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
					NULL, &wait_status, &err);
	g_strfreev(envp);
	g_autofree char *name = g_path_get_basename(argv[0]);
	if (!spawned) {
		cpt_status_set(st, CPT_UNAVAILABLE, NULL, "lancement de %s impossible : %s", name,
			       err->message);
		g_error_free(err);
		return 1;
	}
	if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) {
		return 0;
	}
	if (WIFEXITED(wait_status)) {
		return cpt_status_set(st, CPT_INTERNAL, NULL, "%s a échoué (code de sortie %d)",
				      name, WEXITSTATUS(wait_status));
	}
	return cpt_status_set(st, CPT_INTERNAL, NULL, "%s a échoué (statut %d)", name, wait_status);
}

/* SHA-256 of a file as lowercase hex, and its size. */
static int file_sha256(const char *path, char hex[SHA256_HEX_LEN + 1], guint64 *size,
		       cpt_status *st)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		return cpt_status_set(st, CPT_NOT_FOUND, NULL, "lecture de %s : %s", path,
				      g_strerror(errno));
	}
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *buf = g_malloc(HASH_CHUNK);
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	guint64 total = 0;
	int rc = 0;
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		rc = cpt_status_set(st, CPT_INTERNAL, NULL, "SHA-256 indisponible");
		goto done;
	}
	size_t n;
	while ((n = fread(buf, 1, HASH_CHUNK, f)) > 0) {
		EVP_DigestUpdate(md, buf, n);
		total += n;
	}
	if (ferror(f)) {
		rc = cpt_status_set(st, CPT_INTERNAL, NULL, "lecture de %s : %s", path,
				    g_strerror(errno));
		goto done;
	}
	if (!EVP_DigestFinal_ex(md, digest, &len) || len * 2 != SHA256_HEX_LEN) {
		rc = cpt_status_set(st, CPT_INTERNAL, NULL, "SHA-256 indisponible");
		goto done;
	}
	for (unsigned i = 0; i < len; i++) {
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	}
	*size = total;
done:
	g_free(buf);
	EVP_MD_CTX_free(md);
	fclose(f);
	return rc;
}

/* Flushes a file or directory to disk; failure only costs durability. */
static void fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* ---------------------------------------------------------------------------
 * Row counts, the part of the manifest restore verifies
 */

/*
 * A table name GKeyFile stores and reads back unchanged as a key. Comptoir's
 * tables all qualify; an odd name is refused rather than silently skipped.
 */
static bool key_name_ok(const char *name)
{
	size_t n = strlen(name);
	return n > 0 && name[0] != ' ' && name[n - 1] != ' ' && name[0] != '#' &&
	       !strpbrk(name, "=[]\n\r") && g_utf8_validate(name, -1, NULL);
}

/* Counts the rows of every public table into kf's [rows]; *tables, *rows get totals. */
static int count_rows(PGconn *c, GKeyFile *kf, unsigned *tables, long long *rows, cpt_status *st)
{
	PGresult *list = PQexec(c, SQL_TABLES);
	if (PQresultStatus(list) != PGRES_TUPLES_OK) {
		set_pq_error(st, "liste des tables", list);
		PQclear(list);
		return 1;
	}
	int rc = 0;
	*tables = 0;
	*rows = 0;
	for (int i = 0; i < PQntuples(list) && rc == 0; i++) {
		const char *name = PQgetvalue(list, i, 0);
		if (!key_name_ok(name)) {
			rc = cpt_status_set(st, CPT_FAILED_PRECONDITION, NULL,
					    "nom de table non pris en charge par le manifeste : %s",
					    name);
			break;
		}
		char *ident = PQescapeIdentifier(c, name, strlen(name));
		if (!ident) {
			rc = cpt_status_set(st, CPT_INTERNAL, NULL, "table %s : %s", name,
					    PQerrorMessage(c));
			break;
		}
		g_autofree char *sql = g_strdup_printf("SELECT count(*) FROM public.%s", ident);
		PQfreemem(ident);
		PGresult *r = PQexec(c, sql);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
			long long n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
			g_key_file_set_int64(kf, G_ROWS, name, n);
			(*tables)++;
			*rows += n;
		} else {
			g_autofree char *what = g_strdup_printf("comptage de la table %s", name);
			rc = set_pq_error(st, what, r);
		}
		PQclear(r);
	}
	PQclear(list);
	return rc;
}

/*
 * Compares the [rows] of the manifest with those counted in the restored
 * database; describes the first difference in st.
 */
static int compare_rows(GKeyFile *expected, GKeyFile *actual, cpt_status *st)
{
	gsize n = 0;
	char **keys = g_key_file_get_keys(expected, G_ROWS, &n, NULL);
	int rc = 0;
	for (gsize i = 0; i < n && rc == 0; i++) {
		GError *err = NULL;
		gint64 want = g_key_file_get_int64(expected, G_ROWS, keys[i], &err);
		if (err) {
			rc = cpt_status_set(st, CPT_INVALID_ARGUMENT, NULL,
					    "manifeste : [rows] %s illisible : %s", keys[i],
					    err->message);
			g_error_free(err);
		} else if (!g_key_file_has_key(actual, G_ROWS, keys[i], NULL)) {
			rc = cpt_status_set(st, CPT_FAILED_PRECONDITION, NULL,
					    "table %s absente de la base restaurée", keys[i]);
		} else {
			gint64 got = g_key_file_get_int64(actual, G_ROWS, keys[i], NULL);
			if (got != want) {
				rc = cpt_status_set(st, CPT_FAILED_PRECONDITION, NULL,
						    "table %s : %" G_GINT64_FORMAT
						    " ligne(s) restaurée(s), %" G_GINT64_FORMAT
						    " dans le manifeste",
						    keys[i], got, want);
			}
		}
	}
	g_strfreev(keys);
	if (rc) {
		return rc;
	}
	keys = g_key_file_get_keys(actual, G_ROWS, &n, NULL);
	for (gsize i = 0; i < n && rc == 0; i++) {
		if (!g_key_file_has_key(expected, G_ROWS, keys[i], NULL)) {
			rc = cpt_status_set(st, CPT_FAILED_PRECONDITION, NULL,
					    "table %s présente dans la base restaurée mais absente "
					    "du manifeste",
					    keys[i]);
		}
	}
	g_strfreev(keys);
	return rc;
}

/* ---------------------------------------------------------------------------
 * backup
 */

static bool stamp_ok(const char *s, size_t len)
{
	if (len != STAMP_LEN || s[8] != 'T' || s[15] != 'Z') {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (i != 8 && i != 15 && !g_ascii_isdigit(s[i])) {
			return false;
		}
	}
	return true;
}

/*
 * The stamp of a backup file name (comptoir-STAMP.dump or .manifest), or
 * NULL. Caller g_free()s.
 */
static char *backup_stamp(const char *name)
{
	size_t plen = strlen(BACKUP_PREFIX), n = strlen(name);
	if (n <= plen || strncmp(name, BACKUP_PREFIX, plen) != 0) {
		return NULL;
	}
	const char *suffixes[] = {DUMP_SUFFIX, MANIFEST_SUFFIX};
	for (size_t i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		if (g_str_has_suffix(name, suffixes[i]) &&
		    stamp_ok(name + plen, n - plen - strlen(suffixes[i]))) {
			return g_strndup(name + plen, STAMP_LEN);
		}
	}
	return NULL;
}

static int compare_strings(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Deletes the dump and manifest pairs older than the newest keep. */
static int prune_backups(const char *dir, unsigned keep)
{
	GError *err = NULL;
	GDir *d = g_dir_open(dir, 0, &err);
	if (!d) {
		fprintf(stderr, "comptoirctl: rotation des sauvegardes : %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	const char *name;
	while ((name = g_dir_read_name(d))) {
		char *stamp = backup_stamp(name);
		if (stamp) {
			g_hash_table_add(seen, stamp);
		}
	}
	g_dir_close(d);
	guint n = 0;
	char **stamps = (char **)g_hash_table_get_keys_as_array(seen, &n);
	qsort(stamps, n, sizeof *stamps, compare_strings);
	int rc = 0;
	keep = keep ? keep : 1; /* never the backup just written */
	for (guint i = 0; n > keep && i < n - keep; i++) {
		const char *suffixes[] = {DUMP_SUFFIX, MANIFEST_SUFFIX};
		for (size_t k = 0; k < G_N_ELEMENTS(suffixes); k++) {
			g_autofree char *file = g_strdup_printf("%s/" BACKUP_PREFIX "%s%s", dir,
								stamps[i], suffixes[k]);
			if (g_unlink(file) == 0) {
				printf("ancienne sauvegarde supprimée : %s\n", file);
			} else if (errno != ENOENT) {
				fprintf(stderr, "comptoirctl: suppression de %s : %s\n", file,
					g_strerror(errno));
				rc = 1;
			}
		}
	}
	g_free(stamps); /* the strings belong to the table */
	g_hash_table_destroy(seen);
	return rc;
}

/* A stamp for now whose files do not exist yet (two backups in one second wait). */
static char *fresh_stamp(const char *dir, char **created)
{
	for (int attempt = 0;; attempt++) {
		GDateTime *now = g_date_time_new_now_utc();
		char *stamp = g_date_time_format(now, STAMP_FORMAT);
		bool taken = false;
		const char *suffixes[] = {DUMP_SUFFIX, MANIFEST_SUFFIX, DUMP_SUFFIX PART_SUFFIX};
		for (size_t k = 0; k < G_N_ELEMENTS(suffixes) && !taken; k++) {
			g_autofree char *file =
			    g_strdup_printf("%s/" BACKUP_PREFIX "%s%s", dir, stamp, suffixes[k]);
			taken = g_file_test(file, G_FILE_TEST_EXISTS);
		}
		if (!taken || attempt >= 20) {
			*created = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
			g_date_time_unref(now);
			return stamp;
		}
		g_free(stamp);
		g_date_time_unref(now);
		g_usleep(G_USEC_PER_SEC / 10);
	}
}

static int backup_usage(void)
{
	fprintf(stderr, "usage: comptoirctl backup [--dir DOSSIER]\n");
	return 2;
}

int ctl_backup(const cpt_config *cfg, int argc, char **argv)
{
	const char *dir = cfg->backup_directory;
	static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
					     {NULL, 0, NULL, 0}};
	int o;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'd') {
			return backup_usage();
		}
		dir = optarg;
	}
	if (optind != argc) {
		return backup_usage();
	}
	if (!dir || !*dir) {
		fprintf(stderr, "comptoirctl: aucun dossier de sauvegarde ([backup] directory)\n");
		return 1;
	}
	if (g_mkdir_with_parents(dir, BACKUP_DIR_MODE) != 0) {
		fprintf(stderr, "comptoirctl: dossier de sauvegarde %s : %s\n", dir,
			g_strerror(errno));
		return 1;
	}
	PGconn *c = ctl_admin_connect(cfg);
	if (!c) {
		return 1;
	}

	int rc = 1;
	bool in_tx = false, reported = false;
	cpt_status st = {0};
	GKeyFile *kf = g_key_file_new();
	char *password = NULL, *conninfo = NULL, *tool = NULL, *snapshot = NULL;
	char *created = NULL, *stamp = NULL, *dump = NULL, *part = NULL, *manifest = NULL;
	char *manifest_data = NULL, *a_snapshot = NULL, *a_file = NULL, *a_db = NULL;
	char *base = NULL;
	PGresult *r = NULL;

	if (exec_cmd(c, SQL_BEGIN_SNAPSHOT, &st)) {
		goto done;
	}
	in_tx = true;
	if (exec_cmd(c, SQL_NO_RLS_LOCAL, &st)) {
		goto done;
	}
	r = PQexec(c, SQL_EXPORT_SNAPSHOT);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		set_pq_error(&st, "export de l'instantané", r);
		goto done;
	}
	snapshot = g_strdup(PQgetvalue(r, 0, 0));
	g_clear_pointer(&r, PQclear);

	int version = cpt_migrate_version(c, &st);
	if (version < 0) {
		goto done;
	}
	r = PQexec(c, SQL_DB_INFO);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		set_pq_error(&st, "informations de la base", r);
		goto done;
	}
	stamp = fresh_stamp(dir, &created);
	dump = g_strdup_printf("%s/" BACKUP_PREFIX "%s" DUMP_SUFFIX, dir, stamp);
	manifest = g_strdup_printf("%s/" BACKUP_PREFIX "%s" MANIFEST_SUFFIX, dir, stamp);
	part = g_strdup_printf("%s" PART_SUFFIX, dump);
	base = g_path_get_basename(dump);
	/* [backup] first in the file; sha256 and size are filled in once the dump exists. */
	g_key_file_set_string(kf, G_BACKUP, "file", base);
	g_key_file_set_string(kf, G_BACKUP, "sha256", "");
	g_key_file_set_uint64(kf, G_BACKUP, "size", 0);
	g_key_file_set_integer(kf, G_BACKUP, "schema_version", version);
	g_key_file_set_string(kf, G_BACKUP, "created", created);
	g_key_file_set_string(kf, G_BACKUP, "database", PQgetvalue(r, 0, 0));
	g_key_file_set_string(kf, G_BACKUP, "server_version", PQgetvalue(r, 0, 1));
	g_key_file_set_string(kf, G_BACKUP, "encoding", PQgetvalue(r, 0, 2));
	g_clear_pointer(&r, PQclear);
	unsigned tables = 0;
	long long rows = 0;
	if (count_rows(c, kf, &tables, &rows, &st)) {
		goto done;
	}

	/* Created here so the dump is never readable by others, even while written. */
	int fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, BACKUP_FILE_MODE);
	if (fd < 0) {
		cpt_status_set(&st, CPT_UNAVAILABLE, NULL, "%s : %s", part, g_strerror(errno));
		goto done;
	}
	close(fd);

	conninfo = conninfo_rebuild(cfg->admin_conninfo, NULL, &password, &st);
	if (!conninfo) {
		goto done;
	}
	tool = pg_tool(c, "pg_dump");
	a_snapshot = g_strdup_printf("--snapshot=%s", snapshot);
	a_file = g_strdup_printf("--file=%s", part);
	a_db = g_strdup_printf("--dbname=%s", conninfo);
	char *dump_argv[] = {tool, "--format=custom", "--no-password", a_snapshot, a_file, a_db,
			     NULL};
	if (run_tool(dump_argv, password, &st)) {
		goto done;
	}
	/* pg_dump holds its own copy of the snapshot: the transaction can end. */
	in_tx = false;
	if (exec_cmd(c, "COMMIT", &st)) {
		goto done;
	}
	char sha[SHA256_HEX_LEN + 1] = "";
	guint64 size = 0;
	if (file_sha256(part, sha, &size, &st)) {
		goto done;
	}
	fsync_path(part);

	g_key_file_set_string(kf, G_BACKUP, "sha256", sha);
	g_key_file_set_uint64(kf, G_BACKUP, "size", size);
	gsize len = 0;
	manifest_data = g_key_file_to_data(kf, &len, NULL);
	GError *err = NULL;
	if (!g_file_set_contents_full(manifest, manifest_data, (gssize)len,
				      G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
				      BACKUP_FILE_MODE, &err)) {
		cpt_status_set(&st, CPT_UNAVAILABLE, NULL, "manifeste : %s", err->message);
		g_error_free(err);
		goto done;
	}
	/* The manifest exists before the dump gets its final name. */
	if (g_rename(part, dump) != 0) {
		cpt_status_set(&st, CPT_UNAVAILABLE, NULL, "%s : %s", dump, g_strerror(errno));
		g_unlink(manifest);
		goto done;
	}
	fsync_path(dir);

	printf("sauvegarde écrite : %s\n", dump);
	printf("  taille : %" G_GUINT64_FORMAT " octets\n", size);
	printf("  sha256 : %s\n", sha);
	printf("  manifeste : %s (schéma en version %d, %u tables, %lld lignes)\n", manifest,
	       version, tables, rows);
	rc = 0;
	reported = true;
	if (prune_backups(dir, cfg->backup_keep)) {
		rc = 1;
	}
	if (ctl_audit(c, "backup", "", 0, 0)) {
		rc = 1;
	}

done:
	if (rc && !reported) {
		ctl_fail(&st);
	}
	if (in_tx) {
		PQclear(PQexec(c, "ROLLBACK"));
	}
	if (part && rc && !reported) {
		g_unlink(part);
	}
	PQclear(r);
	PQfinish(c);
	g_key_file_free(kf);
	g_free(manifest_data);
	g_free(a_snapshot);
	g_free(a_file);
	g_free(a_db);
	g_free(base);
	if (password) {
		memset(password, 0, strlen(password));
		g_free(password);
	}
	g_free(conninfo);
	g_free(tool);
	g_free(snapshot);
	g_free(created);
	g_free(stamp);
	g_free(dump);
	g_free(part);
	g_free(manifest);
	return rc;
}

/* ---------------------------------------------------------------------------
 * restore
 */

static int restore_usage(void)
{
	fprintf(stderr, "usage: comptoirctl restore FICHIER [--into BASE]\n");
	return 2;
}

/* FILE's manifest: the same name with .manifest instead of .dump. Caller g_free()s. */
static char *manifest_path(const char *file)
{
	if (g_str_has_suffix(file, DUMP_SUFFIX)) {
		return g_strdup_printf("%.*s" MANIFEST_SUFFIX,
				       (int)(strlen(file) - strlen(DUMP_SUFFIX)), file);
	}
	return g_strconcat(file, MANIFEST_SUFFIX, NULL);
}

/* Reads and checks FILE's manifest, then FILE's SHA-256 against it. */
static int check_dump(const char *file, GKeyFile *kf, int *version, cpt_status *st)
{
	if (!g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
		return cpt_status_set(st, CPT_NOT_FOUND, NULL, "sauvegarde %s introuvable", file);
	}
	g_autofree char *path = manifest_path(file);
	GError *err = NULL;
	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err)) {
		cpt_status_set(st, CPT_NOT_FOUND, NULL, "manifeste %s illisible : %s", path,
			       err->message);
		g_error_free(err);
		return 1;
	}
	g_autofree char *want = g_key_file_get_string(kf, G_BACKUP, "sha256", NULL);
	*version = g_key_file_get_integer(kf, G_BACKUP, "schema_version", &err);
	if (!want || err) {
		cpt_status_set(st, CPT_INVALID_ARGUMENT, NULL,
			       "manifeste %s incomplet : [backup] sha256 et schema_version "
			       "sont requis",
			       path);
		g_clear_error(&err);
		return 1;
	}
	char got[SHA256_HEX_LEN + 1] = "";
	guint64 size = 0;
	if (file_sha256(file, got, &size, st)) {
		return 1;
	}
	if (g_ascii_strcasecmp(g_strstrip(want), got) != 0) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, NULL,
				      "%s ne correspond pas à son manifeste (sha256 %s, attendu "
				      "%s) : fichier altéré ou incomplet, restauration refusée",
				      file, got, want);
	}
	return 0;
}

int ctl_restore(const cpt_config *cfg, int argc, char **argv)
{
	const char *into = NULL;
	static const struct option opts[] = {{"into", required_argument, NULL, 'i'},
					     {NULL, 0, NULL, 0}};
	int o;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'i') {
			return restore_usage();
		}
		into = optarg;
	}
	if (optind != argc - 1) {
		return restore_usage();
	}
	const char *file = argv[optind];

	cpt_status st = {0};
	GKeyFile *expected = g_key_file_new();
	int version = 0;
	if (check_dump(file, expected, &version, &st)) {
		g_key_file_free(expected);
		return ctl_fail(&st);
	}

	char *dbname = NULL;
	if (into) {
		dbname = g_strdup(into);
	} else {
		GDateTime *now = g_date_time_new_now_utc();
		dbname = g_date_time_format(now, RESTORE_DB_FORMAT);
		g_date_time_unref(now);
	}
	if (!*dbname || strlen(dbname) > PG_IDENT_MAX) {
		fprintf(stderr, "comptoirctl: nom de base invalide : « %s » (1 à %d octets)\n",
			dbname, PG_IDENT_MAX);
		g_free(dbname);
		g_key_file_free(expected);
		return 2;
	}

	int rc = 1;
	bool created = false;
	PGconn *c = ctl_admin_connect(cfg), *target = NULL;
	GKeyFile *actual = g_key_file_new();
	char *password = NULL, *tool_conninfo = NULL, *conninfo = NULL, *tool = NULL;
	char *ident = NULL, *encoding = NULL, *sql = NULL, *enc_name = NULL, *a_db = NULL;
	PGresult *r = NULL;
	if (!c) {
		goto done;
	}

	const char *p[] = {dbname};
	r = PQexecParams(c, SQL_DB_EXISTS, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		set_pq_error(&st, "liste des bases", r);
		goto done;
	}
	if (PQntuples(r) > 0) {
		cpt_status_set(&st, CPT_ALREADY_EXISTS, NULL,
			       "la base %s existe déjà : restauration refusée (choisissez un autre "
			       "nom avec --into)",
			       dbname);
		goto done;
	}
	g_clear_pointer(&r, PQclear);

	ident = PQescapeIdentifier(c, dbname, strlen(dbname));
	enc_name = g_key_file_get_string(expected, G_BACKUP, "encoding", NULL);
	if (enc_name) {
		encoding = PQescapeLiteral(c, enc_name, strlen(enc_name));
	}
	if (!ident || (enc_name && !encoding)) {
		cpt_status_set(&st, CPT_INTERNAL, NULL, "%s", PQerrorMessage(c));
		goto done;
	}
	sql = encoding ? g_strdup_printf("CREATE DATABASE %s TEMPLATE template0 ENCODING %s", ident,
					 encoding)
		       : g_strdup_printf("CREATE DATABASE %s TEMPLATE template0", ident);
	if (exec_cmd(c, sql, &st)) {
		goto done;
	}
	created = true;
	printf("base %s créée\n", dbname);

	tool_conninfo = conninfo_rebuild(cfg->admin_conninfo, dbname, &password, &st);
	conninfo = conninfo_rebuild(cfg->admin_conninfo, dbname, NULL, &st);
	if (!tool_conninfo || !conninfo) {
		goto done;
	}
	tool = pg_tool(c, "pg_restore");
	a_db = g_strdup_printf("--dbname=%s", tool_conninfo);
	char *restore_argv[] = {
	    tool, a_db, "--no-owner", "--exit-on-error", "--no-password", (char *)file, NULL};
	if (run_tool(restore_argv, password, &st)) {
		goto done;
	}

	target = cpt_db_connect(conninfo, &st);
	if (!target || exec_cmd(target, SQL_NO_RLS, &st)) {
		goto done;
	}
	int got = cpt_migrate_version(target, &st);
	if (got < 0) {
		goto done;
	}
	if (got != version) {
		cpt_status_set(&st, CPT_FAILED_PRECONDITION, NULL,
			       "schéma restauré en version %d, %d dans le manifeste", got, version);
		goto done;
	}
	unsigned tables = 0;
	long long rows = 0;
	if (count_rows(target, actual, &tables, &rows, &st) ||
	    compare_rows(expected, actual, &st)) {
		goto done;
	}
	printf("base restaurée : %s\n", dbname);
	printf("restauration vérifiée : schéma en version %d, %u tables, %lld lignes conformes "
	       "au manifeste\n",
	       got, tables, rows);
	rc = 0;

done:
	if (rc) {
		if (st.code) {
			ctl_fail(&st);
		}
		if (created) {
			fprintf(stderr,
				"comptoirctl: restauration NON vérifiée ; la base %s est laissée "
				"en place pour examen (DROP DATABASE pour la supprimer)\n",
				dbname);
		}
	}
	PQclear(r);
	PQfinish(target);
	PQfinish(c);
	PQfreemem(ident);
	PQfreemem(encoding);
	g_free(sql);
	g_free(enc_name);
	g_free(a_db);
	g_key_file_free(actual);
	g_key_file_free(expected);
	if (password) {
		memset(password, 0, strlen(password));
		g_free(password);
	}
	g_free(tool_conninfo);
	g_free(conninfo);
	g_free(tool);
	g_free(dbname);
	return rc;
}
