/*
 * Importing a 10 000-row CSV through the RPC: clients (each with a billing
 * address and a contact, SIREN checked) and articles (French prices, VAT
 * rate by value, a family), as a dry run and for real. The file is made
 * here; the time is the call's, server side checks and writes included.
 * Reports the median of three runs of each, on a fresh company each time.
 */
#include "testenv.h"

#include "imports.pb-c.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROWS 10000
#define RUNS 3

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* A SIREN with a valid Luhn key, from n. */
static void siren(unsigned n, char out[10])
{
	snprintf(out, 10, "%08u", n % 100000000u);
	int sum = 0;
	for (int i = 0; i < 8; i++) {
		int d = out[7 - i] - '0';
		if (i % 2 == 0) {
			d *= 2;
			d = d > 9 ? d - 9 : d;
		}
		sum += d;
	}
	out[8] = (char)('0' + (10 - sum % 10) % 10);
	out[9] = '\0';
}

static GString *clients_csv(int round)
{
	const char *towns[] = {"Lyon", "Villeurbanne", "Vénissieux", "Écully", "Bron"};
	GString *s = g_string_new("\xEF\xBB\xBF"
				  "Code;Raison sociale;SIREN;Adresse;Code postal;Ville;"
				  "Contact;E-mail;Téléphone;Conditions de paiement\r\n");
	for (unsigned i = 0; i < ROWS; i++) {
		char sir[10];
		siren(10000000u + i * 7u, sir);
		g_string_append_printf(s,
				       "R%dC%05u;Résidence Les Érables %u;%s;%u rue de la "
				       "République;69%03u;%s;Gérant %u;gerant%u@exemple.fr;04 72 "
				       "00 %02u %02u;NET30EOM\r\n",
				       round, i, i, sir, i % 200 + 1, i % 999, towns[i % 5], i, i,
				       i % 100, (i / 100) % 100);
	}
	return s;
}

static GString *articles_csv(int round)
{
	GString *s = g_string_new("Code;Désignation;Nature;Unité;Prix d'achat;Prix de vente HT;"
				  "TVA;DEEE;Suivi de stock\r\n");
	const char *kinds[] = {"Bien", "Service", "Main-d'œuvre", "Déplacement"};
	const char *rates[] = {"20 %", "10", "5,5", "20"};
	for (unsigned i = 0; i < ROWS; i++) {
		g_string_append_printf(
		    s, "R%dA%05u;Pièce détachée n° %u;%s;U;%u,%02u;%u,%02u;%s;%s;%s\r\n", round, i,
		    i, kinds[i % 4], i % 900 + 1, i % 100, i % 900 + 50, (i * 7) % 100,
		    rates[i % 4], i % 4 == 0 ? "0,50" : "", i % 4 == 0 ? "oui" : "non");
	}
	return s;
}

static double run(cpt_client *c, const char *what, const GString *csv, Comptoir__Imports__Mode mode,
		  unsigned *created)
{
	Comptoir__Imports__ImportRequest req = COMPTOIR__IMPORTS__IMPORT_REQUEST__INIT;
	req.csv.data = (uint8_t *)csv->str;
	req.csv.len = csv->len;
	req.mode = mode;
	char method[64];
	snprintf(method, sizeof method, "comptoir.imports.Import/%s", what);
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	double t0 = now_s();
	int rc = cpt_client_call(c, method, &req.base, &comptoir__imports__import_reply__descriptor,
				 &out, &st);
	double t = now_s() - t0;
	if (rc != CPT_OK) {
		fprintf(stderr, "import %s failed: %s (%s)\n", what, st.message, st.field);
		exit(1);
	}
	Comptoir__Imports__ImportReply *rep = (void *)out;
	if (rep->rejected_count) {
		fprintf(stderr, "import %s: %u rows rejected, first line %u: %s\n", what,
			rep->rejected_count, rep->rejected[0]->line, rep->rejected[0]->reason);
		exit(1);
	}
	*created = rep->created;
	protobuf_c_message_free_unpacked(out, NULL);
	return t;
}

int main(void)
{
	cpt_testenv env;
	if (cpt_testenv_start(&env, "benchimport", "[log]\nlevel = warn\n") != 0) {
		return 1;
	}
	cpt_client *c = cpt_testenv_admin(&env);
	printf("| importing 10 000 rows of CSV (median of %d) | dry run | written |\n"
	       "|---|---|---|\n",
	       RUNS);
	const char *what[] = {"Clients", "Articles"};
	for (int k = 0; k < 2; k++) {
		double dry[RUNS], real[RUNS];
		size_t bytes = 0;
		for (int round = 0; round < RUNS; round++) {
			GString *csv = k == 0 ? clients_csv(round) : articles_csv(round);
			bytes = csv->len;
			unsigned created;
			dry[round] =
			    run(c, what[k], csv, COMPTOIR__IMPORTS__MODE__DRY_RUN, &created);
			real[round] =
			    run(c, what[k], csv, COMPTOIR__IMPORTS__MODE__ALL_OR_NOTHING, &created);
			if (created != ROWS) {
				fprintf(stderr, "%s: %u created\n", what[k], created);
				return 1;
			}
			g_string_free(csv, TRUE);
		}
		qsort(dry, RUNS, sizeof dry[0], cmp_double);
		qsort(real, RUNS, sizeof real[0], cmp_double);
		printf("| %s (%.1f MB) | %.2f s | %.2f s |\n",
		       k == 0 ? "clients, with address and "
				"contact"
			      : "articles",
		       bytes / 1e6, dry[RUNS / 2], real[RUNS / 2]);
	}
	cpt_client_close(c);
	return cpt_testenv_stop(&env) == 0 ? 0 : 1;
}
