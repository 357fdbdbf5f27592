/*
 * GUI scenarios: the real GTK client, in this process, against a real
 * comptoird over TLS and a real PostgreSQL. Runs under xvfb-run. Widgets are
 * driven through their signals and the main loop is iterated until the
 * expected state appears; each scenario saves a screenshot under
 * tests/out/gui/.
 */
#include "cpt-admin-page.h"
#include "cpt-admin-sources.h"
#include "cpt-app.h"
#include "cpt-equipment-form.h"
#include "cpt-equipment-page.h"
#include "cpt-import-dialog.h"
#include "cpt-article-form.h"
#include "cpt-company-page.h"
#include "cpt-articles-page.h"
#include "cpt-list-export.h"
#include "cpt-parties-page.h"
#include "cpt-party-refs.h"
#include "cpt-pricing-page.h"
#include "cpt-sales-editor.h"
#include "cpt-sales-send.h"
#include "cpt-sales-page.h"
#include "cpt-settings.h"
#include "testenv.h"

#include "equipment.pb-c.h"
#include "articles.pb-c.h"
#include "parties.pb-c.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

static cpt_testenv env;
static CptApp *app;
static char config_home[300];

/* ---------------------------------------------------------------------------
 * Driving helpers
 */

typedef gboolean (*Cond)(gpointer);

static gboolean wait_for(Cond cond, gpointer data, int timeout_ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	while (g_get_monotonic_time() < end) {
		while (g_main_context_iteration(NULL, FALSE)) {
		}
		if (cond(data)) {
			return TRUE;
		}
		g_usleep(10 * 1000);
	}
	return cond(data);
}

static void settle(int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	while (g_get_monotonic_time() < end) {
		while (g_main_context_iteration(NULL, FALSE)) {
		}
		g_usleep(5 * 1000);
	}
}

static GtkWidget *child(gpointer widget, GType type, const char *name)
{
	GObject *o = gtk_widget_get_template_child(GTK_WIDGET(widget), type, name);
	if (!o) {
		fail_msg("no template child %s", name);
	}
	return GTK_WIDGET(o);
}

static void set_text(GtkWidget *w, const char *text)
{
	gtk_editable_set_text(GTK_EDITABLE(w), text);
}

static void click(GtkWidget *button)
{
	g_signal_emit_by_name(button, "clicked");
}

static void screenshot(GtkWidget *widget, const char *name)
{
	settle(150);
	GdkPaintable *p = gtk_widget_paintable_new(widget);
	int w = gtk_widget_get_width(widget), h = gtk_widget_get_height(widget);
	if (w <= 0 || h <= 0) {
		g_object_unref(p);
		return;
	}
	GtkSnapshot *snap = gtk_snapshot_new();
	gdk_paintable_snapshot(p, snap, w, h);
	GskRenderNode *node = gtk_snapshot_free_to_node(snap);
	GskRenderer *renderer = gtk_native_get_renderer(gtk_widget_get_native(widget));
	if (node && renderer) {
		GdkTexture *tex =
		    gsk_renderer_render_texture(renderer, node, &GRAPHENE_RECT_INIT(0, 0, w, h));
		g_autofree char *dir = g_build_filename(cpt_testenv_out(), "gui", NULL);
		g_mkdir_with_parents(dir, 0755);
		g_autofree char *file = g_strdup_printf("%s/%s.png", dir, name);
		gdk_texture_save_to_png(tex, file);
		g_object_unref(tex);
	}
	if (node) {
		gsk_render_node_unref(node);
	}
	g_object_unref(p);
}

static CptWelcome *welcome(void)
{
	return cpt_app_get_welcome(app);
}

static gboolean page_is(gpointer name)
{
	return welcome() && g_str_equal(cpt_welcome_get_page(welcome()), name);
}

static gboolean message_set(gpointer data)
{
	return welcome() && *cpt_welcome_get_message(welcome());
}

static gboolean window_shown(gpointer data)
{
	return cpt_app_get_window(app) != NULL;
}

static char *ctl_temp_password(const char *login, const char *role)
{
	char out[2048];
	const char *args[] = {"user", "add", login, "--company", "DEMO", "--role", role, NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, args), 0);
	char *mark = strstr(out, "mot de passe provisoire ");
	assert_non_null(mark);
	char temp[64];
	sscanf(mark + strlen("mot de passe provisoire "), "%63s", temp);
	return g_strdup(temp);
}

/* ---------------------------------------------------------------------------
 * Set-up
 */

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "gui", NULL) != 0) {
		return -1;
	}
	/* The workstation's settings and known hosts go to a folder of our own. */
	snprintf(config_home, sizeof config_home, "%s/config", env.dir);
	g_setenv("XDG_CONFIG_HOME", config_home, TRUE);
	gtk_init();
	app = cpt_app_new();
	if (!g_application_register(G_APPLICATION(app), NULL, NULL)) {
		return -1;
	}
	g_application_activate(G_APPLICATION(app));
	settle(200);
	return welcome() ? 0 : -1;
}

static int teardown(void **state)
{
	g_application_quit(G_APPLICATION(app));
	settle(100);
	g_clear_object(&app);
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------------------
 * 1. Connect and pin the certificate
 */

static void connect_refuses_a_changed_certificate_then_pins_on_first_use(void **state)
{
	CptWelcome *w = welcome();
	GtkWidget *host = child(w, CPT_TYPE_WELCOME, "host_entry");
	GtkWidget *port = child(w, CPT_TYPE_WELCOME, "port_spin");
	set_text(host, "127.0.0.1");
	gtk_spin_button_set_value(GTK_SPIN_BUTTON(port), env.port);

	/* A pin that is not this server's: refused, with a clear warning. */
	cpt_known_host_set("127.0.0.1", env.port, "00:11:22:33");
	click(child(w, CPT_TYPE_WELCOME, "connect_button"));
	assert_true(wait_for(message_set, NULL, 10000));
	assert_non_null(strstr(cpt_welcome_get_message(w), "certificat du serveur a changé"));
	assert_true(page_is("server"));
	screenshot(GTK_WIDGET(w), "1a-changed-certificate-refused");

	/* First use: the fingerprint is shown, then pinned. */
	g_autofree char *kh = g_build_filename(config_home, "comptoir", "known_hosts", NULL);
	g_unlink(kh);
	click(child(w, CPT_TYPE_WELCOME, "connect_button"));
	assert_true(wait_for(page_is, "trust", 10000));
	const char *shown =
	    gtk_label_get_text(GTK_LABEL(child(w, CPT_TYPE_WELCOME, "fingerprint_label")));
	assert_string_equal(shown, env.fingerprint);
	screenshot(GTK_WIDGET(w), "1b-trust-on-first-use");
	click(child(w, CPT_TYPE_WELCOME, "trust_button"));
	assert_true(wait_for(page_is, "login", 2000));
	g_autofree char *pinned = cpt_known_host_get("127.0.0.1", env.port);
	assert_string_equal(pinned, env.fingerprint);
}

/* ---------------------------------------------------------------------------
 * 2. Log in, with the forced password change
 */

static void login_shows_errors_then_forces_the_password_change(void **state)
{
	g_autofree char *temp = ctl_temp_password("alice", "Administrateur");
	CptWelcome *w = welcome();
	GtkWidget *login = child(w, CPT_TYPE_WELCOME, "login_entry");
	GtkWidget *password = child(w, CPT_TYPE_WELCOME, "password_entry");
	set_text(login, "alice");
	set_text(password, "pas le bon mot de passe");
	click(child(w, CPT_TYPE_WELCOME, "login_button"));
	assert_true(wait_for(message_set, NULL, 10000));
	assert_non_null(strstr(cpt_welcome_get_message(w), "incorrect"));
	assert_true(gtk_widget_has_css_class(password, "error"));
	screenshot(GTK_WIDGET(w), "2a-wrong-password");

	set_text(password, temp);
	click(child(w, CPT_TYPE_WELCOME, "login_button"));
	assert_true(wait_for(page_is, "change", 10000));
	screenshot(GTK_WIDGET(w), "2b-forced-change");
	set_text(child(w, CPT_TYPE_WELCOME, "new_password_entry"), "un nouveau secret");
	set_text(child(w, CPT_TYPE_WELCOME, "confirm_password_entry"), "un autre secret");
	click(child(w, CPT_TYPE_WELCOME, "change_button"));
	assert_non_null(strstr(cpt_welcome_get_message(w), "diffèrent"));
	set_text(child(w, CPT_TYPE_WELCOME, "confirm_password_entry"), "un nouveau secret");
	click(child(w, CPT_TYPE_WELCOME, "change_button"));
	assert_true(wait_for(window_shown, NULL, 10000));
	CptWindow *win = cpt_app_get_window(app);
	/* Modules the rights open are listed; those still to come say so. */
	assert_non_null(cpt_window_get_module(win, "admin"));
	assert_non_null(cpt_window_get_module(win, "clients"));
	settle(300);
	screenshot(GTK_WIDGET(win), "2c-main-window");
}

/* ---------------------------------------------------------------------------
 * 3. Create a user with a role, 4. lock them
 */

static CptAdminPage *admin_page(void)
{
	CptWindow *win = cpt_app_get_window(app);
	cpt_window_show_module(win, "admin");
	return CPT_ADMIN_PAGE(cpt_window_get_module(win, "admin"));
}

static gboolean admin_message_has(gpointer text)
{
	return strstr(cpt_admin_page_get_message(admin_page()), text) != NULL;
}

static gboolean list_idle(gpointer view)
{
	return !cpt_paged_model_is_loading(cpt_list_view_get_model(view));
}

static guint find_row(CptListView *view, const char *login)
{
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(view));
	for (guint i = 0; i < g_list_model_get_n_items(m) && i < 100; i++) {
		g_autoptr(CptRow) row = g_list_model_get_item(m, i);
		if (g_str_equal(cpt_row_cell(row, CPT_USER_LOGIN), login)) {
			return i;
		}
	}
	return G_MAXUINT;
}

static gboolean bruno_listed(gpointer view)
{
	return list_idle(view) && find_row(view, "bruno") != G_MAXUINT;
}

static void create_a_user_with_a_role(void **state)
{
	CptAdminPage *page = admin_page();
	GtkWindow *form = cpt_admin_page_open_user_form(page, NULL);
	settle(300); /* roles arrive */
	GtkWidget *grid = gtk_window_get_child(form);
	GtkWidget *login = NULL, *name = NULL, *email = NULL, *role = NULL, *save = NULL;
	for (GtkWidget *c = gtk_widget_get_first_child(grid); c;
	     c = gtk_widget_get_next_sibling(c)) {
		const char *n = gtk_widget_get_name(c);
		if (g_str_equal(n, "login")) {
			login = c;
		} else if (g_str_equal(n, "display_name")) {
			name = c;
		} else if (g_str_equal(n, "email")) {
			email = c;
		} else if (g_str_equal(n, "role_id")) {
			role = c;
		} else if (GTK_IS_BUTTON(c)) {
			save = c;
		}
	}
	assert_non_null(login);
	assert_non_null(role);
	/* A bad e-mail first: the server names the field, the form shows it there. */
	set_text(login, "bruno");
	set_text(name, "Bruno Technicien");
	set_text(email, "pas-une-adresse");
	GListModel *roles = gtk_drop_down_get_model(GTK_DROP_DOWN(role));
	guint consult = G_MAXUINT;
	for (guint i = 0; i < g_list_model_get_n_items(roles); i++) {
		const char *s = gtk_string_list_get_string(GTK_STRING_LIST(roles), i);
		if (g_str_equal(s, "Consultation")) {
			consult = i;
		}
	}
	assert_int_not_equal(consult, G_MAXUINT);
	gtk_drop_down_set_selected(GTK_DROP_DOWN(role), consult);
	click(save);
	settle(50);
	gboolean marked = FALSE;
	for (int i = 0; i < 200 && !marked; i++) {
		settle(20);
		marked = gtk_widget_has_css_class(email, "error");
	}
	assert_true(marked);
	screenshot(GTK_WIDGET(form), "3a-user-form-error-on-field");
	set_text(email, "bruno@example.fr");
	click(save);
	assert_true(wait_for(admin_message_has, "bruno", 10000));
	assert_non_null(strstr(cpt_admin_page_get_message(page), "Mot de passe provisoire"));
	assert_int_equal(
	    cpt_testenv_sql_int(&env, "SELECT count(*) FROM user_company_role g"
				      " JOIN app_user u ON u.id = g.user_id"
				      " JOIN role r ON r.id = g.role_id"
				      " WHERE u.login = 'bruno' AND r.name = 'Consultation'"),
	    1);
	CptListView *users = cpt_admin_page_get_users(page);
	assert_true(wait_for(bruno_listed, users, 10000));
	screenshot(GTK_WIDGET(cpt_app_get_window(app)), "3b-user-created");
}

static gboolean bruno_locked(gpointer data)
{
	return cpt_testenv_sql_int(&env, "SELECT count(*) FROM app_user"
					 " WHERE login = 'bruno' AND locked") == 1;
}

static void lock_the_user_and_the_server_refuses_their_login(void **state)
{
	CptAdminPage *page = admin_page();
	CptListView *users = cpt_admin_page_get_users(page);
	assert_true(wait_for(bruno_listed, users, 10000));
	guint pos = find_row(users, "bruno");
	GtkSelectionModel *sel = gtk_column_view_get_model(cpt_list_view_get_column_view(users));
	gtk_selection_model_select_item(sel, pos, TRUE);
	cpt_admin_page_toggle_lock(page);
	assert_true(wait_for(bruno_locked, NULL, 10000));
	assert_true(wait_for(bruno_listed, users, 10000));
	settle(200);
	screenshot(GTK_WIDGET(cpt_app_get_window(app)), "4-user-locked");
	/* Bruno tries from another workstation: the server says no. */
	int code = -1;
	assert_null(cpt_testenv_login(&env, "bruno", "whatever-password", 0, &code, NULL));
	assert_int_equal(code, CPT_PERMISSION_DENIED);
}

/* ---------------------------------------------------------------------------
 * 5. Sort and page a list
 */

static gboolean first_row_is(gpointer login)
{
	CptListView *users = cpt_admin_page_get_users(admin_page());
	if (!list_idle(users)) {
		return FALSE;
	}
	g_autoptr(CptRow) row =
	    g_list_model_get_item(G_LIST_MODEL(cpt_list_view_get_model(users)), 0);
	return row && !row->loading && g_str_equal(cpt_row_cell(row, CPT_USER_LOGIN), login);
}

typedef struct {
	CptListView *view;
	guint position;
} RowWait;

static gboolean row_loaded(gpointer data)
{
	RowWait *w = data;
	g_autoptr(CptRow) row =
	    g_list_model_get_item(G_LIST_MODEL(cpt_list_view_get_model(w->view)), w->position);
	return row && !row->loading;
}

static void sort_and_page_a_list(void **state)
{
	PGconn *c = cpt_testenv_sql(&env);
	PGresult *r =
	    PQexec(c, "WITH u AS (INSERT INTO app_user (login, display_name, password_hash)"
		      " SELECT 'zz' || lpad(i::text, 4, '0'), 'Équipe ' || i, 'x'"
		      " FROM generate_series(1, 1500) i RETURNING id)"
		      " INSERT INTO user_company_role (user_id, company_id, role_id)"
		      " SELECT u.id, (SELECT min(id) FROM company),"
		      " (SELECT id FROM role WHERE name = 'Consultation') FROM u");
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);

	CptListView *users = cpt_admin_page_get_users(admin_page());
	cpt_list_view_sort_by(users, "login", TRUE);
	assert_true(wait_for(first_row_is, "zz1500", 10000));
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(users));
	assert_true(g_list_model_get_n_items(m) >= 1500);
	screenshot(GTK_WIDGET(cpt_app_get_window(app)), "5a-sorted-descending");

	/* Far down the list: fetched on demand, never the whole list in memory. */
	RowWait wt = {users, 1400};
	g_autoptr(CptRow) placeholder = g_list_model_get_item(m, 1400);
	assert_true(wait_for(row_loaded, &wt, 10000));
	g_autoptr(CptRow) far = g_list_model_get_item(m, 1400);
	assert_string_equal(cpt_row_cell(far, CPT_USER_LOGIN), "zz0100");
	for (guint p = 0; p < 1500; p += 100) {
		RowWait each = {users, p};
		g_autoptr(CptRow) x = g_list_model_get_item(m, p);
		assert_true(wait_for(row_loaded, &each, 10000));
	}
	assert_true(cpt_paged_model_get_loaded_rows(cpt_list_view_get_model(users)) <=
		    CPT_PAGED_MAX_BLOCKS * CPT_PAGED_BLOCK);

	/* Ascending again, and a hidden column saved for this user on the server. */
	cpt_list_view_sort_by(users, "login", FALSE);
	assert_true(wait_for(first_row_is, "admin", 10000));
	cpt_list_view_set_column_visible(users, "email", FALSE);
	settle(700);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM user_pref"
						   " WHERE key = 'list.admin.users.columns'"
						   " AND value LIKE '%-email%'"),
			 1);
	screenshot(GTK_WIDGET(cpt_app_get_window(app)), "5b-sorted-ascending");
}

/* ---------------------------------------------------------------------------
 * 6. The daemon restarts; the client reconnects by itself
 */

static gboolean state_is(gpointer state)
{
	return cpt_conn_get_state(cpt_app_get_conn(app)) == (CptConnState)GPOINTER_TO_INT(state);
}

static void restart_the_daemon_and_the_client_reconnects(void **state)
{
	CptListView *users = cpt_admin_page_get_users(admin_page());
	GtkEditable *search = cpt_list_view_get_search(users);
	gtk_editable_set_text(search, "zz00");
	settle(400);
	assert_int_equal(cpt_testenv_daemon_stop(&env), 0);
	assert_true(wait_for(state_is, GINT_TO_POINTER(CPT_CONN_RECONNECTING), 10000));
	screenshot(GTK_WIDGET(cpt_app_get_window(app)), "6a-connection-lost");
	assert_int_equal(cpt_testenv_daemon_start(&env), 0);
	assert_true(wait_for(state_is, GINT_TO_POINTER(CPT_CONN_AUTHENTICATED), 15000));
	/* What was typed is still there, and the session works without a new login. */
	assert_string_equal(gtk_editable_get_text(search), "zz00");
	cpt_list_view_reload(users);
	assert_true(wait_for(list_idle, users, 10000));
	assert_string_equal(cpt_paged_model_get_error(cpt_list_view_get_model(users)), "");
	assert_int_equal(g_list_model_get_n_items(G_LIST_MODEL(cpt_list_view_get_model(users))),
			 99);
	screenshot(GTK_WIDGET(cpt_app_get_window(app)), "6b-reconnected");
}

/* ---------------------------------------------------------------------------
 * 7. The audit log, filtered by user and date; a role changed from the form
 */

static gboolean audit_rows(gpointer data)
{
	CptListView *audit = cpt_admin_page_get_audit(admin_page());
	return list_idle(audit) &&
	       g_list_model_get_n_items(G_LIST_MODEL(cpt_list_view_get_model(audit))) > 0;
}

static void audit_log_filters_by_user_and_date(void **state)
{
	CptAdminPage *page = admin_page();
	cpt_admin_page_show(page, "audit");
	CptListView *audit = cpt_admin_page_get_audit(page);
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(audit));
	/* Only alice's actions. */
	cpt_admin_page_filter_audit(page, "alice", "", "");
	assert_true(wait_for(audit_rows, NULL, 10000));
	guint n = g_list_model_get_n_items(m);
	assert_true(n >= 3);
	for (guint i = 0; i < n && i < 100; i++) {
		g_autoptr(CptRow) row = g_list_model_get_item(m, i);
		RowWait w = {audit, i};
		assert_true(wait_for(row_loaded, &w, 5000));
		g_autoptr(CptRow) loaded = g_list_model_get_item(m, i);
		assert_string_equal(cpt_row_cell(loaded, CPT_AUDIT_USER), "alice");
	}
	screenshot(GTK_WIDGET(cpt_app_get_window(app)), "7a-audit-filtered");
	/* A period in the past holds nothing; a malformed date is refused on its field. */
	cpt_admin_page_filter_audit(page, "alice", "01/01/2020", "31/12/2020");
	settle(500);
	assert_true(wait_for(list_idle, audit, 10000));
	assert_int_equal(g_list_model_get_n_items(m), 0);
	cpt_admin_page_filter_audit(page, "", "31/02/2026", "");
	assert_non_null(strstr(cpt_admin_page_get_message(page), "Date de début invalide"));
	cpt_admin_page_filter_audit(page, "", "", "");
	cpt_admin_page_show(page, "users");
}

static gboolean carla_is_admin(gpointer data)
{
	return cpt_testenv_sql_int(
		   &env, "SELECT count(*) FROM user_company_role g"
			 " JOIN app_user u ON u.id = g.user_id JOIN role r ON r.id = g.role_id"
			 " WHERE u.login = 'carla' AND r.name = 'Administrateur'") == 1;
}

