/*
 * The PDF/A-3B container of a Factur-X invoice, added through libharu's
 * object API (hpdf_objects.h, hpdf_doc.h) because libharu 2.3.0 knows only
 * PDF/A-1 and writes a fixed XMP:
 *
 *  - an uncompressed XMP metadata stream declaring pdfaid:part 3 and
 *    conformance B, repeating the Info dictionary (title, author, subject,
 *    producer, creator tool, dates) as PDF/A asks, with the Factur-X "fx:"
 *    properties and their PDF/A extension schema description;
 *  - an OutputIntent carrying an sRGB ICC profile (the page colours are
 *    DeviceRGB);
 *  - factur-x.xml as an embedded file (/Subtype /text#2Fxml, /Params with
 *    /ModDate, /Size and /CheckSum), its file specification with /F and /UF,
 *    /AFRelationship, listed in the EmbeddedFiles name tree and in the
 *    catalog's /AF array.
 *
 * /AFRelationship: the Factur-X 1.0 specification has /Data for MINIMUM and
 * BASIC WL, whose XML is not a full invoice, and /Alternative for BASIC,
 * EN 16931 and EXTENDED, whose XML is the invoice itself in another form
 * (/Source is also allowed; the akretion sample uses it).
 */
#include "pdf.h"
#include "pdf_private.h"

#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <stdio.h>
#include <string.h>

#define FX_FILE_NAME "factur-x.xml"
#define FX_NAMESPACE "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"

/* Where Debian's packages put an sRGB profile, in order of preference. */
static const char *const icc_paths[] = {
    "/usr/share/color/icc/sRGB.icc",	    /* icc-profiles-free */
    "/usr/share/color/icc/colord/sRGB.icc", /* colord-data */
};

/* ==== XMP ================================================================= */

static void xmp_prop(GString *x, const char *name, const char *value)
{
	g_autofree char *esc = g_markup_escape_text(value, -1);
	g_string_append_printf(x, "   <%s>%s</%s>\n", name, esc, name);
}

static void xmp_alt(GString *x, const char *name, const char *value)
{
	g_autofree char *esc = g_markup_escape_text(value, -1);
	g_string_append_printf(x,
			       "   <%s><rdf:Alt><rdf:li xml:lang=\"x-default\">%s</rdf:li>"
			       "</rdf:Alt></%s>\n",
			       name, esc, name);
}

static void xmp_ext_property(GString *x, const char *name, const char *description)
{
	g_string_append_printf(x,
			       "        <rdf:li rdf:parseType=\"Resource\">\n"
			       "         <pdfaProperty:name>%s</pdfaProperty:name>\n"
			       "         <pdfaProperty:valueType>Text</pdfaProperty:valueType>\n"
			       "         <pdfaProperty:category>external</pdfaProperty:category>\n"
			       "         <pdfaProperty:description>%s</pdfaProperty:description>\n"
			       "        </rdf:li>\n",
			       name, description);
}

