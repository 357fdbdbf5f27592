/*
 * comptoird.conf: an INI file read with GLib's GKeyFile. Every key has a
 * default, so an empty file is valid; a bad value is refused with the
 * "[group] key" at fault named in the status.
 *
 *   [server]   listen, port, certificate, private_key, max_frame,
 *              max_inflight, max_connections, handshake_timeout, name,
 *              max_document
 *   [database] conninfo, admin_conninfo, pool_size
 *   [security] lockout_attempts, lockout_window, lockout_duration,
 *              session_idle
 *   [log]      level
 *   [backup]   directory, keep
 *   [mail]     smtp_url, from, username, password, password_file, starttls,
 *              interval, retry_delay, max_attempts
 */
#ifndef CPT_CONFIG_H
#define CPT_CONFIG_H

#include "status.h"

#define CPT_DEFAULT_CONFIG "/etc/comptoir/comptoird.conf"
#define CPT_DEFAULT_PORT 7410
/* Largest document attached to a third party, in bytes, by default. */
#define CPT_DOCUMENT_DEFAULT_MAX (10u * 1024 * 1024)
/*
 * Room kept in a frame around a document's bytes: the envelope, method name,
 * file name, MIME type, hash and author. A document must fit in one frame
 * both ways, and workstations read frames up to CPT_FRAME_DEFAULT_MAX, so
 * max_document stays at most min(max_frame, CPT_FRAME_DEFAULT_MAX) minus this.
 */
#define CPT_DOCUMENT_FRAME_RESERVE (64u * 1024)

/* How the outbox asks for TLS on a smtp:// URL (smtps:// is TLS from the start). */
enum cpt_mail_starttls {
	CPT_STARTTLS_NONE,
	CPT_STARTTLS_TRY,      /* if the server offers it */
	CPT_STARTTLS_REQUIRED, /* or the message waits */
};

typedef struct cpt_config {
	char *path; /* file it was read from */

	char *listen;
	int port;
	char *certificate;     /* PEM file */
	char *private_key;     /* PEM file */
	unsigned max_frame;    /* bytes */
	unsigned max_inflight; /* requests per connection */
	unsigned max_connections;
	unsigned handshake_timeout; /* seconds to complete TLS after connecting */
	char *name;		    /* shown to clients */
	unsigned max_document;	    /* bytes of one attached document */

	char *conninfo;	      /* libpq, the daemon's role (member of comptoir_app) */
	char *admin_conninfo; /* libpq, the schema owner: migrate, backup */
	unsigned pool_size;

	unsigned lockout_attempts;
	unsigned lockout_window;   /* seconds */
	unsigned lockout_duration; /* seconds */
	unsigned session_idle;	   /* seconds */

	int log_level;

	char *backup_directory;
	unsigned backup_keep;

	char *mail_smtp_url;	    /* "" : the outbox keeps its messages, unsent */
	char *mail_from;	    /* as written: "Name <address>" or "address" */
	char *mail_from_name;	    /* its display name, "" if none */
	char *mail_from_address;    /* its address: the envelope sender too */
	char *mail_username;	    /* "" : no SMTP authentication */
	char *mail_password;	    /* from password or password_file */
	int mail_starttls;	    /* enum cpt_mail_starttls */
	unsigned mail_interval;	    /* seconds between outbox runs */
	unsigned mail_retry_delay;  /* seconds before the first retry; later ones longer */
	unsigned mail_max_attempts; /* then the message is failed */

	/* [sales] archive_pdf: 1 (default) renders each validated invoice or
	 * credit note to PDF, Factur-X when it can, and archives it. */
	unsigned sales_archive_pdf;
} cpt_config;

/* The pool_size when the file sets none: 2 a core, from 4 to 16. */
unsigned cpt_config_default_pool(void);
/* Fills *cfg with defaults. Caller frees with cpt_config_clear(). */
void cpt_config_defaults(cpt_config *cfg);
/*
 * Reads path over the defaults. Relative file names inside the file are
 * resolved against its directory. On error *cfg is left with defaults and
 * st names the key. Caller frees with cpt_config_clear().
 */
int cpt_config_load(cpt_config *cfg, const char *path, cpt_status *st);
/* Same, from text in memory (tests). base_dir resolves relative paths. */
int cpt_config_parse(cpt_config *cfg, const char *text, const char *base_dir, cpt_status *st);
void cpt_config_clear(cpt_config *cfg);

/*
 * Whether addr is a plain e-mail address as the outbox accepts it: ASCII,
 * local@domain, no spaces, quotes, brackets or separators, at most 254 bytes.
 */
bool cpt_config_mail_address_ok(const char *addr);

#endif
