/*
 * CptCompanyPage; see cpt-company-page.h. Built here, section by section;
 * the plain text fields are one table (widget name, place in the message)
 * so that filling the form and reading it back cannot drift apart. Each
 * call holds a reference on the page and does nothing once it is disposed.
 * The logo travels only when it was replaced or removed.
 */
#include "cpt-company-page.h"
#include "cpt-ui.h"
#include "mentions.h"
#include "money.h"

#include "admin.pb-c.h"

#include <glib/gi18n.h>
#include <stddef.h>
#include <string.h>

#define LOGO_MAX_DEFAULT (512 * 1024) /* until the server says */

typedef Comptoir__Admin__CompanySettings Settings;

/* The plain text fields: the widget named "company.<key>" holds the string at offset. */
static const struct {
	const char *key;
	size_t offset;
} TEXT_FIELDS[] = {
    {"name", offsetof(Settings, name)},
    {"legal_form", offsetof(Settings, legal_form)},
    {"share_capital", offsetof(Settings, share_capital)},
    {"siren", offsetof(Settings, siren)},
    {"siret", offsetof(Settings, siret)},
    {"rcs", offsetof(Settings, rcs)},
    {"be_enterprise", offsetof(Settings, be_enterprise)},
    {"vat_number", offsetof(Settings, vat_number)},
    {"address_line1", offsetof(Settings, address_line1)},
    {"address_line2", offsetof(Settings, address_line2)},
    {"postcode", offsetof(Settings, postcode)},
    {"city", offsetof(Settings, city)},
    {"phone", offsetof(Settings, phone)},
    {"email", offsetof(Settings, email)},
    {"website", offsetof(Settings, website)},
    {"iban", offsetof(Settings, iban)},
    {"bic", offsetof(Settings, bic)},
    {"early_discount", offsetof(Settings, early_discount)},
    {"mail_subject", offsetof(Settings, mail_subject)},
};

static const char *const COUNTRIES[] = {"FR", "BE"};

/* UNTDID 4461 codes the server accepts, as the dropdown offers them. */
static const struct {
	const char *code;
	const char *label;
} MEANS[] = {
    {"30", N_("Virement")},    {"58", N_("Virement SEPA")},
    {"20", N_("Chèque")},      {"48", N_("Carte bancaire")},
    {"49", N_("Prélèvement")}, {"59", N_("Prélèvement SEPA")},
    {"10", N_("Espèces")},     {"70", N_("Lettre de change relevé (LCR)")},
};

struct _CptCompanyPage {
	GtkBox parent_instance;
	CptConn *conn;
	gboolean disposed;
	gboolean loaded;
	guint busy; /* calls and file reads in flight */
	GCancellable *cancel;
	GHashTable *fields; /* "company.<key>" -> input widget (not owned) */

	GtkDropDown *country, *means;
	GtkWidget *colour;	 /* GtkColorButton */
	GtkEntry *colour_hex;	 /* "#RRGGBB", kept in step with the button */
	gboolean syncing_colour; /* one updates the other: no loop */
	GtkPicture *logo;
	GtkLabel *logo_info;
	GtkWidget *logo_remove;
	GtkTextView *footer, *mail_body;
	GtkSpinButton *validity;
	GtkCheckButton *vat_on_debits;
	GtkEntry *ecb, *margin, *legal;
	GtkLabel *preview;
	GtkButton *save;
	GtkLabel *message;

	Comptoir__Admin__LogoChange logo_change;
	GBytes *logo_bytes; /* the new logo, when logo_change is REPLACE */
	guint logo_max;
};

G_DEFINE_TYPE(CptCompanyPage, cpt_company_page, GTK_TYPE_BOX)

static void show_message(CptCompanyPage *self, const char *text)
{
	gtk_label_set_text(self->message, text ? text : "");
}

static void update_busy(CptCompanyPage *self)
{
	gtk_widget_set_sensitive(GTK_WIDGET(self->save), self->loaded && self->busy == 0);
}

static GtkWidget *field(CptCompanyPage *self, const char *name)
{
	return g_hash_table_lookup(self->fields, name);
}

static const char *entry_text(GtkEntry *e)
{
	return gtk_editable_get_text(GTK_EDITABLE(e));
}

/* ---------------------------------------------------------------------------
 * Rates: "2,15" in the form, 215 on the wire
 */

static char *rate_text(gint64 bp)
{
	char buf[CPT_MONEY_FORMAT_SIZE];
	cpt_money_format_plain(bp, buf, sizeof buf);
	return g_strdup(buf);
}

/* Parses "2,15", "2.15 %" or "2"; FALSE when it is no number. */
static gboolean parse_rate(const char *text, gint64 *bp)
{
	g_autofree char *t = g_strstrip(g_strdup(text));
	size_t n = strlen(t);
	if (n > 0 && t[n - 1] == '%') {
		t[n - 1] = '\0';
	}
	g_strstrip(t);
	return *t && cpt_money_parse(t, bp) && *bp >= G_MININT32 && *bp <= G_MAXINT32;
}

