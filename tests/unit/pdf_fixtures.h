/*
 * What the PDF tests share: documents built in C the way the sales module
 * will fill a cpt_doc_view (line nets rounded once by the money API, VAT per
 * rate on the sum of the nets), a PNG logo made on the spot, and the tools
 * that read a PDF back (pdftotext -layout, qpdf), run as separate programs.
 */
#ifndef CPT_TEST_PDF_FIXTURES_H
#define CPT_TEST_PDF_FIXTURES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sys/wait.h>

#include "docview.h"
#include "docview_fixture.h"
#include "money.h"
#include "pdf.h"
#include "zip.h"

#define FX_MAX_LINES 160

typedef struct fixture {
	cpt_doc_view v;
	cpt_doc_line lines[FX_MAX_LINES];
	cpt_doc_vat vat[4];
	cpt_doc_deduction deductions[2];
	int64_t section_net; /* nets since the last section title */
	GPtrArray *pool;     /* strings the view points to */
} fixture;

static inline const char *keep(fixture *f, char *s)
{
	g_ptr_array_add(f->pool, s);
	return s;
}

/* A French installer invoicing a French bakery, with every mention filled. */
static inline fixture *fixture_new(cpt_doc_type type, const char *number)
{
	fixture *f = g_new0(fixture, 1);
	cpt_doc_view *v = &f->v;

	f->pool = g_ptr_array_new_with_free_func(g_free);
	v->type = type;
	v->number = number;
	v->title = "";
	v->issue_date = (cpt_date){2026, 1, 15};
	v->due_date = (cpt_date){2026, 2, 28};
	cpt_fixture_parties(v);
	v->lines = f->lines;
	v->vat = f->vat;
	v->deductions = f->deductions;
	return f;
}

static inline void fixture_free(fixture *f)
{
	g_ptr_array_unref(f->pool);
	g_free(f);
}

static inline cpt_doc_line *next_line(fixture *f, cpt_doc_line_kind kind, const char *label)
{
	assert_true(f->v.n_lines < FX_MAX_LINES);
	cpt_doc_line *l = &f->lines[f->v.n_lines++];
	*l = (cpt_doc_line){.kind = kind,
			    .article_code = "",
			    .label = label,
			    .unit = "",
			    .unit_code = "",
			    .vat_category = "S"};
	return l;
}

static inline void add_item(fixture *f, const char *code, const char *label, const char *unit,
			    int64_t qty3, int64_t price4, int64_t discount, int64_t rate,
			    int64_t eco)
{
	cpt_doc_line *l = next_line(f, CPT_LINE_ITEM, label);

	l->article_code = code;
	l->unit = unit;
	l->unit_code = "C62";
	l->quantity = qty3;
	l->unit_price = price4;
	l->discount = discount;
	l->vat_rate = rate;
	l->eco_contribution = eco;
	assert_true(cpt_money_line_net(price4, qty3, discount, &l->net));
	f->section_net += l->net;
}

static inline void add_section(fixture *f, const char *label)
{
	next_line(f, CPT_LINE_SECTION, label);
	f->section_net = 0;
}

static inline void add_subtotal(fixture *f, const char *label)
{
	next_line(f, CPT_LINE_SUBTOTAL, label)->subtotal = f->section_net;
}

static inline void add_text(fixture *f, const char *label)
{
	next_line(f, CPT_LINE_TEXT, label);
}

/* Totals as the sales module computes them: the document discount taken
 * from each rate's nets, VAT once per rate on what remains. */
