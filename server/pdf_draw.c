/*
 * Drawing helpers of the PDF renderer: printable text, measuring and
 * wrapping with the embedded DejaVu metrics, lines and boxes, and the French
 * formats of dates, rates and amounts as the documents print them.
 *
 * Every string goes through cpt_pdf_clean() before it is measured or
 * shown: the fonts' codes are the code points on 16 bits (pdf_font.c), so
 * invalid UTF-8, control characters and code points beyond U+FFFF are
 * replaced here rather than turned into garbage glyphs. Widths come from
 * tables made once per process (pdf_ttf.c), never from libharu.
 */
#include "pdf_private.h"

#include <hpdf_pages.h>
#include <hpdf_utils.h>
#include <stdio.h>
#include <string.h>

/* ==== Text ================================================================ */

const char *cpt_pdf_clean(cpt_pdf *p, const char *s)
{
	g_autofree char *valid = NULL;

	s = cpt_pdf_str(s);
	if (!g_utf8_validate(s, -1, NULL))
		s = valid = g_utf8_make_valid(s, -1);

	g_string_truncate(p->clean, 0);
	for (const char *q = s; *q; q = g_utf8_next_char(q)) {
		gunichar c = g_utf8_get_char(q);

		if (c == '\r') {
			if (q[1] == '\n')
				continue;
			c = '\n';
		} else if (c == '\t') {
			c = ' ';
		} else if (c != '\n' && (c < 0x20 || (c >= 0x7F && c < 0xA0))) {
			c = ' ';
		} else if (c > 0xFFFF) {
			c = 0xFFFD;
		}
		g_string_append_unichar(p->clean, c);
	}
	return p->clean->str;
}

/* Width of len bytes of already clean text. */
static float raw_width(cpt_pdf_font *f, float size, const char *s, size_t len)
{
	if (len == 0)
		return 0;
	return (float)cpt_pdf_font_advance(f, s, len) * size / 1000.0f;
}

float cpt_pdf_width(cpt_pdf *p, cpt_pdf_font *f, float size, const char *s)
{
	const char *t = cpt_pdf_clean(p, s);
	return raw_width(f, size, t, strlen(t));
}

/*
 * Text objects are written straight into the page's content stream, as
 * libharu's own text operators would: the fonts are ours (pdf_font.c), not
 * libharu's. Numbers go through libharu's formatter, the same on every
 * machine whatever the locale.
 */
static void op_real(GString *ops, float v, const char *then)
{
	char buf[HPDF_REAL_LEN + 1];
	/* The end of the number: libharu does not always terminate it. */
	char *end = HPDF_FToA(buf, v, buf + HPDF_REAL_LEN);

	g_string_append_len(ops, buf, end - buf);
	g_string_append(ops, then);
}

/* One text object; pos is x y (n_pos 2, Td) or a text matrix (6, Tm). */
static void write_text(cpt_pdf *p, cpt_pdf_font *f, float size, cpt_pdf_rgb c, const float *pos,
		       size_t n_pos, const char *clean)
{
	GString *ops = p->ops;
	HPDF_Stream stream = ((HPDF_PageAttr)p->page->attr)->stream;
	const char *name = cpt_pdf_font_resource(p, f);

	if (!name) {
		if (!p->error)
			p->error =
			    HPDF_GetError(p->doc) ? HPDF_GetError(p->doc) : HPDF_INVALID_OBJECT;
		return;
	}
	HPDF_Page_SetRGBFill(p->page, c.r, c.g, c.b);
	g_string_assign(ops, "BT\012/");
	g_string_append(ops, name);
	g_string_append_c(ops, ' ');
	op_real(ops, size, " Tf\012");
	for (size_t i = 0; i < n_pos; i++)
		op_real(ops, pos[i], i + 1 < n_pos ? " " : n_pos == 2 ? " Td\012" : " Tm\012");
	g_string_append_c(ops, '<');
	cpt_pdf_font_encode(f, clean, ops);
	g_string_append(ops, "> Tj\012ET\012");
	HPDF_STATUS rc =
	    HPDF_Stream_Write(stream, (const HPDF_BYTE *)ops->str, (HPDF_UINT)ops->len);
	if (rc != HPDF_OK && !p->error)
		p->error = rc;
}

