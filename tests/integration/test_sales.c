/*
 * The commercial chain through the RPC: a quote with an article priced for
 * the client, sections and subtotals; every bad input refused with its
 * field and nothing written; quote → order → two partial deliveries → one
 * invoice grouping them; a deposit deducted on the final invoice; credit
 * notes never more than what is left; validated invoices unalterable even
 * from SQL; the hash chain verified by comptoirctl and a tampered row found;
 * 20 validations at once, gapless.
 */
#include "testenv.h"

#include "articles.pb-c.h"
#include "parties.pb-c.h"
#include "rpc.pb-c.h"
#include "sales.pb-c.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static cpt_testenv env;
static cpt_client *admin;
static int64_t vat20, vat55, client;
static char year[5];
static char today[11]; /* yyyy-mm-dd */

static int call(cpt_client *c, const char *method, const ProtobufCMessage *in,
		const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out, cpt_status *st)
{
	char name[80];
	snprintf(name, sizeof name, "comptoir.%s", method);
	*st = (cpt_status){0};
	ProtobufCMessage *o = NULL;
	int rc = cpt_client_call(c, name, in, desc, &o, st);
	if (out) {
		*out = o;
	} else {
		protobuf_c_message_free_unpacked(o, NULL);
	}
	return rc;
}

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "sales", NULL) != 0) {
		return -1;
	}
	admin = cpt_testenv_admin(&env);
	vat20 = cpt_testenv_sql_int(&env,
				    "SELECT id FROM vat_rate WHERE country = 'FR' AND rate = 2000");
	vat55 = cpt_testenv_sql_int(&env,
				    "SELECT id FROM vat_rate WHERE country = 'FR' AND rate = 550");
	time_t now = time(NULL);
	strftime(year, sizeof year, "%Y", localtime(&now));
	strftime(today, sizeof today, "%Y-%m-%d", localtime(&now));
	/* A client with an address, two articles. */
	client = cpt_testenv_create_client(admin, "SYNDIC", "Syndic des Érables", "732829320");
	if (!client) {
		return -1;
	}
	return cpt_testenv_sql_int(
		   &env,
		   "WITH c AS (SELECT min(id) AS id FROM company),"
		   " a AS (INSERT INTO article (company_id, code, kind, label, unit, sale_price,"
		   "  vat_rate_id, eco_contribution) SELECT c.id, v.code, 'goods', v.label, 'U',"
		   "  v.price, (SELECT id FROM vat_rate WHERE country = 'FR' AND rate = 2000),"
		   "  v.eco FROM c, (VALUES ('CHAUD', 'Chaudière murale', 21900000, 25000),"
		   "  ('MO', 'Main-d''œuvre', 550000, 0)) v(code, label, price, eco) RETURNING id)"
		   " SELECT count(*) FROM a") == 2
		   ? 0
		   : -1;
}

