/*
 * comptoir.admin.Admin, roles side: roles group permissions ("area.action");
 * the permissions matrix of a role is replaced as a whole. The built-in
 * Administrateur role always holds every permission, so an installation can
 * never lock itself out.
 */
#include "admin.h"
#include "audit.h"
#include "db.h"
#include "handlers.h"

#include "admin.pb-c.h"

#include <glib.h>
#include <string.h>

static const char ADMIN_ROLE[] = "Administrateur";

static int load_role(cpt_call *call, cpt_status *st, int64_t id, Comptoir__Admin__Role **out)
{
	const char *rid = cpt_call_i64(call, id);
	PGresult *r = cpt_db_query(
	    call, st, "SELECT id, name, description, builtin FROM role WHERE id = $1::bigint", rid);
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, "role_id", "rôle introuvable");
	}
	Comptoir__Admin__Role *role =
	    CPT_NEW(call, Comptoir__Admin__Role, comptoir__admin__role__init);
	role->id = cpt_db_i64(r, 0, 0);
	role->name = cpt_call_strdup(call, cpt_db_str(r, 0, 1));
	role->description = cpt_call_strdup(call, cpt_db_str(r, 0, 2));
	role->builtin = cpt_db_bool(r, 0, 3);
	PQclear(r);
	r = cpt_db_query(call, st,
			 "SELECT permission FROM role_permission WHERE role_id = $1::bigint"
			 " ORDER BY permission COLLATE \"C\"",
			 rid);
	if (!r) {
		return st->code;
	}
	int n = PQntuples(r);
	role->n_permissions = (size_t)n;
	role->permissions = cpt_call_alloc(call, sizeof(char *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		role->permissions[i] = cpt_call_strdup(call, cpt_db_str(r, i, 0));
	}
	PQclear(r);
	*out = role;
	return 0;
}

static int role_reply(cpt_call *call, cpt_status *st, int64_t id, ProtobufCMessage **out)
{
	Comptoir__Admin__RoleReply *rep =
	    CPT_NEW(call, Comptoir__Admin__RoleReply, comptoir__admin__role_reply__init);
	if (load_role(call, st, id, &rep->role)) {
		return st->code;
	}
	*out = &rep->base;
	return 0;
}

static int check_role_fields(const Comptoir__Admin__Role *role, cpt_status *st)
{
	if (!role) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "role", "rôle manquant");
	}
	glong n = g_utf8_strlen(role->name, -1);
	if (n < 1 || n > 100) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "role.name",
				      "nom obligatoire, 100 caractères au plus");
	}
	if (g_utf8_strlen(role->description, -1) > 500) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "role.description",
				      "description de 500 caractères au plus");
	}
	return 0;
}

CPT_HANDLER(cpt_admin_list_roles)
{
	PGresult *r = cpt_db_exec0(call, st, "SELECT id FROM role ORDER BY name, id");
	if (!r) {
		return st->code;
	}
	Comptoir__Admin__ListRolesReply *rep =
	    CPT_NEW(call, Comptoir__Admin__ListRolesReply, comptoir__admin__list_roles_reply__init);
	int n = PQntuples(r);
	rep->roles = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		if (load_role(call, st, cpt_db_i64(r, i, 0), &rep->roles[i])) {
			PQclear(r);
			return st->code;
		}
		rep->n_roles++;
	}
	PQclear(r);
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_admin_create_role)
{
	const Comptoir__Admin__RoleRequest *req = (const void *)in;
	if (check_role_fields(req->role, st)) {
		return st->code;
	}
	PGresult *r = cpt_db_query(
	    call, st, "INSERT INTO role (name, description) VALUES ($1, $2) RETURNING id",
	    req->role->name, req->role->description);
	if (!r) {
		if (cpt_db_violated(call, "role_name_key")) {
			cpt_status_set(st, CPT_ALREADY_EXISTS, "role.name", "ce rôle existe déjà");
		}
		return st->code;
	}
	int64_t id = cpt_db_i64(r, 0, 0);
	PQclear(r);
	if (cpt_audit(call, st, "role", id, 0,
		      cpt_json_object(call, "event", "create", "name", req->role->name, NULL))) {
		return st->code;
	}
	return role_reply(call, st, id, out);
}

