/*
 * CptImportDialog; see cpt-import-dialog.h. The window is built here: the
 * help, the chosen file, the busy line, the message, the report (counts,
 * ignored columns, the rejected rows in a GtkColumnView over a GListStore of
 * CptRow) and the buttons. The file's bytes are kept after the dry run, so
 * the import sends the very file that was checked. Every asynchronous step
 * holds a reference on the window and does nothing once it is disposed.
 */
#include "cpt-import-dialog.h"
#include "cpt-row.h"
#include "cpt-ui.h"

#include <glib/gi18n.h>

#define FILE_ATTRIBUTES G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME

struct _CptImportDialog {
	GtkWindow parent_instance;
	CptConn *conn;
	CptImportKind kind;
	gint64 supplier_id;  /* supplier prices: whose */
	char *supplier_name; /* supplier prices: shown */
	gboolean disposed;
	GCancellable *cancel;  /* file reads */
	const char *busy;      /* what is in flight, for people, or NULL */
	char *file_name;       /* the chosen file's display name, or NULL */
	GBytes *csv;	       /* its bytes once read: the import sends them again */
	CptCallResult *report; /* the last ImportReply, or NULL */
	gboolean imported;     /* the file was written: nothing more to do with it */

	GtkLabel *file_label;
	GtkWidget *choose;
	GtkSpinner *spinner;
	GtkLabel *busy_label;
	GtkLabel *message;
	GtkWidget *report_box;
	GtkLabel *rows, *valid, *rejected;
	GtkLabel *ignored;
	GtkWidget *rejected_box;
	GtkLabel *rejected_note;
	GListStore *rejected_rows; /* CptRow, cells CPT_IMPORT_REJECTED_* */
	GtkWidget *import_all, *import_valid;
};

G_DEFINE_TYPE(CptImportDialog, cpt_import_dialog, GTK_TYPE_WINDOW)

/* ---------------------------------------------------------------------------
 * What differs between kinds
 */

static const char *method_of(CptImportKind kind)
{
	switch (kind) {
	case CPT_IMPORT_ARTICLES:
		return "comptoir.imports.Import/Articles";
	case CPT_IMPORT_SUPPLIER_PRICES:
		return "comptoir.imports.Import/SupplierPrices";
	case CPT_IMPORT_CLIENTS:
	default:
		return "comptoir.imports.Import/Clients";
	}
}

/*
 * The columns the server recognises, by their first French name
 * (server/import_rows.c: keep in step with its tables of columns).
 */
static const char *columns_help(CptImportKind kind)
{
	switch (kind) {
	case CPT_IMPORT_ARTICLES:
		return _("Colonnes obligatoires : Code (ou Référence), Libellé (ou Désignation).\n"
			 "Facultatives : Nature (bien, service, main-d'œuvre, déplacement), Unité, "
			 "Prix d'achat, Prix de vente HT, Taux de TVA (20, 5,5…), "
			 "Éco-contribution, Famille et Sous-famille (leur code), Code-barres, "
			 "Suivi de stock, Suivi par n° de série, Notes, Archivé (oui ou non).\n"
			 "Prix au format 1 234,50.");
	case CPT_IMPORT_SUPPLIER_PRICES:
		return _("Colonnes obligatoires : Article (son code), Prix (prix d'achat "
			 "unitaire).\n"
			 "Facultatives : Référence fournisseur, Quantité minimale (ou « À partir "
			 "de »), Début de validité, Fin de validité, Fournisseur (son code, pour "
			 "une ligne d'un autre fournisseur).\n"
			 "Prix au format 1 234,50 ; dates au format jj/mm/aaaa. Le prix d'un "
			 "article au même seuil de quantité est mis à jour.");
	case CPT_IMPORT_CLIENTS:
	default:
		return _("Colonnes obligatoires : Code, Nom (ou Raison sociale).\n"
			 "Facultatives : Genre (client ou prospect), Forme juridique, Pays, SIREN, "
			 "SIRET, N° d'entreprise (BCE), TVA intracommunautaire, Conditions de "
			 "paiement, Mode de paiement, Secteur, Commercial, Tarif (chacun par son "
			 "code ou son nom), Litige (oui ou non), Notes, Étiquettes et Segments "
			 "(séparés par « , » ou « | »), Adresse, Complément "
			 "d'adresse, Code postal, Ville, Contact, Fonction, E-mail, Téléphone, "
			 "Mobile.");
	}
}

