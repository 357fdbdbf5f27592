/*
 * comptoir.articles.Articles: the catalogue of goods, services, labour and
 * travel, with families, labels in other languages and multi-level bills of
 * materials.
 *
 * A bill of materials is saved with its article: the lines sent replace the
 * old ones. Cycles are refused by a trigger (sql/0007_article.sql) whoever
 * writes, and reported here on the field "article.bom". The cost of a kit
 * rolls up through every level: each component line costs
 * round(quantity × component cost), rounded once to the 1/10000, and a kit
 * costs the sum of its lines; an article without components costs its
 * purchase price.
 */
#include "articles.h"
#include "audit.h"
#include "db.h"
#include "events.h"
#include "fields.h"
#include "handlers.h"
#include "listing.h"
#include "money.h"

#include "articles.pb-c.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000
#define LABEL_MAX 200
#define NOTES_MAX 4000
#define TRANSLATIONS_MAX 20
#define BOM_MAX 500
#define QTY_ONE 1000 /* quantities carry 3 decimals */

static const char *const KINDS[] = {"goods", "service", "labour", "travel"};

/* ---------------------------------------------------------------------------
 * Checks
 */

static Comptoir__Articles__Article *copy_article(cpt_call *call,
						 const Comptoir__Articles__Article *in)
{
	Comptoir__Articles__Article *a = cpt_call_alloc(call, sizeof *a);
	*a = *in;
	/* BOM lines given by component code get their id here. */
	a->bom = cpt_call_alloc(call, sizeof(void *) * (in->n_bom + 1));
	for (size_t i = 0; i < in->n_bom; i++) {
		a->bom[i] = cpt_call_alloc(call, sizeof *a->bom[i]);
		*a->bom[i] = *in->bom[i];
	}
	return a;
}

static bool known_kind(const char *kind)
{
	for (size_t i = 0; i < G_N_ELEMENTS(KINDS); i++) {
		if (strcmp(kind, KINDS[i]) == 0) {
			return true;
		}
	}
	return false;
}

static int check_translations(const Comptoir__Articles__Article *a, cpt_status *st)
{
	if (a->n_translations > TRANSLATIONS_MAX) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article.translations",
				      "%d traductions au plus", TRANSLATIONS_MAX);
	}
	for (size_t i = 0; i < a->n_translations; i++) {
		const Comptoir__Articles__Translation *t = a->translations[i];
		if (strlen(t->lang) != 2 || !g_ascii_islower(t->lang[0]) ||
		    !g_ascii_islower(t->lang[1])) {
			return cpt_status_set(
			    st, CPT_INVALID_ARGUMENT, "article.translations.lang",
			    "langue : code ISO 639-1 en minuscules (en, nl, de...)");
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(a->translations[j]->lang, t->lang) == 0) {
				return cpt_status_set(st, CPT_INVALID_ARGUMENT,
						      "article.translations.lang",
						      "une seule traduction par langue");
			}
		}
		if (!*t->label ||
		    cpt_field_len(t->label, LABEL_MAX, "article.translations.label", st)) {
			return st->code ? st->code
					: cpt_status_set(st, CPT_INVALID_ARGUMENT,
							 "article.translations.label",
							 "libellé traduit obligatoire");
		}
	}
	return 0;
}

static int check_bom(const Comptoir__Articles__Article *a, cpt_status *st)
{
	if (a->n_bom > BOM_MAX) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article.bom",
				      "%d composants au plus", BOM_MAX);
	}
	for (size_t i = 0; i < a->n_bom; i++) {
		const Comptoir__Articles__BomLine *l = a->bom[i];
		if (l->component_id <= 0 && !*l->component_code) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article.bom.component_id",
					      "composant obligatoire");
		}
		if (l->quantity <= 0) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article.bom.quantity",
					      "la quantité d'un composant doit être positive");
		}
		if (a->id && l->component_id == a->id) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article.bom",
					      "un article ne peut pas se contenir lui-même");
		}
		for (size_t j = 0; j < i && l->component_id > 0; j++) {
			if (a->bom[j]->component_id == l->component_id) {
				return cpt_status_set(st, CPT_INVALID_ARGUMENT,
						      "article.bom.component_id",
						      "composant présent deux fois");
			}
		}
	}
	return 0;
}

