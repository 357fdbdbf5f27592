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
#include <unistd.h>

unsigned cpt_config_default_pool(void)
{
	/* Two connections a core: more only queue on the chain's and the rows'
	 * locks and the CPU (BENCHMARKS.md, issue 5: 4 beats 6 and 8 on 2 cores). */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = cores > 0 ? 2u * (unsigned)cores : 4u;
	return n < 4 ? 4 : n > 16 ? 16 : n;
}

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
	cfg->pool_size = cpt_config_default_pool();
	cfg->lockout_attempts = 5;
	cfg->lockout_window = 15 * 60;
	cfg->lockout_duration = 15 * 60;
	cfg->session_idle = 12 * 3600;
	cfg->log_level = CPT_LOG_INFO;
	cfg->backup_directory = g_strdup("/var/backups/comptoir");
	cfg->backup_keep = 14;
	cfg->sales_archive_pdf = 1;
	cfg->mail_smtp_url = g_strdup("");
	cfg->mail_from = g_strdup("");
	cfg->mail_from_name = g_strdup("");
	cfg->mail_from_address = g_strdup("");
	cfg->mail_username = g_strdup("");
	cfg->mail_password = g_strdup("");
	cfg->mail_starttls = CPT_STARTTLS_REQUIRED;
	cfg->mail_interval = 30;
	cfg->mail_retry_delay = 60;
	cfg->mail_max_attempts = 10;
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
	g_free(cfg->mail_smtp_url);
	g_free(cfg->mail_from);
	g_free(cfg->mail_from_name);
	g_free(cfg->mail_from_address);
	g_free(cfg->mail_username);
	if (cfg->mail_password) {
		memset(cfg->mail_password, 0, strlen(cfg->mail_password));
	}
	g_free(cfg->mail_password);
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

bool cpt_config_mail_address_ok(const char *addr)
{
	size_t len = addr ? strlen(addr) : 0;
	const char *at = addr ? strchr(addr, '@') : NULL;
	if (len == 0 || len > 254 || !at || at == addr || strchr(at + 1, '@') || at[1] == '\0' ||
	    at[1] == '.' || addr[len - 1] == '.' || at - addr > 64) {
		return false;
	}
	for (const unsigned char *c = (const unsigned char *)addr; *c; c++) {
		if (*c <= ' ' || *c >= 0x7f || strchr("<>()[],;:\\\"", *c)) {
			return false;
		}
	}
	return true;
}

/* [mail] from: "address" or "Display name <address>". */
static int split_from(cpt_config *cfg, cpt_status *st)
{
	g_free(cfg->mail_from_name);
	g_free(cfg->mail_from_address);
	const char *v = cfg->mail_from;
	const char *open = strrchr(v, '<');
	if (open) {
		size_t len = strlen(v);
		if (v[len - 1] != '>') {
			cfg->mail_from_name = g_strdup("");
			cfg->mail_from_address = g_strdup("");
			return bad_key(st, "mail", "from",
				       "attendu « adresse » ou « Nom <adresse> »");
		}
		cfg->mail_from_name = g_strstrip(g_strndup(v, (size_t)(open - v)));
		cfg->mail_from_address = g_strndup(open + 1, len - (size_t)(open - v) - 2);
		/* A quoted display name keeps its text, not its quotes. */
		size_t n = strlen(cfg->mail_from_name);
		if (n >= 2 && cfg->mail_from_name[0] == '"' && cfg->mail_from_name[n - 1] == '"') {
			memmove(cfg->mail_from_name, cfg->mail_from_name + 1, n - 2);
			cfg->mail_from_name[n - 2] = '\0';
		}
	} else {
		cfg->mail_from_name = g_strdup("");
		cfg->mail_from_address = g_strdup(v);
	}
	if (*v && !cpt_config_mail_address_ok(cfg->mail_from_address)) {
		return bad_key(st, "mail", "from", "adresse électronique invalide");
	}
	if (strpbrk(cfg->mail_from_name, "\r\n\"")) {
		return bad_key(st, "mail", "from", "nom affiché invalide");
	}
	return 0;
}

