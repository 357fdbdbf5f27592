/*
 * CptPartyDocuments; see cpt-party-documents.h. A GtkListBox of rows built
 * here, refilled from ListDocuments; each asynchronous step holds a
 * reference on the section and does nothing once it is disposed. A list
 * reload carries a generation number, so that an older answer arriving late
 * never overwrites a newer one.
 */
#include "cpt-party-documents.h"
#include "config.h"
#include "cpt-ui.h"
#include "frame.h"

#include "parties.pb-c.h"
#include "rpc.pb-c.h"

#include <glib/gi18n.h>

#define FILE_ATTRIBUTES                                                                            \
	G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE                  \
				       "," G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME

struct _CptPartyDocuments {
	GtkBox parent_instance;
	CptConn *conn;
	char *service; /* "comptoir.parties.Parties" */
	char *topic;   /* "party_document" */
	gboolean writable;
	gboolean frozen;
	gboolean disposed;
	gint64 party_id;
	gint64 max_size; /* bytes, from the server's last list; 0 before */
	guint generation;
	guint loading;
	guint n_rows;
	GCancellable *cancel; /* file reads and writes in flight */

	GtkListBox *list;
	GtkLabel *placeholder;
	GtkWidget *add, *save, *del;
	GtkSpinner *spinner;
	GtkLabel *message;
};

G_DEFINE_TYPE(CptPartyDocuments, cpt_party_documents, GTK_TYPE_BOX)

/* ---------------------------------------------------------------------------
 * Rows and state
 */

typedef struct {
	gint64 id;
	char *name;
} RowDoc;

static void row_doc_free(gpointer p)
{
	RowDoc *d = p;
	g_free(d->name);
	g_free(d);
}

static const RowDoc *selected_doc(CptPartyDocuments *self)
{
	GtkListBoxRow *row = gtk_list_box_get_selected_row(self->list);
	return row ? g_object_get_data(G_OBJECT(row), "cpt-document") : NULL;
}

static void show_message(CptPartyDocuments *self, const char *text)
{
	gtk_label_set_text(self->message, text ? text : "");
}

static void update_buttons(CptPartyDocuments *self)
{
	gboolean has_party = self->party_id != 0;
	gboolean selected = selected_doc(self) != NULL;
	gtk_widget_set_sensitive(self->add, has_party && !self->frozen);
	gtk_widget_set_sensitive(self->save, selected);
	gtk_widget_set_sensitive(self->del, selected);
	gtk_spinner_set_spinning(self->spinner, self->loading > 0);
}

static GtkWidget *cell(const char *name, const char *text, gboolean expand)
{
	GtkWidget *l = gtk_label_new(text);
	gtk_widget_set_name(l, name);
	gtk_label_set_xalign(GTK_LABEL(l), expand ? 0 : 1);
	gtk_label_set_ellipsize(GTK_LABEL(l),
				expand ? PANGO_ELLIPSIZE_MIDDLE : PANGO_ELLIPSIZE_NONE);
	gtk_widget_set_hexpand(l, expand);
	return l;
}

static void add_row(CptPartyDocuments *self, const Comptoir__Parties__Document *d)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 18);
	g_object_set(box, "margin-top", 4, "margin-bottom", 4, "margin-start", 6, "margin-end", 6,
		     NULL);
	g_autofree char *size = cpt_ui_size((guint64)d->size);
	g_autofree char *date = cpt_ui_date(d->created_at);
	GtkWidget *size_label = cell("document.size", size, FALSE);
	gtk_label_set_width_chars(GTK_LABEL(size_label), 10);
	gtk_box_append(GTK_BOX(box), cell("document.name", d->name, TRUE));
	gtk_box_append(GTK_BOX(box), size_label);
	gtk_box_append(GTK_BOX(box), cell("document.created_at", date, FALSE));
	g_autofree char *tip = g_strdup_printf(_("%s\nAjouté par %s\nSHA-256 : %s"), d->mime_type,
					       d->created_by, d->sha256);
	gtk_widget_set_tooltip_text(box, tip);
	GtkWidget *row = gtk_list_box_row_new();
	gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), box);
	RowDoc *rd = g_new0(RowDoc, 1);
	rd->id = d->id;
	rd->name = g_strdup(d->name);
	g_object_set_data_full(G_OBJECT(row), "cpt-document", rd, row_doc_free);
	gtk_list_box_append(self->list, row);
	self->n_rows++;
}

