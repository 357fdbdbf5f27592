/*
 * comptoir.sales.Quotes and .Invoices: drafts saved whole, read, listed and
 * deleted. A draft's lines replace the old ones at each save and the server
 * computes every amount (sales_totals.c). Article lines take the article's
 * label, unit, VAT rate and DEEE, and the client's price when asked
 * (unit_price -1, pricing.c). A validated document is read only: the
 * handlers refuse it, and for invoices and credit notes the database's
 * triggers refuse it too (sql/0012_sales.sql).
 */
#include "articles.h"
#include "audit.h"
#include "db.h"
#include "events.h"
#include "fields.h"
#include "handlers.h"
#include "money.h"
#include "sales.h"
#include "sales_totals.h"

#include <glib.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#define LINES_MAX 2000
#define LABEL_MAX 2000
#define NOTES_MAX 4000
#define PAGE_DEFAULT 100
#define PAGE_MAX 1000

static const char *const QUOTES_BOOK[] = {"quote", "order", "delivery", NULL};
static const char *const INVOICES_BOOK[] = {"invoice", "deposit_invoice", "credit_note", "proforma",
					    NULL};

bool cpt_sales_invoices_book(const cpt_call *call)
{
	return strstr(call->method, ".Invoices/") != NULL;
}

static bool in(const char *const *list, const char *type)
{
	for (; *list; list++) {
		if (strcmp(*list, type) == 0) {
			return true;
		}
	}
	return false;
}

bool cpt_sales_type_known(const char *type)
{
	return in(QUOTES_BOOK, type) || in(INVOICES_BOOK, type);
}

bool cpt_sales_type_in_book(const cpt_call *call, const char *type)
{
	return in(cpt_sales_invoices_book(call) ? INVOICES_BOOK : QUOTES_BOOK, type);
}

const char *cpt_sales_topic(const char *type)
{
	return in(QUOTES_BOOK, type) ? "sales_quotes" : "sales_invoices";
}

static char *col_str(cpt_call *call, const PGresult *r, int row, int col)
{
	return cpt_call_strdup(call, cpt_db_str(r, row, col));
}

static void today_iso(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void date_iso(cpt_date d, char out[11])
{
	snprintf(out, 11, "%04d-%02d-%02d", d.year, d.month, d.day);
}

/* ---------------------------------------------------------------------------
 * Checking a draft
 */

/* What the save writes, checked and completed. */
typedef struct draft {
	const Comptoir__Sales__Document *in;
	int64_t id, party_id, corrects_id, prepaid;
	const char *type, *issue, *due, *valid_until, *delivery, *terms, *exemption;
	char exemption_category[3];
	size_t n;
	cpt_sales_line *lines;
	int64_t *article_id, *vat_rate_id, *source_line_id;
	const char **article_code, **label, **unit;
	bool internal;		   /* the server's own call: sources and corrections kept */
	PGresult *articles;	   /* the lines' articles, read at once */
	const PGresult *vat_rates; /* every VAT rate (a few rows), shared */
} draft;

/*
 * Every VAT rate, read once per process: the daemon may only read the table
 * (sql/0005), which changes with a migration, after which the daemon is
 * restarted. The result is shared by every thread, read-only.
 */
static const PGresult *vat_rates(cpt_call *call, cpt_status *st)
{
	static PGresult *cache;
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&lock);
	if (!cache) {
		cache = cpt_db_exec0(call, st, "SELECT id, rate, category FROM vat_rate");
	}
	const PGresult *r = cache;
	pthread_mutex_unlock(&lock);
	return r;
}

/* The lines' articles (by id or code), read at once whatever their number. */
static const char SQL_ARTICLES[] =
    "SELECT id, code, label, unit, vat_rate_id, eco_contribution FROM article"
    " WHERE id = ANY ($1::bigint[]) OR code = ANY (SELECT btrim(x) FROM unnest($2::text[]) x)";

