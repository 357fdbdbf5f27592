/*
 * comptoir.reference.Reference: VAT rates, exemptions and their legal
 * mentions, units, payment terms and the due date they give. Read-only,
 * open to every session: every screen that edits a document needs them.
 */
#include "db.h"
#include "handlers.h"
#include "terms.h"

#include "reference.pb-c.h"

#include <stdio.h>
#include <string.h>

/* The terms offered in lists, in the order users expect them. */
static const char *const standard_terms[] = {"RECEIPT", "NET30", "NET30EOM", "NET45EOM",
					     "EOM45",	"NET60", NULL};

static int check_country(const char *c, cpt_status *st)
{
	if (*c && strcmp(c, "FR") != 0 && strcmp(c, "BE") != 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "country", "pays : FR ou BE");
	}
	return 0;
}

CPT_HANDLER(cpt_reference_vat_rates)
{
	const Comptoir__Reference__CountryRequest *req = (const void *)in;
	if (check_country(req->country, st)) {
		return st->code;
	}
	PGresult *r =
	    cpt_db_query(call, st,
			 "SELECT country, rate, category, label, id FROM vat_rate"
			 " WHERE $1 = '' OR country = $1 ORDER BY country DESC, rate DESC",
			 req->country);
	if (!r) {
		return st->code;
	}
	Comptoir__Reference__ListVatRatesReply *rep =
	    CPT_NEW(call, Comptoir__Reference__ListVatRatesReply,
		    comptoir__reference__list_vat_rates_reply__init);
	int n = PQntuples(r);
	rep->n_rates = (size_t)n;
	rep->rates = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Reference__VatRate *v = CPT_NEW(call, Comptoir__Reference__VatRate,
							  comptoir__reference__vat_rate__init);
		v->country = cpt_call_strdup(call, cpt_db_str(r, i, 0));
		v->rate = (int32_t)cpt_db_i64(r, i, 1);
		v->category = cpt_call_strdup(call, cpt_db_str(r, i, 2));
		v->label = cpt_call_strdup(call, cpt_db_str(r, i, 3));
		v->id = cpt_db_i64(r, i, 4);
		rep->rates[i] = v;
	}
	PQclear(r);
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_reference_exemptions)
{
	const Comptoir__Reference__CountryRequest *req = (const void *)in;
	if (check_country(req->country, st)) {
		return st->code;
	}
	PGresult *r = cpt_db_query(call, st,
				   "SELECT code, country, category, label, legal_mention"
				   " FROM vat_exemption WHERE $1 = '' OR country = $1"
				   " ORDER BY country DESC, code",
				   req->country);
	if (!r) {
		return st->code;
	}
	Comptoir__Reference__ListExemptionsReply *rep =
	    CPT_NEW(call, Comptoir__Reference__ListExemptionsReply,
		    comptoir__reference__list_exemptions_reply__init);
	int n = PQntuples(r);
	rep->n_exemptions = (size_t)n;
	rep->exemptions = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Reference__Exemption *e = CPT_NEW(call, Comptoir__Reference__Exemption,
							    comptoir__reference__exemption__init);
		e->code = cpt_call_strdup(call, cpt_db_str(r, i, 0));
		e->country = cpt_call_strdup(call, cpt_db_str(r, i, 1));
		e->category = cpt_call_strdup(call, cpt_db_str(r, i, 2));
		e->label = cpt_call_strdup(call, cpt_db_str(r, i, 3));
		e->legal_mention = cpt_call_strdup(call, cpt_db_str(r, i, 4));
		rep->exemptions[i] = e;
	}
	PQclear(r);
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_reference_units)
{
	PGresult *r =
	    cpt_db_exec0(call, st, "SELECT code, label, un_code FROM unit ORDER BY label");
	if (!r) {
		return st->code;
	}
	Comptoir__Reference__ListUnitsReply *rep = CPT_NEW(
	    call, Comptoir__Reference__ListUnitsReply, comptoir__reference__list_units_reply__init);
	int n = PQntuples(r);
	rep->n_units = (size_t)n;
	rep->units = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		Comptoir__Reference__Unit *u =
		    CPT_NEW(call, Comptoir__Reference__Unit, comptoir__reference__unit__init);
		u->code = cpt_call_strdup(call, cpt_db_str(r, i, 0));
		u->label = cpt_call_strdup(call, cpt_db_str(r, i, 1));
		u->un_code = cpt_call_strdup(call, cpt_db_str(r, i, 2));
		rep->units[i] = u;
	}
	PQclear(r);
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_reference_payment_terms)
{
	Comptoir__Reference__ListPaymentTermsReply *rep =
	    CPT_NEW(call, Comptoir__Reference__ListPaymentTermsReply,
		    comptoir__reference__list_payment_terms_reply__init);
	size_t n = 0;
	while (standard_terms[n]) {
		n++;
	}
	rep->terms = cpt_call_alloc(call, sizeof(void *) * (n + 1));
	for (size_t i = 0; i < n; i++) {
		cpt_terms t;
		char label[64];
		if (cpt_terms_parse(standard_terms[i], "terms", &t, st) ||
		    !cpt_terms_format_label(t, label, sizeof label)) {
			return cpt_status_set(st, CPT_INTERNAL, NULL, "conditions de paiement");
		}
		Comptoir__Reference__PaymentTerms *p =
		    CPT_NEW(call, Comptoir__Reference__PaymentTerms,
			    comptoir__reference__payment_terms__init);
		p->code = (char *)standard_terms[i];
		p->label = cpt_call_strdup(call, label);
		rep->terms[rep->n_terms++] = p;
	}
	*out = &rep->base;
	return 0;
}

static char *iso(cpt_call *call, cpt_date d)
{
	return cpt_call_printf(call, "%04d-%02d-%02d", d.year, d.month, d.day);
}

CPT_HANDLER(cpt_reference_due_date)
{
	const Comptoir__Reference__DueDateRequest *req = (const void *)in;
	cpt_terms t;
	if (cpt_terms_parse(req->terms, "terms", &t, st)) {
		return st->code;
	}
	cpt_date d = {0};
	char rest;
	if (sscanf(req->date, "%4d-%2d-%2d%c", &d.year, &d.month, &d.day, &rest) != 3 ||
	    !cpt_date_valid(d)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "date", "date attendue AAAA-MM-JJ");
	}
	cpt_date due, cap;
	if (!cpt_terms_due_date(t, d, &due) || !cpt_terms_legal_cap(d, false, &cap)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "date", "date hors calendrier");
	}
	Comptoir__Reference__DueDateReply *rep = CPT_NEW(call, Comptoir__Reference__DueDateReply,
							 comptoir__reference__due_date_reply__init);
	rep->due = iso(call, due);
	rep->legal_cap = iso(call, cap);
	rep->beyond_legal_cap = cpt_date_compare(due, cap) > 0;
	*out = &rep->base;
	return 0;
}
