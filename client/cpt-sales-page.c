/*
 * CptSalesPage; see cpt-sales-page.h. One class for both books: the book
 * chooses the List method, the types offered, the states, the columns and
 * the actions. The totals under the list come from a List call of their
 * own (one row, with_total), asked again whenever the filter, the search
 * or the documents change; a generation number drops answers to a filter
 * since replaced.
 */
#include "cpt-sales-page.h"
#include "cpt-sales-actions.h"
#include "cpt-sales-editor.h"
#include "cpt-ui.h"

#include "sales.pb-c.h"

#include <glib/gi18n.h>

#define TOTALS_DELAY_MS 150 /* several changes at once ask once */

struct _CptSalesPage {
	GtkBox parent_instance;
	CptConn *conn;
	CptSalesBook book;
	CptListView *list;
	CptSalesFilter filter; /* read by the list's source: lives as long as the page */
	GtkDropDown *type_drop, *state_drop;
	GtkLabel *totals, *message;
	guint totals_asked, totals_shown; /* generations */
	guint totals_source;
	gboolean applying; /* the dropdowns are being set from code */
	gboolean writable;
	GtkWidget *validate, *convert, *credit, *sent, *accepted, *refused, *preview, *export_cii,
	    *export_ubl;
	GtkWindow *made; /* weak */
};

G_DEFINE_TYPE(CptSalesPage, cpt_sales_page, GTK_TYPE_BOX)

static const char *topic_of(CptSalesBook book)
{
	return book == CPT_SALES_QUOTES ? "sales_quotes" : "sales_invoices";
}

/* ---------------------------------------------------------------------------
 * Totals of what the filter keeps
 */

typedef struct {
	CptSalesPage *self; /* a reference */
	guint generation;
} TotalsCall;

static void totals_in(GObject *source, GAsyncResult *res, gpointer data)
{
	TotalsCall *t = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	CptSalesPage *self = t->self;
	if (self->list && t->generation == self->totals_asked) {
		g_autofree char *text = cpt_sales_totals_text(r);
		gtk_label_set_text(self->totals, text);
		self->totals_shown = t->generation;
	}
	g_object_unref(self);
	g_free(t);
}

static gboolean fetch_totals(gpointer data)
{
	CptSalesPage *self = data;
	self->totals_source = 0;
	TotalsCall *t = g_new0(TotalsCall, 1);
	t->self = g_object_ref(self);
	t->generation = ++self->totals_asked;
	cpt_sales_totals_fetch(self->conn, self->book, &self->filter,
			       gtk_editable_get_text(cpt_list_view_get_search(self->list)),
			       totals_in, t);
	return G_SOURCE_REMOVE;
}

static void schedule_totals(CptSalesPage *self)
{
	if (self->totals_source) {
		g_source_remove(self->totals_source);
	}
	self->totals_source = g_timeout_add(TOTALS_DELAY_MS, fetch_totals, self);
}

static void on_search_changed(GtkSearchEntry *entry, gpointer data)
{
	schedule_totals(data);
}

static void on_event(CptConn *conn, const char *topic, gint64 id, const char *action, gpointer data)
{
	CptSalesPage *self = data;
	if (g_str_equal(topic, topic_of(self->book))) {
		schedule_totals(self);
	}
}

/* ---------------------------------------------------------------------------
 * Filters
 */

static void update_buttons(CptSalesPage *self);

static void apply_filter(CptSalesPage *self)
{
	if (self->applying) {
		return;
	}
	const char *const *types = cpt_sales_types(self->book);
	guint t = gtk_drop_down_get_selected(self->type_drop);
	self->filter.type = t < g_strv_length((char **)types) ? types[t] : types[0];
	const char *const *states = cpt_sales_states(self->book);
	guint s = gtk_drop_down_get_selected(self->state_drop);
	/* Position 0 is "every state"; then the book's states in order. */
	self->filter.state = s > 0 && s <= g_strv_length((char **)states) ? states[s - 1] : "";
	cpt_paged_model_set_filter(cpt_list_view_get_model(self->list), &self->filter);
	update_buttons(self);
	schedule_totals(self);
}

static void on_filter_changed(GObject *w, GParamSpec *pspec, gpointer data)
{
	apply_filter(data);
}

