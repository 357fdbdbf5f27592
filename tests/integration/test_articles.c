/*
 * The article catalogue: an article with translations, family and subfamily
 * read back; search without accents; every bad input refused with its field
 * and nothing written; multi-level bills of materials whose cost rolls up,
 * with cycles refused; read-only rights and isolation between companies.
 */
#include "testenv.h"

#include "articles.pb-c.h"
#include "rpc.pb-c.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cpt_testenv env;
static cpt_client *admin;
static int64_t vat20; /* FR 20 % */

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "articles", NULL) != 0) {
		return -1;
	}
	admin = cpt_testenv_admin(&env);
	vat20 = cpt_testenv_sql_int(&env, "SELECT id FROM vat_rate WHERE country = 'FR'"
					  " AND rate = 2000");
	return admin && vat20 > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	cpt_client_close(admin);
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

static long long catalogue_rows(void)
{
	return cpt_testenv_sql_int(&env, "SELECT (SELECT count(*) FROM article)"
					 " + (SELECT count(*) FROM article_translation)"
					 " + (SELECT count(*) FROM bom_line)"
					 " + (SELECT count(*) FROM article_family)");
}

static int save(cpt_client *c, const char *method, Comptoir__Articles__Article *a,
		Comptoir__Articles__ArticleReply **rep, cpt_status *st)
{
	Comptoir__Articles__ArticleRequest req = COMPTOIR__ARTICLES__ARTICLE_REQUEST__INIT;
	req.article = a;
	ProtobufCMessage *out = NULL;
	char name[64];
	snprintf(name, sizeof name, "comptoir.articles.Articles/%s", method);
	*st = (cpt_status){0};
	int rc = cpt_client_call(c, name, &req.base, &comptoir__articles__article_reply__descriptor,
				 &out, st);
	if (rep) {
		*rep = (Comptoir__Articles__ArticleReply *)out;
	} else {
		protobuf_c_message_free_unpacked(out, NULL);
	}
	return rc;
}

/* A plain article; fields point to static strings. */
static void article_init(Comptoir__Articles__Article *a, const char *code, const char *label,
			 int64_t purchase, int64_t sale)
{
	comptoir__articles__article__init(a);
	a->code = (char *)code;
	a->kind = "goods";
	a->label = (char *)label;
	a->purchase_price = purchase;
	a->sale_price = sale;
	a->vat_rate_id = vat20;
}

static int64_t create_article(const char *code, const char *label, int64_t purchase, int64_t sale)
{
	Comptoir__Articles__Article a;
	article_init(&a, code, label, purchase, sale);
	Comptoir__Articles__ArticleReply *rep = NULL;
	cpt_status st;
	assert_int_equal(save(admin, "Create", &a, &rep, &st), CPT_OK);
	int64_t id = rep->article->id;
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	return id;
}

static int64_t save_family(const char *code, const char *label, int64_t parent)
{
	Comptoir__Articles__Family f = COMPTOIR__ARTICLES__FAMILY__INIT;
	f.code = (char *)code;
	f.label = (char *)label;
	f.parent_id = parent;
	Comptoir__Articles__FamilyRequest req = COMPTOIR__ARTICLES__FAMILY_REQUEST__INIT;
	req.family = &f;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(admin, "comptoir.articles.Articles/SaveFamily", &req.base,
					 &comptoir__articles__family_reply__descriptor, &out, &st),
			 CPT_OK);
	int64_t id = ((Comptoir__Articles__FamilyReply *)out)->family->id;
	protobuf_c_message_free_unpacked(out, NULL);
	return id;
}

static Comptoir__Articles__ArticleReply *get(int64_t id)
{
	Comptoir__Articles__GetArticleRequest req = COMPTOIR__ARTICLES__GET_ARTICLE_REQUEST__INIT;
	req.id = id;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(admin, "comptoir.articles.Articles/Get", &req.base,
					 &comptoir__articles__article_reply__descriptor, &out, &st),
			 CPT_OK);
	return (Comptoir__Articles__ArticleReply *)out;
}

