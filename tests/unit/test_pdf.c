/*
 * Unit tests for the PDF renderer (server/pdf_*.c). Each test builds a view
 * in C, renders it, checks the file with qpdf and reads it back with
 * `pdftotext -layout` (poppler-utils): what a person reads on paper is what
 * is asserted, with accents, « », — and € byte for byte and amounts in the
 * French format of common/money.c. The PDFs are left in $CPT_TEST_OUT.
 */
#include "pdf_fixtures.h"

#include "ident.h"
#include "mentions.h"

#include <stdio.h>

static char *render_to_text(const cpt_doc_view *v, const char *name, GBytes **keep_pdf)
{
	GBytes *pdf = NULL;
	cpt_status st = CPT_STATUS_OK;

	if (cpt_pdf_render(v, &pdf, &st) != CPT_OK)
		fail_msg("render %s: %s (%s)", name, st.message, st.field);
	g_autofree char *path = save_pdf(pdf, name);
	assert_qpdf_check(path);
	char *text = pdf_text(path);
	if (keep_pdf)
		*keep_pdf = pdf;
	else
		g_bytes_unref(pdf);
	return text;
}

/* ==== The long invoice ==================================================== */

#define LONG_LABEL                                                                                 \
	"Fourniture et pose d'un plancher chauffant basse température, chape fluide "             \
	"anhydrite, isolant sous chape 52 mm, collecteur huit départs avec têtes "               \
	"thermostatiques, essais d'étanchéité et mise en eau, fin du libellé FINLIBELLE"

/* 80 items in four sections with subtotals and comments, 20 % and 10 %, a
 * 5 % document discount, DEEE on some lines, a deposit deducted. */
static fixture *long_invoice(const char *logo)
{
	fixture *f = fixture_new(CPT_DOC_INVOICE, "FA-2026-0042");
	static const char *const sections[] = {"Lot 1 — Chaufferie", "Lot 2 — Plancher chauffant",
					       "Lot 3 — Salle d'eau", "Lot 4 — Électricité"};
	int item = 0;

	f->v.seller.logo_png = logo;
	f->v.vat_on_debits = true;
	f->v.delivery_date = (cpt_date){2026, 1, 9};
	f->v.notes = "Travaux réalisés conformément au devis DE-2025-0311 accepté le "
		     "02/12/2025.";
	for (int s = 0; s < 4; s++) {
		add_section(f, sections[s]);
		for (int i = 0; i < 20; i++, item++) {
			const char *label =
			    item == 23
				? LONG_LABEL
				: keep(f, g_strdup_printf("Article n° %02d : raccord Ø %d mm",
							  item + 1, 12 + i));
			add_item(f, keep(f, g_strdup_printf("ART-%03d", item + 1)), label,
				 item % 3 ? "u" : "h", 1000 + 500 * (item % 4),
				 125000 + 3550 * item, item % 7 == 0 ? 1000 : 0,
				 s == 1 ? 1000 : 2000, item % 10 == 5 ? 250 : 0);
			if (i == 9)
				add_text(
				    f, "Pièces garanties deux ans ; main-d'œuvre garantie un an.");
		}
		add_subtotal(f, sections[s]);
	}
	f->deductions[0] = (cpt_doc_deduction){"FA-2026-0007", {2025, 12, 5}, 150000};
	f->v.n_deductions = 1;
	finish(f, 500);
	return f;
}

/* The text of page n (1-based): pdftotext ends each page with a form feed. */
static char *page_text(const char *text, unsigned n)
{
	g_auto(GStrv) pages = g_strsplit(text, "\f", -1);
	assert_true(n - 1 < g_strv_length(pages));
	return g_strdup(pages[n - 1]);
}

