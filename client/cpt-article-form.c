/*
 * The article file; see cpt-article-form.h.
 *
 * Opening asks at once for the reference lists (units, VAT rates, families,
 * price lists) and the record; the record is shown once the lists are in, so
 * that its unit, rate and family can be selected in them. A save sends the
 * whole article, components by code, and the reply fills the form again:
 * component rows then show the label and cost the server found, and
 * "Coût de revient" the cost it rolled up through every level.
 */
#include "cpt-article-form.h"
#include "cpt-ui.h"
#include "money.h"

#include "articles.pb-c.h"
#include "parties.pb-c.h"
#include "reference.pb-c.h"

#include <glib/gi18n.h>
#include <string.h>

#define ARTICLES_SERVICE "comptoir.articles.Articles/"
#define PRICING_SERVICE "comptoir.articles.Pricing/"
#define REFERENCE_SERVICE "comptoir.reference.Reference/"
#define DEFAULT_UNIT "U"
#define REFERENCE_CALLS 4 /* units, VAT rates, families, price lists */

const char *const cpt_article_kinds[] = {"goods", "service", "labour", "travel", NULL};
static const char *const kind_labels[] = {N_("Bien"), N_("Service"), N_("Main-d'œuvre"),
					  N_("Déplacement")};

const char *cpt_article_kind_label(const char *kind)
{
	for (guint i = 0; cpt_article_kinds[i]; i++) {
		if (g_strcmp0(kind, cpt_article_kinds[i]) == 0) {
			return _(kind_labels[i]);
		}
	}
	return kind;
}

typedef struct {
	CptConn *conn;
	CptListView *list; /* reloaded after a save, or NULL */
	GtkWindow *window;
	gint64 id;
	gboolean writable;
	GtkWidget *identity; /* the grid of the article's own fields */
	GtkDropDown *kind, *unit, *vat, *family, *subfamily;
	GtkSwitch *stock, *serial;
	GtkTextView *notes;
	GtkBox *translations, *bom, *prices; /* one GtkBox per row */
	GtkLabel *cost, *no_prices, *message;
	GtkWidget *save;
	/* Reference lists, by position in their dropdown. */
	GPtrArray *unit_codes;	 /* char * */
	GArray *vat_ids;	 /* gint64 */
	GArray *family_ids;	 /* gint64, 0 ("none") first */
	GArray *subfamily_ids;	 /* gint64, 0 ("none") first */
	CptCallResult *families; /* ListFamiliesReply: where subfamilies come from */
	GHashTable *price_lists; /* id (gint64 *) -> code */
	guint pending;		 /* reference lists still to come */
	CptCallResult *record;	 /* the article read, kept until the lists are in */
	gboolean loading;	 /* the record was asked for and is not shown yet */
	gboolean closed;
} ArticleForm;

static ArticleForm *form_of(GtkWindow *w)
{
	return g_object_get_data(G_OBJECT(w), "cpt-article-form");
}

static void article_form_free(gpointer data)
{
	ArticleForm *f = data;
	g_clear_object(&f->conn);
	g_clear_object(&f->list);
	g_ptr_array_unref(f->unit_codes);
	g_array_unref(f->vat_ids);
	g_array_unref(f->family_ids);
	g_array_unref(f->subfamily_ids);
	g_clear_pointer(&f->families, cpt_call_result_free);
	g_clear_pointer(&f->record, cpt_call_result_free);
	g_hash_table_unref(f->price_lists);
	g_free(f);
}

/* ---------------------------------------------------------------------------
 * Small pieces
 */

/* "1 234,50 €" for a unit price (4 decimals). Caller g_free()s. */
static char *price_text(gint64 price4)
{
	char buf[CPT_MONEY_FORMAT_SIZE];
	if (!cpt_money_format_price(price4, buf, sizeof buf)) {
		return g_strdup("");
	}
	return g_strconcat(buf, CPT_MONEY_CURRENCY_SEP CPT_MONEY_CURRENCY_SIGN, NULL);
}

static void set_price(GtkWidget *entry, gint64 price4)
{
	char buf[CPT_MONEY_FORMAT_SIZE];
	gtk_editable_set_text(GTK_EDITABLE(entry),
			      cpt_money_format_price(price4, buf, sizeof buf) ? buf : "");
}

static const char *editable_text(GtkWidget *w)
{
	return w && GTK_IS_EDITABLE(w) ? gtk_editable_get_text(GTK_EDITABLE(w)) : "";
}

static const char *widget_text(GtkWidget *w)
{
	if (w && GTK_IS_LABEL(w)) {
		return gtk_label_get_text(GTK_LABEL(w));
	}
	return w && GTK_IS_EDITABLE(w) ? gtk_editable_get_text(GTK_EDITABLE(w)) : NULL;
}

static GtkWidget *field(ArticleForm *f, const char *name)
{
	return cpt_ui_find_named(f->identity, name);
}

static gint64 selected_id(GtkDropDown *d, GArray *ids)
{
	guint sel = gtk_drop_down_get_selected(d);
	return sel < ids->len ? g_array_index(ids, gint64, sel) : 0;
}

static void select_id(GtkDropDown *d, GArray *ids, gint64 id)
{
	for (guint i = 0; i < ids->len; i++) {
		if (g_array_index(ids, gint64, i) == id) {
			gtk_drop_down_set_selected(d, i);
			return;
		}
	}
}

static void remove_rows(GtkBox *box)
{
	GtkWidget *c;
	while ((c = gtk_widget_get_first_child(GTK_WIDGET(box)))) {
		gtk_box_remove(box, c);
	}
}

static GtkWidget *nth_row(GtkBox *box, guint i)
{
	GtkWidget *row = gtk_widget_get_first_child(GTK_WIDGET(box));
	for (; row && i > 0; i--) {
		row = gtk_widget_get_next_sibling(row);
	}
	return row;
}

