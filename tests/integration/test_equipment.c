/*
 * Equipment at clients' sites: created, read back and updated with the next
 * service worked out; every bad field refused by name with nothing written;
 * the out-of-warranty and due-for-service lists exact around today; a user
 * who may only read cannot write; another company sees nothing.
 */
#include "testenv.h"

#include "admin.pb-c.h"
#include "equipment.pb-c.h"
#include "parties.pb-c.h"
#include "rpc.pb-c.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CREATE "comptoir.equipment.Equipment/Create"
#define UPDATE "comptoir.equipment.Equipment/Update"
#define GET "comptoir.equipment.Equipment/Get"
#define LIST "comptoir.equipment.Equipment/List"

static cpt_testenv env;
static cpt_client *admin;

/* The demo company's third parties and article, made in setup. */
static int64_t dupont; /* client with two sites and a billing address */
static int64_t dupont_site[2];
static int64_t dupont_billing;
static int64_t lumiere; /* another client, one site */
static int64_t lumiere_site;
static int64_t tilleuls; /* the client whose equipment the list tests read */
static int64_t supplier;
static int64_t prospect;
static int64_t article;

/* ---------------------------------------------------------------------------
 * Helpers
 */

/* One text value of a query run as superuser, into buf. */
static const char *sql_text(const char *sql, char *buf, size_t size)
{
	PGconn *c = cpt_testenv_sql(&env);
	PGresult *r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	snprintf(buf, size, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return buf;
}

/* The database's today plus days, YYYY-MM-DD. */
static const char *day(int days, char buf[11])
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT to_char(current_date + %d, 'YYYY-MM-DD')", days);
	return sql_text(sql, buf, 11);
}

static long long equipment_writes(void)
{
	return cpt_testenv_sql_int(&env, "SELECT (SELECT count(*) FROM equipment)"
					 " + (SELECT count(*) FROM audit_log)");
}

static int64_t make_party(const char *kind, const char *code, const char *name,
			  Comptoir__Parties__Party *p_in)
{
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	if (p_in) {
		p = *p_in;
	}
	p.kind = (char *)kind;
	p.code = (char *)code;
	p.name = (char *)name;
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = &p;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	const char *method = strcmp(kind, "supplier") == 0 ? "comptoir.parties.Suppliers/Create"
							   : "comptoir.parties.Parties/Create";
	if (cpt_client_call(admin, method, &req.base, &comptoir__parties__party_reply__descriptor,
			    &out, &st) != CPT_OK) {
		fprintf(stderr, "party %s: %s (%s)\n", code, st.message, st.field);
		return 0;
	}
	int64_t id = ((Comptoir__Parties__PartyReply *)out)->party->id;
	protobuf_c_message_free_unpacked(out, NULL);
	return id;
}

static int64_t address_id(const char *code, const char *label)
{
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT a.id FROM party_address a JOIN party p ON p.id = a.party_id"
		 " WHERE p.code = '%s' AND a.label = '%s'",
		 code, label);
	return cpt_testenv_sql_int(&env, sql);
}

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "equipment", NULL) != 0) {
		return -1;
	}
	admin = cpt_testenv_admin(&env);
	if (!admin) {
		return -1;
	}
	Comptoir__Parties__Address a[3];
	Comptoir__Parties__Address *ap[3] = {&a[0], &a[1], &a[2]};
	const char *kinds[] = {"site", "site", "billing"};
	const char *labels[] = {"Chaufferie A", "Chaufferie B", "Siège"};
	for (int i = 0; i < 3; i++) {
		comptoir__parties__address__init(&a[i]);
		a[i].kind = (char *)kinds[i];
		a[i].label = (char *)labels[i];
		a[i].city = "Lyon";
	}
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.n_addresses = 3;
	p.addresses = ap;
	dupont = make_party("client", "DUPONT", "Chauffage Dupont", &p);
	a[0].label = "Chaufferie école";
	p.n_addresses = 1;
	lumiere = make_party("client", "LUMIERE", "École Lumière", &p);
	a[0].label = "Sous-station";
	tilleuls = make_party("client", "TILLEULS", "Résidence des Tilleuls", &p);
	supplier = make_party("supplier", "FOURN1", "Négoce Chauffage", NULL);
	prospect = make_party("prospect", "PROSP1", "Garage des Alpes", NULL);
	dupont_site[0] = address_id("DUPONT", "Chaufferie A");
	dupont_site[1] = address_id("DUPONT", "Chaufferie B");
	dupont_billing = address_id("DUPONT", "Siège");
	lumiere_site = address_id("LUMIERE", "Chaufferie école");
	/* No articles service yet: the catalogue row goes straight in. */
	article = cpt_testenv_sql_int(
	    &env, "INSERT INTO article (company_id, code, kind, label, vat_rate_id)"
		  " SELECT c.id, 'CHAUD-24', 'goods', 'Chaudière gaz 24 kW', v.id"
		  " FROM company c, vat_rate v WHERE c.code = 'DEMO' AND v.country = 'FR'"
		  " AND v.rate = 2000 RETURNING id");
	return dupont && lumiere && tilleuls && supplier && prospect && dupont_site[1] &&
		       dupont_billing && lumiere_site && article > 0
		   ? 0
		   : -1;
}

