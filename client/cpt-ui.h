/*
 * Small helpers shared by the client's screens: server errors shown on the
 * field they name, French formats for dates and times.
 */
#ifndef CPT_UI_H
#define CPT_UI_H

#include "status.h"

#include <gtk/gtk.h>

/* Marks entry as wrong (or clears it with NULL) and puts the text in label. */
void cpt_ui_field_error(GtkWidget *entry, GtkLabel *label, const char *text);
/* Clears the error marks of the entries (NULL-terminated) and the label. */
void cpt_ui_clear_errors(GtkLabel *label, ...) G_GNUC_NULL_TERMINATED;
/* "22/11/2026 14:03" in local time; "" for 0. Caller g_free()s. */
char *cpt_ui_datetime(gint64 unix_seconds);
/* "22/11/2026" in local time; "" for 0. Caller g_free()s. */
char *cpt_ui_date(gint64 unix_seconds);
/*
 * A file size the French way, in units of 1 024: "850 octets", "12 ko",
 * "1,2 Mo" (a no-break space before the unit). Caller g_free()s.
 */
char *cpt_ui_size(guint64 bytes);
/* "2026-11-22" as "22/11/2026"; "" stays "". Caller g_free()s. */
char *cpt_ui_date_from_iso(const char *iso);
/*
 * "22/11/2026" (or "22/11/26", spaces around ignored) as "2026-11-22"; ""
 * for an empty text; NULL if it is not a date. Caller g_free()s.
 */
char *cpt_ui_date_to_iso(const char *text);
/* A count with French digit grouping: "100 000" (narrow no-break spaces). */
char *cpt_ui_count(guint n);
/*
 * Asks before an action that cannot be undone: a modal window over parent
 * with title, text, an optional extra widget (a choice to make), "Annuler"
 * and accept_label (destructive: shown red). On accept, on_accept(dialog,
 * data) runs before the window closes, so it can read the extra widget.
 * data is freed with destroy (may be NULL) either way. Returns the window.
 */
typedef void (*CptUiConfirmFn)(GtkWindow *dialog, gpointer data);
GtkWindow *cpt_ui_confirm(GtkWidget *parent, const char *title, const char *text, GtkWidget *extra,
			  const char *accept_label, gboolean destructive, CptUiConfirmFn on_accept,
			  gpointer data, GDestroyNotify destroy);
/* "20 %", "5,5 %", "2,1 %" for a rate in hundredths of a percent. Caller g_free()s. */
char *cpt_ui_rate(gint64 bp);
/* The descendant of root (or root itself) whose widget name is name, or NULL. */
GtkWidget *cpt_ui_find_named(GtkWidget *root, const char *name);
/* A status as a sentence for people (the server's French message, or ours). */
const char *cpt_ui_status_text(const cpt_status *st);

#endif
