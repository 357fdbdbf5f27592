/*
 * CptPriceRules; see cpt-price-rules.h.
 *
 * The list is read whole (the server sends at most 10 000 prices of one
 * owner) into a GListStore shown by a GtkColumnView; the answer is kept so
 * that editing a row starts from the record read. The editor finds the
 * article as its code is typed (cpt-code-lookup.h); a save whose code is not
 * found yet looks it up first, then sends the whole record. The list is read
 * again after each save or delete, and when another workstation changes a
 * price.
 */
#include "cpt-price-rules.h"
#include "cpt-code-lookup.h"
#include "cpt-ui.h"
#include "money.h"

#include "articles.pb-c.h"

#include <glib/gi18n.h>
#include <string.h>

#define PRICING_SERVICE "comptoir.articles.Pricing/"
/* Wait this long after a keystroke in the article code before looking it up. */
#define LOOKUP_DELAY_MS 300
/* Events arriving together bring one reload, this long after the first. */
#define RELOAD_DELAY_MS 200
/* Position of the choice "Remise %" in the price kind drop-down. */
#define KIND_DISCOUNT 1

struct _CptPriceRules {
	GtkBox parent_instance;
	CptConn *conn;
	CptPriceRulesKind kind;
	const char *prefix; /* "rule." or "price.": the server's field names */
	gboolean writable;
	gint64 owner;
	GListStore *rows;    /* CptRow, one per record of read */
	CptCallResult *read; /* the last list read, or NULL */
	GtkSingleSelection *selection;
	GtkLabel *placeholder;
	GtkWidget *add, *edit, *remove;
	guint load_generation;
	gboolean loading;
	gint64 select_after_load;
	guint reload_source;
	/* The row editor */
	GtkWidget *editor;
	GtkLabel *editor_title;
	GtkGrid *fields;
	GtkDropDown *price_kind; /* rules only */
	GtkLabel *article_label;
	GtkWidget *save;
	gint64 editing;	    /* the record's id; 0 for a new one */
	gint64 article_id;  /* found for article_code; 0 until then */
	char *article_code; /* the code article_id was found for */
	guint lookup_source;
	guint lookup_generation;
	gboolean looking_up;
	gboolean save_after_lookup;
	gboolean saving;
	gboolean deleting;
	GtkLabel *message;
	gboolean disposed;
};

G_DEFINE_TYPE(CptPriceRules, cpt_price_rules, GTK_TYPE_BOX)

/* What an answer needs to find its page again, and whether it is still awaited. */
typedef struct {
	CptPriceRules *self; /* a reference */
	guint generation;
	gint64 id;
	char *code;
} Pending;

static Pending *pending_new(CptPriceRules *self, guint generation)
{
	Pending *p = g_new0(Pending, 1);
	p->self = g_object_ref(self);
	p->generation = generation;
	return p;
}

static void pending_free(Pending *p)
{
	g_object_unref(p->self);
	g_free(p->code);
	g_free(p);
}

/* ---------------------------------------------------------------------------
 * Texts
 */

/* "1 234,50 €" for a unit price (4 decimals). Caller g_free()s. */
static char *price_text(gint64 price4)
{
	char buf[CPT_MONEY_FORMAT_SIZE];
	if (!cpt_money_format_price(price4, buf, sizeof buf)) {
		return g_strdup("");
	}
	return g_strconcat(buf, CPT_MONEY_CURRENCY_SEP CPT_MONEY_CURRENCY_SIGN, NULL);
}

static char *quantity_text(gint64 qty3)
{
	char buf[CPT_MONEY_FORMAT_SIZE];
	return g_strdup(cpt_money_format_qty(qty3, buf, sizeof buf) ? buf : "");
}

/* A discount as it is typed back: 1000 -> "10", 1250 -> "12,5", 1225 -> "12,25". */
static char *discount_text(gint32 bp)
{
	gint32 whole = bp / 100, part = bp % 100;
	if (part < 0) {
		part = -part;
	}
	if (part == 0) {
		return g_strdup_printf("%d", whole);
	}
	return part % 10 == 0 ? g_strdup_printf("%d,%d", whole, part / 10)
			      : g_strdup_printf("%d,%02d", whole, part);
}

static char *article_text(const char *code, const char *label)
{
	return label && *label ? g_strdup_printf("%s — %s", code, label) : g_strdup(code);
}

gboolean cpt_price_rules_parse_discount(const char *text, gint32 *bp)
{
	g_autofree char *t = g_strstrip(g_strdup(text ? text : ""));
	if (g_str_has_suffix(t, "%")) {
		t[strlen(t) - 1] = '\0';
		/* The space before "%" may be a no-break one, as cpt_ui_rate() writes it. */
		for (;;) {
			g_strchomp(t);
			if (g_str_has_suffix(t, CPT_MONEY_GROUP_SEP)) {
				t[strlen(t) - strlen(CPT_MONEY_GROUP_SEP)] = '\0';
			} else if (g_str_has_suffix(t, CPT_MONEY_CURRENCY_SEP)) {
				t[strlen(t) - strlen(CPT_MONEY_CURRENCY_SEP)] = '\0';
			} else {
				break;
			}
		}
	}
	int64_t v;
	/* Parsed as a price (4 decimals), kept only when 2 decimals say it all. */
	if (!cpt_money_parse_price(t, &v) || v % 100 != 0 || v / 100 > G_MAXINT32 ||
	    v / 100 < G_MININT32) {
		return FALSE;
	}
	*bp = (gint32)(v / 100);
	return TRUE;
}

char *cpt_price_rules_validity_text(const char *from_iso, const char *to_iso)
{
	g_autofree char *f = cpt_ui_date_from_iso(from_iso), *t = cpt_ui_date_from_iso(to_iso);
	if (*f && *t) {
		return g_strdup_printf(_("du %s au %s"), f, t);
	}
	if (*f) {
		return g_strdup_printf(_("depuis le %s"), f);
	}
	if (*t) {
		return g_strdup_printf(_("jusqu'au %s"), t);
	}
	return g_strdup(_("toujours"));
}