/* "3 clients seront créés." Caller g_free()s. */
static char *will_write(CptImportDialog *self, guint n)
{
	g_autofree char *count = cpt_ui_count(n);
	switch (self->kind) {
	case CPT_IMPORT_ARTICLES:
		return g_strdup_printf(
		    ngettext("%s article sera créé.", "%s articles seront créés.", n), count);
	case CPT_IMPORT_SUPPLIER_PRICES:
		return g_strdup_printf(
		    ngettext("%s prix sera créé ou mis à jour dans le tarif de %s.",
			     "%s prix seront créés ou mis à jour dans le tarif "
			     "de %s.",
			     n),
		    count, self->supplier_name);
	case CPT_IMPORT_CLIENTS:
	default:
		return g_strdup_printf(
		    ngettext("%s client sera créé.", "%s clients seront créés.", n), count);
	}
}

/* "1 234 clients créés." Caller g_free()s. */
static char *written(CptImportDialog *self, guint created, guint updated)
{
	g_autofree char *c = cpt_ui_count(created);
	switch (self->kind) {
	case CPT_IMPORT_ARTICLES:
		return g_strdup_printf(ngettext("%s article créé.", "%s articles créés.", created),
				       c);
	case CPT_IMPORT_SUPPLIER_PRICES: {
		/* Only the counts that are not zero: "2 prix mis à jour". */
		g_autofree char *u = cpt_ui_count(updated);
		g_autofree char *made =
		    created ? g_strdup_printf(ngettext("%s prix créé", "%s prix créés", created), c)
			    : NULL;
		g_autofree char *changed =
		    updated ? g_strdup_printf(
				  ngettext("%s prix mis à jour", "%s prix mis à jour", updated), u)
			    : NULL;
		if (made && changed) {
			return g_strdup_printf(_("Tarif importé : %s, %s."), made, changed);
		}
		return g_strdup_printf(_("Tarif importé : %s."), made ? made : changed);
	}
	case CPT_IMPORT_CLIENTS:
	default:
		return g_strdup_printf(ngettext("%s client créé.", "%s clients créés.", created),
				       c);
	}
}

/* ---------------------------------------------------------------------------
 * State shown
 */

static const Comptoir__Imports__ImportReply *reply_of(CptImportDialog *self)
{
	return self->report ? (const void *)self->report->output : NULL;
}

static void update_buttons(CptImportDialog *self)
{
	const Comptoir__Imports__ImportReply *r = reply_of(self);
	gboolean ready = !self->busy && r && !self->imported && r->valid > 0;
	gtk_widget_set_sensitive(self->choose, !self->busy);
	gtk_widget_set_sensitive(self->import_all, ready && r->rejected_count == 0);
	gtk_widget_set_sensitive(self->import_valid, ready && r->rejected_count > 0);
	gtk_spinner_set_spinning(self->spinner, self->busy != NULL);
	gtk_widget_set_visible(GTK_WIDGET(self->spinner), self->busy != NULL);
	gtk_label_set_text(self->busy_label, self->busy ? self->busy : "");
}

static void set_busy(CptImportDialog *self, const char *what)
{
	self->busy = what;
	update_buttons(self);
}

static void show_message(CptImportDialog *self, const char *text, gboolean error)
{
	gtk_label_set_text(self->message, text ? text : "");
	if (error) {
		gtk_widget_add_css_class(GTK_WIDGET(self->message), "error");
	} else {
		gtk_widget_remove_css_class(GTK_WIDGET(self->message), "error");
	}
}

static void set_count(GtkLabel *label, guint n)
{
	g_autofree char *text = cpt_ui_count(n);
	gtk_label_set_text(label, text);
}

static CptRow *rejected_row(const Comptoir__Imports__RejectedRow *x)
{
	GStrv cells = g_new0(char *, CPT_IMPORT_REJECTED_N_CELLS + 1);
	cells[CPT_IMPORT_REJECTED_LINE] = cpt_ui_count(x->line);
	cells[CPT_IMPORT_REJECTED_COLUMN] =
	    g_strdup(x->column[0] ? x->column : _("(toute la ligne)"));
	cells[CPT_IMPORT_REJECTED_REASON] = g_strdup(x->reason);
	return cpt_row_new(x->line, NULL, cells, 0);
}