static int teardown(void **state)
{
	cpt_client_close(admin);
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

static long long rows(void)
{
	return cpt_testenv_sql_int(
	    &env, "SELECT (SELECT count(*) FROM sales_document)"
		  " + (SELECT count(*) FROM sales_line)"
		  " + (SELECT coalesce(sum(last_number), 0) FROM document_sequence)");
}

static Comptoir__Sales__Line item(const char *code, const char *label, int64_t qty, int64_t price,
				  int64_t vat)
{
	Comptoir__Sales__Line l = COMPTOIR__SALES__LINE__INIT;
	l.article_code = (char *)code;
	l.label = (char *)label;
	l.quantity = qty;
	l.unit_price = price;
	l.vat_rate_id = vat;
	return l;
}

static int by_id(cpt_client *c, const char *book, const char *action, int64_t id,
		 ProtobufCMessage **out, cpt_status *st);

/* A reply is the document exactly as Get then reads it, byte for byte. */
static void assert_reply_is_stored(const char *book, const ProtobufCMessage *reply)
{
	const Comptoir__Sales__Document *d =
	    ((const Comptoir__Sales__DocumentReply *)reply)->document;
	ProtobufCMessage *got = NULL;
	cpt_status st;
	assert_int_equal(by_id(admin, book, "Get", d->id, &got, &st), CPT_OK);
	size_t n = protobuf_c_message_get_packed_size(reply);
	size_t m = protobuf_c_message_get_packed_size(got);
	uint8_t *a = malloc(n + 1), *b = malloc(m + 1);
	protobuf_c_message_pack(reply, a);
	protobuf_c_message_pack(got, b);
	if (n != m || memcmp(a, b, n) != 0) {
		fprintf(stderr, "reply of %s %lld differs from Get (%zu / %zu bytes)\n", book,
			(long long)d->id, n, m);
	}
	assert_true(n == m && memcmp(a, b, n) == 0);
	free(a);
	free(b);
	protobuf_c_message_free_unpacked(got, NULL);
}

/* Saves doc in book ("Quotes" or "Invoices"); the reply or NULL with st. */
static Comptoir__Sales__Document *save(const char *book, Comptoir__Sales__Document *doc,
				       Comptoir__Sales__Line *lines, size_t n, cpt_status *st,
				       ProtobufCMessage **keep)
{
	Comptoir__Sales__Line *lp[16];
	for (size_t i = 0; i < n; i++) {
		lp[i] = &lines[i];
	}
	doc->lines = lp;
	doc->n_lines = n;
	Comptoir__Sales__DocumentRequest req = COMPTOIR__SALES__DOCUMENT_REQUEST__INIT;
	req.document = doc;
	char method[64];
	snprintf(method, sizeof method, "sales.%s/Save", book);
	ProtobufCMessage *out = NULL;
	if (call(admin, method, &req.base, &comptoir__sales__document_reply__descriptor, &out,
		 st) != CPT_OK) {
		return NULL;
	}
	assert_reply_is_stored(book, out);
	*keep = out;
	return ((Comptoir__Sales__DocumentReply *)out)->document;
}

static int by_id(cpt_client *c, const char *book, const char *action, int64_t id,
		 ProtobufCMessage **out, cpt_status *st)
{
	Comptoir__Sales__IdRequest req = COMPTOIR__SALES__ID_REQUEST__INIT;
	req.id = id;
	char method[64];
	snprintf(method, sizeof method, "sales.%s/%s", book, action);
	return call(c, method, &req.base,
		    strcmp(action, "Delete") == 0 ? &comptoir__sales__empty__descriptor
						  : &comptoir__sales__document_reply__descriptor,
		    out, st);
}

/* Validates id; its number (caller frees) or NULL. */
static char *validate(const char *book, int64_t id, cpt_status *st)
{
	ProtobufCMessage *out = NULL;
	if (by_id(admin, book, "Validate", id, &out, st) != CPT_OK) {
		return NULL;
	}
	/* The reply is the document as Get reads it from now on. */
	assert_reply_is_stored(book, out);
	const Comptoir__Sales__Document *v = ((Comptoir__Sales__DocumentReply *)out)->document;
	char *n = strdup(v->number);
	protobuf_c_message_free_unpacked(out, NULL);
	return n;
}

static int64_t quote_id;

static void a_quote_prices_its_lines_and_adds_up(void **state)
{
	/* A client price for the boiler: 2 100 € instead of 2 190 €. */
	assert_int_equal(
	    cpt_testenv_sql_int(&env, "WITH r AS (INSERT INTO price_rule (company_id, party_id,"
				      " article_id, unit_price) SELECT company_id, id,"
				      " (SELECT id FROM article WHERE code = 'CHAUD'), 21000000"
				      " FROM party WHERE code = 'SYNDIC' RETURNING 1)"
				      " SELECT count(*) FROM r"),
	    1);
	Comptoir__Sales__Line l[5] = {item("", "", 0, 0, 0), item("chaud", "", 1000, -1, 0),
				      item("MO", "", 3500, -1, 0), item("", "", 0, 0, 0),
				      item("", "Désembouage du circuit", 1000, 1800000, vat55)};
	l[0].kind = "section";
	l[0].label = "Chaufferie";
	l[3].kind = "subtotal";
	Comptoir__Sales__Document d = COMPTOIR__SALES__DOCUMENT__INIT;
	d.type = "quote";
	d.party_code = "syndic";
	d.discount_rate = 500;
	cpt_status st;
	ProtobufCMessage *keep;
	Comptoir__Sales__Document *q = save("Quotes", &d, l, 5, &st, &keep);
	if (!q) {
		fail_msg("%s (%s)", st.message, st.field);
	}
	quote_id = q->id;
	assert_string_equal(q->state, "draft");
	assert_string_equal(q->number, "");
	assert_int_equal(q->lines[1]->unit_price, 21000000); /* the client's price */
	assert_string_equal(q->lines[1]->label, "Chaudière murale");
	assert_int_equal(q->lines[2]->amount, 19250); /* 3,5 h × 55 € */
	assert_int_equal(q->lines[3]->subtotal, 229250);
	/* 20 %: 2 292,50 − 5 % (114,625 → 114,63) = 2 177,87; VAT 435,574 → 435,57.
	 * 5,5 %: 180 − 9 = 171; VAT 9,405 → 9,41. */
	assert_int_equal(q->n_vat, 2);
	assert_int_equal(q->vat[0]->taxable, 217787);
	assert_int_equal(q->vat[0]->amount, 43557);
	assert_int_equal(q->vat[1]->taxable, 17100);
	assert_int_equal(q->vat[1]->amount, 941);
	assert_int_equal(q->net_total, 234887);
	assert_int_equal(q->gross_total, 234887 + 43557 + 941);
	assert_int_equal(q->eco_total, 250); /* 2,50 € of DEEE in the boiler */
	assert_true(q->valid_until[0] != '\0');
	protobuf_c_message_free_unpacked(keep, NULL);
}

static void a_kit_line_lists_its_components_when_asked(void **state)
{
	assert_int_equal(
	    cpt_testenv_sql_int(
		&env,
		"WITH k AS (INSERT INTO article (company_id, code, kind, label, unit,"
		" sale_price, vat_rate_id) SELECT company_id, 'KIT', 'goods', 'Kit chaufferie',"
		" 'U', 25000000, vat_rate_id FROM article WHERE code = 'CHAUD' RETURNING id,"
		" company_id), b AS (INSERT INTO bom_line (company_id, parent_id,"
		" component_id, quantity, position) SELECT k.company_id, k.id, a.id, v.q, v.p"
		" FROM k, (VALUES ('CHAUD', 1000, 0), ('MO', 2500, 1)) v(c, q, p)"
		" JOIN article a ON a.code = v.c RETURNING 1) SELECT count(*) FROM b"),
	    2);
	Comptoir__Sales__Line l[] = {item("KIT", "", 2000, -1, 0)};
	l[0].expand_bom = true;
	Comptoir__Sales__Document d = COMPTOIR__SALES__DOCUMENT__INIT;
	d.type = "quote";
	d.party_id = client;
	cpt_status st;
	ProtobufCMessage *keep;
	Comptoir__Sales__Document *q = save("Quotes", &d, l, 1, &st, &keep);
	if (!q) {
		fail_msg("%s (%s)", st.message, st.field);
	}
	assert_int_equal(q->n_lines, 3);
	assert_string_equal(q->lines[0]->kind, "item");
	assert_int_equal(q->lines[0]->amount, 500000); /* 2 kits at the kit's price */
	assert_string_equal(q->lines[1]->kind, "text");
	assert_non_null(strstr(q->lines[1]->label, "2 × Chaudière murale (CHAUD)"));
	assert_non_null(strstr(q->lines[2]->label, "5 × Main-d'œuvre (MO)"));
	assert_int_equal(q->gross_total, 600000);
	int64_t id = q->id;
	protobuf_c_message_free_unpacked(keep, NULL);
	assert_int_equal(by_id(admin, "Quotes", "Delete", id, NULL, &st), CPT_OK);
}

static void every_bad_input_names_its_field_and_writes_nothing(void **state)
{
	long long before = rows();
	cpt_status st;
	ProtobufCMessage *keep;
	struct {
		const char *type, *code, *label, *field;
		int64_t qty, price, vat;
		int code_expected;
	} cases[] = {
	    {"quote", "", "Pose", "document.lines.quantity", -1000, 10000, 0, CPT_INVALID_ARGUMENT},
	    {"quote", "INCONNU", "", "document.lines.article_code", 1000, -1, 0, CPT_NOT_FOUND},
	    {"quote", "", "Sans TVA", "document.lines.vat_rate_id", 1000, 10000, 0,
	     CPT_INVALID_ARGUMENT},
	    {"quote", "", "Prix négatif", "document.lines.unit_price", 1000, -5, 0,
	     CPT_INVALID_ARGUMENT},
	    {"invoice", "", "Facture dans les devis", "document.type", 1000, 10000, 0,
	     CPT_INVALID_ARGUMENT},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Comptoir__Sales__Line l = item(cases[i].code, cases[i].label, cases[i].qty,
					       cases[i].price, cases[i].vat ? cases[i].vat : 0);
		if (i == 0 || i == 3) {
			l.vat_rate_id = vat20;
		}
		Comptoir__Sales__Document d = COMPTOIR__SALES__DOCUMENT__INIT;
		d.type = (char *)cases[i].type;
		d.party_id = client;
		assert_null(save("Quotes", &d, &l, 1, &st, &keep));
		if (st.code != cases[i].code_expected || strcmp(st.field, cases[i].field) != 0) {
			fail_msg("case %zu: %d on '%s' (%s)", i, st.code, st.field, st.message);
		}
	}
	/* An empty document does not validate. */
	Comptoir__Sales__Document d = COMPTOIR__SALES__DOCUMENT__INIT;
	d.type = "invoice";
	d.party_id = client;
	Comptoir__Sales__Document *e = save("Invoices", &d, NULL, 0, &st, &keep);
	assert_non_null(e);
	int64_t empty = e->id;
	protobuf_c_message_free_unpacked(keep, NULL);
	long long with_empty = rows();
	assert_null(validate("Invoices", empty, &st));
	assert_int_equal(st.code, CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "lines");
	assert_int_equal(rows(), with_empty);
	assert_int_equal(by_id(admin, "Invoices", "Delete", empty, NULL, &st), CPT_OK);
	assert_int_equal(rows(), before);
}

static int convert(const char *book, const int64_t *ids, size_t n, const char *to, int32_t deposit,
		   const int64_t *line_ids, const int64_t *qty, size_t nq, ProtobufCMessage **out,
		   cpt_status *st)
{
	Comptoir__Sales__ConvertRequest req = COMPTOIR__SALES__CONVERT_REQUEST__INIT;
	req.source_ids = (int64_t *)ids;
	req.n_source_ids = n;
	req.to_type = (char *)to;
	req.deposit_rate = deposit;
	Comptoir__Sales__ConvertRequest__QuantitiesEntry e[8], *ep[8];
	for (size_t i = 0; i < nq; i++) {
		comptoir__sales__convert_request__quantities_entry__init(&e[i]);
		e[i].key = line_ids[i];
		e[i].value = qty[i];
		ep[i] = &e[i];
	}
	req.quantities = ep;
	req.n_quantities = nq;
	char method[64];
	snprintf(method, sizeof method, "sales.%s/Convert", book);
	return call(admin, method, &req.base, &comptoir__sales__document_reply__descriptor, out,
		    st);
}

static Comptoir__Sales__Document *doc_of(ProtobufCMessage *m)
{
	return ((Comptoir__Sales__DocumentReply *)m)->document;
}

/*
 * A quote of the client with lines, saved and validated: its id; *gross its
 * TTC and number its number (each may be NULL, number of 32 bytes).
 */
static int64_t validated_quote(Comptoir__Sales__Line *l, size_t n, int64_t *gross, char *number)
{
	Comptoir__Sales__Document d = COMPTOIR__SALES__DOCUMENT__INIT;
	d.type = "quote";
	d.party_id = client;
	cpt_status st;
	ProtobufCMessage *keep;
	Comptoir__Sales__Document *q = save("Quotes", &d, l, n, &st, &keep);
	assert_non_null(q);
	int64_t id = q->id;
	if (gross) {
		*gross = q->gross_total;
	}
	protobuf_c_message_free_unpacked(keep, NULL);
	char *num = validate("Quotes", id, &st);
	assert_non_null(num);
	if (number) {
		snprintf(number, 32, "%s", num);
	}
	free(num);
	return id;
}

static void quote_order_partial_deliveries_and_one_invoice(void **state)
{
	cpt_status st;
	ProtobufCMessage *o = NULL;
	/* A draft quote is not converted; validated, it is; a refused one is not. */
	assert_int_equal(convert("Quotes", &quote_id, 1, "order", 0, NULL, NULL, 0, &o, &st),
			 CPT_FAILED_PRECONDITION);
	char *qn = validate("Quotes", quote_id, &st);
	assert_non_null(qn);
	char want[32];
	snprintf(want, sizeof want, "DEV-%s-00001", year);
	assert_string_equal(qn, want);
	free(qn);
	/* The order takes the quote's lines. */
	assert_int_equal(convert("Quotes", &quote_id, 1, "order", 0, NULL, NULL, 0, &o, &st),
			 CPT_OK);
	int64_t order = doc_of(o)->id;
	int64_t boiler_line = doc_of(o)->lines[1]->id, labour_line = doc_of(o)->lines[2]->id;
	assert_int_equal(doc_of(o)->lines[1]->quantity, 1000);
	assert_int_equal(doc_of(o)->gross_total, 279385);
	protobuf_c_message_free_unpacked(o, NULL);
	free(validate("Quotes", order, &st));
	/* First delivery: the boiler and 2 of the 3,5 hours; the rest on back-order. */
	int64_t ids[] = {boiler_line, labour_line};
	int64_t qty[] = {1000, 2000};
	assert_int_equal(convert("Quotes", &order, 1, "delivery", 0, ids, qty, 2, &o, &st), CPT_OK);
	int64_t d1 = doc_of(o)->id;
	protobuf_c_message_free_unpacked(o, NULL);
	free(validate("Quotes", d1, &st));
	/* Asking for more than is left is refused on the quantities. */
	int64_t too_much[] = {2000};
	assert_int_equal(
	    convert("Quotes", &order, 1, "delivery", 0, &labour_line, too_much, 1, &o, &st),
	    CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "quantities");
	/* Second delivery: what is left. */
	assert_int_equal(convert("Quotes", &order, 1, "delivery", 0, NULL, NULL, 0, &o, &st),
			 CPT_OK);
	int64_t d2 = doc_of(o)->id;
	size_t items = 0;
	for (size_t i = 0; i < doc_of(o)->n_lines; i++) {
		if (strcmp(doc_of(o)->lines[i]->kind, "item") == 0) {
			items++;
			assert_int_equal(
			    doc_of(o)->lines[i]->quantity,
			    strcmp(doc_of(o)->lines[i]->article_code, "MO") == 0 ? 1500 : 1000);
		}
	}
	assert_int_equal(items, 2); /* 1,5 h and the cleaning: the boiler is delivered */
	protobuf_c_message_free_unpacked(o, NULL);
	free(validate("Quotes", d2, &st));
	/* Nothing left to deliver. */
	assert_int_equal(convert("Quotes", &order, 1, "delivery", 0, NULL, NULL, 0, &o, &st),
			 CPT_FAILED_PRECONDITION);
	/* One invoice for both deliveries: the same total as the order. */
	int64_t both[] = {d1, d2};
	assert_int_equal(convert("Invoices", both, 2, "invoice", 0, NULL, NULL, 0, &o, &st),
			 CPT_OK);
	Comptoir__Sales__Document *inv = doc_of(o);
	assert_int_equal(inv->n_source_ids, 2);
	assert_int_equal(inv->gross_total, 279385);
	/* Each delivery opens a section that names it, dated the French way. */
	assert_string_equal(inv->lines[0]->kind, "section");
	char dated[64];
	snprintf(dated, sizeof dated, " du %.2s/%.2s/%.4s", today + 8, today + 5, today);
	assert_non_null(strstr(inv->lines[0]->label, "Bon de livraison BL-"));
	assert_non_null(strstr(inv->lines[0]->label, dated));
	int64_t invoice = inv->id;
	protobuf_c_message_free_unpacked(o, NULL);
	char *number = validate("Invoices", invoice, &st);
	snprintf(want, sizeof want, "FA-%s-00001", year);
	assert_string_equal(number, want);
	free(number);
}

static void refused_and_expired_quotes_are_not_converted(void **state)
{
	cpt_status st;
	ProtobufCMessage *keep, *o;
	int64_t ids[2];
	for (int k = 0; k < 2; k++) {
		Comptoir__Sales__Line l[] = {
		    item("", "Remplacement du brûleur", 1000, 8000000, vat20)};
		Comptoir__Sales__Document d = COMPTOIR__SALES__DOCUMENT__INIT;
		d.type = "quote";
		d.party_id = client;
		d.issue_date = k ? "2026-01-05" : "";
		d.valid_until = k ? "2026-02-04" : "";
		Comptoir__Sales__Document *q = save("Quotes", &d, l, 1, &st, &keep);
		assert_non_null(q);
		ids[k] = q->id;
		protobuf_c_message_free_unpacked(keep, NULL);
		free(validate("Quotes", ids[k], &st));
	}
	/* Refused by the client. */
	Comptoir__Sales__QuoteStateRequest qs = COMPTOIR__SALES__QUOTE_STATE_REQUEST__INIT;
	qs.id = ids[0];
	qs.state = "refused";
	assert_int_equal(call(admin, "sales.Quotes/SetQuoteState", &qs.base,
			      &comptoir__sales__document_reply__descriptor, NULL, &st),
			 CPT_OK);
	long long before = rows();
	assert_int_equal(convert("Invoices", &ids[0], 1, "invoice", 0, NULL, NULL, 0, &o, &st),
			 CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "source_ids");
	/* Past its validity: it reads as expired, and is neither accepted nor converted. */
	assert_int_equal(by_id(admin, "Quotes", "Get", ids[1], &o, &st), CPT_OK);
	assert_string_equal(doc_of(o)->state, "expired");
	protobuf_c_message_free_unpacked(o, NULL);
	assert_int_equal(convert("Quotes", &ids[1], 1, "order", 0, NULL, NULL, 0, &o, &st),
			 CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "source_ids");
	qs.id = ids[1];
	qs.state = "accepted";
	assert_int_equal(call(admin, "sales.Quotes/SetQuoteState", &qs.base,
			      &comptoir__sales__document_reply__descriptor, NULL, &st),
			 CPT_FAILED_PRECONDITION);
	assert_int_equal(rows(), before);
	/* The list's state filter finds it. */
	Comptoir__Sales__ListRequest lr = COMPTOIR__SALES__LIST_REQUEST__INIT;
	lr.type = "quote";
	lr.state = "expired";
	assert_int_equal(call(admin, "sales.Quotes/List", &lr.base,
			      &comptoir__sales__list_reply__descriptor, &o, &st),
			 CPT_OK);
	assert_int_equal(((Comptoir__Sales__ListReply *)o)->n_documents, 1);
	protobuf_c_message_free_unpacked(o, NULL);
}

/* A deposit of rate (hundredths of a percent) of quote, validated: its id; *gross its TTC. */
static int64_t validated_deposit(int64_t quote, int32_t rate, int64_t *gross)
{
	cpt_status st;
	ProtobufCMessage *o;
	assert_int_equal(
	    convert("Invoices", &quote, 1, "deposit_invoice", rate, NULL, NULL, 0, &o, &st),
	    CPT_OK);
	int64_t id = doc_of(o)->id;
	if (gross) {
		*gross = doc_of(o)->gross_total;
	}
	protobuf_c_message_free_unpacked(o, NULL);
	free(validate("Invoices", id, &st));
	return id;
}

static void a_deposit_is_deducted_on_the_final_invoice(void **state)
{
	Comptoir__Sales__Line l[] = {item("", "Contrat de remplacement", 1000, 10000000, vat20)};
	int64_t quote = validated_quote(l, 1, NULL, NULL);
	cpt_status st;
	ProtobufCMessage *o;
	/* 30 % of 1 000 € HT: 300 € HT, 360 € TTC. */
	int64_t gross;
	validated_deposit(quote, 3000, &gross);
	assert_int_equal(gross, 36000);
	assert_int_equal(convert("Invoices", &quote, 1, "invoice", 0, NULL, NULL, 0, &o, &st),
			 CPT_OK);
	Comptoir__Sales__Document *final = doc_of(o);
	assert_int_equal(final->gross_total, 120000);
	assert_int_equal(final->prepaid, 36000);
	assert_int_equal(final->amount_due, 84000);
	protobuf_c_message_free_unpacked(o, NULL);
}

static int progress(int64_t quote, int32_t rate, ProtobufCMessage **out, cpt_status *st)
{
	Comptoir__Sales__ConvertRequest req = COMPTOIR__SALES__CONVERT_REQUEST__INIT;
	req.source_ids = &quote;
	req.n_source_ids = 1;
	req.to_type = "invoice";
	req.progress_rate = rate;
	return call(admin, "sales.Invoices/Convert", &req.base,
		    &comptoir__sales__document_reply__descriptor, out, st);
}

static void progress_invoices_show_their_share_and_what_came_before(void **state)
{
	/* 3 units at 333,33 € HT (999,99 €): thirds do not fall round. */
	Comptoir__Sales__Line l[] = {item("", "Rénovation de la chaufferie", 3000, 3333300, vat20)};
	int64_t quote = validated_quote(l, 1, NULL, NULL);
	cpt_status st;
	ProtobufCMessage *o;
	int32_t steps[] = {3000, 6000, 10000};
	int64_t previous = 0, invoiced_net = 0;
	for (int i = 0; i < 3; i++) {
		if (progress(quote, steps[i], &o, &st) != CPT_OK) {
			fail_msg("%d %%: %s (%s)", steps[i] / 100, st.message, st.field);
		}
		Comptoir__Sales__Document *inv = doc_of(o);
		assert_int_equal(inv->progress_rate, steps[i]);
		assert_int_equal(inv->progress_previous, previous);
		assert_non_null(strstr(inv->notes, "cumulés"));
		invoiced_net += inv->lines[0]->net;
		int64_t id = inv->id, gross = inv->gross_total;
		protobuf_c_message_free_unpacked(o, NULL);
		free(validate("Invoices", id, &st));
		previous += gross;
	}
	/* 300,00 + 300,00 + 399,99: the whole quote, exactly once. */
	assert_int_equal(invoiced_net, 99999);
	assert_int_equal(previous, 119999); /* 999,99 € HT + 20 % */
	/* Nothing goes past 100 %, nor back. */
	assert_int_equal(progress(quote, 10000, &o, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "progress_rate");
	/* Invoiced by progress, it is not invoiced by quantities any more. */
	long long before = rows();
	assert_int_equal(convert("Invoices", &quote, 1, "invoice", 0, NULL, NULL, 0, &o, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "progress_rate");
	assert_non_null(strstr(st.message, "à l'avancement"));
	/* Nor the other way round. */
	Comptoir__Sales__Line l2[] = {item("", "Vase d'expansion", 2000, 1200000, vat20)};
	int64_t other = validated_quote(l2, 1, NULL, NULL);
	int64_t one[] = {1000};
	int64_t line = cpt_testenv_sql_int(&env, "SELECT max(id) FROM sales_line");
	assert_int_equal(convert("Invoices", &other, 1, "invoice", 0, &line, one, 1, &o, &st),
			 CPT_OK);
	int64_t part = doc_of(o)->id;
	protobuf_c_message_free_unpacked(o, NULL);
	assert_int_equal(progress(other, 5000, &o, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "progress_rate");
	assert_non_null(strstr(st.message, "par quantités"));
	assert_int_equal(by_id(admin, "Invoices", "Delete", part, NULL, &st), CPT_OK);
	assert_true(rows() > before); /* the second quote only */
}

static int credit(int64_t invoice, const int64_t *line, const int64_t *qty, size_t n,
		  ProtobufCMessage **out, cpt_status *st)
{
	Comptoir__Sales__CreditNoteRequest req = COMPTOIR__SALES__CREDIT_NOTE_REQUEST__INIT;
	req.invoice_id = invoice;
	Comptoir__Sales__CreditNoteRequest__QuantitiesEntry e[4], *ep[4];
	for (size_t i = 0; i < n; i++) {
		comptoir__sales__credit_note_request__quantities_entry__init(&e[i]);
		e[i].key = line[i];
		e[i].value = qty[i];
		ep[i] = &e[i];
	}
	req.quantities = ep;
	req.n_quantities = n;
	return call(admin, "sales.Invoices/CreditNote", &req.base,
		    &comptoir__sales__document_reply__descriptor, out, st);
}

static int64_t first_invoice(void)
{
	return cpt_testenv_sql_int(&env, "SELECT id FROM sales_document WHERE type = 'invoice'"
					 " AND number IS NOT NULL ORDER BY id LIMIT 1");
}

static void credit_notes_never_exceed_what_is_left(void **state)
{
	int64_t invoice = first_invoice();
	int64_t labour = cpt_testenv_sql_int(
	    &env, "SELECT l.id FROM sales_line l JOIN sales_document d ON d.id = l.document_id"
		  " WHERE d.type = 'invoice' AND d.number IS NOT NULL AND l.article_code = 'MO'"
		  " ORDER BY l.id LIMIT 1");
	cpt_status st;
	ProtobufCMessage *o;
	/* A partial credit note: one hour of labour. */
	int64_t one[] = {1000};
	assert_int_equal(credit(invoice, &labour, one, 1, &o, &st), CPT_OK);
	int64_t c1 = doc_of(o)->id;
	assert_int_equal(doc_of(o)->corrects_id, invoice);
	protobuf_c_message_free_unpacked(o, NULL);
	char *n1 = validate("Invoices", c1, &st);
	char want[32];
	snprintf(want, sizeof want, "AV-%s-00001", year);
	assert_string_equal(n1, want);
	free(n1);
	/* More than the hours left (2 h invoiced on that line, 1 credited). */
	long long before = rows();
	int64_t two[] = {2000};
	assert_int_equal(credit(invoice, &labour, two, 1, &o, &st), CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "quantities");
	assert_int_equal(rows(), before);
	/* The rest, in full; then nothing is left. */
	assert_int_equal(credit(invoice, NULL, NULL, 0, &o, &st), CPT_OK);
	int64_t c2 = doc_of(o)->id;
	protobuf_c_message_free_unpacked(o, NULL);
	free(validate("Invoices", c2, &st));
	assert_int_equal(credit(invoice, NULL, NULL, 0, &o, &st), CPT_FAILED_PRECONDITION);
	assert_int_equal(
	    cpt_testenv_sql_int(&env, "SELECT (SELECT gross_total FROM sales_document WHERE id ="
				      " (SELECT min(id) FROM sales_document WHERE type = 'invoice'"
				      " AND number IS NOT NULL)) - sum(gross_total) FROM"
				      " sales_document WHERE type = 'credit_note'"),
	    0);
}

/*
 * A deposit credited in part is deducted on the final invoice for what is
 * left of it; once deducted it is not credited any more, not even by a
 * credit note drafted before (the final invoice is the one to correct).
 */
/*
 * A deposit is deducted up to what each invoice comes to: a first progress
 * invoice smaller than the deposit is paid by it in full, the next takes
 * the rest. A pro forma shows the deduction and uses nothing up.
 */
static void a_deposit_is_deducted_no_more_than_each_invoice_comes_to(void **state)
{
	Comptoir__Sales__Line l[] = {
	    item("", "Remplacement de la chaudière", 1000, 10000000, vat20)};
	int64_t quote = validated_quote(l, 1, NULL, NULL); /* 1 200 € TTC */
	cpt_status st;
	ProtobufCMessage *o;
	int64_t gross;
	validated_deposit(quote, 5000, &gross);
	assert_int_equal(gross, 60000);
	/* The pro forma of the whole: 1 200 € less the 600 € deposit. */
	assert_int_equal(convert("Invoices", &quote, 1, "proforma", 0, NULL, NULL, 0, &o, &st),
			 CPT_OK);
	assert_int_equal(doc_of(o)->prepaid, 60000);
	assert_int_equal(doc_of(o)->amount_due, 60000);
	protobuf_c_message_free_unpacked(o, NULL);
	/* 30 %: 360 € TTC, paid by the deposit; nothing due. */
	assert_int_equal(progress(quote, 3000, &o, &st), CPT_OK);
	int64_t first = doc_of(o)->id;
	assert_int_equal(doc_of(o)->gross_total, 36000);
	assert_int_equal(doc_of(o)->prepaid, 36000);
	assert_int_equal(doc_of(o)->amount_due, 0);
	protobuf_c_message_free_unpacked(o, NULL);
	free(validate("Invoices", first, &st));
	/* 100 %: 840 € TTC, less the 240 € left of the deposit. */
	assert_int_equal(progress(quote, 10000, &o, &st), CPT_OK);
	assert_int_equal(doc_of(o)->gross_total, 84000);
	assert_int_equal(doc_of(o)->prepaid, 24000);
	assert_int_equal(doc_of(o)->amount_due, 60000);
	protobuf_c_message_free_unpacked(o, NULL);
}

static void a_credited_deposit_is_deducted_for_what_is_left(void **state)
{
	Comptoir__Sales__Line l[] = {item("", "Désembouage du réseau", 1000, 10000000, vat20)};
	int64_t quote = validated_quote(l, 1, NULL, NULL);
	cpt_status st;
	ProtobufCMessage *o;
	/* 30 %: 360 € TTC. */
	assert_int_equal(
	    convert("Invoices", &quote, 1, "deposit_invoice", 3000, NULL, NULL, 0, &o, &st),
	    CPT_OK);
	int64_t deposit = doc_of(o)->id, line = doc_of(o)->lines[0]->id;
	int64_t half = doc_of(o)->lines[0]->quantity / 2, quarter = half / 2;
	assert_int_equal(doc_of(o)->gross_total, 36000);
	protobuf_c_message_free_unpacked(o, NULL);
	free(validate("Invoices", deposit, &st));
	/* Half of it credited (180 € TTC); a quarter more drafted, not validated. */
	assert_int_equal(credit(deposit, &line, &half, 1, &o, &st), CPT_OK);
	int64_t c1 = doc_of(o)->id;
	assert_int_equal(doc_of(o)->gross_total, 18000);
	protobuf_c_message_free_unpacked(o, NULL);
	free(validate("Invoices", c1, &st));
	assert_int_equal(credit(deposit, &line, &quarter, 1, &o, &st), CPT_OK);
	int64_t c2 = doc_of(o)->id;
	protobuf_c_message_free_unpacked(o, NULL);

	/* The final invoice deducts what the validated credit note left: 180 €. */
	assert_int_equal(convert("Invoices", &quote, 1, "invoice", 0, NULL, NULL, 0, &o, &st),
			 CPT_OK);
	int64_t final = doc_of(o)->id;
	assert_int_equal(doc_of(o)->gross_total, 120000);
	assert_int_equal(doc_of(o)->prepaid, 18000);
	assert_int_equal(doc_of(o)->amount_due, 102000);
	protobuf_c_message_free_unpacked(o, NULL);

	/* Deducted now: no credit note of the deposit, new or drafted before. */
	long long before = rows();
	assert_int_equal(credit(deposit, NULL, NULL, 0, &o, &st), CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "invoice_id");
	assert_non_null(strstr(st.message, "supprimez d'abord ce brouillon"));
	assert_int_equal(by_id(admin, "Invoices", "Validate", c2, &o, &st),
			 CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "corrects_id");
	assert_int_equal(rows(), before);

	/* Validated, the invoice keeps the deduction; the link says how much. */
	free(validate("Invoices", final, &st));
	assert_int_equal(by_id(admin, "Invoices", "Get", final, &o, &st), CPT_OK);
	assert_int_equal(doc_of(o)->prepaid, 18000);
	assert_int_equal(doc_of(o)->amount_due, 102000);
	protobuf_c_message_free_unpacked(o, NULL);
	char sql[160];
	snprintf(sql, sizeof sql,
		 "SELECT amount FROM sales_link WHERE from_id = %lld AND to_id = %lld",
		 (long long)deposit, (long long) final);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 18000);
	assert_int_equal(by_id(admin, "Invoices", "Delete", c2, NULL, &st), CPT_OK);

	/* A deposit credited in full is not deducted at all. */
	quote = validated_quote(l, 1, NULL, NULL);
	deposit = validated_deposit(quote, 5000, NULL);
	assert_int_equal(credit(deposit, NULL, NULL, 0, &o, &st), CPT_OK);
	c1 = doc_of(o)->id;
	protobuf_c_message_free_unpacked(o, NULL);
	free(validate("Invoices", c1, &st));
	assert_int_equal(convert("Invoices", &quote, 1, "invoice", 0, NULL, NULL, 0, &o, &st),
			 CPT_OK);
	assert_int_equal(doc_of(o)->prepaid, 0);
	assert_int_equal(doc_of(o)->amount_due, 120000);
	protobuf_c_message_free_unpacked(o, NULL);
}

/*
 * A pro forma shows what is left to invoice of a quote, numbered in its own
 * series, out of the chain, and takes nothing: the invoice still takes all.
 */
static void a_pro_forma_is_made_from_a_quote_and_takes_nothing(void **state)
{
	Comptoir__Sales__Line l[] = {item("MO", "", 3000, -1, 0),
				     item("", "Pièces détachées", 1000, 4500000, vat55)};
	int64_t gross;
	int64_t quote = validated_quote(l, 2, &gross, NULL);
	cpt_status st;
	ProtobufCMessage *o;
	assert_int_equal(convert("Invoices", &quote, 1, "proforma", 0, NULL, NULL, 0, &o, &st),
			 CPT_OK);
	Comptoir__Sales__Document *pf = doc_of(o);
	assert_string_equal(pf->type, "proforma");
	assert_int_equal(pf->n_lines, 2);
	assert_int_equal(pf->gross_total, gross);
	assert_int_equal(pf->n_source_ids, 1);
	assert_int_equal(pf->source_ids[0], quote);
	int64_t id = pf->id;
	protobuf_c_message_free_unpacked(o, NULL);
	char *number = validate("Invoices", id, &st);
	char want[32];
	snprintf(want, sizeof want, "PF-%s-", year);
	assert_non_null(number);
	assert_memory_equal(number, want, strlen(want));
	free(number);
	char sql[128];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM sales_document WHERE id = %lld"
		 " AND hash IS NULL",
		 (long long)id);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 1); /* out of the chain */
	/* The invoice made next still takes the whole quote. */
	assert_int_equal(convert("Invoices", &quote, 1, "invoice", 0, NULL, NULL, 0, &o, &st),
			 CPT_OK);
	assert_int_equal(doc_of(o)->gross_total, gross);
	id = doc_of(o)->id;
	protobuf_c_message_free_unpacked(o, NULL);
	assert_int_equal(by_id(admin, "Invoices", "Delete", id, NULL, &st), CPT_OK);
	/* A quote is not made into what only an invoice can be corrected by. */
	assert_int_equal(convert("Invoices", &quote, 1, "credit_note", 0, NULL, NULL, 0, &o, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "to_type");
}

/* Two quotes of one client make one invoice, each under a section naming it. */
static void two_quotes_make_one_invoice(void **state)
{
	int64_t quotes[2], gross = 0;
	char numbers[2][32];
	for (int i = 0; i < 2; i++) {
		Comptoir__Sales__Line l[] = {item("", i ? "Ramonage" : "Entretien annuel", 1000,
						  i ? 900000 : 1500000, vat20)};
		int64_t g;
		quotes[i] = validated_quote(l, 1, &g, numbers[i]);
		gross += g;
	}
	cpt_status st;
	ProtobufCMessage *o;
	assert_int_equal(convert("Invoices", quotes, 2, "invoice", 0, NULL, NULL, 0, &o, &st),
			 CPT_OK);
	Comptoir__Sales__Document *inv = doc_of(o);
	assert_int_equal(inv->gross_total, gross); /* 150 + 90 HT, 20 %: 288 € */
	assert_int_equal(gross, 28800);
	assert_int_equal(inv->n_lines, 4);
	assert_int_equal(inv->n_source_ids, 2);
	for (int i = 0; i < 2; i++) {
		assert_string_equal(inv->lines[2 * i]->kind, "section");
		assert_non_null(strstr(inv->lines[2 * i]->label, numbers[i]));
		assert_string_equal(inv->lines[2 * i + 1]->label,
				    i ? "Ramonage" : "Entretien annuel");
	}
	int64_t id = inv->id;
	protobuf_c_message_free_unpacked(o, NULL);
	/* Both quotes are invoiced: nothing is left to take from either. */
	assert_int_equal(convert("Invoices", &quotes[1], 1, "invoice", 0, NULL, NULL, 0, &o, &st),
			 CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "source_ids");
	assert_int_equal(by_id(admin, "Invoices", "Delete", id, NULL, &st), CPT_OK);
}

/* A copy of a validated invoice is a new draft with the same client and lines, linked to nothing.
 */
static void a_document_is_duplicated_as_a_new_draft(void **state)
{
	int64_t invoice = first_invoice();
	ProtobufCMessage *o, *g;
	cpt_status st;
	assert_int_equal(by_id(admin, "Invoices", "Get", invoice, &g, &st), CPT_OK);
	const Comptoir__Sales__Document *src = doc_of(g);
	assert_int_equal(by_id(admin, "Invoices", "Duplicate", invoice, &o, &st), CPT_OK);
	const Comptoir__Sales__Document *copy = doc_of(o);
	assert_true(copy->id != invoice);
	assert_string_equal(copy->type, "invoice");
	assert_string_equal(copy->state, "draft");
	assert_string_equal(copy->number, "");
	assert_int_equal(copy->party_id, src->party_id);
	assert_int_equal(copy->n_lines, src->n_lines);
	assert_int_equal(copy->gross_total, src->gross_total);
	assert_int_equal(copy->n_source_ids, 0);
	for (size_t i = 0; i < copy->n_lines; i++) {
		assert_string_equal(copy->lines[i]->label, src->lines[i]->label);
		assert_int_equal(copy->lines[i]->net, src->lines[i]->net);
		assert_int_equal(copy->lines[i]->source_line_id, 0);
	}
	assert_reply_is_stored("Invoices", o);
	int64_t id = copy->id;
	protobuf_c_message_free_unpacked(o, NULL);
	protobuf_c_message_free_unpacked(g, NULL);
	assert_int_equal(by_id(admin, "Invoices", "Delete", id, NULL, &st), CPT_OK);
	/* A credit note belongs to its invoice: not copied, nothing written. */
	int64_t note = cpt_testenv_sql_int(
	    &env, "SELECT min(id) FROM sales_document WHERE type = 'credit_note'");
	long long before = rows();
	assert_int_equal(by_id(admin, "Invoices", "Duplicate", note, &o, &st),
			 CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "id");
	assert_int_equal(rows(), before);
	/* A quote is copied in its own book only. */
	assert_int_equal(by_id(admin, "Quotes", "Duplicate", invoice, &o, &st), CPT_NOT_FOUND);
}

typedef struct {
	pthread_t thread;
	cpt_client *c;
	const char *method;
	ProtobufCMessage *in;
	const ProtobufCMessageDescriptor *out_desc;
	int rc;
	int64_t prepaid;
} racer;

static void *race(void *arg)
{
	racer *r = arg;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	r->rc = cpt_client_call(r->c, r->method, r->in, r->out_desc, &out, &st);
	if (r->rc == CPT_OK && out && r->out_desc == &comptoir__sales__document_reply__descriptor) {
		r->prepaid = ((Comptoir__Sales__DocumentReply *)out)->document->prepaid;
	}
	cpt_status_reset(&st);
	protobuf_c_message_free_unpacked(out, NULL);
	return NULL;
}

/*
 * The credit note of a deposit validated at the very moment the final
 * invoice is made: one of the two sees the other. Never is the deposit
 * both given back and deducted.
 */
static void a_deposit_is_never_both_credited_and_deducted(void **state)
{
	for (int round = 0; round < 6; round++) {
		Comptoir__Sales__Line l[] = {item("", "Mise en conformité", 1000, 5000000, vat20)};
		int64_t quote = validated_quote(l, 1, NULL, NULL);
		cpt_status st;
		ProtobufCMessage *o;
		int64_t full;
		int64_t deposit = validated_deposit(quote, 4000, &full);
		assert_int_equal(credit(deposit, NULL, NULL, 0, &o, &st), CPT_OK);
		int64_t note = doc_of(o)->id;
		protobuf_c_message_free_unpacked(o, NULL);

		Comptoir__Sales__IdRequest v = COMPTOIR__SALES__ID_REQUEST__INIT;
		v.id = note;
		Comptoir__Sales__ConvertRequest c = COMPTOIR__SALES__CONVERT_REQUEST__INIT;
		c.source_ids = &quote;
		c.n_source_ids = 1;
		c.to_type = "invoice";
		racer r[2] = {
		    {.method = "comptoir.sales.Invoices/Validate",
		     .in = &v.base,
		     .out_desc = &comptoir__sales__document_reply__descriptor},
		    {.method = "comptoir.sales.Invoices/Convert",
		     .in = &c.base,
		     .out_desc = &comptoir__sales__document_reply__descriptor},
		};
		for (int i = 0; i < 2; i++) {
			r[i].c = cpt_testenv_admin(&env);
			assert_non_null(r[i].c);
		}
		for (int i = 0; i < 2; i++) {
			pthread_create(&r[i].thread, NULL, race, &r[i]);
		}
		for (int i = 0; i < 2; i++) {
			pthread_join(r[i].thread, NULL);
			cpt_client_close(r[i].c);
		}
		assert_int_equal(r[1].rc, CPT_OK); /* the invoice is made either way */
		if (r[0].rc == CPT_OK) {
			assert_int_equal(r[1].prepaid, 0); /* given back: not deducted */
		} else {
			assert_int_equal(r[0].rc, CPT_FAILED_PRECONDITION);
			assert_int_equal(r[1].prepaid, full); /* deducted: not given back */
		}
	}
}

static Comptoir__Sales__ListReply *list(const char *type, const char *state, const char *search,
					uint32_t limit)
{
	Comptoir__Admin__Page page = COMPTOIR__ADMIN__PAGE__INIT;
	page.limit = limit;
	page.with_total = true;
	Comptoir__Sales__ListRequest req = COMPTOIR__SALES__LIST_REQUEST__INIT;
	req.type = (char *)type;
	req.state = (char *)state;
	req.search = (char *)search;
	req.page = &page;
	ProtobufCMessage *out = NULL;
	cpt_status st;
	if (call(admin, "sales.Invoices/List", &req.base, &comptoir__sales__list_reply__descriptor,
		 &out, &st) != CPT_OK) {
		fail_msg("List %s %s: %s", type, state, st.message);
	}
	return (Comptoir__Sales__ListReply *)out;
}

/* A list's count and totals are those of every row its filters keep, not of one page. */
static void lists_total_every_row_their_filters_keep(void **state)
{
	static const struct {
		const char *type, *state, *search, *where;
	} cases[] = {
	    {"invoice", "", "", "type = 'invoice'"},
	    {"invoice", "validated", "", "type = 'invoice' AND state = 'validated'"},
	    {"invoice", "draft", "", "type = 'invoice' AND state = 'draft'"},
	    {"credit_note", "", "", "type = 'credit_note'"},
	    {"invoice", "", "SYNDIC", "type = 'invoice'"}, /* the only client */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Comptoir__Sales__ListReply *r =
		    list(cases[i].type, cases[i].state, cases[i].search, 2);
		char sql[256];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM sales_document WHERE %s",
			 cases[i].where);
		long long n = cpt_testenv_sql_int(&env, sql);
		snprintf(sql, sizeof sql,
			 "SELECT coalesce(sum(net_total), 0) FROM sales_document WHERE %s",
			 cases[i].where);
		long long net = cpt_testenv_sql_int(&env, sql);
		snprintf(sql, sizeof sql,
			 "SELECT coalesce(sum(gross_total), 0) FROM sales_document WHERE %s",
			 cases[i].where);
		long long gross = cpt_testenv_sql_int(&env, sql);
		assert_int_equal(r->total, n);
		assert_int_equal(r->sum_net, net);
		assert_int_equal(r->sum_gross, gross);
		assert_int_equal(r->n_documents, n < 2 ? n : 2);
		assert_int_equal(r->more, n > 2);
		protobuf_c_message_free_unpacked(&r->base, NULL);
	}
	/* Several pages of invoices, and the filters do cut. */
	assert_true(cpt_testenv_sql_int(&env,
					"SELECT count(*) FROM sales_document"
					" WHERE type = 'invoice' AND state = 'validated'") > 2);
	assert_true(cpt_testenv_sql_int(&env, "SELECT count(*) FROM sales_document"
					      " WHERE type = 'invoice' AND state = 'draft'") > 0);
	/* A search that finds nothing totals nothing. */
	Comptoir__Sales__ListReply *r = list("invoice", "", "AUCUN-CLIENT-ZZZ", 2);
	assert_int_equal(r->total, 0);
	assert_int_equal(r->sum_gross, 0);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void validated_documents_are_unalterable_even_from_sql(void **state)
{
	int64_t invoice = first_invoice();
	cpt_status st;
	/* Through the RPC: no edit, no deletion. */
	ProtobufCMessage *o;
	assert_int_equal(by_id(admin, "Invoices", "Get", invoice, &o, &st), CPT_OK);
	Comptoir__Sales__Document *inv = doc_of(o);
	char *keep_notes = inv->notes; /* the reply's: freed with it */
	inv->notes = "modifiée";
	Comptoir__Sales__DocumentRequest req = COMPTOIR__SALES__DOCUMENT_REQUEST__INIT;
	req.document = inv;
	assert_int_equal(call(admin, "sales.Invoices/Save", &req.base,
			      &comptoir__sales__document_reply__descriptor, NULL, &st),
			 CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "document.id");
	inv->notes = keep_notes;
	protobuf_c_message_free_unpacked(o, NULL);
	assert_int_equal(by_id(admin, "Invoices", "Delete", invoice, NULL, &st),
			 CPT_FAILED_PRECONDITION);
	/* From SQL, as the database's superuser: the triggers refuse. */
	char sql[256];
	snprintf(sql, sizeof sql,
		 "WITH u AS (UPDATE sales_document SET net_total = 1 WHERE id = %lld RETURNING 1)"
		 " SELECT count(*) FROM u",
		 (long long)invoice);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), -1);
	snprintf(sql, sizeof sql,
		 "WITH u AS (UPDATE sales_line SET unit_price = 1 WHERE document_id = %lld"
		 " RETURNING 1) SELECT count(*) FROM u",
		 (long long)invoice);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), -1);
	snprintf(sql, sizeof sql,
		 "WITH u AS (DELETE FROM sales_document WHERE id = %lld RETURNING 1)"
		 " SELECT count(*) FROM u",
		 (long long)invoice);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), -1);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM sales_document WHERE id = %lld",
		 (long long)invoice);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 1);
}