void cpt_sales_page_filter(CptSalesPage *self, const char *type, const char *state)
{
	self->applying = TRUE;
	const char *const *types = cpt_sales_types(self->book);
	for (guint i = 0; types[i]; i++) {
		if (g_strcmp0(type, types[i]) == 0) {
			gtk_drop_down_set_selected(self->type_drop, i);
		}
	}
	const char *const *states = cpt_sales_states(self->book);
	guint s = 0;
	for (guint i = 0; states[i]; i++) {
		if (g_strcmp0(state, states[i]) == 0) {
			s = i + 1;
		}
	}
	gtk_drop_down_set_selected(self->state_drop, s);
	self->applying = FALSE;
	apply_filter(self);
}

/* ---------------------------------------------------------------------------
 * Actions on the rows selected
 */

static void show_message(CptSalesPage *self, const char *text)
{
	gtk_label_set_text(self->message, text ? text : "");
}

static void update_buttons(CptSalesPage *self)
{
	const char *type = self->filter.type;
	g_autoptr(GPtrArray) rows = cpt_list_view_get_selected_rows(self->list);
	gboolean one = rows->len == 1;
	gboolean draft =
	    one && (((CptRow *)g_ptr_array_index(rows, 0))->flags & CPT_SALES_ROW_DRAFT);
	gboolean validated = rows->len > 0;
	for (guint i = 0; i < rows->len; i++) {
		validated = validated &&
			    !(((CptRow *)g_ptr_array_index(rows, i))->flags & CPT_SALES_ROW_DRAFT);
	}
	gboolean quote = g_str_equal(type, "quote");
	gboolean invoice = g_str_equal(type, "invoice") || g_str_equal(type, "deposit_invoice");
	gboolean einvoice = invoice || g_str_equal(type, "credit_note");
	gboolean groups = g_str_equal(type, "delivery") || quote; /* several make one invoice */
	gboolean convertible = quote || g_str_equal(type, "order") || g_str_equal(type, "delivery");
	gtk_widget_set_sensitive(self->validate, draft);
	gtk_widget_set_visible(self->convert, self->writable && convertible);
	gtk_widget_set_sensitive(self->convert, validated && (one || groups));
	gtk_widget_set_visible(self->credit, self->writable && invoice);
	gtk_widget_set_sensitive(self->credit, one && validated);
	const GtkWidget *states[] = {self->sent, self->accepted, self->refused};
	for (size_t i = 0; i < G_N_ELEMENTS(states); i++) {
		gtk_widget_set_visible((GtkWidget *)states[i], self->writable && quote);
		gtk_widget_set_sensitive((GtkWidget *)states[i], one && validated);
	}
	gtk_widget_set_sensitive(self->preview, one);
	gtk_widget_set_visible(self->export_cii, einvoice);
	gtk_widget_set_visible(self->export_ubl, einvoice);
	gtk_widget_set_sensitive(self->export_cii, one && validated);
	gtk_widget_set_sensitive(self->export_ubl, one && validated);
}

static void on_selection_changed(GtkSelectionModel *m, guint pos, guint n, gpointer data)
{
	update_buttons(data);
}

/* The one row selected, or NULL (with a word when several are). */
static CptRow *one_selected(CptSalesPage *self)
{
	g_autoptr(GPtrArray) rows = cpt_list_view_get_selected_rows(self->list);
	if (rows->len != 1) {
		show_message(self, rows->len ? _("Choisissez un seul document.")
					     : _("Choisissez d'abord un document."));
		return NULL;
	}
	return cpt_list_view_get_selected(self->list);
}

static void on_done(GtkWidget *origin, const CptCallResult *r, const char *message)
{
	show_message(CPT_SALES_PAGE(origin), message);
}

static void on_made(GtkWidget *origin, const CptCallResult *r, const char *message)
{
	CptSalesPage *self = CPT_SALES_PAGE(origin);
	show_message(self, message);
	if (r->status.code != CPT_OK) {
		return;
	}
	const Comptoir__Sales__Document *d =
	    ((Comptoir__Sales__DocumentReply *)r->output)->document;
	if (self->made) {
		g_object_remove_weak_pointer(G_OBJECT(self->made), (gpointer *)&self->made);
	}
	self->made = cpt_sales_editor_open(self->conn, GTK_WIDGET(self), d->type, d->id);
	g_object_add_weak_pointer(G_OBJECT(self->made), (gpointer *)&self->made);
}

GtkWindow *cpt_sales_page_open(CptSalesPage *self, gint64 id)
{
	return cpt_sales_editor_open(self->conn, GTK_WIDGET(self), self->filter.type, id);
}