static CptRow *rule_row(const Comptoir__Articles__PriceRule *p)
{
	GStrv cells = g_new0(char *, CPT_PRICE_RULE_N_CELLS + 1);
	cells[CPT_PRICE_RULE_ARTICLE] = article_text(p->article_code, p->article_label);
	cells[CPT_PRICE_RULE_REF] = g_strdup("");
	cells[CPT_PRICE_RULE_MIN_QUANTITY] = quantity_text(p->min_quantity);
	if (p->has_unit_price) {
		cells[CPT_PRICE_RULE_PRICE] = price_text(p->unit_price);
	} else {
		g_autofree char *rate = cpt_ui_rate(p->discount);
		cells[CPT_PRICE_RULE_PRICE] = g_strdup_printf(_("remise de %s"), rate);
	}
	cells[CPT_PRICE_RULE_FROM] = cpt_ui_date_from_iso(p->valid_from);
	cells[CPT_PRICE_RULE_TO] = cpt_ui_date_from_iso(p->valid_to);
	return cpt_row_new(p->id, p->article_code, cells, 0);
}

static CptRow *supplier_row(const Comptoir__Articles__SupplierPrice *s)
{
	GStrv cells = g_new0(char *, CPT_PRICE_RULE_N_CELLS + 1);
	cells[CPT_PRICE_RULE_ARTICLE] = article_text(s->article_code, s->article_label);
	cells[CPT_PRICE_RULE_REF] = g_strdup(s->supplier_ref);
	cells[CPT_PRICE_RULE_MIN_QUANTITY] = quantity_text(s->min_quantity);
	cells[CPT_PRICE_RULE_PRICE] = price_text(s->unit_price);
	cells[CPT_PRICE_RULE_FROM] = cpt_ui_date_from_iso(s->valid_from);
	cells[CPT_PRICE_RULE_TO] = cpt_ui_date_from_iso(s->valid_to);
	return cpt_row_new(s->id, s->article_code, cells, 0);
}

/* ---------------------------------------------------------------------------
 * Reading the list
 */

static const Comptoir__Articles__PriceRule *find_rule(CptPriceRules *self, gint64 id)
{
	if (!self->read || self->kind == CPT_PRICE_RULES_SUPPLIER) {
		return NULL;
	}
	const Comptoir__Articles__ListPriceRulesReply *r = (const void *)self->read->output;
	for (size_t i = 0; i < r->n_rules; i++) {
		if (r->rules[i]->id == id) {
			return r->rules[i];
		}
	}
	return NULL;
}

static const Comptoir__Articles__SupplierPrice *find_supplier_price(CptPriceRules *self, gint64 id)
{
	if (!self->read || self->kind != CPT_PRICE_RULES_SUPPLIER) {
		return NULL;
	}
	const Comptoir__Articles__ListSupplierPricesReply *r = (const void *)self->read->output;
	for (size_t i = 0; i < r->n_prices; i++) {
		if (r->prices[i]->id == id) {
			return r->prices[i];
		}
	}
	return NULL;
}

static gint64 selected_id(CptPriceRules *self)
{
	CptRow *row = gtk_single_selection_get_selected_item(self->selection);
	return row ? row->id : 0;
}

static void update_buttons(CptPriceRules *self)
{
	gboolean chosen = selected_id(self) != 0;
	gtk_widget_set_sensitive(self->add, self->owner != 0);
	gtk_widget_set_sensitive(self->edit, chosen);
	if (self->remove) {
		gtk_widget_set_sensitive(self->remove, chosen);
	}
}

static void set_placeholder(CptPriceRules *self)
{
	const char *text = "";
	if (!self->owner) {
		text = self->kind == CPT_PRICE_RULES_LIST ? _("Choisissez un tarif.")
		       : self->kind == CPT_PRICE_RULES_CLIENT
			   ? _("Choisissez un client par son code.")
			   : _("Choisissez un fournisseur par son "
			       "code.");
	} else if (!self->loading && g_list_model_get_n_items(G_LIST_MODEL(self->rows)) == 0) {
		text = self->kind == CPT_PRICE_RULES_SUPPLIER
			   ? _("Aucun prix de ce fournisseur pour l'instant.")
			   : _("Aucun prix particulier pour l'instant.");
	}
	gtk_label_set_text(self->placeholder, text);
	gtk_widget_set_visible(GTK_WIDGET(self->placeholder), *text != '\0');
}

/* Shows the records of r (taken), keeping the selection where it was. */
static void show_rows(CptPriceRules *self, CptCallResult *r)
{
	gint64 keep = self->select_after_load ? self->select_after_load : selected_id(self);
	self->select_after_load = 0;
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(g_object_unref);
	if (self->kind == CPT_PRICE_RULES_SUPPLIER) {
		const Comptoir__Articles__ListSupplierPricesReply *rep = (const void *)r->output;
		for (size_t i = 0; i < rep->n_prices; i++) {
			g_ptr_array_add(rows, supplier_row(rep->prices[i]));
		}
	} else {
		const Comptoir__Articles__ListPriceRulesReply *rep = (const void *)r->output;
		for (size_t i = 0; i < rep->n_rules; i++) {
			g_ptr_array_add(rows, rule_row(rep->rules[i]));
		}
	}
	g_clear_pointer(&self->read, cpt_call_result_free);
	self->read = r;
	g_list_store_splice(self->rows, 0, g_list_model_get_n_items(G_LIST_MODEL(self->rows)),
			    rows->pdata, rows->len);
	guint selected = GTK_INVALID_LIST_POSITION;
	for (guint i = 0; keep && i < rows->len; i++) {
		if (((CptRow *)rows->pdata[i])->id == keep) {
			selected = i;
		}
	}
	gtk_single_selection_set_selected(self->selection, selected);
	set_placeholder(self);
	update_buttons(self);
}

