/*
 * Where the goods go: the editor's "Livrer à" choice among the client's
 * delivery addresses and sites, read with Parties/Get when the client is
 * known. The first choice is the billing address (delivery_address_id 0).
 * Until the addresses are in, the document keeps the one it had: a client
 * that cannot be read (no right, no network) never loses its address.
 */
#include "cpt-sales-editor-private.h"

#include "parties.pb-c.h"

#include <glib/gi18n.h>

typedef struct {
	GtkWindow *window; /* a reference */
	gint64 party_id;
} Fetch;

static char *address_text(const Comptoir__Parties__Address *a)
{
	GString *s = g_string_new(NULL);
	if (*a->label) {
		g_string_append_printf(s, "%s — ", a->label);
	}
	g_string_append(s, a->line1);
	if (*a->postcode || *a->city) {
		g_string_append_printf(s, ", %s %s", a->postcode, a->city);
	}
	return g_string_free(s, FALSE);
}

/* The choices: the billing address, then ids[i] at position i + 1. */
static void show(CptSalesEditor *e, const Comptoir__Parties__Party *p)
{
	gboolean filling = e->filling;
	e->filling = TRUE;
	GtkStringList *names = gtk_string_list_new(NULL);
	gtk_string_list_append(names, _("— l'adresse de facturation —"));
	g_array_set_size(e->delivery_ids, 0);
	guint selected = 0;
	for (size_t i = 0; p && i < p->n_addresses; i++) {
		const Comptoir__Parties__Address *a = p->addresses[i];
		if (g_str_equal(a->kind, "billing")) {
			continue;
		}
		g_autofree char *text = address_text(a);
		gtk_string_list_append(names, text);
		g_array_append_val(e->delivery_ids, a->id);
		if (a->id == e->delivery_wanted) {
			selected = e->delivery_ids->len;
		}
	}
	gtk_drop_down_set_model(e->delivery, G_LIST_MODEL(names));
	g_object_unref(names);
	gtk_drop_down_set_selected(e->delivery, selected);
	e->delivery_known = TRUE;
	e->filling = filling;
}

static void fetched(GObject *source, GAsyncResult *res, gpointer data)
{
	Fetch *f = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	CptSalesEditor *e = cpt_sales_editor_of(f->window);
	if (e && !e->closed && e->delivery_party == f->party_id && r->status.code == CPT_OK &&
	    r->output) {
		show(e, ((const Comptoir__Parties__PartyReply *)r->output)->party);
	}
	g_object_unref(f->window);
	g_free(f);
}

void cpt_sales_delivery_load(CptSalesEditor *e, gint64 party_id, gint64 address_id)
{
	e->delivery_wanted = address_id;
	if (party_id == e->delivery_party && e->delivery_known) {
		/* The same client's addresses, read already: only the choice. */
		guint at = 0; /* the billing address */
		for (guint i = 0; i < e->delivery_ids->len; i++) {
			if (g_array_index(e->delivery_ids, gint64, i) == address_id) {
				at = i + 1;
			}
		}
		cpt_sales_cell_choose(e, e->delivery, at);
		return;
	}
	e->delivery_party = party_id;
	show(e, NULL);
	e->delivery_known = FALSE; /* the billing address only, until the client's come */
	if (!party_id || !cpt_conn_has_permission(e->conn, "clients.read")) {
		return; /* the document keeps the address it has */
	}
	Comptoir__Parties__GetPartyRequest req = COMPTOIR__PARTIES__GET_PARTY_REQUEST__INIT;
	req.id = party_id;
	Fetch *f = g_new0(Fetch, 1);
	f->window = g_object_ref(e->window);
	f->party_id = party_id;
	cpt_conn_call_async(e->conn, "comptoir.parties.Parties/Get", &req.base,
			    &comptoir__parties__party_reply__descriptor, NULL, fetched, f);
}

gint64 cpt_sales_delivery_selected(CptSalesEditor *e)
{
	if (!e->delivery_known) {
		return e->delivery_wanted; /* not read yet: as it was */
	}
	guint i = gtk_drop_down_get_selected(e->delivery);
	return i > 0 && i <= e->delivery_ids->len ? g_array_index(e->delivery_ids, gint64, i - 1)
						  : 0;
}
