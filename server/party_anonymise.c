/*
 * GDPR erasure on a person's request (art. 17): Parties/Anonymise and
 * Suppliers/Anonymise. What is erased and what is kept is stated with
 * AnonymiseRequest in proto/parties.proto; in short, personal data goes, the
 * row, its id, code and accounting settings stay, so that what refers to the
 * party (invoices, payments, the audit log) still resolves.
 *
 * The audit row says what was done (scope, counts, whether identifiers were
 * kept), never the values erased: the log is append-only and must not become
 * the copy that survives the erasure.
 */
#include "audit.h"
#include "db.h"
#include "events.h"
#include "handlers.h"
#include "parties.h"

#include "parties.pb-c.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

/* What an anonymised contact is called: its name is NOT NULL. */
#define CONTACT_ANONYMISED "Contact anonymisé"

/*
 * Legal forms of a sole trader, folded (upper case, letters and digits only):
 * such a party is a natural person, and its identifiers name them.
 */
static const char *const sole_trader_forms[] = {
    "EI",
    "EIRL",
    "ME",
    "MICRO",
    "MICROENTREPRISE",
    "MICROENTREPRENEUR",
    "AUTOENTREPRENEUR",
    "AUTOENTREPRISE",
    "ENTREPRISEINDIVIDUELLE",
    "ENTREPRENEURINDIVIDUEL",
    "PERSONNEPHYSIQUE",
    "PARTICULIER",
    "EENMANSZAAK",
    NULL,
};

/*
 * Whether a party with this legal form is a legal entity (SARL, SAS, SA,
 * SRL, association...): its registration numbers are then not personal data.
 * No legal form at all is taken as a natural person: when in doubt, erase.
 */
static bool is_legal_entity(const char *legal_form)
{
	g_autofree char *ascii = g_str_to_ascii(legal_form, "C");
	GString *folded = g_string_new(NULL);
	for (const char *c = ascii; *c; c++) {
		if (g_ascii_isalnum(*c)) {
			g_string_append_c(folded, g_ascii_toupper(*c));
		}
	}
	bool legal = folded->len > 0;
	for (size_t i = 0; legal && sole_trader_forms[i]; i++) {
		legal = strcmp(folded->str, sole_trader_forms[i]) != 0;
	}
	g_string_free(folded, TRUE);
	return legal;
}

static int exec_count(cpt_call *call, cpt_status *st, const char *sql, const char *p1,
		      const char *p2, long *count)
{
	const char *params[] = {p1, p2};
	PGresult *r = cpt_db_exec(call, st, sql, p2 ? 2 : 1, params);
	if (!r) {
		return st->code;
	}
	if (count) {
		*count = strtol(PQcmdTuples(r), NULL, 10);
	}
	PQclear(r);
	return 0;
}

static const char SQL_CONTACT_ERASE[] =
    "UPDATE party_contact SET name = '" CONTACT_ANONYMISED "', role = '', email = '',"
    " phone = '', mobile = '', anonymised_at = coalesce(anonymised_at, now())"
    " WHERE party_id = $1::bigint";

/*
 * The outbox, before the contacts are erased: in the messages sent to the
 * contacts' addresses (to contact_id's only, if not 0), those addresses; in
 * the messages about the party's documents (whole party), every address.
 * Either way the text written to them goes, and what was still to be sent
 * is not sent. The message stays, with its subject, date and document.
 */
static const char SQL_OUTBOX_ERASE[] =
    "WITH e AS (SELECT coalesce(array_agg(lower(email)), '{}') AS emails FROM party_contact"
    "  WHERE party_id = $1::bigint AND email <> '' AND ($2::bigint = 0 OR id = $2::bigint)),"
    " m AS (SELECT o.id, ($2::bigint = 0 AND o.ref_table = 'sales_document' AND o.ref_id IN"
    "   (SELECT id FROM sales_document WHERE party_id = $1::bigint)) AS whole, e.emails"
    "  FROM mail_outbox o, e)"
    " UPDATE mail_outbox o SET to_addrs = cpt_erase_addresses(o.to_addrs, m.emails, m.whole),"
    "  cc_addrs = cpt_erase_addresses(o.cc_addrs, m.emails, m.whole),"
    "  bcc_addrs = cpt_erase_addresses(o.bcc_addrs, m.emails, m.whole),"
    "  body = '(message anonymisé)',"
    "  state = CASE WHEN o.state IN ('queued', 'sending') THEN 'failed' ELSE o.state END,"
    "  last_error = CASE WHEN o.state IN ('queued', 'sending')"
    "   THEN 'destinataire anonymisé (RGPD) : non envoyé' ELSE o.last_error END,"
    "  updated_at = now()"
    " FROM m WHERE o.id = m.id AND (m.whole OR EXISTS (SELECT 1"
    "  FROM unnest(o.to_addrs || o.cc_addrs || o.bcc_addrs) a WHERE lower(a) = ANY (m.emails)))";