/* SQL_ARTICLES's parameters for the lines of doc: ids and codes, as arrays. */
static const char *const *articles_params(cpt_call *call, const Comptoir__Sales__Document *doc)
{
	GString *ids = g_string_new("{"), *codes = g_string_new("{");
	for (size_t i = 0; i < doc->n_lines; i++) {
		const Comptoir__Sales__Line *l = doc->lines[i];
		if (l->article_id) {
			g_string_append_printf(ids, "%s%lld", ids->len > 1 ? "," : "",
					       (long long)l->article_id);
		} else if (*l->article_code) {
			g_string_append(codes, codes->len > 1 ? ",\"" : "\"");
			for (const char *c = l->article_code; *c; c++) {
				if (*c == '"' || *c == '\\') {
					g_string_append_c(codes, '\\');
				}
				g_string_append_c(codes, g_ascii_toupper(*c));
			}
			g_string_append_c(codes, '"');
		}
	}
	g_string_append_c(ids, '}');
	g_string_append_c(codes, '}');
	const char **p = cpt_call_alloc(call, sizeof(char *) * 2);
	p[0] = cpt_call_strdup(call, ids->str);
	p[1] = cpt_call_strdup(call, codes->str);
	g_string_free(ids, TRUE);
	g_string_free(codes, TRUE);
	return p;
}

static void prefetch_free(draft *d)
{
	if (d->articles) {
		PQclear(d->articles);
	}
}

static const char SQL_PARTY[] =
    "SELECT id, kind, payment_terms FROM party WHERE kind <> 'supplier' AND"
    " (id = $1::bigint OR ($1::bigint = 0 AND code = upper(btrim($2))))";

/* The client, from SQL_PARTY's result r (cleared here). */
static int check_party(cpt_call *call, cpt_status *st, draft *d, PGresult *r)
{
	const Comptoir__Sales__Document *doc = d->in;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND,
				      doc->party_id ? "document.party_id" : "document.party_code",
				      "client introuvable");
	}
	d->party_id = cpt_db_i64(r, 0, 0);
	bool prospect = strcmp(cpt_db_str(r, 0, 1), "prospect") == 0;
	d->terms = *doc->payment_terms ? doc->payment_terms : col_str(call, r, 0, 2);
	PQclear(r);
	if (prospect && strcmp(d->type, "quote") != 0) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "document.party_id",
				      "un prospect reçoit des devis ; convertissez-le en client "
				      "pour aller plus loin");
	}
	return 0;
}

/* The draft being updated: it must be a draft of the book, of the same type. */
static int check_existing(cpt_call *call, cpt_status *st, draft *d)
{
	PGresult *r = cpt_db_query(call, st,
				   "SELECT type, state, prepaid, coalesce(corrects_id, 0)"
				   " FROM sales_document WHERE id = $1::bigint FOR UPDATE",
				   cpt_call_i64(call, d->id));
	if (!r) {
		return st->code;
	}
	bool found = PQntuples(r) == 1 && cpt_sales_type_in_book(call, cpt_db_str(r, 0, 0));
	bool draft_state = found && strcmp(cpt_db_str(r, 0, 1), "draft") == 0;
	bool same = found && strcmp(cpt_db_str(r, 0, 0), d->type) == 0;
	if (found) {
		d->prepaid = cpt_db_i64(r, 0, 2);
		d->corrects_id = cpt_db_i64(r, 0, 3);
	}
	PQclear(r);
	if (!found) {
		return cpt_status_set(st, CPT_NOT_FOUND, "document.id", "document introuvable");
	}
	if (!draft_state) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "document.id",
				      "ce document est validé : il ne peut plus être modifié");
	}
	if (!same) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.type",
				      "le type d'un document ne change pas");
	}
	return 0;
}

static int check_dates(cpt_call *call, cpt_status *st, draft *d)
{
	const Comptoir__Sales__Document *doc = d->in;
	cpt_date issue, other;
	bool set;
	if (cpt_field_date(doc->issue_date, "document.issue_date", st, &issue, &set)) {
		return st->code;
	}
	char *iso = cpt_call_alloc(call, 11);
	if (!set) {
		today_iso(iso);
		cpt_field_date(iso, "document.issue_date", st, &issue, &set);
	} else {
		date_iso(issue, iso);
	}
	d->issue = iso;
	if (cpt_field_date(doc->delivery_date, "document.delivery_date", st, &other, &set)) {
		return st->code;
	}
	d->delivery = set ? doc->delivery_date : NULL;
	cpt_terms terms;
	if (cpt_terms_parse(d->terms, "document.payment_terms", &terms, st)) {
		return st->code;
	}
	d->due = NULL;
	if (in(INVOICES_BOOK, d->type)) {
		cpt_date due;
		if (!cpt_terms_due_date(terms, issue, &due)) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.payment_terms",
					      "échéance hors calendrier");
		}
		char *s = cpt_call_alloc(call, 11);
		date_iso(due, s);
		d->due = s;
	}
	d->valid_until = NULL;
	if (strcmp(d->type, "quote") == 0) {
		if (cpt_field_date(doc->valid_until, "document.valid_until", st, &other, &set)) {
			return st->code;
		}
		if (set && cpt_date_compare(other, issue) < 0) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.valid_until",
					      "la validité finit avant la date du devis");
		}
		d->valid_until = set ? doc->valid_until : NULL; /* NULL: the company's default */
	}
	return 0;
}

