/*
 * CptPartiesPage; see cpt-parties-page.h. The client file is a window built
 * here: a grid of identity fields named after the server's fields, rows of
 * addresses and contacts, the attached documents (CptPartyDocuments), the
 * history panes, and the GDPR anonymisation asked for in a dialog.
 */
#include "cpt-parties-page.h"
#include "cpt-import-dialog.h"
#include "cpt-party-documents.h"
#include "cpt-party-equipment.h"
#include "cpt-ui.h"

#include "parties.pb-c.h"

#include <glib/gi18n.h>

/* What differs between the clients' and the suppliers' books. */
typedef struct {
	const char *service; /* "comptoir.parties.Parties" */
	const CptListSource *source;
	const char *list_name, *topic, *document_topic, *write_permission;
	const char *file_title, *new_title, *new_tooltip;
} Book;

struct _CptPartiesPage {
	GtkBox parent_instance;
	const Book *book;
	CptConn *conn;
	CptListView *list;
};

G_DEFINE_TYPE(CptPartiesPage, cpt_parties_page, GTK_TYPE_BOX)

/* ---------------------------------------------------------------------------
 * The list source
 */

typedef struct {
	Comptoir__Parties__ListPartiesRequest req;
	Comptoir__Admin__Page page;
} PartiesQuery;

static ProtobufCMessage *parties_build(const CptPageQuery *q)
{
	PartiesQuery *u = g_malloc0(sizeof *u);
	comptoir__parties__list_parties_request__init(&u->req);
	u->req.search = (char *)q->search;
	u->req.kind = "";
	u->req.page = &u->page;
	cpt_page_query_fill(q, &u->page);
	return &u->req.base;
}

static void parties_parse(const ProtobufCMessage *m, const char *sort, GPtrArray *rows,
			  guint *total, gboolean *more)
{
	const Comptoir__Parties__ListPartiesReply *r = (const void *)m;
	*total = r->total;
	*more = r->more;
	for (size_t i = 0; i < r->n_parties; i++) {
		const Comptoir__Parties__PartySummary *p = r->parties[i];
		GStrv cells = g_new0(char *, CPT_PARTY_N_CELLS + 1);
		cells[CPT_PARTY_CODE] = g_strdup(p->code);
		cells[CPT_PARTY_NAME] = g_strdup(p->name);
		cells[CPT_PARTY_KIND] =
		    g_strdup(g_str_equal(p->kind, "prospect") ? _("prospect") : _("client"));
		cells[CPT_PARTY_CITY] = g_strdup(p->city);
		cells[CPT_PARTY_PHONE] = g_strdup(p->phone);
		cells[CPT_PARTY_DISPUTE] = g_strdup(p->dispute ? _("litige") : "");
		g_ptr_array_add(
		    rows,
		    cpt_row_new(p->id, g_str_equal(sort, "code") ? p->code : p->name, cells, 0));
	}
}

static const CptListSource suppliers_source = {
    .method = "comptoir.parties.Suppliers/List",
    .reply = &comptoir__parties__list_parties_reply__descriptor,
    .build = parties_build,
    .parse = parties_parse,
};

static const CptListSource parties_source = {
    .method = "comptoir.parties.Parties/List",
    .reply = &comptoir__parties__list_parties_reply__descriptor,
    .build = parties_build,
    .parse = parties_parse,
};

static const CptColumnSpec parties_columns[CPT_PARTY_N_CELLS] = {
    [CPT_PARTY_CODE] = {"code", N_("Code"), "code", FALSE, FALSE},
    [CPT_PARTY_NAME] = {"name", N_("Raison sociale"), "name", TRUE, FALSE},
    [CPT_PARTY_KIND] = {"kind", N_("Genre"), NULL, FALSE, FALSE},
    [CPT_PARTY_CITY] = {"city", N_("Ville"), NULL, TRUE, FALSE},
    [CPT_PARTY_PHONE] = {"phone", N_("Téléphone"), NULL, FALSE, FALSE},
    [CPT_PARTY_DISPUTE] = {"dispute", N_("Litige"), NULL, FALSE, FALSE},
};

/* ---------------------------------------------------------------------------
 * The client file
 */

typedef struct {
	CptPartiesPage *page;
	GtkWindow *window;
	gint64 id;
	GtkGrid *identity;
	GtkDropDown *kind;
	GtkSwitch *dispute;
	GtkBox *addresses; /* rows: a GtkBox per address, children named */
	GtkBox *contacts;
	CptPartyDocuments *documents;
	GtkLabel *message;
	GtkButton *save;
	GtkWidget *anonymise;
	GtkWidget *add_site, *add_contact;
	gint64 anonymised_at; /* the party's personal data was erased: the file is frozen */
	gboolean writable;
	gboolean closed;
	/* "Importer un tarif…": a supplier's file, with articles.write; else NULL */
	GtkWidget *import_prices;
} PartyForm;