static void rows_read(GObject *source, GAsyncResult *res, gpointer data)
{
	Pending *p = data;
	CptPriceRules *self = p->self;
	CptCallResult *r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (!self->disposed && p->generation == self->load_generation) {
		self->loading = FALSE;
		if (r->status.code == CPT_OK) {
			show_rows(self, g_steal_pointer(&r));
		} else {
			gtk_label_set_text(self->message, cpt_ui_status_text(&r->status));
			set_placeholder(self);
		}
	}
	g_clear_pointer(&r, cpt_call_result_free);
	pending_free(p);
}

static void load(CptPriceRules *self)
{
	self->load_generation++;
	if (!self->owner) {
		self->loading = FALSE;
		g_clear_pointer(&self->read, cpt_call_result_free);
		g_list_store_remove_all(self->rows);
		set_placeholder(self);
		update_buttons(self);
		return;
	}
	self->loading = TRUE;
	Pending *p = pending_new(self, self->load_generation);
	if (self->kind == CPT_PRICE_RULES_SUPPLIER) {
		Comptoir__Articles__ListSupplierPricesRequest req =
		    COMPTOIR__ARTICLES__LIST_SUPPLIER_PRICES_REQUEST__INIT;
		req.supplier_id = self->owner;
		cpt_conn_call_async(self->conn, PRICING_SERVICE "ListSupplierPrices", &req.base,
				    &comptoir__articles__list_supplier_prices_reply__descriptor,
				    NULL, rows_read, p);
		return;
	}
	Comptoir__Articles__ListPriceRulesRequest req =
	    COMPTOIR__ARTICLES__LIST_PRICE_RULES_REQUEST__INIT;
	if (self->kind == CPT_PRICE_RULES_LIST) {
		req.price_list_id = self->owner;
	} else {
		req.party_id = self->owner;
	}
	cpt_conn_call_async(self->conn, PRICING_SERVICE "ListRules", &req.base,
			    &comptoir__articles__list_price_rules_reply__descriptor, NULL,
			    rows_read, p);
}

void cpt_price_rules_reload(CptPriceRules *self)
{
	load(self);
}

static gboolean reload_due(gpointer data)
{
	CptPriceRules *self = data;
	self->reload_source = 0;
	load(self);
	return G_SOURCE_REMOVE;
}

/* Another workstation changed a price, or an article's label: read again. */
static void on_event(CptConn *conn, const char *topic, gint64 id, const char *action, gpointer data)
{
	CptPriceRules *self = data;
	const char *mine = self->kind == CPT_PRICE_RULES_SUPPLIER ? "supplier_price" : "price_rule";
	if (self->owner && !self->reload_source &&
	    (g_str_equal(topic, mine) || g_str_equal(topic, "article"))) {
		self->reload_source = g_timeout_add(RELOAD_DELAY_MS, reload_due, self);
	}
}

/* ---------------------------------------------------------------------------
 * The editor: fields, errors
 */

/* The editor's widget for a server field name without its prefix ("unit_price"). */
static GtkWidget *editor_field(CptPriceRules *self, const char *field)
{
	char name[64];
	g_snprintf(name, sizeof name, "%s%s", self->prefix, field);
	return cpt_ui_find_named(GTK_WIDGET(self->fields), name);
}

static const char *field_text(CptPriceRules *self, const char *field)
{
	GtkWidget *w = editor_field(self, field);
	return w && GTK_IS_EDITABLE(w) ? gtk_editable_get_text(GTK_EDITABLE(w)) : "";
}

static void set_field_text(CptPriceRules *self, const char *field, const char *text)
{
	GtkWidget *w = editor_field(self, field);
	if (w && GTK_IS_EDITABLE(w)) {
		gtk_editable_set_text(GTK_EDITABLE(w), text ? text : "");
	}
}

static void clear_error_marks(GtkWidget *root)
{
	gtk_widget_remove_css_class(root, "error");
	for (GtkWidget *c = gtk_widget_get_first_child(root); c;
	     c = gtk_widget_get_next_sibling(c)) {
		clear_error_marks(c);
	}
}

static void field_error(CptPriceRules *self, const char *field, const char *text)
{
	cpt_ui_field_error(editor_field(self, field), self->message, text);
}

/* A server error on the field it names: "Prix HT : la valeur ne peut pas être négative". */
static void show_status(CptPriceRules *self, const cpt_status *st)
{
	GtkWidget *w = NULL;
	if (g_str_has_prefix(st->field, self->prefix)) {
		const char *field = st->field + strlen(self->prefix);
		w = editor_field(self, g_str_equal(field, "article_id") ? "article_code" : field);
	}
	const char *caption = w ? g_object_get_data(G_OBJECT(w), "cpt-caption") : NULL;
	g_autofree char *text = caption
				    ? g_strdup_printf(_("%s : %s"), caption, cpt_ui_status_text(st))
				    : g_strdup(cpt_ui_status_text(st));
	cpt_ui_field_error(w, self->message, text);
}

static void set_saving(CptPriceRules *self, gboolean saving)
{
	self->saving = saving;
	gtk_widget_set_sensitive(self->save, !saving);
}

static gboolean is_discount(CptPriceRules *self)
{
	return self->price_kind && gtk_drop_down_get_selected(self->price_kind) == KIND_DISCOUNT;
}

/* What the editor holds, once parsed. */
typedef struct {
	gint64 min_quantity; /* 3 decimals */
	gint64 unit_price;   /* 4 decimals */
	gint32 discount;     /* hundredths of a percent */
	gboolean has_discount;
	char *valid_from; /* "YYYY-MM-DD" or "" */
	char *valid_to;
} Edited;

static void edited_clear(Edited *e)
{
	g_clear_pointer(&e->valid_from, g_free);
	g_clear_pointer(&e->valid_to, g_free);
}

static gboolean read_date(CptPriceRules *self, const char *field, char **iso)
{
	*iso = cpt_ui_date_to_iso(field_text(self, field));
	if (*iso) {
		return TRUE;
	}
	field_error(self, field, _("Date invalide : jj/mm/aaaa, par exemple 31/12/2026."));
	return FALSE;
}

