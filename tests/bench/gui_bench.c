/*
 * Client benchmarks: launch to a usable main window, first page of a
 * 100 000-row list, and memory while scrolling that list end to end. The real
 * client in this process, under Xvfb, against a real comptoird.
 */
#include "cpt-admin-page.h"
#include "cpt-admin-sources.h"
#include "cpt-app.h"
#include "cpt-settings.h"
#include "testenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cpt_testenv env;
static CptApp *app;

typedef gboolean (*Cond)(gpointer);

static gboolean wait_for(Cond cond, gpointer data, int timeout_ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	while (g_get_monotonic_time() < end) {
		while (g_main_context_iteration(NULL, FALSE)) {
		}
		if (cond(data)) {
			return TRUE;
		}
		g_usleep(200);
	}
	return FALSE;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	while (f && fgets(line, sizeof line, f)) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kib = strtol(line + 6, NULL, 10);
		}
	}
	if (f) {
		fclose(f);
	}
	return kib;
}

static gboolean page_is(gpointer name)
{
	CptWelcome *w = cpt_app_get_welcome(app);
	return w && g_str_equal(cpt_welcome_get_page(w), name);
}

static CptListView *users(void)
{
	CptWindow *win = cpt_app_get_window(app);
	GtkWidget *m = win ? cpt_window_get_module(win, "admin") : NULL;
	return m ? cpt_admin_page_get_users(CPT_ADMIN_PAGE(m)) : NULL;
}

static gboolean first_page_shown(gpointer data)
{
	CptListView *v = users();
	if (!v) {
		return FALSE;
	}
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(v));
	if (g_list_model_get_n_items(m) == 0) {
		return FALSE;
	}
	g_autoptr(CptRow) r = g_list_model_get_item(m, 0);
	return !r->loading;
}

typedef struct {
	GListModel *m;
	guint pos;
} At;

static gboolean loaded_at(gpointer data)
{
	At *a = data;
	g_autoptr(CptRow) r = g_list_model_get_item(a->m, a->pos);
	return !r->loading;
}