static const char *const identity_fields[][2] = {
    {"party.code", N_("Code")},
    {"party.name", N_("Raison sociale")},
    {"party.legal_form", N_("Forme juridique")},
    {"party.siren", N_("SIREN")},
    {"party.siret", N_("SIRET")},
    {"party.be_enterprise", N_("N° d'entreprise (BE)")},
    {"party.vat_number", N_("N° de TVA intracommunautaire")},
    {"party.payment_terms", N_("Conditions de paiement")},
    {"party.sector", N_("Secteur")},
    {"party.sales_rep", N_("Commercial")},
    {"party.notes", N_("Notes")},
};

static void party_form_free(gpointer data)
{
	PartyForm *f = data;
	g_object_unref(f->page);
	g_free(f);
}

static PartyForm *form_of(GtkWindow *w)
{
	return g_object_get_data(G_OBJECT(w), "cpt-party-form");
}

/* The descendant of root named name, or NULL. */
static GtkWidget *find_named(GtkWidget *root, const char *name)
{
	if (g_strcmp0(gtk_widget_get_name(root), name) == 0) {
		return root;
	}
	for (GtkWidget *c = gtk_widget_get_first_child(root); c;
	     c = gtk_widget_get_next_sibling(c)) {
		GtkWidget *found = find_named(c, name);
		if (found) {
			return found;
		}
	}
	return NULL;
}

static const char *field_text(PartyForm *f, const char *name)
{
	GtkWidget *w = find_named(GTK_WIDGET(f->identity), name);
	return w ? gtk_editable_get_text(GTK_EDITABLE(w)) : "";
}

static GtkWidget *row_entry(GtkBox *row, const char *name, const char *placeholder, int chars,
			    const char *text)
{
	GtkWidget *e = gtk_entry_new();
	gtk_widget_set_name(e, name);
	gtk_entry_set_placeholder_text(GTK_ENTRY(e), placeholder);
	gtk_editable_set_width_chars(GTK_EDITABLE(e), chars);
	gtk_editable_set_text(GTK_EDITABLE(e), text ? text : "");
	gtk_box_append(row, e);
	return e;
}

static void on_remove_row(GtkButton *b, gpointer data)
{
	GtkWidget *row = gtk_widget_get_parent(GTK_WIDGET(b));
	gtk_box_remove(GTK_BOX(gtk_widget_get_parent(row)), row);
}

static GtkBox *new_row(GtkBox *list, gint64 id)
{
	GtkBox *row = GTK_BOX(gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6));
	g_object_set_data_full(G_OBJECT(row), "cpt-id", g_memdup2(&id, sizeof id), g_free);
	gtk_box_append(list, GTK_WIDGET(row));
	return row;
}

static void add_remove_button(GtkBox *row)
{
	GtkWidget *del = gtk_button_new_from_icon_name("list-remove-symbolic");
	gtk_widget_set_tooltip_text(del, _("Retirer"));
	g_signal_connect(del, "clicked", G_CALLBACK(on_remove_row), NULL);
	gtk_box_append(row, del);
}

static const char *const address_kinds[] = {"billing", "delivery", "site", NULL};

static void form_add_address(PartyForm *f, gint64 id, const char *kind, const char *label,
			     const char *line1, const char *postcode, const char *city)
{
	GtkBox *row = new_row(f->addresses, id);
	const char *labels[] = {_("Facturation"), _("Livraison"), _("Site d'intervention"), NULL};
	GtkWidget *k = gtk_drop_down_new_from_strings(labels);
	gtk_widget_set_name(k, "kind");
	for (guint i = 0; address_kinds[i]; i++) {
		if (g_strcmp0(kind, address_kinds[i]) == 0) {
			gtk_drop_down_set_selected(GTK_DROP_DOWN(k), i);
		}
	}
	gtk_box_append(row, k);
	row_entry(row, "label", _("Nom du site"), 16, label);
	row_entry(row, "line1", _("Adresse"), 22, line1);
	row_entry(row, "postcode", _("CP"), 6, postcode);
	row_entry(row, "city", _("Ville"), 14, city);
	add_remove_button(row);
}

static void form_add_contact(PartyForm *f, gint64 id, const char *name, const char *role,
			     const char *email, const char *phone)
{
	GtkBox *row = new_row(f->contacts, id);
	row_entry(row, "name", _("Nom"), 16, name);
	row_entry(row, "role", _("Fonction"), 14, role);
	row_entry(row, "email", _("E-mail"), 20, email);
	row_entry(row, "phone", _("Téléphone"), 12, phone);
	add_remove_button(row);
}

