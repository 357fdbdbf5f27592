/*
 * The fonts of one document, written as PDF objects without libharu's font
 * support. libharu 2.3.0 with a TrueType font and its UTF-8 encoder reads
 * the whole file for each document, looks up the glyph of each of the
 * 65 536 BMP code points one by one, writes widths for all of them and a
 * 128 KiB code-to-glyph map, and embeds every table of the font but the
 * unused outlines: about 190 KB and 40 ms for an invoice of three lines.
 *
 * Here the file is parsed once per process (pdf_ttf.c) and a document
 * records the characters it shows. When the pages are done,
 * cpt_pdf_font_finish() writes a Type 0 font whose codes are the Unicode
 * code points (Identity-H, two bytes each, as libharu wrote them), with
 * widths, a CIDToGIDMap and a ToUnicode map for these characters only, and
 * a subset of the font holding their glyphs. The subset's name has a tag
 * derived from the characters, so that equal subsets have equal names and
 * different ones, different names.
 */
#include "pdf_private.h"

#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <stdio.h>
#include <string.h>

struct cpt_pdf_font {
	const cpt_ttf *ttf;
	const char *ps_name;			 /* static */
	HPDF_Dict dict;				 /* the Type 0 font, in the document */
	uint64_t used[CPT_TTF_CODE_POINTS / 64]; /* the code points shown, a bit each */
};

/* The code points shown, ascending: what the objects are written from. */
typedef struct shown {
	gunichar *c;
	size_t n;
} shown;

#define FLAG_FIXED_PITCH 1
#define FLAG_NONSYMBOLIC 32
#define FLAG_ITALIC 64

int cpt_pdf_font_open(cpt_pdf *p, const char *path, const char *ps_name, cpt_pdf_font **out,
		      cpt_status *st)
{
	const cpt_ttf *ttf = cpt_ttf_get(path, st);

	*out = NULL;
	if (!ttf)
		return st->code;
	cpt_pdf_font *f = g_new0(cpt_pdf_font, 1);
	f->ttf = ttf;
	f->ps_name = ps_name;
	f->dict = HPDF_Dict_New(p->doc->mmgr);
	if (!f->dict || HPDF_Xref_Add(p->doc->xref, f->dict) != HPDF_OK) {
		g_free(f);
		return cpt_status_set(st, CPT_INTERNAL, NULL, "Création de la police impossible");
	}
	*out = f;
	return CPT_OK;
}

void cpt_pdf_font_free(cpt_pdf_font *f)
{
	g_free(f);
}

unsigned cpt_pdf_font_advance(const cpt_pdf_font *f, const char *s, size_t len)
{
	return cpt_ttf_advance(f->ttf, s, len);
}

void cpt_pdf_font_encode(cpt_pdf_font *f, const char *s, GString *hex)
{
	static const char digits[] = "0123456789ABCDEF";

	for (; *s; s = g_utf8_next_char(s)) {
		gunichar c = g_utf8_get_char(s);
		char h[4];

		if (c >= CPT_TTF_CODE_POINTS)
			c = 0xFFFD; /* cpt_pdf_clean() already did */
		f->used[c / 64] |= UINT64_C(1) << (c % 64);
		h[0] = digits[c >> 12 & 0xF];
		h[1] = digits[c >> 8 & 0xF];
		h[2] = digits[c >> 4 & 0xF];
		h[3] = digits[c & 0xF];
		g_string_append_len(hex, h, 4);
	}
}

const char *cpt_pdf_font_resource(cpt_pdf *p, cpt_pdf_font *f)
{
	return HPDF_Page_GetLocalFontName(p->page, f->dict);
}

/* ==== The objects, once the pages are done ================================= */

/* Six capital letters from the set of characters (FNV-1a). */
static void subset_tag(const cpt_pdf_font *f, char tag[7])
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < G_N_ELEMENTS(f->used); i++) {
		h ^= f->used[i];
		h *= UINT64_C(1099511628211);
	}
	for (int i = 0; i < 6; i++) {
		tag[i] = (char)('A' + h % 26);
		h /= 26;
	}
	tag[6] = '\0';
}

static HPDF_Dict new_stream(cpt_pdf *p, const void *data, size_t len)
{
	HPDF_Dict s = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);

	if (s) {
		s->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
		HPDF_Stream_Write(s->stream, data, (HPDF_UINT)len);
	}
	return s;
}