static void a_role_is_changed_from_the_user_form(void **state)
{
	g_autofree char *temp = ctl_temp_password("carla", "Consultation");
	CptAdminPage *page = admin_page();
	CptListView *users = cpt_admin_page_get_users(page);
	gtk_editable_set_text(cpt_list_view_get_search(users), "carla");
	settle(300);
	assert_true(wait_for(list_idle, users, 10000));
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(users));
	RowWait w = {users, 0};
	assert_true(wait_for(row_loaded, &w, 5000));
	g_autoptr(CptRow) row = g_list_model_get_item(m, 0);
	assert_string_equal(cpt_row_cell(row, CPT_USER_LOGIN), "carla");
	GtkWindow *form = cpt_admin_page_open_user_form(page, row);
	settle(500); /* her current role arrives */
	GtkWidget *grid = gtk_window_get_child(form);
	GtkWidget *role = NULL, *save = NULL;
	for (GtkWidget *c = gtk_widget_get_first_child(grid); c;
	     c = gtk_widget_get_next_sibling(c)) {
		if (g_str_equal(gtk_widget_get_name(c), "role_id")) {
			role = c;
		} else if (GTK_IS_BUTTON(c)) {
			save = c;
		}
	}
	GListModel *roles = gtk_drop_down_get_model(GTK_DROP_DOWN(role));
	guint selected = gtk_drop_down_get_selected(GTK_DROP_DOWN(role));
	assert_string_equal(gtk_string_list_get_string(GTK_STRING_LIST(roles), selected),
			    "Consultation");
	for (guint i = 0; i < g_list_model_get_n_items(roles); i++) {
		if (g_str_equal(gtk_string_list_get_string(GTK_STRING_LIST(roles), i),
				"Administrateur")) {
			gtk_drop_down_set_selected(GTK_DROP_DOWN(role), i);
		}
	}
	screenshot(GTK_WIDGET(form), "7b-role-changed");
	click(save);
	assert_true(wait_for(carla_is_admin, NULL, 10000));
	gtk_editable_set_text(cpt_list_view_get_search(users), "");
}

/* ---------------------------------------------------------------------------
 * 9. A client with two sites and a contact; found without accents; its file
 */

static GtkWindow *party_form;

static gboolean form_saved(gpointer data)
{
	return cpt_party_form_get_id(party_form) != 0;
}

static gboolean form_message_set(gpointer data)
{
	return *cpt_party_form_get_message(party_form) != '\0';
}

static gboolean client_found(gpointer view)
{
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(view));
	if (!list_idle(view) || g_list_model_get_n_items(m) != 1) {
		return FALSE;
	}
	g_autoptr(CptRow) row = g_list_model_get_item(m, 0);
	return !row->loading;
}

static gboolean two_clients_listed(gpointer view)
{
	return list_idle(view) &&
	       g_list_model_get_n_items(G_LIST_MODEL(cpt_list_view_get_model(view))) == 2;
}

static GtkWidget *named(GtkWidget *root, const char *name)
{
	if (g_strcmp0(gtk_widget_get_name(root), name) == 0) {
		return root;
	}
	for (GtkWidget *c = gtk_widget_get_first_child(root); c;
	     c = gtk_widget_get_next_sibling(c)) {
		GtkWidget *w = named(c, name);
		if (w) {
			return w;
		}
	}
	return NULL;
}

static void create_find_and_open_a_client(void **state)
{
	CptWindow *win = cpt_app_get_window(app);
	assert_non_null(cpt_window_get_module(win, "suppliers"));
	cpt_window_show_module(win, "clients");
	CptPartiesPage *page = CPT_PARTIES_PAGE(cpt_window_get_module(win, "clients"));
	party_form = cpt_parties_page_open(page, 0);
	GtkWidget *root = GTK_WIDGET(party_form);
	set_text(named(root, "party.code"), "lumiere");
	set_text(named(root, "party.name"), "École élémentaire Lumière");
	set_text(named(root, "party.siren"), "732 829 321"); /* a wrong check digit first */
	cpt_party_form_add_address(party_form, "billing", "Siège", "12 rue des Écoles", "69003",
				   "Lyon");
	cpt_party_form_add_address(party_form, "site", "Chaufferie A", "12 rue des Écoles", "69003",
				   "Lyon");
	cpt_party_form_add_address(party_form, "site", "Chaufferie B", "14 rue des Écoles", "69003",
				   "Lyon");
	cpt_party_form_add_contact(party_form, "Hélène Martin", "Responsable technique",
				   "h.martin@example.fr", "04 78 00 00 00");
	cpt_party_form_save(party_form);
	assert_true(wait_for(form_message_set, NULL, 10000));
	assert_true(gtk_widget_has_css_class(named(root, "party.siren"), "error"));
	assert_non_null(strstr(cpt_party_form_get_message(party_form), "SIREN"));
	screenshot(root, "9a-client-file-siren-refused");
	set_text(named(root, "party.siren"), "732 829 320");
	cpt_party_form_save(party_form);
	assert_true(wait_for(form_saved, NULL, 10000));
	settle(200);
	screenshot(root, "9b-client-file-saved");
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party_address a"
						   " JOIN party p ON p.id = a.party_id"
						   " WHERE p.code = 'LUMIERE' AND a.kind = 'site'"),
			 2);
	gtk_window_destroy(party_form);

	/* Found by typing part of its name without the accents. */
	CptListView *list = cpt_parties_page_get_list(page);
	gtk_editable_set_text(cpt_list_view_get_search(list), "ecole elem");
	assert_true(wait_for(client_found, list, 10000));
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(list));
	g_autoptr(CptRow) row = g_list_model_get_item(m, 0);
	assert_string_equal(cpt_row_cell(row, CPT_PARTY_NAME), "École élémentaire Lumière");
	assert_string_equal(cpt_row_cell(row, CPT_PARTY_CITY), "Lyon");
	screenshot(GTK_WIDGET(win), "9c-client-found-without-accents");

	/* Another workstation adds a client: this open list shows it by itself. */
	cpt_client *other = cpt_testenv_login(&env, "alice", "un nouveau secret", 0, NULL, NULL);
	assert_non_null(other);
	Comptoir__Parties__Party np = COMPTOIR__PARTIES__PARTY__INIT;
	np.kind = "client";
	np.code = "SOLEIL";
	np.name = "École élémentaire Soleil";
	Comptoir__Parties__PartyRequest nreq = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	nreq.party = &np;
	ProtobufCMessage *nout = NULL;
	cpt_status nst = {0};
	assert_int_equal(cpt_client_call(other, "comptoir.parties.Parties/Create", &nreq.base,
					 &comptoir__parties__party_reply__descriptor, &nout, &nst),
			 CPT_OK);
	protobuf_c_message_free_unpacked(nout, NULL);
	cpt_client_close(other);
	assert_true(wait_for(two_clients_listed, list, 10000));
	screenshot(GTK_WIDGET(win), "9d-live-update-from-another-workstation");

	/* Its file opens with the sites and the contact. */
	party_form = cpt_parties_page_open(page, row->id);
	assert_true(wait_for(form_saved, NULL, 10000));
	settle(300);
	assert_string_equal(
	    gtk_editable_get_text(GTK_EDITABLE(named(GTK_WIDGET(party_form), "party.siren"))),
	    "732829320");
	screenshot(GTK_WIDGET(party_form), "9e-client-file");
	gtk_window_destroy(party_form);
}

/* ---------------------------------------------------------------------------
 * 10. The documents of a client file; the GDPR anonymisation, asked first
 */

static gboolean documents_shown(gpointer n)
{
	CptPartyDocuments *docs = cpt_party_form_get_documents(party_form);
	return !cpt_party_documents_is_loading(docs) &&
	       cpt_party_documents_get_count(docs) == GPOINTER_TO_UINT(n);
}

static gboolean documents_message_has(gpointer text)
{
	CptPartyDocuments *docs = cpt_party_form_get_documents(party_form);
	return strstr(cpt_party_documents_get_message(docs), text) != NULL;
}

static const char *row_label(GtkListBoxRow *row, const char *name)
{
	return gtk_label_get_text(GTK_LABEL(named(GTK_WIDGET(row), name)));
}

static void a_client_file_shows_its_documents(void **state)
{
	int64_t id = cpt_testenv_sql_int(&env, "SELECT id FROM party WHERE code = 'LUMIERE'");
	/* Another workstation attaches a plan of 1 234 567 bytes. */
	cpt_client *other = cpt_testenv_login(&env, "alice", "un nouveau secret", 0, NULL, NULL);
	assert_non_null(other);
	const size_t len = 1234567;
	uint8_t *plan = g_malloc0(len);
	Comptoir__Parties__Document d = COMPTOIR__PARTIES__DOCUMENT__INIT;
	d.party_id = id;
	d.name = "Plan chaufferie A.pdf";
	d.mime_type = "application/pdf";
	d.content.data = plan;
	d.content.len = len;
	Comptoir__Parties__AddDocumentRequest req = COMPTOIR__PARTIES__ADD_DOCUMENT_REQUEST__INIT;
	req.document = &d;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(other, "comptoir.parties.Parties/AddDocument", &req.base,
					 &comptoir__parties__document_reply__descriptor, &out, &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	g_free(plan);
	cpt_client_close(other);

	CptWindow *win = cpt_app_get_window(app);
	cpt_window_show_module(win, "clients");
	CptPartiesPage *page = CPT_PARTIES_PAGE(cpt_window_get_module(win, "clients"));
	party_form = cpt_parties_page_open(page, id);
	assert_true(wait_for(form_saved, NULL, 10000));
	assert_true(wait_for(documents_shown, GUINT_TO_POINTER(1), 10000));
	GtkWidget *list = named(GTK_WIDGET(party_form), "documents.list");
	GtkListBoxRow *row = gtk_list_box_get_row_at_index(GTK_LIST_BOX(list), 0);
	assert_string_equal(row_label(row, "document.name"), "Plan chaufferie A.pdf");
	assert_string_equal(row_label(row, "document.size"), "1,2\u00a0Mo");
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *today = g_date_time_format(now, "%d/%m/%Y");
	assert_string_equal(row_label(row, "document.created_at"), today);
	/* Scrolled so that the section shows, as a user would. */
	GtkWidget *docs = GTK_WIDGET(cpt_party_form_get_documents(party_form));
	GtkWidget *scroll = gtk_window_get_child(party_form);
	graphene_point_t at;
	settle(200);
	GtkWidget *viewport = gtk_scrolled_window_get_child(GTK_SCROLLED_WINDOW(scroll));
	GtkWidget *content =
	    GTK_IS_VIEWPORT(viewport) ? gtk_viewport_get_child(GTK_VIEWPORT(viewport)) : viewport;
	if (gtk_widget_compute_point(docs, content, &GRAPHENE_POINT_INIT(0, 0), &at)) {
		GtkAdjustment *adj =
		    gtk_scrolled_window_get_vadjustment(GTK_SCROLLED_WINDOW(scroll));
		gtk_adjustment_set_value(adj, at.y - 12);
	}
	gtk_list_box_select_row(GTK_LIST_BOX(list), row);
	screenshot(GTK_WIDGET(party_form), "10a-client-file-documents");

	/* Saved as a copy, then another file attached: neither waits on the UI. */
	g_autofree char *copy = g_build_filename(env.dir, "plan-copie.pdf", NULL);
	g_autoptr(GFile) dest = g_file_new_for_path(copy);
	cpt_party_documents_save_selected(CPT_PARTY_DOCUMENTS(docs), dest);
	assert_true(wait_for(documents_message_has, "enregistré", 10000));
	GStatBuf sb;
	assert_int_equal(g_stat(copy, &sb), 0);
	assert_int_equal(sb.st_size, len);
	g_autofree char *note = g_build_filename(env.dir, "Compte rendu visite.txt", NULL);
	assert_true(g_file_set_contents(note, "Chaudière révisée.\n", -1, NULL));
	g_autoptr(GFile) nf = g_file_new_for_path(note);
	cpt_party_documents_add_file(CPT_PARTY_DOCUMENTS(docs), nf);
	assert_true(wait_for(documents_shown, GUINT_TO_POINTER(2), 10000));
	row = gtk_list_box_get_row_at_index(GTK_LIST_BOX(list), 0); /* newest first */
	assert_string_equal(row_label(row, "document.name"), "Compte rendu visite.txt");
	assert_string_equal(row_label(row, "document.size"), "22 octets");
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party_document"
						   " WHERE mime_type = 'text/plain'"),
			 1);

	/* Anonymisation asks first; cancelling changes nothing. */
	GtkWindow *ask = cpt_party_form_ask_anonymise(party_form);
	assert_non_null(ask);
	settle(200);
	screenshot(GTK_WIDGET(ask), "10b-anonymise-confirmation");
	click(named(GTK_WIDGET(ask), "confirm.cancel"));
	settle(200);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party"
						   " WHERE anonymised_at IS NOT NULL"),
			 0);
	gtk_window_destroy(party_form);

	/* Confirmed on another client: its file is erased and frozen. */
	int64_t soleil = cpt_testenv_sql_int(&env, "SELECT id FROM party WHERE code = 'SOLEIL'");
	party_form = cpt_parties_page_open(page, soleil);
	assert_true(wait_for(form_saved, NULL, 10000));
	ask = cpt_party_form_ask_anonymise(party_form);
	click(named(GTK_WIDGET(ask), "confirm.accept"));
	assert_true(wait_for(form_message_set, NULL, 10000));
	assert_non_null(strstr(cpt_party_form_get_message(party_form), "anonymisé"));
	assert_string_equal(
	    gtk_editable_get_text(GTK_EDITABLE(named(GTK_WIDGET(party_form), "party.name"))),
	    "Anonymisé SOLEIL");
	assert_false(gtk_widget_get_sensitive(named(GTK_WIDGET(party_form), "documents.add")));
	screenshot(GTK_WIDGET(party_form), "10c-client-file-anonymised");
	gtk_window_destroy(party_form);
}

/* ---------------------------------------------------------------------------
 * 10'. The references of a client file: sectors and reps made in their
 * window, chosen in the file with a price list, seen again on reopening; the
 * list filtered by sector
 */

static GtkWindow *refs_window;
static gboolean no_row_listed(gpointer view);

static gboolean refs_idle(gpointer data)
{
	return !cpt_party_refs_is_loading(refs_window);
}

typedef struct {
	const char *kind;
	guint n;
} RefsCount;

static gboolean refs_listed(gpointer data)
{
	const RefsCount *c = data;
	return refs_idle(NULL) && cpt_party_refs_get_count(refs_window, c->kind) == c->n;
}

static gboolean refs_message_has(gpointer text)
{
	return strstr(cpt_party_refs_get_message(refs_window), text) != NULL;
}

static gboolean form_ready(gpointer data)
{
	return !cpt_party_form_is_loading(party_form);
}

static gboolean form_message_is(gpointer text)
{
	return g_str_equal(cpt_party_form_get_message(party_form), text);
}

/* The position of label among a dropdown's choices, or G_MAXUINT. */
static guint choice_of(GtkWidget *drop, const char *label)
{
	GListModel *m = gtk_drop_down_get_model(GTK_DROP_DOWN(drop));
	for (guint i = 0; m && i < g_list_model_get_n_items(m); i++) {
		if (g_str_equal(gtk_string_list_get_string(GTK_STRING_LIST(m), i), label)) {
			return i;
		}
	}
	return G_MAXUINT;
}

static void choose(GtkWidget *drop, const char *label)
{
	guint i = choice_of(drop, label);
	if (i == G_MAXUINT) {
		fail_msg("%s does not offer \"%s\"", gtk_widget_get_name(drop), label);
	}
	gtk_drop_down_set_selected(GTK_DROP_DOWN(drop), i);
}

static const char *chosen(GtkWidget *drop)
{
	GListModel *m = gtk_drop_down_get_model(GTK_DROP_DOWN(drop));
	return gtk_string_list_get_string(GTK_STRING_LIST(m),
					  gtk_drop_down_get_selected(GTK_DROP_DOWN(drop)));
}

static gboolean offers(gpointer data)
{
	GtkWidget **w = data;
	return choice_of(w[0], (const char *)w[1]) != G_MAXUINT;
}

static gboolean only_lumiere_listed(gpointer view)
{
	if (!client_found(view)) {
		return FALSE;
	}
	g_autoptr(CptRow) row =
	    g_list_model_get_item(G_LIST_MODEL(cpt_list_view_get_model(view)), 0);
	return g_str_equal(cpt_row_cell(row, CPT_PARTY_NAME), "École élémentaire Lumière") &&
	       g_str_equal(cpt_row_cell(row, CPT_PARTY_SECTOR), "Nord Isère") &&
	       g_str_equal(cpt_row_cell(row, CPT_PARTY_SALES_REP), "Anne Morel");
}

static void refs_save(const char *kind, const char *const *fields)
{
	GtkWidget *root = GTK_WIDGET(refs_window);
	g_autofree char *fresh = g_strdup_printf("%s.new", kind);
	click(named(root, fresh));
	for (int i = 0; fields[i]; i += 2) {
		g_autofree char *name = g_strdup_printf("%s.%s", kind, fields[i]);
		set_text(named(root, name), fields[i + 1]);
	}
	g_autofree char *save = g_strdup_printf("%s.save", kind);
	click(named(root, save));
}