static int check_document(cpt_call *call, cpt_status *st, draft *d)
{
	const Comptoir__Sales__Document *doc = d->in;
	if (doc->discount_rate < 0 || doc->discount_rate > 10000) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.discount_rate",
				      "remise entre 0 et 100 %%");
	}
	if (cpt_field_len(doc->notes, NOTES_MAX, "document.notes", st) ||
	    cpt_field_len(doc->buyer_reference, 100, "document.buyer_reference", st)) {
		return st->code;
	}
	d->exemption = NULL;
	if (*doc->exemption_code) {
		PGresult *r =
		    cpt_db_query(call, st, "SELECT category FROM vat_exemption WHERE code = $1",
				 doc->exemption_code);
		if (!r) {
			return st->code;
		}
		bool found = PQntuples(r) == 1;
		if (found) {
			g_strlcpy(d->exemption_category, cpt_db_str(r, 0, 0),
				  sizeof d->exemption_category);
		}
		PQclear(r);
		if (!found) {
			return cpt_status_set(st, CPT_NOT_FOUND, "document.exemption_code",
					      "exonération inconnue");
		}
		d->exemption = doc->exemption_code;
	}
	return 0;
}

static cpt_sales_kind line_kind(const char *kind, bool *ok)
{
	*ok = true;
	if (!*kind || strcmp(kind, "item") == 0) {
		return CPT_SALES_ITEM;
	}
	if (strcmp(kind, "text") == 0) {
		return CPT_SALES_TEXT;
	}
	if (strcmp(kind, "section") == 0) {
		return CPT_SALES_SECTION;
	}
	if (strcmp(kind, "subtotal") == 0) {
		return CPT_SALES_SUBTOTAL;
	}
	*ok = false;
	return CPT_SALES_TEXT;
}

/* An article line's article, by id or code; fills the line's defaults. */
static int line_article(cpt_call *call, cpt_status *st, draft *d, size_t i,
			const Comptoir__Sales__Line *in, int64_t *vat_rate_id)
{
	PGresult *r = d->articles;
	g_autofree char *code = g_ascii_strup(in->article_code, -1);
	g_strstrip(code);
	int row = -1;
	for (int k = 0; k < PQntuples(r) && row < 0; k++) {
		if (in->article_id ? cpt_db_i64(r, k, 0) == in->article_id
				   : strcmp(cpt_db_str(r, k, 1), code) == 0) {
			row = k;
		}
	}
	if (row < 0) {
		return cpt_status_set(
		    st, CPT_NOT_FOUND,
		    in->article_id ? "document.lines.article_id" : "document.lines.article_code",
		    "article inconnu : %s",
		    in->article_id ? cpt_call_i64(call, in->article_id) : in->article_code);
	}
	d->article_id[i] = cpt_db_i64(r, row, 0);
	d->article_code[i] = col_str(call, r, row, 1);
	if (!*d->label[i]) {
		d->label[i] = col_str(call, r, row, 2);
	}
	if (!*d->unit[i]) {
		d->unit[i] = col_str(call, r, row, 3);
	}
	if (!*vat_rate_id) {
		*vat_rate_id = cpt_db_i64(r, row, 4);
	}
	d->lines[i].eco_contribution = cpt_db_i64(r, row, 5);
	return 0;
}

static int line_vat(cpt_call *call, cpt_status *st, draft *d, size_t i, int64_t vat_rate_id)
{
	if (!vat_rate_id) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.lines.vat_rate_id",
				      "taux de TVA manquant (ligne %zu)", i + 1);
	}
	const PGresult *r = d->vat_rates;
	int row = -1;
	for (int k = 0; k < PQntuples(r) && row < 0; k++) {
		if (cpt_db_i64(r, k, 0) == vat_rate_id) {
			row = k;
		}
	}
	if (row < 0) {
		return cpt_status_set(st, CPT_NOT_FOUND, "document.lines.vat_rate_id",
				      "taux de TVA inconnu");
	}
	d->lines[i].vat_rate = cpt_db_i64(r, row, 1);
	g_strlcpy(d->lines[i].vat_category, cpt_db_str(r, row, 2), sizeof d->lines[i].vat_category);
	d->vat_rate_id[i] = vat_rate_id;
	if (d->exemption) {
		/* Exempt, reverse charge, intra-EU, export: no VAT, the mention says why. */
		d->lines[i].vat_rate = 0;
		g_strlcpy(d->lines[i].vat_category, d->exemption_category,
			  sizeof d->lines[i].vat_category);
	}
	return 0;
}