static void update_preview(CptCompanyPage *self)
{
	gint64 ecb, margin, legal;
	char sentence[CPT_MENTION_SIZE];
	if (parse_rate(entry_text(self->ecb), &ecb) &&
	    parse_rate(entry_text(self->margin), &margin) &&
	    parse_rate(entry_text(self->legal), &legal) &&
	    cpt_mention_late_penalty(COUNTRIES[MIN(gtk_drop_down_get_selected(self->country), 1u)],
				     ecb, margin, legal, sentence, sizeof sentence)) {
		gtk_label_set_text(self->preview, sentence);
	} else {
		gtk_label_set_text(self->preview, _("Corrigez les taux pour voir la mention."));
	}
}

/* ---------------------------------------------------------------------------
 * Colour: the button and "#RRGGBB" follow each other
 */

G_GNUC_BEGIN_IGNORE_DEPRECATIONS /* GtkColorButton is what GTK 4.8 has */

    static void
    set_colour(CptCompanyPage *self, guint32 rgb)
{
	GdkRGBA c = {((rgb >> 16) & 0xFF) / 255.0f, ((rgb >> 8) & 0xFF) / 255.0f,
		     (rgb & 0xFF) / 255.0f, 1.0f};
	self->syncing_colour = TRUE;
	gtk_color_chooser_set_rgba(GTK_COLOR_CHOOSER(self->colour), &c);
	g_autofree char *hex = g_strdup_printf("#%06X", rgb & 0xFFFFFF);
	gtk_editable_set_text(GTK_EDITABLE(self->colour_hex), hex);
	self->syncing_colour = FALSE;
}

static guint32 channel(float v)
{
	return (guint32)(CLAMP(v, 0.0f, 1.0f) * 255.0f + 0.5f);
}

static guint32 get_colour(CptCompanyPage *self)
{
	GdkRGBA c;
	gtk_color_chooser_get_rgba(GTK_COLOR_CHOOSER(self->colour), &c);
	return channel(c.red) << 16 | channel(c.green) << 8 | channel(c.blue);
}

static void on_colour_set(GObject *button, GParamSpec *pspec, gpointer data)
{
	CptCompanyPage *self = data;
	if (!self->syncing_colour) {
		set_colour(self, get_colour(self));
	}
}

G_GNUC_END_IGNORE_DEPRECATIONS

/* "#1F6FB2" or "1f6fb2": the value, or -1. */
static gint64 parse_hex_colour(const char *text)
{
	g_autofree char *t = g_strstrip(g_strdup(text));
	const char *p = *t == '#' ? t + 1 : t;
	if (strlen(p) != 6) {
		return -1;
	}
	for (const char *c = p; *c; c++) {
		if (!g_ascii_isxdigit(*c)) {
			return -1;
		}
	}
	return (gint64)g_ascii_strtoull(p, NULL, 16);
}

static void on_colour_hex_changed(GtkEditable *e, gpointer data)
{
	CptCompanyPage *self = data;
	if (self->syncing_colour) {
		return;
	}
	gint64 rgb = parse_hex_colour(gtk_editable_get_text(e));
	if (rgb >= 0) {
		GdkRGBA c = {((rgb >> 16) & 0xFF) / 255.0f, ((rgb >> 8) & 0xFF) / 255.0f,
			     (rgb & 0xFF) / 255.0f, 1.0f};
		self->syncing_colour = TRUE;
		G_GNUC_BEGIN_IGNORE_DEPRECATIONS
		gtk_color_chooser_set_rgba(GTK_COLOR_CHOOSER(self->colour), &c);
		G_GNUC_END_IGNORE_DEPRECATIONS
		self->syncing_colour = FALSE;
	}
}

/* ---------------------------------------------------------------------------
 * Logo
 */

static void show_logo(CptCompanyPage *self, GBytes *png)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GdkTexture) tex = png ? gdk_texture_new_from_bytes(png, &err) : NULL;
	gtk_picture_set_paintable(self->logo, tex ? GDK_PAINTABLE(tex) : NULL);
	if (!png) {
		gtk_label_set_text(self->logo_info, _("Aucun logo"));
	} else if (!tex) {
		gtk_label_set_text(self->logo_info, _("Image illisible"));
	} else {
		g_autofree char *size = cpt_ui_size(g_bytes_get_size(png));
		g_autofree char *text =
		    g_strdup_printf(_("%d × %d pixels, %s"), gdk_texture_get_width(tex),
				    gdk_texture_get_height(tex), size);
		gtk_label_set_text(self->logo_info, text);
	}
	gtk_widget_set_sensitive(self->logo_remove, png != NULL);
}

typedef struct {
	CptCompanyPage *self; /* a reference */
	char *name;
} LogoRead;

