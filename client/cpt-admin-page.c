/*
 * CptAdminPage; see cpt-admin-page.h. Three tabs in one stack: users,
 * roles, audit log. Forms are small windows built here; every error shows
 * on the field the server names.
 */
#include "cpt-admin-page.h"
#include "cpt-admin-sources.h"
#include "cpt-company-page.h"
#include "cpt-ui.h"

#include "admin.pb-c.h"

#include <glib/gi18n.h>

struct _CptAdminPage {
	GtkBox parent_instance;
	CptConn *conn;
	GtkStack *stack;
	CptListView *users;
	CptListView *audit;
	GtkLabel *message;
	GtkButton *lock_button;

	/* Roles tab */
	GtkListBox *roles_list;
	GtkGrid *matrix;
	GtkLabel *roles_message;
	Comptoir__Admin__ListRolesReply *roles;
	Comptoir__Admin__ListPermissionsReply *permissions;
	GHashTable *checks; /* permission name -> GtkCheckButton */
	GtkEntry *new_role_entry;

	CptCompanyPage *company; /* the Société tab */

	/* Audit tab filters */
	CptAuditFilter audit_filter;
	GtkEntry *audit_login, *audit_from, *audit_to;
};

G_DEFINE_TYPE(CptAdminPage, cpt_admin_page, GTK_TYPE_BOX)

static void show_message(CptAdminPage *self, const char *text)
{
	gtk_label_set_text(self->message, text ? text : "");
}

/* ---------------------------------------------------------------------------
 * User form
 */

typedef struct {
	CptAdminPage *page;
	GtkWindow *window;
	gint64 id; /* 0: new user */
	GtkEntry *login, *name, *email;
	GtkDropDown *role;
	GArray *role_ids;
	GtkLabel *error;
	GtkButton *save;
	gint64 company_id;   /* the session's company, where the role applies */
	gint64 initial_role; /* role held there when the form opened; 0 none */
	gboolean closed;     /* the window is gone: late answers are ignored */
} UserForm;

static void on_form_destroy(GtkWidget *w, gpointer data)
{
	((UserForm *)data)->closed = TRUE;
}

static void user_form_free(gpointer data)
{
	UserForm *f = data;
	g_array_unref(f->role_ids);
	g_object_unref(f->page);
	g_free(f);
}

static GtkEntry *form_row(GtkGrid *grid, int row, const char *label)
{
	GtkWidget *l = gtk_label_new(label);
	gtk_label_set_xalign(GTK_LABEL(l), 1);
	GtkWidget *e = gtk_entry_new();
	gtk_widget_set_hexpand(e, TRUE);
	gtk_entry_set_activates_default(GTK_ENTRY(e), TRUE);
	gtk_grid_attach(grid, l, 0, row, 1, 1);
	gtk_grid_attach(grid, e, 1, row, 1, 1);
	return GTK_ENTRY(e);
}

/* Selects the role the user holds in the session's company. */
static void user_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	UserForm *f = g_object_get_data(G_OBJECT(window), "cpt-form");
	if (f && !f->closed && r->status.code == CPT_OK) {
		const Comptoir__Admin__User *u = ((Comptoir__Admin__UserReply *)r->output)->user;
		for (size_t k = 0; k < u->n_grants; k++) {
			if (u->grants[k]->company_id != f->company_id) {
				continue;
			}
			f->initial_role = u->grants[k]->role_id;
			for (guint i = 0; i < f->role_ids->len; i++) {
				if (g_array_index(f->role_ids, gint64, i) == f->initial_role) {
					gtk_drop_down_set_selected(f->role, i);
				}
			}
		}
	}
	g_object_unref(window);
}

static void user_saved(GObject *source, GAsyncResult *res, gpointer data);

/* After an edit: the role in this company, if it changed. */
static gboolean save_grant(UserForm *f)
{
	guint sel = gtk_drop_down_get_selected(f->role);
	gint64 role = sel < f->role_ids->len ? g_array_index(f->role_ids, gint64, sel) : 0;
	if (role == f->initial_role || f->company_id == 0) {
		return FALSE;
	}
	Comptoir__Admin__GrantRequest req = COMPTOIR__ADMIN__GRANT_REQUEST__INIT;
	req.user_id = f->id;
	req.company_id = f->company_id;
	req.role_id = role;
	f->initial_role = role;
	cpt_conn_call_async(
	    f->page->conn,
	    role ? "comptoir.admin.Admin/SetGrant" : "comptoir.admin.Admin/RevokeGrant", &req.base,
	    &comptoir__admin__grant_reply__descriptor, NULL, user_saved, f);
	return TRUE;
}