/* Parses the editor; FALSE, shown on the field, at the first that does not parse. */
static gboolean read_editor(CptPriceRules *self, Edited *e)
{
	memset(e, 0, sizeof *e);
	g_autofree char *qty = g_strstrip(g_strdup(field_text(self, "min_quantity")));
	if (*qty && !cpt_money_parse_qty(qty, &e->min_quantity)) {
		field_error(self, "min_quantity",
			    _("Quantité invalide : un nombre avec 3 décimales au plus, par exemple "
			      "1,5."));
		return FALSE;
	}
	e->has_discount = is_discount(self);
	if (e->has_discount) {
		if (!cpt_price_rules_parse_discount(field_text(self, "discount"), &e->discount)) {
			field_error(self, "discount",
				    _("Remise invalide : un pourcentage avec 2 décimales au plus, "
				      "par exemple 12,5."));
			return FALSE;
		}
	} else if (!cpt_money_parse_price(field_text(self, "unit_price"), &e->unit_price)) {
		field_error(self, "unit_price",
			    _("Prix invalide : un nombre avec 4 décimales au plus, par exemple "
			      "1 234,50."));
		return FALSE;
	}
	if (!read_date(self, "valid_from", &e->valid_from) ||
	    !read_date(self, "valid_to", &e->valid_to)) {
		edited_clear(e);
		return FALSE;
	}
	return TRUE;
}

/* ---------------------------------------------------------------------------
 * The editor: the article, found by its code
 */

static void send(CptPriceRules *self);

static void article_found(GObject *source, GAsyncResult *res, gpointer data)
{
	Pending *p = data;
	CptPriceRules *self = p->self;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (!self->disposed && p->generation == self->lookup_generation) {
		self->looking_up = FALSE;
		gint64 id = 0;
		const char *label = NULL;
		gboolean saving = self->save_after_lookup;
		self->save_after_lookup = FALSE;
		if (cpt_code_lookup_match(CPT_CODE_ARTICLE, r, p->code, &id, &label)) {
			self->article_id = id;
			g_free(self->article_code);
			self->article_code = g_strdup(p->code);
			gtk_label_set_text(self->article_label, label);
			gtk_widget_set_tooltip_text(GTK_WIDGET(self->article_label), label);
			if (saving) {
				send(self);
			}
		} else {
			gtk_label_set_text(self->article_label,
					   r->status.code == CPT_OK ? _("article inconnu") : "");
			if (saving) {
				set_saving(self, FALSE);
				if (r->status.code == CPT_OK) {
					field_error(self, "article_code",
						    _("Article : aucun article n'a ce code."));
				} else {
					show_status(self, &r->status);
				}
			}
		}
	}
	pending_free(p);
}

static void lookup_article(CptPriceRules *self)
{
	g_clear_handle_id(&self->lookup_source, g_source_remove);
	self->lookup_generation++;
	g_autofree char *code = g_strstrip(g_strdup(field_text(self, "article_code")));
	if (!*code) {
		self->looking_up = FALSE;
		return;
	}
	self->looking_up = TRUE;
	Pending *p = pending_new(self, self->lookup_generation);
	p->code = g_steal_pointer(&code);
	cpt_code_lookup(self->conn, CPT_CODE_ARTICLE, p->code, article_found, p);
}

static gboolean lookup_due(gpointer data)
{
	CptPriceRules *self = data;
	self->lookup_source = 0;
	lookup_article(self);
	return G_SOURCE_REMOVE;
}

/* The article found so far is forgotten as soon as the code changes. */
static void on_article_changed(GtkEditable *e, gpointer data)
{
	CptPriceRules *self = data;
	g_autofree char *code = g_strstrip(g_strdup(gtk_editable_get_text(e)));
	if (self->article_id && self->article_code &&
	    g_ascii_strcasecmp(code, self->article_code) == 0) {
		return;
	}
	self->article_id = 0;
	g_clear_pointer(&self->article_code, g_free);
	gtk_label_set_text(self->article_label, "");
	g_clear_handle_id(&self->lookup_source, g_source_remove);
	self->lookup_generation++; /* an answer for the former code is of no use */
	self->looking_up = FALSE;
	if (self->save_after_lookup) {
		self->save_after_lookup = FALSE;
		set_saving(self, FALSE);
	}
	if (*code) {
		self->lookup_source = g_timeout_add(LOOKUP_DELAY_MS, lookup_due, self);
	}
}

/* ---------------------------------------------------------------------------
 * Saving and deleting
 */

static void saved(GObject *source, GAsyncResult *res, gpointer data)
{
	Pending *p = data;
	CptPriceRules *self = p->self;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (!self->disposed) {
		set_saving(self, FALSE);
		if (r->status.code != CPT_OK) {
			show_status(self, &r->status);
		} else {
			gtk_widget_set_visible(self->editor, FALSE);
			gtk_label_set_text(self->message, _("Prix enregistré."));
			self->select_after_load =
			    self->kind == CPT_PRICE_RULES_SUPPLIER
				? ((Comptoir__Articles__SupplierPriceReply *)r->output)->price->id
				: ((Comptoir__Articles__PriceRuleReply *)r->output)->rule->id;
			load(self);
		}
	}
	pending_free(p);
}

