/*
 * CptListView; see cpt-list-view.h.
 *
 * Server-side sorting with GTK 4.8's GtkColumnView: each sortable column has
 * a custom sorter that only records that it was asked. When the view's
 * sorter changes we compare two dummy rows through it: the primary column's
 * sorter answers first, and the view inverts its answer when the order is
 * descending — which tells which column and which way, without sorting
 * anything locally.
 */
#include "cpt-list-view.h"
#include "cpt-list-export.h"
#include "cpt-ui.h"

#include "prefs.pb-c.h"

#include <glib/gi18n.h>

struct _CptListView {
	GtkBox parent_instance;
	CptConn *conn;
	char *name;
	const CptColumnSpec *specs;
	guint n_specs;
	CptPagedModel *model;
	GtkSingleSelection *selection;
	GtkMultiSelection *multi; /* replaces selection once several rows may be chosen */
	GtkColumnView *view;
	GtkColumnViewColumn **columns; /* by spec index */
	GtkSearchEntry *search;
	GtkBox *toolbar;
	GtkSpinner *spinner;
	GtkLabel *count_label;
	GtkBox *columns_box; /* check buttons in the columns menu */
	int probed;	     /* sort probe: spec index of the column asked, or -1 */
	guint save_source;
	gboolean applying_layout;
	char *topic;	     /* followed by cpt_list_view_follow, or NULL */
	guint reload_source; /* a reload after events, coalesced */
};

G_DEFINE_TYPE(CptListView, cpt_list_view, GTK_TYPE_BOX)

/* ---------------------------------------------------------------------------
 * Cells
 */

static void cell_setup(GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
	GtkWidget *label = gtk_label_new(NULL);
	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
	gtk_list_item_set_child(item, label);
}

static void cell_bind(GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
	guint column = GPOINTER_TO_UINT(data);
	CptRow *row = gtk_list_item_get_item(item);
	GtkLabel *label = GTK_LABEL(gtk_list_item_get_child(item));
	gtk_label_set_text(label,
			   row->loading ? (column == 0 ? "…" : "") : cpt_row_cell(row, column));
}

/* ---------------------------------------------------------------------------
 * Sorting on the server
 */

static int probe_compare(gconstpointer a, gconstpointer b, gpointer data)
{
	CptListView *self = g_object_get_data(G_OBJECT(data), "cpt-list-view");
	if (self->probed < 0) {
		self->probed = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(data), "cpt-spec"));
	}
	return GTK_ORDERING_LARGER;
}

static void apply_sort(CptListView *self)
{
	if (!self->model) {
		return; /* disposing: the column view drops its columns */
	}
	GtkSorter *sorter = gtk_column_view_get_sorter(self->view);
	g_autoptr(CptRow) a = cpt_row_new_placeholder();
	g_autoptr(CptRow) b = cpt_row_new_placeholder();
	self->probed = -1;
	GtkOrdering o = gtk_sorter_compare(sorter, a, b);
	const char *key = "";
	gboolean descending = FALSE;
	if (self->probed >= 0) {
		key = self->specs[self->probed].sort_key;
		descending = o == GTK_ORDERING_SMALLER;
	}
	cpt_paged_model_set_query(self->model, gtk_editable_get_text(GTK_EDITABLE(self->search)),
				  key, descending);
}

static void on_sorter_changed(GtkSorter *sorter, GtkSorterChange change, gpointer data)
{
	apply_sort(CPT_LIST_VIEW(data));
}

static void on_search_changed(GtkSearchEntry *entry, gpointer data)
{
	apply_sort(CPT_LIST_VIEW(data));
}

void cpt_list_view_sort_by(CptListView *self, const char *column_id, gboolean descending)
{
	for (guint i = 0; i < self->n_specs; i++) {
		if (g_str_equal(self->specs[i].id, column_id)) {
			gtk_column_view_sort_by_column(self->view, self->columns[i],
						       descending ? GTK_SORT_DESCENDING
								  : GTK_SORT_ASCENDING);
		}
	}
}