CPT_HANDLER(cpt_admin_update_role)
{
	const Comptoir__Admin__RoleRequest *req = (const void *)in;
	if (check_role_fields(req->role, st)) {
		return st->code;
	}
	if (cpt_admin_check_role(call, st, req->role->id)) {
		return st->code;
	}
	const char *rid = cpt_call_i64(call, req->role->id);
	PGresult *r = cpt_db_query(call, st,
				   "UPDATE role SET name = $2, description = $3, updated_at = now()"
				   " WHERE id = $1::bigint AND (NOT builtin OR name = $2)",
				   rid, req->role->name, req->role->description);
	if (!r) {
		if (cpt_db_violated(call, "role_name_key")) {
			cpt_status_set(st, CPT_ALREADY_EXISTS, "role.name", "ce rôle existe déjà");
		}
		return st->code;
	}
	bool done = strcmp(PQcmdTuples(r), "0") != 0;
	PQclear(r);
	if (!done) {
		Comptoir__Admin__Role *existing;
		if (load_role(call, st, req->role->id, &existing)) {
			return st->code;
		}
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "role.name",
				      "un rôle prédéfini ne peut pas être renommé");
	}
	if (cpt_audit(call, st, "role", req->role->id, 0,
		      cpt_json_object(call, "event", "update", "name", req->role->name, NULL))) {
		return st->code;
	}
	return role_reply(call, st, req->role->id, out);
}

CPT_HANDLER(cpt_admin_set_role_permissions)
{
	const Comptoir__Admin__SetRolePermissionsRequest *req = (const void *)in;
	Comptoir__Admin__Role *role;
	if (load_role(call, st, req->role_id, &role)) {
		return st->code;
	}
	if (role->builtin && strcmp(role->name, ADMIN_ROLE) == 0) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "role_id",
				      "le rôle Administrateur garde tous les droits");
	}
	if (cpt_admin_check_role(call, st, req->role_id)) {
		return st->code;
	}
	const char *rid = cpt_call_i64(call, req->role_id);
	PGresult *r =
	    cpt_db_query(call, st, "DELETE FROM role_permission WHERE role_id = $1::bigint", rid);
	if (!r) {
		return st->code;
	}
	PQclear(r);
	GString *list = g_string_new("");
	for (size_t i = 0; i < req->n_permissions; i++) {
		r = cpt_db_query(call, st,
				 "INSERT INTO role_permission (role_id, permission)"
				 " SELECT $1::bigint, name FROM permission WHERE name = $2"
				 " ON CONFLICT DO NOTHING",
				 rid, req->permissions[i]);
		if (!r) {
			g_string_free(list, TRUE);
			return st->code;
		}
		PQclear(r);
		r = cpt_db_query(call, st, "SELECT 1 FROM permission WHERE name = $1",
				 req->permissions[i]);
		if (!r) {
			g_string_free(list, TRUE);
			return st->code;
		}
		bool known = PQntuples(r) == 1;
		PQclear(r);
		if (!known) {
			g_string_free(list, TRUE);
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "permissions",
					      "droit inconnu : %s", req->permissions[i]);
		}
		g_string_append_printf(list, "%s%s", i ? " " : "", req->permissions[i]);
	}
	int rc = cpt_audit(
	    call, st, "role", req->role_id, 0,
	    cpt_json_object(call, "event", "set_permissions", "permissions", list->str, NULL));
	g_string_free(list, TRUE);
	if (rc) {
		return st->code;
	}
	return role_reply(call, st, req->role_id, out);
}

CPT_HANDLER(cpt_admin_list_permissions)
{
	PGresult *r =
	    cpt_db_exec0(call, st,
			 "SELECT name, split_part(name, '.', 1), split_part(name, '.', 2),"
			 " description FROM permission ORDER BY name COLLATE \"C\"");
	if (!r) {
		return st->code;
	}
	Comptoir__Admin__ListPermissionsReply *rep =
	    CPT_NEW(call, Comptoir__Admin__ListPermissionsReply,
		    comptoir__admin__list_permissions_reply__init);
	int n = PQntuples(r);
	rep->n_permissions = (size_t)n;
	rep->permissions = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Admin__Permission *p =
		    CPT_NEW(call, Comptoir__Admin__Permission, comptoir__admin__permission__init);
		p->name = cpt_call_strdup(call, cpt_db_str(r, i, 0));
		p->area = cpt_call_strdup(call, cpt_db_str(r, i, 1));
		p->action = cpt_call_strdup(call, cpt_db_str(r, i, 2));
		p->description = cpt_call_strdup(call, cpt_db_str(r, i, 3));
		rep->permissions[i] = p;
	}
	PQclear(r);
	*out = &rep->base;
	return 0;
}
