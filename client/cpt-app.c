/* CptApp; see cpt-app.h. */
#include "cpt-app.h"

#include "auth.pb-c.h"

#include <glib/gi18n.h>
#include <locale.h>

struct _CptApp {
	GtkApplication parent_instance;
	CptWelcome *welcome;
	CptWindow *window;
	CptConn *conn;
};

G_DEFINE_TYPE(CptApp, cpt_app, GTK_TYPE_APPLICATION)

static void show_welcome(CptApp *self);
static void watch_conn(CptApp *self);

static void on_authenticated(CptWelcome *welcome, gpointer data)
{
	CptApp *self = data;
	if (self->conn != cpt_welcome_get_conn(welcome)) {
		if (self->conn) {
			g_signal_handlers_disconnect_by_data(self->conn, self);
		}
		g_set_object(&self->conn, cpt_welcome_get_conn(welcome));
		watch_conn(self);
	}
	self->window = cpt_window_new(GTK_APPLICATION(self), self->conn);
	g_object_add_weak_pointer(G_OBJECT(self->window), (gpointer *)&self->window);
	gtk_window_present(GTK_WINDOW(self->window));
	gtk_window_destroy(GTK_WINDOW(self->welcome));
}

static void back_to_login(CptApp *self)
{
	show_welcome(self);
	if (self->conn) {
		cpt_welcome_show_login(self->welcome, self->conn);
	}
	if (self->window) {
		gtk_window_destroy(GTK_WINDOW(self->window));
	}
}

static void on_session_lost(CptConn *conn, gpointer data)
{
	back_to_login(CPT_APP(data));
}

static void show_welcome(CptApp *self)
{
	if (self->welcome) {
		gtk_window_present(GTK_WINDOW(self->welcome));
		return;
	}
	self->welcome = cpt_welcome_new(GTK_APPLICATION(self));
	g_object_add_weak_pointer(G_OBJECT(self->welcome), (gpointer *)&self->welcome);
	g_signal_connect(self->welcome, "authenticated", G_CALLBACK(on_authenticated), self);
	gtk_window_present(GTK_WINDOW(self->welcome));
}

static void logged_out(GObject *source, GAsyncResult *res, gpointer data)
{
	CptApp *self = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	cpt_conn_clear_session(CPT_CONN(source));
	back_to_login(self);
	g_object_unref(self);
}

static void app_logout(GSimpleAction *a, GVariant *p, gpointer data)
{
	CptApp *self = data;
	if (!self->conn) {
		return;
	}
	Comptoir__Auth__LogoutRequest req = COMPTOIR__AUTH__LOGOUT_REQUEST__INIT;
	cpt_conn_call_async(self->conn, "comptoir.auth.Auth/Logout", &req.base,
			    &comptoir__auth__logout_reply__descriptor, NULL, logged_out,
			    g_object_ref(self));
}

static void app_quit(GSimpleAction *a, GVariant *p, gpointer data)
{
	g_application_quit(G_APPLICATION(data));
}

static void cpt_app_activate(GApplication *app)
{
	CptApp *self = CPT_APP(app);
	if (self->window) {
		gtk_window_present(GTK_WINDOW(self->window));
		return;
	}
	show_welcome(self);
}

static void cpt_app_startup(GApplication *app)
{
	G_APPLICATION_CLASS(cpt_app_parent_class)->startup(app);
	static const GActionEntry actions[] = {
	    {.name = "logout", .activate = app_logout},
	    {.name = "quit", .activate = app_quit},
	};
	g_action_map_add_action_entries(G_ACTION_MAP(app), actions, G_N_ELEMENTS(actions), app);
	static const char *const quit[] = {"<Control>q", NULL};
	gtk_application_set_accels_for_action(GTK_APPLICATION(app), "app.quit", quit);
}

static void cpt_app_dispose(GObject *object)
{
	CptApp *self = CPT_APP(object);
	if (self->conn) {
		g_signal_handlers_disconnect_by_data(self->conn, self);
	}
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(cpt_app_parent_class)->dispose(object);
}

static void cpt_app_class_init(CptAppClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = cpt_app_dispose;
	G_APPLICATION_CLASS(klass)->activate = cpt_app_activate;
	G_APPLICATION_CLASS(klass)->startup = cpt_app_startup;
}

static void cpt_app_init(CptApp *self)
{
}

static void watch_conn(CptApp *self)
{
	g_signal_connect(self->conn, "session-lost", G_CALLBACK(on_session_lost), self);
}

CptApp *cpt_app_new(void)
{
	CptApp *self = g_object_new(CPT_TYPE_APP, "application-id", "fr.comptoir.Client", "flags",
				    G_APPLICATION_NON_UNIQUE, NULL);
	return self;
}

CptWelcome *cpt_app_get_welcome(CptApp *self)
{
	return self->welcome;
}

CptWindow *cpt_app_get_window(CptApp *self)
{
	return self->window;
}

CptConn *cpt_app_get_conn(CptApp *self)
{
	if (!self->conn && self->welcome) {
		return cpt_welcome_get_conn(self->welcome);
	}
	return self->conn;
}

void cpt_app_init_i18n(const char *argv0)
{
	setlocale(LC_ALL, "");
	const char *dir = g_getenv("COMPTOIR_LOCALEDIR");
	g_autofree char *local = NULL;
	if (!dir) {
		/* In a build tree, the catalogues sit beside the binary. */
		g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
		g_autofree char *bindir = exe ? g_path_get_dirname(exe) : NULL;
		local = bindir ? g_build_filename(bindir, "locale", NULL) : NULL;
		dir = local && g_file_test(local, G_FILE_TEST_IS_DIR) ? local : CPT_LOCALEDIR;
	}
	bindtextdomain("comptoir", dir);
	bind_textdomain_codeset("comptoir", "UTF-8");
	textdomain("comptoir");
	(void)argv0;
}
