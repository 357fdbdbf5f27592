/*
 * The sales document editor; see cpt-sales-editor.h. This file holds the
 * window, its header, totals and actions; the line grid and its keyboard
 * are cpt-sales-lines.c.
 *
 * A line is sent only when it holds something: the blank line being typed
 * is left out. The server answers with the lines it kept, in the order sent,
 * so the answer's line i fills the i-th line sent (found again by its uid:
 * the user may have moved or removed lines meanwhile).
 *
 * The reference lists (VAT rates, exemptions, payment terms) are asked for
 * at once beside the document; the document is shown once they are in, so
 * that its choices can be selected in them.
 */
#include "cpt-sales-send.h"
#include "cpt-code-lookup.h"
#include "cpt-sales-actions.h"
#include "cpt-sales-editor-private.h"
#include "cpt-ui.h"
#include "money.h"

#include "reference.pb-c.h"

#include <glib/gi18n.h>
#include <string.h>

#define REFERENCE_SERVICE "comptoir.reference.Reference/"
#define REFERENCE_CALLS 3 /* VAT rates, exemptions, payment terms */

CptSalesEditor *cpt_sales_editor_of(GtkWindow *w)
{
	return g_object_get_data(G_OBJECT(w), "cpt-sales-editor");
}

static void editor_free(gpointer data)
{
	CptSalesEditor *e = data;
	g_clear_object(&e->conn);
	g_clear_object(&e->parent);
	g_free(e->type);
	g_free(e->state);
	g_free(e->number);
	g_free(e->party_looked_up);
	g_clear_pointer(&e->record, cpt_call_result_free);
	g_array_unref(e->vats);
	g_clear_object(&e->vat_names);
	g_clear_object(&e->kind_names);
	g_ptr_array_unref(e->exemption_codes);
	g_ptr_array_unref(e->terms_codes);
	g_array_unref(e->delivery_ids);
	g_ptr_array_unref(e->lines);
	if (e->made) {
		g_object_remove_weak_pointer(G_OBJECT(e->made), (gpointer *)&e->made);
	}
	g_free(e);
}

/* ---------------------------------------------------------------------------
 * Small pieces
 */

static void set_label(GtkLabel *l, const char *text)
{
	gtk_label_set_text(l, text ? text : "");
}

static void set_amount(GtkLabel *l, gint64 cents)
{
	g_autofree char *s = cpt_sales_amount(cents);
	gtk_label_set_text(l, s);
}

static void show_message(CptSalesEditor *e, const char *text)
{
	gtk_label_set_text(e->message, text ? text : "");
}

static void clear_error_marks(GtkWidget *root)
{
	gtk_widget_remove_css_class(root, "error");
	for (GtkWidget *c = gtk_widget_get_first_child(root); c;
	     c = gtk_widget_get_next_sibling(c)) {
		clear_error_marks(c);
	}
}

static GtkWidget *named(CptSalesEditor *e, const char *name)
{
	return cpt_ui_find_named(GTK_WIDGET(e->window), name);
}

void cpt_sales_editor_mark_dirty(CptSalesEditor *e)
{
	if (!e->filling && !e->read_only) {
		e->dirty = TRUE;
	}
}

static void on_cell_changed(GtkEditable *w, gpointer data)
{
	cpt_sales_editor_mark_dirty(data);
}

static void on_choice_changed(GObject *d, GParamSpec *pspec, gpointer data)
{
	cpt_sales_editor_mark_dirty(data);
}

/* ---------------------------------------------------------------------------
 * The document shown
 */

static void update_title(CptSalesEditor *e)
{
	const char *type = cpt_sales_type_label(e->type);
	const char *state =
	    e->state && *e->state ? cpt_sales_state_label(e->type, e->state) : _("Nouveau");
	gtk_label_set_text(e->number_label, e->number ? e->number : "");
	gtk_label_set_text(e->state_label, state);
	g_autofree char *heading =
	    e->number && *e->number ? g_strdup_printf("%s %s", type, e->number) : g_strdup(type);
	g_autofree char *title = g_strdup_printf("%s — %s", heading, state);
	gtk_label_set_text(e->title, heading);
	gtk_window_set_title(e->window, title);
}

/* What can be done, from the document's state and the user's rights. */
static void update_actions(CptSalesEditor *e)
{
	gboolean draft = !e->state || !*e->state || g_str_equal(e->state, "draft");
	gboolean saved = e->id != 0;
	gboolean quote = g_str_equal(e->type, "quote");
	gboolean open_quote = quote && (g_str_equal(e->state ? e->state : "", "validated") ||
					g_str_equal(e->state ? e->state : "", "sent"));
	gboolean invoice =
	    g_str_equal(e->type, "invoice") || g_str_equal(e->type, "deposit_invoice");
	gboolean einvoice = invoice || g_str_equal(e->type, "credit_note");
	gboolean convertible = g_str_equal(e->type, "order") || g_str_equal(e->type, "delivery") ||
			       (quote && !g_str_equal(e->state ? e->state : "", "refused") &&
				!g_str_equal(e->state ? e->state : "", "expired"));
	gtk_widget_set_visible(e->save, e->writable && draft);
	gtk_widget_set_visible(e->validate, e->can_validate && draft);
	gtk_widget_set_visible(e->del, e->writable && draft && saved);
	gtk_widget_set_visible(e->convert, !draft && convertible);
	gtk_widget_set_visible(e->duplicate, saved && e->writable &&
						 !g_str_equal(e->type, "credit_note") &&
						 !g_str_equal(e->type, "deposit_invoice"));
	gtk_widget_set_visible(e->credit, !draft && invoice &&
					      cpt_conn_has_permission(e->conn, "invoices.write"));
	gtk_widget_set_visible(e->sent, e->writable && open_quote);
	gtk_widget_set_visible(e->accepted, e->writable && open_quote);
	gtk_widget_set_visible(e->refused, e->writable && open_quote);
	gtk_widget_set_sensitive(e->sent, !g_str_equal(e->state ? e->state : "", "sent"));
	gtk_widget_set_visible(e->preview, saved);
	gtk_widget_set_visible(e->send, !draft && e->writable);
	gtk_widget_set_visible(e->export_cii, !draft && einvoice);
	gtk_widget_set_visible(e->export_ubl, !draft && einvoice);
	gtk_widget_set_visible(e->line_bar, !e->read_only);
}

static void set_read_only(CptSalesEditor *e, gboolean ro)
{
	e->read_only = ro;
	const char *entries[] = {"document.party_code",	   "document.issue_date",
				 "document.valid_until",   "document.delivery_date",
				 "document.discount_rate", "document.buyer_reference"};
	for (size_t i = 0; i < G_N_ELEMENTS(entries); i++) {
		GtkWidget *w = cpt_ui_find_named(GTK_WIDGET(e->header), entries[i]);
		if (w) {
			gtk_editable_set_editable(GTK_EDITABLE(w), !ro);
		}
	}
	gtk_widget_set_sensitive(GTK_WIDGET(e->terms), !ro);
	gtk_widget_set_sensitive(GTK_WIDGET(e->exemption), !ro);
	gtk_widget_set_sensitive(GTK_WIDGET(e->delivery), !ro);
	gtk_widget_set_sensitive(GTK_WIDGET(e->ttc), !ro);
	gtk_text_view_set_editable(e->notes, !ro);
	for (guint i = 0; i < e->lines->len; i++) {
		cpt_sales_line_set_editable(e, cpt_sales_lines_at(e, i));
	}
	update_actions(e);
}

