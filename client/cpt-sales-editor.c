/*
 * The sales document editor; see cpt-sales-editor.h.
 *
 * The lines are a GtkGrid of cells, one grid row per line (row 0 holds the
 * column titles). Each line is a Line holding its cells; each cell carries
 * its Line and column as object data, so that the key handler, which sees
 * the grid's keys first (capture phase), knows where the focus is. Moving a
 * line changes the grid row of its cells, not the cells: focus and typing
 * survive.
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
#include "cpt-sales-editor.h"
#include "cpt-code-lookup.h"
#include "cpt-sales-actions.h"
#include "cpt-sales.h"
#include "cpt-ui.h"
#include "money.h"

#include "articles.pb-c.h"
#include "reference.pb-c.h"
#include "sales.pb-c.h"

#include <glib/gi18n.h>
#include <string.h>

#define REFERENCE_SERVICE "comptoir.reference.Reference/"
#define REFERENCE_CALLS 3 /* VAT rates, exemptions, payment terms */
#define PRICE_AUTO (-1)	  /* unit_price: the client's price, resolved by the server */

enum {
	COL_KIND,
	COL_CODE,
	COL_LABEL,
	COL_QTY,
	COL_UNIT,
	COL_PRICE,
	COL_DISCOUNT,
	COL_VAT,
	COL_TOTAL,
	N_COLS
};

/* Cell names by column. */
static const char *column_name(int col)
{
	static const char *const names[N_COLS] = {
	    [COL_KIND] = "line.kind",	      [COL_CODE] = "line.code",
	    [COL_LABEL] = "line.label",	      [COL_QTY] = "line.quantity",
	    [COL_UNIT] = "line.unit",	      [COL_PRICE] = "line.unit_price",
	    [COL_DISCOUNT] = "line.discount", [COL_VAT] = "line.vat",
	    [COL_TOTAL] = "line.total",
	};
	return names[col];
}

/* Line kinds as the server names them, in the kind dropdown's order. */
static const char *const line_kinds[] = {"item", "text", "section", "subtotal", NULL};
static const char *const line_kind_labels[] = {N_("Article"), N_("Texte"), N_("Titre de section"),
					       N_("Sous-total")};
enum { KIND_ITEM, KIND_TEXT, KIND_SECTION, KIND_SUBTOTAL };

typedef struct {
	gint64 id;
	gint64 rate; /* hundredths of a percent */
	char category[4];
} VatChoice;

typedef struct {
	guint64 uid;	     /* stable while the window lives */
	gint64 id;	     /* the server's line id, 0 until saved */
	gint64 article_id;   /* the article found for found_code, 0 if none */
	char *found_code;    /* the code whose article filled the line */
	char *asked_code;    /* the code being looked up, or NULL */
	char *auto_label;    /* the label the article gave, replaced if the code changes */
	gboolean price_auto; /* sent as PRICE_AUTO: the price of the client */
	GtkWidget *cells[N_COLS];
} Line;

typedef struct {
	CptConn *conn;
	GtkWindow *window;
	GtkWidget *parent; /* where made documents open, or NULL */
	char *type;
	CptSalesBook book;
	gint64 id;
	char *state, *number;
	gboolean writable, can_validate;
	gboolean read_only;
	gboolean closed;
	gboolean dirty;	       /* changed since loaded or saved */
	gboolean filling;      /* cells being set from code: not the user's typing */
	guint pending;	       /* reference lists still to come */
	guint busy;	       /* calls in flight */
	gboolean loading;      /* the document was asked for and is not shown yet */
	CptCallResult *record; /* the document read, kept until the lists are in */
	guint64 next_uid;
	char *party_looked_up; /* the client code last looked up */

	GArray *vats;		    /* VatChoice, by position in the VAT dropdowns after "—" */
	GtkStringList *vat_names;   /* shared by the lines' VAT dropdowns */
	GtkStringList *kind_names;  /* shared by the lines' kind dropdowns */
	GPtrArray *exemption_codes; /* by position after "none" */
	GPtrArray *terms_codes;	    /* by position after "the client's" */

	GPtrArray *lines; /* Line *, in order */
	GtkGrid *grid;
	GtkGrid *header;
	GtkWidget *party_code;
	GtkLabel *party_name, *due_date, *title, *state_label, *number_label, *message;
	GtkLabel *price_title;
	GtkDropDown *terms, *exemption;
	GtkSwitch *ttc;
	GtkTextView *notes;
	GtkWidget *line_bar;
	GtkGrid *vat_grid, *totals;
	GtkWidget *save, *validate, *convert, *credit, *sent, *accepted, *refused, *preview,
	    *export_cii, *export_ubl, *del;
	GtkWindow *made; /* a weak pointer: the editor of the document made from this one */
} Editor;

static Editor *editor_of(GtkWindow *w)
{
	return g_object_get_data(G_OBJECT(w), "cpt-sales-editor");
}

static void line_free(gpointer p)
{
	Line *l = p;
	g_free(l->found_code);
	g_free(l->asked_code);
	g_free(l->auto_label);
	g_free(l);
}

static void editor_free(gpointer data)
{
	Editor *e = data;
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
	g_ptr_array_unref(e->lines);
	if (e->made) {
		g_object_remove_weak_pointer(G_OBJECT(e->made), (gpointer *)&e->made);
	}
	g_free(e);
}

/* ---------------------------------------------------------------------------
 * Small pieces
 */

static const char *text_of(GtkWidget *w)
{
	return w && GTK_IS_EDITABLE(w) ? gtk_editable_get_text(GTK_EDITABLE(w)) : "";
}

/* The text of w without surrounding spaces. Caller g_free()s. */
static char *stripped(GtkWidget *w)
{
	return g_strstrip(g_strdup(text_of(w)));
}

static void set_text(Editor *e, GtkWidget *w, const char *text)
{
	gboolean was = e->filling;
	e->filling = TRUE;
	gtk_editable_set_text(GTK_EDITABLE(w), text ? text : "");
	e->filling = was;
}

static void set_selected(Editor *e, GtkDropDown *d, guint i)
{
	gboolean was = e->filling;
	e->filling = TRUE;
	GListModel *m = gtk_drop_down_get_model(d);
	if (m && i < g_list_model_get_n_items(m)) {
		gtk_drop_down_set_selected(d, i);
	}
	e->filling = was;
}

static void set_qty(Editor *e, GtkWidget *w, gint64 qty3)
{
	char buf[CPT_MONEY_FORMAT_SIZE];
	set_text(e, w, cpt_money_format_qty(qty3, buf, sizeof buf) ? buf : "");
}

static void set_price(Editor *e, GtkWidget *w, gint64 price4)
{
	char buf[CPT_MONEY_FORMAT_SIZE];
	set_text(e, w, cpt_money_format_price(price4, buf, sizeof buf) ? buf : "");
}

/* A rate or discount, hundredths of a percent, as typed: "5", "5,5"; "" for 0. */
static void set_rate(Editor *e, GtkWidget *w, gint64 bp)
{
	char buf[CPT_MONEY_FORMAT_SIZE] = "";
	if (bp && cpt_money_format_plain(bp, buf, sizeof buf)) {
		/* "5,50" reads "5,5"; "5,00" reads "5". */
		size_t n = strlen(buf);
		while (n > 0 && buf[n - 1] == '0' && strchr(buf, ',')) {
			buf[--n] = '\0';
		}
		if (n > 0 && buf[n - 1] == ',') {
			buf[--n] = '\0';
		}
	}
	set_text(e, w, buf);
}

static void set_label(GtkLabel *l, const char *text)
{
	gtk_label_set_text(l, text ? text : "");
}

static void set_amount(GtkLabel *l, gint64 cents)
{
	g_autofree char *s = cpt_sales_amount(cents);
	gtk_label_set_text(l, s);
}

static void show_message(Editor *e, const char *text)
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

static GtkWidget *named(Editor *e, const char *name)
{
	return cpt_ui_find_named(GTK_WIDGET(e->window), name);
}

/* ---------------------------------------------------------------------------
 * Lines: cells and where they sit
 */

static int line_kind(Line *l)
{
	guint k = gtk_drop_down_get_selected(GTK_DROP_DOWN(l->cells[COL_KIND]));
	return k < G_N_ELEMENTS(line_kind_labels) ? (int)k : KIND_ITEM;
}

