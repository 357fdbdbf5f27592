/*
 * The actions on sales documents; see cpt-sales-actions.h.
 *
 * An Op follows one action from the click to the answer: it holds the
 * origin widget and notices its "destroy", so that an answer arriving after
 * the page or the editor closed is dropped. The convert and credit note
 * dialogs stay open until the server answers: its refusal shows in them, on
 * the field it names, and only a document made closes them.
 *
 * What is left on each line of an order (to deliver) or an invoice (to
 * credit) is not a field of the protocol: it is the line's quantity less
 * what the documents made from it took, read from those documents (the
 * client's delivery notes or credit notes that name it as their source).
 */
#include "cpt-sales-actions.h"
#include "cpt-sales.h"
#include "cpt-ui.h"
#include "money.h"

#include "sales.pb-c.h"

#include <glib/gi18n.h>

#define MADE_FROM_LIMIT 500 /* documents read to find what a source gave */

typedef struct {
	CptConn *conn;
	GtkWidget *origin; /* a reference */
	CptSalesDone done;
	gboolean gone;	     /* the origin was destroyed */
	GFile *dest;	     /* export: where to, or NULL to ask */
	CptCallResult *file; /* export: the FileReply being saved */
} Op;

static void on_origin_destroy(GtkWidget *w, gpointer data)
{
	((Op *)data)->gone = TRUE;
}

static Op *op_new(CptConn *conn, GtkWidget *origin, CptSalesDone done)
{
	Op *op = g_new0(Op, 1);
	op->conn = g_object_ref(conn);
	op->origin = g_object_ref(origin);
	op->done = done;
	g_signal_connect(origin, "destroy", G_CALLBACK(on_origin_destroy), op);
	return op;
}

static void op_free(Op *op)
{
	g_signal_handlers_disconnect_by_data(op->origin, op);
	g_object_unref(op->origin);
	g_object_unref(op->conn);
	g_clear_object(&op->dest);
	g_clear_pointer(&op->file, cpt_call_result_free);
	g_free(op);
}

/* Tells the origin, if it is still there, and frees op. */
static void op_finish(Op *op, const CptCallResult *r, const char *message)
{
	if (!op->gone && op->done) {
		op->done(op->origin, r, message);
	}
	op_free(op);
}

/* The message for a call that made or changed a document. */
static char *document_message(const CptCallResult *r, const char *made)
{
	if (r->status.code != CPT_OK) {
		return g_strdup(cpt_ui_status_text(&r->status));
	}
	const Comptoir__Sales__Document *d =
	    ((Comptoir__Sales__DocumentReply *)r->output)->document;
	if (made) {
		/* "Facture créée en brouillon." */
		return g_strdup_printf(_("%s : brouillon créé."), cpt_sales_type_label(d->type));
	}
	if (*d->number) {
		return g_strdup_printf(_("%s n° %s : %s."), cpt_sales_type_label(d->type),
				       d->number, cpt_sales_state_label(d->type, d->state));
	}
	return g_strdup(_("Document enregistré."));
}

static void document_done(GObject *source, GAsyncResult *res, gpointer data)
{
	Op *op = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	g_autofree char *msg = document_message(r, NULL);
	op_finish(op, r, msg);
}

static void call_by_id(Op *op, const char *type, const char *method, gint64 id,
		       const ProtobufCMessageDescriptor *reply, GAsyncReadyCallback cb)
{
	Comptoir__Sales__IdRequest req = COMPTOIR__SALES__ID_REQUEST__INIT;
	req.id = id;
	g_autofree char *m = g_strconcat(cpt_sales_service(type), method, NULL);
	cpt_conn_call_async(op->conn, m, &req.base, reply, NULL, cb, op);
}

/* ---------------------------------------------------------------------------
 * Validate, quote states, delete
 */

typedef struct {
	CptConn *conn;
	GtkWidget *origin;
	CptSalesDone done;
	char *type;
	gint64 id;
} Pending;

static void pending_free(gpointer p)
{
	Pending *v = p;
	g_object_unref(v->conn);
	g_object_unref(v->origin);
	g_free(v->type);
	g_free(v);
}

static Pending *pending_new(CptConn *conn, GtkWidget *origin, const char *type, gint64 id,
			    CptSalesDone done)
{
	Pending *v = g_new0(Pending, 1);
	v->conn = g_object_ref(conn);
	v->origin = g_object_ref(origin);
	v->done = done;
	v->type = g_strdup(type);
	v->id = id;
	return v;
}

static void validate_now(CptConn *conn, GtkWidget *origin, const char *type, gint64 id,
			 CptSalesDone done)
{
	Op *op = op_new(conn, origin, done);
	call_by_id(op, type, "Validate", id, &comptoir__sales__document_reply__descriptor,
		   document_done);
}

static void on_validate_accept(GtkWindow *dialog, gpointer data)
{
	Pending *v = data;
	validate_now(v->conn, v->origin, v->type, v->id, v->done);
}

GtkWindow *cpt_sales_validate(CptConn *conn, GtkWidget *origin, const char *type, gint64 id,
			      CptSalesDone done)
{
	if (!cpt_sales_type_is_legal(type)) {
		validate_now(conn, origin, type, id, done);
		return NULL;
	}
	g_autofree char *title = g_strdup_printf(_("Valider : %s"), cpt_sales_type_label(type));
	return cpt_ui_confirm(origin, title,
			      _("La validation attribue au document son numéro légal : le numéro "
				"est définitif, et le document ne pourra plus être modifié ni "
				"supprimé. Une erreur se corrige ensuite par un avoir."),
			      NULL, _("_Valider"), FALSE, on_validate_accept,
			      pending_new(conn, origin, type, id, done), pending_free);
}

