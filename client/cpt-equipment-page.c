/*
 * CptEquipmentPage; see cpt-equipment-page.h. The list source asks
 * comptoir.equipment.Equipment/List with the page's filter; the page adds the
 * filter menu and the New and Open buttons to the shared list's toolbar.
 */
#include "cpt-equipment-page.h"
#include "cpt-equipment-form.h"
#include "cpt-ui.h"

#include "equipment.pb-c.h"

#include <glib/gi18n.h>

struct _CptEquipmentPage {
	GtkBox parent_instance;
	CptConn *conn;
	CptListView *list;
	GtkDropDown *filter_menu;
	CptEquipmentFilter filter; /* read by the source's build(): lives as long as the page */
};

G_DEFINE_TYPE(CptEquipmentPage, cpt_equipment_page, GTK_TYPE_BOX)

/* ---------------------------------------------------------------------------
 * The list source
 */

typedef struct {
	Comptoir__Equipment__ListEquipmentRequest req;
	Comptoir__Admin__Page page;
} EquipmentQuery;

static ProtobufCMessage *equipment_build(const CptPageQuery *q)
{
	EquipmentQuery *u = g_malloc0(sizeof *u);
	comptoir__equipment__list_equipment_request__init(&u->req);
	u->req.search = (char *)q->search;
	const CptEquipmentFilter *f = q->filter;
	if (f) {
		u->req.filter = f->kind == CPT_EQUIPMENT_OUT_OF_WARRANTY
				    ? COMPTOIR__EQUIPMENT__FILTER__FILTER_OUT_OF_WARRANTY
				: f->kind == CPT_EQUIPMENT_DUE_FOR_SERVICE
				    ? COMPTOIR__EQUIPMENT__FILTER__FILTER_DUE_FOR_SERVICE
				    : COMPTOIR__EQUIPMENT__FILTER__FILTER_ALL;
		u->req.party_id = f->party_id;
		u->req.include_inactive = f->include_inactive;
	}
	u->req.page = &u->page;
	cpt_page_query_fill(q, &u->page);
	return &u->req.base; /* first member: one g_free releases both */
}

static void equipment_parse(const ProtobufCMessage *m, const char *sort, GPtrArray *rows,
			    guint *total, gboolean *more)
{
	const Comptoir__Equipment__ListEquipmentReply *r = (const void *)m;
	*total = r->total;
	*more = r->more;
	for (size_t i = 0; i < r->n_equipment; i++) {
		const Comptoir__Equipment__EquipmentSummary *e = r->equipment[i];
		GStrv cells = g_new0(char *, CPT_EQUIPMENT_N_CELLS + 1);
		cells[CPT_EQUIPMENT_CLIENT] = g_strdup(e->party_name);
		cells[CPT_EQUIPMENT_CLIENT_CODE] = g_strdup(e->party_code);
		cells[CPT_EQUIPMENT_SITE] =
		    *e->site_city ? g_strdup_printf("%s (%s)", e->site_label, e->site_city)
				  : g_strdup(e->site_label);
		cells[CPT_EQUIPMENT_BRAND] = g_strdup(e->brand);
		cells[CPT_EQUIPMENT_MODEL] = g_strdup(e->model);
		cells[CPT_EQUIPMENT_SERIAL] = g_strdup(e->serial_number);
		cells[CPT_EQUIPMENT_WARRANTY_END] = cpt_ui_date_from_iso(e->warranty_end);
		cells[CPT_EQUIPMENT_NEXT_SERVICE] = cpt_ui_date_from_iso(e->next_service_date);
		cells[CPT_EQUIPMENT_STATE] = g_strdup(e->inactive ? _("hors service") : "");
		/* The key is the row's value for the sort the server applied. */
		const char *key = g_str_equal(sort, "serial")	      ? e->serial_number
				  : g_str_equal(sort, "next_service") ? e->next_service_date
				  : g_str_equal(sort, "warranty_end") ? e->warranty_end
								      : e->party_name;
		g_ptr_array_add(rows, cpt_row_new(e->id, key, cells, 0));
	}
}