static int teardown(void **state)
{
	cpt_client_close(admin);
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

/* Calls method with e; *rep gets the reply if asked (caller frees). */
static int call_item(cpt_client *c, const char *method, Comptoir__Equipment__Item *e,
		     Comptoir__Equipment__EquipmentReply **rep, cpt_status *st)
{
	Comptoir__Equipment__EquipmentRequest req = COMPTOIR__EQUIPMENT__EQUIPMENT_REQUEST__INIT;
	req.equipment = e;
	ProtobufCMessage *out = NULL;
	int rc = cpt_client_call(c, method, &req.base,
				 &comptoir__equipment__equipment_reply__descriptor, &out, st);
	if (rep) {
		*rep = (Comptoir__Equipment__EquipmentReply *)out;
	} else {
		protobuf_c_message_free_unpacked(out, NULL);
	}
	return rc;
}

static int64_t create_ok(Comptoir__Equipment__Item *e)
{
	Comptoir__Equipment__EquipmentReply *rep = NULL;
	cpt_status st = {0};
	if (call_item(admin, CREATE, e, &rep, &st) != CPT_OK) {
		fail_msg("Create: %s (%s)", st.message, st.field);
	}
	int64_t id = rep->equipment->id;
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	return id;
}

static Comptoir__Equipment__ListEquipmentReply *
list(cpt_client *c, Comptoir__Equipment__ListEquipmentRequest *req, int *rc)
{
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	*rc = cpt_client_call(c, LIST, &req->base,
			      &comptoir__equipment__list_equipment_reply__descriptor, &out, &st);
	return (Comptoir__Equipment__ListEquipmentReply *)out;
}

/* The serial numbers of a list, in order, comma-separated, into buf. */
static const char *serials(const Comptoir__Equipment__ListEquipmentReply *r, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < r->n_equipment; i++) {
		size_t n = strlen(buf);
		snprintf(buf + n, size - n, "%s%s", i ? "," : "", r->equipment[i]->serial_number);
	}
	return buf;
}

/* ---------------------------------------------------------------------------
 * Create, read, update
 */

