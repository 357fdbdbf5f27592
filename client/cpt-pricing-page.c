/*
 * CptPricingPage; see cpt-pricing-page.h. A GtkStack of three tabs over the
 * price checker. The price lists are read whole (a company has a handful);
 * their codes also name the list a resolved price comes from. Clients and
 * suppliers are chosen by code (cpt-code-lookup.h) as it is typed. The
 * checker looks its codes up, asks Pricing/Resolve, then reads the winning
 * rule among the article's rules to say where the price comes from.
 */
#include "cpt-pricing-page.h"
#include "cpt-code-lookup.h"
#include "cpt-ui.h"
#include "money.h"

#include "articles.pb-c.h"

#include <glib/gi18n.h>
#include <string.h>

#define PRICING_SERVICE "comptoir.articles.Pricing/"
/* Wait this long after a keystroke in a party code before looking it up. */
#define LOOKUP_DELAY_MS 300

/* A client or supplier chosen by code, and its prices. */
typedef struct {
	CptCodeKind kind;
	GtkEditable *code;
	GtkLabel *name;
	CptPriceRules *rules;
	guint source;
	guint generation;
} Chooser;

/* The checker's state, from the question to the answer. */
typedef struct {
	GtkWidget *grid; /* the entries */
	GtkLabel *price, *source, *rule, *message;
	guint generation;
	guint lookups; /* codes still being looked up */
	gboolean failed;
	gboolean busy;
	gint64 party_id, article_id, quantity;
	char *date; /* "YYYY-MM-DD" or "" (today) */
	/* The answer of Resolve */
	gint64 unit_price, base_price, rule_id;
	char *origin; /* client, price_list, article */
} Checker;

struct _CptPricingPage {
	GtkBox parent_instance;
	CptConn *conn;
	gboolean writable;
	GtkStack *tabs;
	/* Tarifs */
	GtkListBox *lists;
	GArray *list_ids;      /* gint64 by row */
	GPtrArray *list_codes; /* char * by row */
	GPtrArray *list_labels;
	gint64 wanted_list; /* to choose once the lists are read */
	gboolean applying;  /* the lists are being rebuilt: choices are not the user's */
	gboolean lists_loading;
	guint lists_generation;
	GtkWidget *new_list, *rename_list;
	GtkLabel *lists_message;
	CptPriceRules *list_rules;
	/* Prix client, Prix fournisseurs */
	Chooser client, supplier;
	Checker check;
	gboolean disposed;
};

G_DEFINE_TYPE(CptPricingPage, cpt_pricing_page, GTK_TYPE_BOX)

/* An answer's way back to the page, and whether it is still awaited. */
typedef struct {
	CptPricingPage *self; /* a reference */
	guint generation;
	Chooser *chooser; /* lookups of a chooser */
	CptCodeKind kind; /* lookups of the checker */
	GtkWidget *entry; /* the checker's entry the code came from */
	char *code;
} Pending;

static Pending *pending_new(CptPricingPage *self, guint generation)
{
	Pending *p = g_new0(Pending, 1);
	p->self = g_object_ref(self);
	p->generation = generation;
	return p;
}

static void pending_free(Pending *p)
{
	g_object_unref(p->self);
	g_free(p->code);
	g_free(p);
}

static char *price_text(gint64 price4)
{
	char buf[CPT_MONEY_FORMAT_SIZE];
	if (!cpt_money_format_price(price4, buf, sizeof buf)) {
		return g_strdup("");
	}
	return g_strconcat(buf, CPT_MONEY_CURRENCY_SEP CPT_MONEY_CURRENCY_SIGN, NULL);
}

/* ---------------------------------------------------------------------------
 * Price lists
 */

static gint64 chosen_list(CptPricingPage *self)
{
	GtkListBoxRow *row = gtk_list_box_get_selected_row(self->lists);
	int i = row ? gtk_list_box_row_get_index(row) : -1;
	return i >= 0 && (guint)i < self->list_ids->len ? g_array_index(self->list_ids, gint64, i)
							: 0;
}

static const char *list_code(CptPricingPage *self, gint64 id)
{
	for (guint i = 0; i < self->list_ids->len; i++) {
		if (g_array_index(self->list_ids, gint64, i) == id) {
			return g_ptr_array_index(self->list_codes, i);
		}
	}
	return NULL;
}

static GtkWidget *list_row(const char *code, const char *label)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	g_object_set(box, "margin-top", 4, "margin-bottom", 4, "margin-start", 6, "margin-end", 6,
		     NULL);
	GtkWidget *c = gtk_label_new(code);
	gtk_widget_set_name(c, "code");
	gtk_label_set_xalign(GTK_LABEL(c), 0);
	gtk_widget_add_css_class(c, "heading");
	GtkWidget *l = gtk_label_new(label);
	gtk_widget_set_name(l, "label");
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_label_set_ellipsize(GTK_LABEL(l), PANGO_ELLIPSIZE_END);
	gtk_widget_add_css_class(l, "dim-label");
	gtk_box_append(GTK_BOX(box), c);
	gtk_box_append(GTK_BOX(box), l);
	return box;
}

static void on_list_selected(GtkListBox *box, GtkListBoxRow *row, gpointer data)
{
	CptPricingPage *self = data;
	if (self->applying) {
		return;
	}
	gint64 id = chosen_list(self);
	gtk_widget_set_sensitive(self->rename_list, id != 0);
	cpt_price_rules_set_owner(self->list_rules, id);
}