static void show_totals(CptSalesEditor *e, const Comptoir__Sales__Document *d)
{
	const struct {
		const char *name;
		gint64 value;
		gboolean always;
	} rows[] = {
	    {"totals.lines_net", d->lines_net, FALSE},
	    {"totals.discount_amount", -d->discount_amount, FALSE},
	    {"totals.net_total", d->net_total, TRUE},
	    {"totals.vat_total", d->vat_total, TRUE},
	    {"totals.gross_total", d->gross_total, TRUE},
	    {"totals.prepaid", -d->prepaid, FALSE},
	    {"totals.amount_due", d->amount_due, FALSE},
	    {"totals.eco_total", d->eco_total, FALSE},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		GtkWidget *v = cpt_ui_find_named(GTK_WIDGET(e->totals), rows[i].name);
		set_amount(GTK_LABEL(v), rows[i].value);
		/* The lines' total and the discount only with a discount; the rest when not 0. */
		gboolean shown = rows[i].always || rows[i].value != 0;
		if (g_str_equal(rows[i].name, "totals.lines_net")) {
			shown = d->discount_amount != 0;
		} else if (g_str_equal(rows[i].name, "totals.amount_due")) {
			shown = d->prepaid != 0;
		}
		gtk_widget_set_visible(v, shown);
		gtk_widget_set_visible(g_object_get_data(G_OBJECT(v), "cpt-caption"), shown);
	}
	GtkWidget *c;
	while ((c = gtk_widget_get_first_child(GTK_WIDGET(e->vat_grid)))) {
		gtk_grid_remove(e->vat_grid, c);
	}
	const char *heads[] = {_("TVA"), _("Base HT"), _("Montant")};
	for (int k = 0; k < 3; k++) {
		GtkWidget *h = gtk_label_new(heads[k]);
		gtk_label_set_xalign(GTK_LABEL(h), k ? 1 : 0);
		gtk_widget_add_css_class(h, "dim-label");
		gtk_grid_attach(e->vat_grid, h, k, 0, 1, 1);
	}
	for (size_t i = 0; i < d->n_vat; i++) {
		const Comptoir__Sales__VatTotal *v = d->vat[i];
		g_autofree char *rate = cpt_ui_rate(v->rate);
		g_autofree char *rate_text = g_str_equal(v->category, "S")
						 ? g_strdup(rate)
						 : g_strdup_printf("%s (%s)", rate, v->category);
		g_autofree char *base = cpt_sales_amount(v->taxable);
		g_autofree char *amount = cpt_sales_amount(v->amount);
		const char *cells[][2] = {
		    {"vat.rate", rate_text}, {"vat.base", base}, {"vat.amount", amount}};
		for (int k = 0; k < 3; k++) {
			GtkWidget *l = gtk_label_new(cells[k][1]);
			gtk_widget_set_name(l, cells[k][0]);
			gtk_label_set_xalign(GTK_LABEL(l), k ? 1 : 0);
			gtk_grid_attach(e->vat_grid, l, k, (int)i + 1, 1, 1);
		}
	}
}

static void select_code(CptSalesEditor *e, GtkDropDown *d, GPtrArray *codes, const char *code)
{
	if (!code || !*code) {
		cpt_sales_cell_choose(e, d, 0);
		return;
	}
	for (guint i = 0; i < codes->len; i++) {
		if (g_str_equal(g_ptr_array_index(codes, i), code)) {
			cpt_sales_cell_choose(e, d, i + 1);
			return;
		}
	}
	/* A code the list does not offer (any more): offered, so that it is kept. */
	g_ptr_array_add(codes, g_strdup(code));
	gtk_string_list_append(GTK_STRING_LIST(gtk_drop_down_get_model(d)), code);
	cpt_sales_cell_choose(e, d, codes->len);
}

static void set_date(CptSalesEditor *e, const char *name, const char *iso)
{
	GtkWidget *w = cpt_ui_find_named(GTK_WIDGET(e->header), name);
	if (!w) {
		return; /* a field this type does not have */
	}
	g_autofree char *text = cpt_ui_date_from_iso(iso);
	cpt_sales_cell_set(e, w, text);
}

/* The whole document: header, lines, totals, state. */
static void fill_document(CptSalesEditor *e, const Comptoir__Sales__Document *d)
{
	e->filling = TRUE;
	e->id = d->id;
	g_free(e->type);
	e->type = g_strdup(d->type);
	g_free(e->state);
	e->state = g_strdup(d->state);
	g_free(e->number);
	e->number = g_strdup(d->number);
	if (!g_str_equal(d->state, "draft")) {
		cpt_sales_mails_load(e->mails, e->conn, e->id);
	}
	cpt_sales_cell_set(e, e->party_code, d->party_code);
	g_free(e->party_looked_up);
	e->party_looked_up = g_strdup(d->party_code);
	set_label(e->party_name, d->party_name);
	gtk_widget_remove_css_class(GTK_WIDGET(e->party_name), "error");
	set_date(e, "document.issue_date", d->issue_date);
	set_date(e, "document.valid_until", d->valid_until);
	set_date(e, "document.delivery_date", d->delivery_date);
	cpt_sales_delivery_load(e, d->party_id, d->delivery_address_id);
	g_autofree char *due = cpt_ui_date_from_iso(d->due_date);
	set_label(e->due_date, due);
	select_code(e, e->terms, e->terms_codes, d->payment_terms);
	select_code(e, e->exemption, e->exemption_codes, d->exemption_code);
	gtk_switch_set_active(e->ttc, d->prices_include_vat);
	cpt_sales_cell_set_rate(e, named(e, "document.discount_rate"), d->discount_rate);
	cpt_sales_cell_set(e, named(e, "document.buyer_reference"), d->buyer_reference);
	gtk_text_buffer_set_text(gtk_text_view_get_buffer(e->notes), d->notes, -1);
	cpt_sales_lines_clear(e);
	for (size_t i = 0; i < d->n_lines; i++) {
		CptSalesLine *l = cpt_sales_lines_insert(e, KIND_ITEM, G_MAXUINT);
		cpt_sales_line_fill(e, l, d->lines[i]);
		e->filling = TRUE;
		/* A stored price is kept as it is: it was the client's or typed. */
		l->price_auto = FALSE;
	}
	show_totals(e, d);
	e->filling = FALSE;
	gboolean draft = g_str_equal(d->state, "draft");
	set_read_only(e, !draft || !e->writable);
	if (!e->read_only && e->lines->len == 0) {
		cpt_sales_lines_insert(e, KIND_ITEM, G_MAXUINT);
	}
	update_title(e);
	e->dirty = FALSE;
}

/* ---------------------------------------------------------------------------
 * The client, looked up by its code
 */

void cpt_sales_lookup_free(CptSalesLookup *k)
{
	g_object_unref(k->window);
	g_free(k->code);
	g_free(k);
}

static void party_found(GObject *source, GAsyncResult *res, gpointer data)
{
	CptSalesLookup *k = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	CptSalesEditor *e = cpt_sales_editor_of(k->window);
	if (e && !e->closed) {
		e->busy--;
		g_autofree char *now = cpt_sales_cell_strip(e->party_code);
		gint64 id;
		const char *name;
		if (g_ascii_strcasecmp(now, k->code) == 0) {
			if (cpt_code_lookup_match(CPT_CODE_CLIENT, r, k->code, &id, &name)) {
				set_label(e->party_name, name);
				if (id != e->delivery_party) {
					/* Another client: its addresses, billing first. */
					cpt_sales_delivery_load(e, id, 0);
				}
				gtk_widget_remove_css_class(GTK_WIDGET(e->party_name), "error");
				gtk_widget_remove_css_class(e->party_code, "error");
			} else {
				g_autofree char *text =
				    r->status.code == CPT_OK
					? g_strdup_printf(_("Client introuvable : %s"), k->code)
					: g_strdup(cpt_ui_status_text(&r->status));
				set_label(e->party_name, text);
				gtk_widget_add_css_class(GTK_WIDGET(e->party_name), "error");
				gtk_widget_add_css_class(e->party_code, "error");
			}
		}
	}
	cpt_sales_lookup_free(k);
}

