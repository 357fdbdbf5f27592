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
#include "mail_outbox.h"
#include "money.h"
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

/* ---------------------------------------------------------------------------
 * Sending a document by e-mail
 */

const char *const CPT_SALES_MAIL_KEYS[CPT_SALES_N_MAIL_KEYS] = {
    "title", "number", "date", "amount", "due_date", "company", "client"};

/* template with {key} replaced by values[k] where keys[k] = key. */
static char *fill(cpt_call *call, const char *template, const char *const *keys,
		  const char *const *values, size_t n)
{
	GString *s = g_string_new(NULL);
	for (const char *c = template; *c; c++) {
		bool done = false;
		if (*c == '{') {
			for (size_t k = 0; k < n && !done; k++) {
				size_t len = strlen(keys[k]);
				if (strncmp(c + 1, keys[k], len) == 0 && c[1 + len] == '}') {
					g_string_append(s, values[k]);
					c += len + 1;
					done = true;
				}
			}
		}
		if (!done) {
			g_string_append_c(s, *c);
		}
	}
	char *out = cpt_call_strdup(call, s->str);
	g_string_free(s, TRUE);
	return out;
}

static char *french_date(cpt_call *call, const char *iso)
{
	if (strlen(iso) < 10) {
		return "";
	}
	return cpt_call_printf(call, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

CPT_HANDLER(cpt_sales_send_run)
{
	const Comptoir__Sales__SendRequest *req = (const void *)in;
	Comptoir__Sales__Document *doc;
	if (cpt_sales_load(call, st, req->id, "id", &doc)) {
		return st->code;
	}
	if (strcmp(doc->state, "draft") == 0) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "id",
				      "validez le document avant de l'envoyer");
	}
	PGresult *r = cpt_db_query(
	    call, st,
	    "SELECT c.name, c.mail_subject, c.mail_body, c.email,"
	    " coalesce((SELECT k.email FROM party_contact k WHERE k.party_id = $1::bigint"
	    "  AND k.email <> '' ORDER BY k.id LIMIT 1), '')"
	    " FROM company c WHERE c.id = cpt_company()",
	    cpt_call_i64(call, doc->party_id));
	if (!r) {
		return st->code;
	}
	const char *company = cpt_call_strdup(call, cpt_db_str(r, 0, 0));
	const char *subject_t = cpt_call_strdup(call, cpt_db_str(r, 0, 1));
	const char *body_t = cpt_call_strdup(call, cpt_db_str(r, 0, 2));
	const char *reply_to = cpt_call_strdup(call, cpt_db_str(r, 0, 3));
	const char *contact = cpt_call_strdup(call, cpt_db_str(r, 0, 4));
	PQclear(r);
	const char *const *to = (const char *const *)req->to;
	size_t n_to = req->n_to;
	if (n_to == 0) {
		if (!*contact) {
			return cpt_status_set(st, CPT_FAILED_PRECONDITION, "to",
					      "aucun contact de ce client n'a d'adresse e-mail");
		}
		const char **one = cpt_call_alloc(call, sizeof(char *) * 2);
		one[0] = contact;
		to = one;
		n_to = 1;
	}
	cpt_doc_view v;
	if (cpt_sales_docview(call, st, req->id, &v)) {
		return st->code;
	}
	char amount[64];
	cpt_money_format(doc->gross_total, amount, sizeof amount);
	const char *const *keys = CPT_SALES_MAIL_KEYS;
	g_autofree char *title = g_utf8_strdown(v.title, -1);
	const char *values[] = {title,
				doc->number,
				french_date(call, doc->issue_date),
				amount,
				french_date(call, doc->due_date),
				company,
				doc->party_name};
	/* The file as archived when there is one, else rendered now. */
	GBytes *pdf = NULL;
	r = cpt_db_query(call, st,
			 "SELECT pdf FROM document_archive WHERE document_id = $1::bigint",
			 cpt_call_i64(call, req->id));
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 1) {
		size_t len = 0;
		unsigned char *raw =
		    PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 0), &len);
		pdf = g_bytes_new(raw, len);
		PQfreemem(raw);
	}
	PQclear(r);
	bool fx;
	if (!pdf && cpt_sales_render(call, st, req->id, true, &pdf, &fx)) {
		return st->code;
	}
	gsize len;
	const uint8_t *data = g_bytes_get_data(pdf, &len);
	cpt_mail_attachment att = {cpt_call_printf(call, "%s %s.pdf", v.title, doc->number),
				   "application/pdf", data, len};
	cpt_mail m = {.to = to,
		      .n_to = n_to,
		      .reply_to = reply_to,
		      .subject = *req->subject
				     ? req->subject
				     : fill(call, subject_t, keys, values, CPT_SALES_N_MAIL_KEYS),
		      .body = *req->body ? req->body
					 : fill(call, body_t, keys, values, CPT_SALES_N_MAIL_KEYS),
		      .attachments = &att,
		      .n_attachments = 1,
		      .ref_table = "sales_document",
		      .ref_id = req->id};
	int64_t mail_id = 0;
	int rc = cpt_mail_queue(call, st, &m, &mail_id);
	g_bytes_unref(pdf);
	if (rc) {
		return rc;
	}
	if (strcmp(doc->type, "quote") == 0 && strcmp(doc->state, "validated") == 0) {
		const char *p[] = {cpt_call_i64(call, req->id)};
		r = cpt_db_exec(call, st,
				"UPDATE sales_document SET state = 'sent' WHERE id = $1::bigint", 1,
				p);
		if (!r) {
			return st->code;
		}
		PQclear(r);
	}
	Comptoir__Sales__SendReply *rep =
	    CPT_NEW(call, Comptoir__Sales__SendReply, comptoir__sales__send_reply__init);
	rep->mail_id = mail_id;
	rep->n_to = n_to;
	rep->to = (char **)to;
	*out = &rep->base;
	return 0;
}