static void lists_read(GObject *source, GAsyncResult *res, gpointer data)
{
	Pending *p = data;
	CptPricingPage *self = p->self;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (!self->disposed && p->generation == self->lists_generation) {
		self->lists_loading = FALSE;
		if (r->status.code != CPT_OK) {
			gtk_label_set_text(self->lists_message, cpt_ui_status_text(&r->status));
		} else {
			const Comptoir__Articles__ListPriceListsReply *rep =
			    (const void *)r->output;
			gint64 wanted = self->wanted_list ? self->wanted_list : chosen_list(self);
			self->wanted_list = 0;
			self->applying = TRUE;
			GtkWidget *row;
			while ((row = gtk_widget_get_first_child(GTK_WIDGET(self->lists)))) {
				gtk_list_box_remove(self->lists, row);
			}
			g_array_set_size(self->list_ids, 0);
			g_ptr_array_set_size(self->list_codes, 0);
			g_ptr_array_set_size(self->list_labels, 0);
			GtkListBoxRow *select = NULL;
			for (size_t i = 0; i < rep->n_price_lists; i++) {
				const Comptoir__Articles__PriceList *l = rep->price_lists[i];
				g_array_append_val(self->list_ids, l->id);
				g_ptr_array_add(self->list_codes, g_strdup(l->code));
				g_ptr_array_add(self->list_labels, g_strdup(l->label));
				gtk_list_box_append(self->lists, list_row(l->code, l->label));
				if (l->id == wanted) {
					select = gtk_list_box_get_row_at_index(self->lists, (int)i);
				}
			}
			gtk_list_box_select_row(self->lists, select);
			self->applying = FALSE;
			on_list_selected(self->lists, select, self);
			gtk_label_set_text(
			    self->lists_message,
			    rep->n_price_lists
				? ""
				: _("Aucun tarif : créez-en un pour chaque catégorie "
				    "de clients (syndics, revendeurs…)."));
		}
	}
	pending_free(p);
}

static void load_lists(CptPricingPage *self)
{
	self->lists_generation++;
	self->lists_loading = TRUE;
	Comptoir__Articles__ListPriceListsRequest req =
	    COMPTOIR__ARTICLES__LIST_PRICE_LISTS_REQUEST__INIT;
	cpt_conn_call_async(self->conn, PRICING_SERVICE "ListPriceLists", &req.base,
			    &comptoir__articles__list_price_lists_reply__descriptor, NULL,
			    lists_read, pending_new(self, self->lists_generation));
}

guint cpt_pricing_page_get_n_price_lists(CptPricingPage *self)
{
	return self->list_ids->len;
}

gboolean cpt_pricing_page_is_loading(CptPricingPage *self)
{
	return self->lists_loading;
}

gboolean cpt_pricing_page_select_price_list(CptPricingPage *self, const char *code)
{
	for (guint i = 0; i < self->list_codes->len; i++) {
		if (g_ascii_strcasecmp(g_ptr_array_index(self->list_codes, i), code) == 0) {
			gtk_list_box_select_row(self->lists,
						gtk_list_box_get_row_at_index(self->lists, (int)i));
			return TRUE;
		}
	}
	return FALSE;
}

const char *cpt_pricing_page_get_price_list_code(CptPricingPage *self)
{
	return list_code(self, chosen_list(self));
}

/* ---------------------------------------------------------------------------
 * The price list dialog: a new list, or the chosen one renamed
 */

typedef struct {
	CptPricingPage *page; /* a reference */
	GtkWindow *window;
	gint64 id;
	GtkGrid *grid;
	GtkLabel *message;
	GtkWidget *save;
	gboolean closed;
} ListDialog;

static void list_dialog_free(gpointer data)
{
	ListDialog *d = data;
	g_object_unref(d->page);
	g_free(d);
}

static GtkWidget *dialog_field(ListDialog *d, const char *name)
{
	return cpt_ui_find_named(GTK_WIDGET(d->grid), name);
}

static void list_saved(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	ListDialog *d = g_object_get_data(G_OBJECT(window), "cpt-price-list-dialog");
	if (!d->closed) {
		gtk_widget_set_sensitive(d->save, TRUE);
		if (r->status.code != CPT_OK) {
			GtkWidget *w = dialog_field(d, r->status.field);
			const char *cap = w ? g_object_get_data(G_OBJECT(w), "cpt-caption") : NULL;
			g_autofree char *text =
			    cap ? g_strdup_printf(_("%s : %s"), cap, cpt_ui_status_text(&r->status))
				: g_strdup(cpt_ui_status_text(&r->status));
			cpt_ui_field_error(w, d->message, text);
		} else {
			CptPricingPage *self = d->page;
			if (!self->disposed) {
				self->wanted_list =
				    ((Comptoir__Articles__PriceListReply *)r->output)
					->price_list->id;
				load_lists(self);
			}
			gtk_window_destroy(window);
		}
	}
	g_object_unref(window);
}

