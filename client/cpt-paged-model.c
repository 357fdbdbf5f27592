/*
 * CptPagedModel; see cpt-paged-model.h.
 *
 * Blocks are keyed by index (position / CPT_PAGED_BLOCK). Each fetch carries
 * the model's generation: an answer to a query since replaced is dropped.
 * When a block arrives, items-changed over its range makes the view rebind
 * the placeholders it was showing.
 */
#include "cpt-paged-model.h"

#include "admin.pb-c.h"

typedef struct {
	GPtrArray *rows; /* CptRow */
	guint64 used;	 /* last access tick, for eviction */
} Block;

struct _CptPagedModel {
	GObject parent_instance;
	CptConn *conn;
	const CptListSource *source;
	char *search, *sort;
	const void *filter;
	gboolean descending;

	guint n_items;
	GHashTable *blocks;   /* index -> Block */
	GHashTable *inflight; /* index -> GINT_TO_POINTER(1) */
	guint generation;
	gboolean total_known; /* until then, n_items is what block 0 holds */
	guint64 tick;
	char *error;
};

static void list_model_iface_init(GListModelInterface *iface);

G_DEFINE_TYPE_WITH_CODE(CptPagedModel, cpt_paged_model, G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(G_TYPE_LIST_MODEL, list_model_iface_init))

enum { PROP_0, PROP_LOADING, N_PROPS };
static GParamSpec *props[N_PROPS];

static void block_free(gpointer p)
{
	Block *b = p;
	g_ptr_array_unref(b->rows);
	g_free(b);
}

/* The block index of the request that only counts rows. */
#define TOTAL_ONLY G_MAXUINT

typedef struct {
	CptPagedModel *self;
	guint block;
	guint generation;
	gboolean with_total;
} Fetch;

static void fetch(CptPagedModel *self, guint block, gboolean with_total);

static void evict(CptPagedModel *self)
{
	while (g_hash_table_size(self->blocks) > CPT_PAGED_MAX_BLOCKS) {
		GHashTableIter it;
		gpointer key, value, oldest_key = NULL;
		guint64 oldest = G_MAXUINT64;
		g_hash_table_iter_init(&it, self->blocks);
		while (g_hash_table_iter_next(&it, &key, &value)) {
			Block *b = value;
			if (b->used < oldest) {
				oldest = b->used;
				oldest_key = key;
			}
		}
		g_hash_table_remove(self->blocks, oldest_key);
	}
}

static void fetch_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Fetch *f = user_data;
	CptPagedModel *self = f->self;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	gboolean current = f->generation == self->generation;
	if (current) {
		g_hash_table_remove(self->inflight, GUINT_TO_POINTER(f->block));
	}
	if (!current) {
		goto out;
	}
	if (!r || r->status.code != CPT_OK) {
		g_free(self->error);
		self->error = g_strdup(r ? r->status.message : "");
		goto out;
	}
	g_clear_pointer(&self->error, g_free);
	Block *b = g_new0(Block, 1);
	b->rows = g_ptr_array_new_with_free_func(g_object_unref);
	b->used = ++self->tick;
	guint total = 0;
	gboolean more = FALSE;
	self->source->parse(r->output, self->sort, b->rows, &total, &more);
	if (f->block == TOTAL_ONLY) {
		/* The count comes apart from the first page, which is shown at once. */
		block_free(b);
		guint old = self->n_items;
		self->n_items = total;
		self->total_known = TRUE;
		/*
		 * Append the rows beyond the first page rather than replace them all:
		 * GTK 4.8's list widgets asked for hundreds of items after a
		 * replacement of the whole range, each a page fetch.
		 */
		if (total >= old) {
			g_list_model_items_changed(G_LIST_MODEL(self), old, 0, total - old);
		} else {
			g_list_model_items_changed(G_LIST_MODEL(self), 0, old, total);
		}
		goto out;
	}
	guint count = b->rows->len;
	g_hash_table_insert(self->blocks, GUINT_TO_POINTER(f->block), b);
	evict(self);
	guint start = f->block * CPT_PAGED_BLOCK;
	if (!self->total_known && f->block == 0) {
		guint old = self->n_items;
		self->n_items = count;
		g_list_model_items_changed(G_LIST_MODEL(self), 0, old, count);
		/* Counted only once the first page is out: it must not wait behind. */
		if (more) {
			fetch(self, TOTAL_ONLY, TRUE);
		} else {
			self->total_known = TRUE;
		}
	} else if (start < self->n_items) {
		guint n = MIN(count, self->n_items - start);
		g_list_model_items_changed(G_LIST_MODEL(self), start, n, n);
	}
