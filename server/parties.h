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

/*
 * Finds party id in the call's book and locks it (exclusive: FOR UPDATE,
 * else FOR SHARE, enough to keep Anonymise waiting). NOT_FOUND naming field
 * when absent; *anonymised tells whether its personal data was erased.
 */
int cpt_party_lock(cpt_call *call, cpt_status *st, int64_t id, const char *field, bool exclusive,
		   bool *anonymised);

/* A PartyReply with party id as stored, in *out (call's arena). */
int cpt_party_reply(cpt_call *call, cpt_status *st, int64_t id, ProtobufCMessage **out);

#endif
