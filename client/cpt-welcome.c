/*
 * CptWelcome: server, trust on first use, login, forced password change,
 * company. Each step is a page of one stack; each network step runs through
 * CptConn off the main thread, with the spinner on and the buttons off.
 */
#include "cpt-welcome.h"
#include "cpt-settings.h"
#include "cpt-ui.h"

#include "auth.pb-c.h"

#include <glib/gi18n.h>

struct _CptWelcome {
	GtkApplicationWindow parent_instance;

	GtkStack *stack;
	GtkEntry *host_entry;
	GtkSpinButton *port_spin;
	GtkButton *connect_button;
	GtkLabel *fingerprint_label;
	GtkButton *trust_button;
	GtkButton *distrust_button;
	GtkEntry *login_entry;
	GtkPasswordEntry *password_entry;
	GtkButton *login_button;
	GtkPasswordEntry *new_password_entry;
	GtkPasswordEntry *confirm_password_entry;
	GtkButton *change_button;
	GtkDropDown *company_drop;
	GtkButton *company_button;
	GtkSpinner *spinner;
	GtkLabel *message_label;

	CptConn *conn;
	GtkStringList *company_names;
	GArray *company_ids; /* gint64, parallel to company_names */
};

G_DEFINE_TYPE(CptWelcome, cpt_welcome, GTK_TYPE_APPLICATION_WINDOW)

enum { SIGNAL_AUTHENTICATED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void set_busy(CptWelcome *self, gboolean busy)
{
	gtk_spinner_set_spinning(self->spinner, busy);
	gtk_widget_set_sensitive(GTK_WIDGET(self->stack), !busy);
}

static void show_page(CptWelcome *self, const char *page, GtkWidget *focus, GtkWidget *dflt)
{
	gtk_stack_set_visible_child_name(self->stack, page);
	if (dflt) {
		gtk_window_set_default_widget(GTK_WINDOW(self), dflt);
	}
	if (focus) {
		gtk_widget_grab_focus(focus);
	}
}

static const char *entry_text(gpointer editable)
{
	return gtk_editable_get_text(GTK_EDITABLE(editable));
}

/* ---------------------------------------------------------------------------
 * Server and certificate
 */

static void go_login(CptWelcome *self)
{
	g_autofree char *login = cpt_settings_get_string("login", "");
	if (!*entry_text(self->login_entry)) {
		gtk_editable_set_text(GTK_EDITABLE(self->login_entry), login);
	}
	gtk_editable_set_text(GTK_EDITABLE(self->password_entry), "");
	show_page(self, "login",
		  *entry_text(self->login_entry) ? GTK_WIDGET(self->password_entry)
						 : GTK_WIDGET(self->login_entry),
		  GTK_WIDGET(self->login_button));
}

static void connect_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	CptWelcome *self = user_data;
	g_autoptr(CptCallResult) r = cpt_conn_connect_finish(CPT_CONN(source), res);
	set_busy(self, FALSE);
	if (r->status.code != CPT_OK) {
		if (g_str_equal(r->status.field, "fingerprint")) {
			g_autofree char *text = g_strdup_printf(
			    _("Attention : le certificat du serveur a changé depuis votre dernière "
			      "connexion. Connexion refusée. Prévenez votre administrateur avant "
			      "d'aller plus loin.\n(%s)"),
			    r->status.message);
			cpt_ui_field_error(GTK_WIDGET(self->host_entry), self->message_label, text);
		} else {
			cpt_ui_field_error(GTK_WIDGET(self->host_entry), self->message_label,
					   cpt_ui_status_text(&r->status));
		}
		g_clear_object(&self->conn);
		g_object_unref(self);
		return;
	}
	const char *host = cpt_conn_get_host(self->conn);
	int port = cpt_conn_get_port(self->conn);
	g_autofree char *known = cpt_known_host_get(host, port);
	if (known) {
		go_login(self); /* the pin matched, or the connection would have been refused */
	} else {
		gtk_label_set_text(self->fingerprint_label, cpt_conn_get_fingerprint(self->conn));
		show_page(self, "trust", GTK_WIDGET(self->distrust_button),
			  GTK_WIDGET(self->trust_button));
	}
	g_object_unref(self);
}