static char *xmp_packet(cpt_pdf *p, const char *profile)
{
	GString *x =
	    g_string_new("<?xpacket begin=\"\xEF\xBB\xBF\" "
			 "id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
			 "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
			 " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
	HPDF_Date d;

	g_string_append(x, "  <rdf:Description rdf:about=\"\" "
			   "xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n"
			   "   <pdfaid:part>3</pdfaid:part>\n"
			   "   <pdfaid:conformance>B</pdfaid:conformance>\n"
			   "  </rdf:Description>\n");

	g_string_append(x, "  <rdf:Description rdf:about=\"\" "
			   "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
			   "   <dc:format>application/pdf</dc:format>\n");
	xmp_alt(x, "dc:title", p->info_title);
	{
		g_autofree char *esc = g_markup_escape_text(p->info_author, -1);
		g_string_append_printf(
		    x, "   <dc:creator><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></dc:creator>\n", esc);
	}
	if (*p->info_subject)
		xmp_alt(x, "dc:description", p->info_subject);
	g_string_append(x, "  </rdf:Description>\n");

	g_string_append(x, "  <rdf:Description rdf:about=\"\" "
			   "xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n");
	xmp_prop(x, "pdf:Producer", p->info_producer);
	g_string_append(x, "  </rdf:Description>\n");

	g_string_append(x, "  <rdf:Description rdf:about=\"\" "
			   "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n");
	xmp_prop(x, "xmp:CreatorTool", CPT_PDF_CREATOR);
	if (cpt_pdf_doc_date(p->v, &d)) {
		g_autofree char *date =
		    g_strdup_printf("%04d-%02d-%02dT00:00:00+00:00", d.year, d.month, d.day);
		xmp_prop(x, "xmp:CreateDate", date);
		xmp_prop(x, "xmp:ModifyDate", date);
		xmp_prop(x, "xmp:MetadataDate", date);
	}
	g_string_append(x, "  </rdf:Description>\n");

	g_string_append(x, "  <rdf:Description rdf:about=\"\" xmlns:fx=\"" FX_NAMESPACE "\">\n");
	xmp_prop(x, "fx:DocumentType", "INVOICE");
	xmp_prop(x, "fx:DocumentFileName", FX_FILE_NAME);
	xmp_prop(x, "fx:Version", "1.0");
	xmp_prop(x, "fx:ConformanceLevel", profile);
	g_string_append(x, "  </rdf:Description>\n");

	/* The extension schema that makes fx: valid PDF/A metadata. */
	g_string_append(
	    x, "  <rdf:Description rdf:about=\"\"\n"
	       "    xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"\n"
	       "    xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\"\n"
	       "    xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n"
	       "   <pdfaExtension:schemas>\n    <rdf:Bag>\n"
	       "     <rdf:li rdf:parseType=\"Resource\">\n"
	       "      <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>\n"
	       "      <pdfaSchema:namespaceURI>" FX_NAMESPACE "</pdfaSchema:namespaceURI>\n"
	       "      <pdfaSchema:prefix>fx</pdfaSchema:prefix>\n"
	       "      <pdfaSchema:property>\n       <rdf:Seq>\n");
	xmp_ext_property(x, "DocumentFileName", "name of the embedded XML invoice file");
	xmp_ext_property(x, "DocumentType", "INVOICE");
	xmp_ext_property(x, "Version", "The actual version of the Factur-X XML schema");
	xmp_ext_property(x, "ConformanceLevel",
			 "The conformance level of the embedded Factur-X data");
	g_string_append(x, "       </rdf:Seq>\n      </pdfaSchema:property>\n"
			   "     </rdf:li>\n    </rdf:Bag>\n   </pdfaExtension:schemas>\n"
			   "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n"
			   "<?xpacket end=\"w\"?>");
	return g_string_free(x, FALSE);
}

/* ==== Catalog entries ===================================================== */

static HPDF_Dict new_stream(cpt_pdf *p, const void *data, size_t len, bool compress)
{
	HPDF_Dict s = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);

	if (!s)
		return NULL;
	if (compress)
		s->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
	HPDF_Stream_Write(s->stream, data, (HPDF_UINT)len);
	return s;
}

static HPDF_String pdf_string(cpt_pdf *p, const char *s)
{
	return HPDF_String_New(p->doc->mmgr, s, NULL);
}

static int add_metadata(cpt_pdf *p, const char *profile, cpt_status *st)
{
	g_autofree char *xmp = xmp_packet(p, profile);
	/* PDF/A: the metadata stream is never compressed. */
	HPDF_Dict m = new_stream(p, xmp, strlen(xmp), false);

	if (!m)
		return cpt_pdf_check(p, st);
	HPDF_Dict_AddName(m, "Type", "Metadata");
	HPDF_Dict_AddName(m, "Subtype", "XML");
	HPDF_Dict_Add(p->doc->catalog, "Metadata", m);
	return CPT_OK;
}