static void lookup_party(CptSalesEditor *e)
{
	g_autofree char *code = cpt_sales_cell_strip(e->party_code);
	if (e->read_only || g_strcmp0(code, e->party_looked_up) == 0) {
		return;
	}
	g_free(e->party_looked_up);
	e->party_looked_up = g_strdup(code);
	if (!*code) {
		set_label(e->party_name, "");
		return;
	}
	CptSalesLookup *k = g_new0(CptSalesLookup, 1);
	k->window = g_object_ref(e->window);
	k->code = g_steal_pointer(&code);
	e->busy++;
	set_label(e->party_name, _("Recherche…"));
	cpt_code_lookup(e->conn, CPT_CODE_CLIENT, k->code, party_found, k);
}

gboolean cpt_sales_editor_press(GtkWindow *editor, guint keyval, GdkModifierType state)
{
	CptSalesEditor *e = cpt_sales_editor_of(editor);
	CptSalesLine *l;
	int col;
	if (cpt_sales_lines_focus(e, &l, &col)) {
		return cpt_sales_lines_key(e, l, col, keyval, state);
	}
	if (keyval == GDK_KEY_Tab || keyval == GDK_KEY_ISO_Left_Tab) {
		GtkWidget *f = gtk_root_get_focus(GTK_ROOT(editor));
		if (f && (f == e->party_code || gtk_widget_is_ancestor(f, e->party_code))) {
			lookup_party(e);
		}
		gboolean back = keyval == GDK_KEY_ISO_Left_Tab || (state & GDK_SHIFT_MASK);
		return gtk_widget_child_focus(GTK_WIDGET(editor),
					      back ? GTK_DIR_TAB_BACKWARD : GTK_DIR_TAB_FORWARD);
	}
	return FALSE;
}

/* ---------------------------------------------------------------------------
 * Reading what was typed, saving, and the server's refusals
 */

typedef struct {
	Comptoir__Sales__Document doc;
	GPtrArray *lines;   /* Comptoir__Sales__Line * (g_free) */
	GArray *uids;	    /* guint64: the line each was read from */
	GPtrArray *strings; /* what the messages point to */
} Draft;

static void draft_free(Draft *d)
{
	g_ptr_array_unref(d->lines);
	g_array_unref(d->uids);
	g_ptr_array_unref(d->strings);
	g_free(d);
}

static char *keep(Draft *d, char *s)
{
	g_ptr_array_add(d->strings, s);
	return s;
}

/* A date field as typed ("22/11/2026" or empty); FALSE, shown, if not a date. */
static gboolean read_date(CptSalesEditor *e, Draft *d, const char *name, char **out)
{
	GtkWidget *w = cpt_ui_find_named(GTK_WIDGET(e->header), name);
	char *iso = cpt_ui_date_to_iso(w ? cpt_sales_cell_text(w) : "");
	if (!iso) {
		cpt_ui_field_error(w, e->message,
				   _("Date invalide : jour/mois/année, par exemple 22/11/2026."));
		return FALSE;
	}
	*out = keep(d, iso);
	return TRUE;
}

/* The draft as typed, or NULL with the cell or field at fault shown: nothing to send. */
static Draft *read_draft(CptSalesEditor *e)
{
	Draft *d = g_new0(Draft, 1);
	d->lines = g_ptr_array_new_with_free_func(g_free);
	d->uids = g_array_new(FALSE, FALSE, sizeof(guint64));
	d->strings = g_ptr_array_new_with_free_func(g_free);
	Comptoir__Sales__Document *doc = &d->doc;
	comptoir__sales__document__init(doc);
	doc->id = e->id;
	doc->type = e->type;
	doc->party_code = keep(d, cpt_sales_cell_strip(e->party_code));
	gint32 discount;
	if (!read_date(e, d, "document.issue_date", &doc->issue_date) ||
	    !read_date(e, d, "document.delivery_date", &doc->delivery_date) ||
	    (g_str_equal(e->type, "quote") &&
	     !read_date(e, d, "document.valid_until", &doc->valid_until)) ||
	    !cpt_sales_cell_read_percent(e, named(e, "document.discount_rate"), "", &discount)) {
		draft_free(d);
		return NULL;
	}
	doc->discount_rate = discount;
	guint terms = gtk_drop_down_get_selected(e->terms);
	doc->payment_terms = terms > 0 && terms <= e->terms_codes->len
				 ? g_ptr_array_index(e->terms_codes, terms - 1)
				 : "";
	guint ex = gtk_drop_down_get_selected(e->exemption);
	doc->exemption_code = ex > 0 && ex <= e->exemption_codes->len
				  ? g_ptr_array_index(e->exemption_codes, ex - 1)
				  : "";
	doc->prices_include_vat = gtk_switch_get_active(e->ttc);
	doc->delivery_address_id = cpt_sales_delivery_selected(e);
	doc->buyer_reference = keep(d, cpt_sales_cell_strip(named(e, "document.buyer_reference")));
	GtkTextBuffer *buf = gtk_text_view_get_buffer(e->notes);
	GtkTextIter start, end;
	gtk_text_buffer_get_bounds(buf, &start, &end);
	doc->notes = keep(d, gtk_text_buffer_get_text(buf, &start, &end, FALSE));
	for (guint i = 0; i < e->lines->len; i++) {
		CptSalesLine *l = cpt_sales_lines_at(e, i);
		if (cpt_sales_line_blank(l)) {
			continue;
		}
		Comptoir__Sales__Line *out = g_new(Comptoir__Sales__Line, 1);
		comptoir__sales__line__init(out);
		g_ptr_array_add(d->lines, out);
		if (!cpt_sales_line_read(e, d->strings, l, i, out)) {
			draft_free(d);
			return NULL;
		}
		out->id = l->id;
		g_array_append_val(d->uids, l->uid);
	}
	doc->n_lines = d->lines->len;
	doc->lines = (Comptoir__Sales__Line **)d->lines->pdata;
	return d;
}

/* Shows the server's refusal on the widget its field names. */
static void show_refusal(CptSalesEditor *e, GArray *sent, const cpt_status *st)
{
	const char *field = st->field;
	const char *text = cpt_ui_status_text(st);
	GtkWidget *w = NULL;
	if (g_str_has_prefix(field, "document.lines.")) {
		g_autofree char *prefix = NULL;
		w = cpt_sales_lines_refusal(e, sent, st, &prefix);
		if (prefix) {
			g_autofree char *t = g_strconcat(prefix, text, NULL);
			cpt_ui_field_error(w, e->message, t);
			return;
		}
	} else if (g_str_equal(field, "document.party_id")) {
		w = e->party_code;
	} else if (*field) {
		w = named(e, field);
	}
	cpt_ui_field_error(w, e->message, text);
}

typedef struct {
	GtkWindow *window;
	GArray *sent; /* guint64 uids of the lines sent */
	gboolean then_validate;
} SaveCall;

static GtkWindow *validate_ask(CptSalesEditor *e);

