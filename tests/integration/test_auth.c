/*
 * Login, lockout, forced password change, logout and resume, against a real
 * comptoird over TLS and a real PostgreSQL.
 */
#include "testenv.h"

#include "admin.pb-c.h"
#include "auth.pb-c.h"
#include "rpc.pb-c.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

static cpt_testenv env;

static int setup(void **state)
{
	return cpt_testenv_start(&env, "auth", "[security]\nlockout_attempts = 5\n");
}

static int teardown(void **state)
{
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

static int64_t role_id(const char *name)
{
	char sql[200];
	snprintf(sql, sizeof sql, "SELECT id FROM role WHERE name = '%s'", name);
	return cpt_testenv_sql_int(&env, sql);
}

static int call_info(cpt_client *c)
{
	Comptoir__Rpc__Empty in = COMPTOIR__RPC__EMPTY__INIT;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	int rc = cpt_client_call(c, "comptoir.rpc.Server/Info", &in.base,
				 &comptoir__rpc__info_reply__descriptor, &out, &st);
	protobuf_c_message_free_unpacked(out, NULL);
	return rc;
}

static int list_users(cpt_client *c, cpt_status *st)
{
	Comptoir__Admin__ListUsersRequest in = COMPTOIR__ADMIN__LIST_USERS_REQUEST__INIT;
	ProtobufCMessage *out = NULL;
	int rc = cpt_client_call(c, "comptoir.admin.Admin/ListUsers", &in.base,
				 &comptoir__admin__list_users_reply__descriptor, &out, st);
	protobuf_c_message_free_unpacked(out, NULL);
	return rc;
}

static void server_info_answers_before_login(void **state)
{
	cpt_client *c = cpt_testenv_connect(&env);
	assert_non_null(c);
	Comptoir__Rpc__Empty in = COMPTOIR__RPC__EMPTY__INIT;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(c, "comptoir.rpc.Server/Info", &in.base,
					 &comptoir__rpc__info_reply__descriptor, &out, &st),
			 CPT_OK);
	Comptoir__Rpc__InfoReply *info = (Comptoir__Rpc__InfoReply *)out;
	assert_string_equal(info->server_version, CPT_VERSION);
	assert_true(info->schema_version >= 1);
	assert_true(info->server_time > 1700000000);
	protobuf_c_message_free_unpacked(out, NULL);
	cpt_client_close(c);
}

static void login_with_right_password_returns_permissions_and_companies(void **state)
{
	Comptoir__Auth__SessionReply *rep = NULL;
	int code = -1;
	cpt_client *c = cpt_testenv_login(&env, "admin", env.admin_password, 0, &code, &rep);
	assert_int_equal(code, CPT_OK);
	assert_non_null(c);
	assert_int_equal(strlen(rep->token), 64);
	assert_string_equal(rep->login, "admin");
	assert_non_null(rep->company);
	assert_string_equal(rep->company->name, "Démo SARL");
	assert_true(rep->n_companies >= 1);
	assert_false(rep->must_change_password);
	bool has_admin = false;
	for (size_t i = 0; i < rep->n_permissions; i++) {
		has_admin |= strcmp(rep->permissions[i], "admin.users") == 0;
	}
	assert_true(has_admin);
	/* The token is stored hashed: never as given. */
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM session WHERE token_hash = decode('%s', 'hex')", rep->token);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 0);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	cpt_status st = {0};
	assert_int_equal(list_users(c, &st), CPT_OK);
	cpt_client_close(c);
}

static void login_with_wrong_password_is_refused_and_audited(void **state)
{
	long long before = cpt_testenv_sql_int(
	    &env, "SELECT count(*) FROM audit_log WHERE detail->>'event' = 'login_failed'");
	int code = -1;
	cpt_client *c = cpt_testenv_login(&env, "admin", "wrong password!", 0, &code, NULL);
	assert_null(c);
	assert_int_equal(code, CPT_UNAUTHENTICATED);
	long long after = cpt_testenv_sql_int(
	    &env, "SELECT count(*) FROM audit_log WHERE detail->>'event' = 'login_failed'");
	assert_int_equal(after, before + 1);
	/* Unknown login: same answer, nothing tells it apart. */
	c = cpt_testenv_login(&env, "nobody", "whatever pass", 0, &code, NULL);
	assert_null(c);
	assert_int_equal(code, CPT_UNAUTHENTICATED);
	/* The right password still works: one failure is not a lockout. */
	c = cpt_testenv_admin(&env);
	assert_non_null(c);
	cpt_client_close(c);
}

