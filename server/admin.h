/*
 * Administration spans companies: users and roles are installation-wide,
 * grants are per company. An administrator acts only where they hold
 * admin.users: on grants of those companies, on users whose every company is
 * one of those, on roles granted only in those.
 */
#ifndef CPT_ADMIN_H
#define CPT_ADMIN_H

#include "call.h"

/* SQL: true when the calling user holds admin.users in company (an expression). */
#define CPT_SQL_ADMINISTERS(company)                                                               \
	"EXISTS (SELECT 1 FROM user_company_role mine JOIN role_permission rp"                     \
	" ON rp.role_id = mine.role_id AND rp.permission = 'admin.users'"                          \
	" WHERE mine.user_id = cpt_user() AND mine.company_id = " company ")"

int cpt_admin_check_company(cpt_call *call, cpt_status *st, int64_t company_id, const char *field);
int cpt_admin_check_user(cpt_call *call, cpt_status *st, int64_t user_id);
int cpt_admin_check_role(cpt_call *call, cpt_status *st, int64_t role_id);

#endif
