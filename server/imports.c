/*
 * comptoir.imports.Import: the file is parsed whole (common/csv.h), its
 * headers matched to the kind's columns, then each row runs between
 * SAVEPOINT and RELEASE (or ROLLBACK TO, when rejected): a rejected row
 * leaves nothing behind and the others go on. At the end the whole import
 * is rolled back to its first savepoint unless the mode says to keep it.
 * Rows are written by the same functions as the screens (cpt_party_insert,
 * cpt_article_insert), so an import can accept nothing a screen refuses.
 */
#include "imports.h"
#include "audit.h"
#include "db.h"
#include "events.h"
#include "handlers.h"

#include <glib.h>
#include <string.h>

#define REJECTED_LISTED_MAX 1000

const char *cpt_import_cell(cpt_import_ctx *ctx, size_t r, size_t c)
{
	if (c >= ctx->kind->n_columns || ctx->col[c] < 0) {
		return "";
	}
	const char *v = cpt_csv_cell(ctx->csv, r, (size_t)ctx->col[c]);
	char *s = cpt_call_strdup(ctx->call, v ? v : "");
	return g_strstrip(s);
}

static int exec0(cpt_call *call, cpt_status *st, const char *sql)
{
	PGresult *r = cpt_db_exec0(call, st, sql);
	if (!r) {
		return st->code;
	}
	PQclear(r);
	return 0;
}

/* Matches the file's headers to the kind's columns. */
static int match_columns(cpt_import_ctx *ctx, Comptoir__Imports__ImportReply *rep, cpt_status *st)
{
	const cpt_import_kind *k = ctx->kind;
	size_t n = cpt_csv_columns(ctx->csv);
	bool *used = cpt_call_alloc(ctx->call, n + 1);
	memset(used, 0, n + 1);
	for (size_t c = 0; c < k->n_columns; c++) {
		ctx->col[c] = -1;
		for (size_t a = 0; a < G_N_ELEMENTS(k->columns[c].names) && k->columns[c].names[a];
		     a++) {
			size_t found;
			if (cpt_csv_column_find(ctx->csv, k->columns[c].names[a], &found) &&
			    !used[found]) {
				ctx->col[c] = (ssize_t)found;
				used[found] = true;
				break;
			}
		}
		if (ctx->col[c] < 0 && k->columns[c].required) {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "csv",
					      "ligne 1 : colonne obligatoire absente : « %s »",
					      k->columns[c].names[0]);
		}
	}
	rep->ignored_columns = cpt_call_alloc(ctx->call, sizeof(char *) * (n + 1));
	for (size_t i = 0; i < n; i++) {
		if (!used[i]) {
			rep->ignored_columns[rep->n_ignored_columns++] =
			    cpt_call_strdup(ctx->call, cpt_csv_header(ctx->csv, i));
		}
	}
	return 0;
}

/* The header of the column that fills field, as the file spells it; "" if none. */
static const char *column_of(cpt_import_ctx *ctx, const char *field)
{
	for (size_t c = 0; c < ctx->kind->n_columns; c++) {
		if (ctx->col[c] >= 0 && strcmp(ctx->kind->columns[c].field, field) == 0) {
			return cpt_csv_header(ctx->csv, (size_t)ctx->col[c]);
		}
	}
	return "";
}

static void reject(cpt_import_ctx *ctx, Comptoir__Imports__ImportReply *rep, size_t r,
		   const cpt_status *why)
{
	rep->rejected_count++;
	if (rep->n_rejected >= REJECTED_LISTED_MAX) {
		return;
	}
	Comptoir__Imports__RejectedRow *x = CPT_NEW(ctx->call, Comptoir__Imports__RejectedRow,
						    comptoir__imports__rejected_row__init);
	x->line = cpt_csv_row_line(ctx->csv, r);
	x->field = cpt_call_strdup(ctx->call, why->field);
	x->column = cpt_call_strdup(ctx->call, column_of(ctx, why->field));
	x->reason = cpt_call_strdup(ctx->call, why->message);
	rep->rejected[rep->n_rejected++] = x;
}

/* A data or constraint error: the database refused the row's values. */
static bool refused_row(const cpt_call *call)
{
	return strncmp(call->sqlstate, "22", 2) == 0 || strncmp(call->sqlstate, "23", 2) == 0;
}