static void five_failures_block_the_account_even_for_the_right_password(void **state)
{
	int64_t id = cpt_testenv_create_user(&env, "victim", role_id("Consultation"), 0);
	assert_true(id > 0);
	int code = -1;
	for (int i = 0; i < 5; i++) {
		assert_null(cpt_testenv_login(&env, "victim", "bad password", 0, &code, NULL));
		assert_int_equal(code, CPT_UNAUTHENTICATED);
	}
	assert_null(cpt_testenv_login(&env, "victim", CPT_TEST_PASSWORD, 0, &code, NULL));
	assert_int_equal(code, CPT_RESOURCE_EXHAUSTED);
	assert_int_equal(cpt_testenv_sql_int(&env,
					     "SELECT count(*) FROM app_user"
					     " WHERE login = 'victim' AND locked_until > now()"),
			 1);
	/* An administrator's reset lifts the block and forces a new password. */
	cpt_client *admin = cpt_testenv_admin(&env);
	Comptoir__Admin__ResetPasswordRequest req = COMPTOIR__ADMIN__RESET_PASSWORD_REQUEST__INIT;
	req.id = id;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/ResetPassword", &req.base,
					 &comptoir__admin__reset_password_reply__descriptor, &out,
					 &st),
			 CPT_OK);
	char temp[32];
	snprintf(temp, sizeof temp, "%s",
		 ((Comptoir__Admin__ResetPasswordReply *)out)->temporary_password);
	protobuf_c_message_free_unpacked(out, NULL);
	cpt_client_close(admin);
	Comptoir__Auth__SessionReply *rep = NULL;
	cpt_client *c = cpt_testenv_login(&env, "victim", temp, 0, &code, &rep);
	assert_non_null(c);
	assert_true(rep->must_change_password);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	cpt_client_close(c);
}

static void admin_lock_refuses_login_and_ends_open_sessions(void **state)
{
	int64_t id = cpt_testenv_create_user(&env, "locked.user", role_id("Administrateur"), 0);
	assert_true(id > 0);
	cpt_client *victim =
	    cpt_testenv_login(&env, "locked.user", CPT_TEST_PASSWORD, 0, NULL, NULL);
	assert_non_null(victim);
	cpt_status st = {0};
	assert_int_equal(list_users(victim, &st), CPT_OK);

	cpt_client *admin = cpt_testenv_admin(&env);
	Comptoir__Admin__SetUserLockedRequest req = COMPTOIR__ADMIN__SET_USER_LOCKED_REQUEST__INIT;
	req.id = id;
	req.locked = true;
	ProtobufCMessage *out = NULL;
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/SetUserLocked", &req.base,
					 &comptoir__admin__user_reply__descriptor, &out, &st),
			 CPT_OK);
	assert_true(((Comptoir__Admin__UserReply *)out)->user->locked);
	protobuf_c_message_free_unpacked(out, NULL);

	/* The open connection loses its session at its next call. */
	assert_int_equal(list_users(victim, &st), CPT_UNAUTHENTICATED);
	cpt_client_close(victim);
	int code = -1;
	assert_null(cpt_testenv_login(&env, "locked.user", CPT_TEST_PASSWORD, 0, &code, NULL));
	assert_int_equal(code, CPT_PERMISSION_DENIED);

	req.locked = false;
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/SetUserLocked", &req.base,
					 &comptoir__admin__user_reply__descriptor, &out, &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	cpt_client_close(admin);
	victim = cpt_testenv_login(&env, "locked.user", CPT_TEST_PASSWORD, 0, &code, NULL);
	assert_non_null(victim);
	cpt_client_close(victim);
}