out:
	if (current && g_hash_table_size(self->inflight) == 0) {
		g_object_notify_by_pspec(G_OBJECT(self), props[PROP_LOADING]);
	}
	g_object_unref(self);
	g_free(f);
}

static void fetch(CptPagedModel *self, guint block, gboolean with_total)
{
	if (g_hash_table_contains(self->inflight, GUINT_TO_POINTER(block))) {
		return;
	}
	gboolean was_idle = g_hash_table_size(self->inflight) == 0;
	g_hash_table_add(self->inflight, GUINT_TO_POINTER(block));
	CptPageQuery q = {
	    .search = self->search,
	    .filter = self->filter,
	    .sort = self->sort,
	    .descending = self->descending,
	    .limit = block == TOTAL_ONLY ? 1 : CPT_PAGED_BLOCK,
	    .after_key = "",
	    .with_total = with_total,
	};
	/* Keyset when the block before is at hand; an offset for a jump. */
	Block *prev = block > 0 && block != TOTAL_ONLY
			  ? g_hash_table_lookup(self->blocks, GUINT_TO_POINTER(block - 1))
			  : NULL;
	if (block == TOTAL_ONLY) {
		q.offset = 0;
	} else if (prev && prev->rows->len == CPT_PAGED_BLOCK) {
		CptRow *last = g_ptr_array_index(prev->rows, prev->rows->len - 1);
		q.after_key = last->key ? last->key : "";
		q.after_id = last->id;
	} else {
		q.offset = block * CPT_PAGED_BLOCK;
	}
	ProtobufCMessage *req = self->source->build(&q);
	Fetch *f = g_new0(Fetch, 1);
	f->self = g_object_ref(self);
	f->block = block;
	f->generation = self->generation;
	f->with_total = with_total;
	cpt_conn_call_async(self->conn, self->source->method, req, self->source->reply, NULL,
			    fetch_done, f);
	/* Requests hold only borrowed strings: their top-level allocations go. */
	g_free(req);
	if (was_idle) {
		g_object_notify_by_pspec(G_OBJECT(self), props[PROP_LOADING]);
	}
}

/* ---------------------------------------------------------------------------
 * GListModel
 */

static GType get_item_type(GListModel *list)
{
	return CPT_TYPE_ROW;
}

static guint get_n_items(GListModel *list)
{
	return CPT_PAGED_MODEL(list)->n_items;
}

static gpointer get_item(GListModel *list, guint position)
{
	CptPagedModel *self = CPT_PAGED_MODEL(list);
	if (position >= self->n_items) {
		return NULL;
	}
	guint index = position / CPT_PAGED_BLOCK;
	Block *b = g_hash_table_lookup(self->blocks, GUINT_TO_POINTER(index));
	if (b) {
		b->used = ++self->tick;
		guint i = position % CPT_PAGED_BLOCK;
		if (i < b->rows->len) {
			return g_object_ref(g_ptr_array_index(b->rows, i));
		}
	} else {
		fetch(self, index, FALSE);
	}
	return cpt_row_new_placeholder();
}