static void user_saved(GObject *source, GAsyncResult *res, gpointer data)
{
	UserForm *f = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	gtk_widget_set_sensitive(GTK_WIDGET(f->save), TRUE);
	if (r->status.code != CPT_OK) {
		const char *field = r->status.field;
		GtkWidget *w = g_str_equal(field, "login")	    ? GTK_WIDGET(f->login)
			       : g_str_equal(field, "display_name") ? GTK_WIDGET(f->name)
			       : g_str_equal(field, "email")	    ? GTK_WIDGET(f->email)
			       : g_str_equal(field, "role_id")	    ? GTK_WIDGET(f->role)
								    : NULL;
		cpt_ui_field_error(w, f->error, cpt_ui_status_text(&r->status));
		return;
	}
	if (f->id == 0) {
		const Comptoir__Admin__CreateUserReply *rep = (const void *)r->output;
		g_autofree char *text = g_strdup_printf(
		    _("Utilisateur %s créé. Mot de passe provisoire, à lui transmettre : %s"),
		    rep->user->login, rep->temporary_password);
		show_message(f->page, text);
	} else {
		if (save_grant(f)) {
			return; /* the grant's answer comes back here */
		}
		show_message(f->page, _("Utilisateur enregistré."));
	}
	cpt_list_view_reload(f->page->users);
	gtk_window_destroy(f->window);
}

static void on_user_save(GtkButton *button, gpointer data)
{
	UserForm *f = data;
	cpt_ui_clear_errors(f->error, f->login, f->name, f->email, f->role, NULL);
	gtk_widget_set_sensitive(GTK_WIDGET(f->save), FALSE);
	const char *name = gtk_editable_get_text(GTK_EDITABLE(f->name));
	const char *email = gtk_editable_get_text(GTK_EDITABLE(f->email));
	if (f->id == 0) {
		const Comptoir__Auth__SessionReply *s = cpt_conn_get_session(f->page->conn);
		Comptoir__Admin__CreateUserRequest req = COMPTOIR__ADMIN__CREATE_USER_REQUEST__INIT;
		req.login = (char *)gtk_editable_get_text(GTK_EDITABLE(f->login));
		req.display_name = (char *)name;
		req.email = (char *)email;
		guint sel = gtk_drop_down_get_selected(f->role);
		gint64 role = sel < f->role_ids->len ? g_array_index(f->role_ids, gint64, sel) : 0;
		if (role && s && s->company) {
			req.role_id = role;
			req.company_id = s->company->id;
		}
		cpt_conn_call_async(f->page->conn, "comptoir.admin.Admin/CreateUser", &req.base,
				    &comptoir__admin__create_user_reply__descriptor, NULL,
				    user_saved, f);
	} else {
		Comptoir__Admin__UpdateUserRequest req = COMPTOIR__ADMIN__UPDATE_USER_REQUEST__INIT;
		req.id = f->id;
		req.display_name = (char *)name;
		req.email = (char *)email;
		cpt_conn_call_async(f->page->conn, "comptoir.admin.Admin/UpdateUser", &req.base,
				    &comptoir__admin__user_reply__descriptor, NULL, user_saved, f);
	}
}

