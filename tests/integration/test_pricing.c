/*
 * Selling prices: the price-resolution rule of server/pricing.c, case by
 * case (client price over price list, quantity breaks, validity dates,
 * discounts rounded half away from zero), bad rules refused with their field
 * and nothing written, and suppliers' prices.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cpt_testenv env;
static cpt_client *admin;
static int64_t article, cheap, list, c1, c2, c3, supplier;

static int call(const char *method, const ProtobufCMessage *in,
		const ProtobufCMessageDescriptor *out_desc, ProtobufCMessage **out, cpt_status *st)
{
	char name[96];
	snprintf(name, sizeof name, "comptoir.articles.%s", method);
	*st = (cpt_status){0};
	return cpt_client_call(admin, name, in, out_desc, out, st);
}

static int64_t new_article(const char *code, int64_t sale)
{
	Comptoir__Articles__Article a = COMPTOIR__ARTICLES__ARTICLE__INIT;
	a.code = (char *)code;
	a.kind = "goods";
	char label[64];
	snprintf(label, sizeof label, "Libellé %s", code);
	a.label = label;
	a.sale_price = sale;
	a.vat_rate_id = cpt_testenv_sql_int(&env, "SELECT id FROM vat_rate WHERE country = 'FR'"
						  " AND rate = 2000");
	Comptoir__Articles__ArticleRequest req = COMPTOIR__ARTICLES__ARTICLE_REQUEST__INIT;
	req.article = &a;
	ProtobufCMessage *out = NULL;
	cpt_status st;
	assert_int_equal(call("Articles/Create", &req.base,
			      &comptoir__articles__article_reply__descriptor, &out, &st),
			 CPT_OK);
	int64_t id = ((Comptoir__Articles__ArticleReply *)out)->article->id;
	protobuf_c_message_free_unpacked(out, NULL);
	return id;
}

static int64_t new_party(const char *service, const char *kind, const char *code)
{
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.kind = (char *)kind;
	p.code = (char *)code;
	p.name = (char *)code;
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = &p;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	char name[64];
	snprintf(name, sizeof name, "comptoir.parties.%s/Create", service);
	assert_int_equal(cpt_client_call(admin, name, &req.base,
					 &comptoir__parties__party_reply__descriptor, &out, &st),
			 CPT_OK);
	int64_t id = ((Comptoir__Parties__PartyReply *)out)->party->id;
	protobuf_c_message_free_unpacked(out, NULL);
	return id;
}

static int save_rule(Comptoir__Articles__PriceRule *r, cpt_status *st)
{
	Comptoir__Articles__PriceRuleRequest req = COMPTOIR__ARTICLES__PRICE_RULE_REQUEST__INIT;
	req.rule = r;
	ProtobufCMessage *out = NULL;
	int rc = call("Pricing/SaveRule", &req.base,
		      &comptoir__articles__price_rule_reply__descriptor, &out, st);
	if (rc == CPT_OK) {
		r->id = ((Comptoir__Articles__PriceRuleReply *)out)->rule->id;
	}
	protobuf_c_message_free_unpacked(out, NULL);
	return rc;
}

/* A rule for the price list (owner 0) or a client; price < 0 means discount. */
static int64_t rule(int64_t owner_list, int64_t owner_party, int64_t art, int64_t min_qty,
		    int64_t price, int32_t discount, const char *from, const char *to)
{
	Comptoir__Articles__PriceRule r = COMPTOIR__ARTICLES__PRICE_RULE__INIT;
	r.price_list_id = owner_list;
	r.party_id = owner_party;
	r.article_id = art;
	r.min_quantity = min_qty;
	r.has_unit_price = price >= 0;
	r.unit_price = price >= 0 ? price : 0;
	r.discount = discount;
	r.valid_from = (char *)from;
	r.valid_to = (char *)to;
	cpt_status st;
	if (save_rule(&r, &st) != CPT_OK) {
		fail_msg("rule refused: %s (%s)", st.message, st.field);
	}
	return r.id;
}

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "pricing", NULL) != 0) {
		return -1;
	}
	admin = cpt_testenv_admin(&env);
	if (!admin) {
		return -1;
	}
	article = new_article("ENTRETIEN", 1000000); /* 100,0000 € */
	cheap = new_article("JOINT", 123457);	     /* 12,3457 € */
	Comptoir__Articles__PriceList l = COMPTOIR__ARTICLES__PRICE_LIST__INIT;
	l.code = "syndic";
	l.label = "Syndics de copropriété";
	Comptoir__Articles__PriceListRequest req = COMPTOIR__ARTICLES__PRICE_LIST_REQUEST__INIT;
	req.price_list = &l;
	ProtobufCMessage *out = NULL;
	cpt_status st;
	assert_int_equal(call("Pricing/SavePriceList", &req.base,
			      &comptoir__articles__price_list_reply__descriptor, &out, &st),
			 CPT_OK);
	list = ((Comptoir__Articles__PriceListReply *)out)->price_list->id;
	assert_string_equal(((Comptoir__Articles__PriceListReply *)out)->price_list->code,
			    "SYNDIC");
	protobuf_c_message_free_unpacked(out, NULL);
	c1 = new_party("Parties", "client", "C1");
	c2 = new_party("Parties", "client", "C2");
	c3 = new_party("Parties", "client", "C3");
	supplier = new_party("Suppliers", "supplier", "GROSSISTE");
	char sql[200];
	snprintf(sql, sizeof sql,
		 "WITH u AS (UPDATE party SET price_list_id = %lld WHERE code IN ('C1', 'C3')"
		 " RETURNING 1) SELECT count(*) FROM u",
		 (long long)list);
	return cpt_testenv_sql_int(&env, sql) == 2 ? 0 : -1;
}