static void a_client_file_takes_a_sector_a_rep_and_a_price_list(void **state)
{
	CptWindow *win = cpt_app_get_window(app);
	cpt_window_show_module(win, "clients");
	CptPartiesPage *page = CPT_PARTIES_PAGE(cpt_window_get_module(win, "clients"));
	assert_non_null(named(GTK_WIDGET(page), "party_refs.open"));

	/* Sectors and a rep, made in their window; a duplicate code is shown on its field. */
	refs_window = cpt_parties_page_open_refs(page);
	assert_non_null(refs_window);
	assert_true(wait_for(refs_idle, NULL, 10000));
	const char *nord[] = {"code", "nord", "label", "Nord Isère", NULL};
	refs_save("sector", nord);
	RefsCount one = {"sector", 1}, two = {"sector", 2}, rep = {"sales_rep", 1};
	assert_true(wait_for(refs_listed, &one, 10000));
	const char *sud[] = {"code", "SUD", "label", "Sud Drôme", NULL};
	refs_save("sector", sud);
	assert_true(wait_for(refs_listed, &two, 10000));
	const char *twice[] = {"code", "NORD", "label", "Doublon", NULL};
	refs_save("sector", twice);
	assert_true(wait_for(refs_message_has, "déjà", 10000));
	assert_true(
	    gtk_widget_has_css_class(named(GTK_WIDGET(refs_window), "sector.code"), "error"));
	screenshot(GTK_WIDGET(refs_window), "10d-sector-code-taken");
	/* One made by mistake is deleted: chosen in the list, then "Supprimer…". */
	RefsCount three = {"sector", 3};
	const char *est[] = {"code", "EST", "label", "Secteur Est", NULL};
	refs_save("sector", est);
	assert_true(wait_for(refs_listed, &three, 10000));
	GtkListBox *sectors = GTK_LIST_BOX(named(GTK_WIDGET(refs_window), "sector.list"));
	for (int i = 0; gtk_list_box_get_row_at_index(sectors, i); i++) {
		GtkWidget *label =
		    gtk_list_box_row_get_child(gtk_list_box_get_row_at_index(sectors, i));
		if (GTK_IS_LABEL(label) && strstr(gtk_label_get_text(GTK_LABEL(label)), "EST")) {
			gtk_list_box_select_row(sectors, gtk_list_box_get_row_at_index(sectors, i));
		}
	}
	assert_true(gtk_widget_get_sensitive(named(GTK_WIDGET(refs_window), "sector.delete")));
	GtkWindow *ask = cpt_party_refs_ask_delete(refs_window, "sector");
	assert_non_null(ask);
	click(named(GTK_WIDGET(ask), "confirm.accept"));
	assert_true(wait_for(refs_message_has, "Secteur supprimé", 10000));
	assert_true(wait_for(refs_listed, &two, 10000));
	gtk_notebook_set_current_page(
	    GTK_NOTEBOOK(named(GTK_WIDGET(refs_window), "party_refs.tabs")), 1);
	const char *anne[] = {"code",	    "ANNE",	      "name",
			      "Anne Morel", "email",	      "anne@example.fr",
			      "phone",	    "06 11 22 33 44", NULL};
	refs_save("sales_rep", anne);
	assert_true(wait_for(refs_listed, &rep, 10000));
	screenshot(GTK_WIDGET(refs_window), "10e-sales-reps");
	gtk_window_destroy(refs_window);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM sector"), 2);

	/* A price list, made by another workstation in the articles module. */
	cpt_client *other = cpt_testenv_login(&env, "alice", "un nouveau secret", 0, NULL, NULL);
	assert_non_null(other);
	Comptoir__Articles__PriceList pl = COMPTOIR__ARTICLES__PRICE_LIST__INIT;
	pl.code = "PRO";
	pl.label = "Professionnels";
	Comptoir__Articles__PriceListRequest plreq = COMPTOIR__ARTICLES__PRICE_LIST_REQUEST__INIT;
	plreq.price_list = &pl;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(
	    cpt_client_call(other, "comptoir.articles.Pricing/SavePriceList", &plreq.base,
			    &comptoir__articles__price_list_reply__descriptor, &out, &st),
	    CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	cpt_client_close(other);

	/* Chosen in the client file with a payment method and a segment, then saved. */
	int64_t id = cpt_testenv_sql_int(&env, "SELECT id FROM party WHERE code = 'LUMIERE'");
	party_form = cpt_parties_page_open(page, id);
	assert_true(wait_for(form_ready, NULL, 10000));
	GtkWidget *root = GTK_WIDGET(party_form);
	choose(named(root, "party.sector_id"), "Nord Isère");
	choose(named(root, "party.sales_rep_id"), "Anne Morel");
	choose(named(root, "party.price_list_id"), "PRO — Professionnels");
	choose(named(root, "party.payment_method"), "Virement");
	set_text(named(root, "party.segments.new"), "collectivité");
	g_signal_emit_by_name(named(root, "party.segments.new"), "activate");
	cpt_party_form_save(party_form);
	assert_true(wait_for(form_message_is, "Fiche enregistrée.", 10000));
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party p"
						   " JOIN sector s ON s.id = p.sector_id"
						   " JOIN sales_rep r ON r.id = p.sales_rep_id"
						   " JOIN price_list l ON l.id = p.price_list_id"
						   " WHERE p.code = 'LUMIERE' AND s.code = 'NORD'"
						   " AND r.code = 'ANNE' AND l.code = 'PRO'"
						   " AND p.payment_method = 'VIREMENT'"
						   " AND p.segments = '{collectivité}'"),
			 1);
	gtk_window_destroy(party_form);

	/* Opened again: the same choices. */
	party_form = cpt_parties_page_open(page, id);
	assert_true(wait_for(form_ready, NULL, 10000));
	root = GTK_WIDGET(party_form);
	assert_string_equal(chosen(named(root, "party.sector_id")), "Nord Isère");
	assert_string_equal(chosen(named(root, "party.sales_rep_id")), "Anne Morel");
	assert_string_equal(chosen(named(root, "party.price_list_id")), "PRO — Professionnels");
	assert_string_equal(chosen(named(root, "party.payment_method")), "Virement");
	GtkWidget *segments = named(root, "party.segments");
	GtkWidget *chip = gtk_widget_get_first_child(segments);
	assert_non_null(chip);
	assert_null(gtk_widget_get_next_sibling(chip));
	screenshot(root, "10f-client-file-references");
	gtk_window_destroy(party_form);

	/* The list by sector: the filter learnt the sectors from the events. */
	CptListView *list = cpt_parties_page_get_list(page);
	gtk_editable_set_text(cpt_list_view_get_search(list), "");
	GtkWidget *filter = named(GTK_WIDGET(page), "filter.sector_id");
	GtkWidget *wanted[] = {filter, (GtkWidget *)"Nord Isère"};
	assert_true(wait_for(offers, wanted, 10000));
	choose(filter, "Nord Isère");
	assert_true(wait_for(only_lumiere_listed, list, 10000));
	screenshot(GTK_WIDGET(win), "10g-clients-of-a-sector");
	/* With disputes only, none; then the whole list again. */
	gtk_check_button_set_active(
	    GTK_CHECK_BUTTON(named(GTK_WIDGET(page), "filter.dispute_only")), TRUE);
	assert_true(wait_for(no_row_listed, list, 10000));
	cpt_parties_page_filter(page, 0, 0, FALSE);
	assert_true(wait_for(two_clients_listed, list, 10000));
}

/*
 * 11. Equipment: created from its form at a client's site, listed out of
 * warranty, shown in the client file
 */

static GtkWindow *equipment_form;

static gboolean sites_offered(gpointer n)
{
	return cpt_equipment_form_get_n_sites(equipment_form) == GPOINTER_TO_UINT(n);
}

static gboolean equipment_saved(gpointer data)
{
	return cpt_equipment_form_get_id(equipment_form) != 0;
}

static gboolean equipment_message_set(gpointer data)
{
	return *cpt_equipment_form_get_message(equipment_form) != '\0';
}

typedef struct {
	CptListView *view;
	guint rows;
} ListWait;

/* The list is idle with exactly that many rows, all loaded. */
static gboolean rows_shown(gpointer data)
{
	ListWait *w = data;
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(w->view));
	if (!list_idle(w->view) || g_list_model_get_n_items(m) != w->rows) {
		return FALSE;
	}
	for (guint i = 0; i < w->rows; i++) {
		g_autoptr(CptRow) row = g_list_model_get_item(m, i);
		if (row->loading) {
			return FALSE;
		}
	}
	return TRUE;
}

static CptListView *list_view_in(GtkWidget *root)
{
	if (CPT_IS_LIST_VIEW(root)) {
		return CPT_LIST_VIEW(root);
	}
	for (GtkWidget *c = gtk_widget_get_first_child(root); c;
	     c = gtk_widget_get_next_sibling(c)) {
		CptListView *v = list_view_in(c);
		if (v) {
			return v;
		}
	}
	return NULL;
}

static void equipment_module_lists_what_is_out_of_warranty(void **state)
{
	CptWindow *win = cpt_app_get_window(app);
	GtkWidget *module = cpt_window_get_module(win, "equipment");
	assert_non_null(module);
	cpt_window_show_module(win, "equipment");
	CptEquipmentPage *page = CPT_EQUIPMENT_PAGE(module);

	/* A boiler at Lumière's second boiler room, its warranty over since 2021. */
	equipment_form = cpt_equipment_page_open(page, 0);
	GtkWidget *root = GTK_WIDGET(equipment_form);
	set_text(named(root, "equipment.party_code"), "lumiere");
	assert_true(wait_for(sites_offered, GUINT_TO_POINTER(3), 10000)); /* none, A, B */
	cpt_equipment_form_select_site(equipment_form, 2);
	set_text(named(root, "equipment.brand"), "Viessmann");
	set_text(named(root, "equipment.model"), "Vitodens 100-W");
	set_text(named(root, "equipment.serial_number"), "VI-GUI-1");
	set_text(named(root, "equipment.install_date"), "15/01/2019");
	set_text(named(root, "equipment.warranty_end"), "31/02/2021"); /* no such day */
	gtk_spin_button_set_value(GTK_SPIN_BUTTON(named(root, "equipment.service_interval_months")),
				  12);
	cpt_equipment_form_save(equipment_form);
	assert_true(gtk_widget_has_css_class(named(root, "equipment.warranty_end"), "error"));
	assert_true(equipment_message_set(NULL));
	set_text(named(root, "equipment.warranty_end"), "14/01/2021");
	/* A service after today: the server refuses it on its field. */
	set_text(named(root, "equipment.last_service_date"), "01/01/2999");
	cpt_equipment_form_save(equipment_form);
	assert_true(wait_for(equipment_message_set, NULL, 10000));
	assert_true(gtk_widget_has_css_class(named(root, "equipment.last_service_date"), "error"));
	set_text(named(root, "equipment.last_service_date"), "15/01/2024");
	cpt_equipment_form_save(equipment_form);
	assert_true(wait_for(equipment_saved, NULL, 10000));
	settle(300);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM equipment e"
						   " JOIN party_address a ON a.id = e.site_id"
						   " WHERE e.serial_number = 'VI-GUI-1'"
						   " AND a.label = 'Chaufferie B'"
						   " AND e.next_service_date = '2025-01-15'"),
			 1);
	screenshot(root, "11a-equipment-form-saved");
	gtk_window_destroy(equipment_form);

	/* Another workstation adds one still under warranty. */
	cpt_client *other = cpt_testenv_login(&env, "alice", "un nouveau secret", 0, NULL, NULL);
	assert_non_null(other);
	Comptoir__Equipment__Item e = COMPTOIR__EQUIPMENT__ITEM__INIT;
	e.party_code = "LUMIERE";
	e.brand = "Atlantic";
	e.serial_number = "AT-GUI-2";
	char future[16];
	snprintf(future, sizeof future, "%d-12-31",
		 (int)cpt_testenv_sql_int(&env, "SELECT extract(year FROM current_date) + 1"));
	e.warranty_end = future;
	Comptoir__Equipment__EquipmentRequest ereq = COMPTOIR__EQUIPMENT__EQUIPMENT_REQUEST__INIT;
	ereq.equipment = &e;
	ProtobufCMessage *eout = NULL;
	cpt_status est = {0};
	assert_int_equal(cpt_client_call(other, "comptoir.equipment.Equipment/Create", &ereq.base,
					 &comptoir__equipment__equipment_reply__descriptor, &eout,
					 &est),
			 CPT_OK);
	protobuf_c_message_free_unpacked(eout, NULL);
	cpt_client_close(other);

	/* All of them, then only what is out of warranty. */
	CptListView *list = cpt_equipment_page_get_list(page);
	ListWait both = {list, 2}, one = {list, 1};
	assert_true(wait_for(rows_shown, &both, 10000));
	gtk_drop_down_set_selected(cpt_equipment_page_get_filter(page),
				   CPT_EQUIPMENT_OUT_OF_WARRANTY);
	settle(100);
	assert_true(wait_for(rows_shown, &one, 10000));
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(list));
	g_autoptr(CptRow) row = g_list_model_get_item(m, 0);
	assert_string_equal(cpt_row_cell(row, CPT_EQUIPMENT_SERIAL), "VI-GUI-1");
	assert_string_equal(cpt_row_cell(row, CPT_EQUIPMENT_CLIENT), "École élémentaire Lumière");
	assert_string_equal(cpt_row_cell(row, CPT_EQUIPMENT_WARRANTY_END), "14/01/2021");
	assert_string_equal(cpt_row_cell(row, CPT_EQUIPMENT_SITE), "Chaufferie B (Lyon)");
	screenshot(GTK_WIDGET(win), "11b-equipment-out-of-warranty");

	/* The client file lists both in its equipment section. */
	cpt_window_show_module(win, "clients");
	CptPartiesPage *clients = CPT_PARTIES_PAGE(cpt_window_get_module(win, "clients"));
	party_form = cpt_parties_page_open(
	    clients, cpt_testenv_sql_int(&env, "SELECT id FROM party WHERE code = 'LUMIERE'"));
	assert_true(wait_for(form_saved, NULL, 10000));
	GtkWidget *section = named(GTK_WIDGET(party_form), "party.equipment");
	assert_non_null(section);
	ListWait in_file = {list_view_in(section), 2};
	assert_non_null(in_file.view);
	assert_true(wait_for(rows_shown, &in_file, 10000));
	settle(300);
	screenshot(GTK_WIDGET(party_form), "11c-client-file-equipment");
	gtk_window_destroy(party_form);
	gtk_drop_down_set_selected(cpt_equipment_page_get_filter(page), CPT_EQUIPMENT_ALL);
}

/* ---------------------------------------------------------------------------
 * 12. An article made of components: prices typed in French, found without
 *     accents, its cost rolled up and its prices shown; 13. a negative price
 *     refused on its field
 */

static GtkWindow *article_form;

static gboolean article_ready(gpointer data)
{
	return cpt_article_form_is_ready(article_form);
}

static gboolean article_loaded(gpointer data)
{
	return cpt_article_form_get_id(article_form) != 0 &&
	       cpt_article_form_is_ready(article_form);
}

static gboolean article_message_set(gpointer data)
{
	return *cpt_article_form_get_message(article_form) != '\0';
}

static gboolean article_prices_shown(gpointer n)
{
	return cpt_article_form_get_n_prices(article_form) == GPOINTER_TO_UINT(n);
}

static gboolean client_price_named(gpointer data)
{
	const char *owner = cpt_article_form_get_price_text(article_form, 0, "owner");
	return owner && strstr(owner, "Chauffage Dupont") != NULL;
}

static gboolean no_row_listed(gpointer view)
{
	return list_idle(view) &&
	       g_list_model_get_n_items(G_LIST_MODEL(cpt_list_view_get_model(view))) == 0;
}

static GtkWidget *article_field(const char *name)
{
	GtkWidget *w = cpt_article_form_get_widget(article_form, name);
	if (!w) {
		fail_msg("no widget %s in the article form", name);
	}
	return w;
}

static CptArticlesPage *articles_page(void)
{
	CptWindow *win = cpt_app_get_window(app);
	cpt_window_show_module(win, "articles");
	return CPT_ARTICLES_PAGE(cpt_window_get_module(win, "articles"));
}

/* Another workstation's call; the reply is freed. */
static void rpc(cpt_client *c, const char *method, const ProtobufCMessage *in,
		const ProtobufCMessageDescriptor *out_desc, int64_t *id_out)
{
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	if (cpt_client_call(c, method, in, out_desc, &out, &st) != CPT_OK) {
		fail_msg("%s refused: %s (%s)", method, st.message, st.field);
	}
	if (id_out && out_desc == &comptoir__articles__article_reply__descriptor) {
		*id_out = ((Comptoir__Articles__ArticleReply *)out)->article->id;
	} else if (id_out && out_desc == &comptoir__articles__price_list_reply__descriptor) {
		*id_out = ((Comptoir__Articles__PriceListReply *)out)->price_list->id;
	} else if (id_out && out_desc == &comptoir__parties__party_reply__descriptor) {
		*id_out = ((Comptoir__Parties__PartyReply *)out)->party->id;
	}
	protobuf_c_message_free_unpacked(out, NULL);
}

static void rpc_rule(cpt_client *c, int64_t price_list, int64_t party, int64_t article,
		     int64_t min_qty, int64_t price, int32_t discount, const char *from)
{
	Comptoir__Articles__PriceRule r = COMPTOIR__ARTICLES__PRICE_RULE__INIT;
	r.price_list_id = price_list;
	r.party_id = party;
	r.article_id = article;
	r.min_quantity = min_qty;
	r.has_unit_price = discount == 0;
	r.unit_price = price;
	r.discount = discount;
	r.valid_from = (char *)from;
	r.valid_to = "";
	Comptoir__Articles__PriceRuleRequest req = COMPTOIR__ARTICLES__PRICE_RULE_REQUEST__INIT;
	req.rule = &r;
	rpc(c, "comptoir.articles.Pricing/SaveRule", &req.base,
	    &comptoir__articles__price_rule_reply__descriptor, NULL);
}

static void create_a_kit_find_it_and_read_its_rolled_up_cost(void **state)
{
	cpt_client *other = cpt_testenv_login(&env, "alice", "un nouveau secret", 0, NULL, NULL);
	assert_non_null(other);
	/* The component first, through the RPC: a burner bought 312,50 €. */
	Comptoir__Articles__Article burner = COMPTOIR__ARTICLES__ARTICLE__INIT;
	burner.code = "BRULEUR-40";
	burner.kind = "goods";
	burner.label = "Brûleur fioul 40 kW";
	burner.purchase_price = 3125000;
	burner.sale_price = 4500000;
	burner.vat_rate_id = cpt_testenv_sql_int(
	    &env, "SELECT id FROM vat_rate WHERE country = 'FR' AND rate = 2000");
	Comptoir__Articles__ArticleRequest breq = COMPTOIR__ARTICLES__ARTICLE_REQUEST__INIT;
	breq.article = &burner;
	rpc(other, "comptoir.articles.Articles/Create", &breq.base,
	    &comptoir__articles__article_reply__descriptor, NULL);

	/* The kit, typed in the form: a French price, two burners by code. */
	CptArticlesPage *page = articles_page();
	article_form = cpt_articles_page_open(page, 0);
	assert_true(wait_for(article_ready, NULL, 10000));
	set_text(article_field("article.code"), "chaud-elite");
	set_text(article_field("article.label"), "Chaudière à condensation Élite");
	set_text(article_field("article.sale_price"), "1 234,5");
	cpt_article_form_add_translation(article_form, "en", "Elite condensing boiler");
	cpt_article_form_add_component(article_form, "bruleur-40", "2");
	cpt_article_form_save(article_form);
	assert_true(wait_for(article_message_set, NULL, 10000));
	assert_string_equal(cpt_article_form_get_message(article_form), "Article enregistré.");
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT sale_price FROM article"
						   " WHERE code = 'CHAUD-ELITE'"),
			 12345000);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT b.quantity FROM bom_line b"
						   " JOIN article p ON p.id = b.parent_id"
						   " JOIN article c ON c.id = b.component_id"
						   " WHERE p.code = 'CHAUD-ELITE'"
						   " AND c.code = 'BRULEUR-40'"),
			 2000);
	/* The reply names the component found by its code and rolls the cost up. */
	assert_string_equal(cpt_article_form_get_component_text(article_form, 0, "component_label"),
			    "Brûleur fioul 40 kW");
	assert_string_equal(gtk_label_get_text(GTK_LABEL(article_field("article.cost"))),
			    "625,00\u00a0€");
	gint64 id = cpt_article_form_get_id(article_form);
	screenshot(GTK_WIDGET(article_form), "12a-article-kit-saved");
	gtk_window_destroy(article_form);

	/* Found by part of its label typed without accents, in French formats. */
	CptListView *list = cpt_articles_page_get_list(page);
	gtk_editable_set_text(cpt_list_view_get_search(list), "chaudiere a cond");
	assert_true(wait_for(client_found, list, 10000));
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(list));
	g_autoptr(CptRow) row = g_list_model_get_item(m, 0);
	assert_int_equal(row->id, id);
	assert_string_equal(cpt_row_cell(row, CPT_ARTICLE_CODE), "CHAUD-ELITE");
	assert_string_equal(cpt_row_cell(row, CPT_ARTICLE_KIND), "Bien");
	assert_string_equal(cpt_row_cell(row, CPT_ARTICLE_UNIT), "U");
	assert_string_equal(cpt_row_cell(row, CPT_ARTICLE_SALE_PRICE), "1\u202f234,50");
	assert_string_equal(cpt_row_cell(row, CPT_ARTICLE_VAT), "20\u202f%");
	screenshot(GTK_WIDGET(cpt_app_get_window(app)), "12b-article-found-without-accents");
	/* The nature filter: no service by that name; the goods again. */
	cpt_articles_page_filter(page, "service", 0, FALSE);
	assert_true(wait_for(no_row_listed, list, 10000));
	cpt_articles_page_filter(page, "", 0, FALSE);
	assert_true(wait_for(client_found, list, 10000));

	/* Prices saved elsewhere for a client and a price list show in its file. */
	Comptoir__Parties__Party client = COMPTOIR__PARTIES__PARTY__INIT;
	client.kind = "client";
	client.code = "DUPONT";
	client.name = "Chauffage Dupont";
	Comptoir__Parties__PartyRequest preq = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	preq.party = &client;
	int64_t dupont = 0, resellers = 0;
	rpc(other, "comptoir.parties.Parties/Create", &preq.base,
	    &comptoir__parties__party_reply__descriptor, &dupont);
	Comptoir__Articles__PriceList pl = COMPTOIR__ARTICLES__PRICE_LIST__INIT;
	pl.code = "REVENDEUR";
	pl.label = "Revendeurs";
	Comptoir__Articles__PriceListRequest plreq = COMPTOIR__ARTICLES__PRICE_LIST_REQUEST__INIT;
	plreq.price_list = &pl;
	rpc(other, "comptoir.articles.Pricing/SavePriceList", &plreq.base,
	    &comptoir__articles__price_list_reply__descriptor, &resellers);
	rpc_rule(other, 0, dupont, id, 1000, 11000000, 0, "2026-01-01");
	rpc_rule(other, resellers, 0, id, 10000, 0, 1250, "");
	cpt_client_close(other);

	/* Reopened: the price as typed, the component, the cost, the prices. */
	article_form = cpt_articles_page_open(page, id);
	assert_true(wait_for(article_loaded, NULL, 10000));
	assert_string_equal(
	    gtk_editable_get_text(GTK_EDITABLE(article_field("article.sale_price"))),
	    "1\u202f234,50");
	assert_int_equal(cpt_article_form_get_n_components(article_form), 1);
	assert_string_equal(cpt_article_form_get_component_text(article_form, 0, "quantity"), "2");
	assert_string_equal(cpt_article_form_get_component_text(article_form, 0, "component_cost"),
			    "312,50\u00a0€");
	assert_string_equal(gtk_label_get_text(GTK_LABEL(article_field("article.cost"))),
			    "625,00\u00a0€");
	assert_true(wait_for(article_prices_shown, GUINT_TO_POINTER(2), 10000));
	assert_true(wait_for(client_price_named, NULL, 10000));
	assert_string_equal(cpt_article_form_get_price_text(article_form, 0, "price"),
			    "1\u202f100,00\u00a0€");
	assert_string_equal(cpt_article_form_get_price_text(article_form, 0, "validity"),
			    "depuis le 01/01/2026");
	assert_string_equal(cpt_article_form_get_price_text(article_form, 1, "owner"),
			    "Tarif REVENDEUR");
	assert_string_equal(cpt_article_form_get_price_text(article_form, 1, "min_quantity"), "10");
	assert_string_equal(cpt_article_form_get_price_text(article_form, 1, "price"),
			    "remise de 12,5\u202f%");
	assert_string_equal(cpt_article_form_get_price_text(article_form, 1, "validity"),
			    "toujours");
	screenshot(GTK_WIDGET(article_form), "12c-article-file-cost-and-prices");
	gtk_window_destroy(article_form);
	gtk_editable_set_text(cpt_list_view_get_search(list), "");
}

