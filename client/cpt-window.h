/*
 * CptWindow: the main window. A sidebar of the modules the user's rights
 * open (modules still to come say so), a header with company, user and
 * server, and the connection's state while it reconnects.
 */
#ifndef CPT_WINDOW_H
#define CPT_WINDOW_H

#include "cpt-conn.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CPT_TYPE_WINDOW (cpt_window_get_type())
G_DECLARE_FINAL_TYPE(CptWindow, cpt_window, CPT, WINDOW, GtkApplicationWindow)

CptWindow *cpt_window_new(GtkApplication *app, CptConn *conn);
/* The module page named id ("admin", "clients"...), or NULL when not shown. */
GtkWidget *cpt_window_get_module(CptWindow *self, const char *id);
void cpt_window_show_module(CptWindow *self, const char *id);
const char *cpt_window_get_state_text(CptWindow *self);

G_END_DECLS

#endif