static inline void finish(fixture *f, int64_t discount_bp)
{
	cpt_doc_view *v = &f->v;
	cpt_money_vat_acc acc;

	cpt_money_vat_acc_init(&acc, CPT_MONEY_ENTRY_HT);
	v->lines_net = v->eco_total = 0;
	for (size_t i = 0; i < v->n_lines; i++) {
		const cpt_doc_line *l = &v->lines[i];
		if (l->kind != CPT_LINE_ITEM)
			continue;
		v->lines_net += l->net;
		v->eco_total += l->eco_contribution;
		assert_true(cpt_money_vat_acc_add(&acc, l->vat_rate, l->net));
	}
	v->n_vat = cpt_money_vat_acc_count(&acc);
	assert_true(v->n_vat <= G_N_ELEMENTS(f->vat));
	v->discount_rate = discount_bp;
	v->discount_amount = v->vat_total = 0;
	for (size_t i = 0; i < v->n_vat; i++) {
		cpt_money_vat_subtotal s;
		int64_t off;
		assert_true(cpt_money_vat_acc_get(&acc, i, &s));
		assert_true(cpt_money_percent(s.net, discount_bp, &off));
		f->vat[i] = (cpt_doc_vat){.rate = s.rate_bp,
					  .category = "S",
					  .base = s.net - off,
					  .exemption = "",
					  .exemption_code = ""};
		assert_true(cpt_money_vat(f->vat[i].base, s.rate_bp, &f->vat[i].amount));
		v->discount_amount += off;
		v->vat_total += f->vat[i].amount;
	}
	v->net_total = v->lines_net - v->discount_amount;
	v->gross_total = v->net_total + v->vat_total;
	v->prepaid = 0;
	for (size_t i = 0; i < v->n_deductions; i++)
		v->prepaid += v->deductions[i].amount;
	v->amount_due = v->gross_total - v->prepaid;
}

/* ==== A PNG logo, written by hand: stored deflate blocks, CRC, Adler ===== */

static inline void be32(GByteArray *b, uint32_t x)
{
	guint8 o[4] = {(guint8)(x >> 24), (guint8)(x >> 16), (guint8)(x >> 8), (guint8)x};
	g_byte_array_append(b, o, 4);
}

static inline void png_chunk(GByteArray *png, const char *type, const guint8 *data, size_t len)
{
	be32(png, (uint32_t)len);
	guint start = png->len;
	g_byte_array_append(png, (const guint8 *)type, 4);
	if (len)
		g_byte_array_append(png, data, (guint)len);
	be32(png, cpt_zip_crc32(png->data + start, len + 4));
}

/* A w x h RGB gradient of blues; caller frees the path with g_free(). */
static inline char *write_png(const char *dir, int w, int h)
{
	GByteArray *raw = g_byte_array_new(), *z = g_byte_array_new(), *png = g_byte_array_new();
	const guint8 sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
	guint8 ihdr[13] = {0, 0, 0, 0, 0, 0, 0, 0, 8, 2, 0, 0, 0};
	uint32_t a = 1, b = 0;

	for (int y = 0; y < h; y++) {
		g_byte_array_append(raw, (const guint8 *)"\0", 1);
		for (int x = 0; x < w; x++) {
			guint8 px[3] = {(guint8)(30 + x), (guint8)(90 + y * 3), 168};
			g_byte_array_append(raw, px, 3);
		}
	}
	for (guint i = 0; i < raw->len; i++) {
		a = (a + raw->data[i]) % 65521;
		b = (b + a) % 65521;
	}
	g_byte_array_append(z, (const guint8 *)"\x78\x01", 2);
	for (guint off = 0; off < raw->len; off += 65535) {
		guint n = MIN(65535u, raw->len - off);
		guint8 hdr[5] = {off + n == raw->len, (guint8)n, (guint8)(n >> 8), (guint8)~n,
				 (guint8)(~n >> 8)};
		g_byte_array_append(z, hdr, 5);
		g_byte_array_append(z, raw->data + off, n);
	}
	be32(z, (b << 16) | a);

	for (int i = 0; i < 4; i++) {
		ihdr[i] = (guint8)((uint32_t)w >> (24 - 8 * i));
		ihdr[4 + i] = (guint8)((uint32_t)h >> (24 - 8 * i));
	}
	g_byte_array_append(png, sig, 8);
	png_chunk(png, "IHDR", ihdr, sizeof ihdr);
	png_chunk(png, "IDAT", z->data, z->len);
	png_chunk(png, "IEND", NULL, 0);

	char *path = g_build_filename(dir, "logo.png", NULL);
	assert_true(g_file_set_contents(path, (const char *)png->data, png->len, NULL));
	g_byte_array_unref(raw);
	g_byte_array_unref(z);
	g_byte_array_unref(png);
	return path;
}