/* Family and subfamily must exist, the subfamily under the family. */
static int check_family(cpt_call *call, const Comptoir__Articles__Article *a, cpt_status *st)
{
	if (!a->family_id && !a->subfamily_id) {
		return 0;
	}
	if (!a->family_id) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article.family_id",
				      "une sous-famille demande sa famille");
	}
	PGresult *r = cpt_db_query(
	    call, st,
	    "SELECT (SELECT parent_id IS NULL FROM article_family WHERE id = $1::bigint),"
	    " (SELECT parent_id FROM article_family WHERE id = $2::bigint)",
	    cpt_call_i64(call, a->family_id), cpt_call_i64(call, a->subfamily_id));
	if (!r) {
		return st->code;
	}
	bool family_ok = !PQgetisnull(r, 0, 0) && cpt_db_bool(r, 0, 0);
	bool sub_ok = !a->subfamily_id || cpt_db_i64(r, 0, 1) == a->family_id;
	PQclear(r);
	if (!family_ok) {
		return cpt_status_set(st, CPT_NOT_FOUND, "article.family_id",
				      "famille introuvable");
	}
	if (!sub_ok) {
		return cpt_status_set(st, CPT_NOT_FOUND, "article.subfamily_id",
				      "sous-famille introuvable dans cette famille");
	}
	return 0;
}

/*
 * Components must be articles of the company. Foreign keys do not see
 * row-level security, so this is asked under it.
 */
static int check_components(cpt_call *call, const Comptoir__Articles__Article *a, cpt_status *st)
{
	if (!a->n_bom) {
		return 0;
	}
	for (size_t i = 0; i < a->n_bom; i++) {
		Comptoir__Articles__BomLine *l = a->bom[i];
		if (l->component_id > 0) {
			continue;
		}
		char *code = cpt_call_strdup(call, l->component_code);
		g_strstrip(code);
		PGresult *r =
		    cpt_db_query(call, st, "SELECT id FROM article WHERE code = upper($1)", code);
		if (!r) {
			return st->code;
		}
		l->component_id = PQntuples(r) ? cpt_db_i64(r, 0, 0) : 0;
		PQclear(r);
		if (!l->component_id) {
			return cpt_status_set(st, CPT_NOT_FOUND, "article.bom.component_code",
					      "aucun article de code %s", code);
		}
		if (l->component_id == a->id) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article.bom",
					      "un article ne peut pas se contenir lui-même");
		}
		for (size_t j = 0; j < a->n_bom; j++) {
			if (j != i && a->bom[j]->component_id == l->component_id) {
				return cpt_status_set(st, CPT_INVALID_ARGUMENT,
						      "article.bom.component_code",
						      "composant présent deux fois");
			}
		}
	}
	GString *ids = g_string_new("{");
	for (size_t i = 0; i < a->n_bom; i++) {
		g_string_append_printf(ids, "%s%lld", i ? "," : "",
				       (long long)a->bom[i]->component_id);
	}
	g_string_append_c(ids, '}');
	PGresult *r =
	    cpt_db_query(call, st, "SELECT count(*) FROM article WHERE id = ANY ($1::bigint[])",
			 cpt_call_strdup(call, ids->str));
	g_string_free(ids, TRUE);
	if (!r) {
		return st->code;
	}
	bool all = cpt_db_i64(r, 0, 0) == (int64_t)a->n_bom;
	PQclear(r);
	if (!all) {
		return cpt_status_set(st, CPT_NOT_FOUND, "article.bom.component_id",
				      "composant introuvable");
	}
	return 0;
}