GtkWindow *cpt_admin_page_open_user_form(CptAdminPage *self, CptRow *row)
{
	UserForm *f = g_new0(UserForm, 1);
	f->page = g_object_ref(self);
	f->id = row ? row->id : 0;
	f->role_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	f->window = GTK_WINDOW(gtk_window_new());
	gtk_window_set_title(f->window,
			     row ? _("Modifier l'utilisateur") : _("Nouvel utilisateur"));
	gtk_window_set_modal(f->window, TRUE);
	GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
	if (GTK_IS_WINDOW(root)) {
		gtk_window_set_transient_for(f->window, GTK_WINDOW(root));
	}
	g_object_set_data_full(G_OBJECT(f->window), "cpt-form", f, user_form_free);
	g_signal_connect(f->window, "destroy", G_CALLBACK(on_form_destroy), f);

	GtkGrid *grid = GTK_GRID(gtk_grid_new());
	gtk_grid_set_row_spacing(grid, 8);
	gtk_grid_set_column_spacing(grid, 12);
	g_object_set(grid, "margin-top", 18, "margin-bottom", 18, "margin-start", 18, "margin-end",
		     18, NULL);
	f->login = form_row(grid, 0, _("Identifiant"));
	f->name = form_row(grid, 1, _("Nom"));
	f->email = form_row(grid, 2, _("E-mail"));
	gtk_widget_set_name(GTK_WIDGET(f->login), "login");
	gtk_widget_set_name(GTK_WIDGET(f->name), "display_name");
	gtk_widget_set_name(GTK_WIDGET(f->email), "email");
	if (row) {
		gtk_editable_set_text(GTK_EDITABLE(f->login), cpt_row_cell(row, CPT_USER_LOGIN));
		gtk_editable_set_editable(GTK_EDITABLE(f->login), FALSE);
		gtk_editable_set_text(GTK_EDITABLE(f->name), cpt_row_cell(row, CPT_USER_NAME));
		gtk_editable_set_text(GTK_EDITABLE(f->email), cpt_row_cell(row, CPT_USER_EMAIL));
	}
	/* The role in the session's company; the first choice is no access at all. */
	GtkStringList *names = gtk_string_list_new(NULL);
	gtk_string_list_append(names, _("— aucun accès à cette société —"));
	gint64 none = 0;
	g_array_append_val(f->role_ids, none);
	for (size_t i = 0; self->roles && i < self->roles->n_roles; i++) {
		gtk_string_list_append(names, self->roles->roles[i]->name);
		g_array_append_val(f->role_ids, self->roles->roles[i]->id);
	}
	const Comptoir__Auth__SessionReply *s = cpt_conn_get_session(self->conn);
	f->company_id = s && s->company ? s->company->id : 0;
	g_autofree char *role_label = g_strdup_printf(
	    _("Rôle dans %s"), s && s->company ? s->company->name : _("la société"));
	GtkWidget *l = gtk_label_new(role_label);
	gtk_label_set_xalign(GTK_LABEL(l), 1);
	f->role = GTK_DROP_DOWN(gtk_drop_down_new(G_LIST_MODEL(names), NULL));
	gtk_widget_set_name(GTK_WIDGET(f->role), "role_id");
	gtk_grid_attach(grid, l, 0, 3, 1, 1);
	gtk_grid_attach(grid, GTK_WIDGET(f->role), 1, 3, 1, 1);
	if (row) {
		Comptoir__Admin__GetUserRequest req = COMPTOIR__ADMIN__GET_USER_REQUEST__INIT;
		req.id = row->id;
		cpt_conn_call_async(self->conn, "comptoir.admin.Admin/GetUser", &req.base,
				    &comptoir__admin__user_reply__descriptor, NULL, user_loaded,
				    g_object_ref(f->window));
	}
	f->error = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_wrap(f->error, TRUE);
	gtk_widget_add_css_class(GTK_WIDGET(f->error), "error");
	gtk_grid_attach(grid, GTK_WIDGET(f->error), 0, 4, 2, 1);
	f->save = GTK_BUTTON(gtk_button_new_with_mnemonic(_("_Enregistrer")));
	gtk_widget_add_css_class(GTK_WIDGET(f->save), "suggested-action");
	gtk_widget_set_halign(GTK_WIDGET(f->save), GTK_ALIGN_END);
	g_signal_connect(f->save, "clicked", G_CALLBACK(on_user_save), f);
	gtk_grid_attach(grid, GTK_WIDGET(f->save), 1, 5, 1, 1);
	gtk_window_set_child(f->window, GTK_WIDGET(grid));
	gtk_window_set_default_widget(f->window, GTK_WIDGET(f->save));
	gtk_window_present(f->window);
	return f->window;
}

/* ---------------------------------------------------------------------------
 * User actions
 */

static void user_changed(GObject *source, GAsyncResult *res, gpointer data)
{
	CptAdminPage *self = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (r->status.code != CPT_OK) {
		show_message(self, cpt_ui_status_text(&r->status));
	} else if (r->output &&
		   r->output->descriptor == &comptoir__admin__reset_password_reply__descriptor) {
		g_autofree char *text = g_strdup_printf(
		    _("Nouveau mot de passe provisoire, à transmettre : %s"),
		    ((Comptoir__Admin__ResetPasswordReply *)r->output)->temporary_password);
		show_message(self, text);
	} else {
		show_message(self, _("Modification enregistrée."));
	}
	cpt_list_view_reload(self->users);
	g_object_unref(self);
}