/* Sends the editor's record; the article is found. */
static void send(CptPriceRules *self)
{
	Edited e;
	if (!read_editor(self, &e)) {
		set_saving(self, FALSE);
		return;
	}
	set_saving(self, TRUE);
	Pending *p = pending_new(self, 0);
	if (self->kind == CPT_PRICE_RULES_SUPPLIER) {
		Comptoir__Articles__SupplierPrice s = COMPTOIR__ARTICLES__SUPPLIER_PRICE__INIT;
		s.id = self->editing;
		s.supplier_id = self->owner;
		s.article_id = self->article_id;
		s.supplier_ref = (char *)field_text(self, "supplier_ref");
		s.min_quantity = e.min_quantity;
		s.unit_price = e.unit_price;
		s.valid_from = e.valid_from;
		s.valid_to = e.valid_to;
		Comptoir__Articles__SupplierPriceRequest req =
		    COMPTOIR__ARTICLES__SUPPLIER_PRICE_REQUEST__INIT;
		req.price = &s;
		cpt_conn_call_async(self->conn, PRICING_SERVICE "SaveSupplierPrice", &req.base,
				    &comptoir__articles__supplier_price_reply__descriptor, NULL,
				    saved, p);
	} else {
		Comptoir__Articles__PriceRule rule = COMPTOIR__ARTICLES__PRICE_RULE__INIT;
		rule.id = self->editing;
		if (self->kind == CPT_PRICE_RULES_LIST) {
			rule.price_list_id = self->owner;
		} else {
			rule.party_id = self->owner;
		}
		rule.article_id = self->article_id;
		rule.min_quantity = e.min_quantity;
		rule.has_unit_price = !e.has_discount;
		rule.unit_price = e.unit_price;
		rule.discount = e.discount;
		rule.valid_from = e.valid_from;
		rule.valid_to = e.valid_to;
		Comptoir__Articles__PriceRuleRequest req =
		    COMPTOIR__ARTICLES__PRICE_RULE_REQUEST__INIT;
		req.rule = &rule;
		cpt_conn_call_async(self->conn, PRICING_SERVICE "SaveRule", &req.base,
				    &comptoir__articles__price_rule_reply__descriptor, NULL, saved,
				    p);
	}
	edited_clear(&e);
}

void cpt_price_rules_save(CptPriceRules *self)
{
	if (self->saving || !self->owner || !gtk_widget_get_visible(self->editor)) {
		return;
	}
	clear_error_marks(self->editor);
	gtk_label_set_text(self->message, "");
	/* Every number and date is checked before anything is asked of the server. */
	Edited e;
	if (!read_editor(self, &e)) {
		return;
	}
	edited_clear(&e);
	g_autofree char *code = g_strstrip(g_strdup(field_text(self, "article_code")));
	if (!*code) {
		field_error(self, "article_code", _("Article obligatoire : tapez son code."));
		return;
	}
	set_saving(self, TRUE);
	if (self->article_id && g_ascii_strcasecmp(code, self->article_code) == 0) {
		send(self);
	} else {
		self->save_after_lookup = TRUE;
		lookup_article(self);
	}
}

static void deleted(GObject *source, GAsyncResult *res, gpointer data)
{
	Pending *p = data;
	CptPriceRules *self = p->self;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (!self->disposed) {
		self->deleting = FALSE;
		if (r->status.code != CPT_OK) {
			gtk_label_set_text(self->message, cpt_ui_status_text(&r->status));
		} else {
			gtk_label_set_text(self->message, _("Prix supprimé."));
			if (self->editing == p->id) {
				gtk_widget_set_visible(self->editor, FALSE);
			}
		}
		load(self);
	}
	pending_free(p);
}

static void delete_confirmed(GtkWindow *dialog, gpointer data)
{
	Pending *p = data;
	CptPriceRules *self = p->self;
	if (self->disposed) {
		return;
	}
	self->deleting = TRUE;
	Pending *q = pending_new(self, 0);
	q->id = p->id;
	Comptoir__Articles__DeleteRequest req = COMPTOIR__ARTICLES__DELETE_REQUEST__INIT;
	req.id = p->id;
	cpt_conn_call_async(
	    self->conn,
	    self->kind == CPT_PRICE_RULES_SUPPLIER ? PRICING_SERVICE "DeleteSupplierPrice"
						   : PRICING_SERVICE "DeleteRule",
	    &req.base, &comptoir__articles__delete_reply__descriptor, NULL, deleted, q);
}

GtkWindow *cpt_price_rules_ask_delete(CptPriceRules *self)
{
	CptRow *row = gtk_single_selection_get_selected_item(self->selection);
	if (!row || !self->writable) {
		return NULL;
	}
	g_autofree char *text =
	    self->kind == CPT_PRICE_RULES_SUPPLIER
		? g_strdup_printf(_("Supprimer le prix du fournisseur pour %s à partir de %s "
				    "(%s) ? Les achats déjà faits gardent leurs prix."),
				  cpt_row_cell(row, CPT_PRICE_RULE_ARTICLE),
				  cpt_row_cell(row, CPT_PRICE_RULE_MIN_QUANTITY),
				  cpt_row_cell(row, CPT_PRICE_RULE_PRICE))
		: g_strdup_printf(_("Supprimer le prix de %s à partir de %s (%s) ? Les documents "
				    "déjà faits gardent leurs prix."),
				  cpt_row_cell(row, CPT_PRICE_RULE_ARTICLE),
				  cpt_row_cell(row, CPT_PRICE_RULE_MIN_QUANTITY),
				  cpt_row_cell(row, CPT_PRICE_RULE_PRICE));
	Pending *p = pending_new(self, 0);
	p->id = row->id;
	return cpt_ui_confirm(GTK_WIDGET(self), _("Supprimer le prix"), text, NULL, _("_Supprimer"),
			      TRUE, delete_confirmed, p, (GDestroyNotify)pending_free);
}

/* ---------------------------------------------------------------------------
 * Opening the editor
 */

static void open_editor(CptPriceRules *self, const char *title)
{
	clear_error_marks(self->editor);
	gtk_label_set_text(self->message, "");
	gtk_label_set_text(self->editor_title, title);
	gtk_widget_set_visible(self->editor, TRUE);
	gtk_widget_grab_focus(editor_field(self, "article_code"));
}

/* Fills the editor; the article given is taken as found. */
static void fill_editor(CptPriceRules *self, gint64 article_id, const char *code, const char *label,
			gint64 min_quantity, const char *from, const char *to)
{
	set_field_text(self, "article_code", code);
	self->article_id = article_id;
	g_free(self->article_code);
	self->article_code = article_id ? g_strdup(code) : NULL;
	g_clear_handle_id(&self->lookup_source, g_source_remove);
	gtk_label_set_text(self->article_label, label);
	g_autofree char *qty = article_id ? quantity_text(min_quantity) : g_strdup("");
	set_field_text(self, "min_quantity", qty);
	g_autofree char *f = cpt_ui_date_from_iso(from), *t = cpt_ui_date_from_iso(to);
	set_field_text(self, "valid_from", f);
	set_field_text(self, "valid_to", t);
}

