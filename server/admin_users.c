/*
 * comptoir.admin.Admin, users side: list, read, create with a temporary
 * password, update, lock and unlock, reset the password, grant or revoke a
 * role per company, list companies. Users are installation-wide; their grants
 * are per company. Every write is audited in the same transaction.
 */
#include "admin.h"
#include "audit.h"
#include "db.h"
#include "handlers.h"
#include "password.h"

#include "admin.pb-c.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000
#define PAGE_OFFSET_MAX 100000000u

/* ---------------------------------------------------------------------------
 * Rows to messages
 */

#define USER_COLUMNS                                                                               \
	"u.id, u.login, u.display_name, u.email, u.locked,"                                        \
	" coalesce(extract(epoch FROM u.locked_until)::bigint, 0), u.must_change_password,"        \
	" extract(epoch FROM u.created_at)::bigint,"                                               \
	" coalesce(extract(epoch FROM u.last_login_at)::bigint, 0)"

/* Search: part of the login, name or e-mail, any case (trigram index). */
#define USER_SEARCH                                                                                \
	"($1 = '' OR lower(u.login || ' ' || u.display_name || ' ' || u.email)"                    \
	" LIKE '%%' || lower($1) || '%%') AND " USER_VISIBLE

/*
 * Users an administrator sees: those with a grant in a company they
 * administer, and those without any company yet. A scalar subquery per row
 * (an index probe), with the administered companies computed once: the
 * planner cannot turn it into a scan of every grant.
 */
#define USER_VISIBLE                                                                               \
	"(SELECT count(*) = 0 OR bool_or(ug.company_id = ANY (ARRAY("                              \
	"SELECT mine.company_id FROM user_company_role mine JOIN role_permission rp"               \
	" ON rp.role_id = mine.role_id AND rp.permission = 'admin.users'"                          \
	" WHERE mine.user_id = cpt_user())))"                                                      \
	" FROM user_company_role ug WHERE ug.user_id = u.id)"

static Comptoir__Admin__User *user_row(cpt_call *call, const PGresult *r, int i)
{
	Comptoir__Admin__User *u =
	    CPT_NEW(call, Comptoir__Admin__User, comptoir__admin__user__init);
	u->id = cpt_db_i64(r, i, 0);
	u->login = cpt_call_strdup(call, cpt_db_str(r, i, 1));
	u->display_name = cpt_call_strdup(call, cpt_db_str(r, i, 2));
	u->email = cpt_call_strdup(call, cpt_db_str(r, i, 3));
	u->locked = cpt_db_bool(r, i, 4);
	u->locked_until = cpt_db_i64(r, i, 5);
	u->must_change_password = cpt_db_bool(r, i, 6);
	u->created_at = cpt_db_i64(r, i, 7);
	u->last_login_at = cpt_db_i64(r, i, 8);
	return u;
}

static const char SQL_GRANTS[] =
    "SELECT g.user_id, g.company_id, g.role_id, r.name, c.name FROM user_company_role g"
    " JOIN role r ON r.id = g.role_id JOIN company c ON c.id = g.company_id"
    " WHERE g.user_id = ANY($1::bigint[]) ORDER BY g.user_id, c.name";

/* Attaches every user's grants with one query. */
static int attach_grants(cpt_call *call, cpt_status *st, Comptoir__Admin__User **users, size_t n)
{
	if (n == 0) {
		return 0;
	}
	GString *ids = g_string_new("{");
	for (size_t i = 0; i < n; i++) {
		g_string_append_printf(ids, "%s%lld", i ? "," : "", (long long)users[i]->id);
	}
	g_string_append_c(ids, '}');
	PGresult *r = cpt_db_query(call, st, SQL_GRANTS, ids->str);
	g_string_free(ids, TRUE);
	if (!r) {
		return st->code;
	}
	int rows = PQntuples(r);
	for (size_t i = 0; i < n; i++) {
		Comptoir__Admin__User *u = users[i];
		for (int k = 0; k < rows; k++) {
			if (cpt_db_i64(r, k, 0) == u->id) {
				u->n_grants++;
			}
		}
		u->grants = cpt_call_alloc(call, sizeof(void *) * (u->n_grants + 1));
		size_t j = 0;
		for (int k = 0; k < rows; k++) {
			if (cpt_db_i64(r, k, 0) != u->id) {
				continue;
			}
			Comptoir__Admin__Grant *g =
			    CPT_NEW(call, Comptoir__Admin__Grant, comptoir__admin__grant__init);
			g->user_id = u->id;
			g->company_id = cpt_db_i64(r, k, 1);
			g->role_id = cpt_db_i64(r, k, 2);
			g->role_name = cpt_call_strdup(call, cpt_db_str(r, k, 3));
			g->company_name = cpt_call_strdup(call, cpt_db_str(r, k, 4));
			u->grants[j++] = g;
		}
	}
	PQclear(r);
	return 0;
}