static void verify_finds_a_tampered_row(void **state)
{
	char out[4096];
	const char *verify[] = {"verify", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, verify), 0);
	assert_non_null(strstr(out, "intègre"));
	/* Someone with the superuser's password switches the triggers off and
	 * lowers a price on a validated invoice. */
	int64_t invoice = first_invoice();
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SET session_replication_role = replica;"
		 " WITH u AS (UPDATE sales_line SET unit_price = unit_price - 10000"
		 " WHERE id = (SELECT min(id) FROM sales_line WHERE document_id = %lld"
		 " AND article_code = 'MO') RETURNING 1) SELECT count(*) FROM u",
		 (long long)invoice);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 1);
	assert_int_not_equal(cpt_testenv_ctl(&env, out, sizeof out, verify), 0);
	char want[64];
	snprintf(want, sizeof want, "chaîne rompue au document FA-%s-00001", year);
	if (!strstr(out, want)) {
		fail_msg("verify said: %s", out);
	}
	/* Put back, the chain holds again. */
	snprintf(sql, sizeof sql,
		 "SET session_replication_role = replica;"
		 " WITH u AS (UPDATE sales_line SET unit_price = unit_price + 10000"
		 " WHERE id = (SELECT min(id) FROM sales_line WHERE document_id = %lld"
		 " AND article_code = 'MO') RETURNING 1) SELECT count(*) FROM u",
		 (long long)invoice);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 1);
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, verify), 0);

	/* The archived PDF of that invoice: one byte changed is found too. */
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM document_archive"),
			 cpt_testenv_sql_int(&env, "SELECT count(*) FROM sales_document WHERE"
						   " number IS NOT NULL AND type IN ('invoice',"
						   " 'deposit_invoice', 'credit_note')"));
	assert_non_null(strstr(out, "PDF archivés intègres"));
	snprintf(sql, sizeof sql,
		 "SET session_replication_role = replica;"
		 " WITH u AS (UPDATE document_archive SET pdf = set_byte(pdf, 200,"
		 " get_byte(pdf, 200) # 1) WHERE document_id = %lld RETURNING 1)"
		 " SELECT count(*) FROM u",
		 (long long)invoice);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 1);
	assert_int_not_equal(cpt_testenv_ctl(&env, out, sizeof out, verify), 0);
	snprintf(want, sizeof want, "PDF archivé modifié depuis son archivage : FA-%s-00001", year);
	if (!strstr(out, want)) {
		fail_msg("verify said: %s", out);
	}
	assert_int_equal(cpt_testenv_sql_int(&env, sql), 1); /* the same byte back */
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, verify), 0);
}

