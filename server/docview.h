/*
 * A commercial document as its renderers see it: the PDF (pdf_*.c), the
 * Factur-X CII and the UBL e-invoices (einvoice_*.c). Everything is already
 * computed and frozen: amounts are final, texts are what is printed. The
 * sales module (sales_*.c) fills it from the database; renderers only read.
 *
 * Money is int64_t cents, unit prices 1/10000, quantities 1/1000, rates and
 * discounts hundredths of a percent (common/money.h). Strings are UTF-8 and
 * never NULL ("" when absent). Dates are cpt_date (common/terms.h), year 0
 * when absent. The view does not own its strings; whoever fills it keeps
 * them alive until the renderers return.
 */
#ifndef CPT_DOCVIEW_H
#define CPT_DOCVIEW_H

#include "terms.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum cpt_doc_type {
	CPT_DOC_QUOTE,		 /* devis */
	CPT_DOC_ORDER,		 /* confirmation de commande */
	CPT_DOC_DELIVERY,	 /* bon de livraison */
	CPT_DOC_INVOICE,	 /* facture (UNTDID 1001: 380) */
	CPT_DOC_CREDIT_NOTE,	 /* avoir (381) */
	CPT_DOC_DEPOSIT_INVOICE, /* facture d'acompte (386) */
	CPT_DOC_PROFORMA,	 /* facture pro forma (325): never an e-invoice */
} cpt_doc_type;

typedef struct cpt_doc_address {
	const char *line1, *line2, *postcode, *city;
	const char *country; /* ISO 3166 alpha-2 */
} cpt_doc_address;

/* The seller: the company's legal identity, as the law wants it printed. */
typedef struct cpt_doc_seller {
	const char *name;	   /* "Thermo Services" */
	const char *legal_form;	   /* "SARL", "SRL" */
	const char *share_capital; /* "10 000 €" as printed, "" when none */
	const char *siren;	   /* FR: 9 digits; "" elsewhere */
	const char *siret;	   /* FR: 14 digits */
	const char *rcs;	   /* "RCS Lyon 732 829 320", "" when none */
	const char *be_enterprise; /* BE: 10 digits */
	const char *vat_number;	   /* "FR44732829320", "BE0403170701" */
	cpt_doc_address address;
	const char *phone, *email, *website;
	const char *iban, *bic; /* payment by transfer */
	const char *logo_png;	/* path of a PNG file, "" for none */
	uint32_t colour;	/* 0xRRGGBB, the document's accent colour */
	const char *footer;	/* free legal footer, printed as is */
} cpt_doc_seller;

/* The buyer, frozen at validation. */
typedef struct cpt_doc_buyer {
	const char *code, *name;
	const char *siren;	/* printed from September 2026 (FR) */
	const char *vat_number; /* intra-EU, "" when none */
	const char *be_enterprise;
	cpt_doc_address billing;
	bool has_delivery;	  /* a delivery address distinct from billing */
	cpt_doc_address delivery; /* the delivery or intervention site */
	const char *contact;	  /* "À l'attention de ...", "" when none */
	const char *email;	  /* where e-invoices would go */
} cpt_doc_buyer;

typedef enum cpt_doc_line_kind {
	CPT_LINE_ITEM,	   /* an article or free text with quantity and price */
	CPT_LINE_TEXT,	   /* a comment line: text only */
	CPT_LINE_SECTION,  /* a section title */
	CPT_LINE_SUBTOTAL, /* subtotal of the section above: net */
} cpt_doc_line_kind;

typedef struct cpt_doc_line {
	cpt_doc_line_kind kind;
	const char *article_code; /* "" for free text */
	const char *label;	  /* may hold line breaks */
	const char *unit;	  /* printed: "h", "u", "km" */
	const char *unit_code;	  /* UN/ECE rec. 20 for e-invoices: "HUR", "C62" */
	int64_t quantity;	  /* 1/1000, may be negative on a credit note line */
	int64_t unit_price;	  /* 1/10000, net of VAT (HT) */
	int64_t discount;	  /* line discount, hundredths of a percent */
	int64_t net;		  /* cents: the line's net amount, rounded once */
	int64_t vat_rate;	  /* hundredths of a percent */
	const char *vat_category; /* EN 16931: S, Z, E, AE, K, G, O */
	int64_t eco_contribution; /* cents, DEEE for the whole line, included in net */
	int64_t subtotal;	  /* CPT_LINE_SUBTOTAL: cents */
} cpt_doc_line;

