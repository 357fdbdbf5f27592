/*
 * CptRow: one row of a server list, as the list component shows it: the
 * record's id, the sort key the server pages by, and the text of each column.
 * A row still being fetched is a placeholder (loading TRUE).
 */
#ifndef CPT_ROW_H
#define CPT_ROW_H

#include <glib-object.h>

G_BEGIN_DECLS

#define CPT_TYPE_ROW (cpt_row_get_type())
G_DECLARE_FINAL_TYPE(CptRow, cpt_row, CPT, ROW, GObject)

struct _CptRow {
	GObject parent_instance;
	gint64 id;
	char *key;   /* the value of the sort column, for keyset paging */
	GStrv cells; /* one text per column of the source */
	guint flags; /* source-specific (e.g. locked) */
	gboolean loading;
};

/* Takes ownership of cells. */
CptRow *cpt_row_new(gint64 id, const char *key, GStrv cells, guint flags);
CptRow *cpt_row_new_placeholder(void);
const char *cpt_row_cell(CptRow *self, guint column);

G_END_DECLS

#endif