static void on_connect_clicked(CptWelcome *self)
{
	g_autofree char *host = g_strstrip(g_strdup(entry_text(self->host_entry)));
	int port = gtk_spin_button_get_value_as_int(self->port_spin);
	cpt_ui_clear_errors(self->message_label, self->host_entry, NULL);
	if (!*host) {
		cpt_ui_field_error(GTK_WIDGET(self->host_entry), self->message_label,
				   _("Indiquez le nom ou l'adresse du serveur."));
		return;
	}
	cpt_settings_set_string("host", host);
	cpt_settings_set_int("port", port);
	g_clear_object(&self->conn);
	self->conn = cpt_conn_new(host, port);
	g_autofree char *pin = cpt_known_host_get(host, port);
	if (pin) {
		cpt_conn_set_pin(self->conn, pin);
	}
	set_busy(self, TRUE);
	cpt_conn_connect_async(self->conn, NULL, connect_done, g_object_ref(self));
}

static void on_trust_clicked(CptWelcome *self)
{
	const char *fp = cpt_conn_get_fingerprint(self->conn);
	cpt_known_host_set(cpt_conn_get_host(self->conn), cpt_conn_get_port(self->conn), fp);
	cpt_conn_set_pin(self->conn, fp);
	go_login(self);
}

static void on_distrust_clicked(CptWelcome *self)
{
	g_clear_object(&self->conn);
	show_page(self, "server", GTK_WIDGET(self->host_entry), GTK_WIDGET(self->connect_button));
}

/* ---------------------------------------------------------------------------
 * Login, password change, company
 */

static void finish(CptWelcome *self)
{
	const Comptoir__Auth__SessionReply *s = cpt_conn_get_session(self->conn);
	if (s->must_change_password) {
		gtk_editable_set_text(GTK_EDITABLE(self->new_password_entry), "");
		gtk_editable_set_text(GTK_EDITABLE(self->confirm_password_entry), "");
		show_page(self, "change", GTK_WIDGET(self->new_password_entry),
			  GTK_WIDGET(self->change_button));
		return;
	}
	if (s->n_companies > 1 && gtk_stack_get_visible_child_name(self->stack) &&
	    !g_str_equal(gtk_stack_get_visible_child_name(self->stack), "company")) {
		gtk_string_list_splice(self->company_names, 0,
				       g_list_model_get_n_items(G_LIST_MODEL(self->company_names)),
				       NULL);
		g_array_set_size(self->company_ids, 0);
		guint selected = 0;
		for (size_t i = 0; i < s->n_companies; i++) {
			gtk_string_list_append(self->company_names, s->companies[i]->name);
			g_array_append_val(self->company_ids, s->companies[i]->id);
			if (s->company && s->companies[i]->id == s->company->id) {
				selected = (guint)i;
			}
		}
		gtk_drop_down_set_selected(self->company_drop, selected);
		show_page(self, "company", GTK_WIDGET(self->company_drop),
			  GTK_WIDGET(self->company_button));
		return;
	}
	cpt_settings_set_int("company_id", (int)(s->company ? s->company->id : 0));
	g_signal_emit(self, signals[SIGNAL_AUTHENTICATED], 0);
}

static void login_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	CptWelcome *self = user_data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	set_busy(self, FALSE);
	if (r->status.code != CPT_OK) {
		GtkWidget *field = g_str_equal(r->status.field, "login")
				       ? GTK_WIDGET(self->login_entry)
				       : GTK_WIDGET(self->password_entry);
		cpt_ui_field_error(field, self->message_label, cpt_ui_status_text(&r->status));
		g_object_unref(self);
		return;
	}
	cpt_settings_set_string("login", entry_text(self->login_entry));
	finish(self);
	g_object_unref(self);
}