static guint n_rows(GtkBox *box)
{
	guint n = 0;
	for (GtkWidget *c = gtk_widget_get_first_child(GTK_WIDGET(box)); c;
	     c = gtk_widget_get_next_sibling(c)) {
		n++;
	}
	return n;
}

static void clear_error_marks(GtkWidget *root)
{
	gtk_widget_remove_css_class(root, "error");
	for (GtkWidget *c = gtk_widget_get_first_child(root); c;
	     c = gtk_widget_get_next_sibling(c)) {
		clear_error_marks(c);
	}
}

/* ---------------------------------------------------------------------------
 * Rows: translations, components, price rules
 */

static GtkWidget *row_entry(GtkBox *row, const char *name, const char *placeholder, int chars,
			    const char *text)
{
	GtkWidget *e = gtk_entry_new();
	gtk_widget_set_name(e, name);
	gtk_entry_set_placeholder_text(GTK_ENTRY(e), placeholder);
	gtk_editable_set_width_chars(GTK_EDITABLE(e), chars);
	gtk_editable_set_max_width_chars(GTK_EDITABLE(e), chars);
	gtk_editable_set_text(GTK_EDITABLE(e), text ? text : "");
	gtk_box_append(row, e);
	return e;
}

static GtkWidget *row_label(GtkBox *row, const char *name, int chars, float xalign,
			    const char *text)
{
	GtkWidget *l = gtk_label_new(text);
	if (name) {
		gtk_widget_set_name(l, name);
	}
	gtk_label_set_xalign(GTK_LABEL(l), xalign);
	/* As wide as said, whatever the text: the rows line up in columns. */
	gtk_label_set_width_chars(GTK_LABEL(l), chars);
	gtk_label_set_max_width_chars(GTK_LABEL(l), chars);
	gtk_label_set_ellipsize(GTK_LABEL(l), PANGO_ELLIPSIZE_END);
	gtk_box_append(row, l);
	return l;
}

static void on_remove_row(GtkButton *b, gpointer data)
{
	GtkWidget *row = gtk_widget_get_parent(GTK_WIDGET(b));
	gtk_box_remove(GTK_BOX(gtk_widget_get_parent(row)), row);
}

static GtkBox *new_row(GtkBox *list)
{
	GtkBox *row = GTK_BOX(gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6));
	gtk_box_append(list, GTK_WIDGET(row));
	return row;
}

static void add_remove_button(ArticleForm *f, GtkBox *row)
{
	GtkWidget *del = gtk_button_new_from_icon_name("list-remove-symbolic");
	gtk_widget_set_tooltip_text(del, _("Retirer"));
	gtk_widget_set_visible(del, f->writable);
	g_signal_connect(del, "clicked", G_CALLBACK(on_remove_row), NULL);
	gtk_box_append(row, del);
}

static void add_translation(ArticleForm *f, const char *lang, const char *label)
{
	GtkBox *row = new_row(f->translations);
	GtkWidget *l = row_entry(row, "lang", "en", 4, lang);
	gtk_entry_set_max_length(GTK_ENTRY(l), 2);
	gtk_widget_set_tooltip_text(l, _("Langue : code ISO 639-1 (en, nl, de…)"));
	GtkWidget *t = row_entry(row, "label", _("Libellé dans cette langue"), 30, label);
	gtk_widget_set_hexpand(t, TRUE);
	add_remove_button(f, row);
}

static void add_component(ArticleForm *f, const char *code, const char *quantity, const char *label,
			  const char *cost)
{
	GtkBox *row = new_row(f->bom);
	row_entry(row, "component_code", _("Code du composant"), 16, code);
	GtkWidget *q = row_entry(row, "quantity", _("Quantité"), 8, quantity);
	gtk_editable_set_alignment(GTK_EDITABLE(q), 1);
	GtkWidget *l = row_label(row, "component_label", 20, 0, label);
	gtk_widget_set_hexpand(l, TRUE);
	GtkWidget *c = row_label(row, "component_cost", 12, 1, cost);
	gtk_widget_set_tooltip_text(c, _("Coût de revient d'un composant"));
	add_remove_button(f, row);
}

void cpt_article_form_add_translation(GtkWindow *form, const char *lang, const char *label)
{
	add_translation(form_of(form), lang, label);
}

void cpt_article_form_add_component(GtkWindow *form, const char *code, const char *quantity)
{
	add_component(form_of(form), code, quantity, "", "");
}

static void on_add_translation(GtkButton *b, gpointer data)
{
	add_translation(data, "", "");
}

static void on_add_component(GtkButton *b, gpointer data)
{
	add_component(data, "", "1", "", "");
}

/* "du 01/01/2026 au 31/12/2026", "depuis le...", "jusqu'au...", "toujours". Caller g_free()s. */
static char *validity_text(const char *from, const char *to)
{
	g_autofree char *f = cpt_ui_date_from_iso(from), *t = cpt_ui_date_from_iso(to);
	if (*f && *t) {
		return g_strdup_printf(_("du %s au %s"), f, t);
	}
	if (*f) {
		return g_strdup_printf(_("depuis le %s"), f);
	}
	if (*t) {
		return g_strdup_printf(_("jusqu'au %s"), t);
	}
	return g_strdup(_("toujours"));
}

typedef struct {
	GtkWindow *window;
	GtkLabel *label;
} OwnerFetch;

/* A client's rule: its name replaces its number once known. */
static void party_named(GObject *source, GAsyncResult *res, gpointer data)
{
	OwnerFetch *o = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	ArticleForm *f = form_of(o->window);
	if (f && !f->closed && r->status.code == CPT_OK &&
	    gtk_widget_get_parent(GTK_WIDGET(o->label))) {
		const Comptoir__Parties__Party *p =
		    ((Comptoir__Parties__PartyReply *)r->output)->party;
		g_autofree char *text = g_strdup_printf(_("Client %s — %s"), p->code, p->name);
		gtk_label_set_text(o->label, text);
		gtk_widget_set_tooltip_text(GTK_WIDGET(o->label), text);
	}
	g_object_unref(o->label);
	g_object_unref(o->window);
	g_free(o);
}

