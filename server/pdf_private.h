/*
 * What the pdf_*.c files share: the rendering context, the page geometry,
 * the drawing helpers, the fonts and the compressed streams. Not for use
 * outside the PDF renderer (pdf.h is).
 *
 * Positions are in PDF points (1/72 inch) but measured from the TOP edge of
 * the page, as a person lays out a letter; the helpers turn them into
 * libharu's bottom-up coordinates. Text positions are baselines.
 *
 * libharu reports errors through a handler: it records the first one in the
 * context and drawing goes on, so that layout code reads as layout; the
 * renderer checks the recorded error once, before saving. What is written
 * with libharu's object API (fonts, Factur-X parts) reports in the
 * document's error, which cpt_pdf_output() checks as well.
 */
#ifndef CPT_PDF_PRIVATE_H
#define CPT_PDF_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <hpdf.h>

#include "docview.h"
#include "money.h"
#include "status.h"

#define CPT_PDF_MM(x) ((float)((x)*72.0 / 25.4))

/* A4 portrait. */
#define CPT_PDF_PAGE_W 595.276f
#define CPT_PDF_PAGE_H 841.89f
#define CPT_PDF_LEFT CPT_PDF_MM(15)
#define CPT_PDF_RIGHT (CPT_PDF_PAGE_W - CPT_PDF_MM(15))
#define CPT_PDF_WIDTH (CPT_PDF_RIGHT - CPT_PDF_LEFT)
/* Body limits: continuation pages start below their short header; every
 * page's body stops above the footer. */
#define CPT_PDF_CONT_TOP CPT_PDF_MM(26)
#define CPT_PDF_BODY_END CPT_PDF_MM(268)

#define CPT_PDF_FONT_DIR "/usr/share/fonts/truetype/dejavu"
#define CPT_PDF_FONT_REGULAR CPT_PDF_FONT_DIR "/DejaVuSans.ttf"
#define CPT_PDF_FONT_BOLD CPT_PDF_FONT_DIR "/DejaVuSans-Bold.ttf"
/* Their PostScript names, which the PDF font names repeat. */
#define CPT_PDF_FONT_REGULAR_NAME "DejaVuSans"
#define CPT_PDF_FONT_BOLD_NAME "DejaVuSans-Bold"

#define CPT_PDF_CREATOR "Comptoir"

/* Font sizes, points. */
#define CPT_PDF_SIZE_BODY 8.5f
#define CPT_PDF_SIZE_SMALL 7.5f
#define CPT_PDF_SIZE_TINY 6.5f

typedef struct cpt_pdf_rgb {
	float r, g, b; /* 0..1 */
} cpt_pdf_rgb;

#define CPT_PDF_BLACK ((cpt_pdf_rgb){0.1f, 0.1f, 0.1f})
#define CPT_PDF_GREY ((cpt_pdf_rgb){0.4f, 0.4f, 0.4f})
#define CPT_PDF_RULE ((cpt_pdf_rgb){0.75f, 0.75f, 0.75f})
#define CPT_PDF_WHITE ((cpt_pdf_rgb){1.0f, 1.0f, 1.0f})

typedef struct cpt_pdf cpt_pdf;
typedef struct cpt_pdf_font cpt_pdf_font;

/* Called after a page break, to repeat what must head the new page (the
 * table's header row). */
typedef void (*cpt_pdf_page_fn)(cpt_pdf *p);

struct cpt_pdf {
	const cpt_doc_view *v;
	HPDF_Doc doc;
	cpt_pdf_font *regular, *bold; /* owned */
	HPDF_Page page;		      /* the page being filled */
	unsigned n_pages;
	float y;	       /* next free position on the page, from the top */
	cpt_pdf_rgb accent;    /* seller.colour: fills and rules */
	cpt_pdf_rgb ink;       /* text in the accent: darker if the accent is light */
	cpt_pdf_rgb on_accent; /* text over the accent: white, or black if light */
	cpt_pdf_rgb tint;      /* the accent, very light: section rows */
	cpt_pdf_page_fn on_new_page;
	const void *on_new_page_data;
	HPDF_STATUS error, error_detail; /* libharu's first error, 0 if none */
	GString *clean;			 /* scratch for cpt_pdf_clean() */
	GString *ops;			 /* scratch: content operators being written */
	/* Info dictionary, repeated in the XMP of a Factur-X file; owned. */
	char *info_title, *info_author, *info_subject, *info_producer;
};

/* ---- pdf_draw.c: text and shapes ------------------------------------- */

/* Never NULL: "" for NULL (the view promises "", but a printer must not
 * crash on a view filled by mistake). */
static inline const char *cpt_pdf_str(const char *s)
{
	return s ? s : "";
}

/* s made printable: valid UTF-8, control characters and characters beyond
 * U+FFFF (libharu's UTF-8 encoder stops there) replaced, line breaks kept
 * as "\n". Points into p->clean, valid until the next call. */