static int check_line(cpt_call *call, cpt_status *st, draft *d, size_t i)
{
	const Comptoir__Sales__Line *in = d->in->lines[i];
	cpt_sales_line *l = &d->lines[i];
	bool ok;
	memset(l, 0, sizeof *l);
	l->kind = line_kind(in->kind, &ok);
	if (!ok) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.lines.kind",
				      "ligne : item, text, section ou subtotal");
	}
	d->article_code[i] = "";
	d->label[i] = in->label;
	d->unit[i] = in->unit;
	if (cpt_field_len(in->label, LABEL_MAX, "document.lines.label", st) ||
	    cpt_field_len(in->unit, 20, "document.lines.unit", st)) {
		return st->code;
	}
	if (l->kind != CPT_SALES_ITEM) {
		if (l->kind != CPT_SALES_SUBTOTAL && !*in->label) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.lines.label",
					      "texte de la ligne %zu manquant", i + 1);
		}
		return 0;
	}
	bool negatives = strcmp(d->type, "invoice") == 0 || strcmp(d->type, "proforma") == 0;
	if (in->quantity < 0 && !negatives) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.lines.quantity",
				      "quantité négative interdite sur ce document (ligne %zu)",
				      i + 1);
	}
	if (in->discount < 0 || in->discount > 10000) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.lines.discount",
				      "remise entre 0 et 100 %% (ligne %zu)", i + 1);
	}
	if (in->unit_price < -1) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.lines.unit_price",
				      "prix négatif (ligne %zu)", i + 1);
	}
	int64_t vat_rate_id = in->vat_rate_id;
	bool article = in->article_id || *in->article_code;
	if (article && line_article(call, st, d, i, in, &vat_rate_id)) {
		return st->code;
	}
	if (!article && !*in->label) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.lines.label",
				      "désignation manquante (ligne %zu)", i + 1);
	}
	if (!*d->unit[i]) {
		d->unit[i] = "U";
	}
	if (line_vat(call, st, d, i, vat_rate_id)) {
		return st->code;
	}
	l->quantity = in->quantity;
	l->discount = in->discount;
	l->unit_price = in->unit_price;
	if (in->unit_price == -1) {
		if (!article) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.lines.unit_price",
					      "prix manquant (ligne %zu)", i + 1);
		}
		cpt_price p;
		int64_t qty = in->quantity < 0 ? -in->quantity : in->quantity;
		if (cpt_price_resolve(call, st, d->party_id, d->article_id[i], qty, d->issue, &p)) {
			return st->code;
		}
		l->unit_price = p.unit_price;
		if (d->in->prices_include_vat) {
			/* The resolved price is HT: shown TTC, to the 1/10000. */
			int64_t vat;
			if (!cpt_money_percent(p.unit_price, l->vat_rate, &vat) ||
			    !cpt_money_add(p.unit_price, vat, &l->unit_price)) {
				return cpt_status_set(st, CPT_INVALID_ARGUMENT,
						      "document.lines.unit_price",
						      "prix hors limites");
			}
		}
	}
	return 0;
}

/* A credit note never credits more than its invoice has left. */
static int check_credit_left(cpt_call *call, cpt_status *st, draft *d, int64_t gross)
{
	if (strcmp(d->type, "credit_note") != 0 || !d->corrects_id) {
		return 0;
	}
	PGresult *r = cpt_db_query(
	    call, st,
	    "SELECT i.gross_total - coalesce((SELECT sum(c.gross_total) FROM sales_document c"
	    "  WHERE c.corrects_id = i.id AND c.type = 'credit_note' AND c.id <> $2::bigint"
	    "  AND c.state <> 'cancelled'), 0) FROM sales_document i WHERE i.id = $1::bigint",
	    cpt_call_i64(call, d->corrects_id), cpt_call_i64(call, d->id));
	if (!r) {
		return st->code;
	}
	int64_t left = PQntuples(r) ? cpt_db_i64(r, 0, 0) : 0;
	PQclear(r);
	if (gross > left) {
		char buf[64];
		cpt_money_format(left, buf, sizeof buf);
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "document.lines",
				      "l'avoir dépasse ce qui reste à créditer sur la facture : %s",
				      buf);
	}
	return 0;
}

