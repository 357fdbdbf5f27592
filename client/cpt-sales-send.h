/*
 * "Envoyer…": a validated document's PDF sent by e-mail to the client
 * through the server's outbox (Quotes/Send, Invoices/Send). The dialog
 * offers the recipient (empty: the client's first contact with an e-mail),
 * the subject and the message (empty: the company's templates), and says
 * where the e-mail went; the outbox retries until it leaves.
 */
#ifndef CPT_SALES_SEND_H
#define CPT_SALES_SEND_H

#include "cpt-conn.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Called with the line to show in the editor once queued (transfer none). */
typedef void (*CptSalesSent)(const char *message, gpointer data);

/*
 * Opens the dialog for document id of type (its number for the title),
 * over parent. The contacts of client party_id that have an address are
 * offered to tick ("send.contact.0"…; the first ticked when "À" is empty),
 * each ticked one in "À". Its widgets are named "send.to", "send.subject",
 * "send.body", "send.accept". Returns the window.
 */
GtkWindow *cpt_sales_send_dialog(CptConn *conn, GtkWindow *parent, const char *type, gint64 id,
				 const char *number, gint64 party_id, CptSalesSent done,
				 gpointer data);
/* What "Envoyer" does in the dialog. */
void cpt_sales_send_accept(GtkWindow *dialog);

/*
 * The e-mails sent about a document, one line each (date — recipient —
 * state), hidden while there are none. Load (again) with
 * cpt_sales_mails_load.
 */
GtkWidget *cpt_sales_mails_new(void);
void cpt_sales_mails_load(GtkWidget *mails, CptConn *conn, gint64 id);

G_END_DECLS

#endif