void cpt_sales_set_quote_state(CptConn *conn, GtkWidget *origin, gint64 id, const char *state,
			       CptSalesDone done)
{
	Op *op = op_new(conn, origin, done);
	Comptoir__Sales__QuoteStateRequest req = COMPTOIR__SALES__QUOTE_STATE_REQUEST__INIT;
	req.id = id;
	req.state = (char *)state;
	cpt_conn_call_async(conn, "comptoir.sales.Quotes/SetQuoteState", &req.base,
			    &comptoir__sales__document_reply__descriptor, NULL, document_done, op);
}

static void deleted(GObject *source, GAsyncResult *res, gpointer data)
{
	Op *op = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	op_finish(op, r,
		  r->status.code == CPT_OK ? _("Brouillon supprimé.")
					   : cpt_ui_status_text(&r->status));
}

static void on_delete_accept(GtkWindow *dialog, gpointer data)
{
	Pending *v = data;
	Op *op = op_new(v->conn, v->origin, v->done);
	call_by_id(op, v->type, "Delete", v->id, &comptoir__sales__empty__descriptor, deleted);
}

GtkWindow *cpt_sales_delete(CptConn *conn, GtkWidget *origin, const char *type, gint64 id,
			    CptSalesDone done)
{
	g_autofree char *title = g_strdup_printf(_("Supprimer : %s"), cpt_sales_type_label(type));
	return cpt_ui_confirm(origin, title, _("Ce brouillon et ses lignes seront supprimés."),
			      NULL, _("_Supprimer"), TRUE, on_delete_accept,
			      pending_new(conn, origin, type, id, done), pending_free);
}

/* ---------------------------------------------------------------------------
 * A dialog that stays open until the server answers
 */

typedef gboolean (*AskFn)(GtkWindow *dialog); /* FALSE: stays open, nothing sent */

static void on_ask_cancel(GtkButton *b, gpointer window)
{
	gtk_window_destroy(GTK_WINDOW(window));
}

static void on_ask_accept(GtkButton *b, gpointer window)
{
	AskFn fn = g_object_get_data(G_OBJECT(window), "cpt-ask");
	if (fn(GTK_WINDOW(window))) {
		gtk_widget_set_sensitive(GTK_WIDGET(b), FALSE);
	}
}

/* A modal window over origin: text, extra, a message line, Annuler and accept. */
static GtkWindow *ask_window(GtkWidget *origin, const char *title, const char *text,
			     GtkWidget *extra, const char *accept, AskFn fn, GtkLabel **message)
{
	GtkWindow *w = GTK_WINDOW(gtk_window_new());
	gtk_window_set_title(w, title);
	gtk_window_set_modal(w, TRUE);
	gtk_window_set_default_size(w, 640, -1);
	GtkRoot *root = gtk_widget_get_root(origin);
	if (GTK_IS_WINDOW(root)) {
		gtk_window_set_transient_for(w, GTK_WINDOW(root));
	}
	g_object_set_data(G_OBJECT(w), "cpt-ask", fn);
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	g_object_set(box, "margin-top", 18, "margin-bottom", 12, "margin-start", 18, "margin-end",
		     18, NULL);
	GtkWidget *l = gtk_label_new(text);
	gtk_label_set_wrap(GTK_LABEL(l), TRUE);
	gtk_label_set_max_width_chars(GTK_LABEL(l), 70);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_box_append(GTK_BOX(box), l);
	gtk_box_append(GTK_BOX(box), extra);
	*message = GTK_LABEL(gtk_label_new(NULL));
	gtk_widget_set_name(GTK_WIDGET(*message), "dialog.message");
	gtk_label_set_wrap(*message, TRUE);
	gtk_label_set_xalign(*message, 0);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(*message));
	GtkWidget *buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	gtk_widget_set_halign(buttons, GTK_ALIGN_END);
	GtkWidget *cancel = gtk_button_new_with_mnemonic(_("_Annuler"));
	gtk_widget_set_name(cancel, "confirm.cancel");
	g_signal_connect(cancel, "clicked", G_CALLBACK(on_ask_cancel), w);
	GtkWidget *ok = gtk_button_new_with_mnemonic(accept);
	gtk_widget_set_name(ok, "confirm.accept");
	gtk_widget_add_css_class(ok, "suggested-action");
	g_signal_connect(ok, "clicked", G_CALLBACK(on_ask_accept), w);
	gtk_box_append(GTK_BOX(buttons), cancel);
	gtk_box_append(GTK_BOX(buttons), ok);
	gtk_box_append(GTK_BOX(box), buttons);
	gtk_window_set_child(w, box);
	gtk_window_set_default_widget(w, ok);
	gtk_window_present(w);
	return w;
}

/* The dialog's answer: an error shown in it, or the document made and the dialog closed. */
static void ask_answered(GtkWindow *dialog, GtkLabel *message, GtkWidget *field_widget, Op *op,
			 const CptCallResult *r)
{
	if (r->status.code == CPT_OK || !gtk_widget_get_visible(GTK_WIDGET(dialog))) {
		g_autofree char *msg = document_message(r, "made");
		gtk_window_destroy(dialog);
		op_finish(op, r, msg);
		return;
	}
	gtk_widget_set_sensitive(cpt_ui_find_named(GTK_WIDGET(dialog), "confirm.accept"), TRUE);
	cpt_ui_field_error(field_widget, message, cpt_ui_status_text(&r->status));
	op_free(op);
}

/* ---------------------------------------------------------------------------
 * Quantities per line, and what is left of each
 */

/*
 * One source document's item lines, each with what the documents made from
 * it took, shown as rows (label, quantity, left, the quantity to take).
 */
