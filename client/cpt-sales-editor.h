/*
 * The sales document editor: one window per quote, order, delivery note,
 * invoice, deposit invoice, credit note or pro forma.
 *
 * The header: the client typed by its code (its name shown once found),
 * dates, payment terms, "Prix saisis TTC", the document discount, the VAT
 * exemption or reverse charge, the client's reference and notes. Then the
 * lines, a grid made for the keyboard:
 *
 *   Tab / Maj+Tab        next / previous cell (a code typed then Tab is
 *                        looked up: label, unit and VAT filled, the price
 *                        left to the server's price for this client, and
 *                        the cursor goes on to the quantity)
 *   Entrée               next cell; on the line's last cell, a new line
 *   Ctrl+Inser / Suppr   insert a line below / remove the line
 *   Alt+Haut / Bas       move the line up / down
 *   Haut / Bas           same cell of the line above / below; in a
 *                        dropdown (kind, VAT), the previous / next choice
 *   Ctrl+S               save
 *
 * Saving sends the whole draft; the server computes every amount and the
 * window shows its totals, the VAT per rate and the subtotals. A price,
 * quantity or discount that does not parse is refused on its cell before
 * any call; the server's refusals land on the cell or field they name.
 * A validated document opens read only, with the actions its state allows
 * (cpt-sales-actions.h).
 *
 * Widgets are named for tests and errors: the header after the server's
 * fields ("document.party_code", "document.issue_date"...), the title
 * "document.number" and "document.state", the totals "totals.net_total",
 * "totals.vat_total", "totals.gross_total"... and "totals.vat" (rows of
 * "vat.rate", "vat.base", "vat.amount"), the buttons "save", "validate",
 * "convert", "credit_note", "quote.sent", "quote.accepted", "quote.refused",
 * "preview", "export.cii", "export.ubl", "delete", and the message line
 * "message". Line cells are "line.kind", "line.code", "line.label",
 * "line.quantity", "line.unit", "line.unit_price", "line.discount",
 * "line.vat" and "line.total".
 */
#ifndef CPT_SALES_EDITOR_H
#define CPT_SALES_EDITOR_H

#include "cpt-conn.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * Opens document id of type (0: a new draft of that type), transient for
 * parent's window (parent may be NULL). Returns the window (owned by GTK;
 * gtk_window_destroy() closes it).
 */
GtkWindow *cpt_sales_editor_open(CptConn *conn, GtkWidget *parent, const char *type, gint64 id);

/* TRUE once the reference lists and the document are in and no call is in flight. */
gboolean cpt_sales_editor_is_ready(GtkWindow *editor);
/* The document's id once saved or loaded (0 for a new one not yet saved). */
gint64 cpt_sales_editor_get_id(GtkWindow *editor);
/* "quote", "invoice"... */
const char *cpt_sales_editor_get_doc_type(GtkWindow *editor);
/* "draft", "validated"... as the server says; "" before the first save. */
const char *cpt_sales_editor_get_state(GtkWindow *editor);
/* The legal number, "" for a draft. */
const char *cpt_sales_editor_get_number(GtkWindow *editor);
/* Whether the document can no longer be edited here (validated, or no right). */
gboolean cpt_sales_editor_is_read_only(GtkWindow *editor);
/* The message line ("" when none). */
const char *cpt_sales_editor_get_message(GtkWindow *editor);
/* The widget named name (see above), NULL if none. Transfer none. */
GtkWidget *cpt_sales_editor_get_widget(GtkWindow *editor, const char *name);

/* Lines shown (including a blank one being typed). */
guint cpt_sales_editor_get_n_lines(GtkWindow *editor);
/* Cell column ("line.quantity"...) of line i, NULL if none. Transfer none. */
GtkWidget *cpt_sales_editor_get_cell(GtkWindow *editor, guint line, const char *column);
/* The line and column of the cell holding the keyboard focus; FALSE if none does. */
gboolean cpt_sales_editor_get_focus_cell(GtkWindow *editor, guint *line, const char **column);
/*
 * What key keyval with modifiers state does where the focus is (the map
 * above; Tab also leaves the header's fields, the client's code looked up).
 * TRUE if the editor handled it.
 */
gboolean cpt_sales_editor_press(GtkWindow *editor, guint keyval, GdkModifierType state);

/* Saves the draft (Save); the window stays open and shows the outcome. */
void cpt_sales_editor_save(GtkWindow *editor);
/*
 * Validates (saving first what changed): for invoices, deposit invoices
 * and credit notes the confirmation is returned ("le numéro est
 * définitif"), else NULL and the call is made.
 */
GtkWindow *cpt_sales_editor_validate(GtkWindow *editor);
/* Opens "Convertir" for this validated document. Returns the dialog, or NULL. */
GtkWindow *cpt_sales_editor_convert(GtkWindow *editor);
/* Opens "Avoir" for this validated invoice. Returns the dialog, or NULL. */
GtkWindow *cpt_sales_editor_credit_note(GtkWindow *editor);
/* "Dupliquer": a new draft copied from this saved document, opened beside it. */
void cpt_sales_editor_duplicate(GtkWindow *editor);
/* Aperçu: the PDF opened in the desktop's viewer, or "Aperçu PDF : à venir". */
void cpt_sales_editor_preview(GtkWindow *editor);
/* "Envoyer…": the e-mail dialog for this validated document (cpt-sales-send.h). */
GtkWindow *cpt_sales_editor_send(GtkWindow *editor);
/* What "Factur-X…" (format "cii") and "UBL…" ("ubl") do once dest is chosen. */
void cpt_sales_editor_export_to(GtkWindow *editor, const char *format, GFile *dest);
/* The editor opened on the document last made from this one (convert, credit note), or NULL. */
GtkWindow *cpt_sales_editor_get_made(GtkWindow *editor);

G_END_DECLS

#endif
