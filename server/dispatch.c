/*
 * Dispatch: the method table and the running of one call on a worker thread.
 *
 * The table below is the one place that names each method's handler and
 * permission. cpt_dispatch_init resolves it against the generated service
 * descriptors and refuses to start if a service method has no entry.
 */
#include "dispatch.h"
#include "config.h"
#include "handlers.h"
#include "log.h"

#include "admin.pb-c.h"
#include "auth.pb-c.h"
#include "articles.pb-c.h"
#include "equipment.pb-c.h"
#include "imports.pb-c.h"
#include "mail.pb-c.h"
#include "parties.pb-c.h"
#include "sales.pb-c.h"
#include "prefs.pb-c.h"
#include "reference.pb-c.h"
#include "rpc.pb-c.h"

#include <glib.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>

/* Longest string accepted in any input field, in bytes; handlers set tighter ones. */
#define CPT_MAX_STRING 4096
/* Attempts for a transaction that meets a serialization failure or deadlock. */
#define CPT_MAX_ATTEMPTS 5

typedef struct method_entry {
	const ProtobufCServiceDescriptor *service;
	const char *method;
	cpt_handler_fn handler;
	const char *permission;
	unsigned flags;
} method_entry;

#define RPC &comptoir__rpc__server__descriptor
#define AUTH &comptoir__auth__auth__descriptor
#define ADMIN &comptoir__admin__admin__descriptor
#define PREFS &comptoir__prefs__prefs__descriptor
#define PARTIES &comptoir__parties__parties__descriptor
#define SUPPLIERS &comptoir__parties__suppliers__descriptor
#define PARTY_REFS &comptoir__parties__party_refs__descriptor
#define REFERENCE &comptoir__reference__reference__descriptor
#define ARTICLES &comptoir__articles__articles__descriptor
#define PRICING &comptoir__articles__pricing__descriptor
#define EQUIPMENT &comptoir__equipment__equipment__descriptor
#define IMPORT &comptoir__imports__import__descriptor
#define QUOTES &comptoir__sales__quotes__descriptor
#define INVOICES &comptoir__sales__invoices__descriptor
#define MAIL &comptoir__mail__mail__descriptor

