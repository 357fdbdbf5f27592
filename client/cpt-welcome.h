/*
 * CptWelcome: the window a person meets before the main one: server and
 * port, trust on first use of its certificate, login, the forced password
 * change, the choice of company. Emits "authenticated" once a session is open.
 */
#ifndef CPT_WELCOME_H
#define CPT_WELCOME_H

#include "cpt-conn.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CPT_TYPE_WELCOME (cpt_welcome_get_type())
G_DECLARE_FINAL_TYPE(CptWelcome, cpt_welcome, CPT, WELCOME, GtkApplicationWindow)

CptWelcome *cpt_welcome_new(GtkApplication *app);
/* The connection made here; NULL before "Se connecter". Transfer none. */
CptConn *cpt_welcome_get_conn(CptWelcome *self);
/* Starts at the login page on an existing connection (after a logout). */
void cpt_welcome_show_login(CptWelcome *self, CptConn *conn);
/* The visible page: "server", "trust", "login", "change" or "company". */
const char *cpt_welcome_get_page(CptWelcome *self);
const char *cpt_welcome_get_message(CptWelcome *self);

G_END_DECLS

#endif
