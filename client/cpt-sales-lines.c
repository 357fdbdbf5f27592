/*
 * The editor's lines; see cpt-sales-editor.h for the keyboard map.
 *
 * The lines are a GtkGrid of cells, one grid row per line (row 0 holds the
 * column titles). Each CptSalesLine holds its cells; each cell carries its
 * line and column as object data, so that the key handler, which sees the
 * grid's keys first (capture phase), knows where the focus is. Moving a
 * line changes the grid row of its cells, not the cells: focus and typing
 * survive. A code typed is looked up (cpt-code-lookup.h) when Tab or a
 * click leaves its cell; the article fills the label, unit and VAT, and the
 * price is left to the server (PRICE_AUTO) until one is typed. What is not
 * a code is searched in names and labels: one article found is taken, several
 * are offered in a chooser under the cell (cpt-article-chooser.h).
 */
#include "cpt-article-chooser.h"
#include "cpt-code-lookup.h"
#include "cpt-sales-editor-private.h"
#include "cpt-ui.h"
#include "money.h"

#include "articles.pb-c.h"

#include <glib/gi18n.h>
#include <string.h>

#define PRICE_AUTO (-1) /* unit_price: the client's price, resolved by the server */

/* Cell names by column. */
const char *cpt_sales_line_column(int col)
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

void cpt_sales_line_free(gpointer p)
{
	CptSalesLine *l = p;
	g_free(l->found_code);
	g_free(l->asked_code);
	g_free(l->auto_label);
	g_free(l);
}

/* ---------------------------------------------------------------------------
 * Cells
 */

const char *cpt_sales_cell_text(GtkWidget *w)
{
	return w && GTK_IS_EDITABLE(w) ? gtk_editable_get_text(GTK_EDITABLE(w)) : "";
}

/* The text of w without surrounding spaces. Caller g_free()s. */
char *cpt_sales_cell_strip(GtkWidget *w)
{
	return g_strstrip(g_strdup(cpt_sales_cell_text(w)));
}

void cpt_sales_cell_set(CptSalesEditor *e, GtkWidget *w, const char *text)
{
	gboolean was = e->filling;
	e->filling = TRUE;
	gtk_editable_set_text(GTK_EDITABLE(w), text ? text : "");
	e->filling = was;
}

void cpt_sales_cell_choose(CptSalesEditor *e, GtkDropDown *d, guint i)
{
	gboolean was = e->filling;
	e->filling = TRUE;
	GListModel *m = gtk_drop_down_get_model(d);
	if (m && i < g_list_model_get_n_items(m)) {
		gtk_drop_down_set_selected(d, i);
	}
	e->filling = was;
}

static void set_qty(CptSalesEditor *e, GtkWidget *w, gint64 qty3)
{
	char buf[CPT_MONEY_FORMAT_SIZE];
	cpt_sales_cell_set(e, w, cpt_money_format_qty(qty3, buf, sizeof buf) ? buf : "");
}

static void set_price(CptSalesEditor *e, GtkWidget *w, gint64 price4)
{
	char buf[CPT_MONEY_FORMAT_SIZE];
	cpt_sales_cell_set(e, w, cpt_money_format_price(price4, buf, sizeof buf) ? buf : "");
}

/* A rate or discount, hundredths of a percent, as typed: "5", "5,5"; "" for 0. */
void cpt_sales_cell_set_rate(CptSalesEditor *e, GtkWidget *w, gint64 bp)
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
	cpt_sales_cell_set(e, w, buf);
}

/* ---------------------------------------------------------------------------
 * Lines and where they sit
 */

int cpt_sales_line_kind(CptSalesLine *l)
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

guint cpt_sales_lines_index(CptSalesEditor *e, CptSalesLine *l)
{
	guint i = 0;
	return g_ptr_array_find(e->lines, l, &i) ? i : G_MAXUINT;
}

CptSalesLine *cpt_sales_lines_at(CptSalesEditor *e, guint i)
{
	return i < e->lines->len ? g_ptr_array_index(e->lines, i) : NULL;
}

CptSalesLine *cpt_sales_lines_find(CptSalesEditor *e, guint64 uid)
{
	for (guint i = 0; i < e->lines->len; i++) {
		CptSalesLine *l = cpt_sales_lines_at(e, i);
		if (l->uid == uid) {
			return l;
		}
	}
	return NULL;
}