GtkWindow *cpt_sales_page_convert_selected(CptSalesPage *self)
{
	g_autoptr(GPtrArray) rows = cpt_list_view_get_selected_rows(self->list);
	if (rows->len == 0) {
		show_message(self, _("Choisissez d'abord un document."));
		return NULL;
	}
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	for (guint i = 0; i < rows->len; i++) {
		CptRow *row = g_ptr_array_index(rows, i);
		if (row->flags & CPT_SALES_ROW_DRAFT) {
			show_message(self, _("Validez d'abord les brouillons choisis."));
			return NULL;
		}
		g_array_append_val(ids, row->id);
	}
	return cpt_sales_convert_ask(self->conn, GTK_WIDGET(self), self->filter.type,
				     &g_array_index(ids, gint64, 0), ids->len, on_made);
}

GtkWindow *cpt_sales_page_get_made(CptSalesPage *self)
{
	return self->made;
}

static void on_new(GtkButton *b, gpointer data)
{
	cpt_sales_page_open(CPT_SALES_PAGE(data), 0);
}

static void on_open(GtkButton *b, gpointer data)
{
	CptSalesPage *self = data;
	CptRow *row = one_selected(self);
	if (row) {
		cpt_sales_page_open(self, row->id);
	}
}

static void on_activate(GtkColumnView *view, guint position, gpointer data)
{
	CptSalesPage *self = data;
	g_autoptr(CptRow) row =
	    g_list_model_get_item(G_LIST_MODEL(cpt_list_view_get_model(self->list)), position);
	if (row && !row->loading) {
		cpt_sales_page_open(self, row->id);
	}
}

static void on_validate(GtkButton *b, gpointer data)
{
	CptSalesPage *self = data;
	CptRow *row = one_selected(self);
	if (row) {
		cpt_sales_validate(self->conn, GTK_WIDGET(self), self->filter.type, row->id,
				   on_done);
	}
}

static void on_convert(GtkButton *b, gpointer data)
{
	cpt_sales_page_convert_selected(data);
}

static void on_credit(GtkButton *b, gpointer data)
{
	CptSalesPage *self = data;
	CptRow *row = one_selected(self);
	if (row) {
		cpt_sales_credit_note_ask(self->conn, GTK_WIDGET(self), row->id, on_made);
	}
}

static void on_quote_state(GtkButton *b, gpointer data)
{
	CptSalesPage *self = data;
	CptRow *row = one_selected(self);
	if (row) {
		cpt_sales_set_quote_state(self->conn, GTK_WIDGET(self), row->id,
					  g_object_get_data(G_OBJECT(b), "cpt-state"), on_done);
	}
}

static void on_preview(GtkButton *b, gpointer data)
{
	CptSalesPage *self = data;
	CptRow *row = one_selected(self);
	if (row) {
		show_message(self, _("Préparation du PDF…"));
		cpt_sales_preview(self->conn, GTK_WIDGET(self), self->filter.type, row->id,
				  on_done);
	}
}

static void on_export(GtkButton *b, gpointer data)
{
	CptSalesPage *self = data;
	CptRow *row = one_selected(self);
	if (row) {
		cpt_sales_export_ask(self->conn, GTK_WIDGET(self), self->filter.type, row->id,
				     g_object_get_data(G_OBJECT(b), "cpt-format"), on_done);
	}
}

/* ---------------------------------------------------------------------------
 * The page
 */

CptListView *cpt_sales_page_get_list(CptSalesPage *self)
{
	return self->list;
}

const char *cpt_sales_page_get_type_shown(CptSalesPage *self)
{
	return self->filter.type;
}

const char *cpt_sales_page_get_totals(CptSalesPage *self)
{
	return gtk_label_get_text(self->totals);
}

gboolean cpt_sales_page_totals_current(CptSalesPage *self)
{
	return !self->totals_source && self->totals_shown == self->totals_asked;
}

const char *cpt_sales_page_get_message(CptSalesPage *self)
{
	return gtk_label_get_text(self->message);
}

static void module_refresh(GtkWidget *w, const char *name, GVariant *param)
{
	CptSalesPage *self = CPT_SALES_PAGE(w);
	cpt_list_view_reload(self->list);
	schedule_totals(self);
}

static void module_new(GtkWidget *w, const char *name, GVariant *param)
{
	CptSalesPage *self = CPT_SALES_PAGE(w);
	if (cpt_conn_has_permission(self->conn, cpt_sales_write_permission(self->book))) {
		cpt_sales_page_open(self, 0);
	}
}

static void module_search(GtkWidget *w, const char *name, GVariant *param)
{
	gtk_widget_grab_focus(GTK_WIDGET(cpt_list_view_get_search(CPT_SALES_PAGE(w)->list)));
}

