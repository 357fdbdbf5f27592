/*
 * comptoir.parties.Parties and .Suppliers: clients, prospects and
 * suppliers, their addresses (billing, delivery, intervention sites) and
 * contacts. Attached documents are in party_documents.c, GDPR anonymisation
 * in party_anonymise.c; parties.h is what they share.
 *
 * Identifiers are checked with their check digits (common/ident.h) and
 * stored normalised; payment terms must be a known code (common/terms.h).
 * Sector, sales rep and price list are the company's own (party_refs.c,
 * pricing.c), looked up under row-level security; the payment method is a
 * code of the shared list.
 * A prospect becomes a client on the same row, so its history follows.
 * An anonymised party is frozen: Update and ConvertProspect refuse it.
 * Every table is company-scoped under row-level security: a handler never
 * names the company, the policy does.
 */
#include "audit.h"
#include "db.h"
#include "events.h"
#include "fields.h"
#include "handlers.h"
#include "ident.h"
#include "listing.h"
#include "parties.h"
#include "terms.h"

#include "parties.pb-c.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000
#define TEXT_MAX 200
#define NOTES_MAX 4000
#define LABELS_MAX 20 /* tags, segments */
#define LABEL_LEN 50

/* ---------------------------------------------------------------------------
 * Checks
 */

static int check_len(const char *v, size_t max, const char *field, cpt_status *st)
{
	if (g_utf8_strlen(v, -1) > (glong)max) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field, "%zu caractères au plus",
				      max);
	}
	return 0;
}

/*
 * A copy of the request's party the checks may normalise: the input message
 * is freed by the dispatcher and must keep its own pointers.
 */
static Comptoir__Parties__Party *copy_party(cpt_call *call, const Comptoir__Parties__Party *in)
{
	Comptoir__Parties__Party *p = cpt_call_alloc(call, sizeof *p);
	*p = *in;
	p->addresses = cpt_call_alloc(call, sizeof(void *) * (in->n_addresses + 1));
	for (size_t i = 0; i < in->n_addresses; i++) {
		p->addresses[i] = cpt_call_alloc(call, sizeof *p->addresses[i]);
		*p->addresses[i] = *in->addresses[i];
	}
	return p;
}

bool cpt_parties_suppliers_book(const cpt_call *call)
{
	return strstr(call->method, ".Suppliers/") != NULL;
}

const char *cpt_parties_book_param(const cpt_call *call)
{
	return cpt_parties_suppliers_book(call) ? "true" : "false";
}

/* What live lists follow: clients and suppliers apart. */
const char *cpt_parties_topic(const cpt_call *call)
{
	return cpt_parties_suppliers_book(call) ? "supplier" : "party";
}

const char *cpt_parties_document_topic(const cpt_call *call)
{
	return cpt_parties_suppliers_book(call) ? "supplier_document" : "party_document";
}

/* Tags or segments: LABELS_MAX at most, each 1 to LABEL_LEN characters. */
static int check_labels(char **labels, size_t n, const char *field, const char *what,
			cpt_status *st)
{
	if (n > LABELS_MAX) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, field, "%d %ss au plus", LABELS_MAX,
				      what);
	}
	for (size_t i = 0; i < n; i++) {
		if (!*labels[i]) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, field, "%s vide", what);
		}
		if (check_len(labels[i], LABEL_LEN, field, st)) {
			return st->code;
		}
	}
	return 0;
}

/*
 * The references of a party, in one round trip and under row-level
 * security: a foreign key would accept another company's row. A rep who left
 * (inactive) may stay the party's rep, not become it.
 */
static const char SQL_REFS[] =
    "SELECT $1::bigint = 0 OR EXISTS (SELECT 1 FROM sector WHERE id = $1::bigint),"
    " $2::bigint = 0 OR EXISTS (SELECT 1 FROM sales_rep WHERE id = $2::bigint),"
    " $2::bigint = 0 OR EXISTS (SELECT 1 FROM sales_rep r WHERE r.id = $2::bigint"
    "  AND (r.active OR EXISTS (SELECT 1 FROM party p WHERE p.id = $3::bigint"
    "  AND p.sales_rep_id = r.id))),"
    " $4 = '' OR EXISTS (SELECT 1 FROM payment_method WHERE code = $4),"
    " $5::bigint = 0 OR EXISTS (SELECT 1 FROM price_list WHERE id = $5::bigint),"
    " $6::bigint = 0 OR EXISTS (SELECT 1 FROM party WHERE id = $6::bigint)";

static int check_refs(cpt_call *call, const Comptoir__Parties__Party *p, bool creating,
		      cpt_status *st)
{
	PGresult *r =
	    cpt_db_query(call, st, SQL_REFS, cpt_call_i64(call, p->sector_id),
			 cpt_call_i64(call, p->sales_rep_id),
			 cpt_call_i64(call, creating ? 0 : p->id), p->payment_method,
			 cpt_call_i64(call, p->price_list_id), cpt_call_i64(call, p->payer_id));
	if (!r) {
		return st->code;
	}
	bool ok[6];
	for (int i = 0; i < 6; i++) {
		ok[i] = cpt_db_bool(r, 0, i);
	}
	PQclear(r);
	if (!ok[0]) {
		return cpt_status_set(st, CPT_NOT_FOUND, "party.sector_id", "secteur introuvable");
	}
	if (!ok[1]) {
		return cpt_status_set(st, CPT_NOT_FOUND, "party.sales_rep_id",
				      "commercial introuvable");
	}
	if (!ok[2]) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "party.sales_rep_id",
				      "ce commercial est inactif : choisissez-en un autre");
	}
	if (!ok[3]) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "party.payment_method",
				      "mode de paiement inconnu");
	}
	if (!ok[4]) {
		return cpt_status_set(st, CPT_NOT_FOUND, "party.price_list_id",
				      "tarif introuvable");
	}
	if (!ok[5]) {
		return cpt_status_set(st, CPT_NOT_FOUND, "party.payer_id",
				      "tiers payeur introuvable");
	}
	return 0;
}

