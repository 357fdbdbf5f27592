/*
 * The actions on sales documents, shared by the modules' lists, the editor
 * and the client file: validate (asked first when the number is legal and
 * definitive), convert (what to make; an order's delivery with the quantity
 * left on each line; several delivery notes into one invoice), credit note
 * (all that is left, or per line), a quote's state, delete a draft, the PDF
 * preview, and the e-invoices (Factur-X CII, Peppol UBL) saved as files.
 *
 * Every action runs for an origin widget (a page, an editor window): its
 * done callback runs only while the origin is still shown, with the
 * server's answer (a DocumentReply for what makes or changes a document)
 * and a sentence for the status line. Dialogs name their widgets for tests:
 * "convert.to_type", "convert.deposit_rate", "quantities" (rows holding
 * "quantity" entries), "credit.all", and cpt_ui_confirm's "confirm.accept"
 * and "confirm.cancel" buttons.
 */
#ifndef CPT_SALES_ACTIONS_H
#define CPT_SALES_ACTIONS_H

#include "cpt-conn.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * r: the server's answer (never NULL); message: what to show, translated
 * ("Document validé : n° FA-2026-00001.", "Aperçu PDF : à venir", the
 * server's error...).
 */
typedef void (*CptSalesDone)(GtkWidget *origin, const CptCallResult *r, const char *message);

/*
 * Validates draft id of type. Invoices, deposit invoices and credit notes
 * are asked first ("le numéro est définitif"): the dialog is returned and
 * the call made on accept; other types are validated at once (NULL).
 */
GtkWindow *cpt_sales_validate(CptConn *conn, GtkWidget *origin, const char *type, gint64 id,
			      CptSalesDone done);

/*
 * Opens "Convertir" for the n documents ids, all of type and validated: the
 * kinds of document they can make, the deposit's share, an order's
 * quantities to deliver (what is left on each line, computed from the
 * delivery notes already made). Several documents make one invoice.
 * Returns the dialog.
 */
GtkWindow *cpt_sales_convert_ask(CptConn *conn, GtkWidget *origin, const char *type,
				 const gint64 *ids, guint n, CptSalesDone done);
/* Duplicate: a new draft copied from document id of type; done gets it as made. */
void cpt_sales_duplicate(CptConn *conn, GtkWidget *origin, const char *type, gint64 id,
			 CptSalesDone done);

/*
 * What the dialog does on accept: Convert ids into a draft of to_type.
 * quantities: source line id (gint64 *) -> quantity in 1/1000 (gint64 *),
 * lines not named not taken; NULL: everything left. deposit_rate: a
 * deposit invoice's share, hundredths of a percent.
 */
void cpt_sales_convert(CptConn *conn, GtkWidget *origin, const gint64 *ids, guint n,
		       const char *to_type, GHashTable *quantities, gint32 deposit_rate,
		       CptSalesDone done);

/*
 * Opens "Avoir" for validated invoice id: all that is left to credit, or
 * quantities per line (what is left on each is shown). Returns the dialog.
 */
GtkWindow *cpt_sales_credit_note_ask(CptConn *conn, GtkWidget *origin, gint64 invoice_id,
				     CptSalesDone done);
/* What it does on accept (quantities as for cpt_sales_convert; NULL: all). */
void cpt_sales_credit_note(CptConn *conn, GtkWidget *origin, gint64 invoice_id,
			   GHashTable *quantities, CptSalesDone done);

/* A validated quote's state: "sent", "accepted" or "refused". */
void cpt_sales_set_quote_state(CptConn *conn, GtkWidget *origin, gint64 id, const char *state,
			       CptSalesDone done);

/* Asks, then deletes draft id of type (r: an Empty). Returns the dialog. */
GtkWindow *cpt_sales_delete(CptConn *conn, GtkWidget *origin, const char *type, gint64 id,
			    CptSalesDone done);

/*
 * Print (format pdf), saved to a temporary file and opened with the
 * desktop's viewer, where it prints. A PDF the server cannot make yet
 * (UNIMPLEMENTED) is not a failure: message says "Aperçu PDF : à venir".
 */
void cpt_sales_preview(CptConn *conn, GtkWidget *origin, const char *type, gint64 id,
		       CptSalesDone done);

/*
 * The e-invoice of validated invoice or credit note id, format "cii"
 * (Factur-X XML) or "ubl": asked for with Print, then where to save it
 * (named as the server names it, "FA-2026-00042.xml").
 */
void cpt_sales_export_ask(CptConn *conn, GtkWidget *origin, const char *type, gint64 id,
			  const char *format, CptSalesDone done);
/* The same, saved to dest without asking. */
void cpt_sales_export_to(CptConn *conn, GtkWidget *origin, const char *type, gint64 id,
			 const char *format, GFile *dest, CptSalesDone done);

G_END_DECLS

#endif