/* ---------------------------------------------------------------------------
 * Column layout, saved per user on the server
 */

static int spec_index(CptListView *self, GtkColumnViewColumn *col)
{
	for (guint i = 0; i < self->n_specs; i++) {
		if (self->columns[i] == col) {
			return (int)i;
		}
	}
	return -1;
}

char *cpt_list_view_get_layout(CptListView *self)
{
	GListModel *cols = gtk_column_view_get_columns(self->view);
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < g_list_model_get_n_items(cols); i++) {
		g_autoptr(GtkColumnViewColumn) col = g_list_model_get_item(cols, i);
		int k = spec_index(self, col);
		g_string_append_printf(s, "%s%s%s", i ? "," : "",
				       gtk_column_view_column_get_visible(col) ? "" : "-",
				       self->specs[k].id);
	}
	return g_string_free(s, FALSE);
}

static void pref_saved(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
}

static gboolean save_layout(gpointer data)
{
	CptListView *self = data;
	self->save_source = 0;
	g_autofree char *layout = cpt_list_view_get_layout(self);
	g_autofree char *key = g_strdup_printf("list.%s.columns", self->name);
	Comptoir__Prefs__SetPrefRequest req = COMPTOIR__PREFS__SET_PREF_REQUEST__INIT;
	req.key = key;
	req.value = layout;
	cpt_conn_call_async(self->conn, "comptoir.prefs.Prefs/Set", &req.base,
			    &comptoir__prefs__pref_reply__descriptor, NULL, pref_saved, NULL);
	return G_SOURCE_REMOVE;
}

static void schedule_save(CptListView *self)
{
	if (self->applying_layout) {
		return;
	}
	if (self->save_source) {
		g_source_remove(self->save_source);
	}
	self->save_source = g_timeout_add(300, save_layout, self);
}

static void on_columns_changed(GListModel *cols, guint pos, guint removed, guint added,
			       gpointer data)
{
	schedule_save(CPT_LIST_VIEW(data));
}

static void sync_check_buttons(CptListView *self)
{
	guint i = 0;
	for (GtkWidget *w = gtk_widget_get_first_child(GTK_WIDGET(self->columns_box)); w;
	     w = gtk_widget_get_next_sibling(w), i++) {
		gtk_check_button_set_active(GTK_CHECK_BUTTON(w),
					    gtk_column_view_column_get_visible(self->columns[i]));
	}
}

static void apply_layout(CptListView *self, const char *layout)
{
	if (!layout || !*layout) {
		return;
	}
	self->applying_layout = TRUE;
	g_auto(GStrv) ids = g_strsplit(layout, ",", -1);
	guint pos = 0;
	for (char **id = ids; *id; id++) {
		gboolean hidden = **id == '-';
		const char *name = hidden ? *id + 1 : *id;
		for (guint i = 0; i < self->n_specs; i++) {
			if (g_str_equal(self->specs[i].id, name)) {
				gtk_column_view_insert_column(self->view, pos++, self->columns[i]);
				gtk_column_view_column_set_visible(self->columns[i], !hidden);
			}
		}
	}
	sync_check_buttons(self);
	self->applying_layout = FALSE;
}

static void pref_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	CptListView *self = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (r && r->status.code == CPT_OK) {
		apply_layout(self, ((Comptoir__Prefs__PrefReply *)r->output)->value);
	}
	g_object_unref(self);
}

void cpt_list_view_set_column_visible(CptListView *self, const char *column_id, gboolean visible)
{
	for (guint i = 0; i < self->n_specs; i++) {
		if (g_str_equal(self->specs[i].id, column_id)) {
			gtk_column_view_column_set_visible(self->columns[i], visible);
		}
	}
	sync_check_buttons(self);
	schedule_save(self);
}

static void on_column_toggled(GtkCheckButton *button, gpointer data)
{
	CptListView *self = data;
	guint i = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(button), "cpt-spec"));
	gboolean on = gtk_check_button_get_active(button);
	if (gtk_column_view_column_get_visible(self->columns[i]) != on) {
		gtk_column_view_column_set_visible(self->columns[i], on);
		schedule_save(self);
	}
}