/* Fills the report from the last reply, or hides it when there is none. */
static void show_report(CptImportDialog *self)
{
	const Comptoir__Imports__ImportReply *r = reply_of(self);
	g_list_store_remove_all(self->rejected_rows);
	gtk_widget_set_visible(self->report_box, r != NULL);
	if (!r) {
		return;
	}
	set_count(self->rows, r->rows);
	set_count(self->valid, r->valid);
	set_count(self->rejected, r->rejected_count);

	gtk_widget_set_visible(GTK_WIDGET(self->ignored), r->n_ignored_columns > 0);
	if (r->n_ignored_columns > 0) {
		GString *names = g_string_new(NULL);
		for (size_t i = 0; i < r->n_ignored_columns; i++) {
			g_string_append_printf(names, "%s« %s »", i ? ", " : "",
					       r->ignored_columns[i]);
		}
		g_autofree char *text = g_strdup_printf(
		    ngettext("Colonne ignorée, son en-tête n'est pas reconnu : %s. Vérifiez-le "
			     "si elle devait être importée.",
			     "Colonnes ignorées, leur en-tête n'est pas reconnu : %s. Vérifiez-les "
			     "si elles devaient être importées.",
			     r->n_ignored_columns),
		    names->str);
		gtk_label_set_text(self->ignored, text);
		g_string_free(names, TRUE);
	}

	gtk_widget_set_visible(self->rejected_box, r->rejected_count > 0);
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(g_object_unref);
	for (size_t i = 0; i < r->n_rejected; i++) {
		g_ptr_array_add(rows, rejected_row(r->rejected[i]));
	}
	g_list_store_splice(self->rejected_rows, 0, 0, rows->pdata, rows->len);
	gtk_widget_set_visible(GTK_WIDGET(self->rejected_note), r->rejected_count > r->n_rejected);
	if (r->rejected_count > r->n_rejected) {
		g_autofree char *shown = cpt_ui_count((guint)r->n_rejected);
		g_autofree char *total = cpt_ui_count(r->rejected_count);
		g_autofree char *text = g_strdup_printf(
		    ngettext("Les %s premières lignes rejetées sont affichées, sur %s.",
			     "Les %s premières lignes rejetées sont affichées, sur %s.",
			     r->rejected_count),
		    shown, total);
		gtk_label_set_text(self->rejected_note, text);
	}
}

/* What a dry run's report means for what comes next. */
static const char *dry_run_advice(const Comptoir__Imports__ImportReply *r)
{
	if (r->rows == 0) {
		return _("Le fichier ne contient aucune ligne de données.");
	}
	if (r->valid == 0) {
		return _("Aucune ligne valide : rien à importer. Corrigez le fichier puis "
			 "choisissez-le à nouveau.");
	}
	if (r->rejected_count > 0) {
		return _("Rien n'a encore été importé. Corrigez le fichier puis choisissez-le à "
			 "nouveau, ou importez seulement les lignes valides.");
	}
	return _("Toutes les lignes sont valides. Rien n'a encore été importé.");
}

/* ---------------------------------------------------------------------------
 * Calls: the dry run, then the import
 */

typedef struct {
	CptImportDialog *self; /* a reference */
	Comptoir__Imports__Mode mode;
} Run;

static void on_reply(GObject *source, GAsyncResult *res, gpointer data)
{
	Run *run = data;
	CptImportDialog *self = run->self;
	CptCallResult *r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (self->disposed) {
		cpt_call_result_free(r);
		goto done;
	}
	self->busy = NULL;
	if (r->status.code != CPT_OK) {
		if (run->mode == COMPTOIR__IMPORTS__MODE__DRY_RUN) {
			/* A refused file ("ligne 3 : guillemets non fermés"): said as is. */
			g_clear_pointer(&self->report, cpt_call_result_free);
			show_report(self);
			g_autofree char *text =
			    g_str_equal(r->status.field, "csv")
				? g_strdup_printf(
				      _("%s\nLe fichier est refusé en entier : rien n'a "
					"été importé. Corrigez-le puis choisissez-le à "
					"nouveau."),
				      cpt_ui_status_text(&r->status))
				: g_strdup(cpt_ui_status_text(&r->status));
			show_message(self, text, TRUE);
		} else {
			g_autofree char *text = g_strdup_printf(_("Import impossible : %s"),
								cpt_ui_status_text(&r->status));
			show_message(self, text, TRUE);
		}
		cpt_call_result_free(r);
		update_buttons(self);
		goto done;
	}
	g_clear_pointer(&self->report, cpt_call_result_free);
	self->report = r;
	show_report(self);
	const Comptoir__Imports__ImportReply *rep = reply_of(self);
	if (run->mode == COMPTOIR__IMPORTS__MODE__DRY_RUN) {
		show_message(self, dry_run_advice(rep), FALSE);
	} else if (rep->written) {
		self->imported = TRUE;
		g_autofree char *outcome = written(self, rep->created, rep->updated);
		g_autofree char *count = cpt_ui_count(rep->rejected_count);
		g_autofree char *skipped =
		    rep->rejected_count
			? g_strdup_printf(ngettext(" %s ligne rejetée n'a pas été importée.",
						   " %s lignes rejetées n'ont pas été importées.",
						   rep->rejected_count),
					  count)
			: g_strdup("");
		g_autofree char *text = g_strconcat(outcome, skipped, NULL);
		show_message(self, text, FALSE);
	} else if (rep->valid == 0) {
		show_message(self, _("Aucune ligne valide : rien n'a été importé."), TRUE);
	} else {
		/* Rows rejected since the dry run (another workstation took a code). */
		g_autofree char *count = cpt_ui_count(rep->rejected_count);
		g_autofree char *text =
		    g_strdup_printf(ngettext("Rien n'a été importé : %s ligne est maintenant "
					     "rejetée.",
					     "Rien n'a été importé : %s lignes sont maintenant "
					     "rejetées.",
					     rep->rejected_count),
				    count);
		show_message(self, text, TRUE);
	}
	update_buttons(self);
done:
	g_object_unref(run->self);
	g_free(run);
}

