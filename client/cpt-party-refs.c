/*
 * The "Secteurs et commerciaux" window; see cpt-party-refs.h.
 *
 * Two tabs of the same shape: a list of the company's rows on the left, an
 * editor on the right. Choosing a row puts it in the editor; "Nouveau"
 * empties it; "Enregistrer" sends it (id 0 creates) and the list is asked
 * again, as it is when another workstation saves one (events "sector" and
 * "sales_rep"). "Supprimer…" deletes the row in the editor after asking; the
 * server refuses one a client file still names. A rep's login link is kept
 * as the server has it: this window does not edit it.
 */
#include "cpt-party-refs.h"
#include "cpt-ui.h"

#include "parties.pb-c.h"

#include <glib/gi18n.h>

#define REFS_SERVICE "comptoir.parties.PartyRefs/"

typedef struct RefsWindow RefsWindow;

/* One tab: a kind of reference, its list and its editor. */
typedef struct {
	RefsWindow *owner;
	const char *kind; /* "sector" or "sales_rep": event topic and field prefix */
	GtkListBox *list;
	GtkWidget *editor; /* grid of entries named after the fields */
	GtkSwitch *active; /* reps only */
	GtkButton *save;
	GtkButton *remove;   /* sensitive while a saved row is in the editor */
	gint64 id;	     /* the row in the editor, 0: a new one */
	CptCallResult *rows; /* the last list reply; rows by position */
	guint loading;	     /* lists asked for and not come yet */
	gboolean filling;    /* the list is being rebuilt: selections are not the user's */
} Tab;

struct RefsWindow {
	CptConn *conn;
	GtkWindow *window;
	Tab sectors, reps;
	GtkLabel *message;
	gboolean closed;
};

static RefsWindow *refs_of(GtkWindow *w)
{
	return g_object_get_data(G_OBJECT(w), "cpt-party-refs");
}

static void refs_free(gpointer data)
{
	RefsWindow *r = data;
	g_clear_pointer(&r->sectors.rows, cpt_call_result_free);
	g_clear_pointer(&r->reps.rows, cpt_call_result_free);
	g_clear_object(&r->conn);
	g_free(r);
}

static gboolean is_reps(const Tab *t)
{
	return g_str_equal(t->kind, "sales_rep");
}

static GtkWidget *editor_field(Tab *t, const char *column)
{
	g_autofree char *name = g_strdup_printf("%s.%s", t->kind, column);
	return cpt_ui_find_named(t->editor, name);
}

static void set_field(Tab *t, const char *column, const char *text)
{
	GtkWidget *w = editor_field(t, column);
	gtk_widget_remove_css_class(w, "error");
	gtk_editable_set_text(GTK_EDITABLE(w), text ? text : "");
}

static const char *field_text(Tab *t, const char *column)
{
	return gtk_editable_get_text(GTK_EDITABLE(editor_field(t, column)));
}

/* ---------------------------------------------------------------------------
 * The editor
 */

static void edit_sector(Tab *t, const Comptoir__Parties__Sector *s)
{
	t->id = s ? s->id : 0;
	gtk_widget_set_sensitive(GTK_WIDGET(t->remove), t->id != 0);
	set_field(t, "code", s ? s->code : "");
	set_field(t, "label", s ? s->label : "");
}

static const Comptoir__Parties__SalesRep *rep_at(Tab *t, gint64 id)
{
	const Comptoir__Parties__ListSalesRepsReply *r =
	    t->rows ? (const void *)t->rows->output : NULL;
	for (size_t i = 0; r && i < r->n_sales_reps; i++) {
		if (r->sales_reps[i]->id == id) {
			return r->sales_reps[i];
		}
	}
	return NULL;
}

static void edit_rep(Tab *t, const Comptoir__Parties__SalesRep *s)
{
	t->id = s ? s->id : 0;
	gtk_widget_set_sensitive(GTK_WIDGET(t->remove), t->id != 0);
	set_field(t, "code", s ? s->code : "");
	set_field(t, "name", s ? s->name : "");
	set_field(t, "email", s ? s->email : "");
	set_field(t, "phone", s ? s->phone : "");
	gtk_switch_set_active(t->active, s ? !s->inactive : TRUE);
}