static void a_negative_price_is_refused_on_its_field(void **state)
{
	long long before = cpt_testenv_sql_int(&env, "SELECT count(*) FROM article");
	article_form = cpt_articles_page_open(articles_page(), 0);
	assert_true(wait_for(article_ready, NULL, 10000));
	GtkWidget *price = article_field("article.sale_price");
	set_text(article_field("article.code"), "PRIX-NEG");
	set_text(article_field("article.label"), "Prix négatif");
	/* What does not parse never leaves the workstation: refused at once. */
	set_text(price, "12,345678");
	cpt_article_form_save(article_form);
	assert_true(gtk_widget_has_css_class(price, "error"));
	assert_non_null(strstr(cpt_article_form_get_message(article_form), "Prix invalide"));
	assert_true(gtk_widget_get_sensitive(article_field("save"))); /* nothing in flight */
	/* A price that parses but is negative: the server names the field. */
	set_text(price, "-3");
	cpt_article_form_save(article_form);
	assert_false(gtk_widget_has_css_class(price, "error"));
	assert_true(wait_for(article_message_set, NULL, 10000));
	assert_true(gtk_widget_has_css_class(price, "error"));
	assert_non_null(strstr(cpt_article_form_get_message(article_form), "négative"));
	assert_int_equal(cpt_article_form_get_id(article_form), 0);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM article"), before);
	screenshot(GTK_WIDGET(article_form), "13-negative-price-refused");
	gtk_window_destroy(article_form);
}

/* ---------------------------------------------------------------------------
 * 16. The Tarifs module: a price list made from the screen with a discount,
 *     a client's own price with a validity, the checker saying where each
 *     client's price comes from, a negative price refused; suppliers' prices
 */

static CptPricingPage *pricing;

static CptPricingPage *pricing_page(void)
{
	CptWindow *win = cpt_app_get_window(app);
	cpt_window_show_module(win, "pricing");
	return CPT_PRICING_PAGE(cpt_window_get_module(win, "pricing"));
}

static gboolean price_lists_read(gpointer data)
{
	return !cpt_pricing_page_is_loading(pricing);
}

static gboolean price_list_chosen(gpointer code)
{
	return g_strcmp0(cpt_pricing_page_get_price_list_code(pricing), code) == 0;
}

typedef struct {
	CptPriceRules *rules;
	guint rows;
} RulesWait;

/* Nothing in flight, and that many rows. */
static gboolean rules_shown(gpointer data)
{
	RulesWait *w = data;
	return !cpt_price_rules_is_busy(w->rules) &&
	       g_list_model_get_n_items(cpt_price_rules_get_rows(w->rules)) == w->rows;
}

static gboolean rules_idle(gpointer rules)
{
	return !cpt_price_rules_is_busy(rules);
}

static gboolean rules_owned(gpointer rules)
{
	return cpt_price_rules_get_owner(rules) != 0 && !cpt_price_rules_is_busy(rules);
}

static gboolean has_css_error(gpointer widget)
{
	return gtk_widget_has_css_class(widget, "error");
}

static gboolean check_answered(gpointer data)
{
	return !cpt_pricing_page_is_checking(pricing);
}

static const char *rule_cell(CptPriceRules *rules, guint i, guint cell)
{
	CptRow *row = g_list_model_get_item(cpt_price_rules_get_rows(rules), i);
	assert_non_null(row);
	const char *text = cpt_row_cell(row, cell);
	g_object_unref(row); /* the list keeps it */
	return text;
}

static GtkWidget *rule_field(CptPriceRules *rules, const char *name)
{
	GtkWidget *w = cpt_price_rules_get_widget(rules, name);
	if (!w) {
		fail_msg("no widget %s in the price editor", name);
	}
	return w;
}

static const char *check_label(const char *name)
{
	return gtk_label_get_text(GTK_LABEL(cpt_pricing_page_get_widget(pricing, name)));
}

/* Asks the checker, waits for its answer. */
static void check_price(const char *client, const char *article, const char *quantity,
			const char *date)
{
	cpt_pricing_page_check(pricing, client, article, quantity, date);
	assert_true(wait_for(check_answered, NULL, 10000));
}

static void price_lists_and_client_prices_show_where_a_price_comes_from(void **state)
{
	CptWindow *win = cpt_app_get_window(app);
	pricing = pricing_page();
	assert_non_null(pricing);
	assert_true(wait_for(price_lists_read, NULL, 10000));
	guint lists_before = cpt_pricing_page_get_n_price_lists(pricing);

	/* A price list made from the screen; a missing code is refused on its field. */
	GtkWindow *dialog = cpt_pricing_page_edit_price_list(pricing, FALSE);
	assert_non_null(dialog);
	GtkWidget *code = named(GTK_WIDGET(dialog), "price_list.code");
	set_text(named(GTK_WIDGET(dialog), "price_list.label"), "Syndics de copropriété");
	click(named(GTK_WIDGET(dialog), "save"));
	assert_true(wait_for(has_css_error, code, 10000));
	assert_non_null(strstr(gtk_label_get_text(GTK_LABEL(named(GTK_WIDGET(dialog), "message"))),
			       "Code : code obligatoire"));
	screenshot(GTK_WIDGET(dialog), "16a-price-list-code-refused");
	set_text(code, "syndic");
	click(named(GTK_WIDGET(dialog), "save"));
	assert_true(wait_for(price_list_chosen, "SYNDIC", 10000));
	assert_int_equal(cpt_pricing_page_get_n_price_lists(pricing), lists_before + 1);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM price_list"
						   " WHERE code = 'SYNDIC'"
						   " AND label = 'Syndics de copropriété'"),
			 1);

	/* Discounts as typed, in hundredths of a percent. */
	gint32 bp = 0;
	assert_true(cpt_price_rules_parse_discount("12,5", &bp));
	assert_int_equal(bp, 1250);
	assert_true(cpt_price_rules_parse_discount(" 7,25\u202f% ", &bp));
	assert_int_equal(bp, 725);
	assert_false(cpt_price_rules_parse_discount("12,555", &bp));
	assert_false(cpt_price_rules_parse_discount("dix", &bp));

	/* Its rule: the burner by its code, 12,5 % off, then changed to 10 %. */
	CptPriceRules *rules = cpt_pricing_page_get_rules(pricing, "lists");
	RulesWait none = {rules, 0}, one = {rules, 1};
	assert_true(wait_for(rules_shown, &none, 10000));
	cpt_price_rules_add(rules);
	set_text(rule_field(rules, "rule.article_code"), "bruleur-40");
	cpt_price_rules_set_discount(rules, TRUE);
	set_text(rule_field(rules, "rule.discount"), "12,555");
	cpt_price_rules_save(rules);
	assert_true(gtk_widget_has_css_class(rule_field(rules, "rule.discount"), "error"));
	assert_non_null(strstr(cpt_price_rules_get_message(rules), "Remise invalide"));
	assert_true(gtk_widget_get_sensitive(rule_field(rules, "save")));
	set_text(rule_field(rules, "rule.discount"), "12,5");
	cpt_price_rules_save(rules);
	assert_true(wait_for(rules_shown, &one, 10000));
	assert_string_equal(cpt_price_rules_get_message(rules), "Prix enregistré.");
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT r.discount FROM price_rule r"
						   " JOIN price_list l ON l.id = r.price_list_id"
						   " WHERE l.code = 'SYNDIC'"
						   " AND r.unit_price IS NULL"),
			 1250);
	cpt_price_rules_select(rules, 0);
	cpt_price_rules_edit_selected(rules);
	assert_string_equal(gtk_editable_get_text(GTK_EDITABLE(rule_field(rules, "rule.discount"))),
			    "12,5");
	assert_string_equal(gtk_label_get_text(GTK_LABEL(rule_field(rules, "rule.article_label"))),
			    "Brûleur fioul 40 kW");
	set_text(rule_field(rules, "rule.discount"), "10");
	cpt_price_rules_save(rules);
	assert_true(wait_for(rules_shown, &one, 10000));
	assert_false(cpt_price_rules_is_editing(rules));
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT r.discount FROM price_rule r"
						   " JOIN price_list l ON l.id = r.price_list_id"
						   " WHERE l.code = 'SYNDIC'"),
			 1000);
	assert_string_equal(rule_cell(rules, 0, CPT_PRICE_RULE_ARTICLE),
			    "BRULEUR-40 — Brûleur fioul 40 kW");
	assert_string_equal(rule_cell(rules, 0, CPT_PRICE_RULE_MIN_QUANTITY), "0");
	assert_string_equal(rule_cell(rules, 0, CPT_PRICE_RULE_PRICE), "remise de 10\u202f%");
	assert_string_equal(rule_cell(rules, 0, CPT_PRICE_RULE_FROM), "");
	screenshot(GTK_WIDGET(win), "16b-price-list-rule");

	/* Dupont's own price for the burner, from 1 January to the end of next year. */
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	int year = g_date_time_get_year(now);
	g_autofree char *from = g_strdup_printf("01/01/%d", year);
	g_autofree char *to = g_strdup_printf("31/12/%d", year + 1);
	g_autofree char *last_year = g_strdup_printf("15/06/%d", year - 1);
	cpt_pricing_page_show_tab(pricing, "clients");
	cpt_pricing_page_choose_party(pricing, "clients", "dupont");
	CptPriceRules *own = cpt_pricing_page_get_rules(pricing, "clients");
	assert_true(wait_for(rules_owned, own, 10000));
	assert_int_equal(cpt_price_rules_get_owner(own),
			 cpt_testenv_sql_int(&env, "SELECT id FROM party WHERE code = 'DUPONT'"));
	assert_string_equal(check_label("client.name"), "Chauffage Dupont");
	RulesWait dupont_one = {own, 1}, dupont_two = {own, 2};
	assert_true(wait_for(rules_shown, &dupont_one, 10000)); /* the kit's, from scenario 12 */
	long long rules_before = cpt_testenv_sql_int(&env, "SELECT count(*) FROM price_rule");
	cpt_price_rules_add(own);
	GtkWidget *price = rule_field(own, "rule.unit_price");
	set_text(rule_field(own, "rule.article_code"), "BRULEUR-40");
	set_text(rule_field(own, "rule.valid_from"), from);
	set_text(rule_field(own, "rule.valid_to"), to);
	/* What does not parse never leaves the workstation. */
	set_text(price, "380,12345");
	cpt_price_rules_save(own);
	assert_true(gtk_widget_has_css_class(price, "error"));
	assert_non_null(strstr(cpt_price_rules_get_message(own), "Prix invalide"));
	assert_true(gtk_widget_get_sensitive(rule_field(own, "save"))); /* nothing in flight */
	set_text(rule_field(own, "rule.valid_to"), "31/02/2027");
	set_text(price, "380,5");
	cpt_price_rules_save(own);
	assert_true(gtk_widget_has_css_class(rule_field(own, "rule.valid_to"), "error"));
	assert_true(gtk_widget_get_sensitive(rule_field(own, "save")));
	set_text(rule_field(own, "rule.valid_to"), to);
	/* A negative price parses: the server refuses it on its field. */
	set_text(price, "-5");
	cpt_price_rules_save(own);
	assert_false(gtk_widget_has_css_class(price, "error"));
	assert_true(wait_for(rules_idle, own, 10000));
	assert_true(gtk_widget_has_css_class(price, "error"));
	assert_non_null(strstr(cpt_price_rules_get_message(own), "Prix HT : "));
	assert_non_null(strstr(cpt_price_rules_get_message(own), "négative"));
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM price_rule"),
			 rules_before);
	assert_true(cpt_price_rules_is_editing(own));
	screenshot(GTK_WIDGET(win), "16c-negative-client-price-refused");
	set_text(price, "380,5");
	cpt_price_rules_save(own);
	assert_true(wait_for(rules_shown, &dupont_two, 10000));
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM price_rule"),
			 rules_before + 1);
	g_autofree char *from_iso = g_strdup_printf("%d-01-01", year);
	g_autofree char *sql = g_strdup_printf(
	    "SELECT r.unit_price FROM price_rule r JOIN party p ON p.id = r.party_id"
	    " JOIN article a ON a.id = r.article_id WHERE p.code = 'DUPONT'"
	    " AND a.code = 'BRULEUR-40' AND r.valid_from = '%s'"
	    " AND r.valid_to = '%d-12-31'",
	    from_iso, year + 1);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 3805000);
	/* Sorted by article code: the burner before the kit. */
	assert_string_equal(rule_cell(own, 0, CPT_PRICE_RULE_PRICE), "380,50\u00a0€");
	assert_string_equal(rule_cell(own, 0, CPT_PRICE_RULE_FROM), from);
	assert_string_equal(rule_cell(own, 0, CPT_PRICE_RULE_TO), to);

	/* Dupont and Lumière in the SYNDIC category: the client file has no field for it yet. */
	assert_int_equal(
	    cpt_testenv_sql_int(&env, "WITH u AS (UPDATE party SET price_list_id = (SELECT id FROM"
				      " price_list WHERE code = 'SYNDIC') WHERE code IN ('DUPONT',"
				      " 'LUMIERE') RETURNING 1) SELECT count(*) FROM u"),
	    2);

	/* Dupont pays its own price today; Lumière its list's; nobody the sale price. */
	check_price("dupont", "bruleur-40", "1", NULL);
	assert_string_equal(check_label("check.price"), "380,50\u00a0€ HT");
	assert_string_equal(check_label("check.source"), "prix client");
	g_autofree char *validity = g_strdup_printf(
	    "prix fixe, quelle que soit la quantité, valable du %s au %s", from, to);
	assert_string_equal(check_label("check.rule"), validity);
	screenshot(GTK_WIDGET(win), "16d-checker-client-price");
	check_price("lumiere", "bruleur-40", "2", NULL);
	assert_string_equal(check_label("check.price"), "405,00\u00a0€ HT");
	assert_string_equal(check_label("check.source"), "tarif SYNDIC");
	assert_string_equal(check_label("check.rule"),
			    "remise de 10\u202f% sur le prix de vente de 450,00\u00a0€, quelle que "
			    "soit la quantité, valable toujours");
	screenshot(GTK_WIDGET(win), "16e-checker-price-list");
	/* Before Dupont's price started, its category's applies. */
	check_price("dupont", NULL, NULL, last_year);
	assert_string_equal(check_label("check.source"), "tarif SYNDIC");
	check_price("", NULL, NULL, "");
	assert_string_equal(check_label("check.price"), "450,00\u00a0€ HT");
	assert_string_equal(check_label("check.source"), "prix de vente de l'article");
	/* A quantity that does not parse, an unknown client: on their fields. */
	check_price("dupont", NULL, "1,2345", NULL);
	assert_true(gtk_widget_has_css_class(cpt_pricing_page_get_widget(pricing, "check.quantity"),
					     "error"));
	assert_string_equal(check_label("check.price"), "");
	check_price("personne", NULL, "1", NULL);
	assert_true(gtk_widget_has_css_class(cpt_pricing_page_get_widget(pricing, "check.client"),
					     "error"));
	assert_string_equal(check_label("check.message"), "Aucun client n'a ce code.");

	/* Dupont's price deleted, asked first: the list's price is back. */
	cpt_price_rules_select(own, 0);
	GtkWindow *ask = cpt_price_rules_ask_delete(own);
	assert_non_null(ask);
	click(named(GTK_WIDGET(ask), "confirm.accept"));
	assert_true(wait_for(rules_shown, &dupont_one, 10000));
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM price_rule"),
			 rules_before);
	check_price("dupont", "bruleur-40", "1", "");
	assert_string_equal(check_label("check.price"), "405,00\u00a0€ HT");
	assert_string_equal(check_label("check.source"), "tarif SYNDIC");
	cpt_pricing_page_show_tab(pricing, "lists");
}

static void a_supplier_price_is_added_then_changed_in_the_tarifs_module(void **state)
{
	cpt_client *other = cpt_testenv_login(&env, "alice", "un nouveau secret", 0, NULL, NULL);
	assert_non_null(other);
	Comptoir__Parties__Party s = COMPTOIR__PARTIES__PARTY__INIT;
	s.kind = "supplier";
	s.code = "GROSSISTE";
	s.name = "Grossiste Chauffage";
	Comptoir__Parties__PartyRequest sreq = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	sreq.party = &s;
	rpc(other, "comptoir.parties.Suppliers/Create", &sreq.base,
	    &comptoir__parties__party_reply__descriptor, NULL);
	cpt_client_close(other);

	pricing = pricing_page();
	cpt_pricing_page_show_tab(pricing, "suppliers");
	cpt_pricing_page_choose_party(pricing, "suppliers", "grossiste");
	CptPriceRules *prices = cpt_pricing_page_get_rules(pricing, "suppliers");
	RulesWait none = {prices, 0}, one = {prices, 1};
	assert_true(wait_for(rules_owned, prices, 10000));
	assert_true(wait_for(rules_shown, &none, 10000));
	cpt_price_rules_add(prices);
	set_text(rule_field(prices, "price.article_code"), "bruleur-40");
	set_text(rule_field(prices, "price.supplier_ref"), "BR40-FR");
	set_text(rule_field(prices, "price.min_quantity"), "5");
	set_text(rule_field(prices, "price.unit_price"), "290");
	cpt_price_rules_save(prices);
	assert_true(wait_for(rules_shown, &one, 10000));
	assert_string_equal(rule_cell(prices, 0, CPT_PRICE_RULE_REF), "BR40-FR");
	assert_string_equal(rule_cell(prices, 0, CPT_PRICE_RULE_MIN_QUANTITY), "5");
	assert_string_equal(rule_cell(prices, 0, CPT_PRICE_RULE_PRICE), "290,00\u00a0€");
	/* An unknown article is refused on its field. */
	cpt_price_rules_add(prices);
	set_text(rule_field(prices, "price.article_code"), "NULLE-PART");
	set_text(rule_field(prices, "price.unit_price"), "1");
	cpt_price_rules_save(prices);
	assert_true(wait_for(rules_idle, prices, 10000));
	assert_true(gtk_widget_has_css_class(rule_field(prices, "price.article_code"), "error"));
	assert_string_equal(cpt_price_rules_get_message(prices),
			    "Article : aucun article n'a ce code.");
	/* Changed: the same record, a new price. */
	cpt_price_rules_select(prices, 0);
	cpt_price_rules_edit_selected(prices);
	assert_string_equal(
	    gtk_editable_get_text(GTK_EDITABLE(rule_field(prices, "price.unit_price"))), "290,00");
	set_text(rule_field(prices, "price.unit_price"), "285,9");
	cpt_price_rules_save(prices);
	assert_true(wait_for(rules_shown, &one, 10000));
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT s.unit_price FROM supplier_price s"
						   " JOIN party p ON p.id = s.supplier_id"
						   " WHERE p.code = 'GROSSISTE'"
						   " AND s.supplier_ref = 'BR40-FR'"
						   " AND s.min_quantity = 5000"),
			 2859000);
	screenshot(GTK_WIDGET(cpt_app_get_window(app)), "16f-supplier-prices");
	cpt_pricing_page_show_tab(pricing, "lists");
}

/* ---------------------------------------------------------------------------
 * 14. A list exports what it shows, to CSV and to Excel, every page of it
 */

static uint32_t le32(const guint8 *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const guint8 *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t crc32_bitwise(const guint8 *p, size_t len)
{
	uint32_t crc = 0xFFFFFFFFu;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++) {
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
		}
	}
	return ~crc;
}

/*
 * The entry name of a ZIP file, read as tests/unit/test_xlsx.c does: end
 * record, central directory, local header, stored data and its CRC checked.
 * Caller g_free()s.
 */