/* Whether a kind of line has that column. */
static gboolean col_used(int kind, int col)
{
	switch (kind) {
	case KIND_ITEM:
		return TRUE;
	case KIND_SUBTOTAL:
		return col == COL_KIND || col == COL_LABEL || col == COL_TOTAL;
	default:
		return col == COL_KIND || col == COL_LABEL;
	}
}

static guint line_index(Editor *e, Line *l)
{
	guint i = 0;
	return g_ptr_array_find(e->lines, l, &i) ? i : G_MAXUINT;
}

static Line *line_at(Editor *e, guint i)
{
	return i < e->lines->len ? g_ptr_array_index(e->lines, i) : NULL;
}

static Line *line_by_uid(Editor *e, guint64 uid)
{
	for (guint i = 0; i < e->lines->len; i++) {
		Line *l = line_at(e, i);
		if (l->uid == uid) {
			return l;
		}
	}
	return NULL;
}

/* Where cell col of l sits: the label of a line without an article spans the free columns. */
static void cell_place(Line *l, int col, int *column, int *span)
{
	*column = col;
	*span = 1;
	if (col == COL_LABEL && line_kind(l) != KIND_ITEM) {
		*column = COL_CODE;
		*span = COL_VAT - COL_CODE + 1;
	}
}

/* Puts cell col of l in grid row row, or moves it there. */
static void put(Editor *e, Line *l, int col, int row)
{
	GtkWidget *w = l->cells[col];
	int column, span;
	cell_place(l, col, &column, &span);
	if (gtk_widget_get_parent(w)) {
		GtkLayoutManager *lm = gtk_widget_get_layout_manager(GTK_WIDGET(e->grid));
		GtkGridLayoutChild *lc =
		    GTK_GRID_LAYOUT_CHILD(gtk_layout_manager_get_layout_child(lm, w));
		gtk_grid_layout_child_set_row(lc, row);
		gtk_grid_layout_child_set_column(lc, column);
		gtk_grid_layout_child_set_column_span(lc, span);
	} else {
		gtk_grid_attach(e->grid, w, column, row, span, 1);
	}
}

/* Puts the lines from position start on in their grid rows. */
static void relayout(Editor *e, guint start)
{
	for (guint i = start; i < e->lines->len; i++) {
		Line *l = line_at(e, i);
		for (int c = 0; c < N_COLS; c++) {
			put(e, l, c, (int)i + 1);
		}
	}
}

static const char *label_placeholder(int kind)
{
	switch (kind) {
	case KIND_TEXT:
		return _("Texte imprimé sur le document");
	case KIND_SECTION:
		return _("Titre de la section");
	case KIND_SUBTOTAL:
		return _("Sous-total (libellé facultatif)");
	default:
		return _("Désignation (celle de l'article si vide)");
	}
}

static void apply_kind(Editor *e, Line *l)
{
	int kind = line_kind(l);
	for (int c = 0; c < N_COLS; c++) {
		gtk_widget_set_visible(l->cells[c], col_used(kind, c));
	}
	gtk_entry_set_placeholder_text(GTK_ENTRY(l->cells[COL_LABEL]), label_placeholder(kind));
	GtkWidget *label = l->cells[COL_LABEL];
	gtk_widget_remove_css_class(label, "heading");
	if (kind == KIND_SECTION) {
		gtk_widget_add_css_class(label, "heading");
	}
	if (gtk_widget_get_parent(label)) {
		GtkLayoutManager *lm = gtk_widget_get_layout_manager(GTK_WIDGET(e->grid));
		put(e, l, COL_LABEL,
		    gtk_grid_layout_child_get_row(
			GTK_GRID_LAYOUT_CHILD(gtk_layout_manager_get_layout_child(lm, label))));
	}
}

static void mark_dirty(Editor *e)
{
	if (!e->filling && !e->read_only) {
		e->dirty = TRUE;
	}
}

static void on_kind_changed(GObject *d, GParamSpec *pspec, gpointer data)
{
	Line *l = g_object_get_data(d, "cpt-line");
	Editor *e = data;
	if (l) {
		apply_kind(e, l);
		mark_dirty(e);
	}
}

static void on_code_changed(GtkEditable *w, gpointer data)
{
	Editor *e = data;
	if (e->filling) {
		return;
	}
	Line *l = g_object_get_data(G_OBJECT(w), "cpt-line");
	/* Another code: the article found no longer holds until looked up again. */
	if (l && l->found_code && g_ascii_strcasecmp(l->found_code, text_of(GTK_WIDGET(w))) != 0) {
		l->article_id = 0;
	}
	mark_dirty(e);
}

static void on_price_changed(GtkEditable *w, gpointer data)
{
	Editor *e = data;
	if (e->filling) {
		return;
	}
	Line *l = g_object_get_data(G_OBJECT(w), "cpt-line");
	if (!l) {
		return;
	}
	g_autofree char *t = stripped(GTK_WIDGET(w));
	/* Typed: that price. Emptied: the client's price again. */
	l->price_auto = *t == '\0';
	mark_dirty(e);
}

static void on_cell_changed(GtkEditable *w, gpointer data)
{
	mark_dirty(data);
}

static void on_choice_changed(GObject *d, GParamSpec *pspec, gpointer data)
{
	mark_dirty(data);
}

static GtkWidget *cell_entry(Editor *e, Line *l, int col, int chars, gboolean right)
{
	GtkWidget *w = gtk_entry_new();
	gtk_editable_set_width_chars(GTK_EDITABLE(w), chars);
	if (right) {
		gtk_editable_set_alignment(GTK_EDITABLE(w), 1);
	}
	g_signal_connect(w, "changed",
			 col == COL_CODE    ? G_CALLBACK(on_code_changed)
			 : col == COL_PRICE ? G_CALLBACK(on_price_changed)
					    : G_CALLBACK(on_cell_changed),
			 e);
	return w;
}

static void tag_cell(Line *l, int col, GtkWidget *w)
{
	gtk_widget_set_name(w, column_name(col));
	g_object_set_data(G_OBJECT(w), "cpt-line", l);
	g_object_set_data(G_OBJECT(w), "cpt-col", GINT_TO_POINTER(col + 1)); /* 0: none */
	l->cells[col] = w;
}

static void set_cells_editable(Editor *e, Line *l)
{
	for (int c = 0; c < N_COLS; c++) {
		GtkWidget *w = l->cells[c];
		if (GTK_IS_EDITABLE(w)) {
			gtk_editable_set_editable(GTK_EDITABLE(w), !e->read_only);
		} else if (GTK_IS_DROP_DOWN(w)) {
			gtk_widget_set_sensitive(w, !e->read_only);
		}
	}
}

static void lookup_article(Editor *e, Line *l);

/* A code typed, then the cell left another way than Tab (a click): looked up too. */
static void on_code_leave(GtkEventControllerFocus *c, gpointer data)
{
	Editor *e = data;
	GtkWidget *w = gtk_event_controller_get_widget(GTK_EVENT_CONTROLLER(c));
	Line *l = g_object_get_data(G_OBJECT(w), "cpt-line");
	if (l && !e->closed && !e->read_only) {
		lookup_article(e, l);
	}
}

