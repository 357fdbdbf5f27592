/*
 * Validating a draft: the legal number and the archive.
 *
 * The number is taken from document_sequence inside the validating
 * transaction (INSERT ... ON CONFLICT DO UPDATE ... RETURNING locks the
 * series' row until commit): gapless and chronological per company, series
 * and fiscal year, and a rolled-back validation gives its number back.
 * Invoices, deposit invoices and credit notes are dated the day they are
 * validated, so numbers and dates go up together.
 *
 * Those three are then chained: each one's hash is the SHA-256 of the
 * previous one's hash, a line feed, and its canonical text (below), read
 * back from the database exactly as comptoirctl verify reads it. The head of
 * the chain (document_chain) is locked the same way as the numbers.
 */
#include "audit.h"
#include "config.h"
#include "db.h"
#include "events.h"
#include "handlers.h"
#include "sales.h"

#include <glib.h>
#include <openssl/evp.h>
#include <string.h>

/* The numbering series of each type, and whether it is chained. */
static const struct {
	const char *type, *series;
	bool chained;
} SERIES[] = {
    {"quote", "DEV", false},   {"order", "CMD", false},		{"delivery", "BL", false},
    {"invoice", "FA", true},   {"deposit_invoice", "FA", true}, {"credit_note", "AV", true},
    {"proforma", "PF", false},
};

/* ---------------------------------------------------------------------------
 * Canonical text and hash (shared with comptoirctl verify)
 */

/* The canonical fields of the document's row, in their order. */
#define CANON_DOC_COLS                                                                             \
	"type, coalesce(number, ''), issue_date::text, coalesce(due_date::text, ''),"              \
	" party_id::text, buyer::text, prices_include_vat::text, discount_rate::text,"             \
	" coalesce(exemption_code, ''), lines_net::text, discount_amount::text, net_total::text,"  \
	" vat_total::text, gross_total::text, prepaid::text, amount_due::text,"                    \
	" coalesce(corrects_id, 0)::text, coalesce(chain_seq, 0)::text, progress_rate::text,"      \
	" progress_previous::text"
static const char SQL_CANON_DOC[] =
    "SELECT " CANON_DOC_COLS " FROM sales_document WHERE id = $1::bigint";
static const char *const CANON_DOC_NAMES[] = {
    "type",	  "number",	 "issue_date",	  "due_date",	   "party_id",
    "buyer",	  "ttc",	 "discount_rate", "exemption",	   "lines_net",
    "discount",	  "net_total",	 "vat_total",	  "gross_total",   "prepaid",
    "amount_due", "corrects_id", "chain_seq",	  "progress_rate", "progress_previous"};

#define CANON_LINE_COLS                                                                            \
	"position::text, kind, article_code, label, unit, quantity::text, unit_price::text,"       \
	" discount::text, vat_rate::text, vat_category, amount::text, net::text"
enum { CANON_LINE_FIELDS = 12 };
/*
 * The lines come in the text order of their positions (1, 10, 2...): the
 * order the chain has hashed them in since its first link, kept as it is.
 */
static const char SQL_CANON_LINES[] =
    "SELECT " CANON_LINE_COLS " FROM sales_line WHERE document_id = $1::bigint ORDER BY position";
/* The same, then the lines as the reply reads them (validate's). */
static const char SQL_LINES_BOTH[] = "SELECT " CANON_LINE_COLS ", " CPT_SALES_LINE_COLS
				     " FROM sales_line l WHERE document_id = $1::bigint"
				     " ORDER BY l.position::text";

/* key=value, with backslash and line feed escaped so that a value cannot forge a line. */
static void canon_field(GString *s, const char *key, const char *value)
{
	g_string_append(s, key);
	g_string_append_c(s, '=');
	for (const char *c = value; *c; c++) {
		if (*c == '\\') {
			g_string_append(s, "\\\\");
		} else if (*c == '\n') {
			g_string_append(s, "\\n");
		} else {
			g_string_append_c(s, *c);
		}
	}
	g_string_append_c(s, '\n');
}

/*
 * The canonical text from the document's row and lines (SQL_CANON_DOC and
 * SQL_CANON_LINES), doc's fields from its column first on. With cut, the number's and the chain
 * place's values are left out and cut[0] and cut[1] say where they go: the validating statement
 * learns them under its lock and puts them there (see validate()).
 */
