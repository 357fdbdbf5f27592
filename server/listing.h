/*
 * Search-as-you-type pages, fast whatever is typed.
 *
 * A "contains" search over a big table has two fast plans: walk the sort
 * index and keep the rows that match (fast when matches are common), or
 * take the matching rows from the trigram index and sort them (fast when
 * they are rare). PostgreSQL's estimate cannot tell which, because matches
 * are not spread evenly along the sort order ("Théâtre..." all sort last).
 * So the page is asked in two steps: first a walk bounded to
 * CPT_LIST_WALK_ROWS rows in sort order; if it found the whole page, done;
 * otherwise the matches are rare there and the trigram index answers.
 * Searches match through cpt_like_pattern() (sql/0008_search_leakproof.sql):
 * anywhere from three characters, at a word's start under three, which
 * trigrams can serve too.
 */
#ifndef CPT_LISTING_H
#define CPT_LISTING_H

#include "call.h"

#include <libpq-fe.h>
#include <stdbool.h>

#define CPT_LIST_WALK_ROWS 2000

typedef struct cpt_list_sql {
	const char *walk;  /* bounded walk in sort order, or NULL */
	const char *index; /* matches from the trigram index, sorted apart */
	const char *plain; /* the planner's choice: no search, jumps */
} cpt_list_sql;

/*
 * Runs the page query for search with n params; want is the LIMIT asked
 * (page size + 1). Returns the result (caller PQclears) or NULL with st set.
 */
PGresult *cpt_list_search(cpt_call *call, cpt_status *st, const char *search,
			  const cpt_list_sql *sql, int n, const char *const *params, int want);

/*
 * The three forms of one page query. fmt has three %s: the source table
 * (for the walk and the index forms, a bounded subquery over table, named
 * alias as the query names it), the search condition slot, and the sort
 * expression; see parties.c for one. offset: the page is a jump (no walk);
 * want: the page's LIMIT.
 */
void cpt_list_sql_build(cpt_call *call, cpt_list_sql *out, const char *fmt, const char *table,
			const char *alias, const char *prefilter, const char *match,
			const char *key, bool desc, bool offset, int want);

#endif