void cpt_party_form_add_address(GtkWindow *form, const char *kind, const char *label,
				const char *line1, const char *postcode, const char *city)
{
	form_add_address(form_of(form), 0, kind, label, line1, postcode, city);
}

void cpt_party_form_add_contact(GtkWindow *form, const char *name, const char *role,
				const char *email, const char *phone)
{
	form_add_contact(form_of(form), 0, name, role, email, phone);
}

static const char *row_text(GtkWidget *row, const char *name)
{
	GtkWidget *w = find_named(row, name);
	return w ? gtk_editable_get_text(GTK_EDITABLE(w)) : "";
}

static gint64 row_id(GtkWidget *row)
{
	gint64 *id = g_object_get_data(G_OBJECT(row), "cpt-id");
	return id ? *id : 0;
}

static void fill_form(PartyForm *f, const Comptoir__Parties__Party *p)
{
	const char *values[] = {p->code,   p->name,	     p->legal_form, p->siren,
				p->siret,  p->be_enterprise, p->vat_number, p->payment_terms,
				p->sector, p->sales_rep,     p->notes};
	for (size_t i = 0; i < G_N_ELEMENTS(identity_fields); i++) {
		GtkWidget *w = find_named(GTK_WIDGET(f->identity), identity_fields[i][0]);
		gtk_editable_set_text(GTK_EDITABLE(w), values[i]);
	}
	gtk_drop_down_set_selected(f->kind, g_str_equal(p->kind, "prospect") ? 1 : 0);
	gtk_switch_set_active(f->dispute, p->dispute);
	GtkWidget *c;
	while ((c = gtk_widget_get_first_child(GTK_WIDGET(f->addresses)))) {
		gtk_box_remove(f->addresses, c);
	}
	while ((c = gtk_widget_get_first_child(GTK_WIDGET(f->contacts)))) {
		gtk_box_remove(f->contacts, c);
	}
	for (size_t i = 0; i < p->n_addresses; i++) {
		const Comptoir__Parties__Address *a = p->addresses[i];
		form_add_address(f, a->id, a->kind, a->label, a->line1, a->postcode, a->city);
	}
	for (size_t i = 0; i < p->n_contacts; i++) {
		const Comptoir__Parties__Contact *ct = p->contacts[i];
		form_add_contact(f, ct->id, ct->name, ct->role, ct->email, ct->phone);
	}
	f->id = p->id;
	f->anonymised_at = p->anonymised_at;
	g_autofree char *title = g_strdup_printf("%s — %s", _(f->page->book->file_title), p->name);
	gtk_window_set_title(f->window, title);
	cpt_party_documents_set_party(f->documents, f->id, f->anonymised_at != 0);
	gtk_widget_set_sensitive(GTK_WIDGET(f->save), f->anonymised_at == 0);
	gtk_widget_set_sensitive(f->anonymise, f->anonymised_at == 0);
	gtk_widget_set_sensitive(f->add_site, f->anonymised_at == 0);
	gtk_widget_set_sensitive(f->add_contact, f->anonymised_at == 0);
	if (f->import_prices) {
		gtk_widget_set_sensitive(f->import_prices, TRUE);
	}
	if (f->anonymised_at) {
		g_autofree char *when = cpt_ui_date(f->anonymised_at);
		g_autofree char *text = g_strdup_printf(
		    _("Tiers anonymisé le %s (RGPD) : la fiche ne peut plus être modifiée."), when);
		gtk_label_set_text(f->message, text);
	}
}

static void party_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	PartyForm *f = form_of(window);
	if (f && !f->closed) {
		if (r->status.code == CPT_OK) {
			fill_form(f, ((Comptoir__Parties__PartyReply *)r->output)->party);
		} else {
			gtk_label_set_text(f->message, cpt_ui_status_text(&r->status));
		}
	}
	g_object_unref(window);
}

/* The widget that shows a server field: identity fields by name, rows by column. */
static GtkWidget *field_widget(PartyForm *f, const char *field)
{
	GtkWidget *w = find_named(GTK_WIDGET(f->identity), field);
	if (w) {
		return w;
	}
	const char *dot = strrchr(field, '.');
	GtkBox *rows = g_str_has_prefix(field, "party.addresses.")  ? f->addresses
		       : g_str_has_prefix(field, "party.contacts.") ? f->contacts
								    : NULL;
	return rows && dot ? find_named(GTK_WIDGET(rows), dot + 1) : NULL;
}

static void party_saved(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	PartyForm *f = form_of(window);
	if (f && !f->closed) {
		gtk_widget_set_sensitive(GTK_WIDGET(f->save), f->anonymised_at == 0);
		if (r->status.code != CPT_OK) {
			cpt_ui_field_error(field_widget(f, r->status.field), f->message,
					   cpt_ui_status_text(&r->status));
		} else {
			fill_form(f, ((Comptoir__Parties__PartyReply *)r->output)->party);
			gtk_label_set_text(f->message, _("Fiche enregistrée."));
			cpt_list_view_reload(f->page->list);
		}
	}
	g_object_unref(window);
}

