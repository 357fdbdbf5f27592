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

/* The price a client pays (the rule is at the top of pricing.c). */
typedef struct cpt_price {
	int64_t unit_price; /* 1/10000, HT */
	int64_t base_price; /* the article's sale price */
	int64_t rule_id;    /* 0: the sale price */
	const char *source; /* "client", "price_list", "article" (static) */
} cpt_price;

/*
 * Resolves the price of article_id for party_id (0: none) at quantity
 * (1/1000) on date ("YYYY-MM-DD"). NOT_FOUND on "article_id" when unknown.
 */
int cpt_price_resolve(cpt_call *call, cpt_status *st, int64_t party_id, int64_t article_id,
		      int64_t quantity, const char *date, cpt_price *out);

#endif