/* The sRGB profile, read and compressed the first time it is needed, then
 * shared by every render; NULL if it cannot be read (tried again next
 * time). Caller frees with g_bytes_unref(). */
static GBytes *icc_profile(void)
{
	static GMutex lock;
	static GBytes *deflated;
	GBytes *z;

	g_mutex_lock(&lock);
	for (size_t i = 0; i < G_N_ELEMENTS(icc_paths) && !deflated; i++) {
		g_autofree char *icc = NULL;
		gsize len = 0;
		if (g_file_get_contents(icc_paths[i], &icc, &len, NULL))
			deflated = cpt_pdf_deflate_parts(&(cpt_pdf_part){icc, len, NULL}, 1);
	}
	z = deflated ? g_bytes_ref(deflated) : NULL;
	g_mutex_unlock(&lock);
	return z;
}

static int add_output_intent(cpt_pdf *p, cpt_status *st)
{
	g_autoptr(GBytes) icc = icc_profile();

	if (!icc)
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, NULL,
				      "Profil ICC sRGB introuvable (%s, paquet icc-profiles-free)",
				      icc_paths[0]);

	HPDF_Dict profile = cpt_pdf_deflated_stream(p, icc);
	HPDF_Dict intent = HPDF_Dict_New(p->doc->mmgr);
	HPDF_Array intents = HPDF_Array_New(p->doc->mmgr);
	if (!profile || !intent || !intents)
		return cpt_pdf_check(p, st);
	HPDF_Dict_AddNumber(profile, "N", 3);
	HPDF_Dict_AddName(intent, "Type", "OutputIntent");
	HPDF_Dict_AddName(intent, "S", "GTS_PDFA1");
	HPDF_Dict_Add(intent, "OutputConditionIdentifier", pdf_string(p, "sRGB IEC61966-2.1"));
	HPDF_Dict_Add(intent, "RegistryName", pdf_string(p, "http://www.color.org"));
	HPDF_Dict_Add(intent, "Info", pdf_string(p, "sRGB IEC61966-2.1"));
	HPDF_Dict_Add(intent, "DestOutputProfile", profile);
	HPDF_Array_Add(intents, intent);
	HPDF_Dict_Add(p->doc->catalog, "OutputIntents", intents);
	return CPT_OK;
}

static const char *relationship(const char *profile)
{
	if (g_str_equal(profile, CPT_PDF_FX_MINIMUM) || g_str_equal(profile, CPT_PDF_FX_BASIC_WL))
		return "Data";
	return "Alternative";
}