static Comptoir__Articles__ListArticlesReply *list(cpt_client *c, const char *search,
						   const char *sort, int *rc)
{
	Comptoir__Admin__Page page = COMPTOIR__ADMIN__PAGE__INIT;
	page.sort = (char *)sort;
	page.with_total = true;
	Comptoir__Articles__ListArticlesRequest req =
	    COMPTOIR__ARTICLES__LIST_ARTICLES_REQUEST__INIT;
	req.search = (char *)search;
	req.page = &page;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	*rc = cpt_client_call(c, "comptoir.articles.Articles/List", &req.base,
			      &comptoir__articles__list_articles_reply__descriptor, &out, &st);
	return (Comptoir__Articles__ListArticlesReply *)out;
}

static void article_with_translation_and_family_is_created_and_found_without_accents(void **state)
{
	int64_t fam = save_family("CHAUF", "Chauffage", 0);
	int64_t sub = save_family("CHAUD", "Chaudières", fam);
	Comptoir__Articles__Article a;
	article_init(&a, " chaud-24kw ", "Chaudière murale à condensation 24 kW", 1250000, 2190000);
	Comptoir__Articles__Translation en = COMPTOIR__ARTICLES__TRANSLATION__INIT;
	en.lang = "en";
	en.label = "Wall-hung condensing boiler 24 kW";
	Comptoir__Articles__Translation *tp[] = {&en};
	a.translations = tp;
	a.n_translations = 1;
	a.unit = "U";
	a.eco_contribution = 25000; /* 2,50 € DEEE */
	a.family_id = fam;
	a.subfamily_id = sub;
	a.barcode = "4006381333931";
	a.stock_tracked = true;
	a.serial_tracked = true;
	Comptoir__Articles__ArticleReply *rep = NULL;
	cpt_status st;
	assert_int_equal(save(admin, "Create", &a, &rep, &st), CPT_OK);
	int64_t id = rep->article->id;
	protobuf_c_message_free_unpacked(&rep->base, NULL);

	rep = get(id);
	Comptoir__Articles__Article *b = rep->article;
	assert_string_equal(b->code, "CHAUD-24KW");
	assert_string_equal(b->label, "Chaudière murale à condensation 24 kW");
	assert_int_equal(b->n_translations, 1);
	assert_string_equal(b->translations[0]->label, "Wall-hung condensing boiler 24 kW");
	assert_int_equal(b->sale_price, 2190000);
	assert_int_equal(b->eco_contribution, 25000);
	assert_int_equal(b->vat_rate, 2000);
	assert_int_equal(b->family_id, fam);
	assert_int_equal(b->subfamily_id, sub);
	assert_true(b->serial_tracked);
	assert_int_equal(b->cost, 1250000); /* no components: its purchase price */
	protobuf_c_message_free_unpacked(&rep->base, NULL);

	int rc;
	Comptoir__Articles__ListArticlesReply *l = list(admin, "CHAUDIERE", "label", &rc);
	assert_int_equal(rc, CPT_OK);
	assert_int_equal(l->n_articles, 1);
	assert_int_equal(l->total, 1);
	assert_string_equal(l->articles[0]->family, "Chauffage");
	protobuf_c_message_free_unpacked(&l->base, NULL);
	l = list(admin, "400638133", "code", &rc); /* by barcode */
	assert_int_equal(rc, CPT_OK);
	assert_int_equal(l->n_articles, 1);
	protobuf_c_message_free_unpacked(&l->base, NULL);
}

typedef struct bad_case {
	const char *field;
	int code;
	void (*spoil)(Comptoir__Articles__Article *a);
} bad_case;