static void add_price_row(ArticleForm *f, const Comptoir__Articles__PriceRule *p)
{
	GtkBox *row = new_row(f->prices);
	g_autofree char *owner = NULL;
	if (p->price_list_id) {
		const char *code = g_hash_table_lookup(f->price_lists, &p->price_list_id);
		owner = g_strdup_printf(_("Tarif %s"), code ? code : "?");
	} else {
		owner = g_strdup_printf(_("Client n° %lld"), (long long)p->party_id);
	}
	GtkWidget *o = row_label(row, "owner", 36, 0, owner);
	char qty[CPT_MONEY_FORMAT_SIZE];
	if (!cpt_money_format_qty(p->min_quantity, qty, sizeof qty)) {
		qty[0] = '\0';
	}
	row_label(row, "min_quantity", 10, 1, qty);
	g_autofree char *rate = cpt_ui_rate(p->discount);
	g_autofree char *price = p->has_unit_price ? price_text(p->unit_price)
						   : g_strdup_printf(_("remise de %s"), rate);
	row_label(row, "price", 16, 1, price);
	g_autofree char *validity = validity_text(p->valid_from, p->valid_to);
	GtkWidget *v = row_label(row, "validity", 26, 0, validity);
	gtk_widget_set_hexpand(v, TRUE);
	if (p->party_id && cpt_conn_has_permission(f->conn, "clients.read")) {
		Comptoir__Parties__GetPartyRequest req = COMPTOIR__PARTIES__GET_PARTY_REQUEST__INIT;
		req.id = p->party_id;
		OwnerFetch *fetch = g_new0(OwnerFetch, 1);
		fetch->window = g_object_ref(f->window);
		fetch->label = g_object_ref(GTK_LABEL(o));
		cpt_conn_call_async(f->conn, "comptoir.parties.Parties/Get", &req.base,
				    &comptoir__parties__party_reply__descriptor, NULL, party_named,
				    fetch);
	}
}

static void rules_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	ArticleForm *f = form_of(window);
	if (f && !f->closed) {
		remove_rows(f->prices);
		if (r->status.code != CPT_OK) {
			gtk_label_set_text(f->no_prices, cpt_ui_status_text(&r->status));
		} else {
			const Comptoir__Articles__ListPriceRulesReply *rep =
			    (const void *)r->output;
			for (size_t i = 0; i < rep->n_rules; i++) {
				add_price_row(f, rep->rules[i]);
			}
			gtk_label_set_text(f->no_prices,
					   rep->n_rules ? ""
							: _("Aucun prix particulier : le prix de "
							    "vente s'applique à tous."));
		}
	}
	g_object_unref(window);
}

static void load_rules(ArticleForm *f)
{
	Comptoir__Articles__ListPriceRulesRequest req =
	    COMPTOIR__ARTICLES__LIST_PRICE_RULES_REQUEST__INIT;
	req.article_id = f->id;
	cpt_conn_call_async(f->conn, PRICING_SERVICE "ListRules", &req.base,
			    &comptoir__articles__list_price_rules_reply__descriptor, NULL,
			    rules_loaded, g_object_ref(f->window));
}

/* ---------------------------------------------------------------------------
 * Showing a record
 */

static void rebuild_subfamilies(ArticleForm *f)
{
	gint64 family = selected_id(f->family, f->family_ids);
	GtkStringList *names = gtk_string_list_new(NULL);
	gtk_string_list_append(names, _("— aucune —"));
	gint64 none = 0;
	g_array_set_size(f->subfamily_ids, 0);
	g_array_append_val(f->subfamily_ids, none);
	if (f->families && family) {
		const Comptoir__Articles__ListFamiliesReply *r = (const void *)f->families->output;
		for (size_t i = 0; i < r->n_families; i++) {
			if (r->families[i]->parent_id == family) {
				gtk_string_list_append(names, r->families[i]->label);
				g_array_append_val(f->subfamily_ids, r->families[i]->id);
			}
		}
	}
	gtk_drop_down_set_model(f->subfamily, G_LIST_MODEL(names));
	g_object_unref(names);
	gtk_drop_down_set_selected(f->subfamily, 0);
	gtk_widget_set_sensitive(GTK_WIDGET(f->subfamily), f->subfamily_ids->len > 1);
}

static void on_family_changed(GObject *d, GParamSpec *pspec, gpointer data)
{
	rebuild_subfamilies(data);
}

static void fill_form(ArticleForm *f, const Comptoir__Articles__Article *a)
{
	gtk_editable_set_text(GTK_EDITABLE(field(f, "article.code")), a->code);
	gtk_editable_set_text(GTK_EDITABLE(field(f, "article.label")), a->label);
	for (guint i = 0; cpt_article_kinds[i]; i++) {
		if (g_str_equal(a->kind, cpt_article_kinds[i])) {
			gtk_drop_down_set_selected(f->kind, i);
		}
	}
	for (guint i = 0; i < f->unit_codes->len; i++) {
		if (g_str_equal(g_ptr_array_index(f->unit_codes, i), a->unit)) {
			gtk_drop_down_set_selected(f->unit, i);
		}
	}
	select_id(f->vat, f->vat_ids, a->vat_rate_id);
	set_price(field(f, "article.purchase_price"), a->purchase_price);
	set_price(field(f, "article.sale_price"), a->sale_price);
	if (a->eco_contribution) {
		set_price(field(f, "article.eco_contribution"), a->eco_contribution);
	} else {
		gtk_editable_set_text(GTK_EDITABLE(field(f, "article.eco_contribution")), "");
	}
	select_id(f->family, f->family_ids, a->family_id);
	rebuild_subfamilies(f);
	select_id(f->subfamily, f->subfamily_ids, a->subfamily_id);
	gtk_editable_set_text(GTK_EDITABLE(field(f, "article.barcode")), a->barcode);
	gtk_switch_set_active(f->stock, a->stock_tracked);
	gtk_switch_set_active(f->serial, a->serial_tracked);
	gtk_switch_set_active(GTK_SWITCH(field(f, "article.archived")), a->archived);
	gtk_text_buffer_set_text(gtk_text_view_get_buffer(f->notes), a->notes, -1);

	remove_rows(f->translations);
	for (size_t i = 0; i < a->n_translations; i++) {
		add_translation(f, a->translations[i]->lang, a->translations[i]->label);
	}
	remove_rows(f->bom);
	for (size_t i = 0; i < a->n_bom; i++) {
		const Comptoir__Articles__BomLine *l = a->bom[i];
		char qty[CPT_MONEY_FORMAT_SIZE];
		if (!cpt_money_format_qty(l->quantity, qty, sizeof qty)) {
			qty[0] = '\0';
		}
		g_autofree char *cost = price_text(l->component_cost);
		add_component(f, l->component_code, qty, l->component_label, cost);
	}
	g_autofree char *cost = price_text(a->cost);
	gtk_label_set_text(f->cost, cost);

	f->id = a->id;
	g_autofree char *title = g_strdup_printf(_("Fiche article — %s %s"), a->code, a->label);
	gtk_window_set_title(f->window, title);
	load_rules(f);
}