void cpt_admin_page_toggle_lock(CptAdminPage *self)
{
	CptRow *row = cpt_list_view_get_selected(self->users);
	if (!row) {
		show_message(self, _("Choisissez d'abord un utilisateur dans la liste."));
		return;
	}
	Comptoir__Admin__SetUserLockedRequest req = COMPTOIR__ADMIN__SET_USER_LOCKED_REQUEST__INIT;
	req.id = row->id;
	req.locked = !(row->flags & CPT_USER_LOCKED);
	cpt_conn_call_async(self->conn, "comptoir.admin.Admin/SetUserLocked", &req.base,
			    &comptoir__admin__user_reply__descriptor, NULL, user_changed,
			    g_object_ref(self));
}

static void on_reset_password(GtkButton *b, gpointer data)
{
	CptAdminPage *self = data;
	CptRow *row = cpt_list_view_get_selected(self->users);
	if (!row) {
		show_message(self, _("Choisissez d'abord un utilisateur dans la liste."));
		return;
	}
	Comptoir__Admin__ResetPasswordRequest req = COMPTOIR__ADMIN__RESET_PASSWORD_REQUEST__INIT;
	req.id = row->id;
	cpt_conn_call_async(self->conn, "comptoir.admin.Admin/ResetPassword", &req.base,
			    &comptoir__admin__reset_password_reply__descriptor, NULL, user_changed,
			    g_object_ref(self));
}

static void on_new_user(GtkButton *b, gpointer data)
{
	cpt_admin_page_open_user_form(CPT_ADMIN_PAGE(data), NULL);
}

static void on_edit_user(GtkButton *b, gpointer data)
{
	CptAdminPage *self = data;
	CptRow *row = cpt_list_view_get_selected(self->users);
	if (!row) {
		show_message(self, _("Choisissez d'abord un utilisateur dans la liste."));
		return;
	}
	cpt_admin_page_open_user_form(self, row);
}

static void on_lock(GtkButton *b, gpointer data)
{
	cpt_admin_page_toggle_lock(CPT_ADMIN_PAGE(data));
}

static void on_row_activated(GtkColumnView *view, guint position, gpointer data)
{
	on_edit_user(NULL, data);
}

/* ---------------------------------------------------------------------------
 * Roles and their permissions matrix
 */

static const Comptoir__Admin__Role *selected_role(CptAdminPage *self)
{
	GtkListBoxRow *row = gtk_list_box_get_selected_row(self->roles_list);
	if (!row || !self->roles) {
		return NULL;
	}
	int i = gtk_list_box_row_get_index(row);
	return i >= 0 && (size_t)i < self->roles->n_roles ? self->roles->roles[i] : NULL;
}

static void show_role(CptAdminPage *self)
{
	const Comptoir__Admin__Role *role = selected_role(self);
	GHashTableIter it;
	gpointer name, check;
	g_hash_table_iter_init(&it, self->checks);
	while (g_hash_table_iter_next(&it, &name, &check)) {
		gboolean on = FALSE;
		for (size_t k = 0; role && k < role->n_permissions; k++) {
			on |= g_str_equal(role->permissions[k], name);
		}
		gtk_check_button_set_active(check, on);
		gtk_widget_set_sensitive(check, role != NULL);
	}
}

static void on_role_selected(GtkListBox *box, GtkListBoxRow *row, gpointer data)
{
	show_role(CPT_ADMIN_PAGE(data));
}

static void build_matrix(CptAdminPage *self)
{
	GtkWidget *child;
	while ((child = gtk_widget_get_first_child(GTK_WIDGET(self->matrix)))) {
		gtk_grid_remove(self->matrix, child);
	}
	g_hash_table_remove_all(self->checks);
	g_autoptr(GPtrArray) areas = g_ptr_array_new();
	g_autoptr(GPtrArray) actions = g_ptr_array_new();
	for (size_t i = 0; i < self->permissions->n_permissions; i++) {
		const Comptoir__Admin__Permission *p = self->permissions->permissions[i];
		guint idx;
		if (!g_ptr_array_find_with_equal_func(areas, p->area, g_str_equal, &idx)) {
			g_ptr_array_add(areas, p->area);
		}
		if (!g_ptr_array_find_with_equal_func(actions, p->action, g_str_equal, &idx)) {
			g_ptr_array_add(actions, p->action);
		}
	}
	for (guint a = 0; a < actions->len; a++) {
		GtkWidget *l = gtk_label_new(g_ptr_array_index(actions, a));
		gtk_widget_add_css_class(l, "heading");
		gtk_grid_attach(self->matrix, l, (int)a + 1, 0, 1, 1);
	}
	for (guint r = 0; r < areas->len; r++) {
		GtkWidget *l = gtk_label_new(g_ptr_array_index(areas, r));
		gtk_label_set_xalign(GTK_LABEL(l), 0);
		gtk_grid_attach(self->matrix, l, 0, (int)r + 1, 1, 1);
	}
	for (size_t i = 0; i < self->permissions->n_permissions; i++) {
		const Comptoir__Admin__Permission *p = self->permissions->permissions[i];
		guint r = 0, a = 0;
		g_ptr_array_find_with_equal_func(areas, p->area, g_str_equal, &r);
		g_ptr_array_find_with_equal_func(actions, p->action, g_str_equal, &a);
		GtkWidget *check = gtk_check_button_new();
		gtk_widget_set_halign(check, GTK_ALIGN_CENTER);
		gtk_widget_set_tooltip_text(check, p->description);
		gtk_widget_set_name(check, p->name);
		gtk_grid_attach(self->matrix, check, (int)a + 1, (int)r + 1, 1, 1);
		g_hash_table_insert(self->checks, g_strdup(p->name), check);
	}
	show_role(self);
}

