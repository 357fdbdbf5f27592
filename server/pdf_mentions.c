/*
 * What follows the figures: the free notes, the mentions the law asks for
 * (Code de commerce L441-9 and CGI art. 242 nonies A in France: payment
 * terms and due date, early-payment discount, late penalties, the 40 €
 * recovery indemnity, VAT on debits, VAT exemptions, the nature of the
 * operation from September 2026), how to pay (IBAN, BIC, the Belgian
 * structured communication) and the signature boxes of quotes and delivery
 * notes. The wording comes from the view; this file only decides which
 * document prints what, and where.
 */
#include "pdf_private.h"

#include <string.h>

#define LEAD 9.5f
#define BOX_X CPT_PDF_MM(110)
#define BOX_W (CPT_PDF_RIGHT - BOX_X)
#define PAD CPT_PDF_MM(2)

void cpt_pdf_notes(cpt_pdf *p)
{
	if (!*cpt_pdf_str(p->v->notes))
		return;
	cpt_pdf_paragraph(p, p->regular, CPT_PDF_SIZE_BODY, CPT_PDF_BLACK, CPT_PDF_LEFT,
			  CPT_PDF_WIDTH, 11, p->v->notes);
	p->y += CPT_PDF_MM(4);
}

static bool is_invoice(cpt_doc_type t)
{
	return t == CPT_DOC_INVOICE || t == CPT_DOC_DEPOSIT_INVOICE || t == CPT_DOC_CREDIT_NOTE;
}

static const char *nature(cpt_doc_nature n)
{
	switch (n) {
	case CPT_NATURE_GOODS:
		return "Nature de l'opération : livraison de biens";
	case CPT_NATURE_SERVICES:
		return "Nature de l'opération : prestation de services";
	case CPT_NATURE_BOTH:
	default:
		return "Nature de l'opération : livraison de biens et prestation de services";
	}
}

static void add(GPtrArray *m, char *s)
{
	if (s && *s)
		g_ptr_array_add(m, s);
	else
		g_free(s);
}

static void add_str(GPtrArray *m, const char *s)
{
	add(m, g_strdup(cpt_pdf_str(s)));
}

static void add_labelled(GPtrArray *m, const char *label, const char *value)
{
	if (*cpt_pdf_str(value))
		add(m, g_strdup_printf("%s : %s", label, value));
}

/* Which mention each type prints, in reading order. */
static GPtrArray *collect(const cpt_doc_view *v)
{
	GPtrArray *m = g_ptr_array_new_with_free_func(g_free);
	char d[CPT_PDF_DATE_SIZE];

	switch (v->type) {
	case CPT_DOC_QUOTE:
		if (*cpt_pdf_date(v->valid_until, d))
			add(m, g_strdup_printf("Devis valable jusqu'au %s.", d));
		add_labelled(m, "Conditions de paiement", v->payment_terms);
		add_str(m, v->early_discount);
		break;
	case CPT_DOC_ORDER:
		add_labelled(m, "Conditions de paiement", v->payment_terms);
		break;
	case CPT_DOC_PROFORMA:
		add_str(m, "Facture pro forma — ne vaut pas facture.");
		add_labelled(m, "Conditions de paiement", v->payment_terms);
		break;
	case CPT_DOC_DELIVERY:
		return m;
	default:
		add_labelled(m, "Conditions de paiement", v->payment_terms);
		add_labelled(m, "Date d'échéance", cpt_pdf_date(v->due_date, d));
		add_str(m, v->early_discount);
		add_str(m, v->late_penalty);
		add_str(m, v->recovery_indemnity);
		if (v->vat_on_debits)
			add_str(m, "TVA acquittée sur les débits (option pour le paiement de la "
				   "TVA d'après les débits).");
		break;
	}
	if (is_invoice(v->type) || v->type == CPT_DOC_PROFORMA)
		add_str(m, nature(v->nature));
	return m;
}

