/*
 * The export of a list; see cpt-list-export.h.
 *
 * Each list view carries an Export (its menu's actions, its progress widgets,
 * the last outcome) as object data. A running export is a Job: the query
 * taken from the list's model when it started, the rows already written into
 * a cpt_export, and where the next page starts. Each answer comes back to the
 * main loop, is parsed by the list's source and appended, and asks the next
 * page; the last one hands the cpt_export to a worker thread that assembles
 * and writes the file. A Job outlives its Export when the list goes away or
 * the user cancels: it is then detached and frees itself at its next step.
 */
#include "cpt-list-export.h"
#include "cpt-ui.h"

#include <glib/gi18n.h>

typedef struct Job Job;

typedef struct {
	CptListView *view; /* not a reference: the Export is the view's data */
	GSimpleActionGroup *actions;
	GtkWidget *box; /* what follows is in it; hidden until the first export */
	GtkLabel *label;
	GtkProgressBar *progress;
	GtkWidget *cancel;
	Job *job; /* the running export, or NULL */
	char *message;
} Export;

struct Job {
	Export *ui; /* NULL once detached */
	CptConn *conn;
	const CptListSource *source;
	char *search, *sort;
	const void *filter; /* the page's, read while the list lives */
	gboolean descending;
	guint *shown; /* indices of the exported cells, in the shown order */
	guint n_shown;
	const char **cells; /* one row, borrowed from a CptRow */
	cpt_export *out;
	GFile *file;
	GCancellable *cancellable; /* for the writing */
	char *after_key;
	gint64 after_id; /* 0 before the first page */
	guint total;	 /* as counted with the first page */
	guint rows;
};

static void job_free(Job *job)
{
	g_object_unref(job->conn);
	g_free(job->search);
	g_free(job->sort);
	g_free(job->shown);
	g_free(job->cells);
	cpt_export_free(job->out);
	g_object_unref(job->file);
	g_object_unref(job->cancellable);
	g_free(job->after_key);
	g_free(job);
}

static Export *export_of(CptListView *view)
{
	return g_object_get_data(G_OBJECT(view), "cpt-list-export");
}

/* ---------------------------------------------------------------------------
 * Progress and outcome, under the list
 */

static void show_progress(Export *ui)
{
	const Job *job = ui->job;
	g_autofree char *done = cpt_ui_count(job->rows);
	g_autofree char *total = cpt_ui_count(job->total);
	g_autofree char *text = g_strdup_printf(_("%s / %s lignes"), done, total);
	gtk_progress_bar_set_text(ui->progress, text);
	gtk_progress_bar_set_fraction(ui->progress,
				      job->total ? MIN(1.0, (double)job->rows / job->total) : 0);
}

static void set_running(Export *ui, Job *job)
{
	ui->job = job;
	gboolean running = job != NULL;
	gtk_widget_set_visible(ui->box, TRUE);
	gtk_widget_set_visible(GTK_WIDGET(ui->progress), running);
	gtk_widget_set_visible(ui->cancel, running);
	const char *names[] = {"csv", "xlsx"};
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		GAction *a = g_action_map_lookup_action(G_ACTION_MAP(ui->actions), names[i]);
		g_simple_action_set_enabled(G_SIMPLE_ACTION(a), !running);
	}
}

static void set_message(Export *ui, const char *text)
{
	g_free(ui->message);
	ui->message = g_strdup(text);
	gtk_label_set_text(ui->label, text);
	gtk_widget_set_visible(ui->box, TRUE);
}

/* Ends the job's link with its list, saying how it ended. The Job goes on
 * until its pending step, which frees it. */
static void detach(Job *job, const char *message)
{
	Export *ui = job->ui;
	if (!ui) {
		return;
	}
	job->ui = NULL;
	g_cancellable_cancel(job->cancellable);
	set_running(ui, NULL);
	set_message(ui, message);
}

/* ---------------------------------------------------------------------------
 * Pages, then the file
 */

static void request_page(Job *job);