static int load_user(cpt_call *call, cpt_status *st, int64_t id, Comptoir__Admin__User **user)
{
	PGresult *r = cpt_db_query(
	    call, st, "SELECT " USER_COLUMNS " FROM app_user u WHERE u.id = $1::bigint",
	    cpt_call_i64(call, id));
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, "id", "utilisateur introuvable");
	}
	*user = user_row(call, r, 0);
	PQclear(r);
	return attach_grants(call, st, user, 1);
}

static int user_reply(cpt_call *call, cpt_status *st, int64_t id, ProtobufCMessage **out)
{
	Comptoir__Admin__UserReply *rep =
	    CPT_NEW(call, Comptoir__Admin__UserReply, comptoir__admin__user_reply__init);
	if (load_user(call, st, id, &rep->user)) {
		return st->code;
	}
	*out = &rep->base;
	return 0;
}

/* Runs a write that must touch exactly one user row. */
static int update_user_row(cpt_call *call, cpt_status *st, const char *sql, int n,
			   const char *const *params)
{
	PGresult *r = cpt_db_exec(call, st, sql, n, params);
	if (!r) {
		return st->code;
	}
	bool found = strcmp(PQcmdTuples(r), "0") != 0;
	PQclear(r);
	return found ? 0 : cpt_status_set(st, CPT_NOT_FOUND, "id", "utilisateur introuvable");
}

static int exec_ok(cpt_call *call, cpt_status *st, const char *sql, int n,
		   const char *const *params)
{
	PGresult *r = cpt_db_exec(call, st, sql, n, params);
	if (!r) {
		return st->code;
	}
	PQclear(r);
	return 0;
}

/* ---------------------------------------------------------------------------
 * Field checks
 */

static int check_display_name(const char *v, cpt_status *st)
{
	glong n = g_utf8_strlen(v, -1);
	if (n < 1 || n > 200) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "display_name",
				      "nom obligatoire, 200 caractères au plus");
	}
	return 0;
}

static int check_email(const char *v, cpt_status *st)
{
	if (!*v) {
		return 0;
	}
	const char *at = strchr(v, '@');
	if (strlen(v) > 200 || !at || at == v || !strchr(at, '.') || strchr(v, ' ')) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "email", "adresse e-mail invalide");
	}
	return 0;
}

static int check_login(const char *v, cpt_status *st)
{
	size_t n = strlen(v);
	bool ok = n >= 2 && n <= 64;
	for (size_t i = 0; ok && i < n; i++) {
		char c = v[i];
		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		     c == '@' || c == '-';
	}
	if (!ok) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "login",
				      "identifiant de 2 à 64 caractères : minuscules, chiffres, "
				      "point, tiret, souligné, @");
	}
	return 0;
}

/* ---------------------------------------------------------------------------
 * Handlers
 */