static char *canonical_of(const PGresult *doc, int first, const PGresult *lines, size_t cut[2])
{
	GString *s = g_string_new("comptoir-document-v1\n");
	for (int c = 0; c < (int)G_N_ELEMENTS(CANON_DOC_NAMES); c++) {
		const char *name = CANON_DOC_NAMES[c];
		int at = strcmp(name, "number") == 0 ? 0 : strcmp(name, "chain_seq") == 0 ? 1 : -1;
		if (cut && at >= 0) {
			g_string_append_printf(s, "%s=", name);
			cut[at] = s->len;
			g_string_append_c(s, '\n');
		} else {
			canon_field(s, name, PQgetvalue(doc, 0, first + c));
		}
	}
	for (int i = 0; i < PQntuples(lines); i++) {
		g_string_append(s, "line\n");
		for (int c = 0; c < CANON_LINE_FIELDS; c++) {
			canon_field(s, PQfname(lines, c), PQgetvalue(lines, i, c));
		}
	}
	return g_string_free(s, FALSE);
}

/* Reads the two parts of a document's canonical text; false with st set. */
static bool canonical_parts(PGconn *db, int64_t id, PGresult **doc, PGresult **lines,
			    cpt_status *st)
{
	char idtext[24];
	snprintf(idtext, sizeof idtext, "%lld", (long long)id);
	const char *p[] = {idtext};
	*lines = NULL;
	*doc = PQexecParams(db, SQL_CANON_DOC, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(*doc) != PGRES_TUPLES_OK || PQntuples(*doc) != 1) {
		cpt_status_set(st, CPT_INTERNAL, NULL, "document %s illisible : %s", idtext,
			       PQresultErrorMessage(*doc));
		PQclear(*doc);
		return false;
	}
	*lines = PQexecParams(db, SQL_CANON_LINES, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(*lines) != PGRES_TUPLES_OK) {
		cpt_status_set(st, CPT_INTERNAL, NULL, "lignes du document %s illisibles", idtext);
		PQclear(*doc);
		PQclear(*lines);
		return false;
	}
	return true;
}

char *cpt_sales_canonical(PGconn *db, int64_t id, cpt_status *st)
{
	PGresult *doc, *lines;
	if (!canonical_parts(db, id, &doc, &lines, st)) {
		return NULL;
	}
	char *text = canonical_of(doc, 0, lines, NULL);
	PQclear(doc);
	PQclear(lines);
	return text;
}

void cpt_sales_hash(const char *previous, const char *canonical, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, previous, strlen(previous));
	EVP_DigestUpdate(ctx, "\n", 1);
	EVP_DigestUpdate(ctx, canonical, strlen(canonical));
	EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	for (unsigned int i = 0; i < len && i < 32; i++) {
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	}
	out[64] = '\0';
}

/* ---------------------------------------------------------------------------
 * Validation
 */

static int exec_params(cpt_call *call, cpt_status *st, const char *sql, int n, const char *const *v,
		       PGresult **out)
{
	PGresult *r = cpt_db_exec(call, st, sql, n, v);
	if (!r) {
		return st->code;
	}
	if (out) {
		*out = r;
	} else {
		PQclear(r);
	}
	return 0;
}

/* The buyer as the document will say it forever. */
static const char SQL_BUYER[] =
    "SELECT " CPT_SALES_BUYER_JSON " AS buyer"
    " FROM sales_document d JOIN party p ON p.id = d.party_id WHERE d.id = $1::bigint";

int cpt_sales_archive(cpt_call *call, cpt_status *st, int64_t id)
{
	GBytes *pdf = NULL;
	bool fx;
	if (cpt_sales_render(call, st, id, true, &pdf, &fx)) {
		return st->code;
	}
	gsize len;
	const unsigned char *data = g_bytes_get_data(pdf, &len);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	char hex[65];
	for (unsigned int i = 0; i < n && i < 32; i++) {
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	}
	const char *v[] = {cpt_call_i64(call, id), (const char *)data, hex};
	const int lengths[] = {0, (int)len, 0};
	const int formats[] = {0, 1, 0};
	PGresult *r = cpt_db_exec_bytes(call, st,
					"INSERT INTO document_archive (document_id, pdf, sha256)"
					" VALUES ($1::bigint, $2, $3)",
					3, v, lengths, formats, 0);
	g_bytes_unref(pdf);
	if (!r) {
		return st->code;
	}
	PQclear(r);
	return 0;
}

