/*
 * comptoirctl: entry point and the schema commands (init, migrate, status,
 * verify). User, company, certificate and backup commands live in their own
 * files.
 */
#include "ctl.h"
#include "db.h"
#include "log.h"
#include "migrate.h"
#include "password.h"

#include <getopt.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: comptoirctl [-c FILE] COMMAND [ARGS]\n"
	    "  init [--company NOM] [--company-code CODE] [--country FR|BE] [--admin LOGIN]\n"
	    "                       base, migrations, rôle du démon, société, administrateur,\n"
	    "                       certificat : ce qui manque est créé, le reste gardé\n"
	    "  migrate              applique les migrations en attente\n"
	    "  status               état de la base, du schéma et du certificat\n"
	    "  verify               vérifie les migrations appliquées et la chaîne des factures\n"
	    "  user add LOGIN [--name NOM] [--company CODE] [--role RÔLE]\n"
	    "  user passwd|lock|unlock LOGIN\n"
	    "  user grant LOGIN SOCIÉTÉ RÔLE\n"
	    "  user list\n"
	    "  company add CODE NOM [--country FR|BE]\n"
	    "  company list\n"
	    "  cert new [--cn NOM] [--days N]\n"
	    "  backup [--dir DOSSIER]\n"
	    "  restore FICHIER [--into BASE]\n"
	    "  -c FILE  configuration (default " CPT_DEFAULT_CONFIG ")\n");
}

int ctl_fail(const cpt_status *st)
{
	if (st->field[0]) {
		fprintf(stderr, "comptoirctl: %s (%s)\n", st->message, st->field);
	} else {
		fprintf(stderr, "comptoirctl: %s\n", st->message);
	}
	return 1;
}

PGconn *ctl_admin_connect(const cpt_config *cfg)
{
	cpt_status st = {0};
	PGconn *c = cpt_db_connect(cfg->admin_conninfo, &st);
	if (!c) {
		ctl_fail(&st);
	}
	return c;
}

int ctl_audit(PGconn *c, const char *what, const char *target, long long row_id,
	      long long company_id)
{
	char method[128], row[32], company[32];
	snprintf(method, sizeof method, "comptoirctl/%s", what);
	snprintf(row, sizeof row, "%lld", row_id);
	snprintf(company, sizeof company, "%lld", company_id);
	const char *p[] = {company, method, target, row};
	PGresult *r = PQexecParams(
	    c,
	    "INSERT INTO audit_log (company_id, method, target, row_ids)"
	    " VALUES (nullif($1::bigint, 0), $2, $3,"
	    " CASE WHEN $4::bigint = 0 THEN '{}'::bigint[] ELSE ARRAY[$4::bigint] END)",
	    4, NULL, p, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok) {
		fprintf(stderr, "comptoirctl: journal d'audit : %s", PQresultErrorMessage(r));
	}
	PQclear(r);
	return ok ? 0 : 1;
}

/* ---------------------------------------------------------------------------
 * migrate, verify, status
 */

int ctl_migrate(const cpt_config *cfg, int argc, char **argv)
{
	PGconn *c = ctl_admin_connect(cfg);
	if (!c) {
		return 1;
	}
	g_autofree char *dir = cpt_migrate_dir();
	cpt_status st = {0};
	int applied = 0;
	int rc = cpt_migrate_apply(c, dir, &applied, &st) ? ctl_fail(&st) : 0;
	if (rc == 0) {
		printf("migrations : %d appliquée(s), schéma en version %d\n", applied,
		       cpt_migrate_version(c, &st));
	}
	PQfinish(c);
	return rc;
}

int ctl_verify(const cpt_config *cfg, int argc, char **argv)
{
	PGconn *c = ctl_admin_connect(cfg);
	if (!c) {
		return 1;
	}
	g_autofree char *dir = cpt_migrate_dir();
	cpt_status st = {0};
	int rc = 0;
	if (cpt_migrate_verify(c, dir, &st)) {
		rc = ctl_fail(&st);
	} else {
		printf("migrations : empreintes conformes (version %d)\n",
		       cpt_migrate_version(c, &st));
	}
	if (ctl_verify_chain(c)) {
		rc = 1;
	}
	PQfinish(c);
	return rc;
}

static void print_count(PGconn *c, const char *label, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		printf("%s%*s %s\n", label, 16 - (int)g_utf8_strlen(label, -1), "",
		       PQgetvalue(r, 0, 0));
	}
	PQclear(r);
}

