/*
 * One renderer per document type, and cpt_pdf_render(). Every type shares
 * the frame (pdf_frame.c); they differ in what follows the header:
 *
 *   quote          lines, totals, validity and terms, "Bon pour accord" box
 *   order          lines, totals, terms, how to pay
 *   delivery note  quantities without prices, receipt box
 *   invoice, deposit invoice, credit note
 *                  lines, totals, every legal mention, how to pay
 *   pro forma      as an invoice, marked "ne vaut pas facture", no penalties
 */
#include "pdf.h"
#include "pdf_private.h"

#include <string.h>

static void quote(cpt_pdf *p)
{
	cpt_pdf_table(p, true);
	cpt_pdf_notes(p);
	cpt_pdf_totals(p);
	cpt_pdf_mentions(p);
	cpt_pdf_signature_box(p, "Bon pour accord",
			      "Date, cachet et signature du client, précédés de la mention "
			      "manuscrite « Bon pour accord ».");
}

static void order(cpt_pdf *p)
{
	cpt_pdf_table(p, true);
	cpt_pdf_notes(p);
	cpt_pdf_totals(p);
	cpt_pdf_mentions(p);
	cpt_pdf_payment(p);
}

static void delivery(cpt_pdf *p)
{
	cpt_pdf_table(p, false);
	cpt_pdf_notes(p);
	cpt_pdf_signature_box(p, "Réception",
			      "Marchandises reçues en bon état. Date, nom et signature du client ; "
			      "réserves éventuelles.");
}

static void invoice(cpt_pdf *p)
{
	cpt_pdf_table(p, true);
	cpt_pdf_notes(p);
	cpt_pdf_totals(p);
	cpt_pdf_mentions(p);
	cpt_pdf_payment(p);
}

static void proforma(cpt_pdf *p)
{
	cpt_pdf_table(p, true);
	cpt_pdf_notes(p);
	cpt_pdf_totals(p);
	cpt_pdf_mentions(p);
	cpt_pdf_payment(p);
}

typedef void (*renderer)(cpt_pdf *p);

static renderer renderer_for(cpt_doc_type type)
{
	switch (type) {
	case CPT_DOC_QUOTE:
		return quote;
	case CPT_DOC_ORDER:
		return order;
	case CPT_DOC_DELIVERY:
		return delivery;
	case CPT_DOC_INVOICE:
	case CPT_DOC_CREDIT_NOTE:
	case CPT_DOC_DEPOSIT_INVOICE:
		return invoice;
	case CPT_DOC_PROFORMA:
		return proforma;
	default:
		return NULL;
	}
}

static int check_view(const cpt_doc_view *v, cpt_status *st)
{
	if (!v)
		return cpt_status_invalid(st, NULL, "Aucun document à imprimer");
	if (!renderer_for(v->type))
		return cpt_status_invalid(st, "type", "Type de document inconnu (%d)",
					  (int)v->type);
	if (v->n_lines > 0 && !v->lines)
		return cpt_status_invalid(st, "lines", "Lignes du document absentes");
	if (v->n_vat > 0 && !v->vat)
		return cpt_status_invalid(st, "vat", "Ventilation de la TVA absente");
	if (v->n_deductions > 0 && !v->deductions)
		return cpt_status_invalid(st, "deductions", "Acomptes déduits absents");
	return CPT_OK;
}

int cpt_pdf_build(cpt_pdf *p, const cpt_doc_view *v, cpt_status *st)
{
	int rc;

	memset(p, 0, sizeof *p);
	if ((rc = check_view(v, st)) != CPT_OK)
		return rc;
	if ((rc = cpt_pdf_open(p, v, st)) != CPT_OK)
		return rc;
	if ((rc = cpt_pdf_header(p, st)) != CPT_OK)
		return rc;
	renderer_for(v->type)(p);
	cpt_pdf_footers(p);
	return cpt_pdf_check(p, st);
}

int cpt_pdf_render(const cpt_doc_view *v, GBytes **out, cpt_status *st)
{
	cpt_status local;
	cpt_pdf p;
	int rc;

	if (!st)
		st = &local;
	cpt_status_reset(st);
	if (!out)
		return cpt_status_invalid(st, NULL, "Aucune sortie pour le PDF");
	*out = NULL;
	rc = cpt_pdf_build(&p, v, st);
	if (rc == CPT_OK)
		rc = cpt_pdf_output(&p, out, st);
	cpt_pdf_close(&p);
	return rc;
}
