/*
 * Unit tests for the Factur-X container (server/pdf_facturx.c): the invoice
 * PDF made PDF/A-3B with factur-x.xml embedded. The structure is checked in
 * the file's own bytes (dictionaries are never compressed; the XMP stream
 * must not be), the attachment is extracted back with qpdf, and the whole
 * file goes through ../shared/standards/validate-einvoice.sh with the
 * official EN 16931 example XML: XSD, EN 16931 and Factur-X Schematron, and
 * its PDF-* container checks. That last test is skipped, saying so, only
 * when the standards folder is absent ($CPT_STANDARDS_DIR overrides it).
 */
#include "pdf_fixtures.h"

#include <stdio.h>

/* A CII skeleton for the container checks that do not validate the XML. */
static const char small_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<rsm:CrossIndustryInvoice "
    "xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\"/>\n";

static char *standards_dir(void)
{
	const char *env = g_getenv("CPT_STANDARDS_DIR");
	g_autofree char *cwd = g_get_current_dir();
	char *dir =
	    env && *env ? g_strdup(env) : g_build_filename(cwd, "..", "shared", "standards", NULL);
	g_autofree char *script = g_build_filename(dir, "validate-einvoice.sh", NULL);

	if (g_file_test(script, G_FILE_TEST_IS_REGULAR))
		return dir;
	g_free(dir);
	return NULL;
}

static fixture *invoice(void)
{
	fixture *f = fixture_new(CPT_DOC_INVOICE, "FA-2026-0050");

	add_item(f, "MO", "Entretien annuel de la chaudière", "u", 1000, 1500000, 0, 2000, 0);
	add_item(f, "JNT", "Joint de porte foyer", "u", 2000, 125000, 0, 2000, 0);
	finish(f, 0);
	return f;
}

static GBytes *render_fx(const cpt_doc_view *v, const void *xml, size_t len, const char *profile)
{
	GBytes *pdf = NULL;
	cpt_status st = CPT_STATUS_OK;

	if (cpt_pdf_render_facturx(v, xml, len, profile, &pdf, &st) != CPT_OK)
		fail_msg("render_facturx: %s (%s)", st.message, st.field);
	return pdf;
}

static void assert_bytes_have(GBytes *pdf, const char *needle)
{
	if (!memmem(g_bytes_get_data(pdf, NULL), g_bytes_get_size(pdf), needle, strlen(needle)))
		fail_msg("missing from the PDF file: \"%s\"", needle);
}

static void container_has_every_pdfa3_part(void **state)
{
	fixture *f = invoice();
	g_autoptr(GBytes) pdf = render_fx(&f->v, small_xml, strlen(small_xml), "EN 16931");
	g_autofree char *path = save_pdf(pdf, "facturx-small.pdf");

	assert_qpdf_check(path);
	assert_memory_equal(g_bytes_get_data(pdf, NULL), "%PDF-1.7", 8);
	/* XMP, readable in the file itself: PDF/A forbids compressing it. */
	assert_bytes_have(pdf, "<pdfaid:part>3</pdfaid:part>");
	assert_bytes_have(pdf, "<pdfaid:conformance>B</pdfaid:conformance>");
	assert_bytes_have(pdf, "<fx:DocumentType>INVOICE</fx:DocumentType>");
	assert_bytes_have(pdf, "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>");
	assert_bytes_have(pdf, "<fx:Version>1.0</fx:Version>");
	assert_bytes_have(pdf, "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>");
	assert_bytes_have(pdf, "<pdfaSchema:prefix>fx</pdfaSchema:prefix>");
	/* The XMP repeats the Info dictionary. */
	assert_bytes_have(pdf, "<rdf:li xml:lang=\"x-default\">Facture FA-2026-0050</rdf:li>");
	assert_bytes_have(pdf, "<xmp:CreateDate>2026-01-15T00:00:00+00:00</xmp:CreateDate>");
	assert_bytes_have(pdf, "/CreationDate (D:20260115000000+00'00')");
	assert_bytes_have(pdf, "/Type /Metadata");
	/* Output intent with its ICC profile. */
	assert_bytes_have(pdf, "/OutputIntents");
	assert_bytes_have(pdf, "/S /GTS_PDFA1");
	assert_bytes_have(pdf, "/DestOutputProfile");
	/* The associated file. */
	assert_bytes_have(pdf, "/Type /EmbeddedFile");
	assert_bytes_have(pdf, "/Subtype /text#2Fxml");
	assert_bytes_have(pdf, "/ModDate (D:20260115000000+00'00')");
	g_autofree char *size = g_strdup_printf("/Size %zu", strlen(small_xml));
	assert_bytes_have(pdf, size);
	assert_bytes_have(pdf, "/F (factur-x.xml)");
	assert_bytes_have(pdf, "/UF (factur-x.xml)");
	assert_bytes_have(pdf, "/AFRelationship /Alternative");
	assert_bytes_have(pdf, "/EmbeddedFiles");
	assert_bytes_have(pdf, "/AF [");
	assert_bytes_have(pdf, "/ID [ <");

	/* qpdf finds the attachment and gives back the same bytes. */
	const char *show[] = {"qpdf", "--show-attachment=factur-x.xml", path, NULL};
	int code;
	g_autofree char *xml = run_tool(show, &code);
	assert_int_equal(code, 0);
	assert_string_equal(xml, small_xml);
	fixture_free(f);
}

