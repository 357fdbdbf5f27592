/*
 * Users and audit log as list sources: how to ask the server for a page and
 * how to turn its answer into rows.
 */
#include "cpt-admin-sources.h"
#include "cpt-ui.h"

#include "admin.pb-c.h"

#include <glib/gi18n.h>

/* ---------------------------------------------------------------------------
 * Users
 */

typedef struct {
	Comptoir__Admin__ListUsersRequest req;
	Comptoir__Admin__Page page;
} UsersQuery;

static ProtobufCMessage *users_build(const CptPageQuery *q)
{
	UsersQuery *u = g_malloc0(sizeof *u);
	comptoir__admin__list_users_request__init(&u->req);
	u->req.search = (char *)q->search;
	u->req.page = &u->page;
	cpt_page_query_fill(q, &u->page);
	return &u->req.base; /* first member: one g_free releases both */
}

static void users_parse(const ProtobufCMessage *m, const char *sort, GPtrArray *rows, guint *total,
			gboolean *more)
{
	const Comptoir__Admin__ListUsersReply *r = (const void *)m;
	*total = r->total;
	*more = r->more;
	for (size_t i = 0; i < r->n_users; i++) {
		const Comptoir__Admin__User *u = r->users[i];
		GStrv cells = g_new0(char *, CPT_USER_N_CELLS + 1);
		cells[CPT_USER_LOGIN] = g_strdup(u->login);
		cells[CPT_USER_NAME] = g_strdup(u->display_name);
		cells[CPT_USER_EMAIL] = g_strdup(u->email);
		cells[CPT_USER_STATE] =
		    g_strdup(u->locked ? _("verrouillé")
			     : u->locked_until > g_get_real_time() / G_USEC_PER_SEC ? _("bloqué")
			     : u->must_change_password ? _("mot de passe provisoire")
						       : _("actif"));
		GString *companies = g_string_new(NULL);
		for (size_t k = 0; k < u->n_grants; k++) {
			g_string_append_printf(companies, "%s%s (%s)", k ? ", " : "",
					       u->grants[k]->company_name, u->grants[k]->role_name);
		}
		cells[CPT_USER_COMPANIES] = g_string_free(companies, FALSE);
		cells[CPT_USER_LAST_LOGIN] = cpt_ui_datetime(u->last_login_at);
		/* The key is what the server sorts by: login, or the display name. */
		const char *key = g_str_equal(sort, "display_name") ? u->display_name : u->login;
		g_ptr_array_add(rows,
				cpt_row_new(u->id, key, cells, u->locked ? CPT_USER_LOCKED : 0));
	}
}

const CptListSource cpt_users_source = {
    .method = "comptoir.admin.Admin/ListUsers",
    .reply = &comptoir__admin__list_users_reply__descriptor,
    .build = users_build,
    .parse = users_parse,
};

const CptColumnSpec cpt_users_columns[CPT_USER_N_CELLS] = {
    [CPT_USER_LOGIN] = {"login", N_("Identifiant"), "login", FALSE, FALSE},
    [CPT_USER_NAME] = {"name", N_("Nom"), "display_name", TRUE, FALSE},
    [CPT_USER_EMAIL] = {"email", N_("E-mail"), NULL, TRUE, FALSE},
    [CPT_USER_STATE] = {"state", N_("État"), NULL, FALSE, FALSE},
    [CPT_USER_COMPANIES] = {"companies", N_("Sociétés et rôles"), NULL, TRUE, FALSE},
    [CPT_USER_LAST_LOGIN] = {"last_login", N_("Dernière connexion"), NULL, FALSE, TRUE},
};

/* ---------------------------------------------------------------------------
 * Audit log: newest first, paged by id
 */

static ProtobufCMessage *audit_build(const CptPageQuery *q)
{
	Comptoir__Admin__ListAuditRequest *r = g_malloc0(sizeof *r);
	comptoir__admin__list_audit_request__init(r);
	r->method = (char *)q->search; /* the search field filters on the method */
	const CptAuditFilter *f = q->filter;
	if (f) {
		r->user_login = (char *)f->login;
		r->from = f->from;
		r->to = f->to;
	}
	r->limit = q->limit;
	r->before_id = q->after_id;
	r->offset = q->offset;
	r->with_total = q->with_total;
	return &r->base;
}

static void audit_parse(const ProtobufCMessage *m, const char *sort, GPtrArray *rows, guint *total,
			gboolean *more)
{
	const Comptoir__Admin__ListAuditReply *r = (const void *)m;
	*total = r->total;
	*more = r->more;
	for (size_t i = 0; i < r->n_entries; i++) {
		const Comptoir__Admin__AuditEntry *e = r->entries[i];
		GStrv cells = g_new0(char *, CPT_AUDIT_N_CELLS + 1);
		g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(e->at / G_USEC_PER_SEC);
		cells[CPT_AUDIT_AT] = g_date_time_format(dt, "%d/%m/%Y %H:%M:%S");
		cells[CPT_AUDIT_USER] = g_strdup(e->user_login[0] ? e->user_login : "—");
		cells[CPT_AUDIT_METHOD] = g_strdup(e->method);
		cells[CPT_AUDIT_TARGET] = e->n_row_ids ? g_strdup_printf("%s #%" G_GINT64_FORMAT,
									 e->target, e->row_ids[0])
						       : g_strdup(e->target);
		cells[CPT_AUDIT_DETAIL] = g_strdup(e->detail);
		g_ptr_array_add(rows, cpt_row_new(e->id, "", cells, 0));
	}
}

const CptListSource cpt_audit_source = {
    .method = "comptoir.admin.Admin/ListAudit",
    .reply = &comptoir__admin__list_audit_reply__descriptor,
    .build = audit_build,
    .parse = audit_parse,
};

const CptColumnSpec cpt_audit_columns[CPT_AUDIT_N_CELLS] = {
    [CPT_AUDIT_AT] = {"at", N_("Date"), NULL, FALSE, FALSE},
    [CPT_AUDIT_USER] = {"user", N_("Utilisateur"), NULL, FALSE, FALSE},
    [CPT_AUDIT_METHOD] = {"method", N_("Opération"), NULL, TRUE, FALSE},
    [CPT_AUDIT_TARGET] = {"target", N_("Objet"), NULL, FALSE, FALSE},
    [CPT_AUDIT_DETAIL] = {"detail", N_("Détail"), NULL, TRUE, FALSE},
};
