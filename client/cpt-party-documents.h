/*
 * CptPartyDocuments: the "Documents" section of a client or supplier file —
 * the files attached to the party (name, size, date added), and the buttons
 * Ajouter, Enregistrer sous… and Supprimer. Files are read, sent, fetched
 * and written without blocking the UI: GIO's asynchronous file calls and
 * CptConn's worker threads. The list follows the other workstations' changes.
 *
 * Widgets are named for tests: "documents.list" (a GtkListBox whose rows hold
 * labels "document.name", "document.size", "document.created_at"),
 * "documents.add", "documents.save", "documents.delete", "documents.message".
 */
#ifndef CPT_PARTY_DOCUMENTS_H
#define CPT_PARTY_DOCUMENTS_H

#include "cpt-conn.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CPT_TYPE_PARTY_DOCUMENTS (cpt_party_documents_get_type())
G_DECLARE_FINAL_TYPE(CptPartyDocuments, cpt_party_documents, CPT, PARTY_DOCUMENTS, GtkBox)

/*
 * service: "comptoir.parties.Parties" or ".Suppliers"; topic: the events of
 * that book's documents ("party_document"); writable: the user may add and
 * delete (the server decides anyway).
 */
GtkWidget *cpt_party_documents_new(CptConn *conn, const char *service, const char *topic,
				   gboolean writable);
/*
 * Shows party_id's documents (0: a file not saved yet, which cannot have any).
 * frozen: the party was anonymised, nothing can be added any more.
 */
void cpt_party_documents_set_party(CptPartyDocuments *self, gint64 party_id, gboolean frozen);
void cpt_party_documents_reload(CptPartyDocuments *self);
/* Whether a list call is in flight. */
gboolean cpt_party_documents_is_loading(CptPartyDocuments *self);
/* Documents shown. */
guint cpt_party_documents_get_count(CptPartyDocuments *self);
/* The last message shown under the list ("" when none). */
const char *cpt_party_documents_get_message(CptPartyDocuments *self);
/* What Ajouter does once a file is chosen: reads it and sends it. */
void cpt_party_documents_add_file(CptPartyDocuments *self, GFile *file);
/* What Enregistrer sous… does once a place is chosen, for the selected document. */
void cpt_party_documents_save_selected(CptPartyDocuments *self, GFile *dest);

G_END_DECLS

#endif
