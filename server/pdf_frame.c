/*
 * The frame every document shares: opening the libharu document with the
 * DejaVu fonts (pdf_font.c), pages and page breaks, the first page's header
 * (logo, seller, title and dates, the buyer's address in the envelope
 * window, references, delivery address), the short header of the following
 * pages, the footer with "page n/N" on every page, and the deterministic
 * serialisation.
 *
 * Page numbers: the total is only known at the end, so pages are laid out
 * first and cpt_pdf_footers() then draws every footer, libharu keeping each
 * page's content stream open until the document is saved. pdf_output.c
 * writes the file.
 */
#include "pdf_private.h"

#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ==== Geometry of the first page ========================================== */

#define TOP CPT_PDF_MM(12)
#define LOGO_MAX_W CPT_PDF_MM(60)
#define LOGO_MAX_H CPT_PDF_MM(22)
#define SELLER_W CPT_PDF_MM(90)

/*
 * The buyer's address sits in the window of a DL envelope (110 x 220 mm)
 * with the window on the right, the usual French and Belgian format (La
 * Poste's and bpost's "fenêtre à droite", window 45 x 100 mm, 20 mm from
 * the right edge and 15 mm from the bottom edge of the envelope). An A4
 * sheet folded in three in it shows about 95-195 mm from its left edge and
 * 50-95 mm from its top edge through the window: the block starts at 110 mm
 * from the left and 50 mm from the top and keeps within 85 x 40 mm, so that
 * the address stays readable however the sheet shifts in the envelope.
 */
#define WINDOW_X CPT_PDF_MM(110)
#define WINDOW_TOP CPT_PDF_MM(50)
#define WINDOW_W CPT_PDF_MM(85)
#define WINDOW_H CPT_PDF_MM(40)

/* Footer: page number above the rule, legal lines below it. */
#define FOOTER_PAGE_Y CPT_PDF_MM(270)
#define FOOTER_RULE_Y CPT_PDF_MM(271.5)
#define FOOTER_TEXT_Y CPT_PDF_MM(275)
#define FOOTER_LEAD CPT_PDF_MM(3)
#define FOOTER_MAX_LINES 6

/* ==== Document ============================================================ */

static void on_error(HPDF_STATUS error, HPDF_STATUS detail, void *data)
{
	cpt_pdf *p = data;

	if (!p->error) {
		p->error = error;
		p->error_detail = detail;
	}
}

const char *cpt_pdf_title(const cpt_doc_view *v)
{
	if (*cpt_pdf_str(v->title))
		return v->title;
	switch (v->type) {
	case CPT_DOC_QUOTE:
		return "Devis";
	case CPT_DOC_ORDER:
		return "Confirmation de commande";
	case CPT_DOC_DELIVERY:
		return "Bon de livraison";
	case CPT_DOC_CREDIT_NOTE:
		return "Avoir";
	case CPT_DOC_DEPOSIT_INVOICE:
		return "Facture d'acompte";
	case CPT_DOC_PROFORMA:
		return "Facture pro forma";
	case CPT_DOC_INVOICE:
	default:
		return "Facture";
	}
}

bool cpt_pdf_is_draft(const cpt_doc_view *v)
{
	return *cpt_pdf_str(v->number) == '\0';
}

static cpt_pdf_rgb rgb(uint32_t colour)
{
	return (cpt_pdf_rgb){(float)((colour >> 16) & 0xFF) / 255.0f,
			     (float)((colour >> 8) & 0xFF) / 255.0f,
			     (float)(colour & 0xFF) / 255.0f};
}

static void set_colours(cpt_pdf *p)
{
	cpt_pdf_rgb a = rgb(p->v->seller.colour);
	float luma = 0.299f * a.r + 0.587f * a.g + 0.114f * a.b;

	p->accent = a;
	p->ink = luma > 0.6f ? (cpt_pdf_rgb){a.r * 0.5f, a.g * 0.5f, a.b * 0.5f} : a;
	p->on_accent = luma > 0.6f ? CPT_PDF_BLACK : CPT_PDF_WHITE;
	p->tint = (cpt_pdf_rgb){0.88f + 0.12f * a.r, 0.88f + 0.12f * a.g, 0.88f + 0.12f * a.b};
}