CPT_HANDLER(cpt_admin_list_users)
{
	const Comptoir__Admin__ListUsersRequest *req = (const void *)in;
	const Comptoir__Admin__Page *page = req->page;
	unsigned limit = page && page->limit ? page->limit : PAGE_DEFAULT;
	if (limit > PAGE_MAX) {
		limit = PAGE_MAX;
	}
	const char *sort = page && page->sort[0] ? page->sort : "login";
	const char *key, *key_param;
	if (strcmp(sort, "login") == 0) {
		key = "u.login";
		key_param = "$3";
	} else if (strcmp(sort, "display_name") == 0) {
		key = "lower(u.display_name)";
		key_param = "lower($3)"; /* the client passes back the name as shown */
	} else {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "page.sort",
				      "tri possible par login ou display_name");
	}
	if (page && page->offset > PAGE_OFFSET_MAX) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "page.offset",
				      "position trop grande (%u au plus)", PAGE_OFFSET_MAX);
	}
	bool desc = page && page->descending;
	bool after = page && (page->after_id != 0);
	/*
	 * Keyset paging: (key, id) beyond the last row seen, in the chosen order.
	 * An offset only serves a jump to a far position (a dragged scrollbar).
	 */
	char *sql = cpt_call_printf(call,
				    "SELECT " USER_COLUMNS " FROM app_user u WHERE " USER_SEARCH
				    " AND (NOT $2::boolean OR (%s, u.id) %s (%s, $4::bigint))"
				    " ORDER BY %s %s, u.id %s LIMIT $5::int OFFSET $6::int",
				    key, desc ? "<" : ">", key_param, key, desc ? "DESC" : "ASC",
				    desc ? "DESC" : "ASC");
	uint32_t offset = page && !after ? page->offset : 0;
	PGresult *r =
	    cpt_db_query(call, st, sql, req->search, after ? "true" : "false",
			 page ? page->after_key : "", cpt_call_i64(call, page ? page->after_id : 0),
			 cpt_call_i64(call, (int64_t)limit + 1), cpt_call_i64(call, offset));
	if (!r) {
		return st->code;
	}
	Comptoir__Admin__ListUsersReply *rep =
	    CPT_NEW(call, Comptoir__Admin__ListUsersReply, comptoir__admin__list_users_reply__init);
	int n = PQntuples(r);
	rep->more = n > (int)limit;
	if (rep->more) {
		n = (int)limit;
	}
	rep->n_users = (size_t)n;
	rep->users = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		rep->users[i] = user_row(call, r, i);
	}
	PQclear(r);
	if (page && page->with_total) {
		r = cpt_db_query(call, st, "SELECT count(*) FROM app_user u WHERE " USER_SEARCH,
				 req->search);
		if (!r) {
			return st->code;
		}
		rep->total = (uint32_t)cpt_db_i64(r, 0, 0);
		PQclear(r);
	}
	if (attach_grants(call, st, rep->users, rep->n_users)) {
		return st->code;
	}
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_admin_get_user)
{
	const Comptoir__Admin__GetUserRequest *req = (const void *)in;
	if (cpt_admin_check_user(call, st, req->id)) {
		return st->code;
	}
	return user_reply(call, st, req->id, out);
}

CPT_HANDLER(cpt_admin_create_user)
{
	const Comptoir__Admin__CreateUserRequest *req = (const void *)in;
	g_autofree char *login = g_utf8_strdown(req->login, -1);
	g_strstrip(login);
	if (check_login(login, st) || check_display_name(req->display_name, st) ||
	    check_email(req->email, st)) {
		return st->code;
	}
	if ((req->company_id == 0) != (req->role_id == 0)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT,
				      req->company_id ? "role_id" : "company_id",
				      "une société et un rôle vont ensemble");
	}
	if (req->company_id && cpt_admin_check_company(call, st, req->company_id, "company_id")) {
		return st->code;
	}
	char temp[17];
	if (!cpt_password_temporary(temp)) {
		return cpt_status_set(st, CPT_INTERNAL, NULL, "générateur aléatoire indisponible");
	}
	char *hash = cpt_password_hash(temp);
	if (!hash) {
		return cpt_status_set(st, CPT_INTERNAL, NULL, "hachage impossible");
	}
	PGresult *r =
	    cpt_db_query(call, st,
			 "INSERT INTO app_user (login, display_name, email, password_hash,"
			 " must_change_password) VALUES ($1, $2, $3, $4, true) RETURNING id",
			 login, req->display_name, req->email, hash);
	free(hash);
	if (!r) {
		if (cpt_db_violated(call, "app_user_login_key")) {
			cpt_status_set(st, CPT_ALREADY_EXISTS, "login",
				       "cet identifiant est déjà pris");
		}
		return st->code;
	}
	int64_t id = cpt_db_i64(r, 0, 0);
	PQclear(r);
	if (cpt_audit(call, st, "app_user", id, 0,
		      cpt_json_object(call, "event", "create", "login", login, NULL))) {
		return st->code;
	}
	if (req->company_id) {
		const char *p[] = {cpt_call_i64(call, id), cpt_call_i64(call, req->company_id),
				   cpt_call_i64(call, req->role_id)};
		if (exec_ok(call, st,
			    "INSERT INTO user_company_role (user_id, company_id, role_id)"
			    " VALUES ($1::bigint, $2::bigint, $3::bigint)",
			    3, p)) {
			if (strcmp(call->sqlstate, "23503") == 0) {
				bool company = strstr(call->constraint, "company_id_fkey") != NULL;
				cpt_status_set(
				    st, CPT_NOT_FOUND, company ? "company_id" : "role_id",
				    company ? "société introuvable" : "rôle introuvable");
			}
			return st->code;
		}
		if (cpt_audit(call, st, "user_company_role", id, 0,
			      cpt_json_object(call, "event", "grant", "company_id", p[1], "role_id",
					      p[2], NULL))) {
			return st->code;
		}
	}
	Comptoir__Admin__CreateUserReply *rep = CPT_NEW(call, Comptoir__Admin__CreateUserReply,
							comptoir__admin__create_user_reply__init);
	if (load_user(call, st, id, &rep->user)) {
		return st->code;
	}
	rep->temporary_password = cpt_call_strdup(call, temp);
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_admin_update_user)
{
	const Comptoir__Admin__UpdateUserRequest *req = (const void *)in;
	if (check_display_name(req->display_name, st) || check_email(req->email, st) ||
	    cpt_admin_check_user(call, st, req->id)) {
		return st->code;
	}
	const char *p[] = {cpt_call_i64(call, req->id), req->display_name, req->email};
	if (update_user_row(call, st,
			    "UPDATE app_user SET display_name = $2, email = $3, updated_at = now()"
			    " WHERE id = $1::bigint",
			    3, p) ||
	    cpt_audit(call, st, "app_user", req->id, 0,
		      cpt_json_object(call, "event", "update", NULL))) {
		return st->code;
	}
	return user_reply(call, st, req->id, out);
}