static void on_logo_read(GObject *source, GAsyncResult *res, gpointer data)
{
	LogoRead *lr = data;
	CptCompanyPage *self = lr->self;
	g_autoptr(GError) err = NULL;
	char *contents = NULL;
	gsize len = 0;
	gboolean ok = g_file_load_contents_finish(G_FILE(source), res, &contents, &len, NULL, &err);
	if (!self->disposed) {
		self->busy--;
		update_busy(self);
		GtkWidget *w = field(self, "company.logo");
		if (!ok) {
			g_autofree char *text = g_strdup_printf(
			    _("Lecture de « %s » impossible : %s"), lr->name, err->message);
			cpt_ui_field_error(w, self->message, text);
		} else if (len > self->logo_max) {
			g_autofree char *size = cpt_ui_size(len);
			g_autofree char *max = cpt_ui_size(self->logo_max);
			g_autofree char *text = g_strdup_printf(
			    _("Logo : « %s » pèse %s, %s au plus."), lr->name, size, max);
			cpt_ui_field_error(w, self->message, text);
		} else {
			cpt_ui_field_error(w, self->message, NULL);
			g_clear_pointer(&self->logo_bytes, g_bytes_unref);
			self->logo_bytes = g_bytes_new_take(contents, len);
			contents = NULL;
			self->logo_change = COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_REPLACE;
			show_logo(self, self->logo_bytes);
		}
	}
	g_free(contents);
	g_free(lr->name);
	g_object_unref(lr->self);
	g_free(lr);
}

void cpt_company_page_set_logo_file(CptCompanyPage *self, GFile *file)
{
	LogoRead *lr = g_new0(LogoRead, 1);
	lr->self = g_object_ref(self);
	lr->name = g_file_get_basename(file);
	self->busy++;
	update_busy(self);
	g_file_load_contents_async(file, self->cancel, on_logo_read, lr);
}

void cpt_company_page_remove_logo(CptCompanyPage *self)
{
	g_clear_pointer(&self->logo_bytes, g_bytes_unref);
	self->logo_change = COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_REMOVE;
	show_logo(self, NULL);
}

static void on_logo_remove(GtkButton *b, gpointer data)
{
	cpt_company_page_remove_logo(CPT_COMPANY_PAGE(data));
}

/* GtkFileChooserNative is what GTK 4.8 has; later versions deprecate it. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void on_logo_chosen(GtkNativeDialog *dialog, int response, gpointer data)
{
	CptCompanyPage *self = data;
	if (response == GTK_RESPONSE_ACCEPT && !self->disposed) {
		g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
		if (file) {
			cpt_company_page_set_logo_file(self, file);
		}
	}
	g_object_unref(dialog);
	g_object_unref(self);
}

static void on_logo_choose(GtkButton *b, gpointer data)
{
	CptCompanyPage *self = data;
	GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
	GtkFileChooserNative *chooser = gtk_file_chooser_native_new(
	    _("Choisir le logo"), GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL,
	    GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choisir"), _("_Annuler"));
	g_autoptr(GtkFileFilter) filter = gtk_file_filter_new();
	gtk_file_filter_set_name(filter, _("Images PNG"));
	gtk_file_filter_add_mime_type(filter, "image/png");
	gtk_file_filter_add_suffix(filter, "png");
	gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(chooser), filter);
	gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(chooser), TRUE);
	g_signal_connect(chooser, "response", G_CALLBACK(on_logo_chosen), g_object_ref(self));
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(chooser));
}

G_GNUC_END_IGNORE_DEPRECATIONS

/* ---------------------------------------------------------------------------
 * Filling the form and reading it back
 */

static void clear_errors(CptCompanyPage *self)
{
	GHashTableIter it;
	gpointer w;
	g_hash_table_iter_init(&it, self->fields);
	while (g_hash_table_iter_next(&it, NULL, &w)) {
		gtk_widget_remove_css_class(w, "error");
	}
}

/* "FR7630006000011234567890189" as "FR76 3000 6000 0112 3456 7890 189". */
static char *group_by_four(const char *s)
{
	GString *g = g_string_new(NULL);
	for (size_t i = 0; s[i]; i++) {
		if (i > 0 && i % 4 == 0) {
			g_string_append_c(g, ' ');
		}
		g_string_append_c(g, s[i]);
	}
	return g_string_free(g, FALSE);
}

