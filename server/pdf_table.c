/*
 * The line table: items with their quantity, unit, unit price, discount, net
 * amount and VAT rate; section titles in bold on a tinted band; subtotals of
 * the section above; comment lines; labels wrapped on as many lines as they
 * need. A delivery note prints the same lines without prices.
 *
 * The table flows over pages: a row that fits on a page is never cut, the
 * header row is repeated at the top of every page the table continues on,
 * and a section title is kept with the row that follows it. Only a row
 * taller than a whole page is cut between two of its lines.
 */
#include "pdf_private.h"

#include <string.h>

enum align { LEFT, RIGHT, CENTRE };

typedef struct column {
	const char *title;
	float mm; /* width */
	enum align align;
} column;

/* With prices: the columns EN 16931 and French practice expect. */
enum { C_LABEL, C_QTY, C_UNIT, C_PRICE, C_DISCOUNT, C_NET, C_VAT, N_PRICED };
static const column priced[N_PRICED] = {
    [C_LABEL] = {"Désignation", 80, LEFT}, [C_QTY] = {"Qté", 15, RIGHT},
    [C_UNIT] = {"Unité", 12, CENTRE},	   [C_PRICE] = {"PU HT", 21, RIGHT},
    [C_DISCOUNT] = {"Remise", 14, RIGHT},  [C_NET] = {"Total HT", 24, RIGHT},
    [C_VAT] = {"TVA", 14, RIGHT},
};

/* Delivery note: what was delivered, not what it costs. */
enum { D_CODE, D_LABEL, D_QTY, D_UNIT, N_BARE };
static const column bare[N_BARE] = {
    [D_CODE] = {"Réf.", 32, LEFT},
    [D_LABEL] = {"Désignation", 108, LEFT},
    [D_QTY] = {"Qté", 22, RIGHT},
    [D_UNIT] = {"Unité", 18, CENTRE},
};

#define MAX_COLUMNS 8
#define PAD CPT_PDF_MM(1.5)  /* inside a cell, left and right */
#define VPAD CPT_PDF_MM(1.2) /* above and below a row's text */
#define LEAD 10.5f	     /* between baselines of a row's lines */
#define HEADER_H CPT_PDF_MM(6.5)

typedef struct table {
	const column *cols;
	size_t n;
	bool prices;
	float x[MAX_COLUMNS + 1]; /* left edge of each column, then the right edge */
} table;

static float col_w(const table *t, size_t c)
{
	return t->x[c + 1] - t->x[c];
}

static void cell(cpt_pdf *p, const table *t, size_t c, cpt_pdf_font *f, cpt_pdf_rgb colour,
		 float base, const char *s)
{
	switch (t->cols[c].align) {
	case RIGHT:
		cpt_pdf_text_right(p, f, CPT_PDF_SIZE_BODY, colour, t->x[c + 1] - PAD, base, s);
		break;
	case CENTRE:
		cpt_pdf_text_centre(p, f, CPT_PDF_SIZE_BODY, colour, (t->x[c] + t->x[c + 1]) / 2,
				    base, s);
		break;
	default:
		cpt_pdf_text(p, f, CPT_PDF_SIZE_BODY, colour, t->x[c] + PAD, base, s);
		break;
	}
}

static void header_row(cpt_pdf *p, const table *t)
{
	cpt_pdf_fill_rect(p, CPT_PDF_LEFT, p->y, CPT_PDF_WIDTH, HEADER_H, p->accent);
	for (size_t c = 0; c < t->n; c++) {
		float base = p->y + HEADER_H / 2 + 3;
		const column *col = &t->cols[c];

		if (col->align == RIGHT)
			cpt_pdf_text_right(p, p->bold, 8, p->on_accent, t->x[c + 1] - PAD, base,
					   col->title);
		else if (col->align == CENTRE)
			cpt_pdf_text_centre(p, p->bold, 8, p->on_accent,
					    (t->x[c] + t->x[c + 1]) / 2, base, col->title);
		else
			cpt_pdf_text(p, p->bold, 8, p->on_accent, t->x[c] + PAD, base, col->title);
	}
	p->y += HEADER_H;
}

static void repeat_header(cpt_pdf *p)
{
	header_row(p, p->on_new_page_data);
}

/* Room for a row of n lines: the whole row when it can fit on a page. */
static void make_room(cpt_pdf *p, guint n)
{
	float h = 2 * VPAD + (float)n * LEAD;
	float page = CPT_PDF_BODY_END - CPT_PDF_CONT_TOP - HEADER_H;

	cpt_pdf_need(p, h <= page ? h : VPAD + LEAD);
}