/* The record is shown once the lists it selects from are in. */
static void show_when_ready(ArticleForm *f)
{
	if (f->pending > 0) {
		return;
	}
	if (f->record) {
		fill_form(f, ((Comptoir__Articles__ArticleReply *)f->record->output)->article);
		g_clear_pointer(&f->record, cpt_call_result_free);
		f->loading = FALSE;
	}
	gtk_widget_set_sensitive(f->save, !f->loading);
}

static void article_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	CptCallResult *r = cpt_conn_call_finish(CPT_CONN(source), res);
	ArticleForm *f = form_of(window);
	if (f && !f->closed && r->status.code == CPT_OK) {
		f->record = r;
		show_when_ready(f);
	} else {
		if (f && !f->closed) {
			gtk_label_set_text(f->message, cpt_ui_status_text(&r->status));
		}
		cpt_call_result_free(r);
	}
	g_object_unref(window);
}

/* ---------------------------------------------------------------------------
 * Reference lists
 */

/* Takes the answer to a reference call; FALSE if it failed (then shown). */
static gboolean reference_in(ArticleForm *f, const CptCallResult *r)
{
	f->pending--;
	if (r->status.code != CPT_OK) {
		gtk_label_set_text(f->message, cpt_ui_status_text(&r->status));
		return FALSE;
	}
	return TRUE;
}

static void set_choices(GtkDropDown *d, GtkStringList *names, guint selected)
{
	gtk_drop_down_set_model(d, G_LIST_MODEL(names));
	g_object_unref(names);
	gtk_drop_down_set_selected(d, selected);
}

static void units_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	ArticleForm *f = form_of(window);
	if (f && !f->closed) {
		if (reference_in(f, r)) {
			const Comptoir__Reference__ListUnitsReply *u = (const void *)r->output;
			GtkStringList *names = gtk_string_list_new(NULL);
			guint unit = 0;
			for (size_t i = 0; i < u->n_units; i++) {
				g_autofree char *s = g_strdup_printf("%s — %s", u->units[i]->code,
								     u->units[i]->label);
				gtk_string_list_append(names, s);
				g_ptr_array_add(f->unit_codes, g_strdup(u->units[i]->code));
				if (g_str_equal(u->units[i]->code, DEFAULT_UNIT)) {
					unit = (guint)i;
				}
			}
			set_choices(f->unit, names, unit);
		}
		show_when_ready(f);
	}
	g_object_unref(window);
}

/* French and Belgian rates, labelled with their country; the first is the default. */
static void rates_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	ArticleForm *f = form_of(window);
	if (f && !f->closed) {
		if (reference_in(f, r)) {
			const Comptoir__Reference__ListVatRatesReply *v = (const void *)r->output;
			GtkStringList *names = gtk_string_list_new(NULL);
			for (size_t i = 0; i < v->n_rates; i++) {
				g_autofree char *s = g_strdup_printf(
				    "%s — %s", v->rates[i]->country, v->rates[i]->label);
				gtk_string_list_append(names, s);
				g_array_append_val(f->vat_ids, v->rates[i]->id);
			}
			set_choices(f->vat, names, 0);
		}
		show_when_ready(f);
	}
	g_object_unref(window);
}

static void families_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	CptCallResult *r = cpt_conn_call_finish(CPT_CONN(source), res);
	ArticleForm *f = form_of(window);
	if (f && !f->closed) {
		if (reference_in(f, r)) {
			const Comptoir__Articles__ListFamiliesReply *fam = (const void *)r->output;
			GtkStringList *names = gtk_string_list_new(NULL);
			gtk_string_list_append(names, _("— aucune —"));
			for (size_t i = 0; i < fam->n_families; i++) {
				if (fam->families[i]->parent_id == 0) {
					gtk_string_list_append(names, fam->families[i]->label);
					g_array_append_val(f->family_ids, fam->families[i]->id);
				}
			}
			g_clear_pointer(&f->families, cpt_call_result_free);
			f->families = g_steal_pointer(&r);
			set_choices(f->family, names, 0);
			rebuild_subfamilies(f);
		}
		show_when_ready(f);
	}
	g_clear_pointer(&r, cpt_call_result_free);
	g_object_unref(window);
}

static void price_lists_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	ArticleForm *f = form_of(window);
	if (f && !f->closed) {
		if (reference_in(f, r)) {
			const Comptoir__Articles__ListPriceListsReply *p = (const void *)r->output;
			for (size_t i = 0; i < p->n_price_lists; i++) {
				g_hash_table_insert(
				    f->price_lists,
				    g_memdup2(&p->price_lists[i]->id, sizeof(gint64)),
				    g_strdup(p->price_lists[i]->code));
			}
		}
		show_when_ready(f);
	}
	g_object_unref(window);
}