/* A failure of the database itself ends the import: no row is to blame. */
static bool fatal(const cpt_call *call, const cpt_status *st)
{
	return call->conn_broken || call->retry || st->code == CPT_UNAVAILABLE ||
	       (st->code == CPT_INTERNAL && !refused_row(call));
}

/* Whether row r's code is taken; rejects it if so. */
static bool code_taken(cpt_import_ctx *ctx, size_t r, cpt_status *why, char **code)
{
	*code = g_ascii_strup(cpt_import_cell(ctx, r, ctx->kind->code_column), -1);
	if (!**code || !g_hash_table_contains(ctx->taken, *code)) {
		return false;
	}
	cpt_status_set(why, CPT_INVALID_ARGUMENT, ctx->kind->columns[ctx->kind->code_column].field,
		       "le code %s existe déjà (ou figure plus haut dans le fichier)", *code);
	return true;
}

static int load_taken(cpt_import_ctx *ctx, cpt_status *st)
{
	PGresult *r = cpt_db_exec0(ctx->call, st, ctx->kind->taken_sql);
	if (!r) {
		return st->code;
	}
	ctx->taken = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (int i = 0; i < PQntuples(r); i++) {
		g_hash_table_add(ctx->taken, g_strdup(cpt_db_str(r, i, 0)));
	}
	PQclear(r);
	return 0;
}

/*
 * Runs every row. safe: each row between SAVEPOINT and RELEASE, so that a
 * row the database refuses leaves nothing and the next goes on. Otherwise
 * (the fast way, one round trip a row) *again is set when the database
 * refused a row: the caller rolls back and runs them all again safely.
 */
static int run_rows(cpt_import_ctx *ctx, Comptoir__Imports__ImportReply *rep, bool safe,
		    bool *again, cpt_status *st)
{
	size_t rows = cpt_csv_rows(ctx->csv);
	rep->rows = (uint32_t)rows;
	rep->valid = rep->created = rep->updated = rep->rejected_count = 0;
	rep->n_rejected = 0;
	if (!rep->rejected) {
		rep->rejected =
		    cpt_call_alloc(ctx->call, sizeof(void *) * (REJECTED_LISTED_MAX + 1));
	}
	if (ctx->kind->taken_sql && load_taken(ctx, st)) {
		return st->code;
	}
	for (size_t r = 0; r < rows; r++) {
		cpt_status why = {0};
		char *code = NULL;
		if (ctx->taken && code_taken(ctx, r, &why, &code)) {
			reject(ctx, rep, r, &why);
			g_free(code);
			continue;
		}
		if (safe && exec0(ctx->call, st, "SAVEPOINT cpt_import_row")) {
			g_free(code);
			return st->code;
		}
		ctx->call->sqlstate[0] = '\0';
		ctx->call->constraint[0] = '\0';
		bool updated = false;
		if (ctx->kind->row(ctx, r, &updated, &why) == 0) {
			if (safe && exec0(ctx->call, st, "RELEASE SAVEPOINT cpt_import_row")) {
				g_free(code);
				return st->code;
			}
			rep->valid++;
			if (updated) {
				rep->updated++;
			} else {
				rep->created++;
			}
			if (ctx->taken && *code) {
				g_hash_table_add(ctx->taken, code);
				code = NULL;
			}
			g_free(code);
			continue;
		}
		g_free(code);
		if (!safe && ctx->call->sqlstate[0] && !ctx->call->conn_broken &&
		    !ctx->call->retry) {
			*again = true; /* the transaction is aborted: start over safely */
			return 0;
		}
		if (fatal(ctx->call, &why)) {
			*st = why;
			return st->code;
		}
		if (why.code == CPT_INTERNAL) {
			cpt_status_set(&why, CPT_INVALID_ARGUMENT, "",
				       "ligne refusée par la base de données (%s)",
				       ctx->call->constraint[0] ? ctx->call->constraint
								: ctx->call->sqlstate);
		}
		reject(ctx, rep, r, &why);
		if (safe && exec0(ctx->call, st, "ROLLBACK TO SAVEPOINT cpt_import_row")) {
			return st->code;
		}
	}
	return 0;
}

