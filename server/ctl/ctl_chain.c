/*
 * comptoirctl verify, the archive's part: for each company, walks its
 * validated invoices, deposit invoices and credit notes in chain order,
 * recomputes each hash from the rows as they are now (server/sales_validate.c
 * says how) and names the first break: a link missing, a previous hash that
 * is not the one before, or a content that no longer gives its hash. Then
 * the archived PDFs: each must still give the SHA-256 kept with it when it
 * was archived. A validated document whose PDF is not archived yet (the
 * daemon archives right after the validation commits; printing it archives
 * it if that was cut short) is counted, not a break.
 */
#include "ctl.h"
#include "sales.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks one company's chain; prints and returns false at the first break. */
static bool verify_company(PGconn *c, const char *company_id, const char *code, long *count)
{
	const char *p[] = {company_id};
	PGresult *r = PQexecParams(
	    c,
	    "SELECT id, number, coalesce(chain_seq, 0), coalesce(previous_hash, ''),"
	    " coalesce(hash, '') FROM sales_document WHERE company_id = $1::bigint"
	    " AND number IS NOT NULL AND type IN ('invoice', 'deposit_invoice', 'credit_note')"
	    " ORDER BY chain_seq NULLS FIRST, id",
	    1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "société %s : lecture impossible : %s", code,
			PQresultErrorMessage(r));
		PQclear(r);
		return false;
	}
	char previous[65] = "";
	bool ok = true;
	int n = PQntuples(r);
	for (int i = 0; i < n && ok; i++) {
		const char *number = PQgetvalue(r, i, 1);
		long seq = strtol(PQgetvalue(r, i, 2), NULL, 10);
		if (seq != i + 1) {
			printf(
			    "société %s : chaîne rompue au document %s : maillon n° %ld attendu, "
			    "n° %ld trouvé (document supprimé ou renuméroté)\n",
			    code, number, (long)i + 1, seq);
			ok = false;
			break;
		}
		if (strcmp(PQgetvalue(r, i, 3), previous) != 0) {
			printf("société %s : chaîne rompue au document %s (maillon n° %ld) : "
			       "l'empreinte précédente ne correspond pas\n",
			       code, number, seq);
			ok = false;
			break;
		}
		cpt_status st = {0};
		char *canonical =
		    cpt_sales_canonical(c, strtoll(PQgetvalue(r, i, 0), NULL, 10), &st);
		if (!canonical) {
			printf("société %s : document %s illisible : %s\n", code, number,
			       st.message);
			ok = false;
			break;
		}
		char hash[65];
		cpt_sales_hash(previous, canonical, hash);
		g_free(canonical);
		if (strcmp(hash, PQgetvalue(r, i, 4)) != 0) {
			printf("société %s : chaîne rompue au document %s (maillon n° %ld) : son "
			       "contenu a été modifié depuis sa validation\n",
			       code, number, seq);
			ok = false;
			break;
		}
		g_strlcpy(previous, hash, sizeof previous);
		(*count)++;
	}
	PQclear(r);
	if (!ok) {
		return false;
	}
	r = PQexecParams(
	    c, "SELECT last_seq, last_hash FROM document_chain WHERE company_id = $1::bigint", 1,
	    NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
	    (strtol(PQgetvalue(r, 0, 0), NULL, 10) != n ||
	     strcmp(PQgetvalue(r, 0, 1), previous) != 0)) {
		printf("société %s : chaîne rompue après le dernier document : la tête de chaîne "
		       "annonce %s maillons, %d trouvés (document supprimé ?)\n",
		       code, PQgetvalue(r, 0, 0), n);
		ok = false;
	}
	PQclear(r);
	return ok;
}

/* Checks one company's archived PDFs; prints and returns false at the first altered one. */
static bool verify_archive(PGconn *c, const char *company_id, const char *code)
{
	const char *p[] = {company_id};
	PGresult *r = PQexecParams(
	    c,
	    "SELECT (SELECT count(*) FROM document_archive WHERE company_id = $1::bigint),"
	    " (SELECT string_agg(d.number, ', ' ORDER BY d.chain_seq) FROM document_archive a"
	    "  JOIN sales_document d ON d.id = a.document_id WHERE a.company_id = $1::bigint"
	    "  AND encode(sha256(a.pdf), 'hex') <> a.sha256),"
	    " (SELECT count(*) FROM sales_document d WHERE d.company_id = $1::bigint"
	    "  AND d.number IS NOT NULL AND d.type IN ('invoice', 'deposit_invoice', 'credit_note')"
	    "  AND NOT EXISTS (SELECT 1 FROM document_archive a WHERE a.document_id = d.id))",
	    1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "société %s : archive illisible : %s", code,
			PQresultErrorMessage(r));
		PQclear(r);
		return false;
	}
	bool ok = PQgetisnull(r, 0, 1);
	if (!ok) {
		printf("société %s : PDF archivé modifié depuis son archivage : %s\n", code,
		       PQgetvalue(r, 0, 1));
	} else {
		printf("société %s : %s PDF archivés intègres", code, PQgetvalue(r, 0, 0));
		if (strcmp(PQgetvalue(r, 0, 2), "0") != 0) {
			printf(" ; %s documents validés sans PDF archivé (archivé à la prochaine "
			       "impression)",
			       PQgetvalue(r, 0, 2));
		}
		printf("\n");
	}
	PQclear(r);
	return ok;
}

int ctl_verify_chain(PGconn *c)
{
	PGresult *r = PQexec(c, "SELECT id, code FROM company ORDER BY id");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "sociétés illisibles : %s", PQresultErrorMessage(r));
		PQclear(r);
		return 1;
	}
	int rc = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		long count = 0;
		if (!verify_company(c, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), &count)) {
			rc = 1;
		} else {
			printf(
			    "société %s : chaîne des factures et avoirs intègre (%ld documents)\n",
			    PQgetvalue(r, i, 1), count);
		}
		if (!verify_archive(c, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1))) {
			rc = 1;
		}
	}
	PQclear(r);
	return rc;
}