/* ---------------------------------------------------------------------------
 * Status
 */

static void update_status(CptListView *self)
{
	gboolean loading = cpt_paged_model_is_loading(self->model);
	gtk_spinner_set_spinning(self->spinner, loading);
	const char *error = cpt_paged_model_get_error(self->model);
	guint n = g_list_model_get_n_items(G_LIST_MODEL(self->model));
	g_autofree char *count = cpt_ui_count(n);
	g_autofree char *text =
	    *error ? g_strdup(error) : g_strdup_printf(ngettext("%s ligne", "%s lignes", n), count);
	gtk_label_set_text(self->count_label, text);
}

static void on_loading(GObject *model, GParamSpec *pspec, gpointer data)
{
	update_status(CPT_LIST_VIEW(data));
}

/* ---------------------------------------------------------------------------
 * Public
 */

GtkBox *cpt_list_view_get_toolbar(CptListView *self)
{
	return self->toolbar;
}

GtkColumnView *cpt_list_view_get_column_view(CptListView *self)
{
	return self->view;
}

CptPagedModel *cpt_list_view_get_model(CptListView *self)
{
	return self->model;
}

GtkEditable *cpt_list_view_get_search(CptListView *self)
{
	return GTK_EDITABLE(self->search);
}

CptRow *cpt_list_view_get_selected(CptListView *self)
{
	if (self->multi) {
		g_autoptr(GPtrArray) rows = cpt_list_view_get_selected_rows(self);
		/* The model's blocks hold loaded rows: the first outlives the array. */
		return rows->len ? g_ptr_array_index(rows, 0) : NULL;
	}
	CptRow *row = gtk_single_selection_get_selected_item(self->selection);
	return row && !row->loading ? row : NULL;
}

void cpt_list_view_set_multiple(CptListView *self)
{
	if (self->multi) {
		return;
	}
	self->multi = gtk_multi_selection_new(G_LIST_MODEL(g_object_ref(self->model)));
	gtk_column_view_set_model(self->view, GTK_SELECTION_MODEL(self->multi));
}

GPtrArray *cpt_list_view_get_selected_rows(CptListView *self)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func(g_object_unref);
	if (!self->multi) {
		CptRow *row = cpt_list_view_get_selected(self);
		if (row) {
			g_ptr_array_add(rows, g_object_ref(row));
		}
		return rows;
	}
	GtkBitset *set = gtk_selection_model_get_selection(GTK_SELECTION_MODEL(self->multi));
	GtkBitsetIter it;
	guint pos;
	for (gboolean ok = gtk_bitset_iter_init_first(&it, set, &pos); ok;
	     ok = gtk_bitset_iter_next(&it, &pos)) {
		CptRow *row = g_list_model_get_item(G_LIST_MODEL(self->model), pos);
		if (row && !row->loading) {
			g_ptr_array_add(rows, row);
		} else if (row) {
			g_object_unref(row);
		}
	}
	gtk_bitset_unref(set);
	return rows;
}

void cpt_list_view_select(CptListView *self, guint position, gboolean extend)
{
	gtk_selection_model_select_item(self->multi ? GTK_SELECTION_MODEL(self->multi)
						    : GTK_SELECTION_MODEL(self->selection),
					position, !extend || !self->multi);
}

const char *cpt_list_view_get_name(CptListView *self)
{
	return self->name;
}

const CptColumnSpec *cpt_list_view_get_columns(CptListView *self, guint *n_columns)
{
	*n_columns = self->n_specs;
	return self->specs;
}

void cpt_list_view_reload(CptListView *self)
{
	cpt_paged_model_reload(self->model);
}

static gboolean reload_after_events(gpointer data)
{
	CptListView *self = data;
	self->reload_source = 0;
	cpt_paged_model_reload(self->model);
	return G_SOURCE_REMOVE;
}