/*
 * Checks a party and normalises it in place (strings reallocated in the
 * call's arena); p must be a copy_party(). creating: the kind is taken from
 * the request.
 */
static int check_party(cpt_call *call, Comptoir__Parties__Party *p, bool creating, cpt_status *st)
{
	if (cpt_parties_suppliers_book(call)) {
		p->kind = "supplier";
	} else if (!creating) {
		p->kind = "client"; /* an update never changes the kind: ConvertProspect does */
	} else if (strcmp(p->kind, "client") != 0 && strcmp(p->kind, "prospect") != 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "party.kind",
				      "genre attendu : client ou prospect");
	}
	char *code = cpt_call_strdup(call, p->code);
	g_strstrip(code);
	for (char *c = code; *c; c++) {
		*c = g_ascii_toupper(*c);
	}
	bool code_ok = *code && strlen(code) <= 20;
	for (const char *c = code; code_ok && *c; c++) {
		code_ok = g_ascii_isalnum(*c) || *c == '_' || *c == '-' || *c == '.';
	}
	if (!code_ok) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "party.code",
				      "code obligatoire : 20 lettres, chiffres, . _ - au plus");
	}
	p->code = code;
	char *name = cpt_call_strdup(call, p->name);
	g_strstrip(name);
	if (!*name) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "party.name", "nom obligatoire");
	}
	p->name = name;
	if (!*p->country) {
		p->country = "FR";
	}
	if (strlen(p->country) != 2 || !g_ascii_isupper(p->country[0]) ||
	    !g_ascii_isupper(p->country[1])) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "party.country",
				      "pays : code ISO à deux lettres majuscules (FR, BE...)");
	}
	if (check_len(p->name, TEXT_MAX, "party.name", st) ||
	    check_len(p->legal_form, 50, "party.legal_form", st) ||
	    check_len(p->notes, NOTES_MAX, "party.notes", st)) {
		return st->code;
	}
	if (*p->siren) {
		char *out = cpt_call_alloc(call, CPT_IDENT_SIREN_SIZE);
		if (cpt_ident_siren_validate(p->siren, "party.siren", out, st)) {
			return st->code;
		}
		p->siren = out;
	}
	if (*p->siret) {
		char *out = cpt_call_alloc(call, CPT_IDENT_SIRET_SIZE);
		if (cpt_ident_siret_validate(p->siret, "party.siret", out, st)) {
			return st->code;
		}
		if (*p->siren && strncmp(out, p->siren, 9) != 0) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "party.siret",
					      "le SIRET ne commence pas par le SIREN");
		}
		p->siret = out;
	}
	if (*p->be_enterprise) {
		char *out = cpt_call_alloc(call, CPT_IDENT_BE_ENTERPRISE_SIZE);
		if (cpt_ident_be_enterprise_validate(p->be_enterprise, "party.be_enterprise", out,
						     st)) {
			return st->code;
		}
		p->be_enterprise = out;
	}
	if (*p->vat_number) {
		char *out = cpt_call_alloc(call, CPT_IDENT_VAT_SIZE);
		if (cpt_ident_vat_validate(p->vat_number, "party.vat_number", out, st)) {
			return st->code;
		}
		p->vat_number = out;
	}
	if (!*p->payment_terms) {
		p->payment_terms = "NET30";
	}
	cpt_terms terms;
	if (cpt_terms_parse(p->payment_terms, "party.payment_terms", &terms, st)) {
		return st->code;
	}
	if (check_labels(p->tags, p->n_tags, "party.tags", "étiquette", st) ||
	    check_labels(p->segments, p->n_segments, "party.segments", "segment", st)) {
		return st->code;
	}
	char *method = cpt_call_strdup(call, p->payment_method);
	g_strstrip(method);
	for (char *c = method; *c; c++) {
		*c = g_ascii_toupper(*c);
	}
	p->payment_method = method;
	for (size_t i = 0; i < p->n_addresses; i++) {
		Comptoir__Parties__Address *a = p->addresses[i];
		if (strcmp(a->kind, "billing") != 0 && strcmp(a->kind, "delivery") != 0 &&
		    strcmp(a->kind, "site") != 0) {
			return cpt_status_set(
			    st, CPT_INVALID_ARGUMENT, "party.addresses.kind",
			    "adresse : facturation (billing), livraison (delivery) "
			    "ou site d'intervention (site)");
		}
		if (!*a->country) {
			a->country = p->country;
		}
		if (check_len(a->label, TEXT_MAX, "party.addresses.label", st) ||
		    check_len(a->line1, TEXT_MAX, "party.addresses.line1", st) ||
		    check_len(a->line2, TEXT_MAX, "party.addresses.line2", st) ||
		    check_len(a->postcode, 20, "party.addresses.postcode", st) ||
		    check_len(a->city, TEXT_MAX, "party.addresses.city", st)) {
			return st->code;
		}
		if (strlen(a->country) != 2) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "party.addresses.country",
					      "pays : code ISO à deux lettres");
		}
	}
	for (size_t i = 0; i < p->n_contacts; i++) {
		Comptoir__Parties__Contact *c = p->contacts[i];
		if (!*c->name) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "party.contacts.name",
					      "nom du contact obligatoire");
		}
		if (check_len(c->name, TEXT_MAX, "party.contacts.name", st) ||
		    check_len(c->role, TEXT_MAX, "party.contacts.role", st) ||
		    cpt_field_email(c->email, TEXT_MAX, "party.contacts.email", st) ||
		    check_len(c->phone, 30, "party.contacts.phone", st) ||
		    check_len(c->mobile, 30, "party.contacts.mobile", st)) {
			return st->code;
		}
	}
	if (!p->payer_id && *p->payer_code) {
		/* The payer named by its code, as the client file and imports do. */
		PGresult *r = cpt_db_query(
		    call, st, "SELECT id FROM party WHERE code = upper(btrim($1))", p->payer_code);
		if (!r) {
			return st->code;
		}
		p->payer_id = PQntuples(r) ? cpt_db_i64(r, 0, 0) : 0;
		PQclear(r);
		if (!p->payer_id) {
			return cpt_status_set(st, CPT_NOT_FOUND, "party.payer_code",
					      "aucun tiers de code %s", p->payer_code);
		}
	}
	return check_refs(call, p, creating, st);
}

