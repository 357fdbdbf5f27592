/*
 * CptAdminPage: the administration console — users (create with a temporary
 * password, edit, lock or unlock, reset the password, grant a role in the
 * company), roles with their permissions matrix, the company's settings
 * (CptCompanyPage) and the audit log. Shown only to users with admin.users or
 * admin.audit; the server checks anyway.
 */
#ifndef CPT_ADMIN_PAGE_H
#define CPT_ADMIN_PAGE_H

#include "cpt-company-page.h"
#include "cpt-conn.h"
#include "cpt-list-view.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CPT_TYPE_ADMIN_PAGE (cpt_admin_page_get_type())
G_DECLARE_FINAL_TYPE(CptAdminPage, cpt_admin_page, CPT, ADMIN_PAGE, GtkBox)

GtkWidget *cpt_admin_page_new(CptConn *conn);
CptListView *cpt_admin_page_get_users(CptAdminPage *self);
CptListView *cpt_admin_page_get_audit(CptAdminPage *self);
/* The Société tab; NULL without admin.users. */
CptCompanyPage *cpt_admin_page_get_company(CptAdminPage *self);
void cpt_admin_page_show(CptAdminPage *self, const char *tab); /* users, roles, company, audit */

/*
 * The user form: opens a window to create a user (row NULL) or edit one.
 * Returns the window so tests can fill it; it closes itself when done.
 */
GtkWindow *cpt_admin_page_open_user_form(CptAdminPage *self, CptRow *row);
/* Locks or unlocks the selected user. */
void cpt_admin_page_toggle_lock(CptAdminPage *self);
/* Filters the audit log as the filter bar does (dates as jj/mm/aaaa). */
void cpt_admin_page_filter_audit(CptAdminPage *self, const char *login, const char *from,
				 const char *to);
/* The last message shown to the user (temporary password, error). */
const char *cpt_admin_page_get_message(CptAdminPage *self);

G_END_DECLS

#endif
