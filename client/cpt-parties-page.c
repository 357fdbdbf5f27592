/*
 * CptPartiesPage; see cpt-parties-page.h. The client file is a window built
 * here: a grid of identity fields named after the server's fields, the
 * references (sector, sales rep, payment method, price list) chosen in
 * dropdowns, tags and segments as removable chips, rows of addresses and
 * contacts, the attached documents (CptPartyDocuments), the history panes,
 * and the GDPR anonymisation asked for in a dialog.
 *
 * The reference lists are asked for when the file opens, beside the record;
 * each dropdown selects the record's value once both are in. A list that
 * cannot be had (a right the user lacks, or a supplier, who has no rep nor
 * price list) hides its dropdown, and the record's value is sent back as it
 * came: a save never clears what the user could not see.
 *
 * The list filters on sector, sales rep and disputes through the source's
 * filter struct (cpt_paged_model_set_filter).
 */
#include "cpt-parties-page.h"
#include "cpt-import-dialog.h"
#include "cpt-party-documents.h"
#include "cpt-party-equipment.h"
#include "cpt-party-refs.h"
#include "cpt-party-sales.h"
#include "cpt-ui.h"

#include "articles.pb-c.h"
#include "parties.pb-c.h"

#include <glib/gi18n.h>

#define REFS_SERVICE "comptoir.parties.PartyRefs/"

/* What differs between the clients' and the suppliers' books. */
typedef struct {
	const char *service; /* "comptoir.parties.Parties" */
	const CptListSource *source;
	const char *list_name, *topic, *document_topic, *write_permission;
	const char *file_title, *new_title, *new_tooltip;
} Book;

/* What the list filters on besides the search text; read by parties_build(). */
typedef struct {
	gint64 sector_id;    /* 0 any */
	gint64 sales_rep_id; /* 0 any */
	gboolean dispute_only;
} PartyFilter;

struct _CptPartiesPage {
	GtkBox parent_instance;
	const Book *book;
	CptConn *conn;
	CptListView *list;
	PartyFilter filter;
	GtkDropDown *sector_filter, *rep_filter; /* NULL for suppliers */
	GArray *sector_ids, *rep_ids; /* gint64 by position in the filters, 0 ("all") first */
	GtkCheckButton *dispute_filter;
	gboolean applying; /* the filters are being set from code */
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
	const PartyFilter *f = q->filter;
	u->req.sector_id = f ? f->sector_id : 0;
	u->req.sales_rep_id = f ? f->sales_rep_id : 0;
	u->req.dispute_only = f && f->dispute_only;
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
		cells[CPT_PARTY_SECTOR] = g_strdup(p->sector);
		cells[CPT_PARTY_SALES_REP] = g_strdup(p->sales_rep);
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
    [CPT_PARTY_SECTOR] = {"sector", N_("Secteur"), NULL, FALSE, FALSE},
    [CPT_PARTY_SALES_REP] = {"sales_rep", N_("Commercial"), NULL, FALSE, FALSE},
};

/* ---------------------------------------------------------------------------
 * The client file
 */

/* The references a party points at, each chosen in a dropdown. */
enum { REF_SECTOR, REF_SALES_REP, REF_PAYMENT_METHOD, REF_PRICE_LIST, REF_N };

typedef struct {
	const char *field; /* the server's field, the dropdown's name */
	const char *title;
	gboolean clients_only; /* a supplier has no rep nor price list */
} RefSpec;

static const RefSpec ref_specs[REF_N] = {
    [REF_SECTOR] = {"party.sector_id", N_("Secteur"), FALSE},
    [REF_SALES_REP] = {"party.sales_rep_id", N_("Commercial"), TRUE},
    [REF_PAYMENT_METHOD] = {"party.payment_method", N_("Mode de paiement"), FALSE},
    [REF_PRICE_LIST] = {"party.price_list_id", N_("Tarif"), TRUE},
};

typedef struct {
	GtkDropDown *drop;
	GtkWidget *label;
	GPtrArray *keys; /* char *, by position: an id as text or a code; "" (none) first */
	char *kept;	 /* the record's value as a key: sent back while the list is not in */
	gboolean loaded; /* the list is in: the dropdown says what is saved */
} RefChoice;

