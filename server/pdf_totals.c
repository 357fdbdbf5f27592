/*
 * The foot of a priced document: on the left the VAT breakdown, one row per
 * rate and category with its base and amount (EN 16931 BG-23) and the
 * exemption mention of each rate that has one; on the right the totals, from
 * the lines' net to the amount due: document discount, net total, the DEEE
 * eco-contribution shown apart, VAT, total with VAT, progress billing
 * (cumulated percentage, already invoiced), deposits deducted, net to pay.
 * Both blocks stay together on one page. Every amount comes from the view:
 * nothing is computed here.
 */
#include "pdf_private.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#define VAT_W CPT_PDF_MM(95)
#define BOX_X CPT_PDF_MM(113)
#define ROW CPT_PDF_MM(5)
#define PAD CPT_PDF_MM(1.5)
#define SMALL_LEAD 9.0f
#define MAX_ROWS 64

typedef enum style { PLAIN, DETAIL, STRONG, DUE } style;

typedef struct row {
	char *label; /* owned */
	char value[CPT_MONEY_FORMAT_SIZE];
	style style;
} row;

typedef struct rows {
	row r[MAX_ROWS];
	size_t n;
} rows;

static void add(rows *t, style s, const char *value, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void add(rows *t, style s, const char *value, const char *fmt, ...)
{
	va_list ap;

	if (t->n == MAX_ROWS)
		return;
	row *r = &t->r[t->n++];
	va_start(ap, fmt);
	r->label = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	snprintf(r->value, sizeof r->value, "%s", value);
	r->style = s;
}

static void add_money(rows *t, style s, int64_t cents, const char *label)
{
	char buf[CPT_MONEY_FORMAT_SIZE];
	add(t, s, cpt_pdf_money(cents, buf), "%s", label);
}

static bool is_invoice(cpt_doc_type type)
{
	return type == CPT_DOC_INVOICE || type == CPT_DOC_DEPOSIT_INVOICE ||
	       type == CPT_DOC_CREDIT_NOTE || type == CPT_DOC_PROFORMA;
}

static void totals_rows(const cpt_doc_view *v, rows *t)
{
	char buf[CPT_MONEY_FORMAT_SIZE], rate[CPT_PDF_RATE_SIZE], date[CPT_PDF_DATE_SIZE];

	add_money(t, PLAIN, v->lines_net, "Total HT");
	if (v->discount_amount != 0) {
		if (v->discount_rate != 0)
			add(t, PLAIN, cpt_pdf_money(-v->discount_amount, buf), "Remise %s",
			    cpt_pdf_rate(v->discount_rate, rate));
		else
			add_money(t, PLAIN, -v->discount_amount, "Remise");
		add_money(t, PLAIN, v->net_total, "Total HT net");
	}
	if (v->eco_total != 0)
		add(t, DETAIL, "", "dont éco-contribution DEEE : %s",
		    cpt_pdf_money(v->eco_total, buf));
	add_money(t, PLAIN, v->vat_total, "Total TVA");
	add_money(t, STRONG, v->gross_total, "Total TTC");

	if (v->progress_rate > 0) {
		add(t, PLAIN, cpt_pdf_rate(v->progress_rate, rate), "Avancement cumulé");
		add_money(t, PLAIN, v->progress_previous, "Déjà facturé TTC");
	}
	if (v->prepaid != 0 || v->n_deductions > 0) {
		add_money(t, PLAIN, -v->prepaid, "Acomptes déduits");
		for (size_t i = 0; i < v->n_deductions; i++) {
			const cpt_doc_deduction *d = &v->deductions[i];
			if (*cpt_pdf_date(d->date, date))
				add(t, DETAIL, "", "dont acompte n° %s du %s : %s",
				    cpt_pdf_str(d->number), date, cpt_pdf_money(d->amount, buf));
			else
				add(t, DETAIL, "", "dont acompte n° %s : %s",
				    cpt_pdf_str(d->number), cpt_pdf_money(d->amount, buf));
		}
	}
	if (v->type == CPT_DOC_CREDIT_NOTE)
		add_money(t, DUE, v->amount_due, "Montant de l'avoir");
	else if (is_invoice(v->type) || v->prepaid != 0)
		add_money(t, DUE, v->amount_due, "Net à payer");
}

static float rows_height(const rows *t)
{
	float h = 0;
	for (size_t i = 0; i < t->n; i++)
		h += t->r[i].style == DETAIL ? SMALL_LEAD : t->r[i].style == DUE ? ROW * 1.4f : ROW;
	return h;
}

static void draw_rows(cpt_pdf *p, const rows *t, float y)
{
	const float right = CPT_PDF_RIGHT - PAD, left = BOX_X + PAD;

	for (size_t i = 0; i < t->n; i++) {
		const row *r = &t->r[i];

		switch (r->style) {
		case DETAIL:
			cpt_pdf_text_right(p, p->regular, CPT_PDF_SIZE_SMALL, CPT_PDF_GREY, right,
					   y + SMALL_LEAD * 0.8f, r->label);
			y += SMALL_LEAD;
			break;
		case DUE: {
			float h = ROW * 1.4f;
			cpt_pdf_fill_rect(p, BOX_X, y + CPT_PDF_MM(1), CPT_PDF_RIGHT - BOX_X,
					  h - CPT_PDF_MM(1), p->accent);
			cpt_pdf_text(p, p->bold, 10, p->on_accent, left, y + h * 0.72f, r->label);
			cpt_pdf_text_right(p, p->bold, 10, p->on_accent, right, y + h * 0.72f,
					   r->value);
			y += h;
			break;
		}
		default: {
			cpt_pdf_font *f = r->style == STRONG ? p->bold : p->regular;
			if (r->style == STRONG)
				cpt_pdf_hline(p, BOX_X, CPT_PDF_RIGHT, y + 0.5f, 0.6f, p->accent);
			cpt_pdf_text(p, f, 9, CPT_PDF_BLACK, left, y + ROW * 0.72f, r->label);
			cpt_pdf_text_right(p, f, 9, CPT_PDF_BLACK, right, y + ROW * 0.72f,
					   r->value);
			y += ROW;
			break;
		}
		}
	}
}

/* ==== VAT breakdown ======================================================= */

static const char *category_of(const cpt_doc_vat *t)
{
	return *cpt_pdf_str(t->category) ? t->category : "S";
}

/* Each exemption mention once, in the order of the breakdown. */
static GPtrArray *exemptions(const cpt_doc_view *v)
{
	GPtrArray *out = g_ptr_array_new();

	for (size_t i = 0; i < v->n_vat; i++) {
		const char *e = cpt_pdf_str(v->vat[i].exemption);
		bool seen = false;

		for (guint k = 0; k < out->len && !seen; k++)
			seen = g_str_equal(g_ptr_array_index(out, k), e);
		if (*e && !seen)
			g_ptr_array_add(out, (char *)e);
	}
	return out;
}

static float vat_height(cpt_pdf *p, GPtrArray *mentions)
{
	float h = ROW * (float)(1 + p->v->n_vat);

	for (guint i = 0; i < mentions->len; i++) {
		g_autoptr(GPtrArray) lines = cpt_pdf_wrap(p, p->regular, CPT_PDF_SIZE_SMALL, VAT_W,
							  g_ptr_array_index(mentions, i));
		h += SMALL_LEAD * (float)lines->len;
	}
	return h + CPT_PDF_MM(1);
}

static void vat_table(cpt_pdf *p, GPtrArray *mentions, float y)
{
	const cpt_doc_view *v = p->v;
	const float x0 = CPT_PDF_LEFT + PAD, x1 = CPT_PDF_LEFT + CPT_PDF_MM(55) - PAD,
		    x2 = CPT_PDF_LEFT + VAT_W - PAD;
	char a[CPT_MONEY_FORMAT_SIZE], b[CPT_MONEY_FORMAT_SIZE], rate[CPT_PDF_RATE_SIZE];

	cpt_pdf_fill_rect(p, CPT_PDF_LEFT, y, VAT_W, ROW, p->tint);
	cpt_pdf_text(p, p->bold, 8, CPT_PDF_BLACK, x0, y + ROW * 0.7f, "Taux de TVA");
	cpt_pdf_text_right(p, p->bold, 8, CPT_PDF_BLACK, x1, y + ROW * 0.7f, "Base HT");
	cpt_pdf_text_right(p, p->bold, 8, CPT_PDF_BLACK, x2, y + ROW * 0.7f, "Montant TVA");
	y += ROW;
	for (size_t i = 0; i < v->n_vat; i++) {
		const cpt_doc_vat *t = &v->vat[i];
		const char *cat = category_of(t);
		g_autofree char *label =
		    g_str_equal(cat, "S")
			? g_strdup(cpt_pdf_rate(t->rate, rate))
			: g_strdup_printf("%s (catégorie %s)", cpt_pdf_rate(t->rate, rate), cat);

		cpt_pdf_text(p, p->regular, 8.5f, CPT_PDF_BLACK, x0, y + ROW * 0.7f, label);
		cpt_pdf_text_right(p, p->regular, 8.5f, CPT_PDF_BLACK, x1, y + ROW * 0.7f,
				   cpt_pdf_money(t->base, a));
		cpt_pdf_text_right(p, p->regular, 8.5f, CPT_PDF_BLACK, x2, y + ROW * 0.7f,
				   cpt_pdf_money(t->amount, b));
		y += ROW;
		cpt_pdf_hline(p, CPT_PDF_LEFT, CPT_PDF_LEFT + VAT_W, y, 0.3f, CPT_PDF_RULE);
	}
	y += CPT_PDF_MM(1);
	for (guint i = 0; i < mentions->len; i++) {
		g_autoptr(GPtrArray) lines = cpt_pdf_wrap(p, p->regular, CPT_PDF_SIZE_SMALL, VAT_W,
							  g_ptr_array_index(mentions, i));
		for (guint k = 0; k < lines->len; k++) {
			cpt_pdf_text(p, p->regular, CPT_PDF_SIZE_SMALL, CPT_PDF_GREY, CPT_PDF_LEFT,
				     y + SMALL_LEAD * 0.8f, g_ptr_array_index(lines, k));
			y += SMALL_LEAD;
		}
	}
}

/* ==== Together ============================================================ */

void cpt_pdf_totals(cpt_pdf *p)
{
	rows t = {.n = 0};
	g_autoptr(GPtrArray) mentions = exemptions(p->v);

	totals_rows(p->v, &t);
	float h = fmaxf(rows_height(&t), vat_height(p, mentions));

	cpt_pdf_need(p, h);
	vat_table(p, mentions, p->y);
	draw_rows(p, &t, p->y);
	p->y += h + CPT_PDF_MM(5);
	for (size_t i = 0; i < t.n; i++)
		g_free(t.r[i].label);
}