/* ---------------------------------------------------------------------------
 * E-invoices of a validated invoice, through the RPC
 */

static void a_validated_invoice_exports_cii_and_ubl_that_pass_the_validator(void **state)
{
	/* The seller's legal identity, as the company settings will hold it. */
	assert_int_equal(
	    cpt_testenv_sql_int(
		&env, "WITH u AS (UPDATE company SET name = 'Thermo Services', legal_form = 'SARL',"
		      " share_capital = '10 000 €', siren = '732829320', siret = '73282932000074',"
		      " rcs = 'RCS Lyon 732 829 320', vat_number = 'FR44732829320',"
		      " address_line1 = '12 rue de la République', postcode = '69002',"
		      " city = 'Lyon', iban = 'FR7630006000011234567890189', bic = 'AGRIFRPPXXX',"
		      " email = 'compta@thermo.example' RETURNING 1) SELECT count(*) FROM u"),
	    1);
	Comptoir__Sales__Line l[] = {item("CHAUD", "", 1000, 21900000, vat20),
				     item("MO", "", 2500, 550000, 0),
				     item("", "Désembouage", 1000, 1800000, vat55)};
	l[1].vat_rate_id = vat20;
	Comptoir__Sales__Document d = COMPTOIR__SALES__DOCUMENT__INIT;
	d.type = "invoice";
	d.party_id = client;
	d.discount_rate = 250;
	cpt_status st;
	ProtobufCMessage *keep;
	Comptoir__Sales__Document *inv = save("Invoices", &d, l, 3, &st, &keep);
	assert_non_null(inv);
	int64_t id = inv->id;
	protobuf_c_message_free_unpacked(keep, NULL);
	free(validate("Invoices", id, &st));
	const char *formats[][2] = {{"cii", "--facturx"}, {"ubl", "--peppol"}};
	for (int f = 0; f < 2; f++) {
		Comptoir__Sales__ExportRequest req = COMPTOIR__SALES__EXPORT_REQUEST__INIT;
		req.id = id;
		req.format = (char *)formats[f][0];
		ProtobufCMessage *out = NULL;
		if (call(admin, "sales.Invoices/Print", &req.base,
			 &comptoir__sales__file_reply__descriptor, &out, &st) != CPT_OK) {
			fail_msg("%s: %s (%s)", formats[f][0], st.message, st.field);
		}
		Comptoir__Sales__FileReply *file = (void *)out;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", cpt_testenv_out(), file->name);
		FILE *fp = fopen(path, "wb");
		assert_non_null(fp);
		fwrite(file->content.data, 1, file->content.len, fp);
		fclose(fp);
		protobuf_c_message_free_unpacked(out, NULL);
		char *report;
		if (!cpt_testenv_einvoice_valid(path, formats[f][1], &report)) {
			fail_msg("%s does not pass:\n%s", path, report);
		}
		free(report);
	}
	/* The PDF archived at validation: Factur-X, the same bytes at every print. */
	unsigned char *first = NULL;
	size_t first_len = 0;
	for (int k = 0; k < 2; k++) {
		Comptoir__Sales__ExportRequest req = COMPTOIR__SALES__EXPORT_REQUEST__INIT;
		req.id = id;
		req.format = "pdf";
		ProtobufCMessage *out = NULL;
		assert_int_equal(call(admin, "sales.Invoices/Print", &req.base,
				      &comptoir__sales__file_reply__descriptor, &out, &st),
				 CPT_OK);
		Comptoir__Sales__FileReply *file = (void *)out;
		assert_true(file->archived);
		if (k == 0) {
			first = malloc(file->content.len);
			memcpy(first, file->content.data, file->content.len);
			first_len = file->content.len;
			char sql[256];
			snprintf(sql, sizeof sql,
				 "SELECT count(*) FROM document_archive WHERE document_id = %lld"
				 " AND sha256 = '%s'",
				 (long long)id, file->sha256);
			assert_int_equal(cpt_testenv_sql_int(&env, sql), 1);
			char path[1024];
			snprintf(path, sizeof path, "%s/%s", cpt_testenv_out(), file->name);
			FILE *fp = fopen(path, "wb");
			fwrite(file->content.data, 1, file->content.len, fp);
			fclose(fp);
			char *report;
			if (!cpt_testenv_einvoice_valid(path, "", &report)) {
				fail_msg("%s does not pass:\n%s", path, report);
			}
			free(report);
			char cmd[1200];
			snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' - 2>/dev/null", path);
			FILE *p = popen(cmd, "r");
			char text[65536];
			size_t n = fread(text, 1, sizeof text - 1, p);
			text[n] = '\0';
			pclose(p);
			char want[32];
			snprintf(want, sizeof want, "FA-%s-", year);
			assert_non_null(strstr(text, want));
			assert_non_null(strstr(text, "Syndic des Érables"));
			assert_non_null(strstr(text, "40 €"));
			assert_non_null(strstr(text, "RCS Lyon"));
		} else {
			assert_int_equal(file->content.len, first_len);
			assert_memory_equal(file->content.data, first, first_len);
		}
		protobuf_c_message_free_unpacked(out, NULL);
	}
	free(first);
	/* The archive cannot be changed, even from SQL. */
	char sql[256];
	snprintf(sql, sizeof sql,
		 "WITH u AS (UPDATE document_archive SET sha256 = 'x' WHERE document_id = %lld"
		 " RETURNING 1) SELECT count(*) FROM u",
		 (long long)id);
	assert_int_equal(cpt_testenv_sql_int(&env, sql), -1);

	/* A draft is no e-invoice. */
	d.discount_rate = 0;
	inv = save("Invoices", &d, l, 1, &st, &keep);
	Comptoir__Sales__ExportRequest req = COMPTOIR__SALES__EXPORT_REQUEST__INIT;
	req.id = inv->id;
	req.format = "ubl";
	protobuf_c_message_free_unpacked(keep, NULL);
	assert_int_equal(call(admin, "sales.Invoices/Print", &req.base,
			      &comptoir__sales__file_reply__descriptor, NULL, &st),
			 CPT_FAILED_PRECONDITION);
}