static void clear_rows(CptPartyDocuments *self)
{
	GtkListBoxRow *row;
	while ((row = gtk_list_box_get_row_at_index(self->list, 0))) {
		gtk_list_box_remove(self->list, GTK_WIDGET(row));
	}
	self->n_rows = 0;
}

/* ---------------------------------------------------------------------------
 * Listing
 */

typedef struct {
	CptPartyDocuments *self; /* a reference */
	guint generation;
} ListCall;

static void on_listed(GObject *source, GAsyncResult *res, gpointer data)
{
	ListCall *lc = data;
	CptPartyDocuments *self = lc->self;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	self->loading--;
	if (!self->disposed && lc->generation == self->generation) {
		if (r->status.code != CPT_OK) {
			show_message(self, cpt_ui_status_text(&r->status));
		} else {
			const Comptoir__Parties__ListDocumentsReply *l = (const void *)r->output;
			clear_rows(self);
			for (size_t i = 0; i < l->n_documents; i++) {
				add_row(self, l->documents[i]);
			}
			self->max_size = l->max_size;
			gtk_label_set_text(self->placeholder, _("Aucun document joint."));
		}
	}
	if (!self->disposed) {
		update_buttons(self);
	}
	g_object_unref(self);
	g_free(lc);
}

void cpt_party_documents_reload(CptPartyDocuments *self)
{
	self->generation++;
	if (!self->party_id) {
		clear_rows(self);
		gtk_label_set_text(self->placeholder,
				   _("Enregistrez la fiche pour pouvoir y joindre des documents."));
		update_buttons(self);
		return;
	}
	Comptoir__Parties__ListDocumentsRequest req =
	    COMPTOIR__PARTIES__LIST_DOCUMENTS_REQUEST__INIT;
	req.party_id = self->party_id;
	g_autofree char *method = g_strdup_printf("%s/ListDocuments", self->service);
	ListCall *lc = g_new0(ListCall, 1);
	lc->self = g_object_ref(self);
	lc->generation = self->generation;
	self->loading++;
	update_buttons(self);
	cpt_conn_call_async(self->conn, method, &req.base,
			    &comptoir__parties__list_documents_reply__descriptor, NULL, on_listed,
			    lc);
}

void cpt_party_documents_set_party(CptPartyDocuments *self, gint64 party_id, gboolean frozen)
{
	gboolean changed = party_id != self->party_id;
	self->party_id = party_id;
	self->frozen = frozen;
	if (changed || frozen) {
		cpt_party_documents_reload(self);
	}
	update_buttons(self);
}

static void on_event(CptConn *conn, const char *topic, gint64 id, const char *action, gpointer data)
{
	CptPartyDocuments *self = data;
	if (self->party_id && id == self->party_id && g_strcmp0(topic, self->topic) == 0) {
		cpt_party_documents_reload(self);
	}
}

/* ---------------------------------------------------------------------------
 * Adding: query the file, read it, send it — each step off the main loop's back
 */

typedef struct {
	CptPartyDocuments *self; /* a reference */
	GFile *file;
	char *name;
	char *mime;
} Upload;

static void upload_free(Upload *u)
{
	g_object_unref(u->self);
	g_clear_object(&u->file);
	g_free(u->name);
	g_free(u->mime);
	g_free(u);
}

/* What the server accepts; before the first list, what a frame can carry. */
static guint64 size_limit(CptPartyDocuments *self)
{
	return self->max_size > 0 ? (guint64)self->max_size
				  : CPT_FRAME_DEFAULT_MAX - CPT_DOCUMENT_FRAME_RESERVE;
}

static gboolean refuse_size(Upload *u, guint64 size)
{
	guint64 max = size_limit(u->self);
	if (size <= max) {
		return FALSE;
	}
	g_autofree char *have = cpt_ui_size(size);
	g_autofree char *limit = cpt_ui_size(max);
	g_autofree char *text = g_strdup_printf(_("« %s » est trop volumineux (%s) : %s au plus."),
						u->name, have, limit);
	show_message(u->self, text);
	return TRUE;
}