/* Checks and normalises a copy_article() in place. */
static int check_article(cpt_call *call, Comptoir__Articles__Article *a, cpt_status *st)
{
	const char *s;
	if (cpt_field_code(call, a->code, 30, true, "article.code", st, &s)) {
		return st->code;
	}
	a->code = (char *)s;
	if (!known_kind(a->kind)) {
		return cpt_status_set(
		    st, CPT_INVALID_ARGUMENT, "article.kind",
		    "nature attendue : goods (bien), service, labour (main-d'œuvre)"
		    " ou travel (déplacement)");
	}
	if (cpt_field_text(call, a->label, LABEL_MAX, true, "article.label", st, &s)) {
		return st->code;
	}
	a->label = (char *)s;
	if (!*a->unit) {
		a->unit = "U";
	}
	if (cpt_field_not_negative(a->purchase_price, "article.purchase_price", st) ||
	    cpt_field_not_negative(a->sale_price, "article.sale_price", st) ||
	    cpt_field_not_negative(a->eco_contribution, "article.eco_contribution", st)) {
		return st->code;
	}
	if (a->vat_rate_id <= 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article.vat_rate_id",
				      "taux de TVA obligatoire");
	}
	if (cpt_field_text(call, a->barcode, 48, false, "article.barcode", st, &s) ||
	    cpt_field_barcode(s, "article.barcode", st)) {
		return st->code;
	}
	a->barcode = (char *)s;
	if (a->serial_tracked && !a->stock_tracked) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article.serial_tracked",
				      "le suivi par numéro de série demande le suivi de stock");
	}
	if (a->stock_tracked && strcmp(a->kind, "goods") != 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article.stock_tracked",
				      "seuls les biens se suivent en stock");
	}
	if (cpt_field_len(a->notes, NOTES_MAX, "article.notes", st) || check_translations(a, st) ||
	    check_bom(a, st)) {
		return st->code;
	}
	return check_family(call, a, st) || check_components(call, a, st);
}

/* Maps a failed write to the field at fault. */
static int write_error(cpt_call *call, cpt_status *st)
{
	if (cpt_db_violated(call, "article_company_id_code_key")) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article.code",
				      "ce code est déjà celui d'un autre article");
	}
	if (strcmp(call->sqlstate, "23514") == 0 &&
	    strcmp(call->constraint, "bom_line_cycle") == 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article.bom",
				      "nomenclature circulaire : un composant contient déjà cet "
				      "article");
	}
	if (strcmp(call->sqlstate, "23503") == 0) {
		if (strstr(call->constraint, "unit")) {
			return cpt_status_set(st, CPT_NOT_FOUND, "article.unit", "unité inconnue");
		}
		if (strstr(call->constraint, "vat_rate")) {
			return cpt_status_set(st, CPT_NOT_FOUND, "article.vat_rate_id",
					      "taux de TVA inconnu");
		}
		if (strstr(call->constraint, "component")) {
			return cpt_status_set(st, CPT_NOT_FOUND, "article.bom.component_id",
					      "composant introuvable");
		}
	}
	return st->code;
}

/* ---------------------------------------------------------------------------
 * Cost roll-up
 */

typedef struct bom_edge {
	int64_t parent, component, quantity;
} bom_edge;

typedef struct bom_graph {
	GArray *edges;	   /* bom_edge, grouped by parent */
	GHashTable *price; /* id -> purchase price (int64 boxed) */
	GHashTable *cost;  /* id -> rolled cost, memo */
} bom_graph;

static bool node_cost(bom_graph *g, int64_t id, int depth, int64_t *out)
{
	gint64 *memo = g_hash_table_lookup(g->cost, &id);
	if (memo) {
		*out = *memo;
		return true;
	}
	if (depth > 64) {
		return false; /* the trigger forbids cycles: a guard, not a rule */
	}
	bool kit = false;
	int64_t sum = 0;
	for (guint i = 0; i < g->edges->len; i++) {
		const bom_edge *e = &g_array_index(g->edges, bom_edge, i);
		if (e->parent != id) {
			continue;
		}
		kit = true;
		int64_t c, line;
		if (!node_cost(g, e->component, depth + 1, &c) ||
		    !cpt_money_mul(c, e->quantity, &line) ||
		    !cpt_money_div_round(line, QTY_ONE, &line) || !cpt_money_add(sum, line, &sum)) {
			return false;
		}
	}
	if (!kit) {
		gint64 *p = g_hash_table_lookup(g->price, &id);
		sum = p ? *p : 0;
	}
	gint64 *key = g_new(gint64, 1), *val = g_new(gint64, 1);
	*key = id;
	*val = sum;
	g_hash_table_insert(g->cost, key, val);
	*out = sum;
	return true;
}

static const char SQL_BOM_TREE[] =
    "WITH RECURSIVE t(parent_id, component_id, quantity) AS ("
    " SELECT parent_id, component_id, quantity FROM bom_line WHERE parent_id = $1::bigint"
    " UNION"
    " SELECT b.parent_id, b.component_id, b.quantity FROM bom_line b"
    "  JOIN t ON b.parent_id = t.component_id)"
    " SELECT t.parent_id, t.component_id, t.quantity, a.purchase_price"
    " FROM t JOIN article a ON a.id = t.component_id"
    " UNION ALL SELECT 0, id, 0, purchase_price FROM article WHERE id = $1::bigint";