static void list_dialog_save(ListDialog *d)
{
	cpt_ui_clear_errors(d->message, dialog_field(d, "price_list.code"),
			    dialog_field(d, "price_list.label"), NULL);
	Comptoir__Articles__PriceList l = COMPTOIR__ARTICLES__PRICE_LIST__INIT;
	l.id = d->id;
	l.code = (char *)gtk_editable_get_text(GTK_EDITABLE(dialog_field(d, "price_list.code")));
	l.label = (char *)gtk_editable_get_text(GTK_EDITABLE(dialog_field(d, "price_list.label")));
	Comptoir__Articles__PriceListRequest req = COMPTOIR__ARTICLES__PRICE_LIST_REQUEST__INIT;
	req.price_list = &l;
	gtk_widget_set_sensitive(d->save, FALSE);
	cpt_conn_call_async(d->page->conn, PRICING_SERVICE "SavePriceList", &req.base,
			    &comptoir__articles__price_list_reply__descriptor, NULL, list_saved,
			    g_object_ref(d->window));
}

static void on_dialog_save(GtkButton *b, gpointer data)
{
	list_dialog_save(data);
}

static void on_dialog_cancel(GtkButton *b, gpointer data)
{
	gtk_window_destroy(((ListDialog *)data)->window);
}

static void on_dialog_destroy(GtkWidget *w, gpointer data)
{
	((ListDialog *)data)->closed = TRUE;
}

static GtkWidget *dialog_entry(ListDialog *d, int row, const char *caption, const char *name,
			       const char *text)
{
	GtkWidget *l = gtk_label_new(caption);
	gtk_label_set_xalign(GTK_LABEL(l), 1);
	GtkWidget *e = gtk_entry_new();
	gtk_widget_set_name(e, name);
	gtk_widget_set_hexpand(e, TRUE);
	g_object_set_data(G_OBJECT(e), "cpt-caption", (gpointer)caption);
	gtk_editable_set_text(GTK_EDITABLE(e), text);
	gtk_entry_set_activates_default(GTK_ENTRY(e), TRUE);
	gtk_grid_attach(d->grid, l, 0, row, 1, 1);
	gtk_grid_attach(d->grid, e, 1, row, 1, 1);
	return e;
}

GtkWindow *cpt_pricing_page_edit_price_list(CptPricingPage *self, gboolean rename)
{
	GtkListBoxRow *chosen = gtk_list_box_get_selected_row(self->lists);
	if (!self->writable || (rename && !chosen)) {
		return NULL;
	}
	int i = rename ? gtk_list_box_row_get_index(chosen) : -1;
	ListDialog *d = g_new0(ListDialog, 1);
	d->page = g_object_ref(self);
	d->id = rename ? g_array_index(self->list_ids, gint64, i) : 0;
	d->window = GTK_WINDOW(gtk_window_new());
	g_object_set_data_full(G_OBJECT(d->window), "cpt-price-list-dialog", d, list_dialog_free);
	g_signal_connect(d->window, "destroy", G_CALLBACK(on_dialog_destroy), d);
	gtk_window_set_title(d->window, rename ? _("Renommer le tarif") : _("Nouveau tarif"));
	gtk_window_set_modal(d->window, TRUE);
	gtk_window_set_default_size(d->window, 420, -1);
	GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
	if (GTK_IS_WINDOW(root)) {
		gtk_window_set_transient_for(d->window, GTK_WINDOW(root));
		gtk_window_set_destroy_with_parent(d->window, TRUE);
	}
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	g_object_set(box, "margin-top", 18, "margin-bottom", 12, "margin-start", 18, "margin-end",
		     18, NULL);
	d->grid = GTK_GRID(gtk_grid_new());
	gtk_grid_set_row_spacing(d->grid, 6);
	gtk_grid_set_column_spacing(d->grid, 12);
	GtkWidget *code =
	    dialog_entry(d, 0, _("Code"), "price_list.code",
			 rename ? (const char *)g_ptr_array_index(self->list_codes, i) : "");
	gtk_widget_set_tooltip_text(code, _("20 lettres, chiffres, . _ - au plus : SYNDIC"));
	dialog_entry(d, 1, _("Libellé"), "price_list.label",
		     rename ? (const char *)g_ptr_array_index(self->list_labels, i) : "");
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(d->grid));
	d->message = GTK_LABEL(gtk_label_new(NULL));
	gtk_widget_set_name(GTK_WIDGET(d->message), "message");
	gtk_label_set_wrap(d->message, TRUE);
	gtk_label_set_xalign(d->message, 0);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(d->message));
	GtkWidget *buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	gtk_widget_set_halign(buttons, GTK_ALIGN_END);
	GtkWidget *cancel = gtk_button_new_with_mnemonic(_("_Annuler"));
	gtk_widget_set_name(cancel, "cancel");
	g_signal_connect(cancel, "clicked", G_CALLBACK(on_dialog_cancel), d);
	d->save = gtk_button_new_with_mnemonic(_("_Enregistrer"));
	gtk_widget_set_name(d->save, "save");
	gtk_widget_add_css_class(d->save, "suggested-action");
	g_signal_connect(d->save, "clicked", G_CALLBACK(on_dialog_save), d);
	gtk_box_append(GTK_BOX(buttons), cancel);
	gtk_box_append(GTK_BOX(buttons), d->save);
	gtk_box_append(GTK_BOX(box), buttons);
	gtk_window_set_child(d->window, box);
	gtk_window_set_default_widget(d->window, d->save);
	gtk_window_present(d->window);
	gtk_widget_grab_focus(code);
	return d->window;
}

static void on_new_list(GtkButton *b, gpointer data)
{
	cpt_pricing_page_edit_price_list(data, FALSE);
}

static void on_rename_list(GtkButton *b, gpointer data)
{
	cpt_pricing_page_edit_price_list(data, TRUE);
}

