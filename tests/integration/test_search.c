/*
 * What search as you type finds (server/listing.c, cpt_like_pattern in
 * sql/0008_search_leakproof.sql): three characters or more anywhere, one or
 * two at a word's start; LIKE's own characters taken literally; the same
 * rows whichever plan serves the page (the bounded walk in name order or
 * the trigram index), and keyset pages that follow one another without a
 * gap or a repeat. And the trigram index really serves under row-level
 * security.
 */
#include "testenv.h"

#include "articles.pb-c.h"
#include "parties.pb-c.h"
#include "rpc.pb-c.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cpt_testenv env;
static cpt_client *admin;

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "search", NULL) != 0) {
		return -1;
	}
	admin = cpt_testenv_admin(&env);
	/* A few names to find, then 30 000 that sort before them all. */
	return admin && cpt_testenv_sql_int(
			    &env,
			    "WITH c AS (SELECT min(id) AS id FROM company),"
			    " i AS (INSERT INTO party (company_id, kind, code, name)"
			    " SELECT c.id, 'client', v.code, v.name FROM c, (VALUES"
			    " ('DUP1', 'Dupont Plomberie'), ('CAFE1', 'Café du Port'),"
			    " ('PROD1', 'Produits Martin'), ('PROMO1', 'Remise 50% Lyon'),"
			    " ('LYN1', 'Lyon_Nord'), ('LYN2', 'Lyon Nord'),"
			    " ('ZZZ1', 'Zénith Unique')) v(code, name)"
			    " UNION ALL SELECT c.id, 'client', 'F' || g, 'Aaa remplissage ' || g"
			    " FROM c, generate_series(1, 30000) g RETURNING 1)"
			    " SELECT count(*) FROM i") == 30007
		   ? 0
		   : -1;
}

static int teardown(void **state)
{
	cpt_client_close(admin);
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

/* The codes found for text, in order, "," separated (caller frees). */
static char *found(const char *text, unsigned limit, const char *after_key, int64_t after_id)
{
	Comptoir__Admin__Page page = COMPTOIR__ADMIN__PAGE__INIT;
	page.limit = limit;
	page.after_key = (char *)after_key;
	page.after_id = after_id;
	Comptoir__Parties__ListPartiesRequest req = COMPTOIR__PARTIES__LIST_PARTIES_REQUEST__INIT;
	req.search = (char *)text;
	req.page = &page;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(admin, "comptoir.parties.Parties/List", &req.base,
					 &comptoir__parties__list_parties_reply__descriptor, &out,
					 &st),
			 CPT_OK);
	Comptoir__Parties__ListPartiesReply *r = (void *)out;
	GString *s = g_string_new(NULL);
	for (size_t i = 0; i < r->n_parties; i++) {
		g_string_append_printf(s, "%s%s", i ? "," : "", r->parties[i]->code);
	}
	protobuf_c_message_free_unpacked(out, NULL);
	return g_string_free(s, FALSE);
}

static void expect(const char *text, const char *codes)
{
	char *got = found(text, 100, "", 0);
	if (strcmp(got, codes) != 0) {
		fail_msg("search \"%s\": got [%s], want [%s]", text, got, codes);
	}
	g_free(got);
}

static void short_searches_match_word_starts_longer_ones_anywhere(void **state)
{
	/* "du": the start of "Dupont" and of "du", not the middle of "Produits". */
	expect("du", "CAFE1,DUP1");
	expect("DU ", "CAFE1,DUP1");
	/* Three letters: anywhere, "Produits" too. */
	expect("dui", "PROD1");
	expect("ont", "DUP1");
	/* One letter: word starts only ("Zénith", not "remplissage"'s z-less rows). */
	expect("z", "ZZZ1");
	/* Accents and case do not matter, either way. */
	expect("ZENITH", "ZZZ1");
	expect("caf", "CAFE1");
}

static void like_characters_are_taken_literally(void **state)
{
	expect("50%", "PROMO1");
	expect("lyon_", "LYN1");
	expect("%", "");
}

static void rows_past_the_bounded_walk_are_found_through_the_index(void **state)
{
	/* 30 000 names sort before "Zénith": the walk sees none of them matching. */
	expect("unique", "ZZZ1");
	expect("uniq", "ZZZ1");
	/* Many matches: pages of 100 follow one another by key, none lost. */
	char *first = found("remplissage", 100, "", 0);
	assert_int_equal(strlen(first) > 0, 1);
	int n = 0;
	char *after_code = NULL;
	char *p = first;
	for (char *tok = strtok(p, ","); tok; tok = strtok(NULL, ",")) {
		n++;
		g_free(after_code);
		after_code = g_strdup(tok);
	}
	assert_int_equal(n, 100);
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT id FROM party WHERE code = '%s'", after_code);
	int64_t after_id = cpt_testenv_sql_int(&env, sql);
	snprintf(sql, sizeof sql, "SELECT name FROM party WHERE code = '%s'", after_code);
	PGconn *db = cpt_testenv_sql(&env);
	PGresult *r = PQexec(db, sql);
	char *after_key = g_strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(db);
	char *second = found("remplissage", 100, after_key, after_id);
	/* The 101st to 200th names in order, as SQL sorts them. */
	long long expected_first = cpt_testenv_sql_int(
	    &env, "SELECT substr(code, 2)::int FROM party WHERE name LIKE 'Aaa%'"
		  " ORDER BY lower(public.unaccent(name)), id OFFSET 100 LIMIT 1");
	char want[16];
	snprintf(want, sizeof want, "F%lld,", expected_first);
	assert_true(strncmp(second, want, strlen(want)) == 0);
	g_free(after_key);
	g_free(after_code);
	g_free(first);
	g_free(second);
}

static void the_trigram_index_serves_under_row_level_security(void **state)
{
	/* As the daemon's role, with the company policy in force. */
	PGconn *db = cpt_testenv_sql(&env);
	const char *set[] = {"ANALYZE party", "SET ROLE comptoir_app",
			     "SELECT set_config('comptoir.company_id',"
			     " (SELECT min(id) FROM company)::text, false)",
			     "SET enable_seqscan = off"};
	for (size_t i = 0; i < 4; i++) {
		PGresult *r = PQexec(db, set[i]);
		if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
			fail_msg("%s: %s", set[i], PQresultErrorMessage(r));
		}
		PQclear(r);
	}
	PGresult *r = PQexec(db, "EXPLAIN SELECT id FROM party p"
				 " WHERE p.search_text ~~> '%unique%'");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fail_msg("EXPLAIN: %s", PQresultErrorMessage(r));
	}
	GString *plan = g_string_new(NULL);
	for (int i = 0; i < PQntuples(r); i++) {
		g_string_append_printf(plan, "%s\n", PQgetvalue(r, i, 0));
	}
	PQclear(r);
	PQfinish(db);
	if (!strstr(plan->str, "party_search_idx")) {
		fail_msg("the search does not use the trigram index:\n%s", plan->str);
	}
	g_string_free(plan, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(short_searches_match_word_starts_longer_ones_anywhere),
	    cmocka_unit_test(like_characters_are_taken_literally),
	    cmocka_unit_test(rows_past_the_bounded_walk_are_found_through_the_index),
	    cmocka_unit_test(the_trigram_index_serves_under_row_level_security),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
