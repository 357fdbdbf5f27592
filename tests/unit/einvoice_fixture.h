/*
 * Document views for the e-invoice tests, built the way the sales module
 * fills them: line nets with cpt_money_line_net, the document discount per
 * VAT rate with cpt_money_percent, VAT per rate on the sum of its bases with
 * cpt_money_vat. Also the runner of ../shared/standards/validate-einvoice.sh.
 * Included by test_einvoice*.c only (static inline: each takes what it uses).
 */
#ifndef CPT_TEST_EINVOICE_FIXTURE_H
#define CPT_TEST_EINVOICE_FIXTURE_H

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "docview.h"
#include "einvoice.h"
#include "ident.h"
#include "money.h"

#define FX_MAX_LINES 16
#define FX_MAX_RATES 8

typedef struct fx_doc {
	cpt_doc_view v;
	cpt_doc_line lines[FX_MAX_LINES];
	cpt_doc_vat vat[FX_MAX_RATES];
	cpt_doc_deduction deductions[2];
	const char *exemption, *exemption_code; /* for every category but S */
	char structcomm[CPT_IDENT_STRUCTCOMM_SIZE];
} fx_doc;

static inline cpt_doc_address fx_address(const char *line1, const char *postcode, const char *city,
					 const char *country)
{
	return (cpt_doc_address){line1, "", postcode, city, country};
}

/* Every string "" as docview.h promises, dates and amounts 0. */
static inline void fx_init(fx_doc *d, cpt_doc_type type, const char *number)
{
	memset(d, 0, sizeof *d);
	cpt_doc_view *v = &d->v;
	cpt_doc_address none = fx_address("", "", "", "");
	v->type = type;
	v->number = number;
	v->title = type == CPT_DOC_CREDIT_NOTE ? "Avoir" : "Facture";
	v->issue_date = (cpt_date){2025, 3, 31};
	v->currency = "EUR";
	v->language = "fr";
	v->buyer_reference = v->preceding_number = "";
	v->seller =
	    (cpt_doc_seller){"", "", "", "", "", "", "", "", none, "", "", "", "", "", "", 0, ""};
	v->buyer = (cpt_doc_buyer){"", "", "", "", "", none, false, none, "", ""};
	v->lines = d->lines;
	v->vat = d->vat;
	v->deductions = d->deductions;
	v->payment_terms = v->payment_means_code = v->late_penalty = "";
	v->recovery_indemnity = v->early_discount = v->structured_communication = "";
	v->notes = "";
	d->exemption = d->exemption_code = "";
}

static inline void fx_seller_fr(fx_doc *d)
{
	d->v.seller = (cpt_doc_seller){
	    .name = "Thermo Services",
	    .legal_form = "SARL",
	    .share_capital = "10 000 €",
	    .siren = "732829320",
	    .siret = "73282932000017",
	    .rcs = "RCS Lyon 732 829 320",
	    .be_enterprise = "",
	    .vat_number = "FR44732829320",
	    .address = fx_address("12 rue de la République", "69002", "Lyon", "FR"),
	    .phone = "04 72 00 00 00",
	    .email = "factures@thermo-services.fr",
	    .website = "",
	    .iban = "FR76 3000 6000 0112 3456 7890 189",
	    .bic = "AGRIFRPP",
	    .logo_png = "",
	    .footer = "",
	};
	d->v.payment_means_code = "58";
	d->v.payment_terms = "30 jours fin de mois";
	d->v.due_date = (cpt_date){2025, 5, 31};
	d->v.late_penalty = "Pénalités de retard : 13,15 % l'an (taux BCE + 10 points)";
	d->v.recovery_indemnity = "Indemnité forfaitaire pour frais de recouvrement : 40 €";
	d->v.early_discount = "Pas d'escompte pour paiement anticipé.";
}

static inline void fx_buyer_fr(fx_doc *d)
{
	cpt_doc_address none = fx_address("", "", "", "");
	d->v.buyer = (cpt_doc_buyer){
	    .code = "CLI-0042",
	    .name = "Boulangerie Martin",
	    .siren = "443061841",
	    .vat_number = "FR64443061841",
	    .be_enterprise = "",
	    .billing = fx_address("3 place du Marché", "69100", "Villeurbanne", "FR"),
	    .delivery = none,
	    .contact = "Mme Claire Martin",
	    .email = "compta@boulangerie-martin.fr",
	};
}

