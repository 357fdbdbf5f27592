/*
 * CptPriceRules: the prices of one owner — a price list, a client, or a
 * supplier — as a list (article, quantity break, price or discount,
 * validity) and a row editor below it to add or change one. The Tarifs
 * module (cpt-pricing-page.h) shows one per tab.
 *
 * The editor's widgets are named after the server's fields ("rule.unit_price",
 * "rule.valid_to", or for a supplier "price.supplier_ref"...), the article
 * being typed by its code ("rule.article_code"): the server's errors land on
 * them, and tests find them. Prices are typed in French ("1 234,50"),
 * discounts as a percentage ("12,5"), dates as "31/12/2026"; what does not
 * parse is shown on its field and nothing is sent.
 */
#ifndef CPT_PRICE_RULES_H
#define CPT_PRICE_RULES_H

#include "cpt-conn.h"
#include "cpt-row.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
	CPT_PRICE_RULES_LIST,	  /* a price list's rules (Pricing/ListRules, price_list_id) */
	CPT_PRICE_RULES_CLIENT,	  /* a client's own rules (party_id) */
	CPT_PRICE_RULES_SUPPLIER, /* a supplier's prices (Pricing/ListSupplierPrices) */
} CptPriceRulesKind;

/* Cells of a row (CptRow, id: the rule's or supplier price's), in this order. */
enum {
	CPT_PRICE_RULE_ARTICLE,	     /* "ENTRETIEN — Entretien annuel" */
	CPT_PRICE_RULE_REF,	     /* the supplier's reference; "" for rules */
	CPT_PRICE_RULE_MIN_QUANTITY, /* "10", "1,5" */
	CPT_PRICE_RULE_PRICE,	     /* "90,00 €" or "remise de 10 %" */
	CPT_PRICE_RULE_FROM,	     /* "01/01/2026", "" when open */
	CPT_PRICE_RULE_TO,	     /* "31/12/2026", "" when open */
	CPT_PRICE_RULE_N_CELLS
};

#define CPT_TYPE_PRICE_RULES (cpt_price_rules_get_type())
G_DECLARE_FINAL_TYPE(CptPriceRules, cpt_price_rules, CPT, PRICE_RULES, GtkBox)

GtkWidget *cpt_price_rules_new(CptConn *conn, CptPriceRulesKind kind);
/* Shows the prices of owner (a price list, client or supplier id; 0: none). */
void cpt_price_rules_set_owner(CptPriceRules *self, gint64 owner);
gint64 cpt_price_rules_get_owner(CptPriceRules *self);
void cpt_price_rules_reload(CptPriceRules *self);
/* TRUE while the list loads, a save or delete is out, or the article is being looked up. */
gboolean cpt_price_rules_is_busy(CptPriceRules *self);
/* The rows shown (CptRow). Transfer none. */
GListModel *cpt_price_rules_get_rows(CptPriceRules *self);
/* Selects row i, as a click would. */
void cpt_price_rules_select(CptPriceRules *self, guint i);
/* Opens the editor on a new price (blank) or on the selected row. */
void cpt_price_rules_add(CptPriceRules *self);
void cpt_price_rules_edit_selected(CptPriceRules *self);
/* Chooses a fixed price HT (FALSE) or a discount off the sale price (TRUE); rules only. */
void cpt_price_rules_set_discount(CptPriceRules *self, gboolean discount);
/*
 * The editor's widget named name ("rule.article_code", "rule.article_label",
 * "rule.min_quantity", "rule.kind", "rule.unit_price", "rule.discount",
 * "rule.valid_from", "rule.valid_to"; "price.supplier_ref"... for a
 * supplier; "save", "cancel"), or NULL. Transfer none.
 */
GtkWidget *cpt_price_rules_get_widget(CptPriceRules *self, const char *name);
/* Saves what the editor holds (SaveRule or SaveSupplierPrice); the outcome shows. */
void cpt_price_rules_save(CptPriceRules *self);
/* Asks before deleting the selected rule (not for suppliers). Returns the dialog, or NULL. */
GtkWindow *cpt_price_rules_ask_delete(CptPriceRules *self);
/* The last message ("" when none). */
const char *cpt_price_rules_get_message(CptPriceRules *self);
/* TRUE while the editor is open. */
gboolean cpt_price_rules_is_editing(CptPriceRules *self);

/*
 * A discount as typed, in hundredths of a percent: "12,5" and "12,5 %" give
 * 1250. FALSE for what does not parse or has more than 2 decimals.
 */
gboolean cpt_price_rules_parse_discount(const char *text, gint32 *bp);
/* "du 01/01/2026 au 31/12/2026", "depuis le…", "jusqu'au…", "toujours". Caller g_free()s. */
char *cpt_price_rules_validity_text(const char *from_iso, const char *to_iso);

G_END_DECLS

#endif