typedef struct {
	CptConn *conn;
	GtkWindow *dialog;
	GtkBox *rows; /* "quantities" */
	GtkLabel *status;
	char *made_type;       /* "delivery" or "credit_note": what takes from the lines */
	CptCallResult *source; /* DocumentReply */
	GHashTable *taken;     /* line id (gint64 *) -> gint64 * */
	guint pending;
	gboolean ready, failed, closed;
} Left;

static void left_free(gpointer p)
{
	Left *l = p;
	g_object_unref(l->conn);
	g_free(l->made_type);
	g_clear_pointer(&l->source, cpt_call_result_free);
	g_hash_table_unref(l->taken);
	g_free(l);
}

static const Comptoir__Sales__Document *left_source(Left *l)
{
	return ((Comptoir__Sales__DocumentReply *)l->source->output)->document;
}

static void left_row(Left *l, const Comptoir__Sales__Line *line, gint64 left)
{
	GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	gint64 *id = g_new(gint64, 1);
	*id = line->id;
	g_object_set_data_full(G_OBJECT(row), "cpt-line-id", id, g_free);
	GtkWidget *label = gtk_label_new(line->label);
	gtk_widget_set_name(label, "label");
	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
	gtk_label_set_width_chars(GTK_LABEL(label), 26);
	gtk_widget_set_hexpand(label, TRUE);
	gtk_box_append(GTK_BOX(row), label);
	char qty[CPT_MONEY_FORMAT_SIZE], rest[CPT_MONEY_FORMAT_SIZE];
	if (!cpt_money_format_qty(line->quantity, qty, sizeof qty)) {
		qty[0] = '\0';
	}
	if (!cpt_money_format_qty(left, rest, sizeof rest)) {
		rest[0] = '\0';
	}
	const char *cells[][2] = {{"ordered", qty}, {"left", rest}};
	for (size_t i = 0; i < G_N_ELEMENTS(cells); i++) {
		GtkWidget *c = gtk_label_new(cells[i][1]);
		gtk_widget_set_name(c, cells[i][0]);
		gtk_label_set_xalign(GTK_LABEL(c), 1);
		gtk_label_set_width_chars(GTK_LABEL(c), 10);
		gtk_box_append(GTK_BOX(row), c);
	}
	GtkWidget *e = gtk_entry_new();
	gtk_widget_set_name(e, "quantity");
	gtk_editable_set_width_chars(GTK_EDITABLE(e), 10);
	gtk_editable_set_alignment(GTK_EDITABLE(e), 1);
	gtk_editable_set_text(GTK_EDITABLE(e), left > 0 ? rest : "0");
	gtk_widget_set_sensitive(e, left > 0);
	gtk_box_append(GTK_BOX(row), e);
	gtk_box_append(l->rows, row);
}

static void left_show(Left *l)
{
	const Comptoir__Sales__Document *src = left_source(l);
	for (size_t i = 0; i < src->n_lines; i++) {
		const Comptoir__Sales__Line *line = src->lines[i];
		if (g_strcmp0(line->kind, "item") != 0) {
			continue;
		}
		gint64 *took = g_hash_table_lookup(l->taken, &line->id);
		left_row(l, line, line->quantity - (took ? *took : 0));
	}
	l->ready = TRUE;
	gtk_label_set_text(l->status, l->failed ? _("Le reste de certaines lignes n'a pu être "
						    "calculé : le serveur vérifiera.")
						: "");
}

static gboolean made_from(const Comptoir__Sales__Document *d, gint64 source_id)
{
	if (d->corrects_id == source_id) {
		return TRUE;
	}
	for (size_t i = 0; i < d->n_source_ids; i++) {
		if (d->source_ids[i] == source_id) {
			return TRUE;
		}
	}
	return FALSE;
}

static void made_read(GObject *source, GAsyncResult *res, gpointer data)
{
	Left *l = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (!l->closed) {
		if (r->status.code != CPT_OK) {
			l->failed = TRUE;
		} else {
			const Comptoir__Sales__Document *d =
			    ((Comptoir__Sales__DocumentReply *)r->output)->document;
			if (made_from(d, left_source(l)->id) &&
			    g_strcmp0(d->state, "cancelled") != 0) {
				for (size_t i = 0; i < d->n_lines; i++) {
					gint64 from = d->lines[i]->source_line_id;
					if (!from) {
						continue;
					}
					gint64 *took = g_hash_table_lookup(l->taken, &from);
					if (!took) {
						took = g_new0(gint64, 1);
						g_hash_table_insert(
						    l->taken, g_memdup2(&from, sizeof from), took);
					}
					*took += d->lines[i]->quantity;
				}
			}
		}
		if (--l->pending == 0) {
			left_show(l);
		}
	}
	g_object_unref(l->dialog);
}

/* The client's documents of made_type since the source's date, each read whole. */
static void made_listed(GObject *source, GAsyncResult *res, gpointer data)
{
	Left *l = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (!l->closed) {
		const char *since = left_source(l)->issue_date;
		if (r->status.code != CPT_OK) {
			l->failed = TRUE;
		} else {
			const Comptoir__Sales__ListReply *rep = (const void *)r->output;
			l->failed = rep->more;
			g_autofree char *method =
			    g_strconcat(cpt_sales_service(l->made_type), "Get", NULL);
			for (size_t i = 0; i < rep->n_documents; i++) {
				if (g_strcmp0(rep->documents[i]->issue_date, since) < 0) {
					continue; /* made before its source: not from it */
				}
				Comptoir__Sales__IdRequest req = COMPTOIR__SALES__ID_REQUEST__INIT;
				req.id = rep->documents[i]->id;
				l->pending++;
				g_object_ref(l->dialog);
				cpt_conn_call_async(l->conn, method, &req.base,
						    &comptoir__sales__document_reply__descriptor,
						    NULL, made_read, l);
			}
		}
		if (l->pending == 0) {
			left_show(l);
		}
	}
	g_object_unref(l->dialog);
}

