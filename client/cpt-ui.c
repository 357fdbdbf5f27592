/* Shared UI helpers; see cpt-ui.h. */
#include "cpt-ui.h"

#include <glib/gi18n.h>
#include <stdarg.h>

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