/* A text string of the Info dictionary: UTF-16BE with its byte order mark,
 * which libharu writes as hexadecimal. */
static void info_text(cpt_pdf *p, const char *key, const char *value)
{
	glong n = 0;
	g_autofree gunichar2 *utf16 = g_utf8_to_utf16(value, -1, NULL, &n, NULL);

	if (!utf16)
		return;
	g_autofree guint8 *be = g_malloc(2 * (gsize)n + 2);
	be[0] = 0xFE;
	be[1] = 0xFF;
	for (glong i = 0; i < n; i++) {
		be[2 + 2 * i] = (guint8)(utf16[i] >> 8);
		be[3 + 2 * i] = (guint8)utf16[i];
	}
	HPDF_Dict_Add(p->doc->info, key, HPDF_Binary_New(p->doc->mmgr, be, (HPDF_UINT)(2 * n + 2)));
}

/* Info dictionary; pdf_facturx.c repeats the same values in the XMP. */
static void set_info(cpt_pdf *p)
{
	const cpt_doc_view *v = p->v;
	HPDF_Date date;

	g_autofree char *title = cpt_pdf_is_draft(v)
				     ? g_strdup_printf("%s (brouillon)", cpt_pdf_title(v))
				     : g_strdup_printf("%s %s", cpt_pdf_title(v), v->number);

	p->info_title = g_strdup(cpt_pdf_clean(p, title));
	p->info_author = g_strdup(cpt_pdf_clean(p, v->seller.name));
	p->info_subject = g_strdup(cpt_pdf_clean(p, v->buyer.name));
	p->info_producer =
	    g_strdup_printf("Comptoir %s (libharu %s)", CPT_VERSION, HPDF_GetVersion());

	/* libharu creates the dictionary; the texts are then written as
	 * UTF-16, which libharu only does through its own fonts' encoder. */
	HPDF_SetInfoAttr(p->doc, HPDF_INFO_CREATOR, CPT_PDF_CREATOR);
	if (!p->doc->info)
		return;
	info_text(p, "Title", p->info_title);
	info_text(p, "Author", p->info_author);
	if (*p->info_subject)
		info_text(p, "Subject", p->info_subject);
	info_text(p, "Creator", CPT_PDF_CREATOR);
	info_text(p, "Producer", p->info_producer);
	if (cpt_pdf_doc_date(v, &date)) {
		HPDF_SetInfoDateAttr(p->doc, HPDF_INFO_CREATION_DATE, date);
		HPDF_SetInfoDateAttr(p->doc, HPDF_INFO_MOD_DATE, date);
	}
}

int cpt_pdf_open(cpt_pdf *p, const cpt_doc_view *v, cpt_status *st)
{
	int rc;

	memset(p, 0, sizeof *p);
	p->v = v;
	p->clean = g_string_new(NULL);
	p->ops = g_string_new(NULL);
	set_colours(p);

	p->doc = HPDF_New(on_error, p);
	if (!p->doc)
		return cpt_status_set(st, CPT_INTERNAL, NULL, "Création du PDF impossible");
	/* PDF/A-3 builds on PDF 1.7; the plain PDF is the same file. */
	p->doc->pdf_version = HPDF_VER_17;
	HPDF_SetCompressionMode(p->doc, HPDF_COMP_ALL);

	rc = cpt_pdf_font_open(p, CPT_PDF_FONT_REGULAR, CPT_PDF_FONT_REGULAR_NAME, &p->regular, st);
	if (rc == CPT_OK)
		rc = cpt_pdf_font_open(p, CPT_PDF_FONT_BOLD, CPT_PDF_FONT_BOLD_NAME, &p->bold, st);
	if (rc != CPT_OK)
		return rc;
	set_info(p);
	if (*cpt_pdf_str(v->language))
		HPDF_Dict_Add(p->doc->catalog, "Lang",
			      HPDF_String_New(p->doc->mmgr, cpt_pdf_clean(p, v->language), NULL));
	return cpt_pdf_check(p, st);
}

