/* The e-mail dialog of sales documents: see cpt-sales-send.h. */
#include "cpt-sales-send.h"
#include "cpt-sales.h"
#include "cpt-ui.h"

#include "mail.pb-c.h"
#include "parties.pb-c.h"
#include "sales.pb-c.h"

#include <glib/gi18n.h>

typedef struct {
	CptConn *conn;
	char *type;
	gint64 id;
	GtkWindow *window;
	GtkEntry *to, *subject;
	GtkWidget *contacts, *contacts_label; /* the client's contacts with an address */
	GtkTextView *body;
	GtkLabel *message;
	GtkWidget *accept;
	CptSalesSent done;
	gpointer data;
	gboolean closed;
} SendDialog;

static void send_dialog_free(gpointer p)
{
	SendDialog *d = p;
	g_object_unref(d->conn);
	g_free(d->type);
	g_free(d);
}

static void on_destroy(GtkWidget *w, gpointer data)
{
	((SendDialog *)data)->closed = TRUE;
}

static void sent(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	SendDialog *d = g_object_get_data(G_OBJECT(window), "cpt-send");
	if (d && !d->closed) {
		gtk_widget_set_sensitive(d->accept, TRUE);
		if (r->status.code != CPT_OK) {
			GtkWidget *on =
			    g_str_equal(r->status.field, "to") ? GTK_WIDGET(d->to) : NULL;
			cpt_ui_field_error(on, d->message, cpt_ui_status_text(&r->status));
		} else {
			const Comptoir__Sales__SendReply *rep = (const void *)r->output;
			/* rep->to is counted, not NULL-terminated. */
			GString *joined = g_string_new(NULL);
			for (size_t i = 0; i < rep->n_to; i++) {
				g_string_append_printf(joined, "%s%s", i ? ", " : "", rep->to[i]);
			}
			g_autofree char *to = g_string_free(joined, FALSE);
			g_autofree char *line =
			    g_strdup_printf(_("E-mail en file d'envoi pour %s."), to);
			if (d->done) {
				d->done(line, d->data);
			}
			gtk_window_destroy(d->window);
		}
	}
	g_object_unref(window);
}

/* The addresses typed in "À", split the way Send reads them. */
static GStrv typed_addresses(SendDialog *d)
{
	g_autofree char *to = g_strstrip(g_strdup(gtk_editable_get_text(GTK_EDITABLE(d->to))));
	g_auto(GStrv) list = g_strsplit_set(to, ",; ", -1);
	GStrvBuilder *b = g_strv_builder_new();
	for (char **a = list; *a; a++) {
		if (**a) {
			g_strv_builder_add(b, *a);
		}
	}
	GStrv out = g_strv_builder_end(b);
	g_strv_builder_unref(b);
	return out;
}

void cpt_sales_send_accept(GtkWindow *dialog)
{
	SendDialog *d = g_object_get_data(G_OBJECT(dialog), "cpt-send");
	cpt_ui_field_error(GTK_WIDGET(d->to), d->message, NULL);
	Comptoir__Sales__SendRequest req = COMPTOIR__SALES__SEND_REQUEST__INIT;
	req.id = d->id;
	g_auto(GStrv) to = typed_addresses(d);
	req.to = to;
	req.n_to = g_strv_length(to);
	req.subject = (char *)gtk_editable_get_text(GTK_EDITABLE(d->subject));
	GtkTextBuffer *buf = gtk_text_view_get_buffer(d->body);
	GtkTextIter a, b;
	gtk_text_buffer_get_bounds(buf, &a, &b);
	g_autofree char *body = gtk_text_buffer_get_text(buf, &a, &b, FALSE);
	req.body = body;
	gtk_widget_set_sensitive(d->accept, FALSE);
	g_autofree char *method = g_strconcat(cpt_sales_service(d->type), "Send", NULL);
	cpt_conn_call_async(d->conn, method, &req.base, &comptoir__sales__send_reply__descriptor,
			    NULL, sent, g_object_ref(d->window));
}

static void on_accept(GtkButton *b, gpointer data)
{
	cpt_sales_send_accept(((SendDialog *)data)->window);
}

static void on_cancel(GtkButton *b, gpointer data)
{
	gtk_window_destroy(((SendDialog *)data)->window);
}

/* A contact ticked or not: its address added to "À" or taken out of it. */
static void on_contact_toggled(GtkCheckButton *check, gpointer data)
{
	SendDialog *d = data;
	const char *email = g_object_get_data(G_OBJECT(check), "cpt-email");
	g_auto(GStrv) now = typed_addresses(d);
	GString *s = g_string_new(NULL);
	gboolean there = FALSE;
	for (char **a = now; *a; a++) {
		if (g_ascii_strcasecmp(*a, email) == 0) {
			there = TRUE;
			if (!gtk_check_button_get_active(check)) {
				continue;
			}
		}
		g_string_append_printf(s, "%s%s", s->len ? ", " : "", *a);
	}
	if (!there && gtk_check_button_get_active(check)) {
		g_string_append_printf(s, "%s%s", s->len ? ", " : "", email);
	}
	gtk_editable_set_text(GTK_EDITABLE(d->to), s->str);
	g_string_free(s, TRUE);
}