static void on_event(CptConn *conn, const char *topic, gint64 id, const char *action, gpointer data)
{
	CptListView *self = data;
	/* Several changes at once make one reload. */
	if (self->topic && g_str_equal(topic, self->topic) && !self->reload_source) {
		self->reload_source = g_timeout_add(200, reload_after_events, self);
	}
}

void cpt_list_view_follow(CptListView *self, const char *topic)
{
	g_free(self->topic);
	self->topic = g_strdup(topic);
	g_signal_handlers_disconnect_by_func(self->conn, on_event, self);
	g_signal_connect(self->conn, "event", G_CALLBACK(on_event), self);
}

static void cpt_list_view_dispose(GObject *object)
{
	CptListView *self = CPT_LIST_VIEW(object);
	if (self->save_source) {
		g_source_remove(self->save_source);
		save_layout(self);
	}
	if (self->reload_source) {
		g_source_remove(self->reload_source);
		self->reload_source = 0;
	}
	if (self->conn) {
		g_signal_handlers_disconnect_by_data(self->conn, self);
	}
	/* Pages still in flight and the view's own teardown must not reach us. */
	if (self->model) {
		g_signal_handlers_disconnect_by_data(self->model, self);
	}
	if (self->view) {
		g_signal_handlers_disconnect_by_data(gtk_column_view_get_sorter(self->view), self);
		g_signal_handlers_disconnect_by_data(gtk_column_view_get_columns(self->view), self);
		self->view = NULL;
	}
	g_clear_object(&self->multi);
	g_clear_object(&self->model);
	g_clear_object(&self->conn);
	g_clear_pointer(&self->columns, g_free);
	G_OBJECT_CLASS(cpt_list_view_parent_class)->dispose(object);
}

static void cpt_list_view_finalize(GObject *object)
{
	g_free(CPT_LIST_VIEW(object)->name);
	g_free(CPT_LIST_VIEW(object)->topic);
	G_OBJECT_CLASS(cpt_list_view_parent_class)->finalize(object);
}

static void cpt_list_view_class_init(CptListViewClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = cpt_list_view_dispose;
	G_OBJECT_CLASS(klass)->finalize = cpt_list_view_finalize;
}

static void cpt_list_view_init(CptListView *self)
{
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	gtk_box_set_spacing(GTK_BOX(self), 6);
}