/*
 * The draft, locked, as it will be once validated: its type, state, item
 * count and fiscal year, then its canonical fields (SQL_CANON_DOC's order)
 * with the frozen buyer and, for chained documents, today's dates, then the
 * document as the reply reads it (CPT_SALES_DOC_COLS).
 */
#define VALIDATE_CHAINED "d.type IN ('invoice', 'deposit_invoice', 'credit_note')"
static const char SQL_DRAFT[] =
    "SELECT d.type, d.state, (SELECT count(*) FROM sales_line l"
    "  WHERE l.document_id = d.id AND l.kind = 'item'),"
    " extract(year FROM v.issue)::int,"
    " d.type, '', v.issue::text, coalesce(v.due::text, ''), d.party_id::text, v.buyer::text,"
    " d.prices_include_vat::text, d.discount_rate::text, coalesce(d.exemption_code, ''),"
    " d.lines_net::text, d.discount_amount::text, d.net_total::text, d.vat_total::text,"
    " d.gross_total::text, d.prepaid::text, d.amount_due::text,"
    " coalesce(d.corrects_id, 0)::text, '', d.progress_rate::text, d.progress_previous::text,"
    " " CPT_SALES_DOC_COLS " FROM sales_document d, LATERAL (SELECT"
    "  CASE WHEN " VALIDATE_CHAINED " THEN current_date ELSE d.issue_date END AS issue,"
    "  CASE WHEN " VALIDATE_CHAINED " AND d.due_date IS NOT NULL"
    "   THEN current_date + (d.due_date - d.issue_date) ELSE d.due_date END AS due,"
    "  (%s) AS buyer) v"
    " WHERE d.id = $1::bigint FOR UPDATE OF d";
enum { DRAFT_CANON = 4, DRAFT_DOC = DRAFT_CANON + 20 }; /* where SQL_DRAFT's parts begin */

/*
 * Validates draft id; *out is the validated document as the reply shows it,
 * read with the draft and completed from the locking statement.
 */