static void on_login_clicked(CptWelcome *self)
{
	cpt_ui_clear_errors(self->message_label, self->login_entry, self->password_entry, NULL);
	if (!*entry_text(self->login_entry)) {
		cpt_ui_field_error(GTK_WIDGET(self->login_entry), self->message_label,
				   _("Indiquez votre identifiant."));
		return;
	}
	Comptoir__Auth__LoginRequest req = COMPTOIR__AUTH__LOGIN_REQUEST__INIT;
	req.login = (char *)entry_text(self->login_entry);
	req.password = (char *)entry_text(self->password_entry);
	req.company_id = cpt_settings_get_int("company_id", 0);
	g_autofree char *client_name =
	    g_strdup_printf("comptoir %s sur %s", CPT_VERSION, g_get_host_name());
	req.client_name = client_name;
	set_busy(self, TRUE);
	cpt_conn_call_async(self->conn, "comptoir.auth.Auth/Login", &req.base,
			    &comptoir__auth__session_reply__descriptor, NULL, login_done,
			    g_object_ref(self));
}

static void change_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	CptWelcome *self = user_data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	set_busy(self, FALSE);
	if (r->status.code != CPT_OK) {
		cpt_ui_field_error(GTK_WIDGET(self->new_password_entry), self->message_label,
				   cpt_ui_status_text(&r->status));
	} else {
		gtk_editable_set_text(GTK_EDITABLE(self->password_entry), "");
		finish(self);
	}
	g_object_unref(self);
}

static void on_change_clicked(CptWelcome *self)
{
	cpt_ui_clear_errors(self->message_label, self->new_password_entry,
			    self->confirm_password_entry, NULL);
	if (!g_str_equal(entry_text(self->new_password_entry),
			 entry_text(self->confirm_password_entry))) {
		cpt_ui_field_error(GTK_WIDGET(self->confirm_password_entry), self->message_label,
				   _("Les deux saisies diffèrent."));
		return;
	}
	Comptoir__Auth__ChangePasswordRequest req = COMPTOIR__AUTH__CHANGE_PASSWORD_REQUEST__INIT;
	req.old_password = (char *)entry_text(self->password_entry);
	req.new_password = (char *)entry_text(self->new_password_entry);
	set_busy(self, TRUE);
	cpt_conn_call_async(self->conn, "comptoir.auth.Auth/ChangePassword", &req.base,
			    &comptoir__auth__change_password_reply__descriptor, NULL, change_done,
			    g_object_ref(self));
}

static void company_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	CptWelcome *self = user_data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	set_busy(self, FALSE);
	if (r->status.code != CPT_OK) {
		cpt_ui_field_error(GTK_WIDGET(self->company_drop), self->message_label,
				   cpt_ui_status_text(&r->status));
	} else {
		finish(self);
	}
	g_object_unref(self);
}

static void on_company_clicked(CptWelcome *self)
{
	guint i = gtk_drop_down_get_selected(self->company_drop);
	if (i >= self->company_ids->len) {
		return;
	}
	const Comptoir__Auth__SessionReply *s = cpt_conn_get_session(self->conn);
	Comptoir__Auth__ResumeRequest req = COMPTOIR__AUTH__RESUME_REQUEST__INIT;
	req.token = s->token;
	req.company_id = g_array_index(self->company_ids, gint64, i);
	set_busy(self, TRUE);
	cpt_conn_call_async(self->conn, "comptoir.auth.Auth/Resume", &req.base,
			    &comptoir__auth__session_reply__descriptor, NULL, company_done,
			    g_object_ref(self));
}

/* ---------------------------------------------------------------------------
 * GObject
 */

