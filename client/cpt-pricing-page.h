/*
 * CptPricingPage: the "Tarifs" module. Three tabs, each a list of prices
 * with its row editor (cpt-price-rules.h):
 *
 *  - "Tarifs": the price lists (client categories) on the left, created and
 *    renamed here; the rules of the chosen list on the right;
 *  - "Prix client": a client chosen by its code, and the rules made for it;
 *  - "Prix fournisseurs": a supplier chosen by its code, and its prices.
 *
 * Below the tabs, the price checker ("Quel prix pour…"): a client, an
 * article, a quantity and a date give the unit price the server resolves
 * (comptoir.articles.Pricing/Resolve) and where it comes from — the client's
 * own price, its price list, or the article's sale price — with the winning
 * rule's quantity break and validity.
 *
 * Widgets are named for tests and errors: "price_list.code" and
 * "price_list.label" in the price list dialog, "client.code" and
 * "supplier.code" in their tabs with the name found beside ("client.name",
 * "supplier.name"), "check.client", "check.article",
 * "check.quantity", "check.date", "check.price", "check.source",
 * "check.rule" in the checker.
 */
#ifndef CPT_PRICING_PAGE_H
#define CPT_PRICING_PAGE_H

#include "cpt-conn.h"
#include "cpt-price-rules.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CPT_TYPE_PRICING_PAGE (cpt_pricing_page_get_type())
G_DECLARE_FINAL_TYPE(CptPricingPage, cpt_pricing_page, CPT, PRICING_PAGE, GtkBox)

GtkWidget *cpt_pricing_page_new(CptConn *conn);
/* Shows the tab "lists", "clients" or "suppliers" (if the user may see it). */
void cpt_pricing_page_show_tab(CptPricingPage *self, const char *tab);
/* The prices of a tab ("lists", "clients", "suppliers"), or NULL. Transfer none. */
CptPriceRules *cpt_pricing_page_get_rules(CptPricingPage *self, const char *tab);
/* The page's widget named name (see above), or NULL. Transfer none. */
GtkWidget *cpt_pricing_page_get_widget(CptPricingPage *self, const char *name);

/* The price lists shown, and whether they are being read. */
guint cpt_pricing_page_get_n_price_lists(CptPricingPage *self);
gboolean cpt_pricing_page_is_loading(CptPricingPage *self);
/* Chooses the price list whose code is code; FALSE if none such is shown. */
gboolean cpt_pricing_page_select_price_list(CptPricingPage *self, const char *code);
/* The code of the chosen price list, or NULL. */
const char *cpt_pricing_page_get_price_list_code(CptPricingPage *self);
/*
 * Opens the price list dialog: a new one, or (rename TRUE) the chosen one.
 * Its fields are "price_list.code" and "price_list.label", its buttons
 * "save" and "cancel", its message "message". Saved, it closes and the list
 * is chosen. Returns the dialog, or NULL (no right, nothing chosen).
 */
GtkWindow *cpt_pricing_page_edit_price_list(CptPricingPage *self, gboolean rename);

/*
 * Types code in the client (tab "clients") or supplier ("suppliers") code
 * field; the party is looked up and its prices shown.
 */
void cpt_pricing_page_choose_party(CptPricingPage *self, const char *tab, const char *code);

/*
 * Fills the checker (NULL leaves a field as it is) and asks the server.
 * quantity as typed ("1", "2,5"), date as "31/12/2026" ("" for today).
 */
void cpt_pricing_page_check(CptPricingPage *self, const char *client, const char *article,
			    const char *quantity, const char *date);
/* TRUE while the checker waits for the server. */
gboolean cpt_pricing_page_is_checking(CptPricingPage *self);

G_END_DECLS

#endif
