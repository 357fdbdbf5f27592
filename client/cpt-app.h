/*
 * CptApp: the workstation application. It shows CptWelcome until a session
 * is open, then the main window; a logout or a session the server ended
 * brings the login back, on the same pinned connection.
 */
#ifndef CPT_APP_H
#define CPT_APP_H

#include "cpt-conn.h"
#include "cpt-welcome.h"
#include "cpt-window.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CPT_TYPE_APP (cpt_app_get_type())
G_DECLARE_FINAL_TYPE(CptApp, cpt_app, CPT, APP, GtkApplication)

CptApp *cpt_app_new(void);
/* What is on screen; NULL when not. Transfer none. */
CptWelcome *cpt_app_get_welcome(CptApp *self);
CptWindow *cpt_app_get_window(CptApp *self);
CptConn *cpt_app_get_conn(CptApp *self);
/* Sets up gettext: French source texts, catalogues from the build tree or installed. */
void cpt_app_init_i18n(const char *argv0);

G_END_DECLS

#endif
