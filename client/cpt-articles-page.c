/*
 * CptArticlesPage; see cpt-articles-page.h. The list pages from
 * comptoir.articles.Articles/List; the nature and family dropdowns and the
 * "archived" check fill a filter struct that the source's build() reads.
 * The family dropdown follows the families other workstations save.
 */
#include "cpt-articles-page.h"
#include "cpt-article-form.h"
#include "cpt-import-dialog.h"
#include "cpt-ui.h"
#include "money.h"

#include "articles.pb-c.h"

#include <glib/gi18n.h>

/* What the list filters on besides the search text; read by articles_build(). */
typedef struct {
	const char *kind; /* "" any, else one of cpt_article_kinds */
	gint64 family_id; /* 0 any */
	gboolean include_archived;
} ArticleFilter;

struct _CptArticlesPage {
	GtkBox parent_instance;
	CptConn *conn;
	CptListView *list;
	ArticleFilter filter;
	GtkDropDown *kind;
	GtkDropDown *family;
	GArray *family_ids; /* gint64 by position in the family dropdown, 0 ("any") first */
	GtkCheckButton *archived;
	gboolean applying; /* the controls are being set from code */
};

G_DEFINE_TYPE(CptArticlesPage, cpt_articles_page, GTK_TYPE_BOX)

/* ---------------------------------------------------------------------------
 * The list source
 */

typedef struct {
	Comptoir__Articles__ListArticlesRequest req;
	Comptoir__Admin__Page page;
} ArticlesQuery;

static ProtobufCMessage *articles_build(const CptPageQuery *q)
{
	ArticlesQuery *u = g_malloc0(sizeof *u);
	comptoir__articles__list_articles_request__init(&u->req);
	u->req.search = (char *)q->search;
	const ArticleFilter *f = q->filter;
	u->req.kind = f ? (char *)f->kind : "";
	u->req.family_id = f ? f->family_id : 0;
	u->req.include_archived = f && f->include_archived;
	u->req.page = &u->page;
	cpt_page_query_fill(q, &u->page);
	return &u->req.base;
}

static void articles_parse(const ProtobufCMessage *m, const char *sort, GPtrArray *rows,
			   guint *total, gboolean *more)
{
	const Comptoir__Articles__ListArticlesReply *r = (const void *)m;
	*total = r->total;
	*more = r->more;
	for (size_t i = 0; i < r->n_articles; i++) {
		const Comptoir__Articles__ArticleSummary *a = r->articles[i];
		GStrv cells = g_new0(char *, CPT_ARTICLE_N_CELLS + 1);
		char price[CPT_MONEY_FORMAT_SIZE];
		cells[CPT_ARTICLE_CODE] = g_strdup(a->code);
		cells[CPT_ARTICLE_LABEL] = g_strdup(a->label);
		cells[CPT_ARTICLE_KIND] = g_strdup(cpt_article_kind_label(a->kind));
		cells[CPT_ARTICLE_UNIT] = g_strdup(a->unit);
		cells[CPT_ARTICLE_SALE_PRICE] = g_strdup(
		    cpt_money_format_price(a->sale_price, price, sizeof price) ? price : "");
		cells[CPT_ARTICLE_VAT] = cpt_ui_rate(a->vat_rate);
		cells[CPT_ARTICLE_FAMILY] = g_strdup(a->family);
		cells[CPT_ARTICLE_ARCHIVED] = g_strdup(a->archived ? _("archivé") : "");
		g_ptr_array_add(rows,
				cpt_row_new(a->id, g_str_equal(sort, "code") ? a->code : a->label,
					    cells, a->archived ? CPT_ARTICLE_ROW_ARCHIVED : 0));
	}
}

static const CptListSource articles_source = {
    .method = "comptoir.articles.Articles/List",
    .reply = &comptoir__articles__list_articles_reply__descriptor,
    .build = articles_build,
    .parse = articles_parse,
};