void cpt_party_form_save(GtkWindow *form)
{
	PartyForm *f = form_of(form);
	for (size_t i = 0; i < G_N_ELEMENTS(identity_fields); i++) {
		cpt_ui_field_error(find_named(GTK_WIDGET(f->identity), identity_fields[i][0]), NULL,
				   NULL);
	}
	gtk_label_set_text(f->message, "");
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.id = f->id;
	p.kind = gtk_drop_down_get_selected(f->kind) == 1 ? "prospect" : "client";
	p.code = (char *)field_text(f, "party.code");
	p.name = (char *)field_text(f, "party.name");
	p.legal_form = (char *)field_text(f, "party.legal_form");
	p.siren = (char *)field_text(f, "party.siren");
	p.siret = (char *)field_text(f, "party.siret");
	p.be_enterprise = (char *)field_text(f, "party.be_enterprise");
	p.vat_number = (char *)field_text(f, "party.vat_number");
	p.payment_terms = (char *)field_text(f, "party.payment_terms");
	p.sector = (char *)field_text(f, "party.sector");
	p.sales_rep = (char *)field_text(f, "party.sales_rep");
	p.notes = (char *)field_text(f, "party.notes");
	p.dispute = gtk_switch_get_active(f->dispute);
	GPtrArray *addrs = g_ptr_array_new_with_free_func(g_free);
	for (GtkWidget *row = gtk_widget_get_first_child(GTK_WIDGET(f->addresses)); row;
	     row = gtk_widget_get_next_sibling(row)) {
		Comptoir__Parties__Address *a = g_new0(Comptoir__Parties__Address, 1);
		comptoir__parties__address__init(a);
		a->id = row_id(row);
		guint k = gtk_drop_down_get_selected(GTK_DROP_DOWN(find_named(row, "kind")));
		a->kind = (char *)address_kinds[k < 3 ? k : 0];
		a->label = (char *)row_text(row, "label");
		a->line1 = (char *)row_text(row, "line1");
		a->postcode = (char *)row_text(row, "postcode");
		a->city = (char *)row_text(row, "city");
		g_ptr_array_add(addrs, a);
	}
	GPtrArray *contacts = g_ptr_array_new_with_free_func(g_free);
	for (GtkWidget *row = gtk_widget_get_first_child(GTK_WIDGET(f->contacts)); row;
	     row = gtk_widget_get_next_sibling(row)) {
		Comptoir__Parties__Contact *c = g_new0(Comptoir__Parties__Contact, 1);
		comptoir__parties__contact__init(c);
		c->id = row_id(row);
		c->name = (char *)row_text(row, "name");
		c->role = (char *)row_text(row, "role");
		c->email = (char *)row_text(row, "email");
		c->phone = (char *)row_text(row, "phone");
		g_ptr_array_add(contacts, c);
	}
	p.n_addresses = addrs->len;
	p.addresses = (Comptoir__Parties__Address **)addrs->pdata;
	p.n_contacts = contacts->len;
	p.contacts = (Comptoir__Parties__Contact **)contacts->pdata;
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = &p;
	gtk_widget_set_sensitive(GTK_WIDGET(f->save), FALSE);
	g_autofree char *method =
	    g_strdup_printf("%s/%s", f->page->book->service, f->id ? "Update" : "Create");
	cpt_conn_call_async(f->page->conn, method, &req.base,
			    &comptoir__parties__party_reply__descriptor, NULL, party_saved,
			    g_object_ref(f->window));
	g_ptr_array_unref(addrs);
	g_ptr_array_unref(contacts);
}

/* ---------------------------------------------------------------------------
 * GDPR anonymisation
 */

static void party_anonymised(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	PartyForm *f = form_of(window);
	if (f && !f->closed) {
		if (r->status.code != CPT_OK) {
			gtk_widget_set_sensitive(f->anonymise, f->anonymised_at == 0);
			gtk_label_set_text(f->message, cpt_ui_status_text(&r->status));
		} else {
			const Comptoir__Parties__Party *p =
			    ((Comptoir__Parties__PartyReply *)r->output)->party;
			fill_form(f, p);
			if (!p->anonymised_at) {
				gtk_label_set_text(f->message, _("Contact anonymisé."));
			}
			cpt_list_view_reload(f->page->list);
		}
	}
	g_object_unref(window);
}