typedef struct {
	CptPartiesPage *page;
	GtkWindow *window;
	gint64 id;
	GtkGrid *identity;
	RefChoice refs[REF_N];
	GtkFlowBox *tags, *segments;
	guint pending;	  /* reference lists asked for and not come yet */
	gboolean loading; /* the record was asked for and is not shown yet */
	gboolean saving;
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
    {"party.payer_code", N_("Tiers payeur (code)")},
    {"party.notes", N_("Notes")},
};

static void party_form_free(gpointer data)
{
	PartyForm *f = data;
	for (int i = 0; i < REF_N; i++) {
		g_ptr_array_unref(f->refs[i].keys);
		g_free(f->refs[i].kept);
	}
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

/* ---------------------------------------------------------------------------
 * References in dropdowns
 */

/* Selects the kept value in a loaded dropdown; a value the list lacks is added. */
static void ref_apply(PartyForm *f, int i)
{
	RefChoice *c = &f->refs[i];
	if (!c->loaded) {
		return;
	}
	const char *want = c->kept ? c->kept : "";
	for (guint k = 0; k < c->keys->len; k++) {
		if (g_str_equal(g_ptr_array_index(c->keys, k), want)) {
			gtk_drop_down_set_selected(c->drop, k);
			return;
		}
	}
	/* Made since the list came: shown by its key rather than lost. */
	GtkStringList *names = GTK_STRING_LIST(gtk_drop_down_get_model(c->drop));
	g_autofree char *label = g_strdup_printf(_("n° %s"), want);
	gtk_string_list_append(names, label);
	g_ptr_array_add(c->keys, g_strdup(want));
	gtk_drop_down_set_selected(c->drop, c->keys->len - 1);
}

/* What is saved for reference i: the dropdown's choice, or the value as it came. */
static const char *ref_key(PartyForm *f, int i)
{
	RefChoice *c = &f->refs[i];
	if (!c->loaded) {
		return c->kept ? c->kept : "";
	}
	guint k = gtk_drop_down_get_selected(c->drop);
	return k < c->keys->len ? g_ptr_array_index(c->keys, k) : "";
}

static gint64 ref_id(PartyForm *f, int i)
{
	return g_ascii_strtoll(ref_key(f, i), NULL, 10);
}

static void ref_keep(PartyForm *f, int i, gint64 id, const char *code)
{
	g_free(f->refs[i].kept);
	f->refs[i].kept = code ? g_strdup(code)
			  : id ? g_strdup_printf("%" G_GINT64_FORMAT, id)
			       : g_strdup("");
	ref_apply(f, i);
}

static void ref_add(GtkStringList *names, GPtrArray *keys, const char *label, char *key)
{
	gtk_string_list_append(names, label);
	g_ptr_array_add(keys, key);
}

/* Appends reference i's choices from its list reply. */
static void ref_fill(int i, const ProtobufCMessage *m, GtkStringList *names, GPtrArray *keys)
{
	if (i == REF_SECTOR) {
		const Comptoir__Parties__ListSectorsReply *r = (const void *)m;
		for (size_t k = 0; k < r->n_sectors; k++) {
			ref_add(names, keys, r->sectors[k]->label,
				g_strdup_printf("%" G_GINT64_FORMAT, r->sectors[k]->id));
		}
	} else if (i == REF_SALES_REP) {
		const Comptoir__Parties__ListSalesRepsReply *r = (const void *)m;
		for (size_t k = 0; k < r->n_sales_reps; k++) {
			const Comptoir__Parties__SalesRep *rep = r->sales_reps[k];
			g_autofree char *label = rep->inactive
						     ? g_strdup_printf(_("%s (inactif)"), rep->name)
						     : g_strdup(rep->name);
			ref_add(names, keys, label, g_strdup_printf("%" G_GINT64_FORMAT, rep->id));
		}
	} else if (i == REF_PAYMENT_METHOD) {
		const Comptoir__Parties__ListPaymentMethodsReply *r = (const void *)m;
		for (size_t k = 0; k < r->n_payment_methods; k++) {
			ref_add(names, keys, r->payment_methods[k]->label,
				g_strdup(r->payment_methods[k]->code));
		}
	} else {
		const Comptoir__Articles__ListPriceListsReply *r = (const void *)m;
		for (size_t k = 0; k < r->n_price_lists; k++) {
			g_autofree char *label = g_strdup_printf("%s — %s", r->price_lists[k]->code,
								 r->price_lists[k]->label);
			ref_add(names, keys, label,
				g_strdup_printf("%" G_GINT64_FORMAT, r->price_lists[k]->id));
		}
	}
}

static void update_save(PartyForm *f)
{
	gtk_widget_set_sensitive(GTK_WIDGET(f->save), f->anonymised_at == 0 && !f->loading &&
							  f->pending == 0 && !f->saving);
}

typedef struct {
	GtkWindow *window; /* a reference */
	int ref;
} RefFetch;

static void ref_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	RefFetch *rf = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	PartyForm *f = form_of(rf->window);
	if (f && !f->closed) {
		RefChoice *c = &f->refs[rf->ref];
		f->pending--;
		if (r->status.code == CPT_OK) {
			GtkStringList *names = gtk_string_list_new(NULL);
			g_ptr_array_set_size(c->keys, 0);
			ref_add(names, c->keys, _("— aucun —"), g_strdup(""));
			ref_fill(rf->ref, r->output, names, c->keys);
			gtk_drop_down_set_model(c->drop, G_LIST_MODEL(names));
			g_object_unref(names);
			c->loaded = TRUE;
			gtk_widget_set_sensitive(GTK_WIDGET(c->drop), TRUE);
			ref_apply(f, rf->ref);
		} else {
			gtk_widget_set_visible(GTK_WIDGET(c->drop), FALSE);
			gtk_widget_set_visible(c->label, FALSE);
		}
		update_save(f);
	}
	g_object_unref(rf->window);
	g_free(rf);
}