static const CptColumnSpec articles_columns[CPT_ARTICLE_N_CELLS] = {
    [CPT_ARTICLE_CODE] = {"code", N_("Code"), "code", FALSE, FALSE},
    [CPT_ARTICLE_LABEL] = {"label", N_("Libellé"), "label", TRUE, FALSE},
    [CPT_ARTICLE_KIND] = {"kind", N_("Nature"), NULL, FALSE, FALSE},
    [CPT_ARTICLE_UNIT] = {"unit", N_("Unité"), NULL, FALSE, FALSE},
    [CPT_ARTICLE_SALE_PRICE] = {"sale_price", N_("Prix de vente HT"), NULL, FALSE, FALSE,
				CPT_COLUMN_PRICE, 2},
    [CPT_ARTICLE_VAT] = {"vat", N_("TVA"), NULL, FALSE, FALSE, CPT_COLUMN_PERCENT},
    [CPT_ARTICLE_FAMILY] = {"family", N_("Famille"), NULL, TRUE, FALSE},
    [CPT_ARTICLE_ARCHIVED] = {"archived", N_("Archivé"), NULL, FALSE, FALSE},
};

/* ---------------------------------------------------------------------------
 * Filters
 */

static void apply_filter(CptArticlesPage *self)
{
	if (self->applying) {
		return;
	}
	guint k = gtk_drop_down_get_selected(self->kind);
	/* Position 0 is "any nature"; then the natures in cpt_article_kinds' order. */
	self->filter.kind =
	    k > 0 && k <= g_strv_length((char **)cpt_article_kinds) ? cpt_article_kinds[k - 1] : "";
	guint fam = gtk_drop_down_get_selected(self->family);
	self->filter.family_id =
	    fam < self->family_ids->len ? g_array_index(self->family_ids, gint64, fam) : 0;
	self->filter.include_archived = gtk_check_button_get_active(self->archived);
	cpt_paged_model_set_filter(cpt_list_view_get_model(self->list), &self->filter);
}

static void on_filter_changed(GObject *w, GParamSpec *pspec, gpointer data)
{
	apply_filter(data);
}

static void on_archived_toggled(GtkCheckButton *b, gpointer data)
{
	apply_filter(data);
}

void cpt_articles_page_filter(CptArticlesPage *self, const char *kind, gint64 family_id,
			      gboolean include_archived)
{
	self->applying = TRUE;
	guint k = 0;
	for (guint i = 0; cpt_article_kinds[i]; i++) {
		if (g_strcmp0(kind, cpt_article_kinds[i]) == 0) {
			k = i + 1;
		}
	}
	gtk_drop_down_set_selected(self->kind, k);
	guint fam = 0;
	for (guint i = 0; i < self->family_ids->len; i++) {
		if (g_array_index(self->family_ids, gint64, i) == family_id) {
			fam = i;
		}
	}
	gtk_drop_down_set_selected(self->family, fam);
	gtk_check_button_set_active(self->archived, include_archived);
	self->applying = FALSE;
	apply_filter(self);
}

/* Families, each followed by its subfamilies (indented); the choice is kept. */
static void families_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	CptArticlesPage *self = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (self->list && r->status.code == CPT_OK) {
		const Comptoir__Articles__ListFamiliesReply *rep = (const void *)r->output;
		gint64 chosen = self->filter.family_id;
		GtkStringList *names = gtk_string_list_new(NULL);
		gtk_string_list_append(names, _("Toutes les familles"));
		g_array_set_size(self->family_ids, 1);
		guint selected = 0;
		for (size_t i = 0; i < rep->n_families; i++) {
			const Comptoir__Articles__Family *fam = rep->families[i];
			g_autofree char *label = fam->parent_id
						     ? g_strconcat("\u2003", fam->label, NULL)
						     : g_strdup(fam->label);
			gtk_string_list_append(names, label);
			g_array_append_val(self->family_ids, fam->id);
			if (fam->id == chosen) {
				selected = self->family_ids->len - 1;
			}
		}
		self->applying = TRUE;
		gtk_drop_down_set_model(self->family, G_LIST_MODEL(names));
		gtk_drop_down_set_selected(self->family, selected);
		self->applying = FALSE;
		g_object_unref(names);
		if (chosen && !selected) {
			apply_filter(self); /* the family chosen is gone */
		}
	}
	g_object_unref(self);
}

