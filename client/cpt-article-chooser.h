/*
 * Choosing an article when what was typed in a code cell is not a code but
 * part of a name, and several articles answer: a popover under the cell
 * lists them (code, label, price); arrows move, Enter or a click chooses,
 * Escape closes with nothing chosen.
 */
#ifndef CPT_ARTICLE_CHOOSER_H
#define CPT_ARTICLE_CHOOSER_H

#include "cpt-conn.h"

#include <gtk/gtk.h>

#include "articles.pb-c.h"

G_BEGIN_DECLS

/* The article chosen (transfer none, valid during the call). */
typedef void (*CptArticleChosen)(const Comptoir__Articles__ArticleSummary *a, gpointer data);

/*
 * Shows the articles of answer r, an Articles/List reply (transfer full),
 * under anchor, the first one selected and focused. chosen runs once if one
 * is chosen; destroy(data) runs when the popover goes, chosen or not. The
 * list is named "article-chooser".
 */
void cpt_article_chooser_popup(GtkWidget *anchor, CptCallResult *r, CptArticleChosen chosen,
			       gpointer data, GDestroyNotify destroy);

G_END_DECLS

#endif