/* Asks for the lists the book and the user's rights allow; hides the others. */
static void load_refs(PartyForm *f)
{
	CptConn *conn = f->page->conn;
	gboolean suppliers = g_str_equal(f->page->book->topic, "supplier");
	gboolean clients_read = cpt_conn_has_permission(conn, "clients.read");
	for (int i = 0; i < REF_N; i++) {
		gboolean wanted = clients_read && !(suppliers && ref_specs[i].clients_only);
		if (i == REF_PRICE_LIST) {
			wanted = wanted && cpt_conn_has_permission(conn, "articles.read");
		}
		if (!wanted) {
			gtk_widget_set_visible(GTK_WIDGET(f->refs[i].drop), FALSE);
			gtk_widget_set_visible(f->refs[i].label, FALSE);
			continue;
		}
		RefFetch *rf = g_new0(RefFetch, 1);
		rf->window = g_object_ref(f->window);
		rf->ref = i;
		f->pending++;
		Comptoir__Parties__ListSectorsRequest sectors =
		    COMPTOIR__PARTIES__LIST_SECTORS_REQUEST__INIT;
		Comptoir__Parties__ListSalesRepsRequest reps =
		    COMPTOIR__PARTIES__LIST_SALES_REPS_REQUEST__INIT;
		Comptoir__Parties__ListPaymentMethodsRequest methods =
		    COMPTOIR__PARTIES__LIST_PAYMENT_METHODS_REQUEST__INIT;
		Comptoir__Articles__ListPriceListsRequest lists =
		    COMPTOIR__ARTICLES__LIST_PRICE_LISTS_REQUEST__INIT;
		reps.include_inactive = TRUE; /* a party may keep a rep who left */
		const ProtobufCMessage *req[REF_N] = {&sectors.base, &reps.base, &methods.base,
						      &lists.base};
		const char *method[REF_N] = {
		    REFS_SERVICE "ListSectors", REFS_SERVICE "ListSalesReps",
		    REFS_SERVICE "ListPaymentMethods", "comptoir.articles.Pricing/ListPriceLists"};
		const ProtobufCMessageDescriptor *reply[REF_N] = {
		    &comptoir__parties__list_sectors_reply__descriptor,
		    &comptoir__parties__list_sales_reps_reply__descriptor,
		    &comptoir__parties__list_payment_methods_reply__descriptor,
		    &comptoir__articles__list_price_lists_reply__descriptor};
		cpt_conn_call_async(conn, method[i], req[i], reply[i], NULL, ref_loaded, rf);
	}
}

/* ---------------------------------------------------------------------------
 * Tags and segments: removable chips and an entry to add one
 */