/* n strings as a PostgreSQL array literal, each element quoted. */
static char *array_literal(cpt_call *call, char *const *items, size_t n)
{
	GString *s = g_string_new("{");
	for (size_t i = 0; i < n; i++) {
		g_string_append(s, i ? ",\"" : "\"");
		for (const char *c = items[i]; *c; c++) {
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

/* ---------------------------------------------------------------------------
 * Reading
 */

static const char SQL_PARTY[] =
    "SELECT id, kind, code, name, legal_form, country, siren, siret, be_enterprise,"
    " vat_number, coalesce(sector_id, 0), coalesce(sales_rep_id, 0), payment_terms,"
    " coalesce(payment_method, ''), coalesce(payer_id, 0), dispute, notes,"
    " array_to_json(tags)::text, extract(epoch FROM created_at)::bigint,"
    " coalesce(extract(epoch FROM converted_at)::bigint, 0),"
    " coalesce(extract(epoch FROM anonymised_at)::bigint, 0), coalesce(price_list_id, 0),"
    " array_to_json(segments)::text,"
    " coalesce((SELECT q.code FROM party q WHERE q.id = party.payer_id), '')"
    " FROM party WHERE id = $1::bigint AND (kind = 'supplier') = $2::boolean";

static char *col_str(cpt_call *call, const PGresult *r, int row, int col)
{
	return cpt_call_strdup(call, cpt_db_str(r, row, col));
}

/*
 * The strings of a JSON array as array_to_json() writes a text[]: *n items
 * in the call's arena.
 */
static char **json_strings(cpt_call *call, const char *json, size_t *n)
{
	GPtrArray *items = g_ptr_array_new();
	for (const char *c = json; *c; c++) {
		if (*c != '"') {
			continue;
		}
		GString *t = g_string_new(NULL);
		for (c++; *c && *c != '"'; c++) {
			if (*c != '\\' || !c[1]) {
				g_string_append_c(t, *c);
				continue;
			}
			c++;
			switch (*c) {
			case 'n':
				g_string_append_c(t, '\n');
				break;
			case 't':
				g_string_append_c(t, '\t');
				break;
			case 'r':
				g_string_append_c(t, '\r');
				break;
			case 'b':
				g_string_append_c(t, '\b');
				break;
			case 'f':
				g_string_append_c(t, '\f');
				break;
			case 'u':
				if (g_ascii_isxdigit(c[1]) && g_ascii_isxdigit(c[2]) &&
				    g_ascii_isxdigit(c[3]) && g_ascii_isxdigit(c[4])) {
					char hex[5] = {c[1], c[2], c[3], c[4], 0};
					g_string_append_unichar(t,
								(gunichar)strtoul(hex, NULL, 16));
					c += 4;
					break;
				}
				g_string_append_c(t, *c);
				break;
			default:
				g_string_append_c(t, *c); /* \" \\ \/ */
			}
		}
		g_ptr_array_add(items, cpt_call_strdup(call, t->str));
		g_string_free(t, TRUE);
		if (!*c) {
			break;
		}
	}
	*n = items->len;
	char **out = cpt_call_alloc(call, sizeof(char *) * (items->len + 1));
	for (guint i = 0; i < items->len; i++) {
		out[i] = g_ptr_array_index(items, i);
	}
	g_ptr_array_free(items, TRUE);
	return out;
}

static int load_party(cpt_call *call, cpt_status *st, int64_t id, Comptoir__Parties__Party **out)
{
	const char *pid = cpt_call_i64(call, id);
	PGresult *r = cpt_db_query(call, st, SQL_PARTY, pid, cpt_parties_book_param(call));
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, "id", "tiers introuvable");
	}
	Comptoir__Parties__Party *p =
	    CPT_NEW(call, Comptoir__Parties__Party, comptoir__parties__party__init);
	p->id = cpt_db_i64(r, 0, 0);
	p->kind = col_str(call, r, 0, 1);
	p->code = col_str(call, r, 0, 2);
	p->name = col_str(call, r, 0, 3);
	p->legal_form = col_str(call, r, 0, 4);
	p->country = col_str(call, r, 0, 5);
	p->siren = col_str(call, r, 0, 6);
	p->siret = col_str(call, r, 0, 7);
	p->be_enterprise = col_str(call, r, 0, 8);
	p->vat_number = col_str(call, r, 0, 9);
	p->sector_id = cpt_db_i64(r, 0, 10);
	p->sales_rep_id = cpt_db_i64(r, 0, 11);
	p->payment_terms = col_str(call, r, 0, 12);
	p->payment_method = col_str(call, r, 0, 13);
	p->payer_id = cpt_db_i64(r, 0, 14);
	p->payer_code = col_str(call, r, 0, 23);
	p->dispute = cpt_db_bool(r, 0, 15);
	p->notes = col_str(call, r, 0, 16);
	p->tags = json_strings(call, cpt_db_str(r, 0, 17), &p->n_tags);
	p->created_at = cpt_db_i64(r, 0, 18);
	p->converted_at = cpt_db_i64(r, 0, 19);
	p->anonymised_at = cpt_db_i64(r, 0, 20);
	p->price_list_id = cpt_db_i64(r, 0, 21);
	p->segments = json_strings(call, cpt_db_str(r, 0, 22), &p->n_segments);
	PQclear(r);

	r = cpt_db_query(call, st,
			 "SELECT id, kind, label, line1, line2, postcode, city, country"
			 " FROM party_address WHERE party_id = $1::bigint ORDER BY id",
			 pid);
	if (!r) {
		return st->code;
	}
	int n = PQntuples(r);
	p->n_addresses = (size_t)n;
	p->addresses = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Parties__Address *a =
		    CPT_NEW(call, Comptoir__Parties__Address, comptoir__parties__address__init);
		a->id = cpt_db_i64(r, i, 0);
		a->kind = col_str(call, r, i, 1);
		a->label = col_str(call, r, i, 2);
		a->line1 = col_str(call, r, i, 3);
		a->line2 = col_str(call, r, i, 4);
		a->postcode = col_str(call, r, i, 5);
		a->city = col_str(call, r, i, 6);
		a->country = col_str(call, r, i, 7);
		p->addresses[i] = a;
	}
	PQclear(r);
	r = cpt_db_query(call, st,
			 "SELECT id, name, role, email, phone, mobile,"
			 " coalesce(extract(epoch FROM anonymised_at)::bigint, 0)"
			 " FROM party_contact WHERE party_id = $1::bigint ORDER BY id",
			 pid);
	if (!r) {
		return st->code;
	}
	n = PQntuples(r);
	p->n_contacts = (size_t)n;
	p->contacts = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Parties__Contact *c =
		    CPT_NEW(call, Comptoir__Parties__Contact, comptoir__parties__contact__init);
		c->id = cpt_db_i64(r, i, 0);
		c->name = col_str(call, r, i, 1);
		c->role = col_str(call, r, i, 2);
		c->email = col_str(call, r, i, 3);
		c->phone = col_str(call, r, i, 4);
		c->mobile = col_str(call, r, i, 5);
		c->anonymised_at = cpt_db_i64(r, i, 6);
		p->contacts[i] = c;
	}
	PQclear(r);
	*out = p;
	return 0;
}

