/*
 * Reading sales documents: one document with its lines and VAT breakdown
 * (recomputed from the stored lines by the same code that computed them),
 * and the lists per type with their state filter and the totals of the
 * rows they hold.
 */
#include "db.h"
#include "handlers.h"
#include "sales.h"
#include "sales_totals.h"

#include <glib.h>
#include <string.h>

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000

/* A quote past its validity, neither accepted nor refused, reads as expired. */
#define SALES_STATE CPT_SALES_STATE

static char *col_str(cpt_call *call, const PGresult *r, int row, int col)
{
	return cpt_call_strdup(call, cpt_db_str(r, row, col));
}

static const char SQL_DOCUMENT[] =
    "SELECT " CPT_SALES_DOC_COLS " FROM sales_document d WHERE d.id = $1::bigint";

static const char SQL_LINES[] = "SELECT " CPT_SALES_LINE_COLS
				" FROM sales_line WHERE document_id = $1::bigint ORDER BY position";

static cpt_sales_kind kind_of(const char *k)
{
	return strcmp(k, "text") == 0	    ? CPT_SALES_TEXT
	       : strcmp(k, "section") == 0  ? CPT_SALES_SECTION
	       : strcmp(k, "subtotal") == 0 ? CPT_SALES_SUBTOTAL
					    : CPT_SALES_ITEM;
}

typedef struct {
	int64_t position;
	int row;
} by_position;

static int compare_position(const void *a, const void *b)
{
	const by_position *x = a, *y = b;
	return (x->position > y->position) - (x->position < y->position);
}

int cpt_sales_lines_of(cpt_call *call, cpt_status *st, const PGresult *r, int first,
		       Comptoir__Sales__Document *d)
{
	const int k = first;
	int n = PQntuples(r);
	/* In the order of their positions, whatever the result's. */
	by_position *order = cpt_call_alloc(call, sizeof *order * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		order[i] = (by_position){cpt_db_i64(r, i, k + 15), i};
	}
	qsort(order, (size_t)n, sizeof *order, compare_position);
	d->n_lines = (size_t)n;
	d->lines = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	cpt_sales_line *calc = cpt_call_alloc(call, sizeof *calc * (size_t)(n + 1));
	for (int j = 0; j < n; j++) {
		const int i = order[j].row;
		Comptoir__Sales__Line *l =
		    CPT_NEW(call, Comptoir__Sales__Line, comptoir__sales__line__init);
		l->id = cpt_db_i64(r, i, k);
		l->kind = col_str(call, r, i, k + 1);
		l->article_id = cpt_db_i64(r, i, k + 2);
		l->article_code = col_str(call, r, i, k + 3);
		l->label = col_str(call, r, i, k + 4);
		l->unit = col_str(call, r, i, k + 5);
		l->quantity = cpt_db_i64(r, i, k + 6);
		l->unit_price = cpt_db_i64(r, i, k + 7);
		l->discount = (int32_t)cpt_db_i64(r, i, k + 8);
		l->vat_rate = (int32_t)cpt_db_i64(r, i, k + 9);
		l->vat_category = col_str(call, r, i, k + 10);
		l->eco_contribution = cpt_db_i64(r, i, k + 11);
		l->amount = cpt_db_i64(r, i, k + 12);
		l->net = cpt_db_i64(r, i, k + 13);
		l->source_line_id = cpt_db_i64(r, i, k + 14);
		d->lines[j] = l;
		calc[j] = (cpt_sales_line){.kind = kind_of(l->kind),
					   .quantity = l->quantity,
					   .unit_price = l->unit_price,
					   .discount = l->discount,
					   .vat_rate = l->vat_rate,
					   .eco_contribution = l->eco_contribution};
		g_strlcpy(calc[j].vat_category, l->vat_category, sizeof calc[j].vat_category);
	}
	/* The breakdown and the subtotals, by the code that made the totals. */
	cpt_sales_totals t;
	long bad;
	if (!cpt_sales_compute(calc, (size_t)n, d->prices_include_vat, d->discount_rate, &t,
			       &bad)) {
		return cpt_status_set(st, CPT_INTERNAL, "document.lines", "montants hors limites");
	}
	for (int i = 0; i < n; i++) {
		d->lines[i]->subtotal = calc[i].subtotal;
	}
	d->n_vat = t.n_groups;
	d->vat = cpt_call_alloc(call, sizeof(void *) * (t.n_groups + 1));
	for (size_t g = 0; g < t.n_groups; g++) {
		Comptoir__Sales__VatTotal *v =
		    CPT_NEW(call, Comptoir__Sales__VatTotal, comptoir__sales__vat_total__init);
		v->rate = (int32_t)t.groups[g].rate;
		v->category = cpt_call_strdup(call, t.groups[g].category);
		v->taxable = t.groups[g].base;
		v->amount = t.groups[g].vat;
		d->vat[g] = v;
	}
	return 0;
}