static void contacts_read(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	SendDialog *d = g_object_get_data(G_OBJECT(window), "cpt-send");
	if (d && !d->closed && r->status.code == CPT_OK && r->output) {
		const Comptoir__Parties__Party *p =
		    ((const Comptoir__Parties__PartyReply *)r->output)->party;
		gboolean first = !*gtk_editable_get_text(GTK_EDITABLE(d->to));
		guint n = 0;
		for (size_t i = 0; p && i < p->n_contacts; i++) {
			const Comptoir__Parties__Contact *c = p->contacts[i];
			if (!*c->email) {
				continue;
			}
			g_autofree char *text =
			    *c->role ? g_strdup_printf("%s, %s <%s>", c->name, c->role, c->email)
				     : g_strdup_printf("%s <%s>", c->name, c->email);
			GtkWidget *check = gtk_check_button_new_with_label(text);
			g_autofree char *name = g_strdup_printf("send.contact.%u", n++);
			gtk_widget_set_name(check, name);
			g_object_set_data_full(G_OBJECT(check), "cpt-email", g_strdup(c->email),
					       g_free);
			g_signal_connect(check, "toggled", G_CALLBACK(on_contact_toggled), d);
			gtk_box_append(GTK_BOX(d->contacts), check);
			if (first) {
				/* The one the server would take: shown, to be changed. */
				gtk_check_button_set_active(GTK_CHECK_BUTTON(check), TRUE);
				first = FALSE;
			}
		}
		gtk_widget_set_visible(d->contacts, n > 0);
		gtk_widget_set_visible(d->contacts_label, n > 0);
	}
	g_object_unref(window);
}

static GtkWidget *labelled(GtkGrid *grid, int row, const char *text, GtkWidget *w)
{
	GtkWidget *l = gtk_label_new(text);
	gtk_label_set_xalign(GTK_LABEL(l), 1);
	gtk_label_set_yalign(GTK_LABEL(l), 0);
	gtk_grid_attach(grid, l, 0, row, 1, 1);
	gtk_widget_set_hexpand(w, TRUE);
	gtk_grid_attach(grid, w, 1, row, 1, 1);
	return w;
}