void cpt_pdf_close(cpt_pdf *p)
{
	if (p->doc)
		HPDF_Free(p->doc);
	p->doc = NULL;
	if (p->clean)
		g_string_free(p->clean, TRUE);
	p->clean = NULL;
	if (p->ops)
		g_string_free(p->ops, TRUE);
	p->ops = NULL;
	g_clear_pointer(&p->regular, cpt_pdf_font_free);
	g_clear_pointer(&p->bold, cpt_pdf_font_free);
	g_clear_pointer(&p->info_title, g_free);
	g_clear_pointer(&p->info_author, g_free);
	g_clear_pointer(&p->info_subject, g_free);
	g_clear_pointer(&p->info_producer, g_free);
}

int cpt_pdf_check(cpt_pdf *p, cpt_status *st)
{
	if (!p->error)
		return CPT_OK;
	return cpt_status_set(st, CPT_INTERNAL, NULL, "Erreur libharu 0x%04X (détail %u)",
			      (unsigned)p->error, (unsigned)p->error_detail);
}

/* ==== Pages =============================================================== */

/* A draft says so across every page, under the content. */
static void watermark(cpt_pdf *p)
{
	const char *word = "BROUILLON";
	const float size = 96, angle = 50.0f * 3.14159265f / 180.0f;
	float w = cpt_pdf_width(p, p->bold, size, word);
	float c = cosf(angle), s = sinf(angle);
	float cx = CPT_PDF_PAGE_W / 2, cy = CPT_PDF_PAGE_H / 2;
	/* Start so that the middle of the word lands on the page's centre. */
	float x = cx - c * w / 2 + s * size * 0.35f, y = cy - s * w / 2 - c * size * 0.35f;

	cpt_pdf_text_matrix(p, p->bold, size, (cpt_pdf_rgb){0.93f, 0.85f, 0.85f},
			    (const float[6]){c, s, -s, c, x, y}, word);
}

static void running_header(cpt_pdf *p)
{
	const cpt_doc_view *v = p->v;
	g_autofree char *what = cpt_pdf_is_draft(v)
				    ? g_strdup_printf("%s — BROUILLON", cpt_pdf_title(v))
				    : g_strdup_printf("%s n° %s", cpt_pdf_title(v), v->number);
	float base = CPT_PDF_MM(16);

	cpt_pdf_text(p, p->bold, 9, CPT_PDF_BLACK, CPT_PDF_LEFT, base, v->seller.name);
	cpt_pdf_text_right(p, p->bold, 9, p->ink, CPT_PDF_RIGHT, base, what);
	cpt_pdf_hline(p, CPT_PDF_LEFT, CPT_PDF_RIGHT, CPT_PDF_MM(19), 0.8f, p->accent);
}