void cpt_party_form_anonymise(GtkWindow *form, gint64 contact_id)
{
	PartyForm *f = form_of(form);
	if (!f->id) {
		return;
	}
	Comptoir__Parties__AnonymiseRequest req = COMPTOIR__PARTIES__ANONYMISE_REQUEST__INIT;
	req.party_id = f->id;
	req.contact_id = contact_id;
	gtk_widget_set_sensitive(f->anonymise, FALSE);
	gtk_label_set_text(f->message, "");
	g_autofree char *method = g_strdup_printf("%s/Anonymise", f->page->book->service);
	cpt_conn_call_async(f->page->conn, method, &req.base,
			    &comptoir__parties__party_reply__descriptor, NULL, party_anonymised,
			    g_object_ref(f->window));
}

/* What the dialog's choice stands for: 0 the whole party, else a contact id. */
typedef struct {
	GtkWindow *form; /* a reference */
	GtkDropDown *choice;
	GArray *contact_ids; /* gint64, one per choice after the first */
} AnonymiseAsk;

static void anonymise_ask_free(gpointer p)
{
	AnonymiseAsk *a = p;
	g_object_unref(a->form);
	g_array_unref(a->contact_ids);
	g_free(a);
}

static void anonymise_confirmed(GtkWindow *dialog, gpointer data)
{
	AnonymiseAsk *a = data;
	PartyForm *f = form_of(a->form);
	guint k = gtk_drop_down_get_selected(a->choice);
	if (f && !f->closed) {
		cpt_party_form_anonymise(a->form, k > 0 && k <= a->contact_ids->len
						      ? g_array_index(a->contact_ids, gint64, k - 1)
						      : 0);
	}
}

GtkWindow *cpt_party_form_ask_anonymise(GtkWindow *form)
{
	PartyForm *f = form_of(form);
	if (!f->id || f->anonymised_at) {
		return NULL;
	}
	AnonymiseAsk *a = g_new0(AnonymiseAsk, 1);
	a->form = g_object_ref(form);
	a->contact_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	GtkStringList *choices = gtk_string_list_new(NULL);
	gtk_string_list_append(choices, _("Toute la fiche : le tiers et tous ses contacts"));
	/* Contacts already saved, as the server knows them. */
	for (GtkWidget *row = gtk_widget_get_first_child(GTK_WIDGET(f->contacts)); row;
	     row = gtk_widget_get_next_sibling(row)) {
		gint64 id = row_id(row);
		if (id) {
			g_autofree char *label =
			    g_strdup_printf(_("Le contact %s seulement"), row_text(row, "name"));
			gtk_string_list_append(choices, label);
			g_array_append_val(a->contact_ids, id);
		}
	}
	a->choice = GTK_DROP_DOWN(gtk_drop_down_new(G_LIST_MODEL(choices), NULL));
	gtk_widget_set_name(GTK_WIDGET(a->choice), "anonymise.scope");
	return cpt_ui_confirm(
	    GTK_WIDGET(form), _("Anonymiser (RGPD)"),
	    _("À la demande d'une personne, ses données personnelles sont effacées "
	      "définitivement : nom, coordonnées des contacts, lignes d'adresse, notes, "
	      "étiquettes et documents joints ; les identifiants d'une personne physique aussi. "
	      "Le code, les conditions de paiement et l'historique comptable sont conservés. "
	      "Une fiche entièrement anonymisée ne peut plus être modifiée."),
	    GTK_WIDGET(a->choice), _("_Anonymiser"), TRUE, anonymise_confirmed, a,
	    anonymise_ask_free);
}

static void on_import_prices(GtkButton *b, gpointer data)
{
	PartyForm *f = data;
	cpt_import_dialog_open(GTK_WIDGET(f->window), f->page->conn, CPT_IMPORT_SUPPLIER_PRICES,
			       f->id, field_text(f, "party.name"));
}

static void on_anonymise_clicked(GtkButton *b, gpointer data)
{
	cpt_party_form_ask_anonymise(((PartyForm *)data)->window);
}

CptPartyDocuments *cpt_party_form_get_documents(GtkWindow *form)
{
	return form_of(form)->documents;
}

const char *cpt_party_form_get_message(GtkWindow *form)
{
	return gtk_label_get_text(form_of(form)->message);
}

gint64 cpt_party_form_get_id(GtkWindow *form)
{
	return form_of(form)->id;
}

static void on_form_destroy(GtkWidget *w, gpointer data)
{
	((PartyForm *)data)->closed = TRUE;
}

static void on_save_clicked(GtkButton *b, gpointer data)
{
	cpt_party_form_save(((PartyForm *)data)->window);
}

static void on_add_site(GtkButton *b, gpointer data)
{
	form_add_address(data, 0, "site", "", "", "", "");
}

static void on_add_contact(GtkButton *b, gpointer data)
{
	form_add_contact(data, 0, "", "", "", "");
}

