/*
 * The equipment form; see cpt-equipment-form.h. A window built here: a grid
 * of fields named after the server's, the client's sites fetched as its code
 * is typed (comptoir.equipment.Equipment/ClientSites, so a technician who may
 * not open the clients' book can still choose), and the next service the
 * server works out shown below the dates.
 */
#include "cpt-equipment-form.h"
#include "cpt-ui.h"

#include "equipment.pb-c.h"

#include <glib/gi18n.h>

/* Wait this long after a keystroke in the client code before asking for its sites. */
#define LOOKUP_DELAY_MS 300
#define INTERVAL_MAX_MONTHS 120

typedef struct {
	CptConn *conn;
	GtkWindow *window;
	CptListView *list; /* weak: reloaded after a save */
	gint64 id;
	GtkGrid *grid;
	GtkLabel *client_name;
	GtkDropDown *site;
	GtkStringList *site_labels;
	GArray *site_ids;   /* gint64 per drop-down entry; entry 0 is "no site" */
	gint64 wanted_site; /* to select once the sites arrive */
	GtkSpinButton *interval;
	GtkSwitch *inactive;
	GtkLabel *next_service;
	GtkLabel *message;
	GtkButton *save;
	guint lookup_source;
	guint lookup_generation;
	gboolean closed;
} EquipmentForm;

/* The entries, named after the server's fields, and where they sit in the grid. */
static const struct {
	const char *name;
	const char *label;
	int col, row, width;
} entry_fields[] = {
    {"equipment.party_code", N_("Code client"), 0, 0, 1},
    {"equipment.article_code", N_("Article (code)"), 2, 1, 1},
    {"equipment.brand", N_("Marque"), 0, 2, 1},
    {"equipment.model", N_("Modèle"), 2, 2, 1},
    {"equipment.serial_number", N_("N° de série"), 0, 3, 1},
    {"equipment.supplier_code", N_("Fournisseur (code)"), 2, 3, 1},
    {"equipment.install_date", N_("Date d'installation"), 0, 4, 1},
    {"equipment.warranty_end", N_("Fin de garantie"), 2, 4, 1},
    {"equipment.last_service_date", N_("Dernier entretien"), 0, 5, 1},
    {"equipment.next_service_planned", N_("Prochaine visite prévue"), 2, 5, 1},
    {"equipment.notes", N_("Notes"), 0, 6, 3},
};
#define ROW_INTERVAL 7
#define ROW_INACTIVE 8

/* Entries that hold a date, typed jj/mm/aaaa. */
static gboolean is_date_field(const char *name)
{
	return g_str_has_suffix(name, "_date") || g_str_equal(name, "equipment.warranty_end") ||
	       g_str_equal(name, "equipment.next_service_planned");
}

static EquipmentForm *form_of(GtkWindow *w)
{
	return g_object_get_data(G_OBJECT(w), "cpt-equipment-form");
}

static void form_free(gpointer data)
{
	EquipmentForm *f = data;
	if (f->list) {
		g_object_remove_weak_pointer(G_OBJECT(f->list), (gpointer *)&f->list);
	}
	g_clear_object(&f->conn);
	g_array_unref(f->site_ids);
	g_free(f);
}

/* The descendant of root named name, or NULL. */
static GtkWidget *find_named(GtkWidget *root, const char *name)
{
	if (g_strcmp0(gtk_widget_get_name(root), name) == 0) {
		return root;
	}
	for (GtkWidget *c = gtk_widget_get_first_child(root); c;
	     c = gtk_widget_get_next_sibling(c)) {
		GtkWidget *found = find_named(c, name);
		if (found) {
			return found;
		}
	}
	return NULL;
}

static GtkEditable *entry(EquipmentForm *f, const char *name)
{
	return GTK_EDITABLE(find_named(GTK_WIDGET(f->grid), name));
}

static const char *text(EquipmentForm *f, const char *name)
{
	return gtk_editable_get_text(entry(f, name));
}

/* ---------------------------------------------------------------------------
 * The client's sites
 */