static void fill(CptCompanyPage *self, const Comptoir__Admin__CompanySettingsReply *rep)
{
	const Settings *s = rep->company;
	for (size_t i = 0; i < G_N_ELEMENTS(TEXT_FIELDS); i++) {
		g_autofree char *name = g_strdup_printf("company.%s", TEXT_FIELDS[i].key);
		const char *v = *(char *const *)((const char *)s + TEXT_FIELDS[i].offset);
		gtk_editable_set_text(GTK_EDITABLE(field(self, name)), v ? v : "");
	}
	/* The IBAN as printed, in groups of four: easier to check by eye. */
	g_autofree char *iban = group_by_four(s->iban);
	gtk_editable_set_text(GTK_EDITABLE(field(self, "company.iban")), iban);
	guint country = g_str_equal(s->country, "BE") ? 1 : 0;
	gtk_drop_down_set_selected(self->country, country);
	gtk_widget_set_sensitive(GTK_WIDGET(self->country), !rep->has_documents);
	gtk_widget_set_tooltip_text(
	    GTK_WIDGET(self->country),
	    rep->has_documents ? _("Des documents de vente existent : le pays ne change plus.")
			       : NULL);
	for (guint i = 0; i < G_N_ELEMENTS(MEANS); i++) {
		if (g_str_equal(MEANS[i].code, s->payment_means)) {
			gtk_drop_down_set_selected(self->means, i);
		}
	}
	set_colour(self, s->colour);
	gtk_text_buffer_set_text(gtk_text_view_get_buffer(self->footer), s->footer, -1);
	gtk_text_buffer_set_text(gtk_text_view_get_buffer(self->mail_body), s->mail_body, -1);
	gtk_spin_button_set_value(self->validity, s->quote_validity_days);
	gtk_check_button_set_active(self->vat_on_debits, s->vat_on_debits);
	g_autofree char *ecb = rate_text(s->ecb_rate);
	g_autofree char *margin = rate_text(s->penalty_margin);
	g_autofree char *legal = rate_text(s->legal_interest_rate);
	gtk_editable_set_text(GTK_EDITABLE(self->ecb), ecb);
	gtk_editable_set_text(GTK_EDITABLE(self->margin), margin);
	gtk_editable_set_text(GTK_EDITABLE(self->legal), legal);
	g_clear_pointer(&self->logo_bytes, g_bytes_unref);
	self->logo_change = COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_KEEP;
	g_autoptr(GBytes) stored = s->logo.len ? g_bytes_new(s->logo.data, s->logo.len) : NULL;
	show_logo(self, stored);
	self->logo_max = rep->logo_max_size ? rep->logo_max_size : LOGO_MAX_DEFAULT;
	update_preview(self);
}

/* Reads a rate entry into *out; FALSE after showing the error on it. */
static gboolean read_rate(CptCompanyPage *self, GtkEntry *e, const char *label, int32_t *out)
{
	gint64 bp;
	if (!parse_rate(entry_text(e), &bp)) {
		g_autofree char *text =
		    g_strdup_printf(_("%s : un pourcentage est attendu, par exemple 3,15."), label);
		cpt_ui_field_error(GTK_WIDGET(e), self->message, text);
		return FALSE;
	}
	*out = (int32_t)bp;
	return TRUE;
}

/* Shows the answer: the form refilled, or the error on the field it names. */
static void on_saved(GObject *source, GAsyncResult *res, gpointer data)
{
	CptCompanyPage *self = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (!self->disposed) {
		self->busy--;
		if (r->status.code == CPT_OK) {
			fill(self, (const Comptoir__Admin__CompanySettingsReply *)r->output);
			show_message(self, _("Paramètres enregistrés."));
		} else {
			const char *name = g_str_equal(r->status.field, "logo_change")
					       ? "company.logo"
					       : r->status.field;
			cpt_ui_field_error(field(self, name), self->message,
					   cpt_ui_status_text(&r->status));
		}
		update_busy(self);
	}
	g_object_unref(self);
}

void cpt_company_page_save(CptCompanyPage *self)
{
	if (!self->loaded || self->busy) {
		return;
	}
	clear_errors(self);
	show_message(self, "");
	Settings s = COMPTOIR__ADMIN__COMPANY_SETTINGS__INIT;
	for (size_t i = 0; i < G_N_ELEMENTS(TEXT_FIELDS); i++) {
		g_autofree char *name = g_strdup_printf("company.%s", TEXT_FIELDS[i].key);
		*(const char **)((char *)&s + TEXT_FIELDS[i].offset) =
		    gtk_editable_get_text(GTK_EDITABLE(field(self, name)));
	}
	s.country = (char *)COUNTRIES[MIN(gtk_drop_down_get_selected(self->country), 1u)];
	guint means = gtk_drop_down_get_selected(self->means);
	s.payment_means = (char *)MEANS[means < G_N_ELEMENTS(MEANS) ? means : 0].code;
	gint64 rgb = parse_hex_colour(entry_text(self->colour_hex));
	if (rgb < 0) {
		cpt_ui_field_error(GTK_WIDGET(self->colour_hex), self->message,
				   _("Couleur : #RRGGBB attendu, par exemple #2D6A4F."));
		return;
	}
	s.colour = (uint32_t)rgb;
	GtkTextBuffer *buf = gtk_text_view_get_buffer(self->footer);
	GtkTextIter start, end;
	gtk_text_buffer_get_bounds(buf, &start, &end);
	g_autofree char *footer = gtk_text_buffer_get_text(buf, &start, &end, FALSE);
	s.footer = footer;
	buf = gtk_text_view_get_buffer(self->mail_body);
	gtk_text_buffer_get_bounds(buf, &start, &end);
	g_autofree char *mail_body = gtk_text_buffer_get_text(buf, &start, &end, FALSE);
	s.mail_body = mail_body;
	s.quote_validity_days = (uint32_t)gtk_spin_button_get_value_as_int(self->validity);
	s.vat_on_debits = gtk_check_button_get_active(self->vat_on_debits);
	if (!read_rate(self, self->ecb, _("Taux de la BCE"), &s.ecb_rate) ||
	    !read_rate(self, self->margin, _("Majoration"), &s.penalty_margin) ||
	    !read_rate(self, self->legal, _("Taux d'intérêt légal"), &s.legal_interest_rate)) {
		return;
	}
	Comptoir__Admin__UpdateCompanySettingsRequest req =
	    COMPTOIR__ADMIN__UPDATE_COMPANY_SETTINGS_REQUEST__INIT;
	req.company = &s;
	req.logo_change = self->logo_change;
	if (self->logo_change == COMPTOIR__ADMIN__LOGO_CHANGE__LOGO_REPLACE && self->logo_bytes) {
		gsize len;
		s.logo.data = (uint8_t *)g_bytes_get_data(self->logo_bytes, &len);
		s.logo.len = len;
	}
	self->busy++;
	update_busy(self);
	show_message(self, _("Enregistrement…"));
	cpt_conn_call_async(self->conn, "comptoir.admin.Admin/UpdateCompanySettings", &req.base,
			    &comptoir__admin__company_settings_reply__descriptor, NULL, on_saved,
			    g_object_ref(self));
}