static HPDF_Dict new_dict(cpt_pdf *p, bool indirect)
{
	HPDF_Dict d = HPDF_Dict_New(p->doc->mmgr);

	if (d && indirect && HPDF_Xref_Add(p->doc->xref, d) != HPDF_OK)
		return NULL;
	return d;
}

static shown collect(const cpt_pdf_font *f)
{
	size_t n = 0;

	for (size_t w = 0; w < G_N_ELEMENTS(f->used); w++)
		n += (size_t)__builtin_popcountll(f->used[w]);
	shown s = {g_new(gunichar, MAX(n, 1)), 0};
	for (gunichar w = 0; w < G_N_ELEMENTS(f->used); w++)
		for (uint64_t bits = f->used[w]; bits; bits &= bits - 1)
			s.c[s.n++] = 64 * w + (gunichar)__builtin_ctzll(bits);
	return s;
}

/* W: one array of widths per run of consecutive codes. */
static HPDF_Array widths(cpt_pdf *p, const cpt_pdf_font *f, const shown *s)
{
	HPDF_MMgr mm = p->doc->mmgr;
	HPDF_Array w = HPDF_Array_New(mm), run = NULL;

	for (size_t i = 0; w && i < s->n; i++) {
		gunichar c = s->c[i];
		if (!run || s->c[i - 1] != c - 1) {
			run = HPDF_Array_New(mm);
			if (!run)
				return NULL;
			HPDF_Array_AddNumber(w, (HPDF_INT32)c);
			HPDF_Array_Add(w, run);
		}
		HPDF_Array_AddNumber(run,
				     (HPDF_INT32)cpt_ttf_width(f->ttf, cpt_ttf_glyph(f->ttf, c)));
	}
	return w;
}

/* CIDToGIDMap: the subset's glyph of each code up to the last one shown,
 * two bytes big-endian each. */
static HPDF_Dict glyph_map(cpt_pdf *p, const cpt_pdf_font *f, const shown *s,
			   const uint16_t *renumber)
{
	size_t len = 2 * (s->n ? s->c[s->n - 1] + 1 : 1);
	guint8 *map = g_malloc0(len);

	for (size_t i = 0; i < s->n; i++) {
		uint16_t g = renumber[cpt_ttf_glyph(f->ttf, s->c[i])];
		map[2 * s->c[i]] = (guint8)(g >> 8);
		map[2 * s->c[i] + 1] = (guint8)g;
	}
	HPDF_Dict stream = new_stream(p, map, len);
	g_free(map);
	return stream;
}

/* ToUnicode: each code is its own code point; one bfrange per run of
 * consecutive codes within the same high byte, 100 per block. */
static HPDF_Dict to_unicode(cpt_pdf *p, const shown *s)
{
	GString *cmap = g_string_new("/CIDInit /ProcSet findresource begin\n"
				     "12 dict begin\nbegincmap\n"
				     "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) "
				     "/Supplement 0 >> def\n"
				     "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
				     "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	typedef struct run {
		gunichar first, last;
	} run;
	GArray *runs = g_array_new(FALSE, FALSE, sizeof(run));

	for (size_t i = 0; i < s->n; i++) {
		gunichar c = s->c[i];
		if (runs->len) {
			run *r = &g_array_index(runs, run, runs->len - 1);
			if (r->last == c - 1 && (c & 0xFF) != 0) {
				r->last = c;
				continue;
			}
		}
		run r = {c, c};
		g_array_append_val(runs, r);
	}
	for (guint i = 0; i < runs->len; i += 100) {
		guint n = MIN(100u, runs->len - i);
		g_string_append_printf(cmap, "%u beginbfrange\n", n);
		for (guint k = i; k < i + n; k++) {
			const run *r = &g_array_index(runs, run, k);
			g_string_append_printf(cmap, "<%04X> <%04X> <%04X>\n", r->first, r->last,
					       r->first);
		}
		g_string_append(cmap, "endbfrange\n");
	}
	g_string_append(cmap, "endcmap\nCMapName currentdict /CMap defineresource pop\n"
			      "end\nend\n");
	HPDF_Dict stream = new_stream(p, cmap->str, cmap->len);
	g_array_unref(runs);
	g_string_free(cmap, TRUE);
	return stream;
}