/* An item line; its net is computed here as the sales module does. */
static inline void fx_item(fx_doc *d, const char *code, const char *label, const char *unit_code,
			   int64_t qty3, int64_t price4, int64_t discount_bp, int64_t rate_bp,
			   const char *category, int64_t eco_cents)
{
	g_assert(d->v.n_lines < FX_MAX_LINES);
	cpt_doc_line *l = &d->lines[d->v.n_lines++];
	*l = (cpt_doc_line){CPT_LINE_ITEM, code, label,	  "",	    unit_code, qty3, price4,
			    discount_bp,   0,	 rate_bp, category, eco_cents, 0};
	g_assert(cpt_money_line_net(price4, qty3, discount_bp, &l->net));
}

/* A comment, section title or subtotal line. */
static inline void fx_text(fx_doc *d, cpt_doc_line_kind kind, const char *label)
{
	g_assert(d->v.n_lines < FX_MAX_LINES);
	d->lines[d->v.n_lines++] = (cpt_doc_line){kind, "", label, "", "", 0, 0, 0, 0, 0, "", 0, 0};
}

static inline void fx_deduct(fx_doc *d, const char *number, cpt_date date, int64_t cents)
{
	d->deductions[d->v.n_deductions++] = (cpt_doc_deduction){number, date, cents};
}

/* Totals, discount per rate, VAT breakdown sorted by decreasing rate. */
static inline void fx_finish(fx_doc *d, int64_t discount_bp)
{
	cpt_doc_view *v = &d->v;
	v->discount_rate = discount_bp;
	for (size_t i = 0; i < v->n_lines; i++) {
		cpt_doc_line *l = &d->lines[i];
		if (l->kind == CPT_LINE_SUBTOTAL) {
			for (size_t k = 0; k < i; k++)
				if (d->lines[k].kind == CPT_LINE_ITEM)
					l->subtotal += d->lines[k].net;
		}
		if (l->kind != CPT_LINE_ITEM)
			continue;
		v->lines_net += l->net;
		v->eco_total += l->eco_contribution;
		size_t j = 0;
		while (j < v->n_vat && !(d->vat[j].rate == l->vat_rate &&
					 strcmp(d->vat[j].category, l->vat_category) == 0))
			j++;
		if (j == v->n_vat) {
			g_assert(j < FX_MAX_RATES);
			bool exempt = strcmp(l->vat_category, "S") != 0;
			d->vat[v->n_vat++] = (cpt_doc_vat){l->vat_rate,
							   l->vat_category,
							   0,
							   0,
							   exempt ? d->exemption : "",
							   exempt ? d->exemption_code : ""};
		}
		d->vat[j].base += l->net; /* the rate's line nets, less its discount below */
	}
	for (size_t j = 0; j < v->n_vat; j++) {
		int64_t discount = 0;
		g_assert(cpt_money_percent(d->vat[j].base, discount_bp, &discount));
		d->vat[j].base -= discount;
		v->discount_amount += discount;
		g_assert(cpt_money_vat(d->vat[j].base, d->vat[j].rate, &d->vat[j].amount));
		v->vat_total += d->vat[j].amount;
	}
	for (size_t a = 0; a < v->n_vat; a++) /* decreasing rate */
		for (size_t b = a + 1; b < v->n_vat; b++)
			if (d->vat[b].rate > d->vat[a].rate) {
				cpt_doc_vat t = d->vat[a];
				d->vat[a] = d->vat[b];
				d->vat[b] = t;
			}
	v->net_total = v->lines_net - v->discount_amount;
	v->gross_total = v->net_total + v->vat_total;
	for (size_t k = 0; k < v->n_deductions; k++)
		v->prepaid += d->deductions[k].amount;
	v->amount_due = v->gross_total - v->prepaid;
}

/* ---- The views of the tests --------------------------------------------- */

/* Two rates (20 %, 5,5 %), a line discount, a 2 % document discount, a
 * deposit deducted, DEEE, sections, a comment and a subtotal. */
static inline void fx_invoice_fr(fx_doc *d)
{
	fx_init(d, CPT_DOC_INVOICE, "FA-2025-0042");
	fx_seller_fr(d);
	fx_buyer_fr(d);
	d->v.buyer_reference = "BC-7781";
	d->v.buyer.has_delivery = true;
	d->v.buyer.delivery = fx_address("18 avenue Jean Jaurès", "69007", "Lyon", "FR");
	d->v.delivery_date = (cpt_date){2025, 3, 27};
	d->v.nature = CPT_NATURE_BOTH;
	d->v.notes = "Merci de votre confiance.";
	fx_text(d, CPT_LINE_SECTION, "Chauffage");
	fx_item(d, "PAC-8KW", "Pompe à chaleur air/eau 8 kW\nModèle Aquarea, garantie 5 ans", "C62",
		1000, 45000000, 500, 2000, "S", 0);
	fx_text(d, CPT_LINE_TEXT, "Pose et mise en service comprises");
	fx_item(d, "THERM", "Thermostat connecté", "C62", 3000, 1299900, 750, 2000, "S", 0);
	fx_item(d, "RAD-1500", "Radiateur électrique 1500 W", "C62", 2000, 1899000, 0, 2000, "S",
		100);
	fx_text(d, CPT_LINE_SUBTOTAL, "");
	fx_text(d, CPT_LINE_SECTION, "Isolation (travaux de rénovation énergétique)");
	fx_item(d, "ISOL-R7", "Isolation des combles perdus", "MTK", 32500, 249000, 0, 550, "S", 0);
	fx_item(d, "MO", "Main d'œuvre & <réglages>", "HUR", 7500, 485000, 0, 550, "S", 0);
	fx_deduct(d, "FA-2025-0040", (cpt_date){2025, 2, 10}, 100000);
	fx_finish(d, 200);
}