static void saved(GObject *source, GAsyncResult *res, gpointer data)
{
	SaveCall *s = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	CptSalesEditor *e = cpt_sales_editor_of(s->window);
	if (e && !e->closed) {
		e->busy--;
		gtk_widget_set_sensitive(e->save, TRUE);
		gtk_widget_set_sensitive(e->validate, TRUE);
		if (r->status.code != CPT_OK) {
			show_refusal(e, s->sent, &r->status);
		} else {
			const Comptoir__Sales__Document *d =
			    ((Comptoir__Sales__DocumentReply *)r->output)->document;
			if (d->n_lines == s->sent->len) {
				/* In place: the focus and the lines being typed stay. */
				e->id = d->id;
				g_free(e->state);
				e->state = g_strdup(d->state);
				g_free(e->number);
				e->number = g_strdup(d->number);
				e->filling = TRUE;
				set_label(e->party_name, d->party_name);
				g_free(e->party_looked_up);
				e->party_looked_up = g_strdup(d->party_code);
				cpt_sales_cell_set(e, e->party_code, d->party_code);
				set_date(e, "document.issue_date", d->issue_date);
				set_date(e, "document.valid_until", d->valid_until);
				g_autofree char *due = cpt_ui_date_from_iso(d->due_date);
				set_label(e->due_date, due);
				for (guint i = 0; i < s->sent->len; i++) {
					CptSalesLine *l = cpt_sales_lines_find(
					    e, g_array_index(s->sent, guint64, i));
					if (l) {
						gboolean automatic = l->price_auto;
						cpt_sales_line_fill(e, l, d->lines[i]);
						l->price_auto = automatic;
					}
				}
				e->filling = FALSE;
				show_totals(e, d);
				update_title(e);
				update_actions(e);
			} else {
				fill_document(e, d);
			}
			e->dirty = FALSE;
			show_message(e, _("Enregistré : les montants sont ceux du serveur."));
			if (s->then_validate) {
				validate_ask(e);
			}
		}
	}
	g_object_unref(s->window);
	g_array_unref(s->sent);
	g_free(s);
}

static void save(CptSalesEditor *e, gboolean then_validate)
{
	clear_error_marks(GTK_WIDGET(e->window));
	show_message(e, "");
	if (e->read_only) {
		return;
	}
	if (e->pending > 0 || e->loading) {
		show_message(e, _("Le document se charge encore."));
		return;
	}
	Draft *d = read_draft(e);
	if (!d) {
		return; /* shown on its cell; nothing sent */
	}
	SaveCall *s = g_new0(SaveCall, 1);
	s->window = g_object_ref(e->window);
	s->sent = g_array_ref(d->uids);
	s->then_validate = then_validate;
	Comptoir__Sales__DocumentRequest req = COMPTOIR__SALES__DOCUMENT_REQUEST__INIT;
	req.document = &d->doc;
	g_autofree char *method = g_strconcat(cpt_sales_service(e->type), "Save", NULL);
	e->busy++;
	gtk_widget_set_sensitive(e->save, FALSE);
	gtk_widget_set_sensitive(e->validate, FALSE);
	cpt_conn_call_async(e->conn, method, &req.base,
			    &comptoir__sales__document_reply__descriptor, NULL, saved, s);
	draft_free(d);
}

void cpt_sales_editor_save(GtkWindow *editor)
{
	save(cpt_sales_editor_of(editor), FALSE);
}

/* ---------------------------------------------------------------------------
 * Actions
 */

static void opened_made(CptSalesEditor *e, const CptCallResult *r)
{
	if (r->status.code != CPT_OK) {
		return;
	}
	const Comptoir__Sales__Document *d =
	    ((Comptoir__Sales__DocumentReply *)r->output)->document;
	if (e->made) {
		g_object_remove_weak_pointer(G_OBJECT(e->made), (gpointer *)&e->made);
	}
	e->made = cpt_sales_editor_open(e->conn, e->parent, d->type, d->id);
	g_object_add_weak_pointer(G_OBJECT(e->made), (gpointer *)&e->made);
}

/* A document changed (validated, its state): shown as the server has it now. */
static void show_changed(CptSalesEditor *e, const CptCallResult *r, const char *message)
{
	if (r->status.code == CPT_OK) {
		fill_document(e, ((Comptoir__Sales__DocumentReply *)r->output)->document);
	}
	show_message(e, message);
}

static void on_changed(GtkWidget *origin, const CptCallResult *r, const char *message)
{
	CptSalesEditor *e = cpt_sales_editor_of(GTK_WINDOW(origin));
	e->busy--;
	show_changed(e, r, message);
}

/* Not counted as busy: a confirmation may stay open as long as it likes. */
static void on_validated(GtkWidget *origin, const CptCallResult *r, const char *message)
{
	show_changed(cpt_sales_editor_of(GTK_WINDOW(origin)), r, message);
}

static void on_made(GtkWidget *origin, const CptCallResult *r, const char *message)
{
	CptSalesEditor *e = cpt_sales_editor_of(GTK_WINDOW(origin));
	show_message(e, message);
	opened_made(e, r);
}

static void on_message(GtkWidget *origin, const CptCallResult *r, const char *message)
{
	CptSalesEditor *e = cpt_sales_editor_of(GTK_WINDOW(origin));
	e->busy--;
	show_message(e, message);
}

static void on_deleted(GtkWidget *origin, const CptCallResult *r, const char *message)
{
	CptSalesEditor *e = cpt_sales_editor_of(GTK_WINDOW(origin));
	if (r->status.code == CPT_OK) {
		gtk_window_destroy(e->window);
		return;
	}
	show_message(e, message);
}

static GtkWindow *validate_ask(CptSalesEditor *e)
{
	return cpt_sales_validate(e->conn, GTK_WIDGET(e->window), e->type, e->id, on_validated);
}

GtkWindow *cpt_sales_editor_validate(GtkWindow *editor)
{
	CptSalesEditor *e = cpt_sales_editor_of(editor);
	if (e->read_only || !e->can_validate) {
		return NULL;
	}
	if (e->dirty || e->id == 0) {
		save(e, TRUE);
		return NULL;
	}
	return validate_ask(e);
}

static void on_validate_clicked(GtkButton *b, gpointer data)
{
	cpt_sales_editor_validate(((CptSalesEditor *)data)->window);
}

GtkWindow *cpt_sales_editor_convert(GtkWindow *editor)
{
	CptSalesEditor *e = cpt_sales_editor_of(editor);
	if (e->id == 0 || !e->state || g_str_equal(e->state, "draft")) {
		return NULL;
	}
	return cpt_sales_convert_ask(e->conn, GTK_WIDGET(editor), e->type, &e->id, 1, on_made);
}

void cpt_sales_editor_duplicate(GtkWindow *editor)
{
	CptSalesEditor *e = cpt_sales_editor_of(editor);
	if (e->id == 0) {
		return;
	}
	cpt_sales_duplicate(e->conn, GTK_WIDGET(editor), e->type, e->id, on_made);
}

static void on_duplicate_clicked(GtkButton *b, gpointer data)
{
	cpt_sales_editor_duplicate(((CptSalesEditor *)data)->window);
}

GtkWindow *cpt_sales_editor_credit_note(GtkWindow *editor)
{
	CptSalesEditor *e = cpt_sales_editor_of(editor);
	if (e->id == 0 || !e->state || g_str_equal(e->state, "draft")) {
		return NULL;
	}
	return cpt_sales_credit_note_ask(e->conn, GTK_WIDGET(editor), e->id, on_made);
}

