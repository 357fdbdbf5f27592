/*
 * Schema migrations: sql/NNNN_name.sql, each applied once, in order, in its
 * own transaction, and recorded in schema_migration with its SHA-256. An
 * applied file whose checksum changed is reported, never re-applied.
 */
#ifndef CPT_MIGRATE_H
#define CPT_MIGRATE_H

#include "status.h"

#include <libpq-fe.h>

/* The schema this build expects; the daemon refuses an older database. */
#ifndef CPT_SCHEMA_VERSION
#error "CPT_SCHEMA_VERSION must be defined by the build"
#endif

/*
 * The migrations folder: $COMPTOIR_SQL_DIR, else the installed one, else
 * ../../sql beside the running binary (a build tree). Caller g_free()s.
 */
char *cpt_migrate_dir(void);

/* Applies pending migrations as the schema owner. *applied gets how many. */
int cpt_migrate_apply(PGconn *admin, const char *dir, int *applied, cpt_status *st);
/* Highest applied version, 0 for an empty database, -1 on error. */
int cpt_migrate_version(PGconn *conn, cpt_status *st);
/*
 * Recomputes the checksums of applied migrations against dir. Returns 0 when
 * all match; otherwise st names the first mismatching file.
 */
int cpt_migrate_verify(PGconn *conn, const char *dir, cpt_status *st);

#endif
