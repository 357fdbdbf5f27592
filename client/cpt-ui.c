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

char *cpt_ui_date(const char *iso)
{
	int y, m, d;
	char end;
	if (iso && sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &end) == 3) {
		return g_strdup_printf("%02d/%02d/%04d", d, m, y);
	}
	return g_strdup(iso ? iso : "");
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