static void on_row_selected(GtkListBox *list, GtkListBoxRow *row, gpointer data)
{
	Tab *t = data;
	if (t->filling || !row || !t->rows) {
		return;
	}
	guint i = (guint)gtk_list_box_row_get_index(row);
	gtk_label_set_text(t->owner->message, "");
	if (is_reps(t)) {
		const Comptoir__Parties__ListSalesRepsReply *r = (const void *)t->rows->output;
		edit_rep(t, i < r->n_sales_reps ? r->sales_reps[i] : NULL);
	} else {
		const Comptoir__Parties__ListSectorsReply *r = (const void *)t->rows->output;
		edit_sector(t, i < r->n_sectors ? r->sectors[i] : NULL);
	}
}

static void on_new(GtkButton *b, gpointer data)
{
	Tab *t = data;
	gtk_list_box_unselect_all(t->list);
	gtk_label_set_text(t->owner->message, "");
	if (is_reps(t)) {
		edit_rep(t, NULL);
	} else {
		edit_sector(t, NULL);
	}
	gtk_widget_grab_focus(editor_field(t, "code"));
}

/* ---------------------------------------------------------------------------
 * The lists
 */

static void add_row(Tab *t, gint64 id, const char *code, const char *text)
{
	g_autofree char *s = g_strdup_printf("%s — %s", code, text);
	GtkWidget *l = gtk_label_new(s);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_label_set_ellipsize(GTK_LABEL(l), PANGO_ELLIPSIZE_END);
	g_object_set(l, "margin-top", 4, "margin-bottom", 4, "margin-start", 6, "margin-end", 6,
		     NULL);
	gtk_list_box_append(t->list, l);
	if (id == t->id && id) {
		gtk_list_box_select_row(t->list, GTK_LIST_BOX_ROW(gtk_widget_get_parent(l)));
	}
}

static void rows_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	Tab *t = data;
	CptCallResult *r = cpt_conn_call_finish(CPT_CONN(source), res);
	GtkWindow *window = t->owner->window;
	RefsWindow *w = refs_of(window);
	t->loading--;
	if (w && !w->closed) {
		if (r->status.code != CPT_OK) {
			gtk_label_set_text(w->message, cpt_ui_status_text(&r->status));
		} else {
			g_clear_pointer(&t->rows, cpt_call_result_free);
			t->rows = g_steal_pointer(&r);
			t->filling = TRUE;
			GtkListBoxRow *old;
			while ((old = gtk_list_box_get_row_at_index(t->list, 0))) {
				gtk_list_box_remove(t->list, GTK_WIDGET(old));
			}
			if (is_reps(t)) {
				const Comptoir__Parties__ListSalesRepsReply *reps =
				    (const void *)t->rows->output;
				for (size_t i = 0; i < reps->n_sales_reps; i++) {
					const Comptoir__Parties__SalesRep *s = reps->sales_reps[i];
					g_autofree char *name =
					    s->inactive
						? g_strdup_printf(_("%s (inactif)"), s->name)
						: g_strdup(s->name);
					add_row(t, s->id, s->code, name);
				}
			} else {
				const Comptoir__Parties__ListSectorsReply *sectors =
				    (const void *)t->rows->output;
				for (size_t i = 0; i < sectors->n_sectors; i++) {
					add_row(t, sectors->sectors[i]->id,
						sectors->sectors[i]->code,
						sectors->sectors[i]->label);
				}
			}
			t->filling = FALSE;
		}
	}
	g_clear_pointer(&r, cpt_call_result_free);
	g_object_unref(window);
}

/* Async replies get the tab; the window's reference keeps it alive. */
static void load_rows(Tab *t)
{
	t->loading++;
	g_object_ref(t->owner->window);
	if (is_reps(t)) {
		Comptoir__Parties__ListSalesRepsRequest req =
		    COMPTOIR__PARTIES__LIST_SALES_REPS_REQUEST__INIT;
		req.include_inactive = TRUE;
		cpt_conn_call_async(t->owner->conn, REFS_SERVICE "ListSalesReps", &req.base,
				    &comptoir__parties__list_sales_reps_reply__descriptor, NULL,
				    rows_loaded, t);
	} else {
		Comptoir__Parties__ListSectorsRequest req =
		    COMPTOIR__PARTIES__LIST_SECTORS_REQUEST__INIT;
		cpt_conn_call_async(t->owner->conn, REFS_SERVICE "ListSectors", &req.base,
				    &comptoir__parties__list_sectors_reply__descriptor, NULL,
				    rows_loaded, t);
	}
}

static void on_event(CptConn *conn, const char *topic, gint64 id, const char *action, gpointer data)
{
	RefsWindow *w = data;
	if (g_str_equal(topic, "sector")) {
		load_rows(&w->sectors);
	} else if (g_str_equal(topic, "sales_rep")) {
		load_rows(&w->reps);
	}
}

/* ---------------------------------------------------------------------------
 * Saving
 */