int cpt_party_reply(cpt_call *call, cpt_status *st, int64_t id, ProtobufCMessage **out)
{
	Comptoir__Parties__PartyReply *rep =
	    CPT_NEW(call, Comptoir__Parties__PartyReply, comptoir__parties__party_reply__init);
	if (load_party(call, st, id, &rep->party)) {
		return st->code;
	}
	*out = &rep->base;
	return 0;
}

int cpt_party_find(cpt_call *call, cpt_status *st, int64_t id, const char *field,
		   cpt_party_hold hold, bool *anonymised)
{
	static const char *const sql[] = {
	    [CPT_PARTY_READ] = "SELECT anonymised_at IS NOT NULL FROM party WHERE id = $1::bigint"
			       " AND (kind = 'supplier') = $2::boolean",
	    [CPT_PARTY_SHARE] = "SELECT anonymised_at IS NOT NULL FROM party WHERE id = $1::bigint"
				" AND (kind = 'supplier') = $2::boolean FOR SHARE",
	    [CPT_PARTY_LOCK] = "SELECT anonymised_at IS NOT NULL FROM party WHERE id = $1::bigint"
			       " AND (kind = 'supplier') = $2::boolean FOR UPDATE",
	};
	PGresult *r =
	    cpt_db_query(call, st, sql[hold], cpt_call_i64(call, id), cpt_parties_book_param(call));
	if (!r) {
		return st->code;
	}
	bool found = PQntuples(r) == 1;
	*anonymised = found && cpt_db_bool(r, 0, 0);
	PQclear(r);
	return found ? 0 : cpt_status_set(st, CPT_NOT_FOUND, field, "tiers introuvable");
}

/* ---------------------------------------------------------------------------
 * Writing
 */

static int refuse_anonymised(cpt_status *st, const char *field)
{
	return cpt_status_set(st, CPT_FAILED_PRECONDITION, field,
			      "tiers anonymisé (RGPD) : sa fiche ne peut plus être modifiée");
}

/*
 * An anonymised contact may be sent back as it is, or left out to delete it,
 * but never changed: its personal data must not come back.
 */
