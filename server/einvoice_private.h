/*
 * What the CII and UBL writers share: the checked and derived form of a
 * document view (cpt_einv), filled by cpt_einv_prepare (einvoice_check.c),
 * which also refuses what must not become an e-invoice. Each writer then
 * only lays the same facts out in its own syntax. Private to einvoice_*.c.
 */
#ifndef CPT_EINVOICE_PRIVATE_H
#define CPT_EINVOICE_PRIVATE_H

#include "docview.h"
#include "ident.h"
#include "money.h"
#include "status.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum cpt_einv_syntax {
	CPT_EINV_CII, /* Factur-X EN 16931: e-mail addresses allowed (EM) */
	CPT_EINV_UBL, /* Peppol BIS 3.0: stricter, see einvoice.h */
} cpt_einv_syntax;

/* A scheme-qualified identifier; value "" when the party has none. */
typedef struct cpt_einv_id {
	const char *scheme; /* ISO 6523 ICD or EAS code: "0009", "0208", "EM" */
	const char *value;
} cpt_einv_id;

/* One VAT breakdown (BG-23) with what the lines and the discount give it. */
typedef struct cpt_einv_rate {
	const cpt_doc_vat *vat;
	int64_t lines;	   /* sum of its item lines' nets, cents, as written */
	int64_t allowance; /* its share of the document discount, cents, as written */
	bool with_percent; /* discount_rate x lines gives allowance within a cent */
	size_t count;	   /* its item lines */
} cpt_einv_rate;

/* A document note (BG-1): UNTDID 4451 subject code ("" for none). */
typedef struct cpt_einv_note {
	const char *subject;
	char *text; /* owned */
} cpt_einv_note;

typedef struct cpt_einv {
	const cpt_doc_view *v;
	cpt_einv_syntax syntax;
	int sign;		     /* -1 for a credit note given with negative amounts */
	const char *type_code;	     /* UNTDID 1001: "380", "381", "386" */
	const char *currency;	     /* "EUR" when the view leaves it empty */
	const char *buyer_reference; /* BT-10, "" when none */
	bool no_vat_ids;	     /* category O: no VAT identifier at all (BR-O-02) */
	bool ship_to;		     /* write a deliver-to address (BG-15) */
	const cpt_doc_address *ship_address;
	bool transfer;		/* payment means is a credit transfer: IBAN, BIC */
	const char *remittance; /* BT-83: structured communication or number */

	cpt_einv_rate rates[CPT_MONEY_VAT_MAX_RATES];
	size_t n_rates;

	cpt_einv_id seller_endpoint, buyer_endpoint; /* BT-34, BT-49 */
	cpt_einv_id seller_id;			     /* BT-29: SIRET */
	cpt_einv_id seller_legal, buyer_legal;	     /* BT-30, BT-47 */
	char seller_siret[CPT_IDENT_SIRET_SIZE], seller_siren[CPT_IDENT_SIREN_SIZE];
	char seller_be[CPT_IDENT_BE_ENTERPRISE_SIZE];
	char buyer_siren[CPT_IDENT_SIREN_SIZE], buyer_be[CPT_IDENT_BE_ENTERPRISE_SIZE];
	char *seller_legal_info; /* BT-33: legal form, capital, RCS; owned, may be "" */

	GArray *notes;	   /* cpt_einv_note, in order */
	char **line_notes; /* per view line: its BT-127 note or NULL; owned */
} cpt_einv;

/*
 * Checks v (see einvoice.h for what is refused) and fills e. On failure st is
 * set and e is left cleared. Either way the caller calls cpt_einv_clear(e).
 */
int cpt_einv_prepare(cpt_einv *e, const cpt_doc_view *v, cpt_einv_syntax syntax, cpt_status *st);
void cpt_einv_clear(cpt_einv *e);
/* Its last steps, in einvoice_notes.c: identifiers and addresses of the
 * parties (may refuse), then the notes. */
int cpt_einv_prepare_refs(cpt_einv *e, const cpt_doc_view *v, cpt_status *st);
void cpt_einv_prepare_notes(cpt_einv *e, const cpt_doc_view *v);

static inline bool cpt_einv_is_item(const cpt_doc_line *l)
{
	return l->kind == CPT_LINE_ITEM;
}

/* A view amount as written (sign applied). */
static inline int64_t cpt_einv_amount(const cpt_einv *e, int64_t cents)
{
	return e->sign * cents;
}

/* An item line as written: quantity (1/1000), gross price (1/10000), price
 * discount and net price (1/10^8), the net (cents). */
typedef struct cpt_einv_line {
	int64_t qty;
	int64_t gross4;
	int64_t discount8; /* 0 when the line has no discount */
	int64_t net8;
	int64_t net;
	const char *unit_code;
	char *name, *description; /* owned: label split at its first line break */
} cpt_einv_line;

void cpt_einv_line_get(const cpt_einv *e, const cpt_doc_line *l, cpt_einv_line *out);
void cpt_einv_line_clear(cpt_einv_line *out);

/* Decimals of the 1/10^8 prices: "120.24075". */
#define CPT_EINV_PRICE8_SCALE 8

/* s without its white space ("FR76 3000 ..." -> "FR763000..."); "" for
 * NULL. Caller frees with g_free(). */
char *cpt_einv_compact(const char *s);

/* False when category has no rate (O). */
bool cpt_einv_category_has_rate(const char *category);
/* True when category wants an exemption reason (E, AE, K, G, O). */
bool cpt_einv_category_exempt(const char *category);

#endif