const char *cpt_pdf_clean(cpt_pdf *p, const char *s);
float cpt_pdf_width(cpt_pdf *p, cpt_pdf_font *f, float size, const char *s);
/* One line at baseline y (from the top); x is the left edge, the right edge
 * or the centre. */
void cpt_pdf_text(cpt_pdf *p, cpt_pdf_font *f, float size, cpt_pdf_rgb c, float x, float y,
		  const char *s);
void cpt_pdf_text_right(cpt_pdf *p, cpt_pdf_font *f, float size, cpt_pdf_rgb c, float x, float y,
			const char *s);
void cpt_pdf_text_centre(cpt_pdf *p, cpt_pdf_font *f, float size, cpt_pdf_rgb c, float x, float y,
			 const char *s);
/* s broken into lines no wider than width: at its line breaks, between
 * words, and inside a word too long for a line. Caller frees with
 * g_ptr_array_unref(); never empty (one "" line for ""). */
GPtrArray *cpt_pdf_wrap(cpt_pdf *p, cpt_pdf_font *f, float size, float width, const char *s);
/* Wraps s at p->y and moves p->y down, breaking pages as needed; lead is the
 * distance between baselines. */
void cpt_pdf_paragraph(cpt_pdf *p, cpt_pdf_font *f, float size, cpt_pdf_rgb c, float x, float width,
		       float lead, const char *s);
void cpt_pdf_fill_rect(cpt_pdf *p, float x, float top, float w, float h, cpt_pdf_rgb c);
void cpt_pdf_stroke_rect(cpt_pdf *p, float x, float top, float w, float h, float line,
			 cpt_pdf_rgb c);
void cpt_pdf_hline(cpt_pdf *p, float x1, float x2, float y, float line, cpt_pdf_rgb c);

/* The watermark's line: s shown with the text matrix m (a b c d e f, in
 * libharu's bottom-up coordinates). */
void cpt_pdf_text_matrix(cpt_pdf *p, cpt_pdf_font *f, float size, cpt_pdf_rgb c, const float m[6],
			 const char *s);

/* ---- pdf_draw.c: French formats -------------------------------------- */

#define CPT_PDF_DATE_SIZE 40
#define CPT_PDF_RATE_SIZE 32
/* "22/11/2026", "" for an absent date (year 0). */
const char *cpt_pdf_date(cpt_date d, char buf[CPT_PDF_DATE_SIZE]);
/* Hundredths of a percent: 2000 -> "20 %", 550 -> "5,5 %" (no-break space). */
const char *cpt_pdf_rate(int64_t bp, char buf[CPT_PDF_RATE_SIZE]);
/* "1 234,56 €" and "1 234,56" (no currency). */
const char *cpt_pdf_money(int64_t cents, char buf[CPT_MONEY_FORMAT_SIZE]);
const char *cpt_pdf_amount(int64_t cents, char buf[CPT_MONEY_FORMAT_SIZE]);

/* ---- pdf_frame.c: document and pages ------------------------------------ */

/* Opens the document and loads the fonts. On failure returns a code with st
 * set; cpt_pdf_close() is safe either way. Inside the renderer st is never
 * NULL: the entry points lend a local one. */
int cpt_pdf_open(cpt_pdf *p, const cpt_doc_view *v, cpt_status *st);
void cpt_pdf_close(cpt_pdf *p);
/* The printed title: view->title, or the type's own. */
const char *cpt_pdf_title(const cpt_doc_view *v);
bool cpt_pdf_is_draft(const cpt_doc_view *v);
/* Starts a page; from the second on, with the short running header, then
 * calls on_new_page. */
void cpt_pdf_add_page(cpt_pdf *p);
/* Breaks the page unless h points fit above the footer; true if it broke. */
bool cpt_pdf_need(cpt_pdf *p, float h);
/* First page: logo, seller, title and dates, the address window, references
 * and delivery address. FAILED_PRECONDITION if the logo cannot be read. */
int cpt_pdf_header(cpt_pdf *p, cpt_status *st);
/* Footer and "page n/N" on every page, once all pages exist. */
void cpt_pdf_footers(cpt_pdf *p);
/* INTERNAL with libharu's error codes if one was recorded. */
int cpt_pdf_check(cpt_pdf *p, cpt_status *st);

/* pdf_render.c: checks the view, lays out every page of its type, footers
 * included; the caller adds to the catalog if it wants, then calls
 * cpt_pdf_output(), and cpt_pdf_close() in any case. */
int cpt_pdf_build(cpt_pdf *p, const cpt_doc_view *v, cpt_status *st);

/* ---- the document's parts ------------------------------------------------ */

/* pdf_table.c: the lines, with prices unless with_prices is false. */
void cpt_pdf_table(cpt_pdf *p, bool with_prices);
/* pdf_totals.c: VAT breakdown on the left, totals on the right. */
void cpt_pdf_totals(cpt_pdf *p);
/* pdf_mentions.c */
void cpt_pdf_notes(cpt_pdf *p);
void cpt_pdf_mentions(cpt_pdf *p);
void cpt_pdf_payment(cpt_pdf *p);
void cpt_pdf_signature_box(cpt_pdf *p, const char *title, const char *text);