static void load_families(CptArticlesPage *self)
{
	Comptoir__Articles__ListFamiliesRequest req =
	    COMPTOIR__ARTICLES__LIST_FAMILIES_REQUEST__INIT;
	cpt_conn_call_async(self->conn, "comptoir.articles.Articles/ListFamilies", &req.base,
			    &comptoir__articles__list_families_reply__descriptor, NULL,
			    families_loaded, g_object_ref(self));
}

static void on_event(CptConn *conn, const char *topic, gint64 id, const char *action, gpointer data)
{
	if (g_str_equal(topic, "article_family")) {
		load_families(data);
	}
}

/* ---------------------------------------------------------------------------
 * The page
 */

GtkWindow *cpt_articles_page_open(CptArticlesPage *self, gint64 id)
{
	GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
	return cpt_article_form_open(self->conn, GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL, id,
				     self->list);
}

static void on_new(GtkButton *b, gpointer data)
{
	cpt_articles_page_open(CPT_ARTICLES_PAGE(data), 0);
}

static void on_import(GtkButton *b, gpointer data)
{
	CptArticlesPage *self = data;
	cpt_import_dialog_open(GTK_WIDGET(self), self->conn, CPT_IMPORT_ARTICLES, 0, NULL);
}

static void on_open(GtkButton *b, gpointer data)
{
	CptArticlesPage *self = data;
	CptRow *row = cpt_list_view_get_selected(self->list);
	if (row) {
		cpt_articles_page_open(self, row->id);
	}
}

static void on_activate(GtkColumnView *view, guint position, gpointer data)
{
	CptArticlesPage *self = data;
	g_autoptr(CptRow) row =
	    g_list_model_get_item(G_LIST_MODEL(cpt_list_view_get_model(self->list)), position);
	if (row && !row->loading) {
		cpt_articles_page_open(self, row->id);
	}
}

static void module_refresh(GtkWidget *w, const char *name, GVariant *param)
{
	cpt_list_view_reload(CPT_ARTICLES_PAGE(w)->list);
}

static void module_new(GtkWidget *w, const char *name, GVariant *param)
{
	CptArticlesPage *self = CPT_ARTICLES_PAGE(w);
	if (cpt_conn_has_permission(self->conn, "articles.write")) {
		cpt_articles_page_open(self, 0);
	}
}

static void module_search(GtkWidget *w, const char *name, GVariant *param)
{
	gtk_widget_grab_focus(GTK_WIDGET(cpt_list_view_get_search(CPT_ARTICLES_PAGE(w)->list)));
}

CptListView *cpt_articles_page_get_list(CptArticlesPage *self)
{
	return self->list;
}

static void cpt_articles_page_dispose(GObject *object)
{
	CptArticlesPage *self = CPT_ARTICLES_PAGE(object);
	if (self->conn) {
		g_signal_handlers_disconnect_by_data(self->conn, self);
	}
	self->list = NULL; /* owned by the box; families arriving late check it */
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(cpt_articles_page_parent_class)->dispose(object);
}

static void cpt_articles_page_finalize(GObject *object)
{
	g_array_unref(CPT_ARTICLES_PAGE(object)->family_ids);
	G_OBJECT_CLASS(cpt_articles_page_parent_class)->finalize(object);
}

static void cpt_articles_page_class_init(CptArticlesPageClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = cpt_articles_page_dispose;
	G_OBJECT_CLASS(klass)->finalize = cpt_articles_page_finalize;
	gtk_widget_class_install_action(wc, "module.refresh", NULL, module_refresh);
	gtk_widget_class_install_action(wc, "module.new", NULL, module_new);
	gtk_widget_class_install_action(wc, "module.search", NULL, module_search);
}