/*
 * Rolled-up costs of the article id and of every article below it, into
 * costs (id -> cost, caller frees with g_hash_table_unref).
 */
static int roll_up(cpt_call *call, cpt_status *st, int64_t id, GHashTable **costs)
{
	PGresult *r = cpt_db_query(call, st, SQL_BOM_TREE, cpt_call_i64(call, id));
	if (!r) {
		return st->code;
	}
	bom_graph g = {g_array_new(FALSE, FALSE, sizeof(bom_edge)),
		       g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free),
		       g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free)};
	for (int i = 0; i < PQntuples(r); i++) {
		bom_edge e = {cpt_db_i64(r, i, 0), cpt_db_i64(r, i, 1), cpt_db_i64(r, i, 2)};
		if (e.parent) {
			g_array_append_val(g.edges, e);
		}
		gint64 *key = g_new(gint64, 1), *val = g_new(gint64, 1);
		*key = e.component;
		*val = cpt_db_i64(r, i, 3);
		g_hash_table_replace(g.price, key, val);
	}
	PQclear(r);
	int64_t top;
	bool ok = node_cost(&g, id, 0, &top);
	g_array_free(g.edges, TRUE);
	g_hash_table_unref(g.price);
	if (!ok) {
		g_hash_table_unref(g.cost);
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "article.bom",
				      "coût de la nomenclature hors limites");
	}
	*costs = g.cost;
	return 0;
}

/* ---------------------------------------------------------------------------
 * Reading
 */

static const char SQL_ARTICLE[] =
    "SELECT a.id, a.code, a.kind, a.label, a.unit, a.purchase_price, a.sale_price,"
    " a.vat_rate_id, a.eco_contribution, coalesce(a.family_id, 0), coalesce(a.subfamily_id, 0),"
    " a.barcode, a.stock_tracked, a.serial_tracked, a.active, a.notes, v.rate"
    " FROM article a JOIN vat_rate v ON v.id = a.vat_rate_id WHERE a.id = $1::bigint";

static char *col_str(cpt_call *call, const PGresult *r, int row, int col)
{
	return cpt_call_strdup(call, cpt_db_str(r, row, col));
}

static int load_children(cpt_call *call, cpt_status *st, const char *pid,
			 Comptoir__Articles__Article *a, GHashTable *costs)
{
	PGresult *r = cpt_db_query(call, st,
				   "SELECT lang, label FROM article_translation"
				   " WHERE article_id = $1::bigint ORDER BY lang",
				   pid);
	if (!r) {
		return st->code;
	}
	int n = PQntuples(r);
	a->n_translations = (size_t)n;
	a->translations = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Articles__Translation *t = CPT_NEW(call, Comptoir__Articles__Translation,
							     comptoir__articles__translation__init);
		t->lang = col_str(call, r, i, 0);
		t->label = col_str(call, r, i, 1);
		a->translations[i] = t;
	}
	PQclear(r);
	r = cpt_db_query(call, st,
			 "SELECT b.component_id, b.quantity, c.code, c.label FROM bom_line b"
			 " JOIN article c ON c.id = b.component_id WHERE b.parent_id = $1::bigint"
			 " ORDER BY b.position, b.id",
			 pid);
	if (!r) {
		return st->code;
	}
	n = PQntuples(r);
	a->n_bom = (size_t)n;
	a->bom = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Articles__BomLine *l =
		    CPT_NEW(call, Comptoir__Articles__BomLine, comptoir__articles__bom_line__init);
		l->component_id = cpt_db_i64(r, i, 0);
		l->quantity = cpt_db_i64(r, i, 1);
		l->component_code = col_str(call, r, i, 2);
		l->component_label = col_str(call, r, i, 3);
		gint64 *c = g_hash_table_lookup(costs, &l->component_id);
		l->component_cost = c ? *c : 0;
		a->bom[i] = l;
	}
	PQclear(r);
	return 0;
}

