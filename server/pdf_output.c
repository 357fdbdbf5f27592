/*
 * The file written out the same way every time:
 *
 *  - the fonts completed (pdf_font.c) once every page is drawn;
 *  - streams compressed here rather than by libharu, in parts that can be
 *    compressed once per process;
 *  - the document's date, from the issue date (Info dictionary, XMP and the
 *    embedded file's /ModDate), never the clock;
 *  - the trailer's /ID, from a hash of the content: libharu derives it from
 *    the time, or leaves it out.
 */
#include "pdf_private.h"

#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <string.h>
#include <zlib.h>

/* ==== Dates ============================================================ */

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
 * The /ID is the first 16 bytes of the SHA-256 of the file written with a
 * zero /ID: the same content gives the same /ID, another content another
 * one. The file is written once, with the zeros, and they are replaced in
 * the trailer (both halves of the array) by the hash.
 */
static const guint8 no_id[16];

static bool add_zero_id(cpt_pdf *p)
{
	HPDF_Array id = HPDF_Array_New(p->doc->mmgr);

	if (!id || HPDF_Dict_Add(p->doc->trailer, "ID", id) != HPDF_OK)
		return false;
	HPDF_Array_Add(id, HPDF_Binary_New(p->doc->mmgr, (HPDF_BYTE *)no_id, sizeof no_id));
	HPDF_Array_Add(id, HPDF_Binary_New(p->doc->mmgr, (HPDF_BYTE *)no_id, sizeof no_id));
	return true;
}

/* Hashes the file and writes the hash over the zero /ID, which libharu
 * writes in the trailer as "/ID [ <32 hex digits> <32 hex digits> ]": the
 * last one in the file, looked for back from the end down to "trailer". */
static bool set_id(guint8 *pdf, gsize size)
{
	static const char key[] = "/ID [ <", hex[] = "0123456789ABCDEF";
	const gsize key_len = sizeof key - 1, id_len = key_len + 32 + 3 + 32 + 1;
	guint8 digest[32];
	gsize digest_len = sizeof digest;
	guint8 *id = NULL;

	for (gsize i = size >= id_len ? size - id_len + 1 : 0; i-- > 0;) {
		if (memcmp(pdf + i, "trailer", 7) == 0)
			break;
		if (memcmp(pdf + i, key, key_len) == 0) {
			id = pdf + i + key_len;
			break;
		}
	}
	/* id: the first hex digits; the second ones start at id + 35. */
	if (!id || memcmp(id + 32, "> <", 3) != 0 || id[67] != '>')
		return false;

	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(sum, pdf, size);
	g_checksum_get_digest(sum, digest, &digest_len);
	g_checksum_free(sum);
	for (int i = 0; i < 16; i++) {
		id[2 * i] = id[35 + 2 * i] = (guint8)hex[digest[i] >> 4];
		id[2 * i + 1] = id[35 + 2 * i + 1] = (guint8)hex[digest[i] & 0xF];
	}
	return true;
}

int cpt_pdf_output(cpt_pdf *p, GBytes **out, cpt_status *st)
{
	GBytes *file = NULL;

	if (cpt_pdf_check(p, st) != CPT_OK)
		return st->code;
	cpt_pdf_font_finish(p, p->regular);
	cpt_pdf_font_finish(p, p->bold);
	/* The object API records its errors in the document, not through the
	 * handler. */
	if (!p->error && HPDF_GetError(p->doc))
		p->error = HPDF_GetError(p->doc);
	if (!p->error && add_zero_id(p))
		file = save(p);
	if (file && !p->error) {
		gsize size;
		guint8 *data = g_bytes_unref_to_data(file, &size);
		if (set_id(data, size)) {
			*out = g_bytes_new_take(data, size);
			return CPT_OK;
		}
		g_free(data);
		file = NULL;
	}
	if (file)
		g_bytes_unref(file);
	if (!p->error)
		p->error = HPDF_GetError(p->doc);
	if (cpt_pdf_check(p, st) != CPT_OK)
		return st->code;
	return cpt_status_set(st, CPT_INTERNAL, NULL, "Écriture du PDF impossible");
}

/* ==== Compressed streams ================================================== */

/*
 * What /FlateDecode reads is a zlib stream: a 2-byte header, deflate blocks
 * and the Adler-32 of the data. A part compressed alone and ended by a full
 * flush (byte-aligned, no final block, no reference to what came before)
 * can be joined to others: what does not change between documents (the
 * fonts' copyright and hinting tables, the ICC profile) is compressed once
 * per process and copied into each file.
 */

/* zlib's memory from GLib, which aborts when there is none, as everywhere
 * else: deflateInit2() then cannot fail. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	return g_malloc_n(items, size);
}

static void z_free(voidpf opaque, voidpf mem)
{
	g_free(mem);
}

static void deflate_raw(GByteArray *out, const void *data, size_t len, int flush)
{
	z_stream z = {.zalloc = z_alloc, .zfree = z_free};
	guint8 buf[16384];
	int rc;

	/* Level 6, the default libharu uses too; raw deflate (no header). */
	rc = deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
	g_assert(rc == Z_OK);
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	do {
		z.next_out = buf;
		z.avail_out = sizeof buf;
		rc = deflate(&z, flush);
		g_byte_array_append(out, buf, (guint)(sizeof buf - z.avail_out));
	} while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
	deflateEnd(&z);
}

GBytes *cpt_pdf_deflate_part(const void *data, size_t len)
{
	GByteArray *out = g_byte_array_new();

	deflate_raw(out, data, len, Z_FULL_FLUSH);
	return g_byte_array_free_to_bytes(out);
}

GBytes *cpt_pdf_deflate_parts(const cpt_pdf_part *parts, size_t n)
{
	static const guint8 header[2] = {0x78, 0x9C}; /* deflate, 32 KiB window, level 6 */
	GByteArray *out = g_byte_array_new();
	uLong adler = adler32(0, NULL, 0);
	guint8 tail[4];

	g_byte_array_append(out, header, sizeof header);
	for (size_t i = 0; i < n; i++) {
		const cpt_pdf_part *p = &parts[i];
		adler = adler32_z(adler, p->data, p->len);
		if (p->deflated)
			g_byte_array_append(out, g_bytes_get_data(p->deflated, NULL),
					    (guint)g_bytes_get_size(p->deflated));
		else
			deflate_raw(out, p->data, p->len, i + 1 == n ? Z_FINISH : Z_FULL_FLUSH);
	}
	/* After a part compressed beforehand, an empty final block. */
	if (n == 0 || parts[n - 1].deflated)
		deflate_raw(out, NULL, 0, Z_FINISH);
	tail[0] = (guint8)(adler >> 24);
	tail[1] = (guint8)(adler >> 16);
	tail[2] = (guint8)(adler >> 8);
	tail[3] = (guint8)adler;
	g_byte_array_append(out, tail, sizeof tail);
	return g_byte_array_free_to_bytes(out);
}

/* libharu adds /Filter only to the streams it compresses itself. */
static HPDF_STATUS write_flate_filter(HPDF_Dict obj, HPDF_Stream stream)
{
	return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

HPDF_Dict cpt_pdf_deflated_stream(cpt_pdf *p, GBytes *z)
{
	HPDF_Dict s = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);

	if (!s)
		return NULL;
	s->write_fn = write_flate_filter;
	HPDF_Stream_Write(s->stream, g_bytes_get_data(z, NULL), (HPDF_UINT)g_bytes_get_size(z));
	return s;
}