static void invoice_spans_pages_with_header_and_page_numbers(void **state)
{
	g_autofree char *logo = write_png(out_dir(), 64, 24);
	fixture *f = long_invoice(logo);
	g_autofree char *text = render_to_text(&f->v, "invoice-long.pdf", NULL);
	g_autofree char *out_path = g_build_filename(out_dir(), "invoice-long.pdf", NULL);
	unsigned pages = count_of(text, "\f");
	char want[64];

	assert_true(pages >= 3);
	for (unsigned n = 1; n <= pages; n++) {
		g_autofree char *page = page_text(text, n);
		snprintf(want, sizeof want, "page %u/%u", n, pages);
		assert_has(page, want);
		/* Every page the table runs on starts with its header row. */
		if (strstr(page, "Article n°")) {
			assert_has(page, "Désignation");
			assert_has(page, "PU HT");
			assert_has(page, "Total HT");
		}
		/* The footer: the seller's identity and free text. */
		assert_has(page, "SARL au capital de 10 000 €");
		assert_has(page, "Assurance décennale");
	}
	assert_int_equal(count_of(text, "Article n° "), 79);
	/* The logo is there, at its own size. */
	const char *list[] = {"pdfimages", "-list", out_path, NULL};
	int code;
	g_autofree char *images = run_tool(list, &code);
	assert_int_equal(code, 0);
	assert_non_null(strstr(images, "    64    24  rgb     3   8"));
	assert_has(text, "Article n° 80 : raccord Ø 31 mm");
	fixture_free(f);
}

static void invoice_prints_amounts_in_french_format(void **state)
{
	fixture *f = long_invoice("");
	g_autofree char *text = render_to_text(&f->v, "invoice-amounts.pdf", NULL);
	const cpt_doc_view *v = &f->v;
	char buf[CPT_MONEY_FORMAT_SIZE];

	assert_has(text, money(v->lines_net, buf));
	assert_has(text, money(-v->discount_amount, buf));
	assert_has(text, money(v->net_total, buf));
	assert_has(text, money(v->vat_total, buf));
	assert_has(text, money(v->gross_total, buf));
	assert_has(text, money(v->amount_due, buf));
	assert_has(text, "1 500,00 €");
	for (size_t i = 0; i < v->n_vat; i++) {
		assert_has(text, money(v->vat[i].base, buf));
		assert_has(text, money(v->vat[i].amount, buf));
	}
	assert_has(text, "20 %");
	assert_has(text, "10 %");
	assert_has(text, "Remise 5 %");
	/* The first item: 1 × 12,50 less 10 %, its unit price with 4 decimals trimmed. */
	assert_has(text, "12,50");
	assert_has(text, "11,25");
	/* Subtotals of the sections, and the DEEE apart. */
	assert_has(text, "Sous-total Lot 1 — Chaufferie");
	assert_has(text, amount(v->lines[22].subtotal, buf));
	g_autofree char *eco =
	    g_strdup_printf("dont éco-contribution DEEE : %s", money(v->eco_total, buf));
	assert_has(text, eco);
	assert_has(text, "Total TTC");
	assert_has(text, "Acomptes déduits");
	assert_has(text, "dont acompte n° FA-2026-0007 du 05/12/2025");
	assert_has(text, "Net à payer");
	fixture_free(f);
}