void cpt_pdf_mentions(cpt_pdf *p)
{
	g_autoptr(GPtrArray) m = collect(p->v);

	if (m->len == 0)
		return;
	cpt_pdf_need(p, CPT_PDF_MM(6) + LEAD);
	cpt_pdf_text(p, p->bold, 8, p->ink, CPT_PDF_LEFT, p->y + CPT_PDF_MM(3),
		     "Conditions et mentions légales");
	p->y += CPT_PDF_MM(4.5);
	for (guint i = 0; i < m->len; i++)
		cpt_pdf_paragraph(p, p->regular, CPT_PDF_SIZE_SMALL, CPT_PDF_BLACK, CPT_PDF_LEFT,
				  CPT_PDF_WIDTH, LEAD, g_ptr_array_index(m, i));
	p->y += CPT_PDF_MM(3);
}

/* ==== Payment ============================================================= */

void cpt_pdf_payment(cpt_pdf *p)
{
	const cpt_doc_view *v = p->v;
	const char *iban = cpt_pdf_str(v->seller.iban), *bic = cpt_pdf_str(v->seller.bic);
	const char *comm = cpt_pdf_str(v->structured_communication);
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	guint comm_at = G_MAXUINT;

	if (v->type == CPT_DOC_CREDIT_NOTE || (!*iban && !*comm))
		return;
	if (*iban && *bic)
		g_ptr_array_add(lines, g_strdup_printf("Virement : IBAN %s — BIC %s", iban, bic));
	else if (*iban)
		g_ptr_array_add(lines, g_strdup_printf("Virement : IBAN %s", iban));
	if (*comm) {
		comm_at = lines->len;
		g_ptr_array_add(lines, g_strdup_printf("Communication structurée : %s", comm));
	} else if (!cpt_pdf_is_draft(v) && v->type != CPT_DOC_QUOTE && v->type != CPT_DOC_ORDER)
		g_ptr_array_add(lines, g_strdup_printf("Référence à rappeler : %s", v->number));

	float h = CPT_PDF_MM(6) + (float)lines->len * 11;
	cpt_pdf_need(p, h + CPT_PDF_MM(3));
	cpt_pdf_stroke_rect(p, CPT_PDF_LEFT, p->y, CPT_PDF_WIDTH, h, 0.8f, p->accent);
	cpt_pdf_text(p, p->bold, 8, p->ink, CPT_PDF_LEFT + PAD, p->y + CPT_PDF_MM(4), "Règlement");
	float y = p->y + CPT_PDF_MM(4);
	for (guint i = 0; i < lines->len; i++) {
		y += 11;
		cpt_pdf_text(p, i == comm_at ? p->bold : p->regular, 9, CPT_PDF_BLACK,
			     CPT_PDF_LEFT + PAD, y, g_ptr_array_index(lines, i));
	}
	p->y += h + CPT_PDF_MM(3);
}

/* ==== Signature =========================================================== */

void cpt_pdf_signature_box(cpt_pdf *p, const char *title, const char *text)
{
	const float h = CPT_PDF_MM(32);
	g_autoptr(GPtrArray) lines =
	    cpt_pdf_wrap(p, p->regular, CPT_PDF_SIZE_SMALL, BOX_W - 2 * PAD, text);

	cpt_pdf_need(p, h);
	cpt_pdf_stroke_rect(p, BOX_X, p->y, BOX_W, h, 0.8f, p->accent);
	cpt_pdf_text(p, p->bold, 10, p->ink, BOX_X + PAD, p->y + CPT_PDF_MM(5.5), title);
	float y = p->y + CPT_PDF_MM(6);
	for (guint i = 0; i < lines->len; i++) {
		y += LEAD;
		cpt_pdf_text(p, p->regular, CPT_PDF_SIZE_SMALL, CPT_PDF_GREY, BOX_X + PAD, y,
			     g_ptr_array_index(lines, i));
	}
	p->y += h + CPT_PDF_MM(3);
}
