/*
 * The "Équipements" section of the client file: that client's equipment,
 * read through comptoir.equipment.Equipment/List with its party_id, in the
 * shared list (live: it follows the "equipment" topic), with a button for a
 * new one and the form on a double click. Kept apart from
 * cpt-parties-page.c, which only places it.
 */
#ifndef CPT_PARTY_EQUIPMENT_H
#define CPT_PARTY_EQUIPMENT_H

#include "cpt-conn.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * The section for client party_id (0: a client not saved yet, shown as
 * such), or NULL when the user may not read equipment. The widget is named
 * "party.equipment".
 */
GtkWidget *cpt_party_equipment_new(CptConn *conn, gint64 party_id);

G_END_DECLS

#endif
