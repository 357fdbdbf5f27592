/*
 * comptoirctl user and company commands: the console's way in before any
 * administrator can log in, and its recovery when none can. Every write is
 * audited with method "comptoirctl/...".
 */
#include "ctl.h"
#include "password.h"

#include <getopt.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ctl_user_create(PGconn *c, const char *login, const char *name, long long company_id,
		    const char *role, bool quiet_if_exists);

static int sql_fail(PGresult *r, const char *what)
{
	fprintf(stderr, "comptoirctl: %s : %s", what, PQresultErrorMessage(r));
	PQclear(r);
	return 1;
}

static bool result_ok(PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);
	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

static void print_password(const char *login, const char *temp)
{
	printf("utilisateur %s : mot de passe provisoire %s (à changer à la première connexion)\n",
	       login, temp);
}

int ctl_user_create(PGconn *c, const char *login, const char *name, long long company_id,
		    const char *role, bool quiet_if_exists)
{
	const char *pl[] = {login};
	PGresult *r = PQexecParams(c, "SELECT id FROM app_user WHERE login = lower($1)", 1, NULL,
				   pl, NULL, NULL, 0);
	if (!result_ok(r)) {
		return sql_fail(r, "utilisateur");
	}
	bool exists = PQntuples(r) > 0;
	PQclear(r);
	if (exists) {
		if (quiet_if_exists) {
			printf("utilisateur %s : existe déjà, gardé\n", login);
			return 0;
		}
		fprintf(stderr, "comptoirctl: l'identifiant %s est déjà pris (login)\n", login);
		return 1;
	}
	char temp[17];
	char *hash = cpt_password_temporary(temp) ? cpt_password_hash(temp) : NULL;
	if (!hash) {
		fprintf(stderr, "comptoirctl: hachage du mot de passe impossible\n");
		return 1;
	}
	const char *p[] = {login, name ? name : login, hash};
	r = PQexecParams(c,
			 "INSERT INTO app_user (login, display_name, password_hash)"
			 " VALUES (lower($1), $2, $3) RETURNING id",
			 3, NULL, p, NULL, NULL, 0);
	free(hash);
	if (!result_ok(r)) {
		return sql_fail(r, "création de l'utilisateur");
	}
	long long id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if (ctl_audit(c, "user add", "app_user", id, 0)) {
		return 1;
	}
	if (company_id && role) {
		char uid[32], cid[32];
		snprintf(uid, sizeof uid, "%lld", id);
		snprintf(cid, sizeof cid, "%lld", company_id);
		const char *g[] = {uid, cid, role};
		r = PQexecParams(c,
				 "INSERT INTO user_company_role (user_id, company_id, role_id)"
				 " SELECT $1::bigint, $2::bigint, id FROM role WHERE name = $3",
				 3, NULL, g, NULL, NULL, 0);
		if (!result_ok(r)) {
			return sql_fail(r, "attribution du rôle");
		}
		bool granted = strcmp(PQcmdTuples(r), "1") == 0;
		PQclear(r);
		if (!granted) {
			fprintf(stderr, "comptoirctl: rôle inconnu : %s (role)\n", role);
			return 1;
		}
		if (ctl_audit(c, "user grant", "user_company_role", id, company_id)) {
			return 1;
		}
	}
	print_password(login, temp);
	return 0;
}

static long long company_by_code(PGconn *c, const char *code)
{
	const char *p[] = {code};
	PGresult *r = PQexecParams(c, "SELECT id FROM company WHERE code = upper($1)", 1, NULL, p,
				   NULL, NULL, 0);
	long long id = result_ok(r) && PQntuples(r) ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	if (!id) {
		fprintf(stderr, "comptoirctl: société inconnue : %s (company)\n", code);
	}
	return id;
}

static int user_add(PGconn *c, int argc, char **argv)
{
	const char *name = NULL, *company = NULL, *role = "Administrateur";
	static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
					     {"company", required_argument, NULL, 'c'},
					     {"role", required_argument, NULL, 'r'},
					     {NULL, 0, NULL, 0}};
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			name = optarg;
			break;
		case 'c':
			company = optarg;
			break;
		case 'r':
			role = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: comptoirctl user add LOGIN [--name NOM] [--company CODE] "
				"[--role RÔLE]\n");
		return 2;
	}
	long long company_id = 0;
	if (company && !(company_id = company_by_code(c, company))) {
		return 1;
	}
	return ctl_user_create(c, argv[optind], name, company_id, company ? role : NULL, false);
}