static GtkWidget *section(const char *title, GtkWidget *content, GtkWidget *button)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	GtkWidget *head = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	GtkWidget *l = gtk_label_new(title);
	gtk_widget_add_css_class(l, "heading");
	gtk_widget_set_hexpand(l, TRUE);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_box_append(GTK_BOX(head), l);
	if (button) {
		gtk_box_append(GTK_BOX(head), button);
	}
	gtk_box_append(GTK_BOX(box), head);
	gtk_box_append(GTK_BOX(box), content);
	return box;
}

/* History of modules not built yet: shown, and honestly empty. */
static GtkWidget *history_panes(void)
{
	GtkWidget *nb = gtk_notebook_new();
	const char *panes[] = {N_("Devis"), N_("Factures"), N_("Règlements"), N_("Contrats"),
			       N_("Interventions")};
	for (size_t i = 0; i < G_N_ELEMENTS(panes); i++) {
		GtkWidget *l = gtk_label_new(_("à venir"));
		gtk_widget_add_css_class(l, "dim-label");
		gtk_widget_set_size_request(l, -1, 60);
		gtk_notebook_append_page(GTK_NOTEBOOK(nb), l, gtk_label_new(_(panes[i])));
	}
	return nb;
}

GtkWindow *cpt_parties_page_open(CptPartiesPage *self, gint64 id)
{
	PartyForm *f = g_new0(PartyForm, 1);
	f->page = g_object_ref(self);
	f->id = id;
	f->window = GTK_WINDOW(gtk_window_new());
	gtk_window_set_title(f->window, id ? _(self->book->file_title) : _(self->book->new_title));
	gtk_window_set_default_size(f->window, 960, 720);
	GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
	if (GTK_IS_WINDOW(root)) {
		gtk_window_set_transient_for(f->window, GTK_WINDOW(root));
	}
	g_object_set_data_full(G_OBJECT(f->window), "cpt-party-form", f, party_form_free);
	g_signal_connect(f->window, "destroy", G_CALLBACK(on_form_destroy), f);

	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	g_object_set(box, "margin-top", 12, "margin-bottom", 12, "margin-start", 12, "margin-end",
		     12, NULL);
	f->identity = GTK_GRID(gtk_grid_new());
	gtk_grid_set_row_spacing(f->identity, 6);
	gtk_grid_set_column_spacing(f->identity, 12);
	for (size_t i = 0; i < G_N_ELEMENTS(identity_fields); i++) {
		int col = (int)(i % 2) * 2, row = (int)(i / 2);
		GtkWidget *l = gtk_label_new(_(identity_fields[i][1]));
		gtk_label_set_xalign(GTK_LABEL(l), 1);
		GtkWidget *e = gtk_entry_new();
		gtk_widget_set_name(e, identity_fields[i][0]);
		gtk_widget_set_hexpand(e, TRUE);
		gtk_grid_attach(f->identity, l, col, row, 1, 1);
		gtk_grid_attach(f->identity, e, col + 1, row, 1, 1);
	}
	int last = (int)(G_N_ELEMENTS(identity_fields) + 1) / 2;
	const char *kinds[] = {_("Client"), _("Prospect"), NULL};
	f->kind = GTK_DROP_DOWN(gtk_drop_down_new_from_strings(kinds));
	gtk_widget_set_name(GTK_WIDGET(f->kind), "party.kind");
	GtkWidget *kl = gtk_label_new(_("Genre"));
	gtk_label_set_xalign(GTK_LABEL(kl), 1);
	gtk_grid_attach(f->identity, kl, 0, last, 1, 1);
	gtk_grid_attach(f->identity, GTK_WIDGET(f->kind), 1, last, 1, 1);
	/* A supplier is a supplier: the server sets the kind. */
	gboolean suppliers = g_str_equal(self->book->topic, "supplier");
	gtk_widget_set_visible(kl, !suppliers);
	gtk_widget_set_visible(GTK_WIDGET(f->kind), !suppliers);
	f->dispute = GTK_SWITCH(gtk_switch_new());
	gtk_widget_set_halign(GTK_WIDGET(f->dispute), GTK_ALIGN_START);
	GtkWidget *dl = gtk_label_new(_("Litige"));
	gtk_label_set_xalign(GTK_LABEL(dl), 1);
	gtk_grid_attach(f->identity, dl, 2, last, 1, 1);
	gtk_grid_attach(f->identity, GTK_WIDGET(f->dispute), 3, last, 1, 1);
	gtk_editable_set_text(
	    GTK_EDITABLE(find_named(GTK_WIDGET(f->identity), "party.payment_terms")), "NET30");
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(f->identity));

	f->addresses = GTK_BOX(gtk_box_new(GTK_ORIENTATION_VERTICAL, 4));
	f->add_site = gtk_button_new_with_mnemonic(_("Ajouter un _site"));
	g_signal_connect(f->add_site, "clicked", G_CALLBACK(on_add_site), f);
	gtk_box_append(GTK_BOX(box), section(_("Adresses et sites d'intervention"),
					     GTK_WIDGET(f->addresses), f->add_site));
	f->contacts = GTK_BOX(gtk_box_new(GTK_ORIENTATION_VERTICAL, 4));
	f->add_contact = gtk_button_new_with_mnemonic(_("Ajouter un _contact"));
	g_signal_connect(f->add_contact, "clicked", G_CALLBACK(on_add_contact), f);
	gtk_box_append(GTK_BOX(box),
		       section(_("Contacts"), GTK_WIDGET(f->contacts), f->add_contact));
	GtkWidget *equipment = suppliers ? NULL : cpt_party_equipment_new(self->conn, id);
	if (equipment) {
		gtk_box_append(GTK_BOX(box), equipment);
	}
	f->writable = cpt_conn_has_permission(self->conn, self->book->write_permission);
	f->documents = CPT_PARTY_DOCUMENTS(cpt_party_documents_new(
	    self->conn, self->book->service, self->book->document_topic, f->writable));
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(f->documents));
	GtkWidget *outstanding = gtk_label_new(_("Encours : à venir avec la facturation"));
	gtk_label_set_xalign(GTK_LABEL(outstanding), 0);
	gtk_widget_add_css_class(outstanding, "dim-label");
	gtk_box_append(GTK_BOX(box), outstanding);
	gtk_box_append(GTK_BOX(box), section(_("Historique"), history_panes(), NULL));

	GtkWidget *bottom = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	f->message = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_xalign(f->message, 0);
	gtk_label_set_wrap(f->message, TRUE);
	gtk_widget_set_hexpand(GTK_WIDGET(f->message), TRUE);
	f->save = GTK_BUTTON(gtk_button_new_with_mnemonic(_("_Enregistrer")));
	gtk_widget_add_css_class(GTK_WIDGET(f->save), "suggested-action");
	g_signal_connect(f->save, "clicked", G_CALLBACK(on_save_clicked), f);
	f->anonymise = gtk_button_new_with_mnemonic(_("A_nonymiser (RGPD)…"));
	gtk_widget_set_name(f->anonymise, "party.anonymise");
	gtk_widget_set_tooltip_text(
	    f->anonymise, _("Effacer les données personnelles à la demande d'une personne"));
	gtk_widget_set_visible(f->anonymise, f->writable);
	gtk_widget_set_sensitive(f->anonymise, id != 0);
	g_signal_connect(f->anonymise, "clicked", G_CALLBACK(on_anonymise_clicked), f);
	gtk_box_append(GTK_BOX(bottom), GTK_WIDGET(f->message));
	gtk_box_append(GTK_BOX(bottom), f->anonymise);
	if (suppliers && cpt_conn_has_permission(self->conn, "articles.write")) {
		f->import_prices = gtk_button_new_with_mnemonic(_("Importer un _tarif…"));
		gtk_widget_set_name(f->import_prices, "supplier.import_prices");
		gtk_widget_set_sensitive(f->import_prices, id != 0);
		g_signal_connect(f->import_prices, "clicked", G_CALLBACK(on_import_prices), f);
		gtk_box_append(GTK_BOX(bottom), f->import_prices);
	}
	gtk_box_append(GTK_BOX(bottom), GTK_WIDGET(f->save));
	gtk_box_append(GTK_BOX(box), bottom);

	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), box);
	gtk_window_set_child(f->window, scroll);
	gtk_window_set_default_widget(f->window, GTK_WIDGET(f->save));
	if (id) {
		Comptoir__Parties__GetPartyRequest req = COMPTOIR__PARTIES__GET_PARTY_REQUEST__INIT;
		req.id = id;
		g_autofree char *get = g_strdup_printf("%s/Get", self->book->service);
		cpt_conn_call_async(self->conn, get, &req.base,
				    &comptoir__parties__party_reply__descriptor, NULL, party_loaded,
				    g_object_ref(f->window));
	}
	gtk_window_present(f->window);
	return f->window;
}

