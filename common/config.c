/* Configuration loading with GKeyFile; see config.h for the keys. */
#include "config.h"
#include "frame.h"
#include "log.h"

#include <errno.h>
#include <glib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cpt_config_defaults(cpt_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->listen = g_strdup("127.0.0.1");
	cfg->port = CPT_DEFAULT_PORT;
	cfg->certificate = g_strdup("/etc/comptoir/server.crt");
	cfg->private_key = g_strdup("/etc/comptoir/server.key");
	cfg->max_frame = CPT_FRAME_DEFAULT_MAX;
	cfg->max_inflight = 64;
	cfg->max_connections = 1000;
	cfg->handshake_timeout = 10;
	cfg->name = g_strdup("comptoir");
	cfg->max_document = CPT_DOCUMENT_DEFAULT_MAX;
	cfg->conninfo = g_strdup("dbname=comptoir");
	cfg->admin_conninfo = g_strdup("dbname=comptoir");
	cfg->pool_size = 8;
	cfg->lockout_attempts = 5;
	cfg->lockout_window = 15 * 60;
	cfg->lockout_duration = 15 * 60;
	cfg->session_idle = 12 * 3600;
	cfg->log_level = CPT_LOG_INFO;
	cfg->backup_directory = g_strdup("/var/backups/comptoir");
	cfg->backup_keep = 14;
}

void cpt_config_clear(cpt_config *cfg)
{
	g_free(cfg->path);
	g_free(cfg->listen);
	g_free(cfg->certificate);
	g_free(cfg->private_key);
	g_free(cfg->name);
	g_free(cfg->conninfo);
	g_free(cfg->admin_conninfo);
	g_free(cfg->backup_directory);
	memset(cfg, 0, sizeof *cfg);
}

static int bad_key(cpt_status *st, const char *group, const char *key, const char *why)
{
	char field[64];
	snprintf(field, sizeof field, "%s.%s", group, key);
	return cpt_status_set(st, CPT_INVALID_ARGUMENT, field, "configuration [%s] %s : %s", group,
			      key, why);
}

static int get_string(GKeyFile *kf, const char *group, const char *key, char **dst,
		      const char *base_dir, bool is_path, cpt_status *st)
{
	if (!g_key_file_has_key(kf, group, key, NULL)) {
		return 0;
	}
	char *v = g_key_file_get_string(kf, group, key, NULL);
	if (!v || !g_utf8_validate(v, -1, NULL)) {
		g_free(v);
		return bad_key(st, group, key, "valeur illisible");
	}
	g_strstrip(v);
	if (is_path && *v == '\0') {
		g_free(v);
		return bad_key(st, group, key, "chemin vide");
	}
	if (is_path && base_dir && !g_path_is_absolute(v)) {
		char *abs = g_build_filename(base_dir, v, NULL);
		g_free(v);
		v = abs;
	}
	g_free(*dst);
	*dst = v;
	return 0;
}

static int get_uint(GKeyFile *kf, const char *group, const char *key, unsigned *dst, unsigned min,
		    unsigned max, cpt_status *st)
{
	if (!g_key_file_has_key(kf, group, key, NULL)) {
		return 0;
	}
	g_autofree char *v = g_key_file_get_string(kf, group, key, NULL);
	if (!v) {
		return bad_key(st, group, key, "valeur illisible");
	}
	g_strstrip(v);
	char *end = NULL;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (*v == '\0' || *v == '-' || *end != '\0' || errno != 0 || n < min || n > max) {
		char why[96];
		snprintf(why, sizeof why, "entier attendu entre %u et %u", min, max);
		return bad_key(st, group, key, why);
	}
	*dst = (unsigned)n;
	return 0;
}

/*
 * A document travels in one frame: max_document must leave room for the
 * envelope in the server's frames and in the workstations' (fixed at
 * CPT_FRAME_DEFAULT_MAX). Set explicitly, a value beyond is refused; left to
 * its default, it shrinks with a smaller max_frame.
 */
static int check_max_document(cpt_config *cfg, GKeyFile *kf, cpt_status *st)
{
	unsigned frame =
	    cfg->max_frame < CPT_FRAME_DEFAULT_MAX ? cfg->max_frame : CPT_FRAME_DEFAULT_MAX;
	unsigned bound =
	    frame > CPT_DOCUMENT_FRAME_RESERVE ? frame - CPT_DOCUMENT_FRAME_RESERVE : 0;
	if (!g_key_file_has_key(kf, "server", "max_document", NULL)) {
		cfg->max_document = cfg->max_document < bound ? cfg->max_document : bound;
		return 0;
	}
	if (bound < 1) {
		return bad_key(st, "server", "max_document",
			       "max_frame trop petit pour transporter un document");
	}
	return get_uint(kf, "server", "max_document", &cfg->max_document, 1, bound, st);
}