/* passwd, lock, unlock: one statement on the user's row. */
static int user_change(PGconn *c, const char *what, const char *login)
{
	char temp[17] = "";
	char *hash = NULL;
	const char *sql;
	if (strcmp(what, "passwd") == 0) {
		hash = cpt_password_temporary(temp) ? cpt_password_hash(temp) : NULL;
		if (!hash) {
			fprintf(stderr, "comptoirctl: hachage du mot de passe impossible\n");
			return 1;
		}
		sql =
		    "UPDATE app_user SET password_hash = $2, must_change_password = true,"
		    " locked_until = NULL, updated_at = now() WHERE login = lower($1) RETURNING id";
	} else if (strcmp(what, "lock") == 0) {
		sql = "UPDATE app_user SET locked = true, updated_at = now()"
		      " WHERE login = lower($1) RETURNING id";
	} else {
		sql = "UPDATE app_user SET locked = false, locked_until = NULL, updated_at = now()"
		      " WHERE login = lower($1) RETURNING id";
	}
	const char *p[] = {login, hash};
	PGresult *r = PQexecParams(c, sql, hash ? 2 : 1, NULL, p, NULL, NULL, 0);
	free(hash);
	if (!result_ok(r)) {
		return sql_fail(r, "utilisateur");
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		fprintf(stderr, "comptoirctl: utilisateur inconnu : %s (login)\n", login);
		return 1;
	}
	long long id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	char uid[32];
	snprintf(uid, sizeof uid, "%lld", id);
	const char *pu[] = {uid};
	if (strcmp(what, "unlock") != 0) {
		/* Whoever held a session with the old password or while unlocked is out. */
		r = PQexecParams(c, "DELETE FROM session WHERE user_id = $1::bigint", 1, NULL, pu,
				 NULL, NULL, 0);
		PQclear(r);
	}
	r = PQexecParams(c, "DELETE FROM login_failure WHERE user_id = $1::bigint", 1, NULL, pu,
			 NULL, NULL, 0);
	PQclear(r);
	char method[32];
	snprintf(method, sizeof method, "user %s", what);
	if (ctl_audit(c, method, "app_user", id, 0)) {
		return 1;
	}
	if (*temp) {
		print_password(login, temp);
	} else {
		printf("utilisateur %s %s\n", login,
		       strcmp(what, "lock") == 0 ? "verrouillé" : "déverrouillé");
	}
	return 0;
}

/* user grant LOGIN COMPANY ROLE: the installation owner's way to open a company. */
static int user_grant(PGconn *c, const char *login, const char *company, const char *role)
{
	long long company_id = company_by_code(c, company);
	if (!company_id) {
		return 1;
	}
	char cid[32];
	snprintf(cid, sizeof cid, "%lld", company_id);
	const char *p[] = {login, cid, role};
	PGresult *r = PQexecParams(
	    c,
	    "INSERT INTO user_company_role (user_id, company_id, role_id)"
	    " SELECT u.id, $2::bigint, r.id FROM app_user u, role r"
	    " WHERE u.login = lower($1) AND r.name = $3"
	    " ON CONFLICT (user_id, company_id) DO UPDATE SET role_id = excluded.role_id"
	    " RETURNING user_id",
	    3, NULL, p, NULL, NULL, 0);
	if (!result_ok(r)) {
		return sql_fail(r, "attribution du rôle");
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		fprintf(stderr, "comptoirctl: utilisateur %s ou rôle %s inconnu\n", login, role);
		return 1;
	}
	long long id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if (ctl_audit(c, "user grant", "user_company_role", id, 0)) {
		return 1;
	}
	printf("utilisateur %s : rôle %s dans la société %s\n", login, role, company);
	return 0;
}