/* A new line of kind at position pos (G_MAXUINT: at the end). */
static Line *line_insert(Editor *e, int kind, guint pos)
{
	Line *l = g_new0(Line, 1);
	l->uid = ++e->next_uid;
	l->price_auto = TRUE;
	tag_cell(l, COL_KIND,
		 GTK_WIDGET(gtk_drop_down_new(G_LIST_MODEL(g_object_ref(e->kind_names)), NULL)));
	tag_cell(l, COL_CODE, cell_entry(e, l, COL_CODE, 10, FALSE));
	GtkEventController *leave = gtk_event_controller_focus_new();
	g_signal_connect(leave, "leave", G_CALLBACK(on_code_leave), e);
	gtk_widget_add_controller(l->cells[COL_CODE], leave);
	tag_cell(l, COL_LABEL, cell_entry(e, l, COL_LABEL, 30, FALSE));
	gtk_widget_set_hexpand(l->cells[COL_LABEL], TRUE);
	tag_cell(l, COL_QTY, cell_entry(e, l, COL_QTY, 7, TRUE));
	tag_cell(l, COL_UNIT, cell_entry(e, l, COL_UNIT, 5, FALSE));
	tag_cell(l, COL_PRICE, cell_entry(e, l, COL_PRICE, 10, TRUE));
	tag_cell(l, COL_DISCOUNT, cell_entry(e, l, COL_DISCOUNT, 5, TRUE));
	tag_cell(l, COL_VAT,
		 GTK_WIDGET(gtk_drop_down_new(G_LIST_MODEL(g_object_ref(e->vat_names)), NULL)));
	GtkWidget *total = gtk_label_new("");
	gtk_label_set_xalign(GTK_LABEL(total), 1);
	gtk_label_set_width_chars(GTK_LABEL(total), 12);
	gtk_widget_set_margin_end(total, 6);
	tag_cell(l, COL_TOTAL, total);
	gtk_entry_set_placeholder_text(GTK_ENTRY(l->cells[COL_CODE]), _("Code"));
	gtk_widget_set_tooltip_text(l->cells[COL_CODE],
				    _("Code article, puis Tab : désignation, unité et TVA de "
				      "l'article, et le prix du client"));
	gtk_widget_set_tooltip_text(l->cells[COL_DISCOUNT], _("Remise de la ligne, en %"));
	set_selected(e, GTK_DROP_DOWN(l->cells[COL_KIND]), (guint)kind);
	apply_kind(e, l);
	g_signal_connect(l->cells[COL_KIND], "notify::selected", G_CALLBACK(on_kind_changed), e);
	g_signal_connect(l->cells[COL_VAT], "notify::selected", G_CALLBACK(on_choice_changed), e);
	set_cells_editable(e, l);
	if (pos > e->lines->len) {
		pos = e->lines->len;
	}
	g_ptr_array_insert(e->lines, (gint)pos, l);
	relayout(e, pos);
	return l;
}

/* Takes l's cells out of the grid; a cell that keeps the focus a moment forgets l. */
static void cells_remove(Editor *e, Line *l)
{
	for (int c = 0; c < N_COLS; c++) {
		g_object_set_data(G_OBJECT(l->cells[c]), "cpt-line", NULL);
		gtk_grid_remove(e->grid, l->cells[c]);
	}
}

static void line_remove(Editor *e, Line *l)
{
	guint i = line_index(e, l);
	cells_remove(e, l);
	g_ptr_array_remove(e->lines, l); /* frees l */
	relayout(e, i);
}

static void remove_all_lines(Editor *e)
{
	while (e->lines->len) {
		cells_remove(e, line_at(e, e->lines->len - 1));
		g_ptr_array_remove_index(e->lines, e->lines->len - 1);
	}
}

/* Whether an article line holds nothing yet (the line being typed). */
static gboolean line_blank(Line *l)
{
	if (line_kind(l) != KIND_ITEM) {
		return FALSE;
	}
	const int cols[] = {COL_CODE, COL_LABEL, COL_QTY, COL_PRICE};
	for (size_t i = 0; i < G_N_ELEMENTS(cols); i++) {
		g_autofree char *t = stripped(l->cells[cols[i]]);
		if (*t) {
			return FALSE;
		}
	}
	return TRUE;
}

/* ---------------------------------------------------------------------------
 * VAT choices
 */

/*
 * The choice for a rate as the server shows it on a line: same rate and
 * category, else (an exemption turns every rate into 0 % of its own
 * category) the first with the rate, French rates first.
 */
static guint vat_position_of_rate(Editor *e, gint64 rate, const char *category)
{
	for (guint i = 0; i < e->vats->len; i++) {
		const VatChoice *v = &g_array_index(e->vats, VatChoice, i);
		if (v->rate == rate && (!category || g_str_equal(v->category, category))) {
			return i + 1;
		}
	}
	for (guint i = 0; category && i < e->vats->len; i++) {
		if (g_array_index(e->vats, VatChoice, i).rate == rate) {
			return i + 1;
		}
	}
	return 0;
}

static gint64 vat_id_at(Editor *e, guint position)
{
	return position > 0 && position <= e->vats->len
		   ? g_array_index(e->vats, VatChoice, position - 1).id
		   : 0;
}

/* ---------------------------------------------------------------------------
 * The document shown
 */

static void update_title(Editor *e)
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
static void update_actions(Editor *e)
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
	gtk_widget_set_visible(e->credit, !draft && invoice &&
					      cpt_conn_has_permission(e->conn, "invoices.write"));
	gtk_widget_set_visible(e->sent, e->writable && open_quote);
	gtk_widget_set_visible(e->accepted, e->writable && open_quote);
	gtk_widget_set_visible(e->refused, e->writable && open_quote);
	gtk_widget_set_sensitive(e->sent, !g_str_equal(e->state ? e->state : "", "sent"));
	gtk_widget_set_visible(e->preview, saved);
	gtk_widget_set_visible(e->export_cii, !draft && einvoice);
	gtk_widget_set_visible(e->export_ubl, !draft && einvoice);
	gtk_widget_set_visible(e->line_bar, !e->read_only);
}

static void set_read_only(Editor *e, gboolean ro)
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
	gtk_widget_set_sensitive(GTK_WIDGET(e->ttc), !ro);
	gtk_text_view_set_editable(e->notes, !ro);
	for (guint i = 0; i < e->lines->len; i++) {
		set_cells_editable(e, line_at(e, i));
	}
	update_actions(e);
}

static void show_totals(Editor *e, const Comptoir__Sales__Document *d)
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

/* The server's line (its amounts, what the article gave) in line l. */
static void fill_line(Editor *e, Line *l, const Comptoir__Sales__Line *s)
{
	e->filling = TRUE;
	int kind = KIND_ITEM;
	for (int k = 0; line_kinds[k]; k++) {
		if (g_strcmp0(s->kind, line_kinds[k]) == 0) {
			kind = k;
		}
	}
	set_selected(e, GTK_DROP_DOWN(l->cells[COL_KIND]), (guint)kind);
	apply_kind(e, l);
	l->id = s->id;
	set_text(e, l->cells[COL_LABEL], s->label);
	GtkLabel *total = GTK_LABEL(l->cells[COL_TOTAL]);
	char buf[CPT_MONEY_FORMAT_SIZE];
	if (kind == KIND_ITEM) {
		set_text(e, l->cells[COL_CODE], s->article_code);
		l->article_id = s->article_id;
		g_free(l->found_code);
		l->found_code = g_strdup(s->article_code);
		set_qty(e, l->cells[COL_QTY], s->quantity);
		set_text(e, l->cells[COL_UNIT], s->unit);
		set_price(e, l->cells[COL_PRICE], s->unit_price);
		set_rate(e, l->cells[COL_DISCOUNT], s->discount);
		GtkDropDown *vat = GTK_DROP_DOWN(l->cells[COL_VAT]);
		/* The choice made stays; one the server made (the article's) is shown. */
		guint chosen = gtk_drop_down_get_selected(vat);
		if (chosen == 0 || chosen == GTK_INVALID_LIST_POSITION ||
		    g_array_index(e->vats, VatChoice, chosen - 1).rate != s->vat_rate) {
			set_selected(e, vat, vat_position_of_rate(e, s->vat_rate, s->vat_category));
		}
		gtk_label_set_text(total,
				   cpt_money_format_plain(s->amount, buf, sizeof buf) ? buf : "");
	} else if (kind == KIND_SUBTOTAL) {
		gtk_label_set_text(total,
				   cpt_money_format_plain(s->subtotal, buf, sizeof buf) ? buf : "");
	} else {
		gtk_label_set_text(total, "");
	}
	e->filling = FALSE;
}

static void select_code(Editor *e, GtkDropDown *d, GPtrArray *codes, const char *code)
{
	if (!code || !*code) {
		set_selected(e, d, 0);
		return;
	}
	for (guint i = 0; i < codes->len; i++) {
		if (g_str_equal(g_ptr_array_index(codes, i), code)) {
			set_selected(e, d, i + 1);
			return;
		}
	}
	/* A code the list does not offer (any more): offered, so that it is kept. */
	g_ptr_array_add(codes, g_strdup(code));
	gtk_string_list_append(GTK_STRING_LIST(gtk_drop_down_get_model(d)), code);
	set_selected(e, d, codes->len);
}