static void equipment_is_created_read_back_and_updated(void **state)
{
	cpt_client *watcher = cpt_testenv_admin(&env);
	Comptoir__Equipment__Item e = COMPTOIR__EQUIPMENT__ITEM__INIT;
	e.party_code = " dupont "; /* by code, as the form does */
	e.site_id = dupont_site[1];
	e.article_code = "chaud-24";
	e.brand = " Viessmann ";
	e.model = "Vitodens 200-W";
	e.serial_number = "VI-2024-0001";
	e.install_date = "2024-01-31";
	e.warranty_end = "2026-01-30";
	e.supplier_id = supplier;
	e.service_interval_months = 1;
	e.last_service_date = "2025-01-31";
	e.notes = "Accès par la cour";
	Comptoir__Equipment__EquipmentReply *rep = NULL;
	cpt_status st = {0};
	if (call_item(admin, CREATE, &e, &rep, &st)) {
		fail_msg("Create: %s (%s)", st.message, st.field);
	}
	Comptoir__Equipment__Item *got = rep->equipment;
	int64_t id = got->id;
	assert_int_equal(got->party_id, dupont);
	assert_string_equal(got->party_code, "DUPONT");
	assert_string_equal(got->party_name, "Chauffage Dupont");
	assert_string_equal(got->site_label, "Chaufferie B");
	assert_int_equal(got->article_id, article);
	assert_string_equal(got->article_label, "Chaudière gaz 24 kW");
	assert_string_equal(got->brand, "Viessmann");
	assert_string_equal(got->supplier_name, "Négoce Chauffage");
	/* The next service is the last plus the interval, at the end of a short month. */
	assert_string_equal(got->next_service_date, "2025-02-28");
	assert_string_equal(got->next_service_planned, "");
	assert_false(got->inactive);
	assert_true(got->created_at > 0);
	protobuf_c_message_free_unpacked(&rep->base, NULL);

	/* Read back. */
	Comptoir__Equipment__GetEquipmentRequest g =
	    COMPTOIR__EQUIPMENT__GET_EQUIPMENT_REQUEST__INIT;
	g.id = id;
	ProtobufCMessage *out = NULL;
	assert_int_equal(cpt_client_call(admin, GET, &g.base,
					 &comptoir__equipment__equipment_reply__descriptor, &out,
					 &st),
			 CPT_OK);
	got = ((Comptoir__Equipment__EquipmentReply *)out)->equipment;
	assert_string_equal(got->serial_number, "VI-2024-0001");
	assert_string_equal(got->install_date, "2024-01-31");
	assert_string_equal(got->warranty_end, "2026-01-30");
	assert_string_equal(got->notes, "Accès par la cour");
	protobuf_c_message_free_unpacked(out, NULL);

	/* A visit agreed by hand wins over the interval; moved to the other site. */
	Comptoir__Equipment__Item u = e;
	u.id = id;
	u.party_code = "";
	u.party_id = dupont;
	u.site_id = dupont_site[0];
	u.brand = "Viessmann";
	u.next_service_planned = "2025-03-10";
	u.inactive = true;
	assert_int_equal(call_item(admin, UPDATE, &u, &rep, &st), CPT_OK);
	got = rep->equipment;
	assert_string_equal(got->site_label, "Chaufferie A");
	assert_string_equal(got->next_service_planned, "2025-03-10");
	assert_string_equal(got->next_service_date, "2025-03-10");
	assert_true(got->inactive);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	/* Without the planned date and the interval: no next service at all. */
	u.next_service_planned = "";
	u.service_interval_months = 0;
	u.inactive = false;
	assert_int_equal(call_item(admin, UPDATE, &u, &rep, &st), CPT_OK);
	assert_string_equal(rep->equipment->next_service_date, "");
	protobuf_c_message_free_unpacked(&rep->base, NULL);

	/* Every write is in the audit log, and other workstations are told. */
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM audit_log"
						   " WHERE target = 'equipment' AND row_ids = "
						   "ARRAY[(SELECT max(id) FROM equipment)]"),
			 3);
	usleep(300 * 1000);
	Comptoir__Rpc__Empty in = COMPTOIR__RPC__EMPTY__INIT;
	assert_int_equal(cpt_client_call(watcher, "comptoir.rpc.Server/Info", &in.base,
					 &comptoir__rpc__info_reply__descriptor, &out, &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	char *topic = NULL, *action = NULL;
	int64_t eid = 0;
	int seen = 0;
	while (cpt_client_next_event(watcher, &topic, &eid, &action)) {
		seen += strcmp(topic, "equipment") == 0 && eid == id;
		free(topic);
		free(action);
	}
	assert_int_equal(seen, 3);
	cpt_client_close(watcher);
}

/* ---------------------------------------------------------------------------
 * Bad input
 */

/* A valid equipment of Dupont's first site, for each case to spoil one field. */
static Comptoir__Equipment__Item valid_item(void)
{
	Comptoir__Equipment__Item e = COMPTOIR__EQUIPMENT__ITEM__INIT;
	e.party_id = dupont;
	e.site_id = dupont_site[0];
	e.brand = "De Dietrich";
	e.model = "MCR3";
	e.install_date = "2020-06-15";
	e.warranty_end = "2022-06-14";
	e.last_service_date = "2024-06-15";
	e.service_interval_months = 12;
	return e;
}

typedef enum {
	NO_CLIENT,
	CLIENT_IS_SUPPLIER,
	CLIENT_IS_PROSPECT,
	CLIENT_UNKNOWN,
	CLIENT_CODE_UNKNOWN,
	SITE_OF_ANOTHER_CLIENT,
	SITE_IS_BILLING_ADDRESS,
	SITE_UNKNOWN,
	SUPPLIER_IS_CLIENT,
	ARTICLE_UNKNOWN,
	NOTHING_SAYS_WHAT_IT_IS,
	WARRANTY_BEFORE_INSTALL,
	DATE_NOT_IN_CALENDAR,
	DATE_MALFORMED,
	LAST_SERVICE_IN_FUTURE,
	LAST_SERVICE_BEFORE_INSTALL,
	PLANNED_NOT_AFTER_LAST,
	INTERVAL_TOO_LONG,
	INTERVAL_NEGATIVE,
	SERIAL_TOO_LONG,
	N_CASES
} spoil;

static void spoil_item(Comptoir__Equipment__Item *e, spoil s, char *tomorrow)
{
	switch (s) {
	case NO_CLIENT:
		e->party_id = 0;
		break;
	case CLIENT_IS_SUPPLIER:
		e->party_id = supplier;
		e->site_id = 0;
		break;
	case CLIENT_IS_PROSPECT:
		e->party_id = prospect;
		e->site_id = 0;
		break;
	case CLIENT_UNKNOWN:
		e->party_id = 999999;
		break;
	case CLIENT_CODE_UNKNOWN:
		e->party_id = 0;
		e->party_code = "PERSONNE";
		break;
	case SITE_OF_ANOTHER_CLIENT:
		e->site_id = lumiere_site;
		break;
	case SITE_IS_BILLING_ADDRESS:
		e->site_id = dupont_billing;
		break;
	case SITE_UNKNOWN:
		e->site_id = 999999;
		break;
	case SUPPLIER_IS_CLIENT:
		e->supplier_id = lumiere;
		break;
	case ARTICLE_UNKNOWN:
		e->article_id = 999999;
		break;
	case NOTHING_SAYS_WHAT_IT_IS:
		e->brand = " ";
		e->model = "";
		break;
	case WARRANTY_BEFORE_INSTALL:
		e->warranty_end = "2020-06-14";
		break;
	case DATE_NOT_IN_CALENDAR:
		e->install_date = "2021-02-29";
		break;
	case DATE_MALFORMED:
		e->warranty_end = "14/06/2022";
		break;
	case LAST_SERVICE_IN_FUTURE:
		e->last_service_date = tomorrow;
		break;
	case LAST_SERVICE_BEFORE_INSTALL:
		e->last_service_date = "2020-06-14";
		break;
	case PLANNED_NOT_AFTER_LAST:
		e->next_service_planned = "2024-06-15";
		break;
	case INTERVAL_TOO_LONG:
		e->service_interval_months = 121;
		break;
	case INTERVAL_NEGATIVE:
		e->service_interval_months = -1;
		break;
	case SERIAL_TOO_LONG:
		e->serial_number = "0123456789012345678901234567890123456789012345678901234567890"
				   "1234567890123456789012345678901234567890";
		break;
	case N_CASES:
		break;
	}
}

static const struct {
	const char *field;
	int code;
} expected[N_CASES] = {
    [NO_CLIENT] = {"equipment.party_id", CPT_INVALID_ARGUMENT},
    [CLIENT_IS_SUPPLIER] = {"equipment.party_id", CPT_INVALID_ARGUMENT},
    [CLIENT_IS_PROSPECT] = {"equipment.party_id", CPT_INVALID_ARGUMENT},
    [CLIENT_UNKNOWN] = {"equipment.party_id", CPT_NOT_FOUND},
    [CLIENT_CODE_UNKNOWN] = {"equipment.party_code", CPT_NOT_FOUND},
    [SITE_OF_ANOTHER_CLIENT] = {"equipment.site_id", CPT_INVALID_ARGUMENT},
    [SITE_IS_BILLING_ADDRESS] = {"equipment.site_id", CPT_INVALID_ARGUMENT},
    [SITE_UNKNOWN] = {"equipment.site_id", CPT_NOT_FOUND},
    [SUPPLIER_IS_CLIENT] = {"equipment.supplier_id", CPT_INVALID_ARGUMENT},
    [ARTICLE_UNKNOWN] = {"equipment.article_id", CPT_NOT_FOUND},
    [NOTHING_SAYS_WHAT_IT_IS] = {"equipment.brand", CPT_INVALID_ARGUMENT},
    [WARRANTY_BEFORE_INSTALL] = {"equipment.warranty_end", CPT_INVALID_ARGUMENT},
    [DATE_NOT_IN_CALENDAR] = {"equipment.install_date", CPT_INVALID_ARGUMENT},
    [DATE_MALFORMED] = {"equipment.warranty_end", CPT_INVALID_ARGUMENT},
    [LAST_SERVICE_IN_FUTURE] = {"equipment.last_service_date", CPT_INVALID_ARGUMENT},
    [LAST_SERVICE_BEFORE_INSTALL] = {"equipment.last_service_date", CPT_INVALID_ARGUMENT},
    [PLANNED_NOT_AFTER_LAST] = {"equipment.next_service_planned", CPT_INVALID_ARGUMENT},
    [INTERVAL_TOO_LONG] = {"equipment.service_interval_months", CPT_INVALID_ARGUMENT},
    [INTERVAL_NEGATIVE] = {"equipment.service_interval_months", CPT_INVALID_ARGUMENT},
    [SERIAL_TOO_LONG] = {"equipment.serial_number", CPT_INVALID_ARGUMENT},
};

static void every_bad_field_is_named_and_nothing_is_written(void **state)
{
	char tomorrow[11];
	day(1, tomorrow);
	Comptoir__Equipment__Item base = valid_item();
	base.serial_number = "DD-1";
	base.article_id = article;
	int64_t id = create_ok(&base);
	long long before = equipment_writes();
	for (int pass = 0; pass < 2; pass++) {
		const char *method = pass ? UPDATE : CREATE;
		for (int s = 0; s < N_CASES; s++) {
			Comptoir__Equipment__Item e = valid_item();
			e.id = pass ? id : 0;
			spoil_item(&e, (spoil)s, tomorrow);
			cpt_status st = {0};
			int rc = call_item(admin, method, &e, NULL, &st);
			if (rc != expected[s].code || strcmp(st.field, expected[s].field) != 0) {
				fail_msg("%s case %d: %s on %s (%s), expected %s on %s", method, s,
					 cpt_code_name(rc), st.field, st.message,
					 cpt_code_name(expected[s].code), expected[s].field);
			}
			assert_true(strlen(st.message) > 0);
		}
	}
	/* The same serial number for the same article, in another case: refused. */
	Comptoir__Equipment__Item dup = valid_item();
	dup.article_id = article;
	dup.serial_number = " dd-1 ";
	cpt_status st = {0};
	assert_int_equal(call_item(admin, CREATE, &dup, NULL, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "equipment.serial_number");
	/* Unknown row on update. */
	Comptoir__Equipment__Item ghost = valid_item();
	ghost.id = 999999;
	assert_int_equal(call_item(admin, UPDATE, &ghost, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "equipment.id");
	assert_int_equal(equipment_writes(), before);
	/* The row refused on update kept its values. */
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM equipment"
						   " WHERE serial_number = 'DD-1'"
						   " AND brand = 'De Dietrich'"
						   " AND warranty_end = '2022-06-14'"),
			 1);

	/* The same serial number without an article, or for none: allowed. */
	dup.article_id = 0;
	create_ok(&dup);
}

static void a_site_carrying_equipment_cannot_be_removed_from_the_client_file(void **state)
{
	/* Lumière's only site gets a boiler; the file saved without that site is refused. */
	Comptoir__Equipment__Item e = COMPTOIR__EQUIPMENT__ITEM__INIT;
	e.party_id = lumiere;
	e.site_id = lumiere_site;
	e.brand = "Atlantic";
	create_ok(&e);
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.id = lumiere;
	p.code = "LUMIERE";
	p.name = "École Lumière";
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = &p;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(admin, "comptoir.parties.Parties/Update", &req.base,
					 &comptoir__parties__party_reply__descriptor, &out, &st),
			 CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "party.addresses.id");
	assert_int_equal(cpt_testenv_sql_int(&env, "SELECT count(*) FROM party_address"
						   " WHERE party_id = (SELECT id FROM party"
						   " WHERE code = 'LUMIERE')"),
			 1);
}