static int validate(cpt_call *call, cpt_status *st, int64_t id, bool *chained_out,
		    Comptoir__Sales__Document **out)
{
	PGresult *r = NULL;
	const char *pid = cpt_call_i64(call, id);
	const char *p1[] = {pid};
	/*
	 * First what needs no lock but the draft's own: checks, canonical text,
	 * audit. The draft (locked) and its lines are read in one round trip.
	 */
	const cpt_db_stmt reads[] = {{cpt_call_printf(call, SQL_DRAFT, SQL_BUYER), 1, p1},
				     {SQL_LINES_BOTH, 1, p1}};
	PGresult *got[2];
	if (cpt_db_exec_all(call, st, 2, reads, got)) {
		return st->code;
	}
	r = got[0];
	PGresult *lines = got[1];
	if (PQntuples(r) == 0 || !cpt_sales_type_in_book(call, cpt_db_str(r, 0, 0))) {
		PQclear(r);
		PQclear(lines);
		return cpt_status_set(st, CPT_NOT_FOUND, "id", "document introuvable");
	}
	const char *type = cpt_call_strdup(call, cpt_db_str(r, 0, 0));
	bool draft = strcmp(cpt_db_str(r, 0, 1), "draft") == 0;
	int64_t items = cpt_db_i64(r, 0, 2);
	const char *year = cpt_call_strdup(call, cpt_db_str(r, 0, 3));
	const char *issue = cpt_call_strdup(call, cpt_db_str(r, 0, DRAFT_CANON + 2));
	const char *due = cpt_call_strdup(call, cpt_db_str(r, 0, DRAFT_CANON + 3));
	const char *buyer = cpt_call_strdup(call, cpt_db_str(r, 0, DRAFT_CANON + 5));
	if (!draft || items == 0) {
		PQclear(r);
		PQclear(lines);
		return !draft ? cpt_status_set(st, CPT_FAILED_PRECONDITION, "id",
					       "document déjà validé")
			      : cpt_status_set(st, CPT_FAILED_PRECONDITION, "lines",
					       "un document sans ligne ne se valide pas");
	}
	const char *series = "FA";
	bool chained = false;
	for (size_t i = 0; i < G_N_ELEMENTS(SERIES); i++) {
		if (strcmp(SERIES[i].type, type) == 0) {
			series = SERIES[i].series;
			chained = SERIES[i].chained;
		}
	}
	*out = cpt_sales_doc_of(call, r, DRAFT_DOC);
	size_t cut[2] = {0, 0};
	char *canonical = NULL;
	if (cpt_sales_lines_of(call, st, lines, CANON_LINE_FIELDS, *out)) {
		PQclear(r);
		PQclear(lines);
		return st->code;
	}
	if (chained) {
		canonical = canonical_of(r, DRAFT_CANON, lines, cut);
	}
	PQclear(lines);
	PQclear(r);
	if (strcmp(type, "credit_note") == 0) {
		/*
		 * Again, the invoice locked: two drafts validated at once must not
		 * both pass, nor a credit note of a deposit an invoice deducts
		 * meanwhile (the conversion locks the deposit too). The lock is
		 * taken by a statement of its own, so that the check, a statement
		 * after it, reads what committed while it waited.
		 */
		if (exec_params(call, st,
				"SELECT 1 FROM sales_document i WHERE i.id = (SELECT corrects_id"
				" FROM sales_document WHERE id = $1::bigint) FOR UPDATE",
				1, p1, &r)) {
			g_free(canonical);
			return st->code;
		}
		PQclear(r);
		if (exec_params(
			call, st,
			"SELECT i.gross_total - (SELECT coalesce(sum(c.gross_total), 0)"
			" FROM sales_document c WHERE c.corrects_id = i.id"
			" AND c.type = 'credit_note' AND c.number IS NOT NULL),"
			" d.gross_total, (SELECT coalesce('sur la facture ' || f.number"
			" || ' : c''est elle qu''il faut corriger par un avoir',"
			" 'sur un brouillon de facture : supprimez d''abord ce brouillon')"
			" FROM sales_link k JOIN sales_document f ON f.id = k.to_id"
			" AND f.type = 'invoice' WHERE k.from_id = i.id"
			" AND i.type = 'deposit_invoice' ORDER BY f.number NULLS LAST LIMIT 1)"
			" FROM sales_document d JOIN sales_document i ON i.id = d.corrects_id"
			" WHERE d.id = $1::bigint",
			1, p1, &r)) {
			g_free(canonical);
			return st->code;
		}
		bool over = PQntuples(r) == 1 && cpt_db_i64(r, 0, 1) > cpt_db_i64(r, 0, 0);
		if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 2)) {
			/* Its deposit was deducted on an invoice since the draft was made. */
			int code =
			    cpt_status_set(st, CPT_FAILED_PRECONDITION, "corrects_id",
					   "l'acompte est déjà déduit %s", PQgetvalue(r, 0, 2));
			PQclear(r);
			g_free(canonical);
			return code;
		}
		PQclear(r);
		if (over) {
			g_free(canonical);
			return cpt_status_set(
			    st, CPT_FAILED_PRECONDITION, "lines",
			    "l'avoir dépasse ce qui reste à créditer sur la facture");
		}
	}
	if (cpt_audit_notify(call, st, "sales_document", id,
			     cpt_json_object(call, "event", "validate", "type", type, NULL),
			     cpt_sales_topic(type), "validate")) {
		g_free(canonical);
		return st->code;
	}
	const char *head = "", *middle = "", *tail = "";
	if (canonical) {
		head = cpt_call_strndup(call, canonical, cut[0]);
		middle = cpt_call_strndup(call, canonical + cut[0], cut[1] - cut[0]);
		tail = cpt_call_strdup(call, canonical + cut[1]);
		g_free(canonical);
	}
	/*
	 * Then, as late as can be and in one statement, the locks: the next
	 * number of the series and, for chained documents, the head of the
	 * chain, whose new hash is computed there from the old one (kept as
	 * prev_hash) and the canonical text with the number and the place put
	 * back. The document is written once, with its frozen buyer and dates.
	 * The rows stay locked until commit; nothing else remains.
	 */
	const char *w[] = {pid,	 series, year,	head, middle,
			   tail, buyer,	 issue, due,  cpt_call_i64(call, call->user_id)};
	char *sql = cpt_call_printf(
	    call,
	    "WITH s AS (INSERT INTO document_sequence (series, fiscal_year, last_number)"
	    "  VALUES ($2, $3::int, 1) ON CONFLICT (company_id, series, fiscal_year)"
	    "  DO UPDATE SET last_number = document_sequence.last_number + 1"
	    "  RETURNING $2 || '-' || $3 || '-' || lpad(last_number::text, 5, '0') AS number),"
	    " c AS (%s)"
	    " UPDATE sales_document SET number = (SELECT number FROM s), fiscal_year = $3::int,"
	    "  state = 'validated', chain_seq = c.seq, previous_hash = c.prev, hash = c.hash,"
	    "  buyer = $7::jsonb, issue_date = $8::date, due_date = nullif($9, '')::date,"
	    "  validated_at = now(), validated_by = nullif($10::bigint, 0), updated_at = now()"
	    " FROM c WHERE id = $1::bigint"
	    " RETURNING number, coalesce(c.hash, ''), extract(epoch FROM validated_at)::bigint,"
	    " CASE WHEN type = 'quote' AND valid_until < current_date THEN 'expired'"
	    "  ELSE state END", /* as SALES_STATE reads it */
	    chained
		? "INSERT INTO document_chain AS h (last_seq, prev_hash, last_hash)"
		  "  SELECT 1, '', encode(sha256(convert_to(E'\\n' || $4::text || s.number"
		  "   || $5::text || '1' || $6::text, 'UTF8')), 'hex') FROM s"
		  "  ON CONFLICT (company_id) DO UPDATE SET last_seq = h.last_seq + 1,"
		  "   prev_hash = h.last_hash,"
		  "   last_hash = encode(sha256(convert_to(h.last_hash || E'\\n' || $4::text"
		  "    || (SELECT number FROM s) || $5::text || (h.last_seq + 1)::text || $6::text,"
		  "    'UTF8')), 'hex')"
		  "  RETURNING last_seq AS seq, prev_hash AS prev, last_hash AS hash"
		: "SELECT NULL::bigint AS seq, NULL::text AS prev, NULL::text AS hash"
		  " WHERE $4::text || $5::text || $6::text IS NOT NULL");
	if (exec_params(call, st, sql, (int)G_N_ELEMENTS(w), w, &r)) {
		return st->code;
	}
	Comptoir__Sales__Document *d = *out;
	d->number = cpt_call_strdup(call, cpt_db_str(r, 0, 0));
	d->hash = cpt_call_strdup(call, cpt_db_str(r, 0, 1));
	d->validated_at = cpt_db_i64(r, 0, 2);
	d->state = cpt_call_strdup(call, cpt_db_str(r, 0, 3));
	d->issue_date = (char *)issue;
	d->due_date = (char *)due;
	PQclear(r);
	*chained_out = chained;
	if (!chained) {
		return 0;
	}
	if (call->cfg && call->cfg->sales_archive_pdf) {
		/* Rendered once the number is committed, outside its lock. */
		call->after_commit = cpt_sales_archive;
		call->after_commit_arg = id;
	}
	return 0;
}