static void source_read(GObject *source, GAsyncResult *res, gpointer data)
{
	Left *l = data;
	CptCallResult *r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (!l->closed) {
		if (r->status.code != CPT_OK) {
			gtk_label_set_text(l->status, cpt_ui_status_text(&r->status));
			cpt_call_result_free(r);
		} else {
			l->source = r;
			Comptoir__Admin__Page page = COMPTOIR__ADMIN__PAGE__INIT;
			page.limit = MADE_FROM_LIMIT;
			Comptoir__Sales__ListRequest req = COMPTOIR__SALES__LIST_REQUEST__INIT;
			req.type = l->made_type;
			req.party_id = left_source(l)->party_id;
			req.page = &page;
			g_autofree char *method =
			    g_strconcat(cpt_sales_service(l->made_type), "List", NULL);
			g_object_ref(l->dialog);
			cpt_conn_call_async(l->conn, method, &req.base,
					    &comptoir__sales__list_reply__descriptor, NULL,
					    made_listed, l);
		}
	} else {
		cpt_call_result_free(r);
	}
	g_object_unref(l->dialog);
}

static void on_left_destroy(GtkWidget *w, gpointer data)
{
	((Left *)data)->closed = TRUE;
}

/* The rows box, filled once source id (of type) and what made_type took from it are read. */
static GtkWidget *left_new(CptConn *conn, GtkWindow *dialog, const char *type, gint64 id,
			   const char *made_type, GtkBox *into)
{
	Left *l = g_new0(Left, 1);
	l->conn = g_object_ref(conn);
	l->dialog = dialog;
	l->made_type = g_strdup(made_type);
	l->taken = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	g_object_set_data_full(G_OBJECT(dialog), "cpt-left", l, left_free);
	g_signal_connect(dialog, "destroy", G_CALLBACK(on_left_destroy), l);
	GtkBox *head = GTK_BOX(gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12));
	gtk_widget_add_css_class(GTK_WIDGET(head), "dim-label");
	const char *titles[] = {_("Désignation"), _("Quantité"), _("Reste"),
				g_str_equal(made_type, "delivery") ? _("À livrer")
								   : _("À créditer")};
	for (size_t i = 0; i < G_N_ELEMENTS(titles); i++) {
		GtkWidget *t = gtk_label_new(titles[i]);
		gtk_label_set_xalign(GTK_LABEL(t), i ? 1 : 0);
		gtk_label_set_width_chars(GTK_LABEL(t), i ? 10 : 26);
		gtk_widget_set_hexpand(t, i == 0);
		gtk_box_append(head, t);
	}
	gtk_box_append(into, GTK_WIDGET(head));
	l->rows = GTK_BOX(gtk_box_new(GTK_ORIENTATION_VERTICAL, 4));
	gtk_widget_set_name(GTK_WIDGET(l->rows), "quantities");
	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), GTK_WIDGET(l->rows));
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll), GTK_POLICY_NEVER,
				       GTK_POLICY_AUTOMATIC);
	/* The rows come after the window is sized: room for a few from the start. */
	gtk_scrolled_window_set_min_content_height(GTK_SCROLLED_WINDOW(scroll), 150);
	gtk_scrolled_window_set_max_content_height(GTK_SCROLLED_WINDOW(scroll), 320);
	gtk_scrolled_window_set_propagate_natural_height(GTK_SCROLLED_WINDOW(scroll), TRUE);
	gtk_scrolled_window_set_propagate_natural_width(GTK_SCROLLED_WINDOW(scroll), TRUE);
	gtk_box_append(into, scroll);
	l->status = GTK_LABEL(gtk_label_new(_("Calcul des quantités restantes…")));
	gtk_label_set_xalign(l->status, 0);
	gtk_widget_add_css_class(GTK_WIDGET(l->status), "dim-label");
	gtk_box_append(into, GTK_WIDGET(l->status));
	Comptoir__Sales__IdRequest req = COMPTOIR__SALES__ID_REQUEST__INIT;
	req.id = id;
	g_autofree char *method = g_strconcat(cpt_sales_service(type), "Get", NULL);
	g_object_ref(dialog);
	cpt_conn_call_async(conn, method, &req.base, &comptoir__sales__document_reply__descriptor,
			    NULL, source_read, l);
	return GTK_WIDGET(l->rows);
}

/*
 * The quantities typed in the rows, by source line id (NULL while they are
 * not known: then everything left is taken). FALSE with the entry marked
 * if one does not parse, or if nothing at all is taken.
 */
static gboolean left_read(GtkWindow *dialog, GtkLabel *message, GHashTable **out)
{
	Left *l = g_object_get_data(G_OBJECT(dialog), "cpt-left");
	*out = NULL;
	if (!l->ready) {
		return TRUE;
	}
	GHashTable *q = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	for (GtkWidget *row = gtk_widget_get_first_child(GTK_WIDGET(l->rows)); row;
	     row = gtk_widget_get_next_sibling(row)) {
		GtkWidget *e = cpt_ui_find_named(row, "quantity");
		gint64 qty;
		gtk_widget_remove_css_class(e, "error");
		if (!cpt_money_parse_qty(gtk_editable_get_text(GTK_EDITABLE(e)), &qty) || qty < 0) {
			cpt_ui_field_error(e, message,
					   _("Quantité invalide : un nombre positif avec 3 "
					     "décimales au plus, par exemple 1,5."));
			g_hash_table_unref(q);
			return FALSE;
		}
		if (qty > 0) {
			g_hash_table_insert(
			    q,
			    g_memdup2(g_object_get_data(G_OBJECT(row), "cpt-line-id"),
				      sizeof(gint64)),
			    g_memdup2(&qty, sizeof qty));
		}
	}
	if (g_hash_table_size(q) == 0) {
		gtk_label_set_text(message, _("Aucune quantité à reprendre."));
		g_hash_table_unref(q);
		return FALSE;
	}
	*out = q;
	return TRUE;
}