static void roles_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	CptAdminPage *self = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (r->status.code == CPT_OK) {
		int keep = -1;
		GtkListBoxRow *sel = gtk_list_box_get_selected_row(self->roles_list);
		if (sel) {
			keep = gtk_list_box_row_get_index(sel);
		}
		if (self->roles) {
			protobuf_c_message_free_unpacked(&self->roles->base, NULL);
		}
		self->roles = (Comptoir__Admin__ListRolesReply *)r->output;
		r->output = NULL;
		GtkWidget *child;
		while ((child = gtk_widget_get_first_child(GTK_WIDGET(self->roles_list)))) {
			gtk_list_box_remove(self->roles_list, child);
		}
		for (size_t i = 0; i < self->roles->n_roles; i++) {
			GtkWidget *l = gtk_label_new(self->roles->roles[i]->name);
			gtk_label_set_xalign(GTK_LABEL(l), 0);
			gtk_list_box_append(self->roles_list, l);
		}
		if (keep >= 0) {
			gtk_list_box_select_row(self->roles_list, gtk_list_box_get_row_at_index(
								      self->roles_list, keep));
		}
		show_role(self);
	} else {
		gtk_label_set_text(self->roles_message, cpt_ui_status_text(&r->status));
	}
	g_object_unref(self);
}

static void load_roles(CptAdminPage *self)
{
	Comptoir__Admin__ListRolesRequest req = COMPTOIR__ADMIN__LIST_ROLES_REQUEST__INIT;
	cpt_conn_call_async(self->conn, "comptoir.admin.Admin/ListRoles", &req.base,
			    &comptoir__admin__list_roles_reply__descriptor, NULL, roles_loaded,
			    g_object_ref(self));
}

static void permissions_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	CptAdminPage *self = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (r->status.code == CPT_OK) {
		self->permissions = (Comptoir__Admin__ListPermissionsReply *)r->output;
		r->output = NULL;
		build_matrix(self);
	}
	g_object_unref(self);
}

static void role_saved(GObject *source, GAsyncResult *res, gpointer data)
{
	CptAdminPage *self = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	gtk_label_set_text(self->roles_message, r->status.code == CPT_OK
						    ? _("Rôle enregistré.")
						    : cpt_ui_status_text(&r->status));
	if (r->status.code == CPT_OK) {
		gtk_editable_set_text(GTK_EDITABLE(self->new_role_entry), "");
		cpt_ui_field_error(GTK_WIDGET(self->new_role_entry), NULL, NULL);
	} else if (g_str_equal(r->status.field, "role.name")) {
		cpt_ui_field_error(GTK_WIDGET(self->new_role_entry), NULL, r->status.message);
	}
	load_roles(self);
	g_object_unref(self);
}

static void on_save_role(GtkButton *b, gpointer data)
{
	CptAdminPage *self = data;
	const Comptoir__Admin__Role *role = selected_role(self);
	if (!role) {
		return;
	}
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	GHashTableIter it;
	gpointer name, check;
	g_hash_table_iter_init(&it, self->checks);
	while (g_hash_table_iter_next(&it, &name, &check)) {
		if (gtk_check_button_get_active(check)) {
			g_ptr_array_add(names, name);
		}
	}
	Comptoir__Admin__SetRolePermissionsRequest req =
	    COMPTOIR__ADMIN__SET_ROLE_PERMISSIONS_REQUEST__INIT;
	req.role_id = role->id;
	req.n_permissions = names->len;
	req.permissions = (char **)names->pdata;
	cpt_conn_call_async(self->conn, "comptoir.admin.Admin/SetRolePermissions", &req.base,
			    &comptoir__admin__role_reply__descriptor, NULL, role_saved,
			    g_object_ref(self));
}

