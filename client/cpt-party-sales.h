/*
 * The client file's history panes "Devis" and "Factures": that client's
 * documents of one book (List with party_id), a type selector
 * ("history.type"), the count and totals of what it shows
 * ("history.totals"), each document opened in the editor by a double click
 * or Entrée. The pane follows the changes other workstations make.
 */
#ifndef CPT_PARTY_SALES_H
#define CPT_PARTY_SALES_H

#include "cpt-conn.h"
#include "cpt-list-view.h"
#include "cpt-sales.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * The pane of book for party_id (0: a file not saved yet, which has no
 * documents). Without the book's read permission, a word saying so.
 */
GtkWidget *cpt_party_sales_new(CptConn *conn, CptSalesBook book, gint64 party_id);
/* The pane's list, or NULL when it shows none. */
CptListView *cpt_party_sales_get_list(GtkWidget *pane);
/* The totals line ("" until known). */
const char *cpt_party_sales_get_totals(GtkWidget *pane);

G_END_DECLS

#endif