static int user_list(PGconn *c)
{
	PGresult *r = PQexec(
	    c, "SELECT u.login, u.display_name,"
	       " CASE WHEN u.locked THEN 'verrouillé' WHEN u.locked_until > now() THEN 'bloqué'"
	       " WHEN u.must_change_password THEN 'mot de passe provisoire' ELSE 'actif' END,"
	       " coalesce(string_agg(c.code || ':' || r.name, ', ' ORDER BY c.code), '')"
	       " FROM app_user u LEFT JOIN user_company_role g ON g.user_id = u.id"
	       " LEFT JOIN company c ON c.id = g.company_id LEFT JOIN role r ON r.id = g.role_id"
	       " GROUP BY u.id ORDER BY u.login");
	if (!result_ok(r)) {
		return sql_fail(r, "utilisateurs");
	}
	for (int i = 0; i < PQntuples(r); i++) {
		printf("%-20s %-30s %-24s %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		       PQgetvalue(r, i, 2), PQgetvalue(r, i, 3));
	}
	PQclear(r);
	return 0;
}

int ctl_user(const cpt_config *cfg, int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: comptoirctl user add|passwd|lock|unlock|list ...\n");
		return 2;
	}
	const char *sub = argv[1];
	bool one_login =
	    strcmp(sub, "passwd") == 0 || strcmp(sub, "lock") == 0 || strcmp(sub, "unlock") == 0;
	bool grant = strcmp(sub, "grant") == 0;
	if (grant && argc != 5) {
		fprintf(stderr, "usage: comptoirctl user grant LOGIN SOCIÉTÉ RÔLE\n");
		return 2;
	}
	if (!one_login && !grant && strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0) {
		fprintf(stderr, "comptoirctl: sous-commande inconnue : user %s\n", sub);
		return 2;
	}
	if (one_login && argc != 3) {
		fprintf(stderr, "usage: comptoirctl user %s LOGIN\n", sub);
		return 2;
	}
	PGconn *c = ctl_admin_connect(cfg);
	if (!c) {
		return 1;
	}
	int rc = strcmp(sub, "add") == 0 ? user_add(c, argc - 1, argv + 1)
		 : grant		 ? user_grant(c, argv[2], argv[3], argv[4])
		 : one_login		 ? user_change(c, sub, argv[2])
					 : user_list(c);
	PQfinish(c);
	return rc;
}

/* ---------------------------------------------------------------------------
 * company
 */

static int company_add(PGconn *c, int argc, char **argv)
{
	const char *country = "FR";
	static const struct option opts[] = {{"country", required_argument, NULL, 'p'},
					     {NULL, 0, NULL, 0}};
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'p') {
			return 2;
		}
		country = optarg;
	}
	if (optind != argc - 2) {
		fprintf(stderr, "usage: comptoirctl company add CODE NOM [--country FR|BE]\n");
		return 2;
	}
	const char *p[] = {argv[optind], argv[optind + 1], country};
	PGresult *r = PQexecParams(c,
				   "INSERT INTO company (code, name, country, penalty_margin)"
				   " VALUES (upper($1), $2, upper($3),"
				   " CASE WHEN upper($3) = 'BE' THEN 800 ELSE 1000 END)"
				   " RETURNING id",
				   3, NULL, p, NULL, NULL, 0);
	if (!result_ok(r)) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		if (state && strcmp(state, "23505") == 0) {
			PQclear(r);
			fprintf(stderr, "comptoirctl: le code société %s existe déjà (code)\n",
				argv[optind]);
			return 1;
		}
		if (state && strcmp(state, "23514") == 0) {
			PQclear(r);
			fprintf(stderr, "comptoirctl: code (A-Z, 0-9, - et _, 20 au plus), nom "
					"(200 au plus) ou pays (FR ou BE) invalide\n");
			return 1;
		}
		return sql_fail(r, "société");
	}
	long long id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if (ctl_audit(c, "company add", "company", id, id)) {
		return 1;
	}
	printf("société %s créée (id %lld)\n", argv[optind + 1], id);
	return 0;
}

static int company_list(PGconn *c)
{
	PGresult *r = PQexec(c, "SELECT id, code, country, name FROM company ORDER BY code");
	if (!result_ok(r)) {
		return sql_fail(r, "sociétés");
	}
	for (int i = 0; i < PQntuples(r); i++) {
		printf("%-6s %-20s %-3s %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		       PQgetvalue(r, i, 2), PQgetvalue(r, i, 3));
	}
	PQclear(r);
	return 0;
}

int ctl_company(const cpt_config *cfg, int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "list") != 0)) {
		fprintf(stderr, "usage: comptoirctl company add|list ...\n");
		return 2;
	}
	PGconn *c = ctl_admin_connect(cfg);
	if (!c) {
		return 1;
	}
	int rc = strcmp(argv[1], "add") == 0 ? company_add(c, argc - 1, argv + 1) : company_list(c);
	PQfinish(c);
	return rc;
}
