/* Search-as-you-type pages in two steps: see listing.h. */
#include "listing.h"
#include "db.h"

#include <glib.h>

PGresult *cpt_list_search(cpt_call *call, cpt_status *st, const char *search,
			  const cpt_list_sql *sql, int n, const char *const *params, int want)
{
	g_autofree char *typed = g_strstrip(g_strdup(search ? search : ""));
	if (!*typed || !sql->walk) {
		return cpt_db_exec(call, st, sql->plain, n, params);
	}
	PGresult *r = cpt_db_exec(call, st, sql->walk, n, params);
	if (!r || PQntuples(r) >= want) {
		return r;
	}
	PQclear(r);
	return cpt_db_exec(call, st, sql->index, n, params);
}

void cpt_list_sql_build(cpt_call *call, cpt_list_sql *out, const char *fmt, const char *table,
			const char *alias, const char *prefilter, const char *match,
			const char *key, bool desc, bool offset, int want)
{
	const char *dir = desc ? "DESC" : "ASC";
	out->plain = cpt_call_printf(call, fmt, table,
				     cpt_call_printf(call, "%s AND %s", match, prefilter), key);
	out->walk = NULL;
	out->index = NULL;
	if (offset) {
		return;
	}
	out->walk = cpt_call_printf(
	    call, fmt,
	    cpt_call_printf(call,
			    "(SELECT * FROM %s %s WHERE %s ORDER BY %s %s, %s.id %s LIMIT %d)",
			    table, alias, prefilter, key, dir, alias, dir, CPT_LIST_WALK_ROWS),
	    match, key);
	/*
	 * An expression the sort index does not match, so the trigram index
	 * serves; the page is cut inside, so that the outer query's per-row
	 * work (subqueries of the select list) runs on the page only.
	 */
	out->index = cpt_call_printf(
	    call, fmt,
	    cpt_call_printf(call,
			    "(SELECT * FROM %s %s WHERE %s AND %s ORDER BY %s || '' %s, %s.id %s"
			    " LIMIT %d)",
			    table, alias, match, prefilter, key, dir, alias, dir, want),
	    "true", key);
}