static void invoice_prints_every_legal_mention(void **state)
{
	fixture *f = long_invoice("");
	g_autofree char *text = render_to_text(&f->v, "invoice-mentions.pdf", NULL);

	assert_has(text, "Facture");
	assert_has(text, "N° FA-2026-0042");
	assert_has(text, "Date : 15/01/2026");
	assert_has(text, "Échéance : 28/02/2026");
	assert_has(text, "Date de livraison : 09/01/2026");
	/* Seller: legal form, capital, RCS, SIRET, VAT number. */
	assert_has(text, "Thermo Services — SARL au capital de 10 000 € — RCS Lyon 732 829 320");
	assert_has(text, "SIRET 73282932000074");
	assert_has(text, "N° TVA FR44732829320");
	/* Buyer: address in the window, SIREN and VAT number, delivery site. */
	assert_has(text, "Boulangerie Lefèvre");
	assert_has(text, "À l'attention de Mme Élise Lefèvre");
	assert_has(text, "3 place de l'Église");
	assert_has(text, "69300 Caluire-et-Cuire");
	assert_has(text, "SIREN client : 552100554");
	assert_has(text, "N° TVA client : FR12552100554");
	assert_has(text, "Votre référence : BC-2026-118");
	assert_has(text, "Adresse de livraison");
	assert_has(text, "Chantier « Les Érables »");
	assert_has(text, "45 chemin des Écoliers");
	/* Terms, penalties, indemnity, discount, VAT on debits, nature. */
	assert_has(text, "Conditions de paiement : 30 jours fin de mois");
	assert_has(text, "Date d'échéance : 28/02/2026");
	assert_has(text, "Pénalités de retard : 13,15 % l'an (taux BCE + 10 points).");
	assert_has(text, "Indemnité forfaitaire pour frais de recouvrement : 40 €.");
	assert_has(text, "Pas d'escompte pour paiement anticipé.");
	assert_has(text, "TVA acquittée sur les débits");
	assert_has(text, "Nature de l'opération : livraison de biens et prestation de services");
	assert_has(text, "IBAN FR76 3000 6000 0112 3456 7890 189 — BIC AGRIFRPP");
	assert_has(text, "Référence à rappeler : FA-2026-0042");
	/* Comment lines, notes, a label wrapped over several lines. */
	assert_has(text, "Pièces garanties deux ans ; main-d'œuvre garantie un an.");
	assert_has(text, "Travaux réalisés conformément au devis DE-2025-0311");
	assert_has(text, "Fourniture et pose d'un plancher");
	assert_has(text, "FINLIBELLE");
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	for (size_t i = 0; lines[i]; i++)
		if (strstr(lines[i], "FINLIBELLE"))
			assert_null(strstr(lines[i], "Fourniture"));
	fixture_free(f);
}

static void same_view_gives_same_bytes(void **state)
{
	g_autofree char *logo = write_png(out_dir(), 64, 24);
	fixture *f = long_invoice(logo);
	g_autoptr(GBytes) a = NULL, b = NULL, c = NULL;

	assert_int_equal(cpt_pdf_render(&f->v, &a, NULL), CPT_OK);
	assert_int_equal(cpt_pdf_render(&f->v, &b, NULL), CPT_OK);
	assert_true(g_bytes_equal(a, b));
	/* Dates come from the issue date, never from the clock. */
	const char *data = g_bytes_get_data(a, NULL);
	size_t size = g_bytes_get_size(a);
	const char *date = "/CreationDate (D:20260115000000+00'00')";
	assert_non_null(memmem(data, size, date, strlen(date)));
	const char *id_a = memmem(data, size, "/ID [ <", 7);
	assert_non_null(id_a);

	/* Another content, another /ID. */
	f->v.number = "FA-2026-0043";
	assert_int_equal(cpt_pdf_render(&f->v, &c, NULL), CPT_OK);
	const char *id_c = memmem(g_bytes_get_data(c, NULL), g_bytes_get_size(c), "/ID [ <", 7);
	assert_non_null(id_c);
	assert_memory_not_equal(id_a, id_c, 40);
	fixture_free(f);
}

/* Renders run on comptoird's worker threads at once, and share the fonts
 * loaded once per process: first run in the process, so that the threads
 * also race to load them. */
#define RACE_THREADS 4
#define RACE_RENDERS 3

typedef struct race {
	const cpt_doc_view *v;
	bool facturx;
	GBytes *first;
	bool all_same;
} race;

