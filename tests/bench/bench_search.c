/*
 * Search as you type over 100 000 clients and 20 000 articles, loaded here
 * by SQL: each query is a prefix of what is being typed (one more letter
 * each time), as the lists send them. Reports p50 and p99 of the first page,
 * round trip over TLS included, and the five slowest searches.
 */
#include "testenv.h"

#include "articles.pb-c.h"
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

typedef ProtobufCMessage *(*build_fn)(const char *search, Comptoir__Admin__Page *page,
				      void *storage);

static ProtobufCMessage *parties_request(const char *search, Comptoir__Admin__Page *page,
					 void *storage)
{
	Comptoir__Parties__ListPartiesRequest *req = storage;
	comptoir__parties__list_parties_request__init(req);
	req->search = (char *)search;
	req->kind = "";
	req->page = page;
	return &req->base;
}

static ProtobufCMessage *articles_request(const char *search, Comptoir__Admin__Page *page,
					  void *storage)
{
	Comptoir__Articles__ListArticlesRequest *req = storage;
	comptoir__articles__list_articles_request__init(req);
	req->search = (char *)search;
	req->kind = "";
	req->page = page;
	return &req->base;
}

/* Types each of typed letter by letter, ROUNDS times; prints the figures. */
static int measure(cpt_client *c, const char *what, const char *method,
		   const ProtobufCMessageDescriptor *reply, build_fn build,
		   const char *const *typed, size_t n_typed)
{
	enum { ROUNDS = 5, MAX = 2000 };
	static double lat[MAX];
	struct {
		double ms;
		char prefix[64];
	} slow[5] = {{0}};
	int n = 0;
	union {
		Comptoir__Parties__ListPartiesRequest p;
		Comptoir__Articles__ListArticlesRequest a;
	} storage;
	for (int round = 0; round < ROUNDS; round++) {
		for (size_t k = 0; k < n_typed; k++) {
			size_t len = strlen(typed[k]);
			for (size_t l = 2; l <= len && n < MAX; l++) {
				char prefix[64];
				snprintf(prefix, sizeof prefix, "%.*s", (int)l, typed[k]);
				Comptoir__Admin__Page page = COMPTOIR__ADMIN__PAGE__INIT;
				page.limit = 100;
				ProtobufCMessage *req = build(prefix, &page, &storage);
				ProtobufCMessage *out = NULL;
				cpt_status st = {0};
				double s = now_ms();
				int rc = cpt_client_call(c, method, req, reply, &out, &st);
				lat[n] = now_ms() - s;
				protobuf_c_message_free_unpacked(out, NULL);
				if (rc) {
					fprintf(stderr, "search failed: %s\n", st.message);
					return 1;
				}
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
			}
		}
	}
	qsort(lat, (size_t)n, sizeof lat[0], cmp_double);
	printf("| %s: queries (prefixes typed, %d rounds) | %d |\n", what, ROUNDS, n);
	printf("| %s: first page, p50 | %.1f ms |\n", what, lat[n / 2]);
	printf("| %s: first page, p99 | %.1f ms |\n", what, lat[(int)(n * 0.99)]);
	printf("| %s: slowest | %.1f ms |\n", what, lat[n - 1]);
	for (int k = 0; k < 5; k++) {
		printf("| %s: slow \"%s\" | %.1f ms |\n", what, slow[k].prefix, slow[k].ms);
	}
	return 0;
}

static int load(PGconn *db, const char *sql)
{
	PGresult *r = PQexec(db, sql);
	int rc =
	    PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : 1;
	if (rc) {
		fprintf(stderr, "%s", PQresultErrorMessage(r));
	}
	PQclear(r);
	return rc;
}

int main(void)
{
	cpt_testenv env;
	if (cpt_testenv_start(&env, "benchsearch", "[log]\nlevel = warn\n") != 0) {
		return 1;
	}
	PGconn *db = cpt_testenv_sql(&env);
	double t0 = now_ms();
	/* 100 000 clients with French names, accents included, and a billing city. */
	if (load(db,
		 "SELECT set_config('comptoir.company_id', (SELECT min(id) FROM company)::text,"
		 " false);"
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
		 " SELECT id, 'billing', 'Lyon' FROM ins") ||
	    /* 20 000 articles: parts, services, labour, travel, in twenty families. */
	    load(
		db,
		"INSERT INTO article_family (code, label)"
		" SELECT 'F' || i, (ARRAY['Chaudières','Brûleurs','Pompes','Vannes','Radiateurs',"
		"'Climatisation','Ventilation','Régulation','Sanitaire','Électricité'])[i % 10 + 1]"
		" || ' ' || i FROM generate_series(1, 20) i;"
		"WITH words(w) AS (SELECT unnest(ARRAY['Chaudière','Brûleur','Circulateur',"
		"'Vanne','Thermostat','Électrovanne','Gicleur','Joint','Échangeur','Sonde',"
		"'Vase d''expansion','Purgeur','Pressostat','Clapet','Filtre','Détendeur',"
		"'Régulateur','Ventilateur','Contrôle','Déplacement'])),"
		" brands(b) AS (SELECT unnest(ARRAY['De Dietrich','Viessmann','Saunier Duval',"
		"'Frisquet','Atlantic','Chaffoteaux','Grundfos','Danfoss','Honeywell','Wilo']))"
		" INSERT INTO article (code, kind, label, sale_price, purchase_price, vat_rate_id,"
		" family_id, barcode)"
		" SELECT 'A' || lpad(i::text, 6, '0'),"
		" (ARRAY['goods','goods','service','labour','travel'])[i % 5 + 1],"
		" (SELECT w FROM words OFFSET (i % 20) LIMIT 1) || ' ' ||"
		" (SELECT b FROM brands OFFSET ((i / 20) % 10) LIMIT 1) || ' ' || i,"
		" (i % 5000) * 10000, (i % 5000) * 6000,"
		" (SELECT id FROM vat_rate WHERE country = 'FR' AND rate = 2000),"
		" (SELECT id FROM article_family ORDER BY id OFFSET (i % 20) LIMIT 1), ''"
		" FROM generate_series(1, 20000) i") ||
	    load(db, "VACUUM ANALYZE")) {
		return 1;
	}
	PQfinish(db);
	printf("| search as you type | figure |\n|---|---|\n");
	printf("| generating and loading 100 000 clients and 20 000 articles (SQL) | %.1f s |\n",
	       (now_ms() - t0) / 1000);

	cpt_client *c = cpt_testenv_admin(&env);
	const char *clients[] = {"boulangerie dupont", "ecole lefevre",	  "hotel martin",
				 "electricite gerard", "lycee girard 99", "creche bonnet",
				 "theatre rousseau",   "cafe moreau 12",  "garage petit",
				 "societe fournier"};
	const char *articles[] = {"chaudiere de dietrich", "bruleur viessmann",
				  "electrovanne danfoss",  "vase d'expansion wilo",
				  "regulateur honeywell",  "echangeur frisquet 12",
				  "deplacement atlantic",  "thermostat saunier"};
	int rc = measure(c, "clients", "comptoir.parties.Parties/List",
			 &comptoir__parties__list_parties_reply__descriptor, parties_request,
			 clients, sizeof clients / sizeof clients[0]) ||
		 measure(c, "articles", "comptoir.articles.Articles/List",
			 &comptoir__articles__list_articles_reply__descriptor, articles_request,
			 articles, sizeof articles / sizeof articles[0]);
	cpt_client_close(c);
	return cpt_testenv_stop(&env) == 0 && rc == 0 ? 0 : 1;
}