static int load_article(cpt_call *call, cpt_status *st, int64_t id,
			Comptoir__Articles__Article **out)
{
	const char *pid = cpt_call_i64(call, id);
	PGresult *r = cpt_db_query(call, st, SQL_ARTICLE, pid);
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, "id", "article introuvable");
	}
	Comptoir__Articles__Article *a =
	    CPT_NEW(call, Comptoir__Articles__Article, comptoir__articles__article__init);
	a->id = cpt_db_i64(r, 0, 0);
	a->code = col_str(call, r, 0, 1);
	a->kind = col_str(call, r, 0, 2);
	a->label = col_str(call, r, 0, 3);
	a->unit = col_str(call, r, 0, 4);
	a->purchase_price = cpt_db_i64(r, 0, 5);
	a->sale_price = cpt_db_i64(r, 0, 6);
	a->vat_rate_id = cpt_db_i64(r, 0, 7);
	a->eco_contribution = cpt_db_i64(r, 0, 8);
	a->family_id = cpt_db_i64(r, 0, 9);
	a->subfamily_id = cpt_db_i64(r, 0, 10);
	a->barcode = col_str(call, r, 0, 11);
	a->stock_tracked = cpt_db_bool(r, 0, 12);
	a->serial_tracked = cpt_db_bool(r, 0, 13);
	a->archived = !cpt_db_bool(r, 0, 14);
	a->notes = col_str(call, r, 0, 15);
	a->vat_rate = (int32_t)cpt_db_i64(r, 0, 16);
	PQclear(r);
	GHashTable *costs = NULL;
	if (roll_up(call, st, id, &costs)) {
		return st->code;
	}
	gint64 *c = g_hash_table_lookup(costs, &id);
	a->cost = c ? *c : a->purchase_price;
	int rc = load_children(call, st, pid, a, costs);
	g_hash_table_unref(costs);
	if (rc) {
		return rc;
	}
	*out = a;
	return 0;
}

static int article_reply(cpt_call *call, cpt_status *st, int64_t id, ProtobufCMessage **out)
{
	Comptoir__Articles__ArticleReply *rep = CPT_NEW(call, Comptoir__Articles__ArticleReply,
							comptoir__articles__article_reply__init);
	if (load_article(call, st, id, &rep->article)) {
		return st->code;
	}
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_articles_get)
{
	const Comptoir__Articles__GetArticleRequest *req = (const void *)in;
	return article_reply(call, st, req->id, out);
}

/* ---------------------------------------------------------------------------
 * Writing
 */

static int exec_params(cpt_call *call, cpt_status *st, const char *sql, int n, const char *const *v)
{
	PGresult *r = cpt_db_exec(call, st, sql, n, v);
	if (!r) {
		return st->code;
	}
	PQclear(r);
	return 0;
}

/* Translations and BOM lines: the ones sent replace the old ones (fresh: none). */
static int save_children(cpt_call *call, cpt_status *st, int64_t id,
			 const Comptoir__Articles__Article *a, bool fresh)
{
	const char *pid = cpt_call_i64(call, id);
	const char *p1[] = {pid};
	if (!fresh &&
	    exec_params(call, st, "DELETE FROM article_translation WHERE article_id = $1::bigint",
			1, p1)) {
		return st->code;
	}
	for (size_t i = 0; i < a->n_translations; i++) {
		const char *v[] = {pid, a->translations[i]->lang, a->translations[i]->label};
		if (exec_params(call, st,
				"INSERT INTO article_translation (article_id, lang, label)"
				" VALUES ($1::bigint, $2, $3)",
				3, v)) {
			return st->code;
		}
	}
	if (!fresh &&
	    exec_params(call, st, "DELETE FROM bom_line WHERE parent_id = $1::bigint", 1, p1)) {
		return st->code;
	}
	for (size_t i = 0; i < a->n_bom; i++) {
		const char *v[] = {pid, cpt_call_i64(call, a->bom[i]->component_id),
				   cpt_call_i64(call, a->bom[i]->quantity),
				   cpt_call_i64(call, (int64_t)i)};
		if (exec_params(call, st,
				"INSERT INTO bom_line (parent_id, component_id, quantity, position)"
				" VALUES ($1::bigint, $2::bigint, $3::bigint, $4::int)",
				4, v)) {
			return write_error(call, st);
		}
	}
	return 0;
}