/* ---------------------------------------------------------------------------
 * The page
 */

static void on_new(GtkButton *b, gpointer data)
{
	cpt_parties_page_open(CPT_PARTIES_PAGE(data), 0);
}

static void on_import(GtkButton *b, gpointer data)
{
	CptPartiesPage *self = data;
	cpt_import_dialog_open(GTK_WIDGET(self), self->conn, CPT_IMPORT_CLIENTS, 0, NULL);
}

static void on_open(GtkButton *b, gpointer data)
{
	CptPartiesPage *self = data;
	CptRow *row = cpt_list_view_get_selected(self->list);
	if (row) {
		cpt_parties_page_open(self, row->id);
	}
}

static void on_activate(GtkColumnView *view, guint position, gpointer data)
{
	CptPartiesPage *self = data;
	g_autoptr(CptRow) row =
	    g_list_model_get_item(G_LIST_MODEL(cpt_list_view_get_model(self->list)), position);
	if (row && !row->loading) {
		cpt_parties_page_open(self, row->id);
	}
}

static void module_refresh(GtkWidget *w, const char *name, GVariant *param)
{
	cpt_list_view_reload(CPT_PARTIES_PAGE(w)->list);
}

static void module_new(GtkWidget *w, const char *name, GVariant *param)
{
	cpt_parties_page_open(CPT_PARTIES_PAGE(w), 0);
}

