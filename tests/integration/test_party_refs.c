/*
 * The client file's references: sectors and sales reps saved and listed
 * (duplicate codes refused on their field), the shared payment methods with
 * their UNTDID 4461 codes, a party pointing at them and at a price list,
 * another company's sector, rep or price list refused though a foreign key
 * would accept it, the clients list filtered by each reference, tag,
 * segment and dispute, the GIN index of segments serving under row-level
 * security, and the migration turning older free text into references.
 */
#include "testenv.h"

#include "migrate.h"

#include "articles.pb-c.h"
#include "parties.pb-c.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cpt_testenv env;
static cpt_client *admin;
static cpt_client *other; /* the administrator in company AUTRE */
static int64_t nord, sud, rep_anne, rep_luc, tarif_pro;

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "party_refs", NULL) != 0) {
		return -1;
	}
	admin = cpt_testenv_admin(&env);
	char out[2048];
	const char *add[] = {"company", "add", "AUTRE", "Autre SARL", NULL};
	const char *grant[] = {"user", "grant", "admin", "AUTRE", "Administrateur", NULL};
	if (!admin || cpt_testenv_ctl(&env, out, sizeof out, add) != 0 ||
	    cpt_testenv_ctl(&env, out, sizeof out, grant) != 0) {
		fprintf(stderr, "%s\n", out);
		return -1;
	}
	int64_t autre = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'AUTRE'");
	other = cpt_testenv_login(&env, "admin", env.admin_password, autre, NULL, NULL);
	return other ? 0 : -1;
}

static int teardown(void **state)
{
	cpt_client_close(admin);
	cpt_client_close(other);
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

static int refs_call(cpt_client *c, const char *method, const ProtobufCMessage *in,
		     const ProtobufCMessageDescriptor *out_desc, ProtobufCMessage **out,
		     cpt_status *st)
{
	char name[96];
	snprintf(name, sizeof name, "comptoir.parties.PartyRefs/%s", method);
	*st = (cpt_status){0};
	*out = NULL;
	return cpt_client_call(c, name, in, out_desc, out, st);
}

static int save_sector(cpt_client *c, int64_t id, const char *code, const char *label,
		       int64_t *id_out, cpt_status *st)
{
	Comptoir__Parties__Sector s = COMPTOIR__PARTIES__SECTOR__INIT;
	s.id = id;
	s.code = (char *)code;
	s.label = (char *)label;
	Comptoir__Parties__SectorRequest req = COMPTOIR__PARTIES__SECTOR_REQUEST__INIT;
	req.sector = &s;
	ProtobufCMessage *out;
	int rc = refs_call(c, "SaveSector", &req.base, &comptoir__parties__sector_reply__descriptor,
			   &out, st);
	if (rc == CPT_OK && id_out) {
		*id_out = ((Comptoir__Parties__SectorReply *)out)->sector->id;
	}
	protobuf_c_message_free_unpacked(out, NULL);
	return rc;
}

static int save_rep(cpt_client *c, Comptoir__Parties__SalesRep *r, cpt_status *st)
{
	Comptoir__Parties__SalesRepRequest req = COMPTOIR__PARTIES__SALES_REP_REQUEST__INIT;
	req.sales_rep = r;
	ProtobufCMessage *out;
	int rc = refs_call(c, "SaveSalesRep", &req.base,
			   &comptoir__parties__sales_rep_reply__descriptor, &out, st);
	if (rc == CPT_OK) {
		r->id = ((Comptoir__Parties__SalesRepReply *)out)->sales_rep->id;
	}
	protobuf_c_message_free_unpacked(out, NULL);
	return rc;
}

static int64_t save_price_list(cpt_client *c, const char *code)
{
	Comptoir__Articles__PriceList l = COMPTOIR__ARTICLES__PRICE_LIST__INIT;
	l.code = (char *)code;
	l.label = (char *)code;
	Comptoir__Articles__PriceListRequest req = COMPTOIR__ARTICLES__PRICE_LIST_REQUEST__INIT;
	req.price_list = &l;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(c, "comptoir.articles.Pricing/SavePriceList", &req.base,
					 &comptoir__articles__price_list_reply__descriptor, &out,
					 &st),
			 CPT_OK);
	int64_t id = ((Comptoir__Articles__PriceListReply *)out)->price_list->id;
	protobuf_c_message_free_unpacked(out, NULL);
	return id;
}