static int anonymise_contact(cpt_call *call, cpt_status *st, int64_t party_id, int64_t contact_id)
{
	const char *party = cpt_call_i64(call, party_id);
	const char *contact = cpt_call_i64(call, contact_id);
	long n = 0, messages = 0;
	if (exec_count(call, st, SQL_OUTBOX_ERASE, party, contact, &messages) ||
	    exec_count(call, st, cpt_call_printf(call, "%s AND id = $2::bigint", SQL_CONTACT_ERASE),
		       party, contact, &n)) {
		return st->code;
	}
	if (n == 0) {
		return cpt_status_set(st, CPT_NOT_FOUND, "contact_id",
				      "contact introuvable pour ce tiers");
	}
	return cpt_notify(call, st, cpt_parties_topic(call), party_id, "update") ||
	       cpt_audit(call, st, "party_contact", contact_id, call->company_id,
			 cpt_json_object(call, "event", "anonymise", "scope", "contact", "party_id",
					 party, NULL));
}

static int anonymise_party(cpt_call *call, cpt_status *st, int64_t party_id)
{
	const char *party = cpt_call_i64(call, party_id);
	PGresult *r =
	    cpt_db_query(call, st, "SELECT legal_form FROM party WHERE id = $1::bigint", party);
	if (!r) {
		return st->code;
	}
	bool legal = PQntuples(r) == 1 && is_legal_entity(cpt_db_str(r, 0, 0));
	PQclear(r);
	long contacts = 0, addresses = 0, documents = 0, messages = 0;
	if (exec_count(call, st, SQL_OUTBOX_ERASE, party, "0", &messages) ||
	    exec_count(call, st,
		       "UPDATE party SET name = 'Anonymisé ' || code, notes = '', tags = '{}', "
		       "segments = '{}',"
		       " siren = CASE WHEN $2::boolean THEN siren ELSE '' END,"
		       " siret = CASE WHEN $2::boolean THEN siret ELSE '' END,"
		       " be_enterprise = CASE WHEN $2::boolean THEN be_enterprise ELSE '' END,"
		       " vat_number = CASE WHEN $2::boolean THEN vat_number ELSE '' END,"
		       " anonymised_at = coalesce(anonymised_at, now()), updated_at = now()"
		       " WHERE id = $1::bigint",
		       party, legal ? "true" : "false", NULL) ||
	    exec_count(call, st, SQL_CONTACT_ERASE, party, NULL, &contacts) ||
	    exec_count(call, st,
		       "UPDATE party_address SET label = '', line1 = '', line2 = ''"
		       " WHERE party_id = $1::bigint",
		       party, NULL, &addresses) ||
	    exec_count(call, st, "DELETE FROM party_document WHERE party_id = $1::bigint", party,
		       NULL, &documents)) {
		return st->code;
	}
	if (cpt_notify(call, st, cpt_parties_topic(call), party_id, "update") ||
	    (documents > 0 &&
	     cpt_notify(call, st, cpt_parties_document_topic(call), party_id, "delete"))) {
		return st->code;
	}
	return cpt_audit(call, st, "party", party_id, call->company_id,
			 cpt_json_object(call, "event", "anonymise", "scope", "party",
					 "identifiers", legal ? "kept" : "erased", "contacts",
					 cpt_call_printf(call, "%ld", contacts), "addresses",
					 cpt_call_printf(call, "%ld", addresses),
					 "documents_deleted",
					 cpt_call_printf(call, "%ld", documents), "messages",
					 cpt_call_printf(call, "%ld", messages), NULL));
}

CPT_HANDLER(cpt_parties_anonymise)
{
	const Comptoir__Parties__AnonymiseRequest *req = (const void *)in;
	/* Exclusive: an AddDocument in flight finishes first, then its file is erased too. */
	bool already;
	if (cpt_party_find(call, st, req->party_id, "party_id", CPT_PARTY_LOCK, &already)) {
		return st->code;
	}
	if (req->contact_id ? anonymise_contact(call, st, req->party_id, req->contact_id)
			    : anonymise_party(call, st, req->party_id)) {
		return st->code;
	}
	return cpt_party_reply(call, st, req->party_id, out);
}