static void on_added(GObject *source, GAsyncResult *res, gpointer data)
{
	Upload *u = data;
	CptPartyDocuments *self = u->self;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	self->loading--;
	if (!self->disposed) {
		if (r->status.code != CPT_OK) {
			show_message(self, cpt_ui_status_text(&r->status));
		} else {
			g_autofree char *text = g_strdup_printf(_("« %s » joint."), u->name);
			show_message(self, text);
			cpt_party_documents_reload(self);
		}
		update_buttons(self);
	}
	upload_free(u);
}

static void on_file_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	Upload *u = data;
	CptPartyDocuments *self = u->self;
	g_autoptr(GError) err = NULL;
	char *contents = NULL;
	gsize len = 0;
	if (!g_file_load_contents_finish(G_FILE(source), res, &contents, &len, NULL, &err)) {
		if (!self->disposed) {
			g_autofree char *text = g_strdup_printf(
			    _("Lecture de « %s » impossible : %s"), u->name, err->message);
			show_message(self, text);
		}
		upload_free(u);
		return;
	}
	if (self->disposed || refuse_size(u, len)) {
		g_free(contents);
		upload_free(u);
		return;
	}
	Comptoir__Parties__Document d = COMPTOIR__PARTIES__DOCUMENT__INIT;
	d.party_id = self->party_id;
	d.name = u->name;
	d.mime_type = u->mime;
	d.content.data = (uint8_t *)contents;
	d.content.len = len;
	Comptoir__Parties__AddDocumentRequest req = COMPTOIR__PARTIES__ADD_DOCUMENT_REQUEST__INIT;
	req.document = &d;
	g_autofree char *method = g_strdup_printf("%s/AddDocument", self->service);
	g_autofree char *text = g_strdup_printf(_("Envoi de « %s »…"), u->name);
	show_message(self, text);
	self->loading++;
	update_buttons(self);
	/* The request is packed at once: the file's bytes can go. */
	cpt_conn_call_async(self->conn, method, &req.base,
			    &comptoir__parties__document_reply__descriptor, NULL, on_added, u);
	g_free(contents);
}

static void on_file_info(GObject *source, GAsyncResult *res, gpointer data)
{
	Upload *u = data;
	CptPartyDocuments *self = u->self;
	g_autoptr(GError) err = NULL;
	g_autoptr(GFileInfo) info = g_file_query_info_finish(G_FILE(source), res, &err);
	if (self->disposed) {
		upload_free(u);
		return;
	}
	if (!info) {
		g_autofree char *text =
		    g_strdup_printf(_("Fichier illisible : %s"), err ? err->message : "");
		show_message(self, text);
		upload_free(u);
		return;
	}
	u->name = g_strdup(g_file_info_get_display_name(info));
	const char *type = g_file_info_get_content_type(info);
	g_autofree char *mime = type ? g_content_type_get_mime_type(type) : NULL;
	u->mime = g_strdup(mime ? mime : "");
	if (refuse_size(u, (guint64)g_file_info_get_size(info))) {
		upload_free(u);
		return;
	}
	g_file_load_contents_async(u->file, self->cancel, on_file_loaded, u);
}

void cpt_party_documents_add_file(CptPartyDocuments *self, GFile *file)
{
	if (!self->party_id || self->frozen) {
		return;
	}
	Upload *u = g_new0(Upload, 1);
	u->self = g_object_ref(self);
	u->file = g_object_ref(file);
	show_message(self, "");
	g_file_query_info_async(file, FILE_ATTRIBUTES, G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT,
				self->cancel, on_file_info, u);
}