/* Archives id's PDF unless it is archived already. */
static int archive_missing(cpt_call *call, cpt_status *st, int64_t id)
{
	PGresult *r =
	    cpt_db_query(call, st, "SELECT 1 FROM document_archive WHERE document_id = $1::bigint",
			 cpt_call_i64(call, id));
	if (!r) {
		return st->code;
	}
	bool there = PQntuples(r) > 0;
	PQclear(r);
	return there ? 0 : cpt_sales_archive(call, st, id);
}

/*
 * A Validate sent again (its key taken): answered by reading the document,
 * and its PDF archived if the daemon stopped between the validation's
 * commit and the archive's, so that every validation acknowledged has it.
 */
CPT_HANDLER(cpt_sales_validate_replay)
{
	const Comptoir__Sales__IdRequest *req = (const void *)in;
	if (cpt_sales_get_run(call, in, out, st)) {
		return st->code;
	}
	const Comptoir__Sales__Document *d = ((Comptoir__Sales__DocumentReply *)*out)->document;
	if (d && *d->hash && call->cfg && call->cfg->sales_archive_pdf) {
		call->after_commit = archive_missing;
		call->after_commit_arg = req->id;
	}
	return 0;
}

CPT_HANDLER(cpt_sales_validate_run)
{
	const Comptoir__Sales__IdRequest *req = (const void *)in;
	bool chained = false;
	Comptoir__Sales__DocumentReply *rep =
	    CPT_NEW(call, Comptoir__Sales__DocumentReply, comptoir__sales__document_reply__init);
	if (validate(call, st, req->id, &chained, &rep->document)) {
		return st->code;
	}
	*out = &rep->base;
	return 0;
}
