/*
 * The sales books' names, states and lists; see cpt-sales.h. Each book has
 * its own List method and its own columns: only invoices have something
 * left to pay and a due date.
 */
#include "cpt-sales.h"
#include "cpt-ui.h"
#include "money.h"

#include "sales.pb-c.h"

#include <glib/gi18n.h>

#define QUOTES_SERVICE "comptoir.sales.Quotes/"
#define INVOICES_SERVICE "comptoir.sales.Invoices/"
#define QUOTES_COLUMNS (CPT_SALES_STATE + 1)

static const char *const quote_types[] = {"quote", "order", "delivery", NULL};
static const char *const invoice_types[] = {"invoice", "deposit_invoice", "credit_note", "proforma",
					    NULL};
static const char *const quote_states[] = {"draft",   "validated", "sent",	"accepted",
					   "refused", "expired",   "cancelled", NULL};
static const char *const invoice_states[] = {"draft", "validated", "sent", "cancelled", NULL};

static const struct {
	const char *type, *label;
	gboolean feminine; /* "validée" */
} types[] = {
    {"quote", NC_("document type", "Devis"), FALSE},
    {"order", NC_("document type", "Commande"), TRUE},
    {"delivery", NC_("document type", "Bon de livraison"), FALSE},
    {"invoice", NC_("document type", "Facture"), TRUE},
    {"deposit_invoice", NC_("document type", "Facture d'acompte"), TRUE},
    {"credit_note", NC_("document type", "Avoir"), FALSE},
    {"proforma", NC_("document type", "Facture pro forma"), TRUE},
};

static const struct {
	const char *state, *masculine, *feminine;
} states[] = {
    {"draft", N_("Brouillon"), N_("Brouillon")}, {"validated", N_("Validé"), N_("Validée")},
    {"sent", N_("Envoyé"), N_("Envoyée")},	 {"accepted", N_("Accepté"), N_("Acceptée")},
    {"refused", N_("Refusé"), N_("Refusée")},	 {"expired", N_("Expiré"), N_("Expirée")},
    {"cancelled", N_("Annulé"), N_("Annulée")},
};

const char *const *cpt_sales_types(CptSalesBook book)
{
	return book == CPT_SALES_QUOTES ? quote_types : invoice_types;
}

CptSalesBook cpt_sales_book_of(const char *type)
{
	for (guint i = 0; quote_types[i]; i++) {
		if (g_strcmp0(type, quote_types[i]) == 0) {
			return CPT_SALES_QUOTES;
		}
	}
	return CPT_SALES_INVOICES;
}

const char *cpt_sales_service(const char *type)
{
	return cpt_sales_book_of(type) == CPT_SALES_QUOTES ? QUOTES_SERVICE : INVOICES_SERVICE;
}

const char *cpt_sales_read_permission(CptSalesBook book)
{
	return book == CPT_SALES_QUOTES ? "quotes.read" : "invoices.read";
}

const char *cpt_sales_write_permission(CptSalesBook book)
{
	return book == CPT_SALES_QUOTES ? "quotes.write" : "invoices.write";
}

const char *cpt_sales_validate_permission(CptSalesBook book)
{
	return book == CPT_SALES_QUOTES ? "quotes.write" : "invoices.validate";
}

const char *cpt_sales_type_label(const char *type)
{
	for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
		if (g_strcmp0(type, types[i].type) == 0) {
			return g_dpgettext2(GETTEXT_PACKAGE, "document type", types[i].label);
		}
	}
	return type;
}

const char *const *cpt_sales_states(CptSalesBook book)
{
	return book == CPT_SALES_QUOTES ? quote_states : invoice_states;
}

const char *cpt_sales_state_label(const char *type, const char *state)
{
	gboolean feminine = FALSE;
	for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
		if (g_strcmp0(type, types[i].type) == 0) {
			feminine = types[i].feminine;
		}
	}
	for (size_t i = 0; i < G_N_ELEMENTS(states); i++) {
		if (g_strcmp0(state, states[i].state) == 0) {
			return _(feminine ? states[i].feminine : states[i].masculine);
		}
	}
	return state;
}

gboolean cpt_sales_type_is_legal(const char *type)
{
	return g_strcmp0(type, "invoice") == 0 || g_strcmp0(type, "deposit_invoice") == 0 ||
	       g_strcmp0(type, "credit_note") == 0;
}

char *cpt_sales_amount(gint64 cents)
{
	char buf[CPT_MONEY_FORMAT_SIZE];
	return g_strdup(cpt_money_format(cents, buf, sizeof buf) ? buf : "");
}

/* ---------------------------------------------------------------------------
 * The list sources
 */

typedef struct {
	Comptoir__Sales__ListRequest req;
	Comptoir__Admin__Page page;
} SalesQuery;

static ProtobufCMessage *sales_build(const CptPageQuery *q)
{
	SalesQuery *u = g_malloc0(sizeof *u);
	comptoir__sales__list_request__init(&u->req);
	const CptSalesFilter *f = q->filter;
	u->req.type = f && f->type ? (char *)f->type : "";
	u->req.state = f && f->state ? (char *)f->state : "";
	u->req.party_id = f ? f->party_id : 0;
	u->req.search = (char *)q->search;
	u->req.page = &u->page;
	cpt_page_query_fill(q, &u->page);
	return &u->req.base;
}

static char *plain(gint64 cents)
{
	char buf[CPT_MONEY_FORMAT_SIZE];
	return g_strdup(cpt_money_format_plain(cents, buf, sizeof buf) ? buf : "");
}