static void on_new_role(GtkButton *b, gpointer data)
{
	CptAdminPage *self = data;
	Comptoir__Admin__Role role = COMPTOIR__ADMIN__ROLE__INIT;
	role.name = (char *)gtk_editable_get_text(GTK_EDITABLE(self->new_role_entry));
	role.description = "";
	Comptoir__Admin__RoleRequest req = COMPTOIR__ADMIN__ROLE_REQUEST__INIT;
	req.role = &role;
	cpt_conn_call_async(self->conn, "comptoir.admin.Admin/CreateRole", &req.base,
			    &comptoir__admin__role_reply__descriptor, NULL, role_saved,
			    g_object_ref(self));
}

static GtkWidget *build_roles_tab(CptAdminPage *self)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	GtkWidget *left = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	self->roles_list = GTK_LIST_BOX(gtk_list_box_new());
	gtk_widget_set_size_request(GTK_WIDGET(self->roles_list), 200, -1);
	gtk_widget_set_vexpand(GTK_WIDGET(self->roles_list), TRUE);
	g_signal_connect(self->roles_list, "row-selected", G_CALLBACK(on_role_selected), self);
	gtk_box_append(GTK_BOX(left), GTK_WIDGET(self->roles_list));
	self->new_role_entry = GTK_ENTRY(gtk_entry_new());
	gtk_entry_set_placeholder_text(self->new_role_entry, _("Nom du nouveau rôle"));
	gtk_box_append(GTK_BOX(left), GTK_WIDGET(self->new_role_entry));
	GtkWidget *add = gtk_button_new_with_label(_("Créer le rôle"));
	g_signal_connect(add, "clicked", G_CALLBACK(on_new_role), self);
	gtk_box_append(GTK_BOX(left), add);
	gtk_box_append(GTK_BOX(box), left);

	GtkWidget *right = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	self->matrix = GTK_GRID(gtk_grid_new());
	gtk_grid_set_row_spacing(self->matrix, 4);
	gtk_grid_set_column_spacing(self->matrix, 18);
	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_widget_set_vexpand(scroll, TRUE);
	gtk_widget_set_hexpand(scroll, TRUE);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), GTK_WIDGET(self->matrix));
	gtk_box_append(GTK_BOX(right), scroll);
	GtkWidget *bottom = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	self->roles_message = GTK_LABEL(gtk_label_new(NULL));
	gtk_widget_set_hexpand(GTK_WIDGET(self->roles_message), TRUE);
	gtk_label_set_xalign(self->roles_message, 0);
	GtkWidget *save = gtk_button_new_with_label(_("Enregistrer les droits"));
	gtk_widget_add_css_class(save, "suggested-action");
	g_signal_connect(save, "clicked", G_CALLBACK(on_save_role), self);
	gtk_box_append(GTK_BOX(bottom), GTK_WIDGET(self->roles_message));
	gtk_box_append(GTK_BOX(bottom), save);
	gtk_box_append(GTK_BOX(right), bottom);
	gtk_box_append(GTK_BOX(box), right);
	return box;
}

/* ---------------------------------------------------------------------------
 * Audit filters: user, period (the search field filters on the operation)
 */

static GtkEntry *filter_entry(GtkBox *bar, const char *placeholder, int chars)
{
	GtkEntry *e = GTK_ENTRY(gtk_entry_new());
	gtk_entry_set_placeholder_text(e, placeholder);
	gtk_editable_set_width_chars(GTK_EDITABLE(e), chars);
	gtk_box_append(bar, GTK_WIDGET(e));
	return e;
}

/* "22/11/2026" to local midnight, Unix seconds; 0 for ""; -1 if not a date. */
static gint64 parse_date(const char *text)
{
	int d, m, y;
	char rest;
	if (!*text) {
		return 0;
	}
	if (sscanf(text, "%d/%d/%d%c", &d, &m, &y, &rest) != 3 || !g_date_valid_dmy(d, m, y)) {
		return -1;
	}
	g_autoptr(GDateTime) dt = g_date_time_new_local(y, m, d, 0, 0, 0);
	return dt ? g_date_time_to_unix(dt) : -1;
}