static int check_anonymised_contacts(cpt_call *call, cpt_status *st,
				     const Comptoir__Parties__Party *p)
{
	bool any_id = false;
	for (size_t i = 0; i < p->n_contacts && !any_id; i++) {
		any_id = p->contacts[i]->id != 0;
	}
	if (!any_id) {
		return 0;
	}
	PGresult *r = cpt_db_query(call, st,
				   "SELECT id, name, role, email, phone, mobile FROM party_contact"
				   " WHERE party_id = $1::bigint AND anonymised_at IS NOT NULL",
				   cpt_call_i64(call, p->id));
	if (!r) {
		return st->code;
	}
	for (int row = 0; row < PQntuples(r) && !st->code; row++) {
		for (size_t i = 0; i < p->n_contacts; i++) {
			const Comptoir__Parties__Contact *c = p->contacts[i];
			if (c->id != cpt_db_i64(r, row, 0)) {
				continue;
			}
			const char *sent[] = {c->name, c->role, c->email, c->phone, c->mobile};
			for (int k = 0; k < 5; k++) {
				if (strcmp(sent[k], cpt_db_str(r, row, k + 1)) != 0) {
					cpt_status_set(st, CPT_FAILED_PRECONDITION,
						       "party.contacts.name",
						       "contact anonymisé (RGPD) : il ne peut plus "
						       "être modifié, seulement retiré");
					break;
				}
			}
		}
	}
	PQclear(r);
	return st->code;
}

static int exec_ok(cpt_call *call, cpt_status *st, const char *sql, int n,
		   const char *const *params, bool *touched)
{
	PGresult *r = cpt_db_exec(call, st, sql, n, params);
	if (!r) {
		return st->code;
	}
	if (touched) {
		*touched = strcmp(PQcmdTuples(r), "0") != 0;
	}
	PQclear(r);
	return 0;
}

/* Maps a failed write on party to the field at fault. */
static int write_error(cpt_call *call, cpt_status *st)
{
	if (cpt_db_violated(call, "party_company_id_code_key")) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "party.code",
				      "ce code est déjà celui d'un autre tiers");
	}
	if (strcmp(call->sqlstate, "23503") == 0 &&
	    strcmp(call->constraint, "equipment_site_fk") == 0) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "party.addresses.id",
				      "des équipements sont installés sur ce site : rattachez-les"
				      " ailleurs avant de le retirer ou d'en changer le genre");
	}
	/* A reference gone between the check and the write. */
	static const char *const refs[][3] = {
	    {"payer_id", "party.payer_id", "tiers payeur introuvable"},
	    {"party_sector_fk", "party.sector_id", "secteur introuvable"},
	    {"party_sales_rep_fk", "party.sales_rep_id", "commercial introuvable"},
	    {"party_price_list_fk", "party.price_list_id", "tarif introuvable"},
	    {"payment_method", "party.payment_method", "mode de paiement inconnu"},
	};
	for (size_t i = 0; strcmp(call->sqlstate, "23503") == 0 && i < G_N_ELEMENTS(refs); i++) {
		if (strstr(call->constraint, refs[i][0])) {
			return cpt_status_set(st, CPT_NOT_FOUND, refs[i][1], "%s", refs[i][2]);
		}
	}
	return st->code;
}

/*
 * Children of a party (addresses, contacts): a row with an id is updated (and
 * must belong to the party), a row without one is inserted, and rows no longer
 * sent are deleted.
 */
typedef struct child_table {
	const char *update_sql; /* $1 party, $2.. values, last parameter the row id */
	const char *insert_sql; /* $1 party, $2.. values */
	const char *delete_sql; /* $1 party, $2 ids kept */
	const char *field;	/* named when an id is not the party's */
	const char *missing;
} child_table;

static const child_table addresses_table = {
    "UPDATE party_address SET kind = $2, label = $3, line1 = $4, line2 = $5, postcode = $6,"
    " city = $7, country = $8 WHERE id = $9::bigint AND party_id = $1::bigint RETURNING id",
    "INSERT INTO party_address (party_id, kind, label, line1, line2, postcode, city, country)"
    " VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    "DELETE FROM party_address WHERE party_id = $1::bigint AND id <> ALL ($2::bigint[])",
    "party.addresses.id",
    "adresse introuvable pour ce tiers",
};

static const child_table contacts_table = {
    "UPDATE party_contact SET name = $2, role = $3, email = $4, phone = $5, mobile = $6"
    " WHERE id = $7::bigint AND party_id = $1::bigint RETURNING id",
    "INSERT INTO party_contact (party_id, name, role, email, phone, mobile)"
    " VALUES ($1::bigint, $2, $3, $4, $5, $6) RETURNING id",
    "DELETE FROM party_contact WHERE party_id = $1::bigint AND id <> ALL ($2::bigint[])",
    "party.contacts.id",
    "contact introuvable pour ce tiers",
};

/*
 * Saves one child: v holds the party id, then n - 1 values, then room for the
 * row id. Appends the row's id to keep.
 */
static int save_child(cpt_call *call, cpt_status *st, const child_table *t, int64_t id,
		      const char **v, int n, GString *keep)
{
	v[n] = cpt_call_i64(call, id);
	PGresult *r = cpt_db_exec(call, st, id ? t->update_sql : t->insert_sql, id ? n + 1 : n, v);
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, t->field, "%s", t->missing);
	}
	g_string_append_printf(keep, "%s%s", keep->len > 1 ? "," : "", cpt_db_str(r, 0, 0));
	PQclear(r);
	return 0;
}

/* Deletes the children not kept; frees keep. */
static int drop_others(cpt_call *call, cpt_status *st, const child_table *t, const char *pid,
		       GString *keep)
{
	g_string_append_c(keep, '}');
	const char *del[] = {pid, cpt_call_strdup(call, keep->str)};
	g_string_free(keep, TRUE);
	return exec_ok(call, st, t->delete_sql, 2, del, NULL);
}