static void on_save(GtkButton *b, gpointer data)
{
	cpt_company_page_save(CPT_COMPANY_PAGE(data));
}

static void on_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	CptCompanyPage *self = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (!self->disposed) {
		self->busy--;
		if (r->status.code == CPT_OK) {
			self->loaded = TRUE;
			clear_errors(self);
			fill(self, (const Comptoir__Admin__CompanySettingsReply *)r->output);
			show_message(self, "");
		} else {
			show_message(self, cpt_ui_status_text(&r->status));
		}
		update_busy(self);
	}
	g_object_unref(self);
}

void cpt_company_page_reload(CptCompanyPage *self)
{
	Comptoir__Admin__GetCompanySettingsRequest req =
	    COMPTOIR__ADMIN__GET_COMPANY_SETTINGS_REQUEST__INIT;
	self->busy++;
	update_busy(self);
	cpt_conn_call_async(self->conn, "comptoir.admin.Admin/GetCompanySettings", &req.base,
			    &comptoir__admin__company_settings_reply__descriptor, NULL, on_loaded,
			    g_object_ref(self));
}

/* ---------------------------------------------------------------------------
 * Building the sections
 */

/*
 * A section: a heading and a grid of label / input rows. The labels of a
 * column share their width (the column's "cpt-labels" size group), so that
 * its sections line up.
 */
static GtkGrid *section(GtkBox *column, const char *title)
{
	GtkWidget *heading = gtk_label_new(title);
	gtk_widget_add_css_class(heading, "heading");
	gtk_label_set_xalign(GTK_LABEL(heading), 0);
	gtk_widget_set_margin_top(heading, 12);
	gtk_box_append(column, heading);
	GtkWidget *grid = gtk_grid_new();
	gtk_grid_set_row_spacing(GTK_GRID(grid), 6);
	gtk_grid_set_column_spacing(GTK_GRID(grid), 12);
	gtk_box_append(column, grid);
	g_object_set_data(G_OBJECT(grid), "cpt-labels",
			  g_object_get_data(G_OBJECT(column), "cpt-labels"));
	return GTK_GRID(grid);
}

/* Adds label and w as the next row of grid. */
static void attach_row(GtkGrid *grid, const char *label, GtkWidget *w)
{
	int row = 0;
	while (gtk_grid_get_child_at(grid, 0, row)) {
		row++;
	}
	GtkWidget *l = gtk_label_new(label);
	gtk_label_set_xalign(GTK_LABEL(l), 1);
	gtk_widget_set_valign(l, GTK_ALIGN_START);
	gtk_widget_set_margin_top(l, 6);
	GtkSizeGroup *labels = g_object_get_data(G_OBJECT(grid), "cpt-labels");
	if (labels) {
		gtk_size_group_add_widget(labels, l);
	}
	gtk_widget_set_hexpand(w, TRUE);
	gtk_grid_attach(grid, l, 0, row, 1, 1);
	gtk_grid_attach(grid, w, 1, row, 1, 1);
}

/* Names w "company.<key>": where errors on that field show. */
static void name_field(CptCompanyPage *self, const char *key, GtkWidget *w)
{
	g_autofree char *name = g_strdup_printf("company.%s", key);
	gtk_widget_set_name(w, name);
	g_hash_table_insert(self->fields, g_steal_pointer(&name), w);
}

static GtkWidget *add_row(CptCompanyPage *self, GtkGrid *grid, const char *key, const char *label,
			  GtkWidget *w)
{
	attach_row(grid, label, w);
	name_field(self, key, w);
	return w;
}

