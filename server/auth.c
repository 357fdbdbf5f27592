/*
 * comptoir.auth.Auth: Login, Resume, Logout, ChangePassword.
 *
 * A session is a row keyed by the SHA-256 of a random token; the token itself
 * only ever travels to the client. Failed logins are counted per user in a
 * sliding window; reaching the limit blocks the account for a while. An
 * account created or reset with a temporary password must change it before
 * any other call answers.
 */
#include "audit.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "password.h"

#include "auth.pb-c.h"

#include <stdlib.h>
#include <string.h>

#define LOGIN_MAX 64

static const char MSG_BAD_CREDENTIALS[] = "identifiant ou mot de passe incorrect";

/* ---------------------------------------------------------------------------
 * Building the session answer
 */

static const char SQL_USER_BRIEF[] = "SELECT login, display_name, must_change_password"
				     " FROM app_user WHERE id = $1::bigint";

static const char SQL_COMPANIES[] =
    "SELECT c.id, c.code, c.name FROM user_company_role g JOIN company c ON c.id = g.company_id"
    " WHERE g.user_id = $1::bigint ORDER BY c.name, c.id";

static const char SQL_PERMISSIONS[] = "SELECT rp.permission FROM user_company_role g"
				      " JOIN role_permission rp ON rp.role_id = g.role_id"
				      " WHERE g.user_id = $1::bigint AND g.company_id = $2::bigint "
				      "ORDER BY rp.permission COLLATE \"C\"";

static Comptoir__Auth__Company *company_row(cpt_call *call, const PGresult *r, int i)
{
	Comptoir__Auth__Company *c =
	    CPT_NEW(call, Comptoir__Auth__Company, comptoir__auth__company__init);
	c->id = cpt_db_i64(r, i, 0);
	c->code = cpt_call_strdup(call, cpt_db_str(r, i, 1));
	c->name = cpt_call_strdup(call, cpt_db_str(r, i, 2));
	return c;
}

/*
 * Fills the reply for a session of user_id in company_id and sets the
 * connection's new cached session.
 */
static int session_reply(cpt_call *call, cpt_status *st, int64_t session_id, int64_t user_id,
			 int64_t company_id, const char *token, int64_t expires_at,
			 ProtobufCMessage **out)
{
	Comptoir__Auth__SessionReply *rep =
	    CPT_NEW(call, Comptoir__Auth__SessionReply, comptoir__auth__session_reply__init);
	const char *uid = cpt_call_i64(call, user_id);
	PGresult *u = cpt_db_query(call, st, SQL_USER_BRIEF, uid);
	if (!u) {
		return st->code;
	}
	rep->token = cpt_call_strdup(call, token);
	rep->user_id = user_id;
	rep->login = cpt_call_strdup(call, cpt_db_str(u, 0, 0));
	rep->display_name = cpt_call_strdup(call, cpt_db_str(u, 0, 1));
	rep->must_change_password = cpt_db_bool(u, 0, 2);
	rep->expires_at = expires_at;
	PQclear(u);

	PGresult *c = cpt_db_query(call, st, SQL_COMPANIES, uid);
	if (!c) {
		return st->code;
	}
	int nc = PQntuples(c);
	rep->n_companies = (size_t)nc;
	rep->companies = cpt_call_alloc(call, sizeof(void *) * (size_t)(nc ? nc : 1));
	for (int i = 0; i < nc; i++) {
		rep->companies[i] = company_row(call, c, i);
		if (rep->companies[i]->id == company_id) {
			rep->company = rep->companies[i];
		}
	}
	PQclear(c);

	PGresult *p = cpt_db_query(call, st, SQL_PERMISSIONS, uid, cpt_call_i64(call, company_id));
	if (!p) {
		return st->code;
	}
	int np = PQntuples(p);
	cpt_session *s = calloc(1, sizeof *s);
	s->id = session_id;
	s->user_id = user_id;
	s->company_id = company_id;
	s->must_change_password = rep->must_change_password;
	s->permissions = calloc((size_t)np + 1, sizeof(char *));
	s->n_permissions = (size_t)np;
	rep->n_permissions = (size_t)np;
	rep->permissions = cpt_call_alloc(call, sizeof(char *) * (size_t)(np ? np : 1));
	for (int i = 0; i < np; i++) {
		s->permissions[i] = strdup(cpt_db_str(p, i, 0));
		rep->permissions[i] = cpt_call_strdup(call, cpt_db_str(p, i, 0));
	}
	PQclear(p);
	cpt_session_free(call->session_out);
	call->session_out = s;
	*out = &rep->base;
	return 0;
}