/* The deposit invoice deducted above: 833,33 € HT + 166,67 € = 1 000,00 €. */
static inline void fx_deposit_fr(fx_doc *d)
{
	fx_init(d, CPT_DOC_DEPOSIT_INVOICE, "FA-2025-0040");
	fx_seller_fr(d);
	fx_buyer_fr(d);
	d->v.issue_date = (cpt_date){2025, 2, 10};
	d->v.due_date = (cpt_date){2025, 2, 10};
	d->v.payment_terms = "À réception";
	fx_item(d, "", "Acompte de 30 % sur le devis DE-2025-0107", "C62", 1000, 8333300, 0, 2000,
		"S", 0);
	fx_finish(d, 0);
}

/* A radiator returned, on a credit note of FA-2025-0042; sign -1 gives the
 * same credit note with its amounts negative. */
static inline void fx_credit_note_fr(fx_doc *d, int sign)
{
	fx_init(d, CPT_DOC_CREDIT_NOTE, "AV-2025-0007");
	fx_seller_fr(d);
	fx_buyer_fr(d);
	d->v.issue_date = (cpt_date){2025, 4, 14};
	d->v.due_date = (cpt_date){2025, 4, 14};
	d->v.payment_terms = "Remboursement par virement";
	d->v.preceding_number = "FA-2025-0042";
	d->v.preceding_date = (cpt_date){2025, 3, 31};
	fx_item(d, "RAD-1500", "Radiateur électrique 1500 W", "C62", sign * 1000, 1899000, 0, 2000,
		"S", sign * 50);
	fx_text(d, CPT_LINE_TEXT, "Retour d'un radiateur défectueux");
	fx_finish(d, 0);
}

/* Services to a German business: reverse charge, no VAT. */
static inline void fx_reverse_charge_fr(fx_doc *d)
{
	fx_init(d, CPT_DOC_INVOICE, "FA-2025-0043");
	fx_seller_fr(d);
	cpt_doc_address none = fx_address("", "", "", "");
	d->v.buyer =
	    (cpt_doc_buyer){"CLI-0107", "Müller Haustechnik GmbH",
			    "",		"DE136695976",
			    "",		fx_address("Hauptstraße 5", "10115", "Berlin", "DE"),
			    false,	none,
			    "",		"rechnung@mueller-haustechnik.de"};
	d->v.nature = CPT_NATURE_SERVICES;
	d->exemption = "Autoliquidation";
	d->exemption_code = "VATEX-EU-AE";
	fx_item(d, "MAINT-IND", "Maintenance annuelle chaudière industrielle", "C62", 1000,
		18500000, 0, 0, "AE", 0);
	fx_item(d, "DEPL", "Déplacement", "C62", 1000, 1200000, 0, 0, "AE", 0);
	fx_finish(d, 0);
}

/* A micro-entrepreneur under franchise en base: exempt, with its mention. */
static inline void fx_franchise_fr(fx_doc *d)
{
	fx_init(d, CPT_DOC_INVOICE, "2025-018");
	fx_seller_fr(d);
	d->v.seller.name = "Atelier Dubois";
	d->v.seller.legal_form = "EI";
	d->v.seller.share_capital = d->v.seller.rcs = "";
	d->v.seller.siren = "542107651";
	d->v.seller.siret = "54210765100011";
	d->v.seller.vat_number = "FR13542107651";
	d->v.payment_means_code = "30";
	fx_buyer_fr(d);
	d->exemption = "TVA non applicable, art. 293 B du CGI";
	fx_item(d, "", "Réparation de volets roulants", "HUR", 3500, 400000, 0, 0, "E", 0);
	fx_item(d, "", "Fournitures", "C62", 1000, 355000, 0, 0, "E", 0);
	fx_finish(d, 0);
}