static void cpt_welcome_dispose(GObject *object)
{
	CptWelcome *self = CPT_WELCOME(object);
	g_clear_object(&self->conn);
	g_clear_object(&self->company_names);
	g_clear_pointer(&self->company_ids, g_array_unref);
	gtk_widget_dispose_template(GTK_WIDGET(object), CPT_TYPE_WELCOME);
	G_OBJECT_CLASS(cpt_welcome_parent_class)->dispose(object);
}

static void cpt_welcome_class_init(CptWelcomeClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = cpt_welcome_dispose;
	gtk_widget_class_set_template_from_resource(wc, "/fr/comptoir/client/cpt-welcome.ui");
	gtk_widget_class_bind_template_child(wc, CptWelcome, stack);
	gtk_widget_class_bind_template_child(wc, CptWelcome, host_entry);
	gtk_widget_class_bind_template_child(wc, CptWelcome, port_spin);
	gtk_widget_class_bind_template_child(wc, CptWelcome, connect_button);
	gtk_widget_class_bind_template_child(wc, CptWelcome, fingerprint_label);
	gtk_widget_class_bind_template_child(wc, CptWelcome, trust_button);
	gtk_widget_class_bind_template_child(wc, CptWelcome, distrust_button);
	gtk_widget_class_bind_template_child(wc, CptWelcome, login_entry);
	gtk_widget_class_bind_template_child(wc, CptWelcome, password_entry);
	gtk_widget_class_bind_template_child(wc, CptWelcome, login_button);
	gtk_widget_class_bind_template_child(wc, CptWelcome, new_password_entry);
	gtk_widget_class_bind_template_child(wc, CptWelcome, confirm_password_entry);
	gtk_widget_class_bind_template_child(wc, CptWelcome, change_button);
	gtk_widget_class_bind_template_child(wc, CptWelcome, company_drop);
	gtk_widget_class_bind_template_child(wc, CptWelcome, company_button);
	gtk_widget_class_bind_template_child(wc, CptWelcome, spinner);
	gtk_widget_class_bind_template_child(wc, CptWelcome, message_label);
	gtk_widget_class_bind_template_callback(wc, on_connect_clicked);
	gtk_widget_class_bind_template_callback(wc, on_trust_clicked);
	gtk_widget_class_bind_template_callback(wc, on_distrust_clicked);
	gtk_widget_class_bind_template_callback(wc, on_login_clicked);
	gtk_widget_class_bind_template_callback(wc, on_change_clicked);
	gtk_widget_class_bind_template_callback(wc, on_company_clicked);
	signals[SIGNAL_AUTHENTICATED] =
	    g_signal_new("authenticated", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 0);
}

static void cpt_welcome_init(CptWelcome *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->company_names = gtk_string_list_new(NULL);
	self->company_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	gtk_drop_down_set_model(self->company_drop, G_LIST_MODEL(self->company_names));
	g_autofree char *host = cpt_settings_get_string("host", "127.0.0.1");
	gtk_editable_set_text(GTK_EDITABLE(self->host_entry), host);
	gtk_spin_button_set_value(self->port_spin, cpt_settings_get_int("port", 7410));
	gtk_window_set_default_widget(GTK_WINDOW(self), GTK_WIDGET(self->connect_button));
}

CptWelcome *cpt_welcome_new(GtkApplication *app)
{
	return g_object_new(CPT_TYPE_WELCOME, "application", app, NULL);
}

CptConn *cpt_welcome_get_conn(CptWelcome *self)
{
	return self->conn;
}

void cpt_welcome_show_login(CptWelcome *self, CptConn *conn)
{
	g_set_object(&self->conn, conn);
	go_login(self);
}

const char *cpt_welcome_get_page(CptWelcome *self)
{
	return gtk_stack_get_visible_child_name(self->stack);
}

const char *cpt_welcome_get_message(CptWelcome *self)
{
	return gtk_label_get_text(self->message_label);
}