static void run_import(CptImportDialog *self, Comptoir__Imports__Mode mode)
{
	Comptoir__Imports__ImportRequest req = COMPTOIR__IMPORTS__IMPORT_REQUEST__INIT;
	gsize len = 0;
	req.csv.data = (uint8_t *)g_bytes_get_data(self->csv, &len);
	req.csv.len = len;
	req.mode = mode;
	req.supplier_id = self->kind == CPT_IMPORT_SUPPLIER_PRICES ? self->supplier_id : 0;
	Run *run = g_new0(Run, 1);
	run->self = g_object_ref(self);
	run->mode = mode;
	set_busy(self, mode == COMPTOIR__IMPORTS__MODE__DRY_RUN ? _("Vérification du fichier…")
								: _("Import en cours…"));
	/* The request is packed at once; the bytes stay for the import. */
	cpt_conn_call_async(self->conn, method_of(self->kind), &req.base,
			    &comptoir__imports__import_reply__descriptor, NULL, on_reply, run);
}

void cpt_import_dialog_import(CptImportDialog *self, Comptoir__Imports__Mode mode)
{
	if (self->disposed || !cpt_import_dialog_can_import(self, mode)) {
		return;
	}
	show_message(self, "", FALSE);
	run_import(self, mode);
}

static void import_confirmed(GtkWindow *dialog, gpointer data)
{
	Run *run = data;
	cpt_import_dialog_import(run->self, run->mode);
}

static void run_free(gpointer data)
{
	Run *run = data;
	g_object_unref(run->self);
	g_free(run);
}

GtkWindow *cpt_import_dialog_ask_import(CptImportDialog *self, Comptoir__Imports__Mode mode)
{
	if (!cpt_import_dialog_can_import(self, mode)) {
		return NULL;
	}
	const Comptoir__Imports__ImportReply *r = reply_of(self);
	g_autofree char *write = will_write(self, r->valid);
	g_autofree char *count = cpt_ui_count(r->rejected_count);
	g_autofree char *skip =
	    mode == COMPTOIR__IMPORTS__MODE__VALID_ONLY
		? g_strdup_printf(ngettext(" %s ligne rejetée sera ignorée.",
					   " %s lignes rejetées seront ignorées.",
					   r->rejected_count),
				  count)
		: g_strdup("");
	g_autofree char *text = g_strconcat(write, skip, NULL);
	Run *run = g_new0(Run, 1);
	run->self = g_object_ref(self);
	run->mode = mode;
	return cpt_ui_confirm(GTK_WIDGET(self), _("Importer"), text, NULL, _("_Importer"), FALSE,
			      import_confirmed, run, run_free);
}

static void on_import_all(GtkButton *b, gpointer data)
{
	cpt_import_dialog_ask_import(data, COMPTOIR__IMPORTS__MODE__ALL_OR_NOTHING);
}

static void on_import_valid(GtkButton *b, gpointer data)
{
	cpt_import_dialog_ask_import(data, COMPTOIR__IMPORTS__MODE__VALID_ONLY);
}

/* ---------------------------------------------------------------------------
 * Reading the file: its size first, then its bytes — off the main loop's back
 */

static gboolean refuse_size(CptImportDialog *self, guint64 size)
{
	if (size <= CPT_IMPORT_MAX_SIZE) {
		return FALSE;
	}
	g_autofree char *have = cpt_ui_size(size);
	g_autofree char *limit = cpt_ui_size(CPT_IMPORT_MAX_SIZE);
	g_autofree char *text =
	    g_strdup_printf(_("« %s » est trop volumineux (%s) : %s au plus. Découpez-le en "
			      "plusieurs fichiers."),
			    self->file_name, have, limit);
	show_message(self, text, TRUE);
	set_busy(self, NULL);
	return TRUE;
}

static void on_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	CptImportDialog *self = data;
	g_autoptr(GError) err = NULL;
	char *contents = NULL;
	gsize len = 0;
	gboolean ok = g_file_load_contents_finish(G_FILE(source), res, &contents, &len, NULL, &err);
	if (self->disposed) {
		g_free(contents);
	} else if (!ok) {
		g_autofree char *text = g_strdup_printf(_("Lecture de « %s » impossible : %s"),
							self->file_name, err->message);
		show_message(self, text, TRUE);
		set_busy(self, NULL);
	} else if (refuse_size(self, len)) {
		g_free(contents);
	} else {
		self->csv = g_bytes_new_take(contents, len);
		run_import(self, COMPTOIR__IMPORTS__MODE__DRY_RUN);
	}
	g_object_unref(self);
}

