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
	return cpt_db_exec(call, st, g_utf8_strlen(typed, -1) >= 3 ? sql->index : sql->plain, n,
			   params);
}

void cpt_list_sql_build(cpt_call *call, cpt_list_sql *out, const char *fmt, const char *table,
			const char *alias, const char *prefilter, const char *match,
			const char *key, bool desc, bool offset)
{
	const char *dir = desc ? "DESC" : "ASC";
	char *plain_where = cpt_call_printf(call, "%s AND %s", match, prefilter);
	out->plain = cpt_call_printf(call, fmt, table, plain_where, key);
	/* An expression the sort index does not match: the trigram index serves. */
	out->index =
	    cpt_call_printf(call, fmt, table, plain_where, cpt_call_printf(call, "%s || ''", key));
	out->walk = NULL;
	if (!offset) {
		char *source = cpt_call_printf(
		    call,
		    "(SELECT * FROM %s %s WHERE %s ORDER BY %s %s, %s.id %s"
		    " LIMIT %d)",
		    table, alias, prefilter, key, dir, alias, dir, CPT_LIST_WALK_ROWS);
		out->walk = cpt_call_printf(call, fmt, source, match, key);
	}
}