static void negative_sale(Comptoir__Articles__Article *a)
{
	a->sale_price = -1;
}
static void negative_purchase(Comptoir__Articles__Article *a)
{
	a->purchase_price = -10000;
}
static void negative_eco(Comptoir__Articles__Article *a)
{
	a->eco_contribution = -5;
}
static void bad_barcode(Comptoir__Articles__Article *a)
{
	a->barcode = "4006381333932";
}
static void bad_kind(Comptoir__Articles__Article *a)
{
	a->kind = "widget";
}
static void no_vat(Comptoir__Articles__Article *a)
{
	a->vat_rate_id = 0;
}
static void unknown_vat(Comptoir__Articles__Article *a)
{
	a->vat_rate_id = 999999;
}
static void unknown_unit(Comptoir__Articles__Article *a)
{
	a->unit = "PARSEC";
}
static void empty_label(Comptoir__Articles__Article *a)
{
	a->label = "   ";
}
static void bad_code(Comptoir__Articles__Article *a)
{
	a->code = "A B";
}
static void duplicate_code(Comptoir__Articles__Article *a)
{
	a->code = "doublon";
}
static void serial_without_stock(Comptoir__Articles__Article *a)
{
	a->serial_tracked = true;
}
static void stocked_service(Comptoir__Articles__Article *a)
{
	a->kind = "service";
	a->stock_tracked = true;
}
static void lonely_subfamily(Comptoir__Articles__Article *a)
{
	a->subfamily_id = 1;
}
static void bad_lang(Comptoir__Articles__Article *a)
{
	static Comptoir__Articles__Translation t = COMPTOIR__ARTICLES__TRANSLATION__INIT;
	static Comptoir__Articles__Translation *tp[] = {&t};
	t.lang = "EN";
	t.label = "x";
	a->translations = tp;
	a->n_translations = 1;
}
static void zero_quantity_component(Comptoir__Articles__Article *a)
{
	static Comptoir__Articles__BomLine l = COMPTOIR__ARTICLES__BOM_LINE__INIT;
	static Comptoir__Articles__BomLine *lp[] = {&l};
	l.component_id = 1;
	l.quantity = 0;
	a->bom = lp;
	a->n_bom = 1;
}
static void unknown_component(Comptoir__Articles__Article *a)
{
	static Comptoir__Articles__BomLine l = COMPTOIR__ARTICLES__BOM_LINE__INIT;
	static Comptoir__Articles__BomLine *lp[] = {&l};
	l.component_id = 987654;
	l.quantity = 1000;
	a->bom = lp;
	a->n_bom = 1;
}

static void every_bad_article_is_refused_with_its_field_and_nothing_written(void **state)
{
	create_article("DOUBLON", "Déjà là", 0, 0);
	const bad_case cases[] = {
	    {"article.sale_price", CPT_INVALID_ARGUMENT, negative_sale},
	    {"article.purchase_price", CPT_INVALID_ARGUMENT, negative_purchase},
	    {"article.eco_contribution", CPT_INVALID_ARGUMENT, negative_eco},
	    {"article.barcode", CPT_INVALID_ARGUMENT, bad_barcode},
	    {"article.kind", CPT_INVALID_ARGUMENT, bad_kind},
	    {"article.vat_rate_id", CPT_INVALID_ARGUMENT, no_vat},
	    {"article.vat_rate_id", CPT_NOT_FOUND, unknown_vat},
	    {"article.unit", CPT_NOT_FOUND, unknown_unit},
	    {"article.label", CPT_INVALID_ARGUMENT, empty_label},
	    {"article.code", CPT_INVALID_ARGUMENT, bad_code},
	    {"article.code", CPT_INVALID_ARGUMENT, duplicate_code},
	    {"article.serial_tracked", CPT_INVALID_ARGUMENT, serial_without_stock},
	    {"article.stock_tracked", CPT_INVALID_ARGUMENT, stocked_service},
	    {"article.family_id", CPT_INVALID_ARGUMENT, lonely_subfamily},
	    {"article.translations.lang", CPT_INVALID_ARGUMENT, bad_lang},
	    {"article.bom.quantity", CPT_INVALID_ARGUMENT, zero_quantity_component},
	    {"article.bom.component_id", CPT_NOT_FOUND, unknown_component},
	};
	long long before = catalogue_rows();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Comptoir__Articles__Article a;
		article_init(&a, "NEUF", "Article neuf", 100, 200);
		cases[i].spoil(&a);
		cpt_status st;
		int rc = save(admin, "Create", &a, NULL, &st);
		if (rc != cases[i].code || strcmp(st.field, cases[i].field) != 0) {
			fail_msg("case %zu: got %d on '%s' (%s), want %d on '%s'", i, rc, st.field,
				 st.message, cases[i].code, cases[i].field);
		}
		assert_true(st.message[0] != '\0');
	}
	assert_int_equal(catalogue_rows(), before);
}