static gpointer race_render(gpointer data)
{
	static const char xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<x/>\n";
	race *r = data;

	r->all_same = true;
	for (int i = 0; i < RACE_RENDERS; i++) {
		GBytes *pdf = NULL;
		int rc = r->facturx ? cpt_pdf_render_facturx(r->v, xml, strlen(xml),
							     CPT_PDF_FX_EN16931, &pdf, NULL)
				    : cpt_pdf_render(r->v, &pdf, NULL);
		if (rc != CPT_OK) {
			r->all_same = false;
			return NULL;
		}
		if (!r->first)
			r->first = pdf;
		else {
			r->all_same = r->all_same && g_bytes_equal(pdf, r->first);
			g_bytes_unref(pdf);
		}
	}
	return NULL;
}

static void renders_on_several_threads_give_the_same_bytes(void **state)
{
	fixture *f = long_invoice("");
	race r[RACE_THREADS] = {{0}};
	GThread *t[RACE_THREADS];

	for (int i = 0; i < RACE_THREADS; i++) {
		r[i] = (race){.v = &f->v, .facturx = i % 2 == 1};
		t[i] = g_thread_new("render", race_render, &r[i]);
	}
	for (int i = 0; i < RACE_THREADS; i++)
		g_thread_join(t[i]);
	for (int i = 0; i < RACE_THREADS; i++) {
		assert_true(r[i].all_same);
		assert_non_null(r[i].first);
		/* Every plain render alike, every Factur-X one alike. */
		assert_true(g_bytes_equal(r[i].first, r[i % 2].first));
	}
	g_autofree char *path = save_pdf(r[0].first, "invoice-threads.pdf");
	g_autofree char *text = pdf_text(path);
	assert_has(text, "Thermo Services");
	assert_has(text, "Net à payer");
	for (int i = 0; i < RACE_THREADS; i++)
		g_bytes_unref(r[i].first);
	fixture_free(f);
}

/*
 * The fonts are embedded as subsets of the characters shown, with their
 * ToUnicode maps: a short invoice is a few tens of kilobytes (libharu's own
 * embedding made 190 KB of it), and its text still reads back exactly.
 */
static void short_invoice_embeds_font_subsets(void **state)
{
	fixture *f = fixture_new(CPT_DOC_INVOICE, "FA-2026-0060");
	GBytes *pdf = NULL;

	add_item(f, "CH-24", "Chaudière à condensation 24 kW", "u", 1000, 28500000, 0, 2000, 0);
	add_item(f, "MO", "Main-d'œuvre", "h", 7500, 550000, 0, 2000, 0);
	add_item(f, "", "Fournitures « haute température » — lot", "u", 1000, 456700, 0, 1000, 0);
	finish(f, 0);
	g_autofree char *text = render_to_text(&f->v, "invoice-short.pdf", &pdf);
	g_autofree char *path = g_build_filename(out_dir(), "invoice-short.pdf", NULL);

	assert_true(g_bytes_get_size(pdf) < 64 * 1024);
	assert_has(text, "Fournitures « haute température » — lot");
	assert_has(text, "Main-d'œuvre");
	assert_has(text, "Indemnité forfaitaire pour frais de recouvrement : 40 €.");

	/* pdffonts: name, type, encoding, then "yes" for embedded, subset and
	 * ToUnicode. */
	const char *argv[] = {"pdffonts", path, NULL};
	int code;
	g_autofree char *fonts = run_tool(argv, &code);
	assert_int_equal(code, 0);
	g_auto(GStrv) lines = g_strsplit(fonts, "\n", -1);
	unsigned found = 0;
	for (size_t i = 0; lines[i]; i++) {
		if (!strstr(lines[i], "+DejaVuSans"))
			continue;
		found++;
		assert_non_null(strstr(lines[i], "CID TrueType"));
		assert_non_null(strstr(lines[i], "Identity-H"));
		assert_non_null(strstr(lines[i], "yes yes yes"));
	}
	assert_int_equal(found, 2);
	g_bytes_unref(pdf);
	fixture_free(f);
}

/* ==== Other documents ===================================================== */