static gboolean idle(gpointer model)
{
	return !cpt_paged_model_is_loading(model);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static GtkWidget *child(gpointer w, const char *name)
{
	return GTK_WIDGET(gtk_widget_get_template_child(GTK_WIDGET(w), CPT_TYPE_WELCOME, name));
}

int main(void)
{
	if (cpt_testenv_start(&env, "guibench", NULL) != 0) {
		return 1;
	}
	PGconn *c = cpt_testenv_sql(&env);
	PGresult *r =
	    PQexec(c, "WITH u AS (INSERT INTO app_user (login, display_name, email,"
		      " password_hash) SELECT 'u' || lpad(i::text, 6, '0'), 'Utilisateur ' || i,"
		      " 'u' || i || '@example.fr', 'x' FROM generate_series(1, 100000) i"
		      " RETURNING id) INSERT INTO user_company_role (user_id, company_id, role_id)"
		      " SELECT u.id, (SELECT min(id) FROM company),"
		      " (SELECT id FROM role WHERE name = 'Consultation') FROM u");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "%s", PQresultErrorMessage(r));
		return 1;
	}
	PQclear(r);
	PQclear(PQexec(c, "ANALYZE"));
	PQfinish(c);

	g_autofree char *config = g_strdup_printf("%s/config", env.dir);
	g_setenv("XDG_CONFIG_HOME", config, TRUE);
	cpt_known_host_set("127.0.0.1", env.port, env.fingerprint);
	cpt_settings_set_string("host", "127.0.0.1");
	cpt_settings_set_int("port", env.port);
	cpt_settings_set_string("login", "admin");

	gint64 t0 = g_get_monotonic_time();
	gtk_init();
	app = cpt_app_new();
	g_application_register(G_APPLICATION(app), NULL, NULL);
	g_application_activate(G_APPLICATION(app));
	CptWelcome *w = cpt_app_get_welcome(app);
	g_signal_emit_by_name(child(w, "connect_button"), "clicked");
	if (!wait_for(page_is, "login", 10000)) {
		fprintf(stderr, "no login page\n");
		return 1;
	}
	gint64 t_login = g_get_monotonic_time();
	gtk_editable_set_text(GTK_EDITABLE(child(w, "password_entry")), env.admin_password);
	g_signal_emit_by_name(child(w, "login_button"), "clicked");
	gint64 t_clicked = g_get_monotonic_time();
	CptWindow *win = NULL;
	while (!(win = cpt_app_get_window(app)) && g_get_monotonic_time() - t_clicked < 10000000) {
		g_main_context_iteration(NULL, FALSE);
	}
	if (!win) {
		fprintf(stderr, "no main window\n");
		return 1;
	}
	cpt_window_show_module(win, "admin");
	wait_for(first_page_shown, NULL, 10000);
	gint64 t_ready = g_get_monotonic_time();

	printf("| client | figure |\n|---|---|\n");
	printf("| start to login form usable (TLS connect, pinned) | %.0f ms |\n",
	       (t_login - t0) / 1000.0);
	printf("| login click to main window with first page of 100 000 users | %.0f ms |\n",
	       (t_ready - t_clicked) / 1000.0);

	/* First page of the list: search cleared, reload, first rows shown. */
	CptListView *v = users();
	GListModel *m = G_LIST_MODEL(cpt_list_view_get_model(v));
	double first[15];
	for (int i = 0; i < 15; i++) {
		/* The count of the previous query runs after its first page: let it end. */
		wait_for(idle, cpt_list_view_get_model(v), 10000);
		gint64 s = g_get_monotonic_time();
		cpt_list_view_sort_by(v, "login", i % 2);
		wait_for(first_page_shown, NULL, 10000);
		first[i] = (g_get_monotonic_time() - s) / 1000.0;
	}
	qsort(first, 15, sizeof first[0], cmp_double);
	printf("| first page of the 100 000-row list after a sort (median of 15) | %.1f ms |\n",
	       first[7]);
	printf("| same, slowest of 15 | %.1f ms |\n", first[14]);

	/* Scroll end to end, a block at a time, as a steady scroll would ask. */
	cpt_list_view_sort_by(v, "login", FALSE);
	wait_for(first_page_shown, NULL, 10000);
	wait_for(idle, cpt_list_view_get_model(v), 10000); /* the count too */
	guint n = g_list_model_get_n_items(m);
	long rss_start = rss_kib(), rss_max = rss_start;
	gint64 s = g_get_monotonic_time();
	for (guint pos = 0; pos < n; pos += 50) {
		At a = {m, pos};
		g_autoptr(CptRow) row = g_list_model_get_item(m, pos);
		if (!wait_for(loaded_at, &a, 10000)) {
			fprintf(stderr, "row %u never came: %s\n", pos,
				cpt_paged_model_get_error(cpt_list_view_get_model(v)));
			return 1;
		}
		if (pos % 5000 == 0) {
			long now = rss_kib();
			rss_max = now > rss_max ? now : rss_max;
		}
	}
	double secs = (g_get_monotonic_time() - s) / 1e6;
	printf("| scroll %u rows end to end | %.1f s, %u rows held at the end |\n", n, secs,
	       cpt_paged_model_get_loaded_rows(cpt_list_view_get_model(v)));
	printf("| client RSS before scrolling / highest while scrolling | %.1f / %.1f MiB |\n",
	       rss_start / 1024.0, rss_max / 1024.0);

	/* The same scroll on a model no view shows: what the network costs alone. */
	CptPagedModel *bare = cpt_paged_model_new(cpt_app_get_conn(app), &cpt_users_source);
	cpt_paged_model_set_query(bare, "", "login", FALSE);
	wait_for(idle, bare, 10000);
	GListModel *bm = G_LIST_MODEL(bare);
	while (g_list_model_get_n_items(bm) < n) {
		wait_for(idle, bare, 100);
	}
	s = g_get_monotonic_time();
	for (guint pos = 0; pos < n; pos += 50) {
		At a = {bm, pos};
		g_autoptr(CptRow) row = g_list_model_get_item(bm, pos);
		wait_for(loaded_at, &a, 10000);
	}
	printf("| same scroll, model without a view (network and server only) | %.1f s |\n",
	       (g_get_monotonic_time() - s) / 1e6);
	g_object_unref(bare);
	g_application_quit(G_APPLICATION(app));
	return cpt_testenv_stop(&env) == 0 ? 0 : 1;
}