/* The lines of a row's wrapped text, breaking the page between two lines
 * only when the row is taller than a page. */
static void row_lines(cpt_pdf *p, GPtrArray *lines, guint from, float x, cpt_pdf_font *f,
		      float size, cpt_pdf_rgb c)
{
	for (guint i = from; i < lines->len; i++) {
		cpt_pdf_need(p, LEAD + VPAD);
		cpt_pdf_text(p, f, size, c, x, p->y + LEAD * 0.8f, g_ptr_array_index(lines, i));
		p->y += LEAD;
	}
}

static void row_end(cpt_pdf *p)
{
	p->y += VPAD;
	cpt_pdf_hline(p, CPT_PDF_LEFT, CPT_PDF_RIGHT, p->y, 0.3f, CPT_PDF_RULE);
}

/* ==== Rows ================================================================ */

static void item_priced(cpt_pdf *p, const table *t, const cpt_doc_line *l)
{
	char qty[CPT_MONEY_FORMAT_SIZE], price[CPT_MONEY_FORMAT_SIZE], net[CPT_MONEY_FORMAT_SIZE],
	    eco[CPT_MONEY_FORMAT_SIZE], disc[CPT_PDF_RATE_SIZE], vat[CPT_PDF_RATE_SIZE];
	const char *code = cpt_pdf_str(l->article_code);
	g_autofree char *text =
	    *code ? g_strdup_printf("%s — %s", code, cpt_pdf_str(l->label)) : g_strdup(l->label);
	g_autoptr(GPtrArray) lines =
	    cpt_pdf_wrap(p, p->regular, CPT_PDF_SIZE_BODY, col_w(t, C_LABEL) - 2 * PAD, text);
	guint label_lines = lines->len;

	if (l->eco_contribution != 0)
		g_ptr_array_add(lines, g_strdup_printf("dont éco-contribution DEEE : %s",
						       cpt_pdf_money(l->eco_contribution, eco)));
	if (!cpt_money_format_qty(l->quantity, qty, sizeof qty))
		qty[0] = '\0';
	if (!cpt_money_format_price(l->unit_price, price, sizeof price))
		price[0] = '\0';

	make_room(p, lines->len);
	p->y += VPAD;
	float base = p->y + LEAD * 0.8f;
	cell(p, t, C_QTY, p->regular, CPT_PDF_BLACK, base, qty);
	cell(p, t, C_UNIT, p->regular, CPT_PDF_BLACK, base, l->unit);
	cell(p, t, C_PRICE, p->regular, CPT_PDF_BLACK, base, price);
	cell(p, t, C_DISCOUNT, p->regular, CPT_PDF_BLACK, base,
	     l->discount ? cpt_pdf_rate(l->discount, disc) : "");
	cell(p, t, C_NET, p->regular, CPT_PDF_BLACK, base, cpt_pdf_amount(l->net, net));
	cell(p, t, C_VAT, p->regular, CPT_PDF_BLACK, base, cpt_pdf_rate(l->vat_rate, vat));

	for (guint i = 0; i < label_lines; i++) {
		if (i > 0)
			cpt_pdf_need(p, LEAD + VPAD);
		cpt_pdf_text(p, p->regular, CPT_PDF_SIZE_BODY, CPT_PDF_BLACK, t->x[C_LABEL] + PAD,
			     p->y + LEAD * 0.8f, g_ptr_array_index(lines, i));
		p->y += LEAD;
	}
	if (label_lines < lines->len)
		row_lines(p, lines, label_lines, t->x[C_LABEL] + PAD, p->regular,
			  CPT_PDF_SIZE_SMALL, CPT_PDF_GREY);
	row_end(p);
}