static void credit_note_names_the_invoice_it_corrects(void **state)
{
	fixture *f = fixture_new(CPT_DOC_CREDIT_NOTE, "AV-2026-0003");
	char buf[CPT_MONEY_FORMAT_SIZE];

	f->v.preceding_number = "FA-2026-0042";
	f->v.preceding_date = (cpt_date){2026, 1, 15};
	f->v.issue_date = (cpt_date){2026, 1, 20};
	add_item(f, "ART-007", "Retour : vanne thermostatique défectueuse", "u", -2000, 600000, 0,
		 2000, 0);
	finish(f, 0);
	g_autofree char *text = render_to_text(&f->v, "credit-note.pdf", NULL);

	assert_has(text, "Avoir");
	assert_has(text, "N° AV-2026-0003");
	assert_has(text, "Avoir sur la facture n° FA-2026-0042 du 15/01/2026");
	assert_has(text, "Montant de l'avoir");
	assert_has(text, money(f->v.amount_due, buf));
	assert_true(f->v.amount_due < 0);
	assert_has(text, "-2");
	assert_has(text, "Indemnité forfaitaire pour frais de recouvrement : 40 €.");
	assert_lacks(text, "Net à payer");
	fixture_free(f);
}

static void quote_has_validity_and_signature_box(void **state)
{
	fixture *f = fixture_new(CPT_DOC_QUOTE, "DE-2026-0012");
	char buf[CPT_MONEY_FORMAT_SIZE];

	f->v.valid_until = (cpt_date){2026, 2, 15};
	add_section(f, "Remplacement de la chaudière");
	add_item(f, "CH-24", "Chaudière à condensation 24 kW", "u", 1000, 28500000, 0, 550, 1000);
	add_item(f, "MO", "Main-d'œuvre", "h", 7500, 550000, 0, 550, 0);
	add_subtotal(f, "");
	finish(f, 0);
	g_autofree char *text = render_to_text(&f->v, "quote.pdf", NULL);

	assert_has(text, "Devis");
	assert_has(text, "N° DE-2026-0012");
	assert_has(text, "Valable jusqu'au : 15/02/2026");
	assert_has(text, "Devis valable jusqu'au 15/02/2026.");
	assert_has(text, "Bon pour accord");
	assert_has(text, "« Bon pour accord »");
	assert_has(text, "Sous-total");
	assert_has(text, "5,5 %");
	assert_has(text, money(f->v.gross_total, buf));
	assert_lacks(text, "Net à payer");
	assert_lacks(text, "Pénalités de retard");
	fixture_free(f);
}

static void delivery_note_shows_quantities_without_prices(void **state)
{
	fixture *f = fixture_new(CPT_DOC_DELIVERY, "BL-2026-0031");
	char price[CPT_MONEY_FORMAT_SIZE], net[CPT_MONEY_FORMAT_SIZE];

	f->v.delivery_date = (cpt_date){2026, 1, 14};
	add_item(f, "RAD-600", "Radiateur acier 600 × 1 200 mm", "u", 3000, 1234500, 0, 2000, 0);
	add_item(f, "TUB-16", "Tube multicouche Ø 16", "m", 12500, 45600, 0, 2000, 0);
	add_text(f, "Livraison au sous-sol, accès par la rampe.");
	add_subtotal(f, "");
	finish(f, 0);
	g_autofree char *text = render_to_text(&f->v, "delivery.pdf", NULL);

	assert_has(text, "Bon de livraison");
	assert_has(text, "Livraison : 14/01/2026");
	assert_has(text, "RAD-600");
	assert_has(text, "Radiateur acier 600 × 1 200 mm");
	assert_has(text, "12,5");
	assert_has(text, "Livraison au sous-sol");
	assert_has(text, "Réception");
	assert_true(cpt_money_format_price(f->lines[0].unit_price, price, sizeof price));
	assert_lacks(text, price);
	assert_lacks(text, amount(f->lines[0].net, net));
	assert_lacks(text, "PU HT");
	assert_lacks(text, "Total HT");
	assert_lacks(text, "Sous-total");
	assert_lacks(text, "Net à payer");
	fixture_free(f);
}

