/*
 * CptPagedModel: a GListModel of CptRow that pages from the server. It knows
 * the total from the first page, hands out placeholders for rows not yet
 * fetched, fetches their block (100 rows) off the main thread, and keeps at
 * most a few blocks: 100 000 rows scroll without ever being all in memory.
 * Blocks follow one another by key (keyset); a jump far away (a dragged
 * scrollbar) asks the server for an offset.
 */
#ifndef CPT_PAGED_MODEL_H
#define CPT_PAGED_MODEL_H

#include "cpt-conn.h"
#include "cpt-row.h"

G_BEGIN_DECLS

#define CPT_PAGED_BLOCK 100
#define CPT_PAGED_MAX_BLOCKS 12

typedef struct {
	const char *search;
	const void *filter; /* the source's own filters (see cpt_paged_model_set_filter) */
	const char *sort;   /* a column's sort key, or "" for the source's default */
	gboolean descending;
	guint limit;
	const char *after_key; /* keyset: continue after this row... */
	gint64 after_id;       /* ...(0: no keyset) */
	guint offset;	       /* jump, when after_id is 0 */
	gboolean with_total;
} CptPageQuery;

/* How one server list is asked for and read. */
typedef struct {
	const char *method;
	const ProtobufCMessageDescriptor *reply;
	/*
	 * A request for q, allocated as one g_malloc block (nested messages in
	 * the same block), its strings pointing into q.
	 */
	ProtobufCMessage *(*build)(const CptPageQuery *q);
	/*
	 * Appends CptRows for the reply to rows (transfer full); sets total and
	 * more. sort is the query's: each row's key is its value for that sort.
	 */
	void (*parse)(const ProtobufCMessage *reply, const char *sort, GPtrArray *rows,
		      guint *total, gboolean *more);
} CptListSource;

/* Fills the protocol's shared paging message from a query. */
struct Comptoir__Admin__Page;
void cpt_page_query_fill(const CptPageQuery *q, struct Comptoir__Admin__Page *page);

#define CPT_TYPE_PAGED_MODEL (cpt_paged_model_get_type())
G_DECLARE_FINAL_TYPE(CptPagedModel, cpt_paged_model, CPT, PAGED_MODEL, GObject)

CptPagedModel *cpt_paged_model_new(CptConn *conn, const CptListSource *source);
/* Starts over with a new filter or order; the total is fetched again. */
void cpt_paged_model_set_query(CptPagedModel *self, const char *search, const char *sort,
			       gboolean descending);
void cpt_paged_model_reload(CptPagedModel *self);
/*
 * Filters beyond the search text, in a struct the source's build() reads;
 * it must outlive the model. Starts over.
 */
void cpt_paged_model_set_filter(CptPagedModel *self, const void *filter);
/*
 * The query the model shows: search, filter, sort and order; the strings are
 * the model's, valid until the query changes. No keyset, offset nor limit.
 */
void cpt_paged_model_get_query(CptPagedModel *self, CptPageQuery *q);
const CptListSource *cpt_paged_model_get_source(CptPagedModel *self);
CptConn *cpt_paged_model_get_conn(CptPagedModel *self);
gboolean cpt_paged_model_is_loading(CptPagedModel *self);
guint cpt_paged_model_get_loaded_rows(CptPagedModel *self);
/* The last error from the server, "" when none. */
const char *cpt_paged_model_get_error(CptPagedModel *self);

G_END_DECLS

#endif