void cpt_price_rules_add(CptPriceRules *self)
{
	if (!self->owner || !self->writable) {
		return;
	}
	self->editing = 0;
	fill_editor(self, 0, "", "", 0, "", "");
	set_field_text(self, "unit_price", "");
	set_field_text(self, "discount", "");
	set_field_text(self, "supplier_ref", "");
	cpt_price_rules_set_discount(self, FALSE);
	open_editor(self, _("Nouveau prix"));
}

void cpt_price_rules_edit_selected(CptPriceRules *self)
{
	gint64 id = selected_id(self);
	if (!id || !self->writable) {
		return;
	}
	const Comptoir__Articles__PriceRule *rule = find_rule(self, id);
	const Comptoir__Articles__SupplierPrice *sp = find_supplier_price(self, id);
	if (rule) {
		fill_editor(self, rule->article_id, rule->article_code, rule->article_label,
			    rule->min_quantity, rule->valid_from, rule->valid_to);
		g_autofree char *discount =
		    rule->has_unit_price ? g_strdup("") : discount_text(rule->discount);
		/* The entry takes the price without its currency sign. */
		char plain[CPT_MONEY_FORMAT_SIZE];
		set_field_text(self, "unit_price",
			       rule->has_unit_price &&
				       cpt_money_format_price(rule->unit_price, plain, sizeof plain)
				   ? plain
				   : "");
		set_field_text(self, "discount", discount);
		cpt_price_rules_set_discount(self, !rule->has_unit_price);
	} else if (sp) {
		fill_editor(self, sp->article_id, sp->article_code, sp->article_label,
			    sp->min_quantity, sp->valid_from, sp->valid_to);
		char plain[CPT_MONEY_FORMAT_SIZE];
		set_field_text(self, "unit_price",
			       cpt_money_format_price(sp->unit_price, plain, sizeof plain) ? plain
											   : "");
		set_field_text(self, "supplier_ref", sp->supplier_ref);
	} else {
		return;
	}
	self->editing = id;
	open_editor(self, _("Modifier le prix"));
}

void cpt_price_rules_set_discount(CptPriceRules *self, gboolean discount)
{
	if (self->price_kind) {
		gtk_drop_down_set_selected(self->price_kind, discount ? KIND_DISCOUNT : 0);
	}
}

static void on_kind_changed(GObject *d, GParamSpec *pspec, gpointer data)
{
	CptPriceRules *self = data;
	gboolean discount = is_discount(self);
	gtk_widget_set_visible(editor_field(self, "unit_price"), !discount);
	gtk_widget_set_visible(editor_field(self, "discount"), discount);
}

static void close_editor(CptPriceRules *self)
{
	g_clear_handle_id(&self->lookup_source, g_source_remove);
	self->lookup_generation++;
	self->looking_up = FALSE;
	self->save_after_lookup = FALSE;
	clear_error_marks(self->editor);
	gtk_label_set_text(self->message, "");
	gtk_widget_set_visible(self->editor, FALSE);
}

/* ---------------------------------------------------------------------------
 * Public reading and driving
 */

void cpt_price_rules_set_owner(CptPriceRules *self, gint64 owner)
{
	if (owner == self->owner) {
		return;
	}
	self->owner = owner;
	close_editor(self);
	g_list_store_remove_all(self->rows);
	g_clear_pointer(&self->read, cpt_call_result_free);
	load(self);
}

gint64 cpt_price_rules_get_owner(CptPriceRules *self)
{
	return self->owner;
}

gboolean cpt_price_rules_is_busy(CptPriceRules *self)
{
	return self->loading || self->saving || self->deleting || self->looking_up ||
	       self->lookup_source || self->reload_source;
}

GListModel *cpt_price_rules_get_rows(CptPriceRules *self)
{
	return G_LIST_MODEL(self->rows);
}

void cpt_price_rules_select(CptPriceRules *self, guint i)
{
	gtk_single_selection_set_selected(self->selection, i);
}

GtkWidget *cpt_price_rules_get_widget(CptPriceRules *self, const char *name)
{
	return cpt_ui_find_named(self->editor, name);
}

const char *cpt_price_rules_get_message(CptPriceRules *self)
{
	return gtk_label_get_text(self->message);
}

gboolean cpt_price_rules_is_editing(CptPriceRules *self)
{
	return gtk_widget_get_visible(self->editor);
}

/* ---------------------------------------------------------------------------
 * Building
 */

/* A column's cell: the row's cell index, and 1 in bit 8 when right-aligned. */
#define CELL_RIGHT 0x100u

static void cell_setup(GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
	GtkWidget *label = gtk_label_new(NULL);
	gtk_label_set_xalign(GTK_LABEL(label), GPOINTER_TO_UINT(data) & CELL_RIGHT ? 1 : 0);
	gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
	gtk_list_item_set_child(item, label);
}

static void cell_bind(GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
	CptRow *row = gtk_list_item_get_item(item);
	gtk_label_set_text(GTK_LABEL(gtk_list_item_get_child(item)),
			   cpt_row_cell(row, GPOINTER_TO_UINT(data) & ~CELL_RIGHT));
}

/* A column of dates is as wide as a date; the others fit their title and cells. */
#define DATE_COLUMN_WIDTH 100

static void add_column(GtkColumnView *view, const char *title, guint cell, gboolean right,
		       gboolean expand)
{
	GtkListItemFactory *f = gtk_signal_list_item_factory_new();
	gpointer data = GUINT_TO_POINTER(cell | (right ? CELL_RIGHT : 0));
	g_signal_connect(f, "setup", G_CALLBACK(cell_setup), data);
	g_signal_connect(f, "bind", G_CALLBACK(cell_bind), data);
	GtkColumnViewColumn *col = gtk_column_view_column_new(title, f);
	gtk_column_view_column_set_resizable(col, TRUE);
	gtk_column_view_column_set_expand(col, expand);
	if (cell == CPT_PRICE_RULE_FROM || cell == CPT_PRICE_RULE_TO) {
		gtk_column_view_column_set_fixed_width(col, DATE_COLUMN_WIDTH);
	}
	gtk_column_view_append_column(view, col);
	g_object_unref(col);
}