static const method_entry table[] = {
    {RPC, "Info", cpt_server_info, NULL, CPT_M_PUBLIC | CPT_M_NO_DB},

    {AUTH, "Login", cpt_auth_login, NULL, CPT_M_PUBLIC},
    {AUTH, "Resume", cpt_auth_resume, NULL, CPT_M_PUBLIC},
    {AUTH, "Logout", cpt_auth_logout, NULL, CPT_M_PUBLIC | CPT_M_SESSION_OPT},
    {AUTH, "ChangePassword", cpt_auth_change_password, NULL, CPT_M_SESSION | CPT_M_MUST_CHANGE},

    {ADMIN, "ListUsers", cpt_admin_list_users, "admin.users", 0},
    {ADMIN, "GetUser", cpt_admin_get_user, "admin.users", 0},
    {ADMIN, "CreateUser", cpt_admin_create_user, "admin.users", 0},
    {ADMIN, "UpdateUser", cpt_admin_update_user, "admin.users", 0},
    {ADMIN, "SetUserLocked", cpt_admin_set_user_locked, "admin.users", 0},
    {ADMIN, "ResetPassword", cpt_admin_reset_password, "admin.users", 0},
    {ADMIN, "ListRoles", cpt_admin_list_roles, "admin.users", 0},
    {ADMIN, "CreateRole", cpt_admin_create_role, "admin.users", 0},
    {ADMIN, "UpdateRole", cpt_admin_update_role, "admin.users", 0},
    {ADMIN, "SetRolePermissions", cpt_admin_set_role_permissions, "admin.users", 0},
    {ADMIN, "ListPermissions", cpt_admin_list_permissions, "admin.users", 0},
    {ADMIN, "SetGrant", cpt_admin_set_grant, "admin.users", 0},
    {ADMIN, "RevokeGrant", cpt_admin_revoke_grant, "admin.users", 0},
    {ADMIN, "ListCompanies", cpt_admin_list_companies, "admin.users", 0},
    {ADMIN, "ListAudit", cpt_admin_list_audit, "admin.audit", 0},
    /* No permission of its own yet: the administrator's is the nearest. */
    {ADMIN, "GetCompanySettings", cpt_admin_get_company_settings, "admin.users", 0},
    {ADMIN, "UpdateCompanySettings", cpt_admin_update_company_settings, "admin.users", 0},

    {PREFS, "Get", cpt_prefs_get, NULL, CPT_M_SESSION},
    {PREFS, "Set", cpt_prefs_set, NULL, CPT_M_SESSION},

    {PARTIES, "List", cpt_parties_list, "clients.read", 0},
    {PARTIES, "Get", cpt_parties_get, "clients.read", 0},
    {PARTIES, "Create", cpt_parties_create, "clients.write", 0},
    {PARTIES, "Update", cpt_parties_update, "clients.write", 0},
    {PARTIES, "ConvertProspect", cpt_parties_convert, "clients.write", 0},
    {PARTIES, "AddDocument", cpt_parties_add_document, "clients.write", 0},
    {PARTIES, "ListDocuments", cpt_parties_list_documents, "clients.read", 0},
    {PARTIES, "GetDocument", cpt_parties_get_document, "clients.read", 0},
    {PARTIES, "DeleteDocument", cpt_parties_delete_document, "clients.write", 0},
    {PARTIES, "Anonymise", cpt_parties_anonymise, "clients.write", 0},

    /* The same handlers: they read the service from the call to keep the books apart. */
    {SUPPLIERS, "List", cpt_parties_list, "suppliers.read", 0},
    {SUPPLIERS, "Get", cpt_parties_get, "suppliers.read", 0},
    {SUPPLIERS, "Create", cpt_parties_create, "suppliers.write", 0},
    {SUPPLIERS, "Update", cpt_parties_update, "suppliers.write", 0},
    {SUPPLIERS, "AddDocument", cpt_parties_add_document, "suppliers.write", 0},
    {SUPPLIERS, "ListDocuments", cpt_parties_list_documents, "suppliers.read", 0},
    {SUPPLIERS, "GetDocument", cpt_parties_get_document, "suppliers.read", 0},
    {SUPPLIERS, "DeleteDocument", cpt_parties_delete_document, "suppliers.write", 0},
    {SUPPLIERS, "Anonymise", cpt_parties_anonymise, "suppliers.write", 0},

    {PARTY_REFS, "ListSectors", cpt_party_refs_list_sectors, "clients.read", 0},
    {PARTY_REFS, "SaveSector", cpt_party_refs_save_sector, "clients.write", 0},
    {PARTY_REFS, "ListSalesReps", cpt_party_refs_list_sales_reps, "clients.read", 0},
    {PARTY_REFS, "SaveSalesRep", cpt_party_refs_save_sales_rep, "clients.write", 0},
    {PARTY_REFS, "DeleteSector", cpt_party_refs_delete_sector, "clients.write", 0},
    {PARTY_REFS, "DeleteSalesRep", cpt_party_refs_delete_sales_rep, "clients.write", 0},
    {PARTY_REFS, "ListPaymentMethods", cpt_party_refs_list_payment_methods, "clients.read", 0},

    {EQUIPMENT, "List", cpt_equipment_list, "interventions.read", 0},
    {EQUIPMENT, "Get", cpt_equipment_get, "interventions.read", 0},
    {EQUIPMENT, "ClientSites", cpt_equipment_client_sites, "interventions.read", 0},
    {EQUIPMENT, "Create", cpt_equipment_create, "interventions.write", 0},
    {EQUIPMENT, "Update", cpt_equipment_update, "interventions.write", 0},

    {REFERENCE, "ListVatRates", cpt_reference_vat_rates, NULL, CPT_M_SESSION},
    {REFERENCE, "ListExemptions", cpt_reference_exemptions, NULL, CPT_M_SESSION},
    {REFERENCE, "ListUnits", cpt_reference_units, NULL, CPT_M_SESSION},
    {REFERENCE, "ListPaymentTerms", cpt_reference_payment_terms, NULL, CPT_M_SESSION},
    {REFERENCE, "DueDate", cpt_reference_due_date, NULL, CPT_M_SESSION},

    {ARTICLES, "List", cpt_articles_list, "articles.read", 0},
    {ARTICLES, "Get", cpt_articles_get, "articles.read", 0},
    {ARTICLES, "Create", cpt_articles_create, "articles.write", 0},
    {ARTICLES, "Update", cpt_articles_update, "articles.write", 0},
    {ARTICLES, "ListFamilies", cpt_articles_list_families, "articles.read", 0},
    {ARTICLES, "SaveFamily", cpt_articles_save_family, "articles.write", 0},

    {PRICING, "ListPriceLists", cpt_pricing_list_price_lists, "articles.read", 0},
    {PRICING, "SavePriceList", cpt_pricing_save_price_list, "articles.write", 0},
    {PRICING, "ListRules", cpt_pricing_list_rules, "articles.read", 0},
    {PRICING, "SaveRule", cpt_pricing_save_rule, "articles.write", 0},
    {PRICING, "DeleteRule", cpt_pricing_delete_rule, "articles.write", 0},
    {PRICING, "Resolve", cpt_pricing_resolve, "articles.read", 0},
    {PRICING, "ListSupplierPrices", cpt_pricing_list_supplier_prices, "articles.read", 0},
    {PRICING, "SaveSupplierPrice", cpt_pricing_save_supplier_price, "articles.write", 0},
    {PRICING, "DeleteSupplierPrice", cpt_pricing_delete_supplier_price, "articles.write", 0},

    /* A dry run needs the write right too: it runs every check a write does. */
    {IMPORT, "Clients", cpt_import_clients_run, "clients.write", 0},
    {IMPORT, "Articles", cpt_import_articles_run, "articles.write", 0},
    {IMPORT, "SupplierPrices", cpt_import_supplier_prices_run, "articles.write", 0},

    /* Two books, the same handlers: they read the service from the call. */
    {QUOTES, "List", cpt_sales_list_run, "quotes.read", 0},
    {QUOTES, "Get", cpt_sales_get_run, "quotes.read", 0},
    {QUOTES, "Save", cpt_sales_save_run, "quotes.write", 0},
    {QUOTES, "Delete", cpt_sales_delete_run, "quotes.write", 0},
    {QUOTES, "Validate", cpt_sales_validate_run, "quotes.write", 0},
    {QUOTES, "Convert", cpt_sales_convert_run, "quotes.write", 0},
    {QUOTES, "Duplicate", cpt_sales_duplicate_run, "quotes.write", 0},
    {QUOTES, "SetQuoteState", cpt_sales_quote_state_run, "quotes.write", 0},
    {QUOTES, "Print", cpt_sales_print_run, "quotes.read", 0},
    {QUOTES, "Send", cpt_sales_send_run, "quotes.write", 0},
    {INVOICES, "List", cpt_sales_list_run, "invoices.read", 0},
    {INVOICES, "Get", cpt_sales_get_run, "invoices.read", 0},
    {INVOICES, "Save", cpt_sales_save_run, "invoices.write", 0},
    {INVOICES, "Delete", cpt_sales_delete_run, "invoices.write", 0},
    {INVOICES, "Validate", cpt_sales_validate_run, "invoices.validate", 0},
    {INVOICES, "Convert", cpt_sales_convert_run, "invoices.write", 0},
    {INVOICES, "Duplicate", cpt_sales_duplicate_run, "invoices.write", 0},
    {INVOICES, "CreditNote", cpt_sales_credit_note_run, "invoices.write", 0},
    {INVOICES, "Print", cpt_sales_print_run, "invoices.read", 0},
    {INVOICES, "Send", cpt_sales_send_run, "invoices.write", 0},

    /* No permission of its own yet: e-mails go to clients. */
    {MAIL, "Send", cpt_mail_send, "clients.write", 0},
    {MAIL, "List", cpt_mail_list, "clients.read", 0},
};