static void module_search(GtkWidget *w, const char *name, GVariant *param)
{
	gtk_widget_grab_focus(GTK_WIDGET(cpt_list_view_get_search(CPT_PARTIES_PAGE(w)->list)));
}

CptListView *cpt_parties_page_get_list(CptPartiesPage *self)
{
	return self->list;
}

static void cpt_parties_page_dispose(GObject *object)
{
	g_clear_object(&CPT_PARTIES_PAGE(object)->conn);
	G_OBJECT_CLASS(cpt_parties_page_parent_class)->dispose(object);
}

static void cpt_parties_page_class_init(CptPartiesPageClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = cpt_parties_page_dispose;
	gtk_widget_class_install_action(wc, "module.refresh", NULL, module_refresh);
	gtk_widget_class_install_action(wc, "module.new", NULL, module_new);
	gtk_widget_class_install_action(wc, "module.search", NULL, module_search);
}

static void cpt_parties_page_init(CptPartiesPage *self)
{
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	g_object_set(self, "margin-top", 6, "margin-bottom", 6, "margin-start", 12, "margin-end",
		     12, NULL);
}

static const Book clients_book = {
    .service = "comptoir.parties.Parties",
    .source = &parties_source,
    .list_name = "parties",
    .topic = "party",
    .document_topic = "party_document",
    .write_permission = "clients.write",
    .file_title = N_("Fiche client"),
    .new_title = N_("Nouveau client"),
    .new_tooltip = N_("Nouveau client (Ctrl+N)"),
};

static const Book suppliers_book = {
    .service = "comptoir.parties.Suppliers",
    .source = &suppliers_source,
    .list_name = "suppliers",
    .topic = "supplier",
    .document_topic = "supplier_document",
    .write_permission = "suppliers.write",
    .file_title = N_("Fiche fournisseur"),
    .new_title = N_("Nouveau fournisseur"),
    .new_tooltip = N_("Nouveau fournisseur (Ctrl+N)"),
};

static GtkWidget *page_new(CptConn *conn, const Book *book)
{
	CptPartiesPage *self = g_object_new(CPT_TYPE_PARTIES_PAGE, NULL);
	self->conn = g_object_ref(conn);
	self->book = book;
	self->list = cpt_list_view_new(conn, book->list_name, book->source, parties_columns,
				       CPT_PARTY_N_CELLS);
	gtk_widget_set_vexpand(GTK_WIDGET(self->list), TRUE);
	cpt_list_view_follow(self->list, book->topic);
	g_object_set(cpt_list_view_get_search(self->list), "placeholder-text",
		     _("Code, nom, SIREN ou TVA — sans se soucier des accents"), NULL);
	if (cpt_conn_has_permission(conn, book->write_permission)) {
		GtkWidget *b = gtk_button_new_with_mnemonic(_("_Nouveau"));
		gtk_widget_set_tooltip_text(b, _(book->new_tooltip));
		g_signal_connect(b, "clicked", G_CALLBACK(on_new), self);
		gtk_box_append(cpt_list_view_get_toolbar(self->list), b);
	}
	if (book == &clients_book && cpt_conn_has_permission(conn, "clients.write")) {
		GtkWidget *b = gtk_button_new_with_mnemonic(_("_Importer…"));
		gtk_widget_set_name(b, "list.import");
		gtk_widget_set_tooltip_text(b, _("Importer des clients depuis un fichier CSV"));
		g_signal_connect(b, "clicked", G_CALLBACK(on_import), self);
		gtk_box_append(cpt_list_view_get_toolbar(self->list), b);
	}
	GtkWidget *open = gtk_button_new_with_mnemonic(_("_Ouvrir la fiche"));
	g_signal_connect(open, "clicked", G_CALLBACK(on_open), self);
	gtk_box_append(cpt_list_view_get_toolbar(self->list), open);
	g_signal_connect(cpt_list_view_get_column_view(self->list), "activate",
			 G_CALLBACK(on_activate), self);
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->list));
	return GTK_WIDGET(self);
}

GtkWidget *cpt_parties_page_new(CptConn *conn)
{
	return page_new(conn, &clients_book);
}

GtkWidget *cpt_suppliers_page_new(CptConn *conn)
{
	return page_new(conn, &suppliers_book);
}