static void cpt_articles_page_init(CptArticlesPage *self)
{
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	g_object_set(self, "margin-top", 6, "margin-bottom", 6, "margin-start", 12, "margin-end",
		     12, NULL);
	self->family_ids = g_array_new(FALSE, TRUE, sizeof(gint64));
	g_array_set_size(self->family_ids, 1); /* "all families" */
	self->filter.kind = "";
}

GtkWidget *cpt_articles_page_new(CptConn *conn)
{
	CptArticlesPage *self = g_object_new(CPT_TYPE_ARTICLES_PAGE, NULL);
	self->conn = g_object_ref(conn);
	self->list = cpt_list_view_new(conn, "articles", &articles_source, articles_columns,
				       CPT_ARTICLE_N_CELLS);
	gtk_widget_set_vexpand(GTK_WIDGET(self->list), TRUE);
	cpt_list_view_follow(self->list, "article");
	g_object_set(cpt_list_view_get_search(self->list), "placeholder-text",
		     _("Code, libellé ou code-barres — sans se soucier des accents"), NULL);
	GtkBox *bar = cpt_list_view_get_toolbar(self->list);

	GtkStringList *kinds = gtk_string_list_new(NULL);
	gtk_string_list_append(kinds, _("Toutes natures"));
	for (guint i = 0; cpt_article_kinds[i]; i++) {
		gtk_string_list_append(kinds, cpt_article_kind_label(cpt_article_kinds[i]));
	}
	self->kind = GTK_DROP_DOWN(gtk_drop_down_new(G_LIST_MODEL(kinds), NULL));
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->kind), _("Nature"));
	gtk_box_append(bar, GTK_WIDGET(self->kind));
	GtkStringList *families = gtk_string_list_new(NULL);
	gtk_string_list_append(families, _("Toutes les familles"));
	self->family = GTK_DROP_DOWN(gtk_drop_down_new(G_LIST_MODEL(families), NULL));
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->family), _("Famille"));
	gtk_box_append(bar, GTK_WIDGET(self->family));
	self->archived =
	    GTK_CHECK_BUTTON(gtk_check_button_new_with_mnemonic(_("Afficher les _archivés")));
	gtk_box_append(bar, GTK_WIDGET(self->archived));
	g_signal_connect(self->kind, "notify::selected", G_CALLBACK(on_filter_changed), self);
	g_signal_connect(self->family, "notify::selected", G_CALLBACK(on_filter_changed), self);
	g_signal_connect(self->archived, "toggled", G_CALLBACK(on_archived_toggled), self);

	if (cpt_conn_has_permission(conn, "articles.write")) {
		GtkWidget *b = gtk_button_new_with_mnemonic(_("_Nouveau"));
		gtk_widget_set_tooltip_text(b, _("Nouvel article (Ctrl+N)"));
		g_signal_connect(b, "clicked", G_CALLBACK(on_new), self);
		gtk_box_append(bar, b);
		GtkWidget *imp = gtk_button_new_with_mnemonic(_("_Importer…"));
		gtk_widget_set_name(imp, "list.import");
		gtk_widget_set_tooltip_text(imp, _("Importer des articles depuis un fichier CSV"));
		g_signal_connect(imp, "clicked", G_CALLBACK(on_import), self);
		gtk_box_append(bar, imp);
	}
	GtkWidget *open = gtk_button_new_with_mnemonic(_("_Ouvrir"));
	gtk_widget_set_tooltip_text(open, _("Ouvrir la fiche de l'article choisi"));
	g_signal_connect(open, "clicked", G_CALLBACK(on_open), self);
	gtk_box_append(bar, open);
	g_signal_connect(cpt_list_view_get_column_view(self->list), "activate",
			 G_CALLBACK(on_activate), self);
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->list));

	g_signal_connect(conn, "event", G_CALLBACK(on_event), self);
	load_families(self);
	return GTK_WIDGET(self);
}