static const ProtobufCServiceDescriptor *const services[] = {
    RPC,      AUTH,    ADMIN,	  PREFS,  PARTIES, SUPPLIERS, PARTY_REFS, REFERENCE,
    ARTICLES, PRICING, EQUIPMENT, IMPORT, QUOTES,  INVOICES,  MAIL};

static cpt_method *methods;
static size_t n_methods;

/* The calls whose kept answer is a read of what they did (cpt_method.replay). */
static const struct {
	const ProtobufCServiceDescriptor *service;
	const char *method;
	cpt_handler_fn replay;
} replays[] = {
    {QUOTES, "Validate", cpt_sales_validate_replay},
    {INVOICES, "Validate", cpt_sales_validate_replay},
};

static int cmp_method(const void *a, const void *b)
{
	return strcmp(((const cpt_method *)a)->name, ((const cpt_method *)b)->name);
}

int cpt_dispatch_init(cpt_status *st)
{
	size_t n = sizeof table / sizeof table[0];
	methods = calloc(n, sizeof *methods);
	for (size_t i = 0; i < n; i++) {
		const method_entry *e = &table[i];
		const ProtobufCMethodDescriptor *md =
		    protobuf_c_service_descriptor_get_method_by_name(e->service, e->method);
		if (!md) {
			cpt_dispatch_free();
			return cpt_status_set(st, CPT_INTERNAL, NULL, "méthode inconnue %s/%s",
					      e->service->name, e->method);
		}
		cpt_method *m = &methods[n_methods++];
		m->name = g_strdup_printf("%s/%s", e->service->name, e->method);
		m->input = md->input;
		m->output = md->output;
		m->handler = e->handler;
		m->permission = e->permission;
		m->flags = e->flags;
		for (size_t r = 0; r < sizeof replays / sizeof replays[0]; r++) {
			if (replays[r].service == e->service &&
			    strcmp(replays[r].method, e->method) == 0) {
				m->replay = replays[r].replay;
			}
		}
	}
	qsort(methods, n_methods, sizeof *methods, cmp_method);
	/* Every method a service declares must be served. */
	for (size_t s = 0; s < sizeof services / sizeof services[0]; s++) {
		for (unsigned j = 0; j < services[s]->n_methods; j++) {
			char name[256];
			snprintf(name, sizeof name, "%s/%s", services[s]->name,
				 services[s]->methods[j].name);
			if (!cpt_dispatch_find(name)) {
				cpt_dispatch_free();
				return cpt_status_set(st, CPT_INTERNAL, NULL,
						      "méthode sans gestionnaire : %s", name);
			}
		}
	}
	return 0;
}