static void set_sites(EquipmentForm *f, const Comptoir__Equipment__ClientSitesReply *r)
{
	guint old = g_list_model_get_n_items(G_LIST_MODEL(f->site_labels));
	g_array_set_size(f->site_ids, 0);
	gint64 none = 0;
	g_array_append_val(f->site_ids, none);
	GPtrArray *labels = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(labels, g_strdup(_("— aucun site —")));
	guint selected = 0;
	for (size_t i = 0; r && i < r->n_sites; i++) {
		const Comptoir__Equipment__Site *s = r->sites[i];
		g_array_append_val(f->site_ids, s->id);
		const char *name = *s->label ? s->label : s->line1;
		g_ptr_array_add(labels, *s->city ? g_strdup_printf("%s (%s)", name, s->city)
						 : g_strdup(name));
		if (s->id == f->wanted_site) {
			selected = (guint)i + 1;
		}
	}
	g_ptr_array_add(labels, NULL);
	gtk_string_list_splice(f->site_labels, 0, old, (const char *const *)labels->pdata);
	g_ptr_array_unref(labels);
	gtk_drop_down_set_selected(f->site, selected);
}

typedef struct {
	GtkWindow *window;
	guint generation;
} Lookup;

static void sites_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	Lookup *l = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	EquipmentForm *f = form_of(l->window);
	if (f && !f->closed && l->generation == f->lookup_generation) {
		if (r->status.code == CPT_OK) {
			const Comptoir__Equipment__ClientSitesReply *s = (const void *)r->output;
			gtk_label_set_text(f->client_name, s->party_name);
			set_sites(f, s);
		} else {
			gtk_label_set_text(f->client_name, cpt_ui_status_text(&r->status));
			set_sites(f, NULL);
		}
	}
	g_object_unref(l->window);
	g_free(l);
}

static void lookup_client(EquipmentForm *f)
{
	g_clear_handle_id(&f->lookup_source, g_source_remove);
	f->lookup_generation++;
	g_autofree char *code = g_strstrip(g_strdup(text(f, "equipment.party_code")));
	if (!*code) {
		gtk_label_set_text(f->client_name, "");
		set_sites(f, NULL);
		return;
	}
	Comptoir__Equipment__ClientSitesRequest req =
	    COMPTOIR__EQUIPMENT__CLIENT_SITES_REQUEST__INIT;
	req.party_code = code;
	Lookup *l = g_new0(Lookup, 1);
	l->window = g_object_ref(f->window);
	l->generation = f->lookup_generation;
	cpt_conn_call_async(f->conn, "comptoir.equipment.Equipment/ClientSites", &req.base,
			    &comptoir__equipment__client_sites_reply__descriptor, NULL,
			    sites_loaded, l);
}

static gboolean lookup_due(gpointer data)
{
	EquipmentForm *f = data;
	f->lookup_source = 0;
	lookup_client(f);
	return G_SOURCE_REMOVE;
}

static void on_code_changed(GtkEditable *e, gpointer data)
{
	EquipmentForm *f = data;
	g_clear_handle_id(&f->lookup_source, g_source_remove);
	f->lookup_source = g_timeout_add(LOOKUP_DELAY_MS, lookup_due, f);
}

guint cpt_equipment_form_get_n_sites(GtkWindow *form)
{
	return g_list_model_get_n_items(G_LIST_MODEL(form_of(form)->site_labels));
}

void cpt_equipment_form_select_site(GtkWindow *form, guint nth)
{
	gtk_drop_down_set_selected(form_of(form)->site, nth);
}

/* ---------------------------------------------------------------------------
 * Loading and saving
 */

static void fill_form(EquipmentForm *f, const Comptoir__Equipment__Item *e)
{
	const char *values[] = {
	    e->party_code,	  e->article_code,	   e->brand,	    e->model,
	    e->serial_number,	  e->supplier_code,	   e->install_date, e->warranty_end,
	    e->last_service_date, e->next_service_planned, e->notes};
	G_STATIC_ASSERT(G_N_ELEMENTS(values) == G_N_ELEMENTS(entry_fields));
	f->id = e->id;
	f->wanted_site = e->site_id;
	GtkEditable *code = entry(f, "equipment.party_code");
	g_signal_handlers_block_by_func(code, on_code_changed, f);
	for (size_t i = 0; i < G_N_ELEMENTS(entry_fields); i++) {
		g_autofree char *shown = is_date_field(entry_fields[i].name)
					     ? cpt_ui_date_from_iso(values[i])
					     : g_strdup(values[i]);
		gtk_editable_set_text(entry(f, entry_fields[i].name), shown);
	}
	g_signal_handlers_unblock_by_func(code, on_code_changed, f);
	gtk_label_set_text(f->client_name, e->party_name);
	lookup_client(f); /* the sites, with this one selected */
	gtk_spin_button_set_value(f->interval, e->service_interval_months);
	gtk_switch_set_active(f->inactive, e->inactive);
	g_autofree char *next = cpt_ui_date_from_iso(e->next_service_date);
	gtk_label_set_text(f->next_service, *next ? next : _("aucun"));
	g_autofree char *title =
	    g_strdup_printf("%s — %s %s %s", _("Équipement"), e->brand, e->model, e->serial_number);
	gtk_window_set_title(f->window, g_strstrip(title));
}