static void temporary_password_allows_only_the_change(void **state)
{
	cpt_client *admin = cpt_testenv_admin(&env);
	Comptoir__Admin__CreateUserRequest req = COMPTOIR__ADMIN__CREATE_USER_REQUEST__INIT;
	req.login = "newcomer";
	req.display_name = "Nouvelle Recrue";
	req.email = "recrue@example.fr";
	req.company_id = cpt_testenv_sql_int(&env, "SELECT min(id) FROM company");
	req.role_id = role_id("Administrateur");
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/CreateUser", &req.base,
					 &comptoir__admin__create_user_reply__descriptor, &out,
					 &st),
			 CPT_OK);
	char temp[32];
	snprintf(temp, sizeof temp, "%s",
		 ((Comptoir__Admin__CreateUserReply *)out)->temporary_password);
	protobuf_c_message_free_unpacked(out, NULL);
	cpt_client_close(admin);

	Comptoir__Auth__SessionReply *rep = NULL;
	int code;
	cpt_client *c = cpt_testenv_login(&env, "newcomer", temp, 0, &code, &rep);
	assert_non_null(c);
	assert_true(rep->must_change_password);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	assert_int_equal(list_users(c, &st), CPT_FAILED_PRECONDITION);
	assert_int_equal(call_info(c), CPT_OK);

	Comptoir__Auth__ChangePasswordRequest ch = COMPTOIR__AUTH__CHANGE_PASSWORD_REQUEST__INIT;
	ch.old_password = temp;
	ch.new_password = "court";
	assert_int_equal(cpt_client_call(c, "comptoir.auth.Auth/ChangePassword", &ch.base,
					 &comptoir__auth__change_password_reply__descriptor, &out,
					 &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "new_password");
	ch.old_password = "not the old one";
	ch.new_password = "un mot de passe solide";
	assert_int_equal(cpt_client_call(c, "comptoir.auth.Auth/ChangePassword", &ch.base,
					 &comptoir__auth__change_password_reply__descriptor, &out,
					 &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "old_password");
	ch.old_password = temp;
	assert_int_equal(cpt_client_call(c, "comptoir.auth.Auth/ChangePassword", &ch.base,
					 &comptoir__auth__change_password_reply__descriptor, &out,
					 &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	assert_int_equal(list_users(c, &st), CPT_OK);
	cpt_client_close(c);
}

static void resume_with_token_restores_the_session_on_a_new_connection(void **state)
{
	Comptoir__Auth__SessionReply *rep = NULL;
	cpt_client *c = cpt_testenv_login(&env, "admin", env.admin_password, 0, NULL, &rep);
	assert_non_null(c);
	char token[80];
	snprintf(token, sizeof token, "%s", rep->token);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	cpt_client_close(c);

	c = cpt_testenv_connect(&env);
	cpt_status st = {0};
	assert_int_equal(list_users(c, &st), CPT_UNAUTHENTICATED);
	Comptoir__Auth__ResumeRequest req = COMPTOIR__AUTH__RESUME_REQUEST__INIT;
	req.token = token;
	ProtobufCMessage *out = NULL;
	assert_int_equal(cpt_client_call(c, "comptoir.auth.Auth/Resume", &req.base,
					 &comptoir__auth__session_reply__descriptor, &out, &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	assert_int_equal(list_users(c, &st), CPT_OK);

	/* Logout ends it for good. */
	Comptoir__Auth__LogoutRequest lo = COMPTOIR__AUTH__LOGOUT_REQUEST__INIT;
	assert_int_equal(cpt_client_call(c, "comptoir.auth.Auth/Logout", &lo.base,
					 &comptoir__auth__logout_reply__descriptor, &out, &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	assert_int_equal(list_users(c, &st), CPT_UNAUTHENTICATED);
	assert_int_equal(cpt_client_call(c, "comptoir.auth.Auth/Resume", &req.base,
					 &comptoir__auth__session_reply__descriptor, &out, &st),
			 CPT_UNAUTHENTICATED);
	cpt_client_close(c);
}

static void no_password_or_token_reaches_the_log(void **state)
{
	char path[400];
	snprintf(path, sizeof path, "%s/comptoird.log", env.dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[4096];
	while (fgets(line, sizeof line, f)) {
		assert_null(strstr(line, CPT_TEST_PASSWORD));
		assert_null(strstr(line, "wrong password"));
	}
	fclose(f);
}

static void guessing_the_current_password_through_a_session_blocks_the_account(void **state)
{
	int64_t role = cpt_testenv_sql_int(&env, "SELECT id FROM role WHERE name = 'Consultation'");
	assert_true(cpt_testenv_create_user(&env, "guesser", role, 0) > 0);
	cpt_client *c = cpt_testenv_login(&env, "guesser", CPT_TEST_PASSWORD, 0, NULL, NULL);
	assert_non_null(c);
	Comptoir__Auth__ChangePasswordRequest ch = COMPTOIR__AUTH__CHANGE_PASSWORD_REQUEST__INIT;
	ch.new_password = "un nouveau mot de passe";
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	int rc = 0;
	for (int i = 0; i < 5; i++) {
		char guess[32];
		snprintf(guess, sizeof guess, "essai numéro %d", i);
		ch.old_password = guess;
		rc = cpt_client_call(c, "comptoir.auth.Auth/ChangePassword", &ch.base,
				     &comptoir__auth__change_password_reply__descriptor, &out, &st);
		assert_string_equal(st.field, "old_password");
	}
	assert_int_equal(rc, CPT_RESOURCE_EXHAUSTED);
	/* The session is over, and the right password is refused for now. */
	Comptoir__Auth__ChangePasswordRequest again = ch;
	again.old_password = CPT_TEST_PASSWORD;
	assert_int_equal(cpt_client_call(c, "comptoir.auth.Auth/ChangePassword", &again.base,
					 &comptoir__auth__change_password_reply__descriptor, &out,
					 &st),
			 CPT_UNAUTHENTICATED);
	cpt_client_close(c);
	int code = -1;
	assert_null(cpt_testenv_login(&env, "guesser", CPT_TEST_PASSWORD, 0, &code, NULL));
	assert_int_equal(code, CPT_RESOURCE_EXHAUSTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(server_info_answers_before_login),
	    cmocka_unit_test(login_with_right_password_returns_permissions_and_companies),
	    cmocka_unit_test(login_with_wrong_password_is_refused_and_audited),
	    cmocka_unit_test(five_failures_block_the_account_even_for_the_right_password),
	    cmocka_unit_test(admin_lock_refuses_login_and_ends_open_sessions),
	    cmocka_unit_test(temporary_password_allows_only_the_change),
	    cmocka_unit_test(resume_with_token_restores_the_session_on_a_new_connection),
	    cmocka_unit_test(guessing_the_current_password_through_a_session_blocks_the_account),
	    cmocka_unit_test(no_password_or_token_reaches_the_log),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
