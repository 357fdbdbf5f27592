/*
 * Rights, walked over the whole dispatch table: every method that is not
 * public answers UNAUTHENTICATED before login, and every method that names a
 * permission answers PERMISSION_DENIED to a user whose role lacks it, even
 * when the request is forged by hand. A permission withdrawn while a user is
 * connected stops at the next call.
 */
#include "dispatch.h"
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
static int64_t empty_role;

static int setup(void **state)
{
	cpt_status st = {0};
	if (cpt_dispatch_init(&st) != 0 || cpt_testenv_start(&env, "rights", NULL) != 0) {
		return -1;
	}
	cpt_client *admin = cpt_testenv_admin(&env);
	Comptoir__Admin__Role role = COMPTOIR__ADMIN__ROLE__INIT;
	role.name = "Sans droit";
	role.description = "";
	Comptoir__Admin__RoleRequest req = COMPTOIR__ADMIN__ROLE_REQUEST__INIT;
	req.role = &role;
	ProtobufCMessage *out = NULL;
	int rc = cpt_client_call(admin, "comptoir.admin.Admin/CreateRole", &req.base,
				 &comptoir__admin__role_reply__descriptor, &out, &st);
	cpt_client_close(admin);
	if (rc) {
		return -1;
	}
	empty_role = ((Comptoir__Admin__RoleReply *)out)->role->id;
	protobuf_c_message_free_unpacked(out, NULL);
	return cpt_testenv_create_user(&env, "nobody", empty_role, 0) > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	cpt_dispatch_free();
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

/* Sends an empty payload (valid for every proto3 message) and returns the code. */
static int raw_call(cpt_client *c, const char *method)
{
	cpt_status st = {0};
	uint64_t id;
	uint8_t *payload = NULL;
	size_t len;
	if (cpt_client_send_request(c, 4242, method, "", 0, &st) != 0 ||
	    cpt_client_recv(c, &id, &payload, &len, &st) != 0) {
		return -1;
	}
	free(payload);
	assert_int_equal(id, 4242);
	return st.code;
}

static void every_private_method_answers_unauthenticated_before_login(void **state)
{
	size_t n;
	const cpt_method *m = cpt_dispatch_methods(&n);
	cpt_client *c = cpt_testenv_connect(&env);
	assert_non_null(c);
	int checked = 0;
	for (size_t i = 0; i < n; i++) {
		if (m[i].flags & CPT_M_PUBLIC) {
			continue;
		}
		int code = raw_call(c, m[i].name);
		if (code != CPT_UNAUTHENTICATED) {
			fail_msg("%s answered %s before login", m[i].name, cpt_code_name(code));
		}
		checked++;
	}
	assert_true(checked >= 15);
	cpt_client_close(c);
}

static void every_permission_is_enforced_for_a_user_without_it(void **state)
{
	size_t n;
	const cpt_method *m = cpt_dispatch_methods(&n);
	cpt_client *c = cpt_testenv_login(&env, "nobody", CPT_TEST_PASSWORD, 0, NULL, NULL);
	assert_non_null(c);
	long long writes = cpt_testenv_sql_int(&env, "SELECT count(*) FROM audit_log");
	int checked = 0;
	for (size_t i = 0; i < n; i++) {
		if (!m[i].permission) {
			continue;
		}
		int code = raw_call(c, m[i].name);
		if (code != CPT_PERMISSION_DENIED) {
			fail_msg("%s answered %s to a user without %s", m[i].name,
				 cpt_code_name(code), m[i].permission);
		}
		checked++;
	}
	assert_true(checked >= 15);
	cpt_client_close(c);
	/* Nothing was written by any refused call. */
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM audit_log"), writes);
}

static void the_table_names_a_permission_for_every_private_method(void **state)
{
	size_t n;
	const cpt_method *m = cpt_dispatch_methods(&n);
	for (size_t i = 0; i < n; i++) {
		bool ok = m[i].permission || (m[i].flags & (CPT_M_PUBLIC | CPT_M_SESSION));
		if (!ok) {
			fail_msg("%s has neither a permission nor a public/session flag",
				 m[i].name);
		}
		if (m[i].permission) {
			char sql[200];
			snprintf(sql, sizeof sql,
				 "SELECT count(*) FROM permission WHERE name = '%s'",
				 m[i].permission);
			assert_int_equal(cpt_testenv_sql_int(&env, sql), 1);
		}
	}
}

static void withdrawn_permission_stops_at_the_next_call(void **state)
{
	cpt_client *admin = cpt_testenv_admin(&env);
	cpt_status st = {0};
	ProtobufCMessage *out = NULL;
	char *perms[] = {"admin.users"};
	Comptoir__Admin__SetRolePermissionsRequest req =
	    COMPTOIR__ADMIN__SET_ROLE_PERMISSIONS_REQUEST__INIT;
	req.role_id = empty_role;
	req.n_permissions = 1;
	req.permissions = perms;
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/SetRolePermissions",
					 &req.base, &comptoir__admin__role_reply__descriptor, &out,
					 &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);

	cpt_client *c = cpt_testenv_login(&env, "nobody", CPT_TEST_PASSWORD, 0, NULL, NULL);
	assert_non_null(c);
	assert_int_equal(raw_call(c, "comptoir.admin.Admin/ListUsers"), CPT_OK);

	req.n_permissions = 0;
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/SetRolePermissions",
					 &req.base, &comptoir__admin__role_reply__descriptor, &out,
					 &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	/* The connection still caches the old rights; the database says no. */
	assert_int_equal(raw_call(c, "comptoir.admin.Admin/ListUsers"), CPT_PERMISSION_DENIED);
	cpt_client_close(c);

	/* An unknown permission is refused, naming the field. */
	char *bad[] = {"admin.everything"};
	req.n_permissions = 1;
	req.permissions = bad;
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/SetRolePermissions",
					 &req.base, &comptoir__admin__role_reply__descriptor, &out,
					 &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "permissions");
	cpt_client_close(admin);
}

