/* What other modules use of the article catalogue (articles.c). */
#ifndef CPT_ARTICLES_H
#define CPT_ARTICLES_H

#include "call.h"

/*
 * Checks and inserts a new article with its translations and BOM: *id and
 * its normalised *code (call's arena; code may be NULL). Neither notifies
 * nor audits: the caller does, once (Create, imports).
 */
struct Comptoir__Articles__Article;
int cpt_article_insert(cpt_call *call, cpt_status *st, const struct Comptoir__Articles__Article *in,
		       int64_t *id, const char **code);

#endif