static void load_references(ArticleForm *f)
{
	f->pending = REFERENCE_CALLS;
	Comptoir__Reference__ListUnitsRequest units = COMPTOIR__REFERENCE__LIST_UNITS_REQUEST__INIT;
	cpt_conn_call_async(f->conn, REFERENCE_SERVICE "ListUnits", &units.base,
			    &comptoir__reference__list_units_reply__descriptor, NULL, units_loaded,
			    g_object_ref(f->window));
	Comptoir__Reference__CountryRequest both = COMPTOIR__REFERENCE__COUNTRY_REQUEST__INIT;
	cpt_conn_call_async(f->conn, REFERENCE_SERVICE "ListVatRates", &both.base,
			    &comptoir__reference__list_vat_rates_reply__descriptor, NULL,
			    rates_loaded, g_object_ref(f->window));
	Comptoir__Articles__ListFamiliesRequest fam =
	    COMPTOIR__ARTICLES__LIST_FAMILIES_REQUEST__INIT;
	cpt_conn_call_async(f->conn, ARTICLES_SERVICE "ListFamilies", &fam.base,
			    &comptoir__articles__list_families_reply__descriptor, NULL,
			    families_loaded, g_object_ref(f->window));
	Comptoir__Articles__ListPriceListsRequest lists =
	    COMPTOIR__ARTICLES__LIST_PRICE_LISTS_REQUEST__INIT;
	cpt_conn_call_async(f->conn, PRICING_SERVICE "ListPriceLists", &lists.base,
			    &comptoir__articles__list_price_lists_reply__descriptor, NULL,
			    price_lists_loaded, g_object_ref(f->window));
}

/* ---------------------------------------------------------------------------
 * Saving
 */

/* The widget that shows a server field: the article's own by name, rows by column. */
static GtkWidget *field_widget(ArticleForm *f, const char *name)
{
	if (!name || !*name) {
		return NULL;
	}
	GtkWidget *w = field(f, name);
	if (w) {
		return w;
	}
	GtkWidget *rows = g_str_has_prefix(name, "article.translations")
			      ? GTK_WIDGET(f->translations)
			  : g_str_has_prefix(name, "article.bom") ? GTK_WIDGET(f->bom)
								  : NULL;
	if (!rows) {
		return NULL;
	}
	const char *column = strrchr(name, '.') + 1;
	if (g_str_equal(column, "component_id")) {
		column = "component_code"; /* components are typed by code */
	}
	w = cpt_ui_find_named(rows, column);
	return w ? w : rows;
}

/* A price field as typed; empty is 0. FALSE, shown on the field, if it does not parse. */
static gboolean read_price(ArticleForm *f, const char *name, int64_t *out)
{
	GtkWidget *w = field(f, name);
	g_autofree char *text = g_strstrip(g_strdup(editable_text(w)));
	if (!*text) {
		*out = 0;
		return TRUE;
	}
	if (cpt_money_parse_price(text, out)) {
		return TRUE;
	}
	cpt_ui_field_error(w, f->message,
			   _("Prix invalide : un nombre avec 4 décimales au plus, par exemple "
			     "1 234,50."));
	return FALSE;
}

static gboolean read_quantity(ArticleForm *f, GtkWidget *w, int64_t *out)
{
	if (cpt_money_parse_qty(editable_text(w), out)) {
		return TRUE;
	}
	cpt_ui_field_error(w, f->message,
			   _("Quantité invalide : un nombre avec 3 décimales au plus, par exemple "
			     "1,5."));
	return FALSE;
}

static void article_saved(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	ArticleForm *f = form_of(window);
	if (f && !f->closed) {
		gtk_widget_set_sensitive(f->save, TRUE);
		if (r->status.code != CPT_OK) {
			/* "Prix de vente HT : la valeur ne peut pas être négative" */
			GtkWidget *w = field_widget(f, r->status.field);
			const char *cap = w ? g_object_get_data(G_OBJECT(w), "cpt-caption") : NULL;
			g_autofree char *text =
			    cap ? g_strdup_printf(_("%s : %s"), cap, cpt_ui_status_text(&r->status))
				: g_strdup(cpt_ui_status_text(&r->status));
			cpt_ui_field_error(w, f->message, text);
		} else {
			fill_form(f, ((Comptoir__Articles__ArticleReply *)r->output)->article);
			gtk_label_set_text(f->message, _("Article enregistré."));
			if (f->list && gtk_widget_get_root(GTK_WIDGET(f->list))) {
				cpt_list_view_reload(f->list);
			}
		}
	}
	g_object_unref(window);
}

static gboolean row_is_blank(GtkWidget *row, const char *a, const char *b)
{
	g_autofree char *x = g_strstrip(g_strdup(editable_text(cpt_ui_find_named(row, a))));
	g_autofree char *y = g_strstrip(g_strdup(editable_text(cpt_ui_find_named(row, b))));
	return !*x && !*y;
}

