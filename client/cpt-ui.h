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
/* A count with French digit grouping: "100 000" (narrow no-break spaces). */
char *cpt_ui_count(guint n);
/* "20 %", "5,5 %", "2,1 %" for a rate in hundredths of a percent. Caller g_free()s. */
char *cpt_ui_rate(gint64 bp);
/* "2026-11-22" as "22/11/2026"; other text is returned as it is. Caller g_free()s. */
char *cpt_ui_date(const char *iso);
/* The descendant of root (or root itself) whose widget name is name, or NULL. */
GtkWidget *cpt_ui_find_named(GtkWidget *root, const char *name);
/* A status as a sentence for people (the server's French message, or ours). */
const char *cpt_ui_status_text(const cpt_status *st);

#endif