void cpt_dispatch_free(void)
{
	for (size_t i = 0; i < n_methods; i++) {
		g_free(methods[i].name);
	}
	free(methods);
	methods = NULL;
	n_methods = 0;
}

const cpt_method *cpt_dispatch_find(const char *name)
{
	cpt_method key = {.name = (char *)name};
	return bsearch(&key, methods, n_methods, sizeof *methods, cmp_method);
}

const cpt_method *cpt_dispatch_methods(size_t *n)
{
	*n = n_methods;
	return methods;
}

/* ---------------------------------------------------------------------------
 * Input validation
 */

static int validate_string(const char *s, const char *path, cpt_status *st)
{
	if (!s) {
		return 0;
	}
	size_t n = strlen(s);
	if (n > CPT_MAX_STRING) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, path,
				      "texte trop long (%zu octets, au plus %d)", n,
				      CPT_MAX_STRING);
	}
	if (!g_utf8_validate(s, (gssize)n, NULL)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, path, "texte en UTF-8 invalide");
	}
	return 0;
}

static int validate(const ProtobufCMessage *msg, const char *prefix, cpt_status *st)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE) {
			continue;
		}
		char path[64];
		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", f->name);
		const char *base = (const char *)msg + f->offset;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t count = *(const size_t *)((const char *)msg + f->quantifier_offset);
			void *const *items = *(void *const *const *)base;
			for (size_t k = 0; k < count; k++) {
				int rc = f->type == PROTOBUF_C_TYPE_STRING
					     ? validate_string(items[k], path, st)
					     : validate(items[k], path, st);
				if (rc) {
					return rc;
				}
			}
		} else if (f->type == PROTOBUF_C_TYPE_STRING) {
			if (validate_string(*(const char *const *)base, path, st)) {
				return st->code;
			}
		} else {
			const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)base;
			if (sub && validate(sub, path, st)) {
				return st->code;
			}
		}
	}
	return 0;
}