static void fill_quantities(GHashTable *quantities,
			    Comptoir__Sales__ConvertRequest__QuantitiesEntry ***entries, size_t *n)
{
	*n = quantities ? g_hash_table_size(quantities) : 0;
	*entries = g_new0(Comptoir__Sales__ConvertRequest__QuantitiesEntry *, *n + 1);
	if (!quantities) {
		return;
	}
	GHashTableIter it;
	gpointer k, v;
	size_t i = 0;
	g_hash_table_iter_init(&it, quantities);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		Comptoir__Sales__ConvertRequest__QuantitiesEntry *e =
		    g_new(Comptoir__Sales__ConvertRequest__QuantitiesEntry, 1);
		comptoir__sales__convert_request__quantities_entry__init(e);
		e->key = *(gint64 *)k;
		e->value = *(gint64 *)v;
		(*entries)[i++] = e;
	}
}

static void free_quantities(Comptoir__Sales__ConvertRequest__QuantitiesEntry **entries, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		g_free(entries[i]);
	}
	g_free(entries);
}

/* ---------------------------------------------------------------------------
 * Convert
 */

static void convert_call(CptConn *conn, const gint64 *ids, guint n, const char *to_type,
			 GHashTable *quantities, gint32 deposit_rate, gint32 progress_rate,
			 GAsyncReadyCallback cb, gpointer data)
{
	Comptoir__Sales__ConvertRequest req = COMPTOIR__SALES__CONVERT_REQUEST__INIT;
	req.source_ids = (int64_t *)ids;
	req.n_source_ids = n;
	req.to_type = (char *)to_type;
	req.deposit_rate = deposit_rate;
	req.progress_rate = progress_rate;
	fill_quantities(quantities, &req.quantities, &req.n_quantities);
	g_autofree char *method = g_strconcat(cpt_sales_service(to_type), "Convert", NULL);
	cpt_conn_call_async(conn, method, &req.base, &comptoir__sales__document_reply__descriptor,
			    NULL, cb, data);
	free_quantities(req.quantities, req.n_quantities);
}

static void converted(GObject *source, GAsyncResult *res, gpointer data)
{
	Op *op = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	g_autofree char *msg = document_message(r, "made");
	op_finish(op, r, msg);
}

void cpt_sales_duplicate(CptConn *conn, GtkWidget *origin, const char *type, gint64 id,
			 CptSalesDone done)
{
	call_by_id(op_new(conn, origin, done), type, "Duplicate", id,
		   &comptoir__sales__document_reply__descriptor, converted);
}

void cpt_sales_convert(CptConn *conn, GtkWidget *origin, const gint64 *ids, guint n,
		       const char *to_type, GHashTable *quantities, gint32 deposit_rate,
		       CptSalesDone done)
{
	convert_call(conn, ids, n, to_type, quantities, deposit_rate, 0, converted,
		     op_new(conn, origin, done));
}

typedef struct {
	CptConn *conn;
	GtkWidget *origin;
	CptSalesDone done;
	GArray *ids; /* gint64 */
	char *type;
	const char *const *targets;
	GtkDropDown *to;
	GtkWidget *rate_row, *rate, *quantities; /* quantities: NULL unless an order */
	GtkWidget *progress_row, *progress;	 /* progress: NULL when grouping */
	GtkLabel *message;
} Convert;

static void convert_free(gpointer p)
{
	Convert *c = p;
	g_object_unref(c->conn);
	g_object_unref(c->origin);
	g_array_unref(c->ids);
	g_free(c->type);
	g_free(c);
}

static const char *convert_target(Convert *c)
{
	guint i = gtk_drop_down_get_selected(c->to);
	return i < g_strv_length((char **)c->targets) ? c->targets[i] : c->targets[0];
}

static void on_target_changed(GObject *d, GParamSpec *pspec, gpointer data)
{
	Convert *c = data;
	const char *to = convert_target(c);
	gtk_widget_set_visible(c->rate_row, g_str_equal(to, "deposit_invoice"));
	gtk_widget_set_visible(c->progress_row, c->progress && g_str_equal(to, "invoice"));
	if (c->quantities) {
		gtk_widget_set_visible(gtk_widget_get_parent(c->quantities),
				       g_str_equal(to, "delivery"));
	}
}

typedef struct {
	GtkWindow *dialog;
	Op *op;
} AskCall;

static void convert_answered(GObject *source, GAsyncResult *res, gpointer data)
{
	AskCall *a = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	Convert *c = g_object_get_data(G_OBJECT(a->dialog), "cpt-convert");
	const char *field = r->status.field;
	GtkWidget *w = g_str_equal(field, "deposit_rate")    ? c->rate
		       : g_str_equal(field, "progress_rate") ? c->progress
		       : g_str_equal(field, "quantities")    ? c->quantities
							     : NULL;
	ask_answered(a->dialog, c->message, w, a->op, r);
	g_object_unref(a->dialog);
	g_free(a);
}

