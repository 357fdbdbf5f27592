/*
 * CSV imports (proto/imports.proto): imports.c reads the file, matches the
 * columns, runs every row in its own savepoint and builds the report;
 * import_rows.c turns a row into a client, an article or a supplier price.
 */
#ifndef CPT_IMPORTS_H
#define CPT_IMPORTS_H

#include "call.h"
#include "csv.h"

#include "imports.pb-c.h"

#include <stdbool.h>
#include <sys/types.h>

#define CPT_IMPORT_MAX_COLUMNS 40

/* A field a column may fill, and the headers that name it. */
typedef struct cpt_import_column {
	const char *field;    /* the protocol's field, as errors name it */
	const char *names[6]; /* accepted headers, NULL-terminated; accents ignored */
	bool required;
} cpt_import_column;

typedef struct cpt_import_ctx cpt_import_ctx;

typedef struct cpt_import_kind {
	const char *what;  /* audit: "clients", "articles", "supplier_prices" */
	const char *topic; /* live lists told once the import is written */
	const cpt_import_column *columns;
	size_t n_columns;
	/*
	 * Codes already taken ("SELECT code FROM party"), and the kind column
	 * holding the code: a row whose code is taken, or seen earlier in the
	 * file, is rejected before anything is written. NULL: no such rule.
	 */
	const char *taken_sql;
	size_t code_column;
	/* Reads what every row needs (codes to ids...); may be NULL. */
	int (*prepare)(cpt_import_ctx *ctx, cpt_status *st);
	/* Checks and writes row r; *updated when it changed an existing record. */
	int (*row)(cpt_import_ctx *ctx, size_t r, bool *updated, cpt_status *st);
} cpt_import_kind;

struct cpt_import_ctx {
	cpt_call *call;
	const cpt_csv *csv;
	const Comptoir__Imports__ImportRequest *req;
	const cpt_import_kind *kind;
	ssize_t col[CPT_IMPORT_MAX_COLUMNS]; /* by kind column: the file's column or -1 */
	GHashTable *taken;		     /* codes taken, see taken_sql */
	GHashTable *codes;		     /* prepare's lookups, owned here (may be NULL) */
	GHashTable *codes2;
	char country[3]; /* the company's */
};

/* Row r's cell for kind column c, trimmed, in the call's arena; "" when absent. */
const char *cpt_import_cell(cpt_import_ctx *ctx, size_t r, size_t c);

/* Runs an import of kind for the call's request. */
int cpt_import_run(cpt_call *call, const cpt_import_kind *kind,
		   const Comptoir__Imports__ImportRequest *req, ProtobufCMessage **out,
		   cpt_status *st);

extern const cpt_import_kind cpt_import_clients;
extern const cpt_import_kind cpt_import_articles;
extern const cpt_import_kind cpt_import_supplier_prices;

#endif
