/*
 * What the sales modules share: sales_docs.c (drafts: save, read, list,
 * delete), sales_validate.c (legal numbering, hash chain, canonical
 * content), sales_convert.c (the chain from quote to invoice, credit notes,
 * quote states). The Quotes and Invoices services run the same handlers; the
 * call's method tells which book a request may reach.
 */
#ifndef CPT_SALES_H
#define CPT_SALES_H

#include "call.h"

#include "sales.pb-c.h"

#include <glib.h>
#include <libpq-fe.h>
#include <stdbool.h>

/* Whether the call goes through the Invoices service (else Quotes). */
bool cpt_sales_invoices_book(const cpt_call *call);
/* Whether type belongs to the call's book. */
bool cpt_sales_type_in_book(const cpt_call *call, const char *type);
/* Whether type is a known document type. */
bool cpt_sales_type_known(const char *type);
/* "sales_quote"... the topic live lists follow. */
const char *cpt_sales_topic(const char *type);

/*
 * Saves a draft (doc->id 0: creates it) with its lines: checks everything,
 * computes the amounts, writes. *id is the document's. Neither notifies nor
 * audits. The input is not modified. internal: the caller is the server
 * itself (conversions, credit notes), whose lines' source_line_id and
 * document's corrects_id are kept; a client's are ignored. saved, if not
 * NULL, gets the document as stored (lines included), as Get would read it
 * unless the caller adds links to it.
 */
int cpt_sales_save(cpt_call *call, cpt_status *st, const Comptoir__Sales__Document *doc,
		   bool internal, int64_t *id, Comptoir__Sales__Document **saved);

/* A DocumentReply with document id as stored, in *out (call's arena). */
int cpt_sales_reply(cpt_call *call, cpt_status *st, int64_t id, ProtobufCMessage **out);

/*
 * A document's columns as the reply reads them, for a SELECT or a RETURNING
 * whose sales_document is named d; and its lines' (position last).
 */
#define CPT_SALES_STATE                                                                            \
	"CASE WHEN d.type = 'quote' AND d.state IN ('validated', 'sent')"                          \
	" AND d.valid_until < current_date THEN 'expired' ELSE d.state END"
#define CPT_SALES_DOC_COLS                                                                         \
	"d.id, d.type, " CPT_SALES_STATE ", coalesce(d.number, ''), d.party_id,"                   \
	" (SELECT code FROM party WHERE id = d.party_id),"                                         \
	" coalesce(d.buyer->>'name', (SELECT name FROM party WHERE id = d.party_id)),"             \
	" d.issue_date::text, coalesce(d.due_date::text, ''), coalesce(d.valid_until::text, ''),"  \
	" coalesce(d.delivery_date::text, ''), d.payment_terms, d.prices_include_vat,"             \
	" d.discount_rate, coalesce(d.exemption_code, ''), d.buyer_reference, d.notes,"            \
	" coalesce(d.delivery_address_id, 0), d.lines_net, d.discount_amount, d.net_total,"        \
	" d.vat_total, d.gross_total, d.prepaid, d.amount_due, d.eco_total,"                       \
	" coalesce(d.corrects_id, 0), coalesce(d.hash, ''),"                                       \
	" coalesce(extract(epoch FROM d.validated_at)::bigint, 0),"                                \
	" coalesce((SELECT array_to_json(array_agg(from_id ORDER BY from_id))::text"               \
	"  FROM sales_link WHERE to_id = d.id), '[]'), d.progress_rate, d.progress_previous"
/*
 * The buyer as a document says it, built from party p and document d (its
 * delivery address): frozen into sales_document.buyer at validation, and
 * read the same way for a draft's view.
 */
#define CPT_SALES_BUYER_JSON                                                                       \
	"json_build_object('code', p.code, 'name', p.name, 'legal_form', p.legal_form,"            \
	" 'country', p.country, 'siren', p.siren, 'siret', p.siret,"                               \
	" 'be_enterprise', p.be_enterprise, 'vat_number', p.vat_number,"                           \
	" 'billing', (SELECT json_build_object('line1', a.line1, 'line2', a.line2,"                \
	"   'postcode', a.postcode, 'city', a.city, 'country', a.country) FROM party_address a"    \
	"   WHERE a.party_id = p.id AND a.kind = 'billing' ORDER BY a.id LIMIT 1),"                \
	" 'delivery', (SELECT json_build_object('label', a.label, 'line1', a.line1,"               \
	"   'line2', a.line2, 'postcode', a.postcode, 'city', a.city, 'country', a.country)"       \
	"   FROM party_address a WHERE a.id = d.delivery_address_id),"                             \
	" 'contact', (SELECT json_build_object('name', c.name, 'email', c.email)"                  \
	"   FROM party_contact c WHERE c.party_id = p.id ORDER BY c.id LIMIT 1))::jsonb"

#define CPT_SALES_LINE_COLS                                                                        \
	"id, kind, coalesce(article_id, 0), article_code, label, unit, quantity, unit_price,"      \
	" discount, vat_rate, vat_category, eco_contribution, amount, net,"                        \
	" coalesce(source_line_id, 0), position"

/* The document in row 0 of r, from column first on (CPT_SALES_DOC_COLS). */
Comptoir__Sales__Document *cpt_sales_doc_of(cpt_call *call, const PGresult *r, int first);
/* d's lines from r's rows, from column first on (CPT_SALES_LINE_COLS). */
int cpt_sales_lines_of(cpt_call *call, cpt_status *st, const PGresult *r, int first,
		       Comptoir__Sales__Document *d);

/* Loads document id of the call's book (NOT_FOUND on field). */
int cpt_sales_load(cpt_call *call, cpt_status *st, int64_t id, const char *field,
		   Comptoir__Sales__Document **out);

/*
 * The canonical text a validated document's hash covers, read back from the
 * database as comptoirctl verify reads it (caller g_free()s), and its hash:
 * SHA-256 of the previous hash, a line feed, and that text, in hex.
 */
char *cpt_sales_canonical(PGconn *db, int64_t id, cpt_status *st);
void cpt_sales_hash(const char *previous, const char *canonical, char out[65]);

/*
 * Document id as its renderers see it (docview.h): strings in the call's
 * arena. The buyer is the one frozen at validation, or the live one for a
 * draft.
 */
struct cpt_doc_view;
int cpt_sales_docview(cpt_call *call, cpt_status *st, int64_t id, struct cpt_doc_view *v);

/*
 * Document id rendered to PDF (*out, caller unrefs): facturx, for a
 * validated invoice or credit note whose details make an EN 16931 invoice,
 * the PDF/A-3 with its CII (*is_facturx then true); otherwise the PDF alone.
 */
int cpt_sales_render(cpt_call *call, cpt_status *st, int64_t id, bool facturx, GBytes **out,
		     bool *is_facturx);

/*
 * Renders document id (validated) and archives it with its SHA-256, unless
 * it already is: printing it again returns these bytes. Run right after
 * the validation commits, outside the numbering locks, and by the first
 * print should that have been missed (a crash between the two).
 */
int cpt_sales_archive(cpt_call *call, cpt_status *st, int64_t id);

/*
 * What a document's message (company.mail_subject, mail_body) may say in
 * braces: {title} {number} {date} {amount} {due_date} {company} {client}.
 */
#define CPT_SALES_N_MAIL_KEYS 7
extern const char *const CPT_SALES_MAIL_KEYS[CPT_SALES_N_MAIL_KEYS];

#endif