void cpt_article_form_save(GtkWindow *form)
{
	ArticleForm *f = form_of(form);
	clear_error_marks(GTK_WIDGET(f->window));
	gtk_label_set_text(f->message, "");
	if (!cpt_article_form_is_ready(form)) {
		gtk_label_set_text(f->message, _("La fiche se charge encore."));
		return;
	}
	Comptoir__Articles__Article a = COMPTOIR__ARTICLES__ARTICLE__INIT;
	if (!read_price(f, "article.purchase_price", &a.purchase_price) ||
	    !read_price(f, "article.sale_price", &a.sale_price) ||
	    !read_price(f, "article.eco_contribution", &a.eco_contribution)) {
		return;
	}
	g_autoptr(GPtrArray) translations = g_ptr_array_new_with_free_func(g_free);
	for (GtkWidget *row = gtk_widget_get_first_child(GTK_WIDGET(f->translations)); row;
	     row = gtk_widget_get_next_sibling(row)) {
		if (row_is_blank(row, "lang", "label")) {
			continue;
		}
		Comptoir__Articles__Translation *t = g_new(Comptoir__Articles__Translation, 1);
		comptoir__articles__translation__init(t);
		t->lang = (char *)editable_text(cpt_ui_find_named(row, "lang"));
		t->label = (char *)editable_text(cpt_ui_find_named(row, "label"));
		g_ptr_array_add(translations, t);
	}
	g_autoptr(GPtrArray) bom = g_ptr_array_new_with_free_func(g_free);
	for (GtkWidget *row = gtk_widget_get_first_child(GTK_WIDGET(f->bom)); row;
	     row = gtk_widget_get_next_sibling(row)) {
		if (row_is_blank(row, "component_code", "quantity")) {
			continue;
		}
		Comptoir__Articles__BomLine *l = g_new(Comptoir__Articles__BomLine, 1);
		comptoir__articles__bom_line__init(l);
		g_ptr_array_add(bom, l);
		/* By code: the server finds the component (component_id 0). */
		l->component_code = (char *)editable_text(cpt_ui_find_named(row, "component_code"));
		if (!read_quantity(f, cpt_ui_find_named(row, "quantity"), &l->quantity)) {
			return;
		}
	}
	a.id = f->id;
	a.code = (char *)editable_text(field(f, "article.code"));
	a.label = (char *)editable_text(field(f, "article.label"));
	guint kind = gtk_drop_down_get_selected(f->kind);
	a.kind = (char *)cpt_article_kinds[kind < G_N_ELEMENTS(kind_labels) ? kind : 0];
	guint unit = gtk_drop_down_get_selected(f->unit);
	a.unit = unit < f->unit_codes->len ? g_ptr_array_index(f->unit_codes, unit) : "";
	a.vat_rate_id = selected_id(f->vat, f->vat_ids);
	a.family_id = selected_id(f->family, f->family_ids);
	a.subfamily_id = selected_id(f->subfamily, f->subfamily_ids);
	a.barcode = (char *)editable_text(field(f, "article.barcode"));
	a.stock_tracked = gtk_switch_get_active(f->stock);
	a.serial_tracked = gtk_switch_get_active(f->serial);
	a.archived = gtk_switch_get_active(GTK_SWITCH(field(f, "article.archived")));
	GtkTextBuffer *buf = gtk_text_view_get_buffer(f->notes);
	GtkTextIter start, end;
	gtk_text_buffer_get_bounds(buf, &start, &end);
	g_autofree char *notes = gtk_text_buffer_get_text(buf, &start, &end, FALSE);
	a.notes = notes;
	a.n_translations = translations->len;
	a.translations = (Comptoir__Articles__Translation **)translations->pdata;
	a.n_bom = bom->len;
	a.bom = (Comptoir__Articles__BomLine **)bom->pdata;
	Comptoir__Articles__ArticleRequest req = COMPTOIR__ARTICLES__ARTICLE_REQUEST__INIT;
	req.article = &a;
	gtk_widget_set_sensitive(f->save, FALSE);
	cpt_conn_call_async(f->conn, f->id ? ARTICLES_SERVICE "Update" : ARTICLES_SERVICE "Create",
			    &req.base, &comptoir__articles__article_reply__descriptor, NULL,
			    article_saved, g_object_ref(f->window));
}

/* ---------------------------------------------------------------------------
 * Public reading
 */

GtkWidget *cpt_article_form_get_widget(GtkWindow *form, const char *name)
{
	return cpt_ui_find_named(GTK_WIDGET(form), name);
}

gboolean cpt_article_form_is_ready(GtkWindow *form)
{
	ArticleForm *f = form_of(form);
	return f->pending == 0 && !f->loading;
}

guint cpt_article_form_get_n_components(GtkWindow *form)
{
	return n_rows(form_of(form)->bom);
}

const char *cpt_article_form_get_component_text(GtkWindow *form, guint i, const char *name)
{
	GtkWidget *row = nth_row(form_of(form)->bom, i);
	return row ? widget_text(cpt_ui_find_named(row, name)) : NULL;
}

guint cpt_article_form_get_n_prices(GtkWindow *form)
{
	return n_rows(form_of(form)->prices);
}

const char *cpt_article_form_get_price_text(GtkWindow *form, guint i, const char *name)
{
	GtkWidget *row = nth_row(form_of(form)->prices, i);
	return row ? widget_text(cpt_ui_find_named(row, name)) : NULL;
}

const char *cpt_article_form_get_message(GtkWindow *form)
{
	return gtk_label_get_text(form_of(form)->message);
}

gint64 cpt_article_form_get_id(GtkWindow *form)
{
	return form_of(form)->id;
}

/* ---------------------------------------------------------------------------
 * Building the window
 */

static void on_form_destroy(GtkWidget *w, gpointer data)
{
	((ArticleForm *)data)->closed = TRUE;
}

static void on_save_clicked(GtkButton *b, gpointer data)
{
	cpt_article_form_save(((ArticleForm *)data)->window);
}

/* Only goods are tracked in stock, and serial numbers need stock tracking. */
static void on_kind_changed(GObject *d, GParamSpec *pspec, gpointer data)
{
	ArticleForm *f = data;
	gboolean goods = gtk_drop_down_get_selected(f->kind) == 0;
	gtk_widget_set_sensitive(GTK_WIDGET(f->stock), goods);
	gtk_widget_set_sensitive(GTK_WIDGET(f->serial), goods);
	if (!goods) {
		gtk_switch_set_active(f->stock, FALSE);
	}
}

static void on_stock_changed(GObject *s, GParamSpec *pspec, gpointer data)
{
	ArticleForm *f = data;
	if (!gtk_switch_get_active(f->stock)) {
		gtk_switch_set_active(f->serial, FALSE);
	}
}

static void on_serial_changed(GObject *s, GParamSpec *pspec, gpointer data)
{
	ArticleForm *f = data;
	if (gtk_switch_get_active(f->serial)) {
		gtk_switch_set_active(f->stock, TRUE);
	}
}