static int apply_mail(cpt_config *cfg, GKeyFile *kf, const char *base_dir, cpt_status *st)
{
	const char *G = "mail";
	g_autofree char *password_file = NULL;
	if (get_string(kf, G, "smtp_url", &cfg->mail_smtp_url, NULL, false, st) ||
	    get_string(kf, G, "from", &cfg->mail_from, NULL, false, st) ||
	    get_string(kf, G, "username", &cfg->mail_username, NULL, false, st) ||
	    get_string(kf, G, "password", &cfg->mail_password, NULL, false, st) ||
	    get_string(kf, G, "password_file", &password_file, base_dir, true, st) ||
	    get_uint(kf, G, "interval", &cfg->mail_interval, 1, 86400, st) ||
	    get_uint(kf, G, "retry_delay", &cfg->mail_retry_delay, 1, 86400, st) ||
	    get_uint(kf, G, "max_attempts", &cfg->mail_max_attempts, 1, 100, st)) {
		return st->code;
	}
	const char *url = cfg->mail_smtp_url;
	if (*url && !g_str_has_prefix(url, "smtp://") && !g_str_has_prefix(url, "smtps://")) {
		return bad_key(st, G, "smtp_url", "attendu smtp://serveur[:port] ou smtps://...");
	}
	if (strpbrk(url, " \r\n")) {
		return bad_key(st, G, "smtp_url", "espace ou fin de ligne dans l'adresse");
	}
	if (split_from(cfg, st)) {
		return st->code;
	}
	if (*url && !*cfg->mail_from_address) {
		return bad_key(st, G, "from", "l'adresse d'expédition est requise avec smtp_url");
	}
	if (password_file) {
		if (g_key_file_has_key(kf, G, "password", NULL)) {
			return bad_key(st, G, "password_file",
				       "password ou password_file, pas les deux");
		}
		g_autofree char *text = NULL;
		if (!g_file_get_contents(password_file, &text, NULL, NULL)) {
			return bad_key(st, G, "password_file", "fichier illisible");
		}
		/* The first line, as `echo secret > file` writes it. */
		text[strcspn(text, "\r\n")] = '\0';
		g_free(cfg->mail_password);
		cfg->mail_password = g_strdup(text);
		memset(text, 0, strlen(text));
	}
	if (g_key_file_has_key(kf, G, "starttls", NULL)) {
		g_autofree char *v = g_key_file_get_string(kf, G, "starttls", NULL);
		const char *t = v ? g_strstrip(v) : "";
		if (strcmp(t, "none") == 0) {
			cfg->mail_starttls = CPT_STARTTLS_NONE;
		} else if (strcmp(t, "try") == 0) {
			cfg->mail_starttls = CPT_STARTTLS_TRY;
		} else if (strcmp(t, "required") == 0) {
			cfg->mail_starttls = CPT_STARTTLS_REQUIRED;
		} else {
			return bad_key(st, G, "starttls", "attendu none, try ou required");
		}
	}
	return 0;
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
	    get_uint(kf, "backup", "keep", &cfg->backup_keep, 1, 10000, st) ||
	    get_uint(kf, "sales", "archive_pdf", &cfg->sales_archive_pdf, 0, 1, st)) {
		return st->code;
	}
	cfg->port = (int)port;
	if (check_max_document(cfg, kf, st) || apply_mail(cfg, kf, base_dir, st)) {
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
	tmp.mail_smtp_url = g_strdup(cfg->mail_smtp_url);
	tmp.mail_from = g_strdup(cfg->mail_from);
	tmp.mail_from_name = g_strdup(cfg->mail_from_name);
	tmp.mail_from_address = g_strdup(cfg->mail_from_address);
	tmp.mail_username = g_strdup(cfg->mail_username);
	tmp.mail_password = g_strdup(cfg->mail_password);
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