/* Picks the company: the one asked for if granted, else the user's first. */
static int choose_company(cpt_call *call, cpt_status *st, int64_t user_id, int64_t wanted,
			  int64_t *company_id)
{
	PGresult *r = cpt_db_query(call, st, SQL_COMPANIES, cpt_call_i64(call, user_id));
	if (!r) {
		return st->code;
	}
	int n = PQntuples(r);
	*company_id = 0;
	for (int i = 0; i < n; i++) {
		int64_t id = cpt_db_i64(r, i, 0);
		if (wanted == 0 || id == wanted) {
			*company_id = id;
			break;
		}
	}
	PQclear(r);
	if (*company_id == 0) {
		return wanted ? cpt_status_set(st, CPT_PERMISSION_DENIED, "company_id",
					       "vous n'avez pas accès à cette société")
			      : cpt_status_set(st, CPT_PERMISSION_DENIED, "company_id",
					       "aucune société ne vous est ouverte");
	}
	return 0;
}

/* ---------------------------------------------------------------------------
 * Login
 */

static const char SQL_LOGIN_USER[] =
    "SELECT id, password_hash, locked, coalesce(locked_until > now(), false),"
    " to_char(locked_until AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY HH24:MI')"
    " FROM app_user WHERE login = lower($1) FOR UPDATE";

static const char SQL_RECORD_FAILURE[] =
    "WITH f AS (INSERT INTO login_failure (user_id) VALUES ($1::bigint) RETURNING 1)"
    " SELECT count(*) + 1 FROM login_failure"
    " WHERE user_id = $1::bigint AND at > now() - make_interval(secs => $2::int)";

static const char SQL_BLOCK_USER[] =
    "UPDATE app_user SET locked_until = now() + make_interval(secs => $2::int)"
    " WHERE id = $1::bigint";

static const char SQL_CLEAR_FAILURES[] = "DELETE FROM login_failure WHERE user_id = $1::bigint";

static const char SQL_NEW_SESSION[] =
    "INSERT INTO session (token_hash, user_id, company_id, client_name, expires_at)"
    " VALUES (decode($1, 'hex'), $2::bigint, $3::bigint, $4,"
    "  now() + make_interval(secs => $5::int))"
    " RETURNING id, extract(epoch FROM expires_at)::bigint";

static const char SQL_LOGGED_IN[] =
    "UPDATE app_user SET last_login_at = now(), locked_until = NULL WHERE id = $1::bigint";

/*
 * Counts a wrong password for user_id (at login, or the current password at a
 * change); at the limit the account is blocked for a while. *blocked tells
 * which. The failure is committed even though the call fails.
 */
static int count_failure(cpt_call *call, cpt_status *st, int64_t user_id, bool *blocked)
{
	const cpt_config *cfg = call->cfg;
	const char *uid = cpt_call_i64(call, user_id);
	PGresult *r = cpt_db_query(call, st, SQL_RECORD_FAILURE, uid,
				   cpt_call_i64(call, cfg->lockout_window));
	if (!r) {
		return st->code;
	}
	int64_t failures = cpt_db_i64(r, 0, 0);
	PQclear(r);
	call->user_id = user_id;
	*blocked = failures >= (int64_t)cfg->lockout_attempts;
	if (*blocked) {
		r = cpt_db_query(call, st, SQL_BLOCK_USER, uid,
				 cpt_call_i64(call, cfg->lockout_duration));
		if (!r) {
			return st->code;
		}
		PQclear(r);
		r = cpt_db_query(call, st, SQL_CLEAR_FAILURES, uid);
		if (!r) {
			return st->code;
		}
		PQclear(r);
		if (cpt_audit(call, st, "app_user", user_id, 0,
			      cpt_json_object(call, "event", "lockout", NULL))) {
			return st->code;
		}
	} else if (cpt_audit(call, st, "app_user", user_id, 0,
			     cpt_json_object(call, "event", "login_failed", NULL))) {
		return st->code;
	}
	call->commit_on_error = true;
	return 0;
}

static int record_failure(cpt_call *call, cpt_status *st, int64_t user_id)
{
	bool blocked;
	if (count_failure(call, st, user_id, &blocked)) {
		return st->code;
	}
	return cpt_status_set(st, CPT_UNAUTHENTICATED, "password", MSG_BAD_CREDENTIALS);
}

