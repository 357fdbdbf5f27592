/*
 * The "Secteurs et commerciaux" window of the clients module: the company's
 * geographic sectors and sales representatives, listed, added and edited
 * through comptoir.parties.PartyRefs. The clients page opens it for users
 * with clients.write. Its editors' widgets are named after the server's
 * fields ("sector.code", "sales_rep.name"...), their lists "sector.list" and
 * "sales_rep.list", their buttons "<kind>.new", "<kind>.save" and
 * "<kind>.delete"; the
 * notebook of both tabs is "party_refs.tabs".
 */
#ifndef CPT_PARTY_REFS_H
#define CPT_PARTY_REFS_H

#include "cpt-conn.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Opens the window over parent (may be NULL). Returns it. */
GtkWindow *cpt_party_refs_open(CptConn *conn, GtkWindow *parent);
/* Whether a list is still being asked for. */
gboolean cpt_party_refs_is_loading(GtkWindow *refs);
/* How many rows the list of kind ("sector" or "sales_rep") shows. */
guint cpt_party_refs_get_count(GtkWindow *refs, const char *kind);
/* The window's last message ("" when none). */
const char *cpt_party_refs_get_message(GtkWindow *refs);
/*
 * What "Supprimer…" does for kind: asks to delete the row in its editor.
 * Returns the question's window, or NULL when no saved row is there.
 */
GtkWindow *cpt_party_refs_ask_delete(GtkWindow *refs, const char *kind);

G_END_DECLS

#endif