static void on_info(GObject *source, GAsyncResult *res, gpointer data)
{
	CptImportDialog *self = data;
	g_autoptr(GError) err = NULL;
	g_autoptr(GFileInfo) info = g_file_query_info_finish(G_FILE(source), res, &err);
	if (self->disposed) {
		g_object_unref(self);
		return;
	}
	if (!info) {
		g_autofree char *text =
		    g_strdup_printf(_("Fichier illisible : %s"), err ? err->message : "");
		show_message(self, text, TRUE);
		set_busy(self, NULL);
		g_object_unref(self);
		return;
	}
	g_free(self->file_name);
	self->file_name = g_strdup(g_file_info_get_display_name(info));
	g_autofree char *size = cpt_ui_size((guint64)g_file_info_get_size(info));
	g_autofree char *label = g_strdup_printf(_("Fichier : %s (%s)"), self->file_name, size);
	gtk_label_set_text(self->file_label, label);
	if (refuse_size(self, (guint64)g_file_info_get_size(info))) {
		g_object_unref(self);
		return;
	}
	/* The reference goes on to the next step. */
	g_file_load_contents_async(G_FILE(source), self->cancel, on_loaded, self);
}

gboolean cpt_import_dialog_load_file(CptImportDialog *self, GFile *file)
{
	if (self->busy || self->disposed) {
		return FALSE;
	}
	g_clear_pointer(&self->csv, g_bytes_unref);
	g_clear_pointer(&self->report, cpt_call_result_free);
	g_clear_pointer(&self->file_name, g_free);
	self->imported = FALSE;
	show_report(self);
	show_message(self, "", FALSE);
	g_autofree char *name = g_file_get_basename(file);
	g_autofree char *label = g_strdup_printf(_("Fichier : %s"), name);
	gtk_label_set_text(self->file_label, label);
	self->file_name = g_steal_pointer(&name);
	set_busy(self, _("Lecture du fichier…"));
	g_file_query_info_async(file, FILE_ATTRIBUTES, G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT,
				self->cancel, on_info, g_object_ref(self));
	return TRUE;
}

/* GtkFileChooserNative is what GTK 4.8 has; later versions deprecate it. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void on_chosen(GtkNativeDialog *dialog, int response, gpointer data)
{
	CptImportDialog *self = data;
	if (response == GTK_RESPONSE_ACCEPT && !self->disposed) {
		g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
		if (file) {
			cpt_import_dialog_load_file(self, file);
		}
	}
	g_object_unref(dialog);
	g_object_unref(self);
}

void cpt_import_dialog_choose_file(CptImportDialog *self)
{
	if (self->busy || self->disposed) {
		return;
	}
	GtkFileChooserNative *chooser =
	    gtk_file_chooser_native_new(_("Choisir le fichier à importer"), GTK_WINDOW(self),
					GTK_FILE_CHOOSER_ACTION_OPEN, _("_Ouvrir"), _("_Annuler"));
	gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(chooser), TRUE);
	GtkFileFilter *csv = gtk_file_filter_new();
	gtk_file_filter_set_name(csv, _("Fichiers CSV"));
	gtk_file_filter_add_suffix(csv, "csv");
	gtk_file_filter_add_mime_type(csv, "text/csv");
	gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(chooser), csv);
	g_object_unref(csv);
	GtkFileFilter *all = gtk_file_filter_new();
	gtk_file_filter_set_name(all, _("Tous les fichiers"));
	gtk_file_filter_add_pattern(all, "*");
	gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(chooser), all);
	g_object_unref(all);
	g_signal_connect(chooser, "response", G_CALLBACK(on_chosen), g_object_ref(self));
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(chooser));
}

G_GNUC_END_IGNORE_DEPRECATIONS

static void on_choose(GtkButton *b, gpointer data)
{
	cpt_import_dialog_choose_file(data);
}

/* ---------------------------------------------------------------------------
 * Reading the state, for tests
 */

gboolean cpt_import_dialog_is_busy(CptImportDialog *self)
{
	return self->busy != NULL;
}

gboolean cpt_import_dialog_has_report(CptImportDialog *self)
{
	return self->report != NULL;
}

void cpt_import_dialog_get_counts(CptImportDialog *self, CptImportCounts *out)
{
	const Comptoir__Imports__ImportReply *r = reply_of(self);
	*out = (CptImportCounts){0};
	if (r) {
		*out = (CptImportCounts){r->rows,    r->valid,	 r->rejected_count,
					 r->created, r->updated, r->written};
	}
}