static gboolean convert_accept(GtkWindow *dialog)
{
	Convert *c = g_object_get_data(G_OBJECT(dialog), "cpt-convert");
	const char *to = convert_target(c);
	gint64 rate = 0;
	gtk_widget_remove_css_class(c->rate, "error");
	if (g_str_equal(to, "deposit_invoice") &&
	    (!cpt_money_parse(gtk_editable_get_text(GTK_EDITABLE(c->rate)), &rate) || rate <= 0 ||
	     rate > CPT_MONEY_RATE_MAX)) {
		cpt_ui_field_error(c->rate, c->message,
				   _("Part de l'acompte invalide : un pourcentage entre 0 et 100, "
				     "par exemple 30."));
		return FALSE;
	}
	/* Progress invoicing: the cumulated share reached; empty, all that is left. */
	gint64 progress = 0;
	const char *typed = c->progress ? gtk_editable_get_text(GTK_EDITABLE(c->progress)) : "";
	if (c->progress) {
		gtk_widget_remove_css_class(c->progress, "error");
	}
	if (g_str_equal(to, "invoice") && *typed &&
	    (!cpt_money_parse(typed, &progress) || progress <= 0 ||
	     progress > CPT_MONEY_RATE_MAX)) {
		cpt_ui_field_error(c->progress, c->message,
				   _("Avancement invalide : le pourcentage cumulé atteint, entre 0 "
				     "et 100, par exemple 40 ; vide pour tout facturer."));
		return FALSE;
	}
	if (!g_str_equal(to, "invoice")) {
		progress = 0;
	}
	GHashTable *quantities = NULL;
	if (c->quantities && g_str_equal(to, "delivery") &&
	    !left_read(dialog, c->message, &quantities)) {
		return FALSE;
	}
	gtk_label_set_text(c->message, "");
	AskCall *a = g_new0(AskCall, 1);
	a->dialog = g_object_ref(dialog);
	a->op = op_new(c->conn, c->origin, c->done);
	convert_call(c->conn, &g_array_index(c->ids, gint64, 0), c->ids->len, to, quantities,
		     (gint32)rate, (gint32)progress, convert_answered, a);
	if (quantities) {
		g_hash_table_unref(quantities);
	}
	return TRUE;
}

GtkWindow *cpt_sales_convert_ask(CptConn *conn, GtkWidget *origin, const char *type,
				 const gint64 *ids, guint n, CptSalesDone done)
{
	static const char *const from_quote[] = {"order", "invoice", "deposit_invoice", "proforma",
						 NULL};
	static const char *const from_order[] = {"delivery", "invoice", "deposit_invoice",
						 "proforma", NULL};
	static const char *const to_invoice[] = {"invoice", NULL};
	Convert *c = g_new0(Convert, 1);
	c->conn = g_object_ref(conn);
	c->origin = g_object_ref(origin);
	c->done = done;
	c->type = g_strdup(type);
	c->ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_array_append_vals(c->ids, ids, n);
	c->targets = n > 1			  ? to_invoice
		     : g_str_equal(type, "quote") ? from_quote
		     : g_str_equal(type, "order") ? from_order
						  : to_invoice;
	GtkWidget *extra = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8);
	GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	gtk_box_append(GTK_BOX(row), gtk_label_new(_("Faire")));
	GtkStringList *names = gtk_string_list_new(NULL);
	for (guint i = 0; c->targets[i]; i++) {
		gtk_string_list_append(names, cpt_sales_type_label(c->targets[i]));
	}
	c->to = GTK_DROP_DOWN(gtk_drop_down_new(G_LIST_MODEL(names), NULL));
	gtk_widget_set_name(GTK_WIDGET(c->to), "convert.to_type");
	gtk_box_append(GTK_BOX(row), GTK_WIDGET(c->to));
	gtk_box_append(GTK_BOX(extra), row);
	c->rate_row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	gtk_box_append(GTK_BOX(c->rate_row), gtk_label_new(_("Part de l'acompte (%)")));
	c->rate = gtk_entry_new();
	gtk_widget_set_name(c->rate, "convert.deposit_rate");
	gtk_editable_set_text(GTK_EDITABLE(c->rate), "30");
	gtk_editable_set_width_chars(GTK_EDITABLE(c->rate), 6);
	gtk_editable_set_alignment(GTK_EDITABLE(c->rate), 1);
	gtk_box_append(GTK_BOX(c->rate_row), c->rate);
	gtk_box_append(GTK_BOX(extra), c->rate_row);
	c->progress_row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	if (n == 1 && (g_str_equal(type, "quote") || g_str_equal(type, "order"))) {
		/* Invoicing by progress ("à l'avancement"): the cumulated share reached. */
		gtk_box_append(GTK_BOX(c->progress_row), gtk_label_new(_("Avancement cumulé (%)")));
		c->progress = gtk_entry_new();
		gtk_widget_set_name(c->progress, "convert.progress_rate");
		gtk_entry_set_placeholder_text(GTK_ENTRY(c->progress), _("tout"));
		gtk_editable_set_width_chars(GTK_EDITABLE(c->progress), 6);
		gtk_editable_set_alignment(GTK_EDITABLE(c->progress), 1);
		gtk_box_append(GTK_BOX(c->progress_row), c->progress);
		GtkWidget *hint = gtk_label_new(_("vide : tout ce qui reste"));
		gtk_widget_add_css_class(hint, "dim-label");
		gtk_box_append(GTK_BOX(c->progress_row), hint);
	}
	gtk_box_append(GTK_BOX(extra), c->progress_row);
	g_autofree char *title = g_strdup_printf(_("Convertir : %s"), cpt_sales_type_label(type));
	g_autofree char *text =
	    n > 1 ? g_strdup_printf(ngettext("Regrouper ce document en une seule facture.",
					     "Regrouper ces %u documents en une seule facture.", n),
				    n)
		  : g_strdup(_("Le document choisi est créé en brouillon à partir de celui-ci, "
			       "avec ce qui en reste."));
	GtkWindow *dialog =
	    ask_window(origin, title, text, extra, _("_Convertir"), convert_accept, &c->message);
	g_object_set_data_full(G_OBJECT(dialog), "cpt-convert", c, convert_free);
	if (n == 1 && g_str_equal(type, "order")) {
		GtkWidget *q = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
		gtk_box_append(GTK_BOX(extra), q);
		c->quantities = left_new(conn, dialog, type, ids[0], "delivery", GTK_BOX(q));
	}
	g_signal_connect(c->to, "notify::selected", G_CALLBACK(on_target_changed), c);
	on_target_changed(NULL, NULL, c);
	return dialog;
}

