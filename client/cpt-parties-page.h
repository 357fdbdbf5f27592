/*
 * CptPartiesPage: the "Clients et prospects" module — the list (search as
 * you type, without accents; filters on sector, sales rep and disputes) and
 * the client file ("fiche client") opened from it: identity and
 * identifiers, payment terms, sector, sales rep, payment method and price
 * list, tags and marketing segments, dispute flag, addresses and
 * intervention sites, contacts, attached documents, the history panes of
 * modules still to come (shown empty, never faked), and the GDPR
 * anonymisation of the party or of one contact. Users with clients.write
 * also reach the "Secteurs et commerciaux" window (cpt-party-refs.h).
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
	CPT_PARTY_SECTOR,
	CPT_PARTY_SALES_REP,
	CPT_PARTY_N_CELLS
};

#define CPT_TYPE_PARTIES_PAGE (cpt_parties_page_get_type())
G_DECLARE_FINAL_TYPE(CptPartiesPage, cpt_parties_page, CPT, PARTIES_PAGE, GtkBox)

GtkWidget *cpt_parties_page_new(CptConn *conn);
/* The same page over the suppliers' book ("Fournisseurs"). */
GtkWidget *cpt_suppliers_page_new(CptConn *conn);
CptListView *cpt_parties_page_get_list(CptPartiesPage *self);
/*
 * Filters the list as its controls do ("filter.sector_id",
 * "filter.sales_rep_id", "filter.dispute_only"); 0 is any. An id the
 * filter does not offer (yet) counts as any.
 */
void cpt_parties_page_filter(CptPartiesPage *self, gint64 sector_id, gint64 sales_rep_id,
			     gboolean dispute_only);
/* Opens "Secteurs et commerciaux"; NULL without clients.write or in the suppliers' book. */
GtkWindow *cpt_parties_page_open_refs(CptPartiesPage *self);
/*
 * Opens the client file of party id (0: a new client). The window's widgets
 * are named after the fields ("party.name", "party.siren"...; dropdowns
 * "party.sector_id", "party.sales_rep_id", "party.payment_method",
 * "party.price_list_id"; chips "party.tags" and "party.segments", each with
 * an entry "party.tags.new"...) so tests and error messages find them.
 * Returns the window.
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
/* Whether the record or a reference list is still on its way. */
gboolean cpt_party_form_is_loading(GtkWindow *form);

G_END_DECLS

#endif