/* Keeps each line's source (conversions, credit notes) by the line's id. */
static int keep_sources(cpt_call *call, cpt_status *st, draft *d)
{
	for (size_t i = 0; i < d->n; i++) {
		d->source_line_id[i] = d->internal ? d->in->lines[i]->source_line_id : 0;
	}
	if (!d->id) {
		return 0;
	}
	PGresult *r = cpt_db_query(call, st,
				   "SELECT id, coalesce(source_line_id, 0) FROM sales_line"
				   " WHERE document_id = $1::bigint",
				   cpt_call_i64(call, d->id));
	if (!r) {
		return st->code;
	}
	for (int k = 0; k < PQntuples(r); k++) {
		for (size_t i = 0; i < d->n; i++) {
			if (d->in->lines[i]->id == cpt_db_i64(r, k, 0)) {
				d->source_line_id[i] = cpt_db_i64(r, k, 1);
			}
		}
	}
	PQclear(r);
	return 0;
}

/* ---------------------------------------------------------------------------
 * Writing
 */

/* n values as a PostgreSQL array literal of quoted strings. */
static char *array_of(cpt_call *call, size_t n,
		      const char *(*value)(cpt_call *, const draft *, size_t), const draft *d)
{
	GString *s = g_string_new("{");
	for (size_t i = 0; i < n; i++) {
		g_string_append(s, i ? ",\"" : "\"");
		for (const char *c = value(call, d, i); *c; c++) {
			if (*c == '"' || *c == '\\') {
				g_string_append_c(s, '\\');
			}
			g_string_append_c(s, *c);
		}
		g_string_append_c(s, '"');
	}
	g_string_append_c(s, '}');
	char *out = cpt_call_strdup(call, s->str);
	g_string_free(s, TRUE);
	return out;
}

#define COLUMN(name, expr)                                                                         \
	static const char *name(cpt_call *call, const draft *d, size_t i)                          \
	{                                                                                          \
		return (expr);                                                                     \
	}
static const char *const KIND_NAMES[] = {"item", "text", "section", "subtotal"};
COLUMN(c_kind, KIND_NAMES[d->lines[i].kind])
COLUMN(c_article, d->article_id[i] ? cpt_call_i64(call, d->article_id[i]) : "")
COLUMN(c_code, d->article_code[i])
COLUMN(c_label, d->label[i])
COLUMN(c_unit, d->unit[i])
COLUMN(c_qty, cpt_call_i64(call, d->lines[i].quantity))
COLUMN(c_price, cpt_call_i64(call, d->lines[i].unit_price))
COLUMN(c_discount, cpt_call_i64(call, d->lines[i].discount))
COLUMN(c_rate, cpt_call_i64(call, d->lines[i].vat_rate))
COLUMN(c_category, d->lines[i].kind == CPT_SALES_ITEM ? d->lines[i].vat_category : "S")
COLUMN(c_eco, cpt_call_i64(call, d->lines[i].eco_contribution))
COLUMN(c_amount, cpt_call_i64(call, d->lines[i].amount))
COLUMN(c_net, cpt_call_i64(call, d->lines[i].net))
COLUMN(c_source, d->source_line_id[i] ? cpt_call_i64(call, d->source_line_id[i]) : "")

static const char SQL_LINES[] =
    "INSERT INTO sales_line (document_id, position, kind, article_id, article_code, label, unit,"
    " quantity, unit_price, discount, vat_rate, vat_category, eco_contribution, amount, net,"
    " source_line_id)"
    " SELECT $1::bigint, x.n, x.kind, nullif(x.article, '')::bigint, x.code, x.label, x.unit,"
    " x.qty::bigint, x.price::bigint, x.discount::int, x.rate::int, x.category, x.eco::bigint,"
    " x.amount::bigint, x.net::bigint, nullif(x.source, '')::bigint"
    " FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
    " $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],"
    " $15::text[]) WITH ORDINALITY"
    " x(kind, article, code, label, unit, qty, price, discount, rate, category, eco, amount,"
    " net, source, n) RETURNING " CPT_SALES_LINE_COLS;