static void set_date(Editor *e, const char *name, const char *iso)
{
	GtkWidget *w = cpt_ui_find_named(GTK_WIDGET(e->header), name);
	if (!w) {
		return; /* a field this type does not have */
	}
	g_autofree char *text = cpt_ui_date_from_iso(iso);
	set_text(e, w, text);
}

/* The whole document: header, lines, totals, state. */
static void fill_document(Editor *e, const Comptoir__Sales__Document *d)
{
	e->filling = TRUE;
	e->id = d->id;
	g_free(e->type);
	e->type = g_strdup(d->type);
	g_free(e->state);
	e->state = g_strdup(d->state);
	g_free(e->number);
	e->number = g_strdup(d->number);
	set_text(e, e->party_code, d->party_code);
	g_free(e->party_looked_up);
	e->party_looked_up = g_strdup(d->party_code);
	set_label(e->party_name, d->party_name);
	gtk_widget_remove_css_class(GTK_WIDGET(e->party_name), "error");
	set_date(e, "document.issue_date", d->issue_date);
	set_date(e, "document.valid_until", d->valid_until);
	set_date(e, "document.delivery_date", d->delivery_date);
	g_autofree char *due = cpt_ui_date_from_iso(d->due_date);
	set_label(e->due_date, due);
	select_code(e, e->terms, e->terms_codes, d->payment_terms);
	select_code(e, e->exemption, e->exemption_codes, d->exemption_code);
	gtk_switch_set_active(e->ttc, d->prices_include_vat);
	set_rate(e, named(e, "document.discount_rate"), d->discount_rate);
	set_text(e, named(e, "document.buyer_reference"), d->buyer_reference);
	gtk_text_buffer_set_text(gtk_text_view_get_buffer(e->notes), d->notes, -1);
	remove_all_lines(e);
	for (size_t i = 0; i < d->n_lines; i++) {
		Line *l = line_insert(e, KIND_ITEM, G_MAXUINT);
		fill_line(e, l, d->lines[i]);
		e->filling = TRUE;
		/* A stored price is kept as it is: it was the client's or typed. */
		l->price_auto = FALSE;
	}
	show_totals(e, d);
	e->filling = FALSE;
	gboolean draft = g_str_equal(d->state, "draft");
	set_read_only(e, !draft || !e->writable);
	if (!e->read_only && e->lines->len == 0) {
		line_insert(e, KIND_ITEM, G_MAXUINT);
	}
	update_title(e);
	e->dirty = FALSE;
}

/* ---------------------------------------------------------------------------
 * Looking up codes
 */

typedef struct {
	GtkWindow *window;
	guint64 uid; /* the line, 0 for the client */
	char *code;
} Lookup;

static void lookup_free(Lookup *k)
{
	g_object_unref(k->window);
	g_free(k->code);
	g_free(k);
}

