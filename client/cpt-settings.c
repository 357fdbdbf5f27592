/* Workstation settings and pinned certificates; see cpt-settings.h. */
#include "cpt-settings.h"

#include <string.h>

static char *config_path(const char *name)
{
	char *dir = g_build_filename(g_get_user_config_dir(), "comptoir", NULL);
	g_mkdir_with_parents(dir, 0700);
	char *path = g_build_filename(dir, name, NULL);
	g_free(dir);
	return path;
}

static GKeyFile *load(void)
{
	GKeyFile *kf = g_key_file_new();
	g_autofree char *path = config_path("client.ini");
	g_key_file_load_from_file(kf, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
	return kf;
}

static void save(GKeyFile *kf)
{
	g_autofree char *path = config_path("client.ini");
	g_key_file_save_to_file(kf, path, NULL);
}

char *cpt_settings_get_string(const char *key, const char *fallback)
{
	g_autoptr(GKeyFile) kf = load();
	char *v = g_key_file_get_string(kf, "client", key, NULL);
	return v ? v : g_strdup(fallback);
}

int cpt_settings_get_int(const char *key, int fallback)
{
	g_autoptr(GKeyFile) kf = load();
	g_autoptr(GError) err = NULL;
	int v = g_key_file_get_integer(kf, "client", key, &err);
	return err ? fallback : v;
}

void cpt_settings_set_string(const char *key, const char *value)
{
	g_autoptr(GKeyFile) kf = load();
	g_key_file_set_string(kf, "client", key, value);
	save(kf);
}

void cpt_settings_set_int(const char *key, int value)
{
	g_autoptr(GKeyFile) kf = load();
	g_key_file_set_integer(kf, "client", key, value);
	save(kf);
}

char *cpt_known_host_get(const char *host, int port)
{
	g_autofree char *path = config_path("known_hosts");
	g_autofree char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL)) {
		return NULL;
	}
	g_autofree char *name = g_strdup_printf("%s:%d", host, port);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		g_auto(GStrv) f = g_strsplit(g_strstrip(*l), " ", 2);
		if (f[0] && f[1] && strcmp(f[0], name) == 0) {
			return g_strdup(g_strstrip(f[1]));
		}
	}
	return NULL;
}

gboolean cpt_known_host_set(const char *host, int port, const char *fingerprint)
{
	g_autofree char *path = config_path("known_hosts");
	g_autofree char *text = NULL;
	g_file_get_contents(path, &text, NULL, NULL);
	g_autofree char *name = g_strdup_printf("%s:%d", host, port);
	GString *out = g_string_new(NULL);
	if (text) {
		g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
		for (char **l = lines; *l; l++) {
			if (**l && !g_str_has_prefix(*l, name)) {
				g_string_append_printf(out, "%s\n", *l);
			} else if (**l && (*l)[strlen(name)] != ' ') {
				g_string_append_printf(out, "%s\n", *l);
			}
		}
	}
	g_string_append_printf(out, "%s %s\n", name, fingerprint);
	gboolean ok = g_file_set_contents_full(path, out->str, -1, G_FILE_SET_CONTENTS_CONSISTENT,
					       0600, NULL);
	g_string_free(out, TRUE);
	return ok;
}