/* Writes d's lines under document id; saved, if given, gets them as stored. */
static int write_lines(cpt_call *call, cpt_status *st, const draft *d, int64_t id,
		       Comptoir__Sales__Document *saved)
{
	const char *(*cols[])(cpt_call *, const draft *, size_t) = {
	    c_kind,	c_article, c_code,     c_label, c_unit,	  c_qty, c_price,
	    c_discount, c_rate,	   c_category, c_eco,	c_amount, c_net, c_source};
	const char *v[15];
	v[0] = cpt_call_i64(call, id);
	for (size_t k = 0; k < G_N_ELEMENTS(cols); k++) {
		v[k + 1] = array_of(call, d->n, cols[k], d);
	}
	PGresult *r = cpt_db_exec(call, st, SQL_LINES, 15, v);
	if (!r) {
		return st->code;
	}
	int rc = saved ? cpt_sales_lines_of(call, st, r, 0, saved) : 0;
	PQclear(r);
	return rc;
}

/* The components of the kit line, every level, for its quantity, as text lines under it. */
static int expand_bom(cpt_call *call, cpt_status *st, const Comptoir__Sales__Line *kit,
		      GPtrArray *lines)
{
	PGresult *r = cpt_db_query(
	    call, st,
	    "WITH RECURSIVE t(component_id, quantity, depth, path) AS ("
	    " SELECT b.component_id, b.quantity::numeric / 1000 * $3::bigint / 1000, 1,"
	    "  ARRAY[b.position, b.id]"
	    "  FROM bom_line b JOIN article a ON a.id = b.parent_id"
	    "  WHERE a.id = $1::bigint OR ($1::bigint = 0 AND a.code = upper(btrim($2)))"
	    " UNION ALL"
	    " SELECT b.component_id, t.quantity * b.quantity / 1000, t.depth + 1,"
	    "  t.path || ARRAY[b.position, b.id]"
	    "  FROM bom_line b JOIN t ON b.parent_id = t.component_id WHERE t.depth < 10)"
	    " SELECT t.depth, trim_scale(t.quantity)::text, c.code, c.label FROM t"
	    " JOIN article c ON c.id = t.component_id ORDER BY t.path",
	    cpt_call_i64(call, kit->article_id), kit->article_code,
	    cpt_call_i64(call, kit->quantity));
	if (!r) {
		return st->code;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		Comptoir__Sales__Line *l =
		    CPT_NEW(call, Comptoir__Sales__Line, comptoir__sales__line__init);
		l->kind = "text";
		g_autofree char *qty = g_strdelimit(g_strdup(cpt_db_str(r, i, 1)), ".", ',');
		l->label = cpt_call_printf(call, "%*s%s × %s (%s)", 2 * (int)cpt_db_i64(r, i, 0),
					   "", qty, cpt_db_str(r, i, 3), cpt_db_str(r, i, 2));
		g_ptr_array_add(lines, l);
	}
	PQclear(r);
	return 0;
}

