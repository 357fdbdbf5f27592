/*
 * CptImportDialog: the window that imports a CSV file of clients, of
 * articles or of one supplier's prices (comptoir.imports.Import).
 *
 * The file is chosen, then read without blocking the UI, and checked at
 * once by a dry run whose report shows the rows read, valid and rejected,
 * the columns no field matched, and the rejected rows with their line,
 * column and reason (the first 1 000, as the server lists them, with the
 * total). Then "Importer" writes every row — only offered when none is
 * rejected — and "Importer les lignes valides" writes the valid ones and
 * skips the others, each after a confirmation that says how many rows will
 * be written. The lists follow the server's events: they reload by
 * themselves. A short help names the columns the server recognises.
 *
 * Widgets are named for tests: "import.choose", "import.file",
 * "import.message", "import.rows", "import.valid_count",
 * "import.rejected_count", "import.ignored", "import.rejected_list" (a
 * GtkColumnView), "import.all", "import.valid".
 */
#ifndef CPT_IMPORT_DIALOG_H
#define CPT_IMPORT_DIALOG_H

#include "config.h"
#include "cpt-conn.h"
#include "frame.h"

#include "imports.pb-c.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
	CPT_IMPORT_CLIENTS,
	CPT_IMPORT_ARTICLES,
	CPT_IMPORT_SUPPLIER_PRICES,
} CptImportKind;

/*
 * The largest file sent, in bytes: it travels in one frame, which the
 * server reads up to CPT_FRAME_DEFAULT_MAX; the same room as for a document
 * is kept for the envelope. Larger files are refused before being read.
 */
#define CPT_IMPORT_MAX_SIZE (CPT_FRAME_DEFAULT_MAX - CPT_DOCUMENT_FRAME_RESERVE)

/* The cells of a rejected row as the list shows them. */
enum {
	CPT_IMPORT_REJECTED_LINE, /* "12", "1 234" */
	CPT_IMPORT_REJECTED_COLUMN,
	CPT_IMPORT_REJECTED_REASON,
	CPT_IMPORT_REJECTED_N_CELLS
};

/* What the last report counted; created and updated are 0 unless written. */
typedef struct {
	guint rows, valid, rejected, created, updated;
	gboolean written;
} CptImportCounts;

#define CPT_TYPE_IMPORT_DIALOG (cpt_import_dialog_get_type())
G_DECLARE_FINAL_TYPE(CptImportDialog, cpt_import_dialog, CPT, IMPORT_DIALOG, GtkWindow)

/*
 * Shows the window over parent's window, waiting for a file. For supplier
 * prices, supplier_id and supplier_name say whose price list it is (else 0
 * and NULL). The window is owned by GTK: it goes when closed.
 */
CptImportDialog *cpt_import_dialog_new(GtkWidget *parent, CptConn *conn, CptImportKind kind,
				       gint64 supplier_id, const char *supplier_name);
/* What the entry points do: the window, then the file chooser over it. */
CptImportDialog *cpt_import_dialog_open(GtkWidget *parent, CptConn *conn, CptImportKind kind,
					gint64 supplier_id, const char *supplier_name);
/* Opens the file chooser (CSV files), as "Choisir un fichier…" does. */
void cpt_import_dialog_choose_file(CptImportDialog *self);
/*
 * What the chooser does once a file is chosen: reads it and runs the dry
 * run. Returns FALSE, doing nothing, while a read or a call is in flight.
 */
gboolean cpt_import_dialog_load_file(CptImportDialog *self, GFile *file);
/* Whether a file read or a call is in flight (the buttons are then insensitive). */
gboolean cpt_import_dialog_is_busy(CptImportDialog *self);
/* Whether a report is shown (FALSE before a file, and after a refused one). */
gboolean cpt_import_dialog_has_report(CptImportDialog *self);
void cpt_import_dialog_get_counts(CptImportDialog *self, CptImportCounts *out);
/* Rejected rows in the list, and the text of one of their cells. */
guint cpt_import_dialog_get_n_rejected_rows(CptImportDialog *self);
const char *cpt_import_dialog_get_rejected_cell(CptImportDialog *self, guint row, guint cell);
/* Whether the button of mode (ALL_OR_NOTHING or VALID_ONLY) may be pressed now. */
gboolean cpt_import_dialog_can_import(CptImportDialog *self, Comptoir__Imports__Mode mode);
/*
 * Presses the button of mode: opens the confirmation that says how many
 * rows will be written ("confirm.accept" imports). Returns it, or NULL when
 * that import cannot be done now.
 */
GtkWindow *cpt_import_dialog_ask_import(CptImportDialog *self, Comptoir__Imports__Mode mode);
/* What the confirmation does: imports the file in mode. */
void cpt_import_dialog_import(CptImportDialog *self, Comptoir__Imports__Mode mode);
/* The last message for people: the outcome, or why the file was refused ("" when none). */
const char *cpt_import_dialog_get_message(CptImportDialog *self);

G_END_DECLS

#endif