/* Sets the BOM of parent: n components with their quantities. */
static int set_bom(int64_t parent, const int64_t *components, const int64_t *qty, size_t n,
		   cpt_status *st)
{
	Comptoir__Articles__ArticleReply *cur = get(parent);
	Comptoir__Articles__BomLine lines[8];
	Comptoir__Articles__BomLine *lp[8];
	for (size_t i = 0; i < n; i++) {
		comptoir__articles__bom_line__init(&lines[i]);
		lines[i].component_id = components[i];
		lines[i].quantity = qty[i];
		lp[i] = &lines[i];
	}
	Comptoir__Articles__Article a = *cur->article;
	a.bom = lp;
	a.n_bom = n;
	int rc = save(admin, "Update", &a, NULL, st);
	protobuf_c_message_free_unpacked(&cur->base, NULL);
	return rc;
}

static void bill_of_materials_cost_rolls_up_through_levels_and_cycles_are_refused(void **state)
{
	/* KIT = 2 × SUB + 0,5 × PIPE; SUB = 3 × VALVE + 1,25 × LABOUR. */
	int64_t valve = create_article("VALVE", "Vanne d'arrêt", 123456, 200000); /* 12,3456 */
	int64_t labour = create_article("MO-H", "Main-d'œuvre", 350000, 550000);  /* 35 */
	int64_t pipe = create_article("PIPE", "Tube cuivre 1 m", 78901, 120000);  /* 7,8901 */
	int64_t sub = create_article("SUB", "Sous-ensemble vanne", 0, 0);
	int64_t kit = create_article("KIT", "Kit raccordement", 999999, 0);
	cpt_status st;
	assert_int_equal(set_bom(sub, (int64_t[]){valve, labour}, (int64_t[]){3000, 1250}, 2, &st),
			 CPT_OK);
	assert_int_equal(set_bom(kit, (int64_t[]){sub, pipe}, (int64_t[]){2000, 500}, 2, &st),
			 CPT_OK);
	/* SUB: 3 × 12,3456 = 37,0368; 1,25 × 35 = 43,75; 80,7868.
	 * KIT: 2 × 80,7868 = 161,5736; 0,5 × 7,8901 = 3,94505 → 3,9451; 165,5187. */
	Comptoir__Articles__ArticleReply *rep = get(kit);
	assert_int_equal(rep->article->cost, 1655187);
	assert_int_equal(rep->article->n_bom, 2);
	assert_string_equal(rep->article->bom[0]->component_code, "SUB");
	assert_int_equal(rep->article->bom[0]->component_cost, 807868);
	assert_int_equal(rep->article->bom[1]->component_cost, 78901);
	protobuf_c_message_free_unpacked(&rep->base, NULL);

	/* VALVE containing KIT would close KIT → SUB → VALVE → KIT. */
	long long before = catalogue_rows();
	assert_int_equal(set_bom(valve, (int64_t[]){kit}, (int64_t[]){1000}, 1, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "article.bom");
	assert_int_equal(set_bom(sub, (int64_t[]){sub}, (int64_t[]){1000}, 1, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "article.bom");
	assert_int_equal(catalogue_rows(), before);
	/* The trigger holds even for SQL typed by hand. */
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM bom_line WHERE parent_id = %lld",
		 (long long)kit);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 2);
	rep = get(valve);
	assert_int_equal(rep->article->n_bom, 0);
	assert_int_equal(rep->article->cost, 123456);
	protobuf_c_message_free_unpacked(&rep->base, NULL);

	/* Components may be named by code, as the screen and imports do. */
	Comptoir__Articles__Article a;
	article_init(&a, "KIT2", "Kit de deux vannes", 0, 0);
	Comptoir__Articles__BomLine line = COMPTOIR__ARTICLES__BOM_LINE__INIT;
	Comptoir__Articles__BomLine *lp[] = {&line};
	line.component_code = " valve ";
	line.quantity = 2000;
	a.bom = lp;
	a.n_bom = 1;
	assert_int_equal(save(admin, "Create", &a, &rep, &st), CPT_OK);
	assert_int_equal(rep->article->cost, 246912);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	a.code = "KIT3";
	line.component_code = "INCONNU";
	before = catalogue_rows();
	assert_int_equal(save(admin, "Create", &a, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "article.bom.component_code");
	assert_int_equal(catalogue_rows(), before);
}

static void read_only_user_cannot_write_and_other_companies_see_nothing(void **state)
{
	int64_t role = cpt_testenv_sql_int(&env, "SELECT id FROM role WHERE name = 'Consultation'");
	assert_true(cpt_testenv_create_user(&env, "lecteur", role, 0) > 0);
	cpt_client *reader = cpt_testenv_login(&env, "lecteur", CPT_TEST_PASSWORD, 0, NULL, NULL);
	int rc;
	Comptoir__Articles__ListArticlesReply *l = list(reader, "", "code", &rc);
	assert_int_equal(rc, CPT_OK);
	assert_true(l->n_articles >= 5);
	protobuf_c_message_free_unpacked(&l->base, NULL);
	long long before = catalogue_rows();
	Comptoir__Articles__Article a;
	article_init(&a, "NOPE", "Refusé", 0, 0);
	cpt_status st;
	assert_int_equal(save(reader, "Create", &a, NULL, &st), CPT_PERMISSION_DENIED);
	assert_int_equal(catalogue_rows(), before);
	cpt_client_close(reader);

	char out[2048];
	const char *add[] = {"company", "add", "AUTRE", "Autre SARL", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, add), 0);
	const char *grant[] = {"user", "grant", "admin", "AUTRE", "Administrateur", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, grant), 0);
	int64_t other = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'AUTRE'");
	cpt_client *b = cpt_testenv_login(&env, "admin", env.admin_password, other, NULL, NULL);
	l = list(b, "", "code", &rc);
	assert_int_equal(rc, CPT_OK);
	assert_int_equal(l->n_articles, 0);
	protobuf_c_message_free_unpacked(&l->base, NULL);
	/* Another company's component is unknown here. */
	article_init(&a, "KIT", "Kit", 0, 0);
	Comptoir__Articles__BomLine line = COMPTOIR__ARTICLES__BOM_LINE__INIT;
	Comptoir__Articles__BomLine *lp[] = {&line};
	line.component_id =
	    cpt_testenv_sql_int(&env, "SELECT id FROM article WHERE code = 'VALVE'");
	line.quantity = 1000;
	a.bom = lp;
	a.n_bom = 1;
	assert_int_equal(save(b, "Create", &a, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "article.bom.component_id");
	cpt_client_close(b);
}