/* ---------------------------------------------------------------------------
 * Clients and suppliers, chosen by code
 */

static void party_found(GObject *source, GAsyncResult *res, gpointer data)
{
	Pending *p = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	Chooser *c = p->chooser;
	if (!p->self->disposed && p->generation == c->generation) {
		gint64 id = 0;
		const char *name = NULL;
		if (cpt_code_lookup_match(c->kind, r, p->code, &id, &name)) {
			gtk_label_set_text(c->name, name);
			gtk_widget_remove_css_class(GTK_WIDGET(c->code), "error");
		} else {
			gtk_label_set_text(c->name, r->status.code != CPT_OK
							? cpt_ui_status_text(&r->status)
						    : c->kind == CPT_CODE_CLIENT
							? _("Aucun client n'a ce code.")
							: _("Aucun fournisseur n'a ce code."));
			gtk_widget_add_css_class(GTK_WIDGET(c->code), "error");
		}
		cpt_price_rules_set_owner(c->rules, id);
	}
	pending_free(p);
}

static void lookup_party(CptPricingPage *self, Chooser *c)
{
	g_clear_handle_id(&c->source, g_source_remove);
	c->generation++;
	g_autofree char *code = g_strstrip(g_strdup(gtk_editable_get_text(c->code)));
	if (!*code) {
		gtk_label_set_text(c->name, "");
		gtk_widget_remove_css_class(GTK_WIDGET(c->code), "error");
		cpt_price_rules_set_owner(c->rules, 0);
		return;
	}
	Pending *p = pending_new(self, c->generation);
	p->chooser = c;
	p->code = g_steal_pointer(&code);
	cpt_code_lookup(self->conn, c->kind, p->code, party_found, p);
}

static gboolean client_due(gpointer data)
{
	CptPricingPage *self = data;
	self->client.source = 0;
	lookup_party(self, &self->client);
	return G_SOURCE_REMOVE;
}

static gboolean supplier_due(gpointer data)
{
	CptPricingPage *self = data;
	self->supplier.source = 0;
	lookup_party(self, &self->supplier);
	return G_SOURCE_REMOVE;
}

static void on_party_code_changed(GtkEditable *e, gpointer data)
{
	CptPricingPage *self = data;
	Chooser *c = e == self->client.code ? &self->client : &self->supplier;
	g_clear_handle_id(&c->source, g_source_remove);
	c->generation++; /* an answer for the former code is of no use */
	c->source =
	    g_timeout_add(LOOKUP_DELAY_MS, c == &self->client ? client_due : supplier_due, self);
}

void cpt_pricing_page_choose_party(CptPricingPage *self, const char *tab, const char *code)
{
	Chooser *c = g_str_equal(tab, "clients") ? &self->client : &self->supplier;
	if (c->code) {
		gtk_editable_set_text(c->code, code);
		lookup_party(self, c);
	}
}

/* ---------------------------------------------------------------------------
 * The checker: "Quel prix pour…"
 */

static GtkWidget *check_field(CptPricingPage *self, const char *name)
{
	return cpt_ui_find_named(self->check.grid, name);
}

static const char *check_text(CptPricingPage *self, const char *name)
{
	return gtk_editable_get_text(GTK_EDITABLE(check_field(self, name)));
}

static void check_error(CptPricingPage *self, const char *name, const char *text)
{
	self->check.busy = FALSE;
	cpt_ui_field_error(check_field(self, name), self->check.message, text);
}

/* The answer in words: the price, where it comes from, and the rule that gave it. */
static void check_show(CptPricingPage *self, const Comptoir__Articles__PriceRule *rule)
{
	Checker *k = &self->check;
	g_autofree char *price = price_text(k->unit_price);
	g_autofree char *price_ht = g_strdup_printf(_("%s HT"), price);
	gtk_label_set_text(k->price, price_ht);
	g_autofree char *origin = NULL, *detail = NULL;
	if (g_str_equal(k->origin, "client")) {
		origin = g_strdup(_("prix client"));
	} else if (g_str_equal(k->origin, "price_list")) {
		const char *code = rule ? list_code(self, rule->price_list_id) : NULL;
		origin =
		    code ? g_strdup_printf(_("tarif %s"), code) : g_strdup(_("tarif du client"));
	} else {
		origin = g_strdup(_("prix de vente de l'article"));
	}
	if (rule) {
		g_autofree char *what = NULL;
		if (rule->has_unit_price) {
			what = g_strdup(_("prix fixe"));
		} else {
			g_autofree char *rate = cpt_ui_rate(rule->discount);
			g_autofree char *base = price_text(k->base_price);
			what = g_strdup_printf(_("remise de %s sur le prix de vente de %s"), rate,
					       base);
		}
		char qty[CPT_MONEY_FORMAT_SIZE];
		if (!cpt_money_format_qty(rule->min_quantity, qty, sizeof qty)) {
			qty[0] = '\0';
		}
		g_autofree char *from = rule->min_quantity
					    ? g_strdup_printf(_("à partir de %s"), qty)
					    : g_strdup(_("quelle que soit la quantité"));
		g_autofree char *validity =
		    cpt_price_rules_validity_text(rule->valid_from, rule->valid_to);
		detail = g_strdup_printf(_("%s, %s, valable %s"), what, from, validity);
	} else if (k->rule_id) {
		detail = g_strdup(_("règle introuvable : elle vient d'être changée"));
	} else {
		detail = g_strdup(k->party_id
				      ? _("aucun prix du client ni de son tarif ne s'applique à "
					  "cette quantité ce jour-là")
				      : _("sans client, le prix de vente de l'article s'applique"));
	}
	gtk_label_set_text(k->source, origin);
	gtk_label_set_text(k->rule, detail);
	k->busy = FALSE;
}