/*
 * Whether word is printed on page 1 of path wholly inside the rectangle
 * (mm from the sheet's top-left corner), as `pdftotext -bbox` places it.
 */
static bool word_inside(const char *path, const char *word, double x0, double y0, double x1,
			double y1)
{
	const char *argv[] = {"pdftotext", "-bbox", "-f", "1", "-l", "1", path, "-", NULL};
	int code;
	char *html = run_tool(argv, &code);
	assert_int_equal(code, 0);
	/* One word a line: <word xMin=".." yMin=".." xMax=".." yMax="..">text</word> */
	gchar **lines = g_strsplit(html, "\n", -1);
	g_free(html);
	char *needle = g_strdup_printf(">%s</word>", word);
	const double mm = 72.0 / 25.4;
	bool inside = false;
	for (gchar **l = lines; *l && !inside; l++) {
		double xa, ya, xb, yb;
		inside = g_str_has_suffix(*l, needle) &&
			 sscanf(g_strchug(*l),
				"<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"", &xa,
				&ya, &xb, &yb) == 4 &&
			 xa >= x0 * mm && xb <= x1 * mm && ya >= y0 * mm && yb <= y1 * mm;
	}
	g_free(needle);
	g_strfreev(lines);
	return inside;
}

/*
 * Folded in three in a DL envelope with the window on the right, an A4
 * sheet shows 95-195 mm from its left and 50-95 mm from its top: the
 * buyer's name, contact and address must all be read there.
 */
static void the_buyer_address_shows_through_a_window_envelope(void **state)
{
	fixture *f = long_invoice("");
	g_autofree char *text = render_to_text(&f->v, "invoice-window.pdf", NULL);
	g_autofree char *path = g_build_filename(out_dir(), "invoice-window.pdf", NULL);
	const char *words[] = {"Boulangerie", "Mme", "69300", "Caluire-et-Cuire"};
	for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
		if (!word_inside(path, words[i], 95, 50, 195, 95)) {
			fail_msg("\"%s\" is not printed inside the envelope window", words[i]);
		}
	}
	/* And the check can fail: the seller's name is not in the window. */
	assert_false(word_inside(path, "Thermo", 95, 50, 195, 95));
	fixture_free(f);
}