void cpt_pdf_add_page(cpt_pdf *p)
{
	p->page = HPDF_AddPage(p->doc);
	p->n_pages++;
	HPDF_Page_SetSize(p->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	if (cpt_pdf_is_draft(p->v))
		watermark(p);
	p->y = CPT_PDF_CONT_TOP;
	if (p->n_pages > 1) {
		running_header(p);
		if (p->on_new_page)
			p->on_new_page(p);
	}
}

bool cpt_pdf_need(cpt_pdf *p, float h)
{
	if (p->y + h <= CPT_PDF_BODY_END)
		return false;
	cpt_pdf_add_page(p);
	return true;
}

/* ==== First page ========================================================== */

/* Wrapped lines that never break the page (the header fits on it). */
static void block(cpt_pdf *p, cpt_pdf_font *f, float size, cpt_pdf_rgb c, float x, float width,
		  float *y, const char *s)
{
	if (!*cpt_pdf_str(s))
		return;
	g_autoptr(GPtrArray) lines = cpt_pdf_wrap(p, f, size, width, s);
	float lead = size * 1.25f;

	for (guint i = 0; i < lines->len; i++) {
		cpt_pdf_text(p, f, size, c, x, *y + lead * 0.8f, g_ptr_array_index(lines, i));
		*y += lead;
	}
}

static const char *country_name(const char *code)
{
	static const char *const names[][2] = {
	    {"FR", "FRANCE"},	   {"BE", "BELGIQUE"}, {"LU", "LUXEMBOURG"}, {"CH", "SUISSE"},
	    {"DE", "ALLEMAGNE"},   {"NL", "PAYS-BAS"}, {"IT", "ITALIE"},     {"ES", "ESPAGNE"},
	    {"GB", "ROYAUME-UNI"}, {"MC", "MONACO"},   {"PT", "PORTUGAL"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_ascii_strcasecmp(code, names[i][0]) == 0)
			return names[i][1];
	return code;
}

/* Street, town and, for mail abroad, the country in capitals. */
static void address(cpt_pdf *p, const cpt_doc_address *a, float size, float x, float width,
		    float *y)
{
	g_autofree char *town =
	    g_strstrip(g_strdup_printf("%s %s", cpt_pdf_str(a->postcode), cpt_pdf_str(a->city)));
	const char *country = cpt_pdf_str(a->country);

	block(p, p->regular, size, CPT_PDF_BLACK, x, width, y, a->line1);
	block(p, p->regular, size, CPT_PDF_BLACK, x, width, y, a->line2);
	block(p, p->regular, size, CPT_PDF_BLACK, x, width, y, town);
	if (*country && g_ascii_strcasecmp(country, cpt_pdf_str(p->v->seller.address.country)))
		block(p, p->regular, size, CPT_PDF_BLACK, x, width, y, country_name(country));
}

static int logo(cpt_pdf *p, float *y, cpt_status *st)
{
	const char *path = cpt_pdf_str(p->v->seller.logo_png);

	if (!*path)
		return CPT_OK;
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "seller.logo_png",
				      "Logo introuvable : %s", path);
	HPDF_Image img = HPDF_LoadPngImageFromFile(p->doc, path);
	if (!img) {
		HPDF_ResetError(p->doc);
		p->error = 0;
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "seller.logo_png",
				      "Logo illisible (une image PNG est attendue) : %s", path);
	}
	float iw = (float)HPDF_Image_GetWidth(img), ih = (float)HPDF_Image_GetHeight(img);
	float scale = fminf(LOGO_MAX_W / iw, LOGO_MAX_H / ih);
	float w = iw * scale, h = ih * scale;

	HPDF_Page_DrawImage(p->page, img, CPT_PDF_LEFT, CPT_PDF_PAGE_H - *y - h, w, h);
	*y += h + CPT_PDF_MM(3);
	return CPT_OK;
}

static float seller_block(cpt_pdf *p, float y)
{
	const cpt_doc_seller *s = &p->v->seller;
	g_autofree char *phone =
	    *cpt_pdf_str(s->phone) ? g_strdup_printf("Tél. : %s", s->phone) : NULL;
	g_autofree char *email =
	    *cpt_pdf_str(s->email) ? g_strdup_printf("Courriel : %s", s->email) : NULL;

	block(p, p->bold, 11, CPT_PDF_BLACK, CPT_PDF_LEFT, SELLER_W, &y, s->name);
	address(p, &s->address, 8.5f, CPT_PDF_LEFT, SELLER_W, &y);
	block(p, p->regular, 8, CPT_PDF_GREY, CPT_PDF_LEFT, SELLER_W, &y, phone);
	block(p, p->regular, 8, CPT_PDF_GREY, CPT_PDF_LEFT, SELLER_W, &y, email);
	block(p, p->regular, 8, CPT_PDF_GREY, CPT_PDF_LEFT, SELLER_W, &y, s->website);
	return y;
}

/* "Label : value" lines of the title block, right-aligned. */
static void dated(cpt_pdf *p, float *y, const char *label, cpt_date d)
{
	char buf[CPT_PDF_DATE_SIZE];

	if (!*cpt_pdf_date(d, buf))
		return;
	g_autofree char *s = g_strdup_printf("%s : %s", label, buf);
	*y += 4.4f * 72 / 25.4f;
	cpt_pdf_text_right(p, p->regular, 9, CPT_PDF_BLACK, CPT_PDF_RIGHT, *y, s);
}