int ctl_status(const cpt_config *cfg, int argc, char **argv)
{
	printf("configuration    %s\n", cfg->path ? cfg->path : "(défauts)");
	PGconn *c = ctl_admin_connect(cfg);
	if (!c) {
		return 1;
	}
	cpt_status st = {0};
	int v = cpt_migrate_version(c, &st);
	int sv = PQserverVersion(c);
	printf("postgresql       %d.%d, base %s\n", sv / 10000, sv % 10000, PQdb(c));
	printf("schéma           version %d (ce programme : %d)%s\n", v, CPT_SCHEMA_VERSION,
	       v < CPT_SCHEMA_VERSION ? " : lancez « comptoirctl migrate »" : "");
	if (v > 0) {
		print_count(c, "sociétés", "SELECT count(*) FROM company");
		print_count(c, "utilisateurs", "SELECT count(*) FROM app_user");
		print_count(c, "sessions", "SELECT count(*) FROM session WHERE expires_at > now()");
	}
	PQfinish(c);
	return v < CPT_SCHEMA_VERSION ? 1 : 0;
}

/* ---------------------------------------------------------------------------
 * init
 */

/* The value of key in a conninfo string, or NULL. Caller g_free()s. */
static char *conninfo_get(const char *conninfo, const char *key)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
	PQfreemem(err);
	char *v = NULL;
	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		if (strcmp(o->keyword, key) == 0 && o->val && *o->val) {
			v = g_strdup(o->val);
		}
	}
	PQconninfoFree(opts);
	return v;
}

static int exec_ok(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		fprintf(stderr, "comptoirctl: %s", PQresultErrorMessage(r));
		PQclear(r);
		return 1;
	}
	PQclear(r);
	return 0;
}

/* Creates the database named in admin_conninfo when it does not exist yet. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static PGconn *connect_or_create(const cpt_config *cfg)
{
	PGconn *c = PQconnectdb(cfg->admin_conninfo);
	if (PQstatus(c) == CONNECTION_OK) {
		PQsetNoticeProcessor(c, quiet, NULL);
		return c;
	}
	PQfinish(c);
	g_autofree char *db = conninfo_get(cfg->admin_conninfo, "dbname");
	if (!db) {
		return ctl_admin_connect(cfg);
	}
	g_autofree char *maint = g_strdup_printf("%s dbname=postgres", cfg->admin_conninfo);
	PGconn *m = PQconnectdb(maint);
	if (PQstatus(m) != CONNECTION_OK) {
		PQfinish(m);
		return ctl_admin_connect(cfg);
	}
	char *ident = PQescapeIdentifier(m, db, strlen(db));
	g_autofree char *sql =
	    g_strdup_printf("CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0", ident);
	PQfreemem(ident);
	int rc = exec_ok(m, sql, 0, NULL);
	PQfinish(m);
	if (rc) {
		return NULL;
	}
	printf("base de données %s créée\n", db);
	return ctl_admin_connect(cfg);
}

/* The daemon's login role: member of comptoir_app, never superuser. */
static int ensure_daemon_role(PGconn *c, const cpt_config *cfg)
{
	g_autofree char *user = conninfo_get(cfg->conninfo, "user");
	g_autofree char *admin = conninfo_get(cfg->admin_conninfo, "user");
	if (!user) {
		fprintf(stderr, "comptoirctl: attention, [database] conninfo ne nomme pas de rôle "
				"(user=...) : le démon doit se connecter avec un rôle membre de "
				"comptoir_app, ni superutilisateur ni BYPASSRLS\n");
		return 0;
	}
	if (admin && strcmp(user, admin) == 0) {
		fprintf(stderr,
			"comptoirctl: [database] conninfo et admin_conninfo utilisent le "
			"même rôle : la sécurité par ligne ne protégerait pas les sociétés\n");
		return 1;
	}
	const char *p[] = {user};
	PGresult *r =
	    PQexecParams(c, "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = $1", 1,
			 NULL, p, NULL, NULL, 0);
	int exists = PQntuples(r);
	bool privileged = exists && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (privileged) {
		fprintf(stderr,
			"comptoirctl: le rôle %s est superutilisateur ou BYPASSRLS : "
			"refusé pour le démon\n",
			user);
		return 1;
	}
	char *ident = PQescapeIdentifier(c, user, strlen(user));
	g_autofree char *sql =
	    exists ? g_strdup_printf("GRANT comptoir_app TO %s", ident)
		   : g_strdup_printf("CREATE ROLE %s LOGIN IN ROLE comptoir_app", ident);
	PQfreemem(ident);
	if (exec_ok(c, sql, 0, NULL)) {
		return 1;
	}
	if (!exists) {
		printf("rôle PostgreSQL %s créé pour le démon\n", user);
	}
	return 0;
}