static void saved(GObject *source, GAsyncResult *res, gpointer data)
{
	Tab *t = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	GtkWindow *window = t->owner->window;
	RefsWindow *w = refs_of(window);
	if (w && !w->closed) {
		gtk_widget_set_sensitive(GTK_WIDGET(t->save), TRUE);
		if (r->status.code != CPT_OK) {
			/* "sector.code": the editor's widget of that name. */
			GtkWidget *at =
			    *r->status.field ? cpt_ui_find_named(t->editor, r->status.field) : NULL;
			cpt_ui_field_error(at, w->message, cpt_ui_status_text(&r->status));
		} else {
			t->id = is_reps(t)
				    ? ((Comptoir__Parties__SalesRepReply *)r->output)->sales_rep->id
				    : ((Comptoir__Parties__SectorReply *)r->output)->sector->id;
			gtk_widget_set_sensitive(GTK_WIDGET(t->remove), TRUE);
			gtk_label_set_text(w->message, is_reps(t) ? _("Commercial enregistré.")
								  : _("Secteur enregistré."));
			load_rows(t);
		}
	}
	g_object_unref(window);
}

static void on_save(GtkButton *b, gpointer data)
{
	Tab *t = data;
	for (GtkWidget *c = gtk_widget_get_first_child(t->editor); c;
	     c = gtk_widget_get_next_sibling(c)) {
		gtk_widget_remove_css_class(c, "error");
	}
	gtk_label_set_text(t->owner->message, "");
	gtk_widget_set_sensitive(GTK_WIDGET(t->save), FALSE);
	g_object_ref(t->owner->window);
	if (is_reps(t)) {
		Comptoir__Parties__SalesRep s = COMPTOIR__PARTIES__SALES_REP__INIT;
		const Comptoir__Parties__SalesRep *known = rep_at(t, t->id);
		s.id = t->id;
		s.code = (char *)field_text(t, "code");
		s.name = (char *)field_text(t, "name");
		s.email = (char *)field_text(t, "email");
		s.phone = (char *)field_text(t, "phone");
		s.user_id = known ? known->user_id : 0;
		s.inactive = !gtk_switch_get_active(t->active);
		Comptoir__Parties__SalesRepRequest req = COMPTOIR__PARTIES__SALES_REP_REQUEST__INIT;
		req.sales_rep = &s;
		cpt_conn_call_async(t->owner->conn, REFS_SERVICE "SaveSalesRep", &req.base,
				    &comptoir__parties__sales_rep_reply__descriptor, NULL, saved,
				    t);
	} else {
		Comptoir__Parties__Sector s = COMPTOIR__PARTIES__SECTOR__INIT;
		s.id = t->id;
		s.code = (char *)field_text(t, "code");
		s.label = (char *)field_text(t, "label");
		Comptoir__Parties__SectorRequest req = COMPTOIR__PARTIES__SECTOR_REQUEST__INIT;
		req.sector = &s;
		cpt_conn_call_async(t->owner->conn, REFS_SERVICE "SaveSector", &req.base,
				    &comptoir__parties__sector_reply__descriptor, NULL, saved, t);
	}
}

/* ---------------------------------------------------------------------------
 * Deleting
 */

static void deleted(GObject *source, GAsyncResult *res, gpointer data)
{
	Tab *t = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	GtkWindow *window = t->owner->window;
	RefsWindow *w = refs_of(window);
	if (w && !w->closed) {
		if (r->status.code != CPT_OK) {
			gtk_widget_set_sensitive(GTK_WIDGET(t->remove), TRUE);
			gtk_label_set_text(w->message, cpt_ui_status_text(&r->status));
		} else {
			gtk_label_set_text(w->message, is_reps(t) ? _("Commercial supprimé.")
								  : _("Secteur supprimé."));
			if (is_reps(t)) {
				edit_rep(t, NULL);
			} else {
				edit_sector(t, NULL);
			}
			load_rows(t);
		}
	}
	g_object_unref(window);
}

static void delete_confirmed(GtkWindow *dialog, gpointer data)
{
	Tab *t = data;
	RefsWindow *w = refs_of(t->owner->window);
	if (!w || w->closed || !t->id) {
		return;
	}
	gtk_widget_set_sensitive(GTK_WIDGET(t->remove), FALSE);
	g_object_ref(t->owner->window);
	Comptoir__Parties__RefDeleteRequest req = COMPTOIR__PARTIES__REF_DELETE_REQUEST__INIT;
	req.id = t->id;
	cpt_conn_call_async(t->owner->conn,
			    is_reps(t) ? REFS_SERVICE "DeleteSalesRep"
				       : REFS_SERVICE "DeleteSector",
			    &req.base, &comptoir__rpc__empty__descriptor, NULL, deleted, t);
}