/* GtkFileChooserNative is what GTK 4.8 has; later versions deprecate it. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void on_open_response(GtkNativeDialog *dialog, int response, gpointer data)
{
	CptPartyDocuments *self = data;
	if (response == GTK_RESPONSE_ACCEPT && !self->disposed) {
		g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
		if (file) {
			cpt_party_documents_add_file(self, file);
		}
	}
	g_object_unref(dialog);
	g_object_unref(self);
}

static GtkWindow *parent_window(CptPartyDocuments *self)
{
	GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
	return GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL;
}

static void on_add_clicked(GtkButton *b, gpointer data)
{
	CptPartyDocuments *self = data;
	GtkFileChooserNative *chooser =
	    gtk_file_chooser_native_new(_("Joindre un document"), parent_window(self),
					GTK_FILE_CHOOSER_ACTION_OPEN, _("_Joindre"), _("_Annuler"));
	gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(chooser), TRUE);
	g_signal_connect(chooser, "response", G_CALLBACK(on_open_response), g_object_ref(self));
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(chooser));
}

/* ---------------------------------------------------------------------------
 * Saving a copy: fetch it (the server checks its hash), write it asynchronously
 */

typedef struct {
	CptPartyDocuments *self; /* a reference */
	GFile *dest;
} Download;

static void download_free(Download *d)
{
	g_object_unref(d->self);
	g_object_unref(d->dest);
	g_free(d);
}

static void on_written(GObject *source, GAsyncResult *res, gpointer data)
{
	Download *d = data;
	g_autoptr(GError) err = NULL;
	gboolean ok = g_file_replace_contents_finish(G_FILE(source), res, NULL, &err);
	CptPartyDocuments *self = d->self;
	self->loading--;
	if (!self->disposed) {
		g_autofree char *where = g_file_get_parse_name(d->dest);
		g_autofree char *text =
		    ok ? g_strdup_printf(_("Document enregistré dans %s"), where)
		       : g_strdup_printf(_("Écriture de %s impossible : %s"), where, err->message);
		show_message(self, text);
		update_buttons(self);
	}
	download_free(d);
}

static void on_fetched(GObject *source, GAsyncResult *res, gpointer data)
{
	Download *d = data;
	CptPartyDocuments *self = d->self;
	CptCallResult *r = cpt_conn_call_finish(CPT_CONN(source), res);
	if (self->disposed || r->status.code != CPT_OK) {
		self->loading--;
		if (!self->disposed) {
			show_message(self, cpt_ui_status_text(&r->status));
			update_buttons(self);
		}
		cpt_call_result_free(r);
		download_free(d);
		return;
	}
	const Comptoir__Parties__Document *doc =
	    ((Comptoir__Parties__DocumentReply *)r->output)->document;
	/* The bytes stay in the reply, which the GBytes frees once written. */
	g_autoptr(GBytes) bytes = g_bytes_new_with_free_func(
	    doc->content.data, doc->content.len, (GDestroyNotify)cpt_call_result_free, r);
	g_file_replace_contents_bytes_async(d->dest, bytes, NULL, FALSE,
					    G_FILE_CREATE_REPLACE_DESTINATION, self->cancel,
					    on_written, d);
}

void cpt_party_documents_save_selected(CptPartyDocuments *self, GFile *dest)
{
	const RowDoc *doc = selected_doc(self);
	if (!doc) {
		return;
	}
	Comptoir__Parties__DocumentRequest req = COMPTOIR__PARTIES__DOCUMENT_REQUEST__INIT;
	req.id = doc->id;
	g_autofree char *method = g_strdup_printf("%s/GetDocument", self->service);
	Download *d = g_new0(Download, 1);
	d->self = g_object_ref(self);
	d->dest = g_object_ref(dest);
	self->loading++;
	update_buttons(self);
	show_message(self, "");
	cpt_conn_call_async(self->conn, method, &req.base,
			    &comptoir__parties__document_reply__descriptor, NULL, on_fetched, d);
}

static void on_save_response(GtkNativeDialog *dialog, int response, gpointer data)
{
	CptPartyDocuments *self = data;
	if (response == GTK_RESPONSE_ACCEPT && !self->disposed) {
		g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
		if (file) {
			cpt_party_documents_save_selected(self, file);
		}
	}
	g_object_unref(dialog);
	g_object_unref(self);
}

static void on_save_clicked(GtkButton *b, gpointer data)
{
	CptPartyDocuments *self = data;
	const RowDoc *doc = selected_doc(self);
	if (!doc) {
		return;
	}
	GtkFileChooserNative *chooser = gtk_file_chooser_native_new(
	    _("Enregistrer le document sous"), parent_window(self), GTK_FILE_CHOOSER_ACTION_SAVE,
	    _("_Enregistrer"), _("_Annuler"));
	gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(chooser), TRUE);
	gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(chooser), doc->name);
	g_signal_connect(chooser, "response", G_CALLBACK(on_save_response), g_object_ref(self));
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(chooser));
}

