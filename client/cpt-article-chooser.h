/*
 * Choosing an article when what was typed in a code cell is not a code but
 * part of a name, and several articles answer: a popover under the cell
 * lists them (code, label, price); arrows move, Enter or a click chooses,
 * Escape closes with nothing chosen.
 */
#ifndef CPT_ARTICLE_CHOOSER_H
#define CPT_ARTICLE_CHOOSER_H

#include <gtk/gtk.h>

#include "articles.pb-c.h"

G_BEGIN_DECLS

/* The article chosen (transfer none, valid during the call). */
typedef void (*CptArticleChosen)(const Comptoir__Articles__ArticleSummary *a, gpointer data);

/*
 * Shows the articles of rep (copied: rep may go right after) under anchor,
 * the first one selected and focused. chosen runs once if one is chosen;
 * destroy(data) runs when the popover goes, chosen or not. The list is
 * named "article-chooser".
 */
void cpt_article_chooser_popup(GtkWidget *anchor, const Comptoir__Articles__ListArticlesReply *rep,
			       CptArticleChosen chosen, gpointer data, GDestroyNotify destroy);

G_END_DECLS

#endif