/* ---------------------------------------------------------------------------
 * Lists around today
 */

typedef struct {
	const char *serial;
	int warranty; /* days from today, or NO_DAY */
	int planned;  /* days from today, or NO_DAY */
	int last;     /* days from today, or NO_DAY */
	int interval; /* months */
	bool inactive;
} dated;

#define NO_DAY 100000

static void lists_out_of_warranty_and_due_for_service_are_exact_around_today(void **state)
{
	/*
	 * W*: warranties ending yesterday, today, tomorrow, never said; S*: next
	 * services 5 days late, today (12 months after the last), at 30 and 31
	 * days, none, and two months after a service done today.
	 */
	const dated rows[] = {
	    {"W-YESTERDAY", -1, NO_DAY, NO_DAY, 0, false},
	    {"W-TODAY", 0, NO_DAY, NO_DAY, 0, false},
	    {"W-TOMORROW", 1, NO_DAY, NO_DAY, 0, false},
	    {"W-NONE", NO_DAY, NO_DAY, NO_DAY, 0, false},
	    {"W-RETIRED", -10, -3, NO_DAY, 0, true},
	    {"S-LATE", NO_DAY, -5, NO_DAY, 0, false},
	    {"S-TODAY", NO_DAY, NO_DAY, -365, 12, false},
	    {"S-IN-30", NO_DAY, 30, NO_DAY, 0, false},
	    {"S-IN-31", NO_DAY, 31, NO_DAY, 0, false},
	    {"S-NONE", NO_DAY, NO_DAY, NO_DAY, 12, false},
	    {"S-DONE-TODAY", NO_DAY, NO_DAY, 0, 2, false},
	};
	char dates[G_N_ELEMENTS(rows)][3][11];
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		Comptoir__Equipment__Item e = COMPTOIR__EQUIPMENT__ITEM__INIT;
		e.party_id = tilleuls;
		e.brand = "Viessmann";
		e.serial_number = (char *)rows[i].serial;
		if (rows[i].warranty != NO_DAY) {
			e.warranty_end = (char *)day(rows[i].warranty, dates[i][0]);
		}
		if (rows[i].planned != NO_DAY) {
			e.next_service_planned = (char *)day(rows[i].planned, dates[i][1]);
		}
		if (rows[i].last == -365) { /* exactly twelve months ago */
			e.last_service_date = (char *)sql_text(
			    "SELECT to_char(current_date - interval '12 months', 'YYYY-MM-DD')",
			    dates[i][2], 11);
		} else if (rows[i].last != NO_DAY) {
			e.last_service_date = (char *)day(rows[i].last, dates[i][2]);
		}
		e.service_interval_months = rows[i].interval;
		e.inactive = rows[i].inactive;
		create_ok(&e);
	}
	char today[11], buf[256];
	day(0, today);
	Comptoir__Equipment__ListEquipmentRequest req =
	    COMPTOIR__EQUIPMENT__LIST_EQUIPMENT_REQUEST__INIT;
	Comptoir__Admin__Page page = COMPTOIR__ADMIN__PAGE__INIT;
	req.party_id = tilleuls;
	req.page = &page;
	page.sort = "serial";
	page.with_total = true;
	int rc;

	req.filter = COMPTOIR__EQUIPMENT__FILTER__FILTER_OUT_OF_WARRANTY;
	Comptoir__Equipment__ListEquipmentReply *r = list(admin, &req, &rc);
	assert_int_equal(rc, CPT_OK);
	assert_string_equal(serials(r, buf, sizeof buf), "W-YESTERDAY");
	assert_int_equal(r->total, 1);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	req.include_inactive = true;
	r = list(admin, &req, &rc);
	assert_string_equal(serials(r, buf, sizeof buf), "W-RETIRED,W-YESTERDAY");
	protobuf_c_message_free_unpacked(&r->base, NULL);
	req.include_inactive = false;

	/* Due within 30 days by default, sorted by next service. */
	req.filter = COMPTOIR__EQUIPMENT__FILTER__FILTER_DUE_FOR_SERVICE;
	page.sort = "next_service";
	r = list(admin, &req, &rc);
	assert_int_equal(rc, CPT_OK);
	assert_string_equal(serials(r, buf, sizeof buf), "S-LATE,S-TODAY,S-IN-30");
	assert_int_equal(r->total, 3);
	assert_string_equal(r->equipment[1]->next_service_date, today);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	req.due_within_days = 31;
	r = list(admin, &req, &rc);
	assert_string_equal(serials(r, buf, sizeof buf), "S-LATE,S-TODAY,S-IN-30,S-IN-31");
	protobuf_c_message_free_unpacked(&r->base, NULL);
	req.due_within_days = 1;
	r = list(admin, &req, &rc);
	assert_string_equal(serials(r, buf, sizeof buf), "S-LATE,S-TODAY");
	protobuf_c_message_free_unpacked(&r->base, NULL);
	req.due_within_days = 62; /* two months after today, whatever the months */
	r = list(admin, &req, &rc);
	assert_string_equal(serials(r, buf, sizeof buf),
			    "S-LATE,S-TODAY,S-IN-30,S-IN-31,S-DONE-TODAY");
	protobuf_c_message_free_unpacked(&r->base, NULL);

	/* Page by page on the date key, one row at a time, both ways. */
	for (int desc = 0; desc < 2; desc++) {
		page.descending = desc;
		page.limit = 1;
		page.with_total = false;
		char seen[256] = "";
		char key[11] = "";
		int64_t after = 0;
		for (int n = 0; n < 10; n++) {
			page.after_key = key;
			page.after_id = after;
			r = list(admin, &req, &rc);
			assert_int_equal(rc, CPT_OK);
			if (r->n_equipment == 0) {
				protobuf_c_message_free_unpacked(&r->base, NULL);
				break;
			}
			size_t len = strlen(seen);
			snprintf(seen + len, sizeof seen - len, "%s%s", len ? "," : "",
				 r->equipment[0]->serial_number);
			snprintf(key, sizeof key, "%s", r->equipment[0]->next_service_date);
			after = r->equipment[0]->id;
			protobuf_c_message_free_unpacked(&r->base, NULL);
		}
		assert_string_equal(seen, desc ? "S-DONE-TODAY,S-IN-31,S-IN-30,S-TODAY,S-LATE"
					       : "S-LATE,S-TODAY,S-IN-30,S-IN-31,S-DONE-TODAY");
	}
	page.descending = false;
	page.limit = 0;
	page.after_key = "";
	page.after_id = 0;

	/* Everything of that client, active only: ten rows; found by the client's name. */
	req.filter = COMPTOIR__EQUIPMENT__FILTER__FILTER_ALL;
	req.due_within_days = 0;
	page.with_total = true;
	r = list(admin, &req, &rc);
	assert_int_equal(r->total, 10);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	req.party_id = 0;
	req.search = "RESIDENCE des til";
	r = list(admin, &req, &rc);
	assert_int_equal(r->total, 10);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	req.search = "w-yest";
	r = list(admin, &req, &rc);
	assert_string_equal(serials(r, buf, sizeof buf), "W-YESTERDAY");
	protobuf_c_message_free_unpacked(&r->base, NULL);

	/* Bad list input names its field. */
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	req.search = "";
	req.due_within_days = 5000;
	assert_int_equal(cpt_client_call(admin, LIST, &req.base,
					 &comptoir__equipment__list_equipment_reply__descriptor,
					 &out, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "due_within_days");
	req.due_within_days = 0;
	page.sort = "brand";
	assert_int_equal(cpt_client_call(admin, LIST, &req.base,
					 &comptoir__equipment__list_equipment_reply__descriptor,
					 &out, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "page.sort");
	page.sort = "warranty_end";
	page.after_id = 1;
	page.after_key = "not a date";
	assert_int_equal(cpt_client_call(admin, LIST, &req.base,
					 &comptoir__equipment__list_equipment_reply__descriptor,
					 &out, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "page.after_key");
}

/* ---------------------------------------------------------------------------
 * Rights and companies
 */

static void a_user_who_may_only_read_cannot_write(void **state)
{
	Comptoir__Admin__Role role = COMPTOIR__ADMIN__ROLE__INIT;
	role.name = "Lecture des interventions";
	role.description = "";
	Comptoir__Admin__RoleRequest rr = COMPTOIR__ADMIN__ROLE_REQUEST__INIT;
	rr.role = &role;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/CreateRole", &rr.base,
					 &comptoir__admin__role_reply__descriptor, &out, &st),
			 CPT_OK);
	int64_t role_id = ((Comptoir__Admin__RoleReply *)out)->role->id;
	protobuf_c_message_free_unpacked(out, NULL);
	char *perms[] = {"interventions.read"};
	Comptoir__Admin__SetRolePermissionsRequest sp =
	    COMPTOIR__ADMIN__SET_ROLE_PERMISSIONS_REQUEST__INIT;
	sp.role_id = role_id;
	sp.n_permissions = 1;
	sp.permissions = perms;
	assert_int_equal(cpt_client_call(admin, "comptoir.admin.Admin/SetRolePermissions", &sp.base,
					 &comptoir__admin__role_reply__descriptor, &out, &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	assert_true(cpt_testenv_create_user(&env, "technicien", role_id, 0) > 0);
	cpt_client *reader =
	    cpt_testenv_login(&env, "technicien", CPT_TEST_PASSWORD, 0, NULL, NULL);
	assert_non_null(reader);

	/* Reads: the list, one row, a client's sites. */
	Comptoir__Equipment__ListEquipmentRequest req =
	    COMPTOIR__EQUIPMENT__LIST_EQUIPMENT_REQUEST__INIT;
	int rc;
	Comptoir__Equipment__ListEquipmentReply *r = list(reader, &req, &rc);
	assert_int_equal(rc, CPT_OK);
	assert_true(r->n_equipment > 0);
	int64_t id = r->equipment[0]->id;
	protobuf_c_message_free_unpacked(&r->base, NULL);
	Comptoir__Equipment__GetEquipmentRequest g =
	    COMPTOIR__EQUIPMENT__GET_EQUIPMENT_REQUEST__INIT;
	g.id = id;
	assert_int_equal(cpt_client_call(reader, GET, &g.base,
					 &comptoir__equipment__equipment_reply__descriptor, &out,
					 &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	Comptoir__Equipment__ClientSitesRequest cs =
	    COMPTOIR__EQUIPMENT__CLIENT_SITES_REQUEST__INIT;
	cs.party_code = "dupont";
	assert_int_equal(
	    cpt_client_call(reader, "comptoir.equipment.Equipment/ClientSites", &cs.base,
			    &comptoir__equipment__client_sites_reply__descriptor, &out, &st),
	    CPT_OK);
	Comptoir__Equipment__ClientSitesReply *sites = (void *)out;
	assert_int_equal(sites->party_id, dupont);
	assert_int_equal(sites->n_sites, 2); /* the billing address is not a site */
	assert_string_equal(sites->sites[1]->label, "Chaufferie B");
	protobuf_c_message_free_unpacked(out, NULL);

	/* Writes: refused, nothing written. */
	long long before = equipment_writes();
	Comptoir__Equipment__Item e = valid_item();
	assert_int_equal(call_item(reader, CREATE, &e, NULL, &st), CPT_PERMISSION_DENIED);
	e.id = id;
	assert_int_equal(call_item(reader, UPDATE, &e, NULL, &st), CPT_PERMISSION_DENIED);
	assert_int_equal(equipment_writes(), before);
	cpt_client_close(reader);
}

static void another_company_sees_nothing(void **state)
{
	char text[2048];
	const char *add[] = {"company", "add", "AUTRE", "Autre SARL", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, text, sizeof text, add), 0);
	const char *grant[] = {"user", "grant", "admin", "AUTRE", "Administrateur", NULL};
	assert_int_equal(cpt_testenv_ctl(&env, text, sizeof text, grant), 0);
	int64_t other = cpt_testenv_sql_int(&env, "SELECT id FROM company WHERE code = 'AUTRE'");
	cpt_client *b = cpt_testenv_login(&env, "admin", env.admin_password, other, NULL, NULL);
	assert_non_null(b);
	Comptoir__Equipment__ListEquipmentRequest req =
	    COMPTOIR__EQUIPMENT__LIST_EQUIPMENT_REQUEST__INIT;
	req.include_inactive = true;
	int rc;
	Comptoir__Equipment__ListEquipmentReply *r = list(b, &req, &rc);
	assert_int_equal(rc, CPT_OK);
	assert_int_equal(r->n_equipment, 0);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	int64_t id = cpt_testenv_sql_int(&env, "SELECT min(id) FROM equipment");
	Comptoir__Equipment__GetEquipmentRequest g =
	    COMPTOIR__EQUIPMENT__GET_EQUIPMENT_REQUEST__INIT;
	g.id = id;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(b, GET, &g.base,
					 &comptoir__equipment__equipment_reply__descriptor, &out,
					 &st),
			 CPT_NOT_FOUND);
	/* Nor can it reach this company's clients... */
	Comptoir__Equipment__Item e = valid_item();
	e.site_id = 0;
	assert_int_equal(call_item(b, CREATE, &e, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "equipment.party_id");
	/* ...nor their sites, from a client of its own with the same code... */
	Comptoir__Parties__Address site = COMPTOIR__PARTIES__ADDRESS__INIT;
	Comptoir__Parties__Address *sites[] = {&site};
	site.kind = "site";
	site.label = "Chaufferie";
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.kind = "client";
	p.code = "DUPONT";
	p.name = "Dupont ailleurs";
	p.n_addresses = 1;
	p.addresses = sites;
	Comptoir__Parties__PartyRequest pr = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	pr.party = &p;
	assert_int_equal(cpt_client_call(b, "comptoir.parties.Parties/Create", &pr.base,
					 &comptoir__parties__party_reply__descriptor, &out, &st),
			 CPT_OK);
	int64_t theirs = ((Comptoir__Parties__PartyReply *)out)->party->id;
	protobuf_c_message_free_unpacked(out, NULL);
	long long before = equipment_writes();
	e.party_id = 0;
	e.party_code = "DUPONT";
	e.site_id = dupont_site[0];
	assert_int_equal(call_item(b, CREATE, &e, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "equipment.site_id");
	/* ...nor change their rows. */
	e.party_code = "";
	e.party_id = theirs;
	e.site_id = 0;
	e.id = id;
	assert_int_equal(call_item(b, UPDATE, &e, NULL, &st), CPT_NOT_FOUND);
	assert_string_equal(st.field, "equipment.id");
	assert_int_equal(equipment_writes(), before);
	cpt_client_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(equipment_is_created_read_back_and_updated),
	    cmocka_unit_test(every_bad_field_is_named_and_nothing_is_written),
	    cmocka_unit_test(a_site_carrying_equipment_cannot_be_removed_from_the_client_file),
	    cmocka_unit_test(lists_out_of_warranty_and_due_for_service_are_exact_around_today),
	    cmocka_unit_test(a_user_who_may_only_read_cannot_write),
	    cmocka_unit_test(another_company_sees_nothing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