G_GNUC_END_IGNORE_DEPRECATIONS

static void on_row_activated(GtkListBox *list, GtkListBoxRow *row, gpointer data)
{
	on_save_clicked(NULL, data);
}

/* ---------------------------------------------------------------------------
 * Deleting, after asking
 */

typedef struct {
	CptPartyDocuments *self; /* a reference */
	gint64 id;
	char *name;
} Removal;

static void removal_free(gpointer p)
{
	Removal *rm = p;
	g_object_unref(rm->self);
	g_free(rm->name);
	g_free(rm);
}

static void on_deleted(GObject *source, GAsyncResult *res, gpointer data)
{
	Removal *rm = data;
	CptPartyDocuments *self = rm->self;
	g_autoptr(CptCallResult) r = cpt_conn_call_finish(CPT_CONN(source), res);
	self->loading--;
	if (!self->disposed) {
		if (r->status.code != CPT_OK) {
			show_message(self, cpt_ui_status_text(&r->status));
		} else {
			g_autofree char *text = g_strdup_printf(_("« %s » supprimé."), rm->name);
			show_message(self, text);
			cpt_party_documents_reload(self);
		}
		update_buttons(self);
	}
	removal_free(rm);
}

static void delete_confirmed(GtkWindow *dialog, gpointer data)
{
	Removal *asked = data;
	CptPartyDocuments *self = asked->self;
	if (self->disposed) {
		return;
	}
	Removal *rm = g_new0(Removal, 1);
	rm->self = g_object_ref(self);
	rm->id = asked->id;
	rm->name = g_strdup(asked->name);
	Comptoir__Parties__DocumentRequest req = COMPTOIR__PARTIES__DOCUMENT_REQUEST__INIT;
	req.id = rm->id;
	g_autofree char *method = g_strdup_printf("%s/DeleteDocument", self->service);
	self->loading++;
	update_buttons(self);
	cpt_conn_call_async(self->conn, method, &req.base, &comptoir__rpc__empty__descriptor, NULL,
			    on_deleted, rm);
}

static void on_delete_clicked(GtkButton *b, gpointer data)
{
	CptPartyDocuments *self = data;
	const RowDoc *doc = selected_doc(self);
	if (!doc) {
		return;
	}
	Removal *asked = g_new0(Removal, 1);
	asked->self = g_object_ref(self);
	asked->id = doc->id;
	asked->name = g_strdup(doc->name);
	g_autofree char *text = g_strdup_printf(
	    _("Supprimer le document « %s » ? Il ne pourra pas être récupéré."), doc->name);
	cpt_ui_confirm(GTK_WIDGET(self), _("Supprimer le document"), text, NULL, _("_Supprimer"),
		       TRUE, delete_confirmed, asked, removal_free);
}

/* ---------------------------------------------------------------------------
 * The widget
 */

gboolean cpt_party_documents_is_loading(CptPartyDocuments *self)
{
	return self->loading > 0;
}

guint cpt_party_documents_get_count(CptPartyDocuments *self)
{
	return self->n_rows;
}

const char *cpt_party_documents_get_message(CptPartyDocuments *self)
{
	return gtk_label_get_text(self->message);
}

static void on_selected(GtkListBox *list, GtkListBoxRow *row, gpointer data)
{
	update_buttons(data);
}

static void cpt_party_documents_dispose(GObject *object)
{
	CptPartyDocuments *self = CPT_PARTY_DOCUMENTS(object);
	self->disposed = TRUE;
	if (self->cancel) {
		g_cancellable_cancel(self->cancel);
		g_clear_object(&self->cancel);
	}
	if (self->conn) {
		g_signal_handlers_disconnect_by_data(self->conn, self);
		g_clear_object(&self->conn);
	}
	G_OBJECT_CLASS(cpt_party_documents_parent_class)->dispose(object);
}