static int party_write(cpt_client *c, const char *method, Comptoir__Parties__Party *p,
		       Comptoir__Parties__PartyReply **rep, cpt_status *st)
{
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = p;
	ProtobufCMessage *out = NULL;
	char name[64];
	snprintf(name, sizeof name, "comptoir.parties.Parties/%s", method);
	*st = (cpt_status){0};
	int rc = cpt_client_call(c, name, &req.base, &comptoir__parties__party_reply__descriptor,
				 &out, st);
	if (rep) {
		*rep = (Comptoir__Parties__PartyReply *)out;
	} else {
		protobuf_c_message_free_unpacked(out, NULL);
	}
	return rc;
}

static long long count_refs(void)
{
	return cpt_testenv_sql_int(&env, "SELECT (SELECT count(*) FROM sector)"
					 " + (SELECT count(*) FROM sales_rep)"
					 " + (SELECT count(*) FROM party)");
}

static void sectors_and_reps_are_saved_listed_and_their_codes_unique(void **state)
{
	cpt_status st;
	assert_int_equal(save_sector(admin, 0, " nord ", "Nord Isère", &nord, &st), CPT_OK);
	assert_int_equal(save_sector(admin, 0, "SUD", "Sud Drôme", &sud, &st), CPT_OK);
	assert_int_equal(save_sector(admin, 0, "ALPES", "Alpes", NULL, &st), CPT_OK);
	long long before = count_refs();
	assert_int_equal(save_sector(admin, 0, "Nord", "Doublon", NULL, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "sector.code");
	assert_int_equal(save_sector(admin, 0, "EST", "  ", NULL, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "sector.label");
	assert_int_equal(save_sector(admin, 0, "pas un code!", "Ouest", NULL, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "sector.code");
	assert_int_equal(save_sector(admin, 999999, "OUEST", "Ouest", NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "sector.id");
	assert_int_equal(count_refs(), before);
	/* Renamed in place: the id stays. */
	int64_t same = 0;
	assert_int_equal(save_sector(admin, sud, "SUD", "Sud Drôme-Ardèche", &same, &st), CPT_OK);
	assert_int_equal(same, sud);

	Comptoir__Parties__ListSectorsRequest lreq = COMPTOIR__PARTIES__LIST_SECTORS_REQUEST__INIT;
	ProtobufCMessage *out;
	assert_int_equal(refs_call(admin, "ListSectors", &lreq.base,
				   &comptoir__parties__list_sectors_reply__descriptor, &out, &st),
			 CPT_OK);
	Comptoir__Parties__ListSectorsReply *sl = (void *)out;
	assert_int_equal(sl->n_sectors, 3);
	assert_string_equal(sl->sectors[0]->label, "Alpes"); /* by label */
	assert_string_equal(sl->sectors[1]->code, "NORD");
	assert_string_equal(sl->sectors[2]->label, "Sud Drôme-Ardèche");
	protobuf_c_message_free_unpacked(out, NULL);

	/* Reps: a bad e-mail, a duplicate code, a login of the company once only. */
	Comptoir__Parties__SalesRep r = COMPTOIR__PARTIES__SALES_REP__INIT;
	r.code = "anne";
	r.name = "Anne Morel";
	r.email = "anne.morel@";
	assert_int_equal(save_rep(admin, &r, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "sales_rep.email");
	r.email = "anne.morel@example.fr";
	r.phone = "06 11 22 33 44";
	r.user_id = cpt_testenv_sql_int(&env, "SELECT id FROM app_user WHERE login = 'admin'");
	assert_int_equal(save_rep(admin, &r, &st), CPT_OK);
	rep_anne = r.id;
	Comptoir__Parties__SalesRep l = COMPTOIR__PARTIES__SALES_REP__INIT;
	l.code = "ANNE";
	l.name = "Homonyme";
	assert_int_equal(save_rep(admin, &l, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "sales_rep.code");
	l.code = "LUC";
	l.name = "Luc Garnier";
	l.user_id = r.user_id;
	assert_int_equal(save_rep(admin, &l, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "sales_rep.user_id");
	/* A login that does not open this company. */
	int64_t stranger = cpt_testenv_create_user(&env, "etranger", 0, 0);
	assert_true(stranger > 0);
	l.user_id = stranger;
	assert_int_equal(save_rep(admin, &l, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "sales_rep.user_id");
	l.user_id = 0;
	assert_int_equal(save_rep(admin, &l, &st), CPT_OK);
	rep_luc = l.id;

	/* Payment methods: shared, in the expected order, with their e-invoice codes. */
	Comptoir__Parties__ListPaymentMethodsRequest preq =
	    COMPTOIR__PARTIES__LIST_PAYMENT_METHODS_REQUEST__INIT;
	assert_int_equal(refs_call(other, "ListPaymentMethods", &preq.base,
				   &comptoir__parties__list_payment_methods_reply__descriptor, &out,
				   &st),
			 CPT_OK);
	Comptoir__Parties__ListPaymentMethodsReply *pm = (void *)out;
	const char *expect[][3] = {
	    {"VIREMENT", "Virement", "58"},    {"CHEQUE", "Chèque", "20"},
	    {"CARTE", "Carte bancaire", "48"}, {"PRELEVEMENT", "Prélèvement SEPA", "59"},
	    {"ESPECES", "Espèces", "10"},      {"LCR", "Lettre de change relevé (LCR)", "70"}};
	assert_int_equal(pm->n_payment_methods, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_string_equal(pm->payment_methods[i]->code, expect[i][0]);
		assert_string_equal(pm->payment_methods[i]->label, expect[i][1]);
		assert_string_equal(pm->payment_methods[i]->means_code, expect[i][2]);
	}
	protobuf_c_message_free_unpacked(out, NULL);
}

static Comptoir__Parties__ListSalesRepsReply *list_reps(cpt_client *c, bool inactive)
{
	Comptoir__Parties__ListSalesRepsRequest req =
	    COMPTOIR__PARTIES__LIST_SALES_REPS_REQUEST__INIT;
	req.include_inactive = inactive;
	ProtobufCMessage *out;
	cpt_status st;
	assert_int_equal(refs_call(c, "ListSalesReps", &req.base,
				   &comptoir__parties__list_sales_reps_reply__descriptor, &out,
				   &st),
			 CPT_OK);
	return (Comptoir__Parties__ListSalesRepsReply *)out;
}

static void a_client_file_keeps_its_sector_rep_payment_method_price_list_and_segments(void **state)
{
	tarif_pro = save_price_list(admin, "PRO");
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	char *tags[] = {"chauffage"};
	char *segments[] = {"collectivité", "grand compte"};
	p.kind = "client";
	p.code = "MAIRIE";
	p.name = "Mairie de Voiron";
	p.sector_id = nord;
	p.sales_rep_id = rep_anne;
	p.payment_method = " virement ";
	p.price_list_id = tarif_pro;
	p.n_tags = 1;
	p.tags = tags;
	p.n_segments = 2;
	p.segments = segments;
	Comptoir__Parties__PartyReply *rep = NULL;
	cpt_status st;
	if (party_write(admin, "Create", &p, &rep, &st)) {
		fail_msg("Create: %s (%s)", st.message, st.field);
	}
	Comptoir__Parties__Party *got = rep->party;
	assert_int_equal(got->sector_id, nord);
	assert_int_equal(got->sales_rep_id, rep_anne);
	assert_string_equal(got->payment_method, "VIREMENT");
	assert_int_equal(got->price_list_id, tarif_pro);
	assert_int_equal(got->n_segments, 2);
	assert_string_equal(got->segments[0], "collectivité");
	assert_string_equal(got->segments[1], "grand compte");
	int64_t id = got->id;
	protobuf_c_message_free_unpacked(&rep->base, NULL);

	/* Cleared: no sector, rep, method nor price list. */
	Comptoir__Parties__Party u = p;
	u.id = id;
	u.code = "MAIRIE";
	u.sector_id = 0;
	u.sales_rep_id = 0;
	u.payment_method = "";
	u.price_list_id = 0;
	u.n_segments = 0;
	assert_int_equal(party_write(admin, "Update", &u, &rep, &st), CPT_OK);
	assert_int_equal(rep->party->sector_id, 0);
	assert_string_equal(rep->party->payment_method, "");
	assert_int_equal(rep->party->n_segments, 0);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	assert_int_equal(cpt_testenv_sql_int(&env,
					     "SELECT count(*) FROM party WHERE code = 'MAIRIE'"
					     " AND sector_id IS NULL AND sales_rep_id IS NULL"
					     " AND payment_method IS NULL"
					     " AND price_list_id IS NULL"),
			 1);
	u.sector_id = nord;
	u.sales_rep_id = rep_luc;
	u.payment_method = "PRELEVEMENT";
	u.price_list_id = tarif_pro;
	u.n_segments = 2;
	assert_int_equal(party_write(admin, "Update", &u, NULL, &st), CPT_OK);

	/* Unknown references are refused on their field and nothing is written. */
	long long before = count_refs();
	Comptoir__Parties__Party bad = p;
	bad.code = "MAUVAIS";
	bad.payment_method = "BITCOIN";
	assert_int_equal(party_write(admin, "Create", &bad, NULL, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "party.payment_method");
	bad.payment_method = "";
	bad.sector_id = 999999;
	assert_int_equal(party_write(admin, "Create", &bad, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "party.sector_id");
	bad.sector_id = 0;
	bad.sales_rep_id = 999999;
	assert_int_equal(party_write(admin, "Create", &bad, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "party.sales_rep_id");
	bad.sales_rep_id = 0;
	bad.price_list_id = 999999;
	assert_int_equal(party_write(admin, "Create", &bad, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "party.price_list_id");
	char *empty[] = {""};
	bad.price_list_id = 0;
	bad.n_segments = 1;
	bad.segments = empty;
	assert_int_equal(party_write(admin, "Create", &bad, NULL, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "party.segments");
	assert_int_equal(count_refs(), before);

	/* Luc leaves: he stays on the mairie's file, is given no new client. */
	Comptoir__Parties__SalesRep luc = COMPTOIR__PARTIES__SALES_REP__INIT;
	luc.id = rep_luc;
	luc.code = "LUC";
	luc.name = "Luc Garnier";
	luc.inactive = true;
	assert_int_equal(save_rep(admin, &luc, &st), CPT_OK);
	Comptoir__Parties__ListSalesRepsReply *reps = list_reps(admin, false);
	assert_int_equal(reps->n_sales_reps, 1);
	assert_string_equal(reps->sales_reps[0]->name, "Anne Morel");
	assert_string_equal(reps->sales_reps[0]->email, "anne.morel@example.fr");
	protobuf_c_message_free_unpacked(&reps->base, NULL);
	reps = list_reps(admin, true);
	assert_int_equal(reps->n_sales_reps, 2);
	assert_true(reps->sales_reps[1]->inactive);
	protobuf_c_message_free_unpacked(&reps->base, NULL);
	u.notes = "Luc part à la retraite";
	assert_int_equal(party_write(admin, "Update", &u, NULL, &st), CPT_OK);
	bad.n_segments = 0;
	bad.sales_rep_id = rep_luc;
	assert_int_equal(party_write(admin, "Create", &bad, NULL, &st), CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "party.sales_rep_id");
}

static void another_companys_sector_rep_or_price_list_is_refused_naming_the_field(void **state)
{
	/* AUTRE sees none of DEMO's references... */
	Comptoir__Parties__ListSectorsRequest lreq = COMPTOIR__PARTIES__LIST_SECTORS_REQUEST__INIT;
	ProtobufCMessage *out;
	cpt_status st;
	assert_int_equal(refs_call(other, "ListSectors", &lreq.base,
				   &comptoir__parties__list_sectors_reply__descriptor, &out, &st),
			 CPT_OK);
	assert_int_equal(((Comptoir__Parties__ListSectorsReply *)out)->n_sectors, 0);
	protobuf_c_message_free_unpacked(out, NULL);
	Comptoir__Parties__ListSalesRepsReply *reps = list_reps(other, true);
	assert_int_equal(reps->n_sales_reps, 0);
	protobuf_c_message_free_unpacked(&reps->base, NULL);
	/* ...has codes of its own, the same ones being free there... */
	int64_t autre_nord = 0;
	assert_int_equal(save_sector(other, 0, "NORD", "Nord (Autre)", &autre_nord, &st), CPT_OK);
	int64_t autre_tarif = save_price_list(other, "PRO");
	/* ...cannot rename DEMO's... */
	assert_int_equal(save_sector(other, nord, "NORD2", "Détourné", NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "sector.id");

	/* ...and cannot point at them, though a foreign key alone would accept them. */
	long long before = count_refs();
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.kind = "client";
	p.code = "INTRUS";
	p.name = "Intrus";
	struct {
		int64_t *field;
		int64_t value;
		const char *name;
	} cases[] = {{&p.sector_id, nord, "party.sector_id"},
		     {&p.sales_rep_id, rep_anne, "party.sales_rep_id"},
		     {&p.price_list_id, tarif_pro, "party.price_list_id"}};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		*cases[i].field = cases[i].value;
		assert_int_equal(party_write(other, "Create", &p, NULL, &st), CPT_NOT_FOUND);
		assert_string_equal(st.field, cases[i].name);
		*cases[i].field = 0;
	}
	/* The other way round too, on an update. */
	int64_t mairie = cpt_testenv_sql_int(&env, "SELECT id FROM party WHERE code = 'MAIRIE'");
	Comptoir__Parties__Party u = COMPTOIR__PARTIES__PARTY__INIT;
	u.id = mairie;
	u.code = "MAIRIE";
	u.name = "Mairie de Voiron";
	u.sector_id = autre_nord;
	assert_int_equal(party_write(admin, "Update", &u, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "party.sector_id");
	u.sector_id = 0;
	u.price_list_id = autre_tarif;
	assert_int_equal(party_write(admin, "Update", &u, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "party.price_list_id");
	assert_int_equal(count_refs(), before);
	assert_int_equal(cpt_testenv_sql_int(&env,
					     "SELECT count(*) FROM party"
					     " WHERE code = 'MAIRIE' AND sector_id IS NOT NULL"),
			 1);
	/* The database holds it as well: composite keys refuse a row of another company. */
	PGconn *c = cpt_testenv_sql(&env);
	g_autofree char *sql = g_strdup_printf("UPDATE party SET sector_id = %lld"
					       " WHERE code = 'MAIRIE'",
					       (long long)autre_nord);
	PGresult *r = PQexec(c, sql);
	assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "23503");
	PQclear(r);
	PQfinish(c);
}

/* Parties of the clients list for a request; caller frees. */
static Comptoir__Parties__ListPartiesReply *list(Comptoir__Parties__ListPartiesRequest *req)
{
	Comptoir__Admin__Page page = COMPTOIR__ADMIN__PAGE__INIT;
	page.sort = "code";
	page.with_total = true;
	req->page = &page;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	int rc = cpt_client_call(admin, "comptoir.parties.Parties/List", &req->base,
				 &comptoir__parties__list_parties_reply__descriptor, &out, &st);
	if (rc) {
		fail_msg("List: %s (%s)", st.message, st.field);
	}
	req->page = NULL;
	return (Comptoir__Parties__ListPartiesReply *)out;
}

/* The codes listed, comma-separated, after checking the total agrees. */
static char *codes(Comptoir__Parties__ListPartiesRequest *req)
{
	Comptoir__Parties__ListPartiesReply *r = list(req);
	assert_int_equal(r->total, r->n_parties);
	GString *s = g_string_new(NULL);
	for (size_t i = 0; i < r->n_parties; i++) {
		g_string_append_printf(s, "%s%s", i ? "," : "", r->parties[i]->code);
	}
	protobuf_c_message_free_unpacked(&r->base, NULL);
	return g_string_free(s, FALSE);
}

static void new_client(const char *code, int64_t sector, int64_t rep, int64_t price_list,
		       const char *tag, const char *segment, bool dispute)
{
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	char *tags[] = {(char *)tag};
	char *segments[] = {(char *)segment};
	p.kind = "client";
	p.code = (char *)code;
	p.name = (char *)code;
	p.sector_id = sector;
	p.sales_rep_id = rep;
	p.price_list_id = price_list;
	p.n_tags = tag ? 1 : 0;
	p.tags = tags;
	p.n_segments = segment ? 1 : 0;
	p.segments = segments;
	p.dispute = dispute;
	cpt_status st;
	if (party_write(admin, "Create", &p, NULL, &st)) {
		fail_msg("Create %s: %s (%s)", code, st.message, st.field);
	}
}

static int delete_ref(cpt_client *c, const char *method, int64_t id, cpt_status *st)
{
	Comptoir__Parties__RefDeleteRequest req = COMPTOIR__PARTIES__REF_DELETE_REQUEST__INIT;
	req.id = id;
	ProtobufCMessage *out;
	int rc = refs_call(c, method, &req.base, &comptoir__rpc__empty__descriptor, &out, st);
	protobuf_c_message_free_unpacked(out, NULL);
	return rc;
}

static void an_unused_sector_or_rep_is_deleted_a_used_one_refused(void **state)
{
	cpt_status st;
	int64_t est = 0;
	assert_int_equal(save_sector(admin, 0, "EST", "Secteur Est", &est, &st), CPT_OK);
	Comptoir__Parties__SalesRep r = COMPTOIR__PARTIES__SALES_REP__INIT;
	r.code = "PAUL";
	r.name = "Paul Girard";
	assert_int_equal(save_rep(admin, &r, &st), CPT_OK);
	new_client("CLIEST", est, r.id, 0, NULL, NULL, false);
	/* In use: refused, naming the id, and nothing is deleted. */
	assert_int_equal(delete_ref(admin, "DeleteSector", est, &st), CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "id");
	assert_non_null(strstr(st.message, "1 tiers"));
	assert_int_equal(delete_ref(admin, "DeleteSalesRep", r.id, &st), CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "id");
	assert_int_equal(
	    cpt_testenv_sql_int(&env, "SELECT count(*) FROM sector WHERE code = 'EST'"), 1);
	/* Another company's is not found. */
	assert_int_equal(delete_ref(other, "DeleteSector", est, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "id");
	/* Once no party uses them, they go. */
	assert_int_equal(cpt_testenv_sql_int(&env, "WITH u AS (UPDATE party SET sector_id = NULL,"
						   " sales_rep_id = NULL WHERE code = 'CLIEST'"
						   " RETURNING 1) SELECT count(*) FROM u"),
			 1);
	assert_int_equal(delete_ref(admin, "DeleteSector", est, &st), CPT_OK);
	assert_int_equal(delete_ref(admin, "DeleteSalesRep", r.id, &st), CPT_OK);
	assert_int_equal(
	    cpt_testenv_sql_int(&env, "SELECT count(*) FROM sector WHERE code = 'EST'"), 0);
	assert_int_equal(
	    cpt_testenv_sql_int(&env, "SELECT count(*) FROM sales_rep WHERE code = 'PAUL'"), 0);
	assert_int_equal(delete_ref(admin, "DeleteSector", est, &st), CPT_NOT_FOUND);
}

static void the_clients_list_filters_by_reference_tag_segment_and_dispute(void **state)
{
	/* MAIRIE: nord, Luc, PRO, tag chauffage, segments collectivité and grand compte. */
	new_client("F1", nord, rep_anne, 0, "chauffage", "artisan", false);
	new_client("F2", sud, rep_anne, tarif_pro, "clim", "collectivité", true);
	new_client("F3", sud, 0, 0, NULL, NULL, true);
	new_client("F4", 0, 0, 0, "chauffage", NULL, false);
	Comptoir__Parties__ListPartiesRequest req = COMPTOIR__PARTIES__LIST_PARTIES_REQUEST__INIT;
	struct {
		int64_t sector, rep, price_list;
		const char *tag, *segment;
		bool dispute;
		const char *search, *expect;
	} cases[] = {
	    {0, 0, 0, "", "", false, "", "F1,F2,F3,F4,MAIRIE"},
	    {nord, 0, 0, "", "", false, "", "F1,MAIRIE"},
	    {sud, 0, 0, "", "", false, "", "F2,F3"},
	    {0, rep_anne, 0, "", "", false, "", "F1,F2"},
	    {0, rep_luc, 0, "", "", false, "", "MAIRIE"},
	    {0, 0, tarif_pro, "", "", false, "", "F2,MAIRIE"},
	    {0, 0, 0, "chauffage", "", false, "", "F1,F4,MAIRIE"},
	    {0, 0, 0, "chauf", "", false, "", ""}, /* a tag is matched whole */
	    {0, 0, 0, "", "collectivité", false, "", "F2,MAIRIE"},
	    {0, 0, 0, "", "", true, "", "F2,F3"},
	    {sud, rep_anne, tarif_pro, "clim", "collectivité", true, "", "F2"},
	    {nord, 0, 0, "chauffage", "", false, "mai", "MAIRIE"}, /* with a search */
	    {sud, 0, 0, "", "", true, "f", "F2,F3"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		req.sector_id = cases[i].sector;
		req.sales_rep_id = cases[i].rep;
		req.price_list_id = cases[i].price_list;
		req.tag = (char *)cases[i].tag;
		req.segment = (char *)cases[i].segment;
		req.dispute_only = cases[i].dispute;
		req.search = (char *)cases[i].search;
		g_autofree char *got = codes(&req);
		if (strcmp(got, cases[i].expect) != 0) {
			fail_msg("case %zu: listed \"%s\", expected \"%s\"", i, got,
				 cases[i].expect);
		}
	}
	/* The summary names the sector and the rep. */
	req = (Comptoir__Parties__ListPartiesRequest)COMPTOIR__PARTIES__LIST_PARTIES_REQUEST__INIT;
	req.sales_rep_id = rep_anne;
	Comptoir__Parties__ListPartiesReply *r = list(&req);
	assert_int_equal(r->n_parties, 2);
	assert_string_equal(r->parties[0]->sector, "Nord Isère");
	assert_string_equal(r->parties[0]->sales_rep, "Anne Morel");
	assert_string_equal(r->parties[1]->sector, "Sud Drôme-Ardèche");
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void sql_ok(PGconn *c, const char *sql);

/* A connection as the daemon's own role, in DEMO, as a call opens it. */
static PGconn *daemon_conn(void)
{
	g_autofree char *conninfo = g_strdup_printf("%s user=comptoir", env.pgconn);
	PGconn *c = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQclear(PQexec(c, "BEGIN"));
	PQclear(PQexec(c, "SELECT set_config('comptoir.company_id',"
			  " (SELECT id FROM company WHERE code = 'DEMO')::text, true)"));
	return c;
}

static char *plan(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	GString *s = g_string_new(NULL);
	for (int i = 0; i < PQntuples(r); i++) {
		g_string_append_printf(s, "%s\n", PQgetvalue(r, i, 0));
	}
	PQclear(r);
	return g_string_free(s, FALSE);
}

static void segment_and_tag_filters_use_their_index_under_row_level_security(void **state)
{
	/* Enough clients for an index to be worth it, few of them in the segment. */
	PGconn *su = cpt_testenv_sql(&env);
	sql_ok(su, "INSERT INTO party (company_id, kind, code, name, tags, segments)"
		   " SELECT (SELECT id FROM company WHERE code = 'DEMO'), 'client', 'G' || i,"
		   " 'Client ' || i, ARRAY['tag' || i % 100], ARRAY['segment' || i % 100]"
		   " FROM generate_series(1, 20000) i");
	sql_ok(su, "ANALYZE party");
	PQfinish(su);
	PGconn *c = daemon_conn();
	g_autofree char *seg = plan(c, "EXPLAIN SELECT id FROM party p"
				       " WHERE p.segments @>> ARRAY['artisan']::text[]");
	if (!strstr(seg, "party_segments_idx")) {
		fail_msg("segment filter without its index:\n%s", seg);
	}
	g_autofree char *tag = plan(c, "EXPLAIN SELECT id FROM party p"
				       " WHERE p.tags @>> ARRAY['clim']::text[]");
	if (!strstr(tag, "party_tags_idx")) {
		fail_msg("tag filter without its index:\n%s", tag);
	}
	PGresult *r = PQexec(c, "SELECT count(*) FROM party p"
				" WHERE p.segments @>> ARRAY['collectivité']::text[]");
	assert_string_equal(PQgetvalue(r, 0, 0), "2");
	PQclear(r);
	PQfinish(c);
}

/* ---------------------------------------------------------------------------
 * The migration of older free text
 *
 * The harness builds every database with every migration, so no row can be
 * written the way an older version wrote it. This test builds a database of
 * its own: the migrations before the references one (found by its name, its
 * number may change), rows with free-text sector, sales rep and payment
 * method, then the remaining migrations, as `comptoirctl migrate` would.
 */

static char *sql_text(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	}
	char *v = g_strdup(PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return v;
}

static void sql_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	}
	PQclear(r);
}

/* A folder of links to the migrations numbered below the references one. */
static char *migrations_before_refs(const char *sqldir)
{
	GDir *d = g_dir_open(sqldir, 0, NULL);
	assert_non_null(d);
	int refs = 0;
	const char *f;
	while ((f = g_dir_read_name(d))) {
		if (g_str_has_suffix(f, "_party_refs.sql")) {
			refs = atoi(f);
		}
	}
	assert_true(refs > 1);
	char *dir = g_strdup("/tmp/cpt-migrate-XXXXXX");
	assert_non_null(g_mkdtemp(dir));
	g_dir_rewind(d);
	while ((f = g_dir_read_name(d))) {
		if (g_str_has_suffix(f, ".sql") && atoi(f) > 0 && atoi(f) < refs) {
			g_autofree char *from = g_build_filename(sqldir, f, NULL);
			g_autofree char *to = g_build_filename(dir, f, NULL);
			assert_int_equal(symlink(from, to), 0);
		}
	}
	g_dir_close(d);
	return dir;
}

static void free_text_of_an_older_version_becomes_references_without_loss(void **state)
{
	const char *env_dir = getenv("COMPTOIR_SQL_DIR");
	g_autofree char *sqldir =
	    g_canonicalize_filename(env_dir && *env_dir ? env_dir : "sql", NULL);
	g_autofree char *older = migrations_before_refs(sqldir);
	g_autofree char *db = g_strdup_printf("t_refs_migration_%d", (int)getpid());
	g_autofree char *maint_info =
	    g_strdup_printf("host=%s port=%s dbname=postgres user=postgres",
			    getenv("CPT_TEST_PGHOST"), getenv("CPT_TEST_PGPORT"));
	PGconn *maint = PQconnectdb(maint_info);
	assert_int_equal(PQstatus(maint), CONNECTION_OK);
	g_autofree char *create = g_strdup_printf("CREATE DATABASE %s", db);
	sql_ok(maint, create);
	g_autofree char *info =
	    g_strdup_printf("host=%s port=%s dbname=%s user=postgres", getenv("CPT_TEST_PGHOST"),
			    getenv("CPT_TEST_PGPORT"), db);
	PGconn *c = PQconnectdb(info);
	assert_int_equal(PQstatus(c), CONNECTION_OK);

	int applied = 0;
	cpt_status st = {0};
	if (cpt_migrate_apply(c, older, &applied, &st)) {
		fail_msg("older migrations: %s", st.message);
	}
	/* As an older version wrote them: two companies, text typed by hand. */
	sql_ok(c, "INSERT INTO company (code, name) VALUES ('UN', 'Un'), ('DEUX', 'Deux')");
	sql_ok(c, "INSERT INTO party (company_id, kind, code, name, sector, sales_rep,"
		  " payment_method, notes) SELECT c.id, 'client', v.code, v.code, v.sector,"
		  " v.rep, v.method, v.notes FROM (VALUES"
		  "  ('UN', 'C1', 'Nord Isère', 'Jean Dupont', 'Virement', ''),"
		  "  ('UN', 'C2', ' Nord Isère ', 'jean dupont', 'chèque', 'Client fidèle'),"
		  "  ('UN', 'C3', 'NORD-ISERE', '', 'PayPal', ''),"
		  "  ('UN', 'C4', '!!!', 'Jean Dupont', 'CB', ''),"
		  "  ('UN', 'C5', '', '', '', ''),"
		  "  ('DEUX', 'C1', 'Nord Isère', 'Jean Dupont', 'prélèvement', ''))"
		  " v (company, code, sector, rep, method, notes)"
		  " JOIN company c ON c.code = v.company");
	if (cpt_migrate_apply(c, sqldir, &applied, &st)) {
		fail_msg("migration: %s", st.message);
	}
	assert_true(applied >= 1);

	/* Each distinct text (spaces around aside) is one reference of its own company. */
	g_autofree char *parties = sql_text(
	    c, "SELECT string_agg(c.code || '/' || p.code || ' ' || coalesce(s.code, '-') || '='"
	       " || coalesce(s.label, '-') || ' ' || coalesce(r.code, '-') || '='"
	       " || coalesce(r.name, '-') || ' ' || coalesce(p.payment_method, '-'), '; '"
	       " ORDER BY c.code DESC, p.code) FROM party p JOIN company c ON c.id = p.company_id"
	       " LEFT JOIN sector s ON s.id = p.sector_id AND s.company_id = p.company_id"
	       " LEFT JOIN sales_rep r ON r.id = p.sales_rep_id AND r.company_id = p.company_id");
	assert_string_equal(parties,
			    "UN/C1 NORD_ISERE=Nord Isère JEAN_DUPONT=Jean Dupont VIREMENT; "
			    "UN/C2 NORD_ISERE=Nord Isère JEAN_DUPONT_2=jean dupont CHEQUE; "
			    "UN/C3 NORD-ISERE=NORD-ISERE -=- -; "
			    "UN/C4 SECTEUR=!!! JEAN_DUPONT=Jean Dupont CARTE; "
			    "UN/C5 -=- -=- -; "
			    "DEUX/C1 NORD_ISERE=Nord Isère JEAN_DUPONT=Jean Dupont PRELEVEMENT");
	/* A payment method not recognised is kept in the notes. */
	g_autofree char *notes = sql_text(c, "SELECT string_agg(code || ':' || notes, '|'"
					     " ORDER BY code) FROM party WHERE notes <> ''");
	assert_string_equal(notes, "C2:Client fidèle|C3:Mode de paiement : PayPal");
	g_autofree char *counts = sql_text(
	    c, "SELECT (SELECT count(*) FROM sector) || ' ' || (SELECT count(*)"
	       " FROM sales_rep) || ' ' || (SELECT count(*) FROM information_schema.columns"
	       " WHERE table_name = 'party' AND column_name IN ('sector', 'sales_rep',"
	       " 'payment_method_text'))");
	assert_string_equal(counts, "4 3 0");
	PQfinish(c);
	g_autofree char *drop = g_strdup_printf("DROP DATABASE %s WITH (FORCE)", db);
	sql_ok(maint, drop);
	PQfinish(maint);
	g_autofree char *rm = g_strdup_printf("rm -rf '%s'", older);
	assert_int_equal(system(rm), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sectors_and_reps_are_saved_listed_and_their_codes_unique),
	    cmocka_unit_test(
		a_client_file_keeps_its_sector_rep_payment_method_price_list_and_segments),
	    cmocka_unit_test(another_companys_sector_rep_or_price_list_is_refused_naming_the_field),
	    cmocka_unit_test(the_clients_list_filters_by_reference_tag_segment_and_dispute),
	    cmocka_unit_test(an_unused_sector_or_rep_is_deleted_a_used_one_refused),
	    cmocka_unit_test(segment_and_tag_filters_use_their_index_under_row_level_security),
	    cmocka_unit_test(free_text_of_an_older_version_becomes_references_without_loss),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