static int add_invoice_file(cpt_pdf *p, const void *xml, size_t len, const char *profile,
			    cpt_status *st)
{
	HPDF_MMgr mm = p->doc->mmgr;
	guint8 md5[16];
	gsize md5_len = sizeof md5;
	HPDF_Date d;
	char mod[32];
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_MD5);

	g_checksum_update(sum, xml, len);
	g_checksum_get_digest(sum, md5, &md5_len);

	HPDF_Dict file = new_stream(p, xml, len, true);
	HPDF_Dict params = HPDF_Dict_New(mm), ef = HPDF_Dict_New(mm), spec = HPDF_Dict_New(mm);
	HPDF_Dict names = HPDF_Dict_New(mm), embedded = HPDF_Dict_New(mm);
	HPDF_Array tree = HPDF_Array_New(mm), af = HPDF_Array_New(mm);
	if (!file || !params || !ef || !spec || !names || !embedded || !tree || !af)
		return cpt_pdf_check(p, st);

	HPDF_Dict_AddName(file, "Type", "EmbeddedFile");
	HPDF_Dict_AddName(file, "Subtype", "text/xml"); /* written /text#2Fxml */
	HPDF_Dict_AddNumber(params, "Size", (HPDF_INT32)len);
	if (cpt_pdf_doc_date(p->v, &d)) {
		snprintf(mod, sizeof mod, "D:%04d%02d%02d000000+00'00'", d.year, d.month, d.day);
		HPDF_Dict_Add(params, "ModDate", pdf_string(p, mod));
	}
	HPDF_Dict_Add(params, "CheckSum", HPDF_Binary_New(mm, md5, sizeof md5));
	HPDF_Dict_Add(file, "Params", params);

	HPDF_Xref_Add(p->doc->xref, spec);
	HPDF_Dict_AddName(spec, "Type", "Filespec");
	HPDF_Dict_Add(spec, "F", pdf_string(p, FX_FILE_NAME));
	HPDF_Dict_Add(spec, "UF", pdf_string(p, FX_FILE_NAME));
	HPDF_Dict_Add(spec, "Desc", pdf_string(p, "Factur-X invoice"));
	HPDF_Dict_AddName(spec, "AFRelationship", relationship(profile));
	HPDF_Dict_Add(ef, "F", file);
	HPDF_Dict_Add(ef, "UF", file);
	HPDF_Dict_Add(spec, "EF", ef);

	HPDF_Array_Add(tree, pdf_string(p, FX_FILE_NAME));
	HPDF_Array_Add(tree, spec);
	HPDF_Dict_Add(embedded, "Names", tree);
	HPDF_Dict_Add(names, "EmbeddedFiles", embedded);
	HPDF_Dict_Add(p->doc->catalog, "Names", names);
	HPDF_Array_Add(af, spec);
	HPDF_Dict_Add(p->doc->catalog, "AF", af);
	return cpt_pdf_check(p, st);
}

/* ==== Entry point ========================================================= */

static const char *canonical_profile(const char *profile)
{
	static const char *const known[] = {CPT_PDF_FX_MINIMUM, CPT_PDF_FX_BASIC_WL,
					    CPT_PDF_FX_BASIC, CPT_PDF_FX_EN16931,
					    CPT_PDF_FX_EXTENDED};
	for (size_t i = 0; profile && i < G_N_ELEMENTS(known); i++)
		if (g_ascii_strcasecmp(profile, known[i]) == 0)
			return known[i];
	return NULL;
}

static int check_facturx(const cpt_doc_view *v, const void *xml, size_t xml_len,
			 const char *profile, cpt_status *st)
{
	if (!v)
		return cpt_status_invalid(st, NULL, "Aucun document à imprimer");
	if (v->type != CPT_DOC_INVOICE && v->type != CPT_DOC_CREDIT_NOTE &&
	    v->type != CPT_DOC_DEPOSIT_INVOICE)
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "type",
				      "Seules les factures, factures d'acompte et avoirs peuvent "
				      "être des factures électroniques");
	if (cpt_pdf_is_draft(v))
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "number",
				      "Un brouillon n'est pas une facture électronique");
	if (!xml || xml_len == 0 || xml_len > G_MAXINT32)
		return cpt_status_invalid(st, "xml", "XML Factur-X absent");
	if (!canonical_profile(profile))
		return cpt_status_invalid(st, "profile", "Profil Factur-X inconnu : %s",
					  profile ? profile : "(aucun)");
	return CPT_OK;
}

int cpt_pdf_render_facturx(const cpt_doc_view *v, const void *xml, size_t xml_len,
			   const char *profile, GBytes **out, cpt_status *st)
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
	memset(&p, 0, sizeof p);
	if ((rc = check_facturx(v, xml, xml_len, profile, st)) != CPT_OK)
		return rc;
	profile = canonical_profile(profile);

	rc = cpt_pdf_build(&p, v, st);
	if (rc == CPT_OK)
		rc = add_metadata(&p, profile, st);
	if (rc == CPT_OK)
		rc = add_output_intent(&p, st);
	if (rc == CPT_OK)
		rc = add_invoice_file(&p, xml, xml_len, profile, st);
	if (rc == CPT_OK)
		rc = cpt_pdf_output(&p, out, st);
	cpt_pdf_close(&p);
	return rc;
}