int cpt_dispatch_validate(const ProtobufCMessage *msg, cpt_status *st)
{
	return validate(msg, "", st);
}

/* ---------------------------------------------------------------------------
 * Running a call
 */

/*
 * Opens the call's context in one round trip: company and user for row-level
 * security, the session still valid (not expired, user not locked), the
 * permission still granted, and the idle expiry pushed back at most once a
 * minute.
 */
static const char SQL_SESSION_CHECK[] =
    "WITH touch AS (UPDATE session SET last_seen_at = now(),"
    "  expires_at = now() + make_interval(secs => $4::int)"
    "  WHERE id = $3::bigint AND expires_at > now()"
    "  AND last_seen_at < now() - interval '60 seconds' RETURNING id)"
    " SELECT set_config('comptoir.company_id', $1, true),"
    "  set_config('comptoir.user_id', $2, true),"
    "  EXISTS (SELECT 1 FROM session s JOIN app_user u ON u.id = s.user_id"
    "   WHERE s.id = $3::bigint AND s.company_id = $1::bigint AND s.expires_at > now()"
    "   AND NOT u.locked),"
    "  EXISTS (SELECT 1 FROM user_company_role g"
    "   LEFT JOIN role_permission rp ON rp.role_id = g.role_id AND rp.permission = $5"
    "   WHERE g.user_id = $2::bigint AND g.company_id = $1::bigint"
    "   AND ($5::text IS NULL OR rp.permission IS NOT NULL))";

static int open_context(cpt_call *call, const cpt_method *m, const cpt_session *session,
			cpt_status *st)
{
	if (!session) {
		PGresult *r = cpt_db_exec0(call, st, "BEGIN");
		if (!r) {
			return st->code;
		}
		PQclear(r);
		return 0;
	}
	/* BEGIN and the check travel together: one round trip instead of two. */
	const char *params[] = {
	    cpt_call_i64(call, session->company_id), cpt_call_i64(call, session->user_id),
	    cpt_call_i64(call, session->id), cpt_call_i64(call, (int64_t)call->cfg->session_idle),
	    m->permission};
	PGresult *r = cpt_db_exec_after_begin(call, st, SQL_SESSION_CHECK, 5, params);
	if (!r) {
		return st->code;
	}
	bool alive = cpt_db_bool(r, 0, 2);
	bool allowed = cpt_db_bool(r, 0, 3);
	PQclear(r);
	if (!alive) {
		call->session_clear = true;
		return cpt_status_set(st, CPT_UNAUTHENTICATED, NULL,
				      "session expirée ou fermée : reconnectez-vous");
	}
	if (!allowed) {
		return cpt_status_set(st, CPT_PERMISSION_DENIED, NULL, "droit requis : %s",
				      m->permission);
	}
	return 0;
}

