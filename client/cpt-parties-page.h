/*
 * CptPartiesPage: the "Clients et prospects" module — the list (search as
 * you type, without accents) and the client file ("fiche client") opened from
 * it: identity and identifiers, payment terms, dispute flag, addresses and
 * intervention sites, contacts, attached documents, the history panes of
 * modules still to come (shown empty, never faked), and the GDPR
 * anonymisation of the party or of one contact.
 */
#ifndef CPT_PARTIES_PAGE_H
#define CPT_PARTIES_PAGE_H

#include "cpt-conn.h"
#include "cpt-list-view.h"
#include "cpt-party-documents.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

enum {
	CPT_PARTY_CODE,
	CPT_PARTY_NAME,
	CPT_PARTY_KIND,
	CPT_PARTY_CITY,
	CPT_PARTY_PHONE,
	CPT_PARTY_DISPUTE,
	CPT_PARTY_N_CELLS
};

#define CPT_TYPE_PARTIES_PAGE (cpt_parties_page_get_type())
G_DECLARE_FINAL_TYPE(CptPartiesPage, cpt_parties_page, CPT, PARTIES_PAGE, GtkBox)

GtkWidget *cpt_parties_page_new(CptConn *conn);
/* The same page over the suppliers' book ("Fournisseurs"). */
GtkWidget *cpt_suppliers_page_new(CptConn *conn);
CptListView *cpt_parties_page_get_list(CptPartiesPage *self);
/*
 * Opens the client file of party id (0: a new client). The window's widgets
 * are named after the fields ("party.name", "party.siren"...) so tests and
 * error messages find them. Returns the window.
 */
GtkWindow *cpt_parties_page_open(CptPartiesPage *self, gint64 id);
/* In an open file: adds an address row (kind: billing, delivery, site) or a contact row. */
void cpt_party_form_add_address(GtkWindow *form, const char *kind, const char *label,
				const char *line1, const char *postcode, const char *city);
void cpt_party_form_add_contact(GtkWindow *form, const char *name, const char *role,
				const char *email, const char *phone);
/* Saves the file (Create or Update); the window stays open and shows the outcome. */
void cpt_party_form_save(GtkWindow *form);
/* The form's last message ("" when none). */
const char *cpt_party_form_get_message(GtkWindow *form);
/* The file's "Documents" section. */
CptPartyDocuments *cpt_party_form_get_documents(GtkWindow *form);
/*
 * Opens the "Anonymiser (RGPD)…" confirmation: the whole party or one saved
 * contact. Returns the dialog, or NULL when there is nothing to anonymise.
 */
GtkWindow *cpt_party_form_ask_anonymise(GtkWindow *form);
/* What the confirmation does: anonymises the party (contact_id 0) or that contact. */
void cpt_party_form_anonymise(GtkWindow *form, gint64 contact_id);
/* The record's id once saved or loaded (0 for a new one not yet saved). */
gint64 cpt_party_form_get_id(GtkWindow *form);

G_END_DECLS

#endif
