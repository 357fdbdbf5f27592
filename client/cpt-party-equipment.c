/*
 * The client file's equipment section; see cpt-party-equipment.h. The list
 * is the equipment module's source with a filter on the client, out-of-service
 * equipment included (and said so in the state column).
 */
#include "cpt-party-equipment.h"
#include "cpt-equipment-form.h"
#include "cpt-equipment-page.h"
#include "cpt-ui.h"

#include "equipment.pb-c.h"

#include <glib/gi18n.h>
#include <string.h>

#define SECTION_HEIGHT 220

typedef struct {
	CptConn *conn;
	CptListView *list;
	CptEquipmentFilter filter; /* read by the list's source: lives as long as the section */
} Section;

static void section_free(gpointer data)
{
	Section *s = data;
	g_object_unref(s->conn);
	g_free(s);
}

/* The module's columns, without the client (it is this one) and with the state shown. */
static const CptColumnSpec *section_columns(void)
{
	static CptColumnSpec columns[CPT_EQUIPMENT_N_CELLS];
	static gsize done;
	if (g_once_init_enter(&done)) {
		memcpy(columns, cpt_equipment_columns, sizeof columns);
		columns[CPT_EQUIPMENT_CLIENT].hidden = TRUE;
		columns[CPT_EQUIPMENT_STATE].hidden = FALSE;
		g_once_init_leave(&done, 1);
	}
	return columns;
}

static void on_activate(GtkColumnView *view, guint position, gpointer data)
{
	Section *s = data;
	g_autoptr(CptRow) row =
	    g_list_model_get_item(G_LIST_MODEL(cpt_list_view_get_model(s->list)), position);
	if (row && !row->loading) {
		cpt_equipment_form_open(s->conn, GTK_WIDGET(view), row->id, NULL, s->list);
	}
}

typedef struct {
	GtkWidget *from; /* the button, held until the answer */
} NewFor;

/* The form wants the client's code: the server gives it with the sites. */
static void client_found(GObject *source, GAsyncResult *res, gpointer data)
{
	NewFor *n = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (r->status.code == CPT_OK && gtk_widget_get_root(n->from)) {
		const Comptoir__Equipment__ClientSitesReply *c = (const void *)r->output;
		Section *s = g_object_get_data(G_OBJECT(n->from), "cpt-section");
		cpt_equipment_form_open(s->conn, n->from, 0, c->party_code, s->list);
	}
	g_object_unref(n->from);
	g_free(n);
}

static void on_new(GtkButton *b, gpointer data)
{
	Section *s = data;
	Comptoir__Equipment__ClientSitesRequest req =
	    COMPTOIR__EQUIPMENT__CLIENT_SITES_REQUEST__INIT;
	req.party_id = s->filter.party_id;
	NewFor *n = g_new0(NewFor, 1);
	n->from = g_object_ref(GTK_WIDGET(b));
	cpt_conn_call_async(s->conn, "comptoir.equipment.Equipment/ClientSites", &req.base,
			    &comptoir__equipment__client_sites_reply__descriptor, NULL,
			    client_found, n);
}

GtkWidget *cpt_party_equipment_new(CptConn *conn, gint64 party_id)
{
	if (!cpt_conn_has_permission(conn, "interventions.read")) {
		return NULL;
	}
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	gtk_widget_set_name(box, "party.equipment");
	GtkWidget *head = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	GtkWidget *title = gtk_label_new(_("Équipements"));
	gtk_widget_add_css_class(title, "heading");
	gtk_widget_set_hexpand(title, TRUE);
	gtk_label_set_xalign(GTK_LABEL(title), 0);
	gtk_box_append(GTK_BOX(head), title);
	gtk_box_append(GTK_BOX(box), head);
	if (party_id == 0) {
		GtkWidget *l =
		    gtk_label_new(_("Enregistrez la fiche pour y rattacher des équipements."));
		gtk_label_set_xalign(GTK_LABEL(l), 0);
		gtk_widget_add_css_class(l, "dim-label");
		gtk_box_append(GTK_BOX(box), l);
		return box;
	}
	Section *s = g_new0(Section, 1);
	s->conn = g_object_ref(conn);
	s->filter.kind = CPT_EQUIPMENT_ALL;
	s->filter.party_id = party_id;
	s->filter.include_inactive = TRUE;
	g_object_set_data_full(G_OBJECT(box), "cpt-section", s, section_free);
	s->list = cpt_list_view_new(conn, "party.equipment", &cpt_equipment_source,
				    section_columns(), CPT_EQUIPMENT_N_CELLS);
	cpt_paged_model_set_filter(cpt_list_view_get_model(s->list), &s->filter);
	cpt_list_view_follow(s->list, "equipment");
	gtk_widget_set_size_request(GTK_WIDGET(s->list), -1, SECTION_HEIGHT);
	g_signal_connect(cpt_list_view_get_column_view(s->list), "activate",
			 G_CALLBACK(on_activate), s);
	if (cpt_conn_has_permission(conn, "interventions.write")) {
		GtkWidget *add = gtk_button_new_with_mnemonic(_("Nouvel é_quipement"));
		g_object_set_data(G_OBJECT(add), "cpt-section", s);
		g_signal_connect(add, "clicked", G_CALLBACK(on_new), s);
		gtk_box_append(GTK_BOX(head), add);
	}
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(s->list));
	return box;
}