const CptListSource cpt_equipment_source = {
    .method = "comptoir.equipment.Equipment/List",
    .reply = &comptoir__equipment__list_equipment_reply__descriptor,
    .build = equipment_build,
    .parse = equipment_parse,
};

const CptColumnSpec cpt_equipment_columns[CPT_EQUIPMENT_N_CELLS] = {
    [CPT_EQUIPMENT_CLIENT] = {"client", N_("Client"), "client", TRUE, FALSE},
    [CPT_EQUIPMENT_CLIENT_CODE] = {"client_code", N_("Code client"), NULL, FALSE, TRUE},
    [CPT_EQUIPMENT_SITE] = {"site", N_("Site"), NULL, TRUE, FALSE},
    [CPT_EQUIPMENT_BRAND] = {"brand", N_("Marque"), NULL, FALSE, FALSE},
    [CPT_EQUIPMENT_MODEL] = {"model", N_("Modèle"), NULL, TRUE, FALSE},
    [CPT_EQUIPMENT_SERIAL] = {"serial", N_("N° de série"), "serial", FALSE, FALSE},
    [CPT_EQUIPMENT_WARRANTY_END] = {"warranty_end", N_("Fin de garantie"), "warranty_end", FALSE,
				    FALSE, CPT_COLUMN_DATE},
    [CPT_EQUIPMENT_NEXT_SERVICE] = {"next_service", N_("Prochain entretien"), "next_service", FALSE,
				    FALSE, CPT_COLUMN_DATE},
    [CPT_EQUIPMENT_STATE] = {"state", N_("État"), NULL, FALSE, TRUE},
};

/* ---------------------------------------------------------------------------
 * The page
 */

GtkWindow *cpt_equipment_page_open(CptEquipmentPage *self, gint64 id)
{
	return cpt_equipment_form_open(self->conn, GTK_WIDGET(self), id, NULL, self->list);
}

static void on_filter_selected(GObject *menu, GParamSpec *pspec, gpointer data)
{
	CptEquipmentPage *self = data;
	self->filter.kind = (CptEquipmentFilterKind)gtk_drop_down_get_selected(self->filter_menu);
	/* What is due comes soonest first; what is out of warranty, longest out first. */
	if (self->filter.kind == CPT_EQUIPMENT_DUE_FOR_SERVICE) {
		cpt_list_view_sort_by(self->list, "next_service", FALSE);
	} else if (self->filter.kind == CPT_EQUIPMENT_OUT_OF_WARRANTY) {
		cpt_list_view_sort_by(self->list, "warranty_end", FALSE);
	}
	cpt_paged_model_set_filter(cpt_list_view_get_model(self->list), &self->filter);
}

static void on_new(GtkButton *b, gpointer data)
{
	cpt_equipment_page_open(CPT_EQUIPMENT_PAGE(data), 0);
}

static void on_open(GtkButton *b, gpointer data)
{
	CptEquipmentPage *self = data;
	CptRow *row = cpt_list_view_get_selected(self->list);
	if (row) {
		cpt_equipment_page_open(self, row->id);
	}
}

static void on_activate(GtkColumnView *view, guint position, gpointer data)
{
	CptEquipmentPage *self = data;
	g_autoptr(CptRow) row =
	    g_list_model_get_item(G_LIST_MODEL(cpt_list_view_get_model(self->list)), position);
	if (row && !row->loading) {
		cpt_equipment_page_open(self, row->id);
	}
}

static void module_refresh(GtkWidget *w, const char *name, GVariant *param)
{
	cpt_list_view_reload(CPT_EQUIPMENT_PAGE(w)->list);
}