guint cpt_import_dialog_get_n_rejected_rows(CptImportDialog *self)
{
	return g_list_model_get_n_items(G_LIST_MODEL(self->rejected_rows));
}

const char *cpt_import_dialog_get_rejected_cell(CptImportDialog *self, guint row, guint cell)
{
	g_autoptr(CptRow) r = g_list_model_get_item(G_LIST_MODEL(self->rejected_rows), row);
	/* The store keeps the row, and with it the text. */
	return r ? cpt_row_cell(r, cell) : NULL;
}

gboolean cpt_import_dialog_can_import(CptImportDialog *self, Comptoir__Imports__Mode mode)
{
	if (self->disposed) {
		return FALSE;
	}
	if (mode == COMPTOIR__IMPORTS__MODE__ALL_OR_NOTHING) {
		return gtk_widget_get_sensitive(self->import_all);
	}
	if (mode == COMPTOIR__IMPORTS__MODE__VALID_ONLY) {
		return gtk_widget_get_sensitive(self->import_valid);
	}
	return FALSE;
}

const char *cpt_import_dialog_get_message(CptImportDialog *self)
{
	return gtk_label_get_text(self->message);
}

/* ---------------------------------------------------------------------------
 * The window
 */

static void cell_setup(GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
	guint cell = GPOINTER_TO_UINT(data);
	GtkWidget *label = gtk_label_new(NULL);
	gtk_label_set_xalign(GTK_LABEL(label), cell == CPT_IMPORT_REJECTED_LINE ? 1 : 0);
	if (cell == CPT_IMPORT_REJECTED_REASON) {
		gtk_label_set_wrap(GTK_LABEL(label), TRUE);
		gtk_label_set_wrap_mode(GTK_LABEL(label), PANGO_WRAP_WORD_CHAR);
	} else {
		gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
	}
	gtk_list_item_set_child(item, label);
}

static void cell_bind(GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
	CptRow *row = gtk_list_item_get_item(item);
	gtk_label_set_text(GTK_LABEL(gtk_list_item_get_child(item)),
			   cpt_row_cell(row, GPOINTER_TO_UINT(data)));
}

static GtkWidget *rejected_view(CptImportDialog *self)
{
	GtkSelectionModel *sel = GTK_SELECTION_MODEL(
	    gtk_no_selection_new(G_LIST_MODEL(g_object_ref(self->rejected_rows))));
	GtkColumnView *view = GTK_COLUMN_VIEW(gtk_column_view_new(sel));
	gtk_widget_set_name(GTK_WIDGET(view), "import.rejected_list");
	gtk_column_view_set_show_row_separators(view, TRUE);
	const char *titles[CPT_IMPORT_REJECTED_N_CELLS] = {
	    [CPT_IMPORT_REJECTED_LINE] = _("Ligne"),
	    [CPT_IMPORT_REJECTED_COLUMN] = _("Colonne"),
	    [CPT_IMPORT_REJECTED_REASON] = _("Motif"),
	};
	for (guint i = 0; i < CPT_IMPORT_REJECTED_N_CELLS; i++) {
		GtkListItemFactory *f = gtk_signal_list_item_factory_new();
		g_signal_connect(f, "setup", G_CALLBACK(cell_setup), GUINT_TO_POINTER(i));
		g_signal_connect(f, "bind", G_CALLBACK(cell_bind), GUINT_TO_POINTER(i));
		GtkColumnViewColumn *col = gtk_column_view_column_new(titles[i], f);
		gtk_column_view_column_set_expand(col, i == CPT_IMPORT_REJECTED_REASON);
		if (i == CPT_IMPORT_REJECTED_COLUMN) {
			gtk_column_view_column_set_fixed_width(col, 180);
		}
		gtk_column_view_append_column(view, col);
		g_object_unref(col);
	}
	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll), GTK_POLICY_NEVER,
				       GTK_POLICY_AUTOMATIC);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), GTK_WIDGET(view));
	gtk_widget_set_vexpand(scroll, TRUE);
	gtk_widget_set_size_request(scroll, -1, 180);
	GtkWidget *frame = gtk_frame_new(NULL);
	gtk_frame_set_child(GTK_FRAME(frame), scroll);
	return frame;
}

static GtkLabel *count_cell(GtkGrid *grid, int column, const char *title, const char *name)
{
	GtkWidget *value = gtk_label_new("0");
	gtk_widget_set_name(value, name);
	gtk_widget_add_css_class(value, "title-3");
	gtk_widget_add_css_class(value, "numeric");
	GtkWidget *caption = gtk_label_new(title);
	gtk_widget_add_css_class(caption, "dim-label");
	gtk_grid_attach(grid, value, column, 0, 1, 1);
	gtk_grid_attach(grid, caption, column, 1, 1, 1);
	return GTK_LABEL(value);
}

