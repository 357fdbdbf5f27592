/*
 * Search as you type over 100 000 clients: each query is a prefix of a word
 * being typed (one more letter each time), as the clients list sends them.
 * Reports p50 and p99 of the first page, server side round trip included.
 */
#include "testenv.h"

#include "parties.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(void)
{
	cpt_testenv env;
	if (cpt_testenv_start(&env, "benchsearch", "[log]\nlevel = warn\n") != 0) {
		return 1;
	}
	/* 100 000 clients with French names, accents included, and a billing city. */
	PGconn *db = cpt_testenv_sql(&env);
	double t0 = now_ms();
	PGresult *r = PQexec(
	    db,
	    "SELECT set_config('comptoir.company_id', (SELECT min(id) FROM company)::text, false);"
	    "WITH words(w) AS (SELECT unnest(ARRAY['Boulangerie','École','Hôtel','Garage',"
	    "'Pharmacie','Résidence','Clinique','Société','Établissements','Café','Brasserie',"
	    "'Menuiserie','Plomberie','Électricité','Chauffage','Crèche','Mairie','Collège',"
	    "'Lycée','Théâtre'])),"
	    " names(n) AS (SELECT unnest(ARRAY['Dupont','Lefèvre','Martin','Bernard','Thomas',"
	    "'Petit','Robert','Richard','Durand','Dubois','Moreau','Laurent','Simon','Michel',"
	    "'Garnier','Rousseau','Bonnet','Gérard','Fournier','Girard'])),"
	    " ins AS (INSERT INTO party (kind, code, name, siren)"
	    " SELECT 'client', 'C' || lpad(i::text, 6, '0'),"
	    " (SELECT w FROM words OFFSET (i % 20) LIMIT 1) || ' ' ||"
	    " (SELECT n FROM names OFFSET ((i / 20) % 20) LIMIT 1) || ' ' || i, ''"
	    " FROM generate_series(1, 100000) i RETURNING id)"
	    " INSERT INTO party_address (party_id, kind, city)"
	    " SELECT id, 'billing', 'Lyon' FROM ins");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "%s", PQresultErrorMessage(r));
		return 1;
	}
	PQclear(r);
	PQclear(PQexec(db, "ANALYZE"));
	PQfinish(db);
	printf("| search as you type, 100 000 clients | figure |\n|---|---|\n");
	printf("| generating and loading them (SQL) | %.1f s |\n", (now_ms() - t0) / 1000);

	cpt_client *c = cpt_testenv_admin(&env);
	const char *typed[] = {"boulangerie dupont", "ecole lefevre",	"hotel martin",
			       "electricite gerard", "lycee girard 99", "creche bonnet",
			       "theatre rousseau",   "cafe moreau 12",	"garage petit",
			       "societe fournier"};
	enum { ROUNDS = 5 };
	double lat[ROUNDS * 10 * 24];
	struct {
		double ms;
		char prefix[64];
	} slow[5] = {{0}};
	int n = 0;
	for (int round = 0; round < ROUNDS; round++) {
		for (size_t k = 0; k < sizeof typed / sizeof typed[0]; k++) {
			size_t len = strlen(typed[k]);
			for (size_t l = 2; l <= len && n < (int)(sizeof lat / sizeof lat[0]); l++) {
				char prefix[64];
				snprintf(prefix, sizeof prefix, "%.*s", (int)l, typed[k]);
				Comptoir__Admin__Page page = COMPTOIR__ADMIN__PAGE__INIT;
				page.limit = 100;
				Comptoir__Parties__ListPartiesRequest req =
				    COMPTOIR__PARTIES__LIST_PARTIES_REQUEST__INIT;
				req.search = prefix;
				req.kind = "";
				req.page = &page;
				ProtobufCMessage *out = NULL;
				cpt_status st = {0};
				double s = now_ms();
				int rc = cpt_client_call(
				    c, "comptoir.parties.Parties/List", &req.base,
				    &comptoir__parties__list_parties_reply__descriptor, &out, &st);
				lat[n] = now_ms() - s;
				/* Keep the five slowest, to say which searches cost. */
				for (int k2 = 0; k2 < 5; k2++) {
					if (lat[n] > slow[k2].ms) {
						memmove(&slow[k2 + 1], &slow[k2],
							sizeof slow[0] * (size_t)(4 - k2));
						slow[k2].ms = lat[n];
						snprintf(slow[k2].prefix, sizeof slow[k2].prefix,
							 "%s", prefix);
						break;
					}
				}
				n++;
				protobuf_c_message_free_unpacked(out, NULL);
				if (rc) {
					fprintf(stderr, "search failed: %s\n", st.message);
					return 1;
				}
			}
		}
	}
	qsort(lat, (size_t)n, sizeof lat[0], cmp_double);
	printf("| queries (prefixes of 10 names typed, 5 rounds) | %d |\n", n);
	printf("| first page, p50 | %.1f ms |\n", lat[n / 2]);
	printf("| first page, p99 | %.1f ms |\n", lat[(int)(n * 0.99)]);
	printf("| slowest | %.1f ms |\n", lat[n - 1]);
	for (int k = 0; k < 5; k++) {
		printf("| slow: \"%s\" | %.1f ms |\n", slow[k].prefix, slow[k].ms);
	}
	cpt_client_close(c);
	return cpt_testenv_stop(&env) == 0 ? 0 : 1;
}