static void check_rule_read(GObject *source, GAsyncResult *res, gpointer data)
{
	Pending *p = data;
	CptPricingPage *self = p->self;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (!self->disposed && p->generation == self->check.generation) {
		const Comptoir__Articles__PriceRule *rule = NULL;
		if (r->status.code == CPT_OK) {
			const Comptoir__Articles__ListPriceRulesReply *rep =
			    (const void *)r->output;
			for (size_t i = 0; i < rep->n_rules; i++) {
				if (rep->rules[i]->id == self->check.rule_id) {
					rule = rep->rules[i];
				}
			}
		}
		check_show(self, rule);
	}
	pending_free(p);
}

/* The server's fields of Resolve, and the checker's entries that hold them. */
static const char *check_entry_for(const char *field)
{
	static const char *const map[][2] = {{"party_id", "check.client"},
					     {"article_id", "check.article"},
					     {"quantity", "check.quantity"},
					     {"date", "check.date"}};
	for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
		if (g_str_equal(field, map[i][0])) {
			return map[i][1];
		}
	}
	return NULL;
}

static void check_resolved(GObject *source, GAsyncResult *res, gpointer data)
{
	Pending *p = data;
	CptPricingPage *self = p->self;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	Checker *k = &self->check;
	if (!self->disposed && p->generation == k->generation) {
		if (r->status.code != CPT_OK) {
			const char *entry = check_entry_for(r->status.field);
			check_error(self, entry ? entry : "", cpt_ui_status_text(&r->status));
		} else {
			const Comptoir__Articles__ResolvePriceReply *rep = (const void *)r->output;
			k->unit_price = rep->unit_price;
			k->base_price = rep->base_price;
			k->rule_id = rep->rule_id;
			g_free(k->origin);
			k->origin = g_strdup(rep->source);
			if (!k->rule_id) {
				check_show(self, NULL);
			} else {
				/* The winning rule is among the article's. */
				Comptoir__Articles__ListPriceRulesRequest req =
				    COMPTOIR__ARTICLES__LIST_PRICE_RULES_REQUEST__INIT;
				req.article_id = k->article_id;
				cpt_conn_call_async(
				    self->conn, PRICING_SERVICE "ListRules", &req.base,
				    &comptoir__articles__list_price_rules_reply__descriptor, NULL,
				    check_rule_read, pending_new(self, k->generation));
			}
		}
	}
	pending_free(p);
}

static void check_resolve(CptPricingPage *self)
{
	Checker *k = &self->check;
	Comptoir__Articles__ResolvePriceRequest req =
	    COMPTOIR__ARTICLES__RESOLVE_PRICE_REQUEST__INIT;
	req.party_id = k->party_id;
	req.article_id = k->article_id;
	req.quantity = k->quantity;
	req.date = k->date;
	cpt_conn_call_async(self->conn, PRICING_SERVICE "Resolve", &req.base,
			    &comptoir__articles__resolve_price_reply__descriptor, NULL,
			    check_resolved, pending_new(self, k->generation));
}

static void check_found(GObject *source, GAsyncResult *res, gpointer data)
{
	Pending *p = data;
	CptPricingPage *self = p->self;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	Checker *k = &self->check;
	if (!self->disposed && p->generation == k->generation) {
		gint64 id = 0;
		const char *label = NULL;
		k->lookups--;
		if (cpt_code_lookup_match(p->kind, r, p->code, &id, &label)) {
			if (p->kind == CPT_CODE_ARTICLE) {
				k->article_id = id;
			} else {
				k->party_id = id;
			}
		} else if (!k->failed) {
			k->failed = TRUE;
			check_error(self, gtk_widget_get_name(p->entry),
				    r->status.code != CPT_OK	  ? cpt_ui_status_text(&r->status)
				    : p->kind == CPT_CODE_ARTICLE ? _("Aucun article n'a ce code.")
								  : _("Aucun client n'a ce code."));
		}
		if (k->lookups == 0 && !k->failed) {
			check_resolve(self);
		}
	}
	pending_free(p);
}

static void check_lookup(CptPricingPage *self, CptCodeKind kind, const char *entry,
			 const char *code)
{
	Pending *p = pending_new(self, self->check.generation);
	p->kind = kind;
	p->entry = check_field(self, entry);
	p->code = g_strdup(code);
	self->check.lookups++;
	cpt_code_lookup(self->conn, kind, code, check_found, p);
}