static GtkWidget *caption(const char *text)
{
	GtkWidget *l = gtk_label_new(text);
	gtk_label_set_xalign(GTK_LABEL(l), 1);
	return l;
}

/* Puts a captioned widget at (column pair col, row) of the identity grid. */
static GtkWidget *place(ArticleForm *f, int col, int row, int width, const char *text,
			const char *name, GtkWidget *w)
{
	gtk_widget_set_name(w, name);
	gtk_widget_set_hexpand(w, TRUE);
	g_object_set_data(G_OBJECT(w), "cpt-caption", (gpointer)text);
	gtk_grid_attach(GTK_GRID(f->identity), caption(text), col * 2, row, 1, 1);
	gtk_grid_attach(GTK_GRID(f->identity), w, col * 2 + 1, row, width, 1);
	return w;
}

static GtkWidget *text_entry(void)
{
	GtkWidget *e = gtk_entry_new();
	gtk_entry_set_activates_default(GTK_ENTRY(e), TRUE);
	return e;
}

static GtkWidget *price_entry(void)
{
	GtkWidget *e = text_entry();
	gtk_editable_set_alignment(GTK_EDITABLE(e), 1);
	gtk_editable_set_width_chars(GTK_EDITABLE(e), 12);
	gtk_entry_set_placeholder_text(GTK_ENTRY(e), "0,00");
	return e;
}

static GtkDropDown *choice(void)
{
	return GTK_DROP_DOWN(gtk_drop_down_new(G_LIST_MODEL(gtk_string_list_new(NULL)), NULL));
}

static GtkWidget *left_switch(GtkSwitch **out)
{
	GtkWidget *s = gtk_switch_new();
	gtk_widget_set_halign(s, GTK_ALIGN_START);
	if (out) {
		*out = GTK_SWITCH(s);
	}
	return s;
}

static void build_identity(ArticleForm *f)
{
	GtkGrid *g = GTK_GRID(gtk_grid_new());
	gtk_grid_set_row_spacing(g, 6);
	gtk_grid_set_column_spacing(g, 12);
	f->identity = GTK_WIDGET(g);

	place(f, 0, 0, 1, _("Code"), "article.code", text_entry());
	const char *kinds[G_N_ELEMENTS(kind_labels) + 1] = {NULL};
	for (guint i = 0; i < G_N_ELEMENTS(kind_labels); i++) {
		kinds[i] = _(kind_labels[i]);
	}
	f->kind = GTK_DROP_DOWN(gtk_drop_down_new_from_strings(kinds));
	place(f, 1, 0, 1, _("Nature"), "article.kind", GTK_WIDGET(f->kind));
	place(f, 0, 1, 3, _("Libellé"), "article.label", text_entry());
	f->unit = choice();
	place(f, 0, 2, 1, _("Unité"), "article.unit", GTK_WIDGET(f->unit));
	f->vat = choice();
	place(f, 1, 2, 1, _("TVA"), "article.vat_rate_id", GTK_WIDGET(f->vat));
	place(f, 0, 3, 1, _("Prix d'achat HT"), "article.purchase_price", price_entry());
	place(f, 1, 3, 1, _("Prix de vente HT"), "article.sale_price", price_entry());
	GtkWidget *eco = place(f, 0, 4, 1, _("Éco-contribution DEEE"), "article.eco_contribution",
			       price_entry());
	gtk_widget_set_tooltip_text(eco, _("Par unité, en euros HT"));
	place(f, 1, 4, 1, _("Code-barres"), "article.barcode", text_entry());
	f->family = choice();
	place(f, 0, 5, 1, _("Famille"), "article.family_id", GTK_WIDGET(f->family));
	f->subfamily = choice();
	place(f, 1, 5, 1, _("Sous-famille"), "article.subfamily_id", GTK_WIDGET(f->subfamily));
	place(f, 0, 6, 1, _("Suivi de stock"), "article.stock_tracked", left_switch(&f->stock));
	place(f, 1, 6, 1, _("Suivi par n° de série"), "article.serial_tracked",
	      left_switch(&f->serial));
	place(f, 0, 7, 1, _("Archivé"), "article.archived", left_switch(NULL));

	f->notes = GTK_TEXT_VIEW(gtk_text_view_new());
	gtk_text_view_set_wrap_mode(f->notes, GTK_WRAP_WORD_CHAR);
	gtk_widget_set_name(GTK_WIDGET(f->notes), "article.notes");
	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), GTK_WIDGET(f->notes));
	gtk_scrolled_window_set_min_content_height(GTK_SCROLLED_WINDOW(scroll), 60);
	gtk_widget_add_css_class(scroll, "frame");
	gtk_widget_set_hexpand(scroll, TRUE);
	GtkWidget *nl = caption(_("Notes"));
	gtk_widget_set_valign(nl, GTK_ALIGN_START);
	gtk_grid_attach(g, nl, 0, 8, 1, 1);
	gtk_grid_attach(g, scroll, 1, 8, 3, 1);

	g_signal_connect(f->family, "notify::selected", G_CALLBACK(on_family_changed), f);
	g_signal_connect(f->kind, "notify::selected", G_CALLBACK(on_kind_changed), f);
	g_signal_connect(f->stock, "notify::active", G_CALLBACK(on_stock_changed), f);
	g_signal_connect(f->serial, "notify::active", G_CALLBACK(on_serial_changed), f);
}

static GtkWidget *section(const char *title, GtkWidget *content, GtkWidget *button)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	GtkWidget *head = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	GtkWidget *l = gtk_label_new(title);
	gtk_widget_add_css_class(l, "heading");
	gtk_widget_set_hexpand(l, TRUE);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_box_append(GTK_BOX(head), l);
	if (button) {
		gtk_box_append(GTK_BOX(head), button);
	}
	gtk_box_append(GTK_BOX(box), head);
	gtk_box_append(GTK_BOX(box), content);
	return box;
}

