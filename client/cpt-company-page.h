/*
 * CptCompanyPage: the "Société" tab of the administration console — the
 * settings of the session's company that every printed document and
 * e-invoice uses, grouped as Identité, Adresse et contact, Banque, Documents
 * (colour, logo, footer, quote validity) and Règlement (VAT on debits, late
 * penalties with a live preview of the printed sentence, early discount).
 * The server checks every field; its refusal shows on the field it names.
 *
 * Every input widget is named after its field in the request
 * ("company.iban", "company.logo"...), so that errors and tests find it
 * with cpt_ui_find_named().
 */
#ifndef CPT_COMPANY_PAGE_H
#define CPT_COMPANY_PAGE_H

#include "cpt-conn.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CPT_TYPE_COMPANY_PAGE (cpt_company_page_get_type())
G_DECLARE_FINAL_TYPE(CptCompanyPage, cpt_company_page, CPT, COMPANY_PAGE, GtkBox)

/* Loads the settings at once. */
GtkWidget *cpt_company_page_new(CptConn *conn);
/* Reads the settings again from the server, dropping what was not saved. */
void cpt_company_page_reload(CptCompanyPage *self);
/* Sends the form; "Paramètres enregistrés." or the error on its field. */
void cpt_company_page_save(CptCompanyPage *self);
/* Takes file as the new logo (a PNG), shown at once, sent with the next save. */
void cpt_company_page_set_logo_file(CptCompanyPage *self, GFile *file);
/* Removes the logo at the next save. */
void cpt_company_page_remove_logo(CptCompanyPage *self);
/* Whether a call or a file read is under way. */
gboolean cpt_company_page_is_busy(CptCompanyPage *self);
/* Whether the settings were read at least once. */
gboolean cpt_company_page_is_loaded(CptCompanyPage *self);
/* The last message (saved, error). */
const char *cpt_company_page_get_message(CptCompanyPage *self);
/* The late-penalty sentence as documents will print it, from the form. */
const char *cpt_company_page_get_penalty_preview(CptCompanyPage *self);

G_END_DECLS

#endif