static const char *const *article_params(cpt_call *call, const Comptoir__Articles__Article *a)
{
	const char **v = cpt_call_alloc(call, sizeof(char *) * 16);
	v[0] = a->code;
	v[1] = a->kind;
	v[2] = a->label;
	v[3] = a->unit;
	v[4] = cpt_call_i64(call, a->purchase_price);
	v[5] = cpt_call_i64(call, a->sale_price);
	v[6] = cpt_call_i64(call, a->vat_rate_id);
	v[7] = cpt_call_i64(call, a->eco_contribution);
	v[8] = cpt_call_i64(call, a->family_id);
	v[9] = cpt_call_i64(call, a->subfamily_id);
	v[10] = a->barcode;
	v[11] = a->stock_tracked ? "true" : "false";
	v[12] = a->serial_tracked ? "true" : "false";
	v[13] = a->archived ? "false" : "true";
	v[14] = a->notes;
	v[15] = cpt_call_i64(call, a->id);
	return v;
}

int cpt_article_insert(cpt_call *call, cpt_status *st, const Comptoir__Articles__Article *in,
		       int64_t *id, const char **code)
{
	Comptoir__Articles__Article *a = copy_article(call, in);
	a->id = 0;
	if (check_article(call, a, st)) {
		return st->code;
	}
	PGresult *r = cpt_db_exec(
	    call, st,
	    "INSERT INTO article (code, kind, label, unit, purchase_price, sale_price, vat_rate_id,"
	    " eco_contribution, family_id, subfamily_id, barcode, stock_tracked, serial_tracked,"
	    " active, notes) VALUES ($1, $2, $3, $4, $5::bigint, $6::bigint, $7::bigint,"
	    " $8::bigint, nullif($9::bigint, 0), nullif($10::bigint, 0), $11, $12::boolean,"
	    " $13::boolean, $14::boolean, $15) RETURNING id",
	    15, article_params(call, a));
	if (!r) {
		return write_error(call, st);
	}
	*id = cpt_db_i64(r, 0, 0);
	PQclear(r);
	if (code) {
		*code = a->code;
	}
	return save_children(call, st, *id, a, true);
}

CPT_HANDLER(cpt_articles_create)
{
	const Comptoir__Articles__ArticleRequest *req = (const void *)in;
	if (!req->article) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article", "article manquant");
	}
	int64_t id = 0;
	const char *code = NULL;
	if (cpt_article_insert(call, st, req->article, &id, &code) ||
	    cpt_notify(call, st, "article", id, "create") ||
	    cpt_audit(call, st, "article", id, call->company_id,
		      cpt_json_object(call, "event", "create", "code", code, NULL))) {
		return st->code;
	}
	return article_reply(call, st, id, out);
}

CPT_HANDLER(cpt_articles_update)
{
	const Comptoir__Articles__ArticleRequest *req = (const void *)in;
	if (!req->article) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "article", "article manquant");
	}
	Comptoir__Articles__Article *a = copy_article(call, req->article);
	if (check_article(call, a, st)) {
		return st->code;
	}
	PGresult *r = cpt_db_exec(
	    call, st,
	    "UPDATE article SET code = $1, kind = $2, label = $3, unit = $4,"
	    " purchase_price = $5::bigint, sale_price = $6::bigint, vat_rate_id = $7::bigint,"
	    " eco_contribution = $8::bigint, family_id = nullif($9::bigint, 0),"
	    " subfamily_id = nullif($10::bigint, 0), barcode = $11, stock_tracked = $12::boolean,"
	    " serial_tracked = $13::boolean, active = $14::boolean, notes = $15, updated_at = now()"
	    " WHERE id = $16::bigint RETURNING id",
	    16, article_params(call, a));
	if (!r) {
		return write_error(call, st);
	}
	bool found = PQntuples(r) == 1;
	PQclear(r);
	if (!found) {
		return cpt_status_set(st, CPT_NOT_FOUND, "article.id", "article introuvable");
	}
	if (save_children(call, st, a->id, a, false) ||
	    cpt_notify(call, st, "article", a->id, "update") ||
	    cpt_audit(call, st, "article", a->id, call->company_id,
		      cpt_json_object(call, "event", "update", NULL))) {
		return st->code;
	}
	return article_reply(call, st, a->id, out);
}

/* ---------------------------------------------------------------------------
 * List: search as you type, insensitive to accents and case
 */

#define ARTICLE_MATCH "($1 = '' OR a.search_text ~~> (SELECT cpt_like_pattern($1)))"
#define ARTICLE_FILTER                                                                             \
	"($2 = '' OR a.kind = $2)"                                                                 \
	" AND ($3::bigint = 0 OR a.family_id = $3::bigint OR a.subfamily_id = $3::bigint)"         \
	" AND ($4::boolean OR a.active)"