/* ---- pdf_ttf.c: TrueType files ------------------------------------------ */

/* A font file, loaded once per process and shared read-only by every
 * render. Only the BMP is used: cpt_pdf_clean() replaces what lies beyond. */
typedef struct cpt_ttf cpt_ttf;
#define CPT_TTF_CODE_POINTS 65536

/* What a PDF font descriptor says of the font, in 1/1000 em. */
typedef struct cpt_ttf_metrics {
	int ascent, descent, cap_height, x_height;
	int bbox[4];	  /* xMin yMin xMax yMax */
	int italic_angle; /* degrees */
	int stem_v;
	bool fixed_pitch;
	int missing_width; /* .notdef's advance */
} cpt_ttf_metrics;

/* The font at path, read and parsed on the first call (thread-safe); NULL
 * with st set (FAILED_PRECONDITION) if it cannot be read. Never freed. */
const cpt_ttf *cpt_ttf_get(const char *path, cpt_status *st);
const cpt_ttf_metrics *cpt_ttf_get_metrics(const cpt_ttf *f);
uint16_t cpt_ttf_glyph_count(const cpt_ttf *f);
/* The glyph of a code point, 0 (.notdef) when the font has none. */
uint16_t cpt_ttf_glyph(const cpt_ttf *f, gunichar c);
/* A glyph's advance, 1/1000 em. */
unsigned cpt_ttf_width(const cpt_ttf *f, uint16_t glyph);
/* The advance of len bytes of valid UTF-8, 1/1000 em. */
unsigned cpt_ttf_advance(const cpt_ttf *f, const char *s, size_t len);
/* The font program, compressed (zlib), of a subset holding the glyphs of
 * chars (n_chars BMP code points, ascending), .notdef and the components
 * of composites; *length is its size uncompressed. renumber
 * (cpt_ttf_glyph_count() entries) receives each original glyph's number in
 * the subset, 0 for those left out. Caller frees with g_bytes_unref(). */
GBytes *cpt_ttf_subset(const cpt_ttf *f, const gunichar *chars, size_t n_chars, uint16_t *renumber,
		       size_t *length);

/* ---- pdf_font.c: the fonts of a document --------------------------------- */

/* Loads the font file (once per process) and adds its Type 0 font to the
 * document, to be completed by cpt_pdf_font_finish(). FAILED_PRECONDITION
 * if the file cannot be read. *out: caller frees with cpt_pdf_font_free(). */
int cpt_pdf_font_open(cpt_pdf *p, const char *path, const char *ps_name, cpt_pdf_font **out,
		      cpt_status *st);
void cpt_pdf_font_free(cpt_pdf_font *f);
/* Width of len bytes of clean text, 1/1000 em. */
unsigned cpt_pdf_font_advance(const cpt_pdf_font *f, const char *s, size_t len);
/* Appends clean text as the font's codes in hexadecimal (UTF-16BE, the
 * code points being the CIDs) and records its characters for the subset. */
void cpt_pdf_font_encode(cpt_pdf_font *f, const char *s, GString *hex);
/* The font's name in the resources of the page being filled, added there
 * on first use. */
const char *cpt_pdf_font_resource(cpt_pdf *p, cpt_pdf_font *f);
/* Once every page is drawn: the subset of the characters shown, embedded
 * with its widths, glyph map and ToUnicode map. Errors go to p->error. */
void cpt_pdf_font_finish(cpt_pdf *p, cpt_pdf_font *f);

/* ---- pdf_output.c -------------------------------------------------------- */

/* Serialises with a content-derived /ID; *out as in cpt_pdf_render(). */
int cpt_pdf_output(cpt_pdf *p, GBytes **out, cpt_status *st);

/* Compressed streams (zlib, what /FlateDecode reads) made of parts, some
 * of which may have been compressed beforehand by cpt_pdf_deflate_part()
 * (deflated not NULL): those are copied, not compressed again. Equal parts
 * give equal bytes. Callers free with g_bytes_unref(). */
typedef struct cpt_pdf_part {
	const void *data;
	size_t len;
	GBytes *deflated; /* NULL, or data compressed by cpt_pdf_deflate_part() */
} cpt_pdf_part;
GBytes *cpt_pdf_deflate_part(const void *data, size_t len);
GBytes *cpt_pdf_deflate_parts(const cpt_pdf_part *parts, size_t n);
/* A stream object holding z, already compressed, declared /FlateDecode. */
HPDF_Dict cpt_pdf_deflated_stream(cpt_pdf *p, GBytes *z);
/* Dates of the Info dictionary and XMP: the issue date, at midnight UTC. */
bool cpt_pdf_doc_date(const cpt_doc_view *v, HPDF_Date *out);

#endif