int cpt_sales_save(cpt_call *call, cpt_status *st, const Comptoir__Sales__Document *doc,
		   bool internal, int64_t *id, Comptoir__Sales__Document **saved)
{
	bool expand = false;
	for (size_t i = 0; i < doc->n_lines; i++) {
		expand |= doc->lines[i]->expand_bom;
	}
	if (expand) {
		/* The same document with the components written out. */
		GPtrArray *lines = g_ptr_array_new();
		int rc = 0;
		for (size_t i = 0; i < doc->n_lines && rc == 0; i++) {
			Comptoir__Sales__Line *l = cpt_call_alloc(call, sizeof *l);
			*l = *doc->lines[i];
			l->expand_bom = false;
			g_ptr_array_add(lines, l);
			if (doc->lines[i]->expand_bom) {
				rc = expand_bom(call, st, doc->lines[i], lines);
			}
		}
		Comptoir__Sales__Document *copy = cpt_call_alloc(call, sizeof *copy);
		*copy = *doc;
		copy->n_lines = lines->len;
		copy->lines = cpt_call_alloc(call, sizeof(void *) * (lines->len + 1));
		memcpy(copy->lines, lines->pdata, sizeof(void *) * lines->len);
		g_ptr_array_free(lines, TRUE);
		if (rc) {
			return rc;
		}
		doc = copy;
	}
	draft d = {.in = doc, .id = doc->id, .type = doc->type, .internal = internal};
	if (internal && !doc->id) {
		d.corrects_id = doc->corrects_id;
	}
	if (!cpt_sales_type_known(doc->type) || !cpt_sales_type_in_book(call, doc->type)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.type",
				      cpt_sales_invoices_book(call)
					  ? "type attendu : invoice, deposit_invoice, credit_note "
					    "ou proforma"
					  : "type attendu : quote, order ou delivery");
	}
	if (doc->n_lines > LINES_MAX) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.lines",
				      "%d lignes au plus", LINES_MAX);
	}
	if (d.id && check_existing(call, st, &d)) {
		return st->code;
	}
	/* The client and the lines' articles, in one round trip. */
	const char *party_params[] = {cpt_call_i64(call, doc->party_id), doc->party_code};
	const cpt_db_stmt reads[] = {{SQL_PARTY, 2, party_params},
				     {SQL_ARTICLES, 2, articles_params(call, doc)}};
	PGresult *got[2];
	if (cpt_db_exec_all(call, st, 2, reads, got)) {
		return st->code;
	}
	d.articles = got[1];
	d.vat_rates = vat_rates(call, st);
	if (check_party(call, st, &d, got[0]) || !d.vat_rates || check_dates(call, st, &d) ||
	    check_document(call, st, &d)) {
		prefetch_free(&d);
		return st->code;
	}
	d.n = doc->n_lines;
	d.lines = cpt_call_alloc(call, sizeof *d.lines * (d.n + 1));
	d.article_id = cpt_call_alloc(call, sizeof(int64_t) * (d.n + 1));
	d.vat_rate_id = cpt_call_alloc(call, sizeof(int64_t) * (d.n + 1));
	d.source_line_id = cpt_call_alloc(call, sizeof(int64_t) * (d.n + 1));
	d.article_code = cpt_call_alloc(call, sizeof(char *) * (d.n + 1));
	d.label = cpt_call_alloc(call, sizeof(char *) * (d.n + 1));
	d.unit = cpt_call_alloc(call, sizeof(char *) * (d.n + 1));
	int rc = 0;
	for (size_t i = 0; i < d.n && rc == 0; i++) {
		d.article_id[i] = 0;
		rc = check_line(call, st, &d, i);
	}
	prefetch_free(&d);
	if (rc) {
		return rc;
	}
	cpt_sales_totals t;
	long bad;
	if (!cpt_sales_compute(d.lines, d.n, doc->prices_include_vat, doc->discount_rate, &t,
			       &bad)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT,
				      bad >= 0 ? "document.lines.quantity" : "document.lines",
				      "montants hors limites");
	}
	if (keep_sources(call, st, &d) || check_credit_left(call, st, &d, t.gross_total)) {
		return st->code;
	}
	const char *v[] = {d.type,
			   cpt_call_i64(call, d.party_id),
			   d.issue,
			   d.due,
			   d.valid_until,
			   d.delivery,
			   d.terms,
			   doc->prices_include_vat ? "true" : "false",
			   cpt_call_i64(call, doc->discount_rate),
			   d.exemption,
			   doc->buyer_reference,
			   doc->notes,
			   doc->delivery_address_id ? cpt_call_i64(call, doc->delivery_address_id)
						    : NULL,
			   cpt_call_i64(call, t.lines_net),
			   cpt_call_i64(call, t.discount_amount),
			   cpt_call_i64(call, t.net_total),
			   cpt_call_i64(call, t.vat_total),
			   cpt_call_i64(call, t.gross_total),
			   cpt_call_i64(call, t.gross_total - d.prepaid),
			   cpt_call_i64(call, t.eco_total),
			   cpt_call_i64(call, call->user_id),
			   cpt_call_i64(call, d.id),
			   cpt_call_i64(call, d.corrects_id)};
	PGresult *r =
	    d.id ? cpt_db_exec(
		       call, st,
		       "UPDATE sales_document d SET party_id = $2::bigint, issue_date = $3::date,"
		       " due_date = $4::date, valid_until = coalesce($5::date, valid_until),"
		       " delivery_date = $6::date, payment_terms = $7,"
		       " prices_include_vat = $8::boolean, discount_rate = $9::int,"
		       " exemption_code = $10, buyer_reference = $11, notes = $12,"
		       " delivery_address_id = $13::bigint, lines_net = $14::bigint,"
		       " discount_amount = $15::bigint, net_total = $16::bigint,"
		       " vat_total = $17::bigint, gross_total = $18::bigint,"
		       " amount_due = $19::bigint, eco_total = $20::bigint, updated_at = now()"
		       /* $21 (the creator) is the INSERT's: named so that it has a type. */
		       " WHERE id = $22::bigint AND type = $1 AND $21::bigint IS NOT NULL"
		       " AND $23::bigint IS NOT NULL RETURNING " CPT_SALES_DOC_COLS,
		       23, v)
		 : cpt_db_exec(
		       call, st,
		       "INSERT INTO sales_document AS d (type, party_id, issue_date, due_date,"
		       " valid_until, delivery_date, payment_terms, prices_include_vat,"
		       " discount_rate, exemption_code, buyer_reference, notes,"
		       " delivery_address_id, lines_net, discount_amount, net_total, vat_total,"
		       " gross_total, amount_due, eco_total, created_by, corrects_id) VALUES ($1,"
		       " $2::bigint, $3::date, $4::date, CASE WHEN $1 = 'quote' THEN"
		       " coalesce($5::date, $3::date + (SELECT quote_validity_days FROM company"
		       " WHERE id = cpt_company())) END,"
		       " $6::date, $7, $8::boolean, $9::int, $10, $11, $12, $13::bigint,"
		       " $14::bigint, $15::bigint, $16::bigint, $17::bigint, $18::bigint,"
		       " $19::bigint, $20::bigint, nullif($21::bigint, 0),"
		       " nullif($23::bigint, 0)) RETURNING " CPT_SALES_DOC_COLS
		       /* $22 (the id) is the UPDATE's: named so that it has a type. */
		       ", $22::bigint",
		       23, v);
	if (!r) {
		if (strcmp(call->sqlstate, "23503") == 0 && strstr(call->constraint, "delivery")) {
			return cpt_status_set(st, CPT_NOT_FOUND, "document.delivery_address_id",
					      "adresse de livraison introuvable");
		}
		return st->code;
	}
	*id = cpt_db_i64(r, 0, 0);
	Comptoir__Sales__Document *stored = saved ? cpt_sales_doc_of(call, r, 0) : NULL;
	PQclear(r);
	if (saved) {
		*saved = stored;
	}
	if (d.id) {
		const char *p[] = {cpt_call_i64(call, *id)};
		r = cpt_db_exec(call, st, "DELETE FROM sales_line WHERE document_id = $1::bigint",
				1, p);
		if (!r) {
			return st->code;
		}
		PQclear(r);
	}
	return d.n ? write_lines(call, st, &d, *id, stored)
		   : (stored ? cpt_sales_lines_of(call, st, NULL, 0, stored) : 0);
}