static void write_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	Job *job = data;
	g_autoptr(GBytes) bytes = cpt_export_finish(g_steal_pointer(&job->out));
	GError *err = NULL;
	gsize len = 0;
	const char *content = g_bytes_get_data(bytes, &len);
	if (g_file_replace_contents(job->file, content ? content : "", len, NULL, FALSE,
				    G_FILE_CREATE_REPLACE_DESTINATION, NULL, cancellable, &err)) {
		g_task_return_boolean(task, TRUE);
	} else {
		g_task_return_error(task, err);
	}
}

static void written(GObject *source, GAsyncResult *res, gpointer data)
{
	Job *job = data;
	g_autoptr(GError) err = NULL;
	gboolean ok = g_task_propagate_boolean(G_TASK(res), &err);
	if (job->ui) {
		g_autofree char *name = g_file_get_basename(job->file);
		g_autofree char *count = cpt_ui_count(job->rows);
		g_autofree char *text =
		    ok ? g_strdup_printf(ngettext("%s ligne exportée dans %s",
						  "%s lignes exportées dans %s", job->rows),
					 count, name)
		       : g_strdup_printf(_("Export impossible : %s"), err->message);
		detach(job, text);
	}
	job_free(job);
}

static void write_file(Job *job)
{
	gtk_progress_bar_set_text(job->ui->progress, _("Écriture du fichier…"));
	GTask *task = g_task_new(NULL, job->cancellable, written, job);
	g_task_set_task_data(task, job, NULL);
	g_task_run_in_thread(task, write_thread);
	g_object_unref(task);
}

static gboolean too_many(Job *job, guint rows)
{
	if (rows <= CPT_LIST_EXPORT_MAX_ROWS) {
		return FALSE;
	}
	g_autofree char *n = cpt_ui_count(rows);
	g_autofree char *max = cpt_ui_count(CPT_LIST_EXPORT_MAX_ROWS);
	g_autofree char *text =
	    g_strdup_printf(_("Trop de lignes pour un export : %s (%s au plus). "
			      "Affinez la recherche ou les filtres."),
			    n, max);
	detach(job, text);
	return TRUE;
}

static void page_done(GObject *source, GAsyncResult *res, gpointer data)
{
	Job *job = data;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	/* A list taken out of its window may have lost its filter with its page. */
	if (job->ui && !gtk_widget_get_root(GTK_WIDGET(job->ui->view))) {
		detach(job, _("Export annulé."));
	}
	if (!job->ui) {
		job_free(job);
		return;
	}
	if (!r || r->status.code != CPT_OK) {
		g_autofree char *text = g_strdup_printf(_("Export impossible : %s"),
							r ? cpt_ui_status_text(&r->status) : "");
		detach(job, text);
		job_free(job);
		return;
	}
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(g_object_unref);
	guint total = 0;
	gboolean more = FALSE;
	job->source->parse(r->output, job->sort, rows, &total, &more);
	if (job->after_id == 0) {
		job->total = total;
	}
	if (too_many(job, MAX(job->total, job->rows + rows->len))) {
		job_free(job);
		return;
	}
	for (guint i = 0; i < rows->len; i++) {
		CptRow *row = g_ptr_array_index(rows, i);
		for (guint k = 0; k < job->n_shown; k++) {
			job->cells[k] = cpt_row_cell(row, job->shown[k]);
		}
		cpt_status st = {0};
		if (cpt_export_add_row(job->out, job->cells, &st) != CPT_OK) {
			g_autofree char *text =
			    g_strdup_printf(_("Export impossible : %s"), cpt_ui_status_text(&st));
			detach(job, text);
			job_free(job);
			return;
		}
	}
	job->rows += rows->len;
	job->total = MAX(job->total, job->rows);
	show_progress(job->ui);
	if (more && rows->len > 0) {
		CptRow *last = g_ptr_array_index(rows, rows->len - 1);
		g_free(job->after_key);
		job->after_key = g_strdup(last->key ? last->key : "");
		job->after_id = last->id;
		request_page(job);
	} else {
		write_file(job);
	}
}