CPT_HANDLER(cpt_articles_list)
{
	const Comptoir__Articles__ListArticlesRequest *req = (const void *)in;
	const Comptoir__Admin__Page *page = req->page;
	unsigned limit = page && page->limit ? page->limit : PAGE_DEFAULT;
	limit = limit > PAGE_MAX ? PAGE_MAX : limit;
	const char *sort = page && page->sort[0] ? page->sort : "label";
	const char *key, *key_param;
	if (strcmp(sort, "label") == 0) {
		key = "a.label_key";
		key_param = "cpt_search_key($5)";
	} else if (strcmp(sort, "code") == 0) {
		key = "a.code";
		key_param = "$5";
	} else {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "page.sort",
				      "tri possible par label ou code");
	}
	if (*req->kind && !known_kind(req->kind)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "kind",
				      "nature attendue : goods, service, labour ou travel");
	}
	if (page && page->offset > 100000000u) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "page.offset",
				      "position trop grande");
	}
	bool desc = page && page->descending;
	bool after = page && page->after_id != 0;
	const char *dir = desc ? "DESC" : "ASC";
	char *fmt =
	    cpt_call_printf(call,
			    "SELECT a.id, a.code, a.kind, a.label, a.unit, a.sale_price, v.rate,"
			    " coalesce(f.label, ''), a.active"
			    " FROM %%s a JOIN vat_rate v ON v.id = a.vat_rate_id"
			    " LEFT JOIN article_family f ON f.id = a.family_id WHERE %%s"
			    " ORDER BY %%s %s, a.id %s LIMIT $8::int OFFSET $9::int",
			    dir, dir);
	char *prefilter = cpt_call_printf(
	    call, ARTICLE_FILTER " AND (NOT $6::boolean OR (%s, a.id) %s (%s, $7::bigint))", key,
	    desc ? "<" : ">", key_param);
	cpt_list_sql sql;
	cpt_list_sql_build(call, &sql, fmt, "article", "a", prefilter, ARTICLE_MATCH, key, desc,
			   page && !after && page->offset, (int)limit + 1);
	const char *family = cpt_call_i64(call, req->family_id);
	const char *inactive = req->include_archived ? "true" : "false";
	const char *params[] = {req->search,
				req->kind,
				family,
				inactive,
				page ? page->after_key : "",
				after ? "true" : "false",
				cpt_call_i64(call, page ? page->after_id : 0),
				cpt_call_i64(call, (int64_t)limit + 1),
				cpt_call_i64(call, page && !after ? page->offset : 0)};
	PGresult *r = cpt_list_search(call, st, req->search, &sql, 9, params, (int)limit + 1);
	if (!r) {
		return st->code;
	}
	Comptoir__Articles__ListArticlesReply *rep =
	    CPT_NEW(call, Comptoir__Articles__ListArticlesReply,
		    comptoir__articles__list_articles_reply__init);
	int n = PQntuples(r);
	rep->more = n > (int)limit;
	n = rep->more ? (int)limit : n;
	rep->n_articles = (size_t)n;
	rep->articles = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Articles__ArticleSummary *s =
		    CPT_NEW(call, Comptoir__Articles__ArticleSummary,
			    comptoir__articles__article_summary__init);
		s->id = cpt_db_i64(r, i, 0);
		s->code = col_str(call, r, i, 1);
		s->kind = col_str(call, r, i, 2);
		s->label = col_str(call, r, i, 3);
		s->unit = col_str(call, r, i, 4);
		s->sale_price = cpt_db_i64(r, i, 5);
		s->vat_rate = (int32_t)cpt_db_i64(r, i, 6);
		s->family = col_str(call, r, i, 7);
		s->archived = !cpt_db_bool(r, i, 8);
		rep->articles[i] = s;
	}
	PQclear(r);
	if (page && page->with_total) {
		r = cpt_db_query(call, st,
				 "SELECT count(*) FROM article a WHERE " ARTICLE_MATCH
				 " AND " ARTICLE_FILTER,
				 req->search, req->kind, family, inactive);
		if (!r) {
			return st->code;
		}
		rep->total = (uint32_t)cpt_db_i64(r, 0, 0);
		PQclear(r);
	}
	*out = &rep->base;
	return 0;
}

