/*
 * What the sales screens share: the two books of comptoir.sales (Quotes:
 * quotes, orders, delivery notes; Invoices: invoices, deposit invoices,
 * credit notes, pro formas), the French names of types and states, the list
 * source of each book with its columns, and the totals of what a list's
 * filter keeps.
 *
 * The modules (cpt-sales-page.h), the client file's history panes
 * (cpt-party-sales.h), the editor (cpt-sales-editor.h) and the actions
 * (cpt-sales-actions.h) are built on it.
 */
#ifndef CPT_SALES_H
#define CPT_SALES_H

#include "cpt-conn.h"
#include "cpt-list-view.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
	CPT_SALES_QUOTES,   /* comptoir.sales.Quotes: quotes.read, quotes.write */
	CPT_SALES_INVOICES, /* comptoir.sales.Invoices: invoices.read, .write, .validate */
} CptSalesBook;

/* The types of a book as the server names them, NULL-terminated, in menu order. */
const char *const *cpt_sales_types(CptSalesBook book);
/* The book a type belongs to. */
CptSalesBook cpt_sales_book_of(const char *type);
/* "comptoir.sales.Quotes/" or "comptoir.sales.Invoices/" for a type. */
const char *cpt_sales_service(const char *type);
/* The permission that reads, writes or validates a type's book. */
const char *cpt_sales_read_permission(CptSalesBook book);
const char *cpt_sales_write_permission(CptSalesBook book);
const char *cpt_sales_validate_permission(CptSalesBook book);
/* "Devis", "Facture d'acompte"... translated; type itself if unknown. */
const char *cpt_sales_type_label(const char *type);
/* The states a book's filter offers, NULL-terminated (after "any"). */
const char *const *cpt_sales_states(CptSalesBook book);
/* "Brouillon", "Validée", "Accepté"... agreed with the type, translated. */
const char *cpt_sales_state_label(const char *type, const char *state);
/*
 * Whether validating a type gives it a definitive number in the legal,
 * chained series (invoices, deposit invoices, credit notes): asked first.
 */
gboolean cpt_sales_type_is_legal(const char *type);
/* "1 234,56 €" for cents. Caller g_free()s. */
char *cpt_sales_amount(gint64 cents);

/* Cells of a document row, in column order. The quotes' book stops at STATE. */
enum {
	CPT_SALES_NUMBER, /* "" for a draft */
	CPT_SALES_DATE,	  /* "22/11/2026" */
	CPT_SALES_CLIENT, /* the client's name */
	CPT_SALES_NET,	  /* "1 234,50", excluding VAT */
	CPT_SALES_GROSS,  /* including VAT */
	CPT_SALES_STATE,  /* "Brouillon", "Validée"... */
	CPT_SALES_DUE,	  /* invoices: what is left to pay */
	CPT_SALES_DUE_DATE,
	CPT_SALES_N_CELLS
};
/* CptRow.flags of a document row: a draft (no number yet). */
#define CPT_SALES_ROW_DRAFT 1u

/* What a sales list filters on besides the search text. */
typedef struct {
	const char *type;  /* required: one of the book's types */
	const char *state; /* "" any */
	gint64 party_id;   /* 0 every client */
} CptSalesFilter;

/* The list source of a book (its filter: a CptSalesFilter). */
const CptListSource *cpt_sales_source(CptSalesBook book);
/* The columns of a book's list, and how many it shows. */
const CptColumnSpec *cpt_sales_columns(CptSalesBook book, guint *n_columns);

/*
 * Asks for the count and totals of every document the filter and search
 * keep (ListReply.total, sum_net, sum_gross); cb gets the answer from
 * cpt_conn_call_finish() (caller frees), to read with cpt_sales_totals_text().
 */
void cpt_sales_totals_fetch(CptConn *conn, CptSalesBook book, const CptSalesFilter *filter,
			    const char *search, GAsyncReadyCallback cb, gpointer user_data);
/*
 * "3 documents : 1 234,56 € HT, 1 481,47 € TTC", or the error. Caller
 * g_free()s.
 */
char *cpt_sales_totals_text(const CptCallResult *r);

G_END_DECLS

#endif