static void show(cpt_pdf *p, cpt_pdf_font *f, float size, cpt_pdf_rgb c, float x, float y,
		 const char *clean)
{
	if (!*clean)
		return;
	write_text(p, f, size, c, (const float[2]){x, CPT_PDF_PAGE_H - y}, 2, clean);
}

/* One line of clean text: a line break left in it prints as a space. */
static const char *one_line(cpt_pdf *p, const char *s)
{
	cpt_pdf_clean(p, s);
	for (char *q = p->clean->str; *q; q++)
		if (*q == '\n')
			*q = ' ';
	return p->clean->str;
}

void cpt_pdf_text(cpt_pdf *p, cpt_pdf_font *f, float size, cpt_pdf_rgb c, float x, float y,
		  const char *s)
{
	show(p, f, size, c, x, y, one_line(p, s));
}

void cpt_pdf_text_matrix(cpt_pdf *p, cpt_pdf_font *f, float size, cpt_pdf_rgb c, const float m[6],
			 const char *s)
{
	const char *t = one_line(p, s);

	if (*t)
		write_text(p, f, size, c, m, 6, t);
}

void cpt_pdf_text_right(cpt_pdf *p, cpt_pdf_font *f, float size, cpt_pdf_rgb c, float x, float y,
			const char *s)
{
	const char *t = one_line(p, s);
	show(p, f, size, c, x - raw_width(f, size, t, strlen(t)), y, t);
}

void cpt_pdf_text_centre(cpt_pdf *p, cpt_pdf_font *f, float size, cpt_pdf_rgb c, float x, float y,
			 const char *s)
{
	const char *t = one_line(p, s);
	show(p, f, size, c, x - raw_width(f, size, t, strlen(t)) / 2, y, t);
}

/* The longest prefix of word (at least one character) that fits in width. */
static size_t fitting_prefix(cpt_pdf_font *f, float size, float width, const char *word, size_t len)
{
	size_t best = (size_t)(g_utf8_next_char(word) - word);

	for (const char *q = g_utf8_next_char(word); q < word + len; q = g_utf8_next_char(q)) {
		const char *next = g_utf8_next_char(q);
		if (raw_width(f, size, word, (size_t)(next - word)) > width)
			break;
		best = (size_t)(next - word);
	}
	return best;
}

/* One paragraph (no line break inside) into lines. */
static void wrap_paragraph(cpt_pdf_font *f, float size, float width, const char *para,
			   GPtrArray *out)
{
	GString *line = g_string_new(NULL);
	const char *q = para;

	while (*q == ' ')
		q++;
	while (*q) {
		const char *end = strchr(q, ' ');
		size_t len = end ? (size_t)(end - q) : strlen(q);
		size_t before = line->len;

		if (line->len)
			g_string_append_c(line, ' ');
		g_string_append_len(line, q, (gssize)len);
		if (raw_width(f, size, line->str, line->len) <= width) {
			q += len;
		} else if (before > 0) {
			/* The word goes to the next line. */
			g_string_truncate(line, before);
			g_ptr_array_add(out, g_string_free(line, FALSE));
			line = g_string_new(NULL);
			continue;
		} else {
			/* A word wider than the line: cut it. */
			size_t cut = fitting_prefix(f, size, width, q, len);
			g_string_truncate(line, 0);
			g_ptr_array_add(out, g_strndup(q, cut));
			q += cut;
			continue;
		}
		while (*q == ' ')
			q++;
	}
	g_ptr_array_add(out, g_string_free(line, FALSE));
}

GPtrArray *cpt_pdf_wrap(cpt_pdf *p, cpt_pdf_font *f, float size, float width, const char *s)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) paragraphs = g_strsplit(cpt_pdf_clean(p, s), "\n", -1);

	for (size_t i = 0; paragraphs[i]; i++)
		wrap_paragraph(f, size, width, paragraphs[i], out);
	if (out->len == 0)
		g_ptr_array_add(out, g_strdup(""));
	return out;
}

