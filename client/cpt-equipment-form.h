/*
 * The equipment form: a window to create or edit one piece of equipment.
 * The client is typed by its code; the server answers with its name and its
 * intervention sites, offered in a drop-down. Dates are typed the French way
 * (22/11/2026). The window's widgets are named after the server's fields
 * ("equipment.party_code", "equipment.warranty_end"...) so that a refused
 * field is shown where it was typed, and tests find them.
 */
#ifndef CPT_EQUIPMENT_FORM_H
#define CPT_EQUIPMENT_FORM_H

#include "cpt-conn.h"
#include "cpt-list-view.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * Opens the form of equipment id, or a new one for the client of code
 * party_code (may be NULL). from (may be NULL) is the widget it is opened
 * from, for the parent window; list (may be NULL) is reloaded after each save.
 * Returns the window, which owns itself.
 */
GtkWindow *cpt_equipment_form_open(CptConn *conn, GtkWidget *from, gint64 id,
				   const char *party_code, CptListView *list);
/* Saves (Create or Update); the window stays open and shows the outcome. */
void cpt_equipment_form_save(GtkWindow *form);
/* The form's last message ("" when none). */
const char *cpt_equipment_form_get_message(GtkWindow *form);
/* The record's id once saved or loaded (0 for a new one not yet saved). */
gint64 cpt_equipment_form_get_id(GtkWindow *form);
/* How many sites the drop-down offers for the client typed (the first says "none"). */
guint cpt_equipment_form_get_n_sites(GtkWindow *form);
/* Chooses the nth site of the client (0: none). */
void cpt_equipment_form_select_site(GtkWindow *form, guint nth);

G_END_DECLS

#endif