static void on_selection(GObject *s, GParamSpec *pspec, gpointer data)
{
	update_buttons(data);
}

static void on_activate(GtkColumnView *view, guint position, gpointer data)
{
	CptPriceRules *self = data;
	gtk_single_selection_set_selected(self->selection, position);
	cpt_price_rules_edit_selected(self);
}

static void on_add(GtkButton *b, gpointer data)
{
	cpt_price_rules_add(data);
}

static void on_edit(GtkButton *b, gpointer data)
{
	cpt_price_rules_edit_selected(data);
}

static void on_remove(GtkButton *b, gpointer data)
{
	cpt_price_rules_ask_delete(data);
}

static void on_save(GtkButton *b, gpointer data)
{
	cpt_price_rules_save(data);
}

static void on_cancel(GtkButton *b, gpointer data)
{
	close_editor(data);
}

static void on_entry_activate(GtkEntry *e, gpointer data)
{
	cpt_price_rules_save(data);
}

static GtkWidget *caption(const char *text)
{
	GtkWidget *l = gtk_label_new(text);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_widget_add_css_class(l, "dim-label");
	return l;
}

/* Puts a captioned widget in the next column of the editor's grid. */
static GtkWidget *put(CptPriceRules *self, int *col, const char *text, const char *field,
		      GtkWidget *w)
{
	if (field) {
		char name[64];
		g_snprintf(name, sizeof name, "%s%s", self->prefix, field);
		gtk_widget_set_name(w, name);
		g_object_set_data(G_OBJECT(w), "cpt-caption", (gpointer)text);
	}
	gtk_grid_attach(self->fields, caption(text ? text : ""), *col, 0, 1, 1);
	gtk_grid_attach(self->fields, w, *col, 1, 1, 1);
	(*col)++;
	return w;
}

static GtkWidget *entry(CptPriceRules *self, int chars, const char *placeholder, gboolean right)
{
	GtkWidget *e = gtk_entry_new();
	gtk_editable_set_width_chars(GTK_EDITABLE(e), chars);
	gtk_entry_set_placeholder_text(GTK_ENTRY(e), placeholder);
	if (right) {
		gtk_editable_set_alignment(GTK_EDITABLE(e), 1);
	}
	g_signal_connect(e, "activate", G_CALLBACK(on_entry_activate), self);
	return e;
}

static void build_editor(CptPriceRules *self)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	self->editor_title = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_xalign(self->editor_title, 0);
	gtk_widget_add_css_class(GTK_WIDGET(self->editor_title), "heading");
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(self->editor_title));
	self->fields = GTK_GRID(gtk_grid_new());
	gtk_grid_set_column_spacing(self->fields, 6);
	gtk_grid_set_row_spacing(self->fields, 2);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(self->fields));

	int col = 0;
	GtkWidget *code = put(self, &col, _("Article"), "article_code",
			      entry(self, 12, _("Code de l'article"), FALSE));
	g_signal_connect(code, "changed", G_CALLBACK(on_article_changed), self);
	self->article_label = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_xalign(self->article_label, 0);
	gtk_label_set_ellipsize(self->article_label, PANGO_ELLIPSIZE_END);
	gtk_label_set_width_chars(self->article_label, 10);
	gtk_widget_set_hexpand(GTK_WIDGET(self->article_label), TRUE);
	put(self, &col, NULL, "article_label", GTK_WIDGET(self->article_label));
	if (self->kind == CPT_PRICE_RULES_SUPPLIER) {
		put(self, &col, _("Réf. fournisseur"), "supplier_ref", entry(self, 12, "", FALSE));
	}
	put(self, &col, _("À partir de"), "min_quantity", entry(self, 7, "0", TRUE));
	if (self->kind == CPT_PRICE_RULES_SUPPLIER) {
		put(self, &col, _("Prix HT"), "unit_price", entry(self, 10, "0,00", TRUE));
	} else {
		const char *kinds[] = {_("Prix HT"), _("Remise %"), NULL};
		self->price_kind = GTK_DROP_DOWN(gtk_drop_down_new_from_strings(kinds));
		put(self, &col, _("Prix ou remise"), "kind", GTK_WIDGET(self->price_kind));
		/* One column for both: only one of them shows. */
		GtkWidget *value = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 0);
		GtkWidget *price = entry(self, 10, "0,00", TRUE);
		gtk_widget_set_name(price, "rule.unit_price");
		g_object_set_data(G_OBJECT(price), "cpt-caption", (gpointer)_("Prix HT"));
		GtkWidget *discount = entry(self, 10, "10", TRUE);
		gtk_widget_set_name(discount, "rule.discount");
		g_object_set_data(G_OBJECT(discount), "cpt-caption", (gpointer)_("Remise %"));
		gtk_widget_set_tooltip_text(discount,
					    _("En pour cent du prix de vente de l'article : 12,5"));
		gtk_box_append(GTK_BOX(value), price);
		gtk_box_append(GTK_BOX(value), discount);
		put(self, &col, _("Montant"), NULL, value);
		g_signal_connect(self->price_kind, "notify::selected", G_CALLBACK(on_kind_changed),
				 self);
	}
	put(self, &col, _("Du"), "valid_from", entry(self, 10, _("jj/mm/aaaa"), FALSE));
	put(self, &col, _("Au"), "valid_to", entry(self, 10, _("jj/mm/aaaa"), FALSE));
	GtkWidget *buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	gtk_widget_set_halign(buttons, GTK_ALIGN_END);
	GtkWidget *cancel = gtk_button_new_with_mnemonic(_("_Annuler"));
	gtk_widget_set_name(cancel, "cancel");
	g_signal_connect(cancel, "clicked", G_CALLBACK(on_cancel), self);
	self->save = gtk_button_new_with_mnemonic(_("_Enregistrer"));
	gtk_widget_set_name(self->save, "save");
	gtk_widget_add_css_class(self->save, "suggested-action");
	g_signal_connect(self->save, "clicked", G_CALLBACK(on_save), self);
	gtk_box_append(GTK_BOX(buttons), cancel);
	gtk_box_append(GTK_BOX(buttons), self->save);
	gtk_box_append(GTK_BOX(box), buttons);

	self->editor = box;
	gtk_widget_set_visible(box, FALSE);
	if (self->price_kind) {
		on_kind_changed(NULL, NULL, self);
	}
}