static void cpt_sales_page_dispose(GObject *object)
{
	CptSalesPage *self = CPT_SALES_PAGE(object);
	if (self->conn) {
		g_signal_handlers_disconnect_by_data(self->conn, self);
	}
	if (self->totals_source) {
		g_source_remove(self->totals_source);
		self->totals_source = 0;
	}
	if (self->made) {
		g_object_remove_weak_pointer(G_OBJECT(self->made), (gpointer *)&self->made);
		self->made = NULL;
	}
	self->list = NULL; /* owned by the box; late answers check it */
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(cpt_sales_page_parent_class)->dispose(object);
}

static void cpt_sales_page_class_init(CptSalesPageClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = cpt_sales_page_dispose;
	gtk_widget_class_install_action(wc, "module.refresh", NULL, module_refresh);
	gtk_widget_class_install_action(wc, "module.new", NULL, module_new);
	gtk_widget_class_install_action(wc, "module.search", NULL, module_search);
}

static void cpt_sales_page_init(CptSalesPage *self)
{
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	gtk_box_set_spacing(GTK_BOX(self), 6);
	g_object_set(self, "margin-top", 6, "margin-bottom", 6, "margin-start", 12, "margin-end",
		     12, NULL);
}

static GtkWidget *action_button(CptSalesPage *self, GtkBox *bar, const char *name,
				const char *mnemonic, const char *tooltip, GCallback cb)
{
	GtkWidget *b = gtk_button_new_with_mnemonic(mnemonic);
	gtk_widget_set_name(b, name);
	if (tooltip) {
		gtk_widget_set_tooltip_text(b, tooltip);
	}
	g_signal_connect(b, "clicked", cb, self);
	gtk_box_append(bar, b);
	return b;
}