static GtkEntry *add_entry(CptCompanyPage *self, GtkGrid *grid, const char *key, const char *label,
			   const char *hint)
{
	GtkWidget *e = gtk_entry_new();
	if (hint) {
		gtk_entry_set_placeholder_text(GTK_ENTRY(e), hint);
	}
	return GTK_ENTRY(add_row(self, grid, key, label, e));
}

static GtkDropDown *add_choice(CptCompanyPage *self, GtkGrid *grid, const char *key,
			       const char *label, GtkStringList *items)
{
	GtkWidget *d = gtk_drop_down_new(G_LIST_MODEL(items), NULL);
	return GTK_DROP_DOWN(add_row(self, grid, key, label, d));
}

/* Placeholders that are examples of what documents print stay in French. */
static void build_identity(CptCompanyPage *self, GtkBox *column)
{
	GtkGrid *g = section(column, _("Identité"));
	add_entry(self, g, "name", _("Raison sociale"), NULL);
	add_entry(self, g, "legal_form", _("Forme juridique"), "SARL, SAS, SRL…");
	add_entry(self, g, "share_capital", _("Capital social"), "10 000 €");
	GtkStringList *countries = gtk_string_list_new(NULL);
	gtk_string_list_append(countries, _("France"));
	gtk_string_list_append(countries, _("Belgique"));
	self->country = add_choice(self, g, "country", _("Pays"), countries);
	/* The penalty's wording and floor follow the seller's country. */
	g_signal_connect_swapped(self->country, "notify::selected", G_CALLBACK(update_preview),
				 self);
	add_entry(self, g, "siren", _("SIREN"), _("9 chiffres"));
	add_entry(self, g, "siret", _("SIRET"), _("14 chiffres : SIREN et NIC"));
	add_entry(self, g, "rcs", _("RCS"), "RCS Lyon 732 829 320");
	add_entry(self, g, "be_enterprise", _("N° d'entreprise (BE)"), "0403.170.701");
	add_entry(self, g, "vat_number", _("N° de TVA intracommunautaire"), "FR44732829320");
}

static void build_contact(CptCompanyPage *self, GtkBox *column)
{
	GtkGrid *g = section(column, _("Adresse et contact"));
	add_entry(self, g, "address_line1", _("Adresse"), NULL);
	add_entry(self, g, "address_line2", _("Complément"), NULL);
	add_entry(self, g, "postcode", _("Code postal"), NULL);
	add_entry(self, g, "city", _("Ville"), NULL);
	add_entry(self, g, "phone", _("Téléphone"), NULL);
	add_entry(self, g, "email", _("E-mail"), _("compta@exemple.fr"));
	add_entry(self, g, "website", _("Site web"), _("www.exemple.fr"));
}

static void build_bank(CptCompanyPage *self, GtkBox *column)
{
	GtkGrid *g = section(column, _("Banque"));
	add_entry(self, g, "iban", _("IBAN"), "FR76 3000 6000 0112 3456 7890 189");
	add_entry(self, g, "bic", _("BIC"), "AGRIFRPP");
	GtkStringList *means = gtk_string_list_new(NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(MEANS); i++) {
		gtk_string_list_append(means, _(MEANS[i].label));
	}
	self->means =
	    add_choice(self, g, "payment_means", _("Moyen de paiement par défaut"), means);
}