/* Where cell col of l sits: the label of a line without an article spans the free columns. */
static void cell_place(CptSalesLine *l, int col, int *column, int *span)
{
	*column = col;
	*span = 1;
	if (col == COL_LABEL && cpt_sales_line_kind(l) != KIND_ITEM) {
		*column = COL_CODE;
		*span = COL_VAT - COL_CODE + 1;
	}
}

/* Puts cell col of l in grid row row, or moves it there. */
static void put(CptSalesEditor *e, CptSalesLine *l, int col, int row)
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
static void relayout(CptSalesEditor *e, guint start)
{
	for (guint i = start; i < e->lines->len; i++) {
		CptSalesLine *l = cpt_sales_lines_at(e, i);
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

static void apply_kind(CptSalesEditor *e, CptSalesLine *l)
{
	int kind = cpt_sales_line_kind(l);
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

static void on_kind_changed(GObject *d, GParamSpec *pspec, gpointer data)
{
	CptSalesLine *l = g_object_get_data(d, "cpt-line");
	CptSalesEditor *e = data;
	if (l) {
		apply_kind(e, l);
		cpt_sales_editor_mark_dirty(e);
	}
}

static void on_code_changed(GtkEditable *w, gpointer data)
{
	CptSalesEditor *e = data;
	if (e->filling) {
		return;
	}
	CptSalesLine *l = g_object_get_data(G_OBJECT(w), "cpt-line");
	/* Another code: the article found no longer holds until looked up again. */
	if (l && l->found_code &&
	    g_ascii_strcasecmp(l->found_code, cpt_sales_cell_text(GTK_WIDGET(w))) != 0) {
		l->article_id = 0;
	}
	cpt_sales_editor_mark_dirty(e);
}

static void on_price_changed(GtkEditable *w, gpointer data)
{
	CptSalesEditor *e = data;
	if (e->filling) {
		return;
	}
	CptSalesLine *l = g_object_get_data(G_OBJECT(w), "cpt-line");
	if (!l) {
		return;
	}
	g_autofree char *t = cpt_sales_cell_strip(GTK_WIDGET(w));
	/* Typed: that price. Emptied: the client's price again. */
	l->price_auto = *t == '\0';
	cpt_sales_editor_mark_dirty(e);
}

static void on_cell_changed(GtkEditable *w, gpointer data)
{
	cpt_sales_editor_mark_dirty(data);
}

static void on_choice_changed(GObject *d, GParamSpec *pspec, gpointer data)
{
	cpt_sales_editor_mark_dirty(data);
}

static GtkWidget *cell_entry(CptSalesEditor *e, CptSalesLine *l, int col, int chars, gboolean right)
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

static void tag_cell(CptSalesLine *l, int col, GtkWidget *w)
{
	gtk_widget_set_name(w, cpt_sales_line_column(col));
	g_object_set_data(G_OBJECT(w), "cpt-line", l);
	g_object_set_data(G_OBJECT(w), "cpt-col", GINT_TO_POINTER(col + 1)); /* 0: none */
	l->cells[col] = w;
}

void cpt_sales_line_set_editable(CptSalesEditor *e, CptSalesLine *l)
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

static void lookup_article(CptSalesEditor *e, CptSalesLine *l);

/* A code typed, then the cell left another way than Tab (a click): looked up too. */
static void on_code_leave(GtkEventControllerFocus *c, gpointer data)
{
	CptSalesEditor *e = data;
	GtkWidget *w = gtk_event_controller_get_widget(GTK_EVENT_CONTROLLER(c));
	CptSalesLine *l = g_object_get_data(G_OBJECT(w), "cpt-line");
	if (l && !e->closed && !e->read_only) {
		lookup_article(e, l);
	}
}

/* A new line of kind at position pos (G_MAXUINT: at the end). */
CptSalesLine *cpt_sales_lines_insert(CptSalesEditor *e, int kind, guint pos)
{
	CptSalesLine *l = g_new0(CptSalesLine, 1);
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
	cpt_sales_cell_choose(e, GTK_DROP_DOWN(l->cells[COL_KIND]), (guint)kind);
	apply_kind(e, l);
	g_signal_connect(l->cells[COL_KIND], "notify::selected", G_CALLBACK(on_kind_changed), e);
	g_signal_connect(l->cells[COL_VAT], "notify::selected", G_CALLBACK(on_choice_changed), e);
	cpt_sales_line_set_editable(e, l);
	if (pos > e->lines->len) {
		pos = e->lines->len;
	}
	g_ptr_array_insert(e->lines, (gint)pos, l);
	relayout(e, pos);
	return l;
}

/* Takes l's cells out of the grid; a cell that keeps the focus a moment forgets l. */
static void cells_remove(CptSalesEditor *e, CptSalesLine *l)
{
	for (int c = 0; c < N_COLS; c++) {
		g_object_set_data(G_OBJECT(l->cells[c]), "cpt-line", NULL);
		gtk_grid_remove(e->grid, l->cells[c]);
	}
}

static void line_remove(CptSalesEditor *e, CptSalesLine *l)
{
	guint i = cpt_sales_lines_index(e, l);
	cells_remove(e, l);
	g_ptr_array_remove(e->lines, l); /* frees l */
	relayout(e, i);
}

void cpt_sales_lines_clear(CptSalesEditor *e)
{
	while (e->lines->len) {
		cells_remove(e, cpt_sales_lines_at(e, e->lines->len - 1));
		g_ptr_array_remove_index(e->lines, e->lines->len - 1);
	}
}

/* Whether an article line holds nothing yet (the line being typed). */
gboolean cpt_sales_line_blank(CptSalesLine *l)
{
	if (cpt_sales_line_kind(l) != KIND_ITEM) {
		return FALSE;
	}
	const int cols[] = {COL_CODE, COL_LABEL, COL_QTY, COL_PRICE};
	for (size_t i = 0; i < G_N_ELEMENTS(cols); i++) {
		g_autofree char *t = cpt_sales_cell_strip(l->cells[cols[i]]);
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
static guint vat_position_of_rate(CptSalesEditor *e, gint64 rate, const char *category)
{
	for (guint i = 0; i < e->vats->len; i++) {
		const CptSalesVat *v = &g_array_index(e->vats, CptSalesVat, i);
		if (v->rate == rate && (!category || g_str_equal(v->category, category))) {
			return i + 1;
		}
	}
	for (guint i = 0; category && i < e->vats->len; i++) {
		if (g_array_index(e->vats, CptSalesVat, i).rate == rate) {
			return i + 1;
		}
	}
	return 0;
}

static gint64 vat_id_at(CptSalesEditor *e, guint position)
{
	return position > 0 && position <= e->vats->len
		   ? g_array_index(e->vats, CptSalesVat, position - 1).id
		   : 0;
}

/* The server's line (its amounts, what the article gave) in line l. */
void cpt_sales_line_fill(CptSalesEditor *e, CptSalesLine *l, const Comptoir__Sales__Line *s)
{
	e->filling = TRUE;
	int kind = KIND_ITEM;
	for (int k = 0; line_kinds[k]; k++) {
		if (g_strcmp0(s->kind, line_kinds[k]) == 0) {
			kind = k;
		}
	}
	cpt_sales_cell_choose(e, GTK_DROP_DOWN(l->cells[COL_KIND]), (guint)kind);
	apply_kind(e, l);
	l->id = s->id;
	cpt_sales_cell_set(e, l->cells[COL_LABEL], s->label);
	GtkLabel *total = GTK_LABEL(l->cells[COL_TOTAL]);
	char buf[CPT_MONEY_FORMAT_SIZE];
	if (kind == KIND_ITEM) {
		cpt_sales_cell_set(e, l->cells[COL_CODE], s->article_code);
		l->article_id = s->article_id;
		g_free(l->found_code);
		l->found_code = g_strdup(s->article_code);
		set_qty(e, l->cells[COL_QTY], s->quantity);
		cpt_sales_cell_set(e, l->cells[COL_UNIT], s->unit);
		set_price(e, l->cells[COL_PRICE], s->unit_price);
		cpt_sales_cell_set_rate(e, l->cells[COL_DISCOUNT], s->discount);
		GtkDropDown *vat = GTK_DROP_DOWN(l->cells[COL_VAT]);
		/* The choice made stays; one the server made (the article's) is shown. */
		guint chosen = gtk_drop_down_get_selected(vat);
		if (chosen == 0 || chosen == GTK_INVALID_LIST_POSITION ||
		    g_array_index(e->vats, CptSalesVat, chosen - 1).rate != s->vat_rate) {
			cpt_sales_cell_choose(
			    e, vat, vat_position_of_rate(e, s->vat_rate, s->vat_category));
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

/* ---------------------------------------------------------------------------
 * Looking up article codes
 */

/* The article answered for line l: label, unit and VAT filled; the price left to the server. */
static void fill_article(CptSalesEditor *e, CptSalesLine *l,
			 const Comptoir__Articles__ArticleSummary *a)
{
	e->filling = TRUE;
	l->article_id = a->id;
	g_free(l->found_code);
	l->found_code = g_strdup(a->code);
	cpt_sales_cell_set(e, l->cells[COL_CODE], a->code);
	g_autofree char *label = cpt_sales_cell_strip(l->cells[COL_LABEL]);
	if (!*label || g_strcmp0(label, l->auto_label) == 0) {
		cpt_sales_cell_set(e, l->cells[COL_LABEL], a->label);
		g_free(l->auto_label);
		l->auto_label = g_strdup(a->label);
	}
	cpt_sales_cell_set(e, l->cells[COL_UNIT], a->unit);
	cpt_sales_cell_choose(e, GTK_DROP_DOWN(l->cells[COL_VAT]),
			      vat_position_of_rate(e, a->vat_rate, a->vat_rate ? "S" : "Z"));
	g_autofree char *qty = cpt_sales_cell_strip(l->cells[COL_QTY]);
	if (!*qty) {
		cpt_sales_cell_set(e, l->cells[COL_QTY], "1");
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

/* A chooser open for a line: the line is found again by its uid when it answers. */
typedef struct {
	GtkWindow *window; /* a reference */
	guint64 uid;
	gboolean chosen;
} Choosing;

static void choosing_free(gpointer data)
{
	Choosing *c = data;
	CptSalesEditor *e = cpt_sales_editor_of(c->window);
	CptSalesLine *l = e && !e->closed ? cpt_sales_lines_find(e, c->uid) : NULL;
	if (l && !c->chosen) {
		/* Closed with nothing chosen: back to the code, to type more. */
		gtk_widget_grab_focus(l->cells[COL_CODE]);
	}
	g_object_unref(c->window);
	g_free(c);
}

static void article_chosen(const Comptoir__Articles__ArticleSummary *a, gpointer data)
{
	Choosing *c = data;
	CptSalesEditor *e = cpt_sales_editor_of(c->window);
	CptSalesLine *l = e && !e->closed ? cpt_sales_lines_find(e, c->uid) : NULL;
	if (l) {
		c->chosen = TRUE;
		fill_article(e, l, a);
		gtk_widget_grab_focus(l->cells[COL_QTY]);
	}
}

static void article_found(GObject *source, GAsyncResult *res, gpointer data)
{
	CptSalesLookup *k = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	CptSalesEditor *e = cpt_sales_editor_of(k->window);
	if (e && !e->closed) {
		e->busy--;
		CptSalesLine *l = cpt_sales_lines_find(e, k->uid);
		if (l && g_strcmp0(l->asked_code, k->code) == 0) {
			g_clear_pointer(&l->asked_code, g_free);
		}
		g_autofree char *now = l ? cpt_sales_cell_strip(l->cells[COL_CODE]) : NULL;
		if (l && g_ascii_strcasecmp(now, k->code) == 0) {
			const Comptoir__Articles__ArticleSummary *a =
			    cpt_code_lookup_article(r, k->code);
			const Comptoir__Articles__ListArticlesReply *rep = (const void *)r->output;
			if (a) {
				/* Its code, or the one article a word of its name finds. */
				fill_article(e, l, a);
			} else if (r->status.code == CPT_OK && rep && rep->n_articles > 1) {
				Choosing *c = g_new0(Choosing, 1);
				c->window = g_object_ref(k->window);
				c->uid = l->uid;
				cpt_article_chooser_popup(l->cells[COL_CODE], g_steal_pointer(&r),
							  article_chosen, c, choosing_free);
			} else {
				g_autofree char *text =
				    r->status.code == CPT_OK
					? g_strdup_printf(_("Ligne %u : article inconnu : %s"),
							  cpt_sales_lines_index(e, l) + 1, k->code)
					: g_strdup(cpt_ui_status_text(&r->status));
				cpt_ui_field_error(l->cells[COL_CODE], e->message, text);
			}
		}
	}
	cpt_sales_lookup_free(k);
}

static void lookup_article(CptSalesEditor *e, CptSalesLine *l)
{
	g_autofree char *code = cpt_sales_cell_strip(l->cells[COL_CODE]);
	if (!*code || (l->article_id && g_ascii_strcasecmp(code, l->found_code) == 0) ||
	    (l->asked_code && g_ascii_strcasecmp(code, l->asked_code) == 0)) {
		return; /* found already, or on its way */
	}
	g_free(l->asked_code);
	l->asked_code = g_strdup(code);
	CptSalesLookup *k = g_new0(CptSalesLookup, 1);
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
static GtkWidget *cell_of(CptSalesEditor *e, GtkWidget *w)
{
	for (; w && w != GTK_WIDGET(e->grid); w = gtk_widget_get_parent(w)) {
		if (GTK_IS_POPOVER(w)) {
			return NULL; /* a chooser under a cell has its own keys */
		}
		if (g_object_get_data(G_OBJECT(w), "cpt-col")) {
			return w;
		}
	}
	return NULL;
}

GtkWidget *cpt_sales_lines_focus(CptSalesEditor *e, CptSalesLine **line, int *col)
{
	GtkWidget *cell = cell_of(e, gtk_root_get_focus(GTK_ROOT(e->window)));
	*line = cell ? g_object_get_data(G_OBJECT(cell), "cpt-line") : NULL;
	if (!*line) {
		return NULL; /* none, or the cell of a line just removed */
	}
	*col = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(cell), "cpt-col")) - 1;
	return cell;
}

static gboolean focusable(CptSalesLine *l, int col)
{
	return col != COL_TOTAL && gtk_widget_get_visible(l->cells[col]);
}

static void focus(CptSalesLine *l, int col)
{
	gtk_widget_grab_focus(l->cells[col]);
}

/* The next cell from (l, col) forward or back, crossing lines; FALSE at either end. */
static gboolean step(CptSalesEditor *e, CptSalesLine *l, int col, gboolean forward,
		     CptSalesLine **out_l, int *out_col)
{
	guint i = cpt_sales_lines_index(e, l);
	for (;;) {
		col += forward ? 1 : -1;
		/* Forward, a line starts at its code: the kind is reached going back. */
		if (forward && col >= N_COLS) {
			if (++i >= e->lines->len) {
				return FALSE;
			}
			l = cpt_sales_lines_at(e, i);
			col = COL_CODE - 1;
			continue;
		}
		if (!forward && col < 0) {
			if (i == 0) {
				return FALSE;
			}
			l = cpt_sales_lines_at(e, --i);
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

static int last_col(CptSalesLine *l)
{
	for (int c = N_COLS - 1; c >= 0; c--) {
		if (focusable(l, c)) {
			return c;
		}
	}
	return COL_KIND;
}

static int first_col(CptSalesLine *l)
{
	return focusable(l, COL_CODE) ? COL_CODE : COL_LABEL;
}

static void add_line_after(CptSalesEditor *e, CptSalesLine *l, int kind)
{
	guint i = l ? cpt_sales_lines_index(e, l) + 1 : e->lines->len;
	CptSalesLine *n = cpt_sales_lines_insert(e, kind, i);
	cpt_sales_editor_mark_dirty(e);
	focus(n, first_col(n));
}

static void remove_line(CptSalesEditor *e, CptSalesLine *l)
{
	guint i = cpt_sales_lines_index(e, l);
	line_remove(e, l);
	cpt_sales_editor_mark_dirty(e);
	if (e->lines->len == 0) {
		cpt_sales_lines_insert(e, KIND_ITEM, 0);
	}
	CptSalesLine *n = cpt_sales_lines_at(e, MIN(i, e->lines->len - 1));
	focus(n, first_col(n));
}

static void move_line(CptSalesEditor *e, CptSalesLine *l, int col, gboolean up)
{
	guint i = cpt_sales_lines_index(e, l);
	guint j = up ? i - 1 : i + 1;
	if ((up && i == 0) || j >= e->lines->len) {
		return;
	}
	CptSalesLine *other = cpt_sales_lines_at(e, j);
	e->lines->pdata[j] = l;
	e->lines->pdata[i] = other;
	relayout(e, MIN(i, j));
	cpt_sales_editor_mark_dirty(e);
	focus(l, col);
}

static gboolean choose_next(CptSalesEditor *e, GtkDropDown *d, gboolean down)
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
gboolean cpt_sales_lines_key(CptSalesEditor *e, CptSalesLine *l, int col, guint keyval,
			     GdkModifierType state)
{
	gboolean ctrl = (state & GDK_CONTROL_MASK) != 0;
	gboolean alt = (state & GDK_ALT_MASK) != 0;
	gboolean shift = (state & GDK_SHIFT_MASK) != 0;
	CptSalesLine *to;
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
			g_autofree char *code = cpt_sales_cell_strip(l->cells[COL_CODE]);
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
			guint i = cpt_sales_lines_index(e, l);
			if (i + 1 < e->lines->len) {
				CptSalesLine *n = cpt_sales_lines_at(e, i + 1);
				focus(n, first_col(n));
			} else {
				add_line_after(e, l, KIND_ITEM);
			}
			return TRUE;
		}
		return cpt_sales_lines_key(e, l, col, GDK_KEY_Tab, 0);
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
		guint i = cpt_sales_lines_index(e, l);
		CptSalesLine *n = up ? (i > 0 ? cpt_sales_lines_at(e, i - 1) : NULL)
				     : cpt_sales_lines_at(e, i + 1);
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
	CptSalesEditor *e = data;
	/* Keys of a dropdown's open list belong to it. */
	GdkEvent *ev = gtk_event_controller_get_current_event(GTK_EVENT_CONTROLLER(ctrl));
	if (ev && gdk_event_get_surface(ev) != gtk_native_get_surface(GTK_NATIVE(e->window))) {
		return FALSE;
	}
	CptSalesLine *l;
	int col;
	if (!cpt_sales_lines_focus(e, &l, &col)) {
		return FALSE;
	}
	return cpt_sales_lines_key(e, l, col, keyval,
				   state & gtk_accelerator_get_default_mod_mask());
}

/* A percentage as typed ("5", "5,5"; empty 0) in hundredths; FALSE, shown, if not. */
gboolean cpt_sales_cell_read_percent(CptSalesEditor *e, GtkWidget *w, const char *where,
				     gint32 *out)
{
	g_autofree char *t = cpt_sales_cell_strip(w);
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
/* s, kept in strings until the request is sent. */
static char *keep(GPtrArray *strings, char *s)
{
	g_ptr_array_add(strings, s);
	return s;
}

static char *line_prefix(guint i)
{
	return g_strdup_printf(_("Ligne %u : "), i + 1);
}

gboolean cpt_sales_line_read(CptSalesEditor *e, GPtrArray *strings, CptSalesLine *l, guint i,
			     Comptoir__Sales__Line *out)
{
	int kind = cpt_sales_line_kind(l);
	out->kind = (char *)line_kinds[kind];
	out->label = keep(strings, cpt_sales_cell_strip(l->cells[COL_LABEL]));
	if (kind != KIND_ITEM) {
		return TRUE;
	}
	g_autofree char *where = line_prefix(i);
	char *code = keep(strings, cpt_sales_cell_strip(l->cells[COL_CODE]));
	out->article_code = code;
	out->expand_bom = l->expand_bom;
	out->article_id =
	    l->article_id && l->found_code && g_ascii_strcasecmp(code, l->found_code) == 0
		? l->article_id
		: 0;
	out->unit = keep(strings, cpt_sales_cell_strip(l->cells[COL_UNIT]));
	g_autofree char *qty = cpt_sales_cell_strip(l->cells[COL_QTY]);
	if (!cpt_money_parse_qty(qty, &out->quantity)) {
		g_autofree char *text =
		    g_strdup_printf(*qty ? _("%sQuantité invalide : un nombre avec 3 décimales "
					     "au plus, par exemple 1,5.")
					 : _("%sQuantité manquante."),
				    where);
		cpt_ui_field_error(l->cells[COL_QTY], e->message, text);
		return FALSE;
	}
	g_autofree char *price = cpt_sales_cell_strip(l->cells[COL_PRICE]);
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
	if (!cpt_sales_cell_read_percent(e, l->cells[COL_DISCOUNT], where, &discount)) {
		return FALSE;
	}
	out->discount = discount;
	out->vat_rate_id =
	    vat_id_at(e, gtk_drop_down_get_selected(GTK_DROP_DOWN(l->cells[COL_VAT])));
	return TRUE;
}

/* ---------------------------------------------------------------------------
 * Reading a line, and the server's refusals of lines
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
static CptSalesLine *line_at_fault(CptSalesEditor *e, GArray *sent, const cpt_status *st, int col)
{
	const char *mark = strstr(st->message, "ligne ");
	if (mark) {
		guint64 n = g_ascii_strtoull(mark + strlen("ligne "), NULL, 10);
		if (n >= 1 && n <= sent->len) {
			return cpt_sales_lines_find(e, g_array_index(sent, guint64, n - 1));
		}
	}
	/* "article inconnu : XYZ": the code after the colon. */
	const char *colon = strrchr(st->message, ':');
	g_autofree char *named_code = g_strstrip(g_strdup(colon ? colon + 1 : ""));
	CptSalesLine *first = NULL;
	for (guint i = 0; i < sent->len; i++) {
		CptSalesLine *l = cpt_sales_lines_find(e, g_array_index(sent, guint64, i));
		if (!l || cpt_sales_line_kind(l) != KIND_ITEM) {
			continue;
		}
		first = first ? first : l;
		g_autofree char *t = cpt_sales_cell_strip(l->cells[col]);
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

GtkWidget *cpt_sales_lines_refusal(CptSalesEditor *e, GArray *sent, const cpt_status *st,
				   char **prefix)
{
	const char *column = st->field + strlen("document.lines.");
	*prefix = NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(line_fields); i++) {
		if (g_str_equal(column, line_fields[i].field)) {
			CptSalesLine *l = line_at_fault(e, sent, st, line_fields[i].col);
			if (!l) {
				return NULL;
			}
			if (!strstr(st->message, "ligne")) {
				*prefix = line_prefix(cpt_sales_lines_index(e, l));
			}
			return l->cells[line_fields[i].col];
		}
	}
	return NULL;
}

GtkStringList *cpt_sales_line_kinds_model(void)
{
	GtkStringList *names = gtk_string_list_new(NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(line_kind_labels); i++) {
		gtk_string_list_append(names, _(line_kind_labels[i]));
	}
	return names;
}

static void on_add_kind(GtkButton *b, gpointer data)
{
	CptSalesEditor *e = data;
	int kind = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(b), "cpt-kind"));
	CptSalesLine *l;
	int col;
	add_line_after(
	    e, cpt_sales_lines_focus(e, &l, &col) ? l : cpt_sales_lines_at(e, e->lines->len - 1),
	    kind);
}

static void on_remove_line(GtkButton *b, gpointer data)
{
	CptSalesEditor *e = data;
	CptSalesLine *l;
	int col;
	if (cpt_sales_lines_focus(e, &l, &col)) {
		remove_line(e, l);
	} else if (e->lines->len) {
		remove_line(e, cpt_sales_lines_at(e, e->lines->len - 1));
	}
}

/* The article of the current line detailed: its components listed under it, saved now. */
static void on_expand_bom(GtkButton *b, gpointer data)
{
	CptSalesEditor *e = data;
	CptSalesLine *l;
	int col;
	g_autofree char *code = NULL;
	if (cpt_sales_lines_focus(e, &l, &col)) {
		code = cpt_sales_cell_strip(l->cells[COL_CODE]);
	}
	if (!code || !*code) {
		gtk_label_set_text(e->message,
				   _("Placez-vous d'abord sur la ligne d'un article composé."));
		return;
	}
	l->expand_bom = TRUE;
	cpt_sales_editor_save(e->window); /* the draft is read from the lines here */
	l->expand_bom = FALSE;		  /* asked once, whatever the answer */
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

GtkWidget *cpt_sales_lines_new(CptSalesEditor *e)
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
	/* Clicked, it leaves the focus on the line it details. */
	gtk_widget_set_focus_on_click(
	    bar_button(e, bar, "line.expand_bom", _("_Détailler le kit"),
		       _("Liste sous la ligne courante les composants de son article "
			 "(nomenclature), le prix restant celui du kit"),
		       G_CALLBACK(on_expand_bom)),
	    FALSE);
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