/* Reads the question; every field is checked before anything is asked. */
static void check_run(CptPricingPage *self)
{
	Checker *k = &self->check;
	k->generation++;
	k->busy = TRUE;
	k->failed = FALSE;
	k->lookups = 0;
	k->party_id = k->article_id = 0;
	cpt_ui_clear_errors(k->message, check_field(self, "check.client"),
			    check_field(self, "check.article"), check_field(self, "check.quantity"),
			    check_field(self, "check.date"), NULL);
	gtk_label_set_text(k->price, "");
	gtk_label_set_text(k->source, "");
	gtk_label_set_text(k->rule, "");
	g_autofree char *client = g_strstrip(g_strdup(check_text(self, "check.client")));
	g_autofree char *article = g_strstrip(g_strdup(check_text(self, "check.article")));
	if (!cpt_money_parse_qty(check_text(self, "check.quantity"), &k->quantity)) {
		check_error(self, "check.quantity",
			    _("Quantité invalide : un nombre avec 3 décimales au plus, par exemple "
			      "1,5."));
		return;
	}
	g_free(k->date);
	k->date = cpt_ui_date_to_iso(check_text(self, "check.date"));
	if (!k->date) {
		check_error(self, "check.date",
			    _("Date invalide : jj/mm/aaaa, par exemple 31/12/2026."));
		return;
	}
	if (!*article) {
		check_error(self, "check.article", _("Article obligatoire : tapez son code."));
		return;
	}
	check_lookup(self, CPT_CODE_ARTICLE, "check.article", article);
	if (*client) {
		check_lookup(self, CPT_CODE_CLIENT, "check.client", client);
	}
}

void cpt_pricing_page_check(CptPricingPage *self, const char *client, const char *article,
			    const char *quantity, const char *date)
{
	const char *values[] = {client, article, quantity, date};
	const char *names[] = {"check.client", "check.article", "check.quantity", "check.date"};
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		if (values[i]) {
			gtk_editable_set_text(GTK_EDITABLE(check_field(self, names[i])), values[i]);
		}
	}
	check_run(self);
}

gboolean cpt_pricing_page_is_checking(CptPricingPage *self)
{
	return self->check.busy;
}

static void on_check(GtkWidget *w, gpointer data)
{
	check_run(data);
}

/* ---------------------------------------------------------------------------
 * The page
 */

void cpt_pricing_page_show_tab(CptPricingPage *self, const char *tab)
{
	if (gtk_stack_get_child_by_name(self->tabs, tab)) {
		gtk_stack_set_visible_child_name(self->tabs, tab);
	}
}

CptPriceRules *cpt_pricing_page_get_rules(CptPricingPage *self, const char *tab)
{
	if (g_str_equal(tab, "lists")) {
		return self->list_rules;
	}
	return g_str_equal(tab, "clients") ? self->client.rules : self->supplier.rules;
}

GtkWidget *cpt_pricing_page_get_widget(CptPricingPage *self, const char *name)
{
	return cpt_ui_find_named(GTK_WIDGET(self), name);
}

static void on_event(CptConn *conn, const char *topic, gint64 id, const char *action, gpointer data)
{
	if (g_str_equal(topic, "price_list")) {
		load_lists(data);
	}
}

static void module_refresh(GtkWidget *w, const char *name, GVariant *param)
{
	CptPricingPage *self = CPT_PRICING_PAGE(w);
	load_lists(self);
	cpt_price_rules_reload(self->list_rules);
	if (self->client.rules) {
		cpt_price_rules_reload(self->client.rules);
	}
	if (self->supplier.rules) {
		cpt_price_rules_reload(self->supplier.rules);
	}
}

/* Ctrl+N: a price in the tab shown, or a new price list when none is chosen. */
static void module_new(GtkWidget *w, const char *name, GVariant *param)
{
	CptPricingPage *self = CPT_PRICING_PAGE(w);
	const char *tab = gtk_stack_get_visible_child_name(self->tabs);
	CptPriceRules *rules = tab ? cpt_pricing_page_get_rules(self, tab) : NULL;
	if (rules && cpt_price_rules_get_owner(rules)) {
		cpt_price_rules_add(rules);
	} else if (g_strcmp0(tab, "lists") == 0) {
		cpt_pricing_page_edit_price_list(self, FALSE);
	}
}

static GtkWidget *heading(const char *text)
{
	GtkWidget *l = gtk_label_new(text);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_widget_add_css_class(l, "heading");
	return l;
}

static GtkWidget *build_lists_tab(CptPricingPage *self)
{
	GtkWidget *left = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	gtk_box_append(GTK_BOX(left), heading(_("Tarifs (catégories de clients)")));
	self->lists = GTK_LIST_BOX(gtk_list_box_new());
	gtk_widget_set_name(GTK_WIDGET(self->lists), "price_lists");
	gtk_list_box_set_selection_mode(self->lists, GTK_SELECTION_SINGLE);
	g_signal_connect(self->lists, "row-selected", G_CALLBACK(on_list_selected), self);
	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), GTK_WIDGET(self->lists));
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll), GTK_POLICY_NEVER,
				       GTK_POLICY_AUTOMATIC);
	gtk_widget_set_vexpand(scroll, TRUE);
	gtk_widget_add_css_class(scroll, "frame");
	gtk_box_append(GTK_BOX(left), scroll);
	self->lists_message = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_wrap(self->lists_message, TRUE);
	gtk_label_set_xalign(self->lists_message, 0);
	gtk_widget_add_css_class(GTK_WIDGET(self->lists_message), "dim-label");
	gtk_box_append(GTK_BOX(left), GTK_WIDGET(self->lists_message));
	GtkWidget *buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	self->new_list = gtk_button_new_with_mnemonic(_("Nou_veau tarif…"));
	g_signal_connect(self->new_list, "clicked", G_CALLBACK(on_new_list), self);
	self->rename_list = gtk_button_new_with_mnemonic(_("_Renommer…"));
	gtk_widget_set_sensitive(self->rename_list, FALSE);
	g_signal_connect(self->rename_list, "clicked", G_CALLBACK(on_rename_list), self);
	gtk_box_append(GTK_BOX(buttons), self->new_list);
	gtk_box_append(GTK_BOX(buttons), self->rename_list);
	gtk_widget_set_visible(buttons, self->writable);
	gtk_box_append(GTK_BOX(left), buttons);

	self->list_rules = CPT_PRICE_RULES(cpt_price_rules_new(self->conn, CPT_PRICE_RULES_LIST));
	GtkWidget *paned = gtk_paned_new(GTK_ORIENTATION_HORIZONTAL);
	gtk_paned_set_start_child(GTK_PANED(paned), left);
	gtk_paned_set_end_child(GTK_PANED(paned), GTK_WIDGET(self->list_rules));
	gtk_paned_set_resize_start_child(GTK_PANED(paned), FALSE);
	gtk_paned_set_shrink_start_child(GTK_PANED(paned), FALSE);
	gtk_paned_set_position(GTK_PANED(paned), 260);
	gtk_widget_set_size_request(left, 200, -1);
	return paned;
}