static char *zip_entry(const char *path, const char *name)
{
	g_autofree char *z = NULL;
	gsize size = 0;
	assert_true(g_file_get_contents(path, &z, &size, NULL));
	assert_true(size >= 22);
	const guint8 *base = (const guint8 *)z, *end = base + size - 22;
	assert_int_equal(le32(end), 0x06054b50u);
	const guint8 *c = base + le32(end + 16);
	for (guint i = 0; i < le16(end + 10); i++) {
		assert_true(c + 46 <= end);
		assert_int_equal(le32(c), 0x02014b50u);
		uint16_t name_len = le16(c + 28);
		if (name_len == strlen(name) && memcmp(c + 46, name, name_len) == 0) {
			assert_int_equal(le16(c + 10), 0); /* stored */
			assert_int_equal(le32(c + 20), le32(c + 24));
			const guint8 *l = base + le32(c + 42);
			assert_int_equal(le32(l), 0x04034b50u);
			const guint8 *data = l + 30 + le16(l + 26) + le16(l + 28);
			uint32_t len = le32(c + 24);
			assert_true(data + len <= end);
			assert_int_equal(crc32_bitwise(data, len), le32(c + 16));
			return g_strndup((const char *)data, len);
		}
		c += 46 + name_len + le16(c + 30) + le16(c + 32);
	}
	fail_msg("no %s in %s", name, path);
	return NULL;
}

static guint count_of(const char *text, const char *part)
{
	guint n = 0;
	for (const char *p = strstr(text, part); p; p = strstr(p + 1, part)) {
		n++;
	}
	return n;
}

static gboolean export_ended(gpointer view)
{
	return !cpt_list_export_is_running(view);
}

/* Exports the list to out/gui/name, waits for the end, says it went well. */
static char *export_list(CptListView *list, cpt_export_format format, const char *name)
{
	g_autofree char *dir = g_build_filename(cpt_testenv_out(), "gui", NULL);
	g_mkdir_with_parents(dir, 0755);
	char *path = g_build_filename(dir, name, NULL);
	g_unlink(path);
	g_autoptr(GFile) file = g_file_new_for_path(path);
	cpt_list_export_start(list, format, file);
	assert_true(cpt_list_export_is_running(list));
	assert_true(wait_for(export_ended, list, 60000));
	if (!strstr(cpt_list_export_get_message(list), "exportée")) {
		fail_msg("export: %s", cpt_list_export_get_message(list));
	}
	return path;
}

static GtkColumnViewColumn *column_titled(CptListView *list, const char *title, guint *pos)
{
	GListModel *cols = gtk_column_view_get_columns(cpt_list_view_get_column_view(list));
	for (guint i = 0; i < g_list_model_get_n_items(cols); i++) {
		g_autoptr(GtkColumnViewColumn) col = g_list_model_get_item(cols, i);
		if (g_str_equal(gtk_column_view_column_get_title(col), title)) {
			*pos = i;
			return col; /* the view keeps it */
		}
	}
	fail_msg("no column %s", title);
	return NULL;
}

static gboolean model_searches_brehat(gpointer list)
{
	CptPageQuery q;
	cpt_paged_model_get_query(cpt_list_view_get_model(list), &q);
	return g_strcmp0(q.search, "brehat") == 0;
}

static void lists_export_what_they_show_to_csv_and_excel(void **state)
{
	PGconn *c = cpt_testenv_sql(&env);
	PGresult *r = PQexec(
	    c,
	    "SELECT set_config('comptoir.company_id', (SELECT min(id) FROM company)::text, false);"
	    "WITH p AS (INSERT INTO party (kind, code, name, dispute) VALUES"
	    " ('client', 'CREPE1', 'Crêperie de Bréhat', false),"
	    " ('prospect', 'CREPE2', 'Crêperie « Ty Bréhat »', false),"
	    " ('client', 'CREPE3', 'Crêperie \"Bréhat\"; fils', true) RETURNING id, code)"
	    " INSERT INTO party_address (party_id, kind, city)"
	    " SELECT id, 'billing', CASE code WHEN 'CREPE1' THEN 'Paimpol' ELSE 'Saint-Brieuc' END"
	    " FROM p WHERE code <> 'CREPE2';"
	    "INSERT INTO party (kind, code, name)"
	    " SELECT 'client', 'EXP' || lpad(i::text, 4, '0'), 'Client exporté ' || i"
	    " FROM generate_series(1, 2500) i");
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);

	CptWindow *win = cpt_app_get_window(app);
	cpt_window_show_module(win, "clients");
	CptPartiesPage *page = CPT_PARTIES_PAGE(cpt_window_get_module(win, "clients"));
	CptListView *list = cpt_parties_page_get_list(page);
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *today = g_date_time_format(now, "%Y-%m-%d");
	g_autofree char *expected_name = g_strdup_printf("clients-et-prospects-%s.csv", today);
	g_autofree char *default_name = cpt_list_export_default_name(list, CPT_EXPORT_CSV);
	assert_string_equal(default_name, expected_name);

	/* The city moved first and the phone hidden, three rows found without accents. */
	GtkColumnView *cv = cpt_list_view_get_column_view(list);
	guint city_pos = 0;
	gtk_column_view_insert_column(cv, 0, column_titled(list, "Ville", &city_pos));
	cpt_list_view_set_column_visible(list, "phone", FALSE);
	gtk_editable_set_text(cpt_list_view_get_search(list), "brehat");
	/* The search reaches the model after a pause in typing: wait for it first. */
	assert_true(wait_for(model_searches_brehat, list, 10000));
	ListWait three = {list, 3};
	assert_true(wait_for(rows_shown, &three, 10000));

	g_autofree char *csv_path = export_list(list, CPT_EXPORT_CSV, "export-clients.csv");
	g_autofree char *csv = NULL;
	assert_true(g_file_get_contents(csv_path, &csv, NULL, NULL));
	/* The rows in the list's order, as it shows them. */
	GString *expected =
	    g_string_new("\xEF\xBB\xBF"
			 "Ville;Code;Raison sociale;Genre;Litige;Secteur;Commercial\r\n");
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(list));
	for (guint i = 0; i < 3; i++) {
		g_autoptr(CptRow) row = g_list_model_get_item(m, i);
		const char *code = cpt_row_cell(row, CPT_PARTY_CODE);
		g_string_append(expected, g_str_equal(code, "CREPE1")
					      ? "Paimpol;CREPE1;Crêperie de Bréhat;client;;;\r\n"
					  : g_str_equal(code, "CREPE2")
					      ? ";CREPE2;Crêperie « Ty Bréhat »;prospect;;;\r\n"
					      : "Saint-Brieuc;CREPE3;\"Crêperie \"\"Bréhat\"\"; "
						"fils\";client;litige;;\r\n");
	}
	assert_string_equal(csv, expected->str);
	g_string_free(expected, TRUE);
	assert_non_null(strstr(cpt_list_export_get_message(list), "3 lignes exportées"));
	screenshot(GTK_WIDGET(win), "14a-clients-exported");

	g_autofree char *xlsx_path = export_list(list, CPT_EXPORT_XLSX, "export-clients.xlsx");
	g_autofree char *sheet = zip_entry(xlsx_path, "xl/worksheets/sheet1.xml");
	assert_int_equal(count_of(sheet, "<row "), 4);
	assert_non_null(strstr(sheet, ">Ville</t>"));
	assert_null(strstr(sheet, ">Téléphone</t>"));
	assert_non_null(strstr(sheet, ">Crêperie &quot;Bréhat&quot;; fils</t>"));
	assert_non_null(strstr(sheet, ">Crêperie « Ty Bréhat »</t>"));
	g_autofree char *workbook = zip_entry(xlsx_path, "xl/workbook.xml");
	assert_non_null(strstr(workbook, "<sheet name=\"Clients et prospects\""));
	g_autofree char *unzip = g_find_program_in_path("unzip");
	if (unzip) {
		const char *argv[] = {unzip, "-tqq", xlsx_path, NULL};
		int status = -1;
		assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
					 NULL, NULL, NULL, NULL, &status, NULL));
		assert_true(g_spawn_check_wait_status(status, NULL));
	}

	/* Cancelled: nothing is written. */
	g_autofree char *dir = g_build_filename(cpt_testenv_out(), "gui", NULL);
	g_autofree char *cancelled = g_build_filename(dir, "export-cancelled.csv", NULL);
	g_autoptr(GFile) cf = g_file_new_for_path(cancelled);
	cpt_list_export_start(list, CPT_EXPORT_CSV, cf);
	cpt_list_export_cancel(list);
	assert_false(cpt_list_export_is_running(list));
	assert_string_equal(cpt_list_export_get_message(list), "Export annulé.");
	settle(500);
	assert_false(g_file_test(cancelled, G_FILE_TEST_EXISTS));

	/* Every client, far more than one page: each one once, in the list's order. */
	guint moved_pos = 0;
	gtk_column_view_insert_column(cv, city_pos, column_titled(list, "Ville", &moved_pos));
	cpt_list_view_set_column_visible(list, "phone", TRUE);
	gtk_editable_set_text(cpt_list_view_get_search(list), "");
	settle(300);
	assert_true(wait_for(list_idle, list, 10000));
	guint all = (guint)cpt_testenv_sql_int(&env, "SELECT count(*) FROM party");
	assert_true(all > 2 * CPT_LIST_EXPORT_PAGE);
	g_autofree char *all_path = export_list(list, CPT_EXPORT_CSV, "export-all-clients.csv");
	g_autofree char *all_csv = NULL;
	assert_true(g_file_get_contents(all_path, &all_csv, NULL, NULL));
	assert_int_equal(count_of(all_csv, "\r\n"), all + 1);
	g_auto(GStrv) lines = g_strsplit(all_csv, "\r\n", -1);
	g_autoptr(GHashTable) codes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 1; i <= all; i++) {
		char *semi = strchr(lines[i], ';');
		assert_non_null(semi);
		g_hash_table_add(codes, g_strndup(lines[i], (gsize)(semi - lines[i])));
	}
	assert_int_equal(g_hash_table_size(codes), all);
	assert_true(g_hash_table_contains(codes, "EXP0001"));
	assert_true(g_hash_table_contains(codes, "EXP2500"));
	GListModel *m_all = G_LIST_MODEL(cpt_list_view_get_model(list));
	for (guint i = 0; i < CPT_PAGED_BLOCK; i++) {
		RowWait w = {list, i};
		g_autoptr(CptRow) asked = g_list_model_get_item(m_all, i);
		assert_true(wait_for(row_loaded, &w, 5000));
		g_autoptr(CptRow) row = g_list_model_get_item(m_all, i);
		assert_true(g_str_has_prefix(lines[i + 1], cpt_row_cell(row, CPT_PARTY_CODE)));
	}
	g_autofree char *all_xlsx = export_list(list, CPT_EXPORT_XLSX, "export-all-clients.xlsx");
	g_autofree char *all_sheet = zip_entry(all_xlsx, "xl/worksheets/sheet1.xml");
	assert_int_equal(count_of(all_sheet, "<row "), all + 1);
	screenshot(GTK_WIDGET(win), "14b-every-client-exported");

	/* In Excel, the equipment's dates are dates. */
	cpt_window_show_module(win, "equipment");
	CptListView *equipment = cpt_equipment_page_get_list(
	    CPT_EQUIPMENT_PAGE(cpt_window_get_module(win, "equipment")));
	ListWait both = {equipment, 2};
	assert_true(wait_for(rows_shown, &both, 10000));
	g_autofree char *eq_path = export_list(equipment, CPT_EXPORT_XLSX, "export-equipment.xlsx");
	g_autofree char *eq_sheet = zip_entry(eq_path, "xl/worksheets/sheet1.xml");
	assert_int_equal(count_of(eq_sheet, "<row "), 3);
	assert_non_null(strstr(eq_sheet, " s=\"2\"><v>44210</v></c>")); /* 14/01/2021 */
	assert_non_null(strstr(eq_sheet, " s=\"2\"><v>45672</v></c>")); /* 15/01/2025 */
	assert_non_null(strstr(eq_sheet, ">VI-GUI-1</t>"));
	g_autofree char *eq_name = cpt_list_export_default_name(equipment, CPT_EXPORT_XLSX);
	g_autofree char *eq_expected = g_strdup_printf("equipements-%s.xlsx", today);
	assert_string_equal(eq_name, eq_expected);
	cpt_window_show_module(win, "clients");
}

/* ---------------------------------------------------------------------------
 * 15. Imports from CSV: the dry run's report, then the valid rows; a
 * malformed file refused whole; a supplier's price list created then updated
 */

static gboolean import_reported(gpointer dialog)
{
	return !cpt_import_dialog_is_busy(dialog) && cpt_import_dialog_has_report(dialog);
}

static gboolean import_idle(gpointer dialog)
{
	return !cpt_import_dialog_is_busy(dialog);
}

static gboolean import_written(gpointer dialog)
{
	CptImportCounts n;
	cpt_import_dialog_get_counts(dialog, &n);
	return !cpt_import_dialog_is_busy(dialog) && n.written;
}

/* The text of the first label under root that contains part, or NULL. */
static const char *label_with(GtkWidget *root, const char *part)
{
	if (GTK_IS_LABEL(root) && strstr(gtk_label_get_text(GTK_LABEL(root)), part)) {
		return gtk_label_get_text(GTK_LABEL(root));
	}
	for (GtkWidget *c = gtk_widget_get_first_child(root); c;
	     c = gtk_widget_get_next_sibling(c)) {
		const char *found = label_with(c, part);
		if (found) {
			return found;
		}
	}
	return NULL;
}

/* Writes text to out/gui/name; returns the file. */
static GFile *csv_file(const char *name, const char *text)
{
	g_autofree char *dir = g_build_filename(cpt_testenv_out(), "gui", NULL);
	g_mkdir_with_parents(dir, 0755);
	g_autofree char *path = g_build_filename(dir, name, NULL);
	assert_true(g_file_set_contents(path, text, -1, NULL));
	return g_file_new_for_path(path);
}

static void expect_message(CptImportDialog *dialog, const char *part)
{
	if (!strstr(cpt_import_dialog_get_message(dialog), part)) {
		fail_msg("import message '%s' lacks '%s'", cpt_import_dialog_get_message(dialog),
			 part);
	}
}

static void clients_are_imported_from_csv_after_a_dry_run(void **state)
{
	CptWindow *win = cpt_app_get_window(app);
	cpt_window_show_module(win, "clients");
	CptPartiesPage *page = CPT_PARTIES_PAGE(cpt_window_get_module(win, "clients"));
	assert_non_null(named(GTK_WIDGET(page), "list.import"));
	CptListView *list = cpt_parties_page_get_list(page);
	gtk_editable_set_text(cpt_list_view_get_search(list), "imp0");
	assert_true(wait_for(no_row_listed, list, 10000));

	/* Three good rows; a SIREN with a wrong check digit; a code twice. */
	g_autoptr(GFile) file =
	    csv_file("import-clients.csv", "\xEF\xBB\xBF"
					   "Code;Raison sociale;SIREN;Ville;Couleur\r\n"
					   "IMP01;Imprimerie du Centre;;Lyon;bleu\r\n"
					   "IMP02;Import Export Rhône;;Villeurbanne;\r\n"
					   "IMP03;Impasse des Lilas;;Bron;vert\r\n"
					   "IMP04;Siren faux;732829321;Lyon;\r\n"
					   "IMP01;Doublon;;;\r\n");
	CptImportDialog *dialog = cpt_import_dialog_new(GTK_WIDGET(win), cpt_app_get_conn(app),
							CPT_IMPORT_CLIENTS, 0, NULL);
	GtkWidget *root = GTK_WIDGET(dialog);
	assert_non_null(
	    strstr(gtk_label_get_text(GTK_LABEL(named(root, "import.help"))), "Raison sociale"));
	assert_true(cpt_import_dialog_load_file(dialog, file));
	assert_true(cpt_import_dialog_is_busy(dialog));
	assert_false(gtk_widget_get_sensitive(named(root, "import.choose")));
	assert_true(wait_for(import_reported, dialog, 10000));

	CptImportCounts n;
	cpt_import_dialog_get_counts(dialog, &n);
	assert_int_equal(n.rows, 5);
	assert_int_equal(n.valid, 3);
	assert_int_equal(n.rejected, 2);
	assert_false(n.written);
	assert_string_equal(gtk_label_get_text(GTK_LABEL(named(root, "import.rejected_count"))),
			    "2");
	assert_int_equal(cpt_import_dialog_get_n_rejected_rows(dialog), 2);
	assert_string_equal(
	    cpt_import_dialog_get_rejected_cell(dialog, 0, CPT_IMPORT_REJECTED_LINE), "5");
	assert_string_equal(
	    cpt_import_dialog_get_rejected_cell(dialog, 0, CPT_IMPORT_REJECTED_COLUMN), "SIREN");
	assert_non_null(strstr(
	    cpt_import_dialog_get_rejected_cell(dialog, 0, CPT_IMPORT_REJECTED_REASON), "SIREN"));
	assert_string_equal(
	    cpt_import_dialog_get_rejected_cell(dialog, 1, CPT_IMPORT_REJECTED_LINE), "6");
	assert_string_equal(
	    cpt_import_dialog_get_rejected_cell(dialog, 1, CPT_IMPORT_REJECTED_COLUMN), "Code");
	assert_non_null(strstr(
	    cpt_import_dialog_get_rejected_cell(dialog, 1, CPT_IMPORT_REJECTED_REASON), "IMP01"));
	assert_non_null(
	    strstr(gtk_label_get_text(GTK_LABEL(named(root, "import.ignored"))), "« Couleur »"));
	expect_message(dialog, "Rien n'a encore été importé");
	/* A row is rejected: everything at once is not offered, the valid rows are. */
	assert_false(gtk_widget_get_sensitive(named(root, "import.all")));
	assert_false(cpt_import_dialog_can_import(dialog, COMPTOIR__IMPORTS__MODE__ALL_OR_NOTHING));
	assert_null(cpt_import_dialog_ask_import(dialog, COMPTOIR__IMPORTS__MODE__ALL_OR_NOTHING));
	assert_true(gtk_widget_get_sensitive(named(root, "import.valid")));
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party"
						   " WHERE code LIKE 'IMP0%'"),
			 0);
	screenshot(root, "15a-import-report");

	/* Asked first, with the number of rows written and skipped. */
	GtkWindow *ask = cpt_import_dialog_ask_import(dialog, COMPTOIR__IMPORTS__MODE__VALID_ONLY);
	assert_non_null(ask);
	assert_non_null(label_with(GTK_WIDGET(ask), "3 clients seront créés."));
	assert_non_null(label_with(GTK_WIDGET(ask), "2 lignes rejetées seront ignorées."));
	screenshot(GTK_WIDGET(ask), "15b-import-confirmation");
	click(named(GTK_WIDGET(ask), "confirm.accept"));
	assert_true(wait_for(import_written, dialog, 10000));
	cpt_import_dialog_get_counts(dialog, &n);
	assert_int_equal(n.created, 3);
	expect_message(dialog, "3 clients créés.");
	expect_message(dialog, "2 lignes rejetées n'ont pas été importées.");
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party WHERE code IN"
						   " ('IMP01', 'IMP02', 'IMP03')"
						   " AND kind = 'client'"),
			 3);
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party"
						   " WHERE code LIKE 'IMP0%'"),
			 3);
	/* Done with this file: nothing more to import from it. */
	assert_false(gtk_widget_get_sensitive(named(root, "import.all")));
	assert_false(gtk_widget_get_sensitive(named(root, "import.valid")));
	screenshot(root, "15c-import-done");
	/* The list, left alone, shows them: it follows the server's events. */
	ListWait three = {list, 3};
	assert_true(wait_for(rows_shown, &three, 10000));
	screenshot(GTK_WIDGET(win), "15d-imported-clients-listed");
	gtk_window_destroy(GTK_WINDOW(dialog));

	/* A quote left open: the file is refused whole, its line said, nothing written. */
	g_autoptr(GFile) bad = csv_file("import-malformed.csv", "Code;Raison sociale\r\n"
								"MAL01;\"Guillemet ouvert\r\n"
								"MAL02;Autre\r\n");
	dialog = cpt_import_dialog_new(GTK_WIDGET(win), cpt_app_get_conn(app), CPT_IMPORT_CLIENTS,
				       0, NULL);
	root = GTK_WIDGET(dialog);
	assert_true(cpt_import_dialog_load_file(dialog, bad));
	assert_true(wait_for(import_idle, dialog, 10000));
	assert_false(cpt_import_dialog_has_report(dialog));
	assert_true(g_str_has_prefix(cpt_import_dialog_get_message(dialog), "ligne 2 : "));
	expect_message(dialog, "guillemets non fermés");
	assert_true(gtk_widget_has_css_class(named(root, "import.message"), "error"));
	assert_false(gtk_widget_is_visible(named(root, "import.rows"))); /* no report */
	assert_false(gtk_widget_get_sensitive(named(root, "import.all")));
	assert_false(gtk_widget_get_sensitive(named(root, "import.valid")));
	assert_true(gtk_widget_get_sensitive(named(root, "import.choose")));
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party"
						   " WHERE code LIKE 'MAL%'"),
			 0);
	screenshot(root, "15e-import-malformed-file");

	/* Beyond what one frame carries: refused before being read (a sparse file). */
	g_autofree char *big =
	    g_build_filename(cpt_testenv_out(), "gui", "import-too-large.csv", NULL);
	FILE *f = fopen(big, "w");
	assert_non_null(f);
	assert_int_equal(fseek(f, CPT_IMPORT_MAX_SIZE, SEEK_SET), 0);
	fputc('\n', f);
	fclose(f);
	g_autoptr(GFile) large = g_file_new_for_path(big);
	assert_true(cpt_import_dialog_load_file(dialog, large));
	assert_true(wait_for(import_idle, dialog, 10000));
	expect_message(dialog, "« import-too-large.csv » est trop volumineux");
	assert_false(cpt_import_dialog_has_report(dialog));
	g_unlink(big);
	gtk_window_destroy(GTK_WINDOW(dialog));
	gtk_editable_set_text(cpt_list_view_get_search(list), "");
}

