/* audit_log rows and the JSON details they carry. */
#include "audit.h"
#include "events.h"
#include "db.h"

#include <glib.h>
#include <stdarg.h>
#include <string.h>

static const char SQL_AUDIT[] =
    "INSERT INTO audit_log (user_id, company_id, method, target, row_ids, detail)"
    " VALUES (nullif($1::bigint, 0), nullif($2::bigint, 0), $3, $4,"
    "  CASE WHEN $5::bigint = 0 THEN '{}'::bigint[] ELSE ARRAY[$5::bigint] END,"
    "  coalesce($6::jsonb, '{}'::jsonb))";

/* The audit goes with the call's next statement (cpt_db_defer): no round trip of its own. */
int cpt_audit(cpt_call *call, cpt_status *st, const char *target, int64_t row_id,
	      int64_t company_id, const char *detail)
{
	(void)st;
	const char *v[] = {cpt_call_i64(call, call->user_id),
			   cpt_call_i64(call, company_id),
			   call->method,
			   target,
			   cpt_call_i64(call, row_id),
			   detail};
	cpt_db_defer(call, SQL_AUDIT, 6, v, NULL, NULL);
	return 0;
}

static void append_json_string(GString *s, const char *v)
{
	g_string_append_c(s, '"');
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		switch (*p) {
		case '"':
			g_string_append(s, "\\\"");
			break;
		case '\\':
			g_string_append(s, "\\\\");
			break;
		default:
			if (*p < 0x20) {
				g_string_append_printf(s, "\\u%04x", *p);
			} else {
				g_string_append_c(s, (char)*p);
			}
		}
	}
	g_string_append_c(s, '"');
}

char *cpt_json_object(cpt_call *call, ...)
{
	GString *s = g_string_new("{");
	va_list ap;
	va_start(ap, call);
	bool first = true;
	for (;;) {
		const char *k = va_arg(ap, const char *);
		if (!k) {
			break;
		}
		const char *v = va_arg(ap, const char *);
		if (!v) {
			break;
		}
		if (!first) {
			g_string_append_c(s, ',');
		}
		first = false;
		append_json_string(s, k);
		g_string_append_c(s, ':');
		append_json_string(s, v);
	}
	va_end(ap);
	g_string_append_c(s, '}');
	char *out = cpt_call_strdup(call, s->str);
	g_string_free(s, TRUE);
	return out;
}

int cpt_audit_notify(cpt_call *call, cpt_status *st, const char *target, int64_t row_id,
		     const char *detail, const char *topic, const char *action)
{
	(void)st;
	const char *v[] = {cpt_call_i64(call, call->user_id),
			   cpt_call_i64(call, call->company_id),
			   call->method,
			   target,
			   cpt_call_i64(call, row_id),
			   detail,
			   cpt_notify_payload(call, topic, row_id, action)};
	cpt_db_defer(call,
		     "WITH a AS (INSERT INTO audit_log (user_id, company_id, method, target,"
		     " row_ids, detail)"
		     " VALUES (nullif($1::bigint, 0), nullif($2::bigint, 0), $3, $4,"
		     "  CASE WHEN $5::bigint = 0 THEN '{}'::bigint[] ELSE ARRAY[$5::bigint] END,"
		     "  coalesce($6::jsonb, '{}'::jsonb)))"
		     " SELECT pg_notify('comptoir_events', $7)",
		     7, v, NULL, NULL);
	return 0;
}