/* Creates login as an administrator of company when absent; prints the password. */
int ctl_user_create(PGconn *c, const char *login, const char *name, long long company_id,
		    const char *role, bool quiet_if_exists);

/*
 * The first company, unless one exists; either way its id, and whether it is
 * new. Its late-penalty margin: 10 points in France, 8 in Belgium.
 */
static const char SQL_FIRST_COMPANY[] =
    "WITH n AS (INSERT INTO company (code, name, country, penalty_margin)"
    " SELECT $1, $2, $3::text, CASE WHEN $3::text = 'BE' THEN 800 ELSE 1000 END"
    " WHERE NOT EXISTS (SELECT 1 FROM company)"
    " RETURNING id) SELECT id, true FROM n"
    " UNION ALL SELECT min(id), false FROM company HAVING count(*) > 0";

int ctl_init(const cpt_config *cfg, int argc, char **argv)
{
	const char *company = "Démo SARL", *code = "DEMO", *country = "FR", *admin = "admin";
	static const struct option opts[] = {{"company", required_argument, NULL, 'n'},
					     {"company-code", required_argument, NULL, 'k'},
					     {"country", required_argument, NULL, 'p'},
					     {"admin", required_argument, NULL, 'a'},
					     {NULL, 0, NULL, 0}};
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			company = optarg;
			break;
		case 'k':
			code = optarg;
			break;
		case 'p':
			country = optarg;
			break;
		case 'a':
			admin = optarg;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	cpt_status st = {0};
	int created = 0;
	if (ctl_cert_ensure(cfg, "localhost", &created, &st)) {
		return ctl_fail(&st);
	}
	PGconn *c = connect_or_create(cfg);
	if (!c) {
		return 1;
	}
	int rc = 1;
	g_autofree char *dir = cpt_migrate_dir();
	int applied = 0;
	if (cpt_migrate_apply(c, dir, &applied, &st)) {
		ctl_fail(&st);
		goto out;
	}
	printf("schéma en version %d (%d migration(s) appliquée(s))\n", cpt_migrate_version(c, &st),
	       applied);
	if (ensure_daemon_role(c, cfg)) {
		goto out;
	}
	const char *p[] = {code, company, country};
	PGresult *r = PQexecParams(c, SQL_FIRST_COMPANY, 3, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) == 0) {
		fprintf(stderr, "comptoirctl: société : %s", PQresultErrorMessage(r));
		PQclear(r);
		goto out;
	}
	long long company_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	bool new_company = PQgetvalue(r, 0, 1)[0] == 't';
	PQclear(r);
	if (new_company) {
		printf("société « %s » (%s) créée\n", company, code);
		if (ctl_audit(c, "init", "company", company_id, company_id)) {
			goto out;
		}
	}
	if (ctl_user_create(c, admin, "Administrateur", company_id, "Administrateur", true)) {
		goto out;
	}
	rc = 0;
out:
	PQfinish(c);
	return rc;
}

/* ---------------------------------------------------------------------------
 * main
 */

static const struct {
	const char *name;
	ctl_command_fn fn;
	bool needs_config;
} commands[] = {
    {"init", ctl_init, true},	  {"migrate", ctl_migrate, true}, {"status", ctl_status, true},
    {"verify", ctl_verify, true}, {"user", ctl_user, true},	  {"company", ctl_company, true},
    {"cert", ctl_cert, true},	  {"backup", ctl_backup, true},	  {"restore", ctl_restore, true},
};

int main(int argc, char **argv)
{
	const char *config_path = CPT_DEFAULT_CONFIG;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			config_path = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
		if (strcmp(argv[i], commands[k].name) != 0) {
			continue;
		}
		cpt_config cfg;
		cpt_status st = {0};
		if (cpt_config_load(&cfg, config_path, &st) != 0) {
			ctl_fail(&st);
			cpt_config_clear(&cfg);
			return 1;
		}
		int rc = commands[k].fn(&cfg, argc - i, argv + i);
		cpt_config_clear(&cfg);
		return rc;
	}
	fprintf(stderr, "comptoirctl: commande inconnue : %s\n", argv[i]);
	usage(stderr);
	return 2;
}