static GtkLabel *wrapped_label(const char *name)
{
	GtkWidget *l = gtk_label_new(NULL);
	if (name) {
		gtk_widget_set_name(l, name);
	}
	gtk_label_set_wrap(GTK_LABEL(l), TRUE);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	return GTK_LABEL(l);
}

static void build(CptImportDialog *self)
{
	GtkWindow *w = GTK_WINDOW(self);
	gtk_window_set_default_size(w, 780, 640);
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	g_object_set(box, "margin-top", 12, "margin-bottom", 12, "margin-start", 12, "margin-end",
		     12, NULL);

	GtkLabel *intro = wrapped_label(NULL);
	gtk_label_set_text(intro,
			   _("Un fichier CSV en UTF-8, séparé par « ; » ou « , », le nom des "
			     "colonnes en première ligne, dans n'importe quel ordre (accents et "
			     "majuscules ignorés). Le fichier est d'abord vérifié : rien n'est "
			     "importé avant que vous le demandiez."));
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(intro));
	GtkLabel *help = wrapped_label("import.help");
	gtk_label_set_text(help, columns_help(self->kind));
	gtk_widget_add_css_class(GTK_WIDGET(help), "dim-label");
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(help));

	GtkWidget *file_row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	self->file_label = GTK_LABEL(gtk_label_new(_("Aucun fichier choisi.")));
	gtk_widget_set_name(GTK_WIDGET(self->file_label), "import.file");
	gtk_label_set_xalign(self->file_label, 0);
	gtk_label_set_ellipsize(self->file_label, PANGO_ELLIPSIZE_MIDDLE);
	gtk_widget_set_hexpand(GTK_WIDGET(self->file_label), TRUE);
	self->spinner = GTK_SPINNER(gtk_spinner_new());
	self->busy_label = GTK_LABEL(gtk_label_new(NULL));
	gtk_widget_add_css_class(GTK_WIDGET(self->busy_label), "dim-label");
	self->choose = gtk_button_new_with_mnemonic(_("_Choisir un fichier…"));
	gtk_widget_set_name(self->choose, "import.choose");
	g_signal_connect(self->choose, "clicked", G_CALLBACK(on_choose), self);
	gtk_box_append(GTK_BOX(file_row), GTK_WIDGET(self->file_label));
	gtk_box_append(GTK_BOX(file_row), GTK_WIDGET(self->spinner));
	gtk_box_append(GTK_BOX(file_row), GTK_WIDGET(self->busy_label));
	gtk_box_append(GTK_BOX(file_row), self->choose);
	gtk_box_append(GTK_BOX(box), file_row);

	self->message = wrapped_label("import.message");
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(self->message));

	/* The report */
	self->report_box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	gtk_widget_set_vexpand(self->report_box, TRUE);
	GtkGrid *counts = GTK_GRID(gtk_grid_new());
	gtk_grid_set_column_spacing(counts, 36);
	gtk_grid_set_column_homogeneous(counts, FALSE);
	self->rows = count_cell(counts, 0, _("lignes lues"), "import.rows");
	self->valid = count_cell(counts, 1, _("valides"), "import.valid_count");
	self->rejected = count_cell(counts, 2, _("rejetées"), "import.rejected_count");
	gtk_box_append(GTK_BOX(self->report_box), GTK_WIDGET(counts));
	self->ignored = wrapped_label("import.ignored");
	gtk_widget_add_css_class(GTK_WIDGET(self->ignored), "warning");
	gtk_box_append(GTK_BOX(self->report_box), GTK_WIDGET(self->ignored));
	self->rejected_box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	gtk_widget_set_vexpand(self->rejected_box, TRUE);
	GtkWidget *heading = gtk_label_new(_("Lignes rejetées"));
	gtk_widget_add_css_class(heading, "heading");
	gtk_label_set_xalign(GTK_LABEL(heading), 0);
	gtk_box_append(GTK_BOX(self->rejected_box), heading);
	self->rejected_note = wrapped_label(NULL);
	gtk_widget_add_css_class(GTK_WIDGET(self->rejected_note), "dim-label");
	gtk_box_append(GTK_BOX(self->rejected_box), GTK_WIDGET(self->rejected_note));
	self->rejected_rows = g_list_store_new(CPT_TYPE_ROW);
	gtk_box_append(GTK_BOX(self->rejected_box), rejected_view(self));
	gtk_box_append(GTK_BOX(self->report_box), self->rejected_box);
	gtk_box_append(GTK_BOX(box), self->report_box);

	/* The actions */
	GtkWidget *bottom = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	gtk_widget_set_valign(bottom, GTK_ALIGN_END);
	gtk_widget_set_vexpand(bottom, TRUE);
	GtkWidget *close = gtk_button_new_with_mnemonic(_("_Fermer"));
	gtk_actionable_set_action_name(GTK_ACTIONABLE(close), "window.close");
	gtk_widget_set_hexpand(close, TRUE);
	gtk_widget_set_halign(close, GTK_ALIGN_START);
	self->import_valid = gtk_button_new_with_mnemonic(_("Importer les lignes _valides"));
	gtk_widget_set_name(self->import_valid, "import.valid");
	gtk_widget_set_tooltip_text(self->import_valid,
				    _("Écrire les lignes valides ; les lignes rejetées sont "
				      "laissées de côté"));
	g_signal_connect(self->import_valid, "clicked", G_CALLBACK(on_import_valid), self);
	self->import_all = gtk_button_new_with_mnemonic(_("_Importer"));
	gtk_widget_set_name(self->import_all, "import.all");
	gtk_widget_set_tooltip_text(self->import_all,
				    _("Écrire toutes les lignes : possible quand aucune n'est "
				      "rejetée"));
	gtk_widget_add_css_class(self->import_all, "suggested-action");
	g_signal_connect(self->import_all, "clicked", G_CALLBACK(on_import_all), self);
	gtk_box_append(GTK_BOX(bottom), close);
	gtk_box_append(GTK_BOX(bottom), self->import_valid);
	gtk_box_append(GTK_BOX(bottom), self->import_all);
	gtk_box_append(GTK_BOX(box), bottom);

	gtk_window_set_child(w, box);
	show_report(self);
	update_buttons(self);
}

