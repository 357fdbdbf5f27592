/*
 * Finding a record by the code people type: the search of the module's List
 * call (articles, clients and prospects, or suppliers) narrowed to the row
 * whose code is exactly the one typed, case ignored. Codes are ASCII upper
 * case on the server (server/fields.c), so "syndic" finds "SYNDIC".
 */
#ifndef CPT_CODE_LOOKUP_H
#define CPT_CODE_LOOKUP_H

#include "cpt-conn.h"

#include "articles.pb-c.h"

G_BEGIN_DECLS

typedef enum {
	CPT_CODE_ARTICLE,  /* comptoir.articles.Articles/List, articles.read */
	CPT_CODE_CLIENT,   /* comptoir.parties.Parties/List, clients.read */
	CPT_CODE_SUPPLIER, /* comptoir.parties.Suppliers/List, suppliers.read */
} CptCodeKind;

/*
 * Asks the server for the records whose code, name or label contains code;
 * cb gets the answer from cpt_conn_call_finish() (caller frees), to read
 * with cpt_code_lookup_match().
 */
void cpt_code_lookup(CptConn *conn, CptCodeKind kind, const char *code, GAsyncReadyCallback cb,
		     gpointer user_data);
/*
 * In the answer r, the record whose code is code (spaces around and case
 * ignored): its id and its label (an article's label, a party's name; transfer
 * none, valid while r lives). FALSE when the call failed or nothing matches.
 */
gboolean cpt_code_lookup_match(CptCodeKind kind, const CptCallResult *r, const char *code,
			       gint64 *id, const char **label);
/*
 * In an article answer r: the article whose code is code, or else the only
 * article the search found (part of a name or label typed); NULL when none
 * or several (transfer none, valid while r lives).
 */
const Comptoir__Articles__ArticleSummary *cpt_code_lookup_article(const CptCallResult *r,
								  const char *code);

G_END_DECLS

#endif