static void belgian_invoice_has_structured_communication(void **state)
{
	fixture *f = fixture_new(CPT_DOC_INVOICE, "2026/0105");
	char buf[CPT_MONEY_FORMAT_SIZE];

	f->v.seller = (cpt_doc_seller){
	    .name = "Atelier Dubois",
	    .legal_form = "SRL",
	    .share_capital = "",
	    .siren = "",
	    .siret = "",
	    .rcs = "",
	    .be_enterprise = "0403.170.701",
	    .vat_number = "BE0403170701",
	    .address = {"Rue de la Loi 16", "", "4000", "Liège", "BE"},
	    .phone = "",
	    .email = "",
	    .website = "",
	    .iban = "BE68 5390 0754 7034",
	    .bic = "GKCCBEBB",
	    .logo_png = "",
	    .colour = 0xF2C14E, /* light: the header row is written in black */
	    .footer = "",
	};
	f->v.buyer.name = "Brasserie de l'Ourthe";
	f->v.buyer.siren = "";
	f->v.buyer.vat_number = "BE0897654321";
	f->v.buyer.be_enterprise = "0897.654.321";
	f->v.buyer.billing = (cpt_doc_address){"Quai des Ardennes 8", "", "4020", "Liège", "BE"};
	f->v.buyer.has_delivery = false;
	/* The payment reference of invoice 1234567890: its check digits are mod 97. */
	char comm[32];
	cpt_status st = {0};
	assert_int_equal(cpt_ident_structcomm_make(1234567890, "id", comm, &st), 0);
	assert_string_equal(comm, "+++123/4567/89002+++");
	f->v.structured_communication = comm;
	char penalty[CPT_MENTION_SIZE];
	assert_true(cpt_mention_late_penalty("BE", 215, 800, 316, penalty, sizeof penalty));
	f->v.late_penalty = penalty;
	f->v.recovery_indemnity = "Indemnité forfaitaire : 40 €.";
	f->v.nature = CPT_NATURE_SERVICES;
	add_item(f, "", "Rénovation de la salle de brassage", "h", 16000, 650000, 0, 600, 0);
	add_item(f, "", "Fournitures électriques", "u", 1000, 2450000, 0, 2100, 0);
	finish(f, 0);
	g_autofree char *text = render_to_text(&f->v, "invoice-be.pdf", NULL);

	assert_has(text, "21 %");
	/* pdftotext glues a one-digit rate to its "%" ("6%"), whatever the
	 * space between them; the amounts prove the 6 % row. */
	assert_true(strstr(text, "6 %") || strstr(text, "6%"));
	assert_has(text, money(f->vat[1].base, buf));
	assert_has(text, money(f->vat[0].amount, buf));
	assert_has(text, money(f->vat[1].amount, buf));
	assert_has(text, "Communication structurée : +++123/4567/89002+++");
	assert_has(text, "Intérêts de retard : 10,50 % l'an");
	assert_lacks(text, "Pénalités de retard");
	assert_lacks(text, "débits"); /* the option is not taken */
	assert_has(text, "Atelier Dubois — SRL — N° d'entreprise 0403.170.701 — N° TVA "
			 "BE0403170701");
	assert_has(text, "N° TVA client : BE0897654321");
	assert_has(text, "N° d'entreprise client : 0897.654.321");
	assert_has(text, "IBAN BE68 5390 0754 7034 — BIC GKCCBEBB");
	assert_has(text, "Nature de l'opération : prestation de services");
	/* Mail within Belgium: no country line under the address. */
	assert_lacks(text, "BELGIQUE");
	assert_lacks(text, "Adresse de livraison");
	fixture_free(f);
}

static void draft_says_brouillon_and_has_no_number(void **state)
{
	fixture *f = long_invoice("");
	f->v.number = "";
	g_autofree char *text = render_to_text(&f->v, "invoice-draft.pdf", NULL);
	unsigned pages = count_of(text, "\f");

	assert_has(text, "BROUILLON");
	assert_lacks(text, "N° FA");
	assert_lacks(text, "FA-2026-0042");
	assert_lacks(text, "Référence à rappeler");
	assert_true(count_of(text, "BROUILLON") >= pages + 1);
	fixture_free(f);
}

static void proforma_and_order_say_what_they_are(void **state)
{
	fixture *f = fixture_new(CPT_DOC_PROFORMA, "PF-2026-0002");
	add_item(f, "", "Acompte demandé à la commande", "u", 1000, 3000000, 0, 2000, 0);
	finish(f, 0);
	g_autofree char *text = render_to_text(&f->v, "proforma.pdf", NULL);

	assert_has(text, "Facture pro forma");
	assert_has(text, "Facture pro forma — ne vaut pas facture");
	assert_lacks(text, "Pénalités de retard");

	f->v.type = CPT_DOC_ORDER;
	f->v.number = "CC-2026-0009";
	f->v.delivery_date = (cpt_date){2026, 3, 2};
	g_autofree char *order = render_to_text(&f->v, "order.pdf", NULL);
	assert_has(order, "Confirmation de commande");
	assert_has(order, "Livraison : 02/03/2026");
	assert_has(order, "Conditions de paiement : 30 jours fin de mois");
	fixture_free(f);
}