void cpt_admin_page_filter_audit(CptAdminPage *self, const char *login, const char *from,
				 const char *to)
{
	cpt_ui_clear_errors(self->message, self->audit_from, self->audit_to, NULL);
	gint64 f = parse_date(from), t = parse_date(to);
	if (f < 0) {
		cpt_ui_field_error(GTK_WIDGET(self->audit_from), self->message,
				   _("Date de début invalide : jj/mm/aaaa."));
		return;
	}
	if (t < 0) {
		cpt_ui_field_error(GTK_WIDGET(self->audit_to), self->message,
				   _("Date de fin invalide : jj/mm/aaaa."));
		return;
	}
	g_strlcpy(self->audit_filter.login, login, sizeof self->audit_filter.login);
	self->audit_filter.from = f;
	self->audit_filter.to = t ? t + 24 * 3600 : 0; /* "au" includes that day */
	cpt_paged_model_set_filter(cpt_list_view_get_model(self->audit), &self->audit_filter);
}

static void on_audit_filter(CptAdminPage *self)
{
	cpt_admin_page_filter_audit(self, gtk_editable_get_text(GTK_EDITABLE(self->audit_login)),
				    gtk_editable_get_text(GTK_EDITABLE(self->audit_from)),
				    gtk_editable_get_text(GTK_EDITABLE(self->audit_to)));
}

/* ---------------------------------------------------------------------------
 * Module actions (shortcuts from the window)
 */

static void module_refresh(GtkWidget *w, const char *name, GVariant *param)
{
	CptAdminPage *self = CPT_ADMIN_PAGE(w);
	if (self->users) {
		cpt_list_view_reload(self->users);
	}
	if (self->audit) {
		cpt_list_view_reload(self->audit);
	}
	if (self->roles_list) {
		load_roles(self);
	}
	if (self->company) {
		cpt_company_page_reload(self->company);
	}
}

static void module_new(GtkWidget *w, const char *name, GVariant *param)
{
	CptAdminPage *self = CPT_ADMIN_PAGE(w);
	if (self->users) {
		cpt_admin_page_open_user_form(self, NULL);
	}
}

static void module_search(GtkWidget *w, const char *name, GVariant *param)
{
	CptAdminPage *self = CPT_ADMIN_PAGE(w);
	GtkWidget *tab = gtk_stack_get_visible_child(self->stack);
	if (CPT_IS_LIST_VIEW(tab)) {
		gtk_widget_grab_focus(GTK_WIDGET(cpt_list_view_get_search(CPT_LIST_VIEW(tab))));
	}
}

/* ---------------------------------------------------------------------------
 * GObject
 */

CptListView *cpt_admin_page_get_users(CptAdminPage *self)
{
	return self->users;
}

CptListView *cpt_admin_page_get_audit(CptAdminPage *self)
{
	return self->audit;
}

CptCompanyPage *cpt_admin_page_get_company(CptAdminPage *self)
{
	return self->company;
}

void cpt_admin_page_show(CptAdminPage *self, const char *tab)
{
	gtk_stack_set_visible_child_name(self->stack, tab);
}

const char *cpt_admin_page_get_message(CptAdminPage *self)
{
	return gtk_label_get_text(self->message);
}

static void cpt_admin_page_dispose(GObject *object)
{
	CptAdminPage *self = CPT_ADMIN_PAGE(object);
	if (self->roles) {
		protobuf_c_message_free_unpacked(&self->roles->base, NULL);
		self->roles = NULL;
	}
	if (self->permissions) {
		protobuf_c_message_free_unpacked(&self->permissions->base, NULL);
		self->permissions = NULL;
	}
	g_clear_pointer(&self->checks, g_hash_table_unref);
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(cpt_admin_page_parent_class)->dispose(object);
}

static void cpt_admin_page_class_init(CptAdminPageClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = cpt_admin_page_dispose;
	gtk_widget_class_install_action(wc, "module.refresh", NULL, module_refresh);
	gtk_widget_class_install_action(wc, "module.new", NULL, module_new);
	gtk_widget_class_install_action(wc, "module.search", NULL, module_search);
}

