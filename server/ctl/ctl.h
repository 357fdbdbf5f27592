/*
 * comptoirctl: the server administration CLI. Each command is a function
 * taking the loaded configuration and its own arguments (argv[0] is the
 * command name); it prints for people on stdout, errors on stderr, and
 * returns the process exit code (0 ok, 1 failure, 2 usage).
 */
#ifndef CPT_CTL_H
#define CPT_CTL_H

#include "config.h"
#include "status.h"

#include <libpq-fe.h>

typedef int (*ctl_command_fn)(const cpt_config *cfg, int argc, char **argv);

int ctl_init(const cpt_config *cfg, int argc, char **argv);
int ctl_migrate(const cpt_config *cfg, int argc, char **argv);
int ctl_status(const cpt_config *cfg, int argc, char **argv);
int ctl_verify(const cpt_config *cfg, int argc, char **argv);
int ctl_user(const cpt_config *cfg, int argc, char **argv);
int ctl_company(const cpt_config *cfg, int argc, char **argv);
int ctl_cert(const cpt_config *cfg, int argc, char **argv);
int ctl_backup(const cpt_config *cfg, int argc, char **argv);
int ctl_restore(const cpt_config *cfg, int argc, char **argv);
/* The archive's hash chains, company by company (ctl_chain.c): 0 when intact. */
int ctl_verify_chain(PGconn *c);

/* Connects with [database] admin_conninfo, printing the error. NULL on failure. */
PGconn *ctl_admin_connect(const cpt_config *cfg);
/* Prints "comptoirctl: <message>" (and the field if any) on stderr; returns 1. */
int ctl_fail(const cpt_status *st);
/*
 * Appends an audit_log row for a comptoirctl write (method "comptoirctl/<what>",
 * no user). company_id 0 for installation-wide. Returns 0 or prints and 1.
 */
int ctl_audit(PGconn *c, const char *what, const char *target, long long row_id,
	      long long company_id);
/* Generates a self-signed certificate pair if the configured files are absent. */
int ctl_cert_ensure(const cpt_config *cfg, const char *cn, int *created, cpt_status *st);

#endif