static void equipment_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	EquipmentForm *f = form_of(window);
	if (f && !f->closed) {
		if (r->status.code == CPT_OK) {
			fill_form(f, ((Comptoir__Equipment__EquipmentReply *)r->output)->equipment);
		} else {
			gtk_label_set_text(f->message, cpt_ui_status_text(&r->status));
		}
	}
	g_object_unref(window);
}

/* The widget showing a server field: ids are typed as codes here. */
static GtkWidget *field_widget(EquipmentForm *f, const char *field)
{
	static const char *const as_code[][2] = {
	    {"equipment.party_id", "equipment.party_code"},
	    {"equipment.article_id", "equipment.article_code"},
	    {"equipment.supplier_id", "equipment.supplier_code"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(as_code); i++) {
		if (g_str_equal(field, as_code[i][0])) {
			field = as_code[i][1];
		}
	}
	return *field ? find_named(GTK_WIDGET(f->grid), field) : NULL;
}

static void clear_errors(EquipmentForm *f)
{
	for (GtkWidget *c = gtk_widget_get_first_child(GTK_WIDGET(f->grid)); c;
	     c = gtk_widget_get_next_sibling(c)) {
		gtk_widget_remove_css_class(c, "error");
	}
	gtk_label_set_text(f->message, "");
}

static void equipment_saved(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	EquipmentForm *f = form_of(window);
	if (f && !f->closed) {
		gtk_widget_set_sensitive(GTK_WIDGET(f->save), TRUE);
		if (r->status.code != CPT_OK) {
			cpt_ui_field_error(field_widget(f, r->status.field), f->message,
					   cpt_ui_status_text(&r->status));
		} else {
			fill_form(f, ((Comptoir__Equipment__EquipmentReply *)r->output)->equipment);
			gtk_label_set_text(f->message, _("Fiche enregistrée."));
			if (f->list) {
				cpt_list_view_reload(f->list);
			}
		}
	}
	g_object_unref(window);
}

void cpt_equipment_form_save(GtkWindow *form)
{
	EquipmentForm *f = form_of(form);
	clear_errors(f);
	/* Dates are the one thing checked here: the server wants them as YYYY-MM-DD. */
	char *iso[G_N_ELEMENTS(entry_fields)] = {0};
	gboolean dates_ok = TRUE;
	for (size_t i = 0; i < G_N_ELEMENTS(entry_fields) && dates_ok; i++) {
		if (is_date_field(entry_fields[i].name)) {
			iso[i] = cpt_ui_date_to_iso(text(f, entry_fields[i].name));
			if (!iso[i]) {
				cpt_ui_field_error(GTK_WIDGET(entry(f, entry_fields[i].name)),
						   f->message, _("Date invalide : jj/mm/aaaa."));
				dates_ok = FALSE;
			}
		}
	}
	if (dates_ok) {
		Comptoir__Equipment__Item e = COMPTOIR__EQUIPMENT__ITEM__INIT;
		char **slot[] = {
		    &e.party_code,	  &e.article_code,	   &e.brand,	    &e.model,
		    &e.serial_number,	  &e.supplier_code,	   &e.install_date, &e.warranty_end,
		    &e.last_service_date, &e.next_service_planned, &e.notes};
		G_STATIC_ASSERT(G_N_ELEMENTS(slot) == G_N_ELEMENTS(entry_fields));
		for (size_t i = 0; i < G_N_ELEMENTS(entry_fields); i++) {
			*slot[i] = iso[i] ? iso[i] : (char *)text(f, entry_fields[i].name);
		}
		e.id = f->id;
		guint site = gtk_drop_down_get_selected(f->site);
		e.site_id = site < f->site_ids->len ? g_array_index(f->site_ids, gint64, site) : 0;
		e.service_interval_months = gtk_spin_button_get_value_as_int(f->interval);
		e.inactive = gtk_switch_get_active(f->inactive);
		Comptoir__Equipment__EquipmentRequest req =
		    COMPTOIR__EQUIPMENT__EQUIPMENT_REQUEST__INIT;
		req.equipment = &e;
		gtk_widget_set_sensitive(GTK_WIDGET(f->save), FALSE);
		cpt_conn_call_async(f->conn,
				    f->id ? "comptoir.equipment.Equipment/Update"
					  : "comptoir.equipment.Equipment/Create",
				    &req.base, &comptoir__equipment__equipment_reply__descriptor,
				    NULL, equipment_saved, g_object_ref(f->window));
	}
	for (size_t i = 0; i < G_N_ELEMENTS(iso); i++) {
		g_free(iso[i]);
	}
}

const char *cpt_equipment_form_get_message(GtkWindow *form)
{
	return gtk_label_get_text(form_of(form)->message);
}

gint64 cpt_equipment_form_get_id(GtkWindow *form)
{
	return form_of(form)->id;
}

/* ---------------------------------------------------------------------------
 * The window
 */

static void on_destroy(GtkWidget *w, gpointer data)
{
	EquipmentForm *f = data;
	f->closed = TRUE;
	g_clear_handle_id(&f->lookup_source, g_source_remove);
}

static void on_save_clicked(GtkButton *b, gpointer data)
{
	cpt_equipment_form_save(((EquipmentForm *)data)->window);
}

static GtkWidget *field_label(const char *text)
{
	GtkWidget *l = gtk_label_new(text);
	gtk_label_set_xalign(GTK_LABEL(l), 1);
	return l;
}

GtkWindow *cpt_equipment_form_open(CptConn *conn, GtkWidget *from, gint64 id,
				   const char *party_code, CptListView *list)
{
	EquipmentForm *f = g_new0(EquipmentForm, 1);
	f->conn = g_object_ref(conn);
	f->id = id;
	f->site_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	if (list) {
		f->list = list;
		g_object_add_weak_pointer(G_OBJECT(list), (gpointer *)&f->list);
	}
	f->window = GTK_WINDOW(gtk_window_new());
	gtk_window_set_title(f->window, id ? _("Équipement") : _("Nouvel équipement"));
	gtk_window_set_default_size(f->window, 820, -1);
	GtkRoot *root = from ? gtk_widget_get_root(from) : NULL;
	if (GTK_IS_WINDOW(root)) {
		gtk_window_set_transient_for(f->window, GTK_WINDOW(root));
	}
	g_object_set_data_full(G_OBJECT(f->window), "cpt-equipment-form", f, form_free);
	g_signal_connect(f->window, "destroy", G_CALLBACK(on_destroy), f);

	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	g_object_set(box, "margin-top", 12, "margin-bottom", 12, "margin-start", 12, "margin-end",
		     12, NULL);
	f->grid = GTK_GRID(gtk_grid_new());
	gtk_grid_set_row_spacing(f->grid, 6);
	gtk_grid_set_column_spacing(f->grid, 12);

	for (size_t i = 0; i < G_N_ELEMENTS(entry_fields); i++) {
		GtkWidget *e = gtk_entry_new();
		gtk_widget_set_name(e, entry_fields[i].name);
		gtk_widget_set_hexpand(e, TRUE);
		if (is_date_field(entry_fields[i].name)) {
			gtk_entry_set_placeholder_text(GTK_ENTRY(e), _("jj/mm/aaaa"));
		}
		gtk_grid_attach(f->grid, field_label(_(entry_fields[i].label)), entry_fields[i].col,
				entry_fields[i].row, 1, 1);
		gtk_grid_attach(f->grid, e, entry_fields[i].col + 1, entry_fields[i].row,
				entry_fields[i].width, 1);
	}
	/* Beside the client's code, its name; below, its sites. */
	f->client_name = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_xalign(f->client_name, 0);
	gtk_label_set_ellipsize(f->client_name, PANGO_ELLIPSIZE_END);
	gtk_grid_attach(f->grid, GTK_WIDGET(f->client_name), 2, 0, 2, 1);
	g_signal_connect(entry(f, "equipment.party_code"), "changed", G_CALLBACK(on_code_changed),
			 f);
	f->site_labels = gtk_string_list_new(NULL);
	f->site = GTK_DROP_DOWN(gtk_drop_down_new(G_LIST_MODEL(f->site_labels), NULL));
	gtk_widget_set_name(GTK_WIDGET(f->site), "equipment.site_id");
	gtk_grid_attach(f->grid, field_label(_("Site d'intervention")), 0, 1, 1, 1);
	gtk_grid_attach(f->grid, GTK_WIDGET(f->site), 1, 1, 1, 1);
	f->interval = GTK_SPIN_BUTTON(gtk_spin_button_new_with_range(0, INTERVAL_MAX_MONTHS, 1));
	gtk_widget_set_name(GTK_WIDGET(f->interval), "equipment.service_interval_months");
	gtk_widget_set_tooltip_text(GTK_WIDGET(f->interval), _("0 : pas d'entretien périodique"));
	gtk_grid_attach(f->grid, field_label(_("Entretien tous les (mois)")), 0, ROW_INTERVAL, 1,
			1);
	gtk_grid_attach(f->grid, GTK_WIDGET(f->interval), 1, ROW_INTERVAL, 1, 1);
	f->next_service = GTK_LABEL(gtk_label_new(_("aucun")));
	gtk_label_set_xalign(f->next_service, 0);
	gtk_widget_set_tooltip_text(GTK_WIDGET(f->next_service),
				    _("La visite prévue si elle est saisie, sinon le dernier "
				      "entretien plus la périodicité."));
	gtk_grid_attach(f->grid, field_label(_("Prochain entretien")), 2, ROW_INTERVAL, 1, 1);
	gtk_grid_attach(f->grid, GTK_WIDGET(f->next_service), 3, ROW_INTERVAL, 1, 1);
	f->inactive = GTK_SWITCH(gtk_switch_new());
	gtk_widget_set_name(GTK_WIDGET(f->inactive), "equipment.inactive");
	gtk_widget_set_halign(GTK_WIDGET(f->inactive), GTK_ALIGN_START);
	gtk_grid_attach(f->grid, field_label(_("Hors service")), 0, ROW_INACTIVE, 1, 1);
	gtk_grid_attach(f->grid, GTK_WIDGET(f->inactive), 1, ROW_INACTIVE, 1, 1);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(f->grid));
	set_sites(f, NULL);

	GtkWidget *bottom = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	f->message = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_xalign(f->message, 0);
	gtk_label_set_wrap(f->message, TRUE);
	gtk_widget_set_hexpand(GTK_WIDGET(f->message), TRUE);
	f->save = GTK_BUTTON(gtk_button_new_with_mnemonic(_("_Enregistrer")));
	gtk_widget_add_css_class(GTK_WIDGET(f->save), "suggested-action");
	gtk_widget_set_sensitive(GTK_WIDGET(f->save),
				 cpt_conn_has_permission(conn, "interventions.write"));
	g_signal_connect(f->save, "clicked", G_CALLBACK(on_save_clicked), f);
	gtk_box_append(GTK_BOX(bottom), GTK_WIDGET(f->message));
	gtk_box_append(GTK_BOX(bottom), GTK_WIDGET(f->save));
	gtk_box_append(GTK_BOX(box), bottom);
	gtk_window_set_child(f->window, box);
	gtk_window_set_default_widget(f->window, GTK_WIDGET(f->save));

	if (id) {
		Comptoir__Equipment__GetEquipmentRequest req =
		    COMPTOIR__EQUIPMENT__GET_EQUIPMENT_REQUEST__INIT;
		req.id = id;
		cpt_conn_call_async(conn, "comptoir.equipment.Equipment/Get", &req.base,
				    &comptoir__equipment__equipment_reply__descriptor, NULL,
				    equipment_loaded, g_object_ref(f->window));
	} else if (party_code && *party_code) {
		gtk_editable_set_text(entry(f, "equipment.party_code"), party_code);
		lookup_client(f);
	}
	gtk_window_present(f->window);
	return f->window;
}