static void request_page(Job *job)
{
	CptPageQuery q = {
	    .search = job->search,
	    .filter = job->filter,
	    .sort = job->sort,
	    .descending = job->descending,
	    .limit = CPT_LIST_EXPORT_PAGE,
	    .after_key = job->after_key,
	    .after_id = job->after_id,
	    .with_total = job->after_id == 0,
	};
	ProtobufCMessage *req = job->source->build(&q);
	cpt_conn_call_async(job->conn, job->source->method, req, job->source->reply, NULL,
			    page_done, job);
	g_free(req); /* one block, its strings borrowed */
}

/* ---------------------------------------------------------------------------
 * Starting
 */

/* The exported cells: the shown columns, in their shown order. */
static guint *shown_columns(CptListView *view, guint *n_shown)
{
	guint n_specs = 0;
	const CptColumnSpec *specs = cpt_list_view_get_columns(view, &n_specs);
	g_autofree char *layout = cpt_list_view_get_layout(view);
	g_auto(GStrv) ids = g_strsplit(layout, ",", -1);
	guint *shown = g_new0(guint, n_specs + 1);
	*n_shown = 0;
	for (char **id = ids; *id; id++) {
		for (guint i = 0; i < n_specs && **id != '-'; i++) {
			if (g_str_equal(specs[i].id, *id)) {
				shown[(*n_shown)++] = i;
			}
		}
	}
	return shown;
}

/* The title of the nearest tab holding the list, or NULL. */
static const char *tab_title(CptListView *view)
{
	for (GtkWidget *w = GTK_WIDGET(view); w && gtk_widget_get_parent(w);
	     w = gtk_widget_get_parent(w)) {
		GtkWidget *parent = gtk_widget_get_parent(w);
		if (GTK_IS_STACK(parent)) {
			const char *title =
			    gtk_stack_page_get_title(gtk_stack_get_page(GTK_STACK(parent), w));
			if (title && *title) {
				return title;
			}
		}
	}
	return NULL;
}

static const char *list_title(CptListView *view)
{
	const char *title = tab_title(view);
	return title ? title : cpt_list_view_get_name(view);
}

char *cpt_list_export_default_name(CptListView *view, cpt_export_format format)
{
	/* Plain ASCII, words joined by "-": the name survives any file share. */
	g_autofree char *ascii = g_str_to_ascii(list_title(view), "C");
	GString *name = g_string_new(NULL);
	for (const char *p = ascii; *p; p++) {
		if (g_ascii_isalnum(*p)) {
			g_string_append_c(name, g_ascii_tolower(*p));
		} else if (name->len && name->str[name->len - 1] != '-') {
			g_string_append_c(name, '-');
		}
	}
	if (name->len && name->str[name->len - 1] == '-') {
		g_string_truncate(name, name->len - 1);
	}
	if (!name->len) {
		g_string_append(name, "export");
	}
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *day = g_date_time_format(now, "%Y-%m-%d");
	g_string_append_printf(name, "-%s.%s", day, format == CPT_EXPORT_CSV ? "csv" : "xlsx");
	return g_string_free(name, FALSE);
}

