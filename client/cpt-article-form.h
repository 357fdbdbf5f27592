/*
 * The article file ("fiche article"): identity, prices, VAT, family and
 * subfamily, stock tracking, labels in other languages, the bill of materials
 * with its rolled-up cost, and the price rules that concern the article
 * (read only). Its widgets are named after the server's fields
 * ("article.code", "article.sale_price", ...): the server's errors land on
 * them, and tests find them.
 *
 * Prices are typed in French ("1 234,50") and quantities likewise ("1,5");
 * what does not parse is shown on its field and nothing is sent.
 */
#ifndef CPT_ARTICLE_FORM_H
#define CPT_ARTICLE_FORM_H

#include "cpt-conn.h"
#include "cpt-list-view.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The natures of articles as the server names them, NULL-terminated. */
extern const char *const cpt_article_kinds[];
/* The French name of a nature ("Bien" for "goods"...), translated; kind itself if unknown. */
const char *cpt_article_kind_label(const char *kind);

/*
 * Opens the file of article id (0: a new article), transient for parent
 * (may be NULL). list, when not NULL, is reloaded after each save. Returns
 * the window (owned by GTK; gtk_window_destroy() closes it).
 */
GtkWindow *cpt_article_form_open(CptConn *conn, GtkWindow *parent, gint64 id, CptListView *list);
/*
 * The form's widget named name: a server field ("article.code"...),
 * "article.cost" for the rolled-up cost, "prices" for the price rules,
 * "save" for the button; NULL if none. Transfer none.
 */
GtkWidget *cpt_article_form_get_widget(GtkWindow *form, const char *name);
/* TRUE once the reference lists (units, VAT rates, families) and the record are in. */
gboolean cpt_article_form_is_ready(GtkWindow *form);
/* Adds a row to "Libellés traduits" (lang: "en", "nl"...). */
void cpt_article_form_add_translation(GtkWindow *form, const char *lang, const char *label);
/* Adds a bill-of-materials row: a component by its code, a quantity as typed ("2", "1,5"). */
void cpt_article_form_add_component(GtkWindow *form, const char *code, const char *quantity);
/* The bill-of-materials rows shown. */
guint cpt_article_form_get_n_components(GtkWindow *form);
/* Text of the widget named name in bill-of-materials row i ("component_label"...), or NULL. */
const char *cpt_article_form_get_component_text(GtkWindow *form, guint i, const char *name);
/* The price rules shown in "Prix". */
guint cpt_article_form_get_n_prices(GtkWindow *form);
/* Text of the widget named name in price row i ("owner", "price", "validity"...), or NULL. */
const char *cpt_article_form_get_price_text(GtkWindow *form, guint i, const char *name);
/*
 * Saves (Create or Update); the window stays open and shows the outcome. A
 * price or quantity that does not parse stops here, shown on its field.
 */
void cpt_article_form_save(GtkWindow *form);
/* The form's last message ("" when none). */
const char *cpt_article_form_get_message(GtkWindow *form);
/* The record's id once saved or loaded (0 for a new one not yet saved). */
gint64 cpt_article_form_get_id(GtkWindow *form);

G_END_DECLS

#endif
