/*
 * Integration test environment: a database of its own in the throwaway
 * PostgreSQL cluster that tests/run.sh started (CPT_TEST_PGHOST/PORT), set up
 * by the real `comptoirctl init`, and a real comptoird over TLS on a free
 * port. Tests talk to it through common/client.h, like the GTK client.
 */
#ifndef CPT_TESTENV_H
#define CPT_TESTENV_H

#include "client.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <sys/types.h>

#include "auth.pb-c.h"

#define CPT_TEST_PASSWORD "correct horse battery"

typedef struct cpt_testenv {
	char name[64];
	char dir[256];	/* temporary folder: config, certificate, logs */
	char conf[300]; /* config file path */
	char db[96];
	char pgconn[512]; /* superuser conninfo for direct SQL checks */
	int port;
	pid_t daemon;
	char admin_password[64]; /* admin's password after the forced change */
	char fingerprint[CPT_FINGERPRINT_LEN + 1];
} cpt_testenv;

/*
 * Creates the database, runs comptoirctl init, starts comptoird, logs in as
 * admin once to replace the temporary password by CPT_TEST_PASSWORD.
 * extra_config is appended to the generated configuration (may be NULL).
 * Returns 0, or -1 after printing why.
 */
int cpt_testenv_start(cpt_testenv *env, const char *name, const char *extra_config);
/* Stops the daemon (SIGTERM) and returns its exit status; drops the database. */
int cpt_testenv_stop(cpt_testenv *env);
/* Starts comptoird again (after a stop or a kill). */
int cpt_testenv_daemon_start(cpt_testenv *env);
/* Sends SIGTERM and waits; returns the exit status, or -1 if it died of a signal. */
int cpt_testenv_daemon_stop(cpt_testenv *env);

/* A TLS connection to the daemon, pinned to its certificate. NULL on failure. */
cpt_client *cpt_testenv_connect(cpt_testenv *env);
/*
 * Connects and logs in. Returns the connection or NULL; *code gets the Login
 * status code (may be NULL). *reply, if given, receives the SessionReply
 * (free with protobuf_c_message_free_unpacked).
 */
cpt_client *cpt_testenv_login(cpt_testenv *env, const char *login, const char *password,
			      int64_t company_id, int *code, Comptoir__Auth__SessionReply **reply);
/* Logs in as admin with its current password. */
cpt_client *cpt_testenv_admin(cpt_testenv *env);
/*
 * Creates a user through comptoirctl-equivalent SQL-free RPC: as admin, with a
 * role named role_name in company_id (0: the demo company), then logs in once
 * to set CPT_TEST_PASSWORD. Returns the user id, or 0.
 */
int64_t cpt_testenv_create_user(cpt_testenv *env, const char *login, int64_t role_id,
				int64_t company_id);

/* A superuser connection to the test database (direct SQL checks). */
PGconn *cpt_testenv_sql(cpt_testenv *env);
/* Runs one statement as superuser and returns the first value as integer. */
long long cpt_testenv_sql_int(cpt_testenv *env, const char *sql);
/* Runs comptoirctl with the test configuration; returns its exit status. */
int cpt_testenv_ctl(cpt_testenv *env, char *out, size_t out_size, const char *const *args);

/*
 * Creates, through c, the client code named name (siren may be "") with a
 * billing address in Lyon, as the office types one. Returns its id, or 0
 * after printing why.
 */
int64_t cpt_testenv_create_client(cpt_client *c, const char *code, const char *name,
				  const char *siren);

/*
 * Runs validate-einvoice.sh of $CPT_STANDARDS (../shared/standards by
 * default) with option ("", "--peppol") on path: true when it passes, or
 * when the folder is absent (then said; *report NULL). *report gets what
 * the validator printed (caller frees).
 */
bool cpt_testenv_einvoice_valid(const char *path, const char *option, char **report);

/* The build folder holding comptoird and comptoirctl ($CPT_BUILD). */
const char *cpt_testenv_build(void);
/* Where tests write artefacts ($CPT_TEST_OUT). */
const char *cpt_testenv_out(void);

#endif