static void module_new(GtkWidget *w, const char *name, GVariant *param)
{
	CptEquipmentPage *self = CPT_EQUIPMENT_PAGE(w);
	if (cpt_conn_has_permission(self->conn, "interventions.write")) {
		cpt_equipment_page_open(self, 0);
	}
}

static void module_search(GtkWidget *w, const char *name, GVariant *param)
{
	gtk_widget_grab_focus(GTK_WIDGET(cpt_list_view_get_search(CPT_EQUIPMENT_PAGE(w)->list)));
}

CptListView *cpt_equipment_page_get_list(CptEquipmentPage *self)
{
	return self->list;
}

GtkDropDown *cpt_equipment_page_get_filter(CptEquipmentPage *self)
{
	return self->filter_menu;
}

static void cpt_equipment_page_dispose(GObject *object)
{
	CptEquipmentPage *self = CPT_EQUIPMENT_PAGE(object);
	if (self->filter_menu) {
		g_signal_handlers_disconnect_by_data(self->filter_menu, self);
		self->filter_menu = NULL;
	}
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(cpt_equipment_page_parent_class)->dispose(object);
}

static void cpt_equipment_page_class_init(CptEquipmentPageClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = cpt_equipment_page_dispose;
	gtk_widget_class_install_action(wc, "module.refresh", NULL, module_refresh);
	gtk_widget_class_install_action(wc, "module.new", NULL, module_new);
	gtk_widget_class_install_action(wc, "module.search", NULL, module_search);
}

static void cpt_equipment_page_init(CptEquipmentPage *self)
{
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	g_object_set(self, "margin-top", 6, "margin-bottom", 6, "margin-start", 12, "margin-end",
		     12, NULL);
}

GtkWidget *cpt_equipment_page_new(CptConn *conn)
{
	CptEquipmentPage *self = g_object_new(CPT_TYPE_EQUIPMENT_PAGE, NULL);
	self->conn = g_object_ref(conn);
	self->list = cpt_list_view_new(conn, "equipment", &cpt_equipment_source,
				       cpt_equipment_columns, CPT_EQUIPMENT_N_CELLS);
	gtk_widget_set_vexpand(GTK_WIDGET(self->list), TRUE);
	cpt_paged_model_set_filter(cpt_list_view_get_model(self->list), &self->filter);
	cpt_list_view_follow(self->list, "equipment");
	g_object_set(cpt_list_view_get_search(self->list), "placeholder-text",
		     _("Marque, modèle, n° de série, client — sans se soucier des accents"), NULL);
	GtkBox *toolbar = cpt_list_view_get_toolbar(self->list);
	const char *filters[] = {_("Tous"), _("Hors garantie"), _("À entretenir (30 jours)"), NULL};
	self->filter_menu = GTK_DROP_DOWN(gtk_drop_down_new_from_strings(filters));
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->filter_menu),
				    _("Hors garantie : garantie échue avant aujourd'hui. "
				      "À entretenir : prochain entretien dans les 30 jours "
				      "ou en retard."));
	g_signal_connect(self->filter_menu, "notify::selected", G_CALLBACK(on_filter_selected),
			 self);
	gtk_box_append(toolbar, GTK_WIDGET(self->filter_menu));
	if (cpt_conn_has_permission(conn, "interventions.write")) {
		GtkWidget *b = gtk_button_new_with_mnemonic(_("_Nouveau"));
		gtk_widget_set_tooltip_text(b, _("Nouvel équipement (Ctrl+N)"));
		g_signal_connect(b, "clicked", G_CALLBACK(on_new), self);
		gtk_box_append(toolbar, b);
	}
	GtkWidget *open = gtk_button_new_with_mnemonic(_("_Ouvrir la fiche"));
	g_signal_connect(open, "clicked", G_CALLBACK(on_open), self);
	gtk_box_append(toolbar, open);
	g_signal_connect(cpt_list_view_get_column_view(self->list), "activate",
			 G_CALLBACK(on_activate), self);
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->list));
	return GTK_WIDGET(self);
}
