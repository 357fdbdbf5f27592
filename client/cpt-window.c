/*
 * CptWindow; see cpt-window.h. Modules are listed once below with the
 * permission that opens them; a module without a page yet shows "à venir".
 */
#include "cpt-window.h"
#include "cpt-admin-page.h"
#include "cpt-equipment-page.h"
#include "cpt-articles-page.h"
#include "cpt-parties-page.h"
#include "cpt-pricing-page.h"
#include "cpt-sales-page.h"

#include <glib/gi18n.h>

struct _CptWindow {
	GtkApplicationWindow parent_instance;
	GtkLabel *company_label;
	GtkLabel *user_label;
	GtkLabel *state_label;
	GtkSpinner *spinner;
	GtkStack *stack;
	CptConn *conn;
};

G_DEFINE_TYPE(CptWindow, cpt_window, GTK_TYPE_APPLICATION_WINDOW)

typedef GtkWidget *(*ModuleNew)(CptConn *conn);

static const struct {
	const char *id;
	const char *title;
	const char *permission; /* any one of them opens the module */
	const char *permission2;
	ModuleNew create; /* NULL: still to come */
} modules[] = {
    {"clients", N_("Clients et prospects"), "clients.read", NULL, cpt_parties_page_new},
    {"suppliers", N_("Fournisseurs"), "suppliers.read", NULL, cpt_suppliers_page_new},
    {"articles", N_("Articles"), "articles.read", NULL, cpt_articles_page_new},
    {"pricing", N_("Tarifs"), "articles.read", NULL, cpt_pricing_page_new},
    {"quotes", N_("Devis et commandes"), "quotes.read", NULL, cpt_quotes_page_new},
    {"invoices", N_("Factures et avoirs"), "invoices.read", NULL, cpt_invoices_page_new},
    {"payments", N_("Règlements et relances"), "payments.read", NULL, NULL},
    {"contracts", N_("Contrats"), "contracts.read", NULL, NULL},
    {"interventions", N_("Interventions et planning"), "interventions.read", NULL, NULL},
    {"equipment", N_("Équipements"), "interventions.read", NULL, cpt_equipment_page_new},
    {"stock", N_("Stock et achats"), "stock.read", NULL, NULL},
    {"accounting", N_("Export comptable"), "accounting.export", NULL, NULL},
    {"admin", N_("Administration"), "admin.users", "admin.audit", cpt_admin_page_new},
};

static GtkWidget *coming_soon(const char *title)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	gtk_widget_set_valign(box, GTK_ALIGN_CENTER);
	GtkWidget *t = gtk_label_new(title);
	gtk_widget_add_css_class(t, "title-2");
	GtkWidget *l = gtk_label_new(_("à venir"));
	gtk_widget_add_css_class(l, "dim-label");
	gtk_box_append(GTK_BOX(box), t);
	gtk_box_append(GTK_BOX(box), l);
	return box;
}

static void update_header(CptWindow *self)
{
	const Comptoir__Auth__SessionReply *s = cpt_conn_get_session(self->conn);
	gtk_label_set_text(self->company_label, s && s->company ? s->company->name : "");
	g_autofree char *who =
	    g_strdup_printf("%s — %s:%d", s ? s->display_name : "", cpt_conn_get_host(self->conn),
			    cpt_conn_get_port(self->conn));
	gtk_label_set_text(self->user_label, who);
}

static void on_state(GObject *conn, GParamSpec *pspec, gpointer data)
{
	CptWindow *self = data;
	CptConnState state = cpt_conn_get_state(self->conn);
	gboolean lost = state == CPT_CONN_RECONNECTING || state == CPT_CONN_OFFLINE;
	gtk_label_set_text(self->state_label, lost ? _("connexion perdue, reconnexion…") : "");
	gtk_spinner_set_spinning(self->spinner, state == CPT_CONN_RECONNECTING);
}

GtkWidget *cpt_window_get_module(CptWindow *self, const char *id)
{
	return gtk_stack_get_child_by_name(self->stack, id);
}

void cpt_window_show_module(CptWindow *self, const char *id)
{
	gtk_stack_set_visible_child_name(self->stack, id);
}

const char *cpt_window_get_state_text(CptWindow *self)
{
	return gtk_label_get_text(self->state_label);
}