void cpt_sales_editor_preview(GtkWindow *editor)
{
	CptSalesEditor *e = cpt_sales_editor_of(editor);
	if (e->id == 0) {
		return;
	}
	e->busy++;
	show_message(e, _("Préparation du PDF…"));
	cpt_sales_preview(e->conn, GTK_WIDGET(editor), e->type, e->id, on_message);
}

void cpt_sales_editor_export_to(GtkWindow *editor, const char *format, GFile *dest)
{
	CptSalesEditor *e = cpt_sales_editor_of(editor);
	e->busy++;
	cpt_sales_export_to(e->conn, GTK_WIDGET(editor), e->type, e->id, format, dest, on_message);
}

static void quote_state(CptSalesEditor *e, const char *state)
{
	e->busy++;
	cpt_sales_set_quote_state(e->conn, GTK_WIDGET(e->window), e->id, state, on_changed);
}

static void on_save_clicked(GtkButton *b, gpointer data)
{
	save(data, FALSE);
}

static void on_convert_clicked(GtkButton *b, gpointer data)
{
	cpt_sales_editor_convert(((CptSalesEditor *)data)->window);
}

static void on_credit_clicked(GtkButton *b, gpointer data)
{
	cpt_sales_editor_credit_note(((CptSalesEditor *)data)->window);
}

static void on_sent_clicked(GtkButton *b, gpointer data)
{
	quote_state(data, "sent");
}

static void on_accepted_clicked(GtkButton *b, gpointer data)
{
	quote_state(data, "accepted");
}

static void on_refused_clicked(GtkButton *b, gpointer data)
{
	quote_state(data, "refused");
}

static void on_mail_queued(const char *message, gpointer data)
{
	CptSalesEditor *e = data;
	if (!e->closed) {
		gtk_label_set_text(e->message, message);
		cpt_sales_mails_load(e->mails, e->conn, e->id);
	}
}

GtkWindow *cpt_sales_editor_send(GtkWindow *editor)
{
	CptSalesEditor *e = g_object_get_data(G_OBJECT(editor), "cpt-sales-editor");
	return cpt_sales_send_dialog(e->conn, e->window, e->type, e->id, e->number ? e->number : "",
				     e->delivery_party, on_mail_queued, e);
}

static void on_send_clicked(GtkButton *b, gpointer data)
{
	cpt_sales_editor_send(((CptSalesEditor *)data)->window);
}

static void on_preview_clicked(GtkButton *b, gpointer data)
{
	cpt_sales_editor_preview(((CptSalesEditor *)data)->window);
}

static void on_export_clicked(GtkButton *b, gpointer data)
{
	CptSalesEditor *e = data;
	const char *format = g_object_get_data(G_OBJECT(b), "cpt-format");
	e->busy++;
	cpt_sales_export_ask(e->conn, GTK_WIDGET(e->window), e->type, e->id, format, on_message);
}

static void on_delete_clicked(GtkButton *b, gpointer data)
{
	CptSalesEditor *e = data;
	cpt_sales_delete(e->conn, GTK_WIDGET(e->window), e->type, e->id, on_deleted);
}

/* ---------------------------------------------------------------------------
 * Opening: the reference lists, then the document
 */

static void show_when_ready(CptSalesEditor *e)
{
	if (e->pending > 0) {
		return;
	}
	if (e->record) {
		fill_document(e, ((Comptoir__Sales__DocumentReply *)e->record->output)->document);
		g_clear_pointer(&e->record, cpt_call_result_free);
		e->loading = FALSE;
	}
	if (!e->loading) {
		gtk_widget_set_sensitive(e->save, TRUE);
		gtk_widget_set_sensitive(e->validate, TRUE);
	}
}

static void document_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	CptCallResult *r = cpt_conn_call_finish(CPT_CONN(source), res);
	CptSalesEditor *e = cpt_sales_editor_of(window);
	if (e && !e->closed && r->status.code == CPT_OK) {
		e->record = r;
		show_when_ready(e);
	} else {
		if (e && !e->closed) {
			e->loading = FALSE;
			show_message(e, cpt_ui_status_text(&r->status));
		}
		cpt_call_result_free(r);
	}
	g_object_unref(window);
}

/* Takes the answer to a reference call; FALSE if it failed (then shown). */
static gboolean reference_in(CptSalesEditor *e, const CptCallResult *r)
{
	e->pending--;
	if (r->status.code != CPT_OK) {
		show_message(e, cpt_ui_status_text(&r->status));
		return FALSE;
	}
	return TRUE;
}

static void rates_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	CptSalesEditor *e = cpt_sales_editor_of(window);
	if (e && !e->closed) {
		if (reference_in(e, r)) {
			const Comptoir__Reference__ListVatRatesReply *v = (const void *)r->output;
			for (size_t i = 0; i < v->n_rates; i++) {
				CptSalesVat c = {.id = v->rates[i]->id, .rate = v->rates[i]->rate};
				g_strlcpy(c.category, v->rates[i]->category, sizeof c.category);
				g_array_append_val(e->vats, c);
				g_autofree char *rate = cpt_ui_rate(v->rates[i]->rate);
				g_autofree char *name =
				    g_strdup_printf("%s %s", v->rates[i]->country, rate);
				gtk_string_list_append(e->vat_names, name);
			}
		}
		show_when_ready(e);
	}
	g_object_unref(window);
}

static void exemptions_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	CptSalesEditor *e = cpt_sales_editor_of(window);
	if (e && !e->closed) {
		if (reference_in(e, r)) {
			const Comptoir__Reference__ListExemptionsReply *x = (const void *)r->output;
			GtkStringList *names =
			    GTK_STRING_LIST(gtk_drop_down_get_model(e->exemption));
			for (size_t i = 0; i < x->n_exemptions; i++) {
				g_autofree char *name = g_strdup_printf(
				    "%s — %s", x->exemptions[i]->country, x->exemptions[i]->label);
				gtk_string_list_append(names, name);
				g_ptr_array_add(e->exemption_codes,
						g_strdup(x->exemptions[i]->code));
			}
		}
		show_when_ready(e);
	}
	g_object_unref(window);
}

static void terms_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	GtkWindow *window = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	CptSalesEditor *e = cpt_sales_editor_of(window);
	if (e && !e->closed) {
		if (reference_in(e, r)) {
			const Comptoir__Reference__ListPaymentTermsReply *t =
			    (const void *)r->output;
			GtkStringList *names = GTK_STRING_LIST(gtk_drop_down_get_model(e->terms));
			for (size_t i = 0; i < t->n_terms; i++) {
				gtk_string_list_append(names, t->terms[i]->label);
				g_ptr_array_add(e->terms_codes, g_strdup(t->terms[i]->code));
			}
		}
		show_when_ready(e);
	}
	g_object_unref(window);
}

static void load_references(CptSalesEditor *e)
{
	e->pending = REFERENCE_CALLS;
	Comptoir__Reference__CountryRequest both = COMPTOIR__REFERENCE__COUNTRY_REQUEST__INIT;
	cpt_conn_call_async(e->conn, REFERENCE_SERVICE "ListVatRates", &both.base,
			    &comptoir__reference__list_vat_rates_reply__descriptor, NULL,
			    rates_loaded, g_object_ref(e->window));
	cpt_conn_call_async(e->conn, REFERENCE_SERVICE "ListExemptions", &both.base,
			    &comptoir__reference__list_exemptions_reply__descriptor, NULL,
			    exemptions_loaded, g_object_ref(e->window));
	Comptoir__Reference__ListPaymentTermsRequest terms =
	    COMPTOIR__REFERENCE__LIST_PAYMENT_TERMS_REQUEST__INIT;
	cpt_conn_call_async(e->conn, REFERENCE_SERVICE "ListPaymentTerms", &terms.base,
			    &comptoir__reference__list_payment_terms_reply__descriptor, NULL,
			    terms_loaded, g_object_ref(e->window));
}