static void progress_deposit_and_exempt_rates_are_printed(void **state)
{
	fixture *f = fixture_new(CPT_DOC_DEPOSIT_INVOICE, "FA-2026-0051");
	char buf[CPT_MONEY_FORMAT_SIZE];

	add_item(f, "", "Situation n° 2 : gros œuvre", "u", 1000, 50000000, 0, 2000, 0);
	add_item(f, "", "Formation du personnel", "h", 3000, 900000, 0, 0, 0);
	finish(f, 0);
	f->vat[1].category = "E";
	f->vat[1].exemption = "Exonération de TVA, article 261-4-4° du CGI";
	f->vat[1].exemption_code = "VATEX-FR-261-4-4";
	f->v.progress_rate = 6000;
	f->v.progress_previous = 2500000;
	g_autofree char *text = render_to_text(&f->v, "deposit-progress.pdf", NULL);

	assert_has(text, "Facture d'acompte");
	assert_has(text, "Avancement cumulé");
	assert_has(text, "60 %");
	assert_has(text, "Déjà facturé TTC");
	assert_has(text, money(2500000, buf));
	assert_has(text, "0 % (catégorie E)");
	assert_has(text, "Exonération de TVA, article 261-4-4° du CGI");
	fixture_free(f);
}

static void bad_views_and_logos_are_refused(void **state)
{
	fixture *f = fixture_new(CPT_DOC_INVOICE, "FA-1");
	GBytes *pdf = NULL;
	cpt_status st = CPT_STATUS_OK;

	add_item(f, "", "Service", "u", 1000, 10000, 0, 2000, 0);
	finish(f, 0);
	assert_int_equal(cpt_pdf_render(NULL, &pdf, &st), CPT_INVALID_ARGUMENT);
	f->v.type = (cpt_doc_type)42;
	assert_int_equal(cpt_pdf_render(&f->v, &pdf, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "type");
	f->v.type = CPT_DOC_INVOICE;
	f->v.seller.logo_png = "/nonexistent/logo.png";
	assert_int_equal(cpt_pdf_render(&f->v, &pdf, &st), CPT_FAILED_PRECONDITION);
	assert_string_equal(st.field, "seller.logo_png");
	/* Not a PNG. */
	g_autofree char *bad = g_build_filename(out_dir(), "not-a-logo.png", NULL);
	assert_true(g_file_set_contents(bad, "GIF89a", 6, NULL));
	f->v.seller.logo_png = bad;
	assert_int_equal(cpt_pdf_render(&f->v, &pdf, &st), CPT_FAILED_PRECONDITION);
	assert_null(pdf);
	/* Text the fonts cannot show is replaced, never fatal. */
	f->v.seller.logo_png = "";
	f->lines[0].label = "Bad \xC3 UTF-8, tab\there, emoji \xF0\x9F\x94\xA5 end";
	assert_int_equal(cpt_pdf_render(&f->v, &pdf, &st), CPT_OK);
	g_bytes_unref(pdf);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(renders_on_several_threads_give_the_same_bytes),
	    cmocka_unit_test(invoice_spans_pages_with_header_and_page_numbers),
	    cmocka_unit_test(invoice_prints_amounts_in_french_format),
	    cmocka_unit_test(invoice_prints_every_legal_mention),
	    cmocka_unit_test(same_view_gives_same_bytes),
	    cmocka_unit_test(short_invoice_embeds_font_subsets),
	    cmocka_unit_test(credit_note_names_the_invoice_it_corrects),
	    cmocka_unit_test(quote_has_validity_and_signature_box),
	    cmocka_unit_test(delivery_note_shows_quantities_without_prices),
	    cmocka_unit_test(belgian_invoice_has_structured_communication),
	    cmocka_unit_test(the_buyer_address_shows_through_a_window_envelope),
	    cmocka_unit_test(draft_says_brouillon_and_has_no_number),
	    cmocka_unit_test(proforma_and_order_say_what_they_are),
	    cmocka_unit_test(progress_deposit_and_exempt_rates_are_printed),
	    cmocka_unit_test(bad_views_and_logos_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