CPT_HANDLER(cpt_admin_set_user_locked)
{
	const Comptoir__Admin__SetUserLockedRequest *req = (const void *)in;
	if (req->id == call->user_id && req->locked) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "id",
				      "vous ne pouvez pas verrouiller votre propre compte");
	}
	if (cpt_admin_check_user(call, st, req->id)) {
		return st->code;
	}
	const char *p[] = {cpt_call_i64(call, req->id), req->locked ? "true" : "false"};
	if (update_user_row(call, st,
			    "UPDATE app_user SET locked = $2::boolean, locked_until = NULL,"
			    " updated_at = now() WHERE id = $1::bigint",
			    2, p)) {
		return st->code;
	}
	/* A locked user's sessions end now, on every workstation. */
	if (req->locked &&
	    exec_ok(call, st, "DELETE FROM session WHERE user_id = $1::bigint", 1, p)) {
		return st->code;
	}
	if (!req->locked &&
	    exec_ok(call, st, "DELETE FROM login_failure WHERE user_id = $1::bigint", 1, p)) {
		return st->code;
	}
	if (cpt_audit(call, st, "app_user", req->id, 0,
		      cpt_json_object(call, "event", req->locked ? "lock" : "unlock", NULL))) {
		return st->code;
	}
	return user_reply(call, st, req->id, out);
}

