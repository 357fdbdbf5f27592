/* Shared UI helpers; see cpt-ui.h. */
#include "cpt-ui.h"

#include <glib/gi18n.h>
#include <stdarg.h>
#include <stdio.h>

void cpt_ui_field_error(GtkWidget *entry, GtkLabel *label, const char *text)
{
	if (entry) {
		if (text) {
			gtk_widget_add_css_class(entry, "error");
			gtk_widget_grab_focus(entry);
		} else {
			gtk_widget_remove_css_class(entry, "error");
		}
	}
	if (label) {
		gtk_label_set_text(label, text ? text : "");
	}
}

void cpt_ui_clear_errors(GtkLabel *label, ...)
{
	va_list ap;
	va_start(ap, label);
	GtkWidget *w;
	while ((w = va_arg(ap, GtkWidget *))) {
		gtk_widget_remove_css_class(w, "error");
	}
	va_end(ap);
	if (label) {
		gtk_label_set_text(label, "");
	}
}

char *cpt_ui_datetime(gint64 unix_seconds)
{
	if (unix_seconds <= 0) {
		return g_strdup("");
	}
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(unix_seconds);
	return g_date_time_format(dt, "%d/%m/%Y %H:%M");
}

char *cpt_ui_date(gint64 unix_seconds)
{
	if (unix_seconds <= 0) {
		return g_strdup("");
	}
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(unix_seconds);
	return g_date_time_format(dt, "%d/%m/%Y");
}

char *cpt_ui_size(guint64 bytes)
{
	if (bytes < 1024) {
		return g_strdup_printf(ngettext("%u octet", "%u octets", (gulong)bytes),
				       (unsigned)bytes);
	}
	const char *units[] = {N_("ko"), N_("Mo"), N_("Go")};
	double v = (double)bytes / 1024;
	guint u = 0;
	while (v >= 1024 && u < G_N_ELEMENTS(units) - 1) {
		v /= 1024;
		u++;
	}
	/* One decimal below ten ("1,2 Mo"), none above ("12 Mo"); never ",0". */
	guint64 tenths = (guint64)(v * 10 + 0.5);
	if (v < 10 && tenths % 10 != 0) {
		return g_strdup_printf("%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "\u00a0%s",
				       tenths / 10, tenths % 10, _(units[u]));
	}
	return g_strdup_printf("%" G_GUINT64_FORMAT "\u00a0%s", (guint64)(v + 0.5), _(units[u]));
}

typedef struct {
	CptUiConfirmFn on_accept;
	gpointer data;
	GDestroyNotify destroy;
} Confirm;

static void confirm_free(gpointer p)
{
	Confirm *c = p;
	if (c->destroy) {
		c->destroy(c->data);
	}
	g_free(c);
}

static void on_confirm_accept(GtkButton *b, gpointer window)
{
	Confirm *c = g_object_get_data(G_OBJECT(window), "cpt-confirm");
	if (c->on_accept) {
		c->on_accept(GTK_WINDOW(window), c->data);
	}
	gtk_window_destroy(GTK_WINDOW(window));
}

static void on_confirm_cancel(GtkButton *b, gpointer window)
{
	gtk_window_destroy(GTK_WINDOW(window));
}