static void build_documents(CptCompanyPage *self, GtkBox *column)
{
	GtkGrid *g = section(column, _("Documents"));
	GtkWidget *colour_box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	G_GNUC_BEGIN_IGNORE_DEPRECATIONS
	self->colour = gtk_color_button_new();
	gtk_color_chooser_set_use_alpha(GTK_COLOR_CHOOSER(self->colour), FALSE);
	G_GNUC_END_IGNORE_DEPRECATIONS
	gtk_widget_set_name(self->colour, "company.colour.button");
	g_signal_connect(self->colour, "notify::rgba", G_CALLBACK(on_colour_set), self);
	self->colour_hex = GTK_ENTRY(gtk_entry_new());
	gtk_editable_set_width_chars(GTK_EDITABLE(self->colour_hex), 8);
	gtk_entry_set_placeholder_text(self->colour_hex, "#RRGGBB");
	g_signal_connect(self->colour_hex, "changed", G_CALLBACK(on_colour_hex_changed), self);
	gtk_box_append(GTK_BOX(colour_box), self->colour);
	gtk_box_append(GTK_BOX(colour_box), GTK_WIDGET(self->colour_hex));
	attach_row(g, _("Couleur"), colour_box);
	name_field(self, "colour", GTK_WIDGET(self->colour_hex));

	GtkWidget *logo_box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	self->logo = GTK_PICTURE(gtk_picture_new());
	gtk_picture_set_can_shrink(self->logo, TRUE);
	gtk_widget_set_size_request(GTK_WIDGET(self->logo), 200, 80);
	gtk_widget_set_halign(GTK_WIDGET(self->logo), GTK_ALIGN_START);
	GtkWidget *frame = gtk_frame_new(NULL);
	gtk_frame_set_child(GTK_FRAME(frame), GTK_WIDGET(self->logo));
	gtk_widget_set_halign(frame, GTK_ALIGN_START);
	gtk_box_append(GTK_BOX(logo_box), frame);
	self->logo_info = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_xalign(self->logo_info, 0);
	gtk_widget_add_css_class(GTK_WIDGET(self->logo_info), "dim-label");
	gtk_box_append(GTK_BOX(logo_box), GTK_WIDGET(self->logo_info));
	GtkWidget *buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	GtkWidget *choose = gtk_button_new_with_mnemonic(_("_Choisir…"));
	gtk_widget_set_name(choose, "company.logo.choose");
	g_signal_connect(choose, "clicked", G_CALLBACK(on_logo_choose), self);
	self->logo_remove = gtk_button_new_with_mnemonic(_("_Retirer"));
	gtk_widget_set_name(self->logo_remove, "company.logo.remove");
	g_signal_connect(self->logo_remove, "clicked", G_CALLBACK(on_logo_remove), self);
	gtk_box_append(GTK_BOX(buttons), choose);
	gtk_box_append(GTK_BOX(buttons), self->logo_remove);
	gtk_box_append(GTK_BOX(logo_box), buttons);
	attach_row(g, _("Logo (PNG)"), logo_box);
	name_field(self, "logo", frame);

	self->footer = GTK_TEXT_VIEW(gtk_text_view_new());
	gtk_text_view_set_wrap_mode(self->footer, GTK_WRAP_WORD_CHAR);
	gtk_text_view_set_accepts_tab(self->footer, FALSE);
	gtk_widget_set_size_request(GTK_WIDGET(self->footer), -1, 60);
	GtkWidget *footer_frame = gtk_frame_new(NULL);
	gtk_frame_set_child(GTK_FRAME(footer_frame), GTK_WIDGET(self->footer));
	attach_row(g, _("Pied de page"), footer_frame);
	name_field(self, "footer", GTK_WIDGET(self->footer));

	self->validity = GTK_SPIN_BUTTON(gtk_spin_button_new_with_range(1, 365, 1));
	gtk_widget_set_halign(GTK_WIDGET(self->validity), GTK_ALIGN_START);
	add_row(self, g, "quote_validity_days", _("Validité des devis (jours)"),
		GTK_WIDGET(self->validity));
}

static void on_rate_changed(GtkEditable *e, gpointer data)
{
	update_preview(CPT_COMPANY_PAGE(data));
}

static GtkEntry *add_rate(CptCompanyPage *self, GtkGrid *g, const char *key, const char *label)
{
	GtkEntry *e = add_entry(self, g, key, label, NULL);
	gtk_editable_set_width_chars(GTK_EDITABLE(e), 8);
	gtk_widget_set_hexpand(GTK_WIDGET(e), FALSE);
	gtk_widget_set_halign(GTK_WIDGET(e), GTK_ALIGN_START);
	g_signal_connect(e, "changed", G_CALLBACK(on_rate_changed), self);
	return e;
}

static void build_terms(CptCompanyPage *self, GtkBox *column)
{
	GtkGrid *g = section(column, _("Règlement"));
	self->vat_on_debits = GTK_CHECK_BUTTON(
	    gtk_check_button_new_with_label(_("Option pour la TVA sur les débits")));
	add_row(self, g, "vat_on_debits", _("TVA"), GTK_WIDGET(self->vat_on_debits));
	self->ecb = add_rate(self, g, "ecb_rate", _("Taux de la BCE (%)"));
	self->margin = add_rate(self, g, "penalty_margin", _("Majoration (points)"));
	self->legal = add_rate(self, g, "legal_interest_rate", _("Taux d'intérêt légal (%)"));
	add_entry(self, g, "early_discount", _("Escompte"),
		  "Pas d'escompte pour paiement anticipé.");
	self->preview = GTK_LABEL(gtk_label_new(NULL));
	gtk_widget_set_name(GTK_WIDGET(self->preview), "company.penalty_preview");
	gtk_label_set_wrap(self->preview, TRUE);
	gtk_label_set_xalign(self->preview, 0);
	gtk_label_set_max_width_chars(self->preview, 50);
	gtk_widget_add_css_class(GTK_WIDGET(self->preview), "dim-label");
	attach_row(g, _("Mention imprimée"), GTK_WIDGET(self->preview));
}