static void title_block(cpt_pdf *p)
{
	const cpt_doc_view *v = p->v;
	float y = TOP + 16;

	cpt_pdf_text_right(p, p->bold, 18, p->ink, CPT_PDF_RIGHT, y, cpt_pdf_title(v));
	if (v->type == CPT_DOC_PROFORMA) {
		y += CPT_PDF_MM(4.5);
		cpt_pdf_text_right(p, p->bold, 8.5f, p->ink, CPT_PDF_RIGHT, y,
				   "Facture pro forma — ne vaut pas facture");
	}
	y += CPT_PDF_MM(5.5);
	if (cpt_pdf_is_draft(v)) {
		cpt_pdf_text_right(p, p->bold, 11, (cpt_pdf_rgb){0.75f, 0.1f, 0.1f}, CPT_PDF_RIGHT,
				   y, "BROUILLON");
	} else {
		g_autofree char *num = g_strdup_printf("N° %s", v->number);
		cpt_pdf_text_right(p, p->bold, 11, CPT_PDF_BLACK, CPT_PDF_RIGHT, y, num);
	}
	dated(p, &y, "Date", v->issue_date);
	switch (v->type) {
	case CPT_DOC_QUOTE:
		dated(p, &y, "Valable jusqu'au", v->valid_until);
		break;
	case CPT_DOC_ORDER:
	case CPT_DOC_DELIVERY:
		dated(p, &y, "Livraison", v->delivery_date);
		break;
	default:
		dated(p, &y, "Date de livraison", v->delivery_date);
		dated(p, &y, "Échéance", v->due_date);
		break;
	}
}

static void buyer_window(cpt_pdf *p)
{
	const cpt_doc_buyer *b = &p->v->buyer;
	float y = WINDOW_TOP + CPT_PDF_MM(3);

	block(p, p->bold, 10, CPT_PDF_BLACK, WINDOW_X, WINDOW_W, &y, b->name);
	block(p, p->regular, 9.5f, CPT_PDF_BLACK, WINDOW_X, WINDOW_W, &y, b->contact);
	address(p, &b->billing, 9.5f, WINDOW_X, WINDOW_W, &y);
}

static void fact(cpt_pdf *p, float *y, const char *label, const char *value)
{
	if (!*cpt_pdf_str(value))
		return;
	g_autofree char *s = g_strdup_printf("%s : %s", label, value);
	block(p, p->regular, 8, CPT_PDF_BLACK, WINDOW_X, WINDOW_W, y, s);
}

/* Below the window: the buyer's identifiers on the right; on the left the
 * invoice a credit note corrects and the delivery address. */
static float references(cpt_pdf *p, float top)
{
	const cpt_doc_view *v = p->v;
	const cpt_doc_buyer *b = &v->buyer;
	float right = top, left = top;
	char d[CPT_PDF_DATE_SIZE];

	fact(p, &right, "Code client", b->code);
	fact(p, &right, "Votre référence", v->buyer_reference);
	fact(p, &right, "SIREN client", b->siren);
	fact(p, &right, "N° d'entreprise client", b->be_enterprise);
	fact(p, &right, "N° TVA client", b->vat_number);

	if (v->type == CPT_DOC_CREDIT_NOTE && *cpt_pdf_str(v->preceding_number)) {
		g_autofree char *s =
		    *cpt_pdf_date(v->preceding_date, d)
			? g_strdup_printf("Avoir sur la facture n° %s du %s", v->preceding_number,
					  d)
			: g_strdup_printf("Avoir sur la facture n° %s", v->preceding_number);
		block(p, p->bold, 8.5f, CPT_PDF_BLACK, CPT_PDF_LEFT, SELLER_W, &left, s);
		left += CPT_PDF_MM(1.5);
	}
	if (b->has_delivery) {
		const char *heading = v->nature == CPT_NATURE_SERVICES ? "Lieu d'intervention"
								       : "Adresse de livraison";
		block(p, p->bold, 8, p->ink, CPT_PDF_LEFT, SELLER_W, &left, heading);
		address(p, &b->delivery, 8.5f, CPT_PDF_LEFT, SELLER_W, &left);
	}
	return fmaxf(left, right);
}