CPT_HANDLER(cpt_auth_login)
{
	const Comptoir__Auth__LoginRequest *req = (const void *)in;
	if (!req->login[0] || strlen(req->login) > LOGIN_MAX) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "login",
				      "identifiant vide ou trop long (64 caractères au plus)");
	}
	if (strlen(req->password) > CPT_PASSWORD_MAX) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "password",
				      "mot de passe trop long (256 octets au plus)");
	}
	if (strlen(req->client_name) > 200) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "client_name",
				      "nom du poste trop long (200 caractères au plus)");
	}
	PGresult *r = cpt_db_query(call, st, SQL_LOGIN_USER, req->login);
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		/* Same work as a real check, so timing does not reveal which logins exist. */
		cpt_password_verify(req->password, "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
						   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
		return cpt_status_set(st, CPT_UNAUTHENTICATED, "password", MSG_BAD_CREDENTIALS);
	}
	int64_t user_id = cpt_db_i64(r, 0, 0);
	char *hash = cpt_call_strdup(call, cpt_db_str(r, 0, 1));
	bool locked = cpt_db_bool(r, 0, 2);
	bool blocked = cpt_db_bool(r, 0, 3);
	char *until = cpt_call_strdup(call, cpt_db_str(r, 0, 4));
	PQclear(r);
	if (locked) {
		return cpt_status_set(st, CPT_PERMISSION_DENIED, "login",
				      "compte verrouillé : adressez-vous à votre administrateur");
	}
	if (blocked) {
		return cpt_status_set(st, CPT_RESOURCE_EXHAUSTED, "login",
				      "trop d'essais infructueux : compte bloqué jusqu'au %s",
				      until);
	}
	if (!cpt_password_verify(req->password, hash)) {
		return record_failure(call, st, user_id);
	}

	int64_t company_id;
	if (choose_company(call, st, user_id, req->company_id, &company_id)) {
		return st->code;
	}
	char token[CPT_TOKEN_HEX + 1], digest[65];
	if (!cpt_token_new(token)) {
		return cpt_status_set(st, CPT_INTERNAL, NULL, "générateur aléatoire indisponible");
	}
	cpt_token_digest(token, digest);
	const char *uid = cpt_call_i64(call, user_id);
	r = cpt_db_query(call, st, SQL_NEW_SESSION, digest, uid, cpt_call_i64(call, company_id),
			 req->client_name, cpt_call_i64(call, call->cfg->session_idle));
	if (!r) {
		return st->code;
	}
	int64_t session_id = cpt_db_i64(r, 0, 0);
	int64_t expires = cpt_db_i64(r, 0, 1);
	PQclear(r);
	if (!(r = cpt_db_query(call, st, SQL_CLEAR_FAILURES, uid))) {
		return st->code;
	}
	PQclear(r);
	if (!(r = cpt_db_query(call, st, SQL_LOGGED_IN, uid))) {
		return st->code;
	}
	PQclear(r);
	if (cpt_db_set_context(call, st, company_id, user_id) ||
	    cpt_audit(call, st, "session", session_id, company_id,
		      cpt_json_object(call, "event", "login", "peer", call->peer, NULL))) {
		return st->code;
	}
	return session_reply(call, st, session_id, user_id, company_id, token, expires, out);
}

/* ---------------------------------------------------------------------------
 * Resume, Logout
 */

static const char SQL_FIND_SESSION[] =
    "SELECT s.id, s.user_id, s.company_id FROM session s JOIN app_user u ON u.id = s.user_id"
    " WHERE s.token_hash = decode($1, 'hex') AND s.expires_at > now() AND NOT u.locked"
    " AND coalesce(u.locked_until <= now(), true) FOR UPDATE OF s";

static const char SQL_TOUCH_SESSION[] =
    "UPDATE session SET company_id = $2::bigint, last_seen_at = now(),"
    " expires_at = now() + make_interval(secs => $3::int) WHERE id = $1::bigint"
    " RETURNING extract(epoch FROM expires_at)::bigint";

CPT_HANDLER(cpt_auth_resume)
{
	const Comptoir__Auth__ResumeRequest *req = (const void *)in;
	if (strlen(req->token) != CPT_TOKEN_HEX) {
		return cpt_status_set(st, CPT_UNAUTHENTICATED, "token",
				      "jeton de session invalide");
	}
	char digest[65];
	cpt_token_digest(req->token, digest);
	PGresult *r = cpt_db_query(call, st, SQL_FIND_SESSION, digest);
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_UNAUTHENTICATED, "token",
				      "session expirée ou fermée : reconnectez-vous");
	}
	int64_t session_id = cpt_db_i64(r, 0, 0);
	int64_t user_id = cpt_db_i64(r, 0, 1);
	int64_t company_id = cpt_db_i64(r, 0, 2);
	PQclear(r);
	if (req->company_id != 0 && req->company_id != company_id) {
		if (choose_company(call, st, user_id, req->company_id, &company_id)) {
			return st->code;
		}
		if (cpt_db_set_context(call, st, company_id, user_id) ||
		    cpt_audit(call, st, "session", session_id, company_id,
			      cpt_json_object(call, "event", "switch_company", NULL))) {
			return st->code;
		}
	}
	r = cpt_db_query(call, st, SQL_TOUCH_SESSION, cpt_call_i64(call, session_id),
			 cpt_call_i64(call, company_id),
			 cpt_call_i64(call, call->cfg->session_idle));
	if (!r) {
		return st->code;
	}
	int64_t expires = cpt_db_i64(r, 0, 0);
	PQclear(r);
	return session_reply(call, st, session_id, user_id, company_id, req->token, expires, out);
}