/* ---------------------------------------------------------------------------
 * 20 validations at once
 */

typedef struct {
	pthread_t thread;
	cpt_client *c;
	int64_t id;
	int rc;
	char number[32];
} validator;

static void *validate_one(void *arg)
{
	validator *v = arg;
	ProtobufCMessage *out = NULL;
	cpt_status st;
	v->rc = by_id(v->c, "Invoices", "Validate", v->id, &out, &st);
	if (v->rc == CPT_OK) {
		snprintf(v->number, sizeof v->number, "%s",
			 ((Comptoir__Sales__DocumentReply *)out)->document->number);
	}
	protobuf_c_message_free_unpacked(out, NULL);
	return NULL;
}

static void twenty_concurrent_validations_give_gapless_numbers(void **state)
{
	enum { N = 20 };
	validator v[N];
	int last = (int)cpt_testenv_sql_int(
	    &env,
	    "SELECT coalesce(max(last_number), 0) FROM document_sequence WHERE series = 'FA'");
	for (int i = 0; i < N; i++) {
		Comptoir__Sales__Line l[] = {item("MO", "", 1000 + i, -1, 0),
					     item("", "Fournitures", 2000, 12345, vat55),
					     item("CHAUD", "", 1000, -1, 0)};
		Comptoir__Sales__Document d = COMPTOIR__SALES__DOCUMENT__INIT;
		d.type = "invoice";
		d.party_id = client;
		cpt_status st;
		ProtobufCMessage *keep;
		Comptoir__Sales__Document *s = save("Invoices", &d, l, 3, &st, &keep);
		assert_non_null(s);
		v[i].id = s->id;
		protobuf_c_message_free_unpacked(keep, NULL);
		v[i].c = cpt_testenv_admin(&env);
		assert_non_null(v[i].c);
	}
	for (int i = 0; i < N; i++) {
		pthread_create(&v[i].thread, NULL, validate_one, &v[i]);
	}
	int seen[N + 1] = {0};
	for (int i = 0; i < N; i++) {
		pthread_join(v[i].thread, NULL);
		cpt_client_close(v[i].c);
		assert_int_equal(v[i].rc, CPT_OK);
		int n = atoi(strrchr(v[i].number, '-') + 1) - last;
		assert_true(n >= 1 && n <= N);
		assert_int_equal(seen[n], 0); /* no duplicate */
		seen[n] = 1;
	}
	/* Gapless, and the chain still holds. */
	char out[4096];
	const char *verify[] = {"verify", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, out, sizeof out, verify), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_quote_prices_its_lines_and_adds_up),
	    cmocka_unit_test(a_kit_line_lists_its_components_when_asked),
	    cmocka_unit_test(every_bad_input_names_its_field_and_writes_nothing),
	    cmocka_unit_test(quote_order_partial_deliveries_and_one_invoice),
	    cmocka_unit_test(refused_and_expired_quotes_are_not_converted),
	    cmocka_unit_test(a_deposit_is_deducted_on_the_final_invoice),
	    cmocka_unit_test(progress_invoices_show_their_share_and_what_came_before),
	    cmocka_unit_test(credit_notes_never_exceed_what_is_left),
	    cmocka_unit_test(a_credited_deposit_is_deducted_for_what_is_left),
	    cmocka_unit_test(a_deposit_is_deducted_no_more_than_each_invoice_comes_to),
	    cmocka_unit_test(a_pro_forma_is_made_from_a_quote_and_takes_nothing),
	    cmocka_unit_test(two_quotes_make_one_invoice),
	    cmocka_unit_test(a_document_is_duplicated_as_a_new_draft),
	    cmocka_unit_test(a_deposit_is_never_both_credited_and_deducted),
	    cmocka_unit_test(validated_documents_are_unalterable_even_from_sql),
	    cmocka_unit_test(verify_finds_a_tampered_row),
	    cmocka_unit_test(a_validated_invoice_exports_cii_and_ubl_that_pass_the_validator),
	    cmocka_unit_test(twenty_concurrent_validations_give_gapless_numbers),
	    cmocka_unit_test(lists_total_every_row_their_filters_keep),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