int cpt_pdf_header(cpt_pdf *p, cpt_status *st)
{
	float y = TOP;
	int rc;

	cpt_pdf_add_page(p);
	if ((rc = logo(p, &y, st)) != CPT_OK)
		return rc;
	y = seller_block(p, y);
	title_block(p);
	buyer_window(p);
	y = references(p, fmaxf(y, WINDOW_TOP + WINDOW_H) + CPT_PDF_MM(3));
	p->y = y + CPT_PDF_MM(5);
	return CPT_OK;
}

/* ==== Footer ============================================================== */

/* "Thermo Services — SARL au capital de 10 000 € — RCS Lyon ... — TVA ..." */
static char *legal_identity(const cpt_doc_seller *s)
{
	GString *g = g_string_new(cpt_pdf_str(s->name));
	const char *form = cpt_pdf_str(s->legal_form), *capital = cpt_pdf_str(s->share_capital);

	if (*form && *capital)
		g_string_append_printf(g, " — %s au capital de %s", form, capital);
	else if (*form)
		g_string_append_printf(g, " — %s", form);
	if (*cpt_pdf_str(s->rcs))
		g_string_append_printf(g, " — %s", s->rcs);
	else if (*cpt_pdf_str(s->siren))
		g_string_append_printf(g, " — SIREN %s", s->siren);
	if (*cpt_pdf_str(s->siret))
		g_string_append_printf(g, " — SIRET %s", s->siret);
	if (*cpt_pdf_str(s->be_enterprise))
		g_string_append_printf(g, " — N° d'entreprise %s", s->be_enterprise);
	if (*cpt_pdf_str(s->vat_number))
		g_string_append_printf(g, " — N° TVA %s", s->vat_number);
	return g_string_free(g, FALSE);
}

static void footer(cpt_pdf *p, unsigned n, GPtrArray *legal, GPtrArray *free_text)
{
	char page[48];
	float y = FOOTER_TEXT_Y;
	unsigned lines = 0;

	snprintf(page, sizeof page, "page %u/%u", n, p->n_pages);
	cpt_pdf_text_right(p, p->regular, 7.5f, CPT_PDF_GREY, CPT_PDF_RIGHT, FOOTER_PAGE_Y, page);
	if (cpt_pdf_is_draft(p->v))
		cpt_pdf_text(p, p->bold, 7.5f, (cpt_pdf_rgb){0.75f, 0.1f, 0.1f}, CPT_PDF_LEFT,
			     FOOTER_PAGE_Y, "BROUILLON — document sans valeur");
	cpt_pdf_hline(p, CPT_PDF_LEFT, CPT_PDF_RIGHT, FOOTER_RULE_Y, 0.5f, CPT_PDF_RULE);
	for (guint i = 0; i < legal->len && lines < FOOTER_MAX_LINES; i++, lines++) {
		cpt_pdf_text_centre(p, p->regular, 7, CPT_PDF_BLACK, CPT_PDF_PAGE_W / 2, y,
				    g_ptr_array_index(legal, i));
		y += FOOTER_LEAD;
	}
	for (guint i = 0; i < free_text->len && lines < FOOTER_MAX_LINES; i++, lines++) {
		cpt_pdf_text_centre(p, p->regular, 6.5f, CPT_PDF_GREY, CPT_PDF_PAGE_W / 2, y,
				    g_ptr_array_index(free_text, i));
		y += FOOTER_LEAD;
	}
}

void cpt_pdf_footers(cpt_pdf *p)
{
	g_autofree char *identity = legal_identity(&p->v->seller);
	g_autoptr(GPtrArray) legal = cpt_pdf_wrap(p, p->regular, 7, CPT_PDF_WIDTH, identity);
	g_autoptr(GPtrArray) free_text =
	    *cpt_pdf_str(p->v->seller.footer)
		? cpt_pdf_wrap(p, p->regular, 6.5f, CPT_PDF_WIDTH, p->v->seller.footer)
		: g_ptr_array_new();
	HPDF_Page last = p->page;

	for (unsigned i = 0; i < p->n_pages; i++) {
		p->page = HPDF_GetPageByIndex(p->doc, i);
		footer(p, i + 1, legal, free_text);
	}
	p->page = last;
}