/* Window actions: the shortcuts reach the visible module's own actions. */
static void forward_action(CptWindow *self, const char *action)
{
	GtkWidget *page = gtk_stack_get_visible_child(self->stack);
	if (page) {
		gtk_widget_activate_action(page, action, NULL);
	}
}

static void win_refresh(GtkWidget *w, const char *name, GVariant *param)
{
	forward_action(CPT_WINDOW(w), "module.refresh");
}

static void win_new(GtkWidget *w, const char *name, GVariant *param)
{
	forward_action(CPT_WINDOW(w), "module.new");
}

static void win_search(GtkWidget *w, const char *name, GVariant *param)
{
	forward_action(CPT_WINDOW(w), "module.search");
}

static void win_module(GtkWidget *w, const char *name, GVariant *param)
{
	CptWindow *self = CPT_WINDOW(w);
	int n = g_variant_get_int32(param);
	GListModel *pages = G_LIST_MODEL(gtk_stack_get_pages(self->stack));
	if (n >= 0 && (guint)n < g_list_model_get_n_items(pages)) {
		GtkStackPage *page = g_list_model_get_item(pages, (guint)n);
		gtk_stack_set_visible_child(self->stack, gtk_stack_page_get_child(page));
		g_object_unref(page);
	}
	g_object_unref(pages);
}

static void cpt_window_dispose(GObject *object)
{
	CptWindow *self = CPT_WINDOW(object);
	if (self->conn) {
		g_signal_handlers_disconnect_by_data(self->conn, self);
	}
	g_clear_object(&self->conn);
	gtk_widget_dispose_template(GTK_WIDGET(object), CPT_TYPE_WINDOW);
	G_OBJECT_CLASS(cpt_window_parent_class)->dispose(object);
}

static void cpt_window_class_init(CptWindowClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = cpt_window_dispose;
	gtk_widget_class_set_template_from_resource(wc, "/fr/comptoir/client/cpt-window.ui");
	gtk_widget_class_bind_template_child(wc, CptWindow, company_label);
	gtk_widget_class_bind_template_child(wc, CptWindow, user_label);
	gtk_widget_class_bind_template_child(wc, CptWindow, state_label);
	gtk_widget_class_bind_template_child(wc, CptWindow, spinner);
	gtk_widget_class_bind_template_child(wc, CptWindow, stack);
	gtk_widget_class_install_action(wc, "win.refresh", NULL, win_refresh);
	gtk_widget_class_install_action(wc, "win.new", NULL, win_new);
	gtk_widget_class_install_action(wc, "win.search", NULL, win_search);
	gtk_widget_class_install_action(wc, "win.module", "i", win_module);
	gtk_widget_class_add_binding_action(wc, GDK_KEY_F5, 0, "win.refresh", NULL);
	gtk_widget_class_add_binding_action(wc, GDK_KEY_r, GDK_CONTROL_MASK, "win.refresh", NULL);
	gtk_widget_class_add_binding_action(wc, GDK_KEY_n, GDK_CONTROL_MASK, "win.new", NULL);
	gtk_widget_class_add_binding_action(wc, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
	for (int i = 0; i < 9; i++) {
		gtk_widget_class_add_binding_action(wc, GDK_KEY_1 + i, GDK_ALT_MASK, "win.module",
						    "i", i);
	}
}

static void cpt_window_init(CptWindow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

CptWindow *cpt_window_new(GtkApplication *app, CptConn *conn)
{
	CptWindow *self = g_object_new(CPT_TYPE_WINDOW, "application", app, NULL);
	self->conn = g_object_ref(conn);
	for (size_t i = 0; i < G_N_ELEMENTS(modules); i++) {
		gboolean allowed = cpt_conn_has_permission(conn, modules[i].permission) ||
				   (modules[i].permission2 &&
				    cpt_conn_has_permission(conn, modules[i].permission2));
		if (!allowed) {
			continue; /* the server would refuse it: not even shown */
		}
		GtkWidget *page =
		    modules[i].create ? modules[i].create(conn) : coming_soon(_(modules[i].title));
		gtk_stack_add_titled(self->stack, page, modules[i].id, _(modules[i].title));
	}
	g_signal_connect(conn, "notify::state", G_CALLBACK(on_state), self);
	g_signal_connect_swapped(conn, "session-changed", G_CALLBACK(update_header), self);
	update_header(self);
	return self;
}