static GtkWidget *tool_button(const char *mnemonic, const char *tooltip, GCallback cb,
			      gpointer data)
{
	GtkWidget *b = gtk_button_new_with_mnemonic(mnemonic);
	gtk_widget_set_tooltip_text(b, tooltip);
	g_signal_connect(b, "clicked", cb, data);
	return b;
}

static void cpt_price_rules_dispose(GObject *object)
{
	CptPriceRules *self = CPT_PRICE_RULES(object);
	self->disposed = TRUE;
	if (self->conn) {
		g_signal_handlers_disconnect_by_data(self->conn, self);
	}
	g_clear_handle_id(&self->lookup_source, g_source_remove);
	g_clear_handle_id(&self->reload_source, g_source_remove);
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(cpt_price_rules_parent_class)->dispose(object);
}

static void cpt_price_rules_finalize(GObject *object)
{
	CptPriceRules *self = CPT_PRICE_RULES(object);
	g_clear_object(&self->rows);
	g_clear_pointer(&self->read, cpt_call_result_free);
	g_free(self->article_code);
	G_OBJECT_CLASS(cpt_price_rules_parent_class)->finalize(object);
}

static void cpt_price_rules_class_init(CptPriceRulesClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = cpt_price_rules_dispose;
	G_OBJECT_CLASS(klass)->finalize = cpt_price_rules_finalize;
}

static void cpt_price_rules_init(CptPriceRules *self)
{
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	gtk_box_set_spacing(GTK_BOX(self), 6);
	self->rows = g_list_store_new(CPT_TYPE_ROW);
}

GtkWidget *cpt_price_rules_new(CptConn *conn, CptPriceRulesKind kind)
{
	CptPriceRules *self = g_object_new(CPT_TYPE_PRICE_RULES, NULL);
	self->conn = g_object_ref(conn);
	self->kind = kind;
	self->prefix = kind == CPT_PRICE_RULES_SUPPLIER ? "price." : "rule.";
	self->writable = cpt_conn_has_permission(conn, "articles.write");

	GtkWidget *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	self->add = tool_button(_("_Ajouter un prix"), _("Un prix pour un article"),
				G_CALLBACK(on_add), self);
	self->edit =
	    tool_button(_("_Modifier"), _("Modifier le prix choisi"), G_CALLBACK(on_edit), self);
	gtk_box_append(GTK_BOX(bar), self->add);
	gtk_box_append(GTK_BOX(bar), self->edit);
	self->remove = tool_button(_("_Supprimer…"), _("Supprimer le prix choisi"),
				   G_CALLBACK(on_remove), self);
	gtk_box_append(GTK_BOX(bar), self->remove);
	gtk_widget_set_visible(bar, self->writable);
	gtk_box_append(GTK_BOX(self), bar);

	self->selection = gtk_single_selection_new(G_LIST_MODEL(g_object_ref(self->rows)));
	gtk_single_selection_set_autoselect(self->selection, FALSE);
	gtk_single_selection_set_can_unselect(self->selection, TRUE);
	GtkColumnView *view =
	    GTK_COLUMN_VIEW(gtk_column_view_new(GTK_SELECTION_MODEL(self->selection)));
	gtk_widget_set_name(GTK_WIDGET(view), "rules");
	gtk_column_view_set_show_column_separators(view, TRUE);
	add_column(view, _("Article"), CPT_PRICE_RULE_ARTICLE, FALSE, TRUE);
	if (kind == CPT_PRICE_RULES_SUPPLIER) {
		add_column(view, _("Réf. fournisseur"), CPT_PRICE_RULE_REF, FALSE, FALSE);
	}
	add_column(view, _("À partir de"), CPT_PRICE_RULE_MIN_QUANTITY, TRUE, FALSE);
	add_column(view,
		   kind == CPT_PRICE_RULES_SUPPLIER ? _("Prix d'achat HT") : _("Prix HT ou remise"),
		   CPT_PRICE_RULE_PRICE, TRUE, FALSE);
	add_column(view, _("Du"), CPT_PRICE_RULE_FROM, FALSE, FALSE);
	add_column(view, _("Au"), CPT_PRICE_RULE_TO, FALSE, FALSE);
	g_signal_connect(view, "activate", G_CALLBACK(on_activate), self);
	g_signal_connect(self->selection, "notify::selected", G_CALLBACK(on_selection), self);
	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), GTK_WIDGET(view));
	gtk_widget_set_vexpand(scroll, TRUE);
	gtk_widget_add_css_class(scroll, "frame");
	gtk_box_append(GTK_BOX(self), scroll);

	self->placeholder = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_xalign(self->placeholder, 0);
	gtk_widget_add_css_class(GTK_WIDGET(self->placeholder), "dim-label");
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->placeholder));

	build_editor(self);
	gtk_box_append(GTK_BOX(self), self->editor);
	self->message = GTK_LABEL(gtk_label_new(NULL));
	gtk_widget_set_name(GTK_WIDGET(self->message), "message");
	gtk_label_set_xalign(self->message, 0);
	gtk_label_set_wrap(self->message, TRUE);
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->message));

	g_signal_connect(conn, "event", G_CALLBACK(on_event), self);
	set_placeholder(self);
	update_buttons(self);
	return GTK_WIDGET(self);
}
