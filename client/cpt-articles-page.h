/*
 * CptArticlesPage: the "Articles" module — the catalogue list (search as you
 * type without accents, filters by nature and family, archived articles on
 * demand) and the article file opened from it (cpt-article-form.h).
 */
#ifndef CPT_ARTICLES_PAGE_H
#define CPT_ARTICLES_PAGE_H

#include "cpt-conn.h"
#include "cpt-list-view.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Cells of an article row, in column order. */
enum {
	CPT_ARTICLE_CODE,
	CPT_ARTICLE_LABEL,
	CPT_ARTICLE_KIND,
	CPT_ARTICLE_UNIT,
	CPT_ARTICLE_SALE_PRICE, /* "1 234,50", excluding VAT */
	CPT_ARTICLE_VAT,	/* "20 %", "5,5 %" */
	CPT_ARTICLE_FAMILY,
	CPT_ARTICLE_ARCHIVED,
	CPT_ARTICLE_N_CELLS
};
/* CptRow.flags of an article row. */
#define CPT_ARTICLE_ROW_ARCHIVED 1u

#define CPT_TYPE_ARTICLES_PAGE (cpt_articles_page_get_type())
G_DECLARE_FINAL_TYPE(CptArticlesPage, cpt_articles_page, CPT, ARTICLES_PAGE, GtkBox)

GtkWidget *cpt_articles_page_new(CptConn *conn);
CptListView *cpt_articles_page_get_list(CptArticlesPage *self);
/*
 * Filters the list as the page's own controls do, and shows it on them:
 * kind "goods", "service", "labour", "travel" or "" (any); family_id 0 for
 * any family (a family also matches its subfamilies' articles).
 */
void cpt_articles_page_filter(CptArticlesPage *self, const char *kind, gint64 family_id,
			      gboolean include_archived);
/* Opens the file of article id (0: a new article). Returns the window. */
GtkWindow *cpt_articles_page_open(CptArticlesPage *self, gint64 id);

G_END_DECLS

#endif