static void cpt_import_dialog_dispose(GObject *object)
{
	CptImportDialog *self = CPT_IMPORT_DIALOG(object);
	self->disposed = TRUE;
	if (self->cancel) {
		g_cancellable_cancel(self->cancel);
		g_clear_object(&self->cancel);
	}
	g_clear_object(&self->conn);
	G_OBJECT_CLASS(cpt_import_dialog_parent_class)->dispose(object);
}

static void cpt_import_dialog_finalize(GObject *object)
{
	CptImportDialog *self = CPT_IMPORT_DIALOG(object);
	g_free(self->supplier_name);
	g_free(self->file_name);
	g_clear_pointer(&self->csv, g_bytes_unref);
	g_clear_pointer(&self->report, cpt_call_result_free);
	g_clear_object(&self->rejected_rows);
	G_OBJECT_CLASS(cpt_import_dialog_parent_class)->finalize(object);
}

static void cpt_import_dialog_class_init(CptImportDialogClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = cpt_import_dialog_dispose;
	G_OBJECT_CLASS(klass)->finalize = cpt_import_dialog_finalize;
	gtk_widget_class_add_binding_action(GTK_WIDGET_CLASS(klass), GDK_KEY_Escape, 0,
					    "window.close", NULL);
}

static void cpt_import_dialog_init(CptImportDialog *self)
{
	self->cancel = g_cancellable_new();
}

CptImportDialog *cpt_import_dialog_new(GtkWidget *parent, CptConn *conn, CptImportKind kind,
				       gint64 supplier_id, const char *supplier_name)
{
	CptImportDialog *self = g_object_new(CPT_TYPE_IMPORT_DIALOG, NULL);
	self->conn = g_object_ref(conn);
	self->kind = kind;
	self->supplier_id = supplier_id;
	self->supplier_name = g_strdup(supplier_name ? supplier_name : "");
	g_autofree char *title =
	    kind == CPT_IMPORT_SUPPLIER_PRICES
		? g_strdup_printf(_("Importer le tarif de %s"), self->supplier_name)
		: g_strdup(kind == CPT_IMPORT_ARTICLES ? _("Importer des articles")
						       : _("Importer des clients"));
	gtk_window_set_title(GTK_WINDOW(self), title);
	GtkRoot *root = parent ? gtk_widget_get_root(parent) : NULL;
	if (GTK_IS_WINDOW(root)) {
		gtk_window_set_transient_for(GTK_WINDOW(self), GTK_WINDOW(root));
		gtk_window_set_destroy_with_parent(GTK_WINDOW(self), TRUE);
	}
	build(self);
	gtk_window_present(GTK_WINDOW(self));
	return self;
}

CptImportDialog *cpt_import_dialog_open(GtkWidget *parent, CptConn *conn, CptImportKind kind,
					gint64 supplier_id, const char *supplier_name)
{
	CptImportDialog *self =
	    cpt_import_dialog_new(parent, conn, kind, supplier_id, supplier_name);
	cpt_import_dialog_choose_file(self);
	return self;
}