CPT_HANDLER(cpt_auth_logout)
{
	*out =
	    &CPT_NEW(call, Comptoir__Auth__LogoutReply, comptoir__auth__logout_reply__init)->base;
	if (call->session_id == 0) {
		call->session_clear = true;
		return 0;
	}
	PGresult *r = cpt_db_query(call, st, "DELETE FROM session WHERE id = $1::bigint",
				   cpt_call_i64(call, call->session_id));
	if (!r) {
		return st->code;
	}
	PQclear(r);
	if (cpt_audit(call, st, "session", call->session_id, call->company_id,
		      cpt_json_object(call, "event", "logout", NULL))) {
		return st->code;
	}
	/* Only now: if the row could not be deleted, the client keeps its session. */
	call->session_clear = true;
	return 0;
}

/* ---------------------------------------------------------------------------
 * ChangePassword
 */

CPT_HANDLER(cpt_auth_change_password)
{
	const Comptoir__Auth__ChangePasswordRequest *req = (const void *)in;
	const char *uid = cpt_call_i64(call, call->user_id);
	const char *weak = cpt_password_weakness(req->new_password);
	if (weak) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "new_password",
				      "mot de passe trop faible : %s", weak);
	}
	if (strcmp(req->new_password, req->old_password) == 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "new_password",
				      "le nouveau mot de passe doit différer de l'ancien");
	}
	PGresult *r = cpt_db_query(
	    call, st, "SELECT password_hash FROM app_user WHERE id = $1::bigint FOR UPDATE", uid);
	if (!r) {
		return st->code;
	}
	bool ok = PQntuples(r) == 1 && cpt_password_verify(req->old_password, cpt_db_str(r, 0, 0));
	PQclear(r);
	if (!ok) {
		/* Guessing through an open session counts like guessing at login. */
		bool blocked = false;
		if (count_failure(call, st, call->user_id, &blocked)) {
			return st->code;
		}
		if (blocked) {
			r = cpt_db_query(call, st, "DELETE FROM session WHERE user_id = $1::bigint",
					 uid);
			if (!r) {
				return st->code;
			}
			PQclear(r);
			call->session_clear = true;
			return cpt_status_set(st, CPT_RESOURCE_EXHAUSTED, "old_password",
					      "trop d'essais infructueux : compte bloqué");
		}
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "old_password",
				      "mot de passe actuel incorrect");
	}
	char *hash = cpt_password_hash(req->new_password);
	if (!hash) {
		return cpt_status_set(st, CPT_INTERNAL, NULL, "hachage impossible");
	}
	r = cpt_db_query(call, st,
			 "UPDATE app_user SET password_hash = $2, must_change_password = false,"
			 " updated_at = now() WHERE id = $1::bigint",
			 uid, hash);
	free(hash);
	if (!r) {
		return st->code;
	}
	PQclear(r);
	/* Other sessions of this user end: whoever knew the old password is out. */
	r = cpt_db_query(call, st,
			 "DELETE FROM session WHERE user_id = $1::bigint AND id <> $2::bigint", uid,
			 cpt_call_i64(call, call->session_id));
	if (!r) {
		return st->code;
	}
	PQclear(r);
	if (cpt_audit(call, st, "app_user", call->user_id, 0,
		      cpt_json_object(call, "event", "password_changed", NULL))) {
		return st->code;
	}
	/* Refresh the cached session so the pending-change restriction lifts. */
	ProtobufCMessage *ignored = NULL;
	if (session_reply(call, st, call->session_id, call->user_id, call->company_id, "", 0,
			  &ignored)) {
		return st->code;
	}
	*out = &CPT_NEW(call, Comptoir__Auth__ChangePasswordReply,
			comptoir__auth__change_password_reply__init)
		    ->base;
	return 0;
}
