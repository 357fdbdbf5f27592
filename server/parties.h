/*
 * What the third-party modules share: parties.c (clients, prospects and
 * suppliers), party_documents.c (attached files) and party_anonymise.c
 * (GDPR erasure). The Parties and Suppliers services run the same handlers;
 * the call's method tells which book a request may reach.
 */
#ifndef CPT_PARTIES_H
#define CPT_PARTIES_H

#include "call.h"

#include <stdbool.h>

/* Whether the call goes through the Suppliers service (else Parties: clients). */
bool cpt_parties_suppliers_book(const cpt_call *call);
/* "true" or "false" for SQL: the book's kind test "(kind = 'supplier') = $n::boolean". */
const char *cpt_parties_book_param(const cpt_call *call);
/* The topic live lists follow: "party" (clients) or "supplier". */
const char *cpt_parties_topic(const cpt_call *call);
/* The topic of a party's documents: "party_document" or "supplier_document". */
const char *cpt_parties_document_topic(const cpt_call *call);

/* How cpt_party_find holds the row until the transaction ends. */
typedef enum {
	CPT_PARTY_READ,	 /* not at all */
	CPT_PARTY_SHARE, /* FOR SHARE: an Anonymise waits for the writer */
	CPT_PARTY_LOCK,	 /* FOR UPDATE: the writer is alone */
} cpt_party_hold;

/*
 * Finds party id in the call's book and holds it as asked. NOT_FOUND naming
 * field when absent; *anonymised tells whether its personal data was erased.
 */
int cpt_party_find(cpt_call *call, cpt_status *st, int64_t id, const char *field,
		   cpt_party_hold hold, bool *anonymised);

/*
 * Checks and inserts a new party of the call's book with its addresses and
 * contacts: *id and its normalised *code (call's arena; code may be NULL).
 * Neither notifies nor audits: the caller does, once (Create, imports).
 */
struct Comptoir__Parties__Party;
int cpt_party_insert(cpt_call *call, cpt_status *st, const struct Comptoir__Parties__Party *in,
		     int64_t *id, const char **code);

/* A PartyReply with party id as stored, in *out (call's arena). */
int cpt_party_reply(cpt_call *call, cpt_status *st, int64_t id, ProtobufCMessage **out);

#endif
