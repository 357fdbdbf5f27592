/*
 * CptSalesPage: the modules "Devis et commandes" (quotes, orders, delivery
 * notes) and "Factures et avoirs" (invoices, deposit invoices, credit
 * notes, pro formas). The shared list with a type selector
 * ("filter.type"), a state filter ("filter.state") and the search; under
 * it, the count and totals of every document the filter keeps
 * ("list.totals"); the list follows the changes other workstations make.
 * Documents open in the editor (cpt-sales-editor.h), and the actions of
 * cpt-sales-actions.h apply to the rows selected — several delivery notes
 * selected make one invoice.
 */
#ifndef CPT_SALES_PAGE_H
#define CPT_SALES_PAGE_H

#include "cpt-conn.h"
#include "cpt-list-view.h"
#include "cpt-sales.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CPT_TYPE_SALES_PAGE (cpt_sales_page_get_type())
G_DECLARE_FINAL_TYPE(CptSalesPage, cpt_sales_page, CPT, SALES_PAGE, GtkBox)

GtkWidget *cpt_quotes_page_new(CptConn *conn);
GtkWidget *cpt_invoices_page_new(CptConn *conn);
CptListView *cpt_sales_page_get_list(CptSalesPage *self);
/* Shows type's documents in state ("" any), as the page's dropdowns do. */
void cpt_sales_page_filter(CptSalesPage *self, const char *type, const char *state);
/* The type shown ("quote", "invoice"...). */
const char *cpt_sales_page_get_type_shown(CptSalesPage *self);
/* "3 documents : 1 234,56 € HT, 1 481,47 € TTC" ("" until known). */
const char *cpt_sales_page_get_totals(CptSalesPage *self);
/* Whether the totals shown are those of the filter shown (none asked for since). */
gboolean cpt_sales_page_totals_current(CptSalesPage *self);
/* The page's message line ("" when none). */
const char *cpt_sales_page_get_message(CptSalesPage *self);
/* Opens document id of the type shown (0: a new one) in the editor. Returns the window. */
GtkWindow *cpt_sales_page_open(CptSalesPage *self, gint64 id);
/*
 * Opens "Convertir" for the rows selected (several delivery notes or
 * quotes: one invoice). Returns the dialog, or NULL when nothing fits.
 */
GtkWindow *cpt_sales_page_convert_selected(CptSalesPage *self);
/* The editor opened on the last document a page action made, or NULL. */
GtkWindow *cpt_sales_page_get_made(CptSalesPage *self);

G_END_DECLS

#endif