void cpt_pdf_paragraph(cpt_pdf *p, cpt_pdf_font *f, float size, cpt_pdf_rgb c, float x, float width,
		       float lead, const char *s)
{
	g_autoptr(GPtrArray) lines = cpt_pdf_wrap(p, f, size, width, s);

	for (guint i = 0; i < lines->len; i++) {
		cpt_pdf_need(p, lead);
		show(p, f, size, c, x, p->y + lead * 0.8f, g_ptr_array_index(lines, i));
		p->y += lead;
	}
}

/* ==== Shapes ============================================================== */

void cpt_pdf_fill_rect(cpt_pdf *p, float x, float top, float w, float h, cpt_pdf_rgb c)
{
	HPDF_Page_SetRGBFill(p->page, c.r, c.g, c.b);
	HPDF_Page_Rectangle(p->page, x, CPT_PDF_PAGE_H - top - h, w, h);
	HPDF_Page_Fill(p->page);
}

void cpt_pdf_stroke_rect(cpt_pdf *p, float x, float top, float w, float h, float line,
			 cpt_pdf_rgb c)
{
	HPDF_Page_SetLineWidth(p->page, line);
	HPDF_Page_SetRGBStroke(p->page, c.r, c.g, c.b);
	HPDF_Page_Rectangle(p->page, x, CPT_PDF_PAGE_H - top - h, w, h);
	HPDF_Page_Stroke(p->page);
}

void cpt_pdf_hline(cpt_pdf *p, float x1, float x2, float y, float line, cpt_pdf_rgb c)
{
	HPDF_Page_SetLineWidth(p->page, line);
	HPDF_Page_SetRGBStroke(p->page, c.r, c.g, c.b);
	HPDF_Page_MoveTo(p->page, x1, CPT_PDF_PAGE_H - y);
	HPDF_Page_LineTo(p->page, x2, CPT_PDF_PAGE_H - y);
	HPDF_Page_Stroke(p->page);
}

/* ==== French formats ====================================================== */

const char *cpt_pdf_date(cpt_date d, char buf[CPT_PDF_DATE_SIZE])
{
	buf[0] = '\0';
	if (d.year > 0 && cpt_date_valid(d))
		snprintf(buf, CPT_PDF_DATE_SIZE, "%02d/%02d/%04d", d.day, d.month, d.year);
	return buf;
}

const char *cpt_pdf_rate(int64_t bp, char buf[CPT_PDF_RATE_SIZE])
{
	const char *sign = bp < 0 ? "-" : "";
	uint64_t a = bp < 0 ? 0 - (uint64_t)bp : (uint64_t)bp;
	uint64_t whole = a / 100, frac = a % 100;

	if (frac == 0)
		snprintf(buf, CPT_PDF_RATE_SIZE, "%s%llu" CPT_MONEY_CURRENCY_SEP "%%", sign,
			 (unsigned long long)whole);
	else if (frac % 10 == 0)
		snprintf(buf, CPT_PDF_RATE_SIZE, "%s%llu,%llu" CPT_MONEY_CURRENCY_SEP "%%", sign,
			 (unsigned long long)whole, (unsigned long long)(frac / 10));
	else
		snprintf(buf, CPT_PDF_RATE_SIZE, "%s%llu,%02llu" CPT_MONEY_CURRENCY_SEP "%%", sign,
			 (unsigned long long)whole, (unsigned long long)frac);
	return buf;
}

const char *cpt_pdf_money(int64_t cents, char buf[CPT_MONEY_FORMAT_SIZE])
{
	if (!cpt_money_format(cents, buf, CPT_MONEY_FORMAT_SIZE))
		buf[0] = '\0';
	return buf;
}

const char *cpt_pdf_amount(int64_t cents, char buf[CPT_MONEY_FORMAT_SIZE])
{
	if (!cpt_money_format_plain(cents, buf, CPT_MONEY_FORMAT_SIZE))
		buf[0] = '\0';
	return buf;
}