static void a_supplier_price_list_is_imported_then_updated(void **state)
{
	cpt_client *other = cpt_testenv_login(&env, "alice", "un nouveau secret", 0, NULL, NULL);
	assert_non_null(other);
	Comptoir__Parties__Party sp = COMPTOIR__PARTIES__PARTY__INIT;
	sp.kind = "supplier";
	sp.code = "GROSIMP";
	sp.name = "Grossiste Import";
	Comptoir__Parties__PartyRequest sreq = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	sreq.party = &sp;
	int64_t supplier = 0;
	rpc(other, "comptoir.parties.Suppliers/Create", &sreq.base,
	    &comptoir__parties__party_reply__descriptor, &supplier);
	cpt_client_close(other);

	/* The supplier's file offers the import once loaded. */
	CptWindow *win = cpt_app_get_window(app);
	cpt_window_show_module(win, "suppliers");
	CptPartiesPage *suppliers = CPT_PARTIES_PAGE(cpt_window_get_module(win, "suppliers"));
	party_form = cpt_parties_page_open(suppliers, supplier);
	assert_true(wait_for(form_saved, NULL, 10000));
	GtkWidget *offer = named(GTK_WIDGET(party_form), "supplier.import_prices");
	assert_non_null(offer);
	assert_true(gtk_widget_get_sensitive(offer));
	gtk_window_destroy(party_form);

	const char *prices[] = {"Article;Prix;Quantité minimale;Référence fournisseur\n"
				"bruleur-40;298,00;;GI-40\n"
				"BRULEUR-40;289,50;10;GI-40\n",
				"Article;Prix;Quantité minimale;Référence fournisseur\n"
				"BRULEUR-40;301,00;;GI-40\n"
				"BRULEUR-40;292,00;10;GI-40\n"};
	const char *outcomes[] = {"Tarif importé : 2 prix créés.",
				  "Tarif importé : 2 prix mis à jour."};
	for (int i = 0; i < 2; i++) {
		g_autofree char *name = g_strdup_printf("import-prices-%d.csv", i + 1);
		g_autoptr(GFile) file = csv_file(name, prices[i]);
		CptImportDialog *dialog =
		    cpt_import_dialog_new(GTK_WIDGET(win), cpt_app_get_conn(app),
					  CPT_IMPORT_SUPPLIER_PRICES, supplier, "Grossiste Import");
		assert_string_equal(gtk_window_get_title(GTK_WINDOW(dialog)),
				    "Importer le tarif de Grossiste Import");
		assert_true(cpt_import_dialog_load_file(dialog, file));
		assert_true(wait_for(import_reported, dialog, 10000));
		CptImportCounts n;
		cpt_import_dialog_get_counts(dialog, &n);
		assert_int_equal(n.valid, 2);
		assert_int_equal(n.rejected, 0);
		assert_false(
		    cpt_import_dialog_can_import(dialog, COMPTOIR__IMPORTS__MODE__VALID_ONLY));
		GtkWindow *ask =
		    cpt_import_dialog_ask_import(dialog, COMPTOIR__IMPORTS__MODE__ALL_OR_NOTHING);
		assert_non_null(ask);
		assert_non_null(label_with(GTK_WIDGET(ask), "2 prix seront créés ou mis à jour"
							    " dans le tarif de Grossiste Import."));
		click(named(GTK_WIDGET(ask), "confirm.accept"));
		assert_true(wait_for(import_written, dialog, 10000));
		expect_message(dialog, outcomes[i]);
		if (i == 1) {
			screenshot(GTK_WIDGET(dialog), "15f-supplier-prices-updated");
		}
		gtk_window_destroy(GTK_WINDOW(dialog));
	}
	g_autofree char *sql = g_strdup_printf("SELECT sum(unit_price) FROM supplier_price"
					       " WHERE supplier_id = %lld",
					       (long long)supplier);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 3010000 + 2920000);
}

/* ---------------------------------------------------------------------------
 * 12. The company settings: a wrong IBAN refused on its field, then the
 * IBAN fixed, a colour and a logo chosen, the late-penalty mention
 * previewed, saved and found in the table
 */

static CptCompanyPage *company_page(void)
{
	CptAdminPage *admin = admin_page();
	cpt_admin_page_show(admin, "company");
	return cpt_admin_page_get_company(admin);
}

static gboolean company_idle(gpointer page)
{
	return cpt_company_page_is_loaded(page) && !cpt_company_page_is_busy(page);
}

static gboolean company_message_has(gpointer text)
{
	return strstr(cpt_company_page_get_message(company_page()), text) != NULL;
}

/* Writes a 120 x 40 PNG, a blue band on white, and returns its path. */
static char *write_test_logo(void)
{
	const int w = 120, h = 40;
	g_autofree guchar *pixels = g_malloc((gsize)w * h * 3);
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			guchar *p = pixels + ((gsize)y * w + x) * 3;
			gboolean band = y > 12 && y < 28;
			p[0] = band ? 0x1F : 0xFF;
			p[1] = band ? 0x6F : 0xFF;
			p[2] = band ? 0xB2 : 0xFF;
		}
	}
	g_autoptr(GBytes) bytes = g_bytes_new(pixels, (gsize)w * h * 3);
	g_autoptr(GdkTexture) tex =
	    gdk_memory_texture_new(w, h, GDK_MEMORY_R8G8B8, bytes, (gsize)w * 3);
	char *path = g_build_filename(env.dir, "logo-thermo.png", NULL);
	assert_true(gdk_texture_save_to_png(tex, path));
	return path;
}

static void company_settings_refuse_a_wrong_iban_then_save_colour_and_logo(void **state)
{
	CptCompanyPage *page = company_page();
	cpt_company_page_reload(page);
	assert_true(wait_for(company_idle, page, 10000));
	GtkWidget *root = GTK_WIDGET(page);
	GtkWidget *iban = named(root, "company.iban");
	assert_non_null(iban);
	set_text(named(root, "company.name"), "Thermo Services");
	set_text(named(root, "company.siren"), "732 829 320");
	set_text(iban, "FR76 3000 6000 0112 3456 7890 188");
	click(named(root, "company.save"));
	assert_true(wait_for(company_message_has, "IBAN", 10000));
	assert_non_null(strstr(cpt_company_page_get_message(page), "modulo 97"));
	assert_true(gtk_widget_has_css_class(iban, "error"));
	assert_int_equal(cpt_testenv_sql_int(&env,
					     "SELECT count(*) FROM company"
					     " WHERE code = 'DEMO' AND name = 'Thermo Services'"),
			 0);
	screenshot(GTK_WIDGET(cpt_app_get_window(app)), "12a-company-wrong-iban");

	set_text(iban, "FR76 3000 6000 0112 3456 7890 189");
	set_text(named(root, "company.colour"), "#1F6FB2");
	g_autofree char *logo = write_test_logo();
	g_autoptr(GFile) file = g_file_new_for_path(logo);
	cpt_company_page_set_logo_file(page, file);
	assert_true(wait_for(company_idle, page, 10000));
	/* The mention follows the rates as they are typed. */
	set_text(named(root, "company.ecb_rate"), "2,40");
	assert_string_equal(cpt_company_page_get_penalty_preview(page),
			    "Pénalités de retard : 12,40 % l'an (taux de la BCE majoré de 10,00 "
			    "points), exigibles dès le lendemain de l'échéance.");
	set_text(named(root, "company.ecb_rate"), "0");
	set_text(named(root, "company.penalty_margin"), "5");
	assert_non_null(strstr(cpt_company_page_get_penalty_preview(page),
			       "9,48 % l'an (trois fois le taux d'intérêt légal)"));
	set_text(named(root, "company.ecb_rate"), "2,40");
	set_text(named(root, "company.penalty_margin"), "10");
	/* The country's law words it: Belgian interest, no French floor. */
	GtkWidget *country = named(root, "company.country");
	choose(country, "Belgique");
	assert_non_null(
	    strstr(cpt_company_page_get_penalty_preview(page), "Intérêts de retard : 12,50 %"));
	choose(country, "France");
	/* The message documents are sent with. */
	set_text(named(root, "company.mail_subject"), "{titre} {number}");
	click(named(root, "company.save"));
	assert_true(wait_for(company_message_has, "« {titre} » inconnu", 10000));
	set_text(named(root, "company.mail_subject"), "{title} {number} — Thermo Services");
	click(named(root, "company.save"));
	assert_true(wait_for(company_message_has, "Paramètres enregistrés.", 10000));
	assert_false(gtk_widget_has_css_class(iban, "error"));
	/* Read back normalised, shown in groups of four. */
	assert_string_equal(gtk_editable_get_text(GTK_EDITABLE(iban)),
			    "FR76 3000 6000 0112 3456 7890 189");
	GStatBuf sb;
	assert_int_equal(g_stat(logo, &sb), 0);
	g_autofree char *sql = g_strdup_printf(
	    "SELECT count(*) FROM company WHERE code = 'DEMO' AND name = 'Thermo Services'"
	    " AND siren = '732829320' AND iban = 'FR7630006000011234567890189'"
	    " AND colour = %d AND ecb_rate = 240 AND octet_length(logo) = %lld"
	    " AND mail_subject = '{title} {number} — Thermo Services'",
	    0x1F6FB2, (long long)sb.st_size);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 1);
	screenshot(GTK_WIDGET(cpt_app_get_window(app)), "12b-company-settings-saved");
	/* Scrolled down to the payment terms and their printed mention. */
	GtkWidget *scroll = gtk_widget_get_first_child(root);
	assert_true(GTK_IS_SCROLLED_WINDOW(scroll));
	GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment(GTK_SCROLLED_WINDOW(scroll));
	gtk_adjustment_set_value(adj, gtk_adjustment_get_upper(adj));
	screenshot(GTK_WIDGET(cpt_app_get_window(app)), "12c-company-payment-terms");
	cpt_admin_page_show(admin_page(), "users");
}

/* ---------------------------------------------------------------------------
 * 22. The commercial chain from the keyboard: a quote typed in the editor
 *     (an article by its code, a free line priced "1 234,5"), the server's
 *     totals, validated, converted into an invoice, validated once the
 *     definitive number is accepted; the invoices list and its totals; a
 *     quantity that does not parse, then a negative one, refused on their
 *     cell with nothing written; the client file's history
 */

static gboolean editor_ready(gpointer editor)
{
	return cpt_sales_editor_is_ready(editor);
}

static gboolean editor_saved(gpointer editor)
{
	return cpt_sales_editor_get_id(editor) != 0 && cpt_sales_editor_is_ready(editor);
}

static gboolean editor_validated(gpointer editor)
{
	return g_str_equal(cpt_sales_editor_get_state(editor), "validated") &&
	       cpt_sales_editor_is_ready(editor);
}

static gboolean editor_message_set(gpointer editor)
{
	return *cpt_sales_editor_get_message(editor) && cpt_sales_editor_is_ready(editor);
}

static GtkWidget *editor_widget(GtkWindow *editor, const char *name)
{
	GtkWidget *w = cpt_sales_editor_get_widget(editor, name);
	if (!w) {
		fail_msg("no widget %s in the editor", name);
	}
	return w;
}

static const char *editor_label(GtkWindow *editor, const char *name)
{
	return gtk_label_get_text(GTK_LABEL(editor_widget(editor, name)));
}

static GtkWidget *cell(GtkWindow *editor, guint line, const char *column)
{
	GtkWidget *w = cpt_sales_editor_get_cell(editor, line, column);
	if (!w) {
		fail_msg("no cell %s on line %u", column, line);
	}
	return w;
}

static const char *cell_text(GtkWindow *editor, guint line, const char *column)
{
	GtkWidget *w = cell(editor, line, column);
	return GTK_IS_LABEL(w) ? gtk_label_get_text(GTK_LABEL(w))
			       : gtk_editable_get_text(GTK_EDITABLE(w));
}

/* Types text into the widget holding the keyboard focus, as the keyboard would. */
static void type_in(GtkWindow *editor, const char *text)
{
	GtkWidget *f = gtk_root_get_focus(GTK_ROOT(editor));
	if (!f || !GTK_IS_EDITABLE(f)) {
		fail_msg("the focus is not on a text cell");
	}
	gtk_editable_set_text(GTK_EDITABLE(f), text);
}

static void press(GtkWindow *editor, guint keyval, GdkModifierType mods)
{
	cpt_sales_editor_press(editor, keyval, mods);
	settle(20);
}

static void assert_focus(GtkWindow *editor, guint line, const char *column)
{
	guint at = G_MAXUINT;
	const char *col = "";
	if (!cpt_sales_editor_get_focus_cell(editor, &at, &col) || at != line ||
	    !g_str_equal(col, column)) {
		fail_msg("focus on line %u %s, not line %u %s", at, col, line, column);
	}
}

static gboolean party_is_named(gpointer editor)
{
	return g_str_equal(editor_label(editor, "document.party_name"), "Boulangerie Lefèvre");
}

static gboolean poele_filled(gpointer editor)
{
	return g_str_equal(cell_text(editor, 0, "line.label"), "Poêle à granulés 8 kW");
}

static GtkWindow *made_before; /* the editor's last document made, before the one awaited */

static gboolean made_ready(gpointer editor)
{
	GtkWindow *made = cpt_sales_editor_get_made(editor);
	return made && made != made_before && cpt_sales_editor_get_id(made) != 0 &&
	       cpt_sales_editor_is_ready(made);
}

static gboolean invoice_listed(gpointer page)
{
	CptListView *list = cpt_sales_page_get_list(page);
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(list));
	if (!list_idle(list) || g_list_model_get_n_items(m) != 1 ||
	    !cpt_sales_page_totals_current(page)) {
		return FALSE;
	}
	g_autoptr(CptRow) row = g_list_model_get_item(m, 0);
	return !row->loading && *cpt_row_cell(row, CPT_SALES_NUMBER);
}

/* Presses Down in the VAT cell of line until its choice reads rate ("5,5"). */
static void choose_vat(GtkWindow *editor, guint line, const char *rate)
{
	GtkWidget *vat = cell(editor, line, "line.vat");
	for (int i = 0; i < 12 && !strstr(chosen(vat), rate); i++) {
		press(editor, GDK_KEY_Down, 0);
	}
	assert_non_null(strstr(chosen(vat), rate));
}

static long long sales_rows(void)
{
	return cpt_testenv_sql_int(&env, "SELECT (SELECT count(*) FROM sales_document)"
					 " + (SELECT count(*) FROM sales_line)");
}

static gboolean widget_visible(gpointer w)
{
	return gtk_widget_get_visible(w);
}

static gboolean mail_queued(gpointer editor)
{
	return strstr(cpt_sales_editor_get_message(editor), "compta@client.test") != NULL;
}

static gboolean file_written(gpointer path)
{
	GStatBuf sb;
	return g_stat(path, &sb) == 0 && sb.st_size > 1000;
}