GtkWindow *cpt_ui_confirm(GtkWidget *parent, const char *title, const char *text, GtkWidget *extra,
			  const char *accept_label, gboolean destructive, CptUiConfirmFn on_accept,
			  gpointer data, GDestroyNotify destroy)
{
	GtkWindow *w = GTK_WINDOW(gtk_window_new());
	Confirm *c = g_new0(Confirm, 1);
	c->on_accept = on_accept;
	c->data = data;
	c->destroy = destroy;
	g_object_set_data_full(G_OBJECT(w), "cpt-confirm", c, confirm_free);
	gtk_window_set_title(w, title);
	gtk_window_set_modal(w, TRUE);
	gtk_window_set_resizable(w, FALSE);
	GtkRoot *root = parent ? gtk_widget_get_root(parent) : NULL;
	if (GTK_IS_WINDOW(root)) {
		gtk_window_set_transient_for(w, GTK_WINDOW(root));
	}
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	g_object_set(box, "margin-top", 18, "margin-bottom", 12, "margin-start", 18, "margin-end",
		     18, NULL);
	GtkWidget *l = gtk_label_new(text);
	gtk_label_set_wrap(GTK_LABEL(l), TRUE);
	gtk_label_set_max_width_chars(GTK_LABEL(l), 60);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_box_append(GTK_BOX(box), l);
	if (extra) {
		gtk_box_append(GTK_BOX(box), extra);
	}
	GtkWidget *buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	gtk_widget_set_halign(buttons, GTK_ALIGN_END);
	GtkWidget *cancel = gtk_button_new_with_mnemonic(_("_Annuler"));
	gtk_widget_set_name(cancel, "confirm.cancel");
	g_signal_connect(cancel, "clicked", G_CALLBACK(on_confirm_cancel), w);
	GtkWidget *accept = gtk_button_new_with_mnemonic(accept_label);
	gtk_widget_set_name(accept, "confirm.accept");
	gtk_widget_add_css_class(accept, destructive ? "destructive-action" : "suggested-action");
	g_signal_connect(accept, "clicked", G_CALLBACK(on_confirm_accept), w);
	gtk_box_append(GTK_BOX(buttons), cancel);
	gtk_box_append(GTK_BOX(buttons), accept);
	gtk_box_append(GTK_BOX(box), buttons);
	gtk_window_set_child(w, box);
	/* Enter cancels: the destructive choice takes a deliberate click. */
	gtk_window_set_default_widget(w, cancel);
	gtk_window_present(w);
	return w;
}

char *cpt_ui_date_from_iso(const char *iso)
{
	int y, m, d;
	char rest;
	if (!iso || sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &rest) != 3) {
		return g_strdup(iso ? iso : "");
	}
	return g_strdup_printf("%02d/%02d/%04d", d, m, y);
}

char *cpt_ui_date_to_iso(const char *text)
{
	g_autofree char *t = g_strstrip(g_strdup(text ? text : ""));
	if (!*t) {
		return g_strdup("");
	}
	int d, m, y;
	char rest;
	if (sscanf(t, "%d/%d/%d%c", &d, &m, &y, &rest) != 3) {
		return NULL;
	}
	if (y < 100) {
		y += 2000;
	}
	if (d < 1 || d > 31 || m < 1 || m > 12 || y < 1 || y > 9999 ||
	    !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y)) {
		return NULL;
	}
	return g_strdup_printf("%04d-%02d-%02d", y, m, d);
}

const char *cpt_ui_status_text(const cpt_status *st)
{
	if (st->message[0]) {
		return st->message;
	}
	return st->code == CPT_OK ? "" : _("Erreur inattendue du serveur");
}

char *cpt_ui_count(guint n)
{
	char digits[16];
	int len = g_snprintf(digits, sizeof digits, "%u", n);
	GString *s = g_string_new(NULL);
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0) {
			g_string_append(s, "\u202f");
		}
		g_string_append_c(s, digits[i]);
	}
	return g_string_free(s, FALSE);
}

char *cpt_ui_rate(gint64 bp)
{
	const char *sign = bp < 0 ? "-" : "";
	guint64 v = bp < 0 ? (guint64)(-(bp + 1)) + 1 : (guint64)bp;
	guint64 whole = v / 100, hundredths = v % 100;
	if (hundredths == 0) {
		return g_strdup_printf("%s%" G_GUINT64_FORMAT "\u202f%%", sign, whole);
	}
	if (hundredths % 10 == 0) {
		return g_strdup_printf("%s%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "\u202f%%",
				       sign, whole, hundredths / 10);
	}
	return g_strdup_printf("%s%" G_GUINT64_FORMAT ",%02" G_GUINT64_FORMAT "\u202f%%", sign,
			       whole, hundredths);
}

GtkWidget *cpt_ui_find_named(GtkWidget *root, const char *name)
{
	if (g_strcmp0(gtk_widget_get_name(root), name) == 0) {
		return root;
	}
	for (GtkWidget *c = gtk_widget_get_first_child(root); c;
	     c = gtk_widget_get_next_sibling(c)) {
		GtkWidget *found = cpt_ui_find_named(c, name);
		if (found) {
			return found;
		}
	}
	return NULL;
}