static GtkWindow *ask_delete(Tab *t)
{
	if (!t->id) {
		return NULL;
	}
	g_autofree char *text =
	    is_reps(t) ? g_strdup_printf(_("Supprimer le commercial %s ? Un commercial qui suit "
					   "encore des clients se rend plutôt inactif."),
					 field_text(t, "code"))
		       : g_strdup_printf(_("Supprimer le secteur %s ? Un secteur encore donné à "
					   "des tiers ne peut pas l'être."),
					 field_text(t, "code"));
	return cpt_ui_confirm(GTK_WIDGET(t->owner->window),
			      is_reps(t) ? _("Supprimer le commercial") : _("Supprimer le secteur"),
			      text, NULL, _("_Supprimer"), TRUE, delete_confirmed, t, NULL);
}

static void on_remove(GtkButton *b, gpointer data)
{
	ask_delete(data);
}

/* ---------------------------------------------------------------------------
 * Building the window
 */

static GtkWidget *editor_entry(GtkGrid *grid, Tab *t, int row, const char *column,
			       const char *label, int max)
{
	GtkWidget *l = gtk_label_new(label);
	gtk_label_set_xalign(GTK_LABEL(l), 1);
	GtkWidget *e = gtk_entry_new();
	g_autofree char *name = g_strdup_printf("%s.%s", t->kind, column);
	gtk_widget_set_name(e, name);
	gtk_widget_set_hexpand(e, TRUE);
	gtk_entry_set_max_length(GTK_ENTRY(e), max);
	gtk_grid_attach(grid, l, 0, row, 1, 1);
	gtk_grid_attach(grid, e, 1, row, 1, 1);
	return e;
}

static GtkWidget *tab_new(RefsWindow *w, Tab *t, const char *kind)
{
	t->owner = w;
	t->kind = kind;
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	g_object_set(box, "margin-top", 12, "margin-bottom", 12, "margin-start", 12, "margin-end",
		     12, NULL);
	t->list = GTK_LIST_BOX(gtk_list_box_new());
	g_autofree char *list_name = g_strdup_printf("%s.list", kind);
	gtk_widget_set_name(GTK_WIDGET(t->list), list_name);
	gtk_list_box_set_selection_mode(t->list, GTK_SELECTION_SINGLE);
	g_signal_connect(t->list, "row-selected", G_CALLBACK(on_row_selected), t);
	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), GTK_WIDGET(t->list));
	gtk_widget_set_size_request(scroll, 280, 320);
	gtk_widget_set_vexpand(scroll, TRUE);
	gtk_box_append(GTK_BOX(box), scroll);

	GtkWidget *side = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	gtk_widget_set_hexpand(side, TRUE);
	GtkGrid *grid = GTK_GRID(gtk_grid_new());
	gtk_grid_set_row_spacing(grid, 6);
	gtk_grid_set_column_spacing(grid, 12);
	t->editor = GTK_WIDGET(grid);
	editor_entry(grid, t, 0, "code", _("Code"), 20);
	if (g_str_equal(kind, "sales_rep")) {
		editor_entry(grid, t, 1, "name", _("Nom"), 200);
		editor_entry(grid, t, 2, "email", _("E-mail"), 200);
		editor_entry(grid, t, 3, "phone", _("Téléphone"), 30);
		GtkWidget *l = gtk_label_new(_("Actif"));
		gtk_label_set_xalign(GTK_LABEL(l), 1);
		t->active = GTK_SWITCH(gtk_switch_new());
		gtk_widget_set_name(GTK_WIDGET(t->active), "sales_rep.active");
		gtk_widget_set_halign(GTK_WIDGET(t->active), GTK_ALIGN_START);
		gtk_widget_set_tooltip_text(GTK_WIDGET(t->active),
					    _("Un commercial inactif reste sur ses clients mais "
					      "n'en reçoit plus de nouveaux."));
		gtk_switch_set_active(t->active, TRUE);
		gtk_grid_attach(grid, l, 0, 4, 1, 1);
		gtk_grid_attach(grid, GTK_WIDGET(t->active), 1, 4, 1, 1);
	} else {
		editor_entry(grid, t, 1, "label", _("Libellé"), 200);
	}
	gtk_box_append(GTK_BOX(side), t->editor);
	GtkWidget *buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	gtk_widget_set_halign(buttons, GTK_ALIGN_END);
	GtkWidget *fresh = gtk_button_new_with_mnemonic(_("_Nouveau"));
	g_autofree char *new_name = g_strdup_printf("%s.new", kind);
	gtk_widget_set_name(fresh, new_name);
	g_signal_connect(fresh, "clicked", G_CALLBACK(on_new), t);
	t->save = GTK_BUTTON(gtk_button_new_with_mnemonic(_("_Enregistrer")));
	g_autofree char *save_name = g_strdup_printf("%s.save", kind);
	gtk_widget_set_name(GTK_WIDGET(t->save), save_name);
	gtk_widget_add_css_class(GTK_WIDGET(t->save), "suggested-action");
	g_signal_connect(t->save, "clicked", G_CALLBACK(on_save), t);
	t->remove = GTK_BUTTON(gtk_button_new_with_mnemonic(_("_Supprimer…")));
	g_autofree char *remove_name = g_strdup_printf("%s.delete", kind);
	gtk_widget_set_name(GTK_WIDGET(t->remove), remove_name);
	gtk_widget_set_sensitive(GTK_WIDGET(t->remove), FALSE);
	g_signal_connect(t->remove, "clicked", G_CALLBACK(on_remove), t);
	gtk_box_append(GTK_BOX(buttons), GTK_WIDGET(t->remove));
	gtk_box_append(GTK_BOX(buttons), fresh);
	gtk_box_append(GTK_BOX(buttons), GTK_WIDGET(t->save));
	gtk_box_append(GTK_BOX(side), buttons);
	gtk_box_append(GTK_BOX(box), side);
	return box;
}