static void a_quote_typed_from_the_keyboard_becomes_a_validated_invoice(void **state)
{
	/* An article created by SQL; the client by another workstation. */
	assert_int_equal(
	    cpt_testenv_sql_int(
		&env, "WITH a AS (INSERT INTO article (company_id, code, kind, label, unit,"
		      " sale_price, vat_rate_id) SELECT c.id, 'POELE-8', 'goods',"
		      " 'Poêle à granulés 8 kW', 'U', 24900000, v.id FROM company c, vat_rate v"
		      " WHERE c.code = 'DEMO' AND v.country = 'FR' AND v.rate = 2000 RETURNING 1)"
		      " SELECT count(*) FROM a"),
	    1);
	cpt_client *other = cpt_testenv_login(&env, "alice", "un nouveau secret", 0, NULL, NULL);
	assert_non_null(other);
	Comptoir__Parties__Party client = COMPTOIR__PARTIES__PARTY__INIT;
	client.kind = "client";
	client.code = "BOULANGERIE";
	client.name = "Boulangerie Lefèvre";
	Comptoir__Parties__PartyRequest preq = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	preq.party = &client;
	int64_t party = 0;
	rpc(other, "comptoir.parties.Parties/Create", &preq.base,
	    &comptoir__parties__party_reply__descriptor, &party);
	cpt_client_close(other);

	CptWindow *win = cpt_app_get_window(app);
	cpt_window_show_module(win, "quotes");
	CptSalesPage *quotes = CPT_SALES_PAGE(cpt_window_get_module(win, "quotes"));
	GtkWindow *quote = cpt_sales_page_open(quotes, 0);
	assert_true(wait_for(editor_ready, quote, 10000));

	/* The client by its code; Tab finds its name. */
	gtk_widget_grab_focus(editor_widget(quote, "document.party_code"));
	type_in(quote, "boulangerie");
	press(quote, GDK_KEY_Tab, 0);
	assert_true(wait_for(party_is_named, quote, 10000));

	/* An article by its code: Tab fills the line and goes on to the quantity. */
	gtk_widget_grab_focus(cell(quote, 0, "line.code"));
	type_in(quote, "poele-8");
	press(quote, GDK_KEY_Tab, 0);
	assert_focus(quote, 0, "line.quantity");
	assert_true(wait_for(poele_filled, quote, 10000));
	assert_string_equal(cell_text(quote, 0, "line.code"), "POELE-8");
	assert_string_equal(cell_text(quote, 0, "line.unit"), "U");
	assert_string_equal(chosen(cell(quote, 0, "line.vat")), "FR 20\u202f%");
	assert_string_equal(cell_text(quote, 0, "line.unit_price"), ""); /* the client's, later */
	type_in(quote, "2");
	for (int i = 0; i < 4; i++) { /* unit, price, discount, VAT */
		press(quote, GDK_KEY_Tab, 0);
	}
	assert_focus(quote, 0, "line.vat");
	/* Entrée on the line's last cell: a new line, at its code. */
	press(quote, GDK_KEY_Return, 0);
	assert_int_equal(cpt_sales_editor_get_n_lines(quote), 2);
	assert_focus(quote, 1, "line.code");
	/* No code: a free line, from its label on. */
	press(quote, GDK_KEY_Tab, 0);
	assert_focus(quote, 1, "line.label");
	type_in(quote, "Pose et mise en service");
	press(quote, GDK_KEY_Tab, 0);
	type_in(quote, "1");
	press(quote, GDK_KEY_Tab, 0);
	type_in(quote, "forfait");
	press(quote, GDK_KEY_Tab, 0);
	assert_focus(quote, 1, "line.unit_price");
	type_in(quote, "1 234,5");
	press(quote, GDK_KEY_Tab, 0);
	press(quote, GDK_KEY_Tab, 0);
	assert_focus(quote, 1, "line.vat");
	choose_vat(quote, 1, "5,5");
	/* Ctrl+Inser adds a line below, Alt+Haut moves it, Ctrl+Suppr removes it. */
	press(quote, GDK_KEY_Insert, GDK_CONTROL_MASK);
	assert_int_equal(cpt_sales_editor_get_n_lines(quote), 3);
	assert_focus(quote, 2, "line.code");
	type_in(quote, "essai");
	press(quote, GDK_KEY_Up, GDK_ALT_MASK);
	assert_focus(quote, 1, "line.code");
	assert_string_equal(cell_text(quote, 2, "line.label"), "Pose et mise en service");
	press(quote, GDK_KEY_Delete, GDK_CONTROL_MASK);
	assert_int_equal(cpt_sales_editor_get_n_lines(quote), 2);
	assert_string_equal(cell_text(quote, 1, "line.label"), "Pose et mise en service");

	/* Saved: the client's price, the totals, the VAT per rate, all from the server. */
	cpt_sales_editor_save(quote);
	assert_true(wait_for(editor_saved, quote, 10000));
	assert_non_null(strstr(cpt_sales_editor_get_message(quote), "Enregistré"));
	assert_string_equal(cell_text(quote, 0, "line.unit_price"), "2\u202f490,00");
	assert_string_equal(cell_text(quote, 0, "line.total"), "4\u202f980,00");
	assert_string_equal(cell_text(quote, 1, "line.total"), "1\u202f234,50");
	/* 4 980 + 1 234,50 HT; VAT 996,00 at 20 % and 67,90 at 5,5 % (67,8975). */
	assert_string_equal(editor_label(quote, "totals.net_total"), "6\u202f214,50\u00a0€");
	assert_string_equal(editor_label(quote, "totals.vat_total"), "1\u202f063,90\u00a0€");
	assert_string_equal(editor_label(quote, "totals.gross_total"), "7\u202f278,40\u00a0€");
	assert_string_equal(editor_label(quote, "vat.rate"), "20\u202f%");
	assert_string_equal(editor_label(quote, "vat.amount"), "996,00\u00a0€");
	assert_non_null(label_with(editor_widget(quote, "totals.vat"), "67,90"));
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT unit_price FROM sales_line"
						   " WHERE label = 'Pose et mise en service'"),
			 12345000);
	screenshot(GTK_WIDGET(quote), "22a-quote-typed-from-the-keyboard");

	/* Validated: numbered, read only. A quote is not asked about. */
	assert_null(cpt_sales_editor_validate(quote));
	assert_true(wait_for(editor_validated, quote, 10000));
	assert_true(g_str_has_prefix(cpt_sales_editor_get_number(quote), "DEV-"));
	assert_true(cpt_sales_editor_is_read_only(quote));
	assert_false(gtk_editable_get_editable(GTK_EDITABLE(cell(quote, 0, "line.quantity"))));

	/* Converted into an invoice: a draft with the same lines and totals. */
	GtkWindow *dialog = cpt_sales_editor_convert(quote);
	assert_non_null(dialog);
	choose(named(GTK_WIDGET(dialog), "convert.to_type"), "Facture");
	click(named(GTK_WIDGET(dialog), "confirm.accept"));
	assert_true(wait_for(made_ready, quote, 10000));
	GtkWindow *invoice = cpt_sales_editor_get_made(quote);
	assert_string_equal(cpt_sales_editor_get_doc_type(invoice), "invoice");
	assert_string_equal(cpt_sales_editor_get_state(invoice), "draft");
	assert_string_equal(editor_label(invoice, "totals.gross_total"), "7\u202f278,40\u00a0€");
	assert_string_equal(cell_text(invoice, 1, "line.unit_price"), "1\u202f234,50");
	screenshot(GTK_WIDGET(invoice), "22b-invoice-made-from-the-quote");

	/* Its validation is asked first: the number is definitive. */
	dialog = cpt_sales_editor_validate(invoice);
	assert_non_null(dialog);
	assert_non_null(label_with(GTK_WIDGET(dialog), "le numéro est définitif"));
	screenshot(GTK_WIDGET(dialog), "22c-invoice-validation-asked");
	click(named(GTK_WIDGET(dialog), "confirm.accept"));
	assert_true(wait_for(editor_validated, invoice, 10000));
	const char *number = cpt_sales_editor_get_number(invoice);
	assert_true(g_str_has_prefix(number, "FA-"));
	assert_string_equal(editor_label(invoice, "document.number"), number);
	assert_true(cpt_sales_editor_is_read_only(invoice));
	assert_false(gtk_widget_get_visible(editor_widget(invoice, "save")));
	assert_true(gtk_widget_get_visible(editor_widget(invoice, "credit_note")));
	screenshot(GTK_WIDGET(invoice), "22d-invoice-validated");
	/* The PDF as printed, saved where the test looks (the preview would
	 * open the desktop's viewer): the archive made at validation. */
	g_autofree char *pdf_path = g_build_filename(cpt_testenv_out(), "22-invoice.pdf", NULL);
	g_autoptr(GFile) pdf_file = g_file_new_for_path(pdf_path);
	cpt_sales_editor_export_to(invoice, "pdf", pdf_file);
	assert_true(wait_for(file_written, pdf_path, 10000));
	g_autofree char *pdf = NULL;
	gsize pdf_len = 0;
	assert_true(g_file_get_contents(pdf_path, &pdf, &pdf_len, NULL));
	assert_true(pdf_len > 1000 && memcmp(pdf, "%PDF-", 5) == 0);
	/* Sent by e-mail: queued in the outbox, with the PDF, about this invoice. */
	GtkWindow *send = cpt_sales_editor_send(invoice);
	gtk_editable_set_text(GTK_EDITABLE(named(GTK_WIDGET(send), "send.to")),
			      "compta@client.test");
	screenshot(GTK_WIDGET(send), "22d2-invoice-send");
	cpt_sales_send_accept(send);
	assert_true(wait_for(mail_queued, invoice, 10000));
	/* And it is listed under the invoice, waiting to leave (no SMTP here). */
	GtkWidget *mails = named(GTK_WIDGET(invoice), "mails");
	assert_true(wait_for(widget_visible, mails, 10000));
	assert_non_null(strstr(gtk_label_get_text(GTK_LABEL(mails)), "compta@client.test"));
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM mail_outbox m"
						   " JOIN mail_attachment a ON a.mail_id = m.id"
						   " WHERE m.ref_table = 'sales_document'"
						   " AND a.mime_type = 'application/pdf'"),
			 1);

	/* The invoices list shows it, with the totals of what the filter keeps. */
	cpt_window_show_module(win, "invoices");
	CptSalesPage *invoices = CPT_SALES_PAGE(cpt_window_get_module(win, "invoices"));
	cpt_sales_page_filter(invoices, "invoice", "validated");
	assert_true(wait_for(invoice_listed, invoices, 10000));
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(cpt_sales_page_get_list(invoices)));
	g_autoptr(CptRow) row = g_list_model_get_item(m, 0);
	assert_string_equal(cpt_row_cell(row, CPT_SALES_NUMBER), number);
	assert_string_equal(cpt_row_cell(row, CPT_SALES_CLIENT), "Boulangerie Lefèvre");
	assert_string_equal(cpt_row_cell(row, CPT_SALES_NET), "6\u202f214,50");
	assert_string_equal(cpt_row_cell(row, CPT_SALES_GROSS), "7\u202f278,40");
	assert_string_equal(cpt_row_cell(row, CPT_SALES_DUE), "7\u202f278,40");
	assert_string_equal(cpt_row_cell(row, CPT_SALES_STATE), "Validée");
	assert_string_equal(cpt_sales_page_get_totals(invoices),
			    "1 document : 6\u202f214,50\u00a0€ HT, 7\u202f278,40\u00a0€ TTC");
	settle(200);
	screenshot(GTK_WIDGET(win), "22e-invoices-list-with-totals");
	gtk_window_destroy(invoice);
	gtk_window_destroy(quote);

	/* What does not parse never leaves the workstation; a negative quantity, the server
	 * refuses. */
	long long before = sales_rows();
	GtkWindow *bad = cpt_sales_page_open(quotes, 0);
	assert_true(wait_for(editor_ready, bad, 10000));
	gtk_widget_grab_focus(editor_widget(bad, "document.party_code"));
	type_in(bad, "BOULANGERIE");
	press(bad, GDK_KEY_Tab, 0);
	assert_true(wait_for(party_is_named, bad, 10000));
	gtk_widget_grab_focus(cell(bad, 0, "line.code"));
	press(bad, GDK_KEY_Tab, 0);
	type_in(bad, "Geste commercial");
	press(bad, GDK_KEY_Tab, 0);
	type_in(bad, "un");
	press(bad, GDK_KEY_Tab, 0);
	press(bad, GDK_KEY_Tab, 0);
	type_in(bad, "10");
	press(bad, GDK_KEY_Tab, 0);
	press(bad, GDK_KEY_Tab, 0);
	choose_vat(bad, 0, "20");
	GtkWidget *qty = cell(bad, 0, "line.quantity");
	cpt_sales_editor_save(bad);
	assert_true(gtk_widget_has_css_class(qty, "error"));
	assert_non_null(strstr(cpt_sales_editor_get_message(bad), "Quantité invalide"));
	assert_true(cpt_sales_editor_is_ready(bad)); /* nothing in flight */
	gtk_editable_set_text(GTK_EDITABLE(qty), "-1");
	cpt_sales_editor_save(bad);
	assert_false(gtk_widget_has_css_class(qty, "error"));
	assert_true(wait_for(editor_message_set, bad, 10000));
	assert_true(gtk_widget_has_css_class(qty, "error"));
	assert_non_null(strstr(cpt_sales_editor_get_message(bad), "négative"));
	assert_int_equal(cpt_sales_editor_get_id(bad), 0);
	assert_int_equal(sales_rows(), before);
	screenshot(GTK_WIDGET(bad), "22f-negative-quantity-refused");
	gtk_window_destroy(bad);

	/* The client file's history: its quote and its invoice. */
	cpt_window_show_module(win, "clients");
	party_form =
	    cpt_parties_page_open(CPT_PARTIES_PAGE(cpt_window_get_module(win, "clients")), party);
	assert_true(wait_for(form_saved, NULL, 10000));
	CptListView *history[] = {list_view_in(named(GTK_WIDGET(party_form), "party.quotes")),
				  list_view_in(named(GTK_WIDGET(party_form), "party.invoices"))};
	for (size_t i = 0; i < G_N_ELEMENTS(history); i++) {
		assert_non_null(history[i]);
		assert_true(wait_for(client_found, history[i], 10000));
	}
	assert_non_null(
	    label_with(named(GTK_WIDGET(party_form), "party.invoices"), "7\u202f278,40"));
	GtkWidget *scroll = gtk_window_get_child(party_form);
	GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment(GTK_SCROLLED_WINDOW(scroll));
	gtk_adjustment_set_value(adj, gtk_adjustment_get_upper(adj));
	screenshot(GTK_WIDGET(party_form), "22g-client-file-history");
	gtk_window_destroy(party_form);
}

/* ---------------------------------------------------------------------------
 * 23. An order delivered in two parts (the second offered what the first
 *     left), both delivery notes selected in the list make one invoice, a
 *     credit note for part of it, and the invoice's Peppol UBL saved
 */

typedef struct {
	GtkWindow *dialog;
	guint rows;
} RowsWait;

static GtkWidget *quantity_row(GtkWindow *dialog, guint i)
{
	GtkWidget *row = gtk_widget_get_first_child(named(GTK_WIDGET(dialog), "quantities"));
	for (; row && i > 0; i--) {
		row = gtk_widget_get_next_sibling(row);
	}
	return row;
}

static gboolean quantities_shown(gpointer data)
{
	RowsWait *w = data;
	return quantity_row(w->dialog, w->rows - 1) && !quantity_row(w->dialog, w->rows);
}

static const char *row_cell(GtkWindow *dialog, guint i, const char *name)
{
	GtkWidget *w = named(quantity_row(dialog, i), name);
	return GTK_IS_LABEL(w) ? gtk_label_get_text(GTK_LABEL(w))
			       : gtk_editable_get_text(GTK_EDITABLE(w));
}