/* The message documents are sent with, its {words} replaced at sending. */
static void build_mail(CptCompanyPage *self, GtkBox *column)
{
	GtkGrid *g = section(column, _("Envoi par e-mail"));
	add_entry(self, g, "mail_subject", _("Objet"), "{title} {number} — {company}");
	self->mail_body = GTK_TEXT_VIEW(gtk_text_view_new());
	gtk_text_view_set_wrap_mode(self->mail_body, GTK_WRAP_WORD_CHAR);
	gtk_text_view_set_accepts_tab(self->mail_body, FALSE);
	gtk_widget_set_size_request(GTK_WIDGET(self->mail_body), -1, 110);
	GtkWidget *frame = gtk_frame_new(NULL);
	gtk_frame_set_child(GTK_FRAME(frame), GTK_WIDGET(self->mail_body));
	attach_row(g, _("Message"), frame);
	name_field(self, "mail_body", GTK_WIDGET(self->mail_body));
	GtkWidget *hint = gtk_label_new(
	    _("Remplacés à l'envoi : {title} (« facture »…), {number}, {date}, {amount}, "
	      "{due_date}, {company}, {client}."));
	gtk_label_set_wrap(GTK_LABEL(hint), TRUE);
	gtk_label_set_xalign(GTK_LABEL(hint), 0);
	gtk_label_set_max_width_chars(GTK_LABEL(hint), 50);
	gtk_widget_add_css_class(hint, "dim-label");
	attach_row(g, "", hint);
}

/* ---------------------------------------------------------------------------
 * GObject
 */

gboolean cpt_company_page_is_busy(CptCompanyPage *self)
{
	return self->busy > 0;
}

gboolean cpt_company_page_is_loaded(CptCompanyPage *self)
{
	return self->loaded;
}

const char *cpt_company_page_get_message(CptCompanyPage *self)
{
	return gtk_label_get_text(self->message);
}

const char *cpt_company_page_get_penalty_preview(CptCompanyPage *self)
{
	return gtk_label_get_text(self->preview);
}

static void cpt_company_page_dispose(GObject *object)
{
	CptCompanyPage *self = CPT_COMPANY_PAGE(object);
	self->disposed = TRUE;
	if (self->cancel) {
		g_cancellable_cancel(self->cancel);
		g_clear_object(&self->cancel);
	}
	g_clear_pointer(&self->fields, g_hash_table_unref);
	g_clear_pointer(&self->logo_bytes, g_bytes_unref);
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(cpt_company_page_parent_class)->dispose(object);
}

static void cpt_company_page_class_init(CptCompanyPageClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = cpt_company_page_dispose;
}

static void cpt_company_page_init(CptCompanyPage *self)
{
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	gtk_box_set_spacing(GTK_BOX(self), 6);
	self->fields = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->cancel = g_cancellable_new();
	self->logo_max = LOGO_MAX_DEFAULT;
}

GtkWidget *cpt_company_page_new(CptConn *conn)
{
	CptCompanyPage *self = g_object_new(CPT_TYPE_COMPANY_PAGE, NULL);
	self->conn = g_object_ref(conn);

	/* Two columns in a scrolled area, the save bar below. */
	GtkWidget *columns = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 36);
	g_object_set(columns, "margin-start", 12, "margin-end", 12, "margin-bottom", 12, NULL);
	GtkWidget *left = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	GtkWidget *right = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	gtk_widget_set_hexpand(left, TRUE);
	gtk_widget_set_hexpand(right, TRUE);
	gtk_box_append(GTK_BOX(columns), left);
	gtk_box_append(GTK_BOX(columns), right);
	g_object_set_data_full(G_OBJECT(left), "cpt-labels",
			       gtk_size_group_new(GTK_SIZE_GROUP_HORIZONTAL), g_object_unref);
	g_object_set_data_full(G_OBJECT(right), "cpt-labels",
			       gtk_size_group_new(GTK_SIZE_GROUP_HORIZONTAL), g_object_unref);
	build_identity(self, GTK_BOX(left));
	build_contact(self, GTK_BOX(left));
	build_bank(self, GTK_BOX(left));
	build_documents(self, GTK_BOX(right));
	build_terms(self, GTK_BOX(right));
	build_mail(self, GTK_BOX(right));
	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_widget_set_vexpand(scroll, TRUE);
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll), GTK_POLICY_NEVER,
				       GTK_POLICY_AUTOMATIC);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), columns);
	gtk_box_append(GTK_BOX(self), scroll);

	GtkWidget *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	self->message = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_xalign(self->message, 0);
	gtk_label_set_wrap(self->message, TRUE);
	gtk_widget_set_hexpand(GTK_WIDGET(self->message), TRUE);
	gtk_widget_set_name(GTK_WIDGET(self->message), "company.message");
	self->save = GTK_BUTTON(gtk_button_new_with_mnemonic(_("_Enregistrer")));
	gtk_widget_set_name(GTK_WIDGET(self->save), "company.save");
	gtk_widget_add_css_class(GTK_WIDGET(self->save), "suggested-action");
	g_signal_connect(self->save, "clicked", G_CALLBACK(on_save), self);
	gtk_box_append(GTK_BOX(bar), GTK_WIDGET(self->message));
	gtk_box_append(GTK_BOX(bar), GTK_WIDGET(self->save));
	gtk_box_append(GTK_BOX(self), bar);

	show_logo(self, NULL);
	update_preview(self);
	update_busy(self);
	cpt_company_page_reload(self);
	return GTK_WIDGET(self);
}