/* ---------------------------------------------------------------------------
 * Building the window
 */

static GtkWidget *caption(const char *text)
{
	GtkWidget *l = gtk_label_new(text);
	gtk_label_set_xalign(GTK_LABEL(l), 1);
	return l;
}

/* A captioned field at (column pair col, row) of the header. */
static GtkWidget *place(CptSalesEditor *e, int col, int row, int width, const char *text,
			const char *name, GtkWidget *w)
{
	gtk_widget_set_name(w, name);
	gtk_widget_set_hexpand(w, TRUE);
	gtk_grid_attach(e->header, caption(text), col * 2, row, 1, 1);
	gtk_grid_attach(e->header, w, col * 2 + 1, row, width, 1);
	return w;
}

static GtkWidget *header_entry(CptSalesEditor *e, const char *placeholder, int chars)
{
	GtkWidget *w = gtk_entry_new();
	gtk_entry_set_placeholder_text(GTK_ENTRY(w), placeholder);
	gtk_editable_set_width_chars(GTK_EDITABLE(w), chars);
	g_signal_connect(w, "changed", G_CALLBACK(on_cell_changed), e);
	return w;
}

static GtkDropDown *choice(CptSalesEditor *e, const char *first)
{
	const char *items[] = {first, NULL};
	GtkDropDown *d = GTK_DROP_DOWN(gtk_drop_down_new_from_strings(items));
	g_signal_connect(d, "notify::selected", G_CALLBACK(on_choice_changed), e);
	return d;
}

static void on_party_activate(GtkEntry *entry, gpointer data)
{
	lookup_party(data);
}

static void on_party_leave(GtkEventControllerFocus *c, gpointer data)
{
	lookup_party(data);
}

static void on_ttc_changed(GObject *s, GParamSpec *pspec, gpointer data)
{
	CptSalesEditor *e = data;
	gtk_label_set_text(e->price_title,
			   gtk_switch_get_active(e->ttc) ? _("PU TTC") : _("PU HT"));
	cpt_sales_editor_mark_dirty(e);
}

static void on_notes_changed(GtkTextBuffer *b, gpointer data)
{
	cpt_sales_editor_mark_dirty(data);
}

static void build_header(CptSalesEditor *e)
{
	e->header = GTK_GRID(gtk_grid_new());
	gtk_grid_set_row_spacing(e->header, 6);
	gtk_grid_set_column_spacing(e->header, 12);
	e->party_code = place(e, 0, 0, 1, _("Client"), "document.party_code",
			      header_entry(e, _("Code client, puis Tab"), 12));
	g_signal_connect(e->party_code, "activate", G_CALLBACK(on_party_activate), e);
	GtkEventController *fc = gtk_event_controller_focus_new();
	g_signal_connect(fc, "leave", G_CALLBACK(on_party_leave), e);
	gtk_widget_add_controller(e->party_code, fc);
	e->party_name = GTK_LABEL(gtk_label_new(""));
	gtk_label_set_xalign(e->party_name, 0);
	gtk_label_set_ellipsize(e->party_name, PANGO_ELLIPSIZE_END);
	gtk_widget_set_name(GTK_WIDGET(e->party_name), "document.party_name");
	gtk_grid_attach(e->header, GTK_WIDGET(e->party_name), 2, 0, 2, 1);
	e->delivery = choice(e, _("— l'adresse de facturation —"));
	place(e, 2, 0, 1, _("Livrer à"), "document.delivery_address", GTK_WIDGET(e->delivery));
	gtk_widget_set_tooltip_text(GTK_WIDGET(e->delivery),
				    _("Adresse de livraison ou site du client, imprimée sur le "
				      "document quand elle diffère de celle de facturation"));

	place(e, 0, 1, 1, _("Date"), "document.issue_date", header_entry(e, _("aujourd'hui"), 10));
	gboolean quote = g_str_equal(e->type, "quote");
	gboolean invoices = e->book == CPT_SALES_INVOICES;
	if (quote) {
		place(e, 1, 1, 1, _("Valable jusqu'au"), "document.valid_until",
		      header_entry(e, _("validité habituelle"), 10));
	} else if (invoices) {
		e->due_date = GTK_LABEL(gtk_label_new(""));
		gtk_label_set_xalign(e->due_date, 0);
		place(e, 1, 1, 1, _("Échéance"), "document.due_date", GTK_WIDGET(e->due_date));
		gtk_widget_set_tooltip_text(GTK_WIDGET(e->due_date),
					    _("Calculée par le serveur selon les conditions de "
					      "paiement"));
	}
	if (!e->due_date) {
		e->due_date = GTK_LABEL(gtk_label_new("")); /* not shown */
		g_object_ref_sink(e->due_date);
		g_object_set_data_full(G_OBJECT(e->header), "cpt-due", e->due_date, g_object_unref);
	}
	place(e, 2, 1, 1, _("Livraison"), "document.delivery_date",
	      header_entry(e, _("jj/mm/aaaa"), 10));
	e->terms = choice(e, _("— celles du client —"));
	place(e, 0, 2, 1, _("Paiement"), "document.payment_terms", GTK_WIDGET(e->terms));
	e->exemption = choice(e, _("— aucune —"));
	place(e, 1, 2, 3, _("Exonération"), "document.exemption_code", GTK_WIDGET(e->exemption));
	gtk_widget_set_tooltip_text(GTK_WIDGET(e->exemption),
				    _("Exonération ou autoliquidation : la mention légale est "
				      "imprimée et la TVA n'est pas facturée"));
	e->ttc = GTK_SWITCH(gtk_switch_new());
	gtk_widget_set_halign(GTK_WIDGET(e->ttc), GTK_ALIGN_START);
	place(e, 0, 3, 1, _("Prix saisis TTC"), "document.prices_include_vat", GTK_WIDGET(e->ttc));
	gtk_widget_set_hexpand(GTK_WIDGET(e->ttc), FALSE);
	g_signal_connect(e->ttc, "notify::active", G_CALLBACK(on_ttc_changed), e);
	GtkWidget *discount = place(e, 1, 3, 1, _("Remise globale %"), "document.discount_rate",
				    header_entry(e, "0", 6));
	gtk_editable_set_alignment(GTK_EDITABLE(discount), 1);
	place(e, 2, 3, 1, _("Référence client"), "document.buyer_reference",
	      header_entry(e, _("n° de commande du client"), 14));
	e->notes = GTK_TEXT_VIEW(gtk_text_view_new());
	gtk_text_view_set_wrap_mode(e->notes, GTK_WRAP_WORD_CHAR);
	gtk_widget_set_name(GTK_WIDGET(e->notes), "document.notes");
	g_signal_connect(gtk_text_view_get_buffer(e->notes), "changed",
			 G_CALLBACK(on_notes_changed), e);
	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), GTK_WIDGET(e->notes));
	gtk_scrolled_window_set_min_content_height(GTK_SCROLLED_WINDOW(scroll), 40);
	gtk_widget_add_css_class(scroll, "frame");
	GtkWidget *nl = caption(_("Notes"));
	gtk_widget_set_valign(nl, GTK_ALIGN_START);
	gtk_grid_attach(e->header, nl, 0, 4, 1, 1);
	gtk_grid_attach(e->header, scroll, 1, 4, 5, 1);
}