static int save_children(cpt_call *call, cpt_status *st, int64_t party_id,
			 const Comptoir__Parties__Party *p)
{
	const char *pid = cpt_call_i64(call, party_id);
	GString *keep = g_string_new("{");
	for (size_t i = 0; i < p->n_addresses; i++) {
		const Comptoir__Parties__Address *a = p->addresses[i];
		const char *v[] = {pid,		a->kind, a->label,   a->line1, a->line2,
				   a->postcode, a->city, a->country, NULL};
		if (save_child(call, st, &addresses_table, a->id, v, 8, keep)) {
			g_string_free(keep, TRUE);
			return st->code;
		}
	}
	if (drop_others(call, st, &addresses_table, pid, keep)) {
		return st->code;
	}
	keep = g_string_new("{");
	for (size_t i = 0; i < p->n_contacts; i++) {
		const Comptoir__Parties__Contact *c = p->contacts[i];
		const char *v[] = {pid, c->name, c->role, c->email, c->phone, c->mobile, NULL};
		if (save_child(call, st, &contacts_table, c->id, v, 6, keep)) {
			g_string_free(keep, TRUE);
			return st->code;
		}
	}
	return drop_others(call, st, &contacts_table, pid, keep);
}

/* $1..$19 of the INSERT and UPDATE below; $20, the id, for UPDATE only. */
#define PARTY_PARAMS 20

static const char *const *party_params(cpt_call *call, const Comptoir__Parties__Party *p)
{
	const char **v = cpt_call_alloc(call, sizeof(char *) * PARTY_PARAMS);
	v[0] = p->code;
	v[1] = p->name;
	v[2] = p->legal_form;
	v[3] = p->country;
	v[4] = p->siren;
	v[5] = p->siret;
	v[6] = p->be_enterprise;
	v[7] = p->vat_number;
	v[8] = cpt_call_i64(call, p->sector_id);
	v[9] = cpt_call_i64(call, p->sales_rep_id);
	v[10] = p->payment_terms;
	v[11] = p->payment_method;
	v[12] = cpt_call_i64(call, p->payer_id);
	v[13] = p->dispute ? "true" : "false";
	v[14] = p->notes;
	v[15] = array_literal(call, p->tags, p->n_tags);
	v[16] = p->kind;
	v[17] = cpt_call_i64(call, p->price_list_id);
	v[18] = array_literal(call, p->segments, p->n_segments);
	v[19] = cpt_call_i64(call, p->id);
	return v;
}

/*
 * A new party and its children in one statement, one round trip: imports
 * write thousands. The children come as parallel arrays, one per column.
 */
static const char SQL_INSERT_PARTY[] =
    "WITH p AS (INSERT INTO party (code, name, legal_form, country, siren, siret,"
    " be_enterprise, vat_number, sector_id, sales_rep_id, payment_terms, payment_method,"
    " payer_id, dispute, notes, tags, kind, price_list_id, segments) VALUES ($1, $2, $3, $4,"
    " $5, $6, $7, $8, nullif($9::bigint, 0), nullif($10::bigint, 0), $11, nullif($12, ''),"
    " nullif($13::bigint, 0), $14::boolean, $15, $16::text[], $17, nullif($18::bigint, 0),"
    " $19::text[]) RETURNING id),"
    " a AS (INSERT INTO party_address (party_id, kind, label, line1, line2, postcode, city,"
    "  country) SELECT p.id, x.* FROM p, unnest($20::text[], $21::text[], $22::text[],"
    "  $23::text[], $24::text[], $25::text[], $26::text[]) x),"
    " c AS (INSERT INTO party_contact (party_id, name, role, email, phone, mobile)"
    "  SELECT p.id, y.* FROM p, unnest($27::text[], $28::text[], $29::text[], $30::text[],"
    "  $31::text[]) y)"
    " SELECT id FROM p";

int cpt_party_insert(cpt_call *call, cpt_status *st, const Comptoir__Parties__Party *in,
		     int64_t *id, const char **code)
{
	Comptoir__Parties__Party *party = copy_party(call, in);
	if (check_party(call, party, true, st)) {
		return st->code;
	}
	enum { OWN = PARTY_PARAMS - 1, N = OWN + 7 + 5 };
	const char **v = cpt_call_alloc(call, sizeof(char *) * N);
	memcpy(v, party_params(call, party), sizeof(char *) * OWN);
	size_t na = party->n_addresses, nc = party->n_contacts;
	char **col = cpt_call_alloc(call, sizeof(char *) * ((na > nc ? na : nc) + 1));
	for (int k = 0; k < 7; k++) {
		for (size_t i = 0; i < na; i++) {
			const Comptoir__Parties__Address *a = party->addresses[i];
			char *const f[] = {a->kind,	a->label, a->line1,  a->line2,
					   a->postcode, a->city,  a->country};
			col[i] = f[k];
		}
		v[OWN + k] = array_literal(call, col, na);
	}
	for (int k = 0; k < 5; k++) {
		for (size_t i = 0; i < nc; i++) {
			const Comptoir__Parties__Contact *c = party->contacts[i];
			char *const f[] = {c->name, c->role, c->email, c->phone, c->mobile};
			col[i] = f[k];
		}
		v[OWN + 7 + k] = array_literal(call, col, nc);
	}
	PGresult *r = cpt_db_exec(call, st, SQL_INSERT_PARTY, N, v);
	if (!r) {
		return write_error(call, st);
	}
	*id = cpt_db_i64(r, 0, 0);
	PQclear(r);
	if (code) {
		*code = party->code;
	}
	return 0;
}