static void party_found(GObject *source, GAsyncResult *res, gpointer data)
{
	Lookup *k = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	Editor *e = editor_of(k->window);
	if (e && !e->closed) {
		e->busy--;
		g_autofree char *now = stripped(e->party_code);
		gint64 id;
		const char *name;
		if (g_ascii_strcasecmp(now, k->code) == 0) {
			if (cpt_code_lookup_match(CPT_CODE_CLIENT, r, k->code, &id, &name)) {
				set_label(e->party_name, name);
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
	lookup_free(k);
}

static void lookup_party(Editor *e)
{
	g_autofree char *code = stripped(e->party_code);
	if (e->read_only || g_strcmp0(code, e->party_looked_up) == 0) {
		return;
	}
	g_free(e->party_looked_up);
	e->party_looked_up = g_strdup(code);
	if (!*code) {
		set_label(e->party_name, "");
		return;
	}
	Lookup *k = g_new0(Lookup, 1);
	k->window = g_object_ref(e->window);
	k->code = g_steal_pointer(&code);
	e->busy++;
	set_label(e->party_name, _("Recherche…"));
	cpt_code_lookup(e->conn, CPT_CODE_CLIENT, k->code, party_found, k);
}

/* The article answered for line l: label, unit and VAT filled; the price left to the server. */
static void fill_article(Editor *e, Line *l, const Comptoir__Articles__ArticleSummary *a)
{
	e->filling = TRUE;
	l->article_id = a->id;
	g_free(l->found_code);
	l->found_code = g_strdup(a->code);
	set_text(e, l->cells[COL_CODE], a->code);
	g_autofree char *label = stripped(l->cells[COL_LABEL]);
	if (!*label || g_strcmp0(label, l->auto_label) == 0) {
		set_text(e, l->cells[COL_LABEL], a->label);
		g_free(l->auto_label);
		l->auto_label = g_strdup(a->label);
	}
	set_text(e, l->cells[COL_UNIT], a->unit);
	set_selected(e, GTK_DROP_DOWN(l->cells[COL_VAT]),
		     vat_position_of_rate(e, a->vat_rate, a->vat_rate ? "S" : "Z"));
	g_autofree char *qty = stripped(l->cells[COL_QTY]);
	if (!*qty) {
		set_text(e, l->cells[COL_QTY], "1");
	}
	/* The catalogue price as a hint; the client's own price comes with the save. */
	char price[CPT_MONEY_FORMAT_SIZE];
	gtk_entry_set_placeholder_text(
	    GTK_ENTRY(l->cells[COL_PRICE]),
	    cpt_money_format_price(a->sale_price, price, sizeof price) ? price : "");
	gtk_widget_remove_css_class(l->cells[COL_CODE], "error");
	e->filling = FALSE;
	e->dirty = TRUE;
}

static void article_found(GObject *source, GAsyncResult *res, gpointer data)
{
	Lookup *k = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	Editor *e = editor_of(k->window);
	if (e && !e->closed) {
		e->busy--;
		Line *l = line_by_uid(e, k->uid);
		if (l && g_strcmp0(l->asked_code, k->code) == 0) {
			g_clear_pointer(&l->asked_code, g_free);
		}
		g_autofree char *now = l ? stripped(l->cells[COL_CODE]) : NULL;
		gint64 id;
		const char *label;
		if (l && g_ascii_strcasecmp(now, k->code) == 0) {
			if (cpt_code_lookup_match(CPT_CODE_ARTICLE, r, k->code, &id, &label)) {
				const Comptoir__Articles__ListArticlesReply *rep =
				    (const void *)r->output;
				for (size_t i = 0; i < rep->n_articles; i++) {
					if (rep->articles[i]->id == id) {
						fill_article(e, l, rep->articles[i]);
					}
				}
			} else {
				g_autofree char *text =
				    r->status.code == CPT_OK
					? g_strdup_printf(_("Ligne %u : article inconnu : %s"),
							  line_index(e, l) + 1, k->code)
					: g_strdup(cpt_ui_status_text(&r->status));
				cpt_ui_field_error(l->cells[COL_CODE], e->message, text);
			}
		}
	}
	lookup_free(k);
}

static void lookup_article(Editor *e, Line *l)
{
	g_autofree char *code = stripped(l->cells[COL_CODE]);
	if (!*code || (l->article_id && g_ascii_strcasecmp(code, l->found_code) == 0) ||
	    (l->asked_code && g_ascii_strcasecmp(code, l->asked_code) == 0)) {
		return; /* found already, or on its way */
	}
	g_free(l->asked_code);
	l->asked_code = g_strdup(code);
	Lookup *k = g_new0(Lookup, 1);
	k->window = g_object_ref(e->window);
	k->uid = l->uid;
	k->code = g_steal_pointer(&code);
	e->busy++;
	cpt_code_lookup(e->conn, CPT_CODE_ARTICLE, k->code, article_found, k);
}

/* ---------------------------------------------------------------------------
 * The keyboard
 */

/* The cell holding w (w itself or an ancestor, up to the grid), or NULL. */
static GtkWidget *cell_of(Editor *e, GtkWidget *w)
{
	for (; w && w != GTK_WIDGET(e->grid); w = gtk_widget_get_parent(w)) {
		if (g_object_get_data(G_OBJECT(w), "cpt-col")) {
			return w;
		}
	}
	return NULL;
}

static GtkWidget *focus_cell(Editor *e, Line **line, int *col)
{
	GtkWidget *cell = cell_of(e, gtk_root_get_focus(GTK_ROOT(e->window)));
	*line = cell ? g_object_get_data(G_OBJECT(cell), "cpt-line") : NULL;
	if (!*line) {
		return NULL; /* none, or the cell of a line just removed */
	}
	*col = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(cell), "cpt-col")) - 1;
	return cell;
}

static gboolean focusable(Line *l, int col)
{
	return col != COL_TOTAL && gtk_widget_get_visible(l->cells[col]);
}

static void focus(Line *l, int col)
{
	gtk_widget_grab_focus(l->cells[col]);
}

/* The next cell from (l, col) forward or back, crossing lines; FALSE at either end. */
static gboolean step(Editor *e, Line *l, int col, gboolean forward, Line **out_l, int *out_col)
{
	guint i = line_index(e, l);
	for (;;) {
		col += forward ? 1 : -1;
		/* Forward, a line starts at its code: the kind is reached going back. */
		if (forward && col >= N_COLS) {
			if (++i >= e->lines->len) {
				return FALSE;
			}
			l = line_at(e, i);
			col = COL_CODE - 1;
			continue;
		}
		if (!forward && col < 0) {
			if (i == 0) {
				return FALSE;
			}
			l = line_at(e, --i);
			col = N_COLS;
			continue;
		}
		if (focusable(l, col)) {
			*out_l = l;
			*out_col = col;
			return TRUE;
		}
	}
}

static int last_col(Line *l)
{
	for (int c = N_COLS - 1; c >= 0; c--) {
		if (focusable(l, c)) {
			return c;
		}
	}
	return COL_KIND;
}

static int first_col(Line *l)
{
	return focusable(l, COL_CODE) ? COL_CODE : COL_LABEL;
}

static void add_line_after(Editor *e, Line *l, int kind)
{
	guint i = l ? line_index(e, l) + 1 : e->lines->len;
	Line *n = line_insert(e, kind, i);
	mark_dirty(e);
	focus(n, first_col(n));
}

static void remove_line(Editor *e, Line *l)
{
	guint i = line_index(e, l);
	line_remove(e, l);
	mark_dirty(e);
	if (e->lines->len == 0) {
		line_insert(e, KIND_ITEM, 0);
	}
	Line *n = line_at(e, MIN(i, e->lines->len - 1));
	focus(n, first_col(n));
}

static void move_line(Editor *e, Line *l, int col, gboolean up)
{
	guint i = line_index(e, l);
	guint j = up ? i - 1 : i + 1;
	if ((up && i == 0) || j >= e->lines->len) {
		return;
	}
	Line *other = line_at(e, j);
	e->lines->pdata[j] = l;
	e->lines->pdata[i] = other;
	relayout(e, MIN(i, j));
	mark_dirty(e);
	focus(l, col);
}

static gboolean choose_next(Editor *e, GtkDropDown *d, gboolean down)
{
	guint n = g_list_model_get_n_items(gtk_drop_down_get_model(d));
	guint i = gtk_drop_down_get_selected(d);
	if (i == GTK_INVALID_LIST_POSITION) {
		i = 0;
	}
	if (down && i + 1 < n) {
		gtk_drop_down_set_selected(d, i + 1);
	} else if (!down && i > 0) {
		gtk_drop_down_set_selected(d, i - 1);
	}
	return TRUE;
}

/* What a key does in cell (l, col); FALSE to let GTK do its own. */
static gboolean cell_key(Editor *e, Line *l, int col, guint keyval, GdkModifierType state)
{
	gboolean ctrl = (state & GDK_CONTROL_MASK) != 0;
	gboolean alt = (state & GDK_ALT_MASK) != 0;
	gboolean shift = (state & GDK_SHIFT_MASK) != 0;
	Line *to;
	int to_col;
	switch (keyval) {
	case GDK_KEY_Tab:
	case GDK_KEY_ISO_Left_Tab:
	case GDK_KEY_KP_Tab:
		if (ctrl || alt) {
			return FALSE;
		}
		if (keyval == GDK_KEY_ISO_Left_Tab || shift) {
			if (!step(e, l, col, FALSE, &to, &to_col)) {
				return FALSE;
			}
			focus(to, to_col);
			return TRUE;
		}
		if (col == COL_CODE) {
			g_autofree char *code = stripped(l->cells[COL_CODE]);
			if (*code) {
				/* A code: its article fills the label; the quantity is next. */
				lookup_article(e, l);
				focus(l, COL_QTY);
				return TRUE;
			}
		}
		if (!step(e, l, col, TRUE, &to, &to_col)) {
			return FALSE;
		}
		focus(to, to_col);
		return TRUE;
	case GDK_KEY_Return:
	case GDK_KEY_KP_Enter:
	case GDK_KEY_ISO_Enter:
		if (ctrl || alt || e->read_only) {
			return FALSE;
		}
		if (col == last_col(l)) {
			guint i = line_index(e, l);
			if (i + 1 < e->lines->len) {
				Line *n = line_at(e, i + 1);
				focus(n, first_col(n));
			} else {
				add_line_after(e, l, KIND_ITEM);
			}
			return TRUE;
		}
		return cell_key(e, l, col, GDK_KEY_Tab, 0);
	case GDK_KEY_Insert:
	case GDK_KEY_KP_Insert:
		if (!ctrl || e->read_only) {
			return FALSE;
		}
		add_line_after(e, l, KIND_ITEM);
		return TRUE;
	case GDK_KEY_Delete:
	case GDK_KEY_KP_Delete:
		if (!ctrl || e->read_only) {
			return FALSE;
		}
		remove_line(e, l);
		return TRUE;
	case GDK_KEY_Up:
	case GDK_KEY_KP_Up:
	case GDK_KEY_Down:
	case GDK_KEY_KP_Down: {
		gboolean up = keyval == GDK_KEY_Up || keyval == GDK_KEY_KP_Up;
		if (alt) {
			if (!e->read_only) {
				move_line(e, l, col, up);
			}
			return TRUE;
		}
		if (ctrl) {
			return FALSE;
		}
		if (GTK_IS_DROP_DOWN(l->cells[col])) {
			return e->read_only || choose_next(e, GTK_DROP_DOWN(l->cells[col]), !up);
		}
		guint i = line_index(e, l);
		Line *n = up ? (i > 0 ? line_at(e, i - 1) : NULL) : line_at(e, i + 1);
		if (n) {
			focus(n, focusable(n, col) ? col : first_col(n));
		}
		return TRUE;
	}
	default:
		return FALSE;
	}
}

static gboolean on_grid_key(GtkEventControllerKey *ctrl, guint keyval, guint keycode,
			    GdkModifierType state, gpointer data)
{
	Editor *e = data;
	/* Keys of a dropdown's open list belong to it. */
	GdkEvent *ev = gtk_event_controller_get_current_event(GTK_EVENT_CONTROLLER(ctrl));
	if (ev && gdk_event_get_surface(ev) != gtk_native_get_surface(GTK_NATIVE(e->window))) {
		return FALSE;
	}
	Line *l;
	int col;
	if (!focus_cell(e, &l, &col)) {
		return FALSE;
	}
	return cell_key(e, l, col, keyval, state & gtk_accelerator_get_default_mod_mask());
}

gboolean cpt_sales_editor_press(GtkWindow *editor, guint keyval, GdkModifierType state)
{
	Editor *e = editor_of(editor);
	Line *l;
	int col;
	if (focus_cell(e, &l, &col)) {
		return cell_key(e, l, col, keyval, state);
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
 * Reading what was typed
 */

typedef struct {
	Comptoir__Sales__Document doc;
	GPtrArray *lines;   /* Comptoir__Sales__Line * (g_free) */
	GArray *uids;	    /* guint64: the Line each was read from */
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
static gboolean read_date(Editor *e, Draft *d, const char *name, char **out)
{
	GtkWidget *w = cpt_ui_find_named(GTK_WIDGET(e->header), name);
	char *iso = cpt_ui_date_to_iso(w ? text_of(w) : "");
	if (!iso) {
		cpt_ui_field_error(w, e->message,
				   _("Date invalide : jour/mois/année, par exemple 22/11/2026."));
		return FALSE;
	}
	*out = keep(d, iso);
	return TRUE;
}

/* A percentage as typed ("5", "5,5"; empty 0) in hundredths; FALSE, shown, if not. */
static gboolean read_percent(Editor *e, GtkWidget *w, const char *where, gint32 *out)
{
	g_autofree char *t = stripped(w);
	gint64 bp = 0;
	if (!*t) {
		*out = 0;
		return TRUE;
	}
	if (cpt_money_parse(t, &bp) && bp >= 0 && bp <= CPT_MONEY_RATE_MAX) {
		*out = (gint32)bp;
		return TRUE;
	}
	g_autofree char *text =
	    g_strdup_printf(_("%sRemise invalide : un pourcentage entre 0 et 100, par exemple 5 "
			      "ou 12,5."),
			    where);
	cpt_ui_field_error(w, e->message, text);
	return FALSE;
}

/* "Ligne 3 : " for messages about line i. Caller g_free()s. */
static char *line_prefix(guint i)
{
	return g_strdup_printf(_("Ligne %u : "), i + 1);
}

static gboolean read_line(Editor *e, Draft *d, Line *l, guint i, Comptoir__Sales__Line *out)
{
	int kind = line_kind(l);
	out->kind = (char *)line_kinds[kind];
	out->label = keep(d, stripped(l->cells[COL_LABEL]));
	if (kind != KIND_ITEM) {
		return TRUE;
	}
	g_autofree char *where = line_prefix(i);
	char *code = keep(d, stripped(l->cells[COL_CODE]));
	out->article_code = code;
	out->article_id =
	    l->article_id && l->found_code && g_ascii_strcasecmp(code, l->found_code) == 0
		? l->article_id
		: 0;
	out->unit = keep(d, stripped(l->cells[COL_UNIT]));
	g_autofree char *qty = stripped(l->cells[COL_QTY]);
	if (!cpt_money_parse_qty(qty, &out->quantity)) {
		g_autofree char *text =
		    g_strdup_printf(*qty ? _("%sQuantité invalide : un nombre avec 3 décimales "
					     "au plus, par exemple 1,5.")
					 : _("%sQuantité manquante."),
				    where);
		cpt_ui_field_error(l->cells[COL_QTY], e->message, text);
		return FALSE;
	}
	g_autofree char *price = stripped(l->cells[COL_PRICE]);
	if (*price && (!*code || !l->price_auto)) {
		if (!cpt_money_parse_price(price, &out->unit_price)) {
			g_autofree char *text = g_strdup_printf(
			    _("%sPrix invalide : un nombre avec 4 décimales au plus, par exemple "
			      "1 234,50."),
			    where);
			cpt_ui_field_error(l->cells[COL_PRICE], e->message, text);
			return FALSE;
		}
	} else {
		/* No price typed: the client's price for an article; the server says if none. */
		out->unit_price = PRICE_AUTO;
	}
	gint32 discount;
	if (!read_percent(e, l->cells[COL_DISCOUNT], where, &discount)) {
		return FALSE;
	}
	out->discount = discount;
	out->vat_rate_id =
	    vat_id_at(e, gtk_drop_down_get_selected(GTK_DROP_DOWN(l->cells[COL_VAT])));
	return TRUE;
}

/* The draft as typed, or NULL with the cell or field at fault shown: nothing to send. */
static Draft *read_draft(Editor *e)
{
	Draft *d = g_new0(Draft, 1);
	d->lines = g_ptr_array_new_with_free_func(g_free);
	d->uids = g_array_new(FALSE, FALSE, sizeof(guint64));
	d->strings = g_ptr_array_new_with_free_func(g_free);
	Comptoir__Sales__Document *doc = &d->doc;
	comptoir__sales__document__init(doc);
	doc->id = e->id;
	doc->type = e->type;
	doc->party_code = keep(d, stripped(e->party_code));
	gint32 discount;
	if (!read_date(e, d, "document.issue_date", &doc->issue_date) ||
	    !read_date(e, d, "document.delivery_date", &doc->delivery_date) ||
	    (g_str_equal(e->type, "quote") &&
	     !read_date(e, d, "document.valid_until", &doc->valid_until)) ||
	    !read_percent(e, named(e, "document.discount_rate"), "", &discount)) {
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
	doc->buyer_reference = keep(d, stripped(named(e, "document.buyer_reference")));
	GtkTextBuffer *buf = gtk_text_view_get_buffer(e->notes);
	GtkTextIter start, end;
	gtk_text_buffer_get_bounds(buf, &start, &end);
	doc->notes = keep(d, gtk_text_buffer_get_text(buf, &start, &end, FALSE));
	for (guint i = 0; i < e->lines->len; i++) {
		Line *l = line_at(e, i);
		if (line_blank(l)) {
			continue;
		}
		Comptoir__Sales__Line *out = g_new(Comptoir__Sales__Line, 1);
		comptoir__sales__line__init(out);
		g_ptr_array_add(d->lines, out);
		if (!read_line(e, d, l, i, out)) {
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

/* ---------------------------------------------------------------------------
 * Saving, and the server's refusals
 */

static const struct {
	const char *field;
	int col;
} line_fields[] = {
    {"quantity", COL_QTY},	{"article_code", COL_CODE}, {"article_id", COL_CODE},
    {"label", COL_LABEL},	{"unit", COL_UNIT},	    {"unit_price", COL_PRICE},
    {"discount", COL_DISCOUNT}, {"vat_rate_id", COL_VAT},   {"kind", COL_KIND},
};

/*
 * The line a refusal of a line field is about: the one the message names
 * ("(ligne 3)", counted among the lines sent), else the first sent whose
 * cell shows the fault.
 */
static Line *line_at_fault(Editor *e, GArray *sent, const cpt_status *st, int col)
{
	const char *mark = strstr(st->message, "ligne ");
	if (mark) {
		guint64 n = g_ascii_strtoull(mark + strlen("ligne "), NULL, 10);
		if (n >= 1 && n <= sent->len) {
			return line_by_uid(e, g_array_index(sent, guint64, n - 1));
		}
	}
	/* "article inconnu : XYZ": the code after the colon. */
	const char *colon = strrchr(st->message, ':');
	g_autofree char *named_code = g_strstrip(g_strdup(colon ? colon + 1 : ""));
	Line *first = NULL;
	for (guint i = 0; i < sent->len; i++) {
		Line *l = line_by_uid(e, g_array_index(sent, guint64, i));
		if (!l || line_kind(l) != KIND_ITEM) {
			continue;
		}
		first = first ? first : l;
		g_autofree char *t = stripped(l->cells[col]);
		gint64 q;
		gboolean faulty =
		    col == COL_QTY    ? cpt_money_parse_qty(t, &q) && q < 0
		    : col == COL_CODE ? *t && g_ascii_strcasecmp(t, named_code) == 0
		    : col == COL_VAT
			? gtk_drop_down_get_selected(GTK_DROP_DOWN(l->cells[COL_VAT])) == 0
			: FALSE;
		if (faulty) {
			return l;
		}
	}
	return first;
}

/* Shows the server's refusal on the widget its field names. */
static void show_refusal(Editor *e, GArray *sent, const cpt_status *st)
{
	const char *field = st->field;
	const char *text = cpt_ui_status_text(st);
	GtkWidget *w = NULL;
	if (g_str_has_prefix(field, "document.lines.")) {
		const char *column = field + strlen("document.lines.");
		for (size_t i = 0; i < G_N_ELEMENTS(line_fields); i++) {
			if (g_str_equal(column, line_fields[i].field)) {
				Line *l = line_at_fault(e, sent, st, line_fields[i].col);
				if (l) {
					w = l->cells[line_fields[i].col];
					if (!strstr(st->message, "ligne")) {
						g_autofree char *where =
						    line_prefix(line_index(e, l));
						g_autofree char *t = g_strconcat(where, text, NULL);
						cpt_ui_field_error(w, e->message, t);
						return;
					}
				}
			}
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

static void validate_now(Editor *e);

static void saved(GObject *source, GAsyncResult *res, gpointer data)
{
	SaveCall *s = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	Editor *e = editor_of(s->window);
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
				set_text(e, e->party_code, d->party_code);
				set_date(e, "document.issue_date", d->issue_date);
				set_date(e, "document.valid_until", d->valid_until);
				g_autofree char *due = cpt_ui_date_from_iso(d->due_date);
				set_label(e->due_date, due);
				for (guint i = 0; i < s->sent->len; i++) {
					Line *l =
					    line_by_uid(e, g_array_index(s->sent, guint64, i));
					if (l) {
						gboolean automatic = l->price_auto;
						fill_line(e, l, d->lines[i]);
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
				validate_now(e);
			}
		}
	}
	g_object_unref(s->window);
	g_array_unref(s->sent);
	g_free(s);
}

static void save(Editor *e, gboolean then_validate)
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
	save(editor_of(editor), FALSE);
}

/* ---------------------------------------------------------------------------
 * Actions
 */

static void opened_made(Editor *e, const CptCallResult *r)
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
static void show_changed(Editor *e, const CptCallResult *r, const char *message)
{
	if (r->status.code == CPT_OK) {
		fill_document(e, ((Comptoir__Sales__DocumentReply *)r->output)->document);
	}
	show_message(e, message);
}

static void on_changed(GtkWidget *origin, const CptCallResult *r, const char *message)
{
	Editor *e = editor_of(GTK_WINDOW(origin));
	e->busy--;
	show_changed(e, r, message);
}

/* Not counted as busy: a confirmation may stay open as long as it likes. */
static void on_validated(GtkWidget *origin, const CptCallResult *r, const char *message)
{
	show_changed(editor_of(GTK_WINDOW(origin)), r, message);
}

static void on_made(GtkWidget *origin, const CptCallResult *r, const char *message)
{
	Editor *e = editor_of(GTK_WINDOW(origin));
	show_message(e, message);
	opened_made(e, r);
}

static void on_message(GtkWidget *origin, const CptCallResult *r, const char *message)
{
	Editor *e = editor_of(GTK_WINDOW(origin));
	e->busy--;
	show_message(e, message);
}

static void on_deleted(GtkWidget *origin, const CptCallResult *r, const char *message)
{
	Editor *e = editor_of(GTK_WINDOW(origin));
	if (r->status.code == CPT_OK) {
		gtk_window_destroy(e->window);
		return;
	}
	show_message(e, message);
}

static GtkWindow *validate_ask(Editor *e)
{
	return cpt_sales_validate(e->conn, GTK_WIDGET(e->window), e->type, e->id, on_validated);
}

/* Validation asked for with changes: saved first, then the confirmation opens. */
static void validate_now(Editor *e)
{
	validate_ask(e);
}

GtkWindow *cpt_sales_editor_validate(GtkWindow *editor)
{
	Editor *e = editor_of(editor);
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
	cpt_sales_editor_validate(((Editor *)data)->window);
}

GtkWindow *cpt_sales_editor_convert(GtkWindow *editor)
{
	Editor *e = editor_of(editor);
	if (e->id == 0 || !e->state || g_str_equal(e->state, "draft")) {
		return NULL;
	}
	return cpt_sales_convert_ask(e->conn, GTK_WIDGET(editor), e->type, &e->id, 1, on_made);
}

GtkWindow *cpt_sales_editor_credit_note(GtkWindow *editor)
{
	Editor *e = editor_of(editor);
	if (e->id == 0 || !e->state || g_str_equal(e->state, "draft")) {
		return NULL;
	}
	return cpt_sales_credit_note_ask(e->conn, GTK_WIDGET(editor), e->id, on_made);
}

void cpt_sales_editor_preview(GtkWindow *editor)
{
	Editor *e = editor_of(editor);
	if (e->id == 0) {
		return;
	}
	e->busy++;
	show_message(e, _("Préparation du PDF…"));
	cpt_sales_preview(e->conn, GTK_WIDGET(editor), e->type, e->id, on_message);
}

void cpt_sales_editor_export_to(GtkWindow *editor, const char *format, GFile *dest)
{
	Editor *e = editor_of(editor);
	e->busy++;
	cpt_sales_export_to(e->conn, GTK_WIDGET(editor), e->type, e->id, format, dest, on_message);
}

static void quote_state(Editor *e, const char *state)
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
	cpt_sales_editor_convert(((Editor *)data)->window);
}

static void on_credit_clicked(GtkButton *b, gpointer data)
{
	cpt_sales_editor_credit_note(((Editor *)data)->window);
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

static void on_preview_clicked(GtkButton *b, gpointer data)
{
	cpt_sales_editor_preview(((Editor *)data)->window);
}

static void on_export_clicked(GtkButton *b, gpointer data)
{
	Editor *e = data;
	const char *format = g_object_get_data(G_OBJECT(b), "cpt-format");
	e->busy++;
	cpt_sales_export_ask(e->conn, GTK_WIDGET(e->window), e->type, e->id, format, on_message);
}

static void on_delete_clicked(GtkButton *b, gpointer data)
{
	Editor *e = data;
	cpt_sales_delete(e->conn, GTK_WIDGET(e->window), e->type, e->id, on_deleted);
}

static void on_add_kind(GtkButton *b, gpointer data)
{
	Editor *e = data;
	int kind = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(b), "cpt-kind"));
	Line *l;
	int col;
	add_line_after(e, focus_cell(e, &l, &col) ? l : line_at(e, e->lines->len - 1), kind);
}

static void on_remove_line(GtkButton *b, gpointer data)
{
	Editor *e = data;
	Line *l;
	int col;
	if (focus_cell(e, &l, &col)) {
		remove_line(e, l);
	} else if (e->lines->len) {
		remove_line(e, line_at(e, e->lines->len - 1));
	}
}

/* ---------------------------------------------------------------------------
 * Opening: the reference lists, then the document
 */

static void show_when_ready(Editor *e)
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
	Editor *e = editor_of(window);
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
static gboolean reference_in(Editor *e, const CptCallResult *r)
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
	Editor *e = editor_of(window);
	if (e && !e->closed) {
		if (reference_in(e, r)) {
			const Comptoir__Reference__ListVatRatesReply *v = (const void *)r->output;
			for (size_t i = 0; i < v->n_rates; i++) {
				VatChoice c = {.id = v->rates[i]->id, .rate = v->rates[i]->rate};
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
	Editor *e = editor_of(window);
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
	Editor *e = editor_of(window);
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

static void load_references(Editor *e)
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
static GtkWidget *place(Editor *e, int col, int row, int width, const char *text, const char *name,
			GtkWidget *w)
{
	gtk_widget_set_name(w, name);
	gtk_widget_set_hexpand(w, TRUE);
	gtk_grid_attach(e->header, caption(text), col * 2, row, 1, 1);
	gtk_grid_attach(e->header, w, col * 2 + 1, row, width, 1);
	return w;
}

static GtkWidget *header_entry(Editor *e, const char *placeholder, int chars)
{
	GtkWidget *w = gtk_entry_new();
	gtk_entry_set_placeholder_text(GTK_ENTRY(w), placeholder);
	gtk_editable_set_width_chars(GTK_EDITABLE(w), chars);
	g_signal_connect(w, "changed", G_CALLBACK(on_cell_changed), e);
	return w;
}

static GtkDropDown *choice(Editor *e, const char *first)
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
	Editor *e = data;
	gtk_label_set_text(e->price_title,
			   gtk_switch_get_active(e->ttc) ? _("PU TTC") : _("PU HT"));
	mark_dirty(e);
}

static void on_notes_changed(GtkTextBuffer *b, gpointer data)
{
	mark_dirty(data);
}

static void build_header(Editor *e)
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
	gtk_grid_attach(e->header, GTK_WIDGET(e->party_name), 2, 0, 4, 1);

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

static GtkWidget *bar_button(Editor *e, GtkBox *bar, const char *name, const char *mnemonic,
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

static GtkWidget *build_lines(Editor *e)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	GtkBox *bar = GTK_BOX(gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6));
	e->line_bar = GTK_WIDGET(bar);
	const struct {
		const char *name, *mnemonic;
		int kind;
	} adds[] = {
	    {"line.add", N_("+ _Ligne"), KIND_ITEM},
	    {"line.add_text", N_("+ _Texte"), KIND_TEXT},
	    {"line.add_section", N_("+ Titre de _section"), KIND_SECTION},
	    {"line.add_subtotal", N_("+ Sous-_total"), KIND_SUBTOTAL},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(adds); i++) {
		GtkWidget *b = bar_button(e, bar, adds[i].name, _(adds[i].mnemonic), NULL,
					  G_CALLBACK(on_add_kind));
		g_object_set_data(G_OBJECT(b), "cpt-kind", GINT_TO_POINTER(adds[i].kind));
	}
	gtk_widget_set_tooltip_text(cpt_ui_find_named(GTK_WIDGET(bar), "line.add"),
				    _("Nouvelle ligne sous la ligne courante (Ctrl+Inser)"));
	bar_button(e, bar, "line.remove", _("_Retirer la ligne"), _("Ctrl+Suppr"),
		   G_CALLBACK(on_remove_line));
	GtkWidget *help = gtk_label_new(_("Tab : cellule suivante · Entrée en fin de ligne : "
					  "nouvelle ligne · Alt+↑/↓ : déplacer la ligne"));
	gtk_widget_add_css_class(help, "dim-label");
	gtk_widget_set_hexpand(help, TRUE);
	gtk_label_set_xalign(GTK_LABEL(help), 1);
	gtk_label_set_ellipsize(GTK_LABEL(help), PANGO_ELLIPSIZE_END);
	gtk_box_append(bar, help);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(bar));

	e->grid = GTK_GRID(gtk_grid_new());
	gtk_grid_set_row_spacing(e->grid, 2);
	gtk_grid_set_column_spacing(e->grid, 4);
	gtk_widget_set_name(GTK_WIDGET(e->grid), "document.lines");
	const char *titles[N_COLS] = {_("Type"),   _("Code"),  _("Désignation"),
				      _("Qté"),	   _("Unité"), _("PU HT"),
				      _("Rem. %"), _("TVA"),   _("Total ligne")};
	for (int c = 0; c < N_COLS; c++) {
		GtkWidget *t = gtk_label_new(titles[c]);
		gtk_widget_add_css_class(t, "dim-label");
		gtk_label_set_xalign(
		    GTK_LABEL(t),
		    c == COL_QTY || c == COL_PRICE || c == COL_DISCOUNT || c == COL_TOTAL ? 1 : 0);
		gtk_grid_attach(e->grid, t, c, 0, 1, 1);
		if (c == COL_PRICE) {
			e->price_title = GTK_LABEL(t);
		}
	}
	GtkEventController *keys = gtk_event_controller_key_new();
	gtk_event_controller_set_propagation_phase(keys, GTK_PHASE_CAPTURE);
	g_signal_connect(keys, "key-pressed", G_CALLBACK(on_grid_key), e);
	gtk_widget_add_controller(GTK_WIDGET(e->grid), keys);
	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), GTK_WIDGET(e->grid));
	gtk_scrolled_window_set_min_content_height(GTK_SCROLLED_WINDOW(scroll), 220);
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll), GTK_POLICY_NEVER,
				       GTK_POLICY_AUTOMATIC);
	gtk_widget_set_vexpand(scroll, TRUE);
	gtk_box_append(GTK_BOX(box), scroll);
	return box;
}

static GtkWidget *build_totals(Editor *e)
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

static GtkWidget *build_actions(Editor *e)
{
	GtkWidget *bottom = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
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
	e->export_cii = bar_button(e, bar, "export.cii", _("Factur-X…"),
				   _("Exporter la facture électronique Factur-X (XML CII)"),
				   G_CALLBACK(on_export_clicked));
	g_object_set_data(G_OBJECT(e->export_cii), "cpt-format", "cii");
	e->export_ubl = bar_button(e, bar, "export.ubl", _("UBL…"),
				   _("Exporter la facture électronique Peppol BIS (UBL)"),
				   G_CALLBACK(on_export_clicked));
	g_object_set_data(G_OBJECT(e->export_ubl), "cpt-format", "ubl");
	e->sent = bar_button(e, bar, "quote.sent", _("Envoyé"),
			     _("Le devis a été envoyé au client"), G_CALLBACK(on_sent_clicked));
	e->accepted = bar_button(e, bar, "quote.accepted", _("Accepté"), NULL,
				 G_CALLBACK(on_accepted_clicked));
	e->refused =
	    bar_button(e, bar, "quote.refused", _("Refusé"), NULL, G_CALLBACK(on_refused_clicked));
	e->credit = bar_button(e, bar, "credit_note", _("A_voir…"),
			       _("Corriger la facture par un avoir, total ou partiel"),
			       G_CALLBACK(on_credit_clicked));
	e->convert = bar_button(e, bar, "convert", _("_Convertir…"),
				_("Faire la commande, la livraison, la facture ou l'acompte"),
				G_CALLBACK(on_convert_clicked));
	e->validate =
	    bar_button(e, bar, "validate", _("_Valider"), _("Attribuer le numéro définitif"),
		       G_CALLBACK(on_validate_clicked));
	e->save =
	    bar_button(e, bar, "save", _("_Enregistrer"), _("Ctrl+S"), G_CALLBACK(on_save_clicked));
	gtk_widget_add_css_class(e->save, "suggested-action");
	return bottom;
}

static gboolean on_save_shortcut(GtkWidget *w, GVariant *args, gpointer data)
{
	save(data, FALSE);
	return TRUE;
}

static void on_destroy(GtkWidget *w, gpointer data)
{
	((Editor *)data)->closed = TRUE;
}

static void on_close_anyway(GtkWindow *dialog, gpointer window)
{
	gtk_window_destroy(GTK_WINDOW(window));
}

/* Closing a draft changed since its last save asks first. */
static gboolean on_close_request(GtkWindow *w, gpointer data)
{
	Editor *e = data;
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
	Editor *e = g_new0(Editor, 1);
	e->conn = g_object_ref(conn);
	e->type = g_strdup(type);
	e->book = cpt_sales_book_of(type);
	e->id = id;
	e->writable = cpt_conn_has_permission(conn, cpt_sales_write_permission(e->book));
	e->can_validate = cpt_conn_has_permission(conn, cpt_sales_validate_permission(e->book));
	e->vats = g_array_new(FALSE, FALSE, sizeof(VatChoice));
	e->exemption_codes = g_ptr_array_new_with_free_func(g_free);
	e->terms_codes = g_ptr_array_new_with_free_func(g_free);
	e->lines = g_ptr_array_new_with_free_func(line_free);
	e->vat_names = gtk_string_list_new(NULL);
	gtk_string_list_append(e->vat_names, "—");
	e->kind_names = gtk_string_list_new(NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(line_kind_labels); i++) {
		gtk_string_list_append(e->kind_names, _(line_kind_labels[i]));
	}
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
	gtk_box_append(GTK_BOX(box), build_lines(e));
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
		line_insert(e, KIND_ITEM, 0);
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
	Editor *e = editor_of(editor);
	return e->pending == 0 && !e->loading && e->busy == 0;
}

gint64 cpt_sales_editor_get_id(GtkWindow *editor)
{
	return editor_of(editor)->id;
}

const char *cpt_sales_editor_get_doc_type(GtkWindow *editor)
{
	return editor_of(editor)->type;
}

const char *cpt_sales_editor_get_state(GtkWindow *editor)
{
	Editor *e = editor_of(editor);
	return e->state ? e->state : "";
}

const char *cpt_sales_editor_get_number(GtkWindow *editor)
{
	Editor *e = editor_of(editor);
	return e->number ? e->number : "";
}

gboolean cpt_sales_editor_is_read_only(GtkWindow *editor)
{
	return editor_of(editor)->read_only;
}

const char *cpt_sales_editor_get_message(GtkWindow *editor)
{
	return gtk_label_get_text(editor_of(editor)->message);
}

GtkWidget *cpt_sales_editor_get_widget(GtkWindow *editor, const char *name)
{
	return cpt_ui_find_named(GTK_WIDGET(editor), name);
}

guint cpt_sales_editor_get_n_lines(GtkWindow *editor)
{
	return editor_of(editor)->lines->len;
}

GtkWidget *cpt_sales_editor_get_cell(GtkWindow *editor, guint line, const char *column)
{
	Line *l = line_at(editor_of(editor), line);
	for (int c = 0; l && c < N_COLS; c++) {
		if (g_str_equal(column_name(c), column)) {
			return l->cells[c];
		}
	}
	return NULL;
}

gboolean cpt_sales_editor_get_focus_cell(GtkWindow *editor, guint *line, const char **column)
{
	Editor *e = editor_of(editor);
	Line *l;
	int col;
	if (!focus_cell(e, &l, &col)) {
		return FALSE;
	}
	*line = line_index(e, l);
	*column = column_name(col);
	return TRUE;
}

GtkWindow *cpt_sales_editor_get_made(GtkWindow *editor)
{
	return editor_of(editor)->made;
}
