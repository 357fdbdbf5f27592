/* The server lists of the administration console, as CptListSources. */
#ifndef CPT_ADMIN_SOURCES_H
#define CPT_ADMIN_SOURCES_H

#include "cpt-list-view.h"

/* Cells of a user row, in column order. */
enum {
	CPT_USER_LOGIN,
	CPT_USER_NAME,
	CPT_USER_EMAIL,
	CPT_USER_STATE,
	CPT_USER_COMPANIES,
	CPT_USER_LAST_LOGIN,
	CPT_USER_N_CELLS
};
/* CptRow.flags of a user row. */
#define CPT_USER_LOCKED 1u

extern const CptListSource cpt_users_source;
extern const CptColumnSpec cpt_users_columns[CPT_USER_N_CELLS];

enum {
	CPT_AUDIT_AT,
	CPT_AUDIT_USER,
	CPT_AUDIT_METHOD,
	CPT_AUDIT_TARGET,
	CPT_AUDIT_DETAIL,
	CPT_AUDIT_N_CELLS
};
/* What the audit tab filters on, besides the method typed in the search field. */
typedef struct {
	char login[65]; /* "" any user */
	gint64 from;	/* Unix seconds, 0: no bound */
	gint64 to;	/* Unix seconds, exclusive, 0: no bound */
} CptAuditFilter;

extern const CptListSource cpt_audit_source;
extern const CptColumnSpec cpt_audit_columns[CPT_AUDIT_N_CELLS];

#endif