static HPDF_Dict descriptor(cpt_pdf *p, const cpt_pdf_font *f, const char *name, HPDF_Dict program)
{
	const cpt_ttf_metrics *m = cpt_ttf_get_metrics(f->ttf);
	HPDF_Dict fd = new_dict(p, true);
	HPDF_Array bbox = HPDF_Array_New(p->doc->mmgr);
	int flags = FLAG_NONSYMBOLIC | (m->fixed_pitch ? FLAG_FIXED_PITCH : 0) |
		    (m->italic_angle ? FLAG_ITALIC : 0);

	if (!fd || !bbox)
		return NULL;
	HPDF_Dict_AddName(fd, "Type", "FontDescriptor");
	HPDF_Dict_AddName(fd, "FontName", name);
	HPDF_Dict_AddNumber(fd, "Flags", flags);
	for (int i = 0; i < 4; i++)
		HPDF_Array_AddNumber(bbox, m->bbox[i]);
	HPDF_Dict_Add(fd, "FontBBox", bbox);
	HPDF_Dict_AddNumber(fd, "ItalicAngle", m->italic_angle);
	HPDF_Dict_AddNumber(fd, "Ascent", m->ascent);
	HPDF_Dict_AddNumber(fd, "Descent", m->descent);
	HPDF_Dict_AddNumber(fd, "CapHeight", m->cap_height);
	HPDF_Dict_AddNumber(fd, "XHeight", m->x_height);
	HPDF_Dict_AddNumber(fd, "StemV", m->stem_v);
	HPDF_Dict_Add(fd, "FontFile2", program);
	return fd;
}

static void fail(cpt_pdf *p)
{
	if (!p->error)
		p->error = HPDF_GetError(p->doc) ? HPDF_GetError(p->doc) : HPDF_FAILD_TO_ALLOC_MEM;
}

void cpt_pdf_font_finish(cpt_pdf *p, cpt_pdf_font *f)
{
	HPDF_MMgr mm = p->doc->mmgr;
	char tag[7], name[80];
	shown s = collect(f);
	uint16_t *renumber = g_new(uint16_t, cpt_ttf_glyph_count(f->ttf));
	size_t length = 0;
	GBytes *program = cpt_ttf_subset(f->ttf, s.c, s.n, renumber, &length);

	subset_tag(f, tag);
	snprintf(name, sizeof name, "%s+%s", tag, f->ps_name);

	HPDF_Dict file = cpt_pdf_deflated_stream(p, program);
	HPDF_Dict fd = file ? descriptor(p, f, name, file) : NULL;
	HPDF_Dict map = glyph_map(p, f, &s, renumber);
	HPDF_Array w = widths(p, f, &s);
	HPDF_Dict cid = new_dict(p, true), info = new_dict(p, false);
	HPDF_Array descendants = HPDF_Array_New(mm);
	HPDF_Dict tu = to_unicode(p, &s);
	g_bytes_unref(program);
	g_free(renumber);
	g_free(s.c);
	if (!fd || !map || !w || !cid || !info || !descendants || !tu) {
		fail(p);
		return;
	}
	HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)length);

	HPDF_Dict_AddName(cid, "Type", "Font");
	HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2");
	HPDF_Dict_AddName(cid, "BaseFont", name);
	HPDF_Dict_Add(info, "Registry", HPDF_String_New(mm, "Adobe", NULL));
	HPDF_Dict_Add(info, "Ordering", HPDF_String_New(mm, "Identity", NULL));
	HPDF_Dict_AddNumber(info, "Supplement", 0);
	HPDF_Dict_Add(cid, "CIDSystemInfo", info);
	HPDF_Dict_Add(cid, "FontDescriptor", fd);
	HPDF_Dict_AddNumber(cid, "DW", cpt_ttf_get_metrics(f->ttf)->missing_width);
	HPDF_Dict_Add(cid, "W", w);
	HPDF_Dict_Add(cid, "CIDToGIDMap", map);

	HPDF_Dict_AddName(f->dict, "Type", "Font");
	HPDF_Dict_AddName(f->dict, "Subtype", "Type0");
	HPDF_Dict_AddName(f->dict, "BaseFont", name);
	HPDF_Dict_AddName(f->dict, "Encoding", "Identity-H");
	HPDF_Array_Add(descendants, cid);
	HPDF_Dict_Add(f->dict, "DescendantFonts", descendants);
	HPDF_Dict_Add(f->dict, "ToUnicode", tu);
}
