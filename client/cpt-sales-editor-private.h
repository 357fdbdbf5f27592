/*
 * What the sales editor's two files share: cpt-sales-editor.c (the window,
 * its header, totals and actions) and cpt-sales-lines.c (the line grid and
 * its keyboard). Nothing else includes it.
 */
#ifndef CPT_SALES_EDITOR_PRIVATE_H
#define CPT_SALES_EDITOR_PRIVATE_H

#include "cpt-conn.h"
#include "cpt-sales-editor.h"
#include "cpt-sales.h"

#include "sales.pb-c.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The line grid's columns, left to right. */
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

/* Line kinds, in the kind dropdown's order (the server's item, text, section, subtotal). */
enum { KIND_ITEM, KIND_TEXT, KIND_SECTION, KIND_SUBTOTAL };

/* A VAT rate the lines offer. */
typedef struct {
	gint64 id;
	gint64 rate; /* hundredths of a percent */
	char category[4];
} CptSalesVat;

/* One line of the grid: what the server said of it, and its cells. */
typedef struct {
	guint64 uid;	     /* stable while the window lives */
	gint64 id;	     /* the server's line id, 0 until saved */
	gint64 article_id;   /* the article found for found_code, 0 if none */
	char *found_code;    /* the code whose article filled the line */
	char *asked_code;    /* the code being looked up, or NULL */
	char *auto_label;    /* the label the article gave, replaced if the code changes */
	gboolean price_auto; /* sent as -1: the price of the client, the server's */
	gboolean expand_bom; /* list the article's components under it at the next save */
	GtkWidget *cells[N_COLS];
} CptSalesLine;

/* The editor, as object data "cpt-sales-editor" of its window. */
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

	GArray *vats;		    /* CptSalesVat, by position in the VAT dropdowns after "—" */
	GtkStringList *vat_names;   /* shared by the lines' VAT dropdowns */
	GtkStringList *kind_names;  /* shared by the lines' kind dropdowns */
	GPtrArray *exemption_codes; /* by position after "none" */
	GPtrArray *terms_codes;	    /* by position after "the client's" */

	GPtrArray *lines; /* CptSalesLine *, in order */
	GtkGrid *grid;
	GtkGrid *header;
	GtkWidget *party_code;
	GtkLabel *party_name, *due_date, *title, *state_label, *number_label, *message;
	GtkLabel *price_title;
	GtkDropDown *terms, *exemption;
	GtkDropDown *delivery;	 /* cpt-sales-delivery.c */
	GArray *delivery_ids;	 /* gint64, by position after the billing address */
	gint64 delivery_party;	 /* whose addresses are offered */
	gint64 delivery_wanted;	 /* the document's, until the addresses are in */
	gboolean delivery_known; /* the addresses are in */
	GtkSwitch *ttc;
	GtkTextView *notes;
	GtkWidget *line_bar;
	GtkGrid *vat_grid, *totals;
	GtkWidget *save, *validate, *convert, *duplicate, *credit, *sent, *accepted, *refused,
	    *preview, *export_cii, *export_ubl, *del, *send;
	GtkWidget *mails; /* the e-mails sent about the document */
	GtkWindow *made;  /* a weak pointer: the editor of the document made from this one */
} CptSalesEditor;

/* A code being looked up, for the window (a reference). */
typedef struct {
	GtkWindow *window;
	guint64 uid; /* the line, 0 for the client */
	char *code;
} CptSalesLookup;

/* ---- cpt-sales-editor.c ------------------------------------------------ */

CptSalesEditor *cpt_sales_editor_of(GtkWindow *window);
/* Something was typed or chosen (not while cells are filled from code). */
void cpt_sales_editor_mark_dirty(CptSalesEditor *e);
void cpt_sales_lookup_free(CptSalesLookup *k);

/* ---- cpt-sales-delivery.c ---------------------------------------------- */