/* A tab whose prices belong to a party typed by its code. */
static GtkWidget *build_party_tab(CptPricingPage *self, Chooser *c, CptCodeKind kind,
				  CptPriceRulesKind rules_kind, const char *caption,
				  const char *party)
{
	g_autofree char *name = g_strconcat(party, ".code", NULL);
	g_autofree char *found = g_strconcat(party, ".name", NULL);
	c->kind = kind;
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	GtkWidget *line = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	gtk_box_append(GTK_BOX(line), gtk_label_new(caption));
	GtkWidget *e = gtk_entry_new();
	gtk_widget_set_name(e, name);
	gtk_editable_set_width_chars(GTK_EDITABLE(e), 14);
	gtk_entry_set_placeholder_text(GTK_ENTRY(e), _("Code"));
	c->code = GTK_EDITABLE(e);
	g_signal_connect(e, "changed", G_CALLBACK(on_party_code_changed), self);
	gtk_box_append(GTK_BOX(line), e);
	c->name = GTK_LABEL(gtk_label_new(NULL));
	gtk_widget_set_name(GTK_WIDGET(c->name), found);
	gtk_label_set_xalign(c->name, 0);
	gtk_label_set_ellipsize(c->name, PANGO_ELLIPSIZE_END);
	gtk_widget_set_hexpand(GTK_WIDGET(c->name), TRUE);
	gtk_box_append(GTK_BOX(line), GTK_WIDGET(c->name));
	gtk_box_append(GTK_BOX(box), line);
	c->rules = CPT_PRICE_RULES(cpt_price_rules_new(self->conn, rules_kind));
	gtk_widget_set_vexpand(GTK_WIDGET(c->rules), TRUE);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(c->rules));
	return box;
}

static GtkWidget *check_entry(CptPricingPage *self, int col, const char *caption, const char *name,
			      int chars, const char *text)
{
	GtkWidget *l = gtk_label_new(caption);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_widget_add_css_class(l, "dim-label");
	GtkWidget *e = gtk_entry_new();
	gtk_widget_set_name(e, name);
	gtk_editable_set_width_chars(GTK_EDITABLE(e), chars);
	gtk_editable_set_text(GTK_EDITABLE(e), text);
	g_signal_connect(e, "activate", G_CALLBACK(on_check), self);
	gtk_grid_attach(GTK_GRID(self->check.grid), l, col, 0, 1, 1);
	gtk_grid_attach(GTK_GRID(self->check.grid), e, col, 1, 1, 1);
	return e;
}

static GtkLabel *answer_label(const char *name)
{
	GtkLabel *l = GTK_LABEL(gtk_label_new(NULL));
	gtk_widget_set_name(GTK_WIDGET(l), name);
	gtk_label_set_xalign(l, 0);
	gtk_label_set_selectable(l, TRUE);
	return l;
}