CptListView *cpt_list_view_new(CptConn *conn, const char *name, const CptListSource *source,
			       const CptColumnSpec *columns, guint n_columns)
{
	CptListView *self = g_object_new(CPT_TYPE_LIST_VIEW, NULL);
	self->conn = g_object_ref(conn);
	self->name = g_strdup(name);
	self->specs = columns;
	self->n_specs = n_columns;
	self->model = cpt_paged_model_new(conn, source);

	GtkWidget *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	self->search = GTK_SEARCH_ENTRY(gtk_search_entry_new());
	gtk_widget_set_hexpand(GTK_WIDGET(self->search), TRUE);
	g_object_set(self->search, "placeholder-text", _("Rechercher…"), NULL);
	gtk_box_append(GTK_BOX(bar), GTK_WIDGET(self->search));
	self->toolbar = GTK_BOX(gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6));
	gtk_box_append(GTK_BOX(bar), GTK_WIDGET(self->toolbar));
	GtkWidget *menu = gtk_menu_button_new();
	gtk_menu_button_set_icon_name(GTK_MENU_BUTTON(menu), "view-more-symbolic");
	gtk_widget_set_tooltip_text(menu, _("Colonnes affichées"));
	GtkWidget *popover = gtk_popover_new();
	self->columns_box = GTK_BOX(gtk_box_new(GTK_ORIENTATION_VERTICAL, 2));
	gtk_popover_set_child(GTK_POPOVER(popover), GTK_WIDGET(self->columns_box));
	gtk_menu_button_set_popover(GTK_MENU_BUTTON(menu), popover);
	gtk_box_append(GTK_BOX(bar), menu);
	gtk_box_append(GTK_BOX(self), bar);

	self->selection = gtk_single_selection_new(G_LIST_MODEL(g_object_ref(self->model)));
	gtk_single_selection_set_autoselect(self->selection, FALSE);
	self->view = GTK_COLUMN_VIEW(gtk_column_view_new(GTK_SELECTION_MODEL(self->selection)));
	gtk_column_view_set_reorderable(self->view, TRUE);
	gtk_column_view_set_show_column_separators(self->view, TRUE);
	self->columns = g_new0(GtkColumnViewColumn *, n_columns);
	for (guint i = 0; i < n_columns; i++) {
		GtkListItemFactory *f = gtk_signal_list_item_factory_new();
		g_signal_connect(f, "setup", G_CALLBACK(cell_setup), NULL);
		g_signal_connect(f, "bind", G_CALLBACK(cell_bind), GUINT_TO_POINTER(i));
		GtkColumnViewColumn *col = gtk_column_view_column_new(_(columns[i].title), f);
		gtk_column_view_column_set_resizable(col, TRUE);
		gtk_column_view_column_set_expand(col, columns[i].expand);
		gtk_column_view_column_set_visible(col, !columns[i].hidden);
		if (columns[i].sort_key) {
			GtkCustomSorter *s = gtk_custom_sorter_new(probe_compare, NULL, NULL);
			g_object_set_data(G_OBJECT(s), "cpt-list-view", self);
			g_object_set_data(G_OBJECT(s), "cpt-spec", GINT_TO_POINTER(i));
			/* compare() gets the sorter back as its data. */
			gtk_custom_sorter_set_sort_func(s, probe_compare, s, NULL);
			gtk_column_view_column_set_sorter(col, GTK_SORTER(s));
			g_object_unref(s);
		}
		gtk_column_view_append_column(self->view, col);
		self->columns[i] = col;
		g_object_unref(col);

		GtkWidget *check = gtk_check_button_new_with_label(_(columns[i].title));
		gtk_check_button_set_active(GTK_CHECK_BUTTON(check), !columns[i].hidden);
		g_object_set_data(G_OBJECT(check), "cpt-spec", GUINT_TO_POINTER(i));
		g_signal_connect(check, "toggled", G_CALLBACK(on_column_toggled), self);
		gtk_box_append(self->columns_box, check);
	}
	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_widget_set_vexpand(scroll, TRUE);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), GTK_WIDGET(self->view));
	gtk_box_append(GTK_BOX(self), scroll);

	GtkWidget *status = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	self->spinner = GTK_SPINNER(gtk_spinner_new());
	self->count_label = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_xalign(self->count_label, 0);
	gtk_widget_add_css_class(GTK_WIDGET(self->count_label), "dim-label");
	gtk_box_append(GTK_BOX(status), GTK_WIDGET(self->spinner));
	gtk_box_append(GTK_BOX(status), GTK_WIDGET(self->count_label));
	gtk_box_append(GTK_BOX(self), status);
	cpt_list_export_attach(self, GTK_BOX(bar), GTK_WIDGET(self->toolbar), GTK_BOX(status));

	g_signal_connect(gtk_column_view_get_sorter(self->view), "changed",
			 G_CALLBACK(on_sorter_changed), self);
	g_signal_connect(self->search, "search-changed", G_CALLBACK(on_search_changed), self);
	g_signal_connect(self->model, "notify::loading", G_CALLBACK(on_loading), self);
	g_signal_connect(gtk_column_view_get_columns(self->view), "items-changed",
			 G_CALLBACK(on_columns_changed), self);

	g_autofree char *key = g_strdup_printf("list.%s.columns", name);
	Comptoir__Prefs__GetPrefRequest req = COMPTOIR__PREFS__GET_PREF_REQUEST__INIT;
	req.key = key;
	cpt_conn_call_async(conn, "comptoir.prefs.Prefs/Get", &req.base,
			    &comptoir__prefs__pref_reply__descriptor, NULL, pref_loaded,
			    g_object_ref(self));
	cpt_paged_model_reload(self->model);
	return self;
}