static void cpt_admin_page_init(CptAdminPage *self)
{
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	gtk_box_set_spacing(GTK_BOX(self), 6);
	g_object_set(self, "margin-top", 6, "margin-bottom", 6, "margin-start", 12, "margin-end",
		     12, NULL);
	self->checks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

static GtkWidget *tool_button(CptListView *list, const char *label, const char *tooltip,
			      GCallback cb, gpointer data)
{
	GtkWidget *b = gtk_button_new_with_mnemonic(label);
	gtk_widget_set_tooltip_text(b, tooltip);
	g_signal_connect(b, "clicked", cb, data);
	gtk_box_append(cpt_list_view_get_toolbar(list), b);
	return b;
}

GtkWidget *cpt_admin_page_new(CptConn *conn)
{
	CptAdminPage *self = g_object_new(CPT_TYPE_ADMIN_PAGE, NULL);
	self->conn = g_object_ref(conn);
	GtkWidget *switcher = gtk_stack_switcher_new();
	self->stack = GTK_STACK(gtk_stack_new());
	gtk_widget_set_vexpand(GTK_WIDGET(self->stack), TRUE);
	gtk_stack_switcher_set_stack(GTK_STACK_SWITCHER(switcher), self->stack);
	gtk_widget_set_halign(switcher, GTK_ALIGN_CENTER);
	gtk_box_append(GTK_BOX(self), switcher);
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->stack));
	self->message = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_xalign(self->message, 0);
	gtk_label_set_selectable(self->message, TRUE);
	gtk_label_set_wrap(self->message, TRUE);
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->message));

	if (cpt_conn_has_permission(conn, "admin.users")) {
		self->users = cpt_list_view_new(conn, "admin.users", &cpt_users_source,
						cpt_users_columns, CPT_USER_N_CELLS);
		tool_button(self->users, _("_Nouveau"), _("Nouvel utilisateur (Ctrl+N)"),
			    G_CALLBACK(on_new_user), self);
		tool_button(self->users, _("_Modifier"), _("Modifier l'utilisateur choisi"),
			    G_CALLBACK(on_edit_user), self);
		self->lock_button = GTK_BUTTON(tool_button(
		    self->users, _("_Verrouiller"), _("Verrouiller ou déverrouiller le compte"),
		    G_CALLBACK(on_lock), self));
		tool_button(self->users, _("Mot de _passe"),
			    _("Donner un nouveau mot de passe provisoire"),
			    G_CALLBACK(on_reset_password), self);
		g_signal_connect(cpt_list_view_get_column_view(self->users), "activate",
				 G_CALLBACK(on_row_activated), self);
		gtk_stack_add_titled(self->stack, GTK_WIDGET(self->users), "users",
				     _("Utilisateurs"));
		gtk_stack_add_titled(self->stack, build_roles_tab(self), "roles", _("Rôles"));
		/* No permission of its own yet: the settings go with admin.users. */
		self->company = CPT_COMPANY_PAGE(cpt_company_page_new(conn));
		gtk_stack_add_titled(self->stack, GTK_WIDGET(self->company), "company",
				     _("Société"));
		load_roles(self);
		Comptoir__Admin__ListPermissionsRequest req =
		    COMPTOIR__ADMIN__LIST_PERMISSIONS_REQUEST__INIT;
		cpt_conn_call_async(conn, "comptoir.admin.Admin/ListPermissions", &req.base,
				    &comptoir__admin__list_permissions_reply__descriptor, NULL,
				    permissions_loaded, g_object_ref(self));
	}
	if (cpt_conn_has_permission(conn, "admin.audit")) {
		self->audit = cpt_list_view_new(conn, "admin.audit", &cpt_audit_source,
						cpt_audit_columns, CPT_AUDIT_N_CELLS);
		g_object_set(cpt_list_view_get_search(self->audit), "placeholder-text",
			     _("Opération (début)…"), NULL);
		GtkBox *bar = cpt_list_view_get_toolbar(self->audit);
		self->audit_login = filter_entry(bar, _("Utilisateur"), 10);
		self->audit_from = filter_entry(bar, _("Du jj/mm/aaaa"), 12);
		self->audit_to = filter_entry(bar, _("Au jj/mm/aaaa"), 12);
		GtkWidget *apply = gtk_button_new_with_mnemonic(_("_Filtrer"));
		g_signal_connect_swapped(apply, "clicked", G_CALLBACK(on_audit_filter), self);
		g_signal_connect_swapped(self->audit_login, "activate", G_CALLBACK(on_audit_filter),
					 self);
		g_signal_connect_swapped(self->audit_from, "activate", G_CALLBACK(on_audit_filter),
					 self);
		g_signal_connect_swapped(self->audit_to, "activate", G_CALLBACK(on_audit_filter),
					 self);
		gtk_box_append(bar, apply);
		gtk_stack_add_titled(self->stack, GTK_WIDGET(self->audit), "audit",
				     _("Journal d'audit"));
	}
	return GTK_WIDGET(self);
}