static int teardown(void **state)
{
	cpt_client_close(admin);
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

static Comptoir__Articles__ResolvePriceReply *resolve(int64_t party, int64_t art, int64_t qty,
						      const char *date)
{
	Comptoir__Articles__ResolvePriceRequest req =
	    COMPTOIR__ARTICLES__RESOLVE_PRICE_REQUEST__INIT;
	req.party_id = party;
	req.article_id = art;
	req.quantity = qty;
	req.date = (char *)date;
	ProtobufCMessage *out = NULL;
	cpt_status st;
	assert_int_equal(call("Pricing/Resolve", &req.base,
			      &comptoir__articles__resolve_price_reply__descriptor, &out, &st),
			 CPT_OK);
	return (Comptoir__Articles__ResolvePriceReply *)out;
}

static void expect(int64_t party, int64_t art, int64_t qty, const char *date, int64_t price,
		   const char *source, int64_t rule_id)
{
	Comptoir__Articles__ResolvePriceReply *r = resolve(party, art, qty, date);
	if (r->unit_price != price || strcmp(r->source, source) != 0 || r->rule_id != rule_id) {
		fail_msg(
		    "party %lld qty %lld on %s: got %lld from %s (rule %lld), want %lld from %s "
		    "(rule %lld)",
		    (long long)party, (long long)qty, date, (long long)r->unit_price, r->source,
		    (long long)r->rule_id, (long long)price, source, (long long)rule_id);
	}
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void the_price_resolution_rule_holds_case_by_case(void **state)
{
	int64_t r1 = rule(list, 0, article, 0, -1, 1000, "", "");      /* list: −10 % */
	int64_t r2 = rule(list, 0, article, 10000, 800000, 0, "", ""); /* list: 80 from 10 */
	int64_t r3 = rule(0, c1, article, 0, 950000, 0, "2026-01-01", "2026-06-30");
	int64_t r4 = rule(0, c1, article, 0, 850000, 0, "2026-07-01", "");
	int64_t r5 = rule(list, 0, article, 0, -1, 2000, "2025-01-01", "2025-12-31");

	/* 5. No client, or a client without list nor own rule: the sale price. */
	expect(0, article, 1000, "2026-03-01", 1000000, "article", 0);
	expect(c2, article, 50000, "2026-03-01", 1000000, "article", 0);
	/* 2. The client's own price beats its list, even the list's quantity break. */
	expect(c1, article, 1000, "2026-03-01", 950000, "client", r3);
	expect(c1, article, 20000, "2026-03-01", 950000, "client", r3);
	/* 1. Validity: the client's first price ends on 30/06, inclusive. */
	expect(c1, article, 1000, "2026-06-30", 950000, "client", r3);
	expect(c1, article, 1000, "2026-07-01", 850000, "client", r4);
	/* 3. The list: discount, then the 10-unit break, exactly from 10,000. */
	expect(c3, article, 1000, "2026-03-01", 900000, "price_list", r1);
	expect(c3, article, 9999, "2026-03-01", 900000, "price_list", r1);
	expect(c3, article, 10000, "2026-03-01", 800000, "price_list", r2);
	/* 3. Same break: the rule that started most recently wins over an open start. */
	expect(c3, article, 1000, "2025-06-01", 800000, "price_list", r5);
	expect(c3, article, 1000, "2026-01-01", 900000, "price_list", r1);
	/* 3. Then the newest rule. */
	int64_t r6 = rule(list, 0, article, 0, -1, 500, "", "");
	expect(c3, article, 1000, "2026-03-01", 950000, "price_list", r6);
	/* 4. A discount off 12,3457 €: 12,5 % is 1,5432125, rounded to 1,5432. */
	int64_t r7 = rule(list, 0, cheap, 0, -1, 1250, "", "");
	expect(c3, cheap, 1000, "2026-03-01", 108025, "price_list", r7);

	/* Deleting a rule makes the next one apply. */
	Comptoir__Articles__DeleteRequest del = COMPTOIR__ARTICLES__DELETE_REQUEST__INIT;
	del.id = r6;
	ProtobufCMessage *out = NULL;
	cpt_status st;
	assert_int_equal(call("Pricing/DeleteRule", &del.base,
			      &comptoir__articles__delete_reply__descriptor, &out, &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	expect(c3, article, 1000, "2026-03-01", 900000, "price_list", r1);

	/* The rules of a list, as the screen shows them. */
	Comptoir__Articles__ListPriceRulesRequest lr =
	    COMPTOIR__ARTICLES__LIST_PRICE_RULES_REQUEST__INIT;
	lr.price_list_id = list;
	assert_int_equal(call("Pricing/ListRules", &lr.base,
			      &comptoir__articles__list_price_rules_reply__descriptor, &out, &st),
			 CPT_OK);
	Comptoir__Articles__ListPriceRulesReply *rules = (void *)out;
	assert_int_equal(rules->n_rules, 4);
	assert_string_equal(rules->rules[0]->article_code, "ENTRETIEN");
	assert_string_equal(rules->rules[0]->article_label, "Libellé ENTRETIEN");
	protobuf_c_message_free_unpacked(out, NULL);
}

static void bad_rules_are_refused_with_their_field_and_nothing_written(void **state)
{
	long long before = cpt_testenv_sql_int(&env, "SELECT count(*) FROM price_rule");
	struct {
		int64_t list, party, art, min, price;
		int32_t discount;
		const char *from, *to, *field;
		int code;
	} cases[] = {
	    {list, 0, article, 0, -5, 0, "", "", "rule.unit_price", CPT_INVALID_ARGUMENT},
	    {list, c1, article, 0, 100, 0, "", "", "rule.party_id", CPT_INVALID_ARGUMENT},
	    {0, 0, article, 0, 100, 0, "", "", "rule.party_id", CPT_INVALID_ARGUMENT},
	    {list, 0, article, -1000, 100, 0, "", "", "rule.min_quantity", CPT_INVALID_ARGUMENT},
	    {list, 0, article, 0, 100, 0, "2026-02-01", "2026-01-31", "rule.valid_to",
	     CPT_INVALID_ARGUMENT},
	    {list, 0, article, 0, 100, 0, "2026-02-30", "", "rule.valid_from",
	     CPT_INVALID_ARGUMENT},
	    {list, 0, 987654, 0, 100, 0, "", "", "rule.article_id", CPT_NOT_FOUND},
	    {0, supplier, article, 0, 100, 0, "", "", "rule.party_id", CPT_NOT_FOUND},
	    {987654, 0, article, 0, 100, 0, "", "", "rule.price_list_id", CPT_NOT_FOUND},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Comptoir__Articles__PriceRule r = COMPTOIR__ARTICLES__PRICE_RULE__INIT;
		r.price_list_id = cases[i].list;
		r.party_id = cases[i].party;
		r.article_id = cases[i].art;
		r.min_quantity = cases[i].min;
		r.has_unit_price = true;
		r.unit_price = cases[i].price;
		r.valid_from = (char *)cases[i].from;
		r.valid_to = (char *)cases[i].to;
		cpt_status st;
		int rc = save_rule(&r, &st);
		if (rc != cases[i].code || strcmp(st.field, cases[i].field) != 0) {
			fail_msg("case %zu: got %d on '%s' (%s)", i, rc, st.field, st.message);
		}
	}
	Comptoir__Articles__PriceRule r = COMPTOIR__ARTICLES__PRICE_RULE__INIT;
	r.price_list_id = list;
	r.article_id = article;
	r.discount = 10001;
	cpt_status st;
	assert_int_equal(save_rule(&r, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "rule.discount");
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM price_rule"), before);
}

static int save_supplier_price(int64_t sup, int64_t art, int64_t min, int64_t price, cpt_status *st)
{
	Comptoir__Articles__SupplierPrice p = COMPTOIR__ARTICLES__SUPPLIER_PRICE__INIT;
	p.supplier_id = sup;
	p.article_id = art;
	p.supplier_ref = "REF-001";
	p.min_quantity = min;
	p.unit_price = price;
	Comptoir__Articles__SupplierPriceRequest req =
	    COMPTOIR__ARTICLES__SUPPLIER_PRICE_REQUEST__INIT;
	req.price = &p;
	ProtobufCMessage *out = NULL;
	int rc = call("Pricing/SaveSupplierPrice", &req.base,
		      &comptoir__articles__supplier_price_reply__descriptor, &out, st);
	protobuf_c_message_free_unpacked(out, NULL);
	return rc;
}

static void supplier_prices_are_kept_per_break_and_checked(void **state)
{
	cpt_status st;
	assert_int_equal(save_supplier_price(supplier, article, 0, 600000, &st), CPT_OK);
	assert_int_equal(save_supplier_price(supplier, article, 10000, 550000, &st), CPT_OK);
	assert_int_equal(save_supplier_price(supplier, article, 10000, 540000, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "price.min_quantity");
	assert_int_equal(save_supplier_price(c1, article, 0, 1, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "price.supplier_id");
	assert_int_equal(save_supplier_price(supplier, article, 0, -1, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "price.unit_price");
	Comptoir__Articles__ListSupplierPricesRequest req =
	    COMPTOIR__ARTICLES__LIST_SUPPLIER_PRICES_REQUEST__INIT;
	req.article_id = article;
	ProtobufCMessage *out = NULL;
	assert_int_equal(call("Pricing/ListSupplierPrices", &req.base,
			      &comptoir__articles__list_supplier_prices_reply__descriptor, &out,
			      &st),
			 CPT_OK);
	Comptoir__Articles__ListSupplierPricesReply *l = (void *)out;
	assert_int_equal(l->n_prices, 2);
	assert_string_equal(l->prices[0]->supplier_name, "GROSSISTE");
	assert_string_equal(l->prices[0]->article_label, "Libellé ENTRETIEN");
	assert_int_equal(l->prices[1]->unit_price, 550000);
	/* A supplier's price is deleted; then it is gone, and asking again is NOT_FOUND. */
	Comptoir__Articles__DeleteRequest del = COMPTOIR__ARTICLES__DELETE_REQUEST__INIT;
	del.id = l->prices[1]->id;
	protobuf_c_message_free_unpacked(out, NULL);
	assert_int_equal(call("Pricing/DeleteSupplierPrice", &del.base,
			      &comptoir__articles__delete_reply__descriptor, &out, &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	out = NULL;
	char sql[120];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM supplier_price WHERE id = %lld",
		 (long long)del.id);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 0);
	assert_int_equal(call("Pricing/DeleteSupplierPrice", &del.base,
			      &comptoir__articles__delete_reply__descriptor, &out, &st),
			 CPT_NOT_FOUND);
	assert_string_equal(st.field, "id");
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM supplier_price"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(the_price_resolution_rule_holds_case_by_case),
	    cmocka_unit_test(bad_rules_are_refused_with_their_field_and_nothing_written),
	    cmocka_unit_test(supplier_prices_are_kept_per_break_and_checked),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
