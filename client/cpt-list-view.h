/*
 * CptListView: the list every module reuses. A search field (searched on
 * the server, as you type), a GtkColumnView over a CptPagedModel (sorting
 * by clicking a header is done by the server), a menu to choose the columns,
 * columns that can be dragged into another order — both saved per user on
 * the server — a spinner while pages load, the row count, and the export of
 * what it shows to CSV or Excel (cpt-list-export.h).
 */
#ifndef CPT_LIST_VIEW_H
#define CPT_LIST_VIEW_H

#include "cpt-paged-model.h"
#include "export.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * What a column's cells hold, for exports to Excel: CPT_COLUMN_TEXT,
 * _INTEGER, _AMOUNT, _PRICE, _QUANTITY, _PERCENT, _DATE (export.h).
 */
typedef cpt_column_type CptColumnType;

typedef struct {
	const char *id;	      /* stable, for the saved preferences */
	const char *title;    /* shown, translated */
	const char *sort_key; /* what the server sorts by, or NULL */
	gboolean expand;
	gboolean hidden;    /* hidden until the user shows it */
	CptColumnType type; /* text when left out */
	int decimals;	    /* least decimals shown, when more than the type's */
} CptColumnSpec;

#define CPT_TYPE_LIST_VIEW (cpt_list_view_get_type())
G_DECLARE_FINAL_TYPE(CptListView, cpt_list_view, CPT, LIST_VIEW, GtkBox)

/*
 * name keys the saved preferences ("admin.users"); columns[i] shows cell i
 * of the source's rows. columns must outlive the view.
 */
CptListView *cpt_list_view_new(CptConn *conn, const char *name, const CptListSource *source,
			       const CptColumnSpec *columns, guint n_columns);
/* A place for the page's own buttons, at the right of the search field. */
GtkBox *cpt_list_view_get_toolbar(CptListView *self);
GtkColumnView *cpt_list_view_get_column_view(CptListView *self);
CptPagedModel *cpt_list_view_get_model(CptListView *self);
GtkEditable *cpt_list_view_get_search(CptListView *self);
/* The selected row (the first, when several are), or NULL. Transfer none. */
CptRow *cpt_list_view_get_selected(CptListView *self);
/* Lets the user select several rows (Ctrl+clic, Maj+clic). */
void cpt_list_view_set_multiple(CptListView *self);
/* The selected rows already loaded, in order. Caller g_ptr_array_unref()s. */
GPtrArray *cpt_list_view_get_selected_rows(CptListView *self);
/* Selects the row at position; extend keeps the others (with several rows allowed). */
void cpt_list_view_select(CptListView *self, guint position, gboolean extend);
void cpt_list_view_reload(CptListView *self);
/* Sorts as a click on that column's header would. */
void cpt_list_view_sort_by(CptListView *self, const char *column_id, gboolean descending);
/* Column ids in their shown order, hidden ones prefixed with "-". Caller g_free()s. */
char *cpt_list_view_get_layout(CptListView *self);
/*
 * Reloads the list when another workstation changes a row of topic
 * ("party"...): the list stays live.
 */
void cpt_list_view_follow(CptListView *self, const char *topic);
/* Shows or hides a column, as the columns menu does, and saves the choice. */
void cpt_list_view_set_column_visible(CptListView *self, const char *column_id, gboolean visible);
/* The name and the columns given at creation. */
const char *cpt_list_view_get_name(CptListView *self);
const CptColumnSpec *cpt_list_view_get_columns(CptListView *self, guint *n_columns);

G_END_DECLS

#endif