static void on_destroy(GtkWidget *widget, gpointer data)
{
	RefsWindow *w = data;
	w->closed = TRUE;
	g_signal_handlers_disconnect_by_data(w->conn, w);
}

GtkWindow *cpt_party_refs_open(CptConn *conn, GtkWindow *parent)
{
	RefsWindow *w = g_new0(RefsWindow, 1);
	w->conn = g_object_ref(conn);
	w->window = GTK_WINDOW(gtk_window_new());
	gtk_window_set_title(w->window, _("Secteurs et commerciaux"));
	gtk_window_set_default_size(w->window, 720, 460);
	if (parent) {
		gtk_window_set_transient_for(w->window, parent);
	}
	g_object_set_data_full(G_OBJECT(w->window), "cpt-party-refs", w, refs_free);
	g_signal_connect(w->window, "destroy", G_CALLBACK(on_destroy), w);

	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	GtkWidget *tabs = gtk_notebook_new();
	gtk_widget_set_name(tabs, "party_refs.tabs");
	gtk_notebook_append_page(GTK_NOTEBOOK(tabs), tab_new(w, &w->sectors, "sector"),
				 gtk_label_new(_("Secteurs géographiques")));
	gtk_notebook_append_page(GTK_NOTEBOOK(tabs), tab_new(w, &w->reps, "sales_rep"),
				 gtk_label_new(_("Commerciaux")));
	gtk_widget_set_vexpand(tabs, TRUE);
	gtk_box_append(GTK_BOX(box), tabs);
	w->message = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_xalign(w->message, 0);
	gtk_label_set_wrap(w->message, TRUE);
	g_object_set(w->message, "margin-start", 12, "margin-end", 12, "margin-bottom", 12, NULL);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(w->message));
	gtk_window_set_child(w->window, box);

	g_signal_connect(conn, "event", G_CALLBACK(on_event), w);
	load_rows(&w->sectors);
	load_rows(&w->reps);
	gtk_window_present(w->window);
	return w->window;
}

gboolean cpt_party_refs_is_loading(GtkWindow *refs)
{
	RefsWindow *w = refs_of(refs);
	return w->sectors.loading > 0 || w->reps.loading > 0;
}

guint cpt_party_refs_get_count(GtkWindow *refs, const char *kind)
{
	RefsWindow *w = refs_of(refs);
	Tab *t = g_str_equal(kind, "sales_rep") ? &w->reps : &w->sectors;
	guint n = 0;
	while (gtk_list_box_get_row_at_index(t->list, (int)n)) {
		n++;
	}
	return n;
}

const char *cpt_party_refs_get_message(GtkWindow *refs)
{
	return gtk_label_get_text(refs_of(refs)->message);
}

GtkWindow *cpt_party_refs_ask_delete(GtkWindow *refs, const char *kind)
{
	RefsWindow *w = refs_of(refs);
	return ask_delete(g_str_equal(kind, "sales_rep") ? &w->reps : &w->sectors);
}