/* ==== Tools =============================================================== */

/* Where the PDFs go: $CPT_TEST_OUT (tests/run.sh) or a temporary folder. */
static inline const char *out_dir(void)
{
	static char *dir;

	if (!dir) {
		const char *env = g_getenv("CPT_TEST_OUT");
		dir = env && *env ? g_strdup(env) : g_dir_make_tmp("cpt-pdf-XXXXXX", NULL);
		assert_non_null(dir);
	}
	return dir;
}

static inline char *save_pdf(GBytes *pdf, const char *name)
{
	char *path = g_build_filename(out_dir(), name, NULL);
	assert_true(g_file_set_contents(path, g_bytes_get_data(pdf, NULL),
					(gssize)g_bytes_get_size(pdf), NULL));
	return path;
}

/* Runs argv; returns its standard output (caller frees) and exit code. */
static inline char *run_tool(const char *const *argv, int *code)
{
	char *out = NULL, *err = NULL;
	int status = 0;
	GError *error = NULL;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
			  &status, &error))
		fail_msg("cannot run %s: %s", argv[0], error->message);
	*code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	g_free(err);
	return out;
}

/* pdftotext -layout: pages end with a form feed. */
static inline char *pdf_text(const char *path)
{
	const char *argv[] = {"pdftotext", "-layout", "-enc", "UTF-8", path, "-", NULL};
	int code;
	char *text = run_tool(argv, &code);

	assert_int_equal(code, 0);
	return text;
}

static inline void assert_qpdf_check(const char *path)
{
	const char *argv[] = {"qpdf", "--check", path, NULL};
	int code;
	g_autofree char *out = run_tool(argv, &code);

	if (code != 0)
		fail_msg("qpdf --check %s exited %d:\n%s", path, code, out);
}

static inline void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("missing from the PDF text: \"%s\"", needle);
}

static inline void assert_lacks(const char *text, const char *needle)
{
	if (strstr(text, needle))
		fail_msg("unexpected in the PDF text: \"%s\"", needle);
}

static inline unsigned count_of(const char *text, const char *needle)
{
	unsigned n = 0;
	for (const char *q = strstr(text, needle); q; q = strstr(q + strlen(needle), needle))
		n++;
	return n;
}

/*
 * pdftotext turns the no-break spaces of the French formats (U+00A0 before
 * "€" and "%", U+202F between thousands) into plain spaces, as it does every
 * space between words: expected texts are compared the same way.
 */
static inline char *plain_spaces(char *s)
{
	char *w = s;

	for (const char *r = s; *r;) {
		if (strncmp(r, CPT_MONEY_CURRENCY_SEP, 2) == 0) {
			*w++ = ' ';
			r += 2;
		} else if (strncmp(r, CPT_MONEY_GROUP_SEP, 3) == 0) {
			*w++ = ' ';
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return s;
}

/* "1 234,56 €" as pdftotext gives it back. */
static inline const char *money(int64_t cents, char buf[CPT_MONEY_FORMAT_SIZE])
{
	assert_true(cpt_money_format(cents, buf, CPT_MONEY_FORMAT_SIZE));
	return plain_spaces(buf);
}

static inline const char *amount(int64_t cents, char buf[CPT_MONEY_FORMAT_SIZE])
{
	assert_true(cpt_money_format_plain(cents, buf, CPT_MONEY_FORMAT_SIZE));
	return plain_spaces(buf);
}

#endif
