/*
 * comptoir.prefs.Prefs: per-user preferences, opaque to the server. Any
 * logged-in user reads and writes only their own.
 */
#include "audit.h"
#include "db.h"
#include "handlers.h"

#include "prefs.pb-c.h"

#include <string.h>

#define PREF_VALUE_MAX 8192

static int check_key(const char *key, cpt_status *st)
{
	size_t n = strlen(key);
	bool ok = n >= 1 && n <= 100;
	for (size_t i = 0; ok && i < n; i++) {
		char c = key[i];
		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		     c == '-';
	}
	return ok ? 0
		  : cpt_status_set(st, CPT_INVALID_ARGUMENT, "key",
				   "clé de préférence invalide (a-z, 0-9, . _ -, 100 au plus)");
}

CPT_HANDLER(cpt_prefs_get)
{
	const Comptoir__Prefs__GetPrefRequest *req = (const void *)in;
	if (check_key(req->key, st)) {
		return st->code;
	}
	PGresult *r = cpt_db_query(
	    call, st, "SELECT value FROM user_pref WHERE user_id = $1::bigint AND key = $2",
	    cpt_call_i64(call, call->user_id), req->key);
	if (!r) {
		return st->code;
	}
	Comptoir__Prefs__PrefReply *rep =
	    CPT_NEW(call, Comptoir__Prefs__PrefReply, comptoir__prefs__pref_reply__init);
	rep->key = cpt_call_strdup(call, req->key);
	rep->value = cpt_call_strdup(call, PQntuples(r) ? cpt_db_str(r, 0, 0) : "");
	PQclear(r);
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_prefs_set)
{
	const Comptoir__Prefs__SetPrefRequest *req = (const void *)in;
	if (check_key(req->key, st)) {
		return st->code;
	}
	if (strlen(req->value) > PREF_VALUE_MAX) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "value",
				      "préférence trop longue (8 Kio au plus)");
	}
	PGresult *r =
	    cpt_db_query(call, st,
			 "INSERT INTO user_pref (user_id, key, value) VALUES ($1::bigint, $2, $3)"
			 " ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value,"
			 " updated_at = now()",
			 cpt_call_i64(call, call->user_id), req->key, req->value);
	if (!r) {
		return st->code;
	}
	PQclear(r);
	if (cpt_audit(call, st, "user_pref", call->user_id, 0,
		      cpt_json_object(call, "key", req->key, NULL))) {
		return st->code;
	}
	Comptoir__Prefs__PrefReply *rep =
	    CPT_NEW(call, Comptoir__Prefs__PrefReply, comptoir__prefs__pref_reply__init);
	rep->key = cpt_call_strdup(call, req->key);
	rep->value = cpt_call_strdup(call, req->value);
	*out = &rep->base;
	return 0;
}