static int apply(cpt_config *cfg, GKeyFile *kf, const char *base_dir, cpt_status *st)
{
	unsigned port = (unsigned)cfg->port;
	if (get_string(kf, "server", "listen", &cfg->listen, NULL, false, st) ||
	    get_uint(kf, "server", "port", &port, 1, 65535, st) ||
	    get_string(kf, "server", "certificate", &cfg->certificate, base_dir, true, st) ||
	    get_string(kf, "server", "private_key", &cfg->private_key, base_dir, true, st) ||
	    get_uint(kf, "server", "max_frame", &cfg->max_frame, 1024, 1u << 30, st) ||
	    get_uint(kf, "server", "max_inflight", &cfg->max_inflight, 1, 4096, st) ||
	    get_uint(kf, "server", "max_connections", &cfg->max_connections, 1, 100000, st) ||
	    get_uint(kf, "server", "handshake_timeout", &cfg->handshake_timeout, 1, 600, st) ||
	    get_string(kf, "server", "name", &cfg->name, NULL, false, st) ||
	    get_string(kf, "database", "conninfo", &cfg->conninfo, NULL, false, st) ||
	    get_string(kf, "database", "admin_conninfo", &cfg->admin_conninfo, NULL, false, st) ||
	    get_uint(kf, "database", "pool_size", &cfg->pool_size, 1, 256, st) ||
	    get_uint(kf, "security", "lockout_attempts", &cfg->lockout_attempts, 1, 1000, st) ||
	    get_uint(kf, "security", "lockout_window", &cfg->lockout_window, 1, 86400 * 30, st) ||
	    get_uint(kf, "security", "lockout_duration", &cfg->lockout_duration, 1, 86400 * 30,
		     st) ||
	    get_uint(kf, "security", "session_idle", &cfg->session_idle, 60, 86400 * 365, st) ||
	    get_string(kf, "backup", "directory", &cfg->backup_directory, base_dir, true, st) ||
	    get_uint(kf, "backup", "keep", &cfg->backup_keep, 1, 10000, st)) {
		return st->code;
	}
	cfg->port = (int)port;
	if (check_max_document(cfg, kf, st)) {
		return st->code;
	}
	if (g_key_file_has_key(kf, "log", "level", NULL)) {
		g_autofree char *v = g_key_file_get_string(kf, "log", "level", NULL);
		int level = v ? cpt_log_level_parse(g_strstrip(v)) : -1;
		if (level < 0) {
			return bad_key(st, "log", "level", "attendu debug, info, warn ou error");
		}
		cfg->log_level = level;
	}
	return 0;
}

int cpt_config_parse(cpt_config *cfg, const char *text, const char *base_dir, cpt_status *st)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	cpt_config_defaults(cfg);
	if (!g_key_file_load_from_data(kf, text, strlen(text), G_KEY_FILE_NONE, &err)) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "config",
				      "configuration illisible : %s", err->message);
	}
	cpt_config tmp = *cfg;
	/* Work on a copy so a failure leaves the defaults intact. */
	tmp.listen = g_strdup(cfg->listen);
	tmp.certificate = g_strdup(cfg->certificate);
	tmp.private_key = g_strdup(cfg->private_key);
	tmp.name = g_strdup(cfg->name);
	tmp.conninfo = g_strdup(cfg->conninfo);
	tmp.admin_conninfo = g_strdup(cfg->admin_conninfo);
	tmp.backup_directory = g_strdup(cfg->backup_directory);
	if (apply(&tmp, kf, base_dir, st) != 0) {
		cpt_config_clear(&tmp);
		return st->code;
	}
	cpt_config_clear(cfg);
	*cfg = tmp;
	return 0;
}

int cpt_config_load(cpt_config *cfg, const char *path, cpt_status *st)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) err = NULL;
	if (!g_file_get_contents(path, &text, NULL, &err)) {
		cpt_config_defaults(cfg);
		return cpt_status_set(st, CPT_NOT_FOUND, "config", "configuration %s : %s", path,
				      err->message);
	}
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *absdir = g_canonicalize_filename(dir, NULL);
	if (cpt_config_parse(cfg, text, absdir, st) != 0) {
		return st->code;
	}
	cfg->path = g_canonicalize_filename(path, NULL);
	return 0;
}