static void cpt_party_documents_finalize(GObject *object)
{
	CptPartyDocuments *self = CPT_PARTY_DOCUMENTS(object);
	g_free(self->service);
	g_free(self->topic);
	G_OBJECT_CLASS(cpt_party_documents_parent_class)->finalize(object);
}

static void cpt_party_documents_class_init(CptPartyDocumentsClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = cpt_party_documents_dispose;
	G_OBJECT_CLASS(klass)->finalize = cpt_party_documents_finalize;
}

static void cpt_party_documents_init(CptPartyDocuments *self)
{
	gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
	gtk_box_set_spacing(GTK_BOX(self), 6);
	self->cancel = g_cancellable_new();
}

GtkWidget *cpt_party_documents_new(CptConn *conn, const char *service, const char *topic,
				   gboolean writable)
{
	CptPartyDocuments *self = g_object_new(CPT_TYPE_PARTY_DOCUMENTS, NULL);
	self->conn = g_object_ref(conn);
	self->service = g_strdup(service);
	self->topic = g_strdup(topic);
	self->writable = writable;

	GtkWidget *head = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	GtkWidget *title = gtk_label_new(_("Documents"));
	gtk_widget_add_css_class(title, "heading");
	gtk_label_set_xalign(GTK_LABEL(title), 0);
	gtk_widget_set_hexpand(title, TRUE);
	gtk_box_append(GTK_BOX(head), title);
	self->spinner = GTK_SPINNER(gtk_spinner_new());
	gtk_box_append(GTK_BOX(head), GTK_WIDGET(self->spinner));
	self->add = gtk_button_new_with_mnemonic(_("_Ajouter…"));
	gtk_widget_set_name(self->add, "documents.add");
	gtk_widget_set_tooltip_text(self->add, _("Joindre un fichier à la fiche"));
	g_signal_connect(self->add, "clicked", G_CALLBACK(on_add_clicked), self);
	self->save = gtk_button_new_with_mnemonic(_("Enregistrer _sous…"));
	gtk_widget_set_name(self->save, "documents.save");
	g_signal_connect(self->save, "clicked", G_CALLBACK(on_save_clicked), self);
	self->del = gtk_button_new_with_mnemonic(_("Supprimer"));
	gtk_widget_set_name(self->del, "documents.delete");
	g_signal_connect(self->del, "clicked", G_CALLBACK(on_delete_clicked), self);
	gtk_box_append(GTK_BOX(head), self->add);
	gtk_box_append(GTK_BOX(head), self->save);
	gtk_box_append(GTK_BOX(head), self->del);
	gtk_widget_set_visible(self->add, writable);
	gtk_widget_set_visible(self->del, writable);
	gtk_box_append(GTK_BOX(self), head);

	self->list = GTK_LIST_BOX(gtk_list_box_new());
	gtk_widget_set_name(GTK_WIDGET(self->list), "documents.list");
	gtk_widget_add_css_class(GTK_WIDGET(self->list), "boxed-list");
	gtk_list_box_set_selection_mode(self->list, GTK_SELECTION_SINGLE);
	self->placeholder = GTK_LABEL(gtk_label_new(NULL));
	gtk_widget_add_css_class(GTK_WIDGET(self->placeholder), "dim-label");
	g_object_set(self->placeholder, "margin-top", 12, "margin-bottom", 12, NULL);
	gtk_list_box_set_placeholder(self->list, GTK_WIDGET(self->placeholder));
	g_signal_connect(self->list, "row-selected", G_CALLBACK(on_selected), self);
	g_signal_connect(self->list, "row-activated", G_CALLBACK(on_row_activated), self);
	GtkWidget *frame = gtk_frame_new(NULL);
	gtk_frame_set_child(GTK_FRAME(frame), GTK_WIDGET(self->list));
	gtk_box_append(GTK_BOX(self), frame);

	self->message = GTK_LABEL(gtk_label_new(NULL));
	gtk_widget_set_name(GTK_WIDGET(self->message), "documents.message");
	gtk_label_set_xalign(self->message, 0);
	gtk_label_set_wrap(self->message, TRUE);
	gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->message));

	g_signal_connect(conn, "event", G_CALLBACK(on_event), self);
	cpt_party_documents_reload(self);
	return GTK_WIDGET(self);
}