/* ---------------------------------------------------------------------------
 * Credit notes
 */

static void credit_call(CptConn *conn, gint64 invoice_id, GHashTable *quantities,
			GAsyncReadyCallback cb, gpointer data)
{
	Comptoir__Sales__CreditNoteRequest req = COMPTOIR__SALES__CREDIT_NOTE_REQUEST__INIT;
	req.invoice_id = invoice_id;
	/* Same layout as Convert's map entries: int64 key, int64 value. */
	Comptoir__Sales__ConvertRequest__QuantitiesEntry **entries;
	size_t n;
	fill_quantities(quantities, &entries, &n);
	Comptoir__Sales__CreditNoteRequest__QuantitiesEntry **mine =
	    g_new0(Comptoir__Sales__CreditNoteRequest__QuantitiesEntry *, n + 1);
	for (size_t i = 0; i < n; i++) {
		mine[i] = g_new(Comptoir__Sales__CreditNoteRequest__QuantitiesEntry, 1);
		comptoir__sales__credit_note_request__quantities_entry__init(mine[i]);
		mine[i]->key = entries[i]->key;
		mine[i]->value = entries[i]->value;
	}
	free_quantities(entries, n);
	req.quantities = mine;
	req.n_quantities = n;
	cpt_conn_call_async(conn, "comptoir.sales.Invoices/CreditNote", &req.base,
			    &comptoir__sales__document_reply__descriptor, NULL, cb, data);
	for (size_t i = 0; i < n; i++) {
		g_free(mine[i]);
	}
	g_free(mine);
}

void cpt_sales_credit_note(CptConn *conn, GtkWidget *origin, gint64 invoice_id,
			   GHashTable *quantities, CptSalesDone done)
{
	credit_call(conn, invoice_id, quantities, converted, op_new(conn, origin, done));
}

typedef struct {
	CptConn *conn;
	GtkWidget *origin;
	CptSalesDone done;
	gint64 invoice_id;
	GtkCheckButton *all;
	GtkWidget *quantities;
	GtkLabel *message;
} Credit;

static void credit_free(gpointer p)
{
	Credit *c = p;
	g_object_unref(c->conn);
	g_object_unref(c->origin);
	g_free(c);
}

static void on_all_toggled(GtkCheckButton *b, gpointer data)
{
	Credit *c = data;
	gtk_widget_set_sensitive(c->quantities, !gtk_check_button_get_active(b));
}

static void credit_answered(GObject *source, GAsyncResult *res, gpointer data)
{
	AskCall *a = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	Credit *c = g_object_get_data(G_OBJECT(a->dialog), "cpt-credit");
	ask_answered(a->dialog, c->message,
		     g_str_equal(r->status.field, "quantities") ? c->quantities : NULL, a->op, r);
	g_object_unref(a->dialog);
	g_free(a);
}

static gboolean credit_accept(GtkWindow *dialog)
{
	Credit *c = g_object_get_data(G_OBJECT(dialog), "cpt-credit");
	GHashTable *quantities = NULL;
	if (!gtk_check_button_get_active(c->all) && !left_read(dialog, c->message, &quantities)) {
		return FALSE;
	}
	gtk_label_set_text(c->message, "");
	AskCall *a = g_new0(AskCall, 1);
	a->dialog = g_object_ref(dialog);
	a->op = op_new(c->conn, c->origin, c->done);
	credit_call(c->conn, c->invoice_id, quantities, credit_answered, a);
	if (quantities) {
		g_hash_table_unref(quantities);
	}
	return TRUE;
}

GtkWindow *cpt_sales_credit_note_ask(CptConn *conn, GtkWidget *origin, gint64 invoice_id,
				     CptSalesDone done)
{
	Credit *c = g_new0(Credit, 1);
	c->conn = g_object_ref(conn);
	c->origin = g_object_ref(origin);
	c->done = done;
	c->invoice_id = invoice_id;
	GtkWidget *extra = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8);
	c->all = GTK_CHECK_BUTTON(
	    gtk_check_button_new_with_mnemonic(_("Créditer _tout ce qui reste de la facture")));
	gtk_widget_set_name(GTK_WIDGET(c->all), "credit.all");
	gtk_check_button_set_active(c->all, TRUE);
	gtk_box_append(GTK_BOX(extra), GTK_WIDGET(c->all));
	GtkWidget *q = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	gtk_box_append(GTK_BOX(extra), q);
	GtkWindow *dialog = ask_window(
	    origin, _("Avoir sur facture"),
	    _("L'avoir est créé en brouillon : toute la facture, ou les quantités choisies par "
	      "ligne. Il ne crédite jamais plus que ce qui reste."),
	    extra, _("Créer l'_avoir"), credit_accept, &c->message);
	g_object_set_data_full(G_OBJECT(dialog), "cpt-credit", c, credit_free);
	left_new(conn, dialog, "invoice", invoice_id, "credit_note", GTK_BOX(q));
	c->quantities = q;
	gtk_widget_set_sensitive(q, FALSE);
	g_signal_connect(c->all, "toggled", G_CALLBACK(on_all_toggled), c);
	return dialog;
}

/* ---------------------------------------------------------------------------
 * Preview and e-invoices
 */

static void print_call(Op *op, const char *type, gint64 id, const char *format,
		       GAsyncReadyCallback cb)
{
	Comptoir__Sales__ExportRequest req = COMPTOIR__SALES__EXPORT_REQUEST__INIT;
	req.id = id;
	req.format = (char *)format;
	g_autofree char *method = g_strconcat(cpt_sales_service(type), "Print", NULL);
	cpt_conn_call_async(op->conn, method, &req.base, &comptoir__sales__file_reply__descriptor,
			    NULL, cb, op);
}