static void container_keeps_the_printed_invoice_and_its_bytes(void **state)
{
	fixture *f = invoice();
	g_autoptr(GBytes) plain = NULL;
	g_autoptr(GBytes) a = render_fx(&f->v, small_xml, strlen(small_xml), "EN 16931");
	g_autoptr(GBytes) b = render_fx(&f->v, small_xml, strlen(small_xml), "en 16931");

	assert_true(g_bytes_equal(a, b));
	assert_int_equal(cpt_pdf_render(&f->v, &plain, NULL), CPT_OK);
	g_autofree char *plain_path = save_pdf(plain, "facturx-plain.pdf");
	g_autofree char *fx_path = save_pdf(a, "facturx-same.pdf");
	g_autofree char *plain_text = pdf_text(plain_path);
	g_autofree char *fx_text = pdf_text(fx_path);
	assert_string_equal(plain_text, fx_text);
	assert_has(fx_text, "N° FA-2026-0050");

	/* MINIMUM and BASIC WL carry data, not the invoice itself. */
	g_autoptr(GBytes) wl = render_fx(&f->v, small_xml, strlen(small_xml), "BASIC WL");
	assert_bytes_have(wl, "/AFRelationship /Data");
	assert_bytes_have(wl, "<fx:ConformanceLevel>BASIC WL</fx:ConformanceLevel>");
	fixture_free(f);
}

static void only_numbered_invoices_become_facturx(void **state)
{
	fixture *f = invoice();
	GBytes *pdf = NULL;
	cpt_status st = CPT_STATUS_OK;
	const size_t len = strlen(small_xml);

	assert_int_equal(cpt_pdf_render_facturx(&f->v, small_xml, len, "EXTENDED+", &pdf, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "profile");
	assert_int_equal(cpt_pdf_render_facturx(&f->v, NULL, 0, "EN 16931", &pdf, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "xml");
	f->v.type = CPT_DOC_QUOTE;
	assert_int_equal(cpt_pdf_render_facturx(&f->v, small_xml, len, "EN 16931", &pdf, &st),
			 CPT_FAILED_PRECONDITION);
	f->v.type = CPT_DOC_PROFORMA;
	assert_int_equal(cpt_pdf_render_facturx(&f->v, small_xml, len, "EN 16931", &pdf, &st),
			 CPT_FAILED_PRECONDITION);
	f->v.type = CPT_DOC_INVOICE;
	f->v.number = "";
	assert_int_equal(cpt_pdf_render_facturx(&f->v, small_xml, len, "EN 16931", &pdf, NULL),
			 CPT_FAILED_PRECONDITION);
	assert_null(pdf);
	/* A credit note is an e-invoice too. */
	f->v.type = CPT_DOC_CREDIT_NOTE;
	f->v.number = "AV-2026-0004";
	assert_int_equal(cpt_pdf_render_facturx(&f->v, small_xml, len, "EN 16931", &pdf, &st),
			 CPT_OK);
	g_bytes_unref(pdf);
	fixture_free(f);
}

static void official_validator_passes_the_en16931_example(void **state)
{
	g_autofree char *dir = standards_dir();
	if (!dir) {
		print_message("SKIPPED: ../shared/standards is absent (set CPT_STANDARDS_DIR): "
			      "the Factur-X PDF was not run through validate-einvoice.sh\n");
		skip();
	}
	g_autofree char *example =
	    g_build_filename(dir, "factur-x", "examples", "factur-x-en16931.xml", NULL);
	g_autofree char *xml = NULL;
	gsize len = 0;
	assert_true(g_file_get_contents(example, &xml, &len, NULL));

	fixture *f = invoice();
	g_autoptr(GBytes) pdf = render_fx(&f->v, xml, len, CPT_PDF_FX_EN16931);
	g_autofree char *path = save_pdf(pdf, "facturx-en16931.pdf");
	g_autofree char *script = g_build_filename(dir, "validate-einvoice.sh", NULL);
	const char *argv[] = {script, path, NULL};
	int code;
	g_autofree char *out = run_tool(argv, &code);

	g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
	for (size_t i = 0; lines[i]; i++)
		print_message("%s\n", lines[i]);
	if (code != 0 || !strstr(out, "RESULT: PASS"))
		fail_msg("validate-einvoice.sh exited %d", code);
	assert_has(out, "[PDF] XMP pdfaid:part=3: OK");
	assert_has(out, "[PDF] /AFRelationship on embedded file: OK");
	assert_has(out, "[PDF] /AF array present: OK");
	assert_lacks(out, "PDF-XMP-LEVEL");
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(container_has_every_pdfa3_part),
	    cmocka_unit_test(container_keeps_the_printed_invoice_and_its_bytes),
	    cmocka_unit_test(only_numbered_invoices_become_facturx),
	    cmocka_unit_test(official_validator_passes_the_en16931_example),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