static GtkWidget *bar_button(CptSalesEditor *e, GtkBox *bar, const char *name, const char *mnemonic,
			     const char *tooltip, GCallback cb)
{
	GtkWidget *b = gtk_button_new_with_mnemonic(mnemonic);
	gtk_widget_set_name(b, name);
	if (tooltip) {
		gtk_widget_set_tooltip_text(b, tooltip);
	}
	g_signal_connect(b, "clicked", cb, e);
	gtk_box_append(bar, b);
	return b;
}

static GtkWidget *build_totals(CptSalesEditor *e)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 24);
	e->vat_grid = GTK_GRID(gtk_grid_new());
	gtk_widget_set_name(GTK_WIDGET(e->vat_grid), "totals.vat");
	gtk_grid_set_column_spacing(e->vat_grid, 18);
	gtk_grid_set_row_spacing(e->vat_grid, 2);
	gtk_widget_set_valign(GTK_WIDGET(e->vat_grid), GTK_ALIGN_START);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(e->vat_grid));
	GtkWidget *spacer = gtk_label_new(NULL);
	gtk_widget_set_hexpand(spacer, TRUE);
	gtk_box_append(GTK_BOX(box), spacer);
	e->totals = GTK_GRID(gtk_grid_new());
	gtk_grid_set_column_spacing(e->totals, 18);
	gtk_grid_set_row_spacing(e->totals, 2);
	const struct {
		const char *name, *caption;
		gboolean strong;
	} rows[] = {
	    {"totals.lines_net", N_("Total des lignes HT"), FALSE},
	    {"totals.discount_amount", N_("Remise globale"), FALSE},
	    {"totals.net_total", N_("Total HT"), TRUE},
	    {"totals.vat_total", N_("TVA"), FALSE},
	    {"totals.gross_total", N_("Total TTC"), TRUE},
	    {"totals.prepaid", N_("Acomptes déduits"), FALSE},
	    {"totals.amount_due", N_("Net à payer"), TRUE},
	    {"totals.eco_total", N_("dont éco-participation"), FALSE},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		GtkWidget *c = caption(_(rows[i].caption));
		GtkWidget *v = gtk_label_new("");
		gtk_widget_set_name(v, rows[i].name);
		gtk_label_set_xalign(GTK_LABEL(v), 1);
		gtk_label_set_width_chars(GTK_LABEL(v), 14);
		gtk_label_set_selectable(GTK_LABEL(v), TRUE);
		if (rows[i].strong) {
			gtk_widget_add_css_class(v, "heading");
			gtk_widget_add_css_class(c, "heading");
		}
		g_object_set_data(G_OBJECT(v), "cpt-caption", c);
		gtk_grid_attach(e->totals, c, 0, (int)i, 1, 1);
		gtk_grid_attach(e->totals, v, 1, (int)i, 1, 1);
		gboolean shown = g_str_equal(rows[i].name, "totals.net_total") ||
				 g_str_equal(rows[i].name, "totals.vat_total") ||
				 g_str_equal(rows[i].name, "totals.gross_total");
		gtk_widget_set_visible(c, shown);
		gtk_widget_set_visible(v, shown);
	}
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(e->totals));
	return box;
}

static GtkWidget *build_actions(CptSalesEditor *e)
{
	GtkWidget *column = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	e->mails = cpt_sales_mails_new();
	gtk_box_append(GTK_BOX(column), e->mails);
	GtkWidget *bottom = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	gtk_box_append(GTK_BOX(column), bottom);
	e->message = GTK_LABEL(gtk_label_new(NULL));
	gtk_widget_set_name(GTK_WIDGET(e->message), "message");
	gtk_label_set_xalign(e->message, 0);
	gtk_label_set_wrap(e->message, TRUE);
	gtk_widget_set_hexpand(GTK_WIDGET(e->message), TRUE);
	gtk_box_append(GTK_BOX(bottom), GTK_WIDGET(e->message));
	GtkBox *bar = GTK_BOX(bottom);
	e->del = bar_button(e, bar, "delete", _("Supprimer"), _("Supprimer ce brouillon"),
			    G_CALLBACK(on_delete_clicked));
	e->preview = bar_button(e, bar, "preview", _("_Aperçu / Imprimer"),
				_("Ouvrir le PDF pour le lire ou l'imprimer"),
				G_CALLBACK(on_preview_clicked));
	e->export_cii = bar_button(
	    e, bar, "export.cii", _("Factur-X…"),
	    _("Exporter la facture Factur-X : le PDF/A-3 et sa facture électronique CII"),
	    G_CALLBACK(on_export_clicked));
	g_object_set_data(G_OBJECT(e->export_cii), "cpt-format", "facturx");
	e->export_ubl = bar_button(e, bar, "export.ubl", _("UBL…"),
				   _("Exporter la facture électronique Peppol BIS (UBL)"),
				   G_CALLBACK(on_export_clicked));
	g_object_set_data(G_OBJECT(e->export_ubl), "cpt-format", "ubl");
	e->send = bar_button(e, bar, "send", _("E_nvoyer…"),
			     _("Envoyer le PDF au client par e-mail"), G_CALLBACK(on_send_clicked));
	e->sent = bar_button(e, bar, "quote.sent", _("Envoyé"),
			     _("Le devis a été envoyé au client"), G_CALLBACK(on_sent_clicked));
	e->accepted = bar_button(e, bar, "quote.accepted", _("Accepté"), NULL,
				 G_CALLBACK(on_accepted_clicked));
	e->refused =
	    bar_button(e, bar, "quote.refused", _("Refusé"), NULL, G_CALLBACK(on_refused_clicked));
	e->credit = bar_button(e, bar, "credit_note", _("A_voir…"),
			       _("Corriger la facture par un avoir, total ou partiel"),
			       G_CALLBACK(on_credit_clicked));
	e->duplicate = bar_button(e, bar, "duplicate", _("D_upliquer"),
				  _("Un nouveau brouillon, copie de ce document"),
				  G_CALLBACK(on_duplicate_clicked));
	e->convert = bar_button(e, bar, "convert", _("_Convertir…"),
				_("Faire la commande, la livraison, la facture ou l'acompte"),
				G_CALLBACK(on_convert_clicked));
	e->validate =
	    bar_button(e, bar, "validate", _("_Valider"), _("Attribuer le numéro définitif"),
		       G_CALLBACK(on_validate_clicked));
	e->save =
	    bar_button(e, bar, "save", _("_Enregistrer"), _("Ctrl+S"), G_CALLBACK(on_save_clicked));
	gtk_widget_add_css_class(e->save, "suggested-action");
	return column;
}

static gboolean on_save_shortcut(GtkWidget *w, GVariant *args, gpointer data)
{
	save(data, FALSE);
	return TRUE;
}

static void on_destroy(GtkWidget *w, gpointer data)
{
	((CptSalesEditor *)data)->closed = TRUE;
}

static void on_close_anyway(GtkWindow *dialog, gpointer window)
{
	gtk_window_destroy(GTK_WINDOW(window));
}

/* Closing a draft changed since its last save asks first. */
static gboolean on_close_request(GtkWindow *w, gpointer data)
{
	CptSalesEditor *e = data;
	if (!e->dirty || e->read_only) {
		return FALSE;
	}
	cpt_ui_confirm(GTK_WIDGET(w), _("Modifications non enregistrées"),
		       _("Ce document a changé depuis son dernier enregistrement. Le fermer sans "
			 "enregistrer ?"),
		       NULL, _("_Fermer sans enregistrer"), TRUE, on_close_anyway, g_object_ref(w),
		       g_object_unref);
	return TRUE;
}