static void end_transaction(cpt_call *call, bool commit, cpt_status *st)
{
	if (PQstatus(call->db) != CONNECTION_OK) {
		call->conn_broken = true;
		return;
	}
	if (commit) {
		cpt_status cst = {0};
		if (cpt_db_commit(call, &cst) != 0 && st->code == CPT_OK) {
			*st = cst;
		}
	} else {
		cpt_db_rollback(call);
	}
}

/* The call's after-commit work, in a transaction of its own; failures are logged. */
static void run_after_commit(cpt_call *call, const cpt_method *m, const cpt_session *session)
{
	cpt_status st = {0};
	call->commit_sent = false;
	if (open_context(call, m, session, &st) == 0) {
		call->after_commit(call, &st, call->after_commit_arg);
	}
	end_transaction(call, st.code == CPT_OK, &st);
	if (st.code != CPT_OK) {
		cpt_warn("%s: after commit: %s (%s)", m->name, st.message, st.field);
	}
}

/* Whether a keyed call's answer is kept: writes of a session, not reads. */
static bool keeps_answer(const cpt_method *m, const cpt_session *session)
{
	if (!session || (m->flags & (CPT_M_PUBLIC | CPT_M_NO_DB))) {
		return false;
	}
	const char *name = strrchr(m->name, '/');
	name = name ? name + 1 : m->name;
	static const char *const reads[] = {"List",    "Get",	      "Print",
					    "Resolve", "ClientSites", "DueDate"};
	for (size_t i = 0; i < G_N_ELEMENTS(reads); i++) {
		if (g_str_has_prefix(name, reads[i])) {
			return false;
		}
	}
	return true;
}

/* The answer kept for key, if any: *payload (malloc'd) and *len. */
static bool kept_answer(cpt_call *call, const char *key, uint8_t **payload, size_t *len)
{
	cpt_status st = {0};
	PGresult *r = cpt_db_query(
	    call, &st, "SELECT payload FROM call_result WHERE key = decode($1, 'hex')", key);
	if (!r) {
		return false;
	}
	bool found = PQntuples(r) == 1;
	if (found) {
		size_t n = 0;
		unsigned char *raw =
		    PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 0), &n);
		*payload = malloc(n ? n : 1);
		memcpy(*payload, raw, n);
		*len = n;
		PQfreemem(raw);
	}
	PQclear(r);
	return found;
}

/*
 * Keeps the answer with the call's work: sent with the COMMIT, which fails
 * on a duplicate key (call_result_pkey) when the same call was done meanwhile.
 */
static void keep_answer(cpt_call *call, const char *key, const cpt_method *m,
			const uint8_t *payload, size_t len)
{
	static atomic_uint calls;
	const char *v[] = {key, m->name, (const char *)payload, cpt_call_i64(call, call->user_id)};
	const int lengths[] = {0, 0, (int)len, 0};
	const int formats[] = {0, 0, 1, 0};
	cpt_db_defer(call,
		     "INSERT INTO call_result (key, method, payload, user_id)"
		     " VALUES (decode($1, 'hex'), $2, $3, nullif($4::bigint, 0))",
		     4, v, lengths, formats);
	if (atomic_fetch_add(&calls, 1) % 1000 == 999) {
		/* Now and then, this user's answers older than a day go (the policy lets
		 * a call delete only its own user's). */
		cpt_db_defer(call,
			     "DELETE FROM call_result WHERE created_at < now() - interval '1 day'",
			     0, NULL, NULL, NULL);
	}
}