static void list_model_iface_init(GListModelInterface *iface)
{
	iface->get_item_type = get_item_type;
	iface->get_n_items = get_n_items;
	iface->get_item = get_item;
}

/* ---------------------------------------------------------------------------
 * Queries
 */

void cpt_paged_model_reload(CptPagedModel *self)
{
	self->generation++;
	g_hash_table_remove_all(self->blocks);
	g_hash_table_remove_all(self->inflight);
	self->total_known = FALSE;
	fetch(self, 0, FALSE);
}

void cpt_paged_model_set_query(CptPagedModel *self, const char *search, const char *sort,
			       gboolean descending)
{
	g_free(self->search);
	g_free(self->sort);
	self->search = g_strdup(search ? search : "");
	self->sort = g_strdup(sort ? sort : "");
	self->descending = descending;
	cpt_paged_model_reload(self);
}

void cpt_paged_model_set_filter(CptPagedModel *self, const void *filter)
{
	self->filter = filter;
	cpt_paged_model_reload(self);
}

void cpt_paged_model_get_query(CptPagedModel *self, CptPageQuery *q)
{
	*q = (CptPageQuery){
	    .search = self->search,
	    .filter = self->filter,
	    .sort = self->sort,
	    .descending = self->descending,
	    .after_key = "",
	};
}

const CptListSource *cpt_paged_model_get_source(CptPagedModel *self)
{
	return self->source;
}

CptConn *cpt_paged_model_get_conn(CptPagedModel *self)
{
	return self->conn;
}

gboolean cpt_paged_model_is_loading(CptPagedModel *self)
{
	return g_hash_table_size(self->inflight) > 0;
}

guint cpt_paged_model_get_loaded_rows(CptPagedModel *self)
{
	guint n = 0;
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, self->blocks);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		n += ((Block *)value)->rows->len;
	}
	return n;
}

const char *cpt_paged_model_get_error(CptPagedModel *self)
{
	return self->error ? self->error : "";
}

static void cpt_paged_model_get_property(GObject *object, guint id, GValue *value,
					 GParamSpec *pspec)
{
	if (id == PROP_LOADING) {
		g_value_set_boolean(value, cpt_paged_model_is_loading(CPT_PAGED_MODEL(object)));
	} else {
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
	}
}

static void cpt_paged_model_finalize(GObject *object)
{
	CptPagedModel *self = CPT_PAGED_MODEL(object);
	g_hash_table_unref(self->blocks);
	g_hash_table_unref(self->inflight);
	g_clear_object(&self->conn);
	g_free(self->search);
	g_free(self->sort);
	g_free(self->error);
	G_OBJECT_CLASS(cpt_paged_model_parent_class)->finalize(object);
}

static void cpt_paged_model_class_init(CptPagedModelClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	oc->finalize = cpt_paged_model_finalize;
	oc->get_property = cpt_paged_model_get_property;
	props[PROP_LOADING] = g_param_spec_boolean("loading", NULL, NULL, FALSE,
						   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties(oc, N_PROPS, props);
}

static void cpt_paged_model_init(CptPagedModel *self)
{
	self->blocks = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, block_free);
	self->inflight = g_hash_table_new(g_direct_hash, g_direct_equal);
	self->search = g_strdup("");
	self->sort = g_strdup("");
}

CptPagedModel *cpt_paged_model_new(CptConn *conn, const CptListSource *source)
{
	CptPagedModel *self = g_object_new(CPT_TYPE_PAGED_MODEL, NULL);
	self->conn = g_object_ref(conn);
	self->source = source;
	return self;
}

void cpt_page_query_fill(const CptPageQuery *q, Comptoir__Admin__Page *page)
{
	comptoir__admin__page__init(page);
	page->limit = q->limit;
	page->sort = (char *)q->sort;
	page->descending = q->descending;
	page->after_key = (char *)q->after_key;
	page->after_id = q->after_id;
	page->offset = q->offset;
	page->with_total = q->with_total;
}