GtkWindow *cpt_sales_send_dialog(CptConn *conn, GtkWindow *parent, const char *type, gint64 id,
				 const char *number, gint64 party_id, CptSalesSent done,
				 gpointer data)
{
	SendDialog *d = g_new0(SendDialog, 1);
	d->conn = g_object_ref(conn);
	d->type = g_strdup(type);
	d->id = id;
	d->done = done;
	d->data = data;
	d->window = GTK_WINDOW(gtk_window_new());
	g_object_set_data_full(G_OBJECT(d->window), "cpt-send", d, send_dialog_free);
	g_signal_connect(d->window, "destroy", G_CALLBACK(on_destroy), d);
	g_autofree char *title = g_strdup_printf(_("Envoyer %s par e-mail"), number);
	gtk_window_set_title(d->window, title);
	gtk_window_set_modal(d->window, TRUE);
	gtk_window_set_default_size(d->window, 560, -1);
	if (parent) {
		gtk_window_set_transient_for(d->window, parent);
	}
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	g_object_set(box, "margin-top", 18, "margin-bottom", 12, "margin-start", 18, "margin-end",
		     18, NULL);
	GtkGrid *grid = GTK_GRID(gtk_grid_new());
	gtk_grid_set_row_spacing(grid, 6);
	gtk_grid_set_column_spacing(grid, 12);
	d->contacts = labelled(grid, 0, _("Contacts"), gtk_box_new(GTK_ORIENTATION_VERTICAL, 2));
	gtk_widget_set_name(d->contacts, "send.contacts");
	d->contacts_label = gtk_grid_get_child_at(grid, 0, 0);
	gtk_widget_set_visible(d->contacts, FALSE);
	gtk_widget_set_visible(d->contacts_label, FALSE);
	d->to = GTK_ENTRY(labelled(grid, 1, _("À"), gtk_entry_new()));
	gtk_widget_set_name(GTK_WIDGET(d->to), "send.to");
	gtk_entry_set_placeholder_text(d->to, _("le premier contact du client qui a une adresse"));
	d->subject = GTK_ENTRY(labelled(grid, 2, _("Objet"), gtk_entry_new()));
	gtk_widget_set_name(GTK_WIDGET(d->subject), "send.subject");
	gtk_entry_set_placeholder_text(d->subject, _("celui des paramètres de la société"));
	d->body = GTK_TEXT_VIEW(gtk_text_view_new());
	gtk_widget_set_name(GTK_WIDGET(d->body), "send.body");
	gtk_text_view_set_wrap_mode(d->body, GTK_WRAP_WORD_CHAR);
	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_widget_set_size_request(scroll, -1, 140);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), GTK_WIDGET(d->body));
	labelled(grid, 3, _("Message"), scroll);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(grid));
	GtkWidget *hint = gtk_label_new(_("Laissés vides, l'objet et le message sont ceux des "
					  "paramètres de la société. Le PDF est joint."));
	gtk_label_set_wrap(GTK_LABEL(hint), TRUE);
	gtk_label_set_xalign(GTK_LABEL(hint), 0);
	gtk_widget_add_css_class(hint, "dim-label");
	gtk_box_append(GTK_BOX(box), hint);
	d->message = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_wrap(d->message, TRUE);
	gtk_label_set_xalign(d->message, 0);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(d->message));
	GtkWidget *buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	gtk_widget_set_halign(buttons, GTK_ALIGN_END);
	GtkWidget *cancel = gtk_button_new_with_mnemonic(_("_Annuler"));
	g_signal_connect(cancel, "clicked", G_CALLBACK(on_cancel), d);
	d->accept = gtk_button_new_with_mnemonic(_("_Envoyer"));
	gtk_widget_set_name(d->accept, "send.accept");
	gtk_widget_add_css_class(d->accept, "suggested-action");
	g_signal_connect(d->accept, "clicked", G_CALLBACK(on_accept), d);
	gtk_box_append(GTK_BOX(buttons), cancel);
	gtk_box_append(GTK_BOX(buttons), d->accept);
	gtk_box_append(GTK_BOX(box), buttons);
	gtk_window_set_child(d->window, box);
	gtk_window_set_default_widget(d->window, d->accept);
	gtk_window_present(d->window);
	if (party_id && cpt_conn_has_permission(conn, "clients.read")) {
		Comptoir__Parties__GetPartyRequest req = COMPTOIR__PARTIES__GET_PARTY_REQUEST__INIT;
		req.id = party_id;
		cpt_conn_call_async(conn, "comptoir.parties.Parties/Get", &req.base,
				    &comptoir__parties__party_reply__descriptor, NULL,
				    contacts_read, g_object_ref(d->window));
	}
	return d->window;
}

/* ---------------------------------------------------------------------------
 * The e-mails of a document
 */

static void mails_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkLabel *label = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (r->status.code == CPT_OK && gtk_widget_get_root(GTK_WIDGET(label))) {
		const Comptoir__Mail__ListReply *l = (const void *)r->output;
		GString *s = g_string_new(NULL);
		for (size_t i = 0; i < l->n_mails; i++) {
			const Comptoir__Mail__Message *m = l->mails[i];
			g_autofree char *when =
			    cpt_ui_datetime(m->sent_at ? m->sent_at : m->created_at);
			const char *state = g_str_equal(m->state, "sent") ? _("envoyé")
					    : g_str_equal(m->state, "failed")
						? _("échec")
						: _("en attente d'envoi");
			g_string_append_printf(s, "%s%s — %s — %s", i ? "\n" : "", when,
					       m->n_to ? m->to[0] : "", state);
			if (g_str_equal(m->state, "failed") && *m->last_error) {
				g_string_append_printf(s, " : %s", m->last_error);
			}
		}
		gtk_label_set_text(label, s->str);
		gtk_widget_set_visible(GTK_WIDGET(label), l->n_mails > 0);
		g_string_free(s, TRUE);
	}
	g_object_unref(label);
}

GtkWidget *cpt_sales_mails_new(void)
{
	GtkWidget *l = gtk_label_new(NULL);
	gtk_widget_set_name(l, "mails");
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_label_set_wrap(GTK_LABEL(l), TRUE);
	gtk_widget_add_css_class(l, "dim-label");
	gtk_widget_set_visible(l, FALSE);
	return l;
}

void cpt_sales_mails_load(GtkWidget *mails, CptConn *conn, gint64 id)
{
	if (!id || !cpt_conn_has_permission(conn, "clients.read")) {
		return;
	}
	Comptoir__Mail__ListRequest req = COMPTOIR__MAIL__LIST_REQUEST__INIT;
	req.ref_table = "sales_document";
	req.ref_id = id;
	cpt_conn_call_async(conn, "comptoir.mail.Mail/List", &req.base,
			    &comptoir__mail__list_reply__descriptor, NULL, mails_loaded,
			    g_object_ref(mails));
}