CPT_HANDLER(cpt_parties_create)
{
	const Comptoir__Parties__PartyRequest *req = (const void *)in;
	if (!req->party) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "party", "tiers manquant");
	}
	int64_t id = 0;
	const char *code = NULL;
	if (cpt_party_insert(call, st, req->party, &id, &code) ||
	    cpt_notify(call, st, cpt_parties_topic(call), id, "create") ||
	    cpt_audit(call, st, "party", id, call->company_id,
		      cpt_json_object(call, "event", "create", "code", code, NULL))) {
		return st->code;
	}
	return cpt_party_reply(call, st, id, out);
}

CPT_HANDLER(cpt_parties_update)
{
	const Comptoir__Parties__PartyRequest *req = (const void *)in;
	if (!req->party) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "party", "tiers manquant");
	}
	Comptoir__Parties__Party *party = copy_party(call, req->party);
	if (check_party(call, party, false, st)) {
		return st->code;
	}
	if (party->payer_id == party->id && party->id) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "party.payer_id",
				      "un tiers ne peut pas être son propre payeur");
	}
	bool found = false;
	if (exec_ok(
		call, st,
		"UPDATE party SET code = $1, name = $2, legal_form = $3, country = $4,"
		" siren = $5, siret = $6, be_enterprise = $7, vat_number = $8,"
		" sector_id = nullif($9::bigint, 0), sales_rep_id = nullif($10::bigint, 0),"
		" payment_terms = $11, payment_method = nullif($12, ''),"
		" payer_id = nullif($13::bigint, 0), dispute = $14::boolean, notes = $15,"
		" tags = $16::text[], price_list_id = nullif($18::bigint, 0),"
		" segments = $19::text[], updated_at = now() WHERE id = $20::bigint AND (kind = "
		"'supplier') = ($17 = 'supplier') AND anonymised_at IS NULL",
		PARTY_PARAMS, party_params(call, party), &found)) {
		return write_error(call, st);
	}
	if (!found) {
		bool anonymised;
		if (cpt_party_find(call, st, party->id, "party.id", CPT_PARTY_READ, &anonymised)) {
			return st->code;
		}
		return refuse_anonymised(st, "party.id");
	}
	if (check_anonymised_contacts(call, st, party)) {
		return st->code;
	}
	if (save_children(call, st, party->id, party)) {
		return write_error(call, st);
	}
	if (cpt_notify(call, st, cpt_parties_topic(call), party->id, "update") ||
	    cpt_audit(call, st, "party", party->id, call->company_id,
		      cpt_json_object(call, "event", "update", NULL))) {
		return st->code;
	}
	return cpt_party_reply(call, st, party->id, out);
}

CPT_HANDLER(cpt_parties_get)
{
	const Comptoir__Parties__GetPartyRequest *req = (const void *)in;
	return cpt_party_reply(call, st, req->id, out);
}

CPT_HANDLER(cpt_parties_convert)
{
	const Comptoir__Parties__ConvertProspectRequest *req = (const void *)in;
	const char *p[] = {cpt_call_i64(call, req->id)};
	bool converted = false;
	if (exec_ok(call, st,
		    "UPDATE party SET kind = 'client', converted_at = now(), updated_at = now()"
		    " WHERE id = $1::bigint AND kind = 'prospect' AND anonymised_at IS NULL",
		    1, p, &converted)) {
		return st->code;
	}
	if (!converted) {
		Comptoir__Parties__Party *existing;
		if (load_party(call, st, req->id, &existing)) {
			return st->code;
		}
		if (existing->anonymised_at) {
			return refuse_anonymised(st, "id");
		}
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "id",
				      "ce tiers est déjà client");
	}
	if (cpt_notify(call, st, "party", req->id, "update") ||
	    cpt_audit(call, st, "party", req->id, call->company_id,
		      cpt_json_object(call, "event", "convert", NULL))) {
		return st->code;
	}
	return cpt_party_reply(call, st, req->id, out);
}

/* ---------------------------------------------------------------------------
 * List: search as you type, insensitive to accents and case, and filters
 */

#define PARTY_MATCH "($1 = '' OR p.search_text ~~> (SELECT cpt_like_pattern($1)))"
#define PARTY_KIND "(CASE WHEN $2 = '' THEN p.kind <> 'supplier' ELSE p.kind = $2 END)"
#define PARTY_N_FILTERS 6

/*
 * The request's filters from parameter $n on; tags and segments through
 * the leakproof @>> so that their GIN index serves under row-level security
 * (sql/0011_party_refs.sql).
 */
static const char *filter_sql(cpt_call *call, int n)
{
	return cpt_call_printf(call,
			       "($%d::bigint = 0 OR p.sector_id = $%d::bigint)"
			       " AND ($%d::bigint = 0 OR p.sales_rep_id = $%d::bigint)"
			       " AND ($%d::bigint = 0 OR p.price_list_id = $%d::bigint)"
			       " AND ($%d = '' OR p.tags @>> ARRAY[$%d]::text[])"
			       " AND ($%d = '' OR p.segments @>> ARRAY[$%d]::text[])"
			       " AND (NOT $%d::boolean OR p.dispute)",
			       n, n, n + 1, n + 1, n + 2, n + 2, n + 3, n + 3, n + 4, n + 4, n + 5);
}

