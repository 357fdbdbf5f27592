/*
 * The audit log: every write records who, when, which method and which rows,
 * inside the same transaction as the write itself.
 */
#ifndef CPT_AUDIT_H
#define CPT_AUDIT_H

#include "call.h"

/*
 * Appends one audit_log row for the current call. company_id 0 records an
 * installation-wide action (users, roles, grants: grants name their company
 * in detail, since an administrator grants from any company). detail is a JSON object or NULL;
 * build it with cpt_json_object. Never put a password or token in it.
 */
int cpt_audit(cpt_call *call, cpt_status *st, const char *target, int64_t row_id,
	      int64_t company_id, const char *detail);

/*
 * A JSON object from key/value string pairs, NULL-terminated; a NULL value
 * ends the list too. Allocated in the call's arena.
 */
char *cpt_json_object(cpt_call *call, ...) __attribute__((sentinel));

/*
 * cpt_audit and cpt_notify in one statement, for the paths that write many
 * documents a second: the audit row of the call's company, and the event
 * topic|row_id|action its workstations are told of at commit.
 */
int cpt_audit_notify(cpt_call *call, cpt_status *st, const char *target, int64_t row_id,
		     const char *detail, const char *topic, const char *action);

#endif
