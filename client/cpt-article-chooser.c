/* The article chooser; see cpt-article-chooser.h. */
#include "cpt-article-chooser.h"

#include "money.h"

#include <glib/gi18n.h>

#define CHOOSER_ROWS 50 /* the search's first rows; typing more narrows it */

typedef struct {
	CptCallResult *answer;
	const Comptoir__Articles__ListArticlesReply *rep; /* in answer */
	CptArticleChosen chosen;
	gpointer data;
	GDestroyNotify destroy;
} Chooser;

static void chooser_free(gpointer p)
{
	Chooser *c = p;
	if (c->destroy) {
		c->destroy(c->data);
	}
	cpt_call_result_free(c->answer);
	g_free(c);
}

static gboolean unparent_later(gpointer popover)
{
	if (gtk_widget_get_parent(popover)) {
		gtk_widget_unparent(popover);
	}
	g_object_unref(popover);
	return G_SOURCE_REMOVE;
}

/* The cell goes first (its line removed, the lines rebuilt, the window closed): with it. */
static void on_anchor_destroy(GtkWidget *anchor, gpointer popover)
{
	if (gtk_widget_get_parent(popover) == anchor) {
		gtk_popover_popdown(popover); /* its grab let go first */
		gtk_widget_unparent(popover);
	}
}

static void on_closed(GtkPopover *popover, gpointer data)
{
	/* Not while GTK is still closing it. */
	g_idle_add(unparent_later, g_object_ref(popover));
}

static void on_activated(GtkListBox *list, GtkListBoxRow *row, gpointer data)
{
	GtkPopover *popover = data;
	Chooser *c = g_object_get_data(G_OBJECT(popover), "cpt-chooser");
	int i = gtk_list_box_row_get_index(row);
	CptArticleChosen chosen = c->chosen;
	c->chosen = NULL; /* once */
	gtk_popover_popdown(popover);
	if (chosen && i >= 0 && (size_t)i < c->rep->n_articles) {
		chosen(c->rep->articles[i], c->data);
	}
}

static GtkWidget *row_of(const Comptoir__Articles__ArticleSummary *a)
{
	char price[CPT_MONEY_FORMAT_SIZE] = "";
	cpt_money_format_price(a->sale_price, price, sizeof price);
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	GtkWidget *code = gtk_label_new(a->code);
	gtk_widget_add_css_class(code, "heading");
	gtk_label_set_xalign(GTK_LABEL(code), 0);
	gtk_label_set_width_chars(GTK_LABEL(code), 12);
	g_autofree char *text =
	    a->archived ? g_strdup_printf(_("%s (archivé)"), a->label) : g_strdup(a->label);
	GtkWidget *label = gtk_label_new(text);
	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
	gtk_label_set_width_chars(GTK_LABEL(label), 32); /* ellipsized labels ask for no room */
	gtk_label_set_max_width_chars(GTK_LABEL(label), 48);
	gtk_widget_set_hexpand(label, TRUE);
	g_autofree char *amount = g_strdup_printf("%s €", price);
	GtkWidget *p = gtk_label_new(amount);
	gtk_label_set_xalign(GTK_LABEL(p), 1);
	gtk_widget_add_css_class(p, "numeric");
	gtk_box_append(GTK_BOX(box), code);
	gtk_box_append(GTK_BOX(box), label);
	gtk_box_append(GTK_BOX(box), p);
	return box;
}

void cpt_article_chooser_popup(GtkWidget *anchor, CptCallResult *r, CptArticleChosen chosen,
			       gpointer data, GDestroyNotify destroy)
{
	Chooser *c = g_new0(Chooser, 1);
	c->answer = r;
	c->rep = (const void *)r->output;
	c->chosen = chosen;
	c->data = data;
	c->destroy = destroy;

	GtkWidget *list = gtk_list_box_new();
	gtk_widget_set_name(list, "article-chooser");
	gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_BROWSE);
	gtk_list_box_set_activate_on_single_click(GTK_LIST_BOX(list), TRUE);
	for (size_t i = 0; i < c->rep->n_articles && i < CHOOSER_ROWS; i++) {
		gtk_list_box_append(GTK_LIST_BOX(list), row_of(c->rep->articles[i]));
	}
	GtkWidget *scroll = gtk_scrolled_window_new();
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll), GTK_POLICY_NEVER,
				       GTK_POLICY_AUTOMATIC);
	gtk_scrolled_window_set_propagate_natural_height(GTK_SCROLLED_WINDOW(scroll), TRUE);
	gtk_scrolled_window_set_max_content_height(GTK_SCROLLED_WINDOW(scroll), 320);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), list);
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	g_autofree char *title = g_strdup_printf(ngettext("%u article répond : lequel ?",
							  "%u articles répondent : lequel ?",
							  (unsigned)c->rep->n_articles),
						 (unsigned)c->rep->n_articles);
	GtkWidget *head = gtk_label_new(title);
	gtk_label_set_xalign(GTK_LABEL(head), 0);
	gtk_widget_add_css_class(head, "dim-label");
	gtk_box_append(GTK_BOX(box), head);
	gtk_box_append(GTK_BOX(box), scroll);

	GtkWidget *popover = gtk_popover_new();
	gtk_popover_set_child(GTK_POPOVER(popover), box);
	gtk_popover_set_position(GTK_POPOVER(popover), GTK_POS_BOTTOM);
	gtk_widget_set_parent(popover, anchor);
	g_signal_connect_object(anchor, "destroy", G_CALLBACK(on_anchor_destroy), popover, 0);
	g_object_set_data_full(G_OBJECT(popover), "cpt-chooser", c, chooser_free);
	g_signal_connect(list, "row-activated", G_CALLBACK(on_activated), popover);
	g_signal_connect(popover, "closed", G_CALLBACK(on_closed), NULL);
	gtk_popover_popup(GTK_POPOVER(popover));
	GtkListBoxRow *first = gtk_list_box_get_row_at_index(GTK_LIST_BOX(list), 0);
	if (first) {
		gtk_list_box_select_row(GTK_LIST_BOX(list), first);
		gtk_widget_grab_focus(GTK_WIDGET(first));
	}
}