/* ---------------------------------------------------------------------------
 * Families
 */

CPT_HANDLER(cpt_articles_list_families)
{
	PGresult *r =
	    cpt_db_exec0(call, st,
			 "SELECT f.id, coalesce(f.parent_id, 0), f.code, f.label"
			 " FROM article_family f LEFT JOIN article_family p ON p.id = f.parent_id"
			 " ORDER BY coalesce(p.label, f.label), coalesce(p.id, f.id),"
			 " f.parent_id NULLS FIRST, f.label");
	if (!r) {
		return st->code;
	}
	Comptoir__Articles__ListFamiliesReply *rep =
	    CPT_NEW(call, Comptoir__Articles__ListFamiliesReply,
		    comptoir__articles__list_families_reply__init);
	int n = PQntuples(r);
	rep->n_families = (size_t)n;
	rep->families = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Articles__Family *f =
		    CPT_NEW(call, Comptoir__Articles__Family, comptoir__articles__family__init);
		f->id = cpt_db_i64(r, i, 0);
		f->parent_id = cpt_db_i64(r, i, 1);
		f->code = col_str(call, r, i, 2);
		f->label = col_str(call, r, i, 3);
		rep->families[i] = f;
	}
	PQclear(r);
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_articles_save_family)
{
	const Comptoir__Articles__FamilyRequest *req = (const void *)in;
	if (!req->family) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "family", "famille manquante");
	}
	const Comptoir__Articles__Family *f = req->family;
	const char *code, *label;
	if (cpt_field_code(call, f->code, 20, false, "family.code", st, &code) ||
	    cpt_field_text(call, f->label, 100, true, "family.label", st, &label)) {
		return st->code;
	}
	if (f->parent_id && f->parent_id == f->id) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "family.parent_id",
				      "une famille ne peut pas être sa propre sous-famille");
	}
	if (f->parent_id) {
		PGresult *r = cpt_db_query(
		    call, st,
		    "SELECT parent_id IS NULL, EXISTS (SELECT 1 FROM article_family"
		    " WHERE parent_id = $2::bigint) FROM article_family WHERE id = $1::bigint",
		    cpt_call_i64(call, f->parent_id), cpt_call_i64(call, f->id));
		if (!r) {
			return st->code;
		}
		bool top = PQntuples(r) == 1 && cpt_db_bool(r, 0, 0);
		bool has_children = PQntuples(r) == 1 && cpt_db_bool(r, 0, 1);
		PQclear(r);
		if (!top) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "family.parent_id",
					      "la famille parente doit être une famille de premier "
					      "niveau");
		}
		if (has_children) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "family.parent_id",
					      "cette famille a des sous-familles : elle ne peut "
					      "pas devenir une sous-famille");
		}
	}
	const char *v[] = {code, label, cpt_call_i64(call, f->parent_id),
			   cpt_call_i64(call, f->id)};
	PGresult *r =
	    f->id ? cpt_db_exec(
			call, st,
			"UPDATE article_family SET code = $1, label = $2,"
			" parent_id = nullif($3::bigint, 0) WHERE id = $4::bigint RETURNING id",
			4, v)
		  : cpt_db_exec(call, st,
				"INSERT INTO article_family (code, label, parent_id)"
				" VALUES ($1, $2, nullif($3::bigint, 0)) RETURNING id",
				3, v);
	if (!r) {
		if (cpt_db_violated(call, "article_family_company_id_code_key")) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "family.code",
					      "ce code est déjà celui d'une autre famille");
		}
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, "family.id", "famille introuvable");
	}
	int64_t id = cpt_db_i64(r, 0, 0);
	PQclear(r);
	if (cpt_notify(call, st, "article_family", id, f->id ? "update" : "create") ||
	    cpt_audit(
		call, st, "article_family", id, call->company_id,
		cpt_json_object(call, "event", f->id ? "update" : "create", "code", code, NULL))) {
		return st->code;
	}
	Comptoir__Articles__FamilyReply *rep =
	    CPT_NEW(call, Comptoir__Articles__FamilyReply, comptoir__articles__family_reply__init);
	rep->family = CPT_NEW(call, Comptoir__Articles__Family, comptoir__articles__family__init);
	rep->family->id = id;
	rep->family->parent_id = f->parent_id;
	rep->family->code = (char *)code;
	rep->family->label = (char *)label;
	*out = &rep->base;
	return 0;
}