CPT_HANDLER(cpt_admin_reset_password)
{
	const Comptoir__Admin__ResetPasswordRequest *req = (const void *)in;
	if (cpt_admin_check_user(call, st, req->id)) {
		return st->code;
	}
	char temp[17];
	if (!cpt_password_temporary(temp)) {
		return cpt_status_set(st, CPT_INTERNAL, NULL, "générateur aléatoire indisponible");
	}
	char *hash = cpt_password_hash(temp);
	if (!hash) {
		return cpt_status_set(st, CPT_INTERNAL, NULL, "hachage impossible");
	}
	const char *p[] = {cpt_call_i64(call, req->id), hash};
	int rc =
	    update_user_row(call, st,
			    "UPDATE app_user SET password_hash = $2, must_change_password = true,"
			    " locked_until = NULL, updated_at = now() WHERE id = $1::bigint",
			    2, p);
	free(hash);
	if (rc || exec_ok(call, st, "DELETE FROM session WHERE user_id = $1::bigint", 1, p) ||
	    exec_ok(call, st, "DELETE FROM login_failure WHERE user_id = $1::bigint", 1, p) ||
	    cpt_audit(call, st, "app_user", req->id, 0,
		      cpt_json_object(call, "event", "reset_password", NULL))) {
		return st->code;
	}
	Comptoir__Admin__ResetPasswordReply *rep = CPT_NEW(
	    call, Comptoir__Admin__ResetPasswordReply, comptoir__admin__reset_password_reply__init);
	rep->temporary_password = cpt_call_strdup(call, temp);
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_admin_set_grant)
{
	const Comptoir__Admin__GrantRequest *req = (const void *)in;
	if (cpt_admin_check_company(call, st, req->company_id, "company_id")) {
		return st->code;
	}
	const char *p[] = {cpt_call_i64(call, req->user_id), cpt_call_i64(call, req->company_id),
			   cpt_call_i64(call, req->role_id)};
	PGresult *r = cpt_db_exec(
	    call, st,
	    "INSERT INTO user_company_role (user_id, company_id, role_id)"
	    " VALUES ($1::bigint, $2::bigint, $3::bigint)"
	    " ON CONFLICT (user_id, company_id) DO UPDATE SET role_id = excluded.role_id",
	    3, p);
	if (!r) {
		if (strcmp(call->sqlstate, "23503") == 0) {
			const char *field = strstr(call->constraint, "company_id_fkey")
						? "company_id"
					    : strstr(call->constraint, "role_id_fkey") ? "role_id"
										       : "user_id";
			cpt_status_set(st, CPT_NOT_FOUND, field, "%s introuvable",
				       strcmp(field, "company_id") == 0 ? "société"
				       : strcmp(field, "role_id") == 0	? "rôle"
									: "utilisateur");
		}
		return st->code;
	}
	PQclear(r);
	if (cpt_audit(call, st, "user_company_role", req->user_id, 0,
		      cpt_json_object(call, "event", "grant", "company_id", p[1], "role_id", p[2],
				      NULL))) {
		return st->code;
	}
	*out =
	    &CPT_NEW(call, Comptoir__Admin__GrantReply, comptoir__admin__grant_reply__init)->base;
	return 0;
}

CPT_HANDLER(cpt_admin_revoke_grant)
{
	const Comptoir__Admin__GrantRequest *req = (const void *)in;
	if (req->user_id == call->user_id && req->company_id == call->company_id) {
		return cpt_status_set(
		    st, CPT_FAILED_PRECONDITION, "user_id",
		    "vous ne pouvez pas retirer votre propre accès à cette société");
	}
	if (cpt_admin_check_company(call, st, req->company_id, "company_id")) {
		return st->code;
	}
	const char *p[] = {cpt_call_i64(call, req->user_id), cpt_call_i64(call, req->company_id)};
	PGresult *r = cpt_db_exec(call, st,
				  "DELETE FROM user_company_role"
				  " WHERE user_id = $1::bigint AND company_id = $2::bigint",
				  2, p);
	if (!r) {
		return st->code;
	}
	bool found = strcmp(PQcmdTuples(r), "0") != 0;
	PQclear(r);
	if (!found) {
		return cpt_status_set(st, CPT_NOT_FOUND, "company_id",
				      "cet utilisateur n'a pas de rôle dans cette société");
	}
	/* Sessions opened on that company end with the grant. */
	if (exec_ok(call, st,
		    "DELETE FROM session WHERE user_id = $1::bigint AND company_id = $2::bigint", 2,
		    p) ||
	    cpt_audit(call, st, "user_company_role", req->user_id, 0,
		      cpt_json_object(call, "event", "revoke", "company_id", p[1], NULL))) {
		return st->code;
	}
	*out =
	    &CPT_NEW(call, Comptoir__Admin__GrantReply, comptoir__admin__grant_reply__init)->base;
	return 0;
}

CPT_HANDLER(cpt_admin_list_companies)
{
	PGresult *r =
	    cpt_db_exec0(call, st,
			 "SELECT id, code, name FROM company c WHERE " CPT_SQL_ADMINISTERS(
			     "c.id") " ORDER BY name, id");
	if (!r) {
		return st->code;
	}
	Comptoir__Admin__ListCompaniesReply *rep = CPT_NEW(
	    call, Comptoir__Admin__ListCompaniesReply, comptoir__admin__list_companies_reply__init);
	int n = PQntuples(r);
	rep->n_companies = (size_t)n;
	rep->companies = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Auth__Company *c =
		    CPT_NEW(call, Comptoir__Auth__Company, comptoir__auth__company__init);
		c->id = cpt_db_i64(r, i, 0);
		c->code = cpt_call_strdup(call, cpt_db_str(r, i, 1));
		c->name = cpt_call_strdup(call, cpt_db_str(r, i, 2));
		rep->companies[i] = c;
	}
	PQclear(r);
	*out = &rep->base;
	return 0;
}