/* Belgium: 21 % and 6 %, a structured communication, enterprise numbers. */
static inline void fx_invoice_be(fx_doc *d)
{
	fx_init(d, CPT_DOC_INVOICE, "F2025/0311");
	cpt_doc_address none = fx_address("", "", "", "");
	d->v.seller = (cpt_doc_seller){
	    .name = "Chauffage Dupont",
	    .legal_form = "SRL",
	    .share_capital = "",
	    .siren = "",
	    .siret = "",
	    .rcs = "RPM Bruxelles",
	    .be_enterprise = "0403170701",
	    .vat_number = "BE0403170701",
	    .address = fx_address("Rue de la Loi 16", "1000", "Bruxelles", "BE"),
	    .phone = "+32 2 555 00 00",
	    .email = "facturation@chauffage-dupont.be",
	    .website = "",
	    .iban = "BE68 5390 0754 7034",
	    .bic = "GEBABEBB",
	    .logo_png = "",
	    .footer = "",
	};
	d->v.buyer =
	    (cpt_doc_buyer){"C-311",	  "Brasserie Janssens",
			    "",		  "BE0202239951",
			    "0202239951", fx_address("Grand-Place 1", "7000", "Mons", "BE"),
			    false,	  none,
			    "",		  "compta@brasserie-janssens.be"};
	d->v.payment_means_code = "30";
	d->v.payment_terms = "30 jours";
	d->v.due_date = (cpt_date){2025, 4, 30};
	g_assert(cpt_ident_structcomm_make(1234567890ULL, "structured_communication", d->structcomm,
					   NULL) == CPT_OK);
	d->v.structured_communication = d->structcomm;
	fx_item(d, "ENT-GAZ", "Entretien chaudière gaz", "C62", 1000, 1450000, 0, 2100, "S", 0);
	fx_item(d, "CIRC", "Remplacement du circulateur (habitation de plus de 10 ans)", "C62",
		1000, 3890000, 0, 600, "S", 0);
	fx_item(d, "MO", "Main-d'œuvre", "HUR", 2500, 520000, 0, 600, "S", 0);
	fx_finish(d, 0);
}

/* ---- Output and the official validator ----------------------------------- */

/* Writes xml to $CPT_TEST_OUT/einvoice/name (tests/out by default); returns
 * the path, g_free it. */
static inline char *fx_write(GBytes *xml, const char *name)
{
	const char *out = g_getenv("CPT_TEST_OUT");
	g_autofree char *dir = g_build_filename(out && *out ? out : "tests/out", "einvoice", NULL);
	g_assert(g_mkdir_with_parents(dir, 0755) == 0);
	char *path = g_build_filename(dir, name, NULL);
	gsize len;
	const char *data = g_bytes_get_data(xml, &len);
	g_assert(g_file_set_contents(path, data, (gssize)len, NULL));
	return path;
}

/* The validator, or NULL (with a message printed once) when the shared
 * standards folder is not there: $CPT_STANDARDS, else ../shared/standards. */
static inline const char *fx_validator(void)
{
	static char path[1024];
	static int state; /* 0 unknown, 1 found, 2 absent */
	if (state == 0) {
		const char *dir = g_getenv("CPT_STANDARDS");
		snprintf(path, sizeof path, "%s/validate-einvoice.sh",
			 dir && *dir ? dir : "../shared/standards");
		state = g_file_test(path, G_FILE_TEST_IS_EXECUTABLE) ? 1 : 2;
		if (state == 2)
			printf(
			    "SKIP e-invoice validation: %s not found (set CPT_STANDARDS to the "
			    "shared/standards folder); the XML is still generated and checked.\n",
			    path);
	}
	return state == 1 ? path : NULL;
}

/* Runs the validator with option ("--facturx", "--peppol") on path; fails the
 * test unless it exits with expected (0 PASS, 1 FAIL). Returns false when it
 * was skipped. */
static inline bool fx_validate_expect(const char *path, const char *option, int expected)
{
	const char *script = fx_validator();
	if (!script)
		return false;
	const char *argv[] = {script, "-q", option, path, NULL};
	g_autofree char *out = NULL, *err = NULL;
	g_autoptr(GError) error = NULL;
	int status = 0;
	gboolean ran = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
				    &err, &status, &error);
	if (!ran)
		fail_msg("cannot run %s: %s", script, error->message);
	printf("%s %s", option, out);
	fflush(stdout);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != expected)
		fail_msg("validator on %s: expected exit %d:\n%s%s", path, expected, out, err);
	return true;
}

static inline bool fx_validate(const char *path, const char *option)
{
	return fx_validate_expect(path, option, 0);
}

#endif