static gboolean two_deliveries_listed(gpointer page)
{
	CptListView *list = cpt_sales_page_get_list(page);
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(list));
	if (!list_idle(list) || g_list_model_get_n_items(m) != 2) {
		return FALSE;
	}
	for (guint i = 0; i < 2; i++) {
		g_autoptr(CptRow) row = g_list_model_get_item(m, i);
		if (row->loading) {
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean page_made_ready(gpointer page)
{
	GtkWindow *made = cpt_sales_page_get_made(page);
	return made && cpt_sales_editor_get_id(made) != 0 && cpt_sales_editor_is_ready(made);
}

/* Converts editor's document with its dialog: to_type, the first line's quantity. */
static GtkWindow *deliver(GtkWindow *order, const char *left, const char *quantity)
{
	GtkWindow *dialog = cpt_sales_editor_convert(order);
	assert_non_null(dialog);
	choose(named(GTK_WIDGET(dialog), "convert.to_type"), "Bon de livraison");
	RowsWait w = {dialog, 1};
	assert_true(wait_for(quantities_shown, &w, 10000));
	assert_string_equal(row_cell(dialog, 0, "ordered"), "3");
	assert_string_equal(row_cell(dialog, 0, "left"), left);
	assert_string_equal(row_cell(dialog, 0, "quantity"), left); /* all that is left, offered */
	if (quantity) {
		gtk_editable_set_text(GTK_EDITABLE(named(quantity_row(dialog, 0), "quantity")),
				      quantity);
	}
	return dialog;
}

static gboolean chooser_shown(gpointer code_cell)
{
	GtkWidget *list = named(code_cell, "article-chooser");
	return list && gtk_widget_get_mapped(list);
}

static gboolean line1_is_kit(gpointer editor)
{
	return g_str_equal(cell_text(editor, 1, "line.code"), "CHAUD-ELITE") &&
	       *cell_text(editor, 1, "line.label");
}

static gboolean kit_detailed(gpointer editor)
{
	return cpt_sales_editor_get_n_lines(editor) == 3 && cpt_sales_editor_is_ready(editor) &&
	       strstr(cell_text(editor, 2, "line.label"), "Brûleur");
}

static gboolean offers_three(gpointer drop)
{
	return g_list_model_get_n_items(gtk_drop_down_get_model(drop)) == 3;
}

static gboolean line0_code_is(gpointer editor, const char *code)
{
	return g_str_equal(cell_text(editor, 0, "line.code"), code);
}

static gboolean line0_is_poele12(gpointer editor)
{
	return line0_code_is(editor, "POELE-12");
}

static gboolean line0_is_poele8(gpointer editor)
{
	return line0_code_is(editor, "POELE-8");
}

/*
 * Not a code but part of a name: one article answering is taken; several
 * are offered under the cell, and the one chosen fills the line.
 */
static void an_article_is_found_by_a_word_of_its_name(void **state)
{
	assert_int_equal(
	    cpt_testenv_sql_int(
		&env, "WITH a AS (INSERT INTO article (company_id, code, kind, label, unit,"
		      " sale_price, vat_rate_id) SELECT c.id, 'POELE-12', 'goods',"
		      " 'Poêle à granulés 12 kW étanche', 'U', 31900000, v.id FROM company c,"
		      " vat_rate v WHERE c.code = 'DEMO' AND v.country = 'FR' AND v.rate = 2000"
		      " RETURNING 1) SELECT count(*) FROM a"),
	    1);
	/* A client with two sites and a contact, made on another workstation. */
	Comptoir__Parties__Address a[3];
	Comptoir__Parties__Address *ap[] = {&a[0], &a[1], &a[2]};
	const char *const addresses[][4] = {{"billing", "", "2 allée du Parc", "69006"},
					    {"site", "Chaufferie B", "14 rue des Écoles", "69003"},
					    {"delivery", "Loge", "2 allée du Parc", "69006"}};
	for (int i = 0; i < 3; i++) {
		comptoir__parties__address__init(&a[i]);
		a[i].kind = (char *)addresses[i][0];
		a[i].label = (char *)addresses[i][1];
		a[i].line1 = (char *)addresses[i][2];
		a[i].postcode = (char *)addresses[i][3];
		a[i].city = "Lyon";
	}
	Comptoir__Parties__Contact k = COMPTOIR__PARTIES__CONTACT__INIT;
	Comptoir__Parties__Contact *kp[] = {&k};
	k.name = "Paul Girard";
	k.role = "Syndic";
	k.email = "p.girard@syndic.test";
	Comptoir__Parties__Party residence = COMPTOIR__PARTIES__PARTY__INIT;
	residence.kind = "client";
	residence.code = "RESIDENCE";
	residence.name = "Résidence du Parc";
	residence.addresses = ap;
	residence.n_addresses = 3;
	residence.contacts = kp;
	residence.n_contacts = 1;
	Comptoir__Parties__PartyRequest preq = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	preq.party = &residence;
	cpt_client *other = cpt_testenv_login(&env, "alice", "un nouveau secret", 0, NULL, NULL);
	assert_non_null(other);
	rpc(other, "comptoir.parties.Parties/Create", &preq.base,
	    &comptoir__parties__party_reply__descriptor, NULL);
	cpt_client_close(other);

	CptWindow *win = cpt_app_get_window(app);
	cpt_window_show_module(win, "quotes");
	CptSalesPage *quotes = CPT_SALES_PAGE(cpt_window_get_module(win, "quotes"));
	GtkWindow *quote = cpt_sales_page_open(quotes, 0);
	assert_true(wait_for(editor_ready, quote, 10000));

	/* One article has "étanche" in its label: typed without its accent, it is taken. */
	gtk_widget_grab_focus(cell(quote, 0, "line.code"));
	type_in(quote, "etanche");
	press(quote, GDK_KEY_Tab, 0);
	assert_true(wait_for(line0_is_poele12, quote, 10000));
	assert_string_equal(cell_text(quote, 0, "line.label"), "Poêle à granulés 12 kW étanche");

	/* Two poêles: a chooser under the cell, the first one selected. */
	gtk_widget_grab_focus(cell(quote, 0, "line.code"));
	type_in(quote, "poêle");
	press(quote, GDK_KEY_Tab, 0);
	GtkWidget *code = cell(quote, 0, "line.code");
	assert_true(wait_for(chooser_shown, code, 10000));
	GtkListBox *list = GTK_LIST_BOX(named(code, "article-chooser"));
	assert_non_null(gtk_list_box_get_row_at_index(list, 1));
	assert_null(gtk_list_box_get_row_at_index(list, 2));
	/* Line keys do not reach the lines while it is open. */
	guint at;
	const char *col;
	assert_false(cpt_sales_editor_get_focus_cell(quote, &at, &col));
	screenshot(gtk_widget_get_ancestor(GTK_WIDGET(list), GTK_TYPE_POPOVER),
		   "sales-article-chooser");
	/* Sorted by code, POELE-8 comes second: chosen, it fills the line. */
	gtk_widget_activate(GTK_WIDGET(gtk_list_box_get_row_at_index(list, 1)));
	assert_true(wait_for(line0_is_poele8, quote, 10000));
	assert_string_equal(cell_text(quote, 0, "line.label"), "Poêle à granulés 8 kW");
	assert_focus(quote, 0, "line.quantity");
	/* A chooser open on a line that goes away goes with it. */
	press(quote, GDK_KEY_Insert, GDK_CONTROL_MASK);
	assert_focus(quote, 1, "line.code");
	type_in(quote, "poêle");
	press(quote, GDK_KEY_Tab, 0);
	assert_true(wait_for(chooser_shown, cell(quote, 1, "line.code"), 10000));
	click(editor_widget(quote, "line.remove")); /* the focus is in the chooser: the last line */
	settle(100);
	assert_int_equal(cpt_sales_editor_get_n_lines(quote), 1);

	/* The client's sites are offered as where to deliver; the one chosen is kept. */
	gtk_widget_grab_focus(editor_widget(quote, "document.party_code"));
	type_in(quote, "residence");
	press(quote, GDK_KEY_Tab, 0);
	GtkWidget *delivery = editor_widget(quote, "document.delivery_address");
	assert_true(wait_for(offers_three, delivery, 10000));
	choose(delivery, "Chaufferie B — 14 rue des Écoles, 69003 Lyon");
	cpt_sales_editor_save(quote);
	assert_true(wait_for(editor_saved, quote, 10000));
	gint64 id = cpt_sales_editor_get_id(quote);
	g_autofree char *sql = g_strdup_printf(
	    "SELECT count(*) FROM sales_document d JOIN party_address a"
	    " ON a.id = d.delivery_address_id WHERE d.id = %lld AND a.label = 'Chaufferie B'",
	    (long long)id);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 1);
	/* A kit detailed: its components listed under it by the server. */
	gtk_widget_grab_focus(cell(quote, 0, "line.quantity"));
	press(quote, GDK_KEY_Insert, GDK_CONTROL_MASK);
	assert_focus(quote, 1, "line.code");
	type_in(quote, "chaud-elite");
	press(quote, GDK_KEY_Tab, 0);
	assert_true(wait_for(line1_is_kit, quote, 10000));
	gtk_widget_grab_focus(cell(quote, 1, "line.quantity"));
	click(editor_widget(quote, "line.expand_bom"));
	if (!wait_for(kit_detailed, quote, 10000)) {
		fail_msg("%u lines, message %s, line 2 %s", cpt_sales_editor_get_n_lines(quote),
			 cpt_sales_editor_get_message(quote),
			 cpt_sales_editor_get_n_lines(quote) > 2 ? cell_text(quote, 2, "line.label")
								 : "");
	}
	assert_non_null(strstr(cell_text(quote, 2, "line.label"), "Brûleur fioul 40 kW"));

	gtk_window_destroy(quote);
	settle(50);
	/* Opened again, the document shows it. */
	quote = cpt_sales_editor_open(cpt_app_get_conn(app), GTK_WIDGET(win), "quote", id);
	assert_true(wait_for(editor_ready, quote, 10000));
	delivery = editor_widget(quote, "document.delivery_address");
	assert_true(wait_for(offers_three, delivery, 10000));
	assert_string_equal(chosen(delivery), "Chaufferie B — 14 rue des Écoles, 69003 Lyon");

	/* Duplicated: a new draft quote, the same lines and the same site. */
	made_before = NULL;
	cpt_sales_editor_duplicate(quote);
	assert_true(wait_for(made_ready, quote, 10000));
	GtkWindow *copy = cpt_sales_editor_get_made(quote);
	assert_string_equal(cpt_sales_editor_get_doc_type(copy), "quote");
	assert_string_equal(cpt_sales_editor_get_state(copy), "draft");
	assert_true(cpt_sales_editor_get_id(copy) != id);
	assert_int_equal(cpt_sales_editor_get_n_lines(copy), cpt_sales_editor_get_n_lines(quote));
	assert_string_equal(cell_text(copy, 1, "line.code"), "CHAUD-ELITE");
	GtkWidget *copied = editor_widget(copy, "document.delivery_address");
	assert_true(wait_for(offers_three, copied, 10000));
	assert_string_equal(chosen(copied), "Chaufferie B — 14 rue des Écoles, 69003 Lyon");
	gtk_window_destroy(copy);

	/* Validated, sent: the client's contact is offered, ticked, in "À". */
	assert_null(cpt_sales_editor_validate(quote));
	assert_true(wait_for(editor_validated, quote, 10000));
	GtkWindow *send = cpt_sales_editor_send(quote);
	GtkWidget *contact = named(GTK_WIDGET(send), "send.contacts");
	assert_true(wait_for(widget_visible, contact, 10000));
	GtkWidget *paul = named(GTK_WIDGET(send), "send.contact.0");
	assert_string_equal(gtk_check_button_get_label(GTK_CHECK_BUTTON(paul)),
			    "Paul Girard, Syndic <p.girard@syndic.test>");
	GtkWidget *to = named(GTK_WIDGET(send), "send.to");
	assert_string_equal(gtk_editable_get_text(GTK_EDITABLE(to)), "p.girard@syndic.test");
	gtk_editable_set_text(GTK_EDITABLE(to), "compta@parc.test");
	gtk_check_button_set_active(GTK_CHECK_BUTTON(paul), FALSE);
	assert_string_equal(gtk_editable_get_text(GTK_EDITABLE(to)), "compta@parc.test");
	gtk_check_button_set_active(GTK_CHECK_BUTTON(paul), TRUE);
	assert_string_equal(gtk_editable_get_text(GTK_EDITABLE(to)),
			    "compta@parc.test, p.girard@syndic.test");
	screenshot(GTK_WIDGET(send), "22h-send-to-contacts");
	gtk_window_destroy(send);
	gtk_window_destroy(quote);
	settle(50);
}

static void an_order_delivered_twice_is_invoiced_once_then_credited(void **state)
{
	cpt_client *other = cpt_testenv_login(&env, "alice", "un nouveau secret", 0, NULL, NULL);
	assert_non_null(other);
	assert_true(cpt_testenv_create_client(other, "FOURNIL", "Au Bon Fournil", "552100554") > 0);
	cpt_client_close(other);

	/* The order: three stoves. */
	CptWindow *win = cpt_app_get_window(app);
	cpt_window_show_module(win, "quotes");
	CptSalesPage *quotes = CPT_SALES_PAGE(cpt_window_get_module(win, "quotes"));
	cpt_sales_page_filter(quotes, "order", "");
	GtkWindow *order = cpt_sales_page_open(quotes, 0);
	assert_true(wait_for(editor_ready, order, 10000));
	assert_string_equal(cpt_sales_editor_get_doc_type(order), "order");
	gtk_widget_grab_focus(editor_widget(order, "document.party_code"));
	type_in(order, "fournil");
	press(order, GDK_KEY_Tab, 0);
	gtk_widget_grab_focus(cell(order, 0, "line.code"));
	type_in(order, "POELE-8");
	press(order, GDK_KEY_Tab, 0);
	assert_true(wait_for(poele_filled, order, 10000));
	type_in(order, "3");
	assert_null(cpt_sales_editor_validate(order)); /* saved first, then validated */
	assert_true(wait_for(editor_validated, order, 10000));
	assert_true(g_str_has_prefix(cpt_sales_editor_get_number(order), "CMD-"));

	/* One stove now: the dialog offers the three left. */
	GtkWindow *dialog = deliver(order, "3", "1");
	screenshot(GTK_WIDGET(dialog), "23a-order-quantities-to-deliver");
	click(named(GTK_WIDGET(dialog), "confirm.accept"));
	assert_true(wait_for(made_ready, order, 10000));
	GtkWindow *first = cpt_sales_editor_get_made(order);
	assert_string_equal(cpt_sales_editor_get_doc_type(first), "delivery");
	assert_string_equal(cell_text(first, 0, "line.quantity"), "1");
	assert_null(cpt_sales_editor_validate(first));
	assert_true(wait_for(editor_validated, first, 10000));
	/* The rest later: two are left, and offered. */
	dialog = deliver(order, "2", NULL);
	made_before = first;
	click(named(GTK_WIDGET(dialog), "confirm.accept"));
	assert_true(wait_for(made_ready, order, 10000));
	GtkWindow *second = cpt_sales_editor_get_made(order);
	made_before = NULL;
	assert_string_equal(cell_text(second, 0, "line.quantity"), "2");
	assert_null(cpt_sales_editor_validate(second));
	assert_true(wait_for(editor_validated, second, 10000));
	gtk_window_destroy(first);
	gtk_window_destroy(second);
	gtk_window_destroy(order);

	/* Both delivery notes selected in the list: one invoice. */
	cpt_sales_page_filter(quotes, "delivery", "validated");
	assert_true(wait_for(two_deliveries_listed, quotes, 10000));
	settle(500); /* the reloads the validations' events bring, over */
	assert_true(wait_for(two_deliveries_listed, quotes, 10000));
	CptListView *list = cpt_sales_page_get_list(quotes);
	cpt_list_view_select(list, 0, FALSE);
	cpt_list_view_select(list, 1, TRUE);
	g_autoptr(GPtrArray) selected = cpt_list_view_get_selected_rows(list);
	assert_int_equal(selected->len, 2);
	dialog = cpt_sales_page_convert_selected(quotes);
	assert_non_null(dialog);
	screenshot(GTK_WIDGET(win), "23b-two-delivery-notes-selected");
	assert_non_null(label_with(GTK_WIDGET(dialog), "2 documents"));
	click(named(GTK_WIDGET(dialog), "confirm.accept"));
	assert_true(wait_for(page_made_ready, quotes, 10000));
	GtkWindow *invoice = cpt_sales_page_get_made(quotes);
	assert_string_equal(cpt_sales_editor_get_doc_type(invoice), "invoice");
	/* A section per delivery note, each with its stoves: 3 × 2 490 € HT. */
	assert_int_equal(cpt_sales_editor_get_n_lines(invoice), 4);
	assert_string_equal(editor_label(invoice, "totals.net_total"), "7\u202f470,00\u00a0€");
	assert_string_equal(editor_label(invoice, "totals.gross_total"), "8\u202f964,00\u00a0€");
	screenshot(GTK_WIDGET(invoice), "23c-one-invoice-for-two-delivery-notes");
	dialog = cpt_sales_editor_validate(invoice);
	assert_non_null(dialog);
	click(named(GTK_WIDGET(dialog), "confirm.accept"));
	assert_true(wait_for(editor_validated, invoice, 10000));

	/* A credit note for one stove. */
	dialog = cpt_sales_editor_credit_note(invoice);
	assert_non_null(dialog);
	RowsWait w = {dialog, 2};
	assert_true(wait_for(quantities_shown, &w, 10000));
	gtk_check_button_set_active(GTK_CHECK_BUTTON(named(GTK_WIDGET(dialog), "credit.all")),
				    FALSE);
	gtk_editable_set_text(GTK_EDITABLE(named(quantity_row(dialog, 0), "quantity")), "1");
	gtk_editable_set_text(GTK_EDITABLE(named(quantity_row(dialog, 1), "quantity")), "0");
	screenshot(GTK_WIDGET(dialog), "23d-credit-note-per-line");
	click(named(GTK_WIDGET(dialog), "confirm.accept"));
	assert_true(wait_for(made_ready, invoice, 10000));
	GtkWindow *credit = cpt_sales_editor_get_made(invoice);
	assert_string_equal(cpt_sales_editor_get_doc_type(credit), "credit_note");
	assert_string_equal(editor_label(credit, "totals.gross_total"), "2\u202f988,00\u00a0€");
	dialog = cpt_sales_editor_validate(credit);
	assert_non_null(dialog);
	click(named(GTK_WIDGET(dialog), "confirm.accept"));
	assert_true(wait_for(editor_validated, credit, 10000));
	assert_true(g_str_has_prefix(cpt_sales_editor_get_number(credit), "AV-"));
	screenshot(GTK_WIDGET(credit), "23e-credit-note-validated");
	gtk_window_destroy(credit);

	/* The invoice's Peppol UBL, saved where asked (the seller's VAT number and IBAN first). */
	assert_int_equal(cpt_testenv_sql_int(&env,
					     "WITH u AS (UPDATE company SET vat_number ="
					     " 'FR44732829320', iban ="
					     " 'FR7630006000011234567890189', bic = 'AGRIFRPP'"
					     " WHERE code = 'DEMO' RETURNING 1)"
					     " SELECT count(*) FROM u"),
			 1);
	g_autofree char *path = g_build_filename(cpt_testenv_out(), "gui", "23-invoice.xml", NULL);
	g_autoptr(GFile) dest = g_file_new_for_path(path);
	cpt_sales_editor_export_to(invoice, "ubl", dest);
	assert_true(wait_for(editor_message_set, invoice, 10000));
	if (!strstr(cpt_sales_editor_get_message(invoice), "Exporté")) {
		fail_msg("not exported: %s", cpt_sales_editor_get_message(invoice));
	}
	g_autofree char *xml = NULL;
	assert_true(g_file_get_contents(path, &xml, NULL, NULL));
	assert_non_null(strstr(xml, cpt_sales_editor_get_number(invoice)));
	/* What the workstation saved passes the Peppol rules. */
	char *report = NULL;
	if (!cpt_testenv_einvoice_valid(path, "--peppol", &report)) {
		fail_msg("the exported UBL does not pass the validator:\n%s", report);
	}
	free(report);
	gtk_window_destroy(invoice);
}

/* ---------------------------------------------------------------------------
 * 24. A quote with a section and its subtotal, typed from the keyboard,
 *     sent then accepted, and a 30 % deposit invoiced from it
 */

static const char *awaited_state;

static gboolean editor_state_reached(gpointer editor)
{
	return g_str_equal(cpt_sales_editor_get_state(editor), awaited_state) &&
	       cpt_sales_editor_is_ready(editor);
}

static void a_quote_with_a_section_is_accepted_then_a_deposit_invoiced(void **state)
{
	CptWindow *win = cpt_app_get_window(app);
	cpt_window_show_module(win, "quotes");
	CptSalesPage *quotes = CPT_SALES_PAGE(cpt_window_get_module(win, "quotes"));
	cpt_sales_page_filter(quotes, "quote", "");
	GtkWindow *quote = cpt_sales_page_open(quotes, 0);
	assert_true(wait_for(editor_ready, quote, 10000));
	gtk_widget_grab_focus(editor_widget(quote, "document.party_code"));
	type_in(quote, "FOURNIL");
	press(quote, GDK_KEY_Tab, 0);
	/* The first line made a section title from its kind, with the arrows. */
	gtk_widget_grab_focus(cell(quote, 0, "line.kind"));
	press(quote, GDK_KEY_Down, 0);
	press(quote, GDK_KEY_Down, 0);
	assert_string_equal(chosen(cell(quote, 0, "line.kind")), "Titre de section");
	assert_false(gtk_widget_get_visible(cell(quote, 0, "line.quantity")));
	press(quote, GDK_KEY_Tab, 0);
	assert_focus(quote, 0, "line.label");
	type_in(quote, "Séjour");
	press(quote, GDK_KEY_Return, 0); /* the label ends a section's line: a new line */
	assert_focus(quote, 1, "line.code");
	type_in(quote, "POELE-8");
	press(quote, GDK_KEY_Tab, 0);
	assert_true(wait_for(editor_ready, quote, 10000));
	type_in(quote, "2");
	click(editor_widget(quote, "line.add_subtotal")); /* below the current line */
	assert_int_equal(cpt_sales_editor_get_n_lines(quote), 3);
	assert_string_equal(chosen(cell(quote, 2, "line.kind")), "Sous-total");
	cpt_sales_editor_save(quote);
	assert_true(wait_for(editor_saved, quote, 10000));
	assert_string_equal(cell_text(quote, 2, "line.total"), "4\u202f980,00");
	assert_string_equal(editor_label(quote, "totals.gross_total"), "5\u202f976,00\u00a0€");

	/* Validated, sent, accepted. */
	assert_null(cpt_sales_editor_validate(quote));
	assert_true(wait_for(editor_validated, quote, 10000));
	assert_true(gtk_widget_get_visible(editor_widget(quote, "quote.sent")));
	click(editor_widget(quote, "quote.sent"));
	awaited_state = "sent";
	assert_true(wait_for(editor_state_reached, quote, 10000));
	click(editor_widget(quote, "quote.accepted"));
	awaited_state = "accepted";
	assert_true(wait_for(editor_state_reached, quote, 10000));
	assert_string_equal(editor_label(quote, "document.state"), "Accepté");
	assert_false(gtk_widget_get_visible(editor_widget(quote, "quote.accepted")));

	/* A deposit of 30 %: a share of each VAT group, as a draft deposit invoice. */
	GtkWindow *dialog = cpt_sales_editor_convert(quote);
	assert_non_null(dialog);
	GtkWidget *rate = named(GTK_WIDGET(dialog), "convert.deposit_rate");
	assert_false(gtk_widget_get_visible(gtk_widget_get_parent(rate)));
	choose(named(GTK_WIDGET(dialog), "convert.to_type"), "Facture d'acompte");
	assert_true(gtk_widget_get_visible(gtk_widget_get_parent(rate)));
	gtk_editable_set_text(GTK_EDITABLE(rate), "cent dix");
	click(named(GTK_WIDGET(dialog), "confirm.accept"));
	assert_true(gtk_widget_has_css_class(rate, "error")); /* refused before any call */
	gtk_editable_set_text(GTK_EDITABLE(rate), "30");
	screenshot(GTK_WIDGET(dialog), "24a-deposit-share");
	made_before = NULL;
	click(named(GTK_WIDGET(dialog), "confirm.accept"));
	assert_true(wait_for(made_ready, quote, 10000));
	GtkWindow *deposit = cpt_sales_editor_get_made(quote);
	assert_string_equal(cpt_sales_editor_get_doc_type(deposit), "deposit_invoice");
	/* 30 % of 4 980 € HT = 1 494 €, VAT 298,80 €. */
	assert_string_equal(editor_label(deposit, "totals.net_total"), "1\u202f494,00\u00a0€");
	assert_string_equal(editor_label(deposit, "totals.gross_total"), "1\u202f792,80\u00a0€");
	screenshot(GTK_WIDGET(deposit), "24b-deposit-invoice");
	gtk_window_destroy(deposit);

	/* Invoiced by progress: 40 % reached, said on the invoice. */
	dialog = cpt_sales_editor_convert(quote);
	GtkWidget *progress = named(GTK_WIDGET(dialog), "convert.progress_rate");
	choose(named(GTK_WIDGET(dialog), "convert.to_type"), "Facture");
	assert_true(gtk_widget_get_visible(gtk_widget_get_parent(progress)));
	gtk_editable_set_text(GTK_EDITABLE(progress), "140");
	click(named(GTK_WIDGET(dialog), "confirm.accept"));
	assert_true(gtk_widget_has_css_class(progress, "error"));
	gtk_editable_set_text(GTK_EDITABLE(progress), "40");
	/* The deposit's window is gone (its address may come back): any made is new. */
	made_before = NULL;
	click(named(GTK_WIDGET(dialog), "confirm.accept"));
	assert_true(wait_for(made_ready, quote, 10000));
	GtkWindow *step = cpt_sales_editor_get_made(quote);
	assert_string_equal(cpt_sales_editor_get_doc_type(step), "invoice");
	/* 40 % of 4 980 € HT. */
	assert_string_equal(editor_label(step, "totals.net_total"), "1\u202f992,00\u00a0€");
	GtkTextBuffer *notes =
	    gtk_text_view_get_buffer(GTK_TEXT_VIEW(editor_widget(step, "document.notes")));
	GtkTextIter a, b;
	gtk_text_buffer_get_bounds(notes, &a, &b);
	g_autofree char *said = gtk_text_buffer_get_text(notes, &a, &b, FALSE);
	assert_non_null(strstr(said, "40 % cumulés"));
	screenshot(GTK_WIDGET(step), "24c-progress-invoice");
	gtk_window_destroy(step);
	gtk_window_destroy(quote);
}

/* ---------------------------------------------------------------------------
 * 8. A user without admin rights never sees the console
 */

static gboolean welcome_login_page(gpointer data)
{
	return welcome() && g_str_equal(cpt_welcome_get_page(welcome()), "login") &&
	       !cpt_app_get_window(app);
}

static void a_user_without_the_right_never_sees_the_console(void **state)
{
	g_autofree char *temp = ctl_temp_password("dora", "Consultation");
	g_action_group_activate_action(G_ACTION_GROUP(app), "logout", NULL);
	if (!wait_for(welcome_login_page, NULL, 10000)) {
		fail_msg("welcome %p page %s window %p", (void *)welcome(),
			 welcome() ? cpt_welcome_get_page(welcome()) : "-",
			 (void *)cpt_app_get_window(app));
	}
	CptWelcome *w = welcome();
	set_text(child(w, CPT_TYPE_WELCOME, "login_entry"), "dora");
	set_text(child(w, CPT_TYPE_WELCOME, "password_entry"), temp);
	click(child(w, CPT_TYPE_WELCOME, "login_button"));
	assert_true(wait_for(page_is, "change", 10000));
	set_text(child(w, CPT_TYPE_WELCOME, "new_password_entry"), "dora a un secret");
	set_text(child(w, CPT_TYPE_WELCOME, "confirm_password_entry"), "dora a un secret");
	click(child(w, CPT_TYPE_WELCOME, "change_button"));
	assert_true(wait_for(window_shown, NULL, 10000));
	CptWindow *win = cpt_app_get_window(app);
	assert_null(cpt_window_get_module(win, "admin"));
	assert_non_null(cpt_window_get_module(win, "clients"));
	settle(300);
	screenshot(GTK_WIDGET(win), "8-no-console-without-the-right");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(connect_refuses_a_changed_certificate_then_pins_on_first_use),
	    cmocka_unit_test(login_shows_errors_then_forces_the_password_change),
	    cmocka_unit_test(create_a_user_with_a_role),
	    cmocka_unit_test(lock_the_user_and_the_server_refuses_their_login),
	    cmocka_unit_test(sort_and_page_a_list),
	    cmocka_unit_test(restart_the_daemon_and_the_client_reconnects),
	    cmocka_unit_test(audit_log_filters_by_user_and_date),
	    cmocka_unit_test(a_role_is_changed_from_the_user_form),
	    cmocka_unit_test(create_find_and_open_a_client),
	    cmocka_unit_test(a_client_file_shows_its_documents),
	    cmocka_unit_test(a_client_file_takes_a_sector_a_rep_and_a_price_list),
	    cmocka_unit_test(equipment_module_lists_what_is_out_of_warranty),
	    cmocka_unit_test(create_a_kit_find_it_and_read_its_rolled_up_cost),
	    cmocka_unit_test(a_negative_price_is_refused_on_its_field),
	    cmocka_unit_test(price_lists_and_client_prices_show_where_a_price_comes_from),
	    cmocka_unit_test(lists_export_what_they_show_to_csv_and_excel),
	    cmocka_unit_test(clients_are_imported_from_csv_after_a_dry_run),
	    cmocka_unit_test(a_supplier_price_list_is_imported_then_updated),
	    /* After the export, which counts every party as a client. */
	    cmocka_unit_test(a_supplier_price_is_added_then_changed_in_the_tarifs_module),
	    cmocka_unit_test(company_settings_refuse_a_wrong_iban_then_save_colour_and_logo),
	    cmocka_unit_test(a_quote_typed_from_the_keyboard_becomes_a_validated_invoice),
	    cmocka_unit_test(an_article_is_found_by_a_word_of_its_name),
	    cmocka_unit_test(an_order_delivered_twice_is_invoiced_once_then_credited),
	    cmocka_unit_test(a_quote_with_a_section_is_accepted_then_a_deposit_invoiced),
	    cmocka_unit_test(a_user_without_the_right_never_sees_the_console),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