/* The fast way first; the safe way when the database refused a row. */
static int run_all(cpt_import_ctx *ctx, Comptoir__Imports__ImportReply *rep, cpt_status *st)
{
	bool again = false;
	if (exec0(ctx->call, st, "SAVEPOINT cpt_import") || run_rows(ctx, rep, false, &again, st)) {
		return st->code;
	}
	if (!again) {
		return 0;
	}
	if (ctx->taken) {
		g_hash_table_unref(ctx->taken);
		ctx->taken = NULL;
	}
	ctx->call->sqlstate[0] = '\0';
	return exec0(ctx->call, st, "ROLLBACK TO SAVEPOINT cpt_import") ||
		       run_rows(ctx, rep, true, &again, st)
		   ? st->code
		   : 0;
}

int cpt_import_run(cpt_call *call, const cpt_import_kind *kind,
		   const Comptoir__Imports__ImportRequest *req, ProtobufCMessage **out,
		   cpt_status *st)
{
	if (req->mode != COMPTOIR__IMPORTS__MODE__DRY_RUN &&
	    req->mode != COMPTOIR__IMPORTS__MODE__ALL_OR_NOTHING &&
	    req->mode != COMPTOIR__IMPORTS__MODE__VALID_ONLY) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "mode", "mode d'import inconnu");
	}
	cpt_import_ctx ctx = {.call = call, .req = req, .kind = kind};
	cpt_csv *csv = NULL;
	if (cpt_csv_parse((const char *)req->csv.data, req->csv.len, 0, &csv, NULL, st)) {
		return st->code;
	}
	ctx.csv = csv;
	Comptoir__Imports__ImportReply *rep =
	    CPT_NEW(call, Comptoir__Imports__ImportReply, comptoir__imports__import_reply__init);
	PGresult *r = NULL;
	int rc = match_columns(&ctx, rep, st);
	if (rc == 0) {
		r = cpt_db_exec0(call, st, "SELECT country FROM company WHERE id = cpt_company()");
		rc = r ? 0 : st->code;
	}
	if (rc == 0) {
		g_strlcpy(ctx.country, PQntuples(r) ? cpt_db_str(r, 0, 0) : "FR",
			  sizeof ctx.country);
		PQclear(r);
		rc = (kind->prepare && kind->prepare(&ctx, st)) || run_all(&ctx, rep, st) ? st->code
											  : 0;
	}
	bool keep =
	    req->mode == COMPTOIR__IMPORTS__MODE__VALID_ONLY ||
	    (req->mode == COMPTOIR__IMPORTS__MODE__ALL_OR_NOTHING && rep->rejected_count == 0);
	if (rc == 0 && !keep) {
		rc = exec0(call, st, "ROLLBACK TO SAVEPOINT cpt_import");
	}
	if (rc == 0) {
		rep->written = keep && rep->valid > 0;
		if (!rep->written) {
			rep->created = rep->updated = 0;
		} else {
			rc = cpt_notify(call, st, kind->topic, 0, "import") ||
				     cpt_audit(call, st, kind->what, 0, call->company_id,
					       cpt_json_object(
						   call, "event", "import", "created",
						   cpt_call_i64(call, rep->created), "updated",
						   cpt_call_i64(call, rep->updated), "rejected",
						   cpt_call_i64(call, rep->rejected_count), NULL))
				 ? st->code
				 : 0;
		}
	}
	if (ctx.taken) {
		g_hash_table_unref(ctx.taken);
	}
	if (ctx.codes) {
		g_hash_table_unref(ctx.codes);
	}
	if (ctx.codes2) {
		g_hash_table_unref(ctx.codes2);
	}
	cpt_csv_free(csv);
	if (rc == 0) {
		*out = &rep->base;
	}
	return rc;
}

CPT_HANDLER(cpt_import_clients_run)
{
	return cpt_import_run(call, &cpt_import_clients, (const void *)in, out, st);
}

CPT_HANDLER(cpt_import_articles_run)
{
	return cpt_import_run(call, &cpt_import_articles, (const void *)in, out, st);
}

CPT_HANDLER(cpt_import_supplier_prices_run)
{
	return cpt_import_run(call, &cpt_import_supplier_prices, (const void *)in, out, st);
}