static void sales_parse(const ProtobufCMessage *m, const char *sort, GPtrArray *rows, guint *total,
			gboolean *more)
{
	const Comptoir__Sales__ListReply *r = (const void *)m;
	*total = r->total;
	*more = r->more;
	for (size_t i = 0; i < r->n_documents; i++) {
		const Comptoir__Sales__DocumentSummary *d = r->documents[i];
		gboolean invoices = cpt_sales_book_of(d->type) == CPT_SALES_INVOICES;
		GStrv cells = g_new0(char *, CPT_SALES_N_CELLS + 1);
		cells[CPT_SALES_NUMBER] = g_strdup(d->number);
		cells[CPT_SALES_DATE] = cpt_ui_date_from_iso(d->issue_date);
		cells[CPT_SALES_CLIENT] = g_strdup(d->party_name);
		cells[CPT_SALES_NET] = plain(d->net_total);
		cells[CPT_SALES_GROSS] = plain(d->gross_total);
		cells[CPT_SALES_STATE] = g_strdup(cpt_sales_state_label(d->type, d->state));
		cells[CPT_SALES_DUE] = invoices ? plain(d->amount_due) : g_strdup("");
		cells[CPT_SALES_DUE_DATE] =
		    invoices ? cpt_ui_date_from_iso(d->due_date) : g_strdup("");
		/* The key of the sort the server pages by: the date unless the number. */
		const char *key = g_strcmp0(sort, "number") == 0 ? d->number : d->issue_date;
		g_ptr_array_add(
		    rows, cpt_row_new(d->id, key, cells,
				      g_str_equal(d->state, "draft") ? CPT_SALES_ROW_DRAFT : 0));
	}
}

static const CptListSource quotes_source = {
    .method = QUOTES_SERVICE "List",
    .reply = &comptoir__sales__list_reply__descriptor,
    .build = sales_build,
    .parse = sales_parse,
};

static const CptListSource invoices_source = {
    .method = INVOICES_SERVICE "List",
    .reply = &comptoir__sales__list_reply__descriptor,
    .build = sales_build,
    .parse = sales_parse,
};

static const CptColumnSpec sales_columns[CPT_SALES_N_CELLS] = {
    [CPT_SALES_NUMBER] = {"number", N_("Numéro"), "number", FALSE, FALSE},
    [CPT_SALES_DATE] = {"date", N_("Date"), "date", FALSE, FALSE, CPT_COLUMN_DATE},
    [CPT_SALES_CLIENT] = {"client", N_("Client"), NULL, TRUE, FALSE},
    [CPT_SALES_NET] = {"net", N_("Total HT"), NULL, FALSE, FALSE, CPT_COLUMN_AMOUNT},
    [CPT_SALES_GROSS] = {"gross", N_("Total TTC"), NULL, FALSE, FALSE, CPT_COLUMN_AMOUNT},
    [CPT_SALES_STATE] = {"state", N_("État"), NULL, FALSE, FALSE},
    [CPT_SALES_DUE] = {"due", N_("Reste dû"), NULL, FALSE, FALSE, CPT_COLUMN_AMOUNT},
    [CPT_SALES_DUE_DATE] = {"due_date", N_("Échéance"), NULL, FALSE, FALSE, CPT_COLUMN_DATE},
};

const CptListSource *cpt_sales_source(CptSalesBook book)
{
	return book == CPT_SALES_QUOTES ? &quotes_source : &invoices_source;
}

const CptColumnSpec *cpt_sales_columns(CptSalesBook book, guint *n_columns)
{
	*n_columns = book == CPT_SALES_QUOTES ? QUOTES_COLUMNS : CPT_SALES_N_CELLS;
	return sales_columns;
}

/* ---------------------------------------------------------------------------
 * Totals of what the filter keeps
 */

void cpt_sales_totals_fetch(CptConn *conn, CptSalesBook book, const CptSalesFilter *filter,
			    const char *search, GAsyncReadyCallback cb, gpointer user_data)
{
	Comptoir__Admin__Page page = COMPTOIR__ADMIN__PAGE__INIT;
	page.limit = 1; /* the rows themselves are the list's */
	page.with_total = TRUE;
	Comptoir__Sales__ListRequest req = COMPTOIR__SALES__LIST_REQUEST__INIT;
	req.type = (char *)filter->type;
	req.state = (char *)(filter->state ? filter->state : "");
	req.party_id = filter->party_id;
	req.search = (char *)(search ? search : "");
	req.page = &page;
	cpt_conn_call_async(conn, cpt_sales_source(book)->method, &req.base,
			    &comptoir__sales__list_reply__descriptor, NULL, cb, user_data);
}

char *cpt_sales_totals_text(const CptCallResult *r)
{
	if (r->status.code != CPT_OK) {
		return g_strdup(cpt_ui_status_text(&r->status));
	}
	const Comptoir__Sales__ListReply *rep = (const void *)r->output;
	g_autofree char *count = cpt_ui_count(rep->total);
	g_autofree char *net = cpt_sales_amount(rep->sum_net);
	g_autofree char *gross = cpt_sales_amount(rep->sum_gross);
	/* "3 documents : 1 234,56 € HT, 1 481,47 € TTC" */
	return g_strdup_printf(
	    ngettext("%s document : %s HT, %s TTC", "%s documents : %s HT, %s TTC", rep->total),
	    count, net, gross);
}
