/*
 * The client file's history panes; see cpt-party-sales.h. The list is the
 * sales module's source and columns, filtered on the client, whose column
 * is hidden (it is this one).
 */
#include "cpt-party-sales.h"
#include "cpt-sales-editor.h"

#include <glib/gi18n.h>
#include <string.h>

#define PANE_HEIGHT 200

typedef struct {
	CptConn *conn;
	CptSalesBook book;
	CptListView *list;
	CptSalesFilter filter; /* read by the list's source: lives as long as the pane */
	GtkDropDown *type;
	GtkLabel *totals;
	guint generation;
	GtkWidget *box; /* the pane: valid until gone */
	gboolean gone;
} Pane;

static void pane_free(gpointer data)
{
	Pane *p = data;
	g_signal_handlers_disconnect_by_data(p->conn, p);
	g_object_unref(p->conn);
	g_free(p);
}

static Pane *pane_of(GtkWidget *w)
{
	return g_object_get_data(G_OBJECT(w), "cpt-party-sales");
}

/* The module's columns without the client's. */
static const CptColumnSpec *pane_columns(CptSalesBook book, guint *n)
{
	static CptColumnSpec columns[CPT_SALES_N_CELLS];
	static gsize done;
	if (g_once_init_enter(&done)) {
		guint all;
		memcpy(columns, cpt_sales_columns(CPT_SALES_INVOICES, &all), sizeof columns);
		columns[CPT_SALES_CLIENT].hidden = TRUE;
		g_once_init_leave(&done, 1);
	}
	cpt_sales_columns(book, n);
	return columns;
}

typedef struct {
	GtkWidget *pane; /* a reference */
	guint generation;
} TotalsCall;

static void totals_in(GObject *source, GAsyncResult *res, gpointer data)
{
	TotalsCall *t = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	Pane *p = pane_of(t->pane);
	if (!p->gone && t->generation == p->generation) {
		g_autofree char *text = cpt_sales_totals_text(r);
		gtk_label_set_text(p->totals, text);
	}
	g_object_unref(t->pane);
	g_free(t);
}

static void fetch_totals(GtkWidget *pane)
{
	Pane *p = pane_of(pane);
	TotalsCall *t = g_new0(TotalsCall, 1);
	t->pane = g_object_ref(pane);
	t->generation = ++p->generation;
	cpt_sales_totals_fetch(p->conn, p->book, &p->filter, "", totals_in, t);
}

static void on_type_changed(GObject *d, GParamSpec *pspec, gpointer data)
{
	Pane *p = pane_of(data);
	const char *const *types = cpt_sales_types(p->book);
	guint i = gtk_drop_down_get_selected(p->type);
	p->filter.type = i < g_strv_length((char **)types) ? types[i] : types[0];
	cpt_paged_model_set_filter(cpt_list_view_get_model(p->list), &p->filter);
	fetch_totals(data);
}

static void on_event(CptConn *conn, const char *topic, gint64 id, const char *action, gpointer data)
{
	Pane *p = data;
	if (!p->gone &&
	    g_str_equal(topic, p->book == CPT_SALES_QUOTES ? "sales_quotes" : "sales_invoices")) {
		fetch_totals(p->box);
	}
}

static void on_activate(GtkColumnView *view, guint position, gpointer data)
{
	Pane *p = pane_of(data);
	g_autoptr(CptRow) row =
	    g_list_model_get_item(G_LIST_MODEL(cpt_list_view_get_model(p->list)), position);
	if (row && !row->loading) {
		cpt_sales_editor_open(p->conn, GTK_WIDGET(view), p->filter.type, row->id);
	}
}

static void on_destroy(GtkWidget *w, gpointer data)
{
	Pane *p = data;
	p->gone = TRUE;
	g_signal_handlers_disconnect_by_data(p->conn, p);
}

static GtkWidget *word(const char *text)
{
	GtkWidget *l = gtk_label_new(text);
	gtk_widget_add_css_class(l, "dim-label");
	gtk_widget_set_size_request(l, -1, 60);
	return l;
}

GtkWidget *cpt_party_sales_new(CptConn *conn, CptSalesBook book, gint64 party_id)
{
	if (!cpt_conn_has_permission(conn, cpt_sales_read_permission(book))) {
		return word(_("Vous n'avez pas accès à ces documents."));
	}
	if (party_id == 0) {
		return word(_("Enregistrez la fiche pour y voir ses documents."));
	}
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	gtk_widget_set_name(box, book == CPT_SALES_QUOTES ? "party.quotes" : "party.invoices");
	Pane *p = g_new0(Pane, 1);
	p->conn = g_object_ref(conn);
	p->book = book;
	p->filter.type = cpt_sales_types(book)[0];
	p->filter.state = "";
	p->filter.party_id = party_id;
	g_object_set_data_full(G_OBJECT(box), "cpt-party-sales", p, pane_free);
	g_signal_connect(box, "destroy", G_CALLBACK(on_destroy), p);
	guint n;
	const CptColumnSpec *columns = pane_columns(book, &n);
	p->list =
	    cpt_list_view_new(conn, book == CPT_SALES_QUOTES ? "party.quotes" : "party.invoices",
			      cpt_sales_source(book), columns, n);
	cpt_paged_model_set_filter(cpt_list_view_get_model(p->list), &p->filter);
	cpt_list_view_follow(p->list, book == CPT_SALES_QUOTES ? "sales_quotes" : "sales_invoices");
	gtk_widget_set_size_request(GTK_WIDGET(p->list), -1, PANE_HEIGHT);
	GtkStringList *types = gtk_string_list_new(NULL);
	for (const char *const *t = cpt_sales_types(book); *t; t++) {
		gtk_string_list_append(types, cpt_sales_type_label(*t));
	}
	p->type = GTK_DROP_DOWN(gtk_drop_down_new(G_LIST_MODEL(types), NULL));
	gtk_widget_set_name(GTK_WIDGET(p->type), "history.type");
	gtk_box_append(cpt_list_view_get_toolbar(p->list), GTK_WIDGET(p->type));
	g_signal_connect(p->type, "notify::selected", G_CALLBACK(on_type_changed), box);
	g_signal_connect(cpt_list_view_get_column_view(p->list), "activate",
			 G_CALLBACK(on_activate), box);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(p->list));
	p->totals = GTK_LABEL(gtk_label_new(""));
	gtk_widget_set_name(GTK_WIDGET(p->totals), "history.totals");
	gtk_label_set_xalign(p->totals, 1);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(p->totals));
	p->box = box;
	g_signal_connect(conn, "event", G_CALLBACK(on_event), p);
	fetch_totals(box);
	return box;
}

CptListView *cpt_party_sales_get_list(GtkWidget *pane)
{
	Pane *p = pane ? pane_of(pane) : NULL;
	return p ? p->list : NULL;
}

const char *cpt_party_sales_get_totals(GtkWidget *pane)
{
	Pane *p = pane ? pane_of(pane) : NULL;
	return p ? gtk_label_get_text(p->totals) : "";
}