void cpt_dispatch_run(const cpt_method *m, cpt_pool *pool, const cpt_config *cfg,
		      const cpt_session *session, const char *peer, const ProtobufCMessage *in,
		      const char *key, cpt_call_result *res)
{
	memset(res, 0, sizeof *res);
	bool keyed = key && *key && keeps_answer(m, session);
	/*
	 * Whether this keyed call may have been done already, its answer kept.
	 * Only a call sent again can find one, and it then either fails (the
	 * work is there: "already validated") or meets the kept key when it
	 * keeps its own answer. Only then is the answer looked for: a first
	 * attempt costs no lookup.
	 */
	bool look = false;
	for (int attempt = 1;; attempt++) {
		cpt_call call = {
		    .cfg = cfg,
		    .method = m->name,
		    .session_id = session ? session->id : 0,
		    .user_id = session ? session->user_id : 0,
		    .company_id = session ? session->company_id : 0,
		};
		snprintf(call.peer, sizeof call.peer, "%s", peer ? peer : "");
		cpt_status st = {0};
		ProtobufCMessage *out = NULL;

		if (!(m->flags & CPT_M_NO_DB)) {
			call.db = cpt_pool_acquire(pool, &call.prepared);
		}
		uint8_t *kept = NULL;
		size_t kept_len = 0;
		bool replay = false;
		if (!call.db || open_context(&call, m, session, &st) == 0) {
			replay = keyed && look && kept_answer(&call, key, &kept, &kept_len);
			if (replay && m->replay) {
				/* Answered again by reading what the call did. */
				free(kept);
				kept = NULL;
				kept_len = 0;
				m->replay(&call, in, &out, &st);
			} else if (!replay) {
				if (keyed && m->replay) {
					/* The key alone, sent with the handler's first statement.
					 */
					keep_answer(&call, key, m, (const uint8_t *)"", 0);
				}
				m->handler(&call, in, &out, &st);
			}
		}
		if (keyed && !look && !replay && st.code != CPT_OK && call.db && !call.retry &&
		    !call.conn_broken && !call.commit_on_error) {
			/* Refused, perhaps because it was done: again, its answer looked
			 * for. (Not a refusal that commits, such as a wrong password
			 * counted: it would count twice.) */
			look = true;
			call.retry = true;
		}
		if (keyed && !replay && !m->replay && st.code == CPT_OK && call.db) {
			/* The answer, committed with the work it reports. */
			kept_len = out ? protobuf_c_message_get_packed_size(out) : 0;
			kept = malloc(kept_len ? kept_len : 1);
			if (out) {
				protobuf_c_message_pack(out, kept);
			}
			keep_answer(&call, key, m, kept, kept_len);
		}
		if (call.db) {
			end_transaction(
			    &call, (st.code == CPT_OK && !replay) || call.commit_on_error, &st);
			if (keyed && !replay && cpt_db_violated(&call, "call_result_pkey")) {
				/* The same call ran meanwhile on another connection and
				 * committed first: its answer is the answer. */
				look = true;
				call.retry = true;
				cpt_status_reset(&st);
				cpt_status_set(&st, CPT_ABORTED, NULL, "appel déjà traité");
			}
			if (st.code == CPT_OK && call.after_commit && !call.conn_broken) {
				run_after_commit(&call, m, session);
			}
			cpt_pool_release(pool, call.db);
		}
		bool again = (call.retry || (call.conn_broken && !call.commit_sent)) &&
			     attempt < CPT_MAX_ATTEMPTS;
		if (again) {
			cpt_debug("%s: retrying (attempt %d, sqlstate %s)", m->name, attempt,
				  call.sqlstate);
			free(kept);
			cpt_session_free(call.session_out);
			cpt_call_arena_free(&call);
			continue;
		}
		res->status = st;
		if (st.code == CPT_OK && kept) {
			res->payload = kept;
			res->payload_len = kept_len;
			kept = NULL;
		} else if (st.code == CPT_OK && out) {
			res->payload_len = protobuf_c_message_get_packed_size(out);
			res->payload = malloc(res->payload_len ? res->payload_len : 1);
			protobuf_c_message_pack(out, res->payload);
		}
		free(kept);
		res->session_out = call.session_out;
		res->session_clear = call.session_clear;
		cpt_call_arena_free(&call);
		return;
	}
}
