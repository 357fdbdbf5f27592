/*
 * Server-side lists: keyset paging in both directions, search, totals and
 * offset jumps agreeing with keyset pages; per-user preferences.
 */
#include "testenv.h"

#include "admin.pb-c.h"
#include "prefs.pb-c.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cpt_testenv env;
static cpt_client *admin;

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "lists", NULL) != 0) {
		return -1;
	}
	/* 40 more users straight in SQL: this test is about reading them. */
	PGconn *c = cpt_testenv_sql(&env);
	PGresult *r = PQexec(c, "INSERT INTO app_user (login, display_name, email, password_hash)"
				" SELECT 'user' || lpad(i::text, 2, '0'), 'Utilisateur ' || i,"
				" 'u' || i || '@example.fr', 'x' FROM generate_series(1, 40) i");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	PQfinish(c);
	admin = cpt_testenv_admin(&env);
	return ok && admin ? 0 : -1;
}

static int teardown(void **state)
{
	cpt_client_close(admin);
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

static Comptoir__Admin__ListUsersReply *list(const char *search, const char *sort, bool desc,
					     unsigned limit, const char *after_key,
					     int64_t after_id, unsigned offset)
{
	Comptoir__Admin__Page page = COMPTOIR__ADMIN__PAGE__INIT;
	page.limit = limit;
	page.sort = (char *)sort;
	page.descending = desc;
	page.after_key = (char *)after_key;
	page.after_id = after_id;
	page.offset = offset;
	page.with_total = true;
	Comptoir__Admin__ListUsersRequest req = COMPTOIR__ADMIN__LIST_USERS_REQUEST__INIT;
	req.search = (char *)search;
	req.page = &page;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	int rc = cpt_client_call(admin, "comptoir.admin.Admin/ListUsers", &req.base,
				 &comptoir__admin__list_users_reply__descriptor, &out, &st);
	if (rc) {
		fail_msg("ListUsers: %s (%s)", st.message, st.field);
	}
	return (Comptoir__Admin__ListUsersReply *)out;
}

static void keyset_pages_walk_every_row_once_in_order(void **state)
{
	for (int desc = 0; desc < 2; desc++) {
		char last_key[128] = "";
		int64_t last_id = 0;
		int seen = 0;
		char prev[128] = "";
		for (;;) {
			Comptoir__Admin__ListUsersReply *r =
			    list("", "login", desc, 7, last_key, last_id, 0);
			assert_int_equal(r->total, 41);
			for (size_t i = 0; i < r->n_users; i++) {
				const char *login = r->users[i]->login;
				if (*prev) {
					int cmp = strcmp(prev, login);
					assert_true(desc ? cmp > 0 : cmp < 0);
				}
				snprintf(prev, sizeof prev, "%s", login);
				seen++;
			}
			bool more = r->more;
			if (r->n_users) {
				snprintf(last_key, sizeof last_key, "%s",
					 r->users[r->n_users - 1]->login);
				last_id = r->users[r->n_users - 1]->id;
			}
			protobuf_c_message_free_unpacked(&r->base, NULL);
			if (!more) {
				break;
			}
		}
		assert_int_equal(seen, 41);
	}
}

static void offset_jump_lands_where_keyset_paging_does(void **state)
{
	Comptoir__Admin__ListUsersReply *first = list("", "display_name", false, 20, "", 0, 0);
	Comptoir__Admin__ListUsersReply *next = list(
	    "", "display_name", false, 5, first->users[19]->display_name, first->users[19]->id, 0);
	/* The sort key for display_name is case-folded; the server compares lower(). */
	Comptoir__Admin__ListUsersReply *jump = list("", "display_name", false, 5, "", 0, 20);
	assert_int_equal(next->n_users, 5);
	assert_int_equal(jump->n_users, 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(next->users[i]->id, jump->users[i]->id);
	}
	protobuf_c_message_free_unpacked(&first->base, NULL);
	protobuf_c_message_free_unpacked(&next->base, NULL);
	protobuf_c_message_free_unpacked(&jump->base, NULL);
}

static void search_matches_login_name_or_email_any_case(void **state)
{
	Comptoir__Admin__ListUsersReply *r = list("UTILISATEUR 3", "login", false, 100, "", 0, 0);
	/* "Utilisateur 3" and "Utilisateur 30".."39" */
	assert_int_equal(r->total, 11);
	assert_int_equal(r->n_users, 11);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	r = list("u7@example", "login", false, 100, "", 0, 0);
	assert_int_equal(r->n_users, 1);
	assert_string_equal(r->users[0]->login, "user07");
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void unknown_sort_column_is_refused(void **state)
{
	Comptoir__Admin__Page page = COMPTOIR__ADMIN__PAGE__INIT;
	page.sort = "password_hash";
	Comptoir__Admin__ListUsersRequest req = COMPTOIR__ADMIN__LIST_USERS_REQUEST__INIT;
	req.page = &page;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/ListUsers", &req.base,
					 &comptoir__admin__list_users_reply__descriptor, &out, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "page.sort");
}

static int pref(cpt_client *c, const char *key, const char *value, char *got, size_t size,
		cpt_status *st)
{
	ProtobufCMessage *out = NULL;
	int rc;
	if (value) {
		Comptoir__Prefs__SetPrefRequest req = COMPTOIR__PREFS__SET_PREF_REQUEST__INIT;
		req.key = (char *)key;
		req.value = (char *)value;
		rc = cpt_client_call(c, "comptoir.prefs.Prefs/Set", &req.base,
				     &comptoir__prefs__pref_reply__descriptor, &out, st);
	} else {
		Comptoir__Prefs__GetPrefRequest req = COMPTOIR__PREFS__GET_PREF_REQUEST__INIT;
		req.key = (char *)key;
		rc = cpt_client_call(c, "comptoir.prefs.Prefs/Get", &req.base,
				     &comptoir__prefs__pref_reply__descriptor, &out, st);
	}
	if (rc == 0 && got) {
		snprintf(got, size, "%s", ((Comptoir__Prefs__PrefReply *)out)->value);
	}
	protobuf_c_message_free_unpacked(out, NULL);
	return rc;
}

static void preferences_belong_to_their_user(void **state)
{
	char got[256];
	cpt_status st = {0};
	assert_int_equal(pref(admin, "list.users.columns", "login,email", NULL, 0, &st), 0);
	assert_int_equal(pref(admin, "list.users.columns", NULL, got, sizeof got, &st), 0);
	assert_string_equal(got, "login,email");

	int64_t role = cpt_testenv_sql_int(&env, "SELECT id FROM role WHERE name = 'Consultation'");
	assert_true(cpt_testenv_create_user(&env, "reader", role, 0) > 0);
	cpt_client *other = cpt_testenv_login(&env, "reader", CPT_TEST_PASSWORD, 0, NULL, NULL);
	assert_int_equal(pref(other, "list.users.columns", NULL, got, sizeof got, &st), 0);
	assert_string_equal(got, "");
	assert_int_equal(pref(other, "Bad Key!", "x", NULL, 0, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "key");
	cpt_client_close(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(keyset_pages_walk_every_row_once_in_order),
	    cmocka_unit_test(offset_jump_lands_where_keyset_paging_does),
	    cmocka_unit_test(search_matches_login_name_or_email_any_case),
	    cmocka_unit_test(unknown_sort_column_is_refused),
	    cmocka_unit_test(preferences_belong_to_their_user),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
