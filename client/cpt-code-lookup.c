/*
 * Finding a record by its code; see cpt-code-lookup.h. The search is the
 * list's own (word starts, accents ignored), sorted by code, one page of
 * LOOKUP_ROWS: the exact code is among them unless that many other codes,
 * names or labels contain it and sort before it.
 */
#include "cpt-code-lookup.h"

#include "articles.pb-c.h"
#include "parties.pb-c.h"

#include <string.h>

#define LOOKUP_ROWS 200

void cpt_code_lookup(CptConn *conn, CptCodeKind kind, const char *code, GAsyncReadyCallback cb,
		     gpointer user_data)
{
	g_autofree char *search = g_strstrip(g_strdup(code ? code : ""));
	Comptoir__Admin__Page page = COMPTOIR__ADMIN__PAGE__INIT;
	page.limit = LOOKUP_ROWS;
	page.sort = "code";
	if (kind == CPT_CODE_ARTICLE) {
		Comptoir__Articles__ListArticlesRequest req =
		    COMPTOIR__ARTICLES__LIST_ARTICLES_REQUEST__INIT;
		req.search = search;
		req.include_archived = TRUE; /* an archived article keeps its prices */
		req.page = &page;
		cpt_conn_call_async(conn, "comptoir.articles.Articles/List", &req.base,
				    &comptoir__articles__list_articles_reply__descriptor, NULL, cb,
				    user_data);
		return;
	}
	Comptoir__Parties__ListPartiesRequest req = COMPTOIR__PARTIES__LIST_PARTIES_REQUEST__INIT;
	req.search = search;
	req.page = &page;
	cpt_conn_call_async(conn,
			    kind == CPT_CODE_CLIENT ? "comptoir.parties.Parties/List"
						    : "comptoir.parties.Suppliers/List",
			    &req.base, &comptoir__parties__list_parties_reply__descriptor, NULL, cb,
			    user_data);
}

gboolean cpt_code_lookup_match(CptCodeKind kind, const CptCallResult *r, const char *code,
			       gint64 *id, const char **label)
{
	if (r->status.code != CPT_OK || !r->output) {
		return FALSE;
	}
	g_autofree char *wanted = g_strstrip(g_strdup(code ? code : ""));
	if (!*wanted) {
		return FALSE;
	}
	if (kind == CPT_CODE_ARTICLE) {
		const Comptoir__Articles__ListArticlesReply *rep = (const void *)r->output;
		for (size_t i = 0; i < rep->n_articles; i++) {
			if (g_ascii_strcasecmp(rep->articles[i]->code, wanted) == 0) {
				*id = rep->articles[i]->id;
				*label = rep->articles[i]->label;
				return TRUE;
			}
		}
		return FALSE;
	}
	const Comptoir__Parties__ListPartiesReply *rep = (const void *)r->output;
	for (size_t i = 0; i < rep->n_parties; i++) {
		if (g_ascii_strcasecmp(rep->parties[i]->code, wanted) == 0) {
			*id = rep->parties[i]->id;
			*label = rep->parties[i]->name;
			return TRUE;
		}
	}
	return FALSE;
}

const Comptoir__Articles__ArticleSummary *cpt_code_lookup_article(const CptCallResult *r,
								  const char *code)
{
	gint64 id;
	const char *label;
	if (!cpt_code_lookup_match(CPT_CODE_ARTICLE, r, code, &id, &label)) {
		const Comptoir__Articles__ListArticlesReply *rep = (const void *)r->output;
		return r->status.code == CPT_OK && rep && rep->n_articles == 1 ? rep->articles[0]
									       : NULL;
	}
	const Comptoir__Articles__ListArticlesReply *rep = (const void *)r->output;
	for (size_t i = 0; i < rep->n_articles; i++) {
		if (rep->articles[i]->id == id) {
			return rep->articles[i];
		}
	}
	return NULL;
}
