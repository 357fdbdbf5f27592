/*
 * Printing and exporting sales documents: the PDF (for a validated invoice,
 * deposit invoice or credit note, the file archived at validation, byte for
 * byte), the Factur-X PDF/A-3, and the e-invoices alone, CII and UBL.
 */
#include "db.h"
#include "docview.h"
#include "config.h"
#include "einvoice.h"
#include "handlers.h"
#include "log.h"
#include "pdf.h"
#include "sales.h"

#include <glib.h>
#include <openssl/evp.h>
#include <string.h>

static char *sha256_hex(cpt_call *call, const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	char *hex = cpt_call_alloc(call, 2 * n + 1);
	for (unsigned int i = 0; i < n; i++) {
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	}
	return hex;
}

/* A reply holding bytes (copied into the call's arena). */
static Comptoir__Sales__FileReply *file_reply(cpt_call *call, const char *name, const char *mime,
					      GBytes *bytes)
{
	Comptoir__Sales__FileReply *rep =
	    CPT_NEW(call, Comptoir__Sales__FileReply, comptoir__sales__file_reply__init);
	gsize len;
	const void *data = g_bytes_get_data(bytes, &len);
	rep->content.data = cpt_call_alloc(call, len ? len : 1);
	memcpy(rep->content.data, data, len);
	rep->content.len = len;
	rep->name = (char *)name;
	rep->mime_type = (char *)mime;
	rep->sha256 = sha256_hex(call, data, len);
	return rep;
}

int cpt_sales_render(cpt_call *call, cpt_status *st, int64_t id, bool facturx, GBytes **out,
		     bool *is_facturx)
{
	cpt_doc_view v;
	if (cpt_sales_docview(call, st, id, &v)) {
		return st->code;
	}
	*is_facturx = false;
	bool invoice = v.type == CPT_DOC_INVOICE || v.type == CPT_DOC_DEPOSIT_INVOICE ||
		       v.type == CPT_DOC_CREDIT_NOTE;
	if (facturx && invoice && *v.number) {
		GBytes *xml = NULL;
		cpt_status why = {0};
		if (cpt_einvoice_cii(&v, &xml, &why) == 0) {
			gsize len;
			const void *data = g_bytes_get_data(xml, &len);
			int rc = cpt_pdf_render_facturx(&v, data, len, CPT_PDF_FX_EN16931, out, st);
			g_bytes_unref(xml);
			*is_facturx = rc == 0;
			return rc;
		}
		/* Not an EN 16931 invoice yet (the company's details are missing):
		 * the PDF alone, which is the legal document. */
		cpt_info("%s: Factur-X impossible (%s : %s), PDF seul", v.number, why.field,
			 why.message);
	}
	return cpt_pdf_render(&v, out, st);
}

CPT_HANDLER(cpt_sales_print_run)
{
	const Comptoir__Sales__ExportRequest *req = (const void *)in;
	const char *format = *req->format ? req->format : "pdf";
	Comptoir__Sales__Document *doc;
	if (cpt_sales_load(call, st, req->id, "id", &doc)) {
		return st->code;
	}
	const char *base = *doc->number
			       ? doc->number
			       : cpt_call_printf(call, "brouillon-%lld", (long long)doc->id);
	if (strcmp(format, "pdf") == 0 || strcmp(format, "facturx") == 0) {
		/* The archive, when there is one: what was printed at validation. */
		PGresult *r = cpt_db_query(
		    call, st, "SELECT pdf FROM document_archive WHERE document_id = $1::bigint",
		    cpt_call_i64(call, req->id));
		if (!r) {
			return st->code;
		}
		if (PQntuples(r) == 1) {
			size_t len = 0;
			unsigned char *raw =
			    PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 0), &len);
			PQclear(r);
			GBytes *b = g_bytes_new(raw, len);
			PQfreemem(raw);
			Comptoir__Sales__FileReply *rep = file_reply(
			    call, cpt_call_printf(call, "%s.pdf", base), "application/pdf", b);
			g_bytes_unref(b);
			rep->archived = true;
			*out = &rep->base;
			return 0;
		}
		PQclear(r);
		bool chained = *doc->hash != '\0';
		if (chained && call->cfg && call->cfg->sales_archive_pdf) {
			/* Validated but not archived (the daemon stopped in between): now. */
			if (cpt_sales_archive(call, st, req->id)) {
				return st->code;
			}
			return cpt_sales_print_run(call, in, out, st);
		}
		GBytes *pdf = NULL;
		bool fx;
		if (cpt_sales_render(call, st, req->id, strcmp(format, "facturx") == 0, &pdf,
				     &fx)) {
			return st->code;
		}
		Comptoir__Sales__FileReply *rep =
		    file_reply(call, cpt_call_printf(call, "%s.pdf", base), "application/pdf", pdf);
		g_bytes_unref(pdf);
		*out = &rep->base;
		return 0;
	}
	cpt_doc_view v;
	if (cpt_sales_docview(call, st, req->id, &v)) {
		return st->code;
	}
	GBytes *b = NULL;
	const char *ext;
	if (strcmp(format, "cii") == 0) {
		ext = "xml";
		if (cpt_einvoice_cii(&v, &b, st)) {
			return st->code;
		}
	} else if (strcmp(format, "ubl") == 0) {
		ext = "ubl.xml";
		if (cpt_einvoice_ubl(&v, &b, st)) {
			return st->code;
		}
	} else {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "format",
				      "format attendu : pdf, facturx, cii ou ubl");
	}
	Comptoir__Sales__FileReply *rep =
	    file_reply(call, cpt_call_printf(call, "%s.%s", base, ext), "application/xml", b);
	g_bytes_unref(b);
	*out = &rep->base;
	return 0;
}