void cpt_list_export_start(CptListView *view, cpt_export_format format, GFile *file)
{
	Export *ui = export_of(view);
	if (ui->job) {
		set_message(ui, _("Un export est déjà en cours."));
		return;
	}
	guint n_specs = 0, n_shown = 0;
	const CptColumnSpec *specs = cpt_list_view_get_columns(view, &n_specs);
	g_autofree guint *shown = shown_columns(view, &n_shown);
	if (n_shown == 0) {
		set_message(ui, _("Aucune colonne affichée à exporter."));
		return;
	}
	cpt_export_column *columns = g_new0(cpt_export_column, n_shown);
	for (guint k = 0; k < n_shown; k++) {
		const CptColumnSpec *s = &specs[shown[k]];
		columns[k] = (cpt_export_column){_(s->title), s->type, s->decimals};
	}

	CptPagedModel *model = cpt_list_view_get_model(view);
	CptPageQuery q;
	cpt_paged_model_get_query(model, &q);
	Job *job = g_new0(Job, 1);
	job->ui = ui;
	job->conn = g_object_ref(cpt_paged_model_get_conn(model));
	job->source = cpt_paged_model_get_source(model);
	job->search = g_strdup(q.search);
	job->sort = g_strdup(q.sort);
	job->filter = q.filter;
	job->descending = q.descending;
	job->shown = g_steal_pointer(&shown);
	job->n_shown = n_shown;
	job->cells = g_new0(const char *, n_shown);
	job->out = cpt_export_new(format, list_title(view), columns, n_shown);
	job->file = g_object_ref(file);
	job->cancellable = g_cancellable_new();
	job->after_key = g_strdup("");
	g_free(columns);

	set_running(ui, job);
	set_message(ui, format == CPT_EXPORT_CSV ? _("Export CSV…") : _("Export Excel…"));
	gtk_progress_bar_set_fraction(ui->progress, 0);
	gtk_progress_bar_set_text(ui->progress, _("Lecture des lignes…"));
	request_page(job);
}

void cpt_list_export_cancel(CptListView *view)
{
	Export *ui = export_of(view);
	if (ui->job) {
		detach(ui->job, _("Export annulé."));
	}
}

gboolean cpt_list_export_is_running(CptListView *view)
{
	return export_of(view)->job != NULL;
}

const char *cpt_list_export_get_message(CptListView *view)
{
	const char *m = export_of(view)->message;
	return m ? m : "";
}

/* ---------------------------------------------------------------------------
 * The menu and its save dialog
 */

/* GtkFileChooserNative is what GTK 4.8 has; later versions deprecate it. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void on_chosen(GtkNativeDialog *dialog, int response, gpointer data)
{
	CptListView *view = data;
	cpt_export_format format =
	    GPOINTER_TO_INT(g_object_get_data(G_OBJECT(dialog), "cpt-export-format"));
	if (response == GTK_RESPONSE_ACCEPT && gtk_widget_get_root(GTK_WIDGET(view))) {
		g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
		if (file) {
			cpt_list_export_start(view, format, file);
		}
	}
	g_object_unref(dialog);
	g_object_unref(view);
}

static void choose_file(Export *ui, cpt_export_format format)
{
	/* Refused at once when the list already counts too many rows. */
	guint n = g_list_model_get_n_items(G_LIST_MODEL(cpt_list_view_get_model(ui->view)));
	if (n > CPT_LIST_EXPORT_MAX_ROWS) {
		g_autofree char *count = cpt_ui_count(n);
		g_autofree char *max = cpt_ui_count(CPT_LIST_EXPORT_MAX_ROWS);
		g_autofree char *text =
		    g_strdup_printf(_("Trop de lignes pour un export : %s (%s au plus). "
				      "Affinez la recherche ou les filtres."),
				    count, max);
		set_message(ui, text);
		return;
	}
	GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(ui->view));
	GtkFileChooserNative *chooser = gtk_file_chooser_native_new(
	    _("Exporter la liste"), GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL,
	    GTK_FILE_CHOOSER_ACTION_SAVE, _("_Enregistrer"), _("_Annuler"));
	gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(chooser), TRUE);
	g_autofree char *name = cpt_list_export_default_name(ui->view, format);
	gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(chooser), name);
	GtkFileFilter *filter = gtk_file_filter_new();
	if (format == CPT_EXPORT_CSV) {
		gtk_file_filter_set_name(filter, _("Fichiers CSV"));
		gtk_file_filter_add_suffix(filter, "csv");
	} else {
		gtk_file_filter_set_name(filter, _("Classeurs Excel"));
		gtk_file_filter_add_suffix(filter, "xlsx");
	}
	gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(chooser), filter);
	g_object_unref(filter);
	g_object_set_data(G_OBJECT(chooser), "cpt-export-format", GINT_TO_POINTER(format));
	g_signal_connect(chooser, "response", G_CALLBACK(on_chosen), g_object_ref(ui->view));
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(chooser));
}