static const Comptoir__Sales__FileReply *file_of(Op *op)
{
	return (const void *)op->file->output;
}

static void launched(GObject *source, GAsyncResult *res, gpointer data)
{
	Op *op = data;
	g_autoptr(GError) err = NULL;
	g_autofree char *msg = NULL;
	if (g_app_info_launch_default_for_uri_finish(res, &err)) {
		msg = g_strdup_printf(_("Aperçu ouvert : %s"), file_of(op)->name);
	} else {
		msg = g_strdup_printf(_("Le PDF %s est prêt, mais aucune application ne l'ouvre : "
					"%s"),
				      g_file_peek_path(op->dest), err->message);
	}
	op_finish(op, op->file, msg);
}

static void preview_written(GObject *source, GAsyncResult *res, gpointer data)
{
	Op *op = data;
	g_autoptr(GError) err = NULL;
	if (!g_file_replace_contents_finish(G_FILE(source), res, NULL, &err)) {
		g_autofree char *msg =
		    g_strdup_printf(_("Le PDF n'a pu être écrit : %s"), err->message);
		op_finish(op, op->file, msg);
		return;
	}
	g_autofree char *uri = g_file_get_uri(op->dest);
	g_app_info_launch_default_for_uri_async(uri, NULL, NULL, launched, op);
}

static void printed(GObject *source, GAsyncResult *res, gpointer data)
{
	Op *op = data;
	op->file = cpt_conn_call_finish(CPT_CONN(source), res);
	const CptCallResult *r = op->file;
	if (r->status.code == CPT_UNIMPLEMENTED) {
		op_finish(op, r, _("Aperçu PDF : à venir"));
		return;
	}
	if (r->status.code != CPT_OK) {
		op_finish(op, r, cpt_ui_status_text(&r->status));
		return;
	}
	g_autoptr(GError) err = NULL;
	g_autofree char *dir = g_dir_make_tmp("comptoir-XXXXXX", &err);
	if (!dir) {
		g_autofree char *msg =
		    g_strdup_printf(_("Le PDF n'a pu être écrit : %s"), err->message);
		op_finish(op, r, msg);
		return;
	}
	g_autofree char *base = g_path_get_basename(file_of(op)->name);
	g_autofree char *path = g_build_filename(dir, base, NULL);
	op->dest = g_file_new_for_path(path);
	const Comptoir__Sales__FileReply *f = file_of(op);
	g_file_replace_contents_async(op->dest, (const char *)f->content.data, f->content.len, NULL,
				      FALSE, G_FILE_CREATE_PRIVATE, NULL, preview_written, op);
}

void cpt_sales_preview(CptConn *conn, GtkWidget *origin, const char *type, gint64 id,
		       CptSalesDone done)
{
	print_call(op_new(conn, origin, done), type, id, "pdf", printed);
}

static void export_written(GObject *source, GAsyncResult *res, gpointer data)
{
	Op *op = data;
	g_autoptr(GError) err = NULL;
	g_autofree char *msg = NULL;
	if (g_file_replace_contents_finish(G_FILE(source), res, NULL, &err)) {
		g_autofree char *name = g_file_get_basename(op->dest);
		msg = g_strdup_printf(_("Exporté : %s"), name);
	} else {
		msg = g_strdup_printf(_("Le fichier n'a pu être écrit : %s"), err->message);
	}
	op_finish(op, op->file, msg);
}

static void export_write(Op *op)
{
	const Comptoir__Sales__FileReply *f = file_of(op);
	g_file_replace_contents_async(op->dest, (const char *)f->content.data, f->content.len, NULL,
				      FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL,
				      export_written, op);
}

/* GtkFileChooserNative is what GTK 4.8 has; later versions deprecate it. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void on_export_response(GtkNativeDialog *dialog, int response, gpointer data)
{
	Op *op = data;
	GFile *file = response == GTK_RESPONSE_ACCEPT
			  ? gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog))
			  : NULL;
	gtk_native_dialog_destroy(dialog);
	g_object_unref(dialog);
	if (!file) {
		op_finish(op, op->file, ""); /* cancelled: nothing to say */
		return;
	}
	op->dest = file;
	export_write(op);
}

static void export_printed(GObject *source, GAsyncResult *res, gpointer data)
{
	Op *op = data;
	op->file = cpt_conn_call_finish(CPT_CONN(source), res);
	if (op->file->status.code != CPT_OK) {
		op_finish(op, op->file, cpt_ui_status_text(&op->file->status));
		return;
	}
	if (op->dest) {
		export_write(op);
		return;
	}
	if (op->gone) {
		op_finish(op, op->file, "");
		return;
	}
	GtkRoot *root = gtk_widget_get_root(op->origin);
	GtkFileChooserNative *chooser = gtk_file_chooser_native_new(
	    _("Enregistrer la facture électronique"), GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL,
	    GTK_FILE_CHOOSER_ACTION_SAVE, _("_Enregistrer"), _("_Annuler"));
	gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(chooser), TRUE);
	gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(chooser), file_of(op)->name);
	g_signal_connect(chooser, "response", G_CALLBACK(on_export_response), op);
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(chooser));
}

G_GNUC_END_IGNORE_DEPRECATIONS

void cpt_sales_export_ask(CptConn *conn, GtkWidget *origin, const char *type, gint64 id,
			  const char *format, CptSalesDone done)
{
	print_call(op_new(conn, origin, done), type, id, format, export_printed);
}

void cpt_sales_export_to(CptConn *conn, GtkWidget *origin, const char *type, gint64 id,
			 const char *format, GFile *dest, CptSalesDone done)
{
	Op *op = op_new(conn, origin, done);
	op->dest = g_object_ref(dest);
	print_call(op, type, id, format, export_printed);
}