static void item_bare(cpt_pdf *p, const table *t, const cpt_doc_line *l)
{
	char qty[CPT_MONEY_FORMAT_SIZE];
	g_autoptr(GPtrArray) code = cpt_pdf_wrap(p, p->regular, CPT_PDF_SIZE_BODY,
						 col_w(t, D_CODE) - 2 * PAD, l->article_code);
	g_autoptr(GPtrArray) lines =
	    cpt_pdf_wrap(p, p->regular, CPT_PDF_SIZE_BODY, col_w(t, D_LABEL) - 2 * PAD, l->label);

	if (!cpt_money_format_qty(l->quantity, qty, sizeof qty))
		qty[0] = '\0';
	make_room(p, MAX(code->len, lines->len));
	p->y += VPAD;
	float top = p->y, base = p->y + LEAD * 0.8f;
	cell(p, t, D_QTY, p->bold, CPT_PDF_BLACK, base, qty);
	cell(p, t, D_UNIT, p->regular, CPT_PDF_BLACK, base, l->unit);
	for (guint i = 0; i < code->len; i++)
		cpt_pdf_text(p, p->regular, CPT_PDF_SIZE_BODY, CPT_PDF_GREY, t->x[D_CODE] + PAD,
			     top + LEAD * ((float)i + 0.8f), g_ptr_array_index(code, i));
	row_lines(p, lines, 0, t->x[D_LABEL] + PAD, p->regular, CPT_PDF_SIZE_BODY, CPT_PDF_BLACK);
	if (code->len > lines->len)
		p->y = top + LEAD * (float)code->len;
	row_end(p);
}

static void section(cpt_pdf *p, const cpt_doc_line *l)
{
	g_autoptr(GPtrArray) lines = cpt_pdf_wrap(p, p->bold, 9, CPT_PDF_WIDTH - 2 * PAD, l->label);
	float h = 2 * VPAD + (float)lines->len * LEAD;

	/* Keep the title with the first row of its section. */
	cpt_pdf_need(p, h + 2 * VPAD + LEAD);
	cpt_pdf_fill_rect(p, CPT_PDF_LEFT, p->y, CPT_PDF_WIDTH, h, p->tint);
	p->y += VPAD;
	row_lines(p, lines, 0, CPT_PDF_LEFT + PAD, p->bold, 9, CPT_PDF_BLACK);
	row_end(p);
}

static void subtotal(cpt_pdf *p, const table *t, const cpt_doc_line *l)
{
	char amount[CPT_MONEY_FORMAT_SIZE];
	const char *label = cpt_pdf_str(l->label);
	g_autofree char *text =
	    *label ? g_strdup_printf("Sous-total %s", label) : g_strdup("Sous-total");

	cpt_pdf_need(p, 2 * VPAD + LEAD);
	p->y += VPAD;
	float base = p->y + LEAD * 0.8f;
	cpt_pdf_text_right(p, p->bold, CPT_PDF_SIZE_BODY, CPT_PDF_BLACK, t->x[C_DISCOUNT + 1] - PAD,
			   base, text);
	cell(p, t, C_NET, p->bold, CPT_PDF_BLACK, base, cpt_pdf_amount(l->subtotal, amount));
	p->y += LEAD + VPAD;
	cpt_pdf_hline(p, t->x[C_NET], t->x[C_NET + 1], p->y, 0.6f, p->accent);
}

static void comment(cpt_pdf *p, const cpt_doc_line *l)
{
	g_autoptr(GPtrArray) lines =
	    cpt_pdf_wrap(p, p->regular, CPT_PDF_SIZE_BODY, CPT_PDF_WIDTH - 2 * PAD, l->label);

	make_room(p, lines->len);
	p->y += VPAD;
	row_lines(p, lines, 0, CPT_PDF_LEFT + PAD, p->regular, CPT_PDF_SIZE_BODY, CPT_PDF_GREY);
	row_end(p);
}

/* ==== The table =========================================================== */

void cpt_pdf_table(cpt_pdf *p, bool with_prices)
{
	const cpt_doc_view *v = p->v;
	table t = {.cols = with_prices ? priced : bare,
		   .n = with_prices ? N_PRICED : N_BARE,
		   .prices = with_prices};

	t.x[0] = CPT_PDF_LEFT;
	for (size_t c = 0; c < t.n; c++)
		t.x[c + 1] = t.x[c] + CPT_PDF_MM(t.cols[c].mm);

	cpt_pdf_need(p, HEADER_H + 2 * VPAD + LEAD);
	header_row(p, &t);
	p->on_new_page = repeat_header;
	p->on_new_page_data = &t;

	for (size_t i = 0; i < v->n_lines; i++) {
		const cpt_doc_line *l = &v->lines[i];

		switch (l->kind) {
		case CPT_LINE_ITEM:
			if (with_prices)
				item_priced(p, &t, l);
			else
				item_bare(p, &t, l);
			break;
		case CPT_LINE_SECTION:
			section(p, l);
			break;
		case CPT_LINE_SUBTOTAL:
			if (with_prices)
				subtotal(p, &t, l);
			break;
		case CPT_LINE_TEXT:
		default:
			comment(p, l);
			break;
		}
	}
	p->on_new_page = NULL;
	p->on_new_page_data = NULL;
	p->y += CPT_PDF_MM(4);
}