/* ---------------------------------------------------------------------------
 * Handlers: save, get, delete
 */

CPT_HANDLER(cpt_sales_save_run)
{
	const Comptoir__Sales__DocumentRequest *req = (const void *)in;
	if (!req->document) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document", "document manquant");
	}
	int64_t id = 0;
	const Comptoir__Sales__Document *doc = req->document;
	Comptoir__Sales__DocumentReply *rep =
	    CPT_NEW(call, Comptoir__Sales__DocumentReply, comptoir__sales__document_reply__init);
	if (cpt_sales_save(call, st, doc, false, &id, &rep->document) ||
	    cpt_audit_notify(call, st, "sales_document", id,
			     cpt_json_object(call, "event", doc->id ? "update" : "create", "type",
					     doc->type, NULL),
			     cpt_sales_topic(doc->type), doc->id ? "update" : "create")) {
		return st->code;
	}
	*out = &rep->base; /* as saved: Get would read the same */
	return 0;
}

CPT_HANDLER(cpt_sales_get_run)
{
	const Comptoir__Sales__IdRequest *req = (const void *)in;
	return cpt_sales_reply(call, st, req->id, out);
}

CPT_HANDLER(cpt_sales_delete_run)
{
	const Comptoir__Sales__IdRequest *req = (const void *)in;
	Comptoir__Sales__Document *doc;
	if (cpt_sales_load(call, st, req->id, "id", &doc)) {
		return st->code;
	}
	if (strcmp(doc->state, "draft") != 0) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "id",
				      "seul un brouillon se supprime ; une facture validée se "
				      "corrige par un avoir");
	}
	const char *p[] = {cpt_call_i64(call, req->id)};
	PGresult *r =
	    cpt_db_exec(call, st,
			"WITH l AS (DELETE FROM sales_link WHERE to_id = $1::bigint)"
			" DELETE FROM sales_document WHERE id = $1::bigint AND state = 'draft'",
			1, p);
	if (!r) {
		return st->code;
	}
	PQclear(r);
	if (cpt_notify(call, st, cpt_sales_topic(doc->type), req->id, "delete") ||
	    cpt_audit(call, st, "sales_document", req->id, call->company_id,
		      cpt_json_object(call, "event", "delete", "type", doc->type, NULL))) {
		return st->code;
	}
	*out = &CPT_NEW(call, Comptoir__Sales__Empty, comptoir__sales__empty__init)->base;
	return 0;
}
