/* CptRow; see cpt-row.h. */
#include "cpt-row.h"

G_DEFINE_TYPE(CptRow, cpt_row, G_TYPE_OBJECT)

static void cpt_row_finalize(GObject *object)
{
	CptRow *self = CPT_ROW(object);
	g_free(self->key);
	g_strfreev(self->cells);
	G_OBJECT_CLASS(cpt_row_parent_class)->finalize(object);
}

static void cpt_row_class_init(CptRowClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = cpt_row_finalize;
}

static void cpt_row_init(CptRow *self)
{
}

CptRow *cpt_row_new(gint64 id, const char *key, GStrv cells, guint flags)
{
	CptRow *self = g_object_new(CPT_TYPE_ROW, NULL);
	self->id = id;
	self->key = g_strdup(key);
	self->cells = cells;
	self->flags = flags;
	return self;
}

CptRow *cpt_row_new_placeholder(void)
{
	CptRow *self = g_object_new(CPT_TYPE_ROW, NULL);
	self->loading = TRUE;
	return self;
}

const char *cpt_row_cell(CptRow *self, guint column)
{
	if (self->loading || !self->cells || column >= g_strv_length(self->cells)) {
		return "";
	}
	return self->cells[column];
}