static int info(cpt_client *c)
{
	Comptoir__Rpc__Empty in = COMPTOIR__RPC__EMPTY__INIT;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	int rc = cpt_client_call(c, "comptoir.rpc.Server/Info", &in.base,
				 &comptoir__rpc__info_reply__descriptor, &out, &st);
	protobuf_c_message_free_unpacked(out, NULL);
	return rc;
}

/* Whether c was told of action on article id since its last call. */
static bool told(cpt_client *c, int64_t id, const char *action)
{
	assert_int_equal(info(c), CPT_OK); /* events arrive between answers */
	char *topic = NULL, *act = NULL;
	int64_t eid = 0;
	bool seen = false;
	while (cpt_client_next_event(c, &topic, &eid, &act)) {
		seen |= strcmp(topic, "article") == 0 && eid == id && strcmp(act, action) == 0;
		free(topic);
		free(act);
	}
	return seen;
}

static void another_workstation_is_told_when_an_article_changes(void **state)
{
	int64_t demo = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'DEMO'");
	cpt_client *watcher =
	    cpt_testenv_login(&env, "admin", env.admin_password, demo, NULL, NULL);
	assert_non_null(watcher);
	int64_t id = create_article("LIVE1", "Article en direct", 0, 10000);
	usleep(300 * 1000);
	assert_true(told(watcher, id, "create"));
	Comptoir__Articles__ArticleReply *rep = get(id);
	Comptoir__Articles__Article a = *rep->article;
	a.label = "Article modifié";
	cpt_status st;
	assert_int_equal(save(admin, "Update", &a, NULL, &st), CPT_OK);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	usleep(300 * 1000);
	assert_true(told(watcher, id, "update"));
	cpt_client_close(watcher);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
		article_with_translation_and_family_is_created_and_found_without_accents),
	    cmocka_unit_test(every_bad_article_is_refused_with_its_field_and_nothing_written),
	    cmocka_unit_test(bill_of_materials_cost_rolls_up_through_levels_and_cycles_are_refused),
	    cmocka_unit_test(read_only_user_cannot_write_and_other_companies_see_nothing),
	    cmocka_unit_test(another_workstation_is_told_when_an_article_changes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