static GtkWidget *add_button(ArticleForm *f, const char *mnemonic, GCallback cb)
{
	GtkWidget *b = gtk_button_new_with_mnemonic(mnemonic);
	gtk_widget_set_visible(b, f->writable);
	g_signal_connect(b, "clicked", cb, f);
	return b;
}

static GtkBox *rows_box(const char *name)
{
	GtkBox *b = GTK_BOX(gtk_box_new(GTK_ORIENTATION_VERTICAL, 4));
	gtk_widget_set_name(GTK_WIDGET(b), name);
	return b;
}

/* The components, and the cost they roll up to. */
static GtkWidget *build_bom(ArticleForm *f)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	f->bom = rows_box("article.bom");
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(f->bom));
	GtkWidget *line = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	GtkWidget *l = gtk_label_new(_("Coût de revient"));
	gtk_widget_set_hexpand(l, TRUE);
	gtk_label_set_xalign(GTK_LABEL(l), 1);
	gtk_widget_set_tooltip_text(l, _("Prix d'achat, ou pour un ensemble le coût de ses "
					 "composants à tous les niveaux (calculé par le serveur à "
					 "l'enregistrement)"));
	f->cost = GTK_LABEL(gtk_label_new(""));
	gtk_widget_set_name(GTK_WIDGET(f->cost), "article.cost");
	gtk_label_set_xalign(f->cost, 1);
	gtk_label_set_width_chars(f->cost, 14);
	gtk_label_set_selectable(f->cost, TRUE);
	gtk_box_append(GTK_BOX(line), l);
	gtk_box_append(GTK_BOX(line), GTK_WIDGET(f->cost));
	gtk_box_append(GTK_BOX(box), line);
	return section(_("Nomenclature"), box,
		       add_button(f, _("Ajouter un _composant"), G_CALLBACK(on_add_component)));
}

static GtkWidget *build_prices(ArticleForm *f)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
	GtkBox *head = GTK_BOX(gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6));
	row_label(head, NULL, 36, 0, _("Tarif ou client"));
	row_label(head, NULL, 10, 1, _("À partir de"));
	row_label(head, NULL, 16, 1, _("Prix HT ou remise"));
	gtk_widget_set_hexpand(row_label(head, NULL, 26, 0, _("Validité")), TRUE);
	gtk_widget_add_css_class(GTK_WIDGET(head), "dim-label");
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(head));
	f->prices = rows_box("prices");
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(f->prices));
	f->no_prices = GTK_LABEL(gtk_label_new(_("Enregistrez l'article pour voir ses prix.")));
	gtk_label_set_xalign(f->no_prices, 0);
	gtk_widget_add_css_class(GTK_WIDGET(f->no_prices), "dim-label");
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(f->no_prices));
	return section(_("Prix"), box, NULL);
}

GtkWindow *cpt_article_form_open(CptConn *conn, GtkWindow *parent, gint64 id, CptListView *list)
{
	ArticleForm *f = g_new0(ArticleForm, 1);
	f->conn = g_object_ref(conn);
	f->list = list ? g_object_ref(list) : NULL;
	f->id = id;
	f->writable = cpt_conn_has_permission(conn, "articles.write");
	f->unit_codes = g_ptr_array_new_with_free_func(g_free);
	f->vat_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	f->family_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	f->subfamily_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	gint64 none = 0;
	g_array_append_val(f->family_ids, none);
	f->price_lists = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	f->window = GTK_WINDOW(gtk_window_new());
	gtk_window_set_title(f->window, id ? _("Fiche article") : _("Nouvel article"));
	gtk_window_set_default_size(f->window, 980, 760);
	if (parent) {
		gtk_window_set_transient_for(f->window, parent);
		gtk_window_set_destroy_with_parent(f->window, TRUE);
	}
	g_object_set_data_full(G_OBJECT(f->window), "cpt-article-form", f, article_form_free);
	g_signal_connect(f->window, "destroy", G_CALLBACK(on_form_destroy), f);

	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	g_object_set(box, "margin-top", 12, "margin-bottom", 12, "margin-start", 12, "margin-end",
		     12, NULL);
	build_identity(f);
	gtk_box_append(GTK_BOX(box), f->identity);
	f->translations = rows_box("article.translations");
	gtk_box_append(GTK_BOX(box), section(_("Libellés traduits"), GTK_WIDGET(f->translations),
					     add_button(f, _("Ajouter une _traduction"),
							G_CALLBACK(on_add_translation))));
	gtk_box_append(GTK_BOX(box), build_bom(f));
	gtk_box_append(GTK_BOX(box), build_prices(f));

	GtkWidget *bottom = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	f->message = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_xalign(f->message, 0);
	gtk_label_set_wrap(f->message, TRUE);
	gtk_widget_set_hexpand(GTK_WIDGET(f->message), TRUE);
	f->save = gtk_button_new_with_mnemonic(_("_Enregistrer"));
	gtk_widget_set_name(f->save, "save");
	gtk_widget_add_css_class(f->save, "suggested-action");
	gtk_widget_set_visible(f->save, f->writable);
	gtk_widget_set_sensitive(f->save, FALSE);
	g_signal_connect(f->save, "clicked", G_CALLBACK(on_save_clicked), f);
	gtk_box_append(GTK_BOX(bottom), GTK_WIDGET(f->message));
	gtk_box_append(GTK_BOX(bottom), f->save);
	gtk_box_append(GTK_BOX(box), bottom);

	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), box);
	gtk_window_set_child(f->window, scroll);
	gtk_window_set_default_widget(f->window, f->save);

	load_references(f);
	if (id) {
		f->loading = TRUE;
		Comptoir__Articles__GetArticleRequest req =
		    COMPTOIR__ARTICLES__GET_ARTICLE_REQUEST__INIT;
		req.id = id;
		cpt_conn_call_async(conn, ARTICLES_SERVICE "Get", &req.base,
				    &comptoir__articles__article_reply__descriptor, NULL,
				    article_loaded, g_object_ref(f->window));
	}
	gtk_window_present(f->window);
	return f->window;
}