static void administrator_role_cannot_lose_its_rights(void **state)
{
	cpt_client *admin = cpt_testenv_admin(&env);
	Comptoir__Admin__SetRolePermissionsRequest req =
	    COMPTOIR__ADMIN__SET_ROLE_PERMISSIONS_REQUEST__INIT;
	req.role_id =
	    cpt_testenv_sql_int(&env, "SELECT id FROM role WHERE name = 'Administrateur'");
	cpt_status st = {0};
	ProtobufCMessage *out = NULL;
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/SetRolePermissions",
					 &req.base, &comptoir__admin__role_reply__descriptor, &out,
					 &st),
			 CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "role_id");
	cpt_client_close(admin);
}

static void administrator_of_one_company_cannot_act_in_another(void **state)
{
	char out[2048];
	const char *add[] = {"company", "add", "AUTRE", "Autre SARL", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, add), 0);
	const char *bob[] = {"user", "add", "bob", "--company", "AUTRE", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, bob), 0);
	int64_t bob_id = cpt_testenv_sql_int(&env, "SELECT id FROM app_user WHERE login = 'bob'");
	int64_t other = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'AUTRE'");
	int64_t admin_role =
	    cpt_testenv_sql_int(&env, "SELECT id FROM role WHERE name = 'Administrateur'");
	int64_t self = cpt_testenv_sql_int(&env, "SELECT id FROM app_user WHERE login = 'admin'");
	long long writes = cpt_testenv_sql_int(&env, "SELECT count(*) FROM audit_log");

	cpt_client *admin = cpt_testenv_admin(&env); /* administers DEMO only */
	cpt_status st = {0};
	ProtobufCMessage *o = NULL;
	Comptoir__Admin__ResetPasswordRequest reset = COMPTOIR__ADMIN__RESET_PASSWORD_REQUEST__INIT;
	reset.id = bob_id;
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/ResetPassword", &reset.base,
					 &comptoir__admin__reset_password_reply__descriptor, &o,
					 &st),
			 CPT_PERMISSION_DENIED);
	assert_string_equal(st.field, "id");
	Comptoir__Admin__GrantRequest g = COMPTOIR__ADMIN__GRANT_REQUEST__INIT;
	g.user_id = self;
	g.company_id = other;
	g.role_id = admin_role;
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/SetGrant", &g.base,
					 &comptoir__admin__grant_reply__descriptor, &o, &st),
			 CPT_PERMISSION_DENIED);
	assert_string_equal(st.field, "company_id");
	/* Bob is not even listed. */
	Comptoir__Admin__ListUsersRequest lr = COMPTOIR__ADMIN__LIST_USERS_REQUEST__INIT;
	lr.search = "bob";
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/ListUsers", &lr.base,
					 &comptoir__admin__list_users_reply__descriptor, &o, &st),
			 CPT_OK);
	assert_int_equal(((Comptoir__Admin__ListUsersReply *)o)->n_users, 0);
	protobuf_c_message_free_unpacked(o, NULL);
	/* The shared Administrateur role... is also granted in AUTRE: not editable from here. */
	Comptoir__Admin__Role role = COMPTOIR__ADMIN__ROLE__INIT;
	role.id = cpt_testenv_sql_int(&env, "SELECT id FROM role WHERE name = 'Consultation'");
	role.name = "Consultation";
	role.description = "changed";
	const char *grant[] = {"user", "grant", "bob", "AUTRE", "Consultation", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, grant), 0);
	writes = cpt_testenv_sql_int(&env, "SELECT count(*) FROM audit_log");
	Comptoir__Admin__RoleRequest rr = COMPTOIR__ADMIN__ROLE_REQUEST__INIT;
	rr.role = &role;
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/UpdateRole", &rr.base,
					 &comptoir__admin__role_reply__descriptor, &o, &st),
			 CPT_PERMISSION_DENIED);
	cpt_client_close(admin);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM audit_log"), writes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_private_method_answers_unauthenticated_before_login),
	    cmocka_unit_test(every_permission_is_enforced_for_a_user_without_it),
	    cmocka_unit_test(the_table_names_a_permission_for_every_private_method),
	    cmocka_unit_test(withdrawn_permission_stops_at_the_next_call),
	    cmocka_unit_test(administrator_role_cannot_lose_its_rights),
	    cmocka_unit_test(administrator_of_one_company_cannot_act_in_another),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