/* One VAT rate (EN 16931 BG-23): the base is the sum of that rate's nets. */
typedef struct cpt_doc_vat {
	int64_t rate;	      /* hundredths of a percent */
	const char *category; /* S, Z, E, AE, K, G, O */
	int64_t base;	      /* cents */
	int64_t amount;	      /* cents */
	const char
	    *exemption; /* legal mention when not S: "TVA non applicable, art. 293 B du CGI" */
	const char *exemption_code; /* VATEX code for e-invoices ("VATEX-EU-AE"), "" if none */
} cpt_doc_vat;

/* A deposit already invoiced and deducted on a final invoice. */
typedef struct cpt_doc_deduction {
	const char *number; /* the deposit invoice's number */
	cpt_date date;
	int64_t amount; /* cents, with VAT */
} cpt_doc_deduction;

typedef enum cpt_doc_nature {
	CPT_NATURE_GOODS,
	CPT_NATURE_SERVICES,
	CPT_NATURE_BOTH,
} cpt_doc_nature;

typedef struct cpt_doc_view {
	cpt_doc_type type;
	const char *number; /* legal number, "" for a draft ("BROUILLON" printed) */
	const char *title;  /* printed title: "Facture", "Avoir"... */
	cpt_date issue_date;
	cpt_date due_date;	      /* invoices, credit notes */
	cpt_date delivery_date;	      /* date of the supply, when different from issue */
	cpt_date valid_until;	      /* quotes */
	const char *currency;	      /* "EUR" */
	const char *language;	      /* "fr" */
	const char *buyer_reference;  /* BT-10: the client's order reference, "" if none */
	const char *preceding_number; /* credit note: the invoice it corrects */
	cpt_date preceding_date;

	cpt_doc_seller seller;
	cpt_doc_buyer buyer;

	const cpt_doc_line *lines;
	size_t n_lines;
	bool prices_include_vat; /* entered TTC: totals computed that way */

	int64_t lines_net;	 /* BT-106: sum of the item lines' nets, cents */
	int64_t discount_rate;	 /* document discount, hundredths of a percent, 0 if none */
	int64_t discount_amount; /* BT-107: cents, positive */
	int64_t eco_total;	 /* DEEE included in the nets, printed apart */
	const cpt_doc_vat *vat;	 /* one per rate and category, sorted by rate descending */
	size_t n_vat;
	int64_t net_total;   /* BT-109: lines_net − discount_amount */
	int64_t vat_total;   /* BT-110 */
	int64_t gross_total; /* BT-112: net_total + vat_total */
	const cpt_doc_deduction *deductions;
	size_t n_deductions;
	int64_t prepaid;    /* BT-113: deposits deducted, cents */
	int64_t amount_due; /* BT-115: gross_total − prepaid */

	/* Progress invoices: the share of the quote invoiced so far. */
	int64_t progress_rate;	   /* hundredths of a percent, 0 when not progress billing */
	int64_t progress_previous; /* cents already invoiced before this one, with VAT */

	/* Mentions the law asks for, already worded. */
	cpt_doc_nature nature;
	const char *payment_terms;	/* "30 jours fin de mois", "À réception" */
	const char *payment_means_code; /* UNTDID 4461: "30" transfer, "58" SEPA transfer... */
	const char *late_penalty; /* "Pénalités de retard : 13,15 % l'an (taux BCE + 10 points)" */
	const char
	    *recovery_indemnity; /* "Indemnité forfaitaire pour frais de recouvrement : 40 €" */
	const char *early_discount; /* "Pas d'escompte pour paiement anticipé." */
	bool vat_on_debits;	    /* "Option pour le paiement de la TVA d'après les débits" */
	const char *structured_communication; /* BE: "+++123/4567/89012+++", "" otherwise */
	const char *notes;		      /* free text printed under the lines */
} cpt_doc_view;

#endif