Comptoir__Sales__Document *cpt_sales_doc_of(cpt_call *call, const PGresult *r, int k)
{
	Comptoir__Sales__Document *d =
	    CPT_NEW(call, Comptoir__Sales__Document, comptoir__sales__document__init);
	d->id = cpt_db_i64(r, 0, k);
	d->type = col_str(call, r, 0, k + 1);
	d->state = col_str(call, r, 0, k + 2);
	d->number = col_str(call, r, 0, k + 3);
	d->party_id = cpt_db_i64(r, 0, k + 4);
	d->party_code = col_str(call, r, 0, k + 5);
	d->party_name = col_str(call, r, 0, k + 6);
	d->issue_date = col_str(call, r, 0, k + 7);
	d->due_date = col_str(call, r, 0, k + 8);
	d->valid_until = col_str(call, r, 0, k + 9);
	d->delivery_date = col_str(call, r, 0, k + 10);
	d->payment_terms = col_str(call, r, 0, k + 11);
	d->prices_include_vat = cpt_db_bool(r, 0, k + 12);
	d->discount_rate = (int32_t)cpt_db_i64(r, 0, k + 13);
	d->exemption_code = col_str(call, r, 0, k + 14);
	d->buyer_reference = col_str(call, r, 0, k + 15);
	d->notes = col_str(call, r, 0, k + 16);
	d->delivery_address_id = cpt_db_i64(r, 0, k + 17);
	d->lines_net = cpt_db_i64(r, 0, k + 18);
	d->discount_amount = cpt_db_i64(r, 0, k + 19);
	d->net_total = cpt_db_i64(r, 0, k + 20);
	d->vat_total = cpt_db_i64(r, 0, k + 21);
	d->gross_total = cpt_db_i64(r, 0, k + 22);
	d->prepaid = cpt_db_i64(r, 0, k + 23);
	d->amount_due = cpt_db_i64(r, 0, k + 24);
	d->eco_total = cpt_db_i64(r, 0, k + 25);
	d->corrects_id = cpt_db_i64(r, 0, k + 26);
	d->hash = col_str(call, r, 0, k + 27);
	d->validated_at = cpt_db_i64(r, 0, k + 28);
	d->progress_rate = (int32_t)cpt_db_i64(r, 0, k + 30);
	d->progress_previous = cpt_db_i64(r, 0, k + 31);
	/* The sources, a JSON array of ids. */
	g_auto(GStrv) ids = g_strsplit_set(cpt_db_str(r, 0, k + 29), "[],", -1);
	d->source_ids = cpt_call_alloc(call, sizeof(int64_t) * (g_strv_length(ids) + 1));
	for (char **s = ids; *s; s++) {
		if (**s) {
			d->source_ids[d->n_source_ids++] = g_ascii_strtoll(*s, NULL, 10);
		}
	}
	return d;
}

int cpt_sales_load(cpt_call *call, cpt_status *st, int64_t id, const char *field,
		   Comptoir__Sales__Document **out)
{
	PGresult *r = cpt_db_query(call, st, SQL_DOCUMENT, cpt_call_i64(call, id));
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0 || !cpt_sales_type_in_book(call, cpt_db_str(r, 0, 1))) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, field, "document introuvable");
	}
	Comptoir__Sales__Document *d = cpt_sales_doc_of(call, r, 0);
	PQclear(r);
	r = cpt_db_query(call, st, SQL_LINES, cpt_call_i64(call, d->id));
	if (!r) {
		return st->code;
	}
	int rc = cpt_sales_lines_of(call, st, r, 0, d);
	PQclear(r);
	if (rc) {
		return rc;
	}
	*out = d;
	return 0;
}

int cpt_sales_reply(cpt_call *call, cpt_status *st, int64_t id, ProtobufCMessage **out)
{
	Comptoir__Sales__DocumentReply *rep =
	    CPT_NEW(call, Comptoir__Sales__DocumentReply, comptoir__sales__document_reply__init);
	if (cpt_sales_load(call, st, id, "id", &rep->document)) {
		return st->code;
	}
	*out = &rep->base;
	return 0;
}

/* ---------------------------------------------------------------------------
 * Lists
 */

