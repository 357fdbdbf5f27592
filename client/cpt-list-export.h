/*
 * The export of a CptListView to CSV or Excel, which every list gets from
 * cpt_list_view_new(): an "Exporter" menu in the list's bar, a save dialog
 * with a default name ("clients-et-prospects-2026-11-27.csv"), a progress
 * bar with a cancel button under the list, and the outcome said there.
 *
 * An export writes what the list shows: the shown columns in their shown
 * order under their titles, and every row matching the list's search,
 * filters and sort — not only the pages the view has loaded. Rows are asked
 * from the server through the list's own CptListSource, CPT_LIST_EXPORT_PAGE
 * at a time, each page after the last row of the one before (keyset), off the
 * main thread as every call; the file is assembled and written in a worker
 * thread. CSV keeps the shown text; XLSX types the cells from the columns'
 * CptColumnType (export.h).
 */
#ifndef CPT_LIST_EXPORT_H
#define CPT_LIST_EXPORT_H

#include "cpt-list-view.h"
#include "export.h"

G_BEGIN_DECLS

/* Rows per request: the servers' PAGE_MAX. */
#define CPT_LIST_EXPORT_PAGE 1000
/* Beyond that many rows an export is refused: the file is built in memory. */
#define CPT_LIST_EXPORT_MAX_ROWS 200000

/*
 * For cpt_list_view_new(): puts the "Exporter" menu into bar after the
 * widget after, and the progress into status.
 */
void cpt_list_export_attach(CptListView *view, GtkBox *bar, GtkWidget *after, GtkBox *status);

/*
 * Exports the list to file, as the menu does once the file is chosen. The
 * progress and the outcome show under the list; a second export waits for
 * the first to end.
 */
void cpt_list_export_start(CptListView *view, cpt_export_format format, GFile *file);
/* Stops the running export; the file is left as it was. */
void cpt_list_export_cancel(CptListView *view);
gboolean cpt_list_export_is_running(CptListView *view);
/* The last export's outcome for people, "" before any. */
const char *cpt_list_export_get_message(CptListView *view);
/*
 * "clients-et-prospects-2026-11-27.xlsx": the title of the tab showing the
 * list (or the list's name), today's date, the format's extension. Caller
 * g_free()s.
 */
char *cpt_list_export_default_name(CptListView *view, cpt_export_format format);

G_END_DECLS

#endif
