/*
 * CptEquipmentPage: the "Équipements" module — equipment installed at
 * clients' sites, in the shared list with a filter (all, out of warranty,
 * due for service) and search; the form opens from it (cpt-equipment-form.h).
 *
 * The list source and its columns are shared with the client file's
 * equipment section (cpt-party-equipment.h).
 */
#ifndef CPT_EQUIPMENT_PAGE_H
#define CPT_EQUIPMENT_PAGE_H

#include "cpt-conn.h"
#include "cpt-list-view.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Cells of an equipment row, in column order. */
enum {
	CPT_EQUIPMENT_CLIENT,
	CPT_EQUIPMENT_CLIENT_CODE,
	CPT_EQUIPMENT_SITE,
	CPT_EQUIPMENT_BRAND,
	CPT_EQUIPMENT_MODEL,
	CPT_EQUIPMENT_SERIAL,
	CPT_EQUIPMENT_WARRANTY_END,
	CPT_EQUIPMENT_NEXT_SERVICE,
	CPT_EQUIPMENT_STATE,
	CPT_EQUIPMENT_N_CELLS
};

/* The filter menu's entries, in order; the values of the protocol's Filter. */
typedef enum {
	CPT_EQUIPMENT_ALL,
	CPT_EQUIPMENT_OUT_OF_WARRANTY,
	CPT_EQUIPMENT_DUE_FOR_SERVICE,
} CptEquipmentFilterKind;

/* What the equipment list filters on, besides the search text. */
typedef struct {
	CptEquipmentFilterKind kind;
	gint64 party_id; /* 0: every client */
	gboolean include_inactive;
} CptEquipmentFilter;

extern const CptListSource cpt_equipment_source;
extern const CptColumnSpec cpt_equipment_columns[CPT_EQUIPMENT_N_CELLS];

#define CPT_TYPE_EQUIPMENT_PAGE (cpt_equipment_page_get_type())
G_DECLARE_FINAL_TYPE(CptEquipmentPage, cpt_equipment_page, CPT, EQUIPMENT_PAGE, GtkBox)

GtkWidget *cpt_equipment_page_new(CptConn *conn);
CptListView *cpt_equipment_page_get_list(CptEquipmentPage *self);
/* The filter menu (Tous / Hors garantie / À entretenir). */
GtkDropDown *cpt_equipment_page_get_filter(CptEquipmentPage *self);
/* Opens the form of equipment id (0: a new one). Returns the window. */
GtkWindow *cpt_equipment_page_open(CptEquipmentPage *self, gint64 id);

G_END_DECLS

#endif