G_GNUC_END_IGNORE_DEPRECATIONS

static void on_csv(GSimpleAction *action, GVariant *param, gpointer data)
{
	choose_file(data, CPT_EXPORT_CSV);
}

static void on_xlsx(GSimpleAction *action, GVariant *param, gpointer data)
{
	choose_file(data, CPT_EXPORT_XLSX);
}

static void on_cancel(GtkButton *button, gpointer data)
{
	Export *ui = data;
	cpt_list_export_cancel(ui->view);
}

/* The list is finalised: a running job goes on alone and stops at its next step. */
static void export_free(gpointer data)
{
	Export *ui = data;
	if (ui->job) {
		ui->job->ui = NULL;
		g_cancellable_cancel(ui->job->cancellable);
	}
	g_object_unref(ui->actions);
	g_free(ui->message);
	g_free(ui);
}

void cpt_list_export_attach(CptListView *view, GtkBox *bar, GtkWidget *after, GtkBox *status)
{
	Export *ui = g_new0(Export, 1);
	ui->view = view;
	g_object_set_data_full(G_OBJECT(view), "cpt-list-export", ui, export_free);

	ui->actions = g_simple_action_group_new();
	const GActionEntry entries[] = {{"csv", on_csv, NULL, NULL, NULL, {0}},
					{"xlsx", on_xlsx, NULL, NULL, NULL, {0}}};
	g_action_map_add_action_entries(G_ACTION_MAP(ui->actions), entries, G_N_ELEMENTS(entries),
					ui);
	gtk_widget_insert_action_group(GTK_WIDGET(view), "list-export",
				       G_ACTION_GROUP(ui->actions));
	GMenu *menu = g_menu_new();
	g_menu_append(menu, _("CSV (séparateur ;)"), "list-export.csv");
	g_menu_append(menu, _("Excel (XLSX)"), "list-export.xlsx");
	GtkWidget *button = gtk_menu_button_new();
	gtk_menu_button_set_label(GTK_MENU_BUTTON(button), _("Exporter"));
	gtk_menu_button_set_menu_model(GTK_MENU_BUTTON(button), G_MENU_MODEL(menu));
	gtk_widget_set_tooltip_text(button,
				    _("Exporter les lignes de la liste, telles qu'affichées"));
	g_object_unref(menu);
	gtk_box_insert_child_after(bar, button, after);

	ui->box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	gtk_widget_set_hexpand(ui->box, TRUE);
	gtk_widget_set_halign(ui->box, GTK_ALIGN_END);
	gtk_widget_set_visible(ui->box, FALSE);
	ui->label = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_ellipsize(ui->label, PANGO_ELLIPSIZE_START);
	gtk_widget_add_css_class(GTK_WIDGET(ui->label), "dim-label");
	ui->progress = GTK_PROGRESS_BAR(gtk_progress_bar_new());
	gtk_progress_bar_set_show_text(ui->progress, TRUE);
	gtk_widget_set_valign(GTK_WIDGET(ui->progress), GTK_ALIGN_CENTER);
	gtk_widget_set_size_request(GTK_WIDGET(ui->progress), 180, -1);
	ui->cancel = gtk_button_new_from_icon_name("process-stop-symbolic");
	gtk_widget_set_tooltip_text(ui->cancel, _("Annuler l'export"));
	gtk_widget_add_css_class(ui->cancel, "flat");
	g_signal_connect(ui->cancel, "clicked", G_CALLBACK(on_cancel), ui);
	gtk_box_append(GTK_BOX(ui->box), GTK_WIDGET(ui->label));
	gtk_box_append(GTK_BOX(ui->box), GTK_WIDGET(ui->progress));
	gtk_box_append(GTK_BOX(ui->box), ui->cancel);
	gtk_box_append(status, ui->box);
}