#define SALES_FILTER                                                                               \
	"d.type = $1 AND ($2 = '' OR " SALES_STATE " = $2) AND ($4::bigint = 0 OR d.party_id = "   \
	"$4::bigint)"                                                                              \
	" AND ($3 = '' OR d.number ILIKE '%%' || $3 || '%%'"                                       \
	"  OR p.search_text ~~> (SELECT cpt_like_pattern($3)))"

CPT_HANDLER(cpt_sales_list_run)
{
	const Comptoir__Sales__ListRequest *req = (const void *)in;
	const Comptoir__Admin__Page *page = req->page;
	if (!cpt_sales_type_known(req->type) || !cpt_sales_type_in_book(call, req->type)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "type", "type de document inconnu");
	}
	unsigned limit = page && page->limit ? page->limit : PAGE_DEFAULT;
	limit = limit > PAGE_MAX ? PAGE_MAX : limit;
	const char *sort = page && page->sort[0] ? page->sort : "date";
	const char *key, *key_param;
	if (strcmp(sort, "date") == 0) {
		key = "d.issue_date";
		key_param = "nullif($5, '')::date";
	} else if (strcmp(sort, "number") == 0) {
		key = "coalesce(d.number, '')";
		key_param = "$5";
	} else {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "page.sort",
				      "tri possible par date ou number");
	}
	/* Dates newest first unless asked otherwise. */
	bool desc =
	    strcmp(sort, "date") == 0 ? !(page && page->descending) : (page && page->descending);
	bool after = page && page->after_id != 0;
	char *sql = cpt_call_printf(
	    call,
	    "SELECT d.id, d.type, " SALES_STATE
	    ", coalesce(d.number, ''), d.issue_date::text, p.code,"
	    " coalesce(d.buyer->>'name', p.name), d.net_total, d.gross_total, d.amount_due,"
	    " coalesce(d.due_date::text, '')"
	    " FROM sales_document d JOIN party p ON p.id = d.party_id WHERE " SALES_FILTER
	    " AND (NOT $6::boolean OR (%s, d.id) %s (%s, $7::bigint))"
	    " ORDER BY %s %s, d.id %s LIMIT $8::int OFFSET $9::int",
	    key, desc ? "<" : ">", key_param, key, desc ? "DESC" : "ASC", desc ? "DESC" : "ASC");
	PGresult *r = cpt_db_query(
	    call, st, sql, req->type, req->state, req->search, cpt_call_i64(call, req->party_id),
	    page ? page->after_key : "", after ? "true" : "false",
	    cpt_call_i64(call, page ? page->after_id : 0), cpt_call_i64(call, (int64_t)limit + 1),
	    cpt_call_i64(call, page && !after ? page->offset : 0));
	if (!r) {
		return st->code;
	}
	Comptoir__Sales__ListReply *rep =
	    CPT_NEW(call, Comptoir__Sales__ListReply, comptoir__sales__list_reply__init);
	int n = PQntuples(r);
	rep->more = n > (int)limit;
	n = rep->more ? (int)limit : n;
	rep->n_documents = (size_t)n;
	rep->documents = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Sales__DocumentSummary *s =
		    CPT_NEW(call, Comptoir__Sales__DocumentSummary,
			    comptoir__sales__document_summary__init);
		s->id = cpt_db_i64(r, i, 0);
		s->type = col_str(call, r, i, 1);
		s->state = col_str(call, r, i, 2);
		s->number = col_str(call, r, i, 3);
		s->issue_date = col_str(call, r, i, 4);
		s->party_code = col_str(call, r, i, 5);
		s->party_name = col_str(call, r, i, 6);
		s->net_total = cpt_db_i64(r, i, 7);
		s->gross_total = cpt_db_i64(r, i, 8);
		s->amount_due = cpt_db_i64(r, i, 9);
		s->due_date = col_str(call, r, i, 10);
		rep->documents[i] = s;
	}
	PQclear(r);
	if (page && page->with_total) {
		/* The count and the totals of every row the filters keep. */
		r = cpt_db_query(call, st,
				 "SELECT count(*), coalesce(sum(d.net_total), 0),"
				 " coalesce(sum(d.gross_total), 0) FROM sales_document d"
				 " JOIN party p ON p.id = d.party_id WHERE " SALES_FILTER,
				 req->type, req->state, req->search,
				 cpt_call_i64(call, req->party_id));
		if (!r) {
			return st->code;
		}
		rep->total = (uint32_t)cpt_db_i64(r, 0, 0);
		rep->sum_net = cpt_db_i64(r, 0, 1);
		rep->sum_gross = cpt_db_i64(r, 0, 2);
		PQclear(r);
	}
	*out = &rep->base;
	return 0;
}