static GtkWidget *build_checker(CptPricingPage *self)
{
	Checker *k = &self->check;
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	gtk_box_append(GTK_BOX(box), heading(_("Quel prix pour…")));
	k->grid = gtk_grid_new();
	gtk_grid_set_column_spacing(GTK_GRID(k->grid), 6);
	gtk_grid_set_row_spacing(GTK_GRID(k->grid), 2);
	GtkWidget *client = check_entry(self, 0, _("Client"), "check.client", 12, "");
	gtk_entry_set_placeholder_text(GTK_ENTRY(client), _("aucun"));
	gtk_widget_set_tooltip_text(client, _("Code du client ; vide : sans client"));
	gtk_widget_set_sensitive(client, cpt_conn_has_permission(self->conn, "clients.read"));
	check_entry(self, 1, _("Article"), "check.article", 12, "");
	GtkWidget *qty = check_entry(self, 2, _("Quantité"), "check.quantity", 7, "1");
	gtk_editable_set_alignment(GTK_EDITABLE(qty), 1);
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *today = g_date_time_format(now, "%d/%m/%Y");
	GtkWidget *date = check_entry(self, 3, _("Date"), "check.date", 10, today);
	gtk_entry_set_placeholder_text(GTK_ENTRY(date), _("aujourd'hui"));
	GtkWidget *run = gtk_button_new_with_mnemonic(_("_Calculer"));
	gtk_widget_set_name(run, "check.run");
	g_signal_connect(run, "clicked", G_CALLBACK(on_check), self);
	gtk_grid_attach(GTK_GRID(k->grid), run, 4, 1, 1, 1);
	gtk_box_append(GTK_BOX(box), k->grid);

	GtkWidget *answer = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	k->price = answer_label("check.price");
	gtk_widget_add_css_class(GTK_WIDGET(k->price), "title-3");
	k->source = answer_label("check.source");
	gtk_widget_add_css_class(GTK_WIDGET(k->source), "heading");
	k->rule = answer_label("check.rule");
	gtk_label_set_wrap(k->rule, TRUE);
	gtk_widget_set_hexpand(GTK_WIDGET(k->rule), TRUE);
	gtk_box_append(GTK_BOX(answer), GTK_WIDGET(k->price));
	gtk_box_append(GTK_BOX(answer), GTK_WIDGET(k->source));
	gtk_box_append(GTK_BOX(answer), GTK_WIDGET(k->rule));
	gtk_box_append(GTK_BOX(box), answer);
	k->message = answer_label("check.message");
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(k->message));
	/* The rule of server/pricing.c, in the words of the people who apply it. */
	GtkWidget *how = gtk_label_new(
	    _("Le prix propre au client passe avant celui de son tarif. À égalité, le palier de "
	      "quantité le plus haut l'emporte, puis le prix entré en vigueur le plus récemment. "
	      "Sans prix particulier, c'est le prix de vente de l'article."));
	gtk_label_set_wrap(GTK_LABEL(how), TRUE);
	gtk_label_set_xalign(GTK_LABEL(how), 0);
	gtk_widget_add_css_class(how, "dim-label");
	gtk_box_append(GTK_BOX(box), how);
	return box;
}

static void cpt_pricing_page_dispose(GObject *object)
{
	CptPricingPage *self = CPT_PRICING_PAGE(object);
	self->disposed = TRUE;
	if (self->conn) {
		g_signal_handlers_disconnect_by_data(self->conn, self);
	}
	g_clear_handle_id(&self->client.source, g_source_remove);
	g_clear_handle_id(&self->supplier.source, g_source_remove);
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(cpt_pricing_page_parent_class)->dispose(object);
}

static void cpt_pricing_page_finalize(GObject *object)
{
	CptPricingPage *self = CPT_PRICING_PAGE(object);
	g_array_unref(self->list_ids);
	g_ptr_array_unref(self->list_codes);
	g_ptr_array_unref(self->list_labels);
	g_free(self->check.date);
	g_free(self->check.origin);
	G_OBJECT_CLASS(cpt_pricing_page_parent_class)->finalize(object);
}

static void cpt_pricing_page_class_init(CptPricingPageClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = cpt_pricing_page_dispose;
	G_OBJECT_CLASS(klass)->finalize = cpt_pricing_page_finalize;
	gtk_widget_class_install_action(wc, "module.refresh", NULL, module_refresh);
	gtk_widget_class_install_action(wc, "module.new", NULL, module_new);
}

static void cpt_pricing_page_init(CptPricingPage *self)
{
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	gtk_box_set_spacing(GTK_BOX(self), 6);
	g_object_set(self, "margin-top", 6, "margin-bottom", 6, "margin-start", 12, "margin-end",
		     12, NULL);
	self->list_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	self->list_codes = g_ptr_array_new_with_free_func(g_free);
	self->list_labels = g_ptr_array_new_with_free_func(g_free);
}

GtkWidget *cpt_pricing_page_new(CptConn *conn)
{
	CptPricingPage *self = g_object_new(CPT_TYPE_PRICING_PAGE, NULL);
	self->conn = g_object_ref(conn);
	self->writable = cpt_conn_has_permission(conn, "articles.write");

	self->tabs = GTK_STACK(gtk_stack_new());
	gtk_widget_set_vexpand(GTK_WIDGET(self->tabs), TRUE);
	gtk_stack_add_titled(self->tabs, build_lists_tab(self), "lists", _("Tarifs"));
	/* Each tab needs the right to find its parties by code. */
	if (cpt_conn_has_permission(conn, "clients.read")) {
		gtk_stack_add_titled(self->tabs,
				     build_party_tab(self, &self->client, CPT_CODE_CLIENT,
						     CPT_PRICE_RULES_CLIENT, _("Client"), "client"),
				     "clients", _("Prix client"));
	}
	if (cpt_conn_has_permission(conn, "suppliers.read")) {
		gtk_stack_add_titled(self->tabs,
				     build_party_tab(self, &self->supplier, CPT_CODE_SUPPLIER,
						     CPT_PRICE_RULES_SUPPLIER, _("Fournisseur"),
						     "supplier"),
				     "suppliers", _("Prix fournisseurs"));
	}
	GtkWidget *switcher = gtk_stack_switcher_new();
	gtk_stack_switcher_set_stack(GTK_STACK_SWITCHER(switcher), self->tabs);
	gtk_widget_set_halign(switcher, GTK_ALIGN_START);
	gtk_box_append(GTK_BOX(self), switcher);
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->tabs));
	gtk_box_append(GTK_BOX(self), gtk_separator_new(GTK_ORIENTATION_HORIZONTAL));
	gtk_box_append(GTK_BOX(self), build_checker(self));

	g_signal_connect(conn, "event", G_CALLBACK(on_event), self);
	load_lists(self);
	return GTK_WIDGET(self);
}