GtkWindow *cpt_sales_editor_open(CptConn *conn, GtkWidget *parent, const char *type, gint64 id)
{
	CptSalesEditor *e = g_new0(CptSalesEditor, 1);
	e->conn = g_object_ref(conn);
	e->type = g_strdup(type);
	e->book = cpt_sales_book_of(type);
	e->id = id;
	e->writable = cpt_conn_has_permission(conn, cpt_sales_write_permission(e->book));
	e->can_validate = cpt_conn_has_permission(conn, cpt_sales_validate_permission(e->book));
	e->vats = g_array_new(FALSE, FALSE, sizeof(CptSalesVat));
	e->exemption_codes = g_ptr_array_new_with_free_func(g_free);
	e->terms_codes = g_ptr_array_new_with_free_func(g_free);
	e->delivery_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	e->lines = g_ptr_array_new_with_free_func(cpt_sales_line_free);
	e->vat_names = gtk_string_list_new(NULL);
	gtk_string_list_append(e->vat_names, "—");
	e->kind_names = cpt_sales_line_kinds_model();
	e->window = GTK_WINDOW(gtk_window_new());
	gtk_window_set_default_size(e->window, 1180, 820);
	GtkRoot *root = parent ? gtk_widget_get_root(parent) : NULL;
	if (GTK_IS_WINDOW(root)) {
		/* Documents made from this one open beside it, over the main window. */
		GtkWindow *top = gtk_window_get_transient_for(GTK_WINDOW(root));
		GtkWindow *over = top ? top : GTK_WINDOW(root);
		gtk_window_set_transient_for(e->window, over);
		gtk_window_set_destroy_with_parent(e->window, TRUE);
		e->parent = g_object_ref(GTK_WIDGET(over));
	}
	g_object_set_data_full(G_OBJECT(e->window), "cpt-sales-editor", e, editor_free);
	g_signal_connect(e->window, "destroy", G_CALLBACK(on_destroy), e);
	g_signal_connect(e->window, "close-request", G_CALLBACK(on_close_request), e);

	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 10);
	g_object_set(box, "margin-top", 12, "margin-bottom", 12, "margin-start", 12, "margin-end",
		     12, NULL);
	GtkWidget *head = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	e->title = GTK_LABEL(gtk_label_new(""));
	gtk_widget_add_css_class(GTK_WIDGET(e->title), "title-3");
	gtk_label_set_xalign(e->title, 0);
	gtk_widget_set_hexpand(GTK_WIDGET(e->title), TRUE);
	e->number_label = GTK_LABEL(gtk_label_new(""));
	gtk_widget_set_name(GTK_WIDGET(e->number_label), "document.number");
	gtk_label_set_selectable(e->number_label, TRUE);
	e->state_label = GTK_LABEL(gtk_label_new(""));
	gtk_widget_set_name(GTK_WIDGET(e->state_label), "document.state");
	gtk_widget_add_css_class(GTK_WIDGET(e->state_label), "dim-label");
	gtk_box_append(GTK_BOX(head), GTK_WIDGET(e->title));
	gtk_box_append(GTK_BOX(head), GTK_WIDGET(e->number_label));
	gtk_box_append(GTK_BOX(head), GTK_WIDGET(e->state_label));
	gtk_box_append(GTK_BOX(box), head);
	build_header(e);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(e->header));
	gtk_box_append(GTK_BOX(box), cpt_sales_lines_new(e));
	gtk_box_append(GTK_BOX(box), build_totals(e));
	gtk_box_append(GTK_BOX(box), build_actions(e));
	gtk_window_set_child(e->window, box);

	GtkEventController *shortcuts = gtk_shortcut_controller_new();
	gtk_shortcut_controller_set_scope(GTK_SHORTCUT_CONTROLLER(shortcuts),
					  GTK_SHORTCUT_SCOPE_LOCAL);
	gtk_shortcut_controller_add_shortcut(
	    GTK_SHORTCUT_CONTROLLER(shortcuts),
	    gtk_shortcut_new(gtk_keyval_trigger_new(GDK_KEY_s, GDK_CONTROL_MASK),
			     gtk_callback_action_new(on_save_shortcut, e, NULL)));
	gtk_widget_add_controller(GTK_WIDGET(e->window), shortcuts);

	update_title(e);
	gtk_widget_set_sensitive(e->save, FALSE); /* until the lists are in */
	gtk_widget_set_sensitive(e->validate, FALSE);
	set_read_only(e, !e->writable);
	load_references(e);
	if (id) {
		e->loading = TRUE;
		Comptoir__Sales__IdRequest req = COMPTOIR__SALES__ID_REQUEST__INIT;
		req.id = id;
		g_autofree char *method = g_strconcat(cpt_sales_service(type), "Get", NULL);
		cpt_conn_call_async(conn, method, &req.base,
				    &comptoir__sales__document_reply__descriptor, NULL,
				    document_loaded, g_object_ref(e->window));
	} else if (!e->read_only) {
		cpt_sales_lines_insert(e, KIND_ITEM, 0);
	}
	gtk_window_present(e->window);
	if (!id) {
		gtk_widget_grab_focus(e->party_code);
	}
	return e->window;
}

/* ---------------------------------------------------------------------------
 * Public reading
 */

gboolean cpt_sales_editor_is_ready(GtkWindow *editor)
{
	CptSalesEditor *e = cpt_sales_editor_of(editor);
	return e->pending == 0 && !e->loading && e->busy == 0;
}

gint64 cpt_sales_editor_get_id(GtkWindow *editor)
{
	return cpt_sales_editor_of(editor)->id;
}

const char *cpt_sales_editor_get_doc_type(GtkWindow *editor)
{
	return cpt_sales_editor_of(editor)->type;
}

const char *cpt_sales_editor_get_state(GtkWindow *editor)
{
	CptSalesEditor *e = cpt_sales_editor_of(editor);
	return e->state ? e->state : "";
}

const char *cpt_sales_editor_get_number(GtkWindow *editor)
{
	CptSalesEditor *e = cpt_sales_editor_of(editor);
	return e->number ? e->number : "";
}

gboolean cpt_sales_editor_is_read_only(GtkWindow *editor)
{
	return cpt_sales_editor_of(editor)->read_only;
}

const char *cpt_sales_editor_get_message(GtkWindow *editor)
{
	return gtk_label_get_text(cpt_sales_editor_of(editor)->message);
}

GtkWidget *cpt_sales_editor_get_widget(GtkWindow *editor, const char *name)
{
	return cpt_ui_find_named(GTK_WIDGET(editor), name);
}

guint cpt_sales_editor_get_n_lines(GtkWindow *editor)
{
	return cpt_sales_editor_of(editor)->lines->len;
}

GtkWidget *cpt_sales_editor_get_cell(GtkWindow *editor, guint line, const char *column)
{
	CptSalesLine *l = cpt_sales_lines_at(cpt_sales_editor_of(editor), line);
	for (int c = 0; l && c < N_COLS; c++) {
		if (g_str_equal(cpt_sales_line_column(c), column)) {
			return l->cells[c];
		}
	}
	return NULL;
}

gboolean cpt_sales_editor_get_focus_cell(GtkWindow *editor, guint *line, const char **column)
{
	CptSalesEditor *e = cpt_sales_editor_of(editor);
	CptSalesLine *l;
	int col;
	if (!cpt_sales_lines_focus(e, &l, &col)) {
		return FALSE;
	}
	*line = cpt_sales_lines_index(e, l);
	*column = cpt_sales_line_column(col);
	return TRUE;
}

GtkWindow *cpt_sales_editor_get_made(GtkWindow *editor)
{
	return cpt_sales_editor_of(editor)->made;
}
