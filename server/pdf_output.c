/*
 * What libharu 2.3.0 writes, completed, and the file written out the same
 * way every time:
 *
 *  - the embedded TrueType fonts: real ToUnicode maps where libharu puts an
 *    encoding CMap, and the /CapHeight their descriptors lack;
 *  - the document's date, from the issue date (Info dictionary, XMP and the
 *    embedded file's /ModDate), never the clock;
 *  - the trailer's /ID, from a hash of the content: libharu derives it from
 *    the time, or leaves it out.
 */
#include "pdf_private.h"

#include <hpdf_doc.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <stdio.h>

/* ==== Fonts ============================================================= */

/*
 * With the UTF-8 encoder libharu's character codes are the Unicode code
 * points themselves (CID = U+XXXX), so the ToUnicode map is the identity:
 * one bfrange per high byte, surrogates left out.
 */
void cpt_pdf_fix_font(HPDF_Font f)
{
	HPDF_Dict tu = HPDF_Dict_GetItem(f, "ToUnicode", HPDF_OCLASS_DICT);
	unsigned high[256], n = 0;
	char line[48];

	if (!tu || !tu->stream)
		return;
	for (unsigned hi = 0; hi < 256; hi++)
		if (hi < 0xD8 || hi > 0xDF)
			high[n++] = hi;
	HPDF_MemStream_FreeData(tu->stream);
	HPDF_Stream_WriteStr(tu->stream,
			     "/CIDInit /ProcSet findresource begin\n"
			     "12 dict begin\nbegincmap\n"
			     "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) "
			     "/Supplement 0 >> def\n"
			     "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
			     "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	/* At most 100 entries per block. */
	for (unsigned i = 0; i < n; i += 100) {
		unsigned count = n - i < 100 ? n - i : 100;

		snprintf(line, sizeof line, "%u beginbfrange\n", count);
		HPDF_Stream_WriteStr(tu->stream, line);
		for (unsigned k = i; k < i + count; k++) {
			snprintf(line, sizeof line, "<%02X00> <%02XFF> <%02X00>\n", high[k],
				 high[k], high[k]);
			HPDF_Stream_WriteStr(tu->stream, line);
		}
		HPDF_Stream_WriteStr(tu->stream, "endbfrange\n");
	}
	HPDF_Stream_WriteStr(tu->stream, "endcmap\nCMapName currentdict /CMap defineresource pop\n"
					 "end\nend\n");
	/* Keys of an encoding CMap, not of a ToUnicode stream. */
	HPDF_Dict_RemoveElement(tu, "Type");
	HPDF_Dict_RemoveElement(tu, "CMapName");
	HPDF_Dict_RemoveElement(tu, "CIDSystemInfo");
	HPDF_Dict_RemoveElement(tu, "WMode");
	tu->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
}

/*
 * PDF requires /CapHeight in the descriptor of a font with Latin glyphs, and
 * libharu 2.3.0 leaves it out. It creates the descriptor while writing the
 * file, the first time: cpt_pdf_output() calls this between its two saves.
 */
void cpt_pdf_fix_descriptor(HPDF_Font f)
{
	HPDF_FontAttr attr = f ? (HPDF_FontAttr)f->attr : NULL;
	HPDF_Dict fd = attr && attr->fontdef ? attr->fontdef->descriptor : NULL;

	if (fd && !HPDF_Dict_GetItem(fd, "CapHeight", HPDF_OCLASS_NUMBER))
		HPDF_Dict_AddNumber(fd, "CapHeight", (HPDF_INT32)HPDF_Font_GetCapHeight(f));
}

bool cpt_pdf_doc_date(const cpt_doc_view *v, HPDF_Date *out)
{
	cpt_date d = v->issue_date;

	if (d.year <= 0 || !cpt_date_valid(d))
		return false;
	*out = (HPDF_Date){.year = d.year, .month = d.month, .day = d.day, .ind = '+'};
	return true;
}

/* ==== Output ============================================================== */

static GBytes *save(cpt_pdf *p)
{
	if (HPDF_SaveToStream(p->doc) != HPDF_OK)
		return NULL;
	HPDF_UINT32 size = HPDF_GetStreamSize(p->doc), got = size;
	guint8 *buf = g_malloc(size ? size : 1);

	HPDF_ResetStream(p->doc);
	HPDF_STATUS rc = size ? HPDF_ReadFromStream(p->doc, buf, &got) : HPDF_STREAM_EOF;
	if (rc == HPDF_STREAM_EOF && got == size && size > 0) {
		/* Reading up to the end is no error, though libharu reports it. */
		HPDF_ResetError(p->doc);
		if (p->error == HPDF_STREAM_EOF)
			p->error = 0;
		rc = HPDF_OK;
	}
	if (rc != HPDF_OK || got != size) {
		g_free(buf);
		return NULL;
	}
	return g_bytes_new_take(buf, size);
}

/*
 * The /ID is the first 16 bytes of the SHA-256 of the file saved without it:
 * the same content gives the same /ID, another content another one.
 */
/* First save, hashed: true when the /ID is set for the second one. */
static bool set_id(cpt_pdf *p)
{
	guint8 digest[32];
	gsize len = sizeof digest;
	GBytes *first = save(p);

	if (!first || p->error) {
		if (first)
			g_bytes_unref(first);
		return false;
	}
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(sum, g_bytes_get_data(first, NULL), g_bytes_get_size(first));
	g_checksum_get_digest(sum, digest, &len);
	g_checksum_free(sum);
	g_bytes_unref(first);

	HPDF_Array id = HPDF_Array_New(p->doc->mmgr);
	if (!id || HPDF_Dict_Add(p->doc->trailer, "ID", id) != HPDF_OK)
		return false;
	HPDF_Array_Add(id, HPDF_Binary_New(p->doc->mmgr, digest, 16));
	HPDF_Array_Add(id, HPDF_Binary_New(p->doc->mmgr, digest, 16));
	return true;
}

int cpt_pdf_output(cpt_pdf *p, GBytes **out, cpt_status *st)
{
	if (cpt_pdf_check(p, st) != CPT_OK)
		return st->code;
	if (set_id(p)) {
		/* libharu has now created the font descriptors. */
		cpt_pdf_fix_descriptor(p->regular);
		cpt_pdf_fix_descriptor(p->bold);
		*out = save(p);
		if (*out && !p->error)
			return CPT_OK;
		g_clear_pointer(out, g_bytes_unref);
	}
	if (!p->error)
		p->error = HPDF_GetError(p->doc);
	if (cpt_pdf_check(p, st) != CPT_OK)
		return st->code;
	return cpt_status_set(st, CPT_INTERNAL, NULL, "Écriture du PDF impossible");
}