static GtkWidget *page_new(CptConn *conn, CptSalesBook book)
{
	CptSalesPage *self = g_object_new(CPT_TYPE_SALES_PAGE, NULL);
	self->conn = g_object_ref(conn);
	self->book = book;
	self->filter.type = cpt_sales_types(book)[0];
	self->filter.state = "";
	guint n_columns;
	const CptColumnSpec *columns = cpt_sales_columns(book, &n_columns);
	self->list = cpt_list_view_new(conn, book == CPT_SALES_QUOTES ? "quotes" : "invoices",
				       cpt_sales_source(book), columns, n_columns);
	gtk_widget_set_vexpand(GTK_WIDGET(self->list), TRUE);
	cpt_list_view_set_multiple(self->list);
	cpt_paged_model_set_filter(cpt_list_view_get_model(self->list), &self->filter);
	cpt_list_view_follow(self->list, topic_of(book));
	g_object_set(cpt_list_view_get_search(self->list), "placeholder-text",
		     _("Numéro, code ou nom du client — sans se soucier des accents"), NULL);
	GtkBox *bar = cpt_list_view_get_toolbar(self->list);

	GtkStringList *types = gtk_string_list_new(NULL);
	for (const char *const *t = cpt_sales_types(book); *t; t++) {
		gtk_string_list_append(types, cpt_sales_type_label(*t));
	}
	self->type_drop = GTK_DROP_DOWN(gtk_drop_down_new(G_LIST_MODEL(types), NULL));
	gtk_widget_set_name(GTK_WIDGET(self->type_drop), "filter.type");
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->type_drop), _("Type de document"));
	gtk_box_append(bar, GTK_WIDGET(self->type_drop));
	GtkStringList *states = gtk_string_list_new(NULL);
	gtk_string_list_append(states, _("Tous les états"));
	for (const char *const *s = cpt_sales_states(book); *s; s++) {
		/* Agreed with the book's first type: "Validé" devis, "Validée" facture. */
		gtk_string_list_append(states, cpt_sales_state_label(cpt_sales_types(book)[0], *s));
	}
	self->state_drop = GTK_DROP_DOWN(gtk_drop_down_new(G_LIST_MODEL(states), NULL));
	gtk_widget_set_name(GTK_WIDGET(self->state_drop), "filter.state");
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->state_drop), _("État"));
	gtk_box_append(bar, GTK_WIDGET(self->state_drop));
	g_signal_connect(self->type_drop, "notify::selected", G_CALLBACK(on_filter_changed), self);
	g_signal_connect(self->state_drop, "notify::selected", G_CALLBACK(on_filter_changed), self);
	if (cpt_conn_has_permission(conn, cpt_sales_write_permission(book))) {
		GtkWidget *b = gtk_button_new_with_mnemonic(_("_Nouveau"));
		gtk_widget_set_name(b, "list.new");
		gtk_widget_set_tooltip_text(b, _("Nouveau document du type choisi (Ctrl+N)"));
		g_signal_connect(b, "clicked", G_CALLBACK(on_new), self);
		gtk_box_append(bar, b);
	}
	GtkWidget *open = gtk_button_new_with_mnemonic(_("_Ouvrir"));
	gtk_widget_set_tooltip_text(open, _("Ouvrir le document choisi"));
	g_signal_connect(open, "clicked", G_CALLBACK(on_open), self);
	gtk_box_append(bar, open);
	g_signal_connect(cpt_list_view_get_column_view(self->list), "activate",
			 G_CALLBACK(on_activate), self);
	g_signal_connect(gtk_column_view_get_model(cpt_list_view_get_column_view(self->list)),
			 "selection-changed", G_CALLBACK(on_selection_changed), self);
	g_signal_connect(cpt_list_view_get_search(self->list), "search-changed",
			 G_CALLBACK(on_search_changed), self);
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->list));

	self->totals = GTK_LABEL(gtk_label_new(""));
	gtk_widget_set_name(GTK_WIDGET(self->totals), "list.totals");
	gtk_label_set_xalign(self->totals, 1);
	gtk_label_set_selectable(self->totals, TRUE);
	gtk_widget_add_css_class(GTK_WIDGET(self->totals), "heading");
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->totals),
				    _("Totaux de tous les documents que le filtre et la recherche "
				      "retiennent"));
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->totals));

	GtkBox *actions = GTK_BOX(gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6));
	self->message = GTK_LABEL(gtk_label_new(NULL));
	gtk_widget_set_name(GTK_WIDGET(self->message), "message");
	gtk_label_set_xalign(self->message, 0);
	gtk_label_set_wrap(self->message, TRUE);
	gtk_widget_set_hexpand(GTK_WIDGET(self->message), TRUE);
	gtk_box_append(actions, GTK_WIDGET(self->message));
	self->writable = cpt_conn_has_permission(conn, cpt_sales_write_permission(book));
	self->preview =
	    action_button(self, actions, "preview", _("_Aperçu / Imprimer"),
			  _("Ouvrir le PDF pour le lire ou l'imprimer"), G_CALLBACK(on_preview));
	self->export_cii = action_button(
	    self, actions, "export.cii", _("Factur-X…"),
	    _("Exporter la facture Factur-X : le PDF/A-3 et sa facture électronique CII"),
	    G_CALLBACK(on_export));
	g_object_set_data(G_OBJECT(self->export_cii), "cpt-format", "facturx");
	self->export_ubl = action_button(self, actions, "export.ubl", _("UBL…"),
					 _("Exporter la facture électronique Peppol BIS (UBL)"),
					 G_CALLBACK(on_export));
	g_object_set_data(G_OBJECT(self->export_ubl), "cpt-format", "ubl");
	const struct {
		const char *name, *label, *state;
		GtkWidget **button;
	} states_buttons[] = {
	    {"quote.sent", N_("Envoyé"), "sent", &self->sent},
	    {"quote.accepted", N_("Accepté"), "accepted", &self->accepted},
	    {"quote.refused", N_("Refusé"), "refused", &self->refused},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(states_buttons); i++) {
		GtkWidget *b =
		    action_button(self, actions, states_buttons[i].name, _(states_buttons[i].label),
				  NULL, G_CALLBACK(on_quote_state));
		g_object_set_data(G_OBJECT(b), "cpt-state", (gpointer)states_buttons[i].state);
		*states_buttons[i].button = b;
	}
	self->credit =
	    action_button(self, actions, "credit_note", _("A_voir…"),
			  _("Corriger la facture choisie par un avoir"), G_CALLBACK(on_credit));
	self->convert = action_button(self, actions, "convert", _("_Convertir…"),
				      _("Faire le document suivant ; plusieurs bons de livraison "
					"choisis (Ctrl+clic) font une seule facture"),
				      G_CALLBACK(on_convert));
	self->validate = action_button(self, actions, "validate", _("_Valider"),
				       _("Attribuer le numéro définitif au brouillon choisi"),
				       G_CALLBACK(on_validate));
	gtk_widget_set_visible(self->validate,
			       cpt_conn_has_permission(conn, cpt_sales_validate_permission(book)));
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(actions));

	g_signal_connect(conn, "event", G_CALLBACK(on_event), self);
	update_buttons(self);
	schedule_totals(self);
	return GTK_WIDGET(self);
}

GtkWidget *cpt_quotes_page_new(CptConn *conn)
{
	return page_new(conn, CPT_SALES_QUOTES);
}

GtkWidget *cpt_invoices_page_new(CptConn *conn)
{
	return page_new(conn, CPT_SALES_INVOICES);
}