static void on_chip_remove(GtkButton *b, gpointer data)
{
	GtkWidget *child = gtk_widget_get_ancestor(GTK_WIDGET(b), GTK_TYPE_FLOW_BOX_CHILD);
	GtkWidget *flow = gtk_widget_get_ancestor(GTK_WIDGET(b), GTK_TYPE_FLOW_BOX);
	if (child && flow) {
		gtk_flow_box_remove(GTK_FLOW_BOX(flow), child);
	}
}

/* The chip's text: the label first in its box. */
static const char *chip_text(GtkWidget *flow_child)
{
	GtkWidget *box = gtk_flow_box_child_get_child(GTK_FLOW_BOX_CHILD(flow_child));
	return gtk_label_get_text(GTK_LABEL(gtk_widget_get_first_child(box)));
}

static void chips_add(GtkFlowBox *flow, const char *text)
{
	g_autofree char *t = g_strstrip(g_strdup(text));
	if (!*t) {
		return;
	}
	for (GtkWidget *c = gtk_widget_get_first_child(GTK_WIDGET(flow)); c;
	     c = gtk_widget_get_next_sibling(c)) {
		if (g_str_equal(chip_text(c), t)) {
			return;
		}
	}
	GtkWidget *chip = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 2);
	gtk_widget_add_css_class(chip, "card");
	GtkWidget *l = gtk_label_new(t);
	g_object_set(l, "margin-start", 6, NULL);
	GtkWidget *x = gtk_button_new_from_icon_name("window-close-symbolic");
	gtk_widget_add_css_class(x, "flat");
	gtk_widget_add_css_class(x, "circular");
	g_autofree char *tip = g_strdup_printf(_("Retirer «\u00a0%s\u00a0»"), t);
	gtk_widget_set_tooltip_text(x, tip);
	g_signal_connect(x, "clicked", G_CALLBACK(on_chip_remove), NULL);
	gtk_box_append(GTK_BOX(chip), l);
	gtk_box_append(GTK_BOX(chip), x);
	gtk_flow_box_append(flow, chip);
}

static void chips_set(GtkFlowBox *flow, char **items, size_t n)
{
	GtkWidget *c;
	while ((c = gtk_widget_get_first_child(GTK_WIDGET(flow)))) {
		gtk_flow_box_remove(flow, c);
	}
	for (size_t i = 0; i < n; i++) {
		chips_add(flow, items[i]);
	}
}

/* The chips' texts (owned by their labels), after adding what is typed in the entry. */
static GPtrArray *chips_get(GtkFlowBox *flow, GtkEditable *entry)
{
	chips_add(flow, gtk_editable_get_text(entry));
	gtk_editable_set_text(entry, "");
	GPtrArray *out = g_ptr_array_new();
	for (GtkWidget *c = gtk_widget_get_first_child(GTK_WIDGET(flow)); c;
	     c = gtk_widget_get_next_sibling(c)) {
		g_ptr_array_add(out, (char *)chip_text(c));
	}
	return out;
}

static void on_chip_entry(GtkWidget *w, gpointer data)
{
	GtkEditable *entry = g_object_get_data(G_OBJECT(w), "cpt-chip-entry");
	chips_add(GTK_FLOW_BOX(data), gtk_editable_get_text(entry));
	gtk_editable_set_text(entry, "");
}

/* A chip editor: the flow box is named field, its entry field".new". */
static GtkWidget *chips_new(const char *field, const char *placeholder, GtkFlowBox **flow_out)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	GtkWidget *flow = gtk_flow_box_new();
	gtk_widget_set_name(flow, field);
	gtk_flow_box_set_selection_mode(GTK_FLOW_BOX(flow), GTK_SELECTION_NONE);
	gtk_flow_box_set_max_children_per_line(GTK_FLOW_BOX(flow), 8);
	gtk_flow_box_set_column_spacing(GTK_FLOW_BOX(flow), 4);
	gtk_widget_set_hexpand(flow, TRUE);
	GtkWidget *entry = gtk_entry_new();
	g_autofree char *name = g_strconcat(field, ".new", NULL);
	gtk_widget_set_name(entry, name);
	gtk_entry_set_placeholder_text(GTK_ENTRY(entry), placeholder);
	gtk_entry_set_max_length(GTK_ENTRY(entry), 50);
	gtk_editable_set_width_chars(GTK_EDITABLE(entry), 16);
	GtkWidget *add = gtk_button_new_from_icon_name("list-add-symbolic");
	gtk_widget_set_tooltip_text(add, _("Ajouter"));
	g_object_set_data(G_OBJECT(entry), "cpt-chip-entry", entry);
	g_object_set_data(G_OBJECT(add), "cpt-chip-entry", entry);
	g_signal_connect(entry, "activate", G_CALLBACK(on_chip_entry), flow);
	g_signal_connect(add, "clicked", G_CALLBACK(on_chip_entry), flow);
	gtk_box_append(GTK_BOX(box), flow);
	gtk_box_append(GTK_BOX(box), entry);
	gtk_box_append(GTK_BOX(box), add);
	*flow_out = GTK_FLOW_BOX(flow);
	return box;
}

