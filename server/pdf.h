/*
 * PDF rendering of commercial documents (quotes, order confirmations,
 * delivery notes, invoices, deposit invoices, credit notes, pro forma
 * invoices) from a frozen cpt_doc_view (docview.h). A pure library: no
 * database, no network, no clock. It reads the view, the DejaVu fonts
 * (fonts-dejavu-core), the seller's logo when the view names one and, for
 * Factur-X, an sRGB ICC profile (icc-profiles-free or colord-data).
 *
 * The same view always gives the same bytes: the document /ID is a hash of
 * the file's content and its dates are the issue date, never the time of
 * rendering. That is what lets "print again" return the archived file.
 *
 * The pieces: pdf_draw.c (text, wrapping, shapes), pdf_frame.c (the page:
 * header, address window, footer, page breaks, "page n/N"), pdf_table.c (the
 * line table), pdf_totals.c (VAT breakdown and totals), pdf_mentions.c (legal
 * mentions, payment, signature boxes), pdf_render.c (one renderer per
 * document type, and these entry points), pdf_ttf.c (the font files, read
 * once per process, and their subsets), pdf_font.c (each document's fonts as
 * PDF objects), pdf_output.c (dates and /ID, compressed streams, the file
 * written out), pdf_facturx.c (PDF/A-3B container with factur-x.xml).
 *
 * Renders may run on several threads at once: each has its own libharu
 * document; what they share (fonts, ICC profile) is loaded once under a lock
 * and only read after that.
 */
#ifndef CPT_PDF_H
#define CPT_PDF_H

#include <stddef.h>

#include <glib.h>

#include "docview.h"
#include "status.h"

/* The Factur-X profiles, as the XMP fx:ConformanceLevel spells them. */
#define CPT_PDF_FX_MINIMUM "MINIMUM"
#define CPT_PDF_FX_BASIC_WL "BASIC WL"
#define CPT_PDF_FX_BASIC "BASIC"
#define CPT_PDF_FX_EN16931 "EN 16931"
#define CPT_PDF_FX_EXTENDED "EXTENDED"

/*
 * Renders v as an A4 PDF. Returns CPT_OK and sets *out (caller frees with
 * g_bytes_unref()), or returns an error code with st set (st may be NULL):
 * INVALID_ARGUMENT for a view that cannot be printed (unknown type, lines
 * missing), FAILED_PRECONDITION when a font or the logo cannot be read,
 * INTERNAL when libharu fails.
 */
int cpt_pdf_render(const cpt_doc_view *v, GBytes **out, cpt_status *st);

/*
 * The same document as a PDF/A-3B Factur-X file: xml (xml_len bytes, the
 * CII invoice) is embedded as "factur-x.xml" and declared in the XMP
 * metadata with profile, one of the CPT_PDF_FX_* names ("EN 16931").
 * Only invoices, deposit invoices and credit notes with a legal number can
 * be e-invoices: anything else is FAILED_PRECONDITION. Ownership as above.
 */
int cpt_pdf_render_facturx(const cpt_doc_view *v, const void *xml, size_t xml_len,
			   const char *profile, GBytes **out, cpt_status *st);

#endif