static void filter_params(cpt_call *call, const Comptoir__Parties__ListPartiesRequest *req,
			  const char **v)
{
	v[0] = cpt_call_i64(call, req->sector_id);
	v[1] = cpt_call_i64(call, req->sales_rep_id);
	v[2] = cpt_call_i64(call, req->price_list_id);
	v[3] = req->tag;
	v[4] = req->segment;
	v[5] = req->dispute_only ? "true" : "false";
}

CPT_HANDLER(cpt_parties_list)
{
	const Comptoir__Parties__ListPartiesRequest *req = (const void *)in;
	const Comptoir__Admin__Page *page = req->page;
	unsigned limit = page && page->limit ? page->limit : PAGE_DEFAULT;
	limit = limit > PAGE_MAX ? PAGE_MAX : limit;
	const char *sort = page && page->sort[0] ? page->sort : "name";
	const char *key, *key_param;
	if (strcmp(sort, "name") == 0) {
		key = "p.name_key";
		key_param = "cpt_search_key($3)";
	} else if (strcmp(sort, "code") == 0) {
		key = "p.code";
		key_param = "$3";
	} else {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "page.sort",
				      "tri possible par name ou code");
	}
	if (page && page->offset > 100000000u) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "page.offset",
				      "position trop grande");
	}
	const char *kind = req->kind;
	if (cpt_parties_suppliers_book(call)) {
		kind = "supplier";
	} else if (strcmp(kind, "") != 0 && strcmp(kind, "client") != 0 &&
		   strcmp(kind, "prospect") != 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "kind",
				      "genre attendu : client ou prospect");
	}
	bool desc = page && page->descending;
	bool after = page && page->after_id != 0;
	const char *dir = desc ? "DESC" : "ASC";
	char *fmt = cpt_call_printf(
	    call,
	    "SELECT p.id, p.kind, p.code, p.name,"
	    " coalesce((SELECT a.city FROM party_address a WHERE a.party_id = p.id"
	    "  AND a.kind = 'billing' ORDER BY a.id LIMIT 1), ''),"
	    " coalesce((SELECT coalesce(nullif(c.phone, ''), c.mobile) FROM party_contact c"
	    "  WHERE c.party_id = p.id ORDER BY c.id LIMIT 1), ''), p.dispute,"
	    " coalesce((SELECT s.label FROM sector s WHERE s.id = p.sector_id), ''),"
	    " coalesce((SELECT r.name FROM sales_rep r WHERE r.id = p.sales_rep_id), '')"
	    " FROM %%s p WHERE %%s ORDER BY %%s %s, p.id %s LIMIT $6::int OFFSET $7::int",
	    dir, dir);
	char *prefilter = cpt_call_printf(
	    call, PARTY_KIND " AND (NOT $4::boolean OR (%s, p.id) %s (%s, $5::bigint)) AND %s", key,
	    desc ? "<" : ">", key_param, filter_sql(call, 8));
	cpt_list_sql sql;
	bool offset = page && !after && page->offset;
	cpt_list_sql_build(call, &sql, fmt, "party", "p", prefilter, PARTY_MATCH, key, desc, offset,
			   (int)limit + 1);
	const char *params[7 + PARTY_N_FILTERS] = {
	    req->search,
	    kind,
	    page ? page->after_key : "",
	    after ? "true" : "false",
	    cpt_call_i64(call, page ? page->after_id : 0),
	    cpt_call_i64(call, (int64_t)limit + 1),
	    cpt_call_i64(call, page && !after ? page->offset : 0)};
	filter_params(call, req, params + 7);
	PGresult *r = cpt_list_search(call, st, req->search, &sql, G_N_ELEMENTS(params), params,
				      (int)limit + 1);
	if (!r) {
		return st->code;
	}
	Comptoir__Parties__ListPartiesReply *rep = CPT_NEW(
	    call, Comptoir__Parties__ListPartiesReply, comptoir__parties__list_parties_reply__init);
	int n = PQntuples(r);
	rep->more = n > (int)limit;
	n = rep->more ? (int)limit : n;
	rep->n_parties = (size_t)n;
	rep->parties = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Parties__PartySummary *s = CPT_NEW(
		    call, Comptoir__Parties__PartySummary, comptoir__parties__party_summary__init);
		s->id = cpt_db_i64(r, i, 0);
		s->kind = col_str(call, r, i, 1);
		s->code = col_str(call, r, i, 2);
		s->name = col_str(call, r, i, 3);
		s->city = col_str(call, r, i, 4);
		s->phone = col_str(call, r, i, 5);
		s->dispute = cpt_db_bool(r, i, 6);
		s->sector = col_str(call, r, i, 7);
		s->sales_rep = col_str(call, r, i, 8);
		rep->parties[i] = s;
	}
	PQclear(r);
	if (page && page->with_total) {
		const char *count[2 + PARTY_N_FILTERS] = {req->search, kind};
		filter_params(call, req, count + 2);
		r = cpt_db_exec(call, st,
				cpt_call_printf(call,
						"SELECT count(*) FROM party p WHERE " PARTY_MATCH
						" AND " PARTY_KIND " AND %s",
						filter_sql(call, 3)),
				G_N_ELEMENTS(count), count);
		if (!r) {
			return st->code;
		}
		rep->total = (uint32_t)cpt_db_i64(r, 0, 0);
		PQclear(r);
	}
	*out = &rep->base;
	return 0;
}