/* Offers party_id's delivery addresses and sites, address_id chosen (0: billing). */
void cpt_sales_delivery_load(CptSalesEditor *e, gint64 party_id, gint64 address_id);
/* The address chosen, 0 for the billing one. */
gint64 cpt_sales_delivery_selected(CptSalesEditor *e);

/* ---- cpt-sales-lines.c: cells ------------------------------------------ */

/* The text of an editable ("" for anything else); transfer none. */
const char *cpt_sales_cell_text(GtkWidget *w);
/* The same without surrounding spaces. Caller g_free()s. */
char *cpt_sales_cell_strip(GtkWidget *w);
/* Sets a cell or field from code: not counted as typed. */
void cpt_sales_cell_set(CptSalesEditor *e, GtkWidget *w, const char *text);
void cpt_sales_cell_choose(CptSalesEditor *e, GtkDropDown *d, guint i);
/* A rate or discount, hundredths of a percent, as typed: "5", "5,5"; "" for 0. */
void cpt_sales_cell_set_rate(CptSalesEditor *e, GtkWidget *w, gint64 bp);
/*
 * A percentage as typed ("5", "5,5"; empty 0) in hundredths; FALSE, shown on
 * w with where ("Ligne 2 : ") before the message, if it is not one.
 */
gboolean cpt_sales_cell_read_percent(CptSalesEditor *e, GtkWidget *w, const char *where,
				     gint32 *out);

/* ---- cpt-sales-lines.c: lines ------------------------------------------ */

/* The grid with its toolbar, its column titles and its key handler. */
GtkWidget *cpt_sales_lines_new(CptSalesEditor *e);
/* The kinds' names for the lines' dropdowns (caller unrefs). */
GtkStringList *cpt_sales_line_kinds_model(void);
/* A new line of kind at position pos (G_MAXUINT: at the end). */
CptSalesLine *cpt_sales_lines_insert(CptSalesEditor *e, int kind, guint pos);
void cpt_sales_lines_clear(CptSalesEditor *e);
CptSalesLine *cpt_sales_lines_at(CptSalesEditor *e, guint i);
CptSalesLine *cpt_sales_lines_find(CptSalesEditor *e, guint64 uid);
guint cpt_sales_lines_index(CptSalesEditor *e, CptSalesLine *l);
void cpt_sales_line_free(gpointer line);
int cpt_sales_line_kind(CptSalesLine *l);
/* The cell name of column col ("line.quantity"...). */
const char *cpt_sales_line_column(int col);
/* The server's line (its amounts, what the article gave) in line l. */
void cpt_sales_line_fill(CptSalesEditor *e, CptSalesLine *l, const Comptoir__Sales__Line *s);
/* Editable or not, as the editor is read only or not. */
void cpt_sales_line_set_editable(CptSalesEditor *e, CptSalesLine *l);
/* Whether an article line holds nothing yet (the line being typed). */
gboolean cpt_sales_line_blank(CptSalesLine *l);
/*
 * Line l (at position i) as typed, its strings kept in strings; FALSE with
 * the cell at fault shown: nothing to send.
 */
gboolean cpt_sales_line_read(CptSalesEditor *e, GPtrArray *strings, CptSalesLine *l, guint i,
			     Comptoir__Sales__Line *out);
/*
 * The cell a refusal of field "document.lines.x" is about, among the lines
 * sent (uids), or NULL; *prefix ("Ligne 3 : ", caller frees) when the
 * message does not name the line itself.
 */
GtkWidget *cpt_sales_lines_refusal(CptSalesEditor *e, GArray *sent, const cpt_status *st,
				   char **prefix);
/* The line and column of the cell holding the focus, or NULL. */
GtkWidget *cpt_sales_lines_focus(CptSalesEditor *e, CptSalesLine **line, int *col);
/* What key keyval does in cell (l, col); FALSE to let GTK do its own. */
gboolean cpt_sales_lines_key(CptSalesEditor *e, CptSalesLine *l, int col, guint keyval,
			     GdkModifierType state);

G_END_DECLS

#endif