static GtkEditable *chip_entry(PartyForm *f, const char *field)
{
	g_autofree char *name = g_strconcat(field, ".new", NULL);
	return GTK_EDITABLE(find_named(GTK_WIDGET(f->identity), name));
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
	const char *values[] = {p->code,       p->name,		 p->legal_form, p->siren,
				p->siret,      p->be_enterprise, p->vat_number, p->payment_terms,
				p->payer_code, p->notes};
	for (size_t i = 0; i < G_N_ELEMENTS(identity_fields); i++) {
		GtkWidget *w = find_named(GTK_WIDGET(f->identity), identity_fields[i][0]);
		gtk_editable_set_text(GTK_EDITABLE(w), values[i]);
	}
	gtk_drop_down_set_selected(f->kind, g_str_equal(p->kind, "prospect") ? 1 : 0);
	gtk_switch_set_active(f->dispute, p->dispute);
	ref_keep(f, REF_SECTOR, p->sector_id, NULL);
	ref_keep(f, REF_SALES_REP, p->sales_rep_id, NULL);
	ref_keep(f, REF_PAYMENT_METHOD, 0, p->payment_method);
	ref_keep(f, REF_PRICE_LIST, p->price_list_id, NULL);
	chips_set(f->tags, p->tags, p->n_tags);
	chips_set(f->segments, p->segments, p->n_segments);
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
	f->loading = FALSE;
	update_save(f);
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
		f->saving = FALSE;
		update_save(f);
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

static void clear_error_marks(GtkWidget *root)
{
	gtk_widget_remove_css_class(root, "error");
	for (GtkWidget *c = gtk_widget_get_first_child(root); c;
	     c = gtk_widget_get_next_sibling(c)) {
		clear_error_marks(c);
	}
}

void cpt_party_form_save(GtkWindow *form)
{
	PartyForm *f = form_of(form);
	clear_error_marks(GTK_WIDGET(f->identity));
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
	p.notes = (char *)field_text(f, "party.notes");
	p.payer_code = (char *)field_text(f, "party.payer_code");
	p.dispute = gtk_switch_get_active(f->dispute);
	p.sector_id = ref_id(f, REF_SECTOR);
	p.sales_rep_id = ref_id(f, REF_SALES_REP);
	p.payment_method = (char *)ref_key(f, REF_PAYMENT_METHOD);
	p.price_list_id = ref_id(f, REF_PRICE_LIST);
	g_autoptr(GPtrArray) tags = chips_get(f->tags, chip_entry(f, "party.tags"));
	g_autoptr(GPtrArray) segments = chips_get(f->segments, chip_entry(f, "party.segments"));
	p.n_tags = tags->len;
	p.tags = (char **)tags->pdata;
	p.n_segments = segments->len;
	p.segments = (char **)segments->pdata;
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
	f->saving = TRUE;
	update_save(f);
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
	      "étiquettes, segments et documents joints ; les identifiants d'une personne "
	      "physique aussi. Le code, les conditions de paiement et l'historique comptable sont "
	      "conservés. "
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

gboolean cpt_party_form_is_loading(GtkWindow *form)
{
	PartyForm *f = form_of(form);
	return f->loading || f->pending > 0;
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

/* The client's quotes and invoices; modules not built yet: shown, and honestly empty. */
static GtkWidget *history_panes(CptConn *conn, gint64 id, gboolean suppliers)
{
	GtkWidget *nb = gtk_notebook_new();
	const char *panes[] = {N_("Devis"), N_("Factures"), N_("Règlements"), N_("Contrats"),
			       N_("Interventions")};
	for (size_t i = 0; i < G_N_ELEMENTS(panes); i++) {
		if (i < 2 && !suppliers) {
			GtkWidget *pane = cpt_party_sales_new(
			    conn, i == 0 ? CPT_SALES_QUOTES : CPT_SALES_INVOICES, id);
			gtk_notebook_append_page(GTK_NOTEBOOK(nb), pane,
						 gtk_label_new(_(panes[i])));
			continue;
		}
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
	for (int i = 0; i < REF_N; i++) {
		RefChoice *c = &f->refs[i];
		c->keys = g_ptr_array_new_with_free_func(g_free);
		c->label = gtk_label_new(_(ref_specs[i].title));
		gtk_label_set_xalign(GTK_LABEL(c->label), 1);
		const char *none[] = {_("— aucun —"), NULL};
		c->drop = GTK_DROP_DOWN(gtk_drop_down_new_from_strings(none));
		gtk_widget_set_name(GTK_WIDGET(c->drop), ref_specs[i].field);
		gtk_widget_set_sensitive(GTK_WIDGET(c->drop), FALSE); /* until its list is in */
		int col = (i % 2) * 2, row = last + 1 + i / 2;
		gtk_grid_attach(f->identity, c->label, col, row, 1, 1);
		gtk_grid_attach(f->identity, GTK_WIDGET(c->drop), col + 1, row, 1, 1);
	}
	const struct {
		const char *field, *title, *placeholder;
		GtkFlowBox **flow;
	} chips[] = {
	    {"party.tags", N_("Étiquettes"), N_("Nouvelle étiquette"), &f->tags},
	    {"party.segments", N_("Segments"), N_("Nouveau segment"), &f->segments},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(chips); i++) {
		GtkWidget *l = gtk_label_new(_(chips[i].title));
		gtk_label_set_xalign(GTK_LABEL(l), 1);
		int row = last + 1 + (REF_N + 1) / 2 + (int)i;
		gtk_grid_attach(f->identity, l, 0, row, 1, 1);
		gtk_grid_attach(f->identity,
				chips_new(chips[i].field, _(chips[i].placeholder), chips[i].flow),
				1, row, 3, 1);
	}
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
	GtkWidget *outstanding = gtk_label_new(_("Encours : à venir avec les règlements"));
	gtk_label_set_xalign(GTK_LABEL(outstanding), 0);
	gtk_widget_add_css_class(outstanding, "dim-label");
	gtk_box_append(GTK_BOX(box), outstanding);
	gtk_box_append(GTK_BOX(box),
		       section(_("Historique"), history_panes(self->conn, id, suppliers), NULL));

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
	load_refs(f);
	f->loading = id != 0;
	update_save(f);
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
 * Filters
 */

static gint64 selected_id(GtkDropDown *d, GArray *ids)
{
	guint k = d ? gtk_drop_down_get_selected(d) : 0;
	return ids && k < ids->len ? g_array_index(ids, gint64, k) : 0;
}

static void apply_filter(CptPartiesPage *self)
{
	if (self->applying) {
		return;
	}
	self->filter.sector_id = selected_id(self->sector_filter, self->sector_ids);
	self->filter.sales_rep_id = selected_id(self->rep_filter, self->rep_ids);
	self->filter.dispute_only = gtk_check_button_get_active(self->dispute_filter);
	cpt_paged_model_set_filter(cpt_list_view_get_model(self->list), &self->filter);
}

static void on_filter_changed(GObject *w, GParamSpec *pspec, gpointer data)
{
	apply_filter(data);
}

static void on_dispute_toggled(GtkCheckButton *b, gpointer data)
{
	apply_filter(data);
}

/* Selects id in a filter, or "all" when it is not there. */
static void select_filter(GtkDropDown *d, GArray *ids, gint64 id)
{
	guint k = 0;
	for (guint i = 0; d && i < ids->len; i++) {
		if (g_array_index(ids, gint64, i) == id) {
			k = i;
		}
	}
	if (d) {
		gtk_drop_down_set_selected(d, k);
	}
}

void cpt_parties_page_filter(CptPartiesPage *self, gint64 sector_id, gint64 sales_rep_id,
			     gboolean dispute_only)
{
	self->applying = TRUE;
	select_filter(self->sector_filter, self->sector_ids, sector_id);
	select_filter(self->rep_filter, self->rep_ids, sales_rep_id);
	gtk_check_button_set_active(self->dispute_filter, dispute_only);
	self->applying = FALSE;
	apply_filter(self);
}

/*
 * After a filter's choices changed: the same sector and rep chosen again by
 * id, and the list asked again only if the filter now differs (one is gone).
 */
static void filters_reselect(CptPartiesPage *self, gint64 sector_id, gint64 sales_rep_id)
{
	self->applying = TRUE;
	select_filter(self->sector_filter, self->sector_ids, sector_id);
	select_filter(self->rep_filter, self->rep_ids, sales_rep_id);
	self->applying = FALSE;
	if (selected_id(self->sector_filter, self->sector_ids) != self->filter.sector_id ||
	    selected_id(self->rep_filter, self->rep_ids) != self->filter.sales_rep_id) {
		apply_filter(self);
	}
}

static void sectors_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	CptPartiesPage *self = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (self->list && r->status.code == CPT_OK) {
		const Comptoir__Parties__ListSectorsReply *rep = (const void *)r->output;
		GtkStringList *names = gtk_string_list_new(NULL);
		gtk_string_list_append(names, _("Tous les secteurs"));
		gint64 chosen = selected_id(self->sector_filter, self->sector_ids);
		g_array_set_size(self->sector_ids, 1);
		for (size_t i = 0; i < rep->n_sectors; i++) {
			gtk_string_list_append(names, rep->sectors[i]->label);
			g_array_append_val(self->sector_ids, rep->sectors[i]->id);
		}
		self->applying = TRUE;
		gtk_drop_down_set_model(self->sector_filter, G_LIST_MODEL(names));
		self->applying = FALSE;
		g_object_unref(names);
		filters_reselect(self, chosen, self->filter.sales_rep_id);
	}
	g_object_unref(self);
}

static void reps_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	CptPartiesPage *self = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (self->list && r->status.code == CPT_OK) {
		const Comptoir__Parties__ListSalesRepsReply *rep = (const void *)r->output;
		GtkStringList *names = gtk_string_list_new(NULL);
		gtk_string_list_append(names, _("Tous les commerciaux"));
		gint64 chosen = selected_id(self->rep_filter, self->rep_ids);
		g_array_set_size(self->rep_ids, 1);
		for (size_t i = 0; i < rep->n_sales_reps; i++) {
			const Comptoir__Parties__SalesRep *s = rep->sales_reps[i];
			g_autofree char *label = s->inactive
						     ? g_strdup_printf(_("%s (inactif)"), s->name)
						     : g_strdup(s->name);
			gtk_string_list_append(names, label);
			g_array_append_val(self->rep_ids, s->id);
		}
		self->applying = TRUE;
		gtk_drop_down_set_model(self->rep_filter, G_LIST_MODEL(names));
		self->applying = FALSE;
		g_object_unref(names);
		filters_reselect(self, self->filter.sector_id, chosen);
	}
	g_object_unref(self);
}

static void load_filters(CptPartiesPage *self, gboolean sectors, gboolean reps)
{
	if (!self->sector_filter) {
		return;
	}
	if (sectors) {
		Comptoir__Parties__ListSectorsRequest req =
		    COMPTOIR__PARTIES__LIST_SECTORS_REQUEST__INIT;
		cpt_conn_call_async(self->conn, REFS_SERVICE "ListSectors", &req.base,
				    &comptoir__parties__list_sectors_reply__descriptor, NULL,
				    sectors_loaded, g_object_ref(self));
	}
	if (reps) {
		Comptoir__Parties__ListSalesRepsRequest req =
		    COMPTOIR__PARTIES__LIST_SALES_REPS_REQUEST__INIT;
		req.include_inactive = TRUE;
		cpt_conn_call_async(self->conn, REFS_SERVICE "ListSalesReps", &req.base,
				    &comptoir__parties__list_sales_reps_reply__descriptor, NULL,
				    reps_loaded, g_object_ref(self));
	}
}

static void on_event(CptConn *conn, const char *topic, gint64 id, const char *action, gpointer data)
{
	load_filters(data, g_str_equal(topic, "sector"), g_str_equal(topic, "sales_rep"));
}

/* ---------------------------------------------------------------------------
 * The page
 */

GtkWindow *cpt_parties_page_open_refs(CptPartiesPage *self)
{
	if (!self->sector_filter || !cpt_conn_has_permission(self->conn, "clients.write")) {
		return NULL;
	}
	GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
	return cpt_party_refs_open(self->conn, GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL);
}

static void on_refs(GtkButton *b, gpointer data)
{
	cpt_parties_page_open_refs(data);
}

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
	CptPartiesPage *self = CPT_PARTIES_PAGE(object);
	if (self->conn) {
		g_signal_handlers_disconnect_by_data(self->conn, self);
	}
	self->list = NULL; /* owned by the box; lists arriving late check it */
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(cpt_parties_page_parent_class)->dispose(object);
}

static void cpt_parties_page_finalize(GObject *object)
{
	CptPartiesPage *self = CPT_PARTIES_PAGE(object);
	g_array_unref(self->sector_ids);
	g_array_unref(self->rep_ids);
	G_OBJECT_CLASS(cpt_parties_page_parent_class)->finalize(object);
}

static void cpt_parties_page_class_init(CptPartiesPageClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = cpt_parties_page_dispose;
	G_OBJECT_CLASS(klass)->finalize = cpt_parties_page_finalize;
	gtk_widget_class_install_action(wc, "module.refresh", NULL, module_refresh);
	gtk_widget_class_install_action(wc, "module.new", NULL, module_new);
	gtk_widget_class_install_action(wc, "module.search", NULL, module_search);
}

static void cpt_parties_page_init(CptPartiesPage *self)
{
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	g_object_set(self, "margin-top", 6, "margin-bottom", 6, "margin-start", 12, "margin-end",
		     12, NULL);
	self->sector_ids = g_array_new(FALSE, TRUE, sizeof(gint64));
	self->rep_ids = g_array_new(FALSE, TRUE, sizeof(gint64));
	g_array_set_size(self->sector_ids, 1); /* "all" */
	g_array_set_size(self->rep_ids, 1);
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
	GtkBox *bar = cpt_list_view_get_toolbar(self->list);
	gtk_widget_set_size_request(GTK_WIDGET(cpt_list_view_get_search(self->list)), 220, -1);
	/* Sectors and reps are the clients' (a supplier has neither rep nor list filters). */
	if (book == &clients_book) {
		const char *all_sectors[] = {_("Tous les secteurs"), NULL};
		self->sector_filter = GTK_DROP_DOWN(gtk_drop_down_new_from_strings(all_sectors));
		gtk_widget_set_name(GTK_WIDGET(self->sector_filter), "filter.sector_id");
		gtk_widget_set_tooltip_text(GTK_WIDGET(self->sector_filter), _("Secteur"));
		gtk_box_append(bar, GTK_WIDGET(self->sector_filter));
		const char *all_reps[] = {_("Tous les commerciaux"), NULL};
		self->rep_filter = GTK_DROP_DOWN(gtk_drop_down_new_from_strings(all_reps));
		gtk_widget_set_name(GTK_WIDGET(self->rep_filter), "filter.sales_rep_id");
		gtk_widget_set_tooltip_text(GTK_WIDGET(self->rep_filter), _("Commercial"));
		gtk_box_append(bar, GTK_WIDGET(self->rep_filter));
		g_signal_connect(self->sector_filter, "notify::selected",
				 G_CALLBACK(on_filter_changed), self);
		g_signal_connect(self->rep_filter, "notify::selected",
				 G_CALLBACK(on_filter_changed), self);
	}
	self->dispute_filter =
	    GTK_CHECK_BUTTON(gtk_check_button_new_with_mnemonic(_("_Litiges seulement")));
	gtk_widget_set_name(GTK_WIDGET(self->dispute_filter), "filter.dispute_only");
	g_signal_connect(self->dispute_filter, "toggled", G_CALLBACK(on_dispute_toggled), self);
	gtk_box_append(bar, GTK_WIDGET(self->dispute_filter));
	if (self->sector_filter && cpt_conn_has_permission(conn, "clients.write")) {
		/* An icon: the toolbar must leave room to the search field. */
		GtkWidget *refs = gtk_button_new_from_icon_name("preferences-system-symbolic");
		gtk_widget_set_name(refs, "party_refs.open");
		gtk_widget_set_tooltip_text(refs, _("Secteurs et commerciaux…"));
		g_signal_connect(refs, "clicked", G_CALLBACK(on_refs), self);
		gtk_box_append(bar, refs);
	}
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
	if (self->sector_filter) {
		g_signal_connect(conn, "event", G_CALLBACK(on_event), self);
		load_filters(self, TRUE, TRUE);
	}
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
